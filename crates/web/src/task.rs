//! Long tasks (races, stream comparisons) in Web Workers of their own that the page can terminate
//! at once, or on this thread in component tests.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use worker::race::{TaskRequest, TaskResponse};
use worker::web::TASK_WORKER_NAME;

/// gloo-worker 0.6's wire format (bincode of these enums; `HandlerId` is a `usize` newtype),
/// mirrored so that the page can own the `web_sys::Worker` and `terminate()` it: gloo's bridge
/// only asks the worker to close after its current message, which for a race is the whole race.
#[derive(Serialize, Deserialize)]
enum ToWorker {
    Connected(usize),
    ProcessInput(usize, TaskRequest),
    #[allow(dead_code)]
    Disconnected(usize),
    #[allow(dead_code)]
    Destroy,
}

#[derive(Serialize, Deserialize)]
enum FromWorker {
    WorkerLoaded,
    ProcessOutput(usize, Box<TaskResponse>),
}

/// One task running in a dedicated Web Worker (`./worker_loader.js` started under
/// [`TASK_WORKER_NAME`], so it serves [`TaskRequest`]s), terminated when dropped or cancelled.
pub struct TaskWorker {
    worker: web_sys::Worker,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl TaskWorker {
    /// Start a worker, send it `request` once it has loaded, and pass every response to
    /// `on_response`.
    pub fn spawn(
        request: TaskRequest,
        on_response: impl Fn(TaskResponse) + 'static,
    ) -> Result<Self, String> {
        use gloo_worker::Codec;
        let fail = |e: JsValue| format!("The background worker could not start: {e:?}");
        // Trunk's loader shim (a file of this origin, relative so any sub-path works): the
        // Content-Security-Policy allows workers from 'self' only, not `blob:` URLs.
        let options = web_sys::WorkerOptions::new();
        options.set_name(TASK_WORKER_NAME);
        let worker =
            web_sys::Worker::new_with_options("./worker_loader.js", &options).map_err(fail)?;
        let posted = worker.clone();
        let mut pending = Some(request);
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                match gloo_worker::Bincode::decode::<FromWorker>(ev.data()) {
                    FromWorker::WorkerLoaded => {
                        if let Some(request) = pending.take() {
                            for msg in [ToWorker::Connected(0), ToWorker::ProcessInput(0, request)]
                            {
                                let _ = posted.post_message(&gloo_worker::Bincode::encode(msg));
                            }
                        }
                    }
                    FromWorker::ProcessOutput(_, response) => on_response(*response),
                }
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            _on_message: on_message,
        })
    }

    /// Stop the worker now, whatever it is doing.
    pub fn terminate(&self) {
        self.worker.set_onmessage(None);
        self.worker.terminate();
    }
}

impl Drop for TaskWorker {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// A task handler running on the page's thread: gets a task and a way to respond.
type InThreadTasks = Rc<dyn Fn(TaskRequest, &dyn Fn(TaskResponse))>;

/// Where a task runs.
enum Backend {
    Worker(Option<TaskWorker>),
    InThread(InThreadTasks),
}

/// Runs one long request at a time (a race, a stream comparison) in a Web Worker of its own, or
/// on this thread in component tests. Every start and cancel begins a new generation; responses
/// of an older one never reach the caller. `Copy`, so the views' state structs stay `Copy`.
#[derive(Clone, Copy)]
pub struct TaskRunner {
    backend: StoredValue<Backend, LocalStorage>,
    generation: StoredValue<u64>,
}

impl TaskRunner {
    fn with_backend(backend: Backend) -> Self {
        Self {
            backend: StoredValue::new_local(backend),
            generation: StoredValue::new(0),
        }
    }

    /// Tasks run in Web Workers of their own.
    pub fn new_worker() -> Self {
        Self::with_backend(Backend::Worker(None))
    }

    /// Tasks run on this thread by `handler` (component tests).
    pub fn new_in_thread(handler: impl Fn(TaskRequest, &dyn Fn(TaskResponse)) + 'static) -> Self {
        Self::with_backend(Backend::InThread(Rc::new(handler)))
    }

    /// Begin a new generation (older responses are dropped from now on) and return it.
    pub fn next_generation(&self) -> u64 {
        self.generation.update_value(|g| *g += 1);
        self.generation.get_value()
    }

    /// Whether `generation` is still the current one (not cancelled or replaced).
    pub fn is_current(&self, generation: u64) -> bool {
        self.generation.get_value() == generation
    }

    /// Run `request` as `generation` (from [`Self::next_generation`]); `on_response` gets its
    /// responses while that generation is current. An error says the worker could not start.
    pub fn start(
        &self,
        generation: u64,
        request: TaskRequest,
        on_response: impl Fn(TaskResponse) + 'static,
    ) -> Result<(), String> {
        let runner = *self;
        let deliver = move |r: TaskResponse| {
            if runner.is_current(generation) {
                on_response(r);
            }
        };
        let handler = self.backend.with_value(|b| match b {
            Backend::InThread(h) => Some(h.clone()),
            Backend::Worker(_) => None,
        });
        match handler {
            Some(h) => {
                h(request, &deliver);
                Ok(())
            }
            None => {
                let worker = TaskWorker::spawn(request, deliver)?;
                self.backend
                    .update_value(|b| *b = Backend::Worker(Some(worker)));
                Ok(())
            }
        }
    }

    /// Terminate the worker (if any) without changing the generation: for a finished task.
    pub fn stop(&self) {
        self.backend.update_value(|b| {
            if let Backend::Worker(w) = b {
                *w = None;
            }
        });
    }

    /// Stop now: a new generation (late messages are ignored) and the worker terminated.
    pub fn cancel(&self) {
        self.next_generation();
        self.stop();
    }
}
