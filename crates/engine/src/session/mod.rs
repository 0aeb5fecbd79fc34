//! A labeling session: the append-only event log, the state derived from it, and one round
//! (fit → score → select → metrics).
//!
//! The labeled state is a pure function of the log, and every random draw comes from a generator
//! seeded by the session seed and the log length, so replaying a log replays the session exactly.
//!
//! **Events** ([`Event`]): a label, a skip, an undo, a relabel (a labeled row gets another class)
//! and a new class. `Undo` takes back the most recent label, skip or relabel still in effect
//! (seed labels stay, and so do added classes: the class list only grows). The session's classes
//! are the dataset's classes followed by the added ones, in the order they were added
//! ([`Session::class_names`]); models are fitted over all of them, so a class nobody has labeled
//! yet gets (close to) probability 0.
//!
//! **Probe queries**: with [`SessionConfig::probe_share`] `> 0`, each round (once a model
//! exists) draws whether its query is a uniformly random pool row instead of the strategy's pick.
//! Labels given to probes are recorded with [`Origin::Probe`] and the model's prediction at the
//! time, which makes [`Session::probe_estimate`] an unbiased accuracy estimate with a Wilson
//! interval when no test split exists. The draw uses its own random stream (seed and log length),
//! so a share of 0 changes nothing and a replay makes the same draws.

mod adaptive;
#[cfg(test)]
mod adaptive_tests;
mod config;
mod log;
mod pool;
mod review;
mod round;
#[cfg(test)]
mod tests;

pub use self::config::{ColdStart, SessionConfig, MAX_PROBE_SHARE};
pub use self::log::{Event, HistoryEntry, LabelState, Origin, MAX_CLASS_NAME_CHARS};
pub use self::pool::{PREDICT_BLOCK_ROWS, STANDARDIZED_COPY_MAX_BYTES};
pub use self::round::{Query, Round};

pub(crate) use self::log::describe;
use self::pool::Pool;
use crate::data::scale::Standardizer;
use crate::data::split::{stratified_split, Split};
use crate::data::{DataError, Dataset};
use crate::metrics::{probe_accuracy, MetricsError, ProbeEstimate};
use crate::models::{Classifier, FittedModel, ModelError};
use crate::rng;
use crate::strategies::StrategyError;
use ndarray::Array2;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Random streams of one session (see [`crate::rng`]).
const STREAM_SPLIT: u64 = 0;
const STREAM_SEED_LABELS: u64 = 1;
const STREAM_QUERY: u64 = 1_000;
/// Probe draws: `STREAM_PROBE + log length`, far from the query streams.
const STREAM_PROBE: u64 = 1 << 62;
/// The cold start's sample and clustering: one stream for the whole session, so every cold
/// round sees the same clusters.
const STREAM_COLD: u64 = 1 << 61;

/// The z of a two-sided 95% interval (the probe estimate's Wilson interval).
const Z_95: f64 = 1.959_963_984_540_054;

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
    #[error("class {class} does not exist: the session has {n_classes} classes")]
    ClassOutOfRange { class: usize, n_classes: usize },
    #[error("row {row} is already labeled")]
    AlreadyLabeled { row: usize },
    #[error("there is nothing to undo: no label or skip of yours is left")]
    NothingToUndo,
    #[error("the dataset needs at least 2 classes to learn from, it has {n_classes}")]
    TooFewClasses { n_classes: usize },
    #[error("the split cannot be used: {reason}")]
    BadSplit { reason: String },
    /// A relabel of a row that has no label.
    #[error("row {row} cannot be relabeled: it has no label yet (label it instead)")]
    NotLabeled { row: usize },
    /// A relabel to the class the row already has.
    #[error("row {row} is already of class {class}: a relabel must change the class")]
    SameClass { row: usize, class: usize },
    /// A new class with an empty name.
    #[error("a new class needs a name: the name given is empty")]
    EmptyClassName,
    /// A new class whose name is taken.
    #[error("there is already a class named '{name}' (class {existing}): choose another name")]
    DuplicateClass { name: String, existing: usize },
    /// A new class whose name is too long.
    #[error("the class name is {chars} characters long, more than the {max} allowed")]
    ClassNameTooLong { chars: usize, max: usize },
    /// A probe share outside `0..=0.5`.
    #[error("the probe share must be between 0 and 0.5, got {share}")]
    BadProbeShare { share: f64 },
    /// A reconfiguration that would change a setting fixed at the start.
    #[error("the {setting} is fixed for the whole session (it is {current}, {requested} was asked for): start a new session to change it")]
    FixedSetting {
        setting: String,
        current: String,
        requested: String,
    },
    /// An event of a log being replayed that does not fit the session.
    #[error("event {index} of the log ({event}) cannot be applied: {reason}")]
    BadLogEvent {
        index: usize,
        event: String,
        reason: String,
    },
}

