//! data.csv's columns: every indicator, denominator and group column named in meta.csv, read
//! over the units, and the columns ranksense does not use.

use super::*;

/// A numeric column of data.csv, read over the units.
pub(super) struct NumericColumn {
    pub(super) values: Vec<f64>,
    /// Units whose cell was not a finite number (reported).
    pub(super) bad: Vec<bool>,
}

pub(super) fn read_numeric_column(
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
pub(super) struct DataColumns {
    /// Meta row of each indicator, in meta order (= framework indicator order).
    pub(super) indicator_rows: Vec<usize>,
    /// One column per indicator (NaN where missing, unreadable, or absent from data.csv).
    pub(super) indicator_values: Vec<Vec<f64>>,
    /// Whether the indicator's column exists and every cell was readable.
    pub(super) indicator_clean: Vec<bool>,
    pub(super) groups: Vec<GroupColumn>,
    pub(super) denominators: Vec<DenominatorColumn>,
    /// Whether each denominator's cells were all readable.
    pub(super) denominator_bad: Vec<Vec<bool>>,
    /// Columns that are read but not used (see [`ignored_columns`]).
    pub(super) warnings: Vec<Diagnostic>,
}

pub(super) fn read_columns(
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
        let near = suggest::nearest(&row.code, undeclared.iter().copied());
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
                let fix = match suggest::nearest(code, candidates) {
                    Some(near) => suggest::did_you_mean(near),
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
pub(super) const MAX_IGNORED_COLUMN_WARNINGS: usize = 5;

/// Warnings for the undeclared columns of data.csv that nothing uses (`used` says which are
/// used or already reported). They are ignored, as COINr users expect of extra columns, but
/// never silently: a forgotten meta.csv row would otherwise drop an indicator unnoticed.
/// `Time` is COINr's own special column (the year of the data) and is not reported.
pub(super) fn ignored_columns(
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

pub(super) fn read_group(table: &CsvTable, column: usize, units: &UnitRows) -> GroupColumn {
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
