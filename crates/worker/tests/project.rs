//! Project files: a session survives session → project → JSON → project → session, and hostile
//! files are refused rather than half-imported. Exports are compared with expected files.
#![cfg(not(target_arch = "wasm32"))]

use engine::data::import::{parse_csv, CsvOptions};
use engine::project::{ImportSettings, Project, ProjectError, ProjectMeta, Source};
use engine::session::{Event, Origin, Session, SessionConfig};
use engine::strategies::Strategy;

mod common;
use common::IRIS;

fn iris() -> engine::data::Dataset {
    common::iris_named("iris.csv")
}

fn meta() -> ProjectMeta {
    ProjectMeta {
        app_version: "0.1.0".into(),
        name: "Iris, Tuesday".into(),
        created_ms: 1_700_000_000_000,
        updated_ms: 1_700_000_360_000,
    }
}

/// A session with every kind of event: seed labels, labels, skips, undos, relabels, an added
/// class, probe labels, and a change of strategy and probe share on the way.
fn busy_session() -> Session {
    let data = iris();
    let config = SessionConfig {
        probe_share: 0.3,
        ..SessionConfig::default()
    };
    let mut s = Session::new(data.clone(), config).unwrap();
    s.seed_one_per_class().unwrap();
    s.apply(Event::AddClass {
        name: "unsure".into(),
    })
    .unwrap();
    for k in 0..24 {
        let round = s.round().unwrap();
        let q = round.query.unwrap();
        match k % 6 {
            4 => s.apply(Event::Skip { row: q.row }).unwrap(),
            5 => s.apply(Event::Undo).unwrap(),
            _ => {
                let class = if k == 7 {
                    3
                } else {
                    data.known_labels[q.row].unwrap()
                };
                s.apply(Event::Label {
                    row: q.row,
                    class,
                    origin: q.origin(),
                })
                .unwrap();
            }
        }
        if k == 10 {
            let first_user = s.history()[3].clone();
            let class = (first_user.class + 1) % 4;
            s.apply(Event::Relabel {
                row: first_user.row,
                class,
            })
            .unwrap();
            let mut config = s.config().clone();
            config.strategy = Strategy::Entropy;
            config.probe_share = 0.5;
            s.reconfigure(config).unwrap();
        }
    }
    s
}

#[test]
fn a_session_survives_the_round_trip_through_a_project_file() {
    let mut live = busy_session();
    assert!(live.probe_estimate().is_some(), "the log has probe labels");
    assert!(live
        .log()
        .iter()
        .any(|e| matches!(e, Event::Relabel { .. })));
    let project = Project::from_session(
        &live,
        meta(),
        Source::embedded("iris.csv", IRIS.to_vec()),
        ImportSettings::tabular(),
    )
    .unwrap();
    let json = project.to_json();
    let back = Project::from_json(json.as_bytes()).unwrap();
    assert_eq!(back, project);
    assert_eq!(back.to_json(), json, "writing again gives the same bytes");
    let data = back.dataset(None).unwrap();
    let mut restored = back.replay_into(data).unwrap();
    assert_eq!(restored.log(), live.log());
    assert_eq!(restored.state(), live.state());
    assert_eq!(restored.history(), live.history());
    assert_eq!(restored.class_names(), live.class_names());
    assert_eq!(restored.config(), live.config());
    assert_eq!(restored.probe_estimate(), live.probe_estimate());
    // A session rebuilt from the same log gives exactly the same next round …
    let mut rebuilt = Session::from_log(iris(), live.config().clone(), live.log()).unwrap();
    let next = restored.round().unwrap();
    assert_eq!(next, rebuilt.round().unwrap());
    // … and the live session (warm-started all along) asks the same row, with probabilities
    // equal to the solver's tolerance.
    let live_next = live.round().unwrap();
    assert_eq!(next.probe, live_next.probe);
    let (a, b) = (next.query.unwrap(), live_next.query.unwrap());
    assert_eq!(a.row, b.row);
    for (p, q) in a.proba.iter().zip(&b.proba) {
        assert!((p - q).abs() < 1e-4, "{p} vs {q}");
    }
}

