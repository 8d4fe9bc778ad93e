use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

use super::*;

/// Distance in units in the last place between two finite doubles of the same sign (or equal).
fn ulps(a: f64, b: f64) -> u64 {
    if a == b {
        return 0;
    }
    assert_eq!(a.is_sign_negative(), b.is_sign_negative(), "{a} vs {b}");
    (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
}

/// Same value, NaN for NaN, infinities and zeros as they are.
fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

#[test]
fn exp_is_within_one_ulp_of_std_over_its_whole_range() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(17);
    let mut worst = 0;
    for _ in 0..2_000_000 {
        // Uniform over the finite-result range, and log-uniform magnitudes down to 2^-60.
        let x = if rng.random::<bool>() {
            -745.0 + 1454.5 * rng.random::<f64>()
        } else {
            let m = 2f64.powf(-60.0 + 70.0 * rng.random::<f64>());
            if rng.random::<bool>() { m } else { -m }
        };
        let (ours, std) = (exp(x), x.exp());
        if std == 0.0 || std.is_infinite() {
            assert!(same(ours, std), "exp({x:e}) = {ours:e}, std {std:e}");
            continue;
        }
        worst = worst.max(ulps(ours, std));
    }
    assert!(worst <= 1, "exp: {worst} ulps from std");
}

#[test]
fn exp_edges() {
    let cases = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        1e-300,
        -1e-300,
        f64::MIN_POSITIVE,
        5e-324,
        709.0,
        709.78,
        709.8,
        710.0,
        1e10,
        f64::MAX,
        f64::INFINITY,
        -708.0,
        -720.0,
        -744.0,
        -745.1,
        -745.2,
        -1e10,
        f64::MIN,
        f64::NEG_INFINITY,
    ];
    for x in cases {
        let (ours, std) = (exp(x), x.exp());
        assert!(ulps(ours, std) <= 1, "exp({x:e}) = {ours:e}, std {std:e}");
    }
    assert!(exp(f64::NAN).is_nan());
    assert_eq!(exp(0.0).to_bits(), 1f64.to_bits());
    assert_eq!(exp(-0.0).to_bits(), 1f64.to_bits());
}

#[test]
fn ln_is_within_one_ulp_of_std_for_every_positive_double() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(18);
    let mut worst = 0;
    for _ in 0..2_000_000 {
        // Random bit patterns below +∞: every binade, subnormals included, equally often; and
        // values near 1, where ln is small and cancellation bites.
        let x = if rng.random::<bool>() {
            f64::from_bits(rng.random_range(1..0x7ff0_0000_0000_0000u64))
        } else {
            1.0 + (rng.random::<f64>() - 0.5) * 2f64.powi(-rng.random_range(0..50))
        };
        let (ours, std) = (ln(x), x.ln());
        worst = worst.max(ulps(ours, std));
    }
    assert!(worst <= 1, "ln: {worst} ulps from std");
}

#[test]
fn ln_edges() {
    let cases = [
        1.0,
        2.0,
        0.5,
        std::f64::consts::E,
        std::f64::consts::SQRT_2,
        1.0 + f64::EPSILON,
        1.0 - f64::EPSILON / 2.0,
        f64::MIN_POSITIVE,
        5e-324,
        1e-310,
        f64::MAX,
    ];
    for x in cases {
        let (ours, std) = (ln(x), x.ln());
        assert!(ulps(ours, std) <= 1, "ln({x:e}) = {ours:e}, std {std:e}");
    }
    assert_eq!(ln(1.0).to_bits(), 0f64.to_bits());
    for (x, want) in [
        (0.0, f64::NEG_INFINITY),
        (-0.0, f64::NEG_INFINITY),
        (f64::INFINITY, f64::INFINITY),
        (-1.0, f64::NAN),
        (-5e-324, f64::NAN),
        (f64::NEG_INFINITY, f64::NAN),
        (f64::NAN, f64::NAN),
    ] {
        assert!(same(ln(x), want), "ln({x}) = {}", ln(x));
    }
}

/// The slice kernels (the AVX2 copy where the CPU has it) are the scalar functions cell for
/// cell, bit for bit, at every length (vector body and remainder).
#[test]
fn the_kernels_are_the_scalar_functions() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(19);
    for n in 0..40 {
        let x: Vec<f64> = (0..n).map(|_| 1e3 * rng.random::<f64>() - 1.0).collect();
        let e: Vec<f64> = (0..n)
            .map(|k| if k % 5 == 0 { 0.0 } else { 3.0 * rng.random::<f64>() - 1.5 })
            .collect();
        let mut scaled = x.clone();
        scale_by_exp(&mut scaled, &e);
        for k in 0..n {
            let want = if e[k] != 0.0 { x[k] * exp(e[k]) } else { x[k] };
            assert!(same(scaled[k], want), "{n} {k}");
        }
        // Exponent ±0 leaves every kind of value as it is, bit for bit.
        let specials = [
            0.0,
            -0.0,
            5e-324,
            -f64::MIN_POSITIVE,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
        ];
        let kept: Vec<f64> = (0..n).map(|k| specials[k % specials.len()]).collect();
        let zeros: Vec<f64> = (0..n).map(|k| if k % 2 == 0 { 0.0 } else { -0.0 }).collect();
        let mut scaled = kept.clone();
        scale_by_exp(&mut scaled, &zeros);
        for k in 0..n {
            assert_eq!(scaled[k].to_bits(), kept[k].to_bits(), "{n} {k}");
        }
        // Half the cells at their nominal value (whose log is taken as given), half moved.
        let nominal: Vec<f64> = x.iter().map(|v| v.abs() + 0.5).collect();
        let nominal_logs: Vec<f64> = nominal.iter().map(|v| v.ln()).collect();
        let values: Vec<f64> = nominal
            .iter()
            .enumerate()
            .map(|(k, &v)| if k % 2 == 0 { v } else { v * 1.01 })
            .collect();
        let mut logs = vec![0.0; n];
        ln_unless_nominal(&mut logs, &values, &nominal, &nominal_logs);
        for k in 0..n {
            let want = if k % 2 == 0 { nominal_logs[k] } else { ln(values[k]) };
            assert!(same(logs[k], want), "{n} {k}");
        }
    }
}
