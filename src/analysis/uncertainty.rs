//! Uncertainty analysis end to end: resolve the scenario, prepare the data, run the engine, summarise — one library call.

use std::ops::Range;

use serde::Serialize;

use super::convergence::{Convergence, DEFAULT_MAX_SAMPLES, FIRST_BATCH, assess, next_batch_end};
use super::rank_stats::{UncertaintyStats, summarise};
use super::rating::RatingRule;
use super::verdict::{FocusVerdict, focus_verdict};
use crate::engine::shard::{RunFingerprint, Shard, hex_sha256};
use crate::engine::{Accumulator, Layout, Observer, RunSpec, Settling, run_onto};
use crate::model::Index;
use crate::pipeline::{Evaluation, Prepared, evaluate};
use crate::scenario::factors::{ScenarioModel, ScenarioRunError};
use crate::scenario::{Scenario, ScenarioError};

/// Which units keep full "ranks above" rows (pairwise probabilities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PairSelection {
    /// Every pair (memory ∝ units²).
    All,
    /// Only the focus unit against every other.
    Focus,
    /// The nominal top K and the focus unit.
    Top(usize),
}

impl std::str::FromStr for PairSelection {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "all" => Ok(PairSelection::All),
            "focus" => Ok(PairSelection::Focus),
            _ => text
                .strip_prefix("top:")
                .and_then(|k| k.parse().ok())
                .map(PairSelection::Top)
                .ok_or_else(|| format!("unknown pair selection `{text}`; use `all`, `focus` or `top:K`, e.g. `top:20`")),
        }
    }
}

/// Most worker threads a run may ask for.
pub const MAX_THREADS: usize = 256;

/// Units above which pairwise counts default to the focus unit's row only: all pairs cost
/// units² per sample, which dominates everything else beyond a few hundred units.
pub const LARGE_INDEX_UNITS: usize = 300;

/// The default k of "P(top k)": a quarter of the units, between 1 and 10. Ten is the top a
/// league table's readers quote; a quarter keeps "top k" a distinction in a small index (a
/// 10-unit index's top 10 is every unit; its top 2 is a real achievement).
pub fn default_top_k(n_units: usize) -> u32 {
    (n_units / 4).clamp(1, 10) as u32
}

/// Options of one uncertainty run.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertaintyOptions {
    /// The number of samples; with `converge`, the size of the first batch.
    pub samples: u64,
    pub seed: u64,
    pub threads: usize,
    /// Focus unit (code or name); `None` = the scenario's, then the index's.
    pub focus: Option<String>,
    /// `None` = the scenario's, then [`default_top_k`].
    pub top_k: Option<u32>,
    pub shard: Shard,
    /// Rank bin width; `None` = 1 (exact ranks at any size: each unit's histogram spans only
    /// the ranks it takes, [`crate::engine::histogram`]). Wider bins are an opt-in that trades
    /// a stated quantile error of ±(width − 1)/2 ranks for less memory.
    pub bin_width: Option<u32>,
    /// `None` = all pairs for up to [`LARGE_INDEX_UNITS`] units, else the focus unit's.
    pub pairs: Option<PairSelection>,
    /// Sample until every headline statistic is settled ([`super::convergence`]): batches
    /// grow from `samples` (at most doubling, [`super::convergence::next_batch_end`]) up to
    /// `max_samples`.
    pub converge: bool,
    pub max_samples: u64,
    /// Score the lower levels once per combination of the choices they depend on, when the
    /// scenario allows it (bit-identical results; off only to test exactly that).
    pub reuse_lower_levels: bool,
}

impl Default for UncertaintyOptions {
    fn default() -> Self {
        UncertaintyOptions {
            samples: FIRST_BATCH,
            seed: 1,
            threads: 0,
            focus: None,
            top_k: None,
            shard: Shard::WHOLE,
            bin_width: None,
            pairs: None,
            converge: false,
            max_samples: DEFAULT_MAX_SAMPLES,
            reuse_lower_levels: true,
        }
    }
}

