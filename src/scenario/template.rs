//! The commented scenario file: a derived scenario with the reasons for its choices, followed by every option a scenario file accepts, commented out, with the index's own codes.
//!
//! `robust`, `uncertainty` and `sensitivity` write it as `scenario.toml` when they derive the
//! scenario, and `ranksense init` writes it into the index folder. Its active part is written
//! by [`Scenario::to_toml_string`], so parsing the file gives back the derived scenario.

use std::fmt::Write as _;

use super::Scenario;
use super::derive::{Derivation, derive};
use crate::model::Index;
use crate::model::method::{Aggregation, Imputation, Normalisation, fmt_num};

/// The label of a derived scenario in reports and messages.
pub const DERIVED_LABEL: &str = "scenario.toml (derived from the index)";

/// A scenario derived from an index, with the file text it is written as.
#[derive(Debug, Clone)]
pub struct DerivedFile {
    /// The scenario read back from `text`, so that running the written file is the same run.
    pub scenario: Scenario,
    pub text: String,
    pub derivation: Derivation,
}

/// Derives the scenario of an index ([`derive`]) and reads it back from its file text
/// ([`scenario_file`]). Either step failing is a bug, not a problem of the data: the error is
/// its message.
pub fn derived_file(index: &Index) -> Result<DerivedFile, String> {
    let derivation = derive(index).map_err(|e| e.to_string())?;
    let text = scenario_file(index, &derivation);
    let scenario = Scenario::from_toml_str(&text, DERIVED_LABEL)
        .map_err(|e| format!("the derived scenario does not parse: {e}"))?;
    Ok(DerivedFile {
        scenario,
        text,
        derivation,
    })
}

/// The file as written: header, derived scenario with comments, and the vocabulary.
pub fn scenario_file(index: &Index, derivation: &Derivation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Scenario derived by ranksense from {} ({}).",
        one_line(&index.info.name),
        one_line(&index.info.source)
    );
    out.push_str(
        "#\n\
         # A first uncertainty analysis, set up the way an auditor would (OECD/JRC Handbook on\n\
         # Constructing Composite Indicators 2008, ch. 7; Saisana, Saltelli & Tarantola 2005).\n\
         # Each section below is one uncertain choice: a factor of the Monte Carlo and Sobol\n\
         # analyses. Edit it and pass it back with `--scenario scenario.toml`. Every option a\n\
         # scenario file accepts is listed, commented out, at the end of this file.\n",
    );
    if !derivation.left_out.is_empty() {
        out.push_str("#\n# Left out, and why:\n");
        for left_out in &derivation.left_out {
            comment(
                &mut out,
                &format!("{}: {}.", left_out.choice, left_out.reason),
                "#   - ",
                "#     ",
            );
        }
    }
    out.push('\n');
    let derived = &derivation.scenario;
    out.push_str(
        &Scenario {
            name: derived.name.clone(),
            description: derived.description.clone(),
            ..Scenario::default()
        }
        .to_toml_string(),
    );
    // One section at a time, each after the comment that explains it.
    let mut reasons = derivation.chosen.iter();
    let mut section = |out: &mut String, part: Scenario| {
        out.push('\n');
        if let Some(reason) = reasons.next() {
            comment(out, &format!("{reason}."), "# ", "# ");
        }
        out.push_str(&part.to_toml_string());
    };
    for spec in &derived.weights {
        section(
            &mut out,
            Scenario {
                weights: vec![spec.clone()],
                ..Scenario::default()
            },
        );
    }
    if let Some(choice) = &derived.normalisation {
        section(
            &mut out,
            Scenario {
                normalisation: Some(choice.clone()),
                ..Scenario::default()
            },
        );
    }
    for spec in &derived.aggregation {
        section(
            &mut out,
            Scenario {
                aggregation: vec![spec.clone()],
                ..Scenario::default()
            },
        );
    }
    if let Some(spec) = &derived.exclusion {
        section(
            &mut out,
            Scenario {
                exclusion: Some(spec.clone()),
                ..Scenario::default()
            },
        );
    }
    out.push('\n');
    out.push_str(&vocabulary(index));
    out
}

