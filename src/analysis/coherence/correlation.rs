//! Correlation structure: Pearson and Spearman correlations along the framework, with
//! pairwise-complete missing values, two-sided p-values and the audit flags.
//!
//! Conventions follow COINr 1.1.14 (`get_corr`, `get_corr_flags`, both calling R's
//! `stats::cor(..., use = "pairwise.complete.obs")`): each pair of columns uses the units where
//! both are present, and its means, deviations (Pearson) or ranks (Spearman) are computed on
//! those units only.

use serde::Serialize;
use std::sync::OnceLock;

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Which correlation coefficient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Pearson's product-moment correlation.
    Pearson,
    /// Spearman's ρ: Pearson's r of the ranks, ties given their average rank (R `rank`,
    /// `ties.method = "average"`), as R's `cor(method = "spearman")` computes it.
    Spearman,
}

impl Method {
    pub const ALL: [Method; 2] = [Method::Pearson, Method::Spearman];

    pub fn name(self) -> &'static str {
        match self {
            Method::Pearson => "pearson",
            Method::Spearman => "spearman",
        }
    }
}

/// A correlation and the number of units it rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The coefficient; `None` when fewer than 3 complete pairs or a column is constant on them.
    pub r: Option<f64>,
    /// Units where both values are present.
    pub n: usize,
    /// Whether either column has tied values on those units (Spearman's exact null
    /// distribution assumes none).
    pub ties: bool,
}

impl Estimate {
    /// Two-sided p-value of H0: ρ = 0, as R's `cor.test` computes it by default.
    ///
    /// Pearson, and Spearman with ties or more than 1290 units: t = r √(n − 2) / √(1 − r²)
    /// with n − 2 degrees of freedom (for Spearman, `cor.test(exact = FALSE)`'s
    /// t-approximation, which R falls back to with ties). Spearman without ties: the null
    /// distribution of S = Σ d² = (n³ − n)(1 − ρ)/6 by [`spearman_s_tail`], exact for n ≤ 9.
    pub fn p_value(&self, method: Method) -> Option<f64> {
        let r = self.r?;
        if self.n < 3 {
            return None;
        }
        if method == Method::Spearman && !self.ties && self.n <= SPEARMAN_S_MAX_N {
            return Some(spearman_p_value(r, self.n));
        }
        let df = (self.n - 2) as f64;
        if r.abs() >= 1.0 {
            return Some(0.0);
        }
        let t = r * (df / (1.0 - r * r)).sqrt();
        let dist = StudentsT::new(0.0, 1.0, df).ok()?;
        Some((2.0 * (1.0 - dist.cdf(t.abs()))).clamp(0.0, 1.0))
    }
}

/// Largest n for which R's `cor.test` uses the distribution of S (`n * (n^2 - 1)` does not
/// overflow); above it, the t-approximation.
const SPEARMAN_S_MAX_N: usize = 1290;

/// Largest n whose null distribution of S is enumerated exactly (R's `prho.c`, `n_small`).
const SPEARMAN_EXACT_MAX_N: usize = 9;

/// Two-sided p-value of Spearman's ρ on n units without ties, R's `cor.test(method =
/// "spearman")`: with q = (n³ − n)(1 − ρ)/6, the tail of S on q's side, P(S ≥ q) when q is
/// above its mean (n³ − n)/6, else P(S ≤ q) (S is even, so P(S < round(q) + 2)), doubled
/// and capped at 1.
pub fn spearman_p_value(rho: f64, n: usize) -> f64 {
    let nf = n as f64;
    let q = (nf * nf * nf - nf) * (1.0 - rho) / 6.0;
    let p = if q > (nf * nf * nf - nf) / 6.0 {
        spearman_s_tail(n, q.round(), false)
    } else {
        spearman_s_tail(n, q.round() + 2.0, true)
    };
    (2.0 * p).min(1.0)
}

