//! One level's weights: scores `Σ_g M_g (Σ_{s∈g} w_s C_us)/(Σ_{s∈g} w_s)` with every other weight
//! fixed, the model the stability walk and the level bounds run on.

use super::*;

/// The inputs of a [`LevelModel`].
#[derive(Debug, Clone, PartialEq)]
pub struct LevelModelSpec {
    /// Component values, one row per unit (`units × components`), without missing values.
    pub components: Vec<Vec<f64>>,
    /// Components grouped by parent: a partition of `0..n_components`.
    pub groups: Vec<Vec<usize>>,
    /// Effective weight `M_g > 0` of each group's parent in the index.
    pub group_multipliers: Vec<f64>,
    pub scale: ScoreScale,
    /// Raw nominal weight of each component (renormalised within its group).
    pub nominal_weights: Vec<f64>,
    pub component_codes: Vec<String>,
    pub unit_codes: Vec<String>,
}

/// Index scores as a function of one level's weights, everything else fixed:
/// `score_u(w) = Σ_g M_g (Σ_{s∈g} w_s C_us)/(Σ_{s∈g} w_s)` on [`ScoreScale::Linear`],
/// `ln score_u(w)` of the same form with `ln C` on [`ScoreScale::Log`]. See the module
/// documentation for when this is the index exactly.
///
/// Components are stored row-major (`units × components`), after the scale transform
/// (`ln C` on the log scale), so a score is one pass over a contiguous row per unit.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelModel {
    n_units: usize,
    n_components: usize,
    /// Row-major units × components, `C` or `ln C`.
    transformed: Vec<f64>,
    groups: Vec<Vec<usize>>,
    group_of: Vec<usize>,
    group_multipliers: Vec<f64>,
    scale: ScoreScale,
    nominal_weights: Vec<f64>,
    component_codes: Vec<String>,
    unit_codes: Vec<String>,
    form: LinearForm,
}

impl LevelModel {
    /// Validates the inputs: complete finite data (strictly positive on the log scale), groups
    /// partitioning the components, positive multipliers, non-negative weights with a positive
    /// sum in every group, unique codes.
    pub fn new(spec: LevelModelSpec) -> Result<Self, WeightAnalysisError> {
        let LevelModelSpec {
            components,
            groups,
            group_multipliers,
            scale,
            nominal_weights,
            component_codes,
            unit_codes,
        } = spec;
        let n_units = components.len();
        let n_components = component_codes.len();
        if n_units == 0 || n_components == 0 {
            return Err(invalid_model(
                format!("{n_units} units and {n_components} components"),
                "the model needs at least one unit and one component",
            ));
        }
        if unit_codes.len() != n_units {
            return Err(invalid_model(
                format!("{} unit codes for {n_units} rows", unit_codes.len()),
                "give one code per row of components",
            ));
        }
        check_codes(&unit_codes, "unit")?;
        check_codes(&component_codes, "component")?;
        let transformed = transform_rows(
            &components,
            n_components,
            scale,
            &component_codes,
            &unit_codes,
        )?;
        let mut group_of = vec![usize::MAX; n_components];
        for (g, group) in groups.iter().enumerate() {
            if group.is_empty() {
                return Err(invalid_model(
                    format!("group {g} is empty"),
                    "drop empty groups",
                ));
            }
            for &s in group {
                if s >= n_components {
                    return Err(invalid_model(
                        format!("group {g} lists component {s}, but there are {n_components}"),
                        "groups must list component indices",
                    ));
                }
                if group_of[s] != usize::MAX {
                    return Err(invalid_model(
                        format!("component `{}` is in two groups", component_codes[s]),
                        "groups must partition the components",
                    ));
                }
                group_of[s] = g;
            }
        }
        if let Some(s) = group_of.iter().position(|&g| g == usize::MAX) {
            return Err(invalid_model(
                format!("component `{}` is in no group", component_codes[s]),
                "groups must partition the components",
            ));
        }
        if group_multipliers.len() != groups.len()
            || group_multipliers
                .iter()
                .any(|m| !m.is_finite() || *m <= 0.0)
        {
            return Err(invalid_model(
                format!(
                    "group multipliers {group_multipliers:?} for {} groups",
                    groups.len()
                ),
                "give one finite positive multiplier (the parent's effective weight) per group",
            ));
        }
        if nominal_weights.len() != n_components {
            return Err(invalid_model(
                format!(
                    "{} nominal weights for {n_components} components",
                    nominal_weights.len()
                ),
                "give one raw nominal weight per component",
            ));
        }
        check_weights(&nominal_weights, &component_codes)?;
        for (g, group) in groups.iter().enumerate() {
            if group.iter().map(|&s| nominal_weights[s]).sum::<f64>() <= 0.0 {
                return Err(invalid_model(
                    format!("the nominal weights of group {g} sum to zero"),
                    "every group needs a positive nominal weight",
                ));
            }
        }
        let mut coefficients = vec![0.0; n_units * n_components];
        for u in 0..n_units {
            for s in 0..n_components {
                coefficients[u * n_components + s] =
                    group_multipliers[group_of[s]] * transformed[u * n_components + s];
            }
        }
        let form = LinearForm {
            n_units,
            n_variables: n_components,
            coefficients,
            unit_sums: groups.clone(),
            sibling_groups: groups
                .iter()
                .map(|group| SiblingGroup {
                    weights: group.clone(),
                    members: group.iter().map(|&s| vec![s]).collect(),
                })
                .collect(),
            paths: (0..n_components)
                .map(|s| {
                    let g = group_of[s];
                    let m = groups[g].iter().position(|&t| t == s).unwrap_or(0);
                    vec![(g, m)]
                })
                .collect(),
        };
        Ok(LevelModel {
            n_units,
            n_components,
            transformed,
            groups,
            group_of,
            group_multipliers,
            scale,
            nominal_weights,
            component_codes,
            unit_codes,
            form,
        })
    }

