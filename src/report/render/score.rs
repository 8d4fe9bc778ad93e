//! Renderer of `ranksense score`: the nominal ranking.

use std::fmt::Write;

use super::Render;
use crate::model::Index;
use crate::pipeline::{Evaluation, Prepared};
use crate::report::method::MethodDisclosure;
use crate::report::output::Files;
use crate::report::ranking::{column_nodes, ranking_csv, ranking_table, ranking_units};
use crate::report::summary::Summary;

/// The nominal ranking of an index (its method possibly replaced by a what-if one).
pub struct ScoreView<'a> {
    /// The index as scored (a what-if method already in its nominal method).
    pub index: &'a Index,
    pub prepared: &'a Prepared,
    pub evaluation: &'a Evaluation,
    /// The level whose nodes are shown beside the index (1 = indicators; default: the level
    /// below the index).
    pub level: Option<usize>,
}

impl ScoreView<'_> {
    fn ranking_table(&self) -> crate::report::table::Table {
        let focus = self
            .index
            .info
            .focus
            .as_deref()
            .and_then(|f| self.prepared.find_unit(f));
        let columns = column_nodes(self.prepared, self.level);
        ranking_table(self.prepared, self.evaluation, &columns, focus)
    }
}

impl Render for ScoreView<'_> {
    fn table(&self) -> String {
        let index = self.index;
        let mut out = format!("{}\n", index.info.name);
        if index.info.reconstruction {
            out.push_str(
                "Note: these data are a reconstruction, not the publisher's data (see `ranksense validate` / the data README).\n",
            );
        }
        // Every step that ran, from the one disclosure every report prints.
        out.push_str("Method:\n");
        for line in MethodDisclosure::of(index).lines() {
            let _ = writeln!(out, "  {line}");
        }
        if let Some(screened) = self.machine_note() {
            let _ = writeln!(out, "{screened}");
        }
        out.push('\n');
        out.push_str(&self.ranking_table().to_terminal());
        out
    }

    fn markdown(&self) -> String {
        let mut out = String::new();
        if let Some(screened) = self.machine_note() {
            let _ = writeln!(out, "{screened}\n");
        }
        out.push_str(&self.ranking_table().to_markdown());
        out
    }

    fn csv(&self) -> Option<String> {
        let indicators = self.level == Some(1);
        Some(ranking_csv(self.prepared, self.evaluation, indicators))
    }

    /// The summary.json envelope; its method is the one scored (what-if included).
    fn json(&self) -> String {
        let mut summary = Summary::new("score", self.index);
        summary.ranking = Some(ranking_units(self.prepared, self.evaluation));
        summary.to_json()
    }

    /// `score` writes no files.
    fn files(&self) -> Files {
        Files::default()
    }

    /// The units screened out, disclosed in the table's header.
    fn machine_note(&self) -> Option<String> {
        self.prepared.screening.disclosure()
    }
}
