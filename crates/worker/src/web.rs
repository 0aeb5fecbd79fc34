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

use super::race::{handle_task, TaskRequest, TaskResponse};
use super::{Request, Response, WorkerState};
use engine::data::source::ByteSource;
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
    /// Page side: values waiting to travel with the next message [`Codec`] encodes.
    static OUTGOING: RefCell<Vec<(u32, JsValue)>> = const { RefCell::new(Vec::new()) };
    /// Worker side: values that came with messages, by token, until taken.
    static ARRIVED: RefCell<Vec<(u32, JsValue)>> = const { RefCell::new(Vec::new()) };
    /// The last token [`attach`] gave.
    static LAST_TOKEN: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Send `value` (e.g. an array of `File`s) to the worker beside the next message, without
/// serializing it: the browser's structured clone passes a `File` as a handle, no bytes copied.
/// Returns the token the worker finds it under ([`take_attachment`]); put the token in the
/// request that needs the value and send that request next.
///
/// Order is safe even while gloo-worker queues messages for a worker still loading: the value
/// rides on whichever message is encoded first after this call, which the worker receives no
/// later than the request that names the token.
pub fn attach(value: JsValue) -> u32 {
    let token = LAST_TOKEN.with(|t| {
        t.set(t.get().wrapping_add(1));
        t.get()
    });
    OUTGOING.with(|o| o.borrow_mut().push((token, value)));
    token
}

/// The value [`attach`]ed under `token`, once (worker side).
pub fn take_attachment(token: u32) -> Option<JsValue> {
    ARRIVED.with(|a| {
        let mut arrived = a.borrow_mut();
        let at = arrived.iter().position(|(t, _)| *t == token)?;
        Some(arrived.swap_remove(at).1)
    })
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
        let message = gloo_worker::Bincode::encode(input);
        let attached = OUTGOING.with(|o| std::mem::take(&mut *o.borrow_mut()));
        if attached.is_empty() {
            return message;
        }
        // [message, [token, value], [token, value], …]
        let packed = js_sys::Array::of1(&message);
        for (token, value) in attached {
            packed.push(&js_sys::Array::of2(&JsValue::from(token), &value));
        }
        packed.into()
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
        if js_sys::Array::is_array(&input) {
            let packed: js_sys::Array = input.unchecked_into();
            ARRIVED.with(|a| {
                let mut arrived = a.borrow_mut();
                for pair in packed.iter().skip(1) {
                    let pair: js_sys::Array = pair.unchecked_into();
                    if let Some(token) = pair.get(0).as_f64() {
                        arrived.push((token as u32, pair.get(1)));
                    }
                }
            });
            return gloo_worker::Bincode::decode(packed.get(0));
        }
        gloo_worker::Bincode::decode(input)
    }
}

