//! Standardization: zero mean and unit variance per feature, fitted on chosen rows.
//!
//! Values near the limits of `f64` (±1e308) must not overflow: `x - mean` and `(x - mean)²` of
//! such values are infinite. So each column is first divided by a power of two near its largest
//! absolute value (exact in floating point, so ordinary data gets bit-for-bit the same mean and
//! scale as the textbook formulas), the variance is computed on the scaled values, and
//! [`Standardizer::transform`] falls back to `x / scale - mean / scale` where `x - mean` would
//! overflow. Every output is finite.

use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2};

/// The bound a standardized value is clamped to if it still cannot be computed finitely (only
/// rows outside the fitted ones can get there, e.g. a test row of ±1e308 in a column whose
/// fitted rows are all 0).
pub const MAX_STANDARDIZED: f64 = 1e9;

/// Per-feature mean and scale, as scikit-learn's `StandardScaler` computes them (population
/// standard deviation; a constant feature gets scale 1 so it maps to 0 instead of NaN).
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    /// Per-feature mean.
    pub mean: Array1<f64>,
    /// Per-feature standard deviation (1 where it is 0).
    pub scale: Array1<f64>,
}

/// The power of two `2^k` with `2^k ≤ m < 2^(k+1)` (clamped to the normal range), for a finite
/// `m > 0`; 1 otherwise. Dividing by it is exact.
fn power_of_two_below(m: f64) -> f64 {
    if !(m.is_finite() && m > 0.0) {
        return 1.0;
    }
    let exponent = ((m.to_bits() >> 52) & 0x7FF) as i64 - 1023;
    let k = exponent.clamp(-1022, 1023);
    f64::from_bits(((k + 1023) as u64) << 52)
}

impl Standardizer {
    /// Fit on the given rows of `x` (all rows when `rows` is empty).
    ///
    /// ```
    /// use ndarray::array;
    /// use engine::data::scale::Standardizer;
    /// let x = array![[1.0, 5.0], [3.0, 5.0]];
    /// let s = Standardizer::fit(x.view(), &[]);
    /// assert_eq!(s.transform(x.view()), array![[-1.0, 0.0], [1.0, 0.0]]);
    /// // Values at the edge of f64 stay finite.
    /// let x = array![[1.7e308], [-1.7e308], [1e308]];
    /// let z = Standardizer::fit(x.view(), &[]).transform(x.view());
    /// assert!(z.iter().all(|v| v.is_finite()));
    /// ```
    ///
    /// The rows are read in place (a copy would add to the import's memory peak), in order, so the
    /// sums are the same as over a copy.
    pub fn fit(x: ArrayView2<f64>, rows: &[usize]) -> Self {
        let all: Vec<usize>;
        let rows = if rows.is_empty() {
            all = (0..x.nrows()).collect();
            &all
        } else {
            rows
        };
        let n = rows.len().max(1) as f64;
        let mut mean = Array1::<f64>::zeros(x.ncols());
        let mut scale = Array1::<f64>::ones(x.ncols());
        for (j, column) in x.columns().into_iter().enumerate() {
            let column = || rows.iter().map(|&r| &column[r]);
            let max_abs = column()
                .filter(|v| v.is_finite())
                .fold(0.0f64, |m, v| m.max(v.abs()));
            let p = power_of_two_below(max_abs);
            let mean_scaled = column().map(|x| x / p).sum::<f64>() / n;
            let var_scaled = column()
                .map(|x| {
                    let d = x / p - mean_scaled;
                    d * d
                })
                .sum::<f64>()
                / n;
            let m = mean_scaled * p;
            let s = var_scaled.sqrt() * p;
            mean[j] = if m.is_finite() { m } else { 0.0 };
            scale[j] = if s.is_finite() && s > f64::EPSILON * 10.0 {
                s
            } else {
                1.0
            };
        }
        Self { mean, scale }
    }

    /// `(x - mean) / scale`, row by row; always finite (see the module docs).
    pub fn transform(&self, x: ArrayView2<f64>) -> Array2<f64> {
        self.transform_owned(x.to_owned())
    }

    /// [`Standardizer::transform`] in place, for rows already copied (no second copy).
    pub fn transform_owned(&self, mut out: Array2<f64>) -> Array2<f64> {
        for mut row in out.rows_mut() {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.scale) {
                *v = standardize(*v, *m, *s);
            }
        }
        out
    }

    /// Rows `rows` of `x`, standardized: one copy, written in place (the same values as
    /// [`Standardizer::transform`] of `x.select(Axis(0), rows)`, without the raw copy).
    pub fn transform_rows(&self, x: ArrayView2<f64>, rows: &[usize]) -> Array2<f64> {
        let mut out = Array2::<f64>::zeros((rows.len(), x.ncols()));
        self.transform_rows_into(x, rows, out.view_mut());
        out
    }

    /// [`Standardizer::transform_rows`] into the first `rows.len()` rows of `out` (a reused
    /// buffer).
    ///
    /// Rows are read as slices and written as `(x - m) / s` by `simd::standardize` (two lanes in
    /// wasm); only a row where that is not finite everywhere is redone value by value (the
    /// overflow fallback and the clamp), so every value has the bits of
    /// [`Standardizer::transform`]; the value-by-value loop alone is slow in wasm.
    pub fn transform_rows_into(
        &self,
        x: ArrayView2<f64>,
        rows: &[usize],
        mut out: ArrayViewMut2<f64>,
    ) {
        let (Some(mean), Some(scale)) = (self.mean.as_slice(), self.scale.as_slice()) else {
            return self.transform_rows_by_value(x, rows, out);
        };
        let d = mean.len();
        for (mut o, &r) in out.rows_mut().into_iter().zip(rows) {
            let (Some(dst), Some(src)) = (o.as_slice_mut(), x.row(r).to_slice()) else {
                return self.transform_rows_by_value(x, rows, out);
            };
            if dst.len() != d || src.len() != d {
                return self.transform_rows_by_value(x, rows, out);
            }
            if !crate::models::simd::standardize(dst, src, mean, scale) {
                for (((v, x), m), s) in dst.iter_mut().zip(src).zip(mean).zip(scale) {
                    *v = standardize(*x, *m, *s);
                }
            }
        }
    }

    /// [`Standardizer::transform_rows_into`] for any memory layout, value by value.
    fn transform_rows_by_value(
        &self,
        x: ArrayView2<f64>,
        rows: &[usize],
        mut out: ArrayViewMut2<f64>,
    ) {
        for (mut o, &r) in out.rows_mut().into_iter().zip(rows) {
            for (((v, x), m), s) in o.iter_mut().zip(x.row(r)).zip(&self.mean).zip(&self.scale) {
                *v = standardize(*x, *m, *s);
            }
        }
    }
}

