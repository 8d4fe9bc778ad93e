//! Converged runs (issue #13): the default answer does not depend on the seed, a quantile on a
//! knife edge is reported as a boundary, and the reported Monte Carlo intervals cover the values
//! of a very long run at close to their nominal rate.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use ranksense::analysis::convergence::QuantileState;
use ranksense::analysis::uncertainty::UncertaintyOptions;
use ranksense::analysis::uncertainty_run::{UncertaintyRun, run_uncertainty};
use ranksense::engine::Silent;
use ranksense::model::{Index, embedded};
use ranksense::scenario::Scenario;
use ranksense::scenario::embedded as scenarios;

fn load(data: &str, scenario: &str) -> (Index, Scenario, String) {
    let index = embedded::load(data).unwrap();
    let (file, text) = scenarios::find(scenario).unwrap();
    (
        index,
        Scenario::from_toml_str(text, file).unwrap(),
        text.to_string(),
    )
}

fn run(data: &(Index, Scenario, String), options: UncertaintyOptions) -> UncertaintyRun {
    run_uncertainty(&data.0, &data.1, &data.2, &options, &Silent).unwrap()
}

/// Two candidate ranges overlap.
fn agree(a: &QuantileState, b: &QuantileState) -> bool {
    let ((a_low, a_high), (b_low, b_high)) = (a.candidates(), b.candidates());
    a_low <= b_high && b_low <= a_high
}

#[test]
fn the_ieci_default_gives_the_same_answer_for_any_seed() {
    let ieci = load("ieci2022", "ieci-full");
    let converged = |seed| {
        run(
            &ieci,
            UncertaintyOptions {
                seed,
                converge: true,
                focus: Some("BEJ".into()),
                ..UncertaintyOptions::default()
            },
        )
    };
    let (a, b) = (converged(1), converged(2));
    assert!(a.convergence.settled && b.convergence.settled);
    let (va, vb) = (a.verdict.unwrap(), b.verdict.unwrap());
    // Beijing: the same median, 90% interval and rating (boundaries as boundaries).
    for (x, y) in [(va.median, vb.median), (va.q05, vb.q05), (va.q95, vb.q95)] {
        assert!(agree(&x, &y), "{x:?} vs {y:?}");
        if matches!(x, QuantileState::Settled { .. }) && matches!(y, QuantileState::Settled { .. })
        {
            assert_eq!(x, y);
        }
    }
    assert!(
        va.rating == vb.rating
            || Some(va.rating) == vb.rating_alternative
            || Some(vb.rating) == va.rating_alternative,
        "{:?}/{:?} vs {:?}/{:?}",
        va.rating,
        va.rating_alternative,
        vb.rating,
        vb.rating_alternative
    );
    // Probabilities rounded to the percent agree (each is within ±0.5 pp at 95%).
    for (p, q) in [
        (va.p_nominal_rank, vb.p_nominal_rank),
        (va.p_top_k, vb.p_top_k),
    ] {
        assert!((p - q).abs() < 0.01, "{p} vs {q}");
    }
    // Every unit: settled quantiles are equal; a boundary in one run is a boundary or one of
    // its two ranks in the other, and is reported as a boundary with both ranks.
    let mut boundaries = 0;
    for (ua, ub) in a.stats.units.iter().zip(&b.stats.units) {
        for (x, y) in [
            (&ua.median_accuracy.state, &ub.median_accuracy.state),
            (&ua.q05_accuracy.state, &ub.q05_accuracy.state),
            (&ua.q95_accuracy.state, &ub.q95_accuracy.state),
        ] {
            assert!(agree(x, y), "{}: {x:?} vs {y:?}", ua.code);
            match (x, y) {
                (QuantileState::Settled { .. }, QuantileState::Settled { .. }) => {
                    assert_eq!(x, y, "{}", ua.code)
                }
                (QuantileState::Boundary { low, high, .. }, _) => {
                    boundaries += 1;
                    assert_eq!(high - low, 1.0, "{}", ua.code);
                }
                (_, QuantileState::Unsettled { .. }) | (QuantileState::Unsettled { .. }, _) => {
                    panic!("{}: unsettled in a settled run", ua.code)
                }
                _ => {}
            }
        }
        assert!((ua.p_nominal_rank - ub.p_nominal_rank).abs() < 0.01);
        assert!((ua.p_top_k - ub.p_top_k).abs() < 0.01);
    }
    assert!(boundaries > 0, "the IECI has quantiles on a boundary");
}

