//! Writing outputs. A single file goes to a temporary sibling and is renamed into place; a
//! report folder is written whole into a fresh sibling folder and swapped in by renames, so
//! the folder holds the earlier report or the new one, never a mix, and a failed run leaves
//! the earlier one as it was.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The file that marks a folder as a ranksense report folder and lists the files of its
/// report: only such folders (and empty ones) are ever replaced.
pub const MARKER: &str = ".ranksense-report";

/// First line of [`MARKER`]; the files of the report follow, one per line.
const MARKER_HEADER: &str =
    "ranksense report folder: the next ranksense run writing here replaces these files";

/// Why an output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {}: {cause}; fix: check that the folder is writable and the disk not full", path.display())]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error(
        "the report folder {} is an existing file, not a folder; fix: give the report a folder name that no file has, e.g. {}",
        path.display(),
        sibling(path, "ranksense-report").display()
    )]
    NotAFolder { path: PathBuf },
    #[error(
        "{} already holds files that ranksense did not write ({entries}); a report folder is replaced as a whole, so only empty folders and earlier report folders are written to; fix: give a new folder name, e.g. {}",
        path.display(),
        path.join("ranksense-report").display()
    )]
    NotAReportFolder { path: PathBuf, entries: String },
    #[error(
        "{} holds {entries}, which the earlier report did not write and this one would overwrite; fix: move them out of the folder, or give a new folder name",
        path.display()
    )]
    WouldOverwrite { path: PathBuf, entries: String },
    #[error(
        "the report folder {} is the current folder or contains it, and a report folder is replaced as a whole; fix: run from another folder, or give a folder inside this one, e.g. {}",
        path.display(),
        path.join("ranksense-report").display()
    )]
    ContainsCurrentFolder { path: PathBuf },
    #[error("the report folder {} has no parent folder to be replaced in; fix: give a folder inside it, e.g. {}", path.display(), path.join("ranksense-report").display())]
    NoParent { path: PathBuf },
}

impl OutputError {
    /// The kind of the I/O error behind it; `Other` for a folder that is refused.
    pub fn kind(&self) -> std::io::ErrorKind {
        match self {
            OutputError::Write { cause, .. } => cause.kind(),
            _ => std::io::ErrorKind::Other,
        }
    }
}

fn sibling(path: &Path, name: &str) -> PathBuf {
    path.with_file_name(name)
}

fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |cause| OutputError::Write {
        path: path.to_path_buf(),
        cause,
    }
}

/// Writes `bytes` to `path` atomically: a temporary sibling file is written, flushed and
/// renamed. Temporary files that killed runs left for the same path are removed first.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let fail = write_error(path);
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent {
        fs::create_dir_all(parent).map_err(fail)?;
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    remove_stale(parent.unwrap_or(Path::new(".")), |entry| {
        temporary_file_pid(entry).filter(|(name, _)| *name == file_name)
    });
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
    result.map_err(write_error(path))
}

/// `(NAME, pid)` of a temporary file `.NAME.PID.tmp` written by [`write_atomic`].
fn temporary_file_pid(entry: &str) -> Option<(&str, u32)> {
    let rest = entry.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (name, pid) = rest.rsplit_once('.')?;
    Some((name, pid.parse().ok()?))
}

/// What a sibling folder `.NAME.PID.SEQ.new` (a report being written) or `.NAME.PID.SEQ.old`
/// (the earlier report during the swap) is: `(NAME, pid, is_old)`.
fn work_folder_pid(entry: &str) -> Option<(&str, u32, bool)> {
    let rest = entry.strip_prefix('.')?;
    let (rest, old) = match rest.strip_suffix(".new") {
        Some(rest) => (rest, false),
        None => (rest.strip_suffix(".old")?, true),
    };
    let (rest, seq) = rest.rsplit_once('.')?;
    seq.parse::<u64>().ok()?;
    let (name, pid) = rest.rsplit_once('.')?;
    Some((name, pid.parse().ok()?, old))
}

/// Whether process `pid` may still be running on this machine. Only where that can be known
/// (Linux's /proc) is a process ever taken for dead; elsewhere nothing is cleaned up.
fn may_be_running(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Removes the entries of `dir` that `matches` says were left by a process that is no
/// longer running (files or whole folders). Best effort: another run may be removing them too.
fn remove_stale(dir: &Path, matches: impl Fn(&str) -> Option<(&str, u32)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some((_, pid)) = matches(name)
            && !may_be_running(pid)
        {
            let path = entry.path();
            let _ = match entry.file_type() {
                Ok(t) if t.is_dir() => fs::remove_dir_all(&path),
                _ => fs::remove_file(&path),
            };
        }
    }
}

