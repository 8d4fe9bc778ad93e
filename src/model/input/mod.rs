//! The located-input toolkit: one way to read user input and to say what is wrong with it.
//!
//! Every reader of user files (index files, scenarios, Sobol factor, design and output files,
//! region files) and of method flags goes through these four pieces, so that the same mistake
//! gets the same message wherever it is made, rendered as a [`Diagnostic`](super::Diagnostic):
//! where, the problem, then `  fix: …`.
//!
//! - [`position`]: byte offset → line and column;
//! - [`suggest`]: the "did you mean" rule (one distance, one threshold, one wording);
//! - [`toml`]: the TOML reader with spans (syntax errors, unknown keys, typed fields);
//! - [`csv`]: the CSV table reader (delimiter, byte-order mark, ragged rows, duplicate columns).

pub(crate) mod csv;
pub(crate) mod position;
pub(crate) mod suggest;
pub(crate) mod toml;
