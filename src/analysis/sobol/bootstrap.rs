//! Bootstrap percentile intervals of Sobol indices: one target at a time ([`estimate`]) and many targets in one fused pass (`ranksense sensitivity`), drawing the same resampled rows.
//!
//! Replicate r resamples the N base rows with replacement from ChaCha8 stream r of a key derived
//! from the seed, so every replicate is a pure function of (seed, r) and intervals do not depend
//! on the number of threads. Both paths compute the same statistics (a unit test compares them);
//! the fused one rewrites them as weighted sums so that all targets share the resampling.
//!
//! [`estimate`]: super::estimate

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

use super::derived_seed;
use super::outputs::{Moments, RunOutputs, moments_over};
use super::settings::EstimatorSettings;
use crate::pipeline::stats::quantile_type7_sorted;

/// Stream-family tag of the bootstrap resamples (see [`derived_seed`]).
const BOOTSTRAP_STREAM_TAG: u64 = 0x424f_4f54_5354_5250; // "BOOTSTRP"

/// Bootstrap replicates per work item of the fused pass.
const REPLICATE_CHUNK: usize = 32;

/// Bootstrap replicates whose resampling counts are held at once: at most this many f64 counts.
const COUNT_BUDGET: usize = 1 << 22;

/// Percentile intervals `(lo, hi)` for S_1..S_k then ST_1..ST_k of one target, or `None`
/// without resamples: replicate r draws N rows with replacement from stream r, recomputes both
/// indices on them (with the mean and V re-estimated by the centred estimator, kept by COINr's),
/// and the interval is the pair of type-7 quantiles at (1 ± level)/2 over the replicates
/// (Efron & Tibshirani 1993, §13.3, the percentile interval).
pub(super) fn bootstrap_one(
    outputs: &RunOutputs<'_>,
    full: Moments,
    settings: &EstimatorSettings,
) -> Option<Vec<(f64, f64)>> {
    let resamples = settings.bootstrap_resamples;
    if resamples == 0 {
        return None;
    }
    let n = outputs.n;
    let k = outputs.factors;
    let stats = 2 * k;
    let key = derived_seed(settings.seed, BOOTSTRAP_STREAM_TAG);
    // Replicate r's 2k statistics live in chunk r; each replicate depends only on (seed, r).
    let mut replicates = vec![0.0; resamples * stats];
    replicates.par_chunks_mut(stats).enumerate().for_each_init(
        || vec![0usize; n],
        |rows, (replicate, out)| {
            let mut rng = ChaCha8Rng::seed_from_u64(key);
            rng.set_stream(replicate as u64);
            for row in rows.iter_mut() {
                *row = rng.random_range(0..n);
            }
            resampled_estimates(outputs, rows, full, settings, out);
        },
    );

    let alpha = (1.0 - settings.confidence_level) / 2.0;
    let mut column = vec![0.0; resamples];
    let intervals = (0..stats)
        .map(|stat| {
            for (value, replicate) in column.iter_mut().zip(replicates.chunks_exact(stats)) {
                *value = replicate[stat];
            }
            column.sort_unstable_by(f64::total_cmp);
            (
                quantile_type7_sorted(&column, alpha),
                quantile_type7_sorted(&column, 1.0 - alpha),
            )
        })
        .collect();
    Some(intervals)
}

/// S_i (into `out[..k]`) and ST_i (into `out[k..]`) on the resampled base rows `rows`.
fn resampled_estimates(
    outputs: &RunOutputs<'_>,
    rows: &[usize],
    full: Moments,
    settings: &EstimatorSettings,
    out: &mut [f64],
) {
    let (y_a, y_b) = (outputs.a(), outputs.b());
    let m = rows.len();
    let moments = if settings.estimator.reestimates_variance() {
        let resampled = moments_over(|| rows.iter().flat_map(|&j| [y_a[j], y_b[j]]), 2 * m);
        if resampled.constant {
            // V* = 0 makes the ratio undefined; fall back to the full-sample moments.
            full
        } else {
            resampled
        }
    } else {
        full
    };
    let offset = if settings.estimator.centres_outputs() {
        moments.mean
    } else {
        0.0
    };
    let k = outputs.factors;
    for factor in 0..k {
        let y_ab = outputs.ab(factor);
        let (mut first_sum, mut total_sum) = (0.0, 0.0);
        for &j in rows {
            let step = y_ab[j] - y_a[j];
            first_sum += (y_b[j] - offset) * step;
            total_sum += step * step;
        }
        out[factor] = first_sum / m as f64 / moments.variance;
        out[k + factor] = total_sum / (2.0 * m as f64 * moments.variance);
    }
}

