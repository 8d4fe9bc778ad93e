//! `ranksense.sobol.sample` / `analyze` on arrays: the facade's `sobol_sample` and
//! `sobol_analyze`, with the values passed as little-endian f64 bytes (numpy's buffers).

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use ranksense::{Estimator, EstimatorSettings, SobolAnalyzeOptions, SobolSampleOptions};

use crate::analyses::point_kind;
use crate::errors::option_error;
use crate::run::run;

/// A design over uniform factors on `bounds`, in SALib's row order: (bytes, rows, columns).
#[pyfunction]
#[pyo3(signature = (bounds, n, seed=1, points="sobol", second_order=true))]
fn sobol_sample<'py>(
    py: Python<'py>,
    bounds: Vec<(f64, f64)>,
    n: usize,
    seed: u64,
    points: &str,
    second_order: bool,
) -> PyResult<(Bound<'py, PyBytes>, usize, usize)> {
    let options = SobolSampleOptions {
        n,
        seed,
        points: point_kind(py, points)?,
        second_order,
    };
    let design = run(py, None, move |_| {
        ranksense::sobol_sample(&bounds, &options)
    })?;
    let bytes: Vec<u8> = design.values.iter().flat_map(|v| v.to_le_bytes()).collect();
    Ok((PyBytes::new(py, &bytes), design.rows, design.factors))
}

/// Sobol indices of outputs (little-endian f64 bytes, in design row order): a dict with the
/// `sobol.csv` text, N, the variance and each index's estimate, interval and half-width.
#[pyfunction]
#[pyo3(signature = (names, outputs, second_order=true, bootstrap=1000, confidence=0.9, seed=0, estimator="centred"))]
#[allow(clippy::too_many_arguments)]
fn sobol_analyze<'py>(
    py: Python<'py>,
    names: Vec<String>,
    outputs: &[u8],
    second_order: bool,
    bootstrap: usize,
    confidence: f64,
    seed: u64,
    estimator: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let estimator = match estimator {
        "centred" => Estimator::Centred,
        "coinr" => Estimator::Coinr,
        other => {
            return Err(option_error(
                py,
                format!("estimator = {other:?}: unknown; fix: use \"centred\" or \"coinr\""),
            ));
        }
    };
    let values: Vec<f64> = outputs
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
        .collect();
    let options = SobolAnalyzeOptions {
        second_order,
        settings: EstimatorSettings {
            estimator,
            bootstrap_resamples: bootstrap,
            confidence_level: confidence,
            seed,
        },
    };
    let analysis = run(py, None, move |_| {
        ranksense::sobol_analyze(&names, &values, &options)
    })?;
    let dict = PyDict::new(py);
    let result = analysis.result();
    dict.set_item("csv", analysis.csv())?;
    dict.set_item("n", result.n)?;
    dict.set_item("variance", result.variance)?;
    dict.set_item("constant", result.constant)?;
    let column = |pick: fn(&ranksense::SobolIndex) -> f64| -> Vec<f64> {
        result.indices.iter().map(pick).collect()
    };
    dict.set_item("S1", column(|i| i.first.value))?;
    dict.set_item("S1_conf", column(|i| i.first.half_width()))?;
    dict.set_item("S1_lo", column(|i| i.first.lo))?;
    dict.set_item("S1_hi", column(|i| i.first.hi))?;
    dict.set_item("ST", column(|i| i.total.value))?;
    dict.set_item("ST_conf", column(|i| i.total.half_width()))?;
    dict.set_item("ST_lo", column(|i| i.total.lo))?;
    dict.set_item("ST_hi", column(|i| i.total.hi))?;
    Ok(dict)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sobol_sample, m)?)?;
    m.add_function(wrap_pyfunction!(sobol_analyze, m)?)?;
    Ok(())
}
