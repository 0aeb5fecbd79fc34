//! The two products of softmax regression written with wasm `simd128` (two f64 lanes), for the
//! worker's build; beside them the softmax's row helpers (`exp_shifted`, `row_max`,
//! `divide`) and the margin's `top_two`, two lanes at a time in wasm and plain loops elsewhere.
//!
//! Why by hand: in wasm, ndarray's `dot` runs matrixmultiply's generic kernel, scalar code that
//! packs both operands on every call (natively the same call picks an AVX2 + FMA kernel at run
//! time), and `+simd128` alone does not help: LLVM does not vectorise the generic kernel. These
//! kernels use two rows of `x` at a time against all classes (the weights packed transposed,
//! classes padded to an even count), so each f64x2 multiply-add serves two classes and every
//! weight load serves two rows. The sums run over features in order with separate multiplies and adds (wasm
//! has no fused multiply-add in `simd128`), so results differ from ndarray's only by rounding.
//!
//! Off wasm32 or without `+simd128`, [`logits_into`] and [`gradient_into`] are plain loops with
//! the same summation order, so the module compiles and is tested everywhere; the models use it
//! only where it is fast (see `logistic`).

use ndarray::{ArrayView2, ArrayViewMut2};

/// `W` (`k × d`) packed as `Wᵀ` (`d × kp`), `kp` = `k` rounded up to even, the extra class zero.
///
/// Padded to an even class count only, the least the two-lane kernels need: every padded class
/// costs work in both products.
#[derive(Debug, Clone)]
pub struct Packed {
    wt: Vec<f64>,
    bias: Vec<f64>,
    d: usize,
    k: usize,
    kp: usize,
}

impl Packed {
    /// Pack `w` (`k × d`) and the intercepts `b` (`k`).
    ///
    /// ```
    /// use engine::models::simd::Packed;
    /// let p = Packed::new(ndarray::array![[1.0, 2.0]].view(), &[0.5]);
    /// assert_eq!((p.n_features(), p.n_classes()), (2, 1));
    /// ```
    pub fn new(w: ArrayView2<f64>, b: &[f64]) -> Self {
        let (k, d) = w.dim();
        let kp = k.div_ceil(2) * 2;
        let mut wt = vec![0.0; d * kp];
        for ((c, j), &v) in w.indexed_iter() {
            wt[j * kp + c] = v;
        }
        let mut bias = vec![0.0; kp];
        for (dst, &v) in bias.iter_mut().zip(b) {
            *dst = v;
        }
        Self { wt, bias, d, k, kp }
    }

    /// Features `d`.
    pub fn n_features(&self) -> usize {
        self.d
    }

    /// Classes `k`.
    pub fn n_classes(&self) -> usize {
        self.k
    }
}

/// `out (n × k) = x Wᵀ + b`. `x` must be `n × d` and row-major contiguous, `out` `n × k` and
/// row-major contiguous; otherwise nothing is written and `false` is answered.
///
/// ```
/// use engine::models::simd::{logits_into, Packed};
/// let p = Packed::new(ndarray::array![[1.0, 2.0], [3.0, 4.0]].view(), &[0.5, -0.5]);
/// let x = ndarray::array![[1.0, 1.0], [0.0, 2.0], [1.0, 0.0]];
/// let mut z = ndarray::Array2::zeros((3, 2));
/// assert!(logits_into(x.view(), &p, z.view_mut()));
/// assert_eq!(z, ndarray::array![[3.5, 6.5], [4.5, 7.5], [1.5, 2.5]]);
/// ```
pub fn logits_into(x: ArrayView2<f64>, w: &Packed, mut out: ArrayViewMut2<f64>) -> bool {
    let (n, d) = x.dim();
    if d != w.d || out.dim() != (n, w.k) {
        return false;
    }
    let (Some(xs), Some(zs)) = (x.as_slice(), out.as_slice_mut()) else {
        return false;
    };
    let mut row = vec![0.0; 2 * w.kp];
    let mut i = 0;
    while i < n {
        let rows = (n - i).min(2);
        let x0 = &xs[i * d..(i + 1) * d];
        let x1 = if rows == 2 {
            &xs[(i + 1) * d..(i + 2) * d]
        } else {
            x0
        };
        let (r0, r1) = row.split_at_mut(w.kp);
        kernel::two_rows(x0, x1, &w.wt, &w.bias, w.kp, r0, r1);
        zs[i * w.k..(i + 1) * w.k].copy_from_slice(&r0[..w.k]);
        if rows == 2 {
            zs[(i + 1) * w.k..(i + 2) * w.k].copy_from_slice(&r1[..w.k]);
        }
        i += rows;
    }
    true
}

