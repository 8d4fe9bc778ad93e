//! Checking a scenario against the index it will run on: the shared plumbing (locations, unit
//! and code listings), each section's own rules (in its file in this folder) and the
//! rule across sections: the methods a sample can combine must find what they need and be able
//! to run together.

use crate::model::input::suggest;
use crate::model::method::{IndicatorMetadata, Normalisation};
use crate::model::{Diagnostic, Framework, Index, Location};

use super::reader::{ScenarioError, into_result};
use super::{SECTIONS, Scenario};
use crate::scenario::choice::Choice;

impl Scenario {
    /// Checks the scenario against the index it will run on, reporting every problem:
    /// - the focus unit exists and `top_k` is at most the number of units;
    /// - weight targets exist (levels 1..=n_levels−1, parents that are aggregates), can vary
    ///   (a parent needs two children: a single child's renormalised weight is always 1), have
    ///   positive nominal weights under Dirichlet, and no weight is varied by two entries;
    /// - aggregation levels lie in 2..=n_levels;
    /// - methods find what they need: `dist2ref` its unit, `goalposts`/`dist2targ` the
    ///   goalposts/targets of every indicator, group imputation its group column;
    /// - no aggregation that needs positive values ([`Aggregation::needs_positive`]) can meet a
    ///   normalisation that may give zero or negative values ([`positive_for_products`]) or the
    ///   output of a Copeland level below it. Checked for every combination a sample can draw
    ///   (each alternative of each factor, or the nominal choice where nothing varies) and for
    ///   the nominal method when the scenario overrides a nominal. A nominal normalisation that
    ///   is never sampled (COINr's vignette: nominal `minmax(0,100)`, alternatives
    ///   `minmax(1,100)`/`zscore(10,2)`) is not paired with sampled geometric means, so it
    ///   must not be used as "switched off" while the aggregation factor varies;
    /// - every indicator that `[exclusion]` may leave out exists, and leaving it out does not
    ///   leave its parent without a positively weighted child.
    pub fn validate(&self, index: &Index) -> Result<(), ScenarioError> {
        let mut validator = Validator {
            scenario: self,
            index,
            framework: &index.framework,
            diagnostics: Vec::new(),
        };
        for section in SECTIONS {
            (section.validate)(&mut validator);
        }
        // Problems are sorted by line, so checking across sections last changes no message.
        validator.method_inputs();
        into_result(validator.diagnostics)
    }
}

/// A method that can be in effect, and where it came from.
#[derive(Clone)]
struct Source<T> {
    method: T,
    /// Key path in the scenario; empty when it is the index's nominal method.
    path: String,
}

/// Checks one scenario against one index, collecting every problem.
pub(crate) struct Validator<'a> {
    pub(crate) scenario: &'a Scenario,
    pub(crate) index: &'a Index,
    pub(crate) framework: &'a Framework,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Validator<'_> {
    /// A location at `path`'s line, else `fallback_line` (0 = no line).
    pub(crate) fn at(&self, path: &str, fallback_line: usize) -> Location {
        let mut location = Location::file(&self.scenario.source);
        match self.scenario.line_of(path) {
            Some(line) => location = location.line(line),
            None if fallback_line > 0 => location = location.line(fallback_line),
            None => {}
        }
        if !path.is_empty() {
            location = location.column(path);
        }
        location
    }

    pub(crate) fn report(&mut self, location: Location, problem: String, fix: String) {
        self.diagnostics
            .push(Diagnostic::new(location, problem, fix));
    }

    pub(crate) fn code(&self, node: usize) -> &str {
        &self.framework.nodes[node].code
    }

    pub(crate) fn codes(&self, nodes: &[usize]) -> String {
        let shown: Vec<String> = nodes
            .iter()
            .take(8)
            .map(|&n| format!("`{}`", self.code(n)))
            .collect();
        let more = nodes.len().saturating_sub(8);
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    }

    pub(crate) fn unit_fix(&self, text: &str) -> String {
        let units = &self.index.units;
        match suggest::nearest(text, units.iter().map(|u| u.code.as_str())) {
            Some(code) => {
                let name = &units[self.index.find_unit(code).unwrap_or(0)].name;
                format!(
                    "{} Units are matched by uCode or name",
                    suggest::did_you_mean_named(code, name)
                )
            }
            None => {
                let examples: Vec<&str> = units.iter().take(5).map(|u| u.code.as_str()).collect();
                format!(
                    "use a uCode or name from data.csv, e.g. {}",
                    examples.join(", ")
                )
            }
        }
    }

    /// Every normalisation and imputation the scenario names, with its key path.
    fn named_methods<T: Clone>(choice: Option<&Choice<T>>, section: &str) -> Vec<Source<T>> {
        let Some(choice) = choice else {
            return Vec::new();
        };
        let nominal = choice.nominal.iter().map(|method| Source {
            method: method.clone(),
            path: format!("{section}.nominal"),
        });
        let alternatives = choice
            .alternatives
            .iter()
            .enumerate()
            .map(|(k, method)| Source {
                method: method.clone(),
                path: format!("{section}.alternatives[{}]", k + 1),
            });
        nominal.chain(alternatives).collect()
    }

    fn method_inputs(&mut self) {
        let framework = self.framework;
        let normalisations =
            Self::named_methods(self.scenario.normalisation.as_ref(), "normalisation");
        let header = self.scenario.normalisation.as_ref().map_or(0, |c| c.line);
        for source in &normalisations {
            let missing: Vec<usize> = match &source.method {
                Normalisation::Dist2Ref { unit } => {
                    if self.index.find_unit(unit).is_none() {
                        let fix = self.unit_fix(unit);
                        self.report(
                            self.at(&source.path, header),
                            format!(
                                "`{}`: reference unit `{unit}` is not in the index",
                                source.method
                            ),
                            fix,
                        );
                    }
                    continue;
                }
                method => match method.needed_metadata() {
                    None => continue,
                    Some(needed) => (0..framework.n_indicators())
                        .filter(|&i| {
                            let info = &framework.indicators[i];
                            match needed {
                                IndicatorMetadata::Goalposts => info.goalposts.is_none(),
                                IndicatorMetadata::Target => info.target.is_none(),
                            }
                        })
                        .collect(),
                },
            };
            if !missing.is_empty() {
                let columns = source.method.needed_metadata().map_or("", |n| n.columns());
                self.report(
                    self.at(&source.path, header),
                    format!(
                        "`{}` needs {columns} for every indicator; {} have none",
                        source.method,
                        self.codes(&missing)
                    ),
                    format!(
                        "fill the {columns} column(s) of meta.csv, or choose another normalisation"
                    ),
                );
            }
        }

        let imputations = Self::named_methods(self.scenario.imputation.as_ref(), "imputation");
        let header = self.scenario.imputation.as_ref().map_or(0, |c| c.line);
        for source in &imputations {
            if let Some(column) = source.method.group_column()
                && self.index.group(column).is_none()
            {
                let groups: Vec<&str> = self.index.groups.iter().map(|g| g.code.as_str()).collect();
                let fix = match suggest::nearest(column, groups.iter().copied()) {
                    Some(suggestion) => suggest::did_you_mean(suggestion),
                    None if groups.is_empty() => {
                        "data.csv has no group columns: use `mean` or `median`".into()
                    }
                    None => format!("use a group column of data.csv: {}", groups.join(", ")),
                };
                self.report(
                    self.at(&source.path, header),
                    format!(
                        "`{}`: data.csv has no group column `{column}`",
                        source.method
                    ),
                    fix,
                );
            }
        }
    }
}
