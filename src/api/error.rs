//! The facade's one error type: what went wrong, located in the user's files where it can be.

use std::fmt;

use crate::model::Diagnostic;

/// Why a facade call failed.
///
/// Its text is the library's message for the problem (the same words the command line prints
/// after `error:`); [`Error::diagnostics`] gives each located problem (file, line, field,
/// problem, fix) as data, for a program that shows them its own way. An error is either the
/// caller's input ([`Error::is_input`]: bad files, names or options) or a failure the caller
/// cannot fix (a bug or an exhausted resource).
#[derive(Debug)]
pub struct Error {
    input: bool,
    cancelled: bool,
    diagnostics: Vec<Diagnostic>,
    source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl Error {
    /// A problem with the caller's input, wrapping the library error that found it.
    pub(crate) fn input(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error {
            input: true,
            cancelled: false,
            diagnostics: Vec::new(),
            source: source.into(),
        }
    }

    /// A failure that is not the caller's input.
    pub(crate) fn internal(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error {
            input: false,
            ..Error::input(source)
        }
    }

    /// A run stopped because its observer asked it to ([`crate::engine::Observer::cancelled`]).
    pub(crate) fn cancelled() -> Self {
        Error {
            input: false,
            cancelled: true,
            ..Error::input(
                "the run was cancelled before it finished; its partial results were discarded",
            )
        }
    }

    /// An input problem with located diagnostics.
    fn located(
        diagnostics: &[Diagnostic],
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error {
            diagnostics: diagnostics.to_vec(),
            ..Error::input(source)
        }
    }

    /// Whether the caller's input caused the error (the command line exits with code 2 for
    /// these, 1 for the others).
    pub fn is_input(&self) -> bool {
        self.input
    }

    /// Whether the run was stopped by its observer (see the `_observed` functions) rather than
    /// failing: no result exists, and nothing is wrong with the input.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled
    }

    /// Each located problem (file, line, column or field, problem and fix), when the error
    /// came from reading files; empty for errors that are not about one place in a file.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.source, f)
    }
}

// Transparent, like thiserror's `#[error(transparent)]`: the text is the wrapped error's, so
// the chain continues with the wrapped error's own source (a reporter printing the chain would
// otherwise print the same message twice).
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.source()
    }
}

impl From<crate::model::LoadError> for Error {
    fn from(error: crate::model::LoadError) -> Self {
        let diagnostics = error.diagnostics().to_vec();
        Error::located(&diagnostics, error)
    }
}

impl From<crate::scenario::ScenarioError> for Error {
    fn from(error: crate::scenario::ScenarioError) -> Self {
        let diagnostics = error.diagnostics().to_vec();
        Error::located(&diagnostics, error)
    }
}

impl From<crate::analysis::uncertainty::UncertaintyError> for Error {
    fn from(error: crate::analysis::uncertainty::UncertaintyError) -> Self {
        match error {
            crate::analysis::uncertainty::UncertaintyError::Scenario(scenario) => scenario.into(),
            other => Error::input(other),
        }
    }
}

impl From<crate::analysis::weights::exact::ExactError> for Error {
    fn from(error: crate::analysis::weights::exact::ExactError) -> Self {
        if error.is_internal() {
            Error::internal(error)
        } else {
            Error::input(error)
        }
    }
}

impl From<crate::analysis::sobol::SobolError> for Error {
    fn from(error: crate::analysis::sobol::SobolError) -> Self {
        use crate::analysis::sobol::SobolError;
        match &error {
            SobolError::File(diagnostic)
            | SobolError::AmbiguousColumn(diagnostic)
            | SobolError::WrongOrder { diagnostic, .. } => {
                let diagnostics = [diagnostic.clone()];
                Error::located(&diagnostics, error)
            }
            _ => Error::input(error),
        }
    }
}

/// Library errors that are always about the caller's input.
macro_rules! input_errors {
    ($($ty:ty),* $(,)?) => {$(
        impl From<$ty> for Error {
            fn from(error: $ty) -> Self {
                Error::input(error)
            }
        }
    )*};
}
input_errors!(
    crate::pipeline::PrepareError,
    crate::pipeline::ConfigError,
    crate::model::method::MethodParseError,
    crate::analysis::sensitivity::SensitivityError,
    crate::analysis::robust::RobustError,
    crate::engine::shard::MergeError,
    crate::report::output::OutputError,
);
