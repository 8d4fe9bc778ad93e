//! `[[noise]]`: error in the data themselves. Each entry perturbs the raw values of some
//! indicators (measurement error) or draws their imputed values (stochastic imputation) in
//! every sample, before the pipeline; each entry is one Sobol factor (or one per indicator).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use toml::de::{DeTable, DeValue};

use super::{KeyDoc, Scenario, Section};
use crate::model::input::suggest;
use crate::model::input::toml::Field;
use crate::model::method::Imputation;
use crate::model::{Framework, Index};
use crate::pipeline::noise::ErrorDistribution;
use crate::scenario::choice::{float, quoted, strings};
use crate::scenario::sections::reader::Reader;
use crate::scenario::sections::validate::Validator;

/// The `[[noise]]` section.
pub(crate) const SECTION: Section = Section {
    name: "noise",
    header: "[[noise]]",
    about: "Error in the data themselves (SMAA-2, Lahdelma & Salminen 2001; OECD/JRC Handbook 2008, \
            step 7): every sample perturbs the raw values of the entry's indicators before the \
            pipeline, so denomination, imputation, treatment and normalisation see perturbed data \
            as they would see revised data; only the perturbed columns are prepared again. \
            `distribution = \"imputation\"` instead draws each missing value around the value the \
            sample's imputation method fills in, with the spread of the observed values of the \
            unit's group (multiple imputation in Monte Carlo form, Rubin 1987). Each entry is one \
            factor; the noise factors together tell data error apart from modelling choices. \
            Values that must stay in a range stay in it by the distribution's choice: \
            `lognormal` stays positive, `range` truncates `normal` or `uniform` to an interval.",
    keys: &[
        KeyDoc {
            key: "indicators",
            meaning: "the indicators with this error: `\"all\"` or a list of indicator codes (iCode); write `indicators` or `parent`",
            default: "required unless `parent` is given",
            values: &[],
        },
        KeyDoc {
            key: "parent",
            meaning: "every indicator under this aggregate (its code)",
            default: "required unless `indicators` is given",
            values: &[],
        },
        KeyDoc {
            key: "distribution",
            meaning: "the error model of a value x with standard deviation s: `normal` x + sZ; `uniform` x + s√3(2U − 1) (uniform on x ± s√3); `lognormal` x·exp(σZ − σ²/2) with σ² = ln(1 + s²/x²) (positive, mean x, sd s; every value must be positive); `imputation` draws missing values instead (see above; no `sd`)",
            default: "`\"normal\"`",
            values: &["normal", "uniform", "lognormal", "imputation"],
        },
        KeyDoc {
            key: "sd",
            meaning: "the standard deviation of the error, ≥ 0: a fraction of each value with `scale = \"relative\"` (0.05 = 5%), in the indicator's own units with `scale = \"absolute\"`",
            default: "required unless `standard_errors` is given",
            values: &[],
        },
        KeyDoc {
            key: "scale",
            meaning: "how `sd` is read",
            default: "`\"relative\"`",
            values: &["relative", "absolute"],
        },
        KeyDoc {
            key: "standard_errors",
            meaning: "a CSV file (path relative to the scenario file) with a `uCode` column and one column of standard errors per indicator, named by its code: each cell's own standard deviation (e.g. survey indicators published with their standard errors); every unit with a value needs one (0 = exact)",
            default: "none",
            values: &[],
        },
        KeyDoc {
            key: "column",
            meaning: "with `standard_errors` and one indicator: the file's column holding its standard errors (e.g. a column of data.csv itself)",
            default: "the indicator's code",
            values: &[],
        },
        KeyDoc {
            key: "range",
            meaning: "`[low, high]`: draws outside are redrawn (the distribution truncated to the range), e.g. `[0, 100]` for a score; every value must lie in it",
            default: "none",
            values: &[],
        },
        KeyDoc {
            key: "grouping",
            meaning: "`entry`: the entry is one factor; `per-indicator`: one factor per indicator",
            default: "`\"entry\"`",
            values: &["entry", "per-indicator"],
        },
        KeyDoc {
            key: "source",
            meaning: "where the error model comes from (a citation, or \"assumption\"); recorded in summary.json",
            default: "none",
            values: &[],
        },
        KeyDoc {
            key: "name",
            meaning: "the factor's name in reports",
            default: "`data error (…)` or `imputation draws (…)`",
            values: &[],
        },
    ],
    example: "[[noise]]\nparent = \"LIV\"\ndistribution = \"normal\"\nsd = 0.05\nscale = \"relative\"\nsource = \"assumption: ±5% for survey scores\"\n",
    factor: Some(|scenario| !scenario.noise.is_empty()),
    factor_names,
    read,
    validate: |validator| validator.noise(),
    write,
};

