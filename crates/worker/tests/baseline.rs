//! The random baseline runs off the labeling path: deferred, it waits for the caller's background
//! steps and arrives run by run; on a large file it runs on a sample and says so.

mod common;

use common::{label, respond, IRIS};
use engine::data::synthetic::blobs;
use worker::baseline::{BASELINE_POOL_ROWS, BASELINE_TEST_ROWS};
use worker::{BaselineView, Request, Response, WorkerState, BASELINE_RUNS};

fn open_iris() -> Request {
    Request::Open {
        name: "Iris".into(),
        csv: IRIS.into(),
        seed: 42,
    }
}

fn baselines(responses: &[Response]) -> Vec<BaselineView> {
    responses
        .iter()
        .filter_map(|r| match r {
            Response::Baseline(b) => Some(b.clone()),
            _ => None,
        })
        .collect()
}

/// Background steps until none is left, with everything they emit.
fn drain(state: &mut WorkerState) -> (usize, Vec<Response>) {
    let mut out = Vec::new();
    let mut steps = 0;
    while state.has_background_work() {
        state.background_step(&mut |r| out.push(r));
        steps += 1;
        assert!(steps < 10_000, "the baseline never finishes");
    }
    (steps, out)
}

#[test]
fn a_deferred_baseline_never_delays_an_answer_and_ends_where_the_direct_one_does() {
    let mut direct = WorkerState::default();
    let whole = baselines(&respond(&mut direct, open_iris()));
    assert_eq!(whole.len(), 1, "without deferral it arrives once, complete");
    assert_eq!(whole[0].runs, BASELINE_RUNS);

    let mut state = WorkerState::default();
    state.defer_background_work();
    let opened = respond(&mut state, open_iris());
    assert!(
        baselines(&opened).is_empty(),
        "no baseline work before the first answer: {opened:?}"
    );
    assert!(state.has_background_work());

    // The person answers before any background step: the answer comes at once, no baseline.
    let Some(Response::Round(round)) = opened.iter().find(|r| matches!(r, Response::Round(_)))
    else {
        panic!("{opened:?}")
    };
    let query = round.query.clone().unwrap();
    let next = respond(&mut state, label(query.row, query.known_label.unwrap()));
    assert!(baselines(&next).is_empty(), "{next:?}");

    let (steps, out) = drain(&mut state);
    let runs = baselines(&out);
    assert_eq!(
        runs.iter().map(|b| b.runs).collect::<Vec<_>>(),
        (1..=BASELINE_RUNS).collect::<Vec<_>>(),
        "one view per finished run, the mean so far"
    );
    assert!(
        steps as u64 >= BASELINE_RUNS * 100,
        "a step is one round, not a whole run: {steps} steps"
    );
    assert_eq!(
        runs.last().unwrap(),
        &whole[0],
        "the same seed gives the same baseline, stepped or not"
    );
    assert_eq!((whole[0].pool_rows, whole[0].test_rows), (105, 45));
}

#[test]
fn on_a_large_file_the_baseline_runs_on_a_sample_and_says_so() {
    let data = blobs(20_000, 4, 3, 0.8, &mut engine::rng(7, 0)).unwrap();
    let mut csv = String::from("x0,x1,x2,x3,label\n");
    for (row, y) in data.features.rows().into_iter().zip(&data.known_labels) {
        for v in row {
            csv.push_str(&format!("{v:.4},"));
        }
        csv.push_str(&format!("c{}\n", y.unwrap()));
    }
    let mut state = WorkerState::default();
    state.defer_background_work();
    let opened = respond(
        &mut state,
        Request::Open {
            name: "blobs.csv".into(),
            csv: csv.into_bytes(),
            seed: 3,
        },
    );
    let Some(Response::Opened(summary)) = opened.first() else {
        panic!("{opened:?}")
    };
    assert!(summary.n_pool > BASELINE_POOL_ROWS && summary.n_test > BASELINE_TEST_ROWS);
    let (_, out) = drain(&mut state);
    let last = baselines(&out).pop().expect("a baseline");
    assert_eq!(last.runs, BASELINE_RUNS);
    assert_eq!(
        (last.pool_rows, last.test_rows),
        (BASELINE_POOL_ROWS, BASELINE_TEST_ROWS)
    );
    assert!(last.curve.len() > 100, "{}", last.curve.len());
    let end = last.curve.last().unwrap().accuracy;
    assert!(end > 0.5, "random sampling learns separable blobs: {end}");
}