/// Read the files of a [`Request::UploadFiles`] (attached as an array of `File`s) once, slice by
/// slice with `FileReaderSync` (a worker may block: the page does not), for their fingerprints,
/// answering [`Response::Reading`] after each slice; then make the `File`s themselves the
/// worker's upload ([`WorkerState::attach`]): the importer and the exports read them again when
/// they need them, so a 50 MB file never sits in the worker's wasm memory (which never shrinks).
/// The caller answers [`Response::Uploaded`] with the fingerprints (or the reason the files could
/// not be read). Messages that come meanwhile wait their turn, so a request sent after this one
/// sees the whole upload.
fn read_attached(
    state: &mut WorkerState,
    files: Vec<super::UploadFile>,
    attachment: u32,
    respond: &mut dyn FnMut(Response),
) -> Result<Vec<String>, String> {
    let blobs: js_sys::Array = take_attachment(attachment)
        .filter(js_sys::Array::is_array)
        .ok_or("The files to read did not reach the worker: choose them again.")?
        .unchecked_into();
    if blobs.length() as usize != files.len() {
        return Err(format!(
            "{} files were announced but {} reached the worker: choose them again.",
            files.len(),
            blobs.length()
        ));
    }
    let total: u64 = files.iter().map(|f| f.size).sum();
    let mut done = 0u64;
    let mut fingerprints = Vec::with_capacity(files.len());
    let mut attached = Vec::with_capacity(files.len());
    let mut buffer = Vec::new();
    for (i, file) in files.into_iter().enumerate() {
        let source = BlobSource::new(blobs.get(i as u32).unchecked_into())?;
        let size = source.size();
        buffer.resize(CHUNK_BYTES.min(size) as usize, 0);
        let mut fingerprint = engine::project::Fingerprint::new();
        let mut offset = 0u64;
        while offset < size {
            let n = source
                .read_at(offset, &mut buffer)
                .map_err(|e| format!("{} could not be read ({e}).", file.path))?;
            if n == 0 {
                return Err(format!("{} ended sooner than announced.", file.path));
            }
            fingerprint.add(&buffer[..n]);
            done += n as u64;
            offset += n as u64;
            respond(Response::Reading {
                attachment,
                done,
                total,
            });
        }
        fingerprints.push(fingerprint.finish());
        // A folder of small images would otherwise keep every file's last block in memory.
        source.release();
        attached.push((file.path, super::Content::source(std::rc::Rc::new(source))));
    }
    state.attach(attached)?;
    Ok(fingerprints)
}

/// Short-lived JS arrays made after each block a [`BlobSource`] reads: [`NUDGE_ARRAYS`] of
/// [`NUDGE_LENGTH`] slots (64 KiB each, so in V8's young generation).
const NUDGE_ARRAYS: usize = 4;
const NUDGE_LENGTH: u32 = 8192;

/// Make a little young-generation garbage so V8's scavenger runs while a file is read.
///
/// Why: each `FileReaderSync` read returns a new 1 MiB `ArrayBuffer`, dead once copied into wasm
/// memory, whose bytes live outside the JS heap: the young generation never fills, so without a
/// nudge no scavenge frees them until the import's one long task ends (docs/performance.md).
fn nudge_scavenger() {
    for _ in 0..NUDGE_ARRAYS {
        let _ = js_sys::Array::new_with_length(NUDGE_LENGTH);
    }
}

/// A picked `File` (or any `Blob`) as a [`ByteSource`]: read with `FileReaderSync` one
/// [`CHUNK_BYTES`] block at a time, the last block kept for the small reads that follow (the CSV
/// reader asks for 64 KiB at a time).
pub struct BlobSource {
    blob: web_sys::Blob,
    reader: web_sys::FileReaderSync,
    size: u64,
    /// The block last read: its offset and bytes.
    block: std::cell::RefCell<(u64, Vec<u8>)>,
}

impl BlobSource {
    /// Read `blob` (in a worker: `FileReaderSync` exists only there).
    pub fn new(blob: web_sys::Blob) -> Result<Self, String> {
        let reader = web_sys::FileReaderSync::new()
            .map_err(|_| "This browser cannot read files in the background worker.".to_string())?;
        let size = blob.size() as u64;
        Ok(Self {
            blob,
            reader,
            size,
            block: std::cell::RefCell::new((0, Vec::new())),
        })
    }

    /// Free the block kept from the last read (the next read reads it again).
    pub fn release(&self) {
        *self.block.borrow_mut() = (0, Vec::new());
    }
}

