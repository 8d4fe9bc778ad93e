//! Method choices (imputation, treatment, normalisation, aggregation) as validated enums with a text syntax.
//!
//! Every method has one canonical spelling, used in `index.toml`, scenario files, CLI flags and
//! reports: `minmax(0,100)`, `zscore(10,2)`, `geometric`, `group_mean(EurAsia_group)`, ...
//! COINr's function names (`n_minmax`, `a_gmean`, `i_mean_grp`, ...) are accepted as aliases so
//! that COINr users can paste their settings.
//!
//! One file per stage's vocabulary, each method with its formula (and reference), its
//! spellings, its parser and its facts: [`Normalisation`] in `normalisation.rs`, [`Aggregation`]
//! in `aggregation.rs`, [`Imputation`] in `imputation.rs`, [`Treatment`] in `treatment.rs`; here
//! the text syntax they share (`name(arg,…)`, numbers, the one parse error) and the complete
//! [`Method`].

mod aggregation;
mod imputation;
mod normalisation;
mod treatment;

use serde::{Deserialize, Serialize};

use crate::model::input::suggest;
pub use aggregation::Aggregation;
pub use imputation::Imputation;
pub use normalisation::{IndicatorMetadata, Normalisation};
pub use treatment::Treatment;

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
