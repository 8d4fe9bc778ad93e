//! Every weight of a framework tree at once: scores `Σ_i e_i x_ui` in the effective indicator
//! weights `e`, whose reachable set is the exact polytope of the module documentation.

use super::*;

/// The inputs of a [`TreeModel`]. Node storage follows `model::Framework`: nodes
/// `0..n_leaves` are the leaves in column order, aggregates follow.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeModelSpec {
    /// Leaf (indicator) values, one row per unit (`units × leaves`), without missing values.
    pub leaf_values: Vec<Vec<f64>>,
    /// Parent of every node; `None` for the single top node.
    pub parents: Vec<Option<usize>>,
    /// Raw nominal weight of every node (the top node's is ignored).
    pub nominal_weights: Vec<f64>,
    pub node_codes: Vec<String>,
    pub scale: ScoreScale,
    pub unit_codes: Vec<String>,
}

/// Index scores as a function of the raw weights of every node of a framework tree, with the
/// same aggregation family at every level: `score_u = Σ_i e_i x_ui` (arithmetic) or
/// `ln score_u = Σ_i e_i ln x_ui` (geometric), `e_i = Π_{n on i's path} w_n / Σ_{siblings m of n} w_m`.
/// See the module documentation for the exact polytope of reachable `e`.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeModel {
    n_units: usize,
    n_leaves: usize,
    /// Row-major units × leaves, `x` or `ln x`.
    transformed: Vec<f64>,
    parents: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    /// For each leaf, the nodes from the leaf up to (excluding) the top.
    leaf_paths: Vec<Vec<usize>>,
    top: usize,
    nominal_weights: Vec<f64>,
    node_codes: Vec<String>,
    scale: ScoreScale,
    unit_codes: Vec<String>,
    form: LinearForm,
}

impl TreeModel {
    /// Validates the tree (one top node, leaves first and childless, every aggregate with
    /// children, no cycles), the data (complete, positive on the log scale) and the weights
    /// (non-negative, positive sum under every aggregate).
    pub fn new(spec: TreeModelSpec) -> Result<Self, WeightAnalysisError> {
        let TreeModelSpec {
            leaf_values,
            parents,
            nominal_weights,
            node_codes,
            scale,
            unit_codes,
        } = spec;
        let n_units = leaf_values.len();
        let n_nodes = parents.len();
        let n_leaves = leaf_values.first().map_or(0, Vec::len);
        if n_units == 0 || n_leaves == 0 {
            return Err(invalid_model(
                format!("{n_units} units and {n_leaves} leaves"),
                "the model needs at least one unit and one leaf",
            ));
        }
        if unit_codes.len() != n_units {
            return Err(invalid_model(
                format!("{} unit codes for {n_units} rows", unit_codes.len()),
                "give one code per row of leaf values",
            ));
        }
        if node_codes.len() != n_nodes || nominal_weights.len() != n_nodes || n_nodes <= n_leaves {
            return Err(invalid_model(
                format!(
                    "{n_nodes} parents, {} codes, {} weights for {n_leaves} leaves",
                    node_codes.len(),
                    nominal_weights.len()
                ),
                "give one parent, code and weight per node, leaves first, with at least a top node",
            ));
        }
        check_codes(&unit_codes, "unit")?;
        check_codes(&node_codes, "node")?;
        check_weights(&nominal_weights, &node_codes)?;
        let leaf_codes = &node_codes[..n_leaves];
        let transformed = transform_rows(&leaf_values, n_leaves, scale, leaf_codes, &unit_codes)?;
        let tops: Vec<usize> = (0..n_nodes).filter(|&n| parents[n].is_none()).collect();
        if tops.len() != 1 || tops[0] < n_leaves {
            return Err(invalid_model(
                format!("top nodes (without parent): {tops:?}"),
                "exactly one aggregate node must have no parent",
            ));
        }
        let top = tops[0];
        let mut children = vec![Vec::new(); n_nodes];
        for (n, parent) in parents.iter().enumerate() {
            if let Some(p) = *parent {
                if p >= n_nodes || p == n || p < n_leaves {
                    return Err(invalid_model(
                        format!("node `{}` has parent index {p}", node_codes[n]),
                        "parents must be aggregate nodes (index ≥ number of leaves) other than the node",
                    ));
                }
                children[p].push(n);
            }
        }
        if let Some(n) = (n_leaves..n_nodes).find(|&n| children[n].is_empty()) {
            return Err(invalid_model(
                format!("aggregate `{}` has no children", node_codes[n]),
                "every aggregate needs at least one child",
            ));
        }
        let mut leaf_paths = Vec::with_capacity(n_leaves);
        for (leaf, leaf_code) in leaf_codes.iter().enumerate() {
            let mut path = Vec::new();
            let mut node = leaf;
            while let Some(p) = parents[node] {
                path.push(node);
                node = p;
                if path.len() > n_nodes {
                    return Err(invalid_model(
                        format!("the parents above `{leaf_code}` form a cycle"),
                        "parents must form a tree",
                    ));
                }
            }
            leaf_paths.push(path);
        }
        // Reachability of every aggregate from some leaf follows from "every aggregate has
        // children" plus acyclicity of the leaves' paths, except for detached cycles of aggregates.
        let mut reached = vec![false; n_nodes];
        reached[top] = true;
        for path in &leaf_paths {
            for &n in path {
                reached[n] = true;
            }
        }
        if let Some(n) = reached.iter().position(|r| !r) {
            return Err(invalid_model(
                format!("node `{}` is not connected to the top node", node_codes[n]),
                "parents must form a single tree",
            ));
        }
        for (p, kids) in children.iter().enumerate() {
            if !kids.is_empty() && kids.iter().map(|&c| nominal_weights[c]).sum::<f64>() <= 0.0 {
                return Err(invalid_model(
                    format!("the children of `{}` have zero total weight", node_codes[p]),
                    "every aggregate needs a child with positive nominal weight",
                ));
            }
        }

        // Linearisation: variables are the leaves' effective weights e_i.
        let leaves_under = {
            let mut under = vec![Vec::new(); n_nodes];
            for (leaf, path) in leaf_paths.iter().enumerate() {
                for &n in path {
                    under[n].push(leaf);
                }
            }
            under
        };
        let mut sibling_groups = Vec::new();
        let mut group_of_parent = vec![usize::MAX; n_nodes];
        for (p, kids) in children.iter().enumerate() {
            if kids.is_empty() {
                continue;
            }
            group_of_parent[p] = sibling_groups.len();
            sibling_groups.push(SiblingGroup {
                weights: kids.clone(),
                members: kids.iter().map(|&c| leaves_under[c].clone()).collect(),
            });
        }
        let paths = leaf_paths
            .iter()
            .map(|path| {
                path.iter()
                    .map(|&n| {
                        let p = parents[n].unwrap_or(top);
                        let m = children[p].iter().position(|&c| c == n).unwrap_or(0);
                        (group_of_parent[p], m)
                    })
                    .collect()
            })
            .collect();
        let form = LinearForm {
            n_units,
            n_variables: n_leaves,
            coefficients: transformed.clone(),
            unit_sums: vec![(0..n_leaves).collect()],
            sibling_groups,
            paths,
        };
        Ok(TreeModel {
            n_units,
            n_leaves,
            transformed,
            parents,
            children,
            leaf_paths,
            top,
            nominal_weights,
            node_codes,
            scale,
            unit_codes,
            form,
        })
    }

