//! The worker: the message protocol between page and Web Worker, and the loop around
//! [`Session`].
//!
//! [`WorkerState::handle`] is plain Rust, so the whole protocol is tested natively; `web` (wasm32
//! only) registers it as a gloo-worker. The page never runs the engine itself, so it never freezes.

#[cfg(target_arch = "wasm32")]
pub mod images;
pub mod insight;
pub mod race;
pub mod stored;
#[cfg(target_arch = "wasm32")]
pub mod web;

use engine::data::image::{image_dataset, DecodedImage, ImageOptions};
use engine::data::import::{parse_source, CsvOptions};
use engine::data::preview::{import_source, is_jsonl, preview_source, Mapping, Preview};
use engine::data::scale::Standardizer;
use engine::data::source::{read_all, ByteSource, Bytes};
use engine::data::text::{occlusion_weights, term_weights, TermMethod, TermWeight, TextOptions};
use engine::data::{Dataset, ImportReport, RowDisplay, SkippedFile, Thumbnail};
use engine::metrics::ProbeEstimate;
use engine::models::FittedModel;
pub use engine::project::{model_by_name, Settings, MODEL_NAMES};
use engine::project::{ImportSettings, Project, ProjectError, ProjectMeta, Source};
use engine::session::{ColdStart, Event, Origin, Round, Session, SessionConfig, SessionError};
use engine::simulation::{mean_curve, run_with_oracle, CurvePoint};
use engine::strategies::Strategy;
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// Random runs averaged into the baseline curve.
pub const BASELINE_RUNS: u64 = 5;
/// The baseline curve stops at this many labels (or when the pool runs out).
pub const BASELINE_BUDGET: usize = 150;
/// The vocabulary of a text column found by [`Request::Open`] (English stop words dropped).
pub const OPEN_TEXT_FEATURES: usize = 300;
/// Rows a [`Request::Preview`] shows.
pub const PREVIEW_ROWS: usize = 10;
/// The most bytes an upload ([`Request::Upload`]) may hold in all (1 GiB).
pub const MAX_UPLOAD_BYTES: u64 = 1 << 30;
/// Terms per side a text sample's highlights show.
pub const HIGHLIGHT_TERMS: usize = 5;
/// Datasets with more features than this get no class-mean comparison in the sample table.
pub const MAX_COMPARED_FEATURES: usize = 200;

/// What the page asks of the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Start a session on a file's raw bytes: JSON Lines when the name ends in `.jsonl` or
    /// `.ndjson`, else CSV/TSV (a bundled demo with known labels is seeded one per class). Raw
    /// bytes, not text, so the importer can say "this is Latin-1 / UTF-16 / a zip" instead of
    /// the browser silently replacing bytes.
    Open {
        name: String,
        #[serde(with = "raw_bytes")]
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
    /// Change every setting that may change mid-session; the labels stay.
    Settings(Settings),
    /// Reopen a stored project: open the data as it was first opened (`read`: as
    /// [`Request::Open`] does, with the person's [`Mapping`] as [`Request::OpenWith`] does, or as
    /// the decoded image folder of [`Request::OpenDecodedImages`]), apply the settings, replay
    /// the person's events, and show `query_row` again when it is still a candidate (the sample
    /// that was on screen when the page was left).
    Restore {
        name: String,
        /// The file's bytes, or for [`ReadAs::Images`] the folder packed by
        /// [`stored::pack_images`].
        #[serde(with = "raw_bytes")]
        csv: Vec<u8>,
        /// Every setting, the seed included.
        settings: Settings,
        events: Vec<Event>,
        curve: Vec<CurvePoint>,
        query_row: Option<usize>,
        /// How the data was read when the project was started.
        #[serde(default)]
        read: ReadAs,
    },
    /// Write the open session as a project file ([`engine::project`]): the data embedded,
    /// or, for a bundled demo (`bundled` = its file name), referenced.
    ExportProject {
        name: String,
        created_ms: u64,
        updated_ms: u64,
        bundled: Option<String>,
    },
    /// Export the labels or the fitted model of the open session.
    Export(ExportKind),
    /// Open a project file. A project that references a bundled demo is answered with
    /// [`Response::NeedsBundled`]; the page fetches the demo and asks again with its bytes.
    ImportProject {
        file_name: String,
        bytes: Vec<u8>,
        bundled: Option<Vec<u8>>,
    },
    /// Apply one event the page has already stored. Refused events come back as
    /// [`Response::Refused`], so the page can take them out of its log.
    Apply { event: Event },
    /// Describe a file before opening it: [`Response::Preview`]. Empty `bytes` means the file
    /// sent before with [`Request::Upload`] (the first one).
    Preview {
        name: String,
        #[serde(with = "raw_bytes")]
        bytes: Vec<u8>,
    },
    /// Start a session with the column roles the person chose. No seed labels: the person gives
    /// them (every row without a label is in the pool). Empty `bytes`: the uploaded file.
    OpenWith {
        name: String,
        #[serde(with = "raw_bytes")]
        bytes: Vec<u8>,
        mapping: Mapping,
        seed: u64,
    },
    /// Start an upload: the files' paths and sizes; their bytes follow in
    /// [`Request::UploadChunk`]s (many small messages, so the page never stalls on one big
    /// copy). No response.
    Upload { files: Vec<UploadFile> },
    /// The next bytes of upload file `file`. No response.
    UploadChunk {
        file: usize,
        #[serde(with = "raw_bytes")]
        bytes: Vec<u8>,
    },
    /// Start an upload of files the page hands over as they are (the `File` objects travel beside
    /// the message as attachment `attachment` of the worker's `web::Codec`): the browser worker reads them
    /// once, slice by slice, for their fingerprints, answering [`Response::Reading`] as bytes come
    /// in and [`Response::Uploaded`] at the end, and keeps the `File`s themselves as the upload
    /// ([`WorkerState::attach`]): the importer reads them again in slices. No copy of the file
    /// passes through the page, and none stays in the worker's memory, which is what keeps a 50 MB
    /// import's tab memory down (issue 6). Only the browser worker can read
    /// files; elsewhere (native tests, a page without workers) the page sends [`Request::Upload`]
    /// and [`Request::UploadChunk`]s instead.
    UploadFiles {
        files: Vec<UploadFile>,
        attachment: u32,
    },
    /// Decode the uploaded files as images (in the browser worker) and start a session on them:
    /// the subfolder is the label; files that are not usable images are skipped and reported.
    /// `classes` adds class names. Answers [`Response::Progress`] while decoding.
    OpenImages {
        name: String,
        classes: Vec<String>,
        seed: u64,
    },
    /// Start a session on images already decoded (what [`Request::OpenImages`] becomes once the
    /// worker has decoded the files).
    OpenDecodedImages {
        name: String,
        images: Vec<DecodedImage>,
        skipped: Vec<SkippedFile>,
        classes: Vec<String>,
        seed: u64,
    },
    /// Race strategies over seeds with the known labels as the oracle ([`race::handle_race`]).
    Race(race::RaceRequest),
    /// Compare stream samplers on one stream ([`race::handle_stream`]).
    Stream(race::StreamRequest),
    /// The page's stored copy of the open file `name` (a `Blob` from IndexedDB, attachment
    /// `attachment` of the worker's `web::Codec`), sent once the project is saved: the browser
    /// worker reads that copy from then on instead of the picked `File`, which the browser refuses
    /// to read once the file is changed on disk. No response; elsewhere nothing to do.
    StoredFile { name: String, attachment: u32 },
    /// Run sessions' first rounds once on small made-up datasets and forget them ([`warm_up`]),
    /// so the browser has optimised that code before a real dataset needs it. Nothing is
    /// answered, and nothing is done while a dataset is open.
    WarmUp,
}

