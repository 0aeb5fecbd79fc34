//! Project files: a whole labeling session in one versioned JSON file, so work moves between
//! machines and survives a cleared browser.
//!
//! A [`Project`] holds where the data came from ([`Source`]: a bundled demo by file name, or the
//! file's bytes embedded as base64 with a [`fingerprint`]), how it was imported
//! ([`ImportSettings`]), how the session runs ([`Settings`]) and the session's whole event log
//! ([`Event`]). The session's state is a pure function of the log, so [`Project::replay_into`]
//! restores it exactly: same labels, same skips, same history, same next query (the first model
//! of a restored session is fitted cold, the live one was warm-started, so probabilities agree to
//! the solver's tolerance rather than to the last bit).
//!
//! **Versioning rule**: `version` is bumped whenever an older reader would misread a file
//! (a field changes meaning or type, a required field or a new event kind is added). Adding a
//! field an older reader can safely ignore does not bump it (unknown fields are ignored). This
//! reader reads [`VERSION`] only and refuses other versions with a message naming both numbers.
//!
//! **What is refused** ([`Project::from_json`], all or nothing — nothing half-imports): more
//! than [`MAX_PROJECT_BYTES`], bytes that are not JSON (with line and column), a missing or
//! wrong `format` field, another version, missing or mistyped fields, bad base64, embedded bytes
//! whose fingerprint differs from the recorded one, an unknown strategy or model name, settings
//! a session refuses (batch size 0, probe share above 0.5, …), more than [`MAX_EVENTS`] events,
//! and over-long texts. Once the dataset is loaded, [`Project::check_against`] refuses events
//! naming rows or classes that do not exist, and [`Project::replay_into`] refuses any event the
//! session refuses (with its index).
//!
//! `docs/project-format.md` describes the file format field by field.

use crate::data::import::{parse_csv, parse_jsonl, parse_text_csv, CsvOptions};
use crate::data::preview::{import_with_mapping, Mapping};
use crate::data::text::TextOptions;
use crate::data::{DataError, Dataset};
use crate::models::knn::KnnParams;
use crate::models::logistic::LogisticParams;
use crate::models::mlp::MlpParams;
use crate::models::naive_bayes::GaussianNbParams;
use crate::models::ModelSpec;
use crate::session::{ColdStart, Event, Origin, Session, SessionConfig, SessionError};
use crate::strategies::batch::BatchDiversity;
use crate::strategies::{Strategy, STRATEGY_NAMES};
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// The value of every project file's `format` field.
pub const FORMAT: &str = "activelab-project";

/// The format version this code writes and reads.
pub const VERSION: u32 = 1;

/// The largest project file read, in bytes (256 MiB; the embedded dataset is most of it).
pub const MAX_PROJECT_BYTES: usize = 256 * 1024 * 1024;

/// The most events a project may hold.
pub const MAX_EVENTS: usize = 2_000_000;

/// The longest name, file name, column name or version text, in characters.
pub const MAX_TEXT_CHARS: usize = 1_000;

/// The model names of [`Settings::model`], with their display names (the worker's menu names).
pub const MODEL_NAMES: [(&str, &str); 4] = [
    ("logistic", "Logistic regression"),
    ("naive_bayes", "Naive Bayes"),
    ("knn", "k-NN"),
    ("mlp", "Neural network"),
];

/// The model a [`MODEL_NAMES`] name means, with default hyperparameters.
///
/// ```
/// use engine::project::{model_by_name, model_name};
/// let knn = model_by_name("knn").unwrap();
/// assert_eq!(model_name(&knn), Some("knn"));
/// assert!(model_by_name("svm").is_none());
/// ```
pub fn model_by_name(name: &str) -> Option<ModelSpec> {
    Some(match name {
        "logistic" => ModelSpec::Logistic(LogisticParams::default()),
        "naive_bayes" => ModelSpec::GaussianNb(GaussianNbParams::default()),
        "knn" => ModelSpec::Knn(KnnParams::default()),
        "mlp" => ModelSpec::Mlp(MlpParams::default()),
        _ => return None,
    })
}

/// The [`MODEL_NAMES`] name of a model with default hyperparameters (`None` for other
/// hyperparameters: a name would not bring them back).
pub fn model_name(spec: &ModelSpec) -> Option<&'static str> {
    MODEL_NAMES
        .iter()
        .map(|(name, _)| *name)
        .find(|name| model_by_name(name).as_ref() == Some(spec))
}

