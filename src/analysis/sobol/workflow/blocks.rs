//! Design files in blocks of N rows (A, B, AB_<factor>; ranksense's `sample_csv` and COINr's layout): the layout read and checked, and Sobol indices from such a design and its outputs.

use std::path::Path;

use serde::Serialize;

use super::super::SobolError;
use super::super::design::Block;
use super::super::estimate::{SobolResult, estimate};
use super::super::settings::EstimatorSettings;
use super::output_file::read_outputs;
use super::salib::{all_numbers, is_salib_order, read_numeric_rows};
use super::{BLOCK_COLUMN, DesignOrder, RUN_COLUMN, file_error, read_table, with_texts};
use crate::model::input::csv::CsvTable;
use crate::model::{Diagnostic, Location};

/// The block structure of a design file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignLayout {
    /// Base rows N (the length of the leading `A` block).
    pub n: usize,
    /// Factor names, from the `AB_<name>` blocks, in design order.
    pub factors: Vec<String>,
    /// Value of the `run` column per data row, if the file has one.
    pub run_ids: Option<Vec<String>>,
}

/// Reads and validates a design file's block layout: a `block` column with `A` × N, `B` × N,
/// then N rows of each `AB_<factor>` (the layout written by [`sample_csv`] and by COINr's
/// `get_sensitivity(SA_type = "SA")`). N and the factor order are inferred.
///
/// Factor columns named like a factor are also checked against the design's definition
/// (`AB_i` row j equals B row j in factor i's column and A row j in the others), which catches
/// sorted or filtered files.
pub fn read_design_layout(text: &str, file: &str) -> Result<DesignLayout, SobolError> {
    // A first line of numbers is a headerless SALib design (perhaps tab-separated, which the
    // CSV reader would refuse), never a block design: say so before reading it as CSV.
    let first_line = text
        .lines()
        .find(|line| !line.trim().is_empty() && !line.trim().starts_with('#'))
        .unwrap_or("");
    if all_numbers(first_line).is_some() {
        let interleaved = read_numeric_rows(text, file).is_ok_and(|rows| {
            let k = rows.values.first().map_or(0, Vec::len);
            is_salib_order(&rows.values, k)
        });
        let problem = if interleaved {
            "the file has no header and its rows are in SALib's order (per base row: A, \
                 AB_1 … AB_k, B), not in blocks of N rows"
        } else {
            "the first line holds numbers, not column names: the design has no header (SALib \
                 writes its designs this way)"
        };
        return Err(SobolError::WrongOrder {
            diagnostic: Diagnostic::new(
                Location::file(file).line(1),
                problem,
                "read the file as a SALib design (rows interleaved per base row, no header)",
            ),
            order: DesignOrder::Salib,
        });
    }
    let table = read_table(text, file)?;
    let Some(block_column) = table.column(BLOCK_COLUMN) else {
        return Err(file_error(
            file,
            Some(1),
            None,
            format!(
                "no `{BLOCK_COLUMN}` column (columns: {})",
                table.header.join(", ")
            ),
            "use a design written by ranksense's Sobol sampler or COINr (columns `run`, `block`, \
             factor columns), with blocks A, B, AB_<factor>",
        ));
    };
    let labels: Vec<&str> = table
        .rows
        .iter()
        .map(|row| row.cells[block_column].trim())
        .collect();
    let n = labels.iter().take_while(|&&label| label == "A").count();
    let layout_fix = "keep the rows in design order: N rows of block A, N of B, then N of each \
                      AB_<factor>, as written by the sampler; do not sort or filter the file";
    if n == 0 {
        let line = table.rows.first().map(|row| row.line).unwrap_or(1);
        let found = labels.first().copied().unwrap_or("no rows");
        return Err(file_error(
            file,
            Some(line),
            Some(BLOCK_COLUMN),
            format!("the design must start with block A, found `{found}`"),
            layout_fix,
        ));
    }
    if n == 1 && labels.get(1).is_some_and(|label| label.starts_with("AB_")) {
        return Err(SobolError::WrongOrder {
            diagnostic: Diagnostic::new(
                Location::file(file)
                    .line(table.rows[1].line)
                    .column(BLOCK_COLUMN),
                format!(
                    "the rows are interleaved per base row (A, then `{}`, …), SALib's order, not \
                     blocks of N rows (A × N, B × N, AB_<factor> × N)",
                    labels[1]
                ),
                "read the file as a SALib design, or sort the rows into blocks A, B, AB_<factor> \
                 keeping the base-row order within each block",
            ),
            order: DesignOrder::Salib,
        });
    }
    if n < 2 {
        return Err(file_error(
            file,
            Some(table.rows[0].line),
            Some(BLOCK_COLUMN),
            "the A block has a single row (N = 1)".to_string(),
            "use at least 2 base rows",
        ));
    }
    let mut factors: Vec<String> = Vec::new();
    for (position, (label, row)) in labels.iter().zip(&table.rows).enumerate() {
        let block_index = position / n;
        let expected = match block_index {
            0 => "A".to_string(),
            1 => "B".to_string(),
            b if position % n == 0 => {
                let Some(name) = label.strip_prefix("AB_").filter(|name| !name.is_empty()) else {
                    return Err(file_error(
                        file,
                        Some(row.line),
                        Some(BLOCK_COLUMN),
                        format!(
                            "expected an `AB_<factor>` block to start here (N = {n} from the A \
                             block), found `{label}`"
                        ),
                        layout_fix,
                    ));
                };
                if factors.iter().any(|f| f == name) {
                    return Err(file_error(
                        file,
                        Some(row.line),
                        Some(BLOCK_COLUMN),
                        format!("block `{label}` appears twice"),
                        layout_fix,
                    ));
                }
                debug_assert_eq!(factors.len(), b - 2);
                factors.push(name.to_string());
                continue;
            }
            _ => format!("AB_{}", factors.last().expect("block started")),
        };
        if *label != expected {
            return Err(file_error(
                file,
                Some(row.line),
                Some(BLOCK_COLUMN),
                format!(
                    "expected block `{expected}` (row {} of {n} in its block; N = {n} from the A \
                     block), found `{label}`",
                    position % n + 1
                ),
                layout_fix,
            ));
        }
    }
    if factors.is_empty() {
        return Err(file_error(
            file,
            None,
            Some(BLOCK_COLUMN),
            format!("no AB_<factor> block after A and B (N = {n})"),
            layout_fix,
        ));
    }
    if table.rows.len() % n != 0 {
        let last = table.rows.last().expect("rows present");
        return Err(file_error(
            file,
            Some(last.line),
            Some(BLOCK_COLUMN),
            format!(
                "the last block `{}` has {} rows, not N = {n}",
                labels[labels.len() - 1],
                table.rows.len() % n
            ),
            layout_fix,
        ));
    }
    check_factor_columns(&table, n, &factors, file)?;
    let run_ids = table.column(RUN_COLUMN).map(|column| {
        table
            .rows
            .iter()
            .map(|row| row.cells[column].trim().to_string())
            .collect()
    });
    Ok(DesignLayout {
        n,
        factors,
        run_ids,
    })
}

