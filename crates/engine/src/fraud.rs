//! A fraud-shaped stream: a rare positive class (1–5 %), labels that arrive only some rows after
//! they are asked for, and a rare class whose pattern moves half-way (drift). Samplers that may
//! ask for a share of the labels are judged as fraud teams judge them: by the rare class's recall
//! and precision (and the precision–recall curve), not by accuracy, which "always legit" would
//! win at 98 %.
//!
//! The run is test-then-train: every row is scored first (the probability of the rare class),
//! then the sampler decides whether to ask; an asked label arrives `delay` rows later, and the
//! model is refitted every `refit_every` rows on the labels that have arrived within the last
//! `memory` rows. Every sampler but "ask everything" keeps to the same budget: after `t` rows at
//! most `⌈B·t⌉` labels were asked (the test of [`crate::strategies::stream`]).

use crate::data::scale::Standardizer;
use crate::data::Dataset;
use crate::models::{Classifier, FittedModel, ModelSpec};
use crate::rng;
use crate::session::SessionError;
use crate::strategies::stream::{StreamConfig, StreamPolicy, StreamSampler};
use ndarray::{Array2, Axis};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

const STREAM_DATA: u64 = 21;
const STREAM_SAMPLER: u64 = 22;
const STREAM_FIT: u64 = 23;

/// The rare class's index in [`fraud_data`] (class 0 is "legit").
pub const RARE: usize = 1;

/// Settings of a fraud-shaped stream and of the runs over it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FraudOptions {
    /// Rows in the stream.
    pub rows: usize,
    /// Share of rows of the rare class (0.01 to 0.05 is fraud-shaped).
    pub positive_rate: f64,
    /// Rows between asking for a label and getting it.
    pub delay: usize,
    /// Row from which the rare class follows its new pattern (`None`: no drift).
    pub drift_at: Option<usize>,
    /// Share of rows that may be labeled.
    pub budget: f64,
    /// Labels older than this many rows are forgotten (so the model can follow the drift).
    pub memory: usize,
    /// The model is refitted every this many rows (when labels arrived).
    pub refit_every: usize,
    /// A point of the charts every this many rows.
    pub report_every: usize,
    /// The model.
    pub model: ModelSpec,
}

impl Default for FraudOptions {
    fn default() -> Self {
        Self {
            rows: 6000,
            positive_rate: 0.02,
            delay: 100,
            drift_at: Some(3000),
            budget: 0.05,
            memory: 1500,
            refit_every: 50,
            report_every: 500,
            model: ModelSpec::default(),
        }
    }
}

impl FraudOptions {
    fn check(&self) -> Result<(), SessionError> {
        let bad = |reason: String| Err(SessionError::BadSplit { reason });
        if self.rows < 100 {
            return bad(format!(
                "a fraud stream needs at least 100 rows, got {}",
                self.rows
            ));
        }
        if !(self.positive_rate > 0.0 && self.positive_rate <= 0.5) {
            return bad(format!(
                "the rare class's share must be in (0, 0.5], got {}",
                self.positive_rate
            ));
        }
        if !(0.0..=1.0).contains(&self.budget) {
            return bad(format!("the budget must be in [0, 1], got {}", self.budget));
        }
        Ok(())
    }
}

/// Who decides which labels to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FraudSampler {
    /// Every label (the reference; ignores the budget).
    AskEverything,
    /// Each row with probability `B`.
    Random,
    /// Variable uncertainty (Žliobaitė et al. 2014): rows the model is unsure about.
    Uncertainty,
    /// Rows the model finds most suspicious (`p_rare` above a threshold that rises after every
    /// ask and falls otherwise, randomized as Žliobaitė's Algorithm 4), with half the budget's
    /// rate asked at random so that a new pattern of the rare class gets noticed.
    Suspicion,
}

impl FraudSampler {
    /// Every sampler, the references first.
    pub const ALL: [FraudSampler; 4] = [
        FraudSampler::AskEverything,
        FraudSampler::Random,
        FraudSampler::Uncertainty,
        FraudSampler::Suspicion,
    ];

    /// A name for tables and charts.
    pub fn label(self) -> &'static str {
        match self {
            FraudSampler::AskEverything => "ask everything",
            FraudSampler::Random => "random at budget",
            FraudSampler::Uncertainty => "uncertainty",
            FraudSampler::Suspicion => "most suspicious",
        }
    }
}

