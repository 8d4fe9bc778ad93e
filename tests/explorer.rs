//! The weight explorer's data (issue #18): what report.html embeds is the index's nominal data,
//! the stability analysis's intervals and presets that do what their labels say. The page's
//! scoring itself is checked against `ranksense score` in a real browser (tests/browser/check.sh).

use ranksense::analysis::robust::{RobustOptions, RobustRun, run_robust};
use ranksense::analysis::uncertainty::UncertaintyOptions;
use ranksense::engine::Silent;
use ranksense::model::method::Aggregation;
use ranksense::model::{Index, embedded};
use ranksense::pipeline::prepare::nominal_variant;
use ranksense::pipeline::{Config, evaluate, prepare};
use ranksense::report::explorer::{ExplorerData, ExplorerOff, explorer_data, explorer_html};
use ranksense::report::figures::robust_charts;
use ranksense::scenario::Scenario;
use ranksense::scenario::embedded as scenarios;

fn run(data: &str, scenario: &str) -> (Index, RobustRun) {
    let index = embedded::load(data).unwrap();
    let (file, text) = scenarios::find(scenario).unwrap();
    let scenario = Scenario::from_toml_str(text, file).unwrap();
    let options = RobustOptions {
        uncertainty: UncertaintyOptions {
            samples: 4_000,
            seed: 7,
            ..UncertaintyOptions::default()
        },
        base_samples: 64,
        bootstrap_resamples: 50,
        simplex_resolution: 12,
        ..RobustOptions::default()
    };
    let run = run_robust(&index, &scenario, text, &options, &Silent).unwrap();
    (index, run)
}

/// The focus's rank from the ordinary scorer, with a preset's shares as the raw weights of its
/// nodes and every other weight nominal (what the page does when the preset's button is pressed).
fn focus_rank_under(index: &Index, data: &ExplorerData, weights: &[(String, f64)]) -> u32 {
    let prepared = prepare(index, &[nominal_variant(index)]).unwrap();
    let mut raw = prepared.framework.nominal_weights();
    for (code, w) in weights {
        raw[prepared.framework.find(code).unwrap()] = *w;
    }
    let config = Config {
        variant: 0,
        aggregation: index.nominal.aggregation.clone(),
        weights: raw,
    };
    let evaluation = evaluate(&prepared, &config).unwrap();
    evaluation.top_ranks(&prepared)[data.focus.unwrap()]
}