/// `out (k × d) = rᵀ x` for residuals `r` (`n × k`) and rows `x` (`n × d`), both row-major
/// contiguous; otherwise nothing is written and `false` is answered.
///
/// ```
/// use engine::models::simd::gradient_into;
/// let r = ndarray::array![[1.0, -1.0], [0.5, 0.0], [2.0, 1.0]];
/// let x = ndarray::array![[1.0, 2.0, 3.0], [2.0, 0.0, -2.0], [1.0, 1.0, 1.0]];
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
    let (Some(rs), Some(xs)) = (r.as_slice(), x.as_slice()) else {
        return false;
    };
    let kp = k.div_ceil(2) * 2;
    // Gᵀ (d × kp), accumulated row pair by row pair.
    let mut gt = vec![0.0; d * kp];
    let mut r0 = vec![0.0; kp];
    let mut r1 = vec![0.0; kp];
    let mut i = 0;
    while i < n {
        r0[..k].copy_from_slice(&rs[i * k..(i + 1) * k]);
        let x0 = &xs[i * d..(i + 1) * d];
        if i + 1 < n {
            r1[..k].copy_from_slice(&rs[(i + 1) * k..(i + 2) * k]);
            kernel::add_two_outer(&mut gt, kp, x0, &xs[(i + 1) * d..(i + 2) * d], &r0, &r1);
            i += 2;
        } else {
            r1.iter_mut().for_each(|v| *v = 0.0);
            kernel::add_two_outer(&mut gt, kp, x0, x0, &r0, &r1);
            i += 1;
        }
    }
    for ((c, j), dst) in out.indexed_iter_mut() {
        *dst = gt[j * kp + c];
    }
    true
}

/// Replace every entry `v` of `row` by `e^(v − m)` and answer the row's sum (ndarray's `sum`
/// order: [`ndarray_sum`]).
///
/// With `simd128` the exponentials are [`super::linalg::exp`] two lanes at a time (the same
/// operations in the same order, so the same bits as the scalar function), because Rust's `exp`
/// in wasm is libm's scalar code and the softmax needs one per class and row. Elsewhere this is
/// `f64::exp` (natively glibc's, which is fast). A slice, not an ndarray view: in wasm, making a
/// view and summing it costs more than a short row's exponentials.
///
/// ```
/// use engine::models::simd::exp_shifted;
/// let mut row = [1.0, 2.0, 3.0];
/// let sum = exp_shifted(&mut row, 3.0);
/// assert!((row[0] - (-2f64).exp()).abs() < 1e-15 && row[2] == 1.0);
/// assert_eq!(sum, ndarray::ArrayView1::from(&row).sum());
/// ```
pub fn exp_shifted(row: &mut [f64], m: f64) -> f64 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let mut pairs = row.chunks_exact_mut(2);
        for pair in &mut pairs {
            kernel::exp_pair_shifted(pair, m);
        }
        for v in pairs.into_remainder() {
            *v = super::linalg::exp(*v - m);
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    for v in row.iter_mut() {
        *v = (*v - m).exp();
    }
    ndarray_sum(row.len(), |i| row[i])
}

