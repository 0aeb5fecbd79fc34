//! Multinomial (softmax) logistic regression with L2 regularization, fitted by L-BFGS.
//!
//! Objective, as scikit-learn's `LogisticRegression(C)` minimises it (intercepts not penalised):
//!
//! ```text
//! f(W, b) = Σᵢ −log softmax(W xᵢ + b)[yᵢ]  +  1/(2C) · ‖W‖²
//! ```
//!
//! With two classes scikit-learn fits a single weight vector `w = w₁ − w₀`; the symmetric softmax
//! solution has `w₀ = −w₁`, so we double the penalty (`1/C · ‖W‖²`) to reach the same optimum and
//! the same probabilities.
//!
//! Why hand-written rather than linfa-logistic: an active learning session refits after every
//! label, and the previous round's weights are an excellent starting point (warm start), which
//! linfa's API does not accept; we also need a model that keeps all dataset classes (even those
//! not labeled yet) so probabilities have a fixed width. The optimiser is a textbook L-BFGS
//! (Nocedal & Wright, Algorithm 7.4/7.5) with Armijo backtracking. Correctness is proven against
//! scikit-learn's probabilities (see the tests and `scripts/sklearn_reference.py`), and the gain of
//! warm starting is shown by the `warm_start_needs_fewer_iterations` test.

use super::linalg::axpy;
use super::{nan_matrix, validate_training, Classifier, ModelError};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Hyperparameters of [`LogisticRegression`], unchecked.
///
/// ```
/// use engine::models::logistic::LogisticParams;
/// let checked = LogisticParams::default().c(0.5).max_iter(200).check().unwrap();
/// assert!(LogisticParams::default().c(-1.0).check().is_err());
/// # let _ = checked;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogisticParams {
    c: f64,
    max_iter: usize,
    tol: f64,
}

impl Default for LogisticParams {
    fn default() -> Self {
        Self {
            c: 1.0,
            max_iter: 1000,
            tol: 1e-7,
        }
    }
}

impl LogisticParams {
    /// Inverse regularization strength (scikit-learn's `C`); larger means less regularization.
    pub fn c(mut self, c: f64) -> Self {
        self.c = c;
        self
    }

    /// The inverse regularization strength `C` (for display).
    pub fn c_value(&self) -> f64 {
        self.c
    }

    /// Most L-BFGS iterations per fit.
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// Stop when the largest gradient component of the mean loss is below this.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Validate the hyperparameters.
    pub fn check(self) -> Result<CheckedLogistic, ModelError> {
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(ModelError::InvalidC { c: self.c });
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(ModelError::InvalidTolerance { tol: self.tol });
        }
        if self.max_iter == 0 {
            return Err(ModelError::InvalidMaxIter {
                max_iter: self.max_iter,
            });
        }
        Ok(CheckedLogistic(self))
    }
}

/// Validated hyperparameters: the only way to fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckedLogistic(LogisticParams);

/// A fitted multinomial logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticRegression {
    /// `n_classes × n_features` weights.
    pub coef: Array2<f64>,
    /// One intercept per class.
    pub intercept: Array1<f64>,
    /// L-BFGS iterations the fit took.
    pub n_iter: usize,
    /// Whether the gradient tolerance was reached within `max_iter`.
    pub converged: bool,
}

/// Number of (s, y) pairs L-BFGS remembers.
const MEMORY: usize = 10;

impl CheckedLogistic {
    /// Fit on rows `x` with labels `y` in `0..n_classes`, starting from `warm` when its shape fits.
    ///
    /// ```
    /// use ndarray::array;
    /// use engine::models::{Classifier, logistic::LogisticParams};
    /// let x = array![[-2.0], [-1.0], [1.0], [2.0]];
    /// let model = LogisticParams::default().check().unwrap().fit(x.view(), &[0, 0, 1, 1], 2, None).unwrap();
    /// assert_eq!(model.predict(x.view()), vec![0, 0, 1, 1]);
    /// ```
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        n_classes: usize,
        warm: Option<&LogisticRegression>,
    ) -> Result<LogisticRegression, ModelError> {
        let params = self.0;
        validate_training(x, y, n_classes)?;
        let d = x.ncols();
        let k = n_classes;
        let mut theta = vec![0.0; k * (d + 1)];
        if let Some(w) = warm.filter(|w| w.coef.dim() == (k, d) && w.intercept.len() == k) {
            for (dst, &v) in theta.iter_mut().zip(w.coef.iter().chain(&w.intercept)) {
                *dst = v;
            }
        }
        let l2 = if k == 2 {
            2.0 / params.c
        } else {
            1.0 / params.c
        };
        let objective = Objective { x, y, k, l2 };
        let (theta, n_iter, converged) = lbfgs(
            &objective,
            theta,
            params.max_iter,
            params.tol * y.len() as f64,
        );
        let coef = Array2::from_shape_fn((k, d), |(i, j)| theta[i * d + j]);
        Ok(LogisticRegression {
            coef,
            intercept: Array1::from(theta[k * d..].to_vec()),
            n_iter,
            converged,
        })
    }
}

