//! Getting data in: the start panel (bundled demos, recent projects, "open your own data"), the
//! file and folder pickers, the drop zone, the reading progress bar, and the preview + column
//! mapping step a table goes through before its session starts.
//!
//! Local files go to the worker as `File` handles ([`Request::UploadFiles`]): the worker reads
//! them slice by slice and reports its progress, so no copy of the file passes through the page
//! and the `<progress>` bar moves; the worker then previews, imports or decodes them.

use super::mapping::{class_list, MappingForm};
use super::studio::{use_studio, Studio};
use super::DEMOS;
use engine::data::preview::{Mapping, Preview};
use engine::project::Fingerprint;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::{Request, UploadFile};

/// Bytes per upload message (1 MiB).
pub const CHUNK_BYTES: u64 = 1 << 20;

/// File name endings read as tables; anything else dropped or picked is taken as an image.
pub const TABLE_EXTENSIONS: [&str; 5] = [".csv", ".tsv", ".txt", ".jsonl", ".ndjson"];

/// Whether a file name is a table ([`TABLE_EXTENSIONS`]).
pub fn is_table(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    TABLE_EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// What the open flow is waiting for the person to confirm.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    /// A table, previewed by the worker: the mapping step.
    Table { name: String },
    /// Images: how many, and the subfolder names that will be the classes.
    Images {
        name: String,
        files: usize,
        labels: Vec<String>,
    },
}

/// The open flow's state, shared by the panel's parts.
#[derive(Clone, Copy)]
pub struct OpenState {
    /// Bytes read of the files being read: `(done, total)`.
    pub reading: RwSignal<Option<(u64, u64)>>,
    /// What waits for the person's go.
    pub pending: RwSignal<Option<Pending>>,
    /// The drop zone has something dragged over it.
    pub dragging: RwSignal<bool>,
    /// The table being previewed and its fingerprint: stored with the project it starts.
    pub table: StoredValue<Option<(web_sys::File, String)>, LocalStorage>,
}

fn js_error(what: &str) -> impl Fn(JsValue) -> String + '_ {
    move |_| format!("{what} could not be read.")
}

/// What the worker is told of files before their bytes: path and size.
pub fn announce(files: &[(String, web_sys::Blob)]) -> Vec<UploadFile> {
    files
        .iter()
        .map(|(path, f)| UploadFile {
            path: path.clone(),
            size: f.size() as u64,
        })
        .collect()
}

/// Get `files` (path, file) into the worker's upload, updating `reading` as bytes go. Returns
/// each file's [`engine::project::fingerprint`], or why not (an empty reason: files picked
/// meanwhile replaced these, and their own upload carries on).
///
/// The browser worker reads the files itself ([`Studio::read_in_worker`]): the page hands over
/// the `File` handles and no byte passes through the page's memory. Without it (component tests)
/// the page reads [`CHUNK_BYTES`] slices and sends them.
pub async fn upload(
    studio: Studio,
    reading: Option<RwSignal<Option<(u64, u64)>>>,
    files: &[(String, web_sys::Blob)],
) -> Result<Vec<String>, String> {
    let total: u64 = files.iter().map(|(_, f)| f.size() as u64).sum();
    let progress = |done: u64| {
        if let Some(reading) = reading {
            reading.set(Some((done, total)));
        }
    };
    progress(0);
    if let Some(answer) = studio.read_in_worker(files, reading) {
        // A sender dropped unanswered means a newer pick took over: it reports for itself.
        return answer.await.unwrap_or(Err(String::new()));
    }
    studio.post(Request::Upload {
        files: announce(files),
    });
    let mut done = 0u64;
    let mut fingerprints = Vec::with_capacity(files.len());
    for (i, (path, file)) in files.iter().enumerate() {
        let size = file.size() as u64;
        let mut offset = 0u64;
        let mut fingerprint = Fingerprint::new();
        while offset < size {
            let end = (offset + CHUNK_BYTES).min(size);
            let slice = file
                .slice_with_f64_and_f64(offset as f64, end as f64)
                .map_err(js_error(path))?;
            let buffer = JsFuture::from(slice.array_buffer())
                .await
                .map_err(js_error(path))?;
            let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
            fingerprint.add(&bytes);
            studio.post(Request::UploadChunk { file: i, bytes });
            done += end - offset;
            offset = end;
            progress(done);
        }
        fingerprints.push(fingerprint.finish());
    }
    Ok(fingerprints)
}

