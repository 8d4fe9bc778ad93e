//! Indices and scenarios: loading them (a folder, files, texts, a built-in name) and what they
//! say about themselves.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{option_error, to_py};

/// A validated composite indicator (`ranksense.Index` wraps it).
#[pyclass(frozen, module = "ranksense._native")]
pub struct Index {
    pub inner: Arc<ranksense::Index>,
}

/// A scenario: which modelling choices are uncertain (`ranksense.Scenario` wraps it).
#[pyclass(frozen, module = "ranksense._native")]
pub struct Scenario {
    pub inner: Arc<ranksense::Scenario>,
}

fn index(py: Python<'_>, result: Result<ranksense::Index, ranksense::Error>) -> PyResult<Index> {
    result
        .map(|inner| Index {
            inner: Arc::new(inner),
        })
        .map_err(|error| to_py(py, &error))
}

fn scenario(
    py: Python<'_>,
    result: Result<ranksense::Scenario, ranksense::Error>,
) -> PyResult<Scenario> {
    result
        .map(|inner| Scenario {
            inner: Arc::new(inner),
        })
        .map_err(|error| to_py(py, &error))
}

/// Loads the index in a folder (meta.csv, data.csv, optional index.toml).
#[pyfunction]
fn load(py: Python<'_>, folder: std::path::PathBuf) -> PyResult<Index> {
    index(py, ranksense::load(folder))
}

/// A data set built into the library, by name.
#[pyfunction]
fn embedded(py: Python<'_>, name: &str) -> PyResult<Index> {
    index(py, ranksense::embedded(name))
}

/// The names `embedded` accepts.
#[pyfunction]
fn embedded_names() -> Vec<&'static str> {
    ranksense::embedded_names()
}

/// An index from the texts of meta.csv, data.csv and an optional index.toml.
#[pyfunction]
#[pyo3(signature = (meta, data, index_toml, source))]
fn from_strings(
    py: Python<'_>,
    meta: &str,
    data: &str,
    index_toml: Option<&str>,
    source: &str,
) -> PyResult<Index> {
    index(
        py,
        ranksense::Index::from_strings(meta, data, index_toml, source),
    )
}

/// An index from files under any names.
#[pyfunction]
#[pyo3(signature = (meta, data, index_toml=None))]
fn from_files(
    py: Python<'_>,
    meta: std::path::PathBuf,
    data: std::path::PathBuf,
    index_toml: Option<std::path::PathBuf>,
) -> PyResult<Index> {
    index(
        py,
        ranksense::Index::from_files(meta, data, index_toml.as_deref()),
    )
}

/// TOML text of a JSON object (a Python dict given as a scenario or an index.toml).
#[pyfunction]
fn toml_from_json(py: Python<'_>, json: &str, what: &str) -> PyResult<String> {
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| option_error(py, format!("{what}: not JSON-like data: {e}")))?;
    if !value.is_object() {
        return Err(option_error(
            py,
            format!("{what}: a dict of TOML keys is needed, not {value}"),
        ));
    }
    toml::to_string(&value).map_err(|e| {
        option_error(
            py,
            format!("{what}: cannot be written as TOML: {e}; fix: use strings, numbers, booleans, lists and dicts"),
        )
    })
}

#[pymethods]
impl Index {
    /// The index's name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }
    /// Where the data came from.
    #[getter]
    fn source(&self) -> &str {
        self.inner.source()
    }
    /// SHA-256 of the input files.
    #[getter]
    fn input_hash(&self) -> &str {
        self.inner.input_hash()
    }
    /// The default focus unit.
    #[getter]
    fn focus(&self) -> Option<&str> {
        self.inner.focus()
    }
    /// Whether the data are a reconstruction.
    #[getter]
    fn is_reconstruction(&self) -> bool {
        self.inner.is_reconstruction()
    }
    /// Unit codes in file order.
    #[getter]
    fn unit_codes(&self) -> Vec<&str> {
        self.inner.unit_codes()
    }
    /// Unit names in file order.
    #[getter]
    fn unit_names(&self) -> Vec<&str> {
        self.inner.unit_names()
    }
    /// Problems that did not stop loading, as dicts (file, line, column, problem, fix).
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.inner
            .warnings()
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
            .collect()
    }
}

#[pymethods]
impl Scenario {
    /// Reads a scenario file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Scenario> {
        scenario(py, ranksense::Scenario::from_file(path))
    }
    /// A scenario from its TOML text; `label` names it in messages.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str, label: &str) -> PyResult<Scenario> {
        scenario(py, ranksense::Scenario::from_toml(text, label))
    }
    /// A scenario shipped with the library.
    #[staticmethod]
    fn shipped(py: Python<'_>, name: &str) -> PyResult<Scenario> {
        scenario(py, ranksense::Scenario::shipped(name))
    }
    /// The names `shipped` accepts.
    #[staticmethod]
    fn shipped_names() -> Vec<&'static str> {
        ranksense::Scenario::shipped_names()
    }
    /// The command line's default scenario for an index.
    #[staticmethod]
    fn default_for(py: Python<'_>, index: &Index) -> PyResult<Scenario> {
        scenario(py, ranksense::Scenario::default_for(&index.inner))
    }
    /// Checks the scenario against an index.
    fn validate(&self, py: Python<'_>, index: &Index) -> PyResult<()> {
        self.inner
            .validate(&index.inner)
            .map_err(|error| to_py(py, &error))
    }
    /// The TOML text.
    #[getter]
    fn text(&self) -> &str {
        self.inner.text()
    }
    /// The name in messages and reports.
    #[getter]
    fn label(&self) -> &str {
        self.inner.label()
    }
    /// Whether it was derived from the index.
    #[getter]
    fn is_derived(&self) -> bool {
        self.inner.is_derived()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Index>()?;
    m.add_class::<Scenario>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(embedded, m)?)?;
    m.add_function(wrap_pyfunction!(embedded_names, m)?)?;
    m.add_function(wrap_pyfunction!(from_strings, m)?)?;
    m.add_function(wrap_pyfunction!(from_files, m)?)?;
    m.add_function(wrap_pyfunction!(toml_from_json, m)?)?;
    Ok(())
}
