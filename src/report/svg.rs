//! A tiny SVG writer: XML escaping, elements and text (numbers through `report::format`), nothing chart-specific.
//!
//! Charts are plain strings so they can be inlined in HTML, committed to Git and shown on GitHub.
//! Styling is done with presentation attributes rather than a `<style>` block: CSS inside an
//! inline SVG applies to the whole host page, so two charts in one report would restyle each
//! other. For the same reason the writer never emits `id` attributes.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::format::fmt_compact;

/// Font stack used by every chart; DejaVu Sans first because it is what `rsvg-convert` and most
/// Linux browsers have, then the common fallbacks.
pub const FONT_FAMILY: &str = "DejaVu Sans, Helvetica, Arial, sans-serif";

/// Average advance width of one character as a fraction of the font size. DejaVu Sans is wide
/// (about 0.55–0.62 em for mixed text), so layouts estimate with the upper end and never clip.
const AVERAGE_CHAR_WIDTH_EM: f64 = 0.62;

/// Escape the five XML special characters so any label (unit names can contain `&`, `<`, quotes)
/// is safe both as text content and inside a double-quoted attribute.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            // Control characters other than tab/newline are not allowed in XML 1.0 at all.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => escaped.push('\u{FFFD}'),
            c => escaped.push(c),
        }
    }
    Cow::Owned(escaped)
}

/// Estimated rendered width in pixels of `text` at `font_size`, for layout (label columns,
/// legends, collision checks). Deliberately generous.
pub fn text_width(text: &str, font_size: f64) -> f64 {
    text.chars().count() as f64 * font_size * AVERAGE_CHAR_WIDTH_EM
}

/// How many characters fit in `width` pixels at `font_size` (the inverse of [`text_width`]).
pub fn chars_fitting(width: f64, font_size: f64) -> usize {
    (width / (font_size * AVERAGE_CHAR_WIDTH_EM))
        .floor()
        .max(1.0) as usize
}

/// Shorten `text` to at most `max_chars` characters, ending with an ellipsis when cut.
pub fn truncate(text: &str, max_chars: usize) -> Cow<'_, str> {
    if text.chars().count() <= max_chars {
        return Cow::Borrowed(text);
    }
    let kept: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    Cow::Owned(format!("{kept}…"))
}

/// One SVG element under construction: a tag name and its attributes, escaped as they are added.
#[derive(Debug, Clone)]
pub struct Element {
    tag: &'static str,
    attributes: String,
}

impl Element {
    pub fn new(tag: &'static str) -> Self {
        Self {
            tag,
            attributes: String::new(),
        }
    }

    /// A text attribute; the value is escaped.
    pub fn attr(mut self, name: &str, value: &str) -> Self {
        let _ = write!(self.attributes, " {name}=\"{}\"", escape(value));
        self
    }

    /// A numeric attribute, formatted with [`fmt_compact`].
    pub fn num(mut self, name: &str, value: f64) -> Self {
        let _ = write!(self.attributes, " {name}=\"{}\"", fmt_compact(value));
        self
    }

    /// The `class` attribute. Charts use classes only to name their marks (tests count them);
    /// colours are set with presentation attributes.
    pub fn class(self, class: &str) -> Self {
        self.attr("class", class)
    }

    /// `points` of a `<polygon>` or `<polyline>`.
    pub fn points(mut self, points: &[(f64, f64)]) -> Self {
        self.attributes.push_str(" points=\"");
        for (index, (x, y)) in points.iter().enumerate() {
            if index > 0 {
                self.attributes.push(' ');
            }
            let _ = write!(self.attributes, "{},{}", fmt_compact(*x), fmt_compact(*y));
        }
        self.attributes.push('"');
        self
    }

    // Shorthands for the geometric attributes every chart uses.
    pub fn rect(x: f64, y: f64, width: f64, height: f64) -> Self {
        Self::new("rect")
            .num("x", x)
            .num("y", y)
            .num("width", width.max(0.0))
            .num("height", height.max(0.0))
    }

