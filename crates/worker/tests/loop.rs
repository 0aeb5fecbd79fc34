//! Native integration tests of the whole loop: import → session → rounds → curves, and the worker
//! protocol the page speaks.

use engine::models::ModelKind;
use engine::session::SessionConfig;
use engine::simulation::run_with_oracle;
use engine::strategies::{Strategy, StrategyKind};
use worker::{Request, Response, Settings, WorkerState, BASELINE_RUNS};

mod common;
use common::{iris, label, respond as collect, skip, undo, IRIS};

#[test]
fn the_same_seed_gives_the_same_label_order_twice() {
    for strategy in [Strategy::Margin, Strategy::Random] {
        let config = SessionConfig {
            seed: 7,
            strategy,
            ..SessionConfig::default()
        };
        let a = run_with_oracle(&iris(), &config, 30).unwrap();
        let b = run_with_oracle(&iris(), &config, 30).unwrap();
        assert_eq!(a, b, "{strategy:?}");
        assert_eq!(a.order.len(), 30);
        assert_eq!(a.curve.len(), 28, "one point per round from 3 to 30 labels");
        let other = run_with_oracle(
            &iris(),
            &SessionConfig {
                seed: 8,
                ..config.clone()
            },
            30,
        )
        .unwrap();
        assert_ne!(
            a.order, other.order,
            "{strategy:?}: another seed, another order"
        );
    }
}

#[test]
fn margin_sampling_learns_iris_quickly() {
    let config = SessionConfig {
        seed: 42,
        ..SessionConfig::default()
    };
    let run = run_with_oracle(&iris(), &config, 20).unwrap();
    let last = run.curve.last().unwrap();
    assert_eq!(last.n_labels, 20);
    assert!(
        last.accuracy >= 0.9,
        "accuracy after 20 labels: {}",
        last.accuracy
    );
}

#[test]
fn worker_protocol_open_label_and_refuse() {
    let mut state = WorkerState::default();
    let early = collect(&mut state, label(0, 0));
    assert_eq!(
        early,
        vec![Response::Error(
            "No dataset is open: open one before labeling.".into()
        )]
    );

    let opened = collect(
        &mut state,
        Request::Open {
            name: "Iris".into(),
            csv: IRIS.into(),
            seed: 42,
        },
    );
    // Opened, the first round and its insight, the random baseline.
    assert_eq!(opened.len(), 4, "{opened:?}");
    let Response::Opened(summary) = &opened[0] else {
        panic!("first response: {:?}", opened[0])
    };
    assert_eq!(
        summary.class_names,
        vec!["setosa", "versicolor", "virginica"]
    );
    assert_eq!((summary.n_pool, summary.n_test), (105, 45));
    let Response::Round(round) = &opened[1] else {
        panic!("second response: {:?}", opened[1])
    };
    assert_eq!(round.n_labels, 3);
    assert_eq!(round.curve.len(), 1);
    let query = round.query.clone().unwrap();
    assert_eq!(query.features.len(), 4);
    assert!(
        round.insight_follows && matches!(opened[2], Response::Insight(_)),
        "the round's insight comes right after it: {:?}",
        opened[2]
    );
    let Response::Baseline(baseline) = &opened[3] else {
        panic!("fourth response: {:?}", opened[3])
    };
    assert_eq!(baseline.runs, BASELINE_RUNS);
    assert_eq!(baseline.curve.first().map(|p| p.n_labels), Some(3));
    assert_eq!(
        baseline.curve.len(),
        105 - 3 + 1,
        "random runs until the pool is empty"
    );

    let next = collect(&mut state, label(query.row, query.known_label.unwrap()));
    let [Response::Round(after), Response::Insight(_)] = next.as_slice() else {
        panic!("{next:?}")
    };
    assert_eq!(after.n_labels, 4);
    assert_eq!(after.curve.len(), 2);
    assert_ne!(after.query.as_ref().unwrap().row, query.row);

    let again = collect(&mut state, label(query.row, 0));
    assert_eq!(
        again,
        vec![Response::Refused(format!(
            "That answer was not recorded: row {} is already labeled",
            query.row
        ))]
    );
}

#[test]
fn worker_reports_bad_csv_clearly() {
    let mut state = WorkerState::default();
    let out = collect(
        &mut state,
        Request::Open {
            name: "broken.csv".into(),
            csv: "a,b,label\n1,2,x\n1,2\n".into(),
            seed: 1,
        },
    );
    assert_eq!(
        out,
        vec![Response::Error(
            "Could not open broken.csv: line 3 has 2 fields but the header has 3: every row needs the same number of fields (a value containing ',' must be in double quotes)".into()
        )]
    );
}

