//! Batch-mode selection: ask for `k` rows at once without asking `k` near-copies of one question.
//!
//! - [`diverse_top_batch`]: take the `M = factor · k` most uncertain rows, then choose `k` of them
//!   that are spread out, by k-center greedy or k-means++ seeding (the "top-M then cluster"
//!   heuristic of e.g. Brinker 2003 and Zhdanov 2019, "Diverse mini-batch active learning").
//! - [`ranked_batch`]: ranked batch-mode active learning (Cardoso, Sanches, Kvalheim, … 2017,
//!   Information Sciences 379), modAL's `uncertainty_batch_sampling`.
//!
//! `uncertainty` holds one score per pool row (higher = more informative, e.g.
//! [`super::uncertainty::least_confident_scores`]); `pool` is the `n × d` matrix of those rows and
//! `labeled` the `m × d` matrix of already-labeled rows (`m` may be 0). Distances are Euclidean.

use ndarray::{ArrayView2, Axis};
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::density::reference_rows;
use super::diversity::{
    argmax_random_ties, check_features, k_center_greedy, kmeans_pp, nearest_sq, sq_dist, take,
};
use super::{top_k, Pick, StrategyError};

/// How [`diverse_top_batch`] spreads its picks over the `M` most uncertain rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchDiversity {
    /// [`super::diversity::k_center_greedy`]: deterministic farthest-first traversal.
    KCenter,
    /// [`super::diversity::kmeans_pp`]: random, proportional to squared distance.
    KMeansPlusPlus,
}

fn check_scores(uncertainty: &[f64], pool: ArrayView2<f64>) -> Result<(), StrategyError> {
    if uncertainty.len() != pool.nrows() {
        return Err(StrategyError::LengthMismatch {
            what: "the uncertainty vector".to_string(),
            found: uncertainty.len(),
            rows: pool.nrows(),
        });
    }
    Ok(())
}

/// Top-M then diverse: `M = min(factor · k, n)` rows with the highest `uncertainty` (ties by
/// `rng`, see [`top_k`]), then `k` of them chosen by `method`, measuring distances to
/// `labeled ∪ {rows already picked}`. `factor` must be at least 1 (`factor = 1` is plain top-k).
///
/// Each [`Pick`]'s index is a pool row and its score the distance that chose it (see
/// [`super::diversity::k_center_greedy`] / [`super::diversity::kmeans_pp`]), not the uncertainty.
/// Returns `min(k, n)` picks.
///
/// ```
/// use ndarray::array;
/// use engine::strategies::batch::{diverse_top_batch, BatchDiversity};
/// // The 4 (= 2 × 2) most uncertain rows are two near-identical pairs; the batch of 2 takes one
/// // row of each pair instead of the two most uncertain rows 0 and 1. Rows 4 and 5 are certain.
/// let pool = array![[0.0], [0.01], [5.0], [5.01], [9.0], [9.01]];
/// let labeled = array![[2.5]];
/// let u = [0.9, 0.89, 0.8, 0.79, 0.1, 0.1];
/// let picks = diverse_top_batch(&u, pool.view(), labeled.view(), 2, 2, BatchDiversity::KCenter,
///     &mut engine::rng(0, 0)).unwrap();
/// let mut rows: Vec<usize> = picks.iter().map(|p| p.index).collect();
/// rows.sort();
/// assert!(rows[0] < 2 && (2..4).contains(&rows[1]), "{rows:?}");
/// ```
pub fn diverse_top_batch<R: Rng>(
    uncertainty: &[f64],
    pool: ArrayView2<f64>,
    labeled: ArrayView2<f64>,
    k: usize,
    factor: usize,
    method: BatchDiversity,
    rng: &mut R,
) -> Result<Vec<Pick>, StrategyError> {
    check_scores(uncertainty, pool)?;
    check_features(pool, labeled)?;
    if factor == 0 {
        return Err(StrategyError::invalid(
            "the batch factor (M = factor × k candidates)",
            "at least 1",
            0.0,
        ));
    }
    let m = k.saturating_mul(factor).min(pool.nrows());
    let top = top_k(uncertainty, m, rng);
    let sub = pool.select(Axis(0), &top);
    let picks = match method {
        BatchDiversity::KCenter => k_center_greedy(sub.view(), labeled, k, rng)?,
        BatchDiversity::KMeansPlusPlus => kmeans_pp(sub.view(), labeled, k, rng)?,
    };
    Ok(picks
        .into_iter()
        .map(|p| Pick {
            index: top[p.index],
            score: p.score,
        })
        .collect())
}

