//! `[[weights]]`: the weights of a whole level or of one aggregate's children, sampled around
//! their nominal values. One entry per level or parent; each makes one Sobol factor per parent,
//! per level or one for every `grouping = "all"` entry.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use std::fmt::Write as _;

use toml::de::DeTable;

use super::{KeyDoc, Scenario, Section};
use crate::model::Framework;
use crate::model::input::suggest;
use crate::model::input::toml::Field;
use crate::scenario::choice::{float, quoted};
use crate::scenario::sections::reader::Reader;
use crate::scenario::sections::validate::Validator;

/// The `[[weights]]` section.
pub(crate) const SECTION: Section = Section {
    name: "weights",
    header: "[[weights]]",
    about: "The weights of a whole level (`level`) or of one aggregate's children (`parent`), \
            sampled around the nominal weights and renormalised within each parent. One entry \
            per level or aggregate that varies; no weight may be varied by two entries.",
    keys: &[
        KeyDoc {
            key: "level",
            meaning: "vary every weight of this level (1 = indicators, up to the level below the index); write `level` or `parent`, not both",
            default: "required unless `parent` is given",
            values: &[],
        },
        KeyDoc {
            key: "parent",
            meaning: "vary the weights of this aggregate's children (its code)",
            default: "required unless `level` is given",
            values: &[],
        },
        KeyDoc {
            key: "mode",
            meaning: "how the weights are sampled: `uniform` multiplies each nominal weight by U(1 − spread, 1 + spread) (COINr, Becker et al. 2022); `dirichlet` draws Dirichlet(concentration · w); `simplex` is uniform on all weight vectors (SMAA, Lahdelma & Salminen 2001); `fixed` keeps the nominal weights",
            default: "required",
            values: WeightMode::SPELLINGS,
        },
        KeyDoc {
            key: "spread",
            meaning: "`uniform` only: the relative spread, in [0, 1)",
            default: "required with `mode = \"uniform\"`",
            values: &[],
        },
        KeyDoc {
            key: "concentration",
            meaning: "`dirichlet` only: larger stays closer to the nominal weights (> 0); the mean is the nominal vector",
            default: "required with `mode = \"dirichlet\"`",
            values: &[],
        },
        KeyDoc {
            key: "grouping",
            meaning: "how the entry splits into Sobol factors: one per aggregate, one for the level, or one for every `all` entry together",
            default: "`per-parent` with `parent`, `per-level` with `level`",
            values: Grouping::SPELLINGS,
        },
        KeyDoc {
            key: "name",
            meaning: "the factor's name in reports (entries with `grouping = \"all\"` share one)",
            default: "built from the level or parent",
            values: &[],
        },
    ],
    example: "[[weights]]\nlevel = 2\nmode = \"uniform\"\nspread = 0.25\ngrouping = \"per-level\"\n\n[[weights]]\nparent = \"ECO\"\nmode = \"dirichlet\"\nconcentration = 50\n",
    factor: Some(|scenario| !scenario.weights.is_empty()),
    factor_names,
    read,
    validate: |validator| validator.weights(),
    write,
};

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

fn read(reader: &mut Reader<'_>, root: &DeTable<'_>, scenario: &mut Scenario) {
    if let Some(field) = reader.field(root, "", "weights") {
        scenario.weights = reader.weights(&field);
    }
}

/// Entries with grouping = "all" are one factor and may repeat its name: it counts once.
fn factor_names(scenario: &Scenario) -> Vec<(Option<&str>, usize)> {
    let mut named = Vec::new();
    let mut all_named = false;
    for spec in &scenario.weights {
        if let Some(name) = &spec.name {
            if spec.grouping == Grouping::All {
                if all_named {
                    continue;
                }
                all_named = true;
            }
            named.push((Some(name.as_str()), spec.line));
        }
    }
    named
}

impl Reader<'_> {
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
        self.check_keys(table, &path, &SECTION.key_names(), |_| None);
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
}

impl Validator<'_> {
    pub(crate) fn weights(&mut self) {
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
}

fn mode_name(mode: &WeightMode) -> &'static str {
    match mode {
        WeightMode::Uniform { .. } => "uniform",
        WeightMode::Dirichlet { .. } => "dirichlet",
        WeightMode::Simplex => "simplex",
        WeightMode::Fixed => "fixed",
    }
}

fn write(scenario: &Scenario, out: &mut String) {
    for spec in &scenario.weights {
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
}
