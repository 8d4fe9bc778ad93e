//! Scrambled Sobol' points: Joe–Kuo direction numbers, Matoušek's random linear scramble with a digital shift, any point computed on its own.

use std::sync::OnceLock;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use super::derived_seed;

/// Joe & Kuo's direction numbers for dimensions 2 … 256 (`d s a m_1 … m_s` per line, one header
/// line); dimension 1 is van der Corput's. See `joe_kuo/LICENSE` for the source and licence.
const JOE_KUO: &str = include_str!("joe_kuo/new-joe-kuo-6.256.txt");

/// Dimensions with their own direction numbers. Beyond them a point continues with further
/// independently scrambled copies of the sequence (see [`ScrambledSobol`]).
pub const DIMENSIONS: usize = 256;

/// Bits of every coordinate, and of the point index: at most 2^32 points.
const BITS: usize = 32;

/// Largest number of points.
pub const MAX_POINTS: u64 = 1 << BITS;

/// Stream-family tag of the scrambling matrices and shifts (see [`derived_seed`]).
const SCRAMBLE_STREAM_TAG: u64 = 0x5343_5241_4d42_4c45; // "SCRAMBLE"

/// Column `b` of a dimension's generator matrix, as a 32-bit binary fraction: the coordinate of
/// point `i` is the XOR of the columns of `i`'s set bits (Sobol' 1967; Bratley & Fox 1988).
type Generator = [u32; BITS];

/// The unscrambled generator matrices of all [`DIMENSIONS`], built once.
///
/// Joe & Kuo (2003, 2008): with primitive polynomial of degree `s` and coefficients `a` and
/// initial numbers `m_1 … m_s`, `v_k = m_k / 2^k` for `k ≤ s` and, for `k > s`,
/// `v_k = v_{k−s} ⊕ (v_{k−s} / 2^s) ⊕ ⊕_{l=1}^{s−1} a_l v_{k−l}` (`a_l` the l-th bit of `a`
/// from the top). Dimension 1 has `v_k = 1 / 2^k`.
fn generators() -> &'static [Generator] {
    static GENERATORS: OnceLock<Vec<Generator>> = OnceLock::new();
    GENERATORS.get_or_init(|| {
        let mut all = Vec::with_capacity(DIMENSIONS);
        let mut first = [0u32; BITS];
        for (k, v) in first.iter_mut().enumerate() {
            *v = 1 << (BITS - 1 - k);
        }
        all.push(first);
        for line in JOE_KUO.lines().skip(1) {
            let numbers: Vec<u32> = line
                .split_whitespace()
                .map(|field| field.parse().expect("Joe–Kuo file holds integers"))
                .collect();
            let (s, a, m) = (numbers[1] as usize, numbers[2], &numbers[3..]);
            assert_eq!(m.len(), s, "Joe–Kuo line for dimension {}", numbers[0]);
            let mut v = [0u32; BITS];
            for k in 0..BITS {
                v[k] = if let Some(&initial) = m.get(k) {
                    initial << (BITS - 1 - k)
                } else {
                    let mut value = v[k - s] ^ (v[k - s] >> s);
                    for l in 1..s {
                        if (a >> (s - 1 - l)) & 1 == 1 {
                            value ^= v[k - l];
                        }
                    }
                    value
                };
            }
            all.push(v);
        }
        assert_eq!(
            all.len(),
            DIMENSIONS,
            "Joe–Kuo file has {DIMENSIONS} dimensions"
        );
        all
    })
}

