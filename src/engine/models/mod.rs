//! Models: checked hyperparameters + labeled rows → a fitted model with class probabilities.
//!
//! Every estimator follows linfa's shape: a `Params` builder, `check()` that validates it into a
//! checked value, and `fit` that returns a fitted model. There is no "not fitted yet" state.

pub mod logistic;

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// What a fitted classifier can do.
pub trait Classifier {
    /// Number of classes the probabilities cover.
    fn n_classes(&self) -> usize;

    /// One row of class probabilities (summing to 1) per row of `x`.
    fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64>;

    /// The most probable class of each row (lowest index on ties).
    fn predict(&self, x: ArrayView2<f64>) -> Vec<usize> {
        argmax_rows(self.predict_proba(x).view())
    }
}

/// Index of the largest value of each row (lowest index on ties).
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

/// Everything that can go wrong while checking hyperparameters or fitting a model.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum ModelError {
    #[error("the regularization strength C must be a positive finite number, got {c}")]
    InvalidC { c: f64 },
    #[error("the tolerance must be a positive finite number, got {tol}")]
    InvalidTolerance { tol: f64 },
    #[error("max_iter must be at least 1, got {max_iter}")]
    InvalidMaxIter { max_iter: usize },
    #[error("a model needs at least 2 classes, got {n_classes}")]
    TooFewClasses { n_classes: usize },
    #[error("there are no labeled rows to fit on: label at least one sample")]
    NoRows,
    #[error("{x_rows} feature rows but {y_len} labels: they must match")]
    LengthMismatch { x_rows: usize, y_len: usize },
    #[error("label {label} is out of range for {n_classes} classes")]
    LabelOutOfRange { label: usize, n_classes: usize },
    #[error("row {row} has a value that is not a finite number")]
    NonFinite { row: usize },
}