/// One target's outputs and full-sample moments, as the bootstrap needs them.
pub struct BootstrapTarget<'a> {
    /// Outputs in design run order (`N (k + 2)` values).
    pub outputs: &'a [f64],
    /// Mean of the A and B outputs.
    pub mean: f64,
    /// Sample variance of the A and B outputs (denominator 2N − 1); must be positive.
    pub variance: f64,
}

/// Bootstrap percentile intervals of S_1..S_k then ST_1..ST_k for many targets at once:
/// the same intervals as [`estimate`] computes one target at a time (same resampled rows,
/// same formulas, sums in another fixed order), at a fraction of the cost.
///
/// Replicate r draws N base rows with replacement from ChaCha8 stream r (as [`estimate`] does);
/// its multiplicities `c_j` are shared by every target. Every resampled statistic is then a
/// weighted sum `Σ_j c_j z_j` of per-row terms, with `a = y_A − μ`, `b = y_B − μ`,
/// `d_i = y_ABi − y_A` (μ the full-sample mean, subtracted for numerical conditioning only):
///
/// - `Σ c (a + b)` and `Σ c (a² + b²)` give the resampled mean `μ* = μ + Σ c (a + b) / 2N` and
///   variance `V* = (Σ c (a² + b²) − (Σ c (a + b))² / 2N) / (2N − 1)`;
/// - `S_i* = (Σ c b d_i − (μ* − μ) Σ c d_i) / N / V*` (centred; uncentred: `+ μ Σ c d_i`);
/// - `ST_i* = Σ c d_i² / (2N V*)`.
///
/// All targets' sums of one replicate block are one small matrix product (multiplicities ×
/// per-row terms), computed with fixed lane-wise accumulators. As in [`estimate`], a replicate
/// whose resampled A and B outputs are all equal keeps the full-sample V and mean, and without
/// the [`Centred`](super::Estimator::Centred) estimator every replicate does.
/// Returns `None` when `bootstrap_resamples` is 0.
pub fn bootstrap_targets(
    targets: &[BootstrapTarget<'_>],
    n: usize,
    factors: usize,
    settings: &EstimatorSettings,
) -> Option<Vec<Vec<(f64, f64)>>> {
    let resamples = settings.bootstrap_resamples;
    if resamples == 0 {
        return None;
    }
    let stats = 2 * factors;
    let key = derived_seed(settings.seed, BOOTSTRAP_STREAM_TAG);
    // replicates[t][r][s]: statistic s of replicate r of target t.
    let mut replicates = vec![0.0; targets.len() * resamples * stats];
    let kernel = Kernel::detect();
    let batch = (COUNT_BUDGET / n).clamp(1, resamples);
    let mut counts = vec![0.0; batch * n];
    for batch_start in (0..resamples).step_by(batch) {
        let batch_len = batch.min(resamples - batch_start);
        let counts = &mut counts[..batch_len * n];
        counts
            .par_chunks_mut(n)
            .enumerate()
            .for_each(|(offset, multiplicities)| {
                let mut rng = ChaCha8Rng::seed_from_u64(key);
                rng.set_stream((batch_start + offset) as u64);
                multiplicities.fill(0.0);
                for _ in 0..n {
                    multiplicities[rng.random_range(0..n)] += 1.0;
                }
            });
        let counts = &*counts;
        // Work items: (target, first replicate of the batch, its statistics). With many targets
        // an item takes a whole batch of one target, so each thread fills one target's terms
        // per item; with few, items split the replicates so that every thread has work.
        let per_item = if targets.len() >= 4 * rayon::current_num_threads() {
            batch_len
        } else {
            REPLICATE_CHUNK
        };
        let mut items: Vec<(usize, usize, &mut [f64])> = Vec::new();
        for (t, per_target) in replicates.chunks_mut(resamples * stats).enumerate() {
            let in_batch = &mut per_target[batch_start * stats..(batch_start + batch_len) * stats];
            for (c, chunk) in in_batch.chunks_mut(per_item * stats).enumerate() {
                items.push((t, c * per_item, chunk));
            }
        }
        items.into_par_iter().for_each_init(
            || {
                let terms = RowTerms::new(n, factors);
                let sums = (vec![0.0; terms.width], vec![0.0; terms.width]);
                (terms, None, sums)
            },
            |(terms, loaded, (sums0, sums1)), (t, first, out)| {
                if *loaded != Some(t) {
                    terms.load(&targets[t]);
                    *loaded = Some(t);
                }
                let terms = &*terms;
                let counts_of = |r: usize| &counts[(first + r) * n..(first + r + 1) * n];
                let mut outs = out.chunks_exact_mut(stats).enumerate();
                // Two replicates at a time share the loads of the per-row terms.
                while let Some((r, out0)) = outs.next() {
                    match outs.next() {
                        Some((_, out1)) => {
                            kernel.pair(terms, [counts_of(r), counts_of(r + 1)], sums0, sums1);
                            terms.finish(counts_of(r), sums0, settings, out0);
                            terms.finish(counts_of(r + 1), sums1, settings, out1);
                        }
                        None => {
                            weighted_sums_single(terms, counts_of(r), sums0);
                            terms.finish(counts_of(r), sums0, settings, out0);
                        }
                    }
                }
            },
        );
    }

    let alpha = (1.0 - settings.confidence_level) / 2.0;
    let intervals = replicates
        .par_chunks(resamples * stats)
        .map(|per_target| {
            let mut column = vec![0.0; resamples];
            (0..stats)
                .map(|s| {
                    for (value, replicate) in column.iter_mut().zip(per_target.chunks_exact(stats))
                    {
                        *value = replicate[s];
                    }
                    column.sort_unstable_by(f64::total_cmp);
                    (
                        quantile_type7_sorted(&column, alpha),
                        quantile_type7_sorted(&column, 1.0 - alpha),
                    )
                })
                .collect()
        })
        .collect();
    Some(intervals)
}

/// Lanes of the weighted-sum accumulators: sums run over `j ≡ lane (mod LANES)` and are combined
/// in a fixed order. The arithmetic is therefore the same whatever vector instructions the CPU
/// offers (see [`Kernel`]); only its speed differs.
const LANES: usize = 8;

/// Per-row terms of one target, term-major: term w of base row j is `values[w * n + j]`.
/// Terms 0 and 1 are `a + b` and `a² + b²`; factor i has `b d_i`, `d_i`, `d_i²` at 2 + 3i.
/// The number of terms is padded with zero rows to a multiple of 4.
struct RowTerms {
    n: usize,
    factors: usize,
    width: usize,
    values: Vec<f64>,
    /// `y_A,j` if `y_A,j = y_B,j`, else NaN: a resample is constant only if every drawn row is
    /// such a row with one common value.
    pure: Vec<f64>,
    mean: f64,
    variance: f64,
}

impl RowTerms {
    /// Buffers for targets with `n` base rows and `factors` factors.
    fn new(n: usize, factors: usize) -> Self {
        let width = (2 + 3 * factors).div_ceil(4) * 4;
        RowTerms {
            n,
            factors,
            width,
            values: vec![0.0; width * n],
            pure: vec![0.0; n],
            mean: 0.0,
            variance: 0.0,
        }
    }

    /// Fills the buffers with `target`'s terms (the padding rows stay zero).
    fn load(&mut self, target: &BootstrapTarget<'_>) {
        let (n, values) = (self.n, &mut self.values);
        let y = target.outputs;
        let (y_a, y_b) = (&y[..n], &y[n..2 * n]);
        let mu = target.mean;
        for j in 0..n {
            let (a, b) = (y_a[j] - mu, y_b[j] - mu);
            values[j] = a + b;
            values[n + j] = a * a + b * b;
        }
        for i in 0..self.factors {
            let y_ab = &y[(2 + i) * n..(3 + i) * n];
            let base = (2 + 3 * i) * n;
            for j in 0..n {
                let b = y_b[j] - mu;
                let d = y_ab[j] - y_a[j];
                values[base + j] = b * d;
                values[base + n + j] = d;
                values[base + 2 * n + j] = d * d;
            }
        }
        for ((pure, &a), &b) in self.pure.iter_mut().zip(y_a).zip(y_b) {
            *pure = if a == b { a } else { f64::NAN };
        }
        self.mean = mu;
        self.variance = target.variance;
    }

    fn term(&self, w: usize) -> &[f64] {
        &self.values[w * self.n..(w + 1) * self.n]
    }

    /// Whether the rows drawn with multiplicities `counts` all have equal A and B outputs.
    fn resample_is_constant(&self, counts: &[f64]) -> bool {
        let mut common = None;
        for (&count, &value) in counts.iter().zip(&self.pure) {
            if count == 0.0 {
                continue;
            }
            match common {
                _ if value.is_nan() => return false,
                None => common = Some(value),
                Some(c) if c != value => return false,
                Some(_) => {}
            }
        }
        true
    }

    /// Turns one replicate's weighted sums into S_i (`out[..k]`) and ST_i (`out[k..]`).
    fn finish(&self, counts: &[f64], sums: &[f64], settings: &EstimatorSettings, out: &mut [f64]) {
        let m = self.n as f64;
        let (mean_shift, variance) =
            if settings.estimator.reestimates_variance() && !self.resample_is_constant(counts) {
                let shift = sums[0] / (2.0 * m);
                let variance = (sums[1] - sums[0] * shift) / (2.0 * m - 1.0);
                // Rounding can only make a tiny true variance non-positive; keep V then, as for a
                // constant resample.
                if variance > 0.0 {
                    (shift, variance)
                } else {
                    (0.0, self.variance)
                }
            } else {
                (0.0, self.variance)
            };
        // y_B − c = b − (c − μ): the centring offset relative to μ.
        let offset = if settings.estimator.centres_outputs() {
            mean_shift
        } else {
            -self.mean
        };
        let k = self.factors;
        for i in 0..k {
            let (product, step, square) = (sums[2 + 3 * i], sums[3 + 3 * i], sums[4 + 3 * i]);
            out[i] = (product - offset * step) / m / variance;
            out[k + i] = square / (2.0 * m * variance);
        }
    }
}

/// `sums[w] = Σ_j counts[j] · term_w[j]` for every term w.
fn weighted_sums_single(terms: &RowTerms, counts: &[f64], sums: &mut [f64]) {
    for (w, sum) in sums.iter_mut().enumerate() {
        let mut acc = [0.0; LANES];
        let term = terms.term(w);
        let mut chunks_c = counts.chunks_exact(LANES);
        let mut chunks_t = term.chunks_exact(LANES);
        for (c, t) in (&mut chunks_c).zip(&mut chunks_t) {
            for lane in 0..LANES {
                acc[lane] += c[lane] * t[lane];
            }
        }
        let mut tail = 0.0;
        for (c, t) in chunks_c.remainder().iter().zip(chunks_t.remainder()) {
            tail += c * t;
        }
        *sum = combine(acc) + tail;
    }
}

/// Which vector instructions run the weighted sums. Rust never contracts `a * b + c` into a
/// fused multiply-add, and every variant runs the same lane-wise code, so all give bit-identical
/// sums; wider vectors only make them faster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kernel {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Kernel {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Kernel::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Kernel::Avx2;
            }
        }
        Kernel::Portable
    }

    /// [`weighted_sums_single`] for two replicates at once (see [`weighted_sums_pair`]).
    fn pair(self, terms: &RowTerms, counts: [&[f64]; 2], sums0: &mut [f64], sums1: &mut [f64]) {
        match self {
            Kernel::Portable => weighted_sums_pair(terms, counts, sums0, sums1),
            // SAFETY: `detect` chose these variants only after checking that the CPU supports
            // the instructions they are compiled for.
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => unsafe { weighted_sums_pair_avx2(terms, counts, sums0, sums1) },
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => unsafe { weighted_sums_pair_avx512(terms, counts, sums0, sums1) },
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn weighted_sums_pair_avx2(
    terms: &RowTerms,
    counts: [&[f64]; 2],
    sums0: &mut [f64],
    sums1: &mut [f64],
) {
    weighted_sums_pair(terms, counts, sums0, sums1);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn weighted_sums_pair_avx512(
    terms: &RowTerms,
    counts: [&[f64]; 2],
    sums0: &mut [f64],
    sums1: &mut [f64],
) {
    weighted_sums_pair(terms, counts, sums0, sums1);
}

/// [`weighted_sums_single`] for two replicates at once, four terms at a time: each chunk of
/// terms is loaded once for both replicates. Results are identical to two single calls. (The
/// eight accumulators are spelled out: compilers keep them in registers then, not arrays of
/// arrays.)
#[inline(always)]
fn weighted_sums_pair(terms: &RowTerms, counts: [&[f64]; 2], sums0: &mut [f64], sums1: &mut [f64]) {
    let n = terms.n;
    let full = n / LANES * LANES;
    let [counts0, counts1] = counts;
    let (c0, c1) = (&counts0[..full], &counts1[..full]);
    for w in (0..terms.width).step_by(4) {
        let (t0, t1) = (&terms.term(w)[..full], &terms.term(w + 1)[..full]);
        let (t2, t3) = (&terms.term(w + 2)[..full], &terms.term(w + 3)[..full]);
        let (mut a00, mut a01, mut a02, mut a03) =
            ([0.0; LANES], [0.0; LANES], [0.0; LANES], [0.0; LANES]);
        let (mut a10, mut a11, mut a12, mut a13) =
            ([0.0; LANES], [0.0; LANES], [0.0; LANES], [0.0; LANES]);
        for j in (0..full).step_by(LANES) {
            let x: &[f64; LANES] = c0[j..j + LANES].try_into().expect("lane chunk");
            let y: &[f64; LANES] = c1[j..j + LANES].try_into().expect("lane chunk");
            let u0: &[f64; LANES] = t0[j..j + LANES].try_into().expect("lane chunk");
            let u1: &[f64; LANES] = t1[j..j + LANES].try_into().expect("lane chunk");
            let u2: &[f64; LANES] = t2[j..j + LANES].try_into().expect("lane chunk");
            let u3: &[f64; LANES] = t3[j..j + LANES].try_into().expect("lane chunk");
            for l in 0..LANES {
                a00[l] += x[l] * u0[l];
                a01[l] += x[l] * u1[l];
                a02[l] += x[l] * u2[l];
                a03[l] += x[l] * u3[l];
                a10[l] += y[l] * u0[l];
                a11[l] += y[l] * u1[l];
                a12[l] += y[l] * u2[l];
                a13[l] += y[l] * u3[l];
            }
        }
        for (s, (first, second)) in [(a00, a10), (a01, a11), (a02, a12), (a03, a13)]
            .into_iter()
            .enumerate()
        {
            let term = terms.term(w + s);
            let (mut tail0, mut tail1) = (0.0, 0.0);
            for j in full..n {
                tail0 += counts0[j] * term[j];
                tail1 += counts1[j] * term[j];
            }
            sums0[w + s] = combine(first) + tail0;
            sums1[w + s] = combine(second) + tail1;
        }
    }
}

#[inline(always)]
fn combine(acc: [f64; LANES]) -> f64 {
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::sobol::{
        Estimator, PointKind, SaltelliDesign, estimate, test_functions::ishigami,
    };

    /// Ishigami outputs on a Saltelli design, plus an offset that makes a large mean.
    fn ishigami_outputs(n: usize, offset: f64) -> Vec<f64> {
        let design = SaltelliDesign::new(n, vec![1, 1, 1], PointKind::Random, 9).unwrap();
        let mut point = [0.0; 3];
        let pi = std::f64::consts::PI;
        (0..design.run_count())
            .map(|run| {
                design.point(run, &mut point);
                let x = point.map(|u| -pi + 2.0 * pi * u);
                offset + ishigami(x, 7.0, 0.1)
            })
            .collect()
    }

    /// Mean of the A and B outputs.
    fn ab_mean(outputs: &[f64], n: usize) -> f64 {
        outputs[..2 * n].iter().sum::<f64>() / (2 * n) as f64
    }

    fn fused(
        outputs: &[f64],
        n: usize,
        factors: usize,
        settings: &EstimatorSettings,
    ) -> Vec<(f64, f64)> {
        let reference = estimate(
            outputs,
            n,
            &vec!["x"; factors],
            &EstimatorSettings {
                bootstrap_resamples: 0,
                ..settings.clone()
            },
        )
        .unwrap();
        let target = BootstrapTarget {
            outputs,
            mean: ab_mean(outputs, n),
            variance: reference.variance,
        };
        bootstrap_targets(&[target], n, factors, settings)
            .unwrap()
            .remove(0)
    }

    #[test]
    fn fused_bootstrap_reproduces_the_library_intervals() {
        // Odd N exercises the lane tail; 37 replicates an odd pair count.
        let n = 203;
        for offset in [0.0, 30.0] {
            for estimator in [Estimator::Centred, Estimator::Coinr] {
                let outputs = ishigami_outputs(n, offset);
                let settings = EstimatorSettings {
                    estimator,
                    bootstrap_resamples: 37,
                    confidence_level: 0.8,
                    seed: 5,
                };
                let names = ["x1", "x2", "x3"];
                let library = estimate(&outputs, n, &names, &settings).unwrap();
                let ours = fused(&outputs, n, 3, &settings);
                for (i, index) in library.indices.iter().enumerate() {
                    for (got, want) in [
                        (ours[i].0, index.first.lo),
                        (ours[i].1, index.first.hi),
                        (ours[3 + i].0, index.total.lo),
                        (ours[3 + i].1, index.total.hi),
                    ] {
                        assert!(
                            (got - want).abs() < 1e-9,
                            "offset {offset}, {estimator:?}: {got} vs {want}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn nearly_constant_targets_fall_back_like_the_library() {
        // N = 4 rows, one of which differs: many resamples see only constant rows.
        let n = 4;
        // A: 1 1 1 2, B: 1 1 1 1, AB: 1 1 1 1.
        let outputs = [1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let settings = EstimatorSettings {
            bootstrap_resamples: 200,
            ..EstimatorSettings::default()
        };
        let library = estimate(&outputs, n, &["x"], &settings).unwrap();
        let ours = fused(&outputs, n, 1, &settings);
        let index = &library.indices[0];
        assert!((ours[0].0 - index.first.lo).abs() < 1e-12);
        assert!((ours[0].1 - index.first.hi).abs() < 1e-12);
        assert!((ours[1].0 - index.total.lo).abs() < 1e-12);
        assert!((ours[1].1 - index.total.hi).abs() < 1e-12);
    }

    #[test]
    fn pair_kernel_equals_single_kernel() {
        let n = 37;
        let outputs = ishigami_outputs(n, 3.0);
        let target = BootstrapTarget {
            outputs: &outputs,
            mean: ab_mean(&outputs, n),
            variance: 1.0,
        };
        let mut terms = RowTerms::new(n, 3);
        terms.load(&target);
        let c0: Vec<f64> = (0..n).map(|j| (j % 3) as f64).collect();
        let c1: Vec<f64> = (0..n).map(|j| ((j * 7) % 4) as f64).collect();
        let (mut p0, mut p1) = (vec![0.0; terms.width], vec![0.0; terms.width]);
        weighted_sums_pair(&terms, [&c0, &c1], &mut p0, &mut p1);
        let (mut q0, mut q1) = (vec![0.0; terms.width], vec![0.0; terms.width]);
        Kernel::detect().pair(&terms, [&c0, &c1], &mut q0, &mut q1);
        assert_eq!(
            (&p0, &p1),
            (&q0, &q1),
            "the vector kernel must give the same bits"
        );
        let (mut s0, mut s1) = (vec![0.0; terms.width], vec![0.0; terms.width]);
        weighted_sums_single(&terms, &c0, &mut s0);
        weighted_sums_single(&terms, &c1, &mut s1);
        assert_eq!(p0, s0);
        assert_eq!(p1, s1);
        // Term 1 is a² + b²: its weighted sum is positive.
        assert!(s0[1] > 0.0);
    }
}
