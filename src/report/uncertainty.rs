//! Uncertainty results as files and tables: rank_stats.csv, rank_histogram.csv, pairwise.csv, central_weights.csv, the uncertainty table and report.md.

use super::data_error::{DataErrorSummary, data_error_markdown, data_error_tables};
use super::format::{fmt_quantile_cell, fmt_span, num, ordinal};
use super::markdown::MarkdownReport;
use super::output::Files;
use super::summary::{ScenarioSummary, Summary, UncertaintySummary};
use crate::analysis::convergence::resolution_percent;
use crate::analysis::listed::{COMPACT_OUTPUT_UNITS, Listed};
use super::table::Table;
use crate::analysis::convergence::QuantileState;
use crate::analysis::mc_error::{binomial_se, proportion_se};
use crate::analysis::rank_stats::{RankDistribution, UncertaintyStats};
use crate::analysis::uncertainty_run::UncertaintyRun;
use crate::model::Index;
use crate::pipeline::Prepared;

/// Units in nominal-rank order (ties by data order).
pub fn by_nominal_rank(stats: &UncertaintyStats) -> Vec<usize> {
    let mut order: Vec<usize> = (0..stats.units.len()).collect();
    order.sort_by_key(|&u| (stats.units[u].nominal_rank, u));
    order
}

/// A quantile's state for rank_stats.csv: `settled`, `boundary` or `unsettled`.
fn state_word(state: &QuantileState) -> &'static str {
    match state {
        QuantileState::Settled { .. } => "settled",
        QuantileState::Boundary { .. } => "boundary",
        QuantileState::Resolved { .. } => "resolved",
        QuantileState::Unsettled { .. } => "unsettled",
    }
}

/// `rank_stats.csv` (DESIGN §6 columns, then score mean/sd and the standard errors, then the
/// Monte Carlo intervals: each quantile's 95% distribution-free interval and what the stop rule
/// settled it on, and each probability's 95% Wilson interval).
pub fn rank_stats_csv(stats: &UncertaintyStats) -> String {
    let mut table = Table::new(
        &[
            "uCode",
            "uName",
            "nominal_rank",
            "nominal_score",
            "mean_rank",
            "median_rank",
            "q05_rank",
            "q95_rank",
            "best_rank",
            "worst_rank",
            "mean_abs_shift",
            "p_nominal_rank",
            "p_top_k",
            "mean_score",
            "sd_score",
            "se_p_nominal_rank",
            "se_p_top_k",
            "median_lo",
            "median_hi",
            "median_state",
            "q05_lo",
            "q05_hi",
            "q05_state",
            "q95_lo",
            "q95_hi",
            "q95_state",
            "p_nominal_rank_lo",
            "p_nominal_rank_hi",
            "p_top_k_lo",
            "p_top_k_hi",
        ],
        &[],
    );
    for u in by_nominal_rank(stats) {
        let s = &stats.units[u];
        table.push(vec![
            s.code.clone(),
            s.name.clone(),
            s.nominal_rank.to_string(),
            num(s.nominal_score),
            num(s.mean_rank),
            num(s.median_rank),
            num(s.q05_rank),
            num(s.q95_rank),
            s.best_rank.to_string(),
            s.worst_rank.to_string(),
            num(s.mean_abs_shift),
            num(s.p_nominal_rank),
            num(s.p_top_k),
            num(s.mean_score),
            num(s.sd_score),
            num(s.se_p_nominal_rank),
            num(s.se_p_top_k),
        ]);
        let row = table.rows.last_mut().expect("just pushed");
        for q in [&s.median_accuracy, &s.q05_accuracy, &s.q95_accuracy] {
            row.push(num(q.interval.lo));
            row.push(num(q.interval.hi));
            row.push(state_word(&q.state).to_string());
        }
        for ci in [s.ci_p_nominal_rank, s.ci_p_top_k] {
            row.push(num(ci.lo));
            row.push(num(ci.hi));
        }
    }
    table.to_csv()
}

