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

#[cfg(test)]
mod tests {
    use super::*;

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
