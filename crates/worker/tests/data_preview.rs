//! Getting data in: previews and mappings of fixture files, the bundled Penguins and Fortunes
//! demos, and the worker protocol for previews, uploads, no-label files, text and images.

use engine::data::image::DecodedImage;
use engine::data::import::{parse_csv, CsvOptions};
use engine::data::preview::{import_with_mapping, preview, ColumnKind, Mapping};
use engine::data::{RowDisplay, SkippedFile};
use worker::{Request, Response, SampleView, UploadFile, WorkerState};

const NO_LABELS: &[u8] = include_bytes!("../../../tests/fixtures/preview/no_labels.csv");
const REVIEWS: &[u8] = include_bytes!("../../../tests/fixtures/preview/reviews.tsv");
const PENGUINS: &[u8] = include_bytes!("../../../public/datasets/penguins.csv");
const FORTUNES: &[u8] = include_bytes!("../../../public/datasets/fortunes.csv");

mod common;
use common::{label, respond as run};

fn errors(responses: &[Response]) -> Vec<String> {
    responses
        .iter()
        .filter_map(|r| match r {
            Response::Error(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_file_without_labels_previews_with_no_label_suggested() {
    let p = preview(NO_LABELS, "no_labels.csv", 3).unwrap();
    assert_eq!(p.n_rows, 8);
    assert_eq!(p.format, "CSV");
    assert_eq!(p.rows.len(), 3);
    assert_eq!(
        p.rows[1],
        vec!["s2", "22.0", "NA", "south", "checked twice"]
    );
    let names: Vec<&str> = p.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["sample_id", "temperature", "humidity", "site", "note"]
    );
    let kinds: Vec<ColumnKind> = p.columns.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [
            ColumnKind::Categorical,
            ColumnKind::Numeric,
            ColumnKind::Numeric,
            ColumnKind::Categorical,
            ColumnKind::Constant
        ]
    );
    assert_eq!(p.columns[2].missing, 2);
    assert_eq!(p.suggested.label, None);
    assert_eq!(p.suggested.id.as_deref(), Some("sample_id"));
    assert_eq!(p.suggested.text, None);
}

#[test]
fn the_mapping_imports_with_the_chosen_roles_and_reports_what_it_did() {
    let mapping = Mapping {
        id: Some("sample_id".into()),
        ignore: vec!["note".into()],
        classes: vec!["dry".into(), "wet".into()],
        ..Mapping::default()
    };
    let d = import_with_mapping(NO_LABELS, "no_labels.csv", &mapping).unwrap();
    assert_eq!(
        d.feature_names,
        [
            "temperature",
            "humidity",
            "site=east",
            "site=north",
            "site=south"
        ]
    );
    assert_eq!(d.row_ids[0], "s1");
    assert_eq!(d.class_names, ["dry", "wet"]);
    assert!(d.known_labels.iter().all(Option::is_none));
    assert_eq!(d.report.imputed.len(), 1);
    assert_eq!(d.report.imputed[0].column, "humidity");
    assert_eq!(d.report.imputed[0].cells, 2);
    assert_eq!(d.report.ignored_columns, ["note"]);
}

#[test]
fn a_tsv_with_a_text_column_is_suggested_and_imported_as_text() {
    let p = preview(REVIEWS, "reviews.tsv", 10).unwrap();
    assert_eq!(p.format, "TSV");
    assert_eq!(p.suggested.text.as_deref(), Some("review"));
    assert_eq!(p.suggested.id.as_deref(), Some("id"));
    assert_eq!(p.suggested.label, None, "'rating' is not a label name");
    let mapping = Mapping {
        label: Some("rating".into()),
        ..p.suggested.clone()
    };
    let d = import_with_mapping(REVIEWS, "reviews.tsv", &mapping).unwrap();
    assert_eq!(d.class_names, ["bad", "good"]);
    assert_eq!(d.known_labels, [Some(1), Some(0), None, None]);
    assert!(d.feature_names.iter().all(|f| f.starts_with("review:")));
    match &d.display {
        RowDisplay::Texts { column, texts } => {
            assert_eq!(column, "review");
            assert_eq!(texts[3], "I walked out before the end of it");
        }
        other => panic!("expected texts, got {other:?}"),
    }
}

#[test]
fn penguins_have_categories_and_missing_values() {
    let d = parse_csv(PENGUINS, &CsvOptions::named("penguins.csv")).unwrap();
    assert_eq!(d.n_rows(), 344);
    assert_eq!(d.class_names, ["Adelie", "Chinstrap", "Gentoo"]);
    assert!(d.feature_names.contains(&"island=Biscoe".to_string()));
    assert!(d.feature_names.contains(&"sex=female".to_string()));
    let imputed: Vec<&str> = d.report.imputed.iter().map(|c| c.column.as_str()).collect();
    assert_eq!(
        imputed,
        [
            "bill_length_mm",
            "bill_depth_mm",
            "flipper_length_mm",
            "body_mass_g",
            "sex"
        ]
    );
    let p = preview(PENGUINS, "penguins.csv", 5).unwrap();
    assert_eq!(p.suggested.label.as_deref(), Some("species"));
    assert_eq!(p.columns[6].missing, 11);
}

#[test]
fn the_fortunes_demo_opens_as_text_and_highlights_words_after_labels() {
    let p = preview(FORTUNES, "fortunes.csv", 3).unwrap();
    assert_eq!(p.n_rows, 320);
    assert_eq!(p.suggested.text.as_deref(), Some("text"));
    assert_eq!(p.suggested.label.as_deref(), Some("category"));

    let mut state = WorkerState::default();
    let out = run(
        &mut state,
        Request::Open {
            name: "Fortunes".into(),
            csv: FORTUNES.to_vec(),
            seed: 42,
        },
    );
    assert_eq!(errors(&out), Vec::<String>::new());
    let Some(Response::Opened(summary)) = out.first() else {
        panic!("expected Opened, got {out:?}");
    };
    assert_eq!(summary.class_names, ["computers", "food", "law", "science"]);
    assert!(summary
        .report
        .iter()
        .any(|l| l.contains("Text column 'text'")));
    let round = out
        .iter()
        .find_map(|r| match r {
            Response::Round(r) => Some(r.clone()),
            _ => None,
        })
        .unwrap();
    let q = round.query.unwrap();
    match q.display {
        SampleView::Text {
            text,
            terms,
            toward,
            ..
        } => {
            assert!(!text.is_empty());
            assert!(toward.is_some());
            assert!(!terms.is_empty(), "a logistic model after 4 seed labels");
            assert!(terms.len() <= 10);
            let lower = text.to_lowercase();
            for t in &terms {
                assert!(lower.contains(&t.term), "{} in {text}", t.term);
            }
        }
        other => panic!("expected a text view, got {other:?}"),
    }
}

#[test]
fn preview_then_open_an_uploaded_file_without_labels() {
    let mut state = WorkerState::default();
    let size = NO_LABELS.len() as u64;
    let upload = run(
        &mut state,
        Request::Upload {
            files: vec![UploadFile {
                path: "no_labels.csv".into(),
                size,
            }],
        },
    );
    assert!(upload.is_empty());
    // Files handed over as `File`s are for the browser worker only: natively the request is
    // refused with what to send instead, and the upload just announced is left alone.
    let refused = run(
        &mut state,
        Request::UploadFiles {
            files: vec![UploadFile {
                path: "no_labels.csv".into(),
                size,
            }],
            attachment: 1,
        },
    );
    let [Response::Error(message)] = refused.as_slice() else {
        panic!("expected a refusal, got {refused:?}");
    };
    assert!(message.contains("UploadChunk"), "{message}");
    for chunk in NO_LABELS.chunks(50) {
        let out = run(
            &mut state,
            Request::UploadChunk {
                file: 0,
                bytes: chunk.to_vec(),
            },
        );
        assert!(out.is_empty());
    }
    let out = run(
        &mut state,
        Request::Preview {
            name: "no_labels.csv".into(),
            bytes: Vec::new(),
        },
    );
    let [Response::Preview(p)] = out.as_slice() else {
        panic!("expected a preview, got {out:?}");
    };
    assert_eq!(p.n_rows, 8);

    // Only one class name: refused with the reason.
    let one = Mapping {
        classes: vec!["dry".into()],
        ignore: vec!["note".into()],
        ..Mapping::default()
    };
    let out = run(
        &mut state,
        Request::OpenWith {
            name: "no_labels.csv".into(),
            bytes: Vec::new(),
            mapping: one,
            seed: 1,
        },
    );
    assert_eq!(
        errors(&out),
        ["Could not open no_labels.csv: it has 1 class name(s); name at least two classes to label with."]
    );

    let mapping = Mapping {
        id: Some("sample_id".into()),
        ignore: vec!["note".into()],
        classes: vec!["dry".into(), "wet".into()],
        ..Mapping::default()
    };
    let out = run(
        &mut state,
        Request::OpenWith {
            name: "no_labels.csv".into(),
            bytes: Vec::new(),
            mapping,
            seed: 1,
        },
    );
    assert_eq!(errors(&out), Vec::<String>::new());
    let Response::Opened(summary) = &out[0] else {
        panic!("{out:?}")
    };
    assert_eq!(
        (summary.n_pool, summary.n_test, summary.has_test),
        (8, 0, false)
    );
    assert!(summary
        .report
        .iter()
        .any(|l| l.contains("'humidity': 2 missing")));
    assert!(summary
        .report
        .iter()
        .any(|l| l.contains("Ignored column(s): note")));
    // Opened, the round and its insight: no baseline without test labels.
    assert_eq!(out.len(), 3, "no baseline without test labels: {out:?}");
    let (Response::Round(round), Response::Insight(_)) = (&out[1], &out[2]) else {
        panic!("{out:?}")
    };
    assert_eq!(
        round.n_labels, 0,
        "no seed labels: they come from the person"
    );
    assert_eq!(round.test_accuracy, None);
    let mut row = round.query.as_ref().unwrap().row;
    assert_eq!(
        round.query.as_ref().unwrap().row_id,
        format!("s{}", row + 1)
    );
    for i in 0..5 {
        let out = run(&mut state, label(row, i % 2));
        assert_eq!(errors(&out), Vec::<String>::new());
        let [Response::Round(round), Response::Insight(_)] = out.as_slice() else {
            panic!("{out:?}")
        };
        assert_eq!(round.n_labels, i + 1);
        let q = round.query.as_ref().unwrap();
        let SampleView::Table { class_means } = &q.display else {
            panic!("{:?}", q.display)
        };
        assert_eq!(class_means.len(), 2);
        assert!(class_means[0].is_some());
        assert_eq!(class_means[1].is_some(), i >= 1);
        row = q.row;
    }
}

#[test]
fn decoded_images_open_with_folder_labels_and_skipped_files_reported() {
    let img = |path: &str, v: u8| DecodedImage {
        path: path.into(),
        width: 3,
        height: 2,
        rgba: [v, 255 - v, v / 2, 255].repeat(6),
    };
    let mut images = Vec::new();
    for i in 0..6 {
        images.push(img(&format!("pets/cat/{i}.png"), 20 + i as u8));
        images.push(img(&format!("pets/dog/{i}.png"), 200 - i as u8));
    }
    images.push(img("pets/loose.png", 120));
    let skipped = vec![SkippedFile {
        path: "pets/readme.txt".into(),
        reason: "not an image this browser can decode".into(),
    }];
    let mut state = WorkerState::default();
    let out = run(
        &mut state,
        Request::OpenDecodedImages {
            name: "pets".into(),
            images,
            skipped,
            classes: vec!["bird".into()],
            seed: 3,
        },
    );
    assert_eq!(errors(&out), Vec::<String>::new());
    let Response::Opened(summary) = &out[0] else {
        panic!("{out:?}")
    };
    assert_eq!(summary.class_names, ["bird", "cat", "dog"]);
    assert_eq!(summary.n_rows, 13);
    assert!(
        summary
            .report
            .iter()
            .any(|l| l
                == "Skipped 1 file(s): pets/readme.txt (not an image this browser can decode).")
    );
    let round = out
        .iter()
        .find_map(|r| match r {
            Response::Round(r) => Some(r.clone()),
            _ => None,
        })
        .unwrap();
    let q = round.query.unwrap();
    let SampleView::Image { thumbnail, path } = q.display else {
        panic!("{:?}", q.display)
    };
    assert_eq!((thumbnail.width, thumbnail.height), (3, 2));
    assert_eq!(path, q.row_id);
    assert!(path.starts_with("pets/"));
}

#[test]
fn uploads_are_checked() {
    let mut state = WorkerState::default();
    let out = run(
        &mut state,
        Request::UploadChunk {
            file: 2,
            bytes: vec![1],
        },
    );
    assert_eq!(
        errors(&out),
        ["Upload file 2 does not exist (0 file(s) were announced)."]
    );
    let out = run(
        &mut state,
        Request::Upload {
            files: vec![UploadFile {
                path: "huge.csv".into(),
                size: 2 << 30,
            }],
        },
    );
    assert_eq!(
        errors(&out),
        ["The files hold 2147483648 bytes, more than the 1073741824 this page can hold: choose fewer or smaller files."]
    );
    let out = run(
        &mut state,
        Request::Preview {
            name: "x.csv".into(),
            bytes: Vec::new(),
        },
    );
    assert_eq!(errors(&out), ["x.csv is empty: it has no bytes to read."]);
    let out = run(
        &mut state,
        Request::Preview {
            name: "x.csv".into(),
            bytes: b"a,b\n1,2\n3\n".to_vec(),
        },
    );
    assert_eq!(
        errors(&out),
        ["Could not read x.csv: line 3 has 1 fields but the header has 2: every row needs the same number of fields (a value containing ',' must be in double quotes)"]
    );
}

#[test]
fn byte_buffers_round_trip_as_a_sequence_of_numbers() {
    let request = Request::UploadChunk {
        file: 0,
        bytes: vec![0, 7, 255],
    };
    let json = serde_json::to_string(&request).unwrap();
    assert_eq!(json, r#"{"UploadChunk":{"file":0,"bytes":[0,7,255]}}"#);
    let back: Request = serde_json::from_str(&json).unwrap();
    assert_eq!(back, request);
}
