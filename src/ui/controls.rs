//! Choosing what to learn from and how: bundled demos, the strategy and the model, the session
//! settings, and the keyboard help overlay (files come in through `ui::open`).

use super::studio::use_studio;
use super::DEMOS;
use crate::engine::strategies::{Strategy, STRATEGY_NAMES};
use crate::worker::{Settings, COLD_START_NAMES, MODEL_NAMES};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The value of the `<select>` or `<input>` an event came from.
fn target_value(ev: &leptos::ev::Event) -> String {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

/// Read the first file of an `<input type=file>` change event as raw bytes (the importer detects
/// the encoding and says what is wrong; `Blob.text()` would silently replace invalid bytes).
pub async fn read_file(ev: leptos::ev::Event) -> Result<(String, Vec<u8>), String> {
    let input = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .ok_or("No file input.")?;
    let file = input
        .files()
        .and_then(|files| files.get(0))
        .ok_or("No file was chosen.")?;
    let name = file.name();
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| format!("{name} could not be read."))?;
    input.set_value("");
    Ok((name, js_sys::Uint8Array::new(&buffer).to_vec()))
}

/// Demos, strategy and model (the person's own files come in through the open panel's one
/// picker, preview and mapping step: `ui::open`).
#[component]
pub fn Controls() -> impl IntoView {
    let studio = use_studio();
    let on_demo = move |ev: leptos::ev::Event| {
        let file = target_value(&ev);
        let Some((name, path)) = DEMOS.iter().find(|(_, f)| *f == file) else {
            return;
        };
        studio.open_demo(name.to_string(), path.to_string());
    };
    let strategy = Memo::new(move |_| {
        studio
            .dataset
            .with(|d| d.as_ref().map(|d| d.strategy.clone()).unwrap_or_default())
    });
    let model = Memo::new(move |_| {
        studio
            .dataset
            .with(|d| d.as_ref().map(|d| d.model.clone()).unwrap_or_default())
    });
    let dataset_name = Memo::new(move |_| {
        studio
            .dataset
            .with(|d| d.as_ref().map(|d| d.name.clone()).unwrap_or_default())
    });
    let is_demo = move || dataset_name.with(|n| DEMOS.iter().any(|(name, _)| name == n));
    let on_strategy = move |ev: leptos::ev::Event| {
        studio.configure(target_value(&ev), model.get_untracked());
    };
    let on_model = move |ev: leptos::ev::Event| {
        studio.configure(strategy.get_untracked(), target_value(&ev));
    };
    view! {
        <section class="controls" aria-label="Data and settings">
            <label>
                "Demo dataset "
                <select data-testid="demo-select" on:change=on_demo>
                    <option value="" disabled=true selected=move || !is_demo()>"Choose a demo…"</option>
                    {DEMOS.iter().map(|(name, file)| view! {
                        <option value=*file selected=move || dataset_name.get() == *name>{*name}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Strategy "
                <select data-testid="strategy-select" on:change=on_strategy prop:value=move || strategy.get()>
                    {STRATEGY_NAMES.iter().filter_map(|n| Strategy::from_name(n).map(|s| (*n, s.label()))).map(|(n, label)| view! {
                        <option value=n selected=move || strategy.get() == n>{label}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Model "
                <select data-testid="model-select" on:change=on_model prop:value=move || model.get()>
                    {MODEL_NAMES.iter().map(|(n, label)| view! {
                        <option value=*n selected=move || model.get() == *n>{*label}</option>
                    }).collect_view()}
                </select>
            </label>
            <SessionSettings/>
            <button class="help-button" on:click=move |_| studio.help_open.set(true) aria-keyshortcuts="?">
                "Keys " <kbd>"?"</kbd>
            </button>
        </section>
    }
}

/// Batch size, share of probe queries, cold start; the seed is shown (it is fixed per project).
#[component]
pub fn SessionSettings() -> impl IntoView {
    let studio = use_studio();
    let current = Memo::new(move |_| {
        studio
            .dataset
            .with(|d| d.as_ref().map(|d| d.settings.clone()).unwrap_or_default())
    });
    let change = move |f: &dyn Fn(&mut Settings)| {
        let mut s = current.get_untracked();
        f(&mut s);
        if s != current.get_untracked() {
            studio.change_settings(s);
        }
    };
    let seed = move || {
        studio
            .project
            .with(|p| p.as_ref().map(|p| p.settings.session.seed.to_string()))
            .unwrap_or_else(|| super::DEFAULT_SEED.to_string())
    };
    view! {
        <label>
            "Batch size "
            <input
                type="number"
                min="1"
                max="50"
                data-testid="batch-size"
                prop:value=move || current.get().batch_size.to_string()
                on:change=move |ev| {
                    if let Ok(k) = target_value(&ev).parse::<usize>() {
                        change(&|s| s.batch_size = k.clamp(1, 50));
                    }
                }
            />
        </label>
        <label>
            "Random probes "
            <select
                data-testid="probe-share"
                on:change=move |ev| {
                    if let Ok(p) = target_value(&ev).parse::<f64>() {
                        change(&|s| s.probe_share = p);
                    }
                }
            >
                {[(0.0, "none"), (0.05, "5 %"), (0.1, "10 %"), (0.2, "20 %")].into_iter().map(|(v, label)| view! {
                    <option value=v.to_string() selected=move || current.get().probe_share == v>{label}</option>
                }).collect_view()}
            </select>
        </label>
        <label>
            "First picks "
            <select
                data-testid="cold-start"
                on:change=move |ev| {
                    let chosen = target_value(&ev);
                    if let Some((c, _)) = COLD_START_NAMES.iter().find(|(c, _)| format!("{c:?}") == chosen) {
                        change(&|s| s.cold_start = *c);
                    }
                }
            >
                {COLD_START_NAMES.iter().map(|(c, label)| view! {
                    <option value=format!("{c:?}") selected=move || current.get().cold_start == *c>{*label}</option>
                }).collect_view()}
            </select>
        </label>
        <span class="seed" data-testid="seed">"Seed " {seed}</span>
    }
}

/// The list of every key, shown with `?`.
#[component]
pub fn HelpOverlay() -> impl IntoView {
    let studio = use_studio();
    view! {
        <Show when=move || studio.help_open.get()>
            <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="help">
                <div class="overlay-card">
                    <h2 id="help-title">"Keyboard"</h2>
                    <dl class="keys">
                        <dt><kbd>"1"</kbd>"–"<kbd>"9"</kbd></dt><dd>"Label the sample with class 1–9"</dd>
                        <dt><kbd>"s"</kbd></dt><dd>"Skip this sample"</dd>
                        <dt><kbd>"Backspace"</kbd>" or "<kbd>"Ctrl"</kbd>"+"<kbd>"Z"</kbd></dt><dd>"Undo the last label or skip"</dd>
                        <dt><kbd>"?"</kbd></dt><dd>"Show or hide this list"</dd>
                        <dt><kbd>"Esc"</kbd></dt><dd>"Close this list"</dd>
                    </dl>
                    <button autofocus=true on:click=move |_| studio.help_open.set(false)>"Close"</button>
                </div>
            </div>
        </Show>
    }
}
