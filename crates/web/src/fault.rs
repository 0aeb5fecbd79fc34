//! When something inside the app breaks: a recoverable error panel instead of a frozen page.
//!
//! [`install`] (called first thing by `main`) sets the page's panic hook: the panic is logged to the
//! console (console_error_panic_hook) and [`show`] puts a panel over the page, built with plain
//! web-sys DOM calls because Leptos may be wedged after a panic (wasm panics abort, so the
//! reactive graph is left mid-update). The panel says what happened, whether the labels are safe
//! ([`set_work_saved`]), shows the technical detail as text, and has a focused **Reload** button
//! whose click handler is the browser's own `location.reload` (no call back into the wasm that
//! just aborted). The rest of the page stays visible but `inert`.
//!
//! The worker's panics reach the page too: the worker's panic hook posts a marked message (see
//! [`worker::web`]), the page's codec recognises it and calls [`show`] with
//! [`Fault::Worker`].
//!
//! For tests, a panic can be forced in the release build from the browser console only (no
//! control, key or URL does it): `window.wasmBindings.activelab_force_panic()` (the page) and
//! `window.wasmBindings.activelab_force_worker_panic()` (the worker).

use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// How [`activelab_force_worker_panic`] reaches the worker.
type Trigger = Box<dyn Fn()>;

// Plain values, not signals: the panic hook and the `beforeunload` guard read them outside
// Leptos, when the reactive graph may be wedged mid-update by the panic.
thread_local! {
    static WORK_SAVED: Cell<bool> = const { Cell::new(false) };
    static SHOWN: Cell<bool> = const { Cell::new(false) };
    static WORKER_PANIC_TRIGGER: RefCell<Option<Trigger>> = const { RefCell::new(None) };
    static UNSAVED: RefCell<Option<Unsaved>> = const { RefCell::new(None) };
    static MEMORY_ONLY: Cell<usize> = const { Cell::new(0) };
}

/// The browser gives the page no storage: the open project's `answers` live in memory only.
pub fn set_memory_only_answers(answers: usize) {
    MEMORY_ONLY.with(|m| m.set(answers));
}

/// Answers of the open project that live in memory only because there is no storage at all.
pub fn memory_only_answers() -> usize {
    MEMORY_ONLY.with(Cell::get)
}

/// Answers kept in memory only: a write to storage failed (storage full, or any other failure),
/// and the events from `from` on are not stored. Each new answer tries to store them again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsaved {
    /// The project they belong to (its id).
    pub project: String,
    /// That project's name.
    pub name: String,
    /// The first event (sequence number) not stored.
    pub from: usize,
    /// How many events are not stored.
    pub count: usize,
    /// Why: the storage error, in words.
    pub cause: String,
    /// The cause is a full storage quota.
    pub quota: bool,
    /// The person opened another project anyway (after being asked): the answers are gone.
    pub dropped: bool,
}

/// Record that events are kept in memory only (and that the work is not saved).
pub fn set_unsaved(unsaved: Unsaved) {
    set_work_saved(false);
    UNSAVED.with(|u| *u.borrow_mut() = Some(unsaved));
}

/// Every event is stored again (a retry succeeded): the work is saved.
pub fn clear_unsaved() {
    UNSAVED.with(|u| *u.borrow_mut() = None);
    set_work_saved(true);
}

/// The events kept in memory only, if any.
pub fn unsaved() -> Option<Unsaved> {
    UNSAVED.with(|u| u.borrow().clone())
}

/// The answers kept in memory only were let go: another project was opened over them.
pub fn drop_unsaved() {
    UNSAVED.with(|u| {
        if let Some(u) = u.borrow_mut().as_mut() {
            u.dropped = true;
        }
    });
}

/// Answers kept in memory only that leaving the page would lose.
pub fn unsaved_at_risk() -> Option<Unsaved> {
    unsaved().filter(|u| !u.dropped)
}

/// While answers are kept in memory only (a failed write, or no storage at all), closing or
/// reloading the tab asks first (the browser's own "Leave site?" dialog; browsers show their own
/// text, not the page's).
fn install_leave_guard() {
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    let Some(window) = web_sys::window() else {
        return;
    };
    let guard = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
        if unsaved_at_risk().is_some() || memory_only_answers() > 0 {
            event.prevent_default();
            // Older browsers ask only when `returnValue` is set.
            let _ = js_sys::Reflect::set(
                &event,
                &JsValue::from_str("returnValue"),
                &JsValue::from_str(""),
            );
        }
    });
    let _ = window.add_event_listener_with_callback("beforeunload", guard.as_ref().unchecked_ref());
    // The page's lifetime: the listener stays.
    guard.forget();
}