/// `(x - m) / s`, or `x / s - m / s` where `x - m` overflows, clamped to ±[`MAX_STANDARDIZED`]
/// (0 for NaN): always finite.
#[inline]
fn standardize(x: f64, m: f64, s: f64) -> f64 {
    let d = x - m;
    let z = if d.is_finite() { d / s } else { x / s - m / s };
    if z.is_finite() {
        z
    } else if z.is_nan() {
        0.0
    } else {
        z.signum() * MAX_STANDARDIZED
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Axis, ShapeBuilder};

    /// The textbook formulas, for ordinary values.
    fn naive(x: ArrayView2<f64>) -> (Array1<f64>, Array1<f64>) {
        let n = x.nrows() as f64;
        let mean = x.sum_axis(Axis(0)) / n;
        let mut var = Array1::<f64>::zeros(x.ncols());
        for row in x.rows() {
            for ((v, x), m) in var.iter_mut().zip(row).zip(&mean) {
                *v += (x - m) * (x - m);
            }
        }
        (mean, var.mapv(|v| (v / n).sqrt()))
    }

    #[test]
    fn ordinary_values_match_the_textbook_formulas_exactly() {
        let x = array![
            [5.1, 3.5, 1.4, -0.2, 1234.5],
            [4.9, 3.0, 1.4, -0.2, 0.001],
            [7.0, 3.2, 4.7, 1.4, 1e-3],
            [6.3, 3.3, 6.0, 2.5, 98765.4321]
        ];
        let s = Standardizer::fit(x.view(), &[]);
        let (mean, scale) = naive(x.view());
        assert_eq!(s.mean, mean);
        assert_eq!(s.scale, scale);
    }

    /// The vectorized row loop gives the bits of the value-by-value transform, with huge, NaN
    /// and ordinary values mixed in one row, in any layout.
    #[test]
    fn rows_by_slices_match_the_transform_bit_for_bit() {
        let x = array![
            [1.0, 2.5, -3.0, 1e-300],
            [f64::MAX, 0.1, f64::NAN, 7.0],
            [-f64::MAX, 1e308, 4.0, -2.0],
            [0.5, -0.25, 9.0, f64::INFINITY]
        ];
        let st = Standardizer::fit(x.slice(ndarray::s![..1, ..]), &[]);
        let rows = [3, 1, 1, 0, 2];
        let want = st.transform(x.select(Axis(0), &rows).view());
        let fortran = {
            let mut f = Array2::<f64>::zeros(x.raw_dim().f());
            f.assign(&x);
            f
        };
        for got in [
            st.transform_rows(x.view(), &rows),
            st.transform_rows(fortran.view(), &rows),
        ] {
            assert!(
                got.iter()
                    .zip(&want)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{got:?} vs {want:?}"
            );
        }
    }

    #[test]
    fn values_near_the_limits_of_f64_stay_finite() {
        let x = array![
            [1e308, 1.0, 1e-308],
            [-1e308, 2.0, 5e-324],
            [1.7e308, 3.0, 0.0],
            [-1.7e308, 4.0, 1e-308],
            [f64::MAX, 5.0, 2e-308],
            [-f64::MAX, 6.0, 0.0]
        ];
        let s = Standardizer::fit(x.view(), &[]);
        assert!(s.mean.iter().chain(&s.scale).all(|v| v.is_finite()));
        let z = s.transform(x.view());
        assert!(z.iter().all(|v| v.is_finite()), "{z:?}");
        // Symmetric huge column: mean 0, values map to about ±1.
        assert!(s.mean[0].abs() < 1e300);
        assert!(z.column(0).iter().all(|v| v.abs() < 3.0), "{z:?}");
        // Standardized values of the fitted rows have mean ≈ 0 and variance ≈ 1.
        let n = z.nrows() as f64;
        let col0: Vec<f64> = z.column(0).to_vec();
        let mean0 = col0.iter().sum::<f64>() / n;
        let var0 = col0.iter().map(|v| (v - mean0) * (v - mean0)).sum::<f64>() / n;
        assert!(
            mean0.abs() < 1e-9 && (var0 - 1.0).abs() < 1e-9,
            "{mean0} {var0}"
        );
        // A row far outside a constant fitted column is clamped, not infinite.
        let fitted = Standardizer::fit(array![[0.0], [0.0]].view(), &[]);
        let far = fitted.transform(array![[f64::MAX], [-f64::MAX]].view());
        assert!(far.iter().all(|v| v.is_finite()));
    }
}
