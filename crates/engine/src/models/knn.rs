//! k-nearest neighbours by brute force, as scikit-learn's `KNeighborsClassifier` votes.
//!
//! The `k` training rows closest to `x` in Euclidean distance vote for their class:
//!
//! ```text
//! p(c | x) = Σ_{j ∈ N_k(x), yⱼ = c} wⱼ  /  Σ_{j ∈ N_k(x)} wⱼ
//! uniform:  wⱼ = 1
//! distance: wⱼ = 1 / ‖x − tⱼ‖, except that when some neighbours are at distance exactly 0 those
//!           get weight 1 and the others 0 (an exact match takes all the weight, as in sklearn)
//! ```
//!
//! Source: Cover & Hart, *Nearest neighbor pattern classification* (IEEE Trans. Inf. Theory, 1967);
//! distance weighting as in Dudani (1976) with scikit-learn's `weights='distance'` conventions
//! (`sklearn.neighbors.KNeighborsClassifier`, version 1.5). `tests/models.rs` compares the
//! probabilities with scikit-learn's within 1e-9 and the predictions exactly
//! (`tests/reference/knn.json`).
//!
//! **Distances** are `d²(x, t) = Σⱼ (xⱼ − tⱼ)²` summed in feature order, then `sqrt` — bit for
//! bit what scikit-learn's kd-tree computes. For large pools the candidates are first screened
//! with the expansion `‖x‖² + ‖t‖² − 2 x·t` computed as one matrix product (fast, but rounded), with
//! a rigorous rounding bound `8 (d + 4) ε (‖x‖² + ‖t‖²)`; only rows that can still be among the
//! `k` nearest are measured exactly. The result is therefore identical to the exact search on
//! every platform, only faster.
//!
//! **Tie rule.** Rows at equal distance are ordered by their position in the training rows given
//! to `fit` (lower first), so when the k-th and (k+1)-th distances are equal the earlier row is in
//! the neighbourhood (scikit-learn breaks such ties in tree order). Equal class votes predict the
//! lowest class index, as scikit-learn does. With fewer than `k` training rows all of them vote
//! (scikit-learn refuses `k > n`).
//!
//! Classes without labeled rows are kept and get probability 0.

use super::{nan_matrix, row_major, validate_training, Classifier, ModelError};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Training rows × features from which the matrix-product screening pays off.
const SCREEN_MIN_WORK: usize = 1 << 14;
/// Query rows per matrix product in the screening.
const SCREEN_BLOCK: usize = 64;

/// How the `k` neighbours' votes are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum KnnWeights {
    /// Every neighbour votes 1 (scikit-learn `weights='uniform'`).
    Uniform,
    /// Neighbours vote `1/distance`; exact matches take all the weight (`weights='distance'`).
    #[default]
    Distance,
}

/// Hyperparameters of [`Knn`], unchecked.
///
/// ```
/// use engine::models::knn::{KnnParams, KnnWeights};
/// let checked = KnnParams::default().k(3).weights(KnnWeights::Uniform).check().unwrap();
/// assert!(KnnParams::default().k(0).check().is_err());
/// # let _ = checked;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KnnParams {
    /// Number of neighbours that vote (default 5; all rows vote when there are fewer).
    pub k: usize,
    /// How votes are weighted (default [`KnnWeights::Distance`]).
    pub weights: KnnWeights,
}

impl Default for KnnParams {
    fn default() -> Self {
        Self {
            k: 5,
            weights: KnnWeights::Distance,
        }
    }
}

impl KnnParams {
    /// Set the number of neighbours.
    pub fn k(mut self, k: usize) -> Self {
        self.k = k;
        self
    }

    /// Set the vote weighting.
    pub fn weights(mut self, weights: KnnWeights) -> Self {
        self.weights = weights;
        self
    }

    /// Validate: `k ≥ 1`.
    pub fn check(self) -> Result<CheckedKnn, ModelError> {
        if self.k == 0 {
            return Err(ModelError::InvalidK { k: self.k });
        }
        Ok(CheckedKnn(self))
    }
}

/// Validated hyperparameters: the only way to fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckedKnn(KnnParams);

