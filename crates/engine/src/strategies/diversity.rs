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

/// Cold start: `k` representative rows when no model can be fitted yet. The pool's shape comes
/// from k-means (Lloyd's iterations from a [`kmeans_pp`] seeding, the tightest of a few runs)
/// with `clusters` centres on `rows` (the pool, or a sample of it); each pick is the row nearest
/// a centre (its cluster's medoid) among the rows `open` allows, the clusters taken largest
/// first, skipping those that already hold a `labeled` row or a pick. Once every cluster is
/// covered, further picks are [`kmeans_pp`]'s among the open rows, away from everything labeled
/// or picked. A pick's index is a row of `rows`; its score, the share of `rows` its cluster holds.
///
/// Why not k-means++ alone: its first draw is uniform, so a person labeling one row at a time
/// would get random rows; the medoids of the largest clusters are the rows that stand for most of
/// the data (a test checks they cover a blob set's clusters better than random).
///
/// ```
/// use ndarray::array;
/// use engine::strategies::diversity::cold_start;
/// let pool = array![[0.0], [0.1], [0.2], [9.0]];
/// let none = ndarray::Array2::<f64>::zeros((0, 1));
/// let picks = cold_start(pool.view(), &[true; 4], none.view(), 2, 2, &mut engine::rng(3, 0)).unwrap();
/// let rows: Vec<usize> = picks.iter().map(|p| p.index).collect();
/// assert_eq!(rows, vec![1, 3]); // the middle of the big cluster, then the small one
/// ```
pub fn cold_start<R: Rng>(
    rows: ArrayView2<f64>,
    open: &[bool],
    labeled: ArrayView2<f64>,
    clusters: usize,
    k: usize,
    rng: &mut R,
) -> Result<Vec<Pick>, StrategyError> {
    let shape = ColdClusters::new(rows, clusters, rng)?;
    shape.picks(rows, open, labeled, k, rng)
}

/// The clusters [`cold_start`] picks from: computed once for a pool, they serve every cold round.
#[derive(Debug, Clone, PartialEq)]
pub struct ColdClusters {
    centres: ndarray::Array2<f64>,
    /// Rows nearest each centre.
    sizes: Vec<usize>,
}

impl ColdClusters {
    /// k-means with `clusters` centres on `rows` (see [`cold_start`]).
    pub fn new<R: Rng>(
        rows: ArrayView2<f64>,
        clusters: usize,
        rng: &mut R,
    ) -> Result<Self, StrategyError> {
        let centres = kmeans(rows, clusters.min(rows.nrows()), rng)?;
        let mut shape = Self {
            sizes: vec![0; centres.nrows()],
            centres,
        };
        for row in rows.outer_iter() {
            if let Some(c) = shape.nearest(row) {
                shape.sizes[c] += 1;
            }
        }
        Ok(shape)
    }

    /// The centre nearest `row` (lowest index on ties), if any distance is a number.
    fn nearest(&self, row: ArrayView1<f64>) -> Option<usize> {
        (0..self.centres.nrows())
            .map(|c| (c, sq_dist(row, self.centres.row(c))))
            .filter(|(_, d)| !d.is_nan())
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
            .map(|(c, _)| c)
    }

    /// [`cold_start`]'s picks among `rows` (the rows the clusters were computed on) that `open`
    /// allows.
    pub fn picks<R: Rng>(
        &self,
        rows: ArrayView2<f64>,
        open: &[bool],
        labeled: ArrayView2<f64>,
        k: usize,
        rng: &mut R,
    ) -> Result<Vec<Pick>, StrategyError> {
        check_features(rows, labeled)?;
        if open.len() != rows.nrows() {
            return Err(StrategyError::LengthMismatch {
                what: "the open-rows mask".to_string(),
                found: open.len(),
                rows: rows.nrows(),
            });
        }
        let k = k.min(open.iter().filter(|&&o| o).count());
        let centres = &self.centres;
        let size = &self.sizes;
        let nearest = |row| self.nearest(row);
        let mut covered = vec![false; centres.nrows()];
        for row in labeled.outer_iter() {
            if let Some(c) = nearest(row) {
                covered[c] = true;
            }
        }
        let mut order: Vec<usize> = (0..centres.nrows()).filter(|&c| !covered[c]).collect();
        order.sort_by(|&a, &b| size[b].cmp(&size[a]).then(a.cmp(&b)));
        let mut picks: Vec<Pick> = Vec::new();
        for c in order {
            if picks.len() == k {
                break;
            }
            let medoid = (0..rows.nrows())
                .filter(|&i| open[i] && !picks.iter().any(|p| p.index == i))
                .map(|i| (i, sq_dist(rows.row(i), centres.row(c))))
                .filter(|(_, d)| !d.is_nan())
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            if let Some((index, _)) = medoid {
                picks.push(Pick {
                    index,
                    score: size[c] as f64 / rows.nrows().max(1) as f64,
                });
            }
        }
        if picks.len() < k {
            // Every cluster is covered: spread the rest over the open rows, away from everything
            // labeled or picked.
            let open_rows: Vec<usize> = (0..rows.nrows()).filter(|&i| open[i]).collect();
            let candidates = rows.select(ndarray::Axis(0), &open_rows);
            let mut known = labeled.to_owned();
            for p in &picks {
                let _ = known.push_row(rows.row(p.index));
            }
            let rest = kmeans_pp(candidates.view(), known.view(), k, rng)?;
            for r in rest {
                let index = open_rows[r.index];
                if picks.len() < k && !picks.iter().any(|p| p.index == index) {
                    picks.push(Pick {
                        index,
                        score: r.score,
                    });
                }
            }
        }
        Ok(picks)
    }
}

