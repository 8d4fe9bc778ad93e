//! meta.csv row by row: each row's level, code, direction, weight, type and metadata, checked
//! on its own before the tree is built from the rows.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RowKind {
    Indicator,
    Aggregate,
    Group,
    Denominator,
}

impl RowKind {
    const NAMES: [&'static str; 4] = ["Indicator", "Aggregate", "Group", "Denominator"];

    pub(super) fn parse(text: &str) -> Option<RowKind> {
        match text.to_ascii_lowercase().as_str() {
            "indicator" => Some(RowKind::Indicator),
            "aggregate" => Some(RowKind::Aggregate),
            "group" => Some(RowKind::Group),
            "denominator" => Some(RowKind::Denominator),
            _ => None,
        }
    }

    pub(super) fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub(super) fn is_node(self) -> bool {
        matches!(self, RowKind::Indicator | RowKind::Aggregate)
    }
}

/// One row of meta.csv as far as it could be read; invalid values are `None` (and reported).
#[derive(Debug, Clone)]
pub(super) struct MetaRow {
    pub(super) line: usize,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) kind: Option<RowKind>,
    /// Repeats an earlier iCode (reported): ignored by every later rule.
    pub(super) duplicate: bool,
    pub(super) level: Option<usize>,
    pub(super) direction: Option<f64>,
    pub(super) weight: Option<f64>,
    pub(super) parent: Option<String>,
    pub(super) unit_label: Option<String>,
    pub(super) target: Option<f64>,
    pub(super) denominator: Option<String>,
    pub(super) goalposts: Option<(f64, f64)>,
}

impl MetaRow {
    pub(super) fn is(&self, kind: RowKind) -> bool {
        !self.duplicate && self.kind == Some(kind)
    }
    pub(super) fn is_node(&self) -> bool {
        !self.duplicate && self.kind.is_some_and(RowKind::is_node)
    }
}

pub(super) struct MetaColumns {
    pub(super) required: [usize; 7],
    pub(super) unit: Option<usize>,
    pub(super) target: Option<usize>,
    pub(super) denominator: Option<usize>,
    pub(super) goalpost_lower: Option<usize>,
    pub(super) goalpost_upper: Option<usize>,
}

pub(super) const LEVEL_FIX: &str =
    "indicators have Level 1, their parents Level 2, and so on up to the index at the top";
pub(super) const DIRECTION_FIX: &str =
    "write 1 if higher values are better, -1 if lower values are better";
pub(super) const WEIGHT_FIX: &str =
    "write its importance relative to its siblings, e.g. 1 (equal weights)";
/// Largest weight accepted in meta.csv. Weights are relative, so no index needs more, and
/// sums and products of weights (sibling totals, sampled spreads, weight × score) then stay
/// far from overflow: three weights of 1e308 would sum to infinity and every score to 0.
pub const MAX_WEIGHT: f64 = 1e12;

pub(super) fn read_meta(
    table: &CsvTable,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<MetaRow>> {
    let mut required = [0; 7];
    let mut complete = true;
    for (slot, name) in required.iter_mut().zip(META_REQUIRED_COLUMNS) {
        match table.column_ignoring_case(name) {
            Some(column) => *slot = column,
            None => {
                let swapped = table.column_ignoring_case("uCode").map(|_| {
                    "this file has a uCode column, so it looks like data.csv: check that the meta \
                     and data files are not swapped"
                });
                diagnostics.push(missing_column(table, name, swapped));
                complete = false;
            }
        }
    }
    if !complete {
        return None;
    }
    let columns = MetaColumns {
        required,
        unit: table.column_ignoring_case("Unit"),
        target: table.column_ignoring_case("Target"),
        denominator: table.column_ignoring_case("Denominator"),
        goalpost_lower: table.column_ignoring_case("Goalpost_lower"),
        goalpost_upper: table.column_ignoring_case("Goalpost_upper"),
    };
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut rows = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        if let Some(meta_row) = read_meta_row(table, &columns, row, &mut first_line, diagnostics) {
            rows.push(meta_row);
        }
    }
    Some(rows)
}