/// A stable fingerprint of a file's bytes: `fnv1a64-<16 hex digits>-<length in bytes>`, the
/// 64-bit FNV-1a hash (offset basis `0xcbf29ce484222325`, prime `0x100000001b3`) followed by the
/// length. Not cryptographic: it tells a changed or truncated file from the original, nothing
/// more. Also the dataset fingerprint of run logs.
///
/// ```
/// use engine::project::fingerprint;
/// assert_eq!(fingerprint(b""), "fnv1a64-cbf29ce484222325-0");
/// assert_eq!(fingerprint(b"a"), "fnv1a64-af63dc4c8601ec8c-1");
/// ```
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut f = Fingerprint::new();
    f.add(bytes);
    f.finish()
}

/// [`fingerprint`] computed piece by piece, as a file is read in slices: adding the pieces in
/// order gives the fingerprint of their concatenation.
///
/// ```
/// use engine::project::{fingerprint, Fingerprint};
/// let mut f = Fingerprint::new();
/// f.add(b"hello, ");
/// f.add(b"world");
/// assert_eq!(f.finish(), fingerprint(b"hello, world"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    hash: u64,
    len: u64,
}

impl Default for Fingerprint {
    fn default() -> Self {
        Self::new()
    }
}

impl Fingerprint {
    /// The fingerprint of no bytes yet.
    pub fn new() -> Self {
        Self {
            hash: 0xcbf2_9ce4_8422_2325,
            len: 0,
        }
    }

    /// Take the next bytes.
    pub fn add(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.hash ^= u64::from(b);
            self.hash = self.hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.len += bytes.len() as u64;
    }

    /// `fnv1a64-<hash>-<length>` of everything added.
    pub fn finish(&self) -> String {
        format!("fnv1a64-{:016x}-{}", self.hash, self.len)
    }
}

/// Everything that can go wrong reading, checking or restoring a project.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum ProjectError {
    /// The file is larger than [`MAX_PROJECT_BYTES`].
    #[error("the project file is {bytes} bytes, more than the {max} a project may have")]
    TooLarge { bytes: usize, max: usize },
    /// Not JSON at all, or broken JSON.
    #[error("this is not a project file: the JSON is broken at line {line}, column {column} ({message})")]
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON without the `format` field.
    #[error("this JSON file is not an activelab project: it has no \"format\": \"activelab-project\" field")]
    MissingFormat,
    /// A `format` field with another value.
    #[error("this JSON file is not an activelab project: its format is {found}, not \"activelab-project\"")]
    WrongFormat { found: String },
    /// No usable `version` field.
    #[error("the project file has no valid version number (found {found}): it may be damaged")]
    BadVersion { found: String },
    /// A file from a newer activelab.
    #[error("this project was written by a newer activelab (format version {version}); this version reads version {supported}: update activelab to open it")]
    NewerVersion { version: u32, supported: u32 },
    /// A file of an old format version this code no longer reads.
    #[error("this project uses format version {version}, which this activelab no longer reads (it reads version {supported})")]
    OlderVersion { version: u32, supported: u32 },
    /// A field missing or of the wrong type.
    #[error("the project file is damaged at line {line}, column {column}: {message}")]
    BadField {
        line: usize,
        column: usize,
        message: String,
    },
    /// The embedded file's base64 does not decode.
    #[error("the embedded data file is damaged (its base64 does not decode: {message})")]
    BadBase64 { message: String },
    /// The embedded bytes are not those the project recorded.
    #[error("the embedded data file does not match its fingerprint (recorded {expected}, found {found}): the project file was changed or truncated")]
    FingerprintMismatch { expected: String, found: String },
    /// A strategy name [`Strategy::from_name`] does not know.
    #[error("unknown strategy '{name}': the strategies are {known}")]
    UnknownStrategy { name: String, known: String },
    /// A model name not in [`MODEL_NAMES`].
    #[error("unknown model '{name}': the models are {known}")]
    UnknownModel { name: String, known: String },
    /// A text field that is too long or empty where a value is needed.
    #[error("the {field} is {chars} characters long: it must have between {min} and {max}")]
    BadText {
        field: String,
        chars: usize,
        min: usize,
        max: usize,
    },
    /// More events than [`MAX_EVENTS`].
    #[error("the project has {count} events, more than the {max} allowed")]
    TooManyEvents { count: usize, max: usize },
    /// Settings a session refuses.
    #[error("the project's settings are not valid: {0}")]
    Settings(SessionError),
    /// A session setting a project file cannot hold.
    #[error("this session cannot be saved as a project: {what}")]
    Unrepresentable { what: String },
    /// An event naming a row or class the dataset does not have.
    #[error("event {index} of the project ({event}) does not fit the data: {reason}; the project belongs to another dataset or is damaged")]
    EventOutOfRange {
        index: usize,
        event: String,
        reason: String,
    },
    /// The dataset could not be read with the project's import settings.
    #[error("the project's data could not be read: {0}")]
    Data(DataError),
    /// The data is not in the project and was not given.
    #[error("the project needs the data file '{file}', which it does not contain: {reason}")]
    DataMissing { file: String, reason: String },
    /// The log does not replay on the dataset.
    #[error("the project's labels could not be restored: {0}")]
    Session(SessionError),
}

