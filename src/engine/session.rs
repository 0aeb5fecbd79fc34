//! A labeling session: the append-only event log, the state derived from it, and one round
//! (fit → score → select → metrics).
//!
//! The labeled state is a pure function of the log, and every random draw comes from a generator
//! seeded by the session seed and the log length, so replaying a log replays the session exactly.

use crate::engine::data::scale::Standardizer;
use crate::engine::data::split::{stratified_split, Split};
use crate::engine::data::{DataError, Dataset};
use crate::engine::metrics::{accuracy, MetricsError};
use crate::engine::models::committee::CommitteeParams;
use crate::engine::models::logistic::LogisticParams;
use crate::engine::models::{argmax_rows, Classifier, ModelError};
use crate::engine::models::{FittedModel, ModelSpec};
use crate::engine::strategies::batch::{diverse_top_batch, ranked_batch, BatchDiversity};
use crate::engine::strategies::density::{
    density_weighted_scores, information_density, DensityOptions,
};
use crate::engine::strategies::diversity::{cold_start, k_center_greedy};
use crate::engine::strategies::eer::expected_error_reduction;
use crate::engine::strategies::{
    committee, random_scores, top_k, Disagreement, Strategy, StrategyError, Uncertainty,
};
use crate::engine::{rng, EngineRng};
use ndarray::{Array2, ArrayView2, Axis};
use rand::seq::{index::sample, SliceRandom};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Random streams of one session (see [`crate::engine::rng`]).
const STREAM_SPLIT: u64 = 0;
const STREAM_SEED_LABELS: u64 = 1;
const STREAM_QUERY: u64 = 1_000;

/// How the first picks are made when nothing is labeled yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColdStart {
    /// Uniformly random rows.
    Random,
    /// k-means++ seeding over the pool ([`cold_start`]): spread-out, representative rows.
    KMeansPlusPlus,
}

/// Rows of the evaluation subsample expected error reduction measures its expected loss on.
const EER_EVAL_ROWS: usize = 200;

/// How a session runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionConfig {
    /// Seeds the split and the seed labels.
    pub seed: u64,
    /// Seeds the query draws (random strategy, tie-breaks) on top of `seed`: runs with the same
    /// `seed` and different `replicate` share the split and seed labels.
    pub replicate: u64,
    /// Share of each class held out as the test split.
    pub test_fraction: f64,
    /// How the next sample is picked.
    pub strategy: Strategy,
    /// The model and its hyperparameters.
    pub model: ModelSpec,
    /// Rows picked per round (1 = one at a time).
    pub batch_size: usize,
    /// With `batch_size > 1`: spread each batch over the `batch_factor × batch_size` best rows
    /// (`None` = plain top-k). Core-set and ranked batch are diverse by construction.
    pub batch_diversity: Option<BatchDiversity>,
    /// Candidates per pick for `batch_diversity`.
    pub batch_factor: usize,
    /// How to pick when nothing is labeled.
    pub cold_start: ColdStart,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            replicate: 0,
            test_fraction: 0.3,
            strategy: Strategy::Margin,
            model: ModelSpec::Logistic(LogisticParams::default()),
            batch_size: 1,
            batch_diversity: None,
            batch_factor: 10,
            cold_start: ColdStart::KMeansPlusPlus,
        }
    }
}

/// Who gave a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// Drawn from the dataset's known labels to start a demo (one per class).
    Seed,
    /// A person.
    User,
    /// The simulation oracle (known labels).
    Oracle,
}

/// One entry of the append-only log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// `row` (a dataset row index) is of class `class`.
    Label {
        row: usize,
        class: usize,
        origin: Origin,
    },
    /// The person skipped `row`: it is not asked again while other rows remain.
    Skip { row: usize },
    /// Take back the most recent label or skip that is still in effect (seed labels stay).
    Undo,
}

/// The state a log describes: labels and skipped rows, with undone events removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelState {
    /// Labeled rows and their classes.
    pub labels: BTreeMap<usize, usize>,
    /// Skipped rows.
    pub skipped: BTreeSet<usize>,
    /// Labels and skips in the order they took effect (what `Undo` takes back, last first).
    pub history: Vec<Event>,
}

