//! Helpers shared by the browser tests (`tests/browser*.rs`): mount the real studio with the
//! worker's state machine running in-thread, let Leptos settle, and read the DOM.
#![cfg(target_arch = "wasm32")]
// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web::studio::{provide_studio, Studio};
use web::StudioView;
use worker::{Request, WorkerState};

/// The Iris demo as shipped.
pub const IRIS: &str = include_str!("../../../../public/datasets/iris.csv");

/// Let Leptos run the effects that the last signal changes scheduled, and what the studio defers
/// past the next frame (a round's insight shows after its sample has painted; the studio mounts
/// in steps one frame apart).
pub async fn settle() {
    for frame in 0..3 {
        for _ in 0..5 {
            leptos::task::tick().await;
            let promise = js_sys::Promise::new(&mut |resolve, _| {
                let _ = web_sys::window()
                    .unwrap()
                    .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
            });
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        }
        if frame < 2 {
            let promise = js_sys::Promise::new(&mut |resolve, _| {
                let _ = web_sys::window().unwrap().request_animation_frame(&resolve);
            });
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        }
    }
}

/// A fresh `<div>` appended to the body.
pub fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let container: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&container).unwrap();
    container
}

/// The task worker's handler (races, stream comparisons), run on this thread.
pub fn handler(request: worker::race::TaskRequest, emit: &dyn Fn(worker::race::TaskResponse)) {
    worker::race::handle_task(request, &mut |r| emit(r));
}

/// Mount the studio with the worker's state machine in-thread (one state for the whole test).
pub fn mount_studio() -> (web_sys::HtmlElement, Studio) {
    let container = container();
    let state = Rc::new(RefCell::new(WorkerState::default()));
    let studio = Studio::new_in_thread(move |request, emit| {
        state.borrow_mut().handle(request, &mut |r| emit(r));
    });
    leptos::mount::mount_to(container.clone(), move || {
        provide_studio(studio);
        view! { <StudioView/> }
    })
    .forget();
    (container, studio)
}

/// Mount the studio and open the Iris demo in it (seed 42).
pub async fn mount_iris() -> (web_sys::HtmlElement, Studio) {
    let (container, studio) = mount_studio();
    studio.send(Request::Open {
        name: "Iris".into(),
        csv: IRIS.into(),
        seed: 42,
    });
    settle().await;
    (container, studio)
}

/// How many elements match `selector`.
pub fn count(container: &web_sys::HtmlElement, selector: &str) -> u32 {
    container.query_selector_all(selector).unwrap().length()
}

/// The text of the first element matching `selector` ("" when none does).
pub fn text(container: &web_sys::HtmlElement, selector: &str) -> String {
    container
        .query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// The texts of every element matching `selector`.
pub fn texts(container: &web_sys::HtmlElement, selector: &str) -> Vec<String> {
    let list = container.query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().text_content().unwrap_or_default())
        .collect()
}

/// The first element matching `selector`; panics (fails the test) when there is none.
pub fn element(container: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlElement {
    container
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .unchecked_into()
}

/// An attribute of the first element matching `selector` ("" when absent).
pub fn attr(container: &web_sys::HtmlElement, selector: &str, name: &str) -> String {
    element(container, selector)
        .get_attribute(name)
        .unwrap_or_default()
}