/// `rank_histogram.csv`: one row per unit and rank (bin) with a non-zero count, with the
/// probability's binomial standard error `se`. With bins wider than one rank, `rank` is the
/// bin's first rank and `rank_to` its last. Above [`COMPACT_OUTPUT_UNITS`] units the file is
/// compact: only the `listed` units (the top k and the focus's neighbourhood, as in
/// summary.json), and without `probability` and `se`, which follow from `count` and the run's
/// samples (p = count / samples, se = √(p(1 − p)/samples)). Every unit's rows would be one per
/// unit and rank taken: 1.1 GB for 4,000 samples of 33,000 units, more as samples add ranks,
/// for distributions that rank_stats.csv (quantiles, best and worst, mean and sd) and
/// rank_bands.csv (deciles) summarise for every unit. Written row by row into the file's bytes.
pub fn rank_histogram_csv(
    prepared: &Prepared,
    distribution: &RankDistribution,
    listed: Option<(Listed, &[u32])>,
) -> Vec<u8> {
    let binned = distribution.binned();
    let compact = prepared.n_units() > COMPACT_OUTPUT_UNITS;
    let mut headers = vec!["uCode", "rank", "count"];
    if !compact {
        headers.extend(["probability", "se"]);
    }
    if binned {
        headers.push("rank_to");
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&headers).expect("in-memory");
    let mut row: Vec<String> = Vec::with_capacity(headers.len());
    for (u, unit) in prepared.units.iter().enumerate() {
        if listed.is_some_and(|(listed, nominal_ranks)| !listed.contains(nominal_ranks[u])) {
            continue;
        }
        for bin in distribution.bins_of(u) {
            if bin.count == 0 {
                continue;
            }
            row.clear();
            row.extend([bin.from.to_string(), bin.count.to_string()]);
            if !compact {
                row.extend([
                    num(bin.probability),
                    num(binomial_se(bin.count, distribution.samples())),
                ]);
            }
            if binned {
                row.push(bin.to.to_string());
            }
            writer
                .write_record(std::iter::once(unit.code.as_str()).chain(row.iter().map(String::as_str)))
                .expect("in-memory");
        }
    }
    writer.into_inner().expect("in-memory")
}

/// `rank_bands.csv`: for large indices, where single ranks matter less than bands: the
/// probability of each rank band (deciles by default, `band_1` best), the nominal band, the
/// probability of staying in it, and of a top-k and bottom-k place; then the binomial standard
/// error of each of these probabilities (`se_` + its column name).
pub fn rank_bands_csv(stats: &UncertaintyStats) -> String {
    let n_bands = stats
        .units
        .first()
        .map(|u| u.band_probabilities.len())
        .unwrap_or(0);
    let mut headers = vec![
        "uCode".to_string(),
        "nominal_rank".into(),
        "nominal_band".into(),
        "p_nominal_band".into(),
        "p_top_k".into(),
        "p_bottom_k".into(),
    ];
    headers.extend((1..=n_bands).map(|b| format!("p_band_{b}")));
    let probabilities: Vec<String> = headers[3..].to_vec();
    headers.extend(probabilities.iter().map(|h| format!("se_{h}")));
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut table = Table::new(&refs, &[]);
    for u in by_nominal_rank(stats) {
        let s = &stats.units[u];
        let mut row = vec![
            s.code.clone(),
            s.nominal_rank.to_string(),
            (s.nominal_band + 1).to_string(),
            num(s.p_nominal_band),
            num(s.p_top_k),
            num(s.p_bottom_k),
        ];
        row.extend(s.band_probabilities.iter().map(|&p| num(p)));
        let ses: Vec<String> = [s.p_nominal_band, s.p_top_k, s.p_bottom_k]
            .iter()
            .chain(&s.band_probabilities)
            .map(|&p| num(proportion_se(p, stats.samples)))
            .collect();
        row.extend(ses);
        table.push(row);
    }
    table.to_csv()
}

