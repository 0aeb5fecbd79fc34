//! Models: checked hyperparameters + labeled rows → a fitted model with class probabilities.
//!
//! Every estimator follows linfa's shape: a `Params` builder, `check()` that validates it into a
//! checked value, and `fit` that returns a fitted model. There is no "not fitted yet" state.
//!
//! | module | model | source |
//! |---|---|---|
//! | [`logistic`] | multinomial logistic regression, L2, trust-region Newton, warm start | scikit-learn `LogisticRegression` |
//! | [`naive_bayes`] | Gaussian naive Bayes | scikit-learn `GaussianNB` |
//! | [`knn`] | k-nearest neighbours, uniform or distance votes | scikit-learn `KNeighborsClassifier` |
//! | [`mlp`] | one-hidden-layer ReLU network, Adam, early stopping | scikit-learn `MLPClassifier` |
//! | [`committee`] | bootstrap committee of any of the above (query-by-committee) | Seung et al. 1992, Abe & Mamitsuka 1998 |
//!
//! [`ModelSpec`] names any of the four models with its hyperparameters (serde, so the UI and the
//! worker can switch models); [`ModelSpec::check`] gives a [`CheckedModel`] whose `fit` returns a
//! [`FittedModel`], which is a [`Classifier`].
//!
//! Every model keeps **all** dataset classes, labeled or not: probabilities always have
//! `n_classes` columns, and a class without labeled rows gets (close to) probability 0. Every fit
//! validates its input with [`validate_training`].

pub mod committee;
pub mod knn;
pub mod linalg;
pub mod logistic;
pub mod mlp;
pub mod naive_bayes;
pub mod simd;
mod spec;

pub use spec::{CheckedModel, FittedModel, ModelKind, ModelSpec};

use crate::EngineRng;
use ndarray::{Array2, ArrayView2};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// What a fitted classifier can do.
pub trait Classifier {
    /// Number of classes the probabilities cover.
    fn n_classes(&self) -> usize;

    /// One row of class probabilities (summing to 1) per row of `x`.
    ///
    /// `x` must have the number of columns the model was fitted on; the models of this module
    /// answer a matrix of NaN otherwise (use [`Classifier::try_predict_proba`] to get an error).
    fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64>;

    /// Number of feature columns the model was fitted on, when the model knows it.
    fn n_features(&self) -> Option<usize> {
        None
    }

    /// [`Classifier::predict_proba`], refusing rows of the wrong width with
    /// [`ModelError::FeatureMismatch`].
    ///
    /// ```
    /// use ndarray::array;
    /// use engine::models::{Classifier, ModelError, logistic::LogisticParams};
    /// let x = array![[-1.0], [1.0]];
    /// let model = LogisticParams::default().check().unwrap().fit(x.view(), &[0, 1], 2, None).unwrap();
    /// assert!(model.try_predict_proba(x.view()).is_ok());
    /// let wide = array![[1.0, 2.0]];
    /// assert_eq!(
    ///     model.try_predict_proba(wide.view()),
    ///     Err(ModelError::FeatureMismatch { expected: 1, found: 2 })
    /// );
    /// ```
    fn try_predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>, ModelError> {
        match self.n_features() {
            Some(expected) if expected != x.ncols() => Err(ModelError::FeatureMismatch {
                expected,
                found: x.ncols(),
            }),
            _ => Ok(self.predict_proba(x)),
        }
    }

    /// The most probable class of each row (lowest index on ties).
    fn predict(&self, x: ArrayView2<f64>) -> Vec<usize> {
        argmax_rows(self.predict_proba(x).view())
    }
}

/// Index of the largest value of each row (lowest index on ties).
///
/// ```
/// use ndarray::array;
/// use engine::models::argmax_rows;
/// assert_eq!(argmax_rows(array![[0.2, 0.8], [0.5, 0.5]].view()), vec![1, 0]);
/// ```
pub fn argmax_rows(p: ArrayView2<f64>) -> Vec<usize> {
    p.rows()
        .into_iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |best, (i, &v)| {
                    if v > best.1 {
                        (i, v)
                    } else {
                        best
                    }
                })
                .0
        })
        .collect()
}

