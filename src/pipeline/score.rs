//! Scoring one configuration: aggregate the prepared data bottom-up and rank, allocation-free.

use std::mem::MaybeUninit;

use super::aggregate;
use super::config::{Config, ConfigError};
use super::noise::NoisyData;
use super::prepare::Prepared;
use super::rank::{RankScratch, rank_descending};
use crate::model::{Columns, Framework};
use crate::model::method::Aggregation;

mod top;
pub use top::score_top;

/// Per-thread buffers for scoring. Sized once by [`Scratch::new`]; reused for every sample.
#[derive(Debug, Clone)]
pub struct Scratch {
    n_units: usize,
    n_indicators: usize,
    /// Aggregate scores, aggregate-major: aggregate `a` (node `n_indicators + a`) occupies
    /// `a * n_units .. (a + 1) * n_units`.
    values: Vec<f64>,
    /// Mean logs of geometric aggregates, same layout (valid where `is_log[a]`).
    logs: Vec<f64>,
    is_log: Vec<bool>,
    /// Whether `values` holds aggregate `a`'s scores. Geometric aggregates are kept as mean
    /// logs and exponentiated only when something needs their scores (a non-geometric parent,
    /// the top node, a report): a geometric parent reads the logs directly, which saves one
    /// `exp` per unit and aggregate in the hot loop.
    has_values: Vec<bool>,
    /// Whether aggregate `a` came out missing for every unit (all children at zero weight).
    empty: Vec<bool>,
    /// Scratch for aggregates whose children need logarithms computed on the fly.
    child_logs: Vec<f64>,
    weight_sums: Vec<f64>,
    ranking: RankScratch,
    /// Ranks of the node passed to the last [`Scratch::rank`] call.
    pub ranks: Vec<u32>,
    variant: usize,
    /// Aggregates below this one were read from saved lower levels by the last scoring call
    /// ([`score_above`]) and are not held here.
    first_held: usize,
    /// Where [`score_fused`] finds each column (made on first use; no allocation after).
    plan: FusedPlan,
    /// The fused paths' shares w / Σ siblings' w by node, valid for the children of the
    /// aggregates from `shares_from` on (0-based among aggregates; `usize::MAX`: none), so
    /// that the engine's central-weight sums read them instead of dividing again.
    node_shares: Vec<f64>,
    shares_from: usize,
}

impl Scratch {
    pub fn new(prepared: &Prepared) -> Self {
        let n_units = prepared.n_units();
        let framework = &prepared.framework;
        let n_aggregates = framework.n_nodes() - framework.n_indicators();
        let max_children = framework
            .nodes
            .iter()
            .map(|n| n.children.len())
            .max()
            .unwrap_or(0);
        Scratch {
            n_units,
            n_indicators: framework.n_indicators(),
            values: vec![0.0; n_aggregates * n_units],
            logs: vec![0.0; n_aggregates * n_units],
            is_log: vec![false; n_aggregates],
            has_values: vec![true; n_aggregates],
            empty: vec![false; n_aggregates],
            child_logs: vec![0.0; max_children * n_units],
            weight_sums: vec![0.0; n_units],
            ranking: RankScratch::with_capacity(n_units),
            ranks: vec![0; n_units],
            variant: 0,
            first_held: 0,
            plan: FusedPlan::with_capacity(framework),
            node_shares: vec![0.0; framework.n_nodes()],
            shares_from: usize::MAX,
        }
    }

    /// The shares w / Σ siblings' w the last scoring call divided out, by node, and the first
    /// aggregate (0-based among aggregates) whose children they are valid for (`usize::MAX`:
    /// none). Where valid, the same bits as dividing `config.weights[node]` by the sum, in the
    /// parent's children order, of its siblings' weights (the total is positive there).
    pub fn shares(&self) -> (&[f64], usize) {
        (&self.node_shares, self.shares_from)
    }

    /// Scores of an aggregate node from the last [`score`] call. The top node's scores are
    /// always available; call [`Scratch::materialise_all`] first for the others.
    pub fn aggregate_scores(&self, node: usize) -> &[f64] {
        let a = node - self.n_indicators;
        assert!(
            a >= self.first_held,
            "aggregate {node} was read from saved lower levels"
        );
        debug_assert!(self.has_values[a], "aggregate {node} not materialised");
        &self.values[a * self.n_units..(a + 1) * self.n_units]
    }

