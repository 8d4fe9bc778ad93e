//! The weight region an analysis ranges over: a box on the raw weights with linear constraints
//! among siblings, read from a `code,lo,hi` CSV, and checked against a model.

use super::*;
use crate::model::input::csv::CsvTable;
use crate::model::input::suggest;
use crate::model::{Diagnostic, Location};

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
    #[cfg(any(test, feature = "internals"))]
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

    #[cfg(any(test, feature = "internals"))]
    pub fn add_constraint(&mut self, constraint: WeightConstraint) {
        self.constraints.push(constraint);
    }

    /// Reads a `code,lo,hi` region file (see [`read_region_rows`]). Unlisted weights are fixed
    /// at nominal. `file` names the source in error messages.
    pub fn read_csv<M: WeightModel + ?Sized>(
        model: &M,
        text: &str,
        file: &str,
    ) -> Result<Self, WeightAnalysisError> {
        let weight_codes = model.weight_codes();
        let mut region = Self::fixed(model);
        for row in read_region_rows(text, file)? {
            let Some(w) = weight_codes.iter().position(|c| *c == row.code) else {
                let known = weight_codes.iter().map(String::as_str);
                return Err(unknown_region_code(&row, known));
            };
            region.set_bounds(w, row.lower, row.upper);
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

/// One row of a `code,lo,hi` region file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RegionRow {
    pub code: String,
    pub lower: f64,
    pub upper: f64,
    /// Where the code was written, for messages about it.
    pub code_at: Location,
}

/// Reads a `code,lo,hi` region file with the one CSV reader of [`crate::model::input`]
/// (header required, column names in any case, extra columns ignored), so a damaged row reads
/// as it does in every other input file. Refuses a missing column, a non-number and a code
/// listed twice; what the codes mean is for the caller ([`unknown_region_code`]).
pub(crate) fn read_region_rows(
    text: &str,
    file: &str,
) -> Result<Vec<RegionRow>, WeightAnalysisError> {
    let refuse = |diagnostic: Diagnostic| WeightAnalysisError::RegionFile(Box::new(diagnostic));
    let mut diagnostics = Vec::new();
    let table = CsvTable::parse(
        file,
        text,
        "a header line `code,lo,hi` and one row per weight that varies",
        &mut diagnostics,
    );
    if let Some(first) = diagnostics.into_iter().next() {
        return Err(refuse(first));
    }
    let table = table.expect("a table when nothing was reported");
    let (Some(code_col), Some(lo_col), Some(hi_col)) = (
        table.column_ignoring_case("code"),
        table.column_ignoring_case("lo"),
        table.column_ignoring_case("hi"),
    ) else {
        return Err(refuse(Diagnostic::new(
            Location::file(file).line(1),
            format!("the header is `{}`", table.header.join(",")),
            "the header must name the columns code, lo and hi",
        )));
    };
    if table.rows.is_empty() {
        return Err(refuse(Diagnostic::new(
            Location::file(file).line(1),
            "the file lists no weights",
            "add one `code,lo,hi` row per weight that varies",
        )));
    }
    let mut rows: Vec<RegionRow> = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let at = |column: usize| table.at(row.line, &table.header[column]);
        let code = row.cells[code_col].clone();
        if rows.iter().any(|earlier| earlier.code == code) {
            return Err(refuse(Diagnostic::new(
                at(code_col),
                format!("weight `{code}` is listed twice"),
                "list each weight once",
            )));
        }
        let number = |column: usize, name: &str| {
            let text = row.cells[column].as_str();
            text.parse::<f64>().map_err(|_| {
                refuse(Diagnostic::new(
                    at(column),
                    format!("{name} of `{code}` is `{text}`, not a number"),
                    "write lo and hi as numbers",
                ))
            })
        };
        let (lower, upper) = (number(lo_col, "lo")?, number(hi_col, "hi")?);
        rows.push(RegionRow {
            code_at: at(code_col),
            code,
            lower,
            upper,
        });
    }
    Ok(rows)
}

/// The one message for a region-file code that names no weight being analysed.
pub(crate) fn unknown_region_code<'c>(
    row: &RegionRow,
    known: impl Iterator<Item = &'c str> + Clone,
) -> WeightAnalysisError {
    let fix = match suggest::nearest(&row.code, known.clone()) {
        Some(near) => suggest::did_you_mean(near),
        None => format!(
            "use the codes of the weights being analysed: {}",
            suggest::listing(&known.collect::<Vec<_>>())
        ),
    };
    WeightAnalysisError::RegionFile(Box::new(Diagnostic::new(
        row.code_at.clone(),
        format!("unknown weight code `{}`", row.code),
        fix,
    )))
}
