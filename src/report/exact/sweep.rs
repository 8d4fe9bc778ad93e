//! Weight sweeps and simplex maps (`sweep`) as CSV files, tables, charts, sentences and summary.json.

use super::labels::unit_label;
use crate::analysis::listed::Listed;
use crate::analysis::uncertainty::default_top_k;
use crate::analysis::weights::sweep::{SimplexResult, SweepResult};
use crate::model::Index;
use crate::report::charts::{simplex_chart, sweep_chart, sweep_trajectories, ternary_map};
use crate::report::format::{fmt_short, fmt_weight, num, ordinal};
use crate::report::output::Files;
use crate::report::summary::Summary;
use crate::report::table::Table;

/// `sweep.csv` (long): `weight_value, uCode, rank, score`, the weight normalised within its parent.
pub fn sweep_csv(result: &SweepResult) -> String {
    let mut table = Table::new(&["weight_value", "uCode", "rank", "score"], &[]);
    for (point, &value) in result.values.iter().enumerate() {
        for (u, code) in result.unit_codes.iter().enumerate() {
            table.push(vec![
                num(value),
                code.clone(),
                result.ranks[point][u].to_string(),
                num(result.scores[point][u]),
            ]);
        }
    }
    table.to_csv()
}

/// The focus unit's rank along the sweep as segments of constant rank.
pub fn sweep_table(result: &SweepResult) -> Option<Table> {
    let focus = result.focus?;
    let mut table = Table::new(&["weight from", "weight to", "rank"], &[]);
    let mut start = 0;
    for point in 1..=result.values.len() {
        let ends = point == result.values.len()
            || result.ranks[point][focus] != result.ranks[start][focus];
        if ends {
            table.push(vec![
                fmt_weight(result.values[start]),
                fmt_weight(result.values[point - 1]),
                result.ranks[start][focus].to_string(),
            ]);
            start = point;
        }
    }
    Some(table)
}

/// "As the weight of Conn within Index goes from 0 to 1 (nominal 0.5, siblings rescaled), CHE
/// ranks between 1st and 7th, changing rank 4 times."
pub fn sweep_sentence(result: &SweepResult) -> String {
    let range = format!(
        "As the weight of {} within {} goes from {} to {} (nominal {}, siblings rescaled proportionally)",
        result.weight,
        result.parent,
        fmt_short(result.values[0]),
        fmt_short(result.values[result.values.len() - 1]),
        fmt_short(result.nominal)
    );
    match result.focus {
        Some(focus) => {
            let (best, worst) = result.rank_range(focus);
            let label = unit_label(&result.unit_codes[focus], &result.unit_names[focus]);
            if best == worst {
                format!(
                    "{range}, {label} stays {} at every one of the {} points.",
                    ordinal(best),
                    result.values.len()
                )
            } else {
                format!(
                    "{range}, {label} ranks between {} and {} (nominal {}), changing rank {} times over {} points.",
                    ordinal(best),
                    ordinal(worst),
                    ordinal(result.nominal_ranks[focus]),
                    result.rank_changes(focus),
                    result.values.len()
                )
            }
        }
        None => {
            let moving = (0..result.unit_codes.len())
                .filter(|&u| result.rank_changes(u) > 0)
                .count();
            format!(
                "{range}, {moving} of {} units change rank.",
                result.unit_codes.len()
            )
        }
    }
}

/// summary.json of `ranksense sweep --weight` (also its `--format json`).
pub fn sweep_summary(index: &Index, result: &SweepResult) -> Summary {
    let mut summary = Summary::new("sweep", index);
    let top_k = default_top_k(result.unit_codes.len());
    summary.sweep = Some(sweep_for_summary(result, top_k));
    summary
}

