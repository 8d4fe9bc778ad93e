//! The fused arithmetic scorer (every aggregate of a block of units summed together, the last
//! block overlapping units already summed) gives each aggregate the bits of the plain sum
//! Σ (w / W) · child, children in order from 0, for any number of units; and the shares it
//! keeps for the engine (`Scratch::shares`) are the bits of w / W.

use ranksense::analysis::uncertainty::{Setup, UncertaintyOptions};
use ranksense::engine::{SampleModel, Uniforms};
use ranksense::pipeline::{Config, Prepared, Scratch, score};
use ranksense::scenario::Scenario;
use ranksense::synth::{SynthSpec, generate};

/// Weights ±25% at both levels and two normalisations (`tests/fixtures/scale_scenario.toml`).
const SCENARIO: &str = include_str!("fixtures/scale_scenario.toml");

/// Every node's scores under `config` by the definition: an aggregate's score of a unit is
/// 0 plus (w_c / W) · score of child c, children in the node's order, W the sum of their weights.
fn reference(prepared: &Prepared, config: &Config) -> Vec<Vec<f64>> {
    let framework = &prepared.framework;
    let normalised = &prepared.variants[config.variant].normalised;
    let mut scores: Vec<Vec<f64>> = (0..framework.n_indicators())
        .map(|c| normalised.col(c).to_vec())
        .collect();
    for node in framework.aggregates() {
        let children = &framework.nodes[node].children;
        let total: f64 = children.iter().map(|&c| config.weights[c]).sum();
        let row = (0..prepared.n_units())
            .map(|u| {
                let mut sum = 0.0;
                for &c in children {
                    sum += config.weights[c] / total * scores[c][u];
                }
                sum
            })
            .collect();
        scores.push(row);
    }
    scores
}

#[test]
fn fused_scores_and_shares_are_the_plain_sums_for_any_number_of_units() {
    // From the fewest units an index may have (2): every mix of 32-, 16- and 8-unit blocks,
    // an overlapping last block, and the 4- and 1-unit blocks below 8 units.
    let bits = |scores: &[f64]| scores.iter().map(|s| s.to_bits()).collect::<Vec<_>>();
    for units in (2..=50).chain([63, 64, 65, 71, 100]) {
        let spec = SynthSpec {
            missing_share: 0.0,
            ..SynthSpec::new(units, 12, 7)
        };
        let index = generate(&spec).unwrap().load().unwrap();
        let scenario = Scenario::from_toml_str(SCENARIO, "scale.toml").unwrap();
        let setup =
            Setup::new(&index, &scenario, SCENARIO, &UncertaintyOptions::default()).unwrap();
        let (model, prepared) = (&setup.model, &setup.prepared);
        let framework = &prepared.framework;
        let uniforms = Uniforms::new(3);
        let mut u = vec![0.0; model.dims()];
        let mut config = model.nominal();
        let mut moved = vec![false; model.n_factors()];
        let mut scratch = Scratch::new(prepared);
        for sample in 0..4 {
            uniforms.fill(sample, &mut u);
            model.configure(&u, &mut config, &mut moved);
            score(prepared, &config, &mut scratch);
            scratch.materialise_all();
            let expected = reference(prepared, &config);
            for node in framework.aggregates() {
                assert_eq!(
                    bits(scratch.aggregate_scores(node)),
                    bits(&expected[node]),
                    "{units} units, sample {sample}, node {node}"
                );
            }
            // Arithmetic levels, positive weights, nothing missing: the fused path ran and
            // kept the shares of every aggregate's children.
            let (shares, from) = scratch.shares();
            assert_eq!(from, 0, "{units} units: the fused path applies");
            for node in framework.aggregates() {
                let children = &framework.nodes[node].children;
                let total: f64 = children.iter().map(|&c| config.weights[c]).sum();
                for &c in children {
                    assert_eq!(
                        shares[c].to_bits(),
                        (config.weights[c] / total).to_bits(),
                        "{units} units, sample {sample}, child {c} of {node}"
                    );
                }
            }
        }
        // A zero weight: the general path scores, and no share is offered.
        config.weights[0] = 0.0;
        score(prepared, &config, &mut scratch);
        assert_eq!(scratch.shares().1, usize::MAX, "{units} units");
    }
}
