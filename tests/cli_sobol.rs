//! `ranksense sobol sample|analyze` through the CLI: COINr's SA estimates reproduced from its design file, an Ishigami round trip, and bad input reported with file and line (exit code 2).

use std::f64::consts::PI;
use std::path::Path;

use assert_cmd::Command;
use ranksense::analysis::sobol::test_functions::{IshigamiAnalytic, ishigami};

const DESIGN: &str = "tests/fixtures/coinr-asem/coinr_SA_N100_design.csv";
const SOBOL: &str = "tests/fixtures/coinr-asem/coinr_SA_N100_sobol.csv";

fn ranksense() -> Command {
    Command::cargo_bin("ranksense").expect("the binary is built")
}

/// `sobol.csv` rows: (target, factor, [Si, Si_lo, Si_hi, STi, STi_lo, STi_hi]).
fn parse_sobol_csv(text: &str) -> Vec<(String, String, [f64; 6])> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "target", "factor", "Si", "Si_lo", "Si_hi", "STi", "STi_lo", "STi_hi"
        ]
    );
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let mut values = [0.0; 6];
            for (value, field) in values.iter_mut().zip(record.iter().skip(2)) {
                *value = field.parse().unwrap();
            }
            (record[0].to_string(), record[1].to_string(), values)
        })
        .collect()
}

#[test]
fn analyze_reproduces_coinr_from_its_design_file() {
    let output = ranksense()
        .args([
            "sobol",
            "analyze",
            "--estimator",
            "coinr",
            "--design",
            DESIGN,
            "--outputs",
            DESIGN,
        ])
        .args(["--column", "MeanAbsRankChange", "--format", "csv"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let ours = parse_sobol_csv(&String::from_utf8(output.stdout).unwrap());

    let mut coinr = csv::Reader::from_path(SOBOL).unwrap();
    let expected: Vec<(String, f64, f64)> = coinr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_string(),
                r[1].parse().unwrap(),
                r[2].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(ours.len(), expected.len());
    for ((target, factor, values), (name, si, sti)) in ours.iter().zip(&expected) {
        assert_eq!(target, "MeanAbsRankChange");
        assert_eq!(factor, name);
        assert!(
            (values[0] - si).abs() < 1e-12,
            "{name}: Si {} vs COINr {si}",
            values[0]
        );
        assert!(
            (values[3] - sti).abs() < 1e-12,
            "{name}: STi {} vs COINr {sti}",
            values[3]
        );
        // Percentile intervals bracket the point estimates.
        assert!(
            values[1] <= values[0] && values[0] <= values[2],
            "{name}: {values:?}"
        );
        assert!(
            values[4] <= values[3] && values[3] <= values[5],
            "{name}: {values:?}"
        );
    }
}

const ISHIGAMI_FACTORS: &str = r#"
[[factor]]
name = "x1"
kind = "uniform"
low = -3.141592653589793
high = 3.141592653589793

[[factor]]
name = "x2"
kind = "uniform"
low = -3.141592653589793
high = 3.141592653589793

[[factor]]
name = "x3"
kind = "uniform"
low = -3.141592653589793
high = 3.141592653589793
"#;

/// Runs the Ishigami function (a = 7, b = 0.1) on every row of a design; returns `run,y` CSV.
fn ishigami_outputs(design: &str) -> String {
    let mut reader = csv::Reader::from_reader(design.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["run", "block", "x1", "x2", "x3"]
    );
    let mut out = String::from("run,y\n");
    for record in reader.records() {
        let record = record.unwrap();
        let x: [f64; 3] = std::array::from_fn(|i| record[2 + i].parse().unwrap());
        assert!(x.iter().all(|v| (-PI..PI).contains(v)));
        out.push_str(&format!("{},{}\n", &record[0], ishigami(x, 7.0, 0.1)));
    }
    out
}

#[test]
fn sample_then_analyze_recovers_ishigami_indices() {
    let dir = tempfile::tempdir().unwrap();
    let factors = dir.path().join("factors.toml");
    std::fs::write(&factors, ISHIGAMI_FACTORS).unwrap();
    let n = 8192;
    let sample = ranksense()
        .args(["sobol", "sample", "--factors"])
        .arg(&factors)
        .args(["--n", &n.to_string(), "--seed", "3"])
        .output()
        .unwrap();
    assert!(
        sample.status.success(),
        "{}",
        String::from_utf8_lossy(&sample.stderr)
    );
    let design_text = String::from_utf8(sample.stdout).unwrap();
    assert_eq!(design_text.lines().count(), 1 + n * 5);
    let design = dir.path().join("design.csv");
    std::fs::write(&design, &design_text).unwrap();
    let outputs = dir.path().join("y.csv");
    std::fs::write(&outputs, ishigami_outputs(&design_text)).unwrap();

    // The same seed writes the same design, to a file as to standard output.
    let copy = dir.path().join("again.csv");
    ranksense()
        .args(["sobol", "sample", "--factors"])
        .arg(&factors)
        .args(["--n", &n.to_string(), "--seed", "3", "--out"])
        .arg(&copy)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), design_text);

    let analytic = IshigamiAnalytic::new(7.0, 0.1);
    for estimator in ["coinr", "centred"] {
        let out_dir = dir.path().join(format!("out-{estimator}"));
        let mut command = ranksense();
        command
            .args(["sobol", "analyze", "--design"])
            .arg(&design)
            .arg("--outputs")
            .arg(&outputs)
            .args([
                "--format",
                "csv",
                "--bootstrap",
                "200",
                "--estimator",
                estimator,
            ])
            .arg("--out")
            .arg(&out_dir);
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert_eq!(
            std::fs::read_to_string(out_dir.join("sobol.csv")).unwrap(),
            stdout
        );
        let rows = parse_sobol_csv(&stdout);
        assert_eq!(
            rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
            ["x1", "x2", "x3"]
        );
        // With N = 8192 scrambled Sobol rows the estimators' standard errors are about 0.01
        // (COINr's uncentred S_i: Ishigami's mean is 3.5); 0.03 leaves three of them.
        for (i, (_, factor, values)) in rows.iter().enumerate() {
            assert!(
                (values[0] - analytic.first[i]).abs() < 0.03,
                "{factor} ({estimator}): S = {} vs {}",
                values[0],
                analytic.first[i]
            );
            assert!(
                (values[3] - analytic.total[i]).abs() < 0.03,
                "{factor} ({estimator}): ST = {} vs {}",
                values[3],
                analytic.total[i]
            );
        }
    }
}

