//! Dense kernels for softmax regression written to give **the same bits** natively and in wasm.
//!
//! **Measured, not used by the models yet** (issue 6, `docs/speed.md`): natively they are 1.4–4.6×
//! slower than ndarray's `dot` (matrixmultiply's AVX2/FMA kernel) and `exp` (glibc); in wasm the
//! products are on par with ndarray's and [`exp`] is 2–39 % faster than Rust's libm `exp`.
//! `benches/engine.rs` (group `kernels`) and `tests/bench_wasm.rs` time them against what
//! `logistic` uses.
//!
//! * [`logits_into`]: `Z = X Wᵀ + b` for a pool `X` (`n × d`, rows contiguous or not) and weights
//!   `W` (`k × d`), register-blocked 4 rows × 4 classes against the weights packed transposed
//!   (`d × k`, padded to a multiple of 4 classes), no packing of `X` (the pool is streamed once).
//! * [`gradient_into`]: `G = Rᵀ X` (`k × d`) for the residuals `R = P − Y` (`n × k`), as rank-4
//!   updates of a transposed accumulator.
//! * [`exp`] and [`ln`]: made of IEEE additions and multiplications only (no libm call), so the
//!   softmax is identical whichever libm the platform has (glibc natively, Rust's `libm` port in
//!   wasm: they may round differently in the last bit).
//!
//! Why: ndarray's `dot` uses matrixmultiply, which natively picks an AVX2/FMA kernel at run time
//! (fused multiply-adds round differently) and in wasm a generic scalar kernel that packs both
//! operands (the whole 100k-row pool copied every call). Here every output is summed in the same
//! order with separate multiplications and additions, which Rust never contracts or reorders, so
//! native and wasm agree bit for bit; the inner loops are plain enough for LLVM to vectorize them
//! (SSE2 natively, `simd128` in wasm when enabled).

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

/// Classes per register block.
const NB: usize = 4;
/// Rows per register block.
const MB: usize = 4;

/// `k` rounded up to a multiple of [`NB`].
fn padded(k: usize) -> usize {
    k.div_ceil(NB) * NB
}

/// `W` (`k × d`) packed as `Wᵀ` (`d × kp`, `kp` = `k` rounded up to 4), the extra classes zero.
///
/// ```
/// use engine::models::linalg::PackedWeights;
/// let w = ndarray::array![[1.0, 2.0], [3.0, 4.0]];
/// let p = PackedWeights::new(w.view(), &[0.5, -0.5]);
/// assert_eq!((p.n_features(), p.n_classes()), (2, 2));
/// ```
#[derive(Debug, Clone)]
pub struct PackedWeights {
    wt: Vec<f64>,
    bias: Vec<f64>,
    d: usize,
    k: usize,
}

impl PackedWeights {
    /// Pack `w` (`k × d`) and the intercepts `b` (`k`; missing ones count as 0).
    pub fn new(w: ArrayView2<f64>, b: &[f64]) -> Self {
        let (k, d) = w.dim();
        let kp = padded(k);
        let mut wt = vec![0.0; d * kp];
        for ((c, j), &v) in w.indexed_iter() {
            wt[j * kp + c] = v;
        }
        let mut bias = vec![0.0; kp];
        for (dst, &v) in bias.iter_mut().zip(b) {
            dst.clone_from(&v);
        }
        Self { wt, bias, d, k }
    }

    /// Feature columns `d`.
    pub fn n_features(&self) -> usize {
        self.d
    }

    /// Classes `k`.
    pub fn n_classes(&self) -> usize {
        self.k
    }
}

