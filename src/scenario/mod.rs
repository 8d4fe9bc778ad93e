//! Scenario files: which modelling choices are uncertain, read with located diagnostics, and
//! the factors the engine samples from them. Sits between the engine and the analyses.

pub mod derive;
pub mod embedded;
pub mod factors;
mod file;
pub mod template;

pub use file::*;
