//! Reading an index from `meta.csv`, `data.csv` and `index.toml` (files or strings) into a validated [`Index`].
//!
//! This module owns the bytes-to-table step: UTF-8, byte-order mark, CRLF, delimiter, empty files
//! and ragged rows (the reader itself is [`crate::model::input::csv`], shared by every
//! CSV input). Interpreting the tables is [`crate::model::validate`]'s job; every problem
//! of all three files is collected and returned together.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::model::error::{Diagnostic, LoadError, Location};
use crate::model::input::csv::CsvTable;
use crate::model::toml::IndexToml;
use crate::model::validate::{self, Settings};
use crate::model::{Index, IndexInfo};

/// What meta.csv holds, for the fix of an empty one.
const META_CONTENT: &str = "a header line `Level,iCode,iName,Direction,Weight,Parent,Type` and \
                            one row per indicator, aggregate, group and denominator (COINr iMeta)";
/// What data.csv holds, for the fix of an empty one.
const DATA_CONTENT: &str = "a header line `uCode,uName,...` with one column per indicator, and \
                            one row per unit (COINr iData)";

/// Loads `dir/meta.csv`, `dir/data.csv` and, if present, `dir/index.toml`.
///
/// Without `index.toml` the index is named after the directory and uses
/// [`Method::simple`](crate::model::method::Method::simple).
pub fn load_dir(dir: &Path) -> Result<Index, LoadError> {
    let toml_path = dir.join("index.toml");
    let toml_path = toml_path.is_file().then_some(toml_path);
    let meta = read_text(&dir.join("meta.csv"))?;
    let data = read_text(&dir.join("data.csv"))?;
    let settings = toml_path.as_deref().map(read_text).transpose()?;
    let default_name = dir
        .canonicalize()
        .ok()
        .and_then(|full| full.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| dir.display().to_string());
    load_read(
        meta,
        data,
        settings,
        &dir.display().to_string(),
        &default_name,
    )
}

/// Loads the given files (e.g. a COINr user's `iMeta.csv` and `iData.csv`, under any names).
///
/// Without `index.toml` the index is named after the data file's directory (or, in the current
/// directory, the data file's stem).
pub fn load_files(meta: &Path, data: &Path, index_toml: Option<&Path>) -> Result<Index, LoadError> {
    let meta_text = read_text(meta)?;
    let data_text = read_text(data)?;
    let settings = index_toml.map(read_text).transpose()?;
    let default_name = data
        .canonicalize()
        .ok()
        .and_then(|full| {
            full.parent()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
        })
        .or_else(|| data.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| data.display().to_string());
    let source = format!("{} + {}", meta.display(), data.display());
    load_read(meta_text, data_text, settings, &source, &default_name)
}

/// Loads an index from file contents: `(file name, text)` pairs for meta.csv, data.csv and the
/// optional index.toml. The names are only used in messages; `source` is recorded in
/// [`IndexInfo::source`] and, without an index.toml name, its last path component names the index.
pub fn load_from_strings(
    meta: (&str, &str),
    data: (&str, &str),
    index_toml: Option<(&str, &str)>,
    source: &str,
) -> Result<Index, LoadError> {
    let default_name = Path::new(source)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| source.to_string());
    load_texts(meta, data, index_toml, source, &default_name)
}

/// A file's contents, or a located diagnostic if it is not UTF-8.
type ReadText = (String, Result<String, Diagnostic>);

fn read_text(path: &Path) -> Result<ReadText, LoadError> {
    let bytes = fs::read(path).map_err(|cause| LoadError::Io {
        path: PathBuf::from(path),
        cause,
    })?;
    let shown = path.display().to_string();
    let text = String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let bytes = error.as_bytes();
        let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
        Diagnostic::new(
            Location::file(&shown).line(line),
            format!(
                "the file is not UTF-8 text: byte 0x{:02X} on line {line} is not valid UTF-8 \
                 (probably Latin-1 or Windows-1252)",
                bytes[valid]
            ),
            "save the file as UTF-8 (Excel: \"CSV UTF-8 (comma delimited)\"; \
             R: write.csv(..., fileEncoding = \"UTF-8\"))",
        )
    });
    Ok((shown, text))
}

fn load_read(
    meta: ReadText,
    data: ReadText,
    settings: Option<ReadText>,
    source: &str,
    default_name: &str,
) -> Result<Index, LoadError> {
    let encoding_problems: Vec<Diagnostic> = [Some(&meta), Some(&data), settings.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|(_, text)| text.as_ref().err().cloned())
        .collect();
    if !encoding_problems.is_empty() {
        return Err(LoadError::Invalid {
            diagnostics: encoding_problems,
        });
    }
    fn text(file: &ReadText) -> &str {
        file.1.as_ref().expect("encoding checked above")
    }
    load_texts(
        (&meta.0, text(&meta)),
        (&data.0, text(&data)),
        settings.as_ref().map(|s| (s.0.as_str(), text(s))),
        source,
        default_name,
    )
}

fn load_texts(
    meta: (&str, &str),
    data: (&str, &str),
    index_toml: Option<(&str, &str)>,
    source: &str,
    default_name: &str,
) -> Result<Index, LoadError> {
    let mut diagnostics = Vec::new();
    let meta_table = CsvTable::parse(meta.0, meta.1, META_CONTENT, &mut diagnostics);
    let data_table = CsvTable::parse(data.0, data.1, DATA_CONTENT, &mut diagnostics);
    let settings = match index_toml {
        None => Settings::Absent,
        Some((file, text)) => match IndexToml::parse(file, text) {
            Ok(parsed) => Settings::Parsed(Box::new(parsed)),
            Err(problems) => {
                diagnostics.extend(problems);
                Settings::Broken
            }
        },
    };
    let info = IndexInfo {
        name: default_name.to_string(),
        source: source.to_string(),
        input_hash: input_hash(meta.1, data.1, index_toml.map(|t| t.1)),
        ..IndexInfo::default()
    };
    let index = validate::build_index(
        meta_table.as_ref(),
        data_table.as_ref(),
        &settings,
        info,
        &mut diagnostics,
    );
    match index {
        Some(index) if diagnostics.is_empty() => Ok(index),
        _ => {
            // Read in file order (meta, data, toml), then by line; file-wide problems first.
            let file_rank = |file: &str| {
                [Some(meta.0), Some(data.0), index_toml.map(|t| t.0)]
                    .iter()
                    .position(|f| *f == Some(file))
                    .unwrap_or(3)
            };
            diagnostics.sort_by_key(|d| (file_rank(&d.location.file), d.location.line));
            debug_assert!(!diagnostics.is_empty(), "no index and no problem reported");
            Err(LoadError::Invalid { diagnostics })
        }
    }
}

/// Hex SHA-256 identifying the inputs: each file contributes its length (8 bytes, little
/// endian) and its bytes, so that no two different input sets hash alike by concatenation;
/// an absent index.toml contributes a single marker byte.
pub(crate) fn input_hash(meta: &str, data: &str, index_toml: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    for text in [meta, data] {
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    match index_toml {
        Some(text) => {
            hasher.update([1u8]);
            hasher.update((text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
        }
        None => hasher.update([0u8]),
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_hash_depends_on_every_input_and_on_boundaries() {
        let base = input_hash("a", "b", None);
        assert_eq!(base.len(), 64);
        assert_eq!(base, input_hash("a", "b", None));
        assert_ne!(base, input_hash("ab", "", None));
        assert_ne!(base, input_hash("a", "b", Some("")));
        assert_ne!(
            input_hash("a", "b", Some("x")),
            input_hash("a", "b", Some("y"))
        );
    }
}
