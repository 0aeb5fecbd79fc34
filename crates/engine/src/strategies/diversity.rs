//! Diversity sampling on feature rows: cover the pool instead of probing the boundary.
//!
//! - [`core_set_scores`] / [`k_center_greedy`]: the core-set approach of Sener & Savarese (2018),
//!   "Active Learning for Convolutional Neural Networks: A Core-Set Approach" (ICLR), greedy
//!   2-approximation of the k-center problem (Gonzalez 1985).
//! - [`kmeans_pp`] / [`cold_start`]: k-means++ seeding (Arthur & Vassilvitskii 2007) to pick a
//!   first, spread-out batch when nothing (or little) is labeled.
//!
//! Distances are Euclidean on the feature rows as given (standardize first). `pool` is the
//! `n × d` matrix of candidate rows, `labeled` the `m × d` matrix of already-labeled rows (`m` may
//! be 0, and then its column count is not checked). Returned indices are rows of `pool`.

use ndarray::{ArrayView1, ArrayView2};
use rand::Rng;

use super::{Pick, StrategyError};

/// Refuse a labeled matrix whose feature columns differ from the pool's.
pub(crate) fn check_features(
    pool: ArrayView2<f64>,
    labeled: ArrayView2<f64>,
) -> Result<(), StrategyError> {
    if labeled.nrows() > 0 && labeled.ncols() != pool.ncols() {
        return Err(StrategyError::FeatureMismatch {
            pool: pool.ncols(),
            labeled: labeled.ncols(),
        });
    }
    Ok(())
}

