//! `uncertainty`: every unit's rank distribution when the scenario's choices are sampled (Monte Carlo), converged by default; also one shard of a run split across processes.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::{Error, Index, Scenario};
use crate::analysis::convergence::{Convergence, DEFAULT_MAX_SAMPLES, FIRST_BATCH};
use crate::analysis::rank_stats::{RankBin, UncertaintyStats, UnitRankStats};
use crate::analysis::uncertainty::{self as analysis, PairSelection, Setup, default_top_k};
use crate::analysis::uncertainty_run::{UncertaintyRun, run_uncertainty};
use crate::analysis::verdict::FocusVerdict;
use crate::engine::shard::{PartialState, Shard};
use crate::engine::{Observer, Silent};
use crate::report::provenance::{DEFAULT_SEED, Resolved};
use crate::report::summary::Summary;
use crate::report::uncertainty::{rank_stats_csv, uncertainty_files, uncertainty_summary};

/// Options of [`uncertainty`]. The default is a converged run: batches growing from 10,000
/// samples (at most doubling) until every headline number is settled, up to `max_samples`.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertaintyOptions {
    /// Exactly this many samples; `None` = the scenario's `samples`, else converged.
    pub samples: Option<u64>,
    /// Cap of a converged run (default 1,000,000).
    pub max_samples: u64,
    /// Random seed; `None` = the scenario's, else 1. Same seed, same numbers.
    pub seed: Option<u64>,
    /// Worker threads (0 = all cores). Results do not depend on it.
    pub threads: usize,
    /// The unit the verdict is about (uCode or name); `None` = the scenario's, else the
    /// index's.
    pub focus: Option<String>,
    /// k of "P(top k)"; `None` = the scenario's, else a quarter of the units (1 to 10).
    pub top_k: Option<u32>,
    /// Width of the histograms' rank bins; `None` = 1 (exact ranks at any size). Wider bins
    /// are an opt-in: less memory, quantiles within ±(width − 1)/2 ranks.
    pub bin_width: Option<u32>,
    /// Which pairwise probabilities to keep; `None` = all pairs up to 300 units, else the
    /// focus unit's.
    pub pairs: Option<PairSelection>,
}

impl Default for UncertaintyOptions {
    fn default() -> Self {
        UncertaintyOptions {
            samples: None,
            max_samples: DEFAULT_MAX_SAMPLES,
            seed: None,
            threads: 0,
            focus: None,
            top_k: None,
            bin_width: None,
            pairs: None,
        }
    }
}

impl UncertaintyOptions {
    /// The analysis options for `scenario`, as the command line resolves them: a fixed count
    /// from here or the scenario, else converged; the seed from here, the scenario or 1.
    pub(crate) fn resolve(&self, scenario: &Scenario) -> analysis::UncertaintyOptions {
        let fixed = self.samples.or(scenario.model().samples);
        analysis::UncertaintyOptions {
            samples: fixed.unwrap_or(FIRST_BATCH),
            converge: fixed.is_none(),
            max_samples: self.max_samples,
            seed: self.seed.or(scenario.model().seed).unwrap_or(DEFAULT_SEED),
            threads: self.threads,
            focus: self.focus.clone(),
            top_k: self.top_k,
            bin_width: self.bin_width,
            pairs: self.pairs,
            ..analysis::UncertaintyOptions::default()
        }
    }
}

/// The result of [`uncertainty`] or [`super::merge_shards`]: every unit's rank statistics, the
/// focus unit's verdict, the convergence assessment, and the run's summary.json.
pub struct UncertaintyResult {
    pub(crate) run: UncertaintyRun,
    pub(crate) summary: Summary,
    pub(crate) scenario: Scenario,
}

/// Runs the Monte Carlo uncertainty analysis of `index` under `scenario`: the same numbers
/// (bit for bit) as `ranksense uncertainty` with the same seed, for any thread count.
pub fn uncertainty(
    index: &Index,
    scenario: &Scenario,
    options: UncertaintyOptions,
) -> Result<UncertaintyResult, Error> {
    uncertainty_observed(index, scenario, options, &Silent)
}

