//! Races and stream runs: the task worker's own messages ([`TaskRequest`], [`TaskResponse`]) and
//! their handling. A task runs in a worker of its own, which the page cancels by terminating it;
//! a race reports after every (seed, strategy) run, so the page draws the curves as they grow.

use crate::protocol::PREVIEW_ROWS;
use engine::data::preview::{import_with_mapping, preview, Mapping, Preview};
use engine::data::synthetic::{rotating_hyperplane, HyperplaneOptions};
use engine::data::Dataset;
use engine::race::{
    compare_stream, fingerprint, run_race, strategy_curve, summarize, RaceSettings, RaceSummary,
    StrategyCurve, StreamCurve,
};
use engine::simulation::StreamOptions;
use serde::{Deserialize, Serialize};

/// What the page asks of a task worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TaskRequest {
    /// Describe a file before a race or a stream uses it: [`TaskResponse::Preview`].
    Preview { name: String, bytes: Vec<u8> },
    /// Race strategies over seeds with the known labels as the oracle ([`handle_race`]).
    Race(RaceRequest),
    /// Compare stream samplers on one stream ([`handle_stream`]).
    Stream(StreamRequest),
}

/// What a task worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TaskResponse {
    /// A race's curves so far.
    RaceProgress(RaceProgress),
    /// A race finished.
    RaceDone(RaceReport),
    /// A stream comparison finished.
    StreamDone(StreamReport),
    /// What a file looks like, and the roles suggested for its columns.
    Preview(Preview),
    /// The task stopped; the message is meant for the person.
    Error(String),
}

/// Run one task, emitting its responses as they come ([`TaskResponse::Error`] when it stops).
pub fn handle_task(request: TaskRequest, emit: &mut dyn FnMut(TaskResponse)) {
    let done = match request {
        TaskRequest::Preview { name, bytes } => preview(&bytes, &name, PREVIEW_ROWS)
            .map(|p| emit(TaskResponse::Preview(p)))
            .map_err(|e| format!("Could not read {name}: {e}")),
        TaskRequest::Race(race) => handle_race(race, emit),
        TaskRequest::Stream(stream) => handle_stream(stream, emit),
    };
    if let Err(message) = done {
        emit(TaskResponse::Error(message));
    }
}

/// Run a race on a file's bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceRequest {
    /// The settings (`settings.data` names the file).
    pub settings: RaceSettings,
    /// The file's raw bytes (CSV/TSV, or JSON Lines when the name ends in `.jsonl`/`.ndjson`).
    pub bytes: Vec<u8>,
    /// The column roles the person chose; `None`: the ones the preview suggests.
    #[serde(default)]
    pub mapping: Option<Mapping>,
}

/// The curves so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceProgress {
    /// Runs finished.
    pub done: usize,
    /// Runs in the race (strategies × seeds).
    pub total: usize,
    /// One curve per strategy over the seeds finished so far.
    pub curves: Vec<StrategyCurve>,
}

/// A finished race.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceReport {
    /// The settings as run (`random` added if it was missing).
    pub settings: RaceSettings,
    /// The dataset's display name.
    pub dataset: String,
    /// Fingerprint of the dataset's bytes ([`fingerprint`]).
    pub fingerprint: String,
    /// One curve per strategy over every seed.
    pub curves: Vec<StrategyCurve>,
    /// Who won, in numbers and words.
    pub summary: RaceSummary,
}

/// Where a stream comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum StreamSource {
    /// The rotating-hyperplane stream with an abrupt drift (every label flips) at `drift_at`.
    Drift {
        n_rows: usize,
        drift_at: Option<usize>,
        noise: f64,
    },
    /// A file's rows in file order, read with the person's column roles (`None`: the ones the
    /// preview suggests).
    File {
        name: String,
        bytes: Vec<u8>,
        #[serde(default)]
        mapping: Option<Mapping>,
    },
}

/// Run the stream comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamRequest {
    /// The stream.
    pub source: StreamSource,
    /// The share of rows (after the warm-up) that may be labeled.
    pub budget: f64,
    /// Seeds the synthetic stream, the samplers' draws and the model fits.
    pub seed: u64,
}

/// Most rows of a synthetic stream.
pub const MAX_STREAM_ROWS: usize = 20_000;

/// A finished stream comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamReport {
    /// The stream's display name.
    pub dataset: String,
    /// Fingerprint of the file's bytes, or of the synthetic stream's settings.
    pub fingerprint: String,
    /// The budget share.
    pub budget: f64,
    /// The seed.
    pub seed: u64,
    /// The row where the concept changes (synthetic streams).
    pub drift_at: Option<usize>,
    /// Rows in the stream.
    pub n_rows: usize,
    /// One curve per contender.
    pub curves: Vec<StreamCurve>,
    /// What happened, in sentences.
    pub sentences: Vec<String>,
}

