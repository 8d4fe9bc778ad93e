//! Sensitivity results as files and tables: sobol.csv, the Sobol table sorted by ST_i, convergence tables and report.md (its summary.json section is in `summary`).

use std::fmt::Write;

use super::format::{fmt_index, fmt_index_interval, num, ordinal};
use super::markdown::MarkdownReport;
use super::output::Files;
use super::provenance::{DerivedScenario, Resolved, RunSettings};
use super::summary::{ScenarioSummary, SensitivitySummary, Summary};
use super::table::Table;
use crate::analysis::sensitivity::{SensitivityRun, TargetFamily, TargetResult, is_interaction};
use crate::analysis::sobol::{PointKind, SobolIndex, SobolResult};
use crate::model::Index;
use crate::scenario::Scenario;
use crate::scenario::derive::Derivation;

/// The summary.json of a sensitivity run: results, the scenario (`file`, `text`, as `written`,
/// and how it was `derived`, if it was), the settings and their origins.
pub fn sensitivity_summary(
    index: &Index,
    file: &str,
    text: &str,
    written: &Scenario,
    derived: Option<&Derivation>,
    run: &SensitivityRun,
) -> Summary {
    let mut summary = Summary::new("sensitivity", index);
    summary.scenario = Some(ScenarioSummary {
        file: file.to_string(),
        sha256: run.setup.fingerprint.scenario_hash.clone(),
        text: text.to_string(),
        factors: run.factor_summaries.clone(),
    });
    summary.sensitivity = Some(SensitivitySummary::of(run));
    // k of the topk target (absent without a focus): the caller's, else the focus unit's
    // nominal rank; sensitivity does not read the scenario's top_k.
    let setup = &run.setup;
    let nominal_rank = run
        .focus
        .map_or(1, |f| setup.nominal.top_ranks(&setup.prepared)[f]);
    let as_read = Scenario {
        top_k: None,
        ..written.clone()
    };
    summary.settings = Some(RunSettings::attribute(
        index,
        &as_read,
        &Resolved {
            samples: None,
            seed: run.design.seed(),
            focus: run.focus.map(|f| setup.prepared.units[f].code.as_str()),
            top_k: run.top_k,
            default_top_k: nominal_rank,
        },
    ));
    summary.derived_scenario = derived.map(DerivedScenario::of);
    summary
}

/// What R_S means, for every report that shows it (Saisana, Saltelli & Tarantola 2005, JRSS A
/// 168(2), the average shift in rank `R̄_S = (1/n) Σ_u |rank_u − nominal rank_u|`).
pub const RS_DEFINITION: &str = "R_S is the mean absolute rank shift, (1/n) Σ |rank − nominal rank| over the n units: \
     how far the ranking as a whole moves in a run (Saisana, Saltelli & Tarantola 2005)";

/// What the `top<k>:<uCode>` target measures, k spelled out.
pub fn topk_definition(k: u32, focus: &str) -> String {
    format!(
        "`top{k}:{focus}` target: 1 when {focus} ranks {} or better (top {k}), else 0; its variance is p(1 − p), p the share of runs in the top {k}",
        ordinal(k)
    )
}

/// `sobol.csv`: `target, factor, Si, Si_lo, Si_hi, STi, STi_lo, STi_hi`, one row per target and
/// factor in design order, numbers in shortest round-trip form. A constant target has zero
/// indices (summary.json flags it as constant).
pub fn sobol_csv<'a>(results: impl IntoIterator<Item = (&'a str, &'a SobolResult)>) -> String {
    let mut table = Table::new(
        &[
            "target", "factor", "Si", "Si_lo", "Si_hi", "STi", "STi_lo", "STi_hi",
        ],
        &[],
    );
    for (target, result) in results {
        for index in &result.indices {
            table.push(vec![
                target.to_string(),
                index.factor.clone(),
                num(index.first.value),
                num(index.first.lo),
                num(index.first.hi),
                num(index.total.value),
                num(index.total.lo),
                num(index.total.hi),
            ]);
        }
    }
    table.to_csv()
}

