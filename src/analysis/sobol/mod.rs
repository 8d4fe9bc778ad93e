//! Variance-based sensitivity analysis over groups of inputs: Saltelli design, Sobol estimators with bootstrap CIs, and the model-agnostic CSV workflow.
//!
//! The analysis is model-agnostic. A *factor* is a group of one or more input dimensions (a whole
//! weight vector can be one factor). The workflow is the one of SALib and COINr:
//!
//! 1. [`SaltelliDesign`] lays out `N (k + 2)` runs — blocks `A`, `B`, then `AB_1 … AB_k`, where
//!    `AB_i` is `A` with factor `i`'s group of columns taken from `B` — and hands out any run's point
//!    in `[0, 1)^D` on demand ([`SaltelliDesign::point`]), so nothing has to be materialised.
//! 2. The caller evaluates its model once per run, in run order.
//! 3. [`estimate`] turns the outputs into first-order and total indices with bootstrap percentile
//!    intervals ([`SobolResult`]); [`convergence`] repeats the point estimates on the first
//!    N/8, N/4, N/2 and N rows; [`noise_floor`] reads the optional dummy factor.
//!
//! [`sample_csv`] and [`analyze_csv`] wrap the same code for models that live outside ranksense
//! (a factors TOML file in, a design CSV out; the design plus outputs in, indices out). COINr's
//! SA design files are accepted as they are, and so are SALib's interleaved designs
//! ([`analyze_salib_csv`]).
//!
//! References: Saltelli, A. et al. (2010), *Variance based sensitivity analysis of model output.
//! Design and estimator for the total sensitivity index*, Comput. Phys. Commun. 181, 259–270;
//! Jansen, M. J. W. (1999), *Analysis of variance designs for model output*, Comput. Phys. Commun.
//! 117, 35–43; Sobol', I. M. (1993/2001) for the indices themselves.

mod bootstrap;
mod design;
mod estimate;
mod outputs;
mod sequence;
mod settings;
#[cfg(any(test, feature = "internals"))]
pub mod test_functions;
mod workflow;

pub use bootstrap::{BootstrapTarget, bootstrap_targets};
pub use design::{PointKind, SaltelliDesign};
pub use estimate::{
    ConvergenceTable, DUMMY_FACTOR, Estimate, NoiseFloor, SobolIndex, SobolResult, convergence,
    estimate, noise_floor,
};
pub use settings::{Estimator, EstimatorSettings};
pub use workflow::{DesignOrder, FactorSet, analyze_csv, analyze_salib_csv, sample_csv};
// The file formats' parts and in-memory readers, for the crate's tests.
#[cfg(any(test, feature = "internals"))]
pub use design::Block;
#[cfg(any(test, feature = "internals"))]
pub use estimate::ConvergenceStep;
#[cfg(any(test, feature = "internals"))]
pub use workflow::{
    DesignLayout, Factor, FactorKind, SalibLayout, analyze_csv_str, analyze_salib_csv_str,
    read_design_layout, read_salib_design,
};

use crate::model::Diagnostic;

/// Why a design could not be built, outputs could not be analysed, or an input file was rejected.
/// Every message says what is wrong and how to fix it; file problems carry file and line.
#[derive(Debug, thiserror::Error)]
pub enum SobolError {
    /// The design parameters are unusable (too few base rows, a factor without dimensions, ...).
    #[error("invalid Sobol design: {problem}\n  fix: {fix}")]
    Design { problem: String, fix: String },
    /// The estimator settings are unusable (confidence level outside (0, 1), ...).
    #[error("invalid Sobol estimator settings: {problem}\n  fix: {fix}")]
    Settings { problem: String, fix: String },
    /// The number of outputs does not match the design.
    #[error(
        "expected {expected} model outputs (N = {n} base rows × ({factors} factors + 2)), got {found}\n  \
         fix: evaluate the model once for every run of the design, in run order (A, B, AB_1, …, AB_k)"
    )]
    OutputCount {
        expected: usize,
        found: usize,
        n: usize,
        factors: usize,
    },
    /// An output is NaN or infinite; the estimators need every run.
    #[error(
        "output of run {run} (block {block}, 0-based) is {value}\n  \
         fix: Sobol estimators need a finite output for every run; make the model return a value \
         for failed runs (or fix the failure) and re-run"
    )]
    NonFiniteOutput {
        run: usize,
        block: String,
        value: f64,
    },
    /// The design's rows are in another order than the layout it was read in; `order` is the
    /// layout they follow.
    #[error("{diagnostic}")]
    WrongOrder {
        diagnostic: Diagnostic,
        order: DesignOrder,
    },
    /// The outputs file has several value columns and none was named; the caller names one.
    #[error("{0}")]
    AmbiguousColumn(Diagnostic),
    /// A problem inside an input file (factors TOML, design CSV, outputs CSV).
    #[error("{0}")]
    File(Diagnostic),
    /// A file could not be read.
    #[error("cannot read {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
}

/// 64-bit finaliser of SplitMix64 (Steele, Lea & Flood 2014): turns structured inputs (seed, tag,
/// block number) into well-spread seeds so that derived streams do not collide.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Seed of the stream family `tag` derived from the user's seed, so that the design's random
/// points and the bootstrap never share a stream even when the user passes the same seed to both.
pub(crate) fn derived_seed(seed: u64, tag: u64) -> u64 {
    mix64(seed ^ mix64(tag))
}
