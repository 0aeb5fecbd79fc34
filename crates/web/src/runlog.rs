//! The run log ("Runs" tab): every race, stream run and labeling session is recorded in
//! IndexedDB (database `activelab-runs`, object store `runs`, key `id`) with the dataset's
//! fingerprint, the settings, the seeds, the curves, a timestamp and the app version. The table
//! filters and picks runs, overlays their curves, and exports / imports them as JSON (one run is
//! an object, several an array).
//!
//! For other views: [`provide_runlog`] hands out a [`RunLog`], through which a finished race or
//! stream run records itself ([`RunLog::record_race`], [`RunLog::record_stream`]) and an open
//! Runs tab learns that it must read the log again; [`labeling_record`] describes a labeling
//! session's curve.

use super::chart::{series_style, Chart, LineLegend, Lines, Series};
use super::database::{now_ms, Database, DbError, Schema};
use super::stream::{lines_geometry, LINES_FRAME};
use engine::simulation::CurvePoint;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use worker::race::{RaceReport, StreamReport};

/// The IndexedDB database of the run log.
pub const DB_NAME: &str = "activelab-runs";
/// Its object store.
pub const STORE: &str = "runs";
/// The app version written into every record.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");
const SCHEMA: Schema = Schema {
    name: DB_NAME,
    version: 1,
    stores: &[(STORE, Some("id"))],
};

/// One curve of a run: `y` (accuracy) against `x` (labels, or rows seen for streams).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunCurve {
    /// Short name (strategy or sampler).
    pub name: String,
    /// Display name.
    pub label: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

/// One recorded run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Unique key.
    pub id: String,
    /// `race`, `stream` or `labeling`.
    pub kind: String,
    /// Milliseconds since 1970 (the browser's clock).
    pub created_ms: f64,
    /// The app version that made it.
    pub app_version: String,
    /// The dataset's name.
    pub dataset: String,
    /// Fingerprint of the dataset's bytes.
    pub fingerprint: String,
    /// The settings, as the view that made the run has them.
    pub settings: serde_json::Value,
    /// Seeds.
    pub seeds: Vec<u64>,
    /// The curves.
    pub curves: Vec<RunCurve>,
    /// The summary sentences.
    #[serde(default)]
    pub summary: Vec<String>,
    /// The replay query (bundled-dataset races).
    #[serde(default)]
    pub replay: Option<String>,
}

fn new_id(kind: &str, fingerprint: &str) -> String {
    format!(
        "{kind}-{:.0}-{}-{:06}",
        now_ms(),
        fingerprint.get(..8).unwrap_or(fingerprint),
        (js_sys::Math::random() * 1e6) as u64
    )
}

async fn open() -> Result<Database, String> {
    Database::open(&SCHEMA)
        .await
        .map_err(|e| format!("The run log could not be opened: {e}"))
}

fn to_js(record: &RunRecord) -> Result<JsValue, String> {
    let text = serde_json::to_string(record).map_err(|e| e.to_string())?;
    js_sys::JSON::parse(&text).map_err(|e| format!("{e:?}"))
}

