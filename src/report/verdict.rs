//! The verdict in words: the focus unit's sentence, the `robust` verdict's sentence and points, the caution when the samples do not settle the numbers, and the stop rule's outcome. Every number comes from the analysis's facts; errors are printed through `report::format`.

use serde::Serialize;

use super::format::{
    fmt_count, fmt_error, fmt_interval, fmt_percent, fmt_quantile, fmt_rank, fmt_samples, fmt_weight_span, fmt_with_error,
    ordinal,
};
use crate::analysis::data_error::DataErrorSplit;
use crate::analysis::convergence::{
    Convergence, QuantileState, Statistic, Unsettled, resolution_percent,
};
use crate::analysis::robust::RobustVerdict;
use crate::analysis::verdict::{FocusVerdict, Swap};

/// A verdict as printed: one sentence and its bullet points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictText {
    pub sentence: String,
    pub points: Vec<String>,
}

/// "the median is 7 or 8: P(rank ≤ 7) = 0.50 ± 0.01", one per quantile on a boundary.
pub fn boundary_notes(verdict: &FocusVerdict) -> Vec<String> {
    [
        ("the median", verdict.median),
        ("the 5% quantile", verdict.q05),
        ("the 95% quantile", verdict.q95),
    ]
    .into_iter()
    .filter_map(|(what, state)| match state {
        QuantileState::Boundary {
            low,
            high,
            p_at_or_below,
            half_width,
        } => Some(format!(
            "{what} is {}: P(rank ≤ {}) = {}, on the boundary, so no number of samples settles it on one rank",
            fmt_quantile(&state, low),
            fmt_rank(low),
            fmt_with_error(p_at_or_below, half_width.max(1e-12)),
        ))
        .filter(|_| high > low),
        QuantileState::Resolved { low, high } => Some(format!(
            "{what} is {}: more samples would narrow it, but the span is within {} of the 90% interval, finer than the interval can be read",
            fmt_quantile(&state, (low + high) / 2.0),
            resolution_percent(),
        )),
        _ => None,
    })
    .collect()
}

fn statistic_name(statistic: Statistic, top_k: u32) -> String {
    match statistic {
        Statistic::Median => "median rank".into(),
        Statistic::Q05 => "5% rank quantile".into(),
        Statistic::Q95 => "95% rank quantile".into(),
        Statistic::PNominalRank => "P(nominal rank)".into(),
        Statistic::PTopK => format!("P(top {top_k})"),
    }
}

/// "BEJ median rank (7–9)", "BEJ P(top 10) (0.41–0.44)".
fn describe_unsettled(item: &Unsettled, top_k: u32) -> String {
    let range = match item.statistic {
        Statistic::Median | Statistic::Q05 | Statistic::Q95 => {
            format!("{}–{}", fmt_rank(item.low), fmt_rank(item.high))
        }
        Statistic::PNominalRank | Statistic::PTopK => {
            format!(
                "{} ± {}",
                fmt_percent((item.low + item.high) / 2.0, f64::NAN),
                fmt_error(100.0 * (item.high - item.low) / 2.0)
            ) + " pp"
        }
    };
    format!(
        "{} {} ({range})",
        item.code,
        statistic_name(item.statistic, top_k)
    )
}