/// Byte buffers serialized as one block of bytes (bincode: a length and a copy) instead of one
/// element at a time; the wire format is the same as a sequence of `u8`.
mod raw_bytes {
    use serde::de::{SeqAccess, Visitor};
    use serde::{Deserializer, Serializer};
    use std::fmt;

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        deserializer.deserialize_byte_buf(BytesVisitor)
    }

    struct BytesVisitor;

    impl<'de> Visitor<'de> for BytesVisitor {
        type Value = Vec<u8>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("bytes")
        }
        fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }
        fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
            while let Some(b) = seq.next_element()? {
                out.push(b);
            }
            Ok(out)
        }
    }
}

/// How a project's data was read when it was started (a [`Request::Restore`] reads it the same
/// way). Stored with the project in the page's IndexedDB, so older records, which lack it, read
/// as [`ReadAs::File`].
///
/// Externally tagged (`"file"`, `{"mapped": {"mapping": …}}`, `{"images": {"classes": …}}`):
/// the worker's bincode cannot read internally tagged enums.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadAs {
    /// The file as [`Request::Open`] reads it (roles inferred, a demo seeded one per class).
    #[default]
    File,
    /// A table with the column roles the person chose ([`Request::OpenWith`]).
    Mapped { mapping: Mapping },
    /// A folder of images, stored decoded ([`stored`]), plus the class names the person typed.
    Images { classes: Vec<String> },
}

/// One file of an upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadFile {
    /// Its path (inside a chosen folder) or name.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
}

/// Cold starts [`Settings::cold_start`] offers, with their display names.
pub const COLD_START_NAMES: [(ColdStart, &str); 2] = [
    (ColdStart::KMeansPlusPlus, "Spread out (k-means++)"),
    (ColdStart::Random, "Random"),
];

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
    if !report.ignored_columns.is_empty() {
        lines.push(format!(
            "Ignored column(s): {}.",
            report.ignored_columns.join(", ")
        ));
    }
    if let Some(text) = &report.text_column {
        lines.push(format!("Text column '{text}' turned into word features."));
    }
    if !report.skipped_files.is_empty() {
        let shown: Vec<String> = report
            .skipped_files
            .iter()
            .take(10)
            .map(|f| format!("{} ({})", f.path, f.reason))
            .collect();
        let more = report.skipped_files.len().saturating_sub(10);
        lines.push(format!(
            "Skipped {} file(s): {}{}.",
            report.skipped_files.len(),
            shown.join("; "),
            if more > 0 {
                format!("; and {more} more")
            } else {
                String::new()
            }
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
    /// What the labels bought and why this sample, right after the [`Response::Round`] it belongs
    /// to (when that says `insight_follows`).
    Insight(Box<insight::Insight>),
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
    /// What a file looks like, before opening it.
    Preview(Preview),
    /// Work in progress (decoding images): `done` of `total`.
    Progress {
        stage: String,
        done: u64,
        total: u64,
    },
    /// A file for the person to save.
    Export(ExportFile),
    /// The project to import references this bundled demo: send its bytes.
    NeedsBundled { file: String },
    /// A project file was opened (after its `Opened` and first round): what the page stores.
    ProjectImported(ImportedProject),
    /// An [`Request::Apply`] event was not applied (the session is unchanged); the message is
    /// meant for the person.
    Refused(String),
    /// The images of a [`Request::OpenImages`] as decoded, packed by [`stored::pack_images`]
    /// (sent just before the session opens): what the page stores to reopen the folder exactly.
    ImagesDecoded {
        /// [`engine::project::fingerprint`] of `bytes`.
        fingerprint: String,
        #[serde(with = "raw_bytes")]
        bytes: Vec<u8>,
    },
    /// Bytes of the [`Request::UploadFiles`] with this `attachment` read so far, of `total`.
    Reading {
        attachment: u32,
        done: u64,
        total: u64,
    },
    /// The [`Request::UploadFiles`] with this `attachment` is done: every file's
    /// [`engine::project::fingerprint`], or why the files could not be read (then the
    /// upload is empty). Answers carry the attachment so that a page that picked another file
    /// meanwhile never takes one upload's answer for the other's.
    Uploaded {
        attachment: u32,
        result: Result<Vec<String>, String>,
    },
}

/// What [`Request::Export`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportKind {
    /// The original file's columns plus a label column (formula-like cells neutralised).
    LabelsCsv,
    /// One JSON object per labeled row.
    LabelsJsonl,
    /// The fitted model's parameters.
    ModelJson,
}

/// A file made in the worker, for the page to offer as a download.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportFile {
    pub file_name: String,
    /// MIME type.
    pub mime: String,
    pub text: String,
}

