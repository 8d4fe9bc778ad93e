//! Publication-quality SVG charts of rank uncertainty and sensitivity, each drawn from a plain, documented view model.
//!
//! Every chart function takes a view model holding pre-computed numbers (this module never runs
//! an analysis) and returns a self-contained SVG string: no scripts, no external assets, no CSS,
//! no element ids, so several charts can be inlined in one HTML page or shown on GitHub as files.
//! Marks carry a `class` naming what they are (`median`, `interval`, `nominal`, `cell`, `bar`, ...)
//! so tests and readers can find them; legend marks use `legend-mark` and never a data class.
//! Output depends only on the input: the same view model always gives the same bytes.

use serde::{Deserialize, Serialize};

use super::palette::{
    self, ACCENT, ACCENT_TINT, AXIS, BACKGROUND, CONTEXT, GRID, INK, MUTED_INK, PRIMARY,
    PROBABILITY_RAMP, RANK_RAMP, SECONDARY,
};
use super::svg::{Anchor, Element, SvgDocument, Text, chars_fitting, number, text_width, truncate};
use axis::{LinearScale, format_tick, nice_domain, nice_step, rank_ticks, tick_decimals, ticks};

/// Tick values and linear scales shared by every chart.
pub mod axis {
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

    /// A tick label with a fixed number of decimals, never `-0`.
    pub fn format_tick(value: f64, decimals: usize) -> String {
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
            assert_eq!(format_tick(0.30000000000000004, 1), "0.3");
            assert_eq!(format_tick(-0.0000001, 1), "0.0");
            assert_eq!(format_tick(-0.2, 1), "-0.2");
        }

        #[test]
        fn linear_scale_maps_and_reverses() {
            let scale = LinearScale::new((1.0, 11.0), (100.0, 0.0));
            assert_eq!(scale.map(1.0), 100.0);
            assert_eq!(scale.map(6.0), 50.0);
            assert_eq!(LinearScale::new((2.0, 2.0), (0.0, 10.0)).map(7.0), 5.0);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// View models
// ---------------------------------------------------------------------------------------------

/// One unit in [`rank_intervals`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankIntervalRow {
    /// Unit name as shown (any text; escaped; truncated with a tooltip when very long).
    pub label: String,
    /// Rank under the nominal method (1 = best); rows are drawn in this order.
    pub nominal_rank: f64,
    /// Median rank over the uncertainty runs.
    pub median_rank: f64,
    /// 5th percentile of the rank (the better end of the interval).
    pub q05: f64,
    /// 95th percentile of the rank (the worse end of the interval).
    pub q95: f64,
    /// Draw this unit in the accent colour (the focus unit).
    pub highlight: bool,
}

/// Rank uncertainty of every unit: median, 5–95% interval and nominal rank, one row per unit.
///
/// Up to 125 rows get a comfortable 16 px each with every unit labelled. Beyond that the plot is
/// capped at 2000 px, rows get thinner (at least 1 px) and only every k-th unit is labelled
/// (plus the highlighted ones); callers that want every name readable should pass a subset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankIntervalChart {
    pub title: String,
    pub rows: Vec<RankIntervalRow>,
    /// Number of ranked units (the rank axis runs from 1 to this), even if `rows` is a subset.
    pub n_units: usize,
}

/// Rank acceptability (probability of each rank for each unit) as a heat map.
///
/// Rows are drawn in the given order (usually by nominal rank). Zero-probability cells are left
/// blank, so the SVG size grows with the number of non-zero cells. Large row counts follow the
/// same row-height rule as [`RankIntervalChart`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatmapChart {
    pub title: String,
    /// One label per row; this defines the number of rows.
    pub row_labels: Vec<String>,
    /// Number of rank columns (rank 1 to `n_ranks`).
    pub n_ranks: usize,
    /// `probabilities[row][rank - 1]` ∈ [0, 1]; missing entries count as 0.
    pub probabilities: Vec<Vec<f64>>,
    /// Row of the focus unit, drawn with an accent frame and label.
    pub highlight_row: Option<usize>,
    /// Nominal rank (1-based) of each row, outlined; 0 or a missing entry draws no outline.
    pub nominal_ranks: Vec<usize>,
}

/// Sobol indices of one factor in [`sobol_bars`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolRow {
    /// Factor (or factor group) name.
    pub factor: String,
    /// First-order index S_i and its interval.
    pub first: f64,
    pub first_lo: f64,
    pub first_hi: f64,
    /// Total-order index S_Ti and its interval.
    pub total: f64,
    pub total_lo: f64,
    pub total_hi: f64,
}

/// First- and total-order Sobol indices of every factor for one target, as grouped bars with
/// interval whiskers. Values may be slightly negative (estimation noise); the axis includes
/// them. Non-finite values draw no bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolChart {
    pub title: String,
    /// What the indices explain, e.g. `rank of GBR` or `mean rank shift R_S`.
    pub target_label: String,
    /// Drawn top to bottom in the given order.
    pub rows: Vec<SobolRow>,
}

/// The rank distribution of one unit.
///
/// The rank axis zooms to the occupied ranks (with the nominal and median rank, one rank of
/// padding each side and at least ten ranks shown) so that a unit confined to a few ranks of
/// many still gets wide bars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistogramChart {
    pub title: String,
    pub unit_label: String,
    /// `counts[r - 1]` = number of runs in which the unit had rank r.
    pub counts: Vec<u64>,
    /// Nominal rank (1-based), drawn in the accent colour.
    pub nominal_rank: usize,
    pub median_rank: f64,
}

/// One weight point of [`ternary_map`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TernaryCell {
    /// Weights of the three components, summing to 1.
    pub w: [f64; 3],
    /// Rank of the focus unit under these weights.
    pub rank: u32,
}

/// The focus unit's rank over every combination of three weights.
///
/// `cells` must be a regular triangular lattice `(i/n, j/n, k/n)` with `i + j + k = n`, edges
/// included; the resolution n is inferred from the closest pair of points and each point is drawn
/// as its hexagonal cell clipped to the triangle. Up to twelve distinct ranks get one colour
/// each; more are grouped into at most eight equal rank ranges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TernaryChart {
    pub title: String,
    /// Names of the three weighted components: top, bottom left, bottom right.
    pub vertex_labels: [String; 3],
    pub cells: Vec<TernaryCell>,
    /// The nominal weights (summing to 1), marked on the map.
    pub nominal: [f64; 3],
    pub nominal_rank: u32,
    pub focus_label: String,
}

/// One unit's rank along a sweep in [`sweep_trajectories`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepSeries {
    pub label: String,
    /// Rank at each `x` (same length as `SweepChart::x`; extra or missing points are ignored).
    pub ranks: Vec<u32>,
    /// The focus unit: thick, accent colour, always labelled.
    pub highlight: bool,
}

/// Rank trajectories while one parameter (e.g. a weight) sweeps a range; rank 1 at top. The ten
/// best units at the end of the sweep and every highlighted unit are labelled at the right end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepChart {
    pub title: String,
    /// What is swept, e.g. `weight of Connectivity`.
    pub x_label: String,
    /// Increasing sweep positions.
    pub x: Vec<f64>,
    pub series: Vec<SweepSeries>,
    /// The nominal value of the swept parameter, marked with a dashed line.
    pub nominal_x: Option<f64>,
    /// Worst rank on the axis (usually the number of units).
    pub max_rank: u32,
}

// ---------------------------------------------------------------------------------------------
// Shared layout
// ---------------------------------------------------------------------------------------------

const MARGIN: f64 = 16.0;
const TITLE_SIZE: f64 = 16.0;
const MIN_TITLE_SIZE: f64 = 13.5;
const SUBTITLE_SIZE: f64 = 12.0;
const AXIS_TITLE_SIZE: f64 = 12.0;
const TICK_SIZE: f64 = 11.0;
const LEGEND_SIZE: f64 = 11.5;
/// Width of a legend mark and the gaps around its text.
const LEGEND_MARK_WIDTH: f64 = 18.0;
const LEGEND_ROW_HEIGHT: f64 = 18.0;
/// Centre of the first legend row, below the title and subtitle.
const LEGEND_TOP: f64 = 68.0;
/// Rows of a list chart: comfortable pitch, the plot height cap beyond which rows shrink, and the
/// pitch labels need to stay legible at 11 px.
const COMFORTABLE_ROW_PITCH: f64 = 16.0;
const MAX_ROWS_HEIGHT: f64 = 2000.0;
const MIN_LABEL_PITCH: f64 = 13.0;
/// Longest row label shown in full; longer ones are truncated with an ellipsis and a tooltip.
const MAX_LABEL_CHARS: usize = 28;
/// Zebra striping for long lists, so the eye can follow a row from its label to its marks.
const ZEBRA: &str = "#f4f6f8";

/// Title (bold, truncated to the width with the full text as tooltip) and optional subtitle;
/// content starts at [`LEGEND_TOP`].
fn draw_heading(doc: &mut SvgDocument, width: f64, title: &str, subtitle: Option<&str>) {
    // Long titles shrink a little before they are cut. Bold glyphs are about 10% wider than
    // the layout estimate.
    let available = width - 2.0 * MARGIN;
    let mut size = TITLE_SIZE;
    while size > MIN_TITLE_SIZE && text_width(title, size * 1.1) > available {
        size -= 0.5;
    }
    let shown = truncate(title, chars_fitting(available, size * 1.1));
    let mut text = Text::new(MARGIN, 22.0, &shown)
        .size(size)
        .bold(true)
        .class("title");
    if shown.len() != title.len() {
        text = text.tooltip(title);
    }
    doc.text(text);
    if let Some(subtitle) = subtitle {
        let shown = truncate(subtitle, chars_fitting(width - 2.0 * MARGIN, SUBTITLE_SIZE));
        doc.text(
            Text::new(MARGIN, 42.0, &shown)
                .size(SUBTITLE_SIZE)
                .fill(MUTED_INK)
                .class("subtitle"),
        );
    }
}

