//! The method disclosed in full: every pipeline step of the nominal method, in the order it runs,
//! with its setting and what it did to these data (the `score` header, report.md/html and
//! `method.steps` of summary.json all print this one list).
//!
//! The order is COINr's (Becker et al. 2022, *COINr: An R package for developing composite
//! indicators*, JOSS 7(78)) and the OECD/JRC Handbook's (2008, steps 4–6): denominate →
//! impute → screen → treat outliers → normalise → aggregate, level by level, bottom-up.

use serde::Serialize;

use crate::model::Index;
use crate::model::method::Imputation;
use crate::pipeline::prepare::{nominal_variant, prepare, screening};
use crate::pipeline::treat::TreatmentOutcome;

/// One pipeline step of the nominal method.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodStep {
    /// `denominate`, `imputation`, `screening`, `treatment`, `normalisation` or `aggregation`.
    pub step: &'static str,
    /// Whether the step is part of the method (false: not configured, so the data pass
    /// through unchanged).
    pub ran: bool,
    /// The setting as index.toml spells it (`mean`, `winsorise(winmax=5)`, `minmax(0,100)`, ...).
    pub setting: String,
    /// What the step did to these data.
    pub detail: String,
    /// For `aggregation`, the level it builds (2 = the first aggregate level).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
}

impl MethodStep {
    /// `Imputation (mean): 3 missing values filled with their indicator's mean.`
    pub fn line(&self) -> String {
        let step = match (self.step, self.level) {
            ("aggregation", Some(level)) => format!("Aggregation to level {level}"),
            (step, _) => {
                let mut chars = step.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
                    .unwrap_or_default()
            }
        };
        format!("{step} ({}): {}", self.setting, self.detail)
    }
}

/// Every step of the nominal method, in the order they run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodDisclosure {
    pub steps: Vec<MethodStep>,
}

impl MethodDisclosure {
    /// The nominal method of `index` as it runs on `index`'s data.
    pub fn of(index: &Index) -> Self {
        let mut steps = vec![
            denominate_step(index),
            imputation_step(index),
            screening_step(index),
            treatment_step(index),
            normalisation_step(index),
        ];
        steps.extend(aggregation_steps(index));
        MethodDisclosure { steps }
    }

    /// One line per step, for lists in every report.
    pub fn lines(&self) -> Vec<String> {
        self.steps.iter().map(MethodStep::line).collect()
    }
}

