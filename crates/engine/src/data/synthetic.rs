//! Seeded synthetic datasets: Gaussian blobs (benchmarks, tests) and a rotating-hyperplane stream
//! with concept drift (stream mode).

use super::{DataError, Dataset};
use crate::EngineRng;
use ndarray::Array2;
use rand::Rng;
use rand_distr::StandardNormal;

fn class_names(n: usize) -> Vec<String> {
    let width = n.saturating_sub(1).to_string().len();
    (0..n).map(|k| format!("class_{k:0width$}")).collect()
}

/// `n_rows` rows of `n_classes` isotropic Gaussian blobs in `n_features` dimensions: class centres
/// drawn uniformly from `[−1, 1]^d`, rows `centre + spread · N(0, I)`, classes assigned
/// round-robin (balanced). Every row has a known label.
///
/// ```
/// let d = engine::data::synthetic::blobs(100, 5, 3, 0.5, &mut engine::rng(1, 0)).unwrap();
/// assert_eq!((d.n_rows(), d.n_features(), d.n_classes()), (100, 5, 3));
/// ```
pub fn blobs(
    n_rows: usize,
    n_features: usize,
    n_classes: usize,
    spread: f64,
    rng: &mut EngineRng,
) -> Result<Dataset, DataError> {
    let centres = Array2::from_shape_fn((n_classes, n_features), |_| rng.gen_range(-1.0..1.0));
    let labels: Vec<usize> = (0..n_rows).map(|i| i % n_classes.max(1)).collect();
    let mut features = Array2::zeros((n_rows, n_features));
    for (i, mut row) in features.rows_mut().into_iter().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            let noise: f64 = rng.sample(StandardNormal);
            *v = centres[[labels[i], j]] + spread * noise;
        }
    }
    Dataset::new(
        "blobs",
        (0..n_features).map(|j| format!("x{j}")).collect(),
        features,
        class_names(n_classes),
        labels.into_iter().map(Some).collect(),
    )
}

/// Settings of [`rotating_hyperplane`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HyperplaneOptions {
    /// Rows in stream order.
    pub n_rows: usize,
    /// Dimensions (at least 2).
    pub n_features: usize,
    /// Gradual drift: the weights turn by this angle (radians) per row in the plane of the first
    /// two dimensions.
    pub rotation_per_row: f64,
    /// Abrupt drift: at this row the concept is reversed (`w ← −w`: every label flips).
    pub drift_at: Option<usize>,
    /// Probability that a label is flipped.
    pub noise: f64,
}

impl Default for HyperplaneOptions {
    fn default() -> Self {
        Self {
            n_rows: 2000,
            n_features: 4,
            rotation_per_row: 0.0,
            drift_at: Some(1000),
            noise: 0.05,
        }
    }
}

/// The rotating-hyperplane stream (Hulten, Spencer & Domingos 2001): rows uniform in `[0, 1]^d`,
/// class 1 where `Σ wⱼ(xⱼ − ½) ≥ 0`. Drift changes `w`: gradually, turning it by
/// `rotation_per_row` per row in the plane of the first two dimensions, and abruptly at
/// `drift_at`, where `w ← −w`, so a model trained before the drift is wrong everywhere after it.
///
/// ```
/// use engine::data::synthetic::{rotating_hyperplane, HyperplaneOptions};
/// let d = rotating_hyperplane(&HyperplaneOptions::default(), &mut engine::rng(0, 0)).unwrap();
/// assert_eq!((d.n_rows(), d.n_classes()), (2000, 2));
/// ```
pub fn rotating_hyperplane(
    options: &HyperplaneOptions,
    rng: &mut EngineRng,
) -> Result<Dataset, DataError> {
    let d = options.n_features.max(2);
    let mut w: Vec<f64> = (0..d).map(|_| rng.gen_range(0.5..1.5)).collect();
    let rotate = |w: &mut [f64], angle: f64| {
        let (s, c) = angle.sin_cos();
        let (a, b) = (w[0], w[1]);
        w[0] = c * a - s * b;
        w[1] = s * a + c * b;
    };
    let mut features = Array2::zeros((options.n_rows, d));
    let mut labels = Vec::with_capacity(options.n_rows);
    for (i, mut row) in features.rows_mut().into_iter().enumerate() {
        if options.drift_at == Some(i) {
            w.iter_mut().for_each(|v| *v = -*v);
        }
        rotate(&mut w, options.rotation_per_row);
        let mut z = 0.0;
        for (v, wj) in row.iter_mut().zip(&w) {
            *v = rng.gen::<f64>();
            z += wj * (*v - 0.5);
        }
        let mut label = usize::from(z >= 0.0);
        if options.noise > 0.0 && rng.gen::<f64>() < options.noise {
            label = 1 - label;
        }
        labels.push(Some(label));
    }
    Dataset::new(
        "rotating hyperplane",
        (0..d).map(|j| format!("x{j}")).collect(),
        features,
        class_names(2),
        labels,
    )
}
