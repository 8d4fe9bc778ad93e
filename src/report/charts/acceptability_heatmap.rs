//! The rank acceptability heat map: the probability of each rank for each unit; its view model,
//! the builder from the rank distribution, and the SVG renderer.

use serde::{Deserialize, Serialize};

use super::axis::{LinearScale, nice_domain, rank_ticks, tick_decimals, ticks};
use super::common::{
    AXIS_TITLE_SIZE, LEGEND_TOP, LegendItem, LegendMark, MARGIN, MAX_LABEL_CHARS, RowLayout,
    TICK_SIZE, draw_heading, draw_legend, draw_rank_axes, draw_row_label, label_column_width,
    legend_height, no_data_note,
};
use super::scope::chart_units;
use crate::analysis::rank_stats::{RankDistribution, UncertaintyStats};
use crate::report::format::{fmt_fixed, fmt_tick};
use crate::report::palette::{
    self, ACCENT, AXIS, BACKGROUND, GRID, INK, MUTED_INK, PROBABILITY_RAMP,
};
use crate::report::svg::{Element, SvgDocument, Text, truncate};

/// Rank acceptability (probability of each rank for each unit) as a heat map.
///
/// Rows are drawn in the given order (usually by nominal rank). Zero-probability cells are left
/// blank, so the SVG size grows with the number of non-zero cells. Large row counts follow the
/// same row-height rule as [`RankIntervalChart`](super::RankIntervalChart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatmapChart {
    pub title: String,
    /// One label per row; this defines the number of rows.
    pub row_labels: Vec<String>,
    /// Each row's unit code, written as the `data-unit` of the row's unfilled frame (class
    /// `unit-frame`) so that a page can outline any unit's row with a style rule; a missing or
    /// empty code draws no frame.
    #[serde(default)]
    pub row_codes: Vec<String>,
    /// Number of ranks on the axis (rank 1 to `n_ranks`).
    pub n_ranks: usize,
    /// Ranks per column: 1, or for a large index the width of the bands of ranks the columns
    /// show (see [`MAX_COLUMNS`]).
    #[serde(default = "one_rank")]
    pub ranks_per_column: usize,
    /// `probabilities[row][column]` ∈ [0, 1], column c holding ranks c·w + 1 to (c + 1)·w for
    /// `w = ranks_per_column`; missing entries count as 0.
    pub probabilities: Vec<Vec<f64>>,
    /// Row of the focus unit, drawn with an accent frame and label.
    pub highlight_row: Option<usize>,
    /// Nominal rank (1-based) of each row, outlined; 0 or a missing entry draws no outline.
    pub nominal_ranks: Vec<usize>,
}

fn one_rank() -> usize {
    1
}

/// Most rank columns the heat map draws: above this many ranks, columns are bands of ranks
/// (probabilities added), so that 33,000 ranks make a readable chart of a few hundred columns
/// and not one 66,000 pixels and 55 MB wide.
pub const MAX_COLUMNS: usize = 330;

/// Rank acceptability: P(unit has rank r), units × ranks (Lahdelma & Salminen 2001's rank
/// acceptability indices). With binned ranks each bin's probability is spread evenly.
pub fn heatmap_chart(
    stats: &UncertaintyStats,
    distribution: &RankDistribution,
    focus: Option<usize>,
    title: &str,
) -> HeatmapChart {
    let units = chart_units(stats, focus);
    let n = distribution.n_units();
    let per_column = n.div_ceil(MAX_COLUMNS).max(1);
    let probabilities = units
        .iter()
        .map(|&u| {
            let mut row = vec![0.0; n.div_ceil(per_column)];
            for bin in distribution.bins_of(u) {
                let width = f64::from(bin.to - bin.from + 1);
                for rank in bin.from..=bin.to {
                    row[(rank as usize - 1) / per_column] += bin.probability / width;
                }
            }
            row
        })
        .collect();
    HeatmapChart {
        title: title.to_string(),
        row_labels: units.iter().map(|&u| stats.units[u].name.clone()).collect(),
        row_codes: units.iter().map(|&u| stats.units[u].code.clone()).collect(),
        n_ranks: n,
        ranks_per_column: per_column,
        probabilities,
        highlight_row: focus.and_then(|f| units.iter().position(|&u| u == f)),
        nominal_ranks: units
            .iter()
            .map(|&u| stats.units[u].nominal_rank as usize)
            .collect(),
    }
}