impl ByteSource for BlobSource {
    fn size(&self) -> u64 {
        self.size
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, String> {
        if offset >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let mut block = self.block.borrow_mut();
        let (start, bytes) = &mut *block;
        let cached = offset >= *start && offset < *start + bytes.len() as u64;
        if !cached {
            let first = offset - offset % CHUNK_BYTES;
            let end = (first + CHUNK_BYTES).min(self.size);
            let slice = self
                .blob
                .slice_with_f64_and_f64(first as f64, end as f64)
                .map_err(|_| "the browser could not cut a slice of it".to_string())?;
            let buffer = self.reader.read_as_array_buffer(&slice).map_err(|e| {
                js_sys::Reflect::get(&e, &"message".into())
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or_else(|| "the browser refused to read it".into())
            })?;
            let array = js_sys::Uint8Array::new(&buffer);
            bytes.resize(array.length() as usize, 0);
            array.copy_to(bytes);
            nudge_scavenger();
            *start = first;
            if bytes.is_empty() {
                return Ok(0);
            }
        }
        // A block shorter than asked for (the file shrank) ends the reading, it does not panic.
        let Some(left) = bytes.len().checked_sub((offset - *start) as usize) else {
            return Ok(0);
        };
        let from = bytes.len() - left;
        let n = buf.len().min(left);
        buf[..n].copy_from_slice(&bytes[from..from + n]);
        Ok(n)
    }
}

/// Bytes per slice a worker reads of an attached file (1 MiB: a progress step, and the block
/// [`BlobSource`] keeps).
pub const CHUNK_BYTES: u64 = 1 << 20;

/// The engine worker. Trunk builds it from `src/bin/worker.rs` as a no-modules worker script
/// (`worker.js`) plus a loader shim (`worker_loader.js`); the page spawns it with
/// `.as_module(false).with_loader(true).encoding::<Codec>().spawn("./worker_loader.js")`.
pub struct EngineWorker {
    state: WorkerState,
    /// The bridge that sent the last request (the background work answers it).
    last: Option<HandlerId>,
    /// Whether a background slice is waiting for its timer.
    scheduled: bool,
}

/// What the engine worker does next on its own.
pub enum EngineMessage {
    /// A request to handle later, with the bridge to answer (decoded images come back this way).
    Request(HandlerId, Request),
    /// A slice of background work ([`WorkerState::background_step`]).
    Background,
}

impl From<(HandlerId, Request)> for EngineMessage {
    fn from((id, request): (HandlerId, Request)) -> Self {
        Self::Request(id, request)
    }
}

/// How long one slice of background work may run before the worker looks at its messages again:
/// an answer waits at most this (plus one step) behind the baseline.
const BACKGROUND_SLICE_MS: f64 = 8.0;

impl EngineWorker {
    fn handle(&mut self, scope: &WorkerScope<Self>, id: HandlerId, request: Request) {
        self.last = Some(id);
        self.state
            .handle(request, &mut |response| scope.respond(id, response));
        self.schedule(scope);
    }

    /// Run the background work in a later task (a timer, not a microtask, so the page's next
    /// message is handled before it).
    fn schedule(&mut self, scope: &WorkerScope<Self>) {
        if self.scheduled || !self.state.has_background_work() {
            return;
        }
        let Ok(global) = js_sys::global().dyn_into::<web_sys::WorkerGlobalScope>() else {
            return;
        };
        let scope = scope.clone();
        let tick = wasm_bindgen::closure::Closure::once_into_js(move || {
            scope.send_message(EngineMessage::Background);
        });
        self.scheduled = global
            .set_timeout_with_callback_and_timeout_and_arguments_0(tick.unchecked_ref(), 0)
            .is_ok();
    }

    fn background(&mut self, scope: &WorkerScope<Self>) {
        self.scheduled = false;
        let Some(id) = self.last else { return };
        let start = js_sys::Date::now();
        while js_sys::Date::now() - start < BACKGROUND_SLICE_MS {
            let more = self
                .state
                .background_step(&mut |response| scope.respond(id, response));
            if !more {
                break;
            }
        }
        self.schedule(scope);
    }
}

impl Worker for EngineWorker {
    type Message = EngineMessage;
    type Input = Request;
    type Output = Response;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        let mut state = WorkerState::default();
        state.defer_background_work();
        Self {
            state,
            last: None,
            scheduled: false,
        }
    }

