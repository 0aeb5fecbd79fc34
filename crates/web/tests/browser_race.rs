//! Browser tests of the Simulate and Stream views (wasm-bindgen-test in headless Chromium), with
//! the worker's state machine running in-thread.
#![cfg(target_arch = "wasm32")]

use engine::race::RaceSettings;
use engine::strategies::StrategyKind;
use leptos::prelude::*;
use wasm_bindgen_test::*;
use web::job::JobState;
use web::race::{provide_race, RaceSim, SimulateView};
use web::runlog::RunLog;
use web::stream::{provide_stream, StreamSim, StreamView};
use web::task::TaskRunner;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_race_draws_a_band_and_a_mean_per_strategy_and_a_summary() {
    let container = container();
    let sim = RaceSim::new(RunLog::default(), TaskRunner::new_in_thread(handler));
    leptos::mount::mount_to(container.clone(), move || {
        provide_race(sim);
        view! { <SimulateView/> }
    })
    .forget();
    sim.settings.set(RaceSettings {
        strategies: vec![StrategyKind::Margin, StrategyKind::Random],
        seeds: vec![1, 2],
        budget: 12,
        ..RaceSettings::default()
    });
    sim.run_bytes(IRIS.as_bytes().to_vec(), None);
    settle().await;
    assert_eq!(sim.job.state.get_untracked(), JobState::Done);
    assert_eq!(count(&container, "[data-testid=race-mean]"), 2);
    assert_eq!(count(&container, ".race-band"), 2);
    assert_eq!(count(&container, "[data-testid=race-summary] li"), 2);
    assert_eq!(count(&container, "[data-testid=aulc-table] tbody tr"), 2);
    assert_eq!(count(&container, "[data-testid=race-table] tbody tr"), 10);
    let status = container
        .query_selector("[data-testid=race-status]")
        .unwrap()
        .unwrap();
    assert_eq!(status.get_attribute("data-state").as_deref(), Some("done"));
    // A bad setting is refused with a message, not a panic.
    sim.settings.update(|s| s.seeds.clear());
    sim.run_bytes(IRIS.as_bytes().to_vec(), None);
    settle().await;
    assert_eq!(sim.job.state.get_untracked(), JobState::Failed);
    assert_eq!(count(&container, "[data-testid=race-error]"), 1);
    container.remove();
}

#[wasm_bindgen_test]
async fn the_stream_view_marks_the_drift() {
    let container = container();
    let sim = StreamSim::new(RunLog::default(), TaskRunner::new_in_thread(handler));
    leptos::mount::mount_to(container.clone(), move || {
        provide_stream(sim);
        view! { <StreamView/> }
    })
    .forget();
    sim.form.update(|f| {
        f.n_rows = 300;
        f.drift_at = 150;
    });
    sim.run();
    settle().await;
    assert_eq!(sim.job.state.get_untracked(), JobState::Done);
    assert_eq!(count(&container, "[data-testid=drift-marker]"), 2);
    assert_eq!(count(&container, "[data-testid=stream-table] tbody tr"), 5);
    container.remove();
}
