//! A one-hidden-layer neural network (multi-layer perceptron) for text and image features.
//!
//! ```text
//! h = ReLU(x W₁ + b₁)            W₁: n_features × hidden
//! p = softmax(h W₂ + b₂)         W₂: hidden × n_classes
//! loss(batch) = mean over the batch of −log p[y]  +  l2 / (2·batch) · (‖W₁‖² + ‖W₂‖²)
//! ```
//!
//! This is scikit-learn's `MLPClassifier(hidden_layer_sizes=(hidden,), activation='relu',
//! solver='adam', alpha=l2)` formulation: Glorot-uniform initialisation (weights and biases drawn
//! from `U(−√(6/(fan_in + fan_out)), +√…)`), mini-batches reshuffled every epoch, and Adam
//! (Kingma & Ba, *Adam: A Method for Stochastic Optimization*, ICLR 2015) with β₁ = 0.9,
//! β₂ = 0.999, ε = 1e-8. ReLU: Nair & Hinton (2010); early stopping: Prechelt, *Early Stopping —
//! But When?* (1998).
//!
//! **Stopping.** With `early_stopping` and at least [`MIN_VALIDATION_ROWS`] held-out rows (a
//! stratified, seeded `validation_fraction` of each class), training stops once the validation
//! cross-entropy has not improved by more than 1e-4 for `patience` epochs, and the weights of the
//! best validation epoch are kept. Otherwise all labeled rows train and training stops once the
//! training loss has not improved by more than 1e-4 for `patience` epochs (scikit-learn's `tol`
//! rule), or after `max_epochs`.
//!
//! **Determinism.** All randomness (initialisation, validation split, batch order) comes from the
//! generator passed to `fit`; the arithmetic is written as plain loops in a fixed order (no
//! platform-tuned matrix kernels), so the same seed gives the same weights. A row's zero features
//! are skipped, which makes sparse text features cheap.
//!
//! **Warm start.** Given a previous network of the same shape (features, hidden units, classes),
//! training continues from its weights (with a fresh Adam state); otherwise it is ignored.

use super::linalg::axpy;
use super::{nan_matrix, row_major, shuffle, validate_training, Classifier, ModelError};
use crate::EngineRng;
use ndarray::{Array1, Array2, ArrayView2};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Fewest held-out rows for which early stopping on a validation slice is used.
pub const MIN_VALIDATION_ROWS: usize = 10;
/// Smallest improvement (of the validation or training loss) that resets the patience count.
const TOL: f64 = 1e-4;
const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const ADAM_EPS: f64 = 1e-8;

/// Hyperparameters of [`Mlp`], unchecked.
///
/// ```
/// use engine::models::mlp::MlpParams;
/// let checked = MlpParams::default().hidden(16).learning_rate(1e-2).check().unwrap();
/// assert!(MlpParams::default().validation_fraction(1.0).check().is_err());
/// # let _ = checked;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MlpParams {
    /// Hidden units (default 64).
    pub hidden: usize,
    /// Adam step size (default 1e-3).
    pub learning_rate: f64,
    /// L2 penalty on the weights, scikit-learn's `alpha` (default 1e-4).
    pub l2: f64,
    /// Most passes over the training rows (default 200).
    pub max_epochs: usize,
    /// Rows per Adam step (default 32; all rows when there are fewer).
    pub batch_size: usize,
    /// Hold out a validation slice and stop when its loss stops improving (default true; only
    /// used with at least [`MIN_VALIDATION_ROWS`] held-out rows).
    pub early_stopping: bool,
    /// Share of each class held out for early stopping (default 0.1).
    pub validation_fraction: f64,
    /// Epochs without improvement before stopping (default 10).
    pub patience: usize,
}

impl Default for MlpParams {
    fn default() -> Self {
        Self {
            hidden: 64,
            learning_rate: 1e-3,
            l2: 1e-4,
            max_epochs: 200,
            batch_size: 32,
            early_stopping: true,
            validation_fraction: 0.1,
            patience: 10,
        }
    }
}

impl MlpParams {
    /// Set the number of hidden units.
    pub fn hidden(mut self, hidden: usize) -> Self {
        self.hidden = hidden;
        self
    }

    /// Set the Adam learning rate.
    pub fn learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Set the L2 penalty.
    pub fn l2(mut self, l2: f64) -> Self {
        self.l2 = l2;
        self
    }

