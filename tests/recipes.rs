//! The cluster recipes (issue #15.5): the README shows the files under scripts/ byte for byte, the
//! Slurm script ties its threads to the CPUs it asks for, and the 0-based shard numbering of
//! Kubernetes indexed Jobs and AWS Batch arrays runs the same shard as `--shard K/N`.
//! `scripts/cluster-check.sh` runs the recipes themselves on a single-node Slurm and over ssh.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn ranksense() -> Command {
    Command::cargo_bin("ranksense").unwrap()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `<!-- include: PATH -->` of the README with the fenced block that follows it.
fn included_blocks(readme: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut blocks = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(path) = line
            .trim()
            .strip_prefix("<!-- include: ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        else {
            continue;
        };
        assert!(
            lines[i + 1].starts_with("```"),
            "README line {}: the include of {path} must be followed by a fenced block",
            i + 2
        );
        let body: Vec<&str> = lines[i + 2..]
            .iter()
            .take_while(|l| !l.starts_with("```"))
            .copied()
            .collect();
        blocks.push((path.to_string(), body.join("\n") + "\n"));
    }
    blocks
}

#[test]
fn the_readme_shows_every_recipe_file_as_it_is() {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let blocks = included_blocks(&readme);
    let shown: Vec<&str> = blocks.iter().map(|(path, _)| path.as_str()).collect();
    for recipe in [
        "scripts/slurm/ranksense-array.sbatch",
        "scripts/slurm/ranksense-merge.sbatch",
        "scripts/slurm/submit.sh",
        "scripts/parallel/one-host.sh",
        "scripts/parallel/many-hosts.sh",
        "scripts/k8s/ranksense-indexed-job.yaml",
    ] {
        assert!(shown.contains(&recipe), "the README does not show {recipe}");
    }
    for (path, block) in &blocks {
        let file = fs::read_to_string(repo().join(path))
            .unwrap_or_else(|e| panic!("README includes {path}, which cannot be read: {e}"));
        assert_eq!(
            block, &file,
            "the README's block differs from {path}; copy the file into the README"
        );
    }
}

/// The value of `#SBATCH --NAME=VALUE` in a job script.
fn sbatch_option<'a>(script: &'a str, name: &str) -> Option<&'a str> {
    script
        .lines()
        .filter_map(|l| l.strip_prefix("#SBATCH --"))
        .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
}

#[test]
fn the_slurm_scripts_run_under_sbatch_with_the_threads_they_ask_for() {
    for name in ["ranksense-array.sbatch", "ranksense-merge.sbatch"] {
        let script = fs::read_to_string(repo().join("scripts/slurm").join(name)).unwrap();
        // sbatch refuses a script without an interpreter line.
        assert!(script.starts_with("#!/bin/bash\n"), "{name}");
        // #SBATCH lines count only before the first command.
        let lines: Vec<&str> = script.lines().collect();
        let first_command = lines
            .iter()
            .position(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap();
        let last_option = lines
            .iter()
            .rposition(|l| l.starts_with("#SBATCH"))
            .unwrap();
        assert!(last_option < first_command, "{name}");
        assert!(sbatch_option(&script, "cpus-per-task").is_some(), "{name}");
        assert!(
            script.contains("--threads \"$SLURM_CPUS_PER_TASK\""),
            "{name}"
        );
    }
    let array = fs::read_to_string(repo().join("scripts/slurm/ranksense-array.sbatch")).unwrap();
    // The array's tasks are the shards 1..N, N the shard count of the command.
    assert_eq!(sbatch_option(&array, "array"), Some("1-10"));
    assert!(array.contains("--shard \"$SLURM_ARRAY_TASK_ID/10\""));
    // The merge is a job of its own, submitted to wait for every shard.
    assert!(!array.contains("ranksense merge"));
    let submit = fs::read_to_string(repo().join("scripts/slurm/submit.sh")).unwrap();
    assert!(submit.contains("--dependency=\"afterok:$jobid\""));
}

#[test]
fn the_many_hosts_recipe_sends_the_binary_and_brings_the_states_back() {
    let script = fs::read_to_string(repo().join("scripts/parallel/many-hosts.sh")).unwrap();
    for option in [
        "--sshloginfile",
        "--wd",
        "--basefile ranksense",
        "--basefile mydata/data.csv",
        "--basefile my.toml",
        "--return",
        "--cleanup",
        "./ranksense uncertainty",
    ] {
        assert!(script.contains(option), "many-hosts.sh lacks {option}");
    }
}

fn run_state(dir: &Path, name: &str, shard: &[&str]) -> Vec<u8> {
    let state = dir.join(name);
    ranksense()
        .args(["uncertainty", "--data", "asem", "--samples", "1001"])
        .args(["--seed", "5", "--threads", "2"])
        .args(shard)
        .arg("--state")
        .arg(&state)
        .assert()
        .success();
    fs::read(state).unwrap()
}

#[test]
fn a_zero_based_shard_index_runs_the_shard_one_above_it() {
    let dir = tempfile::tempdir().unwrap();
    for index in 0..3 {
        let zero_based = run_state(
            dir.path(),
            &format!("i{index}.json"),
            &["--shard-index", &index.to_string(), "--shards", "3"],
        );
        let one_based = run_state(
            dir.path(),
            &format!("k{index}.json"),
            &["--shard", &format!("{}/3", index + 1)],
        );
        assert_eq!(zero_based, one_based, "--shard-index {index} --shards 3");
    }
}

#[test]
fn a_shard_index_out_of_range_is_refused_with_the_valid_range() {
    let run = |extra: &[&str]| {
        ranksense()
            .args(["uncertainty", "--data", "asem", "--samples", "100"])
            .args(extra)
            .assert()
            .code(2)
    };
    run(&["--shard-index", "3", "--shards", "3"]).stderr(
        predicate::str::contains("--shard-index 3 is out of range for --shards 3")
            .and(predicate::str::contains("from 0 to 2"))
            .and(predicate::str::contains("--shard K/3")),
    );
    run(&["--shard-index", "-1", "--shards", "3"])
        .stderr(predicate::str::contains("-1 is below 0"));
    run(&["--shard-index", "0", "--shards", "0"]).stderr(predicate::str::contains("0 is below 1"));
    // Each needs the other, and the two numberings do not mix.
    run(&["--shard-index", "0"]).stderr(predicate::str::contains("--shards <N>"));
    run(&["--shards", "4"]).stderr(predicate::str::contains("--shard-index <I>"));
    run(&["--shard-index", "0", "--shards", "3", "--shard", "1/3"])
        .stderr(predicate::str::contains("cannot be used with"));
}