/// `pairwise.csv`: P(a ranks strictly above b) for every known ordered pair, with its binomial
/// standard error.
pub fn pairwise_csv(stats: &UncertaintyStats) -> String {
    let mut table = Table::new(&["uCode_a", "uCode_b", "p_a_above_b", "se"], &[]);
    for pair in &stats.pairs {
        table.push(vec![
            pair.a.clone(),
            pair.b.clone(),
            num(pair.p_a_above_b),
            num(pair.se),
        ]);
    }
    table.to_csv()
}

/// `central_weights.csv`: per unit and condition, the number of samples and the mean
/// within-parent weight of every varied weight (SMAA central weight vectors), then an upper
/// bound on each mean's standard error (`se_max_` + the weight's code; see
/// [`crate::analysis::mc_error::mean_in_unit_interval_se_bound`]).
pub fn central_weights_csv(stats: &UncertaintyStats) -> String {
    let mut headers = vec!["uCode".to_string(), "condition".into(), "samples".into()];
    headers.extend(stats.weight_codes.iter().cloned());
    headers.extend(stats.weight_codes.iter().map(|c| format!("se_max_{c}")));
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut table = Table::new(&refs, &[]);
    for c in &stats.central_weights {
        let mut row = vec![
            c.code.clone(),
            c.condition.to_string(),
            c.samples.to_string(),
        ];
        row.extend(c.mean_weights.iter().map(|&w| num(w)));
        row.extend(c.se_bound.iter().map(|&w| num(w)));
        table.push(row);
    }
    table.to_csv()
}

/// The uncertainty table: nominal rank and score, median, 90% interval, the sampled range (best
/// to worst rank over the samples, every factor varied), P(nominal rank), P(top k), for every unit (or the top `limit` and the focus when there are more).
pub fn uncertainty_table(
    stats: &UncertaintyStats,
    focus: Option<usize>,
    limit: Option<usize>,
) -> Table {
    let top_k_header = format!("P(top {})", stats.top_k);
    let mut table = Table::new(
        &[
            "rank",
            "code",
            "name",
            "score",
            "median",
            "90% interval",
            "sampled range",
            "P(rank)",
            &top_k_header,
        ],
        &["code", "name"],
    );
    for (position, u) in by_nominal_rank(stats).into_iter().enumerate() {
        if let Some(limit) = limit
            && position >= limit
            && Some(u) != focus
        {
            continue;
        }
        let s = &stats.units[u];
        // Degenerate intervals read "always 6", never "6–6".
        let interval = fmt_span(
            fmt_quantile_cell(&s.q05_accuracy.state, s.q05_rank),
            fmt_quantile_cell(&s.q95_accuracy.state, s.q95_rank),
        );
        let range = fmt_span(s.best_rank.to_string(), s.worst_rank.to_string());
        table.push(vec![
            ordinal(s.nominal_rank),
            s.code.clone(),
            s.name.clone(),
            format!("{:.2}", s.nominal_score),
            fmt_quantile_cell(&s.median_accuracy.state, s.median_rank),
            interval,
            range,
            format!("{:.1}%", 100.0 * s.p_nominal_rank),
            format!("{:.1}%", 100.0 * s.p_top_k),
        ]);
        if Some(u) == focus {
            table.highlight = Some(table.rows.len() - 1);
        }
    }
    table
}

