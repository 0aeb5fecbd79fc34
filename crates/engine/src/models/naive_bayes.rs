//! Gaussian naive Bayes, as scikit-learn's `GaussianNB` computes it.
//!
//! Each class `k` models every feature `j` as an independent normal distribution with the class
//! mean `θₖⱼ` and the class (population) variance plus a smoothing term `ε`:
//!
//! ```text
//! ε        = var_smoothing · maxⱼ Var(x·ⱼ)            (over all training rows)
//! σ²ₖⱼ     = Var(xᵢⱼ | yᵢ = k) + ε
//! log p(k | x) = log πₖ − ½ Σⱼ log(2π σ²ₖⱼ) − ½ Σⱼ (xⱼ − θₖⱼ)² / σ²ₖⱼ  − log Z(x)
//! ```
//!
//! with priors `πₖ` = class share of the training rows, or the given `priors`. Source: the
//! textbook model (e.g. Hastie, Tibshirani & Friedman, *The Elements of Statistical Learning*,
//! §6.6.3) in scikit-learn's formulation (`sklearn.naive_bayes.GaussianNB`, version 1.5), which the
//! tests match within 1e-6 (`tests/models.rs`, `tests/reference/gaussian_nb.json`).
//!
//! Differences from scikit-learn, all for the active learning setting:
//!
//! - **Classes without labeled rows** are kept: they have no mean or variance, so they get
//!   probability 0 (prior 0) whatever `priors` says; scikit-learn only knows the classes it saw.
//!   The probabilities always have `n_classes` columns.
//! - When every feature is constant over the training rows (e.g. a single labeled row), the
//!   largest variance is 0 and scikit-learn divides by zero; here `ε = var_smoothing · 1`.
//! - `var_smoothing` must be positive (scikit-learn accepts 0, which divides by zero on a constant
//!   feature).
//!
//! With one labeled row per class every class variance is just `ε`, so the model degenerates to a
//! nearest-mean rule with probabilities near 0 and 1 (as scikit-learn's does).

use super::{nan_matrix, validate_training, Classifier, ModelError};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

/// How far the given priors may sum from 1 (scikit-learn's `np.isclose`: 1e-8 + 1e-5 · 1).
const PRIOR_SUM_TOLERANCE: f64 = 1e-8 + 1e-5;

/// Hyperparameters of [`GaussianNb`], unchecked.
///
/// ```
/// use engine::models::naive_bayes::GaussianNbParams;
/// assert!(GaussianNbParams::default().check().is_ok());
/// assert!(GaussianNbParams::default().priors(vec![0.5, 0.6]).check().is_err());
/// assert!(GaussianNbParams::default().var_smoothing(0.0).check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GaussianNbParams {
    /// Share of the largest feature variance added to every class variance (default 1e-9).
    pub var_smoothing: f64,
    /// Fixed class priors (one per dataset class, summing to 1), or `None` for the class shares of
    /// the labeled rows.
    pub priors: Option<Vec<f64>>,
}

impl Default for GaussianNbParams {
    fn default() -> Self {
        Self {
            var_smoothing: 1e-9,
            priors: None,
        }
    }
}

impl GaussianNbParams {
    /// Set [`GaussianNbParams::var_smoothing`].
    pub fn var_smoothing(mut self, var_smoothing: f64) -> Self {
        self.var_smoothing = var_smoothing;
        self
    }

    /// Set fixed class priors.
    pub fn priors(mut self, priors: Vec<f64>) -> Self {
        self.priors = Some(priors);
        self
    }

