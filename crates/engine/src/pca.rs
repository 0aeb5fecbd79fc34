//! Principal component analysis to two dimensions, for the map of the pool.
//!
//! [`Pca::fit`] standardizes the features (scikit-learn's `StandardScaler`: population standard
//! deviation, a constant feature gets scale 1), then finds the two directions of largest variance:
//!
//! * up to [`JACOBI_MAX_FEATURES`] features: the covariance matrix `C = ZᵀZ / (m − 1)` and every
//!   eigenpair of it by cyclic Jacobi rotations (Golub & Van Loan, *Matrix Computations*, §8.5) —
//!   exact to rounding, like scikit-learn's full SVD;
//! * more features: subspace iteration with Rayleigh–Ritz on `ZᵀZ` applied as two products
//!   (never forming the `d × d` matrix), block size [`BLOCK`], from a seeded random start.
//!
//! With more than [`fit_row_cap`] rows, the fit uses a seeded sample of that many rows (the
//! projection is still applied to every row). Each component's sign is fixed so that its
//! largest-magnitude loading is positive (scikit-learn's `svd_flip` with `u_based_decision=False`),
//! so results are deterministic. Reference values: `tests/reference/pca.json`, written by
//! `scripts/pca_reference.py` with scikit-learn's `PCA(n_components=2)`.

use crate::EngineRng;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Up to this many features the covariance matrix is formed and diagonalised exactly.
pub const JACOBI_MAX_FEATURES: usize = 128;
/// Vectors iterated together by the subspace iteration (2 wanted + guard vectors).
pub const BLOCK: usize = 6;
/// Subspace iterations at most.
const MAX_ITERATIONS: usize = 500;
/// Jacobi sweeps at most (convergence is quadratic; 50 is never reached in practice).
const MAX_SWEEPS: usize = 50;

/// Everything that can go wrong in a PCA.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum PcaError {
    /// No rows or no columns to fit on.
    #[error(
        "PCA needs at least one row and one feature column, got {rows} rows × {columns} columns"
    )]
    Empty { rows: usize, columns: usize },
    /// A value is NaN or infinite.
    #[error("PCA needs finite values, but row {row}, column {column} is {value}")]
    NonFinite {
        row: usize,
        column: usize,
        value: f64,
    },
    /// `transform` got rows of another width than the fit.
    #[error("the PCA was fitted on {expected} feature columns but got rows with {found}")]
    FeatureMismatch { expected: usize, found: usize },
}

/// A fitted two-component PCA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pca {
    /// Per-feature mean of the fit rows.
    pub mean: Array1<f64>,
    /// Per-feature population standard deviation of the fit rows (1 where it is 0).
    pub scale: Array1<f64>,
    /// `2 × d`: the unit-length principal axes in standardized feature space, largest variance
    /// first (the second is all zeros when there is a single feature).
    pub components: Array2<f64>,
    /// Variance along each axis (divisor `m − 1`, scikit-learn's `explained_variance_`).
    pub explained_variance: [f64; 2],
    /// Share of the total standardized variance along each axis (`explained_variance_ratio_`).
    pub explained_variance_ratio: [f64; 2],
    /// Rows the fit used (all rows, or a seeded sample of [`fit_row_cap`] of them).
    pub fit_rows: usize,
}

/// How many rows the fit uses at most for `d` features: 5,000, fewer for wide data so one pass
/// costs about 4 million multiply-adds (at least 500).
///
/// ```
/// use engine::pca::fit_row_cap;
/// assert_eq!(fit_row_cap(4), 5_000);
/// assert_eq!(fit_row_cap(1_000), 4_000);
/// assert_eq!(fit_row_cap(100_000), 500);
/// ```
pub fn fit_row_cap(d: usize) -> usize {
    (4_000_000 / d.max(1)).clamp(500, 5_000)
}

