//! data.csv's units (uCode, uName): one row per unit with a unique code, and finding a unit
//! by code or name for the focus and reference settings.

use super::*;

pub(super) struct UnitRows {
    pub(super) units: Vec<Unit>,
    /// For each unit, its row in the data table (rows with a bad or repeated uCode are dropped).
    pub(super) rows: Vec<usize>,
}

pub(super) fn read_units(table: &CsvTable, diagnostics: &mut Vec<Diagnostic>) -> Option<UnitRows> {
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

/// Finds a unit like [`Index::find_unit`]: code, then name ignoring case, then code ignoring case.
pub(super) fn find_unit(units: &[Unit], code_or_name: &str) -> Option<usize> {
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

pub(super) fn unknown_unit_fix(units: &[Unit], wanted: &str) -> String {
    let candidates = units
        .iter()
        .flat_map(|u| [u.code.as_str(), u.name.as_str()]);
    match suggest::nearest(wanted, candidates) {
        Some(near) => {
            let unit = &units[find_unit(units, near).expect("a code or name of a unit")];
            suggest::did_you_mean_named(&unit.code, &unit.name)
        }
        None => format!(
            "write a uCode or uName from data.csv, e.g. {}",
            list_names(units.iter().map(|u| u.code.as_str()), 5)
        ),
    }
}
