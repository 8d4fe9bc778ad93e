//! Layout shared by every chart: sizes, the heading, legends, axes, grid lines, row layout and
//! row labels of the list charts, so that all six charts read as one family.

use super::axis::LinearScale;
use crate::report::format::{fmt_compact, fmt_tick};
use crate::report::palette::{ACCENT, AXIS, BACKGROUND, GRID, INK, MUTED_INK};
use crate::report::svg::{Anchor, Element, SvgDocument, Text, chars_fitting, text_width, truncate};

pub(super) const MARGIN: f64 = 16.0;
const TITLE_SIZE: f64 = 16.0;
const MIN_TITLE_SIZE: f64 = 13.5;
const SUBTITLE_SIZE: f64 = 12.0;
pub(super) const AXIS_TITLE_SIZE: f64 = 12.0;
pub(super) const TICK_SIZE: f64 = 11.0;
pub(super) const LEGEND_SIZE: f64 = 11.5;
/// Width of a legend mark and the gaps around its text.
const LEGEND_MARK_WIDTH: f64 = 18.0;
const LEGEND_ROW_HEIGHT: f64 = 18.0;
/// Centre of the first legend row, below the title and subtitle.
pub(super) const LEGEND_TOP: f64 = 68.0;
/// Rows of a list chart: comfortable pitch, the plot height cap beyond which rows shrink, and the
/// pitch labels need to stay legible at 11 px.
const COMFORTABLE_ROW_PITCH: f64 = 16.0;
const MAX_ROWS_HEIGHT: f64 = 2000.0;
pub(super) const MIN_LABEL_PITCH: f64 = 13.0;
/// Longest row label shown in full; longer ones are truncated with an ellipsis and a tooltip.
pub(super) const MAX_LABEL_CHARS: usize = 28;
/// Zebra striping for long lists, so the eye can follow a row from its label to its marks.
pub(super) const ZEBRA: &str = "#f4f6f8";

/// Title (bold, truncated to the width with the full text as tooltip) and optional subtitle;
/// content starts at [`LEGEND_TOP`].
pub(super) fn draw_heading(doc: &mut SvgDocument, width: f64, title: &str, subtitle: Option<&str>) {
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

pub(super) fn capitalise_first(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
pub(super) enum LegendMark<'a> {
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

pub(super) struct LegendItem<'a> {
    mark: LegendMark<'a>,
    label: String,
}

impl<'a> LegendItem<'a> {
    pub(super) fn new(mark: LegendMark<'a>, label: impl Into<String>) -> Self {
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

pub(super) fn legend_height(items: &[LegendItem<'_>], max_width: f64) -> f64 {
    let rows = legend_layout(items, max_width)
        .last()
        .map_or(0, |&(_, row)| row + 1);
    rows as f64 * LEGEND_ROW_HEIGHT
}

/// Draw a legend whose first row is centred on `y`.
pub(super) fn draw_legend(
    doc: &mut SvgDocument,
    x: f64,
    y: f64,
    max_width: f64,
    items: &[LegendItem<'_>],
) {
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

pub(super) fn draw_legend_mark(doc: &mut SvgDocument, mark: LegendMark<'_>, x: f64, y: f64) {
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

pub(super) fn diamond(cx: f64, cy: f64, half: f64) -> [(f64, f64); 4] {
    [
        (cx, cy - half),
        (cx + half, cy),
        (cx, cy + half),
        (cx - half, cy),
    ]
}

/// A horizontal interval from `x0` to `x1` at `y` with end caps of half-height `cap`.
pub(super) fn whisker_path(x0: f64, x1: f64, y: f64, cap: f64) -> String {
    format!(
        "M{a},{y}H{b}M{a},{t}V{u}M{b},{t}V{u}",
        a = fmt_compact(x0),
        b = fmt_compact(x1),
        y = fmt_compact(y),
        t = fmt_compact(y - cap),
        u = fmt_compact(y + cap)
    )
}

/// Vertical grid lines at `values`.
pub(super) fn draw_vertical_grid(
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
pub(super) enum Side {
    Above,
    Below,
}

/// Axis line across `[x0, x1]` at `y`, with ticks and labels on `side`.
#[allow(clippy::too_many_arguments)]
pub(super) fn draw_horizontal_axis(
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
        let label = fmt_tick(value, decimals);
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
pub(super) fn draw_vertical_axis(
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
        let label = fmt_tick(value, decimals);
        doc.text(
            Text::new(x - 7.0, y, &label)
                .size(TICK_SIZE)
                .anchor(Anchor::End)
                .fill(MUTED_INK)
                .class("tick-label"),
        );
    }
}

pub(super) fn axis_title(doc: &mut SvgDocument, x: f64, y: f64, label: &str, rotate: bool) {
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
pub(super) struct RowLayout {
    pub(super) pitch: f64,
    /// Label every `label_every`-th row (1 = all rows).
    pub(super) label_every: usize,
    pub(super) label_size: f64,
}

impl RowLayout {
    pub(super) fn for_rows(count: usize) -> Self {
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
    pub(super) fn labelled_rows(&self, highlighted: &[bool]) -> Vec<bool> {
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
pub(super) fn label_column_width<'a>(labels: impl Iterator<Item = &'a str>, size: f64) -> f64 {
    let widest = labels
        .map(|label| text_width(&truncate(label, MAX_LABEL_CHARS), size * 1.05))
        .fold(0.0, f64::max);
    widest.max(24.0)
}

/// A row label, truncated with a tooltip when long; bold accent when highlighted.
pub(super) fn draw_row_label(
    doc: &mut SvgDocument,
    x: f64,
    y: f64,
    label: &str,
    size: f64,
    highlight: bool,
) {
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

pub(super) fn no_data_note(doc: &mut SvgDocument, x: f64, y: f64) {
    doc.text(
        Text::new(x, y, "No data")
            .size(AXIS_TITLE_SIZE)
            .anchor(Anchor::Middle)
            .fill(MUTED_INK)
            .class("no-data"),
    );
}

pub(super) fn finite_or(value: f64, fallback: f64) -> f64 {
    if value.is_finite() { value } else { fallback }
}
/// The rank axes shared by the per-unit charts (rank intervals, acceptability heat map): rank
/// ticks above and below the plot, the axis title, and the "Unit" header of the label column.
pub(super) fn draw_rank_axes(
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
