//! The named colour palette shared by every chart: ink, one accent for the focus unit, data hues and sequential ramps.
//!
//! Categorical hues come from the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"),
//! which stays distinguishable under the common colour-vision deficiencies. The accent,
//! vermillion, is reserved for the focus unit so that one colour always means "this is you".
//! Sequential ramps are ColorBrewer YlGnBu (Harrower & Brewer 2003) and viridis (van der Walt &
//! Smith 2015): both are monotone in lightness, so they also read in greyscale.

/// Chart background.
pub const BACKGROUND: &str = "#ffffff";
/// Titles, axis labels, the nominal markers.
pub const INK: &str = "#1f2328";
/// Tick labels, subtitles, legends (6:1 contrast on white).
pub const MUTED_INK: &str = "#59636e";
/// Axis lines.
pub const AXIS: &str = "#8c959f";
/// Grid lines, kept faint so they never compete with data.
pub const GRID: &str = "#e4e7eb";
/// The focus unit (Okabe–Ito vermillion).
pub const ACCENT: &str = "#d55e00";
/// Background band behind the focus unit's row.
pub const ACCENT_TINT: &str = "#fbe6d8";
/// Main data marks: medians, total-order indices, histogram bars (Okabe–Ito blue).
pub const PRIMARY: &str = "#0072b2";
/// Secondary data marks: intervals, first-order indices (Okabe–Ito sky blue).
pub const SECONDARY: &str = "#56b4e9";
/// Units other than the focus in trajectory plots.
pub const CONTEXT: &str = "#b4bcc4";

/// A continuous colour ramp given by evenly spaced stops, interpolated linearly in sRGB.
#[derive(Debug, Clone, Copy)]
pub struct SequentialRamp {
    stops: &'static [[u8; 3]],
}

/// Probability ramp (ColorBrewer YlGnBu, 9 classes): pale yellow for rare, deep blue for likely.
pub const PROBABILITY_RAMP: SequentialRamp = SequentialRamp {
    stops: &[
        [0xff, 0xff, 0xd9],
        [0xed, 0xf8, 0xb1],
        [0xc7, 0xe9, 0xb4],
        [0x7f, 0xcd, 0xbb],
        [0x41, 0xb6, 0xc4],
        [0x1d, 0x91, 0xc0],
        [0x22, 0x5e, 0xa8],
        [0x25, 0x34, 0x94],
        [0x08, 0x1d, 0x58],
    ],
};

/// Rank ramp (viridis): dark purple for the best rank, yellow for the worst.
pub const RANK_RAMP: SequentialRamp = SequentialRamp {
    stops: &[
        [0x44, 0x01, 0x54],
        [0x47, 0x2d, 0x7b],
        [0x3b, 0x52, 0x8b],
        [0x2c, 0x72, 0x8e],
        [0x21, 0x91, 0x8c],
        [0x28, 0xae, 0x80],
        [0x5e, 0xc9, 0x62],
        [0xad, 0xdc, 0x30],
        [0xfd, 0xe7, 0x25],
    ],
};

impl SequentialRamp {
    /// Colour at position `t` ∈ [0, 1] (clamped; NaN maps to 0) as `#rrggbb`.
    pub fn colour_at(&self, t: f64) -> String {
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        let segments = self.stops.len() - 1;
        let position = t * segments as f64;
        let lower = (position.floor() as usize).min(segments - 1);
        let fraction = position - lower as f64;
        let [r0, g0, b0] = self.stops[lower];
        let [r1, g1, b1] = self.stops[lower + 1];
        let mix =
            |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * fraction).round() as u8;
        format!("#{:02x}{:02x}{:02x}", mix(r0, r1), mix(g0, g1), mix(b0, b1))
    }

    /// `count` colours spread evenly over the ramp, first to last.
    pub fn discrete(&self, count: usize) -> Vec<String> {
        match count {
            0 => Vec::new(),
            1 => vec![self.colour_at(0.0)],
            _ => (0..count)
                .map(|index| self.colour_at(index as f64 / (count - 1) as f64))
                .collect(),
        }
    }
}

/// Relative luminance of a `#rrggbb` colour (WCAG 2.1 definition), used to pick readable text
/// on a coloured fill. Returns 1.0 (white) for anything that is not `#rrggbb`.
pub fn relative_luminance(colour: &str) -> f64 {
    let hex = colour.trim_start_matches('#');
    if hex.len() != 6 {
        return 1.0;
    }
    let channel = |range: std::ops::Range<usize>| {
        let value = f64::from(u8::from_str_radix(&hex[range], 16).unwrap_or(255)) / 255.0;
        if value <= 0.04045 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0..2) + 0.7152 * channel(2..4) + 0.0722 * channel(4..6)
}

/// Ink or white, whichever reads better on `background`.
pub fn text_on(background: &str) -> &'static str {
    if relative_luminance(background) > 0.3 {
        INK
    } else {
        BACKGROUND
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_endpoints_are_the_first_and_last_stops() {
        assert_eq!(PROBABILITY_RAMP.colour_at(0.0), "#ffffd9");
        assert_eq!(PROBABILITY_RAMP.colour_at(1.0), "#081d58");
        assert_eq!(RANK_RAMP.colour_at(-3.0), "#440154");
        assert_eq!(RANK_RAMP.colour_at(7.0), "#fde725");
        assert_eq!(RANK_RAMP.colour_at(f64::NAN), "#440154");
    }

    #[test]
    fn ramps_are_monotone_in_luminance() {
        // Perceptual ordering is what makes a sequential ramp readable in greyscale and for
        // colour-blind readers.
        for (name, ramp, increasing) in [
            ("YlGnBu", PROBABILITY_RAMP, false),
            ("viridis", RANK_RAMP, true),
        ] {
            let luminances: Vec<f64> = (0..=20)
                .map(|step| relative_luminance(&ramp.colour_at(f64::from(step) / 20.0)))
                .collect();
            for pair in luminances.windows(2) {
                assert_eq!(pair[1] > pair[0], increasing, "{name} not monotone");
            }
        }
    }

    #[test]
    fn discrete_spreads_over_the_whole_ramp() {
        let colours = RANK_RAMP.discrete(3);
        assert_eq!(colours.len(), 3);
        assert_eq!(colours[0], "#440154");
        assert_eq!(colours[2], "#fde725");
        assert!(RANK_RAMP.discrete(0).is_empty());
    }

    #[test]
    fn text_on_picks_contrast() {
        assert_eq!(text_on("#081d58"), BACKGROUND);
        assert_eq!(text_on("#ffffd9"), INK);
    }
}
