//! The worker client: requests go to the engine worker (or, in component tests, to the worker's
//! state machine on this thread), and each response updates the store's signals.

use super::projects::PendingData;
use super::Studio;
use crate::storage::DatasetRef;
use leptos::prelude::*;
use std::rc::Rc;
use worker::{Request, Response};

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

/// The page's side of a [`Request::UploadFiles`].
pub(super) struct Reading {
    /// Its attachment token: answers about another upload are not for it.
    pub(super) attachment: u32,
    /// `(done, total)` bytes, for the progress bar (none for a restore).
    pub(super) progress: Option<RwSignal<Option<(u64, u64)>>>,
    /// The fingerprints, or why the files could not be read.
    pub(super) done: futures_channel::oneshot::Sender<Result<Vec<String>, String>>,
}

impl Studio {
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
                self.review.set(None);
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
                let (n_labels, curve, query_row, shown) = (
                    round.n_labels,
                    round.curve.clone(),
                    round.query.as_ref().map(|q| q.row),
                    round.batch.iter().map(|q| q.row).collect(),
                );
                self.round.set(Some(round));
                self.busy.set(false);
                self.expect_insight(follows);
                self.update_project(move |p| {
                    p.n_labels = n_labels;
                    p.settings.curve = curve;
                    p.settings.query_row = query_row;
                    p.settings.shown = shown;
                });
                self.log_run();
            }
            Response::Insight(insight) => self.show_insight(insight),
            Response::Review(view) => {
                self.review.set(Some(super::review::ReviewQueue::new(view)));
                self.busy.set(false);
            }
            Response::Export(file) => {
                self.busy.set(false);
                if let Err(message) = crate::download(&file.file_name, &file.mime, &file.text) {
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
            files: crate::open::announce(files),
            attachment,
        });
        Some(answer)
    }
}
