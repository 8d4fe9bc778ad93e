//! ranksense: audit how far the ranks of a composite indicator can be trusted.
//!
//! Layers, one module per stage: [`model`] (load and validate index files, the method
//! vocabulary) → [`pipeline`] (prepare normalised data once, then score any configuration
//! without allocating) → [`engine`] (parallel, bit-reproducible Monte Carlo) → [`scenario`]
//! (scenario files and their factors, which the engine samples) → [`analysis`] (rank
//! statistics, Sobol indices, exact bounds, stability) → [`report`] (tables, CSV, JSON,
//! Markdown, HTML, SVG) → the command line (`src/cli/`, part of the binary, not of this
//! library). A module imports only the ones before it
//! (`tests/layers.rs` checks); [`synth`] generates test indices beside them.
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
//! The layers below stay public for now; the lower-level route to the same ranking:
//!
//! ```
//! use ranksense::model::embedded;
//! use ranksense::pipeline::prepare::nominal_variant;
//! use ranksense::pipeline::{Config, evaluate, prepare};
//!
//! let index = embedded::load("ieci2022").unwrap();
//! let prepared = prepare(&index, &[nominal_variant(&index)]).unwrap();
//! let config = Config {
//!     variant: 0,
//!     aggregation: index.nominal.aggregation.clone(),
//!     weights: prepared.framework.nominal_weights(),
//! };
//! let evaluation = evaluate(&prepared, &config).unwrap();
//! let beijing = prepared.find_unit("Beijing").unwrap();
//! assert_eq!(evaluation.top_ranks(&prepared)[beijing], 7);
//! ```
//!
//! Methods have a text syntax shared by `index.toml`, scenario files and the CLI:
//!
//! ```
//! use ranksense::model::method::{Aggregation, Normalisation};
//!
//! let n: Normalisation = "minmax(1,100)".parse().unwrap();
//! assert_eq!(n, Normalisation::MinMax { low: 1.0, high: 100.0 });
//! assert_eq!("a_gmean".parse::<Aggregation>().unwrap(), Aggregation::Geometric); // COINr's name
//! assert!("minmix".parse::<Normalisation>().unwrap_err().to_string().contains("zscore(mean,sd)"));
//! ```

mod api;

pub use api::*;

pub mod analysis;
pub mod engine;
pub mod model;
pub mod pipeline;
pub mod report;
pub mod scenario;
pub mod synth;
