//! The rules every index must satisfy: builds a consistent [`Index`], reporting every violation with its place and fix.
//!
//! Nothing stops at the first problem: each rule adds its [`Diagnostic`]s and the index is only
//! assembled when there are none. Rules are grouped by what they need: meta.csv alone (row
//! values, then the framework tree), data.csv alone (units), both (columns, cells), and the
//! nominal method from index.toml (constant indicators, denominators, group columns, focus).

use std::collections::{HashMap, HashSet};

use crate::model::MethodLocations;
use crate::model::csv::{CsvRow, CsvTable, abbreviate};
use crate::model::error::{Diagnostic, Location, nearest};
use crate::model::method::{Imputation, IndicatorMetadata, Method, Normalisation};
use crate::model::toml::{IndexToml, MethodSettings};
use crate::model::{
    Columns, DenominatorColumn, Framework, GroupColumn, Index, IndexInfo, IndicatorInfo, Node, Unit,
};

/// What index.toml contributed to a load.
#[derive(Debug)]
pub(crate) enum Settings {
    /// No index.toml: the defaults of [`Method::simple`].
    Absent,
    Parsed(Box<IndexToml>),
    /// index.toml had problems (already reported); rules that depend on the method are skipped
    /// rather than run against a method the user did not ask for.
    Broken,
}

/// Columns of meta.csv that every COINr iMeta has.
pub const META_REQUIRED_COLUMNS: [&str; 7] = [
    "Level",
    "iCode",
    "iName",
    "Direction",
    "Weight",
    "Parent",
    "Type",
];

/// Beyond this many bad cells in one column, the rest are summarised in one diagnostic.
const MAX_CELL_REPORTS_PER_COLUMN: usize = 10;

/// Columns with at most one distinct non-missing value: every unit with data has the same value,
/// so max − min and the standard deviation are 0 (see [`Normalisation::divides_by_spread`]).
pub fn constant_columns(columns: &Columns) -> Vec<usize> {
    (0..columns.n_cols())
        .filter(|&j| {
            let mut present = columns.col(j).iter().filter(|x| !x.is_nan());
            match present.next() {
                None => true,
                Some(first) => present.all(|x| x == first),
            }
        })
        .collect()
}

/// Builds the index, or returns `None` after adding at least one diagnostic.
pub(crate) fn build_index(
    meta: Option<&CsvTable>,
    data: Option<&CsvTable>,
    settings: &Settings,
    mut info: IndexInfo,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Index> {
    let units = data.and_then(|table| read_units(table, diagnostics));
    let before_meta = diagnostics.len();
    let meta_rows = meta.and_then(|table| read_meta(table, diagnostics));
    let (meta, meta_rows) = (meta?, meta_rows?);
    let framework = build_framework(
        meta,
        &meta_rows,
        diagnostics.len() == before_meta,
        diagnostics,
    );

    let toml = match settings {
        Settings::Parsed(toml) => Some(&**toml),
        Settings::Absent | Settings::Broken => None,
    };
    let method_known = !matches!(settings, Settings::Broken);
    let method = toml.map(|t| t.method.clone()).unwrap_or_default();

    let (data, units) = (data?, units?);
    let columns = read_columns(meta, &meta_rows, data, &units, toml, diagnostics);

    if method_known {
        check_method(
            &meta_rows,
            data,
            &units,
            &columns,
            framework.as_ref(),
            toml,
            &method,
            diagnostics,
        );
    }

    if !diagnostics.is_empty() {
        return None;
    }
    let mut framework = framework?;
    for (indicator, row) in framework.indicators.iter_mut().zip(&columns.indicator_rows) {
        indicator.denominator = meta_rows[*row]
            .denominator
            .as_deref()
            .and_then(|code| columns.denominators.iter().position(|d| d.code == code));
    }
    if let Some(toml) = toml {
        framework.level_names = toml.level_names.clone().unwrap_or_default();
        if let Some(name) = toml.name.as_deref().filter(|n| !n.trim().is_empty()) {
            info.name = name.trim().to_string();
        }
        info.description = toml.description.clone();
        info.provenance = toml.provenance.clone();
        info.reconstruction = toml.reconstruction;
        info.focus = toml
            .focus
            .as_deref()
            .and_then(|focus| find_unit(&units.units, focus))
            .map(|u| units.units[u].code.clone());
    }
    let aggregation = method
        .aggregation
        .for_levels(framework.n_aggregate_levels())
        .ok()?;
    let nominal = Method {
        denominate: method.denominate,
        imputation: method.imputation,
        screen: method.screen,
        treatment: method.treatment,
        normalisation: method.normalisation,
        aggregation,
    };
    let locate = |key: &str| {
        toml.map(|t| t.location(key))
            .unwrap_or_else(|| Location::file("index.toml").column(key))
    };
    let method_locations = MethodLocations {
        normalisation: locate("method.normalisation"),
        aggregation: locate("method.aggregation"),
    };
    Some(Index {
        info,
        method_locations,
        raw: Columns::from_columns(units.units.len(), columns.indicator_values),
        units: units.units,
        framework,
        groups: columns.groups,
        denominators: columns.denominators,
        nominal,
        warnings: columns.warnings,
    })
}

// ---------------------------------------------------------------------------------------------
// Cells

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    Missing,
    Number(f64),
    Infinite,
    /// `NaN`, `n/a`, `-` and the like: a missing value written in a way ranksense does not read
    /// as missing. Guessing would be silent data loss (a `NaN` cell once moved a city from 15th
    /// to 1st), so it is reported with the two spellings that do mean missing.
    MissingMarker,
    NotNumber,
}