/// Which indicators an entry perturbs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoiseTarget {
    All,
    Parent(String),
    Indicators(Vec<String>),
}

/// How large the error of each cell is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoiseSpread {
    /// A fraction of each value: s = sd·|x|.
    Relative(f64),
    /// In the indicator's own units.
    Absolute(f64),
    /// Each cell's own standard error, from a CSV file.
    StandardErrors {
        file: String,
        column: Option<String>,
    },
}

/// What an entry draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoiseKind {
    /// Measurement error on the present values.
    Error {
        distribution: ErrorDistribution,
        spread: NoiseSpread,
        range: Option<(f64, f64)>,
    },
    /// Stochastic imputation of the missing values.
    Imputation,
}

/// One `[[noise]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoiseSpec {
    pub name: Option<String>,
    pub target: NoiseTarget,
    pub kind: NoiseKind,
    /// One factor per indicator instead of one for the entry.
    pub per_indicator: bool,
    /// Where the error model comes from.
    pub source: Option<String>,
    /// Line of the entry's header (0 if built in code).
    #[serde(skip)]
    pub line: usize,
}

impl NoiseSpec {
    /// The indicator columns the entry covers (unknown codes skipped: validation reports them).
    pub fn indicators_in(&self, framework: &Framework) -> Vec<usize> {
        let m = framework.n_indicators();
        match &self.target {
            NoiseTarget::All => (0..m).collect(),
            NoiseTarget::Parent(code) => framework
                .find(code)
                .filter(|&n| n >= m)
                .map(|n| framework.indicators_under(n))
                .unwrap_or_default(),
            NoiseTarget::Indicators(codes) => codes
                .iter()
                .filter_map(|c| framework.find(c))
                .filter(|&n| n < m)
                .collect(),
        }
    }

    /// Where the entry's per-cell standard errors are, if it reads them from a file.
    pub(crate) fn error_file(
        &self,
        framework: &Framework,
    ) -> Option<super::noise_errors::ErrorFile<'_>> {
        match &self.kind {
            NoiseKind::Error {
                spread: NoiseSpread::StandardErrors { file, column },
                ..
            } => Some(super::noise_errors::ErrorFile {
                file,
                column: column.as_deref(),
                indicators: self.indicators_in(framework),
                line: self.line,
            }),
            _ => None,
        }
    }

    /// The error model in words, for factor descriptions and reports.
    pub fn describe(&self) -> String {
        match &self.kind {
            NoiseKind::Imputation => {
                "missing values drawn around the imputed value (group spread × √(1 + 1/n))".into()
            }
            NoiseKind::Error {
                distribution,
                spread,
                range,
            } => {
                let size = match spread {
                    NoiseSpread::Relative(sd) => format!("sd {}% of each value", sd * 100.0),
                    NoiseSpread::Absolute(sd) => format!("sd {sd} in the indicator's units"),
                    NoiseSpread::StandardErrors { file, .. } => {
                        format!("each value's standard error from {file}")
                    }
                };
                let range = match range {
                    Some((lo, hi)) => format!(", truncated to [{lo}, {hi}]"),
                    None => String::new(),
                };
                format!("{distribution} error, {size}{range}")
            }
        }
    }

    /// The default factor name: what is perturbed, and where.
    pub fn default_name(&self) -> String {
        let what = match self.kind {
            NoiseKind::Error { .. } => "data error",
            NoiseKind::Imputation => "imputation draws",
        };
        match &self.target {
            NoiseTarget::All => format!("{what} (all indicators)"),
            NoiseTarget::Parent(code) => format!("{what} ({code})"),
            NoiseTarget::Indicators(codes) if codes.len() <= 3 => {
                format!("{what} ({})", codes.join(", "))
            }
            NoiseTarget::Indicators(codes) => {
                format!("{what} ({}, … {} indicators)", codes[0], codes.len())
            }
        }
    }
}

fn read(reader: &mut Reader<'_>, root: &DeTable<'_>, scenario: &mut Scenario) {
    if let Some(field) = reader.field(root, "", "noise") {
        let entries = reader.table_entries(&field, "[[noise]]");
        for (entry, table) in entries {
            if let Some(spec) = reader.noise_entry(&entry, table) {
                scenario.noise.push(spec);
            }
        }
    }
}