impl CheckedKnn {
    /// "Fit": validate and store the rows `x` with labels `y` in `0..n_classes`.
    ///
    /// ```
    /// use ndarray::array;
    /// use engine::models::{Classifier, knn::KnnParams};
    /// let x = array![[0.0], [1.0], [10.0], [11.0]];
    /// let knn = KnnParams::default().k(2).check().unwrap().fit(x.view(), &[0, 0, 1, 1], 2).unwrap();
    /// assert_eq!(knn.predict(array![[0.4], [10.2]].view()), vec![0, 1]);
    /// // Exact match: all the weight.
    /// assert_eq!(knn.predict_proba(array![[1.0]].view()).row(0).to_vec(), vec![1.0, 0.0]);
    /// ```
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        n_classes: usize,
    ) -> Result<Knn, ModelError> {
        validate_training(x, y, n_classes)?;
        Ok(Knn::new(
            self.0,
            x.ncols(),
            n_classes,
            row_major(&x).into_owned(),
            y.to_vec(),
        ))
    }
}

/// One neighbour of a query row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Neighbour {
    /// Position of the neighbour in the training rows given to `fit`.
    pub index: usize,
    /// Euclidean distance to the query row.
    pub distance: f64,
}

/// A fitted k-NN classifier: the training rows and their labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "KnnData", into = "KnnData")]
pub struct Knn {
    params: KnnParams,
    n_features: usize,
    n_classes: usize,
    /// Training rows, row-major (`labels.len() × n_features`).
    rows: Vec<f64>,
    labels: Vec<usize>,
    /// `‖tⱼ‖²` of every training row.
    norms: Vec<f64>,
}

/// Which search [`Knn::search`] runs (both give identical results; the tests force each).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(not(test), allow(dead_code))]
enum Search {
    /// Pick by size of the problem.
    Auto,
    /// Exact distances to every training row.
    Exact,
    /// Matrix-product screening, then exact distances for the candidates.
    Screened,
}

impl Knn {
    fn new(
        params: KnnParams,
        n_features: usize,
        n_classes: usize,
        rows: Vec<f64>,
        labels: Vec<usize>,
    ) -> Self {
        let mut knn = Self {
            params,
            n_features,
            n_classes,
            rows,
            labels,
            norms: Vec::new(),
        };
        knn.norms = (0..knn.labels.len())
            .map(|j| knn.train_row(j).iter().map(|v| v * v).sum())
            .collect();
        knn
    }

    /// The hyperparameters.
    pub fn params(&self) -> KnnParams {
        self.params
    }

    /// Number of stored training rows.
    pub fn n_rows(&self) -> usize {
        self.labels.len()
    }

