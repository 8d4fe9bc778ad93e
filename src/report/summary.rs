//! `summary.json`: everything a run found and everything a rerun needs (inputs' hash, method, scenario text, seed, samples, version).

use serde::Serialize;

use super::coherence_findings::CoherenceSummary;
use super::method::MethodDisclosure;
use super::provenance::{DerivedScenario, RunSettings};
use super::ranking::UnitResult;
use crate::analysis::convergence::Convergence;
use crate::analysis::listed::Listed;
use crate::analysis::rank_stats::UncertaintyStats;
use crate::analysis::robust::RobustVerdict;
use crate::analysis::sensitivity::{FocusDriver, SensitivityRun, TargetResult, UnitTargets};
use crate::analysis::sobol::{EstimatorSettings, PointKind};
use crate::analysis::uncertainty_run::UncertaintyRun;
use crate::analysis::verdict::FocusVerdict;
use crate::analysis::weights::drop::DropResult;
use crate::analysis::weights::exact::{BoundsReport, StabilityReport};
use crate::analysis::weights::sweep::{SimplexResult, SweepResult};
use crate::model::method::Method;
use crate::model::{Diagnostic, Index};
use crate::pipeline::screen::{ScreenedUnit, Screening};
use crate::scenario::factors::FactorSummary;

/// The data set a run used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataSummary {
    pub name: String,
    pub source: String,
    pub input_hash: String,
    pub reconstruction: bool,
    pub provenance: String,
    pub units: usize,
    pub indicators: usize,
    pub levels: usize,
    /// Units that screening left out (`nominal_method.screen`); absent when none are.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub screened_out: Vec<ScreenedUnit>,
    /// The same, as the sentence the reports print.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screening: Option<String>,
    /// Load warnings (e.g. ignored data.csv columns); absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Diagnostic>,
}

impl DataSummary {
    pub fn of(index: &Index) -> Self {
        // A run that writes a summary has prepared the data, so screening succeeded.
        let screening = crate::pipeline::prepare::screening(index).unwrap_or_default();
        let disclosure = screening.disclosure();
        let Screening { screened_out, .. } = screening;
        DataSummary {
            name: index.info.name.clone(),
            source: index.info.source.clone(),
            input_hash: index.info.input_hash.clone(),
            reconstruction: index.info.reconstruction,
            provenance: index.info.provenance.trim().to_string(),
            units: index.n_units(),
            indicators: index.framework.n_indicators(),
            levels: index.framework.n_levels,
            screened_out,
            screening: disclosure,
            warnings: index.warnings.clone(),
        }
    }
}

/// The scenario a run used, with its full text so the run can be repeated from this file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioSummary {
    pub file: String,
    pub sha256: String,
    pub text: String,
    pub factors: Vec<FactorSummary>,
}

/// One factor and how many samples moved it off its nominal value (a factor that never moved
/// was declared but had no effect).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorActivity {
    pub factor: String,
    pub samples_moved: u64,
}

/// Uncertainty section of the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UncertaintySummary {
    pub seed: u64,
    pub samples: u64,
    pub focus: Option<String>,
    pub top_k: u32,
    /// The stop rule, the samples used, the largest remaining error and what is unsettled.
    pub convergence: Convergence,
    pub factor_activity: Vec<FactorActivity>,
    pub verdict: Option<FocusVerdict>,
    /// The verdict as the reports print it.
    pub verdict_sentence: Option<String>,
    /// Above [`COMPACT_OUTPUT_UNITS`](crate::analysis::listed::COMPACT_OUTPUT_UNITS) units, in summary.json only: which units
    /// `statistics.units` lists and how the statistics spread over all of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_units: Option<UnitsOverview>,
    pub statistics: UncertaintyStats,
}