fn factor_names(scenario: &Scenario) -> Vec<(Option<&str>, usize)> {
    scenario
        .noise
        .iter()
        .map(|n| (n.name.as_deref(), n.line))
        .collect()
}

impl Reader<'_> {
    /// One of `allowed` words (the TOML reader's choice; `Reader::choice` reads method lists).
    fn word<T>(
        &mut self,
        field: &Field<'_, '_>,
        what: &str,
        allowed: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        crate::model::input::toml::TomlReader::choice(self, field, what, allowed, parse)
    }

    fn noise_entry(&mut self, entry: &Field<'_, '_>, table: &DeTable<'_>) -> Option<NoiseSpec> {
        let path = entry.path.clone();
        self.check_keys(table, &path, &SECTION.key_names(), |_| None);
        let indicators = self.field(table, &path, "indicators");
        let parent = self.field(table, &path, "parent");
        let target = match (indicators, parent) {
            (Some(_), Some(_)) => {
                self.report(
                    entry.line,
                    &path,
                    "this [[noise]] entry sets both `indicators` and `parent`".into(),
                    "keep one: `indicators = [\"LIV_EIU\"]` (or \"all\") or `parent = \"LIV\"`"
                        .into(),
                );
                None
            }
            (None, None) => {
                self.report(
                    entry.line,
                    &path,
                    "this [[noise]] entry says neither `indicators` nor `parent`".into(),
                    "add `indicators = \"all\"`, `indicators = [\"LIV_EIU\"]` or `parent = \"LIV\"`"
                        .into(),
                );
                None
            }
            (Some(field), None) => self.noise_indicators(&field),
            (None, Some(field)) => match self.string(&field, "parent = \"LIV\"") {
                Some(code) if code.trim().is_empty() => {
                    self.report(
                        field.line,
                        &field.path,
                        "`parent` is empty".into(),
                        "write an aggregate's code, e.g. `parent = \"LIV\"`".into(),
                    );
                    None
                }
                Some(code) => Some(NoiseTarget::Parent(code)),
                None => None,
            },
        };
        let distribution_field = self.field(table, &path, "distribution");
        let distribution = match &distribution_field {
            None => Some(Some(ErrorDistribution::Normal)),
            Some(field) => {
                let mut allowed = ErrorDistribution::SPELLINGS.to_vec();
                allowed.push("imputation");
                self.word(field, "distribution", &allowed, |text| match text {
                    "imputation" => Some(None),
                    other => ErrorDistribution::parse(other).map(Some),
                })
            }
        };
        let sd = self.field(table, &path, "sd");
        let scale = self.field(table, &path, "scale");
        let errors = self.field(table, &path, "standard_errors");
        let column = self.field(table, &path, "column");
        let range_field = self.field(table, &path, "range");
        let kind = match distribution? {
            None => {
                for field in [&sd, &scale, &errors, &column, &range_field]
                    .into_iter()
                    .flatten()
                {
                    self.report(
                        field.line,
                        &field.path,
                        format!(
                            "`{}` does not apply to distribution = \"imputation\", which draws \
                             missing values with the spread of the observed ones",
                            field.path.rsplit('.').next().unwrap_or("")
                        ),
                        "remove it, or make a separate [[noise]] entry for measurement error"
                            .into(),
                    );
                }
                Some(NoiseKind::Imputation)
            }
            Some(distribution) => {
                let spread = self.noise_spread(entry, &sd, &scale, &errors, &column);
                let range = match &range_field {
                    None => Some(None),
                    Some(field) => self.noise_range(field).map(Some),
                };
                Some(NoiseKind::Error {
                    distribution,
                    spread: spread?,
                    range: range?,
                })
            }
        };
        let per_indicator = match self.field(table, &path, "grouping") {
            None => Some(false),
            Some(field) => {
                self.word(
                    &field,
                    "grouping",
                    &["entry", "per-indicator"],
                    |text| match text {
                        "entry" => Some(false),
                        "per-indicator" => Some(true),
                        _ => None,
                    },
                )
            }
        };
        let source = match self.field(table, &path, "source") {
            None => Some(None),
            Some(field) => self.string(&field, "source = \"assumption\"").map(Some),
        };
        let name = self.factor_name(table, &path);
        let (target, kind) = (target?, kind?);
        if let (
            NoiseKind::Error {
                spread:
                    NoiseSpread::StandardErrors {
                        column: Some(_), ..
                    },
                ..
            },
            Some(field),
        ) = (&kind, &column)
            && !matches!(&target, NoiseTarget::Indicators(codes) if codes.len() == 1)
        {
            self.report(
                field.line,
                &field.path,
                "`column` names one column of standard errors, but the entry covers several indicators"
                    .into(),
                "list one indicator (`indicators = [\"LIV_EIU\"]`), or remove `column` and name the file's columns by indicator code"
                    .into(),
            );
            return None;
        }
        Some(NoiseSpec {
            name: name?,
            target,
            kind,
            per_indicator: per_indicator?,
            source: source?,
            line: entry.line,
        })
    }

    fn noise_indicators(&mut self, field: &Field<'_, '_>) -> Option<NoiseTarget> {
        let example = "indicators = [\"LIV_EIU\", \"LIV_PM25\"]";
        match field.value.get_ref() {
            DeValue::String(text) if text.as_ref() == "all" => Some(NoiseTarget::All),
            DeValue::String(text) => {
                self.report(
                    field.line,
                    &field.path,
                    format!("`indicators = \"{text}\"`: the only word allowed here is \"all\""),
                    format!("write `indicators = \"all\"` or a list: `indicators = [\"{text}\"]`"),
                );
                None
            }
            DeValue::Array(array) if array.is_empty() => {
                self.report(
                    field.line,
                    &field.path,
                    "`indicators` is an empty list".into(),
                    format!("list indicator codes, e.g. `{example}`, or remove the entry"),
                );
                None
            }
            DeValue::Array(array) => {
                self.indicator_codes(field, array).map(NoiseTarget::Indicators)
            }
            _ => {
                self.wrong_type(field, "\"all\" or a list of indicator codes", example);
                None
            }
        }
    }

    fn noise_spread(
        &mut self,
        entry: &Field<'_, '_>,
        sd: &Option<Field<'_, '_>>,
        scale: &Option<Field<'_, '_>>,
        errors: &Option<Field<'_, '_>>,
        column: &Option<Field<'_, '_>>,
    ) -> Option<NoiseSpread> {
        match (sd, errors) {
            (Some(_), Some(errors)) => {
                self.report(
                    errors.line,
                    &errors.path,
                    "this [[noise]] entry sets both `sd` and `standard_errors`".into(),
                    "keep one: `sd` for one error size, `standard_errors` for each value's own"
                        .into(),
                );
                None
            }
            (None, None) => {
                self.report(
                    entry.line,
                    &entry.path,
                    "this [[noise]] entry gives no error size".into(),
                    "add `sd = 0.05` (5% of each value) or `standard_errors = \"se.csv\"`".into(),
                );
                None
            }
            (Some(field), None) => {
                if let Some(column) = column {
                    self.report(
                        column.line,
                        &column.path,
                        "`column` applies to `standard_errors`, not to `sd`".into(),
                        "remove `column`, or read the errors from a file with `standard_errors`"
                            .into(),
                    );
                    return None;
                }
                let value = self.number(field, "sd = 0.05")?;
                if !(value >= 0.0 && value.is_finite()) {
                    self.report(
                        field.line,
                        &field.path,
                        format!("`sd` = {value} is negative"),
                        "a standard deviation is ≥ 0: write e.g. `sd = 0.05` (0 = no error)".into(),
                    );
                    return None;
                }
                let relative = match scale {
                    None => Some(true),
                    Some(scale) => {
                        self.word(scale, "scale", &["relative", "absolute"], |t| match t {
                            "relative" => Some(true),
                            "absolute" => Some(false),
                            _ => None,
                        })
                    }
                }?;
                Some(if relative {
                    NoiseSpread::Relative(value)
                } else {
                    NoiseSpread::Absolute(value)
                })
            }
            (None, Some(field)) => {
                if let Some(scale) = scale {
                    self.report(
                        scale.line,
                        &scale.path,
                        "`scale` applies to `sd`; standard errors are in the indicator's units"
                            .into(),
                        "remove `scale`".into(),
                    );
                    return None;
                }
                let file = self.string(field, "standard_errors = \"se.csv\"")?;
                let column = match column {
                    None => None,
                    Some(c) => Some(self.string(c, "column = \"LIV_EIU_SE\"")?),
                };
                Some(NoiseSpread::StandardErrors { file, column })
            }
        }
    }

    fn noise_range(&mut self, field: &Field<'_, '_>) -> Option<(f64, f64)> {
        let example = "range = [0, 100]";
        let array = self.array(field, example)?;
        if array.len() != 2 {
            self.report(
                field.line,
                &field.path,
                format!("`range` has {} entries; it is [low, high]", array.len()),
                format!("write e.g. `{example}`"),
            );
            return None;
        }
        let elements = self.elements(field, array);
        let low = self.number(&elements[0], example)?;
        let high = self.number(&elements[1], example)?;
        if low >= high {
            self.report(
                field.line,
                &field.path,
                format!("`range = [{low}, {high}]` is empty or reversed"),
                format!("write the lower bound first, below the upper: e.g. `{example}`"),
            );
            return None;
        }
        Some((low, high))
    }
}

