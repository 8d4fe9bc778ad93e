//! The ternary map: the focus unit's rank over every combination of three sibling weights; its
//! view model, the builder from a simplex sweep, and the SVG renderer.

use serde::{Deserialize, Serialize};

use super::common::{
    AXIS_TITLE_SIZE, LEGEND_SIZE, LegendMark, MARGIN, TICK_SIZE, draw_heading, draw_legend_mark,
    no_data_note,
};
use crate::analysis::weights::sweep::SimplexResult;
use crate::report::format::{fmt_compact, fmt_fixed, fmt_tick};
use crate::report::palette::{BACKGROUND, CONTEXT, INK, MUTED_INK, RANK_RAMP};
use crate::report::svg::{Anchor, Element, SvgDocument, Text, text_width, truncate};

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
    /// The line under the title: what the weights are and where they sit in the framework.
    pub subtitle: String,
    /// Names of the three weighted components: top, bottom left, bottom right.
    pub vertex_labels: [String; 3],
    pub cells: Vec<TernaryCell>,
    /// The nominal weights (summing to 1), marked on the map.
    pub nominal: [f64; 3],
    pub nominal_rank: u32,
    pub focus_label: String,
}

/// The ternary heat map of a simplex result, the nominal weights marked.
pub fn simplex_chart(result: &SimplexResult) -> TernaryChart {
    TernaryChart {
        // The three names, not the parent's: a parent such as "International Exchange Centers
        // Index 2022 (reconstruction)" would push the heading past the chart's width.
        title: format!(
            "Rank of {} over the weights of {}, {} and {}",
            result.focus_name,
            result.children_names[0],
            result.children_names[1],
            result.children_names[2]
        ),
        subtitle: "Every combination of the three sibling weights, which sum to 1".into(),
        vertex_labels: result.children_names.clone(),
        cells: result
            .points
            .iter()
            .map(|p| TernaryCell {
                w: p.weights,
                rank: p.rank,
            })
            .collect(),
        nominal: result.nominal,
        nominal_rank: result.nominal_rank,
        focus_label: result.focus_name.clone(),
    }
}

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
    draw_heading(&mut doc, width, &chart.title, Some(&chart.subtitle));

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
                "{} {}, {} {}, {} {}: rank {}",
                chart.vertex_labels[0],
                fmt_fixed(cell.w[0], 2),
                chart.vertex_labels[1],
                fmt_fixed(cell.w[1], 2),
                chart.vertex_labels[2],
                fmt_fixed(cell.w[2], 2),
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
                fmt_compact(cx + a.0),
                fmt_compact(cy + a.1),
                fmt_compact(cx + b.0),
                fmt_compact(cy + b.1)
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
            let label = fmt_tick(t, 1);
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