/// What a compact summary.json says about all units: how many there are and which are listed,
/// where every unit's statistics are, and how the main ones spread over all units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitsOverview {
    pub units: usize,
    pub listed: usize,
    /// Which units `statistics.units` lists.
    pub listed_units: String,
    /// The files that hold every unit's statistics.
    pub tables: Vec<&'static str>,
    /// Over all units: the width of the 90% rank interval (q95 − q05), the mean |rank −
    /// nominal rank| and the probability of staying in the nominal rank band.
    pub interval_width: Spread,
    pub mean_abs_shift: Spread,
    pub p_nominal_band: Spread,
    /// Statistics still unsettled over all units (`convergence.unsettled` lists the listed
    /// units' ones), pair probabilities and central-weight rows in the tables.
    pub unsettled_statistics: usize,
    pub pairs: usize,
    pub central_weights: usize,
}

/// How a statistic spreads over the units: its minimum, deciles and quartiles, median and
/// maximum (type 7 quantiles over the units, Hyndman & Fan 1996).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    pub min: f64,
    pub p10: f64,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
    pub p90: f64,
    pub max: f64,
}

impl Spread {
    /// The spread of the finite values (NaN throughout when there are none: `null` in JSON).
    fn of(values: impl Iterator<Item = f64>) -> Spread {
        let mut sorted: Vec<f64> = values.filter(|v| v.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        let quantile = |p: f64| {
            if sorted.is_empty() {
                return f64::NAN;
            }
            let h = (sorted.len() - 1) as f64 * p;
            let lo = h.floor() as usize;
            let next = sorted[(lo + 1).min(sorted.len() - 1)];
            sorted[lo] + (h - lo as f64) * (next - sorted[lo])
        };
        Spread {
            min: quantile(0.0),
            p10: quantile(0.1),
            p25: quantile(0.25),
            median: quantile(0.5),
            p75: quantile(0.75),
            p90: quantile(0.9),
            max: quantile(1.0),
        }
    }
}

impl UncertaintySummary {
    /// The section as a compact summary.json holds it, above [`COMPACT_OUTPUT_UNITS`](crate::analysis::listed::COMPACT_OUTPUT_UNITS) units
    /// (`None` at or below): the statistics, unsettled statistics, pair probabilities and
    /// central weights of the focus, the units within [`LISTED_NEIGHBOURS`](crate::analysis::listed::LISTED_NEIGHBOURS) nominal ranks of
    /// it and the top k only, and an overview of all units.
    pub fn compact(&self) -> Option<UncertaintySummary> {
        let stats = &self.statistics;
        let focus_rank = self.focus.as_ref().and_then(|code| {
            stats
                .units
                .iter()
                .find(|u| &u.code == code)
                .map(|u| u.nominal_rank)
        });
        let listed = Listed::for_index(stats.units.len(), self.top_k, focus_rank)?;
        let units: Vec<_> = stats
            .units
            .iter()
            .filter(|u| listed.contains(u.nominal_rank))
            .cloned()
            .collect();
        let codes: std::collections::HashSet<String> =
            units.iter().map(|u| u.code.clone()).collect();
        let overview = UnitsOverview {
            units: stats.units.len(),
            listed: units.len(),
            listed_units: listed.describe(self.focus.as_deref()),
            tables: vec![
                "rank_stats.csv",
                "rank_bands.csv",
                "pairwise.csv",
                "central_weights.csv",
            ],
            interval_width: Spread::of(stats.units.iter().map(|u| u.q95_rank - u.q05_rank)),
            mean_abs_shift: Spread::of(stats.units.iter().map(|u| u.mean_abs_shift)),
            p_nominal_band: Spread::of(stats.units.iter().map(|u| u.p_nominal_band)),
            unsettled_statistics: self.convergence.unsettled.len()
                + self.convergence.unsettled_elsewhere,
            pairs: stats.pairs.len(),
            central_weights: stats.central_weights.len(),
        };
        let mut convergence = self.convergence.clone();
        convergence
            .unsettled
            .retain(|s| codes.contains(s.code.as_str()));
        Some(UncertaintySummary {
            convergence,
            all_units: Some(overview),
            statistics: UncertaintyStats {
                units,
                pairs: stats
                    .pairs
                    .iter()
                    .filter(|p| codes.contains(p.a.as_str()) && codes.contains(p.b.as_str()))
                    .cloned()
                    .collect(),
                central_weights: stats
                    .central_weights
                    .iter()
                    .filter(|c| codes.contains(c.code.as_str()))
                    .cloned()
                    .collect(),
                weight_codes: stats.weight_codes.clone(),
                ..*stats
            },
            ..self.clone_without_statistics()
        })
    }

