//! The "Review labels" panel: one doubted label at a time ([`crate::studio::review`]), with the
//! label given, the class the model prefers and its score; the labeling keys change it, Enter or
//! K keeps it, Escape leaves.

use crate::keymap::Action;
use crate::page::format_percent;
use crate::query::{keys_of, use_keys};
use crate::studio::{use_class_names, use_studio};
use leptos::prelude::*;

/// The button that opens the review, and the row under review.
#[component]
pub fn ReviewPanel() -> impl IntoView {
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
    let body = move || {
        let q = studio.review.get()?;
        let names = classes.get();
        let name = |k: usize| {
            names
                .get(k)
                .cloned()
                .unwrap_or_else(|| format!("class {}", k + 1))
        };
        let Some(item) = q.current().cloned() else {
            let done = q.note.clone().unwrap_or_else(|| {
                if q.items.is_empty() {
                    "The model doubts none of your labels.".to_string()
                } else {
                    format!(
                        "Review done: {} of {} doubted labels changed. Press Escape to leave.",
                        q.changed,
                        q.items.len()
                    )
                }
            });
            return Some(view! { <p data-testid="review-done">{done}</p> }.into_any());
        };
        let row_text = features
            .get()
            .iter()
            .zip(&item.features)
            .map(|(f, v)| format!("{f} {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let buttons = names
            .iter()
            .enumerate()
            .map(|(k, class)| {
                let shown = keys_of(studio, keys, Action::Label(k));
                let shortcut = shown.join(" ");
                let kbds = shown.into_iter().map(|k| view! { <kbd>{k}</kbd> }).collect_view();
                let label = if k == item.given {
                    format!("{class} (keep)")
                } else {
                    class.to_string()
                };
                view! {
                    <button class="class-button" data-testid="review-class" aria-keyshortcuts=shortcut
                        on:click=move |_| studio.review_change(k)>
                        {kbds}<span>{label}</span>
                    </button>
                }
            })
            .collect_view();
        Some(view! {
            <p class="review-position">{format!("Label {} of {} the model doubts", q.at + 1, q.items.len())}</p>
            <p
                data-testid="review-item"
                data-row=item.row.to_string()
                data-given=item.given.to_string()
                data-suggested=item.suggested.to_string()
            >
                {format!(
                    "Row {}: you said {}; the model prefers {} (your label's out-of-fold probability {}, disagreement {:.2}).",
                    item.row_id,
                    name(item.given),
                    name(item.suggested),
                    format_percent(item.self_confidence),
                    item.score,
                )}
                {item.flagged.then(|| view! { " " <span class="badge" data-testid="review-flagged">"flagged"</span> })}
            </p>
            <p class="review-row">{row_text}</p>
            <div class="review-actions">
                {buttons}
                <button data-testid="review-keep" aria-keyshortcuts="Enter K" on:click=move |_| studio.review_keep()>
                    <kbd>"Enter"</kbd>" Keep"
                </button>
                <button data-testid="review-leave" aria-keyshortcuts="Escape" on:click=move |_| studio.close_review()>
                    <kbd>"Esc"</kbd>" Leave"
                </button>
            </div>
        }.into_any())
    };
    view! {
        <section class="review" aria-labelledby="review-title" data-testid="review">
            <h2 id="review-title">"Review labels"</h2>
            <p class="hint">
                "The model, refitted without each label in turn, points at the labels it doubts most. \
                 Change one with its class key, keep it with Enter or K, leave with Escape."
            </p>
            <button data-testid="review-open" on:click=move |_| studio.open_review()
                disabled=move || studio.dataset.with(Option::is_none)>
                "Review labels"
            </button>
            <div role="region" aria-label="Label under review" aria-live="polite">{body}</div>
        </section>
    }
}
