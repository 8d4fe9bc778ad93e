//! What the weight explorer of report.html needs, computed here so that the page only scores,
//! ranks and draws: the index's nominal normalised data (imputation and treatment applied, as
//! `ranksense score` prepares it), the framework with its nominal raw weights, the nominal
//! aggregation per level, the weights the scenario varies, the focus's stability intervals and
//! exact rank bounds, the weight presets and every unit's Monte Carlo rank distribution.

use serde::Serialize;

use crate::analysis::robust::RobustRun;
use crate::model::Index;
use crate::model::method::Aggregation;
use crate::pipeline::prepare::nominal_variant;
use crate::pipeline::{Prepared, prepare};

/// Above this many embedded numbers (units × indicators, twice with geometric aggregation,
/// plus units² rank probabilities when the histogram is embedded) the explorer is switched
/// off with a note: each number costs about 15 bytes of JSON, so the limit keeps the page
/// within about 3 MB more than the static report. IECI 2022 embeds 925 + 1,369 numbers
/// (35 kB), ASEM 2,499 + 2,601 (67 kB).
pub const MAX_EMBEDDED_NUMBERS: usize = 200_000;

/// Above this many units the per-unit rank histogram (units² probabilities) is left out; the
/// explorer itself still runs.
pub const MAX_HISTOGRAM_UNITS: usize = 300;

/// One framework node as the page scores it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplorerNode {
    pub code: String,
    pub name: String,
    pub level: usize,
    /// Index of the parent node (`None` for the top).
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// Nominal raw weight (meta.csv), renormalised within the parent when scoring.
    pub weight: f64,
}

/// A weight vector the reader can apply with one button: within-parent shares by node code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preset {
    pub label: String,
    /// Why these weights (one sentence, shown as the button's description).
    pub note: String,
    pub weights: Vec<(String, f64)>,
}

/// One slider's stability band: the focus keeps its nominal rank while this weight's share
/// stays in `[lo, hi]`, every other weight nominal and its siblings rescaled proportionally.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    pub code: String,
    pub nominal: f64,
    pub lo: f64,
    pub hi: f64,
}

/// The focus's exact best and worst rank over the scenario's weight box.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactRange {
    pub label: String,
    pub best: usize,
    pub worst: usize,
    pub exact: bool,
}

/// Everything the explorer embeds (serialised to JSON inside the page).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplorerData {
    pub index_name: String,
    pub level_names: Vec<String>,
    pub units: Vec<(String, String)>,
    pub nodes: Vec<ExplorerNode>,
    pub n_indicators: usize,
    pub top: usize,
    /// Nominal aggregation of each aggregate level, from level 2 up (`arithmetic`,
    /// `geometric`).
    pub aggregation: Vec<String>,
    pub has_missing: bool,
    /// Normalised values, indicator-major (`values[i][u]`), `null` where missing.
    pub values: Vec<Vec<f64>>,
    /// Their natural logarithms (geometric aggregation only), computed here so that the page
    /// and the scorer combine the very same logarithms.
    pub logs: Option<Vec<Vec<f64>>>,
    /// Nodes whose weights the scenario varies: one slider each.
    pub varied: Vec<usize>,
    pub focus: Option<usize>,
    pub bands: Vec<Band>,
    pub exact_range: Option<ExactRange>,
    pub presets: Vec<Preset>,
    /// Monte Carlo probability of each rank (`histogram[u][r - 1]`), when embedded.
    pub histogram: Option<Vec<Vec<f64>>>,
    pub samples: u64,
}

/// Why the explorer is off for this report (shown on the page instead of it).
#[derive(Debug, Clone, PartialEq)]
pub enum ExplorerOff {
    /// An aggregation the page does not implement.
    Aggregation(String),
    /// More numbers than [`MAX_EMBEDDED_NUMBERS`].
    TooLarge { numbers: usize },
    /// The nominal data could not be prepared.
    Prepare(String),
    /// The scenario varies no weights.
    NoWeights,
}

impl std::fmt::Display for ExplorerOff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExplorerOff::Aggregation(method) => write!(
                f,
                "the weight explorer scores in the page with arithmetic and geometric means only; this index aggregates with {method}, so it is switched off (`ranksense score` and the tables below give the nominal results)"
            ),
            ExplorerOff::TooLarge { numbers } => write!(
                f,
                "the weight explorer would embed {numbers} numbers (units × indicators, more with geometric aggregation), above its limit of {MAX_EMBEDDED_NUMBERS}, so it is switched off to keep this page small"
            ),
            ExplorerOff::Prepare(reason) => write!(
                f,
                "the weight explorer is switched off: the nominal data could not be prepared ({reason})"
            ),
            ExplorerOff::NoWeights => write!(
                f,
                "the weight explorer is switched off: the scenario varies no weights"
            ),
        }
    }
}

