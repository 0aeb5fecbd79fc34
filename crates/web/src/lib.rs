//! The Leptos UI: components render state and dispatch intents to the worker; they never compute
//! ML. Shared state lives in [`studio::Studio`], reached through [`studio::use_studio`].
//!
//! Everything but [`keymap`] (plain Rust, tested natively) is compiled for wasm32 only.

#[cfg(target_arch = "wasm32")]
pub mod chart;
#[cfg(target_arch = "wasm32")]
pub mod controls;
#[cfg(target_arch = "wasm32")]
pub mod database;
#[cfg(target_arch = "wasm32")]
pub mod fault;
#[cfg(target_arch = "wasm32")]
pub mod history;
#[cfg(target_arch = "wasm32")]
pub mod insight;
#[cfg(target_arch = "wasm32")]
pub mod job;
pub mod keymap;
#[cfg(target_arch = "wasm32")]
pub mod mapping;
#[cfg(target_arch = "wasm32")]
pub mod open;
#[cfg(target_arch = "wasm32")]
mod page;
#[cfg(target_arch = "wasm32")]
pub mod project;
#[cfg(target_arch = "wasm32")]
pub mod query;
#[cfg(target_arch = "wasm32")]
pub mod race;
#[cfg(target_arch = "wasm32")]
pub mod review;
#[cfg(target_arch = "wasm32")]
pub mod runlog;
#[cfg(target_arch = "wasm32")]
pub mod sample;
#[cfg(target_arch = "wasm32")]
pub mod start;
#[cfg(target_arch = "wasm32")]
pub mod storage;
#[cfg(target_arch = "wasm32")]
pub mod stream;
#[cfg(target_arch = "wasm32")]
pub mod studio;
#[cfg(target_arch = "wasm32")]
pub mod task;
#[cfg(target_arch = "wasm32")]
pub use page::*;

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
