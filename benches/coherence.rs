//! The `coherence` audit on the 33,000 × 39 synthetic index (7 domains, `ranksense synth
//! --units 33000 --indicators 39 --groups 7 --seed 1`), as the command runs it: correlations,
//! α and PCA, η² with its 200-resample bootstrap for every node, and the search for the
//! weights that deliver the intended importance. Issue #16's target: under 10 s on 2 cores.
//!
//! Run with short settings: `cargo bench --bench coherence -- --warm-up-time 1
//! --measurement-time 5`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ranksense::analysis::coherence::{Settings, audit};
use ranksense::pipeline::prepare::nominal_variant;
use ranksense::pipeline::{Config, evaluate, prepare};
use ranksense::synth::{SynthSpec, generate};

fn coherence(c: &mut Criterion) {
    let spec = SynthSpec {
        groups_per_level: Some(vec![7]),
        ..SynthSpec::new(33_000, 39, 1)
    };
    let index = generate(&spec)
        .expect("valid spec")
        .load()
        .expect("synthetic data load");
    let mut group = c.benchmark_group("coherence");
    group.sample_size(10);
    group.bench_function("33000 units × 39 indicators, 200 resamples", |b| {
        b.iter(|| {
            // Everything the command does after loading: prepare, score, audit.
            let prepared = prepare(&index, &[nominal_variant(&index)]).expect("prepare");
            let weights = prepared.framework.nominal_weights();
            let config = Config {
                variant: 0,
                aggregation: index.nominal.aggregation.clone(),
                weights: weights.clone(),
            };
            let evaluation = evaluate(&prepared, &config).expect("evaluate");
            black_box(audit(
                &index,
                &prepared,
                0,
                &evaluation,
                &weights,
                &Settings::default(),
            ))
        })
    });
    group.finish();
}

criterion_group!(benches, coherence);
criterion_main!(benches);