/// `out = x Wᵀ + b`: one row of `k` logits per row of `x`.
///
/// `x` must have `n_features` columns and `out` must be `x.nrows() × n_classes`; otherwise `out`
/// is left alone and `false` is answered.
///
/// ```
/// use engine::models::linalg::{logits_into, PackedWeights};
/// let w = ndarray::array![[1.0, 2.0], [3.0, 4.0]];
/// let p = PackedWeights::new(w.view(), &[0.5, -0.5]);
/// let x = ndarray::array![[1.0, 1.0], [0.0, 2.0]];
/// let mut z = ndarray::Array2::zeros((2, 2));
/// assert!(logits_into(x.view(), &p, z.view_mut()));
/// assert_eq!(z, ndarray::array![[3.5, 6.5], [4.5, 7.5]]);
/// ```
pub fn logits_into(x: ArrayView2<f64>, w: &PackedWeights, mut out: ArrayViewMut2<f64>) -> bool {
    let (n, d) = x.dim();
    if d != w.d || out.dim() != (n, w.k) {
        return false;
    }
    let k = w.k;
    let kp = padded(k);
    let contiguous = x.as_slice().is_some() && d > 0;
    // Rows copied here when `x` is not row-major contiguous (a transposed or strided view).
    let mut copy: Vec<f64> = if contiguous {
        Vec::new()
    } else {
        vec![0.0; MB * d]
    };
    let mut start = 0;
    while start < n {
        let rows = MB.min(n - start);
        let xs: &[f64] = match x.as_slice() {
            Some(all) if contiguous => &all[start * d..(start + rows) * d],
            _ => {
                for r in 0..rows {
                    for (dst, &v) in copy[r * d..(r + 1) * d].iter_mut().zip(x.row(start + r)) {
                        *dst = v;
                    }
                }
                &copy[..rows * d]
            }
        };
        let mut c0 = 0;
        while c0 < kp {
            let acc = if rows == MB {
                kernel_4x4(xs, d, &w.wt, kp, c0, &w.bias)
            } else {
                let mut acc = [[0.0; NB]; MB];
                for (r, acc_r) in acc.iter_mut().enumerate().take(rows) {
                    *acc_r = kernel_1x4(&xs[r * d..(r + 1) * d], &w.wt, kp, c0, &w.bias);
                }
                acc
            };
            for (r, acc_r) in acc.iter().enumerate().take(rows) {
                for (c, &v) in acc_r.iter().enumerate() {
                    if c0 + c < k {
                        out[[start + r, c0 + c]] = v;
                    }
                }
            }
            c0 += NB;
        }
        start += rows;
    }
    true
}

/// Four rows × four classes: `acc[r][c] = b[c0 + c] + Σ_j x[r][j] · wt[j][c0 + c]`, summed in `j`
/// order.
#[inline(always)]
fn kernel_4x4(xs: &[f64], d: usize, wt: &[f64], kp: usize, c0: usize, b: &[f64]) -> [[f64; 4]; 4] {
    let (x0, rest) = xs.split_at(d);
    let (x1, rest) = rest.split_at(d);
    let (x2, x3) = rest.split_at(d);
    let x3 = &x3[..d];
    let bias: [f64; 4] = [b[c0], b[c0 + 1], b[c0 + 2], b[c0 + 3]];
    let mut a0 = bias;
    let mut a1 = bias;
    let mut a2 = bias;
    let mut a3 = bias;
    for j in 0..d {
        let wr = &wt[j * kp + c0..j * kp + c0 + 4];
        let w: [f64; 4] = [wr[0], wr[1], wr[2], wr[3]];
        let (v0, v1, v2, v3) = (x0[j], x1[j], x2[j], x3[j]);
        for c in 0..4 {
            a0[c] += v0 * w[c];
            a1[c] += v1 * w[c];
            a2[c] += v2 * w[c];
            a3[c] += v3 * w[c];
        }
    }
    [a0, a1, a2, a3]
}

/// One row × four classes, the same sums as [`kernel_4x4`] gives that row.
#[inline(always)]
fn kernel_1x4(x: &[f64], wt: &[f64], kp: usize, c0: usize, b: &[f64]) -> [f64; 4] {
    let mut a: [f64; 4] = [b[c0], b[c0 + 1], b[c0 + 2], b[c0 + 3]];
    for (j, &v) in x.iter().enumerate() {
        let wr = &wt[j * kp + c0..j * kp + c0 + 4];
        for c in 0..4 {
            a[c] += v * wr[c];
        }
    }
    a
}

/// `out (k × d) = rᵀ x` for residuals `r` (`n × k`) and rows `x` (`n × d`), summed over rows in
/// blocks of four. Answers `false` (and leaves `out` alone) when the shapes do not fit.
///
/// ```
/// use engine::models::linalg::gradient_into;
/// let r = ndarray::array![[1.0, -1.0], [0.5, 0.0]];
/// let x = ndarray::array![[1.0, 2.0, 3.0], [2.0, 0.0, -2.0]];
/// let mut g = ndarray::Array2::zeros((2, 3));
/// assert!(gradient_into(r.view(), x.view(), g.view_mut()));
/// assert_eq!(g, r.t().dot(&x));
/// ```
pub fn gradient_into(r: ArrayView2<f64>, x: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) -> bool {
    let (n, k) = r.dim();
    let d = x.ncols();
    if x.nrows() != n || out.dim() != (k, d) {
        return false;
    }
    let kp = padded(k);
    // gt[j * kp + c] accumulates Σ_i x[i][j] · r[i][c].
    let mut gt = vec![0.0_f64; d * kp];
    let mut rb = [[0.0_f64; NB]; MB];
    let mut xr: Vec<f64> = vec![0.0; MB * d];
    let mut start = 0;
    while start < n {
        let rows = MB.min(n - start);
        for (m, xr_m) in xr.chunks_exact_mut(d.max(1)).enumerate() {
            if m < rows {
                for (dst, &v) in xr_m.iter_mut().zip(x.row(start + m)) {
                    *dst = v;
                }
            } else {
                xr_m.fill(0.0);
            }
        }
        let mut c0 = 0;
        while c0 < kp {
            for (m, rb_m) in rb.iter_mut().enumerate() {
                for (c, v) in rb_m.iter_mut().enumerate() {
                    *v = if m < rows && c0 + c < k {
                        r[[start + m, c0 + c]]
                    } else {
                        0.0
                    };
                }
            }
            for j in 0..d {
                let (v0, v1, v2, v3) = (xr[j], xr[d + j], xr[2 * d + j], xr[3 * d + j]);
                let g = &mut gt[j * kp + c0..j * kp + c0 + NB];
                for c in 0..NB {
                    g[c] += v0 * rb[0][c] + v1 * rb[1][c] + v2 * rb[2][c] + v3 * rb[3][c];
                }
            }
            c0 += NB;
        }
        start += rows;
    }
    for c in 0..k {
        for j in 0..d {
            out[[c, j]] = gt[j * kp + c];
        }
    }
    true
}