/// A set of named files, all computed before anything is written.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Files {
    pub files: Vec<(String, Vec<u8>)>,
}

/// Tells apart the work folders of one process's reports.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

impl Files {
    pub fn add(&mut self, name: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.push((name.into(), bytes.into()));
    }

    /// Adds every file of `other`, in its order (a report composed of its analyses' files).
    pub fn extend(&mut self, other: Files) {
        self.files.extend(other.files);
    }

    /// Writes the set as the report folder `dir`, all or nothing.
    ///
    /// Every file is written and flushed into a fresh hidden sibling folder, then that folder
    /// takes `dir`'s place by renames: `dir` holds the complete earlier report or the complete
    /// new one, and on any failure the earlier one stays. The earlier report's files are all
    /// replaced, so none of them survives beside the new ones; files others put into the
    /// folder are moved over. `dir` must be new, empty or an earlier report folder (it has
    /// [`MARKER`]): any other folder is refused, never replaced. Work folders of killed runs
    /// are removed; two runs writing to one folder each swap in a complete report.
    pub fn write_to(&self, dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
        let target = resolve(dir)?;
        let parent = target
            .parent()
            .expect("resolve keeps a parent")
            .to_path_buf();
        let name = target
            .file_name()
            .expect("resolve keeps a name")
            .to_string_lossy()
            .to_string();
        // Refused before anything is written, and checked again under the lock.
        self.carried_entries(&target)?;
        let pid = std::process::id();
        let sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let work = |suffix: &str| parent.join(format!(".{name}.{pid}.{sequence}.{suffix}"));
        let (staging, backup) = (work("new"), work("old"));
        if let Err(error) = self.write_folder(&staging, dir) {
            let _ = fs::remove_dir_all(&staging);
            return Err(error);
        }
        let swapped = {
            let _lock = lock(&parent);
            clean_work_folders(&parent, &name, &target);
            self.carried_entries(&target)
                .and_then(|carried| swap(&target, &staging, &backup, &carried, dir))
        };
        if swapped.is_err() {
            let _ = fs::remove_dir_all(&staging);
        }
        swapped?;
        // The earlier report; a failure here leaves only a work folder for a later run to remove.
        let _ = fs::remove_dir_all(&backup);
        Ok(self.files.iter().map(|(n, _)| dir.join(n)).collect())
    }

    /// Writes every file and the marker into the new folder `staging`, each flushed to disk.
    /// Errors name the file in the report folder `shown`, not the hidden work folder.
    fn write_folder(&self, staging: &Path, shown: &Path) -> Result<(), OutputError> {
        fs::create_dir(staging).map_err(write_error(shown))?;
        let mut marker = format!("{MARKER_HEADER}\n");
        for (name, _) in &self.files {
            marker.push_str(name);
            marker.push('\n');
        }
        for (name, bytes) in self
            .files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .chain([(MARKER, marker.as_bytes())])
        {
            let path = staging.join(name);
            let shown = shown.join(name);
            if let Some(folder) = path.parent() {
                fs::create_dir_all(folder).map_err(write_error(&shown))?;
            }
            let mut file = fs::File::create(&path).map_err(write_error(&shown))?;
            file.write_all(bytes).map_err(write_error(&shown))?;
            file.sync_all().map_err(write_error(&shown))?;
        }
        // The entries themselves must be on disk before the folder is swapped in.
        sync_folder(staging);
        Ok(())
    }

