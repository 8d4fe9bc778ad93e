//! Method semantics against their definitions: missing values stay missing, Copeland is exact
//! and symmetric, fracmax respects direction, and one rule decides which method pairs can run,
//! with the same decision and message from index.toml, `score` what-ifs and scenarios.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use ranksense::model::method::{Aggregation, Imputation, Method};
use ranksense::model::{Index, load_dir, load_from_strings};
use ranksense::pipeline::{Config, Prepared, VariantSpec, evaluate, prepare};

const ASEM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/asem");

fn asem() -> Index {
    load_dir(Path::new(ASEM)).unwrap()
}

fn nominal_config(prepared: &Prepared, aggregation: Aggregation) -> Config {
    Config {
        variant: 0,
        aggregation: vec![aggregation; prepared.framework.n_aggregate_levels()],
        weights: prepared.framework.nominal_weights(),
    }
}

fn spec(imputation: Imputation, normalisation: &str) -> VariantSpec {
    VariantSpec {
        imputation,
        treatment: None,
        normalisation: normalisation.parse().unwrap(),
    }
}

/// ASEM without denomination, imputation, screening or treatment (COINr's minimal pipeline):
/// 63 cells are missing.
fn asem_minimal() -> Index {
    let mut index = asem();
    index.nominal = Method::simple(3);
    index
}

#[test]
fn capped_distance_to_target_follows_its_definition_on_asem() {
    let index = asem_minimal();
    let prepared = prepare(&index, &[spec(Imputation::None, "dist2targ(cap)")]).unwrap();
    let normalised = &prepared.variants[0].normalised;
    let mut missing = 0;
    for (j, info) in index.framework.indicators.iter().enumerate() {
        let d = info.direction;
        let raw = index.raw.col(j);
        let directed: Vec<f64> = raw.iter().filter(|x| !x.is_nan()).map(|x| x * d).collect();
        let low = directed.iter().copied().fold(f64::INFINITY, f64::min);
        let target = info.target.unwrap() * d;
        for (u, &x) in raw.iter().enumerate() {
            let y = normalised.col(j)[u];
            if x.is_nan() {
                missing += 1;
                assert!(y.is_nan(), "missing cell ({u}, {j}) became {y}");
            } else {
                // COINr n_dist2targ(cap_max = TRUE): (x − min) / (target − min), capped at 1.
                let expected = ((x * d - low) / (target - low)).min(1.0);
                assert_eq!(y, expected, "cell ({u}, {j})");
            }
        }
    }
    assert_eq!(missing, 63);

    // The index is the weighted mean over present children at every level: a unit's missing
    // cells lower nothing and raise nothing.
    let evaluation = evaluate(
        &prepared,
        &nominal_config(&prepared, Aggregation::Arithmetic),
    )
    .unwrap();
    let framework = &prepared.framework;
    for node in framework.aggregates() {
        for u in 0..prepared.n_units() {
            let (mut sum, mut weights) = (0.0, 0.0);
            for &c in &framework.nodes[node].children {
                let value = evaluation.scores[c][u];
                if !value.is_nan() {
                    sum += framework.nodes[c].weight * value;
                    weights += framework.nodes[c].weight;
                }
            }
            let expected = sum / weights;
            let ours = evaluation.scores[node][u];
            assert!(
                (ours - expected).abs() < 1e-12,
                "node {node} unit {u}: {ours} vs {expected}"
            );
        }
    }
}

