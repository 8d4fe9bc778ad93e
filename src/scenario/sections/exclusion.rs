//! `[exclusion]`: each sample leaves out one indicator (weight 0) or none.

use std::fmt::Write as _;

use toml::de::DeTable;

use super::{KeyDoc, Scenario, Section};
use crate::scenario::sections::reader::Reader;
use crate::scenario::sections::validate::Validator;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use toml::de::{DeArray, DeValue};

use crate::model::Framework;
use crate::model::input::suggest;
use crate::model::input::toml::Field;
use crate::scenario::choice::{quoted, strings};

/// The `[exclusion]` section.
pub(crate) const SECTION: Section = Section {
    name: "exclusion",
    header: "[exclusion]",
    about: "Leave one indicator out per sample (its weight set to 0), or none; every alternative \
            is equally likely, and the nominal leaves nothing out. An indicator whose parent has \
            no other weighted child cannot be left out.",
    keys: &[
        KeyDoc {
            key: "indicators",
            meaning: "the indicators that may be left out: `\"all\"` or a list of indicator codes (iCode)",
            default: "`\"all\"`",
            values: &[],
        },
        KeyDoc {
            key: "include_none",
            meaning: "whether \"nothing left out\" is one of the alternatives",
            default: "true",
            values: &[],
        },
        KeyDoc {
            key: "name",
            meaning: "the factor's name in reports",
            default: "indicator exclusion",
            values: &[],
        },
    ],
    example: "[exclusion]\nindicators = \"all\"\ninclude_none = true\n",
    factor: Some(|scenario| scenario.exclusion.is_some()),
    factor_names,
    read,
    validate: |validator| validator.exclusion(),
    write,
};

/// Which indicators `[exclusion]` may leave out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExclusionSet {
    /// Every indicator of the index.
    All,
    /// These indicator codes, in file order.
    Codes(Vec<String>),
}

impl Serialize for ExclusionSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ExclusionSet::All => serializer.serialize_str("all"),
            ExclusionSet::Codes(codes) => codes.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ExclusionSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            List(Vec<String>),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Text(text) if text == "all" => Ok(ExclusionSet::All),
            Raw::Text(text) => Err(serde::de::Error::custom(format!(
                "indicators must be \"all\" or a list of codes, not \"{text}\""
            ))),
            Raw::List(codes) => Ok(ExclusionSet::Codes(codes)),
        }
    }
}

/// `[exclusion]`: each sample leaves out one indicator (its weight set to zero) or none; every
/// alternative is equally likely. Nominal: nothing excluded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExclusionSpec {
    /// Factor name for reports; `None` lets the factor builder name it.
    pub name: Option<String>,
    pub indicators: ExclusionSet,
    /// Whether "none excluded" is one of the alternatives.
    pub include_none: bool,
    /// Line of the `[exclusion]` header (0 if built in code).
    #[serde(skip)]
    pub line: usize,
}

impl ExclusionSpec {
    /// The indicators (node indices) that may be left out; unknown codes are skipped (they are
    /// reported by [`Scenario::validate`]).
    pub fn indicators_in(&self, framework: &Framework) -> Vec<usize> {
        match &self.indicators {
            ExclusionSet::All => (0..framework.n_indicators()).collect(),
            ExclusionSet::Codes(codes) => codes
                .iter()
                .filter_map(|code| framework.find(code))
                .filter(|&node| node < framework.n_indicators())
                .collect(),
        }
    }

    /// The alternatives a sample picks from, equally likely: `None` (nothing excluded, first,
    /// if `include_none`) and then one indicator node index each.
    pub fn alternatives(&self, framework: &Framework) -> Vec<Option<usize>> {
        let none = self.include_none.then_some(None);
        none.into_iter()
            .chain(self.indicators_in(framework).into_iter().map(Some))
            .collect()
    }
}

fn read(reader: &mut Reader<'_>, root: &DeTable<'_>, scenario: &mut Scenario) {
    if let Some(field) = reader.field(root, "", "exclusion")
        && let Some(table) = reader.table(&field, "[exclusion]")
    {
        scenario.exclusion = reader.exclusion(table, &field);
    }
}

fn factor_names(scenario: &Scenario) -> Vec<(Option<&str>, usize)> {
    scenario
        .exclusion
        .iter()
        .map(|e| (e.name.as_deref(), e.line))
        .collect()
}