    /// The section's small fields, with empty statistics and convergence lists (what
    /// [`UncertaintySummary::compact`] fills in).
    fn clone_without_statistics(&self) -> UncertaintySummary {
        UncertaintySummary {
            seed: self.seed,
            samples: self.samples,
            focus: self.focus.clone(),
            top_k: self.top_k,
            convergence: Convergence {
                unsettled: Vec::new(),
                stop_rule: self.convergence.stop_rule.clone(),
                scope: self.convergence.scope.clone(),
                ..self.convergence
            },
            factor_activity: self.factor_activity.clone(),
            verdict: self.verdict.clone(),
            verdict_sentence: self.verdict_sentence.clone(),
            all_units: None,
            statistics: UncertaintyStats {
                units: Vec::new(),
                pairs: Vec::new(),
                weight_codes: Vec::new(),
                central_weights: Vec::new(),
                ..self.statistics
            },
        }
    }

    pub fn of(run: &UncertaintyRun, seed: u64) -> Self {
        let setup = &run.setup;
        UncertaintySummary {
            seed,
            samples: run.accumulator.samples,
            focus: setup.focus.map(|f| setup.prepared.units[f].code.clone()),
            top_k: setup.top_k,
            convergence: run.convergence.clone(),
            factor_activity: run
                .factors
                .iter()
                .zip(&run.accumulator.factor_moved)
                .map(|(f, &moved)| FactorActivity {
                    factor: f.name.clone(),
                    samples_moved: moved,
                })
                .collect(),
            verdict: run.verdict.clone(),
            verdict_sentence: run
                .verdict
                .as_ref()
                .map(|v| super::verdict::focus_sentence(v, &run.convergence)),
            all_units: None,
            statistics: run.stats.clone(),
        }
    }
}

/// The `sensitivity` section of `summary.json`: the design, the estimator and every target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivitySummary {
    pub seed: u64,
    /// Base rows N.
    pub base_samples: usize,
    /// Model runs N (k + 2).
    pub runs: usize,
    pub points: PointKind,
    /// Factor names in design order (the dummy last, when added).
    pub factors: Vec<String>,
    pub dummy: bool,
    pub focus: Option<String>,
    /// k of the `topk` target.
    pub top_k: Option<u32>,
    pub unit_targets: UnitTargets,
    pub estimator: EstimatorSettings,
    pub driver: Option<FocusDriver>,
    pub notes: Vec<String>,
    /// Target names that the summary leads with (R_S and the focus unit's targets).
    pub headline: Vec<String>,
    pub targets: Vec<TargetResult>,
}

impl SensitivitySummary {
    pub fn of(run: &SensitivityRun) -> Self {
        SensitivitySummary {
            seed: run.design.seed(),
            base_samples: run.design.n(),
            runs: run.design.run_count(),
            points: run.design.points(),
            factors: run.factors.clone(),
            dummy: run.design.dummy_factor().is_some(),
            focus: run.focus.map(|f| run.setup.prepared.units[f].code.clone()),
            top_k: run.top_k,
            unit_targets: run.unit_targets,
            estimator: run.settings.clone(),
            driver: run.driver.clone(),
            notes: run.notes.clone(),
            headline: run
                .headline_targets()
                .iter()
                .map(|t| t.target.clone())
                .collect(),
            targets: run.targets.clone(),
        }
    }

    /// The headline targets, in output order.
    pub fn headline_targets(&self) -> Vec<&TargetResult> {
        self.targets
            .iter()
            .filter(|t| self.headline.contains(&t.target))
            .collect()
    }
}

