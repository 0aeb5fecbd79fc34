//! Choosing what to learn from and how: bundled demos, the strategy and the model, the session
//! settings, and the keyboard help overlay (files come in through `ui::open`).

use super::query::{keys_of, save_keys, use_keys};
use super::studio::{use_class_names, use_studio};
use super::DEMOS;
use crate::keymap::{Action, KeyMap};
use engine::models::ModelKind;
use engine::names::Named;
use engine::strategies::batch::BatchDiversity;
use engine::strategies::StrategyKind;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use worker::{Settings, COLD_START_NAMES};

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
        let file = event_target_value(&ev);
        let Some((name, path)) = DEMOS.iter().find(|(_, f)| *f == file) else {
            return;
        };
        studio.open_demo(name.to_string(), path.to_string());
    };
    let settings = Memo::new(move |_| {
        studio
            .dataset
            .with(|d| d.as_ref().map(|d| d.settings.clone()).unwrap_or_default())
    });
    let strategy = Memo::new(move |_| settings.with(|s| s.strategy));
    let model = Memo::new(move |_| settings.with(|s| s.model));
    let dataset_name = Memo::new(move |_| {
        studio
            .dataset
            .with(|d| d.as_ref().map(|d| d.name.clone()).unwrap_or_default())
    });
    let is_demo = move || dataset_name.with(|n| DEMOS.iter().any(|(name, _)| name == n));
    let on_strategy = move |ev: leptos::ev::Event| {
        if let Ok(chosen) = event_target_value(&ev).parse() {
            studio.configure(chosen, model.get_untracked());
        }
    };
    let on_model = move |ev: leptos::ev::Event| {
        if let Ok(chosen) = event_target_value(&ev).parse() {
            studio.configure(strategy.get_untracked(), chosen);
        }
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
                <select data-testid="strategy-select" on:change=on_strategy prop:value=move || strategy.get().name()
                    aria-describedby="strategy-description">
                    {StrategyKind::ALL.iter().map(|&kind| view! {
                        <option value=kind.name() selected=move || strategy.get() == kind title=strategy_description(kind)>{kind.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <p class="muted strategy-description" id="strategy-description" data-testid="strategy-description">
                {move || strategy_description(strategy.get())}
            </p>
            <label>
                "Model "
                <select data-testid="model-select" on:change=on_model prop:value=move || model.get().name()>
                    {ModelKind::ALL.iter().map(|&kind| view! {
                        <option value=kind.name() selected=move || model.get() == kind>{kind.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <SessionSettings/>
            <button class="help-button" data-testid="help-button" on:click=move |_| studio.help_open.set(true) aria-keyshortcuts="?">
                "Keys " <kbd>"?"</kbd>
            </button>
        </section>
    }
}

/// How a batch can be spread over the most uncertain rows: the setting, its value in the form,
/// and its label.
const BATCH_DIVERSITY: [(Option<BatchDiversity>, &str, &str); 3] = [
    (None, "none", "No (the top picks)"),
    (
        Some(BatchDiversity::KCenter),
        "kcenter",
        "Far apart (k-center)",
    ),
    (
        Some(BatchDiversity::KMeansPlusPlus),
        "kmeans++",
        "Spread out (k-means++)",
    ),
];

/// Batch size and how batches are spread, share of probe queries, cold start; the seed is shown
/// (it is fixed per project).
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
                    if let Ok(k) = event_target_value(&ev).parse::<usize>() {
                        change(&|s| s.batch_size = k.clamp(1, 50));
                    }
                }
            />
        </label>
        <label>
            "Spread the batch "
            <select
                data-testid="batch-diversity"
                on:change=move |ev| {
                    let chosen = event_target_value(&ev);
                    if let Some((d, _)) = BATCH_DIVERSITY.iter().find(|(_, name, _)| *name == chosen).map(|(d, n, _)| (*d, *n)) {
                        change(&|s| s.batch_diversity = d);
                    }
                }
            >
                {BATCH_DIVERSITY.iter().map(|(d, name, label)| view! {
                    <option value=*name selected=move || current.get().batch_diversity == *d>{*label}</option>
                }).collect_view()}
            </select>
        </label>
        <label>
            "Random probes "
            <select
                data-testid="probe-share"
                on:change=move |ev| {
                    if let Ok(p) = event_target_value(&ev).parse::<f64>() {
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
                    let chosen = event_target_value(&ev);
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

/// The list of every key, shown with `?`, and the editor that changes them.
#[component]
pub fn HelpOverlay() -> impl IntoView {
    let studio = use_studio();
    let keys = use_keys();
    let classes = use_class_names();
    let kbds = |keys: Vec<String>| {
        if keys.is_empty() {
            return view! { <span class="muted">"no key"</span> }.into_any();
        }
        keys.into_iter()
            .map(|k| view! { <kbd>{k}</kbd> })
            .collect_view()
            .into_any()
    };
    let class_rows = move || {
        classes
            .get()
            .into_iter()
            .enumerate()
            .map(|(k, name)| {
                view! {
                    <dt data-testid="help-class-keys">{kbds(keys_of(studio, keys, Action::Label(k)))}</dt>
                    <dd>"Label as " {name}</dd>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || studio.help_open.get()>
            <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="help">
                <div class="overlay-card">
                    <h2 id="help-title">"Keyboard"</h2>
                    <dl class="keys">
                        {class_rows}
                        <dt>{move || kbds(keys_of(studio, keys, Action::Skip))}</dt><dd>"Skip this sample"</dd>
                        <dt>{move || kbds(keys_of(studio, keys, Action::Undo))}" or "<kbd>"Ctrl"</kbd>"+"<kbd>"Z"</kbd></dt><dd>"Undo the last label or skip"</dd>
                        <dt><kbd>"?"</kbd></dt><dd>"Show or hide this list"</dd>
                        <dt><kbd>"Esc"</kbd></dt><dd>"Close this list"</dd>
                    </dl>
                    <KeysEditor/>
                    <button autofocus=true data-testid="help-close" on:click=move |_| studio.help_open.set(false)>"Close"</button>
                </div>
            </div>
        </Show>
    }
}

/// Change the key of each class, of skip and of undo: one field per action (one or more keys,
/// separated by spaces), saved with the project. A key used twice or a reserved key is refused
/// with the reason.
#[component]
pub fn KeysEditor() -> impl IntoView {
    let studio = use_studio();
    let keys = use_keys();
    let n = studio
        .dataset
        .with_untracked(|d| d.as_ref().map_or(0, |d| d.class_names.len()));
    let names = studio.dataset.with_untracked(|d| {
        d.as_ref()
            .map(|d| d.class_names.clone())
            .unwrap_or_default()
    });
    let actions = KeyMap::actions(n);
    let fields: Vec<RwSignal<String>> = keys.map.with_untracked(|m| {
        actions
            .iter()
            .map(|&a| RwSignal::new(m.field(a, n)))
            .collect()
    });
    let message = RwSignal::new(None::<(bool, String)>);
    let inputs = actions
        .iter()
        .zip(fields.iter().copied())
        .map(|(&action, field)| {
            let (testid, label) = match action {
                Action::Label(k) => (
                    format!("class-{k}"),
                    format!(
                        "Key for {} (class {})",
                        names.get(k).cloned().unwrap_or_default(),
                        k + 1
                    ),
                ),
                Action::Skip => ("skip".to_string(), "Key for skip".to_string()),
                Action::Undo => ("undo".to_string(), "Key for undo".to_string()),
            };
            view! {
                <label class="key-field">
                    <span>{label}</span>
                    <input
                        type="text"
                        data-testid="key-field"
                        data-action=testid
                        autocomplete="off"
                        spellcheck="false"
                        prop:value=move || field.get()
                        on:input=move |ev| field.set(event_target_value(&ev))
                    />
                </label>
            }
        })
        .collect_view();
    let save_fields = fields.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let texts: Vec<String> = save_fields.iter().map(|f| f.get_untracked()).collect();
        let class_texts: Vec<&str> = texts.iter().take(n).map(String::as_str).collect();
        let skip = texts.get(n).map(String::as_str).unwrap_or("s");
        let undo = texts.get(n + 1).map(String::as_str).unwrap_or("Backspace");
        match KeyMap::parse(&class_texts, skip, undo) {
            Ok(map) => {
                save_keys(studio, keys, map);
                message.set(Some((true, "Keys saved for this project.".into())));
            }
            Err(e) => message.set(Some((false, format!("Not saved: {e}")))),
        }
    };
    let reset = move |_| {
        let map = KeyMap::default();
        for (&a, f) in KeyMap::actions(n).iter().zip(fields.iter()) {
            f.set(map.field(a, n));
        }
        save_keys(studio, keys, map);
        message.set(Some((true, "Default keys restored.".into())));
    };
    view! {
        <form class="keys-editor" data-testid="keys-editor" aria-labelledby="keys-editor-title" on:submit=save>
            <h3 id="keys-editor-title">"Change the keys"</h3>
            <p class="hint">"One or more keys per action, separated by spaces: a letter, a digit, a sign, or a name such as Backspace, Enter, Space. ? Esc and Tab are reserved."</p>
            {inputs}
            <div class="actions">
                <button type="submit" data-testid="keys-save">"Save keys"</button>
                <button type="button" data-testid="keys-reset" on:click=reset>"Default keys"</button>
            </div>
            {move || message.get().map(|(ok, text)| if ok {
                view! { <p class="keys-message" role="status" data-testid="keys-message" data-ok="true">{text}</p> }.into_any()
            } else {
                view! { <p class="keys-message error" role="alert" data-testid="keys-message" data-ok="false">{text}</p> }.into_any()
            })}
        </form>
    }
}

/// What a strategy does, in one line (shown under the strategy menu).
pub fn strategy_description(kind: StrategyKind) -> &'static str {
    match kind {
        StrategyKind::Random => {
            "Any unlabeled sample, uniformly: the baseline every strategy should beat."
        }
        StrategyKind::LeastConfident => "The sample whose most likely class is least likely.",
        StrategyKind::Margin => "The sample torn between its two most likely classes.",
        StrategyKind::Entropy => "The sample whose class probabilities are most spread out.",
        StrategyKind::Qbc => {
            "The sample a committee of bagged models disagrees on most (vote entropy)."
        }
        StrategyKind::QbcConsensus => {
            "The sample whose committee-averaged probabilities are most spread out."
        }
        StrategyKind::QbcKl => {
            "The sample where committee members differ most from their consensus (KL)."
        }
        StrategyKind::CoreSet => "The sample farthest from everything labeled: covers the data.",
        StrategyKind::Density => {
            "Uncertain samples in dense regions (entropy × similarity to the pool)."
        }
        StrategyKind::RankedBatch => "Uncertain samples, spread apart from the labeled ones.",
        StrategyKind::Eer => {
            "The sample whose label is expected to cut the model's future error most."
        }
        StrategyKind::EerLog => {
            "The sample whose label is expected to cut the model's future log loss most."
        }
        StrategyKind::Adaptive => {
            "Learns which of several strategies works on this data and follows it (ALBL)."
        }
    }
}
