//! `[[aggregation]]`: the aggregation of some levels; one sampled choice applies to all the
//! levels of an entry.

use std::fmt::Write as _;

use toml::de::DeTable;

use super::{KeyDoc, Scenario, Section};
use crate::scenario::sections::reader::Reader;
use crate::scenario::sections::validate::Validator;
use serde::{Deserialize, Serialize};

use crate::model::input::toml::Field;
use crate::model::method::Aggregation;
use crate::scenario::choice::{Choice, choice_lines};
use crate::scenario::sections::reader::list;

/// The `[[aggregation]]` section.
pub(crate) const SECTION: Section = Section {
    name: "aggregation",
    header: "[[aggregation]]",
    about: "The aggregation of some levels, one alternative per sample; the same sampled choice \
            applies to every level of an entry. Combinations that cannot run on the data (a \
            geometric mean fed zeros or negative values) are refused before any sample is drawn.",
    keys: &[
        KeyDoc {
            key: "levels",
            meaning: "the aggregate levels this entry covers (2 = the first level of aggregates); no two entries may cover the same level",
            default: "every aggregate level",
            values: &[],
        },
        KeyDoc {
            key: "nominal",
            meaning: "the value when the factor is switched off (Sobol) and for the nominal ranking",
            default: "index.toml's aggregation of those levels when they all share one",
            values: &[],
        },
        KeyDoc {
            key: "alternatives",
            meaning: "the aggregations a sample picks from; geometric, harmonic and power means need positive values: pair them with `minmax(1,100)` or `rank`, not `minmax(0,100)`",
            default: "required",
            values: Aggregation::SPELLINGS,
        },
        KeyDoc {
            key: "probabilities",
            meaning: "one per alternative, each ≥ 0, summing to 1",
            default: "equally likely",
            values: &[],
        },
        KeyDoc {
            key: "name",
            meaning: "the factor's name in reports",
            default: "aggregation, or \"aggregation (levels)\" for some levels",
            values: &[],
        },
    ],
    example: "[[aggregation]]\nlevels = [2, 3]\nalternatives = [\"arithmetic\", \"geometric\"]\nprobabilities = [0.5, 0.5]\n",
    factor: Some(|scenario| !scenario.aggregation.is_empty()),
    factor_names,
    read,
    validate: |validator| validator.aggregation_levels(),
    write,
};

/// One `[[aggregation]]` entry: the same sampled choice applies to all its levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AggregationSpec {
    /// Aggregate levels (2..=n_levels) this choice applies to; `None` = all of them.
    pub levels: Option<Vec<usize>>,
    #[serde(flatten)]
    pub choice: Choice<Aggregation>,
}

impl AggregationSpec {
    /// The levels covered, given the number of levels of the index.
    pub fn levels_in(&self, n_levels: usize) -> Vec<usize> {
        match &self.levels {
            Some(levels) => levels.clone(),
            None => (2..=n_levels).collect(),
        }
    }
}

fn read(reader: &mut Reader<'_>, root: &DeTable<'_>, scenario: &mut Scenario) {
    if let Some(field) = reader.field(root, "", "aggregation") {
        scenario.aggregation = reader.aggregations(&field);
    }
}

fn factor_names(scenario: &Scenario) -> Vec<(Option<&str>, usize)> {
    scenario
        .aggregation
        .iter()
        .map(|s| (s.choice.name.as_deref(), s.choice.line))
        .collect()
}

impl Reader<'_> {
    fn aggregations(&mut self, field: &Field<'_, '_>) -> Vec<AggregationSpec> {
        let entries = self.table_entries(field, "[[aggregation]]");
        let mut specs: Vec<AggregationSpec> = Vec::new();
        for (entry, table) in entries {
            self.check_keys(table, &entry.path, &SECTION.key_names(), |_| None);
            let levels = match self.field(table, &entry.path, "levels") {
                None => Some(None),
                Some(field) => self.aggregation_levels(&field).map(Some),
            };
            let choice = self.choice::<Aggregation>(
                table,
                &entry,
                "aggregation",
                Aggregation::SPELLINGS,
                "alternatives = [\"arithmetic\", \"geometric\"]",
            );
            let (Some(levels), Some(choice)) = (levels, choice) else {
                continue;
            };
            let spec = AggregationSpec { levels, choice };
            // Each level takes its aggregation from exactly one entry.
            for earlier in &specs {
                let overlap: Vec<usize> = match (&earlier.levels, &spec.levels) {
                    (Some(a), Some(b)) => a.iter().filter(|l| b.contains(l)).copied().collect(),
                    _ => Vec::new(),
                };
                let problem = match (&earlier.levels, &spec.levels) {
                    (None, _) | (_, None) => Some(
                        "an [[aggregation]] entry without `levels` covers every level, so it \
                         overlaps the other entry"
                            .to_string(),
                    ),
                    _ if !overlap.is_empty() => Some(format!(
                        "level(s) {} already have an aggregation choice",
                        list(&overlap)
                    )),
                    _ => None,
                };
                if let Some(problem) = problem {
                    self.report(
                        spec.choice.line,
                        &entry.path,
                        format!("{problem} (entry at line {})", earlier.choice.line),
                        "give each [[aggregation]] entry its own `levels`, each level in one \
                         entry only"
                            .into(),
                    );
                }
            }
            specs.push(spec);
        }
        specs
    }

    fn aggregation_levels(&mut self, field: &Field<'_, '_>) -> Option<Vec<usize>> {
        let array = self.array(field, "levels = [2, 3, 4]")?;
        if array.is_empty() {
            self.report(
                field.line,
                &field.path,
                "`levels` is empty".into(),
                "list the aggregate levels, e.g. `levels = [2, 3]`, or remove the key for all"
                    .into(),
            );
            return None;
        }
        let elements = self.elements(field, array);
        let mut levels: Vec<usize> = Vec::new();
        let mut ok = true;
        for element in &elements {
            let Some(level) = self.count(element, 0, "2") else {
                ok = false;
                continue;
            };
            let level = level as usize;
            if level < 2 {
                self.report(
                    element.line,
                    &element.path,
                    format!("level {level} is not an aggregate level"),
                    "aggregation builds levels 2 and up (level 1 holds the indicators)".into(),
                );
                ok = false;
            } else if levels.contains(&level) {
                self.report(
                    element.line,
                    &element.path,
                    format!("level {level} is listed twice"),
                    "list each level once".into(),
                );
                ok = false;
            }
            levels.push(level);
        }
        ok.then_some(levels)
    }
}

impl Validator<'_> {
    pub(crate) fn aggregation_levels(&mut self) {
        let n_levels = self.framework.n_levels;
        for (i, spec) in self.scenario.aggregation.iter().enumerate() {
            let Some(levels) = &spec.levels else { continue };
            for (k, &level) in levels.iter().enumerate() {
                if level > n_levels {
                    let path = format!("aggregation[{}].levels[{}]", i + 1, k + 1);
                    self.report(
                        self.at(&path, spec.choice.line),
                        format!(
                            "level {level} does not exist: the index has levels 1..={n_levels}"
                        ),
                        format!("aggregate levels are 2..={n_levels}"),
                    );
                }
            }
        }
    }
}

fn write(scenario: &Scenario, out: &mut String) {
    for spec in &scenario.aggregation {
        out.push_str("\n[[aggregation]]\n");
        if let Some(levels) = &spec.levels {
            let _ = writeln!(out, "levels = [{}]", list(levels));
        }
        choice_lines(out, &spec.choice);
    }
}
