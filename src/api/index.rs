//! Loading an index: a folder of COINr-style files, separate files, file contents, or a data set built into the library.

use std::path::Path;

use super::Error;
use crate::model::{self, LoadError, Location};
use crate::pipeline::validity::check_nominal;

/// A validated composite indicator: its units, indicator data, framework and nominal method,
/// checked so that the nominal method can score the data.
///
/// Built by [`load`], [`embedded`], [`Index::from_files`] or [`Index::from_strings`]; every
/// analysis of the facade takes one. [`Index::model`] reaches the full data model.
#[derive(Debug, Clone)]
pub struct Index {
    model: model::Index,
}

/// Loads the index in a folder: `meta.csv` (COINr iMeta), `data.csv` (COINr iData) and, if
/// present, `index.toml` (the nominal method). Every problem of the three files is reported
/// together in the error's [`Error::diagnostics`].
pub fn load(folder: impl AsRef<Path>) -> Result<Index, Error> {
    let folder = folder.as_ref();
    if !folder.is_dir() {
        let problem = if folder.exists() {
            "is a file, not a folder"
        } else {
            "no such folder"
        };
        return Err(LoadError::one(
            Location::file(folder.display().to_string()),
            problem,
            "give a folder holding meta.csv and data.csv (and optionally index.toml); for files \
             under other names use Index::from_files",
        )
        .into());
    }
    Index::checked(model::load_dir(folder)?)
}

/// Loads a data set built into the library by name: `ieci2022` (the International Exchange
/// Centers Index 2022 reconstruction, an illustrative data set rebuilt from the report's
/// published facts) or `asem` (COINr's ASEM example). See [`embedded_names`].
pub fn embedded(name: &str) -> Result<Index, Error> {
    let Some(index) = model::embedded::load(name) else {
        return Err(LoadError::one(
            Location::file(name),
            "no built-in data set has this name",
            format!("use one of: {}", model::embedded::names().join(", ")),
        )
        .into());
    };
    Index::checked(index)
}

/// The names [`embedded`] accepts.
pub fn embedded_names() -> Vec<&'static str> {
    model::embedded::names()
}

impl Index {
    /// Loads an index from files under any names (e.g. a COINr user's `iMeta.csv` and
    /// `iData.csv`), with an optional `index.toml`.
    pub fn from_files(
        meta: impl AsRef<Path>,
        data: impl AsRef<Path>,
        index_toml: Option<&Path>,
    ) -> Result<Index, Error> {
        Index::checked(model::load_files(meta.as_ref(), data.as_ref(), index_toml)?)
    }

    /// Loads an index from the texts of `meta.csv`, `data.csv` and an optional `index.toml`
    /// (for data held in memory); messages name the files `meta.csv`, `data.csv` and
    /// `index.toml`, and `source` is recorded as where the data came from.
    pub fn from_strings(
        meta: &str,
        data: &str,
        index_toml: Option<&str>,
        source: &str,
    ) -> Result<Index, Error> {
        let index = model::load_from_strings(
            ("meta.csv", meta),
            ("data.csv", data),
            index_toml.map(|text| ("index.toml", text)),
            source,
        )?;
        Index::checked(index)
    }

    /// Wraps a loaded index after checking that its nominal method can score its data (the
    /// check every command runs on loading).
    fn checked(model: model::Index) -> Result<Index, Error> {
        check_nominal(&model)?;
        Ok(Index { model })
    }

    /// The index's name (from `index.toml`, else its folder's).
    pub fn name(&self) -> &str {
        &self.model.info.name
    }

    /// Where the data came from: a folder, two files, or `embedded:NAME`.
    pub fn source(&self) -> &str {
        &self.model.info.source
    }

    /// SHA-256 of the input files, as recorded in every summary.json.
    pub fn input_hash(&self) -> &str {
        &self.model.info.input_hash
    }

    /// The unit whose rank the analyses are about by default (`index.toml`'s `focus`).
    pub fn focus(&self) -> Option<&str> {
        self.model.info.focus.as_deref()
    }

    /// Whether the data are a reconstruction, not the publisher's own.
    pub fn is_reconstruction(&self) -> bool {
        self.model.info.reconstruction
    }

    /// The units' codes (data.csv's `uCode`), in file order.
    pub fn unit_codes(&self) -> Vec<&str> {
        self.model.units.iter().map(|u| u.code.as_str()).collect()
    }

    /// The units' names (data.csv's `uName`), in file order.
    pub fn unit_names(&self) -> Vec<&str> {
        self.model.units.iter().map(|u| u.name.as_str()).collect()
    }

    /// Problems that did not stop loading (e.g. ignored data.csv columns), each located with
    /// its fix.
    pub fn warnings(&self) -> &[model::Diagnostic] {
        &self.model.warnings
    }

    /// The full data model, for the library's lower layers.
    pub fn model(&self) -> &model::Index {
        &self.model
    }
}
