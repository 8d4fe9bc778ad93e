//! `summary.json`: everything a run found and everything a rerun needs (inputs' hash, method, scenario text, seed, samples, version).

use serde::Serialize;

use super::coherence_findings::CoherenceSummary;
use super::method::MethodDisclosure;
use super::provenance::{DerivedScenario, RunSettings};
use super::ranking::UnitResult;
use crate::analysis::convergence::Convergence;
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
    pub statistics: UncertaintyStats,
}

impl UncertaintySummary {
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

    /// Pretty JSON with a trailing newline. Non-finite numbers become `null`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("summary is serialisable") + "\n"
    }
}