    /// Set the most epochs.
    pub fn max_epochs(mut self, max_epochs: usize) -> Self {
        self.max_epochs = max_epochs;
        self
    }

    /// Set the mini-batch size.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Turn early stopping on a validation slice on or off.
    pub fn early_stopping(mut self, early_stopping: bool) -> Self {
        self.early_stopping = early_stopping;
        self
    }

    /// Set the held-out share for early stopping.
    pub fn validation_fraction(mut self, validation_fraction: f64) -> Self {
        self.validation_fraction = validation_fraction;
        self
    }

    /// Set the patience in epochs.
    pub fn patience(mut self, patience: usize) -> Self {
        self.patience = patience;
        self
    }

    /// Validate every hyperparameter.
    pub fn check(self) -> Result<CheckedMlp, ModelError> {
        if self.hidden == 0 {
            return Err(ModelError::InvalidHidden {
                hidden: self.hidden,
            });
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(ModelError::InvalidLearningRate {
                learning_rate: self.learning_rate,
            });
        }
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return Err(ModelError::InvalidL2 { l2: self.l2 });
        }
        if self.max_epochs == 0 {
            return Err(ModelError::InvalidMaxEpochs {
                max_epochs: self.max_epochs,
            });
        }
        if self.batch_size == 0 {
            return Err(ModelError::InvalidBatchSize {
                batch_size: self.batch_size,
            });
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0) {
            return Err(ModelError::InvalidValidationFraction {
                fraction: self.validation_fraction,
            });
        }
        if self.patience == 0 {
            return Err(ModelError::InvalidPatience {
                patience: self.patience,
            });
        }
        Ok(CheckedMlp(self))
    }
}

/// Validated hyperparameters: the only way to fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckedMlp(MlpParams);

/// Why training stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MlpStop {
    /// `max_epochs` were run.
    MaxEpochs,
    /// The validation loss stopped improving (the best epoch's weights are kept).
    ValidationPlateau,
    /// The training loss stopped improving.
    LossPlateau,
    /// The loss became infinite or NaN (learning rate too large); the last finite weights are kept.
    Diverged,
}

/// The weights of the network, row-major.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Net {
    d: usize,
    h: usize,
    k: usize,
    /// `d × h`
    w1: Vec<f64>,
    b1: Vec<f64>,
    /// `h × k`
    w2: Vec<f64>,
    b2: Vec<f64>,
}

impl Net {
    fn zeros(d: usize, h: usize, k: usize) -> Self {
        Self {
            d,
            h,
            k,
            w1: vec![0.0; d * h],
            b1: vec![0.0; h],
            w2: vec![0.0; h * k],
            b2: vec![0.0; k],
        }
    }

    /// Glorot-uniform weights and biases, as scikit-learn initialises a ReLU network.
    fn init(d: usize, h: usize, k: usize, rng: &mut EngineRng) -> Self {
        let mut net = Self::zeros(d, h, k);
        let bound1 = (6.0 / (d + h) as f64).sqrt();
        let bound2 = (6.0 / (h + k) as f64).sqrt();
        for v in net.w1.iter_mut().chain(net.b1.iter_mut()) {
            *v = rng.gen_range(-bound1..bound1);
        }
        for v in net.w2.iter_mut().chain(net.b2.iter_mut()) {
            *v = rng.gen_range(-bound2..bound2);
        }
        net
    }

    fn parts(&self) -> [&Vec<f64>; 4] {
        [&self.w1, &self.b1, &self.w2, &self.b2]
    }

    fn parts_mut(&mut self) -> [&mut Vec<f64>; 4] {
        [&mut self.w1, &mut self.b1, &mut self.w2, &mut self.b2]
    }

    fn sum_sq_weights(&self) -> f64 {
        self.w1.iter().chain(&self.w2).map(|v| v * v).sum()
    }

    /// Hidden activations and logits of one row.
    fn forward(&self, x: &[f64], hidden: &mut [f64], logits: &mut [f64]) {
        hidden.copy_from_slice(&self.b1);
        for (j, &a) in x.iter().enumerate() {
            if a != 0.0 {
                axpy(hidden, a, &self.w1[j * self.h..(j + 1) * self.h]);
            }
        }
        for v in hidden.iter_mut() {
            *v = v.max(0.0);
        }
        logits.copy_from_slice(&self.b2);
        for (u, &a) in hidden.iter().enumerate() {
            if a != 0.0 {
                axpy(logits, a, &self.w2[u * self.k..(u + 1) * self.k]);
            }
        }
    }

