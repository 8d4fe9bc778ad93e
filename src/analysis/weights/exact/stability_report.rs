//! The stability request and report: each weight's stability interval and the smallest move
//! of a level's weights by one place, named by framework node, and the most fragile weight.

use super::model::check_levels;
use super::*;

/// One weight's stability interval, with where the weight sits in the framework.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightStability {
    pub name: String,
    pub level: usize,
    pub parent: String,
    #[serde(flatten)]
    pub interval: StabilityInterval,
}

/// One entry of a minimal change: a weight's nominal and new normalised value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedWeight {
    pub code: String,
    pub nominal: f64,
    pub changed: f64,
}

/// A minimal rank-changing weight move, with its weights named and re-scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MinimalMove {
    #[serde(flatten)]
    pub change: MinimalChange,
    /// The focus's rank given these weights by the ordinary scorer.
    pub scorer_rank: usize,
    pub weights: Vec<ChangedWeight>,
}

/// Smallest L1 and L∞ moves of one level's weights that move the focus up or down one place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MinimalMoves {
    pub up_l1: Option<MinimalMove>,
    pub up_linf: Option<MinimalMove>,
    pub down_l1: Option<MinimalMove>,
    pub down_linf: Option<MinimalMove>,
}

/// Stability of one weight set (a level, or the effective indicator weights).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelStability {
    /// `pillar weights`, `effective indicator weights`.
    pub label: String,
    pub weight_set: WeightSet,
    pub weights: Vec<WeightStability>,
    pub minimal: MinimalMoves,
}

/// The weight whose keep-rank interval is narrowest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FragileWeight {
    pub code: String,
    pub name: String,
    pub nominal: f64,
    pub keep_rank_lo: f64,
    pub keep_rank_hi: f64,
    /// The nearer end's crossing: `(passer, passed, weight value)`.
    pub passer: Option<String>,
    pub passed: Option<String>,
    pub at: Option<f64>,
}

/// Exact stability of the focus unit's rank and the top-k order: summary.json-ready.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StabilityReport {
    pub focus: String,
    pub focus_name: String,
    pub nominal_rank: usize,
    pub top_k: usize,
    pub method: MethodDescription,
    pub sets: Vec<LevelStability>,
    /// Levels left out of a default request, with the reason.
    pub skipped: Vec<String>,
    pub most_fragile: Option<FragileWeight>,
}

/// A request for stability intervals and minimal rank-changing moves.
#[derive(Debug, Clone, PartialEq)]
pub struct StabilityRequest {
    pub method: MethodOverride,
    /// `Levels`: each level separately; `None`: every aggregate level below the top (level 1
    /// when the indicators sit directly under the top), skipping levels without an exact model.
    pub weights: Option<WeightSet>,
    pub focus: Option<String>,
    /// `None` = 10, capped at the number of units.
    pub top_k: Option<usize>,
}

