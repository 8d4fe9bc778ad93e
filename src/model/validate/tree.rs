//! The framework tree from meta.csv's rows: one root, parents that exist, levels that rise by
//! one, no cycles; builds the [`Framework`] when every row and tree rule holds.

use super::*;

/// Checks the tree rules; builds the framework only if they and every row rule (`rows_valid`)
/// hold. Node order: indicators in meta order, then aggregates by level, meta order within one.
pub(super) fn build_framework(
    table: &CsvTable,
    rows: &[MetaRow],
    rows_valid: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Framework> {
    let before = diagnostics.len();
    let mut report = |line: Option<usize>, column: &str, problem: String, fix: String| {
        let mut location = Location::file(&table.file).column(column);
        location.line = line;
        diagnostics.push(Diagnostic::new(location, problem, fix));
    };
    let by_code: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.duplicate)
        .map(|(i, r)| (r.code.as_str(), i))
        .collect();
    let nodes: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].is_node()).collect();
    let aggregate_codes: Vec<&str> = rows
        .iter()
        .filter(|r| r.is(RowKind::Aggregate))
        .map(|r| r.code.as_str())
        .collect();
    if !rows.iter().any(|r| r.is(RowKind::Indicator)) {
        report(
            None,
            "Type",
            "no row has Type Indicator, so there is nothing to score".into(),
            "add one row per indicator (Type Indicator, Level 1), named like its data.csv column"
                .into(),
        );
    }

    // Parents.
    let mut parent_of: HashMap<usize, usize> = HashMap::new();
    for &i in &nodes {
        let row = &rows[i];
        let Some(parent) = row.parent.as_deref() else {
            continue;
        };
        match by_code.get(parent) {
            None => {
                let fix = match suggest::nearest(parent, aggregate_codes.iter().copied()) {
                    Some(near) => format!(
                        "{} Parent must be the iCode of an Aggregate row",
                        suggest::did_you_mean(near)
                    ),
                    None => format!(
                        "add an Aggregate row with iCode `{parent}`, or set Parent to an \
                         existing aggregate"
                    ),
                };
                report(
                    Some(row.line),
                    "Parent",
                    format!(
                        "Parent `{parent}` of `{}` does not exist: no row has iCode `{parent}`",
                        row.code
                    ),
                    fix,
                );
            }
            Some(&p) => match rows[p].kind {
                Some(RowKind::Aggregate) => {
                    parent_of.insert(i, p);
                }
                // Its Type is reported already.
                None => {}
                Some(kind) => report(
                    Some(row.line),
                    "Parent",
                    format!(
                        "Parent `{parent}` of `{}` is a{} {} row (line {}), not an Aggregate",
                        row.code,
                        if kind == RowKind::Indicator { "n" } else { "" },
                        kind.name(),
                        rows[p].line
                    ),
                    "set Parent to an Aggregate row, or change that row's Type to Aggregate".into(),
                ),
            },
        }
    }

    // Cycles: follow parents from every node; meeting a node of the current path closes a cycle.
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state: HashMap<usize, u8> = HashMap::new();
    let mut in_cycle: HashSet<usize> = HashSet::new();
    for &start in &nodes {
        let mut path = Vec::new();
        let mut current = start;
        loop {
            match state.get(&current) {
                Some(&DONE) => break,
                Some(&ON_PATH) => {
                    let from = path
                        .iter()
                        .position(|&n| n == current)
                        .expect("on the current path");
                    let mut cycle: Vec<usize> = path[from..].to_vec();
                    let first = (0..cycle.len())
                        .min_by_key(|&k| cycle[k])
                        .expect("a cycle is not empty");
                    cycle.rotate_left(first);
                    let chain: Vec<String> = cycle
                        .iter()
                        .chain(std::iter::once(&cycle[0]))
                        .map(|&n| format!("`{}`", rows[n].code))
                        .collect();
                    report(
                        Some(rows[cycle[0]].line),
                        "Parent",
                        format!(
                            "the Parent column forms a cycle: {} (each is the parent of the \
                             one before)",
                            chain.join(" → ")
                        ),
                        "break the cycle: the index itself has an empty Parent, and every other \
                         row names a parent exactly one level up"
                            .into(),
                    );
                    in_cycle.extend(cycle);
                    break;
                }
                _ => {}
            }
            state.insert(current, ON_PATH);
            path.push(current);
            match parent_of.get(&current) {
                Some(&parent) => current = parent,
                None => break,
            }
        }
        for node in path {
            state.insert(node, DONE);
        }
    }

    // The single top node.
    let tops: Vec<usize> = nodes
        .iter()
        .copied()
        .filter(|&i| rows[i].parent.is_none())
        .collect();
    match tops.as_slice() {
        [] if !nodes.is_empty() => report(
            None,
            "Parent",
            "there is no top node: every Indicator and Aggregate row has a Parent, so no row is \
             the index itself"
                .into(),
            "leave Parent empty on exactly one row: the index, at the highest Level".into(),
        ),
        [] => {}
        [top] if rows[*top].kind == Some(RowKind::Indicator) => report(
            Some(rows[*top].line),
            "Parent",
            format!(
                "the top node `{}` (the only row without a Parent) is an Indicator",
                rows[*top].code
            ),
            "add an Aggregate row for the index and make it the Parent of the top aggregates"
                .into(),
        ),
        [_] => {}
        [_, second, ..] => {
            let listed: Vec<String> = tops
                .iter()
                .map(|&i| format!("`{}` (line {})", rows[i].code, rows[i].line))
                .collect();
            report(
                Some(rows[*second].line),
                "Parent",
                format!(
                    "{} rows have no Parent, but an index has exactly one top node: {}",
                    tops.len(),
                    listed.join(", ")
                ),
                "give every row except the index itself a Parent (an index with several parts \
                 needs one Aggregate row on top of them)"
                    .into(),
            );
        }
    }

    // Levels: a child sits exactly one level below its parent.
    for &child in &nodes {
        let Some(&parent) = parent_of.get(&child) else {
            continue;
        };
        if in_cycle.contains(&child) && in_cycle.contains(&parent) {
            continue;
        }
        if let (Some(child_level), Some(parent_level)) = (rows[child].level, rows[parent].level)
            && child_level + 1 != parent_level
        {
            report(
                Some(rows[child].line),
                "Level",
                format!(
                    "`{}` has Level {child_level} but its Parent `{}` has Level {parent_level}; \
                     a child must be exactly one level below its parent",
                    rows[child].code, rows[parent].code
                ),
                format!(
                    "set the Level of `{}` to {} or choose a Level-{} parent",
                    rows[child].code,
                    parent_level - 1,
                    child_level + 1
                ),
            );
        }
    }

    // Children: every aggregate has some, and not all at zero weight.
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    for &i in &nodes {
        if let Some(&parent) = parent_of.get(&i) {
            children.entry(parent).or_default().push(i);
        }
    }
    for &i in &nodes {
        if rows[i].kind != Some(RowKind::Aggregate) {
            continue;
        }
        let code = &rows[i].code;
        match children.get(&i) {
            None => report(
                Some(rows[i].line),
                "iCode",
                format!("Aggregate `{code}` has no children: no row names it as Parent"),
                format!("set Parent to `{code}` on the rows it combines, or delete the row"),
            ),
            Some(kids) => {
                let weights: Option<Vec<f64>> = kids.iter().map(|&k| rows[k].weight).collect();
                if weights.is_some_and(|w| w.iter().all(|&x| x == 0.0)) {
                    report(
                        Some(rows[kids[0]].line),
                        "Weight",
                        format!(
                            "all {} children of `{code}` have Weight 0, so `{code}` has no score",
                            kids.len()
                        ),
                        format!("give at least one child of `{code}` a positive Weight"),
                    );
                }
            }
        }
    }

    if !rows_valid || diagnostics.len() > before {
        return None;
    }
    let indicator_rows: Vec<usize> = nodes
        .iter()
        .copied()
        .filter(|&i| rows[i].kind == Some(RowKind::Indicator))
        .collect();
    let mut aggregate_rows: Vec<usize> = nodes
        .iter()
        .copied()
        .filter(|&i| rows[i].kind == Some(RowKind::Aggregate))
        .collect();
    aggregate_rows.sort_by_key(|&i| (rows[i].level, i));
    let order: Vec<usize> = indicator_rows
        .iter()
        .chain(&aggregate_rows)
        .copied()
        .collect();
    let node_of_row: HashMap<usize, usize> =
        order.iter().enumerate().map(|(n, &r)| (r, n)).collect();
    let framework_nodes = order
        .iter()
        .map(|&r| Node {
            code: rows[r].code.clone(),
            name: rows[r].name.clone(),
            level: rows[r].level.expect("valid rows have a level"),
            weight: rows[r].weight.expect("valid rows have a weight"),
            parent: parent_of.get(&r).map(|p| node_of_row[p]),
            children: children
                .get(&r)
                .map(|kids| kids.iter().map(|k| node_of_row[k]).collect())
                .unwrap_or_default(),
        })
        .collect();
    let indicators = indicator_rows
        .iter()
        .map(|&r| IndicatorInfo {
            direction: rows[r]
                .direction
                .expect("valid indicators have a direction"),
            denominator: None,
            goalposts: rows[r].goalposts,
            target: rows[r].target,
            unit_label: rows[r].unit_label.clone(),
        })
        .collect();
    let top = tops[0];
    Some(Framework {
        nodes: framework_nodes,
        indicators,
        top: node_of_row[&top],
        n_levels: rows[top].level.expect("valid rows have a level"),
        level_names: Vec::new(),
    })
}