    /// The labels of the stored training rows.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    fn train_row(&self, j: usize) -> &[f64] {
        &self.rows[j * self.n_features..(j + 1) * self.n_features]
    }

    /// The `min(k, n_rows)` nearest training rows of every row of `x`, nearest first (ties: lower
    /// training position first).
    ///
    /// ```
    /// use ndarray::array;
    /// use engine::models::knn::KnnParams;
    /// let x = array![[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]];
    /// let knn = KnnParams::default().k(2).check().unwrap().fit(x.view(), &[0, 1, 0], 2).unwrap();
    /// let nb = knn.neighbours(array![[0.0, 0.5]].view()).unwrap();
    /// assert_eq!(nb[0].iter().map(|n| n.index).collect::<Vec<_>>(), vec![0, 2]); // tie: 0 first
    /// assert_eq!(nb[0][0].distance, 0.5);
    /// ```
    pub fn neighbours(&self, x: ArrayView2<f64>) -> Result<Vec<Vec<Neighbour>>, ModelError> {
        if x.ncols() != self.n_features {
            return Err(ModelError::FeatureMismatch {
                expected: self.n_features,
                found: x.ncols(),
            });
        }
        Ok(self
            .search(x, Search::Auto)
            .into_iter()
            .map(|nb| {
                nb.into_iter()
                    .map(|(d2, index)| Neighbour {
                        index,
                        distance: d2.sqrt(),
                    })
                    .collect()
            })
            .collect())
    }

    /// `(d², training position)` of the nearest rows of every row of `x` (`x` has the right width).
    fn search(&self, x: ArrayView2<f64>, how: Search) -> Vec<Vec<(f64, usize)>> {
        let d = self.n_features;
        let m = self.labels.len();
        let k = self.params.k.min(m);
        let q = row_major(&x);
        let n = x.nrows();
        let screen = match how {
            Search::Auto => m.saturating_mul(d.max(1)) >= SCREEN_MIN_WORK && m > 4 * k,
            Search::Exact => false,
            Search::Screened => true,
        };
        let train = ArrayView2::from_shape((m, d), &self.rows[..]).ok();
        let mut out = Vec::with_capacity(n);
        let mut scratch = Vec::new();
        for start in (0..n).step_by(SCREEN_BLOCK) {
            let end = (start + SCREEN_BLOCK).min(n);
            let block = &q[start * d..end * d];
            let gram = match (screen, train) {
                (true, Some(t)) => ArrayView2::from_shape((end - start, d), block)
                    .ok()
                    .map(|b| b.dot(&t.t())),
                _ => None,
            };
            for i in 0..end - start {
                let row = &block[i * d..(i + 1) * d];
                let dots = gram.as_ref().and_then(|g| g.row(i).to_slice());
                out.push(self.nearest(row, dots, k, &mut scratch));
            }
        }
        out
    }

    /// The `k` nearest training rows of `row`; `dots[j] = row · tⱼ` (rounded) enables screening.
    fn nearest(
        &self,
        row: &[f64],
        dots: Option<&[f64]>,
        k: usize,
        scratch: &mut Vec<f64>,
    ) -> Vec<(f64, usize)> {
        let m = self.labels.len();
        let exact = |j: usize| {
            let d2: f64 = row
                .iter()
                .zip(self.train_row(j))
                .map(|(a, b)| (a - b) * (a - b))
                .fold(0.0, |s, v| s + v);
            if d2.is_nan() {
                f64::INFINITY
            } else {
                d2
            }
        };
        let mut found: Vec<(f64, usize)> = match self.screen(row, dots, k, scratch) {
            Some(candidates) => candidates.into_iter().map(|j| (exact(j), j)).collect(),
            None => (0..m).map(|j| (exact(j), j)).collect(),
        };
        let order = |a: &(f64, usize), b: &(f64, usize)| -> Ordering {
            a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
        };
        if k < found.len() {
            found.select_nth_unstable_by(k, order);
            found.truncate(k);
        }
        found.sort_unstable_by(order);
        found
    }

    /// Training rows that may be among the `k` nearest of `row`, or `None` to measure all.
    fn screen(
        &self,
        row: &[f64],
        dots: Option<&[f64]>,
        k: usize,
        scratch: &mut Vec<f64>,
    ) -> Option<Vec<usize>> {
        let dots = dots?;
        if k == 0 || dots.len() != self.norms.len() {
            return None;
        }
        let qn: f64 = row.iter().map(|v| v * v).sum();
        let c = 8.0 * (self.n_features as f64 + 4.0) * f64::EPSILON;
        let tiny = 8.0 * (self.n_features as f64 + 4.0) * f64::MIN_POSITIVE;
        let bound = |j: usize| c * (qn + self.norms[j]) + tiny;
        let approx = |j: usize| qn + self.norms[j] - 2.0 * dots[j];
        scratch.clear();
        for j in 0..dots.len() {
            let upper = approx(j) + bound(j);
            if !upper.is_finite() {
                return None;
            }
            scratch.push(upper);
        }
        // An upper bound on the k-th smallest exact distance.
        let (_, &mut kth, _) = scratch.select_nth_unstable_by(k - 1, f64::total_cmp);
        Some(
            (0..dots.len())
                .filter(|&j| approx(j) - bound(j) <= kth)
                .collect(),
        )
    }

    /// Class votes of one row's neighbours, normalised to sum to 1.
    fn vote(&self, neighbours: &[(f64, usize)], out: &mut [f64]) {
        let exact_match = self.params.weights == KnnWeights::Distance
            && neighbours.iter().any(|&(d2, _)| d2 == 0.0);
        for &(d2, j) in neighbours {
            let w = match self.params.weights {
                KnnWeights::Uniform => 1.0,
                KnnWeights::Distance if exact_match => f64::from(u8::from(d2 == 0.0)),
                KnnWeights::Distance => 1.0 / d2.sqrt(),
            };
            out[self.labels[j]] += w;
        }
        let total: f64 = out.iter().sum();
        if !(total.is_finite() && total > 0.0) {
            // Every neighbour infinitely far (or overflowing): fall back to plain votes.
            out.iter_mut().for_each(|v| *v = 0.0);
            for &(_, j) in neighbours {
                out[self.labels[j]] += 1.0;
            }
        }
        let total: f64 = out.iter().sum();
        out.iter_mut().for_each(|v| *v /= total);
    }

    fn proba_with(&self, x: ArrayView2<f64>, how: Search) -> Array2<f64> {
        if x.ncols() != self.n_features {
            return nan_matrix(x.nrows(), self.n_classes);
        }
        let mut p = Array2::zeros((x.nrows(), self.n_classes));
        for (mut row, nb) in p.rows_mut().into_iter().zip(self.search(x, how)) {
            let mut votes = vec![0.0; self.n_classes];
            self.vote(&nb, &mut votes);
            for (a, b) in row.iter_mut().zip(votes) {
                *a = b;
            }
        }
        p
    }
}

