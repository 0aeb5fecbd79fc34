//! The penalised softmax cross-entropy: its value and gradient, its Hessian times a vector, and
//! the Hessian's diagonal, all made of the same two products (`X·Vᵀ` and `Rᵀ·X`) and per-row
//! passes over slices.
//!
//! Parameters are one flat vector `θ = (W, b)`: `W` row-major (`k × d`), then the `k` intercepts.

use ndarray::{Array2, ArrayView1, ArrayView2};

/// The objective of one fit: rows `x`, labels `y`, `k` classes, penalty `l2 / 2 · ‖W‖²`
/// (intercepts not penalised).
pub(super) struct Objective<'x, 'y> {
    pub x: ArrayView2<'x, f64>,
    pub y: &'y [usize],
    pub k: usize,
    pub l2: f64,
}

/// The objective at one point: what the solver needs there.
pub(super) struct Point {
    pub loss: f64,
    pub grad: Vec<f64>,
    /// The softmax probabilities, `n × k` row-major: the Hessian at this point.
    pub proba: Vec<f64>,
}

impl Objective<'_, '_> {
    /// The loss, its gradient and the probabilities at `theta`.
    pub fn eval(&self, theta: &[f64]) -> Point {
        let (k, d) = (self.k, self.x.ncols());
        let (w_flat, b) = theta.split_at(k * d);
        let Ok(w) = ArrayView2::from_shape((k, d), w_flat) else {
            // θ always has k·(d + 1) entries (made in `fit`); a NaN loss rejects the step.
            return Point {
                loss: f64::NAN,
                grad: vec![f64::NAN; theta.len()],
                proba: Vec::new(),
            };
        };
        let mut z = logits(self.x, w, ArrayView1::from(b));
        let mut loss = 0.0;
        let mut proba = Vec::with_capacity(z.len());
        for_each_row(&mut z, |i, row| {
            let Some(&label) = self.y.get(i) else { return };
            let z_label = row[label];
            // One exponential per entry: p = e^(z − m) / Σ e^(z − m), and the log-sum-exp
            // from the same sum.
            let (m, sum) = softmax_row(row);
            loss += m + sum.ln() - z_label;
            proba.extend_from_slice(row);
            row[label] -= 1.0;
        });
        // z now holds P − Y: the gradient is `Rᵀ X + l2 W`, then the column sums of R.
        let mut grad = penalised(&residuals_times(&z, self.x), w_flat, self.l2);
        grad.extend(column_sums(&mut z));
        loss += 0.5 * self.l2 * w_flat.iter().map(|v| v * v).sum::<f64>();
        Point { loss, grad, proba }
    }

    /// `H v` at the point whose probabilities are `proba`: per row, with `u = V xᵢ + v_b`,
    /// the data term is `xᵢ ⊗ (p ⊙ u − p (p · u))` (the softmax's Jacobian times `u`).
    pub fn hess_vec(&self, proba: &[f64], v: &[f64]) -> Vec<f64> {
        let (k, d) = (self.k, self.x.ncols());
        let (v_w, v_b) = v.split_at(k * d);
        let Ok(vw) = ArrayView2::from_shape((k, d), v_w) else {
            return vec![f64::NAN; v.len()];
        };
        let mut u = logits(self.x, vw, ArrayView1::from(v_b));
        for_each_row(&mut u, |i, row| {
            let p = &proba[i * k..(i + 1) * k];
            let pu: f64 = p.iter().zip(row.iter()).map(|(p, u)| p * u).sum();
            for (u, p) in row.iter_mut().zip(p) {
                *u = p * (*u - pu);
            }
        });
        let mut hv = penalised(&residuals_times(&u, self.x), v_w, self.l2);
        hv.extend(column_sums(&mut u));
        hv
    }