/// Where the dataset comes from. JSON: `{"type": "bundled", "file": "iris.csv"}` or
/// `{"type": "embedded", "file_name": …, "bytes": "<base64>", "fingerprint": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Source {
    /// A demo dataset shipped with the app (`public/datasets/<file>`).
    Bundled {
        /// The file name under `public/datasets/`.
        file: String,
    },
    /// The person's own file, embedded.
    Embedded {
        /// The file's name when it was opened.
        file_name: String,
        /// The file's bytes (base64, standard alphabet with padding, in JSON).
        #[serde(serialize_with = "as_base64")]
        bytes: Vec<u8>,
        /// [`fingerprint`] of `bytes`.
        fingerprint: String,
    },
}

impl Source {
    /// An embedded source with its fingerprint computed.
    ///
    /// ```
    /// use engine::project::{fingerprint, Source};
    /// let s = Source::embedded("a.csv", b"x,label\n1,a\n".to_vec());
    /// assert!(matches!(&s, Source::Embedded { fingerprint: f, .. } if *f == fingerprint(b"x,label\n1,a\n")));
    /// ```
    pub fn embedded(file_name: &str, bytes: Vec<u8>) -> Self {
        Source::Embedded {
            file_name: file_name.to_string(),
            fingerprint: fingerprint(&bytes),
            bytes,
        }
    }

    /// The data file's name.
    pub fn file_name(&self) -> &str {
        match self {
            Source::Bundled { file } => file,
            Source::Embedded { file_name, .. } => file_name,
        }
    }
}

fn as_base64<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// What kind of data the import made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// A table (CSV, TSV, JSON Lines) of numeric and categorical columns.
    Tabular,
    /// A table with one text column, vectorized.
    Text,
    /// A folder of images (not embeddable: the images stay on the person's machine).
    Images,
}

/// How the data file was imported: the column roles the person chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSettings {
    /// What kind of data.
    pub kind: ImportKind,
    /// The label column (`None`: inferred, as at import).
    #[serde(default)]
    pub label_column: Option<String>,
    /// The text column (for [`ImportKind::Text`]).
    #[serde(default)]
    pub text_column: Option<String>,
    /// The id column, if any.
    #[serde(default)]
    pub id_column: Option<String>,
    /// Columns left out.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// The column roles the person chose in the mapping step, when the file was opened through
    /// it: then [`ImportSettings::import`] reads the file with
    /// [`import_with_mapping`](crate::data::preview::import_with_mapping) (the person's
    /// class names included) and the fields above are informative. Absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<Mapping>,
}

impl ImportSettings {
    /// Tabular data with every role inferred.
    pub fn tabular() -> Self {
        Self {
            kind: ImportKind::Tabular,
            label_column: None,
            text_column: None,
            id_column: None,
            ignore: Vec::new(),
            mapping: None,
        }
    }

    /// The settings of a file opened with the person's column roles.
    ///
    /// ```
    /// use engine::data::preview::Mapping;
    /// use engine::project::ImportSettings;
    /// let mapping = Mapping { id: Some("id".into()), classes: vec!["a".into(), "b".into()], ..Mapping::default() };
    /// let settings = ImportSettings::mapped(&mapping);
    /// let data = settings.import("t.csv", b"id,x\nr1,1\nr2,2\n").unwrap();
    /// assert_eq!(data.class_names, ["a", "b"]);
    /// assert_eq!(data.known_labels, [None, None]);
    /// ```
    pub fn mapped(mapping: &Mapping) -> Self {
        Self {
            kind: if mapping.text.is_some() {
                ImportKind::Text
            } else {
                ImportKind::Tabular
            },
            label_column: mapping.label.clone(),
            text_column: mapping.text.clone(),
            id_column: mapping.id.clone(),
            ignore: mapping.ignore.clone(),
            mapping: Some(mapping.clone()),
        }
    }

    /// The importer's options for a file named `name`.
    pub fn csv_options(&self, name: &str) -> CsvOptions {
        CsvOptions {
            label_column: self.label_column.clone(),
            id_column: self.id_column.clone(),
            ignore: self.ignore.clone(),
            ..CsvOptions::named(name)
        }
    }

