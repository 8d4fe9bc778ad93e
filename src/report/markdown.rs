//! `report.md`: the human-readable report, rendered from the same typed results as `summary.json`.

use std::fmt::Write;

use super::summary::{DataSummary, Summary};
use super::table::Table;
use crate::analysis::verdict::FocusVerdict;

/// Markdown sections shared by every report.
pub struct MarkdownReport {
    out: String,
}

impl MarkdownReport {
    /// Starts a report: title, reconstruction note, data and method.
    pub fn new(title: &str, summary: &Summary) -> Self {
        let mut out = String::new();
        let data = &summary.data;
        let _ = writeln!(out, "# {title}\n");
        let _ = writeln!(out, "**Index:** {}  ", data.name);
        if data.reconstruction {
            let _ = writeln!(
                out,
                "\n> **Reconstructed data.** This data set reproduces the index's published facts but is not the publisher's data; the results describe the reconstruction. Load the real data in the same format to get the real answer.\n"
            );
        }
        let _ = writeln!(out, "## Data and method\n");
        let _ = writeln!(
            out,
            "- Data: {} ({} units, {} indicators, {} levels), source `{}`, SHA-256 `{}`",
            data.name,
            data.units,
            data.indicators,
            data.levels,
            data.source,
            short_hash(&data.input_hash)
        );
        let _ = writeln!(out, "- Method, every step in the order it runs:");
        for line in summary.method.lines() {
            let _ = writeln!(out, "  - {line}");
        }
        if let Some(provenance) = provenance_line(data) {
            let _ = writeln!(out, "- {provenance}");
        }
        if let Some(screening) = &data.screening {
            let _ = writeln!(out, "- **{screening}**");
        }
        for warning in &data.warnings {
            let _ = writeln!(
                out,
                "- **Warning:** {}: {} (fix: {})",
                warning.location, warning.problem, warning.fix
            );
        }
        if let Some(scenario) = &summary.scenario {
            let _ = writeln!(
                out,
                "- Scenario: `{}` (SHA-256 `{}`), factors:",
                scenario.file,
                short_hash(&scenario.sha256)
            );
            for factor in &scenario.factors {
                let _ = writeln!(out, "  - **{}** — {}", factor.name, factor.description);
            }
        }
        if let Some(u) = &summary.uncertainty {
            let _ = writeln!(
                out,
                "- Monte Carlo: {} samples, seed {}, ranksense {}; probabilities are given with their binomial standard errors",
                u.samples, u.seed, summary.ranksense_version
            );
            let _ = writeln!(
                out,
                "- Samples: {}",
                super::verdict::convergence_sentence(&u.convergence, u.top_k)
            );
            let idle: Vec<&str> = u
                .factor_activity
                .iter()
                .filter(|f| f.samples_moved == 0)
                .map(|f| f.factor.as_str())
                .collect();
            if !idle.is_empty() {
                let _ = writeln!(
                    out,
                    "- **Warning:** these factors never moved off their nominal value in any sample: {}",
                    idle.join(", ")
                );
            }
        }
        if let Some(settings) = &summary.settings {
            let _ = writeln!(out, "- Settings: {}", settings.sentence());
        }
        out.push('\n');
        if let Some(derived) = &summary.derived_scenario {
            out.push_str(&derived.markdown());
        }
        MarkdownReport { out }
    }

    pub fn verdict(&mut self, verdict: &FocusVerdict, sentence: &str) {
        let _ = writeln!(
            self.out,
            "## Verdict: {} is {}\n",
            verdict.name,
            super::verdict::rating_words(verdict)
        );
        let _ = writeln!(self.out, "{sentence}\n");
        let _ = writeln!(self.out, "*Rating rule:* {}.\n", verdict.rule.text());
    }

    pub fn section(&mut self, heading: &str, intro: &str, table: &Table) {
        let _ = writeln!(self.out, "## {heading}\n");
        if !intro.is_empty() {
            let _ = writeln!(self.out, "{intro}\n");
        }
        self.out.push_str(&table.to_markdown());
        self.out.push('\n');
    }

    pub fn paragraph(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}\n");
    }

    pub fn raw(&mut self, text: &str) {
        self.out.push_str(text);
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// "Provenance: …" for every report, readable without the ranksense source tree: for a data set
/// built into the binary, the file paths the note cites are said to be in the source repository.
pub fn provenance_line(data: &DataSummary) -> Option<String> {
    if data.provenance.is_empty() {
        return None;
    }
    let mut line = format!("Provenance: {}", data.provenance.replace('\n', " "));
    if let Some(name) = data.source.strip_prefix("embedded:") {
        line.push_str(&format!(
            " (This data set is built into the ranksense binary; paths such as data/{name}/README.md name files of the ranksense source repository, where the data set is documented, not files of this report.)"
        ));
    }
    Some(line)
}

fn short_hash(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}
