//! Importance against weight: the correlation ratio η² (first-order Sobol index) of the index
//! score with respect to each indicator and aggregate (Paruolo, Saisana & Saltelli 2013,
//! "Ratings and rankings: voodoo or science?", JRSS A 176(3), §3), estimated by a cubic
//! regression spline, bias-corrected, with a bootstrap interval.
//!
//! **Estimator.** η² = Var(E[y | x]) / Var(y). E[y | x] is estimated by least squares on a
//! cubic B-spline basis (de Boor 2001, *A Practical Guide to Splines*, ch. IX) with K interior
//! knots at the quantiles k/(K + 1) of x (so every knot interval holds data); p = K + 4 basis
//! functions, which span the constants, the straight lines and every cubic.
//!
//! **Smoothing rule.** K ∈ {0, …, K_max} minimises generalised cross-validation, GCV(K) = n ·
//! RSS / (n − p)² (Craven & Wahba 1979), with K_max = min(10, ⌊n/10⌋ − 4, distinct values − 4),
//! at least 0. With fewer than 4 distinct values of x the degree drops to (distinct − 1) and
//! the fit is the group means.
//!
//! **Bias and its correction.** R² = 1 − RSS/TSS of a fit with p parameters reads, for a
//! variable with no effect at all, E[R²] = (p − 1)/(n − 1) under Gaussian noise (for 37 cities
//! and p = 4 to 7, 0.08–0.17: enough to distort every share). The estimate is the adjusted
//! R², η̂² = 1 − (RSS/(n − p)) / (TSS/(n − 1)) (Ezekiel 1930, *Methods of Correlation
//! Analysis*; the ratio of the unbiased estimates of residual and total variance), whose
//! expectation under no effect is ≈ 0 (`tests/coherence.rs` shows both). It can be slightly
//! negative by chance; shares clip it at 0. r² beside it is Pearson's r² with the same
//! correction (p = 2).
//!
//! **Interval.** A percentile bootstrap (Efron & Tibshirani 1993, ch. 13): units resampled
//! with replacement, the spline refitted on the same knots and K; replicate b draws from
//! ChaCha8 stream b under the seed, so the interval is the same on any number of threads.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

use crate::pipeline::stats::quantile_type7_sorted;

/// Largest number of interior knots tried.
const MAX_KNOTS: usize = 10;

/// A fitted correlation ratio of y on one variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Ratio {
    /// Bias-corrected η² (adjusted R² of the spline fit).
    pub eta2: f64,
    /// Plain R² of the spline fit (what an uncorrected estimator reports).
    pub eta2_raw: f64,
    /// Bias-corrected r² of the straight-line fit (Pearson's r², adjusted with p = 2).
    pub r2: f64,
    /// Interior knots chosen by GCV and the spline degree.
    pub knots: usize,
    pub degree: usize,
    /// Complete pairs used.
    pub n: usize,
    /// Percentile bootstrap interval of `eta2` at the requested level, if resampled.
    pub interval: Option<(f64, f64)>,
}

/// The basis of one fit: the knot vector and each point's first nonzero basis function and
/// the values of its degree + 1 nonzero functions.
struct Basis {
    degree: usize,
    p: usize,
    start: Vec<usize>,
    values: Vec<f64>,
}

/// The full knot vector (boundary knots repeated degree + 1 times) for `k` interior knots at
/// quantiles of the sorted distinct values.
fn knot_vector(sorted: &[f64], k: usize, degree: usize) -> Vec<f64> {
    let (lo, hi) = (sorted[0], sorted[sorted.len() - 1]);
    let mut t = vec![lo; degree + 1];
    for i in 1..=k {
        let q = quantile_type7_sorted(sorted, i as f64 / (k + 1) as f64);
        if q > *t.last().unwrap() && q < hi {
            t.push(q);
        }
    }
    t.extend(std::iter::repeat_n(hi, degree + 1));
    t
}

