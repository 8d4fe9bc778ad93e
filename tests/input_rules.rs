//! What counts as a value, which columns are read, and which units are ranked — and that the
//! user is told about each:
//! - only an empty cell or `NA` is missing; `NaN`, `inf`, `n/a`, `-` and text are located errors,
//!   in data.csv and in meta.csv's numeric fields;
//! - a data.csv column that meta.csv does not declare is ignored with a located warning, shown
//!   by every command and recorded in summary.json;
//! - units left out by screening are named, with their data availability, in every output, and
//!   a screened-out focus unit is an error that says so.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use ranksense::model::{Diagnostic, Index, LoadError, load_from_strings};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// The embedded IECI 2022 index as files, edited per test.
//
// data.csv lines: NYC 3, BEJ 8; LIV_EIU is the first indicator (EIU liveability score).

fn ieci_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/ieci2022")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `text` with the cell at `line` (1-based, header = 1) and `column` replaced by `value`.
fn with_cell(text: &str, line: usize, column: &str, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let j = header
        .iter()
        .position(|h| h.trim_matches('"') == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    let mut cells: Vec<String> = lines[line - 1].split(',').map(str::to_string).collect();
    cells[j] = value.to_string();
    lines[line - 1] = cells.join(",");
    lines.join("\n") + "\n"
}

/// `text` with a column appended: `header` on line 1 and `value` on every other line.
fn with_column(text: &str, header: &str, value: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, line)| format!("{line},{}\n", if i == 0 { header } else { value }))
        .collect()
}

/// Writes an index folder (meta.csv, data.csv, index.toml) into `dir` and returns its path.
fn write_index(dir: &Path, meta: &str, data: &str, toml: &str) -> PathBuf {
    let path = dir.join("index");
    fs::create_dir_all(&path).unwrap();
    fs::write(path.join("meta.csv"), meta).unwrap();
    fs::write(path.join("data.csv"), data).unwrap();
    fs::write(path.join("index.toml"), toml).unwrap();
    path
}

fn load(meta: &str, data: &str) -> Result<Index, LoadError> {
    load_from_strings(
        ("meta.csv", meta),
        ("data.csv", data),
        Some(("index.toml", &ieci_file("index.toml"))),
        "tests/ieci",
    )
}