fn capitalise_first(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
enum LegendMark<'a> {
    Dot(&'a str),
    HollowDiamond,
    Bar(&'a str),
    Square(&'a str),
    OutlinedSquare(&'a str),
    Line {
        colour: &'a str,
        width: f64,
        dashed: bool,
    },
    Whisker,
    Ring,
}

struct LegendItem<'a> {
    mark: LegendMark<'a>,
    label: String,
}

impl<'a> LegendItem<'a> {
    fn new(mark: LegendMark<'a>, label: impl Into<String>) -> Self {
        Self {
            mark,
            label: label.into(),
        }
    }

    fn width(&self) -> f64 {
        LEGEND_MARK_WIDTH + 6.0 + text_width(&self.label, LEGEND_SIZE)
    }
}

/// Positions (x offset, row) of legend items laid out left to right, wrapping at `max_width`.
fn legend_layout(items: &[LegendItem<'_>], max_width: f64) -> Vec<(f64, usize)> {
    const ITEM_GAP: f64 = 20.0;
    let mut positions = Vec::with_capacity(items.len());
    let (mut x, mut row) = (0.0, 0);
    for item in items {
        if x > 0.0 && x + item.width() > max_width {
            x = 0.0;
            row += 1;
        }
        positions.push((x, row));
        x += item.width() + ITEM_GAP;
    }
    positions
}

fn legend_height(items: &[LegendItem<'_>], max_width: f64) -> f64 {
    let rows = legend_layout(items, max_width)
        .last()
        .map_or(0, |&(_, row)| row + 1);
    rows as f64 * LEGEND_ROW_HEIGHT
}

/// Draw a legend whose first row is centred on `y`.
fn draw_legend(doc: &mut SvgDocument, x: f64, y: f64, max_width: f64, items: &[LegendItem<'_>]) {
    for (item, (offset, row)) in items.iter().zip(legend_layout(items, max_width)) {
        let mark_x = x + offset;
        let mark_y = y + row as f64 * LEGEND_ROW_HEIGHT;
        draw_legend_mark(doc, item.mark, mark_x, mark_y);
        doc.text(
            Text::new(mark_x + LEGEND_MARK_WIDTH + 6.0, mark_y, &item.label)
                .size(LEGEND_SIZE)
                .fill(INK)
                .class("legend-label"),
        );
    }
}

fn draw_legend_mark(doc: &mut SvgDocument, mark: LegendMark<'_>, x: f64, y: f64) {
    let centre = x + LEGEND_MARK_WIDTH / 2.0;
    let element = match mark {
        LegendMark::Dot(colour) => Element::circle(centre, y, 4.0).fill(colour),
        LegendMark::HollowDiamond => Element::new("polygon")
            .points(&diamond(centre, y, 5.5))
            .fill("none")
            .stroke(INK, 1.4),
        LegendMark::Bar(colour) => Element::rect(x + 1.0, y - 3.0, 16.0, 6.0).fill(colour),
        LegendMark::Square(colour) => Element::rect(x + 3.0, y - 6.0, 12.0, 12.0).fill(colour),
        LegendMark::OutlinedSquare(colour) => Element::rect(x + 3.5, y - 5.5, 11.0, 11.0)
            .fill("none")
            .stroke(colour, 2.0),
        LegendMark::Line {
            colour,
            width,
            dashed,
        } => {
            let line = Element::line(x, y, x + LEGEND_MARK_WIDTH, y).stroke(colour, width);
            if dashed {
                line.attr("stroke-dasharray", "4 3")
            } else {
                line
            }
        }
        LegendMark::Whisker => Element::new("path")
            .attr("d", &whisker_path(x + 2.0, x + 16.0, y, 4.0))
            .fill("none")
            .stroke(INK, 1.2),
        LegendMark::Ring => {
            doc.leaf(
                Element::circle(centre, y, 5.5)
                    .fill(BACKGROUND)
                    .stroke(INK, 2.0)
                    .class("legend-mark"),
            );
            Element::circle(centre, y, 1.6).fill(INK)
        }
    };
    doc.leaf(element.class("legend-mark"));
}

fn diamond(cx: f64, cy: f64, half: f64) -> [(f64, f64); 4] {
    [
        (cx, cy - half),
        (cx + half, cy),
        (cx, cy + half),
        (cx - half, cy),
    ]
}

/// A horizontal interval from `x0` to `x1` at `y` with end caps of half-height `cap`.
fn whisker_path(x0: f64, x1: f64, y: f64, cap: f64) -> String {
    format!(
        "M{a},{y}H{b}M{a},{t}V{u}M{b},{t}V{u}",
        a = number(x0),
        b = number(x1),
        y = number(y),
        t = number(y - cap),
        u = number(y + cap)
    )
}

/// Vertical grid lines at `values`.
fn draw_vertical_grid(
    doc: &mut SvgDocument,
    scale: &LinearScale,
    values: &[f64],
    top: f64,
    bottom: f64,
) {
    for &value in values {
        let x = scale.map(value);
        doc.leaf(
            Element::line(x, top, x, bottom)
                .stroke(GRID, 1.0)
                .class("grid"),
        );
    }
}

/// Which side of a horizontal axis the tick labels go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Above,
    Below,
}

/// Axis line across `[x0, x1]` at `y`, with ticks and labels on `side`.
#[allow(clippy::too_many_arguments)]
fn draw_horizontal_axis(
    doc: &mut SvgDocument,
    scale: &LinearScale,
    values: &[f64],
    decimals: usize,
    y: f64,
    (x0, x1): (f64, f64),
    side: Side,
    line_colour: &str,
) {
    doc.leaf(
        Element::line(x0, y, x1, y)
            .stroke(line_colour, 1.0)
            .class("axis"),
    );
    let direction = if side == Side::Below { 1.0 } else { -1.0 };
    for &value in values {
        let x = scale.map(value);
        doc.leaf(Element::line(x, y, x, y + 4.0 * direction).stroke(AXIS, 1.0));
        let label = format_tick(value, decimals);
        doc.text(
            Text::new(x, y + 12.0 * direction, &label)
                .size(TICK_SIZE)
                .anchor(Anchor::Middle)
                .fill(MUTED_INK)
                .class("tick-label"),
        );
    }
}

/// Vertical axis at `x` with tick labels to the left.
fn draw_vertical_axis(
    doc: &mut SvgDocument,
    scale: &LinearScale,
    values: &[f64],
    decimals: usize,
    x: f64,
    (y0, y1): (f64, f64),
) {
    doc.leaf(Element::line(x, y0, x, y1).stroke(AXIS, 1.0).class("axis"));
    for &value in values {
        let y = scale.map(value);
        doc.leaf(Element::line(x - 4.0, y, x, y).stroke(AXIS, 1.0));
        let label = format_tick(value, decimals);
        doc.text(
            Text::new(x - 7.0, y, &label)
                .size(TICK_SIZE)
                .anchor(Anchor::End)
                .fill(MUTED_INK)
                .class("tick-label"),
        );
    }
}

fn axis_title(doc: &mut SvgDocument, x: f64, y: f64, label: &str, rotate: bool) {
    let mut text = Text::new(x, y, label)
        .size(AXIS_TITLE_SIZE)
        .anchor(Anchor::Middle)
        .fill(INK)
        .class("axis-title");
    if rotate {
        text = text.rotate(-90.0);
    }
    doc.text(text);
}

/// Vertical placement of the rows of a list chart (rank intervals, heat map).
#[derive(Debug, Clone, Copy)]
struct RowLayout {
    pitch: f64,
    /// Label every `label_every`-th row (1 = all rows).
    label_every: usize,
    label_size: f64,
}

impl RowLayout {
    fn for_rows(count: usize) -> Self {
        let comfortable = count as f64 * COMFORTABLE_ROW_PITCH <= MAX_ROWS_HEIGHT;
        let pitch = if comfortable {
            COMFORTABLE_ROW_PITCH
        } else {
            (MAX_ROWS_HEIGHT / count as f64).max(1.0)
        };
        Self {
            pitch,
            label_every: (MIN_LABEL_PITCH / pitch).ceil().max(1.0) as usize,
            label_size: if pitch >= 15.0 { 11.5 } else { 11.0 },
        }
    }

    /// Which rows get a label: every `label_every`-th, plus highlighted rows, minus plain rows
    /// that would collide with a highlighted label.
    fn labelled_rows(&self, highlighted: &[bool]) -> Vec<bool> {
        let mut labelled: Vec<bool> = (0..highlighted.len())
            .map(|row| row % self.label_every == 0 || highlighted[row])
            .collect();
        if self.label_every > 1 {
            for (row, _) in highlighted.iter().enumerate().filter(|(_, h)| **h) {
                let near = row.saturating_sub(self.label_every - 1)
                    ..(row + self.label_every).min(highlighted.len());
                for other in near {
                    if !highlighted[other] {
                        labelled[other] = false;
                    }
                }
            }
        }
        labelled
    }
}

/// Width of a right-aligned label column for `labels` (capped by [`MAX_LABEL_CHARS`]).
fn label_column_width<'a>(labels: impl Iterator<Item = &'a str>, size: f64) -> f64 {
    let widest = labels
        .map(|label| text_width(&truncate(label, MAX_LABEL_CHARS), size * 1.05))
        .fold(0.0, f64::max);
    widest.max(24.0)
}

/// A row label, truncated with a tooltip when long; bold accent when highlighted.
fn draw_row_label(doc: &mut SvgDocument, x: f64, y: f64, label: &str, size: f64, highlight: bool) {
    let shown = truncate(label, MAX_LABEL_CHARS);
    let mut text = Text::new(x, y, &shown)
        .size(size)
        .anchor(Anchor::End)
        .fill(if highlight { ACCENT } else { INK })
        .bold(highlight)
        .class("row-label");
    if shown.len() != label.len() {
        text = text.tooltip(label);
    }
    doc.text(text);
}

fn no_data_note(doc: &mut SvgDocument, x: f64, y: f64) {
    doc.text(
        Text::new(x, y, "No data")
            .size(AXIS_TITLE_SIZE)
            .anchor(Anchor::Middle)
            .fill(MUTED_INK)
            .class("no-data"),
    );
}

fn finite_or(value: f64, fallback: f64) -> f64 {
    if value.is_finite() { value } else { fallback }
}

// ---------------------------------------------------------------------------------------------
// 1. Rank intervals
// ---------------------------------------------------------------------------------------------

/// The rank axes shared by the per-unit charts (rank intervals, acceptability heat map): rank
/// ticks above and below the plot, the axis title, and the "Unit" header of the label column.
fn draw_rank_axes(
    doc: &mut SvgDocument,
    scale: &LinearScale,
    tick_values: &[f64],
    (plot_left, plot_right): (f64, f64),
    (plot_top, plot_bottom): (f64, f64),
) {
    for (y, side) in [(plot_bottom, Side::Below), (plot_top, Side::Above)] {
        draw_horizontal_axis(
            doc,
            scale,
            tick_values,
            0,
            y,
            (plot_left, plot_right),
            side,
            AXIS,
        );
    }
    axis_title(
        doc,
        (plot_left + plot_right) / 2.0,
        plot_bottom + 34.0,
        "Rank (1 = best)",
        false,
    );
    doc.text(
        Text::new(plot_left - 8.0, plot_top - 12.0, "Unit")
            .size(AXIS_TITLE_SIZE)
            .anchor(Anchor::End)
            .fill(INK)
            .class("axis-title"),
    );
}

/// Every unit's median rank (dot, class `median`), 5–95% rank interval (bar, class `interval`)
/// and nominal rank (hollow diamond, class `nominal`), one row per unit ordered by nominal rank,
/// rank 1 at left. The focus unit's row is tinted and drawn in the accent colour.
pub fn rank_intervals(chart: &RankIntervalChart) -> String {
    const WIDTH: f64 = 760.0;
    let mut rows: Vec<&RankIntervalRow> = chart.rows.iter().collect();
    rows.sort_by(|a, b| {
        a.nominal_rank
            .total_cmp(&b.nominal_rank)
            .then_with(|| a.label.cmp(&b.label))
    });
    let layout = RowLayout::for_rows(rows.len());
    let highlighted: Vec<bool> = rows.iter().map(|row| row.highlight).collect();
    let labelled = layout.labelled_rows(&highlighted);

    let worst_rank = rows
        .iter()
        .flat_map(|row| [row.nominal_rank, row.median_rank, row.q05, row.q95])
        .filter(|value| value.is_finite())
        .fold(chart.n_units.max(1) as f64, f64::max);

    let mut legend = vec![
        LegendItem::new(LegendMark::Dot(PRIMARY), "Median rank"),
        LegendItem::new(LegendMark::Bar(SECONDARY), "5–95% interval"),
        LegendItem::new(LegendMark::HollowDiamond, "Nominal rank"),
    ];
    if let Some(focus) = rows.iter().find(|row| row.highlight) {
        legend.push(LegendItem::new(
            LegendMark::Dot(ACCENT),
            truncate(&focus.label, MAX_LABEL_CHARS),
        ));
    }
    let label_width =
        label_column_width(rows.iter().map(|row| row.label.as_str()), layout.label_size);
    let plot_left = MARGIN + label_width + 12.0;
    let plot_right = WIDTH - 24.0;
    let legend_top = LEGEND_TOP;
    let plot_top = legend_top + legend_height(&legend, WIDTH - 2.0 * MARGIN) + 24.0;
    let plot_bottom = plot_top + rows.len().max(1) as f64 * layout.pitch;
    let height = plot_bottom + 52.0;

    let mut doc = SvgDocument::new(WIDTH, height, &chart.title);
    let subtitle = format!("{} units, ordered by nominal rank (1 = best)", rows.len());
    draw_heading(&mut doc, WIDTH, &chart.title, Some(&subtitle));
    draw_legend(&mut doc, MARGIN, legend_top, WIDTH - 2.0 * MARGIN, &legend);

    let scale = LinearScale::new((0.5, worst_rank + 0.5), (plot_left, plot_right));
    let tick_values = rank_ticks(1.0, worst_rank, 10);
    let row_y = |index: usize| plot_top + (index as f64 + 0.5) * layout.pitch;

    // Backgrounds first: zebra stripes, focus band, grid.
    if layout.pitch >= 8.0 {
        for index in (1..rows.len()).step_by(2) {
            doc.leaf(
                Element::rect(
                    MARGIN,
                    row_y(index) - layout.pitch / 2.0,
                    plot_right - MARGIN,
                    layout.pitch,
                )
                .fill(ZEBRA),
            );
        }
    }
    for (index, _) in rows.iter().enumerate().filter(|(_, row)| row.highlight) {
        let band = layout.pitch.max(MIN_LABEL_PITCH);
        doc.leaf(
            Element::rect(MARGIN, row_y(index) - band / 2.0, plot_right - MARGIN, band)
                .fill(ACCENT_TINT)
                .class("focus-band"),
        );
    }
    draw_vertical_grid(&mut doc, &scale, &tick_values, plot_top, plot_bottom);
    draw_rank_axes(
        &mut doc,
        &scale,
        &tick_values,
        (plot_left, plot_right),
        (plot_top, plot_bottom),
    );
    if rows.is_empty() {
        no_data_note(&mut doc, (plot_left + plot_right) / 2.0, row_y(0));
    }

    let bar_height = (layout.pitch * 0.42).clamp(1.0, 6.0);
    let dot_radius = (layout.pitch * 0.28).clamp(1.0, 4.5);
    let diamond_half = (layout.pitch * 0.36).clamp(1.5, 6.0);
    for (index, row) in rows.iter().enumerate() {
        let y = row_y(index);
        if labelled[index] {
            draw_row_label(
                &mut doc,
                plot_left - 8.0,
                y,
                &row.label,
                layout.label_size,
                row.highlight,
            );
        }
        let (dot_colour, bar_colour) = if row.highlight {
            (ACCENT, ACCENT)
        } else {
            (PRIMARY, SECONDARY)
        };
        if row.q05.is_finite() && row.q95.is_finite() {
            let (low, high) = (
                scale.map(row.q05.min(row.q95)),
                scale.map(row.q05.max(row.q95)),
            );
            // A zero-width interval still shows as a sliver.
            let width = (high - low).max(2.0);
            let mut bar = Element::rect(
                (low + high - width) / 2.0,
                y - bar_height / 2.0,
                width,
                bar_height,
            )
            .fill(bar_colour)
            .class("interval");
            if row.highlight {
                bar = bar.attr("fill-opacity", "0.45");
            }
            doc.leaf_with_tooltip(
                bar,
                &format!(
                    "{}: 5–95% interval {}–{}",
                    row.label,
                    number(row.q05),
                    number(row.q95)
                ),
            );
        }
        if row.nominal_rank.is_finite() {
            doc.leaf_with_tooltip(
                Element::new("polygon")
                    .points(&diamond(scale.map(row.nominal_rank), y, diamond_half))
                    .fill("none")
                    .stroke(INK, 1.3)
                    .class("nominal"),
                &format!("{}: nominal rank {}", row.label, number(row.nominal_rank)),
            );
        }
        if row.median_rank.is_finite() {
            doc.leaf_with_tooltip(
                Element::circle(scale.map(row.median_rank), y, dot_radius)
                    .fill(dot_colour)
                    .class("median"),
                &format!("{}: median rank {}", row.label, number(row.median_rank)),
            );
        }
    }
    doc.finish()
}

// ---------------------------------------------------------------------------------------------
// 2. Rank acceptability heat map
// ---------------------------------------------------------------------------------------------

/// Units × ranks heat map of rank probabilities (cells, class `cell`) on a sequential YlGnBu
/// scale with a colour bar, nominal ranks outlined (class `nominal`), the focus row framed in
/// the accent colour. The colour scale runs from 0 to the largest probability rounded up to a
/// nice value, and is square-root (colour position = √(p / p_max)): real rank distributions are
/// dominated by probabilities of a few percent, which a linear scale would render all alike.
pub fn acceptability_heatmap(chart: &HeatmapChart) -> String {
    let row_count = chart.row_labels.len();
    let n_ranks = chart.n_ranks.max(1);
    let layout = RowLayout::for_rows(row_count);
    let highlighted: Vec<bool> = (0..row_count)
        .map(|row| chart.highlight_row == Some(row))
        .collect();
    let labelled = layout.labelled_rows(&highlighted);
    let probability = |row: usize, rank_index: usize| {
        chart
            .probabilities
            .get(row)
            .and_then(|values| values.get(rank_index))
            .copied()
            .filter(|value| value.is_finite())
            .unwrap_or(0.0)
            .clamp(0.0, 1.0)
    };
    let largest = (0..row_count)
        .flat_map(|row| (0..n_ranks).map(move |rank_index| (row, rank_index)))
        .map(|(row, rank_index)| probability(row, rank_index))
        .fold(0.0, f64::max);
    let (_, scale_max, scale_step) = if largest > 0.0 {
        nice_domain(0.0, largest, 5)
    } else {
        (0.0, 1.0, 0.2)
    };
    let scale_max = scale_max.min(1.0);

    let cell_width = (640.0 / n_ranks as f64).clamp(2.0, 18.0);
    let label_width = label_column_width(
        chart.row_labels.iter().map(String::as_str),
        layout.label_size,
    );
    let plot_left = MARGIN + label_width + 12.0;
    let plot_right = plot_left + cell_width * n_ranks as f64;
    let colour_bar_x = plot_right + 28.0;
    let width = (colour_bar_x + 90.0).max(520.0);

    let mut legend = vec![LegendItem::new(
        LegendMark::OutlinedSquare(INK),
        "Nominal rank",
    )];
    if let Some(row) = chart.highlight_row.filter(|&row| row < row_count) {
        legend.push(LegendItem::new(
            LegendMark::OutlinedSquare(ACCENT),
            truncate(&chart.row_labels[row], MAX_LABEL_CHARS),
        ));
    }
    let legend_top = LEGEND_TOP;
    let plot_top = legend_top + legend_height(&legend, width - 2.0 * MARGIN) + 24.0;
    let plot_bottom = plot_top + row_count.max(1) as f64 * layout.pitch;
    let colour_bar_height = (plot_bottom - plot_top).clamp(120.0, 240.0);
    let height = plot_bottom.max(plot_top + colour_bar_height) + 52.0;

    let mut doc = SvgDocument::new(width, height, &chart.title);
    let subtitle = format!("Probability of each rank for {row_count} units");
    draw_heading(&mut doc, width, &chart.title, Some(&subtitle));
    draw_legend(&mut doc, MARGIN, legend_top, width - 2.0 * MARGIN, &legend);

    let scale = LinearScale::new((0.5, n_ranks as f64 + 0.5), (plot_left, plot_right));
    let tick_values = rank_ticks(1.0, n_ranks as f64, n_ranks.clamp(1, 12));
    let row_top = |row: usize| plot_top + row as f64 * layout.pitch;
    doc.leaf(
        Element::rect(
            plot_left,
            plot_top,
            plot_right - plot_left,
            plot_bottom - plot_top,
        )
        .fill("none")
        .stroke(GRID, 1.0),
    );
    draw_rank_axes(
        &mut doc,
        &scale,
        &tick_values,
        (plot_left, plot_right),
        (plot_top, plot_bottom),
    );
    if row_count == 0 {
        no_data_note(
            &mut doc,
            (plot_left + plot_right) / 2.0,
            plot_top + layout.pitch / 2.0,
        );
    }

    // A one-pixel white gap between cells when they are big enough to afford it.
    let gap = if cell_width >= 6.0 && layout.pitch >= 6.0 {
        1.0
    } else {
        0.0
    };
    for row in 0..row_count {
        let label = &chart.row_labels[row];
        if labelled[row] {
            draw_row_label(
                &mut doc,
                plot_left - 8.0,
                row_top(row) + layout.pitch / 2.0,
                label,
                layout.label_size,
                highlighted[row],
            );
        }
        for rank_index in 0..n_ranks {
            let value = probability(row, rank_index);
            if value <= 0.0 {
                continue;
            }
            let colour = probability_colour(value / scale_max);
            let x = plot_left + rank_index as f64 * cell_width;
            doc.leaf_with_tooltip(
                Element::rect(
                    x + gap / 2.0,
                    row_top(row) + gap / 2.0,
                    cell_width - gap,
                    layout.pitch - gap,
                )
                .fill(&colour)
                .class("cell"),
                &format!("{label}, rank {}: {:.3}", rank_index + 1, value),
            );
        }
    }
    // Outlines on top of all cells so that neighbours never paint over them.
    for row in 0..row_count {
        let nominal = chart.nominal_ranks.get(row).copied().unwrap_or(0);
        if (1..=n_ranks).contains(&nominal) {
            let x = plot_left + (nominal - 1) as f64 * cell_width;
            let stroke = (cell_width.min(layout.pitch) / 6.0).clamp(0.6, 1.6);
            let roomy = cell_width >= 8.0 && layout.pitch >= 8.0;
            // Roomy cells get a dark outline with a white inner line, which reads on both pale
            // and dark cells; small cells have room for one line only, in the contrasting colour.
            let outline = if roomy {
                INK
            } else {
                let value = probability(row, nominal - 1);
                if value > 0.0 {
                    palette::text_on(&probability_colour(value / scale_max))
                } else {
                    INK
                }
            };
            doc.leaf(
                Element::rect(
                    x + stroke / 2.0,
                    row_top(row) + stroke / 2.0,
                    cell_width - stroke,
                    layout.pitch - stroke,
                )
                .fill("none")
                .stroke(outline, stroke)
                .class("nominal"),
            );
            if roomy {
                doc.leaf(
                    Element::rect(
                        x + stroke * 1.5,
                        row_top(row) + stroke * 1.5,
                        cell_width - 3.0 * stroke,
                        layout.pitch - 3.0 * stroke,
                    )
                    .fill("none")
                    .stroke(BACKGROUND, stroke * 0.8),
                );
            }
        }
    }
    if let Some(row) = chart.highlight_row.filter(|&row| row < row_count) {
        doc.leaf(
            Element::rect(
                plot_left - 1.0,
                row_top(row) - 1.0,
                plot_right - plot_left + 2.0,
                layout.pitch + 2.0,
            )
            .fill("none")
            .stroke(ACCENT, 2.0)
            .class("focus-frame"),
        );
    }

    // Colour bar: thin stacked strips (no gradient, which would need a document-wide id).
    const STRIPS: usize = 60;
    const BAR_WIDTH: f64 = 14.0;
    let strip_height = colour_bar_height / STRIPS as f64;
    doc.text(
        Text::new(colour_bar_x, plot_top - 12.0, "Probability")
            .size(AXIS_TITLE_SIZE)
            .fill(INK)
            .class("axis-title"),
    );
    for strip in 0..STRIPS {
        // Strip 0 is at the bottom (probability 0).
        let position = (strip as f64 + 0.5) / STRIPS as f64;
        let y = plot_top + colour_bar_height - (strip as f64 + 1.0) * strip_height;
        doc.leaf(
            Element::rect(colour_bar_x, y, BAR_WIDTH, strip_height + 0.4)
                .fill(&probability_colour(position * position)),
        );
    }
    doc.leaf(
        Element::rect(colour_bar_x, plot_top, BAR_WIDTH, colour_bar_height)
            .fill("none")
            .stroke(AXIS, 0.8),
    );
    // The bar is linear in colour position, so ticks sit at √(p / p_max); the square root
    // spreads the low end, which gets extra ticks at half a step (and a quarter, if it prints
    // with at most one more decimal).
    let bar_scale = LinearScale::new((0.0, 1.0), (plot_top + colour_bar_height, plot_top));
    let mut bar_ticks = ticks(0.0, scale_max, scale_step);
    let extra_ticks = if tick_decimals(scale_step / 4.0) <= tick_decimals(scale_step) + 1 {
        vec![scale_step / 4.0, scale_step / 2.0]
    } else {
        vec![scale_step / 2.0]
    };
    bar_ticks.splice(1..1, extra_ticks);
    for value in bar_ticks {
        let decimals = tick_decimals(value);
        let y = bar_scale.map((value / scale_max).sqrt());
        doc.leaf(
            Element::line(
                colour_bar_x + BAR_WIDTH,
                y,
                colour_bar_x + BAR_WIDTH + 4.0,
                y,
            )
            .stroke(AXIS, 1.0),
        );
        let label = format_tick(value, decimals);
        doc.text(
            Text::new(colour_bar_x + BAR_WIDTH + 7.0, y, &label)
                .size(TICK_SIZE)
                .fill(MUTED_INK)
                .class("tick-label"),
        );
    }
    doc.finish()
}

/// Colour of a probability given as a fraction of the scale maximum, on the square-root scale.
/// The ramp starts slightly in so that the rarest ranks still differ from blank cells.
fn probability_colour(fraction_of_max: f64) -> String {
    PROBABILITY_RAMP.colour_at(0.06 + 0.94 * fraction_of_max.clamp(0.0, 1.0).sqrt())
}

// ---------------------------------------------------------------------------------------------
// 3. Sobol bars
// ---------------------------------------------------------------------------------------------

/// Grouped horizontal bars of first-order (class `bar-first`) and total-order (class
/// `bar-total`) Sobol indices per factor, with interval whiskers (class `whisker`) and value
/// labels. The axis spans every value and interval end, including negative ones, and always 0.
pub fn sobol_bars(chart: &SobolChart) -> String {
    const WIDTH: f64 = 720.0;
    const BAR_HEIGHT: f64 = 13.0;
    const GROUP_PITCH: f64 = 2.0 * BAR_HEIGHT + 2.0 + 16.0;
    let label_width = label_column_width(chart.rows.iter().map(|row| row.factor.as_str()), 12.0);
    let plot_left = MARGIN + label_width + 14.0;
    let plot_right = WIDTH - 56.0;
    let legend = [
        LegendItem::new(LegendMark::Square(SECONDARY), "First order (Si)"),
        LegendItem::new(LegendMark::Square(PRIMARY), "Total order (STi)"),
        LegendItem::new(LegendMark::Whisker, "Confidence interval"),
    ];
    let legend_top = LEGEND_TOP;
    let plot_top = legend_top + legend_height(&legend, WIDTH - 2.0 * MARGIN) + 8.0;
    let plot_bottom = plot_top + chart.rows.len().max(1) as f64 * GROUP_PITCH;
    let height = plot_bottom + 54.0;

    let values: Vec<f64> = chart
        .rows
        .iter()
        .flat_map(|row| {
            [
                row.first,
                row.first_lo,
                row.first_hi,
                row.total,
                row.total_lo,
                row.total_hi,
            ]
        })
        .filter(|value| value.is_finite())
        .collect();
    let low = values.iter().copied().fold(0.0, f64::min);
    let high = values.iter().copied().fold(0.0, f64::max).max(low + 0.1);
    let (domain_low, domain_high, step) = nice_domain(low, high, 10);
    let scale = LinearScale::new((domain_low, domain_high), (plot_left, plot_right));
    let tick_values = ticks(domain_low, domain_high, step);
    let decimals = tick_decimals(step);

    let mut doc = SvgDocument::new(WIDTH, height, &chart.title);
    let subtitle = format!("Target: {}", chart.target_label);
    draw_heading(&mut doc, WIDTH, &chart.title, Some(&subtitle));
    draw_legend(&mut doc, MARGIN, legend_top, WIDTH - 2.0 * MARGIN, &legend);
    draw_vertical_grid(&mut doc, &scale, &tick_values, plot_top, plot_bottom);
    draw_horizontal_axis(
        &mut doc,
        &scale,
        &tick_values,
        decimals,
        plot_bottom,
        (plot_left, plot_right),
        Side::Below,
        AXIS,
    );
    axis_title(
        &mut doc,
        (plot_left + plot_right) / 2.0,
        plot_bottom + 34.0,
        "Sobol sensitivity index",
        false,
    );
    let zero = scale.map(0.0);
    if chart.rows.is_empty() {
        no_data_note(
            &mut doc,
            (plot_left + plot_right) / 2.0,
            plot_top + GROUP_PITCH / 2.0,
        );
    }

    for (index, row) in chart.rows.iter().enumerate() {
        let group_top = plot_top + 8.0 + index as f64 * GROUP_PITCH;
        let group_centre = group_top + BAR_HEIGHT + 1.0;
        let shown = truncate(&row.factor, MAX_LABEL_CHARS);
        let mut label = Text::new(plot_left - 10.0, group_centre, &shown)
            .size(12.0)
            .anchor(Anchor::End)
            .fill(INK)
            .class("row-label");
        if shown.len() != row.factor.len() {
            label = label.tooltip(&row.factor);
        }
        doc.text(label);
        let bars = [
            (
                "bar-first",
                SECONDARY,
                "Si",
                row.first,
                row.first_lo,
                row.first_hi,
                group_top,
            ),
            (
                "bar-total",
                PRIMARY,
                "STi",
                row.total,
                row.total_lo,
                row.total_hi,
                group_top + BAR_HEIGHT + 2.0,
            ),
        ];
        for (class, colour, name, value, lo, hi, top) in bars {
            if !value.is_finite() {
                continue;
            }
            let end = scale.map(value);
            let centre = top + BAR_HEIGHT / 2.0;
            doc.leaf_with_tooltip(
                Element::rect(zero.min(end), top, (end - zero).abs(), BAR_HEIGHT)
                    .fill(colour)
                    .class(class),
                &format!(
                    "{}: {name} = {:.3} [{:.3}, {:.3}]",
                    row.factor, value, lo, hi
                ),
            );
            let mut rightmost = end.max(zero);
            if lo.is_finite() && hi.is_finite() {
                let (a, b) = (scale.map(lo.min(hi)), scale.map(lo.max(hi)));
                doc.leaf(
                    Element::new("path")
                        .attr("d", &whisker_path(a, b, centre, 3.5))
                        .fill("none")
                        .stroke(INK, 1.1)
                        .class("whisker"),
                );
                rightmost = rightmost.max(b);
            }
            let text = format!("{value:.2}");
            doc.text(
                Text::new(rightmost + 5.0, centre, &text)
                    .size(TICK_SIZE)
                    .fill(MUTED_INK)
                    .class("value-label"),
            );
        }
    }
    // The zero line on top of the bars: it is the reference every bar starts from.
    doc.leaf(
        Element::line(zero, plot_top, zero, plot_bottom)
            .stroke(INK, 1.0)
            .class("zero-line"),
    );
    doc.finish()
}

// ---------------------------------------------------------------------------------------------
// 4. Rank histogram
// ---------------------------------------------------------------------------------------------

/// Probability of each rank for one unit: bars (class `bar`, the nominal rank's bar class
/// `bar-nominal` in the accent colour), median rank as a dashed line (class `median`), and the
/// nominal rank marked under the axis even when it never occurred.
pub fn rank_histogram(chart: &HistogramChart) -> String {
    const WIDTH: f64 = 720.0;
    const HEIGHT: f64 = 400.0;
    let total: u64 = chart.counts.iter().sum();
    let rank_count = chart.counts.len().max(chart.nominal_rank).max(1);
    let (first_shown, last_shown) = shown_rank_range(chart, rank_count);

    let median_text = if chart.median_rank.is_finite() {
        format!("Median rank ({})", number(chart.median_rank))
    } else {
        "Median rank".to_owned()
    };
    let legend = [
        LegendItem::new(LegendMark::Square(PRIMARY), "Probability of rank"),
        LegendItem::new(
            LegendMark::Square(ACCENT),
            format!("Nominal rank ({})", chart.nominal_rank),
        ),
        LegendItem::new(
            LegendMark::Line {
                colour: INK,
                width: 1.5,
                dashed: true,
            },
            median_text,
        ),
    ];
    let legend_top = LEGEND_TOP;
    let plot_top = legend_top + legend_height(&legend, WIDTH - 2.0 * MARGIN) + 18.0;
    let plot_left = 72.0;
    let plot_right = WIDTH - 24.0;
    let plot_bottom = HEIGHT - 56.0;

    let probability = |count: u64| {
        if total == 0 {
            0.0
        } else {
            count as f64 / total as f64
        }
    };
    let largest = chart
        .counts
        .iter()
        .map(|&count| probability(count))
        .fold(0.0, f64::max);
    let (_, y_max, y_step) = nice_domain(0.0, largest.max(0.05), 5);
    let y_scale = LinearScale::new((0.0, y_max), (plot_bottom, plot_top));
    let x_scale = LinearScale::new(
        (first_shown as f64 - 0.5, last_shown as f64 + 0.5),
        (plot_left, plot_right),
    );
    let band = (plot_right - plot_left) / (last_shown - first_shown + 1) as f64;
    let bar_width = if band >= 4.0 {
        (band * 0.78).min(56.0)
    } else {
        band
    };

    let mut doc = SvgDocument::new(WIDTH, HEIGHT, &chart.title);
    let subtitle = format!("{} — {} runs", chart.unit_label, total);
    draw_heading(&mut doc, WIDTH, &chart.title, Some(&subtitle));
    draw_legend(&mut doc, MARGIN, legend_top, WIDTH - 2.0 * MARGIN, &legend);

    let y_ticks = ticks(0.0, y_max, y_step);
    for &value in &y_ticks {
        let y = y_scale.map(value);
        doc.leaf(
            Element::line(plot_left, y, plot_right, y)
                .stroke(GRID, 1.0)
                .class("grid"),
        );
    }
    draw_vertical_axis(
        &mut doc,
        &y_scale,
        &y_ticks,
        tick_decimals(y_step),
        plot_left,
        (plot_top, plot_bottom),
    );
    axis_title(
        &mut doc,
        24.0,
        (plot_top + plot_bottom) / 2.0,
        "Probability",
        true,
    );
    let x_ticks = rank_ticks(first_shown as f64, last_shown as f64, 12);
    draw_horizontal_axis(
        &mut doc,
        &x_scale,
        &x_ticks,
        0,
        plot_bottom,
        (plot_left, plot_right),
        Side::Below,
        INK,
    );
    axis_title(
        &mut doc,
        (plot_left + plot_right) / 2.0,
        plot_bottom + 38.0,
        "Rank (1 = best)",
        false,
    );
    if total == 0 {
        no_data_note(
            &mut doc,
            (plot_left + plot_right) / 2.0,
            (plot_top + plot_bottom) / 2.0,
        );
    }

    let mut value_labels = Vec::new();
    for rank in first_shown..=last_shown {
        let count = chart.counts.get(rank - 1).copied().unwrap_or(0);
        if count == 0 {
            continue;
        }
        let value = probability(count);
        let is_nominal = rank == chart.nominal_rank;
        let x = x_scale.map(rank as f64);
        let top = y_scale.map(value);
        doc.leaf_with_tooltip(
            Element::rect(x - bar_width / 2.0, top, bar_width, plot_bottom - top)
                .fill(if is_nominal { ACCENT } else { PRIMARY })
                .class(if is_nominal { "bar-nominal" } else { "bar" }),
            &format!(
                "rank {rank}: {count} of {total} runs ({:.1}%)",
                value * 100.0
            ),
        );
        if band >= 26.0 {
            let label = if value >= 0.01 {
                format!("{:.0}%", value * 100.0)
            } else {
                "<1%".to_owned()
            };
            value_labels.push((x, top - 8.0, label));
        }
    }
    // Nominal rank marker below the axis line, so it shows even with no runs at that rank.
    if (first_shown..=last_shown).contains(&chart.nominal_rank) {
        let x = x_scale.map(chart.nominal_rank as f64);
        doc.leaf(
            Element::new("polygon")
                .points(&[
                    (x, plot_bottom + 1.0),
                    (x - 5.0, plot_bottom + 8.0),
                    (x + 5.0, plot_bottom + 8.0),
                ])
                .fill(ACCENT)
                .class("nominal-marker"),
        );
    }
    if chart.median_rank.is_finite() {
        let x = x_scale.map(chart.median_rank);
        doc.leaf(
            Element::line(x, plot_top - 4.0, x, plot_bottom)
                .stroke(INK, 1.5)
                .attr("stroke-dasharray", "5 4")
                .class("median"),
        );
    }
    // Value labels last, on a white patch, so the median line never runs through one.
    for (x, y, label) in &value_labels {
        let width = text_width(label, TICK_SIZE);
        doc.leaf(Element::rect(x - width / 2.0 - 2.0, y - 7.0, width + 4.0, 14.0).fill(BACKGROUND));
        doc.text(
            Text::new(*x, *y, label)
                .size(TICK_SIZE)
                .anchor(Anchor::Middle)
                .fill(MUTED_INK)
                .class("value-label"),
        );
    }
    doc.finish()
}

/// Ranks shown on the histogram axis: every occupied rank, the nominal and the median, one rank
/// of padding, widened to at least ten ranks (or all of them) and clipped to `1..=rank_count`.
fn shown_rank_range(chart: &HistogramChart, rank_count: usize) -> (usize, usize) {
    const MIN_SHOWN: usize = 10;
    let occupied = chart
        .counts
        .iter()
        .enumerate()
        .filter(|(_, count)| **count > 0)
        .map(|(index, _)| index + 1);
    let mut first = occupied.clone().min().unwrap_or(1);
    let mut last = occupied.max().unwrap_or(rank_count);
    for rank in [
        Some(chart.nominal_rank),
        chart
            .median_rank
            .is_finite()
            .then(|| chart.median_rank.round() as usize),
    ]
    .into_iter()
    .flatten()
    .filter(|rank| (1..=rank_count).contains(rank))
    {
        first = first.min(rank);
        last = last.max(rank);
    }
    first = first.saturating_sub(1).max(1);
    last = (last + 1).min(rank_count);
    while last - first + 1 < MIN_SHOWN.min(rank_count) {
        if first > 1 {
            first -= 1;
        }
        if last - first + 1 < MIN_SHOWN.min(rank_count) && last < rank_count {
            last += 1;
        }
    }
    (first, last)
}

// ---------------------------------------------------------------------------------------------
// 5. Ternary map
// ---------------------------------------------------------------------------------------------

/// Discrete colour classes for ranks: one per distinct rank when there are few, otherwise equal
/// ranges of consecutive ranks.
struct RankClasses {
    /// Inclusive rank range and colour of each class, best ranks first.
    classes: Vec<(u32, u32, String)>,
}

impl RankClasses {
    const MAX_SINGLE: usize = 12;
    const MAX_RANGES: u32 = 8;

    fn new(ranks: impl Iterator<Item = u32>) -> Self {
        let mut distinct: Vec<u32> = ranks.collect();
        distinct.sort_unstable();
        distinct.dedup();
        let ranges: Vec<(u32, u32)> = if distinct.len() <= Self::MAX_SINGLE {
            distinct.iter().map(|&rank| (rank, rank)).collect()
        } else {
            let (best, worst) = (distinct[0], distinct[distinct.len() - 1]);
            let width = (worst - best + 1).div_ceil(Self::MAX_RANGES);
            (best..=worst)
                .step_by(width as usize)
                .map(|start| (start, (start + width - 1).min(worst)))
                .collect()
        };
        // At least two colours so a single class gets the "best" end of the ramp.
        let colours = RANK_RAMP.discrete(ranges.len().max(2));
        let classes = ranges
            .into_iter()
            .zip(colours)
            .map(|((low, high), colour)| (low, high, colour))
            .collect();
        Self { classes }
    }

    fn colour(&self, rank: u32) -> &str {
        self.classes
            .iter()
            .find(|(low, high, _)| (*low..=*high).contains(&rank))
            .map_or(CONTEXT, |(_, _, colour)| colour.as_str())
    }
}

/// Clip a convex polygon to the half-plane left of the directed edge `a → b` (Sutherland &
/// Hodgman 1974, "Reentrant polygon clipping").
fn clip_to_half_plane(polygon: &[(f64, f64)], a: (f64, f64), b: (f64, f64)) -> Vec<(f64, f64)> {
    let side = |p: (f64, f64)| (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0);
    let mut clipped = Vec::with_capacity(polygon.len() + 2);
    for (index, &current) in polygon.iter().enumerate() {
        let previous = polygon[(index + polygon.len() - 1) % polygon.len()];
        let (s_current, s_previous) = (side(current), side(previous));
        if (s_current >= 0.0) != (s_previous >= 0.0) {
            let t = s_previous / (s_previous - s_current);
            clipped.push((
                previous.0 + t * (current.0 - previous.0),
                previous.1 + t * (current.1 - previous.1),
            ));
        }
        if s_current >= 0.0 {
            clipped.push(current);
        }
    }
    clipped
}

/// Smallest distance between two distinct points, by a sweep over x (points sorted by x).
fn closest_pair_distance(points: &mut [(f64, f64)]) -> Option<f64> {
    points.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut best = f64::INFINITY;
    for (index, &(x, y)) in points.iter().enumerate() {
        for &(other_x, other_y) in &points[index + 1..] {
            if other_x - x >= best {
                break;
            }
            let distance = (other_x - x).hypot(other_y - y);
            if distance > 1e-9 && distance < best {
                best = distance;
            }
        }
    }
    best.is_finite().then_some(best)
}

/// The focus unit's rank over the weight triangle: each lattice point is a hexagon (class `cell`)
/// coloured by a discrete rank class (viridis, best ranks dark), with a legend, weight ticks
/// every 0.2 on each edge, and the nominal weights marked with a ring (class `nominal`).
///
/// Geometry: vertex 0 at top, 1 bottom left, 2 bottom right; a point is `Σ w_k · V_k`. Weight k's
/// ticks sit on the edge where weight k grows towards vertex k, pointing outward along the
/// lines of constant w_k.
pub fn ternary_map(chart: &TernaryChart) -> String {
    const SIDE: f64 = 420.0;
    const VERTEX_LABEL_SIZE: f64 = 12.5;
    const VERTEX_LABEL_CHARS: usize = 24;
    let triangle_height = SIDE * 3f64.sqrt() / 2.0;
    let vertex_labels = chart
        .vertex_labels
        .each_ref()
        .map(|label| truncate(label, VERTEX_LABEL_CHARS));
    let vertex_label_width = |label: &str| text_width(label, VERTEX_LABEL_SIZE * 1.1);
    // Room on the left for the tick labels and edge caption, or the bottom-left vertex label.
    let left = (MARGIN + 8.0 + vertex_label_width(&vertex_labels[1])).max(70.0);
    let top = 104.0;
    let vertices = [
        (left + SIDE / 2.0, top),
        (left, top + triangle_height),
        (left + SIDE, top + triangle_height),
    ];
    let to_point = |w: [f64; 3]| {
        let sum = w[0] + w[1] + w[2];
        let w = if sum > 0.0 && sum.is_finite() {
            [w[0] / sum, w[1] / sum, w[2] / sum]
        } else {
            [1.0 / 3.0; 3]
        };
        (
            w[0] * vertices[0].0 + w[1] * vertices[1].0 + w[2] * vertices[2].0,
            w[0] * vertices[0].1 + w[1] * vertices[1].1 + w[2] * vertices[2].1,
        )
    };
    let height = top + triangle_height + 64.0;

    let classes = RankClasses::new(
        chart
            .cells
            .iter()
            .map(|cell| cell.rank)
            .chain([chart.nominal_rank]),
    );
    let legend_heading = format!("Rank of {}", truncate(&chart.focus_label, 20));
    let nominal_text = format!("Nominal (rank {})", chart.nominal_rank);
    let keeps_text = format!("Outline: keeps rank {}", chart.nominal_rank);
    let class_labels: Vec<String> = classes
        .classes
        .iter()
        .map(|(low, high, _)| {
            if low == high {
                format!("{low}")
            } else {
                format!("{low}–{high}")
            }
        })
        .collect();
    let legend_x = left + SIDE + 56.0;
    let legend_width = class_labels
        .iter()
        .chain([&nominal_text, &keeps_text])
        .map(|label| 22.0 + text_width(label, LEGEND_SIZE))
        .fold(text_width(&legend_heading, AXIS_TITLE_SIZE * 1.1), f64::max);
    let width = (legend_x + legend_width)
        .max(left + SIDE + 8.0 + vertex_label_width(&vertex_labels[2]))
        + MARGIN;

    let mut doc = SvgDocument::new(width, height, &chart.title);
    let subtitle = format!(
        "Rank of {} for every combination of the three weights",
        chart.focus_label
    );
    draw_heading(&mut doc, width, &chart.title, Some(&subtitle));

    let cells: Vec<((f64, f64), &TernaryCell)> = chart
        .cells
        .iter()
        .filter(|cell| cell.w.iter().all(|value| value.is_finite()))
        .map(|cell| (to_point(cell.w), cell))
        .collect();
    let mut centres: Vec<(f64, f64)> = cells.iter().map(|(point, _)| *point).collect();
    let spacing = closest_pair_distance(&mut centres).unwrap_or(SIDE);
    // Voronoi cell of a triangular lattice with a horizontal row direction: a hexagon with
    // circumradius spacing/√3 and vertices at 30° + k·60°.
    let radius = spacing / 3f64.sqrt();
    let hexagon_offsets: Vec<(f64, f64)> = (0..6)
        .map(|k| {
            let angle = (30.0 + 60.0 * f64::from(k)).to_radians();
            (radius * angle.cos(), radius * angle.sin())
        })
        .collect();
    // Counter-clockwise on screen (y down) means the triangle interior is on the left of each
    // edge in the half-plane test: V0 → V1 → V2.
    let edges = [
        (vertices[0], vertices[1]),
        (vertices[1], vertices[2]),
        (vertices[2], vertices[0]),
    ];
    let interior_sign = {
        let (a, b) = edges[0];
        let c = vertices[2];
        ((b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)).signum()
    };
    for ((cx, cy), cell) in &cells {
        let mut polygon: Vec<(f64, f64)> = hexagon_offsets
            .iter()
            .map(|(dx, dy)| (cx + dx, cy + dy))
            .collect();
        for (a, b) in edges {
            let (a, b) = if interior_sign >= 0.0 { (a, b) } else { (b, a) };
            polygon = clip_to_half_plane(&polygon, a, b);
            if polygon.is_empty() {
                break;
            }
        }
        if polygon.len() < 3 {
            continue;
        }
        let colour = classes.colour(cell.rank);
        // A hairline stroke in the fill colour hides anti-aliasing seams between hexagons.
        doc.leaf_with_tooltip(
            Element::new("polygon")
                .points(&polygon)
                .fill(colour)
                .stroke(colour, 0.6)
                .attr("stroke-linejoin", "round")
                .class("cell"),
            &format!(
                "{} {:.2}, {} {:.2}, {} {:.2}: rank {}",
                chart.vertex_labels[0],
                cell.w[0],
                chart.vertex_labels[1],
                cell.w[1],
                chart.vertex_labels[2],
                cell.w[2],
                cell.rank
            ),
        );
    }
    if cells.is_empty() {
        no_data_note(&mut doc, vertices[0].0, top + triangle_height * 0.66);
    }
    // The colour classes can span several ranks, so outline where the focus keeps exactly its
    // nominal rank: every hexagon edge between a nominal-rank cell and a cell that is not one
    // (edges on the triangle's frame are the frame).
    let keeps: Vec<(f64, f64)> = {
        let mut keeps: Vec<(f64, f64)> = cells
            .iter()
            .filter(|(_, cell)| cell.rank == chart.nominal_rank)
            .map(|(point, _)| *point)
            .collect();
        keeps.sort_by(|a, b| a.0.total_cmp(&b.0));
        keeps
    };
    let is_kept = |(x, y): (f64, f64)| {
        let tolerance = spacing / 4.0;
        let from = keeps.partition_point(|p| p.0 < x - tolerance);
        keeps[from..]
            .iter()
            .take_while(|p| p.0 <= x + tolerance)
            .any(|p| (p.1 - y).abs() <= tolerance)
    };
    let inside = |(x, y): (f64, f64)| {
        edges.iter().all(|&(a, b)| {
            let side = (b.0 - a.0) * (y - a.1) - (b.1 - a.1) * (x - a.0);
            side * interior_sign >= -1e-6 * SIDE * SIDE
        })
    };
    let mut outline = String::new();
    for &(cx, cy) in &keeps {
        for k in 0..6 {
            // The neighbour across the edge between hexagon vertices k and k + 1.
            let angle = (60.0 + 60.0 * k as f64).to_radians();
            let neighbour = (cx + spacing * angle.cos(), cy + spacing * angle.sin());
            if is_kept(neighbour) || !inside(neighbour) {
                continue;
            }
            let (a, b) = (hexagon_offsets[k], hexagon_offsets[(k + 1) % 6]);
            outline.push_str(&format!(
                "M{} {}L{} {}",
                number(cx + a.0),
                number(cy + a.1),
                number(cx + b.0),
                number(cy + b.1)
            ));
        }
    }
    if !outline.is_empty() {
        doc.leaf(
            Element::new("path")
                .attr("d", &outline)
                .fill("none")
                .stroke(BACKGROUND, 2.4)
                .attr("stroke-linecap", "round"),
        );
        doc.leaf(
            Element::new("path")
                .attr("d", &outline)
                .fill("none")
                .stroke(INK, 1.2)
                .attr("stroke-linecap", "round")
                .class("keeps-rank"),
        );
    }

    // Faint guide lines every 0.2 of each weight, over the cells.
    for k in 0..3 {
        for step in 1..5 {
            let t = f64::from(step) * 0.2;
            let (mut from, mut to) = ([0.0; 3], [0.0; 3]);
            from[k] = t;
            to[k] = t;
            from[(k + 1) % 3] = 1.0 - t;
            to[(k + 2) % 3] = 1.0 - t;
            let (a, b) = (to_point(from), to_point(to));
            doc.leaf(
                Element::line(a.0, a.1, b.0, b.1)
                    .stroke(BACKGROUND, 0.8)
                    .attr("stroke-opacity", "0.55")
                    .class("grid"),
            );
        }
    }
    doc.leaf(
        Element::new("polygon")
            .points(&vertices)
            .fill("none")
            .stroke(INK, 1.2)
            .class("frame"),
    );

    // Ticks: weight k on the edge between vertex k and vertex k+1, pointing outward along the
    // line of constant w_k.
    for k in 0..3 {
        let next = (k + 1) % 3;
        let other = (k + 2) % 3;
        // Outward direction: from the point with (w_k = t, w_other = 1 − t) to (w_k = t, w_next = 1 − t).
        let direction = {
            let (dx, dy) = (
                vertices[next].0 - vertices[other].0,
                vertices[next].1 - vertices[other].1,
            );
            let length = dx.hypot(dy);
            (dx / length, dy / length)
        };
        for step in 1..5 {
            let t = f64::from(step) * 0.2;
            let mut w = [0.0; 3];
            w[k] = t;
            w[next] = 1.0 - t;
            let (x, y) = to_point(w);
            doc.leaf(
                Element::line(x, y, x + direction.0 * 6.0, y + direction.1 * 6.0)
                    .stroke(INK, 1.0)
                    .class("tick"),
            );
            let label = format_tick(t, 1);
            let anchor = if direction.0 < -0.5 {
                Anchor::End
            } else if direction.0 > 0.3 {
                Anchor::Start
            } else {
                Anchor::Middle
            };
            doc.text(
                Text::new(x + direction.0 * 9.0, y + direction.1 * 12.0, &label)
                    .size(TICK_SIZE)
                    .anchor(anchor)
                    .fill(MUTED_INK)
                    .class("tick-label"),
            );
        }
    }
    // Edge captions: which weight each edge's ticks measure, with an arrow towards its growth.
    let captions = [
        (
            format!("{} weight →", chart.vertex_labels[0]),
            0usize,
            -60.0,
        ),
        (format!("← {} weight", chart.vertex_labels[1]), 1, 0.0),
        (format!("{} weight →", chart.vertex_labels[2]), 2, 60.0),
    ];
    for (caption, k, rotation) in &captions {
        let next = (k + 1) % 3;
        let mid = (
            (vertices[*k].0 + vertices[next].0) / 2.0,
            (vertices[*k].1 + vertices[next].1) / 2.0,
        );
        let centre = (vertices[0].0, top + triangle_height * 2.0 / 3.0);
        let (dx, dy) = (mid.0 - centre.0, mid.1 - centre.1);
        let length = dx.hypot(dy);
        let offset = 40.0;
        let shown = truncate(caption, 40);
        doc.text(
            Text::new(
                mid.0 + dx / length * offset,
                mid.1 + dy / length * offset,
                &shown,
            )
            .size(AXIS_TITLE_SIZE)
            .anchor(Anchor::Middle)
            .fill(INK)
            .rotate(*rotation)
            .class("axis-title"),
        );
    }
    // Vertex labels just outside each corner.
    let corner_labels = [
        (vertices[0].0, vertices[0].1 - 16.0, Anchor::Middle),
        (vertices[1].0 - 8.0, vertices[1].1 + 14.0, Anchor::End),
        (vertices[2].0 + 8.0, vertices[2].1 + 14.0, Anchor::Start),
    ];
    for (label, (x, y, anchor)) in vertex_labels.iter().zip(corner_labels) {
        doc.text(
            Text::new(x, y, label)
                .size(VERTEX_LABEL_SIZE)
                .bold(true)
                .anchor(anchor)
                .fill(INK)
                .class("vertex-label"),
        );
    }

    // Nominal weights: a ring with a centre dot, white-filled so it reads on any rank colour.
    if chart.nominal.iter().all(|value| value.is_finite()) {
        let (x, y) = to_point(chart.nominal);
        doc.leaf(
            Element::circle(x, y, 6.5)
                .fill(BACKGROUND)
                .stroke(INK, 2.0)
                .class("nominal"),
        );
        doc.leaf(Element::circle(x, y, 2.0).fill(INK));
    }

    // Legend: one swatch per rank class, then the nominal marker.
    let mut y = top + 8.0;
    doc.text(
        Text::new(legend_x, y, &legend_heading)
            .size(AXIS_TITLE_SIZE)
            .bold(true)
            .fill(INK)
            .class("legend-title"),
    );
    y += 22.0;
    for ((_, _, colour), label) in classes.classes.iter().zip(&class_labels) {
        doc.leaf(
            Element::rect(legend_x, y - 7.0, 14.0, 14.0)
                .fill(colour)
                .class("legend-swatch"),
        );
        doc.text(
            Text::new(legend_x + 22.0, y, label)
                .size(LEGEND_SIZE)
                .fill(INK)
                .class("legend-label"),
        );
        y += 18.0;
    }
    y += 10.0;
    draw_legend_mark(&mut doc, LegendMark::Ring, legend_x - 2.0, y);
    doc.text(
        Text::new(legend_x + 22.0, y, &nominal_text)
            .size(LEGEND_SIZE)
            .fill(INK)
            .class("legend-label"),
    );
    if !outline.is_empty() {
        y += 20.0;
        doc.leaf(
            Element::line(legend_x - 2.0, y, legend_x + 14.0, y)
                .stroke(INK, 1.2)
                .class("legend-outline"),
        );
        doc.text(
            Text::new(legend_x + 22.0, y, &keeps_text)
                .size(LEGEND_SIZE)
                .fill(INK)
                .class("legend-label"),
        );
    }
    doc.finish()
}

// ---------------------------------------------------------------------------------------------
// 6. Sweep trajectories
// ---------------------------------------------------------------------------------------------

/// Rank of every unit along a one-parameter sweep (rank 1 at top): other units as thin grey
/// lines (class `series`), the focus unit thick in the accent colour (class `series-focus`),
/// labels at the right end for the best ten and the focus (spread apart so they never overlap,
/// with leader lines), the nominal x as a dashed line (class `nominal-x`).
pub fn sweep_trajectories(chart: &SweepChart) -> String {
    const WIDTH: f64 = 760.0;
    const LABELLED_TOP: usize = 10;
    const LABEL_PITCH: f64 = 13.5;
    let point_count = chart.x.len();
    let max_rank = chart
        .series
        .iter()
        .flat_map(|series| series.ranks.iter().take(point_count).copied())
        .fold(chart.max_rank.max(1), u32::max);

    let final_rank = |series: &SweepSeries| series.ranks.get(point_count.wrapping_sub(1)).copied();
    let mut order: Vec<usize> = (0..chart.series.len())
        .filter(|&index| final_rank(&chart.series[index]).is_some())
        .collect();
    order.sort_by_key(|&index| (final_rank(&chart.series[index]), index));
    let labelled = sweep_labelled(chart, &order, LABELLED_TOP);

    let label_width = labelled
        .iter()
        .map(|&index| {
            text_width(
                &truncate(&chart.series[index].label, 22),
                LEGEND_SIZE * 1.05,
            )
        })
        .fold(40.0, f64::max);
    let plot_left = 64.0;
    let plot_right = WIDTH - MARGIN - label_width - 30.0;
    let mut legend = Vec::new();
    for series in chart.series.iter().filter(|series| series.highlight) {
        legend.push(LegendItem::new(
            LegendMark::Line {
                colour: ACCENT,
                width: 3.0,
                dashed: false,
            },
            truncate(&series.label, MAX_LABEL_CHARS),
        ));
    }
    legend.push(LegendItem::new(
        LegendMark::Line {
            colour: CONTEXT,
            width: 1.5,
            dashed: false,
        },
        "Other units",
    ));
    if chart.nominal_x.is_some() {
        legend.push(LegendItem::new(
            LegendMark::Line {
                colour: INK,
                width: 1.2,
                dashed: true,
            },
            "Nominal",
        ));
    }
    let legend_top = LEGEND_TOP;
    let plot_top = legend_top + legend_height(&legend, WIDTH - 2.0 * MARGIN) + 14.0;
    // Tall enough for every end label at its pitch.
    let plot_height = (f64::from(max_rank) * 12.0)
        .max(labelled.len() as f64 * LABEL_PITCH)
        .clamp(260.0, 640.0);
    let plot_bottom = plot_top + plot_height;
    let height = plot_bottom + 56.0;

    let mut doc = SvgDocument::new(WIDTH, height, &chart.title);
    let subtitle = format!(
        "Rank of each of {} units as the {} varies",
        chart.series.len(),
        chart.x_label
    );
    draw_heading(&mut doc, WIDTH, &chart.title, Some(&subtitle));
    draw_legend(&mut doc, MARGIN, legend_top, WIDTH - 2.0 * MARGIN, &legend);

    let finite_x: Vec<f64> = chart.x.iter().copied().filter(|x| x.is_finite()).collect();
    let x_low = finite_x.iter().copied().fold(f64::INFINITY, f64::min);
    let x_high = finite_x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (x_low, x_high) = if x_low.is_finite() && x_high > x_low {
        (x_low, x_high)
    } else {
        (finite_or(x_low, 0.0), finite_or(x_low, 0.0) + 1.0)
    };
    let x_step = nice_step(x_high - x_low, 8);
    let x_scale = LinearScale::new((x_low, x_high), (plot_left, plot_right));
    let y_scale = LinearScale::new((0.5, f64::from(max_rank) + 0.5), (plot_top, plot_bottom));
    let x_ticks = ticks(x_low, x_high, x_step);
    let y_ticks = rank_ticks(1.0, f64::from(max_rank), 10);

    for &rank in &y_ticks {
        let y = y_scale.map(rank);
        doc.leaf(
            Element::line(plot_left, y, plot_right, y)
                .stroke(GRID, 1.0)
                .class("grid"),
        );
    }
    draw_vertical_grid(&mut doc, &x_scale, &x_ticks, plot_top, plot_bottom);
    draw_vertical_axis(
        &mut doc,
        &y_scale,
        &y_ticks,
        0,
        plot_left,
        (plot_top, plot_bottom),
    );
    axis_title(
        &mut doc,
        24.0,
        (plot_top + plot_bottom) / 2.0,
        "Rank (1 = best)",
        true,
    );
    draw_horizontal_axis(
        &mut doc,
        &x_scale,
        &x_ticks,
        tick_decimals(x_step),
        plot_bottom,
        (plot_left, plot_right),
        Side::Below,
        AXIS,
    );
    let x_title = capitalise_first(&truncate(&chart.x_label, 60));
    axis_title(
        &mut doc,
        (plot_left + plot_right) / 2.0,
        plot_bottom + 36.0,
        &x_title,
        false,
    );
    if chart.series.is_empty() || point_count == 0 {
        no_data_note(
            &mut doc,
            (plot_left + plot_right) / 2.0,
            (plot_top + plot_bottom) / 2.0,
        );
    }

    if let Some(nominal) = chart.nominal_x.filter(|value| value.is_finite()) {
        let x = x_scale.map(nominal.clamp(x_low, x_high));
        doc.leaf(
            Element::line(x, plot_top, x, plot_bottom)
                .stroke(INK, 1.2)
                .attr("stroke-dasharray", "5 4")
                .class("nominal-x"),
        );
    }

    let polyline_points = |series: &SweepSeries| -> Vec<(f64, f64)> {
        chart
            .x
            .iter()
            .zip(&series.ranks)
            .filter(|(x, _)| x.is_finite())
            .map(|(&x, &rank)| (x_scale.map(x), y_scale.map(f64::from(rank))))
            .collect()
    };
    // Context lines first (labelled ones slightly darker), then the focus on top.
    for (index, series) in chart
        .series
        .iter()
        .enumerate()
        .filter(|(_, series)| !series.highlight)
    {
        let colour = if labelled.contains(&index) {
            "#8c959f"
        } else {
            CONTEXT
        };
        doc.leaf_with_tooltip(
            Element::new("polyline")
                .points(&polyline_points(series))
                .fill("none")
                .stroke(colour, 1.2)
                .attr("stroke-linejoin", "round")
                .class("series"),
            &series.label,
        );
    }
    for series in chart.series.iter().filter(|series| series.highlight) {
        let points = polyline_points(series);
        // White casing so the focus line stays distinct where it crosses the grey lines.
        doc.leaf(
            Element::new("polyline")
                .points(&points)
                .fill("none")
                .stroke(BACKGROUND, 6.0)
                .attr("stroke-linejoin", "round"),
        );
        doc.leaf_with_tooltip(
            Element::new("polyline")
                .points(&points)
                .fill("none")
                .stroke(ACCENT, 3.0)
                .attr("stroke-linejoin", "round")
                .attr("stroke-linecap", "round")
                .class("series-focus"),
            &series.label,
        );
    }

    // End labels, spread apart vertically so that none overlap, inside the plot height.
    let mut placements: Vec<(usize, f64, f64)> = labelled
        .iter()
        .filter_map(|&index| {
            polyline_points(&chart.series[index])
                .last()
                .map(|&(_, y)| (index, y, y))
        })
        .collect();
    placements.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    spread_labels(&mut placements, LABEL_PITCH, plot_top, plot_bottom);
    let label_x = plot_right + 22.0;
    for (index, line_y, label_y) in placements {
        let series = &chart.series[index];
        doc.leaf(
            Element::new("polyline")
                .points(&[
                    (plot_right + 3.0, line_y),
                    (plot_right + 12.0, line_y),
                    (label_x - 3.0, label_y),
                ])
                .fill("none")
                .stroke(if series.highlight { ACCENT } else { AXIS }, 0.8),
        );
        let shown = truncate(&series.label, 22);
        let mut text = Text::new(label_x, label_y, &shown)
            .size(LEGEND_SIZE)
            .fill(if series.highlight { ACCENT } else { INK })
            .bold(series.highlight)
            .class("end-label");
        if shown.len() != series.label.len() {
            text = text.tooltip(&series.label);
        }
        doc.text(text);
    }
    doc.finish()
}

/// Which sweep lines get an end label. With a focus: the focus, its neighbours at the last point
/// (one place above and below), and every line that crosses the focus's line somewhere (it is
/// above it at one point and below at another); then the best ranks up to `fill` labels. Without
/// a focus: the best `fill`. Capped at what fits the tallest plot, nearest the focus first.
fn sweep_labelled(chart: &SweepChart, order: &[usize], fill: usize) -> Vec<usize> {
    const MOST_LABELS: usize = 46;
    let mut labelled: Vec<usize> = Vec::new();
    let focus: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&index| chart.series[index].highlight)
        .collect();
    for &f in &focus {
        let position = order.iter().position(|&index| index == f).unwrap_or(0);
        let crosses = |index: usize| {
            let (mine, theirs) = (&chart.series[index].ranks, &chart.series[f].ranks);
            let above = mine.iter().zip(theirs).any(|(a, b)| a < b);
            let below = mine.iter().zip(theirs).any(|(a, b)| a > b);
            above && below
        };
        // By distance from the focus at the last point, so a cap drops the farthest first.
        let mut by_distance: Vec<(usize, usize)> = order
            .iter()
            .enumerate()
            .map(|(at, &index)| (at.abs_diff(position), index))
            .collect();
        by_distance.sort();
        for (distance, index) in by_distance {
            if distance <= 1 || crosses(index) {
                labelled.push(index);
            }
        }
    }
    let mut seen = Vec::new();
    labelled.retain(|index| {
        let fresh = !seen.contains(index);
        seen.push(*index);
        fresh
    });
    for &index in order {
        if labelled.len() >= fill {
            break;
        }
        if !labelled.contains(&index) {
            labelled.push(index);
        }
    }
    labelled.truncate(MOST_LABELS.max(focus.len()));
    labelled
}

/// Move label positions (third field, sorted by desired position) apart so neighbours are at
/// least `pitch` apart and all lie in `[top, bottom]`: push down from the top, then up from the
/// bottom. Keeps the order, so leader lines never cross.
fn spread_labels(placements: &mut [(usize, f64, f64)], pitch: f64, top: f64, bottom: f64) {
    let mut previous = f64::NEG_INFINITY;
    for placement in placements.iter_mut() {
        placement.2 = placement.2.max(previous + pitch).max(top);
        previous = placement.2;
    }
    let mut next = f64::INFINITY;
    for placement in placements.iter_mut().rev() {
        placement.2 = placement.2.min(next - pitch).min(bottom);
        next = placement.2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_labels_keeps_order_and_pitch() {
        let mut placements = vec![
            (0, 10.0, 10.0),
            (1, 11.0, 11.0),
            (2, 12.0, 12.0),
            (3, 200.0, 200.0),
        ];
        spread_labels(&mut placements, 13.0, 0.0, 100.0);
        let positions: Vec<f64> = placements.iter().map(|p| p.2).collect();
        assert_eq!(positions, vec![10.0, 23.0, 36.0, 100.0]);
    }

    #[test]
    fn clipping_a_square_to_a_half_plane() {
        let square = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)];
        // Keep x ≤ 1: the left of the upward edge (1,0) → (1,1) in a y-up frame is x < 1.
        let clipped = clip_to_half_plane(&square, (1.0, 0.0), (1.0, 1.0));
        assert!(clipped.iter().all(|&(x, _)| x <= 1.0 + 1e-12));
        assert_eq!(clipped.len(), 4);
    }

    #[test]
    fn closest_pair_ignores_duplicates() {
        let mut points = vec![(0.0, 0.0), (0.0, 0.0), (3.0, 4.0), (10.0, 0.0)];
        assert_eq!(closest_pair_distance(&mut points), Some(5.0));
        assert_eq!(closest_pair_distance(&mut [(1.0, 1.0)]), None);
    }

    #[test]
    fn rank_classes_group_many_ranks_into_ranges() {
        let few = RankClasses::new([3, 1, 2, 3].into_iter());
        assert_eq!(few.classes.len(), 3);
        assert_eq!(few.classes[0].0, 1);
        let many = RankClasses::new(1..=40);
        assert!(many.classes.len() <= 8);
        assert_eq!(many.classes.first().map(|c| c.0), Some(1));
        assert_eq!(many.classes.last().map(|c| c.1), Some(40));
        // Every rank falls in exactly one class.
        for rank in 1..=40 {
            assert_eq!(
                many.classes
                    .iter()
                    .filter(|(low, high, _)| (*low..=*high).contains(&rank))
                    .count(),
                1
            );
        }
    }

    #[test]
    fn histogram_range_zooms_to_occupied_ranks() {
        let mut counts = vec![0; 51];
        counts[19] = 5;
        counts[21] = 5;
        let chart = HistogramChart {
            title: String::new(),
            unit_label: String::new(),
            counts,
            nominal_rank: 21,
            median_rank: 21.0,
        };
        let (first, last) = shown_rank_range(&chart, 51);
        assert!(first <= 19 && last >= 23);
        assert_eq!(last - first + 1, 10);
    }
}
