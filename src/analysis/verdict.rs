//! The plain-language verdict on one unit's rank: the numbers a policy analyst quotes, and a one-word rating with its rule.

use serde::Serialize;

use super::rank_stats::UncertaintyStats;

/// One-word robustness rating of a rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Robust,
    ModeratelyRobust,
    Fragile,
}

impl Rating {
    /// The rule, written out: applied to the 90% rank interval [q05, q95].
    pub const RULE: &'static str = "robust when the 90% rank interval lies within ±1 place of the nominal rank, moderately robust within ±3 places, otherwise fragile";

    /// Rates an interval around a nominal rank.
    pub fn of(nominal: u32, q05: f64, q95: f64) -> Self {
        let nominal = f64::from(nominal);
        let reach = (nominal - q05).max(q95 - nominal);
        if reach <= 1.0 {
            Rating::Robust
        } else if reach <= 3.0 {
            Rating::ModeratelyRobust
        } else {
            Rating::Fragile
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Rating::Robust => "robust",
            Rating::ModeratelyRobust => "moderately robust",
            Rating::Fragile => "fragile",
        }
    }
}

/// A unit the focus changes places with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Swap {
    pub code: String,
    pub name: String,
    pub nominal_rank: u32,
    /// Probability that the pair's order is the reverse of the nominal order.
    pub p_reversed: f64,
}

/// The verdict on the focus unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FocusVerdict {
    pub code: String,
    pub name: String,
    pub nominal_rank: u32,
    pub median_rank: f64,
    pub q05_rank: f64,
    pub q95_rank: f64,
    pub best_rank: u32,
    pub worst_rank: u32,
    pub p_nominal_rank: f64,
    pub se_p_nominal_rank: f64,
    pub p_nominal_or_better: f64,
    pub top_k: u32,
    pub p_top_k: f64,
    pub se_p_top_k: f64,
    pub samples: u64,
    pub rating: Rating,
    pub rule: String,
    /// Up to three units whose order with the focus most often reverses.
    pub swaps: Vec<Swap>,
    /// The verdict in plain words, with its numbers.
    pub sentence: String,
}