/// The single diagnostic at this place, listing all of them if there is none or several.
fn at<'a>(diagnostics: &'a [Diagnostic], file: &str, line: usize, column: &str) -> &'a Diagnostic {
    let found: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| {
            d.location.file == file
                && d.location.line == Some(line)
                && d.location.column.as_deref() == Some(column)
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one diagnostic at {file}:{line} `{column}`, got:\n{}",
        diagnostics
            .iter()
            .map(|d| format!("  {d}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    found[0]
}

fn ranksense() -> Command {
    Command::cargo_bin("ranksense").unwrap()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], data: &Path) -> Run {
    let output = ranksense()
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Only an empty cell and NA are missing.

const MISSING_FIX: &str = "leave the cell empty or write NA for a missing value";

#[test]
fn nan_and_other_missing_markers_in_data_csv_are_located_errors() {
    let data = ieci_file("data.csv");
    for marker in [
        "NaN", "nan", "-nan", "n/a", "N/A", "#N/A", "-", "..", "null",
    ] {
        let edited = with_cell(&data, 3, "LIV_EIU", marker);
        let error = load(&ieci_file("meta.csv"), &edited)
            .expect_err(&format!("`{marker}` must not load as a missing value"));
        let diagnostics = error.diagnostics();
        assert_eq!(diagnostics.len(), 1, "{error}");
        let d = at(diagnostics, "data.csv", 3, "LIV_EIU");
        assert_eq!(
            d.problem,
            format!(
                "`LIV_EIU` of unit `NYC` is `{marker}`, which is not a number; only an empty \
                 cell or NA means missing"
            )
        );
        assert_eq!(d.fix, format!("{MISSING_FIX}; otherwise write the number"));
    }
}

#[test]
fn infinities_and_text_in_data_csv_are_located_errors_that_say_how_to_write_missing() {
    let data = ieci_file("data.csv");
    for (value, says) in [
        ("inf", "is infinite"),
        ("Infinity", "is infinite"),
        ("-Inf", "is infinite"),
        ("high", "is not a number"),
    ] {
        let edited = with_cell(&data, 8, "LIV_PM25", value);
        let error = load(&ieci_file("meta.csv"), &edited).expect_err(value);
        let d = at(error.diagnostics(), "data.csv", 8, "LIV_PM25");
        assert!(
            d.problem.contains(&format!("`{value}`")) && d.problem.contains(says),
            "{d}"
        );
        assert!(
            d.fix
                .contains("leave the cell empty (or NA) if the value is missing"),
            "{d}"
        );
    }
}

#[test]
fn empty_cells_and_na_are_missing() {
    let data = ieci_file("data.csv");
    let data = with_cell(&data, 3, "LIV_EIU", "");
    let data = with_cell(&data, 8, "LIV_EIU", "NA");
    let data = with_cell(&data, 4, "LIV_EIU", "na");
    let index = load(&ieci_file("meta.csv"), &data).unwrap();
    let column = index.framework.find("LIV_EIU").unwrap();
    for code in ["NYC", "BEJ"] {
        let unit = index.find_unit(code).unwrap();
        assert!(index.raw.get(unit, column).is_nan(), "{code}");
    }
    assert!(index.raw.get(2, column).is_nan(), "lower-case na");
    let present = (0..index.n_units())
        .filter(|&u| !index.raw.get(u, column).is_nan())
        .count();
    assert_eq!(present, index.n_units() - 3);
}

#[test]
fn nan_in_the_numeric_fields_of_meta_csv_is_a_located_error() {
    // Optional numeric columns, so that Target and the goalposts are read.
    let meta: String = ieci_file("meta.csv")
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let extra = if i == 0 {
                "Target,Goalpost_lower,Goalpost_upper"
            } else if line.contains(",Indicator,") {
                "50,0,100"
            } else {
                ",,"
            };
            format!("{line},{extra}\n")
        })
        .collect();
    let data = ieci_file("data.csv");
    load(&meta, &data).expect("the extended meta.csv is valid");
    // meta.csv lines 2.. are indicators: LIV_EIU 2, LIV_PM25 3, BUS_CLIMATE 4, BUS_STARTUP 5.
    let meta = with_cell(&meta, 2, "Weight", "NaN");
    let meta = with_cell(&meta, 3, "Target", "nan");
    let meta = with_cell(&meta, 4, "Goalpost_lower", "-nan");
    let meta = with_cell(&meta, 5, "Direction", "NaN");
    let meta = with_cell(&meta, 6, "Goalpost_upper", "n/a");
    let error = load(&meta, &data).expect_err("NaN is not a weight, target or goalpost");
    let diagnostics = error.diagnostics();
    assert_eq!(diagnostics.len(), 5, "{error}");
    let weight = at(diagnostics, "meta.csv", 2, "Weight");
    assert_eq!(
        weight.problem,
        "Weight of `LIV_EIU` is `NaN`, which is not a number; only an empty cell or NA means \
         missing"
    );
    assert!(weight.fix.starts_with(MISSING_FIX), "{weight}");
    let target = at(diagnostics, "meta.csv", 3, "Target");
    assert!(
        target.problem.starts_with("Target of `LIV_PM25` is `nan`"),
        "{target}"
    );
    assert!(target.fix.starts_with(MISSING_FIX), "{target}");
    let lower = at(diagnostics, "meta.csv", 4, "Goalpost_lower");
    assert!(lower.problem.contains("`-nan`"), "{lower}");
    let direction = at(diagnostics, "meta.csv", 5, "Direction");
    assert!(
        direction.problem.contains("`NaN`") && direction.problem.contains("neither 1 nor -1"),
        "{direction}"
    );
    let upper = at(diagnostics, "meta.csv", 6, "Goalpost_upper");
    assert!(upper.problem.contains("`n/a`"), "{upper}");
}

