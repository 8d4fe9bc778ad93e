//! `exp` and `ln` of whole slices for the noisy path: fdlibm's algorithms (Sun Microsystems,
//! `e_exp.c` and `e_log.c`, 1993; the scheme of Tang 1989, ACM TOMS 15(2) for exp, a Remez
//! polynomial after Cody–Waite reduction), written branch-free so the loops vectorise.
//!
//! Why our own: glibc's `exp` and `ln` are calls per cell that no loop can vectorise, and they
//! pick an FMA or a plain variant by CPU. These use only IEEE additions, multiplications and
//! divisions (Rust never contracts them into fused multiply-adds) and integer bit operations,
//! so the portable build and the AVX2 copy ([`super::super::vectors`]) give the same bits on
//! every CPU. fdlibm bounds the error of both below 1 ulp; the tests check that against std
//! over wide ranges and at the edges (0, subnormals, infinities, NaN, negative arguments).

// fdlibm's constants as it publishes them (decimal, a few digits past what a double holds).
#![allow(clippy::excessive_precision)]

/// ln 2 split so that k·LN2_HI is exact for |k| < 2^20 (fdlibm's `ln2HI`/`ln2LO`).
const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
/// Adding it rounds a double below 2^51 in magnitude to a whole number (round to nearest,
/// ties to even) kept in the low bits of the sum's significand.
const ROUNDER: f64 = 6_755_399_441_055_744.0; // 1.5 · 2^52

/// fdlibm `e_exp.c`'s Remez polynomial for (r·(e^r + 1)/(e^r − 1) − 2)/… on |r| ≤ ln2/2.
const P1: f64 = 1.666_666_666_666_660_190_37e-1;
const P2: f64 = -2.777_777_777_701_559_338_42e-3;
const P3: f64 = 6.613_756_321_437_934_361_17e-5;
const P4: f64 = -1.653_390_220_546_525_153_90e-6;
const P5: f64 = 4.138_136_797_057_238_460_39e-8;

/// Above it e^x overflows, below the low bound it is 0 (both as fdlibm's thresholds).
const EXP_OVERFLOW: f64 = 7.097_827_128_933_839_730_96e2;
const EXP_UNDERFLOW: f64 = -7.451_332_191_019_411_084_87e2;

/// e^x within 1 ulp (fdlibm `__ieee754_exp`): x = k·ln2 + r with |r| ≤ ln2/2 (Cody–Waite:
/// k·ln2 in two parts, so r is exact to the last bits), e^r from the rational form
/// 1 + 2r/(R(r²) − r), and the scale 2^k applied in two halves so that a result in the
/// subnormal range is rounded once. e^0 is exactly 1.
#[inline(always)]
pub(super) fn exp(x: f64) -> f64 {
    // Clamped so k stays within ±1100 (both halves of 2^k normal); the out-of-range results
    // are chosen at the end.
    let clamped = x.clamp(-746.0, 710.0);
    let shifted = clamped * std::f64::consts::LOG2_E + ROUNDER;
    let kf = shifted - ROUNDER;
    let k = (shifted.to_bits() as i64).wrapping_sub(ROUNDER.to_bits() as i64);
    let hi = clamped - kf * LN2_HI;
    let lo = kf * LN2_LO;
    let r = hi - lo;
    let t = r * r;
    let c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    // 2^k = 2^k1 · 2^k2, each a normal power of two for |k| ≤ 1100.
    let k1 = k >> 1;
    let k2 = k - k1;
    let scale1 = f64::from_bits(((k1 + 1023) as u64) << 52);
    let scale2 = f64::from_bits(((k2 + 1023) as u64) << 52);
    let result = y * scale1 * scale2;
    if x > EXP_OVERFLOW {
        f64::INFINITY
    } else if x < EXP_UNDERFLOW {
        0.0
    } else if x.is_nan() {
        x
    } else {
        result
    }
}