/// Units × ranks heat map of rank probabilities (cells, class `cell`) on a sequential YlGnBu
/// scale with a colour bar, nominal ranks outlined (class `nominal`), the focus row framed in
/// the accent colour. The colour scale runs from 0 to the largest probability rounded up to a
/// nice value, and is square-root (colour position = √(p / p_max)): real rank distributions are
/// dominated by probabilities of a few percent, which a linear scale would render all alike.
pub fn acceptability_heatmap(chart: &HeatmapChart) -> String {
    let row_count = chart.row_labels.len();
    let n_ranks = chart.n_ranks.max(1);
    let per_column = chart.ranks_per_column.max(1);
    let n_columns = n_ranks.div_ceil(per_column);
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
        .flat_map(|row| (0..n_columns).map(move |rank_index| (row, rank_index)))
        .map(|(row, rank_index)| probability(row, rank_index))
        .fold(0.0, f64::max);
    let (_, scale_max, scale_step) = if largest > 0.0 {
        nice_domain(0.0, largest, 5)
    } else {
        (0.0, 1.0, 0.2)
    };
    let scale_max = scale_max.min(1.0);

    let cell_width = (640.0 / n_columns as f64).clamp(2.0, 18.0);
    let label_width = label_column_width(
        chart.row_labels.iter().map(String::as_str),
        layout.label_size,
    );
    let plot_left = MARGIN + label_width + 12.0;
    let plot_right = plot_left + cell_width * n_columns as f64;
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
    let subtitle = if per_column > 1 {
        format!("Probability of each band of {per_column} ranks for {row_count} units")
    } else {
        format!("Probability of each rank for {row_count} units")
    };
    draw_heading(&mut doc, width, &chart.title, Some(&subtitle));
    draw_legend(&mut doc, MARGIN, legend_top, width - 2.0 * MARGIN, &legend);

    let scale = LinearScale::new(
        (0.5, (n_columns * per_column) as f64 + 0.5),
        (plot_left, plot_right),
    );
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
        for rank_index in 0..n_columns {
            let value = probability(row, rank_index);
            if value <= 0.0 {
                continue;
            }
            let colour = probability_colour(value / scale_max);
            let x = plot_left + rank_index as f64 * cell_width;
            let ranks = if per_column > 1 {
                let first = rank_index * per_column + 1;
                format!("ranks {first}–{}", (first + per_column - 1).min(n_ranks))
            } else {
                format!("rank {}", rank_index + 1)
            };
            doc.leaf_with_tooltip(
                Element::rect(
                    x + gap / 2.0,
                    row_top(row) + gap / 2.0,
                    cell_width - gap,
                    layout.pitch - gap,
                )
                .fill(&colour)
                .class("cell"),
                &format!("{label}, {ranks}: {}", fmt_fixed(value, 3)),
            );
        }
    }
    // Outlines on top of all cells so that neighbours never paint over them.
    for row in 0..row_count {
        let nominal = chart.nominal_ranks.get(row).copied().unwrap_or(0);
        if (1..=n_ranks).contains(&nominal) {
            let column = (nominal - 1) / per_column;
            let x = plot_left + column as f64 * cell_width;
            let stroke = (cell_width.min(layout.pitch) / 6.0).clamp(0.6, 1.6);
            let roomy = cell_width >= 8.0 && layout.pitch >= 8.0;
            // Roomy cells get a dark outline with a white inner line, which reads on both pale
            // and dark cells; small cells have room for one line only, in the contrasting colour.
            let outline = if roomy {
                INK
            } else {
                let value = probability(row, column);
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
    for (row, code) in chart.row_codes.iter().enumerate().take(row_count) {
        if !code.is_empty() {
            doc.leaf(
                Element::rect(
                    MARGIN,
                    row_top(row) - 1.0,
                    plot_right - MARGIN + 1.0,
                    layout.pitch + 2.0,
                )
                .fill("none")
                .class("unit-frame")
                .attr("data-unit", code),
            );
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
        let label = fmt_tick(value, decimals);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// 33,000 ranks in bands of 100: 330 columns, a chart a few hundred pixels wide whose cells
    /// say which ranks they hold, and the nominal rank outlined in its band.
    #[test]
    fn a_large_index_is_drawn_in_bands_of_ranks() {
        let n_ranks: usize = 33_000;
        let per_column = n_ranks.div_ceil(MAX_COLUMNS);
        assert_eq!(per_column, 100);
        let mut row = vec![0.0; n_ranks / per_column];
        row[150] = 0.6;
        row[151] = 0.4;
        let chart = HeatmapChart {
            title: "Rank acceptability".into(),
            row_labels: vec!["Area 1".into()],
            row_codes: vec!["U1".into()],
            n_ranks,
            ranks_per_column: per_column,
            probabilities: vec![row],
            highlight_row: Some(0),
            nominal_ranks: vec![15_050],
        };
        let svg = acceptability_heatmap(&chart);
        let width: f64 = svg
            .split("width=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|w| w.parse().ok())
            .unwrap();
        assert!(width < 1_500.0, "{width}");
        assert_eq!(svg.matches("class=\"cell\"").count(), 2);
        assert!(svg.contains("Area 1, ranks 15001–15100: 0.600"), "{svg}");
        assert!(svg.contains("Area 1, ranks 15101–15200: 0.400"));
        assert!(svg.contains("band of 100 ranks"));
        assert_eq!(svg.matches("class=\"nominal\"").count(), 1);
    }
}