    pub fn line(x1: f64, y1: f64, x2: f64, y2: f64) -> Self {
        Self::new("line")
            .num("x1", x1)
            .num("y1", y1)
            .num("x2", x2)
            .num("y2", y2)
    }

    pub fn circle(cx: f64, cy: f64, r: f64) -> Self {
        Self::new("circle").num("cx", cx).num("cy", cy).num("r", r)
    }

    pub fn fill(self, colour: &str) -> Self {
        self.attr("fill", colour)
    }

    pub fn stroke(self, colour: &str, width: f64) -> Self {
        self.attr("stroke", colour).num("stroke-width", width)
    }
}

/// Horizontal text alignment relative to the anchor point (`text-anchor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// A text label. `y` is the vertical centre of the glyphs (written as a `dy` shift, which every
/// renderer supports, unlike `dominant-baseline`).
#[derive(Debug, Clone)]
pub struct Text<'a> {
    x: f64,
    y: f64,
    content: &'a str,
    size: f64,
    anchor: Anchor,
    fill: &'a str,
    bold: bool,
    rotate_degrees: f64,
    class: Option<&'a str>,
    tooltip: Option<&'a str>,
}

impl<'a> Text<'a> {
    pub fn new(x: f64, y: f64, content: &'a str) -> Self {
        Self {
            x,
            y,
            content,
            size: 12.0,
            anchor: Anchor::Start,
            fill: super::palette::INK,
            bold: false,
            rotate_degrees: 0.0,
            class: None,
            tooltip: None,
        }
    }

    pub fn size(mut self, size: f64) -> Self {
        self.size = size;
        self
    }

    pub fn anchor(mut self, anchor: Anchor) -> Self {
        self.anchor = anchor;
        self
    }

    pub fn fill(mut self, colour: &'a str) -> Self {
        self.fill = colour;
        self
    }

    pub fn bold(mut self, bold: bool) -> Self {
        self.bold = bold;
        self
    }

    /// Rotate about the anchor point, clockwise in degrees (SVG convention).
    pub fn rotate(mut self, degrees: f64) -> Self {
        self.rotate_degrees = degrees;
        self
    }

    pub fn class(mut self, class: &'a str) -> Self {
        self.class = Some(class);
        self
    }

    /// Full text shown on hover, for labels that were truncated.
    pub fn tooltip(mut self, tooltip: &'a str) -> Self {
        self.tooltip = Some(tooltip);
        self
    }
}

/// An SVG document being written. Elements are appended in paint order; [`SvgDocument::finish`]
/// closes any open groups and returns the string.
#[derive(Debug)]
pub struct SvgDocument {
    buffer: String,
    open_tags: Vec<&'static str>,
}

impl SvgDocument {
    /// Start a document of `width` × `height` pixels with a white background. `title` becomes
    /// the `<title>` (the accessible name) as well as what the caller draws as a heading.
    pub fn new(width: f64, height: f64, title: &str) -> Self {
        let mut buffer = String::with_capacity(16 * 1024);
        let _ = write!(
            buffer,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
             viewBox=\"0 0 {w} {h}\" role=\"img\" font-family=\"{font}\">\n<title>{title}</title>\n",
            w = fmt_compact(width),
            h = fmt_compact(height),
            font = escape(FONT_FAMILY),
            title = escape(title),
        );
        let mut document = Self {
            buffer,
            open_tags: Vec::new(),
        };
        document.leaf(Element::rect(0.0, 0.0, width, height).fill(super::palette::BACKGROUND));
        document
    }

    /// Append a childless element.
    pub fn leaf(&mut self, element: Element) {
        self.indent();
        let _ = writeln!(self.buffer, "<{}{}/>", element.tag, element.attributes);
    }

    /// Append an element with a `<title>` child, which browsers show as a tooltip.
    pub fn leaf_with_tooltip(&mut self, element: Element, tooltip: &str) {
        self.indent();
        let _ = writeln!(
            self.buffer,
            "<{tag}{attrs}><title>{tip}</title></{tag}>",
            tag = element.tag,
            attrs = element.attributes,
            tip = escape(tooltip)
        );
    }