/// Squared Euclidean distance `Σ (a_j − b_j)²`.
pub(crate) fn sq_dist(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    a.iter().zip(b.iter()).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// `min(a, b)` where NaN is contagious (a row with a NaN distance stays NaN and ranks last).
pub(crate) fn nan_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

/// The `(index, value)` with the largest value; NaN counts as −∞; exact ties are broken uniformly
/// at random by reservoir sampling (the generator is only used on ties). `None` if empty.
pub(crate) fn argmax_random_ties<R: Rng>(
    values: impl IntoIterator<Item = (usize, f64)>,
    rng: &mut R,
) -> Option<(usize, f64)> {
    let key = |v: f64| if v.is_nan() { f64::NEG_INFINITY } else { v };
    let mut best: Option<(usize, f64)> = None;
    let mut ties = 0u32;
    for (i, v) in values {
        match best {
            Some((_, b)) if key(v) < key(b) => {}
            Some((_, b)) if key(v) == key(b) => {
                ties = ties.saturating_add(1);
                if rng.gen_range(0..ties) == 0 {
                    best = Some((i, v));
                }
            }
            _ => {
                best = Some((i, v));
                ties = 1;
            }
        }
    }
    best
}

/// Squared distance of every pool row to its nearest labeled row (`+∞` with no labeled rows).
pub(crate) fn nearest_sq(pool: ArrayView2<f64>, labeled: ArrayView2<f64>) -> Vec<f64> {
    pool.rows()
        .into_iter()
        .map(|x| {
            labeled
                .rows()
                .into_iter()
                .fold(f64::INFINITY, |m, l| nan_min(m, sq_dist(x, l)))
        })
        .collect()
}

/// Mark pool row `u` picked, and lower every unpicked row's squared distance to its nearest
/// picked or labeled row (`min_sq`) to its distance to `u` where that is nearer.
pub(crate) fn take(pool: ArrayView2<f64>, u: usize, picked: &mut [bool], min_sq: &mut [f64]) {
    picked[u] = true;
    let centre = pool.row(u);
    for (i, m) in min_sq.iter_mut().enumerate() {
        if !picked[i] {
            *m = nan_min(*m, sq_dist(pool.row(i), centre));
        }
    }
}

/// Core-set scores (Sener & Savarese 2018): `score(x) = min_{l ∈ labeled} ‖x − l‖₂`, the distance
/// to the nearest labeled row; `+∞` for every row when nothing is labeled. The single best row by
/// this score is the first pick of [`k_center_greedy`]; for a batch use that function, which also
/// keeps the picks apart from each other.
///
/// ```
/// use ndarray::array;
/// let pool = array![[0.0, 0.0], [3.0, 4.0]];
/// let labeled = array![[0.0, 1.0]];
/// let s = engine::strategies::diversity::core_set_scores(pool.view(), labeled.view()).unwrap();
/// assert_eq!(s, vec![1.0, 4.242640687119285]);
/// ```
pub fn core_set_scores(
    pool: ArrayView2<f64>,
    labeled: ArrayView2<f64>,
) -> Result<Vec<f64>, StrategyError> {
    check_features(pool, labeled)?;
    Ok(nearest_sq(pool, labeled)
        .into_iter()
        .map(f64::sqrt)
        .collect())
}

/// k-center greedy (Sener & Savarese 2018, Algorithm 1): pick `k` pool rows one at a time, each
/// time the row farthest (Euclidean) from `labeled ∪ {rows already picked}`:
/// `u = argmax_{x ∈ pool \ picked} min_{c ∈ labeled ∪ picked} ‖x − c‖₂`.
///
/// Each [`Pick`]'s score is that min distance at the moment it was picked (non-increasing along
/// the batch; `+∞` for the first pick when nothing is labeled, which is then uniform at random).
/// Exact ties are broken by `rng`. Returns `min(k, n)` picks; cost `O((m + k) · n · d)`.
///
/// ```
/// use ndarray::array;
/// use engine::strategies::diversity::k_center_greedy;
/// let pool = array![[0.0], [1.0], [10.0], [11.0]];
/// let labeled = array![[0.5]];
/// let picks = k_center_greedy(pool.view(), labeled.view(), 2, &mut engine::rng(0, 0)).unwrap();
/// assert_eq!((picks[0].index, picks[0].score), (3, 10.5)); // farthest from the labeled row
/// assert_eq!((picks[1].index, picks[1].score), (2, 1.0)); // 9.5 from 0.5 but only 1 from row 3
/// ```
pub fn k_center_greedy<R: Rng>(
    pool: ArrayView2<f64>,
    labeled: ArrayView2<f64>,
    k: usize,
    rng: &mut R,
) -> Result<Vec<Pick>, StrategyError> {
    farthest_first(pool, labeled, k, rng, |min_sq, picked, rng| {
        let candidates = min_sq
            .iter()
            .enumerate()
            .filter(|&(i, _)| !picked[i])
            .map(|(i, &d)| (i, d));
        argmax_random_ties(candidates, rng).map(|(u, _)| u)
    })
}

/// k-means++ seeding (Arthur & Vassilvitskii 2007, "k-means++: the advantages of careful
/// seeding"): pick `k` pool rows one at a time, each with probability proportional to
/// `D(x)²`, the squared Euclidean distance from `x` to the nearest row of
/// `labeled ∪ {rows already picked}`. With nothing to measure from (no labeled rows, first pick)
/// the pick is uniform; if every remaining `D(x)²` is 0 (duplicates) it is uniform too.
///
/// Each [`Pick`]'s score is `D(x)` (not squared) at the moment it was picked (`+∞` when there was
/// nothing to measure from). Returns `min(k, n)` distinct rows; rows with NaN distances are only
/// chosen once nothing else is left.
///
/// ```
/// use ndarray::{array, Array2};
/// use engine::strategies::diversity::kmeans_pp;
/// let pool = array![[0.0, 0.0], [0.0, 0.1], [5.0, 5.0]];
/// let picks = kmeans_pp(pool.view(), Array2::zeros((0, 2)).view(), 3, &mut engine::rng(1, 0)).unwrap();
/// let mut rows: Vec<usize> = picks.iter().map(|p| p.index).collect();
/// rows.sort();
/// assert_eq!(rows, vec![0, 1, 2]);
/// ```
pub fn kmeans_pp<R: Rng>(
    pool: ArrayView2<f64>,
    labeled: ArrayView2<f64>,
    k: usize,
    rng: &mut R,
) -> Result<Vec<Pick>, StrategyError> {
    farthest_first(pool, labeled, k, rng, |d2, picked, rng| {
        let remaining: Vec<usize> = (0..d2.len()).filter(|&i| !picked[i]).collect();
        let weight = |i: usize| if d2[i].is_finite() { d2[i] } else { 0.0 };
        let any_infinite = remaining.iter().any(|&i| d2[i] == f64::INFINITY);
        let total: f64 = remaining.iter().map(|&i| weight(i)).sum();
        Some(if any_infinite {
            // Nothing to measure from yet: every remaining row is equally (infinitely) far.
            let far: Vec<usize> = remaining
                .iter()
                .copied()
                .filter(|&i| d2[i] == f64::INFINITY)
                .collect();
            far[uniform_index(far.len(), rng)]
        } else if total > 0.0 && total.is_finite() {
            let target = rng.gen::<f64>() * total;
            let mut acc = 0.0;
            let mut chosen = None;
            for &i in &remaining {
                if weight(i) > 0.0 {
                    acc += weight(i);
                    chosen = Some(i);
                    if acc > target {
                        break;
                    }
                }
            }
            match chosen {
                Some(i) => i,
                None => remaining[uniform_index(remaining.len(), rng)],
            }
        } else {
            // Only duplicates (or NaN rows) are left: take the non-NaN ones first, uniformly.
            let clean: Vec<usize> = remaining
                .iter()
                .copied()
                .filter(|&i| !d2[i].is_nan())
                .collect();
            let from = if clean.is_empty() { &remaining } else { &clean };
            from[uniform_index(from.len(), rng)]
        })
    })
}

/// Pick `min(k, n)` pool rows one at a time: `choose` gets every row's squared distance to its
/// nearest labeled or already picked row and which rows are picked, and names the next pick
/// (`None`: stop), whose score is its distance.
fn farthest_first<R: Rng>(
    pool: ArrayView2<f64>,
    labeled: ArrayView2<f64>,
    k: usize,
    rng: &mut R,
    mut choose: impl FnMut(&[f64], &[bool], &mut R) -> Option<usize>,
) -> Result<Vec<Pick>, StrategyError> {
    check_features(pool, labeled)?;
    let mut min_sq = nearest_sq(pool, labeled);
    let mut picked = vec![false; pool.nrows()];
    let mut picks = Vec::with_capacity(k.min(pool.nrows()));
    while picks.len() < k.min(pool.nrows()) {
        let Some(u) = choose(&min_sq, &picked, rng) else {
            break;
        };
        picks.push(Pick {
            index: u,
            score: min_sq[u].sqrt(),
        });
        take(pool, u, &mut picked, &mut min_sq);
    }
    Ok(picks)
}

/// Cold start: when nothing is labeled yet, pick `k` spread-out rows by [`kmeans_pp`] seeding
/// (first row uniform, then proportional to the squared distance to the rows already picked).
///
/// ```
/// use ndarray::array;
/// let pool = array![[0.0], [0.1], [9.0], [9.1]];
/// let picks = engine::strategies::diversity::cold_start(pool.view(), 2, &mut engine::rng(3, 0)).unwrap();
/// assert_eq!(picks.len(), 2);
/// ```
pub fn cold_start<R: Rng>(
    pool: ArrayView2<f64>,
    k: usize,
    rng: &mut R,
) -> Result<Vec<Pick>, StrategyError> {
    let none = ndarray::Array2::<f64>::zeros((0, pool.ncols()));
    kmeans_pp(pool, none.view(), k, rng)
}

/// A uniform index in `0..len` (`len ≥ 1`), drawn as a `u64` so that 32-bit wasm and 64-bit
/// native builds draw the same number.
pub(crate) fn uniform_index<R: Rng>(len: usize, rng: &mut R) -> usize {
    if len <= 1 {
        return 0;
    }
    rng.gen_range(0..len as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;
    use ndarray::{array, Array2};

    /// Hand-computed on a line: labeled {0}; pool {1, 2, 6, 7, 10}. First pick 10 (distance 10),
    /// then the farthest from {0, 10}: 6 and 7 are 4 and 3 from 10 / 6 and 7 from 0 → 6 has min
    /// distance 4, 7 has 3, 2 has 2 → pick 6 (score 4). Then min distances: 1→1, 2→2, 7→1 → 2.
    #[test]
    fn k_center_by_hand() {
        let pool = array![[1.0], [2.0], [6.0], [7.0], [10.0]];
        let labeled = array![[0.0]];
        let scores = core_set_scores(pool.view(), labeled.view()).unwrap();
        assert_eq!(scores, vec![1.0, 2.0, 6.0, 7.0, 10.0]);
        let picks = k_center_greedy(pool.view(), labeled.view(), 3, &mut rng(0, 0)).unwrap();
        let want = [(4, 10.0), (2, 4.0), (1, 2.0)];
        for (p, (i, s)) in picks.iter().zip(want) {
            assert_eq!(p.index, i, "{picks:?}");
            assert!((p.score - s).abs() < 1e-12);
        }
    }

    #[test]
    fn k_center_without_labels_starts_random_then_spreads() {
        let pool = array![[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]];
        let empty = Array2::<f64>::zeros((0, 0));
        let firsts: std::collections::BTreeSet<usize> = (0..30)
            .map(|s| {
                k_center_greedy(pool.view(), empty.view(), 1, &mut rng(s, 0)).unwrap()[0].index
            })
            .collect();
        assert!(firsts.len() > 1, "the first pick must depend on the seed");
        for s in 0..10 {
            let picks = k_center_greedy(pool.view(), empty.view(), 2, &mut rng(s, 0)).unwrap();
            assert!(picks[0].score.is_infinite());
            let (a, b) = (picks[0].index, picks[1].index);
            assert_ne!(
                a < 2,
                b < 2,
                "the second pick is on the other side: {picks:?}"
            );
        }
        let all = k_center_greedy(pool.view(), empty.view(), 10, &mut rng(0, 0)).unwrap();
        assert_eq!(all.len(), 4);
    }

    #[test]
    fn kmeans_pp_is_seeded_spread_and_distinct() {
        let mut pool = Array2::<f64>::zeros((40, 2));
        for i in 0..40 {
            // Two tight clusters far apart.
            pool[[i, 0]] = if i < 20 { 0.0 } else { 100.0 } + (i % 5) as f64 * 0.01;
            pool[[i, 1]] = (i % 7) as f64 * 0.01;
        }
        let empty = Array2::<f64>::zeros((0, 2));
        let a = cold_start(pool.view(), 2, &mut rng(5, 1)).unwrap();
        let b = cold_start(pool.view(), 2, &mut rng(5, 1)).unwrap();
        assert_eq!(a, b);
        let mut hits = 0;
        for s in 0..20 {
            let p = kmeans_pp(pool.view(), empty.view(), 2, &mut rng(s, 0)).unwrap();
            assert_ne!(p[0].index, p[1].index);
            if (p[0].index < 20) != (p[1].index < 20) {
                hits += 1;
            }
        }
        assert!(
            hits >= 19,
            "the second seed lands in the other cluster: {hits}/20"
        );
        // Duplicates only: still k distinct rows.
        let dup = Array2::<f64>::ones((5, 2));
        let p = kmeans_pp(dup.view(), empty.view(), 5, &mut rng(0, 0)).unwrap();
        let mut idx: Vec<usize> = p.iter().map(|p| p.index).collect();
        idx.sort();
        assert_eq!(idx, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn refuses_mismatched_features_and_handles_nan() {
        let pool = array![[0.0, 1.0]];
        let labeled = array![[0.0]];
        assert_eq!(
            core_set_scores(pool.view(), labeled.view())
                .unwrap_err()
                .to_string(),
            "the pool rows have 2 feature columns but the labeled rows have 1: they must match"
        );
        let pool = array![[f64::NAN], [1.0], [2.0]];
        let labeled = array![[0.0]];
        let picks = k_center_greedy(pool.view(), labeled.view(), 3, &mut rng(0, 0)).unwrap();
        assert_eq!(picks[2].index, 0, "NaN rows come last: {picks:?}");
        let picks = kmeans_pp(pool.view(), labeled.view(), 3, &mut rng(0, 0)).unwrap();
        assert_eq!(picks[2].index, 0, "NaN rows come last: {picks:?}");
    }
}