/// The whole `summary.json`. Sections a command did not run are absent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub ranksense_version: String,
    pub command: String,
    pub data: DataSummary,
    pub nominal_method: Method,
    /// Every pipeline step of the nominal method, with what it did to these data.
    pub method: MethodDisclosure,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<ScenarioSummary>,
    /// The scenario derived from the index, when none was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived_scenario: Option<DerivedScenario>,
    /// Samples, seed, focus and top-k, each with where it came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<RunSettings>,
    /// The nominal ranking (`score`): units in rank order with every aggregate's score and rank.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranking: Option<Vec<UnitResult>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<UncertaintySummary>,
    /// With `[[noise]]` entries: the error model, data error against modelling choices, and
    /// every unit's rank interval without and with the data error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_error: Option<super::data_error::DataErrorSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<SensitivitySummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounds: Option<Vec<BoundsReport>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stability: Option<StabilityReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simplex: Option<SimplexResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop: Option<DropResult>,
    /// The statistical coherence audit (`coherence`, and `robust` as one of its sections).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coherence: Option<CoherenceSummary>,
    /// The `robust` verdict, with every number it quotes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<RobustVerdict>,
    /// The `robust` verdict as the reports print it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict_text: Option<super::verdict::VerdictText>,
}

impl Summary {
    pub fn new(command: &str, index: &Index) -> Self {
        Summary {
            ranksense_version: env!("CARGO_PKG_VERSION").to_string(),
            command: command.to_string(),
            data: DataSummary::of(index),
            nominal_method: index.nominal.clone(),
            method: MethodDisclosure::of(index),
            scenario: None,
            derived_scenario: None,
            settings: None,
            ranking: None,
            uncertainty: None,
            data_error: None,
            sensitivity: None,
            bounds: None,
            stability: None,
            simplex: None,
            sweep: None,
            drop: None,
            coherence: None,
            verdict: None,
            verdict_text: None,
        }
    }

    /// Adds the derived scenario's file (the scenario text as run, with its comments) to a
    /// report folder's files, when no scenario was given and one was derived.
    pub fn add_derived_scenario(&self, files: &mut super::output::Files) {
        if let (Some(derived), Some(scenario)) = (&self.derived_scenario, &self.scenario) {
            files.add(derived.file.clone(), scenario.text.clone());
        }
    }

    /// Pretty JSON with a trailing newline. Non-finite numbers become `null`. Above
    /// [`COMPACT_OUTPUT_UNITS`](crate::analysis::listed::COMPACT_OUTPUT_UNITS) units the uncertainty section is compact
    /// ([`UncertaintySummary::compact`]); the reports render from the whole summary.
    pub fn to_json(&self) -> String {
        let compact = self
            .uncertainty
            .as_ref()
            .and_then(UncertaintySummary::compact);
        let json = match compact {
            Some(uncertainty) => serde_json::to_string_pretty(&Summary {
                uncertainty: Some(uncertainty),
                ..self.clone()
            }),
            None => serde_json::to_string_pretty(self),
        };
        json.expect("summary is serialisable") + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R: quantile(c(1, 2, 3, 4, 10), c(0, .1, .25, .5, .75, .9, 1), type = 7)
    /// = 1, 1.4, 2, 3, 4, 7.6, 10; non-finite values are left out.
    #[test]
    fn spreads_are_type7_quantiles_over_the_finite_values() {
        let values = [10.0, f64::NAN, 3.0, 1.0, 4.0, 2.0];
        let spread = Spread::of(values.into_iter());
        let expected = [1.0, 1.4, 2.0, 3.0, 4.0, 7.6, 10.0];
        let got = [
            spread.min,
            spread.p10,
            spread.p25,
            spread.median,
            spread.p75,
            spread.p90,
            spread.max,
        ];
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-12, "{got:?}");
        }
        assert!(Spread::of(std::iter::empty()).median.is_nan());
    }
}
