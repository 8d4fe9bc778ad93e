//! The `robust` report folder: verdict, method, every table and chart, as Markdown, self-contained HTML, CSV and summary.json.

use super::coherence::{
    CoherenceSummary, coherence_html, coherence_markdown_with_charts, coherence_tables,
};
use super::data_error::{
    DataErrorSummary, HEADING as DATA_ERROR_HEADING, data_error_markdown,
    intro as data_error_intro, noise_comparison_table,
};
use super::exact::{
    bounds_csv, bounds_table, bounds_tables, minimal_change_table, simplex_tables,
    stability_sentence, stability_table, stability_tables, sweep_for_summary, sweep_tables,
};
use super::explorer::{explorer_data, explorer_html};
use super::figures::{Chart, robust_charts};
use super::html::HtmlReport;
use super::markdown::MarkdownReport;
use super::output::Files;
use super::sensitivity::{RS_DEFINITION, sensitivity_tables, targets_sobol_table, topk_definition};
use super::summary::{ScenarioSummary, SensitivitySummary, Summary, UncertaintySummary};
use super::table::Table;
use super::uncertainty::{uncertainty_table, uncertainty_tables};
use crate::analysis::robust::RobustRun;
use crate::analysis::weights::exact::WeightSet;
use crate::model::Index;

/// The summary.json of a robust run.
pub fn robust_summary(
    index: &Index,
    scenario_file: &str,
    scenario_text: &str,
    run: &RobustRun,
    seed: u64,
) -> Summary {
    let mut summary = Summary::new("robust", index);
    summary.scenario = Some(ScenarioSummary {
        file: scenario_file.to_string(),
        sha256: run.uncertainty.setup.fingerprint.scenario_hash.clone(),
        text: scenario_text.to_string(),
        factors: run.uncertainty.factors.clone(),
    });
    summary.uncertainty = Some(UncertaintySummary::of(&run.uncertainty, seed));
    summary.data_error = run
        .uncertainty
        .data_error
        .as_ref()
        .map(|d| DataErrorSummary::of(d, &run.uncertainty.stats));
    summary.sensitivity = Some(SensitivitySummary::of(&run.sensitivity));
    summary.bounds = (!run.bounds.is_empty()).then(|| run.bounds.clone());
    summary.stability = run.stability.clone();
    summary.simplex = run.simplex.clone();
    summary.sweep = run
        .sweep
        .as_ref()
        .map(|sweep| sweep_for_summary(sweep, run.uncertainty.setup.top_k));
    summary.coherence = run
        .coherence
        .as_ref()
        .map(|c| CoherenceSummary::of(c, framework(run)));
    summary.verdict = Some(run.verdict.clone());
    summary.verdict_text = Some(super::verdict::robust_text(
        &run.verdict,
        &run.uncertainty.convergence,
    ));
    summary
}

/// The framework the coherence audit describes (the prepared data's).
fn framework(run: &RobustRun) -> &crate::model::Framework {
    &run.uncertainty.setup.prepared.framework
}

/// What the uncertainty table covers: every factor of the scenario, sampled.
const UNCERTAINTY_INTRO: &str = "Every unit's nominal rank and score, and over the Monte Carlo samples (every factor of the scenario varied together) its median rank, 90% interval and sampled range (best to worst rank seen); then the probabilities of keeping the nominal rank and of a top-k place.";

/// What the bounds tables cover: the weights only, exactly — the contrast with the sampled range.
const BOUNDS_INTRO: &str = "Certain range: the best and worst rank over every weight vector in the range, with every other choice (normalisation, aggregation, imputation, indicator set) at its nominal value — exact (mixed-integer programming, verified by re-scoring the witness weights), unlike the sampled range of the uncertainty table, which varies every factor but only at the sampled points. Width is worst − best, in places.";

/// What the stability columns mean: the focus's rank, and the order of the whole top k.
const STABILITY_INTRO: &str = "How far each weight can move (its siblings rescaled proportionally) while the focus keeps its rank (\"focus keeps rank\"), and while the order of the whole top k is unchanged (\"top-k order unchanged\": no two units inside the top k swap places, and none enters or leaves it).";

/// The Sobol section's intro: what S and ST are, and what each target measures (R_S and k defined).
fn sobol_intro(run: &RobustRun) -> String {
    let mut text = format!(
        "First-order S (the share of a target's variance a choice explains alone) and total ST (including its interactions), per target, with bootstrap intervals. Targets: {RS_DEFINITION}; `rank:<code>` is a unit's rank"
    );
    if let (Some(k), Some(focus)) = (run.sensitivity.top_k, run.sensitivity.focus) {
        let code = &run.sensitivity.setup.prepared.units[focus].code;
        text.push_str("; ");
        text.push_str(&topk_definition(k, code));
    }
    text.push('.');
    text
}

/// The verdict points, the method and the tables, shared by Markdown and HTML.
struct Sections {
    uncertainty: Table,
    sobol: Table,
    bounds: Vec<(String, Table)>,
    stability: Vec<(String, Table)>,
    minimal_change: Option<Table>,
}

