//! The worker protocol behind "nothing lost": events applied one by one (refusals leave the
//! session unchanged), a restore from the stored log reaching the same state and the same sample,
//! relabels and added classes, settings changed mid-session, and batch mode.

use engine::data::image::DecodedImage;
use engine::data::preview::Mapping;
use engine::data::SkippedFile;
use engine::session::{ColdStart, Event, Origin};
use worker::stored::pack_images;
use worker::{
    warm_up, Content, ExportFile, ExportKind, QueryView, ReadAs, Request, Response, RoundView,
    Settings, WorkerState, IMAGES_HAVE_NO_TABLE, IMAGES_NOT_IN_PROJECT_FILES, WARM_UP_LABELS,
};

mod common;
use common::{respond as collect, IRIS};

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

/// The file an export request answers with.
fn export(state: &mut WorkerState, kind: ExportKind) -> ExportFile {
    match &collect(state, Request::Export(kind))[..] {
        [Response::Export(file)] => file.clone(),
        other => panic!("{other:?}"),
    }
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

/// The warm-up (issue 6) runs the code of real rounds, answers nothing, and leaves no trace: what
/// a worker does after it is what a fresh worker does, with or without a dataset open.
#[test]
fn a_warm_up_runs_real_rounds_answers_nothing_and_changes_nothing() {
    let [import, numbers, texts] = warm_up();
    // The import has no seed labels; a demo starts with one per class (three here).
    for (run, labels) in [
        (import, WARM_UP_LABELS),
        (numbers, WARM_UP_LABELS + 3),
        (texts, WARM_UP_LABELS + 3),
    ] {
        assert_eq!(run.labels, labels, "every warm-up label was taken: {run:?}");
        assert!(run.classes >= 2, "the rounds fitted a model: {run:?}");
    }
    // Text datasets get no random baseline (`WorkerState::start`).
    assert!(
        !import.baseline && numbers.baseline && !texts.baseline,
        "{numbers:?} {texts:?}"
    );
    assert!(!import.text && !numbers.text && texts.text, "{texts:?}");

    let iris = Request::Open {
        name: "Iris".into(),
        csv: IRIS.to_vec(),
        seed: 42,
    };
    let mut warmed = WorkerState::default();
    assert_eq!(collect(&mut warmed, Request::WarmUp), []);
    let fresh = collect(&mut WorkerState::default(), iris.clone());
    assert_eq!(collect(&mut warmed, iris), fresh);

    let (mut a, round) = open();
    let (mut b, _) = open();
    assert_eq!(collect(&mut a, Request::WarmUp), []);
    assert_eq!(label(&mut a, &round, 1), label(&mut b, &round, 1));
    assert_eq!(
        collect(&mut a, Request::Export(ExportKind::LabelsCsv)),
        collect(&mut b, Request::Export(ExportKind::LabelsCsv))
    );
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
            shown: vec![query(&round).row],
            read: ReadAs::File,
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

// ---- Sessions opened through the mapping step or from an image folder restore as they were ----

const PLANTS: &[u8] = include_bytes!("../../../tests/fixtures/journey/plants.csv");

/// The mapping the journey (tests/e2e/journey.test.mjs) chooses for `plants.csv`.
fn plants_mapping() -> Mapping {
    Mapping {
        label: None,
        text: None,
        id: Some("plant_id".into()),
        ignore: vec!["note".into()],
        classes: vec!["tall".into(), "short".into()],
    }
}

/// The truth of plants.csv, by the rule it was written with: a plant over 80 (cm) is tall.
fn plants_truth() -> Vec<&'static str> {
    std::str::from_utf8(PLANTS)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| {
            let height: f64 = line.split(',').nth(1).unwrap().parse().unwrap();
            if height > 80.0 {
                "tall"
            } else {
                "short"
            }
        })
        .collect()
}

fn class_names(responses: &[Response]) -> Vec<String> {
    responses
        .iter()
        .find_map(|r| match r {
            Response::Opened(s) => Some(s.class_names.clone()),
            _ => None,
        })
        .expect("a summary")
}

fn no_errors(out: &[Response]) {
    assert!(
        !out.iter().any(|r| matches!(r, Response::Error(_))),
        "{out:?}"
    );
}

