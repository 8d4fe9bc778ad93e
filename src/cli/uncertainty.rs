//! `ranksense uncertainty` and `ranksense merge`: Monte Carlo rank distributions, verdict and report files.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::progress::Progress;
use super::scenario::{LoadedScenario, load as load_scenario};
use super::{DataArgs, Failure, Format, present};
use crate::analysis::convergence::{DEFAULT_MAX_SAMPLES, FIRST_BATCH};
use crate::analysis::merge::{MergeRequest, MergeRunError, MergeSetting, merge_stream, merged_run};
use crate::analysis::uncertainty::{PairSelection, Setup, UncertaintyOptions, default_top_k};
use crate::analysis::uncertainty_run::{UncertaintyRun, run_uncertainty};
use crate::engine::accumulate::MAX_SAMPLES;
use crate::engine::shard::{MergeError, MergedStates, PartialState, Shard};
use crate::model::Index;
use crate::model::{Diagnostic, Location};
use crate::report::output::{check_report_folder, write_atomic};
use crate::report::provenance::{DEFAULT_SEED, Resolved};
use crate::report::render::UncertaintyView;
use crate::report::summary::Summary;
use crate::report::uncertainty::uncertainty_summary;

/// Most base rows of a Sobol design (`--base-samples`): the design's N (k + 2) outputs per
/// target are held in memory, so 2^30 rows already need tens of GiB; the variance estimators
/// need at least 2.
pub const MAX_BASE_SAMPLES: u64 = 1 << 30;

/// A clap parser for a whole number in `min..=max`: a negative number, a fraction, `1e20` or
/// a value out of range is refused with the range named (clap adds the option's name).
pub fn whole_in<T>(
    min: u64,
    max: u64,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static
where
    T: TryFrom<u64>,
{
    move |text: &str| {
        let fix = format!("fix: use a whole number from {min} to {max}");
        match text.trim().parse::<i128>() {
            Ok(value) if (i128::from(min)..=i128::from(max)).contains(&value) => {
                T::try_from(value as u64).map_err(|_| format!("{value} is too large; {fix}"))
            }
            Ok(value) if value < i128::from(min) => Err(format!("{value} is below {min}; {fix}")),
            Ok(value) => Err(format!("{value} is above {max}; {fix}")),
            Err(_) => Err(format!("`{text}` is not a whole number; {fix}")),
        }
    }
}

/// Flags shared by `uncertainty`, `sensitivity` and `robust`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Scenario file, or a shipped scenario name (ieci-full, ieci-weights, ieci-methods,
    /// ieci-simplex, ieci-noise, asem, asem-coinr, asem-noise). Default: ieci-full for the
    /// embedded IECI data, asem for the embedded ASEM data, else a scenario derived from the
    /// index (written to the report folder as scenario.toml).
    #[arg(long, value_name = "FILE|NAME")]
    pub scenario: Option<String>,
    /// Random seed (default: the scenario's, else 1). Same seed, same bytes.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Unit whose rank the verdict is about (uCode or name; default: the scenario's or index's).
    #[arg(long)]
    pub focus: Option<String>,
    /// k of "P(top k)" (default: the scenario's, else a quarter of the units, from 1 to 10).
    #[arg(long)]
    pub top_k: Option<u32>,
}

/// `--samples`, for the Monte Carlo commands only (`sensitivity` sizes its design with
/// `--base-samples`, so it does not take this).
#[derive(Debug, Clone, Args)]
pub struct SamplesArg {
    /// Exactly this many Monte Carlo samples (default: the scenario's, else sample until every
    /// headline number is settled, up to --max-samples); at most 2^40, as the run's exact
    /// counters hold.
    #[arg(long, allow_negative_numbers = true, value_parser = whole_in::<u64>(1, MAX_SAMPLES))]
    pub samples: Option<u64>,
}

