//! The rules every index must satisfy: builds a consistent [`Index`], reporting every violation with its place and fix.
//!
//! Nothing stops at the first problem: each rule adds its [`Diagnostic`]s and the index is only
//! assembled when there are none. Rules are grouped by what they need: meta.csv alone (row
//! values, then the framework tree), data.csv alone (units), both (columns, cells), and the
//! nominal method from index.toml (constant indicators, denominators, group columns, focus).

mod cells;
mod columns;
mod meta_rows;
mod method_rules;
mod tree;
mod units;

use std::collections::{HashMap, HashSet};

use crate::model::MethodLocations;
use crate::model::error::{Diagnostic, Location};
use crate::model::input::csv::{CsvRow, CsvTable, abbreviate};
use crate::model::input::suggest;
use crate::model::method::{Imputation, IndicatorMetadata, Method, Normalisation};
use crate::model::toml::{IndexToml, MethodSettings};
use crate::model::{
    Columns, DenominatorColumn, Framework, GroupColumn, Index, IndexInfo, IndicatorInfo, Node, Unit,
};
use cells::*;
use columns::*;
use meta_rows::*;
use method_rules::*;
use tree::*;
use units::*;

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
    fn name_lists_are_capped() {
        assert_eq!(list_names(["a", "b"], 5), "`a`, `b`");
        assert_eq!(list_names(["a", "b", "c"], 2), "`a`, `b`, … (3 in all)");
        assert_eq!(list_names([], 2), "(nothing)");
    }
}
