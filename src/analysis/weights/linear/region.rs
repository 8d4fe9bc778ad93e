//! The weight region an analysis ranges over: a box on the raw weights with linear constraints
//! among siblings, read from a `code,lo,hi` CSV, and checked against a model.

use super::*;

/// How a linear weight constraint compares its left side with the right side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Relation {
    LessEq,
    GreaterEq,
    Equal,
}

/// A linear constraint `Σ coefficient · w_raw (relation) rhs` among the raw weights of one
/// sibling group (raw weights of different parents have no common scale, so constraints across
/// parents are rejected).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightConstraint {
    /// `(raw weight index, coefficient)` pairs.
    pub terms: Vec<(usize, f64)>,
    pub relation: Relation,
    pub rhs: f64,
}

/// The set of raw weight vectors an analysis ranges over: a box `lower ≤ w ≤ upper` (one interval
/// per raw weight; `lower == upper` fixes a weight) intersected with linear constraints within
/// sibling groups. Its image in normalised weights is a polytope (module documentation).
///
/// File format ([`WeightRegion::read_csv`]): a CSV with header `code,lo,hi`, one row per weight
/// that varies; weights not listed stay fixed at their nominal value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightRegion {
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub constraints: Vec<WeightConstraint>,
}

impl WeightRegion {
    /// Every weight fixed at its nominal value.
    pub fn fixed<M: WeightModel + ?Sized>(model: &M) -> Self {
        WeightRegion {
            lower: model.nominal_weights().to_vec(),
            upper: model.nominal_weights().to_vec(),
            constraints: Vec::new(),
        }
    }

    /// Every weight within `nominal · (1 ± spread)`, `0 ≤ spread ≤ 1` (COINr's uniform noise
    /// range, Saisana et al. 2005).
    pub fn relative<M: WeightModel + ?Sized>(model: &M, spread: f64) -> Self {
        let mut region = Self::fixed(model);
        for w in 0..region.lower.len() {
            region.set_relative(w, model.nominal_weights()[w], spread);
        }
        region
    }

    /// Lets weight `w` vary within `nominal · (1 ± spread)`.
    pub fn set_relative(&mut self, weight: usize, nominal: f64, spread: f64) {
        self.lower[weight] = nominal * (1.0 - spread);
        self.upper[weight] = nominal * (1.0 + spread);
    }

    /// Lets weight `w` vary within `[lower, upper]`.
    pub fn set_bounds(&mut self, weight: usize, lower: f64, upper: f64) {
        self.lower[weight] = lower;
        self.upper[weight] = upper;
    }

    pub fn add_constraint(&mut self, constraint: WeightConstraint) {
        self.constraints.push(constraint);
    }

    /// Reads `code,lo,hi` rows (header required; extra columns ignored). Unlisted weights are
    /// fixed at nominal. `file` names the source in error messages.
    pub fn read_csv<M: WeightModel + ?Sized, R: Read>(
        model: &M,
        reader: R,
        file: &str,
    ) -> Result<Self, WeightAnalysisError> {
        let file_error =
            |line: usize, problem: String, fix: &str| WeightAnalysisError::RegionFile {
                file: file.to_string(),
                line,
                problem,
                fix: fix.to_string(),
            };
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(reader);
        let headers = csv
            .headers()
            .map_err(|e| file_error(1, e.to_string(), "write a CSV with header code,lo,hi"))?
            .clone();
        let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let (Some(code_col), Some(lo_col), Some(hi_col)) =
            (column("code"), column("lo"), column("hi"))
        else {
            return Err(file_error(
                1,
                format!(
                    "header is `{}`",
                    headers.iter().collect::<Vec<_>>().join(",")
                ),
                "the header must contain the columns code, lo and hi",
            ));
        };
        let mut region = Self::fixed(model);
        let mut seen = vec![false; region.lower.len()];
        for (i, record) in csv.records().enumerate() {
            let line = i + 2;
            let record = record.map_err(|e| file_error(line, e.to_string(), "fix the CSV row"))?;
            let code = record.get(code_col).unwrap_or("");
            let Some(w) = model.weight_codes().iter().position(|c| c == code) else {
                return Err(file_error(
                    line,
                    format!("unknown weight code `{code}`"),
                    "use the codes of the weights being analysed",
                ));
            };
            if std::mem::replace(&mut seen[w], true) {
                return Err(file_error(
                    line,
                    format!("weight `{code}` is listed twice"),
                    "list each weight once",
                ));
            }
            let parse = |col: usize, name: &str| {
                let text = record.get(col).unwrap_or("");
                text.parse::<f64>().map_err(|_| {
                    file_error(
                        line,
                        format!("{name} of `{code}` is `{text}`, not a number"),
                        "write lo and hi as numbers",
                    )
                })
            };
            region.set_bounds(w, parse(lo_col, "lo")?, parse(hi_col, "hi")?);
        }
        region.validate(model)?;
        Ok(region)
    }