impl RunArgs {
    /// Loads the index and the scenario; the command line's focus and top-k replace the
    /// scenario's.
    pub fn load(&self) -> Result<(Index, LoadedScenario), Failure> {
        let index = self.data.load()?;
        let mut scenario = load_scenario(self.scenario.as_deref(), &index)?;
        scenario.override_with(self.focus.is_some(), self.top_k.is_some());
        Ok((index, scenario))
    }

    /// The Monte Carlo options: `samples` (`--samples`), else the scenario's, else a converged
    /// run (batches growing from 10,000, at most doubling, up to `max_samples`).
    pub fn options(
        &self,
        samples: Option<u64>,
        max_samples: u64,
        scenario: &LoadedScenario,
    ) -> UncertaintyOptions {
        let fixed = samples.or(scenario.scenario.samples);
        UncertaintyOptions {
            samples: fixed.unwrap_or(FIRST_BATCH),
            converge: fixed.is_none(),
            max_samples,
            seed: self.seed.or(scenario.scenario.seed).unwrap_or(DEFAULT_SEED),
            threads: self.threads,
            focus: self.focus.clone(),
            top_k: self.top_k,
            ..UncertaintyOptions::default()
        }
    }
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("sharded").args(["shard", "shard_index"])))]
pub struct UncertaintyArgs {
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub samples: SamplesArg,
    /// Write rank_stats.csv, rank_histogram.csv, pairwise.csv, central_weights.csv,
    /// summary.json and report.md into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Format of the table printed on standard output.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Run only shard K of N (e.g. `3/10`) and write its partial state (to --state, or
    /// --out/state-K-of-N.json); combine the shards with `ranksense merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Run only shard I of --shards N, counted from 0 (0 ≤ I < N), as Kubernetes indexed Jobs
    /// (JOB_COMPLETION_INDEX) and AWS Batch arrays (AWS_BATCH_JOB_ARRAY_INDEX) number their
    /// tasks: the same run and state as `--shard I+1/N`.
    #[arg(long, value_name = "I", requires = "shards", allow_negative_numbers = true,
          value_parser = whole_in::<u64>(0, u64::MAX - 1))]
    pub shard_index: Option<u64>,
    /// The number of shards N of --shard-index.
    #[arg(long, value_name = "N", requires = "shard_index", allow_negative_numbers = true,
          value_parser = whole_in::<u64>(1, u64::MAX))]
    pub shards: Option<u64>,
    /// Where a shard writes its partial state.
    #[arg(long, value_name = "FILE", requires = "sharded")]
    pub state: Option<PathBuf>,
    /// Cap of a converged run (without --samples): sampling stops here even if some numbers
    /// are not settled (they are listed). At most 2^40.
    #[arg(long, default_value_t = DEFAULT_MAX_SAMPLES, allow_negative_numbers = true,
          value_parser = whole_in::<u64>(1, MAX_SAMPLES))]
    pub max_samples: u64,
    /// Write one row per run (sampled factor values and the focus unit's rank) to this CSV.
    #[arg(long, value_name = "FILE", conflicts_with = "sharded")]
    pub runs_file: Option<PathBuf>,
    /// Width of the rank bins of the histograms (default 1: exact ranks at any size; wider
    /// bins use less memory, and quantiles carry ±(width − 1)/2 ranks of bin error).
    #[arg(long, value_name = "RANKS", allow_negative_numbers = true,
          value_parser = whole_in::<u32>(1, u64::from(u32::MAX)))]
    pub bin_width: Option<u32>,
    /// Which pairwise probabilities to keep: all, focus, or top:K (default: all up to 300 units, else focus).
    #[arg(long, value_name = "all|focus|top:K")]
    pub pairs: Option<PairSelection>,
}