/// Label the sample on screen with its true class (or, when `slip`, the other one).
fn label_truth(
    state: &mut WorkerState,
    round: &RoundView,
    names: &[String],
    slip: bool,
) -> (Event, RoundView) {
    let truth = plants_truth()[query(round).row];
    let class = names.iter().position(|n| n == truth).unwrap();
    label(state, round, if slip { 1 - class } else { class })
}

fn apply(state: &mut WorkerState, event: Event) -> RoundView {
    let out = collect(state, Request::Apply { event });
    no_errors(&out);
    last_round(&out)
}

/// The plants file opened with its mapping (seed 42): its class names and the responses.
fn open_plants(state: &mut WorkerState) -> (Vec<String>, Vec<Response>) {
    let out = collect(
        state,
        Request::OpenWith {
            name: "plants.csv".into(),
            bytes: PLANTS.to_vec(),
            mapping: plants_mapping(),
            seed: 42,
        },
    );
    no_errors(&out);
    (class_names(&out), out)
}

#[test]
fn a_mapped_session_restores_from_its_log_with_its_mapping() {
    let mut state = WorkerState::default();
    let (names, out) = open_plants(&mut state);
    let mut round = last_round(&out);
    let mut log = Vec::new();
    for i in 0..7 {
        let (event, next) = label_truth(&mut state, &round, &names, i == 2);
        log.push(event);
        round = next;
    }
    log.push(Event::Undo);
    round = apply(&mut state, Event::Undo);
    let slipped = round.history[2].row;
    let fix = Event::Relabel {
        row: slipped,
        class: 1 - round.history[2].class,
    };
    log.push(fix.clone());
    round = apply(&mut state, fix);

    let restore = |read: ReadAs| Request::Restore {
        name: "plants.csv".into(),
        csv: PLANTS.to_vec(),
        settings: Settings {
            seed: 42,
            ..Settings::default()
        },
        events: log.clone(),
        curve: round.curve.clone(),
        shown: vec![query(&round).row],
        read,
    };
    let mut restored = WorkerState::default();
    let out = collect(
        &mut restored,
        restore(ReadAs::Mapped {
            mapping: plants_mapping(),
        }),
    );
    no_errors(&out);
    assert_eq!(class_names(&out), names);
    let again = last_round(&out);
    assert_eq!(again.n_labels, 6);
    assert_eq!(again.history, round.history);
    assert_eq!(again.curve, round.curve);
    assert_eq!(query(&again).row, query(&round).row);
    assert_eq!(query(&again).row_id, query(&round).row_id);
    // The browser's worker restores a stored project from its blob: the data is the upload
    // (attached, never copied into the worker) and the request carries no bytes. Same session,
    // and the exports read the file from the upload.
    let mut from_blob = WorkerState::default();
    from_blob
        .attach(vec![("plants.csv".into(), Content::bytes(PLANTS.to_vec()))])
        .expect("attached");
    let mut request = restore(ReadAs::Mapped {
        mapping: plants_mapping(),
    });
    if let Request::Restore { csv, .. } = &mut request {
        csv.clear();
    }
    let out = collect(&mut from_blob, request.clone());
    no_errors(&out);
    let blob_round = last_round(&out);
    assert_eq!(blob_round.history, again.history);
    assert_eq!(query(&blob_round).row, query(&again).row);
    let exported = collect(&mut from_blob, Request::Export(ExportKind::LabelsCsv));
    let bytes_export = collect(&mut restored, Request::Export(ExportKind::LabelsCsv));
    assert_eq!(exported, bytes_export);
    assert!(
        matches!(&exported[..], [Response::Export(ExportFile { text, .. })] if text.contains("label"))
    );
    // Without the upload it says what is missing.
    let out = collect(&mut WorkerState::default(), request);
    assert!(
        matches!(&out[..], [Response::Error(e)] if e == "plants.csv is empty: it has no bytes to read."),
        "{out:?}"
    );
    // The same log read as a plain file (the old way, roles inferred) is another session.
    let out = collect(&mut WorkerState::default(), restore(ReadAs::File));
    assert!(
        out.iter().any(|r| matches!(r, Response::Error(_))) || class_names(&out) != names,
        "{out:?}"
    );
}

