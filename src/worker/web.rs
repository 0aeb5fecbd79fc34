//! The gloo-worker glue: the Web Worker that runs [`WorkerState`](super::WorkerState), and how the
//! page learns that the worker died.
//!
//! A Rust panic in the worker aborts its wasm: without help the page would wait forever for an
//! answer. So the worker's panic hook ([`report_panic`], installed by `src/bin/worker.rs`) posts
//! one last message, a string starting with [`PANIC_MARK`], and both sides use [`Codec`]: bincode
//! like gloo-worker's default, except that the page's side recognises the marked string and calls
//! the handler set with [`on_worker_panic`] (the UI's error panel) instead of decoding it. A death
//! without a panic (a trap, e.g. out of memory) is reported the same way by
//! [`report_uncaught_errors`].

use super::{Request, Response, WorkerState};
use gloo_worker::{HandlerId, Worker, WorkerScope};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};

/// The start of the message a panicking worker posts to the page.
pub const PANIC_MARK: &str = "activelab-worker-panic:";

/// The file name of a [`Request::Open`] that makes the worker panic on purpose (tests only: a real
/// file name cannot contain a NUL character).
pub const FORCE_PANIC_NAME: &str = "\u{0}activelab-force-worker-panic";

/// What the page does when the worker panics.
type PanicHandler = Box<dyn Fn(String)>;

thread_local! {
    static ON_PANIC: RefCell<Option<PanicHandler>> = const { RefCell::new(None) };
}

/// Call `handler` with the worker's panic message when the worker panics (the page sets it).
pub fn on_worker_panic(handler: impl Fn(String) + 'static) {
    ON_PANIC.with(|h| *h.borrow_mut() = Some(Box::new(handler)));
}

/// Post the worker's panic message to the page (the worker's panic hook calls it). Plain
/// `postMessage` through `js_sys`, so it works whatever state the worker's Rust code is in.
pub fn report_panic(message: &str) {
    let global = js_sys::global();
    let text = JsValue::from_str(&format!("{PANIC_MARK}{message}"));
    if let Ok(post) = js_sys::Reflect::get(&global, &JsValue::from_str("postMessage")) {
        if let Ok(post) = post.dyn_into::<js_sys::Function>() {
            let _ = post.call1(&global, &text);
        }
    }
}

/// Also tell the page when the worker dies without a Rust panic (a trap such as running out of
/// memory, which aborts without calling the panic hook): the worker's `error` event gets the
/// browser's own `postMessage`, bound to a marked message, as its listener, so nothing has to
/// run in the wasm that just stopped. (It also fires after a panic; the page shows one panel.)
pub fn report_uncaught_errors() {
    let global = js_sys::global();
    let get = |name: &str| {
        js_sys::Reflect::get(&global, &JsValue::from_str(name))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    };
    let (Some(post), Some(add)) = (get("postMessage"), get("addEventListener")) else {
        return;
    };
    let text = format!(
        "{PANIC_MARK}the engine stopped on an uncaught error (for example, it ran out of memory)"
    );
    let listener = post.bind1(&global, &JsValue::from_str(&text));
    let _ = add.call2(&global, &JsValue::from_str("error"), &listener);
}

/// gloo-worker's bincode encoding, plus the worker's panic message (see the module docs).
pub struct Codec;

impl gloo_worker::Codec for Codec {
    fn encode<I>(input: I) -> JsValue
    where
        I: Serialize,
    {
        gloo_worker::Bincode::encode(input)
    }

    fn decode<O>(input: JsValue) -> O
    where
        O: for<'de> Deserialize<'de>,
    {
        if let Some(text) = input.as_string() {
            let message = text.strip_prefix(PANIC_MARK).unwrap_or(&text).to_string();
            ON_PANIC.with(|h| {
                if let Some(handler) = h.borrow().as_ref() {
                    handler(message);
                }
            });
            // Nothing to hand to gloo-worker: leave this message handler without a value.
            wasm_bindgen::throw_str("the activelab worker stopped after an internal error");
        }
        gloo_worker::Bincode::decode(input)
    }
}

/// The engine worker. Trunk builds it from `src/bin/worker.rs` as a no-modules worker script
/// (`worker.js`) plus a loader shim (`worker_loader.js`); the page spawns it with
/// `.as_module(false).with_loader(true).encoding::<Codec>().spawn("./worker_loader.js")`.
pub struct EngineWorker {
    state: WorkerState,
}

impl Worker for EngineWorker {
    /// A request to handle later, with the bridge to answer (decoded images come back this way).
    type Message = (HandlerId, Request);
    type Input = Request;
    type Output = Response;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        Self {
            state: WorkerState::default(),
        }
    }

    fn update(&mut self, scope: &WorkerScope<Self>, (id, msg): Self::Message) {
        // The decoded folder goes to the page first, so it can store it with the project.
        if let Request::OpenDecodedImages {
            images, skipped, ..
        } = &msg
        {
            let bytes = super::stored::pack_images(images, skipped);
            let fingerprint = crate::engine::project::fingerprint(&bytes);
            scope.respond(id, Response::ImagesDecoded { fingerprint, bytes });
        }
        self.state
            .handle(msg, &mut |response| scope.respond(id, response));
    }

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, id: HandlerId) {
        if matches!(&msg, Request::Open { name, .. } if name == FORCE_PANIC_NAME) {
            panic!("a forced worker panic (activelab_force_worker_panic), to test the error panel");
        }
        if let Request::OpenImages {
            name,
            classes,
            seed,
        } = msg
        {
            let (files, progress) = (self.state.take_uploads(), scope.clone());
            let future = super::images::decode_all(name, files, classes, seed, move |p| {
                progress.respond(id, p)
            });
            let scope = scope.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let request = future.await;
                scope.send_message((id, request));
            });
            return;
        }
        self.state
            .handle(msg, &mut |response| scope.respond(id, response));
    }
}
