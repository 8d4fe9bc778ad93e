//! The sweep chart: every unit's rank while one weight sweeps its range; its view model, the
//! builder from a weight sweep, and the SVG renderer.

use serde::{Deserialize, Serialize};

use super::axis::{LinearScale, nice_step, rank_ticks, tick_decimals, ticks};
use super::common::{
    LEGEND_SIZE, LEGEND_TOP, LegendItem, LegendMark, MARGIN, MAX_LABEL_CHARS, Side, axis_title,
    capitalise_first, draw_heading, draw_horizontal_axis, draw_legend, draw_vertical_axis,
    draw_vertical_grid, finite_or, legend_height, no_data_note,
};
use super::scope::MAX_CHART_UNITS;
use crate::analysis::weights::sweep::SweepResult;
use crate::report::format::fmt_count;
use crate::report::palette::{ACCENT, AXIS, BACKGROUND, CONTEXT, GRID, INK};
use crate::report::svg::{Element, SvgDocument, Text, text_width, truncate};

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

/// The rank-trajectory chart of a sweep, the focus unit highlighted. Up to
/// [`MAX_CHART_UNITS`] units every unit has a line; a larger index shows a window: the focus and
/// the units whose rank comes nearest the focus's somewhere along the sweep (without a focus,
/// the best at the end of the sweep), so the chart stays readable at 33,000 units (issue #15);
/// the sweep's CSV keeps every unit.
pub fn sweep_chart(result: &SweepResult) -> SweepChart {
    let shown = sweep_window(result);
    SweepChart {
        title: format!("Ranks as the weight of {} varies", result.weight_name),
        x_label: format!(
            "Weight of {} ({}) within {} (siblings rescaled)",
            result.weight_name, result.weight, result.parent
        ),
        x: result.values.clone(),
        series: shown
            .into_iter()
            .map(|u| SweepSeries {
                label: result.unit_codes[u].clone(),
                ranks: result.ranks.iter().map(|r| r[u]).collect(),
                highlight: result.focus == Some(u),
            })
            .collect(),
        nominal_x: Some(result.nominal),
        max_rank: result.unit_codes.len() as u32,
    }
}

/// The units [`sweep_chart`] draws, in unit order.
fn sweep_window(result: &SweepResult) -> Vec<usize> {
    let n_units = result.unit_codes.len();
    if n_units <= MAX_CHART_UNITS {
        return (0..n_units).collect();
    }
    let last = result.ranks.len().checked_sub(1);
    let mut order: Vec<(u32, usize)> = match result.focus {
        Some(f) => (0..n_units)
            .map(|u| {
                let nearest = result
                    .ranks
                    .iter()
                    .map(|r| r[u].abs_diff(r[f]))
                    .min()
                    .unwrap_or(0);
                (if u == f { 0 } else { nearest + 1 }, u)
            })
            .collect(),
        None => (0..n_units)
            .map(|u| (last.map_or(0, |p| result.ranks[p][u]), u))
            .collect(),
    };
    order.select_nth_unstable(MAX_CHART_UNITS - 1);
    let mut shown: Vec<usize> = order[..MAX_CHART_UNITS].iter().map(|&(_, u)| u).collect();
    shown.sort_unstable();
    shown
}

/// Rank of every unit along a one-parameter sweep (rank 1 at top): other units as thin grey
/// lines (class `series`), the focus unit thick in the accent colour (class `series-focus`),
/// labels at the right end for the best ten and the focus (spread apart so they never overlap,
/// with leader lines), the nominal x as a dashed line (class `nominal-x`).
pub fn sweep_trajectories(chart: &SweepChart) -> String {
    const WIDTH: f64 = 760.0;
    const LABELLED_TOP: usize = 10;
    const LABEL_PITCH: f64 = 13.5;
    let point_count = chart.x.len();
    // A window of a large index (fewer lines than ranks) gets an axis over its own ranks only.
    let window = chart.series.len() < chart.max_rank as usize;
    let shown_ranks = || {
        chart
            .series
            .iter()
            .flat_map(|series| series.ranks.iter().take(point_count).copied())
    };
    let max_rank = shown_ranks().fold(if window { 1 } else { chart.max_rank.max(1) }, u32::max);
    let min_rank = if window {
        shown_ranks().min().unwrap_or(1).min(max_rank)
    } else {
        1
    };

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
    let plot_height = (f64::from(max_rank - min_rank + 1) * 12.0)
        .max(labelled.len() as f64 * LABEL_PITCH)
        .clamp(260.0, 640.0);
    let plot_bottom = plot_top + plot_height;
    let height = plot_bottom + 56.0;

    let mut doc = SvgDocument::new(WIDTH, height, &chart.title);
    let subtitle = match chart.series.iter().find(|series| series.highlight) {
        Some(focus) if window => format!(
            "Rank of the {} of {} units that come nearest {} as the {} varies",
            chart.series.len(),
            fmt_count(u64::from(chart.max_rank)),
            truncate(&focus.label, MAX_LABEL_CHARS),
            chart.x_label
        ),
        None if window => format!(
            "Rank of the best {} of {} units as the {} varies",
            chart.series.len(),
            fmt_count(u64::from(chart.max_rank)),
            chart.x_label
        ),
        _ => format!(
            "Rank of each of {} units as the {} varies",
            chart.series.len(),
            chart.x_label
        ),
    };
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
    let y_scale = LinearScale::new(
        (f64::from(min_rank) - 0.5, f64::from(max_rank) + 0.5),
        (plot_top, plot_bottom),
    );
    let x_ticks = ticks(x_low, x_high, x_step);
    let y_ticks = rank_ticks(f64::from(min_rank), f64::from(max_rank), 10);

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
}