impl Pca {
    /// Fit on the rows of `x` (a seeded sample of [`fit_row_cap`] rows when there are more; `rng`
    /// draws it and the start of the subspace iteration).
    ///
    /// ```
    /// use ndarray::array;
    /// use engine::{pca::Pca, rng};
    /// // Points on the line y = 2x: one direction holds all the variance.
    /// let x = array![[0.0, 0.0], [1.0, 2.0], [2.0, 4.0], [3.0, 6.0]];
    /// let pca = Pca::fit(x.view(), &mut rng(0, 0)).unwrap();
    /// assert!((pca.explained_variance_ratio[0] - 1.0).abs() < 1e-12);
    /// let y = pca.transform(x.view()).unwrap();
    /// assert!(y[[0, 0]] < 0.0 && y[[3, 0]] > 0.0);
    /// assert!(y.column(1).iter().all(|v| v.abs() < 1e-12));
    /// ```
    pub fn fit(x: ArrayView2<f64>, rng: &mut EngineRng) -> Result<Pca, PcaError> {
        let all: Vec<usize> = (0..x.nrows()).collect();
        Self::fit_rows(x, &all, rng)
    }

    /// [`Pca::fit`] on the rows `rows` of `x`, read in place: only the fitted sample is copied
    /// (a copy of the whole pool would add to the import's memory peak). Row numbers in errors
    /// count within `rows`.
    pub fn fit_rows(
        x: ArrayView2<f64>,
        rows: &[usize],
        rng: &mut EngineRng,
    ) -> Result<Pca, PcaError> {
        let (n, d) = (rows.len(), x.ncols());
        if n == 0 || d == 0 {
            return Err(PcaError::Empty {
                rows: n,
                columns: d,
            });
        }
        for (row, &r) in rows.iter().enumerate() {
            let values = x.row(r);
            if let Some((column, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite())
            {
                return Err(PcaError::NonFinite { row, column, value });
            }
        }
        let cap = fit_row_cap(d);
        let fit_x = if n > cap {
            let mut sample = rand::seq::index::sample(rng, n, cap).into_vec();
            sample.sort_unstable();
            let picked: Vec<usize> = sample.iter().map(|&i| rows[i]).collect();
            x.select(Axis(0), &picked)
        } else {
            x.select(Axis(0), rows)
        };
        let m = fit_x.nrows();
        let mean = fit_x.sum_axis(Axis(0)) / m as f64;
        let mut var = Array1::<f64>::zeros(d);
        for row in fit_x.rows() {
            for ((v, x), mu) in var.iter_mut().zip(row).zip(&mean) {
                *v += (x - mu) * (x - mu);
            }
        }
        let scale = var.mapv(|v| {
            let s = (v / m as f64).sqrt();
            if s > f64::EPSILON * 10.0 {
                s
            } else {
                1.0
            }
        });
        let mut z = fit_x;
        for mut row in z.rows_mut() {
            for ((v, mu), s) in row.iter_mut().zip(&mean).zip(&scale) {
                *v = (*v - mu) / s;
            }
        }
        let denom = (m.max(2) - 1) as f64;
        let total: f64 = z.iter().map(|v| v * v).sum::<f64>() / denom;
        let (values, vectors) = if d <= JACOBI_MAX_FEATURES {
            let cov = z.t().dot(&z) / denom;
            let (values, vectors) = jacobi_eigen(cov);
            top_two(&values, &vectors)
        } else {
            subspace_iteration(z.view(), denom, rng)
        };
        let mut components = Array2::<f64>::zeros((2, d));
        for (k, v) in vectors.iter().enumerate() {
            components.row_mut(k).assign(v);
        }
        fix_signs(&mut components);
        let ratio = |v: f64| if total > 0.0 { v / total } else { 0.0 };
        Ok(Pca {
            mean,
            scale,
            components,
            explained_variance: values,
            explained_variance_ratio: [ratio(values[0]), ratio(values[1])],
            fit_rows: m,
        })
    }

    /// Project rows onto the two axes: `n × 2` coordinates.
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>, PcaError> {
        let all: Vec<usize> = (0..x.nrows()).collect();
        self.transform_rows(x, &all)
    }

    /// [`Pca::transform`] of the rows `rows` of `x`, read in place.
    pub fn transform_rows(
        &self,
        x: ArrayView2<f64>,
        rows: &[usize],
    ) -> Result<Array2<f64>, PcaError> {
        if x.ncols() != self.mean.len() {
            return Err(PcaError::FeatureMismatch {
                expected: self.mean.len(),
                found: x.ncols(),
            });
        }
        let mut out = Array2::<f64>::zeros((rows.len(), 2));
        for (row, mut o) in rows.iter().map(|&r| x.row(r)).zip(out.rows_mut()) {
            for k in 0..2 {
                o[k] = row
                    .iter()
                    .zip(&self.mean)
                    .zip(&self.scale)
                    .zip(self.components.row(k))
                    .map(|(((v, mu), s), c)| (v - mu) / s * c)
                    .sum();
            }
        }
        Ok(out)
    }
}

/// Make the largest-magnitude entry of every row positive (the first such entry on ties).
fn fix_signs(components: &mut Array2<f64>) {
    for mut row in components.rows_mut() {
        let pivot = row.iter().copied().fold(
            0.0_f64,
            |best, v| if v.abs() > best.abs() { v } else { best },
        );
        if pivot < 0.0 {
            row.mapv_inplace(|v| -v);
        }
    }
}

/// The two largest eigenvalues (clamped at 0) and their eigenvectors (columns of `vectors`);
/// missing ones (one feature) are 0 and the zero vector.
fn top_two(values: &[f64], vectors: &Array2<f64>) -> ([f64; 2], Vec<Array1<f64>>) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    let mut out_values = [0.0; 2];
    let mut out_vectors = Vec::with_capacity(2);
    for (k, value) in out_values.iter_mut().enumerate() {
        match order.get(k) {
            Some(&i) => {
                *value = values[i].max(0.0);
                out_vectors.push(vectors.column(i).to_owned());
            }
            None => out_vectors.push(Array1::zeros(vectors.nrows())),
        }
    }
    (out_values, out_vectors)
}