    /// The entries of the existing folder `target` that are not files of its earlier report
    /// (to be moved into the new one), or why `target` may not be replaced. Empty when
    /// `target` does not exist.
    fn carried_entries(&self, target: &Path) -> Result<Vec<String>, OutputError> {
        let entries = match fs::read_dir(target) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(cause) => {
                return Err(OutputError::Write {
                    path: target.to_path_buf(),
                    cause,
                });
            }
        };
        let mut names: Vec<String> = Vec::new();
        for entry in entries {
            let entry = entry.map_err(write_error(target))?;
            names.push(entry.file_name().to_string_lossy().to_string());
        }
        names.sort();
        let listed: Option<Vec<String>> = fs::read_to_string(target.join(MARKER))
            .ok()
            .map(|text| text.lines().skip(1).map(str::to_string).collect());
        let Some(listed) = listed else {
            if names.is_empty() {
                return Ok(Vec::new());
            }
            return Err(OutputError::NotAReportFolder {
                path: target.to_path_buf(),
                entries: list(&names),
            });
        };
        // A report file name may be a path (`a/b.svg`): its first component is the entry.
        let reported = |entry: &str| {
            listed
                .iter()
                .any(|l| Path::new(l).components().next() == Path::new(entry).components().next())
        };
        let carried: Vec<String> = names
            .into_iter()
            .filter(|n| n != MARKER && !reported(n))
            // Temporary files of killed runs are dropped with the earlier report.
            .filter(|n| temporary_file_pid(n).is_none_or(|(_, pid)| may_be_running(pid)))
            .collect();
        let clashes: Vec<String> = carried
            .iter()
            .filter(|c| {
                self.files.iter().any(|(n, _)| {
                    Path::new(n).components().next() == Path::new(c.as_str()).components().next()
                })
            })
            .cloned()
            .collect();
        if !clashes.is_empty() {
            return Err(OutputError::WouldOverwrite {
                path: target.to_path_buf(),
                entries: list(&clashes),
            });
        }
        Ok(carried)
    }

    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }
}

/// Refuses, before any work is done, a report folder that [`Files::write_to`] would refuse
/// whatever files it writes (an existing file, a folder that is not a report folder, the
/// current folder), so a long run does not end in that error.
pub fn check_report_folder(dir: &Path) -> Result<(), OutputError> {
    let target = resolve(dir)?;
    Files::default().carried_entries(&target).map(|_| ())
}

/// Up to five names, then how many more.
fn list(names: &[String]) -> String {
    let mut text = names
        .iter()
        .take(5)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 5 {
        text.push_str(&format!(" and {} more", names.len() - 5));
    }
    text
}

/// The real path of report folder `dir` (links followed, so a link to a folder keeps
/// pointing at the new report), with its parent created. Refuses an existing file, the
/// current folder or one of its ancestors (it would be moved away under the user), and a
/// folder without a parent.
fn resolve(dir: &Path) -> Result<PathBuf, OutputError> {
    let absolute = std::path::absolute(dir).map_err(write_error(dir))?;
    let target = match fs::metadata(&absolute) {
        Ok(meta) if meta.is_dir() => fs::canonicalize(&absolute).map_err(write_error(dir))?,
        Ok(_) => {
            return Err(OutputError::NotAFolder {
                path: dir.to_path_buf(),
            });
        }
        Err(_) if fs::symlink_metadata(&absolute).is_ok() => {
            // A link to nothing: writing through it would create a folder somewhere unexpected.
            return Err(OutputError::NotAFolder {
                path: dir.to_path_buf(),
            });
        }
        Err(_) => {
            let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
                return Err(OutputError::NoParent {
                    path: dir.to_path_buf(),
                });
            };
            fs::create_dir_all(parent).map_err(write_error(dir))?;
            fs::canonicalize(parent)
                .map_err(write_error(dir))?
                .join(name)
        }
    };
    if target.parent().is_none() || target.file_name().is_none() {
        return Err(OutputError::NoParent {
            path: dir.to_path_buf(),
        });
    }
    if let Ok(current) = std::env::current_dir().and_then(fs::canonicalize)
        && current.starts_with(&target)
    {
        return Err(OutputError::ContainsCurrentFolder {
            path: dir.to_path_buf(),
        });
    }
    Ok(target)
}

/// Removes work folders of report `name` in `parent` whose process is gone. When the report
/// folder itself is missing, a killed run was between its two renames: its `.old` folder is
/// the complete earlier report and is put back.
fn clean_work_folders(parent: &Path, name: &str, target: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(entry_name) = file_name.to_str() else {
            continue;
        };
        let Some((owner, pid, old)) = work_folder_pid(entry_name) else {
            continue;
        };
        if owner != name || may_be_running(pid) {
            continue;
        }
        let path = entry.path();
        if old && !target.exists() && fs::rename(&path, target).is_ok() {
            continue;
        }
        let _ = fs::remove_dir_all(&path);
    }
}

