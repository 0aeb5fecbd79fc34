//! The worker protocol behind "nothing lost": events applied one by one (refusals leave the
//! session unchanged), a restore from the stored log reaching the same state and the same sample,
//! relabels and added classes, settings changed mid-session, and batch mode.

use activelab::engine::session::{ColdStart, Event, Origin};
use activelab::worker::{
    ExportKind, QueryView, Request, Response, RoundView, Settings, WorkerState,
};

const IRIS: &[u8] = include_bytes!("../public/datasets/iris.csv");

fn collect(state: &mut WorkerState, request: Request) -> Vec<Response> {
    let mut out = Vec::new();
    state.handle(request, &mut |r| out.push(r));
    out
}

fn last_round(responses: &[Response]) -> RoundView {
    responses
        .iter()
        .rev()
        .find_map(|r| match r {
            Response::Round(round) => Some(round.clone()),
            _ => None,
        })
        .expect("a round")
}

fn query(round: &RoundView) -> QueryView {
    round.query.clone().expect("a query")
}

fn opened_settings(responses: &[Response]) -> Settings {
    responses
        .iter()
        .find_map(|r| match r {
            Response::Opened(s) | Response::Configured(s) => Some(s.settings.clone()),
            _ => None,
        })
        .expect("a summary")
}

fn open() -> (WorkerState, RoundView) {
    let mut state = WorkerState::default();
    let out = collect(
        &mut state,
        Request::Open {
            name: "Iris".into(),
            csv: IRIS.to_vec(),
            seed: 42,
        },
    );
    (state, last_round(&out))
}

fn label(state: &mut WorkerState, round: &RoundView, class: usize) -> (Event, RoundView) {
    let event = Event::Label {
        row: query(round).row,
        class,
        origin: Origin::User,
    };
    let out = collect(
        state,
        Request::Apply {
            event: event.clone(),
        },
    );
    (event, last_round(&out))
}

#[test]
fn a_restore_from_the_log_gives_the_same_state_and_sample() {
    let (mut state, mut round) = open();
    let mut log = Vec::new();
    for i in 0..8 {
        let (event, next) = label(&mut state, &round, i % 3);
        log.push(event);
        round = next;
    }
    let relabel = Event::Relabel {
        row: round.history.last().unwrap().row,
        class: 0,
    };
    log.push(relabel.clone());
    let relabeled = last_round(&collect(&mut state, Request::Apply { event: relabel }));
    assert!(relabeled.history.last().unwrap().relabeled);
    assert_eq!(relabeled.history.last().unwrap().class, 0);
    let add = Event::AddClass {
        name: "unsure".into(),
    };
    log.push(add.clone());
    let out = collect(&mut state, Request::Apply { event: add });
    let summary = out
        .iter()
        .find_map(|r| match r {
            Response::Configured(s) => Some(s.clone()),
            _ => None,
        })
        .expect("the new class list");
    assert_eq!(summary.class_names.len(), 4);
    assert_eq!(summary.class_names[3], "unsure");
    round = last_round(&out);

    let mut restored = WorkerState::default();
    let out = collect(
        &mut restored,
        Request::Restore {
            name: "Iris".into(),
            csv: IRIS.to_vec(),
            settings: Settings {
                seed: 42,
                ..Settings::default()
            },
            events: log,
            curve: round.curve.clone(),
            query_row: Some(query(&round).row),
        },
    );
    assert!(
        !out.iter().any(|r| matches!(r, Response::Error(_))),
        "{out:?}"
    );
    let again = last_round(&out);
    assert_eq!(again.n_labels, round.n_labels);
    assert_eq!(again.history, round.history);
    assert_eq!(query(&again).row, query(&round).row);
    assert_eq!(again.curve, round.curve);
}

#[test]
fn a_refused_event_changes_nothing() {
    let (mut state, round) = open();
    let (_, round) = label(&mut state, &round, 0);
    let labeled = round.history.last().unwrap().row;
    let out = collect(
        &mut state,
        Request::Apply {
            event: Event::Label {
                row: labeled,
                class: 1,
                origin: Origin::User,
            },
        },
    );
    assert!(
        matches!(&out[..], [Response::Refused(m)] if m.contains("already labeled")),
        "{out:?}"
    );
    let out = collect(&mut state, Request::Apply { event: Event::Undo });
    assert_eq!(last_round(&out).n_labels, round.n_labels - 1);
}

