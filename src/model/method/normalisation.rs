//! Normalisations: how each indicator column is brought onto a common scale; the formulas with their references, the spellings, and each method's facts (positivity, spread, metadata it needs).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{MethodParseError, fmt_num, no_args, numbers, parse_err, split_call, unknown};

/// How each indicator column is brought onto a common scale (applied after directions).
///
/// Formulas (x is one indicator over units, already multiplied by its direction; NaN = missing,
/// ignored by every statistic), following COINr's `n_*` kernels (Becker et al. 2022) and the
/// OECD/JRC Handbook on Constructing Composite Indicators (2008), section 5:
/// - `MinMax { low, high }`: `(x − min) / (max − min) · (high − low) + low`.
/// - `ZScore { mean, sd }`: `(x − x̄) / s · sd + mean`, `s` the sample standard deviation (n − 1).
/// - `Rank`: ranks of x, ties sharing the lowest rank (R `rank(ties.method = "min")`, as COINr);
///   higher x, higher rank.
/// - `Borda`: `Rank − 1`, so the worst unit scores 0.
/// - `Percentile`: percentile rank `(Rank − 1) / (n − 1)` in [0, 1].
/// - `Dist2Max`: `1 − (max − x) / (max − min)`.
/// - `FracMax`: the fraction of the best value, on the raw (undirected) values r: `r / max r`
///   for higher-is-better indicators (needs max r > 0) and `min r / r` for lower-is-better ones
///   (needs every r > 0), so the best unit scores 1 either way. (COINr's `n_fracmax` divides the
///   direction-adjusted values by their maximum, which reverses a lower-is-better indicator.)
/// - `Dist2Ref { unit }`: `1 − (x_ref − x) / (x_ref − min)`, the reference unit scoring 1.
/// - `Dist2Targ { cap }`: `(x − min) / (target − min)`, capped at 1 when `cap` (COINr
///   `n_dist2targ(cap_max = TRUE)`), using the indicator's `Target` column (multiplied by the
///   direction, like the data); the target must lie beyond the worst value. Missing stays missing.
/// - `Goalposts { scale }`: `(x − lower) / (upper − lower)` clipped to [0, 1], times `scale`, with
///   the indicator's `Goalpost_lower`/`Goalpost_upper` (for direction −1: `(upper − x) / (upper − lower)`).
/// - `Scaled { low, high }`: `(x − low) / (high − low) · 100`, fixed bounds (COINr `n_scaled`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Normalisation {
    MinMax { low: f64, high: f64 },
    ZScore { mean: f64, sd: f64 },
    Rank,
    Borda,
    Percentile,
    Dist2Max,
    FracMax,
    Dist2Ref { unit: String },
    Dist2Targ { cap: bool },
    Goalposts { scale: f64 },
    Scaled { low: f64, high: f64 },
}

