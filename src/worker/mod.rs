//! The worker: the message protocol between page and Web Worker, and the loop around
//! [`Session`].
//!
//! [`WorkerState::handle`] is plain Rust, so the whole protocol is tested natively; `web` (wasm32
//! only) registers it as a gloo-worker. The page never runs the engine itself, so it never freezes.

pub mod race;
#[cfg(target_arch = "wasm32")]
pub mod web;

use crate::engine::data::import::{parse_csv, parse_jsonl, CsvOptions};
use crate::engine::data::ImportReport;
use crate::engine::models::ModelSpec;
use crate::engine::session::{Event, Origin, Round, Session, SessionConfig, SessionError};
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
    /// Start a session on a file's raw bytes: JSON Lines when the name ends in `.jsonl` or
    /// `.ndjson`, else CSV/TSV (a bundled demo with known labels is seeded one per class). Raw
    /// bytes, not text, so the importer can say "this is Latin-1 / UTF-16 / a zip" instead of
    /// the browser silently replacing bytes.
    Open {
        name: String,
        csv: Vec<u8>,
        seed: u64,
    },
    /// The person says `row` is of class `class`.
    Label { row: usize, class: usize },
    /// The person skips `row`.
    Skip { row: usize },
    /// Take back the last label or skip.
    Undo,
    /// Change the strategy and model (names as in [`Strategy::from_name`] and
    /// [`MODEL_NAMES`]); the labels stay.
    Configure { strategy: String, model: String },
    /// Race strategies over seeds with the known labels as the oracle ([`race::handle_race`]).
    Race(race::RaceRequest),
    /// Compare stream samplers on one stream ([`race::handle_stream`]).
    Stream(race::StreamRequest),
}

/// Model names [`Request::Configure`] accepts, with their display names.
pub const MODEL_NAMES: [(&str, &str); 4] = [
    ("logistic", "Logistic regression"),
    ("naive_bayes", "Naive Bayes"),
    ("knn", "k-NN"),
    ("mlp", "Neural network"),
];

/// The model a [`MODEL_NAMES`] name means, with default hyperparameters.
pub fn model_by_name(name: &str) -> Option<ModelSpec> {
    let [logistic, naive_bayes, knn, mlp] = ModelSpec::all_defaults();
    match name {
        "logistic" => Some(logistic),
        "naive_bayes" => Some(naive_bayes),
        "knn" => Some(knn),
        "mlp" => Some(mlp),
        _ => None,
    }
}

/// What the import did, in sentences for the person.
pub fn report_lines(report: &ImportReport) -> Vec<String> {
    let mut lines = vec![format!(
        "{} rows read{}.",
        report.rows_read,
        if report.unlabeled_rows > 0 {
            format!(
                ", {} without a label (the pool to label)",
                report.unlabeled_rows
            )
        } else {
            String::new()
        }
    )];
    for c in &report.imputed {
        lines.push(format!(
            "Column '{}': {} missing cells filled with {}.",
            c.column, c.cells, c.value
        ));
    }
    if !report.dropped_constant.is_empty() {
        lines.push(format!(
            "Dropped {} constant column(s): {}.",
            report.dropped_constant.len(),
            report.dropped_constant.join(", ")
        ));
    }
    if !report.dropped_empty.is_empty() {
        lines.push(format!(
            "Dropped {} empty column(s): {}.",
            report.dropped_empty.len(),
            report.dropped_empty.join(", ")
        ));
    }
    if !report.one_hot.is_empty() {
        lines.push(format!(
            "{} categorical column(s) one-hot encoded.",
            report.one_hot.len()
        ));
    }
    lines
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// A session started on this dataset.
    Opened(DatasetSummary),
    /// The settings changed (the labels, curve and baseline stay).
    Configured(DatasetSummary),
    /// A round finished: the model, its accuracy and the next sample.
    Round(RoundView),
    /// The random-sampling baseline on the same split and seed labels.
    Baseline(BaselineView),
    /// A race's curves so far.
    RaceProgress(race::RaceProgress),
    /// A race finished.
    RaceDone(race::RaceReport),
    /// A stream comparison finished.
    StreamDone(race::StreamReport),
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
    /// The strategy's short name ([`Strategy::name`]).
    pub strategy: String,
    /// The strategy's display name.
    pub strategy_label: String,
    /// The model's short name ([`MODEL_NAMES`]).
    pub model: String,
    /// Whether held-out test labels exist (else no test accuracy can be shown).
    pub has_test: bool,
    /// What the import did, in sentences.
    pub report: Vec<String>,
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
    /// Whether an undo would take something back.
    pub can_undo: bool,
    /// Rows skipped so far.
    pub skipped: usize,
}