    /// Computes the scores of aggregate `a` (0-based among aggregates) from its mean logs,
    /// if only those are held.
    #[inline]
    fn materialise(&mut self, a: usize) {
        if !self.has_values[a] {
            let n = self.n_units;
            for (v, &l) in self.values[a * n..(a + 1) * n]
                .iter_mut()
                .zip(&self.logs[a * n..(a + 1) * n])
            {
                *v = l.exp();
            }
            self.has_values[a] = true;
        }
    }

    /// Makes every aggregate's scores available (for reports; the hot loop needs only the top).
    pub fn materialise_all(&mut self) {
        for a in self.first_held..self.has_values.len() {
            self.materialise(a);
        }
    }

    /// Scores of any node from the last [`score`] call (indicators: their normalised values).
    pub fn node_scores<'a>(&'a self, prepared: &'a Prepared, node: usize) -> &'a [f64] {
        if node < self.n_indicators {
            prepared.variants[self.variant].normalised.col(node)
        } else {
            self.aggregate_scores(node)
        }
    }

    /// Ranks a node's scores from the last [`score`] call into `self.ranks` and returns them.
    pub fn rank<'a>(&'a mut self, prepared: &'a Prepared, node: usize) -> &'a [u32] {
        if node < self.n_indicators {
            let scores = prepared.variants[self.variant].normalised.col(node);
            rank_descending(scores, &mut self.ranking, &mut self.ranks);
        } else {
            let a = node - self.n_indicators;
            assert!(
                a >= self.first_held,
                "aggregate {node} was read from saved lower levels"
            );
            self.materialise(a);
            let scores = &self.values[a * self.n_units..(a + 1) * self.n_units];
            rank_descending(scores, &mut self.ranking, &mut self.ranks);
        }
        &self.ranks
    }
}

/// Scores every aggregate of the framework under `config` into `scratch`.
///
/// Aggregates are visited bottom-up (the framework stores them in that order), each combining
/// its children with its level's aggregation and the children's raw weights, renormalised over
/// present children (see [`aggregate`]). An aggregate whose children all have zero weight is
/// missing for every unit, and its parent renormalises over its other children.
pub fn score(prepared: &Prepared, config: &Config, scratch: &mut Scratch) {
    let data = DataView::of(prepared, config.variant);
    score_from(prepared, data, config, scratch, &Saved::NONE);
}

/// The normalised indicator values a scoring call reads: a prepared variant's, or a sample's
/// perturbed copy of one (see [`super::noise`]).
#[derive(Debug, Clone, Copy)]
pub struct DataView<'a> {
    pub normalised: &'a Columns,
    /// Logarithms of `normalised`, when every value is positive.
    pub logs: Option<&'a Columns>,
    pub has_missing: bool,
}

impl<'a> DataView<'a> {
    /// The prepared variant `variant`.
    pub fn of(prepared: &'a Prepared, variant: usize) -> Self {
        let v = &prepared.variants[variant];
        DataView {
            normalised: &v.normalised,
            logs: v.logs.as_ref(),
            has_missing: v.has_missing,
        }
    }

    /// A sample's perturbed data.
    pub fn noisy(data: &'a NoisyData) -> Self {
        DataView {
            normalised: &data.normalised,
            logs: data.logs(),
            has_missing: data.has_missing,
        }
    }
}

/// Like [`score`], on `data` instead of the configuration's prepared variant (which `data`
/// must have been made from). Indicator scores read back from `scratch` afterwards are the
/// prepared variant's, not `data`'s.
pub fn score_data(prepared: &Prepared, data: DataView, config: &Config, scratch: &mut Scratch) {
    score_from(prepared, data, config, scratch, &Saved::NONE);
}