    /// Open a container element (usually `<g>`); children follow until [`SvgDocument::close`].
    #[cfg(any(test, feature = "internals"))]
    pub fn open(&mut self, element: Element) {
        self.indent();
        let _ = writeln!(self.buffer, "<{}{}>", element.tag, element.attributes);
        self.open_tags.push(element.tag);
    }

    /// Close the most recently opened container.
    pub fn close(&mut self) {
        if let Some(tag) = self.open_tags.pop() {
            self.indent();
            let _ = writeln!(self.buffer, "</{tag}>");
        }
    }

    /// Append a text label.
    pub fn text(&mut self, text: Text<'_>) {
        self.indent();
        // The tooltip goes on a wrapping group, not inside the <text>: a <title> child before
        // the content would take the `dy` shift in some renderers (librsvg) and misplace the label.
        if let Some(tooltip) = text.tooltip {
            let _ = write!(self.buffer, "<g><title>{}</title>", escape(tooltip));
        }
        let _ = write!(
            self.buffer,
            "<text x=\"{}\" y=\"{}\" dy=\"0.35em\" font-size=\"{}\" fill=\"{}\"",
            fmt_compact(text.x),
            fmt_compact(text.y),
            fmt_compact(text.size),
            escape(text.fill)
        );
        if text.anchor != Anchor::Start {
            let _ = write!(self.buffer, " text-anchor=\"{}\"", text.anchor.as_str());
        }
        if text.bold {
            self.buffer.push_str(" font-weight=\"bold\"");
        }
        if text.rotate_degrees != 0.0 {
            let _ = write!(
                self.buffer,
                " transform=\"rotate({} {} {})\"",
                fmt_compact(text.rotate_degrees),
                fmt_compact(text.x),
                fmt_compact(text.y)
            );
        }
        if let Some(class) = text.class {
            let _ = write!(self.buffer, " class=\"{}\"", escape(class));
        }
        self.buffer.push('>');
        let _ = write!(self.buffer, "{}</text>", escape(text.content));
        if text.tooltip.is_some() {
            self.buffer.push_str("</g>");
        }
        self.buffer.push('\n');
    }

    /// Close every open container and the root, and return the document.
    pub fn finish(mut self) -> String {
        while !self.open_tags.is_empty() {
            self.close();
        }
        self.buffer.push_str("</svg>\n");
        self.buffer
    }

    fn indent(&mut self) {
        for _ in 0..=self.open_tags.len() {
            self.buffer.push(' ');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_replaces_all_five_specials() {
        assert_eq!(
            escape(r#"A&B <x> "q" 'a'"#),
            "A&amp;B &lt;x&gt; &quot;q&quot; &apos;a&apos;"
        );
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn truncate_adds_ellipsis_only_when_cut() {
        assert_eq!(truncate("Germany", 10), "Germany");
        assert_eq!(truncate("Brunei Darussalam", 8), "Brunei …");
        assert_eq!(truncate("Brunei Darussalam", 8).chars().count(), 8);
    }

    #[test]
    fn document_escapes_text_and_attributes_and_closes_groups() {
        let mut document = SvgDocument::new(100.0, 50.0, "T&T");
        document.open(Element::new("g").attr("fill", "#000"));
        document.leaf(Element::circle(1.0, 2.0, 3.0).class("dot"));
        document.text(Text::new(5.0, 6.0, "A&B <x>").anchor(Anchor::End));
        let svg = document.finish();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("<title>T&amp;T</title>"));
        assert!(svg.contains(">A&amp;B &lt;x&gt;</text>"));
        assert!(svg.contains("text-anchor=\"end\""));
        assert!(svg.contains("<circle cx=\"1\" cy=\"2\" r=\"3\" class=\"dot\"/>"));
        assert!(svg.trim_end().ends_with("</g>\n</svg>"));
        let mut document = SvgDocument::new(10.0, 10.0, "t");
        document.text(Text::new(1.0, 1.0, "Short…").tooltip("Short & long"));
        assert!(document.finish().contains(
            "<g><title>Short &amp; long</title><text x=\"1\" y=\"1\" dy=\"0.35em\" font-size=\"12\" fill=\"#1f2328\">Short…</text></g>"
        ));
    }
}