fn from_js(value: &JsValue) -> Option<RunRecord> {
    let text = js_sys::JSON::stringify(value).ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

/// Store runs (replacing runs with the same id), in one transaction.
async fn put_all(records: &[RunRecord]) -> Result<(), String> {
    let values = records.iter().map(to_js).collect::<Result<Vec<_>, _>>()?;
    let db = open().await?;
    let fail = |e: DbError| format!("The run log could not be written: {e}");
    let tx = db.write(&[STORE]).map_err(fail)?;
    for value in &values {
        tx.put(STORE, None, value).await.map_err(fail)?;
    }
    tx.done().await.map_err(fail)
}

/// Every stored run, newest first.
pub async fn list() -> Result<Vec<RunRecord>, String> {
    let values = open()
        .await?
        .get_all(STORE, None)
        .await
        .map_err(|e| format!("The run log could not be read: {e}"))?;
    let mut runs: Vec<RunRecord> = values.iter().filter_map(from_js).collect();
    runs.sort_by(|a, b| b.created_ms.total_cmp(&a.created_ms));
    Ok(runs)
}

/// Store a run without waiting (a failure is logged to the console), then call `stored`.
fn spawn_put(record: RunRecord, stored: impl FnOnce() + 'static) {
    leptos::task::spawn_local(async move {
        match put_all(std::slice::from_ref(&record)).await {
            Ok(()) => stored(),
            Err(e) => leptos::logging::warn!("{e}"),
        }
    });
}

/// The run log as the views share it: every write through it makes an open Runs tab read the log
/// again. `Copy`, so closures and the views' state take it freely.
#[derive(Clone, Copy)]
pub struct RunLog {
    revision: RwSignal<u64>,
}

impl Default for RunLog {
    fn default() -> Self {
        Self {
            revision: RwSignal::new(0),
        }
    }
}

impl RunLog {
    fn changed(self) {
        self.revision.update(|r| *r += 1);
    }

    /// Store runs (replacing runs with the same id).
    pub async fn put_all(self, records: &[RunRecord]) -> Result<(), String> {
        put_all(records).await?;
        self.changed();
        Ok(())
    }

    /// Delete one run.
    pub async fn delete(self, id: &str) -> Result<(), String> {
        open()
            .await?
            .delete(STORE, id)
            .await
            .map_err(|e| format!("The run could not be deleted: {e}"))?;
        self.changed();
        Ok(())
    }

    /// Store a run without waiting (a failure is logged to the console).
    fn record(self, record: RunRecord) {
        spawn_put(record, move || self.changed());
    }

    /// Record a finished race.
    pub fn record_race(self, report: &RaceReport) {
        self.record(race_record(report));
    }

    /// Record a finished stream comparison.
    pub fn record_stream(self, report: &StreamReport) {
        self.record(stream_record(report));
    }

    /// Record (or replace) a labeling session's learning curve ([`labeling_record`]).
    pub fn record_labeling(self, record: RunRecord) {
        self.record(record);
    }
}

/// Make the run log available below (the app does it, before the studio that records into it).
pub fn provide_runlog() -> RunLog {
    let log = RunLog::default();
    provide_context(log);
    log
}

/// The run log provided by [`provide_runlog`].
///
/// Calling it outside [`provide_runlog`] is a programming error, not something user data can cause.
pub fn use_runlog() -> RunLog {
    use_context::<RunLog>().expect("the Runs view must be mounted below provide_runlog")
}

fn race_record(report: &RaceReport) -> RunRecord {
    RunRecord {
        id: new_id("race", &report.fingerprint),
        kind: "race".into(),
        created_ms: now_ms(),
        app_version: APP_VERSION.into(),
        dataset: report.dataset.clone(),
        fingerprint: report.fingerprint.clone(),
        settings: serde_json::to_value(&report.settings).unwrap_or_default(),
        seeds: report.settings.seeds.clone(),
        curves: report
            .curves
            .iter()
            .map(|c| RunCurve {
                name: c.strategy.to_string(),
                label: c.label.clone(),
                x: c.stats.iter().map(|s| s.n_labels as f64).collect(),
                y: c.stats.iter().map(|s| s.mean).collect(),
            })
            .collect(),
        summary: report.summary.sentences.clone(),
        replay: super::race::replay_query(&report.settings),
    }
}

fn stream_record(report: &StreamReport) -> RunRecord {
    RunRecord {
        id: new_id("stream", &report.fingerprint),
        kind: "stream".into(),
        created_ms: now_ms(),
        app_version: APP_VERSION.into(),
        dataset: report.dataset.clone(),
        fingerprint: report.fingerprint.clone(),
        settings: serde_json::json!({
            "budget": report.budget,
            "drift_at": report.drift_at,
            "n_rows": report.n_rows,
        }),
        seeds: vec![report.seed],
        curves: report
            .curves
            .iter()
            .map(|c| RunCurve {
                name: c.name.clone(),
                label: c.label.clone(),
                x: c.run.points.iter().map(|p| p.seen as f64).collect(),
                y: c.run.points.iter().map(|p| p.accuracy).collect(),
            })
            .collect(),
        summary: report.sentences.clone(),
        replay: None,
    }
}

/// Record a labeling session's learning curve (for the labeling studio): `settings` is whatever
/// describes the session (strategy, model, seed…).
pub fn labeling_record(
    project_id: &str,
    dataset: &str,
    fingerprint: &str,
    settings: serde_json::Value,
    seed: u64,
    curve: &[CurvePoint],
) -> RunRecord {
    RunRecord {
        // One record per project, replaced as the session goes on.
        id: format!("labeling-{project_id}"),
        kind: "labeling".into(),
        created_ms: now_ms(),
        app_version: APP_VERSION.into(),
        dataset: dataset.into(),
        fingerprint: fingerprint.into(),
        settings,
        seeds: vec![seed],
        curves: vec![RunCurve {
            name: "session".into(),
            label: "your labels".into(),
            x: curve.iter().map(|p| p.n_labels as f64).collect(),
            y: curve.iter().map(|p| p.accuracy).collect(),
        }],
        summary: Vec::new(),
        replay: None,
    }
}

/// Runs as JSON: one run as an object, several as an array.
pub fn export_json(records: &[RunRecord]) -> String {
    match records {
        [one] => serde_json::to_string_pretty(one),
        many => serde_json::to_string_pretty(many),
    }
    .unwrap_or_default()
}

/// Runs from JSON written by [`export_json`] (an object or an array of them).
pub fn import_json(text: &str) -> Result<Vec<RunRecord>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("This is not a run log file: {e}"))?;
    let runs = if value.is_array() {
        serde_json::from_value::<Vec<RunRecord>>(value)
    } else {
        serde_json::from_value::<RunRecord>(value).map(|r| vec![r])
    }
    .map_err(|e| format!("This is not a run log file: {e}"))?;
    Ok(runs)
}

