//! Browser tests of the sample views and the open flow's mapping step (wasm-bindgen-test in
//! headless Chromium, the worker's state machine running in-thread).
#![cfg(target_arch = "wasm32")]

use engine::data::text::{TermMethod, TermWeight};
use engine::data::Thumbnail;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web::sample::{split_highlights, BatchGrid, SampleBody, TextPiece};
use worker::{QueryView, Request, SampleView};

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

const FORTUNES: &str = include_str!("../../../public/datasets/fortunes.csv");
const NO_LABELS: &str = include_str!("../../../tests/fixtures/preview/no_labels.csv");

fn query(weights: SampleView, features: Vec<f64>) -> QueryView {
    QueryView {
        row: 0,
        features,
        proba: vec![0.6, 0.4],
        predicted: Some(0),
        origin: engine::session::Origin::User,
        score: 0.5,
        known_label: None,
        row_id: "1".into(),
        display: weights,
    }
}

#[wasm_bindgen_test]
fn highlights_split_words_not_html() {
    let terms = vec![
        TermWeight {
            term: "bug".into(),
            weight: 1.5,
        },
        TermWeight {
            term: "cake".into(),
            weight: -0.5,
        },
    ];
    let pieces = split_highlights("A <b>Bug</b> ate cake.", &terms);
    assert_eq!(
        pieces,
        vec![
            TextPiece::Plain("A <b>".into()),
            TextPiece::Word("Bug".into(), 1.5),
            TextPiece::Plain("</b> ate ".into()),
            TextPiece::Word("cake".into(), -0.5),
            TextPiece::Plain(".".into()),
        ]
    );
}

#[wasm_bindgen_test]
async fn a_text_sample_marks_its_words_as_text() {
    let c = container();
    let q = query(
        SampleView::Text {
            text: "A <script>bug</script> in the code".into(),
            terms: vec![
                TermWeight {
                    term: "bug".into(),
                    weight: 2.0,
                },
                TermWeight {
                    term: "code".into(),
                    weight: -1.0,
                },
            ],
            toward: Some((0, 1)),
            method: TermMethod::Occlusion,
        },
        vec![0.0],
    );
    let names = vec!["computers".to_string(), "food".to_string()];
    leptos::mount::mount_to(c.clone(), move || {
        view! { <SampleBody query=q.clone() feature_names=vec!["t:bug".to_string()] class_names=names.clone()/> }
    })
    .forget();
    settle().await;
    assert_eq!(texts(&c, "[data-testid=highlight]"), ["bug", "code"]);
    assert_eq!(
        c.query_selector_all("script").unwrap().length(),
        0,
        "text, never HTML"
    );
    assert_eq!(
        texts(&c, "[data-testid=sample-text]"),
        ["A <script>bug</script> in the code"]
    );
    let legend = texts(&c, "[data-testid=highlights]").join("");
    assert!(legend.contains("Toward computers: bug"), "{legend}");
    assert!(legend.contains("Toward food: code"), "{legend}");
    assert!(legend.contains("Weighed by occlusion"), "{legend}");
    let marks = c
        .query_selector_all("mark.push-for[data-testid=highlight]")
        .unwrap();
    assert_eq!(marks.length(), 1);
}

#[wasm_bindgen_test]
async fn a_table_sample_compares_with_class_means_and_digits_show_pixels() {
    let c = container();
    let q = query(
        SampleView::Table {
            class_means: vec![Some(vec![1.0, 10.0]), Some(vec![5.0, 2.0])],
        },
        vec![4.0, 9.0],
    );
    let names = vec!["a".to_string(), "b".to_string()];
    let features = vec!["height".to_string(), "weight".to_string()];
    leptos::mount::mount_to(c.clone(), move || {
        view! { <SampleBody query=q.clone() feature_names=features.clone() class_names=names.clone()/> }
    })
    .forget();
    settle().await;
    let rows = texts(&c, "[data-testid=sample-table] tbody tr");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        texts(&c, "[data-testid=sample-table] thead th"),
        ["Feature", "Value", "Mean a", "Mean b"]
    );
    // 4 is nearer b's mean 5; 9 is nearer a's mean 10.
    assert_eq!(texts(&c, "td.nearest"), ["5 (nearest)", "10 (nearest)"]);

    let c = container();
    let pixel_names: Vec<String> = (0..64)
        .map(|i| format!("pixel_{}_{}", i / 8, i % 8))
        .collect();
    let q = query(
        SampleView::Table {
            class_means: vec![None, None],
        },
        (0..64).map(|i| (i % 17) as f64).collect(),
    );
    leptos::mount::mount_to(c.clone(), move || {
        view! { <SampleBody query=q.clone() feature_names=pixel_names.clone() class_names=vec!["0".to_string(), "1".to_string()]/> }
    })
    .forget();
    settle().await;
    assert_eq!(
        c.query_selector_all("[data-testid=sample-pixels] rect")
            .unwrap()
            .length(),
        64
    );
}

