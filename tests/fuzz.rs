//! Mutation fuzzer for every input the CLI reads (issue #11): meta.csv, data.csv, index.toml,
//! scenario files and shard state files.
//!
//! Each case copies a shipped index (data/asem, data/ieci2022) with one of its scenarios and the
//! two shard states of a small run into a temporary folder, applies 1–3 random mutations
//! (structure-aware: cells, rows, columns, codes, directions, weights, method strings, TOML keys
//! and sections, state counts; and byte-level: truncation, bit flips, non-UTF-8, BOM, CRLF),
//! runs the release binary and checks the contract:
//!
//! - exit 0 with every output finite: stdout and every file in `--out` free of NaN/inf
//!   spellings, and no JSON `null` where a clean run never has one (non-finite numbers are
//!   serialised as `null`); a non-finite token left in a numeric cell, a NaN in a TOML number or
//!   a NaN/inf method parameter must not be accepted; a merge that succeeds must write exactly
//!   the unsharded run's files;
//! - or exit 2 with stderr naming one of the case's input files and a line or a field;
//! - never a panic (101), another exit code, a signal or a hang;
//! - never a mixed `--out` folder: a failed run leaves it exactly as it was, a successful run
//!   leaves no file of an earlier run that it did not rewrite, and no temporary files.
//!
//! CI runs a few hundred cases with a fixed seed. Longer runs, and replaying one case:
//!
//! ```sh
//! cargo build --release
//! RANKSENSE_FUZZ_CASES=5000 cargo test --release --test fuzz -- --nocapture
//! RANKSENSE_FUZZ_SEED=7 RANKSENSE_FUZZ_CASES=5000 cargo test --release --test fuzz   # other cases
//! RANKSENSE_FUZZ_CASE=1234 cargo test --release --test fuzz -- --nocapture           # one case
//! ```
//!
//! Other knobs: `RANKSENSE_FUZZ_JOBS` (parallel cases, default 2), `RANKSENSE_FUZZ_KEEP=DIR`
//! (copy each failing case's files there, to rerun the printed command by hand) and
//! `RANKSENSE_FUZZ_REPORT=FILE` (every failure as one JSON line).

#[path = "fuzz/mutate.rs"]
mod mutate;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use assert_cmd::Command;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use tempfile::TempDir;

use mutate::{CsvKind, Knowledge, TomlKind, pick};

const DEFAULT_CASES: u64 = 500;
const DEFAULT_SEED: u64 = 0x5EED_0011;
const SAMPLES: &str = "200";
/// Clean runs take well under a second; a run this slow is stuck.
const TIMEOUT: Duration = Duration::from_secs(20);
/// Address-space cap for each run (KiB): a file that asks for a huge allocation must be
/// refused, not allowed to take the machine's memory.
const MEMORY_LIMIT_KIB: u64 = 4 * 1024 * 1024;

/// A shipped index and one of its scenarios.
struct Seed {
    data: &'static str,
    scenario: &'static str,
}

const SEEDS: &[Seed] = &[
    Seed {
        data: "asem",
        scenario: "asem-coinr",
    },
    Seed {
        data: "asem",
        scenario: "asem-coinr",
    },
    Seed {
        data: "ieci2022",
        scenario: "ieci-full",
    },
    Seed {
        data: "ieci2022",
        scenario: "ieci-methods",
    },
    Seed {
        data: "ieci2022",
        scenario: "ieci-weights",
    },
    Seed {
        data: "ieci2022",
        scenario: "ieci-simplex",
    },
];

const INDEX_FILES: [&str; 3] = ["meta.csv", "data.csv", "index.toml"];
const SCENARIO_FILE: &str = "scenario.toml";
const STATE_FILES: [&str; 2] = ["state-1.json", "state-2.json"];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("ranksense")
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a whole number"))
    })
}

// ---------------------------------------------------------------------------------------------
// Running the binary.

struct Run {
    args: Vec<String>,
    code: Option<i32>,
    timed_out: bool,
    stdout: String,
    stderr: String,
}

impl Run {
    fn command_line(&self) -> String {
        let mut line = String::from("ranksense");
        for a in &self.args {
            line.push(' ');
            if a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "/._-=:".contains(c))
            {
                line.push_str(a);
            } else {
                line.push_str(&format!("'{a}'"));
            }
        }
        line
    }
}

