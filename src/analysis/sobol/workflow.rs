//! Model-agnostic sample/analyze workflow: factors TOML → design CSV; design CSV + outputs CSV → Sobol indices (COINr design files accepted).

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;
use toml::de::{DeTable, DeValue};

use super::SobolError;
use super::design::{Block, PointKind, SaltelliDesign};
use super::estimate::{SobolResult, estimate};
use super::settings::EstimatorSettings;
use crate::model::input::csv::{CsvRow, CsvTable};
use crate::model::input::toml::{Field, TomlReader, join};
use crate::model::{Diagnostic, Location};

/// Name of the design column holding the block label.
const BLOCK_COLUMN: &str = "block";
/// Name of the design/outputs column holding the run number.
const RUN_COLUMN: &str = "run";

/// Distribution of one factor of the factors file. Each factor is one design column, sampled
/// from `u ∈ [0, 1)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum FactorKind {
    /// `low + u (high − low)`: uniform on `[low, high)`.
    Uniform { low: f64, high: f64 },
    /// `low + ⌊u (high − low + 1)⌋`: each integer of `low..=high` with equal probability.
    Integer { low: i64, high: i64 },
    /// `values[⌊u m⌋]`: equal-probability bins of `[0, 1)`, one per value, in file order.
    Categorical { values: Vec<String> },
}

/// One uncertain input of an external model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    pub name: String,
    #[serde(flatten)]
    pub kind: FactorKind,
}

impl Factor {
    /// The factor's value at `u ∈ [0, 1)`, as written to the design file (shortest text that
    /// reads back to the same f64 for uniform factors).
    pub fn value_at(&self, u: f64) -> String {
        match &self.kind {
            FactorKind::Uniform { low, high } => format!("{}", low + u * (high - low)),
            FactorKind::Integer { low, high } => {
                let count = i128::from(*high) - i128::from(*low) + 1;
                let offset = bin(u, count as f64).min(count - 1);
                format!("{}", i128::from(*low) + offset)
            }
            FactorKind::Categorical { values } => {
                let count = values.len() as i128;
                let index = bin(u, count as f64).min(count - 1);
                values[index as usize].clone()
            }
        }
    }
}

/// Index of the equal-width bin of `[0, 1)` holding `u`, out of `count` bins.
fn bin(u: f64, count: f64) -> i128 {
    (u * count).floor().max(0.0) as i128
}

/// The factors of a factors file, in file order (= design column order).
///
/// ```toml
/// [[factor]]
/// name = "x1"
/// kind = "uniform"
/// low = -3.14
/// high = 3.14
///
/// [[factor]]
/// name = "method"
/// kind = "categorical"
/// values = ["a", "b"]
///
/// [[factor]]
/// name = "k"
/// kind = "integer"
/// low = 1
/// high = 5
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorSet {
    pub factors: Vec<Factor>,
}

/// Keys of a `[[factor]]` table.
const FACTOR_KEYS: &[&str] = &["name", "kind", "low", "high", "values"];
/// The factor kinds, as written in `kind`.
const FACTOR_KINDS: &[&str] = &["uniform", "integer", "categorical"];

impl FactorSet {
    /// Reads a factors file.
    pub fn load(path: &Path) -> Result<Self, SobolError> {
        let text = read_text(path)?;
        FactorSet::from_toml_str(&text, &path.display().to_string())
    }

    /// Parses factors TOML; `file` names the source in error messages. The first problem (in
    /// file order) is returned, located by line and key.
    pub fn from_toml_str(text: &str, file: &str) -> Result<Self, SobolError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = TomlReader::new(text, file);
        let factors = reader
            .parse()
            .map(|root| read_factors(&mut reader, root.get_ref()));
        match reader.take_sorted().into_iter().next() {
            Some(first) => Err(SobolError::File(first)),
            None => Ok(FactorSet {
                factors: factors.unwrap_or_default(),
            }),
        }
    }

    /// Factor names in design order.
    pub fn names(&self) -> Vec<&str> {
        self.factors.iter().map(|f| f.name.as_str()).collect()
    }
}

/// The `[[factor]]` tables, in file order, every problem reported to `reader`.
fn read_factors(reader: &mut TomlReader<'_>, root: &DeTable<'_>) -> Vec<Factor> {
    reader.check_keys(root, "", &["factor"], |_| None);
    let no_factor_fix = "write one `[[factor]]` table per factor with `name`, `kind` (uniform, \
                         integer or categorical) and `low`/`high` or `values`";
    let Some(field) = reader.field(root, "", "factor") else {
        reader.report(0, "", "no `[[factor]]` tables".into(), no_factor_fix.into());
        return Vec::new();
    };
    let mut factors: Vec<Factor> = Vec::new();
    for (entry, table) in reader.table_entries(&field, "[[factor]]") {
        let Some(factor) = read_factor(reader, &entry, table) else {
            continue;
        };
        if factors.iter().any(|f| f.name == factor.name) {
            let path = join(&entry.path, "name");
            let line = reader.key_lines.get(&path).copied().unwrap_or(entry.line);
            reader.report(
                line,
                &path,
                format!("factor `{}` is declared twice", factor.name),
                "give every factor a unique name".into(),
            );
            continue;
        }
        factors.push(factor);
    }
    if factors.is_empty() && reader.diagnostics.is_empty() {
        reader.report(
            field.line,
            "factor",
            "no `[[factor]]` tables".into(),
            no_factor_fix.into(),
        );
    }
    factors
}