    /// Turn logits into probabilities in place; returns `log Σ exp(logits)`.
    fn softmax(logits: &mut [f64]) -> f64 {
        let m = super::simd::row_max(logits);
        let lse = m + logits.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        for v in logits.iter_mut() {
            *v = (*v - lse).exp();
        }
        lse
    }

    /// Mean cross-entropy (no penalty) over `rows`.
    fn mean_loss(&self, x: &[f64], y: &[usize], rows: &[usize]) -> f64 {
        let (mut hidden, mut logits) = (vec![0.0; self.h], vec![0.0; self.k]);
        let mut total = 0.0;
        for &i in rows {
            self.forward(&x[i * self.d..(i + 1) * self.d], &mut hidden, &mut logits);
            let target = logits[y[i]];
            total += Self::softmax(&mut logits) - target;
        }
        total / rows.len().max(1) as f64
    }

    /// Penalised mean loss of a batch; its gradient goes to `grad` (overwritten).
    fn loss_and_grad(
        &self,
        x: &[f64],
        y: &[usize],
        batch: &[usize],
        l2: f64,
        grad: &mut Net,
    ) -> f64 {
        for part in grad.parts_mut() {
            part.iter_mut().for_each(|v| *v = 0.0);
        }
        let (d, h, k) = (self.d, self.h, self.k);
        let (mut hidden, mut out, mut delta) = (vec![0.0; h], vec![0.0; k], vec![0.0; h]);
        let mut loss = 0.0;
        for &i in batch {
            let row = &x[i * d..(i + 1) * d];
            self.forward(row, &mut hidden, &mut out);
            let target = out[y[i]];
            loss += Self::softmax(&mut out) - target;
            out[y[i]] -= 1.0; // out = p − onehot(y)
            axpy(&mut grad.b2, 1.0, &out);
            for u in 0..h {
                if hidden[u] > 0.0 {
                    let w2u = &self.w2[u * k..(u + 1) * k];
                    delta[u] = out.iter().zip(w2u).map(|(a, b)| a * b).sum();
                    axpy(&mut grad.w2[u * k..(u + 1) * k], hidden[u], &out);
                } else {
                    delta[u] = 0.0;
                }
            }
            axpy(&mut grad.b1, 1.0, &delta);
            for (j, &a) in row.iter().enumerate() {
                if a != 0.0 {
                    axpy(&mut grad.w1[j * h..(j + 1) * h], a, &delta);
                }
            }
        }
        let b = batch.len().max(1) as f64;
        for (g, w) in grad.w1.iter_mut().zip(&self.w1) {
            *g = (*g + l2 * w) / b;
        }
        for (g, w) in grad.w2.iter_mut().zip(&self.w2) {
            *g = (*g + l2 * w) / b;
        }
        for g in grad.b1.iter_mut().chain(grad.b2.iter_mut()) {
            *g /= b;
        }
        loss / b + 0.5 * l2 * self.sum_sq_weights() / b
    }
}

/// Adam's moment estimates and step count.
struct Adam {
    m: Net,
    v: Net,
    beta1_t: f64,
    beta2_t: f64,
}

impl Adam {
    fn new(net: &Net) -> Self {
        Self {
            m: Net::zeros(net.d, net.h, net.k),
            v: Net::zeros(net.d, net.h, net.k),
            beta1_t: 1.0,
            beta2_t: 1.0,
        }
    }

