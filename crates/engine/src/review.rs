//! Label review: find the given labels the model most disagrees with, so a person can look at
//! them again (keep or change).
//!
//! Every labeled row gets *out-of-fold* probabilities: the labeled rows are split into `k`
//! stratified folds, and each fold is predicted by the model fitted on the other folds, so no
//! row is judged by a model that learned its own (possibly wrong) label. The rows are then ranked
//! as confident learning does (Northcutt, Jiang & Chuang, JAIR 2021, "Confident Learning:
//! Estimating Uncertainty in Dataset Labels"):
//!
//! - the per-class threshold `t_j` is the mean out-of-fold probability of class `j` over the rows
//!   labeled `j` (the model's self-confidence on that class);
//! - a row labeled `ỹ` is *flagged* when some other class `j` has `p_j ≥ t_j` (it lands off the
//!   diagonal of the confident joint);
//! - the ranking score is the normalized margin `max_{j≠ỹ} p_j − p_ỹ` (cleanlab's
//!   `normalized_margin` ordering, higher = more suspicious), flagged rows first.
//!
//! It is written here rather than taken from a crate because no Rust crate implements confident
//! learning; it is a few loops over the out-of-fold matrix.

use crate::data::scale::Standardizer;
use crate::data::Dataset;
use crate::models::{Classifier, ModelError, ModelSpec};
use crate::{rng, EngineRng};
use ndarray::{Array2, ArrayView2, Axis};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Random streams of a review (fold assignment, fits, the flip check's flips).
const STREAM_FOLDS: u64 = 11;
const STREAM_FITS: u64 = 12;
const STREAM_FLIPS: u64 = 13;

/// Everything that can go wrong in a review.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum ReviewError {
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Fewer than 2 folds.
    #[error("a review needs at least 2 folds, got {folds}")]
    TooFewFolds { folds: usize },
    /// Too few labels for the folds.
    #[error(
        "a review with {folds} folds needs at least {folds} labels of 2 classes, there are {labels} \
         (of {classes} classes): label more rows or use fewer folds"
    )]
    TooFewLabels {
        labels: usize,
        classes: usize,
        folds: usize,
    },
    /// Labels and rows disagree in number, or a label is outside the classes.
    #[error("{what}")]
    BadInput { what: String },
    /// A flip share outside (0, 0.5].
    #[error("the share of flipped labels must be in (0, 0.5], got {share}")]
    BadFlipShare { share: f64 },
}

/// How a review runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewOptions {
    /// Folds of the out-of-fold refits (default 5).
    pub folds: usize,
    /// The model refitted on each fold's complement (default: logistic regression).
    pub model: ModelSpec,
    /// Seeds the folds and the fits.
    pub seed: u64,
}

impl Default for ReviewOptions {
    fn default() -> Self {
        Self {
            folds: 5,
            model: ModelSpec::default(),
            seed: 0,
        }
    }
}

/// One labeled row as the review sees it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Suspect {
    /// Index into the labeled rows given to [`review`] (a dataset row for [`review_dataset`]).
    pub row: usize,
    /// The label given.
    pub given: usize,
    /// The class the out-of-fold model finds most likely.
    pub suggested: usize,
    /// `p_given`, the out-of-fold probability of the given label.
    pub self_confidence: f64,
    /// `max_{j≠given} p_j − p_given`: higher = the model disagrees more.
    pub score: f64,
    /// Off the diagonal of the confident joint: another class clears its threshold.
    pub flagged: bool,
}