/// Check the training input every model shares: at least 2 classes, at least one row, as many
/// labels as rows, labels in `0..n_classes`, and only finite feature values.
///
/// ```
/// use ndarray::array;
/// use engine::models::{validate_training, ModelError};
/// let x = array![[0.0, 1.0], [2.0, 3.0]];
/// assert_eq!(validate_training(x.view(), &[0, 1], 2), Ok(()));
/// assert_eq!(
///     validate_training(x.view(), &[0, 2], 2),
///     Err(ModelError::LabelOutOfRange { label: 2, n_classes: 2 })
/// );
/// ```
pub fn validate_training(
    x: ArrayView2<f64>,
    y: &[usize],
    n_classes: usize,
) -> Result<(), ModelError> {
    if n_classes < 2 {
        return Err(ModelError::TooFewClasses { n_classes });
    }
    if y.is_empty() {
        return Err(ModelError::NoRows);
    }
    if x.nrows() != y.len() {
        return Err(ModelError::LengthMismatch {
            x_rows: x.nrows(),
            y_len: y.len(),
        });
    }
    if let Some(&label) = y.iter().find(|&&l| l >= n_classes) {
        return Err(ModelError::LabelOutOfRange { label, n_classes });
    }
    if let Some(row) = x
        .rows()
        .into_iter()
        .position(|r| !r.iter().all(|v| v.is_finite()))
    {
        return Err(ModelError::NonFinite { row });
    }
    Ok(())
}

/// The values of `x` in row-major order, borrowed when `x` already is row-major.
pub(crate) fn row_major<'a>(x: &'a ArrayView2<'_, f64>) -> Cow<'a, [f64]> {
    match x.as_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(x.iter().copied().collect()),
    }
}

/// A uniform index in `0..n` (`n ≥ 1`), drawn the same way on 32- and 64-bit targets (a `usize`
/// range would draw a `u32` on wasm32 and a `u64` natively).
pub(crate) fn index_below(rng: &mut EngineRng, n: usize) -> usize {
    rng.gen_range(0..n.max(1) as u64) as usize
}

/// Fisher–Yates shuffle driven by [`index_below`], identical on every target.
pub(crate) fn shuffle(rng: &mut EngineRng, items: &mut [usize]) {
    for i in (1..items.len()).rev() {
        let j = index_below(rng, i + 1);
        items.swap(i, j);
    }
}

/// A `rows × cols` matrix of NaN: the answer to a question asked with the wrong number of columns.
pub(crate) fn nan_matrix(rows: usize, cols: usize) -> Array2<f64> {
    Array2::from_elem((rows, cols), f64::NAN)
}

