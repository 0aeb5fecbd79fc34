//! The history panel (every label in effect, newest first; any can be changed, which retrains) and
//! the form that adds a class during labeling.

use super::studio::{use_class_names, use_studio};
use leptos::prelude::*;

/// Labels shown before "Show all".
const SHOWN: usize = 50;

/// Every label in effect, newest first, each with a class picker that relabels it.
#[component]
pub fn HistoryPanel() -> impl IntoView {
    let studio = use_studio();
    let show_all = RwSignal::new(false);
    let classes = use_class_names();
    let items = Memo::new(move |_| {
        studio.round.with(|r| {
            r.as_ref()
                .map(|r| r.history.iter().rev().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let total = move || items.with(Vec::len);
    let more = move || !show_all.get() && total() > SHOWN;
    view! {
        <section class="history" aria-labelledby="history-title">
            <h2 id="history-title">"History " <span class="hint">{move || format!("({} labels)", total())}</span></h2>
            <p class="hint">"Change a label here and the model retrains with it. Demo seed labels are fixed."</p>
            <ol class="history-list" data-testid="history" reversed=true>
                {move || {
                    let limit = if show_all.get() { usize::MAX } else { SHOWN };
                    items.get().into_iter().take(limit).map(|item| {
                        let row = item.row;
                        let label = format!("Class of row {}", item.id);
                        let relabeled = item.relabeled.then_some(" (changed)");
                        view! {
                            <li data-testid="history-item" data-row=row.to_string() data-class=item.class.to_string()>
                                <span class="history-id">"Row " {item.id.clone()}</span>
                                <select
                                    aria-label=label
                                    data-testid="history-class"
                                    disabled=!item.by_user
                                    on:change=move |ev| {
                                        if let Ok(class) = event_target_value(&ev).parse::<usize>() {
                                            studio.relabel(row, class);
                                        }
                                    }
                                >
                                    {classes.get().into_iter().enumerate().map(|(k, name)| view! {
                                        <option value=k.to_string() selected=k == item.class>{name}</option>
                                    }).collect_view()}
                                </select>
                                <span class="hint">{relabeled}</span>
                            </li>
                        }
                    }).collect_view()
                }}
            </ol>
            <Show when=more>
                <button on:click=move |_| show_all.set(true)>{move || format!("Show all {}", total())}</button>
            </Show>
        </section>
    }
}

/// Add a class by name (Enter or the button); it gets the next number key.
#[component]
pub fn AddClassForm() -> impl IntoView {
    let studio = use_studio();
    let name = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = name.get_untracked();
        if !text.trim().is_empty() {
            studio.add_class(text);
            name.set(String::new());
        }
    };
    view! {
        <form class="add-class" on:submit=submit data-testid="add-class">
            <label>
                "New class "
                <input
                    type="text"
                    id="add-class-name"
                    maxlength="200"
                    data-testid="add-class-name"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </label>
            <button type="submit" data-testid="add-class-button">"Add class"</button>
        </form>
    }
}
