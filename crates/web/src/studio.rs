//! The studio's shared state: signals the worker's responses update, and the way intents reach the
//! worker. Components get it with [`use_studio`]; nothing else holds state.

use super::storage::{new_project_id, now_ms, DatasetRef, ProjectRecord, SavedSettings, Storage};
use engine::data::preview::Mapping;
use engine::data::preview::Preview;
use engine::session::Event;
use leptos::prelude::*;
use std::rc::Rc;
use worker::insight::Insight;
use worker::{BaselineView, DatasetSummary, ReadAs, Request, Response, RoundView, Settings};

/// A request handler running on the page's thread: gets a request and a way to respond.
pub type InThreadHandler = Rc<dyn Fn(Request, &dyn Fn(Response))>;

/// Where requests go: the Web Worker in the app, or a handler on this thread for component tests
/// (which have no `worker.js` to load; they pass the worker's own state machine). The app never
/// names the engine's state machine, so the app's wasm does not carry the engine.
pub enum Backend {
    /// A gloo-worker bridge to `worker.js`.
    Worker(gloo_worker::WorkerBridge<worker::web::EngineWorker>),
    /// A handler on this thread; responses are delivered synchronously.
    InThread(InThreadHandler, Rc<dyn Fn(Response)>),
    /// The worker could not be started: requests are refused with a message.
    Unavailable,
}

/// The studio's state and intents. `Copy`, so closures take it freely.
#[derive(Clone, Copy)]
pub struct Studio {
    /// The open dataset.
    pub dataset: RwSignal<Option<DatasetSummary>>,
    /// The last round: curve, accuracy, the sample on screen.
    pub round: RwSignal<Option<RoundView>>,
    /// The last round's insight (charts, map, why-panel). The worker sends it after the round,
    /// and it is applied after the next frame, so that the sample paints first.
    pub insight: RwSignal<Option<Box<Insight>>>,
    /// A round's insight is waiting for its frame (the status is not idle until it is shown).
    pub insight_pending: RwSignal<bool>,
    /// The random-sampling baseline.
    pub baseline: RwSignal<Option<BaselineView>>,
    /// A request is being worked on.
    pub busy: RwSignal<bool>,
    /// The last error, for the person to read.
    pub error: RwSignal<Option<String>>,
    /// The keyboard help overlay is open.
    pub help_open: RwSignal<bool>,
    /// The open project (what IndexedDB holds of it).
    pub project: RwSignal<Option<ProjectRecord>>,
    /// Every stored project, most recent first.
    pub projects: RwSignal<Vec<ProjectRecord>>,
    /// Why work is kept only in memory (IndexedDB unavailable or full), when it is.
    pub storage_note: RwSignal<Option<String>>,
    /// The preview of a file about to be opened (the mapping step shows it).
    pub preview: RwSignal<Option<Preview>>,
    /// Work in progress the worker reports: stage, done, total.
    pub progress: RwSignal<Option<(String, u64, u64)>>,
    /// Writes of a newly opened or imported project still on their way to IndexedDB. The status
    /// says "Saving…" (and is not idle) until they are done: a reload before then would find
    /// the project missing.
    pub saving: RwSignal<u32>,
    backend: StoredValue<Backend, LocalStorage>,
    storage: StoredValue<Option<Storage>, LocalStorage>,
    /// The person's events of the open project, as stored (the worker holds the same log).
    log: StoredValue<Vec<Event>, LocalStorage>,
    /// A project being opened: it becomes the open one (and, when new, is stored) only once the
    /// worker has opened its data, so a file that fails to open leaves the open project alone.
    pending: StoredValue<Option<Pending>, LocalStorage>,
    /// A project file waiting for its bundled demo's bytes.
    importing: StoredValue<Option<(String, Vec<u8>)>, LocalStorage>,
    /// Files the worker is reading ([`Request::UploadFiles`]): where its progress goes and who
    /// waits for the fingerprints.
    reading: StoredValue<Option<Reading>, LocalStorage>,
    /// Counts rounds and insights: a deferred insight applies only if nothing newer came meanwhile.
    insight_generation: StoredValue<u64>,
}

/// The page's side of a [`Request::UploadFiles`].
struct Reading {
    /// Its attachment token: answers about another upload are not for it.
    attachment: u32,
    /// `(done, total)` bytes, for the progress bar (none for a restore).
    progress: Option<RwSignal<Option<(u64, u64)>>>,
    /// The fingerprints, or why the files could not be read.
    done: futures_channel::oneshot::Sender<Result<Vec<String>, String>>,
}