pub(super) fn read_meta_row(
    table: &CsvTable,
    columns: &MetaColumns,
    row: &CsvRow,
    first_line: &mut HashMap<String, usize>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<MetaRow> {
    let [
        level_col,
        code_col,
        name_col,
        direction_col,
        weight_col,
        parent_col,
        type_col,
    ] = columns.required;
    let cell = |column: usize| row.cells[column].as_str();
    let optional = |column: Option<usize>| {
        column
            .map(|c| row.cells[c].as_str())
            .filter(|text| !is_missing(text))
    };
    let mut report = |column: &str, problem: String, fix: String| {
        diagnostics.push(Diagnostic::new(table.at(row.line, column), problem, fix));
    };

    let code = cell(code_col);
    if code.is_empty() {
        report(
            "iCode",
            "iCode is empty".into(),
            "give the row a code (for an indicator: its column name in data.csv), or delete the row"
                .into(),
        );
        return None;
    }
    let duplicate = match first_line.get(code) {
        Some(first) => {
            report(
                "iCode",
                format!("duplicate iCode `{code}`: line {first} already defines it"),
                "every row needs its own iCode: rename one of the two or delete the repeated row"
                    .into(),
            );
            true
        }
        None => {
            first_line.insert(code.to_string(), row.line);
            false
        }
    };

    let type_text = cell(type_col);
    let kind = RowKind::parse(type_text);
    if kind.is_none() {
        let problem = if is_missing(type_text) {
            format!("Type of `{code}` is empty")
        } else {
            format!("unknown Type `{type_text}` for `{code}`")
        };
        let fix = suggest::one_of(type_text, &RowKind::NAMES);
        report("Type", problem, fix);
    }
    let is_node = kind.is_some_and(RowKind::is_node);
    let parent = optional(Some(parent_col)).map(str::to_string);

    let mut level = None;
    if is_node {
        let text = cell(level_col);
        let parsed = match parse_cell(text) {
            Cell::Number(x) if x >= 1.0 && x.fract() == 0.0 && x <= 1e6 => Some(x as usize),
            Cell::Missing => {
                report(
                    "Level",
                    format!("Level of `{code}` is empty"),
                    LEVEL_FIX.into(),
                );
                None
            }
            _ => {
                report(
                    "Level",
                    format!(
                        "Level `{}` of `{code}` is not a positive integer",
                        abbreviate(text, 20)
                    ),
                    LEVEL_FIX.into(),
                );
                None
            }
        };
        level = match (kind, parsed) {
            (Some(RowKind::Indicator), Some(n)) if n != 1 => {
                report(
                    "Level",
                    format!("`{code}` is an Indicator but has Level {n}; indicators have Level 1"),
                    "set Level to 1, or set Type to Aggregate if the row combines other rows"
                        .into(),
                );
                None
            }
            (Some(RowKind::Aggregate), Some(1)) => {
                report(
                    "Level",
                    format!("`{code}` is an Aggregate but has Level 1, the indicators' level"),
                    "give aggregates one Level more than their children (2 or higher), or set \
                     Type to Indicator if the row is a data column"
                        .into(),
                );
                None
            }
            (_, parsed) => parsed,
        };
    }

    let mut direction = None;
    if kind == Some(RowKind::Indicator) {
        let text = cell(direction_col);
        match parse_cell(text) {
            Cell::Number(x) if x == 1.0 || x == -1.0 => direction = Some(x),
            Cell::Missing => report(
                "Direction",
                format!("Direction of indicator `{code}` is empty"),
                DIRECTION_FIX.into(),
            ),
            _ => report(
                "Direction",
                format!(
                    "Direction `{}` of `{code}` is neither 1 nor -1",
                    abbreviate(text, 20)
                ),
                DIRECTION_FIX.into(),
            ),
        }
    }

    // Fields a row's type does not use are ignored, but a value that is not a number is still a
    // mistake in the file (e.g. a shifted column): refuse it rather than pass it silently.
    let unused_numbers = [
        ("Direction", direction_col, kind != Some(RowKind::Indicator)),
        ("Weight", weight_col, !is_node),
        ("Level", level_col, !is_node),
    ];
    let unused_optional = [
        ("Target", columns.target),
        ("Goalpost_lower", columns.goalpost_lower),
        ("Goalpost_upper", columns.goalpost_upper),
    ]
    .into_iter()
    .filter_map(|(field, column)| Some((field, column?, kind != Some(RowKind::Indicator))));
    for (field, column, unused) in unused_numbers.into_iter().chain(unused_optional) {
        let text = cell(column);
        if unused && !matches!(parse_cell(text), Cell::Number(_) | Cell::Missing) {
            report(
                field,
                format!(
                    "{field} `{}` of `{code}` is not a number (this row does not use it)",
                    abbreviate(text, 20)
                ),
                format!("leave {field} empty for this row, or write a number"),
            );
        }
    }

    let mut weight = None;
    if is_node {
        let text = cell(weight_col);
        match parse_cell(text) {
            Cell::Number(x) if x > MAX_WEIGHT => report(
                "Weight",
                format!("Weight {x:e} of `{code}` is above the largest accepted, {MAX_WEIGHT:e}"),
                "weights are relative importances within a parent: divide all of them by a common factor, e.g. write 1 for equal weights".into(),
            ),
            Cell::Number(x) if x >= 0.0 => weight = Some(x),
            Cell::Number(x) => report(
                "Weight",
                format!("Weight {x} of `{code}` is negative"),
                "weights are relative importances: use 0 (ignored) or a positive number".into(),
            ),
            // The top node's weight is never used (it has no siblings).
            Cell::Missing if parent.is_none() => weight = Some(1.0),
            Cell::Missing => report(
                "Weight",
                format!("Weight of `{code}` is empty"),
                WEIGHT_FIX.into(),
            ),
            bad => {
                let (problem, fix) = number_problem(&format!("Weight of `{code}`"), text, bad);
                report("Weight", problem, fix);
            }
        }
    }

    let mut target = None;
    let mut goalposts = None;
    let mut denominator = None;
    if kind == Some(RowKind::Indicator) {
        let mut number = |column: Option<usize>, label: &str| -> Option<f64> {
            let text = optional(column)?;
            match parse_cell(text) {
                Cell::Number(x) => Some(x),
                bad => {
                    let (problem, fix) = number_problem(&format!("{label} of `{code}`"), text, bad);
                    report(label, problem, fix);
                    None
                }
            }
        };
        target = number(columns.target, "Target");
        let lower = number(columns.goalpost_lower, "Goalpost_lower");
        let upper = number(columns.goalpost_upper, "Goalpost_upper");
        let has_lower = optional(columns.goalpost_lower).is_some();
        let has_upper = optional(columns.goalpost_upper).is_some();
        match (lower, upper) {
            (Some(l), Some(u)) if l < u => goalposts = Some((l, u)),
            (Some(l), Some(u)) => report(
                "Goalpost_lower",
                format!("Goalpost_lower {l} of `{code}` is not below Goalpost_upper {u}"),
                "write the lower goalpost first; a lower-is-better indicator is handled by its \
                 Direction, not by swapping the goalposts"
                    .into(),
            ),
            _ if has_lower && !has_upper => report(
                "Goalpost_upper",
                format!("`{code}` has a Goalpost_lower but no Goalpost_upper"),
                "give both goalposts, or neither".into(),
            ),
            _ if has_upper && !has_lower => report(
                "Goalpost_lower",
                format!("`{code}` has a Goalpost_upper but no Goalpost_lower"),
                "give both goalposts, or neither".into(),
            ),
            _ => {}
        }
        denominator = optional(columns.denominator).map(str::to_string);
    }

    Some(MetaRow {
        line: row.line,
        code: code.to_string(),
        name: Some(cell(name_col))
            .filter(|n| !is_missing(n))
            .unwrap_or(code)
            .to_string(),
        kind,
        duplicate,
        level,
        direction,
        weight,
        parent: if is_node { parent } else { None },
        unit_label: optional(columns.unit).map(str::to_string),
        target,
        denominator,
        goalposts,
    })
}