    /// Validate: `var_smoothing` positive and finite; priors finite, ≥ 0 and summing to 1 (their
    /// number is checked against the classes at fit time).
    pub fn check(&self) -> Result<CheckedGaussianNb, ModelError> {
        if !(self.var_smoothing.is_finite() && self.var_smoothing > 0.0) {
            return Err(ModelError::InvalidVarSmoothing {
                var_smoothing: self.var_smoothing,
            });
        }
        if let Some(priors) = &self.priors {
            if let Some((class, &prior)) = priors
                .iter()
                .enumerate()
                .find(|(_, p)| !(p.is_finite() && **p >= 0.0))
            {
                return Err(ModelError::InvalidPrior { class, prior });
            }
            let sum: f64 = priors.iter().sum();
            if (sum - 1.0).abs() > PRIOR_SUM_TOLERANCE {
                return Err(ModelError::PriorsDoNotSumToOne { sum });
            }
        }
        Ok(CheckedGaussianNb(self.clone()))
    }
}

/// Validated hyperparameters: the only way to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedGaussianNb(GaussianNbParams);

/// A fitted Gaussian naive Bayes model over all dataset classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "GaussianNbData", into = "GaussianNbData")]
pub struct GaussianNb {
    theta: Array2<f64>,
    var: Array2<f64>,
    class_prior: Array1<f64>,
    class_count: Vec<usize>,
    epsilon: f64,
}

impl CheckedGaussianNb {
    /// Fit on rows `x` with labels `y` in `0..n_classes`.
    ///
    /// ```
    /// use ndarray::array;
    /// use engine::models::{Classifier, naive_bayes::GaussianNbParams};
    /// let x = array![[-2.0], [-1.5], [1.0], [2.0]];
    /// let model = GaussianNbParams::default().check().unwrap().fit(x.view(), &[0, 0, 1, 1], 3).unwrap();
    /// assert_eq!(model.predict(x.view()), vec![0, 0, 1, 1]);
    /// // Class 2 has no labeled rows: probability 0.
    /// assert!(model.predict_proba(x.view()).column(2).iter().all(|&p| p == 0.0));
    /// ```
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        n_classes: usize,
    ) -> Result<GaussianNb, ModelError> {
        validate_training(x, y, n_classes)?;
        let params = &self.0;
        let (n, d) = x.dim();
        let mut class_count = vec![0usize; n_classes];
        for &label in y {
            class_count[label] += 1;
        }
        let labeled = class_count.iter().filter(|&&c| c > 0).count();
        let class_prior = match &params.priors {
            Some(priors) => {
                if priors.len() != n_classes {
                    return Err(ModelError::PriorsLength {
                        len: priors.len(),
                        n_classes,
                    });
                }
                if priors
                    .iter()
                    .zip(&class_count)
                    .all(|(&p, &c)| c == 0 || p == 0.0)
                {
                    return Err(ModelError::PriorsExcludeLabeledClasses { labeled, n_classes });
                }
                Array1::from(priors.clone())
            }
            None => class_count.iter().map(|&c| c as f64 / n as f64).collect(),
        };
        // Largest feature variance over all rows (two-pass, population variance, as np.var).
        let all: Vec<usize> = (0..n).collect();
        let all_mean = column_means(x, &all);
        let max_var = (0..d)
            .map(|j| column_variance(x, &all, j, all_mean[j]))
            .fold(0.0_f64, f64::max);
        let epsilon = params.var_smoothing * if max_var > 0.0 { max_var } else { 1.0 };
        let mut theta = Array2::zeros((n_classes, d));
        let mut var = Array2::from_elem((n_classes, d), epsilon);
        for (k, &count) in class_count.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let rows: Vec<usize> = (0..n).filter(|&i| y[i] == k).collect();
            let mean = column_means(x, &rows);
            for j in 0..d {
                theta[[k, j]] = mean[j];
                var[[k, j]] = column_variance(x, &rows, j, mean[j]) + epsilon;
            }
        }
        Ok(GaussianNb {
            theta,
            var,
            class_prior,
            class_count,
            epsilon,
        })
    }
}