    /// Import `bytes` (the file `name`) as these settings say: JSON Lines when the name ends in
    /// `.jsonl` or `.ndjson`, else CSV/TSV; [`ImportKind::Text`] vectorizes the text column with
    /// the default [`TextOptions`]. Images cannot be imported from bytes here.
    pub fn import(&self, name: &str, bytes: &[u8]) -> Result<Dataset, ProjectError> {
        if let (Some(mapping), false) = (&self.mapping, self.kind == ImportKind::Images) {
            return import_with_mapping(bytes, name, mapping).map_err(ProjectError::Data);
        }
        let options = self.csv_options(name);
        let lower = name.to_ascii_lowercase();
        match self.kind {
            ImportKind::Tabular if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") => {
                parse_jsonl(bytes, &options)
            }
            ImportKind::Tabular => parse_csv(bytes, &options),
            ImportKind::Text => match &self.text_column {
                Some(column) => parse_text_csv(bytes, &options, column, &TextOptions::default()),
                None => {
                    return Err(ProjectError::DataMissing {
                        file: name.to_string(),
                        reason: "a text project must name its text column".to_string(),
                    })
                }
            },
            ImportKind::Images => {
                return Err(ProjectError::DataMissing {
                    file: name.to_string(),
                    reason: "images are not embedded in projects: open the image folder again"
                        .to_string(),
                })
            }
        }
        .map_err(ProjectError::Data)
    }
}

fn default_batch_factor() -> usize {
    SessionConfig::default().batch_factor
}

/// How the session runs, by name (see [`Settings::to_config`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// A [`Strategy::from_name`] name (default parameters).
    pub strategy: String,
    /// A [`MODEL_NAMES`] name (default hyperparameters).
    pub model: String,
    /// Rows per round.
    pub batch_size: usize,
    /// How batches are spread (`"KCenter"`, `"KMeansPlusPlus"`, or `null` for plain top-k).
    pub batch_diversity: Option<BatchDiversity>,
    /// Candidates per pick for `batch_diversity` (default 10).
    #[serde(default = "default_batch_factor")]
    pub batch_factor: usize,
    /// The first picks: `"Random"` or `"KMeansPlusPlus"`.
    pub cold_start: ColdStart,
    /// Share of probe queries (0 to 0.5).
    pub probe_share: f64,
    /// The session seed (split, seed labels, draws).
    pub seed: u64,
    /// Share of each class held out for testing.
    pub test_fraction: f64,
}

impl Settings {
    /// The session configuration these settings name, checked.
    ///
    /// ```
    /// use engine::project::Settings;
    /// use engine::session::SessionConfig;
    /// let s = Settings::from_config(&SessionConfig::default()).unwrap();
    /// assert_eq!((s.strategy.as_str(), s.model.as_str()), ("margin", "logistic"));
    /// assert_eq!(s.to_config().unwrap(), SessionConfig::default());
    /// let bad = Settings { model: "svm".into(), ..s };
    /// assert!(bad.to_config().unwrap_err().to_string().starts_with("unknown model 'svm'"));
    /// ```
    pub fn to_config(&self) -> Result<SessionConfig, ProjectError> {
        let strategy =
            Strategy::from_name(&self.strategy).ok_or_else(|| ProjectError::UnknownStrategy {
                name: self.strategy.clone(),
                known: STRATEGY_NAMES.join(", "),
            })?;
        let model = model_by_name(&self.model).ok_or_else(|| ProjectError::UnknownModel {
            name: self.model.clone(),
            known: MODEL_NAMES.map(|(n, _)| n).join(", "),
        })?;
        if !(self.test_fraction > 0.0 && self.test_fraction < 1.0) {
            return Err(ProjectError::Settings(SessionError::Data(
                DataError::BadFraction {
                    fraction: self.test_fraction,
                },
            )));
        }
        let config = SessionConfig {
            seed: self.seed,
            replicate: 0,
            test_fraction: self.test_fraction,
            strategy,
            model,
            batch_size: self.batch_size,
            batch_diversity: self.batch_diversity,
            batch_factor: self.batch_factor,
            cold_start: self.cold_start,
            probe_share: self.probe_share,
        };
        config.check().map_err(ProjectError::Settings)?;
        Ok(config)
    }

    /// The settings of a session configuration; refused when a name would not bring it back
    /// (strategy parameters or model hyperparameters other than the defaults, a replicate
    /// other than 0).
    pub fn from_config(config: &SessionConfig) -> Result<Self, ProjectError> {
        let strategy = config.strategy.name();
        if Strategy::from_name(strategy) != Some(config.strategy) {
            return Err(ProjectError::Unrepresentable {
                what: format!("the strategy '{strategy}' has parameters other than its defaults"),
            });
        }
        let model = model_name(&config.model).ok_or_else(|| ProjectError::Unrepresentable {
            what: format!(
                "the model '{}' has hyperparameters other than its defaults",
                config.model.label()
            ),
        })?;
        if config.replicate != 0 {
            return Err(ProjectError::Unrepresentable {
                what: format!(
                    "replicate {} is a simulation setting (projects hold replicate 0)",
                    config.replicate
                ),
            });
        }
        Ok(Self {
            strategy: strategy.to_string(),
            model: model.to_string(),
            batch_size: config.batch_size,
            batch_diversity: config.batch_diversity,
            batch_factor: config.batch_factor,
            cold_start: config.cold_start,
            probe_share: config.probe_share,
            seed: config.seed,
            test_fraction: config.test_fraction,
        })
    }
}

