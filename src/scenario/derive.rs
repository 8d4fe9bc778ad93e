//! A first uncertainty analysis for any index, derived the way an auditor would set one up.
//!
//! Without a scenario file, `robust`, `uncertainty` and `sensitivity` run the analysis of the
//! OECD/JRC Handbook on Constructing Composite Indicators (2008, ch. 7) and Saisana, Saltelli &
//! Tarantola (2005) on the index as it is:
//! - weights ±25% (each × U(0.75, 1.25), renormalised within its parent: COINr's semantics) at
//!   every level that has siblings to vary, one factor per level;
//! - normalisation: the nominal method, `minmax(1,100)`, `zscore(10,2)` and `rank`, each where
//!   it can normalise the data;
//! - aggregation: arithmetic or geometric (plus the nominal method if it is another mean),
//!   geometric only where every sampled normalisation is positive on the data;
//! - leave one indicator out (or none), for every indicator whose parent keeps a weighted child.
//!
//! Each candidate is checked by the same rules a hand-written scenario meets
//! ([`Scenario::validate`], [`ScenarioModel::prepare`] and its positivity rule
//! [`check_aggregations`]); a candidate that fails is left out and the reason recorded.

use serde::Serialize;

use super::factors::ScenarioModel;
use super::{
    AggregationSpec, Choice, ExclusionSet, ExclusionSpec, Grouping, Scenario, WeightMode,
    WeightSpec, WeightTarget,
};
use crate::model::Index;
use crate::model::method::{Aggregation, Normalisation};
use crate::pipeline::prepare::{PreparedVariant, nominal_variant};
use crate::pipeline::{VariantSpec, check_aggregations, prepare};

/// The ± share every derived weight factor varies weights by (COINr's NoiseFactor 0.25).
pub const WEIGHT_SPREAD: f64 = 0.25;

/// A choice the derivation considered and left out, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeftOut {
    /// What was left out, e.g. "geometric aggregation".
    pub choice: String,
    pub reason: String,
}

/// A derived scenario and the record of how it was derived.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Derivation {
    #[serde(skip)]
    pub scenario: Scenario,
    /// Why each section of the scenario is what it is, in section order (weights entries
    /// first, then normalisation, aggregation, exclusion), for comments and reports.
    pub chosen: Vec<String>,
    pub left_out: Vec<LeftOut>,
}

/// Why the derived scenario does not run: a bug (every part was checked on its own), so the
/// message asks for a report and names the way around it.
#[derive(Debug, thiserror::Error)]
#[error(
    "the scenario derived from {index} does not run on its data ({cause}); fix: write a scenario file for this index and run with it (and please report this)"
)]
pub struct DeriveError {
    index: String,
    cause: String,
}

/// Derives the scenario for `index` (see the module documentation).
pub fn derive(index: &Index) -> Result<Derivation, DeriveError> {
    let mut derivation = Derivation {
        scenario: Scenario {
            name: Some(format!("First uncertainty analysis of {}", index.info.name)),
            description: Some(
                "Derived by ranksense from the index: weights ±25% at every level, \
                 normalisation and aggregation alternatives that run on these data, and \
                 leave-one-indicator-out (OECD/JRC Handbook 2008, ch. 7)."
                    .to_string(),
            ),
            source: "derived".to_string(),
            ..Scenario::default()
        },
        chosen: Vec::new(),
        left_out: Vec::new(),
    };
    derive_weights(index, &mut derivation);
    derive_methods(index, &mut derivation);
    derive_exclusion(index, &mut derivation);
    let scenario = &derivation.scenario;
    ScenarioModel::new(scenario, index)
        .map_err(|e| e.to_string())
        .and_then(|model| {
            model
                .prepare(index, scenario)
                .map(drop)
                .map_err(|e| e.to_string())
        })
        .map_err(|cause| DeriveError {
            index: index.info.name.clone(),
            cause,
        })?;
    Ok(derivation)
}

impl Derivation {
    fn leave_out(&mut self, choice: impl Into<String>, reason: impl Into<String>) {
        self.left_out.push(LeftOut {
            choice: choice.into(),
            reason: reason.into(),
        });
    }
}

/// Number of children of `parent` with a positive nominal weight: with fewer than two, the
/// weights renormalised within the parent cannot move.
fn weighted_children(index: &Index, parent: usize) -> usize {
    let nodes = &index.framework.nodes;
    nodes[parent]
        .children
        .iter()
        .filter(|&&c| nodes[c].weight > 0.0)
        .count()
}