fn sections(run: &RobustRun) -> Sections {
    let focus = run.uncertainty.setup.focus;
    let limit = (run.uncertainty.stats.units.len() > 200).then_some(30);
    let headline = run.sensitivity.headline_targets();
    Sections {
        uncertainty: uncertainty_table(&run.uncertainty.stats, focus, limit),
        sobol: targets_sobol_table(&headline, run.sensitivity.settings.confidence_level),
        bounds: run
            .bounds
            .iter()
            .map(|b| {
                (
                    format!("{} {}", b.weight_set_label, b.range_label),
                    bounds_table(b),
                )
            })
            .collect(),
        stability: run
            .stability
            .iter()
            .flat_map(|s| {
                s.sets
                    .iter()
                    .map(move |set| (set.label.clone(), stability_table(set, s.top_k)))
            })
            .collect(),
        minimal_change: run.stability.as_ref().map(minimal_change_table),
    }
}

fn title(index: &Index, run: &RobustRun) -> String {
    format!(
        "Is {}'s {} place robust?",
        run.verdict.focus.name,
        super::format::ordinal(run.verdict.focus.nominal_rank)
    )
    .replace("  ", " ")
        + if index.info.reconstruction {
            " (reconstructed data)"
        } else {
            ""
        }
}

/// `report.md`.
pub fn robust_markdown(
    index: &Index,
    summary: &Summary,
    run: &RobustRun,
    charts: &[Chart],
) -> String {
    let mut report = MarkdownReport::new(&title(index, run), summary);
    let verdict = &run.verdict;
    let text = super::verdict::robust_text(verdict, &run.uncertainty.convergence);
    report.raw(&format!(
        "## Verdict: {}\n\n{}\n\n",
        super::verdict::rating_words(&verdict.focus),
        text.sentence
    ));
    for point in &text.points {
        report.raw(&format!("- {point}\n"));
    }
    report.raw("\n");
    let s = sections(run);
    report.section("Uncertainty table", UNCERTAINTY_INTRO, &s.uncertainty);
    if let Some(data_error) = &summary.data_error {
        report.raw(&data_error_markdown(data_error, Some(&verdict.focus.code)));
    }
    report.section("Sensitivity (Sobol indices)", &sobol_intro(run), &s.sobol);
    if s.bounds.is_empty() {
        report.paragraph("Exact bounds: not available for this scenario (see the notes).");
    }
    if !s.bounds.is_empty() {
        report.raw(&format!(
            "## Exact rank bounds (certain range)\n\n{BOUNDS_INTRO}\n\n"
        ));
    }
    for (label, table) in &s.bounds {
        report.raw(&format!("### {label}\n\n{}\n", table.to_markdown()));
    }
    if let Some(stability) = &run.stability {
        report.paragraph(&format!(
            "## Weight stability\n\n{}",
            stability_sentence(stability)
        ));
        report.paragraph(STABILITY_INTRO);
        for (label, table) in &s.stability {
            report.raw(&format!(
                "### Stability intervals: {label}\n\n{}\n",
                table.to_markdown()
            ));
        }
        if let Some(table) = &s.minimal_change {
            report.section(
                "Smallest weight change that moves the focus one place",
                "",
                table,
            );
        }
    }
    if let Some(coherence) = &run.coherence {
        report.raw(&coherence_markdown_with_charts(coherence, framework(run)));
        report.raw("\n");
    }
    report.raw("## Charts\n\n");
    for chart in charts {
        report.raw(&format!(
            "![{}]({})\n\n*{}*\n\n",
            chart.file, chart.file, chart.caption
        ));
    }
    if !run.notes.is_empty() {
        report.raw("## Notes\n\n");
        for note in &run.notes {
            report.raw(&format!("- {note}\n"));
        }
        report.raw("\n");
    }
    report.finish()
}

