//! Ranking: descending score, ties sharing the best rank (R `rank(-x, ties.method = "min")`).

/// Reusable buffers for [`rank_descending`]: no allocation once sized.
#[derive(Debug, Clone, Default)]
pub struct RankScratch {
    keys: Vec<(u64, u32)>,
    order: Vec<u32>,
    coarse: Vec<i32>,
}

impl RankScratch {
    /// Buffers sized for `n` units.
    pub fn with_capacity(n: usize) -> Self {
        RankScratch {
            keys: Vec::with_capacity(n),
            order: Vec::with_capacity(n),
            coarse: Vec::with_capacity(n.next_multiple_of(PAD)),
        }
    }
}

/// Ranks `scores` into `ranks` (1 = highest score). Ties share the best rank ("sport"
/// ranking: 1, 2, 2, 4; R `rank(-x, ties.method = "min")`); units with a missing score rank
/// after all others, sharing one rank.
///
/// Small indices are ranked by counting ([`rank_by_counting`]). Larger ones: scores become
/// sortable integer keys once (the IEEE 754 total-order bit trick) and are sorted with the
/// standard unstable sort (pattern-defeating quicksort): Monte Carlo samples are independent,
/// so the previous order is no better a start than any other.
pub fn rank_descending(scores: &[f64], scratch: &mut RankScratch, ranks: &mut [u32]) {
    if scores.len() <= COUNTING_MAX {
        return rank_by_counting(scores, &mut scratch.coarse, ranks);
    }
    let keys = &mut scratch.keys;
    keys.clear();
    keys.extend(
        scores
            .iter()
            .enumerate()
            .map(|(u, &s)| (descending_key(s), u as u32)),
    );
    keys.sort_unstable();
    let order = &mut scratch.order;
    order.clear();
    order.extend(keys.iter().map(|&(_, u)| u));
    assign_ranks(scores, order, ranks);
}

/// Up to this many units, ranks are counted directly (n² vectorised comparisons beat a sort).
const COUNTING_MAX: usize = 64;

/// Keys per padded block when counting: a whole number of vector registers.
const PAD: usize = 8;

/// rank(u) = 1 + #{v : score_v > score_u}: the sport ranking by definition.
///
/// The n² comparisons are first made on 32-bit keys (the top half of each score's total-order
/// key, [`coarse_key`]), which the compiler compares twice as many to a vector register as
/// doubles. The coarse counts are exact when the coarse keys are all distinct: then coarse
/// order is score order, and there are no ties. They are all distinct exactly when the counts
/// sum to n(n − 1)/2 (each pair of units counted once); otherwise (ties, or scores within about
/// one part in a million) the ranks are counted again on the scores themselves.
fn rank_by_counting(scores: &[f64], coarse: &mut Vec<i32>, ranks: &mut [u32]) {
    coarse.clear();
    coarse.extend(scores.iter().map(|&s| coarse_key(s)));
    // Padding to whole vectors, so no comparison falls to a scalar tail loop; the padding key
    // is never greater than another, so it counts for nothing.
    coarse.resize(scores.len().next_multiple_of(PAD), i32::MIN);
    let mut pairs_ordered = 0u32;
    for (rank, &key) in ranks.iter_mut().zip(coarse.iter()) {
        // Counted lane-wise across blocks, summed once: vertical adds only.
        let mut lanes = [0u32; PAD];
        for block in coarse.chunks_exact(PAD) {
            for (lane, &other) in lanes.iter_mut().zip(block) {
                *lane += u32::from(other > key);
            }
        }
        let better = lanes.iter().sum::<u32>();
        pairs_ordered += better;
        *rank = better + 1;
    }
    let n = scores.len() as u32;
    if pairs_ordered != n * n.saturating_sub(1) / 2 {
        rank_by_counting_exactly(scores, ranks);
    }
}

/// [`rank_by_counting`] on the scores themselves (NaN compares false, so missing scores never
/// count as better; a missing score ranks after every present one).
fn rank_by_counting_exactly(scores: &[f64], ranks: &mut [u32]) {
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

/// The top 32 bits of a score's ascending total-order key, as a signed integer with the same
/// order: a higher score never has a smaller coarse key, and a missing score has the
/// smallest (below −∞).
#[inline]
fn coarse_key(score: f64) -> i32 {
    let ascending = !descending_key(score);
    (((ascending >> 32) as u32) ^ (1 << 31)) as i32
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
    let mut ranks = vec![0; scores.len()];
    rank_descending(scores, &mut RankScratch::default(), &mut ranks);
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
            let mut scratch = RankScratch {
                keys: vec![(7, 7); 3],
                order: (0..scores.len() as u32).rev().collect(),
                coarse: vec![-1; 5],
            };
            let mut again = vec![0; scores.len()];
            rank_descending(&scores, &mut scratch, &mut again);
            prop_assert_eq!(again, ranks);
        }

        /// Scores that differ only in their last bits (equal coarse keys, distinct scores),
        /// mixed with exact ties, signed zeros, infinities and missing values: small indices
        /// are ranked by counting, and must agree with the definition.
        #[test]
        fn counting_agrees_with_the_definition_near_ties(
            picks in prop::collection::vec((0usize..8, 0u64..4), 1..=COUNTING_MAX)
        ) {
            let bases = [1.0, 1.0 + f64::EPSILON, -0.0, 0.0, 45.3, f64::INFINITY, f64::NEG_INFINITY, f64::NAN];
            let scores: Vec<f64> = picks
                .iter()
                .map(|&(b, ulps)| if bases[b].is_finite() && bases[b] != 0.0 {
                    f64::from_bits(bases[b].to_bits() + ulps)
                } else {
                    bases[b]
                })
                .collect();
            let ranks = ranks_of(&scores);
            let present = scores.iter().filter(|s| !s.is_nan()).count() as u32;
            for (u, &r) in ranks.iter().enumerate() {
                let expected = if scores[u].is_nan() {
                    present + 1
                } else {
                    scores.iter().filter(|&&s| s > scores[u]).count() as u32 + 1
                };
                prop_assert_eq!(r, expected);
            }
        }

        /// Distinct scores spread like an index's take the coarse path and keep exact ranks.
        #[test]
        fn counting_with_distinct_scores_is_a_permutation(
            values in prop::collection::hash_set(0u32..1_000_000, 2..=COUNTING_MAX)
        ) {
            let scores: Vec<f64> = values.iter().map(|&v| f64::from(v) / 7.0 - 3e4).collect();
            let mut ranks = ranks_of(&scores);
            for (u, &r) in ranks.iter().enumerate() {
                let better = scores.iter().filter(|&&s| s > scores[u]).count() as u32;
                prop_assert_eq!(r, better + 1);
            }
            ranks.sort_unstable();
            prop_assert_eq!(ranks, (1..=scores.len() as u32).collect::<Vec<_>>());
        }
    }
}
