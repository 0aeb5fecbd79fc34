//! # activelab
//!
//! An active learning studio that runs entirely in the browser. This crate holds three layers:
//!
//! - [`engine`]: pure, synchronous, deterministic Rust (data import, models, query strategies,
//!   metrics, the labeling session and simulations). It compiles natively and to wasm32 and never
//!   names a web crate or reads a clock; randomness comes in as a seed.
//! - [`worker`]: the message protocol between the page and the Web Worker, and the state machine the
//!   worker runs around [`engine::session::Session`]. The protocol is plain Rust, so it is tested
//!   natively; the gloo-worker glue is compiled for wasm32 only.
//! - `ui` (wasm32 only): Leptos components that render state and dispatch intents to the worker.
//!
//! ```
//! use activelab::engine::data::import::{parse_csv, CsvOptions};
//! let csv = "a,b,label\n1,2,x\n2,1,y\n";
//! let data = parse_csv(csv.as_bytes(), &CsvOptions::named("toy")).unwrap();
//! assert_eq!(data.class_names, vec!["x", "y"]);
//! ```

pub mod engine;
pub mod keymap;
pub mod worker;

#[cfg(target_arch = "wasm32")]
pub mod ui;

/// Test support: `#[wasm_test(unsupported = test)]` is `#[test]` natively and
/// `#[wasm_bindgen_test]` on wasm32, so the engine's unit tests run in headless Chromium too
/// (`cargo xtask test`, stage `browser-tests`) and prove both targets give the same numbers.
#[cfg(test)]
mod testing {
    pub(crate) use wasm_bindgen_test::wasm_bindgen_test as wasm_test;
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    /// The bundled Iris demo, imported.
    pub(crate) fn iris() -> crate::engine::data::Dataset {
        crate::engine::data::import::parse_csv(
            include_bytes!("../public/datasets/iris.csv"),
            &crate::engine::data::import::CsvOptions::named("iris"),
        )
        .expect("the bundled Iris CSV imports")
    }
}
