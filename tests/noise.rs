//! Data error (`[[noise]]`, issue #17): closed-form rank probabilities under normal and uniform
//! error, the documented distribution of stochastic imputation draws, zero noise reproducing
//! the noiseless run byte for byte, determinism across threads and shards, located errors.

use ranksense::analysis::data_error::{DataErrorSplit, SplitOptions, split_variance};
use ranksense::analysis::merge::{MergeRequest, merge_run};
use ranksense::analysis::uncertainty::{Setup, UncertaintyOptions};
use ranksense::analysis::uncertainty_run::{UncertaintyRun, run_uncertainty};
use ranksense::engine::Silent;
use ranksense::engine::shard::{PartialState, Shard, merge_states};
use ranksense::model::{Index, embedded, load_from_strings};
use ranksense::pipeline::noise::{
    ColumnError, ErrorDistribution, column_stream, draw_imputed, imputation_spread, perturb_column,
};
use ranksense::report::render::{Render, UncertaintyView};
use ranksense::report::uncertainty::{uncertainty_files, uncertainty_summary};
use ranksense::report::verdict::data_error_sentence;
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

/// A gap elsewhere in the perturbed column must not switch its error off. Unit D has no x1
/// value and nothing imputes it; with geometric means among the alternatives the prepared data
/// carry logarithms, and the missing cell's NaN once counted as "not positive", so every sample
/// silently kept x1 unperturbed (P = 1 here). Both aggregations are monotone in x1 and A and B
/// tie on x2, so the closed form of the test above still holds.
#[test]
fn a_missing_cell_leaves_the_columns_error_on() {
    let meta = "Level,iCode,iName,Direction,Weight,Parent,Type\n\
                1,x1,x1,1,1,Top,Indicator\n1,x2,x2,1,1,Top,Indicator\n2,Top,Top,1,1,,Aggregate\n";
    let data = "uCode,uName,x1,x2\nA,A,11,5\nB,B,10,5\nC,C,-30,1\nD,D,,3\n";
    let index = load_from_strings(("meta.csv", meta), ("data.csv", data), None, "gap").unwrap();
    let text = "[normalisation]\nnominal = \"minmax(1,100)\"\nalternatives = [\"minmax(1,100)\"]\n\
                [[aggregation]]\nalternatives = [\"arithmetic\", \"geometric\"]\n\
                [[noise]]\nindicators = [\"x1\"]\ndistribution = \"normal\"\nsd = 1\nscale = \"absolute\"\n";
    let samples = 20_000u64;
    let run = uncertainty(&index, text, samples, 2);
    let expected = Normal::standard().cdf(1.0 / 2f64.sqrt());
    let se = (expected * (1.0 - expected) / samples as f64).sqrt();
    let got = p_a_above_b(&run);
    assert!(
        (got - expected).abs() < 4.5 * se,
        "P(A above B) = {got}, Φ(1/√2) = {expected}"
    );
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
    // The noisy run adds its comparison with the noiseless run; every shared table must match.
    let noisy_files: Vec<(String, Vec<u8>)> = rank_files(&index, &zero, &noisy)
        .into_iter()
        .filter(|(name, _)| name != "rank_intervals_noise.csv")
        .collect();
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

fn split_of(index: &Index, text: &str, base_samples: usize) -> DataErrorSplit {
    let scenario = Scenario::from_toml_str(text, "noise.toml").unwrap();
    let options = UncertaintyOptions {
        samples: 1,
        seed: 5,
        ..UncertaintyOptions::default()
    };
    let setup = Setup::new(index, &scenario, text, &options).unwrap();
    let split = SplitOptions {
        base_samples,
        bootstrap_resamples: 200,
        ..SplitOptions::default()
    };
    split_variance(&setup, setup.focus.unwrap(), &split, 5, 2, &Silent).unwrap()
}

/// The modelling choice (min-max onto [0, 100] or [0, 1], then an arithmetic mean) only rescales
/// every score, so it never moves a rank: all of A's rank variance is the data error's.
#[test]
fn data_error_takes_the_whole_variance_when_only_the_data_move_the_rank() {
    let text = "focus = \"A\"\n[normalisation]\nalternatives = [\"minmax(0,100)\", \"minmax(0,1)\"]\n\
                \n[[noise]]\nindicators = [\"x1\"]\ndistribution = \"normal\"\nsd = 1\nscale = \"absolute\"\n";
    let split = split_of(&pair_index(0.5), text, 512);
    assert!(!split.constant, "the error moves A's rank");
    let modelling = split.modelling.as_ref().expect("a modelling group");
    assert_eq!(modelling.factors, vec!["normalisation".to_string()]);
    assert_eq!(split.data.factors.len(), 1);
    // The modelling group's AB runs repeat the A runs exactly: both of its indices are 0.
    assert_eq!(modelling.first.value, 0.0);
    assert_eq!(modelling.total.value, 0.0);
    // The data group's indices estimate 1 (within Monte Carlo error at N = 512).
    for index in [split.data.first, split.data.total] {
        assert!((index.value - 1.0).abs() < 0.15, "{:?}", split.data);
        assert!(index.lo <= 1.0 && index.hi >= 1.0, "{:?}", split.data);
    }
    assert!(split.interactions.abs() < 0.15);
}

/// With zero error the data group's AB runs repeat the A runs: its share is exactly 0, and the
/// modelling choices take the whole variance of Beijing's rank.
#[test]
fn data_error_has_no_share_when_the_error_is_zero() {
    let (index, text) = ieci();
    let text =
        format!("{text}\n[[noise]]\nindicators = \"all\"\ndistribution = \"normal\"\nsd = 0\n");
    let split = split_of(&index, &text, 256);
    assert!(!split.constant);
    assert_eq!(split.data.first.value, 0.0);
    assert_eq!(split.data.total.value, 0.0);
    let modelling = split.modelling.as_ref().unwrap();
    for index in [modelling.first, modelling.total] {
        assert!((index.value - 1.0).abs() < 0.15, "{modelling:?}");
        assert!(index.lo <= 1.0 && index.hi >= 1.0, "{modelling:?}");
    }
}

/// The ieci-noise scenario without its `[[noise]]` entries.
fn noiseless(text: &str) -> String {
    text[..text.find("[[noise]]").expect("a noise entry")].to_string()
}

fn csv_rows(bytes: &[u8]) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn file<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    &files
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name}"))
        .1
}

