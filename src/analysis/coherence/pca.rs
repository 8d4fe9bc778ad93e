//! Principal components of an aggregate's children: eigenvalues, shares of variance and the
//! first component's loadings.

use super::correlation::{Method, correlate};

/// The PCA of one group of columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Components {
    /// Units used: those with every column present (listwise deletion, as COINr's `get_PCA`
    /// does with `na.omit` before `prcomp`).
    pub n: usize,
    /// Eigenvalues of the correlation matrix, largest first (they sum to k).
    pub eigenvalues: Vec<f64>,
    /// Share of the total variance of each component: λ_i / k.
    pub shares: Vec<f64>,
    /// Loadings (unit eigenvector) of the first component, one per column, with the sign
    /// convention that they sum to a non-negative number (the first component then rises with
    /// the aggregate; an eigenvector's sign is otherwise arbitrary, and `prcomp`'s is not
    /// documented).
    pub loadings: Vec<f64>,
}

impl Components {
    /// Components with an eigenvalue above 1 (Kaiser 1960, "The application of electronic
    /// computers to factor analysis", Educ. Psychol. Meas. 20(1)): 1 reads as one latent
    /// dimension, more as several.
    pub fn kaiser_count(&self) -> usize {
        self.eigenvalues.iter().filter(|&&l| l > 1.0).count()
    }
}

/// Why a group has no PCA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoComponents {
    /// Fewer than two columns.
    TooFewColumns,
    /// Fewer than three units with every column present.
    TooFewUnits { complete: usize },
    /// A column is constant on the complete units (it cannot be standardised; `prcomp(scale =
    /// TRUE)` refuses it too).
    Constant { column: usize },
}

/// PCA of the standardised columns (COINr 1.1.14 `get_PCA`: `prcomp(center = TRUE, scale =
/// TRUE)` on the complete rows), i.e. the eigen-decomposition of their Pearson correlation
/// matrix (Jolliffe 2002, *Principal Component Analysis*, §2.3).
pub fn principal_components(columns: &[&[f64]]) -> Result<Components, NoComponents> {
    let k = columns.len();
    if k < 2 {
        return Err(NoComponents::TooFewColumns);
    }
    let n_units = columns[0].len();
    let complete: Vec<usize> = (0..n_units)
        .filter(|&u| columns.iter().all(|c| !c[u].is_nan()))
        .collect();
    if complete.len() < 3 {
        return Err(NoComponents::TooFewUnits {
            complete: complete.len(),
        });
    }
    let data: Vec<Vec<f64>> = columns
        .iter()
        .map(|c| complete.iter().map(|&u| c[u]).collect())
        .collect();
    let mut matrix = vec![0.0; k * k];
    for i in 0..k {
        for j in i..k {
            let r = if i == j {
                let constant = data[i].iter().all(|&v| v == data[i][0]);
                if constant {
                    return Err(NoComponents::Constant { column: i });
                }
                1.0
            } else {
                match correlate(Method::Pearson, &data[i], &data[j]).r {
                    Some(r) => r,
                    None => {
                        let column = if data[i].iter().all(|&v| v == data[i][0]) {
                            i
                        } else {
                            j
                        };
                        return Err(NoComponents::Constant { column });
                    }
                }
            };
            matrix[i * k + j] = r;
            matrix[j * k + i] = r;
        }
    }
    let (values, vectors) = jacobi_eigen(&mut matrix, k);
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let eigenvalues: Vec<f64> = order.iter().map(|&i| values[i].max(0.0)).collect();
    let total: f64 = eigenvalues.iter().sum();
    let shares = eigenvalues.iter().map(|l| l / total).collect();
    let first = order[0];
    let mut loadings: Vec<f64> = (0..k).map(|row| vectors[row * k + first]).collect();
    if loadings.iter().sum::<f64>() < 0.0 {
        loadings.iter_mut().for_each(|l| *l = -*l);
    }
    Ok(Components {
        n: complete.len(),
        eigenvalues,
        shares,
        loadings,
    })
}

/// Eigenvalues and eigenvectors (columns of the returned row-major k × k matrix) of a
/// symmetric matrix by the cyclic Jacobi method (Golub & Van Loan 2013, *Matrix
/// Computations*, 4th ed., §8.5.2): rotations annihilate each off-diagonal element in turn
/// until the off-diagonal mass is below 1e-30 of the total (quadratic convergence; a few
/// sweeps for the small matrices of one aggregate). `a` is overwritten.
pub fn jacobi_eigen(a: &mut [f64], k: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; k * k];
    for i in 0..k {
        v[i * k + i] = 1.0;
    }
    let norm: f64 = a.iter().map(|x| x * x).sum();
    for _sweep in 0..100 {
        let off: f64 = (0..k)
            .flat_map(|i| (0..k).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * k + j] * a[i * k + j])
            .sum();
        if off <= 1e-30 * norm {
            break;
        }
        for p in 0..k {
            for q in p + 1..k {
                let apq = a[p * k + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * k + q] - a[p * k + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..k {
                    let (arp, arq) = (a[r * k + p], a[r * k + q]);
                    a[r * k + p] = c * arp - s * arq;
                    a[r * k + q] = s * arp + c * arq;
                }
                for r in 0..k {
                    let (apr, aqr) = (a[p * k + r], a[q * k + r]);
                    a[p * k + r] = c * apr - s * aqr;
                    a[q * k + r] = s * apr + c * aqr;
                }
                for r in 0..k {
                    let (vrp, vrq) = (v[r * k + p], v[r * k + q]);
                    v[r * k + p] = c * vrp - s * vrq;
                    v[r * k + q] = s * vrp + c * vrq;
                }
            }
        }
    }
    ((0..k).map(|i| a[i * k + i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_reproduces_a_known_spectrum() {
        // [[2,1],[1,2]] has eigenvalues 3 and 1 with vectors (1,1)/√2 and (1,−1)/√2.
        let mut a = vec![2.0, 1.0, 1.0, 2.0];
        let (values, vectors) = jacobi_eigen(&mut a, 2);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        assert!((sorted[0] - 1.0).abs() < 1e-12 && (sorted[1] - 3.0).abs() < 1e-12);
        let big = if values[0] > values[1] { 0 } else { 1 };
        assert!((vectors[big].abs() - 0.5f64.sqrt()).abs() < 1e-12);
    }
}
