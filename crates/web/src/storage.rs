//! Persistence in the browser's IndexedDB: projects, their datasets and their event logs.
//!
//! Database `activelab` (version 1), four object stores with out-of-line keys:
//! - `projects`: project id → [`ProjectRecord`] as JSON text (name, dataset reference, settings,
//!   counts, timestamps);
//! - `datasets`: dataset fingerprint → the file's raw bytes (`Uint8Array`, or the picked file
//!   itself as a `Blob`, which the browser writes without the page copying it), stored once however
//!   many projects use it (bundled demos are not stored: they are fetched again); an image folder
//!   is stored decoded (`worker::stored`), so a reload reopens it exactly;
//! - `events`: `"<project id>:<sequence number, 9 digits>"` → one [`Event`] as JSON text, so
//!   appending a label writes one small record, and a project's log is one key-range read;
//! - `meta`: `"last"` → the id of the project open when the page was left; `"keys:<project id>"` →
//!   that project's labeling keys as JSON.
//!
//! Every label is appended (and its transaction completed) before the worker is asked for the next
//! sample, so a reload at any moment finds every answer the person gave. When IndexedDB is missing
//! or refuses (private windows, blocked storage, quota), [`Storage::open`] fails with a message and
//! the studio keeps working in memory (see `Studio::storage_note`).

use super::database::{Database, DbError, KeyRange, Schema};
use engine::session::Event;
use engine::simulation::CurvePoint;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use worker::{ReadAs, Settings};

pub use super::database::now_ms;

/// The database's name.
pub const DB_NAME: &str = "activelab";
/// The schema version this code writes.
pub const DB_VERSION: u32 = 1;
const PROJECTS: &str = "projects";
const DATASETS: &str = "datasets";
const EVENTS: &str = "events";
const META: &str = "meta";
const SCHEMA: Schema = Schema {
    name: DB_NAME,
    version: DB_VERSION,
    stores: &[
        (PROJECTS, None),
        (DATASETS, None),
        (EVENTS, None),
        (META, None),
    ],
};

/// What went wrong with storage, in words for the person.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StorageError {
    /// IndexedDB cannot be used at all here.
    #[error(
        "This browser does not let activelab store data here ({0}). Labeling continues, but \
         only in this tab: export your labels before closing it."
    )]
    Unavailable(String),
    /// The browser's storage quota is full.
    #[error(
        "The browser's storage for this site is full, so the last change was not saved ({0}). \
         Export your project, then delete old projects to make room."
    )]
    Quota(String),
    /// A stored record could not be read back.
    #[error("A stored record is damaged: {0}")]
    Corrupt(String),
    /// Any other IndexedDB failure.
    #[error("Saving failed: {0}")]
    Failed(String),
}

impl From<DbError> for StorageError {
    fn from(e: DbError) -> Self {
        if e.is_quota() {
            StorageError::Quota(e.to_string())
        } else {
            StorageError::Failed(e.to_string())
        }
    }
}

/// Where a project's dataset comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DatasetRef {
    /// A bundled demo, fetched again from `datasets/<file>`.
    Bundled { file: String },
    /// The person's file (or decoded image folder), whose bytes are in the `datasets` store
    /// under `key`, read as `read` says (records written before it existed read as a plain file).
    Stored {
        file_name: String,
        key: String,
        #[serde(default, skip_serializing_if = "is_plain_file")]
        read: ReadAs,
    },
}

fn is_plain_file(read: &ReadAs) -> bool {
    *read == ReadAs::File
}

/// A project's settings and what was on screen, saved with its record.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedSettings {
    /// Seed, strategy, model, batch size, probe share, cold start.
    pub session: Settings,
    /// The learning curve so far (a restore shows it without refitting every step).
    pub curve: Vec<CurvePoint>,
    /// The row on screen after the last round (records written before `shown` have only it).
    pub query_row: Option<usize>,
    /// The picks on screen after the last round: the sample, then the rest of its batch.
    pub shown: Vec<usize>,
}

impl SavedSettings {
    /// The picks to show again when the project is restored.
    pub fn shown(&self) -> Vec<usize> {
        if self.shown.is_empty() {
            self.query_row.into_iter().collect()
        } else {
            self.shown.clone()
        }
    }
}

