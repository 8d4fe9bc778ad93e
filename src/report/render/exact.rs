//! Renderers of the exact weight analyses: `bounds`, `stability`, `sweep` (and its simplex map)
//! and `drop`.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::{Render, header};
use crate::analysis::weights::drop::DropResult;
use crate::analysis::weights::exact::{BoundsReport, StabilityReport};
use crate::analysis::weights::sweep::{SimplexResult, SweepResult};
use crate::model::Index;
use crate::report::exact as report;
use crate::report::output::Files;
use crate::report::table::Table;

/// "Wrote bounds.csv, summary.json to out": the exact analyses name their few files.
fn written_names(dir: &Path, written: &[PathBuf]) -> String {
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        .collect();
    format!("\nWrote {} to {}\n", names.join(", "), dir.display())
}

/// Title, method and sentence of the table format.
fn heading(index: &Index, what: &str, method: &str, sentence: &str) -> String {
    let mut out = String::new();
    header(&mut out, index, what);
    let _ = writeln!(out, "Method: {method}");
    let _ = writeln!(out, "\n{sentence}");
    out
}

/// The Markdown of a sentence and its table.
fn sentence_table_markdown(sentence: &str, table: &Table) -> String {
    format!("{sentence}\n\n{}", table.to_markdown())
}

/// The exact rank bounds of `ranksense bounds`.
pub struct BoundsView<'a> {
    pub index: &'a Index,
    pub result: &'a BoundsReport,
    /// Bounds of every unit (`--all`), not only the focus unit's witness table.
    pub all_units: bool,
    /// Where the witness weights are written, for the sentence.
    pub witness_file: Option<String>,
}

impl BoundsView<'_> {
    fn focus_unit(&self) -> Option<&crate::analysis::weights::exact::UnitBounds> {
        let result = self.result;
        result.focus.as_deref().and_then(|f| result.unit(f))
    }

    fn sentence(&self) -> String {
        match self.focus_unit() {
            Some(unit) => report::bounds_sentence(self.result, unit, self.witness_file.as_deref()),
            None => report::bounds_all_sentence(self.result),
        }
    }

    fn result_table(&self) -> Table {
        match (self.all_units, self.focus_unit()) {
            (false, Some(unit)) => report::witness_table(self.result, unit),
            _ => report::bounds_table(self.result),
        }
    }
}

impl Render for BoundsView<'_> {
    fn table(&self) -> String {
        let result = self.result;
        let sentence = self.sentence();
        let mut out = heading(
            self.index,
            "exact rank bounds",
            &result.method.label(),
            &sentence,
        );
        let _ = write!(out, "\n{}", self.result_table().to_terminal());
        if self.all_units
            && let Some(unit) = self.focus_unit()
        {
            let _ = writeln!(
                out,
                "\n{}",
                report::bounds_sentence(result, unit, self.witness_file.as_deref())
            );
        }
        if result.units.iter().any(|u| !u.exact) {
            out.push_str("* achieved by the witness weights, not proven extreme (see below).\n");
        }
        let _ = writeln!(out, "\n{}", result.exactness);
        for note in &result.notes {
            let _ = writeln!(out, "Note: {note}.");
        }
        if let Some(unit) = result.units.iter().find(|u| !u.verified) {
            let _ = writeln!(
                out,
                "Warning: the ordinary scorer ranks {} {} and {} at its witnesses (reported {} and {}).",
                unit.code,
                unit.scorer_best_rank,
                unit.scorer_worst_rank,
                unit.best_rank,
                unit.worst_rank
            );
        }
        out
    }

    fn markdown(&self) -> String {
        sentence_table_markdown(&self.sentence(), &self.result_table())
    }

    fn csv(&self) -> Option<String> {
        Some(report::bounds_csv(self.result))
    }

    fn json(&self) -> String {
        report::bounds_summary(self.index, self.result).to_json()
    }

    fn files(&self) -> Files {
        report::bounds_files(self.index, self.result)
    }

    fn written(&self, dir: &Path, written: &[PathBuf]) -> String {
        written_names(dir, written)
    }
}

/// The weight stability intervals of `ranksense stability`.
pub struct StabilityView<'a> {
    pub index: &'a Index,
    pub result: &'a StabilityReport,
}