/// The sweep as summary.json holds it: every unit up to
/// [`COMPACT_OUTPUT_UNITS`](crate::analysis::listed::COMPACT_OUTPUT_UNITS) units, the
/// listed ones above (the top `top_k` and the focus's neighbourhood, [`Listed`]): every unit's
/// rank and score at every point is 44 MB of JSON at 33,000 units, and sweep.csv has them all.
pub fn sweep_for_summary(result: &SweepResult, top_k: u32) -> SweepResult {
    let focus_rank = result.focus.map(|f| result.nominal_ranks[f]);
    let Some(listed) = Listed::for_index(result.unit_codes.len(), top_k, focus_rank) else {
        return result.clone();
    };
    let kept: Vec<usize> = (0..result.unit_codes.len())
        .filter(|&u| listed.contains(result.nominal_ranks[u]))
        .collect();
    let pick = |values: &[String]| kept.iter().map(|&u| values[u].clone()).collect();
    SweepResult {
        unit_codes: pick(&result.unit_codes),
        unit_names: pick(&result.unit_names),
        nominal_ranks: kept.iter().map(|&u| result.nominal_ranks[u]).collect(),
        ranks: result
            .ranks
            .iter()
            .map(|point| kept.iter().map(|&u| point[u]).collect())
            .collect(),
        scores: result
            .scores
            .iter()
            .map(|point| kept.iter().map(|&u| point[u]).collect())
            .collect(),
        focus: result.focus.and_then(|f| kept.iter().position(|&u| u == f)),
        ..result.clone()
    }
}

/// The table of a weight sweep: sweep.csv (in `sweep`'s and `robust`'s folders alike).
pub fn sweep_tables(result: &SweepResult) -> Files {
    let mut files = Files::default();
    files.add("sweep.csv", sweep_csv(result));
    files
}

/// The files of `ranksense sweep --weight --out`: sweep.csv, sweep.svg and summary.json.
pub fn sweep_files(index: &Index, result: &SweepResult) -> Files {
    let mut files = sweep_tables(result);
    files.add("sweep.svg", sweep_trajectories(&sweep_chart(result)));
    files.add("summary.json", sweep_summary(index, result).to_json());
    files
}

/// `simplex.csv`: `w_<c1>, w_<c2>, w_<c3>, rank` over the lattice of the weight triangle.
pub fn simplex_csv(result: &SimplexResult) -> String {
    let headers: Vec<String> = result
        .children
        .iter()
        .map(|c| format!("w_{c}"))
        .chain(["rank".to_string()])
        .collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut table = Table::new(&header_refs, &[]);
    for point in &result.points {
        let mut row: Vec<String> = point.weights.iter().map(|&w| num(w)).collect();
        row.push(point.rank.to_string());
        table.push(row);
    }
    table.to_csv()
}

