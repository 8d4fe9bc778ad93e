//! Merging shards: the partial states of one sharded uncertainty run, checked against the data and scenario they claim to be of, into the whole run's result (bit-identical to an unsharded run).

#![warn(missing_docs)]

use std::fmt;

use super::convergence::{Convergence, assess};
use super::data_error::{SplitOptions, analyse};
use super::uncertainty_run::UncertaintyRun;
use super::uncertainty::{
    PairSelection, Setup, UncertaintyError, UncertaintyOptions,
};
use crate::engine::shard::{
    MergeError, MergedStates, PartialState, SHARDS_MERGED_PHASE, ShardMerger,
};
use crate::engine::{Accumulator, Layout, Observer};
use crate::model::Index;
use crate::scenario::Scenario;

/// The settings a merge is asked for. Every one is taken from the shards when `None`; one
/// given must agree with the shards' (a caller who asks for seed 9 expects seed 9, so merging
/// shards of seed 7 under it would be a silent lie, and ignoring it would hide the mistake).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergeRequest {
    /// The run's total number of samples.
    pub samples: Option<u64>,
    /// The run's seed.
    pub seed: Option<u64>,
    /// The focus unit (code or name).
    pub focus: Option<String>,
    /// k of "P(top k)".
    pub top_k: Option<u32>,
    /// The rank bin width of the histograms.
    pub bin_width: Option<u32>,
    /// The units that keep pairwise counts.
    pub pairs: Option<PairSelection>,
    /// Worker threads for summarising (0 = all cores); results do not depend on it.
    pub threads: usize,
}

/// A run setting a merge can be asked for ([`MergeRequest`]'s fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeSetting {
    /// The seed.
    Seed,
    /// The total number of samples.
    Samples,
    /// The focus unit.
    Focus,
    /// k of "P(top k)".
    TopK,
    /// The rank bin width.
    BinWidth,
}

impl fmt::Display for MergeSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MergeSetting::Seed => "seed",
            MergeSetting::Samples => "samples",
            MergeSetting::Focus => "focus",
            MergeSetting::TopK => "top-k",
            MergeSetting::BinWidth => "bin width",
        })
    }
}

/// Why shards could not be merged into a run.
#[derive(Debug, thiserror::Error)]
pub enum MergeRunError {
    /// The state files themselves (unreadable, damaged, missing or duplicate shards).
    #[error(transparent)]
    States(#[from] MergeError),
    /// The run cannot be set up on these data and this scenario.
    #[error(transparent)]
    Setup(#[from] UncertaintyError),
    /// A setting asked for differs from the shards'.
    #[error(
        "the shards were run with {setting} {ran}, not {given}; fix: ask for {setting} {ran} or leave the {setting} unset (the merge takes it from the shards); for {setting} {given}, run the shards again with it"
    )]
    Setting {
        /// Which setting.
        setting: MergeSetting,
        /// The value asked for.
        given: String,
        /// The shards' value.
        ran: String,
    },
    /// The pair selection asked for keeps other units' pairwise counts than the shards did.
    #[error(
        "the shards kept pairwise counts for {kept}, not for pair selection `{given}`; fix: leave the pair selection unset (the merge takes the pairs from the shards), or run the shards again with `{given}`"
    )]
    Pairs {
        /// The selection asked for (`all`, `focus`, `top:K`).
        given: String,
        /// What the shards kept, e.g. "every unit" or "1 of the 51 units".
        kept: String,
        /// Whether the shards kept every unit's row.
        all: bool,
    },
    /// The shards were run by another version of ranksense.
    #[error(
        "the shards were run by ranksense {ran}, this is ranksense {this}; fix: merge them with the version that ran them, or run the shards again with this one"
    )]
    Version {
        /// The shards' version.
        ran: String,
        /// This library's version.
        this: String,
    },
    /// The shards were run on other data or another scenario (hash prefixes of both).
    #[error(
        "the shards were run on other data or another scenario than the ones given here (data hash {shard_data} vs {given_data}, scenario hash {shard_scenario} vs {given_scenario}); fix: merge with the same data and scenario as the shard runs"
    )]
    OtherInputs {
        /// The shards' data hash (first 12 hex digits).
        shard_data: String,
        /// The given data's hash.
        given_data: String,
        /// The shards' scenario hash.
        shard_scenario: String,
        /// The given scenario's hash.
        given_scenario: String,
    },
    /// States whose counts are laid out for another index (a forged checksum); all states
    /// share one layout, so the first file is named.
    #[error(
        "{file}: its counts are laid out for another index (units, rank bands, score scale, weights or factors differ from what this data and scenario give); fix: run its shards again and pass the new state files"
    )]
    Layout {
        /// The first state file merged.
        file: String,
    },
}