#[test]
fn batch_mode_asks_the_whole_batch_before_refitting_and_settings_keep_labels() {
    let (mut state, round) = open();
    let n = round.n_labels;
    let base = Settings {
        seed: 42,
        ..Settings::default()
    };
    let out = collect(
        &mut state,
        Request::Settings(Settings {
            batch_size: 4,
            probe_share: 0.2,
            cold_start: ColdStart::Random,
            ..base.clone()
        }),
    );
    let summary = out
        .iter()
        .find_map(|r| match r {
            Response::Configured(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(summary.settings.batch_size, 4);
    assert_eq!(summary.settings.probe_share, 0.2);
    let mut round = last_round(&out);
    assert_eq!(round.n_labels, n, "settings keep the labels");
    assert_eq!(round.batch.len(), 4, "the query and 3 more");
    let batch: Vec<usize> = round.batch.iter().map(|q| q.row).collect();
    assert_eq!(batch[0], query(&round).row);
    let curve_len = round.curve.len();
    for (i, row) in batch.iter().enumerate() {
        assert_eq!(query(&round).row, *row, "pick {i} of the batch");
        let (_, next) = label(&mut state, &round, 1);
        round = next;
    }
    assert_eq!(round.n_labels, n + 4);
    assert_eq!(
        round.curve.len(),
        curve_len + 1,
        "one refit after the batch"
    );

    let out = collect(
        &mut state,
        Request::Settings(Settings {
            seed: 7,
            ..base.clone()
        }),
    );
    assert!(
        matches!(&out[..], [Response::Error(m)] if m.contains("seed")),
        "{out:?}"
    );
    let out = collect(
        &mut state,
        Request::Settings(Settings {
            probe_share: 0.9,
            ..base
        }),
    );
    assert!(
        matches!(&out[..], [Response::Error(m)] if m.contains("0.9")),
        "{out:?}"
    );
    assert_eq!(
        opened_settings(&[Response::Configured(summary)]).batch_size,
        4
    );
}

#[test]
fn an_exported_project_imports_into_a_fresh_worker_with_the_same_state() {
    let (mut state, mut round) = open();
    for i in 0..5 {
        round = label(&mut state, &round, i % 3).1;
    }
    for bundled in [None, Some("iris.csv".to_string())] {
        let out = collect(
            &mut state,
            Request::ExportProject {
                name: "My iris".into(),
                created_ms: 1,
                updated_ms: 2,
                bundled: bundled.clone(),
            },
        );
        let [Response::Export(file)] = &out[..] else {
            panic!("{out:?}")
        };
        assert_eq!(file.file_name, "My_iris.activelab.json");
        let mut fresh = WorkerState::default();
        let request = |data: Option<Vec<u8>>| Request::ImportProject {
            file_name: file.file_name.clone(),
            bytes: file.text.clone().into_bytes(),
            bundled: data,
        };
        let mut out = collect(&mut fresh, request(None));
        if bundled.is_some() {
            assert_eq!(
                out,
                vec![Response::NeedsBundled {
                    file: "iris.csv".into()
                }]
            );
            out = collect(&mut fresh, request(Some(IRIS.to_vec())));
        }
        let imported = out
            .iter()
            .find_map(|r| match r {
                Response::ProjectImported(p) => Some(p.clone()),
                _ => None,
            })
            .expect("imported");
        assert_eq!(imported.name, "My iris");
        assert_eq!(
            imported.events.len(),
            5,
            "the seed labels are made again on open"
        );
        assert_eq!(imported.bundled, bundled);
        let again = last_round(&out);
        assert_eq!(again.history, round.history);
        assert_eq!(query(&again).row, query(&round).row);
    }
    // A damaged file is refused whole, with a message.
    let mut fresh = WorkerState::default();
    let out = collect(
        &mut fresh,
        Request::ImportProject {
            file_name: "x.json".into(),
            bytes: br#"{"format": "activelab-project", "version": 9}"#.to_vec(),
            bundled: None,
        },
    );
    assert!(
        matches!(&out[..], [Response::Error(m)] if m.starts_with("x.json was not imported: this project was written by a newer activelab")),
        "{out:?}"
    );
}

#[test]
fn labels_and_the_model_export_from_the_worker() {
    let csv = "id,height,note,kind\n1,150,=SUM(A1),small\n2,190,ok,large\n3,151,,\n4,189,@home,\n5,152,-x,\n";
    let mut state = WorkerState::default();
    let out = collect(
        &mut state,
        Request::Open {
            name: "mine.csv".into(),
            csv: csv.as_bytes().to_vec(),
            seed: 1,
        },
    );
    let mut round = last_round(&out);
    let asked = query(&round).row;
    round = label(&mut state, &round, 1).1;
    assert!(round.history.iter().any(|h| h.row == asked));
    let export = |state: &mut WorkerState, kind| match &collect(state, Request::Export(kind))[..] {
        [Response::Export(file)] => file.clone(),
        other => panic!("{other:?}"),
    };
    let file = export(&mut state, ExportKind::LabelsCsv);
    assert_eq!(file.file_name, "mine-labels.csv");
    let lines: Vec<&str> = file.text.lines().collect();
    assert_eq!(lines.len(), 6, "{}", file.text);
    assert!(
        lines[1].contains("'=SUM(A1)"),
        "formula neutralised: {}",
        lines[1]
    );
    assert!(file.text.contains("'@home"));
    assert!(
        lines[1 + asked].ends_with(",small"),
        "row {asked} labeled as class 1 = small: {}",
        file.text
    );
    let jsonl = export(&mut state, ExportKind::LabelsJsonl);
    assert!(jsonl.text.lines().count() >= 3, "{}", jsonl.text);
    let model = export(&mut state, ExportKind::ModelJson);
    let v: serde_json::Value = serde_json::from_str(&model.text).unwrap();
    assert!(v.is_object());
}
