//! Uncertainty analysis inputs: the scenario file that names which modelling choices are uncertain.

pub mod scenario;
