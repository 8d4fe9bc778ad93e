//! `report.html`: one self-contained page (inline CSS, SVG and script, no external assets) that
//! prints well. The only script is the weight explorer's and the table tools'
//! ([`super::explorer`]), inline, so the page still works from `file://` without a network.

use std::fmt::Write;

use super::table::{Table, escape_html};

/// The page's style: readable on screen, tidy on paper (tables and charts never split).
const STYLE: &str = r#"
:root { --ink: #1f2328; --muted: #57606a; --rule: #d0d7de; --accent: #d55e00; --tint: #fbe9dd; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: var(--ink); margin: 0 auto;
       max-width: 1100px; padding: 24px 32px 64px; line-height: 1.45; font-size: 15px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
p.sub { color: var(--muted); margin: 0 0 16px; }
.verdict { border-left: 6px solid var(--accent); background: var(--tint); padding: 12px 16px; margin: 16px 0; }
.verdict .rating { font-size: 22px; font-weight: bold; }
.note { border: 1px solid var(--accent); padding: 8px 12px; margin: 12px 0; font-size: 14px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--rule); }
th { background: #f6f8fa; text-align: left; }
td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
tr.focus td { background: var(--tint); font-weight: bold; }
figure { margin: 12px 0 24px; page-break-inside: avoid; }
.scroll { overflow-x: auto; max-width: 100%; }
.chart svg { display: block; width: 100%; height: auto; }
p, li, figcaption, .note { overflow-wrap: anywhere; }
@media (max-width: 600px) { body { padding: 12px 12px 48px; } }
figcaption { color: var(--muted); font-size: 13px; }
ul { margin: 4px 0 12px; }
code { font-size: 13px; }
@media print { body { max-width: none; padding: 0 12mm; font-size: 11pt; } h2 { page-break-after: avoid; }
  table { page-break-inside: avoid; } a { color: inherit; text-decoration: none; } }
"#;

/// Builds the page section by section.
pub struct HtmlReport {
    body: String,
    title: String,
    /// Whether the page carries the explorer's script and styles (sortable tables, search).
    interactive: bool,
}

impl HtmlReport {
    pub fn new(title: &str, subtitle: &str) -> Self {
        let mut body = String::new();
        let _ = writeln!(body, "<h1>{}</h1>", escape_html(title));
        if !subtitle.is_empty() {
            let _ = writeln!(body, "<p class=\"sub\">{}</p>", escape_html(subtitle));
        }
        HtmlReport {
            body,
            title: title.to_string(),
            interactive: false,
        }
    }

    pub fn heading(&mut self, text: &str) {
        let _ = writeln!(self.body, "<h2>{}</h2>", escape_html(text));
    }

    pub fn paragraph(&mut self, text: &str) {
        let _ = writeln!(self.body, "<p>{}</p>", escape_html(text));
    }

    /// A highlighted note (e.g. "these data are a reconstruction").
    pub fn note(&mut self, text: &str) {
        let _ = writeln!(self.body, "<div class=\"note\">{}</div>", escape_html(text));
    }

    /// The verdict box: a one-word rating, the sentence and the rule.
    pub fn verdict(&mut self, rating: &str, sentence: &str, details: &[String]) {
        let _ = writeln!(
            self.body,
            "<div class=\"verdict\"><div class=\"rating\">{}</div><p>{}</p>",
            escape_html(rating),
            escape_html(sentence)
        );
        self.list_inner(details);
        self.body.push_str("</div>\n");
    }

    pub fn list(&mut self, items: &[String]) {
        self.list_inner(items);
    }

    fn list_inner(&mut self, items: &[String]) {
        if items.is_empty() {
            return;
        }
        self.body.push_str("<ul>\n");
        for item in items {
            let _ = writeln!(self.body, "<li>{}</li>", escape_html(item));
        }
        self.body.push_str("</ul>\n");
    }

    /// A table in a horizontally scrolling box, so a wide table never widens the page.
    pub fn table(&mut self, table: &Table) {
        let _ = write!(
            self.body,
            "<div class=\"scroll\">\n{}</div>\n",
            table.to_html()
        );
    }

    /// An inline SVG chart with a caption. The SVG comes from `report::charts`, which writes
    /// no scripts, styles or ids, so several can share the page.
    pub fn figure(&mut self, svg: &str, caption: &str) {
        let svg = svg
            .trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
            .trim();
        // The chart scales with the page down to the width at which its smallest text is
        // MIN_CHART_TEXT_PX; below that it keeps that width and scrolls sideways.
        let (min_width, max_width) = chart_widths(svg);
        let _ = writeln!(
            self.body,
            "<figure>\n<div class=\"scroll\"><div class=\"chart\" style=\"min-width:{min_width}px;max-width:{max_width}px\">\n{svg}\n</div></div>\n<figcaption>{}</figcaption>\n</figure>",
            escape_html(caption)
        );
    }

    /// The weight explorer's section (built by [`super::explorer::explorer_html`]); the page
    /// then carries its script and styles, which also make every table sortable.
    pub fn explorer(&mut self, section_html: &str) {
        self.body.push_str(section_html);
        self.interactive = true;
    }

    pub fn finish(self) -> String {
        let (style, script) = if self.interactive {
            (
                super::explorer::STYLE,
                format!("<script>\n{}</script>\n", super::explorer::SCRIPT),
            )
        } else {
            ("", String::new())
        };
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}{style}</style>\n</head>\n<body>\n{}{script}</body>\n</html>\n",
            escape_html(&self.title),
            self.body
        )
    }
}

