//! Renderer of `ranksense robust`: the verdict and rank table on the terminal, the report folder
//! as its files.

use std::fmt::Write;
use std::path::Path;
use std::time::Duration;

use super::Render;
use super::uncertainty::{LONG_TABLE, SHOWN_UNITS};
use crate::analysis::robust::RobustRun;
use crate::model::Index;
use crate::report::format::fmt_samples;
use crate::report::output::Files;
use crate::report::robust::robust_files;
use crate::report::summary::Summary;
use crate::report::uncertainty::uncertainty_table;
use crate::report::verdict::robust_text;

/// A robust run and its report folder, built once (the charts are the costly part).
pub struct RobustView<'a> {
    pub index: &'a Index,
    pub summary: &'a Summary,
    pub run: &'a RobustRun,
    /// The report folder's files.
    files: Files,
    /// Where the report folder goes, for the terminal text.
    pub folder: &'a Path,
    /// Base rows of the Sobol design and the seed, for the terminal's run line.
    pub base_samples: usize,
    pub seed: u64,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl<'a> RobustView<'a> {
    pub fn new(
        index: &'a Index,
        summary: &'a Summary,
        run: &'a RobustRun,
        folder: &'a Path,
        (base_samples, seed): (usize, u64),
        elapsed: Duration,
    ) -> Self {
        RobustView {
            files: robust_files(index, summary, run),
            index,
            summary,
            run,
            folder,
            base_samples,
            seed,
            elapsed,
        }
    }
}

impl Render for RobustView<'_> {
    fn table(&self) -> String {
        let run = self.run;
        let mut out = format!("{}\n", self.index.info.name);
        let _ = writeln!(
            out,
            "Scenario {} · {} · Sobol N = {} · seed {} · {:.1} s\n",
            self.summary
                .scenario
                .as_ref()
                .map_or("", |s| s.file.as_str()),
            fmt_samples(run.uncertainty.stats.samples),
            self.base_samples,
            self.seed,
            self.elapsed.as_secs_f64()
        );
        let text = robust_text(&run.verdict, &run.uncertainty.convergence);
        let _ = writeln!(out, "VERDICT: {}\n", text.sentence);
        for point in &text.points {
            let _ = writeln!(out, "  • {point}");
        }
        let stats = &run.uncertainty.stats;
        let limit = (stats.units.len() > LONG_TABLE).then_some(SHOWN_UNITS);
        let _ = writeln!(
            out,
            "\n{}",
            uncertainty_table(stats, run.uncertainty.setup.focus, limit).to_terminal()
        );
        for note in &run.notes {
            let _ = writeln!(out, "Note: {note}");
        }
        let _ = writeln!(
            out,
            "Report: {} ({} files; open report.html in a browser)",
            self.folder.display(),
            self.files.files.len()
        );
        out
    }

    /// The report folder's report.md.
    fn markdown(&self) -> String {
        String::from_utf8_lossy(self.files.get("report.md").unwrap_or_default()).into_owned()
    }

    /// None: the report folder holds the CSVs.
    fn csv(&self) -> Option<String> {
        None
    }

    fn json(&self) -> String {
        self.summary.to_json()
    }

    fn files(&self) -> Files {
        self.files.clone()
    }

    fn files_first(&self) -> bool {
        true
    }
}