fn derive_weights(index: &Index, derivation: &mut Derivation) {
    let framework = &index.framework;
    for level in 1..framework.n_levels {
        let spec = WeightSpec {
            target: WeightTarget::Level(level),
            mode: WeightMode::Uniform {
                spread: WEIGHT_SPREAD,
            },
            grouping: Grouping::PerLevel,
            name: None,
            line: 0,
        };
        let name = framework.level_name(level).to_lowercase();
        if spec
            .parents(framework)
            .iter()
            .all(|&p| weighted_children(index, p) < 2)
        {
            derivation.leave_out(
                format!("{name} weights (level {level})"),
                format!(
                    "no aggregate has two weighted children at level {level}, so weights \
                     renormalised within their parent are always 1"
                ),
            );
            continue;
        }
        derivation.chosen.push(format!(
            "{name} weights (level {level}): each × U(0.75, 1.25), renormalised within its \
             parent (COINr's get_noisy_weights); one factor"
        ));
        derivation.scenario.weights.push(spec);
    }
}

/// Normalisations whose values differ only by one affine map, the same for every indicator:
/// under arithmetic means they give the same ranks, so a positive member can stand in the
/// sample for a member that gives zeros (COINr's vignette samples `minmax(1,100)` for a
/// nominal `minmax(0,100)` so that the geometric mean can run).
fn affine_family(normalisation: &Normalisation) -> Option<u8> {
    match normalisation {
        Normalisation::MinMax { .. } | Normalisation::Dist2Max => Some(0),
        Normalisation::ZScore { .. } => Some(1),
        Normalisation::Rank | Normalisation::Borda => Some(2),
        _ => None,
    }
}

/// One normalisation candidate and whether the positive-only means can run on its values.
struct Candidate {
    normalisation: Normalisation,
    /// The first refusal of a positive-only mean on these values, in words.
    refusal: Option<String>,
}

