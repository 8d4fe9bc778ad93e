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
mod error;
mod index;
mod merge;
mod robust;
mod scenario;
mod score;
mod sensitivity;
mod stability;
mod uncertainty;

pub use bounds::{BoundsOptions, BoundsResult, WeightRange, bounds};
pub use error::Error;
pub use index::{Index, embedded, embedded_names, load};
pub use merge::{MergeOptions, merge_into_state, merge_shards};
pub use robust::{RobustOptions, RobustResult, robust};
pub use scenario::Scenario;
pub use score::{ScoreOptions, ScoreResult, score};
pub use sensitivity::{SensitivityOptions, SensitivityResult, sensitivity};
pub use stability::{StabilityOptions, StabilityResult, stability};
pub use uncertainty::{
    ShardState, UncertaintyOptions, UncertaintyResult, uncertainty, uncertainty_shard,
};

// The vocabulary the options and results speak, at the facade so a caller needs no other path.
pub use crate::analysis::rank_stats::UnitRankStats;
pub use crate::analysis::sensitivity::{TargetFamily, TargetResult, UnitTargets};
pub use crate::analysis::sobol::PointKind;
pub use crate::analysis::uncertainty::PairSelection;
pub use crate::analysis::verdict::FocusVerdict;
pub use crate::analysis::weights::exact::{UnitBounds, WeightSet};
pub use crate::engine::shard::Shard;
pub use crate::model::method::{Aggregation, Normalisation};
pub use crate::model::{Diagnostic, Location};
pub use crate::report::ranking::UnitResult;
