//! Ranking: descending score, ties sharing the best rank (R `rank(-x, ties.method = "min")`).

/// Ranks `scores` into `ranks` (1 = highest score). Ties share the best rank ("sport"
/// ranking: 1, 2, 2, 4); units with a missing score rank after all others, sharing one rank.
///
/// `order` is scratch that persists between calls: it starts from the previous call's order.
/// Consecutive Monte Carlo samples usually differ a little, so the order is nearly sorted:
/// small indices use insertion sort (linear in the number of swaps), large ones the standard
/// stable sort (driftsort, adaptive to sorted runs). No allocation once sized.
pub fn rank_descending(scores: &[f64], order: &mut Vec<u32>, ranks: &mut [u32]) {
    let n = scores.len();
    if order.len() != n {
        order.clear();
        order.extend(0..n as u32);
    }
    // Missing scores sort last; NaN-free keys make the comparison a total order.
    let key = |u: u32| {
        let s = scores[u as usize];
        if s.is_nan() { f64::NEG_INFINITY } else { s }
    };
    if n <= INSERTION_SORT_MAX {
        for i in 1..n {
            let moving = order[i];
            let moving_key = key(moving);
            let mut j = i;
            while j > 0 && key(order[j - 1]) < moving_key {
                order[j] = order[j - 1];
                j -= 1;
            }
            order[j] = moving;
        }
    } else {
        order.sort_by(|&a, &b| key(b).total_cmp(&key(a)));
    }
    let mut rank = 1u32;
    for position in 0..n {
        let u = order[position] as usize;
        if position > 0 {
            let previous = order[position - 1] as usize;
            let tied =
                scores[u] == scores[previous] || (scores[u].is_nan() && scores[previous].is_nan());
            if !tied {
                rank = position as u32 + 1;
            }
        }
        ranks[u] = rank;
    }
}

/// Up to this many units, ranking uses insertion sort from the previous order.
const INSERTION_SORT_MAX: usize = 256;

/// Allocating convenience wrapper around [`rank_descending`].
pub fn ranks_of(scores: &[f64]) -> Vec<u32> {
    let mut order = Vec::new();
    let mut ranks = vec![0; scores.len()];
    rank_descending(scores, &mut order, &mut ranks);
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ties_share_the_best_rank_and_missing_go_last() {
        assert_eq!(ranks_of(&[3.0, 5.0, 3.0, 1.0]), vec![2, 1, 2, 4]);
        assert_eq!(ranks_of(&[f64::NAN, 2.0, 1.0]), vec![3, 1, 2]);
        // -0.0 and 0.0 are equal scores, so they tie.
        assert_eq!(ranks_of(&[0.0, -0.0]), vec![1, 1]);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, rng_seed: proptest::test_runner::RngSeed::Fixed(7), ..ProptestConfig::default() })]
        /// Ranks are a permutation of 1..n up to ties: rank = 1 + number of strictly better units.
        #[test]
        fn rank_is_one_plus_number_strictly_better(values in prop::collection::vec(0u8..6, 1..400)) {
            let scores: Vec<f64> = values.iter().map(|&v| f64::from(v)).collect();
            let ranks = ranks_of(&scores);
            for (u, &r) in ranks.iter().enumerate() {
                let better = scores.iter().filter(|&&s| s > scores[u]).count() as u32;
                prop_assert_eq!(r, better + 1);
            }
            // Reusing the order scratch from another permutation gives the same ranks.
            let mut order: Vec<u32> = (0..scores.len() as u32).rev().collect();
            let mut again = vec![0; scores.len()];
            rank_descending(&scores, &mut order, &mut again);
            prop_assert_eq!(again, ranks);
        }
    }
}