/// Copeland at every level computed in exact integer arithmetic from its definition: a beats b
/// when the (integer) weight of the children where a is ahead exceeds that where b is ahead,
/// over the children both have; score = wins − losses.
fn copeland_reference(prepared: &Prepared) -> HashMap<usize, Vec<i64>> {
    let framework = &prepared.framework;
    let n = prepared.n_units();
    let mut values: HashMap<usize, Vec<Option<f64>>> = HashMap::new();
    for j in 0..framework.n_indicators() {
        let column = prepared.variants[0].normalised.col(j);
        values.insert(
            j,
            column.iter().map(|x| (!x.is_nan()).then_some(*x)).collect(),
        );
    }
    let mut scores = HashMap::new();
    for node in framework.aggregates() {
        let children = &framework.nodes[node].children;
        let mut out = vec![0i64; n];
        for a in 0..n {
            for b in 0..n {
                let mut balance = 0i64;
                for &c in children {
                    let weight = framework.nodes[c].weight;
                    assert_eq!(weight.fract(), 0.0, "ASEM weights are integers");
                    if let (Some(xa), Some(xb)) = (values[&c][a], values[&c][b]) {
                        balance += (weight as i64) * i64::from(xa > xb)
                            - (weight as i64) * i64::from(xa < xb);
                    }
                }
                out[a] += balance.signum();
            }
        }
        let present: Vec<bool> = (0..n)
            .map(|u| children.iter().any(|&c| values[&c][u].is_some()))
            .collect();
        values.insert(
            node,
            out.iter()
                .zip(&present)
                .map(|(&s, &p)| p.then_some(s as f64))
                .collect(),
        );
        scores.insert(node, out);
    }
    scores
}

#[test]
fn copeland_equals_an_exact_integer_computation_on_complete_asem() {
    // Mean-imputed ASEM has no gaps: COINr's a_copeland and this definition agree at every node.
    let mut index = asem();
    index.nominal.aggregation = vec![Aggregation::Copeland; 3];
    let prepared = prepare(&index, &[spec(Imputation::Mean, "minmax(0,100)")]).unwrap();
    assert!(!prepared.variants[0].has_missing);
    let evaluation =
        evaluate(&prepared, &nominal_config(&prepared, Aggregation::Copeland)).unwrap();
    let reference = copeland_reference(&prepared);
    let mut ties_at_half = 0;
    for (node, expected) in &reference {
        for (u, &e) in expected.iter().enumerate() {
            assert_eq!(
                evaluation.scores[*node][u], e as f64,
                "node {node}, unit {u}"
            );
        }
        ties_at_half += expected
            .iter()
            .filter(|&&e| e % 2 != (prepared.n_units() as i64 - 1) % 2)
            .count();
    }
    // Exact ties exist (a score of other parity than n − 1 needs a tied pair): the case that
    // floating-point shares compared with ½ got wrong.
    assert!(ties_at_half > 0);
}

#[test]
fn copeland_with_missing_values_does_not_depend_on_the_row_order() {
    let read = |name: &str| fs::read_to_string(Path::new(ASEM).join(name)).unwrap();
    let (meta, data) = (read("meta.csv"), read("data.csv"));
    let toml = "[method]\naggregation = \"copeland\"\n";
    let mut lines: Vec<&str> = data.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let reversed = format!("{header}\n{}\n", lines.join("\n"));
    let scores = |data: &str| -> HashMap<String, f64> {
        let index = load_from_strings(
            ("meta.csv", &meta),
            ("data.csv", data),
            Some(("index.toml", toml)),
            "asem",
        )
        .unwrap();
        let prepared = prepare(&index, &[spec(Imputation::None, "minmax(0,100)")]).unwrap();
        assert!(prepared.variants[0].has_missing);
        let evaluation =
            evaluate(&prepared, &nominal_config(&prepared, Aggregation::Copeland)).unwrap();
        let top = prepared.framework.top;
        prepared
            .units
            .iter()
            .map(|u| u.code.clone())
            .zip(evaluation.scores[top].iter().copied())
            .collect()
    };
    let (forward, backward) = (scores(&data), scores(&reversed));
    assert_eq!(forward.len(), 51);
    assert_eq!(forward, backward);
    // And equal to the exact definition with missing children left out of each pair.
    let index = load_from_strings(
        ("meta.csv", &meta),
        ("data.csv", &data),
        Some(("index.toml", toml)),
        "asem",
    )
    .unwrap();
    let prepared = prepare(&index, &[spec(Imputation::None, "minmax(0,100)")]).unwrap();
    let reference = copeland_reference(&prepared);
    let top = prepared.framework.top;
    for (u, unit) in prepared.units.iter().enumerate() {
        assert_eq!(
            forward[&unit.code], reference[&top][u] as f64,
            "{}",
            unit.code
        );
    }
}

