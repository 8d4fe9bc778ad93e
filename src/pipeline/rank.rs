//! Ranking: descending score, ties sharing the best rank (R `rank(-x, ties.method = "min")`).

/// Reusable buffers for [`rank_descending`]: no allocation once sized.
#[derive(Debug, Clone, Default)]
pub struct RankScratch {
    keys: Vec<(u64, u32)>,
    /// The radix sort's keys by unit and its two buffers of (prefix, unit) entries.
    by_unit: Vec<u64>,
    packed: Vec<u64>,
    spare: Vec<u64>,
    order: Vec<u32>,
    quantised: Vec<i16>,
}

impl RankScratch {
    /// Buffers sized for `n` units.
    pub fn with_capacity(n: usize) -> Self {
        RankScratch {
            keys: Vec::with_capacity(n),
            by_unit: Vec::with_capacity(n),
            packed: Vec::with_capacity(n),
            spare: Vec::with_capacity(n),
            order: Vec::with_capacity(n),
            quantised: Vec::with_capacity(n.next_multiple_of(PAD)),
        }
    }
}

/// Ranks `scores` into `ranks` (1 = highest score). Ties share the best rank ("sport"
/// ranking: 1, 2, 2, 4; R `rank(-x, ties.method = "min")`); units with a missing score rank
/// after all others, sharing one rank.
///
/// Small indices are ranked by counting ([`rank_by_counting`]). Larger ones: scores become
/// sortable integer keys once (the IEEE 754 total-order bit trick) and are sorted, by the
/// standard unstable sort (pattern-defeating quicksort) up to [`RADIX_MIN`] units and by a
/// radix sort above ([`order_by_radix`]): Monte Carlo samples are independent, so the previous
/// order is no better a start than any other. Either sort orders the keys, and equal keys
/// are equal scores, so the ranks do not depend on which one ran.
pub fn rank_descending(scores: &[f64], scratch: &mut RankScratch, ranks: &mut [u32]) {
    if scores.len() <= COUNTING_MAX {
        return rank_by_counting(scores, &mut scratch.quantised, ranks);
    }
    if scores.len() >= RADIX_MIN {
        let keys = &mut scratch.by_unit;
        keys.clear();
        keys.extend(scores.iter().map(|&s| descending_key(s)));
        return rank_by_radix::<PREFIX_BITS>(keys, &mut scratch.packed, &mut scratch.spare, ranks);
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

/// From this many units on, keys are radix sorted: two linear passes, against about
/// log₂ n comparison passes (measured on 33,000 units: see README, performance).
const RADIX_MIN: usize = 4_096;

/// Bits sorted per radix pass: the 2,048 buckets' counts stay in L1.
const RADIX_BITS: u32 = 11;

/// Bits of the keys' prefixes the radix sort sorts: two passes. At 33,000 units a few
/// percent of prefixes are shared by two keys (a run the final step sorts by key), which
/// costs less than the third pass a 32-bit prefix took, each pass a write of every entry to
/// one of 2,048 places in a buffer larger than L1.
const PREFIX_BITS: u32 = 2 * RADIX_BITS;

/// Sport ranks of the units by ascending `keys` (by unit; rank = 1 + the number of smaller
/// keys) into `ranks`, the units put in key order by an LSD radix sort
/// (Knuth, TAOCP vol. 3, §5.2.5) of `BITS`-bit prefixes (at most 32): each key's offset from
/// the smallest, shifted right just enough to fit `BITS` bits (order-preserving, so a higher
/// prefix is a higher key). A prefix and its unit are packed into one `u64` and only the
/// prefix's bits are sorted (a pass per [`RADIX_BITS`]; a digit the same in every key is
/// skipped); units whose prefixes are equal, rare unless their keys are, are then put in key
/// order by a comparison sort of their run. `packed` and `spare` are the two buffers. The
/// engine sorts [`PREFIX_BITS`]; tests check it against 32 bits, the prefixes sorted up to
/// 2026-12-04.
fn rank_by_radix<const BITS: u32>(
    keys: &[u64],
    packed: &mut Vec<u64>,
    spare: &mut Vec<u64>,
    ranks: &mut [u32],
) {
    const PASSES: usize = 32u32.div_ceil(RADIX_BITS) as usize;
    const BUCKETS: usize = 1 << RADIX_BITS;
    let passes = BITS.div_ceil(RADIX_BITS) as usize;
    let mask = BUCKETS as u64 - 1;
    let low = keys.iter().copied().min().unwrap_or(0);
    let high = keys.iter().copied().max().unwrap_or(0);
    let shift = (u64::BITS - (high - low).leading_zeros()).saturating_sub(BITS);
    packed.clear();
    packed.extend(
        keys.iter()
            .enumerate()
            .map(|(u, &key)| (((key - low) >> shift) << 32) | u as u64),
    );
    let mut counts = [[0u32; BUCKETS]; PASSES];
    let counts = &mut counts[..passes];
    for &entry in packed.iter() {
        for (pass, counts) in counts.iter_mut().enumerate() {
            counts[((entry >> (32 + pass as u32 * RADIX_BITS)) & mask) as usize] += 1;
        }
    }
    let n = keys.len() as u32;
    spare.clear();
    spare.resize(keys.len(), 0);
    for (pass, counts) in counts.iter_mut().enumerate() {
        if counts.contains(&n) {
            continue; // one digit for all: the pass would not move anything
        }
        // Counts become each bucket's first position.
        let mut next = 0u32;
        for count in counts.iter_mut() {
            (*count, next) = (next, next + *count);
        }
        let digit = 32 + pass as u32 * RADIX_BITS;
        for &entry in packed.iter() {
            let slot = &mut counts[((entry >> digit) & mask) as usize];
            spare[*slot as usize] = entry;
            *slot += 1;
        }
        std::mem::swap(packed, spare);
    }
    if shift > 0 {
        // Equal prefixes, different keys possible: each run of equal prefixes in key order.
        let mut rest = &mut packed[..];
        while let Some(&head) = rest.first() {
            let run = rest.iter().take_while(|&&e| e >> 32 == head >> 32).count();
            let (this, next) = rest.split_at_mut(run);
            if run > 1 {
                this.sort_unstable_by_key(|&e| keys[e as u32 as usize]);
            }
            rest = next;
        }
    }
    // Sport ranks in one sequential walk: equal keys (equal scores, or both missing) share
    // the best rank; with exact prefixes (`shift` 0) equal prefixes are equal keys.
    let mut rank = 1u32;
    let mut previous = None;
    for (position, &entry) in packed.iter().enumerate() {
        let unit = entry as u32 as usize;
        if let Some(before) = previous {
            let tied = before >> 32 == entry >> 32
                && (shift == 0 || keys[before as u32 as usize] == keys[unit]);
            if !tied {
                rank = position as u32 + 1;
            }
        }
        ranks[unit] = rank;
        previous = Some(entry);
    }
}

/// Up to this many units, ranks are counted directly (n² vectorised comparisons beat a sort).
const COUNTING_MAX: usize = 64;

/// Keys per padded block when counting: a whole number of vector registers.
const PAD: usize = 16;

/// Keys of the largest counted index, padded.
const PADDED_MAX: usize = COUNTING_MAX.next_multiple_of(PAD);

/// rank(u) = 1 + #{v : score_v > score_u}: the sport ranking by definition.
///
/// The n² comparisons are first made on 16-bit keys that quantise each score's position
/// between the lowest and the highest ([`quantise`]), eight to a vector register where doubles
/// go two. Quantising is monotone (IEEE 754 subtraction, multiplication and truncation never
/// reverse an order), so a higher key means a higher score; when the keys are all distinct, key
/// order is score order and there are no ties, and the counts are exact. They are all distinct
/// exactly when the counts sum to n(n − 1)/2 (each pair of units counted once). Otherwise
/// (ties, missing scores, or two scores closer than 1/65,536 of the range: a few percent of
/// samples) the ranks are counted again on the scores themselves.
fn rank_by_counting(scores: &[f64], keys: &mut Vec<i16>, ranks: &mut [u32]) {
    if !rank_by_quantised_keys(scores, keys, ranks) {
        rank_by_counting_exactly(scores, ranks);
    }
}

super::vectors::dispatch! {
    /// The fast path of [`rank_by_counting`]: returns false, with `ranks` unspecified, when
    /// the quantised keys cannot decide (not all distinct). Compiled for AVX2 too, where the
    /// quantising and the final pass run four and eight lanes wide (the same keys: IEEE 754
    /// subtraction, multiplication and truncation give the same results at any width).
    fn rank_by_quantised_keys / rank_by_quantised_keys_avx2 = rank_by_quantised_keys_portable<'s, 'k, 'r>(
        scores: &'s [f64],
        keys: &'k mut Vec<i16>,
        ranks: &'r mut [u32],
    ) -> bool
}

#[inline(always)]
fn rank_by_quantised_keys_portable(scores: &[f64], keys: &mut Vec<i16>, ranks: &mut [u32]) -> bool {
    if !quantise(scores, keys) {
        return false;
    }
    let n = scores.len();
    let mut better = [0u16; PADDED_MAX];
    match keys.len() / PAD {
        0 => {}
        1 => count_better::<1>(keys, n, &mut better),
        2 => count_better::<2>(keys, n, &mut better),
        3 => count_better::<3>(keys, n, &mut better),
        _ => count_better::<4>(keys, n, &mut better),
    }
    let mut pairs_ordered = 0u32;
    for (rank, &count) in ranks.iter_mut().zip(better.iter()) {
        pairs_ordered += u32::from(count);
        *rank = u32::from(count) + 1;
    }
    let n = n as u32;
    pairs_ordered == n * n.saturating_sub(1) / 2
}

/// `better[u] = #{v < n : keys[v] > keys[u]}` for the `B` blocks of [`PAD`] keys.
fn count_better<const B: usize>(keys: &[i16], n: usize, better: &mut [u16; PADDED_MAX]) {
    count_better_with_vectors::<B>(keys, n, better)
}

/// [`count_better`] with AVX2 when the CPU has it (the same integer counts). Not through
/// `vectors::dispatch!`, which takes no const parameters.
#[inline(always)]
fn count_better_with_vectors<const B: usize>(
    keys: &[i16],
    n: usize,
    better: &mut [u16; PADDED_MAX],
) {
    #[cfg(target_arch = "x86_64")]
    if super::vectors::avx2() {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { count_better_avx2::<B>(keys, n, better) };
    }
    count_better_portable(keys, n, better)
}

/// One unit v at a time against all u at once, in intrinsics: the `B` blocks of 16 keys and
/// their counts stay in `B` pairs of registers for the whole pass (written as array loops,
/// the compiler vectorised across v instead and spilled everything), and no horizontal sums.
/// Entries past n are padding (keys `i16::MIN`, never greater): their counts are never read.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn count_better_avx2<const B: usize>(keys: &[i16], n: usize, better: &mut [u16; PADDED_MAX]) {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpgt_epi16, _mm256_loadu_si256, _mm256_set1_epi16,
        _mm256_setzero_si256, _mm256_storeu_si256, _mm256_sub_epi16,
    };
    assert!(B * PAD <= keys.len() && B * PAD <= PADDED_MAX && n <= keys.len());
    let mut blocks = [_mm256_setzero_si256(); B];
    for (b, block) in blocks.iter_mut().enumerate() {
        // SAFETY: B·16 keys are in bounds (asserted); unaligned loads.
        *block = unsafe { _mm256_loadu_si256(keys.as_ptr().add(b * PAD).cast::<__m256i>()) };
    }
    let mut counts = [_mm256_setzero_si256(); B];
    for &other in &keys[..n] {
        let other = _mm256_set1_epi16(other);
        for (count, &block) in counts.iter_mut().zip(&blocks) {
            // All ones (−1) where other > key: subtracting it adds one.
            *count = _mm256_sub_epi16(*count, _mm256_cmpgt_epi16(other, block));
        }
    }
    for (b, &count) in counts.iter().enumerate() {
        // SAFETY: B·16 ≤ PADDED_MAX (asserted); unaligned stores.
        unsafe { _mm256_storeu_si256(better.as_mut_ptr().add(b * PAD).cast::<__m256i>(), count) };
    }
}