/// Softmax of every row in place (`p = e^(z − max) / Σ e^(z − max)`), with [`exp`]; answers the
/// row maxima's log-sum-exp terms through `lse` when given (`lse[i] = max_i + ln Σ e^(z − max)`).
///
/// ```
/// use engine::models::linalg::softmax_rows;
/// let mut z = ndarray::array![[0.0, 0.0], [1.0, 1.0]];
/// softmax_rows(z.view_mut(), None);
/// assert_eq!(z, ndarray::array![[0.5, 0.5], [0.5, 0.5]]);
/// ```
pub fn softmax_rows(mut z: ArrayViewMut2<f64>, mut lse: Option<&mut [f64]>) {
    for (i, mut row) in z.rows_mut().into_iter().enumerate() {
        let m = row.fold(f64::NEG_INFINITY, |a, &v| if v > a { v } else { a });
        let mut sum = 0.0;
        for v in row.iter_mut() {
            *v = exp(*v - m);
            sum += *v;
        }
        let inv = 1.0 / sum;
        for v in row.iter_mut() {
            *v *= inv;
        }
        if let Some(l) = lse.as_deref_mut() {
            if let Some(slot) = l.get_mut(i) {
                *slot = m + ln(sum);
            }
        }
    }
}

/// `y += a · x` entry by entry (`y + (a x)`: ndarray's `scaled_add`, so the same bits; the MLP's
/// steps and L-BFGS's).
#[inline]
pub(crate) fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    for (yv, xv) in y.iter_mut().zip(x) {
        *yv += a * xv;
    }
}

/// `ln 2` split in a high part with trailing zero bits (so `n · LN2_HI` is exact for `|n| < 2²¹`)
/// and the rest (fdlibm's constants).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
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
/// 4 · 10⁻¹⁷). The pure polynomial it replaced needed twelve on `|r| ≤ ln2/2`: 1M calls in the
/// worker's two lanes (`simd::exp_shifted`) took 7.1 ms, now 5.6 ms; scalar, 10.1 → 6.0 ms
/// (README, "Tenth round").
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

/// `ln x` for positive finite `x` from IEEE operations only (same bits on every platform), error
/// below 2 · 10⁻¹⁶ relative; 0 or less, NaN and ∞ answer what `f64::ln` does.
///
/// ```
/// use engine::models::linalg::ln;
/// assert!((ln(10.0) - 10f64.ln()).abs() < 1e-15);
/// assert_eq!(ln(1.0), 0.0);
/// ```
#[inline]
pub fn ln(x: f64) -> f64 {
    if !(x.is_finite() && x >= f64::MIN_POSITIVE) {
        return if x > 0.0 && x.is_finite() {
            // Subnormal: scale into the normal range first.
            ln(x * 18_014_398_509_481_984.0) - 54.0 * std::f64::consts::LN_2
        } else if x == 0.0 {
            f64::NEG_INFINITY
        } else if x == f64::INFINITY {
            x
        } else {
            f64::NAN
        };
    }
    // x = m · 2^e with m in [√½, √2).
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln m = 2 atanh s, s = (m − 1)/(m + 1), |s| ≤ 0.1716: the odd series to s²³.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut t = 1.0 / 23.0;
    for k in (1..=10).rev() {
        t = 1.0 / (2 * k + 1) as f64 + s2 * t;
    }
    let ln_m = 2.0 * s + 2.0 * s * s2 * t;
    let ef = e as f64;
    ef * LN2_HI + (ef * LN2_LO + ln_m)
}

