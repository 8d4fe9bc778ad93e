//! Shards: split one run's samples across processes or machines, save partial states, and merge them exactly.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::accumulate::Accumulator;
#[cfg(any(test, feature = "internals"))]
use super::{Observer, Silent};
use crate::model::{Diagnostic, Location};

/// Shard k of n (1-based, as batch schedulers number array tasks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// The whole run as one shard.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// This shard's slice of the global sample indices `0..total`: contiguous, and the n
    /// slices partition the run exactly.
    pub fn samples(&self, total: u64) -> Range<u64> {
        let bound = |k: u64| ((total as u128 * k as u128) / self.count as u128) as u64;
        bound(self.index - 1)..bound(self.index)
    }
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fix = "write it as K/N with 1 ≤ K ≤ N, e.g. `3/10`";
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("shard `{text}` has no `/`: {fix}"))?;
        let index: u64 = k
            .trim()
            .parse()
            .map_err(|_| format!("shard `{text}`: `{k}` is not a whole number: {fix}"))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("shard `{text}`: `{n}` is not a whole number: {fix}"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("shard `{text}` is out of range: {fix}"));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Lower-case hex SHA-256: a shard file's checksum and a run's scenario hash.
pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Identifies a run, so that only shards of the same run are merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunFingerprint {
    pub version: String,
    pub input_hash: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub total_samples: u64,
    pub focus: Option<String>,
    pub top_k: u32,
}

/// What `--shard` writes: the run's identity, which shards, and their exact accumulator. A
/// shard's state covers that shard (`last_shard` = `shard.index`); a merged state
/// ([`ShardMerger::into_state`]) covers the consecutive shards `shard.index..=last_shard`, and
/// merges again like any other (a two-stage merge).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartialState {
    pub format: String,
    pub fingerprint: RunFingerprint,
    /// The first shard covered, and the run's shard count.
    pub shard: Shard,
    /// The last shard covered (1-based, ≥ `shard.index`).
    pub last_shard: u64,
    pub accumulator: Accumulator,
}

/// Format 2 added the checksum; format 3 stores each unit's rank histogram over its window of
/// ranks ([`super::histogram::RankWindow`]). Files of other formats are refused.
pub const STATE_FORMAT: &str = "ranksense-partial-state-3";

/// A state file that cannot be trusted: where and why, and the fix, to run its shard again
/// (named in the data's terms; a front end may add how it runs a shard, see
/// [`MergeError::Rerun`]).
fn rerun(location: Location, problem: impl Into<String>, shard: Option<Shard>) -> MergeError {
    MergeError::Rerun {
        diagnostic: Box::new(Diagnostic::new(location, problem, rerun_fix(shard))),
        shard,
    }
}

/// What to do with a state file that cannot be trusted.
fn rerun_fix(shard: Option<Shard>) -> String {
    match shard {
        Some(shard) => format!(
            "run shard {shard} again with the run's other settings and pass the new state file"
        ),
        None => "run the shard again with the run's other settings and pass the new state file"
            .into(),
    }
}

impl PartialState {
    /// The state of one shard.
    pub fn of_shard(fingerprint: RunFingerprint, shard: Shard, accumulator: Accumulator) -> Self {
        PartialState {
            format: STATE_FORMAT.to_string(),
            fingerprint,
            shard,
            last_shard: shard.index,
            accumulator,
        }
    }

    /// The global sample indices the state covers: its shards' slices, which are adjacent.
    pub fn samples(&self) -> Range<u64> {
        let total = self.fingerprint.total_samples;
        let last = Shard {
            index: self.last_shard,
            count: self.shard.count,
        };
        self.shard.samples(total).start..last.samples(total).end
    }

    /// "3/10" for one shard, "3–7/10" for a merged state.
    pub fn shards_label(&self) -> String {
        if self.last_shard == self.shard.index {
            self.shard.to_string()
        } else {
            format!(
                "{}–{}/{}",
                self.shard.index, self.last_shard, self.shard.count
            )
        }
    }

