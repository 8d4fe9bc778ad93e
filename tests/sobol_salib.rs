//! `ranksense sobol analyze --layout salib`: SALib's own Ishigami design and indices (fixture made with SALib 1.6.0, see tests/fixtures/salib/README.md) reproduced; designs in the wrong row order named as such; `sobol sample` warns when N is not a power of two with Sobol points.

use std::path::Path;

use assert_cmd::Command;
use ranksense::analysis::sobol::test_functions::ishigami;

const DESIGN: &str = "tests/fixtures/salib/ishigami_design.txt";
const OUTPUTS: &str = "tests/fixtures/salib/ishigami_outputs.txt";
const INDICES: &str = "tests/fixtures/salib/ishigami_salib_indices.csv";
const K: usize = 3;
const N: usize = 1024;

fn ranksense() -> Command {
    Command::cargo_bin("ranksense").expect("the binary is built")
}

fn numbers(path: &str) -> Vec<Vec<f64>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| {
            line.split_whitespace()
                .map(|v| v.parse().unwrap())
                .collect()
        })
        .collect()
}

/// SALib's S1, S1_conf, ST, ST_conf per factor.
fn salib_indices() -> Vec<[f64; 4]> {
    let mut reader = csv::Reader::from_path(INDICES).unwrap();
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let mut values = [0.0; 4];
            for (value, field) in values.iter_mut().zip(record.iter().skip(1)) {
                *value = field.parse().unwrap();
            }
            values
        })
        .collect()
}

/// `sobol analyze --format json` on a design and outputs file: (variance, [(S1, ST)]).
fn analyze_json(design: &Path, outputs: &Path, extra: &[&str]) -> (f64, Vec<(f64, f64)>) {
    let output = ranksense()
        .args(["sobol", "analyze", "--layout", "salib", "--format", "json"])
        .arg("--design")
        .arg(design)
        .arg("--outputs")
        .arg(outputs)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = &json["result"];
    assert_eq!(result["n"], N);
    let indices = result["indices"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, index)| {
            assert_eq!(index["factor"], format!("x{}", i + 1));
            (
                index["first"]["value"].as_f64().unwrap(),
                index["total"]["value"].as_f64().unwrap(),
            )
        })
        .collect();
    (result["variance"].as_f64().unwrap(), indices)
}

/// Both of ranksense's estimators are Saltelli (2010) / Jansen (1999) with V = sample variance
/// of the A and B outputs (denominator 2N − 1); `centred` subtracts their mean c from y_B,
/// `coinr` nothing. SALib's `sobol.analyze` standardises Y by the mean m and standard deviation
/// of *all* N (k + 2) outputs and divides by `np.var` (denominator 2N). They are tied exactly:
///   ST_SALib = ST · 2N / (2N − 1),
///   S1_SALib = (S1 · V − (m − c) · mean_j(y_ABi,j − y_A,j)) / V₀, V₀ = V (2N − 1) / 2N,
/// (c = 0 for `coinr`). Checking these to 1e-9 pins that `--layout salib` pairs every run with
/// the right A, B and AB_i output (any mis-grouping changes the indices at the 1e-2 level); the
/// raw differences are within the stated bounds below.
#[test]
fn analyze_reproduces_salib_indices_on_salib_design() {
    let salib = salib_indices();
    let y: Vec<f64> = numbers(OUTPUTS).into_iter().map(|row| row[0]).collect();
    assert_eq!(y.len(), N * (K + 2));
    let mean_all = y.iter().sum::<f64>() / y.len() as f64;
    // SALib's separate_output_values: A = Y[0::k+2], B = Y[k+1::k+2], AB_i = Y[i+1::k+2].
    let mean_ab = (0..N)
        .map(|j| y[j * (K + 2)] + y[j * (K + 2) + K + 1])
        .sum::<f64>()
        / (2 * N) as f64;
    let two_n = 2.0 * N as f64;
    for (estimator, offset) in [("coinr", 0.0), ("centred", mean_ab)] {
        let (variance, ours) = analyze_json(
            Path::new(DESIGN),
            Path::new(OUTPUTS),
            &["--estimator", estimator],
        );
        let variance0 = variance * (two_n - 1.0) / two_n;
        for i in 0..K {
            let step_mean = (0..N)
                .map(|j| y[j * (K + 2) + 1 + i] - y[j * (K + 2)])
                .sum::<f64>()
                / N as f64;
            let (s1, st) = ours[i];
            let [salib_s1, _, salib_st, _] = salib[i];
            let s1_as_salib = (s1 * variance - (mean_all - offset) * step_mean) / variance0;
            assert!(
                (s1_as_salib - salib_s1).abs() < 1e-9,
                "{estimator} x{}: S1 {s1_as_salib} vs SALib {salib_s1}",
                i + 1
            );
            assert!(
                (st * two_n / (two_n - 1.0) - salib_st).abs() < 1e-9,
                "{estimator} x{}: ST {st} vs SALib {salib_st}",
                i + 1
            );
            // Directly: the variance denominators differ by 1/(2N); the centring term by
            // |(m − c) d_i|/V.
            assert!((st - salib_st).abs() <= salib_st / (two_n - 1.0) + 1e-12);
            assert!(
                (s1 - salib_s1).abs() < 2e-3,
                "{estimator} x{}: {s1} vs {salib_s1}",
                i + 1
            );
        }
    }
    let (variance, ours) = analyze_json(Path::new(DESIGN), Path::new(OUTPUTS), &[]);

    // The same design saved with commas (np.savetxt(..., delimiter=",")) reads the same.
    let dir = tempfile::tempdir().unwrap();
    let commas = dir.path().join("design.csv");
    let text = std::fs::read_to_string(DESIGN).unwrap().replace(' ', ",");
    std::fs::write(&commas, text).unwrap();
    let (comma_variance, comma_indices) = analyze_json(&commas, Path::new(OUTPUTS), &[]);
    assert_eq!(comma_variance, variance);
    assert_eq!(comma_indices, ours);
}

