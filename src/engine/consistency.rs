//! Checks of accumulators read from disk: the layout fits, and counts and sums could have come from the samples the state claims.

use super::accumulate::{Accumulator, WEIGHT_BITS};
use super::histogram::RankBins;

impl Accumulator {
    /// Checks that every vector has the length the layout implies (for states read from disk).
    pub fn check_layout(&self) -> Result<(), String> {
        let n = self.n_units;
        let k = self.weight_nodes.len();
        let rows = self.pair_units.len();
        let expected = [
            ("rank_counts", self.rank_counts.len(), n),
            ("best_rank", self.best_rank.len(), n),
            ("worst_rank", self.worst_rank.len(), n),
            ("rank_sum", self.rank_sum.len(), n),
            ("rank_sq_sum", self.rank_sq_sum.len(), n),
            ("abs_shift_sum", self.abs_shift_sum.len(), n),
            ("nominal_rank_hits", self.nominal_rank_hits.len(), n),
            ("first_hits", self.first_hits.len(), n),
            (
                "nominal_or_better_hits",
                self.nominal_or_better_hits.len(),
                n,
            ),
            ("top_k_hits", self.top_k_hits.len(), n),
            ("bottom_k_hits", self.bottom_k_hits.len(), n),
            ("band_counts", self.band_counts.len(), n * self.n_bands),
            ("score_sum", self.score_sum.len(), n),
            ("score_sq_sum", self.score_sq_sum.len(), n),
            ("pair_counts", self.pair_counts.len(), rows * n),
            (
                "pair_reverse_counts",
                self.pair_reverse_counts.len(),
                if rows == n { 0 } else { rows * n },
            ),
            ("first_weight_sum", self.first_weight_sum.len(), rows * k),
            ("kept_weight_sum", self.kept_weight_sum.len(), rows * k),
        ];
        for (name, found, wanted) in expected {
            if found != wanted {
                return Err(format!(
                    "`{name}` has {found} entries where its layout needs {wanted}"
                ));
            }
        }
        if self.bins != RankBins::new(n, self.bins.width) || self.pair_units.iter().any(|&u| u >= n)
        {
            return Err("the rank bins or pair rows do not fit the number of units".into());
        }
        for (u, window) in self.rank_counts.iter().enumerate() {
            if window.end() as usize > self.bins.count {
                return Err(format!(
                    "`rank_counts` of unit {} reach past the last of the {} rank bins",
                    u + 1,
                    self.bins.count
                ));
            }
            // Written trimmed (`RankWindow::trim`): a zero at either end is not ranksense's.
            if !window.is_trimmed() {
                return Err(format!(
                    "`rank_counts` of unit {} start or end with an empty bin",
                    u + 1
                ));
            }
        }
        Ok(())
    }