#[test]
fn ieci_explorer_embeds_the_nominal_data_the_bands_and_presets_that_reach_their_ranks() {
    let (index, run) = run("ieci2022", "ieci-full");
    let data = explorer_data(&index, &run).unwrap();
    let prepared = prepare(&index, &[nominal_variant(&index)]).unwrap();
    // The nominal normalised data, indicator-major, in score's unit order.
    assert_eq!(data.units.len(), 37);
    assert_eq!(data.values.len(), 25);
    for (i, column) in data.values.iter().enumerate() {
        assert_eq!(column.as_slice(), prepared.variants[0].normalised.col(i));
    }
    assert!(data.logs.is_none(), "arithmetic: no logarithms embedded");
    // One slider per varied weight: the 11 sub-dimensions and 3 dimensions.
    assert_eq!(data.varied.len(), 14);
    // The bands are the stability analysis's keep-rank intervals, one per movable weight.
    let stability = run.stability.as_ref().unwrap();
    let intervals: Vec<_> = stability
        .sets
        .iter()
        .flat_map(|s| &s.weights)
        .filter(|w| !w.interval.fixed)
        .collect();
    assert_eq!(data.bands.len(), intervals.len());
    for (band, w) in data.bands.iter().zip(&intervals) {
        assert_eq!(band.code, w.interval.weight);
        assert_eq!(
            (band.lo, band.hi),
            (w.interval.keep_rank_lo, w.interval.keep_rank_hi)
        );
        assert!(band.lo <= band.nominal && band.nominal <= band.hi);
    }
    // The exact range is the headline bounds', and the witness presets reach those ranks.
    let range = data.exact_range.as_ref().unwrap();
    let bounds = run.bounds.last().unwrap().units.first().unwrap();
    assert_eq!(
        (range.best, range.worst),
        (bounds.best_rank, bounds.worst_rank)
    );
    let preset = |prefix: &str| {
        data.presets
            .iter()
            .find(|p| p.label.starts_with(prefix))
            .unwrap_or_else(|| panic!("no preset {prefix}"))
    };
    let nominal_rank = stability.nominal_rank as u32;
    assert_eq!(
        focus_rank_under(&index, &data, &preset("Nominal").weights),
        nominal_rank
    );
    assert_eq!(
        focus_rank_under(&index, &data, &preset("Best rank").weights),
        range.best as u32
    );
    assert_eq!(
        focus_rank_under(&index, &data, &preset("Worst rank").weights),
        range.worst as u32
    );
    // The smallest moves change the focus's rank by one place, as labelled.
    for p in data
        .presets
        .iter()
        .filter(|p| p.label.starts_with("Smallest move"))
    {
        let rank = focus_rank_under(&index, &data, &p.weights);
        let expected = if p.label.contains(" up") {
            nominal_rank - 1
        } else {
            nominal_rank + 1
        };
        assert_eq!(rank, expected, "{}", p.label);
    }
    // Every unit's Monte Carlo rank probabilities sum to one.
    for row in data.histogram.as_ref().unwrap() {
        assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }
    // The unit picker's codes name the per-unit charts' rows: each of the 37 units has exactly
    // one row band in the rank intervals and one row frame in the acceptability map.
    let charts = robust_charts(&run);
    for (file, class) in [
        ("rank_intervals.svg", "unit-band"),
        ("rank_acceptability.svg", "unit-frame"),
    ] {
        let svg = &charts.iter().find(|c| c.file == file).unwrap().svg;
        assert_eq!(svg.matches(&format!("class=\"{class}\"")).count(), 37);
        for (code, _) in &data.units {
            let handle = format!("data-unit=\"{code}\"");
            assert_eq!(svg.matches(&handle).count(), 1, "{file}: {code}");
        }
    }
}

#[test]
fn asem_explorer_embeds_imputed_treated_data_and_goes_off_for_aggregations_it_cannot_score() {
    let (mut index, run) = run("asem", "asem");
    let data = explorer_data(&index, &run).unwrap();
    let prepared = prepare(&index, &[nominal_variant(&index)]).unwrap();
    // Imputation and treatment applied: the embedded data are the prepared ones, complete.
    assert_eq!(data.units.len(), prepared.n_units());
    assert!(!data.has_missing);
    assert!(data.values.iter().flatten().all(|v| v.is_finite()));
    assert_eq!(
        data.values[0].as_slice(),
        prepared.variants[0].normalised.col(0)
    );
    // A Copeland index: the explorer is off, with a note saying why, and no data embedded.
    index.nominal.aggregation = vec![Aggregation::Copeland; 3];
    let off = explorer_data(&index, &run).unwrap_err();
    assert_eq!(off, ExplorerOff::Aggregation("copeland".into()));
    let html = explorer_html(&Err(off));
    assert!(html.contains("arithmetic and geometric means only") && !html.contains("ex-data"));
    // Geometric: the indicators' logarithms travel with the data.
    index.nominal.aggregation = vec![Aggregation::Geometric; 3];
    index.nominal.normalisation = "minmax(1,100)".parse().unwrap();
    let data = explorer_data(&index, &run).unwrap();
    let prepared = prepare(&index, &[nominal_variant(&index)]).unwrap();
    assert_eq!(
        data.logs.as_ref().unwrap()[3].as_slice(),
        prepared.variants[0].logs.as_ref().unwrap().col(3)
    );
}