/// The uncertainty report: header, verdict, and the uncertainty table of every unit.
pub fn uncertainty_markdown(summary: &Summary) -> String {
    let mut report = MarkdownReport::new("Rank uncertainty report", summary);
    if let Some(u) = &summary.uncertainty {
        if let Some(verdict) = &u.verdict {
            report.verdict(verdict, u.verdict_sentence.as_deref().unwrap_or_default());
        }
        let focus = u
            .focus
            .as_ref()
            .and_then(|f| u.statistics.units.iter().position(|s| &s.code == f));
        if u.statistics.rank_bin_width > 1 {
            report.paragraph(&format!(
                "Ranks were counted in bins of {} to bound memory: quantiles carry up to ±{} ranks of bin error; means, ranges and probabilities are exact. Rank bands (deciles) per unit are in rank_bands.csv.",
                u.statistics.rank_bin_width,
                (u.statistics.rank_bin_width - 1) as f64 / 2.0
            ));
        }
        // Large indices: the top 30 and the focus here; every unit is in rank_stats.csv.
        let limit = (u.statistics.units.len() > 200).then_some(30);
        let table = uncertainty_table(&u.statistics, focus, limit);
        report.section(
            "Uncertainty table",
            &format!(
                "Nominal rank and score; median rank, 90% interval (5th–95th percentile) and range over the samples; probability of keeping the nominal rank and of a top-{} place. A quantile written 7/8 is on the boundary between two ranks (P(rank ≤ 7) equals its level within the Monte Carlo error), 15368±16 one known to within {} of its unit's 90% interval (wide distributions of large indices), ~7 one the samples did not settle; rank_stats.csv has every number's 95% Monte Carlo interval. Mean absolute rank shift over all units (R_S): {:.3}.",
                u.top_k,
                resolution_percent(),
                u.statistics.mean_abs_rank_shift
            ),
            &table,
        );
    }
    if let Some(data_error) = &summary.data_error {
        let focus = summary.uncertainty.as_ref().and_then(|u| u.focus.as_deref());
        report.raw(&data_error_markdown(data_error, focus));
    }
    report.finish()
}

/// The summary of an uncertainty run (what `summary.json` holds).
pub fn uncertainty_summary(
    index: &Index,
    scenario_file: &str,
    scenario_text: &str,
    result: &UncertaintyRun,
    seed: u64,
) -> Summary {
    let mut summary = Summary::new("uncertainty", index);
    summary.scenario = Some(ScenarioSummary {
        file: scenario_file.to_string(),
        sha256: result.setup.fingerprint.scenario_hash.clone(),
        text: scenario_text.to_string(),
        factors: result.factors.clone(),
    });
    summary.uncertainty = Some(UncertaintySummary::of(result, seed));
    summary.data_error = result
        .data_error
        .as_ref()
        .map(|d| DataErrorSummary::of(d, &result.stats));
    summary
}

/// The tables of an uncertainty run: rank_stats.csv, rank_histogram.csv, rank_bands.csv,
/// pairwise.csv, central_weights.csv and, with `[[noise]]` entries, rank_intervals_noise.csv (in
/// `uncertainty`'s and `robust`'s folders alike).
pub fn uncertainty_tables(result: &UncertaintyRun) -> Files {
    let mut files = Files::default();
    files.add("rank_stats.csv", rank_stats_csv(&result.stats));
    let nominal_ranks: Vec<u32> = result.stats.units.iter().map(|u| u.nominal_rank).collect();
    let listed = Listed::for_stats(&result.stats, result.setup.focus);
    files.add(
        "rank_histogram.csv",
        rank_histogram_csv(
            &result.setup.prepared,
            &result.rank_distribution(),
            listed.map(|l| (l, nominal_ranks.as_slice())),
        ),
    );
    files.add("rank_bands.csv", rank_bands_csv(&result.stats));
    files.add("pairwise.csv", pairwise_csv(&result.stats));
    files.add("central_weights.csv", central_weights_csv(&result.stats));
    if let Some(data_error) = &result.data_error {
        files.extend(data_error_tables(&DataErrorSummary::of(
            data_error,
            &result.stats,
        )));
    }
    files
}

/// The report files of an uncertainty run: its [tables](uncertainty_tables), summary.json,
/// report.md and, when the scenario was derived, scenario.toml.
pub fn uncertainty_files(summary: &Summary, result: &UncertaintyRun) -> Files {
    let mut files = uncertainty_tables(result);
    files.add("summary.json", summary.to_json());
    files.add("report.md", uncertainty_markdown(summary));
    summary.add_derived_scenario(&mut files);
    files
}
