//! The Sobol bar chart: first- and total-order indices of every factor for one target; its view
//! model, the builder from a sensitivity target, and the SVG renderer.

use serde::{Deserialize, Serialize};

use super::axis::{LinearScale, nice_domain, tick_decimals, ticks};
use super::common::{
    LEGEND_TOP, LegendItem, LegendMark, MARGIN, MAX_LABEL_CHARS, Side, TICK_SIZE, axis_title,
    draw_heading, draw_horizontal_axis, draw_legend, draw_vertical_grid, label_column_width,
    legend_height, no_data_note, whisker_path,
};
use crate::analysis::sensitivity::TargetResult;
use crate::report::format::fmt_fixed;
use crate::report::palette::{AXIS, INK, MUTED_INK, PRIMARY, SECONDARY};
use crate::report::sensitivity::sorted_by_total;
use crate::report::svg::{Anchor, Element, SvgDocument, Text, truncate};

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

/// The Sobol indices of one target, factors ordered by total-order index (largest first).
pub fn sobol_chart(target: &TargetResult, title: &str) -> SobolChart {
    SobolChart {
        title: title.to_string(),
        target_label: target.target.clone(),
        rows: sorted_by_total(&target.sobol)
            .into_iter()
            .map(|i| SobolRow {
                factor: i.factor.clone(),
                first: i.first.value,
                first_lo: i.first.lo,
                first_hi: i.first.hi,
                total: i.total.value,
                total_lo: i.total.lo,
                total_hi: i.total.hi,
            })
            .collect(),
    }
}

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
                    "{}: {name} = {} [{}, {}]",
                    row.factor,
                    fmt_fixed(value, 3),
                    fmt_fixed(lo, 3),
                    fmt_fixed(hi, 3)
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
            let text = fmt_fixed(value, 2);
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
