//! The embedded IECI 2022 reconstruction, scored by the library's own pipeline (not the
//! generator's checker), reproduces every published fact in data/ieci2022/published_facts.csv.

use ranksense::model::embedded;
use ranksense::pipeline::prepare::nominal_variant;
use ranksense::pipeline::{Config, evaluate, prepare};

#[test]
fn every_published_fact_holds_under_the_nominal_method() {
    let index = embedded::load("ieci2022").unwrap();
    assert!(
        index.info.reconstruction,
        "the data set must say it is a reconstruction"
    );
    let prepared = prepare(&index, &[nominal_variant(&index)]).unwrap();
    let config = Config {
        variant: 0,
        aggregation: index.nominal.aggregation.clone(),
        weights: prepared.framework.nominal_weights(),
    };
    let evaluation = evaluate(&prepared, &config).unwrap();
    let facts = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/ieci2022/published_facts.csv"
    );
    let mut reader = csv::Reader::from_path(facts).unwrap();
    let mut checked = 0;
    let mut violated = Vec::new();
    for record in reader.records() {
        let r = record.unwrap();
        let (id, unit, measure, code, rank, value) = (&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]);
        let u = prepared
            .find_unit(unit)
            .unwrap_or_else(|| panic!("{id}: {unit} is not among the 37 cities"));
        let node = if code == "IECI" {
            prepared.framework.top
        } else {
            prepared.framework.find(code).unwrap()
        };
        let holds = match measure {
            "overall rank" | "dimension rank" | "sub-dimension rank" | "indicator rank" => {
                evaluation.ranks[node][u] == rank.parse::<u32>().unwrap()
            }
            "indicator value" => {
                let row = prepared.unit_rows[u];
                index.raw.get(row, node) == value.parse::<f64>().unwrap()
            }
            m if m.starts_with("member of the 37") => {
                (21..=37).contains(&evaluation.ranks[node][u])
            }
            other => panic!("{id}: unknown measure {other}"),
        };
        // A fact with both a rank and a value (Beijing's 54 Fortune Global 500 HQs) checks both.
        let value_holds = measure == "indicator rank" && !value.is_empty() && {
            let row = prepared.unit_rows[u];
            index.raw.get(row, node) != value.parse::<f64>().unwrap()
        };
        if !holds || value_holds {
            violated.push(id.to_string());
        }
        checked += 1;
    }
    assert_eq!(checked, 37);
    assert!(violated.is_empty(), "facts violated: {violated:?}");
    // Beijing is 7th of 37.
    let bej = prepared.find_unit("Beijing").unwrap();
    assert_eq!(evaluation.ranks[prepared.framework.top][bej], 7);
    assert_eq!(prepared.n_units(), 37);
}