impl Default for Settings {
    /// The settings of [`SessionConfig::default`]: margin sampling, logistic regression, one
    /// sample at a time, k-means++ first picks, no probes, seed 0, 30 % test split.
    fn default() -> Self {
        let config = SessionConfig::default();
        Self {
            strategy: config.strategy.name().to_string(),
            model: "logistic".to_string(),
            batch_size: config.batch_size,
            batch_diversity: config.batch_diversity,
            batch_factor: config.batch_factor,
            cold_start: config.cold_start,
            probe_share: config.probe_share,
            seed: config.seed,
            test_fraction: config.test_fraction,
        }
    }
}

/// Who saved the project and when (timestamps come from the caller: the engine has no clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectMeta {
    /// The app's version (`CARGO_PKG_VERSION`).
    pub app_version: String,
    /// The project's name, for the person.
    pub name: String,
    /// When the project was created, in milliseconds since the Unix epoch.
    pub created_ms: u64,
    /// When it was last saved, in milliseconds since the Unix epoch.
    pub updated_ms: u64,
}

/// A labeling session as a file (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Project {
    /// Always [`FORMAT`].
    pub format: String,
    /// The format version ([`VERSION`]).
    pub version: u32,
    /// The version of the activelab that wrote the file.
    pub app_version: String,
    /// The project's name.
    pub name: String,
    /// Creation time, milliseconds since the Unix epoch (given by the caller).
    pub created_ms: u64,
    /// Last save time, milliseconds since the Unix epoch (given by the caller).
    pub updated_ms: u64,
    /// Where the data comes from.
    pub source: Source,
    /// How the data was imported.
    pub import: ImportSettings,
    /// How the session runs.
    pub settings: Settings,
    /// The session's whole event log.
    pub events: Vec<Event>,
}

/// The first pass of [`Project::from_json`]: only the fields that say what the file is.
#[derive(Deserialize)]
struct Header {
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
}

/// [`Source`] as read, before the base64 is decoded.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum RawSource {
    Bundled {
        file: String,
    },
    Embedded {
        file_name: String,
        bytes: String,
        fingerprint: String,
    },
}

/// [`Project`] as read (second pass).
#[derive(Deserialize)]
struct RawProject {
    format: String,
    version: u32,
    app_version: String,
    name: String,
    created_ms: u64,
    updated_ms: u64,
    source: RawSource,
    import: ImportSettings,
    settings: Settings,
    events: Vec<Event>,
}

fn check_text(field: &str, text: &str, min: usize) -> Result<(), ProjectError> {
    let chars = text.chars().count();
    if chars < min || chars > MAX_TEXT_CHARS {
        return Err(ProjectError::BadText {
            field: field.to_string(),
            chars,
            min,
            max: MAX_TEXT_CHARS,
        });
    }
    Ok(())
}