/// [`sobol_csv`] of a run's targets.
pub fn targets_sobol_csv(targets: &[TargetResult]) -> String {
    sobol_csv(targets.iter().map(|t| (t.target.as_str(), &t.sobol)))
}

/// The tables of a sensitivity run: sobol.csv (in `sensitivity`'s and `robust`'s folders alike).
pub fn sensitivity_tables(result: &SensitivityRun) -> Files {
    let mut files = Files::default();
    files.add("sobol.csv", targets_sobol_csv(&result.targets));
    files
}

/// The report files of a sensitivity run: its [tables](sensitivity_tables), summary.json,
/// report.md and, when the scenario was derived, scenario.toml.
pub fn sensitivity_files(summary: &Summary, result: &SensitivityRun) -> Files {
    let mut files = sensitivity_tables(result);
    files.add("summary.json", summary.to_json());
    files.add("report.md", sensitivity_markdown(summary));
    summary.add_derived_scenario(&mut files);
    files
}

/// Indices of `result` sorted by total index, largest first (ties keep design order).
pub fn sorted_by_total(result: &SobolResult) -> Vec<&SobolIndex> {
    let mut indices: Vec<&SobolIndex> = result.indices.iter().collect();
    indices.sort_by(|a, b| b.total.value.total_cmp(&a.total.value));
    indices
}

