//! Multinomial (softmax) logistic regression with L2 regularization, fitted by a trust-region
//! Newton method.
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
//! not labeled yet) so probabilities have a fixed width.
//!
//! | file | what lives there |
//! |---|---|
//! | `objective.rs` | the loss, its gradient, Hessian-vector products and the Hessian's diagonal |
//! | `newton.rs` | the solver: trust-region Newton with conjugate gradients (liblinear's TRON) |
//! | `lbfgs.rs` | the previous solver, L-BFGS, for the tests only (an independent route to the optimum) |
//!
//! Why Newton: after one more label the optimum moves very little, and from there Newton's
//! steps converge quadratically, where L-BFGS needed ~78 iterations at the default tolerance.
//! Correctness is proven against scikit-learn's probabilities (see the tests and
//! `scripts/sklearn_reference.py`) and against L-BFGS's optimum.

#[cfg(test)]
mod lbfgs;
mod newton;
mod objective;

use super::{nan_matrix, validate_training, Classifier, ModelError};
use ndarray::{Array1, Array2, ArrayView2};
use objective::{for_each_row, logits, softmax_row, Objective};
use serde::{Deserialize, Serialize};

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

    /// Most Newton iterations (trust-region steps) per fit.
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
    /// What the fit did.
    #[serde(default)]
    pub stats: FitStats,
}

/// What one fit did, for the benches and the tests: the solver's work in its own units.
///
/// An evaluation is one loss and gradient (two products of the rows plus an exponential per row
/// and class); a Hessian-vector product is the same two products without the exponentials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FitStats {
    /// Newton iterations (trust-region steps tried, accepted or not).
    pub iterations: usize,
    /// Hessian-vector products (conjugate-gradient steps).
    pub hessian_products: usize,
    /// Loss-and-gradient evaluations.
    pub evaluations: usize,
    /// Whether the gradient tolerance was reached within `max_iter`.
    pub converged: bool,
}

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
        let (theta, stats) = newton::minimise(
            &objective,
            theta,
            params.max_iter,
            params.tol * y.len() as f64,
        );
        let coef = Array2::from_shape_fn((k, d), |(i, j)| theta[i * d + j]);
        Ok(LogisticRegression {
            coef,
            intercept: Array1::from(theta[k * d..].to_vec()),
            stats,
        })
    }
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
mod tests;