/// A calc_second_order=True design (2k + 2 rows per base row: A, AB_1..AB_k, BA_1..BA_k, B) is
/// recognised by its row count and structure; its BA rows do not enter S1 or ST, so the indices
/// equal those of the first-order design it was built from.
#[test]
fn second_order_design_gives_the_first_order_indices() {
    let design = numbers(DESIGN);
    let mut rows = Vec::new();
    for group in design.chunks(K + 2) {
        let (a, b) = (&group[0], &group[K + 1]);
        rows.extend(group[..=K].iter().cloned());
        for i in 0..K {
            let mut ba = b.clone();
            ba[i] = a[i];
            rows.push(ba);
        }
        rows.push(b.clone());
    }
    assert_eq!(rows.len(), N * (2 * K + 2));
    let dir = tempfile::tempdir().unwrap();
    let design_path = dir.path().join("design2.txt");
    let outputs_path = dir.path().join("outputs2.txt");
    let mut design_text = String::new();
    let mut outputs_text = String::new();
    for row in &rows {
        let line: Vec<String> = row.iter().map(|v| format!("{v:e}")).collect();
        design_text.push_str(&line.join(" "));
        design_text.push('\n');
        outputs_text.push_str(&format!(
            "{:e}\n",
            ishigami([row[0], row[1], row[2]], 7.0, 0.1)
        ));
    }
    std::fs::write(&design_path, design_text).unwrap();
    std::fs::write(&outputs_path, outputs_text).unwrap();
    let (_, second) = analyze_json(&design_path, &outputs_path, &[]);
    let (_, first) = analyze_json(Path::new(DESIGN), Path::new(OUTPUTS), &[]);
    for ((s1, st), (f1, ft)) in second.iter().zip(&first) {
        // Outputs recomputed in Rust instead of numpy: equal to rounding.
        assert!((s1 - f1).abs() < 1e-9 && (st - ft).abs() < 1e-9);
    }
}