/// Only an empty cell and `NA` (R's missing value, any case) mean missing; see [`Cell`].
fn is_missing(text: &str) -> bool {
    text.is_empty() || text.eq_ignore_ascii_case("NA")
}

/// Spellings that other tools (pandas, Excel, SPSS, statistical offices) use for a missing
/// value, compared ignoring ASCII case.
const MISSING_MARKERS: [&str; 21] = [
    "n/a", "#n/a", "n.a.", "n.a", "na.", "nan", "-nan", "+nan", "null", "none", "nil", "missing",
    "-", "--", "---", "\u{2013}", "\u{2014}", ".", "..", "...", "?",
];

fn parse_cell(text: &str) -> Cell {
    if is_missing(text) {
        return Cell::Missing;
    }
    if MISSING_MARKERS.iter().any(|m| m.eq_ignore_ascii_case(text)) {
        return Cell::MissingMarker;
    }
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Cell::Number(x),
        // Rust reads `NaN` in any case and sign; every such spelling is a marker.
        Ok(x) if x.is_nan() => Cell::MissingMarker,
        Ok(_) => Cell::Infinite,
        Err(_) => Cell::NotNumber,
    }
}

/// The fix for a cell that is neither a number nor one of the two ways of writing missing.
const MISSING_FIX: &str = "leave the cell empty or write NA for a missing value";

/// Problem and fix for a cell that should hold a finite number; `what` names it
/// (e.g. "Weight of `LPI`").
fn number_problem(what: &str, text: &str, cell: Cell) -> (String, String) {
    let shown = abbreviate(text, 40);
    let missing_hint = "or leave the cell empty (or NA) if the value is missing";
    if cell == Cell::MissingMarker {
        return (
            format!(
                "{what} is `{shown}`, which is not a number; only an empty cell or NA means \
                 missing"
            ),
            format!("{MISSING_FIX}; otherwise write the number"),
        );
    }
    if cell == Cell::Infinite {
        let why = if text.to_ascii_lowercase().contains("inf") {
            "is infinite"
        } else {
            "is too large for a number and overflows to infinity"
        };
        return (
            format!("{what} is `{shown}`, which {why}"),
            format!("write a finite number, {missing_hint}"),
        );
    }
    let fix = if text.eq_ignore_ascii_case("TRUE") || text.eq_ignore_ascii_case("FALSE") {
        format!("a logical value cannot be scored: write 1 or 0, {missing_hint}")
    } else if text.contains(',') && text.replace(',', ".").parse::<f64>().is_ok() {
        format!(
            "write the decimal separator as a dot (`{}`), {missing_hint}",
            text.replace(',', ".")
        )
    } else if let Some(stripped) = text.strip_suffix('%')
        && stripped.trim().parse::<f64>().is_ok()
    {
        format!("drop the % sign (`{}`), {missing_hint}", stripped.trim())
    } else {
        format!("write a number such as 12.5, {missing_hint}")
    };
    (format!("{what} is `{shown}`, which is not a number"), fix)
}

/// `` `a`, `b`, `c` `` with at most `max` names shown.
fn list_names<'a>(names: impl IntoIterator<Item = &'a str>, max: usize) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    let mut out = names
        .iter()
        .take(max)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > max {
        out.push_str(&format!(", … ({} in all)", names.len()));
    }
    if out.is_empty() {
        out.push_str("(nothing)");
    }
    out
}

fn missing_column(table: &CsvTable, name: &str, extra_fix: Option<&str>) -> Diagnostic {
    let found: Vec<&str> = table
        .header
        .iter()
        .map(String::as_str)
        .filter(|h| !h.is_empty())
        .collect();
    let mut fix = match nearest(name, found.iter().copied(), 2) {
        Some(near) => format!("rename column `{near}` to `{name}`"),
        None => format!("add a column `{name}` to the header on line 1"),
    };
    if let Some(extra) = extra_fix {
        fix.push_str("; ");
        fix.push_str(extra);
    }
    Diagnostic::new(
        Location::file(&table.file).line(1).column(name),
        format!(
            "required column `{name}` is missing; the header has {}",
            list_names(found, 15)
        ),
        fix,
    )
}

// ---------------------------------------------------------------------------------------------
// meta.csv rows

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Indicator,
    Aggregate,
    Group,
    Denominator,
}

