//! The `[[noise]]` entries as factors: each entry (or each of its indicators) is one factor of
//! one coordinate, which keys the streams of its columns' draws (see [`crate::pipeline::noise`]).

use crate::model::Index;
use crate::pipeline::noise::{ColumnError, ImputationError};
use crate::scenario::sections::noise_errors::standard_errors;
use crate::scenario::{NoiseKind, NoiseSpread, Scenario, ScenarioError};

/// One noise factor before it is placed: its name, description, columns and whether it can
/// move anything (a positive error on a present value, or a missing value to draw).
pub(super) struct NoiseFactor {
    pub name: String,
    pub description: String,
    pub errors: Vec<ColumnError>,
    pub imputations: Vec<ImputationError>,
    pub varies: bool,
}

/// The noise factors of `scenario`, in file order; their coordinates are set when they are
/// placed among the factors.
pub(super) fn noise_factors(
    scenario: &Scenario,
    index: &Index,
) -> Result<Vec<NoiseFactor>, ScenarioError> {
    let framework = &index.framework;
    let mut factors: Vec<NoiseFactor> = Vec::new();
    for (e, spec) in scenario.noise.iter().enumerate() {
        let columns = spec.indicators_in(framework);
        let entry = format!("noise[{}]", e + 1);
        // Per-cell standard deviations over the index's rows, per column.
        let sds: Vec<Vec<f64>> = match &spec.kind {
            NoiseKind::Imputation => Vec::new(),
            NoiseKind::Error { spread, .. } => match spread {
                NoiseSpread::Relative(sd) => columns
                    .iter()
                    .map(|&j| index.raw.col(j).iter().map(|x| sd * x.abs()).collect())
                    .collect(),
                NoiseSpread::Absolute(sd) => {
                    columns.iter().map(|_| vec![*sd; index.n_units()]).collect()
                }
                NoiseSpread::StandardErrors { .. } => {
                    let source = spec.error_file(framework).expect("reads a file");
                    standard_errors(scenario, &source, &entry, index)
                        .map_err(|d| ScenarioError::Invalid {
                            diagnostics: vec![*d],
                        })?
                        .into_iter()
                        .map(|(_, errors)| errors)
                        .collect()
                }
            },
        };
        let groups: Vec<Vec<usize>> = if spec.per_indicator {
            (0..columns.len()).map(|k| vec![k]).collect()
        } else {
            vec![(0..columns.len()).collect()]
        };
        for members in groups {
            let coordinate = 0;
            let mut factor = NoiseFactor {
                name: match (&spec.name, spec.per_indicator) {
                    (Some(name), false) => name.clone(),
                    (Some(name), true) => {
                        format!("{name} ({})", framework.nodes[columns[members[0]]].code)
                    }
                    (None, false) => spec.default_name(),
                    (None, true) => {
                        let what = match spec.kind {
                            NoiseKind::Error { .. } => "data error",
                            NoiseKind::Imputation => "imputation draws",
                        };
                        format!("{what} ({})", framework.nodes[columns[members[0]]].code)
                    }
                },
                description: spec.describe(),
                errors: Vec::new(),
                imputations: Vec::new(),
                varies: false,
            };
            for &k in &members {
                let j = columns[k];
                let raw = index.raw.col(j);
                match &spec.kind {
                    NoiseKind::Imputation => {
                        factor.varies |= raw.iter().any(|x| x.is_nan());
                        factor.imputations.push(ImputationError {
                            indicator: j,
                            coordinate,
                        });
                    }
                    NoiseKind::Error {
                        distribution,
                        range,
                        ..
                    } => {
                        let sd = sds[k].clone();
                        factor.varies |= raw.iter().zip(&sd).any(|(x, s)| !x.is_nan() && *s > 0.0);
                        factor.errors.push(ColumnError {
                            indicator: j,
                            distribution: *distribution,
                            sd,
                            range: *range,
                            coordinate,
                        });
                    }
                }
            }
            factors.push(factor);
        }
    }
    Ok(factors)
}

impl super::Factor {
    /// Whether this factor is a `[[noise]]` entry's (data error or imputation draws) rather than a
    /// modelling choice: the split of a rank's variance into the two groups reads it.
    pub fn is_data_error(&self) -> bool {
        matches!(self.kind, super::FactorKind::Noise { .. })
    }
}