fn failure(args: &[&str]) -> String {
    let output = ranksense().args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn a_design_in_the_other_order_is_named_with_the_right_layout() {
    // SALib's file read as a block design.
    let stderr = failure(&["sobol", "analyze", "--design", DESIGN, "--outputs", OUTPUTS]);
    assert!(stderr.contains("rows are in SALib's order"), "{stderr}");
    assert!(
        stderr.contains("fix:") && stderr.contains("`--layout salib`"),
        "{stderr}"
    );

    let dir = tempfile::tempdir().unwrap();
    let factors = dir.path().join("factors.toml");
    std::fs::write(
        &factors,
        "[[factor]]\nname = \"p\"\nkind = \"uniform\"\nlow = 0\nhigh = 1\n\n\
         [[factor]]\nname = \"q\"\nkind = \"uniform\"\nlow = 0\nhigh = 1\n",
    )
    .unwrap();
    let blocks = dir.path().join("blocks.csv");
    let sampled = ranksense()
        .args(["sobol", "sample", "--n", "8", "--factors"])
        .arg(&factors)
        .arg("--out")
        .arg(&blocks)
        .output()
        .unwrap();
    assert!(sampled.status.success());
    let blocks_text = std::fs::read_to_string(&blocks).unwrap();
    let blocks_str = blocks.to_str().unwrap();

    // A ranksense block design read as SALib's.
    let stderr = failure(&[
        "sobol",
        "analyze",
        "--layout",
        "salib",
        "--design",
        blocks_str,
        "--outputs",
        blocks_str,
    ]);
    assert!(stderr.contains("in blocks of N runs"), "{stderr}");
    assert!(stderr.contains("`--layout blocks`"), "{stderr}");

    // The same numbers without header and labels, still in block order.
    let bare = dir.path().join("bare.txt");
    let bare_text: String = blocks_text
        .lines()
        .skip(1)
        .map(|line| line.splitn(3, ',').nth(2).unwrap().replace(',', " ") + "\n")
        .collect();
    std::fs::write(&bare, &bare_text).unwrap();
    let bare_str = bare.to_str().unwrap();
    let stderr = failure(&[
        "sobol",
        "analyze",
        "--layout",
        "salib",
        "--design",
        bare_str,
        "--outputs",
        bare_str,
    ]);
    assert!(stderr.contains("rows are in block order"), "{stderr}");

    // A labelled design in SALib's interleaved order read as blocks (before: "the A block has a
    // single row").
    let lines: Vec<&str> = blocks_text.lines().collect();
    let n = 8;
    let mut interleaved = vec![lines[0].to_string()];
    for j in 0..n {
        interleaved.push(lines[1 + j].to_string());
        for i in 0..2 {
            interleaved.push(lines[1 + (2 + i) * n + j].to_string());
        }
        interleaved.push(lines[1 + n + j].to_string());
    }
    let labelled = dir.path().join("interleaved.csv");
    std::fs::write(&labelled, interleaved.join("\n") + "\n").unwrap();
    let labelled_str = labelled.to_str().unwrap();
    let stderr = failure(&[
        "sobol",
        "analyze",
        "--design",
        labelled_str,
        "--outputs",
        labelled_str,
    ]);
    assert!(stderr.contains(":3, column `block`"), "{stderr}");
    assert!(stderr.contains("interleaved per base row"), "{stderr}");
    assert!(stderr.contains("`--layout salib`"), "{stderr}");
    assert!(!stderr.contains("single row"), "{stderr}");
}

#[test]
fn sample_warns_when_n_is_not_a_power_of_two_with_sobol_points() {
    let dir = tempfile::tempdir().unwrap();
    let factors = dir.path().join("factors.toml");
    std::fs::write(
        &factors,
        "[[factor]]\nname = \"p\"\nkind = \"uniform\"\nlow = 0\nhigh = 1\n",
    )
    .unwrap();
    let run = |n: &str, points: &str| {
        let output = ranksense()
            .args(["sobol", "sample", "--n", n, "--points", points, "--factors"])
            .arg(&factors)
            .output()
            .unwrap();
        assert!(output.status.success());
        // The design is still written in full: a warning, not an error.
        let rows = String::from_utf8(output.stdout).unwrap().lines().count();
        assert_eq!(rows, 1 + n.parse::<usize>().unwrap() * 3);
        String::from_utf8(output.stderr).unwrap()
    };
    let stderr = run("1000", "sobol");
    assert!(
        stderr.starts_with("warning: N = 1000 is not a power of two"),
        "{stderr}"
    );
    assert!(stderr.contains("--n 512 or --n 1024"), "{stderr}");
    assert!(stderr.contains("balanced"), "{stderr}");
    assert_eq!(run("1024", "sobol"), "");
    assert_eq!(run("1000", "random"), "");
}