/// [`count_better`] without AVX2: one unit v at a time against all u at once, whole vectors,
/// no horizontal sums (entries past n are padding, never read).
#[inline(always)]
fn count_better_portable(keys: &[i16], n: usize, better: &mut [u16; PADDED_MAX]) {
    let better = &mut better[..keys.len()];
    for &other in &keys[..n] {
        for (count, &key) in better.iter_mut().zip(keys.iter()) {
            *count += u16::from(other > key);
        }
    }
}

/// Fills `keys` with `⌊(s − min) · 65535 / (max − min)⌋ − 32768` per score, padded with
/// `i16::MIN` (never greater than a key, so padding counts for nothing) to whole vectors.
/// Returns false, leaving the exact count to the caller, when a score is missing or the range
/// is zero or not finite.
#[inline(always)]
fn quantise(scores: &[f64], keys: &mut Vec<i16>) -> bool {
    // Four independent running extremes, so the comparisons need not wait for each other;
    // each is one vector min or max (`s < low ? s : low` is what the instruction computes). A
    // missing score is skipped by both and shows in `probe`, where `s · 0` is NaN for a NaN
    // (and an infinite) score and ±0 otherwise (written as a test per score, the compiler
    // packed every lane's flag into bytes, which cost more than the extremes).
    let (mut lows, mut highs) = ([f64::INFINITY; 4], [f64::NEG_INFINITY; 4]);
    let mut probe = [0.0f64; 4];
    let (blocks, rest) = scores.as_chunks::<4>();
    for block in blocks {
        for i in 0..4 {
            let s = block[i];
            lows[i] = if s < lows[i] { s } else { lows[i] };
            highs[i] = if s > highs[i] { s } else { highs[i] };
            probe[i] += s * 0.0;
        }
    }
    for (i, &s) in rest.iter().enumerate() {
        lows[i] = if s < lows[i] { s } else { lows[i] };
        highs[i] = if s > highs[i] { s } else { highs[i] };
        probe[i] += s * 0.0;
    }
    // An infinite score (NaN probe) leaves the range not finite: the exact count either way.
    let missing = probe.iter().any(|p| p.is_nan());
    let low = lows.iter().fold(f64::INFINITY, |a, &b| a.min(b));
    let high = highs.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let scale = 65535.0 / (high - low);
    if missing || !scale.is_finite() || !(high - low).is_finite() {
        return false;
    }
    // Sized once and filled in place, the keys through `i32`: loops the compiler vectorises
    // (pushed one by one, saturated straight to `i16`, they ran a key at a time, and the
    // counting's vector loads then waited on dozens of 2-byte stores). The same keys: every
    // value lies in [−32768, 32767 + 2^-30] (s − low ≥ 0, and (high − low) · scale rounds to at
    // most 65535 (1 + 2^-52)²), where truncating to `i32` and then to `i16` truncates as the
    // saturating cast does. The range is finite (checked above), so every value is finite and
    // within `i32`: the unchecked conversion is the plain truncating instruction, four or
    // eight to a vector (the saturating `as i32` handled NaN and overflow and ran one by one).
    keys.resize(scores.len().next_multiple_of(PAD), i16::MIN);
    let (values, padding) = keys.split_at_mut(scores.len());
    padding.fill(i16::MIN);
    for (key, &s) in values.iter_mut().zip(scores) {
        let value = (s - low) * scale - 32768.0;
        // SAFETY: `value` is finite and in [−32768, 32768) (see above), within `i32`.
        *key = unsafe { value.to_int_unchecked::<i32>() } as i16;
    }
    true
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
#[cfg(any(test, feature = "internals"))]
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

    /// Above [`RADIX_MIN`] units (the radix sort) the ranks are those of the definition:
    /// rank = 1 + the number of strictly higher scores, missing scores after all others.
    /// Scores of every magnitude and sign (all eight key bytes vary), many exact ties,
    /// signed zeros, infinities and missing values.
    #[test]
    fn radix_sorted_ranks_agree_with_the_definition() {
        use rand::rngs::ChaCha8Rng;
        use rand::{RngExt, SeedableRng};
        let mut rng = ChaCha8Rng::seed_from_u64(15);
        let specials = [0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 1.5];
        for (n, spread) in [(RADIX_MIN, 1e300), (RADIX_MIN + 1_001, 100.0), (9_000, 1e-300)] {
            let scores: Vec<f64> = (0..n)
                .map(|_| match rng.random_range(0..10) {
                    0 => specials[rng.random_range(0..specials.len())],
                    1..=3 => f64::from(rng.random_range(-20i32..20)),
                    _ => rng.random_range(-1.0..1.0) * spread,
                })
                .collect();
            let mut present: Vec<f64> = scores.iter().copied().filter(|s| !s.is_nan()).collect();
            present.sort_by(f64::total_cmp);
            let ranks = ranks_of(&scores);
            for (u, &r) in ranks.iter().enumerate() {
                let s = scores[u];
                let expected = if s.is_nan() {
                    present.len() + 1
                } else {
                    // Strictly higher: past the last score equal to s (−0.0 = 0.0).
                    present.len() - present.partition_point(|&x| x <= s) + 1
                };
                assert_eq!(r as usize, expected, "unit {u}, score {s}");
            }
        }
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
                by_unit: vec![9; 2],
                packed: vec![1; 4],
                spare: vec![2; 9],
                order: (0..scores.len() as u32).rev().collect(),
                quantised: vec![-1; 5],
            };
            let mut again = vec![0; scores.len()];
            rank_descending(&scores, &mut scratch, &mut again);
            prop_assert_eq!(again, ranks);
        }

        /// The radix sort's ranks are 1 + the number of smaller keys, for any keys.
        #[test]
        fn radix_ranks_count_smaller_keys(
            keys in prop::collection::vec(any::<u64>(), 0..600),
            width in prop::sample::select(vec![64u32, 40, 33, 32, 12, 1]),
            repeats in 1usize..4,
        ) {
            // Keys within 2^width of each other (prefixes exact up to 32 bits, then equal
            // prefixes for different keys), repeated (ties).
            let keys: Vec<u64> = keys
                .iter()
                .flat_map(|&k| std::iter::repeat_n(k >> (64 - width), repeats))
                .collect();
            let (mut packed, mut spare) = (vec![5; 3], vec![6; 1]);
            let mut ranks = vec![0; keys.len()];
            rank_by_radix::<PREFIX_BITS>(&keys, &mut packed, &mut spare, &mut ranks);
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            for (u, &r) in ranks.iter().enumerate() {
                let smaller = sorted.partition_point(|&k| k < keys[u]) as u32;
                prop_assert_eq!(r, smaller + 1);
            }
            // The 32-bit prefixes sorted before (three passes) rank them the same.
            let mut before = vec![0; keys.len()];
            rank_by_radix::<32>(&keys, &mut packed, &mut spare, &mut before);
            prop_assert_eq!(before, ranks);
        }

        /// From [`RADIX_MIN`] units on, the ranks of scores drawn from a few values (many exact
        /// ties), signed zeros, infinities, missing values and scores a few ulps apart are
        /// those of the 32-bit radix sort that ranked them before and of the comparison sort
        /// used below [`RADIX_MIN`].
        #[test]
        fn large_index_ranks_equal_the_previous_ranking(
            picks in prop::collection::vec((0usize..10, 0u64..3), RADIX_MIN..RADIX_MIN + 700),
            spread in prop::sample::select(vec![1.0, 1e-9, 1e12]),
        ) {
            let values = [0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1.0, -2.5, 7.25];
            let scores: Vec<f64> = picks
                .iter()
                .enumerate()
                .map(|(u, &(i, ulps))| match i {
                    0..=7 => values[i],
                    8 => f64::from_bits((3.0f64 * spread).to_bits() + ulps),
                    _ => (u % 97) as f64 * spread + ulps as f64,
                })
                .collect();
            let ranks = ranks_of(&scores);
            let keys: Vec<u64> = scores.iter().map(|&s| descending_key(s)).collect();
            let (mut packed, mut spare) = (Vec::new(), Vec::new());
            let mut before = vec![0; scores.len()];
            rank_by_radix::<32>(&keys, &mut packed, &mut spare, &mut before);
            prop_assert_eq!(&ranks, &before);
            let mut order: Vec<u32> = (0..scores.len() as u32).collect();
            order.sort_by_key(|&u| keys[u as usize]);
            let mut sorted = vec![0; scores.len()];
            assign_ranks(&scores, &order, &mut sorted);
            prop_assert_eq!(&ranks, &sorted);
        }

        /// Scores that differ only in their last bits (equal quantised keys, distinct scores),
        /// mixed with exact ties, signed zeros, infinities and missing values: small indices
        /// are ranked by counting, and must agree with the definition.
        #[test]
        fn counting_agrees_with_the_definition_near_ties(
            picks in prop::collection::vec((0usize..8, 0u64..4), 1..=COUNTING_MAX),
            with_missing in any::<bool>(),
        ) {
            // Missing scores in half the cases only, so that the quantised keys (which give up
            // on any missing score) are tried on near-ties too.
            let last = if with_missing { f64::NAN } else { 45.3 };
            let bases = [1.0, 1.0 + f64::EPSILON, -0.0, 0.0, 45.3, f64::INFINITY, f64::NEG_INFINITY, last];
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

        /// The counting kernel as dispatched (AVX2 where the CPU has it) counts what the
        /// portable loop counts, for every number of blocks, padding included.
        #[test]
        fn counting_kernels_agree(keys in prop::collection::vec(any::<i16>(), 1..=COUNTING_MAX)) {
            let n = keys.len();
            let mut padded = keys.clone();
            padded.resize(n.next_multiple_of(PAD), i16::MIN);
            let (mut fast, mut plain) = ([0u16; PADDED_MAX], [0u16; PADDED_MAX]);
            match padded.len() / PAD {
                1 => count_better::<1>(&padded, n, &mut fast),
                2 => count_better::<2>(&padded, n, &mut fast),
                3 => count_better::<3>(&padded, n, &mut fast),
                _ => count_better::<4>(&padded, n, &mut fast),
            }
            count_better_portable(&padded, n, &mut plain);
            prop_assert_eq!(&fast[..n], &plain[..n]);
            for (u, &key) in keys.iter().enumerate() {
                prop_assert_eq!(usize::from(plain[u]), keys.iter().filter(|&&k| k > key).count());
            }
        }

        /// Keys through `i32` are the keys of the saturating cast to `i16`, at both ends of the
        /// range, for ranges from tiny to huge and with infinite scores.
        #[test]
        fn quantised_keys_equal_the_saturating_cast(
            values in prop::collection::vec(-1e6f64..1e6, 1..=COUNTING_MAX),
            magnitude in prop::sample::select(vec![1e-300, 1e-9, 1.0, 1e9, 1e300]),
            infinite in any::<bool>(),
        ) {
            let mut scores: Vec<f64> = values.iter().map(|v| v * magnitude).collect();
            if infinite {
                scores[0] = f64::INFINITY;
            }
            let mut keys = vec![7; 3];
            if quantise(&scores, &mut keys) {
                let low = scores.iter().fold(f64::INFINITY, |a, &b| a.min(b));
                let high = scores.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                let scale = 65535.0 / (high - low);
                for (&key, &s) in keys.iter().zip(&scores) {
                    prop_assert_eq!(key, ((s - low) * scale - 32768.0) as i16);
                }
                prop_assert!(keys[scores.len()..].iter().all(|&k| k == i16::MIN));
                prop_assert_eq!(keys.len(), scores.len().next_multiple_of(PAD));
            }
        }

        /// Scores at least 1/60,000 of their range apart take the quantised path (it decides)
        /// and get exact ranks.
        #[test]
        fn counting_with_distinct_scores_is_a_permutation(
            values in prop::collection::hash_set(0u32..60_000, 2..=COUNTING_MAX)
        ) {
            let mut values: Vec<u32> = values.into_iter().collect();
            values.extend([0, 60_000]);
            values.sort_unstable();
            values.dedup();
            let scores: Vec<f64> = values.iter().rev().map(|&v| f64::from(v) / 7.0 - 3e3).collect();
            let scores = &scores[..scores.len().min(COUNTING_MAX)];
            let (mut keys, mut fast) = (Vec::new(), vec![0; scores.len()]);
            prop_assert!(rank_by_quantised_keys(scores, &mut keys, &mut fast));
            let mut ranks = ranks_of(scores);
            prop_assert_eq!(&fast, &ranks);
            for (u, &r) in ranks.iter().enumerate() {
                let better = scores.iter().filter(|&&s| s > scores[u]).count() as u32;
                prop_assert_eq!(r, better + 1);
            }
            ranks.sort_unstable();
            prop_assert_eq!(ranks, (1..=scores.len() as u32).collect::<Vec<_>>());
        }
    }
}
