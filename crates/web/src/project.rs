//! Projects: where the work is kept (or why it is not), the list of stored projects with their
//! size and last change, and deleting one with a confirmation.
//!
//! When storing fails mid-session (the browser's quota is full, or any other write failure), the
//! answers are kept in memory ([`crate::fault::Unsaved`]), [`StorageNote`] says how many and
//! why, with export buttons at hand, and each new answer tries to store them again.
//!
//! A stored project that cannot be read in full (a record that is not JSON, does not fit this
//! version, or names data that is missing; log entries that do not parse, or are missing) is
//! listed with the reason ([`diagnose`]) and an **Export what can be read** button, which
//! downloads a JSON file with the readable parts ([`readable_parts`]).

use super::fault::Unsaved;
use super::storage::{DatasetRef, ProjectRecord, RawEntry, SavedSettings, Storage, StorageError};
use super::studio::{use_studio, Studio};
use engine::session::Event;
use leptos::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use worker::ExportKind;

/// A size in bytes for people: `812 B`, `14.2 KB`, `3.1 MB`.
pub fn format_size(bytes: u64) -> String {
    match bytes {
        b if b < 1_000 => format!("{b} B"),
        b if b < 1_000_000 => format!("{:.1} KB", b as f64 / 1e3),
        b => format!("{:.1} MB", b as f64 / 1e6),
    }
}

/// How long ago a change was, from two times in milliseconds: "just now", "5 min ago", "3 h ago",
/// "2 days ago".
pub fn format_ago(then_ms: f64, now_ms: f64) -> String {
    let minutes = ((now_ms - then_ms) / 60_000.0).max(0.0);
    if minutes < 1.0 {
        "just now".into()
    } else if minutes < 60.0 {
        format!("{minutes:.0} min ago")
    } else if minutes < 48.0 * 60.0 {
        format!("{:.0} h ago", minutes / 60.0)
    } else {
        format!("{:.0} days ago", minutes / 1440.0)
    }
}

/// The answers a failed write left in memory: events `from..from + count` of `project`.
pub fn unsaved(
    project: &ProjectRecord,
    from: usize,
    count: usize,
    error: &StorageError,
) -> Unsaved {
    let (cause, quota) = match error {
        StorageError::Quota(text) => (text.clone(), true),
        StorageError::Unavailable(text)
        | StorageError::Corrupt(text)
        | StorageError::Failed(text) => (text.clone(), false),
    };
    Unsaved {
        project: project.id.clone(),
        name: project.name.clone(),
        from,
        count,
        cause,
        quota,
        dropped: false,
    }
}

/// What the person reads when answers are kept in memory only: the cause, how many, what to do.
pub fn unsaved_message(u: &Unsaved) -> String {
    let cause = if u.quota {
        format!("Storage is full ({})", u.cause)
    } else {
        format!("Saving failed ({})", u.cause)
    };
    let answers = if u.count == 1 {
        "your last answer is".to_string()
    } else {
        format!("your last {} answers are", u.count)
    };
    let room = if u.quota {
        ", then delete old projects to make room"
    } else {
        ""
    };
    format!(
        "{cause}: {answers} kept in memory only, not saved in this browser. Labeling continues, \
         but reloading or closing this tab loses them: export your labels now{room}. Each new \
         answer tries to save them again."
    )
}