/// A randomised Sobol' sequence in any number of dimensions, every coordinate of every point
/// available on its own.
///
/// Randomisation (Owen-type, Matoušek 1998, *On the L2-discrepancy for anchored boxes*, J.
/// Complexity 14, 527–556): each dimension's generator matrix C is multiplied by a random
/// lower-triangular binary matrix L with unit diagonal (digit r of a coordinate becomes digit r
/// plus a random combination of the digits above it), and a random digital shift e is added:
/// `x_i = L C i ⊕ e`. This keeps every (t, m, s)-net property of the sequence, makes each point
/// uniform on [0, 1)^d (so the estimators stay unbiased), and has the same mean squared
/// discrepancy as Owen's nested scrambling; it is the scrambling of SciPy's `qmc.Sobol`, which
/// SALib's `sobol.sample` uses. Because L is linear, it is applied to the 32 columns of C once,
/// and a coordinate is the XOR of the scrambled columns of the index's set bits.
///
/// Points are in natural index order (not Gray-code order): the first 2^m points are the same
/// set either way, a (t, m, s)-net.
///
/// Dimension `j ≥ 256` uses Joe–Kuo dimension `j mod 256` with its own independent scramble:
/// copies of the sequence with independent randomisations ("padding", Owen 1998), which keeps
/// each copy's stratification and the estimators' unbiasedness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrambledSobol {
    /// Scrambled generator columns, dimension-major (`BITS` per dimension).
    columns: Vec<u32>,
    /// Digital shift per dimension.
    shifts: Vec<u32>,
}

impl ScrambledSobol {
    /// The sequence in `dimensions` dimensions, randomised from `seed`. Dimension `j`'s scramble
    /// is ChaCha8 stream `j` of a key derived from the seed, so it does not depend on how many
    /// dimensions are asked for.
    pub fn new(dimensions: usize, seed: u64) -> Self {
        let key = derived_seed(seed, SCRAMBLE_STREAM_TAG);
        let generators = generators();
        let mut columns = Vec::with_capacity(dimensions * BITS);
        let mut shifts = Vec::with_capacity(dimensions);
        for dimension in 0..dimensions {
            let mut rng = ChaCha8Rng::seed_from_u64(key);
            rng.set_stream(dimension as u64);
            // Column q of L (for input bit q, bit 31 being the first digit) has bit q set and
            // random bits below it: output digits depend on the input digit and those above it.
            let mut scramble = [0u32; BITS];
            for (q, column) in scramble.iter_mut().enumerate() {
                let below = if q == 0 { 0 } else { u32::MAX >> (BITS - q) };
                *column = (1 << q) | (rng.random::<u32>() & below);
            }
            let shift = rng.random::<u32>();
            for &v in &generators[dimension % DIMENSIONS] {
                columns.push(multiply(&scramble, v));
            }
            shifts.push(shift);
        }
        ScrambledSobol { columns, shifts }
    }

    /// Coordinate `dimension` of point `index` in [0, 1), a multiple of 2^-32.
    ///
    /// # Panics
    /// If `index ≥ 2^32` or `dimension` is outside the sequence.
    pub fn coordinate(&self, index: u64, dimension: usize) -> f64 {
        assert!(index < MAX_POINTS, "Sobol point {index} beyond 2^32");
        let columns = &self.columns[dimension * BITS..(dimension + 1) * BITS];
        let mut bits = index;
        let mut x = self.shifts[dimension];
        while bits != 0 {
            let b = bits.trailing_zeros() as usize;
            x ^= columns[b];
            bits &= bits - 1;
        }
        f64::from(x) * (1.0 / MAX_POINTS as f64)
    }
}

