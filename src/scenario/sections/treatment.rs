//! `[treatment]`: the Winsorisation limit of the outlier treatment varies over a range.

use std::fmt::Write as _;

use toml::de::DeTable;

use super::{KeyDoc, Scenario, Section};
use crate::scenario::sections::reader::Reader;
use crate::scenario::sections::validate::Validator;
use serde::{Deserialize, Serialize};

use crate::model::input::toml::Field;
use crate::model::method::Treatment;
use crate::scenario::choice::{float, quoted};

/// The `[treatment]` section.
pub(crate) const SECTION: Section = Section {
    name: "treatment",
    header: "[treatment]",
    about: "The outlier treatment: an indicator that fails the skewness/kurtosis test has at most \
            `winmax` points Winsorised (COINr's Treat); the limit varies over an inclusive range, \
            every value equally likely. The thresholds are fixed.",
    keys: &[
        KeyDoc {
            key: "winmax",
            meaning: "the range of Winsorisation limits `[low, high]`, inclusive; at most the number of units − 1",
            default: "required",
            values: &[],
        },
        KeyDoc {
            key: "nominal",
            meaning: "the limit when the factor is switched off, within the range",
            default: "index.toml's treatment",
            values: &[],
        },
        KeyDoc {
            key: "skew_limit",
            meaning: "an indicator passes when |skewness| is below this (> 0)",
            default: "2.0",
            values: &[],
        },
        KeyDoc {
            key: "kurtosis_limit",
            meaning: "or when its kurtosis is below this (> 0)",
            default: "3.5",
            values: &[],
        },
        KeyDoc {
            key: "name",
            meaning: "the factor's name in reports",
            default: "winsorisation limit",
            values: &[],
        },
    ],
    example: "[treatment]\nwinmax = [1, 5]\nnominal = 5\nskew_limit = 2.0\nkurtosis_limit = 3.5\n",
    factor: Some(|scenario| scenario.treatment.is_some()),
    factor_names,
    read,
    validate: |validator| validator.treatment(),
    write,
};

/// `[treatment]`: the Winsorisation limit varies over an inclusive integer range, every value
/// equally likely; the skewness and kurtosis thresholds are fixed (see [`Treatment`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreatmentSpec {
    /// Factor name for reports; `None` lets the factor builder name it.
    pub name: Option<String>,
    /// Smallest Winsorisation limit, ≤ `winmax_max`.
    pub winmax_min: usize,
    pub winmax_max: usize,
    /// `None`: the index's nominal treatment.
    pub nominal: Option<usize>,
    pub skew_limit: f64,
    pub kurtosis_limit: f64,
    /// Line of the `[treatment]` header (0 if built in code).
    #[serde(skip)]
    pub line: usize,
}

impl TreatmentSpec {
    /// The treatments a sample picks from, ascending `winmax`.
    pub fn alternatives(&self) -> Vec<Treatment> {
        (self.winmax_min..=self.winmax_max)
            .map(|winmax| self.with_winmax(winmax))
            .collect()
    }

    /// The nominal treatment, if the scenario sets one.
    pub fn nominal_treatment(&self) -> Option<Treatment> {
        self.nominal.map(|winmax| self.with_winmax(winmax))
    }

    fn with_winmax(&self, winmax: usize) -> Treatment {
        Treatment {
            winmax,
            skew_limit: self.skew_limit,
            kurtosis_limit: self.kurtosis_limit,
        }
    }
}

fn read(reader: &mut Reader<'_>, root: &DeTable<'_>, scenario: &mut Scenario) {
    if let Some(field) = reader.field(root, "", "treatment")
        && let Some(table) = reader.table(&field, "[treatment]")
    {
        scenario.treatment = reader.treatment(table, &field);
    }
}

fn factor_names(scenario: &Scenario) -> Vec<(Option<&str>, usize)> {
    scenario
        .treatment
        .iter()
        .map(|t| (t.name.as_deref(), t.line))
        .collect()
}

