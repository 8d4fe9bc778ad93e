//! Sobol estimators against closed-form indices (Ishigami, Sobol' G-function), grouped factors, determinism, dummy and constant models.

use std::f64::consts::PI;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use ranksense::analysis::sobol::test_functions::{
    GFunctionAnalytic, IshigamiAnalytic, g_function, ishigami,
};
use ranksense::analysis::sobol::{
    DUMMY_FACTOR, Estimate, EstimatorSettings, FactorSet, PointKind, SaltelliDesign, SobolResult,
    analyze_csv_str, convergence, estimate, noise_floor, sample_csv,
};

const A: f64 = 7.0;
const B: f64 = 0.1;
const N: usize = 1 << 14;
const G_A: [f64; 8] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];

/// Evaluates `model` on every run of `design`, in run order.
fn run_model(design: &SaltelliDesign, model: impl Fn(usize, &[f64]) -> f64) -> Vec<f64> {
    let mut point = vec![0.0; design.dimension()];
    (0..design.run_count())
        .map(|run| {
            design.point(run, &mut point);
            model(run, &point)
        })
        .collect()
}

/// The default estimator with 300 bootstrap resamples instead of 1,000: the interval ends (and
/// so the standard error used below) are then known to about ±10%, plenty for a 4-se check,
/// and unoptimised test builds stay fast.
fn settings() -> EstimatorSettings {
    EstimatorSettings {
        bootstrap_resamples: 300,
        ..EstimatorSettings::default()
    }
}

fn to_ishigami_range(u: f64) -> f64 {
    -PI + 2.0 * PI * u
}

/// Asserts that `estimate` is within `4 se` of `truth`, with the standard error read off the 90%
/// bootstrap percentile interval as `se ≈ (hi − lo) / (2 · 1.645)`.
///
/// Why this tolerance: both estimators are means of per-row terms, so they are close to normal
/// at N = 2^14, and the bootstrap interval measures their sampling spread. Under normality an
/// error beyond 4 se has probability 6e-5 per index, so all checks in this file together fail by
/// chance with probability < 0.3% (and never, with the fixed seeds). For scrambled Sobol points the
/// real error is smaller than the i.i.d. bootstrap suggests, which only makes the check
/// conservative. `max_width` keeps the check from passing through a vacuously wide interval.
fn assert_close(what: &str, estimate: &Estimate, truth: f64, max_width: f64) {
    let width = estimate.hi - estimate.lo;
    let standard_error = width / (2.0 * 1.645);
    assert!(
        width < max_width,
        "{what}: interval [{}, {}] wider than {max_width}",
        estimate.lo,
        estimate.hi
    );
    assert!(
        (estimate.value - truth).abs() <= 4.0 * standard_error,
        "{what}: {} vs analytic {truth} (se {standard_error:.2e})",
        estimate.value
    );
}

fn ishigami_result(points: PointKind, seed: u64) -> SobolResult {
    let design = SaltelliDesign::new(N, vec![1, 1, 1], points, seed).unwrap();
    let outputs = run_model(&design, |_, u| {
        ishigami(
            [
                to_ishigami_range(u[0]),
                to_ishigami_range(u[1]),
                to_ishigami_range(u[2]),
            ],
            A,
            B,
        )
    });
    estimate(&outputs, N, &["x1", "x2", "x3"], &settings()).unwrap()
}

#[test]
fn ishigami_indices_match_the_analytic_values() {
    let analytic = IshigamiAnalytic::new(A, B);
    for points in [PointKind::Sobol, PointKind::Random] {
        let result = ishigami_result(points, 2024);
        assert!(!result.constant);
        // V itself: relative error of a variance estimate from 2N points is ~ sqrt(2/2N) · kurtosis
        // factor; 3% is > 4 of those standard errors.
        assert!((result.variance / analytic.variance - 1.0).abs() < 0.03);
        for i in 0..3 {
            let index = &result.indices[i];
            assert_close(
                &format!("{points:?} S_{}", i + 1),
                &index.first,
                analytic.first[i],
                0.08,
            );
            assert_close(
                &format!("{points:?} ST_{}", i + 1),
                &index.total,
                analytic.total[i],
                0.08,
            );
        }
    }
}