/// Puts `staging` in `target`'s place: the `carried` entries of the earlier folder move into
/// `staging`, the earlier folder moves to `backup`, `staging` to `target`. Any failure puts
/// everything back as it was.
fn swap(
    target: &Path,
    staging: &Path,
    backup: &Path,
    carried: &[String],
    shown: &Path,
) -> Result<(), OutputError> {
    let move_back = |moved: &[String]| {
        for name in moved {
            let _ = fs::rename(staging.join(name), target.join(name));
        }
    };
    for (i, name) in carried.iter().enumerate() {
        if let Err(cause) = fs::rename(target.join(name), staging.join(name)) {
            move_back(&carried[..i]);
            return Err(OutputError::Write {
                path: shown.join(name),
                cause,
            });
        }
    }
    let existed = target.exists();
    if existed && let Err(cause) = fs::rename(target, backup) {
        move_back(carried);
        return Err(OutputError::Write {
            path: shown.to_path_buf(),
            cause,
        });
    }
    if let Err(cause) = fs::rename(staging, target) {
        if existed {
            let _ = fs::rename(backup, target);
        }
        move_back(carried);
        return Err(OutputError::Write {
            path: shown.to_path_buf(),
            cause,
        });
    }
    sync_folder(target.parent().unwrap_or(target));
    Ok(())
}

/// Flushes a folder's entries to disk where the platform allows it (best effort).
fn sync_folder(dir: &Path) {
    if let Ok(folder) = fs::File::open(dir) {
        let _ = folder.sync_all();
    }
}

/// Serialises the check-and-swap of report folders in `parent` between processes (an
/// exclusive lock on the folder itself, released when the process ends, so a killed run
/// leaves no stale lock). Where a folder cannot be locked the swap goes ahead unlocked.
fn lock(parent: &Path) -> Option<fs::File> {
    let folder = fs::File::open(parent).ok()?;
    folder.lock().ok()?;
    Some(folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/out.csv");
        write_atomic(&path, b"a,b\n").unwrap();
        // Left by a killed run (no such process): removed by the next write of that file.
        let stale = path.with_file_name(".out.csv.4999999.tmp");
        fs::write(&stale, b"half").unwrap();
        write_atomic(&path, b"c,d\n").unwrap();
        assert_eq!(stale.exists(), !cfg!(target_os = "linux"));
        let _ = fs::remove_file(&stale);
        assert_eq!(fs::read(&path).unwrap(), b"c,d\n");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_write_leaves_the_earlier_report_whole_and_no_work_folder() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("report");
        let mut first = Files::default();
        first.add("a.csv", "1\n");
        first.add("b.svg", "<svg/>");
        first.write_to(&dir).unwrap();
        let mut broken = Files::default();
        broken.add("a.csv", "2\n");
        // Cannot be written: `a.csv` is a file, not a folder.
        broken.add("a.csv/c.csv", "x");
        assert!(matches!(
            broken.write_to(&dir),
            Err(OutputError::Write { .. })
        ));
        assert_eq!(fs::read(dir.join("a.csv")).unwrap(), b"1\n");
        assert_eq!(names(&dir), [MARKER, "a.csv", "b.svg"]);
        assert_eq!(names(root.path()), ["report"]);
    }

    /// A run killed between its two renames left the earlier report as `.NAME.PID.SEQ.old`
    /// and no report folder: the next run puts it back before it checks and swaps, so even
    /// when that run is refused the earlier report is where it was.
    #[test]
    fn an_earlier_report_left_between_two_renames_is_put_back() {
        if !cfg!(target_os = "linux") {
            return; // elsewhere no process is taken for dead
        }
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("report");
        let mut first = Files::default();
        first.add("a.csv", "1\n");
        first.write_to(&dir).unwrap();
        fs::write(dir.join("mine.csv"), "user").unwrap();
        let dead = 4_999_999; // above Linux's largest process id
        fs::rename(&dir, root.path().join(format!(".report.{dead}.0.old"))).unwrap();
        // Refused only once the earlier report is back: it holds the user's `mine.csv`.
        let mut clash = Files::default();
        clash.add("mine.csv", "report");
        assert!(matches!(
            clash.write_to(&dir),
            Err(OutputError::WouldOverwrite { .. })
        ));
        assert_eq!(names(&dir), [MARKER, "a.csv", "mine.csv"]);
        assert_eq!(fs::read(dir.join("mine.csv")).unwrap(), b"user");
        assert_eq!(names(root.path()), ["report"]);
    }

    #[test]
    fn work_names_are_parsed_back() {
        assert_eq!(
            temporary_file_pid(".a.b.csv.123.tmp"),
            Some(("a.b.csv", 123))
        );
        assert_eq!(temporary_file_pid("a.csv.123.tmp"), None);
        assert_eq!(
            work_folder_pid(".rep.ort.77.3.new"),
            Some(("rep.ort", 77, false))
        );
        assert_eq!(
            work_folder_pid(".report.77.0.old"),
            Some(("report", 77, true))
        );
        assert_eq!(work_folder_pid(".report.x.0.old"), None);
        assert_eq!(work_folder_pid("report.77.0.old"), None);
    }
}