impl UncertaintyArgs {
    /// The shard to run: `--shard K/N`, or `--shard-index I --shards N` as shard I+1 of N.
    fn shard(&self) -> Result<Option<Shard>, Failure> {
        match (self.shard, self.shard_index, self.shards) {
            (Some(shard), _, _) => Ok(Some(shard)),
            (None, Some(index), Some(count)) if index < count => Ok(Some(Shard {
                index: index + 1,
                count,
            })),
            (None, Some(index), Some(count)) => Err(Failure::input(anyhow::anyhow!(
                "--shard-index {index} is out of range for --shards {count}: shard indices count from 0, so they run from 0 to {}; fix: pass an index below {count} (a 1-based task number K is `--shard K/{count}`)",
                count - 1
            ))),
            _ => Ok(None),
        }
    }
}

fn options(
    args: &UncertaintyArgs,
    scenario: &LoadedScenario,
    shard: Option<Shard>,
) -> UncertaintyOptions {
    UncertaintyOptions {
        bin_width: args.bin_width,
        pairs: args.pairs,
        shard: shard.unwrap_or(Shard::WHOLE),
        ..args
            .run
            .options(args.samples.samples, args.max_samples, scenario)
    }
}

pub fn run(args: UncertaintyArgs) -> Result<(), Failure> {
    let shard = args.shard()?;
    let (index, scenario) = args.run.load()?;
    let options = options(&args, &scenario, shard);
    if shard.is_none() {
        scenario.announce(args.out.as_deref(), args.run.data.data.as_deref());
    }
    if let Some(shard) = shard {
        if options.converge {
            return Err(Failure::input(anyhow::anyhow!(
                "--shard {shard} needs a fixed number of samples to split, but neither --samples nor the scenario's `samples` gives one (a converged run decides its size as it goes); fix: pass the same --samples N to every shard and to merge, e.g. the samples a converged run reported"
            )));
        }
        return run_shard(&args, &index, &scenario, &options, shard);
    }
    if let Some(dir) = &args.out {
        check_report_folder(dir)?;
    }
    let started = Instant::now();
    let progress = Progress::new(options.samples);
    let result = run_uncertainty(
        &index,
        &scenario.scenario,
        scenario.text(),
        &options,
        &progress,
    )
    .map_err(Failure::input)?;
    progress.finish();
    let elapsed = started.elapsed();
    let fixed = (!options.converge).then_some(options.samples);
    let summary = summary_of(&index, &scenario, &result, (fixed, options.seed));
    present_run(&args, &index, &summary, &result, elapsed)?;
    // After the report folder: it may be inside it, and the folder is replaced as a whole.
    if let Some(path) = &args.runs_file {
        write_runs_file(path, &result, &options)?;
    }
    Ok(())
}

/// `--runs-file` of `uncertainty` and `robust`: one row per run of `result` (its sampled
/// factor values and the focus unit's rank), recomputed from the run's seed.
pub fn write_runs_file(
    path: &std::path::Path,
    result: &UncertaintyRun,
    options: &UncertaintyOptions,
) -> Result<(), Failure> {
    let csv = crate::analysis::uncertainty::runs_csv(
        &result.setup,
        options.seed,
        0..result.accumulator.samples,
        options.threads,
    );
    write_atomic(path, csv.as_bytes())?;
    Ok(())
}

/// The summary of a run: results, scenario, settings and their origins.
fn summary_of(
    index: &Index,
    scenario: &LoadedScenario,
    result: &UncertaintyRun,
    (samples, seed): (Option<u64>, u64),
) -> Summary {
    let mut summary = uncertainty_summary(index, scenario.file(), scenario.text(), result, seed);
    let setup = &result.setup;
    let focus = setup.focus.map(|f| setup.prepared.units[f].code.as_str());
    scenario.describe(
        &mut summary,
        index,
        &Resolved {
            samples,
            seed,
            focus,
            top_k: Some(setup.top_k),
            default_top_k: default_top_k(setup.prepared.n_units()),
        },
    );
    summary
}

/// Prints the run and writes its files into `--out`.
fn present_run(
    args: &UncertaintyArgs,
    index: &Index,
    summary: &Summary,
    result: &UncertaintyRun,
    elapsed: std::time::Duration,
) -> Result<(), Failure> {
    let view = UncertaintyView {
        index,
        summary,
        result,
        elapsed,
    };
    present(&view, args.format, args.out.as_deref())
}

