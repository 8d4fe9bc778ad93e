//! The analyses: each runs the facade's function off the interpreter's thread ([`run`]) and
//! returns its summary.json, CSV tables, sentence and written files as a dict of text.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use ranksense::{Error, PointKind, WeightRange, WeightSet};

use crate::data::{Index, Scenario};
use crate::errors::option_error;
use crate::run::run;

/// What every analysis returns to Python.
#[derive(Default)]
struct Output {
    summary: String,
    tables: Vec<(String, String)>,
    sentence: Option<String>,
    written: Vec<PathBuf>,
}

impl Output {
    fn into_dict(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("summary", self.summary)?;
        dict.set_item("tables", self.tables)?;
        dict.set_item("sentence", self.sentence)?;
        dict.set_item("written", self.written)?;
        Ok(dict)
    }
}

/// Writes a result's report folder if `out` is given.
fn write(
    out: Option<&PathBuf>,
    write: impl FnOnce(&PathBuf) -> Result<Vec<PathBuf>, Error>,
) -> Result<Vec<PathBuf>, Error> {
    out.map_or(Ok(Vec::new()), write)
}

/// A what-if normalisation or aggregation given as text (e.g. "minmax(1,100)").
fn parsed<T>(text: Option<String>) -> Result<Option<T>, Error>
where
    T: std::str::FromStr,
    Error: From<T::Err>,
{
    Ok(text.map(|t| t.parse()).transpose()?)
}

/// Which weights vary: None, a list of levels, or "effective".
fn weight_set(py: Python<'_>, weights: Option<&Bound<'_, PyAny>>) -> PyResult<Option<WeightSet>> {
    let Some(weights) = weights else {
        return Ok(None);
    };
    if let Ok(text) = weights.extract::<String>() {
        return match text.as_str() {
            "effective" => Ok(Some(WeightSet::Effective)),
            other => Err(option_error(
                py,
                format!(
                    "weights = {other:?}: not a weight set; fix: give a list of levels (1 = indicators) or \"effective\""
                ),
            )),
        };
    }
    match weights.extract::<Vec<usize>>() {
        Ok(levels) => Ok(Some(WeightSet::Levels(levels))),
        Err(_) => Err(option_error(
            py,
            "weights: not a weight set; fix: give a list of levels (1 = indicators) or \"effective\"".into(),
        )),
    }
}

#[pyfunction]
#[pyo3(signature = (index, normalisation=None, aggregation=None, indicators=false, weights=Vec::new()))]
fn score<'py>(
    py: Python<'py>,
    index: &Index,
    normalisation: Option<String>,
    aggregation: Option<String>,
    indicators: bool,
    weights: Vec<(String, f64)>,
) -> PyResult<Bound<'py, PyDict>> {
    let index = Arc::clone(&index.inner);
    let output = run(py, None, move |_| {
        let options = ranksense::ScoreOptions {
            normalisation: parsed(normalisation)?,
            aggregation: parsed(aggregation)?,
            weights,
        };
        let result = ranksense::score(&index, options)?;
        Ok(Output {
            summary: result.summary_json(),
            tables: vec![("ranking.csv".into(), result.csv(indicators))],
            ..Output::default()
        })
    })?;
    output.into_dict(py)
}

/// The Monte Carlo options shared by `uncertainty` and `robust`.
#[allow(clippy::too_many_arguments)]
fn uncertainty_options(
    samples: Option<u64>,
    max_samples: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    focus: Option<String>,
    top_k: Option<u32>,
) -> ranksense::UncertaintyOptions {
    let defaults = ranksense::UncertaintyOptions::default();
    ranksense::UncertaintyOptions {
        samples,
        max_samples: max_samples.unwrap_or(defaults.max_samples),
        seed,
        threads,
        focus,
        top_k,
        ..defaults
    }
}

#[pyfunction]
#[pyo3(signature = (index, scenario, samples=None, max_samples=None, seed=None, threads=0, focus=None, top_k=None, out=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn uncertainty<'py>(
    py: Python<'py>,
    index: &Index,
    scenario: &Scenario,
    samples: Option<u64>,
    max_samples: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    focus: Option<String>,
    top_k: Option<u32>,
    out: Option<PathBuf>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (index, scenario) = (Arc::clone(&index.inner), Arc::clone(&scenario.inner));
    let options = uncertainty_options(samples, max_samples, seed, threads, focus, top_k);
    let output = run(py, progress, move |watch| {
        let result = ranksense::uncertainty_observed(&index, &scenario, options, watch)?;
        Ok(Output {
            summary: result.summary_json(),
            tables: result.tables(),
            sentence: result.verdict_sentence(),
            written: write(out.as_ref(), |dir| result.write_report(dir))?,
        })
    })?;
    output.into_dict(py)
}