    /// Whether raw weights lie in the region, up to `tolerance` (absolute, in raw-weight units).
    pub fn contains(&self, weights_raw: &[f64], tolerance: f64) -> bool {
        let in_box = weights_raw
            .iter()
            .zip(self.lower.iter().zip(&self.upper))
            .all(|(w, (lo, hi))| *w >= lo - tolerance && *w <= hi + tolerance);
        in_box
            && self.constraints.iter().all(|c| {
                let lhs: f64 = c.terms.iter().map(|&(w, a)| a * weights_raw[w]).sum();
                let scale = c.terms.iter().map(|&(_, a)| a.abs()).sum::<f64>().max(1.0);
                match c.relation {
                    Relation::LessEq => lhs <= c.rhs + tolerance * scale,
                    Relation::GreaterEq => lhs >= c.rhs - tolerance * scale,
                    Relation::Equal => (lhs - c.rhs).abs() <= tolerance * scale,
                }
            })
    }

    /// Checks the region against the model: one finite interval `0 ≤ lower ≤ upper` per weight,
    /// a positive upper sum in every sibling group, constraints within one sibling group.
    pub fn validate<M: WeightModel + ?Sized>(&self, model: &M) -> Result<(), WeightAnalysisError> {
        let codes = model.weight_codes();
        if self.lower.len() != codes.len() || self.upper.len() != codes.len() {
            return Err(invalid_region(
                format!(
                    "{} lower and {} upper bounds for {} weights",
                    self.lower.len(),
                    self.upper.len(),
                    codes.len()
                ),
                "give one interval per raw weight of the model",
            ));
        }
        for (w, code) in codes.iter().enumerate() {
            let (lo, hi) = (self.lower[w], self.upper[w]);
            if !lo.is_finite() || !hi.is_finite() || lo < 0.0 || lo > hi {
                return Err(invalid_region(
                    format!("weight `{code}` ranges over [{lo}, {hi}]"),
                    "use finite bounds with 0 ≤ lo ≤ hi",
                ));
            }
        }
        let form = model.linear_form();
        let mut group_of_weight = vec![usize::MAX; codes.len()];
        for (g, group) in form.sibling_groups().iter().enumerate() {
            for &w in &group.weights {
                group_of_weight[w] = g;
            }
            if group.weights.iter().map(|&w| self.upper[w]).sum::<f64>() <= 0.0 {
                return Err(invalid_region(
                    format!(
                        "all weights among {:?} have upper bound 0",
                        group.weights.iter().map(|&w| &codes[w]).collect::<Vec<_>>()
                    ),
                    "siblings need at least one positive weight",
                ));
            }
        }
        for (i, c) in self.constraints.iter().enumerate() {
            let groups: Vec<usize> = c
                .terms
                .iter()
                .map(|&(w, _)| group_of_weight.get(w).copied().unwrap_or(usize::MAX))
                .collect();
            if c.terms.is_empty()
                || groups.contains(&usize::MAX)
                || groups.iter().any(|&g| g != groups[0])
                || !c.rhs.is_finite()
                || c.terms.iter().any(|&(_, a)| !a.is_finite())
            {
                return Err(invalid_region(
                    format!("constraint {i} ({c:?}) does not lie within one sibling group"),
                    "constrain only raw weights that share a parent, with finite coefficients",
                ));
            }
        }
        Ok(())
    }
}
