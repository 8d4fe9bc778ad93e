//! Scenario files: which modelling choices are uncertain, read with located diagnostics, and
//! the factors the engine samples from them. Sits between the engine and the analyses.
//!
//! `file.rs` is the scenario's entry points and writer, `reader.rs` the shared reading and
//! diagnostics plumbing, `validate.rs` the checks against an index, and `sections/` one file
//! per section of the file (its type, keys, parser, checks, writer and reference entry).

pub mod derive;
pub mod embedded;
pub mod factors;
mod file;
mod reader;
pub mod sections;
pub mod template;
mod validate;

pub use file::*;
pub use reader::{ScenarioError, read_text};
pub use sections::{
    AggregationSpec, ExclusionSet, ExclusionSpec, Grouping, Scenario, TreatmentSpec, VerdictSpec,
    WeightMode, WeightSpec, WeightTarget, reference_markdown,
};
