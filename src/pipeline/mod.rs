//! The scoring pipeline: denominate → impute → screen → treat → normalise (prepared once), then aggregate and rank per configuration.

pub mod aggregate;
pub mod config;
pub mod denominate;
pub mod impute;
pub mod noise;
pub mod normalise;
pub mod prepare;
pub mod rank;
pub mod score;
pub mod screen;
pub mod stats;
pub mod treat;
pub mod validity;
pub mod vectors;

pub use config::{Config, ConfigError};
pub use prepare::{PrepareError, Prepared, VariantSpec, prepare};
pub use score::{
    DataView, Evaluation, LowerLevels, Scratch, evaluate, score, score_above, score_data,
    score_top,
};
pub use validity::{AggregationRangeError, check_aggregations};
