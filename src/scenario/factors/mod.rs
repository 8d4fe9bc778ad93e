//! Factors: a scenario resolved against an index into groups of unit-cube coordinates, each mapped to one uncertain choice.
//!
//! A [`ScenarioModel`] owns the list of factors (the groups a Sobol analysis varies together),
//! the data variants they need, and the nominal configuration. `configure` maps a point
//! u ∈ [0,1)^d to a scoring [`Config`] without allocating; the Monte Carlo engine feeds it
//! pseudo-random points and the Sobol analysis feeds it a Saltelli design.
//!
//! The builder that resolves a scenario's sections into factors is in `build.rs`, the weight
//! blocks and their sampling in `weights.rs`, the mapping of a point to a configuration (the
//! engine's `SampleModel`) in `sample.rs`, and where in the scenario a run's refusal points in
//! `locate.rs`.

mod build;
mod locate;
mod noise;
mod sample;
mod weights;

use std::sync::OnceLock;

use serde::Serialize;

use super::Scenario;
use crate::model::method::{Aggregation, Imputation, Normalisation, Treatment};
use crate::model::{Framework, Index};
use crate::pipeline::noise::{ColumnError, ImputationError, NoisePlan};
use crate::pipeline::{
    AggregationRangeError, Config, Prepared, VariantSpec, check_aggregations, prepare,
};
pub use locate::ScenarioRunError;
use locate::{locate_preparation, locate_refusal};
use weights::{WeightBlock, sample_block};

/// What a factor decides.
#[derive(Debug, Clone)]
enum FactorKind {
    Weights(Vec<WeightBlock>),
    Normalisation,
    Imputation,
    Treatment,
    Aggregation {
        levels: Vec<usize>,
    },
    Exclusion {
        alternatives: Vec<Option<usize>>,
    },
    /// Data error: the coordinate keys the draws of the factor's columns; `varies` when some
    /// draw can change a value.
    Noise {
        varies: bool,
    },
}

/// One Sobol factor: a named group of coordinates of the unit cube.
#[derive(Debug, Clone)]
pub struct Factor {
    pub name: String,
    /// First coordinate and number of coordinates this factor reads.
    pub offset: usize,
    pub dims: usize,
    kind: FactorKind,
    /// Cumulative probabilities of the alternatives (categorical factors).
    cumulative: Vec<f64>,
    /// Alternative index that equals the nominal value, if any.
    nominal_alternative: Option<usize>,
    /// Human-readable description of the range, for reports.
    pub description: String,
}

/// A factor as reports show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorSummary {
    pub name: String,
    pub dims: usize,
    pub description: String,
}

/// A scenario resolved against one index: factors, data variants and the nominal configuration.
#[derive(Debug, Clone)]
pub struct ScenarioModel {
    pub factors: Vec<Factor>,
    pub variant_specs: Vec<VariantSpec>,
    imputations: Vec<Imputation>,
    treatments: Vec<Option<Treatment>>,
    normalisations: Vec<Normalisation>,
    aggregations: Vec<Vec<Aggregation>>,
    /// Alternative indices of the nominal imputation/treatment/normalisation when they are
    /// among the alternatives; otherwise their variant is appended after the grid.
    nominal_variant: usize,
    nominal_config: Config,
    /// Nodes whose weights vary (for SMAA central weights), in framework order.
    pub varied_weight_nodes: Vec<usize>,
    dims: usize,
    /// When no factor touches indicator weights, the level-2 aggregates depend only on the
    /// data variant, the level-2 aggregation and the excluded indicator: the engine scores
    /// each such combination once (see [`crate::engine::SampleModel::lower_level_configs`]).
    lower_levels: Option<LowerLevelPlan>,
    /// The `[[noise]]` entries resolved against the index's rows.
    noise_errors: Vec<ColumnError>,
    noise_imputations: Vec<ImputationError>,
    /// Built by [`ScenarioModel::prepare`], which knows the prepared variants and units.
    noise_plan: OnceLock<NoisePlan>,
}