/// Merges states one at a time as `states` yields them (each read when it is needed and
/// dropped once added, so memory does not grow with their number): the running total
/// ([`ShardMerger`]). Progress is one phase counted per state (`expected` of them, 0 when not
/// known).
pub fn merge_stream(
    states: impl IntoIterator<Item = Result<(String, PartialState), MergeError>>,
    expected: u64,
    observer: &dyn Observer,
) -> Result<ShardMerger, MergeError> {
    let mut merger = ShardMerger::default();
    observer.phase(SHARDS_MERGED_PHASE, expected);
    for (merged, state) in states.into_iter().enumerate() {
        let (file, state) = state?;
        merger.add(&file, state)?;
        observer.advanced(merged as u64 + 1);
    }
    Ok(merger)
}

/// Merges the partial states of every shard of one run (each with the file name its messages
/// give; shards' own states or merged states of consecutive shards, in any order) into the
/// whole run on `index` and `scenario` (the scenario's text is hashed and must be the
/// shards'). The states are streamed ([`merge_stream`]; `expected` of them, for progress).
/// Every state is checked (checksum, one run, each shard once); the settings of `request` must
/// agree with the shards'.
pub fn merge_run(
    index: &Index,
    scenario: &Scenario,
    scenario_text: &str,
    states: impl IntoIterator<Item = Result<(String, PartialState), MergeError>>,
    expected: u64,
    request: &MergeRequest,
    observer: &dyn Observer,
) -> Result<UncertaintyRun, MergeRunError> {
    let merged = merge_stream(states, expected, observer)?.finish()?;
    merged_run(index, scenario, scenario_text, merged, request, observer)
}

/// The whole run from its merged states ([`ShardMerger::finish`]), checked against `index`,
/// `scenario` and `request` as [`merge_run`] says.
///
/// With `[[noise]]` entries the data-error analysis is run here, whole, as the unsharded run
/// runs it after its Monte Carlo ([`super::uncertainty_run`]): the run without the noise and
/// the split depend only on the data, the scenario, the seed and the sample count, which the
/// shards agree on, so the merged report carries the same data-error section byte for byte.
/// It is not sharded: the run without the noise takes the noiseless engine's time, and the
/// split a fixed design (4 × 1,024 runs by default).
pub fn merged_run(
    index: &Index,
    scenario: &Scenario,
    scenario_text: &str,
    merged: MergedStates,
    request: &MergeRequest,
    observer: &dyn Observer,
) -> Result<UncertaintyRun, MergeRunError> {
    let MergedStates {
        fingerprint,
        accumulator,
        first_file,
    } = merged;
    // The run is the shards' run: its focus and top-k replace the scenario's, as a
    // requested value of theirs did.
    let mut scenario = scenario.clone();
    if request.focus.is_some() || fingerprint.focus.is_some() {
        scenario.focus = None;
    }
    scenario.top_k = None;
    let options = UncertaintyOptions {
        samples: request.samples.unwrap_or(fingerprint.total_samples),
        seed: request.seed.unwrap_or(fingerprint.seed),
        threads: request.threads,
        focus: request.focus.clone().or(fingerprint.focus.clone()),
        top_k: Some(request.top_k.unwrap_or(fingerprint.top_k)),
        bin_width: Some(request.bin_width.unwrap_or(accumulator.bins.width)),
        pairs: request.pairs,
        ..UncertaintyOptions::default()
    };
    let setup = Setup::new(index, &scenario, scenario_text, &options)?;
    check_request(request, &fingerprint, &setup, &accumulator)?;
    if setup.fingerprint.version != fingerprint.version {
        return Err(MergeRunError::Version {
            ran: fingerprint.version,
            this: setup.fingerprint.version,
        });
    }
    if setup.fingerprint != fingerprint {
        let short = |hash: &String| hash.get(..12).unwrap_or(hash).to_string();
        return Err(MergeRunError::OtherInputs {
            shard_data: short(&fingerprint.input_hash),
            given_data: short(&setup.fingerprint.input_hash),
            shard_scenario: short(&fingerprint.scenario_hash),
            given_scenario: short(&setup.fingerprint.scenario_hash),
        });
    }
    // Same data and scenario, so the parts of the layout no setting chooses must be this
    // run's: a state that passed its checksum but not this was rewritten with a forged one.
    // Every state had the first's layout (the merge refuses others), so the total's is theirs.
    let expected = Accumulator::new(&Layout {
        pair_units: accumulator.pair_units.clone(),
        ..setup.layout.clone()
    });
    {
        let a = &accumulator;
        if (a.n_units, a.n_bands, &a.weight_nodes, a.factor_moved.len())
            != (
                expected.n_units,
                expected.n_bands,
                &expected.weight_nodes,
                expected.factor_moved.len(),
            )
            || (a.score_scale, a.score_sq_scale, a.weight_scale)
                != (
                    expected.score_scale,
                    expected.score_sq_scale,
                    expected.weight_scale,
                )
        {
            return Err(MergeRunError::Layout { file: first_file });
        }
    }
    let stats = setup.summarise(&accumulator);
    let verdict = setup.verdict(&stats);
    let factors = setup.model.factor_summaries();
    let convergence = Convergence::new(assess(&stats, setup.focus), accumulator.samples, None);
    let data_error = analyse(
        index,
        &scenario,
        scenario_text,
        &options,
        accumulator.samples,
        &setup,
        &SplitOptions::default(),
        observer,
    )?;
    Ok(UncertaintyRun {
        setup,
        accumulator,
        stats,
        verdict,
        convergence,
        factors,
        data_error,
    })
}

