//! Uncertainty analysis inputs: the scenario file that names which modelling choices are uncertain, and its factors.

pub mod derive;
pub mod embedded;
pub mod factors;
pub mod scenario;
pub mod template;
