//! The rank-interval chart: every unit's median rank, 5–95% interval and nominal rank, one row
//! per unit; its view model, the builder from uncertainty statistics, and the SVG renderer.

use serde::{Deserialize, Serialize};

use super::axis::{LinearScale, rank_ticks};
use super::common::{
    LEGEND_TOP, LegendItem, LegendMark, MARGIN, MAX_LABEL_CHARS, MIN_LABEL_PITCH, RowLayout, ZEBRA,
    diamond, draw_heading, draw_legend, draw_rank_axes, draw_row_label, draw_vertical_grid,
    label_column_width, legend_height, no_data_note,
};
use super::scope::chart_units;
use crate::analysis::rank_stats::UncertaintyStats;
use crate::report::format::fmt_compact;
use crate::report::palette::{ACCENT, ACCENT_TINT, INK, PRIMARY, SECONDARY};
use crate::report::svg::{Element, SvgDocument, truncate};

/// One unit in [`rank_intervals`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankIntervalRow {
    /// Unit code, written as the `data-unit` of the row's band: a stable handle by which a page
    /// (report.html's unit picker) finds the row, whatever the label says.
    pub code: String,
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

/// Rank intervals: every (charted) unit by nominal rank, median, 5–95% interval, nominal marker.
pub fn rank_interval_chart(
    stats: &UncertaintyStats,
    focus: Option<usize>,
    title: &str,
) -> RankIntervalChart {
    RankIntervalChart {
        title: title.to_string(),
        rows: chart_units(stats, focus)
            .into_iter()
            .map(|u| {
                let s = &stats.units[u];
                RankIntervalRow {
                    code: s.code.clone(),
                    label: s.name.clone(),
                    nominal_rank: f64::from(s.nominal_rank),
                    median_rank: s.median_rank,
                    q05: s.q05_rank,
                    q95: s.q95_rank,
                    highlight: Some(u) == focus,
                }
            })
            .collect(),
        n_units: stats.units.len(),
    }
}

/// Every unit's median rank (dot, class `median`), 5–95% rank interval (bar, class `interval`)
/// and nominal rank (hollow diamond, class `nominal`), one row per unit ordered by nominal rank,
/// rank 1 at left. The focus unit's row is tinted and drawn in the accent colour. Each row's
/// marks are drawn over an unfilled band (class `unit-band`) whose `data-unit` is the unit's
/// code, so that a page can highlight any unit's row with a style rule alone.
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
        // Under the row's own marks and within its pitch, so it never covers a neighbour's.
        doc.leaf(
            Element::rect(
                MARGIN,
                y - layout.pitch / 2.0,
                plot_right - MARGIN,
                layout.pitch,
            )
            .fill("none")
            .class("unit-band")
            .attr("data-unit", &row.code),
        );
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
                    fmt_compact(row.q05),
                    fmt_compact(row.q95)
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
                &format!(
                    "{}: nominal rank {}",
                    row.label,
                    fmt_compact(row.nominal_rank)
                ),
            );
        }
        if row.median_rank.is_finite() {
            doc.leaf_with_tooltip(
                Element::circle(scale.map(row.median_rank), y, dot_radius)
                    .fill(dot_colour)
                    .class("median"),
                &format!(
                    "{}: median rank {}",
                    row.label,
                    fmt_compact(row.median_rank)
                ),
            );
        }
    }
    doc.finish()
}
