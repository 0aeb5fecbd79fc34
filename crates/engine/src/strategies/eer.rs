//! Expected error reduction (Roy & McCallum 2001, "Toward optimal active learning through
//! sampling estimation of error reduction", ICML; Settles 2009, §4.2).
//!
//! For every candidate `x` and every class `y`, refit the model as if `x` had label `y`, and
//! measure the new model's expected loss on an evaluation set `E` (unlabeled rows), using the new
//! model's own probabilities in place of the unknown truth:
//!
//! `EL(x) = Σ_y P(y | x) · (1/|E|) Σ_{e ∈ E} L(P⁺ʸ(· | e))`,  `score(x) = −EL(x)`,
//!
//! with `L(p) = 1 − max_k p_k` (expected 0/1 loss) or `L(p) = −Σ_k p_k ln p_k` (expected log loss).
//! modAL's `expected_error_reduction` computes the same sum with `Σ_e` instead of the mean and
//! ranks by the smallest sum; the order is the same for a fixed `E`.
//!
//! **Slow:** it costs `n_candidates × n_classes` refits (classes with `P(y | x) = 0` are skipped).
//! Callers subsample both the candidates and the evaluation rows (e.g. 50 candidates × 200
//! evaluation rows) and run it off the main thread.

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::uncertainty::{entropy_scores, least_confident_scores};

/// The loss whose expectation [`expected_error_reduction`] minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EerLoss {
    /// Expected 0/1 loss of one row: `1 − max_k p_k` (modAL's `loss='binary'`).
    ZeroOne,
    /// Expected log loss of one row: the entropy `−Σ_k p_k ln p_k` (modAL's `loss='log'`).
    Log,
}

/// Expected error reduction scores, one per candidate row (higher = larger expected reduction =
/// ask first). `candidates_proba` holds the current model's class probabilities of the candidates
/// (`n × K`). `refit(candidate, class)` must return the class probabilities, on the caller's
/// evaluation rows, of the model refitted on the labeled rows plus `(candidate, class)`; an error
/// from `refit` stops the computation and is returned as is. An empty evaluation matrix counts as
/// loss 0.
///
/// ```
/// use ndarray::{array, Array2};
/// use engine::strategies::eer::{expected_error_reduction, EerLoss};
/// // Labeling candidate 0 as class 0 makes the model sure; anything else leaves it at ½/½.
/// let current = array![[0.5, 0.5], [0.5, 0.5]];
/// let scores = expected_error_reduction(current.view(), |c, y| -> Result<Array2<f64>, ()> {
///     Ok(if (c, y) == (0, 0) { array![[1.0, 0.0]] } else { array![[0.5, 0.5]] })
/// }, EerLoss::ZeroOne).unwrap();
/// assert_eq!(scores, vec![-0.25, -0.5]);
/// ```
pub fn expected_error_reduction<E>(
    candidates_proba: ArrayView2<f64>,
    mut refit: impl FnMut(usize, usize) -> Result<Array2<f64>, E>,
    loss: EerLoss,
) -> Result<Vec<f64>, E> {
    let mut scores = Vec::with_capacity(candidates_proba.nrows());
    for (candidate, row) in candidates_proba.rows().into_iter().enumerate() {
        let mut expected = 0.0;
        for (class, &p) in row.iter().enumerate() {
            if p == 0.0 {
                continue;
            }
            let proba = refit(candidate, class)?;
            let losses = match loss {
                EerLoss::ZeroOne => least_confident_scores(proba.view()),
                EerLoss::Log => entropy_scores(proba.view()),
            };
            let mean = if losses.is_empty() {
                0.0
            } else {
                losses.iter().sum::<f64>() / losses.len() as f64
            };
            expected += p * mean;
        }
        scores.push(-expected);
    }
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Hand-computed: candidate 0 has P = (0.8, 0.2); refits give evaluation probabilities
    /// y=0 → [(0.9, 0.1), (0.6, 0.4)], y=1 → [(0.5, 0.5), (0.5, 0.5)].
    /// 0/1: 0.8·(0.1 + 0.4)/2 + 0.2·0.5 = 0.3. Log: 0.8·(H(.9,.1) + H(.6,.4))/2 + 0.2·ln 2.
    #[test]
    fn eer_by_hand() {
        let current = array![[0.8, 0.2]];
        let refit = |_c: usize, y: usize| -> Result<Array2<f64>, String> {
            Ok(if y == 0 {
                array![[0.9, 0.1], [0.6, 0.4]]
            } else {
                array![[0.5, 0.5], [0.5, 0.5]]
            })
        };
        let s = expected_error_reduction(current.view(), refit, EerLoss::ZeroOne).unwrap();
        assert!((s[0] + 0.3).abs() < 1e-12, "{s:?}");
        let h = |p: f64| -p * p.ln() - (1.0 - p) * (1.0 - p).ln();
        let want = 0.8 * (h(0.9) + h(0.6)) / 2.0 + 0.2 * std::f64::consts::LN_2;
        let s = expected_error_reduction(current.view(), refit, EerLoss::Log).unwrap();
        assert!((s[0] + want).abs() < 1e-12, "{s:?}");
    }

    #[test]
    fn eer_skips_impossible_classes_and_passes_errors_through() {
        let mut calls = Vec::new();
        let current = array![[1.0, 0.0], [0.0, 1.0]];
        let s = expected_error_reduction(
            current.view(),
            |c, y| -> Result<Array2<f64>, String> {
                calls.push((c, y));
                Ok(Array2::zeros((0, 2)))
            },
            EerLoss::Log,
        )
        .unwrap();
        assert_eq!(calls, vec![(0, 0), (1, 1)]);
        assert_eq!(s, vec![-0.0, -0.0]);
        let err = expected_error_reduction(
            current.view(),
            |_, _| -> Result<Array2<f64>, String> { Err("fit failed".into()) },
            EerLoss::ZeroOne,
        );
        assert_eq!(err, Err("fit failed".to_string()));
    }
}
