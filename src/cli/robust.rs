//! `ranksense robust`: the main job — from data to a publishable robustness report in one command.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::progress::Progress;
use super::uncertainty::{MAX_BASE_SAMPLES, RunArgs, SamplesArg, whole_in, write_runs_file};
use super::{Failure, ReportFormat, present};
use crate::analysis::convergence::DEFAULT_MAX_SAMPLES;
use crate::analysis::robust::{RobustError, RobustOptions, run_robust};
use crate::analysis::uncertainty::default_top_k;
use crate::engine::accumulate::MAX_SAMPLES;
use crate::report::provenance::Resolved;
use crate::report::render::RobustView;
use crate::report::robust::robust_summary;

#[derive(Debug, Args)]
pub struct RobustArgs {
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub samples: SamplesArg,
    /// Report folder (report.md, report.html, CSVs, charts, summary.json).
    #[arg(long, value_name = "DIR", default_value = "ranksense-report")]
    pub out: PathBuf,
    /// Base rows of the Sobol design (N (k + 2) scorer runs), from 2 to 2^30.
    #[arg(long, default_value_t = 2048, allow_negative_numbers = true,
          value_parser = whole_in::<usize>(2, MAX_BASE_SAMPLES))]
    pub base_samples: usize,
    /// Bootstrap resamples for the Sobol intervals.
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// What to print: the verdict and table (`table`), or the report as Markdown or JSON.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Cap of a converged run (without --samples): sampling stops here even if some numbers
    /// are not settled (they are listed). At most 2^40.
    #[arg(long, default_value_t = DEFAULT_MAX_SAMPLES, allow_negative_numbers = true,
          value_parser = whole_in::<u64>(1, MAX_SAMPLES))]
    pub max_samples: u64,
    /// Write one row per Monte Carlo run (sampled factor values and the focus unit's rank) to
    /// this CSV, as `uncertainty --runs-file` does.
    #[arg(long, value_name = "FILE")]
    pub runs_file: Option<PathBuf>,
}

pub fn run(args: RobustArgs) -> Result<(), Failure> {
    crate::report::output::check_report_folder(&args.out)?;
    let (index, scenario) = args.run.load()?;
    scenario.announce(Some(&args.out), args.run.data.data.as_deref());
    // Top-k: --top-k, else the scenario's, else 10 (capped at the number of units).
    let uncertainty = args
        .run
        .options(args.samples.samples, args.max_samples, &scenario);
    let options = RobustOptions {
        uncertainty,
        base_samples: args.base_samples,
        bootstrap_resamples: args.bootstrap,
        ..RobustOptions::default()
    };
    let started = Instant::now();
    let progress = Progress::new(options.uncertainty.samples);
    let run = run_robust(
        &index,
        &scenario.scenario,
        &scenario.text,
        &options,
        &progress,
    )
    .map_err(|error| match error {
        // The library says "name a focus unit for the run"; here that is a flag.
        RobustError::NoFocus { .. } => Failure::input(anyhow::anyhow!("{error} (--focus CODE)")),
        other => Failure::input(other),
    })?;
    progress.finish();
    let mut summary = robust_summary(
        &index,
        &scenario.file,
        &scenario.text,
        &run,
        options.uncertainty.seed,
    );
    let setup = &run.uncertainty.setup;
    scenario.describe(
        &mut summary,
        &index,
        &Resolved {
            samples: (!options.uncertainty.converge).then_some(options.uncertainty.samples),
            seed: options.uncertainty.seed,
            focus: setup.focus.map(|f| setup.prepared.units[f].code.as_str()),
            top_k: Some(setup.top_k),
            default_top_k: default_top_k(setup.prepared.n_units()),
        },
    );
    let view = RobustView::new(
        &index,
        &summary,
        &run,
        &args.out,
        (args.base_samples, options.uncertainty.seed),
        started.elapsed(),
    );
    present(&view, args.format, Some(&args.out))?;
    // After the report folder: it may be inside it, and the folder is replaced as a whole.
    if let Some(path) = &args.runs_file {
        write_runs_file(path, &run.uncertainty, &options.uncertainty)?;
    }
    Ok(())
}