/// One project as the projects list and a restore need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectRecord {
    /// A unique id (time and a random part).
    pub id: String,
    /// The name shown in the list.
    pub name: String,
    pub dataset: DatasetRef,
    /// The dataset's size in bytes.
    pub size_bytes: u64,
    /// Rows in the dataset.
    pub n_rows: usize,
    /// Labels in effect after the last event.
    pub n_labels: usize,
    /// Events in the log (the next event's sequence number).
    pub n_events: usize,
    /// What the session needs to come back exactly as it was left.
    pub settings: SavedSettings,
    /// Milliseconds since the epoch.
    pub created_ms: f64,
    /// Milliseconds since the epoch of the last change.
    pub updated_ms: f64,
}

/// A handle on the open database (cheap to clone).
#[derive(Clone)]
pub struct Storage {
    db: Database,
}

fn event_key(project: &str, seq: usize) -> String {
    format!("{project}:{seq:09}")
}

fn text_of(value: &JsValue, what: &str) -> Result<String, StorageError> {
    value
        .as_string()
        .ok_or_else(|| StorageError::Corrupt(format!("{what} is not text")))
}

impl Storage {
    /// Open (or create) the database.
    pub async fn open() -> Result<Self, StorageError> {
        let db = Database::open(&SCHEMA)
            .await
            .map_err(|e| StorageError::Unavailable(e.to_string()))?;
        Ok(Self { db })
    }

    async fn put(&self, store: &str, key: &str, value: &JsValue) -> Result<(), StorageError> {
        let tx = self.db.write(&[store])?;
        tx.put(store, Some(key), value).await?;
        Ok(tx.done().await?)
    }

    async fn get(&self, store: &str, key: &str) -> Result<Option<JsValue>, StorageError> {
        Ok(self.db.get(store, key).await?)
    }

    /// Every project, most recently changed first. Damaged records are skipped and counted in the
    /// second value.
    pub async fn projects(&self) -> Result<(Vec<ProjectRecord>, usize), StorageError> {
        let values = self.db.get_all(PROJECTS, None).await?;
        let mut damaged = 0;
        let mut list: Vec<ProjectRecord> = values
            .iter()
            .filter_map(|v| {
                let parsed = v
                    .as_string()
                    .and_then(|text| serde_json::from_str::<ProjectRecord>(&text).ok());
                if parsed.is_none() {
                    damaged += 1;
                }
                parsed
            })
            .collect();
        list.sort_by(|a, b| b.updated_ms.total_cmp(&a.updated_ms));
        Ok((list, damaged))
    }

    /// One project's record.
    pub async fn project(&self, id: &str) -> Result<Option<ProjectRecord>, StorageError> {
        match self.get(PROJECTS, id).await? {
            None => Ok(None),
            Some(v) => {
                let text = text_of(&v, "the project record")?;
                serde_json::from_str(&text)
                    .map(Some)
                    .map_err(|e| StorageError::Corrupt(format!("project {id}: {e}")))
            }
        }
    }

    /// Write a project's record (create or replace).
    pub async fn save_project(&self, record: &ProjectRecord) -> Result<(), StorageError> {
        let text = serde_json::to_string(record)
            .map_err(|e| StorageError::Failed(format!("project record: {e}")))?;
        self.put(PROJECTS, &record.id, &JsValue::from_str(&text))
            .await
    }

    /// Store a dataset's bytes under `key` (its fingerprint).
    pub async fn save_dataset(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        let array = js_sys::Uint8Array::from(bytes);
        self.put(DATASETS, key, &array.into()).await
    }

    /// Store a picked file (or any `Blob`) under `key` as it is: IndexedDB keeps the blob, so
    /// the page never copies a large file's bytes to save it.
    pub async fn save_dataset_blob(
        &self,
        key: &str,
        blob: &web_sys::Blob,
    ) -> Result<(), StorageError> {
        self.put(DATASETS, key, blob.as_ref()).await
    }

