//! Data error in the reports: the `data_error` section of summary.json, rank_intervals_noise.csv
//! and the table of rank intervals without and with the data error (`uncertainty` and `robust`
//! alike, when the scenario has `[[noise]]` entries).

use serde::Serialize;

use super::format::{fmt_rank, fmt_span, num, ordinal};
use super::output::Files;
use super::table::Table;
use crate::analysis::data_error::{DataError, DataErrorSplit, IntervalPair};
use crate::analysis::rank_stats::UncertaintyStats;
use crate::scenario::sections::noise_record::NoiseEntryRecord;

/// Units the report's table shows besides the focus: the nominal top this many, and those this
/// many places either side of the focus (every unit is in rank_intervals_noise.csv).
const TOP_SHOWN: u32 = 10;
const AROUND_FOCUS: u32 = 3;

/// The `data_error` section of summary.json.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataErrorSummary {
    /// Each `[[noise]]` entry as run: target, distribution, spread, range, source, file checksum.
    pub error_model: Vec<NoiseEntryRecord>,
    /// Data error against modelling choices in the focus rank's variance.
    pub split: Option<DataErrorSplit>,
    /// The split as the reports print it.
    pub split_sentence: Option<String>,
    /// Samples of the comparison run without the `[[noise]]` entries (the same as the run's).
    pub samples_without: u64,
    /// Every unit's median and 90% interval without and with the data error.
    pub intervals: Vec<IntervalPair>,
    pub notes: Vec<String>,
}

impl DataErrorSummary {
    pub fn of(data_error: &DataError, with: &UncertaintyStats) -> Self {
        DataErrorSummary {
            error_model: data_error.error_model.clone(),
            split: data_error.split.clone(),
            split_sentence: data_error
                .split
                .as_ref()
                .map(super::verdict::data_error_sentence),
            samples_without: data_error.without.samples,
            intervals: data_error.interval_pairs(with),
            notes: data_error.notes.clone(),
        }
    }

    /// The pairs in nominal-rank order (ties in data order).
    fn by_nominal_rank(&self) -> Vec<&IntervalPair> {
        let mut pairs: Vec<&IntervalPair> = self.intervals.iter().collect();
        pairs.sort_by_key(|p| p.nominal_rank);
        pairs
    }
}

/// `rank_intervals_noise.csv`: every unit's median and 90% interval (5% and 95% quantiles)
/// without the `[[noise]]` entries, then with them, in nominal-rank order.
pub fn rank_intervals_noise_csv(summary: &DataErrorSummary) -> String {
    let mut table = Table::new(
        &[
            "uCode",
            "uName",
            "nominal_rank",
            "median_rank_without",
            "q05_rank_without",
            "q95_rank_without",
            "median_rank_with",
            "q05_rank_with",
            "q95_rank_with",
        ],
        &[],
    );
    for pair in summary.by_nominal_rank() {
        table.push(vec![
            pair.code.clone(),
            pair.name.clone(),
            pair.nominal_rank.to_string(),
            num(pair.without.median),
            num(pair.without.q05),
            num(pair.without.q95),
            num(pair.with.median),
            num(pair.with.q05),
            num(pair.with.q95),
        ]);
    }
    table.to_csv()
}

/// The side-by-side table: the nominal top and the units around the focus (and the focus).
pub fn noise_comparison_table(summary: &DataErrorSummary, focus: Option<&str>) -> Table {
    let mut table = Table::new(
        &[
            "rank",
            "code",
            "name",
            "median without",
            "90% interval without",
            "median with",
            "90% interval with",
        ],
        &["code", "name"],
    );
    let focus_rank = focus.and_then(|code| {
        summary
            .intervals
            .iter()
            .find(|p| p.code == code)
            .map(|p| p.nominal_rank)
    });
    for pair in summary.by_nominal_rank() {
        let near_focus = focus_rank.is_some_and(|r| pair.nominal_rank.abs_diff(r) <= AROUND_FOCUS);
        if pair.nominal_rank > TOP_SHOWN && !near_focus {
            continue;
        }
        let span = |q05: f64, q95: f64| fmt_span(fmt_rank(q05), fmt_rank(q95));
        table.push(vec![
            ordinal(pair.nominal_rank),
            pair.code.clone(),
            pair.name.clone(),
            fmt_rank(pair.without.median),
            span(pair.without.q05, pair.without.q95),
            fmt_rank(pair.with.median),
            span(pair.with.q05, pair.with.q95),
        ]);
        if Some(pair.code.as_str()) == focus {
            table.highlight = Some(table.rows.len() - 1);
        }
    }
    table
}

/// The section's heading.
pub const HEADING: &str = "Rank intervals with and without data error";

/// What the table compares, and how the split was estimated.
pub fn intro(summary: &DataErrorSummary) -> String {
    let entries: Vec<String> = summary
        .error_model
        .iter()
        .map(|e| format!("{} ({} indicators: {})", e.name, e.indicators.len(), e.description))
        .collect();
    let mut text = format!(
        "Median rank and 90% interval over the same {} samples of the scenario without its [[noise]] entries (the modelling choices only) and with them (data error added: {}). Sample i of both runs draws the same modelling choices, so the difference is the data error's. Every unit is in rank_intervals_noise.csv.",
        summary.samples_without,
        entries.join("; ")
    );
    if let Some(split) = &summary.split {
        text.push_str(&format!(
            " The split of {}'s rank variance is a Sobol decomposition over two groups of factors (the [[noise]] entries; every other factor): first-order and total indices (Saltelli et al. 2010; Jansen 1999) on N = {} base rows ({} runs), {}% bootstrap intervals from {} resamples.",
            split.unit_name,
            split.base_samples,
            split.runs,
            (100.0 * split.confidence_level).round(),
            split.bootstrap_resamples
        ));
    }
    text
}

/// The section in Markdown: the split sentence, the intro and the table.
pub fn data_error_markdown(summary: &DataErrorSummary, focus: Option<&str>) -> String {
    let mut out = format!("## {HEADING}\n\n");
    if let Some(sentence) = &summary.split_sentence {
        out.push_str(&format!("{sentence}\n\n"));
    }
    out.push_str(&format!("{}\n\n", intro(summary)));
    out.push_str(&noise_comparison_table(summary, focus).to_markdown());
    out.push('\n');
    for note in &summary.notes {
        out.push_str(&format!("Note: {note}.\n\n"));
    }
    out
}

/// The files of the section: rank_intervals_noise.csv.
pub fn data_error_tables(summary: &DataErrorSummary) -> Files {
    let mut files = Files::default();
    files.add("rank_intervals_noise.csv", rank_intervals_noise_csv(summary));
    files
}