    fn update(&mut self, scope: &WorkerScope<Self>, message: Self::Message) {
        let (id, msg) = match message {
            EngineMessage::Request(id, msg) => (id, msg),
            EngineMessage::Background => return self.background(scope),
        };
        // The decoded folder goes to the page first, so it can store it with the project.
        if let Request::OpenDecodedImages {
            images, skipped, ..
        } = &msg
        {
            let bytes = super::stored::pack_images(images, skipped);
            let fingerprint = engine::project::fingerprint(&bytes);
            scope.respond(id, Response::ImagesDecoded { fingerprint, bytes });
        }
        self.handle(scope, id, msg);
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
        if let Request::StoredFile { name, attachment } = msg {
            // The stored copy replaces the picked file for later reads; without it (it did not
            // arrive, or is not the open file) the picked file serves as before.
            let stored = take_attachment(attachment)
                .and_then(|blob| blob.dyn_into::<web_sys::Blob>().ok())
                .and_then(|blob| BlobSource::new(blob).ok());
            if let Some(source) = stored {
                let content = super::Content::source(std::rc::Rc::new(source));
                self.state.use_stored_file(&name, content);
            }
            return;
        }
        if let Request::UploadFiles { files, attachment } = msg {
            let mut respond = |response| scope.respond(id, response);
            let result = read_attached(&mut self.state, files, attachment, &mut respond);
            if result.is_err() {
                self.state.take_uploads();
            }
            respond(Response::Uploaded { attachment, result });
            return;
        }
        self.handle(scope, id, msg);
    }
}

/// The name a task worker is started with (`new Worker(url, {name})`): the worker script is the
/// engine worker's, and its entry registers [`TaskWorker`] instead when it finds this name.
pub const TASK_WORKER_NAME: &str = "activelab-tasks";

/// Whether this worker was started as a task worker ([`TASK_WORKER_NAME`]).
pub fn is_task_worker() -> bool {
    js_sys::global()
        .dyn_into::<web_sys::DedicatedWorkerGlobalScope>()
        .is_ok_and(|scope| scope.name() == TASK_WORKER_NAME)
}

/// A task worker: one race or stream comparison, answered as it goes; the page terminates the
/// worker to cancel it.
pub struct TaskWorker;

impl Worker for TaskWorker {
    type Message = ();
    type Input = TaskRequest;
    type Output = TaskResponse;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        Self
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, id: HandlerId) {
        handle_task(msg, &mut |response| scope.respond(id, response));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gloo_worker::Codec as _;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// A value attached on the page comes out of the worker's decode under its token, once, and
    /// the message itself decodes unchanged; messages without attachments stay plain bincode.
    #[wasm_bindgen_test]
    fn attachments_ride_beside_the_message_they_are_encoded_with() {
        let plain = Codec::encode(Request::WarmUp);
        assert!(!js_sys::Array::is_array(&plain));

        let first = attach(JsValue::from_str("first file"));
        let second = attach(js_sys::Array::of1(&JsValue::from(7)).into());
        assert_ne!(first, second);
        let request = Request::UploadFiles {
            files: vec![super::super::UploadFile {
                path: "a.csv".into(),
                size: 3,
            }],
            attachment: second,
        };
        let packed = Codec::encode(request.clone());
        assert!(js_sys::Array::is_array(&packed));
        // The next message goes out plain: attachments travel once.
        assert!(!js_sys::Array::is_array(&Codec::encode(Request::WarmUp)));

        let decoded: Request = Codec::decode(packed);
        assert_eq!(decoded, request);
        assert_eq!(
            take_attachment(first)
                .and_then(|v| v.as_string())
                .as_deref(),
            Some("first file")
        );
        let array: js_sys::Array = take_attachment(second)
            .expect("the second attachment arrived")
            .unchecked_into();
        assert_eq!(array.get(0).as_f64(), Some(7.0));
        assert!(take_attachment(second).is_none(), "taken once");
        assert!(take_attachment(9999).is_none());
    }
}
