//! SALib's interleaved design files (per base row: A, AB_1 … AB_k, [BA_1 … BA_k,] B; plain numbers, as `sobol.sample` and `np.savetxt` write them): the layout read and confirmed, outputs regrouped into blocks, and Sobol indices from them.

use std::path::Path;

use serde::Serialize;

use super::super::SobolError;
use super::super::estimate::{SobolResult, estimate};
use super::super::settings::EstimatorSettings;
use super::output_file::read_outputs;
use super::{BLOCK_COLUMN, DesignOrder, RUN_COLUMN, file_error, read_table, with_texts};
use crate::model::{Diagnostic, Location};

/// The structure of a SALib design file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SalibLayout {
    /// Base rows N.
    pub n: usize,
    /// Factor names: from the header line if the file has one, else `x1` … `xk`.
    pub factors: Vec<String>,
    /// The design has the BA rows of `calc_second_order=True` (2k + 2 rows per base row).
    pub second_order: bool,
}

impl SalibLayout {
    /// Rows per base row.
    fn step(&self) -> usize {
        let k = self.factors.len();
        if self.second_order { 2 * k + 2 } else { k + 2 }
    }
}

/// A headerless numeric design as read: values row by row, with each row's 1-based line.
pub(super) struct NumericRows {
    names: Option<Vec<String>>,
    lines: Vec<usize>,
    pub(super) values: Vec<Vec<f64>>,
}

/// Fields of a plain numeric line: comma- and/or whitespace-separated (np.savetxt writes
/// spaces by default, `delimiter=","` gives commas).
fn numeric_fields(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|field| !field.is_empty())
}

/// The line's fields if all of them are numbers.
pub(super) fn all_numbers(line: &str) -> Option<Vec<f64>> {
    numeric_fields(line)
        .map(|field| field.parse::<f64>().ok())
        .collect()
}

/// Reads a design of plain numbers (an optional header line of names; `#` comment lines and
/// blank lines skipped). `run` and `block` columns of a header are left out.
pub(super) fn read_numeric_rows(text: &str, file: &str) -> Result<NumericRows, SobolError> {
    let mut content = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .peekable();
    let Some(&(first_line, first)) = content.peek() else {
        return Err(file_error(
            file,
            None,
            None,
            "the design file is empty",
            "write the design rows, one run per line",
        ));
    };
    let header: Option<Vec<String>> = if all_numbers(first).is_some() {
        None
    } else {
        content.next();
        Some(numeric_fields(first).map(str::to_string).collect())
    };
    let skipped: Vec<usize> = header.as_ref().map_or_else(Vec::new, |names| {
        (0..names.len())
            .filter(|&c| names[c] == RUN_COLUMN || names[c] == BLOCK_COLUMN)
            .collect()
    });
    let width = header.as_ref().map(Vec::len);
    let mut rows = NumericRows {
        names: header.map(|names| {
            names
                .into_iter()
                .enumerate()
                .filter(|(c, _)| !skipped.contains(c))
                .map(|(_, name)| name)
                .collect()
        }),
        lines: Vec::new(),
        values: Vec::new(),
    };
    for (line, text) in content {
        let fields: Vec<&str> = numeric_fields(text).collect();
        let expected = width.unwrap_or_else(|| {
            rows.values
                .first()
                .map_or(fields.len(), |row| row.len() + skipped.len())
        });
        if fields.len() != expected {
            return Err(file_error(
                file,
                Some(line),
                None,
                format!(
                    "{} fields, but line {first_line} has {expected}",
                    fields.len()
                ),
                "give every run the same number of factor values",
            ));
        }
        let mut values = Vec::with_capacity(fields.len());
        for (c, field) in fields.iter().enumerate() {
            if skipped.contains(&c) {
                continue;
            }
            match field.parse::<f64>() {
                Ok(value) if value.is_finite() => values.push(value),
                _ => {
                    let column = rows.names.as_ref().map_or_else(
                        || format!("{}", values.len() + 1),
                        |names| names[values.len()].clone(),
                    );
                    return Err(file_error(
                        file,
                        Some(line),
                        Some(&column),
                        format!("`{field}` is not a finite number"),
                        "a SALib design holds the sampled factor values as numbers",
                    ));
                }
            }
        }
        rows.lines.push(line);
        rows.values.push(values);
    }
    Ok(rows)
}