/// Like [`score`], but the lowest `lower.count` aggregates are read from `lower` (scored once
/// under a configuration that agrees with `config` on everything they depend on) instead of
/// being recomputed or copied: the engine's hot path. Bit-identical to [`score`]. Afterwards
/// only the aggregates above `lower.count` are held in `scratch` (the top one included).
pub fn score_above(
    prepared: &Prepared,
    config: &Config,
    scratch: &mut Scratch,
    lower: &LowerLevels,
) {
    let data = DataView::of(prepared, config.variant);
    score_from(prepared, data, config, scratch, &lower.saved());
}

/// Aggregates scored earlier, read in place (`count` = 0: none).
struct Saved<'a> {
    count: usize,
    values: &'a [f64],
    logs: &'a [f64],
    is_log: &'a [bool],
    empty: &'a [bool],
    /// Whether any of `empty` is true (checked once, not per sample).
    any_empty: bool,
}

impl Saved<'_> {
    const NONE: Saved<'static> = Saved {
        count: 0,
        values: &[],
        logs: &[],
        is_log: &[],
        empty: &[],
        any_empty: false,
    };
}

super::vectors::dispatch! {
    /// Scores `config` into `scratch` bottom-up (see [`score`]), with vector instructions as
    /// wide as the CPU has ([`super::vectors`]: the same bits either way).
    fn score_from / score_from_avx2 = score_from_portable<'p, 'd, 'c, 's, 'v, 'w>(
        prepared: &'p Prepared,
        variant: DataView<'d>,
        config: &'c Config,
        scratch: &'s mut Scratch,
        saved: &'v Saved<'w>,
    )
}

#[inline(always)]
fn score_from_portable(
    prepared: &Prepared,
    variant: DataView,
    config: &Config,
    scratch: &mut Scratch,
    saved: &Saved,
) {
    let framework = &prepared.framework;
    let n = scratch.n_units;
    let m = scratch.n_indicators;
    scratch.variant = config.variant;
    scratch.first_held = saved.count;
    scratch.shares_from = usize::MAX;
    let has_missing = variant.has_missing;
    if !has_missing && score_fused(prepared, variant, config, scratch, saved) {
        return;
    }
    for node_index in framework.aggregates().skip(saved.count) {
        let a = node_index - m;
        let node = &framework.nodes[node_index];
        let aggregation = config.aggregation[node.level - 2];
        if aggregation != Aggregation::Geometric {
            // Saved aggregates always hold their values (see `LowerLevels::compute`).
            for &c in &node.children {
                if c >= m + saved.count {
                    scratch.materialise(c - m);
                }
            }
        }
        let (done_values, rest) = scratch.values.split_at_mut(a * n);
        let out = &mut rest[..n];
        let (done_logs, rest_logs) = scratch.logs.split_at_mut(a * n);
        let log_out = &mut rest_logs[..n];
        let is_log = |b: usize| {
            if b < saved.count {
                saved.is_log[b]
            } else {
                scratch.is_log[b]
            }
        };
        let empty = |b: usize| {
            if b < saved.count {
                saved.empty[b]
            } else {
                scratch.empty[b]
            }
        };
        // An aggregate child that came out all-missing acts as missing: weight 0 when the
        // fast path assumes no missing values.
        let weight_of = |c: usize| {
            if c >= m && !has_missing && empty(c - m) {
                0.0
            } else {
                config.weights[c]
            }
        };
        let column = |c: usize| -> &[f64] {
            if c < m {
                variant.normalised.col(c)
            } else {
                row(saved.values, done_values, saved.count, c - m, n)
            }
        };
        let children = node.children.iter().map(|&c| (column(c), weight_of(c)));
        let first = match aggregation {
            Aggregation::Arithmetic if !has_missing && node.children.len() <= LISTED_CHILDREN => {
                // The engine's common case: the children's columns and weights listed first,
                // then the kernel runs over the list. Handed the lazy iterator below, the
                // kernel (which walks it twice) called its closures out of line, once per
                // child and walk, and initialising a list costs as much as filling it: the
                // slots past the children are left uninitialised.
                let mut listed = [MaybeUninit::<(&[f64], f64)>::uninit(); LISTED_CHILDREN];
                for (slot, &c) in listed.iter_mut().zip(&node.children) {
                    slot.write((column(c), weight_of(c)));
                }
                // SAFETY: the first `node.children.len()` (≤ LISTED_CHILDREN) slots were
                // written just above; `MaybeUninit<T>` has the layout of T.
                let listed = unsafe {
                    std::slice::from_raw_parts_mut(
                        listed.as_mut_ptr().cast::<(&[f64], f64)>(),
                        node.children.len(),
                    )
                };
                aggregate::arithmetic_listed(listed, out);
                out[0]
            }
            Aggregation::Arithmetic => {
                aggregate::arithmetic(children, has_missing, out, &mut scratch.weight_sums);
                out[0]
            }
            Aggregation::Geometric => {
                // Logs of children: precomputed for indicators, kept for geometric aggregates,
                // computed here (into child_logs) for other aggregates.
                for (k, &c) in node.children.iter().enumerate() {
                    if c >= m && !is_log(c - m) {
                        let target = &mut scratch.child_logs[k * n..(k + 1) * n];
                        for (t, &v) in target.iter_mut().zip(column(c)) {
                            *t = v.ln();
                        }
                    }
                }
                let child_logs = &scratch.child_logs;
                let indicator_logs = variant.logs;
                let log_column = |k: usize, c: usize| -> &[f64] {
                    if c < m {
                        indicator_logs
                            .expect("geometric aggregation needs positive data: checked when the scenario is resolved")
                            .col(c)
                    } else if is_log(c - m) {
                        row(saved.logs, done_logs, saved.count, c - m, n)
                    } else {
                        &child_logs[k * n..(k + 1) * n]
                    }
                };
                let log_children = node
                    .children
                    .iter()
                    .enumerate()
                    .map(|(k, &c)| (log_column(k, c), weight_of(c)));
                aggregate::geometric_log_mean(
                    log_children,
                    has_missing,
                    log_out,
                    &mut scratch.weight_sums,
                );
                log_out[0]
            }
            Aggregation::Harmonic => {
                aggregate::harmonic(children, out, &mut scratch.weight_sums);
                out[0]
            }
            Aggregation::Generalised { p } => {
                aggregate::generalised(children, p, out, &mut scratch.weight_sums);
                out[0]
            }
            Aggregation::Copeland => {
                aggregate::copeland(children, out);
                out[0]
            }
        };
        let geometric = aggregation == Aggregation::Geometric;
        scratch.is_log[a] = geometric;
        scratch.has_values[a] = !geometric;
        // Missing for every unit (all children at zero weight), not just for unit 0.
        scratch.empty[a] = first.is_nan()
            && if geometric {
                row_all_nan(&scratch.logs, a, n)
            } else {
                row_all_nan(&scratch.values, a, n)
            };
    }
    scratch.materialise(framework.top - m);
}

