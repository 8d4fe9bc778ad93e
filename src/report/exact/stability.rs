//! Weight stability intervals and minimal changes (`stability`) as CSV files, tables, sentences and summary.json.

use super::labels::{ordinal_usize, unit_label};
use crate::analysis::weights::exact::{
    LevelStability, MinimalMove, StabilityReport, WeightStability,
};
use crate::analysis::weights::stability::Crossing;
use crate::model::Index;
use crate::report::format::{fmt_distance, fmt_weight, num};
use crate::report::output::Files;
use crate::report::summary::Summary;
use crate::report::table::Table;

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