/// Where the work is kept: a quiet line when it is stored, an alert when it is only in memory
/// (with the exports at hand). Answers kept in memory after a failed write take precedence over
/// any other storage message (the studio sets a message whenever they change, which re-renders
/// this).
#[component]
pub fn StorageNote() -> impl IntoView {
    let studio = use_studio();
    let has_data = move || studio.dataset.with(Option::is_some);
    view! {
        {move || match studio.storage_note.get() {
            Some(note) => {
                let open = studio.project.with_untracked(|p| p.as_ref().map(|p| p.id.clone()));
                let note = match super::fault::unsaved() {
                    Some(u) if open.as_deref() == Some(u.project.as_str()) => unsaved_message(&u),
                    // Another project was opened since: the answers in memory went with it.
                    Some(u) => format!(
                        "{note} ({} answer(s) of project {} could not be stored and were dropped \
                         when another project was opened.)",
                        u.count, u.name
                    ),
                    None => note,
                };
                view! {
                    <div class="storage-note warning" role="alert" data-testid="storage-note">
                        <p>{note}</p>
                        <Show when=has_data>
                            <div class="storage-note-actions">
                                <button data-testid="storage-export-csv" on:click=move |_| studio.export(ExportKind::LabelsCsv)>
                                    "Export labels as CSV"
                                </button>
                                <button data-testid="storage-export-project" on:click=move |_| studio.export_project()>
                                    "Export this project"
                                </button>
                            </div>
                        </Show>
                    </div>
                }.into_any()
            }
            None => view! {
                <p class="storage-note" data-testid="storage-ok">
                    "Every answer is saved in this browser before the next sample appears. \
                     Nothing is sent anywhere: this page makes no requests beyond its own files."
                </p>
            }.into_any(),
        }}
    }
}

/// What is wrong with one stored project, as the projects list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Damage {
    /// The project's id (its record's key).
    pub id: String,
    /// Its name, when that much can be read.
    pub name: Option<String>,
    /// Every problem found, in words.
    pub reasons: Vec<String>,
    /// The record itself reads (the project is in the normal list too).
    pub record_ok: bool,
}

/// A stored record as a [`ProjectRecord`], or why it cannot be one.
pub fn read_record(text: Option<&str>) -> Result<ProjectRecord, String> {
    let text = text.ok_or("its record is not text")?;
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("its record is not valid JSON ({e})"))?;
    let version = value.get("version").and_then(Value::as_u64);
    serde_json::from_value(value).map_err(|e| match version {
        Some(v) if v != 1 => format!(
            "its record was written by another version of activelab (record version {v}; this \
             version reads version 1)"
        ),
        _ => format!(
            "its record does not fit this version of activelab ({e}): it is damaged, or was \
             written by another version"
        ),
    })
}

/// A log key `"<project id>:<sequence number>"` split in two.
fn split_key(key: &str) -> Option<(&str, usize)> {
    let (id, seq) = key.rsplit_once(':')?;
    Some((id, seq.parse().ok()?))
}

/// A project's stored log, read as far as it goes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogCheck {
    /// The events that parse, with their sequence numbers.
    pub events: Vec<(usize, Event)>,
    /// The entries that do not parse: sequence number and stored text.
    pub unreadable: Vec<(usize, Option<String>)>,
    /// Sequence numbers below the highest stored one that have no entry.
    pub missing: usize,
}

/// Parse a log's entries (`(sequence number, stored text)`).
pub fn check_log(entries: &[(usize, Option<&str>)]) -> LogCheck {
    let mut check = LogCheck::default();
    for (seq, text) in entries {
        match text.and_then(|t| serde_json::from_str::<Event>(t).ok()) {
            Some(event) => check.events.push((*seq, event)),
            None => check.unreadable.push((*seq, text.map(str::to_string))),
        }
    }
    let stored = entries.len();
    check.missing = entries
        .iter()
        .map(|(seq, _)| seq + 1)
        .max()
        .map_or(0, |top| top.saturating_sub(stored));
    check
}

/// What a [`LogCheck`] found wrong, in words.
fn log_reasons(check: &LogCheck) -> Vec<String> {
    let mut reasons = Vec::new();
    let total = check.events.len() + check.unreadable.len();
    if !check.unreadable.is_empty() {
        let numbers: Vec<String> = check
            .unreadable
            .iter()
            .take(5)
            .map(|(seq, _)| (seq + 1).to_string())
            .collect();
        let more = if check.unreadable.len() > 5 {
            ", …"
        } else {
            ""
        };
        reasons.push(format!(
            "{} of its {total} stored labeling events cannot be read (number {}{more})",
            check.unreadable.len(),
            numbers.join(", ")
        ));
    }
    if check.missing > 0 {
        reasons.push(format!(
            "{} of its labeling events are missing from storage",
            check.missing
        ));
    }
    reasons
}

