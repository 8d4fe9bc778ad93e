//! The rank programs solved exactly by spatial branch and bound over the raw-weight box, for a
//! plain box of few varying weights (issue #15: a focus in the middle of 33,000 units leaves
//! thousands of undecided competitors, too many binaries for a MILP, in a space of a handful of
//! dimensions).
//!
//! The best-rank program counts `#{b : d_b(w) > −ε}` and the worst-rank program
//! `#{b : d_b(w) ≥ ε}` over the undecided units `b` (module [`super`]), minimised and maximised
//! over the box `lo ≤ w ≤ hi` of raw weights. Over any sub-box the exact minimum and maximum of
//! every `d_b` are known in closed form ([`Polytope::box_min_within`]: per parent a
//! linear-fractional program over a box, Charnes & Cooper 1962), which splits the units into
//! those counted everywhere on the sub-box, those counted nowhere, and those whose hyperplane
//! `d_b = ±ε` crosses it. So on a sub-box the count lies between `counted` and
//! `counted + crossing`: a bound in the sense of spatial branch and bound (Horst & Tuy 1996,
//! *Global Optimization*, ch. IV, "prototype branch and bound"; rectangular bisection along the
//! longest edge, which is exhaustive, Horst & Tuy Def. IV.10). The incumbent is the count at
//! evaluated points (the sampled vertices of [`super::incumbent`], then every sub-box's centre):
//! achieved, never assumed. A sub-box whose bound cannot beat the incumbent is dropped; one
//! crossed by at most [`LEAF_UNITS`] units (by default) is finished exactly by the MILP of Salo & Punkka
//! (2011) over those units alone, restricted to the sub-box and asked only for a strictly better
//! count (a cutoff). Shrinking boxes alone would not finish: the best rank is often attained
//! only where hyperplanes meet (ties count as not above), a set no box fits inside.
//!
//! This is the maximum feasible subsystem problem of Chinneck (2008, *Feasibility and
//! Infeasibility in Optimization*, ch. 7) in a fixed small dimension, where the geometry of the
//! box, not the LP relaxation of big-M constraints, gives strong bounds.
//!
//! Sub-boxes are searched best bound first, the most recent first among equal bounds (depth
//! first within a bound level, which finds incumbents early and keeps few boxes open); the
//! order depends only on the data, so the result is the same on any thread count. With a
//! budget, the search stops at its deadline with the incumbent and the best bound among the
//! open sub-boxes, which is proven.

use std::collections::BinaryHeap;
use std::time::Instant;

use super::polytope::{BoxScratch, Polytope};
use super::{Selection, WeightAnalysisError};

/// Most varying weights for which the spatial search is used: its boxes multiply with the
/// dimension, and beyond a handful of weights the MILP's LP bound does better.
pub(super) const MAX_WEIGHTS: usize = 10;

/// A sub-box crossed by at most this many undecided units is finished by a MILP over them (the
/// default of [`super::Strategy::Auto`]).
pub(super) const LEAF_UNITS: usize = 12;

/// A sub-box narrower than this fraction of the region in every varying weight is finished by
/// a MILP whatever crosses it (with the stall rule of [`Counting::solve`], so the search always
/// ends).
const NARROWEST: f64 = 1e-7;

/// One rank program: which units are counted, and in which direction the count is optimised.
pub(super) struct Counting<'p, 'a> {
    pub polytope: &'p Polytope<'a>,
    /// Row-major `(units × variables)` normalised differences to the focus.
    pub rows: &'p [f64],
    /// The undecided units, each given a place in the count.
    pub units: &'p [usize],
    /// True for the best rank (fewest units counted).
    pub minimise: bool,
    pub margin: f64,
    /// Sub-boxes crossed by at most this many units are finished by a MILP.
    pub leaf_units: usize,
}

/// What a sub-box's MILP is asked: the units crossing it, and the count among them that would
/// improve on the incumbent (at most this many for the best rank, at least for the worst).
pub(super) struct LeafQuery<'q> {
    pub lower: &'q [f64],
    pub upper: &'q [f64],
    pub crossing: &'q [usize],
    pub target: usize,
    /// Seconds left of the budget.
    pub budget: Option<f64>,
}

/// The answer for one sub-box: `units` reaching the target (`None` when no point of the
/// sub-box does), and whether that is proven.
pub(super) struct LeafAnswer {
    pub units: Option<Vec<usize>>,
    pub proven: bool,
}

/// An open sub-box.
struct Node {
    /// Lower bound on the count (best rank) or upper bound (worst rank) over the sub-box.
    bound: usize,
    /// Creation order, the tie-break (most recent first).
    sequence: u64,
    lower: Vec<f64>,
    upper: Vec<f64>,
    /// Units counted everywhere on the sub-box.
    counted: usize,
    /// Positions (into [`Counting::units`]) of the units crossing the sub-box.
    crossing: Vec<u32>,
    /// Splits in a row, down to this sub-box, that settled no crossing unit.
    stalled: usize,
    /// The bound with the orientation of the program: larger is explored first.
    priority: i64,
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        (self.priority, self.sequence) == (other.priority, other.sequence)
    }
}
impl Eq for Node {}
impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Node {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.priority, self.sequence).cmp(&(other.priority, other.sequence))
    }
}

