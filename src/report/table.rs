//! One table model rendered to the terminal, Markdown, HTML and CSV, so every format shows the same numbers.

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table of pre-formatted cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub align: Vec<Align>,
    pub rows: Vec<Vec<String>>,
    /// A row to emphasise (the focus unit): bold in Markdown/HTML, marked `▶` on the terminal.
    pub highlight: Option<usize>,
}

impl Table {
    /// A table with the given headers; columns whose header is in `left` align left.
    pub fn new(headers: &[&str], left: &[&str]) -> Self {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            align: headers
                .iter()
                .map(|h| {
                    if left.contains(h) {
                        Align::Left
                    } else {
                        Align::Right
                    }
                })
                .collect(),
            rows: Vec::new(),
            highlight: None,
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.headers.len());
        self.rows.push(row);
    }

    fn widths(&self) -> Vec<usize> {
        (0..self.headers.len())
            .map(|c| {
                self.rows
                    .iter()
                    .map(|r| r[c].chars().count())
                    .chain([self.headers[c].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    fn pad(text: &str, width: usize, align: Align) -> String {
        let fill = " ".repeat(width.saturating_sub(text.chars().count()));
        match align {
            Align::Left => format!("{text}{fill}"),
            Align::Right => format!("{fill}{text}"),
        }
    }

    /// Plain aligned text for terminals.
    pub fn to_terminal(&self) -> String {
        let widths = self.widths();
        let line = |cells: &[String], marker: &str| {
            let body: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(c, t)| Self::pad(t, widths[c], self.align[c]))
                .collect();
            format!("{marker}{}", body.join("  ").trim_end())
        };
        let mut out = line(&self.headers, "  ");
        out.push('\n');
        let rule: Vec<String> = widths.iter().map(|&w| "─".repeat(w)).collect();
        out.push_str(&format!("  {}\n", rule.join("  ")));
        for (i, row) in self.rows.iter().enumerate() {
            let marker = if self.highlight == Some(i) {
                "▶ "
            } else {
                "  "
            };
            out.push_str(&line(row, marker));
            out.push('\n');
        }
        out
    }

    /// GitHub-flavoured Markdown.
    pub fn to_markdown(&self) -> String {
        let escape = |t: &str| t.replace('|', "\\|");
        let mut out = format!(
            "| {} |\n|{}|\n",
            self.headers
                .iter()
                .map(|h| escape(h))
                .collect::<Vec<_>>()
                .join(" | "),
            self.align
                .iter()
                .map(|a| match a {
                    Align::Left => " :--- ",
                    Align::Right => " ---: ",
                })
                .collect::<Vec<_>>()
                .join("|")
        );
        for (i, row) in self.rows.iter().enumerate() {
            let cells: Vec<String> = row
                .iter()
                .map(|c| {
                    if self.highlight == Some(i) && !c.is_empty() {
                        format!("**{}**", escape(c))
                    } else {
                        escape(c)
                    }
                })
                .collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out
    }

    /// An HTML `<table>` (cells escaped).
    pub fn to_html(&self) -> String {
        let mut out = String::from("<table>\n<thead><tr>");
        for (h, a) in self.headers.iter().zip(&self.align) {
            out.push_str(&format!(
                "<th class=\"{}\">{}</th>",
                align_class(*a),
                escape_html(h)
            ));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for (i, row) in self.rows.iter().enumerate() {
            let class = if self.highlight == Some(i) {
                " class=\"focus\""
            } else {
                ""
            };
            out.push_str(&format!("<tr{class}>"));
            for (c, a) in row.iter().zip(&self.align) {
                out.push_str(&format!(
                    "<td class=\"{}\">{}</td>",
                    align_class(*a),
                    escape_html(c)
                ));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
        out
    }

    /// CSV (RFC 4180 quoting).
    pub fn to_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&self.headers).expect("in-memory write");
        for row in &self.rows {
            writer.write_record(row).expect("in-memory write");
        }
        String::from_utf8(writer.into_inner().expect("in-memory write")).expect("UTF-8 cells")
    }
}

fn align_class(align: Align) -> &'static str {
    match align {
        Align::Left => "l",
        Align::Right => "r",
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(&["rank", "unit", "score"], &["unit"]);
        t.push(vec!["1".into(), "A|B".into(), "9.5".into()]);
        t.push(vec!["2".into(), "<C>".into(), "10.25".into()]);
        t.highlight = Some(1);
        t
    }

    #[test]
    fn every_format_shows_the_same_cells() {
        let t = sample();
        let terminal = t.to_terminal();
        assert!(terminal.contains("▶ "));
        assert!(terminal.lines().nth(2).unwrap().ends_with("  9.5"));
        let md = t.to_markdown();
        assert!(md.contains("A\\|B") && md.contains("**<C>**") && md.contains(" ---: "));
        let html = t.to_html();
        assert!(html.contains("&lt;C&gt;") && html.contains("class=\"focus\""));
        assert_eq!(t.to_csv(), "rank,unit,score\n1,A|B,9.5\n2,<C>,10.25\n");
    }
}
