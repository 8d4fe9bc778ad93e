//! A resolved scenario as the engine samples it: a point of the unit cube mapped to a scoring configuration without allocating, and the lower-level configurations the engine scores once.

use super::weights::sample_block;
use super::{FactorKind, ScenarioModel, pick};
use crate::engine::SampleModel;
use crate::pipeline::Config;
use crate::pipeline::noise::NoisePlan;

impl SampleModel for ScenarioModel {
    fn dims(&self) -> usize {
        self.dims
    }
    fn n_factors(&self) -> usize {
        self.factors.len()
    }
    fn nominal(&self) -> Config {
        self.nominal_config.clone()
    }
    fn noise(&self) -> Option<&NoisePlan> {
        self.noise_plan.get()
    }

    fn configure(&self, u: &[f64], config: &mut Config, moved: &mut [bool]) -> Option<usize> {
        let (mut level2_aggregation, mut exclusion) = (0, 0);
        config.weights.copy_from_slice(&self.nominal_config.weights);
        config
            .aggregation
            .copy_from_slice(&self.nominal_config.aggregation);
        let (mut imputation, mut treatment, mut normalisation) = (None, None, None);
        let mut aggregation_factor = 0;
        for (f, factor) in self.factors.iter().enumerate() {
            let coordinates = &u[factor.offset..factor.offset + factor.dims];
            let choice = || pick(&factor.cumulative, coordinates[0]);
            moved[f] = match &factor.kind {
                FactorKind::Weights(blocks) => {
                    let mut k = 0;
                    let mut varies = false;
                    for block in blocks {
                        let n = block.children.len();
                        sample_block(block, &coordinates[k..k + n], |j, w| {
                            config.weights[block.children[j]] = w;
                        });
                        varies |= block.mode.varies();
                        k += n;
                    }
                    varies
                }
                FactorKind::Imputation => {
                    let c = choice();
                    imputation = Some(c);
                    Some(c) != factor.nominal_alternative
                }
                FactorKind::Treatment => {
                    let c = choice();
                    treatment = Some(c);
                    Some(c) != factor.nominal_alternative
                }
                FactorKind::Normalisation => {
                    let c = choice();
                    normalisation = Some(c);
                    Some(c) != factor.nominal_alternative
                }
                FactorKind::Aggregation { levels } => {
                    let c = choice();
                    let method = self.aggregations[aggregation_factor][c];
                    if self
                        .lower_levels
                        .as_ref()
                        .and_then(|p| p.aggregation_factor)
                        == Some(aggregation_factor)
                    {
                        level2_aggregation = c;
                    }
                    aggregation_factor += 1;
                    for &level in levels {
                        config.aggregation[level - 2] = method;
                    }
                    Some(c) != factor.nominal_alternative
                }
                FactorKind::Exclusion { alternatives } => {
                    let c = choice();
                    exclusion = c;
                    if let Some(node) = alternatives[c] {
                        config.weights[node] = 0.0;
                    }
                    alternatives[c].is_some()
                }
                FactorKind::Noise { varies } => *varies,
            };
        }
        config.variant = if imputation.is_none() && treatment.is_none() && normalisation.is_none() {
            self.nominal_variant
        } else {
            // A factor that is absent keeps the single (nominal) alternative at position 0.
            let i = imputation.unwrap_or(0);
            let t = treatment.unwrap_or(0);
            let n = normalisation.unwrap_or(0);
            (i * self.treatments.len() + t) * self.normalisations.len() + n
        };
        self.lower_levels.as_ref().map(|plan| {
            (config.variant * plan.n_aggregations + level2_aggregation) * plan.n_exclusions
                + exclusion
        })
    }

    fn lower_level_configs(&self) -> Option<(usize, Vec<Option<Config>>)> {
        let plan = self.lower_levels.as_ref()?;
        let exclusions: Vec<Option<usize>> = self
            .factors
            .iter()
            .find_map(|f| match &f.kind {
                FactorKind::Exclusion { alternatives } => Some(alternatives.clone()),
                _ => None,
            })
            .unwrap_or_else(|| vec![None]);
        // Samples reach the grid of sampled variants, or only the nominal one when no data
        // choice is sampled; other keys are never returned by `configure`.
        let grid = self.imputations.len() * self.treatments.len() * self.normalisations.len();
        let data_factors = self.factors.iter().any(|f| {
            matches!(
                f.kind,
                FactorKind::Imputation | FactorKind::Treatment | FactorKind::Normalisation
            )
        });
        let reachable = |variant: usize| {
            if data_factors {
                variant < grid
            } else {
                variant == self.nominal_variant
            }
        };
        let mut configs = Vec::new();
        for variant in 0..self.variant_specs.len() {
            for a in 0..plan.n_aggregations {
                for excluded in &exclusions {
                    if !reachable(variant) {
                        configs.push(None);
                        continue;
                    }
                    let mut config = self.nominal_config.clone();
                    config.variant = variant;
                    if let Some(factor) = plan.aggregation_factor {
                        config.aggregation[0] = self.aggregations[factor][a];
                    }
                    if let Some(node) = excluded {
                        config.weights[*node] = 0.0;
                    }
                    configs.push(Some(config));
                }
            }
        }
        Some((plan.count, configs))
    }
}
