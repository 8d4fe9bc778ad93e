//! Ranking: descending score, ties sharing the best rank (R `rank(-x, ties.method = "min")`).

/// Ranks `scores` into `ranks` (1 = highest score). Ties share the best rank ("sport"
/// ranking: 1, 2, 2, 4; R `rank(-x, ties.method = "min")`); units with a missing score rank
/// after all others, sharing one rank.
///
/// Scores become sortable integer keys once (the IEEE 754 total-order bit trick) and are sorted
/// with the standard unstable sort (pattern-defeating quicksort): Monte Carlo samples are
/// independent, so the previous order is no better a start than any other. `keys` and `order`
/// are persistent scratch: no allocation once sized.
pub fn rank_descending(
    scores: &[f64],
    keys: &mut Vec<(u64, u32)>,
    order: &mut Vec<u32>,
    ranks: &mut [u32],
) {
    if scores.len() <= COUNTING_MAX {
        return rank_by_counting(scores, ranks);
    }
    keys.clear();
    keys.extend(
        scores
            .iter()
            .enumerate()
            .map(|(u, &s)| (descending_key(s), u as u32)),
    );
    keys.sort_unstable();
    order.clear();
    order.extend(keys.iter().map(|&(_, u)| u));
    assign_ranks(scores, order, ranks);
}

/// Up to this many units, ranks are counted directly (n² vectorised comparisons beat a sort).
const COUNTING_MAX: usize = 64;

/// rank(u) = 1 + #{v : score_v > score_u}: the sport ranking by definition (NaN compares
/// false, so missing scores never count as better); a missing score ranks after every present
/// one. O(n²) comparisons that the compiler vectorises: faster than sorting for small n.
fn rank_by_counting(scores: &[f64], ranks: &mut [u32]) {
    let present = scores.iter().filter(|s| !s.is_nan()).count() as u32;
    for (rank, &score) in ranks.iter_mut().zip(scores) {
        *rank = if score.is_nan() {
            present + 1
        } else {
            scores
                .iter()
                .map(|&other| u32::from(other > score))
                .sum::<u32>()
                + 1
        };
    }
}

/// An integer whose ascending order is the descending order of `score`, missing scores last
/// (the IEEE 754 total-order bit trick).
#[inline]
fn descending_key(score: f64) -> u64 {
    if score.is_nan() {
        return u64::MAX; // after every number, −∞ included
    }
    // -0.0 and 0.0 must tie.
    let score = if score == 0.0 { 0.0 } else { score };
    let bits = score.to_bits();
    let ascending = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    !ascending
}

/// Sport ranks from a descending order: ties (equal scores, or both missing) share the best rank.
#[inline]
fn assign_ranks(scores: &[f64], order: &[u32], ranks: &mut [u32]) {
    let mut rank = 1u32;
    for position in 0..order.len() {
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

/// Allocating convenience wrapper around [`rank_descending`].
pub fn ranks_of(scores: &[f64]) -> Vec<u32> {
    let (mut keys, mut order) = (Vec::new(), Vec::new());
    let mut ranks = vec![0; scores.len()];
    rank_descending(scores, &mut keys, &mut order, &mut ranks);
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
        assert_eq!(
            ranks_of(&[0.0, -0.0, f64::NAN, -3.5, 1e300]),
            vec![2, 2, 5, 4, 1]
        );
        assert_eq!(
            ranks_of(&[f64::INFINITY, f64::NAN, f64::NAN, f64::NEG_INFINITY]),
            vec![1, 3, 3, 2]
        );
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
            // Reusing dirty scratch gives the same ranks.
            let mut keys = vec![(7, 7); 3];
            let mut order: Vec<u32> = (0..scores.len() as u32).rev().collect();
            let mut again = vec![0; scores.len()];
            rank_descending(&scores, &mut keys, &mut order, &mut again);
            prop_assert_eq!(again, ranks);
        }
    }
}
