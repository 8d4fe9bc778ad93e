//! Four columns' standard normal draws side by side.
//!
//! Every column's error has its own Xoshiro256++ stream ([`super::column_stream`]), so the
//! streams are independent: four of them run in the four 64-bit lanes of one AVX2 register
//! (xoshiro is additions, xors and shifts), and the ziggurat's fast path (about 98.8% of draws:
//! one word, one table lookup, one compare) runs on the four words at once. A lane whose draw
//! leaves the fast path is taken out of the register, finished by the scalar
//! [`ziggurat::slow`] on that lane's own generator (consuming exactly the words `rand_distr`
//! would) and put back. Each lane therefore yields exactly the values, in the same order, that
//! [`ziggurat::standard_normal`] gives drawing from its stream one at a time, and leaves the
//! stream at the same place (`the_lanes_are_the_scalar_draws`).

use std::convert::Infallible;

use rand::TryRng;
use rand::rand_core::utils::fill_bytes_via_next_word;

use super::ziggurat;

/// Xoshiro256++ (Blackman & Vigna 2021, "Scrambled linear pseudorandom number generators",
/// ACM TOMS 47(4)) exactly as `rand::rngs::Xoshiro256PlusPlus`: the same SplitMix64 seeding
/// and the same words (`the_generator_is_rands`), with the state in the open so that a lane
/// can be moved in and out of a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Xoshiro {
    s: [u64; 4],
}

impl Xoshiro {
    /// `Xoshiro256PlusPlus::seed_from_u64`: four SplitMix64 outputs (Steele, Lea & Flood 2014).
    pub(crate) fn seed_from_u64(mut state: u64) -> Self {
        const PHI: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut s = [0; 4];
        for word in s.iter_mut() {
            state = state.wrapping_add(PHI);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            *word = z ^ (z >> 31);
        }
        Xoshiro { s }
    }

    #[inline(always)]
    fn step(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }
}

impl TryRng for Xoshiro {
    type Error = Infallible;

    #[inline(always)]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        // The high bits, as rand's generator does (its low bits have linear dependencies).
        Ok((self.step() >> 32) as u32)
    }

    #[inline(always)]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.step())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        fill_bytes_via_next_word(dst, || self.try_next_u64())
    }
}

/// Fills `out[l]` with the next `out[l].len()` standard normal draws of `streams[l]`
/// ([`ziggurat::standard_normal`]'s values, in order) and advances each stream past them:
/// the four lanes together while every lane still draws, then each lane's rest alone. In AVX2
/// registers when the CPU has them ([`super::super::vectors`]), else lane by lane: the same
/// integer and IEEE operations either way, so the same values.
pub(super) fn normals4(streams: &mut [Xoshiro; 4], out: [&mut [f64]; 4]) {
    #[cfg(target_arch = "x86_64")]
    if super::super::vectors::avx2() {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { normals4_avx2(streams, out) };
    }
    normals4_portable(streams, out)
}

/// Four generators' words of one step (lane l is stream l), and the generators after it.
#[inline(always)]
fn step4(s: &mut [[u64; 4]; 4]) -> [u64; 4] {
    // s[w][l]: word w of lane l, so each line below is one vector operation on four lanes.
    let [s0, s1, s2, s3] = s;
    let mut result = [0u64; 4];
    let mut t = [0u64; 4];
    for l in 0..4 {
        result[l] = s0[l].wrapping_add(s3[l]).rotate_left(23).wrapping_add(s0[l]);
        t[l] = s1[l] << 17;
    }
    for l in 0..4 {
        s2[l] ^= s0[l];
        s3[l] ^= s1[l];
    }
    for l in 0..4 {
        s1[l] ^= s2[l];
        s0[l] ^= s3[l];
    }
    for l in 0..4 {
        s2[l] ^= t[l];
        s3[l] = s3[l].rotate_left(45);
    }
    result
}