    /// The state file's bytes: the state as JSON with a `checksum` field, the SHA-256 of the
    /// state's own JSON (without the checksum), so that any change to the content after it was
    /// written is detected by [`PartialState::from_file`].
    pub fn to_file(&self) -> Vec<u8> {
        let content = serde_json::to_vec(self).expect("a state always serialises");
        let mut bytes = format!("{{\"checksum\":\"sha256:{}\",", hex_sha256(&content)).into_bytes();
        // `content` is one JSON object: insert the checksum as its first field.
        bytes.extend_from_slice(&content[1..]);
        bytes
    }

    /// Reads a state file written by [`PartialState::to_file`]: refuses text that is not
    /// JSON or ends early, other formats, and content whose checksum does not match. `file`
    /// names the file in messages. Whether the content is internally consistent is checked
    /// by [`merge_states`].
    pub fn from_file(file: &str, bytes: &[u8]) -> Result<PartialState, MergeError> {
        let invalid = |error: serde_json::Error, shard: Option<Shard>| {
            let location = Location::file(file)
                .line(error.line())
                .column(error.column().to_string());
            let problem = match error.classify() {
                serde_json::error::Category::Eof => {
                    return MergeError::Rerun {
                        diagnostic: Box::new(Diagnostic::new(
                            location,
                            "the file ends early: it was cut off while being written or copied",
                            format!(
                                "copy it again if it was cut off in transit; else {}",
                                rerun_fix(shard)
                            ),
                        )),
                        shard,
                    };
                }
                serde_json::error::Category::Io => format!("cannot be read: {error}"),
                _ => format!("is not a ranksense partial state: {error}"),
            };
            rerun(location, problem, shard)
        };
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            shard: Option<Shard>,
        }
        let header: Header = serde_json::from_slice(bytes).map_err(|e| invalid(e, None))?;
        match header.format.as_deref() {
            Some(STATE_FORMAT) => {}
            Some(found) if found.starts_with("ranksense-partial-state-") => {
                return Err(rerun(
                    Location::file(file),
                    format!(
                        "written by another ranksense version (format `{found}`, this version reads `{STATE_FORMAT}`)"
                    ),
                    header.shard,
                ));
            }
            found => {
                return Err(MergeError::Format {
                    file: file.to_string(),
                    found: found.unwrap_or("none").to_string(),
                });
            }
        }
        #[derive(Deserialize)]
        struct StoredFields {
            checksum: Option<String>,
            format: String,
            fingerprint: RunFingerprint,
            shard: Shard,
            last_shard: u64,
            accumulator: Accumulator,
        }
        let stored: StoredFields =
            serde_json::from_slice(bytes).map_err(|e| invalid(e, header.shard))?;
        let state = PartialState {
            format: stored.format,
            fingerprint: stored.fingerprint,
            shard: stored.shard,
            last_shard: stored.last_shard,
            accumulator: stored.accumulator,
        };
        let content = serde_json::to_vec(&state).expect("a state always serialises");
        let expected = format!("sha256:{}", hex_sha256(&content));
        if stored.checksum.as_deref() != Some(expected.as_str()) {
            let problem = match &stored.checksum {
                None => "has no checksum, so its content cannot be trusted".to_string(),
                Some(_) => "its checksum does not match its content: the file was changed or damaged after ranksense wrote it".to_string(),
            };
            return Err(rerun(
                Location::file(file).column("checksum"),
                problem,
                Some(state.shard),
            ));
        }
        Ok(state)
    }

    /// Checks what a state read from disk must satisfy whatever its checksum says: a valid
    /// shard K/N, the accumulator's layout, exactly the samples of its slice of the run, and
    /// counts and sums consistent with them.
    pub fn check(&self, file: &str) -> Result<(), MergeError> {
        let shard = self.shard;
        let damaged = |field: &str, problem: String| {
            rerun(
                Location::file(file).column(field),
                format!("{problem}; the file was edited or damaged"),
                Some(shard),
            )
        };
        if shard.count == 0
            || shard.index == 0
            || shard.index > shard.count
            || shard.count > MAX_SHARDS
        {
            return Err(damaged(
                "shard",
                format!("shard {shard} is not a valid K/N (1 ≤ K ≤ N ≤ {MAX_SHARDS})"),
            ));
        }
        if !(shard.index..=shard.count).contains(&self.last_shard) {
            return Err(damaged(
                "last_shard",
                format!(
                    "the last shard, {}, is not between shard {} and {}",
                    self.last_shard, shard.index, shard.count
                ),
            ));
        }
        let slice = self.samples();
        let expected = slice.end - slice.start;
        if self.accumulator.samples != expected {
            let label = self.shards_label();
            let what = if self.last_shard == shard.index {
                "shard"
            } else {
                "shards"
            };
            return Err(damaged(
                "accumulator.samples",
                format!(
                    "the state records {} samples, but {what} {label} of a {}-sample run has {expected}",
                    self.accumulator.samples, self.fingerprint.total_samples
                ),
            ));
        }
        let accumulator = &self.accumulator;
        accumulator
            .check_layout()
            .and_then(|()| accumulator.check_consistency(self.fingerprint.top_k))
            .map_err(|why| damaged("accumulator", why))
    }
}