#[test]
fn an_image_folder_restores_from_its_stored_pixels() {
    let img = |path: String, v: u8| DecodedImage {
        path,
        width: 4,
        height: 3,
        rgba: [v, 255 - v, v / 2, 255].repeat(12),
    };
    let mut images = Vec::new();
    for i in 0..8u8 {
        images.push(img(format!("shapes/dark/d{i}.png"), 10 + 7 * i));
        images.push(img(format!("shapes/light/l{i}.png"), 240 - 9 * i));
        images.push(img(format!("shapes/x{i}.png"), 60 + 17 * i));
    }
    let skipped = vec![SkippedFile {
        path: "shapes/notes.txt".into(),
        reason: "not an image this browser can decode".into(),
    }];
    let packed = pack_images(&images, &skipped);
    let classes = vec!["grey".to_string()];
    let mut state = WorkerState::default();
    let out = collect(
        &mut state,
        Request::OpenDecodedImages {
            name: "shapes".into(),
            images,
            skipped,
            classes: classes.clone(),
            seed: 42,
        },
    );
    no_errors(&out);
    let mut round = last_round(&out);
    let mut log = Vec::new();
    for i in 0..5 {
        let (event, next) = label(&mut state, &round, i % 3);
        log.push(event);
        round = next;
    }
    let mut restored = WorkerState::default();
    let out = collect(
        &mut restored,
        Request::Restore {
            name: "shapes".into(),
            csv: packed.clone(),
            settings: Settings {
                seed: 42,
                ..Settings::default()
            },
            events: log.clone(),
            curve: round.curve.clone(),
            shown: vec![query(&round).row],
            read: ReadAs::Images {
                classes: classes.clone(),
            },
        },
    );
    no_errors(&out);
    assert_eq!(class_names(&out), ["dark", "grey", "light"]);
    let again = last_round(&out);
    assert_eq!(again.history, round.history);
    assert_eq!(query(&again).row, query(&round).row);
    assert_eq!(query(&again).display, query(&round).display);
    // An image session has no table: the project file and the labels CSV are refused with the
    // reason (they used to carry the previously opened file's data), JSON Lines has the paths.
    for state in [&mut state, &mut restored] {
        let out = collect(
            state,
            Request::ExportProject {
                name: "shapes".into(),
                created_ms: 1,
                updated_ms: 2,
                bundled: None,
            },
        );
        assert!(
            matches!(&out[..], [Response::Error(m)] if m == IMAGES_NOT_IN_PROJECT_FILES),
            "{out:?}"
        );
        let out = collect(state, Request::Export(ExportKind::LabelsCsv));
        assert!(
            matches!(&out[..], [Response::Error(m)] if m == IMAGES_HAVE_NO_TABLE),
            "{out:?}"
        );
        let out = collect(state, Request::Export(ExportKind::LabelsJsonl));
        match &out[..] {
            [Response::Export(file)] => {
                assert_eq!(file.text.lines().count(), log.len(), "{}", file.text);
                assert!(file.text.contains("\"shapes/"), "{}", file.text);
            }
            other => panic!("{other:?}"),
        }
    }
    // Damaged stored pixels are refused with a message, not a panic.
    let out = collect(
        &mut WorkerState::default(),
        Request::Restore {
            name: "shapes".into(),
            csv: packed[..packed.len() / 2].to_vec(),
            settings: Settings::default(),
            events: log,
            curve: Vec::new(),
            shown: Vec::new(),
            read: ReadAs::Images { classes },
        },
    );
    assert!(
        matches!(&out[..], [Response::Error(m)] if m.starts_with("Could not reopen the images of shapes: the stored images end early")),
        "{out:?}"
    );
}

