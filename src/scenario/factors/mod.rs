//! Factors: a scenario resolved against an index into groups of unit-cube coordinates, each mapped to one uncertain choice.
//!
//! A [`ScenarioModel`] owns the list of factors (the groups a Sobol analysis varies together),
//! the data variants they need, and the nominal configuration. `configure` maps a point
//! u ∈ [0,1)^d to a scoring [`Config`] without allocating; the Monte Carlo engine feeds it
//! pseudo-random points and the Sobol analysis feeds it a Saltelli design.

mod noise;

use std::sync::OnceLock;

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Gamma};

use super::{Choice, Grouping, Scenario, ScenarioError, WeightMode, WeightTarget};
use crate::engine::SampleModel;
use crate::model::error::Location;
use crate::model::method::{Aggregation, Imputation, Normalisation, Treatment};
use crate::model::{Framework, Index};
use crate::pipeline::noise::{ColumnError, ImputationError, NoisePlan};
use crate::pipeline::{
    AggregationRangeError, Config, PrepareError, Prepared, VariantSpec, check_aggregations, prepare,
};

/// The children of one parent whose weights a factor samples.
#[derive(Debug, Clone)]
struct WeightBlock {
    children: Vec<usize>,
    /// Nominal weights normalised within the parent.
    nominal: Vec<f64>,
    mode: WeightMode,
    /// Gamma(concentration · nominal_c) marginals for Dirichlet sampling.
    gammas: Vec<Gamma>,
}

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
    /// each such combination once (see [`SampleModel::lower_level_configs`]).
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

/// Maps a block's coordinates to (unnormalised) weights of its children.
///
/// - uniform: `w_c (1 + spread (2u_c − 1))`, i.e. w_c × U(1 − spread, 1 + spread) (COINr);
/// - simplex: `−ln(1 − u_c)` (standard exponentials), whose normalisation is uniform on the
///   simplex (Rubinstein 1982; Lahdelma & Salminen 2001);
/// - dirichlet: `F⁻¹_{Gamma(α w_c, 1)}(u_c)`, whose normalisation is Dirichlet(α w);
/// - fixed: the nominal weights.
#[inline]
fn sample_block(block: &WeightBlock, u: &[f64], mut set: impl FnMut(usize, f64)) {
    for (j, &x) in u.iter().enumerate() {
        let w = match block.mode {
            WeightMode::Uniform { spread } => block.nominal[j] * (1.0 + spread * (2.0 * x - 1.0)),
            WeightMode::Simplex => -(1.0 - x).ln(),
            WeightMode::Dirichlet { .. } => block.gammas[j].inverse_cdf(x),
            WeightMode::Fixed => block.nominal[j],
        };
        set(j, w);
    }
}

fn weight_block(framework: &Framework, parent: usize, mode: WeightMode) -> WeightBlock {
    let children = framework.nodes[parent].children.clone();
    let total: f64 = children.iter().map(|&c| framework.nodes[c].weight).sum();
    let nominal: Vec<f64> = children
        .iter()
        .map(|&c| framework.nodes[c].weight / total)
        .collect();
    let gammas = match mode {
        WeightMode::Dirichlet { concentration } => nominal
            .iter()
            .map(|&w| Gamma::new((concentration * w).max(1e-9), 1.0).expect("positive shape"))
            .collect(),
        _ => Vec::new(),
    };
    WeightBlock {
        children,
        nominal,
        mode,
        gammas,
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

/// Why a resolved scenario cannot run on the data.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioRunError {
    #[error("{location}: {}\n  fix: {}", error.problem_and_fix().0, error.problem_and_fix().1)]
    Prepare {
        location: Box<Location>,
        error: Box<PrepareError>,
    },
    // `reason`, not `source`: the message already includes it, so no error chain repeats it.
    #[error("{location}: {}\n  fix: {}", reason.problem(), reason.fix())]
    Range {
        location: Box<Location>,
        reason: Box<AggregationRangeError>,
    },
}

/// Where the method that could not prepare the data was chosen: the scenario's alternative
/// (or nominal override) if it offers the method, else the index's `index.toml`.
fn locate_preparation(scenario: &Scenario, index: &Index, error: &PrepareError) -> Location {
    let at = |path: String| scenario_location(scenario, path);
    let index_toml = |key: &str| {
        let mut location = index.method_locations.normalisation.clone();
        location.line = None;
        location.column(key)
    };
    // The path of `method` among a scenario choice's alternatives or its nominal override.
    fn find<T: std::fmt::Display>(choice: Option<&Choice<T>>, method: &str) -> Option<String> {
        let choice = choice?;
        if let Some(k) = choice
            .alternatives
            .iter()
            .position(|a| a.to_string() == method)
        {
            return Some(format!("alternatives[{}]", k + 1));
        }
        (choice.nominal.as_ref().map(|n| n.to_string()).as_deref() == Some(method))
            .then(|| "nominal".to_string())
    }
    match error {
        PrepareError::Normalise { normalisation, .. }
        | PrepareError::UnknownReference { normalisation, .. }
        | PrepareError::ScreenedReference { normalisation, .. } => {
            match find(scenario.normalisation.as_ref(), normalisation) {
                Some(path) => at(format!("normalisation.{path}")),
                None => index.method_locations.normalisation.clone(),
            }
        }
        PrepareError::UnknownGroup { imputation, .. } => {
            match find(scenario.imputation.as_ref(), imputation) {
                Some(path) => at(format!("imputation.{path}")),
                None => index_toml("method.imputation"),
            }
        }
        PrepareError::NothingLeft { .. } => index_toml("method.screen"),
    }
}

fn scenario_location(scenario: &Scenario, path: String) -> Location {
    let location = Location::file(&scenario.source);
    match scenario.line_of(&path) {
        Some(line) => location.line(line).column(path),
        None => location.column(path),
    }
}

/// Where a scenario offers the method that [`check_aggregations`] refused: the aggregation
/// alternative at the refused level if the scenario offers one, else the normalisation
/// alternative whose values are at fault, else the scenario's nominal override (the index's
/// own nominal method is checked when the index is loaded).
fn locate_refusal(
    scenario: &Scenario,
    variant: &VariantSpec,
    reason: &AggregationRangeError,
) -> Location {
    let at = |path: String| scenario_location(scenario, path);
    let aggregation = reason.aggregation();
    if let Some(i) = scenario.aggregation.iter().position(|spec| {
        spec.levels
            .as_ref()
            .is_none_or(|l| l.contains(&reason.level()))
    }) {
        let choice = &scenario.aggregation[i].choice;
        if let Some(k) = choice.alternatives.iter().position(|&a| a == aggregation) {
            return at(format!("aggregation[{}].alternatives[{}]", i + 1, k + 1));
        }
        if choice.nominal == Some(aggregation) {
            return at(format!("aggregation[{}].nominal", i + 1));
        }
    }
    if reason.blames_normalisation()
        && let Some(choice) = &scenario.normalisation
    {
        if let Some(k) = choice
            .alternatives
            .iter()
            .position(|n| *n == variant.normalisation)
        {
            return at(format!("normalisation.alternatives[{}]", k + 1));
        }
        if choice.nominal.as_ref() == Some(&variant.normalisation) {
            return at("normalisation.nominal".to_string());
        }
    }
    Location::file(&scenario.source)
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
