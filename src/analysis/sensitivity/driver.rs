//! The plain-language answer for the focus unit: which factor drives its target, and whether
//! through interactions.

use serde::Serialize;

use super::{TargetFamily, TargetResult};
use crate::analysis::sobol::Estimate;

/// The plain-language answer for the focus unit: which factor drives its target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FocusDriver {
    pub target: String,
    /// The factor with the largest total index (`None` if the target is constant).
    pub factor: Option<String>,
    pub first: Option<Estimate>,
    pub total: Option<Estimate>,
    /// ST − S is large ([`is_interaction`]): much of the factor's effect is through interactions.
    pub interaction: bool,
    pub sentence: String,
}

/// The sentence about what drives the focus unit's target.
pub(super) fn focus_driver(
    target: &TargetResult,
    unit_name: &str,
    k: Option<u32>,
    runs: usize,
) -> FocusDriver {
    let what = match target.family {
        TargetFamily::Rank => format!("{unit_name}'s rank"),
        TargetFamily::Score => format!("{unit_name}'s score"),
        TargetFamily::Topk => format!(
            "Whether {unit_name} ranks in the top {}",
            k.map(|k| k.to_string()).unwrap_or_default()
        ),
        TargetFamily::Rs => "The mean absolute rank shift".to_string(),
    };
    if target.sobol.constant {
        return FocusDriver {
            target: target.target.clone(),
            factor: None,
            first: None,
            total: None,
            interaction: false,
            sentence: format!(
                "{what} is the same in all {runs} runs: none of the scenario's choices moves it."
            ),
        };
    }
    let ranked = target.by_total();
    let top = ranked[0];
    let level = |e: &Estimate| format!("[{:.2}, {:.2}]", e.lo, e.hi);
    let interaction = is_interaction(top.first.value, top.total.value);
    let mut sentence = format!(
        "{what} is driven mostly by {}: {:.0}% of its variance involves this choice (total \
         index ST = {:.2}, interval {})",
        top.factor,
        100.0 * top.total.value.clamp(0.0, 1.0),
        top.total.value,
        level(&top.total)
    );
    if interaction {
        let share = (top.total.value - top.first.value) / top.total.value;
        sentence.push_str(&format!(
            ", {:.0}% of that through interactions with other choices (alone it explains S = {:.2})",
            100.0 * share,
            top.first.value
        ));
    }
    if let Some(next) = ranked.get(1) {
        if next.total.hi >= top.total.lo && next.total.value > 0.0 {
            sentence.push_str(&format!(
                "; {} (ST = {:.2}) is not clearly behind at this N",
                next.factor, next.total.value
            ));
        } else {
            sentence.push_str(&format!(
                "; next comes {} (ST = {:.2})",
                next.factor, next.total.value
            ));
        }
    }
    sentence.push('.');
    if target.changed_share < RARE_CHANGE {
        sentence.push_str(&format!(
            " It changes in only {:.1}% of the runs, so these shares rest on few runs.",
            100.0 * target.changed_share
        ));
    }
    FocusDriver {
        target: target.target.clone(),
        factor: Some(top.factor.clone()),
        first: Some(top.first),
        total: Some(top.total),
        interaction,
        sentence,
    }
}

/// Below this share of runs with a changed value, the sentence warns that indices rest on few runs.
const RARE_CHANGE: f64 = 0.05;

/// ST − S is large: at least 0.1 and at least a third of ST.
pub fn is_interaction(first: f64, total: f64) -> bool {
    let gap = total - first;
    gap >= 0.1 && gap >= total / 3.0
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interaction_needs_a_large_gap() {
        assert!(is_interaction(0.2, 0.6));
        assert!(!is_interaction(0.5, 0.6));
        assert!(!is_interaction(0.01, 0.09));
    }
}
