//! The start page and the switch between it and the studio.
//!
//! A first visit (no stored project) lands on the start page: the bundled demos and "open your own
//! data" ([`super::open::OpenPanel`]) and the stored projects ([`super::project::ProjectsPanel`]).
//! A reload during a project goes straight back to that project (the studio restores it). From
//! the studio, the "Start page" button comes back here; the open project stays open in the worker
//! and in [`super::studio::Studio`], so "Back to …" returns to it exactly as it was. Whenever a
//! dataset opens (a demo, a file, a stored project), the studio is shown.

use super::studio::use_studio;
use leptos::prelude::*;

/// Which page is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The page just loaded and the last project (if any) is being restored.
    Loading,
    /// The start page.
    Start,
    /// The labeling studio.
    Studio,
}

/// The page switch, shared through context.
#[derive(Clone, Copy)]
pub struct Pages {
    /// The page on screen.
    pub page: RwSignal<Page>,
}

/// Create the page switch (on [`Page::Loading`]) and make it available below.
pub fn provide_pages() -> Pages {
    let pages = Pages {
        page: RwSignal::new(Page::Loading),
    };
    provide_context(pages);
    pages
}

/// The page switch, when the app provides one (component tests mount the studio alone).
pub fn use_pages() -> Option<Pages> {
    use_context::<Pages>()
}

/// Show the start page: there is no project to restore (or it could not be restored).
/// A no-op when no page switch exists (component tests).
pub fn show_start_page(pages: Option<Pages>) {
    if let Some(pages) = pages {
        let _ = pages.page.try_set(Page::Start);
    }
}

/// The start page or the studio, whichever is on.
#[component]
pub fn PageSwitch() -> impl IntoView {
    let studio = use_studio();
    let pages = use_pages().unwrap_or_else(provide_pages);
    // A dataset that opens (or reopens) brings the studio up, whatever page asked for it.
    Effect::new(move |seen: Option<()>| {
        studio.dataset.track();
        if seen.is_some() && pages.page.get_untracked() != Page::Studio {
            pages.page.set(Page::Studio);
        }
    });
    // Only a change of page re-renders (a signal set to the same value notifies all the same).
    let page = Memo::new(move |_| pages.page.get());
    move || match page.get() {
        Page::Loading => view! { <LoadingPage/> }.into_any(),
        Page::Start => view! { <StartPage/> }.into_any(),
        Page::Studio => view! { <super::StudioView/> }.into_any(),
    }
}

/// While the last project is being restored: a line, and any error with a way out.
#[component]
fn LoadingPage() -> impl IntoView {
    let studio = use_studio();
    view! {
        <header class="top">
            <h1>"activelab"</h1>
        </header>
        <main class="start-page" data-testid="loading-page">
            <p role="status">"Opening your last project…"</p>
            {move || studio.error.get().map(|message| view! {
                <div class="error" role="alert" data-testid="error">{message}</div>
                <HomeButton/>
            })}
        </main>
    }
}

/// The button that goes to the start page (hidden where there is no page switch).
#[component]
pub fn HomeButton() -> impl IntoView {
    let pages = use_pages();
    pages.map(|pages| {
        view! {
            <button
                class="home-button"
                data-testid="home-button"
                on:click=move |_| {
                    pages.page.set(Page::Start);
                }
            >
                "← Start page"
            </button>
        }
    })
}

/// The start page: demos and the person's own data, the stored projects, and the way back to
/// the open project.
#[component]
pub fn StartPage() -> impl IntoView {
    let studio = use_studio();
    let pages = use_pages();
    let open_name = move || studio.dataset.with(|d| d.as_ref().map(|d| d.name.clone()));
    let back = move || {
        open_name().map(|name| {
            let label = format!("Back to {name}");
            view! {
                <button
                    class="primary resume"
                    data-testid="resume"
                    on:click=move |_| {
                        if let Some(p) = pages {
                            p.page.set(Page::Studio);
                        }
                    }
                >
                    {label}
                </button>
            }
        })
    };
    view! {
        <header class="top">
            <h1>"activelab"</h1>
            <p class="tagline">"Active learning in your browser. Your data never leaves this tab."</p>
        </header>
        <main class="start-page" data-testid="start-page" aria-labelledby="start-title">
            <h2 id="start-title" class="start-title">"Start"</h2>
            <p class="start-intro">
                "Pick a demo to see how a model learns from a few well-chosen labels, open your own \
                 data (nothing is uploaded: it stays in this tab), or go on with a stored project."
            </p>
            {back}
            {move || studio.error.get().map(|message| view! {
                <div class="error" role="alert" data-testid="error">{message}</div>
            })}
            <super::project::StorageNote/>
            <super::open::OpenPanel/>
            <super::project::ProjectsPanel/>
        </main>
    }
}
