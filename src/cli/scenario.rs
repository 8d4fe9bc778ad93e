//! The `--scenario` flag: a file path or the name of a shipped scenario; without it, the shipped default of an embedded data set or the scenario derived from the index.

use std::path::Path;

use super::Failure;
use crate::model::Index;
use crate::report::provenance::{DERIVED_SCENARIO_FILE, DerivedScenario, Resolved, RunSettings};
use crate::report::summary::Summary;
use crate::scenario::derive::Derivation;
use crate::scenario::embedded;
use crate::scenario::template::{DERIVED_LABEL, derived_file};
use crate::scenario::{Scenario, read_text};

/// A loaded scenario with its text (hashed into reports and shard fingerprints).
pub struct LoadedScenario {
    /// The scenario the run uses: as written, less the values the command line replaces.
    pub scenario: Scenario,
    /// The scenario as written, for the origins of the run settings.
    pub written: Scenario,
    pub text: String,
    pub file: String,
    /// How the scenario was derived from the index, when none was given.
    pub derived: Option<Derivation>,
}

/// Loads `--scenario` (path, or shipped name such as `ieci-full`), or the default for the
/// index: `ieci-full` for the embedded IECI data, `asem` for the embedded ASEM data, and
/// for any other index the scenario derived from it ([`derive`]).
pub fn load(arg: Option<&str>, index: &Index) -> Result<LoadedScenario, Failure> {
    let name = match arg {
        Some(name) => name.to_string(),
        None => match embedded::default_for(&index.info.source) {
            Some(name) => name.to_string(),
            None => return derived(index),
        },
    };
    let path = Path::new(&name);
    let (file, text) = if path.exists() {
        (name.clone(), read_text(path)?)
    } else if let Some((file, text)) = embedded::find(&name) {
        (file.to_string(), text.to_string())
    } else {
        return Err(Failure::input(anyhow::anyhow!(
            "scenario `{name}` is neither a file nor a shipped scenario; fix: give a path to a .toml file or one of: {}",
            embedded::names().join(", ")
        )));
    };
    let scenario = Scenario::from_toml_str(&text, &file)?;
    Ok(LoadedScenario {
        written: scenario.clone(),
        scenario,
        text,
        file,
        derived: None,
    })
}

/// The scenario derived from the index, read back from the file text it is written as, so a
/// run with that file (`--scenario scenario.toml`) is the same run.
fn derived(index: &Index) -> Result<LoadedScenario, Failure> {
    let derived = derived_file(index).map_err(|e| Failure::Internal(anyhow::anyhow!(e)))?;
    Ok(LoadedScenario {
        written: derived.scenario.clone(),
        scenario: derived.scenario,
        text: derived.text,
        file: DERIVED_LABEL.to_string(),
        derived: Some(derived.derivation),
    })
}

impl LoadedScenario {
    /// Values given on the command line replace the scenario's: the scenario's own focus and
    /// top-k are then neither used nor checked against the data (samples and seed need no
    /// check and are resolved with the run's options).
    pub fn override_with(&mut self, focus: bool, top_k: bool) {
        if focus {
            self.scenario.focus = None;
        }
        if top_k {
            self.scenario.top_k = None;
        }
    }

    /// Records the settings' origins and the derived scenario in a summary.
    pub fn describe(&self, summary: &mut Summary, index: &Index, resolved: &Resolved) {
        summary.settings = Some(RunSettings::attribute(index, &self.written, resolved));
        summary.derived_scenario = self.derived.as_ref().map(DerivedScenario::of);
    }

    /// Tells stderr that the scenario was derived, and where it is written (`out`, the report
    /// folder, if any).
    pub fn announce(&self, out: Option<&Path>, data: Option<&str>) {
        let Some(derivation) = &self.derived else {
            return;
        };
        eprintln!("note: no scenario given, so one was derived from the index");
        for chosen in &derivation.chosen {
            eprintln!("note:   varied: {chosen}");
        }
        for left_out in &derivation.left_out {
            eprintln!("note:   left out: {}: {}", left_out.choice, left_out.reason);
        }
        match out {
            Some(dir) => eprintln!(
                "note: the derived scenario is written to {} (edit it and pass it back with --scenario)",
                dir.join(DERIVED_SCENARIO_FILE).display()
            ),
            None => eprintln!(
                "note: to keep the derived scenario, pass --out DIR or run `ranksense init --data DIR`"
            ),
        }
        if let Some(dir) = data {
            let existing = Path::new(dir).join(DERIVED_SCENARIO_FILE);
            if existing.is_file() {
                eprintln!(
                    "note: {} exists but is not used; pass `--scenario {}` to use it",
                    existing.display(),
                    existing.display()
                );
            }
        }
    }
}

/// Loads a scenario file and validates it against the index.
pub fn load_checked(path: &Path, index: &Index) -> Result<LoadedScenario, Failure> {
    let loaded = load(Some(&path.to_string_lossy()), index)?;
    loaded.scenario.validate(index)?;
    Ok(loaded)
}
