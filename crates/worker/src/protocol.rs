//! The messages between the page and the engine worker: what the page asks ([`Request`]) and
//! what the worker answers ([`Response`]), plus the constants both sides agree on. Races and
//! stream comparisons run in task workers, which speak their own messages
//! ([`crate::race::TaskRequest`]).

use crate::insight::Insight;
use crate::views::{BaselineView, DatasetSummary, ReviewView, RoundView};
use engine::data::image::DecodedImage;
use engine::data::preview::{Mapping, Preview};
use engine::data::SkippedFile;
use engine::project::Settings;
use engine::session::{ColdStart, Event};
use engine::simulation::CurvePoint;
use serde::{Deserialize, Serialize};

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
    /// Change every setting that may change mid-session; the labels stay.
    Settings(Settings),
    /// Fit the model now on every label given and pick the next batch, leaving the rest of the
    /// current batch unanswered (batch mode refits by itself once a batch is answered).
    Refit,
    /// Reopen a stored project: open the data as it was first opened (`read`: as
    /// [`Request::Open`] does, with the person's [`Mapping`] as [`Request::OpenWith`] does, or as
    /// the decoded image folder of [`Request::OpenDecodedImages`]), apply the settings, replay
    /// the person's events, and show again the picks that were on screen when the page was left
    /// (`shown`: the sample, then the rest of its batch, in the engine's order) that are still
    /// unanswered, before any new pick.
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
        shown: Vec<usize>,
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
    /// Apply one of the person's events (label, skip, undo, relabel, add class), which the page
    /// has already stored: the one path every answer takes. Refused events come back as
    /// [`Response::Refused`], so the page can take them out of its log.
    Apply { event: Event },
    /// Rank the person's labels by how likely each is wrong (out-of-fold confident learning,
    /// [`engine::review`]): [`Response::Review`]. Changing one is an [`Request::Apply`] of
    /// [`Event::Relabel`], stored first like every answer.
    Review,
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
    /// passes through the page, and none stays in the worker's memory, which keeps a large import's
    /// tab memory down. Only the browser worker can read
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
pub(crate) mod raw_bytes {
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
    Insight(Box<Insight>),
    /// The random-sampling baseline on the same split and seed labels.
    Baseline(BaselineView),
    /// The person's labels, most likely wrong first ([`Request::Review`]).
    Review(ReviewView),
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