/// Algorithm AS 89 (Best & Roberts 1975, "The upper tail probabilities of Spearman's rho",
/// *Applied Statistics* 24(3), 377–379) as R's `prho.c` implements it: P(S ≥ s), or
/// P(S < s) when `lower`, for S = Σ (i − π(i))² over the n! equally likely permutations π
/// (the null distribution of Spearman's S without ties). Exact by enumeration for
/// n ≤ 9; above, the Edgeworth series expansion of AS 89 with its published coefficients.
pub fn spearman_s_tail(n: usize, s: f64, lower: bool) -> f64 {
    let below = if lower { 0.0 } else { 1.0 };
    if n <= 1 || s <= 0.0 {
        return below;
    }
    let nf = n as f64;
    let max = nf * (nf * nf - 1.0) / 3.0;
    if s > max {
        return 1.0 - below;
    }
    if n <= SPEARMAN_EXACT_MAX_N {
        let counts = exact_s_counts(n);
        let total: u64 = counts.iter().sum();
        // counts[k] is the number of permutations with S = 2k.
        let at_least: u64 = counts
            .iter()
            .enumerate()
            .filter(|&(k, _)| (2 * k) as f64 >= s)
            .map(|(_, &c)| c)
            .sum();
        let count = if lower { total - at_least } else { at_least };
        return count as f64 / total as f64;
    }
    const C: [f64; 12] = [
        0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932, 0.0879, 0.0151, 0.0072, 0.0831, 0.0131,
        4.6e-4,
    ];
    let b = 1.0 / nf;
    // ≈ −ρ √(n − 1), standard normal under H0.
    let x = (6.0 * (s - 1.0) * b / (nf * nf - 1.0) - 1.0) * (nf - 1.0).sqrt();
    let y = x * x;
    let u = x
        * b
        * (C[0]
            + b * (C[1] + C[2] * b)
            + y * (-C[3] + b * (C[4] + C[5] * b)
                - y * b * (C[6] + C[7] * b - y * (C[8] - C[9] * b + y * b * (C[10] - C[11] * y)))));
    let correction = u / (y / 2.0).exp();
    let normal = Normal::new(0.0, 1.0).expect("the standard normal exists");
    let p = if lower {
        normal.cdf(x) - correction
    } else {
        normal.sf(x) + correction
    };
    p.clamp(0.0, 1.0)
}

/// The number of permutations of 1..=n with each value of S = Σ (i − π(i))², indexed by
/// S/2 (S is always even), enumerated once per n and kept.
fn exact_s_counts(n: usize) -> &'static [u64] {
    static CACHE: [OnceLock<Vec<u64>>; SPEARMAN_EXACT_MAX_N + 1] =
        [const { OnceLock::new() }; SPEARMAN_EXACT_MAX_N + 1];
    CACHE[n].get_or_init(|| {
        let max_half = n * (n * n - 1) / 6;
        let mut counts = vec![0u64; max_half + 1];
        fn place(n: usize, position: usize, used: u32, s: usize, counts: &mut [u64]) {
            if position == n {
                counts[s / 2] += 1;
                return;
            }
            for value in 0..n {
                if used & (1 << value) == 0 {
                    let d = position.abs_diff(value);
                    place(n, position + 1, used | (1 << value), s + d * d, counts);
                }
            }
        }
        place(n, 0, 0, 0, &mut counts);
        counts
    })
}

/// The units where both columns are present.
fn complete_pairs(x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>) {
    x.iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(&a, &b)| (a, b))
        .unzip()
}

/// Pearson's r of two complete columns: Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)² Σ(y − ȳ)²).
/// `None` if a column is constant (the coefficient is undefined, R returns NA).
fn pearson_complete(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

/// Ranks 1..n, ties sharing their average rank (R `rank(ties.method = "average")`).
#[cfg(any(test, feature = "internals"))]
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    ranks_and_ties(x).0
}

/// [`average_ranks`] and whether any two values are tied.
fn ranks_and_ties(x: &[f64]) -> (Vec<f64>, bool) {
    let mut ties = false;
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; x.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && x[order[end]] == x[order[start]] {
            end += 1;
        }
        // Positions start..end hold ranks start+1..=end; their average:
        let rank = (start + 1 + end) as f64 / 2.0;
        ties |= end - start > 1;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
    (ranks, ties)
}

