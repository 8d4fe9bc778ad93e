//! The scenario's sections and their registry.
//!
//! Each file here is one section of a scenario file and owns everything about it: its type, its
//! keys with their meaning and default (the reference entry, from which the parser's key list,
//! the "did you mean" vocabulary and `docs/scenario-reference.md` are all derived), its parser,
//! its checks against an index and its writer. [`SECTIONS`] is the one list that names them;
//! [`Scenario`] holds one field per section.
//!
//! A new section: a file here with its `SECTION`, a line in [`SECTIONS`], a field in
//! [`Scenario`]. A new factor kind also needs its factor builder in `factors/` (`factors/build.rs`, or its own file there as `factors/noise.rs`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use toml::de::DeTable;

use self::reader::Reader;
use self::validate::Validator;
use crate::model::method::{Imputation, Normalisation};
use crate::scenario::choice::Choice;

pub mod aggregation;
pub mod exclusion;
pub mod imputation;
pub mod noise;
pub(crate) mod noise_errors;
pub mod noise_record;
pub mod normalisation;
pub(crate) mod reader;
pub mod run;
pub mod treatment;
pub(crate) mod validate;
pub mod verdict;
pub mod weights;

pub use aggregation::AggregationSpec;
pub use exclusion::{ExclusionSet, ExclusionSpec};
pub use noise::{NoiseKind, NoiseSpec, NoiseSpread};
#[cfg(any(test, feature = "internals"))]
pub use noise::NoiseTarget;
pub use treatment::TreatmentSpec;
pub use verdict::VerdictSpec;
pub use weights::{Grouping, WeightMode, WeightSpec, WeightTarget};

/// Every section, in the order a file is read, checked and written.
pub(crate) const SECTIONS: &[Section] = &[
    run::SECTION,
    weights::SECTION,
    normalisation::SECTION,
    aggregation::SECTION,
    imputation::SECTION,
    treatment::SECTION,
    exclusion::SECTION,
    noise::SECTION,
    verdict::SECTION,
];

/// One section of a scenario file: its reference entry and what reads, checks and writes it.
pub(crate) struct Section {
    /// The table's key in the file; empty for the top-level run keys.
    pub name: &'static str,
    /// How the table is written, `[[weights]]` or `[normalisation]`; empty for the run keys.
    pub header: &'static str,
    /// What the section does, for the reference.
    pub about: &'static str,
    /// Every key the section accepts, in the order messages list them.
    pub keys: &'static [KeyDoc],
    /// A short valid example of the section.
    pub example: &'static str,
    /// For a factor (an uncertain choice a run samples): whether the scenario has one.
    /// `None` for the run keys and `[verdict]`, which change how a run is read, not sampled.
    pub factor: Option<fn(&Scenario) -> bool>,
    /// The names the section gives its factors, with the line of each (for duplicates).
    pub factor_names: FactorNames,
    /// Parses the section from the file's root table into the scenario.
    pub read: fn(&mut Reader<'_>, &DeTable<'_>, &mut Scenario),
    /// Checks the section against an index.
    pub validate: fn(&mut Validator<'_>),
    /// Appends the section's TOML (a blank line, its header, its keys) if the scenario has it.
    pub write: fn(&Scenario, &mut String),
}

/// The factor names a section gives (`None` where unnamed), each with its section's line.
pub(crate) type FactorNames = for<'a> fn(&'a Scenario) -> Vec<(Option<&'a str>, usize)>;

/// One key of a section, as the reference shows it.
pub(crate) struct KeyDoc {
    pub key: &'static str,
    pub meaning: &'static str,
    pub default: &'static str,
    /// The accepted spellings, where the value is one of a list.
    pub values: &'static [&'static str],
}

impl Section {
    /// The keys the parser accepts.
    pub(crate) fn key_names(&self) -> Vec<&'static str> {
        self.keys.iter().map(|key| key.key).collect()
    }
}

/// For sections that make no factor.
pub(crate) fn no_factor(_: &Scenario) -> Vec<(Option<&str>, usize)> {
    Vec::new()
}

/// The keys allowed at the top of a file: the run keys, then the tables that are not factors,
/// then the factor tables (the order "use one of" lists them in).
pub(crate) fn top_keys() -> Vec<&'static str> {
    let run = SECTIONS.iter().filter(|s| s.name.is_empty());
    let settings = SECTIONS
        .iter()
        .filter(|s| !s.name.is_empty() && s.factor.is_none());
    let factors = SECTIONS.iter().filter(|s| s.factor.is_some());
    run.flat_map(|s| s.key_names())
        .chain(settings.chain(factors).map(|s| s.name))
        .collect()
}

/// The scenario file reference (`docs/scenario-reference.md`), generated from the sections'
/// definitions so that the documentation and the parser cannot drift.
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "<!-- Generated from src/scenario/sections/ by `ranksense::scenario::reference_markdown`. \
         Do not edit: regenerate with `RANKSENSE_BLESS=1 cargo test --release --test scenario_reference`. -->\n\n\
         # Scenario file reference\n\n\
         A scenario file (TOML) names the uncertain choices of a composite indicator, each one a \
         *factor* of the uncertainty and sensitivity analysis (Saisana, Saltelli & Tarantola 2005). \
         Every key is optional unless marked required; a file needs at least one factor section. \
         `ranksense init --data DIR` writes a commented file with your index's codes, and \
         `ranksense validate --scenario FILE` checks one against an index.\n",
    );
    for section in SECTIONS {
        let title = if section.name.is_empty() {
            "Run keys".to_string()
        } else {
            let kind = if section.factor.is_some() {
                "factor"
            } else {
                "not a factor"
            };
            format!("`{}` ({kind})", section.header)
        };
        let _ = write!(out, "\n## {title}\n\n{}\n\n", section.about);
        out.push_str("| key | meaning | default |\n|---|---|---|\n");
        for key in section.keys {
            let mut meaning = key.meaning.to_string();
            if !key.values.is_empty() {
                let values: Vec<String> = key.values.iter().map(|v| format!("`{v}`")).collect();
                let _ = write!(meaning, "; one of {}", values.join(", "));
            }
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                key.key,
                meaning.replace('|', "\\|"),
                key.default.replace('|', "\\|")
            );
        }
        let _ = write!(out, "\n```toml\n{}```\n", section.example);
    }
    out
}

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
    /// `[[noise]]`: data error and stochastic imputation, in file order.
    pub noise: Vec<NoiseSpec>,
    /// `[verdict]`: the rating rule's thresholds.
    pub verdict: Option<VerdictSpec>,
    /// The file the scenario was read from (as given), or a label such as `built-in`.
    pub source: String,
    /// Line of every key and array element read, by path: `focus`, `weights[2].spread`,
    /// `normalisation.alternatives[1]`, `exclusion.indicators[3]` (entries count from 1).
    #[serde(skip)]
    pub key_lines: BTreeMap<String, usize>,
}
