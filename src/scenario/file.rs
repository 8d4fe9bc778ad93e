//! The scenario file (`scenarios/*.toml`): which modelling choices are uncertain, parsed into typed specs, checked with line numbers and fixes, and validated against an index.
//!
//! A scenario names the uncertain inputs of a composite indicator, each one a *factor* of the
//! uncertainty and sensitivity analysis (Saisana, Saltelli & Tarantola 2005): weights, the
//! normalisation, the aggregation of each level, the imputation, the Winsorisation limit and the
//! indicator set. Every factor has a nominal value, so switching it off is well defined.
//!
//! Checking happens in two steps, and each reports *all* problems it finds, each with file, line,
//! key and the fix:
//! 1. [`Scenario::from_toml_str`] checks the file on its own: TOML syntax, unknown keys (with the
//!    nearest valid key), types, ranges, method spellings, probabilities.
//! 2. [`Scenario::validate`] checks it against an [`Index`]: codes, levels, the focus unit, and
//!    method combinations that cannot run (a geometric mean fed zeros or negative values).
//!
//! Example (every key is optional; see `scenarios/ieci-full.toml` for a commented file):
//! ```toml
//! samples = 10000
//! seed = 20230208
//! focus = "BEJ"
//! top_k = 10
//!
//! [[weights]]
//! level = 2
//! mode = "uniform"
//! spread = 0.25
//! grouping = "per-level"
//!
//! [normalisation]
//! alternatives = ["minmax(1,100)", "rank"]
//!
//! [[aggregation]]
//! alternatives = ["arithmetic", "geometric"]
//!
//! [exclusion]
//! indicators = "all"
//! ```

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use toml::de::{DeArray, DeTable, DeValue};

use crate::engine::accumulate::MAX_SAMPLES;
use crate::model::input::suggest;
use crate::model::input::toml::{Field, TomlReader};
use crate::model::method::{
    Aggregation, Imputation, IndicatorMetadata, MethodParseError, Normalisation, Treatment,
};
use crate::model::{Diagnostic, Framework, Index, Location};

/// Probabilities of a choice must sum to 1 within this tolerance.
pub const PROBABILITY_TOLERANCE: f64 = 1e-9;

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/// A parsed scenario: the uncertain choices and the run defaults.
///
/// `line` fields and [`Scenario::key_lines`] record where things were written, for messages;
/// they are 0 / empty for scenarios built in code and are not serialised.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Scenario {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Default number of samples for a run.
    pub samples: Option<u64>,
    /// Default seed for a run.
    pub seed: Option<u64>,
    /// Default focus unit (uCode or name).
    pub focus: Option<String>,
    /// Default k of the `rank ≤ k` target.
    pub top_k: Option<usize>,
    /// Weight factors, in file order.
    pub weights: Vec<WeightSpec>,
    pub normalisation: Option<Choice<Normalisation>>,
    /// Aggregation factors; no two cover the same level.
    pub aggregation: Vec<AggregationSpec>,
    pub imputation: Option<Choice<Imputation>>,
    pub treatment: Option<TreatmentSpec>,
    pub exclusion: Option<ExclusionSpec>,
    /// `[verdict]`: the rating rule's thresholds.
    pub verdict: Option<VerdictSpec>,
    /// The file the scenario was read from (as given), or a label such as `built-in`.
    pub source: String,
    /// Line of every key and array element read, by path: `focus`, `weights[2].spread`,
    /// `normalisation.alternatives[1]`, `exclusion.indicators[3]` (entries count from 1).
    #[serde(skip)]
    pub key_lines: BTreeMap<String, usize>,
}

/// `[verdict]`: the thresholds of the rating rule (analysis::rating): robust when the 90% rank
/// interval lies within ±`robust_within` places of the nominal rank, moderately robust within
/// ±`moderately_within`. A key left out takes the default, which scales with the number of
/// units. Not a factor: it changes how results are read, not what is sampled.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VerdictSpec {
    pub robust_within: Option<u32>,
    pub moderately_within: Option<u32>,
}

/// One discrete uncertain choice: the alternatives a sample picks from, with their
/// probabilities, and the nominal value used when the factor is switched off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice<T> {
    /// Factor name for reports; `None` lets the factor builder name it.
    pub name: Option<String>,
    /// `None`: the index's nominal method.
    pub nominal: Option<T>,
    /// Non-empty, no duplicates.
    pub alternatives: Vec<T>,
    /// One per alternative, each ≥ 0, summing to 1; equal when the file gives none.
    pub probabilities: Vec<f64>,
    /// Line of the table header (0 if built in code).
    #[serde(skip)]
    pub line: usize,
}

impl<T> Choice<T> {
    /// Alternatives with equal probabilities and the index's nominal.
    pub fn equally_likely(alternatives: Vec<T>) -> Self {
        let probabilities = vec![1.0 / alternatives.len() as f64; alternatives.len()];
        Choice {
            name: None,
            nominal: None,
            alternatives,
            probabilities,
            line: 0,
        }
    }
}

/// Which weights a `[[weights]]` entry varies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightTarget {
    /// The weights of every node of this level, each renormalised within its parent
    /// (1 = indicators; the top level has no siblings, so 1..=n_levels−1).
    Level(usize),
    /// The weights of this aggregate's children.
    Parent(String),
}

impl fmt::Display for WeightTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeightTarget::Level(level) => write!(f, "level {level}"),
            WeightTarget::Parent(code) => write!(f, "children of {code}"),
        }
    }
}

/// How the weights of one parent's children are sampled. With nominal weights `w_c`
/// normalised within the parent (`Σ w_c = 1`):
/// - `Uniform { spread }`: `w_c · U(1 − spread, 1 + spread)`, independently per weight, then
///   renormalised within the parent (COINr `get_noisy_weights`, Becker et al. 2022).
/// - `Dirichlet { concentration }`: `Dirichlet(concentration · w_c)`; the mean is the nominal
///   vector and larger concentrations stay closer to it.
/// - `Simplex`: uniform on the simplex (`Dirichlet(1, …, 1)`), the "no preference" weight space
///   of SMAA (Lahdelma & Salminen 2001).
/// - `Fixed`: the nominal weights, always.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum WeightMode {
    Uniform { spread: f64 },
    Dirichlet { concentration: f64 },
    Simplex,
    Fixed,
}

impl WeightMode {
    /// The spellings of `mode`.
    pub const SPELLINGS: &'static [&'static str] = &["uniform", "dirichlet", "simplex", "fixed"];

    /// Whether sampled weights can differ from the nominal ones.
    pub fn varies(&self) -> bool {
        !matches!(self, WeightMode::Fixed)
    }
}

impl fmt::Display for WeightMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeightMode::Uniform { spread } => write!(f, "uniform ±{}%", spread * 100.0),
            WeightMode::Dirichlet { concentration } => write!(f, "dirichlet({concentration})"),
            WeightMode::Simplex => f.write_str("simplex"),
            WeightMode::Fixed => f.write_str("fixed"),
        }
    }
}

/// How a `[[weights]]` entry splits into Sobol factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grouping {
    /// One factor per parent whose children's weights vary.
    PerParent,
    /// One factor for the whole entry.
    PerLevel,
    /// One factor shared by every entry with grouping `all` (COINr's single "Weights" input).
    All,
}

impl Grouping {
    /// The spellings of `grouping`.
    pub const SPELLINGS: &'static [&'static str] = &["per-parent", "per-level", "all"];
}

impl FromStr for Grouping {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "per-parent" => Ok(Grouping::PerParent),
            "per-level" => Ok(Grouping::PerLevel),
            "all" => Ok(Grouping::All),
            other => Err(format!("unknown grouping `{other}`")),
        }
    }
}

impl fmt::Display for Grouping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Grouping::PerParent => "per-parent",
            Grouping::PerLevel => "per-level",
            Grouping::All => "all",
        })
    }
}

