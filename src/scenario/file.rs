//! The scenario file (`scenarios/*.toml`): which modelling choices are uncertain, parsed into typed specs, checked with line numbers and fixes, and validated against an index.
//!
//! A scenario names the uncertain inputs of a composite indicator, each one a *factor* of the
//! uncertainty and sensitivity analysis (Saisana, Saltelli & Tarantola 2005): weights, the
//! normalisation, the aggregation of each level, the imputation, the Winsorisation limit and the
//! indicator set. Every factor has a nominal value, so switching it off is well defined.
//!
//! Checking happens in two steps, and each reports *all* problems it finds, each with file, line,
//! key and the fix:
//! 1. [`Scenario::from_toml_str`] checks the file on its own: TOML syntax, unknown keys (with the
//!    nearest valid key), types, ranges, method spellings, probabilities.
//! 2. [`Scenario::validate`] checks it against an [`Index`]: codes, levels, the focus unit, and
//!    method combinations that cannot run (a geometric mean fed zeros or negative values).
//!
//! Example (every key is optional; see `scenarios/ieci-full.toml` for a commented file):
//! ```toml
//! samples = 10000
//! seed = 20230208
//! focus = "BEJ"
//! top_k = 10
//!
//! [[weights]]
//! level = 2
//! mode = "uniform"
//! spread = 0.25
//! grouping = "per-level"
//!
//! [normalisation]
//! alternatives = ["minmax(1,100)", "rank"]
//!
//! [[aggregation]]
//! alternatives = ["arithmetic", "geometric"]
//!
//! [exclusion]
//! indicators = "all"
//! ```

use std::fmt;
use std::path::Path;

use super::sections::reader::{Reader, ScenarioError, read_text};
use super::sections::{AggregationSpec, SECTIONS, Scenario};

impl Scenario {
    /// Parses and checks a scenario file's text; `file_name` is used in messages and kept as
    /// [`Scenario::source`]. Reports every problem found, not only the first.
    pub fn from_toml_str(text: &str, file_name: &str) -> Result<Scenario, ScenarioError> {
        Reader::read(text, file_name)
    }

    /// Reads and parses a scenario file; see [`Scenario::from_toml_str`].
    pub fn from_file(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = read_text(path)?;
        Scenario::from_toml_str(&text, &path.display().to_string())
    }

    /// Whether any section makes a factor (an uncertain choice a run samples).
    pub fn has_factor(&self) -> bool {
        SECTIONS
            .iter()
            .filter_map(|section| section.factor)
            .any(|present| present(self))
    }

    /// The line a key or array element was written on (see [`Scenario::key_lines`]).
    pub fn line_of(&self, path: &str) -> Option<usize> {
        self.key_lines.get(path).copied()
    }

    /// The aggregation entry covering `level`, if any.
    pub fn aggregation_for_level(&self, level: usize) -> Option<&AggregationSpec> {
        self.aggregation.iter().find(|spec| match &spec.levels {
            Some(levels) => levels.contains(&level),
            None => true,
        })
    }
}

impl Scenario {
    /// The scenario as a TOML file with every default made explicit (groupings,
    /// probabilities, treatment limits, exclusion flags); parsing it gives the same scenario.
    /// Each section writes its own table, in the order of [`SECTIONS`].
    pub fn to_toml_string(&self) -> String {
        let mut out = String::new();
        for section in SECTIONS {
            (section.write)(self, &mut out);
        }
        match out.strip_prefix('\n') {
            Some(rest) => rest.to_string(),
            None => out,
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_toml_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::method::Aggregation;
    use crate::scenario::choice::Choice;

    #[test]
    fn equally_likely_choices_sum_to_one() {
        let choice = Choice::equally_likely(vec![Aggregation::Arithmetic, Aggregation::Geometric]);
        assert_eq!(choice.probabilities, [0.5, 0.5]);
        assert_eq!(choice.nominal, None);
    }

    #[test]
    fn a_scenario_without_a_factor_is_refused_with_the_sections_to_add() {
        // A run of it would repeat the nominal ranking and call every rank "robust, 100%".
        for (text, line, problem) in [
            ("", None, "file is empty"),
            (
                "# nothing uncertain\n",
                Some(1),
                "names no uncertain choice",
            ),
            (
                "name = \"x\"\nsamples = 10\n",
                Some(1),
                "names no uncertain choice",
            ),
        ] {
            let error = Scenario::from_toml_str(text, "empty.toml").unwrap_err();
            let [diagnostic] = error.diagnostics() else {
                panic!("one problem expected: {error}");
            };
            assert_eq!(diagnostic.location.file, "empty.toml");
            assert_eq!(diagnostic.location.line, line, "{text:?}");
            assert!(diagnostic.problem.contains(problem), "{diagnostic}");
            // Every factor section (not `verdict`, which is not a factor).
            for section in SECTIONS.iter().filter(|s| s.factor.is_some()) {
                assert!(
                    diagnostic.fix.contains(section.header),
                    "{}: {diagnostic}",
                    section.name
                );
            }
        }
        // The default scenario still writes as nothing (the writer is used for derived files).
        assert_eq!(Scenario::default().to_toml_string(), "");
    }
}