/// The first few unsettled statistics, and how many more.
fn unsettled_list(c: &Convergence, top_k: u32) -> String {
    let shown: Vec<String> = c
        .unsettled
        .iter()
        .take(5)
        .map(|u| describe_unsettled(u, top_k))
        .collect();
    let more = c.unsettled.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// The stop rule's outcome in one sentence.
pub fn convergence_sentence(c: &Convergence, top_k: u32) -> String {
    let boundaries = match c.boundaries {
        0 => String::new(),
        1 => "; 1 quantile is on a boundary between two ranks".into(),
        n => format!("; {n} quantiles are on a boundary between two ranks"),
    } + &match c.resolved {
        0 => String::new(),
        1 => format!(
            "; 1 quantile is known to within {} of its unit's 90% interval, not to the rank",
            resolution_percent()
        ),
        n => format!(
            "; {} quantiles are known to within {} of their unit's 90% interval, not to the rank",
            fmt_count(n as u64),
            resolution_percent()
        ),
    };
    let error = format!(
        "largest error of a headline probability ±{} percentage points (95%)",
        fmt_error(100.0 * c.largest_probability_error)
    );
    let whose = match &c.scope {
        None => "every unit's".to_string(),
        Some(scope) => format!("for {scope}, each unit's"),
    };
    let elsewhere = match (&c.scope, c.unsettled_elsewhere) {
        (None, _) => String::new(),
        (Some(_), 0) => " The other units' statistics are settled too.".into(),
        (Some(_), n) => format!(
            " The rule waits only for the units the report lists; {} of the other units' statistics are not settled and rank_stats.csv gives their state.",
            fmt_count(n as u64)
        ),
    };
    match (c.adaptive, c.settled) {
        (true, true) => format!(
            "Converged after {}: {whose} median and 5%/95% rank quantiles, P(nominal rank) and P(top {top_k}) are settled ({error}{boundaries}).{elsewhere} Stop rule: {}.",
            fmt_samples(c.samples),
            c.stop_rule
        ),
        (true, false) => format!(
            "Stopped at the cap of {} with {} headline numbers not settled: {} ({error}). Raise the maximum sample count to settle them. Stop rule: {}.",
            fmt_samples(c.samples),
            c.unsettled.len(),
            unsettled_list(c, top_k),
            c.stop_rule
        ),
        (false, true) => format!(
            "A fixed {}: enough for the stop rule, every headline number{} is settled ({error}{boundaries}).{elsewhere}",
            fmt_samples(c.samples),
            c.scope
                .as_ref()
                .map(|scope| format!(" of {scope}"))
                .unwrap_or_default()
        ),
        (false, false) => format!(
            "A fixed {} is fewer than the stop rule needs: {} headline numbers are not settled: {} ({error}); leave the sample count unset to sample until they are.",
            fmt_samples(c.samples),
            c.unsettled.len(),
            unsettled_list(c, top_k)
        ),
    }
}

/// A caution for the verdict when the evidence is thin: few samples, numbers the samples do
/// not settle, or binned ranks.
pub fn caution(verdict: &FocusVerdict, c: &Convergence) -> Option<String> {
    let mut parts = Vec::new();
    if verdict.samples < 100 {
        parts.push(format!(
            "only {}: the numbers are indicative",
            fmt_samples(verdict.samples)
        ));
    }
    if !c.settled {
        parts.push(if c.adaptive {
            format!(
                "sampling stopped at its cap of {} with {} headline numbers not settled ({})",
                fmt_samples(c.samples),
                c.unsettled.len(),
                unsettled_list(c, verdict.top_k)
            )
        } else {
            format!(
                "{} are fewer than the stop rule needs ({} headline numbers not settled, e.g. {}); leave the sample count unset for a converged answer",
                fmt_samples(c.samples),
                c.unsettled.len(),
                unsettled_list(c, verdict.top_k)
            )
        });
    }
    if verdict.rank_bin_width > 1 {
        parts.push(format!(
            "ranks were counted in bins of {}: quantiles carry up to ±{} ranks of bin error",
            verdict.rank_bin_width,
            (verdict.rank_bin_width - 1) as f64 / 2.0
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The rating in words: "robust", or "moderately robust or robust" when a boundary quantile
/// leaves both possible.
pub fn rating_words(verdict: &FocusVerdict) -> String {
    match verdict.rating_alternative {
        Some(other) => format!(
            "{} or {} (a rank quantile is on a boundary)",
            verdict.rating.word(),
            other.word()
        ),
        None => verdict.rating.word().to_string(),
    }
}

fn keeps(verdict: &FocusVerdict) -> (String, String) {
    (
        fmt_percent(
            verdict.p_nominal_rank,
            verdict.ci_p_nominal_rank.half_width(),
        ),
        fmt_percent(verdict.p_top_k, verdict.ci_p_top_k.half_width()),
    )
}

/// One unit the focus changes places with: "Hong Kong (6th nominally; reversed in 31.0%)", or
/// for a unit sharing the focus's nominal rank, "(also 7th nominally; separated in 40.0%)".
/// `in_full` spells out "order reversed … of samples" for the bullet list.
fn describe_swap(swap: &Swap, in_full: bool) -> String {
    let rank = ordinal(swap.nominal_rank);
    let (nominal, departure) = match (swap.nominally_tied, in_full) {
        (true, _) => (format!("also {rank}"), "separated"),
        (false, true) => (rank, "order reversed"),
        (false, false) => (rank, "reversed"),
    };
    let of_samples = if in_full { " of samples" } else { "" };
    format!(
        "{} ({nominal} nominally; {departure} in {:.1}%{of_samples})",
        swap.name,
        100.0 * swap.p_reversed
    )
}

/// The focus unit's verdict in one sentence, with every number and its error.
pub fn focus_sentence(verdict: &FocusVerdict, c: &Convergence) -> String {
    let swap_text = if verdict.swaps.is_empty() {
        "it never changes places with another unit".to_string()
    } else {
        format!(
            "it most often changes places with {}",
            verdict
                .swaps
                .iter()
                .map(|s| describe_swap(s, false))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let (keep, topk) = keeps(verdict);
    let boundaries: String = boundary_notes(verdict)
        .iter()
        .map(|note| format!(" Note: {note}."))
        .collect();
    format!(
        "{name}'s {nominal} place is {rating}: over {samples} its median rank is {median} (90% interval {interval}, range {best}–{worst}); it keeps {nominal} place in {keep} of samples and stays in the top {k} in {topk}; {swap_text}.{boundaries}{caution}",
        name = verdict.name,
        nominal = ordinal(verdict.nominal_rank),
        rating = rating_words(verdict),
        samples = fmt_samples(verdict.samples),
        median = fmt_quantile(&verdict.median, verdict.median_rank),
        interval = fmt_interval(verdict),
        best = verdict.best_rank,
        worst = verdict.worst_rank,
        k = verdict.top_k,
        caution = caution(verdict, c)
            .map(|c| format!(" Caution: {c}."))
            .unwrap_or_default(),
    )
}

/// The `robust` verdict: one sentence and its points.
pub fn robust_text(verdict: &RobustVerdict, c: &Convergence) -> VerdictText {
    let focus = &verdict.focus;
    let name = &focus.name;
    let nominal = ordinal(focus.nominal_rank);
    let interval = fmt_interval(focus);
    let (keep, topk) = keeps(focus);
    let mut points = vec![
        format!(
            "Median rank {} with a 90% interval of {interval} over {} (sampled range {}–{}, over every factor).",
            fmt_quantile(&focus.median, focus.median_rank),
            fmt_samples(focus.samples),
            focus.best_rank,
            focus.worst_rank
        ),
        format!(
            "Keeps {nominal} place in {keep} of samples; stays in the top {} in {topk} (± is a 95% Monte Carlo interval).",
            focus.top_k,
        ),
    ];
    for note in boundary_notes(focus) {
        let mut note = note;
        if let Some(first) = note.get(..1) {
            note = first.to_uppercase() + &note[1..];
        }
        points.push(format!("{note}."));
    }
    if let Some(certain) = &verdict.certain {
        let ranks = if certain.best_rank == certain.worst_rank {
            format!("keeps {}", ordinal(certain.best_rank as u32))
        } else {
            format!(
                "ranks between {} and {}",
                ordinal(certain.best_rank as u32),
                ordinal(certain.worst_rank as u32)
            )
        };
        points.push(format!(
            "Certain range over the weights only: for any {} (every other choice nominal), {name} {ranks}{}.",
            certain.weights,
            if certain.exact {
                " — exact, not sampled"
            } else {
                " (ranks achieved by witness weights)"
            }
        ));
    }
    if let Some(driver) = &verdict.driver {
        points.push(driver.sentence.clone());
    }
    if let Some(split) = &verdict.data_error {
        points.push(data_error_sentence(split));
    }
    if let Some(f) = verdict
        .most_fragile
        .as_ref()
        .filter(|f| f.keep_rank_lo <= 1e-12 && f.keep_rank_hi >= 1.0 - 1e-12)
    {
        points.push(format!(
            "No single weight can move {name} from {nominal} place: even the narrowest stability interval (the weight of {}) spans its whole range.",
            f.name
        ));
    } else if let Some(f) = &verdict.most_fragile {
        let passer = match (&f.passer, &f.passed) {
            (Some(passer), Some(passed)) if passed == &focus.code => {
                format!("; beyond it {passer} passes {name}")
            }
            (Some(passer), Some(passed)) if passer == &focus.code => {
                format!("; beyond it {name} passes {passed}")
            }
            _ => String::new(),
        };
        points.push(format!(
            "Most fragile to the weight of {} ({}): {name} keeps {nominal} place only while it stays within {}{passer}.",
            f.name,
            f.code,
            fmt_weight_span(f.keep_rank_lo, f.keep_rank_hi, f.nominal)
        ));
    }
    if !verdict.swaps.is_empty() {
        points.push(format!(
            "Most often changes places with {}.",
            verdict
                .swaps
                .iter()
                .map(|s| describe_swap(s, true))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    points.push(convergence_sentence(c, focus.top_k));
    if let Some(caution) = caution(focus, c) {
        points.push(format!("Caution: {caution}."));
    }
    if verdict.reconstruction {
        points.push(format!(
            "These data are a reconstruction of {}, not the publisher's data: the verdict is about the reconstruction.",
            verdict.reconstruction_of
        ));
    }
    let sentence = format!(
        "{name}'s {nominal} place is {}: its 90% rank interval is {interval} (rule: {}).",
        rating_words(focus),
        focus.rule.text()
    );
    VerdictText { sentence, points }
}

/// How much of the focus rank's variance data error and modelling choices account for: "Data
/// error accounts for 35% (90% interval 28–41%) of the variance of Beijing's rank on its own,
/// modelling choices for 60% (55–66%); interactions the remaining 5% …".
pub fn data_error_sentence(split: &DataErrorSplit) -> String {
    let name = &split.unit_name;
    if split.constant {
        return format!(
            "{name}'s rank is the same in all {} runs of the data-error split: neither data error nor modelling choices move it.",
            split.runs
        );
    }
    let percent = |x: f64| format!("{:.0}%", 100.0 * x.clamp(0.0, 1.0));
    let share = |e: &crate::analysis::sobol::Estimate| {
        let whole = |x: f64| format!("{:.0}", 100.0 * x.clamp(0.0, 1.0));
        format!("{} ({}–{}%)", percent(e.value), whole(e.lo), whole(e.hi))
    };
    let level = (100.0 * split.confidence_level).round();
    let data = &split.data;
    let Some(modelling) = &split.modelling else {
        return format!(
            "Every factor of the scenario is data error, so data error accounts for all of the variance of {name}'s rank."
        );
    };
    let rest = if split.interactions >= 0.005 {
        format!(
            "; their interactions the remaining {} (with interactions: data error {}, modelling choices {})",
            percent(split.interactions),
            percent(data.total.value),
            percent(modelling.total.value)
        )
    } else {
        "; the two add up to the whole, so they hardly interact".to_string()
    };
    format!(
        "Data error accounts for {} of the variance of {name}'s rank on its own, modelling choices for {}{rest} (first-order Sobol indices of the two groups, {level}% bootstrap intervals).",
        share(&data.first),
        share(&modelling.first),
    )
}
