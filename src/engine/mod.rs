//! The parallel Monte Carlo runner: sample i's configuration depends only on (seed, i); results are exact and mergeable.
//!
//! Samples are processed in fixed chunks on a rayon pool. Each sample draws its uniform
//! numbers from its own ChaCha8 stream (`stream = i`), so what it computes does not depend on
//! which thread runs it; accumulators are integer-valued ([`accumulate`]), so the merged
//! result is bit-identical for any thread count, chunking or sharding.

pub mod accumulate;
pub mod shard;

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

pub use accumulate::{Accumulator, Layout};

use crate::pipeline::{Config, Prepared, Scratch, score};

/// Maps points of the unit cube to scoring configurations: the scenario's factors.
pub trait SampleModel: Sync {
    /// Uniform numbers one sample consumes.
    fn dims(&self) -> usize;
    /// Number of factors (for "which factors moved").
    fn n_factors(&self) -> usize;
    /// Overwrites `config` with the configuration for `u ∈ [0,1)^dims` and sets `moved[f]`
    /// when factor f differs from its nominal value. Must not allocate.
    fn configure(&self, u: &[f64], config: &mut Config, moved: &mut [bool]);
    /// A configuration of the right shape (the nominal one).
    fn nominal(&self) -> Config;
}

/// Receives progress reports (samples done); the CLI shows a bar, tests stay silent.
pub trait Observer: Sync {
    fn advanced(&self, _samples: u64) {}
}

/// An observer that ignores everything.
pub struct Silent;
impl Observer for Silent {}

/// What to run.
pub struct RunSpec<'a> {
    pub prepared: &'a Prepared,
    pub model: &'a dyn SampleModel,
    pub seed: u64,
    /// Global sample indices to run (a shard runs a slice of 0..total).
    pub samples: Range<u64>,
    pub nominal_ranks: &'a [u32],
    pub top_k: u32,
    pub layout: Layout,
    /// Worker threads (0 = all cores).
    pub threads: usize,
}

/// Samples per work item: large enough to amortise scheduling, small enough to balance.
const CHUNK: u64 = 2048;

/// Fills `u` with sample `index`'s uniform numbers: the first `u.len()` draws of ChaCha8
/// stream `index` under key `seed`, each in [0, 1) with 53 random bits.
#[inline]
pub fn sample_uniforms(rng: &mut ChaCha8Rng, index: u64, u: &mut [f64]) {
    rng.set_stream(index);
    for x in u.iter_mut() {
        *x = rng.random::<f64>();
    }
}

/// Per-thread state: reused for every sample of every chunk the thread runs.
struct Worker {
    rng: ChaCha8Rng,
    u: Vec<f64>,
    config: Config,
    scratch: Scratch,
    moved: Vec<bool>,
    weights: Vec<f64>,
    accumulator: Accumulator,
    tables: accumulate::RecordTables,
}

/// Within-parent normalised weights of `nodes` under `config` (for central weights).
#[inline]
fn normalised_weights(prepared: &Prepared, config: &Config, nodes: &[usize], out: &mut [f64]) {
    let framework = &prepared.framework;
    for (o, &node) in out.iter_mut().zip(nodes) {
        let parent = framework.nodes[node]
            .parent
            .expect("weighted nodes have a parent");
        let total: f64 = framework.nodes[parent]
            .children
            .iter()
            .map(|&c| config.weights[c])
            .sum();
        *o = if total > 0.0 {
            config.weights[node] / total
        } else {
            0.0
        };
    }
}

/// Runs the samples and returns their accumulator. Deterministic for (seed, samples).
pub fn run(spec: &RunSpec, observer: &dyn Observer) -> Accumulator {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(spec.threads)
        .build()
        .expect("thread pool");
    pool.install(|| run_in_pool(spec, observer))
}

fn run_in_pool(spec: &RunSpec, observer: &dyn Observer) -> Accumulator {
    let start = spec.samples.start;
    let end = spec.samples.end;
    let chunks: Vec<Range<u64>> = (start..end)
        .step_by(CHUNK as usize)
        .map(|s| s..(s + CHUNK).min(end))
        .collect();
    let done = AtomicU64::new(0);
    let top = spec.prepared.framework.top;
    let tables = Accumulator::new(&spec.layout).tables();
    let new_worker = || Worker {
        tables: tables.clone(),
        rng: ChaCha8Rng::seed_from_u64(spec.seed),
        u: vec![0.0; spec.model.dims()],
        config: spec.model.nominal(),
        scratch: Scratch::new(spec.prepared),
        moved: vec![false; spec.model.n_factors()],
        weights: vec![0.0; spec.layout.weight_nodes.len()],
        accumulator: Accumulator::new(&spec.layout),
    };
    let workers: Vec<Worker> = chunks
        .par_iter()
        .fold(new_worker, |mut worker, chunk| {
            for index in chunk.clone() {
                sample_uniforms(&mut worker.rng, index, &mut worker.u);
                spec.model
                    .configure(&worker.u, &mut worker.config, &mut worker.moved);
                score(spec.prepared, &worker.config, &mut worker.scratch);
                normalised_weights(
                    spec.prepared,
                    &worker.config,
                    &spec.layout.weight_nodes,
                    &mut worker.weights,
                );
                let Worker {
                    scratch,
                    accumulator,
                    weights,
                    moved,
                    tables,
                    ..
                } = &mut worker;
                scratch.rank(spec.prepared, top);
                accumulator.record(
                    tables,
                    &scratch.ranks,
                    scratch.aggregate_scores(top),
                    spec.nominal_ranks,
                    spec.top_k,
                    weights,
                    moved,
                );
            }
            worker.accumulator.flush(&mut worker.tables);
            let total = done.fetch_add(chunk.end - chunk.start, Ordering::Relaxed);
            observer.advanced(total + chunk.end - chunk.start);
            worker
        })
        .collect();
    let mut total = Accumulator::new(&spec.layout);
    for worker in &workers {
        total
            .merge(&worker.accumulator)
            .expect("workers share one layout");
    }
    total
}