/// Runs `ranksense args…`, expects exit code 2, returns stderr.
fn input_error(args: &[&str]) -> String {
    let output = ranksense().args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{args:?}");
    String::from_utf8(output.stderr).unwrap()
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn bad_inputs_exit_2_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();

    // A factor kind that does not exist, on line 4 of the factors file.
    let factors = dir.path().join("f.toml");
    std::fs::write(
        &factors,
        ISHIGAMI_FACTORS.replacen("kind = \"uniform\"", "kind = \"normal\"", 1),
    )
    .unwrap();
    let stderr = input_error(&[
        "sobol",
        "sample",
        "--factors",
        path_str(&factors),
        "--n",
        "8",
    ]);
    let located = format!("{}:4, column `factor[1].kind`", factors.display());
    assert!(stderr.contains(&located), "{stderr}");
    assert!(
        stderr.contains("unknown kind `normal`") && stderr.contains("fix:"),
        "{stderr}"
    );

    // Too few base rows.
    std::fs::write(&factors, ISHIGAMI_FACTORS).unwrap();
    let stderr = input_error(&[
        "sobol",
        "sample",
        "--factors",
        path_str(&factors),
        "--n",
        "1",
    ]);
    assert!(stderr.contains("N = 1 base rows"), "{stderr}");

    // A design row edited by hand. In an N = 4 design lines 2–5 are A, 6–9 B and 10–13 AB_x1;
    // line 12 is AB_x1's third row, whose x2 must equal A's.
    let output = ranksense()
        .args([
            "sobol",
            "sample",
            "--factors",
            path_str(&factors),
            "--n",
            "4",
        ])
        .output()
        .unwrap();
    let design_text = String::from_utf8(output.stdout).unwrap();
    let mut lines: Vec<String> = design_text.lines().map(str::to_string).collect();
    let fields: Vec<&str> = lines[11].split(',').collect();
    lines[11] = format!(
        "{},{},{},0.5,{}",
        fields[0], fields[1], fields[2], fields[4]
    );
    let design = dir.path().join("d.csv");
    std::fs::write(&design, lines.join("\n")).unwrap();
    let outputs = dir.path().join("y.csv");
    std::fs::write(&outputs, ishigami_outputs(&design_text)).unwrap();
    let stderr = input_error(&[
        "sobol",
        "analyze",
        "--design",
        path_str(&design),
        "--outputs",
        path_str(&outputs),
    ]);
    assert!(
        stderr.contains(&format!("{}:12, column `x2`", design.display())),
        "{stderr}"
    );

    // An output that is not a number, on line 7 of the outputs file.
    std::fs::write(&design, &design_text).unwrap();
    let mut y: Vec<String> = ishigami_outputs(&design_text)
        .lines()
        .map(str::to_string)
        .collect();
    y[6] = "6,NA".to_string();
    std::fs::write(&outputs, y.join("\n")).unwrap();
    let stderr = input_error(&[
        "sobol",
        "analyze",
        "--design",
        path_str(&design),
        "--outputs",
        path_str(&outputs),
    ]);
    assert!(
        stderr.contains(&format!("{}:7, column `y`", outputs.display())),
        "{stderr}"
    );
    assert!(stderr.contains("`NA` is not a finite number"), "{stderr}");

    // A missing file and an unknown column.
    let stderr = input_error(&[
        "sobol",
        "analyze",
        "--design",
        "no-such-design.csv",
        "--outputs",
        path_str(&outputs),
    ]);
    assert!(
        stderr.contains("cannot read no-such-design.csv"),
        "{stderr}"
    );
    let stderr = input_error(&[
        "sobol",
        "analyze",
        "--design",
        DESIGN,
        "--outputs",
        DESIGN,
        "--column",
        "Rank",
    ]);
    assert!(stderr.contains("no column `Rank`"), "{stderr}");
}
