//! The nominal ranking as a table (terminal, Markdown, CSV) and as JSON.

use serde::Serialize;

use super::format::fmt_score;
use super::table::Table;
use crate::pipeline::{Evaluation, Prepared};

/// Rows sorted by the top node's rank (ties by unit order).
fn order_by_rank(prepared: &Prepared, evaluation: &Evaluation) -> Vec<usize> {
    let ranks = evaluation.top_ranks(prepared);
    let mut order: Vec<usize> = (0..prepared.n_units()).collect();
    order.sort_by_key(|&u| (ranks[u], u));
    order
}

/// The nodes shown as columns: the given level's nodes, or the top node's children.
pub fn column_nodes(prepared: &Prepared, level: Option<usize>) -> Vec<usize> {
    let framework = &prepared.framework;
    match level {
        Some(level) if level < framework.n_levels => framework.level_nodes(level),
        _ => framework.nodes[framework.top].children.clone(),
    }
}

/// Terminal/Markdown table: rank, code, name, score, then score and rank per column node.
pub fn ranking_table(
    prepared: &Prepared,
    evaluation: &Evaluation,
    columns: &[usize],
    focus: Option<usize>,
) -> Table {
    let framework = &prepared.framework;
    let mut headers = vec![
        "rank".to_string(),
        "code".into(),
        "name".into(),
        framework.nodes[framework.top].code.clone(),
    ];
    for &node in columns {
        headers.push(framework.nodes[node].code.clone());
        headers.push("#".into());
    }
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut table = Table::new(&header_refs, &["code", "name"]);
    let top = framework.top;
    for (position, u) in order_by_rank(prepared, evaluation).into_iter().enumerate() {
        let mut row = vec![
            evaluation.ranks[top][u].to_string(),
            prepared.units[u].code.clone(),
            prepared.units[u].name.clone(),
            fmt_score(evaluation.scores[top][u]),
        ];
        for &node in columns {
            row.push(fmt_score(evaluation.scores[node][u]));
            row.push(evaluation.ranks[node][u].to_string());
        }
        table.push(row);
        if focus == Some(u) {
            table.highlight = Some(position);
        }
    }
    table
}

/// CSV: `uCode,uName,rank,score`, then `<code>,<code>_rank` for every aggregate node below the
/// top, top-down (and every indicator too when `with_indicators`). Full precision.
pub fn ranking_csv(prepared: &Prepared, evaluation: &Evaluation, with_indicators: bool) -> String {
    let framework = &prepared.framework;
    let mut nodes: Vec<usize> = framework
        .aggregates_top_down()
        .into_iter()
        .filter(|&n| n != framework.top)
        .collect();
    if with_indicators {
        nodes.extend(0..framework.n_indicators());
    }
    let mut headers = vec![
        "uCode".to_string(),
        "uName".into(),
        "rank".into(),
        "score".into(),
    ];
    for &node in &nodes {
        let code = &framework.nodes[node].code;
        headers.push(code.clone());
        headers.push(format!("{code}_rank"));
    }
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut table = Table::new(&header_refs, &[]);
    let top = framework.top;
    for u in order_by_rank(prepared, evaluation) {
        let mut row = vec![
            prepared.units[u].code.clone(),
            prepared.units[u].name.clone(),
            evaluation.ranks[top][u].to_string(),
            evaluation.scores[top][u].to_string(),
        ];
        for &node in &nodes {
            row.push(evaluation.scores[node][u].to_string());
            row.push(evaluation.ranks[node][u].to_string());
        }
        table.push(row);
    }
    table.to_csv()
}

/// One unit's nominal results, for JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitResult {
    pub code: String,
    pub name: String,
    pub rank: u32,
    pub score: f64,
    /// Per node code: score and rank.
    pub nodes: Vec<NodeResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeResult {
    pub code: String,
    pub level: usize,
    pub score: f64,
    pub rank: u32,
}

/// The nominal ranking for JSON: units in rank order with every aggregate's score and rank.
pub fn ranking_units(prepared: &Prepared, evaluation: &Evaluation) -> Vec<UnitResult> {
    let framework = &prepared.framework;
    let top = framework.top;
    order_by_rank(prepared, evaluation)
        .into_iter()
        .map(|u| UnitResult {
            code: prepared.units[u].code.clone(),
            name: prepared.units[u].name.clone(),
            rank: evaluation.ranks[top][u],
            score: evaluation.scores[top][u],
            nodes: framework
                .aggregates_top_down()
                .into_iter()
                .filter(|&n| n != top)
                .map(|n| NodeResult {
                    code: framework.nodes[n].code.clone(),
                    level: framework.nodes[n].level,
                    score: evaluation.scores[n][u],
                    rank: evaluation.ranks[n][u],
                })
                .collect(),
        })
        .collect()
}
