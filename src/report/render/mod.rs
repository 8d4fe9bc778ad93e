//! One renderer per result: every result a command prints implements [`Render`], which knows
//! the result's terminal table, Markdown, CSV (where it has one), JSON and the files it writes.
//! The CLI presents any result through one function, so a new output format or a new result is
//! added here, not in each command.
//!
//! Renderers build whole strings (writing into a `String` cannot fail, so the `fmt::Result`s
//! of `writeln!` are dropped).

mod exact;
mod robust;
mod score;
mod sensitivity;
mod uncertainty;

pub use exact::{BoundsView, DropView, SimplexView, StabilityView, SweepView};
pub use robust::RobustView;
pub use score::ScoreView;
pub use sensitivity::{SensitivityView, SobolView};
pub use uncertainty::UncertaintyView;

use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::output::Files;
use crate::model::Index;

/// What a result is printed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For people at a terminal: title, method, sentence, aligned tables, notes.
    Table,
    /// One table at full precision, for programs.
    Csv,
    /// The summary.json envelope (or, for a model-agnostic Sobol analysis, its result).
    Json,
    /// For reports: the sentence and the tables in Markdown.
    Markdown,
}

impl Format {
    /// CSV and JSON: standard output is pure data, so notes go to standard error.
    pub fn is_machine_readable(self) -> bool {
        matches!(self, Format::Csv | Format::Json)
    }
}

/// A result that can be printed and written.
pub trait Render {
    /// The terminal text.
    fn table(&self) -> String;
    /// The Markdown text.
    fn markdown(&self) -> String;
    /// The CSV printed on standard output; `None` for a result that is a report rather than
    /// one table (`robust`: its folder holds the CSVs).
    fn csv(&self) -> Option<String>;
    /// The JSON printed on standard output.
    fn json(&self) -> String;
    /// The files written into the output folder, in order.
    fn files(&self) -> Files;

    /// What the terminal text says after the files went to `dir` (printed in the table format
    /// only).
    fn written(&self, dir: &Path, written: &[PathBuf]) -> String {
        format!("\nWrote {} files to {}\n", written.len(), dir.display())
    }
    /// A note that the table and Markdown texts carry and the machine-readable formats print
    /// on standard error instead.
    fn machine_note(&self) -> Option<String> {
        None
    }
    /// Whether the files are the result itself and are written before anything is printed
    /// (the `robust` report folder, whose text says where it went); otherwise the text comes
    /// first and [`Render::written`] after it.
    fn files_first(&self) -> bool {
        false
    }

    /// The text of `format`, or `None` where the result has no such form.
    fn render(&self, format: Format) -> Option<String> {
        match format {
            Format::Table => Some(self.table()),
            Format::Csv => self.csv(),
            Format::Json => Some(self.json()),
            Format::Markdown => Some(self.markdown()),
        }
    }
}

/// Title line and, for reconstructed data, the reminder that the answer is about them.
fn header(out: &mut String, index: &Index, what: &str) {
    let _ = writeln!(out, "{} — {what}", index.info.name);
    if index.info.reconstruction {
        out.push_str(
            "Note: these data are a reconstruction, not the publisher's data; the answer is about the reconstruction.\n",
        );
    }
}