impl Classifier for Knn {
    fn n_classes(&self) -> usize {
        self.n_classes
    }

    fn n_features(&self) -> Option<usize> {
        Some(self.n_features)
    }

    fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        self.proba_with(x, Search::Auto)
    }
}

/// The serialized form of [`Knn`] (norms are recomputed), checked on the way in.
#[derive(Serialize, Deserialize)]
struct KnnData {
    params: KnnParams,
    n_features: usize,
    n_classes: usize,
    rows: Vec<f64>,
    labels: Vec<usize>,
}

impl From<Knn> for KnnData {
    fn from(m: Knn) -> Self {
        Self {
            params: m.params,
            n_features: m.n_features,
            n_classes: m.n_classes,
            rows: m.rows,
            labels: m.labels,
        }
    }
}

impl TryFrom<KnnData> for Knn {
    type Error = ModelError;

    fn try_from(m: KnnData) -> Result<Self, ModelError> {
        let params = m.params.check()?.0;
        let x =
            ArrayView2::from_shape((m.labels.len(), m.n_features), &m.rows[..]).map_err(|_| {
                ModelError::Corrupt {
                    what: format!(
                        "k-NN with {} values for {} rows of {} features",
                        m.rows.len(),
                        m.labels.len(),
                        m.n_features
                    ),
                }
            })?;
        validate_training(x, &m.labels, m.n_classes)?;
        Ok(Knn::new(
            params,
            m.n_features,
            m.n_classes,
            m.rows,
            m.labels,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;
    use ndarray::array;
    use rand::Rng;

    fn fit(x: ArrayView2<f64>, y: &[usize], k: usize, w: KnnWeights) -> Knn {
        KnnParams::default()
            .k(k)
            .weights(w)
            .check()
            .unwrap()
            .fit(x, y, 3)
            .unwrap()
    }

    #[test]
    fn hand_computed_distance_votes() {
        // Neighbours of 0: rows at 1 (class 0), -2 (class 1), 4 (class 1); k = 3.
        let x = array![[1.0], [-2.0], [4.0], [10.0]];
        let knn = fit(x.view(), &[0, 1, 1, 0], 3, KnnWeights::Distance);
        let p = knn.predict_proba(array![[0.0]].view());
        let (w0, w1) = (1.0, 0.5 + 0.25);
        assert!((p[[0, 0]] - w0 / (w0 + w1)).abs() < 1e-15);
        assert!((p[[0, 1]] - w1 / (w0 + w1)).abs() < 1e-15);
        assert_eq!(p[[0, 2]], 0.0);
        let uniform = fit(x.view(), &[0, 1, 1, 0], 3, KnnWeights::Uniform);
        let p = uniform.predict_proba(array![[0.0]].view());
        assert_eq!(p.row(0).to_vec(), vec![1.0 / 3.0, 2.0 / 3.0, 0.0]);
    }

    #[test]
    fn exact_matches_share_all_the_weight() {
        let x = array![[0.0], [0.0], [0.1], [0.2]];
        let knn = fit(x.view(), &[0, 1, 2, 2], 4, KnnWeights::Distance);
        let p = knn.predict_proba(array![[0.0]].view());
        assert_eq!(p.row(0).to_vec(), vec![0.5, 0.5, 0.0]);
        // Equal votes: the lowest class wins.
        assert_eq!(knn.predict(array![[0.0]].view()), vec![0]);
    }

    #[test]
    fn ties_at_the_boundary_take_the_earlier_row() {
        let x = array![[1.0], [-1.0], [1.0]];
        let knn = fit(x.view(), &[1, 2, 0], 1, KnnWeights::Uniform);
        assert_eq!(knn.predict(array![[0.0]].view()), vec![1]);
        let knn = fit(x.view(), &[2, 1, 0], 2, KnnWeights::Uniform);
        let nb = knn.neighbours(array![[0.0]].view()).unwrap();
        assert_eq!(
            nb[0].iter().map(|n| n.index).collect::<Vec<_>>(),
            vec![0, 1]
        );
    }

    #[test]
    fn fewer_rows_than_k_all_vote() {
        let x = array![[0.0], [1.0]];
        let knn = fit(x.view(), &[0, 1], 5, KnnWeights::Uniform);
        assert_eq!(
            knn.predict_proba(array![[7.0]].view()).row(0).to_vec(),
            vec![0.5, 0.5, 0.0]
        );
    }

    #[test]
    fn screened_search_equals_exact_search() {
        let mut r = rng(5, 0);
        let (m, d) = (600, 30);
        // Clustered data with exact duplicates and large offsets (rounding-unfriendly).
        let mut x = Array2::from_shape_fn((m, d), |_| 1000.0 + r.gen_range(-1.0..1.0));
        for i in (0..m).step_by(7) {
            let src = x.row(i / 2).to_owned();
            x.row_mut(i).assign(&src);
        }
        let y: Vec<usize> = (0..m).map(|i| i % 3).collect();
        let mut q = Array2::from_shape_fn((150, d), |_| 1000.0 + r.gen_range(-1.0..1.0));
        for i in 0..20 {
            q.row_mut(i).assign(&x.row(i * 11));
        }
        for w in [KnnWeights::Uniform, KnnWeights::Distance] {
            let knn = fit(x.view(), &y, 7, w);
            let a = knn.proba_with(q.view(), Search::Exact);
            let b = knn.proba_with(q.view(), Search::Screened);
            assert_eq!(a, b);
            assert_eq!(a, knn.predict_proba(q.view()));
            assert_eq!(
                knn.search(q.view(), Search::Exact),
                knn.search(q.view(), Search::Screened)
            );
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        let x = array![[1e300], [-1e300], [0.0]];
        let knn = fit(x.view(), &[0, 1, 2], 2, KnnWeights::Distance);
        let p = knn.predict_proba(array![[f64::NAN], [1e308], [f64::INFINITY]].view());
        for row in p.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-12, "{row}");
        }
        assert!(knn.predict_proba(array![[1.0, 2.0]].view())[[0, 0]].is_nan());
        assert!(knn.neighbours(array![[1.0, 2.0]].view()).is_err());
        let screened = knn.proba_with(array![[1e300], [5.0]].view(), Search::Screened);
        assert_eq!(
            screened,
            knn.proba_with(array![[1e300], [5.0]].view(), Search::Exact)
        );
    }

    #[test]
    fn serde_round_trip_and_corrupt_input() {
        let x = array![[0.0, 1.0], [1.0, 0.0]];
        let knn = fit(x.view(), &[0, 2], 1, KnnWeights::Distance);
        let json = serde_json::to_string(&knn).unwrap();
        let back: Knn = serde_json::from_str(&json).unwrap();
        assert_eq!(back, knn);
        let broken = json.replace("\"labels\":[0,2]", "\"labels\":[0,7]");
        assert!(serde_json::from_str::<Knn>(&broken).is_err());
        let broken = json.replace("\"n_features\":2", "\"n_features\":3");
        assert!(serde_json::from_str::<Knn>(&broken).is_err());
    }
}