/// One child of an aggregate in [`score_fused`]: where its column starts and its share w / W.
#[derive(Clone, Copy)]
struct Term {
    column: *const f64,
    share: f64,
}

/// Most aggregates and children [`score_fused`] lists on the stack (more: the general path).
const FUSED_AGGREGATES: usize = 16;
const FUSED_TERMS: usize = 64;

/// Where a term of [`score_fused`] reads its column: an indicator, a saved aggregate's row
/// (offset in the saved values) or a row scored in this pass (offset in `Scratch::values`).
#[derive(Debug, Clone, Copy)]
enum Source {
    Indicator(usize),
    Saved(usize),
    Scored(usize),
}

/// The part of [`score_fused`]'s work that depends only on the framework and the number of
/// saved aggregates: each aggregate's children and where their columns are. Made once per
/// [`Scratch`] (which serves one framework, as its sizes already assume) and kept.
#[derive(Debug, Clone, Default)]
struct FusedPlan {
    /// (framework address, saved aggregates) it was made for.
    key: Option<(usize, usize)>,
    /// Whether the framework is small enough for the stack lists.
    fits: bool,
    /// Every child of the aggregates left to score, aggregate by aggregate: (node, column).
    children: Vec<(usize, Source)>,
    /// Per aggregate left to score: (end of its children, its row among aggregates, its
    /// level's index in `Config::aggregation`).
    aggregates: Vec<(usize, usize, usize)>,
}