/// Group stored log entries by project id.
fn logs_by_project(events: &[RawEntry]) -> BTreeMap<&str, Vec<(usize, Option<&str>)>> {
    let mut logs: BTreeMap<&str, Vec<(usize, Option<&str>)>> = BTreeMap::new();
    for entry in events {
        if let Some((id, seq)) = split_key(&entry.key) {
            logs.entry(id)
                .or_default()
                .push((seq, entry.text.as_deref()));
        }
    }
    logs
}

/// The name in a record that does not read as a whole, when its JSON has one.
fn name_in(text: Option<&str>) -> Option<String> {
    let value: Value = serde_json::from_str(text?).ok()?;
    value.get("name")?.as_str().map(str::to_string)
}

/// Every stored project that cannot be read in full, and why: records that do not read, data
/// that is missing, log entries that do not parse or are missing, and logs without a record.
pub fn diagnose(
    projects: &[RawEntry],
    events: &[RawEntry],
    dataset_keys: &[String],
) -> Vec<Damage> {
    let mut logs = logs_by_project(events);
    let mut found = Vec::new();
    for entry in projects {
        let record = read_record(entry.text.as_deref());
        let mut reasons = Vec::new();
        let name = match &record {
            Ok(r) => {
                if let DatasetRef::Stored { file_name, key, .. } = &r.dataset {
                    if !dataset_keys.contains(key) {
                        reasons.push(format!("its data ({file_name}) is missing from storage"));
                    }
                }
                Some(r.name.clone())
            }
            Err(reason) => {
                reasons.push(reason.clone());
                name_in(entry.text.as_deref())
            }
        };
        let log = logs.remove(entry.key.as_str()).unwrap_or_default();
        reasons.extend(log_reasons(&check_log(&log)));
        if !reasons.is_empty() {
            found.push(Damage {
                id: entry.key.clone(),
                name,
                reasons,
                record_ok: record.is_ok(),
            });
        }
    }
    for (id, log) in logs {
        found.push(Damage {
            id: id.to_string(),
            name: None,
            reasons: vec![format!(
                "its record is missing; {} labeling event(s) of it are stored",
                log.len()
            )],
            record_ok: false,
        });
    }
    found
}