/// Mean of each column over `rows`, summed row by row (numpy's order for an axis-0 mean).
fn column_means(x: ArrayView2<f64>, rows: &[usize]) -> Vec<f64> {
    let mut sum = vec![0.0; x.ncols()];
    for &i in rows {
        for (s, v) in sum.iter_mut().zip(x.row(i)) {
            *s += v;
        }
    }
    let n = rows.len().max(1) as f64;
    sum.into_iter().map(|s| s / n).collect()
}

/// Population variance of column `j` over `rows` around `mean`.
fn column_variance(x: ArrayView2<f64>, rows: &[usize], j: usize, mean: f64) -> f64 {
    let n = rows.len().max(1) as f64;
    rows.iter()
        .map(|&i| {
            let dv = x[[i, j]] - mean;
            dv * dv
        })
        .sum::<f64>()
        / n
}

impl GaussianNb {
    /// Per-class feature means `θ` (`n_classes × n_features`; 0 for classes without rows).
    pub fn theta(&self) -> ArrayView2<'_, f64> {
        self.theta.view()
    }

    /// Per-class feature variances `σ²`, smoothing included (`ε` for classes without rows).
    pub fn var(&self) -> ArrayView2<'_, f64> {
        self.var.view()
    }

    /// The class priors used (given, or class shares of the labeled rows).
    pub fn class_prior(&self) -> ArrayView1<'_, f64> {
        self.class_prior.view()
    }

    /// Labeled rows per class; classes with 0 rows get probability 0.
    pub fn class_count(&self) -> &[usize] {
        &self.class_count
    }

    /// The smoothing `ε` added to every variance.
    pub fn epsilon(&self) -> f64 {
        self.epsilon
    }

    /// The joint log-likelihood `log πₖ + log p(x | k)` of every class (−∞ for classes without
    /// labeled rows or with prior 0), one row per row of `x`.
    ///
    /// ```
    /// use ndarray::array;
    /// use engine::models::naive_bayes::GaussianNbParams;
    /// let x = array![[0.0], [2.0]];
    /// let nb = GaussianNbParams::default().check().unwrap().fit(x.view(), &[0, 1], 2).unwrap();
    /// let jll = nb.joint_log_likelihood(array![[1.0]].view());
    /// assert!((jll[[0, 0]] - jll[[0, 1]]).abs() < 1e-9); // halfway: equal likelihoods
    /// ```
    pub fn joint_log_likelihood(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let (k, d) = self.theta.dim();
        if x.ncols() != d {
            return nan_matrix(x.nrows(), k);
        }
        let mut jll = Array2::from_elem((x.nrows(), k), f64::NEG_INFINITY);
        for c in 0..k {
            if self.class_count[c] == 0 {
                continue;
            }
            let log_prior = self.class_prior[c].ln();
            let var = self.var.row(c);
            let theta = self.theta.row(c);
            let norm = -0.5
                * var
                    .iter()
                    .map(|v| (2.0 * std::f64::consts::PI * v).ln())
                    .sum::<f64>();
            for (i, row) in x.rows().into_iter().enumerate() {
                let mut quad = 0.0;
                for ((xv, t), v) in row.iter().zip(theta).zip(var) {
                    let dv = xv - t;
                    quad += dv * dv / v;
                }
                jll[[i, c]] = log_prior + (norm - 0.5 * quad);
            }
        }
        jll
    }
}

impl Classifier for GaussianNb {
    fn n_classes(&self) -> usize {
        self.theta.nrows()
    }

    fn n_features(&self) -> Option<usize> {
        Some(self.theta.ncols())
    }

    /// `softmax` of [`GaussianNb::joint_log_likelihood`]. A row whose every likelihood underflows
    /// (values astronomically far from every class) gets the priors of the labeled classes.
    fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let mut p = self.joint_log_likelihood(x);
        if x.ncols() != self.theta.ncols() {
            return p;
        }
        for mut row in p.rows_mut() {
            let m = row.fold(f64::NEG_INFINITY, |a, &v| a.max(v));
            if m == f64::NEG_INFINITY {
                for (c, v) in row.iter_mut().enumerate() {
                    *v = if self.class_count[c] > 0 {
                        self.class_prior[c]
                    } else {
                        0.0
                    };
                }
                let sum = row.sum();
                row /= sum;
                continue;
            }
            let lse = m + row.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
            row.mapv_inplace(|v| (v - lse).exp());
        }
        p
    }
}