/// `L v` over GF(2), with `scramble[q]` the column of L for bit q of `v`.
fn multiply(scramble: &[u32; BITS], v: u32) -> u32 {
    let mut result = 0;
    let mut bits = v;
    while bits != 0 {
        let q = bits.trailing_zeros() as usize;
        result ^= scramble[q];
        bits &= bits - 1;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unscrambled coordinate: XOR of the generator columns, as a fraction.
    fn plain(index: u32, dimension: usize) -> f64 {
        let v = &generators()[dimension];
        let mut x = 0;
        for (b, column) in v.iter().enumerate() {
            if (index >> b) & 1 == 1 {
                x ^= column;
            }
        }
        f64::from(x) / MAX_POINTS as f64
    }

    #[test]
    fn unscrambled_points_are_joe_kuos() {
        // Natural order: point 1 = v_1, point 2 = v_2, point 3 = v_1 ⊕ v_2. Dimension 2 (s = 1,
        // m_1 = 1): v_1 = 1/2, v_2 = 3/4. Dimension 3 (s = 2, a = 1, m = 1, 3): v_1 = 1/2,
        // v_2 = 3/4, v_3 = v_1 ⊕ v_1/4 ⊕ v_2 = 1/2 ⊕ 1/8 ⊕ 3/4 = 3/8.
        assert_eq!([plain(1, 0), plain(2, 0), plain(3, 0)], [0.5, 0.25, 0.75]);
        assert_eq!([plain(1, 1), plain(2, 1), plain(3, 1)], [0.5, 0.75, 0.25]);
        assert_eq!([plain(1, 2), plain(2, 2), plain(4, 2)], [0.5, 0.75, 0.375]);
        // Joe–Kuo's own first points in Gray-code order (their sobol.cc output), dimensions 1–3:
        // (0.5, 0.5, 0.5), (0.75, 0.25, 0.25), (0.25, 0.75, 0.75): Gray codes 1, 3, 2.
        assert_eq!([plain(3, 0), plain(3, 1), plain(3, 2)], [0.75, 0.25, 0.25]);
        assert_eq!([plain(2, 0), plain(2, 1), plain(2, 2)], [0.25, 0.75, 0.75]);
    }

    #[test]
    fn every_generator_matrix_is_invertible() {
        // m_k is odd, so column k's last set digit is digit k + 1 (bit 31 − k): C is upper
        // triangular with unit diagonal, and any 2^m aligned points stratify each dimension.
        for (d, v) in generators().iter().enumerate() {
            for (k, column) in v.iter().enumerate() {
                assert_eq!(
                    column.trailing_zeros() as usize,
                    BITS - 1 - k,
                    "dimension {d} column {k}"
                );
            }
        }
    }

    #[test]
    fn scrambled_prefixes_are_nets() {
        // 2^m points: one in each of 2^m intervals per dimension, and one in each 2^a × 2^b box
        // (a + b = m) of the first two dimensions (t = 0 for dimensions 1 and 2).
        let sequence = ScrambledSobol::new(300, 11);
        let m = 8;
        for dimension in [0, 1, 5, 255, 256, 299] {
            let mut hit = vec![false; 1 << m];
            for index in 0..1u64 << m {
                let x = sequence.coordinate(index, dimension);
                assert!((0.0..1.0).contains(&x));
                hit[(x * f64::from(1 << m)) as usize] = true;
            }
            assert!(hit.iter().all(|&h| h), "dimension {dimension}");
        }
        for a in 0..=m {
            let mut hit = vec![false; 1 << m];
            for index in 0..1u64 << m {
                let x = (sequence.coordinate(index, 0) * f64::from(1 << a)) as usize;
                let y = (sequence.coordinate(index, 1) * f64::from(1 << (m - a))) as usize;
                hit[x << (m - a) | y] = true;
            }
            assert!(hit.iter().all(|&h| h), "boxes 2^{a} × 2^{}", m - a);
        }
    }

    #[test]
    fn scrambles_depend_on_seed_and_dimension_only() {
        let short = ScrambledSobol::new(3, 5);
        let long = ScrambledSobol::new(10, 5);
        let other = ScrambledSobol::new(3, 6);
        for index in [0, 1, 77, (1 << 32) - 1] {
            for dimension in 0..3 {
                assert_eq!(
                    short.coordinate(index, dimension),
                    long.coordinate(index, dimension)
                );
            }
        }
        assert_ne!(short.coordinate(3, 0), other.coordinate(3, 0));
        // Padded copies are scrambled independently of the dimension they repeat.
        let padded = ScrambledSobol::new(257, 5);
        assert_ne!(padded.coordinate(9, 256), padded.coordinate(9, 0));
    }
}