/// The id of the panel's element (also its `data-testid`).
pub const PANEL_ID: &str = "fault-panel";

/// Where the failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The page (the UI) panicked.
    Page,
    /// The background worker (the engine) panicked; the page itself still runs.
    Worker,
}

/// Say whether every label up to the last answer is stored in this browser (the storage code sets
/// it once an event is persisted, and clears it when storing fails). The panel only promises that
/// labels are safe when this is `true`.
pub fn set_work_saved(saved: bool) {
    WORK_SAVED.with(|s| s.set(saved));
}

/// Whether [`set_work_saved`] last said the work is stored.
pub fn work_saved() -> bool {
    WORK_SAVED.with(Cell::get)
}

/// Install the page's panic hook: log to the console, then show the panel.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show(Fault::Page, &info.to_string());
    }));
    worker::web::on_worker_panic(|message| show(Fault::Worker, &message));
    install_leave_guard();
}

/// What the panel says about the labels.
pub fn saved_sentence(saved: bool) -> &'static str {
    if saved {
        "Your labels up to the last answer are stored in this browser: reloading brings them back."
    } else {
        "Labels given since the page was opened may not have been stored: after reloading, check what is there."
    }
}

/// What the panel says about the labels, naming how many answers were kept in memory only.
fn saved_text() -> String {
    match unsaved() {
        Some(u) => format!(
            "Your last {} answer(s) could not be stored ({}), so a reload loses them; the answers \
             before them are stored in this browser.",
            u.count, u.cause
        ),
        None => saved_sentence(work_saved()).to_string(),
    }
}

/// The panel's heading and first sentence for a fault.
pub fn headline(fault: Fault) -> (&'static str, &'static str) {
    match fault {
        Fault::Page => (
            "Something went wrong inside activelab",
            "The page hit an internal error and stopped responding. This is a bug in activelab, not a problem with your data.",
        ),
        Fault::Worker => (
            "Something went wrong inside activelab",
            "The background engine hit an internal error and stopped. This is a bug in activelab, not a problem with your data.",
        ),
    }
}