/// Most Lloyd iterations [`kmeans`] runs (it stops sooner once no row changes cluster).
const LLOYD_ITERATIONS: usize = 25;
/// Seedings [`kmeans`] tries, keeping the tightest clustering (as scikit-learn's `n_init`): one
/// seeding can settle with two clusters merged and another split.
const KMEANS_RESTARTS: usize = 8;

/// `k` centres of `rows` by k-means: the tightest (least within-cluster squared distance) of
/// [`KMEANS_RESTARTS`] runs of [`lloyd`].
fn kmeans<R: Rng>(
    rows: ArrayView2<f64>,
    k: usize,
    rng: &mut R,
) -> Result<ndarray::Array2<f64>, StrategyError> {
    let mut best: Option<(f64, ndarray::Array2<f64>)> = None;
    for _ in 0..KMEANS_RESTARTS {
        let (inertia, centres) = lloyd(rows, k, rng)?;
        if best.as_ref().is_none_or(|(b, _)| inertia < *b) {
            best = Some((inertia, centres));
        }
    }
    Ok(best.map(|(_, c)| c).unwrap_or_default())
}

/// One k-means run: a [`kmeans_pp`] seeding, then Lloyd's iterations (each row to its nearest
/// centre, each centre to its rows' mean; a centre left without rows stays where it is); its
/// inertia and centres. Rows with a NaN are left out.
fn lloyd<R: Rng>(
    rows: ArrayView2<f64>,
    k: usize,
    rng: &mut R,
) -> Result<(f64, ndarray::Array2<f64>), StrategyError> {
    let none = ndarray::Array2::<f64>::zeros((0, rows.ncols()));
    let seeds = kmeans_pp(rows, none.view(), k, rng)?;
    let mut centres = ndarray::Array2::<f64>::zeros((seeds.len(), rows.ncols()));
    for (c, s) in seeds.iter().enumerate() {
        centres.row_mut(c).assign(&rows.row(s.index));
    }
    let finite: Vec<usize> = (0..rows.nrows())
        .filter(|&i| rows.row(i).iter().all(|v| v.is_finite()))
        .collect();
    let mut assign = vec![usize::MAX; rows.nrows()];
    let mut inertia = f64::INFINITY;
    for _ in 0..LLOYD_ITERATIONS {
        let mut moved = false;
        inertia = 0.0;
        for &i in &finite {
            let (best, d) = (0..centres.nrows())
                .map(|c| (c, sq_dist(rows.row(i), centres.row(c))))
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
                .unwrap_or((usize::MAX, 0.0));
            moved |= assign[i] != best;
            assign[i] = best;
            inertia += d;
        }
        if !moved {
            break;
        }
        let mut sums = ndarray::Array2::<f64>::zeros(centres.dim());
        let mut counts = vec![0usize; centres.nrows()];
        for &i in &finite {
            let c = assign[i];
            let mut sum = sums.row_mut(c);
            sum += &rows.row(i);
            counts[c] += 1;
        }
        for (c, &n) in counts.iter().enumerate() {
            if n > 0 {
                let mean = &sums.row(c) / n as f64;
                centres.row_mut(c).assign(&mean);
            }
        }
    }
    Ok((inertia, centres))
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
        let a = cold_start(pool.view(), &[true; 40], empty.view(), 2, 2, &mut rng(5, 1)).unwrap();
        let b = cold_start(pool.view(), &[true; 40], empty.view(), 2, 2, &mut rng(5, 1)).unwrap();
        assert_eq!(a, b);
        assert_ne!(
            a[0].index < 20,
            a[1].index < 20,
            "one pick in each cluster: {a:?}"
        );
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