/// The side-by-side table's "without" columns are the run of the scenario without its
/// `[[noise]]` entries, cell for cell as that run's rank_stats.csv writes them, and its "with"
/// columns the noisy run's own.
#[test]
fn the_without_column_is_the_noiseless_run() {
    let index = embedded::load("ieci2022").unwrap();
    let (_, text) = scenarios::find("ieci-noise").unwrap();
    let plain_text = noiseless(text);
    let noisy = uncertainty(&index, text, 3_000, 2);
    let plain = uncertainty(&index, &plain_text, 3_000, 1);
    assert!(plain.data_error.is_none());
    let noisy_files = rank_files(&index, text, &noisy);
    let plain_files = rank_files(&index, &plain_text, &plain);
    let pairs = csv_rows(file(&noisy_files, "rank_intervals_noise.csv"));
    let without = csv_rows(file(&plain_files, "rank_stats.csv"));
    let with = csv_rows(file(&noisy_files, "rank_stats.csv"));
    assert_eq!(pairs.len(), 37);
    for ((pair, wo), w) in pairs.iter().zip(&without).zip(&with) {
        assert_eq!(pair["uCode"], wo["uCode"]);
        assert_eq!(pair["uCode"], w["uCode"]);
        for q in ["median", "q05", "q95"] {
            assert_eq!(pair[&format!("{q}_rank_without")], wo[&format!("{q}_rank")]);
            assert_eq!(pair[&format!("{q}_rank_with")], w[&format!("{q}_rank")]);
        }
    }
    // The data error widens some interval: the two columns are not the same run.
    assert!(
        pairs
            .iter()
            .any(|p| p["q95_rank_without"] != p["q95_rank_with"])
    );
}

