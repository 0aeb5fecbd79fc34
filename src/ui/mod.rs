//! The Leptos UI: components render state and dispatch intents to the worker; they never compute
//! ML. Shared state lives in [`studio::Studio`], reached through [`studio::use_studio`].

pub mod chart;
pub mod controls;
pub mod query;
pub mod race;
pub mod runlog;
pub mod stream;
pub mod studio;

use crate::worker::Request;
use leptos::prelude::*;
use studio::{provide_studio, use_studio, Studio};
use wasm_bindgen::JsCast;

/// The demo the page opens on.
pub const DEFAULT_DATASET: (&str, &str) = ("Iris", "datasets/iris.csv");
/// The bundled demos: display name and file under `datasets/`.
pub const DEMOS: [(&str, &str); 4] = [
    ("Iris", "iris.csv"),
    ("Wine", "wine.csv"),
    ("Breast Cancer Wisconsin (Diagnostic)", "breast_cancer.csv"),
    ("Optical Digits (8×8)", "digits.csv"),
];
/// The seed of the default demo's split and seed labels.
pub const DEFAULT_SEED: u64 = 42;

/// Mount the app on `<body>`.
pub fn mount() {
    leptos::mount::mount_to_body(App);
}

/// A probability or accuracy as a percentage with one decimal.
pub fn format_percent(p: f64) -> String {
    format!("{:.1} %", p * 100.0)
}

/// A feature value, compactly.
pub fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        format!("{v:.0}")
    } else if v.abs() >= 0.01 && v.abs() < 1e5 {
        format!("{:.3}", v).trim_end_matches('0').to_string()
    } else if v.abs() >= 1e-4 && v.abs() < 0.01 {
        format!("{:.5}", v).trim_end_matches('0').to_string()
    } else {
        format!("{v:.3e}")
    }
}

/// Fetch a file next to the page as text (relative URL: works from any sub-path).
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let fail = |e: wasm_bindgen::JsValue| format!("Could not load {url}: {e:?}");
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(fail)?
        .dyn_into::<web_sys::Response>()
        .map_err(fail)?;
    if !response.ok() {
        return Err(format!("Could not load {url}: HTTP {}", response.status()));
    }
    let text = wasm_bindgen_futures::JsFuture::from(response.text().map_err(fail)?)
        .await
        .map_err(fail)?;
    text.as_string()
        .ok_or_else(|| format!("Could not load {url}: not text"))
}

/// The app: start the worker, open the default demo, show the studio.
#[component]
pub fn App() -> impl IntoView {
    let studio = Studio::new_worker();
    provide_studio(studio);
    let (name, url) = DEFAULT_DATASET;
    leptos::task::spawn_local(async move {
        match fetch_text(url).await {
            Ok(csv) => studio.send(Request::Open {
                name: name.to_string(),
                csv: csv.into_bytes(),
                seed: DEFAULT_SEED,
            }),
            Err(message) => studio.error.set(Some(message)),
        }
    });
    view! { <race::AppTabs><StudioView/></race::AppTabs> }
}

/// The studio layout; expects [`provide_studio`] above it.
#[component]
pub fn StudioView() -> impl IntoView {
    let studio = use_studio();
    query::install_label_keys();
    let title = move || {
        studio.dataset.with(|d| {
            d.as_ref()
                .map(|d| d.name.clone())
                .unwrap_or_else(|| "…".into())
        })
    };
    let details = move || {
        studio.dataset.with(|d| {
            d.as_ref().map(|d| {
                format!(
                    "{} rows: {} in the pool to label, {} held out to measure accuracy; {} classes.",
                    d.n_rows,
                    d.n_pool,
                    d.n_test,
                    d.class_names.len()
                )
            })
        })
    };
    let n_labels = move || studio.round.with(|r| r.as_ref().map_or(0, |r| r.n_labels));
    let accuracy = move || {
        studio
            .round
            .with(|r| r.as_ref().and_then(|r| r.test_accuracy))
    };
    let random_at = move || {
        let n = n_labels();
        studio.baseline.with(|b| {
            b.as_ref()
                .and_then(|b| b.curve.iter().find(|p| p.n_labels == n).map(|p| p.accuracy))
        })
    };
    view! {
        <header class="top">
            <h1>"activelab"</h1>
            <p class="tagline">"Active learning in your browser. Your data never leaves this tab."</p>
        </header>
        <main class="studio">
            <controls::Controls/>
            <controls::HelpOverlay/>
            <section class="dataset" aria-label="Dataset">
                <h2>"Dataset: " <span data-testid="dataset-name">{title}</span></h2>
                <p>{details}</p>
                <ul class="report" data-testid="import-report">
                    {move || studio.dataset.with(|d| d.as_ref().map(|d| d.report.clone()).unwrap_or_default())
                        .into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                </ul>
            </section>
            <div
                class="status"
                role="status"
                aria-live="polite"
                data-testid="status"
                data-busy=move || studio.busy.get().to_string()
            >
                {move || if studio.busy.get() { "Training…" } else { "Ready" }}
            </div>
            {move || studio.error.get().map(|message| view! {
                <div class="error" role="alert" data-testid="error">{message}</div>
            })}
            <div class="columns">
                <query::QueryCard/>
                <section class="progress" aria-label="Progress">
                    <dl class="numbers">
                        <div><dt>"Labels"</dt><dd data-testid="labels-count">{n_labels}</dd></div>
                        <div>
                            <dt>"Test accuracy"</dt>
                            <dd data-testid="accuracy" data-value=move || accuracy().map(|a| a.to_string()).unwrap_or_default()>
                                {move || accuracy().map(format_percent).unwrap_or_else(|| "–".into())}
                            </dd>
                        </div>
                        <div>
                            <dt>"Random, same labels"</dt>
                            <dd data-testid="random-accuracy">{move || random_at().map(format_percent).unwrap_or_else(|| "–".into())}</dd>
                        </div>
                    </dl>
                    <chart::LearningCurve/>
                </section>
            </div>
        </main>
    }
}
