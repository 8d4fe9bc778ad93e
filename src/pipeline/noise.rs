//! Data error: each sample perturbs the raw indicator values (measurement error) and draws the
//! imputed ones (multiple imputation), then re-prepares only the columns it touched.
//!
//! The kernels are pure functions of (data, draws): [`perturb_column`] and [`draw_imputed`].
//! A [`NoisePlan`] holds what one index needs to re-run the preparation stages on a perturbed
//! column (denominate → impute → select the kept units → treat → direct → normalise, exactly
//! the operations of [`super::prepare`], so zero noise reproduces the prepared values bit for
//! bit); [`NoisyData`] is one thread's buffer for the result, reused for every sample.
//!
//! Each column's draws come from their own stream, keyed by the sample's coordinate of the
//! column's factor and the column: the draws of a sample do not depend on the thread that runs
//! it or on the other columns, and a Sobol design that changes the factor's coordinate gets a
//! fresh, independent realisation of the error ("seed variable" treatment of a stochastic
//! input: Iooss & Ribatet 2009; Marrel et al. 2012).

mod fastmath;
mod ziggurat;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::impute::{GroupIndex, impute_column_with};
use super::config::Config;
use super::normalise::{NormaliseContext, RankOrder, normalise_column_in_range};
use super::prepare::Prepared;
use super::stats;
use super::treat::treat_column_with;
use crate::model::method::{Imputation, Normalisation};
use crate::model::{Columns, Index};

/// How one cell's error is drawn, given the cell's value x and its standard deviation s.
///
/// - `Normal`: x + s·Z, Z ~ N(0, 1) (the classical measurement-error model, Fuller 1987).
/// - `Uniform`: x + s·√3·(2U − 1), U ~ U(0, 1): uniform on x ± s√3, whose standard deviation
///   is s (a rounding or "±h" error band with h = s√3).
/// - `LogNormal`: x·exp(σZ − σ²/2) with σ² = ln(1 + (s/x)²): positive, mean x and standard
///   deviation s (Limpert, Stahel & Abbt 2001), for quantities that cannot be negative.
///
/// A `range` [lo, hi] truncates the distribution to it: a draw outside is redrawn (rejection
/// from the parent distribution gives exactly the truncated distribution; Robert 1995). After
/// [`MAX_REJECTIONS`] draws outside the range the cell keeps its value, which can happen only
/// when the error is large against the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorDistribution {
    Normal,
    Uniform,
    LogNormal,
}

impl ErrorDistribution {
    pub const SPELLINGS: &'static [&'static str] = &["normal", "uniform", "lognormal"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "normal" => Some(ErrorDistribution::Normal),
            "uniform" => Some(ErrorDistribution::Uniform),
            "lognormal" | "log-normal" => Some(ErrorDistribution::LogNormal),
            _ => None,
        }
    }
}

impl std::fmt::Display for ErrorDistribution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ErrorDistribution::Normal => "normal",
            ErrorDistribution::Uniform => "uniform",
            ErrorDistribution::LogNormal => "lognormal",
        })
    }
}

/// Draws outside a truncation range before a cell keeps its value.
pub const MAX_REJECTIONS: usize = 64;

/// The error of one indicator column, resolved against the index's rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnError {
    /// Indicator (column) index.
    pub indicator: usize,
    pub distribution: ErrorDistribution,
    /// Standard deviation of every cell, indexed by the index's rows (0: exact).
    pub sd: Vec<f64>,
    /// Truncation range in the indicator's raw units.
    pub range: Option<(f64, f64)>,
    /// Coordinate of the sample's point that keys this column's stream.
    pub coordinate: usize,
}

/// Stochastic imputation of one column's missing cells: each is drawn around the value the
/// sample's imputation method fills in (see [`draw_imputed`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ImputationError {
    pub indicator: usize,
    pub coordinate: usize,
}

