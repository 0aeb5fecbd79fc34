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

mod fingerprint;
mod read;
mod settings;
mod source;
#[cfg(test)]
mod tests;

pub use self::fingerprint::{fingerprint, Fingerprint};
pub use self::settings::Settings;
pub use self::source::{ImportKind, ImportSettings, Source};

use crate::data::{DataError, Dataset};
use crate::session::{describe, Event, Origin, Session, SessionError};
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