#[pyfunction]
#[pyo3(signature = (index, scenario, base_samples=2048, seed=None, threads=0, focus=None, top_k=None, points="sobol", bootstrap=1000, dummy=false, out=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn sensitivity<'py>(
    py: Python<'py>,
    index: &Index,
    scenario: &Scenario,
    base_samples: usize,
    seed: Option<u64>,
    threads: usize,
    focus: Option<String>,
    top_k: Option<u32>,
    points: &str,
    bootstrap: usize,
    dummy: bool,
    out: Option<PathBuf>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (index, scenario) = (Arc::clone(&index.inner), Arc::clone(&scenario.inner));
    let options = ranksense::SensitivityOptions {
        base_samples,
        seed,
        threads,
        focus,
        top_k,
        points: point_kind(py, points)?,
        bootstrap,
        dummy,
        ..ranksense::SensitivityOptions::default()
    };
    let output = run(py, progress, move |watch| {
        let result = ranksense::sensitivity_observed(&index, &scenario, options, watch)?;
        Ok(Output {
            summary: result.summary_json(),
            tables: result.tables(),
            sentence: result.driver().map(|d| d.sentence.clone()),
            written: write(out.as_ref(), |dir| result.write_report(dir))?,
        })
    })?;
    output.into_dict(py)
}

/// "sobol" or "random" points.
pub fn point_kind(py: Python<'_>, points: &str) -> PyResult<PointKind> {
    match points {
        "sobol" => Ok(PointKind::Sobol),
        "random" => Ok(PointKind::Random),
        other => Err(option_error(
            py,
            format!(
                "points = {other:?}: unknown; fix: use \"sobol\" (scrambled Sobol points) or \"random\""
            ),
        )),
    }
}

#[pyfunction]
#[pyo3(signature = (index, scenario, samples=None, max_samples=None, seed=None, threads=0, focus=None, top_k=None, base_samples=None, bootstrap=None, out=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn robust<'py>(
    py: Python<'py>,
    index: &Index,
    scenario: &Scenario,
    samples: Option<u64>,
    max_samples: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    focus: Option<String>,
    top_k: Option<u32>,
    base_samples: Option<usize>,
    bootstrap: Option<usize>,
    out: Option<PathBuf>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (index, scenario) = (Arc::clone(&index.inner), Arc::clone(&scenario.inner));
    let defaults = ranksense::RobustOptions::default();
    let options = ranksense::RobustOptions {
        uncertainty: uncertainty_options(samples, max_samples, seed, threads, focus, top_k),
        base_samples: base_samples.unwrap_or(defaults.base_samples),
        bootstrap: bootstrap.unwrap_or(defaults.bootstrap),
    };
    let output = run(py, progress, move |watch| {
        let result = ranksense::robust_observed(&index, &scenario, options, watch)?;
        Ok(Output {
            summary: result.summary_json(),
            tables: result.tables(),
            sentence: Some(result.verdict_sentence()),
            written: write(out.as_ref(), |dir| result.write_report(dir))?,
        })
    })?;
    output.into_dict(py)
}

#[pyfunction]
#[pyo3(signature = (index, spread=None, scenario=None, region=None, weights=None, normalisation=None, aggregation=None, focus=None, all_units=false, out=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn bounds<'py>(
    py: Python<'py>,
    index: &Index,
    spread: Option<f64>,
    scenario: Option<&Scenario>,
    region: Option<PathBuf>,
    weights: Option<&Bound<'_, PyAny>>,
    normalisation: Option<String>,
    aggregation: Option<String>,
    focus: Option<String>,
    all_units: bool,
    out: Option<PathBuf>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let index = Arc::clone(&index.inner);
    let given = [spread.is_some(), scenario.is_some(), region.is_some()];
    if given.iter().filter(|&&g| g).count() > 1 {
        return Err(option_error(
            py,
            "bounds: give one weight range: spread, scenario or region".into(),
        ));
    }
    let scenario = scenario.map(|s| (*s.inner).clone());
    let weights = weight_set(py, weights)?;
    let output = run(py, progress, move |watch| {
        let range = match (spread, scenario, region) {
            (_, Some(scenario), _) => WeightRange::Scenario(Box::new(scenario)),
            (_, _, Some(region)) => WeightRange::region_file(region)?,
            (spread, _, _) => WeightRange::Spread(spread.unwrap_or(0.25)),
        };
        let options = ranksense::BoundsOptions {
            normalisation: parsed(normalisation)?,
            aggregation: parsed(aggregation)?,
            weights,
            range,
            focus,
            all_units,
        };
        let result = ranksense::bounds_observed(&index, options, watch)?;
        Ok(Output {
            summary: result.summary_json(),
            tables: result.tables(),
            sentence: Some(result.sentence()),
            written: write(out.as_ref(), |dir| result.write_report(dir))?,
        })
    })?;
    output.into_dict(py)
}

