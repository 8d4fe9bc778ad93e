//! The one TOML reader with spans: every key and array element keeps its line, every problem
//! becomes a located [`Diagnostic`], syntax errors and unknown keys are worded the same in every
//! file (index.toml, scenarios, Sobol factor files).
//!
//! A file-specific reader walks the spanned tree with [`TomlReader::field`] and the typed
//! accessors (`string`, `number`, …), which report a wrong type themselves and return `None`,
//! so one pass collects every problem of a file.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::position::Lines;
use super::suggest;
use crate::model::error::{Diagnostic, Location};

/// One key (or array element) being read: its path for messages (`weights[1].spread`), the line
/// it was written on and its value.
pub(crate) struct Field<'t, 'i> {
    pub path: String,
    pub line: usize,
    pub value: &'t Spanned<DeValue<'i>>,
}

/// Walks a spanned TOML tree, collecting typed values, key lines and diagnostics.
pub(crate) struct TomlReader<'s> {
    pub file: String,
    text: &'s str,
    lines: Lines<'s>,
    pub diagnostics: Vec<Diagnostic>,
    /// The line of every key and array element read, by path.
    pub key_lines: BTreeMap<String, usize>,
}

/// `prefix.key`, or `key` at the top level.
pub(crate) fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

impl<'s> TomlReader<'s> {
    /// A reader of `text` (the contents of `file`, a byte-order mark already removed).
    pub(crate) fn new(text: &'s str, file: &str) -> Self {
        TomlReader {
            file: file.to_string(),
            text,
            lines: Lines::new(text),
            diagnostics: Vec::new(),
            key_lines: BTreeMap::new(),
        }
    }

