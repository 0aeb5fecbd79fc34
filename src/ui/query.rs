//! The sample on screen, in the form that fits it ([`super::sample`]: table, text, image or
//! pixels), the model's probabilities, why it was picked, and one button per class (keys 1..9
//! too). In batch mode the other picks of the round are shown as a grid below.

use super::sample::{BatchGrid, SampleBody};
use super::studio::use_studio;
use super::{format_percent, format_value};
use leptos::prelude::*;

/// Keys `1`..`9` label the sample on screen with class 1..9 (ignored with modifier keys or while
/// typing in a form field).
pub fn class_for_key(key: &str, n_classes: usize) -> Option<usize> {
    let digit = key.parse::<usize>().ok().filter(|d| (1..=9).contains(d))?;
    (digit <= n_classes).then_some(digit - 1)
}

/// Listen for labeling keys on the whole window.
pub fn install_label_keys() {
    let studio = use_studio();
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
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if typing {
            return;
        }
        match key.as_str() {
            "?" => {
                ev.prevent_default();
                studio.help_open.update(|open| *open = !*open);
                return;
            }
            "Escape" => {
                studio.help_open.set(false);
                return;
            }
            _ if studio.help_open.get_untracked() => return,
            "s" | "S" => {
                ev.prevent_default();
                studio.skip();
                return;
            }
            "Backspace" => {
                ev.prevent_default();
                studio.undo();
                return;
            }
            _ => {}
        }
        let n_classes = studio
            .dataset
            .with_untracked(|d| d.as_ref().map_or(0, |d| d.class_names.len()));
        if let Some(class) = class_for_key(&key, n_classes) {
            ev.prevent_default();
            studio.label(class);
        }
    });
    on_cleanup(move || handle.remove());
}

/// The query card.
#[component]
pub fn QueryCard() -> impl IntoView {
    let studio = use_studio();
    let classes = Memo::new(move |_| {
        studio.dataset.with(|d| {
            d.as_ref()
                .map(|d| d.class_names.clone())
                .unwrap_or_default()
        })
    });
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

    let buttons = move || {
        classes
            .get()
            .into_iter()
            .enumerate()
            .map(|(k, name)| {
                let key = (k < 9).then(|| (k + 1).to_string());
                let shortcut = key.clone().unwrap_or_default();
                view! {
                    <button
                        class="class-button"
                        data-testid="class-button"
                        aria-keyshortcuts=shortcut
                        on:click=move |_| studio.label(k)
                    >
                        {key.map(|k| view! { <kbd>{k}</kbd> })}
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
                    {if waiting { "Every pool sample is labeled." } else { "Loading the demo…" }}
                </p>
            }
            .into_any();
        };
        let names = classes.get();
        let mut ranked: Vec<(usize, f64)> = q.proba.iter().copied().enumerate().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let (strategy, strategy_label) = studio.dataset.with(|d| {
            d.as_ref()
                .map(|d| (d.strategy.clone(), d.strategy_label.clone()))
                .unwrap_or_default()
        });
        let name = |k: usize| names.get(k).cloned().unwrap_or_default();
        let why = match (ranked.first(), ranked.get(1)) {
            (Some(&(a, pa)), Some(&(b, pb))) if strategy == "margin" => format!(
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
            crate::worker::SampleView::Text { .. } => "text",
            crate::worker::SampleView::Image { .. } => "image",
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
        let rest: Vec<crate::worker::QueryView> = studio.round.with(|r| {
            r.as_ref()
                .filter(|r| r.batch.len() > 1)
                .map(|r| r.batch[1..].to_vec())
                .unwrap_or_default()
        });
        (!rest.is_empty()).then(|| {
            let send = Callback::new(move |request| studio.send(request));
            view! {
                <h3 class="batch-title">"Also in this batch"</h3>
                <BatchGrid batch=rest feature_names=features.get() class_names=classes.get() send/>
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
                <button data-testid="skip-button" aria-keyshortcuts="s" on:click=move |_| studio.skip()>
                    "Skip " <kbd>"s"</kbd>
                </button>
                <button
                    data-testid="undo-button"
                    aria-keyshortcuts="Backspace Control+Z"
                    disabled=move || !studio.round.with(|r| r.as_ref().is_some_and(|r| r.can_undo))
                    on:click=move |_| studio.undo()
                >
                    "Undo " <kbd>"⌫"</kbd>
                </button>
            </div>
            <p class="hint">"Press " <kbd>"1"</kbd> "–" <kbd>"9"</kbd> " to label, " <kbd>"s"</kbd> " to skip, " <kbd>"?"</kbd> " for every key."</p>
            {batch}
        </section>
    }
}
