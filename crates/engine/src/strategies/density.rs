//! Information density (Settles & Craven 2008, "An analysis of active learning strategies for
//! sequence labeling tasks", EMNLP; Settles 2009, §5.1): weight an informativeness score by how
//! representative a row is of the pool, so that outliers are not asked first.
//!
//! `score(x) = φ(x) · sim(x)^β` with `sim(x) = (1/|R|) Σ_{r ∈ R} s(x, r)` the mean similarity of
//! `x` to the reference rows `R` (the whole pool, itself included, as in modAL), and `φ` any
//! uncertainty or disagreement score (e.g. [`super::uncertainty::entropy_scores`]).

use ndarray::{ArrayView1, ArrayView2};
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::diversity::sq_dist;
use super::StrategyError;

/// The similarity `s(a, b)` averaged by [`information_density`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Similarity {
    /// `s = 1 / (1 + ‖a − b‖₂)`: modAL's `information_density(X, metric='euclidean')`.
    Euclidean,
    /// `s = 1 / (1 + d_cos)` with the cosine distance `d_cos = clamp(1 − a·b / (‖a‖‖b‖), 0, 2)`
    /// (a zero vector has cosine similarity 0 to everything, and distance 0 to itself): modAL's
    /// `information_density(X, metric='cosine')`, which goes through scikit-learn's
    /// `cosine_distances`.
    Cosine,
}

/// Options of [`information_density`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DensityOptions {
    /// Which similarity to average.
    pub similarity: Similarity,
    /// Largest number of reference rows. With a larger pool, each row's mean similarity is taken
    /// over `max_reference` pool rows drawn once without replacement by the generator (the same
    /// sample for every row), an unbiased estimate of the full mean that keeps the cost at
    /// `O(n · max_reference · d)` instead of `O(n² · d)`. Must be at least 1.
    pub max_reference: usize,
}

impl Default for DensityOptions {
    /// Euclidean similarity, at most 2,000 reference rows.
    fn default() -> Self {
        DensityOptions {
            similarity: Similarity::Euclidean,
            max_reference: 2_000,
        }
    }
}

/// The reference rows: all of `0..n` when `n ≤ cap`, else `cap` distinct rows drawn by `rng`
/// (sorted). `rand::seq::index::sample` draws `u32`s for lengths below 2³², so native and wasm
/// builds draw the same rows.
pub(crate) fn reference_rows<R: Rng>(n: usize, cap: usize, rng: &mut R) -> Vec<usize> {
    if n <= cap {
        return (0..n).collect();
    }
    let mut rows = rand::seq::index::sample(rng, n, cap).into_vec();
    rows.sort_unstable();
    rows
}

fn similarity(kind: Similarity, a: ArrayView1<f64>, b: ArrayView1<f64>, na: f64, nb: f64) -> f64 {
    let d = match kind {
        Similarity::Euclidean => sq_dist(a, b).sqrt(),
        Similarity::Cosine => {
            let cos = if na == 0.0 || nb == 0.0 {
                0.0
            } else {
                a.dot(&b) / (na * nb)
            };
            (1.0 - cos).clamp(0.0, 2.0)
        }
    };
    1.0 / (1.0 + d)
}

/// The information density `sim(x)` of every pool row: the mean similarity (see [`Similarity`]) of
/// the row to the reference rows, which are the whole pool (the row itself included, similarity 1)
/// or, for pools larger than [`DensityOptions::max_reference`], a seeded random subsample of that
/// size. Values lie in `(0, 1]`; with the whole pool as reference they equal modAL's
/// `information_density`. An empty pool gives an empty vector.
///
/// ```
/// use ndarray::array;
/// use engine::strategies::density::{information_density, DensityOptions};
/// // Distances 0 and 3: density = (1 + 1/4) / 2 for both rows.
/// let pool = array![[0.0, 0.0], [3.0, 0.0]];
/// let d = information_density(pool.view(), &DensityOptions::default(), &mut engine::rng(0, 0)).unwrap();
/// assert_eq!(d, vec![0.625, 0.625]);
/// ```
pub fn information_density<R: Rng>(
    pool: ArrayView2<f64>,
    options: &DensityOptions,
    rng: &mut R,
) -> Result<Vec<f64>, StrategyError> {
    if options.max_reference == 0 {
        return Err(StrategyError::invalid(
            "max_reference (reference rows for information density)",
            "at least 1",
            0.0,
        ));
    }
    let n = pool.nrows();
    let refs = reference_rows(n, options.max_reference, rng);
    let norms: Vec<f64> = match options.similarity {
        Similarity::Cosine => pool.rows().into_iter().map(|r| r.dot(&r).sqrt()).collect(),
        Similarity::Euclidean => vec![0.0; n],
    };
    Ok((0..n)
        .map(|i| {
            let total: f64 = refs
                .iter()
                .map(|&j| {
                    if i == j {
                        1.0
                    } else {
                        similarity(
                            options.similarity,
                            pool.row(i),
                            pool.row(j),
                            norms[i],
                            norms[j],
                        )
                    }
                })
                .sum();
            total / refs.len() as f64
        })
        .collect())
}