    /// The spanned tree, or `None` with the first syntax error reported (the parser's later
    /// ones mostly follow from the first).
    pub(crate) fn parse(&mut self) -> Option<Spanned<DeTable<'s>>> {
        match DeTable::parse(self.text) {
            Ok(root) => Some(root),
            Err(error) => {
                self.syntax_error(&error);
                None
            }
        }
    }

    /// The text being read.
    pub(crate) fn text(&self) -> &'s str {
        self.text
    }

    /// 1-based line of a byte offset.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.lines.line(offset)
    }

    /// The diagnostics sorted by line (problems without a line last), discovery order kept
    /// within a line.
    pub(crate) fn take_sorted(&mut self) -> Vec<Diagnostic> {
        let mut diagnostics = std::mem::take(&mut self.diagnostics);
        diagnostics.sort_by_key(|d| d.location.line.unwrap_or(usize::MAX));
        diagnostics
    }

    /// Where `path` is: this file, `line` (if known, i.e. > 0) and the key path (if any).
    pub(crate) fn location(&self, line: usize, path: &str) -> Location {
        let mut location = Location::file(&self.file);
        if line > 0 {
            location = location.line(line);
        }
        if !path.is_empty() {
            location = location.column(path);
        }
        location
    }

    pub(crate) fn report(&mut self, line: usize, path: &str, problem: String, fix: String) {
        let location = self.location(line, path);
        self.diagnostics
            .push(Diagnostic::new(location, problem, fix));
    }

    /// The one rendering of a TOML syntax error: line, column, the parser's message, the line
    /// as written, and the fix for the commonest slips (an unquoted word, a repeated key).
    fn syntax_error(&mut self, error: &toml::de::Error) {
        let message = error.message().trim().replace('\n', "; ");
        let general_fix = "fix the TOML syntax there: strings in double quotes (name = \"My \
                           index\"), lists in square brackets ([\"a\", \"b\"]), one `key = value` \
                           per line, tables as [name] or [[name]]";
        let Some(span) = error.span() else {
            self.report(
                0,
                "",
                format!("TOML syntax error: {message}"),
                general_fix.into(),
            );
            return;
        };
        let (line, column) = self.lines.line_and_column(span.start);
        let source_line = self.lines.text_of(line).trim();
        let fix = if message.contains("duplicate key") {
            "each key may appear once per table: remove or merge the repeated one".to_string()
        } else {
            unquoted_value_fix(source_line).unwrap_or_else(|| general_fix.to_string())
        };
        self.report(
            line,
            &column.to_string(),
            format!(
                "TOML syntax error at line {line}, column {column}: {message} (in \
                 `{source_line}`)"
            ),
            fix,
        );
    }

    /// The one rendering of unknown keys: every key of `table` not in `allowed` is reported with
    /// the nearest allowed key, or `hint(key)` (e.g. "this key belongs in [method]") when none
    /// is near, or else the list of allowed keys.
    pub(crate) fn check_keys(
        &mut self,
        table: &DeTable<'_>,
        prefix: &str,
        allowed: &[&str],
        hint: impl Fn(&str) -> Option<String>,
    ) {
        for (key, _) in table.iter() {
            let name: &str = key.get_ref();
            if allowed.contains(&name) {
                continue;
            }
            let line = self.line_of(key.span().start);
            let path = join(prefix, name);
            let fix = match suggest::nearest(name, allowed.iter().copied()) {
                Some(_) => suggest::one_of(name, allowed),
                None => hint(name)
                    .unwrap_or_else(|| format!("remove it or {}", suggest::one_of(name, allowed))),
            };
            self.report(line, &path, format!("unknown key `{path}`"), fix);
        }
    }

    /// The field `key` of `table`, if present; its line is remembered under its path.
    pub(crate) fn field<'t, 'i>(
        &mut self,
        table: &'t DeTable<'i>,
        prefix: &str,
        key: &str,
    ) -> Option<Field<'t, 'i>> {
        let (key_span, value) = table.get_key_value(key)?;
        let path = join(prefix, key);
        let line = self.line_of(key_span.span().start);
        self.key_lines.insert(path.clone(), line);
        Some(Field { path, line, value })
    }

    /// The elements of an array field, each with path `path[i]` (from 1) and its own line.
    pub(crate) fn elements<'t, 'i>(
        &mut self,
        field: &Field<'t, 'i>,
        array: &'t DeArray<'i>,
    ) -> Vec<Field<'t, 'i>> {
        array
            .iter()
            .enumerate()
            .map(|(i, value)| {
                let path = format!("{}[{}]", field.path, i + 1);
                let line = self.line_of(value.span().start);
                self.key_lines.insert(path.clone(), line);
                Field { path, line, value }
            })
            .collect()
    }

    /// A value as written, shortened to its first 40 characters.
    pub(crate) fn snippet(&self, span: Range<usize>) -> String {
        let raw = self.text.get(span).unwrap_or("").trim();
        let first_line = raw.lines().next().unwrap_or("");
        if first_line.chars().count() > 40 || raw.contains('\n') {
            let short: String = first_line.chars().take(40).collect();
            format!("{short}…")
        } else {
            first_line.to_string()
        }
    }

    pub(crate) fn wrong_type(&mut self, field: &Field<'_, '_>, expected: &str, example: &str) {
        let found = field.value.get_ref().type_str();
        let snippet = self.snippet(field.value.span());
        self.report(
            field.line,
            &field.path,
            format!(
                "`{}` must be {expected}, found {found} `{snippet}`",
                field.path
            ),
            format!("write e.g. `{example}`"),
        );
    }

    pub(crate) fn string(&mut self, field: &Field<'_, '_>, example: &str) -> Option<String> {
        match field.value.get_ref() {
            DeValue::String(text) => Some(text.to_string()),
            _ => {
                self.wrong_type(field, "a string in double quotes", example);
                None
            }
        }
    }

    pub(crate) fn integer(&mut self, field: &Field<'_, '_>, example: &str) -> Option<i64> {
        match field.value.get_ref() {
            DeValue::Integer(integer) => {
                match i64::from_str_radix(integer.as_str(), integer.radix()) {
                    Ok(value) => Some(value),
                    Err(_) => {
                        self.report(
                            field.line,
                            &field.path,
                            format!("`{}` = {integer} is too large", field.path),
                            format!("write e.g. `{example}`"),
                        );
                        None
                    }
                }
            }
            _ => {
                self.wrong_type(
                    field,
                    "a whole number (no decimal point, no quotes)",
                    example,
                );
                None
            }
        }
    }

    /// An integer of at least `minimum`.
    pub(crate) fn count(
        &mut self,
        field: &Field<'_, '_>,
        minimum: u64,
        example: &str,
    ) -> Option<u64> {
        let value = self.integer(field, example)?;
        if value < minimum as i64 {
            self.report(
                field.line,
                &field.path,
                format!("`{}` = {value} is below the minimum {minimum}", field.path),
                format!("write e.g. `{example}`"),
            );
            return None;
        }
        Some(value as u64)
    }

    /// A finite number (an integer is read as a number).
    pub(crate) fn number(&mut self, field: &Field<'_, '_>, example: &str) -> Option<f64> {
        let value = match field.value.get_ref() {
            DeValue::Integer(integer) => i64::from_str_radix(integer.as_str(), integer.radix())
                .ok()
                .map(|v| v as f64),
            DeValue::Float(float) => float.as_str().parse::<f64>().ok(),
            _ => {
                self.wrong_type(field, "a number", example);
                return None;
            }
        };
        match value {
            Some(v) if v.is_finite() => Some(v),
            _ => {
                self.report(
                    field.line,
                    &field.path,
                    format!("`{}` must be a finite number", field.path),
                    format!("write e.g. `{example}`"),
                );
                None
            }
        }
    }

    pub(crate) fn boolean(&mut self, field: &Field<'_, '_>, example: &str) -> Option<bool> {
        match field.value.get_ref() {
            DeValue::Boolean(value) => Some(*value),
            _ => {
                self.wrong_type(field, "true or false (no quotes)", example);
                None
            }
        }
    }

    pub(crate) fn array<'t, 'i>(
        &mut self,
        field: &Field<'t, 'i>,
        example: &str,
    ) -> Option<&'t DeArray<'i>> {
        match field.value.get_ref() {
            DeValue::Array(array) => Some(array),
            _ => {
                self.wrong_type(field, "a list in brackets", example);
                None
            }
        }
    }

    pub(crate) fn table<'t, 'i>(
        &mut self,
        field: &Field<'t, 'i>,
        header: &str,
    ) -> Option<&'t DeTable<'i>> {
        match field.value.get_ref() {
            DeValue::Table(table) => Some(table),
            _ => {
                let found = field.value.get_ref().type_str();
                self.report(
                    field.line,
                    &field.path,
                    format!("`{}` must be a table, found {found}", field.path),
                    format!("write it as a section: a line `{header}` followed by its keys"),
                );
                None
            }
        }
    }

    /// The entries of an array of tables (`[[name]]`), each with its header line.
    pub(crate) fn table_entries<'t, 'i>(
        &mut self,
        field: &Field<'t, 'i>,
        header: &str,
    ) -> Vec<(Field<'t, 'i>, &'t DeTable<'i>)> {
        match field.value.get_ref() {
            DeValue::Array(array) => {
                let elements = self.elements(field, array);
                elements
                    .into_iter()
                    .filter_map(|element| match element.value.get_ref() {
                        DeValue::Table(table) => Some((element, table)),
                        _ => {
                            self.wrong_type(&element, "a table", &format!("{header} …"));
                            None
                        }
                    })
                    .collect()
            }
            DeValue::Table(_) => {
                let section = header.trim_matches(['[', ']']);
                self.report(
                    field.line,
                    &field.path,
                    format!("`[{section}]` is written with single brackets"),
                    format!(
                        "write `{header}` (double brackets): a file may have several {section} \
                         entries"
                    ),
                );
                Vec::new()
            }
            _ => {
                self.wrong_type(field, "one or more sections", header);
                Vec::new()
            }
        }
    }

    /// A string naming one of `allowed` spellings, parsed by `parse`; an unknown one is
    /// reported with [`suggest::one_of`].
    pub(crate) fn choice<T>(
        &mut self,
        field: &Field<'_, '_>,
        what: &str,
        allowed: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let text = self.string(
            field,
            &format!("{} = \"{}\"", leaf(&field.path), allowed[0]),
        )?;
        let parsed = parse(&text);
        if parsed.is_none() {
            self.report(
                field.line,
                &field.path,
                format!("unknown {what} `{text}`"),
                suggest::one_of(&text, allowed),
            );
        }
        parsed
    }
}