/// One `[[factor]]` table, or `None` with its problems reported.
fn read_factor(
    reader: &mut TomlReader<'_>,
    entry: &Field<'_, '_>,
    table: &DeTable<'_>,
) -> Option<Factor> {
    let prefix = entry.path.as_str();
    let known_problems = reader.diagnostics.len();
    reader.check_keys(table, prefix, FACTOR_KEYS, |_| None);
    if reader.diagnostics.len() > known_problems {
        // A misspelt key is most likely a required one: its absence is no second problem.
        return None;
    }
    let required = |reader: &mut TomlReader<'_>, key: &str, fix: &str| {
        let field = reader.field(table, prefix, key);
        if field.is_none() {
            reader.report(
                entry.line,
                prefix,
                format!("`{prefix}` has no `{key}`"),
                fix.to_string(),
            );
        }
        field
    };
    let name_field = required(reader, "name", "name every factor, e.g. `name = \"x1\"`")?;
    let name = reader
        .string(&name_field, "name = \"x1\"")?
        .trim()
        .to_string();
    if name.is_empty() {
        reader.report(
            name_field.line,
            &name_field.path,
            "empty factor name".into(),
            "name every factor".into(),
        );
        return None;
    }
    if name == RUN_COLUMN || name == BLOCK_COLUMN {
        reader.report(
            name_field.line,
            &name_field.path,
            format!("factor name `{name}` is reserved for a design column"),
            "rename the factor".into(),
        );
        return None;
    }
    let kind_field = required(
        reader,
        "kind",
        "add `kind = \"uniform\"`, `\"integer\"` or `\"categorical\"`",
    )?;
    let kind = reader.choice(&kind_field, "kind", FACTOR_KINDS, |text| {
        FACTOR_KINDS.iter().copied().find(|kind| *kind == text)
    })?;
    let low = reader.field(table, prefix, "low");
    let high = reader.field(table, prefix, "high");
    let values = reader.field(table, prefix, "values");
    let not_applicable = |reader: &mut TomlReader<'_>, field: &Option<Field<'_, '_>>| {
        if let Some(field) = field {
            let key = field.path.rsplit('.').next().unwrap_or(&field.path);
            reader.report(
                field.line,
                &field.path,
                format!("`{key}` does not apply to a {kind} factor"),
                "remove the field or change `kind`".into(),
            );
        }
        field.is_none()
    };
    let missing = |reader: &mut TomlReader<'_>, key: &str, fix: &str| {
        reader.report(
            kind_field.line,
            &kind_field.path,
            format!("{kind} factor `{name}` has no `{key}`"),
            fix.into(),
        );
    };
    let kind = match kind {
        "uniform" | "integer" => {
            if !not_applicable(reader, &values) {
                return None;
            }
            let (Some(low), Some(high)) = (&low, &high) else {
                let key = if low.is_none() { "low" } else { "high" };
                missing(reader, key, "give `low` and `high`");
                return None;
            };
            if kind == "uniform" {
                let low_value = reader.number(low, "low = 0")?;
                let high_value = reader.number(high, "high = 1")?;
                if low_value >= high_value {
                    reader.report(
                        high.line,
                        &high.path,
                        format!(
                            "factor `{name}`: low = {low_value} is not below high = {high_value}"
                        ),
                        "use low < high (fix the factor's value instead of sampling it if it is \
                         constant)"
                            .into(),
                    );
                    return None;
                }
                FactorKind::Uniform {
                    low: low_value,
                    high: high_value,
                }
            } else {
                let low_value = reader.integer(low, "low = 1")?;
                let high_value = reader.integer(high, "high = 5")?;
                if low_value >= high_value {
                    reader.report(
                        high.line,
                        &high.path,
                        format!(
                            "factor `{name}`: low = {low_value} is not below high = {high_value}"
                        ),
                        "give at least two integers (low < high)".into(),
                    );
                    return None;
                }
                FactorKind::Integer {
                    low: low_value,
                    high: high_value,
                }
            }
        }
        _ => {
            if !not_applicable(reader, &low) || !not_applicable(reader, &high) {
                return None;
            }
            let Some(values_field) = &values else {
                missing(
                    reader,
                    "values",
                    "list the alternatives, e.g. values = [\"a\", \"b\"]",
                );
                return None;
            };
            let array = reader.array(values_field, "values = [\"a\", \"b\"]")?;
            let mut texts: Vec<String> = Vec::with_capacity(array.len());
            for element in reader.elements(values_field, array) {
                let Some(text) = scalar_text(element.value.get_ref()) else {
                    reader.report(
                        element.line,
                        &element.path,
                        format!(
                            "factor `{name}`: value {} is not a scalar",
                            reader.snippet(element.value.span())
                        ),
                        "use strings or numbers as alternatives".into(),
                    );
                    return None;
                };
                if texts.contains(&text) {
                    reader.report(
                        element.line,
                        &element.path,
                        format!("factor `{name}`: value `{text}` is listed twice"),
                        "list every alternative once".into(),
                    );
                    return None;
                }
                texts.push(text);
            }
            if texts.len() < 2 {
                reader.report(
                    values_field.line,
                    &values_field.path,
                    format!("factor `{name}` has {} value(s)", texts.len()),
                    "give at least two alternatives, or drop the factor".into(),
                );
                return None;
            }
            FactorKind::Categorical { values: texts }
        }
    };
    Some(Factor { name, kind })
}