/// Where the rows break the interleaved structure with `step` rows per base row: the first
/// (row index, factor index, what was expected) found, or `None` if every group fits.
fn salib_mismatch(values: &[Vec<f64>], k: usize, step: usize) -> Option<(usize, usize, String)> {
    let second_order = step == 2 * k + 2;
    for base in (0..values.len()).step_by(step) {
        let (a, b) = (&values[base], &values[base + step - 1]);
        for i in 0..k {
            let ab = &values[base + 1 + i];
            for m in 0..k {
                let from_b = m == i;
                if ab[m] != if from_b { b[m] } else { a[m] } {
                    let source = if from_b { "B" } else { "A" };
                    return Some((
                        base + 1 + i,
                        m,
                        format!("AB_{} must equal {source} in factor {}", i + 1, m + 1),
                    ));
                }
            }
            if second_order {
                let ba = &values[base + 1 + k + i];
                for m in 0..k {
                    let from_a = m == i;
                    if ba[m] != if from_a { a[m] } else { b[m] } {
                        let source = if from_a { "A" } else { "B" };
                        return Some((
                            base + 1 + k + i,
                            m,
                            format!("BA_{} must equal {source} in factor {}", i + 1, m + 1),
                        ));
                    }
                }
            }
        }
    }
    None
}

/// Whether the rows are a design in block order (A × N, B × N, AB_1 × N … AB_k × N).
fn is_block_order(values: &[Vec<f64>], k: usize) -> bool {
    let rows = values.len();
    if k == 0 || !rows.is_multiple_of(k + 2) || rows / (k + 2) < 2 {
        return false;
    }
    let n = rows / (k + 2);
    (0..k).all(|i| {
        (0..n).all(|j| {
            let ab = &values[(2 + i) * n + j];
            (0..k).all(|m| ab[m] == values[if m == i { n + j } else { j }][m])
        })
    })
}

/// Whether the rows are a SALib design (first or second order), i.e. in interleaved order.
pub(super) fn is_salib_order(values: &[Vec<f64>], k: usize) -> bool {
    k > 0
        && [k + 2, 2 * k + 2].into_iter().any(|step| {
            values.len().is_multiple_of(step)
                && values.len() / step >= 2
                && salib_mismatch(values, k, step).is_none()
        })
}

/// Reads a design written by SALib's `sobol.sample` (saved with `np.savetxt`): one run per
/// line, the factor values as numbers separated by whitespace or commas, no header (a header
/// line of factor names is accepted). N and whether the BA rows of `calc_second_order=True` are
/// present follow from the row count and are confirmed by the design's structure (AB_ji equals
/// A_j except factor i, taken from B_j).
///
/// A file in block order (ranksense's or COINr's layout) is reported as such
/// ([`SobolError::WrongOrder`]).
pub fn read_salib_design(text: &str, file: &str) -> Result<SalibLayout, SobolError> {
    let wrong_order = |problem: String| SobolError::WrongOrder {
        diagnostic: Diagnostic::new(
            Location::file(file),
            problem,
            "read the file as a block design (the layout ranksense's Sobol sampler and COINr \
             write, with `run` and `block` columns)",
        ),
        order: DesignOrder::Blocks,
    };
    // A labelled design is checked by its labels first: its factor columns may hold text.
    let labels: Option<Vec<String>> = read_table(text, file).ok().and_then(|table| {
        let column = table.column(BLOCK_COLUMN)?;
        Some(
            table
                .rows
                .iter()
                .take(2)
                .map(|row| row.cells[column].trim().to_string())
                .collect(),
        )
    });
    if labels.is_some_and(|labels| labels.len() == 2 && labels[0] == "A" && labels[1] == "A") {
        return Err(wrong_order(
            "the `block` column starts with A, A: the rows are in blocks of N runs (A, B, \
             AB_<factor>), not SALib's order (per base row: A, AB_1 … AB_k, B)"
                .into(),
        ));
    }
    let rows = read_numeric_rows(text, file)?;
    let k = rows.values.first().map_or(0, Vec::len);
    if k == 0 {
        return Err(file_error(
            file,
            None,
            None,
            "the design has no rows",
            "give the design as SALib's `sobol.sample` writes it: one run per line",
        ));
    }
    let count = rows.values.len();
    let steps: Vec<usize> = [k + 2, 2 * k + 2]
        .into_iter()
        .filter(|&step| count.is_multiple_of(step) && count / step >= 2)
        .collect();
    let mut first_mismatch = None;
    for &step in &steps {
        match salib_mismatch(&rows.values, k, step) {
            None => {
                return Ok(SalibLayout {
                    n: count / step,
                    factors: rows
                        .names
                        .clone()
                        .unwrap_or_else(|| (1..=k).map(|i| format!("x{i}")).collect()),
                    second_order: step == 2 * k + 2,
                });
            }
            Some(found) => {
                first_mismatch.get_or_insert((step, found));
            }
        }
    }
    if is_block_order(&rows.values, k) {
        return Err(wrong_order(format!(
            "the rows are in block order (A × N, B × N, then AB_1 … AB_{k} × N, N = {}), not \
             SALib's order (per base row: A, AB_1 … AB_{k}, B)",
            count / (k + 2)
        )));
    }
    let Some((step, (row, factor, expected))) = first_mismatch else {
        return Err(file_error(
            file,
            None,
            None,
            format!(
                "{count} rows of {k} factors: not N × (k + 2) = N × {} nor N × (2k + 2) = N × {} \
                 with N ≥ 2",
                k + 2,
                2 * k + 2
            ),
            "give the whole design as SALib's `sobol.sample` wrote it, one run per line",
        ));
    };
    let name = rows
        .names
        .as_ref()
        .map_or_else(|| format!("{}", factor + 1), |names| names[factor].clone());
    Err(file_error(
        file,
        Some(rows.lines[row]),
        Some(&name),
        format!(
            "row {} of base row {} (of {step} per base row, N = {}) breaks SALib's design: {expected}",
            row % step + 1,
            row / step + 1,
            count / step
        ),
        "keep the rows in the order SALib's `sobol.sample` wrote them; do not sort, filter or edit \
         the design",
    ))
}

