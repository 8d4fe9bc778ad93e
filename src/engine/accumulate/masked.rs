//! Masked additions of the central-weight sums: a sample's weights added to the rows of the
//! units that kept their nominal rank, branch-free in whole vector blocks.

use super::WEIGHT_LANES;

/// `sums[i] += w & masks[i]` (masks −1 or 0), in fixed blocks of [`WEIGHT_LANES`]: whole
/// vector instructions at any width. The masked terms go to a block of their own first:
/// added straight into the sums, the compiler kept a scalar copy of the loop for sums and
/// masks that might overlap, and ran it.
#[inline(always)]
fn add_masked(sums: &mut [i32], w: i32, masks: &[i32]) {
    let (sum_blocks, _) = sums.as_chunks_mut::<WEIGHT_LANES>();
    let (mask_blocks, _) = masks.as_chunks::<WEIGHT_LANES>();
    for (sums, masks) in sum_blocks.iter_mut().zip(mask_blocks) {
        let mut terms = [0i32; WEIGHT_LANES];
        for (term, &mask) in terms.iter_mut().zip(masks) {
            *term = w & mask;
        }
        for (sum, &term) in sums.iter_mut().zip(&terms) {
            // At most FLUSH_EVERY terms of at most 2^23 each: never wraps (WEIGHT_BITS).
            *sum = sum.wrapping_add(term);
        }
    }
}

/// [`add_masked`] for every weight j: `sums[j · stride + i] += weights[j] & masks[i]`, with
/// `stride = masks.len()`. Rows of up to eight blocks are added with the block count fixed
/// ([`add_masked_blocks`]); any other stride block by block.
#[inline(always)]
pub(super) fn add_masked_rows(sums: &mut [i32], weights: &[i32], masks: &[i32]) {
    match masks.len() / WEIGHT_LANES {
        1 => add_masked_blocks::<1>(sums, weights, masks),
        2 => add_masked_blocks::<2>(sums, weights, masks),
        3 => add_masked_blocks::<3>(sums, weights, masks),
        4 => add_masked_blocks::<4>(sums, weights, masks),
        5 => add_masked_blocks::<5>(sums, weights, masks),
        6 => add_masked_blocks::<6>(sums, weights, masks),
        7 => add_masked_blocks::<7>(sums, weights, masks),
        8 => add_masked_blocks::<8>(sums, weights, masks),
        _ => {
            for (row, &w) in sums.chunks_exact_mut(masks.len()).zip(weights) {
                add_masked(row, w, masks);
            }
        }
    }
}

/// [`add_masked_rows`] for rows of `B` whole blocks: each row's loop unrolled whole and the
/// masks held in registers across the rows (looping over a run-time number of blocks per
/// weight, the iterators cost more than the additions).
#[inline(always)]
fn add_masked_blocks<const B: usize>(sums: &mut [i32], weights: &[i32], masks: &[i32]) {
    let (mask_blocks, _) = masks.as_chunks::<WEIGHT_LANES>();
    let mask_blocks: &[[i32; WEIGHT_LANES]; B] =
        mask_blocks[..B].try_into().expect("B blocks of masks");
    for (row, &w) in sums.chunks_exact_mut(B * WEIGHT_LANES).zip(weights) {
        let (row_blocks, _) = row.as_chunks_mut::<WEIGHT_LANES>();
        let row_blocks: &mut [[i32; WEIGHT_LANES]; B] =
            row_blocks.try_into().expect("a row of B blocks");
        for (sums, masks) in row_blocks.iter_mut().zip(mask_blocks) {
            let mut terms = [0i32; WEIGHT_LANES];
            for (term, &mask) in terms.iter_mut().zip(masks) {
                *term = w & mask;
            }
            for (sum, &term) in sums.iter_mut().zip(&terms) {
                // At most FLUSH_EVERY terms of at most 2^23 each: never wraps (WEIGHT_BITS).
                *sum = sum.wrapping_add(term);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row gets `w & mask` added lane by lane, for strides of one to ten blocks (the
    /// fixed block counts and the block-by-block fallback), as a plain loop adds them.
    #[test]
    fn masked_rows_add_what_a_plain_loop_adds() {
        for blocks in 1..=10 {
            let stride = blocks * WEIGHT_LANES;
            let weights = [5, 1 << 23, 0, 77];
            let masks: Vec<i32> = (0..stride).map(|i| -i32::from(i % 3 != 1)).collect();
            let mut sums: Vec<i32> = (0..weights.len() * stride).map(|i| i as i32).collect();
            let mut expected = sums.clone();
            for (j, &w) in weights.iter().enumerate() {
                for (i, &mask) in masks.iter().enumerate() {
                    expected[j * stride + i] += w & mask;
                }
            }
            add_masked_rows(&mut sums, &weights, &masks);
            assert_eq!(sums, expected, "{blocks} blocks");
        }
    }
}