impl Reader<'_> {
    fn exclusion(&mut self, table: &DeTable<'_>, header: &Field<'_, '_>) -> Option<ExclusionSpec> {
        let prefix = header.path.clone();
        self.check_keys(table, &prefix, &SECTION.key_names(), |_| None);
        let example = "indicators = \"all\"";
        let indicators = match self.field(table, &prefix, "indicators") {
            None => Some(ExclusionSet::All),
            Some(field) => match field.value.get_ref() {
                DeValue::String(text) if text.as_ref() == "all" => Some(ExclusionSet::All),
                DeValue::String(text) => {
                    self.report(
                        field.line,
                        &field.path,
                        format!("`indicators = \"{text}\"`: the only word allowed here is \"all\""),
                        format!("write `{example}` or a list: `indicators = [\"{text}\"]`"),
                    );
                    None
                }
                DeValue::Array(array) => self.exclusion_codes(&field, array),
                _ => {
                    self.wrong_type(&field, "\"all\" or a list of indicator codes", example);
                    None
                }
            },
        };
        let include_none = match self.field(table, &prefix, "include_none") {
            None => Some(true),
            Some(field) => self.boolean(&field, "include_none = true"),
        };
        let name = self.factor_name(table, &prefix);
        let (indicators, include_none, name) = (indicators?, include_none?, name?);
        if let ExclusionSet::Codes(codes) = &indicators
            && codes.len() == 1
            && !include_none
        {
            self.report(
                header.line,
                &prefix,
                format!(
                    "with one indicator and include_none = false, `{}` is left out of every \
                     sample: nothing varies",
                    codes[0]
                ),
                "set `include_none = true`, list more indicators, or remove the indicator from \
                 the index instead"
                    .into(),
            );
            return None;
        }
        Some(ExclusionSpec {
            name,
            indicators,
            include_none,
            line: header.line,
        })
    }

    fn exclusion_codes(
        &mut self,
        field: &Field<'_, '_>,
        array: &DeArray<'_>,
    ) -> Option<ExclusionSet> {
        if array.is_empty() {
            self.report(
                field.line,
                &field.path,
                "`indicators` is an empty list".into(),
                "list indicator codes, write `indicators = \"all\"`, or remove [exclusion]".into(),
            );
            return None;
        }
        self.indicator_codes(field, array).map(ExclusionSet::Codes)
    }
}

impl Validator<'_> {
    pub(crate) fn exclusion(&mut self) {
        let Some(spec) = &self.scenario.exclusion else {
            return;
        };
        let framework = self.framework;
        let n_indicators = framework.n_indicators();
        // Indicator node → key path of its entry (or the `indicators` key for "all").
        let mut candidates: Vec<(usize, String)> = Vec::new();
        match &spec.indicators {
            ExclusionSet::All => {
                candidates
                    .extend((0..n_indicators).map(|i| (i, "exclusion.indicators".to_string())));
            }
            ExclusionSet::Codes(codes) => {
                for (k, code) in codes.iter().enumerate() {
                    let path = format!("exclusion.indicators[{}]", k + 1);
                    match framework.find(code) {
                        Some(node) if node < n_indicators => candidates.push((node, path)),
                        Some(node) => {
                            let under = framework.indicators_under(node);
                            let level = framework.nodes[node].level;
                            let fix = format!(
                                "exclusion leaves out single indicators: list those under \
                                 `{code}` instead ({})",
                                self.codes(&under)
                            );
                            self.report(
                                self.at(&path, spec.line),
                                format!("`{code}` is a level-{level} aggregate, not an indicator"),
                                fix,
                            );
                        }
                        None => {
                            let indicators = (0..n_indicators).map(|i| self.code(i));
                            let fix = match suggest::nearest(code, indicators) {
                                Some(suggestion) => suggest::did_you_mean(suggestion),
                                None => "use indicator codes (iCode) of meta.csv".to_string(),
                            };
                            self.report(
                                self.at(&path, spec.line),
                                format!("no indicator `{code}` in the index"),
                                fix,
                            );
                        }
                    }
                }
            }
        }
        for (indicator, path) in candidates {
            let Some(parent) = framework.nodes[indicator].parent else {
                continue;
            };
            let others_weighted = framework.nodes[parent]
                .children
                .iter()
                .any(|&c| c != indicator && framework.nodes[c].weight > 0.0);
            if others_weighted {
                continue;
            }
            let code = self.code(indicator).to_string();
            let parent_code = self.code(parent).to_string();
            let fix = match spec.indicators {
                ExclusionSet::All => format!(
                    "list the indicators that may be left out instead of \"all\", without `{code}`"
                ),
                ExclusionSet::Codes(_) => format!("remove `{code}` from `exclusion.indicators`"),
            };
            self.report(
                self.at(&path, spec.line),
                format!(
                    "leaving out `{code}` would leave its parent `{parent_code}` without a weighted \
                     child, so `{parent_code}`'s score would vanish"
                ),
                fix,
            );
        }
    }
}

fn write(scenario: &Scenario, out: &mut String) {
    if let Some(spec) = &scenario.exclusion {
        out.push_str("\n[exclusion]\n");
        if let Some(name) = &spec.name {
            let _ = writeln!(out, "name = {}", quoted(name));
        }
        match &spec.indicators {
            ExclusionSet::All => out.push_str("indicators = \"all\"\n"),
            ExclusionSet::Codes(codes) => {
                let _ = writeln!(out, "indicators = {}", strings(codes.clone()));
            }
        }
        let _ = writeln!(out, "include_none = {}", spec.include_none);
    }
}
