//! The sample on screen, in the form that fits it ([`super::sample`]: table, text, image or
//! pixels), the model's probabilities, why it was picked, and one button per class (with its
//! key: 1..9 by default, remappable per project, see [`crate::keymap`]). In batch mode the other picks of the round are shown as a grid below.

use super::sample::{BatchGrid, SampleBody};
use super::studio::{use_class_names, use_studio, Studio};
use super::{format_percent, format_value};
use crate::keymap::{display, Action, KeyMap};
use engine::strategies::StrategyKind;
use leptos::prelude::*;

/// Keys `1`..`9` label the sample on screen with class 1..9 (the default key map; see
/// [`KeyMap`] for the person's own keys).
pub fn class_for_key(key: &str, n_classes: usize) -> Option<usize> {
    match KeyMap::default().resolve(key, n_classes) {
        Some(Action::Label(k)) => Some(k),
        _ => None,
    }
}

/// The open project's labeling keys, shared by the key listener, the buttons and the editor.
#[derive(Clone, Copy)]
pub struct Keys {
    /// The keys in effect.
    pub map: Signal<KeyMap>,
    /// The open project's stored keys (`meta` store, `keys:<project id>`), as JSON, when it has
    /// any; read again whenever another project opens.
    stored: LocalResource<Option<String>>,
}

/// Provide the key map of the open project: the default until the project's stored keys are
/// read.
pub fn provide_keys() -> Keys {
    let studio = use_studio();
    let project_id = Memo::new(move |_| studio.project.with(|p| p.as_ref().map(|p| p.id.clone())));
    let stored = LocalResource::new(move || {
        let id = project_id.get();
        async move {
            let storage = studio.storage()?;
            storage.key_map(&id?).await.ok().flatten()
        }
    });
    let keys = Keys {
        map: Signal::derive(move || {
            let n = n_classes(studio);
            stored
                .get()
                .flatten()
                .map(|text| KeyMap::from_json(&text, n))
                .unwrap_or_default()
        }),
        stored,
    };
    provide_context(keys);
    keys
}

/// The keys provided by [`provide_keys`] (the default map where none was provided).
pub fn use_keys() -> Keys {
    use_context::<Keys>().unwrap_or_else(|| Keys {
        map: Signal::stored(KeyMap::default()),
        stored: LocalResource::new(|| async { None }),
    })
}

/// Use `map` from now on and store it with the open project (kept in memory only when there is
/// no project or no storage).
pub fn save_keys(studio: Studio, keys: Keys, map: KeyMap) {
    let json = map.to_json();
    keys.stored.set(Some(Some(json.clone())));
    let Some(id) = studio
        .project
        .with_untracked(|p| p.as_ref().map(|p| p.id.clone()))
    else {
        return;
    };
    leptos::task::spawn_local(async move {
        let saved = match studio.storage() {
            Some(storage) => storage.set_key_map(&id, &json).await,
            None => return,
        };
        if let Err(e) = saved {
            studio.storage_note.set(Some(e.to_string()));
        }
    });
}

/// The number of classes of the open dataset.
fn n_classes(studio: Studio) -> usize {
    studio
        .dataset
        .with(|d| d.as_ref().map_or(0, |d| d.class_names.len()))
}

/// The keys of `action` for display, tracked (re-rendered when the map or the classes change).
pub fn keys_of(studio: Studio, keys: Keys, action: Action) -> Vec<String> {
    let n = n_classes(studio);
    keys.map
        .with(|m| m.keys(action, n))
        .iter()
        .map(|k| display(k))
        .collect()
}

