//! Data error (`[[noise]]`, issue #17): closed-form rank probabilities under normal and uniform
//! error, the documented distribution of stochastic imputation draws, zero noise reproducing
//! the noiseless run byte for byte, determinism across threads and shards, located errors.

use ranksense::analysis::uncertainty::{
    Setup, UncertaintyOptions, UncertaintyRun, run_uncertainty,
};
use ranksense::engine::Silent;
use ranksense::engine::shard::{PartialState, Shard, merge_states};
use ranksense::model::{Index, embedded, load_from_strings};
use ranksense::pipeline::noise::{
    ColumnError, ErrorDistribution, column_stream, draw_imputed, imputation_spread, perturb_column,
};
use ranksense::report::uncertainty::{uncertainty_files, uncertainty_summary};
use ranksense::scenario::Scenario;
use ranksense::scenario::embedded as scenarios;
use statrs::distribution::{ContinuousCDF, Normal};

/// Three units: A and B equal except on x1, where A is ahead by `delta`; C far behind on both.
fn pair_index(delta: f64) -> Index {
    let meta = "Level,iCode,iName,Direction,Weight,Parent,Type\n\
                1,x1,x1,1,1,Top,Indicator\n1,x2,x2,1,1,Top,Indicator\n2,Top,Top,1,1,,Aggregate\n";
    let data = format!(
        "uCode,uName,x1,x2\nA,A,{},5\nB,B,10,5\nC,C,-30,1\n",
        10.0 + delta
    );
    load_from_strings(("meta.csv", meta), ("data.csv", &data), None, "pair").unwrap()
}

fn uncertainty(index: &Index, text: &str, samples: u64, threads: usize) -> UncertaintyRun {
    let scenario = Scenario::from_toml_str(text, "noise.toml").unwrap();
    let options = UncertaintyOptions {
        samples,
        seed: 11,
        threads,
        ..UncertaintyOptions::default()
    };
    run_uncertainty(index, &scenario, text, &options, &Silent).unwrap()
}

fn p_a_above_b(run: &UncertaintyRun) -> f64 {
    run.stats
        .pairs
        .iter()
        .find(|p| p.a == "A" && p.b == "B")
        .map(|p| p.p_a_above_b)
        .expect("pair A, B")
}

/// Normal error σ on x1 alone, min-max then arithmetic mean (both monotone, and A and B tie
/// on x2): A is above B exactly when Δ + σ(Z_A − Z_B) > 0, so P = Φ(Δ / (σ√2)).
#[test]
fn normal_error_gives_the_closed_form_pair_probability() {
    let (sigma, samples) = (1.0, 40_000u64);
    for delta in [0.0, 0.5, 1.0, 2.0] {
        let text = "[[noise]]\nindicators = [\"x1\"]\ndistribution = \"normal\"\nsd = 1\nscale = \"absolute\"\n";
        let run = uncertainty(&pair_index(delta), text, samples, 2);
        let expected = Normal::standard().cdf(delta / (sigma * 2f64.sqrt()));
        let se = (expected * (1.0 - expected) / samples as f64)
            .sqrt()
            .max(1e-4);
        let got = p_a_above_b(&run);
        assert!(
            (got - expected).abs() < 4.5 * se,
            "Δ = {delta}: P(A above B) = {got}, Φ(Δ/(σ√2)) = {expected}"
        );
    }
}

/// Uniform error with sd σ is uniform on ±h, h = σ√3; the difference of two is triangular on
/// [−2h, 2h], so P(Δ + D > 0) = 1 − (2h − Δ)² / (8h²) for 0 ≤ Δ ≤ 2h.
#[test]
fn uniform_error_gives_the_closed_form_pair_probability() {
    let samples = 40_000u64;
    let h = 3f64.sqrt();
    for delta in [0.0, 1.0, 2.5] {
        let text = "[[noise]]\nindicators = [\"x1\"]\ndistribution = \"uniform\"\nsd = 1\nscale = \"absolute\"\n";
        let run = uncertainty(&pair_index(delta), text, samples, 2);
        let expected = 1.0 - (2.0 * h - delta).powi(2) / (8.0 * h * h);
        let se = (expected * (1.0 - expected) / samples as f64)
            .sqrt()
            .max(1e-4);
        let got = p_a_above_b(&run);
        assert!(
            (got - expected).abs() < 4.5 * se,
            "Δ = {delta}: P(A above B) = {got}, expected {expected}"
        );
    }
}

/// Kolmogorov–Smirnov statistic of `sample` against a normal N(mean, sd²).
fn ks_normal(sample: &mut [f64], mean: f64, sd: f64) -> f64 {
    sample.sort_by(f64::total_cmp);
    let n = sample.len() as f64;
    let normal = Normal::new(mean, sd).unwrap();
    sample
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = normal.cdf(x);
            (f - i as f64 / n)
                .abs()
                .max((((i + 1) as f64) / n - f).abs())
        })
        .fold(0.0, f64::max)
}

