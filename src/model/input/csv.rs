//! The one CSV table reader: a table whose rows all have the header's number of fields, each
//! row with the line it starts on, so that every later message can name file, line and column.
//! Index files, Sobol design and output files and region files are read with it, so a damaged
//! row gets the same message in each.

use super::position::Lines;
use crate::model::error::{Diagnostic, Location};

/// One data row of a CSV file, with the line it starts on (the header is line 1).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CsvRow {
    pub line: usize,
    /// Fields, trimmed; exactly as many as the header has.
    pub cells: Vec<String>,
}

/// A CSV file whose rows all have the header's number of fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CsvTable {
    pub file: String,
    /// Column names, trimmed.
    pub header: Vec<String>,
    pub rows: Vec<CsvRow>,
}

impl CsvTable {
    /// Parses `text`, reporting structural problems; `expected` says what the file should
    /// contain ("a header line `code,lo,hi` and one row per …"), for the fix of an empty file.
    /// Returns `None` if nothing sensible can be read (empty file, wrong delimiter, header only,
    /// a column named twice); ragged rows are reported and dropped.
    pub(crate) fn parse(
        file: &str,
        text: &str,
        expected: &str,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<CsvTable> {
        // Excel writes a UTF-8 byte-order mark; csv would glue it to the first column name.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let at_line_1 = || Location::file(file).line(1);
        if text.trim().is_empty() {
            diagnostics.push(Diagnostic::new(
                at_line_1(),
                "the file is empty",
                format!("it needs {expected}"),
            ));
            return None;
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        // csv's own line numbers lag behind after CRLF and blank lines, so lines are computed
        // from byte offsets: a record starts at the first byte after its position that is not
        // a line break.
        let lines = Lines::new(text);
        let bytes = text.as_bytes();
        let line_of = |position: Option<&csv::Position>| {
            let mut start = position.map_or(0, |p| p.byte() as usize);
            while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
                start += 1;
            }
            lines.line(start)
        };
        let mut header: Option<Vec<String>> = None;
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    let line = line_of(error.position());
                    diagnostics.push(Diagnostic::new(
                        Location::file(file).line(line),
                        format!("cannot read the CSV: {error}"),
                        "check the quoting on that line: a field that contains commas or quotes \
                         must be enclosed in double quotes, with inner quotes doubled",
                    ));
                    return None;
                }
            };
            let line = line_of(record.position());
            let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
            let Some(header) = &header else {
                if cells.len() == 1
                    && let Some(delimiter) = foreign_delimiter(&cells[0])
                {
                    diagnostics.push(Diagnostic::new(
                        Location::file(file).line(line),
                        format!(
                            "the header is a single column `{}`: the columns are separated by \
                             {delimiter}, but ranksense reads comma-separated files",
                            abbreviate(&cells[0], 60)
                        ),
                        "save the file with commas as separators (Excel: \"CSV UTF-8 (comma \
                         delimited)\"; R: write.csv rather than write.csv2)",
                    ));
                    return None;
                }
                header = Some(cells);
                continue;
            };
            // Spreadsheets often export trailing rows of bare commas: not data.
            if cells.iter().all(|c| c.is_empty()) {
                continue;
            }
            if cells.len() != header.len() {
                diagnostics.push(ragged_row(
                    Location::file(file).line(line),
                    cells.len(),
                    header.len(),
                    None,
                ));
                continue;
            }
            rows.push(CsvRow { line, cells });
        }
        let header = header.expect("a non-empty file has a first record");
        let mut usable = true;
        for (position, name) in header.iter().enumerate() {
            if name.is_empty() {
                continue;
            }
            if let Some(first) = header[..position].iter().position(|h| h == name) {
                diagnostics.push(Diagnostic::new(
                    at_line_1().column(name.clone()),
                    format!(
                        "column `{name}` appears twice in the header (fields {} and {})",
                        first + 1,
                        position + 1
                    ),
                    "rename or delete one of the two columns",
                ));
                usable = false;
            }
        }
        if rows.is_empty() {
            let had_ragged = diagnostics
                .iter()
                .any(|d| d.location.file == file && d.location.line.is_some_and(|l| l > 1));
            if !had_ragged {
                diagnostics.push(Diagnostic::new(
                    at_line_1(),
                    "the file has a header but no data rows",
                    format!("it needs {expected}"),
                ));
            }
            return None;
        }
        usable.then(|| CsvTable {
            file: file.to_string(),
            header,
            rows,
        })
    }

    /// Index of the column called exactly `name`.
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Index of the column called `name`, ignoring ASCII case if there is no exact match.
    pub(crate) fn column_ignoring_case(&self, name: &str) -> Option<usize> {
        self.column(name).or_else(|| {
            self.header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
        })
    }

    /// A location in this file.
    pub(crate) fn at(&self, line: usize, column: &str) -> Location {
        Location::file(&self.file).line(line).column(column)
    }
}

/// The one wording of a row whose field count differs from the header's (or, in a file
/// without a header, from the first row's, on `first_line`).
pub(crate) fn ragged_row(
    location: Location,
    fields: usize,
    columns: usize,
    first_line: Option<usize>,
) -> Diagnostic {
    let reference = match first_line {
        None => format!("the header has {columns} columns"),
        Some(line) => format!("line {line} has {columns}"),
    };
    Diagnostic::new(
        location,
        format!("this row has {fields} fields but {reference}"),
        "look for a missing or extra comma on that line; a value that contains a comma must be \
         enclosed in double quotes",
    )
}

/// The separator a one-column header was written with, if it is a common non-comma one.
fn foreign_delimiter(header: &str) -> Option<&'static str> {
    [
        (';', "semicolons (`;`)"),
        ('\t', "tabs"),
        ('|', "vertical bars (`|`)"),
    ]
    .into_iter()
    .map(|(c, name)| (header.matches(c).count(), name))
    .filter(|&(count, _)| count > 0)
    .max_by_key(|&(count, _)| count)
    .map(|(_, name)| name)
}

pub(crate) fn abbreviate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max_chars).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<CsvTable>, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let table = CsvTable::parse("t.csv", text, "a header and rows", &mut diagnostics);
        (table, diagnostics)
    }

    #[test]
    fn bom_crlf_and_quotes_read_like_plain_text() {
        let (plain, d1) = parse("a,b\n1,\"x, y\"\n2,z\n");
        let (windows, d2) = parse("\u{feff}\"a\",\"b\"\r\n1,\"x, y\"\r\n2,z\r\n");
        assert!(d1.is_empty() && d2.is_empty());
        assert_eq!(plain, windows);
        let table = plain.unwrap();
        assert_eq!(table.header, vec!["a", "b"]);
        assert_eq!(table.rows[0].cells, vec!["1", "x, y"]);
        assert_eq!(table.rows[1].line, 3);
    }

    #[test]
    fn lines_count_blank_lines_and_multiline_fields() {
        let (table, diagnostics) = parse("a,b\n\n1,\"two\nlines\"\n3,4\n,\n");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let lines: Vec<_> = table.unwrap().rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 5]);
    }

    #[test]
    fn delimiter_detection_prefers_the_most_frequent_separator() {
        assert_eq!(foreign_delimiter("a;b;c"), Some("semicolons (`;`)"));
        assert_eq!(foreign_delimiter("a\tb\tc;d"), Some("tabs"));
        assert_eq!(foreign_delimiter("a|b"), Some("vertical bars (`|`)"));
        assert_eq!(foreign_delimiter("abc"), None);
    }
}