/// One `[[weights]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightSpec {
    #[serde(flatten)]
    pub target: WeightTarget,
    #[serde(flatten)]
    pub mode: WeightMode,
    /// Defaults to `per-level` for a level target and `per-parent` for a parent target (the
    /// two are the same for a single parent).
    pub grouping: Grouping,
    /// Factor name for reports; `None` lets the factor builder name it.
    pub name: Option<String>,
    /// Line of the `[[weights]]` header (0 if built in code).
    #[serde(skip)]
    pub line: usize,
}

impl WeightSpec {
    /// The parents (node indices, storage order) whose children's weights this entry varies.
    /// Empty when the target does not exist in `framework` (see [`Scenario::validate`]).
    pub fn parents(&self, framework: &Framework) -> Vec<usize> {
        match &self.target {
            WeightTarget::Level(level) => {
                let mut parents: Vec<usize> = framework
                    .level_nodes(*level)
                    .into_iter()
                    .filter_map(|node| framework.nodes[node].parent)
                    .collect();
                parents.sort_unstable();
                parents.dedup();
                parents
            }
            WeightTarget::Parent(code) => framework
                .find(code)
                .filter(|&node| !framework.nodes[node].children.is_empty())
                .into_iter()
                .collect(),
        }
    }
}

/// One `[[aggregation]]` entry: the same sampled choice applies to all its levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AggregationSpec {
    /// Aggregate levels (2..=n_levels) this choice applies to; `None` = all of them.
    pub levels: Option<Vec<usize>>,
    #[serde(flatten)]
    pub choice: Choice<Aggregation>,
}

impl AggregationSpec {
    /// The levels covered, given the number of levels of the index.
    pub fn levels_in(&self, n_levels: usize) -> Vec<usize> {
        match &self.levels {
            Some(levels) => levels.clone(),
            None => (2..=n_levels).collect(),
        }
    }
}

/// `[treatment]`: the Winsorisation limit varies over an inclusive integer range, every value
/// equally likely; the skewness and kurtosis thresholds are fixed (see [`Treatment`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreatmentSpec {
    /// Factor name for reports; `None` lets the factor builder name it.
    pub name: Option<String>,
    /// Smallest Winsorisation limit, ≤ `winmax_max`.
    pub winmax_min: usize,
    pub winmax_max: usize,
    /// `None`: the index's nominal treatment.
    pub nominal: Option<usize>,
    pub skew_limit: f64,
    pub kurtosis_limit: f64,
    /// Line of the `[treatment]` header (0 if built in code).
    #[serde(skip)]
    pub line: usize,
}

impl TreatmentSpec {
    /// The treatments a sample picks from, ascending `winmax`.
    pub fn alternatives(&self) -> Vec<Treatment> {
        (self.winmax_min..=self.winmax_max)
            .map(|winmax| self.with_winmax(winmax))
            .collect()
    }

    /// The nominal treatment, if the scenario sets one.
    pub fn nominal_treatment(&self) -> Option<Treatment> {
        self.nominal.map(|winmax| self.with_winmax(winmax))
    }

    fn with_winmax(&self, winmax: usize) -> Treatment {
        Treatment {
            winmax,
            skew_limit: self.skew_limit,
            kurtosis_limit: self.kurtosis_limit,
        }
    }
}

/// Which indicators `[exclusion]` may leave out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExclusionSet {
    /// Every indicator of the index.
    All,
    /// These indicator codes, in file order.
    Codes(Vec<String>),
}

impl Serialize for ExclusionSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ExclusionSet::All => serializer.serialize_str("all"),
            ExclusionSet::Codes(codes) => codes.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ExclusionSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            List(Vec<String>),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Text(text) if text == "all" => Ok(ExclusionSet::All),
            Raw::Text(text) => Err(serde::de::Error::custom(format!(
                "indicators must be \"all\" or a list of codes, not \"{text}\""
            ))),
            Raw::List(codes) => Ok(ExclusionSet::Codes(codes)),
        }
    }
}

/// `[exclusion]`: each sample leaves out one indicator (its weight set to zero) or none; every
/// alternative is equally likely. Nominal: nothing excluded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExclusionSpec {
    /// Factor name for reports; `None` lets the factor builder name it.
    pub name: Option<String>,
    pub indicators: ExclusionSet,
    /// Whether "none excluded" is one of the alternatives.
    pub include_none: bool,
    /// Line of the `[exclusion]` header (0 if built in code).
    #[serde(skip)]
    pub line: usize,
}

impl ExclusionSpec {
    /// The indicators (node indices) that may be left out; unknown codes are skipped (they are
    /// reported by [`Scenario::validate`]).
    pub fn indicators_in(&self, framework: &Framework) -> Vec<usize> {
        match &self.indicators {
            ExclusionSet::All => (0..framework.n_indicators()).collect(),
            ExclusionSet::Codes(codes) => codes
                .iter()
                .filter_map(|code| framework.find(code))
                .filter(|&node| node < framework.n_indicators())
                .collect(),
        }
    }

    /// The alternatives a sample picks from, equally likely: `None` (nothing excluded, first,
    /// if `include_none`) and then one indicator node index each.
    pub fn alternatives(&self, framework: &Framework) -> Vec<Option<usize>> {
        let none = self.include_none.then_some(None);
        none.into_iter()
            .chain(self.indicators_in(framework).into_iter().map(Some))
            .collect()
    }
}

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

