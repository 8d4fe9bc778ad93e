//! A sample's uniform numbers: ChaCha8 stream `index` from its first block, only the blocks used.
//!
//! The numbers are those of `rand`'s `ChaCha8Rng::seed_from_u64(seed)` after
//! `set_stream(index)`, drawn with `random::<f64>()` (tested below): ChaCha8 (Bernstein 2008,
//! "ChaCha, a variant of Salsa20"; the block function of RFC 8439 §2.3 with 8 rounds, a 64-bit
//! block counter in words 12–13 and the stream in words 14–15), each `f64` from two consecutive
//! keystream words (low word first) as `(u64 >> 11) · 2^-53`. The generator refills a buffer of
//! four blocks after every `set_stream`, where a sample of up to 16 numbers needs two: here the
//! blocks are computed two at a time, one in each half of a 256-bit register row.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;


/// The key of a run's streams (from its seed), ready to draw any sample's numbers.
#[derive(Debug, Clone)]
pub struct Uniforms {
    key: [u32; 8],
}

/// Two blocks side by side: lanes 0–3 one block's row, lanes 4–7 the next block's.
type Row = [u32; 8];

/// `f64`s per pair of blocks (32 words, two per number).
const PER_PAIR: usize = 16;

impl Uniforms {
    /// The streams of `ChaCha8Rng::seed_from_u64(seed)`.
    pub fn new(seed: u64) -> Self {
        let seed = ChaCha8Rng::seed_from_u64(seed).get_seed();
        let mut key = [0u32; 8];
        for (word, bytes) in key.iter_mut().zip(seed.as_chunks::<4>().0) {
            *word = u32::from_le_bytes(*bytes);
        }
        Uniforms { key }
    }

    /// Fills `u` with the first `u.len()` numbers of stream `index`, each in [0, 1) with 53
    /// random bits. Allocation-free.
    #[inline]
    pub fn fill(&self, index: u64, u: &mut [f64]) {
        fill_with_vectors(&self.key, index, u);
    }

    /// [`Uniforms::fill`] for streams `index` (into `first`) and `index + 1` (into `second`,
    /// as long as `first`) at once: the two computations overlap, so a pair costs less than
    /// two single calls.
    #[inline]
    pub fn fill_two(&self, index: u64, first: &mut [f64], second: &mut [f64]) {
        fill_two_with_vectors(&self.key, index, first, second);
    }
}

/// [`Uniforms::fill_two`] with the two streams' rows side by side in AVX2 registers when the
/// CPU has them (the same words either way).
#[inline(always)]
fn fill_two_with_vectors(key: &[u32; 8], index: u64, first: &mut [f64], second: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if crate::pipeline::vectors::avx2() {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { fill_two_avx2(key, index, first, second) };
    }
    fill_with(key, index, first, two_blocks);
    fill_with(key, index.wrapping_add(1), second, two_blocks);
}

/// [`fill_two_with_vectors`] with AVX2 intrinsics.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fill_two_avx2(key: &[u32; 8], index: u64, first: &mut [f64], second: &mut [f64]) {
    assert_eq!(first.len(), second.len());
    let indices = [index, index.wrapping_add(1)];
    for (pair, (one, two)) in first
        .chunks_mut(PER_PAIR)
        .zip(second.chunks_mut(PER_PAIR))
        .enumerate()
    {
        let [words_one, words_two] = blocks_avx2(key, indices, 2 * pair as u64);
        to_unit(&words_one, one);
        to_unit(&words_two, two);
    }
}

/// [`Uniforms::fill`] with the rows in AVX2 registers when the CPU has them (integer
/// arithmetic: the same words either way).
#[inline(always)]
fn fill_with_vectors(key: &[u32; 8], index: u64, u: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if crate::pipeline::vectors::avx2() {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { fill_avx2(key, index, u) };
    }
    fill_with(key, index, u, two_blocks);
}

/// [`fill_with_vectors`] with AVX2 intrinsics (as arrays of eight words, the rounds were
/// compiled one word at a time).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fill_avx2(key: &[u32; 8], index: u64, u: &mut [f64]) {
    // A closure in an AVX2 function may call AVX2 functions safely.
    fill_with(key, index, u, |key, index, block| two_blocks_avx2(key, index, block));
}

/// Fills `u` pair of blocks by pair of blocks, the pairs computed by `blocks`.
#[inline(always)]
fn fill_with(
    key: &[u32; 8],
    index: u64,
    u: &mut [f64],
    blocks: impl Fn(&[u32; 8], u64, u64) -> [u32; 32],
) {
    for (pair, numbers) in u.chunks_mut(PER_PAIR).enumerate() {
        to_unit(&blocks(key, index, 2 * pair as u64), numbers);
    }
}

/// The numbers of a pair of blocks' words: each from two consecutive words (low word first),
/// `(u64 >> 11) · 2^-53`.
#[inline(always)]
fn to_unit(words: &[u32; 32], numbers: &mut [f64]) {
    for (i, x) in numbers.iter_mut().enumerate() {
        let bits = u64::from(words[2 * i]) | (u64::from(words[2 * i + 1]) << 32);
        *x = (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    }
}

/// [`two_blocks`] in AVX2 registers (one stream: [`blocks_avx2`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn two_blocks_avx2(key: &[u32; 8], index: u64, block: u64) -> [u32; 32] {
    let [words] = blocks_avx2(key, [index], block);
    words
}