impl LabelState {
    /// Replay a log.
    ///
    /// ```
    /// use activelab::engine::session::{Event, LabelState, Origin};
    /// let log = [
    ///     Event::Label { row: 1, class: 0, origin: Origin::User },
    ///     Event::Skip { row: 2 },
    ///     Event::Undo,
    ///     Event::Label { row: 3, class: 1, origin: Origin::User },
    /// ];
    /// let state = LabelState::replay(&log);
    /// assert_eq!(state.labels.len(), 2);
    /// assert!(state.skipped.is_empty());
    /// ```
    pub fn replay(log: &[Event]) -> Self {
        let mut history: Vec<Event> = Vec::new();
        for event in log {
            match event {
                Event::Undo => {
                    let undoable = !matches!(
                        history.last(),
                        None | Some(Event::Label {
                            origin: Origin::Seed,
                            ..
                        })
                    );
                    if undoable {
                        history.pop();
                    }
                }
                other => history.push(*other),
            }
        }
        let mut state = LabelState::default();
        for event in &history {
            match *event {
                Event::Label { row, class, .. } => {
                    state.skipped.remove(&row);
                    state.labels.insert(row, class);
                }
                Event::Skip { row } => {
                    state.skipped.insert(row);
                }
                Event::Undo => {}
            }
        }
        state.history = history;
        state
    }

    /// Whether an `Undo` now would take something back.
    pub fn can_undo(&self) -> bool {
        !matches!(
            self.history.last(),
            None | Some(Event::Label {
                origin: Origin::Seed,
                ..
            })
        )
    }
}

/// Everything that can go wrong in a session.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum SessionError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    #[error(transparent)]
    Strategy(#[from] StrategyError),
    #[error("the batch size must be at least 1, got {batch_size}")]
    BadBatchSize { batch_size: usize },
    #[error("row {row} is not in the pool of {pool} queryable rows")]
    RowNotInPool { row: usize, pool: usize },
    #[error("class {class} does not exist: the dataset has {n_classes} classes")]
    ClassOutOfRange { class: usize, n_classes: usize },
    #[error("row {row} is already labeled")]
    AlreadyLabeled { row: usize },
    #[error("there is nothing to undo: no label or skip of yours is left")]
    NothingToUndo,
    #[error("the dataset needs at least 2 classes to learn from, it has {n_classes}")]
    TooFewClasses { n_classes: usize },
    #[error("the split cannot be used: {reason}")]
    BadSplit { reason: String },
}

/// The sample to show next, with the numbers behind the pick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Query {
    /// Dataset row index.
    pub row: usize,
    /// The strategy's score (higher = asked first).
    pub score: f64,
    /// The current model's class probabilities for this row (empty before any model exists).
    pub proba: Vec<f64>,
}

/// What one round produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Round {
    /// Labels in the log when the model was fitted.
    pub n_labels: usize,
    /// Accuracy on the held-out test split, when one exists and a model could be fitted.
    pub test_accuracy: Option<f64>,
    /// The next sample to label (the first of `batch`), or `None` when the pool is exhausted.
    pub query: Option<Query>,
    /// All picks of this round, best first (`batch_size` of them while the pool lasts).
    pub batch: Vec<Query>,
}

/// A session over one dataset.
#[derive(Debug, Clone)]
pub struct Session {
    data: Dataset,
    config: SessionConfig,
    split: Split,
    pool_set: BTreeSet<usize>,
    x: Array2<f64>,
    log: Vec<Event>,
    warm: Option<FittedModel>,
}

impl Session {
    /// Split the dataset, fit the standardizer on the pool and start with an empty log.
    pub fn new(data: Dataset, config: SessionConfig) -> Result<Self, SessionError> {
        let split = stratified_split(
            &data.known_labels,
            config.test_fraction,
            &mut rng(config.seed, STREAM_SPLIT),
        )?;
        Self::with_split(data, config, split)
    }