/// "7th", "21st", "112th".
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Formats a rank statistic: integers without decimals, others with up to two (type-7
/// quantiles interpolate, e.g. 8.05).
pub fn fmt_rank(x: f64) -> String {
    let text = format!("{x:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A 90% rank interval in words: "always 7" or "4–11".
pub fn fmt_interval(q05: f64, q95: f64) -> String {
    if q05 == q95 {
        format!("always {}", fmt_rank(q05))
    } else {
        format!("{}–{}", fmt_rank(q05), fmt_rank(q95))
    }
}

/// "1 sample", "10000 samples".
pub fn fmt_samples(n: u64) -> String {
    if n == 1 {
        "1 sample".into()
    } else {
        format!("{n} samples")
    }
}

/// A caution for the verdict when the evidence is thin: few samples, or binned ranks.
pub fn caution(stats: &UncertaintyStats) -> Option<String> {
    if stats.samples < 100 {
        Some(format!(
            "only {}: the numbers are indicative; run more (e.g. --samples 10000)",
            fmt_samples(stats.samples)
        ))
    } else if stats.rank_bin_width > 1 {
        Some(format!(
            "ranks were counted in bins of {}: quantiles carry up to ±{} ranks of bin error",
            stats.rank_bin_width,
            (stats.rank_bin_width - 1) as f64 / 2.0
        ))
    } else {
        None
    }
}

/// Formats a probability as a percentage with its standard error.
pub fn fmt_percent(p: f64, se: f64) -> String {
    if se > 0.0 {
        format!("{:.1}% (± {:.1})", 100.0 * p, 100.0 * se)
    } else {
        format!("{:.1}%", 100.0 * p)
    }
}

/// Builds the focus unit's verdict from the summarised statistics.
pub fn focus_verdict(stats: &UncertaintyStats, focus: usize) -> FocusVerdict {
    let unit = &stats.units[focus];
    let by_code: std::collections::HashMap<&str, usize> = stats
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.code.as_str(), i))
        .collect();
    let nominal_of = |code: &str| by_code.get(code).map(|&i| stats.units[i].nominal_rank);
    let mut swaps: Vec<Swap> = stats
        .pairs
        .iter()
        .filter_map(|pair| {
            // Reversal: the unit nominally behind ends strictly ahead.
            let (other, reversed) = if pair.a == unit.code {
                (&pair.b, nominal_of(&pair.b)? < unit.nominal_rank)
            } else if pair.b == unit.code {
                (&pair.a, nominal_of(&pair.a)? > unit.nominal_rank)
            } else {
                return None;
            };
            if !reversed || pair.p_a_above_b == 0.0 {
                return None;
            }
            let other_unit = &stats.units[*by_code.get(other.as_str())?];
            Some(Swap {
                code: other_unit.code.clone(),
                name: other_unit.name.clone(),
                nominal_rank: other_unit.nominal_rank,
                p_reversed: pair.p_a_above_b,
            })
        })
        .collect();
    swaps.sort_by(|a, b| {
        b.p_reversed
            .total_cmp(&a.p_reversed)
            .then(a.nominal_rank.cmp(&b.nominal_rank))
    });
    swaps.truncate(3);
    let rating = Rating::of(unit.nominal_rank, unit.q05_rank, unit.q95_rank);
    let interval = fmt_interval(unit.q05_rank, unit.q95_rank);
    let swap_text = if swaps.is_empty() {
        "it never changes places with another unit".to_string()
    } else {
        format!(
            "it most often changes places with {}",
            swaps
                .iter()
                .map(|s| format!(
                    "{} ({} nominally; reversed in {:.1}%)",
                    s.name,
                    ordinal(s.nominal_rank),
                    100.0 * s.p_reversed
                ))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let sentence = format!(
        "{name}'s {nominal} place is {rating}: over {samples} its median rank is {median} (90% interval {interval}, range {best}–{worst}); it keeps {nominal} place in {keep} of samples and stays in the top {k} in {topk}; {swap_text}.{caution}",
        name = unit.name,
        nominal = ordinal(unit.nominal_rank),
        rating = rating.word(),
        samples = fmt_samples(stats.samples),
        caution = caution(stats)
            .map(|c| format!(" Caution: {c}."))
            .unwrap_or_default(),
        median = fmt_rank(unit.median_rank),
        best = unit.best_rank,
        worst = unit.worst_rank,
        keep = fmt_percent(unit.p_nominal_rank, unit.se_p_nominal_rank),
        k = stats.top_k,
        topk = fmt_percent(unit.p_top_k, unit.se_p_top_k),
    );
    FocusVerdict {
        code: unit.code.clone(),
        name: unit.name.clone(),
        nominal_rank: unit.nominal_rank,
        median_rank: unit.median_rank,
        q05_rank: unit.q05_rank,
        q95_rank: unit.q95_rank,
        best_rank: unit.best_rank,
        worst_rank: unit.worst_rank,
        p_nominal_rank: unit.p_nominal_rank,
        se_p_nominal_rank: unit.se_p_nominal_rank,
        p_nominal_or_better: unit.p_nominal_or_better,
        top_k: stats.top_k,
        p_top_k: unit.p_top_k,
        se_p_top_k: unit.se_p_top_k,
        samples: stats.samples,
        rating,
        rule: Rating::RULE.to_string(),
        swaps,
        sentence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rating_rule() {
        assert_eq!(Rating::of(7, 6.0, 8.0), Rating::Robust);
        assert_eq!(Rating::of(7, 7.0, 7.0), Rating::Robust);
        assert_eq!(Rating::of(7, 5.0, 8.0), Rating::ModeratelyRobust);
        assert_eq!(Rating::of(7, 4.0, 10.0), Rating::ModeratelyRobust);
        assert_eq!(Rating::of(7, 4.0, 10.5), Rating::Fragile);
    }

    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111]
            .iter()
            .map(|&n| ordinal(n))
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
                "111th"
            ]
        );
    }
}