/// The correlation of two columns (NaN = missing) on their complete pairs.
pub fn correlate(method: Method, x: &[f64], y: &[f64]) -> Estimate {
    let (a, b) = complete_pairs(x, y);
    let n = a.len();
    if n < 3 {
        return Estimate {
            r: None,
            n,
            ties: false,
        };
    }
    match method {
        Method::Pearson => Estimate {
            r: pearson_complete(&a, &b),
            n,
            ties: false,
        },
        Method::Spearman => {
            let (rank_a, ties_a) = ranks_and_ties(&a);
            let (rank_b, ties_b) = ranks_and_ties(&b);
            Estimate {
                r: pearson_complete(&rank_a, &rank_b),
                n,
                ties: ties_a || ties_b,
            }
        }
    }
}

/// How the two nodes of a correlation sit in the framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// `y` is `x`'s parent.
    Parent,
    /// `y` is an ancestor of `x` above its parent, but not the index.
    Ancestor,
    /// `y` is the index (and not `x`'s parent).
    Index,
    /// `y` is an aggregate on the level of `x`'s parent, not its parent: the comparison the
    /// "closer to another dimension" flag rests on.
    OtherGroup,
    /// `x` and `y` are children of the same aggregate.
    Siblings,
}

impl Relation {
    pub fn name(self) -> &'static str {
        match self {
            Relation::Parent => "parent",
            Relation::Ancestor => "ancestor",
            Relation::Index => "index",
            Relation::OtherGroup => "other_group",
            Relation::Siblings => "siblings",
        }
    }
}

/// An audit flag on one correlation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Negative correlation with the parent: the node pulls its aggregate the wrong way.
    Negative,
    /// Positive but below [`Thresholds::weak`] with the parent: it adds little to its aggregate.
    Weak,
    /// Siblings correlated above [`Thresholds::collinear`]: double counting.
    Collinear,
    /// The node correlates more with this other group than with its own parent.
    CloserElsewhere,
    /// Not significant at [`Thresholds::significance`] (COINr's `get_corr` shows these as NA).
    NotSignificant,
}

impl Flag {
    pub fn name(self) -> &'static str {
        match self {
            Flag::Negative => "negative",
            Flag::Weak => "weak",
            Flag::Collinear => "collinear",
            Flag::CloserElsewhere => "closer_elsewhere",
            Flag::NotSignificant => "not_significant",
        }
    }
}

/// The thresholds of the flags.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    /// Correlations with the parent in [0, weak) are weak. 0.3 is the JRC audits' threshold
    /// for a weak indicator-to-pillar correlation (e.g. Saisana & Saltelli, JRC statistical
    /// audits of the Global Innovation Index; OECD/JRC Handbook 2008 §5.1).
    pub weak: f64,
    /// Sibling correlations above this are collinear: COINr `get_corr_flags` default
    /// `cor_thresh = 0.9`, `thresh_type = "high"`, within the parent group.
    pub collinear: f64,
    /// Significance level of the p-value flag: COINr `get_corr` default `pval = 0.05`.
    pub significance: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            weak: 0.3,
            collinear: 0.9,
            significance: 0.05,
        }
    }
}

/// One correlation of the audit, `x` below or beside `y` in the framework.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    pub method: Method,
    pub relation: Relation,
    /// Node indices (framework storage order).
    pub x: usize,
    pub y: usize,
    pub estimate: Estimate,
    pub p_value: Option<f64>,
    pub flags: Vec<Flag>,
}