fn write_index(dir: &Path, toml: &str) {
    fs::write(
        dir.join("meta.csv"),
        "Level,iCode,iName,Direction,Weight,Parent,Type\n\
         1,good,Good,1,1,P1,Indicator\n1,bad,Bad,-1,1,P1,Indicator\n\
         1,x3,Third,1,1,P2,Indicator\n1,x4,Fourth,1,2,P2,Indicator\n\
         2,P1,Pillar one,1,1,Index,Aggregate\n2,P2,Pillar two,1,1,Index,Aggregate\n\
         3,Index,Index,1,1,,Aggregate\n",
    )
    .unwrap();
    fs::write(
        dir.join("data.csv"),
        "uCode,uName,good,bad,x3,x4\nA,Alpha,10,1,3,7\nB,Beta,5,5,9,2\nC,Gamma,1,10,4,4\n\
         D,Delta,6,3,2,8\nE,Epsilon,7,8,6,1\nF,Phi,3,6,5,5\n",
    )
    .unwrap();
    fs::write(dir.join("index.toml"), toml).unwrap();
}

fn ranksense() -> Command {
    Command::cargo_bin("ranksense").unwrap()
}

#[test]
fn fracmax_ranks_the_best_unit_first_whatever_the_direction() {
    let dir = tempfile::tempdir().unwrap();
    write_index(dir.path(), "[method]\nnormalisation = \"fracmax\"\n");
    let output = ranksense()
        .args(["score", "--format", "csv", "--level", "1", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row = |code: &str| -> Vec<String> {
        text.lines()
            .find(|l| l.split(',').any(|c| c == code))
            .unwrap()
            .split(',')
            .map(String::from)
            .collect()
    };
    // bad (lower is better): min / x = 1/1, 1/5, 1/10 for A, B, C.
    let value = |code: &str, indicator: &str| row(code)[column(indicator)].parse::<f64>().unwrap();
    assert_eq!(value("A", "bad"), 1.0);
    assert_eq!(value("B", "bad"), 0.2);
    assert_eq!(value("C", "bad"), 0.1);
    assert_eq!(value("A", "good"), 1.0);
    assert_eq!(value("C", "good"), 0.1);
    // A is best on both indicators of P1: A outranks C on P1.
    assert!(value("A", "P1") > value("C", "P1"));
}

/// The line of `stderr` that states the refusal (from the method's name on), and the fix line.
fn refusal(stderr: &str, needle: &str) -> (String, String) {
    let lines: Vec<&str> = stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no `{needle}` in:\n{stderr}"));
    let problem = lines[at][lines[at].find(needle).unwrap()..].to_string();
    let fix = lines
        .get(at + 1)
        .map_or(String::new(), |l| l.trim().to_string());
    (problem, fix)
}

#[test]
fn one_rule_decides_every_method_pair_in_every_route() {
    let normalisations = [
        "minmax(0,100)",
        "minmax(1,100)",
        "zscore(10,2)",
        "zscore(0,1)",
        "rank",
        "borda",
        "percentile",
        "fracmax",
        "scaled(0,100)",
    ];
    let aggregations = [
        "arithmetic",
        "geometric",
        "harmonic",
        "generalised(2)",
        "generalised(200)",
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut refused = 0;
    for normalisation in normalisations {
        for aggregation in aggregations {
            // 1. index.toml
            let own = dir.path().join("own");
            fs::create_dir_all(&own).unwrap();
            write_index(
                &own,
                &format!(
                    "[method]\nnormalisation = \"{normalisation}\"\naggregation = \"{aggregation}\"\n"
                ),
            );
            let from_toml = ranksense()
                .args(["score", "--data"])
                .arg(&own)
                .output()
                .unwrap();
            // 2. score what-ifs on the default index
            let plain = dir.path().join("plain");
            fs::create_dir_all(&plain).unwrap();
            write_index(&plain, "[method]\nnormalisation = \"minmax(0,100)\"\n");
            let from_flags = ranksense()
                .args([
                    "score",
                    "--normalisation",
                    normalisation,
                    "--aggregation",
                    aggregation,
                    "--data",
                ])
                .arg(&plain)
                .output()
                .unwrap();
            // 3. a scenario that samples the pair
            let scenario = dir.path().join("pair.toml");
            fs::write(
                &scenario,
                format!(
                    "[normalisation]\nalternatives = [\"{normalisation}\"]\n\n\
                     [[aggregation]]\nalternatives = [\"{aggregation}\"]\n"
                ),
            )
            .unwrap();
            let from_scenario = ranksense()
                .args(["uncertainty", "--samples", "20", "--threads", "1", "--data"])
                .arg(&plain)
                .arg("--scenario")
                .arg(&scenario)
                .output()
                .unwrap();
            let routes = [
                ("index.toml", from_toml),
                ("score flags", from_flags),
                ("scenario", from_scenario),
            ];
            let codes: Vec<Option<i32>> = routes.iter().map(|(_, o)| o.status.code()).collect();
            assert!(
                codes.iter().all(|c| *c == codes[0]),
                "{normalisation} × {aggregation}: exit codes {codes:?}\n{}",
                routes
                    .iter()
                    .map(|(r, o)| format!("{r}: {}", String::from_utf8_lossy(&o.stderr)))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            match codes[0] {
                Some(0) => {}
                Some(2) => {
                    refused += 1;
                    let needle = format!("`{aggregation}` aggregation (level");
                    let messages: Vec<(String, String)> = routes
                        .iter()
                        .map(|(_, o)| refusal(&String::from_utf8_lossy(&o.stderr), &needle))
                        .collect();
                    for (route, message) in routes.iter().map(|(r, _)| r).zip(&messages) {
                        assert_eq!(
                            message, &messages[0],
                            "{normalisation} × {aggregation}: {route}"
                        );
                    }
                }
                other => panic!("{normalisation} × {aggregation}: exit {other:?}"),
            }
        }
    }
    // Refused: the floors at 0 (minmax(0,100), borda, percentile) and zscore(0,1) under the
    // three positive-only means, and generalised(200) overflowing everywhere else it can run.
    assert!(refused > 4 * 3, "only {refused} pairs refused");
}

#[test]
fn the_documented_scoring_path_refuses_what_it_cannot_score() {
    use ranksense::pipeline::{AggregationRangeError, ConfigError};
    // Geometric means on min-max(0,100) data: an error, not a panic (exit 101) or NaN scores.
    let index = asem_minimal();
    let prepared = prepare(&index, &[spec(Imputation::None, "minmax(0,100)")]).unwrap();
    let error = evaluate(
        &prepared,
        &nominal_config(&prepared, Aggregation::Geometric),
    )
    .unwrap_err();
    assert!(
        matches!(
            error,
            ConfigError::Range(AggregationRangeError::NotPositive { level: 2, .. })
        ),
        "{error}"
    );
    assert!(error.to_string().contains("minmax(1,100)"), "{error}");
    // Malformed configurations are errors too.
    let mut config = nominal_config(&prepared, Aggregation::Arithmetic);
    config.weights[0] = f64::NAN;
    assert!(matches!(
        evaluate(&prepared, &config),
        Err(ConfigError::BadWeight { .. })
    ));
    let mut config = nominal_config(&prepared, Aggregation::Arithmetic);
    config.aggregation.pop();
    assert!(matches!(
        evaluate(&prepared, &config),
        Err(ConfigError::AggregationCount {
            given: 2,
            levels: 3
        })
    ));
    let mut config = nominal_config(&prepared, Aggregation::Arithmetic);
    config.variant = 1;
    assert!(matches!(
        evaluate(&prepared, &config),
        Err(ConfigError::UnknownVariant { .. })
    ));
}
