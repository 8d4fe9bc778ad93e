//! `score`: the nominal ranking of an index, or its ranking under another normalisation or aggregation (a what-if).

use super::{Error, Index};
use crate::model;
use crate::model::input::suggest::one_of;
use crate::model::method::{Aggregation, Normalisation};
use crate::model::{LoadError, Location};
use crate::pipeline::prepare::nominal_variant;
use crate::pipeline::{Config, ConfigError, Evaluation, PrepareError, Prepared, evaluate, prepare};
use crate::report::ranking::{UnitResult, ranking_csv, ranking_units};
use crate::report::render::ScoreView;
use crate::report::summary::Summary;

/// Where messages about the weights of [`ScoreOptions`] say the problem is.
const WEIGHTS: &str = "weights";

/// Options of [`score`]. The default scores the index under its nominal method.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreOptions {
    /// Use this normalisation instead of the nominal one (e.g. `"zscore(10,2)".parse()`).
    pub normalisation: Option<Normalisation>,
    /// Use this aggregation at every aggregate level instead of the nominal ones.
    pub aggregation: Option<Aggregation>,
    /// What-if: these raw weights (as in meta.csv's Weight column, renormalised within the
    /// parent) for the named nodes (iCode or aggregate code); the others keep theirs.
    pub weights: Vec<(String, f64)>,
}

/// The ranking [`score`] computed: every unit's index score and rank, and each aggregate's.
pub struct ScoreResult {
    /// The index as scored (a what-if method in place of the nominal one).
    model: model::Index,
    prepared: Prepared,
    evaluation: Evaluation,
    ranking: Vec<UnitResult>,
    summary: Summary,
}

/// Scores every unit under the index's nominal method (or the what-if of `options`): the same
/// numbers as `ranksense score`.
pub fn score(index: &Index, options: ScoreOptions) -> Result<ScoreResult, Error> {
    Ok(score_model(what_if(index.model(), &options)?)?)
}

/// The index with the what-if method and weights of `options` in place of its nominal ones.
pub(crate) fn what_if(model: &model::Index, options: &ScoreOptions) -> Result<model::Index, Error> {
    let mut model = model.clone();
    if let Some(normalisation) = &options.normalisation {
        model.nominal.normalisation = normalisation.clone();
    }
    if let Some(aggregation) = options.aggregation {
        model.nominal.aggregation = vec![aggregation; model.framework.n_aggregate_levels()];
    }
    set_weights(&mut model, &options.weights)?;
    Ok(model)
}

/// Why an index could not be scored: its data could not be prepared, or its method cannot
/// run on them (typed, so the command line can name the what-if flag a refusal is about).
#[derive(Debug, thiserror::Error)]
pub(crate) enum ScoreError {
    #[error(transparent)]
    Prepare(#[from] PrepareError),
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl From<ScoreError> for Error {
    fn from(error: ScoreError) -> Self {
        match error {
            ScoreError::Prepare(error) => error.into(),
            ScoreError::Config(error) => error.into(),
        }
    }
}

/// Scores `model` under its nominal method: the one scoring route of `score` and the command.
pub(crate) fn score_model(model: model::Index) -> Result<ScoreResult, ScoreError> {
    let prepared = prepare(&model, &[nominal_variant(&model)])?;
    let config = Config {
        variant: 0,
        aggregation: model.nominal.aggregation.clone(),
        weights: prepared.framework.nominal_weights(),
    };
    let evaluation = evaluate(&prepared, &config)?;
    let ranking = ranking_units(&prepared, &evaluation);
    // The summary.json envelope; its method is the one scored (what-if included).
    let mut summary = Summary::new("score", &model);
    summary.ranking = Some(ranking.clone());
    Ok(ScoreResult {
        model,
        prepared,
        evaluation,
        ranking,
        summary,
    })
}

/// Replaces the raw weights of the named nodes, refusing an unknown code, the index itself or a
/// weight that is negative or not finite.
fn set_weights(model: &mut model::Index, weights: &[(String, f64)]) -> Result<(), Error> {
    let framework = &mut model.framework;
    let top = framework.top;
    for (code, weight) in weights {
        let location = Location::file(WEIGHTS).column(code.clone());
        let Some(node) = framework.nodes.iter().position(|n| &n.code == code) else {
            let codes: Vec<&str> = framework.nodes.iter().map(|n| n.code.as_str()).collect();
            return Err(LoadError::one(
                location,
                "no indicator or aggregate has this code",
                one_of(code, &codes),
            )
            .into());
        };
        if node == top {
            return Err(LoadError::one(
                location,
                "the index itself has no weight",
                "give weights of the indicators and aggregates below the index",
            )
            .into());
        }
        if !(weight.is_finite() && *weight >= 0.0) {
            return Err(LoadError::one(
                location,
                format!("weight {weight} is negative or not a number"),
                "give a finite weight of 0 or more (weights are renormalised within the parent)",
            )
            .into());
        }
        framework.nodes[node].weight = *weight;
    }
    Ok(())
}

impl ScoreResult {
    /// Units in rank order (best first), each with its index score and rank and every
    /// aggregate's score and rank.
    pub fn units(&self) -> &[UnitResult] {
        &self.ranking
    }

    /// One unit's result, by uCode or name; `None` if it is not ranked (unknown, or left out
    /// by screening).
    pub fn unit(&self, code_or_name: &str) -> Option<&UnitResult> {
        self.ranking
            .iter()
            .find(|u| u.code == code_or_name || u.name == code_or_name)
    }

    /// A unit's rank (1 = best), by uCode or name.
    pub fn rank(&self, code_or_name: &str) -> Option<u32> {
        self.unit(code_or_name).map(|u| u.rank)
    }

    /// The ranking as CSV (`score --format csv`); with `indicators`, the normalised indicator
    /// values too (`--level 1`).
    pub fn csv(&self, indicators: bool) -> String {
        ranking_csv(&self.prepared, &self.evaluation, indicators)
    }

    /// The summary.json envelope (`score --format json`).
    pub fn summary_json(&self) -> String {
        self.summary.to_json()
    }

    /// The command's view of this ranking, with `level`'s nodes beside the index.
    pub(crate) fn view(&self, level: Option<usize>) -> ScoreView<'_> {
        ScoreView {
            index: &self.model,
            prepared: &self.prepared,
            evaluation: &self.evaluation,
            level,
        }
    }
}
