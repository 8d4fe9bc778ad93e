//! Number formatting shared by every CSV writer and renderer, so that one number reads the same
//! in every file: values, Monte Carlo errors, percentages, ranks, weights, scores, Sobol indices,
//! counts, rates, rank quantiles and SVG coordinates. Every `fmt_*` of the report layer lives
//! here (the model and analysis layers, below report, keep the two they need for their own
//! messages; the charts' axis ticks move here when charts.rs is split).

use crate::analysis::convergence::QuantileState;
use crate::analysis::verdict::FocusVerdict;

/// Shortest round-trip text of a number, `NA` for missing (R's spelling, for COINr users).
pub fn num(x: f64) -> String {
    if x.is_nan() {
        "NA".into()
    } else {
        x.to_string()
    }
}

/// Decimal places that show `error` to its first significant digit (0 for errors of 1 and
/// more, at most 12).
fn error_decimals(error: f64) -> usize {
    if error.is_nan() || error <= 0.0 || !error.is_finite() || error >= 1.0 {
        return 0;
    }
    // 0.0123 → 2 decimals ("0.01"); 0.00049 → 4 ("0.0005"); an error that rounds up to the
    // next power of ten (0.096 → "0.1") needs one decimal fewer.
    let mut decimals = (-error.log10()).ceil() as usize;
    let rounded = (error * 10f64.powi(decimals as i32)).round();
    if rounded >= 10.0 {
        decimals = decimals.saturating_sub(1);
    }
    decimals.min(12)
}

/// A Monte Carlo error to its first significant digit: `0.01`, `0.0005`, `3`. Never `0.0`: an
/// error below 10⁻¹² (or exactly zero) reads `0`, and callers quote intervals that are never
/// empty (Wilson) so the case does not arise for probabilities.
pub fn fmt_error(error: f64) -> String {
    if !error.is_finite() {
        return "NA".into();
    }
    let decimals = error_decimals(error);
    if error >= 1.0 {
        // One significant digit: 3, 20, 400.
        let magnitude = 10f64.powi(error.log10().floor() as i32);
        return format!("{}", (error / magnitude).round() * magnitude);
    }
    let text = format!("{error:.decimals$}");
    if text.trim_start_matches(['0', '.']).is_empty() {
        "0".into()
    } else {
        text
    }
}

/// A value with its error, the value rounded to the error's first significant digit:
/// `0.50 ± 0.01`.
pub fn fmt_with_error(value: f64, error: f64) -> String {
    if !value.is_finite() {
        return "NA".into();
    }
    let decimals = error_decimals(error);
    format!("{value:.decimals$} ± {}", fmt_error(error))
}

/// A probability as a percentage with its error in percentage points, both to the error's first
/// significant digit: `54.2% ± 0.7`, `100% ± 0.04`. Without an error (NaN) one decimal.
pub fn fmt_percent(p: f64, error: f64) -> String {
    if !p.is_finite() {
        return "NA".into();
    }
    if !error.is_finite() || error <= 0.0 {
        return format!("{:.1}%", 100.0 * p);
    }
    let decimals = error_decimals(100.0 * error);
    format!("{:.decimals$}% ± {}", 100.0 * p, fmt_error(100.0 * error))
}

/// A rate with three significant digits and an SI prefix: `1.05 M samples/s`, `830 samples/s`.
pub fn fmt_rate(per_second: f64, what: &str) -> String {
    if !per_second.is_finite() || per_second <= 0.0 {
        return format!("– {what}/s");
    }
    let (value, prefix) = [(1e9, "G "), (1e6, "M "), (1e3, "k ")]
        .iter()
        .find(|(scale, _)| per_second >= *scale)
        .map(|&(scale, prefix)| (per_second / scale, prefix))
        .unwrap_or((per_second, ""));
    let decimals = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.decimals$} {prefix}{what}/s")
}

/// A duration for a progress line, to the second: `7 s`, `3 min 05 s`, `2 h 04 min`
/// (`0.4 s` below ten seconds, where tenths still say something).
pub fn fmt_duration(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds < 10.0 {
        return format!("{seconds:.1} s");
    }
    let whole = duration.as_secs();
    match whole {
        0..60 => format!("{whole} s"),
        60..3600 => format!("{} min {:02} s", whole / 60, whole % 60),
        _ => format!("{} h {:02} min", whole / 3600, whole % 3600 / 60),
    }
}

/// A count with thousands separators: `1,000,000`.
pub fn fmt_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number with a fixed number of decimals, exactly as Rust's `{:.N}` prints it (so `-0.00`
/// stays possible for a tiny negative value: chart tooltips show it, it is estimation noise).
pub fn fmt_fixed(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}")
}

