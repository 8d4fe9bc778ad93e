//! Preparation: denominate, impute, screen, treat and normalise every data variant a run can need, once.

use serde::{Deserialize, Serialize};

use super::denominate::denominate;
use super::impute::impute_column;
use super::normalise::{NormaliseContext, NormaliseError, normalise_column};
use super::screen::{ScreenedOut, Screening};
use super::treat::{TreatmentOutcome, treat_column};
use crate::model::method::{Imputation, Normalisation, Treatment};
use crate::model::{Columns, Framework, Index, Unit};

/// One way of preparing the indicator data before aggregation. `prepare` computes the
/// normalised matrix of every variant a run can need, once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantSpec {
    pub imputation: Imputation,
    pub treatment: Option<Treatment>,
    pub normalisation: Normalisation,
}

/// Why the data could not be prepared for a method.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrepareError {
    #[error(
        "indicator `{indicator}` cannot be normalised with `{normalisation}`: {source}; fix: {fix}"
    )]
    Normalise {
        indicator: String,
        normalisation: String,
        source: NormaliseError,
        fix: String,
    },
    #[error(
        "imputation `{imputation}` names group column `{column}`, which data.csv does not have; fix: use one of: {available}"
    )]
    UnknownGroup {
        imputation: String,
        column: String,
        available: String,
    },
    #[error(
        "`{normalisation}` names reference unit `{unit}`, which is not in the data; fix: use a uCode from data.csv"
    )]
    UnknownReference { normalisation: String, unit: String },
    #[error(
        "`{normalisation}` names reference unit `{unit}`, which screening left out; fix: choose a ranked unit as the reference, or lower `screen` in index.toml"
    )]
    ScreenedReference { normalisation: String, unit: String },
    #[error(
        "screening at data availability {threshold} leaves fewer than two units; fix: lower `screen` in index.toml"
    )]
    NothingLeft { threshold: f64 },
}

impl PrepareError {
    /// The message split into what is wrong and what to do, for located diagnostics.
    pub fn problem_and_fix(&self) -> (String, String) {
        match self {
            PrepareError::Normalise {
                indicator,
                normalisation,
                source,
                fix,
            } => (
                format!(
                    "indicator `{indicator}` cannot be normalised with `{normalisation}`: {source}"
                ),
                fix.clone(),
            ),
            other => {
                let text = other.to_string();
                match text.split_once("; fix: ") {
                    Some((problem, fix)) => (problem.to_string(), fix.to_string()),
                    None => (text, String::new()),
                }
            }
        }
    }
}

/// One prepared data variant: units × indicators, direction applied, normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedVariant {
    pub spec: VariantSpec,
    /// Normalised values, NaN where missing.
    pub normalised: Columns,
    /// Natural logarithms of `normalised`, present only if every value is positive (needed
    /// by geometric aggregation, which then costs no logarithm per sample).
    pub logs: Option<Columns>,
    /// What the treatment did to each indicator (empty without treatment).
    pub treatment: Vec<TreatmentOutcome>,
    /// Whether any value is missing (the scorer then renormalises weights per unit).
    pub has_missing: bool,
    /// Smallest present value.
    pub minimum: f64,
    /// Largest present value.
    pub maximum: f64,
}

/// Everything scoring needs: the framework, the units kept after screening, and every
/// normalised data variant. Scoring a configuration afterwards allocates nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub framework: Framework,
    pub units: Vec<Unit>,
    /// Rows of the kept units in the index's data.
    pub unit_rows: Vec<usize>,
    pub variants: Vec<PreparedVariant>,
    /// Which units screening left out and why; every output that ranks units discloses them.
    pub screening: Screening,
}

impl Prepared {
    pub fn n_units(&self) -> usize {
        self.units.len()
    }

    /// Finds a variant by its specification.
    #[cfg(any(test, feature = "internals"))]
    pub fn find_variant(&self, spec: &VariantSpec) -> Option<usize> {
        self.variants.iter().position(|v| &v.spec == spec)
    }

    /// Codes of the kept units, in order.
    pub fn unit_codes(&self) -> Vec<String> {
        self.units.iter().map(|u| u.code.clone()).collect()
    }

    /// Names of the kept units, in order.
    pub fn unit_names(&self) -> Vec<String> {
        self.units.iter().map(|u| u.name.clone()).collect()
    }

