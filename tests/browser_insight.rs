//! Browser tests of the insight components (`activelab::ui::insight`): the charts draw one mark per
//! datum (map points, recall bars, confusion cells, curve points), a confusion cell lists its
//! samples, the stopping panel gives a suggestion and the why panel shows the query's numbers.
#![cfg(target_arch = "wasm32")]

use activelab::ui::studio::{provide_studio, Studio};
use activelab::ui::StudioView;
use activelab::worker::{Request, WorkerState};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const IRIS: &str = include_str!("../public/datasets/iris.csv");

/// Let Leptos run the effects that the last signal changes scheduled.
async fn settle() {
    for _ in 0..8 {
        leptos::task::tick().await;
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let _ = web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}

/// Mount the studio with the worker's state machine in-thread and open Iris.
async fn mount_iris() -> (web_sys::HtmlElement, Studio) {
    let document = web_sys::window().unwrap().document().unwrap();
    let container: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&container).unwrap();
    let state = Rc::new(RefCell::new(WorkerState::default()));
    let studio = Studio::new_in_thread(move |request, emit| {
        state.borrow_mut().handle(request, &mut |r| emit(r));
    });
    leptos::mount::mount_to(container.clone(), move || {
        provide_studio(studio);
        view! { <StudioView/> }
    })
    .forget();
    studio.send(Request::Open {
        name: "Iris".into(),
        csv: IRIS.into(),
        seed: 42,
    });
    settle().await;
    (container, studio)
}

fn count(container: &web_sys::HtmlElement, selector: &str) -> u32 {
    container.query_selector_all(selector).unwrap().length()
}