/// [`uncertainty`], reporting progress to `observer` and stopping early when it says
/// [`Observer::cancelled`] (the result is then an error with [`Error::is_cancelled`]).
pub fn uncertainty_observed(
    index: &Index,
    scenario: &Scenario,
    options: UncertaintyOptions,
    observer: &dyn Observer,
) -> Result<UncertaintyResult, Error> {
    let resolved = options.resolve(scenario);
    let run_scenario = scenario.for_run(options.focus.is_some(), options.top_k.is_some());
    let run = run_uncertainty(
        index.model(),
        &run_scenario,
        scenario.text(),
        &resolved,
        observer,
    )?;
    if observer.cancelled() {
        return Err(Error::cancelled());
    }
    let fixed = (!resolved.converge).then_some(resolved.samples);
    Ok(UncertaintyResult::new(
        index,
        scenario,
        run,
        (fixed, resolved.seed),
    ))
}

impl UncertaintyResult {
    /// The focus unit's verdict as the report states it (one sentence), if the run has a focus.
    pub fn verdict_sentence(&self) -> Option<String> {
        self.summary
            .uncertainty
            .as_ref()
            .and_then(|u| u.verdict_sentence.clone())
    }

    /// The CSV tables of the report folder (rank_stats.csv, rank_histogram.csv, pairwise.csv,
    /// …), as (file name, text) pairs.
    pub fn tables(&self) -> Vec<(String, String)> {
        super::csv_tables(&uncertainty_files(&self.summary, &self.run))
    }

    /// Wraps a run with its summary: results, scenario, settings and their origins.
    pub(crate) fn new(
        index: &Index,
        scenario: &Scenario,
        run: UncertaintyRun,
        (samples, seed): (Option<u64>, u64),
    ) -> Self {
        let mut summary =
            uncertainty_summary(index.model(), scenario.label(), scenario.text(), &run, seed);
        let setup = &run.setup;
        scenario.describe(
            &mut summary,
            index,
            &Resolved {
                samples,
                seed,
                focus: setup.focus.map(|f| setup.prepared.units[f].code.as_str()),
                top_k: Some(setup.top_k),
                default_top_k: default_top_k(setup.prepared.n_units()),
            },
        );
        UncertaintyResult {
            run,
            summary,
            scenario: scenario.clone(),
        }
    }

    /// The number of samples run.
    pub fn samples(&self) -> u64 {
        self.run.stats.samples
    }

    /// The seed the run used.
    pub fn seed(&self) -> u64 {
        self.run.setup.fingerprint.seed
    }

    /// Every unit's rank statistics (nominal rank, median, 5% and 95% quantiles, P(top k),
    /// Monte Carlo errors, …), in data order.
    pub fn units(&self) -> &[UnitRankStats] {
        &self.run.stats.units
    }

    /// One unit's rank statistics, by uCode or name.
    pub fn unit(&self, code_or_name: &str) -> Option<&UnitRankStats> {
        self.units()
            .iter()
            .find(|u| u.code == code_or_name || u.name == code_or_name)
    }

    /// One unit's exact rank distribution, by uCode or name: each rank (or bin of ranks) it took,
    /// with its count and probability, best rank first. rank_histogram.csv holds every unit's
    /// up to 1,000 units and the listed ones above; this gives any unit's, at any size.
    pub fn rank_histogram(&self, code_or_name: &str) -> Option<Vec<RankBin>> {
        let unit = self
            .units()
            .iter()
            .position(|u| u.code == code_or_name || u.name == code_or_name)?;
        Some(self.run.rank_distribution().bins_of(unit).collect())
    }

    /// The focus unit's rank statistics, if the run has a focus.
    pub fn focus(&self) -> Option<&UnitRankStats> {
        self.run.setup.focus.map(|f| &self.run.stats.units[f])
    }

    /// k of the run's "P(top k)".
    pub fn top_k(&self) -> u32 {
        self.run.setup.top_k
    }

    /// The focus unit's verdict (rating, rule and the numbers it rests on), if the run has a
    /// focus.
    pub fn verdict(&self) -> Option<&FocusVerdict> {
        self.run.verdict.as_ref()
    }

    /// Whether the stop rule found every headline number settled, and the largest Monte
    /// Carlo errors.
    pub fn convergence(&self) -> &Convergence {
        &self.run.convergence
    }