/// Sobol indices from a SALib design file and its outputs file (paths); see
/// [`analyze_salib_csv_str`].
pub fn analyze_salib_csv(
    design: &Path,
    outputs: &Path,
    column: Option<&str>,
    settings: &EstimatorSettings,
) -> Result<(SalibLayout, SobolResult), SobolError> {
    with_texts(
        design,
        outputs,
        |design_text, design_file, outputs_text, outputs_file| {
            analyze_salib_csv_str(
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

/// Sobol indices ([`estimate`]) from a SALib design ([`read_salib_design`]) and the outputs in
/// the design's row order: one number per line without a header (`np.savetxt(Y)`), or a CSV
/// with a header and `column`. The outputs are regrouped into blocks as SALib's
/// `separate_output_values` does (A_j at row j·s, AB_ji at j·s + i, B_j at j·s + s − 1 with s
/// rows per base row); the BA rows of a second-order design are not used.
pub fn analyze_salib_csv_str(
    design_text: &str,
    design_file: &str,
    outputs_text: &str,
    outputs_file: &str,
    column: Option<&str>,
    settings: &EstimatorSettings,
) -> Result<(SalibLayout, SobolResult), SobolError> {
    let layout = read_salib_design(design_text, design_file)?;
    let step = layout.step();
    let runs = layout.n * step;
    let interleaved = read_outputs(outputs_text, outputs_file, column, runs, None, design_file)?;
    let blocks = salib_to_blocks(&interleaved, layout.n, layout.factors.len(), step);
    let result = estimate(&blocks, layout.n, &layout.factors, settings)?;
    Ok((layout, result))
}

/// Outputs in SALib's interleaved order (`step` rows per base row: A_j, AB_j1 … AB_jk, [BA_j1 …
/// BA_jk,] B_j) regrouped into blocks (A × n, B × n, AB_1 × n, …) as SALib's
/// `separate_output_values` does: A_j at row j·s, AB_ji at j·s + 1 + i, B_j at j·s + s − 1; the
/// BA rows of a second-order design are not used. `interleaved` has `n · step` values.
pub fn salib_to_blocks(interleaved: &[f64], n: usize, k: usize, step: usize) -> Vec<f64> {
    let mut blocks = vec![0.0; n * (k + 2)];
    for j in 0..n {
        let group = &interleaved[j * step..(j + 1) * step];
        blocks[j] = group[0];
        blocks[n + j] = group[step - 1];
        for i in 0..k {
            blocks[(2 + i) * n + j] = group[1 + i];
        }
    }
    blocks
}
