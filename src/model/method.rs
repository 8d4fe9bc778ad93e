//! Method choices (imputation, treatment, normalisation, aggregation) as validated enums with a text syntax.
//!
//! Every method has one canonical spelling, used in `index.toml`, scenario files, CLI flags and
//! reports: `minmax(0,100)`, `zscore(10,2)`, `geometric`, `group_mean(EurAsia_group)`, ...
//! COINr's function names (`n_minmax`, `a_gmean`, `i_mean_grp`, ...) are accepted as aliases so
//! that COINr users can paste their settings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::input::suggest;

/// A method string that could not be parsed: what is wrong and the fix (for an unknown name,
/// the nearest spelling by [`suggest::one_of`] and every accepted one), so that index.toml, a
/// scenario and a command-line flag all say the same about the same text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{problem}\n  fix: {fix}")]
pub struct MethodParseError {
    /// What is wrong, with the text as written.
    pub problem: String,
    /// What to write instead.
    pub fix: String,
}

fn parse_err(problem: impl Into<String>, fix: impl Into<String>) -> MethodParseError {
    MethodParseError {
        problem: problem.into(),
        fix: fix.into(),
    }
}

/// The error for a name that is no method of `kind`.
fn unknown(kind: &str, text: &str, spellings: &[&str]) -> MethodParseError {
    let text = text.trim();
    parse_err(
        format!("unknown {kind} `{text}`"),
        suggest::one_of(text, spellings),
    )
}

/// Splits `name(a, b)` into `("name", ["a", "b"])`; `name` alone gives no arguments.
fn split_call(text: &str) -> Result<(String, Vec<String>), MethodParseError> {
    let text = text.trim();
    match text.find('(') {
        None => Ok((text.to_ascii_lowercase(), Vec::new())),
        Some(open) => {
            if !text.ends_with(')') {
                return Err(parse_err(
                    format!("`{text}` opens a parenthesis but does not close it"),
                    "close it, e.g. `minmax(0,100)`",
                ));
            }
            let name = text[..open].trim().to_ascii_lowercase();
            let inner = &text[open + 1..text.len() - 1];
            let args = if inner.trim().is_empty() {
                Vec::new()
            } else {
                inner.split(',').map(|a| a.trim().to_string()).collect()
            };
            Ok((name, args))
        }
    }
}

fn number(method: &str, arg: &str) -> Result<f64, MethodParseError> {
    let value: f64 = arg.parse().map_err(|_| {
        parse_err(
            format!("`{method}`: parameter `{arg}` is not a number"),
            format!("write it as a number, e.g. `{method}(0,100)`"),
        )
    })?;
    if !value.is_finite() {
        return Err(parse_err(
            format!("`{method}`: parameter `{arg}` must be finite"),
            format!("write a finite number, e.g. `{method}(0,100)`"),
        ));
    }
    Ok(value)
}

fn numbers<const N: usize>(
    method: &str,
    args: &[String],
    defaults: [f64; N],
) -> Result<[f64; N], MethodParseError> {
    if args.is_empty() {
        return Ok(defaults);
    }
    if args.len() != N {
        return Err(parse_err(
            format!("`{method}` takes {N} parameter(s), got {}", args.len()),
            format!(
                "write e.g. `{method}({})`",
                defaults
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        ));
    }
    let mut out = defaults;
    for (slot, arg) in out.iter_mut().zip(args) {
        *slot = number(method, arg)?;
    }
    Ok(out)
}

fn no_args(method: &str, args: &[String]) -> Result<(), MethodParseError> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(parse_err(
            format!("`{method}` takes no parameters"),
            format!("write just `{method}`"),
        ))
    }
}

/// Formats a parameter the way it was most likely written (`100`, not `100.0`).
/// Extreme magnitudes in scientific notation (`1e308`, not 309 digits).
pub(crate) fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else if x.is_finite() && (x.abs() >= 1e15 || x.abs() < 1e-4) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

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
            _ => None,
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
            _ => "`minmax(1,100)` or `rank` (lowest value 1)".into(),
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

macro_rules! string_conversions {
    ($($ty:ty),*) => {$(
        impl TryFrom<String> for $ty {
            type Error = MethodParseError;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                text.parse()
            }
        }
        impl From<$ty> for String {
            fn from(method: $ty) -> String {
                method.to_string()
            }
        }
    )*};
}
string_conversions!(Normalisation, Aggregation, Imputation);

/// A complete nominal method: every stage's choice, as `index.toml` declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Method {
    /// Divide indicators by their `Denominator` column.
    pub denominate: bool,
    pub imputation: Imputation,
    /// Minimum share of non-missing indicators a unit needs to be kept (COINr `Screen`, byNA).
    pub screen: Option<f64>,
    pub treatment: Option<Treatment>,
    pub normalisation: Normalisation,
    /// One aggregation per aggregate level, bottom-up: entry 0 combines indicators (level 1)
    /// into level 2, the last one builds the top node.
    pub aggregation: Vec<Aggregation>,
}