/// Out-of-fold class probabilities of labeled rows `x` (one row each) with labels `y`: each of
/// `folds` stratified folds is predicted by `model` fitted on the others.
pub fn out_of_fold_proba(
    x: ArrayView2<f64>,
    y: &[usize],
    n_classes: usize,
    options: &ReviewOptions,
) -> Result<Array2<f64>, ReviewError> {
    let folds = options.folds;
    if folds < 2 {
        return Err(ReviewError::TooFewFolds { folds });
    }
    if x.nrows() != y.len() {
        return Err(ReviewError::BadInput {
            what: format!("{} rows but {} labels", x.nrows(), y.len()),
        });
    }
    if let Some(&bad) = y.iter().find(|&&c| c >= n_classes) {
        return Err(ReviewError::BadInput {
            what: format!("label {bad} is outside the {n_classes} classes"),
        });
    }
    let classes_seen = {
        let mut seen = vec![false; n_classes];
        y.iter().for_each(|&c| seen[c] = true);
        seen.iter().filter(|&&s| s).count()
    };
    if y.len() < folds || classes_seen < 2 {
        return Err(ReviewError::TooFewLabels {
            labels: y.len(),
            classes: classes_seen,
            folds,
        });
    }
    // Stratified folds: each class's rows, shuffled, dealt round-robin (continuing from where the
    // previous class stopped, so small classes do not all land in fold 0).
    let mut fold_of = vec![0usize; y.len()];
    let mut order = rng(options.seed, STREAM_FOLDS);
    let mut next = 0usize;
    for class in 0..n_classes {
        let mut rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == class).collect();
        rows.shuffle(&mut order);
        for row in rows {
            fold_of[row] = next % folds;
            next += 1;
        }
    }
    let checked = options.model.check()?;
    let mut fits: EngineRng = rng(options.seed, STREAM_FITS);
    let mut out = Array2::zeros((y.len(), n_classes));
    for fold in 0..folds {
        let (held, train): (Vec<usize>, Vec<usize>) =
            (0..y.len()).partition(|&i| fold_of[i] == fold);
        if held.is_empty() {
            continue;
        }
        let y_train: Vec<usize> = train.iter().map(|&i| y[i]).collect();
        let model = checked.fit(
            x.select(Axis(0), &train).view(),
            &y_train,
            n_classes,
            None,
            &mut fits,
        )?;
        let p = model.predict_proba(x.select(Axis(0), &held).view());
        for (k, &i) in held.iter().enumerate() {
            out.row_mut(i).assign(&p.row(k));
        }
    }
    Ok(out)
}

/// The confident-learning ranking of labels `y` given out-of-fold probabilities `proba`: every
/// row, most suspicious first (by [`Suspect::score`]; ties by row).
///
/// ```
/// use ndarray::array;
/// // Row 2 is labeled 0 but the model is sure it is class 1.
/// let p = array![[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8]];
/// let ranked = engine::review::rank_labels(p.view(), &[0, 0, 0, 1]);
/// assert_eq!(ranked[0].row, 2);
/// assert!(ranked[0].flagged && ranked[0].suggested == 1);
/// ```
pub fn rank_labels(proba: ArrayView2<f64>, y: &[usize]) -> Vec<Suspect> {
    let k = proba.ncols();
    let mut sum = vec![0.0; k];
    let mut count = vec![0usize; k];
    for (row, &c) in proba.rows().into_iter().zip(y) {
        if c < k {
            sum[c] += row[c];
            count[c] += 1;
        }
    }
    // A class nobody labeled has no threshold: it can never be a confident other class.
    let threshold: Vec<f64> = (0..k)
        .map(|j| {
            if count[j] > 0 {
                sum[j] / count[j] as f64
            } else {
                f64::INFINITY
            }
        })
        .collect();
    let mut out: Vec<Suspect> = proba
        .rows()
        .into_iter()
        .zip(y)
        .enumerate()
        .filter(|(_, (_, &given))| given < k)
        .map(|(i, (p, &given))| {
            let (mut other, mut best_other) = (given, f64::NEG_INFINITY);
            for j in (0..k).filter(|&j| j != given) {
                if p[j] > best_other {
                    (other, best_other) = (j, p[j]);
                }
            }
            let flagged = (0..k).any(|j| j != given && p[j] >= threshold[j]);
            Suspect {
                row: i,
                given,
                suggested: if best_other > p[given] { other } else { given },
                self_confidence: p[given],
                score: best_other - p[given],
                flagged,
            }
        })
        .collect();
    // By margin alone: a row that clears no threshold but that the model still places firmly in
    // another class (a threshold pulled down by other wrong labels of that class) stays near the
    // top; `flagged` is shown beside it.
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.row.cmp(&b.row)));
    out
}

