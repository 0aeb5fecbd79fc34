//! The benches' workload, one definition for the native bench (`benches/engine.rs`) and the wasm
//! bench (`crates/engine-browser/tests/bench_wasm.rs`), which both include this file, so that
//! both time the same rows, labels and session.
//!
//! `blobs(n, 50, 10, 1.5, rng(42, 0))`; rows `0..LABELED` are the labeled rows (balanced: blobs
//! assigns the classes round-robin), rows `LABELED..n` the pool; the previous round had the labels
//! of rows `0..PREVIOUS`.

// Each bench uses its own part of this file.
#![allow(dead_code)]

use engine::data::split::Split;
use engine::data::synthetic::blobs;
use engine::data::Dataset;
use engine::models::logistic::LogisticParams;
use engine::models::ModelSpec;
use engine::session::{Event, Origin, Session, SessionConfig};
use engine::strategies::Strategy;

/// Seed of the data (stream 0) and of the query draws (stream 1).
pub const SEED: u64 = 42;
pub const N_FEATURES: usize = 50;
pub const N_CLASSES: usize = 10;
pub const SPREAD: f64 = 1.5;
/// Labeled rows this round (rows `0..LABELED`).
pub const LABELED: usize = 500;
/// Labeled rows the previous round (rows `0..PREVIOUS`): its model is the warm start.
pub const PREVIOUS: usize = 490;
/// Rows picked per round.
pub const BATCH: usize = 10;

/// The workload's first `n` rows (the draws are sequential, so every size shares its first
/// rows), and every row's class.
pub fn data(n: usize) -> (Dataset, Vec<usize>) {
    let data = blobs(n, N_FEATURES, N_CLASSES, SPREAD, &mut engine::rng(SEED, 0))
        .expect("the synthetic blobs are valid");
    let y = data
        .known_labels
        .iter()
        .map(|l| l.expect("blobs label every row"))
        .collect();
    (data, y)
}

/// A session over `data` (classes `y`) holding rows `0..LABELED` as labels, whose warm model was
/// fitted on `0..PREVIOUS` (a round ran after the first `PREVIOUS` labels): margin sampling,
/// logistic regression, batches of `BATCH`. The pool is every row, no test split.
pub fn session(data: Dataset, y: &[usize]) -> Session {
    let config = SessionConfig {
        seed: SEED,
        strategy: Strategy::Margin,
        model: ModelSpec::Logistic(LogisticParams::default()),
        batch_size: BATCH,
        ..SessionConfig::default()
    };
    let split = Split {
        pool: (0..data.n_rows()).collect(),
        test: Vec::new(),
    };
    let mut s = Session::with_split(data, config, split).expect("a valid session");
    let label = |s: &mut Session, row: usize| {
        s.apply(Event::Label {
            row,
            class: y[row],
            origin: Origin::Oracle,
        })
        .expect("a pool row, labeled once");
    };
    for row in 0..PREVIOUS {
        label(&mut s, row);
    }
    s.round().expect("the round with PREVIOUS labels runs");
    for row in PREVIOUS..LABELED {
        label(&mut s, row);
    }
    s
}