/// A project waiting for the worker's `Opened`.
struct Pending {
    record: ProjectRecord,
    log: Vec<Event>,
    /// A new project (stored on success) rather than a restored one.
    new: bool,
    /// Its data, stored (under the record's key) just before the record once the worker has
    /// opened it: the picked file, or an image folder as the worker decoded it.
    data: Option<PendingData>,
}

/// Data a new project stores when it opens.
enum PendingData {
    /// The picked file itself (IndexedDB keeps the blob: no copy on the page).
    Blob(web_sys::Blob),
    /// Bytes (an image folder packed by the worker).
    Bytes(Vec<u8>),
}

impl Studio {
    /// The signals, with no backend yet.
    fn unconnected() -> Self {
        Self {
            dataset: RwSignal::new(None),
            round: RwSignal::new(None),
            insight: RwSignal::new(None),
            insight_pending: RwSignal::new(false),
            baseline: RwSignal::new(None),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
            help_open: RwSignal::new(false),
            project: RwSignal::new(None),
            projects: RwSignal::new(Vec::new()),
            storage_note: RwSignal::new(None),
            preview: RwSignal::new(None),
            progress: RwSignal::new(None),
            saving: RwSignal::new(0),
            backend: StoredValue::new_local(Backend::Unavailable),
            storage: StoredValue::new_local(None),
            log: StoredValue::new_local(Vec::new()),
            pending: StoredValue::new_local(None),
            importing: StoredValue::new_local(None),
            reading: StoredValue::new_local(None),
            insight_generation: StoredValue::new(0),
        }
    }

    /// Create the state and spawn the engine worker from Trunk's loader shim
    /// (`./worker_loader.js`, relative, so any sub-path works; a file, not a `blob:` URL, so the
    /// Content-Security-Policy can say `worker-src 'self'`).
    pub fn new_worker() -> Self {
        use gloo_worker::Spawnable;
        let studio = Self::unconnected();
        let bridge = worker::web::EngineWorker::spawner()
            .callback(move |response| studio.receive(response))
            .as_module(false)
            .with_loader(true)
            .encoding::<worker::web::Codec>()
            .spawn("./worker_loader.js");
        crate::fault::set_worker_panic_trigger(move || {
            studio.send(Request::Open {
                name: worker::web::FORCE_PANIC_NAME.into(),
                csv: Vec::new(),
                seed: 0,
            })
        });
        studio.backend.set_value(Backend::Worker(bridge));
        studio
    }

    /// Create the state with requests handled on this thread by `handler` (component tests).
    pub fn new_in_thread(handler: impl Fn(Request, &dyn Fn(Response)) + 'static) -> Self {
        let studio = Self::unconnected();
        studio.backend.set_value(Backend::InThread(
            Rc::new(handler),
            Rc::new(move |response| studio.receive(response)),
        ));
        studio
    }

    /// Send a request to the worker and mark the studio busy until its round arrives.
    pub fn send(&self, request: Request) {
        self.busy.set(true);
        self.error.set(None);
        self.backend.with_value(|backend| match backend {
            Backend::Worker(bridge) => bridge.send(request),
            Backend::InThread(handler, emit) => handler(request, &**emit),
            Backend::Unavailable => {
                self.busy.set(false);
                self.error.set(Some(
                    "The background worker is not running: reload the page.".into(),
                ));
            }
        });
    }

