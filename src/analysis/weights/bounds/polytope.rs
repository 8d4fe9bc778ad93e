//! The weight polytope of a region in the model's variables (normalised weights and one
//! Charnes–Cooper `τ` per sibling group), and the bounds on a linear function over it.

use super::*;

/// A linear constraint among one group's members: `(member, coefficient)` terms, relation,
/// right-hand side (divided by the group's scale).
pub(super) type MemberConstraint = (Vec<(usize, f64)>, Relation, f64);

/// One sibling group of the region, with raw bounds divided by the group's largest upper bound
/// so that `τ` is well scaled whatever units the raw weights are in.
#[derive(Debug, Clone)]
pub(super) struct ScaledGroup {
    pub(super) scale: f64,
    pub(super) lower: Vec<f64>,
    pub(super) upper: Vec<f64>,
    pub(super) tau_upper: f64,
    pub(super) constraints: Vec<MemberConstraint>,
}

/// The region in linearisation variables: `x` with outer interval bounds, plus one `τ` per
/// sibling group (Charnes–Cooper), and a feasible point of it.
#[derive(Debug, Clone)]
pub(super) struct Polytope<'a> {
    pub(super) form: &'a LinearForm,
    pub(super) region: &'a WeightRegion,
    pub(super) nominal: &'a [f64],
    pub(super) x_lower: Vec<f64>,
    pub(super) x_upper: Vec<f64>,
    pub(super) groups: Vec<ScaledGroup>,
    /// True when [`Polytope::quick_range`] is exact: a plain box (no linear constraints among
    /// siblings), whatever the tree.
    pub(super) box_exact: bool,
    /// For each group and member, the group of the member's own children (`None` for a member
    /// that is a single variable).
    child_group: Vec<Vec<Option<usize>>>,
    /// Groups children-first, so that a group's members are valued before the group.
    bottom_up: Vec<usize>,
    /// Groups with no parent group: their values add up to the whole sum.
    roots: Vec<usize>,
    /// Raw weights of a feasible point (for witnesses when no optimisation is needed).
    pub(super) feasible_raw: Vec<f64>,
}

/// Reusable buffers for [`Polytope::box_min_within`] and [`Polytope::variables_at`].
pub(super) struct BoxScratch {
    value: Vec<f64>,
    coefficients: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    order: Vec<usize>,
    totals: Vec<f64>,
}

impl BoxScratch {
    pub(super) fn new(polytope: &Polytope<'_>) -> Self {
        let n_groups = polytope.form.sibling_groups().len();
        let widest = polytope
            .form
            .sibling_groups()
            .iter()
            .map(|g| g.weights.len())
            .max()
            .unwrap_or(0);
        BoxScratch {
            value: vec![0.0; n_groups],
            coefficients: Vec::with_capacity(widest),
            lower: Vec::with_capacity(widest),
            upper: Vec::with_capacity(widest),
            order: Vec::with_capacity(widest),
            totals: vec![0.0; n_groups],
        }
    }
}

pub(super) struct PolytopeVariables {
    pub(super) x: Vec<Variable>,
    pub(super) tau: Vec<Variable>,
}

/// Range of `w_m / Σ_{siblings} w` over the box: `[lo_m/(lo_m + Σ_{others} hi), hi_m/(hi_m + Σ_{others} lo)]`.
pub(super) fn share_bounds(lower: &[f64], upper: &[f64], member: usize) -> (f64, f64) {
    let others_upper: f64 = upper.iter().sum::<f64>() - upper[member];
    let others_lower: f64 = lower.iter().sum::<f64>() - lower[member];
    let low = if lower[member] > 0.0 {
        lower[member] / (lower[member] + others_upper)
    } else {
        0.0
    };
    let high = if upper[member] <= 0.0 {
        0.0
    } else if others_lower > 0.0 {
        upper[member] / (upper[member] + others_lower)
    } else {
        1.0
    };
    (low, high)
}

