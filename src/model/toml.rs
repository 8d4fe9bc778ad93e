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

use std::collections::HashMap;

use toml::Value;
use toml::de::{DeTable, DeValue};

use crate::model::error::{Diagnostic, Location, nearest};
use crate::model::method::{Aggregation, Imputation, Normalisation, Treatment};

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
    key_lines: HashMap<String, usize>,
}

impl IndexToml {
    /// Parses `text` (the contents of the file called `file`), reporting every problem found.
    pub fn parse(file: &str, text: &str) -> Result<IndexToml, Vec<Diagnostic>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let spanned = match DeTable::parse(text) {
            Ok(spanned) => spanned,
            Err(error) => return Err(vec![syntax_error(file, text, &error)]),
        };
        let mut key_lines = HashMap::new();
        collect_key_lines(spanned.get_ref(), "", text, &mut key_lines);
        let table: toml::Table = match toml::from_str(text) {
            Ok(table) => table,
            Err(error) => return Err(vec![syntax_error(file, text, &error)]),
        };

        let mut reader = Reader {
            file,
            key_lines: &key_lines,
            diagnostics: Vec::new(),
        };
        reader.check_keys(&table, "", TOP_KEYS);
        let name = reader.string(&table, "", "name");
        let description = reader.string(&table, "", "description").unwrap_or_default();
        let provenance = reader.string(&table, "", "provenance").unwrap_or_default();
        let reconstruction = reader
            .boolean(&table, "", "reconstruction")
            .unwrap_or(false);
        let focus = reader.string(&table, "", "focus");
        if focus.as_deref().is_some_and(|f| f.trim().is_empty()) {
            reader.report(
                "focus",
                "`focus` is empty",
                "write the uCode or uName of the unit to focus on, e.g. focus = \"AUT\", or \
                 delete the line",
            );
        }
        let level_names = reader.string_list(&table, "", "level_names");
        let method = match table.get("method") {
            None => MethodSettings::default(),
            Some(Value::Table(method_table)) => reader.method(method_table),
            Some(other) => {
                reader.report(
                    "method",
                    format!("`method` must be a table, found {}", describe(other)),
                    "write a `[method]` line followed by the method keys, e.g. \
                     `normalisation = \"minmax(0,100)\"`",
                );
                MethodSettings::default()
            }
        };

        if !reader.diagnostics.is_empty() {
            // Stable sort: problems read in file order, several on one key keep their order.
            reader.diagnostics.sort_by_key(|d| d.location.line);
            return Err(reader.diagnostics);
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
            key_lines,
        })
    }

    /// Where a key (dotted path such as `method.imputation`) was written, for diagnostics.
    pub fn location(&self, key: &str) -> Location {
        key_location(&self.file, &self.key_lines, key)
    }
}

fn key_location(file: &str, key_lines: &HashMap<String, usize>, key: &str) -> Location {
    let mut location = Location::file(file).column(key);
    location.line = key_lines.get(key).copied();
    location
}

/// 1-based line and character column of a byte offset.
pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn syntax_error(file: &str, text: &str, error: &toml::de::Error) -> Diagnostic {
    let message = error.message().trim().replace('\n', "; ");
    let general_fix = "fix the TOML syntax there: strings need double quotes \
                       (name = \"My index\"), lists square brackets ([\"a\", \"b\"]), \
                       tables a `[method]` header";
    match error.span() {
        Some(span) => {
            let (line, column) = line_and_column(text, span.start);
            let source_line = text.lines().nth(line - 1).unwrap_or("").trim();
            let fix = unquoted_value_fix(source_line).unwrap_or_else(|| general_fix.to_string());
            Diagnostic::new(
                Location::file(file).line(line).column(column.to_string()),
                format!(
                    "TOML syntax error at line {line}, column {column}: {message} \
                     (in `{source_line}`)"
                ),
                fix,
            )
        }
        None => Diagnostic::new(
            Location::file(file),
            format!("TOML syntax error: {message}"),
            general_fix,
        ),
    }
}

/// The most common slip: a method name written without quotes (`aggregation = geometric`).
fn unquoted_value_fix(source_line: &str) -> Option<String> {
    let (key, value) = source_line.split_once('=')?;
    let (key, value) = (key.trim(), value.trim());
    let starts_like_word = value.chars().next()?.is_ascii_alphabetic();
    let is_literal = matches!(value, "true" | "false" | "inf" | "nan");
    (starts_like_word && !is_literal)
        .then(|| format!("put the value in double quotes: {key} = \"{value}\""))
}

