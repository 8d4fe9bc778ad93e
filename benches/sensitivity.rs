//! Criterion benchmark of a full Sobol analysis of the IECI (ieci-full: weight groups, normalisation, aggregation, exclusion) at N = 8,192 with 1,000 bootstrap resamples.
//!
//! Target (issue): under 2 s on the 2-core development machine, bootstrap included. Every target
//! is estimated: R_S, each unit's rank and score, and the focus unit's top-k indicator (76
//! targets). Measured on the stand-in (2 cores, AVX-512): ieci-full (5 factors, 57,344 runs)
//! takes about 1.6 s of CPU time, so about 0.85 s of wall time on two idle cores; the per-parent
//! variant (7 factors, 73,728 runs) about 2.0 s of CPU time. About 80% of it is the bootstrap.
//!
//! The IECI data set is used when it is embedded (`ranksense::model::embedded::load("ieci2022")`).
//! Until then a stand-in of the same shape is generated here: 37 cities, 25 indicators in 11
//! sub-dimensions (3 × 3 + 8 × 2) under 3 dimensions, seeded values — the cost of the analysis
//! depends on that shape, not on the values.

use criterion::{Criterion, criterion_group, criterion_main};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use ranksense::analysis::sensitivity::{SensitivityOptions, run_sensitivity};
use ranksense::engine::Silent;
use ranksense::model::{Index, embedded, load_from_strings};
use ranksense::scenario::Scenario;

/// Base rows of the benchmarked design.
const BASE_SAMPLES: usize = 8192;

/// The IECI, or a seeded stand-in of its shape.
fn ieci() -> Index {
    if let Some(index) = embedded::load("ieci2022") {
        return index;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(2023_0208);
    let dimensions = ["ATT", "INF", "CON"];
    // (sub-dimension, dimension, indicators)
    let sub_dimensions = [
        ("LIV", "ATT", 3),
        ("BUS", "ATT", 2),
        ("SAF", "ATT", 2),
        ("TOU", "ATT", 2),
        ("AFF", "INF", 3),
        ("ECO", "INF", 2),
        ("SCI", "INF", 2),
        ("CUL", "INF", 2),
        ("TRA", "CON", 3),
        ("DIG", "CON", 2),
        ("PEO", "CON", 2),
    ];
    let mut meta = String::from("Level,iCode,iName,Direction,Weight,Parent,Type\n");
    let mut indicators = Vec::new();
    for (sub, _, count) in sub_dimensions {
        for i in 1..=count {
            let code = format!("{sub}_{i}");
            let direction = if indicators.len() % 7 == 3 { -1 } else { 1 };
            meta.push_str(&format!("1,{code},{code},{direction},1,{sub},Indicator\n"));
            indicators.push(code);
        }
    }
    for (sub, dimension, _) in sub_dimensions {
        meta.push_str(&format!("2,{sub},{sub},1,1,{dimension},Aggregate\n"));
    }
    for dimension in dimensions {
        meta.push_str(&format!("3,{dimension},{dimension},1,1,IECI,Aggregate\n"));
    }
    meta.push_str("4,IECI,IECI,1,1,,Aggregate\n");
    let mut data = format!("uCode,uName,{}\n", indicators.join(","));
    for city in 0..37 {
        let code = if city == 6 {
            "BEJ".to_string()
        } else {
            format!("C{city:02}")
        };
        // A common size effect plus indicator noise: correlated, skewed, positive values.
        let size = 1.0 + 3.0 * (1.0 - city as f64 / 37.0);
        let values: Vec<String> = indicators
            .iter()
            .map(|_| {
                let noise: f64 = rng.random::<f64>() * 2.0;
                format!("{:.3}", (size + noise).powi(2))
            })
            .collect();
        data.push_str(&format!("{code},City {city},{}\n", values.join(",")));
    }
    let index_toml = "name = \"IECI-shaped stand-in\"\nfocus = \"BEJ\"\n\n[method]\n\
                      normalisation = \"minmax(0,100)\"\naggregation = \"arithmetic\"\n";
    load_from_strings(
        ("meta.csv", &meta),
        ("data.csv", &data),
        Some(("index.toml", index_toml)),
        "bench:ieci-stand-in",
    )
    .expect("the stand-in index is valid")
}

/// Benchmarks one full analysis (all targets, 1,000 resamples) of `scenario_text` on the IECI.
fn bench_scenario(c: &mut Criterion, label: &str, scenario_text: &str) {
    let index = ieci();
    let scenario = Scenario::from_toml_str(scenario_text, label).expect("scenario parses");
    let options = SensitivityOptions {
        base_samples: BASE_SAMPLES,
        ..SensitivityOptions::default()
    };
    let run = run_sensitivity(&index, &scenario, scenario_text, &options, &Silent).expect("runs");
    eprintln!(
        "{label} on {}: {} factors, {} runs, {} targets, {} bootstrap resamples",
        index.info.name,
        run.factors.len(),
        run.design.run_count(),
        run.targets.len(),
        options.bootstrap_resamples
    );
    let mut group = c.benchmark_group("sensitivity");
    group.sample_size(10);
    group.bench_function(format!("{label} N=8192 B=1000 all targets"), |b| {
        b.iter(|| {
            run_sensitivity(&index, &scenario, scenario_text, &options, &Silent).expect("runs")
        })
    });
    group.finish();
}

/// The shipped default audit: sub-dimension weights and dimension weights (one factor per
/// level), normalisation, aggregation and leave-one-indicator-out: 5 factors.
fn ieci_full(c: &mut Criterion) {
    let (_, text) = ranksense::scenario::embedded::find("ieci-full").expect("shipped");
    bench_scenario(c, "ieci-full", text);
}

/// The same with the sub-dimension weights of each dimension as a factor of its own: 7 factors.
fn ieci_full_per_parent(c: &mut Criterion) {
    let (_, text) = ranksense::scenario::embedded::find("ieci-full").expect("shipped");
    let per_parent = text.replacen("grouping = \"per-level\"", "grouping = \"per-parent\"", 1);
    bench_scenario(c, "ieci-full-per-parent", &per_parent);
}

criterion_group!(benches, ieci_full, ieci_full_per_parent);
criterion_main!(benches);