/// Information-density scores (Settles & Craven 2008, eq. 5.1 in Settles 2009):
/// `score_i = informativeness_i · density_i^β`, with `density` from [`information_density`].
/// `β = 0` is plain uncertainty sampling; larger `β` favours dense regions more. `β` must be a
/// finite number ≥ 0.
///
/// ```
/// use engine::strategies::density::density_weighted_scores;
/// let s = density_weighted_scores(&[0.5, 0.5], &[0.25, 1.0], 2.0).unwrap();
/// assert_eq!(s, vec![0.03125, 0.5]);
/// ```
pub fn density_weighted_scores(
    informativeness: &[f64],
    density: &[f64],
    beta: f64,
) -> Result<Vec<f64>, StrategyError> {
    if !(beta.is_finite() && beta >= 0.0) {
        return Err(StrategyError::invalid(
            "beta (density exponent)",
            "a finite number ≥ 0",
            beta,
        ));
    }
    if density.len() != informativeness.len() {
        return Err(StrategyError::LengthMismatch {
            what: "the density vector".to_string(),
            found: density.len(),
            rows: informativeness.len(),
        });
    }
    Ok(informativeness
        .iter()
        .zip(density)
        .map(|(&u, &d)| u * d.powf(beta))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;
    use ndarray::{array, Array2};

    /// Hand-computed on three points (0,0), (3,4), (0,1): Euclidean distances 5, 1, √18.
    #[test]
    fn euclidean_density_by_hand() {
        let pool = array![[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]];
        let d =
            information_density(pool.view(), &DensityOptions::default(), &mut rng(0, 0)).unwrap();
        let s18 = 1.0 / (1.0 + 18.0_f64.sqrt());
        let want = [
            (1.0 + 1.0 / 6.0 + 0.5) / 3.0,
            (1.0 / 6.0 + 1.0 + s18) / 3.0,
            (0.5 + s18 + 1.0) / 3.0,
        ];
        for (a, b) in d.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{d:?}");
        }
    }

    /// Hand-computed cosine: (1,0), (0,2), (1,1), (0,0). cos((1,0),(1,1)) = 1/√2, so
    /// d = 1 − 1/√2 and s = 1/(2 − 1/√2); orthogonal rows d = 1, s = ½; the zero row d = 1, s = ½.
    #[test]
    fn cosine_density_by_hand() {
        let pool = array![[1.0, 0.0], [0.0, 2.0], [1.0, 1.0], [0.0, 0.0]];
        let opts = DensityOptions {
            similarity: Similarity::Cosine,
            ..DensityOptions::default()
        };
        let d = information_density(pool.view(), &opts, &mut rng(0, 0)).unwrap();
        let s45 = 1.0 / (2.0 - std::f64::consts::FRAC_1_SQRT_2);
        let want = [
            (1.0 + 0.5 + s45 + 0.5) / 4.0,
            (0.5 + 1.0 + s45 + 0.5) / 4.0,
            (s45 + s45 + 1.0 + 0.5) / 4.0,
            (0.5 + 0.5 + 0.5 + 1.0) / 4.0,
        ];
        for (a, b) in d.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{d:?}");
        }
    }

    #[test]
    fn large_pools_use_a_seeded_subsample() {
        let n = 50;
        let pool = Array2::from_shape_fn((n, 2), |(i, j)| (i * (j + 1)) as f64 * 0.1);
        let opts = DensityOptions {
            max_reference: 10,
            ..DensityOptions::default()
        };
        let a = information_density(pool.view(), &opts, &mut rng(9, 0)).unwrap();
        let b = information_density(pool.view(), &opts, &mut rng(9, 0)).unwrap();
        assert_eq!(a, b);
        let full =
            information_density(pool.view(), &DensityOptions::default(), &mut rng(9, 0)).unwrap();
        assert_ne!(a, full);
        assert!(a.iter().all(|&v| v > 0.0 && v <= 1.0));
        assert!(information_density(
            pool.view(),
            &DensityOptions {
                max_reference: 0,
                ..opts
            },
            &mut rng(0, 0)
        )
        .is_err());
    }

    #[test]
    fn weighted_scores_check_inputs() {
        assert!(density_weighted_scores(&[1.0], &[1.0, 2.0], 1.0).is_err());
        assert_eq!(
            density_weighted_scores(&[1.0], &[0.5], f64::NAN)
                .unwrap_err()
                .to_string(),
            "beta (density exponent) must be a finite number ≥ 0, got NaN"
        );
        assert_eq!(
            density_weighted_scores(&[0.3], &[0.5], 0.0).unwrap(),
            vec![0.3]
        );
    }
}