impl FusedPlan {
    /// Room for any number of saved aggregates, so remaking it never allocates.
    fn with_capacity(framework: &Framework) -> Self {
        let aggregates = framework.aggregates();
        let children = aggregates
            .clone()
            .map(|a| framework.nodes[a].children.len())
            .sum();
        FusedPlan {
            key: None,
            fits: false,
            children: Vec::with_capacity(children),
            aggregates: Vec::with_capacity(aggregates.len()),
        }
    }

    /// Makes the plan for `saved` aggregates (a prefix of the bottom-up order) held elsewhere.
    fn remake(&mut self, framework: &Framework, key: (usize, usize), n: usize) {
        let m = framework.n_indicators();
        let saved = key.1;
        self.key = Some(key);
        self.children.clear();
        self.aggregates.clear();
        for node_index in framework.aggregates().skip(saved) {
            for &c in &framework.nodes[node_index].children {
                let source = if c < m {
                    Source::Indicator(c)
                } else if c - m < saved {
                    Source::Saved((c - m) * n)
                } else {
                    // Scored earlier in the pass, block by block ahead of its parent's block.
                    assert!(c < node_index, "aggregates are stored bottom-up");
                    Source::Scored((c - m) * n)
                };
                self.children.push((c, source));
            }
            let level = framework.nodes[node_index].level - 2;
            self.aggregates
                .push((self.children.len(), node_index - m, level));
        }
        self.fits =
            self.children.len() <= FUSED_TERMS && self.aggregates.len() <= FUSED_AGGREGATES;
    }

    /// Writes into `terms`, slot by slot of the plan, the term `make` builds from each child's
    /// share `w / Σ siblings' w` and where its column is, and each share into `node_shares`
    /// at the child's node: the one place the fused paths ([`score_fused`],
    /// [`top::score_top`]) decide their terms. The total is the same sum in the same order as
    /// the kernels' (the plan lists each aggregate's children in the node's order). False, as
    /// soon as it is known, when the fused paths do not apply: a non-arithmetic level, a total
    /// weight that is not positive, a zero weight (the kernels drop that child), or `make`
    /// refusing a source.
    #[inline(always)]
    fn shares<T>(
        &self,
        config: &Config,
        node_shares: &mut [f64],
        terms: &mut [MaybeUninit<T>; FUSED_TERMS],
        mut make: impl FnMut(Source, f64) -> Option<T>,
    ) -> bool {
        let mut from = 0;
        for &(end, _, level) in &self.aggregates {
            if config.aggregation[level] != Aggregation::Arithmetic {
                return false;
            }
            let children = &self.children[from..end];
            let total: f64 = children.iter().map(|&(c, _)| config.weights[c]).sum();
            if total.is_nan() || total <= 0.0 {
                return false;
            }
            for (slot, &(c, source)) in terms[from..end].iter_mut().zip(children) {
                let w = config.weights[c];
                if w == 0.0 {
                    return false;
                }
                // Kept for the engine's central-weight sums ([`Scratch::shares`]), which
                // would otherwise divide again.
                let share = w / total;
                node_shares[c] = share;
                let Some(term) = make(source, share) else {
                    return false;
                };
                slot.write(term);
            }
            from = end;
        }
        true
    }
}

