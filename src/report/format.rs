//! Number formatting shared by every CSV writer and renderer, so that one number reads the same
//! in every file: values, Monte Carlo errors, percentages, ranks and rates.

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
}
