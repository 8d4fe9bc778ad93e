//! `index.toml`: an index's descriptive fields and nominal method, each problem located by key.
//!
//! ```toml
//! name = "ASEM Sustainable Connectivity"
//! description = "..."
//! provenance = "COINr example data (JRC)"
//! reconstruction = false
//! focus = "AUT"                      # uCode or uName
//! level_names = ["Indicator", "Pillar", "Sub-index", "Index"]   # bottom-up
//!
//! [method]
//! denominate = true                  # default false
//! imputation = "group_mean(EurAsia_group)"   # default "none"
//! screen = 0.9                       # minimum data availability, optional
//! treatment = { winmax = 5, skew_limit = 2.0, kurtosis_limit = 3.5 }   # or "none" (default)
//! normalisation = "minmax(0,100)"    # default
//! aggregation = "arithmetic"         # or one per aggregate level, bottom-up
//! ```
//!
//! Checks that need the framework or the data (number of aggregation levels, the group column,
//! the focus unit) are made in [`crate::model::validate`], which locates them through
//! [`IndexToml::location`].

use std::collections::BTreeMap;

use toml::de::{DeTable, DeValue};

use crate::model::error::{Diagnostic, Location};
use crate::model::input::toml::{Field, TomlReader};
use crate::model::method::{Aggregation, Imputation, MethodParseError, Normalisation, Treatment};

pub(crate) const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "provenance",
    "reconstruction",
    "focus",
    "level_names",
    "method",
];
pub(crate) const METHOD_KEYS: &[&str] = &[
    "denominate",
    "imputation",
    "screen",
    "treatment",
    "normalisation",
    "aggregation",
];
pub(crate) const TREATMENT_KEYS: &[&str] = &["winmax", "skew_limit", "kurtosis_limit"];

/// COINr's default Winsorisation limit (`Treat`, `winmax = 5`), used when a treatment table
/// omits `winmax`.
const DEFAULT_WINMAX: usize = 5;

/// Aggregation as written in `index.toml`: one method for every level, or one per aggregate
/// level bottom-up (checked against the framework's depth by validation).
#[derive(Debug, Clone, PartialEq)]
pub enum AggregationSetting {
    Everywhere(Aggregation),
    PerLevel(Vec<Aggregation>),
}

impl AggregationSetting {
    /// One aggregation per aggregate level, or a message if a per-level list has the wrong length.
    pub fn for_levels(&self, aggregate_levels: usize) -> Result<Vec<Aggregation>, String> {
        match self {
            AggregationSetting::Everywhere(method) => Ok(vec![*method; aggregate_levels]),
            AggregationSetting::PerLevel(methods) if methods.len() == aggregate_levels => {
                Ok(methods.clone())
            }
            AggregationSetting::PerLevel(methods) => Err(format!(
                "`method.aggregation` lists {} method(s) but the framework has {} aggregate \
                 level(s)",
                methods.len(),
                aggregate_levels
            )),
        }
    }
}

/// The `[method]` table with defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodSettings {
    pub denominate: bool,
    pub imputation: Imputation,
    pub screen: Option<f64>,
    pub treatment: Option<Treatment>,
    pub normalisation: Normalisation,
    pub aggregation: AggregationSetting,
}

impl Default for MethodSettings {
    fn default() -> Self {
        MethodSettings {
            denominate: false,
            imputation: Imputation::None,
            screen: None,
            treatment: None,
            normalisation: Normalisation::MinMax {
                low: 0.0,
                high: 100.0,
            },
            aggregation: AggregationSetting::Everywhere(Aggregation::Arithmetic),
        }
    }
}

/// A parsed `index.toml`, remembering the line of every key for later diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexToml {
    pub name: Option<String>,
    pub description: String,
    pub provenance: String,
    pub reconstruction: bool,
    /// Default focus unit as written (uCode or uName); resolved against data.csv by validation.
    pub focus: Option<String>,
    /// Level names bottom-up, if given.
    pub level_names: Option<Vec<String>>,
    pub method: MethodSettings,
    file: String,
    key_lines: BTreeMap<String, usize>,
}

