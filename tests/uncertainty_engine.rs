//! The Monte Carlo engine: agreement with COINr's uncertainty analysis within Monte Carlo error,
//! bit-identical output for any thread count and any sharding, and converged runs (batches doubling until the stop rule is met).

use std::collections::HashMap;
use std::path::Path;

use ranksense::analysis::uncertainty::UncertaintyOptions;
use ranksense::analysis::uncertainty_run::{UncertaintyRun, run_uncertainty};
use ranksense::engine::Silent;
use ranksense::engine::shard::{PartialState, Shard, merge_states};
use ranksense::model::{Index, embedded};
use ranksense::report::uncertainty::{uncertainty_files, uncertainty_summary};
use ranksense::scenario::Scenario;
use ranksense::scenario::embedded as scenarios;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/coinr-asem");

fn asem() -> (Index, Scenario, String) {
    let index = embedded::load("asem").unwrap();
    let (file, text) = scenarios::find("asem-coinr").unwrap();
    let scenario = Scenario::from_toml_str(text, file).unwrap();
    (index, scenario, text.to_string())
}

fn run(
    index: &Index,
    scenario: &Scenario,
    text: &str,
    options: &UncertaintyOptions,
) -> UncertaintyRun {
    run_uncertainty(index, scenario, text, options, &Silent).unwrap()
}

fn files(index: &Index, text: &str, result: &UncertaintyRun, seed: u64) -> Vec<(String, Vec<u8>)> {
    let summary = uncertainty_summary(index, "scenarios/asem-coinr.toml", text, result, seed);
    uncertainty_files(&summary, result).files
}

/// COINr's rank statistics (`Nominal, Mean, Median, Q5, Q95` per unit) from 100 runs.
fn coinr_rankstats(file: &str) -> HashMap<String, [f64; 5]> {
    let mut reader = csv::Reader::from_path(Path::new(FIXTURES).join(file)).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let v = |i: usize| r[i].parse::<f64>().unwrap();
            (r[0].to_string(), [v(1), v(2), v(3), v(4), v(5)])
        })
        .collect()
}

/// Quantile (type 7) of our large sample, from the rank histogram CSV.
fn quantile(histogram: &[(u32, u64)], p: f64) -> f64 {
    let counts: Vec<u64> = {
        let max = histogram.iter().map(|h| h.0).max().unwrap() as usize;
        let mut c = vec![0; max];
        for &(rank, count) in histogram {
            c[rank as usize - 1] = count;
        }
        c
    };
    ranksense::analysis::rank_stats::quantile_from_counts(&counts, p, |b| (b + 1) as f64)
}

/// COINr's statistics come from only 100 runs, so they carry Monte Carlo error; ours come from
/// 40,000 runs of the same design and are nearly exact by comparison. The tolerance is derived
/// from the binomial error of a 100-run estimate:
/// - mean rank: the standard error of a 100-run mean is sd/√100; we allow 4.5 of those (plus 0.05
///   for our own error), which a correct implementation fails with probability ≈ 1e-5 per unit;
/// - a quantile at p estimated from 100 runs is an order statistic whose plotting position has
///   standard deviation √(p(1−p)/100); COINr's value must lie between our quantiles at
///   p ± 4.5 of those standard deviations, widened by one rank for ties and interpolation.
fn assert_agrees_with_coinr(file: &str) {
    let (index, scenario, text) = asem();
    let options = UncertaintyOptions {
        samples: 40_000,
        seed: 7,
        ..UncertaintyOptions::default()
    };
    let result = run(&index, &scenario, &text, &options);
    let coinr = coinr_rankstats(file);
    assert_eq!(coinr.len(), 51);
    let n_coinr: f64 = 100.0;
    for (u, stats) in result.stats.units.iter().enumerate() {
        let [nominal, mean, median, q5, q95] = coinr[&stats.code];
        assert_eq!(
            f64::from(stats.nominal_rank),
            nominal,
            "{} nominal rank",
            stats.code
        );
        let tolerance = 4.5 * stats.sd_rank / n_coinr.sqrt() + 0.05;
        assert!(
            (stats.mean_rank - mean).abs() <= tolerance,
            "{} mean rank: ranksense {} vs COINr {mean} (tolerance {tolerance})",
            stats.code,
            stats.mean_rank
        );
        let histogram: Vec<(u32, u64)> = result
            .accumulator
            .rank_counts_of(u)
            .iter()
            .map(|(b, c)| (b as u32 + 1, c))
            .collect();
        for (p, value) in [(0.5f64, median), (0.05, q5), (0.95, q95)] {
            let spread: f64 = 4.5 * (p * (1.0 - p) / n_coinr).sqrt();
            let lo = quantile(&histogram, (p - spread).max(0.0)) - 1.0;
            let hi = quantile(&histogram, (p + spread).min(1.0)) + 1.0;
            assert!(
                (lo..=hi).contains(&value),
                "{} quantile {p}: COINr {value} outside ranksense's [{lo}, {hi}]",
                stats.code
            );
        }
    }
}

