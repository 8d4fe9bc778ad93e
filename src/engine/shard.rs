//! Shards: split one run's samples across processes or machines, save partial states, and merge them exactly.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::accumulate::Accumulator;

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

pub const STATE_FORMAT: &str = "ranksense-partial-state-1";

/// Why shards could not be merged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    #[error("no partial state files given; fix: pass every shard's state file")]
    Empty,
    #[error(
        "{file}: not a ranksense partial state (format `{found}`); fix: pass files written by `--shard K/N`"
    )]
    Format { file: String, found: String },
    #[error(
        "{file} belongs to a different run than {first} ({what} differ); fix: merge only shards of one run (same data, scenario, seed, samples)"
    )]
    DifferentRun {
        file: String,
        first: String,
        what: String,
    },
    #[error("shard {shard} is given twice ({file}); fix: pass each shard once")]
    Duplicate { shard: Shard, file: String },
    #[error(
        "shards {missing} of {count} are missing; fix: run them with `--shard K/{count}` and pass their state files too"
    )]
    Missing { missing: String, count: u64 },
    #[error("{file}: {why}")]
    Layout { file: String, why: String },
}

/// Most shards a run may be split into (a sanity bound for files read from disk).
pub const MAX_SHARDS: u64 = 1_000_000;

/// Merges the partial states of all n shards of one run into the whole run's accumulator.
/// Each element is (file name for messages, state).
pub fn merge_states(
    states: &[(String, PartialState)],
) -> Result<(RunFingerprint, Accumulator), MergeError> {
    let Some((first_file, first)) = states.first() else {
        return Err(MergeError::Empty);
    };
    let count = first.shard.count;
    for (file, state) in states {
        let shard = state.shard;
        if shard.count == 0
            || shard.index == 0
            || shard.index > shard.count
            || shard.count > MAX_SHARDS
        {
            return Err(MergeError::Layout {
                file: file.clone(),
                why: format!(
                    "shard {shard} is not a valid K/N (1 ≤ K ≤ N ≤ {MAX_SHARDS}); the file was not written by `--shard` or was edited"
                ),
            });
        }
        state
            .accumulator
            .check_layout()
            .map_err(|why| MergeError::Layout {
                file: file.clone(),
                why: format!("{why}; the file is damaged or was edited"),
            })?;
    }
    let mut seen = vec![false; count as usize];
    let mut total: Option<Accumulator> = None;
    for (file, state) in states {
        if state.format != STATE_FORMAT {
            return Err(MergeError::Format {
                file: file.clone(),
                found: state.format.clone(),
            });
        }
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
        if *slot {
            return Err(MergeError::Duplicate {
                shard: state.shard,
                file: file.clone(),
            });
        }
        *slot = true;
        match &mut total {
            None => total = Some(state.accumulator.clone()),
            Some(acc) => acc
                .merge(&state.accumulator)
                .map_err(|why| MergeError::Layout {
                    file: file.clone(),
                    why,
                })?,
        }
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| !**s)
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing {
            missing: missing.join(", "),
            count,
        });
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