fn fmt_triple(children: &[String; 3], weights: &[f64; 3]) -> String {
    children
        .iter()
        .zip(weights)
        .map(|(c, w)| format!("{c} {}", fmt_weight(*w)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "Over every weighting of Sust's three children (Environ, Social, SusEcFin; grid 1/60), CHE
/// ranks between 1st and 4th and keeps its nominal 1st place on 71% of the grid."
pub fn simplex_sentence(result: &SimplexResult) -> String {
    let focus = unit_label(&result.focus, &result.focus_name);
    let grid = format!(
        "Over every weighting of {}'s three children ({}; grid step 1/{})",
        result.parent,
        result.children.join(", "),
        result.resolution
    );
    if result.best_rank == result.worst_rank {
        return format!(
            "{grid}, {focus} always ranks {}.",
            ordinal(result.best_rank)
        );
    }
    format!(
        "{grid}, {focus} ranks between {} (e.g. at {}) and {} (e.g. at {}), and keeps its nominal {} place on {:.0}% of the grid.",
        ordinal(result.best_rank),
        fmt_triple(&result.children, &result.best_weights),
        ordinal(result.worst_rank),
        fmt_triple(&result.children, &result.worst_weights),
        ordinal(result.nominal_rank),
        100.0 * result.share_nominal_rank
    )
}

/// summary.json of `ranksense sweep --simplex` (also its `--format json`).
pub fn simplex_summary(index: &Index, result: &SimplexResult) -> Summary {
    let mut summary = Summary::new("sweep", index);
    summary.simplex = Some(result.clone());
    summary
}

/// The table of a simplex map: simplex.csv (in `sweep --simplex`'s and `robust`'s folders alike).
pub fn simplex_tables(result: &SimplexResult) -> Files {
    let mut files = Files::default();
    files.add("simplex.csv", simplex_csv(result));
    files
}

/// The files of `ranksense sweep --simplex --out`: simplex.csv, simplex.svg and summary.json.
pub fn simplex_files(index: &Index, result: &SimplexResult) -> Files {
    let mut files = simplex_tables(result);
    files.add("simplex.svg", ternary_map(&simplex_chart(result)));
    files.add("summary.json", simplex_summary(index, result).to_json());
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::weights::exact::MethodDescription;

    fn sweep_result() -> SweepResult {
        SweepResult {
            weight: "A".into(),
            weight_name: "Alpha".into(),
            parent: "Top".into(),
            nominal: 0.5,
            values: vec![0.0, 0.25, 0.5, 0.75, 1.0],
            unit_codes: vec!["U0".into(), "U1".into()],
            unit_names: vec!["Zero".into(), "One".into()],
            nominal_ranks: vec![1, 2],
            ranks: vec![vec![2, 1], vec![1, 2], vec![1, 2], vec![1, 2], vec![2, 1]],
            scores: vec![vec![1.0, 2.0]; 5],
            focus: Some(0),
            method: MethodDescription {
                normalisation: "minmax(0,100)".into(),
                aggregation: vec!["arithmetic".into()],
            },
        }
    }

    #[test]
    fn sweep_segments_and_sentence_follow_the_focus() {
        let result = sweep_result();
        let table = sweep_table(&result).unwrap();
        let segments: Vec<Vec<String>> = table.rows.clone();
        assert_eq!(
            segments,
            vec![
                vec!["0.000".to_string(), "0.000".into(), "2".into()],
                vec!["0.250".to_string(), "0.750".into(), "1".into()],
                vec!["1.000".to_string(), "1.000".into(), "2".into()],
            ]
        );
        let sentence = sweep_sentence(&result);
        assert!(
            sentence.contains("goes from 0 to 1 (nominal 0.5")
                && sentence.contains("Zero (U0) ranks between 1st and 2nd (nominal 1st), changing rank 2 times over 5 points"),
            "{sentence}"
        );
        let csv = sweep_csv(&result);
        assert_eq!(csv.lines().count(), 1 + 5 * 2);
        assert!(csv.contains("\n0.25,U1,2,2\n"));
    }

    #[test]
    fn summary_json_keeps_the_listed_units_of_a_large_sweep() {
        // 1,200 units, unit u nominally ranked u + 1, the focus ranked 600th.
        let n = 1_200;
        let small = sweep_result();
        let large = SweepResult {
            unit_codes: (0..n).map(|u| format!("U{u}")).collect(),
            unit_names: (0..n).map(|u| format!("Unit {u}")).collect(),
            nominal_ranks: (1..=n as u32).collect(),
            ranks: vec![(1..=n as u32).collect(); 5],
            scores: vec![(0..n).map(|u| u as f64).collect(); 5],
            focus: Some(599),
            ..small.clone()
        };
        let kept = sweep_for_summary(&large, 10);
        let expected: Vec<u32> = (1..=10).chain(590..=610).collect();
        assert_eq!(kept.nominal_ranks, expected);
        assert_eq!(kept.unit_codes[10], "U589");
        assert!(kept.ranks.iter().all(|point| point == &expected));
        assert_eq!(kept.focus.map(|f| kept.unit_codes[f].as_str()), Some("U599"));
        // Up to 1,000 units every unit stays.
        assert_eq!(sweep_for_summary(&small, 10), small);
    }
}