    /// Apply a response to the signals.
    pub fn receive(&self, response: Response) {
        match response {
            Response::Opened(summary) => {
                let n_rows = summary.n_rows;
                self.preview.set(None);
                self.progress.set(None);
                self.dataset.set(Some(summary));
                self.commit_pending(n_rows);
                self.round.set(None);
                self.clear_insight();
                self.baseline.set(None);
            }
            Response::Configured(summary) => {
                let settings = summary.settings.clone();
                self.dataset.set(Some(summary));
                self.update_project(move |p| p.settings.session = settings);
            }
            Response::Round(round) => {
                let follows = round.insight_follows;
                let (n_labels, curve, query_row) = (
                    round.n_labels,
                    round.curve.clone(),
                    round.query.as_ref().map(|q| q.row),
                );
                self.round.set(Some(round));
                self.busy.set(false);
                self.expect_insight(follows);
                self.update_project(move |p| {
                    p.n_labels = n_labels;
                    p.settings.curve = curve;
                    p.settings.query_row = query_row;
                });
                self.log_run();
            }
            Response::Insight(insight) => self.show_insight(insight),
            Response::Export(file) => {
                self.busy.set(false);
                if let Err(message) = super::download(&file.file_name, &file.mime, &file.text) {
                    self.error.set(Some(message));
                }
            }
            Response::NeedsBundled { file } => self.import_with_bundled(file),
            Response::ProjectImported(imported) => self.adopt_imported(imported),
            Response::Refused(message) => {
                self.take_back_last_event();
                self.error.set(Some(message));
                self.busy.set(false);
            }
            Response::Baseline(baseline) => self.baseline.set(Some(baseline)),
            Response::Reading {
                attachment,
                done,
                total,
            } => self.reading.with_value(|r| {
                if let Some(progress) = r
                    .as_ref()
                    .filter(|r| r.attachment == attachment)
                    .and_then(|r| r.progress)
                {
                    progress.set(Some((done, total)));
                }
            }),
            Response::Uploaded { attachment, result } => {
                let mine = self
                    .reading
                    .try_update_value(|r| r.take_if(|r| r.attachment == attachment))
                    .flatten();
                if let Some(r) = mine {
                    let _ = r.done.send(result);
                }
            }
            Response::Error(message) => {
                self.pending.set_value(None);
                self.error.set(Some(message));
                self.busy.set(false);
                self.progress.set(None);
            }
            Response::Preview(preview) => {
                self.preview.set(Some(preview));
                self.busy.set(false);
            }
            Response::Progress { stage, done, total } => {
                self.progress.set(Some((stage, done, total)))
            }
            Response::ImagesDecoded { fingerprint, bytes } => {
                self.pending.update_value(|p| {
                    if let Some(p) = p.as_mut().filter(|p| p.new) {
                        p.record.size_bytes = bytes.len() as u64;
                        if let DatasetRef::Stored { key, .. } = &mut p.record.dataset {
                            *key = fingerprint;
                        }
                        p.data = Some(PendingData::Bytes(bytes));
                    }
                });
            }
            // Races and streams run in workers of their own (ui::race, ui::stream).
            Response::RaceProgress(_) | Response::RaceDone(_) | Response::StreamDone(_) => {}
        }
    }

    /// Hand `files` to the worker as they are (no copy through the page) and wait until it has
    /// read them: their fingerprints, or why not. `progress` gets `(done, total)` bytes as the
    /// worker reads. `None` when requests are not handled by the browser worker (component tests):
    /// then the page sends the bytes itself.
    pub fn read_in_worker(
        &self,
        files: &[(String, web_sys::Blob)],
        progress: Option<RwSignal<Option<(u64, u64)>>>,
    ) -> Option<futures_channel::oneshot::Receiver<Result<Vec<String>, String>>> {
        if !self.backend.with_value(|b| matches!(b, Backend::Worker(_))) {
            return None;
        }
        let (done, answer) = futures_channel::oneshot::channel();
        let blobs = js_sys::Array::new();
        for (_, file) in files {
            blobs.push(file);
        }
        let attachment = worker::web::attach(blobs.into());
        // A reading still under way is replaced: its waiter hears it was dropped.
        self.reading.set_value(Some(Reading {
            attachment,
            progress,
            done,
        }));
        self.post(Request::UploadFiles {
            files: super::open::announce(files),
            attachment,
        });
        Some(answer)
    }

    /// Send a request that has no answer (upload chunks), leaving busy and error as they are.
    pub fn post(&self, request: Request) {
        self.backend.with_value(|backend| match backend {
            Backend::Worker(bridge) => bridge.send(request),
            Backend::InThread(handler, emit) => handler(request, &**emit),
            Backend::Unavailable => self.error.set(Some(
                "The background worker is not running: reload the page.".into(),
            )),
        });
    }

    /// The next insight generation (`None` once the studio is gone).
    fn next_insight_generation(&self) -> Option<u64> {
        self.insight_generation.try_update_value(|g| {
            *g += 1;
            *g
        })
    }

    /// A round arrived: its insight comes next when `follows` (the status is not idle until it
    /// is shown; keys already work on the new sample). An insight still waiting for its frame
    /// is dropped: it belongs to an older round.
    fn expect_insight(&self, follows: bool) {
        self.next_insight_generation();
        self.insight_pending.set(follows);
    }

    /// No insight (another dataset opened).
    fn clear_insight(&self) {
        self.next_insight_generation();
        self.insight.set(None);
        self.insight_pending.set(false);
    }

    /// Show a round's insight once the frame after it has painted. Building the panels (the
    /// map's 2,000 points, the confusion matrix, the curves) and laying them out took as long as
    /// the sample's own update, which now paints first (README, "Fifth round").
    fn show_insight(&self, insight: Box<Insight>) {
        let Some(generation) = self.next_insight_generation() else {
            return;
        };
        self.insight_pending.set(true);
        let studio = *self;
        super::next_frame(move || {
            if studio.insight_generation.try_get_value() == Some(generation) {
                studio.insight.try_set(Some(insight));
                studio.insight_pending.try_set(false);
            }
        });
    }

    /// The person labels the sample on screen as `class`. Ignored while a round is running (the
    /// sample on screen is about to change) or when `class` does not exist.
    pub fn label(&self, class: usize) {
        if let Some(row) = self.current_row() {
            self.label_row(row, class);
        }
    }