/// How a sample's discrete choices index the saved level-2 scores.
#[derive(Debug, Clone)]
struct LowerLevelPlan {
    /// Number of level-2 aggregates (the first aggregates in storage order).
    count: usize,
    /// Aggregation factor (index among aggregation factors) covering level 2, if any, and its
    /// number of alternatives.
    aggregation_factor: Option<usize>,
    n_aggregations: usize,
    n_exclusions: usize,
}

/// Index of the alternative `u` falls in, given cumulative probabilities (last = 1): the
/// first i with u < cumulative[i] (the last if none).
///
/// Starts from ⌊u·k⌋, exact for k equally likely alternatives up to rounding, and steps to
/// the answer: one or two comparisons instead of a scan whose exit the processor cannot
/// predict (26 alternatives for leave-one-indicator-out).
#[inline]
fn pick(cumulative: &[f64], u: f64) -> usize {
    let last = cumulative.len() - 1;
    let mut i = ((u * cumulative.len() as f64) as usize).min(last);
    while i > 0 && u < cumulative[i - 1] {
        i -= 1;
    }
    while i < last && u >= cumulative[i] {
        i += 1;
    }
    i
}

fn cumulative(probabilities: &[f64]) -> Vec<f64> {
    let mut total = 0.0;
    let mut out: Vec<f64> = probabilities
        .iter()
        .map(|p| {
            total += p;
            total
        })
        .collect();
    if let Some(last) = out.last_mut() {
        *last = 1.0; // guard against rounding: every u < 1 lands somewhere
    }
    out
}

impl ScenarioModel {
    /// Prepares every data variant this model can pick, and checks that every aggregation a
    /// run can meet can run on the data it meets ([`check_aggregations`], the one rule shared
    /// with index files and the CLI). Sampled runs combine any sampled variant with any sampled
    /// aggregation; the nominal run combines the nominal variant with the nominal aggregation.
    /// A refusal names the scenario entry that offers the refused method.
    pub fn prepare(
        &self,
        index: &Index,
        scenario: &Scenario,
    ) -> Result<Prepared, ScenarioRunError> {
        let prepared =
            prepare(index, &self.variant_specs).map_err(|error| ScenarioRunError::Prepare {
                location: Box::new(locate_preparation(scenario, index, &error)),
                error: Box::new(error),
            })?;
        let n_aggregate_levels = index.framework.n_aggregate_levels();
        let sampled_variants =
            self.imputations.len() * self.treatments.len() * self.normalisations.len();
        // Aggregations reachable by sampling, per level (the nominal where no factor covers it).
        let mut sampled: Vec<Vec<Aggregation>> = (0..n_aggregate_levels)
            .map(|l| vec![self.nominal_config.aggregation[l]])
            .collect();
        for (levels, alternatives) in self.aggregation_factors().zip(&self.aggregations) {
            for &level in levels {
                sampled[level - 2] = alternatives.clone();
            }
        }
        let refuse =
            |variant: &VariantSpec, reason: AggregationRangeError| ScenarioRunError::Range {
                location: Box::new(locate_refusal(scenario, variant, &reason)),
                reason: Box::new(reason),
            };
        for variant in &prepared.variants[0..sampled_variants] {
            check_aggregations(variant, &sampled).map_err(|r| refuse(&variant.spec, r))?;
        }
        let nominal: Vec<[Aggregation; 1]> = self
            .nominal_config
            .aggregation
            .iter()
            .map(|&a| [a])
            .collect();
        let variant = &prepared.variants[self.nominal_variant];
        check_aggregations(variant, &nominal).map_err(|r| refuse(&variant.spec, r))?;
        if !self.noise_errors.is_empty() || !self.noise_imputations.is_empty() {
            // One model serves one prepared index (its variants, its kept units).
            let _ = self.noise_plan.set(NoisePlan::new(
                index,
                &prepared,
                self.noise_errors.clone(),
                self.noise_imputations.clone(),
            ));
        }
        Ok(prepared)
    }