fn run(args: &[String]) -> Run {
    // Through `sh -c 'ulimit -v …; exec …'` so the limit applies to the binary alone.
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_LIMIT_KIB}; exec \"$0\" \"$@\""))
        .arg(binary())
        .args(args)
        .env("NO_COLOR", "1")
        .timeout(TIMEOUT);
    let started = Instant::now();
    let output = command.output().expect("the shell starts");
    let timed_out = output.status.code().is_none() && started.elapsed() >= TIMEOUT;
    Run {
        args: args.to_vec(),
        code: output.status.code(),
        timed_out,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

fn path_arg(path: &Path) -> String {
    path.display().to_string()
}

// ---------------------------------------------------------------------------------------------
// Fixtures: the unmutated inputs, the shard states and the reports of clean runs.

struct SeedFixture {
    /// Files of the case folder, by their name there.
    files: BTreeMap<String, Vec<u8>>,
    knowledge: Knowledge,
    /// `--out` folder of a clean `uncertainty` run, and of a clean `robust` run.
    uncertainty_out: BTreeMap<String, Vec<u8>>,
    robust_out: BTreeMap<String, Vec<u8>>,
}

struct Fixtures {
    _dir: TempDir,
    seeds: Vec<SeedFixture>,
    /// JSON paths (array indices written `[]`) where clean runs print `null`.
    clean_nulls: BTreeSet<String>,
}

fn read_dir_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() {
                let name = entry.file_name().to_string_lossy().into_owned();
                files.insert(name, fs::read(&path).expect("readable output"));
            }
        }
    }
    files
}

fn write_files(dir: &Path, files: &BTreeMap<String, Vec<u8>>) {
    fs::create_dir_all(dir).unwrap();
    for (name, bytes) in files {
        fs::write(dir.join(name), bytes).unwrap();
    }
}

fn knowledge(meta: &str, data: &str) -> Knowledge {
    let meta = mutate::Csv::parse(meta);
    let data = mutate::Csv::parse(data);
    let code = meta.column("iCode").expect("iCode");
    let kind = meta.column("Type").expect("Type");
    let mut k = Knowledge::default();
    for row in meta.rows.iter().skip(1) {
        let c = mutate::unquote(&row[code]).to_string();
        match mutate::unquote(&row[kind]) {
            "Indicator" => k.indicators.push(c),
            "Aggregate" => k.aggregates.push(c),
            "Group" => k.groups.push(c),
            "Denominator" => k.denominators.push(c),
            _ => {}
        }
    }
    let u = data.column("uCode").expect("uCode");
    k.units = data
        .rows
        .iter()
        .skip(1)
        .map(|r| mutate::unquote(&r[u]).to_string())
        .collect();
    k
}

impl Fixtures {
    fn new() -> Fixtures {
        let dir = tempfile::tempdir().unwrap();
        let mut seeds = Vec::new();
        let mut clean_nulls = BTreeSet::new();
        for (i, seed) in SEEDS.iter().enumerate() {
            let mut files = BTreeMap::new();
            for name in INDEX_FILES {
                let bytes = fs::read(repo().join("data").join(seed.data).join(name)).unwrap();
                files.insert(name.to_string(), bytes);
            }
            let scenario = repo()
                .join("scenarios")
                .join(format!("{}.toml", seed.scenario));
            files.insert(SCENARIO_FILE.to_string(), fs::read(scenario).unwrap());
            let case = dir.path().join(format!("seed-{i}"));
            write_files(&case, &files);
            let data = path_arg(&case);
            let scenario = path_arg(&case.join(SCENARIO_FILE));
            for (k, state) in STATE_FILES.iter().enumerate() {
                let shard = format!("{}/2", k + 1);
                let r = run(&strings(&[
                    "uncertainty",
                    "--data",
                    &data,
                    "--scenario",
                    &scenario,
                    "--samples",
                    SAMPLES,
                    "--threads",
                    "1",
                    "--shard",
                    &shard,
                    "--state",
                    &path_arg(&case.join(state)),
                ]));
                assert_eq!(r.code, Some(0), "{}: {}", r.command_line(), r.stderr);
                files.insert(state.to_string(), fs::read(case.join(state)).unwrap());
            }
            let out = case.join("out-uncertainty");
            let r = run(&uncertainty_args(&data, &scenario, &out));
            assert_eq!(r.code, Some(0), "{}: {}", r.command_line(), r.stderr);
            let uncertainty_out = read_dir_files(&out);
            let out = case.join("out-robust");
            let r = run(&robust_args(&data, &scenario, &out));
            assert_eq!(r.code, Some(0), "{}: {}", r.command_line(), r.stderr);
            let robust_out = read_dir_files(&out);
            // Where clean runs legitimately print null: every JSON a clean case can produce.
            let mut jsons: Vec<String> = Vec::new();
            for f in uncertainty_out.iter().chain(&robust_out) {
                if f.0.ends_with(".json") {
                    jsons.push(String::from_utf8_lossy(f.1).into_owned());
                }
            }
            for command in [
                strings(&["score", "--data", &data, "--format", "json"]),
                strings(&[
                    "uncertainty",
                    "--data",
                    &data,
                    "--scenario",
                    &scenario,
                    "--samples",
                    SAMPLES,
                    "--threads",
                    "1",
                    "--format",
                    "json",
                ]),
            ] {
                let r = run(&command);
                assert_eq!(r.code, Some(0), "{}: {}", r.command_line(), r.stderr);
                jsons.push(r.stdout);
            }
            for json in jsons {
                let value: serde_json::Value = serde_json::from_str(&json).unwrap();
                null_paths(&value, "", &mut clean_nulls);
            }
            let text = |name: &str| String::from_utf8(files[name].clone()).unwrap();
            let knowledge = knowledge(&text("meta.csv"), &text("data.csv"));
            seeds.push(SeedFixture {
                files,
                knowledge,
                uncertainty_out,
                robust_out,
            });
        }
        Fixtures {
            _dir: dir,
            seeds,
            clean_nulls,
        }
    }
}