    /// A stored dataset as a `Blob` (bytes stored by an older version become one), so the worker
    /// can read it without its bytes passing through the page.
    pub async fn dataset_blob(&self, key: &str) -> Result<Option<web_sys::Blob>, StorageError> {
        use wasm_bindgen::JsCast;
        let Some(value) = self.get(DATASETS, key).await? else {
            return Ok(None);
        };
        match value.dyn_into::<web_sys::Blob>() {
            Ok(blob) => Ok(Some(blob)),
            Err(value) => web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&value))
                .map(Some)
                .map_err(|e| StorageError::Corrupt(format!("dataset {key}: {e:?}"))),
        }
    }

    /// A stored dataset's bytes (stored as bytes or as a blob).
    pub async fn dataset(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        use wasm_bindgen::JsCast;
        let Some(value) = self.get(DATASETS, key).await? else {
            return Ok(None);
        };
        let buffer = match value.dyn_into::<web_sys::Blob>() {
            Ok(blob) => wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
                .await
                .map_err(|e| StorageError::Corrupt(format!("dataset {key}: {e:?}")))?,
            Err(value) => value,
        };
        Ok(Some(js_sys::Uint8Array::new(&buffer).to_vec()))
    }

    /// Append `event` as number `seq` of `record`'s log and save the record (updated counts) in the
    /// same transaction: both land or neither does.
    pub async fn append_event(
        &self,
        record: &ProjectRecord,
        seq: usize,
        event: &Event,
    ) -> Result<(), StorageError> {
        self.append_events(record, seq, std::slice::from_ref(event))
            .await
    }

    /// Write a whole log (an imported project's) and its record in one transaction.
    pub async fn save_log(
        &self,
        record: &ProjectRecord,
        events: &[Event],
    ) -> Result<(), StorageError> {
        self.append_events(record, 0, events).await
    }

    fn log_range(id: &str, from: usize) -> Result<KeyRange, StorageError> {
        KeyRange::bound(
            &JsValue::from_str(&event_key(id, from)),
            &JsValue::from_str(&format!("{id};")),
            Some(false),
            Some(true),
        )
        .map_err(|e| StorageError::Failed(format!("{e:?}")))
    }

    /// A project's log, in order. A damaged entry stops the read: the events before it are
    /// returned with the error's text, so what can be read is never lost.
    pub async fn events(&self, id: &str) -> Result<(Vec<Event>, Option<String>), StorageError> {
        let values = self
            .db
            .get_all(EVENTS, Some(Self::log_range(id, 0)?))
            .await?;
        let mut events = Vec::with_capacity(values.len());
        for (i, v) in values.iter().enumerate() {
            let parsed = v
                .as_string()
                .ok_or_else(|| "not text".to_string())
                .and_then(|t| serde_json::from_str::<Event>(&t).map_err(|e| e.to_string()));
            match parsed {
                Ok(event) => events.push(event),
                Err(e) => {
                    return Ok((
                        events,
                        Some(format!(
                        "event {} of {} could not be read ({e}); the {} before it were restored",
                        i + 1,
                        values.len(),
                        i
                    )),
                    ))
                }
            }
        }
        Ok((events, None))
    }

    /// Remove events `from..` of a project (a change the worker refused is taken back).
    pub async fn truncate_events(&self, id: &str, from: usize) -> Result<(), StorageError> {
        Ok(self
            .db
            .delete_range(EVENTS, Self::log_range(id, from)?)
            .await?)
    }

    /// Delete a project, its log, and its dataset when no other project uses it.
    pub async fn delete_project(&self, id: &str) -> Result<(), StorageError> {
        let record = self.project(id).await.ok().flatten();
        self.truncate_events(id, 0).await?;
        self.db.delete(PROJECTS, id).await?;
        if let Some(ProjectRecord {
            dataset: DatasetRef::Stored { key, .. },
            ..
        }) = record
        {
            let (others, _) = self.projects().await?;
            let shared = others
                .iter()
                .any(|p| matches!(&p.dataset, DatasetRef::Stored { key: k, .. } if *k == key));
            if !shared {
                self.db.delete(DATASETS, &key).await?;
            }
        }
        if self.last().await?.as_deref() == Some(id) {
            self.put(META, "last", &JsValue::NULL).await?;
        }
        Ok(())
    }

    /// Remember which project is open.
    pub async fn set_last(&self, id: &str) -> Result<(), StorageError> {
        self.put(META, "last", &JsValue::from_str(id)).await
    }

    /// The project that was open when the page was left.
    pub async fn last(&self) -> Result<Option<String>, StorageError> {
        Ok(self.get(META, "last").await?.and_then(|v| v.as_string()))
    }

    /// A project's labeling keys (a `keymap::KeyMap` as JSON), kept in `meta` under
    /// `"keys:<project id>"`.
    pub async fn key_map(&self, project: &str) -> Result<Option<String>, StorageError> {
        let value = self.get(META, &format!("keys:{project}")).await?;
        Ok(value.and_then(|v| v.as_string()))
    }

    /// Store a project's labeling keys (JSON text).
    pub async fn set_key_map(&self, project: &str, json: &str) -> Result<(), StorageError> {
        let key = format!("keys:{project}");
        self.put(META, &key, &JsValue::from_str(json)).await
    }
}

