//! The coherence charts: the correlation heat map ordered by the framework and the "weight
//! against importance" chart per level.

use super::palette::{ACCENT, AXIS, GRID, INK, MUTED_INK, PRIMARY, text_on};
use super::svg::{Anchor, Element, SvgDocument, Text, text_width, truncate};
use crate::analysis::coherence::{Coherence, HeatMap};
use crate::model::Framework;

/// File name of the heat map in a report folder.
pub const HEAT_MAP_FILE: &str = "coherence-heatmap.svg";

/// File name of the weight-against-importance chart of one level.
pub fn importance_file(level: usize) -> String {
    format!("importance-level{level}.svg")
}

/// Diverging ramp for correlations, ColorBrewer RdBu (Harrower & Brewer 2003), 7 classes:
/// red for −1, white for 0, blue for +1; lightness is symmetric about 0, so the sign reads in
/// greyscale by the hue of the legend only, and the strength by lightness.
const DIVERGING: [[u8; 3]; 7] = [
    [0xb2, 0x18, 0x2b],
    [0xef, 0x8a, 0x62],
    [0xfd, 0xdb, 0xc7],
    [0xf7, 0xf7, 0xf7],
    [0xd1, 0xe5, 0xf0],
    [0x67, 0xa9, 0xcf],
    [0x21, 0x66, 0xac],
];

/// The colour of correlation `r` ∈ [−1, 1].
pub fn correlation_colour(r: f64) -> String {
    let t = ((r.clamp(-1.0, 1.0) + 1.0) / 2.0) * (DIVERGING.len() - 1) as f64;
    let lower = (t.floor() as usize).min(DIVERGING.len() - 2);
    let fraction = t - lower as f64;
    let mix =
        |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * fraction).round() as u8;
    let (a, b) = (DIVERGING[lower], DIVERGING[lower + 1]);
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a[0], b[0]),
        mix(a[1], b[1]),
        mix(a[2], b[2])
    )
}

const FONT: f64 = 11.0;
const CELL: f64 = 30.0;

/// Heat map of every indicator (rows) against every aggregate (columns), framework order;
/// each indicator's own ancestors are outlined, and every cell carries its value.
pub fn heat_map_svg(heat: &HeatMap, framework: &Framework) -> String {
    let label = |n: usize| framework.nodes[n].code.as_str();
    let left = heat
        .rows
        .iter()
        .map(|&n| text_width(label(n), FONT))
        .fold(60.0, f64::max)
        + 12.0;
    let top = heat
        .columns
        .iter()
        .map(|&n| text_width(label(n), FONT))
        .fold(40.0, f64::max)
        + 44.0;
    let width = left + CELL * heat.columns.len() as f64 + 20.0;
    let height = top + CELL * heat.rows.len() as f64 + 40.0;
    let title = "Correlations of the indicators with every aggregate (Pearson, pairwise-complete)";
    let mut doc = SvgDocument::new(width.max(text_width(title, 13.0) + 20.0), height, title);
    doc.text(Text::new(10.0, 16.0, title).size(13.0).bold(true).fill(INK));
    for (j, &column) in heat.columns.iter().enumerate() {
        let x = left + CELL * (j as f64 + 0.5);
        doc.text(
            Text::new(x, top - 6.0, label(column))
                .size(FONT)
                .fill(MUTED_INK)
                .rotate(-60.0)
                .tooltip(&framework.nodes[column].name),
        );
    }
    for (i, &row) in heat.rows.iter().enumerate() {
        let y = top + CELL * i as f64;
        doc.text(
            Text::new(left - 6.0, y + CELL / 2.0, label(row))
                .size(FONT)
                .anchor(Anchor::End)
                .fill(INK)
                .tooltip(&framework.nodes[row].name),
        );
        let mut ancestors = Vec::new();
        let mut up = framework.nodes[row].parent;
        while let Some(a) = up {
            ancestors.push(a);
            up = framework.nodes[a].parent;
        }
        for (j, &column) in heat.columns.iter().enumerate() {
            let x = left + CELL * j as f64;
            let r = heat.r[i * heat.columns.len() + j];
            let fill = r.map_or_else(|| GRID.to_string(), correlation_colour);
            let mut cell = Element::rect(x, y, CELL, CELL).fill(&fill).class("cell");
            cell = if ancestors.contains(&column) {
                cell.stroke(INK, 1.5)
            } else {
                cell.stroke("#ffffff", 0.5)
            };
            let value = r.map_or_else(|| "NA".to_string(), |r| format!("{r:.2}"));
            doc.leaf_with_tooltip(
                cell,
                &format!("{} ~ {}: r = {value}", label(row), label(column)),
            );
            let shown = r.map_or_else(|| "NA".to_string(), |r| format!("{:.0}", r * 100.0));
            doc.text(
                Text::new(x + CELL / 2.0, y + CELL / 2.0, &shown)
                    .size(9.0)
                    .anchor(Anchor::Middle)
                    .fill(text_on(&fill)),
            );
        }
    }
    let note = "Values are r × 100; outlined: the indicator's own parent and ancestors.";
    doc.text(
        Text::new(10.0, height - 14.0, note)
            .size(FONT)
            .fill(MUTED_INK),
    );
    doc.finish()
}

