//! Weight stability of one level: exact intervals of a single normalised weight that keep a unit's rank and the top-k order, and the smallest change of the level's weights that moves a unit one place.
//!
//! [`intervals`]: one weight moving with its siblings rescaled, walked exactly over the
//! crossings of affine scores. [`minimal_change`]: the smallest L1 or L∞ change of the whole
//! level that moves the focus one place (a MILP).

pub mod intervals;
pub mod minimal_change;

pub use intervals::{Crossing, StabilityInterval, stability_intervals};
pub use minimal_change::{MinimalChange, MinimalChanges, minimal_rank_changes};
#[cfg(any(test, feature = "internals"))]
pub use intervals::weights_at;
#[cfg(any(test, feature = "internals"))]
pub use minimal_change::{ChangeNorm, MoveDirection};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::weights::linear::{LevelModel, LevelModelSpec, ScoreScale};

    fn codes(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    /// One group of two components: `score_u(t) = C_u1 + (C_u0 − C_u1) t` with `t = v_0`.
    fn two_weight_model() -> LevelModel {
        LevelModel::new(LevelModelSpec {
            components: vec![vec![60.0, 40.0], vec![30.0, 70.0], vec![0.0, 10.0]],
            groups: vec![vec![0, 1]],
            group_multipliers: vec![1.0],
            scale: ScoreScale::Linear,
            nominal_weights: vec![1.0, 1.0],
            component_codes: codes("c", 2),
            unit_codes: codes("u", 3),
        })
        .unwrap()
    }

    #[test]
    fn interval_ends_where_the_scores_cross() {
        // u0: 40 + 20t, u1: 70 − 40t; they cross at t = 0.5 (the nominal point is a tie).
        // At t0 = 0.5 both share rank 1; below it u1 leads, above it u0 does.
        let model = two_weight_model();
        let intervals = stability_intervals(&model, 0, 1).unwrap();
        let first = &intervals[0];
        assert!(!first.fixed);
        assert_eq!(first.keep_rank_hi, 1.0);
        assert_eq!(first.keep_rank_lo, 0.5);
        let below = first.first_change_below.as_ref().unwrap();
        assert_eq!((below.passer.as_str(), below.passed.as_str()), ("u1", "u0"));
        assert!(
            first.first_change_above.is_none(),
            "u0 stays first above 0.5"
        );
    }

    #[test]
    fn interval_is_exact_for_an_off_nominal_crossing() {
        let mut spec = LevelModelSpec {
            components: vec![vec![60.0, 40.0], vec![30.0, 70.0], vec![0.0, 10.0]],
            groups: vec![vec![0, 1]],
            group_multipliers: vec![1.0],
            scale: ScoreScale::Linear,
            nominal_weights: vec![3.0, 1.0],
            component_codes: codes("c", 2),
            unit_codes: codes("u", 3),
        };
        let model = LevelModel::new(spec.clone()).unwrap();
        let interval = &stability_intervals(&model, 0, 2).unwrap()[0];
        // t0 = 0.75: u0 = 55 > u1 = 40. Crossing at t = 0.5; above, u0 stays first up to 1.
        assert!((interval.keep_rank_lo - 0.5).abs() < 1e-12);
        assert_eq!(interval.keep_rank_hi, 1.0);
        assert!(
            (interval.keep_rank_lo_raw - 1.0).abs() < 1e-12,
            "w0 = 0.5·1/0.5"
        );
        assert!(interval.keep_rank_hi_raw.is_infinite());
        // An unbounded raw end is left out of JSON rather than written as a non-number.
        let json = serde_json::to_string(interval).unwrap();
        assert!(
            !json.contains("keep_rank_hi_raw") && !json.contains("inf"),
            "{json}"
        );
        // u2 never enters the top 2: 10 − 10t < 40 + 20t.
        assert!((interval.keep_topk_lo - 0.5).abs() < 1e-12);
        spec.groups = vec![vec![0], vec![1]];
        spec.group_multipliers = vec![0.5, 0.5];
        let fixed = LevelModel::new(spec).unwrap();
        assert!(
            stability_intervals(&fixed, 0, 1)
                .unwrap()
                .iter()
                .all(|i| i.fixed)
        );
    }

    #[test]
    fn minimal_change_moves_exactly_one_place() {
        let mut spec = LevelModelSpec {
            components: vec![vec![60.0, 40.0], vec![30.0, 70.0], vec![0.0, 10.0]],
            groups: vec![vec![0, 1]],
            group_multipliers: vec![1.0],
            scale: ScoreScale::Linear,
            nominal_weights: vec![1.0, 3.0],
            component_codes: codes("c", 2),
            unit_codes: codes("u", 3),
        };
        spec.nominal_weights = vec![1.0, 3.0];
        let model = LevelModel::new(spec).unwrap();
        // t0 = 0.25: u0 = 45, u1 = 60 → u0 second; passes u1 at t = 0.5.
        let changes = minimal_rank_changes(&model, 0).unwrap();
        assert_eq!(changes.nominal_rank, 2);
        let up = changes.up_linf.unwrap();
        assert_eq!(up.new_rank, 1);
        assert_eq!(up.counterpart, "u1");
        assert!((up.distance - 0.25).abs() < 1e-4, "{}", up.distance);
        assert!(up.lower_bound <= up.distance && up.lower_bound > 0.25 - 1e-9);
        let up_l1 = changes.up_l1.unwrap();
        assert!(
            (up_l1.distance - 0.5).abs() < 1e-4,
            "both weights move by 0.25"
        );
        // u2 can never pass u0 on the simplex: no way down.
        assert!(changes.down_l1.is_none() && changes.down_linf.is_none());
    }
}
