//! The model outputs of the Sobol workflow: a headerless column of numbers or a CSV column, matched to a design's runs by run number or by row order.

use std::collections::HashMap;

use super::super::SobolError;
use super::{RUN_COLUMN, file_error, read_table};
use crate::model::input::csv::CsvRow;
use crate::model::{Diagnostic, Location};

/// The outputs in design run order.
pub(super) fn read_outputs(
    text: &str,
    file: &str,
    column: Option<&str>,
    runs: usize,
    run_ids: Option<&[String]>,
    design_file: &str,
) -> Result<Vec<f64>, SobolError> {
    if let Some(values) = read_headerless_column(text, file, column)? {
        if values.len() != runs {
            return Err(file_error(
                file,
                None,
                None,
                format!(
                    "{} outputs, but the design {design_file} has {runs} runs",
                    values.len()
                ),
                "give one output per design run, in design order",
            ));
        }
        return Ok(values);
    }
    let table = read_table(text, file)?;
    let value_column = match column {
        Some(name) => table.column(name).ok_or_else(|| {
            file_error(
                file,
                Some(1),
                None,
                format!("no column `{name}` (columns: {})", table.header.join(", ")),
                "pass the name of the output column exactly as in the header",
            )
        })?,
        None => {
            let candidates: Vec<usize> = (0..table.header.len())
                .filter(|&c| table.header[c] != RUN_COLUMN)
                .collect();
            match candidates.as_slice() {
                [only] => *only,
                _ => {
                    return Err(SobolError::AmbiguousColumn(Diagnostic::new(
                        Location::file(file).line(1),
                        format!(
                            "cannot tell which column holds the outputs (columns: {})",
                            table.header.join(", ")
                        ),
                        "name the output column to analyse",
                    )));
                }
            }
        }
    };
    let column_name = table.header[value_column].clone();
    let parse = |row: &CsvRow| -> Result<f64, SobolError> {
        let raw = row.cells[value_column].trim();
        match raw.parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(value),
            _ => Err(file_error(
                file,
                Some(row.line),
                Some(&column_name),
                format!("output `{raw}` is not a finite number"),
                "every run needs a finite output (Sobol estimators cannot skip runs); rerun or \
                 fix failed runs",
            )),
        }
    };

    let output_runs = table.column(RUN_COLUMN);
    match (run_ids, output_runs) {
        (Some(design_runs), Some(run_column)) if value_column != run_column => {
            let mut by_run: HashMap<&str, &CsvRow> = HashMap::with_capacity(table.rows.len());
            for row in &table.rows {
                let id = row.cells[run_column].trim();
                if by_run.insert(id, row).is_some() {
                    return Err(file_error(
                        file,
                        Some(row.line),
                        Some(RUN_COLUMN),
                        format!("run `{id}` appears twice"),
                        "give one output row per run",
                    ));
                }
            }
            if by_run.len() != runs {
                return Err(file_error(
                    file,
                    None,
                    None,
                    format!(
                        "{} output rows, but the design {design_file} has {runs} runs",
                        by_run.len()
                    ),
                    "give exactly one output per design run",
                ));
            }
            design_runs
                .iter()
                .map(|id| match by_run.get(id.as_str()) {
                    Some(row) => parse(row),
                    None => Err(file_error(
                        file,
                        None,
                        Some(RUN_COLUMN),
                        format!("no output for design run `{id}`"),
                        "give one output row per design run, with the design's run numbers",
                    )),
                })
                .collect()
        }
        _ => {
            if table.rows.len() != runs {
                return Err(file_error(
                    file,
                    None,
                    None,
                    format!(
                        "{} output rows, but the design {design_file} has {runs} runs",
                        table.rows.len()
                    ),
                    "give one output per design run, in design order",
                ));
            }
            table.rows.iter().map(parse).collect()
        }
    }
}

/// The values of a headerless one-column numeric file, or `None` if the file has a header.
fn read_headerless_column(
    text: &str,
    file: &str,
    column: Option<&str>,
) -> Result<Option<Vec<f64>>, SobolError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty());
    let Some((_, first)) = lines.clone().next() else {
        return Err(file_error(
            file,
            None,
            None,
            "the outputs file is empty",
            "write one output per design run",
        ));
    };
    if first.contains(',') || first.trim().parse::<f64>().is_err() {
        return Ok(None);
    }
    if let Some(name) = column {
        return Err(file_error(
            file,
            Some(1),
            None,
            format!("the file has no header, so it has no column `{name}`"),
            "drop the column name for a one-column file, or add a header line",
        ));
    }
    lines
        .by_ref()
        .map(|(index, line)| match line.trim().parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(value),
            _ => Err(file_error(
                file,
                Some(index + 1),
                None,
                format!("output `{}` is not a finite number", line.trim()),
                "every run needs a finite output (one number per line, no header)",
            )),
        })
        .collect::<Result<Vec<f64>, _>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::super::analyze_csv_str;
    use super::super::factors::tests::FACTORS;
    use super::super::factors::{FactorSet, sample_csv};
    use super::*;
    use crate::analysis::sobol::design::PointKind;
    use crate::analysis::sobol::estimate::estimate;
    use crate::analysis::sobol::settings::EstimatorSettings;

    #[test]
    fn outputs_match_by_run_or_order_and_reject_gaps() {
        let set = FactorSet::from_toml_str(FACTORS, "f.toml").unwrap();
        let design = sample_csv(&set, 4, 1, PointKind::Random).unwrap();
        let runs = 4 * 5;
        let values: Vec<f64> = (0..runs).map(|r| ((r * 13) % 7) as f64).collect();
        let settings = EstimatorSettings {
            bootstrap_resamples: 0,
            ..EstimatorSettings::default()
        };
        let direct = estimate(&values, 4, &["x1", "method", "k"], &settings).unwrap();

        let headerless: String = values.iter().map(|v| format!("{v}\n")).collect();
        let r = analyze_csv_str(&design, "d", &headerless, "y", None, &settings).unwrap();
        assert_eq!(r, direct);

        // Reversed rows with run numbers: matched by run.
        let mut by_run = String::from("run,y\n");
        for r in (0..runs).rev() {
            by_run.push_str(&format!("{},{}\n", r + 1, values[r]));
        }
        let r = analyze_csv_str(&design, "d", &by_run, "y.csv", None, &settings).unwrap();
        assert_eq!(r, direct);

        // Run 20 comes first (line 2) and is missing.
        let missing_value = by_run.replacen(&format!("20,{}", values[runs - 1]), "20,NA", 1);
        let err = analyze_csv_str(&design, "d", &missing_value, "y.csv", Some("y"), &settings)
            .unwrap_err();
        assert!(err.to_string().starts_with("y.csv:2, column `y`"), "{err}");

        let mut two_columns = String::from("run,y,z\n");
        for (r, value) in values.iter().enumerate() {
            two_columns.push_str(&format!("{},{value},0\n", r + 1));
        }
        let err =
            analyze_csv_str(&design, "d", &two_columns, "y.csv", None, &settings).unwrap_err();
        assert!(
            matches!(&err, SobolError::AmbiguousColumn(d) if d.problem.contains("y, z")),
            "{err}"
        );
    }
}