    /// Finds a unit that is asked for by name (a focus unit): its position among the kept
    /// units, `Ok(None)` if the index has no such unit, or an error if screening left it out.
    pub fn find_requested_unit(&self, code_or_name: &str) -> Result<Option<usize>, ScreenedOut> {
        match self.find_unit(code_or_name) {
            Some(unit) => Ok(Some(unit)),
            None => match self.screening.find(code_or_name) {
                Some(screened) => Err(ScreenedOut(screened.clone())),
                None => Ok(None),
            },
        }
    }

    /// Finds a kept unit by code or name.
    pub fn find_unit(&self, code_or_name: &str) -> Option<usize> {
        self.units
            .iter()
            .position(|u| u.code == code_or_name)
            .or_else(|| {
                self.units.iter().position(|u| {
                    u.name.eq_ignore_ascii_case(code_or_name)
                        || u.code.eq_ignore_ascii_case(code_or_name)
                })
            })
    }
}

/// Imputation and treatment that a treated matrix was built with.
type TreatedKey = (Imputation, Option<Treatment>);
/// A treated matrix and what treatment did to each indicator.
type TreatedData = (Columns, Vec<TreatmentOutcome>);

/// The nominal method's single data variant.
pub fn nominal_variant(index: &Index) -> VariantSpec {
    VariantSpec {
        imputation: index.nominal.imputation.clone(),
        treatment: index.nominal.treatment,
        normalisation: index.nominal.normalisation.clone(),
    }
}

/// Prepares the given variants (duplicates are kept once; order is preserved).
///
/// Stages in COINr's order: denominate (if the nominal method says so) → impute → screen
/// (units kept by the nominal imputation's data availability, the same units for every
/// variant) → treat → multiply by direction → normalise.
pub fn prepare(index: &Index, specs: &[VariantSpec]) -> Result<Prepared, PrepareError> {
    let base = nominal_base(index);
    let screening = screen_base(index, &base)?;
    let unit_rows = screening.kept.clone();
    let units: Vec<Unit> = unit_rows.iter().map(|&r| index.units[r].clone()).collect();

    let mut unique: Vec<VariantSpec> = Vec::new();
    for spec in specs {
        if !unique.contains(spec) {
            unique.push(spec.clone());
        }
    }
    // Imputation and treatment are shared by every normalisation: compute each pair once.
    let mut treated_cache: Vec<(TreatedKey, TreatedData)> = Vec::new();
    let mut variants = Vec::with_capacity(unique.len());
    for spec in unique {
        let key = (spec.imputation.clone(), spec.treatment);
        let position = match treated_cache.iter().position(|(k, _)| *k == key) {
            Some(p) => p,
            None => {
                let imputed = impute_all(index, &base, &spec.imputation)?.select_rows(&unit_rows);
                let treated = treat_all(imputed, spec.treatment.as_ref());
                treated_cache.push((key, treated));
                treated_cache.len() - 1
            }
        };
        let (treated, outcomes) = &treated_cache[position].1;
        let normalised = normalise_all(index, &units, treated, &spec.normalisation)?;
        variants.push(finish_variant(spec, normalised, outcomes.clone()));
    }
    Ok(Prepared {
        framework: index.framework.clone(),
        units,
        unit_rows,
        variants,
        screening,
    })
}

/// The units the nominal method's screening keeps and leaves out, as [`prepare`] decides it
/// (for outputs that disclose it without preparing the data, e.g. `validate`).
pub fn screening(index: &Index) -> Result<Screening, PrepareError> {
    screen_base(index, &nominal_base(index))
}

/// The raw data, denominated if the nominal method says so: what imputation starts from.
pub fn nominal_base(index: &Index) -> Columns {
    if index.nominal.denominate {
        denominate(index)
    } else {
        index.raw.clone()
    }
}

/// Screens on the data after the nominal imputation (COINr's order: impute, then screen);
/// fewer than two units left is an error, since there is nothing to rank.
fn screen_base(index: &Index, base: &Columns) -> Result<Screening, PrepareError> {
    let Some(threshold) = index.nominal.screen else {
        return Ok(Screening::of(&index.units, base, None));
    };
    let imputed = impute_all(index, base, &index.nominal.imputation)?;
    let screening = Screening::of(&index.units, &imputed, Some(threshold));
    if screening.kept.len() < 2 {
        return Err(PrepareError::NothingLeft { threshold });
    }
    Ok(screening)
}