/// The golden run: margin sampling on Iris, seed 42, 25 labels. Native and wasm (tests/browser.rs)
/// must both reproduce it, so a session replays identically in the browser and in the CLI.
/// Regenerate with `ACTIVELAB_UPDATE_GOLDEN=1 cargo test --test loop golden`.
#[test]
fn golden_run_is_reproduced_natively() {
    let config = SessionConfig {
        seed: 42,
        ..SessionConfig::default()
    };
    let run = run_with_oracle(&iris(), &config, 25).unwrap();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/reference/golden_run.json"
    );
    if std::env::var_os("ACTIVELAB_UPDATE_GOLDEN").is_some() {
        std::fs::write(path, serde_json::to_string_pretty(&run).unwrap() + "\n").unwrap();
    }
    let golden: engine::simulation::Run =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(run.order, golden.order);
    for (a, b) in run.curve.iter().zip(&golden.curve) {
        assert_eq!(a.n_labels, b.n_labels);
        assert!((a.accuracy - b.accuracy).abs() < 1e-12, "{a:?} vs {b:?}");
    }
    assert_eq!(run.curve.len(), golden.curve.len());
}

#[test]
fn uncertainty_sampling_beats_random_on_a_separable_synthetic_set() {
    use engine::data::synthetic::blobs;
    use engine::simulation::{aulc_summary, run, RunOptions};
    let data = blobs(600, 5, 4, 0.35, &mut engine::rng(11, 0)).unwrap();
    let options = RunOptions {
        budget: 30,
        noise: 0.0,
    };
    let aulc = |strategy| {
        let runs: Vec<_> = (0..8)
            .map(|seed| {
                let config = SessionConfig {
                    seed,
                    strategy,
                    ..SessionConfig::default()
                };
                run(&data, &config, None, options).unwrap()
            })
            .collect();
        aulc_summary(&runs).0
    };
    let (margin, random) = (aulc(Strategy::Margin), aulc(Strategy::Random));
    assert!(margin > random, "margin AULC {margin} vs random {random}");
}

#[test]
fn worker_skip_undo_and_configure() {
    let mut state = WorkerState::default();
    let opened = collect(
        &mut state,
        Request::Open {
            name: "Iris".into(),
            csv: IRIS.into(),
            seed: 42,
        },
    );
    let (Response::Opened(opened_summary), Response::Round(first)) = (&opened[0], &opened[1])
    else {
        panic!("{opened:?}")
    };
    assert!(!first.can_undo, "seed labels cannot be undone");
    let row = first.query.as_ref().unwrap().row;
    let skipped = collect(&mut state, skip(row));
    let [Response::Round(after_skip), Response::Insight(_)] = skipped.as_slice() else {
        panic!("{skipped:?}")
    };
    assert_eq!((after_skip.skipped, after_skip.n_labels), (1, 3));
    assert!(after_skip.can_undo);
    assert_ne!(after_skip.query.as_ref().unwrap().row, row);
    let undone = collect(&mut state, undo());
    let [Response::Round(after_undo), Response::Insight(_)] = undone.as_slice() else {
        panic!("{undone:?}")
    };
    assert_eq!(after_undo.query.as_ref().unwrap().row, row);
    assert_eq!(after_undo.curve.len(), 1, "one point per label count");
    let configured = collect(
        &mut state,
        Request::Settings(Settings {
            strategy: StrategyKind::Entropy,
            model: ModelKind::Knn,
            ..opened_summary.settings.clone()
        }),
    );
    let Response::Configured(summary) = &configured[0] else {
        panic!("{configured:?}")
    };
    assert_eq!(
        (summary.settings.strategy, summary.settings.model),
        (StrategyKind::Entropy, ModelKind::Knn)
    );
    assert!(matches!(configured[1], Response::Round(_)));
    // A strategy the engine does not have cannot be asked for: the request names kinds, and a
    // stored name the engine does not know is refused when read (engine::project's tests).
    let bad = collect(
        &mut state,
        Request::Settings(Settings {
            probe_share: 0.9,
            ..opened_summary.settings.clone()
        }),
    );
    assert!(
        matches!(bad.as_slice(), [Response::Error(m)] if m.starts_with("The settings were not changed: ")),
        "{bad:?}"
    );
}
