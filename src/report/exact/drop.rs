//! Dropped elements (`drop`, COINr remove_elements) as CSV files, a table, a sentence and summary.json.

use super::labels::unit_label;
use crate::analysis::weights::drop::DropResult;
use crate::model::Index;
use crate::report::format::{fmt_optional, ordinal};
use crate::report::output::Files;
use crate::report::summary::Summary;
use crate::report::table::Table;

/// `drop.csv`: `removed, mean_abs_rank_change` (COINr's `MeanAbsDiff`, with its `Nominal` row
/// of 0), then `level`.
pub fn drop_csv(result: &DropResult) -> String {
    let mut table = Table::new(&["removed", "mean_abs_rank_change", "level"], &[]);
    table.push(vec!["Nominal".into(), "0".into(), String::new()]);
    for row in &result.rows {
        table.push(vec![
            row.removed.clone(),
            fmt_optional(row.mean_abs_rank_change),
            row.level.to_string(),
        ]);
    }
    table.to_csv()
}

/// `drop_ranks.csv`: `removed, uCode, nominal_rank, rank, change` with `change = nominal_rank −
/// rank` (COINr's `RankDiffs`: positive = the unit moves up).
pub fn drop_ranks_csv(result: &DropResult) -> String {
    let mut table = Table::new(&["removed", "uCode", "nominal_rank", "rank", "change"], &[]);
    for row in &result.rows {
        for (u, code) in result.unit_codes.iter().enumerate() {
            table.push(vec![
                row.removed.clone(),
                code.clone(),
                result.nominal_ranks[u].to_string(),
                row.ranks[u]
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "NA".into()),
                row.change(&result.nominal_ranks, u)
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "NA".into()),
            ]);
        }
    }
    table.to_csv()
}

/// One row per dropped element: mean absolute rank change and, with a focus, its rank and change.
pub fn drop_table(result: &DropResult) -> Table {
    let focus_code = result.focus.map(|f| result.unit_codes[f].clone());
    let mut headers = vec!["removed", "name", "level", "mean |Δrank|"];
    let focus_header = focus_code.as_ref().map(|c| format!("{c} rank (change)"));
    if let Some(h) = &focus_header {
        headers.push(h);
    }
    let mut table = Table::new(&headers, &["removed", "name"]);
    for row in &result.rows {
        let mut cells = vec![
            row.removed.clone(),
            row.name.clone(),
            row.level.to_string(),
            row.mean_abs_rank_change
                .map(|m| format!("{m:.2}"))
                .unwrap_or_else(|| "NA".into()),
        ];
        if let Some(f) = result.focus {
            cells.push(match (row.ranks[f], row.change(&result.nominal_ranks, f)) {
                (Some(r), Some(c)) => format!("{r} ({c:+})"),
                _ => "NA".into(),
            });
        }
        table.push(cells);
    }
    table
}

/// "Dropping Conn changes ranks most (5.25 places on average); Switzerland (CHE), nominally
/// 1st, ranks between 1st and 3rd across the drops, worst without Sust."
pub fn drop_sentence(result: &DropResult) -> String {
    let mut text = match result.most_influential() {
        Some(row) => format!(
            "Dropping {} changes ranks most ({:.2} places on average)",
            unit_label(&row.removed, &row.name),
            row.mean_abs_rank_change.unwrap_or(0.0)
        ),
        None => "Dropping any element leaves some unit without a score".to_string(),
    };
    if let Some(f) = result.focus {
        let ranks: Vec<(u32, &str)> = result
            .rows
            .iter()
            .filter_map(|r| r.ranks[f].map(|rank| (rank, r.removed.as_str())))
            .collect();
        let label = unit_label(&result.unit_codes[f], &result.unit_names[f]);
        let nominal = result.nominal_ranks[f];
        let best = ranks
            .iter()
            .map(|r| r.0)
            .min()
            .unwrap_or(nominal)
            .min(nominal);
        let worst = ranks
            .iter()
            .map(|r| r.0)
            .max()
            .unwrap_or(nominal)
            .max(nominal);
        if best == worst {
            text.push_str(&format!(
                "; {label} stays {} whichever element is dropped",
                ordinal(nominal)
            ));
        } else {
            let worst_without = ranks
                .iter()
                .find(|r| r.0 == worst)
                .map(|r| r.1)
                .unwrap_or("");
            text.push_str(&format!(
                "; {label}, nominally {}, ranks between {} and {} across the drops",
                ordinal(nominal),
                ordinal(best),
                ordinal(worst)
            ));
            if worst > nominal {
                text.push_str(&format!(", worst without {worst_without}"));
            }
        }
    }
    text.push('.');
    text
}

/// summary.json of `ranksense drop` (also its `--format json`).
pub fn drop_summary(index: &Index, result: &DropResult) -> Summary {
    let mut summary = Summary::new("drop", index);
    summary.drop = Some(result.clone());
    summary
}

/// The files of `ranksense drop --out`: drop.csv, drop_ranks.csv and summary.json.
pub fn drop_files(index: &Index, result: &DropResult) -> Files {
    let mut files = Files::default();
    files.add("drop.csv", drop_csv(result));
    files.add("drop_ranks.csv", drop_ranks_csv(result));
    files.add("summary.json", drop_summary(index, result).to_json());
    files
}