impl Reader<'_> {
    fn treatment(&mut self, table: &DeTable<'_>, header: &Field<'_, '_>) -> Option<TreatmentSpec> {
        let prefix = header.path.clone();
        self.check_keys(table, &prefix, &SECTION.key_names(), |_| None);
        let defaults = Treatment::with_winmax(0);
        let range = match self.field(table, &prefix, "winmax") {
            None => {
                self.report(
                    header.line,
                    &prefix,
                    "`[treatment]` has no `winmax` range".into(),
                    "add e.g. `winmax = [1, 5]` (Winsorise at most 1 to 5 points)".into(),
                );
                None
            }
            Some(field) => self.winmax_range(&field),
        };
        let nominal = match self.field(table, &prefix, "nominal") {
            None => Some(None),
            Some(field) => self
                .count(&field, 0, "nominal = 5")
                .map(|n| Some(n as usize)),
        };
        let skew_limit = match self.field(table, &prefix, "skew_limit") {
            None => Some(defaults.skew_limit),
            Some(field) => self.positive(&field, "skew_limit = 2.0"),
        };
        let kurtosis_limit = match self.field(table, &prefix, "kurtosis_limit") {
            None => Some(defaults.kurtosis_limit),
            Some(field) => self.positive(&field, "kurtosis_limit = 3.5"),
        };
        let name = self.factor_name(table, &prefix);
        let (winmax_min, winmax_max) = range?;
        Some(TreatmentSpec {
            name: name?,
            winmax_min,
            winmax_max,
            nominal: nominal?,
            skew_limit: skew_limit?,
            kurtosis_limit: kurtosis_limit?,
            line: header.line,
        })
    }

    fn positive(&mut self, field: &Field<'_, '_>, example: &str) -> Option<f64> {
        let value = self.number(field, example)?;
        if value <= 0.0 {
            self.report(
                field.line,
                &field.path,
                format!("`{}` = {value} must be positive", field.path),
                format!("write e.g. `{example}`"),
            );
            return None;
        }
        Some(value)
    }

    fn winmax_range(&mut self, field: &Field<'_, '_>) -> Option<(usize, usize)> {
        let example = "winmax = [1, 5]";
        let array = self.array(field, example)?;
        if array.len() != 2 {
            self.report(
                field.line,
                &field.path,
                format!(
                    "`winmax` has {} entries; it is an inclusive range [low, high]",
                    array.len()
                ),
                format!("write e.g. `{example}`, or `[5, 5]` for a fixed limit"),
            );
            return None;
        }
        let elements = self.elements(field, array);
        let mut bounds = Vec::with_capacity(2);
        for element in &elements {
            let value = self.integer(element, example)?;
            if value < 0 {
                self.report(
                    element.line,
                    &element.path,
                    format!("Winsorisation limit {value} is negative"),
                    format!("limits count points and start at 0: write e.g. `{example}`"),
                );
                return None;
            }
            bounds.push(value as usize);
        }
        let (low, high) = (bounds[0], bounds[1]);
        if low > high {
            self.report(
                field.line,
                &field.path,
                format!("`winmax = [{low}, {high}]` is reversed"),
                format!("write the smaller limit first: `winmax = [{high}, {low}]`"),
            );
            return None;
        }
        Some((low, high))
    }
}

impl Validator<'_> {
    /// Winsorising n − 1 points of n units already makes a column constant: larger limits add
    /// only data variants to prepare (one per limit), never a different treatment.
    pub(crate) fn treatment(&mut self) {
        let Some(spec) = &self.scenario.treatment else {
            return;
        };
        let most = self.index.n_units().saturating_sub(1);
        if spec.winmax_max > most {
            let low = spec.winmax_min.min(most);
            self.report(
                self.at("treatment.winmax", spec.line),
                format!(
                    "`winmax` goes up to {}, but the index has {} units, so at most {most} \
                     points can be Winsorised",
                    spec.winmax_max,
                    self.index.n_units()
                ),
                format!("write `winmax = [{low}, {most}]` or a narrower range"),
            );
        }
    }
}

fn write(scenario: &Scenario, out: &mut String) {
    if let Some(spec) = &scenario.treatment {
        out.push_str("\n[treatment]\n");
        if let Some(name) = &spec.name {
            let _ = writeln!(out, "name = {}", quoted(name));
        }
        let _ = writeln!(out, "winmax = [{}, {}]", spec.winmax_min, spec.winmax_max);
        if let Some(nominal) = spec.nominal {
            let _ = writeln!(out, "nominal = {nominal}");
        }
        let _ = writeln!(out, "skew_limit = {}", float(spec.skew_limit));
        let _ = writeln!(out, "kurtosis_limit = {}", float(spec.kurtosis_limit));
    }
}