/// Smallest rendered size of chart text, in CSS pixels (legible on a phone).
pub const MIN_CHART_TEXT_PX: f64 = 9.0;

/// The `(minimum, natural)` display width of an SVG chart: natural is its `width` attribute;
/// the minimum scales it so that its smallest `font-size` renders at [`MIN_CHART_TEXT_PX`].
fn chart_widths(svg: &str) -> (u32, u32) {
    let attribute = |text: &str, name: &str| -> Vec<f64> {
        let key = format!("{name}=\"");
        text.match_indices(&key)
            .filter_map(|(at, _)| {
                let rest = &text[at + key.len()..];
                rest[..rest.find('"')?].parse::<f64>().ok()
            })
            .collect()
    };
    let head = &svg[..svg.find('>').unwrap_or(svg.len())];
    let width = attribute(head, " width").first().copied().unwrap_or(720.0);
    let smallest = attribute(svg, "font-size")
        .into_iter()
        .filter(|size| *size > 0.0)
        .fold(f64::INFINITY, f64::min);
    let scale = if smallest.is_finite() {
        (MIN_CHART_TEXT_PX / smallest).min(1.0)
    } else {
        1.0
    };
    ((width * scale).ceil() as u32, width.ceil() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_is_self_contained_and_escaped() {
        let mut page = HtmlReport::new("A & B", "sub <x>");
        page.verdict("robust", "fine", &["one".into()]);
        page.figure(
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>t</title></svg>",
            "cap",
        );
        let html = page.finish();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<title>A &amp; B</title>") && html.contains("sub &lt;x&gt;"));
        // No scripts or external assets: the only URL is the SVG namespace.
        assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("src="));
        assert_eq!(
            html.matches("http").count(),
            html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
        );
    }

    #[test]
    fn charts_keep_their_smallest_text_legible_and_tables_scroll() {
        // Smallest text 11 px in a 770 px chart: it may shrink to 9/11 of its width, no further.
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"770\" height=\"100\"><text font-size=\"12\">a</text><text font-size=\"11\">b</text></svg>";
        assert_eq!(chart_widths(svg), (630, 770));
        let mut page = HtmlReport::new("t", "");
        page.figure(svg, "cap");
        page.table(&Table::new(&["a"], &[]));
        let html = page.finish();
        assert!(html.contains(
            "<div class=\"scroll\"><div class=\"chart\" style=\"min-width:630px;max-width:770px\">"
        ));
        assert!(html.contains("<div class=\"scroll\">\n<table>"));
    }
}