/// The last key of a path: `kind` of `factor[2].kind`.
fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// The commonest slip: a word written without quotes (`aggregation = geometric`).
fn unquoted_value_fix(source_line: &str) -> Option<String> {
    let (key, value) = source_line.split_once('=')?;
    let (key, value) = (key.trim(), value.trim());
    let starts_like_word = value.chars().next()?.is_ascii_alphabetic();
    let is_literal = matches!(value, "true" | "false" | "inf" | "nan");
    (starts_like_word && !is_literal)
        .then(|| format!("put the value in double quotes: {key} = \"{value}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Option<()>, Vec<Diagnostic>) {
        let mut reader = TomlReader::new(text, "t.toml");
        let parsed = reader.parse().map(|root| {
            reader.check_keys(root.get_ref(), "", &["samples", "seed"], |_| None);
        });
        (parsed, reader.take_sorted())
    }

    #[test]
    fn syntax_errors_name_line_column_and_the_line_as_written() {
        let (parsed, errors) = read("samples = 1\nnormalisation = minmax(0,100)\n");
        assert!(parsed.is_none());
        let error = &errors[0];
        assert_eq!(error.location.line, Some(2));
        let column = error.location.column.clone().unwrap();
        assert!(
            error.problem.contains(&format!("line 2, column {column}")),
            "{error}"
        );
        assert!(
            error.problem.contains("in `normalisation = minmax(0,100)`"),
            "{error}"
        );
        assert_eq!(
            error.fix,
            "put the value in double quotes: normalisation = \"minmax(0,100)\""
        );
        let (_, errors) = read("seed = 1\nseed = 2\n");
        assert!(errors[0].fix.contains("once per table"), "{}", errors[0]);
    }

    #[test]
    fn unknown_keys_get_the_one_suggestion_or_the_list() {
        let (_, errors) = read("sampels = 1\nzzzzzz = 2\n");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].problem, "unknown key `sampels`");
        assert_eq!(
            errors[0].fix,
            "did you mean `samples`? Use one of: `samples`, `seed`"
        );
        assert_eq!(errors[1].location.line, Some(2));
        assert_eq!(errors[1].fix, "remove it or use one of: `samples`, `seed`");
    }
}