/// Why an uncertainty analysis could not run.
#[derive(Debug, thiserror::Error)]
pub enum UncertaintyError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Run(#[from] ScenarioRunError),
    #[error(transparent)]
    Config(#[from] crate::pipeline::ConfigError),
    #[error(
        "focus unit `{0}` is not in the data; fix: use a uCode or name from data.csv"
    )]
    UnknownFocus(String),
    #[error(transparent)]
    ScreenedFocus(#[from] crate::pipeline::screen::ScreenedOut),
    #[error(
        "the number of samples must be at least 1; fix: ask for at least one sample, e.g. 10000"
    )]
    NoSamples,
    #[error(
        "{0} worker threads is more than {MAX_THREADS}; every thread keeps its own accumulator, so this only costs memory; fix: use at most the number of cores (0 = all)"
    )]
    TooManyThreads(usize),
    #[error(
        "top-k must be between 1 and the number of units ({0}); fix: choose a k in that range, e.g. 10"
    )]
    BadTopK(usize),
}

/// A prepared, resolved uncertainty analysis: everything except the sampling.
pub struct Setup {
    pub model: ScenarioModel,
    pub prepared: Prepared,
    pub nominal: Evaluation,
    pub focus: Option<usize>,
    pub top_k: u32,
    pub layout: Layout,
    pub fingerprint: RunFingerprint,
    /// The rating rule of the verdict: the scenario's `[verdict]`, else scaled to the units.
    pub rating_rule: RatingRule,
    /// Saved lower-level scores (see [`crate::engine::SampleModel::lower_level_configs`]).
    pub lower_levels: Option<Vec<Option<crate::pipeline::LowerLevels>>>,
}

impl Setup {
    /// Resolves `scenario` for `index` with the given options (focus, top-k, layout).
    pub fn new(
        index: &Index,
        scenario: &Scenario,
        scenario_text: &str,
        options: &UncertaintyOptions,
    ) -> Result<Setup, UncertaintyError> {
        if options.samples == 0 {
            return Err(UncertaintyError::NoSamples);
        }
        if options.threads > MAX_THREADS {
            return Err(UncertaintyError::TooManyThreads(options.threads));
        }
        let model = ScenarioModel::new(scenario, index)?;
        let prepared = model.prepare(index, scenario)?;
        let nominal = evaluate(&prepared, &crate::engine::SampleModel::nominal(&model))?;
        let focus_name = options
            .focus
            .clone()
            .or_else(|| scenario.focus.clone())
            .or_else(|| index.info.focus.clone());
        let focus = match &focus_name {
            Some(name) => Some(
                prepared
                    .find_requested_unit(name)?
                    .ok_or_else(|| UncertaintyError::UnknownFocus(name.clone()))?,
            ),
            None => None,
        };
        let n = prepared.n_units();
        let requested = options.top_k.or(scenario.top_k.map(|k| k as u32));
        if let Some(k) = requested
            && (k == 0 || k as usize > n)
        {
            return Err(UncertaintyError::BadTopK(n));
        }
        let top_k = options
            .top_k
            .or(scenario.top_k.map(|k| k as u32))
            .unwrap_or_else(|| default_top_k(n))
            .clamp(1, n as u32);
        let verdict = scenario.verdict.clone().unwrap_or_default();
        let rating_rule =
            RatingRule::from_settings(verdict.robust_within, verdict.moderately_within, n);
        let pairs = options.pairs.unwrap_or(if n <= LARGE_INDEX_UNITS {
            PairSelection::All
        } else {
            PairSelection::Focus
        });
        let nominal_ranks = nominal.top_ranks(&prepared);
        let mut pair_units: Vec<usize> = match pairs {
            PairSelection::All => (0..n).collect(),
            PairSelection::Focus => focus.into_iter().collect(),
            PairSelection::Top(k) => (0..n)
                .filter(|&u| nominal_ranks[u] as usize <= k)
                .chain(focus)
                .collect(),
        };
        pair_units.sort_unstable();
        pair_units.dedup();
        let bin_width = options.bin_width.unwrap_or(1);
        let score_bound = prepared
            .variants
            .iter()
            .flat_map(|v| v.normalised.as_slice().iter())
            .filter(|x| !x.is_nan())
            .fold(n as f64, |b, x| b.max(x.abs()));
        let layout = Layout {
            n_units: n,
            bin_width,
            n_bands: 10.min(n),
            score_bound,
            pair_units,
            weight_nodes: model.varied_weight_nodes.clone(),
            n_factors: model.factors.len(),
        };
        let fingerprint = RunFingerprint {
            version: env!("CARGO_PKG_VERSION").to_string(),
            input_hash: index.info.input_hash.clone(),
            scenario_hash: hex_sha256(scenario_text.as_bytes()),
            seed: options.seed,
            total_samples: options.samples,
            focus: focus.map(|f| prepared.units[f].code.clone()),
            top_k,
        };
        // At most 256 MiB of saved scores.
        let lower_levels = if options.reuse_lower_levels {
            crate::engine::lower_levels(&prepared, &model, 256 << 20)
        } else {
            None
        };
        Ok(Setup {
            model,
            prepared,
            nominal,
            focus,
            top_k,
            layout,
            fingerprint,
            rating_rule,
            lower_levels,
        })
    }

