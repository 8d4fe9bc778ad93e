//! Imputations: how missing indicator values are filled before treatment and normalisation; the spellings and the group column a method reads.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{MethodParseError, no_args, parse_err, split_call, unknown};

/// How missing indicator values are filled before treatment and normalisation.
///
/// - `None`: leave them missing; aggregation then renormalises weights over present children.
/// - `Mean` / `Median`: the indicator's mean / median over units with data (median: R type 7).
/// - `GroupMean(col)` / `GroupMedian(col)`: the same within the unit's group in column `col` of
///   data.csv (COINr `i_mean_grp`, `i_median_grp`); a group with no data falls back to the
///   indicator-wide statistic.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Imputation {
    None,
    Mean,
    Median,
    GroupMean(String),
    GroupMedian(String),
}

impl Imputation {
    pub const SPELLINGS: &'static [&'static str] = &[
        "none",
        "mean",
        "median",
        "group_mean(GROUP_COLUMN)",
        "group_median(GROUP_COLUMN)",
    ];

    /// The group column this method reads, if any.
    pub fn group_column(&self) -> Option<&str> {
        match self {
            Imputation::GroupMean(c) | Imputation::GroupMedian(c) => Some(c),
            _ => None,
        }
    }
}

impl FromStr for Imputation {
    type Err = MethodParseError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, args) = split_call(text)?;
        let name = name.strip_prefix("i_").unwrap_or(&name).to_string();
        let group = |make: fn(String) -> Imputation| match args.as_slice() {
            [col] if !col.is_empty() => Ok(make(col.clone())),
            _ => Err(parse_err(
                format!("`{name}` needs the group column of data.csv"),
                format!("write e.g. `{name}(EurAsia_group)`"),
            )),
        };
        match name.as_str() {
            "none" => no_args("none", &args).map(|_| Imputation::None),
            "mean" => no_args("mean", &args).map(|_| Imputation::Mean),
            "median" => no_args("median", &args).map(|_| Imputation::Median),
            "group_mean" | "mean_grp" => group(Imputation::GroupMean),
            "group_median" | "median_grp" => group(Imputation::GroupMedian),
            _ => Err(unknown("imputation", text, Self::SPELLINGS)),
        }
    }
}

impl fmt::Display for Imputation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Imputation::None => f.write_str("none"),
            Imputation::Mean => f.write_str("mean"),
            Imputation::Median => f.write_str("median"),
            Imputation::GroupMean(c) => write!(f, "group_mean({c})"),
            Imputation::GroupMedian(c) => write!(f, "group_median({c})"),
        }
    }
}
