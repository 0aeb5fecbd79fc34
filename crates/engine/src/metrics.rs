//! Metrics: score predictions against truth; nothing else.
//!
//! Labels are class indices (`usize`). Unless a function says otherwise, its semantics are those of
//! scikit-learn 1.5 with default arguments, and `tests/reference/metrics.json` (written by
//! `scripts/metrics_reference.py`) holds scikit-learn's values for the unit tests.
//!
//! **Zero division.** Where scikit-learn's default `zero_division="warn"` returns 0 and warns
//! (precision of a class never predicted, recall of a class never true), these functions return 0
//! without a warning.

use std::collections::{BTreeMap, BTreeSet};

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// Errors of metric computations.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum MetricsError {
    /// Truth and predictions have different lengths.
    #[error("{truth} true labels but {predicted} predictions: they must match")]
    LengthMismatch { truth: usize, predicted: usize },
    /// Nothing to score.
    #[error("there is nothing to score: the test set is empty")]
    Empty,
    /// A label is not a valid class index.
    #[error("label {label} is out of range for {n_classes} classes")]
    LabelOutOfRange { label: usize, n_classes: usize },
    /// Log-loss needs at least two probability columns.
    #[error("log-loss needs probabilities for at least 2 classes, got {n_classes}")]
    TooFewClasses { n_classes: usize },
    /// A probability is NaN or infinite.
    #[error("row {row} has a probability that is not a finite number")]
    NonFiniteProbability { row: usize },
    /// The `z` of a confidence interval is not a finite number ≥ 0.
    #[error("the interval's z must be a finite number ≥ 0 (1.96 for 95%), got {z}")]
    InvalidZ { z: f64 },
    /// More successes than trials.
    #[error("{successes} successes out of {n} trials: successes cannot exceed trials")]
    SuccessesExceedTrials { successes: usize, n: usize },
    /// Label counts and accuracies of a learning curve differ in length.
    #[error(
        "{counts} label counts but {accuracies} accuracies: a curve needs one of each per point"
    )]
    CurveMismatch { counts: usize, accuracies: usize },
    /// Label counts of a learning curve go down.
    #[error("label counts must not decrease along a curve, but point {index} has {after} after {before}")]
    DecreasingLabelCount {
        index: usize,
        before: usize,
        after: usize,
    },
}

fn check_pair(truth: &[usize], predicted: &[usize]) -> Result<(), MetricsError> {
    if truth.len() != predicted.len() {
        return Err(MetricsError::LengthMismatch {
            truth: truth.len(),
            predicted: predicted.len(),
        });
    }
    if truth.is_empty() {
        return Err(MetricsError::Empty);
    }
    Ok(())
}

/// The share of predictions equal to the truth.
///
/// ```
/// assert_eq!(engine::metrics::accuracy(&[0, 1, 1, 2], &[0, 1, 2, 2]), Ok(0.75));
/// ```
pub fn accuracy(truth: &[usize], predicted: &[usize]) -> Result<f64, MetricsError> {
    check_pair(truth, predicted)?;
    let hits = truth.iter().zip(predicted).filter(|(a, b)| a == b).count();
    Ok(hits as f64 / truth.len() as f64)
}

/// The confusion matrix `C[t][p]` = number of rows with true class `t` predicted as `p` (rows =
/// truth, columns = prediction), `n_classes × n_classes`: scikit-learn's
/// `confusion_matrix(truth, predicted, labels=range(n_classes))`.
///
/// ```
/// use ndarray::array;
/// let c = engine::metrics::confusion_matrix(&[0, 1, 1], &[0, 0, 1], 2).unwrap();
/// assert_eq!(c, array![[1, 0], [1, 1]]);
/// ```
pub fn confusion_matrix(
    truth: &[usize],
    predicted: &[usize],
    n_classes: usize,
) -> Result<Array2<usize>, MetricsError> {
    check_pair(truth, predicted)?;
    let mut c = Array2::<usize>::zeros((n_classes, n_classes));
    for (&t, &p) in truth.iter().zip(predicted) {
        for label in [t, p] {
            if label >= n_classes {
                return Err(MetricsError::LabelOutOfRange { label, n_classes });
            }
        }
        c[[t, p]] += 1;
    }
    Ok(c)
}