/// Why shards could not be merged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    #[error("no partial state files given; fix: pass every shard's state file")]
    Empty,
    #[error(
        "{file}: not a ranksense partial state (format `{found}`); fix: pass the state files the shards of an uncertainty run write"
    )]
    Format { file: String, found: String },
    /// A file that cannot be read.
    #[error("{0}")]
    File(Diagnostic),
    /// A file that cannot be trusted (cut off, changed after it was written, inconsistent,
    /// or of another version): the fix is to run `shard` (when the file names it) again.
    #[error("{diagnostic}")]
    Rerun {
        diagnostic: Box<Diagnostic>,
        shard: Option<Shard>,
    },
    #[error(
        "{file} belongs to a different run than {first} ({what} differ); fix: merge only shards of one run (same data, scenario, seed, samples)"
    )]
    DifferentRun {
        file: String,
        first: String,
        what: String,
    },
    #[error("shard {shard} is given twice ({first} and {file}); fix: pass each shard once")]
    Duplicate {
        shard: Shard,
        first: String,
        file: String,
    },
    /// Shards (1-based) of a run of `count` shards that no state file covers.
    #[error("{}", missing_message(missing, *count))]
    Missing { missing: Vec<u64>, count: u64 },
    /// A merged state was asked for of shards that are not consecutive.
    #[error(
        "the states cover shards {first} to {last} of {count} with gaps ({}), so they cannot be saved as one merged state; fix: add the states of the missing shards, or merge consecutive shards only (e.g. 1–50 and 51–100)",
        shard_list(gap)
    )]
    Gap {
        first: u64,
        last: u64,
        count: u64,
        gap: Vec<u64>,
    },
    #[error("{file}: {why}")]
    Layout { file: String, why: String },
}

/// "shard 3 of 3 is missing", "shards 2 and 3 of 5 are missing", "shards 1–4, 7 and 9 of 10
/// are missing", each with the shards (K/N) whose runs would fill the gap.
fn missing_message(missing: &[u64], count: u64) -> String {
    let list = shard_list(missing);
    if let [k] = missing {
        format!(
            "shard {k} of {count} is missing; fix: run shard {k}/{count} and pass its state file too"
        )
    } else {
        format!(
            "shards {list} of {count} are missing; fix: run shards K/{count} (K = {list}) and pass their state files too"
        )
    }
}

