//! ranksense: audit how far the ranks of a composite indicator can be trusted.
//!
//! Data flow, one module per stage: [`model`] (load and validate index files) →
//! [`pipeline`] (prepare normalised data once, then score any configuration without allocating).

pub mod analysis;
pub mod model;
pub mod pipeline;
