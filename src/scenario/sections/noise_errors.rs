//! Reading a `[[noise]]` entry's per-cell standard errors from a CSV file (`standard_errors`),
//! with located problems in that file.

use std::path::Path;

use super::Scenario;
use crate::model::input::csv::CsvTable;
use crate::model::input::suggest;
use crate::model::{Diagnostic, Index, Location};

/// The file a `standard_errors` path names: relative to the scenario file's folder.
pub(crate) fn resolve(scenario: &Scenario, file: &str) -> std::path::PathBuf {
    let path = Path::new(file);
    if path.is_absolute() {
        return path.to_path_buf();
    }
    match Path::new(&scenario.source).parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder.join(path),
        _ => path.to_path_buf(),
    }
}

/// Where an entry's standard errors are: its `standard_errors` file, the optional `column`,
/// the indicators it covers and its header line. (Plain values, so that this file and the
/// section's own file do not import each other.)
pub(crate) struct ErrorFile<'a> {
    pub file: &'a str,
    pub column: Option<&'a str>,
    pub indicators: Vec<usize>,
    pub line: usize,
}

/// The standard error of every index row for each indicator of `source`, `(column, errors)`,
/// read from its `standard_errors` file: the `uCode` column matches rows to units, the
/// indicator's column (or `column`) holds the errors. Every unit with a value needs a finite
/// standard error ≥ 0; units the file does not list, or whose value is missing, get none.
pub(crate) fn standard_errors(
    scenario: &Scenario,
    source: &ErrorFile<'_>,
    entry: &str,
    index: &Index,
) -> Result<Vec<(usize, Vec<f64>)>, Box<Diagnostic>> {
    let (file, column) = (source.file, source.column);
    let path = resolve(scenario, file);
    let shown = path.display().to_string();
    let key = Location::file(&scenario.source)
        .line(
            scenario
                .line_of(&format!("{entry}.standard_errors"))
                .unwrap_or(source.line),
        )
        .column(format!("{entry}.standard_errors"));
    let text = std::fs::read_to_string(&path).map_err(|cause| {
        Box::new(Diagnostic::new(
            key.clone(),
            format!("cannot read the standard errors file {shown}: {cause}"),
            "give a CSV file with a uCode column and one column of standard errors per indicator, its path relative to the scenario file",
        ))
    })?;
    let mut problems = Vec::new();
    let table = CsvTable::parse(
        &shown,
        &text,
        "a header with uCode and indicator codes",
        &mut problems,
    )
    .ok_or_else(|| Box::new(problems.remove(0)))?;
    let at_header = |column: &str| Location::file(&shown).line(1).column(column.to_string());
    let code_column = table.column_ignoring_case("uCode").ok_or_else(|| {
        Box::new(Diagnostic::new(
            at_header("uCode"),
            "the standard errors file has no uCode column",
            "add a uCode column naming each unit as data.csv does",
        ))
    })?;
    let mut out = Vec::new();
    for &j in &source.indicators {
        let code = &index.framework.nodes[j].code;
        let name = column.unwrap_or(code);
        let c = table.column(name).ok_or_else(|| {
            let fix = match suggest::nearest(name, table.header.iter().map(String::as_str)) {
                Some(s) => suggest::did_you_mean(s),
                None => format!("add a column `{name}` with the standard errors of `{code}`"),
            };
            Box::new(Diagnostic::new(
                at_header(name),
                format!("the standard errors file has no column `{name}` (for `{code}`)"),
                fix,
            ))
        })?;
        let mut errors = vec![f64::NAN; index.n_units()];
        for row in &table.rows {
            let Some(unit) = row
                .cells
                .get(code_column)
                .and_then(|u| index.units.iter().position(|x| x.code == *u))
            else {
                continue;
            };
            let text = row.cells.get(c).map(|s| s.trim()).unwrap_or("");
            if text.is_empty() {
                continue;
            }
            match text.parse::<f64>() {
                Ok(se) if se.is_finite() && se >= 0.0 => errors[unit] = se,
                _ => {
                    return Err(Box::new(Diagnostic::new(
                        table.at(row.line, name),
                        format!("standard error `{text}` is not a number ≥ 0"),
                        "write a finite number ≥ 0 (0 = exact value)",
                    )));
                }
            }
        }
        let raw = index.raw.col(j);
        if let Some(u) = (0..index.n_units()).find(|&u| !raw[u].is_nan() && errors[u].is_nan()) {
            return Err(Box::new(Diagnostic::new(
                at_header(name),
                format!(
                    "unit `{}` has a value of `{code}` but no standard error in this column",
                    index.units[u].code
                ),
                "give every unit with a value a standard error (0 for an exact value)",
            )));
        }
        for e in errors.iter_mut().filter(|e| e.is_nan()) {
            *e = 0.0;
        }
        out.push((j, errors));
    }
    Ok(out)
}
