//! Where a resolved scenario's refusal points: the scenario entry (or `index.toml` key) that offers the method the data cannot take.

use super::super::{Choice, Scenario};
use crate::model::Index;
use crate::model::error::Location;
use crate::pipeline::{AggregationRangeError, PrepareError, VariantSpec};

/// Why a resolved scenario cannot run on the data.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioRunError {
    #[error("{location}: {}\n  fix: {}", error.problem_and_fix().0, error.problem_and_fix().1)]
    Prepare {
        location: Box<Location>,
        error: Box<PrepareError>,
    },
    // `reason`, not `source`: the message already includes it, so no error chain repeats it.
    #[error("{location}: {}\n  fix: {}", reason.problem(), reason.fix())]
    Range {
        location: Box<Location>,
        reason: Box<AggregationRangeError>,
    },
}

/// Where the method that could not prepare the data was chosen: the scenario's alternative
/// (or nominal override) if it offers the method, else the index's `index.toml`.
pub(super) fn locate_preparation(scenario: &Scenario, index: &Index, error: &PrepareError) -> Location {
    let at = |path: String| scenario_location(scenario, path);
    let index_toml = |key: &str| {
        let mut location = index.method_locations.normalisation.clone();
        location.line = None;
        location.column(key)
    };
    // The path of `method` among a scenario choice's alternatives or its nominal override.
    fn find<T: std::fmt::Display>(choice: Option<&Choice<T>>, method: &str) -> Option<String> {
        let choice = choice?;
        if let Some(k) = choice
            .alternatives
            .iter()
            .position(|a| a.to_string() == method)
        {
            return Some(format!("alternatives[{}]", k + 1));
        }
        (choice.nominal.as_ref().map(|n| n.to_string()).as_deref() == Some(method))
            .then(|| "nominal".to_string())
    }
    match error {
        PrepareError::Normalise { normalisation, .. }
        | PrepareError::UnknownReference { normalisation, .. }
        | PrepareError::ScreenedReference { normalisation, .. } => {
            match find(scenario.normalisation.as_ref(), normalisation) {
                Some(path) => at(format!("normalisation.{path}")),
                None => index.method_locations.normalisation.clone(),
            }
        }
        PrepareError::UnknownGroup { imputation, .. } => {
            match find(scenario.imputation.as_ref(), imputation) {
                Some(path) => at(format!("imputation.{path}")),
                None => index_toml("method.imputation"),
            }
        }
        PrepareError::NothingLeft { .. } => index_toml("method.screen"),
    }
}

fn scenario_location(scenario: &Scenario, path: String) -> Location {
    let location = Location::file(&scenario.source);
    match scenario.line_of(&path) {
        Some(line) => location.line(line).column(path),
        None => location.column(path),
    }
}

/// Where a scenario offers the method that [`check_aggregations`] refused: the aggregation
/// alternative at the refused level if the scenario offers one, else the normalisation
/// alternative whose values are at fault, else the scenario's nominal override (the index's
/// own nominal method is checked when the index is loaded).
pub(super) fn locate_refusal(
    scenario: &Scenario,
    variant: &VariantSpec,
    reason: &AggregationRangeError,
) -> Location {
    let at = |path: String| scenario_location(scenario, path);
    let aggregation = reason.aggregation();
    if let Some(i) = scenario.aggregation.iter().position(|spec| {
        spec.levels
            .as_ref()
            .is_none_or(|l| l.contains(&reason.level()))
    }) {
        let choice = &scenario.aggregation[i].choice;
        if let Some(k) = choice.alternatives.iter().position(|&a| a == aggregation) {
            return at(format!("aggregation[{}].alternatives[{}]", i + 1, k + 1));
        }
        if choice.nominal == Some(aggregation) {
            return at(format!("aggregation[{}].nominal", i + 1));
        }
    }
    if reason.blames_normalisation()
        && let Some(choice) = &scenario.normalisation
    {
        if let Some(k) = choice
            .alternatives
            .iter()
            .position(|n| *n == variant.normalisation)
        {
            return at(format!("normalisation.alternatives[{}]", k + 1));
        }
        if choice.nominal.as_ref() == Some(&variant.normalisation) {
            return at("normalisation.nominal".to_string());
        }
    }
    Location::file(&scenario.source)
}
