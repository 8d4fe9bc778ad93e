//! Benchmark models with closed-form Sobol indices (Ishigami, Sobol' G-function), used to verify the estimators.

use std::f64::consts::PI;

/// The Ishigami & Homma (1990) function on `x ∈ [−π, π]³`:
/// `f(x) = sin x₁ + a sin² x₂ + b x₃⁴ sin x₁`.
pub fn ishigami(x: [f64; 3], a: f64, b: f64) -> f64 {
    let sin_x1 = x[0].sin();
    let sin_x2 = x[1].sin();
    sin_x1 + a * sin_x2 * sin_x2 + b * x[2].powi(4) * sin_x1
}

/// Closed-form variance decomposition of [`ishigami`] for independent `x_i ~ U(−π, π)`
/// (Sobol' & Levitan 1999; Saltelli et al. 2008, §4.8).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IshigamiAnalytic {
    /// `V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2`.
    pub variance: f64,
    /// `S_i = V_i / V` with `V₁ = (1 + bπ⁴/5)²/2`, `V₂ = a²/8`, `V₃ = 0`.
    pub first: [f64; 3],
    /// `ST₁ = (V₁ + V₁₃)/V`, `ST₂ = V₂/V`, `ST₃ = V₁₃/V`, `V₁₃ = 8b²π⁸/225`.
    pub total: [f64; 3],
}

impl IshigamiAnalytic {
    pub fn new(a: f64, b: f64) -> Self {
        let pi4 = PI.powi(4);
        let pi8 = PI.powi(8);
        let v1 = 0.5 * (1.0 + b * pi4 / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = 8.0 * b * b * pi8 / 225.0;
        let variance = v1 + v2 + v13;
        IshigamiAnalytic {
            variance,
            first: [v1 / variance, v2 / variance, 0.0],
            total: [(v1 + v13) / variance, v2 / variance, v13 / variance],
        }
    }

    /// Closed first-order index of the group {x₁, x₃}: `(V₁ + V₃ + V₁₃)/V`. It equals its total
    /// index, `1 − S₂`, because the group does not interact with x₂.
    pub fn group_x1_x3(&self) -> f64 {
        self.first[0] + self.first[2] + self.total[2]
    }
}

/// The Sobol' G-function on `u ∈ [0, 1)^d`: `Π_i (|4u_i − 2| + a_i)/(1 + a_i)`.
/// Small `a_i` make input i important; `a_i = 99` makes it almost inert.
pub fn g_function(u: &[f64], a: &[f64]) -> f64 {
    u.iter()
        .zip(a)
        .map(|(&u, &a)| ((4.0 * u - 2.0).abs() + a) / (1.0 + a))
        .product()
}

/// Closed-form indices of [`g_function`] (Saltelli & Sobol' 1995):
/// `V_i = 1/(3(1 + a_i)²)`, `V = Π(1 + V_i) − 1`, `S_i = V_i/V`,
/// `ST_i = V_i Π_{j≠i}(1 + V_j) / V`.
#[derive(Debug, Clone, PartialEq)]
pub struct GFunctionAnalytic {
    pub variance: f64,
    pub first: Vec<f64>,
    pub total: Vec<f64>,
}

impl GFunctionAnalytic {
    pub fn new(a: &[f64]) -> Self {
        let partial: Vec<f64> = a.iter().map(|&a| 1.0 / (3.0 * (1.0 + a).powi(2))).collect();
        let product: f64 = partial.iter().map(|v| 1.0 + v).product();
        let variance = product - 1.0;
        GFunctionAnalytic {
            variance,
            first: partial.iter().map(|v| v / variance).collect(),
            total: partial
                .iter()
                .map(|v| v * (product / (1.0 + v)) / variance)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ishigami_reference_values() {
        // Published values for a = 7, b = 0.1 (e.g. Saltelli et al. 2008, Table 4.5 rounding).
        let analytic = IshigamiAnalytic::new(7.0, 0.1);
        let expected_first = [0.3139, 0.4424, 0.0];
        let expected_total = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            assert!((analytic.first[i] - expected_first[i]).abs() < 5e-5);
            assert!((analytic.total[i] - expected_total[i]).abs() < 5e-5);
        }
        assert!((analytic.variance - 13.8446).abs() < 1e-4);
        assert!((analytic.group_x1_x3() - (1.0 - analytic.first[1])).abs() < 1e-14);
    }

    #[test]
    fn g_function_indices_decompose_the_variance() {
        let analytic = GFunctionAnalytic::new(&[0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0]);
        // V_1 = 1/3, so S_1 = (1/3)/V.
        assert!((analytic.first[0] - 1.0 / 3.0 / analytic.variance).abs() < 1e-15);
        let sum_first: f64 = analytic.first.iter().sum();
        assert!(sum_first < 1.0 && sum_first > 0.9);
        for (s, st) in analytic.first.iter().zip(&analytic.total) {
            assert!(st >= s);
        }
        assert!((g_function(&[0.5, 0.0], &[0.0, 1.0]) - 0.0).abs() < 1e-15);
        assert!((g_function(&[0.0, 0.0], &[0.0, 1.0]) - 3.0).abs() < 1e-15);
    }
}
