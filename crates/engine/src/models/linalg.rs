//! Scalar kernels written to give **the same bits** natively and in wasm.
//!
//! * [`exp`]: made of IEEE additions and multiplications only (no libm call), so the softmax is
//!   identical whichever libm the platform has (glibc natively, Rust's `libm` port in wasm: they
//!   may round differently in the last bit); [`super::simd`] runs it two lanes at a time.
//! * `axpy`: `y += a · x` in ndarray's `scaled_add` order, the MLP's and L-BFGS's step.
//!
//! Rust never contracts or reorders separate multiplications and additions, so each result is
//! summed in the same order on every platform.

/// `y += a · x` entry by entry (`y + (a x)`: ndarray's `scaled_add`, so the same bits; the MLP's
/// steps and L-BFGS's).
#[inline]
pub(crate) fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    for (yv, xv) in y.iter_mut().zip(x) {
        *yv += a * xv;
    }
}

/// `ln 2 / 64` split in a high part with trailing zero bits (fdlibm's `ln 2` high part over 64,
/// 21 zero bits: `n · LN2_64_HI` is exact for `|n| < 2²¹`, and `exp` needs `|n| ≤ 65,464`) and
/// the rest.
pub(super) const LN2_64_HI: f64 = f64::from_bits(0x3f86_2e42_fee0_0000);
pub(super) const LN2_64_LO: f64 = f64::from_bits(0x3d8a_39ef_3579_3c76);
/// `64 / ln 2`.
pub(super) const LOG2_E_64: f64 = 64.0 * std::f64::consts::LOG2_E;
/// 1.5 · 2⁵²: adding it rounds to an integer (ties to even) with plain IEEE arithmetic, and the
/// sum's bits are `ROUNDER`'s plus that integer.
pub(super) const ROUNDER: f64 = 6_755_399_441_055_744.0;

/// `2^(j/64)` for `j` in `0..64`, each the nearest f64 (made with 60-digit decimal arithmetic:
/// `scripts/exp_table.py`).
pub(super) const EXP2_64THS: [f64; 64] = {
    const BITS: [u64; 64] = [
        0x3ff0_0000_0000_0000,
        0x3ff0_2c9a_3e77_8061,
        0x3ff0_59b0_d315_8574,
        0x3ff0_8745_1875_9bc8,
        0x3ff0_b558_6cf9_890f,
        0x3ff0_e3ec_32d3_d1a2,
        0x3ff1_1301_d012_5b51,
        0x3ff1_429a_aea9_2de0,
        0x3ff1_72b8_3c7d_517b,
        0x3ff1_a35b_eb6f_cb75,
        0x3ff1_d487_3168_b9aa,
        0x3ff2_063b_8862_8cd6,
        0x3ff2_387a_6e75_6238,
        0x3ff2_6b45_65e2_7cdd,
        0x3ff2_9e9d_f51f_dee1,
        0x3ff2_d285_a6e4_030b,
        0x3ff3_06fe_0a31_b715,
        0x3ff3_3c08_b264_16ff,
        0x3ff3_71a7_373a_a9cb,
        0x3ff3_a7db_34e5_9ff7,
        0x3ff3_dea6_4c12_3422,
        0x3ff4_160a_21f7_2e2a,
        0x3ff4_4e08_6061_892d,
        0x3ff4_86a2_b5c1_3cd0,
        0x3ff4_bfda_d536_2a27,
        0x3ff4_f9b2_769d_2ca7,
        0x3ff5_342b_569d_4f82,
        0x3ff5_6f47_36b5_27da,
        0x3ff5_ab07_dd48_5429,
        0x3ff5_e76f_15ad_2148,
        0x3ff6_247e_b03a_5585,
        0x3ff6_6238_8255_2225,
        0x3ff6_a09e_667f_3bcd,
        0x3ff6_dfb2_3c65_1a2f,
        0x3ff7_1f75_e8ec_5f74,
        0x3ff7_5feb_5642_67c9,
        0x3ff7_a114_73eb_0187,
        0x3ff7_e2f3_36cf_4e62,
        0x3ff8_2589_994c_ce13,
        0x3ff8_68d9_9b44_92ed,
        0x3ff8_ace5_422a_a0db,
        0x3ff8_f1ae_9915_7736,
        0x3ff9_3737_b0cd_c5e5,
        0x3ff9_7d82_9fde_4e50,
        0x3ff9_c491_82a3_f090,
        0x3ffa_0c66_7b5d_e565,
        0x3ffa_5503_b23e_255d,
        0x3ffa_9e6b_5579_fdbf,
        0x3ffa_e89f_995a_d3ad,
        0x3ffb_33a2_b84f_15fb,
        0x3ffb_7f76_f2fb_5e47,
        0x3ffb_cc1e_904b_c1d2,
        0x3ffc_199b_dd85_529c,
        0x3ffc_67f1_2e57_d14b,
        0x3ffc_b720_dcef_9069,
        0x3ffd_072d_4a07_897c,
        0x3ffd_5818_dcfb_a487,
        0x3ffd_a9e6_03db_3285,
        0x3ffd_fc97_337b_9b5f,
        0x3ffe_502e_e78b_3ff6,
        0x3ffe_a4af_a2a4_90da,
        0x3ffe_fa1b_ee61_5a27,
        0x3fff_5076_5b6e_4540,
        0x3fff_a7c1_819e_90d8,
    ];
    let mut t = [0.0; 64];
    let mut j = 0;
    while j < 64 {
        t[j] = f64::from_bits(BITS[j]);
        j += 1;
    }
    t
};

