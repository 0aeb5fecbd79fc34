//! Query strategies in three pure layers: class probabilities → scores → indices.
//!
//! A higher score means "ask this first". Ties are broken by the seeded random generator, so the
//! same seed gives the same picks natively and in wasm.

pub mod uncertainty;

use ndarray::ArrayView2;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The strategies a session or simulation can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Strategy {
    /// Uniformly random picks: the baseline every other strategy must beat.
    Random,
    /// Margin sampling: ask where the top two classes are closest. See [`uncertainty::margin_scores`].
    Margin,
}

impl Strategy {
    /// A short human name.
    pub fn label(self) -> &'static str {
        match self {
            Strategy::Random => "random",
            Strategy::Margin => "margin",
        }
    }

    /// Scores of the candidate rows whose class probabilities are `proba` (one row each).
    pub fn scores<R: Rng>(self, proba: ArrayView2<f64>, rng: &mut R) -> Vec<f64> {
        match self {
            Strategy::Random => random_scores(proba.nrows(), rng),
            Strategy::Margin => uncertainty::margin_scores(proba),
        }
    }
}

/// Random sampling: every candidate gets an independent uniform score in `[0, 1)`.
pub fn random_scores<R: Rng>(n: usize, rng: &mut R) -> Vec<f64> {
    (0..n).map(|_| rng.gen::<f64>()).collect()
}

/// The indices of the `k` highest scores, best first. Equal scores are ordered by a random key
/// drawn from `rng`; NaN scores come last.
///
/// ```
/// let picks = activelab::engine::strategies::top_k(&[0.1, 0.9, 0.5], 2, &mut activelab::engine::rng(0, 0));
/// assert_eq!(picks, vec![1, 2]);
/// ```
pub fn top_k<R: Rng>(scores: &[f64], k: usize, rng: &mut R) -> Vec<usize> {
    let mut keyed: Vec<(f64, u64, usize)> = scores
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            (
                if s.is_nan() { f64::NEG_INFINITY } else { s },
                rng.gen::<u64>(),
                i,
            )
        })
        .collect();
    let k = k.min(keyed.len());
    let order =
        |a: &(f64, u64, usize), b: &(f64, u64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if k > 0 && k < keyed.len() {
        keyed.select_nth_unstable_by(k - 1, order);
        keyed.truncate(k);
    }
    keyed.sort_unstable_by(order);
    keyed.into_iter().take(k).map(|(_, _, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_orders_and_breaks_ties_by_seed() {
        let scores = [0.5, 0.5, 0.5, 0.5, 0.9];
        let a = top_k(&scores, 3, &mut crate::engine::rng(1, 0));
        let b = top_k(&scores, 3, &mut crate::engine::rng(1, 0));
        assert_eq!(a, b);
        assert_eq!(a[0], 4);
        let firsts: std::collections::BTreeSet<usize> = (0..20)
            .map(|seed| top_k(&scores, 2, &mut crate::engine::rng(seed, 0))[1])
            .collect();
        assert!(
            firsts.len() > 1,
            "ties must not always resolve to the same index"
        );
    }

    #[test]
    fn top_k_handles_nan_and_oversized_k() {
        let picks = top_k(&[f64::NAN, 0.2, 0.1], 10, &mut crate::engine::rng(0, 0));
        assert_eq!(picks, vec![1, 2, 0]);
        assert!(top_k(&[], 3, &mut crate::engine::rng(0, 0)).is_empty());
    }
}
