//! The library's facade: load an index, pick a scenario, run an analysis, read its result.
//!
//! One function per analysis, each taking typed options with a [`Default`] (the command
//! line's defaults) and returning a result that owns its data: `x(&index, …, XOptions) ->
//! Result<XResult, Error>`. Every result gives the numbers through documented accessors and
//! its summary.json envelope through `summary_json()`, identical to the command's
//! `--format json` for the same seed; results never depend on the thread count. Errors are
//! one type, [`Error`], whose located diagnostics name the file, line and field with the fix.
//!
//! The facade wraps the layers below (the same calls the command line makes); it adds no
//! numerical logic of its own. It sits above `report` (it composes summaries and report
//! folders) and below the command line.

#![warn(missing_docs)]

mod bounds;
mod coherence;
mod drop;
mod error;
mod index;
mod merge;
mod robust;
mod scenario;
pub(crate) mod score;
mod sensitivity;
mod sobol;
mod stability;
mod sweep;
mod uncertainty;

pub use bounds::{BoundsOptions, BoundsResult, WeightRange, bounds, bounds_observed};
pub use coherence::{CoherenceOptions, CoherenceResult, coherence};
pub use drop::{DropOptions, DropResult, drop};
pub use error::Error;
pub use index::{Index, embedded, embedded_names, load};
pub use merge::{MergeOptions, merge_into_state, merge_shards};
pub use robust::{RobustOptions, RobustResult, robust, robust_observed};
pub use scenario::Scenario;
pub use score::{ScoreOptions, ScoreResult, score};
pub use sensitivity::{SensitivityOptions, SensitivityResult, sensitivity, sensitivity_observed};
pub use sobol::{
    SobolAnalysis, SobolAnalyzeOptions, SobolDesign, SobolSampleOptions, sobol_analyze,
    sobol_sample,
};
pub use stability::{StabilityOptions, StabilityResult, stability};
pub use sweep::{
    SimplexMap, SimplexOptions, SimplexPoint, SimplexResult, SweepOptions, SweepResult, simplex,
    sweep,
};
pub use uncertainty::{
    ShardState, UncertaintyOptions, UncertaintyResult, uncertainty, uncertainty_observed,
    uncertainty_shard,
};

/// The CSV files among a report folder's files, as (file name, text) pairs: the tables a
/// program reads, in the folder's order.
fn csv_tables(files: &crate::report::output::Files) -> Vec<(String, String)> {
    files
        .files
        .iter()
        .filter(|(name, _)| name.ends_with(".csv"))
        .map(|(name, bytes)| (name.clone(), String::from_utf8_lossy(bytes).into_owned()))
        .collect()
}

// The vocabulary the options and results speak, at the facade so a caller needs no other path.
pub use crate::analysis::rank_stats::{RankBin, UnitRankStats};
pub use crate::analysis::sensitivity::{TargetFamily, TargetResult, UnitTargets};
pub use crate::analysis::sobol::{
    Estimate, Estimator, EstimatorSettings, PointKind, SobolIndex, SobolResult,
};
pub use crate::analysis::uncertainty::PairSelection;
pub use crate::analysis::verdict::FocusVerdict;
pub use crate::analysis::weights::exact::{UnitBounds, WeightSet};
pub use crate::engine::shard::Shard;
pub use crate::engine::{Observer, Settling};
pub use crate::model::method::{Aggregation, Normalisation};
pub use crate::model::{Diagnostic, Location};
pub use crate::report::ranking::UnitResult;
