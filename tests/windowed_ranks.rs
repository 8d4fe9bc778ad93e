//! Exact ranks at bounded memory: each unit's rank histogram spans only the ranks it took, and
//! equals the full n-rank histogram counted directly from the samples; windows merge exactly in
//! any split of the samples (threads, shards).

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use ranksense::analysis::uncertainty::{Setup, UncertaintyOptions};
use ranksense::analysis::uncertainty_run::run_uncertainty;
use ranksense::engine::shard::{PartialState, Shard, ShardMerger, merge_states};
use ranksense::engine::{SampleModel, Silent, sample_uniforms};
use ranksense::model::{Index, embedded};
use ranksense::pipeline::{Scratch, score};
use ranksense::scenario::Scenario;
use ranksense::scenario::embedded as scenarios;

fn asem() -> (Index, Scenario, String) {
    let index = embedded::load("asem").unwrap();
    let (file, text) = scenarios::find("asem-coinr").unwrap();
    let scenario = Scenario::from_toml_str(text, file).unwrap();
    (index, scenario, text.to_string())
}

/// `n_units × n_units` rank counts, counted sample by sample outside the engine.
fn direct_histograms(setup: &Setup, seed: u64, samples: u64) -> Vec<Vec<u64>> {
    let (model, prepared) = (&setup.model, &setup.prepared);
    let n = prepared.n_units();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut u = vec![0.0; model.dims()];
    let mut config = model.nominal();
    let mut moved = vec![false; model.n_factors()];
    let mut scratch = Scratch::new(prepared);
    let mut counts = vec![vec![0u64; n]; n];
    for index in 0..samples {
        sample_uniforms(&mut rng, index, &mut u);
        model.configure(&u, &mut config, &mut moved);
        score(prepared, &config, &mut scratch);
        for (unit, &rank) in scratch
            .rank(prepared, prepared.framework.top)
            .iter()
            .enumerate()
        {
            counts[unit][rank as usize - 1] += 1;
        }
    }
    counts
}

#[test]
fn windowed_histograms_equal_the_full_histograms_for_any_thread_count() {
    let (index, scenario, text) = asem();
    let (seed, samples) = (17, 1_500);
    for threads in [1, 2, 3] {
        let options = UncertaintyOptions {
            samples,
            seed,
            threads,
            ..UncertaintyOptions::default()
        };
        let run = run_uncertainty(&index, &scenario, &text, &options, &Silent).unwrap();
        let acc = &run.accumulator;
        assert_eq!(acc.bins.width, 1, "exact ranks are the default");
        let full = direct_histograms(&run.setup, seed, samples);
        for (u, expected) in full.iter().enumerate() {
            let window = acc.rank_counts_of(u);
            // The window is exactly best..=worst rank, and holds the full histogram's counts.
            let lo = expected.iter().position(|&c| c > 0).unwrap();
            let hi = expected.iter().rposition(|&c| c > 0).unwrap();
            assert_eq!(window.first() as usize, lo, "unit {u}, {threads} threads");
            assert_eq!(
                *window.counts(),
                expected[lo..=hi],
                "unit {u}, {threads} threads"
            );
            assert_eq!(acc.best_rank[u] as usize, lo + 1);
            assert_eq!(acc.worst_rank[u] as usize, hi + 1);
        }
        // Memory: per unit, 4 bytes per rank of its window (32-bit counts) or 4 per sample,
        // whichever is less; at most 4 bytes per rank of the windows, less than the n² table.
        let widths: Vec<usize> = full
            .iter()
            .map(|row| {
                row.iter().rposition(|&c| c > 0).unwrap() - row.iter().position(|&c| c > 0).unwrap()
                    + 1
            })
            .collect();
        let compact: usize = widths.iter().map(|&w| 4 * w.min(samples as usize)).sum();
        assert_eq!(acc.histogram_bytes(), compact);
        let spans: usize = widths.iter().sum();
        assert!(acc.histogram_bytes() <= 4 * spans);
        assert!(spans < full.len() * full.len());
    }
}

#[test]
fn shards_of_any_split_merge_into_the_single_run_exactly() {
    let (index, scenario, text) = asem();
    let options = UncertaintyOptions {
        samples: 700,
        seed: 3,
        ..UncertaintyOptions::default()
    };
    let whole = run_uncertainty(&index, &scenario, &text, &options, &Silent)
        .unwrap()
        .accumulator;
    for count in [2u64, 5, 13] {
        let setup = Setup::new(&index, &scenario, &text, &options).unwrap();
        let states: Vec<(String, PartialState)> = (1..=count)
            .rev()
            .map(|k| {
                let shard = Shard { index: k, count };
                let threads = 1 + k as usize % 3;
                let accumulator = setup.run(
                    shard.samples(options.samples),
                    options.seed,
                    threads,
                    &Silent,
                );
                let state = PartialState::of_shard(setup.fingerprint.clone(), shard, accumulator);
                // Through the file format, as states travel between machines.
                let file = format!("s{k}.json");
                let state = PartialState::from_file(&file, &state.to_file()).unwrap();
                (file, state)
            })
            .collect();
        let (_, merged) = merge_states(&states).unwrap();
        assert_eq!(merged, whole, "{count} shards");
    }
}