/// [`two_blocks`] of `S` streams at once in AVX2 registers: each row one `__m256i`, its
/// 128-bit halves the two blocks; the lane rotations of the diagonal round are in-half
/// shuffles, the 16- and 8-bit rotations byte shuffles. The streams' rounds are interleaved
/// step by step: a round is a chain of dependent instructions, and two independent chains
/// keep the vector units busy where one waits on each result.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn blocks_avx2<const S: usize>(key: &[u32; 8], indices: [u64; S], block: u64) -> [[u32; 32]; S] {
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi32, _mm256_or_si256, _mm256_permute2x128_si256,
        _mm256_setr_epi8, _mm256_setr_epi32, _mm256_shuffle_epi8, _mm256_shuffle_epi32,
        _mm256_slli_epi32, _mm256_srli_epi32, _mm256_storeu_si256, _mm256_xor_si256,
    };
    let next = block.wrapping_add(1);
    let word = |x: u32| x as i32;
    let a0 = _mm256_setr_epi32(
        0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574,
        0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574,
    );
    let b0 = _mm256_setr_epi32(
        word(key[0]), word(key[1]), word(key[2]), word(key[3]),
        word(key[0]), word(key[1]), word(key[2]), word(key[3]),
    );
    let c0 = _mm256_setr_epi32(
        word(key[4]), word(key[5]), word(key[6]), word(key[7]),
        word(key[4]), word(key[5]), word(key[6]), word(key[7]),
    );
    let d0: [__m256i; S] = std::array::from_fn(|s| {
        let index = indices[s];
        _mm256_setr_epi32(
            word(block as u32), word((block >> 32) as u32), word(index as u32), word((index >> 32) as u32),
            word(next as u32), word((next >> 32) as u32), word(index as u32), word((index >> 32) as u32),
        )
    });
    // Byte shuffles rotating every 32-bit word left by 16 and by 8 bits.
    let rot16 = _mm256_setr_epi8(
        2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,
        2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,
    );
    let rot8 = _mm256_setr_epi8(
        3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14,
        3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14,
    );
    let rotate12 = |x: __m256i| _mm256_or_si256(_mm256_slli_epi32::<12>(x), _mm256_srli_epi32::<20>(x));
    let rotate7 = |x: __m256i| _mm256_or_si256(_mm256_slli_epi32::<7>(x), _mm256_srli_epi32::<25>(x));
    let round = |a: &mut [__m256i; S], b: &mut [__m256i; S], c: &mut [__m256i; S], d: &mut [__m256i; S]| {
        for s in 0..S {
            a[s] = _mm256_add_epi32(a[s], b[s]);
        }
        for s in 0..S {
            d[s] = _mm256_shuffle_epi8(_mm256_xor_si256(d[s], a[s]), rot16);
        }
        for s in 0..S {
            c[s] = _mm256_add_epi32(c[s], d[s]);
        }
        for s in 0..S {
            b[s] = rotate12(_mm256_xor_si256(b[s], c[s]));
        }
        for s in 0..S {
            a[s] = _mm256_add_epi32(a[s], b[s]);
        }
        for s in 0..S {
            d[s] = _mm256_shuffle_epi8(_mm256_xor_si256(d[s], a[s]), rot8);
        }
        for s in 0..S {
            c[s] = _mm256_add_epi32(c[s], d[s]);
        }
        for s in 0..S {
            b[s] = rotate7(_mm256_xor_si256(b[s], c[s]));
        }
    };
    let (mut a, mut b, mut c, mut d) = ([a0; S], [b0; S], [c0; S], d0);
    for _ in 0..4 {
        round(&mut a, &mut b, &mut c, &mut d);
        // Lanes rotated left by 1, 2, 3 within each block (0x39, 0x4e, 0x93), and back.
        for s in 0..S {
            b[s] = _mm256_shuffle_epi32::<0x39>(b[s]);
            c[s] = _mm256_shuffle_epi32::<0x4e>(c[s]);
            d[s] = _mm256_shuffle_epi32::<0x93>(d[s]);
        }
        round(&mut a, &mut b, &mut c, &mut d);
        for s in 0..S {
            b[s] = _mm256_shuffle_epi32::<0x93>(b[s]);
            c[s] = _mm256_shuffle_epi32::<0x4e>(c[s]);
            d[s] = _mm256_shuffle_epi32::<0x39>(d[s]);
        }
    }
    let mut out = [[0u32; 32]; S];
    for (s, words) in out.iter_mut().enumerate() {
        let (a, b, c, d) = (
            _mm256_add_epi32(a[s], a0),
            _mm256_add_epi32(b[s], b0),
            _mm256_add_epi32(c[s], c0),
            _mm256_add_epi32(d[s], d0[s]),
        );
        // First block: the low halves of a, b, c, d in order; second block: the high halves.
        let out = words.as_mut_ptr().cast::<__m256i>();
        // SAFETY: `words` holds four 32-byte stores; unaligned stores.
        unsafe {
            _mm256_storeu_si256(out, _mm256_permute2x128_si256::<0x20>(a, b));
            _mm256_storeu_si256(out.add(1), _mm256_permute2x128_si256::<0x20>(c, d));
            _mm256_storeu_si256(out.add(2), _mm256_permute2x128_si256::<0x31>(a, b));
            _mm256_storeu_si256(out.add(3), _mm256_permute2x128_si256::<0x31>(c, d));
        }
    }
    out
}

