//! The factor builder: a scenario's sections resolved against an index into factors (in a fixed order: weights, imputation, treatment, normalisation, aggregation, exclusion, noise), the data variants they need and the nominal configuration.

use std::sync::OnceLock;

use super::super::{Choice, Grouping, Scenario, ScenarioError, WeightTarget};
use super::weights::{WeightBlock, weight_block};
use super::{Factor, FactorKind, LowerLevelPlan, ScenarioModel, cumulative, noise};
use crate::model::Index;
use crate::model::method::{Aggregation, Treatment};
use crate::pipeline::{Config, VariantSpec};

impl ScenarioModel {
    /// Resolves `scenario` against `index` (which it must already have validated against).
    pub fn new(scenario: &Scenario, index: &Index) -> Result<Self, ScenarioError> {
        scenario.validate(index)?;
        let framework = &index.framework;
        let nominal = &index.nominal;
        let mut factors = Vec::new();
        let mut offset = 0;
        let mut push =
            |name: String, dims: usize, kind, cumulative, nominal_alternative, description| {
                factors.push(Factor {
                    name,
                    offset,
                    dims,
                    kind,
                    cumulative,
                    nominal_alternative,
                    description,
                });
                offset += dims;
                offset - dims
            };

        // Weights: one factor per parent, per entry, or one for all entries with grouping `all`.
        let mut shared_blocks: Vec<WeightBlock> = Vec::new();
        let mut shared_description = Vec::new();
        let mut varied_weight_nodes = Vec::new();
        for spec in &scenario.weights {
            // A parent with one child cannot vary its weights (they are renormalised to 1).
            let parents: Vec<usize> = spec
                .parents(framework)
                .into_iter()
                .filter(|&p| framework.nodes[p].children.len() > 1)
                .collect();
            let blocks: Vec<WeightBlock> = parents
                .iter()
                .map(|&parent| weight_block(framework, parent, spec.mode))
                .collect();
            if spec.mode.varies() {
                for block in &blocks {
                    varied_weight_nodes.extend(block.children.iter().copied());
                }
            }
            let target = match &spec.target {
                WeightTarget::Level(level) => {
                    format!("{} weights", framework.level_name(*level).to_lowercase())
                }
                WeightTarget::Parent(code) => format!("weights under {code}"),
            };
            let description = format!("{target}: {}", spec.mode);
            match spec.grouping {
                Grouping::All => {
                    shared_blocks.extend(blocks);
                    shared_description.push(description);
                }
                Grouping::PerLevel => {
                    let dims = blocks.iter().map(|b| b.children.len()).sum();
                    let name = spec.name.clone().unwrap_or(target);
                    push(
                        name,
                        dims,
                        FactorKind::Weights(blocks),
                        Vec::new(),
                        None,
                        description,
                    );
                }
                Grouping::PerParent => {
                    for block in blocks {
                        let parent = framework.nodes[block.children[0]]
                            .parent
                            .expect("weighted nodes have parents");
                        let code = &framework.nodes[parent].code;
                        let name = match &spec.name {
                            Some(name) if parents.len() > 1 => format!("{name} ({code})"),
                            Some(name) => name.clone(),
                            None => format!("weights under {code}"),
                        };
                        let dims = block.children.len();
                        push(
                            name,
                            dims,
                            FactorKind::Weights(vec![block]),
                            Vec::new(),
                            None,
                            format!("weights under {code}: {}", spec.mode),
                        );
                    }
                }
            }
        }
        if !shared_blocks.is_empty() {
            let name = scenario
                .weights
                .iter()
                .filter(|s| s.grouping == Grouping::All)
                .find_map(|s| s.name.clone())
                .unwrap_or_else(|| "weights".to_string());
            let dims = shared_blocks.iter().map(|b| b.children.len()).sum();
            push(
                name,
                dims,
                FactorKind::Weights(shared_blocks),
                Vec::new(),
                None,
                shared_description.join("; "),
            );
        }
        varied_weight_nodes.sort_unstable();
        varied_weight_nodes.dedup();

        // Data variants: imputation × treatment × normalisation alternatives.
        let nominal_imputation = scenario
            .imputation
            .as_ref()
            .and_then(|c| c.nominal.clone())
            .unwrap_or_else(|| nominal.imputation.clone());
        let nominal_treatment = scenario
            .treatment
            .as_ref()
            .and_then(|t| t.nominal_treatment())
            .or(nominal.treatment);
        let nominal_normalisation = scenario
            .normalisation
            .as_ref()
            .and_then(|c| c.nominal.clone())
            .unwrap_or_else(|| nominal.normalisation.clone());

        let imputations = match &scenario.imputation {
            Some(choice) => {
                let at = choice
                    .alternatives
                    .iter()
                    .position(|a| *a == nominal_imputation);
                push(
                    choice.name.clone().unwrap_or_else(|| "imputation".into()),
                    1,
                    FactorKind::Imputation,
                    cumulative(&choice.probabilities),
                    at,
                    describe_choice(choice),
                );
                choice.alternatives.clone()
            }
            None => vec![nominal_imputation.clone()],
        };
        let treatments: Vec<Option<Treatment>> = match &scenario.treatment {
            Some(spec) => {
                let alternatives: Vec<Option<Treatment>> =
                    spec.alternatives().into_iter().map(Some).collect();
                let at = alternatives.iter().position(|a| *a == nominal_treatment);
                let probabilities = vec![1.0 / alternatives.len() as f64; alternatives.len()];
                push(
                    spec.name
                        .clone()
                        .unwrap_or_else(|| "winsorisation limit".into()),
                    1,
                    FactorKind::Treatment,
                    cumulative(&probabilities),
                    at,
                    format!(
                        "winmax {}–{}, equally likely",
                        spec.winmax_min, spec.winmax_max
                    ),
                );
                alternatives
            }
            None => vec![nominal_treatment],
        };
        let normalisations = match &scenario.normalisation {
            Some(choice) => {
                let at = choice
                    .alternatives
                    .iter()
                    .position(|a| *a == nominal_normalisation);
                push(
                    choice
                        .name
                        .clone()
                        .unwrap_or_else(|| "normalisation".into()),
                    1,
                    FactorKind::Normalisation,
                    cumulative(&choice.probabilities),
                    at,
                    describe_choice(choice),
                );
                choice.alternatives.clone()
            }
            None => vec![nominal_normalisation.clone()],
        };
        let mut aggregations = Vec::new();
        for spec in &scenario.aggregation {
            let levels = spec.levels_in(framework.n_levels);
            let nominal_at_levels: Vec<Aggregation> =
                levels.iter().map(|&l| nominal.aggregation[l - 2]).collect();
            let nominal_choice = spec.choice.nominal.or_else(|| {
                nominal_at_levels
                    .iter()
                    .all(|a| *a == nominal_at_levels[0])
                    .then(|| nominal_at_levels[0])
            });
            let at =
                nominal_choice.and_then(|n| spec.choice.alternatives.iter().position(|a| *a == n));
            let name = if let Some(name) = &spec.choice.name {
                name.clone()
            } else if levels.len() + 1 == framework.n_levels {
                "aggregation".to_string()
            } else {
                format!(
                    "aggregation ({})",
                    levels
                        .iter()
                        .map(|&l| framework.level_name(l).to_lowercase())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            push(
                name,
                1,
                FactorKind::Aggregation {
                    levels: levels.clone(),
                },
                cumulative(&spec.choice.probabilities),
                at,
                describe_choice(&spec.choice),
            );
            aggregations.push(spec.choice.alternatives.clone());
        }
        if let Some(spec) = &scenario.exclusion {
            let alternatives = spec.alternatives(framework);
            let probabilities = vec![1.0 / alternatives.len() as f64; alternatives.len()];
            let at = alternatives.iter().position(Option::is_none);
            let description = format!(
                "leave one of {} indicators out{}, equally likely",
                alternatives.iter().filter(|a| a.is_some()).count(),
                if spec.include_none { " or none" } else { "" }
            );
            push(
                spec.name
                    .clone()
                    .unwrap_or_else(|| "indicator exclusion".into()),
                1,
                FactorKind::Exclusion { alternatives },
                cumulative(&probabilities),
                at,
                description,
            );
        }
        // Noise last, so that every other factor keeps its coordinates (and a scenario with zero
        // noise samples the same configurations as one without).
        let (mut noise_errors, mut noise_imputations) = (Vec::new(), Vec::new());
        for mut factor in noise::noise_factors(scenario, index)? {
            let coordinate = push(
                factor.name,
                1,
                FactorKind::Noise {
                    varies: factor.varies,
                },
                Vec::new(),
                None,
                factor.description,
            );
            factor
                .errors
                .iter_mut()
                .for_each(|e| e.coordinate = coordinate);
            factor
                .imputations
                .iter_mut()
                .for_each(|e| e.coordinate = coordinate);
            noise_errors.extend(factor.errors);
            noise_imputations.extend(factor.imputations);
        }
        let dims = factors.iter().map(|f| f.dims).sum();

        let mut variant_specs = Vec::new();
        for imputation in &imputations {
            for treatment in &treatments {
                for normalisation in &normalisations {
                    variant_specs.push(VariantSpec {
                        imputation: imputation.clone(),
                        treatment: *treatment,
                        normalisation: normalisation.clone(),
                    });
                }
            }
        }
        let nominal_spec = VariantSpec {
            imputation: nominal_imputation,
            treatment: nominal_treatment,
            normalisation: nominal_normalisation,
        };
        let nominal_variant = match variant_specs.iter().position(|s| *s == nominal_spec) {
            Some(i) => i,
            None => {
                variant_specs.push(nominal_spec);
                variant_specs.len() - 1
            }
        };
        let mut nominal_aggregation = nominal.aggregation.clone();
        for spec in &scenario.aggregation {
            if let Some(n) = spec.choice.nominal {
                for level in spec.levels_in(framework.n_levels) {
                    nominal_aggregation[level - 2] = n;
                }
            }
        }
        let nominal_config = Config {
            variant: nominal_variant,
            aggregation: nominal_aggregation,
            weights: framework.nominal_weights(),
        };
        let indicator_weights_vary = factors.iter().any(|f| match &f.kind {
            FactorKind::Weights(blocks) => blocks
                .iter()
                .any(|b| b.children.iter().any(|&c| c < framework.n_indicators())),
            _ => false,
        });
        let aggregation_levels: Vec<&Vec<usize>> = factors
            .iter()
            .filter_map(|f| match &f.kind {
                FactorKind::Aggregation { levels } => Some(levels),
                _ => None,
            })
            .collect();
        let aggregation_factor = aggregation_levels
            .iter()
            .position(|levels| levels.contains(&2));
        let n_exclusions = factors
            .iter()
            .find_map(|f| match &f.kind {
                FactorKind::Exclusion { alternatives } => Some(alternatives.len()),
                _ => None,
            })
            .unwrap_or(1);
        // Data error changes the indicators themselves: nothing below the top can be saved.
        let has_noise = !noise_errors.is_empty() || !noise_imputations.is_empty();
        let lower_levels =
            (!indicator_weights_vary && !has_noise && framework.n_levels >= 3).then(|| {
                LowerLevelPlan {
                    count: framework.level_nodes(2).len(),
                    aggregation_factor,
                    n_aggregations: aggregation_factor.map_or(1, |a| aggregations[a].len()),
                    n_exclusions,
                }
            });
        Ok(ScenarioModel {
            lower_levels,
            factors,
            variant_specs,
            imputations,
            treatments,
            normalisations,
            aggregations,
            nominal_variant,
            nominal_config,
            varied_weight_nodes,
            dims,
            noise_errors,
            noise_imputations,
            noise_plan: OnceLock::new(),
        })
    }
}

fn describe_choice<T: std::fmt::Display>(choice: &Choice<T>) -> String {
    let equal = choice
        .probabilities
        .iter()
        .all(|p| (p - choice.probabilities[0]).abs() < 1e-12);
    let alternatives: Vec<String> = choice
        .alternatives
        .iter()
        .zip(&choice.probabilities)
        .map(|(a, p)| {
            if equal {
                a.to_string()
            } else {
                format!("{a} (p = {p})")
            }
        })
        .collect();
    format!(
        "{}{}",
        alternatives.join(" | "),
        if equal { ", equally likely" } else { "" }
    )
}