/// The subfolder labels of image paths (`folder/label/file`), sorted and distinct.
pub fn folder_labels(paths: &[String]) -> Vec<String> {
    let mut labels: Vec<String> = paths
        .iter()
        .filter_map(|p| engine::data::image::label_from_path(p))
        .collect();
    labels.sort_unstable();
    labels.dedup();
    labels
}

/// Take chosen or dropped files into the flow: one table → upload + preview (the mapping
/// step); otherwise images → upload, then the images step.
pub fn take_files(studio: Studio, state: OpenState, files: Vec<(String, web_sys::File)>) {
    if files.is_empty() {
        return;
    }
    studio.error.set(None);
    studio.preview.set(None);
    state.pending.set(None);
    state.table.set_value(None);
    leptos::task::spawn_local(async move {
        let table = files.len() == 1 && is_table(&files[0].0);
        if !table {
            if let Some((path, _)) = files.iter().find(|(p, _)| is_table(p)) {
                studio.error.set(Some(format!(
                    "{path} is a table: open tables one at a time, and folders of images on their own."
                )));
                return;
            }
        }
        let blobs: Vec<(String, web_sys::Blob)> = files
            .iter()
            .map(|(path, file)| (path.clone(), web_sys::Blob::from(file.clone())))
            .collect();
        let fingerprints = match upload(studio, Some(state.reading), &blobs).await {
            Ok(fingerprints) => fingerprints,
            Err(message) if message.is_empty() => return,
            Err(message) => {
                state.reading.set(None);
                studio.error.set(Some(message));
                return;
            }
        };
        state.reading.set(None);
        if table {
            let name = files[0].0.clone();
            state.table.set_value(
                fingerprints
                    .into_iter()
                    .next()
                    .map(|key| (files[0].1.clone(), key)),
            );
            state
                .pending
                .set(Some(Pending::Table { name: name.clone() }));
            studio.send(Request::Preview {
                name,
                bytes: Vec::new(),
            });
        } else {
            let paths: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
            let name = paths
                .first()
                .and_then(|p| p.split('/').next())
                .filter(|_| paths.iter().all(|p| p.contains('/')))
                .unwrap_or("images")
                .to_string();
            state.pending.set(Some(Pending::Images {
                name,
                files: paths.len(),
                labels: folder_labels(&paths),
            }));
        }
    });
}

/// The files of an `<input type=file>` change event, with their folder paths
/// (`webkitRelativePath`) when a folder was chosen.
fn input_files(ev: &leptos::ev::Event) -> Vec<(String, web_sys::File)> {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(list) = input.files() {
        for i in 0..list.length() {
            if let Some(file) = list.get(i) {
                let relative =
                    js_sys::Reflect::get(&file, &JsValue::from_str("webkitRelativePath"))
                        .ok()
                        .and_then(|v| v.as_string())
                        .unwrap_or_default();
                let path = if relative.is_empty() {
                    file.name()
                } else {
                    relative
                };
                out.push((path, file));
            }
        }
    }
    input.set_value("");
    out
}

/// A promise-returning callback API as a future of its value.
async fn callback_value(
    call: impl FnOnce(&js_sys::Function, &js_sys::Function) -> Result<(), JsValue>,
) -> Result<JsValue, JsValue> {
    let mut call = Some(call);
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        if let Some(call) = call.take() {
            if let Err(e) = call(&resolve, &reject) {
                let _ = reject.call1(&JsValue::NULL, &e);
            }
        }
    });
    JsFuture::from(promise).await
}