    /// Runs the given global sample indices.
    pub fn run(
        &self,
        samples: Range<u64>,
        seed: u64,
        threads: usize,
        observer: &dyn Observer,
    ) -> Accumulator {
        self.run_onto(None, samples, seed, threads, observer)
    }

    /// [`Setup::run`] of more samples added onto `base`, the accumulator of the samples so far
    /// (one thread records into it: no extra accumulator while a converged run grows).
    pub fn grow(
        &self,
        base: Accumulator,
        samples: Range<u64>,
        seed: u64,
        threads: usize,
        observer: &dyn Observer,
    ) -> Accumulator {
        self.run_onto(Some(base), samples, seed, threads, observer)
    }

    fn run_onto(
        &self,
        base: Option<Accumulator>,
        samples: Range<u64>,
        seed: u64,
        threads: usize,
        observer: &dyn Observer,
    ) -> Accumulator {
        let spec = RunSpec {
            prepared: &self.prepared,
            model: &self.model,
            seed,
            samples,
            nominal_ranks: self.nominal.top_ranks(&self.prepared),
            top_k: self.top_k,
            layout: self.layout.clone(),
            threads,
            lower_levels: self.lower_levels.as_deref(),
        };
        run_onto(&spec, observer, base)
    }

    /// Summarises an accumulator (of the whole run).
    pub fn summarise(&self, accumulator: &Accumulator) -> UncertaintyStats {
        summarise(
            &self.prepared,
            accumulator,
            self.nominal.top_ranks(&self.prepared),
            self.nominal.top_scores(&self.prepared),
            self.top_k,
        )
    }

    pub fn verdict(&self, stats: &UncertaintyStats) -> Option<FocusVerdict> {
        self.focus
            .map(|f| focus_verdict(stats, f, &self.rating_rule))
    }
}

/// The Monte Carlo of an uncertainty analysis: the setup, the samples and what the stop rule
/// made of them. [`super::uncertainty_run::run_uncertainty`] adds the verdict, the factors and
/// the data-error analysis.
pub struct Sampled {
    pub setup: Setup,
    pub accumulator: Accumulator,
    pub stats: UncertaintyStats,
    /// The stop rule's assessment of the final samples (for a fixed count too: whether it
    /// sufficed).
    pub convergence: Convergence,
}