/// A JSON value shown in a message, cut short.
fn shown(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

impl Project {
    /// A project of a session (its settings and whole log).
    ///
    /// ```
    /// use engine::data::import::{parse_csv, CsvOptions};
    /// use engine::project::{ImportSettings, Project, ProjectMeta, Source};
    /// use engine::session::{Session, SessionConfig};
    /// let csv = b"x,label\n1,a\n2,b\n3,a\n4,b\n5,\n".to_vec();
    /// let data = parse_csv(&csv, &CsvOptions::named("t.csv")).unwrap();
    /// let session = Session::new(data.clone(), SessionConfig::default()).unwrap();
    /// let meta = ProjectMeta { app_version: "0.1.0".into(), name: "t".into(), created_ms: 1, updated_ms: 2 };
    /// let project = Project::from_session(&session, meta, Source::embedded("t.csv", csv), ImportSettings::tabular()).unwrap();
    /// let back = Project::from_json(project.to_json().as_bytes()).unwrap();
    /// assert_eq!(back, project);
    /// let restored = back.replay_into(data).unwrap();
    /// assert_eq!(restored.log(), session.log());
    /// ```
    pub fn from_session(
        session: &Session,
        meta: ProjectMeta,
        source: Source,
        import: ImportSettings,
    ) -> Result<Self, ProjectError> {
        Ok(Self {
            format: FORMAT.to_string(),
            version: VERSION,
            app_version: meta.app_version,
            name: meta.name,
            created_ms: meta.created_ms,
            updated_ms: meta.updated_ms,
            source,
            import,
            settings: Settings::from_config(session.config())?,
            events: session.log().to_vec(),
        })
    }

    /// The project as JSON (one line; the embedded file as one base64 string).
    pub fn to_json(&self) -> String {
        // Serializing plain structs, strings and numbers cannot fail; an empty object is never
        // returned in practice.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_string())
    }

    /// Read and check a project file (see the module docs for what is refused). All or nothing:
    /// any problem gives an error and no project.
    ///
    /// ```
    /// use engine::project::{Project, ProjectError};
    /// let newer = br#"{"format": "activelab-project", "version": 7}"#;
    /// assert_eq!(
    ///     Project::from_json(newer).unwrap_err().to_string(),
    ///     "this project was written by a newer activelab (format version 7); this version reads version 1: update activelab to open it"
    /// );
    /// assert!(matches!(Project::from_json(b"{\"a\": 1,}"), Err(ProjectError::NotJson { line: 1, .. })));
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<Project, ProjectError> {
        if bytes.len() > MAX_PROJECT_BYTES {
            return Err(ProjectError::TooLarge {
                bytes: bytes.len(),
                max: MAX_PROJECT_BYTES,
            });
        }
        let header: Header = serde_json::from_slice(bytes).map_err(|e| {
            if e.is_data() {
                // Valid JSON that is not an object (an array, a number, …).
                ProjectError::MissingFormat
            } else {
                ProjectError::NotJson {
                    line: e.line(),
                    column: e.column(),
                    message: e
                        .to_string()
                        .split(" at line ")
                        .next()
                        .unwrap_or("")
                        .to_string(),
                }
            }
        })?;
        // serde reads a struct from an array too: a project is an object.
        if bytes.trim_ascii_start().first() != Some(&b'{') {
            return Err(ProjectError::MissingFormat);
        }
        match &header.format {
            None => return Err(ProjectError::MissingFormat),
            Some(serde_json::Value::String(f)) if f == FORMAT => {}
            Some(other) => {
                return Err(ProjectError::WrongFormat {
                    found: shown(other),
                })
            }
        }
        let version = match &header.version {
            Some(v) => v
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| ProjectError::BadVersion { found: shown(v) })?,
            None => {
                return Err(ProjectError::BadVersion {
                    found: "nothing".to_string(),
                })
            }
        };
        if version > VERSION {
            return Err(ProjectError::NewerVersion {
                version,
                supported: VERSION,
            });
        }
        if version < VERSION {
            return Err(ProjectError::OlderVersion {
                version,
                supported: VERSION,
            });
        }
        let raw: RawProject =
            serde_json::from_slice(bytes).map_err(|e| ProjectError::BadField {
                line: e.line(),
                column: e.column(),
                message: e
                    .to_string()
                    .split(" at line ")
                    .next()
                    .unwrap_or("")
                    .to_string(),
            })?;
        check_text("app version", &raw.app_version, 0)?;
        check_text("project name", &raw.name, 0)?;
        let source = match raw.source {
            RawSource::Bundled { file } => {
                check_text("bundled file name", &file, 1)?;
                Source::Bundled { file }
            }
            RawSource::Embedded {
                file_name,
                bytes,
                fingerprint: recorded,
            } => {
                check_text("embedded file name", &file_name, 1)?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(bytes.as_bytes())
                    .map_err(|e| ProjectError::BadBase64 {
                        message: e.to_string(),
                    })?;
                let found = fingerprint(&bytes);
                if found != recorded {
                    return Err(ProjectError::FingerprintMismatch {
                        expected: recorded,
                        found,
                    });
                }
                Source::Embedded {
                    file_name,
                    bytes,
                    fingerprint: recorded,
                }
            }
        };
        for (field, value) in [
            ("label column", &raw.import.label_column),
            ("text column", &raw.import.text_column),
            ("id column", &raw.import.id_column),
        ] {
            if let Some(value) = value {
                check_text(field, value, 1)?;
            }
        }
        if raw.import.ignore.len() > crate::data::import::MAX_COLUMNS {
            return Err(ProjectError::BadText {
                field: "list of ignored columns".to_string(),
                chars: raw.import.ignore.len(),
                min: 0,
                max: crate::data::import::MAX_COLUMNS,
            });
        }
        for column in &raw.import.ignore {
            check_text("ignored column", column, 1)?;
        }
        if let Some(m) = &raw.import.mapping {
            let names = [&m.label, &m.text, &m.id];
            for value in names.into_iter().flatten() {
                check_text("mapped column", value, 1)?;
            }
            for (field, list) in [
                ("mapped ignored columns", &m.ignore),
                ("class names", &m.classes),
            ] {
                if list.len() > crate::data::import::MAX_COLUMNS {
                    return Err(ProjectError::BadText {
                        field: format!("list of {field}"),
                        chars: list.len(),
                        min: 0,
                        max: crate::data::import::MAX_COLUMNS,
                    });
                }
                for value in list {
                    check_text(field, value, 1)?;
                }
            }
        }
        raw.settings.to_config()?;
        if raw.events.len() > MAX_EVENTS {
            return Err(ProjectError::TooManyEvents {
                count: raw.events.len(),
                max: MAX_EVENTS,
            });
        }
        Ok(Project {
            format: raw.format,
            version: raw.version,
            app_version: raw.app_version,
            name: raw.name,
            created_ms: raw.created_ms,
            updated_ms: raw.updated_ms,
            source,
            import: raw.import,
            settings: raw.settings,
            events: raw.events,
        })
    }

    /// The dataset: the embedded bytes, or `bundled` (the bundled file's bytes, fetched by the
    /// caller), imported with the project's [`ImportSettings`].
    pub fn dataset(&self, bundled: Option<&[u8]>) -> Result<Dataset, ProjectError> {
        match (&self.source, bundled) {
            (
                Source::Embedded {
                    file_name, bytes, ..
                },
                _,
            ) => self.import.import(file_name, bytes),
            (Source::Bundled { file }, Some(bytes)) => self.import.import(file, bytes),
            (Source::Bundled { file }, None) => Err(ProjectError::DataMissing {
                file: file.clone(),
                reason: "it is a bundled demo: pass its bytes".to_string(),
            }),
        }
    }

    /// Check that every event names rows below `n_rows` and classes that exist (the dataset's
    /// `n_classes` plus the classes added before the event), and that predictions of probe
    /// labels name classes that exist. Cheap; [`Project::replay_into`] calls it and then checks
    /// everything else (pool membership, undo order, duplicates) by replaying.
    ///
    /// ```
    /// use engine::project::{Project, ProjectError};
    /// use engine::session::{Event, Origin};
    /// # let json = r#"{"format":"activelab-project","version":1,"app_version":"","name":"","created_ms":0,"updated_ms":0,"source":{"type":"bundled","file":"iris.csv"},"import":{"kind":"tabular"},"settings":{"strategy":"margin","model":"logistic","batch_size":1,"batch_diversity":null,"cold_start":"Random","probe_share":0.0,"seed":0,"test_fraction":0.3},"events":[]}"#;
    /// let mut project = Project::from_json(json.as_bytes()).unwrap();
    /// project.events.push(Event::Label { row: 150, class: 0, origin: Origin::User });
    /// assert_eq!(
    ///     project.check_against(150, 3).unwrap_err().to_string(),
    ///     "event 0 of the project (a label of row 150) does not fit the data: row 150 does not exist (the data has 150 rows); the project belongs to another dataset or is damaged"
    /// );
    /// ```
    pub fn check_against(&self, n_rows: usize, n_classes: usize) -> Result<(), ProjectError> {
        let mut classes = n_classes;
        for (index, event) in self.events.iter().enumerate() {
            let fail = |reason: String| ProjectError::EventOutOfRange {
                index,
                event: describe(event),
                reason,
            };
            let row_ok = |row: usize| {
                if row < n_rows {
                    Ok(())
                } else {
                    Err(fail(format!(
                        "row {row} does not exist (the data has {n_rows} rows)"
                    )))
                }
            };
            let class_ok = |class: usize, what: &str| {
                if class < classes {
                    Ok(())
                } else {
                    Err(fail(format!(
                        "{what} {class} does not exist (there are {classes} classes at this point)"
                    )))
                }
            };
            match event {
                &Event::Label { row, class, origin } => {
                    row_ok(row)?;
                    class_ok(class, "class")?;
                    if let Origin::Probe { predicted } = origin {
                        class_ok(predicted, "predicted class")?;
                    }
                }
                &Event::Relabel { row, class } => {
                    row_ok(row)?;
                    class_ok(class, "class")?;
                }
                &Event::Skip { row } => row_ok(row)?,
                Event::Undo => {}
                Event::AddClass { .. } => classes = classes.saturating_add(1),
            }
        }
        Ok(())
    }

    /// Restore the session: [`Project::check_against`] the data, then a session with the
    /// project's settings and every event replayed through [`Session::apply`].
    pub fn replay_into(&self, data: Dataset) -> Result<Session, ProjectError> {
        self.check_against(data.n_rows(), data.n_classes())?;
        let config = self.settings.to_config()?;
        Session::from_log(data, config, &self.events).map_err(ProjectError::Session)
    }
}