/// Every eigenpair of a symmetric matrix by cyclic Jacobi rotations: `(values, vectors)` with
/// `a = V diag(values) Vᵀ`, eigenvectors in the columns of `V` (unsorted).
fn jacobi_eigen(mut a: Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let n = a.nrows();
    let mut v = Array2::<f64>::eye(n);
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _ in 0..MAX_SWEEPS {
        let off: f64 = (0..n)
            .flat_map(|p| (p + 1..n).map(move |q| (p, q)))
            .map(|(p, q)| a[[p, q]] * a[[p, q]])
            .sum::<f64>()
            .sqrt();
        if off <= f64::EPSILON * 1e-2 * scale || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[[p, q]];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * apq);
                let t = if theta.is_finite() {
                    let sign = if theta >= 0.0 { 1.0 } else { -1.0 };
                    sign / (theta.abs() + (theta * theta + 1.0).sqrt())
                } else {
                    0.0
                };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[[k, p]], a[[k, q]]);
                    a[[k, p]] = c * akp - s * akq;
                    a[[k, q]] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[[p, k]], a[[q, k]]);
                    a[[p, k]] = c * apk - s * aqk;
                    a[[q, k]] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[[k, p]], v[[k, q]]);
                    v[[k, p]] = c * vkp - s * vkq;
                    v[[k, q]] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[[i, i]]).collect(), v)
}

/// Orthonormalise the columns of `q` in place (modified Gram–Schmidt); a column that vanishes is
/// replaced by a unit vector orthogonal to the others when one can be found.
fn orthonormalize(q: &mut Array2<f64>) {
    let (d, b) = q.dim();
    for j in 0..b {
        for _pass in 0..2 {
            for i in 0..j {
                let dot = q.column(i).dot(&q.column(j));
                let qi = q.column(i).to_owned();
                q.column_mut(j).scaled_add(-dot, &qi);
            }
        }
        let norm = q.column(j).dot(&q.column(j)).sqrt();
        if norm > 1e-300 {
            q.column_mut(j).mapv_inplace(|v| v / norm);
        } else {
            // Try the unit vectors until one survives the projection.
            for e in 0..d {
                let mut col = Array1::<f64>::zeros(d);
                col[e] = 1.0;
                for i in 0..j {
                    let dot = q.column(i).dot(&col);
                    col.scaled_add(-dot, &q.column(i));
                }
                let norm = col.dot(&col).sqrt();
                if norm > 1e-8 {
                    q.column_mut(j).assign(&(col / norm));
                    break;
                }
            }
        }
    }
}

