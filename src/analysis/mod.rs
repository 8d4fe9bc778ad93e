//! Analyses on top of the scorer: sensitivity indices, exact rank bounds, weight stability.

pub mod bounds;
pub mod linear;
pub mod stability;
