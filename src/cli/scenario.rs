//! The `--scenario` flag: a file path or the name of a shipped scenario.

use std::path::Path;

use super::Failure;
use crate::model::Index;
use crate::uncertainty::embedded;
use crate::uncertainty::scenario::{Scenario, read_text};

/// A loaded scenario with its text (hashed into reports and shard fingerprints).
pub struct LoadedScenario {
    pub scenario: Scenario,
    pub text: String,
    pub file: String,
}

/// Loads `--scenario` (path, or shipped name such as `ieci-full`), or the default for the
/// index: `ieci-full` for the embedded IECI data, `asem-coinr` for ASEM.
pub fn load(arg: Option<&str>, index: &Index) -> Result<LoadedScenario, Failure> {
    let name = match arg {
        Some(name) => name.to_string(),
        None if index.info.source == "embedded:asem" => "asem-coinr".to_string(),
        None if index.info.source == "embedded:ieci2022" => embedded::DEFAULT.to_string(),
        None => {
            return Err(Failure::input(anyhow::anyhow!(
                "no scenario given for {}; fix: pass `--scenario FILE` (see the shipped examples: {})",
                index.info.name,
                embedded::names().join(", ")
            )));
        }
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
        scenario,
        text,
        file,
    })
}

/// Loads a scenario file and validates it against the index.
pub fn load_checked(path: &Path, index: &Index) -> Result<LoadedScenario, Failure> {
    let loaded = load(Some(&path.to_string_lossy()), index)?;
    loaded.scenario.validate(index)?;
    Ok(loaded)
}