#[inline(always)]
fn normals4_portable(streams: &mut [Xoshiro; 4], out: [&mut [f64]; 4]) {
    let together = out.iter().map(|z| z.len()).min().unwrap_or(0);
    let mut s = [[0u64; 4]; 4];
    for (l, stream) in streams.iter().enumerate() {
        for w in 0..4 {
            s[w][l] = stream.s[w];
        }
    }
    let [z0, z1, z2, z3] = out;
    let (z0, r0) = z0.split_at_mut(together);
    let (z1, r1) = z1.split_at_mut(together);
    let (z2, r2) = z2.split_at_mut(together);
    let (z3, r3) = z3.split_at_mut(together);
    for t in 0..together {
        let bits = step4(&mut s);
        // The ziggurat's first try on each lane (as `ziggurat::standard_normal`): layer i from
        // the low 8 bits, u ∈ [−1, 1) from the high 52, x = u·X[i], accepted if |x| < X[i+1].
        let mut x = [0f64; 4];
        let mut u = [0f64; 4];
        let mut layer = [0usize; 4];
        let mut inside = [false; 4];
        for l in 0..4 {
            let i = (bits[l] & 0xff) as usize;
            u[l] = f64::from_bits((bits[l] >> 12) | (1024u64 << 52)) - 3.0;
            x[l] = u[l] * ziggurat::ZIG_NORM_X[i];
            inside[l] = x[l].abs() < ziggurat::ZIG_NORM_X[i + 1];
            layer[l] = i;
        }
        if !(inside[0] & inside[1] & inside[2] & inside[3]) {
            for l in 0..4 {
                if !inside[l] {
                    let lane = Xoshiro {
                        s: [s[0][l], s[1][l], s[2][l], s[3][l]],
                    };
                    let (lane, z) = ziggurat::slow(lane, layer[l], u[l], x[l]);
                    for w in 0..4 {
                        s[w][l] = lane.s[w];
                    }
                    x[l] = z;
                }
            }
        }
        z0[t] = x[0];
        z1[t] = x[1];
        z2[t] = x[2];
        z3[t] = x[3];
    }
    for (l, stream) in streams.iter_mut().enumerate() {
        for w in 0..4 {
            stream.s[w] = s[w][l];
        }
    }
    for (stream, rest) in streams.iter_mut().zip([r0, r1, r2, r3]) {
        for value in rest.iter_mut() {
            *value = ziggurat::standard_normal(stream);
        }
    }
}