    fn aggregation_factors(&self) -> impl Iterator<Item = &Vec<usize>> {
        self.factors.iter().filter_map(|f| match &f.kind {
            FactorKind::Aggregation { levels } => Some(levels),
            _ => None,
        })
    }

    pub fn factor_summaries(&self) -> Vec<FactorSummary> {
        self.factors
            .iter()
            .map(|f| FactorSummary {
                name: f.name.clone(),
                dims: f.dims,
                description: f.description.clone(),
            })
            .collect()
    }

    pub fn factor_names(&self) -> Vec<String> {
        self.factors.iter().map(|f| f.name.clone()).collect()
    }

    /// The value a factor takes at `u` (its own coordinates), in words, for audit trails.
    pub fn describe_value(&self, factor: usize, u: &[f64], framework: &Framework) -> String {
        let f = &self.factors[factor];
        let coordinates = &u[f.offset..f.offset + f.dims];
        match &f.kind {
            FactorKind::Weights(blocks) => {
                let mut weights = Vec::new();
                let mut k = 0;
                for block in blocks {
                    let mut values = vec![0.0; block.children.len()];
                    sample_block(block, &coordinates[k..k + block.children.len()], |j, w| {
                        values[j] = w
                    });
                    let total: f64 = values.iter().sum();
                    for (&child, v) in block.children.iter().zip(&values) {
                        weights.push(format!("{}={:.4}", framework.nodes[child].code, v / total));
                    }
                    k += block.children.len();
                }
                weights.join(" ")
            }
            FactorKind::Normalisation => {
                self.normalisations[pick(&f.cumulative, coordinates[0])].to_string()
            }
            FactorKind::Imputation => {
                self.imputations[pick(&f.cumulative, coordinates[0])].to_string()
            }
            FactorKind::Treatment => match self.treatments[pick(&f.cumulative, coordinates[0])] {
                Some(t) => t.winmax.to_string(),
                None => "none".into(),
            },
            FactorKind::Aggregation { .. } => {
                let which = self.factors[..factor]
                    .iter()
                    .filter(|g| matches!(g.kind, FactorKind::Aggregation { .. }))
                    .count();
                self.aggregations[which][pick(&f.cumulative, coordinates[0])].to_string()
            }
            FactorKind::Exclusion { alternatives } => {
                match alternatives[pick(&f.cumulative, coordinates[0])] {
                    Some(node) => framework.nodes[node].code.clone(),
                    None => "none".into(),
                }
            }
            // The realisation is identified by its coordinate, which keys its draws.
            FactorKind::Noise { .. } => format!("draw {:.6}", coordinates[0]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, rng_seed: proptest::test_runner::RngSeed::Fixed(11), ..ProptestConfig::default() })]
        /// `pick` is the first alternative whose cumulative probability exceeds u, for equal
        /// and unequal probabilities (zeros included) and u on the boundaries.
        #[test]
        fn pick_is_the_first_cumulative_above_u(
            weights in prop::collection::vec(0u32..5, 1..30),
            equal in any::<bool>(),
            u in 0.0f64..1.0,
            on_boundary in any::<bool>(),
        ) {
            let weights: Vec<f64> = if equal || weights.iter().all(|&w| w == 0) {
                vec![1.0; weights.len()]
            } else {
                weights.iter().map(|&w| f64::from(w)).collect()
            };
            let total: f64 = weights.iter().sum();
            let probabilities: Vec<f64> = weights.iter().map(|w| w / total).collect();
            let cumulative = cumulative(&probabilities);
            let u = if on_boundary {
                cumulative[(u * cumulative.len() as f64) as usize % cumulative.len()].min(0.999_999)
            } else {
                u
            };
            let scan = cumulative
                .iter()
                .position(|&c| u < c)
                .unwrap_or(cumulative.len() - 1);
            prop_assert_eq!(pick(&cumulative, u), scan);
        }
    }
}
