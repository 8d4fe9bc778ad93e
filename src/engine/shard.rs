//! Shards: split one run's samples across processes or machines, save partial states, and merge them exactly.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::accumulate::Accumulator;
use super::Observer;
#[cfg(any(test, feature = "internals"))]
use super::Silent;
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
        let fix = "write it as K/N with 1 ≤ K ≤ N, e.g. `--shard 3/10`";
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

/// What `--shard` writes: the run's identity, which shard, and its exact accumulator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartialState {
    pub format: String,
    pub fingerprint: RunFingerprint,
    pub shard: Shard,
    pub accumulator: Accumulator,
}

/// Format 2 added the checksum; format 1 files (no checksum) are refused.
pub const STATE_FORMAT: &str = "ranksense-partial-state-2";

/// What a state file must be rerun with when it cannot be trusted.
fn rerun_fix(shard: Option<Shard>) -> String {
    match shard {
        Some(shard) => format!(
            "run shard {shard} again (`ranksense uncertainty --shard {shard}` with the run's other options) and pass the new state file"
        ),
        None => "run the shard again with `ranksense uncertainty --shard K/N` and pass the new state file".into(),
    }
}

impl PartialState {
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
                    return MergeError::File(Diagnostic::new(
                        location,
                        "the file ends early: it was cut off while being written or copied",
                        format!(
                            "copy it again if it was cut off in transit; else {}",
                            rerun_fix(shard)
                        ),
                    ));
                }
                serde_json::error::Category::Io => format!("cannot be read: {error}"),
                _ => format!("is not a ranksense partial state: {error}"),
            };
            MergeError::File(Diagnostic::new(location, problem, rerun_fix(shard)))
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
                return Err(MergeError::File(Diagnostic::new(
                    Location::file(file),
                    format!(
                        "written by another ranksense version (format `{found}`, this version reads `{STATE_FORMAT}`)"
                    ),
                    rerun_fix(header.shard),
                )));
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
            accumulator: Accumulator,
        }
        let stored: StoredFields =
            serde_json::from_slice(bytes).map_err(|e| invalid(e, header.shard))?;
        let state = PartialState {
            format: stored.format,
            fingerprint: stored.fingerprint,
            shard: stored.shard,
            accumulator: stored.accumulator,
        };
        let content = serde_json::to_vec(&state).expect("a state always serialises");
        let expected = format!("sha256:{}", hex_sha256(&content));
        if stored.checksum.as_deref() != Some(expected.as_str()) {
            let problem = match &stored.checksum {
                None => "has no checksum, so its content cannot be trusted".to_string(),
                Some(_) => "its checksum does not match its content: the file was changed or damaged after ranksense wrote it".to_string(),
            };
            return Err(MergeError::File(Diagnostic::new(
                Location::file(file).column("checksum"),
                problem,
                rerun_fix(Some(state.shard)),
            )));
        }
        Ok(state)
    }

    /// Checks what a state read from disk must satisfy whatever its checksum says: a valid
    /// shard K/N, the accumulator's layout, exactly the samples of its slice of the run, and
    /// counts and sums consistent with them.
    pub fn check(&self, file: &str) -> Result<(), MergeError> {
        let shard = self.shard;
        let damaged = |field: &str, problem: String| {
            MergeError::File(Diagnostic::new(
                Location::file(file).column(field),
                format!("{problem}; the file was edited or damaged"),
                rerun_fix(Some(shard)),
            ))
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
        let slice = shard.samples(self.fingerprint.total_samples);
        let expected = slice.end - slice.start;
        if self.accumulator.samples != expected {
            return Err(damaged(
                "accumulator.samples",
                format!(
                    "the state records {} samples, but shard {shard} of a {}-sample run has {expected}",
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
        "{file}: not a ranksense partial state (format `{found}`); fix: pass files written by `ranksense uncertainty --shard K/N`"
    )]
    Format { file: String, found: String },
    /// A file that cannot be trusted: cut off, changed after it was written, or inconsistent.
    #[error("{0}")]
    File(Diagnostic),
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
    #[error("{}", missing_message(missing, *count))]
    Missing { missing: Vec<u64>, count: u64 },
    #[error("{file}: {why}")]
    Layout { file: String, why: String },
}

/// "shard 3 of 3 is missing", "shards 2 and 3 of 5 are missing", "shards 1–4, 7 and 9 of 10
/// are missing", each with the commands that would fill the gap.
fn missing_message(missing: &[u64], count: u64) -> String {
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for &k in missing {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == k => *end = k,
            _ => runs.push((k, k)),
        }
    }
    // Runs of three or more as ranges, so a thousand missing shards stay one line.
    let parts: Vec<String> = runs
        .iter()
        .flat_map(|&(a, b)| match b - a {
            0 => vec![a.to_string()],
            1 => vec![a.to_string(), b.to_string()],
            _ => vec![format!("{a}–{b}")],
        })
        .collect();
    let list = match parts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    if let [k] = missing {
        format!(
            "shard {k} of {count} is missing; fix: run it with `--shard {k}/{count}` and pass its state file too"
        )
    } else {
        format!(
            "shards {list} of {count} are missing; fix: run each with `--shard K/{count}` (K = {list}) and pass their state files too"
        )
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
pub fn merge_states_observed(
    states: &[(String, PartialState)],
    observer: &dyn Observer,
) -> Result<(RunFingerprint, Accumulator), MergeError> {
    let Some((first_file, first)) = states.first() else {
        return Err(MergeError::Empty);
    };
    let count = first.shard.count;
    for (file, state) in states {
        if state.format != STATE_FORMAT {
            return Err(MergeError::Format {
                file: file.clone(),
                found: state.format.clone(),
            });
        }
        state.check(file)?;
    }
    let mut seen: Vec<Option<&str>> = vec![None; count as usize];
    let mut total: Option<Accumulator> = None;
    observer.phase(SHARDS_MERGED_PHASE, states.len() as u64);
    for (merged, (file, state)) in states.iter().enumerate() {
        let f = &state.fingerprint;
        let g = &first.fingerprint;
        let what = [
            (f.version != g.version, "ranksense versions"),
            (f.input_hash != g.input_hash, "input data"),
            (f.scenario_hash != g.scenario_hash, "scenarios"),
            (f.seed != g.seed, "seeds"),
            (f.total_samples != g.total_samples, "sample counts"),
            (f.focus != g.focus || f.top_k != g.top_k, "focus or top-k"),
            (state.shard.count != count, "shard counts"),
        ]
        .iter()
        .filter(|(differs, _)| *differs)
        .map(|(_, name)| *name)
        .collect::<Vec<_>>();
        if !what.is_empty() {
            return Err(MergeError::DifferentRun {
                file: file.clone(),
                first: first_file.clone(),
                what: what.join(", "),
            });
        }
        let slot = &mut seen[(state.shard.index - 1) as usize];
        if let Some(earlier) = slot {
            return Err(MergeError::Duplicate {
                shard: state.shard,
                first: earlier.to_string(),
                file: file.clone(),
            });
        }
        *slot = Some(file);
        match &mut total {
            None => total = Some(state.accumulator.clone()),
            Some(acc) => acc
                .merge(&state.accumulator)
                .map_err(|why| MergeError::Layout {
                    file: file.clone(),
                    why: format!(
                        "{why}; fix: merge only shards of one run, each written by `--shard K/N` and not edited"
                    ),
                })?,
        }
        observer.advanced(merged as u64 + 1);
    }
    let missing: Vec<u64> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| i as u64 + 1)
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing, count });
    }
    Ok((
        first.fingerprint.clone(),
        total.expect("at least one state"),
    ))
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
            message(&[3], 3).starts_with("shard 3 of 3 is missing; fix: run it with `--shard 3/3`")
        );
        assert!(message(&[2, 3], 3).starts_with("shards 2 and 3 of 3 are missing;"));
        assert!(
            message(&[1, 2, 3, 4, 7, 9, 10], 10)
                .starts_with("shards 1–4, 7, 9 and 10 of 10 are missing; fix: run each with `--shard K/10` (K = 1–4, 7, 9 and 10)")
        );
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