fn run_shard(
    args: &UncertaintyArgs,
    index: &Index,
    scenario: &LoadedScenario,
    options: &UncertaintyOptions,
    shard: Shard,
) -> Result<(), Failure> {
    let setup =
        Setup::new(index, &scenario.scenario, scenario.text(), options).map_err(Failure::input)?;
    let range = shard.samples(options.samples);
    let progress = Progress::new(range.end - range.start);
    let accumulator = setup.run(range.clone(), options.seed, options.threads, &progress);
    progress.finish();
    let state = PartialState::of_shard(setup.fingerprint.clone(), shard, accumulator);
    let path = match (&args.state, &args.out) {
        (Some(path), _) => path.clone(),
        (None, Some(dir)) => dir.join(format!("state-{}-of-{}.json", shard.index, shard.count)),
        (None, None) => PathBuf::from(format!("state-{}-of-{}.json", shard.index, shard.count)),
    };
    write_atomic(&path, &state.to_file())?;
    println!(
        "shard {shard}: samples {}..{} written to {}",
        range.start,
        range.end,
        path.display()
    );
    Ok(())
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partial state files of every shard of one run.
    #[arg(required = true, value_name = "STATE")]
    pub states: Vec<PathBuf>,
    /// Samples, seed, focus and top-k come from the shards; given here, they are checked
    /// against the shards' (a mismatch is an error, never silently ignored).
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub samples: SamplesArg,
    /// Write the merged run's files here (byte-identical to an unsharded run).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Format of the table printed on standard output.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// The rank bin width the shards were run with (taken from the shards; given, it is checked).
    #[arg(long, value_name = "RANKS")]
    pub bin_width: Option<u32>,
    /// The pair selection the shards were run with (taken from the shards; given, it is checked).
    #[arg(long, value_name = "all|focus|top:K")]
    pub pairs: Option<PairSelection>,
    /// Also write the merged state here: of consecutive shards (e.g. 1–50 of 100) for a
    /// two-stage merge, merged again like shard states; of every shard, byte for byte what any
    /// grouping gives. Without --out and with shards missing, only this file is written.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
}

pub fn merge(args: MergeArgs) -> Result<(), Failure> {
    if let Some(dir) = &args.out {
        check_report_folder(dir)?;
    }
    // Read one file at a time, when the merge needs it: memory does not grow with their number.
    let states = args.states.iter().map(|path| {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| {
            MergeError::File(Diagnostic::new(
                Location::file(&file),
                format!("cannot be read: {e}"),
                "check the path of the state file",
            ))
        })?;
        PartialState::from_file(&file, &bytes).map(|state| (file, state))
    });
    let progress = Progress::new(args.states.len() as u64);
    let merger = merge_stream(states, args.states.len() as u64, &progress);
    progress.finish();
    let merger = merger.map_err(shard_failure)?;
    let merged = match &args.state {
        Some(path) => {
            let missing = !merger.missing().is_empty();
            if missing && args.out.is_some() {
                // The report needs every shard: say which are missing.
                merger.finish().map_err(shard_failure)?;
                unreachable!("shards are missing");
            }
            let first_file = merger.first_file().unwrap_or_default().to_string();
            let state = merger.into_state().map_err(shard_failure)?;
            write_atomic(path, &state.to_file())?;
            eprintln!(
                "shards {} merged into {}",
                state.shards_label(),
                path.display()
            );
            if missing {
                return Ok(());
            }
            MergedStates {
                fingerprint: state.fingerprint,
                accumulator: state.accumulator,
                first_file,
            }
        }
        None => merger.finish().map_err(shard_failure)?,
    };
    let (index, scenario) = args.run.load()?;
    let request = MergeRequest {
        samples: args.samples.samples,
        seed: args.run.seed,
        focus: args.run.focus.clone(),
        top_k: args.run.top_k,
        bin_width: args.bin_width,
        pairs: args.pairs,
        threads: args.run.threads,
    };
    // With data error, the merge runs the data-error analysis (see `merged_run`).
    let progress = Progress::new(merged.accumulator.samples);
    let merged = merged_run(
        &index,
        &scenario.scenario,
        scenario.text(),
        merged,
        &request,
        &progress,
    );
    progress.finish();
    let result = merged.map_err(merge_failure)?;
    let fingerprint = &result.setup.fingerprint;
    let settings = (Some(fingerprint.total_samples), fingerprint.seed);
    let summary = summary_of(&index, &scenario, &result, settings);
    let uncertainty_args = UncertaintyArgs {
        run: args.run.clone(),
        samples: args.samples.clone(),
        out: args.out.clone(),
        format: args.format,
        shard: None,
        shard_index: None,
        shards: None,
        state: None,
        max_samples: 0,
        runs_file: None,
        bin_width: None,
        pairs: None,
    };
    present_run(
        &uncertainty_args,
        &index,
        &summary,
        &result,
        std::time::Duration::ZERO,
    )
}

