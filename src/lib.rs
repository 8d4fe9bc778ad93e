//! ranksense: audit how far the ranks of a composite indicator can be trusted.
//!
//! Data flow, one module per stage: [`model`] (load and validate index files) →
//! [`pipeline`] (prepare normalised data once, then score any configuration without
//! allocating) → [`uncertainty`] (scenario files and their factors) → [`engine`] (parallel,
//! bit-reproducible Monte Carlo) → [`analysis`] (rank statistics, Sobol indices, exact bounds,
//! stability) → [`report`] (tables, CSV, JSON, Markdown, HTML, SVG) → [`cli`].

pub mod analysis;
pub mod cli;
pub mod engine;
pub mod model;
pub mod pipeline;
pub mod report;
pub mod synth;
pub mod uncertainty;