    /// The person labels `row`, one of the round's picks (the sample on screen or a batch card),
    /// as `class`, with the origin the worker gave that pick. Ignored while a round is running or
    /// when the row is not a pick or `class` does not exist.
    pub fn label_row(&self, row: usize, class: usize) {
        if self.busy.get_untracked() {
            return;
        }
        let n_classes = self
            .dataset
            .with_untracked(|d| d.as_ref().map_or(0, |d| d.class_names.len()));
        let origin = self.round.with_untracked(|r| {
            r.as_ref()
                .and_then(|r| r.batch.iter().chain(&r.query).find(|q| q.row == row))
                .map(|q| q.origin)
        });
        if let (Some(origin), true) = (origin, class < n_classes) {
            self.apply(Event::Label { row, class, origin });
        }
    }
}

impl Studio {
    /// The row on screen, when a round is shown and nothing is running.
    fn current_row(&self) -> Option<usize> {
        if self.busy.get_untracked() {
            return None;
        }
        self.round
            .with_untracked(|r| r.as_ref().and_then(|r| r.query.as_ref().map(|q| q.row)))
    }

    /// The person skips the sample on screen.
    pub fn skip(&self) {
        if let Some(row) = self.current_row() {
            self.apply(Event::Skip { row });
        }
    }

    /// Take back the last label or skip (ignored when there is none or a round is running).
    pub fn undo(&self) {
        let can = self
            .round
            .with_untracked(|r| r.as_ref().is_some_and(|r| r.can_undo));
        if can && !self.busy.get_untracked() {
            self.apply(Event::Undo);
        }
    }

    /// Change the strategy and model; the labels stay.
    pub fn configure(&self, strategy: String, model: String) {
        let current = self
            .dataset
            .with_untracked(|d| d.as_ref().map(|d| d.settings.clone()))
            .unwrap_or_default();
        self.change_settings(Settings {
            strategy,
            model,
            ..current
        });
    }

    /// Change any of the session's settings; the labels stay.
    pub fn change_settings(&self, settings: Settings) {
        if !self.busy.get_untracked() {
            self.send(Request::Settings(settings));
        }
    }

    /// Change the class of a row labeled earlier (from the history panel); the model retrains.
    pub fn relabel(&self, row: usize, class: usize) {
        self.apply(Event::Relabel { row, class });
    }

    /// Add a class during labeling.
    pub fn add_class(&self, name: String) {
        self.apply(Event::AddClass { name });
    }

    /// Open the uploaded table (sent with [`Request::Upload`]) with the column roles the person
    /// chose, as a new project: `file` (the picked file; its [`fingerprint`] is `key`) and
    /// `mapping` are stored with it once the worker has opened it, so a reload reads it the same
    /// way.
    ///
    /// [`fingerprint`]: engine::project::fingerprint
    pub fn open_mapped(&self, name: String, file: web_sys::Blob, key: String, mapping: Mapping) {
        if !self.may_replace_open_project() {
            return;
        }
        let dataset = DatasetRef::Stored {
            file_name: name.clone(),
            key,
            read: ReadAs::Mapped {
                mapping: mapping.clone(),
            },
        };
        let size = file.size() as u64;
        self.set_pending_new(name.clone(), dataset, size, Some(PendingData::Blob(file)));
        self.send(Request::OpenWith {
            name,
            bytes: Vec::new(),
            mapping,
            seed: super::DEFAULT_SEED,
        });
    }

    /// Open the uploaded files as a folder of images (decoded in the worker) as a new project,
    /// with `classes` added to the subfolder names; the decoded folder the worker sends back
    /// ([`Response::ImagesDecoded`]) is stored with the project, so a reload reopens it exactly.
    pub fn open_images(&self, name: String, classes: Vec<String>) {
        if !self.may_replace_open_project() {
            return;
        }
        let dataset = DatasetRef::Stored {
            file_name: name.clone(),
            key: String::new(),
            read: ReadAs::Images {
                classes: classes.clone(),
            },
        };
        self.set_pending_new(name.clone(), dataset, 0, None);
        self.send(Request::OpenImages {
            name,
            classes,
            seed: super::DEFAULT_SEED,
        });
    }

