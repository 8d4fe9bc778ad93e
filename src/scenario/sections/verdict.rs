//! `[verdict]`: the thresholds of the rating rule. Not a factor: it changes how results are
//! read, not what is sampled.

use std::fmt::Write as _;

use toml::de::DeTable;

use super::{KeyDoc, Scenario, Section};
use crate::scenario::sections::reader::Reader;
use serde::{Deserialize, Serialize};

/// The `[verdict]` section.
pub(crate) const SECTION: Section = Section {
    name: "verdict",
    header: "[verdict]",
    about: "How a rank is rated (not a factor): robust when its 90% interval lies within \
            ±`robust_within` places of the nominal rank, moderately robust within \
            ±`moderately_within`, otherwise fragile.",
    keys: &[
        KeyDoc {
            key: "robust_within",
            meaning: "places either side of the nominal rank for \"robust\"",
            default: "2.5% of the units, at least 1",
            values: &[],
        },
        KeyDoc {
            key: "moderately_within",
            meaning: "places either side for \"moderately robust\"; at least `robust_within`",
            default: "7.5% of the units, at least 3",
            values: &[],
        },
    ],
    example: "[verdict]\nrobust_within = 1\nmoderately_within = 3\n",
    factor: None,
    factor_names: super::no_factor,
    read,
    validate: |_| {},
    write,
};

/// `[verdict]`: the thresholds of the rating rule (analysis::rating): robust when the 90% rank
/// interval lies within ±`robust_within` places of the nominal rank, moderately robust within
/// ±`moderately_within`. A key left out takes the default, which scales with the number of
/// units. Not a factor: it changes how results are read, not what is sampled.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VerdictSpec {
    pub robust_within: Option<u32>,
    pub moderately_within: Option<u32>,
}

fn read(reader: &mut Reader<'_>, root: &DeTable<'_>, scenario: &mut Scenario) {
    if let Some(field) = reader.field(root, "", "verdict")
        && let Some(table) = reader.table(&field, "[verdict]")
    {
        scenario.verdict = Some(reader.verdict(table));
    }
}

impl Reader<'_> {
    /// `[verdict]`: two place counts, the second at least the first.
    fn verdict(&mut self, table: &DeTable<'_>) -> VerdictSpec {
        self.check_keys(table, "verdict", &SECTION.key_names(), |_| None);
        let places = |reader: &mut Self, key: &str, example: &str| {
            let field = reader.field(table, "verdict", key)?;
            let value = reader.count(&field, 0, example)?;
            match u32::try_from(value) {
                Ok(value) => Some((value, field.line, field.path)),
                Err(_) => {
                    reader.report(
                        field.line,
                        &field.path,
                        format!(
                            "`{}` = {value} is more places than any index has",
                            field.path
                        ),
                        format!("write e.g. `{example}`"),
                    );
                    None
                }
            }
        };
        let robust = places(self, "robust_within", "robust_within = 1");
        let moderately = places(self, "moderately_within", "moderately_within = 3");
        if let (Some((r, _, _)), Some((m, line, path))) = (&robust, &moderately)
            && m < r
        {
            self.report(
                *line,
                path,
                format!("`moderately_within` = {m} is below `robust_within` = {r}"),
                format!("write `moderately_within` of at least {r}: a moderately robust rank may move further than a robust one"),
            );
        }
        VerdictSpec {
            robust_within: robust.map(|(r, _, _)| r),
            moderately_within: moderately.map(|(m, _, _)| m),
        }
    }
}

fn write(scenario: &Scenario, out: &mut String) {
    if let Some(spec) = &scenario.verdict {
        out.push_str("\n[verdict]\n");
        if let Some(n) = spec.robust_within {
            let _ = writeln!(out, "robust_within = {n}");
        }
        if let Some(n) = spec.moderately_within {
            let _ = writeln!(out, "moderately_within = {n}");
        }
    }
}
