//! Renderer of `ranksense uncertainty` (and `merge`): every unit's rank distribution and the
//! focus unit's verdict.

use std::fmt::Write;
use std::time::Duration;

use super::{Render, header};
use crate::analysis::uncertainty_run::UncertaintyRun;
use crate::model::Index;
use crate::report::output::Files;
use crate::report::summary::Summary;
use crate::report::uncertainty::{
    rank_stats_csv, uncertainty_files, uncertainty_markdown, uncertainty_table,
};
use crate::report::verdict::{convergence_sentence, data_error_sentence, focus_sentence};

/// Tables of more units than this show only the first [`SHOWN_UNITS`] on the terminal.
pub(super) const LONG_TABLE: usize = 60;
/// Units shown on the terminal from a long table.
pub(super) const SHOWN_UNITS: usize = 30;

/// A Monte Carlo uncertainty run with its summary.
pub struct UncertaintyView<'a> {
    pub index: &'a Index,
    /// The run's summary.json (scenario and settings described).
    pub summary: &'a Summary,
    pub result: &'a UncertaintyRun,
    /// Wall-clock time of the run (zero for a merge).
    pub elapsed: Duration,
}

impl Render for UncertaintyView<'_> {
    fn table(&self) -> String {
        let (summary, result) = (self.summary, self.result);
        let stats = &result.stats;
        let focus = result.setup.focus;
        let mut out = String::new();
        header(&mut out, self.index, "rank uncertainty");
        let _ = writeln!(
            out,
            "{} samples (seed {}) in {:.2} s; scenario {}\n",
            stats.samples,
            summary
                .uncertainty
                .as_ref()
                .map(|u| u.seed)
                .unwrap_or_default(),
            self.elapsed.as_secs_f64(),
            summary
                .scenario
                .as_ref()
                .map(|s| s.file.as_str())
                .unwrap_or("")
        );
        let limit = (stats.units.len() > LONG_TABLE).then_some(SHOWN_UNITS);
        out.push_str(&uncertainty_table(stats, focus, limit).to_terminal());
        if let Some(verdict) = &result.verdict {
            let _ = writeln!(
                out,
                "\nVerdict: {}",
                focus_sentence(verdict, &result.convergence)
            );
            let _ = writeln!(out, "Rule: {}.", verdict.rule.text());
        }
        // Data error against modelling choices, in the words of the report and of `robust`.
        if let Some(data_error) = &result.data_error {
            if let Some(split) = &data_error.split {
                let _ = writeln!(out, "\n{}", data_error_sentence(split));
            }
            for note in &data_error.notes {
                let _ = writeln!(out, "Note: {note}.");
            }
        }
        let _ = writeln!(
            out,
            "\n{}",
            convergence_sentence(&result.convergence, result.setup.top_k)
        );
        if let Some(uncertainty) = &summary.uncertainty {
            for activity in &uncertainty.factor_activity {
                if activity.samples_moved == 0 {
                    let _ = writeln!(
                        out,
                        "Warning: factor `{}` never moved off its nominal value.",
                        activity.factor
                    );
                }
            }
        }
        out
    }

    fn markdown(&self) -> String {
        uncertainty_markdown(self.summary)
    }

    fn csv(&self) -> Option<String> {
        Some(rank_stats_csv(&self.result.stats))
    }

    fn json(&self) -> String {
        self.summary.to_json()
    }

    fn files(&self) -> Files {
        uncertainty_files(self.summary, self.result)
    }
}