/// A stored value as it was read, before any parsing: its key, and its text (JSON text as
/// stored, or a non-text value in `JSON.stringify`'s words; `None` when even that fails).
#[derive(Debug, Clone, PartialEq)]
pub struct RawEntry {
    /// The record's key.
    pub key: String,
    /// Its text.
    pub text: Option<String>,
}

fn raw_text(value: &JsValue) -> Option<String> {
    value.as_string().or_else(|| {
        js_sys::JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
    })
}

/// Reads for diagnosis and salvage (`ui::project`), and the write that saves answers kept in
/// memory after a failed write.
impl Storage {
    async fn scan_raw(
        &self,
        store: &str,
        range: Option<KeyRange>,
    ) -> Result<Vec<RawEntry>, StorageError> {
        let pairs = self.db.scan(store, range).await?;
        Ok(pairs
            .iter()
            .map(|(key, value)| RawEntry {
                key: key.as_string().unwrap_or_else(|| format!("{key:?}")),
                text: raw_text(value),
            })
            .collect())
    }

    /// Every project record as stored, unparsed, in key order.
    pub async fn raw_projects(&self) -> Result<Vec<RawEntry>, StorageError> {
        self.scan_raw(PROJECTS, None).await
    }

    /// Every stored event (of every project, or of `project` only), unparsed, in key order
    /// (`"<project id>:<sequence number>"`).
    pub async fn raw_events(&self, project: Option<&str>) -> Result<Vec<RawEntry>, StorageError> {
        let range = project.map(|id| Self::log_range(id, 0)).transpose()?;
        self.scan_raw(EVENTS, range).await
    }

    /// The keys of the stored datasets.
    pub async fn dataset_keys(&self) -> Result<Vec<String>, StorageError> {
        let keys = self.db.keys(DATASETS).await?;
        Ok(keys.iter().filter_map(JsValue::as_string).collect())
    }

    /// Write events `from..` of `record`'s log (the answers a failed write left in memory, then
    /// the new one) and the record, in one transaction: all land or none does.
    pub async fn append_events(
        &self,
        record: &ProjectRecord,
        from: usize,
        events: &[Event],
    ) -> Result<(), StorageError> {
        let record_text = serde_json::to_string(record)
            .map_err(|e| StorageError::Failed(format!("project record: {e}")))?;
        // Everything is put into words before the transaction starts, so a failure leaves it
        // untouched.
        let texts = events
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StorageError::Failed(format!("event: {e}")))?;
        let tx = self.db.write(&[EVENTS, PROJECTS])?;
        for (i, text) in texts.iter().enumerate() {
            let key = event_key(&record.id, from + i);
            tx.put(EVENTS, Some(&key), &JsValue::from_str(text)).await?;
        }
        tx.put(PROJECTS, Some(&record.id), &JsValue::from_str(&record_text))
            .await?;
        Ok(tx.done().await?)
    }
}

/// A new project id: the time in milliseconds and a random suffix.
pub fn new_project_id() -> String {
    let now = now_ms() as u64;
    let random = (js_sys::Math::random() * 1e9) as u64;
    format!("p{now:x}{random:x}")
}