impl StabilityView<'_> {
    /// The tables and sentences after the heading, in either text format.
    fn body(&self, out: &mut String, markdown: bool) {
        let result = self.result;
        let text = |table: Table| {
            if markdown {
                table.to_markdown()
            } else {
                table.to_terminal()
            }
        };
        for set in &result.sets {
            let _ = writeln!(
                out,
                "\n{} (one at a time, siblings rescaled proportionally; normalised within the parent):",
                capitalise(&set.label)
            );
            out.push_str(&text(report::stability_table(set, result.top_k)));
        }
        let _ = writeln!(
            out,
            "\nSmallest weight changes that move {} one place:",
            result.focus
        );
        out.push_str(&text(report::minimal_change_table(result)));
        for set in &result.sets {
            let _ = writeln!(out, "{}", report::minimal_change_sentence(result, set));
        }
        for skipped in &result.skipped {
            let _ = writeln!(out, "Skipped {skipped}");
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl Render for StabilityView<'_> {
    fn table(&self) -> String {
        let sentence = report::stability_sentence(self.result);
        let mut out = heading(
            self.index,
            "weight stability",
            &self.result.method.label(),
            &sentence,
        );
        self.body(&mut out, false);
        out
    }

    fn markdown(&self) -> String {
        let mut out = format!("{}\n", report::stability_sentence(self.result));
        self.body(&mut out, true);
        out
    }

    fn csv(&self) -> Option<String> {
        Some(report::stability_csv(self.result))
    }

    fn json(&self) -> String {
        report::stability_summary(self.index, self.result).to_json()
    }

    fn files(&self) -> Files {
        report::stability_files(self.index, self.result)
    }

    fn written(&self, dir: &Path, written: &[PathBuf]) -> String {
        written_names(dir, written)
    }
}

/// The rank map over a weight simplex of `ranksense sweep --simplex`.
pub struct SimplexView<'a> {
    pub index: &'a Index,
    pub result: &'a SimplexResult,
}

impl Render for SimplexView<'_> {
    fn table(&self) -> String {
        heading(
            self.index,
            "rank over the weight simplex",
            &self.result.method.label(),
            &report::simplex_sentence(self.result),
        )
    }

    fn markdown(&self) -> String {
        format!("{}\n", report::simplex_sentence(self.result))
    }

    fn csv(&self) -> Option<String> {
        Some(report::simplex_csv(self.result))
    }

    fn json(&self) -> String {
        report::simplex_summary(self.index, self.result).to_json()
    }

    fn files(&self) -> Files {
        report::simplex_files(self.index, self.result)
    }

    fn written(&self, dir: &Path, written: &[PathBuf]) -> String {
        written_names(dir, written)
    }
}

/// The one-weight sweep of `ranksense sweep`.
pub struct SweepView<'a> {
    pub index: &'a Index,
    pub result: &'a SweepResult,
}

impl Render for SweepView<'_> {
    fn table(&self) -> String {
        let mut out = heading(
            self.index,
            "weight sweep",
            &self.result.method.label(),
            &report::sweep_sentence(self.result),
        );
        if let Some(table) = report::sweep_table(self.result) {
            let _ = write!(out, "\n{}", table.to_terminal());
        }
        out
    }

    fn markdown(&self) -> String {
        let sentence = report::sweep_sentence(self.result);
        match report::sweep_table(self.result) {
            Some(table) => sentence_table_markdown(&sentence, &table),
            None => format!("{sentence}\n"),
        }
    }

    fn csv(&self) -> Option<String> {
        Some(report::sweep_csv(self.result))
    }

    fn json(&self) -> String {
        report::sweep_summary(self.index, self.result).to_json()
    }

    fn files(&self) -> Files {
        report::sweep_files(self.index, self.result)
    }

    fn written(&self, dir: &Path, written: &[PathBuf]) -> String {
        written_names(dir, written)
    }
}

/// The dropped elements of `ranksense drop`.
pub struct DropView<'a> {
    pub index: &'a Index,
    pub result: &'a DropResult,
}

impl Render for DropView<'_> {
    fn table(&self) -> String {
        let mut out = heading(
            self.index,
            "dropping elements (weight set to zero, COINr remove_elements)",
            &self.result.method.label(),
            &report::drop_sentence(self.result),
        );
        let _ = write!(out, "\n{}", report::drop_table(self.result).to_terminal());
        out
    }

    fn markdown(&self) -> String {
        sentence_table_markdown(
            &report::drop_sentence(self.result),
            &report::drop_table(self.result),
        )
    }

    fn csv(&self) -> Option<String> {
        Some(report::drop_csv(self.result))
    }

    fn json(&self) -> String {
        report::drop_summary(self.index, self.result).to_json()
    }

    fn files(&self) -> Files {
        report::drop_files(self.index, self.result)
    }

    fn written(&self, dir: &Path, written: &[PathBuf]) -> String {
        written_names(dir, written)
    }
}
