//! IndexedDB in one place: opening a database with its object stores, transactions, reads and
//! writes (through rexie), a failure in one short line, and the browser's clock. The projects
//! ([`crate::storage`], database `activelab`) and the run log ([`crate::runlog`], database
//! `activelab-runs`) each keep their own database and record format on top of it.

use rexie::{ObjectStore, Rexie, TransactionMode};
use std::rc::Rc;
use wasm_bindgen::JsValue;

pub use rexie::KeyRange;

/// An IndexedDB failure, in one short line (the browser's text can carry a whole stack).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct DbError(String);

impl DbError {
    /// Whether the browser refused because the site's storage is full.
    pub fn is_quota(&self) -> bool {
        self.0.contains("Quota")
    }
}

impl From<rexie::Error> for DbError {
    fn from(e: rexie::Error) -> Self {
        Self(describe(&e))
    }
}

/// The DOM exception's name where there is one, else the text's first line.
fn describe(e: &rexie::Error) -> String {
    let text = format!("{e:?}");
    let first = text.lines().next().unwrap_or_default();
    let name = [
        "SecurityError",
        "QuotaExceededError",
        "InvalidStateError",
        "VersionError",
        "UnknownError",
        "NotFoundError",
    ]
    .into_iter()
    .find(|n| text.contains(n));
    match name {
        Some(n) if text.contains("IndexedDbNotFound") => format!("IndexedDB is not available: {n}"),
        Some(n) => n.to_string(),
        None if text.contains("IndexedDbNotFound") => "IndexedDB is not available".into(),
        None => first.chars().take(120).collect(),
    }
}

/// A database: its name, its version, and its object stores, each with its key path (`None`:
/// every write gives the key).
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    pub name: &'static str,
    pub version: u32,
    pub stores: &'static [(&'static str, Option<&'static str>)],
}

/// The connection, closed when the last handle on it goes, so that opening a database for one
/// read leaves nothing open behind.
struct Connection(Option<Rexie>);

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(db) = self.0.take() {
            db.close();
        }
    }
}

/// An open database (cheap to clone).
#[derive(Clone)]
pub struct Database {
    connection: Rc<Connection>,
}

impl Database {
    /// Open the database, creating it and its stores on first use.
    pub async fn open(schema: &Schema) -> Result<Self, DbError> {
        let builder = schema.stores.iter().fold(
            Rexie::builder(schema.name).version(schema.version),
            |builder, &(name, key_path)| {
                let store = ObjectStore::new(name);
                builder.add_object_store(match key_path {
                    Some(path) => store.key_path(path),
                    None => store,
                })
            },
        );
        let db = builder.build().await?;
        Ok(Self {
            connection: Rc::new(Connection(Some(db))),
        })
    }

    fn transaction(&self, stores: &[&str], mode: TransactionMode) -> Result<Tx, DbError> {
        let db = self.connection.0.as_ref().ok_or_else(|| {
            // Only `Connection::drop` takes the database out, and then no handle is left.
            DbError("the database is closed".into())
        })?;
        Ok(Tx {
            tx: db.transaction(stores, mode)?,
        })
    }

    /// `store`, to read from in a transaction of its own.
    fn reader(&self, store: &str) -> Result<rexie::Store, DbError> {
        let tx = self.transaction(&[store], TransactionMode::ReadOnly)?;
        Ok(tx.tx.store(store)?)
    }

    /// A transaction that writes to `stores`: all its writes land or none does.
    pub fn write(&self, stores: &[&str]) -> Result<Tx, DbError> {
        self.transaction(stores, TransactionMode::ReadWrite)
    }

    /// The value under `key`, if any.
    pub async fn get(&self, store: &str, key: &str) -> Result<Option<JsValue>, DbError> {
        let value = self.reader(store)?.get(JsValue::from_str(key)).await?;
        Ok(value.filter(|v| !v.is_undefined()))
    }

    /// Every value (in `range`, or all), in key order.
    pub async fn get_all(
        &self,
        store: &str,
        range: Option<KeyRange>,
    ) -> Result<Vec<JsValue>, DbError> {
        Ok(self.reader(store)?.get_all(range, None).await?)
    }

    /// Every key, in order.
    pub async fn keys(&self, store: &str) -> Result<Vec<JsValue>, DbError> {
        Ok(self.reader(store)?.get_all_keys(None, None).await?)
    }

    /// Every `(key, value)` (in `range`, or all), in key order.
    pub async fn scan(
        &self,
        store: &str,
        range: Option<KeyRange>,
    ) -> Result<Vec<(JsValue, JsValue)>, DbError> {
        Ok(self.reader(store)?.scan(range, None, None, None).await?)
    }

    /// Remove the value under `key`.
    pub async fn delete(&self, store: &str, key: &str) -> Result<(), DbError> {
        let tx = self.write(&[store])?;
        tx.tx.store(store)?.delete(JsValue::from_str(key)).await?;
        tx.done().await
    }

    /// Remove every value in `range`, in one transaction.
    pub async fn delete_range(&self, store: &str, range: KeyRange) -> Result<(), DbError> {
        let tx = self.write(&[store])?;
        let handle = tx.tx.store(store)?;
        for key in handle.get_all_keys(Some(range), None).await? {
            handle.delete(key).await?;
        }
        tx.done().await
    }
}

/// A transaction over one or more stores.
pub struct Tx {
    tx: rexie::Transaction,
}

impl Tx {
    /// Store `value` under `key` (or under its own key path when `key` is `None`).
    pub async fn put(
        &self,
        store: &str,
        key: Option<&str>,
        value: &JsValue,
    ) -> Result<(), DbError> {
        let key = key.map(JsValue::from_str);
        self.tx.store(store)?.put(value, key.as_ref()).await?;
        Ok(())
    }

    /// Wait until every write has landed.
    pub async fn done(self) -> Result<(), DbError> {
        self.tx.done().await?;
        Ok(())
    }
}

/// The time now, in milliseconds since the epoch (the browser's clock).
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
