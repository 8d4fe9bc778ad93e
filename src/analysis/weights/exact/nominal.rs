//! The nominal scores an exact analysis starts from: the index prepared once under the nominal
//! method (or a what-if override), and a rescorer that scores it at other weights.

use super::*;

/// What-if choices replacing the nominal method (as `ranksense score --normalisation/--aggregation`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MethodOverride {
    pub normalisation: Option<Normalisation>,
    /// Used at every aggregate level.
    pub aggregation: Option<Aggregation>,
}

/// The method actually used, for reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodDescription {
    pub normalisation: String,
    /// One per aggregate level, bottom-up.
    pub aggregation: Vec<String>,
}

impl MethodDescription {
    /// `minmax(0,100), arithmetic` or `..., arithmetic / geometric` when levels differ.
    pub fn label(&self) -> String {
        let aggregation = if self.aggregation.iter().all(|a| *a == self.aggregation[0]) {
            self.aggregation[0].clone()
        } else {
            self.aggregation.join(" / ")
        };
        format!("{}, {aggregation} aggregation", self.normalisation)
    }
}

/// The index prepared and scored once under its (possibly overridden) nominal method.
#[derive(Debug, Clone)]
pub struct NominalScores {
    pub prepared: Prepared,
    /// Variant 0, the method's aggregation, the framework's nominal weights.
    pub config: Config,
    pub evaluation: Evaluation,
    pub method: MethodDescription,
}

impl NominalScores {
    /// Prepares the nominal data variant (with the overrides) and scores it. Refuses a
    /// geometric/harmonic/generalised mean on data with non-positive values, and a power mean
    /// that would overflow.
    pub fn new(index: &Index, method: &MethodOverride) -> Result<Self, ExactError> {
        let mut variant = nominal_variant(index);
        if let Some(normalisation) = &method.normalisation {
            variant.normalisation = normalisation.clone();
        }
        let aggregation = match method.aggregation {
            Some(a) => vec![a; index.framework.n_aggregate_levels()],
            None => index.nominal.aggregation.clone(),
        };
        let prepared = prepare(index, std::slice::from_ref(&variant))?;
        let config = Config {
            variant: 0,
            aggregation,
            weights: prepared.framework.nominal_weights(),
        };
        let evaluation = evaluate(&prepared, &config)?;
        let method = MethodDescription {
            normalisation: variant.normalisation.to_string(),
            aggregation: config.aggregation.iter().map(|a| a.to_string()).collect(),
        };
        Ok(NominalScores {
            prepared,
            config,
            evaluation,
            method,
        })
    }

    pub fn framework(&self) -> &Framework {
        &self.prepared.framework
    }

    pub fn n_units(&self) -> usize {
        self.prepared.n_units()
    }

    /// Nominal rank of every kept unit (1 = best, ties share the best rank).
    pub fn nominal_ranks(&self) -> &[u32] {
        self.evaluation.top_ranks(&self.prepared)
    }

    /// The unit named by `requested` (code or name), else the index's default focus, else
    /// `None`. An unknown name is an input error.
    pub fn focus(
        &self,
        requested: Option<&str>,
        index: &Index,
    ) -> Result<Option<usize>, ExactError> {
        let Some(name) = requested.or(index.info.focus.as_deref()) else {
            return Ok(None);
        };
        match self.prepared.find_requested_unit(name) {
            Ok(Some(unit)) => Ok(Some(unit)),
            Err(screened) => Err(ExactError::ScreenedOut(screened)),
            Ok(None) => Err(input_error(
                format!("unit `{name}` is not among the ranked units"),
                "use a uCode or name from data.csv",
            )),
        }
    }

    /// Like [`NominalScores::focus`], but a focus unit is required.
    pub fn require_focus(
        &self,
        requested: Option<&str>,
        index: &Index,
    ) -> Result<usize, ExactError> {
        self.focus(requested, index)?.ok_or_else(|| {
            input_error(
                "no focus unit: the index names none",
                "name a focus unit (a uCode or name from data.csv)",
            )
            .with_remedy(Remedy::Focus)
        })
    }
}

/// Re-scores weight vectors with the ordinary scorer ([`crate::pipeline::score()`]), reusing one
/// configuration and one scratch so that a loop of re-scorings allocates nothing.
pub struct Rescorer<'a> {
    pub(super) nominal: &'a NominalScores,
    pub(super) config: Config,
    pub(super) scratch: Scratch,
}

impl<'a> Rescorer<'a> {
    pub fn new(nominal: &'a NominalScores) -> Self {
        Rescorer {
            nominal,
            config: nominal.config.clone(),
            scratch: Scratch::new(&nominal.prepared),
        }
    }

    /// The raw weight of every framework node, to be overwritten before [`Rescorer::top_ranks`].
    pub fn weights_mut(&mut self) -> &mut [f64] {
        &mut self.config.weights
    }

    /// Restores the nominal weights.
    pub fn reset(&mut self) {
        self.config
            .weights
            .copy_from_slice(&self.nominal.config.weights);
    }

    /// Scores the current weights; returns the index ranks of every unit.
    pub fn top_ranks(&mut self) -> &[u32] {
        let prepared = &self.nominal.prepared;
        score(prepared, &self.config, &mut self.scratch);
        self.scratch.rank(prepared, prepared.framework.top)
    }

    /// Index scores of the last [`Rescorer::top_ranks`] call.
    pub fn top_scores(&self) -> &[f64] {
        self.scratch
            .aggregate_scores(self.nominal.prepared.framework.top)
    }
}
