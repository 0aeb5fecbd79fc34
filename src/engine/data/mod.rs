//! Datasets: the validated table every other module works on, and the ways to make one.
//!
//! - [`import`]: CSV text → [`Dataset`], refusing bad input with the line, column and rule.
//! - [`split`]: seeded stratified pool/test split.
//! - [`scale`]: standardization fitted on the pool.

pub mod import;
pub mod scale;
pub mod split;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// A table of numeric features with optional known labels.
///
/// Known labels come from the file (a demo, or a user's partly labeled data); they act as the
/// oracle in simulations and as the truth of the test split. They are never mixed with the labels a
/// person gives during a session, which live in the session's event log.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// A display name (usually the file name).
    pub name: String,
    /// One name per feature column, in column order.
    pub feature_names: Vec<String>,
    /// `n_rows × n_features`, the raw values as read (not standardized).
    pub features: Array2<f64>,
    /// Class names, sorted (the order scikit-learn's `np.unique` gives), so class `k` is
    /// `class_names[k]` everywhere.
    pub class_names: Vec<String>,
    /// The label the file gives each row, or `None` for unlabeled rows.
    pub known_labels: Vec<Option<usize>>,
}

impl Dataset {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.features.nrows()
    }

    /// Number of feature columns.
    pub fn n_features(&self) -> usize {
        self.features.ncols()
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.class_names.len()
    }

    /// The raw feature values of one row.
    pub fn row(&self, row: usize) -> Vec<f64> {
        self.features.row(row).to_vec()
    }
}

/// Everything that can go wrong while turning input into a [`Dataset`].
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum DataError {
    #[error("the file is empty: a CSV needs a header line and at least one data row")]
    Empty,
    #[error("the file has a header but no data rows: add at least one row below the header")]
    NoRows,
    #[error(
        "the file has only {found} column(s): it needs at least one feature column and a label column"
    )]
    TooFewColumns { found: usize },
    #[error("line {line} has {found} fields but the header has {expected}: every row needs the same number of fields")]
    Ragged {
        line: u64,
        expected: usize,
        found: usize,
    },
    #[error("line {line}, column '{column}': '{value}' is not a number (feature columns must be numeric)")]
    NotNumeric {
        line: u64,
        column: String,
        value: String,
    },
    #[error("line {line}, column '{column}': '{value}' is not a finite number (replace it with a real value)")]
    NotFinite {
        line: u64,
        column: String,
        value: String,
    },
    #[error("line {line}, column '{column}': the value is missing (empty cells are only allowed in the label column)")]
    Missing { line: u64, column: String },
    #[error("there is no column named '{name}'; the columns are: {available}")]
    UnknownLabelColumn { name: String, available: String },
    #[error("line {line}: the file is not valid UTF-8 text; save it as UTF-8 and try again")]
    NotUtf8 { line: u64 },
    #[error("line {line}: the CSV could not be read ({message})")]
    Csv { line: u64, message: String },
    #[error("the test fraction must be between 0 and 1 (exclusive), got {fraction}")]
    BadFraction { fraction: f64 },
}