fn derive_methods(index: &Index, derivation: &mut Derivation) {
    let nominal = &index.nominal;
    let levels = nominal.aggregation.len();
    let nominal_spec = nominal_variant(index);
    let copeland_at_level_2 = nominal.aggregation.first() == Some(&Aggregation::Copeland);

    // Aggregations to offer: arithmetic, geometric and any other mean the index uses.
    let mut aggregations = vec![Aggregation::Arithmetic, Aggregation::Geometric];
    for &aggregation in &nominal.aggregation {
        if !aggregations.contains(&aggregation) {
            aggregations.push(aggregation);
        }
    }
    let copeland_level = nominal
        .aggregation
        .iter()
        .position(|&a| a == Aggregation::Copeland);
    let positive_only: Vec<Aggregation> = aggregations
        .iter()
        .copied()
        .filter(Aggregation::needs_positive)
        .collect();

    // Normalisation candidates that can normalise the data, with their positivity.
    let offered = std::iter::once(nominal.normalisation.clone()).chain(standard_normalisations());
    let mut candidates: Vec<Candidate> = Vec::new();
    for normalisation in offered {
        if candidates.iter().any(|c| c.normalisation == normalisation) {
            continue;
        }
        let spec = VariantSpec {
            normalisation: normalisation.clone(),
            ..nominal_spec.clone()
        };
        match prepare(index, std::slice::from_ref(&spec)) {
            Ok(prepared) => {
                let variant = &prepared.variants[0];
                candidates.push(Candidate {
                    refusal: refusal(variant, &positive_only, levels),
                    normalisation,
                });
            }
            Err(error) => derivation.leave_out(
                format!("`{normalisation}` normalisation"),
                error.problem_and_fix().0,
            ),
        }
    }

    // Keep the positive-only means if every normalisation that gives zeros can be left out of
    // the sample: an alternative one, or the nominal one when a positive member of its affine
    // family stands in for it.
    let nominal_normalisation = &nominal.normalisation;
    let keep_positive = match copeland_level {
        Some(level) => {
            for aggregation in &positive_only {
                derivation.leave_out(
                    format!("{aggregation} aggregation"),
                    format!(
                        "the index aggregates level {} with copeland, whose net win counts \
                         can be zero or negative",
                        level + 2
                    ),
                );
            }
            false
        }
        None => match candidates
            .iter()
            .find(|c| &c.normalisation == nominal_normalisation)
        {
            Some(c) if c.refusal.is_some() => {
                let family = affine_family(nominal_normalisation);
                let stand_in = candidates.iter().find(|other| {
                    other.refusal.is_none()
                        && family.is_some()
                        && affine_family(&other.normalisation) == family
                });
                match stand_in {
                    Some(_) => true,
                    None => {
                        let why = c.refusal.clone().unwrap_or_default();
                        for aggregation in &positive_only {
                            derivation.leave_out(
                                format!("{aggregation} aggregation"),
                                format!(
                                    "{why}; no normalisation that gives the same ranks under \
                                     the arithmetic mean is positive on these data"
                                ),
                            );
                        }
                        false
                    }
                }
            }
            _ => true,
        },
    };
    let mut sampled: Vec<Normalisation> = Vec::new();
    for candidate in &candidates {
        match (&candidate.refusal, keep_positive) {
            (Some(why), true) => {
                let is_nominal = &candidate.normalisation == nominal_normalisation;
                let stand_in = candidates
                    .iter()
                    .find(|other| {
                        other.refusal.is_none()
                            && affine_family(&other.normalisation)
                                == affine_family(&candidate.normalisation)
                            && affine_family(&candidate.normalisation).is_some()
                    })
                    .map(|other| &other.normalisation);
                let reason = match (is_nominal, stand_in) {
                    (true, Some(stand_in)) => format!(
                        "{why}; `{stand_in}` stands in for it in the sample (the same ranks \
                         under the arithmetic mean), as in COINr's sensitivity vignette, and it \
                         stays the nominal method"
                    ),
                    _ => format!("{why}; left out so that the geometric mean can be sampled"),
                };
                derivation.leave_out(
                    format!("`{}` normalisation in the sample", candidate.normalisation),
                    reason,
                );
            }
            _ => sampled.push(candidate.normalisation.clone()),
        }
    }
    if copeland_at_level_2 {
        derivation.leave_out(
            "normalisation",
            "the index aggregates its indicators with copeland, which compares units \
             indicator by indicator, so every (increasing) normalisation gives the same result",
        );
    } else if sampled.len() < 2 && sampled.first() == Some(nominal_normalisation) {
        derivation.leave_out(
            "normalisation",
            "no alternative to the nominal normalisation runs on these data",
        );
    } else if !sampled.is_empty() {
        derivation.chosen.push(format!(
            "normalisation: {}, equally likely; nominal `{nominal_normalisation}`",
            sampled
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        derivation.scenario.normalisation = Some(Choice::equally_likely(sampled));
    }

    if copeland_level.is_some() {
        derivation.leave_out(
            "aggregation",
            "the index uses copeland, a non-compensatory method: replacing it by means changes \
             what the index measures; vary it in a scenario of your own if you mean to",
        );
        return;
    }
    let offered: Vec<Aggregation> = aggregations
        .into_iter()
        .filter(|a| keep_positive || !a.needs_positive())
        .collect();
    if offered.len() < 2 {
        return;
    }
    derivation.chosen.push(format!(
        "aggregation at every level: {}, equally likely",
        offered
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    derivation.scenario.aggregation.push(AggregationSpec {
        levels: None,
        choice: Choice::equally_likely(offered),
    });
}

/// Why the positive-only means cannot run on a prepared variant at every level, if they cannot.
fn refusal(
    variant: &PreparedVariant,
    positive_only: &[Aggregation],
    levels: usize,
) -> Option<String> {
    let per_level: Vec<&[Aggregation]> = vec![positive_only; levels];
    check_aggregations(variant, &per_level)
        .err()
        .map(|reason| reason.problem())
}

fn derive_exclusion(index: &Index, derivation: &mut Derivation) {
    let framework = &index.framework;
    let mut allowed = Vec::new();
    let mut refused = Vec::new();
    for indicator in 0..framework.n_indicators() {
        let Some(parent) = framework.nodes[indicator].parent else {
            continue;
        };
        let others = framework.nodes[parent]
            .children
            .iter()
            .any(|&c| c != indicator && framework.nodes[c].weight > 0.0);
        if others {
            allowed.push(framework.nodes[indicator].code.clone());
        } else {
            refused.push((indicator, parent));
        }
    }
    for &(indicator, parent) in &refused {
        derivation.leave_out(
            format!(
                "indicator `{}` from leave-one-indicator-out",
                framework.nodes[indicator].code
            ),
            format!(
                "it is the only weighted indicator of `{}`, whose score would vanish",
                framework.nodes[parent].code
            ),
        );
    }
    if allowed.is_empty() {
        return;
    }
    derivation.chosen.push(format!(
        "leave one indicator out, or none: {} of {} indicators, equally likely",
        allowed.len(),
        framework.n_indicators()
    ));
    derivation.scenario.exclusion = Some(ExclusionSpec {
        name: None,
        indicators: if refused.is_empty() {
            ExclusionSet::All
        } else {
            ExclusionSet::Codes(allowed)
        },
        include_none: true,
        line: 0,
    });
}

/// The normalisations a first uncertainty analysis offers besides the nominal one: a
/// positive min–max (COINr's choice for geometric means), shifted z-scores and ranks.
pub(crate) fn standard_normalisations() -> [Normalisation; 3] {
    [
        Normalisation::MinMax {
            low: 1.0,
            high: 100.0,
        },
        Normalisation::ZScore {
            mean: 10.0,
            sd: 2.0,
        },
        Normalisation::Rank,
    ]
}