/// summary.json records the error model (each entry's target, distribution, spread, range,
/// source, and a standard-errors file with its checksum), the split and the intervals.
#[test]
fn summary_json_records_the_error_model_and_the_split() {
    let folder = std::env::temp_dir().join(format!("ranksense-noise-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let errors = "uCode,x2\nA,0.5\nB,0.5\nC,0.5\n";
    std::fs::write(folder.join("se.csv"), errors).unwrap();
    let source = folder.join("noise.toml");
    let text = "focus = \"A\"\n[normalisation]\nalternatives = [\"minmax(0,100)\", \"rank\"]\n\
                \n[[noise]]\nname = \"x1 error\"\nindicators = [\"x1\"]\ndistribution = \"uniform\"\nsd = 0.1\nrange = [-100, 100]\nsource = \"assumption\"\n\
                \n[[noise]]\nindicators = [\"x2\"]\nstandard_errors = \"se.csv\"\n";
    let scenario = Scenario::from_toml_str(text, &source.display().to_string()).unwrap();
    let index = pair_index(0.5);
    let options = UncertaintyOptions {
        samples: 500,
        seed: 3,
        ..UncertaintyOptions::default()
    };
    let run = run_uncertainty(&index, &scenario, text, &options, &Silent).unwrap();
    let summary = uncertainty_summary(&index, "noise.toml", text, &run, 3);
    let json: serde_json::Value = serde_json::from_str(&summary.to_json()).unwrap();
    let section = &json["data_error"];
    let model = section["error_model"].as_array().unwrap();
    assert_eq!(model.len(), 2);
    assert_eq!(model[0]["name"], "x1 error");
    assert_eq!(model[0]["kind"], "error");
    assert_eq!(model[0]["indicators"], serde_json::json!(["x1"]));
    assert_eq!(model[0]["distribution"], "uniform");
    assert_eq!(model[0]["sd_kind"], "relative");
    assert_eq!(model[0]["sd"], 0.1);
    assert_eq!(model[0]["range"], serde_json::json!([-100.0, 100.0]));
    assert_eq!(model[0]["source"], "assumption");
    assert_eq!(model[1]["sd_kind"], "standard-errors");
    let file = &model[1]["standard_errors"];
    assert_eq!(file["file"], "se.csv");
    assert_eq!(
        file["sha256"],
        ranksense::engine::shard::hex_sha256(errors.as_bytes())
    );
    for key in ["first", "total"] {
        assert!(section["split"]["data"][key]["value"].is_number());
        assert!(section["split"]["modelling"][key]["lo"].is_number());
    }
    assert!(section["split"]["interactions"].is_number());
    assert!(
        section["split_sentence"]
            .as_str()
            .unwrap()
            .starts_with("Data error accounts for")
    );
    assert_eq!(section["samples_without"], 500);
    assert_eq!(section["intervals"].as_array().unwrap().len(), 3);
    assert!(section["intervals"][0]["without"]["median"].is_number());
    std::fs::remove_dir_all(&folder).unwrap();
}

/// A sharded run with data error, merged, writes the unsharded run's files byte for byte: the
/// data-error section (summary.json's `data_error`, rank_intervals_noise.csv, the report's
/// section) included, since the merge runs the run without the noise and the split itself.
#[test]
fn merged_shards_carry_the_data_error_section_byte_for_byte() {
    let index = embedded::load("ieci2022").unwrap();
    let (_, text) = scenarios::find("ieci-noise").unwrap();
    let samples = 2_001;
    let whole = uncertainty(&index, text, samples, 2);
    let scenario = Scenario::from_toml_str(text, "noise.toml").unwrap();
    let options = UncertaintyOptions {
        samples,
        seed: 11,
        ..UncertaintyOptions::default()
    };
    let setup = Setup::new(&index, &scenario, text, &options).unwrap();
    let count = 3;
    let states: Vec<_> = (1..=count)
        .map(|k| {
            let shard = Shard { index: k, count };
            let accumulator = setup.run(shard.samples(samples), options.seed, 1, &Silent);
            let state = PartialState::of_shard(setup.fingerprint.clone(), shard, accumulator);
            Ok((format!("shard{k}"), state))
        })
        .collect();
    let request = MergeRequest {
        threads: 1,
        ..MergeRequest::default()
    };
    let merged = merge_run(&index, &scenario, text, states, 3, &request, &Silent).unwrap();
    assert!(merged.data_error.is_some());
    let files = |run: &UncertaintyRun| {
        let summary = uncertainty_summary(&index, "noise.toml", text, run, 11);
        uncertainty_files(&summary, run).files
    };
    let (whole_files, merged_files) = (files(&whole), files(&merged));
    let names: Vec<&str> = whole_files.iter().map(|f| f.0.as_str()).collect();
    assert!(names.contains(&"rank_intervals_noise.csv"), "{names:?}");
    assert_eq!(
        names,
        merged_files
            .iter()
            .map(|f| f.0.as_str())
            .collect::<Vec<_>>()
    );
    for ((name, a), (_, b)) in whole_files.iter().zip(&merged_files) {
        assert!(
            a == b,
            "{name} differs between the whole and the merged run"
        );
    }
    let summary = String::from_utf8_lossy(file(&merged_files, "summary.json"));
    assert!(summary.contains("\"data_error\""));
}

/// `uncertainty` prints the split on the terminal, in the sentence of the report and `robust`.
#[test]
fn the_terminal_table_says_how_much_is_data_error() {
    let index = embedded::load("ieci2022").unwrap();
    let (_, text) = scenarios::find("ieci-noise").unwrap();
    let run = uncertainty(&index, text, 1_000, 2);
    let summary = uncertainty_summary(&index, "noise.toml", text, &run, 11);
    let view = UncertaintyView {
        index: &index,
        summary: &summary,
        result: &run,
        elapsed: std::time::Duration::ZERO,
    };
    let split = run.data_error.as_ref().unwrap().split.as_ref().unwrap();
    let sentence = data_error_sentence(split);
    assert!(
        sentence.starts_with("Data error accounts for"),
        "{sentence}"
    );
    assert!(view.table().contains(&sentence), "{}", view.table());
}

/// A sample skips re-preparing an indicator it leaves out (zero weight): every aggregation
/// kernel drops a zero-weight child unread, so the scores cannot depend on that column. Here
/// the same sample is scored twice at zero weight on indicator `left_out`, once after `apply`
/// skipped it and once after an `apply` that re-prepared it (weight 1): the column differs, the
/// scores are the same bits, for the arithmetic and the geometric mean.
#[test]
fn a_left_out_indicator_is_not_re_prepared_and_not_read() {
    use ranksense::model::method::Aggregation;
    use ranksense::pipeline::noise::{NoisePlan, NoisyData};
    use ranksense::pipeline::prepare::nominal_variant;
    use ranksense::pipeline::{Config, DataView, Scratch, prepare, score_data};

    let index = embedded::load("ieci2022").unwrap();
    // Min–max on 1–100, so that every value has a logarithm for the geometric mean.
    let mut variant = nominal_variant(&index);
    variant.normalisation = "minmax(1,100)".parse().unwrap();
    let prepared = prepare(&index, &[variant]).unwrap();
    let errors = (0..index.framework.n_indicators())
        .map(|j| ColumnError {
            indicator: j,
            distribution: ErrorDistribution::Normal,
            sd: index.raw.col(j).iter().map(|x| 0.05 * x.abs()).collect(),
            range: None,
            coordinate: 0,
        })
        .collect();
    let plan = NoisePlan::new(&index, &prepared, errors, Vec::new());
    let left_out = 3;
    assert!(plan.touched().contains(&left_out));
    let levels = index.framework.n_aggregate_levels();
    for aggregation in [Aggregation::Arithmetic, Aggregation::Geometric] {
        let mut weights = prepared.framework.nominal_weights();
        weights[left_out] = 0.0;
        let without = Config {
            variant: 0,
            aggregation: vec![aggregation; levels],
            weights,
        };
        let mut with = without.clone();
        with.weights[left_out] = 1.0;
        let needs_logs = aggregation == Aggregation::Geometric;
        let mut scores = Vec::new();
        let mut columns = Vec::new();
        for applied in [&without, &with] {
            let mut noisy = plan.buffer(&prepared);
            // A first sample fills every column, so the skipped one holds that sample's values.
            plan.apply(&prepared, &with, &[0.25], needs_logs, &mut noisy);
            plan.apply(&prepared, applied, &[0.75], needs_logs, &mut noisy);
            columns.push(noisy.normalised.col(left_out).to_vec());
            let mut score = |noisy: &NoisyData| {
                let mut scratch = Scratch::new(&prepared);
                score_data(&prepared, DataView::noisy(noisy), &without, &mut scratch);
                let top = scratch.node_scores(&prepared, prepared.framework.top);
                scores.push(top.iter().map(|s| s.to_bits()).collect::<Vec<_>>());
            };
            score(&noisy);
            if !needs_logs {
                // Not even a value no kernel could take reaches the scores.
                noisy.normalised.col_mut(left_out).fill(f64::NAN);
                score(&noisy);
            }
        }
        assert_ne!(
            columns[0], columns[1],
            "{aggregation:?}: the column was re-prepared"
        );
        assert!(
            scores.iter().all(|s| *s == scores[0]),
            "{aggregation:?}: the left-out column was read"
        );
    }
}
