//! Batch mode through the worker protocol: the whole batch is asked before the model refits, its
//! picks can be answered in any order, a restore in the middle brings back the rest of the same
//! batch, and the person can ask for the refit early.

mod common;
use common::{label, respond, skip, IRIS};
use worker::{ReadAs, Request, Response, RoundView, Settings, WorkerState};

/// The engine's first batch of 5 on the Iris demo (seed 42, the settings a new project has, batch
/// size 5): the e2e batch journey checks the studio shows these rows in this order.
const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/reference/batch_iris.json"
);

fn rounds(out: &[Response]) -> Vec<RoundView> {
    out.iter()
        .filter_map(|r| match r {
            Response::Round(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn last(out: &[Response]) -> RoundView {
    rounds(out)
        .pop()
        .unwrap_or_else(|| panic!("no round in {out:?}"))
}

fn rows(round: &RoundView) -> Vec<usize> {
    round.batch.iter().map(|q| q.row).collect()
}

/// Iris opened as the studio opens a demo, then the batch size set to 5.
fn open_batch_of_5() -> (WorkerState, Settings, RoundView) {
    let mut state = WorkerState::default();
    let out = respond(
        &mut state,
        Request::Open {
            name: "Iris".into(),
            csv: IRIS.to_vec(),
            seed: 42,
        },
    );
    let Response::Opened(summary) = &out[0] else {
        panic!("{out:?}")
    };
    let settings = Settings {
        batch_size: 5,
        ..summary.settings.clone()
    };
    let out = respond(&mut state, Request::Settings(settings.clone()));
    (state, settings, last(&out))
}

#[test]
fn the_first_batch_is_the_engines_and_the_one_the_studio_shows() {
    let (_, _, round) = open_batch_of_5();
    let batch = rows(&round);
    assert_eq!(batch.len(), 5);
    assert_eq!(round.query.as_ref().map(|q| q.row), Some(batch[0]));
    let json = serde_json::json!({ "seed": 42, "batch_size": 5, "rows": batch });
    if std::env::var_os("ACTIVELAB_UPDATE_GOLDEN").is_some() {
        std::fs::write(GOLDEN, format!("{json}\n")).expect("the golden file is written");
    }
    let golden: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(GOLDEN).expect("the golden file exists"))
            .expect("the golden file is JSON");
    assert_eq!(golden, json, "regenerate with ACTIVELAB_UPDATE_GOLDEN=1");
}

#[test]
fn a_batch_is_answered_in_any_order_and_survives_a_restore() {
    let (mut state, settings, round) = open_batch_of_5();
    let batch = rows(&round);
    let labels = round.n_labels;
    let curve = round.curve.len();
    let mut log = Vec::new();
    // Two cards of the grid, then the sample on screen by its key, then a skip.
    let mut now = round;
    for (k, answer) in [
        label(batch[2], 0),
        label(batch[4], 1),
        label(batch[0], 2),
        skip(batch[1]),
    ]
    .into_iter()
    .enumerate()
    {
        let Request::Apply { event } = &answer else {
            unreachable!()
        };
        log.push(event.clone());
        now = last(&respond(&mut state, answer));
        assert_eq!(
            now.curve.len(),
            curve,
            "no refit during the batch (answer {k})"
        );
    }
    assert_eq!(
        rows(&now),
        vec![batch[3]],
        "the rest of the batch, in its order"
    );
    assert_eq!(now.n_labels, labels + 3);

    // A reload here: the page restores from the stored log and what was on screen; a stale list
    // (the whole first batch) gives the same rest, answered picks left out.
    for shown in [rows(&now), batch.clone()] {
        let mut restored = WorkerState::default();
        let out = respond(
            &mut restored,
            Request::Restore {
                name: "Iris".into(),
                csv: IRIS.to_vec(),
                settings: settings.clone(),
                events: log.clone(),
                curve: now.curve.clone(),
                shown,
                read: ReadAs::File,
            },
        );
        assert!(
            !out.iter().any(|r| matches!(r, Response::Error(_))),
            "{out:?}"
        );
        let again = last(&out);
        assert_eq!(rows(&again), vec![batch[3]]);
        assert_eq!(again.n_labels, now.n_labels);
        assert_eq!(again.history, now.history);
    }

    // The last pick answered: one refit, and a new batch of 5.
    let after = last(&respond(&mut state, label(batch[3], 0)));
    assert_eq!(after.curve.len(), curve + 1, "one refit after the batch");
    assert_eq!(after.batch.len(), 5);
    assert!(rows(&after).iter().all(|r| !batch.contains(r)));
}

#[test]
fn the_person_can_ask_for_the_refit_before_the_batch_is_answered() {
    let (mut state, _, round) = open_batch_of_5();
    let batch = rows(&round);
    let curve = round.curve.len();
    let one = last(&respond(&mut state, label(batch[1], 0)));
    assert_eq!((one.curve.len(), one.batch.len()), (curve, 4));
    let refit = last(&respond(&mut state, Request::Refit));
    assert_eq!(refit.curve.len(), curve + 1);
    assert_eq!(refit.batch.len(), 5);
    assert!(!rows(&refit).contains(&batch[1]));
}
