//! The scenario reference (`docs/scenario-reference.md`) is generated from the sections'
//! definitions and committed; these tests fail when the committed file is stale, and when a key
//! the parser accepts is missing from the reference or from the `init` template.
//!
//! Regenerate the file with `RANKSENSE_BLESS=1 cargo test --release --test scenario_reference`.

use std::collections::BTreeMap;

use ranksense::model::embedded;
use ranksense::scenario::derive::derive;
use ranksense::scenario::template::scenario_file;
use ranksense::scenario::{Scenario, reference_markdown};

const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenario-reference.md");

#[test]
fn the_committed_reference_is_the_generated_one() {
    let generated = reference_markdown();
    if std::env::var_os("RANKSENSE_BLESS").is_some() {
        std::fs::write(REFERENCE, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(REFERENCE).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/scenario-reference.md differs from the sections' definitions: regenerate it with \
         `RANKSENSE_BLESS=1 cargo test --release --test scenario_reference`"
    );
}

/// The reference's sections: header (`""` for the run keys, else `[exclusion]` or
/// `[[weights]]`) → the keys of its table.
fn documented() -> BTreeMap<String, Vec<String>> {
    let mut sections: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in reference_markdown().lines() {
        if let Some(title) = line.strip_prefix("## ") {
            let header = match title.split('`').nth(1) {
                Some(header) if title.starts_with('`') => header.to_string(),
                _ => String::new(),
            };
            sections.insert(header.clone(), Vec::new());
            current = Some(header);
        } else if let (Some(header), Some(row)) = (&current, line.strip_prefix("| `")) {
            let key = row.split('`').next().unwrap().to_string();
            sections.get_mut(header).unwrap().push(key);
        }
    }
    sections
}

/// The keys the parser accepts in a table, read from its own "unknown key" message.
fn accepted(text: &str) -> Vec<String> {
    let error = Scenario::from_toml_str(text, "probe.toml").unwrap_err();
    let unknown = error
        .diagnostics()
        .iter()
        .find(|d| d.problem.starts_with("unknown key"))
        .unwrap_or_else(|| panic!("no unknown-key problem for\n{text}\n{error}"));
    let listing = unknown.fix.split("one of:").nth(1).unwrap();
    listing
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn every_key_the_parser_accepts_is_in_the_reference_and_the_init_template() {
    let sections = documented();
    let index = embedded::load("asem").unwrap();
    let template = scenario_file(&index, &derive(&index).unwrap());
    let in_template = |key: &str| {
        template
            .lines()
            .map(|line| line.trim_start_matches(['#', ' ']))
            .any(|line| line.starts_with(&format!("{key} =")) || line == format!("[{key}]"))
            || template.contains(&format!("[[{key}]]"))
            || template.contains(&format!("[{key}]"))
    };

    // The top level: run keys in the run table, every other key a documented section.
    let top = accepted("unknown_key_probe = 1\n");
    assert!(top.len() > 6, "{top:?}");
    for key in &top {
        let as_table = [format!("[{key}]"), format!("[[{key}]]")];
        assert!(
            sections[""].contains(key) || as_table.iter().any(|h| sections.contains_key(h)),
            "top-level `{key}` is accepted but not in the reference"
        );
        assert!(
            in_template(key),
            "`{key}` is missing from the init template"
        );
    }
    // Every section table, probed with the header the reference gives it.
    for (header, keys) in sections.iter().filter(|(h, _)| !h.is_empty()) {
        let name = header.trim_matches(['[', ']']);
        assert!(top.contains(&name.to_string()), "{header} is not accepted");
        let accepted = accepted(&format!("{header}\nunknown_key_probe = 1\n"));
        assert_eq!(
            &accepted, keys,
            "{header}: the parser's keys and the reference's differ"
        );
        for key in &accepted {
            assert!(
                in_template(key),
                "`{name}.{key}` is missing from the init template"
            );
        }
    }
}

#[test]
fn the_reference_examples_together_are_a_valid_scenario() {
    // Each section's example, in the reference's order (run keys first, as TOML needs).
    let markdown = reference_markdown();
    let mut text = String::new();
    let mut in_example = false;
    for line in markdown.lines() {
        match line {
            "```toml" => in_example = true,
            "```" => {
                in_example = false;
                text.push('\n');
            }
            _ if in_example => {
                text.push_str(line);
                text.push('\n');
            }
            _ => {}
        }
    }
    let scenario =
        Scenario::from_toml_str(&text, "reference.toml").unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(scenario.top_k, Some(10));
    assert_eq!(scenario.weights.len(), 2);
    assert!(scenario.normalisation.is_some() && scenario.imputation.is_some());
    assert!(scenario.treatment.is_some() && scenario.exclusion.is_some());
    assert!(scenario.verdict.is_some());
    // What the parser read writes back and reads again as the same scenario.
    let again = Scenario::from_toml_str(&scenario.to_toml_string(), "again.toml").unwrap();
    assert_eq!(again.to_toml_string(), scenario.to_toml_string());
}
