//! The engine's large-index scoring (`score_top`: aggregates summed a tile of units at a time,
//! only the top's row stored) gives the top node the bits of the general scorer, `score`.

use ranksense::analysis::uncertainty::{Setup, UncertaintyOptions};
use ranksense::engine::{SampleModel, Uniforms};
use ranksense::pipeline::{Scratch, score, score_top};
use ranksense::scenario::Scenario;
use ranksense::synth::{SynthSpec, generate};

/// The scale bench's scenario: weights at both levels and two normalisations.
const SCENARIO: &str = include_str!("fixtures/scale_scenario.toml");

/// Top scores of `score` and `score_top` as bits, for sampled configurations of synthetic
/// indices above the tiled path's threshold (a unit count that leaves a partial last tile;
/// three and four levels, so that aggregates read aggregates summed in the same tile), and
/// for configurations it hands back to `score` (a zero weight).
#[test]
fn top_scores_are_those_of_the_general_scorer() {
    for (units, indicators, groups) in [(4_100, 12, vec![4]), (5_003, 20, vec![6, 3])] {
        let spec = SynthSpec {
            levels: groups.len() + 2,
            groups_per_level: Some(groups),
            ..SynthSpec::new(units, indicators, 3)
        };
        let index = generate(&spec).unwrap().load().unwrap();
        let scenario = Scenario::from_toml_str(SCENARIO, "scale.toml").unwrap();
        let setup =
            Setup::new(&index, &scenario, SCENARIO, &UncertaintyOptions::default()).unwrap();
        let (model, prepared) = (&setup.model, &setup.prepared);
        let top = prepared.framework.top;
        let uniforms = Uniforms::new(11);
        let mut u = vec![0.0; model.dims()];
        let mut config = model.nominal();
        let mut moved = vec![false; model.n_factors()];
        let (mut general, mut tiled) = (Scratch::new(prepared), Scratch::new(prepared));
        let bits = |scores: &[f64]| scores.iter().map(|s| s.to_bits()).collect::<Vec<_>>();
        for sample in 0..24 {
            uniforms.fill(sample, &mut u);
            model.configure(&u, &mut config, &mut moved);
            if sample == 23 {
                config.weights[0] = 0.0; // an indicator left out: `score` does it all
            }
            score(prepared, &config, &mut general);
            score_top(prepared, &config, &mut tiled);
            assert_eq!(
                bits(general.aggregate_scores(top)),
                bits(tiled.aggregate_scores(top)),
                "{units} units, sample {sample}"
            );
            assert_eq!(general.rank(prepared, top), tiled.rank(prepared, top));
        }
    }
}