/// The rare class's recall and precision over a stretch of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FraudPoint {
    /// Rows seen so far.
    pub seen: usize,
    /// Labels asked so far.
    pub labels: usize,
    /// Recall of the rare class over the last `report_every` rows (`None`: none there).
    pub recall: Option<f64>,
    /// Precision over the last `report_every` rows (`None`: nothing predicted rare).
    pub precision: Option<f64>,
}

/// One point of the precision–recall curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PrPoint {
    pub recall: f64,
    pub precision: f64,
}

/// The result of one sampler over the stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FraudRun {
    pub sampler: FraudSampler,
    /// Labels asked, and how many of them were of the rare class.
    pub asked: usize,
    pub rare_asked: usize,
    /// The rare class's recall and precision over the whole stream (predicted rare when
    /// `p_rare ≥ 0.5`), and its average precision (the area under the PR curve).
    pub recall: f64,
    pub precision: f64,
    pub average_precision: f64,
    /// Accuracy, for comparison (misleading on a rare class).
    pub accuracy: f64,
    pub points: Vec<FraudPoint>,
    /// The precision–recall curve of `p_rare` over the whole stream (at most 50 points).
    pub pr_curve: Vec<PrPoint>,
}

/// A fraud-shaped stream of `rows` rows with 4 features: "legit" rows ~ N(0, I), rare rows
/// ~ N(μ, 0.7²·I) with μ = (2, 2, 0, 0) before `drift_at` and (0, 2, 2, 0) after it (the rare
/// pattern moves; the legit rows do not).
///
/// ```
/// use engine::fraud::{fraud_data, FraudOptions};
/// let d = fraud_data(&FraudOptions::default(), 1).unwrap();
/// let rare = d.known_labels.iter().filter(|l| **l == Some(1)).count();
/// assert!(rare > 80 && rare < 160, "{rare} of 6000");
/// ```
pub fn fraud_data(options: &FraudOptions, seed: u64) -> Result<Dataset, SessionError> {
    options.check()?;
    let mut g = rng(seed, STREAM_DATA);
    let d = 4;
    let mut x = Array2::zeros((options.rows, d));
    let mut labels = Vec::with_capacity(options.rows);
    for (i, mut row) in x.rows_mut().into_iter().enumerate() {
        let rare = g.gen::<f64>() < options.positive_rate;
        let drifted = options.drift_at.is_some_and(|at| i >= at);
        let mean = match (rare, drifted) {
            (false, _) => [0.0; 4],
            (true, false) => [2.0, 2.0, 0.0, 0.0],
            (true, true) => [0.0, 2.0, 2.0, 0.0],
        };
        let spread = if rare { 0.7 } else { 1.0 };
        for (v, m) in row.iter_mut().zip(mean) {
            let z: f64 = g.sample(StandardNormal);
            *v = m + spread * z;
        }
        labels.push(Some(usize::from(rare)));
    }
    Ok(Dataset::new(
        "fraud stream",
        (0..d).map(|j| format!("x{j}")).collect(),
        x,
        vec!["legit".into(), "fraud".into()],
        labels,
    )?)
}

/// The budgeted "most suspicious" rule ([`FraudSampler::Suspicion`]).
struct Suspicion {
    budget: f64,
    threshold: f64,
    seen: usize,
    spent: usize,
}

impl Suspicion {
    /// Step of the threshold after each row, and the spread of its randomization.
    const STEP: f64 = 0.02;
    const SPREAD: f64 = 0.5;
    /// The share of the budget's rate spent on random asks.
    const EXPLORE: f64 = 0.5;

    fn decide(&mut self, p_rare: f64, rng: &mut impl Rng) -> bool {
        self.seen += 1;
        if self.spent as f64 / self.seen as f64 >= self.budget {
            return false;
        }
        // Half the budget's rate asked at random: a new pattern of the rare class scores low
        // until some of its rows are labeled, and only random asks find those.
        if rng.gen::<f64>() < Self::EXPLORE * self.budget {
            self.spent += 1;
            return true;
        }
        let eta: f64 = 1.0 + Self::SPREAD * rng.sample::<f64, _>(StandardNormal);
        let ask = p_rare >= self.threshold * eta;
        if ask {
            self.spent += 1;
            self.threshold = (self.threshold * (1.0 + Self::STEP)).min(1.0);
        } else {
            self.threshold *= 1.0 - Self::STEP;
        }
        ask
    }
}