impl Normalisation {
    /// All spellings a user may write, for error messages and suggestions.
    pub const SPELLINGS: &'static [&'static str] = &[
        "minmax(low,high)",
        "zscore(mean,sd)",
        "rank",
        "borda",
        "percentile",
        "dist2max",
        "fracmax",
        "dist2ref(UNIT)",
        "dist2targ",
        "goalposts(scale)",
        "scaled(low,high)",
    ];

    /// The lowest value this method gives whatever the data (its floor), if it has one.
    /// Means of values above a positive floor are positive, so such a normalisation can feed a
    /// geometric or harmonic mean on any data; without one, the data decide
    /// ([`crate::pipeline::check_aggregations`]).
    pub fn floor(&self) -> Option<f64> {
        match self {
            Normalisation::MinMax { low, .. } => Some(*low),
            Normalisation::Rank => Some(1.0),
            Normalisation::Borda
            | Normalisation::Percentile
            | Normalisation::Dist2Max
            | Normalisation::Dist2Ref { .. }
            | Normalisation::Dist2Targ { .. }
            | Normalisation::Goalposts { .. } => Some(0.0),
            // Unbounded below: z-scores far below the mean, fixed-bound scaling of values below
            // `low`, and x / max for values of the other sign than the maximum.
            Normalisation::ZScore { .. }
            | Normalisation::FracMax
            | Normalisation::Scaled { .. } => None,
        }
    }

    /// How this method divides by an indicator's spread, in words, if it does: a constant
    /// indicator then makes it divide by zero.
    pub fn spread_divisor(&self) -> Option<&'static str> {
        match self {
            Normalisation::MinMax { .. } => Some("min–max normalisation divides by max − min"),
            Normalisation::Dist2Max => Some("dist2max normalisation divides by max − min"),
            Normalisation::ZScore { .. } => Some("z-scores divide by the standard deviation"),
            Normalisation::Dist2Ref { .. } => {
                Some("dist2ref divides by the reference's distance to the minimum")
            }
            // Ranks need no spread; fracmax divides by the maximum and dist2targ by the target's
            // distance to the minimum (both checked on their own); goalposts and scaled use
            // fixed bounds.
            Normalisation::Dist2Targ { .. }
            | Normalisation::Rank
            | Normalisation::Borda
            | Normalisation::Percentile
            | Normalisation::FracMax
            | Normalisation::Goalposts { .. }
            | Normalisation::Scaled { .. } => None,
        }
    }

    /// Whether a constant indicator makes this method divide by zero ([`Self::spread_divisor`]).
    pub fn divides_by_spread(&self) -> bool {
        self.spread_divisor().is_some()
    }

    /// The per-indicator metadata this method needs from meta.csv, if any.
    pub fn needed_metadata(&self) -> Option<IndicatorMetadata> {
        match self {
            Normalisation::Goalposts { .. } => Some(IndicatorMetadata::Goalposts),
            Normalisation::Dist2Targ { .. } => Some(IndicatorMetadata::Target),
            Normalisation::MinMax { .. }
            | Normalisation::ZScore { .. }
            | Normalisation::Rank
            | Normalisation::Borda
            | Normalisation::Percentile
            | Normalisation::Dist2Max
            | Normalisation::FracMax
            | Normalisation::Dist2Ref { .. }
            | Normalisation::Scaled { .. } => None,
        }
    }

    /// The reference unit this method measures against, if any (`dist2ref(UNIT)`).
    pub fn reference_unit(&self) -> Option<&str> {
        match self {
            Normalisation::Dist2Ref { unit } => Some(unit),
            // Listed, not `_`: a new method's reference is decided, not defaulted.
            Normalisation::MinMax { .. }
            | Normalisation::ZScore { .. }
            | Normalisation::Rank
            | Normalisation::Borda
            | Normalisation::Percentile
            | Normalisation::Dist2Max
            | Normalisation::FracMax
            | Normalisation::Dist2Targ { .. }
            | Normalisation::Goalposts { .. }
            | Normalisation::Scaled { .. } => None,
        }
    }

    /// Which values of this method are zero or negative, in words: why it may not feed a
    /// mean that needs positive values.
    pub fn nonpositive_cause(&self) -> String {
        match self {
            Normalisation::MinMax { low, .. } => {
                format!("the lowest unit on each indicator gets {}", fmt_num(*low))
            }
            Normalisation::ZScore { mean, sd } => format!(
                "a unit more than {} standard deviations below an indicator's mean gets a value ≤ 0",
                fmt_num(mean / sd)
            ),
            Normalisation::Borda
            | Normalisation::Percentile
            | Normalisation::Dist2Max
            | Normalisation::Dist2Ref { .. }
            | Normalisation::Dist2Targ { .. } => "the lowest unit on each indicator gets 0".into(),
            Normalisation::Goalposts { .. } => "units at or below the lower goalpost get 0".into(),
            Normalisation::FracMax => {
                "x / max is zero or negative for values of the other sign than the maximum".into()
            }
            Normalisation::Scaled { low, .. } => {
                format!("values at or below {} give values ≤ 0", fmt_num(*low))
            }
            Normalisation::Rank => "none: ranks start at 1".into(),
        }
    }

    /// A method like this one whose values are all positive, as a suggestion in messages.
    pub fn positive_alternative(&self) -> String {
        match self {
            Normalisation::MinMax { high, .. } if *high > 1.0 => {
                format!("`minmax(1,{})` (lowest value 1)", fmt_num(*high))
            }
            Normalisation::ZScore { sd, .. } => format!(
                "z-scores centred further from zero, e.g. `zscore({},{})`, or `minmax(1,100)`",
                fmt_num(10.0 * sd),
                fmt_num(*sd)
            ),
            Normalisation::Borda => "`rank` (borda + 1, lowest value 1)".into(),
            // Listed, not `_`: a new method's suggestion is decided, not defaulted.
            Normalisation::MinMax { .. }
            | Normalisation::Rank
            | Normalisation::Percentile
            | Normalisation::Dist2Max
            | Normalisation::FracMax
            | Normalisation::Dist2Ref { .. }
            | Normalisation::Dist2Targ { .. }
            | Normalisation::Goalposts { .. }
            | Normalisation::Scaled { .. } => "`minmax(1,100)` or `rank` (lowest value 1)".into(),
        }
    }
}

/// Per-indicator metadata that some normalisations need from meta.csv.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndicatorMetadata {
    /// The `Target` column (`dist2targ`).
    Target,
    /// The `Goalpost_lower` and `Goalpost_upper` columns (`goalposts`).
    Goalposts,
}

