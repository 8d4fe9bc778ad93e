//! The data-source flags shared by every command: `--data DIR|NAME` or `--meta-file F --data-file F`.

use std::path::PathBuf;

use clap::Args;

use super::Failure;
use crate::model::{Index, embedded, load_dir, load_files};
use crate::pipeline::validity::check_nominal;

#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Index folder (meta.csv, data.csv, optional index.toml), or a built-in data set:
    /// `ieci2022` (default; the IECI 2022 reconstruction) or `asem` (COINr's ASEM example).
    #[arg(long, value_name = "DIR|NAME", conflicts_with_all = ["meta_file", "data_file"])]
    pub data: Option<String>,
    /// COINr iMeta-style metadata file (use with --data-file).
    #[arg(long, value_name = "FILE", requires = "data_file")]
    pub meta_file: Option<PathBuf>,
    /// COINr iData-style data file (use with --meta-file).
    #[arg(long, value_name = "FILE", requires = "meta_file")]
    pub data_file: Option<PathBuf>,
    /// Optional index.toml with the nominal method (with --meta-file/--data-file).
    #[arg(long, value_name = "FILE", requires = "meta_file")]
    pub index_file: Option<PathBuf>,
}

impl DataArgs {
    /// Loads the chosen index and tells stderr what the user must know about it: its warnings
    /// and the units screening leaves out.
    pub fn load(&self) -> Result<Index, Failure> {
        let index = self.load_quietly()?;
        print_warnings(&index);
        if let Some(disclosure) = screening_disclosure(&index) {
            eprintln!("note: {disclosure}");
        }
        Ok(index)
    }

    /// Loads the chosen index and checks that its nominal method can score its data, printing
    /// nothing (for commands that show the warnings and the screening in their own output).
    pub fn load_quietly(&self) -> Result<Index, Failure> {
        let index = self.load_files()?;
        check_nominal(&index)?;
        Ok(index)
    }

    fn load_files(&self) -> Result<Index, Failure> {
        if let (Some(meta), Some(data)) = (&self.meta_file, &self.data_file) {
            return Ok(load_files(meta, data, self.index_file.as_deref())?);
        }
        match self.data.as_deref() {
            None => Ok(embedded::load("ieci2022").expect("the embedded data set is valid")),
            Some(name) => {
                let path = PathBuf::from(name);
                if !path.exists()
                    && let Some(index) = embedded::load(name)
                {
                    return Ok(index);
                }
                let fix = format!(
                    "point --data to a folder holding meta.csv and data.csv (and optionally index.toml), name a built-in data set ({}), or omit --data for the embedded IECI 2022",
                    embedded::names().join(", ")
                );
                if !path.exists() {
                    return Err(Failure::input(anyhow::anyhow!(
                        "`--data {name}`: no such folder, and no built-in data set has that name; fix: {fix}"
                    )));
                }
                if !path.is_dir() {
                    return Err(Failure::input(anyhow::anyhow!(
                        "`--data {name}` is a file, not a folder; fix: {fix}; for single files use --meta-file and --data-file"
                    )));
                }
                Ok(load_dir(&path)?)
            }
        }
    }
}

/// Prints the index's load warnings on stderr, each with its place and fix.
pub fn print_warnings(index: &Index) {
    for warning in &index.warnings {
        eprintln!("warning: {warning}");
    }
}

/// The sentence naming the units screening leaves out, if it leaves out any. A screening
/// that cannot run is reported as an error by the command's own preparation.
pub fn screening_disclosure(index: &Index) -> Option<String> {
    crate::pipeline::prepare::screening(index)
        .ok()?
        .disclosure()
}