#[test]
fn a_bundled_project_needs_the_bundled_bytes() {
    let s = busy_session();
    let project = Project::from_session(
        &s,
        meta(),
        Source::Bundled {
            file: "iris.csv".into(),
        },
        ImportSettings::tabular(),
    )
    .unwrap();
    let json = project.to_json();
    assert!(json.contains(r#""source":{"type":"bundled","file":"iris.csv"}"#));
    let back = Project::from_json(json.as_bytes()).unwrap();
    assert!(matches!(
        back.dataset(None),
        Err(ProjectError::DataMissing { .. })
    ));
    let restored = back.replay_into(back.dataset(Some(IRIS)).unwrap()).unwrap();
    assert_eq!(restored.labels(), s.labels());
}

#[test]
fn a_project_for_another_dataset_is_refused() {
    let s = busy_session();
    let project = Project::from_session(
        &s,
        meta(),
        Source::Bundled {
            file: "iris.csv".into(),
        },
        ImportSettings::tabular(),
    )
    .unwrap();
    let small = parse_csv(
        b"x,y,label\n1,2,a\n2,1,b\n3,3,a\n4,1,b\n",
        &CsvOptions::named("small.csv"),
    )
    .unwrap();
    let err = project.replay_into(small).unwrap_err();
    assert!(matches!(err, ProjectError::EventOutOfRange { .. }), "{err}");
    assert!(err
        .to_string()
        .contains("the project belongs to another dataset"));
}

#[test]
fn the_format_is_documented_by_an_example() {
    let json = r#"{
      "format": "activelab-project", "version": 1, "app_version": "0.1.0", "name": "demo",
      "created_ms": 1700000000000, "updated_ms": 1700000360000,
      "source": {"type": "bundled", "file": "iris.csv"},
      "import": {"kind": "tabular", "label_column": "species", "text_column": null,
                 "id_column": null, "ignore": []},
      "settings": {"strategy": "margin", "model": "logistic", "batch_size": 1,
                   "batch_diversity": null, "batch_factor": 10, "cold_start": "KMeansPlusPlus",
                   "probe_share": 0.1, "seed": 42, "test_fraction": 0.3},
      "events": [
        {"Label": {"row": 4, "class": 0, "origin": "User"}},
        {"Skip": {"row": 7}},
        "Undo",
        {"AddClass": {"name": "unsure"}},
        {"Label": {"row": 11, "class": 3, "origin": {"Probe": {"predicted": 1}}}},
        {"Relabel": {"row": 11, "class": 2}}
      ]
    }"#;
    let p = Project::from_json(json.as_bytes()).unwrap();
    assert_eq!(p.events.len(), 6);
    assert_eq!(p.import.label_column.as_deref(), Some("species"));
    p.check_against(150, 3).unwrap();
    assert!(p.check_against(11, 3).is_err());
    let s = p.replay_into(iris()).unwrap();
    assert_eq!(s.labels().len(), 2);
    assert_eq!(s.class_names()[3], "unsure");
    assert_eq!(s.history()[1].origin, Origin::Probe { predicted: 1 });
}

// ---- export ------------------------------------------------------------------------------

mod export {
    use engine::data::import::{parse_csv, parse_jsonl, CsvOptions};
    use engine::export::{
        label_names, labels_csv, labels_jsonl, model_json, ExportError, LabelLine, ModelJson,
    };
    use engine::models::ModelSpec;
    use engine::session::{Event, Origin, Session, SessionConfig};
    use std::collections::BTreeMap;

    const MESSY: &[u8] = include_bytes!("../../../tests/fixtures/export/messy.csv");

    fn labels(pairs: &[(usize, &str)]) -> BTreeMap<usize, String> {
        pairs.iter().map(|&(r, l)| (r, l.to_string())).collect()
    }

    #[test]
    fn the_labels_csv_matches_the_expected_file_byte_for_byte() {
        let options = CsvOptions {
            id_column: Some("id".into()),
            ..CsvOptions::named("messy.csv")
        };
        let data = parse_csv(MESSY, &options).unwrap();
        assert_eq!(data.n_rows(), 5);
        let csv = labels_csv(
            MESSY,
            &data.report,
            &labels(&[(1, "dog"), (3, "=evil"), (4, "-1")]),
        )
        .unwrap();
        let expected = include_str!("../../../tests/fixtures/export/messy.labels.csv");
        assert_eq!(csv, expected);
        // The export reads back as the same table plus the label column.
        let again = parse_csv(
            csv.as_bytes(),
            &CsvOptions {
                label_column: Some("label_activelab".into()),
                ignore: vec!["label".into()],
                ..options
            },
        )
        .unwrap();
        assert_eq!(again.n_rows(), 5);
        assert_eq!(again.row_ids, data.row_ids);
        assert_eq!(again.class_names, ["'=evil", "-1", "dog"]);
    }

    #[test]
    fn a_file_without_a_header_gets_no_header() {
        let file = include_bytes!("../../../tests/fixtures/export/headerless.csv");
        let data = parse_csv(file, &CsvOptions::named("h.csv")).unwrap();
        assert!(!data.report.header_detected);
        let csv = labels_csv(file, &data.report, &labels(&[(0, "a"), (2, "+b")])).unwrap();
        assert_eq!(
            csv,
            "5.1;3,5;setosa;a\n-4,9;3,0;setosa;\n1;2,0;'=virginica;'+b\n"
        );
    }

    #[test]
    fn export_refuses_what_does_not_fit() {
        let data = parse_csv(MESSY, &CsvOptions::named("messy.csv")).unwrap();
        assert_eq!(
            labels_csv(MESSY, &data.report, &labels(&[(5, "x")])),
            Err(ExportError::RowOutOfRange { row: 5, n_rows: 5 })
        );
        let other = b"id,note,x,label\na,b,1,c\n";
        assert_eq!(
            labels_csv(other, &data.report, &BTreeMap::new()).unwrap_err().to_string(),
            "the original file has 1 data rows but the dataset has 5: is it the file the data was imported from?"
        );
        let jsonl = parse_jsonl(
            b"{\"x\":1,\"label\":\"a\"}\n{\"x\":2,\"label\":\"b\"}\n",
            &CsvOptions::named("j.jsonl"),
        )
        .unwrap();
        assert_eq!(
            labels_csv(b"", &jsonl.report, &BTreeMap::new()),
            Err(ExportError::NotCsv)
        );
    }

    fn labeled_iris(model: ModelSpec) -> Session {
        let data = super::iris();
        let config = SessionConfig {
            model,
            ..SessionConfig::default()
        };
        let mut s = Session::new(data.clone(), config).unwrap();
        s.seed_one_per_class().unwrap();
        s.apply(Event::AddClass {
            name: "hybrid".into(),
        })
        .unwrap();
        for k in 0..6 {
            let q = s.round().unwrap().query.unwrap();
            let origin = if k == 2 {
                Origin::Probe { predicted: 1 }
            } else {
                Origin::User
            };
            s.apply(Event::Label {
                row: q.row,
                class: data.known_labels[q.row].unwrap(),
                origin,
            })
            .unwrap();
        }
        s
    }

    #[test]
    fn jsonl_lists_every_label_in_order_with_its_origin() {
        let mut s = labeled_iris(ModelSpec::default());
        let first_user = s.history()[3].clone();
        s.apply(Event::Relabel {
            row: first_user.row,
            class: 3,
        })
        .unwrap();
        let text = labels_jsonl(&s);
        let lines: Vec<LabelLine> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 9);
        assert!(text.ends_with('\n'));
        assert_eq!(lines[0].origin, "seed");
        assert_eq!(
            (lines[3].label.as_str(), lines[3].relabeled),
            ("hybrid", true)
        );
        assert_eq!(lines[3].id, s.data().row_ids[first_user.row]);
        assert_eq!(
            (lines[5].origin.as_str(), lines[5].predicted.as_deref()),
            ("probe", Some("versicolor"))
        );
        assert!(text.lines().nth(4).unwrap().find("predicted").is_none());
        assert_eq!(label_names(&s)[&first_user.row], "hybrid");
    }

    #[test]
    fn the_logistic_json_reproduces_the_probabilities() {
        let mut s = labeled_iris(ModelSpec::default());
        let q = s.round().unwrap().query.unwrap();
        let m: ModelJson = serde_json::from_str(&model_json(&s).unwrap()).unwrap();
        assert_eq!(m.classes, ["setosa", "versicolor", "virginica", "hybrid"]);
        assert_eq!(m.features.len(), 4);
        let x = s.data().row(q.row);
        let z: Vec<f64> = x
            .iter()
            .zip(&m.standardization.mean)
            .zip(&m.standardization.scale)
            .map(|((x, m), s)| (x - m) / s)
            .collect();
        let coef: Vec<Vec<f64>> =
            serde_json::from_value(m.parameters["coefficients"].clone()).unwrap();
        let b: Vec<f64> = serde_json::from_value(m.parameters["intercepts"].clone()).unwrap();
        let logits: Vec<f64> = coef
            .iter()
            .zip(&b)
            .map(|(w, b)| w.iter().zip(&z).map(|(w, z)| w * z).sum::<f64>() + b)
            .collect();
        let max = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = logits.iter().map(|l| (l - max).exp()).collect();
        let total: f64 = e.iter().sum();
        for (p, q) in e.iter().map(|v| v / total).zip(&q.proba) {
            assert!((p - q).abs() < 1e-12, "{p} vs {q}");
        }
    }

    #[test]
    fn other_models_export_their_parameters_or_say_why_not() {
        let [_, nb, knn, mlp] = ModelSpec::all_defaults();
        let m: ModelJson = serde_json::from_str(&model_json(&labeled_iris(nb)).unwrap()).unwrap();
        assert_eq!(m.model, "naive_bayes");
        assert_eq!(m.parameters["means"].as_array().unwrap().len(), 4);
        let m: ModelJson = serde_json::from_str(&model_json(&labeled_iris(mlp)).unwrap()).unwrap();
        assert_eq!(m.model, "mlp");
        assert_eq!(
            m.parameters["w1"].as_array().unwrap().len(),
            4,
            "features × hidden"
        );
        assert_eq!(
            m.parameters["w2"].as_array().unwrap()[0]
                .as_array()
                .unwrap()
                .len(),
            4,
            "hidden × classes"
        );
        let err = model_json(&labeled_iris(knn)).unwrap_err();
        assert!(matches!(err, ExportError::NotExportable { .. }), "{err}");
    }
}

