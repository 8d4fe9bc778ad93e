//! The parallel Monte Carlo runner: sample i's configuration depends only on (seed, i); results are exact and mergeable.
//!
//! Samples are processed in fixed chunks on a rayon pool. Each sample draws its uniform
//! numbers from its own ChaCha8 stream (`stream = i`), so what it computes does not depend on
//! which thread runs it; accumulators are integer-valued ([`accumulate`]), so the merged
//! result is bit-identical for any thread count, chunking or sharding.

pub mod accumulate;
pub mod sample;
mod consistency;
pub mod fixed_point;
pub mod histogram;
pub mod memory;
mod pairs;
mod rank_block;
pub mod shard;
mod uniforms;

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};


pub use accumulate::{Accumulator, Layout};
pub use memory::MemoryEstimate;
pub use sample::SampleScorer;
pub use uniforms::Uniforms;

use crate::pipeline::noise::NoisePlan;
use crate::pipeline::{Config, LowerLevels, Prepared};

/// Maps points of the unit cube to scoring configurations: the scenario's factors.
pub trait SampleModel: Sync {
    /// Uniform numbers one sample consumes.
    fn dims(&self) -> usize;
    /// Number of factors (for "which factors moved").
    fn n_factors(&self) -> usize;
    /// Overwrites `config` with the configuration for `u ∈ [0,1)^dims` and sets `moved[f]`
    /// when factor f differs from its nominal value. Must not allocate. Returns the key of
    /// the sample's lower levels in [`SampleModel::lower_level_configs`], if the model has them.
    fn configure(&self, u: &[f64], config: &mut Config, moved: &mut [bool]) -> Option<usize>;
    /// When the scores of the lowest aggregates depend only on a few discrete choices: the
    /// number of those aggregates and one configuration per key `configure` can return, so the
    /// engine can score each once and reuse it. `None` (the default) scores everything.
    fn lower_level_configs(&self) -> Option<(usize, Vec<Option<Config>>)> {
        None
    }
    /// A configuration of the right shape (the nominal one).
    fn nominal(&self) -> Config;
    /// The data error a sample applies (its draws keyed by the sample's point), if any.
    fn noise(&self) -> Option<&NoisePlan> {
        None
    }
}

/// Where an adaptive run stands between two batches: what is still unsettled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settling {
    /// Headline statistics not settled yet.
    pub unsettled: usize,
    /// Largest 95% half-width of a headline probability.
    pub largest_probability_error: f64,
    /// Widest range of ranks an unsettled quantile may still take.
    pub largest_rank_error: f64,
}

/// Receives progress reports; the CLI shows one display for a whole run, tests stay silent.
pub trait Observer: Sync {
    /// Items done so far in the current phase: Monte Carlo samples within the current call to
    /// [`run`] (counted from its first sample) unless a [`Observer::phase`] said otherwise.
    fn advanced(&self, _done: u64) {}
    /// A run of many calls to [`run`] (an adaptive run) starts a batch: `done` samples are
    /// behind, the batch runs up to `target`; `settling` says why more are needed (`None`
    /// before the first batch).
    fn stage(&self, _done: u64, _target: u64, _settling: Option<&Settling>) {}
    /// A new long phase starts: `what` it counts (e.g. "Sobol model runs") and how many
    /// (`0` = not counted; progress shows activity only).
    fn phase(&self, _what: &str, _total: u64) {}
    /// A call to [`run`] is about to start and will hold about `estimate` for its counts (an
    /// upper estimate, [`memory`]); a front end may show it before a large run.
    fn memory(&self, _estimate: &MemoryEstimate) {}
    /// Whether the caller wants the run stopped (e.g. Ctrl-C in an embedding program): long
    /// loops stop taking work once it says so, and the caller discards what they return.
    fn cancelled(&self) -> bool {
        false
    }
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
    /// Saved lower-level scores by key (see [`SampleModel::lower_level_configs`]); results
    /// are bit-identical with and without them.
    pub lower_levels: Option<&'a [Option<LowerLevels>]>,
}

/// Scores every key of `model`'s lower levels once, if it has them and they fit in `budget`
/// bytes.
pub fn lower_levels(
    prepared: &Prepared,
    model: &dyn SampleModel,
    budget: usize,
) -> Option<Vec<Option<LowerLevels>>> {
    let (count, configs) = model.lower_level_configs()?;
    let bytes = configs.len() * count * prepared.n_units() * 16;
    if bytes > budget || count == 0 {
        return None;
    }
    Some(
        configs
            .iter()
            .map(|c| c.as_ref().map(|c| LowerLevels::compute(prepared, c, count)))
            .collect(),
    )
}