/// Every correlation the audit reports, both methods, in framework order: for each node
/// (indicators first, then aggregates bottom-up), its correlations with its parent, its other
/// ancestors and the index, with the other aggregates of its parent's level, then for each
/// aggregate the pairs of its children.
///
/// `values[node]` are the node's values per unit (normalised indicators, aggregate scores),
/// NaN where missing.
pub fn correlations(
    framework: &crate::model::Framework,
    values: &[Vec<f64>],
    thresholds: &Thresholds,
) -> Vec<Correlation> {
    let mut out = Vec::new();
    // The ranks of every column without missing values, computed once: a pair of such columns
    // has all units as its complete pairs, so these are its ranks too.
    let ranks: Vec<Option<(Vec<f64>, bool)>> = values
        .iter()
        .map(|v| (!v.iter().any(|x| x.is_nan())).then(|| ranks_and_ties(v)))
        .collect();
    for method in Method::ALL {
        let start = out.len();
        for x in 0..framework.n_nodes() {
            let Some(parent) = framework.nodes[x].parent else {
                continue;
            };
            let mut ancestor = Some(parent);
            while let Some(y) = ancestor {
                let relation = if y == parent {
                    Relation::Parent
                } else if y == framework.top {
                    Relation::Index
                } else {
                    Relation::Ancestor
                };
                out.push(entry(method, relation, x, y, values, &ranks));
                ancestor = framework.nodes[y].parent;
            }
            let level = framework.nodes[parent].level;
            for y in framework.level_nodes(level) {
                if y != parent {
                    out.push(entry(method, Relation::OtherGroup, x, y, values, &ranks));
                }
            }
        }
        for parent in framework.aggregates() {
            let children = &framework.nodes[parent].children;
            for (i, &a) in children.iter().enumerate() {
                for &b in &children[i + 1..] {
                    out.push(entry(method, Relation::Siblings, a, b, values, &ranks));
                }
            }
        }
        flag(&mut out[start..], thresholds);
    }
    out
}

fn entry(
    method: Method,
    relation: Relation,
    x: usize,
    y: usize,
    values: &[Vec<f64>],
    ranks: &[Option<(Vec<f64>, bool)>],
) -> Correlation {
    let estimate = match (method, &ranks[x], &ranks[y]) {
        (Method::Spearman, Some((rank_x, ties_x)), Some((rank_y, ties_y))) if rank_x.len() >= 3 => {
            Estimate {
                r: pearson_complete(rank_x, rank_y),
                n: rank_x.len(),
                ties: *ties_x || *ties_y,
            }
        }
        _ => correlate(method, &values[x], &values[y]),
    };
    Correlation {
        method,
        relation,
        x,
        y,
        estimate,
        p_value: estimate.p_value(method),
        flags: Vec::new(),
    }
}

/// Sets the flags of one method's correlations.
fn flag(entries: &mut [Correlation], thresholds: &Thresholds) {
    // r with its own parent, per node, for the "closer elsewhere" comparison.
    let own: Vec<(usize, f64)> = entries
        .iter()
        .filter(|c| c.relation == Relation::Parent)
        .filter_map(|c| Some((c.x, c.estimate.r?)))
        .collect();
    for c in entries.iter_mut() {
        let Some(r) = c.estimate.r else { continue };
        if c.p_value.is_some_and(|p| p > thresholds.significance) {
            c.flags.push(Flag::NotSignificant);
        }
        match c.relation {
            Relation::Parent if r < 0.0 => c.flags.push(Flag::Negative),
            Relation::Parent if r < thresholds.weak => c.flags.push(Flag::Weak),
            Relation::Siblings if r > thresholds.collinear => c.flags.push(Flag::Collinear),
            Relation::OtherGroup => {
                let own_r = own.iter().find(|(x, _)| *x == c.x).map(|&(_, r)| r);
                if own_r.is_some_and(|own_r| r > own_r) {
                    c.flags.push(Flag::CloserElsewhere);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_ranks_share_ties() {
        assert_eq!(
            average_ranks(&[3.0, 1.0, 3.0, 2.0]),
            vec![3.5, 1.0, 3.5, 2.0]
        );
    }

    #[test]
    fn p_value_of_a_known_case() {
        // r = 0.5, n = 12: t = 0.5·√10/√0.75 = 1.8257, two-sided p = 0.0979 (R: cor.test).
        let p = Estimate {
            r: Some(0.5),
            n: 12,
            ties: false,
        }
        .p_value(Method::Pearson)
        .unwrap();
        assert!((p - 0.097_94).abs() < 1e-4, "{p}");
    }
}