/// A project read from a file, as the page stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedProject {
    pub name: String,
    /// The bundled demo's file name, or `None` when the data was embedded.
    pub bundled: Option<String>,
    pub file_name: String,
    /// The data's bytes (embedded ones; empty for a bundled demo).
    pub bytes: Vec<u8>,
    pub settings: Settings,
    /// The person's events (a demo's seed labels are made again on open, so they are left out).
    pub events: Vec<Event>,
    pub created_ms: u64,
    /// The column roles, when the project's file was opened through the mapping step.
    #[serde(default)]
    pub mapping: Option<Mapping>,
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
    /// Every setting in effect.
    pub settings: Settings,
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
    /// The row's id (the id column's value, the image's path, or its number).
    #[serde(default)]
    pub row_id: String,
    /// How to show the sample: table, text with highlights, or image.
    #[serde(default)]
    pub display: SampleView,
}

/// How a sample is shown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub enum SampleView {
    /// Nothing beyond the feature values.
    #[default]
    Plain,
    /// A table of feature values, with each class's mean over the labeled rows
    /// (`class_means[class][feature]`, `None` for a class with no label yet; empty when the
    /// dataset has more than [`MAX_COMPARED_FEATURES`] features).
    Table { class_means: Vec<Option<Vec<f64>>> },
    /// A text, with the terms that pushed the prediction toward the model's best guess
    /// (`toward.0`) rather than its second (`toward.1`): positive weights first.
    Text {
        text: String,
        terms: Vec<TermWeight>,
        toward: Option<(usize, usize)>,
        /// How the terms were weighed (coefficients for logistic regression, else occlusion).
        #[serde(default)]
        method: TermMethod,
    },
    /// An image's thumbnail and its path.
    Image { thumbnail: Thumbnail, path: String },
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
    /// The labels in effect, in the order they were given (for the history panel).
    pub history: Vec<HistoryItem>,
    /// The query is a probe: a uniformly random row, not the strategy's pick.
    pub probe: bool,
    /// The unbiased accuracy estimate from the probes answered so far.
    pub probe_estimate: Option<ProbeEstimate>,
    /// Every pick of the batch not answered yet, `query` first (batch mode shows them as a
    /// grid); answered before the next fit.
    pub batch: Vec<QueryView>,
    /// A [`Response::Insight`] for this round comes next. It is sent after the round, not in it,
    /// so that the page can show the sample while the insight is computed and decoded.
    pub insight_follows: bool,
}

/// One label in effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryItem {
    pub row: usize,
    /// The row's id in the file.
    pub id: String,
    pub class: usize,
    /// Given by the person (not a demo's seed label).
    pub by_user: bool,
    /// Changed after it was first given.
    pub relabeled: bool,
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
    let config = session.config();
    let data = session.data();
    DatasetSummary {
        name: data.name.clone(),
        n_rows: data.n_rows(),
        n_pool: session.split().pool.len(),
        n_test: session.split().test.len(),
        feature_names: data.feature_names.clone(),
        class_names: session.class_names().to_vec(),
        strategy: session.config().strategy.name().to_string(),
        strategy_label: session.config().strategy.label().to_string(),
        model: model.to_string(),
        has_test: !session.split().test.is_empty(),
        settings: Settings::from_config(config).unwrap_or_else(|_| Settings {
            model: model.to_string(),
            ..Settings::default()
        }),
        report: report_lines(&data.report),
    }
}

/// Refuse an upload of more than [`MAX_UPLOAD_BYTES`].
fn check_upload_size(total: u64) -> Result<(), String> {
    if total > MAX_UPLOAD_BYTES {
        return Err(format!(
            "The files hold {total} bytes, more than the {MAX_UPLOAD_BYTES} this page can hold: choose fewer or smaller files."
        ));
    }
    Ok(())
}

/// A file's bytes: in memory, or a [`ByteSource`] read when needed (in the browser, the picked
/// file itself: the worker never holds it in wasm memory, README "Performance", sixth round).
/// Cloning shares the bytes.
#[derive(Clone)]
pub struct Content(Rc<dyn ByteSource>);

impl Content {
    /// Bytes in memory.
    pub fn bytes(bytes: Vec<u8>) -> Self {
        Self(Rc::new(bytes))
    }

    /// Bytes read from `source` when they are needed.
    pub fn source(source: Rc<dyn ByteSource>) -> Self {
        Self(source)
    }

    /// Bytes in all.
    pub fn size(&self) -> u64 {
        self.0.size()
    }

    fn as_source(&self) -> &dyn ByteSource {
        &*self.0
    }

    /// All the bytes in memory (the exports that embed or rewrite the file, an image to decode);
    /// an error names the file.
    pub fn read_all(&self, name: &str) -> Result<Vec<u8>, String> {
        read_all(self.as_source()).map_err(|e| format!("{name}: {e}"))
    }
}

impl Default for Content {
    fn default() -> Self {
        Self::bytes(Vec::new())
    }
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Content({} bytes)", self.size())
    }
}

/// One file of an upload: its bytes arriving in [`Request::UploadChunk`]s, or whole.
#[derive(Debug)]
enum Upload {
    Filling(Vec<u8>),
    Ready(Content),
}

impl Upload {
    /// The bytes as [`Content`] (chunks received so far are moved, not copied).
    fn content(&mut self) -> Content {
        match self {
            Upload::Ready(content) => content.clone(),
            Upload::Filling(bytes) => {
                let content = Content::bytes(std::mem::take(bytes));
                *self = Upload::Ready(content.clone());
                content
            }
        }
    }
}

