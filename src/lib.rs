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
//! Scoring an index under its nominal method:
//!
//! ```
//! use ranksense::model::embedded;
//! use ranksense::pipeline::prepare::nominal_variant;
//! use ranksense::pipeline::{Config, evaluate, prepare};
//!
//! let index = embedded::load("ieci2022").unwrap(); // the IECI 2022 reconstruction
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

pub mod analysis;
pub mod engine;
pub mod model;
pub mod pipeline;
pub mod report;
pub mod scenario;
pub mod synth;