fn element(container: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlElement {
    container
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .unchecked_into()
}

fn attr(container: &web_sys::HtmlElement, selector: &str, name: &str) -> String {
    element(container, selector)
        .get_attribute(name)
        .unwrap_or_default()
}

/// Label the sample on screen with the first class button, `times` times.
async fn label(container: &web_sys::HtmlElement, times: usize) {
    for _ in 0..times {
        element(container, "[data-testid=class-button]").click();
        settle().await;
    }
}

#[wasm_bindgen_test]
async fn the_charts_draw_one_mark_per_datum() {
    let (container, studio) = mount_iris().await;
    label(&container, 2).await;
    assert_eq!(
        element(&container, "[data-testid=labels-count]").text_content(),
        Some("5".into())
    );
    // The map: Iris's pool of 105 rows is small enough to show whole, 5 labeled, 1 next.
    assert_eq!(count(&container, "[data-testid=map-point]"), 105);
    assert_eq!(
        count(&container, "[data-testid=map-point][data-state=labeled]"),
        5
    );
    assert_eq!(
        count(&container, "[data-testid=map-point][data-state=query]"),
        1
    );
    let query_row = studio
        .round
        .with_untracked(|r| r.as_ref().unwrap().query.as_ref().unwrap().row);
    assert_eq!(
        attr(
            &container,
            "[data-testid=map-point][data-state=query]",
            "data-row"
        ),
        query_row.to_string()
    );
    assert!(element(&container, "[data-testid=map-summary]")
        .text_content()
        .unwrap()
        .starts_with("105 samples shown: 5 labeled, 1 to label next, 99 unlabeled."));
    // One recall bar per class, n_classes² confusion cells.
    assert_eq!(count(&container, "[data-testid=recall-bar]"), 3);
    assert_eq!(count(&container, "[data-testid=confusion-cell]"), 9);
    // The stopping panel: a suggestion and the three criteria.
    assert!(!element(&container, "[data-testid=stop-suggestion]")
        .text_content()
        .unwrap()
        .is_empty());
    assert_eq!(count(&container, "[data-testid=stop-advice]"), 3);
    container.remove();
}

#[wasm_bindgen_test]
async fn a_confusion_cell_lists_its_samples() {
    let (container, _studio) = mount_iris().await;
    label(&container, 1).await;
    assert_eq!(count(&container, "[data-testid=cell-examples]"), 0);
    // The fullest cell: setosa is always found, so the top-left cell has 15 test rows.
    let cells = container
        .query_selector_all("[data-testid=confusion-cell]")
        .unwrap();
    let (mut best, mut best_n) = (0, 0);
    for i in 0..cells.length() {
        let n: u32 = cells
            .item(i)
            .unwrap()
            .text_content()
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        if n > best_n {
            (best, best_n) = (i, n);
        }
    }
    let cell: web_sys::HtmlElement = cells.item(best).unwrap().unchecked_into();
    assert!(cell
        .get_attribute("aria-label")
        .unwrap()
        .contains("predicted"));
    cell.click();
    settle().await;
    assert_eq!(count(&container, "[data-testid=cell-examples]"), 1);
    assert_eq!(
        count(&container, "[data-testid=cell-example]"),
        best_n.min(10)
    );
    assert_eq!(cell.get_attribute("aria-pressed").as_deref(), Some("true"));
    // Clicking it again closes the list.
    let cell: web_sys::HtmlElement = container
        .query_selector_all("[data-testid=confusion-cell]")
        .unwrap()
        .item(best)
        .unwrap()
        .unchecked_into();
    cell.click();
    settle().await;
    assert_eq!(count(&container, "[data-testid=cell-examples]"), 0);
    container.remove();
}

#[wasm_bindgen_test]
async fn the_why_panel_shows_the_query_margin_and_entropy() {
    let (container, studio) = mount_iris().await;
    label(&container, 1).await;
    let proba = studio
        .round
        .with_untracked(|r| r.as_ref().unwrap().query.as_ref().unwrap().proba.clone());
    let mut sorted = proba.clone();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let margin: f64 = attr(&container, "[data-testid=why-margin]", "data-value")
        .parse()
        .unwrap();
    assert!((margin - (sorted[0] - sorted[1])).abs() < 1e-12);
    let entropy: f64 = attr(&container, "[data-testid=why-entropy]", "data-value")
        .parse()
        .unwrap();
    let want: f64 = proba
        .iter()
        .filter(|&&p| p > 0.0)
        .map(|p| -p * p.ln())
        .sum();
    assert!((entropy - want).abs() < 1e-12);
    // Margin sampling: the pick has the smallest margin of every candidate.
    assert!(element(&container, "[data-testid=why-margin]")
        .text_content()
        .unwrap()
        .contains("rank 1 of 101"));
    assert_eq!(count(&container, "[data-testid=why-nearest]"), 1);
    container.remove();
}

#[wasm_bindgen_test]
async fn the_curve_metric_switches_to_macro_f1_and_to_the_probe_estimate() {
    let (container, studio) = mount_iris().await;
    label(&container, 2).await;
    // Accuracy first (the existing chart with the random baseline), then macro-F1.
    assert_eq!(count(&container, "[data-testid=learning-curve]"), 1);
    assert_eq!(count(&container, "[data-testid=f1-curve]"), 0);
    element(&container, "[data-testid=curve-metric-f1]").click();
    settle().await;
    assert_eq!(count(&container, "[data-testid=learning-curve]"), 0);
    assert_eq!(
        count(
            &container,
            "[data-testid=f1-curve] [data-series=f1-curve] circle.point"
        ),
        3,
        "one macro-F1 point per round: 3, 4 and 5 labels"
    );
    assert_eq!(
        count(&container, ".metric-curve .insight-table tbody tr"),
        3
    );
    // Without test labels the panel shows the probe estimate, named as such.
    studio
        .dataset
        .update(|d| d.as_mut().unwrap().has_test = false);
    settle().await;
    assert_eq!(count(&container, "[data-testid=probe-note]"), 1);
    assert_eq!(count(&container, "[data-testid=probe-curve]"), 1);
    assert!(container
        .text_content()
        .unwrap()
        .contains("Estimated accuracy (probe estimate, not a test score)"));
    container.remove();
}