impl RowKind {
    const NAMES: [&'static str; 4] = ["Indicator", "Aggregate", "Group", "Denominator"];

    fn parse(text: &str) -> Option<RowKind> {
        match text.to_ascii_lowercase().as_str() {
            "indicator" => Some(RowKind::Indicator),
            "aggregate" => Some(RowKind::Aggregate),
            "group" => Some(RowKind::Group),
            "denominator" => Some(RowKind::Denominator),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    fn is_node(self) -> bool {
        matches!(self, RowKind::Indicator | RowKind::Aggregate)
    }
}

/// One row of meta.csv as far as it could be read; invalid values are `None` (and reported).
#[derive(Debug, Clone)]
struct MetaRow {
    line: usize,
    code: String,
    name: String,
    kind: Option<RowKind>,
    /// Repeats an earlier iCode (reported): ignored by every later rule.
    duplicate: bool,
    level: Option<usize>,
    direction: Option<f64>,
    weight: Option<f64>,
    parent: Option<String>,
    unit_label: Option<String>,
    target: Option<f64>,
    denominator: Option<String>,
    goalposts: Option<(f64, f64)>,
}

impl MetaRow {
    fn is(&self, kind: RowKind) -> bool {
        !self.duplicate && self.kind == Some(kind)
    }
    fn is_node(&self) -> bool {
        !self.duplicate && self.kind.is_some_and(RowKind::is_node)
    }
}

struct MetaColumns {
    required: [usize; 7],
    unit: Option<usize>,
    target: Option<usize>,
    denominator: Option<usize>,
    goalpost_lower: Option<usize>,
    goalpost_upper: Option<usize>,
}

const LEVEL_FIX: &str =
    "indicators have Level 1, their parents Level 2, and so on up to the index at the top";
const DIRECTION_FIX: &str = "write 1 if higher values are better, -1 if lower values are better";
const WEIGHT_FIX: &str = "write its importance relative to its siblings, e.g. 1 (equal weights)";
/// Largest weight accepted in meta.csv. Weights are relative, so no index needs more, and
/// sums and products of weights (sibling totals, sampled spreads, weight × score) then stay
/// far from overflow: three weights of 1e308 would sum to infinity and every score to 0.
pub const MAX_WEIGHT: f64 = 1e12;

fn read_meta(table: &CsvTable, diagnostics: &mut Vec<Diagnostic>) -> Option<Vec<MetaRow>> {
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

fn read_meta_row(
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
        let fix = match nearest(type_text, RowKind::NAMES, 3).filter(|_| !type_text.is_empty()) {
            Some(near) => format!(
                "did you mean `{near}`? Type must be Indicator, Aggregate, Group or Denominator"
            ),
            None => "write Indicator, Aggregate, Group or Denominator".into(),
        };
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

// ---------------------------------------------------------------------------------------------
// The framework tree

/// Checks the tree rules; builds the framework only if they and every row rule (`rows_valid`)
/// hold. Node order: indicators in meta order, then aggregates by level, meta order within one.
fn build_framework(
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
                let fix = match nearest(parent, aggregate_codes.iter().copied(), 2) {
                    Some(near) => format!(
                        "did you mean `{near}`? Parent must be the iCode of an Aggregate row"
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

// ---------------------------------------------------------------------------------------------
// data.csv

struct UnitRows {
    units: Vec<Unit>,
    /// For each unit, its row in the data table (rows with a bad or repeated uCode are dropped).
    rows: Vec<usize>,
}

fn read_units(table: &CsvTable, diagnostics: &mut Vec<Diagnostic>) -> Option<UnitRows> {
    let Some(code_col) = table.column_ignoring_case("uCode") else {
        let swapped = table.column_ignoring_case("iCode").map(|_| {
            "this file has an iCode column, so it looks like meta.csv: check that the meta and \
             data files are not swapped"
        });
        diagnostics.push(missing_column(table, "uCode", swapped));
        return None;
    };
    let name_col = table.column_ignoring_case("uName");
    let mut first_line: HashMap<&str, usize> = HashMap::new();
    let mut units = Vec::with_capacity(table.rows.len());
    let mut rows = Vec::with_capacity(table.rows.len());
    for (r, row) in table.rows.iter().enumerate() {
        // "NA" is a valid code (Namibia's ISO2); only an empty cell is missing.
        let code = row.cells[code_col].as_str();
        if code.is_empty() {
            diagnostics.push(Diagnostic::new(
                table.at(row.line, "uCode"),
                "uCode is empty",
                "give every unit a unique code (e.g. its ISO3 code), or delete the row",
            ));
            continue;
        }
        if let Some(first) = first_line.get(code) {
            diagnostics.push(Diagnostic::new(
                table.at(row.line, "uCode"),
                format!("duplicate uCode `{code}`: line {first} already uses it"),
                "every unit needs its own uCode: rename one of the two or delete the repeated row",
            ));
            continue;
        }
        first_line.insert(code, row.line);
        let name = name_col
            .map(|c| row.cells[c].as_str())
            .filter(|n| !is_missing(n))
            .unwrap_or(code);
        units.push(Unit {
            code: code.to_string(),
            name: name.to_string(),
        });
        rows.push(r);
    }
    Some(UnitRows { units, rows })
}

/// A numeric column of data.csv, read over the units.
struct NumericColumn {
    values: Vec<f64>,
    /// Units whose cell was not a finite number (reported).
    bad: Vec<bool>,
}

fn read_numeric_column(
    table: &CsvTable,
    column: usize,
    units: &UnitRows,
    diagnostics: &mut Vec<Diagnostic>,
) -> NumericColumn {
    let code = &table.header[column];
    // (unit, line, text, reading) per unit.
    let cells: Vec<(usize, usize, &str, Cell)> = units
        .rows
        .iter()
        .enumerate()
        .map(|(u, &r)| {
            let text = table.rows[r].cells[column].as_str();
            (u, table.rows[r].line, text, parse_cell(text))
        })
        .collect();
    let values = cells
        .iter()
        .map(|&(_, _, _, cell)| match cell {
            Cell::Number(x) => x,
            _ => f64::NAN,
        })
        .collect();
    let bad: Vec<bool> = cells
        .iter()
        .map(|&(_, _, _, cell)| {
            matches!(cell, Cell::NotNumber | Cell::Infinite | Cell::MissingMarker)
        })
        .collect();
    let present = cells.iter().filter(|c| c.3 != Cell::Missing).count();
    let text_cells = cells.iter().filter(|c| c.3 == Cell::NotNumber).count();
    if text_cells >= 2 && text_cells == present {
        // A whole column of text is one mistake, not one per unit.
        let (_, line, example, _) = cells
            .iter()
            .find(|c| c.3 == Cell::NotNumber)
            .expect("at least two text cells");
        diagnostics.push(Diagnostic::new(
            table.at(*line, code),
            format!(
                "column `{code}` holds text (e.g. `{}`), not numbers, in all {text_cells} cells \
                 with a value",
                abbreviate(example, 40)
            ),
            format!(
                "if `{code}` is a grouping variable, set its Type to Group in meta.csv; \
                 otherwise write numbers in it"
            ),
        ));
        return NumericColumn { values, bad };
    }
    let bad_cells: Vec<&(usize, usize, &str, Cell)> = cells
        .iter()
        .filter(|c| matches!(c.3, Cell::NotNumber | Cell::Infinite | Cell::MissingMarker))
        .collect();
    for &&(u, line, text, cell) in bad_cells.iter().take(MAX_CELL_REPORTS_PER_COLUMN) {
        let what = format!("`{code}` of unit `{}`", units.units[u].code);
        let (problem, fix) = number_problem(&what, text, cell);
        diagnostics.push(Diagnostic::new(table.at(line, code), problem, fix));
    }
    if bad_cells.len() > MAX_CELL_REPORTS_PER_COLUMN {
        let rest = &bad_cells[MAX_CELL_REPORTS_PER_COLUMN..];
        let lines: Vec<String> = rest.iter().map(|c| c.1.to_string()).collect();
        diagnostics.push(Diagnostic::new(
            table.at(rest[0].1, code),
            format!(
                "{} more cells in column `{code}` are not finite numbers (lines {})",
                rest.len(),
                abbreviate(&lines.join(", "), 80)
            ),
            "write numbers, or leave cells empty (or NA) where values are missing",
        ));
    }
    NumericColumn { values, bad }
}

/// Everything read from data.csv columns.
struct DataColumns {
    /// Meta row of each indicator, in meta order (= framework indicator order).
    indicator_rows: Vec<usize>,
    /// One column per indicator (NaN where missing, unreadable, or absent from data.csv).
    indicator_values: Vec<Vec<f64>>,
    /// Whether the indicator's column exists and every cell was readable.
    indicator_clean: Vec<bool>,
    groups: Vec<GroupColumn>,
    denominators: Vec<DenominatorColumn>,
    /// Whether each denominator's cells were all readable.
    denominator_bad: Vec<Vec<bool>>,
    /// Columns that are read but not used (see [`ignored_columns`]).
    warnings: Vec<Diagnostic>,
}

fn read_columns(
    meta: &CsvTable,
    rows: &[MetaRow],
    data: &CsvTable,
    units: &UnitRows,
    toml: Option<&IndexToml>,
    diagnostics: &mut Vec<Diagnostic>,
) -> DataColumns {
    let n_units = units.units.len();
    let declared: HashSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    let unit_columns = [
        data.column_ignoring_case("uCode"),
        data.column_ignoring_case("uName"),
    ];
    let undeclared: Vec<&str> = data
        .header
        .iter()
        .enumerate()
        .filter(|(j, h)| {
            !h.is_empty() && !declared.contains(h.as_str()) && !unit_columns.contains(&Some(*j))
        })
        .map(|(_, h)| h.as_str())
        .collect();
    // Undeclared columns already reported as a likely misspelling of a meta.csv row.
    let mut misspelt: Vec<&str> = Vec::new();
    let mut not_in_data = |row: &MetaRow, what: &str, diagnostics: &mut Vec<Diagnostic>| {
        let near = nearest(&row.code, undeclared.iter().copied(), 2);
        let fix = match near {
            Some(near) => format!(
                "data.csv has an undeclared column `{near}`: rename it to `{}`",
                row.code
            ),
            None => format!(
                "add a column `{}` to data.csv, or delete this row",
                row.code
            ),
        };
        diagnostics.push(Diagnostic::new(
            meta.at(row.line, "iCode"),
            format!("{what} `{}` has no column in data.csv", row.code),
            fix,
        ));
        if let Some(near) = near {
            misspelt.push(near);
            diagnostics.push(Diagnostic::new(
                Location::file(&data.file).line(1).column(near),
                format!(
                    "column `{near}` is not declared in meta.csv, and its name is close to {} \
                     `{}` (meta.csv line {}), which has no column",
                    what.to_lowercase(),
                    row.code,
                    row.line
                ),
                format!(
                    "rename the column to `{}`, or declare `{near}` in meta.csv if it is a \
                     different variable",
                    row.code
                ),
            ));
        }
    };

    // Groups and denominators declared in meta.csv.
    let mut groups = Vec::new();
    let mut denominators = Vec::new();
    let mut denominator_bad = Vec::new();
    for row in rows {
        if row.is(RowKind::Group) {
            match data.column(&row.code) {
                Some(column) => groups.push(read_group(data, column, units)),
                None => not_in_data(row, "Group", diagnostics),
            }
        } else if row.is(RowKind::Denominator) {
            match data.column(&row.code) {
                Some(column) => {
                    let read = read_numeric_column(data, column, units, diagnostics);
                    denominators.push(DenominatorColumn {
                        code: row.code.clone(),
                        values: read.values,
                    });
                    denominator_bad.push(read.bad);
                }
                None => not_in_data(row, "Denominator", diagnostics),
            }
        }
    }

    // Indicators.
    let indicator_rows: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].is(RowKind::Indicator))
        .collect();
    let mut indicator_values = Vec::with_capacity(indicator_rows.len());
    // Per indicator, which cells were unreadable; `None` when the column is absent.
    let mut indicator_bad: Vec<Option<Vec<bool>>> = Vec::with_capacity(indicator_rows.len());
    for &i in &indicator_rows {
        match data.column(&rows[i].code) {
            Some(column) => {
                let read = read_numeric_column(data, column, units, diagnostics);
                let clean = !read.bad.iter().any(|&b| b);
                if clean && n_units > 0 && read.values.iter().all(|x| x.is_nan()) {
                    let code = &rows[i].code;
                    diagnostics.push(Diagnostic::new(
                        data.at(1, code),
                        format!(
                            "indicator `{code}` has no values: every cell of its column is \
                             empty or NA"
                        ),
                        "fill in its data, or delete the indicator (its row in meta.csv and its \
                         column in data.csv)",
                    ));
                }
                indicator_bad.push(Some(read.bad));
                indicator_values.push(read.values);
            }
            None => {
                not_in_data(&rows[i], "Indicator", diagnostics);
                indicator_bad.push(None);
                indicator_values.push(vec![f64::NAN; n_units]);
            }
        }
    }
    let indicator_clean = indicator_bad
        .iter()
        .map(|bad| bad.as_ref().is_some_and(|b| !b.contains(&true)))
        .collect();

    // Denominators named by indicators: must be data columns; undeclared ones are accepted.
    for &i in &indicator_rows {
        let row = &rows[i];
        let Some(code) = row.denominator.as_deref() else {
            continue;
        };
        if denominators.iter().any(|d| d.code == code) {
            continue;
        }
        let declared_as = rows.iter().find(|r| !r.duplicate && r.code == code);
        match data.column(code) {
            Some(_) if declared_as.is_some_and(|r| r.kind == Some(RowKind::Group)) => {
                diagnostics.push(Diagnostic::new(
                    meta.at(row.line, "Denominator"),
                    format!(
                        "Denominator `{code}` of `{}` is a Group column, not numbers",
                        row.code
                    ),
                    "name a numeric column of data.csv (declared with Type Denominator)",
                ));
            }
            Some(column) => {
                let read = read_numeric_column(data, column, units, diagnostics);
                denominators.push(DenominatorColumn {
                    code: code.to_string(),
                    values: read.values,
                });
                denominator_bad.push(read.bad);
            }
            // A declared Denominator row without a column is reported above.
            None if declared_as.is_some_and(|r| r.kind == Some(RowKind::Denominator)) => {}
            None => {
                let candidates = data.header.iter().map(String::as_str);
                let fix = match nearest(code, candidates, 2) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!(
                        "add a `{code}` column to data.csv (and a row with Type Denominator to \
                         meta.csv), or clear the cell"
                    ),
                };
                diagnostics.push(Diagnostic::new(
                    meta.at(row.line, "Denominator"),
                    format!(
                        "Denominator `{code}` of `{}` is not a column of data.csv",
                        row.code
                    ),
                    fix,
                ));
            }
        }
    }

    // A group column named by group imputation may be undeclared in meta.csv.
    if let Some(column_name) = toml.and_then(|t| t.method.imputation.group_column())
        && !groups.iter().any(|g| g.code == column_name)
        && !declared.contains(column_name)
        && let Some(column) = data.column(column_name)
    {
        groups.push(read_group(data, column, units));
    }

    let warnings = ignored_columns(data, &undeclared, |name| {
        misspelt.contains(&name)
            || groups.iter().any(|g| g.code == name)
            || denominators.iter().any(|d| d.code == name)
    });

    // Units without any data.
    let present_columns: Vec<(usize, &Vec<bool>)> = indicator_bad
        .iter()
        .enumerate()
        .filter_map(|(k, bad)| Some((k, bad.as_ref()?)))
        .collect();
    if !present_columns.is_empty() {
        for (u, unit) in units.units.iter().enumerate() {
            let row_line = data.rows[units.rows[u]].line;
            // A row with unreadable cells is reported for those; "no data" would mislead.
            let unreadable = present_columns.iter().any(|(_, bad)| bad[u]);
            if !unreadable
                && present_columns
                    .iter()
                    .all(|&(k, _)| indicator_values[k][u].is_nan())
            {
                diagnostics.push(Diagnostic::new(
                    data.at(row_line, "uCode"),
                    format!(
                        "unit `{}` has no value for any of the {} indicators",
                        unit.code,
                        present_columns.len()
                    ),
                    "supply its data or delete the row: a unit without data cannot be scored",
                ));
            }
        }
    }

    DataColumns {
        indicator_rows,
        indicator_values,
        indicator_clean,
        groups,
        denominators,
        denominator_bad,
        warnings,
    }
}

/// Beyond this many ignored columns, the rest are named in one warning.
const MAX_IGNORED_COLUMN_WARNINGS: usize = 5;

/// Warnings for the undeclared columns of data.csv that nothing uses (`used` says which are
/// used or already reported). They are ignored, as COINr users expect of extra columns, but
/// never silently: a forgotten meta.csv row would otherwise drop an indicator unnoticed.
/// `Time` is COINr's own special column (the year of the data) and is not reported.
fn ignored_columns(
    data: &CsvTable,
    undeclared: &[&str],
    used: impl Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    let ignored: Vec<&str> = undeclared
        .iter()
        .copied()
        .filter(|name| !name.eq_ignore_ascii_case("Time") && !used(name))
        .collect();
    let fix = "declare it in meta.csv (a row with Type Indicator, Group or Denominator) if the \
               index should use it, or delete the column";
    let mut warnings: Vec<Diagnostic> = ignored
        .iter()
        .take(MAX_IGNORED_COLUMN_WARNINGS)
        .map(|name| {
            Diagnostic::new(
                data.at(1, name),
                format!("column `{name}` is not declared in meta.csv, so it is ignored"),
                fix,
            )
        })
        .collect();
    if let Some(rest) = ignored.get(MAX_IGNORED_COLUMN_WARNINGS..)
        && !rest.is_empty()
    {
        warnings.push(Diagnostic::new(
            data.at(1, rest[0]),
            format!(
                "{} more columns are not declared in meta.csv, so they are ignored: {}",
                rest.len(),
                list_names(rest.iter().copied(), 10)
            ),
            "declare them in meta.csv (rows with Type Indicator, Group or Denominator) if the \
             index should use them, or delete the columns",
        ));
    }
    warnings
}

fn read_group(table: &CsvTable, column: usize, units: &UnitRows) -> GroupColumn {
    GroupColumn {
        code: table.header[column].clone(),
        values: units
            .rows
            .iter()
            .map(|&r| {
                let text = table.rows[r].cells[column].as_str();
                (!is_missing(text)).then(|| text.to_string())
            })
            .collect(),
    }
}

/// Finds a unit like [`Index::find_unit`]: code, then name ignoring case, then code ignoring case.
fn find_unit(units: &[Unit], code_or_name: &str) -> Option<usize> {
    units
        .iter()
        .position(|u| u.code == code_or_name)
        .or_else(|| {
            units
                .iter()
                .position(|u| u.name.eq_ignore_ascii_case(code_or_name))
        })
        .or_else(|| {
            units
                .iter()
                .position(|u| u.code.eq_ignore_ascii_case(code_or_name))
        })
}

fn unknown_unit_fix(units: &[Unit], wanted: &str) -> String {
    let candidates = units
        .iter()
        .flat_map(|u| [u.code.as_str(), u.name.as_str()]);
    match nearest(wanted, candidates, 3) {
        Some(near) => {
            let unit = &units[find_unit(units, near).expect("a code or name of a unit")];
            format!("did you mean `{}` ({})?", unit.code, unit.name)
        }
        None => format!(
            "write a uCode or uName from data.csv, e.g. {}",
            list_names(units.iter().map(|u| u.code.as_str()), 5)
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Rules that depend on the nominal method

#[allow(clippy::too_many_arguments)]
fn check_method(
    rows: &[MetaRow],
    data: &CsvTable,
    units: &UnitRows,
    columns: &DataColumns,
    framework: Option<&Framework>,
    toml: Option<&IndexToml>,
    method: &MethodSettings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Without index.toml the method is the default, which only the data rules below can break.
    let locate = |key: &str| {
        toml.map(|t| t.location(key))
            .unwrap_or_else(|| Location::file("index.toml").column(key))
    };

    if let (Some(toml), Some(framework)) = (toml, framework) {
        if let Err(problem) = method
            .aggregation
            .for_levels(framework.n_aggregate_levels())
        {
            let levels: Vec<String> = (2..=framework.n_levels)
                .map(|level| {
                    let first = framework.level_nodes(level)[0];
                    format!("level {level} (e.g. `{}`)", framework.nodes[first].code)
                })
                .collect();
            diagnostics.push(Diagnostic::new(
                toml.location("method.aggregation"),
                problem,
                format!(
                    "give one method per aggregate level, bottom-up: {}; or a single method \
                     for all levels",
                    levels.join(", ")
                ),
            ));
        }
        if let Some(names) = &toml.level_names
            && names.len() != framework.n_levels
        {
            diagnostics.push(Diagnostic::new(
                toml.location("level_names"),
                format!(
                    "`level_names` has {} names but the framework has {} levels",
                    names.len(),
                    framework.n_levels
                ),
                format!(
                    "give {} names, bottom-up from the indicators to the index, e.g. \
                     [\"Indicator\", …, \"Index\"]",
                    framework.n_levels
                ),
            ));
        }
    }

    // The group column of group imputation.
    if let Some(column) = method.imputation.group_column()
        && !columns.groups.iter().any(|g| g.code == column)
    {
        let is_indicator = columns
            .indicator_rows
            .iter()
            .any(|&r| rows[r].code == column);
        let group_codes: Vec<&str> = columns.groups.iter().map(|g| g.code.as_str()).collect();
        let problem = if is_indicator {
            format!(
                "`{}` names `{column}`, which is an indicator, not a group column",
                method.imputation
            )
        } else {
            format!(
                "`{}` names `{column}`, which is not a group column of data.csv",
                method.imputation
            )
        };
        let fix = match nearest(column, group_codes.iter().copied(), 3) {
            Some(near) => format!(
                "did you mean `{near}`? Group columns: {}",
                list_names(group_codes, 10)
            ),
            None if group_codes.is_empty() => "add the grouping column to data.csv (and a row \
                                               with Type Group to meta.csv), or use imputation \
                                               = \"mean\""
                .to_string(),
            None => format!(
                "use one of the group columns: {}",
                list_names(group_codes, 10)
            ),
        };
        diagnostics.push(Diagnostic::new(locate("method.imputation"), problem, fix));
    }

    // The focus unit and a dist2ref reference unit.
    if let Some(focus) = toml.and_then(|t| t.focus.as_deref())
        && find_unit(&units.units, focus).is_none()
    {
        diagnostics.push(Diagnostic::new(
            locate("focus"),
            format!("focus unit `{focus}` is not a uCode or uName in data.csv"),
            unknown_unit_fix(&units.units, focus),
        ));
    }
    if let Normalisation::Dist2Ref { unit } = &method.normalisation
        && find_unit(&units.units, unit).is_none()
    {
        diagnostics.push(Diagnostic::new(
            locate("method.normalisation"),
            format!(
                "reference unit `{unit}` of `{}` is not a uCode or uName in data.csv",
                method.normalisation
            ),
            unknown_unit_fix(&units.units, unit),
        ));
    }

    // Normalisations that need per-indicator metadata.
    let lacking = |has: &dyn Fn(&MetaRow) -> bool| -> Vec<&str> {
        columns
            .indicator_rows
            .iter()
            .map(|&r| &rows[r])
            .filter(|r| !has(r))
            .map(|r| r.code.as_str())
            .collect()
    };
    let needs = method.normalisation.needed_metadata().map(|needed| {
        let lacking = match needed {
            IndicatorMetadata::Goalposts => lacking(&|r| r.goalposts.is_some()),
            IndicatorMetadata::Target => lacking(&|r| r.target.is_some()),
        };
        (needed.columns(), lacking)
    });
    if let Some((what, lacking)) = needs
        && !lacking.is_empty()
    {
        diagnostics.push(Diagnostic::new(
            locate("method.normalisation"),
            format!(
                "normalisation `{}` needs {what} in meta.csv for every indicator, but {} \
                 lack it: {}",
                method.normalisation,
                lacking.len(),
                list_names(lacking, 10)
            ),
            format!("fill in {what} for those indicators, or choose another normalisation"),
        ));
    }

    // Whether the aggregations can run on the normalised values is decided on the data, by
    // `pipeline::validity::check_aggregations`, when the index is prepared.

    let divided = divided_indicators(rows, columns);
    check_constant_indicators(
        rows,
        data,
        columns,
        &divided,
        toml.is_some(),
        method,
        diagnostics,
    );
    check_denominators(rows, data, units, columns, &divided, method, diagnostics);
}

/// (indicator position, denominator position) of every indicator with a Denominator.
fn divided_indicators(rows: &[MetaRow], columns: &DataColumns) -> Vec<(usize, usize)> {
    columns
        .indicator_rows
        .iter()
        .enumerate()
        .filter_map(|(k, &r)| {
            let code = rows[r].denominator.as_deref()?;
            let d = columns.denominators.iter().position(|d| d.code == code)?;
            Some((k, d))
        })
        .collect()
}

/// Constant indicators break normalisations that divide by the spread. Checked after
/// denomination, since that is what gets normalised.
fn check_constant_indicators(
    rows: &[MetaRow],
    data: &CsvTable,
    columns: &DataColumns,
    divided: &[(usize, usize)],
    has_toml: bool,
    method: &MethodSettings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(explanation) = method.normalisation.spread_divisor() else {
        return;
    };
    for (k, &r) in columns.indicator_rows.iter().enumerate() {
        if !columns.indicator_clean[k] {
            continue;
        }
        let raw = &columns.indicator_values[k];
        let denominator = divided
            .iter()
            .find(|&&(kk, _)| kk == k)
            .filter(|_| method.denominate)
            .map(|&(_, d)| &columns.denominators[d]);
        let values: Vec<f64> = match denominator {
            Some(d) => raw
                .iter()
                .zip(&d.values)
                .map(|(&x, &y)| if y != 0.0 { x / y } else { f64::NAN })
                .filter(|x| !x.is_nan())
                .collect(),
            None => raw.iter().copied().filter(|x| !x.is_nan()).collect(),
        };
        let Some(&first) = values.first() else {
            continue;
        };
        if values.iter().all(|&x| x == first) {
            let code = &rows[r].code;
            let after = denominator
                .map(|d| format!(" after division by `{}`", d.code))
                .unwrap_or_default();
            let who = if values.len() == 1 {
                "the only unit with data has".to_string()
            } else {
                format!("all {} units with data have", values.len())
            };
            diagnostics.push(Diagnostic::new(
                data.at(1, code),
                format!(
                    "indicator `{code}` is constant: {who} the value {first}{after}, so \
                     max − min = 0 and the standard deviation is 0; {explanation}, so \
                     `{}` would divide by zero for every unit",
                    method.normalisation
                ),
                format!(
                    "drop the indicator (its row in meta.csv and its column in data.csv), or \
                     use a normalisation that does not divide by the spread, e.g. \
                     normalisation = \"rank\"{}",
                    if !has_toml {
                        " in an index.toml [method] table"
                    } else {
                        ""
                    }
                ),
            ));
        }
    }
}

/// A zero denominator divides by zero; a missing one silently drops an observed value unless
/// imputation fills it again (as COINr's Denominate-then-Impute does).
fn check_denominators(
    rows: &[MetaRow],
    data: &CsvTable,
    units: &UnitRows,
    columns: &DataColumns,
    divided: &[(usize, usize)],
    method: &MethodSettings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if !method.denominate {
        return;
    }
    for (u, unit) in units.units.iter().enumerate() {
        let line = data.rows[units.rows[u]].line;
        for (d, denominator) in columns.denominators.iter().enumerate() {
            let value = denominator.values[u];
            let zero = value == 0.0;
            let missing = value.is_nan()
                && !columns.denominator_bad[d][u]
                && method.imputation == Imputation::None;
            if !zero && !missing {
                continue;
            }
            let affected: Vec<&str> = divided
                .iter()
                .filter(|&&(k, dd)| dd == d && !columns.indicator_values[k][u].is_nan())
                .map(|&(k, _)| rows[columns.indicator_rows[k]].code.as_str())
                .collect();
            if affected.is_empty() {
                continue;
            }
            let (problem, fix) = if zero {
                (
                    format!(
                        "denominator `{}` is 0 for unit `{}`, but denominate = true divides \
                         its {} by it",
                        denominator.code,
                        unit.code,
                        list_names(affected, 10)
                    ),
                    format!(
                        "enter the correct {} of {}, leave the cell empty if unknown, or set \
                         denominate = false in index.toml",
                        denominator.code, unit.code
                    ),
                )
            } else {
                (
                    format!(
                        "denominator `{}` is missing for unit `{}`, so denominate = true \
                         turns its {} into missing values, and imputation = \"none\" \
                         leaves them missing",
                        denominator.code,
                        unit.code,
                        list_names(affected, 10)
                    ),
                    format!(
                        "supply the {} of {}, or set an imputation in the index.toml \
                         [method] table (e.g. imputation = \"mean\") so that the lost values \
                         are imputed",
                        denominator.code, unit.code
                    ),
                )
            };
            diagnostics.push(Diagnostic::new(
                data.at(line, &denominator.code),
                problem,
                fix,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_r_and_spreadsheet_conventions() {
        for missing in ["", "NA", "na"] {
            assert_eq!(parse_cell(missing), Cell::Missing, "{missing:?}");
        }
        for marker in [
            "NaN", "nan", "-nan", "+NaN", "n/a", "N/A", "#N/A", "-", "..", "null",
        ] {
            assert_eq!(parse_cell(marker), Cell::MissingMarker, "{marker:?}");
        }
        assert_eq!(parse_cell("1e3"), Cell::Number(1000.0));
        assert_eq!(parse_cell("-0.5"), Cell::Number(-0.5));
        assert_eq!(parse_cell(".5"), Cell::Number(0.5));
        for infinite in ["inf", "Inf", "-Inf", "infinity", "1e999", "-1e400"] {
            assert_eq!(parse_cell(infinite), Cell::Infinite, "{infinite:?}");
        }
        for text in ["abc", "1,5", "TRUE", "12%", "1 000", "-x"] {
            assert_eq!(parse_cell(text), Cell::NotNumber, "{text:?}");
        }
    }

    #[test]
    fn number_problems_suggest_the_likely_fix() {
        let (problem, fix) = number_problem("x", "1,5", Cell::NotNumber);
        assert_eq!(problem, "x is `1,5`, which is not a number");
        assert!(fix.contains("`1.5`"), "{fix}");
        let (_, fix) = number_problem("x", "12 %", Cell::NotNumber);
        assert!(fix.contains("% sign (`12`)"), "{fix}");
        let (_, fix) = number_problem("x", "FALSE", Cell::NotNumber);
        assert!(fix.contains("logical"), "{fix}");
        let (problem, _) = number_problem("x", "1e999", Cell::Infinite);
        assert!(problem.contains("overflows"), "{problem}");
        let (problem, _) = number_problem("x", "-Inf", Cell::Infinite);
        assert!(problem.contains("is infinite"), "{problem}");
        let (problem, fix) = number_problem("x", "NaN", Cell::MissingMarker);
        assert_eq!(
            problem,
            "x is `NaN`, which is not a number; only an empty cell or NA means missing"
        );
        assert!(fix.starts_with(MISSING_FIX), "{fix}");
    }

    #[test]
    fn constant_columns_ignore_missing_values() {
        let nan = f64::NAN;
        let columns = Columns::from_columns(
            3,
            vec![
                vec![1.0, 2.0, 3.0],
                vec![4.0, nan, 4.0],
                vec![nan, nan, nan],
                vec![nan, 5.0, 6.0],
            ],
        );
        assert_eq!(constant_columns(&columns), vec![1, 2]);
    }

    #[test]
    fn name_lists_are_capped() {
        assert_eq!(list_names(["a", "b"], 5), "`a`, `b`");
        assert_eq!(list_names(["a", "b", "c"], 2), "`a`, `b`, … (3 in all)");
        assert_eq!(list_names([], 2), "(nothing)");
    }
}