    /// Whether the open project may be replaced. When answers of it are kept in memory only (a
    /// write to storage failed, or the browser gives the page no storage at all), the person is
    /// asked first: opening another project drops them. A yes lets them go; a no leaves
    /// everything as it is, so they can be exported.
    fn may_replace_open_project(&self) -> bool {
        let open = self
            .project
            .with_untracked(|p| p.as_ref().map(|p| (p.id.clone(), p.name.clone())));
        let answers = |n: usize| {
            if n == 1 {
                "1 answer".to_string()
            } else {
                format!("{n} answers")
            }
        };
        let why = if let Some(u) = super::fault::unsaved_at_risk()
            .filter(|u| open.as_ref().is_some_and(|(id, _)| *id == u.project))
        {
            format!(
                "{} of project {} could not be saved in this browser ({})",
                answers(u.count),
                u.name,
                u.cause
            )
        } else if self.storage().is_none() && super::fault::memory_only_answers() > 0 {
            format!(
                "{} of project {} could not be saved: this browser gives the page no storage",
                answers(super::fault::memory_only_answers()),
                open.map(|(_, name)| name).unwrap_or_default()
            )
        } else {
            return true;
        };
        let question = format!(
            "{why}, and they are kept in memory only. Opening another project drops them.\n\n\
             Cancel to stay and export them (\"Export labels as CSV\" or \"Export this \
             project\"); OK to open the other project anyway."
        );
        let yes = web_sys::window()
            .and_then(|w| w.confirm_with_message(&question).ok())
            .unwrap_or(false);
        if yes {
            super::fault::drop_unsaved();
            super::fault::set_memory_only_answers(0);
        }
        yes
    }

    /// Open a bundled demo (`file` under `datasets/`) as a new project.
    pub fn open_demo(&self, name: String, file: String) {
        if !self.may_replace_open_project() {
            return;
        }
        let studio = *self;
        leptos::task::spawn_local(async move {
            match super::fetch_text(&format!("datasets/{file}")).await {
                Ok(text) => {
                    let dataset = DatasetRef::Bundled { file };
                    studio.start_project(name, dataset, text.into_bytes()).await
                }
                Err(message) => studio.error.set(Some(message)),
            }
        });
    }

    /// Store a new project (replacing the open one when nothing was done in it yet), make it the
    /// one to restore, and open it in the worker.
    async fn start_project(&self, name: String, dataset: DatasetRef, bytes: Vec<u8>) {
        self.set_pending_new(name.clone(), dataset, bytes.len() as u64, None);
        self.send(Request::Open {
            name,
            csv: bytes,
            seed: super::DEFAULT_SEED,
        });
    }

    /// A new project, waiting for the worker to open its data.
    fn set_pending_new(
        &self,
        name: String,
        dataset: DatasetRef,
        size_bytes: u64,
        data: Option<PendingData>,
    ) {
        let now = now_ms();
        let record = ProjectRecord {
            id: new_project_id(),
            name,
            dataset,
            size_bytes,
            n_rows: 0,
            n_labels: 0,
            n_events: 0,
            settings: SavedSettings {
                session: Settings {
                    seed: super::DEFAULT_SEED,
                    ..Settings::default()
                },
                ..SavedSettings::default()
            },
            created_ms: now,
            updated_ms: now,
        };
        self.pending.set_value(Some(Pending {
            record,
            log: Vec::new(),
            new: true,
            data,
        }));
    }

