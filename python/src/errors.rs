//! Library errors as Python exceptions: input problems as `ranksense.InputError` (a
//! `ValueError`) carrying the located diagnostics, other failures as `RuntimeError`.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The Python exception for a facade error: `ranksense.InputError(message, diagnostics)` when
/// the input is at fault (each diagnostic a dict of file, line, column, problem and fix),
/// `RuntimeError` otherwise.
pub fn to_py(py: Python<'_>, error: &ranksense::Error) -> PyErr {
    if !error.is_input() {
        return PyRuntimeError::new_err(error.to_string());
    }
    match input_error(py, error) {
        Ok(err) => err,
        Err(err) => err,
    }
}

fn input_error(py: Python<'_>, error: &ranksense::Error) -> PyResult<PyErr> {
    let diagnostics = error
        .diagnostics()
        .iter()
        .map(|d| {
            let dict = PyDict::new(py);
            dict.set_item("file", &d.location.file)?;
            dict.set_item("line", d.location.line)?;
            dict.set_item("column", d.location.column.as_deref())?;
            dict.set_item("problem", &d.problem)?;
            dict.set_item("fix", &d.fix)?;
            Ok(dict)
        })
        .collect::<PyResult<Vec<_>>>()?;
    let class = py.import("ranksense._errors")?.getattr("InputError")?;
    let value = class.call1((error.to_string(), diagnostics))?;
    Ok(PyErr::from_value(value))
}

/// An input problem found before calling the library (an unknown option value): the same
/// exception, without a file.
pub fn option_error(py: Python<'_>, message: String) -> PyErr {
    let class = py
        .import("ranksense._errors")
        .and_then(|module| module.getattr("InputError"));
    match class.and_then(|class| class.call1((message, Vec::<Py<PyDict>>::new()))) {
        Ok(value) => PyErr::from_value(value),
        Err(err) => err,
    }
}
