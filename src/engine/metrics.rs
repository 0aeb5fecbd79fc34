//! Metrics: score predictions against truth; nothing else.

use serde::{Deserialize, Serialize};

/// Errors of metric computations.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum MetricsError {
    #[error("{truth} true labels but {predicted} predictions: they must match")]
    LengthMismatch { truth: usize, predicted: usize },
    #[error("there is nothing to score: the test set is empty")]
    Empty,
}

/// The share of predictions equal to the truth.
///
/// ```
/// assert_eq!(activelab::engine::metrics::accuracy(&[0, 1, 1, 2], &[0, 1, 2, 2]), Ok(0.75));
/// ```
pub fn accuracy(truth: &[usize], predicted: &[usize]) -> Result<f64, MetricsError> {
    if truth.len() != predicted.len() {
        return Err(MetricsError::LengthMismatch {
            truth: truth.len(),
            predicted: predicted.len(),
        });
    }
    if truth.is_empty() {
        return Err(MetricsError::Empty);
    }
    let hits = truth.iter().zip(predicted).filter(|(a, b)| a == b).count();
    Ok(hits as f64 / truth.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_refuses_mismatch_and_empty() {
        assert_eq!(accuracy(&[], &[]), Err(MetricsError::Empty));
        assert_eq!(
            accuracy(&[1], &[1, 2]).unwrap_err().to_string(),
            "1 true labels but 2 predictions: they must match"
        );
    }
}