/// Text on one line (names and sources go into `#` comments).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Writes `text` as comment lines of at most ~96 characters: the first starts with `first`,
/// the others with `rest`.
fn comment(out: &mut String, text: &str, first: &str, rest: &str) {
    let mut line = String::new();
    let mut prefix = first;
    for word in text.split_whitespace() {
        if !line.is_empty()
            && prefix.chars().count() + line.chars().count() + 1 + word.chars().count() > 96
        {
            let _ = writeln!(out, "{prefix}{line}");
            line.clear();
            prefix = rest;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{prefix}{line}");
    }
}

/// The blocks of the vocabulary: each, with its `# ` removed, is a scenario that parses and
/// validates for this index on its own, and together they use every key of the format.
pub fn vocabulary_blocks(index: &Index) -> Vec<String> {
    let framework = &index.framework;
    let nodes = &framework.nodes;
    // A level and an aggregate whose weights can vary (two positively weighted children).
    let varying_parent = framework.aggregates().find(|&p| {
        nodes[p]
            .children
            .iter()
            .filter(|&&c| nodes[c].weight > 0.0)
            .count()
            >= 2
    });
    let level = varying_parent.map_or(1, |p| nodes[p].level - 1);
    let level_name = framework.level_name(level);
    let parent = varying_parent.map_or_else(
        || nodes[framework.top].code.clone(),
        |p| nodes[p].code.clone(),
    );
    let focus = index
        .info
        .focus
        .clone()
        .or_else(|| index.units.first().map(|u| u.code.clone()))
        .unwrap_or_default();
    let n_units = index.n_units();
    let top_k = n_units.clamp(1, 10);
    let winmax_high = n_units.saturating_sub(1).clamp(1, 5);
    // Indicators that may be left out: their parent keeps another weighted child.
    let excludable: Vec<String> = (0..framework.n_indicators())
        .filter(|&i| {
            nodes[i].parent.is_some_and(|p| {
                nodes[p]
                    .children
                    .iter()
                    .any(|&c| c != i && nodes[c].weight > 0.0)
            })
        })
        .take(3)
        .map(|i| nodes[i].code.clone())
        .collect();
    // A range holding every raw value (0 upwards when none is negative), for the noise example.
    let (low, high) = (0..index.raw.n_cols())
        .flat_map(|j| index.raw.col(j).iter().copied())
        .filter(|x| x.is_finite())
        .fold((0.0f64, 0.0f64), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let (range_low, range_high) = (fmt_num(low.floor()), fmt_num((2.0 * high).ceil().max(1.0)));
    let codes = |items: &[String]| {
        items
            .iter()
            .map(|s| toml::Value::String(s.clone()).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let quoted = |text: &str| toml::Value::String(text.to_string()).to_string();
    let imputations: Vec<String> = match index.groups.first() {
        Some(group) => vec![
            Imputation::None.to_string(),
            Imputation::Mean.to_string(),
            Imputation::GroupMedian(group.code.clone()).to_string(),
        ],
        None => vec![
            Imputation::None.to_string(),
            Imputation::Mean.to_string(),
            Imputation::Median.to_string(),
        ],
    };
    let normalisations = super::derive::standard_normalisations().map(|n| n.to_string());
    let aggregations = [Aggregation::Arithmetic, Aggregation::Geometric].map(|a| a.to_string());
    let top_level = framework.n_levels;
    vec![
        format!(
            "# Run defaults; the command line overrides each (--samples, --seed, --focus, --top-k).\n\
             # name = {name}    # a title for reports\n\
             # description = \"What this scenario explores\"\n\
             # samples = 10000              # a fixed number of Monte Carlo samples; leave out to sample until every headline number is settled\n\
             # seed = 1                     # the same seed gives the same results, byte for byte\n\
             # focus = {focus}              # the unit the verdict is about (uCode or name)\n\
             # top_k = {top_k}                   # k of \"P(top k)\"\n",
            name = quoted(&format!("My scenario for {}", one_line(&index.info.name))),
            focus = quoted(&focus),
        ),
        format!(
            "# Weights of a whole level: one [[weights]] entry per level or aggregate that varies.\n\
             # [[weights]]\n\
             # level = {level}                    # every weight of level {level} ({level_name}), 1 = indicators\n\
             # mode = \"uniform\"             # uniform | dirichlet | simplex | fixed\n\
             # spread = 0.25                # uniform: each weight × U(1 − spread, 1 + spread), renormalised\n\
             # grouping = \"per-level\"       # per-level: one factor | per-parent: one per aggregate | all: one for every \"all\" entry\n\
             # name = \"{level_name} weights\"   # the factor's name in reports\n"
        ),
        format!(
            "# Weights of one aggregate's children, Dirichlet around the nominal weights.\n\
             # (mode = \"simplex\": uniform on all weight vectors, SMAA; mode = \"fixed\": nominal.)\n\
             # [[weights]]\n\
             # parent = {parent}\n\
             # mode = \"dirichlet\"\n\
             # concentration = 50           # larger stays closer to the nominal weights\n\
             # grouping = \"per-parent\"\n",
            parent = quoted(&parent),
        ),
        format!(
            "# Normalisation: one alternative per sample. Methods: {}.\n\
             # [normalisation]\n\
             # alternatives = [{}]\n\
             # probabilities = [0.5, 0.25, 0.25]   # optional: equally likely when left out\n\
             # nominal = {}   # the value when the factor is switched off (default: index.toml's)\n\
             # name = \"Normalisation\"\n",
            Normalisation::SPELLINGS.join(", "),
            codes(&normalisations),
            quoted(&index.nominal.normalisation.to_string()),
        ),
        format!(
            "# Aggregation of some levels (default: every aggregate level 2..={top_level}).\n\
             # Methods: {}. Geometric, harmonic and power means\n\
             # need positive values: pair them with minmax(1,100) or rank, not minmax(0,100).\n\
             # [[aggregation]]\n\
             # levels = [{top_level}]\n\
             # alternatives = [{}]\n\
             # probabilities = [0.5, 0.5]\n\
             # nominal = {}\n\
             # name = \"Aggregation\"\n",
            Aggregation::SPELLINGS.join(", "),
            codes(&aggregations),
            quoted(&index.nominal.aggregation[top_level - 2].to_string()),
        ),
        format!(
            "# Imputation of missing values. Methods: {}.\n\
             # [imputation]\n\
             # alternatives = [{}]\n\
             # probabilities = [0.4, 0.3, 0.3]\n\
             # nominal = {}\n\
             # name = \"Imputation\"\n",
            Imputation::SPELLINGS.join(", "),
            codes(&imputations),
            quoted(&index.nominal.imputation.to_string()),
        ),
        format!(
            "# Outlier treatment: Winsorise at most `winmax` points of an indicator that fails the\n\
             # skewness/kurtosis test (COINr's Treat), every limit in the range equally likely.\n\
             # [treatment]\n\
             # winmax = [1, {winmax_high}]\n\
             # nominal = {winmax_high}\n\
             # skew_limit = 2.0             # |skewness| below this passes\n\
             # kurtosis_limit = 3.5         # or kurtosis below this\n\
             # name = \"Winsorisation\"\n"
        ),
        format!(
            "# Leave one indicator out (weight 0) per sample, or none; \"all\" or a list of codes.\n\
             # [exclusion]\n\
             # indicators = {}\n\
             # include_none = true\n\
             # name = \"Indicator set\"\n",
            if excludable.is_empty() {
                quoted("all")
            } else {
                format!("[{}]", codes(&excludable))
            },
        ),
        format!(
            "# Data error: perturb the raw values of some indicators in every sample (a factor per\n\
             # entry). distribution: normal, uniform, lognormal (positive values) or imputation\n\
             # (draw the missing values around the imputed ones; no sd). sd is relative (a fraction\n\
             # of each value) or absolute.\n\
             # [[noise]]\n\
             # indicators = {}\n\
             # distribution = \"normal\"\n\
             # sd = 0.05\n\
             # scale = \"relative\"\n\
             # range = [{}, {}]              # draws stay in this range\n\
             # grouping = \"entry\"            # or \"per-indicator\": one factor per indicator\n\
             # source = \"assumption\"         # where the error model comes from\n\
             # name = \"Data error\"\n",
            quoted("all"),
            range_low,
            range_high,
        ),
        format!(
            "# Or every indicator under one aggregate, instead of a list of indicators.\n\
             # [[noise]]\n\
             # parent = {}\n\
             # sd = 0.05\n",
            quoted(&parent),
        ),
        format!(
            "# Or each value's own standard error, from a CSV file (uCode and one column per\n\
             # indicator; with one indicator, `column` names the file's column to use).\n\
             # [[noise]]\n\
             # indicators = [{}]\n\
             # standard_errors = \"se.csv\"\n\
             # column = {}\n",
            quoted(&nodes[0].code),
            quoted(&nodes[0].code),
        ),
        "# How a rank is rated (not a factor): robust when its 90% interval lies within\n\
         # ±robust_within places of the nominal rank, moderately robust within ±moderately_within,\n\
         # otherwise fragile. Default: 2.5% and 7.5% of the number of units, at least 1 and 3.\n\
         # [verdict]\n\
         # robust_within = 1\n\
         # moderately_within = 3\n"
            .to_string(),
    ]
}

/// Every option of the format, commented out.
pub fn vocabulary(index: &Index) -> String {
    let mut out = String::from(
        "# ------------------------------------------------------------------------------------\n\
         # Everything a scenario file can say, with this index's codes. Remove the leading \"# \"\n\
         # of a line to use it (keys of one section go under its [header]).\n\
         # ------------------------------------------------------------------------------------\n",
    );
    for block in vocabulary_blocks(index) {
        out.push_str("#\n");
        out.push_str(&block);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::scenario::derive::derive;
    use crate::scenario::sections::{SECTIONS, top_keys};

    /// The lines of a block that are TOML once their `# ` is removed (keys and headers).
    fn uncomment(block: &str) -> String {
        block
            .lines()
            .filter_map(|line| line.strip_prefix("# "))
            .filter(|line| {
                line.starts_with('[')
                    || line.split_once(" = ").is_some_and(|(key, _)| {
                        key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    })
            })
            .map(|line| format!("{line}\n"))
            .collect()
    }

    /// `weights[1].spread` → (`weights`, `spread`); `focus` → (``, `focus`).
    fn section_and_key(path: &str) -> Option<(String, String)> {
        if path.contains("].") || !path.contains('[') {
            let mut parts = path.split('.');
            let first = parts.next()?.split('[').next()?.to_string();
            match parts.next() {
                Some(key) => Some((first, key.split('[').next()?.to_string())),
                None => Some((String::new(), first)),
            }
        } else {
            None
        }
    }

    #[test]
    fn every_vocabulary_block_is_a_valid_scenario_and_together_they_use_every_key() {
        for name in ["asem", "ieci2022"] {
            let index = crate::model::embedded::load(name).unwrap();
            let mut used: BTreeSet<(String, String)> = BTreeSet::new();
            // The first block holds the top-level keys; a scenario needs a factor, so each
            // section block is parsed below them (TOML puts top-level keys first).
            let blocks = vocabulary_blocks(&index);
            let top = uncomment(&blocks[0]);
            for block in &blocks[1..] {
                // [verdict] is not a factor: it is parsed with the first factor block.
                let factor = if block.contains("[verdict]") {
                    uncomment(&blocks[1])
                } else {
                    String::new()
                };
                let text = format!("{top}\n{}\n{factor}", uncomment(block));
                let scenario = Scenario::from_toml_str(&text, "block")
                    .unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
                // A standard-errors file is the user's own: that block is parsed, not checked
                // against files that do not exist here.
                if !block.contains("standard_errors =") {
                    scenario
                        .validate(&index)
                        .unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
                }
                used.extend(scenario.key_lines.keys().filter_map(|p| section_and_key(p)));
            }
            // Every key every section accepts (the parser's own lists, from the registry).
            for section in SECTIONS.iter().filter(|s| !s.name.is_empty()) {
                assert!(
                    used.contains(&(String::new(), section.name.to_string())),
                    "{}",
                    section.name
                );
                for key in section.key_names() {
                    assert!(
                        used.contains(&(section.name.to_string(), key.to_string())),
                        "{name}: `{}.{key}` is missing from the vocabulary",
                        section.name
                    );
                }
            }
            for key in top_keys() {
                assert!(
                    used.contains(&(String::new(), key.to_string())),
                    "{name}: top-level `{key}` is missing from the vocabulary"
                );
            }
        }
    }

    #[test]
    fn the_written_file_parses_back_into_the_derived_scenario() {
        for name in ["asem", "ieci2022"] {
            let index = crate::model::embedded::load(name).unwrap();
            let derivation = derive(&index).unwrap();
            let text = scenario_file(&index, &derivation);
            let parsed = Scenario::from_toml_str(&text, "derived").unwrap();
            // Lines and the source are where the file was read, not what it says.
            let mut expected = derivation.scenario.clone();
            expected.source = "derived".into();
            let mut parsed = parsed;
            parsed.key_lines.clear();
            for spec in &mut parsed.weights {
                spec.line = 0;
            }
            for spec in &mut parsed.aggregation {
                spec.choice.line = 0;
            }
            if let Some(choice) = &mut parsed.normalisation {
                choice.line = 0;
            }
            if let Some(spec) = &mut parsed.exclusion {
                spec.line = 0;
            }
            assert_eq!(parsed, expected, "{name}");
            // Every derived section is explained by a comment, every left-out choice listed.
            for left_out in &derivation.left_out {
                let words: Vec<&str> = left_out.reason.split_whitespace().take(4).collect();
                assert!(
                    text.contains(&words.join(" ")),
                    "{name}: {}",
                    left_out.reason
                );
            }
        }
    }
}