/// A session over one dataset.
#[derive(Debug, Clone)]
pub struct Session {
    data: Dataset,
    config: SessionConfig,
    /// The split, and the pool and test rows as the models see them.
    pool: Pool,
    log: Vec<Event>,
    /// `LabelState::replay(&log)`, kept up to date by `apply` one event at a time.
    state: LabelState,
    /// Dataset classes, then added classes.
    class_names: Vec<String>,
    warm: Option<FittedModel>,
    /// The cold start's sample of the pool and its clusters, once computed (they depend only on
    /// the pool, the seed and the number of clusters).
    cold: std::cell::RefCell<Option<round::ColdCache>>,
    /// The adaptive strategy's memory between rounds ([`adaptive`]).
    adaptive: std::cell::RefCell<Option<adaptive::AdaptiveCache>>,
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
        // Fewer than 2 classes is allowed: a file without labels is the normal case, and the
        // person adds classes (`Event::AddClass`) before labeling; no model is fitted until there
        // are 2 classes and a label.
        config.check()?;
        let pool = Pool::new(&data, split)?;
        Ok(Self {
            pool,
            class_names: data.class_names.clone(),
            data,
            config,
            log: Vec::new(),
            state: LabelState::default(),
            warm: None,
            cold: Default::default(),
            adaptive: Default::default(),
        })
    }

    /// A session from a saved log: [`Session::new`], then every event through
    /// [`Session::apply`], refusing the first one that does not fit with its index.
    ///
    /// ```
    /// use engine::data::Dataset;
    /// use engine::session::{Event, Origin, Session, SessionConfig};
    /// let data = Dataset::new("toy", vec!["x".into()], ndarray::array![[0.0], [1.0], [2.0], [3.0]],
    ///     vec!["a".into(), "b".into()], vec![None; 4]).unwrap();
    /// let log = vec![Event::Label { row: 2, class: 1, origin: Origin::User }];
    /// let s = Session::from_log(data.clone(), SessionConfig::default(), &log).unwrap();
    /// assert_eq!(s.labels().len(), 1);
    /// let bad = vec![Event::Label { row: 9, class: 1, origin: Origin::User }];
    /// assert_eq!(
    ///     Session::from_log(data, SessionConfig::default(), &bad).unwrap_err().to_string(),
    ///     "event 0 of the log (a label of row 9) cannot be applied: row 9 is not in the pool of 4 queryable rows"
    /// );
    /// ```
    pub fn from_log(
        data: Dataset,
        config: SessionConfig,
        log: &[Event],
    ) -> Result<Self, SessionError> {
        let mut session = Self::new(data, config)?;
        for (index, event) in log.iter().enumerate() {
            session
                .apply(event.clone())
                .map_err(|e| SessionError::BadLogEvent {
                    index,
                    event: describe(event),
                    reason: e.to_string(),
                })?;
        }
        Ok(session)
    }

    /// The dataset.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// The pool/test split.
    pub fn split(&self) -> &Split {
        self.pool.split()
    }

    /// The event log.
    pub fn log(&self) -> &[Event] {
        &self.log
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// The classes: the dataset's, then those added with [`Event::AddClass`], in order.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// Number of classes ([`Session::class_names`]).
    pub fn n_classes(&self) -> usize {
        self.class_names.len()
    }

    /// The model fitted by the last [`Session::round`] (`None` before a model exists).
    pub fn model(&self) -> Option<&FittedModel> {
        self.warm.as_ref()
    }

    /// The standardization the models see: per-feature mean and scale, fitted on the pool.
    pub fn standardizer(&self) -> &Standardizer {
        self.pool.standardizer()
    }

    /// Dataset rows `rows`, standardized as the models see them (one copy).
    pub fn standardized_rows(&self, rows: &[usize]) -> Array2<f64> {
        self.pool.standardized(self.data.features.view(), rows)
    }

    /// A model's probabilities for dataset rows `rows`, standardized [`PREDICT_BLOCK_ROWS`] at a
    /// time into one reused buffer. Every model computes each row's probabilities from that row
    /// alone (a test checks the bits against one pass over a full copy), so this is what the
    /// model says of the standardized rows, without a standardized copy of them all.
    pub fn predict_rows(&self, model: &impl Classifier, rows: &[usize]) -> Array2<f64> {
        self.pool
            .predict_rows(model, self.data.features.view(), rows)
    }

    /// Keep (or drop) the standardized copy of the pool and test rows whatever their size: rounds
    /// give the same results either way; only their speed and memory differ (for benchmarks and
    /// tests).
    pub fn keep_standardized_copy(&mut self, keep: bool) {
        self.pool.keep_copy(self.data.features.view(), keep);
    }

    /// Whether the session keeps a standardized copy of its rows (see
    /// [`STANDARDIZED_COPY_MAX_BYTES`]).
    pub fn has_standardized_copy(&self) -> bool {
        self.pool.has_copy()
    }

    /// Change how the session runs (strategy, model, batch size, batch diversity and factor,
    /// cold start, probe share) while keeping every label. The seed, replicate and test fraction
    /// are fixed for a session (they decide the split and the draws): asking to change them is
    /// refused with [`SessionError::FixedSetting`].
    pub fn reconfigure(&mut self, config: SessionConfig) -> Result<(), SessionError> {
        config.check()?;
        let fixed = |setting: &str, current: String, requested: String| {
            (current != requested).then(|| SessionError::FixedSetting {
                setting: setting.to_string(),
                current,
                requested,
            })
        };
        let old = &self.config;
        if let Some(e) = fixed("seed", old.seed.to_string(), config.seed.to_string())
            .or_else(|| {
                fixed(
                    "replicate",
                    old.replicate.to_string(),
                    config.replicate.to_string(),
                )
            })
            .or_else(|| {
                fixed(
                    "test fraction",
                    old.test_fraction.to_string(),
                    config.test_fraction.to_string(),
                )
            })
        {
            return Err(e);
        }
        if config.model != self.config.model {
            self.warm = None;
        }
        if config.strategy.kind() != self.config.strategy.kind() {
            self.reset_adaptive();
        }
        self.config = config;
        Ok(())
    }

    /// The labels, skips and history the log describes.
    pub fn state(&self) -> LabelState {
        self.state.clone()
    }

    /// Labeled rows and their classes, derived from the log.
    pub fn labels(&self) -> BTreeMap<usize, usize> {
        self.state.labels.clone()
    }

    /// The labels in effect, in the order they were given, with relabels applied: what a history
    /// panel lists.
    ///
    /// ```
    /// use engine::data::Dataset;
    /// use engine::session::{Event, Origin, Session, SessionConfig};
    /// let data = Dataset::new("toy", vec!["x".into()], ndarray::array![[0.0], [1.0], [2.0]],
    ///     vec!["a".into(), "b".into()], vec![None; 3]).unwrap();
    /// let mut s = Session::new(data, SessionConfig::default()).unwrap();
    /// s.apply(Event::Label { row: 2, class: 0, origin: Origin::User }).unwrap();
    /// s.apply(Event::Label { row: 0, class: 0, origin: Origin::User }).unwrap();
    /// s.apply(Event::Relabel { row: 2, class: 1 }).unwrap();
    /// let h = s.history();
    /// assert_eq!((h[0].row, h[0].class, h[0].relabeled_at), (2, 1, Some(2)));
    /// assert_eq!((h[1].row, h[1].class, h[1].event_index), (0, 0, 1));
    /// ```
    pub fn history(&self) -> Vec<HistoryEntry> {
        self.state.entries.clone()
    }

    /// The model's accuracy estimated from the labels given to probe queries (each compared with
    /// the prediction recorded when it was asked), with its 95% Wilson interval; `None` before
    /// any probe was labeled. `hits` is the number of correct predictions.
    ///
    /// ```
    /// use engine::data::Dataset;
    /// use engine::session::{Event, Origin, Session, SessionConfig};
    /// let data = Dataset::new("toy", vec!["x".into()], ndarray::array![[0.0], [1.0], [2.0]],
    ///     vec!["a".into(), "b".into()], vec![None; 3]).unwrap();
    /// let mut s = Session::new(data, SessionConfig::default()).unwrap();
    /// assert_eq!(s.probe_estimate(), None);
    /// s.apply(Event::Label { row: 0, class: 0, origin: Origin::Probe { predicted: 0 } }).unwrap();
    /// s.apply(Event::Label { row: 1, class: 1, origin: Origin::Probe { predicted: 0 } }).unwrap();
    /// let e = s.probe_estimate().unwrap();
    /// assert_eq!((e.hits, e.n, e.accuracy), (1, 2, 0.5));
    /// assert!(e.low < 0.5 && e.high > 0.5);
    /// ```
    pub fn probe_estimate(&self) -> Option<ProbeEstimate> {
        let (truth, predicted): (Vec<usize>, Vec<usize>) = self
            .state
            .entries
            .iter()
            .filter_map(|e| match e.origin {
                Origin::Probe { predicted } => Some((e.class, predicted)),
                _ => None,
            })
            .unzip();
        probe_accuracy(&truth, &predicted, Z_95).ok()
    }

    /// Label one random pool row of every class that has known labels in the pool (a demo start).
    pub fn seed_one_per_class(&mut self) -> Result<(), SessionError> {
        let mut rng = rng(self.config.seed, STREAM_SEED_LABELS);
        for class in 0..self.data.n_classes() {
            let rows: Vec<usize> = self
                .split()
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

    fn check_pool_row(&self, row: usize) -> Result<(), SessionError> {
        if self.pool.position(row).is_some() {
            Ok(())
        } else {
            Err(SessionError::RowNotInPool {
                row,
                pool: self.split().pool.len(),
            })
        }
    }

    fn check_class(&self, class: usize) -> Result<(), SessionError> {
        if class < self.n_classes() {
            Ok(())
        } else {
            Err(SessionError::ClassOutOfRange {
                class,
                n_classes: self.n_classes(),
            })
        }
    }

    /// Validate and append an event.
    pub fn apply(&mut self, event: Event) -> Result<(), SessionError> {
        match &event {
            &Event::Label { row, class, origin } => {
                self.check_pool_row(row)?;
                self.check_class(class)?;
                if let Origin::Probe { predicted } = origin {
                    self.check_class(predicted)?;
                }
                if self.state.labels.contains_key(&row) {
                    return Err(SessionError::AlreadyLabeled { row });
                }
            }
            &Event::Skip { row } => {
                self.check_pool_row(row)?;
                if self.state.labels.contains_key(&row) {
                    return Err(SessionError::AlreadyLabeled { row });
                }
            }
            Event::Undo => {
                if !self.state.can_undo() {
                    return Err(SessionError::NothingToUndo);
                }
            }
            &Event::Relabel { row, class } => {
                self.check_pool_row(row)?;
                self.check_class(class)?;
                match self.state.labels.get(&row) {
                    None => return Err(SessionError::NotLabeled { row }),
                    Some(&current) if current == class => {
                        return Err(SessionError::SameClass { row, class })
                    }
                    Some(_) => {}
                }
            }
            Event::AddClass { name } => {
                let name = name.trim();
                if name.is_empty() {
                    return Err(SessionError::EmptyClassName);
                }
                let chars = name.chars().count();
                if chars > MAX_CLASS_NAME_CHARS {
                    return Err(SessionError::ClassNameTooLong {
                        chars,
                        max: MAX_CLASS_NAME_CHARS,
                    });
                }
                if let Some(existing) = self.class_names.iter().position(|c| c.trim() == name) {
                    return Err(SessionError::DuplicateClass {
                        name: name.to_string(),
                        existing,
                    });
                }
                self.class_names.push(name.to_string());
            }
        }
        self.state.push(self.log.len(), &event);
        self.log.push(event);
        Ok(())
    }
}