    #[cfg(any(test, feature = "internals"))]
    pub fn n_leaves(&self) -> usize {
        self.n_leaves
    }
    #[cfg(any(test, feature = "internals"))]
    pub fn node_codes(&self) -> &[String] {
        &self.node_codes
    }
    #[cfg(any(test, feature = "internals"))]
    pub fn parents(&self) -> &[Option<usize>] {
        &self.parents
    }
    #[cfg(any(test, feature = "internals"))]
    pub fn top(&self) -> usize {
        self.top
    }

    /// Effective weight of leaf `i`: the product of normalised weights along its path.
    pub fn effective_weight(&self, weights_raw: &[f64], leaf: usize) -> f64 {
        self.leaf_paths[leaf]
            .iter()
            .map(|&n| {
                let parent = self.parents[n].unwrap_or(self.top);
                let total: f64 = self.children[parent].iter().map(|&c| weights_raw[c]).sum();
                weights_raw[n] / total
            })
            .product()
    }

    /// Linear scores (`ln score` on the log scale): `Σ_i e_i(w) x_ui`.
    pub fn linear_score(&self, weights_raw: &[f64], out: &mut [f64]) {
        assert_eq!(weights_raw.len(), self.parents.len(), "one weight per node");
        assert_eq!(out.len(), self.n_units, "one output per unit");
        out.fill(0.0);
        for leaf in 0..self.n_leaves {
            let e = self.effective_weight(weights_raw, leaf);
            for (u, value) in out.iter_mut().enumerate() {
                *value += e * self.transformed[u * self.n_leaves + leaf];
            }
        }
    }
}

impl WeightModel for TreeModel {
    fn n_units(&self) -> usize {
        self.n_units
    }
    fn unit_codes(&self) -> &[String] {
        &self.unit_codes
    }
    fn weight_codes(&self) -> &[String] {
        &self.node_codes
    }
    fn nominal_weights(&self) -> &[f64] {
        &self.nominal_weights
    }
    fn scale(&self) -> ScoreScale {
        self.scale
    }
    fn linear_score(&self, weights_raw: &[f64], out: &mut [f64]) {
        TreeModel::linear_score(self, weights_raw, out);
    }
    fn linear_form(&self) -> &LinearForm {
        &self.form
    }
}