/// Samples per work item at most: large enough to amortise scheduling (an atomic add per
/// chunk), small enough that the threads finish within a fraction of a millisecond of each
/// other.
const CHUNK: u64 = 512;

/// Unit-samples per work item for large indices (a sample of n units costs about n).
const CHUNK_UNITS: u64 = 131_072;

/// Fills `u` with sample `index`'s uniform numbers: the first `u.len()` draws of ChaCha8
/// stream `index` under key `seed`, each in [0, 1) with 53 random bits. The definition, drawn
/// through `rand`'s generator: the engine computes the same numbers with [`Uniforms`], and
/// tests check one against the other.
#[cfg(any(test, feature = "internals"))]
pub fn sample_uniforms(rng: &mut rand::rngs::ChaCha8Rng, index: u64, u: &mut [f64]) {
    rng.set_stream(index);
    for x in u.iter_mut() {
        *x = rand::RngExt::random::<f64>(rng);
    }
}

/// Per-thread state: reused for every sample of every chunk the thread runs.
struct Worker {
    uniforms: Uniforms,
    u: Vec<f64>,
    /// The next sample's numbers, drawn together with `u`'s ([`Uniforms::fill_two`]).
    u_next: Vec<f64>,
    sample: SampleScorer,
    weight_groups: WeightGroups,
    weights: Vec<f64>,
    accumulator: Accumulator,
    tables: accumulate::RecordTables,
}

/// One parent of the layout's weight nodes: its children (summed in this order for the
/// total) and the (slot in the weight vector, node) pairs of the weight nodes among them.
struct WeightGroup {
    /// The parent, 0-based among aggregates (as [`crate::pipeline::Scratch::shares`] counts).
    aggregate: usize,
    children: Vec<usize>,
    members: Vec<(usize, usize)>,
}

/// The weight nodes of the layout grouped by parent, so that each parent's total weight is
/// summed once per sample (for central weights).
struct WeightGroups {
    groups: Vec<WeightGroup>,
    /// The weight nodes by slot, and the lowest of their parents (0-based among aggregates):
    /// when the scorer holds the shares of that one's children, it holds all of them.
    nodes: Vec<usize>,
    lowest: usize,
}

impl WeightGroups {
    fn new(prepared: &Prepared, nodes: &[usize]) -> Self {
        let framework = &prepared.framework;
        let mut parents: Vec<usize> = Vec::new();
        let mut groups: Vec<WeightGroup> = Vec::new();
        for (slot, &node) in nodes.iter().enumerate() {
            let parent = framework.nodes[node]
                .parent
                .expect("weighted nodes have a parent");
            match parents.iter().position(|&p| p == parent) {
                Some(g) => groups[g].members.push((slot, node)),
                None => {
                    parents.push(parent);
                    groups.push(WeightGroup {
                        aggregate: parent - framework.n_indicators(),
                        children: framework.nodes[parent].children.clone(),
                        members: vec![(slot, node)],
                    });
                }
            }
        }
        WeightGroups {
            lowest: groups.iter().map(|g| g.aggregate).min().unwrap_or(0),
            groups,
            nodes: nodes.to_vec(),
        }
    }

    /// Within-parent normalised weights of the layout's weight nodes under `config`: w / Σ
    /// siblings' w (0 when the siblings' total is 0). Where the scorer divided them out for
    /// this configuration (`shares`, from [`crate::pipeline::Scratch::shares`]), they are
    /// read from there: the same division of the same sum, so the same bits.
    #[inline]
    fn normalise(&self, config: &Config, shares: (&[f64], usize), out: &mut [f64]) {
        let (node_shares, shares_from) = shares;
        if self.lowest >= shares_from {
            // The engine's common case: one pass over the slots.
            for (o, &node) in out.iter_mut().zip(&self.nodes) {
                *o = node_shares[node];
            }
            return;
        }
        for group in &self.groups {
            if group.aggregate >= shares_from {
                for &(slot, node) in &group.members {
                    out[slot] = node_shares[node];
                }
                continue;
            }
            let total: f64 = group.children.iter().map(|&c| config.weights[c]).sum();
            for &(slot, node) in &group.members {
                out[slot] = if total > 0.0 {
                    config.weights[node] / total
                } else {
                    0.0
                };
            }
        }
    }
}

