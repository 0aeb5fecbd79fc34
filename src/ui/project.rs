//! Projects: where the work is kept (or why it is not), the list of stored projects with their
//! size and last change, and deleting one with a confirmation.

use super::storage::{DatasetRef, ProjectRecord};
use super::studio::use_studio;
use crate::worker::ExportKind;
use leptos::prelude::*;

/// A size in bytes for people: `812 B`, `14.2 KB`, `3.1 MB`.
pub fn format_size(bytes: u64) -> String {
    match bytes {
        b if b < 1_000 => format!("{b} B"),
        b if b < 1_000_000 => format!("{:.1} KB", b as f64 / 1e3),
        b => format!("{:.1} MB", b as f64 / 1e6),
    }
}

/// How long ago a change was, from two times in milliseconds: "just now", "5 min ago", "3 h ago",
/// "2 days ago".
pub fn format_ago(then_ms: f64, now_ms: f64) -> String {
    let minutes = ((now_ms - then_ms) / 60_000.0).max(0.0);
    if minutes < 1.0 {
        "just now".into()
    } else if minutes < 60.0 {
        format!("{minutes:.0} min ago")
    } else if minutes < 48.0 * 60.0 {
        format!("{:.0} h ago", minutes / 60.0)
    } else {
        format!("{:.0} days ago", minutes / 1440.0)
    }
}

/// Where the work is kept: a quiet line when it is stored, an alert when it is only in memory.
#[component]
pub fn StorageNote() -> impl IntoView {
    let studio = use_studio();
    view! {
        {move || match studio.storage_note.get() {
            Some(note) => view! {
                <div class="storage-note warning" role="alert" data-testid="storage-note">{note}</div>
            }.into_any(),
            None => view! {
                <p class="storage-note" data-testid="storage-ok">
                    "Every answer is saved in this browser before the next sample appears. \
                     Nothing is sent anywhere: this page makes no requests beyond its own files."
                </p>
            }.into_any(),
        }}
    }
}

/// The stored projects: open, or delete after a confirmation.
#[component]
pub fn ProjectsPanel() -> impl IntoView {
    let studio = use_studio();
    let confirming = RwSignal::new(None::<String>);
    let open_id = move || studio.project.with(|p| p.as_ref().map(|p| p.id.clone()));
    let row = move |p: ProjectRecord| {
        let id = p.id.clone();
        let (open, ask, yes) = (id.clone(), id.clone(), id.clone());
        let is_open = {
            let id = id.clone();
            Memo::new(move |_| open_id().as_deref() == Some(id.as_str()))
        };
        let asking = {
            let id = id.clone();
            Memo::new(move |_| confirming.get().as_deref() == Some(id.as_str()))
        };
        let source = match &p.dataset {
            DatasetRef::Bundled { .. } => "demo".to_string(),
            DatasetRef::Stored { file_name, .. } => file_name.clone(),
        };
        let details = format!(
            "{} · {} labels · {} · changed {}",
            source,
            p.n_labels,
            format_size(p.size_bytes),
            format_ago(p.updated_ms, super::storage::now_ms())
        );
        let name = p.name.clone();
        let label_open = format!("Open project {name}");
        let label_delete = format!("Delete project {name}");
        let label_yes = format!("Yes, delete {name} and its labels");
        view! {
            <li data-testid="project" data-id=id.clone() class:open-project=move || is_open.get()>
                <span class="project-name">{name}</span>
                <span class="project-details">{details}</span>
                <Show when=move || asking.get() fallback=move || {
                    let (open, ask) = (open.clone(), ask.clone());
                    view! {
                        <button
                            data-testid="project-open"
                            aria-label=label_open.clone()
                            disabled=move || is_open.get()
                            on:click=move |_| studio.restore(open.clone())
                        >"Open"</button>
                        <button
                            data-testid="project-delete"
                            aria-label=label_delete.clone()
                            on:click=move |_| confirming.set(Some(ask.clone()))
                        >"Delete…"</button>
                    }
                }>
                    {
                        let yes = yes.clone();
                        let label_yes = label_yes.clone();
                        view! {
                            <span role="alert" class="confirm">"Delete for good?"</span>
                            <button
                                data-testid="project-delete-yes"
                                aria-label=label_yes
                                on:click=move |_| {
                                    confirming.set(None);
                                    studio.delete_project(yes.clone());
                                }
                            >"Delete"</button>
                            <button data-testid="project-delete-no" on:click=move |_| confirming.set(None)>
                                "Keep"
                            </button>
                        }
                    }
                </Show>
            </li>
        }
    };
    let on_import = move |ev: leptos::ev::Event| {
        leptos::task::spawn_local(async move {
            match super::controls::read_file(ev).await {
                Ok((name, bytes)) => studio.import_project(name, bytes),
                Err(message) => studio.error.set(Some(message)),
            }
        });
    };
    view! {
        <section class="projects" aria-labelledby="projects-title">
            <h2 id="projects-title">"Projects"</h2>
            <div class="project-actions">
                <button data-testid="export-project" on:click=move |_| studio.export_project()>
                    "Export this project"
                </button>
                <button data-testid="export-csv" on:click=move |_| studio.export(ExportKind::LabelsCsv)>
                    "Labels as CSV"
                </button>
                <button data-testid="export-jsonl" on:click=move |_| studio.export(ExportKind::LabelsJsonl)>
                    "Labels as JSON Lines"
                </button>
                <button data-testid="export-model" on:click=move |_| studio.export(ExportKind::ModelJson)>
                    "Model as JSON"
                </button>
                <label class="file-open">
                    "Import a project file "
                    <input type="file" accept=".json,application/json" data-testid="import-project" on:change=on_import/>
                </label>
            </div>
            <Show
                when=move || studio.projects.with(|p| !p.is_empty())
                fallback=|| view! { <p class="hint">"No stored projects yet."</p> }
            >
                <ul class="project-list" data-testid="projects">
                    {move || studio.projects.get().into_iter().map(row).collect_view()}
                </ul>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::wasm_test;

    #[wasm_test]
    fn sizes_and_ages_read_well() {
        assert_eq!(format_size(812), "812 B");
        assert_eq!(format_size(14_200), "14.2 KB");
        assert_eq!(format_size(3_100_000), "3.1 MB");
        assert_eq!(format_ago(0.0, 30_000.0), "just now");
        assert_eq!(format_ago(0.0, 5.0 * 60_000.0), "5 min ago");
        assert_eq!(format_ago(0.0, 3.0 * 3_600_000.0), "3 h ago");
        assert_eq!(format_ago(0.0, 72.0 * 3_600_000.0), "3 days ago");
    }
}