fn impute_all(index: &Index, base: &Columns, method: &Imputation) -> Result<Columns, PrepareError> {
    let groups = match method.group_column() {
        None => None,
        Some(column) => Some(
            index
                .group(column)
                .ok_or_else(|| PrepareError::UnknownGroup {
                    imputation: method.to_string(),
                    column: column.to_string(),
                    available: index
                        .groups
                        .iter()
                        .map(|g| g.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?
                .values
                .as_slice(),
        ),
    };
    let mut out = base.clone();
    for j in 0..out.n_cols() {
        impute_column(out.col_mut(j), method, groups);
    }
    Ok(out)
}

fn treat_all(mut data: Columns, treatment: Option<&Treatment>) -> (Columns, Vec<TreatmentOutcome>) {
    let Some(treatment) = treatment else {
        return (data, Vec::new());
    };
    let outcomes = (0..data.n_cols())
        .map(|j| treat_column(data.col_mut(j), treatment))
        .collect();
    (data, outcomes)
}

fn normalise_all(
    index: &Index,
    units: &[Unit],
    treated: &Columns,
    method: &Normalisation,
) -> Result<Columns, PrepareError> {
    let reference_row = match method.reference_unit() {
        None => None,
        Some(unit) => Some(units.iter().position(|u| u.code == unit).ok_or_else(|| {
            let (normalisation, unit) = (method.to_string(), unit.to_string());
            if index.units.iter().any(|u| u.code == unit) {
                PrepareError::ScreenedReference {
                    normalisation,
                    unit,
                }
            } else {
                PrepareError::UnknownReference {
                    normalisation,
                    unit,
                }
            }
        })?),
    };
    let n = treated.n_rows();
    let mut out = Columns::filled(n, treated.n_cols(), f64::NAN);
    let mut directed = vec![0.0; n];
    for (j, info) in index.framework.indicators.iter().enumerate() {
        for (d, &x) in directed.iter_mut().zip(treated.col(j)) {
            *d = x * info.direction;
        }
        let context = NormaliseContext {
            direction: info.direction,
            goalposts: info.goalposts,
            target: info.target,
            reference_row,
        };
        let refuse = |source: NormaliseError| {
            let fix = match source {
                NormaliseError::Constant { .. } => {
                    "remove the indicator from meta.csv and data.csv, or use a rank-based normalisation (rank, percentile, borda)"
                }
                NormaliseError::MissingParameter { .. } => {
                    "add the missing column to meta.csv or choose another normalisation"
                }
                _ => "choose another normalisation or reference",
            };
            PrepareError::Normalise {
                indicator: index.framework.nodes[j].code.clone(),
                normalisation: method.to_string(),
                source,
                fix: fix.to_string(),
            }
        };
        normalise_column(&directed, method, &context, out.col_mut(j)).map_err(refuse)?;
        // A ratio whose true value does not fit a double (e.g. x / max with a tiny maximum, or
        // fixed bounds far from the data) is refused here rather than scored as infinite.
        if let Some(u) = out.col(j).iter().position(|v| v.is_infinite()) {
            return Err(refuse(NormaliseError::Undefined {
                method: method.to_string(),
                why: format!(
                    "it gives unit `{}` a value beyond the largest double",
                    units[u].code
                ),
            }));
        }
    }
    Ok(out)
}

fn finish_variant(
    spec: VariantSpec,
    normalised: Columns,
    treatment: Vec<TreatmentOutcome>,
) -> PreparedVariant {
    let present = normalised
        .as_slice()
        .iter()
        .copied()
        .filter(|v| !v.is_nan());
    let minimum = present.clone().fold(f64::INFINITY, f64::min);
    let maximum = present.clone().fold(f64::NEG_INFINITY, f64::max);
    let has_missing = normalised.as_slice().iter().any(|v| v.is_nan());
    let logs = (minimum > 0.0).then(|| {
        let columns = (0..normalised.n_cols())
            .map(|j| normalised.col(j).iter().map(|v| v.ln()).collect())
            .collect();
        Columns::from_columns(normalised.n_rows(), columns)
    });
    PreparedVariant {
        spec,
        normalised,
        logs,
        treatment,
        has_missing,
        minimum,
        maximum,
    }
}