#[pyfunction]
#[pyo3(signature = (index, weights=None, normalisation=None, aggregation=None, focus=None, top_k=None, out=None))]
#[allow(clippy::too_many_arguments)]
fn stability<'py>(
    py: Python<'py>,
    index: &Index,
    weights: Option<&Bound<'_, PyAny>>,
    normalisation: Option<String>,
    aggregation: Option<String>,
    focus: Option<String>,
    top_k: Option<usize>,
    out: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let index = Arc::clone(&index.inner);
    let weights = weight_set(py, weights)?;
    let output = run(py, None, move |_| {
        let options = ranksense::StabilityOptions {
            normalisation: parsed(normalisation)?,
            aggregation: parsed(aggregation)?,
            weights,
            focus,
            top_k,
        };
        let result = ranksense::stability(&index, options)?;
        Ok(Output {
            summary: result.summary_json(),
            tables: result.tables(),
            sentence: Some(result.sentence()),
            written: write(out.as_ref(), |dir| result.write_report(dir))?,
        })
    })?;
    output.into_dict(py)
}

#[pyfunction]
#[pyo3(signature = (index, weight=None, start=0.0, stop=1.0, steps=51, simplex=None, resolution=60, normalisation=None, aggregation=None, focus=None, out=None))]
#[allow(clippy::too_many_arguments)]
fn sweep<'py>(
    py: Python<'py>,
    index: &Index,
    weight: Option<String>,
    start: f64,
    stop: f64,
    steps: usize,
    simplex: Option<String>,
    resolution: usize,
    normalisation: Option<String>,
    aggregation: Option<String>,
    focus: Option<String>,
    out: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let index = Arc::clone(&index.inner);
    let output = run(py, None, move |_| {
        let (normalisation, aggregation) = (parsed(normalisation)?, parsed(aggregation)?);
        if let Some(parent) = simplex {
            let options = ranksense::SimplexOptions {
                normalisation,
                aggregation,
                parent: Some(parent),
                resolution,
                focus,
            };
            let result = ranksense::simplex(&index, options)?;
            return Ok(Output {
                summary: result.summary_json(),
                tables: result.tables(),
                sentence: Some(result.sentence()),
                written: write(out.as_ref(), |dir| result.write_report(dir))?,
            });
        }
        let options = ranksense::SweepOptions {
            normalisation,
            aggregation,
            weight,
            from: start,
            to: stop,
            steps,
            focus,
        };
        let result = ranksense::sweep(&index, options)?;
        Ok(Output {
            summary: result.summary_json(),
            tables: result.tables(),
            sentence: Some(result.sentence()),
            written: write(out.as_ref(), |dir| result.write_report(dir))?,
        })
    })?;
    output.into_dict(py)
}

#[pyfunction]
#[pyo3(name = "drop", signature = (index, levels=None, normalisation=None, aggregation=None, focus=None, out=None))]
fn drop_elements<'py>(
    py: Python<'py>,
    index: &Index,
    levels: Option<Vec<usize>>,
    normalisation: Option<String>,
    aggregation: Option<String>,
    focus: Option<String>,
    out: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let index = Arc::clone(&index.inner);
    let output = run(py, None, move |_| {
        let options = ranksense::DropOptions {
            normalisation: parsed(normalisation)?,
            aggregation: parsed(aggregation)?,
            levels,
            focus,
        };
        let result = ranksense::drop(&index, options)?;
        Ok(Output {
            summary: result.summary_json(),
            tables: result.tables(),
            sentence: Some(result.sentence()),
            written: write(out.as_ref(), |dir| result.write_report(dir))?,
        })
    })?;
    output.into_dict(py)
}

#[pyfunction]
#[pyo3(signature = (index, bootstrap=200, seed=1, out=None))]
fn coherence<'py>(
    py: Python<'py>,
    index: &Index,
    bootstrap: usize,
    seed: u64,
    out: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let index = Arc::clone(&index.inner);
    let output = run(py, None, move |_| {
        let options = ranksense::CoherenceOptions { bootstrap, seed };
        let result = ranksense::coherence(&index, options)?;
        Ok(Output {
            summary: result.summary_json(),
            tables: result.tables(),
            sentence: Some(result.findings().join(" ")),
            written: write(out.as_ref(), |dir| result.write_report(dir))?,
        })
    })?;
    output.into_dict(py)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(robust, m)?)?;
    m.add_function(wrap_pyfunction!(bounds, m)?)?;
    m.add_function(wrap_pyfunction!(stability, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(drop_elements, m)?)?;
    m.add_function(wrap_pyfunction!(coherence, m)?)?;
    Ok(())
}