/// The documented model: a missing cell is drawn from N(imputed value, s²(1 + 1/n)), s the sd
/// of the n observed values. The KS statistic of 20,000 draws stays below the 1% critical
/// value 1.63/√N, and a model with the spread off by 10% is rejected.
#[test]
fn imputation_draws_follow_the_documented_distribution() {
    let observed = [3.0, 7.0, f64::NAN, 4.0, 6.0, 5.0];
    let present: Vec<f64> = observed.iter().copied().filter(|v| !v.is_nan()).collect();
    let n = present.len() as f64;
    let mean = present.iter().sum::<f64>() / n;
    let s = (present.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let spread = s * (1.0 + 1.0 / n).sqrt();
    assert!((imputation_spread(&observed) - spread).abs() < 1e-12);
    let draws = 20_000;
    let mut values = Vec::with_capacity(draws);
    let (mut spreads, mut scratch) = (vec![0.0; 1], Vec::new());
    for k in 0..draws {
        let mut filled = observed;
        filled[2] = mean; // what mean imputation fills in
        let mut rng = column_stream((k as f64 + 0.5) / draws as f64, 3, 1);
        draw_imputed(
            &mut filled,
            &observed,
            None,
            &mut spreads,
            &mut scratch,
            &mut rng,
        );
        assert_eq!(filled[0], 3.0, "observed values are never drawn");
        values.push(filled[2]);
    }
    let critical = 1.63 / (draws as f64).sqrt();
    let d = ks_normal(&mut values.clone(), mean, spread);
    assert!(d < critical, "KS D = {d} ≥ {critical}");
    let wrong = ks_normal(&mut values, mean, spread * 1.1);
    assert!(
        wrong > critical,
        "a 10% wider model should be rejected: {wrong}"
    );
}

/// Log-normal error keeps values positive with mean x and sd s; a range truncates normal error.
#[test]
fn lognormal_keeps_mean_and_sd_and_ranges_hold() {
    let n = 40_000;
    let mut error = ColumnError {
        indicator: 0,
        distribution: ErrorDistribution::LogNormal,
        sd: vec![0.5; n],
        range: None,
        coordinate: 0,
    };
    let mut x = vec![2.0; n];
    perturb_column(&mut x, &error, &mut column_stream(0.25, 0, 0));
    let mean = x.iter().sum::<f64>() / n as f64;
    let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    assert!(x.iter().all(|&v| v > 0.0));
    assert!(
        (mean - 2.0).abs() < 4.5 * 0.5 / (n as f64).sqrt(),
        "mean {mean}"
    );
    assert!((sd - 0.5).abs() < 0.02, "sd {sd}");

    error.distribution = ErrorDistribution::Normal;
    error.sd = vec![30.0; n];
    error.range = Some((0.0, 100.0));
    let mut x = vec![95.0; n];
    perturb_column(&mut x, &error, &mut column_stream(0.5, 0, 0));
    assert!(x.iter().all(|v| (0.0..=100.0).contains(v)));
    assert!(x.iter().any(|&v| v != 95.0));

    // Zero error returns every value exactly; missing values stay missing.
    error.sd = vec![0.0; 3];
    error.range = None;
    let mut x = vec![1.5, f64::NAN, -2.0];
    perturb_column(&mut x, &error, &mut column_stream(0.5, 0, 0));
    assert_eq!(x[0], 1.5);
    assert!(x[1].is_nan());
    assert_eq!(x[2], -2.0);
}

fn ieci() -> (Index, String) {
    let index = embedded::load("ieci2022").unwrap();
    let (_, text) = scenarios::find("ieci-full").unwrap();
    (index, text.to_string())
}

fn rank_files(index: &Index, text: &str, run: &UncertaintyRun) -> Vec<(String, Vec<u8>)> {
    let summary = uncertainty_summary(index, "s.toml", text, run, 11);
    uncertainty_files(&summary, run)
        .files
        .into_iter()
        .filter(|(name, _)| name.ends_with(".csv"))
        .map(|(name, bytes)| (name.to_string(), bytes))
        .collect()
}

/// A noise entry with sd 0 on every indicator runs the noisy path (every column re-prepared in
/// every sample) and reproduces the noiseless run's tables byte for byte.
#[test]
fn zero_noise_reproduces_the_noiseless_run_byte_for_byte() {
    let (index, text) = ieci();
    let zero = format!(
        "{text}\n[[noise]]\nparent = \"INF\"\ndistribution = \"normal\"\nsd = 0\n\
         \n[[noise]]\nparent = \"CON\"\ndistribution = \"uniform\"\nsd = 0\nscale = \"absolute\"\n\
         \n[[noise]]\nparent = \"LIV\"\ndistribution = \"lognormal\"\nsd = 0\n"
    );
    let plain = uncertainty(&index, &text, 3_000, 2);
    let noisy = uncertainty(&index, &zero, 3_000, 2);
    assert_eq!(noisy.factors.len(), plain.factors.len() + 3);
    let plain_files = rank_files(&index, &text, &plain);
    let noisy_files = rank_files(&index, &zero, &noisy);
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&plain_files), names(&noisy_files));
    for ((name, a), (_, b)) in plain_files.iter().zip(&noisy_files) {
        if name.contains("factor") {
            continue; // lists the factors, which differ by the two noise entries
        }
        assert!(a == b, "{name} differs with zero noise");
    }
    // Debug text, not ==: a NaN statistic (undefined for some unit) is equal to itself here.
    assert_eq!(format!("{:?}", plain.stats), format!("{:?}", noisy.stats));
}