/// `report.html`: the same content, one self-contained page with the charts inline.
pub fn robust_html(index: &Index, summary: &Summary, run: &RobustRun, charts: &[Chart]) -> String {
    let verdict = &run.verdict;
    let data = &summary.data;
    let mut page = HtmlReport::new(
        &title(index, run),
        &format!(
            "{} — ranksense {} robustness report",
            data.name, summary.ranksense_version
        ),
    );
    if data.reconstruction {
        page.note("Reconstructed data: this data set reproduces the index's published facts but is not the publisher's data. The verdict describes the reconstruction; load the real data in the same format to get the real answer.");
    }
    let text = super::verdict::robust_text(verdict, &run.uncertainty.convergence);
    page.verdict(
        &format!(
            "{} — {}",
            verdict.focus.name,
            super::verdict::rating_words(&verdict.focus)
        ),
        &text.sentence,
        &text.points,
    );
    page.explorer(&explorer_html(&explorer_data(index, run)));
    page.heading("Data and method");
    let mut items = vec![format!(
        "Data: {} ({} units, {} indicators, {} levels), source {}, SHA-256 {}",
        data.name,
        data.units,
        data.indicators,
        data.levels,
        data.source,
        &data.input_hash[..12.min(data.input_hash.len())]
    )];
    items.extend(super::markdown::provenance_line(data));
    items.push("Method, every step in the order it runs:".to_string());
    items.extend(summary.method.lines().into_iter().map(|l| format!("  {l}")));
    if let Some(screening) = &data.screening {
        items.push(screening.clone());
    }
    for warning in &data.warnings {
        items.push(format!(
            "Warning: {}: {} (fix: {})",
            warning.location, warning.problem, warning.fix
        ));
    }
    if let Some(scenario) = &summary.scenario {
        items.push(format!("Scenario {}:", scenario.file));
        for factor in &scenario.factors {
            items.push(format!("  factor {}: {}", factor.name, factor.description));
        }
    }
    if let Some(derived) = &summary.derived_scenario {
        items.push(format!(
            "Scenario derived from the index (none was given), written to {}: varied: {}; left out: {}",
            derived.file,
            derived.chosen.join("; "),
            if derived.left_out.is_empty() {
                "nothing".to_string()
            } else {
                derived
                    .left_out
                    .iter()
                    .map(|l| format!("{} ({})", l.choice, l.reason))
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        ));
    }
    if let Some(settings) = &summary.settings {
        items.push(format!("Settings: {}", settings.sentence()));
    }
    if let (Some(u), Some(s)) = (&summary.uncertainty, &summary.sensitivity) {
        items.push(format!("Monte Carlo: {} samples, seed {}; Sobol: N = {} base rows, {} runs, {} bootstrap resamples", u.samples, u.seed, s.base_samples, s.runs, s.estimator.bootstrap_resamples));
    }
    page.list(&items);
    let s = sections(run);
    page.heading("Uncertainty table");
    page.paragraph(UNCERTAINTY_INTRO);
    page.table(&s.uncertainty);
    if let Some(data_error) = &summary.data_error {
        page.heading(DATA_ERROR_HEADING);
        if let Some(sentence) = &data_error.split_sentence {
            page.paragraph(sentence);
        }
        page.paragraph(&data_error_intro(data_error));
        page.table(&noise_comparison_table(data_error, Some(&verdict.focus.code)));
        for note in &data_error.notes {
            page.paragraph(&format!("Note: {note}."));
        }
    }
    page.heading("Sensitivity (Sobol indices)");
    page.paragraph(&sobol_intro(run).replace('`', ""));
    page.table(&s.sobol);
    if !s.bounds.is_empty() {
        page.heading("Exact rank bounds (certain range)");
        page.paragraph(BOUNDS_INTRO);
    }
    for (label, table) in &s.bounds {
        page.paragraph(label);
        page.table(table);
    }
    if let Some(stability) = &run.stability {
        page.heading("Weight stability");
        page.paragraph(&stability_sentence(stability));
        page.paragraph(STABILITY_INTRO);
        for (label, table) in &s.stability {
            page.paragraph(label);
            page.table(table);
        }
        if let Some(table) = &s.minimal_change {
            page.paragraph("Smallest weight change that moves the focus one place:");
            page.table(table);
        }
    }
    if let Some(coherence) = &run.coherence {
        coherence_html(&mut page, coherence, framework(run));
    }
    page.heading("Charts");
    for chart in charts {
        page.figure(&chart.svg, &chart.caption);
    }
    if !run.notes.is_empty() {
        page.heading("Notes");
        page.list(&run.notes);
    }
    page.finish()
}

/// Every file of the report folder: the reports and summary.json, then each analysis's own
/// tables (the same files its command writes), the per-level bounds and the charts.
pub fn robust_files(index: &Index, summary: &Summary, run: &RobustRun) -> Files {
    let charts = robust_charts(run);
    let mut files = Files::default();
    files.add("report.md", robust_markdown(index, summary, run, &charts));
    files.add("report.html", robust_html(index, summary, run, &charts));
    files.add("summary.json", summary.to_json());
    files.extend(uncertainty_tables(&run.uncertainty));
    files.extend(sensitivity_tables(&run.sensitivity));
    // bounds.csv: the headline range (every varied level together); one file per level too.
    if let Some((last, per_level)) = run.bounds.split_last() {
        files.extend(bounds_tables(last));
        for report in per_level {
            let levels = match &report.weight_set {
                WeightSet::Levels(levels) => levels
                    .iter()
                    .map(|l| l.to_string())
                    .collect::<Vec<_>>()
                    .join("_"),
                WeightSet::Effective => "indicators".to_string(),
            };
            files.add(format!("bounds_level{levels}.csv"), bounds_csv(report));
        }
    }
    if let Some(stability) = &run.stability {
        files.extend(stability_tables(stability));
    }
    if let Some(simplex) = &run.simplex {
        files.extend(simplex_tables(simplex));
    }
    if let Some(sweep) = &run.sweep {
        files.extend(sweep_tables(sweep));
    }
    if let Some(coherence) = &run.coherence {
        files.extend(coherence_tables(coherence, framework(run)));
    }
    for chart in charts {
        files.add(chart.file, chart.svg);
    }
    summary.add_derived_scenario(&mut files);
    files
}