/// The penalised cross-entropy and its gradient.
struct Objective<'x, 'y> {
    x: ArrayView2<'x, f64>,
    y: &'y [usize],
    k: usize,
    l2: f64,
}

impl Objective<'_, '_> {
    fn eval(&self, theta: &[f64]) -> (f64, Vec<f64>) {
        let (k, d) = (self.k, self.x.ncols());
        let (w_flat, b) = theta.split_at(k * d);
        let Ok(w) = ArrayView2::from_shape((k, d), w_flat) else {
            // θ always has k·(d + 1) entries (made in `fit`); a NaN loss stops the line search.
            return (f64::NAN, vec![f64::NAN; theta.len()]);
        };
        let mut z = logits(self.x, w, ArrayView1::from(b));
        let mut loss = 0.0;
        for_each_row(&mut z, |i, row| {
            let Some(&label) = self.y.get(i) else { return };
            let z_label = row[label];
            // One exponential per entry: p = e^(z − m) / Σ e^(z − m), and the log-sum-exp
            // from the same sum.
            let (m, sum) = softmax_row(row);
            loss += m + sum.ln() - z_label;
            row[label] -= 1.0;
        });
        // z now holds P − Y. The gradient: `Rᵀ X + l2 W`, then the column sums of R (each in
        // ndarray's order: `r + (w l2)`, and `sum_axis(Axis(0))` adds the rows one by one), on
        // slices, because ndarray's element-by-element closures are slow in wasm.
        let data_term = residuals_times(&z, self.x);
        let mut grad: Vec<f64> = data_term
            .iter()
            .zip(w.iter())
            .map(|(r, w)| r + w * self.l2)
            .collect();
        let mut grad_b = vec![0.0; k];
        for_each_row(&mut z, |_, row| {
            for (sum, v) in grad_b.iter_mut().zip(row.iter()) {
                *sum += v;
            }
        });
        grad.extend(grad_b);
        loss += 0.5 * self.l2 * w.iter().map(|v| v * v).sum::<f64>();
        (loss, grad)
    }
}

/// `f(i, row i)` for every row of `z`, as plain slices: ndarray's per-row views cost more than a
/// short row's arithmetic in wasm. `z` is always a fresh row-major product here; any other layout
/// is made row-major first.
fn for_each_row(z: &mut Array2<f64>, mut f: impl FnMut(usize, &mut [f64])) {
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
fn softmax_row(row: &mut [f64]) -> (f64, f64) {
    let m = super::simd::row_max(row);
    let sum = super::simd::exp_shifted(row, m);
    super::simd::divide(row, sum);
    (m, sum)
}

/// `X Wᵀ + b`. In the wasm worker (built with `simd128`) by [`super::simd`]'s kernels, because
/// ndarray's `dot` is scalar there; elsewhere by ndarray.
fn logits(x: ArrayView2<f64>, w: ArrayView2<f64>, b: ArrayView1<f64>) -> Array2<f64> {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let bias: Vec<f64> = b.to_vec();
        let mut z = Array2::zeros((x.nrows(), w.nrows()));
        if super::simd::logits_into(x, &super::simd::Packed::new(w, &bias), z.view_mut()) {
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
        if super::simd::gradient_into(r.view(), x, g.view_mut()) {
            return g;
        }
    }
    r.t().dot(&x)
}

/// The largest `|v|`, NaNs ignored (`f64::max` folded, as a comparison: see `simd::larger`).
fn inf_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |a, x| super::simd::larger(a, x.abs()))
}