/// The worker's state: at most one open session and its curve.
#[derive(Debug, Default)]
pub struct WorkerState {
    session: Option<Session>,
    curve: Vec<CurvePoint>,
    /// After a restore: the row that was on screen, shown again by the next round.
    pinned: Option<usize>,
    /// The open session's model name ([`MODEL_NAMES`]).
    model: String,
    /// The open file's name and bytes (for exports).
    file: (String, Content),
    /// The column roles the open file was read with, when the person chose them (for exports).
    mapping: Option<Mapping>,
    /// The open session is an image folder: `file` holds no table, so the exports that need one
    /// (project file, labels CSV) say so instead of writing another file's data.
    images: bool,
    /// The last round's picks not answered yet (batch mode), with whether the first is a probe.
    pending: Vec<QueryView>,
    probe: bool,
    test_accuracy: Option<f64>,
    /// PCA, map sample and histories of the insight panels.
    insight: insight::InsightCache,
    /// The last round's insight (batch picks after the first are shown with it).
    last_insight: Option<Box<insight::Insight>>,
    /// Uploaded files: path and bytes so far.
    uploads: Vec<(String, Upload)>,
    /// The session's feature scales (for text highlights).
    scale: Vec<f64>,
}

/// Open a file as a session: JSON Lines by extension, else CSV/TSV; a demo with known labels
/// gets one seed label per class.
fn open_session(name: &str, source: &dyn ByteSource, seed: u64) -> Result<Session, String> {
    let options = CsvOptions::named(name);
    let jsonl = is_jsonl(name);
    // A CSV with a free-text column (e.g. the fortunes demo) learns from its words.
    let text = if jsonl {
        None
    } else {
        preview_source(source, name, 0)
            .ok()
            .and_then(|p| p.suggested.text)
    };
    let text_options = TextOptions {
        english_stop_words: true,
        max_features: Some(OPEN_TEXT_FEATURES),
        ..TextOptions::default()
    };
    let data = parse_source(
        source,
        &options,
        jsonl,
        text.as_deref().map(|t| (t, &text_options)),
    )
    .map_err(|e| format!("Could not open {name}: {e}"))?;
    let config = SessionConfig {
        seed,
        ..SessionConfig::default()
    };
    let fail = |e: SessionError| format!("Could not open {name}: {e}");
    let mut session = Session::new(data, config).map_err(fail)?;
    session.seed_one_per_class().map_err(fail)?;
    Ok(session)
}

/// The session a [`Request::Restore`] starts from, before its settings and events: the data read
/// as it was when the project started (`read`); only [`ReadAs::File`] is seeded one per class.
fn restored_session(
    name: &str,
    content: &Content,
    seed: u64,
    read: &ReadAs,
) -> Result<Session, String> {
    let data = match read {
        ReadAs::File => return open_session(name, content.as_source(), seed),
        ReadAs::Mapped { mapping } => import_source(content.as_source(), name, mapping)
            .map_err(|e| format!("Could not open {name}: {e}"))?,
        ReadAs::Images { classes } => {
            let bytes = content.read_all(name)?;
            let (images, skipped) = stored::unpack_images(&bytes)
                .map_err(|e| format!("Could not reopen the images of {name}: {e}"))?;
            let mut data = image_dataset(name, images, skipped, &ImageOptions::default())
                .map_err(|e| format!("Could not open {name}: {e}"))?;
            data.add_classes(classes);
            data
        }
    };
    let config = SessionConfig {
        seed,
        ..SessionConfig::default()
    };
    Session::new(data, config).map_err(|e| format!("Could not open {name}: {e}"))
}

/// The session's configuration with the strategy and model these names mean.
fn settings(session: &Session, strategy: &str, model: &str) -> Result<SessionConfig, String> {
    let strategy_spec =
        Strategy::from_name(strategy).ok_or_else(|| format!("Unknown strategy '{strategy}'."))?;
    let model_spec = model_by_name(model).ok_or_else(|| format!("Unknown model '{model}'."))?;
    Ok(SessionConfig {
        strategy: strategy_spec,
        model: model_spec,
        ..session.config().clone()
    })
}

/// A session whose labels come from the person (no seed labels). The mapping step asks for the
/// class names, so at least 2 are required here (a file opened without that step may start with
/// fewer: the person adds classes while labeling).
fn unseeded_session(data: Dataset, seed: u64) -> Result<Session, String> {
    let name = data.name.clone();
    if data.n_classes() < 2 {
        return Err(format!(
            "Could not open {name}: it has {} class name(s); name at least two classes to label with.",
            data.n_classes()
        ));
    }
    let config = SessionConfig {
        seed,
        ..SessionConfig::default()
    };
    Session::new(data, config).map_err(|e| format!("Could not open {name}: {e}"))
}

/// Rows, features and classes of [`warm_up`]'s dataset without labels (as a large import).
const WARM_UP_SHAPE: (usize, usize, usize) = (3_000, 50, 5);
/// Rows of [`warm_up`]'s small labeled tables (as a demo; a baseline on more rows would only take
/// longer).
const WARM_UP_DEMO_ROWS: usize = 60;
/// Labels [`warm_up`] gives each of its sessions, one round each.
pub const WARM_UP_LABELS: usize = 10;

/// What one of [`warm_up`]'s throwaway sessions ran (for tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WarmUpRun {
    /// Labels the session held at the end.
    pub labels: usize,
    /// Distinct classes among them.
    pub classes: usize,
    /// Its text column became the features.
    pub text: bool,
    /// It had a test split, so the random baseline ran.
    pub baseline: bool,
}

/// Run the code of a session's first rounds in throwaway [`WorkerState`]s and drop everything:
/// a synthetic dataset without labels, opened as an import without a label column (a cold start
/// and the insight's map); a small numeric table and a small text table with a label column,
/// opened as a demo is (seed labels, a test split, the random baseline). Each gets
/// [`WARM_UP_LABELS`] labels (a fit, the pool's probabilities and scores, the insight with a
/// model each round).
///
/// Why (issue 6): Chromium runs wasm first as its baseline compiler's code and compiles a function
/// again with its optimising compiler, on background threads, once it has run enough. A dataset's
/// first round made the round, fit and insight code hot all at once: a trace of a 100,000-row
/// import showed 120 + 203 ms of those compiles starting at the moment the page mounted the studio,
/// and on two cores the page's thread waited for one (tasks of 50–95 ms holding 7–8 ms of CPU).
/// Run while the page is idle (it asks once the start page shows), those compiles are done before
/// a file is opened.
pub fn warm_up() -> [WarmUpRun; 3] {
    let (numbers, texts) = warm_up_tables();
    [
        warm_up_import().unwrap_or_default(),
        warm_up_demo(numbers),
        warm_up_demo(texts),
    ]
}

