//! `ranksense sobol sample` and `ranksense sobol analyze`: Saltelli designs and Sobol indices for models that run outside ranksense.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::{Failure, Format, present};
use crate::analysis::sobol::{
    DesignOrder, Estimator, EstimatorSettings, FactorSet, PointKind, SobolError, analyze_csv,
    analyze_salib_csv, sample_csv,
};
use crate::report::output::write_atomic;
use crate::report::render::SobolView;

/// How the base matrices of a design are filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Points {
    /// Owen-scrambled Sobol points (use a power of two for N).
    Sobol,
    /// Pseudo-random points (ChaCha8).
    Random,
}

/// Row order of the design file given to `sobol analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Layout {
    /// Blocks of N rows with a `block` column: A, B, AB_<factor> (`sobol sample`, COINr).
    Blocks,
    /// SALib's `sobol.sample`: per base row A, AB_1 … AB_k (BA_1 … BA_k), B; plain numbers.
    Salib,
}

impl Layout {
    fn of(order: DesignOrder) -> Self {
        match order {
            DesignOrder::Blocks => Layout::Blocks,
            DesignOrder::Salib => Layout::Salib,
        }
    }
}

/// The first-order estimator's form and what its bootstrap re-estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EstimatorForm {
    /// Outputs centred by the mean of the A and B outputs; mean and variance re-estimated in
    /// every bootstrap resample (intervals that cover at their nominal level).
    Centred,
    /// COINr's `SA_estimate`: uncentred outputs, the full-sample variance kept in every
    /// resample (COINr's point estimates; narrower, over-confident intervals).
    Coinr,
}

impl From<EstimatorForm> for Estimator {
    fn from(form: EstimatorForm) -> Self {
        match form {
            EstimatorForm::Centred => Estimator::Centred,
            EstimatorForm::Coinr => Estimator::Coinr,
        }
    }
}