/// `Σ aᵢ bᵢ` with `Array1::dot`'s bits ([`super::simd::ndarray_sum`]'s order), without
/// ndarray's per-call cost in wasm (element-by-element closures), which L-BFGS's vector steps
/// would pay on every iteration of a fit.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    super::simd::ndarray_sum(n, |i| a[i] * b[i])
}

/// `a − b` entry by entry.
fn minus(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(a, b)| a - b).collect()
}

/// Minimise with L-BFGS; returns the point, the iterations used and whether `tol` was reached.
fn lbfgs(
    f: &Objective<'_, '_>,
    mut theta: Vec<f64>,
    max_iter: usize,
    tol: f64,
) -> (Vec<f64>, usize, bool) {
    let (mut value, mut grad) = f.eval(&theta);
    let mut memory: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::with_capacity(MEMORY);
    for iter in 0..max_iter {
        if inf_norm(&grad) <= tol {
            return (theta, iter, true);
        }
        // Two-loop recursion: direction = −H·grad.
        let mut q = grad.clone();
        let mut alphas = Vec::with_capacity(memory.len());
        for (s, y, rho) in memory.iter().rev() {
            let a = rho * dot(s, &q);
            axpy(&mut q, -a, y);
            alphas.push(a);
        }
        let scale = match memory.back() {
            Some((s, y, _)) => dot(s, y) / dot(y, y),
            None => 1.0 / (1.0 + dot(&grad, &grad).sqrt()),
        };
        q.iter_mut().for_each(|v| *v *= scale);
        for ((s, y, rho), a) in memory.iter().zip(alphas.iter().rev()) {
            let bta = rho * dot(y, &q);
            axpy(&mut q, a - bta, s);
        }
        let mut direction: Vec<f64> = q.iter().map(|v| -v).collect();
        let mut slope = dot(&grad, &direction);
        if slope >= 0.0 {
            memory.clear();
            direction = grad.iter().map(|v| -v).collect();
            slope = dot(&grad, &direction);
        }
        // Armijo backtracking from a unit step.
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let candidate: Vec<f64> = theta
                .iter()
                .zip(&direction)
                .map(|(t, d)| t + d * step)
                .collect();
            let (v, g) = f.eval(&candidate);
            if v.is_finite() && v <= value + 1e-4 * step * slope {
                accepted = Some((candidate, v, g));
                break;
            }
            step *= 0.5;
        }
        let Some((next, next_value, next_grad)) = accepted else {
            // No decrease is representable any more: we are at the optimum to machine precision.
            return (theta, iter, inf_norm(&grad) <= tol);
        };
        let s = minus(&next, &theta);
        let y = minus(&next_grad, &grad);
        let sy = dot(&s, &y);
        if sy > 1e-12 * dot(&y, &y).max(f64::MIN_POSITIVE) {
            if memory.len() == MEMORY {
                memory.pop_front();
            }
            memory.push_back((s, y, 1.0 / sy));
        }
        theta = next;
        value = next_value;
        grad = next_grad;
    }
    let converged = inf_norm(&grad) <= tol;
    (theta, max_iter, converged)
}

impl Classifier for LogisticRegression {
    fn n_classes(&self) -> usize {
        self.coef.nrows()
    }

    fn n_features(&self) -> Option<usize> {
        Some(self.coef.ncols())
    }

    fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        if x.ncols() != self.coef.ncols() || self.intercept.len() != self.coef.nrows() {
            return nan_matrix(x.nrows(), self.coef.nrows());
        }
        let mut z = logits(x, self.coef.view(), self.intercept.view());
        for_each_row(&mut z, |_, row| {
            softmax_row(row);
        });
        z
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::scale::Standardizer;
    use crate::testing::{bundled, iris, reference_as};
    use ndarray::Axis;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Deserialize)]
    struct Reference {
        datasets: BTreeMap<String, RefDataset>,
    }
    #[derive(Deserialize)]
    struct RefDataset {
        classes: Vec<String>,
        cases: Vec<RefCase>,
    }
    #[derive(Deserialize)]
    struct RefCase {
        name: String,
        train_rows: Vec<usize>,
        proba: Vec<Vec<f64>>,
    }

    /// Largest absolute difference to scikit-learn's probabilities, over every case of a dataset.
    fn max_deviation(name: &str) -> f64 {
        let reference: Reference = reference_as("logistic");
        let r = &reference.datasets[name];
        let data = bundled(name);
        assert_eq!(data.class_names, r.classes);
        let x = Standardizer::fit(data.features.view(), &[]).transform(data.features.view());
        let model = LogisticParams::default().tol(1e-9).check().unwrap();
        let mut worst = 0.0_f64;
        for case in &r.cases {
            let xs = x.select(Axis(0), &case.train_rows);
            let ys: Vec<usize> = case
                .train_rows
                .iter()
                .map(|&i| data.known_labels[i].unwrap())
                .collect();
            let fitted = model.fit(xs.view(), &ys, data.n_classes(), None).unwrap();
            assert!(
                fitted.converged,
                "{name}/{} did not converge in {} iterations",
                case.name, fitted.n_iter
            );
            let p = fitted.predict_proba(x.view());
            for (row, want) in p.rows().into_iter().zip(&case.proba) {
                for (a, b) in row.iter().zip(want) {
                    worst = worst.max((a - b).abs());
                }
            }
        }
        worst
    }

    #[test]
    fn matches_scikit_learn_on_iris() {
        let dev = max_deviation("iris");
        eprintln!("max |p - p_sklearn| = {dev:e}");
        assert!(dev < 1e-6, "max |p - p_sklearn| = {dev}");
    }

    #[test]
    fn matches_scikit_learn_on_wine() {
        let dev = max_deviation("wine");
        eprintln!("max |p - p_sklearn| = {dev:e}");
        assert!(dev < 1e-6, "max |p - p_sklearn| = {dev}");
    }

    #[test]
    fn matches_scikit_learn_on_binary_breast_cancer() {
        let dev = max_deviation("breast_cancer");
        eprintln!("max |p - p_sklearn| = {dev:e}");
        assert!(dev < 1e-6, "max |p - p_sklearn| = {dev}");
    }

    /// L-BFGS's slice steps give ndarray's bits (`dot` in `unrolled_dot`'s order, `axpy` as
    /// `scaled_add`, and `simd::ndarray_sum` as `sum`), every length from 0 to 40 (the eight-sum
    /// body and each tail length), so moving the optimiser off ndarray changed no fit. Checked to
    /// fail with the partial sums joined in another order.
    #[test]
    fn slice_steps_equal_ndarray() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        };
        for n in 0..=40 {
            let a: Array1<f64> = (0..n).map(|i| next() * 10f64.powi(i % 7 - 3)).collect();
            let b: Array1<f64> = (0..n).map(|_| next()).collect();
            let (sa, sb) = (a.as_slice().unwrap(), b.as_slice().unwrap());
            assert_eq!(
                dot(sa, sb).to_bits(),
                a.dot(&b).to_bits(),
                "dot, {n} entries"
            );
            let sum = super::super::simd::ndarray_sum(sa.len(), |i| sa[i]);
            assert_eq!(sum.to_bits(), a.sum().to_bits(), "sum, {n} entries");
            let mut y = a.clone();
            y.scaled_add(-0.37, &b);
            let mut ys = sa.to_vec();
            axpy(&mut ys, -0.37, sb);
            assert!(
                ys.iter().zip(&y).all(|(p, q)| p.to_bits() == q.to_bits()),
                "axpy, {n}"
            );
        }
    }

    #[test]
    fn warm_start_needs_fewer_iterations() {
        let data = iris();
        let x = Standardizer::fit(data.features.view(), &[]).transform(data.features.view());
        let y: Vec<usize> = data.known_labels.iter().map(|l| l.unwrap()).collect();
        let model = LogisticParams::default().check().unwrap();
        let rows: Vec<usize> = (0..150).step_by(3).collect();
        let first = model
            .fit(
                x.select(Axis(0), &rows).view(),
                &rows.iter().map(|&r| y[r]).collect::<Vec<_>>(),
                3,
                None,
            )
            .unwrap();
        let more: Vec<usize> = rows.iter().copied().chain([1, 51, 101]).collect();
        let xm = x.select(Axis(0), &more);
        let ym: Vec<usize> = more.iter().map(|&r| y[r]).collect();
        let cold = model.fit(xm.view(), &ym, 3, None).unwrap();
        let warm = model.fit(xm.view(), &ym, 3, Some(&first)).unwrap();
        assert!(cold.converged && warm.converged);
        assert!(
            warm.n_iter < cold.n_iter,
            "warm {} vs cold {} iterations",
            warm.n_iter,
            cold.n_iter
        );
        let diff = (&warm.predict_proba(x.view()) - &cold.predict_proba(x.view()))
            .iter()
            .fold(0.0_f64, |a, v| a.max(v.abs()));
        assert!(diff < 1e-4, "warm and cold fits differ by {diff}");
    }

    #[test]
    fn refuses_bad_input_with_numbers() {
        let m = LogisticParams::default().check().unwrap();
        let x = ndarray::array![[1.0], [f64::NAN]];
        assert_eq!(
            m.fit(x.view(), &[0, 1], 2, None),
            Err(ModelError::NonFinite { row: 1 })
        );
        assert_eq!(
            m.fit(x.view(), &[0], 2, None).unwrap_err().to_string(),
            "2 feature rows but 1 labels: they must match"
        );
        assert_eq!(
            m.fit(x.view(), &[0, 5], 2, None).unwrap_err().to_string(),
            "label 5 is out of range for 2 classes"
        );
        assert_eq!(
            LogisticParams::default()
                .c(0.0)
                .check()
                .unwrap_err()
                .to_string(),
            "the regularization strength C must be a positive finite number, got 0"
        );
    }

    #[test]
    fn copes_with_a_single_labeled_class() {
        // All labels equal: the optimum pushes the other classes' intercepts down until their
        // probability is below the tolerance; the fit must still converge and stay finite.
        let x = ndarray::array![[-1.0, 0.5], [0.3, 2.0], [1.2, -0.7]];
        let m = LogisticParams::default().check().unwrap();
        for n_classes in [2, 3] {
            let fitted = m.fit(x.view(), &[1, 1, 1], n_classes, None).unwrap();
            assert!(fitted.converged, "{n_classes} classes: {}", fitted.n_iter);
            assert!(fitted
                .coef
                .iter()
                .chain(&fitted.intercept)
                .all(|v| v.is_finite()));
            let far = ndarray::array![[-50.0, 40.0], [0.0, 0.0], [1e3, -1e3]];
            let p = fitted.predict_proba(far.view());
            assert!(p.iter().all(|v| v.is_finite()));
            assert_eq!(fitted.predict(far.view()), vec![1, 1, 1]);
            assert!(p.column(1).iter().all(|&v| v > 0.999), "{p}");
        }
    }

    #[test]
    fn warm_start_from_a_model_that_never_saw_a_class() {
        let data = iris();
        let x = Standardizer::fit(data.features.view(), &[]).transform(data.features.view());
        let y: Vec<usize> = data.known_labels.iter().map(|l| l.unwrap()).collect();
        let m = LogisticParams::default().check().unwrap();
        // Round 1: classes 0 and 1 only (class 2 has no rows); round 0: class 0 only.
        let only0: Vec<usize> = vec![0, 3, 7];
        let two: Vec<usize> = vec![0, 3, 7, 50, 55, 60];
        let all: Vec<usize> = vec![0, 3, 7, 50, 55, 60, 100, 105];
        let fit = |rows: &[usize], warm: Option<&LogisticRegression>| {
            let ys: Vec<usize> = rows.iter().map(|&r| y[r]).collect();
            m.fit(x.select(Axis(0), rows).view(), &ys, 3, warm).unwrap()
        };
        let r0 = fit(&only0, None);
        let r1 = fit(&two, Some(&r0));
        assert!(r1
            .predict_proba(x.view())
            .column(2)
            .iter()
            .all(|&p| p < 1e-5));
        let warm = fit(&all, Some(&r1));
        let cold = fit(&all, None);
        assert!(warm.converged && cold.converged);
        let diff = (&warm.predict_proba(x.view()) - &cold.predict_proba(x.view()))
            .iter()
            .fold(0.0_f64, |a, v| a.max(v.abs()));
        assert!(diff < 1e-5, "warm and cold fits differ by {diff}");
        assert_eq!(
            warm.predict(x.select(Axis(0), &all).view()),
            vec![0, 0, 0, 1, 1, 1, 2, 2]
        );
    }

    #[test]
    fn copes_with_a_class_not_labeled_yet() {
        let x = ndarray::array![[-1.0, 0.0], [1.0, 0.0]];
        let m = LogisticParams::default().check().unwrap();
        let fitted = m.fit(x.view(), &[0, 1], 3, None).unwrap();
        let p = fitted.predict_proba(x.view());
        assert!(p.iter().all(|v| v.is_finite()));
        assert!(p[[0, 0]] > p[[0, 2]] && p[[1, 1]] > p[[1, 2]]);
    }
}
