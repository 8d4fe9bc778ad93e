//! `sobol_sample` / `sobol_analyze`: Saltelli designs and Sobol indices for a model that runs outside ranksense, on arrays in SALib's row order (the `ranksense sobol` commands' numbers without files).

use super::Error;
use crate::analysis::sobol::{
    Block, Estimator, EstimatorSettings, PointKind, SaltelliDesign, SobolResult, estimate,
    salib_to_blocks, uniform_at,
};
use crate::model::{LoadError, Location};
use crate::report::sensitivity::sobol_csv;

/// Where messages about the factors say the problem is (the SALib problem definition).
const PROBLEM: &str = "problem";

/// Options of [`sobol_sample`]; the default is `ranksense sobol sample`'s seed and points
/// with SALib's second-order rows.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolSampleOptions {
    /// Base rows N (a power of two with Sobol points; at least 2).
    pub n: usize,
    /// Seed of the design: the same seed gives the same design.
    pub seed: u64,
    /// Scrambled Sobol points or pseudo-random points.
    pub points: PointKind,
    /// Also write the BA rows SALib's `calc_second_order=True` adds (2k + 2 rows per base
    /// row instead of k + 2); ranksense estimates no second-order index and ignores them.
    pub second_order: bool,
}

impl Default for SobolSampleOptions {
    fn default() -> Self {
        SobolSampleOptions {
            n: 1024,
            seed: 1,
            points: PointKind::Sobol,
            second_order: true,
        }
    }
}

/// A Saltelli design in SALib's row order: per base row j, A_j, AB_j1 … AB_jk, [BA_j1 … BA_jk,]
/// B_j, where AB_ji is A_j with factor i taken from B_j and BA_ji is B_j with factor i taken
/// from A_j (Saltelli 2002, 2010).
#[derive(Debug, Clone, PartialEq)]
pub struct SobolDesign {
    /// Row-major values: `rows × factors`.
    pub values: Vec<f64>,
    /// Number of runs.
    pub rows: usize,
    /// Number of factors (columns).
    pub factors: usize,
}

/// A Saltelli design over uniform factors on `bounds[i] = (low, high)`: the points of
/// `ranksense sobol sample` with the same N, seed and points (there in blocks A, B, AB_i),
/// in SALib's interleaved order so that it replaces SALib's `sobol.sample`.
pub fn sobol_sample(
    bounds: &[(f64, f64)],
    options: &SobolSampleOptions,
) -> Result<SobolDesign, Error> {
    for (i, &(low, high)) in bounds.iter().enumerate() {
        if !(low.is_finite() && high.is_finite() && low < high) {
            return Err(LoadError::one(
                Location::file(PROBLEM).column(format!("bounds[{i}]")),
                format!(
                    "factor {}'s bounds [{low}, {high}] are not a finite range with low below high",
                    i + 1
                ),
                "give each factor its [low, high] with low < high, both finite",
            )
            .into());
        }
    }
    let k = bounds.len();
    let design = SaltelliDesign::new(options.n, vec![1; k], options.points, options.seed)?;
    let per_row = if options.second_order {
        2 * k + 2
    } else {
        k + 2
    };
    let rows = options.n * per_row;
    let mut values = Vec::with_capacity(rows * k);
    let (mut a, mut b, mut point) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    let push = |u: &[f64], values: &mut Vec<f64>| {
        values.extend(
            u.iter()
                .zip(bounds)
                .map(|(&u, &(low, high))| uniform_at(low, high, u)),
        );
    };
    for j in 0..options.n {
        design.point(design.run(Block::A, j), &mut a);
        design.point(design.run(Block::B, j), &mut b);
        push(&a, &mut values);
        for i in 0..k {
            design.point(design.run(Block::AB(i), j), &mut point);
            push(&point, &mut values);
        }
        if options.second_order {
            for i in 0..k {
                point.copy_from_slice(&b);
                point[i] = a[i];
                push(&point, &mut values);
            }
        }
        push(&b, &mut values);
    }
    Ok(SobolDesign {
        values,
        rows,
        factors: k,
    })
}

/// Options of [`sobol_analyze`]; the default is `ranksense sobol analyze`'s (the centred
/// estimator, 1,000 bootstrap resamples, 90% intervals, seed 0) for a second-order design.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolAnalyzeOptions {
    /// The outputs are of a design with SALib's BA rows (2k + 2 runs per base row).
    pub second_order: bool,
    /// The estimator, the bootstrap and its seed.
    pub settings: EstimatorSettings,
}

impl Default for SobolAnalyzeOptions {
    fn default() -> Self {
        SobolAnalyzeOptions {
            second_order: true,
            settings: EstimatorSettings {
                estimator: Estimator::Centred,
                ..EstimatorSettings::default()
            },
        }
    }
}

/// First-order and total Sobol indices with percentile intervals: see [`sobol_analyze`].
#[derive(Debug, Clone, PartialEq)]
pub struct SobolAnalysis {
    result: SobolResult,
}

/// Sobol indices from a model's outputs on a design in SALib's order ([`sobol_sample`] or
/// SALib's `sobol.sample`), one output per run in row order: the same numbers as `ranksense
/// sobol analyze --layout salib` on the design saved with `np.savetxt`. First order by
/// Saltelli (2010), total by Jansen (1999), bootstrap percentile intervals (Efron).
pub fn sobol_analyze(
    factor_names: &[String],
    outputs: &[f64],
    options: &SobolAnalyzeOptions,
) -> Result<SobolAnalysis, Error> {
    let k = factor_names.len();
    if k == 0 {
        return Err(LoadError::one(
            Location::file(PROBLEM).column("names"),
            "the problem has no factor",
            "name at least one factor",
        )
        .into());
    }
    let step = if options.second_order {
        2 * k + 2
    } else {
        k + 2
    };
    if !outputs.len().is_multiple_of(step) || outputs.len() / step < 2 {
        return Err(LoadError::one(
            Location::file("Y"),
            format!(
                "{} outputs for {k} factors: not N × {step} with N ≥ 2 ({step} runs per base row {})",
                outputs.len(),
                if options.second_order {
                    "with second-order rows"
                } else {
                    "without second-order rows"
                }
            ),
            "give one output per row of the design, in its row order, with the design's \
             calc_second_order setting",
        )
        .into());
    }
    let n = outputs.len() / step;
    let blocks = salib_to_blocks(outputs, n, k, step);
    let result = estimate(&blocks, n, factor_names, &options.settings)?;
    Ok(SobolAnalysis { result })
}

impl SobolAnalysis {
    /// The indices, one entry per factor in design order, with N and the output variance.
    pub fn result(&self) -> &SobolResult {
        &self.result
    }

    /// sobol.csv as `ranksense sobol analyze --format csv` prints it (target `output`).
    pub fn csv(&self) -> String {
        sobol_csv([("output", &self.result)])
    }
}