/// The explorer's data for a robust run, or why it is off.
pub fn explorer_data(index: &Index, run: &RobustRun) -> Result<ExplorerData, ExplorerOff> {
    let stats = &run.uncertainty.stats;
    if stats.weight_codes.is_empty() {
        return Err(ExplorerOff::NoWeights);
    }
    let aggregation = &index.nominal.aggregation;
    if let Some(other) = aggregation
        .iter()
        .find(|a| !matches!(a, Aggregation::Arithmetic | Aggregation::Geometric))
    {
        return Err(ExplorerOff::Aggregation(other.to_string()));
    }
    let geometric = aggregation.contains(&Aggregation::Geometric);
    let prepared = prepare(index, &[nominal_variant(index)])
        .map_err(|e| ExplorerOff::Prepare(e.to_string()))?;
    let n_units = prepared.n_units();
    let n_indicators = prepared.framework.n_indicators();
    let with_histogram = n_units <= MAX_HISTOGRAM_UNITS;
    let numbers = n_units * n_indicators * if geometric { 2 } else { 1 }
        + if with_histogram { n_units * n_units } else { 0 };
    if numbers > MAX_EMBEDDED_NUMBERS {
        return Err(ExplorerOff::TooLarge { numbers });
    }
    let framework = &prepared.framework;
    let varied: Vec<usize> = stats
        .weight_codes
        .iter()
        .filter_map(|code| framework.find(code))
        .collect();
    let focus = run
        .uncertainty
        .setup
        .focus
        .map(|f| &run.uncertainty.setup.prepared.units[f].code)
        .and_then(|code| prepared.units.iter().position(|u| &u.code == code));
    let variant = &prepared.variants[0];
    let columns =
        |m: &crate::model::Columns| (0..n_indicators).map(|i| m.col(i).to_vec()).collect();
    let logs = match (geometric, &variant.logs) {
        (false, _) => None,
        (true, Some(logs)) => Some(columns(logs)),
        (true, None) => {
            return Err(ExplorerOff::Prepare(
                "the geometric mean needs positive normalised values, and some are not".into(),
            ));
        }
    };
    Ok(ExplorerData {
        index_name: index.info.name.clone(),
        level_names: (1..=framework.n_levels)
            .map(|l| framework.level_name(l))
            .collect(),
        units: prepared
            .units
            .iter()
            .map(|u| (u.code.clone(), u.name.clone()))
            .collect(),
        nodes: framework
            .nodes
            .iter()
            .map(|n| ExplorerNode {
                code: n.code.clone(),
                name: n.name.clone(),
                level: n.level,
                parent: n.parent,
                children: n.children.clone(),
                weight: n.weight,
            })
            .collect(),
        n_indicators,
        top: framework.top,
        aggregation: aggregation.iter().map(|a| a.to_string()).collect(),
        has_missing: variant.has_missing,
        values: columns(&variant.normalised),
        logs,
        varied,
        focus,
        bands: bands(run),
        exact_range: exact_range(run),
        presets: presets(run, &prepared),
        histogram: with_histogram.then(|| histogram(run, &prepared)),
        samples: stats.samples,
    })
}

/// The focus's keep-rank interval of every weight the stability analysis covers.
fn bands(run: &RobustRun) -> Vec<Band> {
    let Some(stability) = &run.stability else {
        return Vec::new();
    };
    stability
        .sets
        .iter()
        .flat_map(|set| &set.weights)
        .filter(|w| !w.interval.fixed)
        .map(|w| Band {
            code: w.interval.weight.clone(),
            nominal: w.interval.nominal,
            lo: w.interval.keep_rank_lo,
            hi: w.interval.keep_rank_hi,
        })
        .collect()
}

/// The headline bounds (every varied level together: the last report) of the focus.
fn exact_range(run: &RobustRun) -> Option<ExactRange> {
    let report = run.bounds.last()?;
    let unit = report.units.first()?;
    Some(ExactRange {
        label: format!("{} {}", report.weight_set_label, report.range_label),
        best: unit.best_rank,
        worst: unit.worst_rank,
        exact: unit.exact,
    })
}