/// The first setting of `request` that differs from the shards'.
fn check_request(
    request: &MergeRequest,
    shards: &crate::engine::shard::RunFingerprint,
    setup: &Setup,
    accumulator: &Accumulator,
) -> Result<(), MergeRunError> {
    let differs = |setting, given: String, ran: String| MergeRunError::Setting {
        setting,
        given,
        ran,
    };
    if let Some(seed) = request.seed
        && seed != shards.seed
    {
        return Err(differs(
            MergeSetting::Seed,
            seed.to_string(),
            shards.seed.to_string(),
        ));
    }
    if let Some(samples) = request.samples
        && samples != shards.total_samples
    {
        return Err(differs(
            MergeSetting::Samples,
            samples.to_string(),
            shards.total_samples.to_string(),
        ));
    }
    if let Some(focus) = &request.focus
        && setup.fingerprint.focus != shards.focus
    {
        let ran = shards.focus.clone().unwrap_or_else(|| "no focus".into());
        return Err(differs(MergeSetting::Focus, focus.clone(), ran));
    }
    if let Some(k) = request.top_k
        && setup.fingerprint.top_k != shards.top_k
    {
        return Err(differs(
            MergeSetting::TopK,
            k.to_string(),
            shards.top_k.to_string(),
        ));
    }
    if let Some(width) = request.bin_width
        && setup
            .layout
            .bin_width
            .clamp(1, accumulator.n_units.max(1) as u32)
            != accumulator.bins.width
    {
        return Err(differs(
            MergeSetting::BinWidth,
            width.to_string(),
            accumulator.bins.width.to_string(),
        ));
    }
    if let Some(pairs) = request.pairs
        && setup.layout.pair_units != accumulator.pair_units
    {
        let given = match pairs {
            PairSelection::All => "all".to_string(),
            PairSelection::Focus => "focus".to_string(),
            PairSelection::Top(k) => format!("top:{k}"),
        };
        let rows = accumulator.pair_units.len();
        let all = rows == accumulator.n_units;
        return Err(MergeRunError::Pairs {
            given,
            kept: if all {
                "every unit".to_string()
            } else {
                format!("{rows} of the {} units", accumulator.n_units)
            },
            all,
        });
    }
    Ok(())
}