#[test]
fn the_fixture_projects_read_and_replay() {
    let tiny = Project::from_json(include_bytes!(
        "../../../tests/fixtures/projects/tiny_embedded.json"
    ))
    .unwrap();
    let s = tiny.replay_into(tiny.dataset(None).unwrap()).unwrap();
    assert_eq!(s.class_names(), ["a", "b", "c"]);
    assert_eq!(s.labels().len(), 2);
    let bundled = Project::from_json(include_bytes!(
        "../../../tests/fixtures/projects/iris_bundled.json"
    ))
    .unwrap();
    let s = bundled.replay_into(iris()).unwrap();
    assert_eq!(s.labels()[&11], 1, "the undo took the relabel back");
    assert_eq!(
        Project::from_json(include_bytes!(
            "../../../tests/fixtures/projects/newer_version.json"
        )),
        Err(ProjectError::NewerVersion {
            version: 2,
            supported: 1
        })
    );
}

// ---- hostile input -----------------------------------------------------------------------

mod hostile {
    use super::{iris, Event, Origin, Project, ProjectError, Session, SessionConfig};
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet};

    const TINY: &[u8] = include_bytes!("../../../tests/fixtures/projects/tiny_embedded.json");
    const BUNDLED: &[u8] = include_bytes!("../../../tests/fixtures/projects/iris_bundled.json");

    /// A byte edit: overwrite, insert or delete at a position (taken modulo the length).
    #[derive(Debug, Clone)]
    enum Edit {
        Set(usize, u8),
        Insert(usize, u8),
        Delete(usize),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
            (
                any::<usize>(),
                prop::sample::select(b"0123456789,:{}[]\"-e.".to_vec())
            )
                .prop_map(|(i, b)| Edit::Insert(i, b)),
            any::<usize>().prop_map(Edit::Delete),
        ]
    }

    fn apply(base: &[u8], edits: &[Edit]) -> Vec<u8> {
        let mut bytes = base.to_vec();
        for e in edits {
            let n = bytes.len().max(1);
            match *e {
                Edit::Set(i, b) if !bytes.is_empty() => bytes[i % n] = b,
                Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
                Edit::Delete(i) if !bytes.is_empty() => {
                    bytes.remove(i % n);
                }
                _ => {}
            }
        }
        bytes
    }

    /// Whether every event names rows and classes of Iris (150 rows, 3 classes + added ones).
    fn in_range(p: &Project) -> bool {
        let mut classes = 3;
        p.events.iter().all(|e| match e {
            Event::Label { row, class, origin } => {
                *row < 150
                    && *class < classes
                    && !matches!(origin, Origin::Probe { predicted } if *predicted >= classes)
            }
            Event::Relabel { row, class } => *row < 150 && *class < classes,
            Event::Skip { row } => *row < 150,
            Event::Undo => true,
            Event::AddClass { .. } => {
                classes += 1;
                true
            }
        })
    }

    fn any_event() -> impl Strategy<Value = Event> {
        let origin = prop_oneof![
            Just(Origin::User),
            Just(Origin::Seed),
            (0usize..6).prop_map(|predicted| Origin::Probe { predicted }),
        ];
        prop_oneof![
            (0usize..200, 0usize..6, origin).prop_map(|(row, class, origin)| Event::Label {
                row,
                class,
                origin
            }),
            (0usize..200).prop_map(|row| Event::Skip { row }),
            Just(Event::Undo),
            (0usize..200, 0usize..6).prop_map(|(row, class)| Event::Relabel { row, class }),
            "[a-c ]{0,3}".prop_map(|name| Event::AddClass { name }),
        ]
    }

    /// Labels, skipped rows, and (row, class) in the order given.
    type Naive = (BTreeMap<usize, usize>, BTreeSet<usize>, Vec<(usize, usize)>);

    /// The state of a log the slow, obvious way: the stack of events in effect, then a pass
    /// over it (the session keeps its state incrementally; both must agree).
    fn naive_state(log: &[Event]) -> Naive {
        let mut stack: Vec<Event> = Vec::new();
        for e in log {
            match e {
                Event::Undo => {
                    if !matches!(
                        stack.last(),
                        None | Some(Event::Label {
                            origin: Origin::Seed,
                            ..
                        })
                    ) {
                        stack.pop();
                    }
                }
                Event::AddClass { .. } => {}
                other => stack.push(other.clone()),
            }
        }
        let (mut labels, mut skipped, mut order) = (BTreeMap::new(), BTreeSet::new(), Vec::new());
        for e in &stack {
            match *e {
                Event::Label { row, class, .. } => {
                    skipped.remove(&row);
                    labels.insert(row, class);
                    order.push(row);
                }
                Event::Relabel { row, class } => {
                    labels.insert(row, class);
                }
                Event::Skip { row } => {
                    skipped.insert(row);
                }
                _ => {}
            }
        }
        let order = order.into_iter().map(|r| (r, labels[&r])).collect();
        (labels, skipped, order)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn the_incremental_state_is_the_replayed_state(events in prop::collection::vec(any_event(), 0..60)) {
            let mut s = Session::new(iris(), SessionConfig::default()).unwrap();
            s.seed_one_per_class().unwrap();
            for e in events {
                let _ = s.apply(e);
            }
            let (labels, skipped, order) = naive_state(s.log());
            prop_assert_eq!(&s.labels(), &labels);
            prop_assert_eq!(&s.state().skipped, &skipped);
            let history: Vec<(usize, usize)> = s.history().iter().map(|e| (e.row, e.class)).collect();
            prop_assert_eq!(history, order);
            prop_assert_eq!(s.state(), engine::session::LabelState::replay(s.log()));
        }

        #[test]
        fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = Project::from_json(&bytes);
        }

        #[test]
        fn mutated_projects_never_panic_nor_replay_out_of_range(
            edits in prop::collection::vec(edit(), 1..6),
            bundled in any::<bool>(),
        ) {
            let bytes = apply(if bundled { BUNDLED } else { TINY }, &edits);
            if let Ok(p) = Project::from_json(&bytes) {
                let again = Project::from_json(p.to_json().as_bytes());
                prop_assert_eq!(again, Ok(p.clone()));
                if bundled {
                    let restored = p.replay_into(iris());
                    prop_assert!(in_range(&p) || restored.is_err());
                    prop_assert_eq!(p.check_against(150, 3).is_ok(), in_range(&p));
                } else if let Ok(d) = p.dataset(None) {
                    let _ = p.replay_into(d);
                }
            }
        }

        #[test]
        fn random_logs_replay_only_when_they_fit(events in prop::collection::vec(any_event(), 0..25)) {
            let mut p = Project::from_json(BUNDLED).unwrap();
            p.events = events;
            let back = Project::from_json(p.to_json().as_bytes()).unwrap();
            prop_assert_eq!(&back, &p);
            match back.replay_into(iris()) {
                Ok(s) => {
                    prop_assert!(in_range(&back));
                    prop_assert_eq!(s.log(), back.events.as_slice());
                }
                Err(e) => {
                    let ok = matches!(e, ProjectError::EventOutOfRange { .. } | ProjectError::Session(_));
                    prop_assert!(ok, "{}", e);
                }
            }
        }
    }
}
