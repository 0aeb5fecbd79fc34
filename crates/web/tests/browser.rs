//! Browser tests of the Leptos components (wasm-bindgen-test in headless Chromium). They mount the
//! real studio with the worker's state machine running in-thread (no `worker.js` here).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn mounting_the_studio_renders_a_labeling_button_per_class() {
    let (container, _studio) = mount_iris().await;
    assert_eq!(count(&container, "[data-testid=class-button]"), 3);
    let names: Vec<String> = (0..3)
        .map(|i| {
            container
                .query_selector_all("[data-testid=class-button] span")
                .unwrap()
                .item(i)
                .and_then(|n| n.text_content())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(names, vec!["setosa", "versicolor", "virginica"]);
    assert_eq!(text(&container, "[data-testid=labels-count]"), "3");
    assert_eq!(count(&container, "[data-series=active] circle.point"), 1);
    container.remove();
}

#[wasm_bindgen_test]
async fn a_key_press_labels_and_adds_a_chart_point() {
    let (container, _studio) = mount_iris().await;
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("2");
    init.set_bubbles(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
    settle().await;
    assert_eq!(text(&container, "[data-testid=labels-count]"), "4");
    assert_eq!(count(&container, "[data-series=active] circle.point"), 2);
    // The chart's text alternative lists every point.
    assert_eq!(count(&container, "[data-testid=curve-table] tbody tr"), 2);
    // A key for a class that does not exist does nothing.
    init.set_key("9");
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
    settle().await;
    assert_eq!(text(&container, "[data-testid=labels-count]"), "4");
    container.remove();
}

/// The same golden run as `tests/loop.rs::golden_run_is_reproduced_natively`: the engine gives the
/// same label order and the same accuracies in the browser as natively.
#[wasm_bindgen_test]
fn golden_run_is_reproduced_in_wasm() {
    use engine::data::import::{parse_csv, CsvOptions};
    use engine::session::SessionConfig;
    use engine::simulation::{run_with_oracle, Run};
    let data = parse_csv(IRIS.as_bytes(), &CsvOptions::named("iris")).unwrap();
    let config = SessionConfig {
        seed: 42,
        ..SessionConfig::default()
    };
    let run = run_with_oracle(&data, &config, 25).unwrap();
    let golden: Run =
        serde_json::from_str(include_str!("../../../tests/reference/golden_run.json")).unwrap();
    assert_eq!(run.order, golden.order);
    assert_eq!(run.curve.len(), golden.curve.len());
    for (a, b) in run.curve.iter().zip(&golden.curve) {
        assert_eq!(a.n_labels, b.n_labels);
        assert!((a.accuracy - b.accuracy).abs() < 1e-12, "{a:?} vs {b:?}");
    }
}

/// The logistic regression matches scikit-learn in the browser as natively (every iris case of
/// `tests/reference/logistic.json`).
#[wasm_bindgen_test]
fn logistic_regression_matches_scikit_learn_in_wasm() {
    use engine::data::import::{parse_csv, CsvOptions};
    use engine::data::scale::Standardizer;
    use engine::models::logistic::LogisticParams;
    use engine::models::Classifier;
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/reference/logistic.json")).unwrap();
    let data = parse_csv(IRIS.as_bytes(), &CsvOptions::named("iris")).unwrap();
    let x = Standardizer::fit(data.features.view(), &[]).transform(data.features.view());
    let model = LogisticParams::default().tol(1e-9).check().unwrap();
    let mut worst = 0.0_f64;
    for case in reference["datasets"]["iris"]["cases"].as_array().unwrap() {
        let rows: Vec<usize> = case["train_rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let y: Vec<usize> = rows
            .iter()
            .map(|&r| data.known_labels[r].unwrap())
            .collect();
        let fitted = model
            .fit(x.select(ndarray::Axis(0), &rows).view(), &y, 3, None)
            .unwrap();
        let p = fitted.predict_proba(x.view());
        for (row, want) in p.rows().into_iter().zip(case["proba"].as_array().unwrap()) {
            for (a, b) in row.iter().zip(want.as_array().unwrap()) {
                worst = worst.max((a - b.as_f64().unwrap()).abs());
            }
        }
    }
    assert!(worst < 1e-6, "max |p - p_sklearn| = {worst}");
}