    #[cfg(any(test, feature = "internals"))]
    pub fn n_components(&self) -> usize {
        self.n_components
    }
    pub fn component_codes(&self) -> &[String] {
        &self.component_codes
    }
    pub fn groups(&self) -> &[Vec<usize>] {
        &self.groups
    }
    /// Group of component `s`.
    pub fn group_of(&self, component: usize) -> usize {
        self.group_of[component]
    }
    pub fn group_multipliers(&self) -> &[f64] {
        &self.group_multipliers
    }
    /// Component value on the linear scale (`ln C` on the log scale), unit `u`, component `s`.
    pub fn transformed(&self, unit: usize, component: usize) -> f64 {
        self.transformed[unit * self.n_components + component]
    }

    /// Normalised weights `v_s = w_s / Σ_{s'∈g(s)} w_s'`.
    pub fn normalised_weights(&self, weights_raw: &[f64], out: &mut [f64]) {
        for group in &self.groups {
            let total: f64 = group.iter().map(|&s| weights_raw[s]).sum();
            for &s in group {
                out[s] = weights_raw[s] / total;
            }
        }
    }

    /// Linear scores (`ln score` on the log scale) at raw weights, renormalised within groups:
    /// `Σ_g M_g (Σ_{s∈g} w_s C_us)/(Σ_{s∈g} w_s)`.
    pub fn linear_score(&self, weights_raw: &[f64], out: &mut [f64]) {
        assert_eq!(
            weights_raw.len(),
            self.n_components,
            "one weight per component"
        );
        assert_eq!(out.len(), self.n_units, "one output per unit");
        out.fill(0.0);
        for (g, group) in self.groups.iter().enumerate() {
            let total: f64 = group.iter().map(|&s| weights_raw[s]).sum();
            let factor = self.group_multipliers[g] / total;
            for (u, value) in out.iter_mut().enumerate() {
                let row = &self.transformed[u * self.n_components..(u + 1) * self.n_components];
                let weighted: f64 = group.iter().map(|&s| weights_raw[s] * row[s]).sum();
                *value += factor * weighted;
            }
        }
    }
}

impl WeightModel for LevelModel {
    fn n_units(&self) -> usize {
        self.n_units
    }
    fn unit_codes(&self) -> &[String] {
        &self.unit_codes
    }
    fn weight_codes(&self) -> &[String] {
        &self.component_codes
    }
    fn nominal_weights(&self) -> &[f64] {
        &self.nominal_weights
    }
    fn scale(&self) -> ScoreScale {
        self.scale
    }
    fn linear_score(&self, weights_raw: &[f64], out: &mut [f64]) {
        LevelModel::linear_score(self, weights_raw, out);
    }
    fn linear_form(&self) -> &LinearForm {
        &self.form
    }
}
