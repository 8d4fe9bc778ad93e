//! `merge_shards`: the shards of one run combined into the whole run's result, bit-identical to running it unsharded.

use super::{Error, Index, Scenario, ShardState, UncertaintyResult};
use crate::analysis::merge::{MergeRequest, MergeRunError, merge_run};
use crate::engine::Silent;

/// Options of [`merge_shards`]: every setting is taken from the shards when `None`, and one
/// given must agree with them.
pub type MergeOptions = MergeRequest;

/// Combines the states of every shard of one run, on the `index` and `scenario` the shards ran
/// (their hashes are checked), into the run's [`UncertaintyResult`]: the same numbers and
/// summary.json as `ranksense merge` and as the unsharded run.
pub fn merge_shards(
    index: &Index,
    scenario: &Scenario,
    states: Vec<ShardState>,
    options: MergeOptions,
) -> Result<UncertaintyResult, Error> {
    let states = states.into_iter().map(|s| (s.file, s.state)).collect();
    let run = merge_run(
        index.model(),
        scenario.model(),
        scenario.text(),
        states,
        &options,
        &Silent,
    )
    .map_err(|error| match error {
        MergeRunError::Setup(setup) => Error::from(setup),
        other => Error::input(other),
    })?;
    let fingerprint = &run.setup.fingerprint;
    let settings = (Some(fingerprint.total_samples), fingerprint.seed);
    Ok(UncertaintyResult::new(index, scenario, run, settings))
}