/// Listen for labeling keys on the whole window: the key map's keys label, skip and undo;
/// `Ctrl+Z` undoes; `?` toggles the key list and `Esc` closes it. Ignored with modifier keys or
/// while typing in a form field.
pub fn install_label_keys() {
    let studio = use_studio();
    let keys = use_keys();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.repeat() {
            return;
        }
        let key = ev.key();
        if (ev.ctrl_key() || ev.meta_key()) && key.eq_ignore_ascii_case("z") {
            ev.prevent_default();
            studio.undo();
            return;
        }
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        if key == "Escape" {
            if studio.help_open.get_untracked() {
                studio.help_open.set(false);
            } else if studio.review_open() {
                studio.close_review();
            }
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if typing {
            return;
        }
        if key == "?" {
            ev.prevent_default();
            studio.help_open.update(|open| *open = !*open);
            return;
        }
        if studio.help_open.get_untracked() {
            return;
        }
        let n_classes = studio
            .dataset
            .with_untracked(|d| d.as_ref().map_or(0, |d| d.class_names.len()));
        let action = keys.map.with_untracked(|m| m.resolve(&key, n_classes));
        // Reviewing labels: the class keys change the label on screen, Enter or K keeps it.
        if studio.review_open() {
            match action {
                Some(Action::Label(class)) => {
                    ev.prevent_default();
                    studio.review_change(class);
                }
                _ if key == "Enter" || key.eq_ignore_ascii_case("k") => {
                    ev.prevent_default();
                    studio.review_keep();
                }
                _ => {}
            }
            return;
        }
        match action {
            Some(Action::Label(class)) => {
                ev.prevent_default();
                studio.label(class);
            }
            Some(Action::Skip) => {
                ev.prevent_default();
                studio.skip();
            }
            Some(Action::Undo) => {
                ev.prevent_default();
                studio.undo();
            }
            None => {}
        }
    });
    on_cleanup(move || handle.remove());
}

