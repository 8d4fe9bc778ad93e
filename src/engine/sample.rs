//! Scoring one sample: configure from its point, perturb the data if the model has data error,
//! score. The one sequence every sampled analysis runs (Monte Carlo, Sobol design, audit rows).

use super::SampleModel;
use crate::model::method::Aggregation;
use crate::pipeline::noise::NoisyData;
use crate::pipeline::{
    Config, DataView, LowerLevels, Prepared, Scratch, score_above, score_data, score_top,
};

/// One thread's state for scoring samples; allocation-free after [`SampleScorer::new`].
pub struct SampleScorer {
    pub config: Config,
    pub scratch: Scratch,
    /// Which factors moved from their nominal value in the last sample.
    pub moved: Vec<bool>,
    noisy: Option<NoisyData>,
}

impl SampleScorer {
    pub fn new(prepared: &Prepared, model: &dyn SampleModel) -> Self {
        SampleScorer {
            config: model.nominal(),
            scratch: Scratch::new(prepared),
            moved: vec![false; model.n_factors()],
            noisy: model.noise().map(|plan| plan.buffer(prepared)),
        }
    }

    /// Scores the sample at point `u` into `self.scratch`: the top node's scores are held, the
    /// other aggregates' may not be ([`score_top`]).
    /// Saved lower levels are used when the model returns a key for them and the sample has
    /// no data error (a model with data error returns none).
    pub fn score(
        &mut self,
        prepared: &Prepared,
        model: &dyn SampleModel,
        u: &[f64],
        lower_levels: Option<&[Option<LowerLevels>]>,
    ) {
        let key = model.configure(u, &mut self.config, &mut self.moved);
        if let (Some(plan), Some(noisy)) = (model.noise(), self.noisy.as_mut()) {
            // Only a geometric mean reads the indicators' logarithms.
            let needs_logs = self
                .config
                .aggregation
                .iter()
                .any(|a| matches!(a, Aggregation::Geometric));
            plan.apply(prepared, &self.config, u, needs_logs, noisy);
            score_data(
                prepared,
                DataView::noisy(noisy),
                &self.config,
                &mut self.scratch,
            );
            return;
        }
        match (key, lower_levels) {
            // Everything below was scored once for this key: read it, score the rest.
            (Some(key), Some(saved)) if saved[key].is_some() => {
                let lower = saved[key].as_ref().expect("checked");
                score_above(prepared, &self.config, &mut self.scratch, lower);
            }
            // Only the top node is read from here on: a large index skips storing the rest.
            _ => score_top(prepared, &self.config, &mut self.scratch),
        }
    }
}
