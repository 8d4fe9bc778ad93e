//! ranksense: audit how far the ranks of a composite indicator can be trusted.
//!
//! Layers, one module per stage: [`model`] (load and validate index files, the method
//! vocabulary) → [`pipeline`] (prepare normalised data once, then score any configuration
//! without allocating) → [`engine`] (parallel, bit-reproducible Monte Carlo) → [`scenario`]
//! (scenario files and their factors, which the engine samples) → [`analysis`] (rank
//! statistics, Sobol indices, exact bounds, stability) → [`report`] (tables, CSV, JSON,
//! Markdown, HTML, SVG) → the facade (`src/api/`) → the command line (`src/cli/`). A module
//! imports only the ones before it (`tests/layers.rs` checks); `synth` generates test indices
//! beside them.
//!
//! Only the facade is the library's API. The layers are `pub(crate)`: the command line is a
//! private module of this crate (the `ranksense` binary calls [`run_command_line`]), and the
//! crate's own integration tests and benchmarks reach the layers through the `internals`
//! feature, which is not part of the API and changes without notice.
//!
//! The facade at the crate root is the library's API for other programs: [`load`] an index
//! (or take an [`embedded`] one), pick a [`Scenario`] (a file, or the default for the index),
//! and run [`score`], [`uncertainty`], [`sensitivity`], [`bounds`], [`stability`] or the whole
//! [`robust`] audit; a run split into shards ([`uncertainty_shard`]) is combined by
//! [`merge_shards`]. Each takes `XOptions` (with the command line's defaults) and returns an
//! `XResult` owning its numbers, with the same numbers, bit for bit, as the command:
//!
//! ```
//! let index = ranksense::embedded("ieci2022").unwrap(); // the IECI 2022 reconstruction
//! let ranking = ranksense::score(&index, ranksense::ScoreOptions::default()).unwrap();
//! assert_eq!(ranking.rank("Beijing"), Some(7));
//!
//! let scenario = ranksense::Scenario::default_for(&index).unwrap(); // ieci-full
//! let options = ranksense::UncertaintyOptions {
//!     samples: Some(2_000), // default: sample until the headline numbers settle
//!     ..Default::default()
//! };
//! let result = ranksense::uncertainty(&index, &scenario, options).unwrap();
//! let beijing = result.unit("Beijing").unwrap();
//! assert!(beijing.q05_rank <= beijing.median_rank && beijing.median_rank <= beijing.q95_rank);
//! ```
//!
//! Methods have a text syntax shared by `index.toml`, scenario files and the CLI:
//!
//! ```
//! use ranksense::{Aggregation, Normalisation};
//!
//! let n: Normalisation = "minmax(1,100)".parse().unwrap();
//! assert_eq!(n, Normalisation::MinMax { low: 1.0, high: 100.0 });
//! assert_eq!("a_gmean".parse::<Aggregation>().unwrap(), Aggregation::Geometric); // COINr's name
//! assert!("minmix".parse::<Normalisation>().unwrap_err().to_string().contains("zscore(mean,sd)"));
//! ```

mod api;

pub use api::*;

/// Declares the internal layers: crate-private, or public (hidden) for this crate's own tests
/// and benchmarks under the `internals` feature.
macro_rules! layers {
    ($($name:ident),* $(,)?) => {$(
        #[cfg(feature = "internals")]
        #[doc(hidden)]
        pub mod $name;
        #[cfg(not(feature = "internals"))]
        pub(crate) mod $name;
    )*};
}

layers!(model, pipeline, engine, scenario, analysis, report, synth);

mod cli;

/// Runs the `ranksense` command line on this process's arguments (the binary's whole `main`).
#[doc(hidden)]
pub fn run_command_line() -> std::process::ExitCode {
    cli::main()
}
