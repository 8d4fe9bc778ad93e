//! The scenario reader's shared plumbing: reading the file's text, the spanned TOML reader with
//! the scenario's sections (each section parses its own table, see [`super`]), the
//! checks across sections (factor names), the parsers every choice section shares (`nominal`,
//! `alternatives`, `probabilities`, `name`), and how problems become one [`ScenarioError`].

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use toml::de::DeTable;

use super::{SECTIONS, Scenario, top_keys};
use crate::model::input::toml::{Field, TomlReader};
use crate::model::method::MethodParseError;
use crate::model::{Diagnostic, Location};
use crate::scenario::choice::{Choice, PROBABILITY_TOLERANCE};

/// Why a scenario could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read at all.
    #[error("cannot read scenario file {}: {cause}", path.display())]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// One or more problems in the scenario; all are reported, ordered by line.
    #[error("{}", render(diagnostics))]
    Invalid { diagnostics: Vec<Diagnostic> },
}

impl ScenarioError {
    /// The problems found (empty for I/O errors).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ScenarioError::Io { .. } => &[],
            ScenarioError::Invalid { diagnostics } => diagnostics,
        }
    }
}

/// Reads a scenario file as text. TOML is UTF-8, so a file saved in another encoding (Latin-1,
/// UTF-16) is a located problem: the line and byte of the first invalid byte, and the fix.
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let bytes = std::fs::read(path).map_err(|cause| ScenarioError::Io {
        path: path.to_path_buf(),
        cause,
    })?;
    String::from_utf8(bytes).map_err(|error| {
        let bytes = error.as_bytes();
        let at = error.utf8_error().valid_up_to();
        let before = &bytes[..at];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        ScenarioError::Invalid {
            diagnostics: vec![Diagnostic::new(
                Location::file(path.display().to_string()).line(line),
                format!(
                    "byte {} of this line (0x{:02X}, byte {} of the file) is not UTF-8 text, so the file cannot be read as TOML",
                    at - line_start + 1,
                    bytes[at],
                    at + 1
                ),
                "save the file as UTF-8 (in most editors: Save As… → Encoding: UTF-8)",
            )],
        }
    })
}

pub(crate) fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    if diagnostics.len() > 1 {
        let _ = writeln!(out, "{} problems found in the scenario:", diagnostics.len());
    }
    for (i, diagnostic) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = write!(out, "{diagnostic}");
    }
    out
}

/// Sorts by line (problems without a line last), keeping discovery order within a line, and
/// wraps them into an error if there are any.
pub(crate) fn into_result(mut diagnostics: Vec<Diagnostic>) -> Result<(), ScenarioError> {
    if diagnostics.is_empty() {
        return Ok(());
    }
    diagnostics.sort_by_key(|d| d.location.line.unwrap_or(usize::MAX));
    Err(ScenarioError::Invalid { diagnostics })
}

/// `[[weights]], [normalisation], … or [exclusion]`: the factor sections, as a fix lists them.
fn factor_headers() -> String {
    let headers: Vec<&str> = SECTIONS
        .iter()
        .filter(|section| section.factor.is_some())
        .map(|section| section.header)
        .collect();
    match headers.split_last() {
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The scenario's reader: the shared spanned TOML reader; each section adds its own parser
/// (`impl Reader` in its file under `sections/`).
pub(crate) struct Reader<'s>(TomlReader<'s>);

impl<'s> std::ops::Deref for Reader<'s> {
    type Target = TomlReader<'s>;
    fn deref(&self) -> &TomlReader<'s> {
        &self.0
    }
}

