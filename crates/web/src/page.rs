//! The app's root views and the small helpers every view uses.

use crate::studio::{provide_studio, use_studio, Studio};
use crate::{controls, history, insight, open, project, query, race, start};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The demo the e2e helpers and docs name first (the page itself opens on the start page).
pub const DEFAULT_DATASET: (&str, &str) = ("Iris", "iris.csv");
/// The bundled demos: display name and file under `datasets/`.
pub const DEMOS: [(&str, &str); 6] = [
    ("Iris", "iris.csv"),
    ("Wine", "wine.csv"),
    ("Breast Cancer Wisconsin (Diagnostic)", "breast_cancer.csv"),
    ("Optical Digits (8×8)", "digits.csv"),
    ("Palmer Penguins", "penguins.csv"),
    ("Fortunes (text)", "fortunes.csv"),
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

/// Offer `text` as a file download named `file_name` (a Blob URL on a temporary link).
pub fn download(file_name: &str, mime: &str, text: &str) -> Result<(), String> {
    let fail = |_| format!("{file_name} could not be saved by the browser.");
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| format!("{file_name} could not be saved: no document."))?;
    let link: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(fail)?.unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The app: start the worker, restore the last project (or show the start page when there is
/// none), show the studio.
#[component]
pub fn App() -> impl IntoView {
    crate::runlog::provide_runlog();
    let studio = Studio::new_worker();
    provide_studio(studio);
    start::provide_pages();
    studio.start();
    view! { <race::AppTabs><start::PageSwitch/></race::AppTabs> }
}

/// The studio layout; expects [`provide_studio`] above it.
#[component]
pub fn StudioView() -> impl IntoView {
    let studio = use_studio();
    query::provide_keys();
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
    let probe_text = move || {
        studio.round.with(|r| {
            r.as_ref()
                .and_then(|r| r.probe_estimate.as_ref())
                .map(|e| {
                    format!(
                        "{} (95 % interval {}–{}, {} probes)",
                        format_percent(e.accuracy),
                        format_percent(e.low),
                        format_percent(e.high),
                        e.n
                    )
                })
                .unwrap_or_else(|| "–".into())
        })
    };
    let few_classes = move || {
        studio
            .dataset
            .with(|d| d.as_ref().is_some_and(|d| d.class_names.len() < 2))
    };
    let is_probe = move || studio.round.with(|r| r.as_ref().is_some_and(|r| r.probe));
    // Mounting the whole studio at once is one long task the moment a file opens; the person
    // first needs the sample, so the panels around it come one frame later each (`step`).
    let step = RwSignal::new(0u8);
    Effect::new(move |_| {
        if step.get() < LAST_STEP {
            next_frame(move || step.update(|s| *s += 1));
        }
    });
    let at = move |k: u8| move || step.get() >= k;
    view! {
        <header class="top">
            <h1>"activelab"</h1>
            <p class="tagline">"Active learning in your browser. Your data never leaves this tab."</p>
            <start::HomeButton/>
        </header>
        <main class="studio">
            <Show when=at(1)>
                <open::OpenPanel/>
                <controls::Controls/>
            </Show>
            <controls::HelpOverlay/>
            <project::StorageNote/>
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
                data-busy=move || (studio.busy.get() || studio.saving.get() > 0 || studio.insight_pending.get()).to_string()
            >
                {move || if studio.busy.get() {
                    "Training…"
                } else if studio.saving.get() > 0 {
                    "Saving the project…"
                } else {
                    "Ready"
                }}
            </div>
            {move || studio.error.get().map(|message| view! {
                <div class="error" role="alert" data-testid="error">{message}</div>
            })}
            <Show when=few_classes>
                <p class="probe-note" role="status" data-testid="needs-classes">
                    "This file has fewer than two classes, so nothing can be learned yet. Add the classes you will label with ("
                    <a href="#add-class-name">"Add class"</a>
                    ", below), then label with their number keys."
                </p>
            </Show>
            <Show when=is_probe>
                <p class="probe-note" data-testid="probe-note">
                    "This sample is a random probe, not the strategy's pick: its label also gives an \
                     unbiased estimate of the model's accuracy."
                </p>
            </Show>
            <div class="columns">
                <query::QueryCard/>
                <Show when=at(2)><insight::WhyPanel/></Show>
                <Show when=at(2)>
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
                            <dt>"Probe estimate"</dt>
                            <dd data-testid="probe-estimate">{probe_text}</dd>
                        </div>
                        <div>
                            <dt>"Random, same labels"</dt>
                            <dd data-testid="random-accuracy">{move || random_at().map(format_percent).unwrap_or_else(|| "–".into())}</dd>
                        </div>
                    </dl>
                    <insight::LearningCurvePanel/>
                </section>
                </Show>
            </div>
            <Show when=at(3)>
                <div class="columns">
                    <history::HistoryPanel/>
                    <div>
                        <crate::review::ReviewPanel/>
                        <history::AddClassForm/>
                    </div>
                </div>
            </Show>
            <Show when=at(4)><insight::InsightPanels/></Show>
            <Show when=at(LAST_STEP)><project::ProjectsPanel/></Show>
        </main>
    }
}

/// How many steps [`StudioView`] mounts in after its first.
const LAST_STEP: u8 = 5;

/// Run `f` in a task of its own after the next frame (so the frame in between can paint).
pub(crate) fn next_frame(f: impl FnOnce() + 'static) {
    request_animation_frame(move || set_timeout(f, std::time::Duration::ZERO));
}