/// [`warm_up`]'s import: the synthetic dataset with its labels hidden (kept to answer with).
fn warm_up_import() -> Option<WarmUpRun> {
    let (rows, features, classes) = WARM_UP_SHAPE;
    let mut data =
        engine::data::synthetic::blobs(rows, features, classes, 1.5, &mut engine::rng(0, 0))
            .ok()?;
    let truth = std::mem::replace(&mut data.known_labels, vec![None; rows]);
    let mut state = WorkerState::default();
    state
        .start(unseeded_session(data, 0).ok()?, &mut |_| {})
        .ok()?;
    Some(warm_up_labels(state, &truth))
}

/// [`warm_up`]'s demo: `csv` opened as a bundled demo is.
fn warm_up_demo(csv: String) -> WarmUpRun {
    let mut state = WorkerState::default();
    let mut baseline = false;
    state.handle(
        Request::Open {
            name: "warm-up.csv".into(),
            csv: csv.into_bytes(),
            seed: 0,
        },
        &mut |r| baseline |= matches!(r, Response::Baseline(_)),
    );
    WarmUpRun {
        baseline,
        ..warm_up_labels(state, &[])
    }
}

/// [`warm_up`]'s two small tables with a label column (three classes): six numeric columns, and
/// one text column.
fn warm_up_tables() -> (String, String) {
    let mut numbers = String::from("x0,x1,x2,x3,x4,x5,label\n");
    let mut texts = String::from("text,label\n");
    let words = [
        "river", "stone", "cloud", "lamp", "garden", "ship", "winter", "bread", "violin", "road",
        "mirror", "forest",
    ];
    for i in 0..WARM_UP_DEMO_ROWS {
        let class = i % 3;
        let cells: Vec<String> = (0..6)
            .map(|j| {
                format!(
                    "{:.2}",
                    ((i * 7 + j * 13) % 17) as f64 / 4.0 + (class * j) as f64
                )
            })
            .collect();
        numbers.push_str(&format!("{},c{class}\n", cells.join(",")));
        let text: Vec<&str> = (0..6)
            .map(|j| words[(class * 4 + (i + j * 5) % 6) % words.len()])
            .collect();
        texts.push_str(&format!("{},c{class}\n", text.join(" ")));
    }
    (numbers, texts)
}

/// Give the first pending pick its true label (from `truth`, else the one the data knows),
/// [`WARM_UP_LABELS`] times (a round each), and say what the session holds then.
fn warm_up_labels(mut state: WorkerState, truth: &[Option<usize>]) -> WarmUpRun {
    for _ in 0..WARM_UP_LABELS {
        let Some(q) = state.pending.first() else {
            break;
        };
        let known = truth.get(q.row).copied().flatten().or(q.known_label);
        let (row, class) = (q.row, known.unwrap_or(0));
        state.handle(Request::Label { row, class }, &mut |_| {});
    }
    state
        .session
        .as_ref()
        .map_or(WarmUpRun::default(), |session| {
            let labels = session.labels();
            let classes: std::collections::BTreeSet<usize> = labels.values().copied().collect();
            WarmUpRun {
                labels: labels.len(),
                classes: classes.len(),
                text: matches!(session.data().display, RowDisplay::Texts { .. }),
                baseline: false,
            }
        })
}

/// The pool's feature scales of a text dataset (for the highlighted words), else empty.
fn text_scale(session: &Session) -> Vec<f64> {
    match session.data().display {
        RowDisplay::Texts { .. } => {
            Standardizer::fit(session.data().features.view(), &session.split().pool)
                .scale
                .to_vec()
        }
        _ => Vec::new(),
    }
}

/// A file name's stem made safe for a download name.
fn file_stem(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        "activelab".into()
    } else {
        safe
    }
}

/// The configuration `s` names (the seed and test fraction must be the session's: `reconfigure`
/// refuses a change).
fn full_settings(s: &Settings) -> Result<SessionConfig, String> {
    s.to_config()
        .map_err(|e| format!("The settings were not changed: {e}"))
}

/// The two classes with the highest probabilities, best first.
fn top_two(proba: &[f64]) -> Option<(usize, usize)> {
    let mut ranked: Vec<(usize, f64)> = proba.iter().copied().enumerate().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Some((ranked.first()?.0, ranked.get(1)?.0))
}

/// How to show one row (see [`SampleView`]).
pub fn sample_view(session: &Session, scale: &[f64], row: usize, proba: &[f64]) -> SampleView {
    let data = session.data();
    match &data.display {
        RowDisplay::Texts { column, texts } => {
            let toward = top_two(proba);
            let (terms, method) = match (session.model(), toward) {
                (Some(FittedModel::Logistic(m)), Some((a, b)))
                    if a < m.coef.nrows() && b < m.coef.nrows() =>
                {
                    let terms = term_weights(
                        &data.feature_names,
                        column,
                        &data.row(row),
                        scale,
                        &m.coef.row(a).to_vec(),
                        &m.coef.row(b).to_vec(),
                        HIGHLIGHT_TERMS,
                    );
                    (terms, TermMethod::Coefficients)
                }
                (Some(model), Some((a, b))) => {
                    let predict = |x: &[f64]| {
                        let raw = ndarray::ArrayView2::from_shape((1, x.len()), x);
                        raw.map(|raw| {
                            let z = session.standardizer().transform(raw);
                            // Naive Bayes's probabilities saturate at 0 and 1 on text: its
                            // log-likelihoods still move when a word is taken out.
                            let p = match model {
                                FittedModel::GaussianNb(nb) => nb.joint_log_likelihood(z.view()),
                                m => engine::models::Classifier::predict_proba(m, z.view()),
                            };
                            p.outer_iter()
                                .next()
                                .map(|r| r.to_vec())
                                .unwrap_or_default()
                        })
                        .unwrap_or_default()
                    };
                    let terms = occlusion_weights(
                        &data.feature_names,
                        column,
                        &data.row(row),
                        a,
                        b,
                        predict,
                        HIGHLIGHT_TERMS,
                    );
                    (terms, TermMethod::Occlusion)
                }
                _ => (Vec::new(), TermMethod::default()),
            };
            SampleView::Text {
                text: texts.get(row).cloned().unwrap_or_default(),
                terms,
                toward,
                method,
            }
        }
        RowDisplay::Images { thumbnails, paths } => match thumbnails.get(row) {
            Some(thumbnail) => SampleView::Image {
                thumbnail: thumbnail.clone(),
                path: paths.get(row).cloned().unwrap_or_default(),
            },
            None => SampleView::Plain,
        },
        RowDisplay::Table => SampleView::Table {
            class_means: if data.n_features() <= MAX_COMPARED_FEATURES {
                data.class_means(session.labels())
            } else {
                Vec::new()
            },
        },
    }
}

