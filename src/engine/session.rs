//! A labeling session: the append-only event log, the state derived from it, and one round
//! (fit → score → select → metrics).
//!
//! The labeled state is a pure function of the log, and every random draw comes from a generator
//! seeded by the session seed and the log length, so replaying a log replays the session exactly.

use crate::engine::data::scale::Standardizer;
use crate::engine::data::split::{stratified_split, Split};
use crate::engine::data::{DataError, Dataset};
use crate::engine::metrics::{accuracy, MetricsError};
use crate::engine::models::logistic::{LogisticParams, LogisticRegression};
use crate::engine::models::{argmax_rows, Classifier, ModelError};
use crate::engine::strategies::{top_k, Strategy};
use crate::engine::{rng, EngineRng};
use ndarray::{Array2, Axis};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Random streams of one session (see [`crate::engine::rng`]).
const STREAM_SPLIT: u64 = 0;
const STREAM_SEED_LABELS: u64 = 1;
const STREAM_QUERY: u64 = 1_000;

/// How a session runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
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
    /// The model's hyperparameters.
    pub logistic: LogisticParams,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            replicate: 0,
            test_fraction: 0.3,
            strategy: Strategy::Margin,
            logistic: LogisticParams::default(),
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
    #[error("row {row} is not in the pool of {pool} queryable rows")]
    RowNotInPool { row: usize, pool: usize },
    #[error("class {class} does not exist: the dataset has {n_classes} classes")]
    ClassOutOfRange { class: usize, n_classes: usize },
    #[error("row {row} is already labeled")]
    AlreadyLabeled { row: usize },
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
    /// The next sample to label, or `None` when the pool is exhausted.
    pub query: Option<Query>,
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
    warm: Option<LogisticRegression>,
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
        config.logistic.check()?;
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

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// Labeled rows and their classes, derived from the log.
    pub fn labels(&self) -> BTreeMap<usize, usize> {
        self.log
            .iter()
            .map(|e| match *e {
                Event::Label { row, class, .. } => (row, class),
            })
            .collect()
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

    /// Fit on the labeled rows (warm-started), measure on the test split, and pick the next row.
    pub fn round(&mut self) -> Result<Round, SessionError> {
        let labels = self.labels();
        let mut rng = self.query_rng();
        let candidates: Vec<usize> = self
            .split
            .pool
            .iter()
            .copied()
            .filter(|r| !labels.contains_key(r))
            .collect();
        let model = if labels.is_empty() {
            None
        } else {
            let rows: Vec<usize> = labels.keys().copied().collect();
            let y: Vec<usize> = labels.values().copied().collect();
            let fitted = self.config.logistic.check()?.fit(
                self.x.select(Axis(0), &rows).view(),
                &y,
                self.data.n_classes(),
                self.warm.as_ref(),
            )?;
            Some(fitted)
        };
        let test_accuracy = match (&model, self.split.test.is_empty()) {
            (Some(m), false) => {
                let truth: Vec<usize> = self
                    .split
                    .test
                    .iter()
                    .filter_map(|&r| self.data.known_labels[r])
                    .collect();
                let predicted = argmax_rows(
                    m.predict_proba(self.x.select(Axis(0), &self.split.test).view())
                        .view(),
                );
                Some(accuracy(&truth, &predicted)?)
            }
            _ => None,
        };
        let query = if candidates.is_empty() {
            None
        } else {
            let (scores, proba) = match &model {
                Some(m) => {
                    let p = m.predict_proba(self.x.select(Axis(0), &candidates).view());
                    (self.config.strategy.scores(p.view(), &mut rng), Some(p))
                }
                None => (
                    crate::engine::strategies::random_scores(candidates.len(), &mut rng),
                    None,
                ),
            };
            top_k(&scores, 1, &mut rng).first().map(|&i| Query {
                row: candidates[i],
                score: scores[i],
                proba: proba.map(|p| p.row(i).to_vec()).unwrap_or_default(),
            })
        };
        self.warm = model;
        Ok(Round {
            n_labels: labels.len(),
            test_accuracy,
            query,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::data::import::{parse_csv, CsvOptions};

    fn iris() -> Dataset {
        parse_csv(
            include_bytes!("../../public/datasets/iris.csv"),
            &CsvOptions::named("iris"),
        )
        .unwrap()
    }

    #[test]
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

    #[test]
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

    #[test]
    fn an_empty_log_queries_at_random() {
        let mut s = Session::new(iris(), SessionConfig::default()).unwrap();
        let round = s.round().unwrap();
        assert_eq!(round.n_labels, 0);
        assert_eq!(round.test_accuracy, None);
        assert!(round.query.unwrap().proba.is_empty());
    }
}
