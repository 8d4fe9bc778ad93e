//! Load and validation errors: every problem names its file, line, column or field, what is wrong and the fix.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// Where a problem is: a file, and as precisely as known the line (1-based, counting the header
/// as line 1) and the column or field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<String>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            line: None,
            column: None,
        }
    }
    pub fn line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column `{column}`")?;
        }
        Ok(())
    }
}

/// One problem in an input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub location: Location,
    /// What is wrong, with the offending value.
    pub problem: String,
    /// What the user should do about it.
    pub fix: String,
}

impl Diagnostic {
    pub fn new(location: Location, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Diagnostic {
            location,
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.problem)?;
        if !self.fix.is_empty() {
            write!(f, "\n  fix: {}", self.fix)?;
        }
        Ok(())
    }
}

/// Why an index could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file could not be read at all.
    #[error("cannot read {}: {cause}", path.display())]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// One or more problems in the files' contents; all are reported, not just the first.
    #[error("{}", render(diagnostics))]
    Invalid { diagnostics: Vec<Diagnostic> },
}

impl LoadError {
    /// A single-problem error.
    pub fn one(location: Location, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        LoadError::Invalid {
            diagnostics: vec![Diagnostic::new(location, problem, fix)],
        }
    }
    /// The problems found (empty for I/O errors).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            LoadError::Io { .. } => &[],
            LoadError::Invalid { diagnostics } => diagnostics,
        }
    }
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    if diagnostics.len() > 1 {
        out.push_str(&format!("{} problems found:\n", diagnostics.len()));
    }
    for (i, d) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&d.to_string());
    }
    out
}

/// Levenshtein edit distance between two strings, ignoring ASCII case (Levenshtein 1966):
/// the fewest single-character insertions, deletions and substitutions that turn `a` into `b`.
/// Used to suggest the name a user probably meant.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    // One row of the dynamic-programming table is enough: row[j] = distance(a[..i], b[..j]).
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// The candidate closest to `word` (see [`edit_distance`]) if it is at most `max_distance`
/// edits away and at most a third of the shorter name's length (but always 1 edit), so that
/// short codes are not "corrected" into unrelated ones (`GDP` is not a typo of `Pop`).
/// Ties go to the earliest candidate; `word` itself is never suggested.
pub fn nearest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max_distance: usize,
) -> Option<&'a str> {
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let distance = edit_distance(word, candidate);
        let shorter = word.chars().count().min(candidate.chars().count());
        let allowed = max_distance.min((shorter / 3).max(1));
        if distance <= allowed && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_character_edits_ignoring_case() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("LPI", "lpi"), 0);
        assert_eq!(edit_distance("Region", "Regoin"), 2);
    }

    #[test]
    fn nearest_scales_its_tolerance_with_the_name_length() {
        let codes = ["Pop", "Region", "Dd", "P1", "P2"];
        assert_eq!(nearest("Regoin", codes, 2), Some("Region"));
        assert_eq!(nearest("D", codes, 2), Some("Dd"));
        assert_eq!(nearest("p2", codes, 2), Some("P2"));
        assert_eq!(
            nearest("GDP", codes, 2),
            None,
            "2 edits of 3 letters is no typo"
        );
        assert_eq!(
            nearest("Pop", codes, 2),
            None,
            "an exact match is not a suggestion"
        );
        assert_eq!(nearest("Regn", codes, 1), None);
    }

    #[test]
    fn diagnostics_render_location_problem_and_fix() {
        let error = LoadError::Invalid {
            diagnostics: vec![
                Diagnostic::new(
                    Location::file("data.csv").line(3).column("LPI"),
                    "bad",
                    "fix it",
                ),
                Diagnostic::new(Location::file("meta.csv"), "worse", ""),
            ],
        };
        assert_eq!(
            error.to_string(),
            "2 problems found:\ndata.csv:3, column `LPI`: bad\n  fix: fix it\nmeta.csv: worse"
        );
    }
}