/// A merge's refusal in the command line's words: a setting the shards were not run with is
/// named as the flag that asked for it.
fn merge_failure(error: MergeRunError) -> Failure {
    if let MergeRunError::States(states) = error {
        return shard_failure(states);
    }
    let message = match &error {
        MergeRunError::Setting {
            setting,
            given,
            ran,
        } => {
            let flag = match setting {
                MergeSetting::Seed => "--seed",
                MergeSetting::Samples => "--samples",
                MergeSetting::Focus => "--focus",
                MergeSetting::TopK => "--top-k",
                MergeSetting::BinWidth => "--bin-width",
            };
            format!(
                "the shards were run with {flag} {ran}, not {given}; fix: pass `{flag} {ran}` or leave {flag} out (merge takes it from the shards); for {flag} {given}, run the shards again with it"
            )
        }
        MergeRunError::Pairs { given, kept, all } => format!(
            "the shards kept pairwise counts for {}, not for `--pairs {given}`; fix: leave --pairs out (merge takes the pairs from the shards), or run the shards again with `--pairs {given}`",
            if *all {
                "every unit (`--pairs all`)".to_string()
            } else {
                kept.clone()
            }
        ),
        MergeRunError::OtherInputs {
            shard_data,
            given_data,
            shard_scenario,
            given_scenario,
        } => format!(
            "the shards were run on other data or another scenario than the ones given here (data hash {shard_data} vs {given_data}, scenario hash {shard_scenario} vs {given_scenario}); fix: pass the same --data and --scenario as the shard runs"
        ),
        MergeRunError::Layout { file } => format!(
            "{file}: its counts are laid out for another index (units, rank bands, score scale, weights or factors differ from what this data and scenario give); fix: run its shards again with `ranksense uncertainty --shard K/N`"
        ),
        _ => return Failure::input(error),
    };
    Failure::input(anyhow::anyhow!(message))
}

/// The state files' refusals name the shards to run in the data's terms (`shard 3/10`); here
/// each gains the command that runs them.
fn shard_failure(error: MergeError) -> Failure {
    let run = |shard: &str| format!("`ranksense uncertainty --shard {shard}`");
    match error {
        MergeError::Rerun {
            mut diagnostic,
            shard,
        } => {
            let shard = shard.map_or_else(|| "K/N".to_string(), |shard| shard.to_string());
            diagnostic.fix = format!("{} ({})", diagnostic.fix, run(&shard));
            Failure::input(MergeError::File(*diagnostic))
        }
        MergeError::Missing { ref missing, count } => {
            let shard = match missing.as_slice() {
                [k] => format!("{k}/{count}"),
                _ => format!("K/{count}"),
            };
            Failure::input(anyhow::anyhow!("{error} ({})", run(&shard)))
        }
        MergeError::Format { .. } => Failure::input(anyhow::anyhow!("{error} ({})", run("K/N"))),
        other => Failure::input(other),
    }
}