#[test]
fn g_function_indices_match_the_analytic_values() {
    let analytic = GFunctionAnalytic::new(&G_A);
    let design = SaltelliDesign::new(N, vec![1; 8], PointKind::Sobol, 99).unwrap();
    let outputs = run_model(&design, |_, u| g_function(u, &G_A));
    let names: Vec<String> = (1..=8).map(|i| format!("x{i}")).collect();
    let result = estimate(&outputs, N, &names, &settings()).unwrap();
    for i in 0..8 {
        let index = &result.indices[i];
        assert_close(
            &format!("S_{}", i + 1),
            &index.first,
            analytic.first[i],
            0.08,
        );
        assert_close(
            &format!("ST_{}", i + 1),
            &index.total,
            analytic.total[i],
            0.08,
        );
    }
    // The nearly inert inputs (a = 99) must come out tiny, well below the important ones.
    for index in &result.indices[4..] {
        assert!(
            index.total.value < 1e-3,
            "{}: {:?}",
            index.factor,
            index.total
        );
    }
}

#[test]
fn grouped_factors_give_closed_group_indices() {
    // Factor 0 is the group {x1, x3} (two columns), factor 1 is x2.
    let analytic = IshigamiAnalytic::new(A, B);
    let design = SaltelliDesign::new(N, vec![2, 1], PointKind::Sobol, 7).unwrap();
    let outputs = run_model(&design, |_, u| {
        let x1 = to_ishigami_range(u[0]);
        let x3 = to_ishigami_range(u[1]);
        let x2 = to_ishigami_range(u[2]);
        ishigami([x1, x2, x3], A, B)
    });
    let result = estimate(&outputs, N, &["x1_x3", "x2"], &settings()).unwrap();
    let group = &result.indices[0];
    // S_{13} = S_1 + S_3 + S_13 = 1 − S_2, and the group has no interaction with x2, so ST = S.
    assert_close("S_{x1,x3}", &group.first, analytic.group_x1_x3(), 0.08);
    assert_close("ST_{x1,x3}", &group.total, analytic.group_x1_x3(), 0.08);
    assert_close("S_x2", &result.indices[1].first, analytic.first[1], 0.08);
    assert_close("ST_x2", &result.indices[1].total, analytic.total[1], 0.08);
}

#[test]
fn same_seed_gives_identical_results_for_any_thread_count() {
    let on_threads = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| ishigami_result(PointKind::Sobol, 11))
    };
    let single = on_threads(1);
    assert_eq!(single, on_threads(3));
    assert_eq!(single, ishigami_result(PointKind::Sobol, 11));
    assert_ne!(single, ishigami_result(PointKind::Sobol, 12));
}

#[test]
fn dummy_factor_scores_zero_for_a_deterministic_model() {
    let design = SaltelliDesign::new(1 << 10, vec![1, 1, 1], PointKind::Sobol, 5)
        .unwrap()
        .with_dummy_factor();
    assert_eq!(design.dummy_factor(), Some(3));
    let outputs = run_model(&design, |_, u| {
        ishigami(
            [
                to_ishigami_range(u[0]),
                to_ishigami_range(u[1]),
                to_ishigami_range(u[2]),
            ],
            A,
            B,
        )
    });
    let result = estimate(
        &outputs,
        design.n(),
        &["x1", "x2", "x3", DUMMY_FACTOR],
        &settings(),
    )
    .unwrap();
    // The model ignores the dummy column, so AB_dummy repeats A run for run and both
    // estimators vanish exactly.
    let floor = noise_floor(&result).unwrap();
    assert_eq!(floor.threshold(), 0.0);
    assert!(
        result.indices[..3]
            .iter()
            .any(|i| i.total.lo > floor.threshold())
    );
}

#[test]
fn dummy_factor_measures_uncontrolled_noise() {
    // Ishigami plus noise of variance σ² drawn per run, outside the design: the dummy's total
    // index estimates σ² / (V + σ²) and its first-order index 0.
    let sigma: f64 = 2.0;
    let analytic = IshigamiAnalytic::new(A, B);
    let noise_share = sigma * sigma / (analytic.variance + sigma * sigma);
    let design = SaltelliDesign::new(N, vec![1, 1, 1], PointKind::Sobol, 5)
        .unwrap()
        .with_dummy_factor();
    let outputs = run_model(&design, |run, u| {
        let mut rng = ChaCha8Rng::seed_from_u64(77);
        rng.set_stream(run as u64);
        // Uniform noise with variance σ²: half-width σ√3.
        let noise = (2.0 * rng.random::<f64>() - 1.0) * sigma * 3f64.sqrt();
        ishigami(
            [
                to_ishigami_range(u[0]),
                to_ishigami_range(u[1]),
                to_ishigami_range(u[2]),
            ],
            A,
            B,
        ) + noise
    });
    let result = estimate(&outputs, N, &["x1", "x2", "x3", DUMMY_FACTOR], &settings()).unwrap();
    let floor = noise_floor(&result).unwrap();
    assert_close("ST_dummy", &floor.total, noise_share, 0.05);
    assert_close("S_dummy", &floor.first, 0.0, 0.08);
    assert!(floor.threshold() > 0.1);
}