/// Largest number of rows [`ranked_batch`] averages over to find its cold-start row.
pub const RANKED_COLD_START_REFERENCE: usize = 2_000;

/// Ranked batch-mode sampling (Cardoso et al. 2017, Algorithm 1; modAL 0.4.2.1's
/// `uncertainty_batch_sampling` / `ranked_batch`). Picks `min(k, n)` pool rows one at a time; at
/// each step, with `U` the pool rows not yet picked and `D = labeled ∪ {rows already picked}`:
///
/// `score(x) = α · (1 − 1/(1 + min_{d ∈ D} ‖x − d‖₂)) + (1 − α) · uncertainty(x)`,
/// `α = |U| / (|U| + |D|)`,
///
/// and the row with the highest score is picked (exact ties by `rng`; modAL takes the first).
/// Each [`Pick`]'s score is that combined score. modAL passes `uncertainty = 1 − max p`
/// ([`super::uncertainty::least_confident_scores`]).
///
/// Cold start (nothing labeled): every score is then 1 (α = 1, no similarity), so, as in modAL,
/// the first pick is the row with the smallest mean distance to the pool (a medoid; the mean is
/// taken over at most [`RANKED_COLD_START_REFERENCE`] rows drawn by `rng`), with score 1. Unlike
/// modAL 0.4.2.1, that row is then removed from the candidates (modAL can pick it twice).
///
/// ```
/// use ndarray::array;
/// use engine::strategies::batch::ranked_batch;
/// let pool = array![[0.0], [0.1], [3.0]];
/// let labeled = array![[0.0]];
/// let picks = ranked_batch(&[0.5, 0.5, 0.1], pool.view(), labeled.view(), 2,
///     &mut engine::rng(0, 0)).unwrap();
/// assert_eq!(picks[0].index, 2); // far from the labeled row beats equally uncertain near rows
/// ```
pub fn ranked_batch<R: Rng>(
    uncertainty: &[f64],
    pool: ArrayView2<f64>,
    labeled: ArrayView2<f64>,
    k: usize,
    rng: &mut R,
) -> Result<Vec<Pick>, StrategyError> {
    check_scores(uncertainty, pool)?;
    check_features(pool, labeled)?;
    let n = pool.nrows();
    let want = k.min(n);
    let mut picked = vec![false; n];
    let mut picks = Vec::with_capacity(want);
    let mut n_labeled = labeled.nrows();
    // Squared distance of each pool row to the nearest row of D (∞ while D is empty). The
    // similarity takes its square root: the square root of the smallest squared distance is the
    // smallest distance, to the bit.
    let mut min_sq = nearest_sq(pool, labeled);
    if n_labeled == 0 && want > 0 {
        let refs = reference_rows(n, RANKED_COLD_START_REFERENCE, rng);
        let mean_dist = (0..n).map(|i| {
            let total: f64 = refs
                .iter()
                .map(|&j| sq_dist(pool.row(i), pool.row(j)).sqrt())
                .sum();
            (i, -(total / refs.len() as f64))
        });
        if let Some((u, _)) = argmax_random_ties(mean_dist, rng) {
            take(pool, u, &mut picked, &mut min_sq);
            picks.push(Pick {
                index: u,
                score: 1.0,
            });
            n_labeled += 1;
        }
    }
    while picks.len() < want {
        let n_unlabeled = n - picks.len();
        let alpha = n_unlabeled as f64 / (n_unlabeled + n_labeled) as f64;
        let scores = (0..n).filter(|&i| !picked[i]).map(|i| {
            let similarity = 1.0 / (1.0 + min_sq[i].sqrt());
            (
                i,
                alpha * (1.0 - similarity) + (1.0 - alpha) * uncertainty[i],
            )
        });
        let Some((u, score)) = argmax_random_ties(scores, rng) else {
            break;
        };
        take(pool, u, &mut picked, &mut min_sq);
        picks.push(Pick { index: u, score });
        n_labeled += 1;
    }
    Ok(picks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;
    use ndarray::{array, Array2};

    /// Hand-computed: labeled {0}; pool 1, 2, 4 with uncertainty 0.9, 0.1, 0.2.
    /// Step 1: |U| = 3, |D| = 1, α = ¾; dissimilarity 1 − 1/(1+d) = ½, ⅔, ⅘ →
    /// scores ¾·½ + ¼·0.9 = 0.6, ¾·⅔ + ¼·0.1 = 0.525, ¾·⅘ + ¼·0.2 = 0.65 → row 2 (x = 4).
    /// Step 2: |U| = 2, |D| = 2, α = ½; distances to {0, 4}: 1 → ½, 2 → ⅔ →
    /// scores ½·½ + ½·0.9 = 0.7, ½·⅔ + ½·0.1 = 0.38333 → row 0.
    #[test]
    fn ranked_batch_by_hand() {
        let pool = array![[1.0], [2.0], [4.0]];
        let labeled = array![[0.0]];
        let picks = ranked_batch(
            &[0.9, 0.1, 0.2],
            pool.view(),
            labeled.view(),
            3,
            &mut rng(0, 0),
        )
        .unwrap();
        let want = [(2, 0.65), (0, 0.7)];
        for (p, (i, s)) in picks.iter().zip(want) {
            assert_eq!(p.index, i, "{picks:?}");
            assert!((p.score - s).abs() < 1e-12, "{picks:?}");
        }
        assert_eq!(picks[2].index, 1);
        // Step 3: |U| = 1, |D| = 3, α = ¼; distance from 2 to {0, 4, 1} is 1 → ¼·½ + ¾·0.1.
        assert!((picks[2].score - (0.125 + 0.075)).abs() < 1e-12);
    }

    #[test]
    fn ranked_batch_cold_start_takes_the_medoid_once() {
        // Sum of distances: 16, 13, 12, 13, 40 → the medoid is row 2.
        let pool = array![[0.0], [1.0], [2.0], [3.0], [10.0]];
        let empty = Array2::<f64>::zeros((0, 1));
        let picks = ranked_batch(&[0.0; 5], pool.view(), empty.view(), 9, &mut rng(0, 0)).unwrap();
        assert_eq!(
            picks[0],
            Pick {
                index: 2,
                score: 1.0
            }
        );
        let mut rows: Vec<usize> = picks.iter().map(|p| p.index).collect();
        rows.sort();
        assert_eq!(rows, vec![0, 1, 2, 3, 4]);
        assert_eq!(picks[1].index, 4, "then the row farthest from the medoid");
    }

    #[test]
    fn diverse_top_batch_checks_and_spreads() {
        let pool = Array2::from_shape_fn((20, 1), |(i, _)| {
            if i < 10 {
                i as f64 * 0.01
            } else {
                50.0 + i as f64 * 0.01
            }
        });
        let empty = Array2::<f64>::zeros((0, 1));
        // The ten rows near 0 are the most uncertain; with factor 4 the top 8 are all near 0 ...
        let u: Vec<f64> = (0..20)
            .map(|i| if i < 10 { 0.9 - i as f64 * 0.01 } else { 0.5 })
            .collect();
        for method in [BatchDiversity::KCenter, BatchDiversity::KMeansPlusPlus] {
            let p = diverse_top_batch(&u, pool.view(), empty.view(), 2, 4, method, &mut rng(0, 0))
                .unwrap();
            assert!(p.iter().all(|p| p.index < 10), "{p:?}");
            // ... with factor 10 the candidates reach the far cluster and the batch covers both.
            let p = diverse_top_batch(&u, pool.view(), empty.view(), 2, 10, method, &mut rng(0, 0))
                .unwrap();
            assert_eq!(p.len(), 2);
            assert_ne!(p[0].index < 10, p[1].index < 10, "{method:?}: {p:?}");
        }
        assert!(diverse_top_batch(
            &u,
            pool.view(),
            empty.view(),
            2,
            0,
            BatchDiversity::KCenter,
            &mut rng(0, 0)
        )
        .is_err());
        assert_eq!(
            ranked_batch(&u[..3], pool.view(), empty.view(), 2, &mut rng(0, 0)).unwrap_err().to_string(),
            "the uncertainty vector has 3 entries for 20 pool rows: there must be exactly one per row"
        );
    }
}
