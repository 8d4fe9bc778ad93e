//! Command-line interface: argument parsing and printing only; every command calls into the library.

// Standard output for every command module below (they are declared after these macros, so
// these shadow std's). std's `print!` panics when the reader has gone (`ranksense score |
// head -1`: exit 101 and a panic message); here a closed reader is a normal end: output is
// dropped from then on, the command finishes (files it writes are still written) and exits
// as it would have.
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!($($arg)*))
    };
}
macro_rules! println {
    () => {
        $crate::cli::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

mod coherence;
mod data;
mod exact;
mod init;
mod progress;
mod robust;
mod scenario;
mod score;
mod sensitivity;
mod sobol;
mod synth;
mod uncertainty;
mod validate;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand, ValueEnum};

use crate::report::render::{self, Render};
pub use data::DataArgs;

/// ranksense — how far can each rank of a composite indicator be trusted?
///
/// Runs on the embedded International Exchange Centers Index 2022 reconstruction (an
/// illustrative data set rebuilt from the report's published facts, not the report's own
/// data) unless `--data` points to your own index (COINr-style meta.csv, data.csv, index.toml).
#[derive(Debug, Parser)]
#[command(name = "ranksense", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// No progress on standard error: neither the bar on a terminal nor, when standard error
    /// is a file or pipe (a batch job's log), the line printed every 30 s and at each phase's end.
    #[arg(long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The main job: is the focus unit's rank robust? Uncertainty, sensitivity, exact bounds,
    /// stability and charts from one seed, written to a report folder (./ranksense-report).
    Robust(robust::RobustArgs),
    /// Statistical coherence audit: data quality, correlations with flags, Cronbach's α, PCA
    /// and each indicator's importance (η²) against its weight.
    Coherence(coherence::CoherenceArgs),
    /// Write a scenario derived from your index, with every scenario option commented, to
    /// DIR/scenario.toml (and a commented DIR/index.toml if the folder has none).
    Init(init::InitArgs),
    /// Print the nominal ranking: rank, unit, index score, and each dimension's score and rank.
    Score(score::ScoreArgs),
    /// Check index files (and a scenario file) and report every problem found.
    Validate(validate::ValidateArgs),
    /// Monte Carlo uncertainty analysis: every unit's rank distribution, stability interval
    /// and, for the focus unit, a plain-language verdict.
    Uncertainty(uncertainty::UncertaintyArgs),
    /// Combine the partial states of `uncertainty --shard K/N` runs into the full result.
    /// Every state file is checked (checksum, consistent counts); the run's settings come from
    /// the shards, and --seed, --samples, --focus, --top-k, --bin-width or --pairs given here
    /// must agree with them.
    Merge(uncertainty::MergeArgs),
    /// Write a synthetic index (correlated, skewed indicators with missing values) of any size.
    Synth(synth::SynthArgs),
    /// Exact best and worst rank over every weight vector in a range (±spread, a scenario's
    /// weight ranges or a box file), with the weights that achieve them.
    Bounds(exact::BoundsArgs),
    /// How far each weight can move (siblings rescaled) before the focus unit's rank or the
    /// top-k order changes, and the smallest weight change that moves the focus one place.
    Stability(exact::StabilityArgs),
    /// Every unit's rank as one weight sweeps a range (CSV and SVG), or the focus unit's rank
    /// over the weights of three siblings (`--simplex`, ternary heat map).
    Sweep(exact::SweepArgs),
    /// Drop each element of a level in turn (weight zero, COINr remove_elements) and report
    /// every unit's rank change.
    Drop(exact::DropArgs),
    /// Sobol sensitivity analysis: which uncertain choice moves R_S, each unit's rank and
    /// score, and the focus unit's top-k place (first-order and total indices with intervals).
    Sensitivity(sensitivity::SensitivityArgs),
    /// Sobol designs and indices for any model: `sample` writes a design, `analyze` estimates
    /// the indices from outputs computed elsewhere.
    Sobol {
        #[command(subcommand)]
        command: sobol::SobolCommand,
    },
}

/// Output formats for tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    Markdown,
}

