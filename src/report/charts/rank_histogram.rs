//! The rank histogram: one unit's rank distribution over the samples; its view model, the builder
//! from the rank distribution, and the SVG renderer.

use serde::{Deserialize, Serialize};

use super::axis::{LinearScale, nice_domain, rank_ticks, tick_decimals, ticks};
use super::common::{
    LEGEND_TOP, LegendItem, LegendMark, MARGIN, Side, TICK_SIZE, axis_title, draw_heading,
    draw_horizontal_axis, draw_legend, draw_vertical_axis, legend_height, no_data_note,
};
use crate::analysis::rank_stats::{RankDistribution, UncertaintyStats};
use crate::report::format::{fmt_compact, fmt_share};
use crate::report::palette::{ACCENT, BACKGROUND, GRID, INK, MUTED_INK, PRIMARY};
use crate::report::svg::{Anchor, Element, SvgDocument, Text, text_width};

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

/// The focus unit's rank histogram.
pub fn histogram_chart(
    stats: &UncertaintyStats,
    distribution: &RankDistribution,
    focus: usize,
    title: &str,
) -> HistogramChart {
    let mut counts = vec![0u64; distribution.n_units()];
    for bin in distribution.bins_of(focus) {
        // Binned histograms put the bin's count on its first rank.
        counts[bin.from as usize - 1] += bin.count;
    }
    let unit = &stats.units[focus];
    HistogramChart {
        title: title.to_string(),
        unit_label: unit.name.clone(),
        counts,
        nominal_rank: unit.nominal_rank as usize,
        median_rank: unit.median_rank,
    }
}

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
        format!("Median rank ({})", fmt_compact(chart.median_rank))
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
                "rank {rank}: {count} of {total} runs ({})",
                fmt_share(value, 1)
            ),
        );
        if band >= 26.0 {
            let label = if value >= 0.01 {
                fmt_share(value, 0)
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

#[cfg(test)]
mod tests {
    use super::*;

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