/// Weight share (hollow) against importance share (filled, η² normalised within the parent)
/// of every node of `level`, grouped by parent in framework order.
pub fn importance_svg(coherence: &Coherence, framework: &Framework, level: usize) -> String {
    let order = crate::analysis::coherence::framework_order(framework);
    let rows: Vec<_> = order
        .iter()
        .filter(|&&n| framework.nodes[n].level == level)
        .filter_map(|&n| coherence.importance.iter().find(|i| i.node == n))
        .collect();
    let title = format!(
        "Weight against importance: {} (share within the parent)",
        framework.level_name(level)
    );
    let row_h = 22.0;
    let label_chars = 28;
    let left = rows
        .iter()
        .map(|i| text_width(&truncate(&framework.nodes[i.node].name, label_chars), FONT))
        .fold(80.0, f64::max)
        + 16.0;
    let plot_w = 420.0;
    let top = 52.0;
    let width = (left + plot_w + 30.0).max(text_width(&title, 13.0) + 20.0);
    let height = top + row_h * rows.len() as f64 + 50.0;
    let mut doc = SvgDocument::new(width, height, &title);
    doc.text(
        Text::new(10.0, 16.0, &title)
            .size(13.0)
            .bold(true)
            .fill(INK),
    );
    doc.text(
        Text::new(10.0, 34.0, "○ nominal weight   ● importance (η²)")
            .size(FONT)
            .fill(MUTED_INK),
    );
    let x_of = |v: f64| left + plot_w * v.clamp(0.0, 1.0);
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let x = x_of(tick);
        doc.leaf(Element::line(x, top - 4.0, x, top + row_h * rows.len() as f64).stroke(GRID, 1.0));
        doc.text(
            Text::new(
                x,
                top + row_h * rows.len() as f64 + 12.0,
                &format!("{:.0}%", tick * 100.0),
            )
            .size(FONT)
            .anchor(Anchor::Middle)
            .fill(MUTED_INK),
        );
    }
    for (k, i) in rows.iter().enumerate() {
        let y = top + row_h * (k as f64 + 0.5);
        let node = &framework.nodes[i.node];
        doc.text(
            Text::new(left - 8.0, y, &truncate(&node.name, label_chars))
                .size(FONT)
                .anchor(Anchor::End)
                .fill(INK)
                .tooltip(&format!("{} ({})", node.name, node.code)),
        );
        let xw = x_of(i.weight_share);
        if let Some(share) = i.share {
            let xs = x_of(share);
            doc.leaf(Element::line(xw, y, xs, y).stroke(AXIS, 1.5));
            let far = (share - i.weight_share).abs() > crate::analysis::coherence::SHARE_GAP;
            doc.leaf_with_tooltip(
                Element::circle(xs, y, 5.0)
                    .fill(if far { ACCENT } else { PRIMARY })
                    .class("importance"),
                &format!("{}: importance share {:.0}%", node.code, share * 100.0),
            );
        }
        doc.leaf_with_tooltip(
            Element::circle(xw, y, 5.0)
                .fill("#ffffff")
                .stroke(INK, 1.5)
                .class("weight"),
            &format!("{}: weight share {:.0}%", node.code, i.weight_share * 100.0),
        );
    }
    doc.text(
        Text::new(
            10.0,
            height - 14.0,
            "Importance in vermillion when it differs from the weight by more than 10 points.",
        )
        .size(FONT)
        .fill(MUTED_INK),
    );
    doc.finish()
}
