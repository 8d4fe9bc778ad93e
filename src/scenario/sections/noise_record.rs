//! The error model of a scenario's `[[noise]]` entries as a record for `summary.json`: what each
//! entry perturbs, how, where its numbers come from, and the checksum of a standard-errors file,
//! so a reader can tell which error model a run assumed and a rerun can check it has the same.

use serde::Serialize;

use super::noise::{NoiseKind, NoiseSpec, NoiseSpread};
use super::noise_errors::resolve;
use super::Scenario;
use crate::engine::shard::hex_sha256;
use crate::model::Framework;
use crate::pipeline::noise::ErrorDistribution;

/// One `[[noise]]` entry as run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoiseEntryRecord {
    /// The entry's name (or the default factor name).
    pub name: String,
    /// `error` (measurement error on present values) or `imputation` (missing values drawn).
    pub kind: &'static str,
    /// The indicator codes it perturbs, in framework order.
    pub indicators: Vec<String>,
    /// `normal`, `uniform` or `lognormal` (absent for imputation draws).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<ErrorDistribution>,
    /// `relative` (a fraction of each value), `absolute` (the indicator's units) or
    /// `standard-errors` (each cell's own, from a file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd_kind: Option<&'static str>,
    /// The spread of `relative` and `absolute` entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// Truncation range in the indicators' raw units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<(f64, f64)>,
    /// The entry's `source` text: where the error sizes come from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The standard-errors file as the scenario names it, its path as read and the SHA-256 of
    /// its bytes (`None` if it could not be read, which validation has already reported).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_errors: Option<StandardErrorsFile>,
    /// The error model in words (as the factor descriptions say it).
    pub description: String,
}

/// A standard-errors file an entry reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StandardErrorsFile {
    pub file: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub sha256: Option<String>,
}

/// The record of every `[[noise]]` entry of `scenario`, in file order.
pub fn error_model(scenario: &Scenario, framework: &Framework) -> Vec<NoiseEntryRecord> {
    scenario
        .noise
        .iter()
        .map(|spec| record(scenario, spec, framework))
        .collect()
}

fn record(scenario: &Scenario, spec: &NoiseSpec, framework: &Framework) -> NoiseEntryRecord {
    let indicators = spec
        .indicators_in(framework)
        .into_iter()
        .map(|j| framework.nodes[j].code.clone())
        .collect();
    let mut entry = NoiseEntryRecord {
        name: spec.name.clone().unwrap_or_else(|| spec.default_name()),
        kind: "imputation",
        indicators,
        distribution: None,
        sd_kind: None,
        sd: None,
        range: None,
        source: spec.source.clone(),
        standard_errors: None,
        description: spec.describe(),
    };
    if let NoiseKind::Error {
        distribution,
        spread,
        range,
    } = &spec.kind
    {
        entry.kind = "error";
        entry.distribution = Some(*distribution);
        entry.range = *range;
        match spread {
            NoiseSpread::Relative(sd) => (entry.sd_kind, entry.sd) = (Some("relative"), Some(*sd)),
            NoiseSpread::Absolute(sd) => (entry.sd_kind, entry.sd) = (Some("absolute"), Some(*sd)),
            NoiseSpread::StandardErrors { file, column } => {
                entry.sd_kind = Some("standard-errors");
                let path = resolve(scenario, file);
                entry.standard_errors = Some(StandardErrorsFile {
                    file: file.clone(),
                    path: path.display().to_string(),
                    column: column.clone(),
                    sha256: std::fs::read(&path).ok().map(|bytes| hex_sha256(&bytes)),
                });
            }
        }
    }
    entry
}