    fn step(&mut self, net: &mut Net, grad: &Net, learning_rate: f64) {
        self.beta1_t *= BETA1;
        self.beta2_t *= BETA2;
        let lr = learning_rate * (1.0 - self.beta2_t).sqrt() / (1.0 - self.beta1_t);
        for (((p, g), m), v) in net
            .parts_mut()
            .into_iter()
            .zip(grad.parts())
            .zip(self.m.parts_mut())
            .zip(self.v.parts_mut())
        {
            for (((p, g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                *m = BETA1 * *m + (1.0 - BETA1) * g;
                *v = BETA2 * *v + (1.0 - BETA2) * g * g;
                *p -= lr * *m / (v.sqrt() + ADAM_EPS);
            }
        }
    }
}

/// A fitted one-hidden-layer network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "MlpData", into = "MlpData")]
pub struct Mlp {
    net: Net,
    n_epochs: usize,
    stop: MlpStop,
    loss_curve: Vec<f64>,
    validation_curve: Vec<f64>,
}

impl CheckedMlp {
    /// Train on rows `x` with labels `y` in `0..n_classes`, drawing every random number from
    /// `rng`; start from `warm` when it has the same shape.
    ///
    /// ```
    /// use ndarray::array;
    /// use engine::{rng, models::{Classifier, mlp::MlpParams}};
    /// let x = array![[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]];
    /// let y = [0, 0, 1, 1]; // XOR
    /// let net = MlpParams::default().learning_rate(0.05).max_epochs(500).check().unwrap()
    ///     .fit(x.view(), &y, 2, None, &mut rng(1, 0)).unwrap();
    /// assert_eq!(net.predict(x.view()), y.to_vec());
    /// ```
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        n_classes: usize,
        warm: Option<&Mlp>,
        rng: &mut EngineRng,
    ) -> Result<Mlp, ModelError> {
        validate_training(x, y, n_classes)?;
        let p = self.0;
        let d = x.ncols();
        let xs = row_major(&x);
        let mut net = match warm {
            Some(w) if (w.net.d, w.net.h, w.net.k) == (d, p.hidden, n_classes) => w.net.clone(),
            _ => Net::init(d, p.hidden, n_classes, rng),
        };
        let (mut train, validation) = split(y, n_classes, p, rng);
        let early = !validation.is_empty();
        let batch = p.batch_size.min(train.len());
        let mut adam = Adam::new(&net);
        let mut grad = Net::zeros(d, p.hidden, n_classes);
        let mut best = (f64::INFINITY, net.clone());
        let mut bad_epochs = 0;
        let mut stop = MlpStop::MaxEpochs;
        let mut loss_curve = Vec::new();
        let mut validation_curve = Vec::new();
        for _ in 0..p.max_epochs {
            let before = net.clone();
            shuffle(rng, &mut train);
            let mut total = 0.0;
            for chunk in train.chunks(batch) {
                let loss = net.loss_and_grad(&xs, y, chunk, p.l2, &mut grad);
                total += loss * chunk.len() as f64;
                adam.step(&mut net, &grad, p.learning_rate);
            }
            let loss = total / train.len() as f64;
            let score = if early {
                net.mean_loss(&xs, y, &validation)
            } else {
                loss
            };
            if !(loss.is_finite() && score.is_finite()) {
                net = before;
                stop = MlpStop::Diverged;
                break;
            }
            loss_curve.push(loss);
            if early {
                validation_curve.push(score);
            }
            if score < best.0 - TOL {
                bad_epochs = 0;
            } else {
                bad_epochs += 1;
            }
            if score < best.0 {
                best.0 = score;
                if early {
                    best.1.clone_from(&net);
                }
            }
            if bad_epochs >= p.patience {
                stop = if early {
                    MlpStop::ValidationPlateau
                } else {
                    MlpStop::LossPlateau
                };
                break;
            }
        }
        if early && best.0.is_finite() {
            net = best.1;
        }
        Ok(Mlp {
            net,
            n_epochs: loss_curve.len(),
            stop,
            loss_curve,
            validation_curve,
        })
    }
}

/// Seeded stratified split into (train, validation) row indices; validation is empty when early
/// stopping is off or would hold out fewer than [`MIN_VALIDATION_ROWS`] rows.
fn split(
    y: &[usize],
    n_classes: usize,
    p: MlpParams,
    rng: &mut EngineRng,
) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..y.len()).collect();
    if !p.early_stopping {
        return (order, Vec::new());
    }
    shuffle(rng, &mut order);
    let mut count = vec![0usize; n_classes];
    for &c in y {
        count[c] += 1;
    }
    let mut quota: Vec<usize> = count
        .iter()
        .map(|&c| (p.validation_fraction * c as f64).floor() as usize)
        .collect();
    let n_val: usize = quota.iter().sum();
    if n_val < MIN_VALIDATION_ROWS || n_val >= y.len() {
        return ((0..y.len()).collect(), Vec::new());
    }
    let (mut train, mut validation) = (Vec::new(), Vec::new());
    for i in order {
        if quota[y[i]] > 0 {
            quota[y[i]] -= 1;
            validation.push(i);
        } else {
            train.push(i);
        }
    }
    // The training order is reshuffled every epoch; keep the split itself in row order.
    train.sort_unstable();
    validation.sort_unstable();
    (train, validation)
}

