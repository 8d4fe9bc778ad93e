//! Fixed-point sums of reals as integers: exact, associative, so merges are bit-reproducible.

use serde::{Deserialize, Serialize};

/// A fixed-point scale `2^bits` for summing reals exactly as integers.
///
/// A value x is recorded as `round(x · 2^bits)` ([`FixedPoint::encode_scaled`]). `bits` is
/// chosen from a bound B on |x| so that each term uses about 50 bits, leaving 77 bits of
/// headroom in `i128` (2^77 samples) — the resolution is B·2^-50, far below anything reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedPoint {
    pub bits: i32,
}

impl FixedPoint {
    /// A scale for values with |x| ≤ `bound`.
    pub fn for_bound(bound: f64) -> Self {
        let bound = if bound.is_finite() && bound > 0.0 {
            bound
        } else {
            1.0
        };
        FixedPoint {
            bits: 50 - bound.log2().ceil() as i32,
        }
    }
    #[inline]
    #[cfg(any(test, feature = "internals"))]
    pub fn encode(self, x: f64) -> i128 {
        i128::from(Self::encode_scaled(x, self.factor()))
    }
    /// `2^bits`.
    #[inline]
    pub fn factor(self) -> f64 {
        2f64.powi(self.bits)
    }
    /// [`FixedPoint::encode`] with the factor computed once by the caller (hot loops).
    ///
    /// Adding 1.5·2^52 to a double v with |v| < 2^51 leaves round(v) (IEEE 754 round to
    /// nearest, ties to even) in the low bits of the sum's mantissa, so the integer is read
    /// from the bits: no conversion instruction, and the compiler can vectorise it (there is
    /// no packed double-to-int64 conversion before AVX-512). A missing score (NaN), an
    /// infinity or anything beyond the bound counts as 0.
    #[inline]
    pub fn encode_scaled(x: f64, factor: f64) -> i64 {
        const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 · 2^52
        const LIMIT: f64 = 2_251_799_813_685_248.0; // 2^51
        let v = x * factor;
        let v = if v.abs() < LIMIT { v } else { 0.0 };
        (v + MAGIC).to_bits() as i64 - MAGIC.to_bits() as i64
    }
    pub fn decode(self, sum: i128) -> f64 {
        sum as f64 * 2f64.powi(-self.bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bit trick rounds like `f64::round_ties_even` over the whole range it is used in,
    /// and maps what it cannot encode to 0.
    #[test]
    fn fixed_point_encoding_rounds_to_nearest() {
        let scale = FixedPoint::for_bound(100.0);
        let factor = scale.factor();
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            -0.1,
            99.999,
            -100.0,
            100.0,
            1e-300,
            2.5 / factor,
            -3.5 / factor,
        ] {
            let expected = (x * factor).round_ties_even() as i64;
            assert_eq!(FixedPoint::encode_scaled(x, factor), expected, "{x}");
        }
        assert!((scale.decode(scale.encode(-12.345)) + 12.345).abs() < 1e-12);
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e9] {
            assert_eq!(FixedPoint::encode_scaled(x, factor), 0, "{x}");
        }
    }
}
