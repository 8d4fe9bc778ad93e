//! Exact analyses end to end on embedded indexes: from the loaded index to the focus unit's verified rank bounds (the target: under a second for ±25% on the level-2 weights), every unit's bounds, and the stability report.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ranksense::analysis::weights::exact::{
    BoundsRequest, MethodOverride, StabilityRequest, WeightSet, bounds_for, stability_for,
};
use ranksense::model::embedded;

/// (label, embedded data set, level whose weights vary ±25%). One line per index.
const CASES: &[(&str, &str, usize)] = &[
    ("ieci2022, level 2 (sub-dimensions)", "ieci2022", 2),
    ("asem, level 2 (pillars)", "asem", 2),
];

fn exact(c: &mut Criterion) {
    for &(label, data, level) in CASES {
        let index = embedded::load(data).expect("embedded data set");
        let focus_request = BoundsRequest::spread(vec![level], 0.25, None);
        c.bench_function(&format!("bounds, focus unit, {label} ±25%"), |b| {
            b.iter(|| bounds_for(black_box(&index), black_box(&focus_request)).expect("bounds"))
        });
        let all_request = BoundsRequest {
            all_units: true,
            ..focus_request.clone()
        };
        c.bench_function(&format!("bounds, every unit, {label} ±25%"), |b| {
            b.iter(|| bounds_for(black_box(&index), black_box(&all_request)).expect("bounds"))
        });
        let stability_request = StabilityRequest {
            method: MethodOverride::default(),
            weights: Some(WeightSet::Levels(vec![level])),
            focus: None,
            top_k: None,
        };
        c.bench_function(&format!("stability, focus unit, {label}"), |b| {
            b.iter(|| {
                stability_for(black_box(&index), black_box(&stability_request)).expect("stability")
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = exact
}
criterion_main!(benches);
