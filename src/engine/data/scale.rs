//! Standardization: zero mean and unit variance per feature, fitted on chosen rows.

use ndarray::{Array1, Array2, ArrayView2, Axis};

/// Per-feature mean and scale, as scikit-learn's `StandardScaler` computes them (population
/// standard deviation; a constant feature gets scale 1 so it maps to 0 instead of NaN).
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    /// Per-feature mean.
    pub mean: Array1<f64>,
    /// Per-feature standard deviation (1 where it is 0).
    pub scale: Array1<f64>,
}

impl Standardizer {
    /// Fit on the given rows of `x` (all rows when `rows` is empty).
    ///
    /// ```
    /// use ndarray::array;
    /// use activelab::engine::data::scale::Standardizer;
    /// let x = array![[1.0, 5.0], [3.0, 5.0]];
    /// let s = Standardizer::fit(x.view(), &[]);
    /// assert_eq!(s.transform(x.view()), array![[-1.0, 0.0], [1.0, 0.0]]);
    /// ```
    pub fn fit(x: ArrayView2<f64>, rows: &[usize]) -> Self {
        if rows.is_empty() {
            Self::fit_all(x)
        } else {
            Self::fit_all(x.select(Axis(0), rows).view())
        }
    }

    fn fit_all(view: ArrayView2<f64>) -> Self {
        let n = view.nrows().max(1) as f64;
        let mean = view.sum_axis(Axis(0)) / n;
        let mut var = Array1::<f64>::zeros(view.ncols());
        for row in view.rows() {
            for ((v, x), m) in var.iter_mut().zip(row).zip(&mean) {
                *v += (x - m) * (x - m);
            }
        }
        let scale = var.mapv(|v| {
            let s = (v / n).sqrt();
            if s > f64::EPSILON * 10.0 {
                s
            } else {
                1.0
            }
        });
        Self { mean, scale }
    }

    /// `(x - mean) / scale`, row by row.
    pub fn transform(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let mut out = x.to_owned();
        for mut row in out.rows_mut() {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.scale) {
                *v = (*v - m) / s;
            }
        }
        out
    }
}