/// [`score_from_portable`] when every aggregate left to score is an arithmetic mean and no value
/// is missing (the engine's common case, `ieci-weights` always): each aggregate's shares are
/// divided out once, then all the aggregates are computed block of units by block of units, a
/// block's children and parents in one go, with no per-aggregate pass, dispatch or bookkeeping
/// in between; where the columns are is planned once ([`FusedPlan`]). Each unit's sum starts
/// at 0 and adds `share × child` over the children in their order, exactly as
/// [`aggregate::arithmetic_listed`] and [`aggregate::arithmetic`] do, so the scores are
/// bit-identical. Returns false, having written nothing the general path relies on, when it
/// does not apply (a non-arithmetic level, a zero weight (the kernels drop that child), a total
/// weight that is not positive, an all-missing child, too many aggregates): the general path
/// then scores everything.
#[inline(always)]
fn score_fused(
    prepared: &Prepared,
    variant: DataView,
    config: &Config,
    scratch: &mut Scratch,
    saved: &Saved,
) -> bool {
    let framework = &prepared.framework;
    let n = scratch.n_units;
    let key = (std::ptr::from_ref(framework) as usize, saved.count);
    if scratch.plan.key != Some(key) {
        scratch.plan.remake(framework, key, n);
    }
    let plan = &scratch.plan;
    // The general path gives an all-missing saved child weight 0; rare, left to it.
    if !plan.fits || saved.any_empty {
        return false;
    }
    let mut terms = [MaybeUninit::<Term>::uninit(); FUSED_TERMS];
    let base = scratch.values.as_mut_ptr();
    let applies = plan.shares(config, &mut scratch.node_shares, &mut terms, |source, share| {
        let column = match source {
            Source::Indicator(c) => variant.normalised.col(c).as_ptr(),
            Source::Saved(offset) => saved.values[offset..offset + n].as_ptr(),
            // SAFETY: the row (offset .. offset + n) is within `values`.
            Source::Scored(offset) => unsafe { base.add(offset).cast_const() },
        };
        Some(Term { column, share })
    });
    if !applies {
        return false;
    }
    let from = plan.children.len();
    // SAFETY: the first `from` (all the plan's children) slots were written above.
    let terms = unsafe { std::slice::from_raw_parts(terms.as_ptr().cast::<Term>(), from) };
    let ends = &plan.aggregates;
    let mut start = 0;
    // Wide blocks first: eight vector sums per aggregate in flight (independent chains), and
    // the per-block bookkeeping (terms, rows) paid once per 32 units.
    while start + 32 <= n {
        fused_block::<32>(terms, ends, base, n, start);
        start += 32;
    }
    while start + 16 <= n {
        fused_block::<16>(terms, ends, base, n, start);
        start += 16;
    }
    if start < n && n >= 8 {
        // The last units in blocks of 8, the last block ending at n: the units it overlaps are
        // summed again by the same operations on the same values (a parent reads its
        // children's rows of this very block), so they are rewritten with the same bits, and
        // no unit goes through the one-at-a-time chains below.
        while start < n {
            let at = start.min(n - 8);
            fused_block::<8>(terms, ends, base, n, at);
            start = at + 8;
        }
    }
    while start + 4 <= n {
        fused_block::<4>(terms, ends, base, n, start);
        start += 4;
    }
    while start < n {
        fused_block::<1>(terms, ends, base, n, start);
        start += 1;
    }
    // An aggregate missing for every unit makes its parent renormalise: the general path
    // handles that (only non-finite data can get here with one).
    if n > 0 && ends.iter().any(|&(_, a, _)| scratch.values[a * n].is_nan()) {
        return false;
    }
    for &(_, a, _) in ends {
        scratch.is_log[a] = false;
        scratch.has_values[a] = true;
        scratch.empty[a] = false;
    }
    scratch.shares_from = saved.count;
    true
}

/// [`score_fused`]'s aggregates for the `B` units from `start`: each a sum over its terms,
/// kept in registers and stored once; a parent's terms read its children's rows just stored.
#[inline(always)]
fn fused_block<const B: usize>(
    terms: &[Term],
    ends: &[(usize, usize, usize)],
    values: *mut f64,
    n: usize,
    start: usize,
) {
    let mut from = 0;
    for &(end, a, _) in ends {
        let mut sums = [0.0f64; B];
        for term in &terms[from..end] {
            for (i, sum) in sums.iter_mut().enumerate() {
                // SAFETY: every column has n values and start + B ≤ n.
                *sum += term.share * unsafe { *term.column.add(start + i) };
            }
        }
        for (i, &sum) in sums.iter().enumerate() {
            // SAFETY: row a of `values` (n_aggregates × n) holds n values; start + B ≤ n.
            unsafe { *values.add(a * n + start + i) = sum };
        }
        from = end;
    }
}

/// Most children an arithmetic aggregate may have for its children to be listed on the stack
/// before aggregating (more: read through the lazy iterator, the same result).
const LISTED_CHILDREN: usize = 32;

