//! Exact analyses end to end on embedded indexes: from the loaded index to the focus unit's verified rank bounds (the target: under a second for ±25% on the level-2 weights), every unit's bounds, and the stability report; and the focus unit's bounds and stability on synthetic indices of 1,000 × 40 and 33,000 × 39 (issue #15's targets: under 1 s and 30 s).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ranksense::analysis::weights::exact::{
    BoundsRequest, MethodOverride, StabilityRequest, WeightSet, bounds_for, stability_for,
};
use ranksense::model::{Index, embedded};
use ranksense::synth::{SynthSpec, generate};

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

/// The synthetic index `ranksense synth --units U --indicators I [--groups G]` writes.
fn synthetic(units: usize, indicators: usize, groups: Option<Vec<usize>>) -> Index {
    let spec = SynthSpec {
        groups_per_level: groups,
        ..SynthSpec::new(units, indicators, 1)
    };
    generate(&spec)
        .expect("valid spec")
        .load()
        .expect("synthetic index")
}

/// Focus-unit bounds (±25% on the 7 domain weights, solved by the spatial branch and bound) and
/// the stability report (every level) at the sizes of issue #15. The indicator weights (40 in 7
/// groups) are not here: too many dimensions for the spatial search, their unbudgeted MILP takes
/// minutes (README, "Exact bounds at scale").
fn scale(c: &mut Criterion) {
    let cases: [(usize, usize, Option<Vec<usize>>); 2] =
        [(1_000, 40, None), (33_000, 39, Some(vec![7]))];
    for (units, indicators, groups) in cases {
        let index = synthetic(units, indicators, groups);
        let label = format!("{units} × {indicators}");
        let request = BoundsRequest::spread(vec![2], 0.25, None);
        c.bench_function(
            &format!("bounds, focus unit, synthetic {label}, domain weights ±25%"),
            |b| b.iter(|| bounds_for(black_box(&index), black_box(&request)).expect("bounds")),
        );
        let stability_request = StabilityRequest {
            method: MethodOverride::default(),
            weights: None,
            focus: None,
            top_k: None,
        };
        c.bench_function(&format!("stability, focus unit, synthetic {label}"), |b| {
            b.iter(|| {
                stability_for(black_box(&index), black_box(&stability_request)).expect("stability")
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = exact, scale
}
criterion_main!(benches);