/// Two units that tie exactly under symmetric weight noise, and one clearly behind.
fn symmetric_tie(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    fs::write(
        dir.join("meta.csv"),
        "Level,iCode,iName,Direction,Weight,Parent,Type\n\
         1,X,First,1,1,Top,Indicator\n\
         1,Y,Second,1,1,Top,Indicator\n\
         2,Top,Index,1,1,,Aggregate\n",
    )
    .unwrap();
    fs::write(
        dir.join("data.csv"),
        "uCode,uName,X,Y\nA,Unit A,10,0\nB,Unit B,0,10\nC,Unit C,1,1\nD,Unit D,0.5,0.5\n",
    )
    .unwrap();
    fs::write(
        dir.join("tie.toml"),
        "seed = 5\n[[weights]]\nlevel = 1\nmode = \"uniform\"\nspread = 0.25\n",
    )
    .unwrap();
}

#[test]
fn an_exact_tie_is_reported_as_a_boundary_not_a_side() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("tie");
    symmetric_tie(&data);
    let output = Command::cargo_bin("ranksense")
        .unwrap()
        .args(["uncertainty", "--data"])
        .arg(&data)
        .arg("--scenario")
        .arg(data.join("tie.toml"))
        .args(["--focus", "A", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let summary: serde_json::Value = serde_json::from_slice(&output).unwrap();
    let u = &summary["uncertainty"];
    assert_eq!(u["convergence"]["settled"], true, "{}", u["convergence"]);
    let median = &u["verdict"]["median"];
    assert_eq!(median["state"], "boundary", "{median}");
    assert_eq!(
        (median["low"].as_f64(), median["high"].as_f64()),
        (Some(1.0), Some(2.0))
    );
    let p = median["p_at_or_below"].as_f64().unwrap();
    assert!((p - 0.5).abs() < 0.01, "{p}");
    let sentence = u["verdict_sentence"].as_str().unwrap();
    assert!(sentence.contains("median rank is 1 or 2"), "{sentence}");
    assert!(
        sentence.contains("the median is 1 or 2: P(rank ≤ 1) = 0.5")
            || sentence.contains("the median is 1 or 2: P(rank ≤ 1) = 0.49"),
        "{sentence}"
    );
}

#[test]
fn reported_intervals_cover_a_long_run_at_close_to_their_nominal_rate() {
    let asem = load("asem", "asem-coinr");
    let reference = run(
        &asem,
        UncertaintyOptions {
            samples: 400_000,
            seed: 999,
            ..UncertaintyOptions::default()
        },
    );
    let (mut covered, mut total) = (0usize, 0usize);
    let (mut q_covered, mut q_total) = (0usize, 0usize);
    for seed in 1..=60 {
        let short = run(
            &asem,
            UncertaintyOptions {
                samples: 2_000,
                seed,
                ..UncertaintyOptions::default()
            },
        );
        for (s, r) in short.stats.units.iter().zip(&reference.stats.units) {
            for (ci, truth) in [
                (s.ci_p_nominal_rank, r.p_nominal_rank),
                (s.ci_p_top_k, r.p_top_k),
            ] {
                // Probabilities of 0 or 1 are covered trivially: count the informative ones.
                if truth > 0.001 && truth < 0.999 {
                    total += 1;
                    covered += usize::from(ci.lo <= truth && truth <= ci.hi);
                }
            }
            // The median where the long run settled it on one rank.
            if let QuantileState::Settled { rank } = r.median_accuracy.state {
                q_total += 1;
                let ci = s.median_accuracy.interval;
                q_covered += usize::from(ci.lo <= rank && rank <= ci.hi);
            }
        }
    }
    let rate = covered as f64 / total as f64;
    assert!(
        (0.93..=0.97).contains(&rate),
        "Wilson 95% coverage {rate} over {total}"
    );
    // Order-statistic intervals of a discrete variable are conservative: at least nominal.
    let q_rate = q_covered as f64 / q_total as f64;
    assert!(
        q_rate >= 0.94,
        "median interval coverage {q_rate} over {q_total}"
    );
}