    /// All statistics of the run, pairwise probabilities and central weights included.
    pub fn stats(&self) -> &UncertaintyStats {
        &self.run.stats
    }

    /// rank_stats.csv (`uncertainty --format csv`).
    pub fn rank_stats_csv(&self) -> String {
        rank_stats_csv(&self.run.stats)
    }

    /// The summary.json envelope (`uncertainty --format json`).
    pub fn summary_json(&self) -> String {
        self.summary.to_json()
    }

    /// Writes the report folder `uncertainty --out DIR` writes (rank_stats.csv,
    /// rank_histogram.csv, rank_bands.csv, pairwise.csv, central_weights.csv, summary.json,
    /// report.md, and a derived scenario's scenario.toml), all or nothing; returns the paths
    /// written.
    pub fn write_report(&self, folder: impl AsRef<Path>) -> Result<Vec<PathBuf>, Error> {
        let mut files = uncertainty_files(&self.summary, &self.run);
        self.scenario.add_file(&mut files);
        Ok(files.write_to(folder.as_ref())?)
    }

    /// One CSV row per sample (the factor values it drew and the focus unit's rank),
    /// regenerated from the seed (`uncertainty --runs-file`).
    pub fn runs_csv(&self, threads: usize) -> String {
        analysis::runs_csv(
            &self.run.setup,
            self.seed(),
            0..self.run.accumulator.samples,
            threads,
        )
    }
}

/// One shard's partial state: its exact counts and the run it belongs to, to save (
/// [`ShardState::to_bytes`]) and later combine with the other shards ([`super::merge_shards`]).
#[derive(Debug, Clone)]
pub struct ShardState {
    pub(crate) file: String,
    pub(crate) state: PartialState,
}

/// Runs shard `shard` (k of n) of an uncertainty run: its slice of the samples only. The run
/// needs a fixed number of samples (the options' or the scenario's), the same for every shard.
pub fn uncertainty_shard(
    index: &Index,
    scenario: &Scenario,
    options: UncertaintyOptions,
    shard: Shard,
) -> Result<ShardState, Error> {
    let resolved = options.resolve(scenario);
    if resolved.converge {
        return Err(Error::input(format!(
            "shard {shard} needs a fixed number of samples to split, but neither the options nor the scenario's `samples` gives one (a converged run decides its size as it goes); fix: give every shard and the merge the same number of samples, e.g. the samples a converged run reported"
        )));
    }
    let run_scenario = scenario.for_run(options.focus.is_some(), options.top_k.is_some());
    let setup = Setup::new(index.model(), &run_scenario, scenario.text(), &resolved)?;
    let range = shard.samples(resolved.samples);
    let accumulator = setup.run(range, resolved.seed, resolved.threads, &Silent);
    let state = PartialState::of_shard(setup.fingerprint.clone(), shard, accumulator);
    Ok(ShardState {
        file: format!("state-{}-of-{}.json", shard.index, shard.count),
        state,
    })
}

impl ShardState {
    /// Reads a state file written by [`ShardState::to_bytes`] (or `uncertainty --shard`),
    /// checking its checksum and consistency.
    pub fn from_file(path: impl AsRef<Path>) -> Result<ShardState, Error> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| {
            Error::input(format!(
                "cannot read {file}: {e}; fix: check the path of the state file"
            ))
        })?;
        ShardState::from_bytes(&file, &bytes)
    }

    /// Reads a state from its bytes; `file` names it in messages.
    pub fn from_bytes(file: &str, bytes: &[u8]) -> Result<ShardState, Error> {
        Ok(ShardState {
            file: file.to_string(),
            state: PartialState::from_file(file, bytes)?,
        })
    }

    /// The state file's bytes (JSON with a checksum).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.state.to_file()
    }

    /// Which shard this is (the first it covers, for a merged state).
    pub fn shard(&self) -> Shard {
        self.state.shard
    }

    /// The last shard it covers: [`ShardState::shard`]'s index, unless it is a merged state
    /// ([`super::merge_into_state`]).
    pub fn last_shard(&self) -> u64 {
        self.state.last_shard
    }

    /// The global sample indices this state covers.
    pub fn samples(&self) -> Range<u64> {
        self.state.samples()
    }
}