impl Validator<'_> {
    pub(crate) fn noise(&mut self) {
        let scenario = self.scenario;
        let framework = self.framework;
        let m = framework.n_indicators();
        let mut perturbed: Vec<Option<usize>> = vec![None; m];
        let mut drawn: Vec<Option<usize>> = vec![None; m];
        for (e, spec) in scenario.noise.iter().enumerate() {
            let entry = format!("noise[{}]", e + 1);
            self.noise_target(spec, &entry);
            let columns = spec.indicators_in(framework);
            let (seen, what) = match spec.kind {
                NoiseKind::Error { .. } => (&mut perturbed, "a measurement error"),
                NoiseKind::Imputation => (&mut drawn, "stochastic imputation"),
            };
            let mut twice = Vec::new();
            for &j in &columns {
                match seen[j] {
                    Some(first) => twice.push((j, first)),
                    None => seen[j] = Some(e),
                }
            }
            if let Some(&(j, first)) = twice.first() {
                let code = framework.nodes[j].code.clone();
                self.report(
                    self.at(&entry, spec.line),
                    format!(
                        "`{code}` already has {what} from [[noise]] entry {}",
                        first + 1
                    ),
                    "give every indicator at most one error entry of each kind".into(),
                );
            }
            match &spec.kind {
                NoiseKind::Imputation => self.noise_imputation(spec, &entry),
                NoiseKind::Error {
                    distribution,
                    range,
                    ..
                } => {
                    self.noise_values(spec, &entry, &columns, *distribution, *range);
                    if let Some(source) = spec.error_file(framework)
                        && let Err(diagnostic) = super::noise_errors::standard_errors(
                            scenario, &source, &entry, self.index,
                        )
                    {
                        self.diagnostics.push(*diagnostic);
                    }
                }
            }
        }
    }

    fn noise_target(&mut self, spec: &NoiseSpec, entry: &str) {
        let framework = self.framework;
        let m = framework.n_indicators();
        let unknown = |validator: &Self, code: &str, candidates: Vec<usize>| {
            let names = candidates.into_iter().map(|n| validator.code(n));
            match suggest::nearest(code, names) {
                Some(s) => suggest::did_you_mean(s),
                None => "use codes (iCode) of meta.csv".to_string(),
            }
        };
        match &spec.target {
            NoiseTarget::All => {}
            NoiseTarget::Parent(code) => match framework.find(code) {
                Some(node) if node >= m => {}
                Some(_) => self.report(
                    self.at(&format!("{entry}.parent"), spec.line),
                    format!("`{code}` is an indicator, not an aggregate"),
                    format!("write `indicators = [\"{code}\"]` for one indicator"),
                ),
                None => {
                    let fix = unknown(self, code, (m..framework.n_nodes()).collect());
                    self.report(
                        self.at(&format!("{entry}.parent"), spec.line),
                        format!("no aggregate `{code}` in the index"),
                        fix,
                    );
                }
            },
            NoiseTarget::Indicators(codes) => {
                for (k, code) in codes.iter().enumerate() {
                    let path = format!("{entry}.indicators[{}]", k + 1);
                    match framework.find(code) {
                        Some(node) if node < m => {}
                        Some(_) => self.report(
                            self.at(&path, spec.line),
                            format!("`{code}` is an aggregate, not an indicator"),
                            format!("write `parent = \"{code}\"` for every indicator under it"),
                        ),
                        None => {
                            let fix = unknown(self, code, (0..m).collect());
                            self.report(
                                self.at(&path, spec.line),
                                format!("no indicator `{code}` in the index"),
                                fix,
                            );
                        }
                    }
                }
            }
        }
    }

    /// A log-normal needs positive values and a range must hold the data it truncates.
    fn noise_values(
        &mut self,
        spec: &NoiseSpec,
        entry: &str,
        columns: &[usize],
        distribution: ErrorDistribution,
        range: Option<(f64, f64)>,
    ) {
        let index: &Index = self.index;
        for &j in columns {
            let code = self.code(j).to_string();
            let values = index.raw.col(j);
            if distribution == ErrorDistribution::LogNormal
                && let Some((u, &x)) = values
                    .iter()
                    .enumerate()
                    .find(|(_, x)| !x.is_nan() && **x <= 0.0)
            {
                self.report(
                    self.at(&format!("{entry}.distribution"), spec.line),
                    format!(
                        "a log-normal error needs positive values, but `{code}` is {x} for `{}`",
                        index.units[u].code
                    ),
                    format!(
                        "use `distribution = \"normal\"` with `range = [0, …]` for `{code}`, or \
                         leave it out of this entry"
                    ),
                );
                return;
            }
            if let Some((lo, hi)) = range
                && let Some((u, &x)) = values
                    .iter()
                    .enumerate()
                    .find(|(_, x)| !x.is_nan() && !(lo..=hi).contains(*x))
            {
                self.report(
                    self.at(&format!("{entry}.range"), spec.line),
                    format!(
                        "`{code}` is {x} for `{}`, outside `range = [{lo}, {hi}]`",
                        index.units[u].code
                    ),
                    "widen the range to hold every value, or leave the indicator out of this entry"
                        .into(),
                );
                return;
            }
        }
    }

    /// Stochastic imputation perturbs an imputed value, so some imputation must fill one.
    fn noise_imputation(&mut self, spec: &NoiseSpec, entry: &str) {
        let nominal = &self.index.nominal.imputation;
        let offered = self
            .scenario
            .imputation
            .as_ref()
            .is_some_and(|c| c.alternatives.iter().any(|a| *a != Imputation::None));
        if *nominal == Imputation::None && !offered {
            self.report(
                self.at(&format!("{entry}.distribution"), spec.line),
                "distribution = \"imputation\" draws imputed values, but no imputation fills any \
                 (index.toml's imputation is none and the scenario offers no other)"
                    .into(),
                "add an [imputation] section with e.g. `alternatives = [\"mean\", \"median\"]`, or \
                 set `imputation` in index.toml"
                    .into(),
            );
        }
    }
}