/// [`normals4_portable`] with the four lanes in AVX2 registers: `s[w]` holds word w of the
/// four generators and the rotations are two shifts and an or.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn normals4_avx2(streams: &mut [Xoshiro; 4], out: [&mut [f64]; 4]) {
    use std::arch::x86_64::{
        __m256i, _CMP_LT_OQ, _mm256_add_epi64, _mm256_and_pd, _mm256_and_si256,
        _mm256_castsi256_pd, _mm256_cmp_pd, _mm256_loadu_si256,
        _mm256_movemask_pd, _mm256_mul_pd, _mm256_or_si256, _mm256_set1_epi64x,
        _mm256_set1_pd, _mm256_castpd128_pd256, _mm256_insertf128_pd, _mm256_unpacklo_pd, _mm256_unpackhi_pd, _mm_loadu_pd, _mm256_slli_epi64, _mm256_srli_epi64, _mm256_storeu_pd,
        _mm256_storeu_si256, _mm256_sub_pd, _mm256_xor_si256,
    };
    let together = out.iter().map(|z| z.len()).min().unwrap_or(0);
    let [z0, z1, z2, z3] = out;
    let (z0, r0) = z0.split_at_mut(together);
    let (z1, r1) = z1.split_at_mut(together);
    let (z2, r2) = z2.split_at_mut(together);
    let (z3, r3) = z3.split_at_mut(together);
    // Word w of the four lanes to and from a register.
    let load = |s: &[[u64; 4]; 4], w: usize| {
        // SAFETY: reads 32 bytes, the whole of `s[w]`.
        unsafe { _mm256_loadu_si256(s[w].as_ptr().cast::<__m256i>()) }
    };
    let store = |s: &mut [[u64; 4]; 4], w: usize, v: __m256i| {
        // SAFETY: writes 32 bytes, the whole of `s[w]`.
        unsafe { _mm256_storeu_si256(s[w].as_mut_ptr().cast::<__m256i>(), v) }
    };
    let mut words = [[0u64; 4]; 4];
    for (l, stream) in streams.iter().enumerate() {
        for w in 0..4 {
            words[w][l] = stream.s[w];
        }
    }
    let (mut s0, mut s1, mut s2, mut s3) = (
        load(&words, 0),
        load(&words, 1),
        load(&words, 2),
        load(&words, 3),
    );
    let layer_bits = _mm256_set1_epi64x(0xff);
    let exponent = _mm256_set1_epi64x((1024u64 << 52) as i64);
    let three = _mm256_set1_pd(3.0);
    let magnitude = _mm256_castsi256_pd(_mm256_set1_epi64x(i64::MAX));
    for t in 0..together {
        let sum = _mm256_add_epi64(s0, s3);
        let rotated = _mm256_or_si256(_mm256_slli_epi64::<23>(sum), _mm256_srli_epi64::<41>(sum));
        let bits = _mm256_add_epi64(rotated, s0);
        let shifted = _mm256_slli_epi64::<17>(s1);
        s2 = _mm256_xor_si256(s2, s0);
        s3 = _mm256_xor_si256(s3, s1);
        s1 = _mm256_xor_si256(s1, s2);
        s0 = _mm256_xor_si256(s0, s3);
        s2 = _mm256_xor_si256(s2, shifted);
        s3 = _mm256_or_si256(_mm256_slli_epi64::<45>(s3), _mm256_srli_epi64::<19>(s3));
        let layer = _mm256_and_si256(bits, layer_bits);
        let u = _mm256_sub_pd(
            _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64::<12>(bits), exponent)),
            three,
        );
        // Each lane's (X[i], X[i + 1]) in one load, lanes 0 and 2 and lanes 1 and 3 paired
        // in a register, then unpacked into (X[i]) and (X[i + 1]) of the four lanes (cheaper
        // than two four-lane gathers on the CPUs measured).
        let mut layers = [0u64; 4];
        // SAFETY: writes 32 bytes, the whole of `layers`.
        unsafe { _mm256_storeu_si256(layers.as_mut_ptr().cast::<__m256i>(), layer) };
        let pair = |l: usize| {
            let entries = &ziggurat::ZIG_NORM_X_PAIRS[(layers[l] as u8) as usize];
            // SAFETY: reads 16 bytes, the whole of `entries`.
            unsafe { _mm_loadu_pd(entries.as_ptr()) }
        };
        let even = _mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(pair(0)), pair(2));
        let odd = _mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(pair(1)), pair(3));
        let width = _mm256_unpacklo_pd(even, odd);
        let next = _mm256_unpackhi_pd(even, odd);
        let x = _mm256_mul_pd(u, width);
        let inside = _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LT_OQ>(_mm256_and_pd(x, magnitude), next));
        let mut z = [0f64; 4];
        // SAFETY: writes 32 bytes, the whole of `z`.
        unsafe { _mm256_storeu_pd(z.as_mut_ptr(), x) };
        if inside != 0b1111 {
            // The lanes off the fast path, one at a time on their own generators.
            for (w, v) in [s0, s1, s2, s3].into_iter().enumerate() {
                store(&mut words, w, v);
            }
            let mut us = [0f64; 4];
            // SAFETY: writes 32 bytes, the whole of `us`.
            unsafe { _mm256_storeu_pd(us.as_mut_ptr(), u) };
            for l in 0..4 {
                if inside & (1 << l) == 0 {
                    let lane = Xoshiro {
                        s: [words[0][l], words[1][l], words[2][l], words[3][l]],
                    };
                    let (lane, value) = ziggurat::slow(lane, layers[l] as usize, us[l], z[l]);
                    for w in 0..4 {
                        words[w][l] = lane.s[w];
                    }
                    z[l] = value;
                }
            }
            (s0, s1, s2, s3) = (
                load(&words, 0),
                load(&words, 1),
                load(&words, 2),
                load(&words, 3),
            );
        }
        z0[t] = z[0];
        z1[t] = z[1];
        z2[t] = z[2];
        z3[t] = z[3];
    }
    for (w, v) in [s0, s1, s2, s3].into_iter().enumerate() {
        store(&mut words, w, v);
    }
    for (l, stream) in streams.iter_mut().enumerate() {
        for w in 0..4 {
            stream.s[w] = words[w][l];
        }
    }
    for (stream, rest) in streams.iter_mut().zip([r0, r1, r2, r3]) {
        for value in rest.iter_mut() {
            *value = ziggurat::standard_normal(stream);
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::{Rng, SeedableRng};

    use super::*;

    /// The same words as rand's Xoshiro256++ from the same seeds, and the same after a
    /// `fill_bytes` of an odd length.
    #[test]
    fn the_generator_is_rands() {
        for seed in [0u64, 1, 42, u64::MAX, 0x9E37_79B9_7F4A_7C15] {
            let (mut ours, mut theirs) = (
                Xoshiro::seed_from_u64(seed),
                Xoshiro256PlusPlus::seed_from_u64(seed),
            );
            for _ in 0..1000 {
                assert_eq!(ours.next_u64(), theirs.next_u64());
                assert_eq!(ours.next_u32(), theirs.next_u32());
            }
            let (mut a, mut b) = ([0u8; 13], [0u8; 13]);
            ours.fill_bytes(&mut a);
            theirs.fill_bytes(&mut b);
            assert_eq!(a, b);
            assert_eq!(ours.next_u64(), theirs.next_u64());
        }
    }

    /// Four lanes of different lengths (one empty, and lengths that leave some lanes drawing
    /// alone) are each stream's scalar draws bit for bit, and leave each stream where the
    /// scalar draws do; over many seeds, so that lanes take wedges and tails in the middle of
    /// the side-by-side part. Both the dispatched (AVX2 when present) and portable copies.
    #[test]
    fn the_lanes_are_the_scalar_draws() {
        let lengths = [
            [37usize, 37, 37, 37],
            [37, 36, 30, 37],
            [0, 5, 9, 2],
            [1000, 997, 1003, 999],
            [3, 3, 3, 3],
        ];
        let (mut wedges_or_tails, mut draws) = (0usize, 0usize);
        for seed in 0..200u64 {
            for counts in lengths {
                let seeds: [u64; 4] = std::array::from_fn(|l| seed * 7919 + l as u64);
                for portable in [false, true] {
                    let mut streams = seeds.map(Xoshiro::seed_from_u64);
                    let mut buffers = counts.map(|n| vec![f64::NAN; n]);
                    {
                        let [a, b, c, d] = &mut buffers;
                        let out = [&mut a[..], &mut b[..], &mut c[..], &mut d[..]];
                        if portable {
                            normals4_portable(&mut streams, out);
                        } else {
                            normals4(&mut streams, out);
                        }
                    }
                    for l in 0..4 {
                        let mut scalar = Xoshiro::seed_from_u64(seeds[l]);
                        for (k, &z) in buffers[l].iter().enumerate() {
                            let before = scalar;
                            let expected = ziggurat::standard_normal(&mut scalar);
                            assert_eq!(z.to_bits(), expected.to_bits(), "lane {l} draw {k}");
                            let mut probe = before;
                            probe.next_u64();
                            if !portable {
                                draws += 1;
                                wedges_or_tails += usize::from(probe != scalar);
                            }
                        }
                        assert_eq!(streams[l], scalar, "lane {l} left elsewhere");
                    }
                }
            }
        }
        assert!(wedges_or_tails > 1000, "{wedges_or_tails} of {draws} off the fast path");
    }
}