    /// Start on a given split (for example one shared with peer tools, so both run on identical
    /// rows). Test rows must have known labels; pool and test must not overlap.
    pub fn with_split(
        data: Dataset,
        config: SessionConfig,
        split: Split,
    ) -> Result<Self, SessionError> {
        if data.n_classes() < 2 {
            return Err(SessionError::TooFewClasses {
                n_classes: data.n_classes(),
            });
        }
        config.model.check()?;
        if config.batch_size == 0 {
            return Err(SessionError::BadBatchSize { batch_size: 0 });
        }
        let n = data.n_rows();
        let pool_set: BTreeSet<usize> = split.pool.iter().copied().collect();
        if let Some(&row) = split.pool.iter().chain(&split.test).find(|&&r| r >= n) {
            return Err(SessionError::BadSplit {
                reason: format!("row {row} does not exist (the dataset has {n} rows)"),
            });
        }
        if let Some(&row) = split.test.iter().find(|r| pool_set.contains(r)) {
            return Err(SessionError::BadSplit {
                reason: format!("row {row} is in both the pool and the test split"),
            });
        }
        if let Some(&row) = split.test.iter().find(|&&r| data.known_labels[r].is_none()) {
            return Err(SessionError::BadSplit {
                reason: format!("test row {row} has no known label"),
            });
        }
        let x =
            Standardizer::fit(data.features.view(), &split.pool).transform(data.features.view());
        Ok(Self {
            pool_set,
            data,
            config,
            split,
            x,
            log: Vec::new(),
            warm: None,
        })
    }

    /// The dataset.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// The pool/test split.
    pub fn split(&self) -> &Split {
        &self.split
    }

    /// The event log.
    pub fn log(&self) -> &[Event] {
        &self.log
    }

