//! Aggregations: how the children of one aggregate are combined into its score; the formulas with their references, the spellings, and each method's facts (positivity, overflow).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{MethodParseError, fmt_num, no_args, numbers, parse_err, split_call, unknown};

/// How the children of one aggregate are combined into its score.
///
/// With child values x_c > 0 where needed and weights w_c renormalised over non-missing
/// children (W = Σ w_c), following COINr's `a_*` kernels and the OECD/JRC Handbook (2008) §6:
/// - `Arithmetic`: `Σ w_c x_c / W`.
/// - `Geometric`: `exp(Σ w_c ln x_c / W)` = `(Π x_c^{w_c})^{1/W}`; needs x_c > 0.
/// - `Harmonic`: `W / Σ (w_c / x_c)`; needs x_c > 0.
/// - `Generalised { p }`: `(Σ w_c x_c^p / W)^{1/p}` (power mean, p ≠ 0); needs x_c > 0.
/// - `Copeland`: for each pair of units (a, b), the weighted majority over children decides
///   whether a beats b (+1), loses (−1) or ties (0); a unit's score is the sum over b ≠ a
///   (Munda & Nardo 2009, non-compensatory aggregation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Aggregation {
    Arithmetic,
    Geometric,
    Harmonic,
    Generalised { p: f64 },
    Copeland,
}

impl Aggregation {
    pub const SPELLINGS: &'static [&'static str] = &[
        "arithmetic",
        "geometric",
        "harmonic",
        "generalised(p)",
        "copeland",
    ];

    /// Whether this aggregation needs strictly positive child values.
    pub fn needs_positive(&self) -> bool {
        matches!(
            self,
            Aggregation::Geometric | Aggregation::Harmonic | Aggregation::Generalised { .. }
        )
    }

    /// For a power mean whose powers x^p overflow a double on positive values in
    /// [`minimum`, `maximum`]: the value that overflows (the largest for p > 0, the smallest
    /// for p < 0) and the largest |p| that would not. Means stay within their children's range,
    /// so the extreme value bounds every level. `None` for every other aggregation.
    pub fn overflows(&self, minimum: f64, maximum: f64) -> Option<(f64, f64)> {
        let Aggregation::Generalised { p } = *self else {
            return None;
        };
        let extreme = if p > 0.0 { maximum } else { minimum };
        // Non-positive or missing extremes are the positivity check's business.
        if extreme.is_nan() || extreme <= 0.0 || extreme.powf(p).is_finite() {
            return None;
        }
        Some((extreme, (f64::MAX.ln() / extreme.ln().abs()).floor()))
    }
}

impl FromStr for Aggregation {
    type Err = MethodParseError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, args) = split_call(text)?;
        let name = name.strip_prefix("a_").unwrap_or(&name).to_string();
        let simple = |method: Aggregation| no_args(&name, &args).map(|_| method);
        match name.as_str() {
            "arithmetic" | "amean" | "mean" => simple(Aggregation::Arithmetic),
            "geometric" | "gmean" => simple(Aggregation::Geometric),
            "harmonic" | "hmean" => simple(Aggregation::Harmonic),
            "copeland" => simple(Aggregation::Copeland),
            "generalised" | "generalized" | "genmean" => {
                let [p] = numbers("generalised", &args, [f64::NAN])?;
                if p.is_nan() {
                    return Err(parse_err(
                        "`generalised` needs its power",
                        "write e.g. `generalised(0.5)`",
                    ));
                }
                if p == 0.0 {
                    return Err(parse_err(
                        "`generalised(0)` is the geometric mean",
                        "write `geometric`",
                    ));
                }
                Ok(Aggregation::Generalised { p })
            }
            _ => Err(unknown("aggregation", text, Self::SPELLINGS)),
        }
    }
}

impl fmt::Display for Aggregation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Aggregation::Arithmetic => f.write_str("arithmetic"),
            Aggregation::Geometric => f.write_str("geometric"),
            Aggregation::Harmonic => f.write_str("harmonic"),
            Aggregation::Generalised { p } => write!(f, "generalised({})", fmt_num(*p)),
            Aggregation::Copeland => f.write_str("copeland"),
        }
    }
}