/// Review labeled rows `x` (as the model sees them) with labels `y`: out-of-fold probabilities,
/// then [`rank_labels`].
pub fn review(
    x: ArrayView2<f64>,
    y: &[usize],
    n_classes: usize,
    options: &ReviewOptions,
) -> Result<Vec<Suspect>, ReviewError> {
    let proba = out_of_fold_proba(x, y, n_classes, options)?;
    Ok(rank_labels(proba.view(), y))
}

/// Review `labels` (`(dataset row, class)`) of `data`, standardizing the features on those rows;
/// [`Suspect::row`] is the dataset row.
pub fn review_dataset(
    data: &Dataset,
    labels: &[(usize, usize)],
    options: &ReviewOptions,
) -> Result<Vec<Suspect>, ReviewError> {
    let rows: Vec<usize> = labels.iter().map(|&(r, _)| r).collect();
    if let Some(&bad) = rows.iter().find(|&&r| r >= data.n_rows()) {
        return Err(ReviewError::BadInput {
            what: format!("row {bad} is not in the dataset's {} rows", data.n_rows()),
        });
    }
    let x = data.features.select(Axis(0), &rows);
    let x = Standardizer::fit(x.view(), &[]).transform(x.view());
    let y: Vec<usize> = labels.iter().map(|&(_, c)| c).collect();
    let mut ranked = review(x.view(), &y, data.n_classes(), options)?;
    ranked.iter_mut().for_each(|s| s.row = rows[s.row]);
    Ok(ranked)
}

/// The simulated check of a review: label rows with the known labels, flip a seeded `share` of
/// them to another class (uniformly), review, and count the flips among the top-ranked rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlipCheck {
    /// Rows labeled (all rows with a known label).
    pub labels: usize,
    /// Labels flipped.
    pub flipped: usize,
    /// Rows in the top of the ranking that was looked at (`top_share` of the labels).
    pub top: usize,
    /// Flipped labels found there.
    pub caught: usize,
    /// `caught / flipped`.
    pub recall: f64,
    /// Flipped labels among the flagged rows, and how many rows were flagged.
    pub flagged: usize,
    pub flagged_flips: usize,
    /// Accuracy of the given labels before the review, and after accepting the suggestion of every
    /// row in the top share (what a person walking the queue and trusting it would end with).
    pub label_accuracy_before: f64,
    pub label_accuracy_after: f64,
}