/// The stream of one column in one sample: keyed by the sample's coordinate u ∈ [0, 1) of the
/// column's factor (its 53 random bits) and the column, so columns and samples never share
/// draws.
pub fn column_stream(u: f64, column: usize, purpose: u64) -> Xoshiro256PlusPlus {
    let key = (u * (1u64 << 53) as f64) as u64;
    let salt = (column as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (purpose << 60);
    Xoshiro256PlusPlus::seed_from_u64(key ^ salt)
}

/// σ and σ²/2 of the log-normal error around `x` with standard deviation `sd`: σ² =
/// ln(1 + (sd/x)²) (see [`ErrorDistribution::LogNormal`]). They depend on the observed value
/// only, so a plan computes them once per cell instead of once per draw.
#[inline]
fn lognormal_shape(x: f64, sd: f64) -> (f64, f64) {
    let ratio = sd / x;
    let variance = (ratio * ratio).ln_1p();
    (variance.sqrt(), 0.5 * variance)
}

/// One draw of the error model around `x` with standard deviation `sd` (see
/// [`ErrorDistribution`]); `sd = 0` returns `x` exactly. `shape` is the cell's
/// [`lognormal_shape`] when it was computed beforehand.
#[inline]
fn draw(
    x: f64,
    sd: f64,
    distribution: ErrorDistribution,
    shape: Option<(f64, f64)>,
    rng: &mut (impl Rng + Clone),
) -> f64 {
    match distribution {
        ErrorDistribution::Normal => {
            let z = ziggurat::standard_normal(rng);
            x + sd * z
        }
        ErrorDistribution::Uniform => {
            let u: f64 = rng.random::<f64>();
            x + sd * 3f64.sqrt() * (2.0 * u - 1.0)
        }
        ErrorDistribution::LogNormal => {
            let z = ziggurat::standard_normal(rng);
            let (sigma, half_variance) = shape.unwrap_or_else(|| lognormal_shape(x, sd));
            x * fastmath::exp(sigma * z - half_variance)
        }
    }
}

/// Perturbs one raw column in place: every present cell with a positive standard deviation is
/// replaced by a draw of `error`'s model (missing cells stay missing). Pure in (x, rng).
#[cfg(any(test, feature = "internals"))]
pub fn perturb_column(x: &mut [f64], error: &ColumnError, rng: &mut (impl Rng + Clone)) {
    perturb_cells(x, error, &[], &mut vec![0.0; x.len()], rng)
}

/// [`perturb_column`] with each cell's [`lognormal_shape`] in `shapes` (empty: computed per
/// draw) and `exponents`, scratch as long as `x`. The same draws in the same order, so the
/// same values bit for bit.
///
/// The common cases have their own loops, with nothing per cell but the draw (inlined, see
/// [`ziggurat`]) and its arithmetic; every other case goes through [`draw`]. A log-normal
/// column draws all its exponents σZ − σ²/2 first and exponentiates them in a second,
/// vectorised pass ([`fastmath`]), so the generator's state stays in registers between draws.
fn perturb_cells<R: Rng + Clone>(
    x: &mut [f64],
    error: &ColumnError,
    shapes: &[(f64, f64)],
    exponents: &mut [f64],
    stream: &mut R,
) {
    // Each fast loop draws from a copy of the generator that nothing else points to, so its
    // state stays in registers; drawing from `stream` itself, whose address goes to the
    // general case's calls, kept the state on the stack (a load and a store per draw).
    let mut rng = stream.clone();
    match (error.distribution, error.range) {
        (ErrorDistribution::Normal, None) => {
            for (value, &sd) in x.iter_mut().zip(&error.sd) {
                if value.is_nan() || sd <= 0.0 {
                    continue;
                }
                let z = ziggurat::standard_normal(&mut rng);
                *value += sd * z;
            }
        }
        (ErrorDistribution::Normal, Some((lo, hi))) => {
            // `draw`'s normal arm inside the rejection loop of the general case below.
            for (value, &sd) in x.iter_mut().zip(&error.sd) {
                if value.is_nan() || sd <= 0.0 {
                    continue;
                }
                let observed = *value;
                for _ in 0..MAX_REJECTIONS {
                    let candidate = observed + sd * ziggurat::standard_normal(&mut rng);
                    if (lo..=hi).contains(&candidate) {
                        *value = candidate;
                        break;
                    }
                }
            }
        }
        (ErrorDistribution::LogNormal, None) if shapes.len() == x.len() => {
            let cells = x.iter().zip(&error.sd).zip(shapes);
            for (((&value, &sd), &(sigma, half_variance)), e) in cells.zip(exponents.iter_mut()) {
                // A cell left as it is gets exponent 0: x·e⁰ is x bit for bit (and an
                // exponent drawn as exactly 0 leaves x as well), so the second pass skips it.
                *e = if value.is_nan() || sd <= 0.0 {
                    0.0
                } else {
                    sigma * ziggurat::standard_normal(&mut rng) - half_variance
                };
            }
            fastmath::scale_by_exp(x, exponents);
        }
        _ => return perturb_general(x, error, shapes, stream),
    }
    *stream = rng;
}

/// [`perturb_cells`] for the cases without a loop of their own: each draw through [`draw`].
#[inline(never)]
fn perturb_general(
    x: &mut [f64],
    error: &ColumnError,
    shapes: &[(f64, f64)],
    rng: &mut (impl Rng + Clone),
) {
    for (row, (value, &sd)) in x.iter_mut().zip(&error.sd).enumerate() {
        if value.is_nan() || sd <= 0.0 {
            continue;
        }
        let observed = *value;
        let shape = shapes.get(row).copied();
        *value = match error.range {
            None => draw(observed, sd, error.distribution, shape, rng),
            Some((lo, hi)) => {
                let mut kept = observed;
                for _ in 0..MAX_REJECTIONS {
                    let candidate = draw(observed, sd, error.distribution, shape, rng);
                    if (lo..=hi).contains(&candidate) {
                        kept = candidate;
                        break;
                    }
                }
                kept
            }
        };
    }
}

/// [`stats::min_max`] of `x`, bit for bit, in four independent lanes so the compares do not
/// wait on each other. Each lane starts at ±∞ and keeps the first of equal values (a missing
/// value compares false and is skipped); no present value at all leaves the bounds crossed,
/// which is (NaN, NaN). The lanes' bounds are the column's, and their values are the
/// sequential ones, except for the sign of a zero bound: the sequential scan keeps the first
/// zero it meets, so a zero bound takes that zero's sign.
fn range_of(x: &[f64]) -> (f64, f64) {
    let (mut lo, mut hi) = ([f64::INFINITY; 4], [f64::NEG_INFINITY; 4]);
    let chunks = x.chunks_exact(4);
    let rest = chunks.remainder();
    for chunk in chunks {
        for k in 0..4 {
            let v = chunk[k];
            lo[k] = if v < lo[k] { v } else { lo[k] };
            hi[k] = if v > hi[k] { v } else { hi[k] };
        }
    }
    for &v in rest {
        lo[0] = if v < lo[0] { v } else { lo[0] };
        hi[0] = if v > hi[0] { v } else { hi[0] };
    }
    let lo = lo.into_iter().fold(f64::INFINITY, |m, v| if v < m { v } else { m });
    let hi = hi.into_iter().fold(f64::NEG_INFINITY, |m, v| if v > m { v } else { m });
    if lo > hi {
        return (f64::NAN, f64::NAN);
    }
    let first_zero = || x.iter().copied().find(|&v| v == 0.0).unwrap_or(0.0);
    let lo = if lo == 0.0 { first_zero() } else { lo };
    let hi = if hi == 0.0 { first_zero() } else { hi };
    (lo, hi)
}

/// Whether `error` moves any cell of `raw`: a present value with a positive (or undefined)
/// standard deviation. A column it does not move is left out of the plan, since re-preparing
/// it would give its prepared values bit for bit.
fn moves_any(raw: &[f64], error: &ColumnError) -> bool {
    raw.iter()
        .zip(&error.sd)
        .any(|(x, &sd)| !x.is_nan() && (sd > 0.0 || sd.is_nan()))
}

/// The spread of an imputed value: the standard deviation of the observed values of the
/// unit's group (all units for a method without groups), s, inflated to s·√(1 + 1/n) for the
/// uncertainty of the group's centre estimated from n values. This is the normal form of the
/// posterior predictive distribution of a new value from the group under the normal model
/// with a flat prior (Gelman et al., Bayesian Data Analysis, 3rd ed. §3.2: t_{n−1} with scale
/// s√(1 + 1/n), whose normal approximation is used here); drawing the missing value from it
/// in every sample is multiple imputation (Rubin 1987) in Monte Carlo form, with as many
/// imputations as samples. Groups with fewer than two observed values give no spread (the
/// imputed value stays fixed).
pub fn imputation_spread(observed: &[f64]) -> f64 {
    let n = stats::count_present(observed);
    if n < 2 {
        return 0.0;
    }
    let s = stats::sample_sd(observed);
    if s.is_finite() {
        s * (1.0 + 1.0 / n as f64).sqrt()
    } else {
        0.0
    }
}

/// Draws the imputed cells of a column: `filled` holds the column after deterministic
/// imputation, `observed` the same column before it (NaN where missing), `groups[u]` the group
/// index of row u (`None`: one group of all rows), `spreads[g]` each group's
/// [`imputation_spread`] (filled here). Every cell missing in `observed` and filled in
/// `filled` becomes filled + spread·Z, Z ~ N(0, 1).
pub fn draw_imputed(
    filled: &mut [f64],
    observed: &[f64],
    groups: Option<&GroupIndex>,
    spreads: &mut [f64],
    group_values: &mut Vec<f64>,
    rng: &mut (impl Rng + Clone),
) {
    match groups {
        None => spreads[0] = imputation_spread(observed),
        Some(index) => {
            for (g, spread) in spreads.iter_mut().enumerate().take(index.n_groups) {
                group_values.clear();
                group_values.extend(
                    observed
                        .iter()
                        .zip(&index.of_row)
                        .filter(|(_, r)| **r == Some(g))
                        .map(|(v, _)| *v),
                );
                *spread = imputation_spread(group_values);
            }
        }
    }
    for (u, (value, &before)) in filled.iter_mut().zip(observed).enumerate() {
        if !before.is_nan() || value.is_nan() {
            continue;
        }
        let spread = match groups {
            None => spreads[0],
            Some(index) => match index.of_row[u] {
                Some(g) => spreads[g],
                None => 0.0,
            },
        };
        let z = ziggurat::standard_normal(rng);
        if spread > 0.0 {
            *value += spread * z;
        }
    }
}

/// What re-preparing one data variant needs.
#[derive(Debug, Clone)]
struct VariantInputs {
    groups: Option<GroupIndex>,
    contexts: Vec<NormaliseContext>,
}

/// One column a sample re-prepares, with what does not change between samples looked up once.
#[derive(Debug, Clone)]
struct TouchedColumn {
    column: usize,
    /// Position of its error in `NoisePlan::errors`.
    error: Option<usize>,
    /// Position of its stochastic imputation in `NoisePlan::imputations`.
    imputation: Option<usize>,
    /// Each row's [`lognormal_shape`] for a log-normal error (empty otherwise): the shape
    /// depends on the observed value only.
    shapes: Vec<(f64, f64)>,
}

/// Everything a sample needs to perturb and re-prepare the columns with data error.
#[derive(Debug, Clone)]
pub struct NoisePlan {
    errors: Vec<ColumnError>,
    imputations: Vec<ImputationError>,
    /// Columns a sample re-prepares, ascending.
    touched: Vec<TouchedColumn>,
    /// Columns no sample changes: the only ones copied from a variant when it changes.
    untouched: Vec<usize>,
    /// Raw values of every index row (before denomination).
    raw: Columns,
    /// Denominator of each indicator, when the nominal method denominates.
    denominators: Vec<Option<Vec<f64>>>,
    unit_rows: Vec<usize>,
    /// Whether `unit_rows` is every row in order (nothing screened out): the kept values are
    /// then the column itself.
    every_row_kept: bool,
    variants: Vec<VariantInputs>,
}

impl NoisePlan {
    /// A plan for `errors` and `imputations` on the variants of `prepared` (built from `index`).
    pub fn new(
        index: &Index,
        prepared: &Prepared,
        errors: Vec<ColumnError>,
        imputations: Vec<ImputationError>,
    ) -> Self {
        // An error that moves no cell (zero spread, or every cell missing) re-prepares nothing.
        let moving = |e: &ColumnError| moves_any(index.raw.col(e.indicator), e);
        let mut columns: Vec<usize> = errors
            .iter()
            .filter(|e| moving(e))
            .map(|e| e.indicator)
            .chain(imputations.iter().map(|e| e.indicator))
            .collect();
        columns.sort_unstable();
        columns.dedup();
        let touched = columns
            .iter()
            .map(|&j| {
                let error = errors
                    .iter()
                    .position(|e| e.indicator == j)
                    .filter(|&e| moving(&errors[e]));
                let shapes = match error.map(|e| &errors[e]) {
                    Some(e) if e.distribution == ErrorDistribution::LogNormal => index
                        .raw
                        .col(j)
                        .iter()
                        .zip(&e.sd)
                        .map(|(&x, &sd)| lognormal_shape(x, sd))
                        .collect(),
                    _ => Vec::new(),
                };
                TouchedColumn {
                    column: j,
                    error,
                    imputation: imputations.iter().position(|e| e.indicator == j),
                    shapes,
                }
            })
            .collect();
        let untouched = (0..index.framework.n_indicators())
            .filter(|j| columns.binary_search(j).is_err())
            .collect();
        let denominators = index
            .framework
            .indicators
            .iter()
            .map(|info| match (index.nominal.denominate, info.denominator) {
                (true, Some(d)) => Some(index.denominators[d].values.clone()),
                _ => None,
            })
            .collect();
        let variants = prepared
            .variants
            .iter()
            .map(|variant| VariantInputs {
                groups: variant
                    .spec
                    .imputation
                    .group_column()
                    .and_then(|c| index.group(c))
                    .map(|g| GroupIndex::of(&g.values)),
                contexts: super::prepare::normalise_contexts(
                    index,
                    &prepared.units,
                    &variant.spec.normalisation,
                ),
            })
            .collect();
        NoisePlan {
            errors,
            imputations,
            touched,
            untouched,
            raw: index.raw.clone(),
            denominators,
            unit_rows: prepared.unit_rows.clone(),
            every_row_kept: prepared.unit_rows.iter().copied().eq(0..index.raw.n_rows()),
            variants,
        }
    }

    /// The columns a sample re-prepares.
    #[cfg(any(test, feature = "internals"))]
    pub fn touched(&self) -> Vec<usize> {
        self.touched.iter().map(|t| t.column).collect()
    }

    /// Whether the plan changes anything at all.
    #[cfg(any(test, feature = "internals"))]
    pub fn is_empty(&self) -> bool {
        self.touched.is_empty()
    }

    /// Perturbs and re-prepares the touched columns for one sample of `config` (its data
    /// variant and weights), writing the whole variant into `out` (untouched columns copied
    /// from `prepared` when the variant changes). `u` is the sample's point. A perturbed
    /// column that cannot be normalised (it came out constant) or that a geometric mean could
    /// not take the logarithm of keeps its unperturbed values in this sample.
    ///
    /// An indicator at zero weight in `config` (left out of this sample) is skipped: every
    /// aggregation kernel drops a zero-weight child without reading it, and each column draws
    /// from its own stream, so skipping it changes no other value.
    ///
    /// `needs_logs`: whether the sample aggregates geometrically. Without it the touched
    /// columns' logarithms are not computed (`out.logs` is then stale for them and must not be
    /// read); whether they could be taken is still checked, so the values do not depend on it.
    pub fn apply(
        &self,
        prepared: &Prepared,
        config: &Config,
        u: &[f64],
        needs_logs: bool,
        out: &mut NoisyData,
    ) {
        let variant = config.variant;
        let source = &prepared.variants[variant];
        if out.variant != Some(variant) {
            for &j in &self.untouched {
                out.normalised
                    .col_mut(j)
                    .copy_from_slice(source.normalised.col(j));
            }
            // The buffer for logarithms is kept when a variant has none, so switching
            // between variants allocates only the first time.
            out.has_logs = source.logs.is_some();
            match (&source.logs, &mut out.logs) {
                (Some(logs), Some(target)) => {
                    for &j in &self.untouched {
                        target.col_mut(j).copy_from_slice(logs.col(j));
                    }
                }
                (Some(logs), None) => out.logs = Some(logs.clone()),
                (None, _) => {}
            }
            out.has_missing = source.has_missing;
            out.variant = Some(variant);
        }
        let inputs = &self.variants[variant];
        let spec = &source.spec;
        // Indicators are the framework's first nodes, so `config.weights[j]` is indicator j's.
        for touched in self.touched.iter().filter(|t| config.weights[t.column] != 0.0) {
            let j = touched.column;
            let column = &mut out.column;
            column.copy_from_slice(self.raw.col(j));
            if let Some(e) = touched.error {
                let error = &self.errors[e];
                let mut rng = column_stream(u[error.coordinate], j, 0);
                perturb_cells(
                    column,
                    error,
                    &touched.shapes,
                    &mut out.exponents,
                    &mut rng,
                );
            }
            if let Some(denominator) = &self.denominators[j] {
                for (x, &d) in column.iter_mut().zip(denominator) {
                    *x /= d;
                }
            }
            let stochastic = touched.imputation.map(|i| &self.imputations[i]);
            // Without a missing cell both imputations leave the column as it is (and draw
            // nothing): skip their passes over the groups.
            let missing =
                spec.imputation != Imputation::None && stats::any_missing(column);
            if stochastic.is_some() && missing {
                out.observed.copy_from_slice(column);
            }
            if missing {
                impute_column_with(
                    column,
                    &spec.imputation,
                    inputs.groups.as_ref(),
                    &mut out.sorted,
                );
            }
            if let Some(imputation) = stochastic
                && missing
            {
                let mut rng = column_stream(u[imputation.coordinate], j, 1);
                draw_imputed(
                    column,
                    &out.observed,
                    inputs.groups.as_ref(),
                    &mut out.spreads,
                    &mut out.group_values,
                    &mut rng,
                );
            }
            let context = &inputs.contexts[j];
            let direction = context.direction;
            // Without a treatment the range of the kept units' directed values is taken here
            // (see `range_of`), which spares normalisation its own pass.
            let range = match &spec.treatment {
                Some(treatment) => {
                    for (k, &row) in self.unit_rows.iter().enumerate() {
                        out.kept[k] = column[row];
                    }
                    treat_column_with(&mut out.kept, treatment, &mut out.original);
                    for x in out.kept.iter_mut() {
                        *x *= direction;
                    }
                    None
                }
                None => {
                    if self.every_row_kept {
                        for (kept, &x) in out.kept.iter_mut().zip(column.iter()) {
                            *kept = x * direction;
                        }
                    } else {
                        for (kept, &row) in out.kept.iter_mut().zip(&self.unit_rows) {
                            *kept = column[row] * direction;
                        }
                    }
                    Some(range_of(&out.kept))
                }
            };
            let target = out.normalised.col_mut(j);
            let normalised = normalise_column_in_range(
                &out.kept,
                range,
                &spec.normalisation,
                context,
                target,
                &mut out.orders[j],
            )
            .is_ok();
            // One pass for both checks: no infinite value, and (for a variant with
            // logarithms) every present value positive. A missing cell stays missing (its
            // logarithm is NaN, as in the noiseless preparation): it must not count as
            // non-positive, or every column with a gap would silently lose its data error.
            let (mut finite, mut positive) = (true, true);
            for &v in target.iter() {
                finite &= !v.is_infinite();
                positive &= v.is_nan() || v > 0.0;
            }
            let logs = out.logs.as_mut().filter(|_| out.has_logs);
            let ok = normalised && finite && (logs.is_none() || positive);
            match logs {
                Some(logs) if ok && needs_logs => {
                    let logs = logs.col_mut(j);
                    if matches!(spec.normalisation, Normalisation::Rank) {
                        // Ranks are whole numbers 1..=n: their logarithms are looked up
                        // (computed by the same `ln`, so the same bits).
                        let table = &out.log_ranks;
                        for (l, &v) in logs.iter_mut().zip(target.iter()) {
                            let k = v as usize;
                            *l = match table.get(k) {
                                Some(&log) if k as f64 == v => log,
                                _ => v.ln(),
                            };
                        }
                    } else if let Some(source_logs) = &source.logs {
                        fastmath::ln_unless_nominal(
                            logs,
                            target,
                            source.normalised.col(j),
                            source_logs.col(j),
                        );
                    }
                }
                _ => {}
            }
            if !ok {
                out.normalised
                    .col_mut(j)
                    .copy_from_slice(source.normalised.col(j));
                if let (Some(logs), Some(source_logs)) = (&mut out.logs, &source.logs) {
                    logs.col_mut(j).copy_from_slice(source_logs.col(j));
                }
            }
        }
    }
}

/// One thread's perturbed data variant and work buffers, reused for every sample.
#[derive(Debug, Clone)]
pub struct NoisyData {
    pub normalised: Columns,
    /// Logarithms of `normalised`, meaningful only when `has_logs` (see [`NoisyData::logs`]).
    logs: Option<Columns>,
    has_logs: bool,
    pub has_missing: bool,
    /// The variant `normalised` was last filled from (its untouched columns are current).
    variant: Option<usize>,
    column: Vec<f64>,
    /// A log-normal column's exponents (see `perturb_cells`).
    exponents: Vec<f64>,
    observed: Vec<f64>,
    kept: Vec<f64>,
    spreads: Vec<f64>,
    group_values: Vec<f64>,
    /// Scratch of the stages, so a sample allocates nothing: the values of an imputation's
    /// group or column, a treated column's original values.
    sorted: Vec<f64>,
    original: Vec<f64>,
    /// ln k for k = 0..=n (n units): the logarithms of rank-normalised values.
    log_ranks: Vec<f64>,
    /// Each column's last rank order: a rank normalisation starts from it, so re-ranking a
    /// slightly perturbed column costs a few moves (see [`RankOrder`]).
    orders: Vec<RankOrder>,
}

impl NoisyData {
    /// Logarithms of `normalised`, when the variant has them (every value positive). After
    /// [`NoisePlan::apply`] without `needs_logs`, the touched columns' are stale.
    pub fn logs(&self) -> Option<&Columns> {
        self.logs.as_ref().filter(|_| self.has_logs)
    }

    pub fn new(prepared: &Prepared, index_rows: usize) -> Self {
        let n = prepared.n_units();
        let m = prepared.framework.n_indicators();
        NoisyData {
            normalised: Columns::filled(n, m, f64::NAN),
            logs: None,
            has_logs: false,
            has_missing: false,
            variant: None,
            column: vec![0.0; index_rows],
            exponents: vec![0.0; index_rows],
            observed: vec![0.0; index_rows],
            kept: vec![0.0; n],
            spreads: vec![0.0; index_rows.max(1)],
            group_values: Vec::with_capacity(index_rows),
            sorted: Vec::with_capacity(index_rows),
            original: Vec::with_capacity(n),
            log_ranks: (0..=n).map(|k| (k as f64).ln()).collect(),
            orders: vec![RankOrder::default(); m],
        }
    }
}

impl NoisePlan {
    /// A buffer sized for this plan: rank orders only for the columns it touches.
    pub fn buffer(&self, prepared: &Prepared) -> NoisyData {
        let mut data = NoisyData::new(prepared, self.raw.n_rows());
        for touched in &self.touched {
            data.orders[touched.column] = RankOrder::with_capacity(prepared.n_units());
        }
        data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The four-lane range is `stats::min_max` bit for bit: gaps, infinities, a column with
    /// nothing present, and zero bounds whose sign is the first zero's.
    #[test]
    fn the_lane_range_is_min_max() {
        let nan = f64::NAN;
        let columns: [&[f64]; 9] = [
            &[3.0, -1.0, nan, 7.5, 2.0, -1.0, 9.0, 0.5, 4.0],
            &[nan, nan, nan],
            &[],
            &[5.0, -0.0, 3.0, 0.0, 2.0, 0.0],
            &[5.0, 0.0, 3.0, -0.0, 2.0, -0.0],
            &[-5.0, -0.0, -3.0, 0.0, nan, -2.0],
            &[-5.0, 0.0, -3.0, -0.0, -2.0],
            &[f64::INFINITY, nan, 1.0, f64::NEG_INFINITY, 2.0],
            &[f64::INFINITY],
        ];
        for x in columns {
            let (lo, hi) = range_of(x);
            let (mlo, mhi) = stats::min_max(x);
            assert_eq!((lo.to_bits(), hi.to_bits()), (mlo.to_bits(), mhi.to_bits()), "{x:?}");
        }
    }
}
