//! `[imputation]`: The imputation of missing values, one alternative per sample.

use toml::de::DeTable;

use super::{KeyDoc, Scenario, Section};
use crate::model::method::Imputation;
use crate::scenario::choice::{choice_factor_name, write_choice_section};
use crate::scenario::sections::reader::Reader;

/// The `[imputation]` section.
pub(crate) const SECTION: Section = Section {
    name: "imputation",
    header: "[imputation]",
    about: "The imputation of missing values, one alternative per sample. Group imputations need the group column in the index.",
    keys: &[
        KeyDoc {
            key: "nominal",
            meaning: "the value when the factor is switched off (Sobol) and for the nominal ranking",
            default: "index.toml's imputation",
            values: &[],
        },
        KeyDoc {
            key: "alternatives",
            meaning: "the imputations a sample picks from",
            default: "required",
            values: Imputation::SPELLINGS,
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
            default: "imputation",
            values: &[],
        },
    ],
    example: "[imputation]\nalternatives = [\"none\", \"mean\", \"median\"]\nprobabilities = [0.4, 0.3, 0.3]\n",
    factor: Some(|scenario| scenario.imputation.is_some()),
    factor_names,
    read,
    validate: |_| {},
    write,
};

fn read(reader: &mut Reader<'_>, root: &DeTable<'_>, scenario: &mut Scenario) {
    scenario.imputation = reader.choice_section::<Imputation>(
        root,
        &SECTION,
        Imputation::SPELLINGS,
        "alternatives = [\"none\", \"mean\"]",
    );
}

fn factor_names(scenario: &Scenario) -> Vec<(Option<&str>, usize)> {
    choice_factor_name(&scenario.imputation)
}

fn write(scenario: &Scenario, out: &mut String) {
    write_choice_section(out, SECTION.header, &scenario.imputation);
}
