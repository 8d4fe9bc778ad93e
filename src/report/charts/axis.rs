//! Tick values and linear scales shared by every chart.

/// The "nice" step — 1, 2 or 5 × 10^k — that splits `span` into at most `max_intervals`
/// intervals (Heckbert 1990, "Nice numbers for graph labels", Graphics Gems). Returns 1 for
/// an empty or non-finite span.
pub fn nice_step(span: f64, max_intervals: usize) -> f64 {
    if !span.is_finite() || span <= 0.0 {
        return 1.0;
    }
    let raw = span / max_intervals.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let residual = raw / magnitude;
    // Tolerance so that e.g. 0.3 / 3 = 0.09999… still picks 1 × 10^-1.
    let factor = [1.0, 2.0, 5.0]
        .into_iter()
        .find(|candidate| residual <= candidate * (1.0 + 1e-9))
        .unwrap_or(10.0);
    factor * magnitude
}

/// Multiples of `step` inside `[min, max]` (inclusive, with rounding tolerance), each computed
/// as an integer multiple so that no error accumulates.
pub fn ticks(min: f64, max: f64, step: f64) -> Vec<f64> {
    if !(min.is_finite() && max.is_finite() && step.is_finite()) || step <= 0.0 || max < min {
        return Vec::new();
    }
    let first = (min / step - 1e-9).ceil() as i64;
    let last = (max / step + 1e-9).floor() as i64;
    (first..=last)
        .map(|multiple| {
            let value = multiple as f64 * step;
            if value.abs() < step * 1e-9 {
                0.0
            } else {
                value
            }
        })
        .collect()
}

/// Nice ticks covering `[min, max]` with at most about `max_intervals` intervals.
#[cfg(any(test, feature = "internals"))]
pub fn nice_ticks(min: f64, max: f64, max_intervals: usize) -> Vec<f64> {
    ticks(min, max, nice_step(max - min, max_intervals))
}

/// `[min, max]` widened outward to multiples of a nice step, and that step. A degenerate
/// range is widened around its value first so that the result is never empty.
pub fn nice_domain(min: f64, max: f64, max_intervals: usize) -> (f64, f64, f64) {
    let (mut min, mut max) = if min <= max { (min, max) } else { (max, min) };
    if !(min.is_finite() && max.is_finite()) {
        return (0.0, 1.0, nice_step(1.0, max_intervals));
    }
    if max - min <= f64::EPSILON * max.abs().max(1.0) {
        let half = if min == 0.0 { 0.5 } else { min.abs() * 0.1 };
        min -= half;
        max += half;
    }
    let step = nice_step(max - min, max_intervals);
    let low = (min / step + 1e-9).floor() * step;
    let high = (max / step - 1e-9).ceil() * step;
    (low, high, step)
}

/// Integer rank ticks between `first` and `last`: multiples of a nice integer step, plus
/// rank 1 when it is in range (the best rank is always labelled: 1, 10, 20, ...).
/// Steps of 1 or 2 count from `first` instead (1, 3, 5, ...).
pub fn rank_ticks(first: f64, last: f64, max_intervals: usize) -> Vec<f64> {
    let first = first.ceil();
    let last = last.floor();
    if !(first.is_finite() && last.is_finite()) || last < first {
        return Vec::new();
    }
    let step = nice_step(last - first, max_intervals).max(1.0).round();
    if step <= 2.0 {
        // Small steps read best counted from the first rank: 1, 3, 5, ...
        let count = ((last - first) / step).floor() as i64;
        return (0..=count)
            .map(|index| first + index as f64 * step)
            .collect();
    }
    let mut values = ticks(first, last, step);
    let starts_far_from_one = values
        .first()
        .is_none_or(|&tick| tick - first >= 0.4 * step);
    if first == 1.0 && starts_far_from_one {
        values.insert(0, first);
    }
    values
}

/// Decimals needed to print multiples of `step` exactly (0 for 5, 1 for 0.5, 2 for 0.25).
pub fn tick_decimals(step: f64) -> usize {
    (0..=6)
        .find(|&decimals| {
            let scaled = step * 10f64.powi(decimals as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0)
        })
        .unwrap_or(6)
}