/// Everything that can go wrong while checking hyperparameters or fitting a model.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum ModelError {
    /// Logistic regression: `C` is not a positive finite number.
    #[error("the regularization strength C must be a positive finite number, got {c}")]
    InvalidC { c: f64 },
    /// Logistic regression: the tolerance is not a positive finite number.
    #[error("the tolerance must be a positive finite number, got {tol}")]
    InvalidTolerance { tol: f64 },
    /// Logistic regression: `max_iter` is 0.
    #[error("max_iter must be at least 1, got {max_iter}")]
    InvalidMaxIter { max_iter: usize },
    /// Fewer than 2 classes.
    #[error("a model needs at least 2 classes, got {n_classes}")]
    TooFewClasses { n_classes: usize },
    /// No labeled rows.
    #[error("there are no labeled rows to fit on: label at least one sample")]
    NoRows,
    /// Feature rows and labels differ in number.
    #[error("{x_rows} feature rows but {y_len} labels: they must match")]
    LengthMismatch { x_rows: usize, y_len: usize },
    /// A label is not a class index.
    #[error("label {label} is out of range for {n_classes} classes")]
    LabelOutOfRange { label: usize, n_classes: usize },
    /// A feature value is NaN or infinite.
    #[error("row {row} has a value that is not a finite number")]
    NonFinite { row: usize },
    /// Rows to predict (or a warm start, or a stored model) have the wrong number of columns.
    #[error(
        "the model was fitted on {expected} feature columns but got {found}: use the same features"
    )]
    FeatureMismatch { expected: usize, found: usize },
    /// Naive Bayes: `var_smoothing` is not a positive finite number.
    #[error("var_smoothing must be a positive finite number, got {var_smoothing}")]
    InvalidVarSmoothing { var_smoothing: f64 },
    /// Naive Bayes: a prior is negative or not finite.
    #[error("the prior of class {class} must be a finite number ≥ 0, got {prior}")]
    InvalidPrior { class: usize, prior: f64 },
    /// Naive Bayes: the priors do not sum to 1.
    #[error("the class priors must sum to 1 (within 1e-5), they sum to {sum}")]
    PriorsDoNotSumToOne { sum: f64 },
    /// Naive Bayes: one prior per class is needed.
    #[error("{len} class priors were given for {n_classes} classes: give one per class")]
    PriorsLength { len: usize, n_classes: usize },
    /// Naive Bayes: every class that has labeled rows has prior 0.
    #[error(
        "the priors give probability 0 to every labeled class ({labeled} of {n_classes} classes \
         are labeled): give a labeled class a positive prior"
    )]
    PriorsExcludeLabeledClasses { labeled: usize, n_classes: usize },
    /// k-NN: `k` is 0.
    #[error("k (the number of neighbours) must be at least 1, got {k}")]
    InvalidK { k: usize },
    /// MLP: no hidden units.
    #[error("the hidden layer needs at least 1 unit, got {hidden}")]
    InvalidHidden { hidden: usize },
    /// MLP: the learning rate is not a positive finite number.
    #[error("the learning rate must be a positive finite number, got {learning_rate}")]
    InvalidLearningRate { learning_rate: f64 },
    /// MLP: the L2 penalty is negative or not finite.
    #[error("the L2 penalty must be a finite number ≥ 0, got {l2}")]
    InvalidL2 { l2: f64 },
    /// MLP: `max_epochs` is 0.
    #[error("max_epochs must be at least 1, got {max_epochs}")]
    InvalidMaxEpochs { max_epochs: usize },
    /// MLP: `batch_size` is 0.
    #[error("the batch size must be at least 1, got {batch_size}")]
    InvalidBatchSize { batch_size: usize },
    /// MLP: the validation fraction is not strictly between 0 and 1.
    #[error("the validation fraction must be between 0 and 1 (exclusive), got {fraction}")]
    InvalidValidationFraction { fraction: f64 },
    /// MLP: `patience` is 0.
    #[error("patience must be at least 1 epoch, got {patience}")]
    InvalidPatience { patience: usize },
    /// Committee: fewer than 2 members.
    #[error("a committee needs at least 2 members to disagree, got {members}")]
    TooFewMembers { members: usize },
    /// A stored (deserialized) model is inconsistent.
    #[error("the stored model is inconsistent: {what}")]
    Corrupt { what: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn shuffle_is_a_seeded_permutation() {
        let mut a: Vec<usize> = (0..20).collect();
        let mut b = a.clone();
        shuffle(&mut crate::rng(3, 0), &mut a);
        shuffle(&mut crate::rng(3, 0), &mut b);
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
        assert_ne!(a, sorted);
    }

    #[test]
    fn validation_names_the_broken_rule() {
        let x = ndarray::array![[0.0], [f64::INFINITY]];
        assert_eq!(
            validate_training(x.view(), &[0, 1], 1),
            Err(ModelError::TooFewClasses { n_classes: 1 })
        );
        assert_eq!(validate_training(x.view(), &[], 2), Err(ModelError::NoRows));
        assert_eq!(
            validate_training(x.view(), &[0], 2),
            Err(ModelError::LengthMismatch {
                x_rows: 2,
                y_len: 1
            })
        );
        assert_eq!(
            validate_training(x.view(), &[0, 1], 2),
            Err(ModelError::NonFinite { row: 1 })
        );
        let t = x.t();
        assert_eq!(row_major(&x.view()).as_ref(), &[0.0, f64::INFINITY]);
        assert_eq!(row_major(&t).as_ref(), &[0.0, f64::INFINITY]);
    }
}
