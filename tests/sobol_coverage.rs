//! Sobol intervals that cover: over many seeds of a random-point Saltelli design on Ishigami, the default estimator's 95% bootstrap intervals contain the analytic indices at close to 95%.

use std::f64::consts::PI;

use ranksense::analysis::sobol::test_functions::{IshigamiAnalytic, ishigami};
use ranksense::analysis::sobol::{
    Estimator, EstimatorSettings, PointKind, SaltelliDesign, estimate,
};

const SEEDS: u64 = 1000;
const N: usize = 256;

/// Share of seeds whose interval contains the analytic value, for S_1..S_3 then ST_1..ST_3.
fn coverage(estimator: Estimator) -> [f64; 6] {
    let analytic = IshigamiAnalytic::new(7.0, 0.1);
    let truth = [
        analytic.first[0],
        analytic.first[1],
        analytic.first[2],
        analytic.total[0],
        analytic.total[1],
        analytic.total[2],
    ];
    let settings = |seed| EstimatorSettings {
        estimator,
        bootstrap_resamples: 1000,
        confidence_level: 0.95,
        seed,
    };
    let mut covered = [0u32; 6];
    let mut point = [0.0; 3];
    for seed in 0..SEEDS {
        let design = SaltelliDesign::new(N, vec![1, 1, 1], PointKind::Random, seed).unwrap();
        let outputs: Vec<f64> = (0..design.run_count())
            .map(|run| {
                design.point(run, &mut point);
                ishigami(point.map(|u| -PI + 2.0 * PI * u), 7.0, 0.1)
            })
            .collect();
        let result = estimate(&outputs, N, &["x1", "x2", "x3"], &settings(seed)).unwrap();
        for (i, index) in result.indices.iter().enumerate() {
            for (slot, e) in [(i, index.first), (3 + i, index.total)] {
                if e.lo <= truth[slot] && truth[slot] <= e.hi {
                    covered[slot] += 1;
                }
            }
        }
    }
    covered.map(|c| f64::from(c) / SEEDS as f64)
}

/// 1,000 seeds give each rate a binomial standard error of 0.7 points at 95%: 93–97% is the
/// nominal level within three of them. Before the centred estimator became the default, the
/// variance was kept fixed in every resample and the ST_x2 interval covered about 88% (issue 13).
#[test]
fn default_intervals_cover_at_the_nominal_rate() {
    let default = EstimatorSettings::default().estimator;
    let rates = coverage(default);
    let names = ["S_x1", "S_x2", "S_x3", "ST_x1", "ST_x2", "ST_x3"];
    for (name, rate) in names.iter().zip(rates) {
        assert!(
            (0.93..=0.97).contains(&rate),
            "{name}: 95% intervals covered the analytic value for {rate} of {SEEDS} seeds \
             (all: {rates:?})"
        );
    }
}

/// COINr's form keeps V fixed in every resample, so its intervals miss the variance's own
/// uncertainty: the same test catches it.
#[test]
fn coinr_intervals_undercover_the_total_index_of_x2() {
    let rates = coverage(Estimator::Coinr);
    assert!(rates[4] < 0.93, "ST_x2 coverage {rates:?}");
}