/// Whether a record field's value fits its type (unknown fields always do).
fn field_fits(name: &str, value: &Value) -> Result<(), String> {
    fn fits<T: serde::de::DeserializeOwned>(value: &Value) -> Result<(), String> {
        serde_json::from_value::<T>(value.clone())
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
    match name {
        "id" | "name" => fits::<String>(value),
        "dataset" => fits::<DatasetRef>(value),
        "size_bytes" => fits::<u64>(value),
        "n_rows" | "n_labels" | "n_events" => fits::<usize>(value),
        "settings" => fits::<SavedSettings>(value),
        "created_ms" | "updated_ms" => fits::<f64>(value),
        _ => Ok(()),
    }
}

/// The record fields this version needs.
const RECORD_FIELDS: [&str; 10] = [
    "id",
    "name",
    "dataset",
    "size_bytes",
    "n_rows",
    "n_labels",
    "n_events",
    "settings",
    "created_ms",
    "updated_ms",
];

/// What is known of a damaged project's data.
#[derive(Debug, Clone, PartialEq)]
pub enum DataPart {
    /// The record does not say (its `dataset` field does not read).
    Unknown,
    /// A bundled demo (not stored: it ships with activelab).
    Bundled(String),
    /// The person's file, read as text.
    Text { file_name: String, text: String },
    /// The person's data is stored but is not text (an image folder): not included.
    Binary { file_name: String, bytes: usize },
    /// The person's data is not in storage (or cannot be read: the reason).
    Missing { file_name: String, why: String },
}

/// The readable parts of a stored project as one JSON document: the record fields that fit
/// (and the ones that do not, with why), the record's text when it is not JSON at all, every
/// log entry that parses (with its sequence number), the count and text of those that do not,
/// and the data when it is stored as text.
pub fn readable_parts(
    id: &str,
    record: Option<&RawEntry>,
    events: &[RawEntry],
    data: DataPart,
) -> Value {
    let text = record.and_then(|r| r.text.as_deref());
    let mut problems: Vec<String> = Vec::new();
    if record.is_none() {
        problems.push("its record is missing".into());
    } else if let Err(reason) = read_record(text) {
        problems.push(reason);
    }
    let parsed: Option<Value> = text.and_then(|t| serde_json::from_str(t).ok());
    let mut fields = Map::new();
    let mut unreadable_fields = Vec::new();
    let mut record_text = Value::Null;
    match parsed {
        Some(Value::Object(object)) => {
            for name in RECORD_FIELDS {
                if !object.contains_key(name) {
                    unreadable_fields.push(format!("{name}: missing"));
                }
            }
            for (name, value) in object {
                match field_fits(&name, &value) {
                    Ok(()) => {
                        fields.insert(name, value);
                    }
                    Err(e) => unreadable_fields.push(format!("{name}: {e}")),
                }
            }
        }
        _ => record_text = text.map_or(Value::Null, |t| Value::String(t.to_string())),
    }
    let own: Vec<RawEntry> = events
        .iter()
        .filter(|e| split_key(&e.key).is_some_and(|(p, _)| p == id))
        .cloned()
        .collect();
    let entries: Vec<(usize, Option<&str>)> = own
        .iter()
        .filter_map(|e| split_key(&e.key).map(|(_, seq)| (seq, e.text.as_deref())))
        .collect();
    let log = check_log(&entries);
    problems.extend(log_reasons(&log));
    let dataset = match data {
        DataPart::Unknown => json!({ "included": false, "why": "the record does not say" }),
        DataPart::Bundled(file) => {
            json!({ "included": false, "bundled": file, "why": "a demo that ships with activelab" })
        }
        DataPart::Text { file_name, text } => {
            json!({ "included": true, "file_name": file_name, "text": text })
        }
        DataPart::Binary { file_name, bytes } => json!({
            "included": false, "file_name": file_name, "bytes": bytes,
            "why": "stored data that is not text (images) is not included"
        }),
        DataPart::Missing { file_name, why } => {
            problems.push(format!("its data ({file_name}) {why}"));
            json!({ "included": false, "file_name": file_name, "why": why })
        }
    };
    json!({
        "activelab_readable_export": 1,
        "note": "What could be read of a stored activelab project that could not be read in full.",
        "project_id": id,
        "problems": problems,
        "record": if fields.is_empty() { Value::Null } else { Value::Object(fields) },
        "record_unreadable_fields": unreadable_fields,
        "record_text": record_text,
        "events": log.events.iter().map(|(seq, e)| json!({ "seq": seq, "event": e })).collect::<Vec<_>>(),
        "events_readable": log.events.len(),
        "events_unreadable": log.unreadable.len(),
        "events_missing": log.missing,
        "unreadable_events": log.unreadable.iter().map(|(seq, t)| json!({ "seq": seq, "text": t })).collect::<Vec<_>>(),
        "dataset": dataset,
    })
}

/// Read storage and [`diagnose`] it.
pub async fn find_damage(storage: &Storage) -> Result<Vec<Damage>, StorageError> {
    let projects = storage.raw_projects().await?;
    let events = storage.raw_events(None).await?;
    let keys = storage.dataset_keys().await?;
    Ok(diagnose(&projects, &events, &keys))
}

/// Read what can be read of project `id` and return its file name and JSON text
/// ([`readable_parts`]).
pub async fn export_readable(
    storage: &Storage,
    id: &str,
) -> Result<(String, String), StorageError> {
    let record = storage
        .raw_projects()
        .await?
        .into_iter()
        .find(|p| p.key == id);
    let events = storage.raw_events(Some(id)).await?;
    let dataset_ref = record
        .as_ref()
        .and_then(|r| r.text.as_deref())
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
        .and_then(|v| serde_json::from_value::<DatasetRef>(v.get("dataset")?.clone()).ok());
    let data = match dataset_ref {
        None => DataPart::Unknown,
        Some(DatasetRef::Bundled { file }) => DataPart::Bundled(file),
        Some(DatasetRef::Stored { file_name, key, .. }) => match storage.dataset(&key).await {
            Ok(Some(bytes)) => match String::from_utf8(bytes) {
                Ok(text) => DataPart::Text { file_name, text },
                Err(e) => DataPart::Binary {
                    file_name,
                    bytes: e.as_bytes().len(),
                },
            },
            Ok(None) => DataPart::Missing {
                file_name,
                why: "is missing from storage".into(),
            },
            Err(e) => DataPart::Missing {
                file_name,
                why: format!("cannot be read ({e})"),
            },
        },
    };
    let parts = readable_parts(id, record.as_ref(), &events, data);
    let text = serde_json::to_string_pretty(&parts)
        .map_err(|e| StorageError::Failed(format!("readable export: {e}")))?;
    Ok((format!("activelab-{id}-readable.json"), text))
}

/// Download what can be read of project `id`; a failure goes to the studio's error line.
fn download_readable(studio: Studio, id: String) {
    leptos::task::spawn_local(async move {
        let Some(storage) = studio.storage() else {
            return;
        };
        let done = match export_readable(&storage, &id).await {
            Ok((file_name, text)) => super::download(&file_name, "application/json", &text),
            Err(e) => Err(e.to_string()),
        };
        if let Err(message) = done {
            studio.error.set(Some(message));
        }
    });
}

/// The stored projects: open, or delete after a confirmation. Projects that cannot be read in
/// full show why, with a button to export what can be read.
#[component]
pub fn ProjectsPanel() -> impl IntoView {
    let studio = use_studio();
    let confirming = RwSignal::new(None::<String>);
    // Looked for again whenever the list is read again; a newer look replaces an older one.
    let damage = LocalResource::new(move || {
        studio.projects.track();
        async move {
            match studio.storage() {
                Some(storage) => find_damage(&storage).await.unwrap_or_default(),
                None => Vec::new(),
            }
        }
    });
    let open_id = move || studio.project.with(|p| p.as_ref().map(|p| p.id.clone()));
    // What is wrong with a project, and the button that exports what can be read.
    let damage_line = move |id: String, name: String| {
        let reasons = {
            let id = id.clone();
            Memo::new(move |_| {
                damage.with(|d| {
                    d.iter()
                        .flatten()
                        .find(|x| x.id == id)
                        .map(|x| x.reasons.join("; "))
                })
            })
        };
        let label = format!("Export what can be read of project {name}");
        view! {
            {move || reasons.get().map(|reasons| {
                let id = id.clone();
                view! {
                    <span class="project-damage" role="note" data-testid="project-damage">
                        {format!("Cannot be read in full: {reasons}.")}
                    </span>
                    <button
                        data-testid="project-salvage"
                        aria-label=label.clone()
                        on:click=move |_| download_readable(studio, id.clone())
                    >"Export what can be read"</button>
                }
            })}
        }
    };
    let delete_buttons = move |id: String, name: String| {
        let asking = {
            let id = id.clone();
            Memo::new(move |_| confirming.get().as_deref() == Some(id.as_str()))
        };
        let (ask, yes) = (id.clone(), id);
        let label_delete = format!("Delete project {name}");
        let label_yes = format!("Yes, delete {name} and its labels");
        view! {
            <Show when=move || asking.get() fallback=move || {
                let ask = ask.clone();
                view! {
                    <button
                        data-testid="project-delete"
                        aria-label=label_delete.clone()
                        on:click=move |_| confirming.set(Some(ask.clone()))
                    >"Delete…"</button>
                }
            }>
                {
                    let yes = yes.clone();
                    let label_yes = label_yes.clone();
                    view! {
                        <span role="alert" class="confirm">"Delete for good?"</span>
                        <button
                            data-testid="project-delete-yes"
                            aria-label=label_yes
                            on:click=move |_| {
                                confirming.set(None);
                                studio.delete_project(yes.clone());
                            }
                        >"Delete"</button>
                        <button data-testid="project-delete-no" on:click=move |_| confirming.set(None)>
                            "Keep"
                        </button>
                    }
                }
            </Show>
        }
    };
    let row = move |p: ProjectRecord| {
        let id = p.id.clone();
        let open = id.clone();
        let is_open = {
            let id = id.clone();
            Memo::new(move |_| open_id().as_deref() == Some(id.as_str()))
        };
        let source = match &p.dataset {
            DatasetRef::Bundled { .. } => "demo".to_string(),
            DatasetRef::Stored { file_name, .. } => file_name.clone(),
        };
        let details = format!(
            "{} · {} labels · {} · changed {}",
            source,
            p.n_labels,
            format_size(p.size_bytes),
            format_ago(p.updated_ms, super::storage::now_ms())
        );
        let name = p.name.clone();
        let label_open = format!("Open project {name}");
        view! {
            <li data-testid="project" data-id=id.clone() class:open-project=move || is_open.get()>
                <span class="project-name">{name.clone()}</span>
                <span class="project-details">{details}</span>
                {damage_line(id.clone(), name.clone())}
                <button
                    data-testid="project-open"
                    aria-label=label_open
                    disabled=move || is_open.get()
                    on:click=move |_| studio.restore(open.clone())
                >"Open"</button>
                {delete_buttons(id.clone(), name)}
            </li>
        }
    };
    // A project whose record does not read: its id (and name, when it can be read) and why.
    let unreadable = move |d: Damage| {
        let name = d
            .name
            .clone()
            .unwrap_or_else(|| format!("Unreadable project {}", d.id));
        view! {
            <li data-testid="project-unreadable" data-id=d.id.clone()>
                <span class="project-name">{name.clone()}</span>
                {damage_line(d.id.clone(), name.clone())}
                {delete_buttons(d.id.clone(), name)}
            </li>
        }
    };
    let on_import = move |ev: leptos::ev::Event| {
        leptos::task::spawn_local(async move {
            match super::controls::read_file(ev).await {
                Ok((name, bytes)) => studio.import_project(name, bytes),
                Err(message) => studio.error.set(Some(message)),
            }
        });
    };
    let any = move || {
        studio.projects.with(|p| !p.is_empty())
            || damage.with(|d| d.iter().flatten().any(|d| !d.record_ok))
    };
    view! {
        <section class="projects" aria-labelledby="projects-title">
            <h2 id="projects-title">"Projects"</h2>
            <div class="project-actions">
                <button data-testid="export-project" on:click=move |_| studio.export_project()>
                    "Export this project"
                </button>
                <button data-testid="export-csv" on:click=move |_| studio.export(ExportKind::LabelsCsv)>
                    "Labels as CSV"
                </button>
                <button data-testid="export-jsonl" on:click=move |_| studio.export(ExportKind::LabelsJsonl)>
                    "Labels as JSON Lines"
                </button>
                <button data-testid="export-model" on:click=move |_| studio.export(ExportKind::ModelJson)>
                    "Model as JSON"
                </button>
                <label class="file-open">
                    "Import a project file "
                    <input type="file" accept=".json,application/json" data-testid="import-project" on:change=on_import/>
                </label>
            </div>
            <Show
                when=any
                fallback=|| view! { <p class="hint">"No stored projects yet."</p> }
            >
                <ul class="project-list" data-testid="projects">
                    {move || studio.projects.get().into_iter().map(row).collect_view()}
                    {move || damage
                        .get()
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|d| !d.record_ok)
                        .map(unreadable)
                        .collect_view()}
                </ul>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn sizes_and_ages_read_well() {
        assert_eq!(format_size(812), "812 B");
        assert_eq!(format_size(14_200), "14.2 KB");
        assert_eq!(format_size(3_100_000), "3.1 MB");
        assert_eq!(format_ago(0.0, 30_000.0), "just now");
        assert_eq!(format_ago(0.0, 5.0 * 60_000.0), "5 min ago");
        assert_eq!(format_ago(0.0, 3.0 * 3_600_000.0), "3 h ago");
        assert_eq!(format_ago(0.0, 72.0 * 3_600_000.0), "3 days ago");
    }

    fn raw(key: &str, text: &str) -> RawEntry {
        RawEntry {
            key: key.into(),
            text: Some(text.into()),
        }
    }

    const GOOD: &str = r#"{"id":"p1","name":"Iris","dataset":{"kind":"bundled","file":"iris.csv"},"size_bytes":10,"n_rows":150,"n_labels":2,"n_events":2,"settings":{},"created_ms":1.0,"updated_ms":2.0}"#;

    #[wasm_bindgen_test]
    fn the_unsaved_message_names_the_cause_and_the_count() {
        let record = read_record(Some(GOOD)).unwrap();
        let u = unsaved(
            &record,
            3,
            4,
            &StorageError::Quota("QuotaExceededError".into()),
        );
        assert_eq!(
            (u.project.as_str(), u.name.as_str(), u.from),
            ("p1", "Iris", 3)
        );
        let text = unsaved_message(&u);
        assert!(text.starts_with(
            "Storage is full (QuotaExceededError): your last 4 answers are kept in memory only"
        ));
        assert!(text.contains("export your labels now"));
        let one = unsaved(&record, 3, 1, &StorageError::Failed("UnknownError".into()));
        assert!(
            unsaved_message(&one).starts_with("Saving failed (UnknownError): your last answer is")
        );
    }

    #[wasm_bindgen_test]
    fn damaged_records_logs_and_missing_data_are_found() {
        let projects = [
            raw("p1", GOOD),
            raw("p2", r#"{"id":"p2","name":"Half"#),
            raw("p3", r#"{"id":"p3","name":"Future","version":7}"#),
            raw(
                "p4",
                &GOOD.replace("p1", "p4").replace(
                    r#"{"kind":"bundled","file":"iris.csv"}"#,
                    r#"{"kind":"stored","file_name":"mine.csv","key":"k4"}"#,
                ),
            ),
        ];
        let events = [
            raw("p1:000000000", r#"{"Skip":{"row":1}}"#),
            raw("p1:000000001", r#"{"Label":{"row":"x"}"#),
            raw("p1:000000003", r#""Undo""#),
            raw("p9:000000000", r#""Undo""#),
        ];
        let found = diagnose(&projects, &events, &[]);
        let reasons = |id: &str| {
            found
                .iter()
                .find(|d| d.id == id)
                .map(|d| d.reasons.join("; "))
        };
        assert_eq!(
            reasons("p1").as_deref(),
            Some("1 of its 3 stored labeling events cannot be read (number 2); 1 of its labeling events are missing from storage")
        );
        assert!(reasons("p2").is_some_and(|r| r.starts_with("its record is not valid JSON")));
        assert!(reasons("p3").is_some_and(|r| r.contains("record version 7")));
        assert_eq!(
            reasons("p4").as_deref(),
            Some("its data (mine.csv) is missing from storage")
        );
        assert!(reasons("p9").is_some_and(|r| r.starts_with("its record is missing")));
        assert_eq!(found.len(), 5);
        assert!(found
            .iter()
            .any(|d| d.id == "p2" && !d.record_ok && d.name.is_none()));
        assert!(found.iter().any(|d| d.id == "p4" && d.record_ok));
    }

    #[wasm_bindgen_test]
    fn the_readable_parts_keep_every_field_and_event_that_reads() {
        let record = raw("p1", &GOOD.replace(r#""n_rows":150"#, r#""n_rows":"many""#));
        let events = [
            raw("p1:000000000", r#"{"Skip":{"row":1}}"#),
            raw("p1:000000001", "garbage"),
            raw("p1:000000002", r#""Undo""#),
        ];
        let parts = readable_parts(
            "p1",
            Some(&record),
            &events,
            DataPart::Bundled("iris.csv".into()),
        );
        assert_eq!(parts["record"]["name"], "Iris");
        assert!(parts["record"].get("n_rows").is_none());
        assert!(parts["record_unreadable_fields"][0]
            .as_str()
            .is_some_and(|f| f.starts_with("n_rows:")));
        assert_eq!(parts["events_readable"], 2);
        assert_eq!(parts["events_unreadable"], 1);
        assert_eq!(parts["events"][1]["seq"], 2);
        assert_eq!(parts["events"][1]["event"], "Undo");
        assert_eq!(parts["unreadable_events"][0]["text"], "garbage");
        let broken = raw("p2", "{not json");
        let parts = readable_parts("p2", Some(&broken), &[], DataPart::Unknown);
        assert_eq!(parts["record"], Value::Null);
        assert_eq!(parts["record_text"], "{not json");
    }
}