/// `eˣ` from IEEE additions and multiplications only (same bits on every platform), within one
/// unit in the last place. Arguments are clamped to [−708, 709] (so it never answers 0 or ∞: the
/// softmax only needs it for `z − max ≤ 0`); NaN gives NaN.
///
/// Table-driven (as musl's `exp`): `x = (64k + j) · ln2/64 + r` with `|r| ≤ ln2/128`, so
/// `eˣ = 2ᵏ · 2^(j/64) · e^r` and `e^r − 1` needs only five Taylor terms (truncation below
/// 4 · 10⁻¹⁷).
///
/// ```
/// use engine::models::linalg::exp;
/// assert!((exp(1.0) - std::f64::consts::E).abs() < 1e-15);
/// assert_eq!(exp(0.0), 1.0);
/// ```
#[inline]
pub fn exp(x: f64) -> f64 {
    let x = x.clamp(-708.0, 709.0);
    // t = ROUNDER + n with n = round(64 x / ln 2); r = x − n ln2/64 in [−0.0055, 0.0055].
    let t = x * LOG2_E_64 + ROUNDER;
    let n = t - ROUNDER;
    let r = (x - n * LN2_64_HI) - n * LN2_64_LO;
    // e^r − 1 = r + r²/2 + r³/6 + r⁴/24 + r⁵/120, in r².
    let r2 = r * r;
    let q = (r + r2 * (0.5 + r * (1.0 / 6.0))) + (r2 * r2) * ((1.0 / 24.0) + r * (1.0 / 120.0));
    // n = 64 k + j; 2ᵏ with k in [−1022, 1023]: an exponent field, built from bits.
    let n_bits = t.to_bits().wrapping_sub(ROUNDER.to_bits()) as i64;
    let tj = EXP2_64THS[(n_bits & 63) as usize];
    let scale = f64::from_bits(((n_bits >> 6) + 1023).wrapping_shl(52) as u64);
    (tj + tj * q) * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_accurate() {
        let mut worst = 0.0_f64;
        for i in 0..=20_000 {
            let x = -700.0 + 1400.0 * i as f64 / 20_000.0;
            worst = worst.max(((exp(x) - x.exp()) / x.exp()).abs());
        }
        assert!(worst < 1e-15, "exp: {worst:e}");
        assert_eq!(exp(-1e9), exp(-708.0));
        assert!(exp(f64::NAN).is_nan());
    }

    /// The table-driven `exp` within one unit in the last place of the platform's `exp` (glibc's
    /// natively, correctly rounded in nearly every case; libm's in wasm), on a dense grid of the
    /// whole domain, around every table point and on the softmax's usual range. Checked to fail
    /// with one table entry off by an ulp, and with the fifth-order term dropped.
    #[test]
    fn exp_is_within_an_ulp() {
        let ulps = |x: f64| {
            let (got, want) = (exp(x), x.exp());
            (got.to_bits() as i64 - want.to_bits() as i64).abs()
        };
        let mut worst = (0, 0.0);
        let mut check = |x: f64| {
            let u = ulps(x);
            if u > worst.0 {
                worst = (u, x);
            }
        };
        for i in 0..=200_000 {
            check(-708.0 + 1417.0 * i as f64 / 200_000.0);
            check(-40.0 * i as f64 / 200_000.0);
        }
        let step = std::f64::consts::LN_2 / 64.0;
        for n in -4_000..4_000 {
            for off in [-0.5, -0.4999, -0.25, 0.0, 0.25, 0.4999] {
                check((n as f64 + off) * step);
            }
        }
        assert!(worst.0 <= 1, "{} ulps at {:e}", worst.0, worst.1);
    }
}