/// Exact stability intervals of every weight of the requested levels (one weight moving, its
/// siblings rescaled proportionally), and the smallest L1 and L∞ weight moves that change the
/// focus's rank by one place, per level (see [`crate::analysis::weights::stability`]).
pub fn stability_for(
    index: &Index,
    request: &StabilityRequest,
) -> Result<StabilityReport, ExactError> {
    let nominal = NominalScores::new(index, &request.method)?;
    let framework = nominal.framework();
    let focus = nominal.require_focus(request.focus.as_deref(), index)?;
    let top_k = request.top_k.unwrap_or(10).clamp(1, nominal.n_units());
    let explicit = request.weights.is_some();
    let sets: Vec<WeightSet> = match &request.weights {
        Some(WeightSet::Effective) => vec![WeightSet::Effective],
        Some(WeightSet::Levels(levels)) => check_levels(framework, levels)?
            .into_iter()
            .map(|l| WeightSet::Levels(vec![l]))
            .collect(),
        None => {
            let first = if framework.n_levels > 2 { 2 } else { 1 };
            (first..framework.n_levels)
                .map(|l| WeightSet::Levels(vec![l]))
                .collect()
        }
    };
    let mut skipped = Vec::new();
    let mut results = Vec::new();
    let mut rescorer = Rescorer::new(&nominal);
    for set in sets {
        let model = match ExactModel::build(&nominal, &set) {
            Ok(model) => model,
            Err(error @ ExactError::NotExact { .. }) if !explicit => {
                skipped.push(format!("{}: {error}", set.label(framework)));
                continue;
            }
            Err(error) => return Err(error),
        };
        let level_model = model
            .level_model()
            .expect("one level or the effective weights");
        let weights = stability_intervals(level_model, focus, top_k)?
            .into_iter()
            .map(|interval| {
                let node = &framework.nodes[model.nodes[interval.weight_index]];
                let parent = match set {
                    WeightSet::Effective => framework.top,
                    WeightSet::Levels(_) => node.parent.unwrap_or(framework.top),
                };
                WeightStability {
                    name: node.name.clone(),
                    level: node.level,
                    parent: framework.nodes[parent].code.clone(),
                    interval,
                }
            })
            .collect();
        let changes = minimal_rank_changes(level_model, focus)?;
        let minimal = named_moves(&model, framework, changes, focus, &mut rescorer);
        results.push(LevelStability {
            label: set.label(framework),
            weight_set: set,
            weights,
            minimal,
        });
    }
    if results.is_empty() {
        return Err(not_exact(
            format!("no level has an exact weight model: {}", skipped.join("; ")),
            "aggregate every level with the arithmetic or geometric mean (a what-if)",
        )
        .with_remedy(Remedy::Aggregation));
    }
    let most_fragile = most_fragile(&results);
    let unit = &nominal.prepared.units[focus];
    Ok(StabilityReport {
        focus: unit.code.clone(),
        focus_name: unit.name.clone(),
        nominal_rank: nominal.nominal_ranks()[focus] as usize,
        top_k,
        method: nominal.method.clone(),
        sets: results,
        skipped,
        most_fragile,
    })
}

pub(super) fn named_moves(
    model: &ExactModel,
    framework: &Framework,
    changes: MinimalChanges,
    focus: usize,
    rescorer: &mut Rescorer<'_>,
) -> MinimalMoves {
    let nominal_raw = model.model.nominal_weights();
    let mut name = |change: Option<MinimalChange>| {
        change.map(|change| {
            rescorer.reset();
            model.write_framework_weights(framework, &change.weights_raw, rescorer.weights_mut());
            let scorer_rank = rescorer.top_ranks()[focus] as usize;
            let weights = (0..model.nodes.len())
                .map(|k| ChangedWeight {
                    code: framework.nodes[model.nodes[k]].code.clone(),
                    nominal: model.share(nominal_raw, k),
                    changed: change.weights_normalised[k],
                })
                .collect();
            MinimalMove {
                change,
                scorer_rank,
                weights,
            }
        })
    };
    MinimalMoves {
        up_l1: name(changes.up_l1),
        up_linf: name(changes.up_linf),
        down_l1: name(changes.down_l1),
        down_linf: name(changes.down_linf),
    }
}

/// The movable weight with the narrowest keep-rank interval (first in report order on ties).
pub(super) fn most_fragile(sets: &[LevelStability]) -> Option<FragileWeight> {
    let candidate = sets
        .iter()
        .flat_map(|s| &s.weights)
        .filter(|w| !w.interval.fixed)
        .min_by(|a, b| {
            let width = |w: &WeightStability| w.interval.keep_rank_hi - w.interval.keep_rank_lo;
            width(a).total_cmp(&width(b))
        })?;
    let interval = &candidate.interval;
    let below = interval
        .first_change_below
        .as_ref()
        .map(|c| (interval.nominal - c.t, c));
    let above = interval
        .first_change_above
        .as_ref()
        .map(|c| (c.t - interval.nominal, c));
    let nearer = match (below, above) {
        (Some(b), Some(a)) => Some(if b.0 <= a.0 { b.1 } else { a.1 }),
        (Some(b), None) => Some(b.1),
        (None, Some(a)) => Some(a.1),
        (None, None) => None,
    };
    Some(FragileWeight {
        code: interval.weight.clone(),
        name: candidate.name.clone(),
        nominal: interval.nominal,
        keep_rank_lo: interval.keep_rank_lo,
        keep_rank_hi: interval.keep_rank_hi,
        passer: nearer.map(|c| c.passer.clone()),
        passed: nearer.map(|c| c.passed.clone()),
        at: nearer.map(|c| c.t),
    })
}