/// A categorical factor's value as written to the design: a string as is, a number or boolean
/// as TOML writes it (`1`, `0.5`, `true`); `None` for lists and tables.
fn scalar_text(value: &DeValue<'_>) -> Option<String> {
    match value {
        DeValue::String(text) => Some(text.to_string()),
        DeValue::Integer(integer) => i64::from_str_radix(integer.as_str(), integer.radix())
            .ok()
            .map(|i| toml::Value::Integer(i).to_string()),
        DeValue::Float(float) => float
            .as_str()
            .parse::<f64>()
            .ok()
            .map(|x| toml::Value::Float(x).to_string()),
        DeValue::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The Saltelli design for `factors` (one column each) as CSV text: header
/// `run,block,<factor names>`, then one row per run in design order, runs numbered from 1,
/// blocks `A`, `B`, `AB_<name>` (COINr's layout). Evaluate the model on every row and give the
/// outputs to [`analyze_csv`].
pub fn sample_csv(
    factors: &FactorSet,
    n: usize,
    seed: u64,
    points: PointKind,
) -> Result<String, SobolError> {
    let names = factors.names();
    let design = SaltelliDesign::new(n, vec![1; names.len()], points, seed)?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec![RUN_COLUMN, BLOCK_COLUMN];
    header.extend(&names);
    let mut point = vec![0.0; design.dimension()];
    let mut record: Vec<String> = Vec::with_capacity(names.len() + 2);
    let written = (|| -> Result<Vec<u8>, csv::Error> {
        writer.write_record(&header)?;
        for run in 0..design.run_count() {
            design.point(run, &mut point);
            record.clear();
            record.push((run + 1).to_string());
            record.push(design.block(run).label(&names));
            for (factor, &u) in factors.factors.iter().zip(&point) {
                record.push(factor.value_at(u));
            }
            writer.write_record(&record)?;
        }
        writer.into_inner().map_err(|e| e.into_error().into())
    })();
    let bytes = written.expect("writing CSV to memory cannot fail");
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8"))
}

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
            "use a design written by `ranksense sobol sample` or COINr (columns `run`, `block`, \
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

/// Reads the design and outputs files (once, if they are the same file) and hands their texts
/// and names to `analyze`.
fn with_texts<T>(
    design: &Path,
    outputs: &Path,
    analyze: impl FnOnce(&str, &str, &str, &str) -> Result<T, SobolError>,
) -> Result<T, SobolError> {
    let design_text = read_text(design)?;
    let outputs_text = if outputs == design {
        design_text.clone()
    } else {
        read_text(outputs)?
    };
    analyze(
        &design_text,
        &design.display().to_string(),
        &outputs_text,
        &outputs.display().to_string(),
    )
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

/// Row order of a design file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DesignOrder {
    /// Blocks of N rows: A, B, AB_1 … AB_k (ranksense's and COINr's files, with a `block` column).
    Blocks,
    /// Interleaved per base row j: A_j, AB_j1 … AB_jk, [BA_j1 … BA_jk,] B_j (SALib's
    /// `sobol.sample`; plain numbers, no `block` column).
    Salib,
}

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
struct NumericRows {
    names: Option<Vec<String>>,
    lines: Vec<usize>,
    values: Vec<Vec<f64>>,
}

/// Fields of a plain numeric line: comma- and/or whitespace-separated (np.savetxt writes
/// spaces by default, `delimiter=","` gives commas).
fn numeric_fields(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|field| !field.is_empty())
}

/// The line's fields if all of them are numbers.
fn all_numbers(line: &str) -> Option<Vec<f64>> {
    numeric_fields(line)
        .map(|field| field.parse::<f64>().ok())
        .collect()
}

/// Reads a design of plain numbers (an optional header line of names; `#` comment lines and
/// blank lines skipped). `run` and `block` columns of a header are left out.
fn read_numeric_rows(text: &str, file: &str) -> Result<NumericRows, SobolError> {
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
fn is_salib_order(values: &[Vec<f64>], k: usize) -> bool {
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
            "read the file as a block design (the layout of `ranksense sobol sample` and COINr, \
             with `run` and `block` columns)",
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
    let (n, k) = (layout.n, layout.factors.len());
    let mut blocks = vec![0.0; n * (k + 2)];
    for j in 0..n {
        let group = &interleaved[j * step..(j + 1) * step];
        blocks[j] = group[0];
        blocks[n + j] = group[step - 1];
        for i in 0..k {
            blocks[(2 + i) * n + j] = group[1 + i];
        }
    }
    let result = estimate(&blocks, n, &layout.factors, settings)?;
    Ok((layout, result))
}

/// The outputs in design run order.
fn read_outputs(
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

/// A design or outputs CSV file, read by the shared table reader; its first problem (a ragged
/// row, a repeated column, …) is the error.
fn read_table(text: &str, file: &str) -> Result<CsvTable, SobolError> {
    let mut diagnostics = Vec::new();
    let table = CsvTable::parse(
        file,
        text,
        "a header line of column names and one row per design run",
        &mut diagnostics,
    );
    match (table, diagnostics.into_iter().next()) {
        (Some(table), None) => Ok(table),
        (_, Some(first)) => Err(SobolError::File(first)),
        (None, None) => unreachable!("the table reader reports why it read no table"),
    }
}

fn read_text(path: &Path) -> Result<String, SobolError> {
    std::fs::read_to_string(path).map_err(|cause| SobolError::Io {
        path: path.display().to_string(),
        cause,
    })
}

fn file_error(
    file: &str,
    line: Option<usize>,
    column: Option<&str>,
    problem: impl Into<String>,
    fix: impl Into<String>,
) -> SobolError {
    let mut location = Location::file(file);
    if let Some(line) = line {
        location = location.line(line);
    }
    if let Some(column) = column {
        location = location.column(column);
    }
    SobolError::File(Diagnostic::new(location, problem, fix))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FACTORS: &str = r#"
[[factor]]
name = "x1"
kind = "uniform"
low = -2.5
high = 2.5

[[factor]]
name = "method"
kind = "categorical"
values = ["a", "b", "c"]

[[factor]]
name = "k"
kind = "integer"
low = 1
high = 5
"#;

    #[test]
    fn parses_the_three_kinds() {
        let set = FactorSet::from_toml_str(FACTORS, "f.toml").unwrap();
        assert_eq!(set.names(), ["x1", "method", "k"]);
        assert_eq!(
            set.factors[0].kind,
            FactorKind::Uniform {
                low: -2.5,
                high: 2.5
            }
        );
        assert_eq!(set.factors[2].kind, FactorKind::Integer { low: 1, high: 5 });
        let method = &set.factors[1];
        assert_eq!(method.value_at(0.0), "a");
        assert_eq!(method.value_at(0.34), "b");
        assert_eq!(method.value_at(0.999_999), "c");
        let k = &set.factors[2];
        assert_eq!(k.value_at(0.0), "1");
        assert_eq!(k.value_at(0.2), "2");
        assert_eq!(k.value_at(1.0 - f64::EPSILON), "5");
    }

    #[test]
    fn factor_errors_name_the_line_and_fix() {
        let text = FACTORS.replace("high = 5", "high = 1");
        let err = FactorSet::from_toml_str(&text, "f.toml").unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("f.toml:17, column `factor[3].high`"),
            "{message}"
        );
        assert!(message.contains("fix:"), "{message}");

        let text = FACTORS.replace("kind = \"categorical\"", "kind = \"normal\"");
        let err = FactorSet::from_toml_str(&text, "f.toml").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("f.toml:10, column `factor[2].kind`"),
            "{err}"
        );
        assert!(err.to_string().contains("unknown kind `normal`"), "{err}");

        let err = FactorSet::from_toml_str("[[factor]]\nname = 3\n", "f.toml").unwrap_err();
        assert!(err.to_string().starts_with("f.toml:2"), "{err}");

        let text =
            format!("{FACTORS}\n[[factor]]\nname = \"k\"\nkind = \"uniform\"\nlow = 0\nhigh = 1\n");
        let err = FactorSet::from_toml_str(&text, "f.toml").unwrap_err();
        assert!(err.to_string().contains("declared twice"), "{err}");
    }

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
