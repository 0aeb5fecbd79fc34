//! Browser tests of the insight components (`web::insight`): the charts draw one mark per
//! datum (map points, recall bars, confusion cells, curve points), a confusion cell lists its
//! samples, the stopping panel gives a suggestion and the why panel shows the query's numbers.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

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
    // Unlabeled and labeled points are batched into a few paths that say how many they draw.
    let drawn = |state: &str| -> usize {
        let list = container
            .query_selector_all(&format!("[data-testid=map-batch][data-state={state}]"))
            .unwrap();
        (0..list.length())
            .map(|i| {
                let e: web_sys::Element = list.item(i).unwrap().unchecked_into();
                e.get_attribute("data-count")
                    .unwrap()
                    .parse::<usize>()
                    .unwrap()
            })
            .sum()
    };
    assert_eq!(drawn("unlabeled"), 99);
    assert_eq!(drawn("labeled"), 5);
    assert!(count(&container, "[data-testid=map-batch]") < 40);
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

/// A label's next sample is on screen before its insight: until the frame after the sample, the
/// panels are marked busy (and the status is not idle), then they explain the new sample.
#[wasm_bindgen_test]
async fn the_insight_follows_the_sample_after_a_frame() {
    let (container, studio) = mount_iris().await;
    let row_on_screen = || attr(&container, "[data-testid=query]", "data-row");
    let why_row = || {
        studio
            .insight
            .with_untracked(|i| i.as_ref().and_then(|i| i.why.as_ref().map(|w| w.row)))
            .map(|r| r.to_string())
    };
    // The status's data-busy and the why panel's aria-busy.
    let busy_marks = || {
        (
            attr(&container, "[data-testid=status]", "data-busy"),
            attr(&container, "[data-testid=why-panel]", "aria-busy"),
        )
    };
    let before = row_on_screen();
    assert_eq!(why_row().as_deref(), Some(before.as_str()));
    element(&container, "[data-testid=class-button]").click();
    // Tasks only, no frame: the round is in (new sample, keys work), its insight waits.
    for _ in 0..5 {
        leptos::task::tick().await;
    }
    let after = row_on_screen();
    assert_ne!(after, before, "the next sample is on screen");
    assert!(!studio.busy.get_untracked(), "keys work on the new sample");
    assert!(studio.insight_pending.get_untracked());
    assert_eq!(busy_marks(), ("true".into(), "true".into()));
    assert_eq!(
        why_row().as_deref(),
        Some(before.as_str()),
        "still the old one"
    );
    settle().await;
    assert!(!studio.insight_pending.get_untracked());
    assert_eq!(busy_marks(), ("false".into(), "false".into()));
    assert_eq!(why_row().as_deref(), Some(after.as_str()));
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