/// `x Wᵀ + b` as a new `n × k` matrix (see [`logits_into`]); `None` when the widths differ.
///
/// ```
/// use engine::models::linalg::{logits, PackedWeights};
/// let p = PackedWeights::new(ndarray::array![[2.0]].view(), &[1.0]);
/// assert_eq!(logits(ndarray::array![[3.0]].view(), &p).unwrap()[[0, 0]], 7.0);
/// ```
pub fn logits(x: ArrayView2<f64>, w: &PackedWeights) -> Option<Array2<f64>> {
    let mut z = Array2::zeros((x.nrows(), w.k));
    logits_into(x, w, z.view_mut()).then_some(z)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{s, Array1};

    fn matrix(n: usize, d: usize, seed: u64) -> Array2<f64> {
        let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        Array2::from_shape_fn((n, d), |_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
        })
    }

    #[test]
    fn logits_match_ndarray_for_every_shape_and_layout() {
        for &(n, d, k) in &[
            (1, 1, 1),
            (7, 3, 2),
            (9, 50, 10),
            (13, 5, 7),
            (4, 8, 4),
            (0, 3, 3),
        ] {
            let x = matrix(n, d, 1);
            let w = matrix(k, d, 2);
            let b = Array1::from_iter((0..k).map(|c| c as f64 * 0.25 - 1.0));
            let want = x.dot(&w.t()) + &b;
            let packed = PackedWeights::new(w.view(), b.as_slice().unwrap());
            let got = logits(x.view(), &packed).unwrap();
            let dev = (&got - &want).iter().fold(0.0_f64, |a, v| a.max(v.abs()));
            assert!(dev < 1e-12, "{n}×{d}×{k}: {dev}");
            // A strided view (every other row) and a transposed copy give the same bits.
            if n > 1 {
                let strided = x.slice(s![..;2, ..]);
                let got2 = logits(strided, &packed).unwrap();
                assert_eq!(got2, got.slice(s![..;2, ..]));
                let xt = x.t().to_owned();
                let got3 = logits(xt.t(), &packed).unwrap();
                assert_eq!(got3, got);
            }
        }
        let packed = PackedWeights::new(matrix(2, 3, 1).view(), &[0.0, 0.0]);
        assert!(logits(matrix(2, 4, 1).view(), &packed).is_none());
    }

    #[test]
    fn gradient_matches_ndarray() {
        for &(n, d, k) in &[(1, 1, 1), (7, 3, 2), (9, 50, 10), (13, 5, 7), (0, 2, 2)] {
            let r = matrix(n, k, 3);
            let x = matrix(n, d, 4);
            let mut g = Array2::zeros((k, d));
            assert!(gradient_into(r.view(), x.view(), g.view_mut()));
            let want = r.t().dot(&x);
            let dev = (&g - &want).iter().fold(0.0_f64, |a, v| a.max(v.abs()));
            assert!(dev < 1e-12, "{n}×{d}×{k}: {dev}");
        }
        let mut g = Array2::zeros((2, 2));
        assert!(!gradient_into(
            matrix(3, 2, 1).view(),
            matrix(2, 2, 1).view(),
            g.view_mut()
        ));
    }

    #[test]
    fn exp_and_ln_are_accurate() {
        let mut worst_exp = 0.0_f64;
        let mut worst_ln = 0.0_f64;
        for i in 0..=20_000 {
            let x = -700.0 + 1400.0 * i as f64 / 20_000.0;
            worst_exp = worst_exp.max(((exp(x) - x.exp()) / x.exp()).abs());
            let y = 1e-300 * 10f64.powf(600.0 * i as f64 / 20_000.0);
            worst_ln = worst_ln.max((ln(y) - y.ln()).abs() / y.ln().abs().max(1.0));
        }
        assert!(worst_exp < 1e-15, "exp: {worst_exp:e}");
        assert!(worst_ln < 1e-15, "ln: {worst_ln:e}");
        assert_eq!(exp(-1e9), exp(-708.0));
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!(ln(-1.0).is_nan());
        assert!((ln(5e-324) - 5e-324_f64.ln()).abs() < 1e-12);
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

    #[test]
    fn softmax_rows_sum_to_one() {
        let mut z = matrix(20, 10, 5) * 30.0;
        let mut lse = vec![0.0; 20];
        let z0 = z.clone();
        softmax_rows(z.view_mut(), Some(&mut lse));
        for (i, row) in z.rows().into_iter().enumerate() {
            assert!((row.sum() - 1.0).abs() < 1e-14);
            let m = z0.row(i).fold(f64::NEG_INFINITY, |a, &v| a.max(v));
            let want = m + z0.row(i).mapv(|v| (v - m).exp()).sum().ln();
            assert!((lse[i] - want).abs() < 1e-12);
        }
    }
}