#[test]
fn constant_model_is_reported_constant() {
    let design = SaltelliDesign::new(64, vec![2, 1], PointKind::Random, 1).unwrap();
    let outputs = run_model(&design, |_, _| 0.3);
    let result = estimate(&outputs, 64, &["a", "b"], &settings()).unwrap();
    assert!(result.constant);
    assert_eq!(result.variance, 0.0);
    for index in &result.indices {
        assert_eq!(
            index.first,
            Estimate {
                value: 0.0,
                lo: 0.0,
                hi: 0.0
            }
        );
        assert_eq!(
            index.total,
            Estimate {
                value: 0.0,
                lo: 0.0,
                hi: 0.0
            }
        );
    }
    let table = convergence(&outputs, 64, &["a", "b"], &settings()).unwrap();
    assert!(
        table
            .steps
            .iter()
            .all(|step| step.constant && step.first == [0.0, 0.0])
    );
}

#[test]
fn convergence_table_approaches_the_analytic_values() {
    let analytic = IshigamiAnalytic::new(A, B);
    let design = SaltelliDesign::new(N, vec![1, 1, 1], PointKind::Sobol, 3).unwrap();
    let outputs = run_model(&design, |_, u| {
        ishigami(
            [
                to_ishigami_range(u[0]),
                to_ishigami_range(u[1]),
                to_ishigami_range(u[2]),
            ],
            A,
            B,
        )
    });
    let table = convergence(&outputs, N, &["x1", "x2", "x3"], &settings()).unwrap();
    let rows: Vec<usize> = table.steps.iter().map(|s| s.rows).collect();
    assert_eq!(rows, [N / 8, N / 4, N / 2, N]);
    let error = |step: usize| -> f64 {
        let s = &table.steps[step];
        (0..3)
            .map(|i| {
                (s.first[i] - analytic.first[i]).abs() + (s.total[i] - analytic.total[i]).abs()
            })
            .sum()
    };
    // Eight times more rows: the summed error must shrink (at least √8-fold would be i.i.d.
    // Monte Carlo; demand a factor of 1.5 to stay robust).
    assert!(error(3) * 1.5 < error(0), "{} vs {}", error(3), error(0));
}

#[test]
fn csv_workflow_recovers_the_ishigami_indices() {
    // The model-agnostic route: factors TOML → design CSV → model on each row → outputs CSV →
    // indices. Uniform values are written with round-trip precision, so this is the same
    // computation as the in-memory one, at N = 2^12.
    let factors = FactorSet::from_toml_str(
        &format!(
            "[[factor]]\nname = \"x1\"\nkind = \"uniform\"\nlow = {lo}\nhigh = {hi}\n\
             [[factor]]\nname = \"x2\"\nkind = \"uniform\"\nlow = {lo}\nhigh = {hi}\n\
             [[factor]]\nname = \"x3\"\nkind = \"uniform\"\nlow = {lo}\nhigh = {hi}\n",
            lo = -PI,
            hi = PI
        ),
        "ishigami.toml",
    )
    .unwrap();
    let design = sample_csv(&factors, 1 << 12, 8, PointKind::Sobol).unwrap();
    let mut outputs = String::from("run,y\n");
    let mut reader = csv::Reader::from_reader(design.as_bytes());
    for record in reader.records() {
        let record = record.unwrap();
        let x: Vec<f64> = (2..5).map(|c| record[c].parse().unwrap()).collect();
        let y = ishigami([x[0], x[1], x[2]], A, B);
        outputs.push_str(&format!("{},{y}\n", &record[0]));
    }
    let result = analyze_csv_str(
        &design,
        "design.csv",
        &outputs,
        "outputs.csv",
        None,
        &settings(),
    )
    .unwrap();
    let analytic = IshigamiAnalytic::new(A, B);
    for i in 0..3 {
        let index = &result.indices[i];
        assert_eq!(index.factor, format!("x{}", i + 1));
        assert_close(
            &format!("csv S_{}", i + 1),
            &index.first,
            analytic.first[i],
            0.15,
        );
        assert_close(
            &format!("csv ST_{}", i + 1),
            &index.total,
            analytic.total[i],
            0.15,
        );
    }
}
