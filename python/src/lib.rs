//! `ranksense._native`: the library facade (`ranksense::api`) for Python. Every function takes
//! plain Python values, runs the facade's function with the GIL released, and returns the
//! result's summary.json, CSV tables and sentence as text; the pure-Python package around it
//! (python/python/ranksense) turns them into dicts and pandas DataFrames. No numbers are
//! computed here: the tables are the CSV files the command line writes, so the Python results
//! are the command's, bit for bit, for the same seed.

mod analyses;
mod data;
mod errors;
mod run;
mod sobol;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    data::register(m)?;
    analyses::register(m)?;
    sobol::register(m)?;
    Ok(())
}
