//! Exact ranks at bounded memory: each unit's rank histogram spans only the ranks it took, and
//! equals the full n-rank histogram counted directly from the samples; windows merge exactly in
//! any split of the samples (threads, shards).

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use ranksense::analysis::uncertainty::{Setup, UncertaintyOptions, run_uncertainty};
use ranksense::engine::shard::{PartialState, STATE_FORMAT, Shard, merge_states};
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
            assert_eq!(window.first as usize, lo, "unit {u}, {threads} threads");
            assert_eq!(
                window.counts,
                expected[lo..=hi],
                "unit {u}, {threads} threads"
            );
            assert_eq!(acc.best_rank[u] as usize, lo + 1);
            assert_eq!(acc.worst_rank[u] as usize, hi + 1);
        }
        // Memory: 8 bytes per rank of each unit's window, less than the n² table.
        let spans: usize = full
            .iter()
            .map(|row| {
                row.iter().rposition(|&c| c > 0).unwrap() - row.iter().position(|&c| c > 0).unwrap()
                    + 1
            })
            .sum();
        assert_eq!(acc.histogram_bytes(), 8 * spans);
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
                let state = PartialState {
                    format: STATE_FORMAT.into(),
                    fingerprint: setup.fingerprint.clone(),
                    shard,
                    accumulator,
                };
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
