//! Exact bounds, stability intervals, weight sweeps and dropped elements as CSV files, tables, charts and plain sentences, one file per analysis.

mod bounds;
mod drop;
mod labels;
mod stability;
mod sweep;

pub use bounds::*;
pub use drop::*;
pub use stability::*;
pub use sweep::*;