#[test]
fn rank_statistics_agree_with_coinr_seed_12345() {
    assert_agrees_with_coinr("coinr_UA_N100_rankstats.csv");
}

#[test]
fn rank_statistics_agree_with_coinr_maintainers_replicate() {
    assert_agrees_with_coinr("coinr_vignette_stored_UA_N100_rankstats.csv");
}

#[test]
fn output_files_are_byte_identical_for_any_thread_count() {
    let (index, scenario, text) = asem();
    let mut outputs = Vec::new();
    for threads in [1, 2, 7] {
        let options = UncertaintyOptions {
            samples: 5_000,
            seed: 99,
            threads,
            ..UncertaintyOptions::default()
        };
        let result = run(&index, &scenario, &text, &options);
        outputs.push(files(&index, &text, &result, 99));
    }
    assert_eq!(outputs[0].len(), 7);
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
}

#[test]
fn merged_shards_equal_the_single_run() {
    let (index, scenario, text) = asem();
    let options = UncertaintyOptions {
        samples: 7_001,
        seed: 5,
        ..UncertaintyOptions::default()
    };
    let whole = run(&index, &scenario, &text, &options);
    let setup =
        ranksense::analysis::uncertainty::Setup::new(&index, &scenario, &text, &options).unwrap();
    let count = 3;
    let states: Vec<(String, PartialState)> = (1..=count)
        .rev() // merge order must not matter
        .map(|k| {
            let shard = Shard { index: k, count };
            let accumulator = setup.run(shard.samples(options.samples), options.seed, 2, &Silent);
            let state = PartialState::of_shard(setup.fingerprint.clone(), shard, accumulator);
            // Through JSON, as the files travel between machines.
            let json = serde_json::to_string(&state).unwrap();
            (format!("shard{k}"), serde_json::from_str(&json).unwrap())
        })
        .collect();
    let (_, merged) = merge_states(&states).unwrap();
    assert_eq!(merged, whole.accumulator);
    // A missing or duplicated shard is refused.
    let err = merge_states(&states[..2]).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
    let mut twice = states.clone();
    twice[1] = twice[0].clone();
    assert!(
        merge_states(&twice)
            .unwrap_err()
            .to_string()
            .contains("twice")
    );
}

#[test]
fn a_converged_run_settles_everything_and_equals_a_plain_run_of_that_size() {
    let (index, scenario, text) = asem();
    let options = UncertaintyOptions {
        samples: 2_000,
        seed: 3,
        converge: true,
        ..UncertaintyOptions::default()
    };
    let stable = run(&index, &scenario, &text, &options);
    let convergence = stable.convergence.clone();
    assert!(
        convergence.adaptive && convergence.settled,
        "{convergence:?}"
    );
    assert!(convergence.unsettled.is_empty());
    assert!(convergence.largest_probability_error <= 0.005);
    // The quantile rule always settles by N > (2 · 3.29 / 0.02)² ≈ 108,241, and batches at
    // most double, so the run ends before twice that.
    assert!(convergence.samples > 2_000 && convergence.samples < 2 * 108_241);
    let plain = run(
        &index,
        &scenario,
        &text,
        &UncertaintyOptions {
            samples: convergence.samples,
            seed: 3,
            ..UncertaintyOptions::default()
        },
    );
    assert_eq!(plain.accumulator, stable.accumulator);
    // The fixed run of the same size is assessed the same way.
    assert!(plain.convergence.settled && !plain.convergence.adaptive);

    // A cap below what the stop rule needs is reported as not settled, with what is not.
    let capped = run(
        &index,
        &scenario,
        &text,
        &UncertaintyOptions {
            samples: 1_000,
            seed: 3,
            converge: true,
            max_samples: 3_000,
            ..UncertaintyOptions::default()
        },
    );
    let c = capped.convergence;
    assert!(!c.settled && !c.unsettled.is_empty());
    assert_eq!(c.samples, 3_000);
}