/// fdlibm `e_log.c`'s Remez polynomial for (ln(1+f) − 2s)/s … in s² = (f/(2+f))².
const LG1: f64 = 6.666_666_666_666_735_130e-1;
const LG2: f64 = 3.999_999_999_940_941_908e-1;
const LG3: f64 = 2.857_142_874_366_239_149e-1;
const LG4: f64 = 2.222_219_843_214_978_396e-1;
const LG5: f64 = 1.818_357_216_161_805_012e-1;
const LG6: f64 = 1.531_383_769_920_937_332e-1;
const LG7: f64 = 1.479_819_860_511_658_591e-1;
const TWO54: f64 = 18_014_398_509_481_984.0;

/// ln x within 1 ulp (fdlibm `__ieee754_log`): x = 2^k·(1 + f) with √2/2 ≤ 1 + f < √2,
/// ln(1 + f) = 2s + s·R(s²) for s = f/(2 + f), and k·ln2 added in two parts. Both of fdlibm's
/// accuracy branches are computed and the right one chosen (its shortcut for |f| < 2^-20 is a
/// speed path only and the general formula is kept). ln 1 is exactly 0, ln 0 = −∞, ln of a
/// negative number NaN, ln ∞ = ∞.
#[inline(always)]
pub(super) fn ln(x: f64) -> f64 {
    // Subnormals are scaled into the normal range first (k then starts at −54).
    let subnormal = x < f64::MIN_POSITIVE;
    let scaled = if subnormal { x * TWO54 } else { x };
    let bits = scaled.to_bits();
    let hx = (bits >> 32) as i64;
    let mut k = (hx >> 20) - 1023 - if subnormal { 54 } else { 0 };
    let hx = hx & 0x000f_ffff;
    // i is 2^20 when the significand is ≥ √2 (then x/2 and k + 1).
    let i = (hx + 0x95f64) & 0x10_0000;
    let normalised = f64::from_bits(((hx | (i ^ 0x3ff0_0000)) as u64) << 32 | (bits & 0xffff_ffff));
    k += i >> 20;
    let f = normalised - 1.0;
    let dk = k as f64;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    // fdlibm's choice between its two forms, by the significand's high bits (`i |= j; if
    // (i > 0)`): the ½f² split where it is the more accurate one.
    let split = ((hx - 0x6147a) | (0x6b851 - hx)) > 0;
    let result = if split {
        dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f)
    } else {
        dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f)
    };
    if x.is_nan() || x == f64::INFINITY {
        x
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x < 0.0 {
        f64::NAN
    } else {
        result
    }
}

super::super::vectors::dispatch! {
    /// x[i] ← x[i]·e^(e[i]) ([`exp`]). A cell with exponent ±0 keeps its value bit for bit:
    /// e^±0 is exactly 1, and x·1 is x in IEEE arithmetic (a quiet NaN included).
    pub(super) fn scale_by_exp / scale_by_exp_avx2 = scale_by_exp_portable<'x, 'e>(
        x: &'x mut [f64],
        exponents: &'e [f64],
    )
}

#[inline(always)]
fn scale_by_exp_portable(x: &mut [f64], exponents: &[f64]) {
    // Every cell multiplied, none skipped: keeping a cell's own value would make the
    // vectorised loop store through a mask, which costs more than the whole e^x on AMD Zen.
    for (value, &e) in x.iter_mut().zip(exponents) {
        *value *= exp(e);
    }
}

super::super::vectors::dispatch! {
    /// logs[i] ← ln v[i] ([`ln`]), except where v[i] is the nominal value `nominal[i]`, whose
    /// logarithm `nominal_logs[i]` is taken as it is, so a cell the error left in place has
    /// the noiseless run's logarithm bit for bit.
    pub(super) fn ln_unless_nominal / ln_unless_nominal_avx2 = ln_unless_nominal_portable<'l, 'v, 'n, 'm>(
        logs: &'l mut [f64],
        values: &'v [f64],
        nominal: &'n [f64],
        nominal_logs: &'m [f64],
    )
}

#[inline(always)]
fn ln_unless_nominal_portable(
    logs: &mut [f64],
    values: &[f64],
    nominal: &[f64],
    nominal_logs: &[f64],
) {
    let cells = logs.iter_mut().zip(values).zip(nominal).zip(nominal_logs);
    for (((l, &v), &n), &nl) in cells {
        let computed = ln(v);
        *l = if v.to_bits() == n.to_bits() {
            nl
        } else {
            computed
        };
    }
}

#[cfg(test)]
mod tests;