/// Cox–de Boor recursion: the degree + 1 nonzero B-splines at x and the index of the first.
fn eval_basis(t: &[f64], degree: usize, x: f64, out: &mut [f64]) -> usize {
    let n_basis = t.len() - degree - 1;
    // The knot span: t[span] ≤ x < t[span + 1], the last span closed on the right.
    let mut span = degree;
    while span + 1 < n_basis && x >= t[span + 1] {
        span += 1;
    }
    out.iter_mut().for_each(|v| *v = 0.0);
    out[0] = 1.0;
    let mut left = [0.0; 4];
    let mut right = [0.0; 4];
    for j in 1..=degree {
        left[j] = x - t[span + 1 - j];
        right[j] = t[span + j] - x;
        let mut saved = 0.0;
        for r in 0..j {
            let denominator = right[r + 1] + left[j - r];
            let temp = if denominator > 0.0 {
                out[r] / denominator
            } else {
                0.0
            };
            out[r] = saved + right[r + 1] * temp;
            saved = left[j - r] * temp;
        }
        out[j] = saved;
    }
    span - degree
}

fn basis(x: &[f64], sorted_distinct: &[f64], sorted: &[f64], k: usize) -> Basis {
    let degree = 3.min(sorted_distinct.len() - 1);
    let t = knot_vector(sorted, k, degree);
    let p = t.len() - degree - 1;
    let width = degree + 1;
    let mut start = Vec::with_capacity(x.len());
    let mut values = vec![0.0; x.len() * width];
    for (i, &v) in x.iter().enumerate() {
        start.push(eval_basis(
            &t,
            degree,
            v,
            &mut values[i * width..(i + 1) * width],
        ));
    }
    Basis {
        degree,
        p,
        start,
        values,
    }
}

/// Sufficient statistics of a least-squares fit on a basis: XᵀX, Xᵀy, Σy, Σy², n.
struct Normal {
    xtx: Vec<f64>,
    xty: Vec<f64>,
    sy: f64,
    syy: f64,
    n: f64,
}

impl Normal {
    fn new(p: usize) -> Self {
        Normal {
            xtx: vec![0.0; p * p],
            xty: vec![0.0; p],
            sy: 0.0,
            syy: 0.0,
            n: 0.0,
        }
    }
    fn clear(&mut self) {
        self.xtx.iter_mut().for_each(|v| *v = 0.0);
        self.xty.iter_mut().for_each(|v| *v = 0.0);
        self.sy = 0.0;
        self.syy = 0.0;
        self.n = 0.0;
    }
    /// Adds unit `i` with value `y`.
    #[inline]
    fn add(&mut self, b: &Basis, i: usize, y: f64) {
        match b.degree {
            3 => self.add_width::<4>(b, i, y),
            2 => self.add_width::<3>(b, i, y),
            1 => self.add_width::<2>(b, i, y),
            _ => self.add_width::<1>(b, i, y),
        }
    }
    /// The body of [`Normal::add`] for W = degree + 1 nonzero basis functions per point: fixed,
    /// so that the compiler unrolls the loops.
    #[inline(always)]
    fn add_width<const W: usize>(&mut self, b: &Basis, i: usize, y: f64) {
        let (s, p) = (b.start[i], b.p);
        let row: &[f64; W] = b.values[i * W..(i + 1) * W]
            .try_into()
            .expect("a basis row holds degree + 1 values");
        for a in 0..W {
            self.xty[s + a] += row[a] * y;
            let line = &mut self.xtx[(s + a) * p + s..(s + a) * p + s + W];
            for c in a..W {
                line[c] += row[a] * row[c];
            }
        }
        self.sy += y;
        self.syy += y * y;
        self.n += 1.0;
    }
    /// Adds unit `i`'s response `y` only (Xᵀy, Σy, Σy², n), for a basis whose XᵀX is already
    /// factored: the same sums, in the same order, as [`Normal::add`] makes.
    #[inline]
    fn add_response(&mut self, b: &Basis, i: usize, y: f64) {
        let width = b.degree + 1;
        let s = b.start[i];
        for (a, v) in b.values[i * width..(i + 1) * width].iter().enumerate() {
            self.xty[s + a] += v * y;
        }
        self.sy += y;
        self.syy += y * y;
        self.n += 1.0;
    }
    /// (RSS, TSS) of the least-squares fit, solving XᵀX β = Xᵀy by Cholesky (a ridge of
    /// 1e-12 · trace keeps a knot span without data from making it singular). `work` holds
    /// p² + p numbers.
    fn rss_tss(&self, p: usize, work: &mut [f64]) -> (f64, f64) {
        let (l, beta) = work.split_at_mut(p * p);
        cholesky(&self.xtx, p, l);
        self.solve(p, l, beta)
    }