/// The incumbent: a count achieved at some point, with the units it counts.
struct Best {
    count: usize,
    units: Vec<usize>,
}

impl Counting<'_, '_> {
    fn row(&self, b: usize) -> &[f64] {
        let n = self.polytope.form.n_variables();
        &self.rows[b * n..(b + 1) * n]
    }

    fn counts(&self, d: f64) -> bool {
        if self.minimise {
            d > -self.margin
        } else {
            d >= self.margin
        }
    }

    /// Whether a count `bound` could still improve on `incumbent`.
    fn improves(&self, bound: usize, incumbent: usize) -> bool {
        if self.minimise {
            bound < incumbent
        } else {
            bound > incumbent
        }
    }

    /// Whether the varying weights leave a box of at most [`MAX_WEIGHTS`] dimensions with a
    /// closed-form range: the only case the spatial search is used in.
    pub(super) fn applies(polytope: &Polytope<'_>) -> bool {
        let region = polytope.region;
        let varying = polytope
            .form
            .sibling_groups()
            .iter()
            .flat_map(|g| &g.weights)
            .filter(|&&w| region.lower[w] < region.upper[w])
            .count();
        polytope.box_exact && varying <= MAX_WEIGHTS
    }

    /// Splits `parent`'s crossing units over the sub-box `[lower, upper]`.
    fn node(
        &self,
        lower: Vec<f64>,
        upper: Vec<f64>,
        parent_counted: usize,
        parent_crossing: &[u32],
        sequence: u64,
        scratch: &mut BoxScratch,
    ) -> Node {
        let mut counted = parent_counted;
        let mut crossing = Vec::with_capacity(parent_crossing.len());
        for &k in parent_crossing {
            let row = self.row(self.units[k as usize]);
            let min = self.polytope.box_min_within(row, 1.0, &lower, &upper, scratch);
            if self.counts(min) {
                counted += 1;
                continue;
            }
            let max = -self
                .polytope
                .box_min_within(row, -1.0, &lower, &upper, scratch);
            if self.counts(max) {
                crossing.push(k);
            }
        }
        let bound = if self.minimise {
            counted
        } else {
            counted + crossing.len()
        };
        let priority = if self.minimise {
            -(bound as i64)
        } else {
            bound as i64
        };
        Node {
            bound,
            sequence,
            lower,
            upper,
            counted,
            crossing,
            priority,
            stalled: 0,
        }
    }