    /// The worker opened the pending project's data: make it the open project; store a new one
    /// (replacing the previous project when nothing was done in it).
    fn commit_pending(&self, n_rows: usize) {
        let Some(Pending {
            mut record,
            log,
            new,
            data,
        }) = self.pending.try_update_value(Option::take).flatten()
        else {
            return;
        };
        record.n_rows = n_rows;
        let untouched = self
            .project
            .get_untracked()
            .filter(|p| new && p.n_events == 0 && p.id != record.id)
            .map(|p| p.id);
        self.log.set_value(log);
        self.project.set(Some(record.clone()));
        let studio = *self;
        self.spawn_saving(async move {
            if let Some(storage) = studio.storage() {
                if let Some(old) = untouched {
                    let _ = storage.delete_project(&old).await;
                }
                // The data first: a record is never stored without what it needs to reopen.
                let key = match &record.dataset {
                    DatasetRef::Stored { key, .. } => key.clone(),
                    DatasetRef::Bundled { .. } => String::new(),
                };
                let picked = matches!(data, Some(PendingData::Blob(_)));
                let data_saved = match data {
                    Some(PendingData::Blob(blob)) => storage.save_dataset_blob(&key, &blob).await,
                    Some(PendingData::Bytes(bytes)) => storage.save_dataset(&key, &bytes).await,
                    None => Ok(()),
                };
                if let Err(e) = data_saved {
                    studio.storage_note.set(Some(e.to_string()));
                    studio.refresh_projects();
                    return;
                }
                if picked {
                    studio
                        .hand_over_stored_file(&storage, &record.dataset)
                        .await;
                }
                // The record as it is now: the first round may have updated it meanwhile.
                let record = studio
                    .project
                    .get_untracked()
                    .filter(|p| p.id == record.id)
                    .unwrap_or(record);
                let saved = match storage.save_project(&record).await {
                    Ok(()) => storage.set_last(&record.id).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = saved {
                    studio.storage_note.set(Some(e.to_string()));
                }
                studio.refresh_projects();
            }
        });
    }

    /// Give the worker the stored copy of a picked file (IndexedDB keeps its own copy of the
    /// bytes), so its later reads (the exports) do not depend on the file on disk, which the
    /// browser refuses to read once it has been changed. Only the browser worker reads files.
    async fn hand_over_stored_file(&self, storage: &Storage, dataset: &DatasetRef) {
        let DatasetRef::Stored { file_name, key, .. } = dataset else {
            return;
        };
        if !self.backend.with_value(|b| matches!(b, Backend::Worker(_))) {
            return;
        }
        if let Ok(Some(stored)) = storage.dataset_blob(key).await {
            let attachment = worker::web::attach(stored.into());
            self.post(Request::StoredFile {
                name: file_name.clone(),
                attachment,
            });
        }
    }

    /// Reopen a stored project exactly as it was left: its dataset, settings and every event.
    pub fn restore(&self, id: String) {
        if !self.may_replace_open_project() {
            return;
        }
        let studio = *self;
        leptos::task::spawn_local(async move {
            if let Err(message) = studio.try_restore(&id).await {
                studio.error.set(Some(message));
                studio.busy.set(false);
            }
        });
    }

    async fn try_restore(&self, id: &str) -> Result<(), String> {
        let storage = self
            .storage()
            .ok_or("Stored projects cannot be read: this browser gives activelab no storage.")?;
        let record = storage
            .project(id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("That project is no longer stored.")?;
        let (bytes, read) = match &record.dataset {
            DatasetRef::Bundled { file } => (
                super::fetch_text(&format!("datasets/{file}"))
                    .await?
                    .into_bytes(),
                ReadAs::File,
            ),
            DatasetRef::Stored {
                file_name,
                key,
                read,
            } => {
                let blob = storage
                    .dataset_blob(key)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("The data of {file_name} is missing from storage."))?;
                // The worker reads the stored blob itself (no copy of a 50 MB file in the page's
                // memory, nor in the worker's); the restore below then finds it as the upload.
                super::open::upload(*self, None, &[(file_name.clone(), blob)])
                    .await
                    .map_err(|e| {
                        if e.is_empty() {
                            "Another file was chosen while this project was being restored."
                                .to_string()
                        } else {
                            e
                        }
                    })?;
                (Vec::new(), read.clone())
            }
        };
        let (events, damaged) = storage.events(id).await.map_err(|e| e.to_string())?;
        if let Some(problem) = damaged {
            self.storage_note.set(Some(format!(
                "Part of this project's history is damaged: {problem}. Export the project to keep \
                 what was restored."
            )));
        }
        let mut record = record;
        record.n_events = events.len();
        self.pending.set_value(Some(Pending {
            record: record.clone(),
            log: events.clone(),
            new: false,
            data: None,
        }));
        let settings = record.settings;
        self.send(Request::Restore {
            name: record.name,
            csv: bytes,
            settings: settings.session,
            events,
            curve: settings.curve,
            query_row: settings.query_row,
            read,
        });
        Ok(())
    }

    /// Save the open project as a file (the data embedded, or referenced for a demo).
    pub fn export_project(&self) {
        let Some(p) = self.project.get_untracked() else {
            self.error
                .set(Some("Nothing to export: open a dataset first.".into()));
            return;
        };
        self.send(Request::ExportProject {
            name: p.name,
            created_ms: p.created_ms as u64,
            updated_ms: p.updated_ms as u64,
            bundled: match p.dataset {
                DatasetRef::Bundled { file } => Some(file),
                DatasetRef::Stored { .. } => None,
            },
        });
    }

    /// Export the labels or the model of the open session.
    pub fn export(&self, kind: worker::ExportKind) {
        self.send(Request::Export(kind));
    }

    /// Open a project file (its own data, or a bundled demo's, fetched when asked for).
    pub fn import_project(&self, file_name: String, bytes: Vec<u8>) {
        if !self.may_replace_open_project() {
            return;
        }
        self.importing
            .set_value(Some((file_name.clone(), bytes.clone())));
        self.send(Request::ImportProject {
            file_name,
            bytes,
            bundled: None,
        });
    }

    fn import_with_bundled(&self, file: String) {
        let Some((file_name, bytes)) = self.importing.with_value(Clone::clone) else {
            return;
        };
        let studio = *self;
        leptos::task::spawn_local(async move {
            match super::fetch_text(&format!("datasets/{file}")).await {
                Ok(text) => studio.send(Request::ImportProject {
                    file_name,
                    bytes,
                    bundled: Some(text.into_bytes()),
                }),
                Err(_) => {
                    studio.busy.set(false);
                    studio.error.set(Some(format!(
                        "{file_name} was not imported: it uses the demo '{file}', which this \
                         version of activelab does not include."
                    )));
                }
            }
        });
    }

    /// Run the writes that store a project, counted in [`Studio::saving`] while they run.
    fn spawn_saving(&self, writes: impl std::future::Future<Output = ()> + 'static) {
        let saving = self.saving;
        saving.update(|n| *n += 1);
        leptos::task::spawn_local(async move {
            writes.await;
            saving.update(|n| *n = n.saturating_sub(1));
        });
    }

    /// An imported project becomes a new stored project and the open one.
    fn adopt_imported(&self, imported: worker::ImportedProject) {
        self.importing.set_value(None);
        let now = now_ms();
        let key = engine::project::fingerprint(&imported.bytes);
        let record = ProjectRecord {
            id: new_project_id(),
            name: imported.name,
            dataset: match imported.bundled {
                Some(file) => DatasetRef::Bundled { file },
                None => DatasetRef::Stored {
                    file_name: imported.file_name,
                    key: key.clone(),
                    read: imported
                        .mapping
                        .map_or(ReadAs::File, |mapping| ReadAs::Mapped { mapping }),
                },
            },
            size_bytes: imported.bytes.len() as u64,
            n_rows: 0,
            n_labels: 0,
            n_events: imported.events.len(),
            settings: SavedSettings {
                session: imported.settings,
                ..SavedSettings::default()
            },
            created_ms: if imported.created_ms > 0 {
                imported.created_ms as f64
            } else {
                now
            },
            updated_ms: now,
        };
        self.pending.set_value(None);
        self.log.set_value(imported.events.clone());
        self.project.set(Some(record.clone()));
        let (bytes, events) = (imported.bytes, imported.events);
        let studio = *self;
        self.spawn_saving(async move {
            if let Some(storage) = studio.storage() {
                let mut saved = Ok(());
                if matches!(record.dataset, DatasetRef::Stored { .. }) {
                    saved = storage.save_dataset(&key, &bytes).await;
                }
                if saved.is_ok() {
                    saved = storage.save_log(&record, &events).await;
                }
                if saved.is_ok() {
                    saved = storage.set_last(&record.id).await;
                }
                if let Err(e) = saved {
                    studio.storage_note.set(Some(e.to_string()));
                }
                studio.refresh_projects();
            }
        });
    }

    /// Delete a stored project (the open one is left open, in memory only).
    pub fn delete_project(&self, id: String) {
        let studio = *self;
        leptos::task::spawn_local(async move {
            if let Some(storage) = studio.storage() {
                if let Err(e) = storage.delete_project(&id).await {
                    studio.error.set(Some(e.to_string()));
                }
                if studio
                    .project
                    .with_untracked(|p| p.as_ref().is_some_and(|p| p.id == id))
                {
                    studio.project.set(None);
                }
                studio.refresh_projects();
            }
        });
    }

    /// Open storage, then restore the project open when the page was left, or show the start
    /// page. Without storage, say so and work in memory.
    pub fn start(&self) {
        let studio = *self;
        leptos::task::spawn_local(async move {
            match Storage::open().await {
                Ok(storage) => {
                    // Every answer is stored before the next sample appears: the error panel may
                    // say so.
                    super::fault::set_work_saved(true);
                    studio.storage.set_value(Some(storage.clone()));
                    studio.refresh_projects();
                    if let Ok(Some(id)) = storage.last().await {
                        if studio.try_restore(&id).await.is_ok() {
                            return;
                        }
                    }
                }
                Err(e) => studio.storage_note.set(Some(e.to_string())),
            }
            super::start::show_start_page();
            // Nothing to restore: while the person reads the start page, the worker runs its
            // round code once so the browser optimises it now, not when the first file opens
            // (`worker::warm_up`). After a frame, so the start page paints first.
            super::next_frame(move || studio.post(Request::WarmUp));
        });
    }

    /// The open database, when this browser gives activelab storage.
    pub fn storage(&self) -> Option<Storage> {
        self.storage.with_value(|s| s.clone())
    }

    /// Re-read the projects list.
    pub fn refresh_projects(&self) {
        let studio = *self;
        leptos::task::spawn_local(async move {
            if let Some(storage) = studio.storage() {
                match storage.projects().await {
                    Ok((list, damaged)) => {
                        if damaged > 0 {
                            studio.storage_note.set(Some(format!(
                                "{damaged} stored project(s) could not be read (damaged, or saved \
                                 by another version of activelab); they are listed under Projects \
                                 with the reason and a button to export what can be read."
                            )));
                        }
                        studio.projects.set(list)
                    }
                    Err(e) => studio.storage_note.set(Some(e.to_string())),
                }
            }
        });
    }

    /// Keep the open project's learning curve in the run log (one run per project, replaced as
    /// labels come in), so labeling sessions sit beside simulations in the Runs tab.
    fn log_run(&self) {
        let Some(p) = self.project.get_untracked() else {
            return;
        };
        if p.settings.curve.is_empty() {
            return;
        }
        let fingerprint = match &p.dataset {
            DatasetRef::Stored { key, .. } => key.clone(),
            DatasetRef::Bundled { file } => format!("bundled:{file}"),
        };
        super::runlog::record_labeling(
            &p.id,
            &p.name,
            &fingerprint,
            serde_json::to_value(&p.settings.session).unwrap_or_default(),
            p.settings.session.seed,
            &p.settings.curve,
        );
    }

    /// Record an event of the person's: store it (the transaction completes first), then ask the
    /// worker to apply it. Ignored while a round runs.
    pub fn apply(&self, event: Event) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        let studio = *self;
        leptos::task::spawn_local(async move {
            let seq = studio.log.with_value(|l| l.len());
            let record = studio.project.get_untracked().map(|mut p| {
                p.n_events = seq + 1;
                p.updated_ms = now_ms();
                p
            });
            if let (Some(storage), Some(record)) = (studio.storage(), record.as_ref()) {
                // Answers an earlier failed write left in memory are written again with this one.
                let from = super::fault::unsaved()
                    .filter(|u| u.project == record.id && u.from <= seq)
                    .map_or(seq, |u| u.from);
                let mut events = studio
                    .log
                    .with_value(|l| l.get(from..).map(<[Event]>::to_vec).unwrap_or_default());
                events.push(event.clone());
                match storage.append_events(record, from, &events).await {
                    Ok(()) if from < seq => {
                        super::fault::clear_unsaved();
                        studio.storage_note.set(None);
                    }
                    Ok(()) => {}
                    Err(e) => {
                        let unsaved = super::project::unsaved(record, from, events.len(), &e);
                        let message = super::project::unsaved_message(&unsaved);
                        super::fault::set_unsaved(unsaved);
                        studio.storage_note.set(Some(message));
                    }
                }
            }
            studio.log.update_value(|l| l.push(event.clone()));
            if studio.storage().is_none() {
                super::fault::set_memory_only_answers(studio.log.with_value(Vec::len));
            }
            if record.is_some() {
                studio.project.set(record);
            }
            studio.send(Request::Apply { event });
        });
    }