/// "3", "2 and 3", "1–4, 7 and 9": runs of three or more as ranges, so a thousand shards stay
/// one line.
fn shard_list(missing: &[u64]) -> String {
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for &k in missing {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == k => *end = k,
            _ => runs.push((k, k)),
        }
    }
    let parts: Vec<String> = runs
        .iter()
        .flat_map(|&(a, b)| match b - a {
            0 => vec![a.to_string()],
            1 => vec![a.to_string(), b.to_string()],
            _ => vec![format!("{a}–{b}")],
        })
        .collect();
    match parts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Most shards a run may be split into (a sanity bound for files read from disk).
pub const MAX_SHARDS: u64 = 1_000_000;

/// Merges the partial states of all n shards of one run into the whole run's accumulator.
/// Each element is (file name for messages, state). Every state is checked first
/// ([`PartialState::check`]), and the shards must be those of one run, each exactly once.
#[cfg(any(test, feature = "internals"))]
pub fn merge_states(
    states: &[(String, PartialState)],
) -> Result<(RunFingerprint, Accumulator), MergeError> {
    merge_states_observed(states, &Silent)
}

/// What [`merge_states_observed`] counts in its progress phase.
pub const SHARDS_MERGED_PHASE: &str = "shards merged";

/// [`merge_states`], reporting progress: one [`SHARDS_MERGED_PHASE`] phase of as many items as
/// states, and after each state is merged (in the order given), how many have been.
#[cfg(any(test, feature = "internals"))]
pub fn merge_states_observed(
    states: &[(String, PartialState)],
    observer: &dyn Observer,
) -> Result<(RunFingerprint, Accumulator), MergeError> {
    let mut merger = ShardMerger::default();
    observer.phase(SHARDS_MERGED_PHASE, states.len() as u64);
    for (merged, (file, state)) in states.iter().enumerate() {
        merger.add(file, state.clone())?;
        observer.advanced(merged as u64 + 1);
    }
    let merged = merger.finish()?;
    Ok((merged.fingerprint, merged.accumulator))
}

/// Streams state files into one accumulator: each state is checked, added and dropped as it
/// comes, so a merge holds one accumulator (the running total) plus the state being read,
/// whatever the number of shards. Besides that it keeps, per file, the shards it covered and
/// its name (for "given twice" messages): a few dozen bytes a file.
#[derive(Debug, Default)]
pub struct ShardMerger {
    /// The first file's name, run and shard count: every later state must be of this run.
    first: Option<(String, RunFingerprint, u64)>,
    /// (first shard, last shard, file) of every state added, sorted by first shard; the
    /// ranges are disjoint.
    covered: Vec<(u64, u64, String)>,
    total: Option<Accumulator>,
}

/// A finished merge: the run, its exact accumulator, and the first file merged (named when
/// its layout turns out not to fit the data).
#[derive(Debug, Clone, PartialEq)]
pub struct MergedStates {
    pub fingerprint: RunFingerprint,
    pub accumulator: Accumulator,
    pub first_file: String,
}