/// A file read as the studio reads it: the same preview, suggested roles (or the person's) and
/// import; it needs a label column, whose labels are the oracle.
fn open(name: &str, bytes: &[u8], mapping: Option<&Mapping>) -> Result<Dataset, String> {
    let fail = |e: engine::data::DataError| format!("Could not open {name}: {e}");
    let suggested;
    let mapping = match mapping {
        Some(m) => m,
        None => {
            suggested = preview(bytes, name, 0).map_err(fail)?.suggested;
            &suggested
        }
    };
    let data = import_with_mapping(bytes, name, mapping).map_err(fail)?;
    if mapping.label.is_none() {
        return Err(format!(
            "{name} has no label column to simulate with: choose the column that holds the labels"
        ));
    }
    Ok(data)
}

/// Run a race, emitting [`TaskResponse::RaceProgress`] after every run and [`TaskResponse::RaceDone`] at
/// the end.
pub fn handle_race(request: RaceRequest, emit: &mut dyn FnMut(TaskResponse)) -> Result<(), String> {
    let mut settings = request.settings;
    settings
        .check()
        .map_err(|e| format!("The race cannot start: {e}."))?;
    let data = open(&settings.data, &request.bytes, request.mapping.as_ref())?;
    let runs = run_race(&data, &settings, &mut |runs, done, total| {
        emit(TaskResponse::RaceProgress(RaceProgress {
            done,
            total,
            curves: runs.iter().map(strategy_curve).collect(),
        }));
    })
    .map_err(|e| format!("The race stopped: {e}."))?;
    let curves: Vec<StrategyCurve> = runs.iter().map(strategy_curve).collect();
    let summary = summarize(&curves).map_err(|e| format!("The race stopped: {e}."))?;
    emit(TaskResponse::RaceDone(RaceReport {
        dataset: data.name.clone(),
        fingerprint: fingerprint(&request.bytes),
        settings,
        curves,
        summary,
    }));
    Ok(())
}

/// Run the stream comparison and emit [`TaskResponse::StreamDone`].
pub fn handle_stream(
    request: StreamRequest,
    emit: &mut dyn FnMut(TaskResponse),
) -> Result<(), String> {
    let (data, fp, drift_at) = match &request.source {
        StreamSource::Drift {
            n_rows,
            drift_at,
            noise,
        } => {
            if *n_rows < 20 || *n_rows > MAX_STREAM_ROWS {
                return Err(format!(
                    "A synthetic stream needs between 20 and {MAX_STREAM_ROWS} rows, not {n_rows}."
                ));
            }
            let options = HyperplaneOptions {
                n_rows: *n_rows,
                drift_at: *drift_at,
                noise: *noise,
                ..HyperplaneOptions::default()
            };
            let data = rotating_hyperplane(&options, &mut engine::rng(request.seed, 0))
                .map_err(|e| format!("The stream could not be made: {e}"))?;
            let fp = fingerprint(
                format!("drift:{n_rows}:{drift_at:?}:{noise}:{}", request.seed).as_bytes(),
            );
            (data, fp, *drift_at)
        }
        StreamSource::File {
            name,
            bytes,
            mapping,
        } => (
            open(name, bytes, mapping.as_ref())?,
            fingerprint(bytes),
            None,
        ),
    };
    let options = StreamOptions {
        report_every: (data.n_rows() / 100).max(1),
        window: 50,
        ..StreamOptions::default()
    };
    let curves = compare_stream(&data, &options, request.budget, request.seed)
        .map_err(|e| format!("The stream stopped: {e}."))?;
    let all = curves.first().map_or(0.0, |c| c.run.accuracy);
    let mut sentences = vec![format!(
        "Asking for every label: {:.1} % prequential accuracy with {} labels.",
        all * 100.0,
        curves.first().map_or(0, |c| c.run.asked.len())
    )];
    for c in curves.iter().skip(1) {
        sentences.push(format!(
            "{}: {:.1} % with {} labels ({:.0} % of the rows).",
            c.label,
            c.run.accuracy * 100.0,
            c.run.asked.len(),
            c.run.asked.len() as f64 / data.n_rows().max(1) as f64 * 100.0
        ));
    }
    emit(TaskResponse::StreamDone(StreamReport {
        dataset: data.name.clone(),
        fingerprint: fp,
        budget: request.budget,
        seed: request.seed,
        drift_at,
        n_rows: data.n_rows(),
        curves,
        sentences,
    }));
    Ok(())
}