/// The random-sampling baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineView {
    pub strategy: String,
    pub runs: u64,
    pub curve: Vec<CurvePoint>,
}

/// What the page shows of a session's dataset and settings (`model`: its [`MODEL_NAMES`] name).
fn summary(session: &Session, model: &str) -> DatasetSummary {
    let data = session.data();
    DatasetSummary {
        name: data.name.clone(),
        n_rows: data.n_rows(),
        n_pool: session.split().pool.len(),
        n_test: session.split().test.len(),
        feature_names: data.feature_names.clone(),
        class_names: data.class_names.clone(),
        strategy: session.config().strategy.name().to_string(),
        strategy_label: session.config().strategy.label().to_string(),
        model: model.to_string(),
        has_test: !session.split().test.is_empty(),
        report: report_lines(&data.report),
    }
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
                let lower = name.to_ascii_lowercase();
                let options = CsvOptions::named(&name);
                let data = if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
                    parse_jsonl(&csv, &options)
                } else {
                    parse_csv(&csv, &options)
                }
                .map_err(|e| format!("Could not open {name}: {e}"))?;
                let config = SessionConfig {
                    seed,
                    ..SessionConfig::default()
                };
                let fail = |e: SessionError| format!("Could not open {name}: {e}");
                let mut session = Session::new(data, config).map_err(fail)?;
                session.seed_one_per_class().map_err(fail)?;
                emit(Response::Opened(summary(&session, "logistic")));
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
            Request::Skip { row } => {
                self.open_session()?
                    .apply(Event::Skip { row })
                    .map_err(|e| format!("That skip was not recorded: {e}"))?;
                self.round(emit)
            }
            Request::Undo => {
                self.open_session()?
                    .apply(Event::Undo)
                    .map_err(|e| format!("Nothing was undone: {e}"))?;
                // The curve keeps one point per round; drop the points past the new label count.
                let n = self.open_session()?.labels().len();
                self.curve.retain(|p| p.n_labels < n);
                self.round(emit)
            }
            Request::Configure { strategy, model } => {
                let strategy_spec = Strategy::from_name(&strategy)
                    .ok_or_else(|| format!("Unknown strategy '{strategy}'."))?;
                let model_spec =
                    model_by_name(&model).ok_or_else(|| format!("Unknown model '{model}'."))?;
                let session = self.open_session()?;
                let config = SessionConfig {
                    strategy: strategy_spec,
                    model: model_spec,
                    ..session.config().clone()
                };
                session
                    .reconfigure(config)
                    .map_err(|e| format!("The settings were not changed: {e}"))?;
                emit(Response::Configured(summary(session, &model)));
                self.round(emit)
            }
            Request::Race(race) => race::handle_race(race, emit),
            Request::Stream(stream) => race::handle_stream(stream, emit),
        }
    }

    fn open_session(&mut self) -> Result<&mut Session, String> {
        self.session
            .as_mut()
            .ok_or_else(|| "No dataset is open: open one first.".to_string())
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
            self.curve.retain(|p| p.n_labels != n_labels);
            self.curve.push(CurvePoint { n_labels, accuracy });
        }
        let state = session.state();
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
            can_undo: state.can_undo(),
            skipped: state.skipped.len(),
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