impl Method {
    /// The assumed default: min–max 0–100, arithmetic mean at every level, nothing else.
    pub fn simple(aggregate_levels: usize) -> Self {
        Method {
            denominate: false,
            imputation: Imputation::None,
            screen: None,
            treatment: None,
            normalisation: Normalisation::MinMax {
                low: 0.0,
                high: 100.0,
            },
            aggregation: vec![Aggregation::Arithmetic; aggregate_levels],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisations_round_trip_through_text() {
        for text in [
            "minmax(0,100)",
            "minmax(1,100)",
            "zscore(10,2)",
            "rank",
            "borda",
            "percentile",
            "dist2max",
            "fracmax",
            "dist2ref(CHE)",
            "dist2targ(cap)",
            "dist2targ(nocap)",
            "goalposts(100)",
            "scaled(0,100)",
            "zscore(0.5,1.5)",
        ] {
            let parsed: Normalisation = text.parse().unwrap();
            assert_eq!(parsed.to_string(), text);
        }
    }

    #[test]
    fn coinr_aliases_are_accepted() {
        assert_eq!(
            "n_minmax(1, 100)".parse::<Normalisation>().unwrap(),
            Normalisation::MinMax {
                low: 1.0,
                high: 100.0
            }
        );
        assert_eq!(
            "a_gmean".parse::<Aggregation>().unwrap(),
            Aggregation::Geometric
        );
        assert_eq!(
            "i_mean_grp(EurAsia_group)".parse::<Imputation>().unwrap(),
            Imputation::GroupMean("EurAsia_group".into())
        );
        assert_eq!(
            "minmax".parse::<Normalisation>().unwrap(),
            Normalisation::MinMax {
                low: 0.0,
                high: 100.0
            }
        );
    }

    #[test]
    fn bad_spellings_name_the_alternatives() {
        let err = "minmix".parse::<Normalisation>().unwrap_err();
        assert_eq!(err.problem, "unknown normalisation `minmix`");
        assert!(
            err.fix.starts_with("did you mean `minmax`? Use one of: "),
            "{err}"
        );
        assert!(err.fix.contains("`zscore(mean,sd)`"), "{err}");
        let err = "gemoetric".parse::<Aggregation>().unwrap_err();
        assert!(err.fix.starts_with("did you mean `geometric`?"), "{err}");
        let err = "zzzzzz".parse::<Imputation>().unwrap_err();
        assert!(err.fix.starts_with("use one of: `none`"), "{err}");
        let err = "minmax(100,0)".parse::<Normalisation>().unwrap_err();
        assert!(err.problem.contains("lower bound"), "{err}");
        assert!(err.fix.contains("lower bound first"), "{err}");
        let err = "generalised".parse::<Aggregation>().unwrap_err();
        assert!(err.fix.contains("generalised(0.5)"), "{err}");
        let err = "group_mean".parse::<Imputation>().unwrap_err();
        assert!(err.problem.contains("group column"), "{err}");
        let err = "zscore(1,x)".parse::<Normalisation>().unwrap_err();
        assert!(err.problem.contains("not a number"), "{err}");
        assert_eq!(
            err.to_string(),
            format!("{}\n  fix: {}", err.problem, err.fix)
        );
    }

    #[test]
    fn spread_based_normalisations() {
        for text in ["minmax(0,100)", "zscore(10,2)", "dist2max", "dist2ref(X)"] {
            assert!(
                text.parse::<Normalisation>().unwrap().divides_by_spread(),
                "{text}"
            );
        }
        for text in [
            "rank",
            "percentile",
            "borda",
            "fracmax",
            "goalposts(100)",
            "dist2targ",
        ] {
            assert!(
                !text.parse::<Normalisation>().unwrap().divides_by_spread(),
                "{text}"
            );
        }
    }

    #[test]
    fn positivity_requirements() {
        assert!(Aggregation::Geometric.needs_positive());
        // 100^154 ≈ 1e308 fits a double, 100^155 does not; 0.01^-155 neither.
        let power = |p| Aggregation::Generalised { p };
        assert_eq!(power(154.0).overflows(1.0, 100.0), None);
        assert_eq!(power(155.0).overflows(1.0, 100.0), Some((100.0, 154.0)));
        assert_eq!(power(-155.0).overflows(0.01, 100.0), Some((0.01, 154.0)));
        assert_eq!(power(-2.0).overflows(0.01, 100.0), None);
        assert_eq!(Aggregation::Arithmetic.overflows(1.0, 1e300), None);
        assert!(!Aggregation::Arithmetic.needs_positive());
        let floor = |text: &str| text.parse::<Normalisation>().unwrap().floor();
        assert_eq!(floor("minmax(1,100)"), Some(1.0));
        assert_eq!(floor("rank"), Some(1.0));
        assert_eq!(floor("dist2ref(X)"), Some(0.0));
        assert_eq!(floor("zscore(10,2)"), None);
        assert_eq!(floor("fracmax"), None);
    }
}