/// Precision, recall, F1 and support of one class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassScores {
    /// The class index.
    pub class: usize,
    /// `tp / (tp + fp)`, 0 if the class is never predicted.
    pub precision: f64,
    /// `tp / (tp + fn)`, 0 if the class never occurs in the truth.
    pub recall: f64,
    /// `2·tp / (2·tp + fp + fn)` (the harmonic mean of precision and recall), 0 if `tp = 0`.
    pub f1: f64,
    /// Number of rows whose true class is this class.
    pub support: usize,
}

/// Per-class precision, recall, F1 and support for every class that occurs in the truth or the
/// predictions, in increasing class order: scikit-learn's
/// `precision_recall_fscore_support(truth, predicted, average=None)` (zero division → 0).
///
/// ```
/// let s = engine::metrics::per_class(&[0, 0, 1], &[0, 1, 1]).unwrap();
/// assert_eq!((s[0].precision, s[0].recall, s[0].support), (1.0, 0.5, 2));
/// assert_eq!((s[1].precision, s[1].recall, s[1].support), (0.5, 1.0, 1));
/// ```
pub fn per_class(truth: &[usize], predicted: &[usize]) -> Result<Vec<ClassScores>, MetricsError> {
    check_pair(truth, predicted)?;
    // (tp, predicted, support) per class that occurs, in one pass.
    let mut counts: BTreeMap<usize, (usize, usize, usize)> = BTreeMap::new();
    for (&t, &p) in truth.iter().zip(predicted) {
        counts.entry(t).or_default().2 += 1;
        let entry = counts.entry(p).or_default();
        entry.1 += 1;
        entry.0 += usize::from(t == p);
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Ok(counts
        .into_iter()
        .map(|(class, (tp, pred, support))| ClassScores {
            class,
            precision: ratio(tp, pred),
            recall: ratio(tp, support),
            f1: ratio(2 * tp, support + pred),
            support,
        })
        .collect())
}

/// Macro-averaged F1: the unweighted mean of [`per_class`] F1 over the classes that occur in the
/// truth or the predictions (scikit-learn's `f1_score(average="macro")`).
///
/// ```
/// let f = engine::metrics::macro_f1(&[0, 0, 1], &[0, 1, 1]).unwrap();
/// assert!((f - 2.0 / 3.0).abs() < 1e-12);
/// ```
pub fn macro_f1(truth: &[usize], predicted: &[usize]) -> Result<f64, MetricsError> {
    let scores = per_class(truth, predicted)?;
    Ok(scores.iter().map(|s| s.f1).sum::<f64>() / scores.len() as f64)
}

/// Balanced accuracy: the mean recall over the classes that occur in the truth (classes only
/// predicted are left out, as scikit-learn's `balanced_accuracy_score` does after its warning).
///
/// ```
/// let b = engine::metrics::balanced_accuracy(&[0, 0, 0, 1], &[0, 0, 0, 0]).unwrap();
/// assert_eq!(b, 0.5);
/// ```
pub fn balanced_accuracy(truth: &[usize], predicted: &[usize]) -> Result<f64, MetricsError> {
    let scores = per_class(truth, predicted)?;
    let present: Vec<f64> = scores
        .iter()
        .filter(|s| s.support > 0)
        .map(|s| s.recall)
        .collect();
    Ok(present.iter().sum::<f64>() / present.len() as f64)
}

/// Mean log-loss (cross-entropy) of class probabilities against the truth:
/// `−(1/n) Σ_i ln clip(p[i, truth_i], ε, 1 − ε)` with `ε = f64::EPSILON`, column `k` = class `k`.
///
/// scikit-learn 1.5's `log_loss(truth, proba, labels=range(K))` semantics: probabilities are
/// clipped to `[ε, 1 − ε]` (so a confident wrong answer costs `−ln ε ≈ 36.04`, not ∞) and rows
/// are **not** renormalised (1.5 only warns when a row does not sum to 1; earlier versions divided
/// by the row sum). Needs at least 2 columns, finite values, and labels below the column count.
///
/// ```
/// use ndarray::array;
/// let l = engine::metrics::log_loss(&[0, 1], array![[0.5, 0.5], [0.0, 1.0]].view()).unwrap();
/// assert!((l - (std::f64::consts::LN_2 + (1.0 - f64::EPSILON).ln().abs()) / 2.0).abs() < 1e-15);
/// ```
pub fn log_loss(truth: &[usize], proba: ArrayView2<f64>) -> Result<f64, MetricsError> {
    if truth.len() != proba.nrows() {
        return Err(MetricsError::LengthMismatch {
            truth: truth.len(),
            predicted: proba.nrows(),
        });
    }
    if truth.is_empty() {
        return Err(MetricsError::Empty);
    }
    let n_classes = proba.ncols();
    if n_classes < 2 {
        return Err(MetricsError::TooFewClasses { n_classes });
    }
    let eps = f64::EPSILON;
    let mut total = 0.0;
    for (row, (&t, p)) in truth.iter().zip(proba.rows()).enumerate() {
        if p.iter().any(|v| !v.is_finite()) {
            return Err(MetricsError::NonFiniteProbability { row });
        }
        let &q = p.get(t).ok_or(MetricsError::LabelOutOfRange {
            label: t,
            n_classes,
        })?;
        total -= q.clamp(eps, 1.0 - eps).ln();
    }
    Ok(total / truth.len() as f64)
}

/// Cohen's kappa (Cohen 1960) between two labelings of the same rows:
/// `κ = 1 − (observed disagreement) / (disagreement expected by chance)`, where with the
/// confusion matrix `C` of `a` against `b` over `n` rows, observed = `Σ_{i≠j} C_ij` and expected =
/// `Σ_{i≠j} r_i c_j / n` (`r`, `c` the row and column sums). Equals scikit-learn's
/// `cohen_kappa_score(a, b)`.
///
/// One deliberate difference: when chance disagreement is 0 (both labelings use one and the same
/// single class, so they agree on every row), scikit-learn 1.5 returns NaN (0/0); this function
/// returns 1, the agreement being perfect — which is what the stabilizing-predictions stopping
/// rule needs.
///
/// ```
/// let k = engine::metrics::cohen_kappa(&[0, 0, 1, 1], &[0, 1, 1, 1]).unwrap();
/// assert!((k - 0.5).abs() < 1e-12);
/// assert_eq!(engine::metrics::cohen_kappa(&[2, 2], &[2, 2]), Ok(1.0));
/// ```
pub fn cohen_kappa(a: &[usize], b: &[usize]) -> Result<f64, MetricsError> {
    check_pair(a, b)?;
    // Only the labels that occur matter (absent ones add empty rows and columns): map them to
    // 0..k so that large label values cannot blow up the matrix.
    let present: Vec<usize> = a
        .iter()
        .chain(b)
        .copied()
        .collect::<BTreeSet<usize>>()
        .into_iter()
        .collect();
    let dense = |l: &usize| present.binary_search(l).unwrap_or(0);
    let n_classes = present.len();
    let a: Vec<usize> = a.iter().map(dense).collect();
    let b: Vec<usize> = b.iter().map(dense).collect();
    let c = confusion_matrix(&a, &b, n_classes)?;
    let n = a.len() as f64;
    let rows = c.sum_axis(ndarray::Axis(1));
    let cols = c.sum_axis(ndarray::Axis(0));
    let mut observed = 0.0;
    let mut expected = 0.0;
    for i in 0..n_classes {
        for j in 0..n_classes {
            if i != j {
                observed += c[[i, j]] as f64;
                expected += rows[i] as f64 * cols[j] as f64 / n;
            }
        }
    }
    if expected == 0.0 {
        return Ok(1.0);
    }
    Ok(1.0 - observed / expected)
}

/// Area under the learning curve, as the plain mean of the accuracies of the curve's points (the
/// comparison protocol's AULC: every recorded round counts the same).
///
/// ```
/// assert_eq!(engine::metrics::aulc_mean(&[0.5, 0.75, 1.0]), Ok(0.75));
/// ```
pub fn aulc_mean(accuracies: &[f64]) -> Result<f64, MetricsError> {
    if accuracies.is_empty() {
        return Err(MetricsError::Empty);
    }
    Ok(accuracies.iter().sum::<f64>() / accuracies.len() as f64)
}

/// Normalised area under the learning curve by the trapezoid rule over label counts:
/// `(1 / (x_last − x_first)) Σ_i (x_{i+1} − x_i) (y_i + y_{i+1}) / 2`, with `x` the label counts
/// (non-decreasing) and `y` the accuracies; scikit-learn's `auc(x, y) / (x[-1] − x[0])`. Unlike
/// [`aulc_mean`] it weights each stretch by how many labels it spans, so curves recorded at uneven
/// label counts compare fairly; a constant curve `c` gives `c`. With one point, or when every
/// count is equal (no width), it returns the mean accuracy.
///
/// ```
/// let a = engine::metrics::aulc_trapezoid(&[2, 4, 10], &[0.5, 0.7, 0.9]).unwrap();
/// assert!((a - (2.0 * 0.6 + 6.0 * 0.8) / 8.0).abs() < 1e-12);
/// ```
pub fn aulc_trapezoid(label_counts: &[usize], accuracies: &[f64]) -> Result<f64, MetricsError> {
    if label_counts.len() != accuracies.len() {
        return Err(MetricsError::CurveMismatch {
            counts: label_counts.len(),
            accuracies: accuracies.len(),
        });
    }
    if accuracies.is_empty() {
        return Err(MetricsError::Empty);
    }
    for (index, w) in label_counts.windows(2).enumerate() {
        if w[1] < w[0] {
            return Err(MetricsError::DecreasingLabelCount {
                index: index + 1,
                before: w[0],
                after: w[1],
            });
        }
    }
    let (first, last) = (label_counts[0], label_counts[label_counts.len() - 1]);
    if last == first {
        return aulc_mean(accuracies);
    }
    let area: f64 = label_counts
        .windows(2)
        .zip(accuracies.windows(2))
        .map(|(x, y)| (x[1] - x[0]) as f64 * (y[0] + y[1]) / 2.0)
        .sum();
    Ok(area / (last - first) as f64)
}

/// The Wilson score interval (Wilson 1927) for a proportion from `successes` out of `n` trials:
/// with `p̂ = successes / n`,
/// `(p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n)`, clamped to `[0, 1]`.
/// `z = 1.959963984540054` gives 95% (scipy's `binomtest(...).proportion_ci(method="wilson")`).
/// Unlike the normal approximation it stays inside `[0, 1]` and is sensible for small `n` and for
/// `p̂` near 0 or 1.
///
/// ```
/// let (lo, hi) = engine::metrics::wilson_interval(8, 10, 1.96).unwrap();
/// assert!(lo < 0.8 && 0.8 < hi && hi < 1.0);
/// ```
pub fn wilson_interval(successes: usize, n: usize, z: f64) -> Result<(f64, f64), MetricsError> {
    if !(z.is_finite() && z >= 0.0) {
        return Err(MetricsError::InvalidZ { z });
    }
    if n == 0 {
        return Err(MetricsError::Empty);
    }
    if successes > n {
        return Err(MetricsError::SuccessesExceedTrials { successes, n });
    }
    let nf = n as f64;
    let p = successes as f64 / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    Ok(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// An accuracy estimate from random probe labels, with its Wilson interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProbeEstimate {
    /// Probes the model got right.
    pub hits: usize,
    /// Probes asked.
    pub n: usize,
    /// `hits / n`: unbiased for the model's accuracy on the pool when the probes were drawn
    /// uniformly at random from it (not chosen by a query strategy).
    pub accuracy: f64,
    /// Lower end of the Wilson interval.
    pub low: f64,
    /// Upper end of the Wilson interval.
    pub high: f64,
}

/// Estimate accuracy from probe queries: rows drawn uniformly at random (by the caller), labeled
/// by the person, and compared with the model's predictions for them. The plain hit rate of a
/// uniform random sample is an unbiased estimate of the model's accuracy on the population it was
/// drawn from; the interval is [`wilson_interval`] with the given `z`.
///
/// ```
/// let e = engine::metrics::probe_accuracy(&[0, 1, 1, 0], &[0, 1, 0, 0], 1.96).unwrap();
/// assert_eq!((e.hits, e.n, e.accuracy), (3, 4, 0.75));
/// assert!(e.low < 0.75 && e.high > 0.75);
/// ```
pub fn probe_accuracy(
    truth: &[usize],
    predicted: &[usize],
    z: f64,
) -> Result<ProbeEstimate, MetricsError> {
    let accuracy = accuracy(truth, predicted)?;
    let hits = truth.iter().zip(predicted).filter(|(a, b)| a == b).count();
    let (low, high) = wilson_interval(hits, truth.len(), z)?;
    Ok(ProbeEstimate {
        hits,
        n: truth.len(),
        accuracy,
        low,
        high,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn accuracy_refuses_mismatch_and_empty() {
        assert_eq!(accuracy(&[], &[]), Err(MetricsError::Empty));
        assert_eq!(
            accuracy(&[1], &[1, 2]).unwrap_err().to_string(),
            "1 true labels but 2 predictions: they must match"
        );
    }

    /// Hand-computed. truth [0,0,0,1,1,2], predicted [0,0,1,1,3,2]:
    /// class 0: tp 2, pred 2, support 3 → P 1, R ⅔, F1 4/5; class 1: tp 1, pred 2, support 2 →
    /// P ½, R ½, F1 ½; class 2: P 1, R 1, F1 1; class 3 (only predicted): P 0, R 0 (zero
    /// division), F1 0. Macro-F1 = (0.8 + 0.5 + 1 + 0)/4 = 0.575. Balanced accuracy over classes
    /// 0–2: (⅔ + ½ + 1)/3 = 13/18.
    #[test]
    fn per_class_by_hand() {
        let t = [0, 0, 0, 1, 1, 2];
        let p = [0, 0, 1, 1, 3, 2];
        let s = per_class(&t, &p).unwrap();
        let want = [
            (0, 1.0, 2.0 / 3.0, 0.8, 3),
            (1, 0.5, 0.5, 0.5, 2),
            (2, 1.0, 1.0, 1.0, 1),
            (3, 0.0, 0.0, 0.0, 0),
        ];
        assert_eq!(s.len(), 4);
        for (got, (c, pr, re, f1, sup)) in s.iter().zip(want) {
            assert_eq!((got.class, got.support), (c, sup));
            assert!((got.precision - pr).abs() < 1e-12);
            assert!((got.recall - re).abs() < 1e-12);
            assert!((got.f1 - f1).abs() < 1e-12);
        }
        assert!((macro_f1(&t, &p).unwrap() - 0.575).abs() < 1e-12);
        assert!((balanced_accuracy(&t, &p).unwrap() - 13.0 / 18.0).abs() < 1e-12);
        assert_eq!(
            confusion_matrix(&t, &p, 4).unwrap(),
            array![[2, 1, 0, 0], [0, 1, 0, 1], [0, 0, 1, 0], [0, 0, 0, 0]]
        );
        assert_eq!(
            confusion_matrix(&t, &p, 3).unwrap_err(),
            MetricsError::LabelOutOfRange {
                label: 3,
                n_classes: 3
            }
        );
    }

    /// Hand-computed: a = [0,0,1,1], b = [0,1,1,1]: observed disagreement 1; rows (2, 2), columns
    /// (1, 3), expected = (2·3 + 2·1)/4 = 2 → κ = ½.
    #[test]
    fn kappa_by_hand() {
        assert!((cohen_kappa(&[0, 0, 1, 1], &[0, 1, 1, 1]).unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(cohen_kappa(&[0, 1], &[1, 0]), Ok(-1.0));
        assert_eq!(cohen_kappa(&[1, 1, 1], &[1, 1, 1]), Ok(1.0));
        assert_eq!(cohen_kappa(&[], &[]), Err(MetricsError::Empty));
        let big = usize::MAX;
        assert_eq!(cohen_kappa(&[0, big], &[big, 0]), Ok(-1.0));
    }

    #[test]
    fn log_loss_clips_and_checks() {
        let eps = f64::EPSILON;
        let l = log_loss(&[0], array![[0.0, 1.0]].view()).unwrap();
        assert!((l + eps.ln()).abs() < 1e-12);
        // Not renormalised: (0.2, 0.2) scores −ln 0.2, not −ln 0.5.
        let l = log_loss(&[1], array![[0.2, 0.2]].view()).unwrap();
        assert!((l + 0.2_f64.ln()).abs() < 1e-15);
        assert_eq!(
            log_loss(&[2], array![[0.5, 0.5]].view()),
            Err(MetricsError::LabelOutOfRange {
                label: 2,
                n_classes: 2
            })
        );
        assert_eq!(
            log_loss(&[0], array![[1.0]].view()),
            Err(MetricsError::TooFewClasses { n_classes: 1 })
        );
        assert_eq!(
            log_loss(&[0], array![[f64::NAN, 0.5]].view()),
            Err(MetricsError::NonFiniteProbability { row: 0 })
        );
    }

    #[test]
    fn curves_and_intervals() {
        assert_eq!(aulc_mean(&[]), Err(MetricsError::Empty));
        assert_eq!(aulc_trapezoid(&[5], &[0.4]), Ok(0.4));
        assert_eq!(aulc_trapezoid(&[3, 3], &[0.4, 0.6]), Ok(0.5));
        assert_eq!(
            aulc_trapezoid(&[3, 2], &[0.4, 0.6])
                .unwrap_err()
                .to_string(),
            "label counts must not decrease along a curve, but point 1 has 2 after 3"
        );
        assert!(aulc_trapezoid(&[1, 2], &[0.4]).is_err());
        let (lo, hi) = wilson_interval(0, 10, 1.96).unwrap();
        assert_eq!(lo, 0.0);
        assert!(hi > 0.0 && hi < 0.35);
        let (lo, hi) = wilson_interval(10, 10, 1.96).unwrap();
        assert!(lo > 0.65 && hi == 1.0);
        assert_eq!(wilson_interval(3, 3, 0.0), Ok((1.0, 1.0)));
        assert!(wilson_interval(4, 3, 1.96).is_err());
        assert!(wilson_interval(1, 3, f64::NAN).is_err());
        assert_eq!(wilson_interval(0, 0, 1.96), Err(MetricsError::Empty));
    }

    /// scikit-learn 1.5.2 / scipy values from `tests/reference/metrics.json`.
    mod reference {
        use super::*;
        use crate::testing::{floats, reference};
        use serde_json::Value;

        const TOL: f64 = 1e-12;

        fn labels(v: &Value) -> Vec<usize> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as usize)
                .collect()
        }

        fn close(what: &str, got: f64, want: f64) {
            let dev = (got - want).abs();
            assert!(
                dev <= TOL,
                "{what}: got {got}, sklearn {want}, |Δ| = {dev:e}"
            );
            eprintln!("{what}: |Δ| vs reference = {dev:e}");
        }

        #[test]
        fn classification_matches_sklearn() {
            let r = &reference("metrics")["classification"];
            let t = labels(&r["truth"]);
            let p = labels(&r["predicted"]);
            close(
                "accuracy",
                accuracy(&t, &p).unwrap(),
                r["accuracy"].as_f64().unwrap(),
            );
            close(
                "balanced accuracy",
                balanced_accuracy(&t, &p).unwrap(),
                r["balanced_accuracy"].as_f64().unwrap(),
            );
            close(
                "macro F1",
                macro_f1(&t, &p).unwrap(),
                r["macro_f1"].as_f64().unwrap(),
            );
            close(
                "kappa",
                cohen_kappa(&t, &p).unwrap(),
                r["cohen_kappa"].as_f64().unwrap(),
            );
            let pc = &r["per_class"];
            let scores = per_class(&t, &p).unwrap();
            assert_eq!(
                scores.iter().map(|s| s.class).collect::<Vec<_>>(),
                labels(&pc["labels"])
            );
            assert_eq!(
                scores.iter().map(|s| s.support).collect::<Vec<_>>(),
                labels(&pc["support"])
            );
            for (key, get) in [
                (
                    "precision",
                    (|s: &ClassScores| s.precision) as fn(&ClassScores) -> f64,
                ),
                ("recall", |s| s.recall),
                ("f1", |s| s.f1),
            ] {
                for (s, want) in scores.iter().zip(floats(&pc[key])) {
                    close(key, get(s), want);
                }
            }
            let n = r["n_classes"].as_u64().unwrap() as usize;
            let c = confusion_matrix(&t, &p, n).unwrap();
            let want: Vec<Vec<usize>> = r["confusion_matrix"]
                .as_array()
                .unwrap()
                .iter()
                .map(labels)
                .collect();
            for (i, row) in want.iter().enumerate() {
                assert_eq!(c.row(i).to_vec(), *row, "confusion row {i}");
            }
        }

        #[test]
        fn kappa_log_loss_aulc_wilson_match() {
            let r = reference("metrics");
            for case in r["kappa"].as_array().unwrap() {
                close(
                    "kappa",
                    cohen_kappa(&labels(&case["a"]), &labels(&case["b"])).unwrap(),
                    case["kappa"].as_f64().unwrap(),
                );
            }
            for case in r["log_loss"].as_array().unwrap() {
                let rows: Vec<Vec<f64>> = case["proba"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(floats)
                    .collect();
                let proba =
                    Array2::from_shape_vec((rows.len(), rows[0].len()), rows.concat()).unwrap();
                close(
                    "log-loss",
                    log_loss(&labels(&case["truth"]), proba.view()).unwrap(),
                    case["log_loss"].as_f64().unwrap(),
                );
            }
            for case in r["aulc"].as_array().unwrap() {
                let counts = labels(&case["label_counts"]);
                let acc = floats(&case["accuracies"]);
                close(
                    "AULC mean",
                    aulc_mean(&acc).unwrap(),
                    case["mean"].as_f64().unwrap(),
                );
                close(
                    "AULC trapezoid",
                    aulc_trapezoid(&counts, &acc).unwrap(),
                    case["trapezoid_normalised"].as_f64().unwrap(),
                );
            }
            for case in r["wilson"].as_array().unwrap() {
                let (lo, hi) = wilson_interval(
                    case["successes"].as_u64().unwrap() as usize,
                    case["n"].as_u64().unwrap() as usize,
                    case["z"].as_f64().unwrap(),
                )
                .unwrap();
                close("Wilson low", lo, case["low"].as_f64().unwrap());
                close("Wilson high", hi, case["high"].as_f64().unwrap());
            }
        }
    }
}

/// Ranges and consistency on random labelings.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn metrics_stay_in_range(pairs in proptest::collection::vec((0usize..5, 0usize..5), 1..40)) {
            let (t, p): (Vec<usize>, Vec<usize>) = pairs.into_iter().unzip();
            let acc = accuracy(&t, &p).unwrap();
            let bal = balanced_accuracy(&t, &p).unwrap();
            let f1 = macro_f1(&t, &p).unwrap();
            let kappa = cohen_kappa(&t, &p).unwrap();
            for v in [acc, bal, f1] {
                prop_assert!((0.0..=1.0).contains(&v));
            }
            prop_assert!((-1.0..=1.0 + 1e-12).contains(&kappa), "kappa {}", kappa);
            let c = confusion_matrix(&t, &p, 5).unwrap();
            prop_assert_eq!(c.sum(), t.len());
            let hits = c.diag().sum();
            prop_assert!((hits as f64 / t.len() as f64 - acc).abs() < 1e-15);
            let e = probe_accuracy(&t, &p, 1.96).unwrap();
            prop_assert!(e.low <= e.accuracy + 1e-15 && e.accuracy <= e.high + 1e-15);
            prop_assert!(0.0 <= e.low && e.high <= 1.0);
            prop_assert_eq!(cohen_kappa(&t, &t).unwrap(), 1.0);
        }
    }
}
