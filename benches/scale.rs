//! Scaling of the Monte Carlo engine with index size, on synthetic indices anyone can regenerate
//! (`ranksense synth`): 37 × 25, 1,000 × 50, 3,000 × 50 and 33,000 × 39 (7 domains, England's IMD
//! size).
//! Time per sample grows with units × indicators (scoring) plus units · log units (ranking).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ranksense::analysis::uncertainty::{Setup, UncertaintyOptions};
use ranksense::engine::Silent;
use ranksense::scenario::Scenario;
use ranksense::synth::{SynthSpec, generate};

/// Weights ±25% at both levels and two normalisations: every sample rescores everything.
const SCENARIO: &str = include_str!("../tests/fixtures/scale_scenario.toml");

fn scale(c: &mut Criterion) {
    let cases: [(usize, usize, Option<Vec<usize>>, u64); 4] = [
        (37, 25, None, 20_000),
        (1_000, 50, None, 2_000),
        (3_000, 50, None, 500),
        (33_000, 39, Some(vec![7]), 100),
    ];
    let mut group = c.benchmark_group("engine scale");
    group.sample_size(10);
    for (units, indicators, groups, samples) in cases {
        let spec = SynthSpec {
            groups_per_level: groups,
            ..SynthSpec::new(units, indicators, 1)
        };
        let index = generate(&spec)
            .expect("valid spec")
            .load()
            .expect("synthetic data load");
        let scenario = Scenario::from_toml_str(SCENARIO, "scale.toml").expect("scenario");
        let setup =
            Setup::new(&index, &scenario, SCENARIO, &UncertaintyOptions::default()).expect("setup");
        group.throughput(Throughput::Elements(samples));
        group.bench_function(
            format!("{units} units × {indicators} indicators: {samples} samples"),
            |b| b.iter(|| black_box(setup.run(0..samples, 1, 0, &Silent).samples)),
        );
    }
    group.finish();
}

criterion_group!(benches, scale);
criterion_main!(benches);