fn render(diagnostics: &[Diagnostic]) -> String {
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
fn into_result(mut diagnostics: Vec<Diagnostic>) -> Result<(), ScenarioError> {
    if diagnostics.is_empty() {
        return Ok(());
    }
    diagnostics.sort_by_key(|d| d.location.line.unwrap_or(usize::MAX));
    Err(ScenarioError::Invalid { diagnostics })
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

pub(crate) const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "samples",
    "seed",
    "focus",
    "top_k",
    "verdict",
    "weights",
    "normalisation",
    "aggregation",
    "imputation",
    "treatment",
    "exclusion",
];
pub(crate) const WEIGHT_KEYS: &[&str] = &[
    "level",
    "parent",
    "mode",
    "spread",
    "concentration",
    "grouping",
    "name",
];
pub(crate) const CHOICE_KEYS: &[&str] = &["nominal", "alternatives", "probabilities", "name"];
pub(crate) const AGGREGATION_KEYS: &[&str] =
    &["levels", "nominal", "alternatives", "probabilities", "name"];
pub(crate) const TREATMENT_KEYS: &[&str] =
    &["winmax", "nominal", "skew_limit", "kurtosis_limit", "name"];
pub(crate) const EXCLUSION_KEYS: &[&str] = &["indicators", "include_none", "name"];
pub(crate) const VERDICT_KEYS: &[&str] = &["robust_within", "moderately_within"];

impl Scenario {
    /// Parses and checks a scenario file's text; `file_name` is used in messages and kept as
    /// [`Scenario::source`]. Reports every problem found, not only the first.
    pub fn from_toml_str(text: &str, file_name: &str) -> Result<Scenario, ScenarioError> {
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

    /// Reads and parses a scenario file; see [`Scenario::from_toml_str`].
    pub fn from_file(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = read_text(path)?;
        Scenario::from_toml_str(&text, &path.display().to_string())
    }

    /// Whether any section makes a factor (an uncertain choice a run samples).
    pub fn has_factor(&self) -> bool {
        !self.weights.is_empty()
            || self.normalisation.is_some()
            || !self.aggregation.is_empty()
            || self.imputation.is_some()
            || self.treatment.is_some()
            || self.exclusion.is_some()
    }

    /// The line a key or array element was written on (see [`Scenario::key_lines`]).
    pub fn line_of(&self, path: &str) -> Option<usize> {
        self.key_lines.get(path).copied()
    }

    /// The aggregation entry covering `level`, if any.
    pub fn aggregation_for_level(&self, level: usize) -> Option<&AggregationSpec> {
        self.aggregation.iter().find(|spec| match &spec.levels {
            Some(levels) => levels.contains(&level),
            None => true,
        })
    }
}

/// The scenario's reader: the shared spanned TOML reader plus the scenario's sections (below).
struct Reader<'s>(TomlReader<'s>);

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

fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

impl Reader<'_> {
    fn scenario(&mut self, root: &DeTable<'_>) -> Scenario {
        self.check_keys(root, "", TOP_KEYS, |_| None);
        let mut scenario = Scenario::default();
        if let Some(field) = self.field(root, "", "name") {
            scenario.name = self.string(&field, "name = \"IECI full\"");
        }
        if let Some(field) = self.field(root, "", "description") {
            scenario.description = self.string(&field, "description = \"…\"");
        }
        if let Some(field) = self.field(root, "", "samples") {
            scenario.samples = self.count(&field, 1, "samples = 10000");
            if let Some(samples) = scenario.samples
                && samples > MAX_SAMPLES
            {
                self.report(
                    field.line,
                    &field.path,
                    format!("`samples` = {samples} is above the most a run can count, {MAX_SAMPLES} (2^40)"),
                    "write e.g. `samples = 10000`; a probability's standard error is at most 0.5/√samples".into(),
                );
                scenario.samples = None;
            }
        }
        if let Some(field) = self.field(root, "", "seed") {
            scenario.seed = self.count(&field, 0, "seed = 20230208");
        }
        if let Some(field) = self.field(root, "", "focus") {
            scenario.focus = self.string(&field, "focus = \"BEJ\"");
            if scenario.focus.as_deref() == Some("") {
                self.report(
                    field.line,
                    &field.path,
                    "`focus` is empty".into(),
                    "write a unit code, e.g. `focus = \"BEJ\"`, or remove the key".into(),
                );
                scenario.focus = None;
            }
        }
        if let Some(field) = self.field(root, "", "top_k") {
            scenario.top_k = self.count(&field, 1, "top_k = 10").map(|k| k as usize);
        }
        if let Some(field) = self.field(root, "", "weights") {
            scenario.weights = self.weights(&field);
        }
        if let Some(field) = self.field(root, "", "normalisation")
            && let Some(table) = self.table(&field, "[normalisation]")
        {
            self.check_keys(table, "normalisation", CHOICE_KEYS, |_| None);
            scenario.normalisation = self.choice::<Normalisation>(
                table,
                &field,
                "normalisation",
                Normalisation::SPELLINGS,
                "alternatives = [\"minmax(1,100)\", \"rank\"]",
            );
        }
        if let Some(field) = self.field(root, "", "aggregation") {
            scenario.aggregation = self.aggregations(&field);
        }
        if let Some(field) = self.field(root, "", "imputation")
            && let Some(table) = self.table(&field, "[imputation]")
        {
            self.check_keys(table, "imputation", CHOICE_KEYS, |_| None);
            scenario.imputation = self.choice::<Imputation>(
                table,
                &field,
                "imputation",
                Imputation::SPELLINGS,
                "alternatives = [\"none\", \"mean\"]",
            );
        }
        if let Some(field) = self.field(root, "", "treatment")
            && let Some(table) = self.table(&field, "[treatment]")
        {
            scenario.treatment = self.treatment(table, &field);
        }
        if let Some(field) = self.field(root, "", "exclusion")
            && let Some(table) = self.table(&field, "[exclusion]")
        {
            scenario.exclusion = self.exclusion(table, &field);
        }
        if let Some(field) = self.field(root, "", "verdict")
            && let Some(table) = self.table(&field, "[verdict]")
        {
            scenario.verdict = Some(self.verdict(table));
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
                "add at least one section: [[weights]], [normalisation], [[aggregation]], [imputation], [treatment] or [exclusion] (scenarios/ieci-full.toml in the ranksense sources shows each)".into(),
            );
        }
        scenario
    }

    /// `[verdict]`: two place counts, the second at least the first.
    fn verdict(&mut self, table: &DeTable<'_>) -> VerdictSpec {
        self.check_keys(table, "verdict", VERDICT_KEYS, |_| None);
        let places = |reader: &mut Self, key: &str, example: &str| {
            let field = reader.field(table, "verdict", key)?;
            let value = reader.count(&field, 0, example)?;
            match u32::try_from(value) {
                Ok(value) => Some((value, field.line, field.path)),
                Err(_) => {
                    reader.report(
                        field.line,
                        &field.path,
                        format!(
                            "`{}` = {value} is more places than any index has",
                            field.path
                        ),
                        format!("write e.g. `{example}`"),
                    );
                    None
                }
            }
        };
        let robust = places(self, "robust_within", "robust_within = 1");
        let moderately = places(self, "moderately_within", "moderately_within = 3");
        if let (Some((r, _, _)), Some((m, line, path))) = (&robust, &moderately)
            && m < r
        {
            self.report(
                *line,
                path,
                format!("`moderately_within` = {m} is below `robust_within` = {r}"),
                format!("write `moderately_within` of at least {r}: a moderately robust rank may move further than a robust one"),
            );
        }
        VerdictSpec {
            robust_within: robust.map(|(r, _, _)| r),
            moderately_within: moderately.map(|(m, _, _)| m),
        }
    }

    /// Factor names label Sobol indices in every report, so two factors may not share one
    /// (entries with grouping = "all" are one factor and may repeat its name).
    fn check_factor_names(&mut self, scenario: &Scenario) {
        let mut named: Vec<(&str, usize)> = Vec::new();
        let mut all_named = false;
        for spec in &scenario.weights {
            if let Some(name) = &spec.name {
                if spec.grouping == Grouping::All {
                    if all_named {
                        continue;
                    }
                    all_named = true;
                }
                named.push((name, spec.line));
            }
        }
        let choices = scenario
            .normalisation
            .iter()
            .map(|c| (c.name.as_deref(), c.line))
            .chain(
                scenario
                    .aggregation
                    .iter()
                    .map(|s| (s.choice.name.as_deref(), s.choice.line)),
            )
            .chain(
                scenario
                    .imputation
                    .iter()
                    .map(|c| (c.name.as_deref(), c.line)),
            )
            .chain(
                scenario
                    .treatment
                    .iter()
                    .map(|t| (t.name.as_deref(), t.line)),
            )
            .chain(
                scenario
                    .exclusion
                    .iter()
                    .map(|e| (e.name.as_deref(), e.line)),
            );
        named.extend(choices.filter_map(|(name, line)| name.map(|n| (n, line))));
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

    fn weights(&mut self, field: &Field<'_, '_>) -> Vec<WeightSpec> {
        let entries = self.table_entries(field, "[[weights]]");
        let mut specs = Vec::new();
        for (entry, table) in entries {
            if let Some(spec) = self.weight_entry(&entry, table) {
                specs.push(spec);
            }
        }
        self.check_weight_entries(&specs);
        specs
    }

    fn weight_entry(&mut self, entry: &Field<'_, '_>, table: &DeTable<'_>) -> Option<WeightSpec> {
        let path = entry.path.clone();
        self.check_keys(table, &path, WEIGHT_KEYS, |_| None);
        let level = self.field(table, &path, "level");
        let parent = self.field(table, &path, "parent");
        let target = match (level, parent) {
            (Some(_), Some(_)) => {
                self.report(
                    entry.line,
                    &path,
                    "this [[weights]] entry sets both `level` and `parent`".into(),
                    "keep exactly one: `level = 2` varies every weight of that level, \
                     `parent = \"ATT\"` only the children of one aggregate"
                        .into(),
                );
                None
            }
            (None, None) => {
                self.report(
                    entry.line,
                    &path,
                    "this [[weights]] entry says neither `level` nor `parent`".into(),
                    "add `level = 2` (every weight of a level) or `parent = \"ATT\"` \
                     (the children of one aggregate)"
                        .into(),
                );
                None
            }
            (Some(level), None) => self
                .count(&level, 1, "level = 2")
                .map(|value| WeightTarget::Level(value as usize)),
            (None, Some(parent)) => match self.string(&parent, "parent = \"ATT\"") {
                Some(code) if code.is_empty() => {
                    self.report(
                        parent.line,
                        &parent.path,
                        "`parent` is empty".into(),
                        "write an aggregate's code, e.g. `parent = \"ATT\"`".into(),
                    );
                    None
                }
                Some(code) => Some(WeightTarget::Parent(code)),
                None => None,
            },
        };

        let spread = self
            .field(table, &path, "spread")
            .map(|field| (self.number(&field, "spread = 0.25"), field));
        let concentration = self
            .field(table, &path, "concentration")
            .map(|field| (self.number(&field, "concentration = 50"), field));
        let mode_field = self.field(table, &path, "mode");
        let mode_name = match &mode_field {
            Some(field) => self.string(field, "mode = \"uniform\""),
            None => {
                self.report(
                    entry.line,
                    &path,
                    "this [[weights]] entry has no `mode`".into(),
                    "add `mode = \"uniform\"` with `spread = 0.25`, `mode = \"dirichlet\"` with \
                     `concentration = 50`, `mode = \"simplex\"` or `mode = \"fixed\"`"
                        .into(),
                );
                None
            }
        };
        let mode = match (mode_name.as_deref(), &mode_field) {
            (Some(name), Some(mode_field)) => self.weight_mode(
                name,
                mode_field,
                entry,
                spread.as_ref(),
                concentration.as_ref(),
            ),
            _ => None,
        };

        let grouping = match self.field(table, &path, "grouping") {
            None => Some(match target {
                Some(WeightTarget::Parent(_)) => Grouping::PerParent,
                _ => Grouping::PerLevel,
            }),
            Some(field) => match self.string(&field, "grouping = \"per-level\"") {
                Some(text) => match text.parse::<Grouping>() {
                    Ok(grouping) => Some(grouping),
                    Err(problem) => {
                        let fix = suggest::one_of(&text, Grouping::SPELLINGS);
                        self.report(field.line, &field.path, problem, fix);
                        None
                    }
                },
                None => None,
            },
        };

        let name = self.factor_name(table, &path);

        Some(WeightSpec {
            target: target?,
            mode: mode?,
            grouping: grouping?,
            name: name?,
            line: entry.line,
        })
    }

    /// The optional `name` of a factor section: `Some(None)` when absent, `None` when invalid.
    fn factor_name(&mut self, table: &DeTable<'_>, prefix: &str) -> Option<Option<String>> {
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

    fn weight_mode(
        &mut self,
        name: &str,
        mode_field: &Field<'_, '_>,
        entry: &Field<'_, '_>,
        spread: Option<&(Option<f64>, Field<'_, '_>)>,
        concentration: Option<&(Option<f64>, Field<'_, '_>)>,
    ) -> Option<WeightMode> {
        // Parameters that belong to another mode are mistakes, not silently ignored.
        let stray =
            |reader: &mut Self, parameter: Option<&(Option<f64>, Field<'_, '_>)>, why: &str| {
                if let Some((_, field)) = parameter {
                    reader.report(
                        field.line,
                        &field.path,
                        why.to_string(),
                        format!(
                            "remove `{}`, or change `mode`",
                            field.path.rsplit('.').next().unwrap_or("")
                        ),
                    );
                }
            };
        match name {
            "uniform" => {
                stray(
                    self,
                    concentration,
                    "`concentration` applies to mode = \"dirichlet\", not \"uniform\"",
                );
                let Some((value, field)) = spread else {
                    self.report(
                        mode_field.line,
                        &entry.path,
                        "mode = \"uniform\" needs `spread`".into(),
                        "add e.g. `spread = 0.25` (each weight × U(0.75, 1.25))".into(),
                    );
                    return None;
                };
                let spread = (*value)?;
                if !(0.0..1.0).contains(&spread) {
                    self.report(
                        field.line,
                        &field.path,
                        format!("`spread` = {spread} is outside [0, 1)"),
                        "use a spread in [0, 1), e.g. 0.25: each weight is multiplied by \
                         U(1 − spread, 1 + spread), which must stay positive"
                            .into(),
                    );
                    return None;
                }
                Some(WeightMode::Uniform { spread })
            }
            "dirichlet" => {
                stray(
                    self,
                    spread,
                    "`spread` applies to mode = \"uniform\", not \"dirichlet\"",
                );
                let Some((value, field)) = concentration else {
                    self.report(
                        mode_field.line,
                        &entry.path,
                        "mode = \"dirichlet\" needs `concentration`".into(),
                        "add e.g. `concentration = 50` (larger stays closer to the nominal weights)"
                            .into(),
                    );
                    return None;
                };
                let concentration = (*value)?;
                if concentration <= 0.0 {
                    self.report(
                        field.line,
                        &field.path,
                        format!("`concentration` = {concentration} must be positive"),
                        "use a positive concentration, e.g. 50: Dirichlet parameters are \
                         concentration × nominal weight and must be > 0"
                            .into(),
                    );
                    return None;
                }
                Some(WeightMode::Dirichlet { concentration })
            }
            "simplex" => {
                stray(
                    self,
                    spread,
                    "mode = \"simplex\" samples uniformly on the simplex and takes no `spread`",
                );
                stray(
                    self,
                    concentration,
                    "mode = \"simplex\" takes no `concentration` (it is Dirichlet(1, …, 1))",
                );
                Some(WeightMode::Simplex)
            }
            "fixed" => {
                stray(
                    self,
                    spread,
                    "mode = \"fixed\" holds the weights at their nominal values, so `spread` has no effect",
                );
                stray(
                    self,
                    concentration,
                    "mode = \"fixed\" holds the weights at their nominal values, so `concentration` has no effect",
                );
                Some(WeightMode::Fixed)
            }
            other => {
                let fix = suggest::one_of(other, WeightMode::SPELLINGS);
                self.report(
                    mode_field.line,
                    &mode_field.path,
                    format!("unknown weight mode `{other}`"),
                    fix,
                );
                None
            }
        }
    }

    /// Checks across `[[weights]]` entries: the same target twice, and conflicting names of
    /// the single `all` factor.
    fn check_weight_entries(&mut self, specs: &[WeightSpec]) {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut all_name: Option<(String, usize)> = None;
        for spec in specs {
            let key = spec.target.to_string();
            if let Some(first) = seen.get(&key) {
                self.report(
                    spec.line,
                    "weights",
                    format!("the weights of {key} are already varied by the entry at line {first}"),
                    "merge the two [[weights]] entries into one".into(),
                );
            } else {
                seen.insert(key, spec.line);
            }
            if spec.grouping == Grouping::All
                && let Some(name) = &spec.name
            {
                match &all_name {
                    Some((first, line)) if first != name => self.report(
                        spec.line,
                        "weights",
                        format!(
                            "entries with grouping = \"all\" form one factor, but this one is \
                             named \"{name}\" and the entry at line {line} \"{first}\""
                        ),
                        "give them the same name, or name only one of them".into(),
                    ),
                    Some(_) => {}
                    None => all_name = Some((name.clone(), spec.line)),
                }
            }
        }
    }

    /// Parses `nominal`, `alternatives` and `probabilities` of a choice table.
    fn choice<T>(
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

    fn aggregations(&mut self, field: &Field<'_, '_>) -> Vec<AggregationSpec> {
        let entries = self.table_entries(field, "[[aggregation]]");
        let mut specs: Vec<AggregationSpec> = Vec::new();
        for (entry, table) in entries {
            self.check_keys(table, &entry.path, AGGREGATION_KEYS, |_| None);
            let levels = match self.field(table, &entry.path, "levels") {
                None => Some(None),
                Some(field) => self.aggregation_levels(&field).map(Some),
            };
            let choice = self.choice::<Aggregation>(
                table,
                &entry,
                "aggregation",
                Aggregation::SPELLINGS,
                "alternatives = [\"arithmetic\", \"geometric\"]",
            );
            let (Some(levels), Some(choice)) = (levels, choice) else {
                continue;
            };
            let spec = AggregationSpec { levels, choice };
            // Each level takes its aggregation from exactly one entry.
            for earlier in &specs {
                let overlap: Vec<usize> = match (&earlier.levels, &spec.levels) {
                    (Some(a), Some(b)) => a.iter().filter(|l| b.contains(l)).copied().collect(),
                    _ => Vec::new(),
                };
                let problem = match (&earlier.levels, &spec.levels) {
                    (None, _) | (_, None) => Some(
                        "an [[aggregation]] entry without `levels` covers every level, so it \
                         overlaps the other entry"
                            .to_string(),
                    ),
                    _ if !overlap.is_empty() => Some(format!(
                        "level(s) {} already have an aggregation choice",
                        list(&overlap)
                    )),
                    _ => None,
                };
                if let Some(problem) = problem {
                    self.report(
                        spec.choice.line,
                        &entry.path,
                        format!("{problem} (entry at line {})", earlier.choice.line),
                        "give each [[aggregation]] entry its own `levels`, each level in one \
                         entry only"
                            .into(),
                    );
                }
            }
            specs.push(spec);
        }
        specs
    }

    fn aggregation_levels(&mut self, field: &Field<'_, '_>) -> Option<Vec<usize>> {
        let array = self.array(field, "levels = [2, 3, 4]")?;
        if array.is_empty() {
            self.report(
                field.line,
                &field.path,
                "`levels` is empty".into(),
                "list the aggregate levels, e.g. `levels = [2, 3]`, or remove the key for all"
                    .into(),
            );
            return None;
        }
        let elements = self.elements(field, array);
        let mut levels: Vec<usize> = Vec::new();
        let mut ok = true;
        for element in &elements {
            let Some(level) = self.count(element, 0, "2") else {
                ok = false;
                continue;
            };
            let level = level as usize;
            if level < 2 {
                self.report(
                    element.line,
                    &element.path,
                    format!("level {level} is not an aggregate level"),
                    "aggregation builds levels 2 and up (level 1 holds the indicators)".into(),
                );
                ok = false;
            } else if levels.contains(&level) {
                self.report(
                    element.line,
                    &element.path,
                    format!("level {level} is listed twice"),
                    "list each level once".into(),
                );
                ok = false;
            }
            levels.push(level);
        }
        ok.then_some(levels)
    }

    fn treatment(&mut self, table: &DeTable<'_>, header: &Field<'_, '_>) -> Option<TreatmentSpec> {
        let prefix = header.path.clone();
        self.check_keys(table, &prefix, TREATMENT_KEYS, |_| None);
        let defaults = Treatment::with_winmax(0);
        let range = match self.field(table, &prefix, "winmax") {
            None => {
                self.report(
                    header.line,
                    &prefix,
                    "`[treatment]` has no `winmax` range".into(),
                    "add e.g. `winmax = [1, 5]` (Winsorise at most 1 to 5 points)".into(),
                );
                None
            }
            Some(field) => self.winmax_range(&field),
        };
        let nominal = match self.field(table, &prefix, "nominal") {
            None => Some(None),
            Some(field) => self
                .count(&field, 0, "nominal = 5")
                .map(|n| Some(n as usize)),
        };
        let skew_limit = match self.field(table, &prefix, "skew_limit") {
            None => Some(defaults.skew_limit),
            Some(field) => self.positive(&field, "skew_limit = 2.0"),
        };
        let kurtosis_limit = match self.field(table, &prefix, "kurtosis_limit") {
            None => Some(defaults.kurtosis_limit),
            Some(field) => self.positive(&field, "kurtosis_limit = 3.5"),
        };
        let name = self.factor_name(table, &prefix);
        let (winmax_min, winmax_max) = range?;
        Some(TreatmentSpec {
            name: name?,
            winmax_min,
            winmax_max,
            nominal: nominal?,
            skew_limit: skew_limit?,
            kurtosis_limit: kurtosis_limit?,
            line: header.line,
        })
    }

    fn positive(&mut self, field: &Field<'_, '_>, example: &str) -> Option<f64> {
        let value = self.number(field, example)?;
        if value <= 0.0 {
            self.report(
                field.line,
                &field.path,
                format!("`{}` = {value} must be positive", field.path),
                format!("write e.g. `{example}`"),
            );
            return None;
        }
        Some(value)
    }

    fn winmax_range(&mut self, field: &Field<'_, '_>) -> Option<(usize, usize)> {
        let example = "winmax = [1, 5]";
        let array = self.array(field, example)?;
        if array.len() != 2 {
            self.report(
                field.line,
                &field.path,
                format!(
                    "`winmax` has {} entries; it is an inclusive range [low, high]",
                    array.len()
                ),
                format!("write e.g. `{example}`, or `[5, 5]` for a fixed limit"),
            );
            return None;
        }
        let elements = self.elements(field, array);
        let mut bounds = Vec::with_capacity(2);
        for element in &elements {
            let value = self.integer(element, example)?;
            if value < 0 {
                self.report(
                    element.line,
                    &element.path,
                    format!("Winsorisation limit {value} is negative"),
                    format!("limits count points and start at 0: write e.g. `{example}`"),
                );
                return None;
            }
            bounds.push(value as usize);
        }
        let (low, high) = (bounds[0], bounds[1]);
        if low > high {
            self.report(
                field.line,
                &field.path,
                format!("`winmax = [{low}, {high}]` is reversed"),
                format!("write the smaller limit first: `winmax = [{high}, {low}]`"),
            );
            return None;
        }
        Some((low, high))
    }

    fn exclusion(&mut self, table: &DeTable<'_>, header: &Field<'_, '_>) -> Option<ExclusionSpec> {
        let prefix = header.path.clone();
        self.check_keys(table, &prefix, EXCLUSION_KEYS, |_| None);
        let example = "indicators = \"all\"";
        let indicators = match self.field(table, &prefix, "indicators") {
            None => Some(ExclusionSet::All),
            Some(field) => match field.value.get_ref() {
                DeValue::String(text) if text.as_ref() == "all" => Some(ExclusionSet::All),
                DeValue::String(text) => {
                    self.report(
                        field.line,
                        &field.path,
                        format!("`indicators = \"{text}\"`: the only word allowed here is \"all\""),
                        format!("write `{example}` or a list: `indicators = [\"{text}\"]`"),
                    );
                    None
                }
                DeValue::Array(array) => self.exclusion_codes(&field, array),
                _ => {
                    self.wrong_type(&field, "\"all\" or a list of indicator codes", example);
                    None
                }
            },
        };
        let include_none = match self.field(table, &prefix, "include_none") {
            None => Some(true),
            Some(field) => self.boolean(&field, "include_none = true"),
        };
        let name = self.factor_name(table, &prefix);
        let (indicators, include_none, name) = (indicators?, include_none?, name?);
        if let ExclusionSet::Codes(codes) = &indicators
            && codes.len() == 1
            && !include_none
        {
            self.report(
                header.line,
                &prefix,
                format!(
                    "with one indicator and include_none = false, `{}` is left out of every \
                     sample: nothing varies",
                    codes[0]
                ),
                "set `include_none = true`, list more indicators, or remove the indicator from \
                 the index instead"
                    .into(),
            );
            return None;
        }
        Some(ExclusionSpec {
            name,
            indicators,
            include_none,
            line: header.line,
        })
    }

    fn exclusion_codes(
        &mut self,
        field: &Field<'_, '_>,
        array: &DeArray<'_>,
    ) -> Option<ExclusionSet> {
        if array.is_empty() {
            self.report(
                field.line,
                &field.path,
                "`indicators` is an empty list".into(),
                "list indicator codes, write `indicators = \"all\"`, or remove [exclusion]".into(),
            );
            return None;
        }
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
        ok.then_some(ExclusionSet::Codes(codes))
    }
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|item| item.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// Validation against an index
// ---------------------------------------------------------------------------------------------

impl Scenario {
    /// Checks the scenario against the index it will run on, reporting every problem:
    /// - the focus unit exists and `top_k` is at most the number of units;
    /// - weight targets exist (levels 1..=n_levels−1, parents that are aggregates), can vary
    ///   (a parent needs two children: a single child's renormalised weight is always 1), have
    ///   positive nominal weights under Dirichlet, and no weight is varied by two entries;
    /// - aggregation levels lie in 2..=n_levels;
    /// - methods find what they need: `dist2ref` its unit, `goalposts`/`dist2targ` the
    ///   goalposts/targets of every indicator, group imputation its group column;
    /// - no aggregation that needs positive values ([`Aggregation::needs_positive`]) can meet a
    ///   normalisation that may give zero or negative values ([`positive_for_products`]) or the
    ///   output of a Copeland level below it. Checked for every combination a sample can draw
    ///   (each alternative of each factor, or the nominal choice where nothing varies) and for
    ///   the nominal method when the scenario overrides a nominal. A nominal normalisation that
    ///   is never sampled (COINr's vignette: nominal `minmax(0,100)`, alternatives
    ///   `minmax(1,100)`/`zscore(10,2)`) is not paired with sampled geometric means, so it
    ///   must not be used as "switched off" while the aggregation factor varies;
    /// - every indicator that `[exclusion]` may leave out exists, and leaving it out does not
    ///   leave its parent without a positively weighted child.
    pub fn validate(&self, index: &Index) -> Result<(), ScenarioError> {
        let mut validator = Validator {
            scenario: self,
            index,
            framework: &index.framework,
            diagnostics: Vec::new(),
        };
        validator.run_defaults();
        validator.weights();
        validator.aggregation_levels();
        validator.method_inputs();
        validator.treatment();
        validator.exclusion();
        into_result(validator.diagnostics)
    }
}

/// A method that can be in effect, and where it came from.
#[derive(Clone)]
struct Source<T> {
    method: T,
    /// Key path in the scenario; empty when it is the index's nominal method.
    path: String,
}

struct Validator<'a> {
    scenario: &'a Scenario,
    index: &'a Index,
    framework: &'a Framework,
    diagnostics: Vec<Diagnostic>,
}

impl Validator<'_> {
    /// A location at `path`'s line, else `fallback_line` (0 = no line).
    fn at(&self, path: &str, fallback_line: usize) -> Location {
        let mut location = Location::file(&self.scenario.source);
        match self.scenario.line_of(path) {
            Some(line) => location = location.line(line),
            None if fallback_line > 0 => location = location.line(fallback_line),
            None => {}
        }
        if !path.is_empty() {
            location = location.column(path);
        }
        location
    }

    fn report(&mut self, location: Location, problem: String, fix: String) {
        self.diagnostics
            .push(Diagnostic::new(location, problem, fix));
    }

    fn code(&self, node: usize) -> &str {
        &self.framework.nodes[node].code
    }

    fn codes(&self, nodes: &[usize]) -> String {
        let shown: Vec<String> = nodes
            .iter()
            .take(8)
            .map(|&n| format!("`{}`", self.code(n)))
            .collect();
        let more = nodes.len().saturating_sub(8);
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    }

    fn run_defaults(&mut self) {
        let n_units = self.index.n_units();
        if let Some(focus) = &self.scenario.focus
            && self.index.find_unit(focus).is_none()
        {
            let fix = self.unit_fix(focus);
            self.report(
                self.at("focus", 0),
                format!("focus unit `{focus}` is not in the index"),
                fix,
            );
        }
        if let Some(top_k) = self.scenario.top_k
            && top_k > n_units
        {
            self.report(
                self.at("top_k", 0),
                format!("top_k = {top_k}, but the index ranks only {n_units} units"),
                format!("use top_k between 1 and {n_units}"),
            );
        }
    }

    fn unit_fix(&self, text: &str) -> String {
        let units = &self.index.units;
        match suggest::nearest(text, units.iter().map(|u| u.code.as_str())) {
            Some(code) => {
                let name = &units[self.index.find_unit(code).unwrap_or(0)].name;
                format!(
                    "{} Units are matched by uCode or name",
                    suggest::did_you_mean_named(code, name)
                )
            }
            None => {
                let examples: Vec<&str> = units.iter().take(5).map(|u| u.code.as_str()).collect();
                format!(
                    "use a uCode or name from data.csv, e.g. {}",
                    examples.join(", ")
                )
            }
        }
    }

    fn weights(&mut self) {
        let framework = self.framework;
        let n_levels = framework.n_levels;
        let top_code = self.code(framework.top).to_string();
        // Node → line of the first entry that varies its weight.
        let mut varied: BTreeMap<usize, usize> = BTreeMap::new();
        for (i, spec) in self.scenario.weights.iter().enumerate() {
            let path = format!("weights[{}]", i + 1);
            match &spec.target {
                WeightTarget::Level(level) => {
                    if *level == 0 || *level >= n_levels {
                        self.report(
                            self.at(&format!("{path}.level"), spec.line),
                            format!(
                                "level {level} has no weights to vary: the index has levels \
                                 1..={n_levels} and level {n_levels} is its top node `{top_code}`"
                            ),
                            format!(
                                "use a level from 1 (indicators) to {} (the level below the top)",
                                n_levels - 1
                            ),
                        );
                        continue;
                    }
                }
                WeightTarget::Parent(code) => match framework.find(code) {
                    None => {
                        let aggregates: Vec<&str> = framework
                            .aggregates()
                            .map(|node| framework.nodes[node].code.as_str())
                            .collect();
                        let fix = match suggest::nearest(code, aggregates.iter().copied()) {
                            Some(suggestion) => suggest::did_you_mean(suggestion),
                            None => format!("use an aggregate code: {}", aggregates.join(", ")),
                        };
                        self.report(
                            self.at(&format!("{path}.parent"), spec.line),
                            format!("no aggregate `{code}` in the index"),
                            fix,
                        );
                        continue;
                    }
                    Some(node) if framework.nodes[node].children.is_empty() => {
                        let parent = framework.nodes[node]
                            .parent
                            .map_or(String::new(), |p| self.code(p).to_string());
                        self.report(
                            self.at(&format!("{path}.parent"), spec.line),
                            format!(
                                "`{code}` is an indicator: it has no children whose weights \
                                 could vary"
                            ),
                            format!(
                                "use its parent (`parent = \"{parent}\"`) to vary `{code}` and \
                                 its siblings"
                            ),
                        );
                        continue;
                    }
                    Some(_) => {}
                },
            }
            let parents = spec.parents(framework);
            if spec.mode.varies() {
                self.weights_can_vary(spec, &path, &parents);
            }
            // One weight, one entry: two entries would each resample it.
            let mut clashes: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for &parent in &parents {
                for &child in &framework.nodes[parent].children {
                    if let Some(&line) = varied.get(&child) {
                        clashes.entry(line).or_default().push(child);
                    } else {
                        varied.insert(child, spec.line);
                    }
                }
            }
            for (line, nodes) in clashes {
                let codes = self.codes(&nodes);
                self.report(
                    self.at(&path, spec.line),
                    format!(
                        "the weights of {codes} are varied both by this entry ({}) and by the \
                         entry at line {line}",
                        spec.target
                    ),
                    "vary each weight in one [[weights]] entry only: target a different level \
                     or parent"
                        .into(),
                );
            }
        }
    }

    fn weights_can_vary(&mut self, spec: &WeightSpec, path: &str, parents: &[usize]) {
        let framework = self.framework;
        let children = |parent: usize| &framework.nodes[parent].children;
        if parents.iter().all(|&p| children(p).len() < 2) {
            let (key, problem) = match &spec.target {
                WeightTarget::Parent(code) => (
                    "parent",
                    format!(
                        "`{code}` has a single child ({}): renormalised within its parent that \
                         weight is always 1, so mode = \"{}\" cannot vary it",
                        self.codes(children(parents[0])),
                        mode_name(&spec.mode)
                    ),
                ),
                WeightTarget::Level(level) => (
                    "level",
                    format!(
                        "every node of level {level} is the only child of its parent: \
                         renormalised weights are always 1, so nothing can vary"
                    ),
                ),
            };
            self.report(
                self.at(&format!("{path}.{key}"), spec.line),
                problem,
                "remove this [[weights]] entry, or target a level or parent with several \
                 children"
                    .into(),
            );
        }
        if matches!(spec.mode, WeightMode::Dirichlet { .. }) {
            let zero: Vec<usize> = parents
                .iter()
                .flat_map(|&p| children(p).iter().copied())
                .filter(|&c| framework.nodes[c].weight <= 0.0)
                .collect();
            if !zero.is_empty() {
                self.report(
                    self.at(&format!("{path}.mode"), spec.line),
                    format!(
                        "Dirichlet weights need positive nominal weights (its parameters are \
                         concentration × nominal weight), but {} have weight 0",
                        self.codes(&zero)
                    ),
                    "use mode = \"uniform\" or \"simplex\", or give those nodes a positive \
                     Weight in meta.csv"
                        .into(),
                );
            }
        }
    }

    fn aggregation_levels(&mut self) {
        let n_levels = self.framework.n_levels;
        for (i, spec) in self.scenario.aggregation.iter().enumerate() {
            let Some(levels) = &spec.levels else { continue };
            for (k, &level) in levels.iter().enumerate() {
                if level > n_levels {
                    let path = format!("aggregation[{}].levels[{}]", i + 1, k + 1);
                    self.report(
                        self.at(&path, spec.choice.line),
                        format!(
                            "level {level} does not exist: the index has levels 1..={n_levels}"
                        ),
                        format!("aggregate levels are 2..={n_levels}"),
                    );
                }
            }
        }
    }

    /// Every normalisation and imputation the scenario names, with its key path.
    fn named_methods<T: Clone>(choice: Option<&Choice<T>>, section: &str) -> Vec<Source<T>> {
        let Some(choice) = choice else {
            return Vec::new();
        };
        let nominal = choice.nominal.iter().map(|method| Source {
            method: method.clone(),
            path: format!("{section}.nominal"),
        });
        let alternatives = choice
            .alternatives
            .iter()
            .enumerate()
            .map(|(k, method)| Source {
                method: method.clone(),
                path: format!("{section}.alternatives[{}]", k + 1),
            });
        nominal.chain(alternatives).collect()
    }

    fn method_inputs(&mut self) {
        let framework = self.framework;
        let normalisations =
            Self::named_methods(self.scenario.normalisation.as_ref(), "normalisation");
        let header = self.scenario.normalisation.as_ref().map_or(0, |c| c.line);
        for source in &normalisations {
            let missing: Vec<usize> = match &source.method {
                Normalisation::Dist2Ref { unit } => {
                    if self.index.find_unit(unit).is_none() {
                        let fix = self.unit_fix(unit);
                        self.report(
                            self.at(&source.path, header),
                            format!(
                                "`{}`: reference unit `{unit}` is not in the index",
                                source.method
                            ),
                            fix,
                        );
                    }
                    continue;
                }
                method => match method.needed_metadata() {
                    None => continue,
                    Some(needed) => (0..framework.n_indicators())
                        .filter(|&i| {
                            let info = &framework.indicators[i];
                            match needed {
                                IndicatorMetadata::Goalposts => info.goalposts.is_none(),
                                IndicatorMetadata::Target => info.target.is_none(),
                            }
                        })
                        .collect(),
                },
            };
            if !missing.is_empty() {
                let columns = source.method.needed_metadata().map_or("", |n| n.columns());
                self.report(
                    self.at(&source.path, header),
                    format!(
                        "`{}` needs {columns} for every indicator; {} have none",
                        source.method,
                        self.codes(&missing)
                    ),
                    format!(
                        "fill the {columns} column(s) of meta.csv, or choose another normalisation"
                    ),
                );
            }
        }

        let imputations = Self::named_methods(self.scenario.imputation.as_ref(), "imputation");
        let header = self.scenario.imputation.as_ref().map_or(0, |c| c.line);
        for source in &imputations {
            if let Some(column) = source.method.group_column()
                && self.index.group(column).is_none()
            {
                let groups: Vec<&str> = self.index.groups.iter().map(|g| g.code.as_str()).collect();
                let fix = match suggest::nearest(column, groups.iter().copied()) {
                    Some(suggestion) => suggest::did_you_mean(suggestion),
                    None if groups.is_empty() => {
                        "data.csv has no group columns: use `mean` or `median`".into()
                    }
                    None => format!("use a group column of data.csv: {}", groups.join(", ")),
                };
                self.report(
                    self.at(&source.path, header),
                    format!(
                        "`{}`: data.csv has no group column `{column}`",
                        source.method
                    ),
                    fix,
                );
            }
        }
    }

    /// Winsorising n − 1 points of n units already makes a column constant: larger limits add
    /// only data variants to prepare (one per limit), never a different treatment.
    fn treatment(&mut self) {
        let Some(spec) = &self.scenario.treatment else {
            return;
        };
        let most = self.index.n_units().saturating_sub(1);
        if spec.winmax_max > most {
            let low = spec.winmax_min.min(most);
            self.report(
                self.at("treatment.winmax", spec.line),
                format!(
                    "`winmax` goes up to {}, but the index has {} units, so at most {most} \
                     points can be Winsorised",
                    spec.winmax_max,
                    self.index.n_units()
                ),
                format!("write `winmax = [{low}, {most}]` or a narrower range"),
            );
        }
    }

    fn exclusion(&mut self) {
        let Some(spec) = &self.scenario.exclusion else {
            return;
        };
        let framework = self.framework;
        let n_indicators = framework.n_indicators();
        // Indicator node → key path of its entry (or the `indicators` key for "all").
        let mut candidates: Vec<(usize, String)> = Vec::new();
        match &spec.indicators {
            ExclusionSet::All => {
                candidates
                    .extend((0..n_indicators).map(|i| (i, "exclusion.indicators".to_string())));
            }
            ExclusionSet::Codes(codes) => {
                for (k, code) in codes.iter().enumerate() {
                    let path = format!("exclusion.indicators[{}]", k + 1);
                    match framework.find(code) {
                        Some(node) if node < n_indicators => candidates.push((node, path)),
                        Some(node) => {
                            let under = framework.indicators_under(node);
                            let level = framework.nodes[node].level;
                            let fix = format!(
                                "exclusion leaves out single indicators: list those under \
                                 `{code}` instead ({})",
                                self.codes(&under)
                            );
                            self.report(
                                self.at(&path, spec.line),
                                format!("`{code}` is a level-{level} aggregate, not an indicator"),
                                fix,
                            );
                        }
                        None => {
                            let indicators = (0..n_indicators).map(|i| self.code(i));
                            let fix = match suggest::nearest(code, indicators) {
                                Some(suggestion) => suggest::did_you_mean(suggestion),
                                None => "use indicator codes (iCode) of meta.csv".to_string(),
                            };
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
        for (indicator, path) in candidates {
            let Some(parent) = framework.nodes[indicator].parent else {
                continue;
            };
            let others_weighted = framework.nodes[parent]
                .children
                .iter()
                .any(|&c| c != indicator && framework.nodes[c].weight > 0.0);
            if others_weighted {
                continue;
            }
            let code = self.code(indicator).to_string();
            let parent_code = self.code(parent).to_string();
            let fix = match spec.indicators {
                ExclusionSet::All => format!(
                    "list the indicators that may be left out instead of \"all\", without `{code}`"
                ),
                ExclusionSet::Codes(_) => format!("remove `{code}` from `exclusion.indicators`"),
            };
            self.report(
                self.at(&path, spec.line),
                format!(
                    "leaving out `{code}` would leave its parent `{parent_code}` without a weighted \
                     child, so `{parent_code}`'s score would vanish"
                ),
                fix,
            );
        }
    }
}

fn mode_name(mode: &WeightMode) -> &'static str {
    match mode {
        WeightMode::Uniform { .. } => "uniform",
        WeightMode::Dirichlet { .. } => "dirichlet",
        WeightMode::Simplex => "simplex",
        WeightMode::Fixed => "fixed",
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

impl Scenario {
    /// The scenario as a TOML file with every default made explicit (groupings,
    /// probabilities, treatment limits, exclusion flags); parsing it gives the same scenario.
    pub fn to_toml_string(&self) -> String {
        let mut out = String::new();
        let float = |x: f64| format!("{x:?}");
        let strings = |items: Vec<String>| {
            format!(
                "[{}]",
                items
                    .iter()
                    .map(|s| quoted(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let floats = |items: &[f64]| {
            format!(
                "[{}]",
                items
                    .iter()
                    .map(|&x| float(x))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let mut top = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                let _ = writeln!(out, "{key} = {value}");
            }
        };
        top("name", self.name.as_deref().map(quoted));
        top("description", self.description.as_deref().map(quoted));
        top("samples", self.samples.map(|n| n.to_string()));
        top("seed", self.seed.map(|n| n.to_string()));
        top("focus", self.focus.as_deref().map(quoted));
        top("top_k", self.top_k.map(|n| n.to_string()));

        fn choice_lines<T: fmt::Display>(
            out: &mut String,
            choice: &Choice<T>,
            strings: &dyn Fn(Vec<String>) -> String,
            floats: &dyn Fn(&[f64]) -> String,
        ) {
            if let Some(name) = &choice.name {
                let _ = writeln!(out, "name = {}", quoted(name));
            }
            if let Some(nominal) = &choice.nominal {
                let _ = writeln!(out, "nominal = {}", quoted(&nominal.to_string()));
            }
            let alternatives = choice.alternatives.iter().map(|a| a.to_string()).collect();
            let _ = writeln!(out, "alternatives = {}", strings(alternatives));
            let _ = writeln!(out, "probabilities = {}", floats(&choice.probabilities));
        }

        for spec in &self.weights {
            out.push_str("\n[[weights]]\n");
            match &spec.target {
                WeightTarget::Level(level) => {
                    let _ = writeln!(out, "level = {level}");
                }
                WeightTarget::Parent(code) => {
                    let _ = writeln!(out, "parent = {}", quoted(code));
                }
            }
            let _ = writeln!(out, "mode = \"{}\"", mode_name(&spec.mode));
            match spec.mode {
                WeightMode::Uniform { spread } => {
                    let _ = writeln!(out, "spread = {}", float(spread));
                }
                WeightMode::Dirichlet { concentration } => {
                    let _ = writeln!(out, "concentration = {}", float(concentration));
                }
                WeightMode::Simplex | WeightMode::Fixed => {}
            }
            let _ = writeln!(out, "grouping = \"{}\"", spec.grouping);
            if let Some(name) = &spec.name {
                let _ = writeln!(out, "name = {}", quoted(name));
            }
        }
        if let Some(choice) = &self.normalisation {
            out.push_str("\n[normalisation]\n");
            choice_lines(&mut out, choice, &strings, &floats);
        }
        for spec in &self.aggregation {
            out.push_str("\n[[aggregation]]\n");
            if let Some(levels) = &spec.levels {
                let _ = writeln!(out, "levels = [{}]", list(levels));
            }
            choice_lines(&mut out, &spec.choice, &strings, &floats);
        }
        if let Some(choice) = &self.imputation {
            out.push_str("\n[imputation]\n");
            choice_lines(&mut out, choice, &strings, &floats);
        }
        if let Some(spec) = &self.treatment {
            out.push_str("\n[treatment]\n");
            if let Some(name) = &spec.name {
                let _ = writeln!(out, "name = {}", quoted(name));
            }
            let _ = writeln!(out, "winmax = [{}, {}]", spec.winmax_min, spec.winmax_max);
            if let Some(nominal) = spec.nominal {
                let _ = writeln!(out, "nominal = {nominal}");
            }
            let _ = writeln!(out, "skew_limit = {}", float(spec.skew_limit));
            let _ = writeln!(out, "kurtosis_limit = {}", float(spec.kurtosis_limit));
        }
        if let Some(spec) = &self.exclusion {
            out.push_str("\n[exclusion]\n");
            if let Some(name) = &spec.name {
                let _ = writeln!(out, "name = {}", quoted(name));
            }
            match &spec.indicators {
                ExclusionSet::All => out.push_str("indicators = \"all\"\n"),
                ExclusionSet::Codes(codes) => {
                    let _ = writeln!(out, "indicators = {}", strings(codes.clone()));
                }
            }
            let _ = writeln!(out, "include_none = {}", spec.include_none);
        }
        if let Some(spec) = &self.verdict {
            out.push_str("\n[verdict]\n");
            if let Some(n) = spec.robust_within {
                let _ = writeln!(out, "robust_within = {n}");
            }
            if let Some(n) = spec.moderately_within {
                let _ = writeln!(out, "moderately_within = {n}");
            }
        }
        match out.strip_prefix('\n') {
            Some(rest) => rest.to_string(),
            None => out,
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_toml_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equally_likely_choices_sum_to_one() {
        let choice = Choice::equally_likely(vec![Aggregation::Arithmetic, Aggregation::Geometric]);
        assert_eq!(choice.probabilities, [0.5, 0.5]);
        assert_eq!(choice.nominal, None);
    }

    #[test]
    fn a_scenario_without_a_factor_is_refused_with_the_sections_to_add() {
        // A run of it would repeat the nominal ranking and call every rank "robust, 100%".
        for (text, line, problem) in [
            ("", None, "file is empty"),
            (
                "# nothing uncertain\n",
                Some(1),
                "names no uncertain choice",
            ),
            (
                "name = \"x\"\nsamples = 10\n",
                Some(1),
                "names no uncertain choice",
            ),
        ] {
            let error = Scenario::from_toml_str(text, "empty.toml").unwrap_err();
            let [diagnostic] = error.diagnostics() else {
                panic!("one problem expected: {error}");
            };
            assert_eq!(diagnostic.location.file, "empty.toml");
            assert_eq!(diagnostic.location.line, line, "{text:?}");
            assert!(diagnostic.problem.contains(problem), "{diagnostic}");
            // The factor sections (after name … top_k and `verdict`, which is not a factor).
            for section in TOP_KEYS[7..].iter() {
                assert!(diagnostic.fix.contains(section), "{section}: {diagnostic}");
            }
        }
        // The default scenario still writes as nothing (the writer is used for derived files).
        assert_eq!(Scenario::default().to_toml_string(), "");
    }
}