/// Output formats of `robust`: its results are a report, not one table, so there is no CSV on
/// standard output (the report folder holds the CSVs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Markdown,
    Json,
}

impl From<Format> for render::Format {
    fn from(format: Format) -> Self {
        match format {
            Format::Table => render::Format::Table,
            Format::Csv => render::Format::Csv,
            Format::Json => render::Format::Json,
            Format::Markdown => render::Format::Markdown,
        }
    }
}

impl From<ReportFormat> for render::Format {
    fn from(format: ReportFormat) -> Self {
        match format {
            ReportFormat::Table => render::Format::Table,
            ReportFormat::Markdown => render::Format::Markdown,
            ReportFormat::Json => render::Format::Json,
        }
    }
}

/// Prints `result` in `format` and writes its files into `out` (if given): the one way every
/// command presents a result. Machine-readable output stays pure data (notes go to standard
/// error); the terminal says where the files went.
pub(crate) fn present(
    result: &dyn Render,
    format: impl Into<render::Format>,
    out: Option<&Path>,
) -> Result<(), Failure> {
    let format = format.into();
    if format.is_machine_readable()
        && let Some(note) = result.machine_note()
    {
        eprintln!("note: {note}");
    }
    let text = result
        .render(format)
        .ok_or_else(|| Failure::Internal(anyhow::anyhow!("this result has no {format:?} form")))?;
    let Some(dir) = out else {
        print!("{text}");
        return Ok(());
    };
    if result.files_first() {
        result.files().write_to(dir)?;
        print!("{text}");
    } else {
        print!("{text}");
        let written = result.files().write_to(dir)?;
        if format == render::Format::Table {
            print!("{}", result.written(dir, &written));
        }
    }
    Ok(())
}

/// How a command failed: bad input (exit code 2) or anything else (exit code 1).
#[derive(Debug)]
pub enum Failure {
    Input(anyhow::Error),
    Internal(anyhow::Error),
}

impl From<crate::api::Error> for Failure {
    fn from(error: crate::api::Error) -> Self {
        if error.is_input() {
            Failure::Input(error.into())
        } else {
            Failure::Internal(error.into())
        }
    }
}

impl Failure {
    pub fn input(error: impl Into<anyhow::Error>) -> Self {
        Failure::Input(error.into())
    }
}

/// Library errors caused by the user's input: exit code 2.
macro_rules! input_errors {
    ($($ty:ty),* $(,)?) => {$(
        impl From<$ty> for Failure {
            fn from(error: $ty) -> Self {
                Failure::Input(error.into())
            }
        }
    )*};
}
input_errors!(
    crate::model::LoadError,
    crate::pipeline::PrepareError,
    crate::model::method::MethodParseError,
    crate::report::output::OutputError,
    crate::scenario::ScenarioError,
    crate::analysis::uncertainty::UncertaintyError,
);

/// Set once standard output's reader has gone; nothing more is written to it.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes to standard output for [`print!`]/[`println!`] above: a broken pipe ends output
/// quietly; any other failure panics, as std's `print!` does.
pub(crate) fn write_stdout(args: std::fmt::Arguments) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    if let Err(error) = std::io::stdout().write_fmt(args) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
        } else {
            panic!("failed printing to stdout: {error}");
        }
    }
}

/// Parses the command line, runs the command, prints errors and returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    progress::set_quiet(cli.quiet);
    let result = match cli.command {
        Command::Robust(args) => robust::run(args),
        Command::Coherence(args) => coherence::run(args),
        Command::Init(args) => init::run(args),
        Command::Score(args) => score::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Uncertainty(args) => uncertainty::run(args),
        Command::Merge(args) => uncertainty::merge(args),
        Command::Synth(args) => synth::run(args),
        Command::Bounds(args) => exact::bounds(args),
        Command::Stability(args) => exact::stability(args),
        Command::Sweep(args) => exact::sweep(args),
        Command::Drop(args) => exact::drop(args),
        Command::Sensitivity(args) => sensitivity::run(args),
        Command::Sobol { command } => sobol::run(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(error)) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
        Err(Failure::Internal(error)) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
