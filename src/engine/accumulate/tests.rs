//! Tests of the accumulators: merging splits, and pair counts, central-weight sums, score sums
//! and rank histograms against direct counts.

use super::*;

fn layout() -> Layout {
    Layout {
        n_units: 3,
        bin_width: 1,
        n_bands: 3,
        score_bound: 100.0,
        pair_units: vec![0, 1, 2],
        weight_nodes: vec![5],
        n_factors: 1,
    }
}

#[test]
fn merging_splits_equals_one_pass() {
    let samples: Vec<([u32; 3], [f64; 3])> = vec![
        ([1, 2, 3], [90.1, 50.3, 10.7]),
        ([2, 1, 3], [60.0, 70.2, 1.0 / 3.0]),
        ([1, 1, 3], [55.5, 55.5, 12.25]),
        ([3, 2, 1], [0.1, 0.2, 99.9]),
    ];
    let nominal = [1, 2, 3];
    let mut whole = Accumulator::new(&layout());
    let mut tables = whole.tables();
    for (ranks, scores) in &samples {
        whole.record(&mut tables, ranks, scores, &nominal, 2, &[0.3], &[true]);
    }
    let mut left = Accumulator::new(&layout());
    let mut right = Accumulator::new(&layout());
    for (i, (ranks, scores)) in samples.iter().enumerate() {
        let part = if i % 2 == 0 { &mut left } else { &mut right };
        let mut tables = part.tables();
        part.record(&mut tables, ranks, scores, &nominal, 2, &[0.3], &[true]);
        part.flush(&mut tables);
    }
    whole.flush(&mut tables);
    right.merge(&left).unwrap();
    whole.complete(&nominal, 2);
    right.complete(&nominal, 2);
    assert_eq!(right, whole);
    assert_eq!(whole.rank_counts_of(0).first(), 0);
    assert_eq!(*whole.rank_counts_of(0).counts(), [2, 1, 1]);
    // Unit 3 only ever ranked 1st and 3rd: its window is those ranks and the one between.
    assert_eq!(*whole.rank_counts_of(2).counts(), [1, 0, 3]);
    assert_eq!(whole.above_count(0, 1), Some(1));
    assert_eq!(whole.above_count(1, 0), Some(2));
    assert_eq!(whole.best_rank, vec![1, 1, 1]);
    assert_eq!(whole.abs_shift_sum, vec![3, 2, 2]);
    let mean_score = whole.score_scale.decode(whole.score_sum[0]) / 4.0;
    assert!((mean_score - (90.1 + 60.0 + 55.5 + 0.1) / 4.0).abs() < 1e-12);
}

/// Pair counts, central-weight sums and score sums over many samples (several
/// narrow-buffer flushes) equal a direct count, for a small index (8-bit counters, padded
/// rows) and a large one (32-bit), with all rows, with a few rows plus reverse counts, and
/// with none; ties included.
#[test]
fn pair_counts_match_a_direct_count() {
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};
    for (n, pair_units) in [
        (37, (0..37).collect::<Vec<_>>()),
        (37, vec![36, 0, 7]),
        (255, vec![254, 3]),
        (300, vec![0, 299]),
        (40, vec![]),
    ] {
        let layout = Layout {
            n_units: n,
            bin_width: 1,
            n_bands: 10,
            score_bound: 100.0,
            pair_units: pair_units.clone(),
            weight_nodes: vec![40, 41, 42],
            n_factors: 0,
        };
        let mut accumulator = Accumulator::new(&layout);
        let mut tables = accumulator.tables();
        let mut rng = ChaCha8Rng::seed_from_u64(n as u64);
        let (mut above, mut below) = (
            vec![0u64; pair_units.len() * n],
            vec![0u64; pair_units.len() * n],
        );
        let (mut first, mut kept) = (
            vec![0i128; pair_units.len() * 3],
            vec![0i128; pair_units.len() * 3],
        );
        let nominal: Vec<u32> = (1..=n as u32).collect();
        let (mut score_sum, mut square_sum) = (vec![0i128; n], vec![0i128; n]);
        let mut histogram = vec![vec![0u64; n]; n];
        let (score_factor, square_factor) = (
            accumulator.score_scale.factor(),
            accumulator.score_sq_scale.factor(),
        );
        for _ in 0..1000 {
            let scores: Vec<f64> = (0..n).map(|_| rng.random_range(-100.0..100.0)).collect();
            for (u, &x) in scores.iter().enumerate() {
                score_sum[u] += (x * score_factor).round_ties_even() as i128;
                square_sum[u] += (x * x * square_factor).round_ties_even() as i128;
            }
            // Ranks with ties: 1 + number of strictly larger draws among few values.
            let draws: Vec<u32> = (0..n).map(|_| rng.random_range(0..n as u32 / 3)).collect();
            let ranks: Vec<u32> = draws
                .iter()
                .map(|&d| 1 + draws.iter().filter(|&&e| e > d).count() as u32)
                .collect();
            // The largest weight, 1, included: the worst case for the 32-bit sums.
            let weights: Vec<f64> = (0..3)
                .map(|_| rng.random_range(0..=4) as f64 / 4.0)
                .collect();
            accumulator.record(&mut tables, &ranks, &scores, &nominal, 1, &weights, &[]);
            for (u, &rank) in ranks.iter().enumerate() {
                histogram[u][rank as usize - 1] += 1;
            }
            for (row, &a) in pair_units.iter().enumerate() {
                for (j, &w) in weights.iter().enumerate() {
                    let encoded = (w * 2f64.powi(WEIGHT_BITS)).round_ties_even() as i128;
                    first[row * 3 + j] += encoded * i128::from(ranks[a] == 1);
                    kept[row * 3 + j] += encoded * i128::from(ranks[a] <= nominal[a]);
                }
                for b in 0..n {
                    above[row * n + b] += u64::from(ranks[a] < ranks[b]);
                    below[row * n + b] += u64::from(ranks[b] < ranks[a]);
                }
            }
        }
        accumulator.flush(&mut tables);
        // The rank histograms (dense buffers up to 255 units, the windows' own adds above)
        // hold every sample's rank (read in the canonical, trimmed form).
        accumulator.complete(&nominal, 1);
        for (u, expected) in histogram.iter().enumerate() {
            let counted: Vec<(usize, u64)> = accumulator.rank_counts_of(u).iter().collect();
            let expected: Vec<(usize, u64)> = expected
                .iter()
                .enumerate()
                .filter(|&(_, &c)| c > 0)
                .map(|(bin, &c)| (bin, c))
                .collect();
            assert_eq!(counted, expected, "{n} units, unit {u}");
        }
        assert_eq!(accumulator.pair_counts, above, "{n} units");
        assert_eq!(accumulator.first_weight_sum, first, "{n} units");
        assert_eq!(accumulator.kept_weight_sum, kept, "{n} units");
        assert_eq!(accumulator.score_sum, score_sum, "{n} units");
        assert_eq!(accumulator.score_sq_sum, square_sum, "{n} units");
        if pair_units.len() < n {
            assert_eq!(accumulator.pair_reverse_counts, below, "{n} units");
        } else {
            for (row, &a) in pair_units.iter().enumerate() {
                for b in 0..n {
                    assert_eq!(accumulator.above_count(b, a), Some(below[row * n + b]));
                }
            }
        }
    }
}