#[test]
fn accumulated_statistics_are_consistent() {
    let (index, scenario, text) = asem();
    let result = run(
        &index,
        &scenario,
        &text,
        &UncertaintyOptions {
            samples: 3_000,
            seed: 11,
            ..UncertaintyOptions::default()
        },
    );
    let acc = &result.accumulator;
    let n = acc.n_units;
    for u in 0..n {
        assert_eq!(acc.rank_counts_of(u).counts().iter().sum::<u64>(), 3_000);
        let stats = &result.stats.units[u];
        assert!(stats.best_rank as f64 <= stats.q05_rank && stats.q05_rank <= stats.median_rank);
        assert!(stats.median_rank <= stats.q95_rank && stats.q95_rank <= stats.worst_rank as f64);
        assert!((stats.band_probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // Bottom k (k = 10 of 51): ranks 42..=51, straight from the histogram.
        let bottom: u64 = acc
            .rank_counts_of(u)
            .iter()
            .filter(|&(b, _)| b >= 41)
            .map(|(_, c)| c)
            .sum();
        assert_eq!(stats.p_bottom_k, bottom as f64 / 3_000.0);
        assert_eq!(
            stats.p_nominal_band,
            stats.band_probabilities[stats.nominal_band]
        );
        // Σ over ranks of rank × count is the rank sum.
        let from_histogram: u64 = acc
            .rank_counts_of(u)
            .iter()
            .map(|(r, c)| (r as u64 + 1) * c)
            .sum();
        assert_eq!(from_histogram, acc.rank_sum[u]);
    }
    // Every sample ranks each pair one way, the other, or tied.
    for a in 0..n {
        for b in 0..n {
            if a != b {
                let ab = acc.above_count(a, b).unwrap();
                let ba = acc.above_count(b, a).unwrap();
                assert!(ab + ba <= 3_000);
            }
        }
    }
    // Every factor of the COINr scenario moves in some sample.
    assert!(
        acc.factor_moved.iter().all(|&m| m > 0),
        "{:?}",
        acc.factor_moved
    );
    // R_S is the mean over units of the mean absolute shift.
    let mean: f64 = result
        .stats
        .units
        .iter()
        .map(|u| u.mean_abs_shift)
        .sum::<f64>()
        / n as f64;
    assert!((mean - result.stats.mean_abs_rank_shift).abs() < 1e-12);
}

/// The large-index path (ranks counted in bins, pairs and central weights kept only for chosen
/// units) gives exactly the small-index path's numbers where both apply, and quantiles within
/// the stated bin error.
#[test]
fn binned_histograms_and_partial_pairs_agree_with_the_exact_path() {
    use ranksense::analysis::uncertainty::PairSelection;
    let (index, scenario, text) = asem();
    let base = UncertaintyOptions {
        samples: 6_000,
        seed: 21,
        focus: Some("DEU".into()),
        ..UncertaintyOptions::default()
    };
    let exact = run(
        &index,
        &scenario,
        &text,
        &UncertaintyOptions {
            bin_width: Some(1),
            pairs: Some(PairSelection::All),
            ..base.clone()
        },
    );
    let width = 4u32;
    let binned = run(
        &index,
        &scenario,
        &text,
        &UncertaintyOptions {
            bin_width: Some(width),
            pairs: Some(PairSelection::Focus),
            ..base
        },
    );
    assert_eq!(binned.accumulator.bins.width, width);
    for (a, b) in exact.stats.units.iter().zip(&binned.stats.units) {
        assert_eq!(a.mean_rank, b.mean_rank, "{}", a.code);
        assert_eq!((a.best_rank, a.worst_rank), (b.best_rank, b.worst_rank));
        assert_eq!(a.p_nominal_rank, b.p_nominal_rank);
        assert_eq!(a.p_top_k, b.p_top_k);
        assert_eq!(a.mean_abs_shift, b.mean_abs_shift);
        assert_eq!(a.band_probabilities, b.band_probabilities);
        assert_eq!(
            (a.p_bottom_k, a.p_nominal_band),
            (b.p_bottom_k, b.p_nominal_band)
        );
        assert_eq!(a.mean_score, b.mean_score);
        // A bin's ranks are represented by its midpoint: within (width − 1)/2 plus the
        // interpolation between neighbouring order statistics.
        for (x, y) in [
            (a.median_rank, b.median_rank),
            (a.q05_rank, b.q05_rank),
            (a.q95_rank, b.q95_rank),
        ] {
            assert!((x - y).abs() <= f64::from(width), "{}: {x} vs {y}", a.code);
        }
    }
    // Every pair involving the focus is kept, both ways, with the same probabilities.
    let focus_pairs: Vec<_> = exact
        .stats
        .pairs
        .iter()
        .filter(|p| p.a == "DEU" || p.b == "DEU")
        .cloned()
        .collect();
    let mut kept = binned.stats.pairs.clone();
    kept.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
    let mut expected = focus_pairs;
    expected.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
    assert_eq!(kept, expected);
    let central = |r: &UncertaintyRun| {
        r.stats
            .central_weights
            .iter()
            .filter(|c| c.code == "DEU")
            .cloned()
            .collect::<Vec<_>>()
    };
    // (Debug text, because a unit never ranked first has NaN means.)
    assert_eq!(
        format!("{:?}", central(&exact)),
        format!("{:?}", central(&binned))
    );
}

/// Weights that vary with no pair rows kept at all (`--pairs focus` on an index with no focus)
/// run, and give the same rank statistics as with every row kept.
#[test]
fn varying_weights_without_pair_rows() {
    use ranksense::analysis::uncertainty::PairSelection;
    let (mut index, _, _) = asem();
    index.info.focus = None;
    let text =
        "name = \"domain weights\"\n[[weights]]\nlevel = 2\nmode = \"uniform\"\nspread = 0.25\n";
    let scenario = Scenario::from_toml_str(text, "weights.toml").unwrap();
    let options = |pairs| UncertaintyOptions {
        samples: 600,
        seed: 5,
        pairs: Some(pairs),
        ..UncertaintyOptions::default()
    };
    let without = run(&index, &scenario, text, &options(PairSelection::Focus));
    let with = run(&index, &scenario, text, &options(PairSelection::All));
    assert!(without.accumulator.pair_units.is_empty());
    assert!(without.stats.pairs.is_empty());
    assert_eq!(
        without.accumulator.rank_counts,
        with.accumulator.rank_counts
    );
    assert_eq!(without.accumulator.score_sum, with.accumulator.score_sum);
}

/// A power mean whose powers overflow on the data is refused before sampling, with the power
/// that would fit, instead of giving infinite scores.
#[test]
fn overflowing_power_means_are_refused() {
    let index = embedded::load("ieci2022").unwrap();
    let text = "name = \"powers\"\n[normalisation]\nalternatives = [\"minmax(1,100)\"]\n\
                [[aggregation]]\nalternatives = [\"arithmetic\", \"generalised(200)\"]\n";
    let scenario = Scenario::from_toml_str(text, "powers.toml").unwrap();
    let error = run_uncertainty(
        &index,
        &scenario,
        text,
        &UncertaintyOptions::default(),
        &Silent,
    )
    .err()
    .expect("generalised(200) overflows on values up to 100")
    .to_string();
    for words in [
        "powers.toml",
        "`generalised(200)`",
        "overflows",
        "at most 154",
    ] {
        assert!(error.contains(words), "{error}");
    }
    // 100^150 fits: the same scenario with a smaller power runs.
    let text = text.replace("generalised(200)", "generalised(150)");
    let scenario = Scenario::from_toml_str(&text, "powers.toml").unwrap();
    let options = UncertaintyOptions {
        samples: 200,
        ..UncertaintyOptions::default()
    };
    let result = run(&index, &scenario, &text, &options);
    assert!(result.stats.units.iter().all(|u| u.mean_score.is_finite()));
}

/// Reusing the saved level-2 scores (when no factor touches indicator weights) changes
/// nothing: accumulators are identical with and without, on both shipped scenario families.
#[test]
fn reusing_lower_level_scores_is_bit_identical() {
    let ieci = embedded::load("ieci2022").unwrap();
    let (file, text) = scenarios::find("ieci-full").unwrap();
    let ieci_scenario = Scenario::from_toml_str(text, file).unwrap();
    let (asem_index, asem_scenario, asem_text) = asem();
    for (index, scenario, text) in [
        (&ieci, &ieci_scenario, text),
        (&asem_index, &asem_scenario, asem_text.as_str()),
    ] {
        let options = UncertaintyOptions {
            samples: 4_000,
            seed: 17,
            ..UncertaintyOptions::default()
        };
        let setup =
            ranksense::analysis::uncertainty::Setup::new(index, scenario, text, &options).unwrap();
        assert!(
            setup.lower_levels.is_some(),
            "the shipped scenarios vary no indicator weights"
        );
        let reused = run(index, scenario, text, &options);
        let direct = run(
            index,
            scenario,
            text,
            &UncertaintyOptions {
                reuse_lower_levels: false,
                ..options
            },
        );
        assert_eq!(reused.accumulator, direct.accumulator);
    }
}
