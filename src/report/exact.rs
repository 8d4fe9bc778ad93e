//! Exact bounds, stability intervals, weight sweeps and dropped elements as CSV files, tables, charts and plain sentences.

use super::charts::{
    SweepChart, SweepSeries, TernaryCell, TernaryChart, sweep_trajectories, ternary_map,
};
use super::format::{fmt_distance, fmt_optional, fmt_short, fmt_weight, num, ordinal};
use super::output::Files;
use super::summary::Summary;
use super::table::Table;
use crate::analysis::weights::drop::DropResult;
use crate::analysis::weights::exact::{
    BoundsReport, LevelStability, MinimalMove, StabilityReport, UnitBounds, WeightStability,
};
use crate::analysis::weights::stability::Crossing;
use crate::analysis::weights::sweep::{SimplexResult, SweepResult};
use crate::model::Index;

fn ordinal_usize(rank: usize) -> String {
    ordinal(rank as u32)
}

/// `Switzerland (CHE)`, or the code alone when the name is the code.
fn unit_label(code: &str, name: &str) -> String {
    if name.is_empty() || name == code {
        code.to_string()
    } else {
        format!("{name} ({code})")
    }
}

// ---------------------------------------------------------------------------------------------
// Bounds
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Stability
// ---------------------------------------------------------------------------------------------

/// `NOR passes CHE at 0.412`.
fn describe_crossing(crossing: &Crossing) -> String {
    format!(
        "{} passes {} at {}",
        crossing.passer,
        crossing.passed,
        fmt_weight(crossing.t)
    )
}

/// The nearer of the two crossings that end a keep interval.
fn nearer<'a>(
    nominal: f64,
    below: Option<&'a Crossing>,
    above: Option<&'a Crossing>,
) -> Option<&'a Crossing> {
    match (below, above) {
        (Some(b), Some(a)) => Some(if nominal - b.t <= a.t - nominal { b } else { a }),
        (b, a) => b.or(a),
    }
}

fn first_change(weight: &WeightStability) -> String {
    let i = &weight.interval;
    if i.fixed {
        return "fixed (no weighted sibling)".into();
    }
    nearer(
        i.nominal,
        i.first_change_below.as_ref(),
        i.first_change_above.as_ref(),
    )
    .map(describe_crossing)
    .unwrap_or_else(|| "none over [0, 1]".into())
}

/// `stability.csv`: `weight, nominal, keep_rank_lo, keep_rank_hi, keep_topk_lo, keep_topk_hi,
/// first_change` (the nearer crossing that changes the focus's rank: which unit passes which, at
/// which weight), then `level, parent` and both crossings of each interval. Weights are
/// normalised within their parent; the siblings rescale proportionally.
pub fn stability_csv(report: &StabilityReport) -> String {
    let mut table = Table::new(
        &[
            "weight",
            "nominal",
            "keep_rank_lo",
            "keep_rank_hi",
            "keep_topk_lo",
            "keep_topk_hi",
            "first_change",
            "level",
            "parent",
            "rank_change_below",
            "rank_change_above",
            "topk_change_below",
            "topk_change_above",
        ],
        &[],
    );
    let crossing = |c: &Option<Crossing>| c.as_ref().map(describe_crossing).unwrap_or_default();
    for set in &report.sets {
        for weight in &set.weights {
            let i = &weight.interval;
            table.push(vec![
                i.weight.clone(),
                num(i.nominal),
                num(i.keep_rank_lo),
                num(i.keep_rank_hi),
                num(i.keep_topk_lo),
                num(i.keep_topk_hi),
                first_change(weight),
                weight.level.to_string(),
                weight.parent.clone(),
                crossing(&i.first_change_below),
                crossing(&i.first_change_above),
                crossing(&i.first_topk_change_below),
                crossing(&i.first_topk_change_above),
            ]);
        }
    }
    table.to_csv()
}

fn moves(set: &LevelStability) -> [(&'static str, &'static str, Option<&MinimalMove>); 4] {
    let m = &set.minimal;
    [
        ("up", "L1", m.up_l1.as_ref()),
        ("up", "Linf", m.up_linf.as_ref()),
        ("down", "L1", m.down_l1.as_ref()),
        ("down", "Linf", m.down_linf.as_ref()),
    ]
}

