//! The outlier treatment (COINr's Winsorisation with a log fallback) and its limits.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::fmt_num;

/// COINr's default outlier treatment (`Treat` with `f1 = "winsorise"`, `f2 = "log_CT"`).
///
/// An indicator passes when `|skewness| < skew_limit` **or** `kurtosis < kurtosis_limit`, with
/// the bias-adjusted sample estimators G1 and G2 (Joanes & Gill 1998, e1071 `type = 2`).
/// Failing indicators are Winsorised one point at a time on the skewed side, up to `winmax`
/// points; if they still fail, the original values are log-transformed instead:
/// `ln(x − min + 0.01·(max − min))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Treatment {
    pub winmax: usize,
    #[serde(default = "default_skew_limit")]
    pub skew_limit: f64,
    #[serde(default = "default_kurtosis_limit")]
    pub kurtosis_limit: f64,
}

fn default_skew_limit() -> f64 {
    2.0
}
fn default_kurtosis_limit() -> f64 {
    3.5
}

impl Treatment {
    /// COINr's defaults with the given Winsorisation limit.
    pub fn with_winmax(winmax: usize) -> Self {
        Treatment {
            winmax,
            skew_limit: default_skew_limit(),
            kurtosis_limit: default_kurtosis_limit(),
        }
    }
}

impl fmt::Display for Treatment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "winsorise(winmax={}", self.winmax)?;
        if self.skew_limit != default_skew_limit()
            || self.kurtosis_limit != default_kurtosis_limit()
        {
            write!(
                f,
                ", skew<{}, kurtosis<{}",
                fmt_num(self.skew_limit),
                fmt_num(self.kurtosis_limit)
            )?;
        }
        f.write_str(")")
    }
}