    /// The units counted at raw weights `w`, among `candidates` (positions), given `x(w)`.
    fn counted_at<'c>(
        &'c self,
        x: &'c [f64],
        candidates: &'c [u32],
    ) -> impl Iterator<Item = usize> + 'c {
        candidates.iter().map(|&k| self.units[k as usize]).filter(move |&b| {
            let d: f64 = self.row(b).iter().zip(x).map(|(a, v)| a * v).sum();
            self.counts(d)
        })
    }

    /// Offers the point `w` as incumbent: kept when its count beats the one held.
    fn offer_point(
        &self,
        w: &[f64],
        node: &Node,
        best: &mut Best,
        scratch: &mut BoxScratch,
        x: &mut [f64],
    ) {
        if !self.polytope.variables_at(w, scratch, x) {
            // A parent whose weights are all zero: no renormalised weights, no scores.
            return;
        }
        let count = node.counted + self.counted_at(x, &node.crossing).count();
        if self.improves(count, best.count) {
            // Rare: the full list over every unit of the program, not only the crossing ones.
            let all: Vec<u32> = (0..self.units.len() as u32).collect();
            best.units = self.counted_at(x, &all).collect();
            best.count = best.units.len();
        }
    }

    /// The exact optimum of the program (or, when the deadline passes first, the incumbent
    /// with the best bound of the open sub-boxes), starting from the points `starts` (raw
    /// weights inside the region), finishing small sub-boxes with `leaf`.
    pub(super) fn solve(
        &self,
        starts: &[&[f64]],
        budget: Option<f64>,
        mut leaf: impl FnMut(LeafQuery<'_>) -> Result<LeafAnswer, WeightAnalysisError>,
    ) -> Result<Selection, WeightAnalysisError> {
        let clock = Instant::now();
        let region = self.polytope.region;
        let mut scratch = BoxScratch::new(self.polytope);
        let mut x = vec![0.0; self.polytope.form.n_variables()];
        let all: Vec<u32> = (0..self.units.len() as u32).collect();
        let root = self.node(
            region.lower.clone(),
            region.upper.clone(),
            0,
            &all,
            0,
            &mut scratch,
        );
        // The root's centre is a point of the region, so the incumbent is always achieved.
        let root_centre: Vec<f64> = region
            .lower
            .iter()
            .zip(&region.upper)
            .map(|(lo, hi)| 0.5 * (lo + hi))
            .collect();
        let mut best = Best {
            count: if self.minimise { usize::MAX } else { 0 },
            units: Vec::new(),
        };
        for start in starts.iter().copied().chain([&root_centre[..]]) {
            self.offer_point(start, &root, &mut best, &mut scratch, &mut x);
        }
        let widths: Vec<f64> = region
            .lower
            .iter()
            .zip(&region.upper)
            .map(|(lo, hi)| hi - lo)
            .collect();
        // Splits without progress before a sub-box goes to the MILP: every varying weight
        // halved twice. Where more than `leaf_units` surfaces `d_b = ±ε` meet along a whole
        // curve or face (units with equal or proportional differences, or more of them meeting
        // than the dimension in general position allows), no box around that set is crossed by
        // fewer, and halving on would only multiply the boxes.
        let patience = 2 * widths.iter().filter(|&&w| w > 0.0).count();
        let mut sequence = 0u64;
        let mut open = BinaryHeap::new();
        open.push(root);
        let mut proven = true;
        // Best bound over sub-boxes left unfinished by a leaf's budget.
        let mut unfinished: Option<usize> = None;
        let mut centre = vec![0.0; widths.len()];
        while let Some(node) = open.pop() {
            if !self.improves(node.bound, best.count) {
                continue;
            }
            let remaining = budget.map(|b| b - clock.elapsed().as_secs_f64());
            if remaining.is_some_and(|r| r <= 0.0) {
                proven = false;
                open.push(node);
                break;
            }
            let widest = (0..widths.len())
                .filter(|&w| widths[w] > 0.0)
                .map(|w| (w, (node.upper[w] - node.lower[w]) / widths[w]))
                .fold(None, |acc: Option<(usize, f64)>, (w, r)| match acc {
                    Some((_, best_r)) if best_r >= r => acc,
                    _ => Some((w, r)),
                });
            let narrow = widest.is_none_or(|(_, r)| r < NARROWEST);
            if node.crossing.len() <= self.leaf_units || narrow || node.stalled >= patience {
                let crossing: Vec<usize> = node
                    .crossing
                    .iter()
                    .map(|&k| self.units[k as usize])
                    .collect();
                let target = if self.minimise {
                    best.count - node.counted - 1
                } else {
                    best.count + 1 - node.counted
                };
                let answer = leaf(LeafQuery {
                    lower: &node.lower,
                    upper: &node.upper,
                    crossing: &crossing,
                    target,
                    budget: remaining,
                })?;
                if !answer.proven {
                    proven = false;
                    unfinished = Some(match unfinished {
                        None => node.bound,
                        Some(u) if self.minimise => u.min(node.bound),
                        Some(u) => u.max(node.bound),
                    });
                }
                if let Some(selected) = answer.units {
                    // Counted everywhere on the sub-box, plus the MILP's choice among the rest.
                    let inside: Vec<u32> = (0..self.units.len() as u32)
                        .filter(|k| !node.crossing.contains(k))
                        .collect();
                    let mut units: Vec<usize> = inside
                        .iter()
                        .map(|&k| self.units[k as usize])
                        .filter(|&b| {
                            let row = self.row(b);
                            let min = self.polytope.box_min_within(
                                row,
                                1.0,
                                &node.lower,
                                &node.upper,
                                &mut scratch,
                            );
                            self.counts(min)
                        })
                        .collect();
                    units.extend(selected);
                    units.sort_unstable();
                    if self.improves(units.len(), best.count) {
                        best.count = units.len();
                        best.units = units;
                    }
                }
                continue;
            }
            let Some((split, _)) = widest else {
                continue;
            };
            let middle = 0.5 * (node.lower[split] + node.upper[split]);
            let mut left_upper = node.upper.clone();
            left_upper[split] = middle;
            let mut right_lower = node.lower.clone();
            right_lower[split] = middle;
            let halves = [
                (node.lower.clone(), left_upper),
                (right_lower, node.upper.clone()),
            ];
            for (lower, upper) in halves {
                sequence += 1;
                let mut child = self.node(
                    lower,
                    upper,
                    node.counted,
                    &node.crossing,
                    sequence,
                    &mut scratch,
                );
                if child.crossing.len() == node.crossing.len() {
                    child.stalled = node.stalled + 1;
                }
                for (c, (lo, hi)) in centre.iter_mut().zip(child.lower.iter().zip(&child.upper)) {
                    *c = 0.5 * (lo + hi);
                }
                self.offer_point(&centre, &child, &mut best, &mut scratch, &mut x);
                if self.improves(child.bound, best.count) {
                    open.push(child);
                }
            }
        }
        let open_bound = open
            .iter()
            .filter(|n| self.improves(n.bound, best.count))
            .map(|n| n.bound)
            .chain(unfinished);
        let bound = if self.minimise {
            open_bound.fold(best.count, usize::min)
        } else {
            open_bound.fold(best.count, usize::max)
        };
        Ok(Selection {
            units: Some(best.units),
            bound,
            proven,
        })
    }
}
