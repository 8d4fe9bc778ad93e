//! Renderers of Sobol sensitivity: `ranksense sensitivity` (the index's uncertain choices) and
//! `ranksense sobol analyze` (any model's outputs).

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Render, header};
use crate::analysis::sensitivity::SensitivityRun;
use crate::analysis::sobol::{Estimator, EstimatorSettings, PointKind, SobolResult};
use crate::model::Index;
use crate::report::output::Files;
use crate::report::sensitivity::{
    convergence_table, sensitivity_files, sensitivity_markdown, sobol_csv, sobol_table,
    targets_sobol_csv, targets_sobol_table,
};
use crate::report::summary::Summary;

/// Constant targets named on the terminal before the list is cut with "…".
const NAMED_CONSTANT_TARGETS: usize = 8;

/// A Sobol sensitivity run of an index with its summary.
pub struct SensitivityView<'a> {
    pub index: &'a Index,
    pub summary: &'a Summary,
    pub result: &'a SensitivityRun,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl Render for SensitivityView<'_> {
    fn table(&self) -> String {
        let result = self.result;
        let design = &result.design;
        let mut out = String::new();
        header(&mut out, self.index, "Sobol sensitivity");
        let _ = writeln!(
            out,
            "N = {} base rows × ({} factors + 2) = {} runs ({} points, seed {}), {} bootstrap \
             resamples, in {:.2} s; scenario {}\n",
            design.n(),
            design.factor_count(),
            design.run_count(),
            match design.points() {
                PointKind::Sobol => "Sobol",
                PointKind::Random => "random",
            },
            design.seed(),
            result.settings.bootstrap_resamples,
            self.elapsed.as_secs_f64(),
            self.summary
                .scenario
                .as_ref()
                .map_or("", |s| s.file.as_str())
        );
        let headline = result.headline_targets();
        out.push_str(
            &targets_sobol_table(&headline, result.settings.confidence_level).to_terminal(),
        );
        if let Some(driver) = &result.driver {
            let _ = writeln!(out, "\n{}", driver.sentence);
        }
        let constant: Vec<&str> = result
            .targets
            .iter()
            .filter(|t| t.sobol.constant)
            .map(|t| t.target.as_str())
            .collect();
        if !constant.is_empty() {
            let shown = constant.len().min(NAMED_CONSTANT_TARGETS);
            let _ = writeln!(
                out,
                "\n{} of {} targets never change (reported as constant, indices 0): {}{}",
                constant.len(),
                result.targets.len(),
                constant[..shown].join(", "),
                if constant.len() > shown { ", …" } else { "" }
            );
        }
        for note in &result.notes {
            let _ = writeln!(out, "Note: {note}");
        }
        let convergence_target = result
            .driver
            .as_ref()
            .and_then(|d| result.target(&d.target))
            .or_else(|| headline.first().copied())
            .filter(|t| !t.sobol.constant);
        if let Some(target) = convergence_target {
            let _ = writeln!(
                out,
                "\nConvergence of {} (S_i / ST_i on the first N/8, N/4, N/2, N rows):",
                target.target
            );
            out.push_str(&convergence_table(target).to_terminal());
        }
        out
    }

    fn markdown(&self) -> String {
        sensitivity_markdown(self.summary)
    }

    fn csv(&self) -> Option<String> {
        Some(targets_sobol_csv(&self.result.targets))
    }

    fn json(&self) -> String {
        self.summary.to_json()
    }

    fn files(&self) -> Files {
        sensitivity_files(self.summary, self.result)
    }
}

/// Sobol indices of one output of a model that runs outside ranksense (`sobol analyze`).
pub struct SobolView<'a> {
    /// The output column analysed.
    pub target: &'a str,
    pub settings: &'a EstimatorSettings,
    pub result: &'a SobolResult,
    /// Model runs in the design.
    pub runs: usize,
}

impl Render for SobolView<'_> {
    fn table(&self) -> String {
        let (target, settings, result) = (self.target, self.settings, self.result);
        let k = result.indices.len();
        let mut out = format!(
            "Sobol indices of `{target}`: N = {} base rows, {k} factors, {} runs; {} bootstrap \
             resamples ({:.0}% intervals), {} estimator\n\n",
            result.n,
            self.runs,
            settings.bootstrap_resamples,
            100.0 * settings.confidence_level,
            match settings.estimator {
                Estimator::Centred => "centred",
                Estimator::Coinr => "COINr's uncentred",
            }
        );
        out.push_str(&sobol_table([(target, result)], settings.confidence_level).to_terminal());
        if result.constant {
            out.push_str("\nThe outputs are all equal: no factor moves them (every index is 0).\n");
        }
        out
    }

    fn markdown(&self) -> String {
        sobol_table([(self.target, self.result)], self.settings.confidence_level).to_markdown()
    }

    fn csv(&self) -> Option<String> {
        Some(sobol_csv([(self.target, self.result)]))
    }

    /// The target, the estimator's settings and the result: a model-agnostic analysis has no
    /// index to describe, so no summary.json envelope.
    fn json(&self) -> String {
        let json = serde_json::json!({
            "target": self.target,
            "estimator": self.settings,
            "result": self.result,
        });
        serde_json::to_string_pretty(&json).expect("a JSON value is serialisable") + "\n"
    }

    fn files(&self) -> Files {
        let mut files = Files::default();
        files.add("sobol.csv", self.csv().unwrap_or_default());
        files
    }

    /// Nothing: the analysis only mirrors its CSV into the folder.
    fn written(&self, _dir: &Path, _written: &[PathBuf]) -> String {
        String::new()
    }
}