fn write(scenario: &Scenario, out: &mut String) {
    for spec in &scenario.noise {
        out.push_str("\n[[noise]]\n");
        if let Some(name) = &spec.name {
            let _ = writeln!(out, "name = {}", quoted(name));
        }
        match &spec.target {
            NoiseTarget::All => out.push_str("indicators = \"all\"\n"),
            NoiseTarget::Parent(code) => {
                let _ = writeln!(out, "parent = {}", quoted(code));
            }
            NoiseTarget::Indicators(codes) => {
                let _ = writeln!(out, "indicators = {}", strings(codes.clone()));
            }
        }
        match &spec.kind {
            NoiseKind::Imputation => out.push_str("distribution = \"imputation\"\n"),
            NoiseKind::Error {
                distribution,
                spread,
                range,
            } => {
                let _ = writeln!(out, "distribution = \"{distribution}\"");
                match spread {
                    NoiseSpread::Relative(sd) => {
                        let _ = writeln!(out, "sd = {}\nscale = \"relative\"", float(*sd));
                    }
                    NoiseSpread::Absolute(sd) => {
                        let _ = writeln!(out, "sd = {}\nscale = \"absolute\"", float(*sd));
                    }
                    NoiseSpread::StandardErrors { file, column } => {
                        let _ = writeln!(out, "standard_errors = {}", quoted(file));
                        if let Some(column) = column {
                            let _ = writeln!(out, "column = {}", quoted(column));
                        }
                    }
                }
                if let Some((lo, hi)) = range {
                    let _ = writeln!(out, "range = [{}, {}]", float(*lo), float(*hi));
                }
            }
        }
        if spec.per_indicator {
            out.push_str("grouping = \"per-indicator\"\n");
        }
        if let Some(source) = &spec.source {
            let _ = writeln!(out, "source = {}", quoted(source));
        }
    }
}
