//! Scenario files: which modelling choices are uncertain, read with located diagnostics, and
//! the factors the engine samples from them. Sits between the engine and the analyses.
//!
//! `file.rs` is the scenario's entry points and writer, `choice.rs` the choice type and TOML
//! spellings, and `sections/` one file per section of the file (its type, keys, parser, checks,
//! writer and reference entry) with the shared reading (`sections/reader.rs`) and checking
//! (`sections/validate.rs`) plumbing.

mod choice;
pub mod derive;
pub mod embedded;
pub mod factors;
mod file;
pub mod sections;
pub mod template;

pub use choice::Choice;
#[cfg(any(test, feature = "internals"))]
pub use choice::PROBABILITY_TOLERANCE;
pub use sections::reader::{ScenarioError, read_text};
pub use sections::{
    AggregationSpec, ExclusionSet, ExclusionSpec, Grouping, Scenario, WeightMode, WeightSpec,
    WeightTarget, reference_markdown,
};
#[cfg(any(test, feature = "internals"))]
pub use sections::{TreatmentSpec, VerdictSpec};