impl Mlp {
    /// `W₁`, `n_features × hidden`.
    pub fn hidden_weights(&self) -> Array2<f64> {
        let h = self.net.h;
        Array2::from_shape_fn((self.net.d, h), |(j, u)| self.net.w1[j * h + u])
    }

    /// `b₁`, one per hidden unit.
    pub fn hidden_bias(&self) -> Array1<f64> {
        Array1::from(self.net.b1.clone())
    }

    /// `W₂`, `hidden × n_classes`.
    pub fn output_weights(&self) -> Array2<f64> {
        let k = self.net.k;
        Array2::from_shape_fn((self.net.h, k), |(u, c)| self.net.w2[u * k + c])
    }

    /// `b₂`, one per class.
    pub fn output_bias(&self) -> Array1<f64> {
        Array1::from(self.net.b2.clone())
    }

    /// Number of hidden units.
    pub fn hidden(&self) -> usize {
        self.net.h
    }

    /// Epochs run.
    pub fn n_epochs(&self) -> usize {
        self.n_epochs
    }

    /// Why training stopped.
    pub fn stop(&self) -> MlpStop {
        self.stop
    }

    /// Mean penalised training loss after each epoch.
    pub fn loss_curve(&self) -> &[f64] {
        &self.loss_curve
    }

    /// Validation cross-entropy after each epoch (empty without early stopping).
    pub fn validation_curve(&self) -> &[f64] {
        &self.validation_curve
    }
}

impl Classifier for Mlp {
    fn n_classes(&self) -> usize {
        self.net.k
    }

    fn n_features(&self) -> Option<usize> {
        Some(self.net.d)
    }

    fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let (d, k) = (self.net.d, self.net.k);
        if x.ncols() != d {
            return nan_matrix(x.nrows(), k);
        }
        let xs = row_major(&x);
        let (mut hidden, mut logits) = (vec![0.0; self.net.h], vec![0.0; k]);
        let mut p = Array2::zeros((x.nrows(), k));
        for (i, mut out) in p.rows_mut().into_iter().enumerate() {
            self.net
                .forward(&xs[i * d..(i + 1) * d], &mut hidden, &mut logits);
            Net::softmax(&mut logits);
            for (o, v) in out.iter_mut().zip(&logits) {
                *o = *v;
            }
        }
        p
    }
}

/// The serialized form of [`Mlp`], checked for consistent shapes on the way in.
#[derive(Serialize, Deserialize)]
struct MlpData {
    net: Net,
    n_epochs: usize,
    stop: MlpStop,
    loss_curve: Vec<f64>,
    validation_curve: Vec<f64>,
}

impl From<Mlp> for MlpData {
    fn from(m: Mlp) -> Self {
        Self {
            net: m.net,
            n_epochs: m.n_epochs,
            stop: m.stop,
            loss_curve: m.loss_curve,
            validation_curve: m.validation_curve,
        }
    }
}

impl TryFrom<MlpData> for Mlp {
    type Error = ModelError;

    fn try_from(m: MlpData) -> Result<Self, ModelError> {
        let n = &m.net;
        let ok = n.d.checked_mul(n.h) == Some(n.w1.len())
            && n.b1.len() == n.h
            && n.h.checked_mul(n.k) == Some(n.w2.len())
            && n.b2.len() == n.k
            && n.k >= 2;
        if !ok {
            return Err(ModelError::Corrupt {
                what: format!(
                    "network {}×{}×{} with {}, {}, {} and {} parameters",
                    n.d,
                    n.h,
                    n.k,
                    n.w1.len(),
                    n.b1.len(),
                    n.w2.len(),
                    n.b2.len()
                ),
            });
        }
        Ok(Self {
            net: m.net,
            n_epochs: m.n_epochs,
            stop: m.stop,
            loss_curve: m.loss_curve,
            validation_curve: m.validation_curve,
        })
    }
}

#[cfg(test)]
mod tests;
