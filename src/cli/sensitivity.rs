//! `ranksense sensitivity`: Sobol indices of R_S, every unit's rank and score and the focus unit's top-k place, with the focus sentence and report files.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;

use super::progress::Progress;
use super::scenario::LoadedScenario;
use super::sobol::Points;
use super::uncertainty::{MAX_BASE_SAMPLES, RunArgs, whole_in};
use super::{Failure, Format, present};
use crate::analysis::sensitivity::{
    SensitivityError, SensitivityOptions, SensitivityRun, TargetFamily, UnitTargets,
    run_sensitivity,
};
use crate::model::Index;
use crate::report::provenance::DEFAULT_SEED;
use crate::report::render::SensitivityView;
use crate::report::sensitivity::sensitivity_summary;
use crate::report::summary::Summary;
use crate::scenario::factors::ScenarioModel;

#[derive(Debug, Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Base rows N of the Saltelli design (2 to 2^30): N (k + 2) model runs for k factors. Use
    /// a power of two with Sobol points.
    #[arg(long, value_name = "N", default_value_t = 2048, allow_negative_numbers = true,
          value_parser = whole_in::<usize>(2, MAX_BASE_SAMPLES))]
    pub base_samples: usize,
    /// Targets to estimate, repeated or comma-separated: rs (mean absolute rank shift over all
    /// units), rank and score (every unit's), topk (focus rank ≤ k, k = --top-k or the focus
    /// unit's nominal rank). Default: all four.
    #[arg(long, value_name = "rs|rank|score|topk", value_delimiter = ',')]
    pub target: Vec<TargetFamily>,
    /// Scrambled Sobol points or pseudo-random points for the design.
    #[arg(long, value_enum, default_value_t = Points::Sobol)]
    pub points: Points,
    /// Bootstrap resamples for the percentile intervals (0 = none).
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// Which units get rank and score targets (default: all, unless their outputs would take
    /// more than 512 MiB, then the focus unit only).
    #[arg(long, value_name = "all|focus")]
    pub unit_targets: Option<UnitTargets>,
    /// Add an inert dummy factor. ranksense's model is deterministic, so the dummy's indices are
    /// exactly 0 at any N (its AB run repeats the A run); use the convergence table and the
    /// interval widths to judge N.
    #[arg(long)]
    pub dummy: bool,
    /// Write sobol.csv, summary.json and report.md into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Format of what is printed on standard output.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

fn options(args: &SensitivityArgs, scenario: &LoadedScenario) -> SensitivityOptions {
    SensitivityOptions {
        base_samples: args.base_samples,
        seed: args
            .run
            .seed
            .or(scenario.scenario.seed)
            .unwrap_or(DEFAULT_SEED),
        threads: args.run.threads,
        focus: args.run.focus.clone(),
        top_k: args.run.top_k,
        points: args.points.into(),
        families: if args.target.is_empty() {
            TargetFamily::ALL.to_vec()
        } else {
            args.target.clone()
        },
        unit_targets: args.unit_targets,
        bootstrap_resamples: args.bootstrap,
        dummy: args.dummy,
        ..SensitivityOptions::default()
    }
}

pub fn run(args: SensitivityArgs) -> Result<(), Failure> {
    if let Some(dir) = &args.out {
        crate::report::output::check_report_folder(dir)?;
    }
    let (index, scenario) = args.run.load()?;
    scenario.announce(args.out.as_deref(), args.run.data.data.as_deref());
    let options = options(&args, &scenario);
    // The run count, for the progress bar only; a scenario that does not resolve fails below.
    let factors = ScenarioModel::new(&scenario.scenario, &index).map_or(0, |m| m.factors.len());
    let progress =
        Progress::new((options.base_samples * (factors + 2 + usize::from(args.dummy))) as u64);
    let started = Instant::now();
    let result = run_sensitivity(
        &index,
        &scenario.scenario,
        &scenario.text,
        &options,
        &progress,
    )
    .map_err(with_flags)?;
    progress.finish();
    let elapsed = started.elapsed();
    let summary = summary_of(&index, &scenario, &result);
    present_run(&args, &index, &summary, &result, elapsed)
}

/// The library asks for a focus, a k or a factor name in its own words; here each is a flag.
fn with_flags(error: SensitivityError) -> Failure {
    let flag = match error {
        SensitivityError::NeedsFocus { .. } => "--focus CODE",
        SensitivityError::BadTopK { .. } => "--top-k K",
        SensitivityError::DummyNameTaken => "--dummy",
        _ => return Failure::input(error),
    };
    Failure::input(anyhow::anyhow!("{error} ({flag})"))
}

fn summary_of(index: &Index, scenario: &LoadedScenario, result: &SensitivityRun) -> Summary {
    sensitivity_summary(
        index,
        &scenario.file,
        &scenario.text,
        &scenario.written,
        scenario.derived.as_ref(),
        result,
    )
}

/// Prints the run and writes its files into `--out`.
fn present_run(
    args: &SensitivityArgs,
    index: &Index,
    summary: &Summary,
    result: &SensitivityRun,
    elapsed: Duration,
) -> Result<(), Failure> {
    let view = SensitivityView {
        index,
        summary,
        result,
        elapsed,
    };
    present(&view, args.format, args.out.as_deref())
}