const IECI_NOISE: &str =
    "\n[[noise]]\nindicators = \"all\"\ndistribution = \"normal\"\nsd = 0.05\n";

#[test]
fn noisy_runs_are_identical_for_any_thread_count_and_shard_split() {
    let (index, text) = ieci();
    let text = format!("{text}{IECI_NOISE}");
    let runs: Vec<UncertaintyRun> = [1, 2, 5]
        .iter()
        .map(|&t| uncertainty(&index, &text, 4_001, t))
        .collect();
    assert_eq!(runs[0].accumulator, runs[1].accumulator);
    assert_eq!(runs[0].accumulator, runs[2].accumulator);
    // The noise moves ranks: the run differs from the noiseless one.
    let (_, plain_text) = ieci();
    let plain = uncertainty(&index, &plain_text, 4_001, 2);
    assert_ne!(plain.stats.units, runs[0].stats.units);

    let scenario = Scenario::from_toml_str(&text, "noise.toml").unwrap();
    let options = UncertaintyOptions {
        samples: 4_001,
        seed: 11,
        ..UncertaintyOptions::default()
    };
    let setup = Setup::new(&index, &scenario, &text, &options).unwrap();
    let count = 3;
    let states: Vec<(String, PartialState)> = (1..=count)
        .map(|k| {
            let shard = Shard { index: k, count };
            let accumulator = setup.run(shard.samples(options.samples), options.seed, 2, &Silent);
            let state = PartialState::of_shard(setup.fingerprint.clone(), shard, accumulator);
            (format!("shard{k}"), state)
        })
        .collect();
    let (_, merged) = merge_states(&states).unwrap();
    assert_eq!(merged, runs[0].accumulator);
}

/// Each bad specification is one located problem: the scenario file, the entry's line and key.
#[test]
fn bad_noise_specifications_are_located_errors() {
    let (index, _) = ieci();
    let cases = [
        (
            "[[noise]]\nindicators = \"all\"\nsd = -0.1\n",
            "noise[1].sd",
            "negative",
            3,
        ),
        (
            "[[noise]]\nindicators = [\"LIV_EIU\", \"LIV_PM26\"]\nsd = 0.1\n",
            "noise[1].indicators[2]",
            "LIV_PM25",
            2,
        ),
        (
            "\n[[noise]]\nindicators = [\"BUS_CLIMATE\", \"ECO_G500\"]\ndistribution = \"lognormal\"\nsd = 0.1\n",
            "noise[1].distribution",
            "positive",
            4,
        ),
        (
            "[[noise]]\nparent = \"LIV\"\nsd = 0.1\nrange = [0, 50]\n",
            "noise[1].range",
            "outside",
            4,
        ),
        (
            "[[noise]]\nparent = \"LIV\"\ndistribution = \"imputation\"\n",
            "noise[1].distribution",
            "imputation",
            3,
        ),
        (
            "[[noise]]\nparent = \"LIV\"\nstandard_errors = \"no-such-file.csv\"\n",
            "noise[1].standard_errors",
            "cannot read",
            3,
        ),
    ];
    for (text, path, word, line) in cases {
        let error = Scenario::from_toml_str(text, "bad.toml")
            .and_then(|s| s.validate(&index).map(|_| s))
            .expect_err(text);
        let diagnostics = error.diagnostics();
        assert_eq!(diagnostics.len(), 1, "{text}: {error}");
        let location = &diagnostics[0].location;
        assert_eq!(location.file, "bad.toml");
        assert_eq!(location.line, Some(line), "{text}: {error}");
        assert_eq!(location.column.as_deref(), Some(path), "{text}: {error}");
        assert!(error.to_string().contains(word), "{text}: {error}");
    }
}