impl<'a> Polytope<'a> {
    pub(super) fn new<M: WeightModel>(
        model: &'a M,
        region: &'a WeightRegion,
    ) -> Result<Self, WeightAnalysisError> {
        region.validate(model)?;
        let form = model.linear_form();
        let mut group_of_weight = vec![usize::MAX; region.lower.len()];
        let mut groups: Vec<ScaledGroup> = form
            .sibling_groups()
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let scale = group
                    .weights
                    .iter()
                    .map(|&w| region.upper[w])
                    .fold(0.0, f64::max);
                for &w in &group.weights {
                    group_of_weight[w] = g;
                }
                let lower: Vec<f64> = group
                    .weights
                    .iter()
                    .map(|&w| region.lower[w] / scale)
                    .collect();
                let upper: Vec<f64> = group
                    .weights
                    .iter()
                    .map(|&w| region.upper[w] / scale)
                    .collect();
                let lower_sum: f64 = lower.iter().sum();
                ScaledGroup {
                    scale,
                    tau_upper: if lower_sum > 0.0 {
                        1.0 / lower_sum
                    } else {
                        f64::INFINITY
                    },
                    lower,
                    upper,
                    constraints: Vec::new(),
                }
            })
            .collect();
        for constraint in &region.constraints {
            let g = group_of_weight[constraint.terms[0].0];
            let weights = &form.sibling_groups()[g].weights;
            let terms = constraint
                .terms
                .iter()
                .map(|&(w, a)| (weights.iter().position(|&v| v == w).unwrap_or(0), a))
                .collect();
            let rhs = constraint.rhs / groups[g].scale;
            groups[g]
                .constraints
                .push((terms, constraint.relation, rhs));
        }
        let mut x_lower = vec![1.0; form.n_variables()];
        let mut x_upper = vec![1.0; form.n_variables()];
        for j in 0..form.n_variables() {
            for &(g, m) in form.path(j) {
                let (low, high) = share_bounds(&groups[g].lower, &groups[g].upper, m);
                x_lower[j] *= low;
                x_upper[j] *= high;
            }
        }
        let box_exact = region.constraints.is_empty();
        let (child_group, bottom_up, roots) = group_tree(form);
        let mut polytope = Polytope {
            form,
            region,
            nominal: model.nominal_weights(),
            x_lower,
            x_upper,
            groups,
            box_exact,
            child_group,
            bottom_up,
            roots,
            feasible_raw: Vec::new(),
        };
        // One feasibility LP: an empty region is an input error, reported before any bound.
        let mut vars = variables!();
        let pv = polytope.add_variables(&mut vars);
        let solution = vars
            .minimise(Expression::with_capacity(0))
            .using(solver)
            .with_all(polytope.constraints(&pv))
            .solve_exact()
            .map_err(|e| match e {
                ResolutionError::Infeasible => WeightAnalysisError::EmptyRegion,
                other => solver_error("a feasible point of the weight region", other),
            })?;
        let (x, tau) = pv.values(&solution);
        polytope.feasible_raw = polytope.witness(&x, &tau);
        Ok(polytope)
    }

    pub(super) fn add_variables(&self, vars: &mut ProblemVariables) -> PolytopeVariables {
        let x = (0..self.form.n_variables())
            .map(|j| vars.add(variable().min(self.x_lower[j]).max(self.x_upper[j])))
            .collect();
        let tau = self
            .groups
            .iter()
            .map(|g| vars.add(variable().min(0.0).max(g.tau_upper)))
            .collect();
        PolytopeVariables { x, tau }
    }

    /// `Σ x = 1` per unit sum; `lo_m τ_g ≤ S_m ≤ hi_m τ_g`; sibling constraints `Σ a S (rel) b τ_g`.
    pub(super) fn constraints(&self, pv: &PolytopeVariables) -> Vec<good_lp::Constraint> {
        let mut out = Vec::new();
        for set in self.form.unit_sums() {
            let mut sum = Expression::with_capacity(set.len());
            for &j in set {
                sum.add_mul(1.0, pv.x[j]);
            }
            out.push(sum.eq(1.0));
        }
        for (g, (scaled, group)) in self
            .groups
            .iter()
            .zip(self.form.sibling_groups())
            .enumerate()
        {
            let share = |m: usize| {
                let mut s = Expression::with_capacity(group.members[m].len() + 1);
                for &j in &group.members[m] {
                    s.add_mul(1.0, pv.x[j]);
                }
                s
            };
            for m in 0..group.members.len() {
                let mut low = share(m);
                low.add_mul(-scaled.lower[m], pv.tau[g]);
                out.push(low.geq(0.0));
                let mut high = share(m);
                high.add_mul(-scaled.upper[m], pv.tau[g]);
                out.push(high.leq(0.0));
            }
            for (terms, relation, rhs) in &scaled.constraints {
                let mut lhs = Expression::with_capacity(8);
                for &(m, a) in terms {
                    for &j in &group.members[m] {
                        lhs.add_mul(a, pv.x[j]);
                    }
                }
                lhs.add_mul(-rhs, pv.tau[g]);
                out.push(match relation {
                    Relation::LessEq => lhs.leq(0.0),
                    Relation::GreaterEq => lhs.geq(0.0),
                    Relation::Equal => lhs.eq(0.0),
                });
            }
        }
        out
    }

    /// Raw weights from `(x, τ)`: `w_m = scale_g · S_m / τ_g`, clamped into the box; weights
    /// outside every sibling group (the top node) stay nominal, clamped into their interval.
    pub(super) fn witness(&self, x: &[f64], tau: &[f64]) -> Vec<f64> {
        let mut raw: Vec<f64> = self
            .nominal
            .iter()
            .zip(self.region.lower.iter().zip(&self.region.upper))
            .map(|(w, (lo, hi))| w.clamp(*lo, *hi))
            .collect();
        for (g, (scaled, group)) in self
            .groups
            .iter()
            .zip(self.form.sibling_groups())
            .enumerate()
        {
            for (m, &w) in group.weights.iter().enumerate() {
                let share: f64 = group.members[m].iter().map(|&j| x[j]).sum();
                let value = if tau[g] > 1e-300 {
                    scaled.scale * share / tau[g]
                } else {
                    raw[w]
                };
                raw[w] = value.clamp(self.region.lower[w], self.region.upper[w]);
            }
        }
        raw
    }

    /// Bounds `(low, high)` on `Σ_j c_j x_j` over the polytope: exact for a plain box (see
    /// [`Polytope::box_range`]), otherwise the valid outer bound from `x`'s intervals and the unit
    /// sums.
    pub(super) fn quick_range(&self, c: &[f64], scratch: &mut BoxScratch) -> (f64, f64) {
        if self.box_exact {
            return (self.box_min(c, 1.0, scratch), -self.box_min(c, -1.0, scratch));
        }
        let mut low = 0.0;
        let mut high = 0.0;
        for set in self.form.unit_sums() {
            low += greedy_min(set, c, &self.x_lower, &self.x_upper, 1.0);
            high -= greedy_min(set, c, &self.x_lower, &self.x_upper, -1.0);
        }
        (low, high)
    }

    /// `min Σ_j sign·c_j x_j` over a plain box, exactly, in closed form. Every variable is the
    /// product of the normalised weights on its path, so the sum is multilinear and separates
    /// over the tree: a group's value is `min Σ_m v_m V_m` over its members' normalised weights,
    /// where `V_m` is the member's own minimum (its coefficient for a single variable, else the
    /// value of its children's group, minimised independently because the shares are `≥ 0` and
    /// the subtrees share no weight). Each group is then a linear-fractional program over a box,
    /// solved by [`fractional_min`] (Charnes & Cooper 1962); a flat level is the one-level case.
    /// This is the closed form of the per-parent fractional knapsack, and it decides most units
    /// against the focus without any LP (issue #15).
    fn box_min(&self, c: &[f64], sign: f64, scratch: &mut BoxScratch) -> f64 {
        self.box_min_within(c, sign, &self.region.lower, &self.region.upper, scratch)
    }

    /// [`Polytope::box_min`] over the sub-box `lower ≤ w ≤ upper` of raw weights (indexed like
    /// the region's bounds; any box inside the region's, which must be a plain box), with
    /// caller-owned buffers so that a branch and bound over sub-boxes allocates nothing per call.
    /// Each group's ratio is scale-free, so raw bounds give the same optimum as scaled ones.
    pub(super) fn box_min_within(
        &self,
        c: &[f64],
        sign: f64,
        lower: &[f64],
        upper: &[f64],
        scratch: &mut BoxScratch,
    ) -> f64 {
        let groups = self.form.sibling_groups();
        let BoxScratch {
            value,
            coefficients,
            lower: group_lower,
            upper: group_upper,
            order,
            ..
        } = scratch;
        for &g in &self.bottom_up {
            coefficients.clear();
            coefficients.extend(groups[g].members.iter().zip(&self.child_group[g]).map(
                |(variables, child)| match child {
                    Some(child) => value[*child],
                    None => sign * c[variables[0]],
                },
            ));
            group_lower.clear();
            group_lower.extend(groups[g].weights.iter().map(|&w| lower[w]));
            group_upper.clear();
            group_upper.extend(groups[g].weights.iter().map(|&w| upper[w]));
            value[g] = fractional_min_into(coefficients, group_lower, group_upper, order);
        }
        self.roots.iter().map(|&g| value[g]).sum()
    }

    /// The variables at raw weights `w`: each `x_j` is the product of the normalised weights
    /// `w_m / Σ_siblings w` on its path (the map the polytope is the image of). False, and `x`
    /// unset, when some sibling group's weights sum to zero (a box corner with every lower
    /// bound 0): such weights renormalise to nothing and score no unit.
    pub(super) fn variables_at(
        &self,
        weights_raw: &[f64],
        scratch: &mut BoxScratch,
        x: &mut [f64],
    ) -> bool {
        let groups = self.form.sibling_groups();
        for (total, group) in scratch.totals.iter_mut().zip(groups) {
            *total = group.weights.iter().map(|&w| weights_raw[w]).sum();
        }
        if scratch.totals.iter().any(|&t| t.is_nan() || t <= 0.0) {
            return false;
        }
        for (j, value) in x.iter_mut().enumerate() {
            *value = self
                .form
                .path(j)
                .iter()
                .map(|&(g, m)| weights_raw[groups[g].weights[m]] / scratch.totals[g])
                .product();
        }
        true
    }

    /// Exact `(min, max)` of `Σ_j c_j x_j` over the polytope by two LPs.
    pub(super) fn lp_range(&self, c: &[f64]) -> Result<(f64, f64), WeightAnalysisError> {
        let mut ends = [0.0; 2];
        for (k, sign) in [1.0, -1.0].into_iter().enumerate() {
            let mut vars = variables!();
            let pv = self.add_variables(&mut vars);
            let objective = linear_expression(c, &pv.x, sign);
            let solution = vars
                .minimise(objective.clone())
                .using(solver)
                .with_all(self.constraints(&pv))
                .solve_exact()
                .map_err(|e| solver_error("the range of a score difference", e))?;
            ends[k] = sign * solution.eval(&objective);
        }
        Ok((ends[0], ends[1]))
    }
}