/// The top two eigenpairs of `ZᵀZ / denom` by subspace iteration with Rayleigh–Ritz.
fn subspace_iteration(
    z: ArrayView2<f64>,
    denom: f64,
    rng: &mut EngineRng,
) -> ([f64; 2], Vec<Array1<f64>>) {
    let d = z.ncols();
    let b = BLOCK.min(d);
    let mut v = Array2::<f64>::from_shape_fn((d, b), |_| rng.gen::<f64>() - 0.5);
    orthonormalize(&mut v);
    let mut best = ([0.0; 2], vec![Array1::zeros(d), Array1::zeros(d)]);
    for _ in 0..MAX_ITERATIONS {
        let w = z.t().dot(&z.dot(&v)) / denom; // C V
        let t = v.t().dot(&w); // Vᵀ C V (b × b)
        let t = (&t + &t.t()) / 2.0;
        let (values, s) = jacobi_eigen(t);
        let mut order: Vec<usize> = (0..b).collect();
        order.sort_by(|&a, &c| values[c].total_cmp(&values[a]).then(a.cmp(&c)));
        let s_sorted = s.select(Axis(1), &order);
        let ritz = v.dot(&s_sorted); // Ritz vectors
        let cw = w.dot(&s_sorted); // C · Ritz vectors
        let top = values[order[0]].abs().max(f64::MIN_POSITIVE);
        let converged = (0..2.min(b)).all(|k| {
            let r = &cw.column(k) - &(&ritz.column(k) * values[order[k]]);
            r.dot(&r).sqrt() <= 1e-10 * top
        });
        let mut vectors = Vec::with_capacity(2);
        let mut vals = [0.0; 2];
        for k in 0..2 {
            if k < b {
                vals[k] = values[order[k]].max(0.0);
                vectors.push(ritz.column(k).to_owned());
            } else {
                vectors.push(Array1::zeros(d));
            }
        }
        best = (vals, vectors);
        if converged {
            break;
        }
        v = cw;
        orthonormalize(&mut v);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;
    use crate::testing::iris;
    use ndarray::array;

    /// scikit-learn's `PCA(n_components=2)` on the standardized demos (`scripts/pca_reference.py`):
    /// variances, ratios, axes and coordinates agree up to each axis's sign.
    #[test]
    fn matches_scikit_learn_up_to_sign() {
        let reference = crate::testing::reference("pca");
        let f = |v: &serde_json::Value| v.as_f64().unwrap();
        for name in ["iris", "wine", "breast_cancer", "digits"] {
            let want = &reference["datasets"][name];
            let data = crate::testing::bundled(name);
            assert_eq!(
                data.n_features() as u64,
                want["features"].as_u64().unwrap(),
                "{name}"
            );
            let pca = Pca::fit(data.features.view(), &mut rng(0, 0)).unwrap();
            let y = pca.transform(data.features.view()).unwrap();
            for k in 0..2 {
                let ev = f(&want["explained_variance"][k]);
                assert!(
                    (pca.explained_variance[k] - ev).abs() < 1e-9 * ev,
                    "{name} variance {k}"
                );
                let r = f(&want["explained_variance_ratio"][k]);
                assert!(
                    (pca.explained_variance_ratio[k] - r).abs() < 1e-10,
                    "{name} ratio {k}"
                );
                let axis = want["components"][k].as_array().unwrap();
                let dot: f64 = axis
                    .iter()
                    .zip(pca.components.row(k))
                    .map(|(a, b)| f(a) * b)
                    .sum();
                let sign = dot.signum();
                for (a, b) in axis.iter().zip(pca.components.row(k)) {
                    assert!((f(a) - sign * b).abs() < 1e-8, "{name} axis {k}");
                }
                for (i, row) in want["coordinates"].as_array().unwrap().iter().enumerate() {
                    let got = sign * y[[i, k]];
                    assert!(
                        (f(&row[k]) - got).abs() < 1e-8,
                        "{name} row {i} axis {k}: {got}"
                    );
                }
            }
        }
    }

    #[test]
    fn jacobi_diagonalises_a_symmetric_matrix() {
        let a = array![[4.0, 1.0, 2.0], [1.0, 3.0, 0.5], [2.0, 0.5, 5.0]];
        let (values, v) = jacobi_eigen(a.clone());
        let back = v
            .dot(&Array2::from_diag(&Array1::from(values.clone())))
            .dot(&v.t());
        for (x, y) in back.iter().zip(a.iter()) {
            assert!((x - y).abs() < 1e-12, "{back} vs {a}");
        }
        let eye = v.t().dot(&v);
        for ((i, j), x) in eye.indexed_iter() {
            assert!((x - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
        }
        let trace: f64 = values.iter().sum();
        assert!((trace - 12.0).abs() < 1e-12);
    }

    #[test]
    fn subspace_iteration_agrees_with_jacobi() {
        let data = iris();
        let x = data.features.view();
        let exact = Pca::fit(x, &mut rng(0, 0)).unwrap();
        // Standardize as `fit` does, then run the iterative path directly.
        let mut z = x.to_owned();
        for mut row in z.rows_mut() {
            for ((v, mu), s) in row.iter_mut().zip(&exact.mean).zip(&exact.scale) {
                *v = (*v - mu) / s;
            }
        }
        let (values, vectors) = subspace_iteration(z.view(), 149.0, &mut rng(3, 0));
        for k in 0..2 {
            assert!((values[k] - exact.explained_variance[k]).abs() < 1e-9);
            let dot = vectors[k].dot(&exact.components.row(k)).abs();
            assert!((dot - 1.0).abs() < 1e-9, "component {k}: |cos| = {dot}");
        }
    }

    #[test]
    fn wide_data_takes_the_iterative_path_and_stays_deterministic() {
        // 200 features, 300 rows: two strong hidden directions plus small noise.
        let mut r = rng(5, 0);
        let d = JACOBI_MAX_FEATURES + 72;
        let x = Array2::from_shape_fn((300, d), |(i, j)| {
            let a = (i as f64 * 0.37).sin() * 3.0;
            let b = (i as f64 * 0.11).cos() * 2.0;
            a * ((j % 7) as f64 - 3.0) + b * ((j % 5) as f64 - 2.0) + (r.gen::<f64>() - 0.5) * 0.1
        });
        let p1 = Pca::fit(x.view(), &mut rng(1, 0)).unwrap();
        let p2 = Pca::fit(x.view(), &mut rng(2, 0)).unwrap();
        assert!(p1.explained_variance_ratio[0] + p1.explained_variance_ratio[1] > 0.9);
        for k in 0..2 {
            let cos = p1.components.row(k).dot(&p2.components.row(k));
            assert!(
                (cos - 1.0).abs() < 1e-8,
                "the sign rule makes starts agree: {cos}"
            );
        }
    }

    #[test]
    fn refuses_empty_and_non_finite_input_and_handles_one_feature() {
        let empty = Array2::<f64>::zeros((0, 3));
        assert_eq!(
            Pca::fit(empty.view(), &mut rng(0, 0))
                .unwrap_err()
                .to_string(),
            "PCA needs at least one row and one feature column, got 0 rows × 3 columns"
        );
        let bad = array![[1.0, f64::NAN]];
        assert_eq!(
            Pca::fit(bad.view(), &mut rng(0, 0))
                .unwrap_err()
                .to_string(),
            "PCA needs finite values, but row 0, column 1 is NaN"
        );
        let one = array![[1.0], [2.0], [4.0]];
        let pca = Pca::fit(one.view(), &mut rng(0, 0)).unwrap();
        assert_eq!(pca.explained_variance_ratio, [1.0, 0.0]);
        let y = pca.transform(one.view()).unwrap();
        assert!(y.column(1).iter().all(|&v| v == 0.0));
        assert_eq!(
            pca.transform(array![[1.0, 2.0]].view()).unwrap_err(),
            PcaError::FeatureMismatch {
                expected: 1,
                found: 2
            }
        );
        // One row, constant columns: all zeros, no NaN.
        let single = array![[3.0, 3.0]];
        let pca = Pca::fit(single.view(), &mut rng(0, 0)).unwrap();
        assert!(pca
            .transform(single.view())
            .unwrap()
            .iter()
            .all(|v| *v == 0.0));
    }

    #[test]
    fn large_inputs_are_fitted_on_a_seeded_sample() {
        let x = Array2::from_shape_fn((6_000, 3), |(i, j)| ((i * (j + 1)) % 17) as f64);
        let a = Pca::fit(x.view(), &mut rng(9, 0)).unwrap();
        let b = Pca::fit(x.view(), &mut rng(9, 0)).unwrap();
        assert_eq!(a.fit_rows, 5_000);
        assert_eq!(a, b);
    }
}