impl IndexToml {
    /// Parses `text` (the contents of the file called `file`), reporting every problem found.
    pub fn parse(file: &str, text: &str) -> Result<IndexToml, Vec<Diagnostic>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = TomlReader::new(text, file);
        let Some(root) = reader.parse() else {
            return Err(reader.take_sorted());
        };
        let table = root.get_ref();
        reader.check_keys(table, "", TOP_KEYS, |key| {
            METHOD_KEYS.contains(&key).then(|| {
                format!("`{key}` belongs in the [method] table: move it below a `[method]` line")
            })
        });
        let name = string(&mut reader, table, "name", "name = \"My index\"");
        let description =
            string(&mut reader, table, "description", "description = \"...\"").unwrap_or_default();
        let provenance =
            string(&mut reader, table, "provenance", "provenance = \"...\"").unwrap_or_default();
        let reconstruction = reader
            .field(table, "", "reconstruction")
            .and_then(|field| reader.boolean(&field, "reconstruction = true"))
            .unwrap_or(false);
        let focus = string(&mut reader, table, "focus", "focus = \"AUT\"");
        if focus.as_deref().is_some_and(|f| f.trim().is_empty()) {
            let line = reader.key_lines.get("focus").copied().unwrap_or(0);
            reader.report(
                line,
                "focus",
                "`focus` is empty".into(),
                "write the uCode or uName of the unit to focus on, e.g. focus = \"AUT\", or \
                 delete the line"
                    .into(),
            );
        }
        let level_names = string_list(&mut reader, table, "level_names");
        let method = match reader.field(table, "", "method") {
            None => MethodSettings::default(),
            Some(field) => match reader.table(&field, "[method]") {
                Some(method_table) => method(&mut reader, method_table),
                None => MethodSettings::default(),
            },
        };

        if !reader.diagnostics.is_empty() {
            return Err(reader.take_sorted());
        }
        Ok(IndexToml {
            name,
            description,
            provenance,
            reconstruction,
            focus: focus.map(|f| f.trim().to_string()),
            level_names,
            method,
            file: file.to_string(),
            key_lines: reader.key_lines,
        })
    }

    /// Where a key (dotted path such as `method.imputation`) was written, for diagnostics.
    pub fn location(&self, key: &str) -> Location {
        let mut location = Location::file(&self.file).column(key);
        location.line = self.key_lines.get(key).copied();
        location
    }
}

fn string(
    reader: &mut TomlReader<'_>,
    table: &DeTable<'_>,
    key: &str,
    example: &str,
) -> Option<String> {
    let field = reader.field(table, "", key)?;
    reader.string(&field, example)
}

fn string_list(reader: &mut TomlReader<'_>, table: &DeTable<'_>, key: &str) -> Option<Vec<String>> {
    let example = format!("{key} = [\"Indicator\", \"Pillar\", \"Index\"]");
    let field = reader.field(table, "", key)?;
    let array = reader.array(&field, &example)?;
    let mut out = Vec::with_capacity(array.len());
    for element in reader.elements(&field, array) {
        match element.value.get_ref() {
            DeValue::String(s) => out.push(s.to_string()),
            _ => {
                reader.wrong_type(&element, "a string in double quotes", &example);
                return None;
            }
        }
    }
    Some(out)
}

fn method(reader: &mut TomlReader<'_>, table: &DeTable<'_>) -> MethodSettings {
    reader.check_keys(table, "method", METHOD_KEYS, |key| {
        TOP_KEYS
            .contains(&key)
            .then(|| format!("`{key}` belongs at the top of the file, before the `[method]` line"))
    });
    let defaults = MethodSettings::default();
    let denominate = reader
        .field(table, "method", "denominate")
        .and_then(|field| reader.boolean(&field, "denominate = true"))
        .unwrap_or(defaults.denominate);

    let imputation = reader
        .field(table, "method", "imputation")
        .and_then(|field| parsed::<Imputation>(reader, &field, Imputation::SPELLINGS))
        .unwrap_or(defaults.imputation);

    let screen = reader.field(table, "method", "screen").and_then(|field| {
        let share = reader.number(&field, "screen = 0.9")?;
        if (0.0..=1.0).contains(&share) {
            return Some(share);
        }
        reader.report(
            field.line,
            &field.path,
            format!("`method.screen = {share}` is not a share of indicators between 0 and 1"),
            "write the minimum share of non-missing indicators a unit needs, e.g. \
             screen = 0.9, or delete the line"
                .into(),
        );
        None
    });

    let treatment = reader
        .field(table, "method", "treatment")
        .and_then(|field| match field.value.get_ref() {
            DeValue::String(s) if s.trim().eq_ignore_ascii_case("none") => None,
            DeValue::Table(treatment_table) => treatment(reader, treatment_table),
            _ => {
                reader.wrong_type(
                    &field,
                    "\"none\" or a table",
                    "treatment = { winmax = 5, skew_limit = 2.0, kurtosis_limit = 3.5 }",
                );
                None
            }
        });

    let normalisation = reader
        .field(table, "method", "normalisation")
        .and_then(|field| parsed::<Normalisation>(reader, &field, Normalisation::SPELLINGS))
        .unwrap_or(defaults.normalisation);

    let aggregation = match reader.field(table, "method", "aggregation") {
        None => defaults.aggregation,
        Some(field) => match field.value.get_ref() {
            DeValue::String(_) => parsed::<Aggregation>(reader, &field, Aggregation::SPELLINGS)
                .map(AggregationSetting::Everywhere)
                .unwrap_or(defaults.aggregation),
            DeValue::Array(items) => {
                let mut methods = Vec::with_capacity(items.len());
                for element in reader.elements(&field, items) {
                    if let Some(method) =
                        parsed::<Aggregation>(reader, &element, Aggregation::SPELLINGS)
                    {
                        methods.push(method);
                    }
                }
                AggregationSetting::PerLevel(methods)
            }
            _ => {
                reader.wrong_type(
                    &field,
                    "a method name or a list of them (one per aggregate level, bottom-up)",
                    "aggregation = \"arithmetic\"",
                );
                defaults.aggregation
            }
        },
    };

    MethodSettings {
        denominate,
        imputation,
        screen,
        treatment,
        normalisation,
        aggregation,
    }
}