impl ShardMerger {
    /// Checks `state` ([`PartialState::check`]; `file` names it in messages), that it is of the
    /// same run as the states before it and covers none of their shards, and adds it.
    pub fn add(&mut self, file: &str, state: PartialState) -> Result<(), MergeError> {
        if state.format != STATE_FORMAT {
            return Err(MergeError::Format {
                file: file.to_string(),
                found: state.format,
            });
        }
        state.check(file)?;
        let (first_file, g, count) = self.first.get_or_insert_with(|| {
            (
                file.to_string(),
                state.fingerprint.clone(),
                state.shard.count,
            )
        });
        let f = &state.fingerprint;
        let what = [
            (f.version != g.version, "ranksense versions"),
            (f.input_hash != g.input_hash, "input data"),
            (f.scenario_hash != g.scenario_hash, "scenarios"),
            (f.seed != g.seed, "seeds"),
            (f.total_samples != g.total_samples, "sample counts"),
            (f.focus != g.focus || f.top_k != g.top_k, "focus or top-k"),
            (state.shard.count != *count, "shard counts"),
        ]
        .iter()
        .filter(|(differs, _)| *differs)
        .map(|(_, name)| *name)
        .collect::<Vec<_>>();
        if !what.is_empty() {
            return Err(MergeError::DifferentRun {
                file: file.to_string(),
                first: first_file.clone(),
                what: what.join(", "),
            });
        }
        let (from, to) = (state.shard.index, state.last_shard);
        let at = self.covered.partition_point(|&(a, _, _)| a < from);
        // The neighbours on either side are the only ranges that can overlap [from, to].
        let overlap = [at.checked_sub(1), Some(at)]
            .into_iter()
            .flatten()
            .filter_map(|i| self.covered.get(i))
            .find(|(a, b, _)| *a <= to && from <= *b);
        if let Some((a, b, earlier)) = overlap {
            return Err(MergeError::Duplicate {
                shard: Shard {
                    index: from.max(*a).min(to.min(*b)),
                    count: state.shard.count,
                },
                first: earlier.clone(),
                file: file.to_string(),
            });
        }
        match &mut self.total {
            None => {
                let mut total = state.accumulator;
                // A parsed vector may hold spare capacity; the total keeps exactly its counts.
                for window in &mut total.rank_counts {
                    window.trim();
                }
                self.total = Some(total);
            }
            Some(total) => total
                .merge(&state.accumulator)
                .map_err(|why| MergeError::Layout {
                    file: file.to_string(),
                    why: format!(
                        "{why}; fix: merge only the unedited state files of one run's shards"
                    ),
                })?,
        }
        self.covered.insert(at, (from, to, file.to_string()));
        Ok(())
    }

    /// The first state file added.
    pub fn first_file(&self) -> Option<&str> {
        self.first.as_ref().map(|(file, _, _)| file.as_str())
    }

    /// Shards (1-based) of the run that no state added so far covers.
    pub fn missing(&self) -> Vec<u64> {
        let count = self.first.as_ref().map_or(0, |(_, _, count)| *count);
        let mut missing = Vec::new();
        let mut next = 1;
        for &(a, b, _) in &self.covered {
            missing.extend(next..a);
            next = b + 1;
        }
        missing.extend(next..=count);
        missing
    }

    /// The whole run: every shard must have been added.
    pub fn finish(self) -> Result<MergedStates, MergeError> {
        let Some((first_file, fingerprint, count)) = self.first.clone() else {
            return Err(MergeError::Empty);
        };
        let missing = self.missing();
        if !missing.is_empty() {
            return Err(MergeError::Missing { missing, count });
        }
        Ok(MergedStates {
            fingerprint,
            accumulator: self.total.expect("a state was added"),
            first_file,
        })
    }

    /// The states added so far as one state, for a later merge (two-stage): they must cover
    /// consecutive shards. Its file is byte for byte the one any other grouping of the same
    /// shards gives.
    pub fn into_state(self) -> Result<PartialState, MergeError> {
        let Some((_, fingerprint, count)) = self.first else {
            return Err(MergeError::Empty);
        };
        let (first, last) = (self.covered[0].0, self.covered[self.covered.len() - 1].1);
        let gap: Vec<u64> = self
            .covered
            .windows(2)
            .flat_map(|w| w[0].1 + 1..w[1].0)
            .collect();
        if !gap.is_empty() {
            return Err(MergeError::Gap {
                first,
                last,
                count,
                gap,
            });
        }
        Ok(PartialState {
            format: STATE_FORMAT.to_string(),
            fingerprint,
            shard: Shard {
                index: first,
                count,
            },
            last_shard: last,
            accumulator: self.total.expect("a state was added"),
        })
    }