/// Run `sampler` over `data` (a stream in row order, class [`RARE`] the rare one).
pub fn fraud_run(
    data: &Dataset,
    options: &FraudOptions,
    sampler: FraudSampler,
    seed: u64,
) -> Result<FraudRun, SessionError> {
    options.check()?;
    let n = data.n_rows();
    let checked = options.model.check()?;
    // Standardized with the first rows' statistics: the future is unknown to a stream.
    let head: Vec<usize> = (0..n.min(500)).collect();
    let x = Standardizer::fit(data.features.view(), &head).transform(data.features.view());
    let mut draws = rng(seed, STREAM_SAMPLER);
    let mut fits = rng(seed, STREAM_FIT);
    let mut uncertainty = StreamSampler::new(StreamConfig::new(
        StreamPolicy::VariableUncertainty,
        options.budget,
    ))?;
    let mut random = StreamSampler::new(StreamConfig::new(StreamPolicy::Random, options.budget))?;
    let mut suspicion = Suspicion {
        budget: options.budget,
        threshold: 0.5,
        seen: 0,
        spent: 0,
    };
    // (arrival row, row, label) of labels asked and not yet arrived; (row, label) arrived.
    let mut in_flight: VecDeque<(usize, usize, usize)> = VecDeque::new();
    let mut known: VecDeque<(usize, usize)> = VecDeque::new();
    let mut model: Option<FittedModel> = None;
    let mut fresh = false;
    let (mut asked, mut rare_asked) = (0, 0);
    let mut scored: Vec<(f64, bool)> = Vec::with_capacity(n);
    let mut points = Vec::new();
    let (mut tp, mut fp, mut fn_, mut hits) = (0usize, 0usize, 0usize, 0usize);
    let (mut w_tp, mut w_fp, mut w_fn) = (0usize, 0usize, 0usize);
    for row in 0..n {
        while in_flight.front().is_some_and(|&(at, _, _)| at <= row) {
            if let Some((_, r, y)) = in_flight.pop_front() {
                known.push_back((r, y));
                fresh = true;
            }
        }
        while known
            .front()
            .is_some_and(|&(r, _)| r + options.memory < row)
        {
            known.pop_front();
        }
        if fresh && row % options.refit_every.max(1) == 0 {
            let rows: Vec<usize> = known.iter().map(|&(r, _)| r).collect();
            let y: Vec<usize> = known.iter().map(|&(_, y)| y).collect();
            if y.contains(&RARE) && y.iter().any(|&c| c != RARE) {
                model = Some(checked.fit(
                    x.select(Axis(0), &rows).view(),
                    &y,
                    2,
                    model.as_ref(),
                    &mut fits,
                )?);
                fresh = false;
            }
        }
        let proba = model
            .as_ref()
            .map(|m| m.predict_proba(x.slice(ndarray::s![row..row + 1, ..])));
        let truth = data.known_labels[row];
        if let (Some(p), Some(t)) = (&proba, truth) {
            let p_rare = p[[0, RARE]];
            let said = p_rare >= 0.5;
            let is = t == RARE;
            scored.push((p_rare, is));
            hits += usize::from(said == is);
            match (said, is) {
                (true, true) => (tp += 1, w_tp += 1),
                (true, false) => (fp += 1, w_fp += 1),
                (false, true) => (fn_ += 1, w_fn += 1),
                (false, false) => ((), ()),
            };
        }
        // Without a model every selective sampler asks at random within its budget.
        let unsure = ndarray::array![0.5, 0.5];
        let ask = match sampler {
            FraudSampler::AskEverything => true,
            FraudSampler::Random => random.decide(unsure.view(), &mut draws)?.ask,
            FraudSampler::Uncertainty => {
                let row_p = proba.as_ref().map(|p| p.row(0).to_owned());
                let view = row_p.as_ref().map_or(unsure.view(), |p| p.view());
                uncertainty.decide(view, &mut draws)?.ask
            }
            FraudSampler::Suspicion => {
                let p_rare = proba.as_ref().map_or(1.0, |p| p[[0, RARE]]);
                suspicion.decide(p_rare, &mut draws)
            }
        };
        if let (true, Some(t)) = (ask, truth) {
            asked += 1;
            rare_asked += usize::from(t == RARE);
            in_flight.push_back((row + options.delay, row, t));
        }
        if (row + 1) % options.report_every.max(1) == 0 || row + 1 == n {
            points.push(FraudPoint {
                seen: row + 1,
                labels: asked,
                recall: ratio(w_tp, w_tp + w_fn),
                precision: ratio(w_tp, w_tp + w_fp),
            });
            (w_tp, w_fp, w_fn) = (0, 0, 0);
        }
    }
    let (pr_curve, average_precision) = pr_curve(&mut scored);
    Ok(FraudRun {
        sampler,
        asked,
        rare_asked,
        recall: ratio(tp, tp + fn_).unwrap_or(0.0),
        precision: ratio(tp, tp + fp).unwrap_or(0.0),
        average_precision,
        accuracy: ratio(hits, scored.len()).unwrap_or(0.0),
        points,
        pr_curve,
    })
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The precision–recall curve of `(score, is rare)` pairs (thresholds at every distinct score,
/// thinned to at most 50 points) and the average precision `Σ (R_i − R_{i−1}) · P_i`
/// (scikit-learn's `average_precision_score`).
fn pr_curve(scored: &mut [(f64, bool)]) -> (Vec<PrPoint>, f64) {
    let positives = scored.iter().filter(|s| s.1).count();
    if positives == 0 {
        return (Vec::new(), 0.0);
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut curve = Vec::new();
    let (mut tp, mut fp, mut ap, mut last_recall) = (0usize, 0usize, 0.0, 0.0);
    let mut i = 0;
    while i < scored.len() {
        let score = scored[i].0;
        while i < scored.len() && scored[i].0 == score {
            if scored[i].1 {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        let recall = tp as f64 / positives as f64;
        let precision = tp as f64 / (tp + fp) as f64;
        ap += (recall - last_recall) * precision;
        last_recall = recall;
        curve.push(PrPoint { recall, precision });
    }
    let step = curve.len().div_ceil(50).max(1);
    let last = curve.last().copied();
    let mut thinned: Vec<PrPoint> = curve.into_iter().step_by(step).collect();
    if let Some(l) = last {
        if thinned.last() != Some(&l) {
            thinned.push(l);
        }
    }
    (thinned, ap)
}

/// Every [`FraudSampler`] over the same stream (made with `seed`) and budget.
pub fn compare_fraud(options: &FraudOptions, seed: u64) -> Result<Vec<FraudRun>, SessionError> {
    let data = fraud_data(options, seed)?;
    FraudSampler::ALL
        .iter()
        .map(|&s| fraud_run(&data, options, s, seed))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The issue's check: every selective sampler keeps the budget, and the most-suspicious
    /// sampler's recall of the rare class beats random's at the same budget (mean over 10 seeds;
    /// `activelab fraud --seeds 10` prints the table of docs/performance.md).
    #[test]
    // Minutes in the browser's debug build, past the test runner's 30 s renderer timeout.
    #[cfg(not(target_arch = "wasm32"))]
    fn the_budget_is_kept_and_the_rare_class_is_found_better_than_at_random() {
        let options = FraudOptions::default();
        let cap = (options.budget * options.rows as f64).ceil() as usize;
        let (mut sus_recall, mut random_recall) = (0.0, 0.0);
        for seed in 0..10 {
            let data = fraud_data(&options, seed).unwrap();
            let run = |s| fraud_run(&data, &options, s, seed).unwrap();
            let (sus, random) = (run(FraudSampler::Suspicion), run(FraudSampler::Random));
            for r in [&sus, &random, &run(FraudSampler::Uncertainty)] {
                assert!(r.asked <= cap, "{:?} asked {} > {cap}", r.sampler, r.asked);
                assert!(
                    r.asked >= cap * 8 / 10,
                    "{:?} used its budget: {}",
                    r.sampler,
                    r.asked
                );
            }
            assert_eq!(sus, run(FraudSampler::Suspicion), "seeded");
            sus_recall += sus.recall;
            random_recall += random.recall;
        }
        assert!(
            sus_recall > random_recall,
            "rare-class recall: most suspicious {} vs random {} (means over 10 seeds)",
            sus_recall / 10.0,
            random_recall / 10.0
        );
    }

    #[test]
    fn average_precision_of_a_perfect_and_a_useless_ranking() {
        let (_, ap) = pr_curve(&mut [(0.9, true), (0.8, true), (0.1, false)]);
        assert_eq!(ap, 1.0);
        let (curve, ap) = pr_curve(&mut [(0.5, true), (0.5, false), (0.5, false), (0.5, true)]);
        assert_eq!((curve.len(), ap), (1, 0.5));
    }

    #[test]
    fn bad_settings_are_refused_with_their_values() {
        let options = FraudOptions {
            positive_rate: 0.9,
            ..FraudOptions::default()
        };
        assert_eq!(
            fraud_data(&options, 0).unwrap_err().to_string(),
            "the split cannot be used: the rare class's share must be in (0, 0.5], got 0.9"
        );
    }
}