/// `Σ t(i)` for `i` in `0..n` in ndarray's order for contiguous data (`numeric_util::
/// unrolled_fold` and `unrolled_dot`: eight partial sums over blocks of eight, joined as
/// `(p0 + p4)`, `(p1 + p5)`, `(p2 + p6)`, `(p3 + p7)`, then the rest one by one), so the same bits
/// as `ArrayBase::sum` (`t(i) = a[i]`) and `Array1::dot` (`t(i) = a[i] b[i]`) without their
/// per-call cost in wasm. Named sums, not an array: at the worker's opt-level an array of sums
/// stayed in memory.
#[inline(always)]
pub(crate) fn ndarray_sum(n: usize, t: impl Fn(usize) -> f64) -> f64 {
    let (mut p0, mut p1, mut p2, mut p3, mut p4, mut p5, mut p6, mut p7) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let mut i = 0;
    while i + 8 <= n {
        p0 += t(i);
        p1 += t(i + 1);
        p2 += t(i + 2);
        p3 += t(i + 3);
        p4 += t(i + 4);
        p5 += t(i + 5);
        p6 += t(i + 6);
        p7 += t(i + 7);
        i += 8;
    }
    let mut sum = 0.0 + (p0 + p4) + (p1 + p5) + (p2 + p6) + (p3 + p7);
    while i < n {
        sum += t(i);
        i += 1;
    }
    sum
}

/// The largest of `values`, NaNs ignored, −∞ when there is none: `f64::max` folded, without its
/// cost in wasm, where `f64::max` is a call to libm's `fmax` (wasm's own `f64.max` propagates
/// NaN) and selects gained nothing over jumps in V8 (see [`top_two`]).
/// With `simd128` two lanes take alternate entries (`f64x2_pmax`) and merge at the end. Where
/// `f64::max` could answer −0 or +0 this may answer the other; every caller subtracts the maximum
/// or adds it to a logarithm, which gives the same bits either way.
///
/// ```
/// use engine::models::simd::row_max;
/// assert_eq!(row_max(&[0.5, f64::NAN, 2.0, -1.0, 1.0]), 2.0);
/// assert_eq!(row_max(&[]), f64::NEG_INFINITY);
/// ```
pub fn row_max(values: &[f64]) -> f64 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        kernel::row_max(values)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        values.iter().fold(f64::NEG_INFINITY, |a, &v| larger(a, v))
    }
}

/// `a < b ? b : a` (`f64x2_pmax`'s rule): a NaN `b` gives `a`. A comparison, not `f64::max`,
/// which is a call to libm's `fmax` in wasm (see [`row_max`]).
#[inline]
pub(crate) fn larger(a: f64, b: f64) -> f64 {
    if a < b {
        b
    } else {
        a
    }
}

/// Divide every entry of `values` by `d`. IEEE division is correctly rounded, so two lanes at a
/// time (with `simd128`) give the same bits as one by one.
pub fn divide(values: &mut [f64], d: f64) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        kernel::divide(values, d)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        for v in values {
            *v /= d;
        }
    }
}

/// `dst[i] = (src[i] − mean[i]) / scale[i]` over the shortest of the four slices; answers whether
/// every value written is finite (the standardizer's fast path: `data::scale`). Subtraction and
/// division are correctly rounded, so two lanes at a time (with `simd128`) give the same bits as
/// one by one; in wasm the scalar loop is not vectorised, and a round that standardizes its pool
/// block by block runs it over every pool row.
///
/// ```
/// use engine::models::simd::standardize;
/// let mut dst = [0.0; 3];
/// assert!(standardize(&mut dst, &[1.0, 4.0, 9.0], &[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]));
/// assert_eq!(dst, [0.0, 1.0, 2.0]);
/// assert!(!standardize(&mut dst, &[1.0, 1.0, 1.0], &[0.0, 0.0, 0.0], &[1.0, 0.0, 1.0]));
/// ```
pub fn standardize(dst: &mut [f64], src: &[f64], mean: &[f64], scale: &[f64]) -> bool {
    let n = dst.len().min(src.len()).min(mean.len()).min(scale.len());
    let (dst, src, mean, scale) = (&mut dst[..n], &src[..n], &mean[..n], &scale[..n]);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        kernel::standardize(dst, src, mean, scale)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        let mut finite = true;
        for (((v, x), m), s) in dst.iter_mut().zip(src).zip(mean).zip(scale) {
            *v = (x - m) / s;
            finite &= v.is_finite();
        }
        finite
    }
}