    /// (RSS, TSS) from the Cholesky factor `l` of XᵀX (see [`cholesky`]); `beta` holds p
    /// numbers.
    fn solve(&self, p: usize, l: &[f64], beta: &mut [f64]) -> (f64, f64) {
        for i in 0..p {
            let mut sum = self.xty[i];
            for m in 0..i {
                sum -= l[i * p + m] * beta[m];
            }
            beta[i] = sum / l[i * p + i];
        }
        // βᵀXᵀy = |L⁻¹Xᵀy|² is the explained sum of squares about zero.
        let explained: f64 = beta.iter().map(|z| z * z).sum();
        let tss = self.syy - self.sy * self.sy / self.n;
        let rss = (self.syy - explained).max(0.0);
        (rss, tss)
    }
}

/// The lower Cholesky factor `l` (p × p, row-major) of the p × p matrix whose upper triangle
/// `xtx` holds, with a ridge of 1e-12 · trace so that a knot span without data does not make
/// it singular.
fn cholesky(xtx: &[f64], p: usize, l: &mut [f64]) {
    let trace: f64 = (0..p).map(|i| xtx[i * p + i]).sum();
    let ridge = 1e-12 * trace.max(f64::MIN_POSITIVE);
    for i in 0..p {
        for j in 0..=i {
            // Upper triangle holds the sums; mirror it.
            let a = xtx[j * p + i];
            let mut sum = if i == j { a + ridge } else { a };
            for m in 0..j {
                sum -= l[i * p + m] * l[j * p + m];
            }
            l[i * p + j] = if i == j {
                sum.max(ridge).sqrt()
            } else {
                sum / l[j * p + j]
            };
        }
    }
}

/// Adjusted R²: 1 − (RSS/(n − p)) / (TSS/(n − 1)).
fn adjusted(rss: f64, tss: f64, n: f64, p: usize) -> f64 {
    1.0 - (rss / (n - p as f64)) / (tss / (n - 1.0))
}

/// The correlation ratio of `y` on `x` (NaN = missing, complete pairs used), with a
/// percentile bootstrap interval at `level` from `resamples` resamples when `resamples > 0`.
/// `None` when fewer than 8 complete pairs, or x or y is constant.
pub fn correlation_ratio(
    x: &[f64],
    y: &[f64],
    resamples: usize,
    level: f64,
    seed: u64,
) -> Option<Ratio> {
    let Pairs {
        xs,
        ys,
        sorted,
        distinct,
    } = pairs(x, y)?;
    let n = xs.len();
    let (b, rss, tss) = select_knots(&xs, &ys, &sorted, &distinct)?;
    let nf = n as f64;
    let eta2 = adjusted(rss, tss, nf, b.p);
    let r = super::correlation::correlate(super::correlation::Method::Pearson, &xs, &ys).r?;
    let r2 = 1.0 - (1.0 - r * r) * (nf - 1.0) / (nf - 2.0);
    let interval = (resamples > 0).then(|| bootstrap(&b, &ys, resamples, level, seed));
    Some(Ratio {
        eta2,
        eta2_raw: 1.0 - rss / tss,
        r2,
        knots: b.p - b.degree - 1,
        degree: b.degree,
        n,
        interval,
    })
}

/// The spline fit with the number of interior knots GCV chooses (see the module notes), with
/// its RSS and TSS; `None` if y has no variance. `ys` centred, `sorted` and `distinct` the
/// sorted and the sorted distinct values of `xs`.
fn select_knots(
    xs: &[f64],
    ys: &[f64],
    sorted: &[f64],
    distinct: &[f64],
) -> Option<(Basis, f64, f64)> {
    let n = xs.len();
    let max_knots = MAX_KNOTS
        .min((n / 10).saturating_sub(4))
        .min(distinct.len().saturating_sub(4));
    let nf = n as f64;
    let mut best: Option<(f64, Basis, f64, f64)> = None;
    for k in 0..=max_knots {
        let b = basis(xs, distinct, sorted, k);
        if b.p + 1 >= n {
            break;
        }
        let (rss, tss) = fit(&b, ys);
        let gcv = nf * rss / ((nf - b.p as f64) * (nf - b.p as f64));
        if best.as_ref().is_none_or(|(g, ..)| gcv < *g) {
            best = Some((gcv, b, rss, tss));
        }
    }
    let (_, b, rss, tss) = best?;
    (tss.partial_cmp(&0.0) == Some(std::cmp::Ordering::Greater)).then_some((b, rss, tss))
}

