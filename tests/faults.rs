//! Faults a user meets at the command line: damaged or edited shard states, merge flags that
//! disagree with the shards, report folders that must be replaced all or nothing, and a
//! reader that closes the pipe early.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};

use assert_cmd::Command;
use predicates::prelude::*;
use ranksense::engine::histogram::RankWindow;
use ranksense::engine::shard::PartialState;

fn ranksense() -> Command {
    Command::cargo_bin("ranksense").unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

/// Every file of a folder (hidden ones included), name and bytes.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    names(dir)
        .into_iter()
        .map(|n| {
            let bytes = fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

const RUN: [&str; 6] = ["--data", "asem", "--samples", "900", "--seed", "3"];

/// Runs shards 1..=count of the RUN into `dir`, returning their state files.
fn shards(dir: &Path, count: u64, extra: &[&str]) -> Vec<PathBuf> {
    (1..=count)
        .map(|k| {
            let state = dir.join(format!("s{k}.json"));
            ranksense()
                .arg("uncertainty")
                .args(RUN)
                .args(extra)
                .arg("--shard")
                .arg(format!("{k}/{count}"))
                .arg("--state")
                .arg(&state)
                .assert()
                .success();
            state
        })
        .collect()
}

fn merge(states: &[PathBuf], extra: &[&str]) -> assert_cmd::assert::Assert {
    ranksense()
        .arg("merge")
        .args(states)
        .args(["--data", "asem", "--format", "csv"])
        .args(extra)
        .assert()
}

/// Rewrites a state file after `edit`, with a valid checksum (as a forger would).
fn forge(path: &Path, edit: impl FnOnce(&mut PartialState)) {
    let file = path.display().to_string();
    let mut state = PartialState::from_file(&file, &fs::read(path).unwrap()).unwrap();
    edit(&mut state);
    fs::write(path, state.to_file()).unwrap();
}

#[test]
fn tampered_or_damaged_shards_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let states = shards(dir.path(), 2, &[]);
    let original = fs::read(&states[1]).unwrap();
    // The untouched shards merge.
    merge(&states, &[]).success();
    let refused = |needle: &str| {
        let output = merge(&states, &[]).code(2).get_output().stderr.clone();
        let stderr = String::from_utf8(output).unwrap();
        assert!(stderr.contains("s2.json"), "{stderr}");
        assert!(stderr.contains(needle), "`{needle}` not in: {stderr}");
        assert!(stderr.contains("fix:"), "{stderr}");
        fs::write(&states[1], &original).unwrap();
    };

    // A count edited in the text: the checksum no longer matches.
    let text = String::from_utf8(original.clone()).unwrap();
    let edited = text.replacen("\"counts\":[", "\"counts\":[1000000", 1);
    assert_ne!(edited, text);
    fs::write(&states[1], &edited).unwrap();
    refused("checksum does not match");
    // The library names the shard to run again; the command line adds the command that runs it.
    fs::write(&states[1], edited).unwrap();
    refused(
        "fix: run shard 2/2 again with the run's other settings and pass the new state file \
         (`ranksense uncertainty --shard 2/2`)",
    );

    // The checksum itself changed.
    let edited = text.replacen("sha256:", "sha256:0", 1);
    fs::write(&states[1], edited).unwrap();
    refused("checksum does not match");

    // No checksum at all.
    let start = text.find("\"checksum\"").unwrap();
    let end = start + text[start..].find(',').unwrap() + 1;
    fs::write(&states[1], format!("{}{}", &text[..start], &text[end..])).unwrap();
    refused("has no checksum");

    // Cut off in transit.
    fs::write(&states[1], &original[..original.len() / 2]).unwrap();
    refused("ends early");

    // Edited with a recomputed checksum: 1,000,000 added to one count (it gave a
    // "probability" of 250 before).
    forge(&states[1], |s| {
        let window = &mut s.accumulator.rank_counts[0];
        let mut counts = window.counts().into_owned();
        counts[0] += 1_000_000;
        *window = RankWindow::from_counts(window.first(), counts);
    });
    refused("`rank_counts` of unit 1 add up to 1000450, but the state has 450 samples");

    // A count of u64::MAX (the sum wrapped before).
    forge(&states[1], |s| {
        let window = s
            .accumulator
            .rank_counts
            .iter_mut()
            .find(|w| w.end() - w.first() > 1)
            .expect("some unit took two ranks");
        let mut counts = window.counts().into_owned();
        counts[0] = u64::MAX;
        *window = RankWindow::from_counts(window.first(), counts);
    });
    refused("add up to more than 2^64");

    // The sample count changed.
    forge(&states[1], |s| s.accumulator.samples += 1);
    refused("records 451 samples, but shard 2/2 of a 900-sample run has 450");

    // Samples and every histogram row changed together still contradict the run's size.
    forge(&states[1], |s| {
        s.accumulator.samples *= 2;
        for window in &mut s.accumulator.rank_counts {
            let doubled = window.counts().iter().map(|c| c * 2).collect();
            *window = RankWindow::from_counts(window.first(), doubled);
        }
    });
    refused("records 900 samples");

    // A derived statistic that does not match the histogram.
    forge(&states[1], |s| s.accumulator.top_k_hits[5] += 1);
    refused("top_k_hits");

    // A pairwise count beyond what the samples allow.
    forge(&states[1], |s| s.accumulator.pair_counts[1] = 451);
    refused("pair_counts");

    // A state of an older format (no checksum yet).
    let old = text.replacen("ranksense-partial-state-3", "ranksense-partial-state-2", 1);
    fs::write(&states[1], old).unwrap();
    refused("another ranksense version");

    // Back to the original: it merges again.
    merge(&states, &[]).success();
}

#[test]
fn shards_with_no_samples_pass_the_checks_and_merge_into_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    // 2 samples over 3 shards: shard 1 has none.
    let states: Vec<PathBuf> = (1..=3)
        .map(|k| {
            let state = dir.path().join(format!("t{k}.json"));
            ranksense()
                .args(["uncertainty", "--data", "asem", "--samples", "2", "--shard"])
                .arg(format!("{k}/3"))
                .arg("--state")
                .arg(&state)
                .assert()
                .success();
            state
        })
        .collect();
    let merged = merge(&states, &[]).success().get_output().stdout.clone();
    let whole = ranksense()
        .args([
            "uncertainty",
            "--data",
            "asem",
            "--samples",
            "2",
            "--format",
            "csv",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(merged, whole);
}

#[test]
fn merge_flags_must_agree_with_the_shards() {
    let dir = tempfile::tempdir().unwrap();
    let states = shards(dir.path(), 2, &["--bin-width", "2", "--pairs", "focus"]);
    let plain = merge(&states, &[]).success().get_output().stdout.clone();
    // The shards' own settings given again: the same result.
    let same = merge(
        &states,
        &[
            "--seed",
            "3",
            "--samples",
            "900",
            "--bin-width",
            "2",
            "--pairs",
            "focus",
            "--top-k",
            "10",
        ],
    )
    .success()
    .get_output()
    .stdout
    .clone();
    assert_eq!(plain, same);
    for (flags, message) in [
        (
            &["--seed", "4"][..],
            "the shards were run with --seed 3, not 4; fix: pass `--seed 3` or leave --seed out",
        ),
        (
            &["--samples", "1000"][..],
            "the shards were run with --samples 900, not 1000",
        ),
        (
            &["--bin-width", "1"][..],
            "the shards were run with --bin-width 2, not 1",
        ),
        (
            &["--pairs", "all"][..],
            "the shards kept pairwise counts for 1 of the 51 units, not for `--pairs all`; fix:",
        ),
        (
            &["--focus", "NLD"][..],
            "the shards were run with --focus CHE, not NLD",
        ),
        (
            &["--top-k", "5"][..],
            "the shards were run with --top-k 10, not 5",
        ),
    ] {
        merge(&states, flags)
            .code(2)
            .stderr(predicate::str::contains(message));
    }
    merge(&states[1..], &[])
        .code(2)
        .stderr(predicate::str::contains(
            "shard 1 of 2 is missing; fix: run shard 1/2 and pass its state file too \
             (`ranksense uncertainty --shard 1/2`)",
        ));
}

#[test]
fn a_report_folder_is_replaced_whole_and_keeps_nothing_of_the_earlier_report() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("report");
    ranksense()
        .args(["uncertainty", "--data", "asem", "--samples", "300", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("rank_stats.csv").exists() && out.join(".ranksense-report").exists());
    // Files a user put there are kept; files of killed runs are removed.
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let dead = 4_999_999; // above Linux's largest process id
    fs::write(out.join(format!(".summary.json.{dead}.tmp")), "half").unwrap();
    let work = root.path().join(format!(".report.{dead}.0.new"));
    fs::create_dir(&work).unwrap();
    fs::write(work.join("rank_stats.csv"), "half").unwrap();
    let old = root.path().join(format!(".report.{dead}.1.old"));
    fs::create_dir(&old).unwrap();
    // Another command's report replaces this one entirely.
    ranksense()
        .args(["drop", "--data", "asem", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        names(&out),
        [
            ".ranksense-report",
            "drop.csv",
            "drop_ranks.csv",
            "notes.txt",
            "summary.json"
        ]
    );
    assert_eq!(fs::read(out.join("notes.txt")).unwrap(), b"mine");
    assert_eq!(names(root.path()), ["report"]);
}

#[test]
fn a_refused_or_failed_write_leaves_the_earlier_folder_as_it_was() {
    let root = tempfile::tempdir().unwrap();
    // A folder that is not a report folder is never replaced.
    let home = root.path().join("home");
    fs::create_dir(&home).unwrap();
    fs::write(home.join("thesis.tex"), "years of work").unwrap();
    ranksense()
        .args(["drop", "--data", "asem", "--out"])
        .arg(&home)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "already holds files that ranksense did not write (`thesis.tex`)",
        ))
        .stderr(predicate::str::contains("fix: give a new folder name"));
    assert_eq!(names(&home), ["thesis.tex"]);
    // Nor is the current folder, even an empty one.
    let empty = root.path().join("empty");
    fs::create_dir(&empty).unwrap();
    ranksense()
        .current_dir(&empty)
        .args(["drop", "--data", "asem", "--out", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is the current folder"));
    // An existing file is not a folder.
    let file = root.path().join("report.csv");
    fs::write(&file, "a,b\n").unwrap();
    ranksense()
        .args(["uncertainty", "--data", "asem", "--samples", "100", "--out"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is an existing file, not a folder; fix:",
        ));
    assert_eq!(fs::read(&file).unwrap(), b"a,b\n");
    // A file of the user's where the new report would write one is not overwritten.
    let out = root.path().join("report");
    ranksense()
        .args(["drop", "--data", "asem", "--out"])
        .arg(&out)
        .assert()
        .success();
    fs::write(out.join("rank_stats.csv"), "mine").unwrap();
    let before = contents(&out);
    ranksense()
        .args(["uncertainty", "--data", "asem", "--samples", "100", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`rank_stats.csv`"));
    assert_eq!(contents(&out), before);
    assert_eq!(
        names(root.path()),
        ["empty", "home", "report", "report.csv"]
    );
}

#[test]
fn concurrent_runs_into_one_folder_leave_one_complete_report() {
    let root = tempfile::tempdir().unwrap();
    let run = |seed: &str, out: &Path| {
        Process::new(assert_cmd::cargo::cargo_bin("ranksense"))
            .args(["uncertainty", "--data", "asem", "--samples", "400"])
            .args(["--threads", "1", "--seed", seed, "--format", "csv", "--out"])
            .arg(out)
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    };
    let expected: Vec<Vec<(String, Vec<u8>)>> = ["1", "2"]
        .iter()
        .map(|seed| {
            let out = root.path().join(format!("alone{seed}"));
            assert!(run(seed, &out).wait().unwrap().success());
            contents(&out)
        })
        .collect();
    let out = root.path().join("shared");
    for _ in 0..4 {
        let mut a = run("1", &out);
        let mut b = run("2", &out);
        assert!(a.wait().unwrap().success());
        assert!(b.wait().unwrap().success());
        let found = contents(&out);
        assert!(
            expected.contains(&found),
            "a mix of two runs: {:?}",
            found.iter().map(|(n, _)| n).collect::<Vec<_>>()
        );
    }
    assert_eq!(names(root.path()), ["alone1", "alone2", "shared"]);
}

/// Runs ranksense with standard output a pipe whose reader is already closed.
fn with_closed_stdout(args: &[&str]) -> std::process::Output {
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("ranksense"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    std::process::Output {
        status,
        stdout: Vec::new(),
        stderr: stderr.into_bytes(),
    }
}

#[test]
fn a_closed_pipe_is_a_normal_end() {
    for args in [
        &["score", "--data", "asem", "--format", "csv"][..],
        &["score", "--data", "asem"][..],
        &["uncertainty", "--data", "asem", "--samples", "500"][..],
    ] {
        let output = with_closed_stdout(args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{args:?}");
    }
    // Output files are still written.
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("report");
    let output = with_closed_stdout(&[
        "uncertainty",
        "--data",
        "asem",
        "--samples",
        "500",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert!(out.join("summary.json").exists() && out.join("report.md").exists());
}