    /// The model fitted by the last round (`None` before the first round with labels).
    pub fn model(&self) -> Option<&FittedModel> {
        self.warm.as_ref()
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// Change how the session runs (strategy, model, batch, cold start) while keeping every label:
    /// the split and seed stay those the session started with.
    pub fn reconfigure(&mut self, config: SessionConfig) -> Result<(), SessionError> {
        config.model.check()?;
        if config.batch_size == 0 {
            return Err(SessionError::BadBatchSize { batch_size: 0 });
        }
        let model_changed = config.model != self.config.model;
        self.config = SessionConfig {
            seed: self.config.seed,
            test_fraction: self.config.test_fraction,
            ..config
        };
        if model_changed {
            self.warm = None;
        }
        Ok(())
    }

    /// The labels, skips and history the log describes.
    pub fn state(&self) -> LabelState {
        LabelState::replay(&self.log)
    }

    /// Labeled rows and their classes, derived from the log.
    pub fn labels(&self) -> BTreeMap<usize, usize> {
        self.state().labels
    }

    /// Label one random pool row of every class that has known labels in the pool (a demo start).
    pub fn seed_one_per_class(&mut self) -> Result<(), SessionError> {
        let mut rng = rng(self.config.seed, STREAM_SEED_LABELS);
        for class in 0..self.data.n_classes() {
            let rows: Vec<usize> = self
                .split
                .pool
                .iter()
                .copied()
                .filter(|&r| self.data.known_labels[r] == Some(class))
                .collect();
            if let Some(&row) = rows.choose(&mut rng) {
                self.apply(Event::Label {
                    row,
                    class,
                    origin: Origin::Seed,
                })?;
            }
        }
        Ok(())
    }

    /// Validate and append an event.
    pub fn apply(&mut self, event: Event) -> Result<(), SessionError> {
        match event {
            Event::Label { row, class, .. } => {
                if !self.pool_set.contains(&row) {
                    return Err(SessionError::RowNotInPool {
                        row,
                        pool: self.split.pool.len(),
                    });
                }
                if class >= self.data.n_classes() {
                    return Err(SessionError::ClassOutOfRange {
                        class,
                        n_classes: self.data.n_classes(),
                    });
                }
                if self.labels().contains_key(&row) {
                    return Err(SessionError::AlreadyLabeled { row });
                }
            }
            Event::Skip { row } => {
                if !self.pool_set.contains(&row) {
                    return Err(SessionError::RowNotInPool {
                        row,
                        pool: self.split.pool.len(),
                    });
                }
                if self.labels().contains_key(&row) {
                    return Err(SessionError::AlreadyLabeled { row });
                }
            }
            Event::Undo => {
                if !self.state().can_undo() {
                    return Err(SessionError::NothingToUndo);
                }
            }
        }
        self.log.push(event);
        Ok(())
    }

    fn query_rng(&self) -> EngineRng {
        let seed = self
            .config
            .seed
            .wrapping_add(self.config.replicate.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        rng(seed, STREAM_QUERY + self.log.len() as u64)
    }

    /// Fit on the labeled rows (warm-started), measure on the test split, and pick the next row(s).
    pub fn round(&mut self) -> Result<Round, SessionError> {
        let LabelState {
            labels, skipped, ..
        } = self.state();
        let mut rng = self.query_rng();
        let unlabeled = self
            .split
            .pool
            .iter()
            .copied()
            .filter(|r| !labels.contains_key(r));
        let mut candidates: Vec<usize> =
            unlabeled.clone().filter(|r| !skipped.contains(r)).collect();
        if candidates.is_empty() {
            candidates = unlabeled.collect(); // only skipped rows are left: ask them again
        }
        let labeled_rows: Vec<usize> = labels.keys().copied().collect();
        let y: Vec<usize> = labels.values().copied().collect();
        let x_labeled = self.x.select(Axis(0), &labeled_rows);
        let model = if labels.is_empty() {
            None
        } else {
            Some(self.config.model.check()?.fit(
                x_labeled.view(),
                &y,
                self.data.n_classes(),
                self.warm.as_ref(),
                &mut rng,
            )?)
        };
        let test_accuracy = match (&model, self.split.test.is_empty()) {
            (Some(m), false) => {
                let truth: Vec<usize> = self
                    .split
                    .test
                    .iter()
                    .filter_map(|&r| self.data.known_labels[r])
                    .collect();
                let p = m.predict_proba(self.x.select(Axis(0), &self.split.test).view());
                Some(accuracy(&truth, &argmax_rows(p.view()))?)
            }
            _ => None,
        };
        let batch = if candidates.is_empty() {
            Vec::new()
        } else {
            let x_cand = self.x.select(Axis(0), &candidates);
            let proba = model.as_ref().map(|m| m.predict_proba(x_cand.view()));
            let picks = match (&model, &proba) {
                (Some(m), Some(p)) => {
                    self.pick(m, p.view(), x_cand.view(), x_labeled.view(), &y, &mut rng)?
                }
                _ => self.pick_cold(x_cand.view(), &mut rng)?,
            };
            picks
                .into_iter()
                .map(|(i, score)| Query {
                    row: candidates[i],
                    score,
                    proba: proba
                        .as_ref()
                        .map(|p| p.row(i).to_vec())
                        .unwrap_or_default(),
                })
                .collect()
        };
        self.warm = model;
        Ok(Round {
            n_labels: labels.len(),
            test_accuracy,
            query: batch.first().cloned(),
            batch,
        })
    }

    /// Picks when no model exists yet: `(candidate index, score)`, best first.
    fn pick_cold(
        &self,
        x_cand: ArrayView2<f64>,
        rng: &mut EngineRng,
    ) -> Result<Vec<(usize, f64)>, SessionError> {
        let k = self.config.batch_size;
        Ok(match self.config.cold_start {
            ColdStart::Random => {
                let scores = random_scores(x_cand.nrows(), rng);
                top_k(&scores, k, rng)
                    .into_iter()
                    .map(|i| (i, scores[i]))
                    .collect()
            }
            ColdStart::KMeansPlusPlus => cold_start(x_cand, k, rng)?
                .into_iter()
                .map(|p| (p.index, p.score))
                .collect(),
        })
    }

    /// Picks with a fitted model: `(candidate index, score)`, best first.
    fn pick(
        &self,
        model: &FittedModel,
        proba: ArrayView2<f64>,
        x_cand: ArrayView2<f64>,
        x_labeled: ArrayView2<f64>,
        y: &[usize],
        rng: &mut EngineRng,
    ) -> Result<Vec<(usize, f64)>, SessionError> {
        let k = self.config.batch_size;
        let from_picks = |picks: Vec<crate::engine::strategies::Pick>| {
            picks
                .into_iter()
                .map(|p| (p.index, p.score))
                .collect::<Vec<_>>()
        };
        let scores = match self.config.strategy {
            Strategy::CoreSet => {
                return Ok(from_picks(k_center_greedy(x_cand, x_labeled, k, rng)?));
            }
            Strategy::RankedBatch => {
                let u = Uncertainty::LeastConfident.scores(proba);
                return Ok(from_picks(ranked_batch(&u, x_cand, x_labeled, k, rng)?));
            }
            Strategy::Committee { measure, members } => {
                let committee = CommitteeParams {
                    base: self.config.model.clone(),
                    members,
                }
                .check()?
                .fit(x_labeled, y, self.data.n_classes(), rng)?;
                let member_probas = committee.member_probas(x_cand);
                match measure {
                    Disagreement::VoteEntropy => committee::vote_entropy_scores(&member_probas)?,
                    Disagreement::ConsensusEntropy => {
                        committee::consensus_entropy_scores(&member_probas)?
                    }
                    Disagreement::MaxKl => committee::max_kl_disagreement_scores(&member_probas)?,
                }
            }
            Strategy::Density { base, beta } => {
                let density = information_density(x_cand, &DensityOptions::default(), rng)?;
                density_weighted_scores(&base.scores(proba), &density, beta)?
            }
            Strategy::ExpectedErrorReduction { candidates, loss } => {
                self.eer_scores(model, proba, x_cand, x_labeled, y, candidates, loss, rng)?
            }
            simple => simple
                .scores(proba, rng)
                .unwrap_or_else(|| Uncertainty::Margin.scores(proba)),
        };
        Ok(match (self.config.batch_diversity, k) {
            (Some(method), k) if k > 1 => from_picks(diverse_top_batch(
                &scores,
                x_cand,
                x_labeled,
                k,
                self.config.batch_factor.max(1),
                method,
                rng,
            )?),
            _ => top_k(&scores, k, rng)
                .into_iter()
                .map(|i| (i, scores[i]))
                .collect(),
        })
    }

    /// Expected error reduction over a seeded subsample of candidates, measured on a seeded
    /// subsample of the pool; rows outside the candidate subsample score −∞.
    #[allow(clippy::too_many_arguments)]
    fn eer_scores(
        &self,
        model: &FittedModel,
        proba: ArrayView2<f64>,
        x_cand: ArrayView2<f64>,
        x_labeled: ArrayView2<f64>,
        y: &[usize],
        n_candidates: usize,
        loss: crate::engine::strategies::eer::EerLoss,
        rng: &mut EngineRng,
    ) -> Result<Vec<f64>, SessionError> {
        let n = x_cand.nrows();
        let mut chosen: Vec<usize> = sample(rng, n, n_candidates.clamp(1, n)).into_vec();
        chosen.sort_unstable();
        let mut eval: Vec<usize> = sample(rng, n, EER_EVAL_ROWS.min(n)).into_vec();
        eval.sort_unstable();
        let x_eval = x_cand.select(Axis(0), &eval);
        let checked = self.config.model.check()?;
        let sub_proba = proba.select(Axis(0), &chosen);
        let mut x_plus =
            ndarray::concatenate![Axis(0), x_labeled, x_cand.select(Axis(0), &chosen[..1])];
        let mut y_plus: Vec<usize> = y.iter().copied().chain([0]).collect();
        let last = x_plus.nrows() - 1;
        let mut refit_rng = rng.clone();
        let sub_scores = expected_error_reduction(
            sub_proba.view(),
            |candidate, class| -> Result<Array2<f64>, SessionError> {
                x_plus.row_mut(last).assign(&x_cand.row(chosen[candidate]));
                y_plus[last] = class;
                let fitted = checked.fit(
                    x_plus.view(),
                    &y_plus,
                    self.data.n_classes(),
                    Some(model),
                    &mut refit_rng,
                )?;
                Ok(fitted.predict_proba(x_eval.view()))
            },
            loss,
        )?;
        let mut scores = vec![f64::NEG_INFINITY; n];
        for (&i, s) in chosen.iter().zip(sub_scores) {
            scores[i] = s;
        }
        Ok(scores)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{iris, wasm_test};

    #[wasm_test(unsupported = test)]
    fn seeds_one_label_per_class_from_the_pool() {
        let mut s = Session::new(iris(), SessionConfig::default()).unwrap();
        s.seed_one_per_class().unwrap();
        let labels = s.labels();
        assert_eq!(labels.len(), 3);
        let classes: BTreeSet<usize> = labels.values().copied().collect();
        assert_eq!(classes.len(), 3);
        assert!(labels.keys().all(|r| s.split().pool.contains(r)));
        let round = s.round().unwrap();
        assert_eq!(round.n_labels, 3);
        assert!(round.test_accuracy.is_some());
        let q = round.query.unwrap();
        assert!(!labels.contains_key(&q.row));
        assert_eq!(q.proba.len(), 3);
    }

    #[wasm_test(unsupported = test)]
    fn refuses_bad_events_with_numbers() {
        let mut s = Session::new(iris(), SessionConfig::default()).unwrap();
        let test_row = s.split().test[0];
        let pool_row = s.split().pool[0];
        let label = |row, class| Event::Label {
            row,
            class,
            origin: Origin::User,
        };
        assert_eq!(
            s.apply(label(test_row, 0)).unwrap_err().to_string(),
            format!("row {test_row} is not in the pool of 105 queryable rows")
        );
        assert_eq!(
            s.apply(label(pool_row, 3)).unwrap_err().to_string(),
            "class 3 does not exist: the dataset has 3 classes"
        );
        s.apply(label(pool_row, 0)).unwrap();
        assert_eq!(
            s.apply(label(pool_row, 1)),
            Err(SessionError::AlreadyLabeled { row: pool_row })
        );
    }

    #[wasm_test(unsupported = test)]
    fn an_empty_log_starts_cold() {
        for cold_start in [ColdStart::Random, ColdStart::KMeansPlusPlus] {
            let config = SessionConfig {
                cold_start,
                batch_size: 3,
                ..SessionConfig::default()
            };
            let mut s = Session::new(iris(), config).unwrap();
            let round = s.round().unwrap();
            assert_eq!(round.n_labels, 0);
            assert_eq!(round.test_accuracy, None);
            assert_eq!(round.batch.len(), 3);
            assert!(round.query.unwrap().proba.is_empty());
        }
    }

    #[wasm_test(unsupported = test)]
    fn every_strategy_runs_a_round_with_distinct_batch_picks() {
        use crate::engine::strategies::STRATEGY_NAMES;
        for name in STRATEGY_NAMES {
            for batch_diversity in [None, Some(BatchDiversity::KCenter)] {
                let config = SessionConfig {
                    strategy: Strategy::from_name(name).unwrap(),
                    batch_size: 4,
                    batch_diversity,
                    ..SessionConfig::default()
                };
                let mut s = Session::new(iris(), config).unwrap();
                s.seed_one_per_class().unwrap();
                let round = s.round().unwrap();
                let rows: BTreeSet<usize> = round.batch.iter().map(|q| q.row).collect();
                assert_eq!(rows.len(), 4, "{name}: {:?}", round.batch);
                assert!(rows.iter().all(|r| !s.labels().contains_key(r)), "{name}");
                assert_eq!(
                    round.query.as_ref().map(|q| q.row),
                    round.batch.first().map(|q| q.row)
                );
            }
        }
    }

    #[wasm_test(unsupported = test)]
    fn skip_and_undo_change_the_next_query() {
        let mut s = Session::new(iris(), SessionConfig::default()).unwrap();
        s.seed_one_per_class().unwrap();
        assert_eq!(
            s.apply(Event::Undo),
            Err(SessionError::NothingToUndo),
            "seed labels stay"
        );
        let first = s.round().unwrap().query.unwrap().row;
        s.apply(Event::Skip { row: first }).unwrap();
        let second = s.round().unwrap().query.unwrap().row;
        assert_ne!(first, second, "a skipped row is not asked again");
        s.apply(Event::Label {
            row: second,
            class: 1,
            origin: Origin::User,
        })
        .unwrap();
        assert_eq!(s.labels().len(), 4);
        s.apply(Event::Undo).unwrap();
        assert_eq!(s.labels().len(), 3);
        assert_eq!(
            s.round().unwrap().query.unwrap().row,
            second,
            "undo brings the row back"
        );
        s.apply(Event::Undo).unwrap();
        assert!(s.state().skipped.is_empty());
        assert_eq!(s.round().unwrap().query.unwrap().row, first, "and the skip");
        let labels = s.labels();
        s.reconfigure(SessionConfig {
            strategy: Strategy::Entropy,
            ..SessionConfig::default()
        })
        .unwrap();
        assert_eq!(s.labels(), labels, "changing the strategy keeps the labels");
    }

    #[wasm_test(unsupported = test)]
    fn refuses_a_zero_batch() {
        let config = SessionConfig {
            batch_size: 0,
            ..SessionConfig::default()
        };
        assert_eq!(
            Session::new(iris(), config).unwrap_err().to_string(),
            "the batch size must be at least 1, got 0"
        );
    }
}
