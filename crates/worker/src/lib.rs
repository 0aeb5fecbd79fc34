//! The worker: the message protocol between the page and the Web Worker, and the state machine
//! around a [`Session`](engine::session::Session).
//!
//! [`WorkerState::handle`] is plain Rust, so the whole protocol is tested natively; [`web`]
//! (wasm32 only) registers it as a gloo-worker. The page never runs the engine itself, so it
//! never freezes.
//!
//! | module | its one job |
//! |---|---|
//! | [`protocol`] | The requests, the responses and the constants both sides agree on. |
//! | [`views`] | What the page shows: dataset summary, round, sample, history, baseline. |
//! | [`state`] | The state machine: one request in, its responses out. |
//! | `baseline` | The random baseline, a round at a time between the person's answers. |
//! | `open`, `labeling`, `projects` | The handlers of each group of requests. |
//! | [`insight`] | The panels' data: map, feature importance, confusion matrix, histories. |
//! | [`race`] | The task worker: races and stream comparisons, each in a worker of its own. |
//! | [`stored`] | Decoded image folders packed for IndexedDB. |
//! | `web`, `images` | The browser glue: gloo-worker, file reading, image decoding (wasm32). |

pub mod baseline;
mod content;
#[cfg(target_arch = "wasm32")]
pub mod images;
pub mod insight;
mod labeling;
mod open;
mod projects;
pub mod protocol;
pub mod race;
pub mod state;
pub mod stored;
pub mod views;
mod warm_up;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use content::Content;
pub use engine::project::Settings;
pub use projects::{IMAGES_HAVE_NO_TABLE, IMAGES_NOT_IN_PROJECT_FILES};
pub use protocol::*;
pub use state::WorkerState;
pub use views::*;
pub use warm_up::{warm_up, WarmUpRun, WARM_UP_LABELS};