/// The keystream blocks `block` and `block + 1` of stream `index`, one after the other.
#[inline(always)]
fn two_blocks(key: &[u32; 8], index: u64, block: u64) -> [u32; 32] {
    // "expand 32-byte k"
    const CONSTANTS: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];
    let next = block.wrapping_add(1);
    let (stream_lo, stream_hi) = (index as u32, (index >> 32) as u32);
    let a0: Row = std::array::from_fn(|i| CONSTANTS[i & 3]);
    let b0: Row = [key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]];
    let c0: Row = [key[4], key[5], key[6], key[7], key[4], key[5], key[6], key[7]];
    let d0: Row = [
        block as u32,
        (block >> 32) as u32,
        stream_lo,
        stream_hi,
        next as u32,
        (next >> 32) as u32,
        stream_lo,
        stream_hi,
    ];
    let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
    for _ in 0..4 {
        // Column round, then the diagonal round on rows rotated left by 1, 2 and 3 lanes.
        quarter_rounds(&mut a, &mut b, &mut c, &mut d);
        (b, c, d) = (rotate_lanes::<1>(b), rotate_lanes::<2>(c), rotate_lanes::<3>(d));
        quarter_rounds(&mut a, &mut b, &mut c, &mut d);
        (b, c, d) = (rotate_lanes::<3>(b), rotate_lanes::<2>(c), rotate_lanes::<1>(d));
    }
    let rows = [add(a, a0), add(b, b0), add(c, c0), add(d, d0)];
    let mut words = [0u32; 32];
    for (r, row) in rows.iter().enumerate() {
        words[4 * r..4 * r + 4].copy_from_slice(&row[..4]);
        words[16 + 4 * r..16 + 4 * r + 4].copy_from_slice(&row[4..]);
    }
    words
}

/// The four quarter rounds of a round at once, one per lane (RFC 8439 §2.1).
#[inline(always)]
fn quarter_rounds(a: &mut Row, b: &mut Row, c: &mut Row, d: &mut Row) {
    *a = add(*a, *b);
    *d = rotate_bits::<16>(xor(*d, *a));
    *c = add(*c, *d);
    *b = rotate_bits::<12>(xor(*b, *c));
    *a = add(*a, *b);
    *d = rotate_bits::<8>(xor(*d, *a));
    *c = add(*c, *d);
    *b = rotate_bits::<7>(xor(*b, *c));
}

#[inline(always)]
fn add(x: Row, y: Row) -> Row {
    std::array::from_fn(|i| x[i].wrapping_add(y[i]))
}

#[inline(always)]
fn xor(x: Row, y: Row) -> Row {
    std::array::from_fn(|i| x[i] ^ y[i])
}

#[inline(always)]
fn rotate_bits<const N: u32>(x: Row) -> Row {
    std::array::from_fn(|i| x[i].rotate_left(N))
}

/// Each block's four lanes rotated left by `N` (lane i takes lane i + N of its block).
#[inline(always)]
fn rotate_lanes<const N: usize>(x: Row) -> Row {
    std::array::from_fn(|i| x[(i & !3) | ((i + N) & 3)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// The same numbers as `rand`'s generator, for several seeds, streams (small, large, with
    /// high bits) and lengths (within one pair of blocks, exactly one, and several).
    #[test]
    fn equals_chacha8rng_streams() {
        for seed in [0u64, 1, 20_230_208, u64::MAX] {
            let uniforms = Uniforms::new(seed);
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            for index in [0u64, 1, 2, 255, 1 << 31, (1 << 32) + 7, u64::MAX - 1] {
                for len in [0usize, 1, 14, 15, 16, 17, 33, 64, 100] {
                    rng.set_stream(index);
                    let expected: Vec<f64> = (0..len).map(|_| rng.random::<f64>()).collect();
                    let mut got = vec![f64::NAN; len];
                    uniforms.fill(index, &mut got);
                    assert_eq!(got, expected, "seed {seed}, stream {index}, {len} numbers");
                    // The same numbers as the first of two streams and as the second.
                    let mut next = vec![f64::NAN; len];
                    uniforms.fill_two(index, &mut got, &mut next);
                    assert_eq!(got, expected, "seed {seed}, stream {index} of two");
                    let mut before = vec![f64::NAN; len];
                    uniforms.fill_two(index.wrapping_sub(1), &mut before, &mut got);
                    assert_eq!(got, expected, "seed {seed}, stream {index} second of two");
                }
            }
        }
    }
}