/// Offer `text` as a JSON download named `name`.
pub fn download(name: &str, text: &str) -> Result<(), String> {
    super::download(name, "application/json", text)
}

fn date(ms: f64) -> String {
    let iso: String = js_sys::Date::new(&JsValue::from_f64(ms))
        .to_iso_string()
        .into();
    iso.get(..16).unwrap_or(&iso).replace('T', " ")
}

fn describe(r: &RunRecord) -> String {
    let s = &r.settings;
    match r.kind.as_str() {
        "race" => format!(
            "{} · {} · budget {} · batch {} · noise {} · seeds {}",
            s["model"].as_str().unwrap_or("?"),
            s["strategies"]
                .as_array()
                .map(|a| a
                    .iter()
                    .filter_map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default(),
            s["budget"],
            s["batch"],
            s["noise"],
            r.seeds
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
        "stream" => format!("budget {} · drift at {}", s["budget"], s["drift_at"]),
        _ => s.to_string(),
    }
}

/// The "Runs" tab.
#[component]
pub fn RunsView() -> impl IntoView {
    let log = use_runlog();
    let stored = LocalResource::new(move || {
        log.revision.track();
        list()
    });
    let runs = Memo::new(move |_| {
        stored.with(|s| match s {
            Some(Ok(runs)) => runs.clone(),
            _ => Vec::new(),
        })
    });
    let filter = RwSignal::new(String::new());
    let picked = RwSignal::new(Vec::<String>::new());
    let message = RwSignal::new(None::<String>);
    let shown_message = move || {
        message.get().or_else(|| {
            stored.with(|s| match s {
                Some(Err(e)) => Some(e.clone()),
                _ => None,
            })
        })
    };
    let shown = Memo::new(move |_| {
        let f = filter.get().to_lowercase();
        runs.get()
            .into_iter()
            .filter(|r| {
                f.is_empty()
                    || r.kind.to_lowercase().contains(&f)
                    || r.dataset.to_lowercase().contains(&f)
                    || describe(r).to_lowercase().contains(&f)
            })
            .collect::<Vec<_>>()
    });
    let overlay = Memo::new(move |_| {
        let ids = picked.get();
        let series: Vec<Series> = runs.with(|all| {
            let chosen: Vec<&RunRecord> = ids
                .iter()
                .filter_map(|id| all.iter().find(|r| r.id == *id))
                .collect();
            // One x axis per chart: runs of the first picked run's kind (labels or rows seen).
            let kind = chosen.first().map(|r| r.kind.clone()).unwrap_or_default();
            chosen
                .into_iter()
                .filter(|r| r.kind == kind)
                .enumerate()
                .flat_map(|(k, r)| {
                    r.curves.iter().map(move |c| {
                        let last = c
                            .x
                            .last()
                            .zip(c.y.last())
                            .map(|(x, y)| format!(", last {} at {x}", super::format_percent(*y)))
                            .unwrap_or_default();
                        (
                            format!("{k}:{}", c.name),
                            format!("run {} ({}): {}{last}", k + 1, r.dataset, c.label),
                            c.x.iter().copied().zip(c.y.iter().copied()).collect(),
                        )
                    })
                })
                .enumerate()
                .map(|(i, (name, label, points))| Series {
                    style: series_style(&name, i),
                    name,
                    label,
                    points,
                })
                .collect()
        });
        let x_max = series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .fold(1.0, f64::max);
        lines_geometry(&series, x_max, 1.0, true, None)
    });
    let mixed = move || {
        let ids = picked.get();
        runs.with(|all| {
            let kinds: Vec<&str> = ids
                .iter()
                .filter_map(|id| all.iter().find(|r| r.id == *id).map(|r| r.kind.as_str()))
                .collect();
            kinds.iter().any(|k| Some(k) != kinds.first())
        })
    };
    let export = move |which: Vec<RunRecord>| {
        let name = match which.as_slice() {
            [one] => format!("activelab-run-{}.json", one.id),
            _ => "activelab-runs.json".to_string(),
        };
        if let Err(e) = download(&name, &export_json(&which)) {
            message.set(Some(e));
        }
    };
    let on_import = move |ev: leptos::ev::Event| {
        leptos::task::spawn_local(async move {
            let result = async {
                let (_, bytes) = super::controls::read_file(ev).await?;
                let text = String::from_utf8(bytes).map_err(|_| "The file is not UTF-8 text.")?;
                let records = import_json(&text)?;
                log.put_all(&records).await?;
                Ok::<usize, String>(records.len())
            }
            .await;
            message.set(Some(match result {
                Ok(n) => format!("Imported {n} run(s)."),
                Err(e) => e,
            }));
        });
    };
    view! {
        <main class="race runs" aria-labelledby="runs-title">
            <h2 id="runs-title">"Run log"</h2>
            <p class="hint">"Every race, stream run and labeling session is kept in this browser (IndexedDB), with the dataset's fingerprint, the settings, the seeds, the curves and the app version."</p>
            <div class="race-actions">
                <label>"Filter "
                    <input type="search" data-testid="runs-filter" prop:value=move || filter.get()
                        on:input=move |ev| filter.set(event_target_value(&ev))/>
                </label>
                <button type="button" data-testid="runs-export-all" on:click=move |_| export(runs.get_untracked())>"Export all"</button>
                <button type="button" data-testid="runs-export-picked"
                    disabled=move || picked.with(Vec::is_empty)
                    on:click=move |_| { let ids = picked.get_untracked(); export(runs.get_untracked().into_iter().filter(|r| ids.contains(&r.id)).collect()) }>
                    "Export picked"
                </button>
                <label class="file-open">"Import runs (JSON) "
                    <input type="file" accept=".json,application/json" data-testid="runs-import" on:change=on_import/>
                </label>
            </div>
            {move || shown_message().map(|m| view! { <p role="status" data-testid="runs-message">{m}</p> })}
            <table class="curve-table runs-table" data-testid="runs-table" data-loaded=move || stored.with(|s| s.is_some()).to_string()>
                <caption>"Recorded runs, newest first"</caption>
                <thead><tr>
                    <th scope="col">"Overlay"</th><th scope="col">"When"</th><th scope="col">"Kind"</th>
                    <th scope="col">"Dataset"</th><th scope="col">"Settings"</th><th scope="col">"Fingerprint"</th>
                    <th scope="col">"Version"</th><th scope="col">"Actions"</th>
                </tr></thead>
                <tbody>
                    <For each=move || shown.get() key=|r| r.id.clone() let:r>
                        {
                            let id = r.id.clone();
                            let id_check = id.clone();
                            let id_del = id.clone();
                            let id_attr = id.clone();
                            let one = r.clone();
                            let label = format!("Overlay the {} run on {} from {}", r.kind, r.dataset, date(r.created_ms));
                            view! {
                                <tr data-testid="run-row" data-kind=r.kind.clone() data-id=id_attr>
                                    <td><input type="checkbox" aria-label=label
                                        prop:checked=move || picked.with(|p| p.contains(&id_check))
                                        on:change=move |ev| { let on = event_target_checked(&ev); let id = id.clone(); picked.update(|p| { p.retain(|x| *x != id); if on { p.push(id); } }); }/></td>
                                    <td>{date(r.created_ms)}</td>
                                    <td>{r.kind.clone()}</td>
                                    <td>{r.dataset.clone()}</td>
                                    <td class="settings">{describe(&r)}</td>
                                    <td><code>{r.fingerprint.clone()}</code></td>
                                    <td>{r.app_version.clone()}</td>
                                    <td>
                                        <button type="button" on:click=move |_| export(vec![one.clone()])>"Export"</button>
                                        {r.replay.clone().map(|q| view! { <a href=format!("?{q}")>"Replay"</a> })}
                                        <button type="button" on:click=move |_| { let id = id_del.clone(); leptos::task::spawn_local(async move { if let Err(e) = log.delete(&id).await { message.set(Some(e)); } }); }>"Delete"</button>
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
            <figure class="chart race-chart" aria-labelledby="overlay-title">
                <h3 id="overlay-title">"Overlay of the picked runs' curves (accuracy against labels, or rows seen for streams)"</h3>
                {move || mixed().then(|| view! { <p class="hint">"Only runs of the first picked run's kind are drawn (races count labels, streams count rows)."</p> })}
                <Chart
                    frame=LINES_FRAME
                    testid="overlay-chart"
                    labelled_by="overlay-title"
                    ticks=Signal::derive(move || overlay.with(|g| g.ticks.clone()))
                >
                    <Lines lines=Signal::derive(move || overlay.with(|g| g.lines.clone()))/>
                </Chart>
                <LineLegend testid="overlay-legend" lines=Signal::derive(move || overlay.with(|g| g.lines.clone()))/>
            </figure>
        </main>
    }
}
