//! Writing report files: each file goes to a temporary name in the target folder and is renamed into place, so no file is ever half-written.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why an output could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {cause}; fix: check that the folder is writable and the disk not full", path.display())]
pub struct OutputError {
    pub path: PathBuf,
    pub cause: std::io::Error,
}

/// Writes `bytes` to `path` atomically: a temporary sibling file is written, flushed and renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let fail = |cause| OutputError {
        path: path.to_path_buf(),
        cause,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(fail)?;
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result.map_err(fail)
}

/// A set of named files, all computed before anything is written.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Files {
    pub files: Vec<(String, Vec<u8>)>,
}

impl Files {
    pub fn add(&mut self, name: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.push((name.into(), bytes.into()));
    }
    /// Writes every file into `dir` (created if needed), each atomically.
    pub fn write_to(&self, dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
        let mut written = Vec::new();
        for (name, bytes) in &self.files {
            let path = dir.join(name);
            write_atomic(&path, bytes)?;
            written.push(path);
        }
        Ok(written)
    }
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/out.csv");
        write_atomic(&path, b"a,b\n").unwrap();
        write_atomic(&path, b"c,d\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"c,d\n");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
    }
}