/// Show the error panel (once; later faults only add their detail). Never panics: every DOM step
/// that fails is skipped.
pub fn show(fault: Fault, detail: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    if SHOWN.with(|s| s.replace(true)) {
        if let Some(list) = document.get_element_by_id("fault-detail") {
            let old = list.text_content().unwrap_or_default();
            list.set_text_content(Some(&format!("{old}\n\n{detail}")));
        }
        return;
    }
    // Everything else on the page: visible, but out of reach of keyboard and mouse.
    let children = body.children();
    for i in 0..children.length() {
        if let Some(child) = children.item(i) {
            let _ = child.set_attribute("inert", "");
            let _ = child.set_attribute("aria-hidden", "true");
        }
    }
    let element = |tag: &str| document.create_element(tag).ok();
    let Some(panel) = element("div") else {
        return;
    };
    let (title, what) = headline(fault);
    let _ = panel.set_attribute("id", PANEL_ID);
    let _ = panel.set_attribute("data-testid", PANEL_ID);
    let _ = panel.set_attribute(
        "data-fault",
        if fault == Fault::Page {
            "page"
        } else {
            "worker"
        },
    );
    let _ = panel.set_attribute("role", "alertdialog");
    let _ = panel.set_attribute("aria-modal", "true");
    let _ = panel.set_attribute("aria-labelledby", "fault-title");
    let _ = panel.set_attribute("aria-describedby", "fault-what fault-saved");
    let _ = panel.set_attribute("class", "fault");
    css(
        &panel,
        &[
            ("position", "fixed"),
            ("inset", "0"),
            ("z-index", "2147483647"),
            ("display", "flex"),
            ("align-items", "center"),
            ("justify-content", "center"),
            ("background", "rgba(0, 0, 0, 0.45)"),
            ("font-family", "system-ui, sans-serif"),
        ],
    );
    let Some(card) = element("section") else {
        return;
    };
    css(
        &card,
        &[
            ("background", "#ffffff"),
            ("color", "#1a1a1a"),
            ("max-width", "36rem"),
            ("margin", "1rem"),
            ("padding", "1.5rem"),
            ("border-radius", "0.5rem"),
            ("border-top", "0.4rem solid #D55E00"),
            ("box-shadow", "0 0.5rem 2rem rgba(0, 0, 0, 0.35)"),
        ],
    );
    let add = |parent: &web_sys::Element, tag: &str, id: &str, text: &str| {
        let child = element(tag)?;
        if !id.is_empty() {
            let _ = child.set_attribute("id", id);
            let _ = child.set_attribute("data-testid", id);
        }
        child.set_text_content(Some(text));
        let _ = parent.append_child(&child);
        Some(child)
    };
    add(&card, "h2", "fault-title", title);
    add(&card, "p", "fault-what", what);
    add(&card, "p", "fault-saved", &saved_text());
    add(
        &card,
        "p",
        "",
        "Reload the page to continue. If it happens again, the details below help to report it.",
    );
    if let Some(details) = element("details") {
        add(&details, "summary", "", "Technical details");
        if let Some(pre) = add(&details, "pre", "fault-detail", detail) {
            css(
                &pre,
                &[
                    ("white-space", "pre-wrap"),
                    ("max-height", "10rem"),
                    ("overflow", "auto"),
                ],
            );
        }
        let _ = card.append_child(&details);
    }
    if let Some(button) = add(&card, "button", "fault-reload", "Reload") {
        let _ = button.set_attribute("type", "button");
        css(
            &button,
            &[
                ("font-size", "1rem"),
                ("padding", "0.5rem 1.25rem"),
                ("margin-top", "0.75rem"),
                ("background", "#0072B2"),
                ("color", "#ffffff"),
                ("border", "0"),
                ("border-radius", "0.25rem"),
                ("cursor", "pointer"),
                ("outline-offset", "3px"),
            ],
        );
        // The browser's own `location.reload`, bound: clicking never calls into the aborted wasm.
        if let Some(location) = web_sys::window().map(|w| w.location()) {
            let reload = js_sys::Reflect::get(&location, &JsValue::from_str("reload"))
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
                .map(|f| f.bind0(&location));
            if let Some(reload) = reload {
                let _ = button.add_event_listener_with_callback("click", &reload);
            }
        }
    }
    let _ = panel.append_child(&card);
    let _ = body.append_child(&panel);
    if let Some(button) = document.get_element_by_id("fault-reload") {
        if let Ok(button) = button.dyn_into::<web_sys::HtmlElement>() {
            let _ = button.focus();
        }
    }
}

/// Set CSS properties through the CSSOM (`element.style.setProperty`), which the page's
/// Content-Security-Policy (`style-src 'self'`) allows, unlike a `style="…"` attribute.
fn css(element: &web_sys::Element, properties: &[(&str, &str)]) {
    let Ok(style) = js_sys::Reflect::get(element, &JsValue::from_str("style")) else {
        return;
    };
    let Ok(set) = js_sys::Reflect::get(&style, &JsValue::from_str("setProperty")) else {
        return;
    };
    let Ok(set) = set.dyn_into::<js_sys::Function>() else {
        return;
    };
    for (name, value) in properties {
        let _ = set.call2(&style, &JsValue::from_str(name), &JsValue::from_str(value));
    }
}

/// Register how [`activelab_force_worker_panic`] reaches the worker (the studio does, when it
/// spawns the worker).
pub fn set_worker_panic_trigger(trigger: impl Fn() + 'static) {
    WORKER_PANIC_TRIGGER.with(|t| *t.borrow_mut() = Some(Box::new(trigger)));
}

/// Test hook: panic on the page, on purpose. Exported to JavaScript as
/// `window.wasmBindings.activelab_force_panic()`; nothing in the UI calls it.
#[wasm_bindgen]
pub fn activelab_force_panic() {
    panic!("activelab_force_panic() was called: a forced panic to test the error panel");
}

/// Test hook: make the worker panic, on purpose. Exported to JavaScript as
/// `window.wasmBindings.activelab_force_worker_panic()`; nothing in the UI calls it.
#[wasm_bindgen]
pub fn activelab_force_worker_panic() {
    WORKER_PANIC_TRIGGER.with(|t| {
        if let Some(trigger) = t.borrow().as_ref() {
            trigger();
        }
    });
}
