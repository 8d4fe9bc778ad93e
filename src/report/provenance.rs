//! Where a run's settings and scenario came from: each setting's origin (command line, scenario, index.toml or default) and, when no scenario was given, the derived one.
//!
//! A setting's origin is decided from its value: the source that would supply it without the
//! command line (the scenario, then index.toml, then the default) when the value is that
//! source's, else the command line. So a flag repeating the scenario's value is reported as
//! the scenario's (it changed nothing), and `merge`, which takes the settings from the shards,
//! reports exactly what the unsharded run reports.

use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::model::Index;
use crate::scenario::Scenario;
use crate::scenario::derive::{Derivation, LeftOut};

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Origin {
    #[serde(rename = "command line")]
    CommandLine,
    #[serde(rename = "scenario")]
    Scenario,
    #[serde(rename = "index.toml")]
    IndexToml,
    #[serde(rename = "default")]
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::CommandLine => "command line",
            Origin::Scenario => "scenario",
            Origin::IndexToml => "index.toml",
            Origin::Default => "default",
        })
    }
}

/// One setting's value and origin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

/// The run settings a scenario may set and the command line overrides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSettings {
    /// Monte Carlo samples (absent for commands that take none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<Setting<u64>>,
    pub seed: Setting<u64>,
    /// The focus unit's uCode, if there is one.
    pub focus: Setting<Option<String>>,
    /// k of "P(top k)" (absent when the run has no top-k target).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_k: Option<Setting<u32>>,
}

/// The values a run used, as resolved from every source.
pub struct Resolved<'a> {
    pub samples: Option<u64>,
    pub seed: u64,
    /// The focus unit's uCode.
    pub focus: Option<&'a str>,
    pub top_k: Option<u32>,
    /// The k used when neither the command line nor the scenario gives one.
    pub default_top_k: u32,
}

/// The seed a run takes when neither the command line nor the scenario gives one.
pub const DEFAULT_SEED: u64 = 1;

fn origin_of<T: PartialEq>(value: &T, without_command_line: (T, Origin)) -> Origin {
    if *value == without_command_line.0 {
        without_command_line.1
    } else {
        Origin::CommandLine
    }
}

impl RunSettings {
    /// The origin of each resolved value; `scenario` is the scenario as written (before the
    /// command line replaced any of its values).
    pub fn attribute(index: &Index, scenario: &Scenario, resolved: &Resolved) -> Self {
        let or_default = |value: Option<u64>, default: u64| match value {
            Some(value) => (value, Origin::Scenario),
            None => (default, Origin::Default),
        };
        // A fixed count comes from the scenario or the command line; without one the run is
        // converged (`samples` absent, the summary's convergence section says how many).
        let samples = resolved.samples.map(|value| Setting {
            value,
            origin: match scenario.samples {
                Some(written) if written == value => Origin::Scenario,
                _ => Origin::CommandLine,
            },
        });
        let seed = Setting {
            value: resolved.seed,
            origin: origin_of(&resolved.seed, or_default(scenario.seed, DEFAULT_SEED)),
        };
        // Scenario and index.toml may name the focus by code or name: compare units.
        let code = |name: &String| index.find_unit(name).map(|u| index.units[u].code.clone());
        let focus_source = match (&scenario.focus, &index.info.focus) {
            (Some(name), _) => (code(name), Origin::Scenario),
            (None, Some(name)) => (code(name), Origin::IndexToml),
            (None, None) => (None, Origin::Default),
        };
        let focus_value = resolved.focus.map(str::to_string);
        let focus = Setting {
            origin: origin_of(&focus_value, focus_source),
            value: focus_value,
        };
        let top_k_source = match scenario.top_k {
            Some(k) => (k as u32, Origin::Scenario),
            None => (resolved.default_top_k, Origin::Default),
        };
        let top_k = resolved.top_k.map(|value| Setting {
            value,
            origin: origin_of(&value, top_k_source),
        });
        RunSettings {
            samples,
            seed,
            focus,
            top_k,
        }
    }

    /// One line for reports: "samples 200 (command line), seed 1 (default), …".
    pub fn sentence(&self) -> String {
        let mut parts = Vec::new();
        if let Some(samples) = &self.samples {
            parts.push(format!("samples {} ({})", samples.value, samples.origin));
        }
        parts.push(format!("seed {} ({})", self.seed.value, self.seed.origin));
        parts.push(match &self.focus.value {
            Some(code) => format!("focus `{code}` ({})", self.focus.origin),
            None => format!("no focus unit ({})", self.focus.origin),
        });
        if let Some(top_k) = &self.top_k {
            parts.push(format!("top-k {} ({})", top_k.value, top_k.origin));
        }
        parts.join(", ")
    }
}

/// The scenario derived from the index when none was given, as reports show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DerivedScenario {
    /// The file of the report folder it was written to.
    pub file: String,
    /// What varies and why, one entry per section.
    pub chosen: Vec<String>,
    pub left_out: Vec<LeftOut>,
    /// The scenario without comments.
    pub toml: String,
}

/// The name of the derived scenario's file in a report folder.
pub const DERIVED_SCENARIO_FILE: &str = "scenario.toml";

impl DerivedScenario {
    pub fn of(derivation: &Derivation) -> Self {
        DerivedScenario {
            file: DERIVED_SCENARIO_FILE.to_string(),
            chosen: derivation.chosen.clone(),
            left_out: derivation.left_out.clone(),
            toml: derivation.scenario.to_toml_string(),
        }
    }

    /// The Markdown section of reports.
    pub fn markdown(&self) -> String {
        let mut out = String::from("## Scenario derived from the index\n\n");
        let _ = writeln!(
            out,
            "No scenario was given, so ranksense derived a first uncertainty analysis from the index (OECD/JRC Handbook 2008, ch. 7). It is written to `{}` in this folder with comments and every option a scenario can use; edit it and pass it back as the scenario of the next run.\n",
            self.file
        );
        for chosen in &self.chosen {
            let _ = writeln!(out, "- Varied: {chosen}.");
        }
        for left_out in &self.left_out {
            let _ = writeln!(out, "- Left out: {}: {}.", left_out.choice, left_out.reason);
        }
        let _ = writeln!(out, "\n```toml\n{}```\n", self.toml);
        out
    }
}