/// `minimal_change.csv`: per weight set, direction and norm, the smallest change of the
/// normalised weights that moves the focus one place (distance, a lower bound no move can
/// beat, the unit passed or passing, the new rank), one row per weight with its nominal and
/// changed value.
pub fn minimal_change_csv(report: &StabilityReport) -> String {
    let mut table = Table::new(
        &[
            "weights",
            "direction",
            "norm",
            "distance",
            "lower_bound",
            "counterpart",
            "new_rank",
            "weight",
            "nominal",
            "changed",
        ],
        &[],
    );
    for set in &report.sets {
        for (direction, norm, change) in moves(set) {
            let Some(change) = change else { continue };
            for weight in &change.weights {
                table.push(vec![
                    set.label.clone(),
                    direction.into(),
                    norm.into(),
                    num(change.change.distance),
                    num(change.change.lower_bound),
                    change.change.counterpart.clone(),
                    change.change.new_rank.to_string(),
                    weight.code.clone(),
                    num(weight.nominal),
                    num(weight.changed),
                ]);
            }
        }
    }
    table.to_csv()
}

/// One row per weight: nominal weight, the interval on which the focus keeps its rank, the
/// interval on which the top-k *order* (not only membership) is unchanged, first change.
pub fn stability_table(set: &LevelStability, top_k: usize) -> Table {
    let keep_topk = format!("top-{top_k} order unchanged");
    let mut table = Table::new(
        &[
            "weight",
            "parent",
            "nominal",
            "focus keeps rank",
            &keep_topk,
            "first change",
        ],
        &["weight", "parent", "first change"],
    );
    for weight in &set.weights {
        let i = &weight.interval;
        table.push(vec![
            i.weight.clone(),
            weight.parent.clone(),
            fmt_weight(i.nominal),
            format!(
                "{}–{}",
                fmt_weight(i.keep_rank_lo),
                fmt_weight(i.keep_rank_hi)
            ),
            format!(
                "{}–{}",
                fmt_weight(i.keep_topk_lo),
                fmt_weight(i.keep_topk_hi)
            ),
            first_change(weight),
        ]);
    }
    table
}