    /// Heap bytes held: the running total's histograms (the part that grows, with the spread
    /// of the ranks) and the per-file bookkeeping. The fixed-size parts of the accumulator
    /// ([`Accumulator::fixed_bytes`]) come on top.
    #[cfg(any(test, feature = "internals"))]
    pub fn heap_bytes(&self) -> (usize, usize) {
        let total = self.total.as_ref().map_or(0, Accumulator::histogram_bytes);
        let bookkeeping = self.covered.capacity() * std::mem::size_of::<(u64, u64, String)>()
            + self
                .covered
                .iter()
                .map(|(_, _, f)| f.capacity())
                .sum::<usize>();
        (total, bookkeeping)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_samples() {
        for total in [0u64, 1, 7, 1000, 1_000_003] {
            for count in [1u64, 2, 3, 10] {
                let mut next = 0;
                for index in 1..=count {
                    let range = Shard { index, count }.samples(total);
                    assert_eq!(range.start, next);
                    next = range.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn missing_shards_are_named_in_words_and_ranges() {
        let message = |missing: &[u64], count| {
            MergeError::Missing {
                missing: missing.to_vec(),
                count,
            }
            .to_string()
        };
        assert!(
            message(&[3], 3).starts_with("shard 3 of 3 is missing; fix: run shard 3/3 and")
        );
        assert!(message(&[2, 3], 3).starts_with("shards 2 and 3 of 3 are missing;"));
        assert!(
            message(&[1, 2, 3, 4, 7, 9, 10], 10)
                .starts_with("shards 1–4, 7, 9 and 10 of 10 are missing; fix: run shards K/10 (K = 1–4, 7, 9 and 10) and pass")
        );
    }

    #[test]
    fn refusals_name_shards_in_the_datas_terms_not_a_front_ends() {
        let state = PartialState::of_shard(
            RunFingerprint {
                version: "test".into(),
                input_hash: String::new(),
                scenario_hash: String::new(),
                seed: 1,
                total_samples: 0,
                focus: None,
                top_k: 10,
            },
            Shard { index: 2, count: 3 },
            Accumulator::new(&super::super::accumulate::Layout {
                n_units: 2,
                bin_width: 1,
                n_bands: 1,
                score_bound: 100.0,
                pair_units: vec![],
                weight_nodes: vec![],
                n_factors: 0,
            }),
        );
        let bytes = state.to_file();
        let cut = PartialState::from_file("s.json", &bytes[..bytes.len() / 2]).unwrap_err();
        let MergeError::Rerun { diagnostic, shard } = &cut else {
            panic!("{cut:?}")
        };
        assert_eq!(*shard, None, "the header was cut off too");
        assert!(diagnostic.fix.ends_with("run the shard again with the run's other settings and pass the new state file"));
        let mut edited = String::from_utf8(bytes).unwrap();
        edited = edited.replacen("sha256:", "sha256:0", 1);
        let changed = PartialState::from_file("s.json", edited.as_bytes()).unwrap_err();
        assert!(matches!(
            &changed,
            MergeError::Rerun { shard: Some(Shard { index: 2, count: 3 }), .. }
        ));
        assert!(changed.to_string().contains("fix: run shard 2/3 again"));
        let missing = MergeError::Missing { missing: vec![1, 3], count: 3 };
        let syntax = "9/3".parse::<Shard>().unwrap_err();
        for text in [cut.to_string(), changed.to_string(), missing.to_string(), syntax] {
            assert!(!text.contains("--"), "{text}");
        }
    }

    #[test]
    fn shard_syntax() {
        assert_eq!(
            "3/10".parse::<Shard>().unwrap(),
            Shard {
                index: 3,
                count: 10
            }
        );
        assert!("0/3".parse::<Shard>().unwrap_err().contains("1 ≤ K ≤ N"));
        assert!("4/3".parse::<Shard>().is_err());
        assert!("3".parse::<Shard>().unwrap_err().contains("no `/`"));
    }
}