/// The Sobol table of named results: per target, its factors sorted by ST_i (largest first),
/// with both indices, their intervals and ST_i − S_i. A constant target gets one row saying so.
pub fn sobol_table<'a>(
    results: impl IntoIterator<Item = (&'a str, &'a SobolResult)>,
    level: f64,
) -> Table {
    let percent = format!("{:.0}%", 100.0 * level);
    let first_interval = format!("S_i {percent} interval");
    let total_interval = format!("ST_i {percent} interval");
    let mut table = Table::new(
        &[
            "target",
            "factor",
            "S_i",
            &first_interval,
            "ST_i",
            &total_interval,
            "ST_i − S_i",
        ],
        &["target", "factor"],
    );
    for (target, result) in results {
        if result.constant {
            table.push(vec![
                target.to_string(),
                "constant: the same in every run".to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
            continue;
        }
        for index in sorted_by_total(result) {
            let gap = index.total.value - index.first.value;
            let marker = if is_interaction(index.first.value, index.total.value) {
                " (interactions)"
            } else {
                ""
            };
            table.push(vec![
                target.to_string(),
                index.factor.clone(),
                fmt_index(index.first.value),
                fmt_index_interval(index.first.lo, index.first.hi),
                fmt_index(index.total.value),
                fmt_index_interval(index.total.lo, index.total.hi),
                format!("{}{marker}", fmt_index(gap)),
            ]);
        }
    }
    table
}

/// [`sobol_table`] of a run's targets.
pub fn targets_sobol_table(targets: &[&TargetResult], level: f64) -> Table {
    sobol_table(targets.iter().map(|t| (t.target.as_str(), &t.sobol)), level)
}

/// Convergence of one target: per factor, `S_i / ST_i` on the first N/8, N/4, N/2 and N rows.
pub fn convergence_table(target: &TargetResult) -> Table {
    let steps = &target.convergence.steps;
    let headers: Vec<String> = std::iter::once("factor".to_string())
        .chain(steps.iter().map(|s| format!("N = {}", s.rows)))
        .collect();
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut table = Table::new(&refs, &["factor"]);
    for (i, factor) in target.convergence.factors.iter().enumerate() {
        let mut row = vec![factor.clone()];
        for step in steps {
            row.push(if step.constant {
                "constant".to_string()
            } else {
                format!(
                    "{} / {}",
                    fmt_index(step.first[i]),
                    fmt_index(step.total[i])
                )
            });
        }
        table.push(row);
    }
    table
}

/// Per unit: the factor with the largest total index on its rank, and how often the rank moved.
pub fn unit_drivers_table(targets: &[TargetResult]) -> Table {
    let mut table = Table::new(
        &[
            "unit",
            "name",
            "nominal rank",
            "runs changed",
            "largest ST_i",
            "ST_i",
            "S_i",
        ],
        &["unit", "name", "largest ST_i"],
    );
    let mut ranks: Vec<&TargetResult> = targets
        .iter()
        .filter(|t| t.family == TargetFamily::Rank)
        .collect();
    ranks.sort_by(|a, b| a.nominal.total_cmp(&b.nominal));
    for target in ranks {
        let unit = target.unit.clone().unwrap_or_default();
        let name = target.unit_name.clone().unwrap_or_default();
        let changed = format!("{:.1}%", 100.0 * target.changed_share);
        let row = match target.by_total().first() {
            Some(top) if !target.sobol.constant => vec![
                unit,
                name,
                format!("{}", target.nominal),
                changed,
                top.factor.clone(),
                fmt_index(top.total.value),
                fmt_index(top.first.value),
            ],
            _ => vec![
                unit,
                name,
                format!("{}", target.nominal),
                changed,
                "— (constant)".to_string(),
                String::new(),
                String::new(),
            ],
        };
        table.push(row);
    }
    table
}

/// The widest interval of a total index among `targets` (value, factor, target).
fn widest_total_interval<'a>(targets: &[&'a TargetResult]) -> Option<(f64, &'a str, &'a str)> {
    targets
        .iter()
        .flat_map(|t| {
            t.sobol.indices.iter().map(move |index| {
                (
                    index.total.hi - index.total.lo,
                    index.factor.as_str(),
                    t.target.as_str(),
                )
            })
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

/// The sensitivity report: design and estimator, the focus sentence, the Sobol table of the
/// headline targets, their convergence, per-unit drivers and the checks.
pub fn sensitivity_markdown(summary: &Summary) -> String {
    let mut report = MarkdownReport::new("Sensitivity report", summary);
    let Some(s) = &summary.sensitivity else {
        return report.finish();
    };
    let k = s.factors.len();
    let points = match s.points {
        PointKind::Sobol => "scrambled Sobol points",
        PointKind::Random => "pseudo-random points",
    };
    let mut design = String::new();
    let _ = writeln!(
        design,
        "- Sobol design (Saltelli 2010): N = {} base rows × (k + 2) = {} model runs for k = {k} \
         factors, {points}, seed {}",
        s.base_samples, s.runs, s.seed
    );
    let _ = writeln!(
        design,
        "- Estimators: first order Saltelli et al. (2010) in its centred form (Janon et al. 2014: \
         the same index, far less noise when the target has a large mean, as ranks do), total \
         Jansen (1999); {:.0}% bootstrap percentile intervals from {} resamples of the base rows",
        100.0 * s.estimator.confidence_level,
        s.estimator.bootstrap_resamples
    );
    let _ = writeln!(design, "- `rs` target: {RS_DEFINITION}");
    if let (Some(k), Some(focus)) = (s.top_k, &s.focus) {
        let _ = writeln!(design, "- {}", topk_definition(k, focus));
    }
    for note in &s.notes {
        let _ = writeln!(design, "- Note: {note}");
    }
    report.raw(&design);
    report.raw("\n");

    if let Some(driver) = &s.driver {
        report.raw("## What drives the focus unit\n\n");
        report.paragraph(&driver.sentence);
    }
    let headline = s.headline_targets();
    report.section(
        "Sobol indices",
        "S_i is the share of the target's variance due to a factor alone; ST_i the share that \
         involves it, interactions included. A large ST_i − S_i means the factor matters through \
         its combination with others. Factors are sorted by ST_i.",
        &targets_sobol_table(&headline, s.estimator.confidence_level),
    );
    report.raw("## Convergence\n\n");
    report.paragraph(
        "S_i / ST_i recomputed on the first N/8, N/4, N/2 and N base rows. Values that still move \
         between N/2 and N mean N was too small for that digit; increase the base samples.",
    );
    for target in &headline {
        if target.sobol.constant {
            continue;
        }
        report.raw(&format!("### {}\n\n", target.target));
        report.raw(&convergence_table(target).to_markdown());
        report.raw("\n");
    }
    if s.targets.iter().any(|t| t.family == TargetFamily::Rank) {
        report.section(
            "What drives each unit's rank",
            "Per unit: the share of runs in which its rank differed from the nominal one, and the \
             factor with the largest total index on its rank.",
            &unit_drivers_table(&s.targets),
        );
    }
    let mut checks = String::from("## Checks\n\n");
    if let Some((width, factor, target)) = widest_total_interval(&headline) {
        let _ = writeln!(
            checks,
            "- Widest {:.0}% interval of a headline total index: {width:.3} ({factor} on {target}).",
            100.0 * s.estimator.confidence_level
        );
    }
    let constant: Vec<&str> = s
        .targets
        .iter()
        .filter(|t| t.sobol.constant)
        .map(|t| t.target.as_str())
        .collect();
    if !constant.is_empty() {
        let _ = writeln!(
            checks,
            "- Constant targets (the same in every run, all indices reported as 0): {}.",
            constant.join(", ")
        );
    }
    let _ = writeln!(
        checks,
        "- Dummy factor: ranksense's model is deterministic, so an inert design column gets \
         exactly S = ST = 0 at any N (its AB run repeats the A run); the check is satisfied by \
         construction and the convergence table above is the informative check."
    );
    if s.dummy
        && let Some(floor) = s.targets.iter().find_map(|t| t.noise_floor)
    {
        let _ = writeln!(
            checks,
            "- Dummy factor as run: S = {:.3}, ST = {:.3}.",
            floor.first.value, floor.total.value
        );
    }
    checks.push('\n');
    report.raw(&checks);
    report.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::sobol::{Estimate, SobolIndex};

    fn result(constant: bool) -> SobolResult {
        let estimate = |value: f64, lo: f64, hi: f64| Estimate { value, lo, hi };
        SobolResult {
            n: 8,
            variance: if constant { 0.0 } else { 2.5 },
            constant,
            indices: vec![
                SobolIndex {
                    factor: "a".into(),
                    first: estimate(0.1, -0.0001, 0.2),
                    total: estimate(0.15, 0.1, 0.2),
                },
                SobolIndex {
                    factor: "b".into(),
                    first: estimate(0.2, 0.1, 0.3),
                    total: estimate(0.7, 0.6, 0.8),
                },
            ],
        }
    }

    #[test]
    fn sobol_csv_keeps_full_precision_in_design_order() {
        let r = result(false);
        let csv = sobol_csv([("rs", &r)]);
        assert_eq!(
            csv,
            "target,factor,Si,Si_lo,Si_hi,STi,STi_lo,STi_hi\n\
             rs,a,0.1,-0.0001,0.2,0.15,0.1,0.2\n\
             rs,b,0.2,0.1,0.3,0.7,0.6,0.8\n"
        );
    }

    #[test]
    fn table_sorts_by_total_and_marks_interactions_and_constants() {
        let (varying, constant) = (result(false), result(true));
        let table = sobol_table([("rs", &varying), ("rank:X", &constant)], 0.9);
        assert_eq!(table.headers[3], "S_i 90% interval");
        let factors: Vec<&str> = table.rows.iter().map(|r| r[1].as_str()).collect();
        assert_eq!(factors, ["b", "a", "constant: the same in every run"]);
        // b: ST − S = 0.5 ≥ max(0.1, ST/3) → interactions; a's −0.0001 shows as 0.000.
        assert_eq!(table.rows[0][6], "0.500 (interactions)");
        assert_eq!(table.rows[1][3], "[0.000, 0.200]");
    }
}