/// For factors that have a column of their own name, checks that AB_i takes factor i's value
/// from B and every other factor's value from A.
fn check_factor_columns(
    table: &CsvTable,
    n: usize,
    factors: &[String],
    file: &str,
) -> Result<(), SobolError> {
    let columns: Vec<Option<usize>> = factors.iter().map(|f| table.column(f)).collect();
    for (i, factor) in factors.iter().enumerate() {
        let ab_start = (2 + i) * n;
        for j in 0..n {
            let ab_row = &table.rows[ab_start + j];
            for (m, column) in columns.iter().enumerate() {
                let Some(column) = *column else { continue };
                let source = if m == i { Block::B } else { Block::A };
                let source_row = &table.rows[if m == i { n + j } else { j }];
                if ab_row.cells[column].trim() != source_row.cells[column].trim() {
                    return Err(file_error(
                        file,
                        Some(ab_row.line),
                        Some(&factors[m]),
                        format!(
                            "block AB_{factor}, row {} of {n}: `{}` = `{}` but block {source:?} \
                             row {} (line {}) has `{}`; AB_{factor} must equal A except for \
                             `{factor}`, which comes from B",
                            j + 1,
                            factors[m],
                            ab_row.cells[column].trim(),
                            j + 1,
                            source_row.line,
                            source_row.cells[column].trim()
                        ),
                        "keep the rows in design order as written by the sampler; do not sort, \
                         filter or edit the design",
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Sobol indices from a design file and an outputs file (paths); see [`analyze_csv_str`].
pub fn analyze_csv(
    design: &Path,
    outputs: &Path,
    column: Option<&str>,
    settings: &EstimatorSettings,
) -> Result<SobolResult, SobolError> {
    with_texts(
        design,
        outputs,
        |design_text, design_file, outputs_text, outputs_file| {
            analyze_csv_str(
                design_text,
                design_file,
                outputs_text,
                outputs_file,
                column,
                settings,
            )
        },
    )
}

/// Sobol indices ([`estimate`]) from a design CSV and the model outputs.
///
/// The design's layout gives N and the factors ([`read_design_layout`]). The outputs file is
/// either a headerless single column of numbers (SALib style), or a CSV with a header: `column`
/// selects the output column (it may be the design file itself, e.g. COINr's design with
/// `MeanAbsRankChange`); without `column` the file must have exactly one column besides `run`.
/// If both files have a `run` column, outputs are matched to design rows by run; otherwise by
/// row order. Every run needs a finite output.
pub fn analyze_csv_str(
    design_text: &str,
    design_file: &str,
    outputs_text: &str,
    outputs_file: &str,
    column: Option<&str>,
    settings: &EstimatorSettings,
) -> Result<SobolResult, SobolError> {
    let layout = read_design_layout(design_text, design_file)?;
    let runs = layout.n * (layout.factors.len() + 2);
    let outputs = read_outputs(
        outputs_text,
        outputs_file,
        column,
        runs,
        layout.run_ids.as_deref(),
        design_file,
    )?;
    estimate(&outputs, layout.n, &layout.factors, settings)
}

#[cfg(test)]
mod tests {
    use super::super::factors::tests::FACTORS;
    use super::super::factors::{FactorSet, sample_csv};
    use super::*;
    use crate::analysis::sobol::design::PointKind;

    #[test]
    fn sample_then_layout_round_trips() {
        let set = FactorSet::from_toml_str(FACTORS, "f.toml").unwrap();
        let csv = sample_csv(&set, 8, 5, PointKind::Sobol).unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("run,block,x1,method,k"));
        assert_eq!(csv.lines().count(), 1 + 8 * 5);
        assert!(csv.lines().nth(1).unwrap().starts_with("1,A,"));
        assert!(csv.lines().nth(17).unwrap().starts_with("17,AB_x1,"));
        let layout = read_design_layout(&csv, "design.csv").unwrap();
        assert_eq!(layout.n, 8);
        assert_eq!(layout.factors, ["x1", "method", "k"]);
        assert_eq!(layout.run_ids.as_ref().unwrap()[39], "40");
        assert_eq!(sample_csv(&set, 8, 5, PointKind::Sobol).unwrap(), csv);
        assert_ne!(sample_csv(&set, 8, 6, PointKind::Sobol).unwrap(), csv);
    }

    #[test]
    fn layout_errors_point_at_the_line() {
        let set = FactorSet::from_toml_str(FACTORS, "f.toml").unwrap();
        let csv = sample_csv(&set, 4, 1, PointKind::Random).unwrap();
        let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();

        // A B row moved into the A block: line 4 is row 3 of A.
        let mut swapped = lines.clone();
        swapped.swap(4, 5);
        let err = read_design_layout(&swapped.join("\n"), "d.csv").unwrap_err();
        // N is inferred as 3 from the leading A rows; the displaced A row (line 6) is reported.
        assert!(err.to_string().starts_with("d.csv:6"), "{err}");
        assert!(err.to_string().contains("expected block `B`"), "{err}");

        // An AB row whose factor value was edited.
        let fields: Vec<&str> = lines[9].split(',').collect();
        lines[9] = format!(
            "{},{},{},{},{}",
            fields[0], fields[1], "0.5", fields[3], fields[4]
        );
        let err = read_design_layout(&lines.join("\n"), "d.csv").unwrap_err();
        assert!(
            err.to_string().starts_with("d.csv:10, column `x1`"),
            "{err}"
        );

        // A truncated last block.
        let short: Vec<String> = csv
            .lines()
            .take(1 + 4 * 5 - 1)
            .map(str::to_string)
            .collect();
        let err = read_design_layout(&short.join("\n"), "d.csv").unwrap_err();
        assert!(err.to_string().contains("has 3 rows, not N = 4"), "{err}");

        let err = read_design_layout("run,x\n1,2\n", "d.csv").unwrap_err();
        assert!(err.to_string().contains("no `block` column"), "{err}");
    }
}
