//! A discrete uncertain choice and the TOML spellings the sections' writers share. A leaf: the
//! sections, the reader and the validator use it, and it uses none of them.

use std::fmt::{Display, Write as _};

use serde::{Deserialize, Serialize};

/// Probabilities of a choice must sum to 1 within this tolerance.
pub const PROBABILITY_TOLERANCE: f64 = 1e-9;

/// One discrete uncertain choice: the alternatives a sample picks from, with their
/// probabilities, and the nominal value used when the factor is switched off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice<T> {
    /// Factor name for reports; `None` lets the factor builder name it.
    pub name: Option<String>,
    /// `None`: the index's nominal method.
    pub nominal: Option<T>,
    /// Non-empty, no duplicates.
    pub alternatives: Vec<T>,
    /// One per alternative, each ≥ 0, summing to 1; equal when the file gives none.
    pub probabilities: Vec<f64>,
    /// Line of the table header (0 if built in code).
    #[serde(skip)]
    pub line: usize,
}

impl<T> Choice<T> {
    /// Alternatives with equal probabilities and the index's nominal.
    pub fn equally_likely(alternatives: Vec<T>) -> Self {
        let probabilities = vec![1.0 / alternatives.len() as f64; alternatives.len()];
        Choice {
            name: None,
            nominal: None,
            alternatives,
            probabilities,
            line: 0,
        }
    }
}

// The writer's TOML spellings, shared by the sections.

/// A TOML string literal.
pub(crate) fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A float in its shortest form that reads back as the same number.
pub(crate) fn float(x: f64) -> String {
    format!("{x:?}")
}

/// A TOML array of strings.
pub(crate) fn strings(items: Vec<String>) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| quoted(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn floats(items: &[f64]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|&x| float(x))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The keys of a choice table (`name`, `nominal`, `alternatives`, `probabilities`).
pub(crate) fn choice_lines<T: Display>(out: &mut String, choice: &Choice<T>) {
    if let Some(name) = &choice.name {
        let _ = writeln!(out, "name = {}", quoted(name));
    }
    if let Some(nominal) = &choice.nominal {
        let _ = writeln!(out, "nominal = {}", quoted(&nominal.to_string()));
    }
    let alternatives = choice.alternatives.iter().map(|a| a.to_string()).collect();
    let _ = writeln!(out, "alternatives = {}", strings(alternatives));
    let _ = writeln!(out, "probabilities = {}", floats(&choice.probabilities));
}

/// The factor name and line of a one-choice section, if it is present.
pub(crate) fn choice_factor_name<T>(choice: &Option<Choice<T>>) -> Vec<(Option<&str>, usize)> {
    choice.iter().map(|c| (c.name.as_deref(), c.line)).collect()
}

/// Writes a one-choice section under its header, if it is present.
pub(crate) fn write_choice_section<T: Display>(
    out: &mut String,
    header: &str,
    choice: &Option<Choice<T>>,
) {
    if let Some(choice) = choice {
        out.push('\n');
        out.push_str(header);
        out.push('\n');
        choice_lines(out, choice);
    }
}