/// The two largest entries of `row`, `(first, second)` with `first ≥ second`, NaNs ignored, −∞
/// for what is missing (margin sampling: `strategies::uncertainty`).
///
/// Without branches, because the comparisons over the pool's rows are mispredicted too often as
/// jumps. Natively selects do it; in wasm V8 turns the same selects back into jumps, so there two
/// lanes each keep their own two largest over alternate entries (`f64x2_pmax`/`pmin`, one
/// instruction each) and are merged at the end.
///
/// ```
/// use engine::models::simd::top_two;
/// assert_eq!(top_two(&[0.2, 0.5, f64::NAN, 0.1, 0.5]), (0.5, 0.5));
/// assert_eq!(top_two(&[0.7]), (0.7, f64::NEG_INFINITY));
/// ```
pub fn top_two(row: &[f64]) -> (f64, f64) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        kernel::top_two(row)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        row.iter().fold(
            (f64::NEG_INFINITY, f64::NEG_INFINITY),
            |(first, second), &p| top_two_step(first, second, p),
        )
    }
}

/// One entry `p` into the two largest so far (never NaN), as selects: `p` NaN changes nothing
/// (every comparison with it is false). The same rule as `f64x2_pmax`/`pmin` lane by lane.
#[inline]
fn top_two_step(first: f64, second: f64, p: f64) -> (f64, f64) {
    let lower = if first < p { first } else { p };
    (larger(first, p), larger(second, lower))
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod kernel {
    use core::arch::wasm32::{
        f64x2, f64x2_abs, f64x2_add, f64x2_div, f64x2_extract_lane, f64x2_lt, f64x2_mul,
        f64x2_pmax, f64x2_pmin, f64x2_splat, f64x2_sub, i64x2_add, i64x2_extract_lane, i64x2_shl,
        i64x2_shr, i64x2_splat, i64x2_sub, u64x2_all_true, u64x2_splat, v128, v128_and, v128_load,
        v128_store,
    };

    /// [`super::row_max`]: lane `l` takes entries `2i + l`, then the lanes and an odd last entry.
    pub fn row_max(values: &[f64]) -> f64 {
        let mut m = f64x2_splat(f64::NEG_INFINITY);
        let mut pairs = values.chunks_exact(2);
        for pair in &mut pairs {
            // SAFETY: `pair` holds two f64; v128_load needs no alignment.
            m = f64x2_pmax(m, unsafe { v128_load(pair.as_ptr() as *const v128) });
        }
        let m = super::larger(f64x2_extract_lane::<0>(m), f64x2_extract_lane::<1>(m));
        pairs
            .remainder()
            .iter()
            .fold(m, |a, &v| super::larger(a, v))
    }

    /// [`super::divide`], two entries at a time.
    pub fn divide(values: &mut [f64], d: f64) {
        let dd = f64x2_splat(d);
        let mut pairs = values.chunks_exact_mut(2);
        for pair in &mut pairs {
            // SAFETY: `pair` holds two f64; v128_load/store need no alignment.
            unsafe {
                let x = v128_load(pair.as_ptr() as *const v128);
                v128_store(pair.as_mut_ptr() as *mut v128, f64x2_div(x, dd));
            }
        }
        for v in pairs.into_remainder() {
            *v /= d;
        }
    }

    /// [`super::standardize`] on slices of one length: pairs, then an odd last value. A value
    /// is finite when `|v| < ∞` (false for ±∞ and NaN), kept as a lane mask.
    pub fn standardize(dst: &mut [f64], src: &[f64], mean: &[f64], scale: &[f64]) -> bool {
        let n = dst.len();
        let inf = f64x2_splat(f64::INFINITY);
        let mut finite = u64x2_splat(u64::MAX);
        let mut i = 0;
        while i + 2 <= n {
            // SAFETY: i + 2 ≤ n and all four slices hold n values (the caller cut them to n);
            // v128_load/store need no alignment.
            unsafe {
                let x = v128_load(src.as_ptr().add(i) as *const v128);
                let m = v128_load(mean.as_ptr().add(i) as *const v128);
                let s = v128_load(scale.as_ptr().add(i) as *const v128);
                let v = f64x2_div(f64x2_sub(x, m), s);
                v128_store(dst.as_mut_ptr().add(i) as *mut v128, v);
                finite = v128_and(finite, f64x2_lt(f64x2_abs(v), inf));
            }
            i += 2;
        }
        let mut all = u64x2_all_true(finite);
        if i < n {
            let v = (src[i] - mean[i]) / scale[i];
            dst[i] = v;
            all &= v.is_finite();
        }
        all
    }

    /// [`super::top_two`]: lane `l` takes entries `2i + l`, then the lanes merge and an odd
    /// last entry joins. `pmin(x, first)` is `first < x ? first : x` and `pmax(a, b)` is
    /// `a < b ? b : a`: a NaN `x` leaves both untouched, as in [`super::top_two_step`].
    pub fn top_two(row: &[f64]) -> (f64, f64) {
        let none = f64x2_splat(f64::NEG_INFINITY);
        let (mut first, mut second) = (none, none);
        let mut pairs = row.chunks_exact(2);
        for pair in &mut pairs {
            // SAFETY: `pair` holds two f64; v128_load needs no alignment.
            let x = unsafe { v128_load(pair.as_ptr() as *const v128) };
            second = f64x2_pmax(second, f64x2_pmin(x, first));
            first = f64x2_pmax(first, x);
        }
        let (f0, f1) = (
            f64x2_extract_lane::<0>(first),
            f64x2_extract_lane::<1>(first),
        );
        let (s0, s1) = (
            f64x2_extract_lane::<0>(second),
            f64x2_extract_lane::<1>(second),
        );
        // Lane 1's two into lane 0's, then the odd entry, all by the same step.
        let (a, b) = super::top_two_step(f0, s0, f1);
        let (a, b) = super::top_two_step(a, b, s1);
        pairs
            .remainder()
            .iter()
            .fold((a, b), |(a, b), &p| super::top_two_step(a, b, p))
    }

    /// `pair[i] = linalg::exp(pair[i] − m)` for both entries, with linalg's operations in
    /// linalg's order (see its comments), so every bit is the scalar function's. The clamp is
    /// `pmax`/`pmin` (one instruction each; wasm's `f64x2.max/min` order ±0 and NaN by hand, about
    /// eight): with the argument first, NaN stays NaN and the bounds are `clamp`'s.
    #[inline]
    pub fn exp_pair_shifted(pair: &mut [f64], m: f64) {
        use super::super::linalg::{EXP2_64THS, LN2_64_HI, LN2_64_LO, LOG2_E_64, ROUNDER};
        assert_eq!(pair.len(), 2);
        let s = f64x2_splat;
        // SAFETY: two f64 in `pair` (asserted); v128_load/store need no alignment.
        let x = unsafe { v128_load(pair.as_ptr() as *const v128) };
        let x = f64x2_sub(x, s(m));
        let x = f64x2_pmin(f64x2_pmax(x, s(-708.0)), s(709.0));
        let t = f64x2_add(f64x2_mul(x, s(LOG2_E_64)), s(ROUNDER));
        let n = f64x2_sub(t, s(ROUNDER));
        let r = f64x2_sub(
            f64x2_sub(x, f64x2_mul(n, s(LN2_64_HI))),
            f64x2_mul(n, s(LN2_64_LO)),
        );
        let r2 = f64x2_mul(r, r);
        let lin = |a: f64, b: f64| f64x2_add(s(a), f64x2_mul(r, s(b)));
        let q = f64x2_add(
            f64x2_add(r, f64x2_mul(r2, lin(0.5, 1.0 / 6.0))),
            f64x2_mul(f64x2_mul(r2, r2), lin(1.0 / 24.0, 1.0 / 120.0)),
        );
        // t = ROUNDER + n exactly, in ROUNDER's binade: its bits are ROUNDER's plus n = 64k + j.
        let n_bits = i64x2_sub(t, i64x2_splat(ROUNDER.to_bits() as i64));
        let j = v128_and(n_bits, i64x2_splat(63));
        let tj = f64x2(
            EXP2_64THS[i64x2_extract_lane::<0>(j) as usize],
            EXP2_64THS[i64x2_extract_lane::<1>(j) as usize],
        );
        let scale = i64x2_shl(i64x2_add(i64x2_shr(n_bits, 6), i64x2_splat(1023)), 52);
        let e = f64x2_mul(f64x2_add(tj, f64x2_mul(tj, q)), scale);
        // SAFETY: as the load above.
        unsafe { v128_store(pair.as_mut_ptr() as *mut v128, e) };
    }

    /// Run `$body` with `$q` bound to 0, 1, … up to `$m − 1` (at most 6), unrolled by hand: `$m`
    /// is a const generic, so the untaken branches fold away and the accumulator arrays, indexed
    /// by constants only, stay in registers at any opt-level: with a loop over a run-time count
    /// LLVM keeps them in memory, even at opt-level 3.
    macro_rules! pairs {
        ($m:expr, |$q:ident| $body:block) => {
            pairs!(@one $m, 0, $q, $body);
            pairs!(@one $m, 1, $q, $body);
            pairs!(@one $m, 2, $q, $body);
            pairs!(@one $m, 3, $q, $body);
            pairs!(@one $m, 4, $q, $body);
            pairs!(@one $m, 5, $q, $body);
        };
        (@one $m:expr, $i:literal, $q:ident, $body:block) => {
            if $i < $m {
                let $q: usize = $i;
                $body
            }
        };
    }

    /// `$pass::<M>` for `M = $m` class pairs (1 to 6; anything else is taken as 1).
    macro_rules! width {
        ($pass:ident, $m:expr) => {
            match $m {
                6 => $pass::<6>,
                5 => $pass::<5>,
                4 => $pass::<4>,
                3 => $pass::<3>,
                2 => $pass::<2>,
                _ => $pass::<1>,
            }
        };
    }

    /// `r0 = b + Σ_j x0[j] wt[j]`, `r1` the same for `x1` (`kp` classes, even).
    #[inline]
    pub fn two_rows(
        x0: &[f64],
        x1: &[f64],
        wt: &[f64],
        bias: &[f64],
        kp: usize,
        r0: &mut [f64],
        r1: &mut [f64],
    ) {
        let pairs = kp / 2;
        assert!(wt.len() >= x0.len() * kp && bias.len() >= kp && r0.len() >= kp && r1.len() >= kp);
        assert_eq!(x0.len(), x1.len());
        let mut c = 0;
        // Up to 6 class pairs (12 classes) per pass: 12 accumulators stay in registers.
        while c < pairs {
            let m = (pairs - c).min(6);
            width!(two_rows_pass, m)(x0, x1, wt, bias, kp, c, r0, r1);
            c += m;
        }
    }

    /// [`two_rows`] for the class pairs `c .. c + M`; the caller checked the lengths.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn two_rows_pass<const M: usize>(
        x0: &[f64],
        x1: &[f64],
        wt: &[f64],
        bias: &[f64],
        kp: usize,
        c: usize,
        r0: &mut [f64],
        r1: &mut [f64],
    ) {
        let mut a0 = [f64x2(0.0, 0.0); 6];
        let mut a1 = [f64x2(0.0, 0.0); 6];
        pairs!(M, |q| {
            // SAFETY: 2(c + q) + 1 < kp ≤ bias.len() (asserted by `two_rows`).
            let b = unsafe { v128_load(bias.as_ptr().add(2 * (c + q)) as *const v128) };
            a0[q] = b;
            a1[q] = b;
        });
        for (j, (&v0, &v1)) in x0.iter().zip(x1).enumerate() {
            let s0 = f64x2_splat(v0);
            let s1 = f64x2_splat(v1);
            let base = j * kp + 2 * c;
            pairs!(M, |q| {
                // SAFETY: base + 2q + 1 < (j + 1) kp ≤ wt.len() (asserted by `two_rows`).
                let w = unsafe { v128_load(wt.as_ptr().add(base + 2 * q) as *const v128) };
                a0[q] = f64x2_add(a0[q], f64x2_mul(s0, w));
                a1[q] = f64x2_add(a1[q], f64x2_mul(s1, w));
            });
        }
        pairs!(M, |q| {
            // SAFETY: 2(c + q) + 1 < kp ≤ r0.len(), r1.len() (asserted by `two_rows`).
            unsafe {
                v128_store(r0.as_mut_ptr().add(2 * (c + q)) as *mut v128, a0[q]);
                v128_store(r1.as_mut_ptr().add(2 * (c + q)) as *mut v128, a1[q]);
            }
        });
    }

    /// `gt[j] += x0[j] r0 + x1[j] r1` for every feature `j` (`kp` classes, even).
    #[inline]
    pub fn add_two_outer(
        gt: &mut [f64],
        kp: usize,
        x0: &[f64],
        x1: &[f64],
        r0: &[f64],
        r1: &[f64],
    ) {
        let pairs = kp / 2;
        assert!(gt.len() >= x0.len() * kp && r0.len() >= kp && r1.len() >= kp);
        assert_eq!(x0.len(), x1.len());
        let mut c = 0;
        while c < pairs {
            let m = (pairs - c).min(6);
            width!(add_two_outer_pass, m)(gt, kp, c, x0, x1, r0, r1);
            c += m;
        }
    }

    /// [`add_two_outer`] for the class pairs `c .. c + M`; the caller checked the lengths.
    #[inline(always)]
    fn add_two_outer_pass<const M: usize>(
        gt: &mut [f64],
        kp: usize,
        c: usize,
        x0: &[f64],
        x1: &[f64],
        r0: &[f64],
        r1: &[f64],
    ) {
        let mut p0 = [f64x2(0.0, 0.0); 6];
        let mut p1 = [f64x2(0.0, 0.0); 6];
        pairs!(M, |q| {
            // SAFETY: 2(c + q) + 1 < kp ≤ r0.len(), r1.len() (asserted by `add_two_outer`).
            unsafe {
                p0[q] = v128_load(r0.as_ptr().add(2 * (c + q)) as *const v128);
                p1[q] = v128_load(r1.as_ptr().add(2 * (c + q)) as *const v128);
            }
        });
        for (j, (&v0, &v1)) in x0.iter().zip(x1).enumerate() {
            let s0 = f64x2_splat(v0);
            let s1 = f64x2_splat(v1);
            let base = j * kp + 2 * c;
            pairs!(M, |q| {
                // SAFETY: base + 2q + 1 < (j + 1) kp ≤ gt.len() (asserted by `add_two_outer`).
                unsafe {
                    let at = gt.as_mut_ptr().add(base + 2 * q) as *mut v128;
                    let g = v128_load(at as *const v128);
                    let g = f64x2_add(g, f64x2_add(f64x2_mul(s0, p0[q]), f64x2_mul(s1, p1[q])));
                    v128_store(at, g);
                }
            });
        }
    }
}

/// The same sums, in the same order, without SIMD (natively, and in wasm without `simd128`).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod kernel {
    #[inline]
    pub fn two_rows(
        x0: &[f64],
        x1: &[f64],
        wt: &[f64],
        bias: &[f64],
        kp: usize,
        r0: &mut [f64],
        r1: &mut [f64],
    ) {
        r0[..kp].copy_from_slice(&bias[..kp]);
        r1[..kp].copy_from_slice(&bias[..kp]);
        for (j, (&v0, &v1)) in x0.iter().zip(x1).enumerate() {
            let w = &wt[j * kp..(j + 1) * kp];
            for c in 0..kp {
                r0[c] += v0 * w[c];
                r1[c] += v1 * w[c];
            }
        }
    }

    #[inline]
    pub fn add_two_outer(
        gt: &mut [f64],
        kp: usize,
        x0: &[f64],
        x1: &[f64],
        r0: &[f64],
        r1: &[f64],
    ) {
        for (j, (&v0, &v1)) in x0.iter().zip(x1).enumerate() {
            let g = &mut gt[j * kp..(j + 1) * kp];
            for c in 0..kp {
                g[c] += v0 * r0[c] + v1 * r1[c];
            }
        }
    }
}

#[cfg(test)]
mod tests;
