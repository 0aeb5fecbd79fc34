//! The preview of a table and its column roles (label, text, id, ignored), as the person
//! confirms or changes them before the data is used: by the studio, the Simulate tab and the
//! Stream tab alike.

use engine::data::preview::{ColumnKind, LabelFound, Mapping, Preview};
use leptos::prelude::*;

/// The comma-separated class names typed in a field.
pub fn class_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether the roles suggested for a file need the person's confirmation before a simulation
/// uses them: the label column was not found by its name, or some column would be left out.
pub fn needs_confirming(preview: &Preview) -> bool {
    preview.label_found != Some(LabelFound::ByName) || !preview.suggested.ignore.is_empty()
}

/// The preview table and the column-mapping form: the suggested roles, which the person may
/// change; `on_start` gets the roles chosen. `start` names the button; `ask_classes` adds the
/// field for class names (a file labeled by the person; a simulation needs its label column).
#[component]
pub fn MappingForm(
    preview: Preview,
    on_start: Callback<Mapping>,
    on_cancel: Callback<()>,
    start: &'static str,
    ask_classes: bool,
) -> impl IntoView {
    let s = preview.suggested.clone();
    let label = RwSignal::new(s.label.clone().unwrap_or_default());
    let text = RwSignal::new(s.text.clone().unwrap_or_default());
    let id = RwSignal::new(s.id.clone().unwrap_or_default());
    let ignore = RwSignal::new(s.ignore.clone());
    let classes = RwSignal::new(String::new());
    let names: Vec<String> = preview.columns.iter().map(|c| c.name.clone()).collect();
    let begin = move |_| {
        let opt = |v: String| (!v.is_empty()).then_some(v);
        let mapping = Mapping {
            label: opt(label.get_untracked()),
            text: opt(text.get_untracked()),
            id: opt(id.get_untracked()),
            ignore: ignore.get_untracked(),
            classes: class_list(&classes.get_untracked()),
        };
        on_start.run(mapping);
    };
    let select = move |testid: &'static str,
                       title: &'static str,
                       none: &'static str,
                       signal: RwSignal<String>,
                       names: Vec<String>| {
        let options = names
            .into_iter()
            .map(|n| {
                let value = n.clone();
                view! { <option value=value.clone() selected=move || signal.get() == value>{n}</option> }
            })
            .collect_view();
        view! {
            <label>
                {title}
                <select
                    data-testid=testid
                    prop:value=move || signal.get()
                    on:change=move |ev| signal.set(event_target_value(&ev))
                >
                    <option value="" selected=move || signal.get().is_empty()>{none}</option>
                    {options}
                </select>
            </label>
        }
    };
    let header = preview
        .columns
        .iter()
        .map(|c| {
            let role = {
                let name = c.name.clone();
                move || {
                    if label.get() == name {
                        "label"
                    } else if text.get() == name {
                        "text"
                    } else if id.get() == name {
                        "id"
                    } else if ignore.with(|i| i.contains(&name)) {
                        "ignored"
                    } else {
                        "feature"
                    }
                }
            };
            let role_attr = role.clone();
            let kind = c.kind.label();
            let missing = (c.missing > 0).then(|| format!(", {} missing", c.missing));
            view! {
                <th scope="col" data-role=role_attr>
                    <span class="col-name">{c.name.clone()}</span>
                    <span class="col-kind">{kind}{missing}" · "{role}</span>
                </th>
            }
        })
        .collect_view();
    let rows = preview
        .rows
        .iter()
        .map(|row| {
            let cells = row
                .iter()
                .map(|c| view! { <td>{c.clone()}</td> })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    let ignore_boxes = names
        .iter()
        .map(|n| {
            let (value, checked_name, toggle_name) = (n.clone(), n.clone(), n.clone());
            view! {
                <label class="ignore-box">
                    <input
                        type="checkbox"
                        data-testid="map-ignore"
                        value=value
                        prop:checked=move || ignore.with(|i| i.contains(&checked_name))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            ignore.update(|i| {
                                i.retain(|x| x != &toggle_name);
                                if on {
                                    i.push(toggle_name.clone());
                                }
                            });
                        }
                    />
                    {n.clone()}
                </label>
            }
        })
        .collect_view();
    let text_columns: Vec<String> = preview
        .columns
        .iter()
        .filter(|c| matches!(c.kind, ColumnKind::Text | ColumnKind::Categorical))
        .map(|c| c.name.clone())
        .collect();
    let no_label = move || label.with(String::is_empty);
    view! {
        <section class="mapping" data-testid="mapping" aria-labelledby="mapping-title">
            <h3 id="mapping-title">"Preview of " {preview.name.clone()}</h3>
            <p data-testid="preview-summary">
                {format!("{}, {} rows, {} columns{}.", preview.format, preview.n_rows, preview.columns.len(),
                    if preview.header_detected { "" } else { ", no header line (columns are numbered)" })}
            </p>
            <ul class="mapping-why" data-testid="mapping-why">
                {preview.why.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}
            </ul>
            <div class="preview-scroll" tabindex="0" role="region" aria-label="The first rows">
                <table class="preview-table" data-testid="preview-table">
                    <thead><tr>{header}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <div class="mapping-form">
                {select("map-label", "Label column ", "(none: the rows are unlabeled)", label, names.clone())}
                {select("map-text", "Text column ", "(none)", text, text_columns)}
                {select("map-id", "Id column ", "(none: number the rows)", id, names.clone())}
                <fieldset class="ignore">
                    <legend>"Columns to ignore"</legend>
                    {ignore_boxes}
                </fieldset>
                {ask_classes.then(|| view! {
                    <label>
                        {move || if no_label() { "Class names (comma-separated, at least two) " } else { "More class names (optional, comma-separated) " }}
                        <input
                            type="text"
                            data-testid="map-classes"
                            placeholder="e.g. spam, ham"
                            prop:value=move || classes.get()
                            on:input=move |ev| classes.set(event_target_value(&ev))
                        />
                    </label>
                })}
            </div>
            <div class="actions">
                <button class="primary" data-testid="map-start" on:click=begin>{start}</button>
                <button data-testid="map-cancel" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </section>
    }
}