impl PolytopeVariables {
    pub(super) fn values<S: Solution>(&self, solution: &S) -> (Vec<f64>, Vec<f64>) {
        (
            self.x.iter().map(|&v| solution.value(v)).collect(),
            self.tau.iter().map(|&v| solution.value(v)).collect(),
        )
    }
}

pub(super) fn linear_expression(c: &[f64], x: &[Variable], sign: f64) -> Expression {
    let mut e = Expression::with_capacity(c.len());
    for (&coefficient, &v) in c.iter().zip(x) {
        if coefficient != 0.0 {
            e.add_mul(sign * coefficient, v);
        }
    }
    e
}

/// The group tree of a linear form: for each group and member the member's child group, the
/// groups children-first, and the groups without a parent. A variable's path lists its groups
/// from its own up to the top, so each step up names the parent member of the group below.
fn group_tree(form: &LinearForm) -> (Vec<Vec<Option<usize>>>, Vec<usize>, Vec<usize>) {
    let groups = form.sibling_groups();
    let mut child_group: Vec<Vec<Option<usize>>> =
        groups.iter().map(|g| vec![None; g.members.len()]).collect();
    let mut has_parent = vec![false; groups.len()];
    let mut height = vec![0usize; groups.len()];
    for j in 0..form.n_variables() {
        let path = form.path(j);
        for (k, pair) in path.windows(2).enumerate() {
            let ((below, _), (above, member)) = (pair[0], pair[1]);
            child_group[above][member] = Some(below);
            has_parent[below] = true;
            height[above] = height[above].max(k + 1);
        }
    }
    let mut bottom_up: Vec<usize> = (0..groups.len()).collect();
    bottom_up.sort_by_key(|&g| height[g]);
    let roots = (0..groups.len()).filter(|&g| !has_parent[g]).collect();
    (child_group, bottom_up, roots)
}