/// Samples `scenario` on `index`: `options.samples` samples, or with `converge` batches that
/// grow from it (the next indices each time, so the result equals a plain run of the final
/// size) until the stop rule of [`super::convergence`] finds every headline statistic settled
/// or `max_samples` is reached.
pub fn sample(
    index: &Index,
    scenario: &Scenario,
    scenario_text: &str,
    options: &UncertaintyOptions,
    observer: &dyn Observer,
) -> Result<Sampled, UncertaintyError> {
    let mut setup = Setup::new(index, scenario, scenario_text, options)?;
    let cap = options.max_samples.max(1);
    let first = if options.converge {
        options.samples.min(cap)
    } else {
        options.samples
    };
    observer.stage(0, first, None);
    let mut accumulator = setup.run(0..first, options.seed, options.threads, observer);
    let (stats, assessment) = loop {
        let stats = setup.summarise(&accumulator);
        let assessment = assess(&stats, setup.focus);
        let done = accumulator.samples;
        // A cancelled run adds no samples: stop rather than wait for ones that never come.
        if !options.converge || assessment.settled || done >= cap || observer.cancelled() {
            break (stats, assessment);
        }
        let end = next_batch_end(&assessment, done, cap);
        observer.stage(
            done,
            end,
            Some(&Settling {
                unsettled: assessment.unsettled.len(),
                largest_probability_error: assessment.largest_probability_error,
                largest_rank_error: assessment.largest_rank_error,
            }),
        );
        accumulator = setup.grow(accumulator, done..end, options.seed, options.threads, observer);
    };
    setup.fingerprint.total_samples = accumulator.samples;
    let convergence = Convergence::new(
        assessment,
        accumulator.samples,
        options.converge.then_some(cap),
    );
    Ok(Sampled {
        setup,
        accumulator,
        stats,
        convergence,
    })
}

/// The per-run audit trail: one CSV row per sample with the value every factor took and the
/// focus unit's rank. Samples are re-generated from (seed, index), so this costs a second pass
/// but no memory during the main run; rows come out in sample order for any thread count.
pub fn runs_csv(setup: &Setup, seed: u64, samples: Range<u64>, threads: usize) -> String {
    use crate::engine::SampleScorer;
    use crate::engine::{SampleModel, Uniforms};
    use rayon::prelude::*;

    let model = &setup.model;
    let prepared = &setup.prepared;
    let focus_header = setup
        .focus
        .map(|f| format!("rank_{}", prepared.units[f].code))
        .unwrap_or_default();
    let mut header = vec!["run".to_string()];
    header.extend(model.factor_names());
    if setup.focus.is_some() {
        header.push(focus_header);
    }
    header.push("mean_abs_rank_shift".into());
    let chunk_rows = |range: Range<u64>| -> String {
        // The same numbers as the engine's workers draw for each sample.
        let uniforms = Uniforms::new(seed);
        let mut u = vec![0.0; model.dims()];
        let mut sample = SampleScorer::new(prepared, model);
        let nominal = setup.nominal.top_ranks(prepared);
        let mut writer = csv::Writer::from_writer(Vec::new());
        for index in range {
            uniforms.fill(index, &mut u);
            sample.score(prepared, model, &u, None);
            let ranks = sample.scratch.rank(prepared, prepared.framework.top);
            let mut row = vec![(index + 1).to_string()];
            row.extend(
                (0..model.factors.len()).map(|f| model.describe_value(f, &u, &prepared.framework)),
            );
            if let Some(f) = setup.focus {
                row.push(ranks[f].to_string());
            }
            let shift: f64 = ranks
                .iter()
                .zip(nominal)
                .map(|(&r, &n)| f64::from(r.abs_diff(n)))
                .sum::<f64>()
                / ranks.len() as f64;
            row.push(shift.to_string());
            writer.write_record(&row).expect("in-memory");
        }
        String::from_utf8(writer.into_inner().expect("in-memory")).expect("UTF-8")
    };
    let chunks: Vec<Range<u64>> = (samples.start..samples.end)
        .step_by(4096)
        .map(|s| s..(s + 4096).min(samples.end))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let parts: Vec<String> = pool.install(|| chunks.into_par_iter().map(chunk_rows).collect());
    let mut out = {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&header).expect("in-memory");
        String::from_utf8(writer.into_inner().expect("in-memory")).expect("UTF-8")
    };
    for part in parts {
        out.push_str(&part);
    }
    out
}
