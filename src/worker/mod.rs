//! The worker: the message protocol between page and Web Worker, and the loop around
//! [`Session`].
//!
//! [`WorkerState::handle`] is plain Rust, so the whole protocol is tested natively; `web` (wasm32
//! only) registers it as a gloo-worker. The page never runs the engine itself, so it never freezes.

#[cfg(target_arch = "wasm32")]
pub mod web;

use crate::engine::data::import::{parse_csv, CsvOptions};
use crate::engine::session::{Event, Origin, Round, Session, SessionConfig};
use crate::engine::simulation::{mean_curve, run_with_oracle, CurvePoint};
use crate::engine::strategies::Strategy;
use serde::{Deserialize, Serialize};

/// Random runs averaged into the baseline curve.
pub const BASELINE_RUNS: u64 = 5;
/// The baseline curve stops at this many labels (or when the pool runs out).
pub const BASELINE_BUDGET: usize = 150;

/// What the page asks of the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Start a session on CSV text (a bundled demo with known labels is seeded one per class).
    Open {
        name: String,
        csv: String,
        seed: u64,
    },
    /// The person says `row` is of class `class`.
    Label { row: usize, class: usize },
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// A session started on this dataset.
    Opened(DatasetSummary),
    /// A round finished: the model, its accuracy and the next sample.
    Round(RoundView),
    /// The random-sampling baseline on the same split and seed labels.
    Baseline(BaselineView),
    /// Something went wrong; the message is meant for the person.
    Error(String),
}

/// The dataset as the page needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    pub name: String,
    pub n_rows: usize,
    pub n_pool: usize,
    pub n_test: usize,
    pub feature_names: Vec<String>,
    pub class_names: Vec<String>,
    pub strategy: String,
}

/// The sample on screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryView {
    pub row: usize,
    /// Raw feature values, as in the file.
    pub features: Vec<f64>,
    /// The model's class probabilities.
    pub proba: Vec<f64>,
    /// The strategy's score (margin sampling: `1 − (p₁ − p₂)`).
    pub score: f64,
    /// The file's own label for this row, for demos (never used by the model).
    pub known_label: Option<usize>,
}

/// The state after a round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundView {
    pub n_labels: usize,
    pub test_accuracy: Option<f64>,
    /// The whole learning curve of this session so far.
    pub curve: Vec<CurvePoint>,
    pub query: Option<QueryView>,
}

/// The random-sampling baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineView {
    pub strategy: String,
    pub runs: u64,
    pub curve: Vec<CurvePoint>,
}

/// The worker's state: at most one open session and its curve.
#[derive(Debug, Default)]
pub struct WorkerState {
    session: Option<Session>,
    curve: Vec<CurvePoint>,
}

impl WorkerState {
    /// Handle one request, emitting responses as soon as each is ready (the first round before the
    /// slower baseline).
    pub fn handle(&mut self, request: Request, emit: &mut dyn FnMut(Response)) {
        if let Err(message) = self.try_handle(request, emit) {
            emit(Response::Error(message));
        }
    }

    fn try_handle(
        &mut self,
        request: Request,
        emit: &mut dyn FnMut(Response),
    ) -> Result<(), String> {
        match request {
            Request::Open { name, csv, seed } => {
                let data = parse_csv(csv.as_bytes(), &CsvOptions::named(&name))
                    .map_err(|e| format!("Could not open {name}: {e}"))?;
                let config = SessionConfig {
                    seed,
                    ..SessionConfig::default()
                };
                let mut session = Session::new(data, config).map_err(|e| e.to_string())?;
                session.seed_one_per_class().map_err(|e| e.to_string())?;
                let data = session.data();
                emit(Response::Opened(DatasetSummary {
                    name: data.name.clone(),
                    n_rows: data.n_rows(),
                    n_pool: session.split().pool.len(),
                    n_test: session.split().test.len(),
                    feature_names: data.feature_names.clone(),
                    class_names: data.class_names.clone(),
                    strategy: session.config().strategy.label().to_string(),
                }));
                self.curve.clear();
                self.session = Some(session);
                self.round(emit)?;
                self.baseline(emit)
            }
            Request::Label { row, class } => {
                let session = self
                    .session
                    .as_mut()
                    .ok_or("No dataset is open: open one before labeling.")?;
                session
                    .apply(Event::Label {
                        row,
                        class,
                        origin: Origin::User,
                    })
                    .map_err(|e| format!("That label was not recorded: {e}"))?;
                self.round(emit)
            }
        }
    }

    fn round(&mut self, emit: &mut dyn FnMut(Response)) -> Result<(), String> {
        let session = self.session.as_mut().ok_or("No dataset is open.")?;
        let Round {
            n_labels,
            test_accuracy,
            query,
            ..
        } = session.round().map_err(|e| e.to_string())?;
        if let Some(accuracy) = test_accuracy {
            self.curve.push(CurvePoint { n_labels, accuracy });
        }
        let data = session.data();
        emit(Response::Round(RoundView {
            n_labels,
            test_accuracy,
            curve: self.curve.clone(),
            query: query.map(|q| QueryView {
                features: data.row(q.row),
                known_label: data.known_labels[q.row],
                row: q.row,
                proba: q.proba,
                score: q.score,
            }),
        }));
        Ok(())
    }

    fn baseline(&self, emit: &mut dyn FnMut(Response)) -> Result<(), String> {
        let session = self.session.as_ref().ok_or("No dataset is open.")?;
        let runs = (0..BASELINE_RUNS)
            .map(|replicate| {
                let config = SessionConfig {
                    replicate: replicate + 1,
                    strategy: Strategy::Random,
                    ..session.config().clone()
                };
                run_with_oracle(session.data(), &config, BASELINE_BUDGET)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        emit(Response::Baseline(BaselineView {
            strategy: Strategy::Random.label().to_string(),
            runs: BASELINE_RUNS,
            curve: mean_curve(&runs),
        }));
        Ok(())
    }
}