/// An optional table cell with a fixed number of decimals; `NA` when absent or not finite (a
/// report never prints `NaN` or `inf`).
pub fn fmt_decimals(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => fmt_fixed(v, decimals),
        _ => "NA".into(),
    }
}

/// A proportion as a percentage with a fixed number of decimals: `0.123` → `12.3%` (1 decimal).
pub fn fmt_share(p: f64, decimals: usize) -> String {
    format!("{:.decimals$}%", p * 100.0)
}

/// An axis tick label with a fixed number of decimals, never `-0`.
pub fn fmt_tick(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        text.trim_start_matches('-').to_owned()
    } else {
        text
    }
}

/// `x` with `decimals` fixed decimals, `NA` for missing.
fn fixed_or_na(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        "NA".into()
    } else {
        format!("{x:.decimals$}")
    }
}

/// `x` with at most `decimals` decimals, trailing zeros and point dropped (`7`, `8.05`).
fn trimmed(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A score for tables: two decimals (full precision goes to CSV and JSON).
pub fn fmt_score(x: f64) -> String {
    fixed_or_na(x, 2)
}

/// A weight for tables: three decimals.
pub fn fmt_weight(x: f64) -> String {
    fixed_or_na(x, 3)
}

/// A weight for sentences: up to three decimals, trailing zeros dropped (`0`, `0.5`, `0.412`).
pub fn fmt_short(x: f64) -> String {
    trimmed(x, 3)
}

/// A rank statistic: integers without decimals, others with up to two (type-7 quantiles
/// interpolate, e.g. 8.05; Hyndman & Fan 1996).
pub fn fmt_rank(x: f64) -> String {
    trimmed(x, 2)
}

/// A distance between weight vectors: four decimals, or two significant digits when tiny.
pub fn fmt_distance(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-3 {
        format!("{x:.2e}")
    } else {
        format!("{x:.4}")
    }
}

/// An optional value in a CSV cell: shortest round-trip text, `NA` when absent.
pub fn fmt_optional(x: Option<f64>) -> String {
    x.map(num).unwrap_or_else(|| "NA".into())
}

/// A Sobol index for tables: three decimals, without a minus sign on values that round to zero
/// (estimators can dip just below zero; Saltelli et al. 2010).
pub fn fmt_index(x: f64) -> String {
    let text = format!("{x:.3}");
    if text == "-0.000" {
        "0.000".to_string()
    } else {
        text
    }
}

/// A Sobol index interval for tables: `[0.120, 0.340]`.
pub fn fmt_index_interval(lo: f64, hi: f64) -> String {
    format!("[{}, {}]", fmt_index(lo), fmt_index(hi))
}

/// "1 sample", "10,000 samples".
pub fn fmt_samples(n: u64) -> String {
    if n == 1 {
        "1 sample".into()
    } else {
        format!("{} samples", fmt_count(n))
    }
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

/// A rank quantile in a sentence: "7", "7 or 8" (a boundary), "15352–15384" (known to within
/// the resolution), "about 7 (not settled: 6–9)".
/// An unsettled estimate is shown to the whole rank: its Monte Carlo error spans whole ranks,
/// so the interpolated decimals ("about 15367.85") would claim a precision it does not have.
pub fn fmt_quantile(state: &QuantileState, point: f64) -> String {
    match *state {
        QuantileState::Settled { rank } => fmt_rank(rank),
        QuantileState::Boundary { low, high, .. } if high - low <= 1.0 => {
            format!("{} or {}", fmt_rank(low), fmt_rank(high))
        }
        QuantileState::Boundary { low, high, .. } => {
            format!("{}–{}", fmt_rank(low), fmt_rank(high))
        }
        QuantileState::Resolved { low, high } => format!("{}–{}", fmt_rank(low), fmt_rank(high)),
        QuantileState::Unsettled { low, high } if low == high || low.is_nan() => {
            format!("about {}", fmt_rank(point.round()))
        }
        QuantileState::Unsettled { low, high } => format!(
            "about {} (not settled: {}–{})",
            fmt_rank(point.round()),
            fmt_rank(low),
            fmt_rank(high)
        ),
    }
}

/// A rank quantile in a table cell: "7", "7/8" (a boundary), "15368±16" (known to within the
/// resolution), "~7" (not settled).
pub fn fmt_quantile_cell(state: &QuantileState, point: f64) -> String {
    match *state {
        QuantileState::Settled { rank } => fmt_rank(rank),
        QuantileState::Boundary { low, high, .. } => {
            format!("{}/{}", fmt_rank(low), fmt_rank(high))
        }
        QuantileState::Resolved { low, high } => format!(
            "{}±{}",
            fmt_rank(point.round()),
            fmt_rank(((high - low) / 2.0).ceil())
        ),
        QuantileState::Unsettled { .. } => format!("~{}", fmt_rank(point.round())),
    }
}

/// Two ends of a rank interval as a table cell: "4–11", or "always 6" when both ends are the
/// same (never "6–6").
pub fn fmt_span(low: String, high: String) -> String {
    if low == high {
        format!("always {low}")
    } else {
        format!("{low}–{high}")
    }
}

/// A weight's stability interval and its nominal value, "0.250–0.358 (nominal 0.333)", with
/// as many decimals (3 to 8) as it takes to tell apart the values that differ: in a large
/// index a unit may keep its rank only within a hundred-thousandth of the nominal weight,
/// which three decimals would print as "0.143–0.143".
pub fn fmt_weight_span(lo: f64, hi: f64, nominal: f64) -> String {
    let distinct = |d: usize| {
        let text = |v: f64| format!("{v:.d$}");
        (lo == nominal || text(lo) != text(nominal)) && (hi == nominal || text(hi) != text(nominal))
    };
    let decimals = (3..=8).find(|&d| distinct(d)).unwrap_or(8);
    format!("{lo:.decimals$}–{hi:.decimals$} (nominal {nominal:.decimals$})")
}

/// The 90% rank interval in words: "4–11", "4–(11 or 12)", or "the single rank 7".
pub fn fmt_interval(verdict: &FocusVerdict) -> String {
    let q05 = fmt_quantile(&verdict.q05, verdict.q05_rank);
    let q95 = fmt_quantile(&verdict.q95, verdict.q95_rank);
    // "(7 or 8)–15", "(14271–14311)–(17465–17500)": a quantile of more than one word or
    // rank is bracketed, so the interval's own dash stays readable.
    let wrap = |text: String| {
        if text.contains(' ') || text.contains('–') {
            format!("({text})")
        } else {
            text
        }
    };
    match (verdict.q05, verdict.q95) {
        (QuantileState::Settled { rank: a }, QuantileState::Settled { rank: b }) if a == b => {
            format!("the single rank {}", fmt_rank(a))
        }
        _ => format!("{}–{}", wrap(q05), wrap(q95)),
    }
}

/// A coordinate or length for an SVG attribute (also a rank shown in a chart), compactly and
/// deterministically: at most two decimals, trailing zeros dropped, never `-0`, and non-finite
/// values written as `0` so a bad input can never produce an unparsable attribute.
pub fn fmt_compact(value: f64) -> String {
    if !value.is_finite() {
        return "0".to_owned();
    }
    let rounded = (value * 100.0).round() / 100.0;
    if rounded == 0.0 {
        return "0".to_owned();
    }
    let mut text = format!("{rounded:.2}");
    while text.ends_with('0') {
        text.pop();
    }
    if text.ends_with('.') {
        text.pop();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsettled_quantiles_read_to_the_whole_rank() {
        let state = QuantileState::Unsettled {
            low: 15204.0,
            high: 15465.0,
        };
        assert_eq!(
            fmt_quantile(&state, 15367.85),
            "about 15368 (not settled: 15204–15465)"
        );
        assert_eq!(fmt_quantile_cell(&state, 15367.85), "~15368");
        // A settled quantile keeps its exact value.
        let settled = QuantileState::Settled { rank: 7.0 };
        assert_eq!(fmt_quantile(&settled, 7.0), "7");
    }

    #[test]
    fn weight_spans_get_the_decimals_that_tell_them_apart() {
        assert_eq!(
            fmt_weight_span(0.25, 0.358, 1.0 / 3.0),
            "0.250–0.358 (nominal 0.333)"
        );
        // Within a hundred-thousandth of the nominal weight: 6 decimals (at 5 the upper bound
        // and the nominal weight both read 0.14286), not "0.143–0.143".
        assert_eq!(
            fmt_weight_span(0.142_851, 0.142_863, 1.0 / 7.0),
            "0.142851–0.142863 (nominal 0.142857)"
        );
        // A bound at the nominal value needs no extra digits; past 8 decimals it stops.
        assert_eq!(fmt_weight_span(0.5, 0.6, 0.5), "0.500–0.600 (nominal 0.500)");
        assert_eq!(
            fmt_weight_span(0.5 - 1e-12, 0.5, 0.5),
            "0.50000000–0.50000000 (nominal 0.50000000)"
        );
    }

    #[test]
    fn durations_read_to_the_second_in_the_largest_two_units() {
        use std::time::Duration;
        assert_eq!(fmt_duration(Duration::from_millis(430)), "0.4 s");
        assert_eq!(fmt_duration(Duration::from_secs(42)), "42 s");
        assert_eq!(fmt_duration(Duration::from_secs(185)), "3 min 05 s");
        assert_eq!(fmt_duration(Duration::from_secs(7440)), "2 h 04 min");
    }

    #[test]
    fn fixed_decimals_print_na_for_what_is_not_a_number() {
        assert_eq!(fmt_decimals(Some(0.12345), 3), "0.123");
        for missing in [
            None,
            Some(f64::NAN),
            Some(f64::INFINITY),
            Some(f64::NEG_INFINITY),
        ] {
            assert_eq!(fmt_decimals(missing, 3), "NA");
        }
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

    #[test]
    fn table_numbers() {
        assert_eq!(fmt_score(f64::NAN), "NA");
        assert_eq!(fmt_score(1.005_1), "1.01");
        assert_eq!(fmt_weight(0.25), "0.250");
        assert_eq!(fmt_short(0.5), "0.5");
        assert_eq!(fmt_short(0.0), "0");
        assert_eq!(fmt_rank(8.05), "8.05");
        assert_eq!(fmt_rank(7.0), "7");
        assert_eq!(fmt_distance(0.000_123_4), "1.23e-4");
        assert_eq!(fmt_distance(0.25), "0.2500");
        assert_eq!(fmt_optional(None), "NA");
        assert_eq!(fmt_index(-0.000_2), "0.000");
        assert_eq!(fmt_index_interval(-0.01, 0.5), "[-0.010, 0.500]");
        assert_eq!(fmt_samples(1), "1 sample");
        assert_eq!(fmt_samples(10_000), "10,000 samples");
    }

    #[test]
    fn errors_print_to_their_first_significant_digit() {
        assert_eq!(fmt_error(0.0123), "0.01");
        assert_eq!(fmt_error(0.00049), "0.0005");
        assert_eq!(fmt_error(0.096), "0.1");
        assert_eq!(fmt_error(0.0), "0");
        assert_eq!(fmt_error(2.6), "3");
        assert_eq!(fmt_with_error(0.5016, 0.0098), "0.50 ± 0.01");
        assert_eq!(fmt_with_error(0.5016, 0.00031), "0.5016 ± 0.0003");
        assert_eq!(fmt_percent(0.5421, 0.0071), "54.2% ± 0.7");
        assert_eq!(fmt_percent(1.0, 0.00038), "100.00% ± 0.04");
        for error in [1e-3, 4e-3, 9.6e-3, 0.04, 0.3, 0.95] {
            assert!(!fmt_with_error(0.5, error).contains("± 0.0 "), "{error}");
            assert_ne!(fmt_error(error), "0.0");
        }
    }

    #[test]
    fn rates_and_counts() {
        assert_eq!(fmt_rate(1_052_300.0, "samples"), "1.05 M samples/s");
        assert_eq!(fmt_rate(830.4, "samples"), "830 samples/s");
        assert_eq!(fmt_rate(12_345.0, "runs"), "12.3 k runs/s");
        assert_eq!(fmt_count(1_000_000), "1,000,000");
        assert_eq!(fmt_count(999), "999");
    }

    #[test]
    fn chart_numbers() {
        assert_eq!(fmt_tick(0.30000000000000004, 1), "0.3");
        assert_eq!(fmt_tick(-0.0000001, 1), "0.0");
        assert_eq!(fmt_tick(-0.2, 1), "-0.2");
        assert_eq!(fmt_fixed(-0.0001, 2), "-0.00");
        assert_eq!(fmt_share(0.1234, 1), "12.3%");
        assert_eq!(fmt_share(0.5, 0), "50%");
        assert_eq!(fmt_compact(1.0), "1");
        assert_eq!(fmt_compact(1.5), "1.5");
        assert_eq!(fmt_compact(1.23456), "1.23");
        assert_eq!(fmt_compact(-0.001), "0");
        assert_eq!(fmt_compact(-2.499), "-2.5");
        assert_eq!(fmt_compact(f64::NAN), "0");
        assert_eq!(fmt_compact(120.0), "120");
    }

    #[test]
    fn tiny_distances_keep_their_digits() {
        assert_eq!(fmt_distance(0.04041), "0.0404");
        assert_eq!(fmt_distance(2.31e-5), "2.31e-5");
        assert_eq!(fmt_distance(0.0), "0.0000");
        assert_eq!(fmt_short(0.5), "0.5");
        assert_eq!(fmt_short(1.0), "1");
    }
}