/// The states of every shard of one 700-sample run split `count` ways, through the file format.
fn shard_states(count: u64) -> (Vec<(String, PartialState)>, Setup, UncertaintyOptions) {
    let (index, scenario, text) = asem();
    let options = UncertaintyOptions {
        samples: 700,
        seed: 9,
        ..UncertaintyOptions::default()
    };
    let setup = Setup::new(&index, &scenario, &text, &options).unwrap();
    let states = (1..=count)
        .map(|k| {
            let shard = Shard { index: k, count };
            let accumulator = setup.run(shard.samples(options.samples), options.seed, 1, &Silent);
            let file = format!("s{k}.json");
            let state = PartialState::of_shard(setup.fingerprint.clone(), shard, accumulator);
            let state = PartialState::from_file(&file, &state.to_file()).unwrap();
            (file, state)
        })
        .collect();
    (states, setup, options)
}

fn merged_state(states: &[(String, PartialState)]) -> PartialState {
    let mut merger = ShardMerger::default();
    for (file, state) in states {
        merger.add(file, state.clone()).unwrap();
    }
    merger.into_state().unwrap()
}

/// Groups of consecutive shards merged into states, and those states merged again, give the
/// same state file, byte for byte, as merging every shard at once; and the same run.
#[test]
fn a_two_stage_merge_equals_a_one_stage_merge_byte_for_byte() {
    let (states, setup, options) = shard_states(9);
    let one_stage = merged_state(&states);
    assert_eq!((one_stage.shard.index, one_stage.last_shard), (1, 9));
    let whole = setup.run(0..options.samples, options.seed, 2, &Silent);
    assert_eq!(one_stage.accumulator, whole);
    for groups in [&[0usize, 4, 9][..], &[0, 1, 2, 8, 9], &[0, 3, 6, 9]] {
        let mut firsts: Vec<(String, PartialState)> = groups
            .windows(2)
            .map(|w| {
                let state = merged_state(&states[w[0]..w[1]]);
                let file = format!("m{}.json", w[0]);
                // Merged states are state files like any other.
                (
                    file.clone(),
                    PartialState::from_file(&file, &state.to_file()).unwrap(),
                )
            })
            .collect();
        firsts.reverse();
        let two_stage = merged_state(&firsts);
        assert_eq!(
            two_stage.to_file(),
            one_stage.to_file(),
            "groups {groups:?}"
        );
    }
    // A merged state overlapping another is refused, as a shard given twice.
    let mut merger = ShardMerger::default();
    merger.add("a", merged_state(&states[0..5])).unwrap();
    let error = merger.add("b", merged_state(&states[4..9])).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("shard 5/9 is given twice (a and b)"),
        "{error}"
    );
    // Shards with a gap cannot make one merged state.
    let mut merger = ShardMerger::default();
    merger.add("s1", states[0].1.clone()).unwrap();
    merger.add("s3", states[2].1.clone()).unwrap();
    let error = merger.into_state().unwrap_err().to_string();
    assert!(
        error.contains("shards 1 to 3 of 9 with gaps (2)"),
        "{error}"
    );
}

/// A streaming merge holds one running total whatever the number of shards: its histograms
/// are the whole run's size, and its bookkeeping a few dozen bytes per file.
#[test]
fn merge_memory_does_not_grow_with_the_number_of_shards() {
    let mut sizes = Vec::new();
    for count in [2u64, 8, 32] {
        let (states, ..) = shard_states(count);
        let mut merger = ShardMerger::default();
        for (file, state) in states {
            merger.add(&file, state).unwrap();
        }
        let (histograms, bookkeeping) = merger.heap_bytes();
        // (A vector holds at least 4 entries, 40 bytes each, plus the names.)
        assert!(
            bookkeeping <= 64 * count.max(4) as usize,
            "{count} shards: {bookkeeping}"
        );
        let merged = merger.finish().unwrap();
        assert_eq!(histograms, merged.accumulator.histogram_bytes());
        sizes.push((histograms, merged.accumulator.fixed_bytes()));
    }
    assert!(sizes.windows(2).all(|w| w[0] == w[1]), "{sizes:?}");
}