/// (RSS, TSS) of the least-squares fit of centred `ys` on the basis.
fn fit(b: &Basis, ys: &[f64]) -> (f64, f64) {
    let mut normal = Normal::new(b.p);
    for (i, &v) in ys.iter().enumerate() {
        normal.add(b, i, v);
    }
    let mut work = vec![0.0; b.p * b.p + b.p];
    normal.rss_tss(b.p, &mut work)
}

/// The complete pairs of x and y, y centred, x sorted and its distinct values; `None` when
/// fewer than 8 pairs or x or y is constant.
struct Pairs {
    xs: Vec<f64>,
    ys: Vec<f64>,
    sorted: Vec<f64>,
    distinct: Vec<f64>,
}

fn pairs(x: &[f64], y: &[f64]) -> Option<Pairs> {
    let (xs, ys): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(&a, &b)| (a, b))
        .unzip();
    let n = xs.len();
    if n < 8 {
        return None;
    }
    // Centred y: the fit is invariant to the shift and the sums lose no digits to it.
    let mean_y = ys.iter().sum::<f64>() / n as f64;
    let ys: Vec<f64> = ys.iter().map(|v| v - mean_y).collect();
    let mut sorted = xs.clone();
    sorted.sort_by(f64::total_cmp);
    let mut distinct = sorted.clone();
    distinct.dedup();
    if distinct.len() < 2 || ys.iter().all(|&v| v == ys[0]) {
        return None;
    }
    Some(Pairs {
        xs,
        ys,
        sorted,
        distinct,
    })
}

/// η² of y on x with the number of knots held, for the weight search
/// ([`super::optimise`]), which refits it at every trial weight vector: GCV chooses the knots
/// on the first call (as [`correlation_ratio`] does) and they are kept after; the basis is
/// rebuilt only when x or its complete pairs change (an aggregate's scores move with the
/// weights, an indicator's do not). At the point where the knots were chosen it equals
/// [`correlation_ratio`]'s η².
#[derive(Default)]
pub struct HeldKnots {
    held: Option<Held>,
}

/// What [`HeldKnots`] keeps between calls.
struct Held {
    x: Vec<f64>,
    /// Which units had both values.
    complete: Vec<bool>,
    knots: usize,
    basis: Basis,
    /// The Cholesky factor of XᵀX on `basis`: XᵀX depends on x only, so while x is held a refit
    /// needs only Xᵀy and a triangular solve (the search refits every indicator at every step).
    factor: Vec<f64>,
    normal: Normal,
    beta: Vec<f64>,
}

impl Held {
    fn new(x: &[f64], y: &[f64], knots: usize, basis: Basis) -> Self {
        let p = basis.p;
        let mut normal = Normal::new(p);
        for i in 0..basis.start.len() {
            normal.add(&basis, i, 0.0);
        }
        let mut factor = vec![0.0; p * p];
        cholesky(&normal.xtx, p, &mut factor);
        Held {
            x: x.to_vec(),
            complete: x
                .iter()
                .zip(y)
                .map(|(a, b)| !a.is_nan() && !b.is_nan())
                .collect(),
            knots,
            basis,
            factor,
            normal,
            beta: vec![0.0; p],
        }
    }

    /// Whether `x` is the held x with the same complete pairs against `y`.
    fn holds(&self, x: &[f64], y: &[f64]) -> bool {
        self.x.len() == x.len()
            && self.complete.len() == y.len()
            && self
                .x
                .iter()
                .zip(x)
                .zip(y.iter().zip(&self.complete))
                .all(|((held, a), (b, &complete))| {
                    held.total_cmp(a).is_eq() && complete == (!a.is_nan() && !b.is_nan())
                })
    }

    /// The adjusted R² of `y` (on the held complete pairs) on the held basis.
    fn refit(&mut self, y: &[f64]) -> Option<f64> {
        let complete = || y.iter().zip(&self.complete).filter(|(_, c)| **c);
        let (sum, count) = complete().fold((0.0, 0usize), |(s, c), (v, _)| (s + v, c + 1));
        // Centred as `pairs` centres, so that the sums equal those of a fresh fit.
        let mean = sum / count as f64;
        let normal = &mut self.normal;
        normal.xty.iter_mut().for_each(|v| *v = 0.0);
        (normal.sy, normal.syy, normal.n) = (0.0, 0.0, 0.0);
        for (i, (v, _)) in complete().enumerate() {
            normal.add_response(&self.basis, i, v - mean);
        }
        let (rss, tss) = normal.solve(self.basis.p, &self.factor, &mut self.beta);
        (tss > 0.0).then(|| adjusted(rss, tss, count as f64, self.basis.p))
    }
}