impl IndicatorMetadata {
    /// The meta.csv column(s), as a user would look for them.
    pub fn columns(self) -> &'static str {
        match self {
            IndicatorMetadata::Target => "Target",
            IndicatorMetadata::Goalposts => "Goalpost_lower and Goalpost_upper",
        }
    }
}

impl FromStr for Normalisation {
    type Err = MethodParseError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, args) = split_call(text)?;
        let name = name.strip_prefix("n_").unwrap_or(&name).to_string();
        Ok(match name.as_str() {
            "minmax" => {
                let [low, high] = numbers("minmax", &args, [0.0, 100.0])?;
                if low >= high {
                    return Err(parse_err(
                        format!(
                            "`minmax({},{})`: the lower bound must be below the upper bound",
                            fmt_num(low),
                            fmt_num(high)
                        ),
                        "write the lower bound first, e.g. `minmax(0,100)`",
                    ));
                }
                Normalisation::MinMax { low, high }
            }
            "zscore" => {
                let [mean, sd] = numbers("zscore", &args, [0.0, 1.0])?;
                if sd <= 0.0 {
                    return Err(parse_err(
                        format!(
                            "`zscore({},{})`: the standard deviation must be positive",
                            fmt_num(mean),
                            fmt_num(sd)
                        ),
                        format!("write e.g. `zscore({},1)`", fmt_num(mean)),
                    ));
                }
                Normalisation::ZScore { mean, sd }
            }
            "rank" => {
                no_args("rank", &args)?;
                Normalisation::Rank
            }
            "borda" => {
                no_args("borda", &args)?;
                Normalisation::Borda
            }
            "percentile" | "prank" => {
                no_args("percentile", &args)?;
                Normalisation::Percentile
            }
            "dist2max" => {
                no_args("dist2max", &args)?;
                Normalisation::Dist2Max
            }
            "fracmax" => {
                no_args("fracmax", &args)?;
                Normalisation::FracMax
            }
            "dist2ref" => {
                if args.len() != 1 || args[0].is_empty() {
                    return Err(parse_err(
                        "`dist2ref` needs the reference unit's code",
                        "write e.g. `dist2ref(CHE)`",
                    ));
                }
                Normalisation::Dist2Ref {
                    unit: args[0].clone(),
                }
            }
            "dist2targ" => {
                let cap = match args.as_slice() {
                    [] => true,
                    [flag] if flag.eq_ignore_ascii_case("cap") || flag == "true" => true,
                    [flag] if flag.eq_ignore_ascii_case("nocap") || flag == "false" => false,
                    _ => {
                        return Err(parse_err(
                            "`dist2targ` takes `cap` or `nocap`",
                            "write e.g. `dist2targ(cap)`",
                        ));
                    }
                };
                Normalisation::Dist2Targ { cap }
            }
            "goalposts" => {
                let [scale] = numbers("goalposts", &args, [100.0])?;
                if scale <= 0.0 {
                    return Err(parse_err(
                        "`goalposts(scale)`: the scale must be positive",
                        "write e.g. `goalposts(100)`",
                    ));
                }
                Normalisation::Goalposts { scale }
            }
            "scaled" => {
                let [low, high] = numbers("scaled", &args, [0.0, 100.0])?;
                if low == high {
                    return Err(parse_err(
                        "`scaled(low,high)`: the bounds must differ",
                        "write e.g. `scaled(0,100)`",
                    ));
                }
                Normalisation::Scaled { low, high }
            }
            _ => return Err(unknown("normalisation", text, Self::SPELLINGS)),
        })
    }
}

impl fmt::Display for Normalisation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Normalisation::MinMax { low, high } => {
                write!(f, "minmax({},{})", fmt_num(*low), fmt_num(*high))
            }
            Normalisation::ZScore { mean, sd } => {
                write!(f, "zscore({},{})", fmt_num(*mean), fmt_num(*sd))
            }
            Normalisation::Rank => f.write_str("rank"),
            Normalisation::Borda => f.write_str("borda"),
            Normalisation::Percentile => f.write_str("percentile"),
            Normalisation::Dist2Max => f.write_str("dist2max"),
            Normalisation::FracMax => f.write_str("fracmax"),
            Normalisation::Dist2Ref { unit } => write!(f, "dist2ref({unit})"),
            Normalisation::Dist2Targ { cap } => {
                write!(f, "dist2targ({})", if *cap { "cap" } else { "nocap" })
            }
            Normalisation::Goalposts { scale } => write!(f, "goalposts({})", fmt_num(*scale)),
            Normalisation::Scaled { low, high } => {
                write!(f, "scaled({},{})", fmt_num(*low), fmt_num(*high))
            }
        }
    }
}