/// The serialized form of [`GaussianNb`], checked for consistency on the way in.
#[derive(Serialize, Deserialize)]
struct GaussianNbData {
    theta: Array2<f64>,
    var: Array2<f64>,
    class_prior: Array1<f64>,
    class_count: Vec<usize>,
    epsilon: f64,
}

impl From<GaussianNb> for GaussianNbData {
    fn from(m: GaussianNb) -> Self {
        Self {
            theta: m.theta,
            var: m.var,
            class_prior: m.class_prior,
            class_count: m.class_count,
            epsilon: m.epsilon,
        }
    }
}

impl TryFrom<GaussianNbData> for GaussianNb {
    type Error = ModelError;

    fn try_from(m: GaussianNbData) -> Result<Self, ModelError> {
        let k = m.theta.nrows();
        if m.var.dim() != m.theta.dim() || m.class_prior.len() != k || m.class_count.len() != k {
            return Err(ModelError::Corrupt {
                what: format!(
                    "naive Bayes with theta {:?}, var {:?}, {} priors and {} class counts",
                    m.theta.dim(),
                    m.var.dim(),
                    m.class_prior.len(),
                    m.class_count.len()
                ),
            });
        }
        Ok(Self {
            theta: m.theta,
            var: m.var,
            class_prior: m.class_prior,
            class_count: m.class_count,
            epsilon: m.epsilon,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn hand_computed_two_class_example() {
        // Class 0: x ∈ {0, 2} → θ = 1, var = 1; class 1: x ∈ {4, 6, 8} → θ = 6, var = 8/3.
        // Overall variance of {0,2,4,6,8} = 8, so ε = 1e-9 · 8.
        let x = array![[0.0], [2.0], [4.0], [6.0], [8.0]];
        let nb = GaussianNbParams::default()
            .check()
            .unwrap()
            .fit(x.view(), &[0, 0, 1, 1, 1], 2)
            .unwrap();
        let eps = 8e-9;
        assert!((nb.epsilon() - eps).abs() < 1e-20);
        assert_eq!(nb.theta(), array![[1.0], [6.0]]);
        assert!((nb.var()[[0, 0]] - (1.0 + eps)).abs() < 1e-15);
        assert!((nb.var()[[1, 0]] - (8.0 / 3.0 + eps)).abs() < 1e-15);
        assert_eq!(nb.class_prior(), array![0.4, 0.6]);
        // At x = 3: by hand.
        let (v0, v1) = (1.0 + eps, 8.0 / 3.0 + eps);
        let tau = 2.0 * std::f64::consts::PI;
        let l0 = 0.4_f64.ln() - 0.5 * (tau * v0).ln() - 0.5 * 4.0 / v0;
        let l1 = 0.6_f64.ln() - 0.5 * (tau * v1).ln() - 0.5 * 9.0 / v1;
        let p1 = 1.0 / (1.0 + (l0 - l1).exp());
        let p = nb.predict_proba(array![[3.0]].view());
        assert!((p[[0, 1]] - p1).abs() < 1e-15, "{} vs {p1}", p[[0, 1]]);
        assert!((p.sum() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn unlabeled_classes_get_probability_zero_even_with_a_prior() {
        let x = array![[0.0, 1.0], [1.0, 0.0], [0.2, 0.9]];
        let nb = GaussianNbParams::default()
            .priors(vec![0.2, 0.3, 0.5])
            .check()
            .unwrap()
            .fit(x.view(), &[0, 1, 0], 3)
            .unwrap();
        let p = nb.predict_proba(array![[0.5, 0.5], [9.0, -9.0]].view());
        assert_eq!(p.column(2).to_vec(), vec![0.0, 0.0]);
        for row in p.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-12);
        }
        assert_eq!(nb.class_count(), &[2, 1, 0]);
    }

    #[test]
    fn a_single_row_or_constant_features_do_not_divide_by_zero() {
        let x = array![[3.0, 3.0]];
        let nb = GaussianNbParams::default()
            .check()
            .unwrap()
            .fit(x.view(), &[1], 2)
            .unwrap();
        assert_eq!(nb.epsilon(), 1e-9);
        let p = nb.predict_proba(array![[3.0, 3.0], [100.0, -5.0]].view());
        assert_eq!(p, array![[0.0, 1.0], [0.0, 1.0]]);
        // Only one class labeled: every row is that class.
        let two = array![[1.0], [1.0]];
        let nb = GaussianNbParams::default()
            .check()
            .unwrap()
            .fit(two.view(), &[0, 0], 3)
            .unwrap();
        assert_eq!(nb.predict(array![[-4.0], [1.0]].view()), vec![0, 0]);
    }

    #[test]
    fn refuses_bad_priors_with_numbers() {
        let p = GaussianNbParams::default();
        assert_eq!(
            p.clone().priors(vec![0.5, -0.1, 0.6]).check(),
            Err(ModelError::InvalidPrior {
                class: 1,
                prior: -0.1
            })
        );
        assert_eq!(
            p.clone()
                .priors(vec![0.5, 0.6])
                .check()
                .unwrap_err()
                .to_string(),
            "the class priors must sum to 1 (within 1e-5), they sum to 1.1"
        );
        let x = array![[0.0], [1.0]];
        let checked = p.clone().priors(vec![0.5, 0.5]).check().unwrap();
        assert_eq!(
            checked.fit(x.view(), &[0, 1], 3),
            Err(ModelError::PriorsLength {
                len: 2,
                n_classes: 3
            })
        );
        let checked = p.priors(vec![0.0, 0.0, 1.0]).check().unwrap();
        assert_eq!(
            checked.fit(x.view(), &[0, 1], 3).unwrap_err().to_string(),
            "the priors give probability 0 to every labeled class (2 of 3 classes are labeled): \
             give a labeled class a positive prior"
        );
    }

    /// A model of one feature fitted on the rows 0, 1 (class 0) and 5 (class 1).
    fn three_rows() -> GaussianNb {
        GaussianNbParams::default()
            .check()
            .unwrap()
            .fit(array![[0.0], [1.0], [5.0]].view(), &[0, 0, 1], 2)
            .unwrap()
    }

    #[test]
    fn extreme_rows_and_wrong_widths_do_not_panic() {
        let nb = three_rows();
        let p = nb.predict_proba(array![[1e300], [-1e300]].view());
        assert!(p.iter().all(|v| v.is_finite()));
        assert!(nb.predict_proba(array![[1.0, 2.0]].view())[[0, 0]].is_nan());
        assert_eq!(
            nb.try_predict_proba(array![[1.0, 2.0]].view()),
            Err(ModelError::FeatureMismatch {
                expected: 1,
                found: 2
            })
        );
    }

    #[test]
    fn serde_round_trip_and_corrupt_input() {
        let nb = three_rows();
        let json = serde_json::to_string(&nb).unwrap();
        let back: GaussianNb = serde_json::from_str(&json).unwrap();
        assert_eq!(back.class_count(), nb.class_count());
        let x = array![[0.5], [3.0]];
        let diff = (&back.predict_proba(x.view()) - &nb.predict_proba(x.view()))
            .iter()
            .fold(0.0_f64, |a, v| a.max(v.abs()));
        assert!(diff < 1e-12);
        let broken = json.replace("\"class_count\":[2,1]", "\"class_count\":[2]");
        assert!(serde_json::from_str::<GaussianNb>(&broken).is_err());
    }
}
