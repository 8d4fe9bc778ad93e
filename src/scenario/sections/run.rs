//! The top-level run keys (`name`, `description`, `samples`, `seed`, `focus`, `top_k`): the
//! defaults of a run, each overridden by its command-line option. Not a factor.

use std::fmt::Write as _;

use toml::de::DeTable;

use super::{KeyDoc, Scenario, Section};
use crate::engine::accumulate::MAX_SAMPLES;
use crate::scenario::choice::quoted;
use crate::scenario::sections::reader::Reader;
use crate::scenario::sections::validate::Validator;

/// The run keys.
pub(crate) const SECTION: Section = Section {
    name: "",
    header: "",
    about: "Top-level keys, before any `[section]`: the defaults of a run. The command line \
            overrides each (`--samples`, `--seed`, `--focus`, `--top-k`), and the report says \
            where every value came from.",
    keys: &[
        KeyDoc {
            key: "name",
            meaning: "a title for reports",
            default: "none",
            values: &[],
        },
        KeyDoc {
            key: "description",
            meaning: "what the scenario explores, for reports",
            default: "none",
            values: &[],
        },
        KeyDoc {
            key: "samples",
            meaning: "a fixed number of Monte Carlo samples (1 to 2^40)",
            default: "sample in growing batches (at most doubling) until every headline number is settled",
            values: &[],
        },
        KeyDoc {
            key: "seed",
            meaning: "the random seed; the same seed gives the same results, byte for byte",
            default: "1",
            values: &[],
        },
        KeyDoc {
            key: "focus",
            meaning: "the unit the verdict is about (uCode or name)",
            default: "index.toml's focus",
            values: &[],
        },
        KeyDoc {
            key: "top_k",
            meaning: "k of the target \"rank ≤ k\" (P(top k))",
            default: "a quarter of the units, between 1 and 10",
            values: &[],
        },
    ],
    example: "samples = 10000\nseed = 20230208\nfocus = \"BEJ\"\ntop_k = 10\n",
    factor: None,
    factor_names: super::no_factor,
    read,
    validate: |validator| validator.run_defaults(),
    write,
};

fn read(reader: &mut Reader<'_>, root: &DeTable<'_>, scenario: &mut Scenario) {
    reader.run_keys(root, scenario);
}

impl Reader<'_> {
    fn run_keys(&mut self, root: &DeTable<'_>, scenario: &mut Scenario) {
        if let Some(field) = self.field(root, "", "name") {
            scenario.name = self.string(&field, "name = \"IECI full\"");
        }
        if let Some(field) = self.field(root, "", "description") {
            scenario.description = self.string(&field, "description = \"…\"");
        }
        if let Some(field) = self.field(root, "", "samples") {
            scenario.samples = self.count(&field, 1, "samples = 10000");
            if let Some(samples) = scenario.samples
                && samples > MAX_SAMPLES
            {
                self.report(
                    field.line,
                    &field.path,
                    format!("`samples` = {samples} is above the most a run can count, {MAX_SAMPLES} (2^40)"),
                    "write e.g. `samples = 10000`; a probability's standard error is at most 0.5/√samples".into(),
                );
                scenario.samples = None;
            }
        }
        if let Some(field) = self.field(root, "", "seed") {
            scenario.seed = self.count(&field, 0, "seed = 20230208");
        }
        if let Some(field) = self.field(root, "", "focus") {
            scenario.focus = self.string(&field, "focus = \"BEJ\"");
            if scenario.focus.as_deref() == Some("") {
                self.report(
                    field.line,
                    &field.path,
                    "`focus` is empty".into(),
                    "write a unit code, e.g. `focus = \"BEJ\"`, or remove the key".into(),
                );
                scenario.focus = None;
            }
        }
        if let Some(field) = self.field(root, "", "top_k") {
            scenario.top_k = self.count(&field, 1, "top_k = 10").map(|k| k as usize);
        }
    }
}

impl Validator<'_> {
    pub(crate) fn run_defaults(&mut self) {
        let n_units = self.index.n_units();
        if let Some(focus) = &self.scenario.focus
            && self.index.find_unit(focus).is_none()
        {
            let fix = self.unit_fix(focus);
            self.report(
                self.at("focus", 0),
                format!("focus unit `{focus}` is not in the index"),
                fix,
            );
        }
        if let Some(top_k) = self.scenario.top_k
            && top_k > n_units
        {
            self.report(
                self.at("top_k", 0),
                format!("top_k = {top_k}, but the index ranks only {n_units} units"),
                format!("use top_k between 1 and {n_units}"),
            );
        }
    }
}

fn write(scenario: &Scenario, out: &mut String) {
    let mut top = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            let _ = writeln!(out, "{key} = {value}");
        }
    };
    top("name", scenario.name.as_deref().map(quoted));
    top("description", scenario.description.as_deref().map(quoted));
    top("samples", scenario.samples.map(|n| n.to_string()));
    top("seed", scenario.seed.map(|n| n.to_string()));
    top("focus", scenario.focus.as_deref().map(quoted));
    top("top_k", scenario.top_k.map(|n| n.to_string()));
}
