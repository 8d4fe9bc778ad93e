//! Scenarios for the facade: which modelling choices are uncertain, from a file, a text, a shipped name, or derived from the index.

use std::path::Path;

use super::{Error, Index};
use crate::model::{LoadError, Location};
use crate::report::output::Files;
use crate::report::provenance::{DERIVED_SCENARIO_FILE, DerivedScenario, Resolved, RunSettings};
use crate::report::summary::Summary;
use crate::scenario::derive::Derivation;
use crate::scenario::template::{DERIVED_LABEL, derived_file};
use crate::scenario::{self, embedded, read_text};

/// A scenario (the TOML file format of the README's scenario reference) with the text it was
/// read from: the text is hashed into reports and shard fingerprints, so a run records exactly
/// what it sampled.
#[derive(Debug, Clone)]
pub struct Scenario {
    parsed: scenario::Scenario,
    text: String,
    label: String,
    derived: Option<Derivation>,
}

impl Scenario {
    /// Reads a scenario file. Problems are located (file, line, key) with their fix.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Scenario, Error> {
        let path = path.as_ref();
        let text = read_text(path)?;
        Scenario::from_toml(&text, &path.display().to_string())
    }

    /// Reads a scenario from its TOML text; `label` names it in messages and reports (e.g.
    /// the file it came from).
    pub fn from_toml(text: &str, label: &str) -> Result<Scenario, Error> {
        Ok(Scenario {
            parsed: scenario::Scenario::from_toml_str(text, label)?,
            text: text.to_string(),
            label: label.to_string(),
            derived: None,
        })
    }

    /// A scenario shipped with the library, by name (see [`Scenario::shipped_names`]).
    pub fn shipped(name: &str) -> Result<Scenario, Error> {
        let Some((file, text)) = embedded::find(name) else {
            return Err(LoadError::one(
                Location::file(name),
                "no shipped scenario has this name",
                format!(
                    "use one of: {}, or read your own with Scenario::from_file",
                    embedded::names().join(", ")
                ),
            )
            .into());
        };
        Scenario::from_toml(text, file)
    }

    /// The scenario file reference as Markdown: every section and key with its meaning,
    /// default, values and an example (the text of docs/scenario-reference.md).
    pub fn reference() -> String {
        scenario::reference_markdown()
    }

    /// The names [`Scenario::shipped`] accepts.
    pub fn shipped_names() -> Vec<&'static str> {
        embedded::names()
    }

    /// The default scenario of an index, as the command line picks it without `--scenario`:
    /// the shipped `ieci-full` for the embedded IECI data, `asem` for the embedded ASEM data,
    /// and for any other index the scenario derived from it (which choices its data leave
    /// open; [`crate::scenario::derive`]), read back from the file text it is written as, so
    /// that running that file again is the same run.
    pub fn default_for(index: &Index) -> Result<Scenario, Error> {
        if let Some(name) = embedded::default_for(index.source()) {
            return Scenario::shipped(name);
        }
        let derived = derived_file(index.model()).map_err(Error::internal)?;
        Ok(Scenario {
            parsed: derived.scenario,
            text: derived.text,
            label: DERIVED_LABEL.to_string(),
            derived: Some(derived.derivation),
        })
    }

    /// Checks the scenario against an index (codes, levels, ranges), reporting every problem
    /// located in the scenario's text.
    pub fn validate(&self, index: &Index) -> Result<(), Error> {
        Ok(self.parsed.validate(index.model())?)
    }

    /// The scenario's TOML text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The name the scenario goes by in messages and reports (its file).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Whether the scenario was derived from the index ([`Scenario::default_for`]).
    pub fn is_derived(&self) -> bool {
        self.derived.is_some()
    }

    /// The parsed scenario, for the library's lower layers.
    pub fn model(&self) -> &scenario::Scenario {
        &self.parsed
    }

    /// The scenario a run samples: a focus or top-k given for the run replaces the scenario's,
    /// which is then neither used nor checked against the data.
    pub(crate) fn for_run(&self, focus_given: bool, top_k_given: bool) -> scenario::Scenario {
        let mut run = self.parsed.clone();
        if focus_given {
            run.focus = None;
        }
        if top_k_given {
            run.top_k = None;
        }
        run
    }

    /// Records the settings' origins and the derived scenario in a summary.
    pub(crate) fn describe(&self, summary: &mut Summary, index: &Index, resolved: &Resolved) {
        summary.settings = Some(RunSettings::attribute(
            index.model(),
            &self.parsed,
            resolved,
        ));
        summary.derived_scenario = self.derived.as_ref().map(DerivedScenario::of);
    }

    /// How the scenario was derived, when it was ([`Scenario::default_for`]).
    pub(crate) fn derived_record(&self) -> Option<&Derivation> {
        self.derived.as_ref()
    }

    /// Adds the derived scenario's file to a report folder's files.
    pub(crate) fn add_file(&self, files: &mut Files) {
        if self.derived.is_some() {
            files.add(DERIVED_SCENARIO_FILE, self.text.clone());
        }
    }
}

/// Two scenarios are equal when they were read from the same text under the same label.
impl PartialEq for Scenario {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.label == other.label
    }
}