/// A method string such as `"minmax(0,100)"`, its problems located at `field` (an element of
/// a per-level aggregation list is located at its own line, under the list's key).
fn parsed<T>(reader: &mut TomlReader<'_>, field: &Field<'_, '_>, spellings: &[&str]) -> Option<T>
where
    T: std::str::FromStr<Err = MethodParseError>,
{
    let key = field.path.split('[').next().unwrap_or(&field.path);
    let leaf = key.rsplit('.').next().unwrap_or(key);
    let text = reader.string(field, &format!("{leaf} = \"{}\"", spellings[0]))?;
    match text.parse::<T>() {
        Ok(method) => Some(method),
        Err(error) => {
            reader.report(field.line, key, error.problem, error.fix);
            None
        }
    }
}

fn treatment(reader: &mut TomlReader<'_>, table: &DeTable<'_>) -> Option<Treatment> {
    let prefix = "method.treatment";
    reader.check_keys(table, prefix, TREATMENT_KEYS, |_| None);
    let mut treatment = Treatment::with_winmax(DEFAULT_WINMAX);
    let mut valid = true;
    if let Some(field) = reader.field(table, prefix, "winmax") {
        match reader.integer(&field, "winmax = 5") {
            Some(n) if n >= 0 => treatment.winmax = n as usize,
            Some(n) => {
                reader.report(
                    field.line,
                    &field.path,
                    format!(
                        "`{}` = {n} must be a whole number ≥ 0 (the most points Winsorised per \
                         indicator)",
                        field.path
                    ),
                    "write e.g. `winmax = 5`".into(),
                );
                valid = false;
            }
            None => valid = false,
        }
    }
    for (key, slot) in [
        ("skew_limit", &mut treatment.skew_limit),
        ("kurtosis_limit", &mut treatment.kurtosis_limit),
    ] {
        let Some(field) = reader.field(table, prefix, key) else {
            continue;
        };
        let example = format!("{key} = {}", *slot);
        match reader.number(&field, &example) {
            Some(limit) if limit > 0.0 => *slot = limit,
            Some(limit) => {
                reader.report(
                    field.line,
                    &field.path,
                    format!("`{prefix}.{key} = {limit}` must be a positive number"),
                    format!("write e.g. {example} (COINr's default)"),
                );
                valid = false;
            }
            None => valid = false,
        }
    }
    valid.then_some(treatment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_file_parses_with_every_field() {
        let text = r#"
name = "ASEM"
description = "Sustainable connectivity"
provenance = "COINr"
reconstruction = true
focus = "AUT"
level_names = ["Indicator", "Pillar", "Sub-index", "Index"]

[method]
denominate = true
imputation = "group_mean(EurAsia_group)"
screen = 0.9
treatment = { winmax = 4, skew_limit = 2.5 }
normalisation = "minmax(1,100)"
aggregation = ["arithmetic", "geometric", "arithmetic"]
"#;
        let parsed = IndexToml::parse("index.toml", text).unwrap();
        assert_eq!(parsed.name.as_deref(), Some("ASEM"));
        assert!(parsed.reconstruction);
        assert_eq!(parsed.focus.as_deref(), Some("AUT"));
        assert_eq!(parsed.level_names.as_ref().unwrap().len(), 4);
        let method = &parsed.method;
        assert!(method.denominate);
        assert_eq!(
            method.imputation,
            Imputation::GroupMean("EurAsia_group".into())
        );
        assert_eq!(method.screen, Some(0.9));
        let treatment = method.treatment.unwrap();
        assert_eq!(treatment.winmax, 4);
        assert_eq!(treatment.skew_limit, 2.5);
        assert_eq!(treatment.kurtosis_limit, 3.5);
        assert_eq!(
            method.normalisation,
            Normalisation::MinMax {
                low: 1.0,
                high: 100.0
            }
        );
        assert_eq!(
            method.aggregation.for_levels(3).unwrap(),
            vec![
                Aggregation::Arithmetic,
                Aggregation::Geometric,
                Aggregation::Arithmetic
            ]
        );
        assert!(method.aggregation.for_levels(2).is_err());
        let location = parsed.location("method.imputation");
        assert_eq!(location.line, Some(11));
        assert_eq!(location.column.as_deref(), Some("method.imputation"));
    }

    #[test]
    fn defaults_apply_when_keys_are_absent() {
        let parsed = IndexToml::parse("index.toml", "name = \"x\"\n").unwrap();
        assert_eq!(parsed.method, MethodSettings::default());
        assert_eq!(
            parsed.method.aggregation.for_levels(3).unwrap(),
            vec![Aggregation::Arithmetic; 3]
        );
        let parsed = IndexToml::parse("index.toml", "[method]\ntreatment = \"none\"\n").unwrap();
        assert_eq!(parsed.method.treatment, None);
        let parsed = IndexToml::parse("index.toml", "[method]\ntreatment = {}\n").unwrap();
        assert_eq!(parsed.method.treatment, Some(Treatment::with_winmax(5)));
    }

    #[test]
    fn unknown_keys_suggest_the_nearest_valid_key() {
        let text = "name = \"x\"\n[method]\nnormalization = \"rank\"\nimputaton = \"mean\"\n";
        let errors = IndexToml::parse("index.toml", text).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].location.line, Some(3));
        assert!(errors[0].problem.contains("`method.normalization`"));
        assert!(errors[0].fix.contains("did you mean `normalisation`"));
        assert_eq!(errors[1].location.line, Some(4));
        assert!(errors[1].fix.contains("did you mean `imputation`"));
    }

    #[test]
    fn method_keys_at_top_level_are_pointed_to_the_method_table() {
        let errors = IndexToml::parse("index.toml", "aggregation = \"geometric\"\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].fix.contains("[method]"), "{}", errors[0].fix);
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let text = "name = \"x\"\n\n[method]\nnormalisation = minmax(0,100)\n";
        let errors = IndexToml::parse("index.toml", text).unwrap_err();
        assert_eq!(errors.len(), 1);
        let error = &errors[0];
        assert_eq!(error.location.file, "index.toml");
        assert_eq!(error.location.line, Some(4));
        // The parser reads `minmax(0` as a bare key and stops at the comma.
        assert_eq!(error.location.column.as_deref(), Some("25"));
        assert!(
            error.problem.contains("line 4, column 25"),
            "{}",
            error.problem
        );
        assert!(
            error
                .fix
                .contains("double quotes: normalisation = \"minmax(0,100)\""),
            "{}",
            error.fix
        );

        let errors =
            IndexToml::parse("index.toml", "name = \"x\"\nlevel_names = [\"a\",\n").unwrap_err();
        assert_eq!(errors[0].location.line, Some(2));
        assert!(
            errors[0].fix.contains("square brackets"),
            "{}",
            errors[0].fix
        );
    }

    #[test]
    fn wrong_types_and_bad_methods_are_all_reported() {
        let text = "reconstruction = \"yes\"\n[method]\ndenominate = 1\nscreen = 1.5\n\
                    normalisation = \"minmix\"\ntreatment = { winmax = -1 }\n\
                    aggregation = [\"arithmetic\", \"geo\"]\n";
        let errors = IndexToml::parse("index.toml", text).unwrap_err();
        let lines: Vec<_> = errors.iter().map(|e| e.location.line.unwrap()).collect();
        assert_eq!(lines, vec![1, 3, 4, 5, 6, 7], "{errors:#?}");
        assert!(errors[0].problem.contains("true or false"));
        assert!(errors[0].problem.contains("\"yes\""));
        assert!(errors[2].problem.contains("between 0 and 1"));
        assert!(errors[3].problem.contains("minmix"));
        assert!(errors[4].problem.contains("winmax"));
        assert!(errors[5].problem.contains("geo"));
    }
}