/// The three largest weight changes of a move, e.g. `Conn 0.500→0.470, Sust 0.500→0.530`.
fn main_changes(change: &MinimalMove) -> String {
    let mut weights: Vec<_> = change
        .weights
        .iter()
        .filter(|w| (w.changed - w.nominal).abs() > 1e-9)
        .collect();
    weights.sort_by(|a, b| {
        (b.changed - b.nominal)
            .abs()
            .total_cmp(&(a.changed - a.nominal).abs())
    });
    weights
        .iter()
        .take(3)
        .map(|w| {
            format!(
                "{} {}→{}",
                w.code,
                fmt_weight(w.nominal),
                fmt_weight(w.changed)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The smallest moves of every weight set: distance, the unit passed or passing, the new rank.
pub fn minimal_change_table(report: &StabilityReport) -> Table {
    let mut table = Table::new(
        &[
            "weights",
            "move",
            "norm",
            "distance",
            "counterpart",
            "new rank",
            "largest changes",
        ],
        &["weights", "move", "norm", "counterpart", "largest changes"],
    );
    for set in &report.sets {
        for (direction, norm, change) in moves(set) {
            let (distance, counterpart, new_rank, changes) = match change {
                Some(c) => (
                    fmt_distance(c.change.distance),
                    c.change.counterpart.clone(),
                    c.change.new_rank.to_string(),
                    main_changes(c),
                ),
                None => (
                    "impossible".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                ),
            };
            table.push(vec![
                set.label.clone(),
                direction.into(),
                norm.into(),
                distance,
                counterpart,
                new_rank,
                changes,
            ]);
        }
    }
    table
}

/// "Switzerland (CHE) keeps its 1st place while a single weight moves within its interval
/// (stability.csv); the most fragile is Physical (nominal 0.200, keeps the rank on 0.150–0.260):
/// at 0.150 NOR passes CHE."
pub fn stability_sentence(report: &StabilityReport) -> String {
    let focus = unit_label(&report.focus, &report.focus_name);
    let rank = ordinal_usize(report.nominal_rank);
    let Some(fragile) = &report.most_fragile else {
        return format!(
            "No weight of the analysed levels can move, so {focus} keeps its {rank} place."
        );
    };
    let name = &fragile.code;
    let interval = format!(
        "{}–{}",
        fmt_weight(fragile.keep_rank_lo),
        fmt_weight(fragile.keep_rank_hi)
    );
    match (&fragile.passer, &fragile.passed, fragile.at) {
        (Some(passer), Some(passed), Some(at)) => format!(
            "{focus} keeps its {rank} place while any one weight stays within its interval; the most \
             fragile is {name} (nominal {}, keeps the rank on {interval}): at {} {passer} passes {passed}.",
            fmt_weight(fragile.nominal),
            fmt_weight(at)
        ),
        _ => format!(
            "{focus} keeps its {rank} place whichever single weight moves, each over its whole range \
             from 0 to 1 (siblings rescaled proportionally)."
        ),
    }
}

/// "The smallest change of the pillar weights that moves CHE down one place is 0.0431 (L1),
/// 0.0215 (L∞), when NOR passes it; no change moves it up."
pub fn minimal_change_sentence(report: &StabilityReport, set: &LevelStability) -> String {
    let m = &set.minimal;
    let part = |l1: Option<&MinimalMove>,
                linf: Option<&MinimalMove>,
                direction: &str,
                verb: &str| match (l1, linf) {
        (Some(l1), Some(linf)) => format!(
            "{direction} one place takes a change of {} (L1) or {} (L∞), {verb} {}",
            fmt_distance(l1.change.distance),
            fmt_distance(linf.change.distance),
            l1.change.counterpart
        ),
        _ if direction == "up" && report.nominal_rank == 1 => {
            "it cannot move up (already 1st)".to_string()
        }
        _ => format!("no change of these weights moves it {direction}"),
    };
    format!(
        "Smallest change of the {} that moves {}: {}; {}.",
        set.label,
        report.focus,
        part(m.up_l1.as_ref(), m.up_linf.as_ref(), "up", "passing"),
        part(
            m.down_l1.as_ref(),
            m.down_linf.as_ref(),
            "down",
            "passed by"
        )
    )
}

/// summary.json of `ranksense stability` (also its `--format json`).
pub fn stability_summary(index: &Index, report: &StabilityReport) -> Summary {
    let mut summary = Summary::new("stability", index);
    summary.stability = Some(report.clone());
    summary
}

/// The tables of weight stability: stability.csv and minimal_change.csv (in `stability`'s and
/// `robust`'s folders alike).
pub fn stability_tables(report: &StabilityReport) -> Files {
    let mut files = Files::default();
    files.add("stability.csv", stability_csv(report));
    files.add("minimal_change.csv", minimal_change_csv(report));
    files
}

/// The files of `ranksense stability --out`: stability.csv, minimal_change.csv, summary.json.
pub fn stability_files(index: &Index, report: &StabilityReport) -> Files {
    let mut files = stability_tables(report);
    files.add("summary.json", stability_summary(index, report).to_json());
    files
}

// ---------------------------------------------------------------------------------------------
// Sweep and simplex
// ---------------------------------------------------------------------------------------------

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

/// The rank-trajectory chart of a sweep, the focus unit highlighted.
pub fn sweep_chart(result: &SweepResult) -> SweepChart {
    SweepChart {
        title: format!("Ranks as the weight of {} varies", result.weight_name),
        x_label: format!(
            "Weight of {} ({}) within {} (siblings rescaled)",
            result.weight_name, result.weight, result.parent
        ),
        x: result.values.clone(),
        series: result
            .unit_codes
            .iter()
            .enumerate()
            .map(|(u, code)| SweepSeries {
                label: code.clone(),
                ranks: result.ranks.iter().map(|r| r[u]).collect(),
                highlight: result.focus == Some(u),
            })
            .collect(),
        nominal_x: Some(result.nominal),
        max_rank: result.unit_codes.len() as u32,
    }
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
    summary.sweep = Some(result.clone());
    summary
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

/// The ternary heat map of a simplex result, the nominal weights marked.
pub fn simplex_chart(result: &SimplexResult) -> TernaryChart {
    TernaryChart {
        title: format!(
            "Rank of {} over the weights within {}",
            result.focus_name, result.parent_name
        ),
        vertex_labels: result.children_names.clone(),
        cells: result
            .points
            .iter()
            .map(|p| TernaryCell {
                w: p.weights,
                rank: p.rank,
            })
            .collect(),
        nominal: result.nominal,
        nominal_rank: result.nominal_rank,
        focus_label: result.focus_name.clone(),
    }
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

// ---------------------------------------------------------------------------------------------
// Drop
// ---------------------------------------------------------------------------------------------

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
    fn tiny_distances_keep_their_digits() {
        assert_eq!(fmt_distance(0.04041), "0.0404");
        assert_eq!(fmt_distance(2.31e-5), "2.31e-5");
        assert_eq!(fmt_distance(0.0), "0.0000");
        assert_eq!(fmt_short(0.5), "0.5");
        assert_eq!(fmt_short(1.0), "1");
    }
}
