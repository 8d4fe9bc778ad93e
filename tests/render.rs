//! One renderer per result: every result's JSON is the summary.json envelope its folder holds,
//! and the text formats carry the same sentence.

use ranksense::analysis::weights::drop::{DropRequest, drop_elements};
use ranksense::analysis::weights::exact::{
    BoundsRequest, MethodOverride, RangeSource, StabilityRequest, bounds_for, stability_for,
};
use ranksense::model::{Index, embedded};
use ranksense::pipeline::prepare::nominal_variant;
use ranksense::pipeline::{Config, evaluate, prepare};
use ranksense::report::exact::{bounds_sentence, drop_sentence, stability_sentence};
use ranksense::report::render::{BoundsView, DropView, Format, Render, ScoreView, StabilityView};
use serde_json::Value;

fn ieci() -> Index {
    embedded::load("ieci2022").unwrap()
}

/// The JSON a result prints: the envelope (version, command, data, method) of `command`, the
/// same bytes as the summary.json among its files when it writes one.
fn assert_envelope(view: &dyn Render, command: &str) -> Value {
    let json = view.render(Format::Json).unwrap();
    let value: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["command"], command);
    for key in ["ranksense_version", "data", "nominal_method", "method"] {
        assert!(value.get(key).is_some(), "{command}: {key} missing");
    }
    if let Some(file) = view.files().get("summary.json") {
        assert_eq!(file, json.as_bytes(), "{command}");
    }
    value
}

#[test]
fn exact_results_print_their_summary_and_sentence_in_every_format() {
    let index = ieci();
    let request = BoundsRequest {
        method: MethodOverride::default(),
        weights: None,
        range: RangeSource::Spread(0.25),
        focus: None,
        all_units: false,
    };
    let bounds = bounds_for(&index, &request).unwrap();
    let unit = bounds.unit(bounds.focus.as_deref().unwrap()).unwrap();
    let sentence = bounds_sentence(&bounds, unit, None);
    let view = BoundsView {
        index: &index,
        result: &bounds,
        all_units: false,
        witness_file: None,
    };
    let value = assert_envelope(&view, "bounds");
    assert!(value["bounds"].is_array());
    let table = view.render(Format::Table).unwrap();
    assert!(table.starts_with(&format!("{} — exact rank bounds\n", index.info.name)));
    assert!(table.contains(&format!("\n{sentence}\n")));
    assert!(
        view.render(Format::Markdown)
            .unwrap()
            .starts_with(&sentence)
    );
    let csv = view.render(Format::Csv).unwrap();
    assert_eq!(view.files().get("bounds.csv"), Some(csv.as_bytes()));

    let stability = stability_for(
        &index,
        &StabilityRequest {
            method: MethodOverride::default(),
            weights: None,
            focus: None,
            top_k: None,
        },
    )
    .unwrap();
    let view = StabilityView {
        index: &index,
        result: &stability,
    };
    assert_envelope(&view, "stability");
    let sentence = stability_sentence(&stability);
    assert!(
        view.render(Format::Markdown)
            .unwrap()
            .starts_with(&sentence)
    );
    assert!(view.render(Format::Table).unwrap().contains(&sentence));

    let dropped = drop_elements(
        &index,
        &DropRequest {
            method: MethodOverride::default(),
            levels: None,
            focus: None,
        },
    )
    .unwrap();
    let view = DropView {
        index: &index,
        result: &dropped,
    };
    assert_envelope(&view, "drop");
    assert!(
        view.render(Format::Markdown)
            .unwrap()
            .starts_with(&drop_sentence(&dropped))
    );
    for format in [Format::Table, Format::Csv, Format::Json, Format::Markdown] {
        let text = view.render(format).unwrap();
        let words = text.split(|c: char| !c.is_alphanumeric());
        assert!(
            !words.into_iter().any(|w| w == "NaN" || w == "inf"),
            "{format:?}"
        );
    }
}

#[test]
fn the_ranking_prints_the_envelope_and_writes_no_files() {
    let index = ieci();
    let prepared = prepare(&index, &[nominal_variant(&index)]).unwrap();
    let config = Config {
        variant: 0,
        aggregation: index.nominal.aggregation.clone(),
        weights: prepared.framework.nominal_weights(),
    };
    let evaluation = evaluate(&prepared, &config).unwrap();
    let view = ScoreView {
        index: &index,
        prepared: &prepared,
        evaluation: &evaluation,
        level: None,
    };
    let value = assert_envelope(&view, "score");
    assert_eq!(
        value["ranking"].as_array().unwrap().len(),
        prepared.n_units()
    );
    assert!(view.files().files.is_empty());
    let csv = view.render(Format::Csv).unwrap();
    assert_eq!(csv.lines().count(), prepared.n_units() + 1);
}