    /// The worker refused the last event: drop it from the log and from storage.
    fn take_back_last_event(&self) {
        let Some(seq) = self
            .log
            .try_update_value(|l| l.pop().map(|_| l.len()))
            .flatten()
        else {
            return;
        };
        let studio = *self;
        self.project.update(|p| {
            if let Some(p) = p {
                p.n_events = seq;
            }
        });
        leptos::task::spawn_local(async move {
            if let (Some(storage), Some(id)) = (
                studio.storage(),
                studio
                    .project
                    .with_untracked(|p| p.as_ref().map(|p| p.id.clone())),
            ) {
                let _ = storage.truncate_events(&id, seq).await;
            }
        });
    }

    /// Change the open project's record and save it (not awaited: the record holds derived
    /// values; the events, which are the truth, are stored before each round).
    fn update_project(&self, change: impl FnOnce(&mut ProjectRecord) + 'static) {
        let mut record = match self.project.get_untracked() {
            Some(p) => p,
            None => return,
        };
        change(&mut record);
        self.project.set(Some(record.clone()));
        let studio = *self;
        leptos::task::spawn_local(async move {
            if let Some(storage) = studio.storage() {
                if let Err(e) = storage.save_project(&record).await {
                    studio.storage_note.set(Some(e.to_string()));
                }
            }
        });
    }
}

/// Make the studio available to every component below.
pub fn provide_studio(studio: Studio) {
    provide_context(studio);
}

/// The studio provided by [`provide_studio`].
///
/// Calling it outside [`provide_studio`] is a programming error (every component is mounted under
/// `StudioView`), not something user data can cause, so it panics with the reason.
pub fn use_studio() -> Studio {
    use_context::<Studio>().expect("components must be mounted below provide_studio")
}

/// The open dataset's class names (empty when none is open), as a memo for the views.
pub fn use_class_names() -> Memo<Vec<String>> {
    let studio = use_studio();
    Memo::new(move |_| {
        studio.dataset.with(|d| {
            d.as_ref()
                .map(|d| d.class_names.clone())
                .unwrap_or_default()
        })
    })
}