/// The journey of tests/e2e/journey.test.mjs, run on the native engine: it is how
/// `tests/fixtures/journey/plants-labels.csv` was made and is what keeps it right. Open
/// plants.csv through the mapping step (id `plant_id`, `note` ignored, no label column, classes
/// "tall, short"), label 20 by the rule the file was written with (over 80 = tall), except the
/// 5th, given the wrong class on purpose; undo 2; set the 5th right from the history; reload
/// (a restore from the stored log); label 3 more; export the labels. The e2e test does the same
/// in the browser and compares its download with the same file byte for byte. Seeds are fixed
/// (seed 42, the page's default), so the rows asked are the same.
///
/// Set `ACTIVELAB_WRITE_JOURNEY=1` to write the file again (then check it: every label must be
/// the rule's, as asserted below).
#[test]
fn the_journey_on_the_native_engine_gives_the_expected_labels_file() {
    let mut state = WorkerState::default();
    let (names, out) = open_plants(&mut state);
    assert_eq!(names, ["short", "tall"], "keys 1 and 2");
    let mut round = last_round(&out);
    let mut log = Vec::new();
    for i in 0..20 {
        let (event, next) = label_truth(&mut state, &round, &names, i == 4);
        log.push(event);
        round = next;
    }
    for _ in 0..2 {
        log.push(Event::Undo);
        round = apply(&mut state, Event::Undo);
    }
    assert_eq!(round.n_labels, 18);
    let slipped = round.history[4].row;
    let truth = plants_truth();
    let right = names.iter().position(|n| n == truth[slipped]).unwrap();
    assert_ne!(round.history[4].class, right, "the 5th label was the slip");
    let fix = Event::Relabel {
        row: slipped,
        class: right,
    };
    log.push(fix.clone());
    round = apply(&mut state, fix);

    // The reload.
    let mut state = WorkerState::default();
    let out = collect(
        &mut state,
        Request::Restore {
            name: "plants.csv".into(),
            csv: PLANTS.to_vec(),
            settings: Settings {
                seed: 42,
                ..Settings::default()
            },
            events: log.clone(),
            curve: round.curve.clone(),
            shown: vec![query(&round).row],
            read: ReadAs::Mapped {
                mapping: plants_mapping(),
            },
        },
    );
    no_errors(&out);
    let again = last_round(&out);
    assert_eq!(query(&again).row, query(&round).row);
    round = again;
    for _ in 0..3 {
        round = label_truth(&mut state, &round, &names, false).1;
    }
    assert_eq!(round.n_labels, 21);

    let out = collect(&mut state, Request::Export(ExportKind::LabelsCsv));
    let [Response::Export(file)] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(file.file_name, "plants-labels.csv");
    // First principles: the original lines, each with the rule's label when it was labeled.
    let labeled: Vec<usize> = round.history.iter().map(|h| h.row).collect();
    let lines: Vec<&str> = file.text.lines().collect();
    assert_eq!(lines[0], "plant_id,height,leaf_width,soil,note,label");
    assert_eq!(lines.len(), truth.len() + 1);
    for (row, line) in lines[1..].iter().enumerate() {
        let label = line.rsplit(',').next().unwrap();
        let expected = if labeled.contains(&row) {
            truth[row]
        } else {
            ""
        };
        assert_eq!(label, expected, "row {row}: {line}");
    }
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/journey/plants-labels.csv"
    );
    if std::env::var_os("ACTIVELAB_WRITE_JOURNEY").is_some() {
        std::fs::write(path, &file.text).unwrap();
    }
    assert_eq!(file.text, std::fs::read_to_string(path).unwrap());

    // The project file brings the same state to a fresh worker (another machine).
    let out = collect(
        &mut state,
        Request::ExportProject {
            name: "plants.csv".into(),
            created_ms: 1,
            updated_ms: 2,
            bundled: None,
        },
    );
    let [Response::Export(project)] = &out[..] else {
        panic!("{out:?}")
    };
    assert!(project.text.contains("\"mapping\""), "the mapping travels");
    let mut fresh = WorkerState::default();
    let out = collect(
        &mut fresh,
        Request::ImportProject {
            file_name: "plants.activelab.json".into(),
            bytes: project.text.clone().into_bytes(),
            bundled: None,
        },
    );
    no_errors(&out);
    let imported = out
        .iter()
        .find_map(|r| match r {
            Response::ProjectImported(p) => Some(p.clone()),
            _ => None,
        })
        .expect("imported");
    assert_eq!(imported.mapping, Some(plants_mapping()));
    let there = last_round(&out);
    assert_eq!(there.n_labels, 21);
    assert_eq!(there.history, round.history);
    assert_eq!(query(&there).row, query(&round).row);
}