#[test]
fn a_nan_liveability_score_stops_every_command_instead_of_ranking_new_york_first() {
    // With NaN read as missing, New York's Liveability rank moved from 15th to 1st.
    let dir = tempfile::tempdir().unwrap();
    let data = with_cell(&ieci_file("data.csv"), 3, "LIV_EIU", "NaN");
    let path = write_index(
        dir.path(),
        &ieci_file("meta.csv"),
        &data,
        &ieci_file("index.toml"),
    );
    for command in [&["score"][..], &["validate"], &["bounds", "--focus", "NYC"]] {
        let run = run(command, &path);
        assert_eq!(run.code, 2, "{command:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{command:?}: {}", run.stdout);
        assert!(
            run.stderr
                .contains("data.csv:3, column `LIV_EIU`: `LIV_EIU` of unit `NYC` is `NaN`")
                && run.stderr.contains(&format!("fix: {MISSING_FIX}")),
            "{command:?}: {}",
            run.stderr
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Undeclared data.csv columns are ignored with a warning.

#[test]
fn undeclared_columns_are_ignored_with_a_located_warning() {
    let data = with_column(&ieci_file("data.csv"), "uNum", "1");
    let data = with_column(&data, "Time", "2022");
    let data = with_column(&data, "Notes", "checked");
    let index = load(&ieci_file("meta.csv"), &data).unwrap();
    let reference = load(&ieci_file("meta.csv"), &ieci_file("data.csv")).unwrap();
    assert_eq!(index.raw, reference.raw, "the extra columns change nothing");
    assert!(reference.warnings.is_empty(), "{:?}", reference.warnings);
    // `Time` is COINr's special column (the data's year): expected, so not reported.
    let columns: Vec<&str> = index
        .warnings
        .iter()
        .map(|w| w.location.column.as_deref().unwrap())
        .collect();
    assert_eq!(columns, ["uNum", "Notes"]);
    let warning = &index.warnings[0];
    assert_eq!(
        (warning.location.file.as_str(), warning.location.line),
        ("data.csv", Some(1))
    );
    assert_eq!(
        warning.problem,
        "column `uNum` is not declared in meta.csv, so it is ignored"
    );
    assert_eq!(
        warning.fix,
        "declare it in meta.csv (a row with Type Indicator, Group or Denominator) if the index \
         should use it, or delete the column"
    );
}

#[test]
fn undeclared_columns_that_are_used_or_already_reported_are_not_warned_about() {
    // An undeclared column an indicator divides by is used.
    let meta = ieci_file("meta.csv").replacen("Type,Unit", "Type,Unit,Denominator", 1);
    let meta: String = meta
        .lines()
        .enumerate()
        .map(|(i, line)| match i {
            0 => format!("{line}\n"),
            1 => format!("{line},Pop\n"),
            _ => format!("{line},\n"),
        })
        .collect();
    let data = with_column(&ieci_file("data.csv"), "Pop", "8");
    assert!(load(&meta, &data).unwrap().warnings.is_empty());
    // A misspelt indicator column is an error naming it; no warning on top.
    let data = ieci_file("data.csv").replacen("LIV_EIU", "LIV_EUI", 1);
    let error = load(&ieci_file("meta.csv"), &data).unwrap_err();
    let d = at(error.diagnostics(), "data.csv", 1, "LIV_EUI");
    assert!(d.problem.contains("close to indicator `LIV_EIU`"), "{d}");
}

#[test]
fn many_undeclared_columns_end_in_one_summarising_warning() {
    let mut data = ieci_file("data.csv");
    for k in 1..=8 {
        data = with_column(&data, &format!("x{k}"), "1");
    }
    let index = load(&ieci_file("meta.csv"), &data).unwrap();
    assert_eq!(index.warnings.len(), 6);
    let last = &index.warnings[5];
    assert_eq!(last.location.column.as_deref(), Some("x6"));
    assert_eq!(
        last.problem,
        "3 more columns are not declared in meta.csv, so they are ignored: `x6`, `x7`, `x8`"
    );
}

#[test]
fn every_command_shows_the_warning_and_summary_json_records_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = with_column(&ieci_file("data.csv"), "Notes", "ok");
    let path = write_index(
        dir.path(),
        &ieci_file("meta.csv"),
        &data,
        &ieci_file("index.toml"),
    );
    let warning = "/data.csv:1, column `Notes`: column `Notes` is not declared in meta.csv, so \
                   it is ignored\n  fix: declare it in meta.csv";
    for command in [
        &["score"][..],
        &["score", "--format", "csv"],
        &["bounds"],
        &["stability"],
        &["drop"],
        &[
            "uncertainty",
            "--samples",
            "50",
            "--scenario",
            "ieci-weights",
        ],
    ] {
        let run = run(command, &path);
        assert_eq!(run.code, 0, "{command:?}: {}", run.stderr);
        assert_eq!(
            run.stderr.matches(warning).count(),
            1,
            "{command:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.starts_with("warning: "),
            "{command:?}: {}",
            run.stderr
        );
    }
    // validate reports it in its own output.
    let validate = run(&["validate"], &path);
    assert_eq!(validate.code, 0, "{}", validate.stderr);
    assert!(validate.stdout.contains(warning), "{}", validate.stdout);
    assert!(validate.stderr.is_empty(), "{}", validate.stderr);
    assert!(validate.stdout.starts_with("ok: "), "{}", validate.stdout);
    // The report folder records it.
    let out = dir.path().join("out");
    let run = ranksense()
        .args([
            "uncertainty",
            "--samples",
            "50",
            "--scenario",
            "ieci-weights",
            "--data",
        ])
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary: Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    let warnings = summary["data"]["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0]["location"]["file"]
            .as_str()
            .unwrap()
            .ends_with("/data.csv")
    );
    assert_eq!(warnings[0]["location"]["line"], 1);
    assert_eq!(warnings[0]["location"]["column"], "Notes");
    assert!(
        warnings[0]["fix"]
            .as_str()
            .unwrap()
            .starts_with("declare it in meta.csv")
    );
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("/data.csv:1, column `Notes`: column `Notes` is not declared"),
        "{report}"
    );
}

#[test]
fn data_without_extra_columns_writes_no_warnings_to_summary_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = ranksense()
        .args(["uncertainty", "--samples", "50", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success());
    assert!(String::from_utf8(run.stderr).unwrap().is_empty());
    let summary: Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    let data = summary["data"].as_object().unwrap();
    for key in ["warnings", "screened_out", "screening"] {
        assert!(!data.contains_key(key), "{key}");
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Screening is disclosed everywhere.

/// The IECI with `screen = 1.0` and Beijing's liveability score missing: Beijing has 24 of 25
/// indicators and is screened out.
fn screened_ieci(dir: &Path) -> PathBuf {
    let data = with_cell(&ieci_file("data.csv"), 8, "LIV_EIU", "");
    let toml = ieci_file("index.toml").replace("[method]\n", "[method]\nscreen = 1.0\n");
    assert!(toml.contains("screen = 1.0"));
    write_index(dir, &ieci_file("meta.csv"), &data, &toml)
}

const BEIJING_REASON: &str =
    "`BEJ` (Beijing): data availability 0.96 (24 of 25 indicators) is below the threshold 1.0";
const BEIJING_FOCUS_ERROR: &str = "`BEJ` (Beijing) was screened out: data availability 0.96 (24 \
     of 25 indicators) is below the threshold 1.0; fix: lower `screen` in index.toml or complete \
     its data";

#[test]
fn validate_and_score_name_the_screened_out_unit() {
    let dir = tempfile::tempdir().unwrap();
    let path = screened_ieci(dir.path());
    let validate = run(&["validate"], &path);
    assert_eq!(validate.code, 0, "{}", validate.stderr);
    assert!(
        validate
            .stdout
            .contains("37 units (36 ranked, 1 screened out), 25 indicators"),
        "{}",
        validate.stdout
    );
    assert!(
        validate.stdout.contains(&format!(
            "note: Screening (`screen = 1.0` in index.toml: a unit needs data for at least that \
             share of the indicators) left out 1 of 37 units, which are not ranked: \
             {BEIJING_REASON}\n"
        )),
        "{}",
        validate.stdout
    );

    let score = run(&["score"], &path);
    assert_eq!(score.code, 0, "{}", score.stderr);
    let (header, table) = score.stdout.split_once("\n\n").unwrap();
    assert!(header.contains(BEIJING_REASON), "{header}");
    assert!(!table.contains("Beijing"), "{table}");
    // A header line, a rule, then one row per ranked unit, ranked 1 to 36.
    let rows: Vec<&str> = table.lines().skip(2).collect();
    assert_eq!(rows.len(), 36, "{table}");
    assert!(rows[35].trim_start().starts_with("36  "), "{table}");
    assert!(
        score.stderr.is_empty(),
        "the table discloses it: {}",
        score.stderr
    );

    let csv = run(&["score", "--format", "csv"], &path);
    assert_eq!(csv.code, 0);
    assert_eq!(
        csv.stdout.lines().count(),
        1 + 36,
        "header + 36 ranked units"
    );
    assert!(!csv.stdout.contains("BEJ"));
    assert!(csv.stderr.contains(BEIJING_REASON), "{}", csv.stderr);
    let markdown = run(&["score", "--format", "markdown"], &path);
    assert!(
        markdown.stdout.contains(BEIJING_REASON),
        "{}",
        markdown.stdout
    );
}

#[test]
fn every_command_that_takes_a_focus_says_the_focus_was_screened_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = screened_ieci(dir.path());
    // index.toml's default focus is BEJ; `--focus Beijing` names it by name.
    let commands: [&[&str]; 8] = [
        &[
            "uncertainty",
            "--samples",
            "20",
            "--scenario",
            "ieci-weights",
        ],
        &[
            "uncertainty",
            "--samples",
            "20",
            "--focus",
            "Beijing",
            "--scenario",
            "ieci-full",
        ],
        &[
            "sensitivity",
            "--base-samples",
            "8",
            "--scenario",
            "ieci-weights",
        ],
        &["robust", "--samples", "20", "--scenario", "ieci-weights"],
        &["bounds"],
        &["stability", "--focus", "BEJ"],
        &["sweep", "--focus", "bej"],
        &["drop"],
    ];
    for command in commands {
        let run = run(command, &path);
        assert_eq!(run.code, 2, "{command:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(BEIJING_FOCUS_ERROR),
            "{command:?}: {}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("not in the data"),
            "{command:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn summary_json_and_the_reports_name_the_screened_out_unit() {
    let dir = tempfile::tempdir().unwrap();
    let path = screened_ieci(dir.path());
    let out = dir.path().join("uncertainty");
    let run = ranksense()
        .args(["uncertainty", "--samples", "50", "--focus", "NYC"])
        .args(["--scenario", "ieci-weights", "--data"])
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Every command that loads the data says so on stderr too.
    assert!(
        String::from_utf8(run.stderr)
            .unwrap()
            .contains(BEIJING_REASON)
    );
    let summary: Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    let screened = summary["data"]["screened_out"].as_array().unwrap();
    assert_eq!(screened.len(), 1);
    assert_eq!(screened[0]["code"], "BEJ");
    assert_eq!(screened[0]["present"], 24);
    assert_eq!(screened[0]["indicators"], 25);
    assert_eq!(screened[0]["availability"], 0.96);
    assert_eq!(screened[0]["threshold"], 1.0);
    assert!(
        summary["data"]["screening"]
            .as_str()
            .unwrap()
            .contains(BEIJING_REASON)
    );
    assert_eq!(
        summary["uncertainty"]["statistics"]["units"]
            .as_array()
            .unwrap()
            .len(),
        36
    );
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains(BEIJING_REASON), "{report}");

    let out = dir.path().join("robust");
    let run = ranksense()
        .args([
            "robust",
            "--samples",
            "200",
            "--base-samples",
            "16",
            "--bootstrap",
            "20",
            "--focus",
            "NYC",
            "--scenario",
            "ieci-weights",
            "--data",
        ])
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("data availability 0.96 (24 of 25 indicators) is below the threshold 1.0"),
        "report.html"
    );
    let markdown = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(markdown.contains(BEIJING_REASON));
}

#[test]
fn a_value_that_is_not_a_number_is_refused_even_where_the_row_does_not_use_it() {
    // An aggregate's Direction is not used, but `inf` or text there is still a mistake.
    let meta = ieci_file("meta.csv");
    let data = ieci_file("data.csv");
    for bad in ["inf", "text", "-1e400"] {
        let error = load(&with_cell(&meta, 27, "Direction", bad), &data).unwrap_err();
        let diagnostic = at(error.diagnostics(), "meta.csv", 27, "Direction");
        assert!(diagnostic.problem.contains("not a number"), "{diagnostic}");
        assert!(
            diagnostic.fix.contains("leave Direction empty"),
            "{diagnostic}"
        );
    }
    // Nor is an aggregate's Target used.
    let meta_with_target = format!(
        "{}\n",
        meta.lines()
            .enumerate()
            .map(|(i, l)| if i == 0 {
                format!("{l},Target")
            } else {
                format!("{l},")
            })
            .collect::<Vec<_>>()
            .join("\n")
    );
    let error = load(&with_cell(&meta_with_target, 27, "Target", "text"), &data).unwrap_err();
    at(error.diagnostics(), "meta.csv", 27, "Target");
    // A Group row has no Level: `NaN` there is refused too.
    let line = 1 + meta
        .lines()
        .position(|l| l.contains(",Group"))
        .expect("a Group row");
    let error = load(&with_cell(&meta, line, "Level", "NaN"), &data).unwrap_err();
    at(error.diagnostics(), "meta.csv", line, "Level");
    // Numbers and empty cells stay accepted there, as COINr writes them.
    load(&with_cell(&meta, 27, "Direction", "1"), &data).unwrap();
    load(&with_cell(&meta, 27, "Direction", ""), &data).unwrap();
}

#[test]
fn a_screened_out_reference_unit_is_named_as_screened_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = screened_ieci(dir.path());
    let refused = run(&["score", "--normalisation", "dist2ref(BEJ)"], &path);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("reference unit `BEJ`, which screening left out"),
        "{}",
        refused.stderr
    );
    let unknown = run(&["score", "--normalisation", "dist2ref(XXX)"], &path);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("which is not in the data"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn validate_with_a_scenario_refuses_a_screened_focus_without_saying_ok() {
    // The run refuses a screened-out focus; validate --scenario must refuse it too, and must
    // not print an "ok" for the index before the refusal.
    let dir = tempfile::tempdir().unwrap();
    let path = screened_ieci(dir.path());
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ieci-weights.toml");
    let validate = run(
        &["validate", "--scenario", scenario.to_str().unwrap()],
        &path,
    );
    assert_eq!(validate.code, 2, "{}", validate.stderr);
    assert!(
        validate.stderr.contains(BEIJING_FOCUS_ERROR),
        "{}",
        validate.stderr
    );
    assert!(!validate.stdout.contains("ok:"), "{}", validate.stdout);
}