impl std::ops::DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Reader<'_> {
    /// A list of indicator codes (strings, each listed once), or `None` after reporting each
    /// bad element; [exclusion] and [[noise]] read their `indicators` lists with it.
    pub(crate) fn indicator_codes(
        &mut self,
        field: &Field<'_, '_>,
        array: &toml::de::DeArray<'_>,
    ) -> Option<Vec<String>> {
        let elements = self.elements(field, array);
        let mut codes: Vec<String> = Vec::new();
        let mut ok = true;
        for element in &elements {
            match self.string(element, "\"LIV_EIU\"") {
                Some(code) if codes.contains(&code) => {
                    self.report(
                        element.line,
                        &element.path,
                        format!("indicator `{code}` is listed twice"),
                        "list each indicator once".into(),
                    );
                    ok = false;
                }
                Some(code) => codes.push(code),
                None => ok = false,
            }
        }
        ok.then_some(codes)
    }

    /// Parses and checks a scenario file's text; see [`Scenario::from_toml_str`].
    pub(crate) fn read(text: &str, file_name: &str) -> Result<Scenario, ScenarioError> {
        let mut reader = Reader(TomlReader::new(text, file_name));
        let Some(root) = reader.parse() else {
            into_result(reader.take_sorted())?;
            unreachable!("syntax errors always produce diagnostics");
        };
        let scenario = reader.scenario(root.get_ref());
        into_result(reader.take_sorted())?;
        Ok(Scenario {
            source: file_name.to_string(),
            key_lines: std::mem::take(&mut reader.key_lines),
            ..scenario
        })
    }

    fn scenario(&mut self, root: &DeTable<'_>) -> Scenario {
        self.check_keys(root, "", &top_keys(), |_| None);
        let mut scenario = Scenario::default();
        for section in SECTIONS {
            (section.read)(self, root, &mut scenario);
        }
        self.check_factor_names(&scenario);
        if self.diagnostics.is_empty() && !scenario.has_factor() {
            // Without a factor every sample is the nominal ranking, and a run would call
            // every rank "robust, 100%": a verdict about nothing.
            let empty = self.text().trim().is_empty();
            self.report(
                if empty { 0 } else { 1 },
                "",
                if empty {
                    "the scenario file is empty, so it names no uncertain choice (factor)".into()
                } else {
                    "the scenario names no uncertain choice (factor), so every run would repeat the nominal ranking".into()
                },
                format!("add at least one section: {} (scenarios/ieci-full.toml in the ranksense sources shows each)", factor_headers()),
            );
        }
        scenario
    }

    /// Factor names label Sobol indices in every report, so two factors may not share one
    /// (entries with grouping = "all" are one factor and may repeat its name).
    fn check_factor_names(&mut self, scenario: &Scenario) {
        let named = SECTIONS
            .iter()
            .flat_map(|section| (section.factor_names)(scenario))
            .filter_map(|(name, line)| name.map(|n| (n, line)));
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (name, line) in named {
            match seen.get(name) {
                Some(first) => self.report(
                    line,
                    "name",
                    format!(
                        "factor name \"{name}\" is already used by the section at line {first}"
                    ),
                    "give every factor its own name".into(),
                ),
                None => {
                    seen.insert(name, line);
                }
            }
        }
    }

    /// The optional `name` of a factor section: `Some(None)` when absent, `None` when invalid.
    pub(crate) fn factor_name(
        &mut self,
        table: &DeTable<'_>,
        prefix: &str,
    ) -> Option<Option<String>> {
        let Some(field) = self.field(table, prefix, "name") else {
            return Some(None);
        };
        let text = self.string(&field, "name = \"Weights\"")?;
        if text.trim().is_empty() {
            self.report(
                field.line,
                &field.path,
                "`name` is empty".into(),
                "give the factor a name for reports, or remove the key".into(),
            );
            return None;
        }
        Some(Some(text))
    }

    /// A section that is one discrete choice (`[normalisation]`, `[imputation]`): its table,
    /// its keys checked against the section's own list, then the choice itself.
    pub(crate) fn choice_section<T>(
        &mut self,
        root: &DeTable<'_>,
        section: &super::Section,
        spellings: &[&str],
        example: &str,
    ) -> Option<Choice<T>>
    where
        T: FromStr<Err = MethodParseError> + PartialEq + fmt::Display,
    {
        let field = self.field(root, "", section.name)?;
        let table = self.table(&field, section.header)?;
        self.check_keys(table, section.name, &section.key_names(), |_| None);
        self.choice::<T>(table, &field, section.name, spellings, example)
    }

    /// Parses `nominal`, `alternatives` and `probabilities` of a choice table.
    pub(crate) fn choice<T>(
        &mut self,
        table: &DeTable<'_>,
        header: &Field<'_, '_>,
        kind: &str,
        spellings: &[&str],
        example: &str,
    ) -> Option<Choice<T>>
    where
        T: FromStr<Err = MethodParseError> + PartialEq + fmt::Display,
    {
        let prefix = header.path.clone();
        let parse = |reader: &mut Self, field: &Field<'_, '_>| -> Option<T> {
            let text = reader.string(field, &format!("\"{}\"", spellings[0]))?;
            match text.parse::<T>() {
                Ok(method) => Some(method),
                Err(error) => {
                    reader.report(field.line, &field.path, error.problem, error.fix);
                    None
                }
            }
        };

        let nominal = match self.field(table, &prefix, "nominal") {
            Some(field) => parse(self, &field).map(Some),
            None => Some(None),
        };

        let mut raw_count = None;
        let alternatives = match self.field(table, &prefix, "alternatives") {
            None => {
                self.report(
                    header.line,
                    &prefix,
                    format!("`[{prefix}]` has no `alternatives`"),
                    format!("add e.g. `{example}`"),
                );
                None
            }
            Some(field) => match self.array(&field, example) {
                None => None,
                Some(array) if array.is_empty() => {
                    self.report(
                        field.line,
                        &field.path,
                        format!("`{}` is empty", field.path),
                        format!("list at least one {kind}, e.g. `{example}`"),
                    );
                    None
                }
                Some(array) => {
                    raw_count = Some(array.len());
                    let elements = self.elements(&field, array);
                    let mut methods: Vec<T> = Vec::new();
                    let mut ok = true;
                    for element in &elements {
                        match parse(self, element) {
                            Some(method) => {
                                if methods.contains(&method) {
                                    self.report(
                                        element.line,
                                        &element.path,
                                        format!("{kind} `{method}` is listed twice"),
                                        "list each alternative once (use `probabilities` to \
                                         make one more likely)"
                                            .into(),
                                    );
                                    ok = false;
                                }
                                methods.push(method);
                            }
                            None => ok = false,
                        }
                    }
                    ok.then_some(methods)
                }
            },
        };

        let probabilities = match self.field(table, &prefix, "probabilities") {
            None => raw_count.map(|n| vec![1.0 / n as f64; n]),
            Some(field) => self.probabilities(&field, raw_count),
        };

        let name = self.factor_name(table, &prefix);

        Some(Choice {
            name: name?,
            nominal: nominal?,
            alternatives: alternatives?,
            probabilities: probabilities?,
            line: header.line,
        })
    }

    fn probabilities(
        &mut self,
        field: &Field<'_, '_>,
        expected: Option<usize>,
    ) -> Option<Vec<f64>> {
        let array = self.array(field, "probabilities = [0.5, 0.25, 0.25]")?;
        let elements = self.elements(field, array);
        let mut values = Vec::with_capacity(elements.len());
        let mut ok = true;
        for element in &elements {
            match self.number(element, "0.5") {
                Some(p) if p < 0.0 => {
                    self.report(
                        element.line,
                        &element.path,
                        format!("probability {p} is negative"),
                        "probabilities must be between 0 and 1".into(),
                    );
                    ok = false;
                }
                Some(p) => values.push(p),
                None => ok = false,
            }
        }
        if let Some(expected) = expected
            && elements.len() != expected
        {
            self.report(
                field.line,
                &field.path,
                format!(
                    "{} probabilities for {expected} alternatives",
                    elements.len()
                ),
                "give exactly one probability per alternative, in the same order".into(),
            );
            ok = false;
        }
        if ok {
            let sum: f64 = values.iter().sum();
            if (sum - 1.0).abs() > PROBABILITY_TOLERANCE {
                self.report(
                    field.line,
                    &field.path,
                    format!("the probabilities sum to {sum}, not 1"),
                    if sum > 0.0 {
                        format!("make them sum to 1, e.g. divide each by {sum}")
                    } else {
                        "make them sum to 1".into()
                    },
                );
                ok = false;
            }
        }
        (ok && expected.is_some()).then_some(values)
    }
}

pub(crate) fn list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|item| item.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
