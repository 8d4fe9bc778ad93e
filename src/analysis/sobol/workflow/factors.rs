//! The factors file of the Sobol workflow (`[[factor]]` tables: uniform, integer or categorical) and the Saltelli design it samples, written as a design CSV.

use std::path::Path;

use serde::Serialize;
use toml::de::{DeTable, DeValue};

use super::super::SobolError;
use super::super::design::{PointKind, SaltelliDesign};
use super::{BLOCK_COLUMN, RUN_COLUMN, read_text};
use crate::model::input::toml::{Field, TomlReader, join};

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
            FactorKind::Uniform { low, high } => format!("{}", uniform_at(*low, *high, u)),
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

/// A uniform factor's value at `u ∈ [0, 1)`: `low + u (high − low)`, uniform on `[low, high)`
/// (the inverse CDF of U(low, high); SALib's `scale_samples` maps its unit design the same way).
pub fn uniform_at(low: f64, high: f64, u: f64) -> f64 {
    low + u * (high - low)
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in super::super) const FACTORS: &str = r#"
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
}