/// Why an image session cannot be exported as a project file.
pub const IMAGES_NOT_IN_PROJECT_FILES: &str = "Project files cannot carry an image folder yet: \
     your labels are safe in this browser; export them as JSON Lines (one line per labeled image, \
     with its file path) to take them elsewhere.";

/// Why an image session has no labels CSV.
pub const IMAGES_HAVE_NO_TABLE: &str = "An image folder has no table to add a label column to: \
     export the labels as JSON Lines (one line per labeled image, with its file path).";

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
                let session = open_session(&name, &Bytes(&csv), seed)?;
                self.file = (name, Content::bytes(csv));
                self.mapping = None;
                self.images = false;
                self.start(session, emit)
            }
            Request::Preview { name, bytes } => {
                let content = self.source(&name, bytes)?;
                let p = preview_source(content.as_source(), &name, PREVIEW_ROWS)
                    .map_err(|e| format!("Could not read {name}: {e}"))?;
                emit(Response::Preview(p));
                Ok(())
            }
            Request::OpenWith {
                name,
                bytes,
                mapping,
                seed,
            } => {
                // The upload is shared, not copied (a 50 MB file would be held twice at the
                // import's peak); it stays the upload when the file does not open, so the person
                // can change the mapping and try again.
                let content = self.source(&name, bytes)?;
                let data = import_source(content.as_source(), &name, &mapping)
                    .map_err(|e| format!("Could not open {name}: {e}"))?;
                let session = unseeded_session(data, seed)?;
                self.file = (name, content);
                self.mapping = Some(mapping);
                self.images = false;
                self.start(session, emit)
            }
            Request::Upload { files } => {
                let total: u64 = files.iter().map(|f| f.size).sum();
                self.uploads.clear();
                check_upload_size(total)?;
                self.uploads = files
                    .into_iter()
                    .map(|f| (f.path, Upload::Filling(Vec::with_capacity(f.size as usize))))
                    .collect();
                Ok(())
            }
            Request::UploadChunk { file, bytes } => {
                let n = self.uploads.len();
                let (path, upload) = self.uploads.get_mut(file).ok_or_else(|| {
                    format!("Upload file {file} does not exist ({n} file(s) were announced).")
                })?;
                match upload {
                    Upload::Filling(buffer) => {
                        buffer.extend_from_slice(&bytes);
                        Ok(())
                    }
                    Upload::Ready(_) => Err(format!(
                        "{path} was already read: announce a new upload before sending more of it."
                    )),
                }
            }
            Request::UploadFiles { .. } => Err(
                "Files handed over as they are are read by the browser's worker: send their bytes in Upload and UploadChunk requests."
                    .into(),
            ),
            Request::OpenImages { .. } => Err(
                "Images are decoded by the browser's worker: this worker cannot decode them."
                    .into(),
            ),
            Request::OpenDecodedImages {
                name,
                images,
                skipped,
                classes,
                seed,
            } => {
                let mut data = image_dataset(&name, images, skipped, &ImageOptions::default())
                    .map_err(|e| format!("Could not open {name}: {e}"))?;
                data.add_classes(&classes);
                let session = unseeded_session(data, seed)?;
                self.file = (name, Content::default());
                self.mapping = None;
                self.images = true;
                self.start(session, emit)
            }
            Request::Restore {
                name,
                csv,
                settings: chosen,
                events,
                curve,
                query_row,
                read,
            } => {
                // The data's bytes, or (empty) the upload: the browser's worker reads a stored
                // project's data from its blob instead of the page sending its bytes.
                let content = self.source(&name, csv)?;
                let mut session = restored_session(&name, &content, chosen.seed, &read)?;
                let config = full_settings(&chosen)?;
                session
                    .reconfigure(config)
                    .map_err(|e| format!("Could not restore the settings: {e}"))?;
                let total = events.len();
                let mut problem = None;
                for (i, event) in events.into_iter().enumerate() {
                    if let Err(e) = session.apply(event.clone()) {
                        problem = Some(format!(
                            "Restored {i} of {total} saved answers; answer {} could not be \
                             replayed ({e}), so it and the ones after it were left out.",
                            i + 1
                        ));
                        break;
                    }
                }
                emit(Response::Opened(summary(&session, &chosen.model)));
                self.scale = text_scale(&session);
                self.model = chosen.model;
                self.uploads.clear();
                self.images = matches!(read, ReadAs::Images { .. });
                (self.file, self.mapping) = match read {
                    ReadAs::File => ((name, content), None),
                    ReadAs::Mapped { mapping } => ((name, content), Some(mapping)),
                    ReadAs::Images { .. } => ((name, Content::default()), None),
                };
                self.pending.clear();
                self.curve = curve;
                self.session = Some(session);
                self.pinned = query_row;
                self.round(emit)?;
                if let Some(message) = problem {
                    emit(Response::Error(message));
                }
                self.baseline(emit)
            }
            Request::Apply { event } => {
                let session = self
                    .session
                    .as_mut()
                    .ok_or("No dataset is open: open one first.")?;
                let is_undo = event == Event::Undo;
                let adds_class = matches!(event, Event::AddClass { .. });
                let answered = match &event {
                    Event::Label { row, .. } | Event::Skip { row } => Some(*row),
                    _ => None,
                };
                if let Err(e) = session.apply(event) {
                    emit(Response::Refused(format!(
                        "That answer was not recorded: {e}"
                    )));
                    return Ok(());
                }
                if is_undo {
                    let n = session.labels().len();
                    self.curve.retain(|p| p.n_labels < n);
                }
                if adds_class {
                    emit(Response::Configured(summary(session, &self.model)));
                }
                // Batch mode: the next pick of the batch, without refitting, until it is answered.
                if let Some(row) = answered {
                    if self.pending.first().is_some_and(|q| q.row == row) {
                        self.pending.remove(0);
                        self.probe = false;
                        if !self.pending.is_empty() {
                            return self.show(emit);
                        }
                    }
                }
                self.pending.clear();
                self.round(emit)
            }
            Request::ExportProject {
                name,
                created_ms,
                updated_ms,
                bundled,
            } => {
                let session = self
                    .session
                    .as_ref()
                    .ok_or("No dataset is open: open one first.")?;
                if self.images {
                    return Err(IMAGES_NOT_IN_PROJECT_FILES.into());
                }
                let meta = ProjectMeta {
                    app_version: env!("CARGO_PKG_VERSION").to_string(),
                    name: name.clone(),
                    created_ms,
                    updated_ms,
                };
                let source = match bundled {
                    Some(file) => Source::Bundled { file },
                    None => Source::embedded(&self.file.0, self.file.1.read_all(&self.file.0)?),
                };
                let import = self
                    .mapping
                    .as_ref()
                    .map_or_else(ImportSettings::tabular, ImportSettings::mapped);
                let project = Project::from_session(session, meta, source, import)
                    .map_err(|e| format!("The project could not be written: {e}"))?;
                emit(Response::Export(ExportFile {
                    file_name: format!("{}.activelab.json", file_stem(&name)),
                    mime: "application/json".into(),
                    text: project.to_json(),
                }));
                Ok(())
            }
            Request::Export(kind) => {
                let session = self
                    .session
                    .as_ref()
                    .ok_or("No dataset is open: open one first.")?;
                let stem = file_stem(&self.file.0);
                let fail =
                    |e: engine::export::ExportError| format!("Nothing was exported: {e}.");
                let file = match kind {
                    ExportKind::LabelsCsv if self.images => {
                        return Err(IMAGES_HAVE_NO_TABLE.into());
                    }
                    ExportKind::LabelsCsv => ExportFile {
                        file_name: format!("{stem}-labels.csv"),
                        mime: "text/csv".into(),
                        text: engine::export::labels_csv(
                            &self.file.1.read_all(&self.file.0)?,
                            &session.data().report,
                            &engine::export::label_names(session),
                        )
                        .map_err(fail)?,
                    },
                    ExportKind::LabelsJsonl => ExportFile {
                        file_name: format!("{stem}-labels.jsonl"),
                        mime: "application/x-ndjson".into(),
                        text: engine::export::labels_jsonl(session),
                    },
                    ExportKind::ModelJson => ExportFile {
                        file_name: format!("{stem}-model.json"),
                        mime: "application/json".into(),
                        text: engine::export::model_json(session).map_err(fail)?,
                    },
                };
                emit(Response::Export(file));
                Ok(())
            }
            Request::ImportProject {
                file_name,
                bytes,
                bundled,
            } => {
                let fail = |e: ProjectError| format!("{file_name} was not imported: {e}.");
                let project = Project::from_json(&bytes).map_err(fail)?;
                if let (Source::Bundled { file }, None) = (&project.source, &bundled) {
                    emit(Response::NeedsBundled { file: file.clone() });
                    return Ok(());
                }
                let data = project.dataset(bundled.as_deref()).map_err(fail)?;
                let session = project.replay_into(data).map_err(fail)?;
                let (data_name, data_bytes, bundled_file) = match &project.source {
                    Source::Bundled { file } => (
                        file.clone(),
                        bundled.unwrap_or_default(),
                        Some(file.clone()),
                    ),
                    Source::Embedded {
                        file_name, bytes, ..
                    } => (file_name.clone(), bytes.clone(), None),
                };
                let imported = ImportedProject {
                    name: project.name.clone(),
                    bundled: bundled_file.clone(),
                    file_name: data_name.clone(),
                    bytes: if bundled_file.is_some() {
                        Vec::new()
                    } else {
                        data_bytes.clone()
                    },
                    settings: project.settings.clone(),
                    events: project
                        .events
                        .iter()
                        .filter(|e| {
                            !matches!(
                                e,
                                Event::Label {
                                    origin: Origin::Seed,
                                    ..
                                }
                            )
                        })
                        .cloned()
                        .collect(),
                    created_ms: project.created_ms,
                    mapping: project.import.mapping.clone(),
                };
                // The page makes the imported project its open one first, so the rounds below
                // update it (not the project open before).
                emit(Response::ProjectImported(imported));
                emit(Response::Opened(summary(&session, &project.settings.model)));
                self.model = project.settings.model.clone();
                self.scale = text_scale(&session);
                self.file = (data_name, Content::bytes(data_bytes));
                self.mapping = project.import.mapping.clone();
                self.pending.clear();
                self.curve.clear();
                self.session = Some(session);
                self.round(emit)?;
                self.baseline(emit)
            }
            Request::Settings(chosen) => {
                let session = self.open_session()?;
                let config = full_settings(&chosen)?;
                session
                    .reconfigure(config)
                    .map_err(|e| format!("The settings were not changed: {e}"))?;
                emit(Response::Configured(summary(session, &chosen.model)));
                self.model = chosen.model;
                self.pending.clear();
                self.round(emit)
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
                let session = self.open_session()?;
                let config = settings(session, &strategy, &model)?;
                session
                    .reconfigure(config)
                    .map_err(|e| format!("The settings were not changed: {e}"))?;
                emit(Response::Configured(summary(session, &model)));
                self.model = model;
                self.pending.clear();
                self.round(emit)
            }
            Request::Race(race) => race::handle_race(race, emit),
            Request::Stream(stream) => race::handle_stream(stream, emit),
            // Attachments exist only between the page and the browser's worker (`web`), which
            // handles this itself ([`WorkerState::use_stored_file`]).
            Request::StoredFile { .. } => Ok(()),
            Request::WarmUp => {
                if self.session.is_none() {
                    warm_up();
                }
                Ok(())
            }
        }
    }

    /// The uploaded files, emptied: for the web worker's image decoding (which reads them one at
    /// a time).
    pub fn take_uploads(&mut self) -> Vec<(String, Content)> {
        std::mem::take(&mut self.uploads)
            .into_iter()
            .map(|(path, mut upload)| (path, upload.content()))
            .collect()
    }

    /// Read the open file from `content` from now on (the page's stored copy of it), if the open
    /// file is `name` and has as many bytes; whether it did.
    pub fn use_stored_file(&mut self, name: &str, content: Content) -> bool {
        let same = !self.images && self.file.0 == name && self.file.1.size() == content.size();
        if same {
            self.file.1 = content;
        }
        same
    }

    /// Make `files` the upload as they are (the browser's worker: the picked files, read when
    /// needed instead of copied into memory).
    pub fn attach(&mut self, files: Vec<(String, Content)>) -> Result<(), String> {
        self.uploads.clear();
        let total: u64 = files.iter().map(|(_, c)| c.size()).sum();
        check_upload_size(total)?;
        self.uploads = files
            .into_iter()
            .map(|(path, content)| (path, Upload::Ready(content)))
            .collect();
        Ok(())
    }

    /// `bytes`, or when empty the uploaded file (there must be exactly one), shared.
    fn source(&mut self, name: &str, bytes: Vec<u8>) -> Result<Content, String> {
        if !bytes.is_empty() {
            return Ok(Content::bytes(bytes));
        }
        match self.uploads.as_mut_slice() {
            [(_, upload)] => Ok(upload.content()),
            _ => Err(format!("{name} is empty: it has no bytes to read.")),
        }
    }

    /// Make `session` the open one: announce it, run its first round and (when test labels
    /// exist) the baseline.
    fn start(&mut self, session: Session, emit: &mut dyn FnMut(Response)) -> Result<(), String> {
        // Text and image datasets get no random baseline: their 5 × 150 fits on hundreds of
        // features would keep the worker from answering the person's labels for too long.
        let has_test =
            !session.split().test.is_empty() && matches!(session.data().display, RowDisplay::Table);
        self.scale = text_scale(&session);
        emit(Response::Opened(summary(&session, "logistic")));
        self.model = "logistic".into();
        self.pending.clear();
        self.curve.clear();
        self.session = Some(session);
        self.uploads.clear();
        self.round(emit)?;
        if has_test {
            self.baseline(emit)?;
        }
        Ok(())
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
            batch,
            probe,
            ..
        } = session.round().map_err(|e| e.to_string())?;
        let data = session.data();
        let mut batch = batch;
        // After a restore, show the sample that was on screen when it is among this round's picks
        // (a refit from scratch can order near-ties differently than the warm-started original).
        if let Some(pinned) = self.pinned.take() {
            if let Some(at) = batch.iter().position(|q| q.row == pinned) {
                let q = batch.remove(at);
                batch.insert(0, q);
            }
        }
        let first = batch.first().cloned();
        let picks: Vec<QueryView> = batch
            .into_iter()
            .map(|q| QueryView {
                features: data.row(q.row),
                known_label: data.known_labels[q.row],
                row_id: data.row_ids.get(q.row).cloned().unwrap_or_default(),
                display: sample_view(session, &self.scale, q.row, &q.proba),
                row: q.row,
                proba: q.proba,
                // A cold start's first pick has an infinite distance to the (empty) labeled set:
                // shown as the largest score there is.
                score: if q.score.is_finite() {
                    q.score
                } else {
                    f64::MAX
                },
            })
            .collect();
        if let Some(accuracy) = test_accuracy {
            self.curve.retain(|p| p.n_labels != n_labels);
            self.curve.push(CurvePoint { n_labels, accuracy });
        }
        self.pending = picks;
        self.probe = probe;
        self.test_accuracy = test_accuracy;
        // The sample first: the page shows it while the insight is computed (a second pass of
        // the model over the pool, the map, the test-split scores).
        self.emit_round(emit, true)?;
        let session = self.session.as_ref().ok_or("No dataset is open.")?;
        let insight = Box::new(self.insight.update(session, first.as_ref(), &self.curve));
        emit(Response::Insight(insight.clone()));
        self.last_insight = Some(insight);
        Ok(())
    }

    /// Show the first pending pick with the session's current state, then the last round's
    /// insight (batch picks after the first are shown with it).
    fn show(&mut self, emit: &mut dyn FnMut(Response)) -> Result<(), String> {
        self.emit_round(emit, self.last_insight.is_some())?;
        if let Some(insight) = &self.last_insight {
            emit(Response::Insight(insight.clone()));
        }
        Ok(())
    }

    /// The [`Response::Round`] of the first pending pick.
    fn emit_round(
        &self,
        emit: &mut dyn FnMut(Response),
        insight_follows: bool,
    ) -> Result<(), String> {
        let session = self.session.as_ref().ok_or("No dataset is open.")?;
        let state = session.state();
        let data = session.data();
        let query = self.pending.first().cloned();
        emit(Response::Round(RoundView {
            n_labels: state.labels.len(),
            test_accuracy: self.test_accuracy,
            curve: self.curve.clone(),
            query,
            batch: self.pending.clone(),
            can_undo: state.can_undo(),
            skipped: state.skipped.len(),
            history: session
                .history()
                .into_iter()
                .map(|h| HistoryItem {
                    row: h.row,
                    id: data.row_ids.get(h.row).cloned().unwrap_or_default(),
                    class: h.class,
                    by_user: h.origin != Origin::Seed,
                    relabeled: h.relabeled_at.is_some(),
                })
                .collect(),
            probe: self.probe,
            probe_estimate: session.probe_estimate(),
            insight_follows,
        }));
        Ok(())
    }

    fn baseline(&self, emit: &mut dyn FnMut(Response)) -> Result<(), String> {
        let session = self.session.as_ref().ok_or("No dataset is open.")?;
        if session.data().n_classes() < 2 || session.split().test.is_empty() {
            return Ok(()); // no known labels to simulate random sampling with
        }
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
