//! The scoring pipeline: denominate → impute → screen → treat → normalise (prepared once), then aggregate and rank per configuration.

pub mod config;
pub mod method;

pub use config::{Config, VariantSpec};
