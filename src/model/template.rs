//! The commented `index.toml` that `ranksense init` writes for a folder that has none: the index's name and its nominal method as loaded, with every other key commented out.

use std::fmt::Write as _;

use super::Index;
use crate::model::method::{Imputation, Normalisation};

fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The file's text. Loading the folder with it gives the index it was written from: the same
/// name and nominal method (the active keys are the loaded values).
pub fn index_toml(index: &Index) -> String {
    let framework = &index.framework;
    let method = &index.nominal;
    let mut out = String::new();
    out.push_str(
        "# index.toml: the index's name and nominal method, read by every ranksense command.\n\
         # Written by `ranksense init` with the values ranksense assumed without it; every key is\n\
         # optional. Remove the leading \"# \" of a line to use it.\n\n",
    );
    let _ = writeln!(out, "name = {}", quoted(&index.info.name));
    out.push_str("# description = \"What the index measures, for whom, and when\"\n");
    out.push_str("# provenance = \"Where the data come from and how far they can be trusted\"\n");
    out.push_str(
        "# reconstruction = false   # true: every report says the values are a reconstruction\n",
    );
    let focus = index
        .info
        .focus
        .clone()
        .or_else(|| index.units.first().map(|u| u.code.clone()))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{}focus = {}   # the unit verdicts are about (uCode or name); --focus overrides it",
        if index.info.focus.is_some() { "" } else { "# " },
        quoted(&focus)
    );
    let names: Vec<String> = (1..=framework.n_levels)
        .map(|l| quoted(&framework.level_name(l)))
        .collect();
    let _ = writeln!(
        out,
        "{}level_names = [{}]   # bottom-up, for reports",
        if framework.level_names.is_empty() {
            "# "
        } else {
            ""
        },
        names.join(", ")
    );
    out.push_str("\n[method]\n");
    let _ = writeln!(
        out,
        "denominate = {}   # divide indicators by their Denominator column of meta.csv",
        method.denominate
    );
    let groups: Vec<String> = index
        .groups
        .iter()
        .take(1)
        .flat_map(|g| {
            [
                Imputation::GroupMean(g.code.clone()).to_string(),
                Imputation::GroupMedian(g.code.clone()).to_string(),
            ]
        })
        .collect();
    let _ = writeln!(
        out,
        "imputation = {}   # none | mean | median{}",
        quoted(&method.imputation.to_string()),
        groups.iter().map(|g| format!(" | {g}")).collect::<String>()
    );
    match method.screen {
        Some(share) => {
            let _ = writeln!(out, "screen = {share:?}");
        }
        None => out.push_str(
            "# screen = 0.5   # keep only units with at least this share of their indicators\n",
        ),
    }
    match method.treatment {
        Some(t) => {
            let _ = writeln!(
                out,
                "treatment = {{ winmax = {}, skew_limit = {:?}, kurtosis_limit = {:?} }}",
                t.winmax, t.skew_limit, t.kurtosis_limit
            );
        }
        None => out.push_str(
            "treatment = \"none\"   # or { winmax = 5, skew_limit = 2.0, kurtosis_limit = 3.5 } (COINr's Treat)\n",
        ),
    }
    let _ = writeln!(
        out,
        "normalisation = {}   # {}",
        quoted(&method.normalisation.to_string()),
        Normalisation::SPELLINGS.join(" | ")
    );
    let aggregation = &method.aggregation;
    let all_same = aggregation.iter().all(|a| *a == aggregation[0]);
    let per_level = aggregation
        .iter()
        .map(|a| quoted(&a.to_string()))
        .collect::<Vec<_>>()
        .join(", ");
    if all_same {
        let _ = writeln!(
            out,
            "aggregation = {}   # every level; or one per aggregate level, bottom-up: [{per_level}]",
            quoted(&aggregation[0].to_string())
        );
    } else {
        let _ = writeln!(
            out,
            "aggregation = [{per_level}]   # one per aggregate level, bottom-up"
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::toml::{METHOD_KEYS, TOP_KEYS, TREATMENT_KEYS};

    #[test]
    fn the_template_names_every_key_and_loads_into_the_same_method() {
        let index = crate::model::embedded::load("asem").unwrap();
        let text = index_toml(&index);
        for key in TOP_KEYS.iter().chain(METHOD_KEYS).chain(TREATMENT_KEYS) {
            assert!(
                text.contains(&format!("{key} = ")) || text.contains(&format!("[{key}]")),
                "`{key}` is missing:\n{text}"
            );
        }
        // The active keys are the loaded values: the file parses to the same method.
        let parsed = crate::model::toml::IndexToml::parse("index.toml", &text).unwrap();
        assert_eq!(parsed.name.as_deref(), Some(index.info.name.as_str()));
    }
}