fn collect_key_lines(
    table: &DeTable<'_>,
    prefix: &str,
    text: &str,
    key_lines: &mut HashMap<String, usize>,
) {
    for (key, value) in table.iter() {
        let path = join(prefix, key.get_ref());
        let (line, _) = line_and_column(text, key.span().start);
        key_lines.entry(path.clone()).or_insert(line);
        if let DeValue::Table(inner) = value.get_ref() {
            collect_key_lines(inner, &path, text, key_lines);
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// A value as the user wrote it, for messages: `string "yes"`, `integer 5`, ...
fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => format!("string \"{s}\""),
        Value::Table(_) => "a table".to_string(),
        Value::Array(_) => "a list".to_string(),
        other => format!("{} {other}", other.type_str()),
    }
}

/// Reads typed values out of the table, collecting a diagnostic for each wrong one.
struct Reader<'a> {
    file: &'a str,
    key_lines: &'a HashMap<String, usize>,
    diagnostics: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn report(&mut self, path: &str, problem: impl Into<String>, fix: impl Into<String>) {
        let location = key_location(self.file, self.key_lines, path);
        self.diagnostics
            .push(Diagnostic::new(location, problem, fix));
    }

    fn wrong_type(&mut self, path: &str, expected: &str, found: &Value, example: &str) {
        self.report(
            path,
            format!("`{path}` must be {expected}, found {}", describe(found)),
            format!("write e.g. {example}"),
        );
    }

    /// Reports every key of `table` that is not in `allowed`, suggesting the nearest valid key.
    fn check_keys(&mut self, table: &toml::Table, prefix: &str, allowed: &[&str]) {
        for key in table.keys() {
            if allowed.contains(&key.as_str()) {
                continue;
            }
            let path = join(prefix, key);
            let where_valid = if prefix.is_empty() {
                "at the top of index.toml".to_string()
            } else {
                format!("in [{prefix}]")
            };
            let fix = if let Some(suggestion) = nearest(key, allowed.iter().copied(), 3) {
                format!(
                    "did you mean `{suggestion}`? Valid keys {where_valid}: {}",
                    allowed.join(", ")
                )
            } else if prefix.is_empty() && METHOD_KEYS.contains(&key.as_str()) {
                format!("`{key}` belongs in the [method] table: move it below a `[method]` line")
            } else if prefix == "method" && TOP_KEYS.contains(&key.as_str()) {
                format!("`{key}` belongs at the top of the file, before the `[method]` line")
            } else {
                format!(
                    "remove it; valid keys {where_valid}: {}",
                    allowed.join(", ")
                )
            };
            self.report(&path, format!("unknown key `{path}`"), fix);
        }
    }

    fn string(&mut self, table: &toml::Table, prefix: &str, key: &str) -> Option<String> {
        let path = join(prefix, key);
        match table.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => {
                self.wrong_type(
                    &path,
                    "a string in double quotes",
                    other,
                    &format!("{key} = \"...\""),
                );
                None
            }
        }
    }

    fn boolean(&mut self, table: &toml::Table, prefix: &str, key: &str) -> Option<bool> {
        let path = join(prefix, key);
        match table.get(key)? {
            Value::Boolean(b) => Some(*b),
            other => {
                self.wrong_type(
                    &path,
                    "true or false (no quotes)",
                    other,
                    &format!("{key} = true"),
                );
                None
            }
        }
    }

    fn number(
        &mut self,
        table: &toml::Table,
        prefix: &str,
        key: &str,
        example: &str,
    ) -> Option<f64> {
        let path = join(prefix, key);
        match table.get(key)? {
            Value::Float(x) => Some(*x),
            Value::Integer(i) => Some(*i as f64),
            other => {
                self.wrong_type(&path, "a number (no quotes)", other, example);
                None
            }
        }
    }

    fn string_list(&mut self, table: &toml::Table, prefix: &str, key: &str) -> Option<Vec<String>> {
        let path = join(prefix, key);
        let example = format!("{key} = [\"Indicator\", \"Pillar\", \"Index\"]");
        match table.get(key)? {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        other => {
                            self.wrong_type(&path, "a list of strings", other, &example);
                            return None;
                        }
                    }
                }
                Some(out)
            }
            other => {
                self.wrong_type(&path, "a list of strings", other, &example);
                None
            }
        }
    }

    fn method(&mut self, table: &toml::Table) -> MethodSettings {
        self.check_keys(table, "method", METHOD_KEYS);
        let defaults = MethodSettings::default();
        let denominate = self
            .boolean(table, "method", "denominate")
            .unwrap_or(defaults.denominate);

        let imputation = self
            .parsed::<Imputation>(table, "imputation", Imputation::SPELLINGS)
            .unwrap_or(defaults.imputation);

        let screen = self.number(table, "method", "screen", "screen = 0.9");
        if let Some(share) = screen
            && !(0.0..=1.0).contains(&share)
        {
            self.report(
                "method.screen",
                format!("`method.screen = {share}` is not a share of indicators between 0 and 1"),
                "write the minimum share of non-missing indicators a unit needs, e.g. \
                 screen = 0.9, or delete the line",
            );
        }

        let treatment = match table.get("treatment") {
            None => None,
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("none") => None,
            Some(Value::Table(treatment)) => self.treatment(treatment),
            Some(other) => {
                self.wrong_type(
                    "method.treatment",
                    "\"none\" or a table",
                    other,
                    "treatment = { winmax = 5, skew_limit = 2.0, kurtosis_limit = 3.5 }",
                );
                None
            }
        };

        let normalisation = self
            .parsed::<Normalisation>(table, "normalisation", Normalisation::SPELLINGS)
            .unwrap_or(defaults.normalisation);

        let aggregation = match table.get("aggregation") {
            None => defaults.aggregation,
            Some(Value::String(text)) => self
                .parse_method::<Aggregation>("method.aggregation", text, Aggregation::SPELLINGS)
                .map(AggregationSetting::Everywhere)
                .unwrap_or(defaults.aggregation),
            Some(Value::Array(items)) => {
                let mut methods = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(text) => {
                            if let Some(method) = self.parse_method::<Aggregation>(
                                "method.aggregation",
                                text,
                                Aggregation::SPELLINGS,
                            ) {
                                methods.push(method);
                            }
                        }
                        other => self.wrong_type(
                            "method.aggregation",
                            "a list of method names",
                            other,
                            "aggregation = [\"arithmetic\", \"geometric\"]",
                        ),
                    }
                }
                AggregationSetting::PerLevel(methods)
            }
            Some(other) => {
                self.wrong_type(
                    "method.aggregation",
                    "a method name or a list of them (one per aggregate level, bottom-up)",
                    other,
                    "aggregation = \"arithmetic\"",
                );
                defaults.aggregation
            }
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

    /// A `[method]` key holding a method string such as `"minmax(0,100)"`.
    fn parsed<T>(&mut self, table: &toml::Table, key: &str, spellings: &[&str]) -> Option<T>
    where
        T: std::str::FromStr<Err = crate::model::method::MethodParseError>,
    {
        let path = join("method", key);
        match table.get(key)? {
            Value::String(text) => self.parse_method(&path, text, spellings),
            other => {
                self.wrong_type(
                    &path,
                    "a method name in double quotes",
                    other,
                    &format!("{key} = \"{}\"", spellings[0]),
                );
                None
            }
        }
    }

    fn parse_method<T>(&mut self, path: &str, text: &str, spellings: &[&str]) -> Option<T>
    where
        T: std::str::FromStr<Err = crate::model::method::MethodParseError>,
    {
        match text.parse::<T>() {
            Ok(method) => Some(method),
            Err(error) => {
                self.report(
                    path,
                    format!("`{path} = \"{text}\"`: {}", error.message),
                    format!("accepted spellings: {}", spellings.join(", ")),
                );
                None
            }
        }
    }

    fn treatment(&mut self, table: &toml::Table) -> Option<Treatment> {
        let prefix = "method.treatment";
        self.check_keys(table, prefix, TREATMENT_KEYS);
        let mut treatment = Treatment::with_winmax(DEFAULT_WINMAX);
        let mut valid = true;
        match table.get("winmax") {
            None => {}
            Some(Value::Integer(n)) if *n >= 0 => treatment.winmax = *n as usize,
            Some(other) => {
                self.wrong_type(
                    "method.treatment.winmax",
                    "a whole number ≥ 0 (the most points Winsorised per indicator)",
                    other,
                    "winmax = 5",
                );
                valid = false;
            }
        }
        for (key, slot) in [
            ("skew_limit", &mut treatment.skew_limit),
            ("kurtosis_limit", &mut treatment.kurtosis_limit),
        ] {
            let example = format!("{key} = {}", *slot);
            if let Some(limit) = self.number(table, prefix, key, &example) {
                if limit.is_finite() && limit > 0.0 {
                    *slot = limit;
                } else {
                    self.report(
                        &join(prefix, key),
                        format!("`{prefix}.{key} = {limit}` must be a positive number"),
                        format!("write e.g. {example} (COINr's default)"),
                    );
                    valid = false;
                }
            } else if table.contains_key(key) {
                valid = false;
            }
        }
        valid.then_some(treatment)
    }
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

    #[test]
    fn line_and_column_count_from_one() {
        assert_eq!(line_and_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_and_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_and_column("ab\r\ncd", 4), (2, 1));
    }
}