impl From<Points> for PointKind {
    fn from(points: Points) -> Self {
        match points {
            Points::Sobol => PointKind::Sobol,
            Points::Random => PointKind::Random,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum SobolCommand {
    /// Write a Saltelli design for any continuous or categorical factors: one CSV row per run
    /// (`run, block, <factor columns>`), blocks A, B, then AB_<factor> per factor, N rows each.
    /// Run your model on every row and pass its outputs to `sobol analyze`.
    Sample(SampleArgs),
    /// Estimate first-order (S_i) and total (ST_i) Sobol indices with bootstrap intervals from
    /// a design (written by `sobol sample`, COINr's SA design, or SALib's `sobol.sample` with
    /// `--layout salib`) and the outputs computed on it.
    Analyze(AnalyzeArgs),
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Factors file: one `[[factor]]` table per factor with `name` and `kind` = "uniform"
    /// (`low`, `high`), "integer" (`low`, `high`) or "categorical" (`values = [...]`).
    #[arg(long, value_name = "FILE")]
    pub factors: PathBuf,
    /// Base rows N; the design has N (k + 2) runs for k factors. Use a power of two with
    /// Sobol points.
    #[arg(long, value_name = "N")]
    pub n: usize,
    /// Seed of the design (the same seed gives the same file).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Scrambled Sobol points or pseudo-random points.
    #[arg(long, value_enum, default_value_t = Points::Sobol)]
    pub points: Points,
    /// Write the design to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// The design CSV (its `block` column gives N and the factors), or with `--layout salib` a
    /// SALib design as `np.savetxt` writes it.
    #[arg(long, value_name = "FILE")]
    pub design: PathBuf,
    /// Row order of the design: blocks of N rows with a `block` column (`sobol sample`, COINr),
    /// or SALib's interleaved order (per base row: A, AB_1 … AB_k, B; numbers separated by
    /// spaces or commas, no header; factors named x1 … xk unless a header line names them).
    #[arg(long, value_enum, default_value_t = Layout::Blocks)]
    pub layout: Layout,
    /// The outputs: a CSV with a header (matched to the design by `run` if both have one,
    /// else by row order), or one number per line without a header. May be the design file.
    #[arg(long, value_name = "FILE")]
    pub outputs: PathBuf,
    /// The outputs column (needed when the file has more than one column besides `run`).
    #[arg(long, value_name = "NAME")]
    pub column: Option<String>,
    /// First-order estimator (Saltelli 2010) and bootstrap. `centred`: y_B minus the mean of
    /// the A and B outputs, and the mean and variance re-estimated in every resample, so the
    /// intervals cover at their level. SALib 1.6 also centres (it standardises all outputs by
    /// their mean and standard deviation once) and re-estimates the variance, but not the mean,
    /// in each resample. `coinr`: COINr's uncentred form with the variance fixed in every
    /// resample; its point estimates, with intervals that are too narrow.
    #[arg(long, value_enum, default_value_t = EstimatorForm::Centred)]
    pub estimator: EstimatorForm,
    /// Bootstrap resamples for the percentile intervals (0 = none).
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// Two-sided level of the intervals.
    #[arg(long, default_value_t = 0.9)]
    pub confidence: f64,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Format of what is printed on standard output (csv: sobol.csv at full precision).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write sobol.csv into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(command: SobolCommand) -> Result<(), Failure> {
    match command {
        SobolCommand::Sample(args) => sample(args),
        SobolCommand::Analyze(args) => analyze(args),
    }
}

fn sample(args: SampleArgs) -> Result<(), Failure> {
    let factors = FactorSet::load(&args.factors).map_err(Failure::input)?;
    if let Some(warning) = power_of_two_warning(args.n, args.points) {
        eprintln!("warning: {warning}");
    }
    let csv =
        sample_csv(&factors, args.n, args.seed, args.points.into()).map_err(Failure::input)?;
    match &args.out {
        Some(path) => write_atomic(path, csv.as_bytes())?,
        None => print!("{csv}"),
    }
    Ok(())
}

fn analyze(args: AnalyzeArgs) -> Result<(), Failure> {
    let settings = EstimatorSettings {
        estimator: args.estimator.into(),
        bootstrap_resamples: args.bootstrap,
        confidence_level: args.confidence,
        seed: args.seed,
    };
    let column = args.column.as_deref();
    let (result, runs) = match args.layout {
        Layout::Blocks => {
            analyze_csv(&args.design, &args.outputs, column, &settings).map(|result| {
                let runs = result.n * (result.indices.len() + 2);
                (result, runs)
            })
        }
        Layout::Salib => analyze_salib_csv(&args.design, &args.outputs, column, &settings).map(
            |(layout, result)| {
                let k = layout.factors.len();
                let per_row = if layout.second_order {
                    2 * k + 2
                } else {
                    k + 2
                };
                (result, layout.n * per_row)
            },
        ),
    }
    .map_err(with_layout_flag)?;
    let view = SobolView {
        target: args.column.as_deref().unwrap_or("output"),
        settings: &settings,
        result: &result,
        runs,
    };
    present(&view, args.format, args.out.as_deref())
}

/// A design read in the wrong layout, or outputs with no column named: the library says what
/// to choose; the fix gains the flag that chooses it.
fn with_layout_flag(error: SobolError) -> Failure {
    match error {
        SobolError::WrongOrder {
            mut diagnostic,
            order,
        } => {
            let value = Layout::of(order)
                .to_possible_value()
                .expect("no variant is skipped");
            diagnostic.fix = format!("{} (`--layout {}`)", diagnostic.fix, value.get_name());
            Failure::input(SobolError::File(diagnostic))
        }
        SobolError::AmbiguousColumn(mut diagnostic) => {
            diagnostic.fix = format!("{} (`--column NAME`)", diagnostic.fix);
            Failure::input(SobolError::File(diagnostic))
        }
        other => Failure::input(other),
    }
}

/// Why N should be a power of two with Sobol points, or `None` if it is (or points are random).
fn power_of_two_warning(n: usize, points: Points) -> Option<String> {
    if points != Points::Sobol || n == 0 || n.is_power_of_two() {
        return None;
    }
    let above = n.checked_next_power_of_two();
    let below = above.map_or(1 << (usize::BITS - 1), |p| p / 2);
    let suggestion = match above {
        Some(above) => format!("--n {below} or --n {above}"),
        None => format!("--n {below}"),
    };
    Some(format!(
        "N = {n} is not a power of two: Sobol points are balanced (each factor's range evenly \
         covered, the estimators' error shrinking fastest) only for N = 2^m base rows, and a \
         cut-off sequence loses that; use {suggestion} (or --points random)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_of_two_warning_names_the_nearest_powers() {
        assert_eq!(power_of_two_warning(1024, Points::Sobol), None);
        assert_eq!(power_of_two_warning(1000, Points::Random), None);
        let warning = power_of_two_warning(1000, Points::Sobol).unwrap();
        assert!(warning.contains("--n 512 or --n 1024"), "{warning}");
        let warning = power_of_two_warning(3, Points::Sobol).unwrap();
        assert!(warning.contains("--n 2 or --n 4"), "{warning}");
    }
}