/// Runs the samples and returns their accumulator, added onto `base` if given (the
/// accumulator of a growing run's samples so far, same layout): one thread records straight
/// into it, so growing a run holds one accumulator per thread instead of one more. The result
/// equals `base` merged with a run of the samples alone (integer counts;
/// [`Accumulator::complete`] is idempotent). Deterministic for (seed, samples).
pub fn run_onto(spec: &RunSpec, observer: &dyn Observer, base: Option<Accumulator>) -> Accumulator {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(spec.threads)
        .build()
        .expect("thread pool");
    observer.memory(&MemoryEstimate::new(
        &spec.layout,
        spec.samples.end.saturating_sub(spec.samples.start),
        pool.current_num_threads(),
    ));
    let chunk = chunk_size(spec.prepared.n_units());
    let next_chunk = AtomicU64::new(spec.samples.start);
    let done = AtomicU64::new(0);
    // One worker per thread, pulling chunks of sample indices from a shared counter: dynamic
    // load balancing with exactly one accumulator per thread (memory stays bounded for large
    // indices), and integer accumulators make the result independent of who ran what.
    // Large indices: one set of rank windows for all threads (`accumulate::shared_windows`).
    let mut base = base;
    let shared = accumulate::shared_windows(&spec.layout, base.as_mut());
    let base = std::sync::Mutex::new(base);
    let workers: Vec<Accumulator> = pool.broadcast(|_| {
        let mut worker = Worker::new(spec, base.lock().expect("not poisoned").take());
        if let Some(shared) = &shared {
            worker.tables.record_into(shared);
        }
        while !observer.cancelled() {
            let start = next_chunk.fetch_add(chunk, Ordering::Relaxed);
            if start >= spec.samples.end {
                break;
            }
            let end = (start + chunk).min(spec.samples.end);
            worker.run_chunk(spec, start..end);
            let total = done.fetch_add(end - start, Ordering::Relaxed) + (end - start);
            observer.advanced(total);
        }
        // Once per worker, not per chunk: the flush adds the rank block (a chunk of a large
        // index is a few samples) or the dense rank counts of a small one into the windows,
        // which allocates; `record` flushes the narrow sums itself before they can overflow.
        worker.accumulator.flush(&mut worker.tables);
        worker.accumulator
    });
    // The first thread's accumulator becomes the total and each other one is freed once
    // added: no copy, and the rank windows stay in their compact form throughout.
    let mut workers = workers.into_iter();
    let mut total = workers
        .next()
        .unwrap_or_else(|| Accumulator::new(&spec.layout));
    for accumulator in workers {
        total.merge(&accumulator).expect("workers share one layout");
    }
    if let Some(shared) = shared {
        total.take_shared_windows(shared);
    }
    // On the run's threads: a large index's windows are trimmed and read in parallel.
    pool.install(|| total.complete(spec.nominal_ranks, spec.top_k));
    total
}

/// Samples per work item: `CHUNK` for small indices, fewer for large ones so that every
/// thread gets work even for short runs.
fn chunk_size(n_units: usize) -> u64 {
    (CHUNK_UNITS / n_units.max(1) as u64).clamp(1, CHUNK)
}

impl Worker {
    /// A worker recording into `base` if given, else into a new accumulator.
    fn new(spec: &RunSpec, base: Option<Accumulator>) -> Self {
        let accumulator = base.unwrap_or_else(|| Accumulator::new(&spec.layout));
        Worker {
            tables: accumulator.tables(),
            uniforms: Uniforms::new(spec.seed),
            u: vec![0.0; spec.model.dims()],
            u_next: vec![0.0; spec.model.dims()],
            sample: SampleScorer::new(spec.prepared, spec.model),
            weight_groups: WeightGroups::new(spec.prepared, &spec.layout.weight_nodes),
            weights: vec![0.0; spec.layout.weight_nodes.len()],
            accumulator,
        }
    }

    /// Runs and records the samples of one chunk, leaving the last ones in the record buffers
    /// (the caller flushes them once the worker is done). Allocation-free.
    fn run_chunk(&mut self, spec: &RunSpec, samples: Range<u64>) {
        let top = spec.prepared.framework.top;
        // Whether `u_next` holds this sample's numbers, drawn with the previous sample's.
        let mut drawn = false;
        for index in samples.clone() {
            // The numbers of `sample_uniforms`, from the two blocks they need: two samples'
            // at once while two are left (the two computations overlap).
            if drawn {
                std::mem::swap(&mut self.u, &mut self.u_next);
                drawn = false;
            } else if index + 1 < samples.end {
                self.uniforms.fill_two(index, &mut self.u, &mut self.u_next);
                drawn = true;
            } else {
                self.uniforms.fill(index, &mut self.u);
            }
            let sample = &mut self.sample;
            sample.score(spec.prepared, spec.model, &self.u, spec.lower_levels);
            self.weight_groups.normalise(
                &sample.config,
                sample.scratch.shares(),
                &mut self.weights,
            );
            sample.scratch.rank(spec.prepared, top);
            self.accumulator.record(
                &mut self.tables,
                &sample.scratch.ranks,
                sample.scratch.aggregate_scores(top),
                spec.nominal_ranks,
                spec.top_k,
                &self.weights,
                &sample.moved,
            );
        }
    }
}
