//! Unit screening by data availability (COINr `Screen` with `unit_screen = "byNA"`), and what
//! every output says about the units it leaves out.

use serde::Serialize;

use crate::model::{Columns, Unit};

/// Indices of the units to keep: those whose share of non-missing indicators is at least
/// `threshold` (COINr keeps a unit unless `availability < threshold`).
pub fn screen_units(data: &Columns, threshold: f64) -> Vec<usize> {
    (0..data.n_rows())
        .filter(|&u| present_count(data, u) as f64 / data.n_cols() as f64 >= threshold)
        .collect()
}

fn present_count(data: &Columns, row: usize) -> usize {
    (0..data.n_cols())
        .filter(|&j| !data.get(row, j).is_nan())
        .count()
}

/// A unit that screening left out, with the numbers that decided it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreenedUnit {
    pub code: String,
    pub name: String,
    /// Indicators with a value (after imputation, the data screening sees).
    pub present: usize,
    pub indicators: usize,
    /// `present / indicators`, below [`Screening::threshold`].
    pub availability: f64,
    pub threshold: f64,
}

impl ScreenedUnit {
    /// "data availability 0.96 (24 of 25 indicators) is below the threshold 1.0".
    pub fn reason(&self) -> String {
        format!(
            "data availability {} ({} of {} indicators) is below the threshold {:?}",
            availability_text(self.availability, self.threshold),
            self.present,
            self.indicators,
            self.threshold
        )
    }

    /// `` `BEJ` (Beijing) `` or just `` `BEJ` `` when the name is the code.
    fn label(&self) -> String {
        if self.name == self.code {
            format!("`{}`", self.code)
        } else {
            format!("`{}` ({})", self.code, self.name)
        }
    }
}

/// The availability rounded to two decimals, with more if the rounding would reach the
/// threshold (0.8999 against 0.9 reads "0.8999", never "0.90 is below 0.9").
fn availability_text(availability: f64, threshold: f64) -> String {
    (2..=6)
        .map(|decimals| format!("{availability:.decimals$}"))
        .find(|text| text.parse::<f64>().is_ok_and(|shown| shown < threshold))
        .unwrap_or_else(|| availability.to_string())
}

/// Which units the nominal method's screening (`screen` in index.toml) keeps and leaves out.
/// Every output that ranks units discloses [`Screening::screened_out`], and a focus unit among
/// them gets a [`ScreenedOut`] error rather than "not in the data".
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Screening {
    /// `screen` of the nominal method; `None` when units are not screened.
    pub threshold: Option<f64>,
    /// Rows of the kept units in the index's data.
    #[serde(skip)]
    pub kept: Vec<usize>,
    pub screened_out: Vec<ScreenedUnit>,
}

impl Screening {
    /// Screens the rows of `data` (units × indicators, as the nominal method prepares them)
    /// at `threshold`; without one every unit is kept.
    pub fn of(units: &[Unit], data: &Columns, threshold: Option<f64>) -> Screening {
        let Some(threshold) = threshold else {
            return Screening {
                threshold: None,
                kept: (0..units.len()).collect(),
                screened_out: Vec::new(),
            };
        };
        let kept = screen_units(data, threshold);
        let indicators = data.n_cols();
        let screened_out = (0..units.len())
            .filter(|u| kept.binary_search(u).is_err())
            .map(|u| {
                let present = present_count(data, u);
                ScreenedUnit {
                    code: units[u].code.clone(),
                    name: units[u].name.clone(),
                    present,
                    indicators,
                    availability: present as f64 / indicators as f64,
                    threshold,
                }
            })
            .collect();
        Screening {
            threshold: Some(threshold),
            kept,
            screened_out,
        }
    }