impl HeldKnots {
    /// Forgets the knots: the next call chooses them again.
    pub fn release(&mut self) {
        self.held = None;
    }

    /// The bias-corrected η² of `y` on `x` (see [`correlation_ratio`]).
    pub fn eta2(&mut self, x: &[f64], y: &[f64]) -> Option<f64> {
        if let Some(held) = self.held.as_mut().filter(|held| held.holds(x, y)) {
            return held.refit(y);
        }
        let pairs = pairs(x, y)?;
        let n = pairs.xs.len();
        let b = match self.held.take() {
            Some(held) => {
                let max_knots = MAX_KNOTS
                    .min((n / 10).saturating_sub(4))
                    .min(pairs.distinct.len().saturating_sub(4));
                basis(
                    &pairs.xs,
                    &pairs.distinct,
                    &pairs.sorted,
                    held.knots.min(max_knots),
                )
            }
            None => select_knots(&pairs.xs, &pairs.ys, &pairs.sorted, &pairs.distinct)?.0,
        };
        let (rss, tss) = fit(&b, &pairs.ys);
        let eta2 = (tss > 0.0 && b.p + 1 < n).then(|| adjusted(rss, tss, n as f64, b.p));
        let knots = b.p - b.degree - 1;
        self.held = Some(Held::new(x, y, knots, b));
        eta2
    }
}

/// Each unit's terms of the normal equations, for the bootstrap: per unit, the upper triangle
/// of its basis row times itself (W(W + 1)/2 values, W = degree + 1), the row times y (W), y
/// and y², each of which a resample multiplies by the unit's multiplicity. A resample's
/// equations are then sums of these per first basis function (`sums_per_start`).
struct Terms {
    width: usize,
    /// Values per unit.
    m: usize,
    values: Vec<f64>,
}

impl Terms {
    fn new(b: &Basis, ys: &[f64]) -> Self {
        let width = b.degree + 1;
        let m = width * (width + 1) / 2 + width + 2;
        let mut values = Vec::with_capacity(ys.len() * m);
        for (i, &y) in ys.iter().enumerate() {
            let row = &b.values[i * width..(i + 1) * width];
            for a in 0..width {
                for c in a..width {
                    values.push(row[a] * row[c]);
                }
            }
            values.extend(row.iter().map(|v| v * y));
            values.extend([y, y * y]);
        }
        Terms { width, m, values }
    }

    /// For each of the `r` resamples of a block, adds every unit's terms times its
    /// multiplicity (`counts[replicate · n + unit]`) to that resample's sums of the unit's first
    /// basis function (`sums[replicate]`, `starts × M` values). One pass over the terms serves
    /// the whole block: the terms (M values per unit) are read once per block instead of once
    /// per resample, which is what bounds the bootstrap at large n (memory traffic, not
    /// arithmetic). Each resample's sums are added in unit order, as one resample alone would
    /// add them. `M` (= `self.m`) is fixed so that the inner loop is unrolled and vectorised.
    fn block_sums<const M: usize>(&self, b: &Basis, counts: &[u32], sums: &mut [Vec<f64>]) {
        sums.iter_mut()
            .for_each(|s| s.iter_mut().for_each(|v| *v = 0.0));
        let n = b.start.len();
        for (unit, (&start, terms)) in b.start.iter().zip(self.values.chunks_exact(M)).enumerate() {
            let terms: &[f64; M] = terms.try_into().expect("M terms per unit");
            for (replicate, replicate_sums) in sums.iter_mut().enumerate() {
                let c = f64::from(counts[replicate * n + unit]);
                let sum: &mut [f64; M] = (&mut replicate_sums[start * M..(start + 1) * M])
                    .try_into()
                    .expect("M values per start");
                for k in 0..M {
                    sum[k] += c * terms[k];
                }
            }
        }
    }