/// Every file under a dropped entry (folders recursively), with its path.
async fn entry_files(root: web_sys::FileSystemEntry) -> Vec<(String, web_sys::File)> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(entry) = stack.pop() {
        let path = entry.full_path().trim_start_matches('/').to_string();
        if entry.is_directory() {
            let dir: web_sys::FileSystemDirectoryEntry = entry.unchecked_into();
            let reader = dir.create_reader();
            loop {
                let batch = callback_value(|resolve, reject| {
                    reader.read_entries_with_callback_and_callback(resolve, reject)
                })
                .await;
                let Ok(batch) = batch else { break };
                let batch: js_sys::Array = batch.unchecked_into();
                if batch.length() == 0 {
                    break;
                }
                for item in batch.iter() {
                    stack.push(item.unchecked_into());
                }
            }
        } else if entry.is_file() {
            let file_entry: web_sys::FileSystemFileEntry = entry.unchecked_into();
            let file = callback_value(|resolve, reject| {
                file_entry.file_with_callback_and_callback(resolve, reject);
                Ok(())
            })
            .await;
            if let Ok(file) = file {
                out.push((path, file.unchecked_into()));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The files of a drop: folders through `webkitGetAsEntry` (read recursively), plain files
/// otherwise. The entries are taken during the event (the browser empties the list after it).
fn dropped_files(
    ev: &web_sys::DragEvent,
    on_files: impl FnOnce(Vec<(String, web_sys::File)>) + 'static,
) {
    let Some(transfer) = ev.data_transfer() else {
        return;
    };
    let items = transfer.items();
    let mut entries = Vec::new();
    let mut plain = Vec::new();
    for i in 0..items.length() {
        let Some(item) = items.get(i) else { continue };
        if item.kind() != "file" {
            continue;
        }
        match item.webkit_get_as_entry() {
            Ok(Some(entry)) => entries.push(entry),
            _ => {
                if let Ok(Some(file)) = item.get_as_file() {
                    plain.push((file.name(), file));
                }
            }
        }
    }
    if entries.is_empty() {
        if let Some(list) = transfer.files() {
            if plain.is_empty() {
                for i in 0..list.length() {
                    if let Some(file) = list.get(i) {
                        plain.push((file.name(), file));
                    }
                }
            }
        }
        on_files(plain);
        return;
    }
    leptos::task::spawn_local(async move {
        let mut files = plain;
        for entry in entries {
            files.extend(entry_files(entry).await);
        }
        on_files(files);
    });
}

/// The reading or decoding progress bar.
#[component]
fn ProgressBar(state: OpenState) -> impl IntoView {
    let studio = use_studio();
    let shown = move || {
        if let Some((done, total)) = state.reading.get() {
            let text = format!(
                "Reading: {:.1} of {:.1} MB",
                done as f64 / 1e6,
                total as f64 / 1e6
            );
            return Some((done as f64, total.max(1) as f64, text));
        }
        studio.progress.get().map(|(stage, done, total)| {
            (
                done as f64,
                total.max(1) as f64,
                format!("{stage}: {done} of {total}"),
            )
        })
    };
    move || {
        shown().map(|(value, max, text)| {
            view! {
                <div class="read-progress" role="status" aria-live="polite">
                    <progress data-testid="read-progress" max=max.to_string() value=value.to_string() aria-label=text.clone()></progress>
                    <span data-testid="read-progress-text">{text}</span>
                </div>
            }
        })
    }
}

/// The preview and the column-mapping form of a table the studio opens as a new project.
#[component]
fn MappingStep(preview: Preview, state: OpenState) -> impl IntoView {
    let studio = use_studio();
    let name = preview.name.clone();
    let on_start = Callback::new(move |mapping: Mapping| {
        state.pending.set(None);
        match state.table.try_update_value(Option::take).flatten() {
            Some((file, key)) => studio.open_mapped(name.clone(), file.into(), key, mapping),
            None => studio
                .error
                .set(Some("Choose the file again: it is no longer read.".into())),
        }
    });
    let on_cancel = Callback::new(move |()| {
        state.pending.set(None);
        studio.preview.set(None);
    });
    view! { <MappingForm preview on_start on_cancel start="Start labeling" ask_classes=true/> }
}

/// The step for a folder of images: what was found, class names, go.
#[component]
fn ImagesStep(name: String, files: usize, labels: Vec<String>, state: OpenState) -> impl IntoView {
    let studio = use_studio();
    let classes = RwSignal::new(String::new());
    let found = if labels.is_empty() {
        "No subfolders: every image starts unlabeled. Name the classes below.".to_string()
    } else {
        format!("Subfolders as labels: {}.", labels.join(", "))
    };
    let start = move |_| {
        state.pending.set(None);
        studio.open_images(name.clone(), class_list(&classes.get_untracked()));
    };
    view! {
        <section class="mapping" data-testid="images-step">
            <h3>{format!("{files} file(s) to open as images")}</h3>
            <p>{found}</p>
            <label>
                "Class names (comma-separated) "
                <input type="text" data-testid="images-classes" placeholder="e.g. cat, dog"
                    prop:value=move || classes.get() on:input=move |ev| classes.set(event_target_value(&ev))/>
            </label>
            <div class="actions">
                <button class="primary" data-testid="images-start" on:click=start>"Start labeling"</button>
                <button on:click=move |_| state.pending.set(None)>"Cancel"</button>
            </div>
        </section>
    }
}

/// The start panel: demos, recent projects, and the person's own data.
#[component]
pub fn OpenPanel() -> impl IntoView {
    let studio = use_studio();
    let state = OpenState {
        reading: RwSignal::new(None),
        pending: RwSignal::new(None),
        dragging: RwSignal::new(false),
        table: StoredValue::new_local(None),
    };
    let demos = DEMOS
        .iter()
        .map(|(name, file)| {
            let name = name.to_string();
            let label = name.clone();
            let open = move |_| {
                state.pending.set(None);
                studio.preview.set(None);
                studio.open_demo(name.clone(), file.to_string());
            };
            view! { <li><button class="demo-card" data-testid="demo-card" data-file=*file on:click=open>{label}</button></li> }
        })
        .collect_view();
    let on_files = move |ev: leptos::ev::Event| take_files(studio, state, input_files(&ev));
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        state.dragging.set(false);
        dropped_files(&ev, move |files| take_files(studio, state, files));
    };
    let step = move || match state.pending.get() {
        Some(Pending::Table { name }) => studio
            .preview
            .get()
            .filter(|p| p.name == name)
            .map(|p| view! { <MappingStep preview=p state/> }.into_any()),
        Some(Pending::Images {
            name,
            files,
            labels,
        }) => Some(view! { <ImagesStep name files labels state/> }.into_any()),
        None => None,
    };
    view! {
        <section class="open-panel" data-testid="open-panel" aria-labelledby="open-title">
            <h2 id="open-title">"Get data in"</h2>
            <div class="open-columns">
                <div class="open-demos">
                    <h3>"Demos"</h3>
                    <ul class="demo-list">{demos}</ul>
                </div>
                <div
                    class="drop-zone"
                    class:dragging=move || state.dragging.get()
                    data-testid="drop-zone"
                    on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); state.dragging.set(true); }
                    on:dragleave=move |_| state.dragging.set(false)
                    on:drop=on_drop
                >
                    <h3>"Open your own data"</h3>
                    <p>"Drop a CSV, TSV or JSON Lines file, or a folder of images (subfolder = label), here. It stays in this tab."</p>
                    <label class="picker">
                        "Choose a file… "
                        <input type="file" data-testid="open-file-input" multiple=true
                            accept=".csv,.tsv,.txt,.jsonl,.ndjson,text/csv,image/*" on:change=on_files/>
                    </label>
                    <label class="picker">
                        "Choose a folder of images… "
                        <input type="file" data-testid="open-folder-input" prop:webkitdirectory=true multiple=true on:change=on_files/>
                    </label>
                </div>
            </div>
            <ProgressBar state/>
            {step}
        </section>
    }
}