/// Maps a data interval onto a pixel interval (either may be reversed, e.g. rank 1 at top).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearScale {
    domain: (f64, f64),
    range: (f64, f64),
}

impl LinearScale {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Self {
        Self { domain, range }
    }

    /// Pixel position of `value`; a degenerate domain maps everything to the range middle.
    pub fn map(&self, value: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if (d1 - d0).abs() < f64::EPSILON {
            return (r0 + r1) / 2.0;
        }
        r0 + (value - d0) / (d1 - d0) * (r1 - r0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_step_picks_one_two_five() {
        assert_eq!(nice_step(10.0, 5), 2.0);
        assert_eq!(nice_step(1.0, 5), 0.2);
        assert_eq!(nice_step(100.0, 10), 10.0);
        assert_eq!(nice_step(50.0, 10), 5.0);
        assert_eq!(nice_step(0.3, 3), 0.1);
        assert_eq!(nice_step(7.0, 10), 1.0);
        assert_eq!(nice_step(0.0, 5), 1.0);
        assert_eq!(nice_step(f64::NAN, 5), 1.0);
    }

    #[test]
    fn ticks_are_exact_multiples_inside_the_range() {
        assert_eq!(
            ticks(0.0, 1.0, 0.2),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(
            nice_ticks(-0.13, 0.52, 10),
            vec![-0.1, 0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5]
        );
        assert!(ticks(1.0, 0.0, 0.1).is_empty());
        assert!(ticks(0.0, 1.0, 0.0).is_empty());
    }

    #[test]
    fn nice_domain_widens_outward_and_handles_degenerate_ranges() {
        assert_eq!(nice_domain(-0.35, 0.52, 6), (-0.4, 0.6000000000000001, 0.2));
        assert_eq!(nice_domain(0.0, 0.37, 5), (0.0, 0.4, 0.1));
        let (low, high, _) = nice_domain(0.0, 0.0, 5);
        assert!(low < 0.0 && high > 0.0);
        let (low, high, _) = nice_domain(3.0, 3.0, 5);
        assert!(low < 3.0 && high > 3.0);
    }

    #[test]
    fn rank_ticks_start_at_the_first_rank() {
        assert_eq!(
            rank_ticks(1.0, 51.0, 10),
            vec![
                1.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0
            ]
        );
        assert_eq!(
            rank_ticks(1.0, 51.0, 6),
            vec![1.0, 10.0, 20.0, 30.0, 40.0, 50.0]
        );
        assert_eq!(
            rank_ticks(1.0, 8.0, 10),
            vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
        );
        assert_eq!(
            rank_ticks(1.0, 12.0, 6),
            vec![1.0, 3.0, 5.0, 7.0, 9.0, 11.0]
        );
        assert_eq!(rank_ticks(1.0, 1.0, 6), vec![1.0]);
        // A zoomed axis that does not start at 1 shows only nice multiples.
        assert_eq!(
            rank_ticks(3.0, 32.0, 12),
            vec![5.0, 10.0, 15.0, 20.0, 25.0, 30.0]
        );
        assert_eq!(
            rank_ticks(1.0, 500.0, 8),
            vec![1.0, 100.0, 200.0, 300.0, 400.0, 500.0]
        );
    }

    #[test]
    fn tick_labels_have_just_enough_decimals() {
        assert_eq!(tick_decimals(5.0), 0);
        assert_eq!(tick_decimals(0.5), 1);
        assert_eq!(tick_decimals(0.25), 2);
        assert_eq!(tick_decimals(0.1), 1);
    }

    #[test]
    fn linear_scale_maps_and_reverses() {
        let scale = LinearScale::new((1.0, 11.0), (100.0, 0.0));
        assert_eq!(scale.map(1.0), 100.0);
        assert_eq!(scale.map(6.0), 50.0);
        assert_eq!(LinearScale::new((2.0, 2.0), (0.0, 10.0)).map(7.0), 5.0);
    }
}
