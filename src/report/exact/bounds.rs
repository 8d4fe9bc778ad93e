//! Exact rank bounds (`bounds`) as bounds.csv, tables, sentences and summary.json.

use super::labels::{ordinal_usize, unit_label};
use crate::analysis::weights::exact::{BoundsReport, UnitBounds};
use crate::model::Index;
use crate::report::format::{fmt_weight, num};
use crate::report::output::Files;
use crate::report::summary::Summary;
use crate::report::table::Table;

/// Units in nominal-rank order (ties by report order).
fn by_nominal_rank(report: &BoundsReport) -> Vec<&UnitBounds> {
    let mut units: Vec<&UnitBounds> = report.units.iter().collect();
    units.sort_by_key(|u| u.nominal_rank);
    units
}

/// `bounds.csv`: `uCode, nominal_rank, best_rank, worst_rank`, then `exact`, `verified` and the
/// witness weights (normalised within their parents) as `best_w_<code>` and `worst_w_<code>`.
pub fn bounds_csv(report: &BoundsReport) -> String {
    let mut headers: Vec<String> = [
        "uCode",
        "nominal_rank",
        "best_rank",
        "worst_rank",
        "exact",
        "verified",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    headers.extend(report.weights.iter().map(|w| format!("best_w_{}", w.code)));
    headers.extend(report.weights.iter().map(|w| format!("worst_w_{}", w.code)));
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut table = Table::new(&header_refs, &[]);
    for unit in by_nominal_rank(report) {
        let mut row = vec![
            unit.code.clone(),
            unit.nominal_rank.to_string(),
            unit.best_rank.to_string(),
            unit.worst_rank.to_string(),
            unit.exact.to_string(),
            unit.verified.to_string(),
        ];
        row.extend(unit.best_weights.iter().map(|&w| num(w)));
        row.extend(unit.worst_weights.iter().map(|&w| num(w)));
        table.push(row);
    }
    table.to_csv()
}

/// One row per unit: nominal, best and worst rank (`*` marks ranks achieved but not proven
/// extreme) and the width `worst − best` in places ("range" is kept for intervals such as
/// `4–12`, "width" for the number of places between their ends).
pub fn bounds_table(report: &BoundsReport) -> Table {
    let mut table = Table::new(
        &["nominal", "code", "name", "best", "worst", "width"],
        &["code", "name"],
    );
    for unit in by_nominal_rank(report) {
        let mark = if unit.exact { "" } else { "*" };
        if report.focus.as_deref() == Some(unit.code.as_str()) {
            table.highlight = Some(table.rows.len());
        }
        table.push(vec![
            unit.nominal_rank.to_string(),
            unit.code.clone(),
            unit.name.clone(),
            format!("{}{mark}", unit.best_rank),
            format!("{}{mark}", unit.worst_rank),
            (unit.worst_rank - unit.best_rank).to_string(),
        ]);
    }
    table
}

/// The weights of one unit's witnesses next to the nominal weights and their ranges.
pub fn witness_table(report: &BoundsReport, unit: &UnitBounds) -> Table {
    let best = format!("best ({})", ordinal_usize(unit.best_rank));
    let worst = format!("worst ({})", ordinal_usize(unit.worst_rank));
    let mut table = Table::new(
        &["weight", "parent", "nominal", "range", &best, &worst],
        &["weight", "parent"],
    );
    for (k, weight) in report.weights.iter().enumerate() {
        table.push(vec![
            weight.code.clone(),
            weight.parent.clone(),
            fmt_weight(weight.nominal),
            format!(
                "{}–{}",
                fmt_weight(weight.share_lower),
                fmt_weight(weight.share_upper)
            ),
            fmt_weight(unit.best_weights[k]),
            fmt_weight(unit.worst_weights[k]),
        ]);
    }
    table
}

/// "For any pillar weights within ±25% of nominal, Switzerland (CHE) ranks between 1st and 3rd
/// (nominal 1st; exact; witnesses in bounds.csv)."
pub fn bounds_sentence(
    report: &BoundsReport,
    unit: &UnitBounds,
    witness_file: Option<&str>,
) -> String {
    let claim = if unit.exact && unit.verified {
        "exact"
    } else if unit.verified {
        "achieved by the witnesses; the exact range may be wider"
    } else {
        "NOT confirmed by the ordinary scorer"
    };
    let witnesses = witness_file
        .map(|f| format!("; witnesses in {f}"))
        .unwrap_or_default();
    let place = if unit.best_rank == unit.worst_rank {
        format!("always ranks {}", ordinal_usize(unit.best_rank))
    } else {
        format!(
            "ranks between {} and {}",
            ordinal_usize(unit.best_rank),
            ordinal_usize(unit.worst_rank)
        )
    };
    format!(
        "For any {} {}, {} {place} (nominal {}; {claim}{witnesses}).",
        report.weight_set_label,
        report.range_label,
        unit_label(&unit.code, &unit.name),
        ordinal_usize(unit.nominal_rank)
    )
}

/// A sentence about every unit: how many can change rank and the widest range.
pub fn bounds_all_sentence(report: &BoundsReport) -> String {
    let movable = report
        .units
        .iter()
        .filter(|u| u.best_rank != u.worst_rank)
        .count();
    let widest = report.units.iter().max_by_key(|u| {
        (
            u.worst_rank - u.best_rank,
            std::cmp::Reverse(u.nominal_rank),
        )
    });
    let mut text = format!(
        "For any {} {}, {movable} of {} units can change rank",
        report.weight_set_label,
        report.range_label,
        report.units.len()
    );
    if let Some(w) = widest.filter(|w| w.worst_rank > w.best_rank) {
        text.push_str(&format!(
            "; the widest range is {}'s, {} to {} (nominal {})",
            unit_label(&w.code, &w.name),
            ordinal_usize(w.best_rank),
            ordinal_usize(w.worst_rank),
            ordinal_usize(w.nominal_rank)
        ));
    }
    text.push('.');
    text
}

/// summary.json of `ranksense bounds` (also its `--format json`).
pub fn bounds_summary(index: &Index, report: &BoundsReport) -> Summary {
    let mut summary = Summary::new("bounds", index);
    summary.bounds = Some(vec![report.clone()]);
    summary
}

/// The tables of exact bounds: bounds.csv (in `bounds`'s and `robust`'s folders alike).
pub fn bounds_tables(report: &BoundsReport) -> Files {
    let mut files = Files::default();
    files.add("bounds.csv", bounds_csv(report));
    files
}

/// The files of `ranksense bounds --out`: bounds.csv and summary.json.
pub fn bounds_files(index: &Index, report: &BoundsReport) -> Files {
    let mut files = bounds_tables(report);
    files.add("summary.json", bounds_summary(index, report).to_json());
    files
}