/// A few words naming an event, for messages.
fn describe(event: &Event) -> String {
    match event {
        Event::Label { row, .. } => format!("a label of row {row}"),
        Event::Skip { row } => format!("a skip of row {row}"),
        Event::Undo => "an undo".to_string(),
        Event::Relabel { row, .. } => format!("a relabel of row {row}"),
        Event::AddClass { .. } => "a new class".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::iris;

    fn project(events: Vec<Event>) -> Project {
        Project {
            format: FORMAT.into(),
            version: VERSION,
            app_version: "0.1.0".into(),
            name: "iris".into(),
            created_ms: 1,
            updated_ms: 2,
            source: Source::embedded(
                "iris.csv",
                include_bytes!("../../../public/datasets/iris.csv").to_vec(),
            ),
            import: ImportSettings::tabular(),
            settings: Settings::from_config(&SessionConfig::default()).unwrap(),
            events,
        }
    }

    #[test]
    fn refusals_carry_their_numbers() {
        let json = project(Vec::new()).to_json();
        let err = |text: &str| Project::from_json(text.as_bytes()).unwrap_err();
        assert_eq!(
            err(&json.replacen("\"version\":1", "\"version\":0", 1)),
            ProjectError::OlderVersion {
                version: 0,
                supported: 1
            }
        );
        assert!(matches!(
            err(&json.replacen("\"version\":1", "\"version\":-1", 1)),
            ProjectError::BadVersion { .. }
        ));
        assert_eq!(err("[1, 2]"), ProjectError::MissingFormat);
        assert_eq!(
            err("{\"format\": \"zip\"}"),
            ProjectError::WrongFormat {
                found: "\"zip\"".into()
            }
        );
        assert!(matches!(
            err("{\n\"format\": }"),
            ProjectError::NotJson {
                line: 2,
                column: 11,
                ..
            }
        ));
        assert!(matches!(
            err(&json.replacen("\"name\":\"iris\",", "", 1)),
            ProjectError::BadField { .. }
        ));
        assert!(matches!(
            err(&json.replacen("\"bytes\":\"", "\"bytes\":\"*", 1)),
            ProjectError::BadBase64 { .. }
        ));
        assert!(matches!(
            err(&json.replacen("\"bytes\":\"", "\"bytes\":\"AAAA", 1)),
            ProjectError::FingerprintMismatch { .. }
        ));
        assert!(matches!(
            err(&json.replacen("\"margin\"", "\"psychic\"", 1)),
            ProjectError::UnknownStrategy { .. }
        ));
        assert!(matches!(
            err(&json.replacen("\"logistic\"", "\"svm\"", 1)),
            ProjectError::UnknownModel { .. }
        ));
        assert!(matches!(
            err(&json.replacen("\"probe_share\":0.0", "\"probe_share\":0.7", 1)),
            ProjectError::Settings(SessionError::BadProbeShare { .. })
        ));
        assert!(matches!(
            err(&json.replacen("\"test_fraction\":0.3", "\"test_fraction\":1.0", 1)),
            ProjectError::Settings(_)
        ));
        assert!(matches!(
            err(&json.replacen("\"file_name\":\"iris.csv\"", "\"file_name\":\"\"", 1)),
            ProjectError::BadText { .. }
        ));
    }

    #[test]
    fn events_out_of_range_are_refused_before_replay() {
        let data = iris();
        let p = project(vec![
            Event::AddClass {
                name: "hybrid".into(),
            },
            Event::Label {
                row: 3,
                class: 3,
                origin: Origin::Probe { predicted: 3 },
            },
        ]);
        p.check_against(150, 3).unwrap();
        p.replay_into(data.clone()).map(|_| ()).unwrap_or_else(|e| {
            // Row 3 may be in the test split: then it is the replay that refuses it.
            assert!(
                matches!(
                    e,
                    ProjectError::Session(SessionError::BadLogEvent { index: 1, .. })
                ),
                "{e}"
            );
        });
        let p = project(vec![Event::Label {
            row: 3,
            class: 3,
            origin: Origin::User,
        }]);
        assert!(matches!(
            p.check_against(150, 3),
            Err(ProjectError::EventOutOfRange { index: 0, .. })
        ));
        let p = project(vec![Event::Skip { row: 1_000 }]);
        assert!(matches!(
            p.replay_into(data),
            Err(ProjectError::EventOutOfRange { .. })
        ));
    }

    #[test]
    fn settings_that_a_name_cannot_hold_are_refused() {
        let config = SessionConfig {
            model: ModelSpec::Knn(KnnParams::default().k(3)),
            ..SessionConfig::default()
        };
        assert!(matches!(
            Settings::from_config(&config),
            Err(ProjectError::Unrepresentable { .. })
        ));
        let config = SessionConfig {
            replicate: 2,
            ..SessionConfig::default()
        };
        assert!(Settings::from_config(&config).is_err());
        for name in STRATEGY_NAMES {
            let config = SessionConfig {
                strategy: Strategy::from_name(name).unwrap(),
                ..SessionConfig::default()
            };
            assert_eq!(
                Settings::from_config(&config).unwrap().to_config().unwrap(),
                config
            );
        }
        for (name, _) in MODEL_NAMES {
            let config = SessionConfig {
                model: model_by_name(name).unwrap(),
                ..SessionConfig::default()
            };
            assert_eq!(Settings::from_config(&config).unwrap().model, name);
        }
    }
}
