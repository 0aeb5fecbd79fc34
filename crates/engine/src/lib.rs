//! activelab's engine: pure Rust, no web crates, no clock. Same seed, same result, natively and
//! in wasm.
//!
//! | module | its one job |
//! |---|---|
//! | [`data`] | Turn bytes into a validated [`data::Dataset`], or a clear error naming the line/column/rule. |
//! | [`models`] | Turn checked hyperparameters + labeled rows into a fitted model with class probabilities. |
//! | [`strategies`] | Turn a fitted model and the unlabeled rows into ranked picks with their scores. |
//! | [`metrics`] | Score predictions against truth; nothing else. |
//! | [`pca`] | Project rows onto their two principal axes (the map of the pool). |
//! | [`stopping`] | Say whether and why it may be time to stop. |
//! | [`session`] | Hold the event log and derive the labeled state; run one round. |
//! | [`simulation`] | Replay the loop with an oracle and record curves. |
//! | [`fraud`] | A fraud-shaped stream (rare class, delayed labels, drift) and its samplers, judged by the rare class. |
//! | [`export`] | Write the labels (CSV with the original columns, JSON Lines) and the fitted model (JSON). |
//! | [`probe`] | Say what random probes estimate, and whether the strategy is losing to random (with its interval). |
//! | [`project`] | Save a session as a versioned project file and restore it, refusing bad files. |
//! | [`review`] | Rank the given labels by how much out-of-fold models disagree with them (confident learning). |
//! | [`race`] | Race strategies over seeds, summarize in plain words with a paired test; stream comparison. |

// crates/engine-browser compiles this source for the browser only; natively it is empty.
#![cfg(any(not(engine_in_browser), target_arch = "wasm32"))]

pub mod data;
pub mod export;
pub mod fraud;
pub mod metrics;
pub mod models;
pub mod names;
pub mod pca;
pub mod probe;
pub mod project;
pub mod race;
pub mod review;
pub mod session;
pub mod simulation;
pub mod stopping;
pub mod strategies;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The one random number generator of the engine: ChaCha8, identical on every platform.
pub type EngineRng = ChaCha8Rng;

/// A generator for one purpose (`stream`) of one seeded run, so that independent draws (the split,
/// the seed labels, the query of round 7) never depend on how many numbers another purpose used.
///
/// ```
/// use rand::RngCore;
/// let mut a = engine::rng(42, 7);
/// let mut b = engine::rng(42, 7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// ```
pub fn rng(seed: u64, stream: u64) -> EngineRng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

// In the browser build of this source (crates/engine-browser), `#[test]` is wasm-bindgen-test's.
#[cfg(all(test, engine_in_browser))]
#[macro_use]
extern crate browser_test;

/// Test support shared by the unit tests.
#[cfg(test)]
pub(crate) mod testing;

#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