/// The query card.
#[component]
pub fn QueryCard() -> impl IntoView {
    let studio = use_studio();
    let keys = use_keys();
    let classes = use_class_names();
    let features = Memo::new(move |_| {
        studio.dataset.with(|d| {
            d.as_ref()
                .map(|d| d.feature_names.clone())
                .unwrap_or_default()
        })
    });
    let query = Memo::new(move |_| {
        studio
            .round
            .with(|r| r.as_ref().and_then(|r| r.query.clone()))
    });

    let kbds = move |action: Action| {
        move || {
            keys_of(studio, keys, action)
                .into_iter()
                .map(|k| view! { <kbd>{k}</kbd> })
                .collect_view()
        }
    };
    let buttons = move || {
        classes
            .get()
            .into_iter()
            .enumerate()
            .map(|(k, name)| {
                let shown = keys_of(studio, keys, Action::Label(k));
                let shortcut = shown.join(" ");
                let kbds = shown
                    .into_iter()
                    .map(|k| view! { <kbd>{k}</kbd> })
                    .collect_view();
                view! {
                    <button
                        class="class-button"
                        data-testid="class-button"
                        aria-keyshortcuts=shortcut
                        on:click=move |_| studio.label(k)
                    >
                        {kbds}
                        <span>{name}</span>
                    </button>
                }
            })
            .collect_view()
    };

    let body = move || {
        let Some(q) = query.get() else {
            let waiting =
                studio.dataset.with(Option::is_some) && studio.round.with(Option::is_some);
            return view! {
                <p class="query-empty">
                    {if waiting { "Every pool sample is labeled." } else { "Loading…" }}
                </p>
            }
            .into_any();
        };
        let names = classes.get();
        let mut ranked: Vec<(usize, f64)> = q.proba.iter().copied().enumerate().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let strategy = studio
            .dataset
            .with(|d| d.as_ref().map(|d| d.settings.strategy))
            .unwrap_or(StrategyKind::Margin);
        let strategy_label = strategy.label();
        let name = |k: usize| names.get(k).cloned().unwrap_or_default();
        let why = match (ranked.first(), ranked.get(1)) {
            _ if q.score.is_nan() => "Picked with the rest of this batch before the page was reloaded; the model has learned from the batch's answers since.".to_string(),
            (Some(&(a, pa)), Some(&(b, pb))) if strategy == StrategyKind::Margin => format!(
                "Margin sampling asks where the model is torn between its two best guesses: {} ({}) and {} ({}), a margin of {}. No other unlabeled sample has a smaller margin.",
                name(a),
                format_percent(pa),
                name(b),
                format_percent(pb),
                format_value(pa - pb),
            ),
            (Some(&(a, pa)), Some(&(b, pb))) => format!(
                "Picked by {strategy_label} with the highest score among the unlabeled samples ({}). The model's two best guesses: {} ({}) and {} ({}).",
                format_value(q.score),
                name(a),
                format_percent(pa),
                name(b),
                format_percent(pb),
            ),
            _ => "No model yet: this sample was picked to cover the data (k-means++ cold start).".to_string(),
        };
        let known = q.known_label.and_then(|k| names.get(k).cloned());
        let known_index = q.known_label.map(|k| k.to_string()).unwrap_or_default();
        let kind = match &q.display {
            worker::SampleView::Text { .. } => "text",
            worker::SampleView::Image { .. } => "image",
            _ => "table",
        };
        let title = if q.row_id.is_empty() || q.row_id == (q.row + 1).to_string() {
            format!("Sample #{}", q.row)
        } else {
            format!("Sample #{} · {}", q.row, q.row_id)
        };
        let proba = q
            .proba
            .iter()
            .enumerate()
            .map(|(k, &p)| {
                let name = names.get(k).cloned().unwrap_or_default();
                // Set through the CSSOM (`style:width`), which the CSP's `style-src 'self'` allows; a
                // `style="…"` attribute would be blocked.
                let width = format!("{:.1}%", p * 100.0);
                view! {
                    <li>
                        <span class="proba-name">{name}</span>
                        <span class="proba-bar" aria-hidden="true"><span style:width=width></span></span>
                        <span class="proba-value">{format_percent(p)}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <div data-testid="query" data-row=q.row.to_string() data-known-label=known_index data-kind=kind>
                <h2 id="query-title">{title}</h2>
                <SampleBody query=q.clone() feature_names=features.get() class_names=names.clone()/>
                <h3>"What the model thinks"</h3>
                <ul class="proba">{proba}</ul>
                <p class="why" data-testid="why"><strong>"Why this sample? "</strong>{why}</p>
                {known.map(|name| view! {
                    <details class="known">
                        <summary>"Show the dataset's answer"</summary>
                        <p>"The file labels this sample " <strong>{name}</strong> "."</p>
                    </details>
                })}
            </div>
        }
        .into_any()
    };

    // Batch mode: the round's other picks, each labeled with its own buttons.
    let batch = move || {
        let rest: Vec<worker::QueryView> = studio.round.with(|r| {
            r.as_ref()
                .filter(|r| r.batch.len() > 1)
                .map(|r| r.batch[1..].to_vec())
                .unwrap_or_default()
        });
        let asked = studio
            .dataset
            .with(|d| d.as_ref().map_or(1, |d| d.settings.batch_size));
        let left = rest.len() + 1;
        (!rest.is_empty()).then(|| {
            let on_label = Callback::new(move |(row, class)| studio.label_row(row, class));
            view! {
                <h3 class="batch-title">"Also in this batch"</h3>
                <p class="batch-status" data-testid="batch-status">
                    {format!("{left} of this batch's {} picks left; the model learns from them once all are answered. ", asked.max(left))}
                    <button data-testid="refit-button" disabled=move || studio.busy.get() on:click=move |_| studio.refit()>
                        "Learn from the answers now"
                    </button>
                </p>
                <BatchGrid batch=rest feature_names=features.get() class_names=classes.get() on_label/>
            }
        })
    };
    view! {
        <section class="query-card" aria-labelledby="label-heading">
            <h2 id="label-heading" class="visually-hidden">"Label the next sample"</h2>
            {body}
            <div class="class-buttons" role="group" aria-label="Label this sample as">
                {buttons}
            </div>
            <div class="actions">
                <button
                    data-testid="skip-button"
                    aria-keyshortcuts=move || keys_of(studio, keys, Action::Skip).join(" ")
                    on:click=move |_| studio.skip()
                >
                    "Skip " {kbds(Action::Skip)}
                </button>
                <button
                    data-testid="undo-button"
                    aria-keyshortcuts=move || {
                        let mut shown = keys_of(studio, keys, Action::Undo);
                        shown.push("Control+Z".into());
                        shown.join(" ")
                    }
                    disabled=move || !studio.round.with(|r| r.as_ref().is_some_and(|r| r.can_undo))
                    on:click=move |_| studio.undo()
                >
                    "Undo " {kbds(Action::Undo)}
                </button>
            </div>
            <p class="hint">"Press a class's key to label it, " {kbds(Action::Skip)} " to skip, " <kbd>"?"</kbd> " for every key and to change them."</p>
            {batch}
        </section>
    }
}