/// [`FlipCheck`] on every row of `data` with a known label: `share` of them flipped, the top
/// `top_share` of the ranking looked at.
pub fn flip_check(
    data: &Dataset,
    share: f64,
    top_share: f64,
    options: &ReviewOptions,
) -> Result<FlipCheck, ReviewError> {
    if !(share > 0.0 && share <= 0.5) {
        return Err(ReviewError::BadFlipShare { share });
    }
    let k = data.n_classes();
    let truth: Vec<(usize, usize)> = data
        .known_labels
        .iter()
        .enumerate()
        .filter_map(|(r, l)| l.map(|c| (r, c)))
        .collect();
    if k < 2 {
        return Err(ReviewError::TooFewLabels {
            labels: truth.len(),
            classes: k,
            folds: options.folds,
        });
    }
    let n = truth.len();
    let n_flip = ((n as f64 * share).round() as usize).max(1).min(n);
    let mut flips = rng(options.seed, STREAM_FLIPS);
    let chosen = rand::seq::index::sample(&mut flips, n, n_flip).into_vec();
    let mut flipped = vec![false; n];
    let mut given: Vec<(usize, usize)> = truth.clone();
    for i in chosen {
        flipped[i] = true;
        given[i].1 = (given[i].1 + flips.gen_range(1..k)) % k;
    }
    let ranked = review_dataset(data, &given, options)?;
    let top = ((n as f64 * top_share).round() as usize).min(n);
    let position: std::collections::HashMap<usize, usize> = truth
        .iter()
        .enumerate()
        .map(|(i, &(r, _))| (r, i))
        .collect();
    let is_flip = |row: usize| position.get(&row).is_some_and(|&i| flipped[i]);
    let caught = ranked.iter().take(top).filter(|s| is_flip(s.row)).count();
    let flagged: Vec<&Suspect> = ranked.iter().filter(|s| s.flagged).collect();
    let correct_before = n - n_flip;
    let mut after: std::collections::HashMap<usize, usize> = given.iter().copied().collect();
    for s in ranked.iter().take(top) {
        after.insert(s.row, s.suggested);
    }
    let correct_after = truth
        .iter()
        .filter(|(r, c)| after.get(r) == Some(c))
        .count();
    Ok(FlipCheck {
        labels: n,
        flipped: n_flip,
        top,
        caught,
        recall: caught as f64 / n_flip as f64,
        flagged: flagged.len(),
        flagged_flips: flagged.iter().filter(|s| is_flip(s.row)).count(),
        label_accuracy_before: correct_before as f64 / n as f64,
        label_accuracy_after: correct_after as f64 / n as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(not(target_arch = "wasm32"))]
    use crate::testing::bundled;

    /// The issue's figure: with 10 % of the answers flipped, at least 60 % of the flips are in the
    /// top 10 % of the ranking, on each dataset and seed (the figures per dataset are in
    /// docs/performance.md, from `activelab review --flip 0.1`).
    #[test]
    // Minutes in the browser's debug build, past the test runner's 30 s renderer timeout.
    #[cfg(not(target_arch = "wasm32"))]
    fn flipped_labels_rise_to_the_top_on_iris_wine_and_breast_cancer() {
        for name in ["iris", "wine", "breast_cancer"] {
            let data = bundled(name);
            for seed in 0..3 {
                let options = ReviewOptions {
                    seed,
                    ..ReviewOptions::default()
                };
                let check = flip_check(&data, 0.1, 0.1, &options).unwrap();
                assert!(
                    check.recall >= 0.6,
                    "{name} seed {seed}: {} of {} flips in the top {}",
                    check.caught,
                    check.flipped,
                    check.top
                );
                assert!(
                    check.label_accuracy_after > check.label_accuracy_before,
                    "{check:?}"
                );
                assert_eq!(check, flip_check(&data, 0.1, 0.1, &options).unwrap());
            }
        }
    }

    #[test]
    fn out_of_fold_means_a_row_never_judges_itself() {
        // Two well separated classes and one row labeled against its neighbours: a model that
        // saw that row's label would hedge; out of fold it is confidently the other class.
        let x = ndarray::array![
            [0.0],
            [0.1],
            [0.2],
            [0.3],
            [5.0],
            [5.1],
            [5.2],
            [5.3],
            [0.15]
        ];
        let y = [0, 0, 0, 0, 1, 1, 1, 1, 1];
        let options = ReviewOptions {
            folds: 3,
            ..ReviewOptions::default()
        };
        let ranked = review(x.view(), &y, 2, &options).unwrap();
        assert_eq!(ranked[0].row, 8);
        assert!(ranked[0].flagged);
        assert_eq!(ranked[0].suggested, 0);
        assert!(ranked.iter().skip(1).all(|s| !s.flagged), "{ranked:?}");
    }

    #[test]
    fn too_few_labels_say_how_many() {
        let x = ndarray::array![[0.0], [1.0]];
        assert_eq!(
            review(x.view(), &[0, 1], 2, &ReviewOptions::default())
                .unwrap_err()
                .to_string(),
            "a review with 5 folds needs at least 5 labels of 2 classes, there are 2 (of 2 classes): \
             label more rows or use fewer folds"
        );
    }
}