/// A file that does not open (here: one class name in the mapping) leaves the open session, its
/// file and its exports alone, and keeps the upload for another try with a better mapping.
#[test]
fn a_file_that_fails_to_open_leaves_the_open_session_and_its_upload() {
    let (mut state, _) = open();
    let before = export(&mut state, ExportKind::LabelsCsv);
    let other = b"size,colour\n1,red\n2,blue\n3,red\n".to_vec();
    let upload = vec![worker::UploadFile {
        path: "other.csv".into(),
        size: other.len() as u64,
    }];
    assert!(collect(&mut state, Request::Upload { files: upload }).is_empty());
    assert!(collect(
        &mut state,
        Request::UploadChunk {
            file: 0,
            bytes: other
        }
    )
    .is_empty());
    let open_with = |classes: &[&str]| Request::OpenWith {
        name: "other.csv".into(),
        bytes: Vec::new(),
        mapping: Mapping {
            classes: classes.iter().map(|c| c.to_string()).collect(),
            ..Mapping::default()
        },
        seed: 1,
    };
    let out = collect(&mut state, open_with(&["big"]));
    assert!(
        matches!(&out[..], [Response::Error(m)] if m.contains("name at least two classes")),
        "{out:?}"
    );
    assert_eq!(
        export(&mut state, ExportKind::LabelsCsv),
        before,
        "the open session's export is unchanged"
    );
    let out = collect(&mut state, open_with(&["big", "small"]));
    no_errors(&out);
    assert!(
        matches!(&out[0], Response::Opened(s) if s.name == "other.csv" && s.n_rows == 3),
        "{out:?}"
    );
    assert_eq!(
        export(&mut state, ExportKind::LabelsCsv).file_name,
        "other-labels.csv"
    );
}

/// A picked file that is read again when needed, and can stop being readable (changed, moved or
/// deleted on disk after it was chosen: the browser then refuses to read the `File`).
struct Vanishing {
    bytes: Vec<u8>,
    gone: std::rc::Rc<std::cell::Cell<bool>>,
}

impl engine::data::source::ByteSource for Vanishing {
    fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, String> {
        if self.gone.get() {
            return Err("NotReadableError: the file changed on disk".into());
        }
        engine::data::source::Bytes(&self.bytes).read_at(offset, buf)
    }
}

/// A worker whose upload is plants.csv as a [`Vanishing`] file, gone once `gone` is set.
fn with_vanishing_plants(gone: &std::rc::Rc<std::cell::Cell<bool>>) -> WorkerState {
    let mut state = WorkerState::default();
    let file = Vanishing {
        bytes: PLANTS.to_vec(),
        gone: gone.clone(),
    };
    state
        .attach(vec![(
            "plants.csv".into(),
            Content::source(std::rc::Rc::new(file)),
        )])
        .expect("attached");
    state
}

#[test]
fn a_file_gone_from_disk_fails_its_export_until_the_stored_copy_comes() {
    let gone = std::rc::Rc::new(std::cell::Cell::new(false));
    let mut state = with_vanishing_plants(&gone);
    let out = collect(
        &mut state,
        Request::OpenWith {
            name: "plants.csv".into(),
            bytes: Vec::new(),
            mapping: plants_mapping(),
            seed: 42,
        },
    );
    no_errors(&out);
    let round = last_round(&out);
    gone.set(true);
    let out = collect(&mut state, Request::Export(ExportKind::LabelsCsv));
    assert!(
        matches!(&out[..], [Response::Error(e)] if e == "plants.csv: the file could not be read (NotReadableError: the file changed on disk): choose it again; if it was changed, moved or deleted since it was chosen, choose it from where it is now"),
        "{out:?}"
    );
    // The page's stored copy (IndexedDB's own bytes) serves the exports from then on; a copy of
    // another file, or of another size, is not taken.
    assert!(!state.use_stored_file("other.csv", Content::bytes(PLANTS.to_vec())));
    assert!(!state.use_stored_file("plants.csv", Content::bytes(PLANTS[1..].to_vec())));
    assert!(state.use_stored_file("plants.csv", Content::bytes(PLANTS.to_vec())));
    let out = collect(&mut state, Request::Export(ExportKind::LabelsCsv));
    assert!(
        matches!(&out[..], [Response::Export(ExportFile { file_name, .. })] if file_name == "plants-labels.csv"),
        "{out:?}"
    );
    // Labeling goes on: the session holds what it needs.
    let next = apply(
        &mut state,
        Event::Label {
            row: query(&round).row,
            class: 0,
            origin: Origin::User,
        },
    );
    assert_eq!(next.n_labels, round.n_labels + 1);
    // And a file that cannot be read at all says so when it is opened.
    let mut fresh = with_vanishing_plants(&gone);
    let out = collect(
        &mut fresh,
        Request::Preview {
            name: "plants.csv".into(),
            bytes: Vec::new(),
        },
    );
    assert!(
        matches!(&out[..], [Response::Error(e)] if e.starts_with("Could not read plants.csv: the file could not be read (NotReadableError")),
        "{out:?}"
    );
}
