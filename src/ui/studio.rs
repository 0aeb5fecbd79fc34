//! The studio's shared state: signals the worker's responses update, and the way intents reach the
//! worker. Components get it with [`use_studio`]; nothing else holds state.

use crate::worker::{BaselineView, DatasetSummary, Request, Response, RoundView};
use leptos::prelude::*;
use std::rc::Rc;

/// A request handler running on the page's thread: gets a request and a way to respond.
pub type InThreadHandler = Rc<dyn Fn(Request, &dyn Fn(Response))>;

/// Where requests go: the Web Worker in the app, or a handler on this thread for component tests
/// (which have no `worker.js` to load; they pass the worker's own state machine). The app never
/// names the engine's state machine, so the app's wasm does not carry the engine.
pub enum Backend {
    /// A gloo-worker bridge to `worker.js`.
    Worker(gloo_worker::WorkerBridge<crate::worker::web::EngineWorker>),
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
    /// The random-sampling baseline.
    pub baseline: RwSignal<Option<BaselineView>>,
    /// A request is being worked on.
    pub busy: RwSignal<bool>,
    /// The last error, for the person to read.
    pub error: RwSignal<Option<String>>,
    /// The keyboard help overlay is open.
    pub help_open: RwSignal<bool>,
    backend: StoredValue<Backend, LocalStorage>,
}

impl Studio {
    /// The signals, with no backend yet.
    fn unconnected() -> Self {
        Self {
            dataset: RwSignal::new(None),
            round: RwSignal::new(None),
            baseline: RwSignal::new(None),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
            help_open: RwSignal::new(false),
            backend: StoredValue::new_local(Backend::Unavailable),
        }
    }

    /// Create the state and spawn the engine worker (`./worker.js`, relative, so any sub-path
    /// works).
    pub fn new_worker() -> Self {
        use gloo_worker::Spawnable;
        let studio = Self::unconnected();
        let bridge = crate::worker::web::EngineWorker::spawner()
            .callback(move |response| studio.receive(response))
            .as_module(false)
            .spawn("./worker.js");
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
                self.dataset.set(Some(summary));
                self.round.set(None);
                self.baseline.set(None);
            }
            Response::Configured(summary) => self.dataset.set(Some(summary)),
            Response::Round(round) => {
                self.round.set(Some(round));
                self.busy.set(false);
            }
            Response::Baseline(baseline) => self.baseline.set(Some(baseline)),
            Response::Error(message) => {
                self.error.set(Some(message));
                self.busy.set(false);
            }
            // Races and streams run in workers of their own (ui::race, ui::stream).
            Response::RaceProgress(_) | Response::RaceDone(_) | Response::StreamDone(_) => {}
        }
    }

    /// The person labels the sample on screen as `class`. Ignored while a round is running (the
    /// sample on screen is about to change) or when `class` does not exist.
    pub fn label(&self, class: usize) {
        if self.busy.get_untracked() {
            return;
        }
        let n_classes = self
            .dataset
            .with_untracked(|d| d.as_ref().map_or(0, |d| d.class_names.len()));
        let row = self
            .round
            .with_untracked(|r| r.as_ref().and_then(|r| r.query.as_ref().map(|q| q.row)));
        if let (Some(row), true) = (row, class < n_classes) {
            self.send(Request::Label { row, class });
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
            self.send(Request::Skip { row });
        }
    }

    /// Take back the last label or skip (ignored when there is none or a round is running).
    pub fn undo(&self) {
        let can = self
            .round
            .with_untracked(|r| r.as_ref().is_some_and(|r| r.can_undo));
        if can && !self.busy.get_untracked() {
            self.send(Request::Undo);
        }
    }

    /// Change the strategy and model; the labels stay.
    pub fn configure(&self, strategy: String, model: String) {
        self.send(Request::Configure { strategy, model });
    }

    /// Open a file's bytes (a bundled demo or the person's own file).
    pub fn open_csv(&self, name: String, csv: Vec<u8>) {
        self.send(Request::Open {
            name,
            csv,
            seed: super::DEFAULT_SEED,
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
