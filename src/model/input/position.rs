//! Byte offsets to 1-based line and column, the one way every reader locates a problem.
//!
//! Parsers report byte offsets (TOML spans, CSV record positions, UTF-8 error offsets); users
//! read lines and characters. Lines are counted by `\n`, so `\r\n` files count alike; columns
//! count characters, not bytes, so `é` is one column.

/// The start of every line of a text, for repeated offset → line/column look-ups (a binary
/// search each, so a reader may locate every record of a large file).
#[derive(Debug, Clone)]
pub(crate) struct Lines<'t> {
    text: &'t str,
    /// Byte offset of the first byte of every line; `starts[0] == 0`.
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// 1-based line holding byte `offset` (a line break belongs to the line it ends; offsets
    /// past the end are on the last line).
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }

    /// 1-based line and character column of byte `offset` (an offset inside a multi-byte
    /// character is read as that character's start).
    pub(crate) fn line_and_column(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line(offset);
        let start = self.starts[line - 1];
        (line, self.text[start..offset].chars().count() + 1)
    }

    /// The text of 1-based line `line`, without its line break (empty past the end).
    pub(crate) fn text_of(&self, line: usize) -> &'t str {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.starts.get(line).map_or(self.text.len(), |&next| next);
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_from_one_in_characters() {
        let lines = Lines::new("ab\ncd");
        assert_eq!(lines.line_and_column(0), (1, 1));
        assert_eq!(lines.line_and_column(2), (1, 3), "the break ends line 1");
        assert_eq!(lines.line_and_column(4), (2, 2));
        assert_eq!(
            lines.line_and_column(99),
            (2, 3),
            "past the end: after the last character"
        );
        assert_eq!(Lines::new("ab\r\ncd").line_and_column(4), (2, 1));
        // `=` after the two-byte `é` is the 4th character of line 2.
        let text = "a = 1\nbé = \"x\"\n";
        let offset = "a = 1\nbé ".len();
        assert_eq!(Lines::new(text).line_and_column(offset), (2, 4));
        assert_eq!(
            Lines::new(text).line_and_column(offset - 2),
            (2, 2),
            "inside `é`"
        );
    }

    #[test]
    fn line_text_drops_the_break() {
        let lines = Lines::new("a = 1\r\nb = 2\n");
        assert_eq!(lines.text_of(1), "a = 1");
        assert_eq!(lines.text_of(2), "b = 2");
        assert_eq!(lines.text_of(3), "");
        assert_eq!(lines.text_of(9), "");
        assert_eq!(lines.text_of(0), "");
    }
}