    /// The one sentence every output uses to disclose the units screening left out, or `None`
    /// when it left out none.
    pub fn disclosure(&self) -> Option<String> {
        let threshold = self.threshold?;
        if self.screened_out.is_empty() {
            return None;
        }
        let total = self.kept.len() + self.screened_out.len();
        let units: Vec<String> = self
            .screened_out
            .iter()
            .map(|u| format!("{}: {}", u.label(), u.reason()))
            .collect();
        Some(format!(
            "Screening (`screen = {threshold:?}` in index.toml: a unit needs data for at least \
             that share of the indicators) left out {} of {total} units, which are not ranked: {}",
            self.screened_out.len(),
            units.join("; ")
        ))
    }

    /// The screened-out unit called `code_or_name` (matched like [`crate::model::Index::find_unit`]).
    pub fn find(&self, code_or_name: &str) -> Option<&ScreenedUnit> {
        let out = &self.screened_out;
        out.iter()
            .find(|u| u.code == code_or_name)
            .or_else(|| {
                out.iter()
                    .find(|u| u.name.eq_ignore_ascii_case(code_or_name))
            })
            .or_else(|| {
                out.iter()
                    .find(|u| u.code.eq_ignore_ascii_case(code_or_name))
            })
    }
}

/// A unit asked for by name (a focus unit) that screening left out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "{} was screened out: {}; fix: lower `screen` in index.toml or complete its data",
    .0.label(),
    .0.reason()
)]
pub struct ScreenedOut(pub ScreenedUnit);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_units_at_the_threshold() {
        let data = Columns::from_columns(
            3,
            vec![vec![1.0, f64::NAN, f64::NAN], vec![1.0, 2.0, f64::NAN]],
        );
        assert_eq!(screen_units(&data, 0.5), vec![0, 1]);
        assert_eq!(screen_units(&data, 1.0), vec![0]);
    }

    fn unit(code: &str, name: &str) -> Unit {
        Unit {
            code: code.into(),
            name: name.into(),
        }
    }

    #[test]
    fn screening_names_each_left_out_unit_with_its_availability() {
        let nan = f64::NAN;
        let data = Columns::from_columns(
            3,
            vec![
                vec![1.0, nan, nan],
                vec![1.0, 2.0, nan],
                vec![1.0, 2.0, 3.0],
            ],
        );
        let units = [unit("A", "Alpha"), unit("B", "Beta"), unit("C", "C")];
        let screening = Screening::of(&units, &data, Some(1.0));
        assert_eq!(screening.kept, vec![0]);
        assert_eq!(screening.screened_out.len(), 2);
        let b = &screening.screened_out[0];
        assert_eq!((b.code.as_str(), b.present, b.indicators), ("B", 2, 3));
        assert_eq!(
            b.reason(),
            "data availability 0.67 (2 of 3 indicators) is below the threshold 1.0"
        );
        assert_eq!(screening.find("gamma"), None);
        assert_eq!(screening.find("beta"), Some(b));
        assert_eq!(screening.find("c").map(|u| u.present), Some(1));
        assert_eq!(
            ScreenedOut(b.clone()).to_string(),
            "`B` (Beta) was screened out: data availability 0.67 (2 of 3 indicators) is below \
             the threshold 1.0; fix: lower `screen` in index.toml or complete its data"
        );
        let disclosure = screening.disclosure().unwrap();
        assert!(
            disclosure.contains("left out 2 of 3 units")
                && disclosure.contains("`B` (Beta): data availability 0.67")
                && disclosure.contains("`C`: data availability 0.33"),
            "{disclosure}"
        );
        assert_eq!(Screening::of(&units, &data, None).disclosure(), None);
        assert_eq!(Screening::of(&units, &data, Some(0.3)).disclosure(), None);
    }

    #[test]
    fn availability_never_rounds_up_to_the_threshold() {
        assert_eq!(availability_text(0.96, 1.0), "0.96");
        assert_eq!(availability_text(0.8999, 0.9), "0.8999");
        assert_eq!(availability_text(2.0 / 3.0, 0.7), "0.67");
    }
}