/// Row `b` (0-based among aggregates) of an aggregate-major buffer: from the saved rows when
/// `b < count`, else from the rows scored in this pass.
#[inline]
fn row<'r>(saved: &'r [f64], done: &'r [f64], count: usize, b: usize, n: usize) -> &'r [f64] {
    if b < count {
        &saved[b * n..(b + 1) * n]
    } else {
        &done[b * n..(b + 1) * n]
    }
}

/// Whether aggregate `a`'s row of `buffer` is missing for every unit.
#[inline]
fn row_all_nan(buffer: &[f64], a: usize, n: usize) -> bool {
    buffer[a * n..(a + 1) * n].iter().all(|v| v.is_nan())
}

/// The nominal configuration: the index's nominal aggregation and weights, on variant `variant`.
#[cfg(any(test, feature = "internals"))]
pub fn nominal_config(prepared: &Prepared, aggregation: &[Aggregation], variant: usize) -> Config {
    Config {
        variant,
        aggregation: aggregation.to_vec(),
        weights: prepared.framework.nominal_weights(),
    }
}

/// Scores and ranks of every node under one configuration (allocating; for reports).
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// `scores[node][unit]`; for indicators, the normalised values.
    pub scores: Vec<Vec<f64>>,
    /// `ranks[node][unit]`, 1 = best, ties sharing the best rank.
    pub ranks: Vec<Vec<u32>>,
}

impl Evaluation {
    /// Scores of the top node.
    pub fn top_scores(&self, prepared: &Prepared) -> &[f64] {
        &self.scores[prepared.framework.top]
    }
    /// Ranks of the top node.
    pub fn top_ranks(&self, prepared: &Prepared) -> &[u32] {
        &self.ranks[prepared.framework.top]
    }
}

/// Scores `config` and ranks every node (indicators included). A configuration that cannot be
/// scored (see [`Config::check`]) is an error, never a panic or a NaN score.
pub fn evaluate(prepared: &Prepared, config: &Config) -> Result<Evaluation, ConfigError> {
    config.check(prepared)?;
    let mut scratch = Scratch::new(prepared);
    score(prepared, config, &mut scratch);
    scratch.materialise_all();
    let n_nodes = prepared.framework.n_nodes();
    let mut scores = Vec::with_capacity(n_nodes);
    let mut ranks = Vec::with_capacity(n_nodes);
    for node in 0..n_nodes {
        scores.push(scratch.node_scores(prepared, node).to_vec());
        ranks.push(scratch.rank(prepared, node).to_vec());
    }
    Ok(Evaluation { scores, ranks })
}

/// The scores of the lowest aggregates (a prefix of the bottom-up order) under one
/// configuration, saved so that samples sharing everything those aggregates depend on can skip
/// recomputing them (see `scenario::factors` for when that holds). [`score_above`] reads
/// them in place.
#[derive(Debug, Clone, PartialEq)]
pub struct LowerLevels {
    /// Number of aggregates saved (the first `count` in storage order).
    pub count: usize,
    /// Scores of every saved aggregate (geometric ones included, so parents never need `exp`).
    values: Vec<f64>,
    /// Mean logs, valid where `is_log`.
    logs: Vec<f64>,
    is_log: Vec<bool>,
    empty: Vec<bool>,
    any_empty: bool,
}

impl LowerLevels {
    /// Scores the first `count` aggregates under `config` and saves them.
    pub fn compute(prepared: &Prepared, config: &Config, count: usize) -> Self {
        let mut scratch = Scratch::new(prepared);
        score(prepared, config, &mut scratch);
        scratch.materialise_all();
        let n = scratch.n_units;
        LowerLevels {
            count,
            values: scratch.values[..count * n].to_vec(),
            logs: scratch.logs[..count * n].to_vec(),
            is_log: scratch.is_log[..count].to_vec(),
            empty: scratch.empty[..count].to_vec(),
            any_empty: scratch.empty[..count].contains(&true),
        }
    }

    fn saved(&self) -> Saved<'_> {
        Saved {
            count: self.count,
            values: &self.values,
            logs: &self.logs,
            is_log: &self.is_log,
            empty: &self.empty,
            any_empty: self.any_empty,
        }
    }
}