/// Nominal weights, the MILP witnesses of the focus's best and worst rank, the SMAA central
/// weights where the focus ranks first (or keeps its rank), and the smallest rank-changing moves.
fn presets(run: &RobustRun, prepared: &Prepared) -> Vec<Preset> {
    let framework = &prepared.framework;
    let stats = &run.uncertainty.stats;
    let mut presets = vec![Preset {
        label: "Nominal".into(),
        note: "the index's own weights".into(),
        weights: stats
            .weight_codes
            .iter()
            .filter_map(|code| {
                let node = &framework.nodes[framework.find(code)?];
                let parent = &framework.nodes[node.parent?];
                let total: f64 = parent
                    .children
                    .iter()
                    .map(|&c| framework.nodes[c].weight)
                    .sum();
                Some((code.clone(), node.weight / total))
            })
            .collect(),
    }];
    if let Some(report) = run.bounds.last()
        && let Some(unit) = report.units.first()
    {
        let named = |weights: &[f64]| {
            report
                .weights
                .iter()
                .zip(weights)
                .map(|(entry, &w)| (entry.code.clone(), w))
                .collect::<Vec<_>>()
        };
        presets.push(Preset {
            label: format!("Best rank ({})", unit.best_rank),
            note: format!(
                "the weights (exact, mixed-integer programming) at which {} reaches its best rank {}",
                unit.name, report.range_label
            ),
            weights: named(&unit.best_weights),
        });
        presets.push(Preset {
            label: format!("Worst rank ({})", unit.worst_rank),
            note: format!(
                "the weights (exact, mixed-integer programming) at which {} falls to its worst rank {}",
                unit.name, report.range_label
            ),
            weights: named(&unit.worst_weights),
        });
    }
    if let Some(focus) = run.uncertainty.setup.focus {
        let code = &run.uncertainty.setup.prepared.units[focus].code;
        let central = |condition: &str| {
            stats
                .central_weights
                .iter()
                .find(|c| &c.code == code && c.condition == condition && c.samples > 0)
        };
        let chosen = central("ranked_first")
            .map(|c| (c, "ranked first"))
            .or_else(|| central("nominal_rank_or_better").map(|c| (c, "kept its rank or better")));
        if let Some((c, condition)) = chosen {
            presets.push(Preset {
                label: if c.condition == "ranked_first" {
                    "Central weights: first".into()
                } else {
                    "Central weights: keeps rank".into()
                },
                note: format!(
                    "SMAA central weights: the mean weights over the {} Monte Carlo samples in which {code} {condition}",
                    c.samples
                ),
                weights: stats
                    .weight_codes
                    .iter()
                    .cloned()
                    .zip(c.mean_weights.iter().copied())
                    .collect(),
            });
        }
    }
    if let Some(stability) = &run.stability {
        for set in &stability.sets {
            let moves = [(&set.minimal.up_l1, "up"), (&set.minimal.down_l1, "down")];
            for (change, direction) in moves {
                let Some(change) = change else { continue };
                presets.push(Preset {
                    label: format!("Smallest move {direction}: {}", set.label),
                    note: format!(
                        "the smallest change of the {} (L1 distance {}) that moves {} {direction} one place, to rank {}",
                        set.label,
                        crate::report::format::num(change.change.distance),
                        stability.focus,
                        change.scorer_rank
                    ),
                    weights: change
                        .weights
                        .iter()
                        .map(|w| (w.code.clone(), w.changed))
                        .collect(),
                });
            }
        }
    }
    // Only weights the page has sliders for, and only finite ones.
    for preset in &mut presets {
        preset
            .weights
            .retain(|(code, w)| w.is_finite() && stats.weight_codes.contains(code));
    }
    presets.retain(|p| !p.weights.is_empty());
    presets
}

/// Every unit's Monte Carlo probability of each rank (bins spread evenly over their ranks).
fn histogram(run: &RobustRun, prepared: &Prepared) -> Vec<Vec<f64>> {
    let distribution = run.uncertainty.rank_distribution();
    let run_units = &run.uncertainty.setup.prepared.units;
    prepared
        .units
        .iter()
        .map(|unit| {
            let mut probabilities = vec![0.0; prepared.n_units()];
            if let Some(u) = run_units.iter().position(|r| r.code == unit.code) {
                for bin in distribution.bins_of(u) {
                    let width = (bin.to - bin.from + 1) as f64;
                    for rank in bin.from..=bin.to {
                        if let Some(p) = probabilities.get_mut(rank as usize - 1) {
                            *p = bin.probability / width;
                        }
                    }
                }
            }
            probabilities
        })
        .collect()
}