fn list(items: &[String]) -> String {
    const SHOWN: usize = 8;
    if items.len() <= SHOWN {
        items.join(", ")
    } else {
        format!(
            "{}, and {} more",
            items[..SHOWN].join(", "),
            items.len() - SHOWN
        )
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn denominate_step(index: &Index) -> MethodStep {
    let pairs: Vec<String> = index
        .framework
        .indicators
        .iter()
        .enumerate()
        .filter_map(|(j, info)| {
            info.denominator.map(|d| {
                format!(
                    "{} ÷ {}",
                    index.framework.nodes[j].code, index.denominators[d].code
                )
            })
        })
        .collect();
    let (ran, detail) = match (index.nominal.denominate, pairs.is_empty()) {
        (true, false) => (
            true,
            format!(
                "{} divided by their denominator: {}",
                plural(pairs.len(), "indicator", "indicators"),
                list(&pairs)
            ),
        ),
        (true, true) => (
            false,
            "asked for, but no indicator names a denominator in meta.csv; nothing divided".into(),
        ),
        (false, false) => (
            false,
            format!(
                "not asked for (`denominate` in index.toml), so the {} naming a denominator are used as they are",
                plural(pairs.len(), "indicator", "indicators")
            ),
        ),
        (false, true) => (false, "not asked for; indicators used as they are".into()),
    };
    MethodStep {
        step: "denominate",
        ran,
        setting: if index.nominal.denominate {
            "yes"
        } else {
            "no"
        }
        .into(),
        detail,
        level: None,
    }
}

fn imputation_step(index: &Index) -> MethodStep {
    let raw = &index.raw;
    let missing: usize = (0..raw.n_cols())
        .map(|j| raw.col(j).iter().filter(|x| x.is_nan()).count())
        .sum();
    let method = &index.nominal.imputation;
    let how = match method {
        Imputation::None => String::new(),
        Imputation::Mean => "its indicator's mean over the units".into(),
        Imputation::Median => "its indicator's median over the units".into(),
        Imputation::GroupMean(column) => format!("the mean of the unit's `{column}` group"),
        Imputation::GroupMedian(column) => format!("the median of the unit's `{column}` group"),
    };
    let values = plural(missing, "missing value", "missing values");
    let (ran, detail) = match (method, missing) {
        (_, 0) => (false, "no missing values, nothing to fill".to_string()),
        (Imputation::None, _) => (
            false,
            format!(
                "{values} left missing; each aggregate re-weights a unit over the children it has"
            ),
        ),
        _ => (true, format!("{values} each filled with {how}")),
    };
    MethodStep {
        step: "imputation",
        ran,
        setting: method.to_string(),
        detail,
        level: None,
    }
}

fn screening_step(index: &Index) -> MethodStep {
    let units = index.n_units();
    let Some(threshold) = index.nominal.screen else {
        return MethodStep {
            step: "screening",
            ran: false,
            setting: "none".into(),
            detail: format!("no `screen` in index.toml: all {units} units are ranked"),
            level: None,
        };
    };
    let detail = match screening(index) {
        Ok(s) if s.screened_out.is_empty() => format!(
            "a unit needs data for at least {:.0}% of the indicators; all {units} units pass",
            100.0 * threshold
        ),
        Ok(s) => format!(
            "a unit needs data for at least {:.0}% of the indicators; {} of {units} left out and not ranked: {}",
            100.0 * threshold,
            s.screened_out.len(),
            list(
                &s.screened_out
                    .iter()
                    .map(|u| format!("{} ({} of {} indicators)", u.code, u.present, u.indicators))
                    .collect::<Vec<_>>()
            )
        ),
        Err(error) => format!("cannot be applied: {error}"),
    };
    MethodStep {
        step: "screening",
        ran: true,
        setting: format!("screen = {threshold}"),
        detail,
        level: None,
    }
}

fn treatment_step(index: &Index) -> MethodStep {
    let Some(treatment) = index.nominal.treatment else {
        return MethodStep {
            step: "treatment",
            ran: false,
            setting: "none".into(),
            detail: "no outlier treatment: indicators are normalised as they are".into(),
            level: None,
        };
    };
    // The outcomes need the data prepared once with the nominal method.
    let detail = match prepare(index, &[nominal_variant(index)]) {
        Ok(prepared) => {
            let outcomes = &prepared.variants[0].treatment;
            let code = |j: usize| prepared.framework.nodes[j].code.clone();
            let winsorised: Vec<String> = outcomes
                .iter()
                .enumerate()
                .filter_map(|(j, o)| match o {
                    TreatmentOutcome::Winsorised { high, low } => Some(format!(
                        "{} ({})",
                        code(j),
                        plural(high + low, "point", "points")
                    )),
                    _ => None,
                })
                .collect();
            let logged: Vec<String> = outcomes
                .iter()
                .enumerate()
                .filter(|(_, o)| matches!(o, TreatmentOutcome::LogTransformed))
                .map(|(j, _)| code(j))
                .collect();
            let mut parts = vec![format!(
                "an indicator passes when |skewness| < {} or kurtosis < {}",
                treatment.skew_limit, treatment.kurtosis_limit
            )];
            if winsorised.is_empty() && logged.is_empty() {
                parts.push(format!("all {} indicators pass untreated", outcomes.len()));
            }
            if !winsorised.is_empty() {
                parts.push(format!("Winsorised: {}", list(&winsorised)));
            }
            if !logged.is_empty() {
                parts.push(format!(
                    "log-transformed (still failing after {} points): {}",
                    treatment.winmax,
                    list(&logged)
                ));
            }
            parts.join("; ")
        }
        Err(error) => format!("cannot be applied: {error}"),
    };
    MethodStep {
        step: "treatment",
        ran: true,
        setting: treatment.to_string(),
        detail,
        level: None,
    }
}

fn normalisation_step(index: &Index) -> MethodStep {
    let reversed: Vec<String> = index
        .framework
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, info)| info.direction < 0.0)
        .map(|(j, _)| index.framework.nodes[j].code.clone())
        .collect();
    let n = index.framework.n_indicators();
    let direction = if reversed.is_empty() {
        format!("all {n} indicators higher-is-better")
    } else {
        format!(
            "{} lower-is-better, reversed so higher is better: {}",
            plural(reversed.len(), "indicator", "indicators"),
            list(&reversed)
        )
    };
    MethodStep {
        step: "normalisation",
        ran: true,
        setting: index.nominal.normalisation.to_string(),
        detail: format!("each indicator over the ranked units; {direction}"),
        level: None,
    }
}

fn aggregation_steps(index: &Index) -> Vec<MethodStep> {
    let framework = &index.framework;
    index
        .nominal
        .aggregation
        .iter()
        .enumerate()
        .map(|(i, method)| {
            let level = i + 2;
            let nodes = framework.level_nodes(level);
            let names: Vec<String> = nodes
                .iter()
                .map(|&n| framework.nodes[n].code.clone())
                .collect();
            MethodStep {
                step: "aggregation",
                ran: true,
                setting: method.to_string(),
                detail: format!(
                    "{} ({}) from their weighted children: {}",
                    framework.level_name(level),
                    plural(nodes.len(), "node", "nodes"),
                    list(&names)
                ),
                level: Some(level),
            }
        })
        .collect()
}