    /// Checks that the counts and sums could have come from `samples` samples (for states read
    /// from disk, after [`Accumulator::check_layout`]): every histogram and band row adds up to
    /// the sample count, no hit count exceeds it, best and worst rank bound the histogram and the
    /// rank sums, and each fixed-point sum stays within what that many terms can add up to.
    /// With one bin per rank the statistics derived from the histogram must equal it exactly.
    /// `top_k` is the run's k. Returns what is wrong, naming the field and the unit (1-based).
    pub fn check_consistency(&self, top_k: u32) -> Result<(), String> {
        let n = self.n_units;
        let s = self.samples;
        let row_sum = |field: &str, u: usize, row: &[u64]| -> Result<(), String> {
            let sum = row
                .iter()
                .try_fold(0u64, |sum, &c| sum.checked_add(c))
                .ok_or_else(|| format!("`{field}` of unit {} add up to more than 2^64", u + 1))?;
            if sum != s {
                return Err(format!(
                    "`{field}` of unit {} add up to {sum}, but the state has {s} samples",
                    u + 1
                ));
            }
            Ok(())
        };
        let at_most = |field: &str, values: &[u64], bound: u64| -> Result<(), String> {
            match values.iter().position(|&v| v > bound) {
                Some(i) => Err(format!(
                    "`{field}` entry {} is {}, more than the {bound} it can be at most",
                    i + 1,
                    values[i]
                )),
                None => Ok(()),
            }
        };
        if self.weight_scale.bits != WEIGHT_BITS
            || [self.score_scale, self.score_sq_scale]
                .iter()
                .any(|scale| !(-974..=50).contains(&scale.bits))
        {
            return Err("the fixed-point scales are not ones ranksense writes".into());
        }
        if self.pair_units.windows(2).any(|w| w[0] >= w[1]) {
            return Err("`pair_units` is not in increasing order".into());
        }
        for u in 0..n {
            row_sum("rank_counts", u, &self.rank_counts_of(u).counts())?;
            row_sum(
                "band_counts",
                u,
                &self.band_counts[u * self.n_bands..(u + 1) * self.n_bands],
            )?;
        }
        for (field, values) in [
            ("nominal_rank_hits", &self.nominal_rank_hits),
            ("first_hits", &self.first_hits),
            ("nominal_or_better_hits", &self.nominal_or_better_hits),
            ("top_k_hits", &self.top_k_hits),
            ("bottom_k_hits", &self.bottom_k_hits),
            ("factor_moved", &self.factor_moved),
            ("pair_counts", &self.pair_counts),
            ("pair_reverse_counts", &self.pair_reverse_counts),
        ] {
            at_most(field, values, s)?;
        }
        let s128 = u128::from(s);
        let unit_error = |field: &str, u: usize| {
            Err(format!(
                "`{field}` of unit {} does not fit its rank counts",
                u + 1
            ))
        };
        for u in 0..n {
            if self.nominal_rank_hits[u] > self.nominal_or_better_hits[u] {
                return unit_error("nominal_rank_hits", u);
            }
            let (best, worst) = (self.best_rank[u], self.worst_rank[u]);
            let counts = self.rank_counts_of(u);
            if s == 0 {
                if best != u32::MAX || worst != 0 {
                    return unit_error("best_rank", u);
                }
            } else {
                if best == 0 || best > worst || worst as usize > n {
                    return unit_error("best_rank", u);
                }
                // The window is trimmed (checked with the layout): its ends are the bins of
                // the best and the worst rank.
                let (lo, hi) = (self.bins.bin(best), self.bins.bin(worst));
                if counts.is_empty()
                    || counts.first() as usize != lo
                    || counts.end() as usize != hi + 1
                {
                    return unit_error("best_rank", u);
                }
            }
            let (best, worst) = (u128::from(best.min(worst)), u128::from(worst));
            let rank_sum = u128::from(self.rank_sum[u]);
            if s > 0 && !(s128 * best..=s128 * worst).contains(&rank_sum) || s == 0 && rank_sum > 0
            {
                return unit_error("rank_sum", u);
            }
            let squares = self.rank_sq_sum[u];
            let fits = |factor: u128| s128.checked_mul(factor * factor);
            match (fits(best), fits(worst)) {
                (Some(lo), Some(hi)) if (s == 0 || (lo..=hi).contains(&squares)) => {}
                _ if s == 0 && squares == 0 => {}
                _ => return unit_error("rank_sq_sum", u),
            }
            if u128::from(self.abs_shift_sum[u]) > s128 * n.saturating_sub(1) as u128 {
                return unit_error("abs_shift_sum", u);
            }
            // Each term is below 2^51 in magnitude ([`FixedPoint::encode_scaled`]); squares are
            // never negative.
            let limit = i128::from(s) << 51;
            if self.score_sum[u].abs() > limit {
                return unit_error("score_sum", u);
            }
            if !(0..=limit).contains(&self.score_sq_sum[u]) {
                return unit_error("score_sq_sum", u);
            }
            if self.bins.width == 1 {
                self.check_derived(u, top_k)?;
            }
        }
        for (row, &a) in self.pair_units.iter().enumerate() {
            let above = &self.pair_counts[row * n..(row + 1) * n];
            if above[a] != 0 {
                return Err(format!(
                    "`pair_counts` has unit {} ranked above itself",
                    a + 1
                ));
            }
            for (b, &count) in above.iter().enumerate() {
                // "a above b" and "b above a" exclude each other in every sample.
                let reverse = if self.pair_reverse_counts.is_empty() {
                    self.pair_counts[b * n + a]
                } else {
                    self.pair_reverse_counts[row * n + b]
                };
                if u128::from(count) + u128::from(reverse) > s128 {
                    return Err(format!(
                        "`pair_counts` of units {} and {} add up to more than the {s} samples",
                        a + 1,
                        b + 1
                    ));
                }
            }
            let k = self.weight_nodes.len();
            let one = 1i128 << WEIGHT_BITS;
            for (field, sums, hits) in [
                (
                    "first_weight_sum",
                    &self.first_weight_sum,
                    self.first_hits[a],
                ),
                (
                    "kept_weight_sum",
                    &self.kept_weight_sum,
                    self.nominal_or_better_hits[a],
                ),
            ] {
                // Each term is a weight in [0, 1] in fixed point, counted once per hit.
                if sums[row * k..(row + 1) * k]
                    .iter()
                    .any(|&w| !(0..=i128::from(hits) * one).contains(&w))
                {
                    return Err(format!(
                        "`{field}` of unit {} does not fit its hit count",
                        a + 1
                    ));
                }
            }
        }
        Ok(())
    }

    /// With one bin per rank, the statistics [`Accumulator::complete`] derives from unit `u`'s
    /// histogram that do not depend on its nominal rank must equal it.
    fn check_derived(&self, u: usize, top_k: u32) -> Result<(), String> {
        let n = self.n_units;
        let window = self.rank_counts_of(u);
        let (mut sum, mut squares) = (0u128, 0u128);
        let (mut top, mut bottom, mut first) = (0u64, 0u64, 0u64);
        let mut bands = vec![0u64; self.n_bands];
        for (r, c) in window.iter() {
            if r == 0 {
                first = c;
            }
            let rank = r as u64 + 1;
            // Row sums are checked first, so none of these overflow.
            sum += u128::from(rank) * u128::from(c);
            squares += u128::from(rank * rank) * u128::from(c);
            if rank <= u64::from(top_k) {
                top += c;
            }
            if rank + u64::from(top_k) > n as u64 {
                bottom += c;
            }
            bands[r * self.n_bands / n] += c;
        }
        let derived = [
            ("rank_sum", sum == u128::from(self.rank_sum[u])),
            ("rank_sq_sum", squares == self.rank_sq_sum[u]),
            ("first_hits", first == self.first_hits[u]),
            ("top_k_hits", top == self.top_k_hits[u]),
            ("bottom_k_hits", bottom == self.bottom_k_hits[u]),
            (
                "band_counts",
                bands == self.band_counts[u * self.n_bands..(u + 1) * self.n_bands],
            ),
        ];
        match derived.iter().find(|(_, same)| !same) {
            Some((field, _)) => Err(format!(
                "`{field}` of unit {} does not equal what its rank counts give",
                u + 1
            )),
            None => Ok(()),
        }
    }
}
