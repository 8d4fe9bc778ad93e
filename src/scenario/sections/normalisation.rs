//! `[normalisation]`: The normalisation of every indicator, one alternative per sample.

use toml::de::DeTable;

use super::{KeyDoc, Scenario, Section};
use crate::model::method::Normalisation;
use crate::scenario::choice::{choice_factor_name, write_choice_section};
use crate::scenario::sections::reader::Reader;

/// The `[normalisation]` section.
pub(crate) const SECTION: Section = Section {
    name: "normalisation",
    header: "[normalisation]",
    about: "The normalisation of every indicator, one alternative per sample. Whether an alternative can run with the aggregation is checked against the index (a geometric mean cannot take the zeros of `minmax(0,100)`).",
    keys: &[
        KeyDoc {
            key: "nominal",
            meaning: "the value when the factor is switched off (Sobol) and for the nominal ranking",
            default: "index.toml's normalisation",
            values: &[],
        },
        KeyDoc {
            key: "alternatives",
            meaning: "the normalisations a sample picks from",
            default: "required",
            values: Normalisation::SPELLINGS,
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
            default: "normalisation",
            values: &[],
        },
    ],
    example: "[normalisation]\nalternatives = [\"minmax(1,100)\", \"zscore(10,2)\", \"rank\"]\n",
    factor: Some(|scenario| scenario.normalisation.is_some()),
    factor_names,
    read,
    validate: |_| {},
    write,
};

fn read(reader: &mut Reader<'_>, root: &DeTable<'_>, scenario: &mut Scenario) {
    scenario.normalisation = reader.choice_section::<Normalisation>(
        root,
        &SECTION,
        Normalisation::SPELLINGS,
        "alternatives = [\"minmax(1,100)\", \"rank\"]",
    );
}

fn factor_names(scenario: &Scenario) -> Vec<(Option<&str>, usize)> {
    choice_factor_name(&scenario.normalisation)
}

fn write(scenario: &Scenario, out: &mut String) {
    write_choice_section(out, SECTION.header, &scenario.normalisation);
}