    /// The sums of every resample of a block (see [`Terms::block_sums`]).
    fn resample_block(&self, b: &Basis, counts: &[u32], sums: &mut [Vec<f64>]) {
        match self.m {
            16 => self.block_sums::<16>(b, counts, sums),
            11 => self.block_sums::<11>(b, counts, sums),
            7 => self.block_sums::<7>(b, counts, sums),
            _ => self.block_sums::<4>(b, counts, sums),
        }
    }

    /// The normal equations of one resample of `n` units from its sums per first basis
    /// function.
    fn normal_equations(&self, b: &Basis, sums: &[f64], n: usize, normal: &mut Normal) {
        normal.clear();
        let (w, m, p) = (self.width, self.m, b.p);
        for (s, block) in sums.chunks_exact(m).enumerate() {
            let mut k = 0;
            for a in 0..w {
                for c in a..w {
                    normal.xtx[(s + a) * p + s + c] += block[k];
                    k += 1;
                }
            }
            for a in 0..w {
                normal.xty[s + a] += block[k + a];
            }
            normal.sy += block[m - 2];
            normal.syy += block[m - 1];
        }
        normal.n = n as f64;
    }
}

/// Resamples per pass over the units' terms in the bootstrap (see [`Terms::block_sums`]).
const BLOCK: usize = 8;

/// Percentile interval of the adjusted R² over `resamples` bootstrap resamples of the units.
///
/// A resample is held as each unit's multiplicity (n uniform picks) and its normal equations
/// are summed from the units' precomputed [`Terms`], in unit order: a sequential, vectorised
/// pass instead of n random reads.
fn bootstrap(b: &Basis, ys: &[f64], resamples: usize, level: f64, seed: u64) -> (f64, f64) {
    let n = ys.len();
    let terms = Terms::new(b, ys);
    let starts = b.p - b.degree;
    let blocks: Vec<(usize, usize)> = (0..resamples)
        .step_by(BLOCK)
        .map(|first| (first, BLOCK.min(resamples - first)))
        .collect();
    let mut estimates: Vec<f64> = blocks
        .into_par_iter()
        .map_init(
            || {
                (
                    ChaCha8Rng::seed_from_u64(seed),
                    Normal::new(b.p),
                    vec![0.0; b.p * b.p + b.p],
                    vec![0u32; n * BLOCK],
                    vec![vec![0.0; starts * terms.m]; BLOCK],
                )
            },
            |(rng, normal, work, counts, sums), (first, r)| {
                // One resample's multiplicities after another (each draws into a region
                // that stays in cache): counts[replicate · n + unit].
                let counts = &mut counts[..n * r];
                counts.iter_mut().for_each(|c| *c = 0);
                for (replicate, counts) in counts.chunks_exact_mut(n).enumerate() {
                    rng.set_stream((first + replicate) as u64);
                    for _ in 0..n {
                        counts[rng.random_range(0..n)] += 1;
                    }
                }
                let sums = &mut sums[..r];
                terms.resample_block(b, counts, sums);
                sums.iter()
                    .map(|replicate| {
                        terms.normal_equations(b, replicate, n, normal);
                        let (rss, tss) = normal.rss_tss(b.p, work);
                        if tss > 0.0 {
                            adjusted(rss, tss, n as f64, b.p)
                        } else {
                            f64::NAN
                        }
                    })
                    .collect::<Vec<f64>>()
            },
        )
        .flatten()
        .filter(|v| v.is_finite())
        .collect();
    estimates.sort_by(f64::total_cmp);
    if estimates.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let tail = (1.0 - level) / 2.0;
    (
        quantile_type7_sorted(&estimates, tail),
        quantile_type7_sorted(&estimates, 1.0 - tail),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b_splines_sum_to_one() {
        let t = [0.0, 0.0, 0.0, 0.0, 0.3, 0.7, 1.0, 1.0, 1.0, 1.0];
        let mut out = [0.0; 4];
        for x in [0.0, 0.1, 0.3, 0.5, 0.99, 1.0] {
            eval_basis(&t, 3, x, &mut out);
            assert!((out.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{x}");
        }
    }

    #[test]
    fn an_exact_cubic_is_explained_in_full() {
        let x: Vec<f64> = (0..50).map(|i| i as f64 / 49.0 - 0.5).collect();
        let y: Vec<f64> = x.iter().map(|v| v * v * v - v).collect();
        let ratio = correlation_ratio(&x, &y, 0, 0.95, 1).unwrap();
        assert!((ratio.eta2 - 1.0).abs() < 1e-9, "{ratio:?}");
    }
}
