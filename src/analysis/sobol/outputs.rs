//! One target's outputs split into the design's blocks, and the mean and variance of its A and B outputs: what the estimators and the bootstrap share.

use super::SobolError;
use super::design::Block;

/// The outputs of one target, split into the design's blocks.
pub(super) struct RunOutputs<'a> {
    outputs: &'a [f64],
    pub(super) n: usize,
    pub(super) factors: usize,
}

impl<'a> RunOutputs<'a> {
    pub(super) fn new<S: AsRef<str>>(
        outputs: &'a [f64],
        n: usize,
        factor_names: &[S],
    ) -> Result<Self, SobolError> {
        let factors = factor_names.len();
        if n < 2 || factors == 0 {
            return Err(SobolError::Design {
                problem: format!("N = {n} base rows and {factors} factors"),
                fix: "estimate from a design with at least 2 base rows and 1 factor".into(),
            });
        }
        let expected = n * (factors + 2);
        if outputs.len() != expected {
            return Err(SobolError::OutputCount {
                expected,
                found: outputs.len(),
                n,
                factors,
            });
        }
        if let Some(run) = outputs.iter().position(|y| !y.is_finite()) {
            let block = match run / n {
                0 => Block::A,
                1 => Block::B,
                b => Block::AB(b - 2),
            };
            return Err(SobolError::NonFiniteOutput {
                run,
                block: block.label(factor_names),
                value: outputs[run],
            });
        }
        Ok(RunOutputs {
            outputs,
            n,
            factors,
        })
    }

    pub(super) fn a(&self) -> &'a [f64] {
        &self.outputs[..self.n]
    }

    pub(super) fn b(&self) -> &'a [f64] {
        &self.outputs[self.n..2 * self.n]
    }

    pub(super) fn ab(&self, factor: usize) -> &'a [f64] {
        let start = (2 + factor) * self.n;
        &self.outputs[start..start + self.n]
    }
}

/// Mean and variance of the A and B outputs used by the estimators.
#[derive(Debug, Clone, Copy)]
pub(super) struct Moments {
    pub(super) mean: f64,
    pub(super) variance: f64,
    pub(super) constant: bool,
}

/// Mean and sample variance (denominator 2m − 1) of `y_A[rows] ∪ y_B[rows]`, two-pass. Equal
/// values are detected exactly (a rounded mean would otherwise leave a spurious tiny variance).
pub(super) fn moments_over<I: Fn() -> R, R: Iterator<Item = f64>>(
    values: I,
    count: usize,
) -> Moments {
    let mut sum = 0.0;
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    for y in values() {
        sum += y;
        min = min.min(y);
        max = max.max(y);
    }
    let mean = sum / count as f64;
    if min == max {
        return Moments {
            mean: min,
            variance: 0.0,
            constant: true,
        };
    }
    let squares: f64 = values().map(|y| (y - mean) * (y - mean)).sum();
    Moments {
        mean,
        variance: squares / (count - 1) as f64,
        constant: false,
    }
}