    /// The Hessian's diagonal at `proba`: `Σᵢ pᵢc (1 − pᵢc) xᵢⱼ² + l2` for the weights, without
    /// the penalty for the intercepts. `x_squared` is `x ⊙ x`.
    pub fn hess_diag(&self, proba: &[f64], x_squared: ArrayView2<f64>) -> Vec<f64> {
        let k = self.k;
        let mut curv = Array2::from_shape_fn((self.x.nrows(), k), |(i, c)| {
            let p = proba[i * k + c];
            p * (1.0 - p)
        });
        let data = residuals_times(&curv, x_squared);
        let mut diag: Vec<f64> = data.iter().map(|v| v + self.l2).collect();
        diag.extend(column_sums(&mut curv));
        diag
    }
}

/// `data + l2 · w` entry by entry, as a flat vector.
fn penalised(data: &Array2<f64>, w: &[f64], l2: f64) -> Vec<f64> {
    data.iter().zip(w).map(|(r, w)| r + w * l2).collect()
}

/// The column sums of `z`, row after row.
fn column_sums(z: &mut Array2<f64>) -> Vec<f64> {
    let mut sums = vec![0.0; z.ncols()];
    for_each_row(z, |_, row| {
        for (sum, v) in sums.iter_mut().zip(row.iter()) {
            *sum += v;
        }
    });
    sums
}

/// `f(i, row i)` for every row of `z`, as plain slices: ndarray's per-row views cost more than a
/// short row's arithmetic in wasm. `z` is always a fresh row-major product here; any other layout
/// is made row-major first.
pub(super) fn for_each_row(z: &mut Array2<f64>, mut f: impl FnMut(usize, &mut [f64])) {
    let k = z.ncols();
    if !z.is_standard_layout() {
        *z = z.as_standard_layout().into_owned();
    }
    if let (Some(all), true) = (z.as_slice_mut(), k > 0) {
        for (i, row) in all.chunks_exact_mut(k).enumerate() {
            f(i, row);
        }
    }
}

/// The softmax of one row in place; answers its maximum `m` and `Σ e^(z − m)`. The same
/// operations, in the same order, as ndarray's `fold` / `sum` / `/=` on the row.
pub(super) fn softmax_row(row: &mut [f64]) -> (f64, f64) {
    let m = super::super::simd::row_max(row);
    let sum = super::super::simd::exp_shifted(row, m);
    super::super::simd::divide(row, sum);
    (m, sum)
}

/// `X Wᵀ + b`. In the wasm worker (built with `simd128`) by [`super::super::simd`]'s kernels,
/// because ndarray's `dot` is scalar there; elsewhere by ndarray.
pub(super) fn logits(x: ArrayView2<f64>, w: ArrayView2<f64>, b: ArrayView1<f64>) -> Array2<f64> {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use super::super::simd;
        let bias: Vec<f64> = b.to_vec();
        let mut z = Array2::zeros((x.nrows(), w.nrows()));
        if simd::logits_into(x, &simd::Packed::new(w, &bias), z.view_mut()) {
            return z;
        }
    }
    let mut z = x.dot(&w.t());
    z += &b;
    z
}

/// `Rᵀ X` for residuals `R` (`n × k`): the gradient's data term. Same choice as [`logits`].
fn residuals_times(r: &Array2<f64>, x: ArrayView2<f64>) -> Array2<f64> {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let mut g = Array2::zeros((r.ncols(), x.ncols()));
        if super::super::simd::gradient_into(r.view(), x, g.view_mut()) {
            return g;
        }
    }
    r.t().dot(&x)
}

/// The largest `|v|`, NaNs ignored (`f64::max` folded, as a comparison: see `simd::larger`).
pub(super) fn inf_norm(v: &[f64]) -> f64 {
    v.iter()
        .fold(0.0, |a, x| super::super::simd::larger(a, x.abs()))
}

/// `Σ aᵢ bᵢ` in ndarray's order ([`super::super::simd::ndarray_sum`]), without ndarray's
/// per-call cost in wasm (element-by-element closures), which the solver's vector steps would
/// pay on every conjugate-gradient step.
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    super::super::simd::ndarray_sum(n, |i| a[i] * b[i])
}
