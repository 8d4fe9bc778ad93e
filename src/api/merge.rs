//! `merge_shards`: the shards of one run combined into the whole run's result, bit-identical to running it unsharded.

use super::{Error, Index, Scenario, ShardState, UncertaintyResult};
use crate::analysis::merge::{MergeRequest, MergeRunError, merge_run, merge_stream};
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
    let expected = states.len() as u64;
    let states = states.into_iter().map(|s| Ok((s.file, s.state)));
    let run = merge_run(
        index.model(),
        scenario.model(),
        scenario.text(),
        states,
        expected,
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

/// Combines the states of consecutive shards of one run (shards' own states or merged ones, in
/// any order) into one merged state, for a two-stage merge of many shards: merge groups into
/// states, then those states with [`merge_shards`]. The result's bytes
/// ([`ShardState::to_bytes`]) are the same for any grouping of the same shards.
pub fn merge_into_state(states: Vec<ShardState>) -> Result<ShardState, Error> {
    let expected = states.len() as u64;
    let states = states.into_iter().map(|s| Ok((s.file, s.state)));
    let state = merge_stream(states, expected, &Silent)
        .and_then(|merger| merger.into_state())
        .map_err(Error::input)?;
    let file = format!(
        "state-{}-{}-of-{}.json",
        state.shard.index, state.last_shard, state.shard.count
    );
    Ok(ShardState { file, state })
}