/// `min Σ c_s w_s / Σ w_s` over `lower ≤ w ≤ upper`: at the optimum `λ*` every `w_s` sits at
/// `upper` if `c_s < λ*` and at `lower` if `c_s > λ*`, so trying every threshold in sorted order
/// is exhaustive (linear-fractional programming over a box; Charnes & Cooper 1962).
#[cfg(test)]
pub(super) fn fractional_min(c: &[f64], lower: &[f64], upper: &[f64]) -> f64 {
    fractional_min_into(c, lower, upper, &mut Vec::with_capacity(c.len()))
}

/// [`fractional_min`] with the caller's buffer for the sort order.
fn fractional_min_into(c: &[f64], lower: &[f64], upper: &[f64], order: &mut Vec<usize>) -> f64 {
    order.clear();
    order.extend(0..c.len());
    order.sort_unstable_by(|&a, &b| c[a].total_cmp(&c[b]).then(a.cmp(&b)));
    // Threshold p: the p smallest at upper, the rest at lower.
    let mut numerator: f64 = c.iter().zip(lower).map(|(a, l)| a * l).sum();
    let mut denominator: f64 = lower.iter().sum();
    let mut best = if denominator > 0.0 {
        numerator / denominator
    } else {
        f64::INFINITY
    };
    for &s in order.iter() {
        numerator += c[s] * (upper[s] - lower[s]);
        denominator += upper[s] - lower[s];
        if denominator > 0.0 {
            best = best.min(numerator / denominator);
        }
    }
    best
}

/// `min Σ_{j∈set} sign·c_j x_j` s.t. `Σ_{j∈set} x_j = 1`, `lower ≤ x ≤ upper` (fractional
/// knapsack: fill the cheapest first). A valid lower bound on the same sum over any subset.
pub(super) fn greedy_min(set: &[usize], c: &[f64], lower: &[f64], upper: &[f64], sign: f64) -> f64 {
    let mut order = set.to_vec();
    order.sort_by(|&a, &b| (sign * c[a]).total_cmp(&(sign * c[b])));
    let mut remaining = 1.0 - set.iter().map(|&j| lower[j]).sum::<f64>();
    let mut value: f64 = set.iter().map(|&j| sign * c[j] * lower[j]).sum();
    for &j in &order {
        if remaining <= 0.0 {
            break;
        }
        let step = remaining.min(upper[j] - lower[j]);
        value += sign * c[j] * step;
        remaining -= step;
    }
    value
}