/// The marker file every report folder carries (src/report/output.rs).
const REPORT_MARKER: &str = ".ranksense-report";

fn uncertainty_args(data: &str, scenario: &str, out: &Path) -> Vec<String> {
    strings(&[
        "uncertainty",
        "--data",
        data,
        "--scenario",
        scenario,
        "--samples",
        SAMPLES,
        "--threads",
        "1",
        "--out",
        &path_arg(out),
    ])
}

fn robust_args(data: &str, scenario: &str, out: &Path) -> Vec<String> {
    strings(&[
        "robust",
        "--data",
        data,
        "--scenario",
        scenario,
        "--samples",
        SAMPLES,
        "--base-samples",
        "64",
        "--bootstrap",
        "20",
        "--threads",
        "1",
        "--out",
        &path_arg(out),
    ])
}

// ---------------------------------------------------------------------------------------------
// Output checks.

fn null_paths(value: &serde_json::Value, path: &str, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Null => {
            out.insert(path.to_string());
        }
        serde_json::Value::Array(items) => {
            for v in items {
                null_paths(v, &format!("{path}[]"), out);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                null_paths(v, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// Spellings of NaN and infinity as whole words (so `Influence` and `information` pass),
/// each with a little context. Words in `codes` (the index's own codes, such as IECI's
/// dimension `INF`) are names, not numbers.
fn non_finite_words(text: &str, codes: &BTreeSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    let mut start = None;
    let bytes = text.as_bytes();
    for i in 0..=bytes.len() {
        let word_char = i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_');
        match (start, word_char) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                let word = &text[s..i];
                let lower = word.to_ascii_lowercase();
                if matches!(lower.as_str(), "nan" | "inf" | "infinity") && !codes.contains(word) {
                    let lo = text.floor_char_boundary(s.saturating_sub(40));
                    let hi = text.ceil_char_boundary((i + 40).min(text.len()));
                    found.push(format!("{:?}", &text[lo..hi]));
                }
                start = None;
            }
            _ => {}
        }
    }
    if text.contains('∞') {
        found.push("the symbol ∞".to_string());
    }
    found
}

/// Summary fields that are `Option`s of something other than a number: `null` there means
/// "none" (no focus unit, so no verdict; no fragile weight), never a non-finite number.
const OPTIONAL_KEYS: &[&str] = &[
    "focus",
    "verdict",
    "convergence",
    "driver",
    "most_fragile",
    "first_change_above",
    "first_change_below",
    "first_topk_change_above",
    "first_topk_change_below",
    "up_linf",
    "down_linf",
    "up_l1",
    "down_l1",
    "noise_floor",
    "unit",
    "unit_name",
    "unit_label",
    "highlight",
    "highlight_row",
    "parent",
    "passer",
    "passed",
    "certain",
    // η² of an optimised or nominal weighting is not estimable when extreme values leave a
    // variable degenerate: summary.json says so with null (the CSV with NA), by design.
    "nominal_importance",
    "achieved_importance",
];

/// Problems with one output text (stdout or a file): non-finite words, and in JSON, nulls
/// where no clean run has one.
fn output_problems(
    name: &str,
    text: &str,
    clean_nulls: &BTreeSet<String>,
    codes: &BTreeSet<String>,
) -> Vec<String> {
    // The explorer's program (a plain <script>) is code, whose NaN and Infinity are not numbers
    // of the run; its data (<script type="application/json">) and everything else are checked.
    let text = &without_program_scripts(text);
    let mut problems: Vec<String> = non_finite_words(text, codes)
        .into_iter()
        .take(3)
        .map(|w| format!("{name}: non-finite value {w}"))
        .collect();
    let json_like = name.ends_with(".json") || name.ends_with("(json)");
    if json_like && let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let mut nulls = BTreeSet::new();
        null_paths(&value, "", &mut nulls);
        let optional = |path: &str| {
            let last = path.rsplit('.').next().unwrap_or("").trim_end_matches("[]");
            // `settings.focus.value` is null when the run has no focus unit.
            OPTIONAL_KEYS.contains(&last) || path.ends_with("focus.value")
        };
        for path in nulls
            .difference(clean_nulls)
            .filter(|p| !optional(p))
            .take(3)
        {
            problems.push(format!(
                "{name}: null at {path} (clean runs never have one there: a non-finite number?)"
            ));
        }
    }
    problems
}

/// `text` without the bodies of its `<script>` elements that hold a program (no `type`).
fn without_program_scripts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<script>") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</script>") {
            Some(end) => rest = &rest[start + end + "</script>".len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Does stderr name one of `files` with a line or a field (`data.csv:12`,
/// `meta.csv:3, column `Weight``, `scenario.toml, column `samples``, `… at line 1 column 9`)?
/// A file that is empty has no line to name; its name alone is enough.
fn names_a_location(stderr: &str, files: &[(String, bool)]) -> bool {
    files.iter().any(|(name, empty)| {
        stderr.match_indices(name.as_str()).any(|(i, _)| {
            let rest = &stderr[i + name.len()..];
            let line = rest
                .strip_prefix(':')
                .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
            let field = [", column `", ", field `", ", key `"]
                .iter()
                .any(|p| rest.starts_with(p));
            line || field || *empty
        }) || (stderr.contains(name.as_str())
            && (has_line_number(stderr) || (name.ends_with(".json") && names_a_json_field(stderr))))
    })
}

/// A state file is one JSON line, so its problems are located by field: a quoted field name
/// (`score_sum` has 38 entries), the fingerprint fields that differ (seeds differ), or the
/// shard numbers.
fn names_a_json_field(stderr: &str) -> bool {
    stderr.split('`').nth(1).is_some_and(|f| {
        !f.is_empty()
            && f.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    }) || stderr.contains(" differ)")
        || stderr.contains("shard ")
}

fn has_line_number(text: &str) -> bool {
    text.match_indices("line ").any(|(i, m)| {
        text[i + m.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

// ---------------------------------------------------------------------------------------------
// Cases.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// meta.csv, data.csv, index.toml and the scenario.
    Inputs,
    /// The shard state files given to `merge`.
    States,
}

#[derive(Debug, Clone, Copy)]
enum Prefill {
    Empty,
    Uncertainty,
    Robust,
}

#[derive(Debug, Clone, serde::Serialize)]
struct Failure {
    case: u64,
    seed: String,
    mutations: Vec<String>,
    command: String,
    prefill: String,
    exit: String,
    category: String,
    detail: String,
    stderr: String,
}

struct Case {
    number: u64,
    seed: usize,
    family: Family,
    /// (file, description) of every mutation applied.
    mutations: Vec<(String, String)>,
    files: BTreeMap<String, Vec<u8>>,
}

fn case_rng(base: u64, case: u64) -> ChaCha8Rng {
    // SplitMix64 of (base, case): nearby case numbers get unrelated streams.
    let mut z = base ^ case.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ChaCha8Rng::seed_from_u64(z ^ (z >> 31))
}

fn make_case(fixtures: &Fixtures, rng: &mut ChaCha8Rng, number: u64, mutations: usize) -> Case {
    let seed = rng.random_range(0..SEEDS.len());
    let fixture = &fixtures.seeds[seed];
    let family = if rng.random_bool(0.15) {
        Family::States
    } else {
        Family::Inputs
    };
    let mut files = fixture.files.clone();
    let mut applied = Vec::new();
    for _ in 0..mutations {
        let (file, (bytes, desc)) = match family {
            Family::States => {
                let file = pick(rng, &STATE_FILES).to_string();
                (file.clone(), mutate::mutate_state(rng, &files[&file]))
            }
            Family::Inputs => {
                let k = &fixture.knowledge;
                let roll = rng.random_range(0..100);
                let file = match roll {
                    0..30 => "meta.csv",
                    30..60 => "data.csv",
                    60..75 => "index.toml",
                    _ => SCENARIO_FILE,
                };
                let old = &files[file];
                let edit = match file {
                    "meta.csv" => mutate::mutate_csv(rng, CsvKind::Meta, old, k),
                    "data.csv" => mutate::mutate_csv(rng, CsvKind::Data, old, k),
                    "index.toml" => mutate::mutate_toml(rng, TomlKind::Index, old, k),
                    _ => mutate::mutate_toml(rng, TomlKind::Scenario, old, k),
                };
                (file.to_string(), edit)
            }
        };
        files.insert(file.clone(), bytes);
        applied.push((file, desc));
    }
    Case {
        number,
        seed,
        family,
        mutations: applied,
        files,
    }
}

/// Numeric cells of the mutated CSVs that hold a spelling of NaN/infinity or text: the run must
/// not accept them. Numeric columns come from the mutated meta.csv when it still parses.
fn rejected_cells(files: &BTreeMap<String, Vec<u8>>, seed: &Knowledge) -> Vec<String> {
    let text = |name: &str| {
        std::str::from_utf8(&files[name])
            .ok()
            .map(mutate::Csv::parse)
    };
    let mut found = Vec::new();
    let (Some(meta), Some(data)) = (text("meta.csv"), text("data.csv")) else {
        return found;
    };
    let numeric: Vec<String> = match (meta.column("iCode"), meta.column("Type")) {
        (Some(code), Some(kind)) => meta
            .rows
            .iter()
            .skip(1)
            .filter(|r| {
                r.get(kind)
                    .is_some_and(|t| matches!(mutate::unquote(t), "Indicator" | "Denominator"))
            })
            .filter_map(|r| r.get(code).map(|c| mutate::unquote(c).to_string()))
            .collect(),
        _ => seed
            .indicators
            .iter()
            .chain(&seed.denominators)
            .cloned()
            .collect(),
    };
    let scan = |csv: &mutate::Csv,
                file: &str,
                is_numeric: &dyn Fn(&str) -> bool,
                found: &mut Vec<String>| {
        let Some(header) = csv.rows.first() else {
            return;
        };
        for (r, row) in csv.rows.iter().enumerate().skip(1) {
            for (c, cell) in row.iter().enumerate() {
                let name = header.get(c).map(|h| mutate::unquote(h)).unwrap_or("");
                let value = mutate::unquote(cell).trim();
                if is_numeric(name) && mutate::NOT_A_FINITE_NUMBER.contains(&value) {
                    found.push(format!("{file}:{}, column {name}: {value:?}", r + 1));
                }
            }
        }
    };
    scan(
        &meta,
        "meta.csv",
        &|h| {
            matches!(
                h,
                "Level" | "Direction" | "Weight" | "Target" | "Goalpost_lower" | "Goalpost_upper"
            )
        },
        &mut found,
    );
    scan(
        &data,
        "data.csv",
        &|h| numeric.iter().any(|n| n == h),
        &mut found,
    );
    found
}

/// NaN numbers, and method strings with a NaN or infinite parameter, in a mutated TOML file:
/// a run that reads the file must not accept them.
fn rejected_toml(bytes: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let Some(table) = std::str::from_utf8(bytes)
        .ok()
        .and_then(|t| toml::from_str::<toml::Table>(t).ok())
    else {
        return found;
    };
    fn walk(v: &toml::Value, path: &str, found: &mut Vec<String>) {
        match v {
            toml::Value::Float(x) if x.is_nan() => found.push(format!("{path} = nan")),
            toml::Value::String(s) => {
                let lower = s.to_ascii_lowercase();
                if let Some((_, params)) = lower.split_once('(')
                    && params
                        .split([',', ')'])
                        .any(|p| p.trim().parse::<f64>().is_ok_and(|x| !x.is_finite()))
                {
                    found.push(format!("{path} = {s:?}"));
                }
            }
            toml::Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, v)| walk(v, &format!("{path}[{i}]"), found)),
            toml::Value::Table(t) => t
                .iter()
                .for_each(|(k, v)| walk(v, &format!("{path}.{k}"), found)),
            _ => {}
        }
    }
    walk(&toml::Value::Table(table), "", &mut found);
    found
}

/// Marks prefilled report files as old, so a successful run's rewrite is visible in their
/// modification time.
const OLD: Duration = Duration::from_secs(1_000_000_000);

fn prefill(dir: &Path, files: &BTreeMap<String, Vec<u8>>) {
    write_files(dir, files);
    for name in files.keys() {
        let f = fs::File::options()
            .write(true)
            .open(dir.join(name))
            .unwrap();
        f.set_modified(SystemTime::UNIX_EPOCH + OLD).unwrap();
    }
}

struct Snapshot {
    exists: bool,
    files: BTreeMap<String, Vec<u8>>,
}

fn snapshot(dir: &Path) -> Snapshot {
    Snapshot {
        exists: dir.exists(),
        files: read_dir_files(dir),
    }
}

/// Folder problems after a run: on failure, any change; on success, files not rewritten
/// (left from the earlier run) and temporary files.
fn folder_problems(dir: &Path, before: &Snapshot, success: bool) -> Vec<String> {
    let after = snapshot(dir);
    let mut problems = Vec::new();
    if !success {
        let created = !before.exists && after.exists && !after.files.is_empty();
        if (before.exists && before.files != after.files) || created {
            let changed: Vec<&String> = after
                .files
                .keys()
                .chain(before.files.keys())
                .filter(|n| before.files.get(*n) != after.files.get(*n))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            problems.push(format!(
                "failed run changed the --out folder: {}",
                changed
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        return problems;
    }
    let mut stale = Vec::new();
    for name in after.files.keys() {
        // `.ranksense-report` marks a report folder (and lists its files); anything else
        // hidden is a work file a run left behind.
        if name != REPORT_MARKER && (name.ends_with(".tmp") || name.starts_with('.')) {
            problems.push(format!("temporary file left in --out: {name}"));
            continue;
        }
        let modified = fs::metadata(dir.join(name))
            .and_then(|m| m.modified())
            .unwrap();
        if modified <= SystemTime::UNIX_EPOCH + OLD {
            stale.push(name.clone());
        }
    }
    if !stale.is_empty() {
        problems.push(format!(
            "mixed --out folder: files of the earlier run were left next to the new ones: {}",
            stale.join(", ")
        ));
    }
    problems
}

/// Runs one case and returns every contract violation.
fn run_case(
    fixtures: &Fixtures,
    case: &Case,
    work: &Path,
    rng: &mut ChaCha8Rng,
    tally: &Tally,
) -> Vec<Failure> {
    let fixture = &fixtures.seeds[case.seed];
    write_files(work, &case.files);
    let data = path_arg(work);
    let scenario = path_arg(&work.join(SCENARIO_FILE));
    let mutated: BTreeSet<&str> = case.mutations.iter().map(|(f, _)| f.as_str()).collect();
    let reads_data = INDEX_FILES.iter().any(|f| mutated.contains(f));
    let reads_scenario = mutated.contains(SCENARIO_FILE);
    let mut must_reject = rejected_cells(&case.files, &fixture.knowledge);
    for f in ["index.toml", SCENARIO_FILE] {
        if mutated.contains(f) {
            must_reject.extend(
                rejected_toml(&case.files[f])
                    .into_iter()
                    .map(|p| format!("{f}: {p}")),
            );
        }
    }
    let index_rejects: Vec<&String> = must_reject
        .iter()
        .filter(|r| !r.starts_with(SCENARIO_FILE))
        .collect();
    let format = *pick(rng, &["table", "csv", "json", "markdown"]);
    let out = work.join("out");
    let prefill_choice = match rng.random_range(0..8) {
        0..3 => Prefill::Empty,
        3..6 => Prefill::Uncertainty,
        _ => Prefill::Robust,
    };

    // (args, uses --out, which must-reject findings apply)
    let mut commands: Vec<(Vec<String>, bool, Vec<&String>)> = Vec::new();
    match case.family {
        Family::Inputs => {
            commands.push((
                strings(&["validate", "--data", &data, "--scenario", &scenario]),
                false,
                must_reject.iter().collect(),
            ));
            if reads_data || !reads_scenario {
                commands.push((
                    strings(&["score", "--data", &data, "--format", format]),
                    false,
                    index_rejects.clone(),
                ));
            }
            commands.push((
                strings(&[
                    "uncertainty",
                    "--data",
                    &data,
                    "--scenario",
                    &scenario,
                    "--samples",
                    SAMPLES,
                    "--threads",
                    "1",
                    "--format",
                    format,
                    "--out",
                    &path_arg(&out),
                ]),
                true,
                must_reject.iter().collect(),
            ));
            if rng.random_bool(0.3) {
                commands.push((
                    robust_args(&data, &scenario, &out),
                    true,
                    must_reject.iter().collect(),
                ));
            }
        }
        Family::States => {
            let mut args = strings(&["merge"]);
            for s in STATE_FILES {
                args.push(path_arg(&work.join(s)));
            }
            args.extend(strings(&[
                "--data",
                &data,
                "--scenario",
                &scenario,
                "--threads",
                "1",
                "--format",
                format,
                "--out",
                &path_arg(&out),
            ]));
            commands.push((args, true, Vec::new()));
        }
    }

    let input_files: Vec<(String, bool)> = case
        .files
        .iter()
        .map(|(name, bytes)| (name.clone(), bytes.iter().all(u8::is_ascii_whitespace)))
        .collect();
    let mut failures = Vec::new();
    for (args, uses_out, rejects) in commands {
        let _ = fs::remove_dir_all(&out);
        let prefilled = if uses_out {
            match (prefill_choice, args[0].as_str()) {
                (Prefill::Empty, _) => Prefill::Empty,
                (Prefill::Uncertainty, "robust") | (Prefill::Robust, _) => {
                    prefill(&out, &fixture.robust_out);
                    Prefill::Robust
                }
                (Prefill::Uncertainty, _) => {
                    prefill(&out, &fixture.uncertainty_out);
                    Prefill::Uncertainty
                }
            }
        } else {
            Prefill::Empty
        };
        let before = snapshot(&out);
        let r = run(&args);
        *tally
            .lock()
            .unwrap()
            .entry((args[0].clone(), r.code))
            .or_default() += 1;
        let mut problems: Vec<(String, String)> = Vec::new();
        let mut add = |category: &str, detail: String| problems.push((category.into(), detail));
        match r.code {
            _ if r.timed_out => add("timeout", format!("no answer in {TIMEOUT:?}")),
            None => add("killed by a signal (abort or out of memory)", String::new()),
            Some(101) => add("panic (exit 101)", String::new()),
            Some(0) => {
                if r.stderr.contains("panicked") {
                    add("panic message on exit 0", String::new());
                }
                for p in output_problems(
                    &format!("stdout ({format})"),
                    &r.stdout,
                    &fixtures.clean_nulls,
                    &fixture.knowledge.codes(),
                ) {
                    add("non-finite output", p);
                }
                if uses_out {
                    for (name, bytes) in read_dir_files(&out) {
                        let text = String::from_utf8_lossy(&bytes);
                        for p in output_problems(
                            &name,
                            &text,
                            &fixtures.clean_nulls,
                            &fixture.knowledge.codes(),
                        ) {
                            add("non-finite output", p);
                        }
                    }
                    for p in folder_problems(&out, &before, true) {
                        add("mixed --out folder", p);
                    }
                }
                if !rejects.is_empty() {
                    add(
                        "accepted a non-finite or non-numeric input value",
                        rejects
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join("; "),
                    );
                }
                if case.family == Family::States {
                    // The unsharded run on the same (unmutated) files in the same folder, so
                    // that the paths quoted in the report agree.
                    let reference = work.join("reference");
                    let r = run(&uncertainty_args(&data, &scenario, &reference));
                    assert_eq!(r.code, Some(0), "{}: {}", r.command_line(), r.stderr);
                    let expected = read_dir_files(&reference);
                    // Files left from a prefilled folder are the mixed-folder check's business.
                    let written = read_dir_files(&out);
                    let differ: Vec<&String> = expected
                        .keys()
                        .filter(|n| expected.get(*n) != written.get(*n))
                        .collect();
                    if !differ.is_empty() {
                        add(
                            "merge accepted altered state files",
                            format!("results differ from the unsharded run in {differ:?}"),
                        );
                    }
                }
            }
            Some(2) => {
                let mut named = input_files.clone();
                if !matches!(prefilled, Prefill::Empty) {
                    named.push((path_arg(&out), true));
                }
                if !names_a_location(&r.stderr, &named) {
                    add(
                        "exit 2 without a file and line/field",
                        "stderr names no input file with a line or field".into(),
                    );
                }
                if uses_out {
                    for p in folder_problems(&out, &before, false) {
                        add("mixed --out folder", p);
                    }
                }
            }
            Some(code) => add(&format!("exit {code}"), String::new()),
        }
        for (category, detail) in problems {
            failures.push(Failure {
                case: case.number,
                seed: format!("{} + {}", SEEDS[case.seed].data, SEEDS[case.seed].scenario),
                mutations: case
                    .mutations
                    .iter()
                    .map(|(f, d)| format!("{f}: {d}"))
                    .collect(),
                command: r.command_line(),
                prefill: format!("{prefilled:?}"),
                exit: match r.code {
                    Some(c) => c.to_string(),
                    None => "signal".into(),
                },
                category,
                detail,
                stderr: r.stderr.chars().take(2000).collect(),
            });
        }
    }
    failures
}

/// How many runs of each command ended with each exit code: shows that the mutations reach
/// past the loaders (a fuzzer whose every case is refused on line 1 tests little).
type Tally = Mutex<BTreeMap<(String, Option<i32>), u64>>;

/// Runs the cases numbered `cases` under seed `base` and returns the failures.
fn fuzz(
    fixtures: &Fixtures,
    base: u64,
    cases: std::ops::Range<u64>,
    jobs: u64,
    tally: &Tally,
) -> Vec<Failure> {
    let next = AtomicU64::new(cases.start);
    let failures = Mutex::new(Vec::new());
    let keep = std::env::var_os("RANKSENSE_FUZZ_KEEP").map(PathBuf::from);
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= cases.end {
                        break;
                    }
                    let mut rng = case_rng(base, n);
                    let mutations = rng.random_range(1..=3);
                    let case = make_case(fixtures, &mut rng, n, mutations);
                    let work = tempfile::tempdir().unwrap();
                    let found = run_case(fixtures, &case, work.path(), &mut rng, tally);
                    if !found.is_empty()
                        && let Some(keep) = &keep
                    {
                        // The case's inputs as mutated (the folder the commands ran on).
                        let dir = keep.join(format!("case-{n}"));
                        write_files(&dir, &case.files);
                    }
                    failures.lock().unwrap().extend(found);
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|f| f.case);
    failures
}

fn describe(failures: &[Failure], base: u64) -> String {
    let mut by_category: BTreeMap<&str, Vec<&Failure>> = BTreeMap::new();
    for f in failures {
        by_category.entry(&f.category).or_default().push(f);
    }
    let mut text = format!(
        "{} contract violations (seed {base:#x}); replay one with RANKSENSE_FUZZ_SEED={base} RANKSENSE_FUZZ_CASE=N\n",
        failures.len()
    );
    for (category, list) in &by_category {
        let cases: BTreeSet<u64> = list.iter().map(|f| f.case).collect();
        text.push_str(&format!(
            "\n=== {category}: {} runs in {} cases ===\n",
            list.len(),
            cases.len()
        ));
        for f in list.iter().take(3) {
            text.push_str(&format!(
                "case {} ({}), --out prefilled: {}\n  mutations:\n",
                f.case, f.seed, f.prefill
            ));
            for m in &f.mutations {
                text.push_str(&format!("    {m}\n"));
            }
            text.push_str(&format!(
                "  command: {}\n  exit: {}\n  {}\n  stderr: {}\n",
                f.command,
                f.exit,
                f.detail,
                f.stderr.trim().replace('\n', "\n          ")
            ));
        }
    }
    text
}

#[test]
fn fuzz_inputs_keep_the_error_contract() {
    let base = env_u64("RANKSENSE_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let cases = match env_u64("RANKSENSE_FUZZ_CASE") {
        Some(n) => n..n + 1,
        None => 0..env_u64("RANKSENSE_FUZZ_CASES").unwrap_or(DEFAULT_CASES),
    };
    let jobs = env_u64("RANKSENSE_FUZZ_JOBS").unwrap_or(2);
    let fixtures = Fixtures::new();
    let started = Instant::now();
    let tally = Tally::default();
    let failures = fuzz(&fixtures, base, cases.clone(), jobs, &tally);
    eprintln!(
        "fuzz: {} cases in {:.1} s, {} violations; runs by exit code: {:?}",
        cases.end - cases.start,
        started.elapsed().as_secs_f64(),
        failures.len(),
        tally.into_inner().unwrap()
    );
    if let Some(path) = std::env::var_os("RANKSENSE_FUZZ_REPORT") {
        let lines: String = failures
            .iter()
            .map(|f| serde_json::to_string(f).unwrap() + "\n")
            .collect();
        fs::write(path, lines).unwrap();
    }
    if !failures.is_empty() {
        panic!("{}", describe(&failures, base));
    }
}

/// The oracle itself: clean inputs pass every check (no false alarms), whatever the --out
/// prefill, and the checks do catch what they claim to.
#[test]
fn clean_inputs_pass_and_the_checks_catch_violations() {
    let fixtures = Fixtures::new();
    for (i, fixture) in fixtures.seeds.iter().enumerate() {
        for (family, fill) in [
            (Family::Inputs, 0u64),
            (Family::Inputs, 5),
            (Family::States, 4),
        ] {
            let case = Case {
                number: 0,
                seed: i,
                family,
                mutations: Vec::new(),
                files: fixture.files.clone(),
            };
            // A fixed rng whose first draws pick the format and the prefill.
            let mut rng = ChaCha8Rng::seed_from_u64(fill);
            let work = tempfile::tempdir().unwrap();
            let failures = run_case(&fixtures, &case, work.path(), &mut rng, &Tally::default());
            assert!(failures.is_empty(), "{}", describe(&failures, 0));
        }
    }

    let nulls = BTreeSet::from([".a[]".to_string()]);
    let codes = BTreeSet::from(["INF".to_string()]);
    // IECI's dimension `INF` is a code; an `inf` value is not.
    assert!(output_problems("x.csv", "code,Influence\nINF,1\n", &nulls, &codes).is_empty());
    assert_eq!(
        output_problems("x.csv", "code,Influence\nINF,inf\n", &nulls, &codes).len(),
        1
    );
    assert!(output_problems("x.md", "Influence of information: 3.5", &nulls, &codes).is_empty());
    assert_eq!(
        output_problems("x.csv", "a,b\n1,NaN\n", &nulls, &codes).len(),
        1
    );
    assert_eq!(
        output_problems("x.csv", "a,b\n1,-inf\n", &nulls, &codes).len(),
        1
    );
    assert!(output_problems("s.json", r#"{"a":[null],"b":1}"#, &nulls, &codes).is_empty());
    assert_eq!(
        output_problems("s.json", r#"{"a":[1],"b":null}"#, &nulls, &codes).len(),
        1
    );
    assert!(output_problems("s.json", r#"{"u":{"focus":null}}"#, &nulls, &codes).is_empty());

    let files = [
        ("data.csv".to_string(), false),
        ("scenario.toml".to_string(), false),
    ];
    assert!(names_a_location(
        "error: /t/data.csv:3, column `uCode`: duplicate",
        &files
    ));
    assert!(names_a_location(
        "error: /t/scenario.toml, column `normalisation`: bad",
        &files
    ));
    assert!(!names_a_location("error: /t/data.csv: something", &files));
    assert!(!names_a_location("error: the shards differ", &files));
    let states = [("state-1.json".to_string(), false)];
    assert!(names_a_location(
        "error: /t/state-1.json: `score_sum` has 38 entries where its layout needs 37",
        &states
    ));
    assert!(names_a_location(
        "error: /t/state-2.json belongs to a different run than /t/state-1.json (seeds differ)",
        &states
    ));
    assert!(!names_a_location(
        "error: /t/state-1.json: damaged",
        &states
    ));
    assert!(names_a_location(
        "error: /t/data.csv: is empty",
        &[("data.csv".to_string(), true)]
    ));

    let mut bad = fixtures.seeds[0].files.clone();
    let data = String::from_utf8(bad["data.csv"].clone()).unwrap();
    let mut csv = mutate::Csv::parse(&data);
    let column = csv.column("LPI").unwrap();
    csv.rows[3][column] = "NaN".into();
    bad.insert("data.csv".into(), csv.render().into_bytes());
    let found = rejected_cells(&bad, &fixtures.seeds[0].knowledge);
    assert_eq!(found, ["data.csv:4, column LPI: \"NaN\""]);
    assert_eq!(
        rejected_toml(b"[method]\nnormalisation = \"zscore(nan,1)\"\nscreen = nan\n"),
        [
            ".method.normalisation = \"zscore(nan,1)\"",
            ".method.screen = nan"
        ]
    );
    assert!(rejected_toml(b"[method]\nnormalisation = \"zscore(10,2)\"\n").is_empty());
}

/// Cases are a pure function of (seed, case number), so a printed case number replays exactly,
/// and every mutator really changes its file.
#[test]
fn cases_replay_and_mutations_change_the_files() {
    let fixtures = Fixtures::new();
    let mut unchanged = Vec::new();
    for n in 0..60 {
        let a = make_case(&fixtures, &mut case_rng(DEFAULT_SEED, n), n, 2);
        let b = make_case(&fixtures, &mut case_rng(DEFAULT_SEED, n), n, 2);
        assert_eq!(a.mutations, b.mutations);
        assert_eq!(a.files, b.files);
        if a.files == fixtures.seeds[a.seed].files {
            unchanged.push((n, a.mutations));
        }
    }
    // Two edits can cancel out (a line swapped with itself), but seldom.
    assert!(unchanged.len() <= 3, "{unchanged:?}");
}