#[wasm_bindgen_test]
async fn an_image_sample_draws_its_thumbnail_on_a_canvas() {
    let c = container();
    let q = query(
        SampleView::Image {
            thumbnail: Thumbnail {
                width: 2,
                height: 1,
                rgba: vec![255, 0, 0, 255, 0, 0, 255, 255],
            },
            path: "pets/cat/<b>1</b>.png".into(),
        },
        vec![0.0],
    );
    leptos::mount::mount_to(c.clone(), move || {
        view! { <SampleBody query=q.clone() feature_names=vec!["gray".to_string()] class_names=vec!["cat".to_string(), "dog".to_string()]/> }
    })
    .forget();
    settle().await;
    let canvas: web_sys::HtmlCanvasElement = c
        .query_selector("[data-testid=sample-image]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!((canvas.width(), canvas.height()), (2, 1));
    let context: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let data = context.get_image_data(0.0, 0.0, 2.0, 1.0).unwrap().data().0;
    assert_eq!(data, vec![255, 0, 0, 255, 0, 0, 255, 255]);
    assert_eq!(texts(&c, "figcaption"), ["pets/cat/<b>1</b>.png"]);
}

#[wasm_bindgen_test]
async fn the_fortunes_demo_shows_text_with_highlights_in_the_studio() {
    let (c, studio) = mount_studio();
    studio.send(Request::Open {
        name: "Fortunes (text)".into(),
        csv: FORTUNES.into(),
        seed: 42,
    });
    settle().await;
    let q = c.query_selector("[data-testid=query]").unwrap().unwrap();
    assert_eq!(q.get_attribute("data-kind").as_deref(), Some("text"));
    assert_eq!(texts(&c, "[data-testid=sample-text]").len(), 1);
    assert!(!texts(&c, "[data-testid=highlight]").is_empty());
    assert_eq!(texts(&c, "[data-testid=class-button]").len(), 4);
}

#[wasm_bindgen_test]
async fn a_preview_shows_the_mapping_step_and_starts_a_no_label_session() {
    let (c, studio) = mount_studio();
    // What the open flow does after uploading a file: preview it.
    studio.post(Request::Upload {
        files: vec![worker::UploadFile {
            path: "no_labels.csv".into(),
            size: NO_LABELS.len() as u64,
        }],
    });
    studio.post(Request::UploadChunk {
        file: 0,
        bytes: NO_LABELS.into(),
    });
    studio.send(Request::Preview {
        name: "no_labels.csv".into(),
        bytes: Vec::new(),
    });
    settle().await;
    let preview = studio.preview.get_untracked().unwrap();
    assert_eq!(preview.n_rows, 8);
    // The panel shows the step only for the file it is waiting for; start it as the flow would.
    studio.send(Request::OpenWith {
        name: "no_labels.csv".into(),
        bytes: Vec::new(),
        mapping: engine::data::preview::Mapping {
            id: Some("sample_id".into()),
            ignore: vec!["note".into()],
            classes: vec!["dry".into(), "wet".into()],
            ..Default::default()
        },
        seed: 1,
    });
    settle().await;
    assert_eq!(texts(&c, "[data-testid=dataset-name]"), ["no_labels.csv"]);
    assert_eq!(texts(&c, "[data-testid=labels-count]"), ["0"]);
    assert_eq!(texts(&c, "[data-testid=class-button] span"), ["dry", "wet"]);
    assert_eq!(texts(&c, "[data-testid=sample-table]").len(), 1);
    studio.label(1);
    settle().await;
    assert_eq!(texts(&c, "[data-testid=labels-count]"), ["1"]);
    assert_eq!(
        texts(&c, "[data-testid=sample-table] thead th"),
        ["Feature", "Value", "Mean wet"]
    );
}

#[wasm_bindgen_test]
async fn batch_mode_shows_a_grid_whose_buttons_label_their_own_rows() {
    let c = container();
    let sent = RwSignal::new(Vec::<(usize, usize)>::new());
    let batch: Vec<QueryView> = (0..3)
        .map(|i| QueryView {
            row: 10 + i,
            row_id: format!("r{i}"),
            ..query(
                SampleView::Text {
                    text: format!("text {i}"),
                    terms: Vec::new(),
                    toward: None,
                    method: Default::default(),
                },
                vec![0.0],
            )
        })
        .collect();
    leptos::mount::mount_to(c.clone(), move || {
        let on_label = Callback::new(move |answer: (usize, usize)| sent.update(|s| s.push(answer)));
        view! { <BatchGrid batch=batch.clone() feature_names=vec!["t:x".to_string()] class_names=vec!["a".to_string(), "b".to_string()] on_label/> }
    })
    .forget();
    settle().await;
    assert_eq!(
        c.query_selector_all("[data-testid=batch-card]")
            .unwrap()
            .length(),
        3
    );
    assert_eq!(
        texts(&c, "[data-testid=sample-text]"),
        ["text 0", "text 1", "text 2"]
    );
    let button: web_sys::HtmlElement = c
        .query_selector(
            "[data-testid=batch-card][data-row='11'] button[aria-label='Label sample 2 as b']",
        )
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    assert_eq!(sent.get_untracked(), vec![(11, 1)]);
}
