//! The write-ahead log: every event of the person's is stored in IndexedDB before the worker
//! applies it, so a reload restores exactly what was answered; and the open project's record,
//! the projects list and the run log kept up to date.

use super::Studio;
use crate::storage::{now_ms, DatasetRef, ProjectRecord, Storage};
use engine::session::Event;
use leptos::prelude::*;
use worker::Request;

impl Studio {
    /// Record an event of the person's: store it (the transaction completes first), then ask the
    /// worker to apply it. Ignored while a round runs.
    pub fn apply(&self, event: Event) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        let studio = *self;
        leptos::task::spawn_local(async move {
            let seq = studio.log.with_value(|l| l.len());
            let record = studio.project.get_untracked().map(|mut p| {
                p.n_events = seq + 1;
                p.updated_ms = now_ms();
                p
            });
            if let (Some(storage), Some(record)) = (studio.storage(), record.as_ref()) {
                // Answers an earlier failed write left in memory are written again with this one.
                let from = crate::fault::unsaved()
                    .filter(|u| u.project == record.id && u.from <= seq)
                    .map_or(seq, |u| u.from);
                let mut events = studio
                    .log
                    .with_value(|l| l.get(from..).map(<[Event]>::to_vec).unwrap_or_default());
                events.push(event.clone());
                match storage.append_events(record, from, &events).await {
                    Ok(()) if from < seq => {
                        crate::fault::clear_unsaved();
                        studio.storage_note.set(None);
                    }
                    Ok(()) => {}
                    Err(e) => {
                        let unsaved = crate::project::unsaved(record, from, events.len(), &e);
                        let message = crate::project::unsaved_message(&unsaved);
                        crate::fault::set_unsaved(unsaved);
                        studio.storage_note.set(Some(message));
                    }
                }
            }
            studio.log.update_value(|l| l.push(event.clone()));
            if studio.storage().is_none() {
                crate::fault::set_memory_only_answers(studio.log.with_value(Vec::len));
            }
            if record.is_some() {
                studio.project.set(record);
            }
            studio.send(Request::Apply { event });
        });
    }

    /// The worker refused the last event: drop it from the log and from storage.
    pub(super) fn take_back_last_event(&self) {
        let Some(seq) = self
            .log
            .try_update_value(|l| l.pop().map(|_| l.len()))
            .flatten()
        else {
            return;
        };
        let studio = *self;
        self.project.update(|p| {
            if let Some(p) = p {
                p.n_events = seq;
            }
        });
        leptos::task::spawn_local(async move {
            if let (Some(storage), Some(id)) = (
                studio.storage(),
                studio
                    .project
                    .with_untracked(|p| p.as_ref().map(|p| p.id.clone())),
            ) {
                let _ = storage.truncate_events(&id, seq).await;
            }
        });
    }

    /// Change the open project's record and save it (not awaited: the record holds derived
    /// values; the events, which are the truth, are stored before each round).
    pub(super) fn update_project(&self, change: impl FnOnce(&mut ProjectRecord) + 'static) {
        let mut record = match self.project.get_untracked() {
            Some(p) => p,
            None => return,
        };
        change(&mut record);
        self.project.set(Some(record.clone()));
        let studio = *self;
        leptos::task::spawn_local(async move {
            if let Some(storage) = studio.storage() {
                if let Err(e) = storage.save_project(&record).await {
                    studio.storage_note.set(Some(e.to_string()));
                }
            }
        });
    }

    /// Run the writes that store a project, counted in [`Studio::saving`] while they run.
    pub(super) fn spawn_saving(&self, writes: impl std::future::Future<Output = ()> + 'static) {
        let saving = self.saving;
        saving.update(|n| *n += 1);
        leptos::task::spawn_local(async move {
            writes.await;
            saving.update(|n| *n = n.saturating_sub(1));
        });
    }

    /// Open storage, then restore the project open when the page was left, or show the start
    /// page. Without storage, say so and work in memory.
    pub fn start(&self) {
        let studio = *self;
        // Read here, under the app's owner: the async block below runs without one.
        let pages = crate::start::use_pages();
        leptos::task::spawn_local(async move {
            match Storage::open().await {
                Ok(storage) => {
                    // Every answer is stored before the next sample appears: the error panel may
                    // say so.
                    crate::fault::set_work_saved(true);
                    studio.storage.set_value(Some(storage.clone()));
                    studio.refresh_projects();
                    if let Ok(Some(id)) = storage.last().await {
                        if studio.try_restore(&id).await.is_ok() {
                            return;
                        }
                    }
                }
                Err(e) => studio.storage_note.set(Some(e.to_string())),
            }
            crate::start::show_start_page(pages);
            // Nothing to restore: while the person reads the start page, the worker runs its
            // round code once so the browser optimises it now, not when the first file opens
            // (`worker::warm_up`). After a frame, so the start page paints first.
            crate::next_frame(move || studio.post(Request::WarmUp));
        });
    }

    /// The open database, when this browser gives activelab storage.
    pub fn storage(&self) -> Option<Storage> {
        self.storage.with_value(|s| s.clone())
    }

    /// Re-read the projects list.
    pub fn refresh_projects(&self) {
        let studio = *self;
        leptos::task::spawn_local(async move {
            if let Some(storage) = studio.storage() {
                match storage.projects().await {
                    Ok((list, damaged)) => {
                        if damaged > 0 {
                            studio.storage_note.set(Some(format!(
                                "{damaged} stored project(s) could not be read (damaged, or saved \
                                 by another version of activelab); they are listed under Projects \
                                 with the reason and a button to export what can be read."
                            )));
                        }
                        studio.projects.set(list)
                    }
                    Err(e) => studio.storage_note.set(Some(e.to_string())),
                }
            }
        });
    }

    /// Keep the open project's learning curve in the run log (one run per project, replaced as
    /// labels come in), so labeling sessions sit beside simulations in the Runs tab.
    pub(super) fn log_run(&self) {
        let Some(p) = self.project.get_untracked() else {
            return;
        };
        if p.settings.curve.is_empty() {
            return;
        }
        let fingerprint = match &p.dataset {
            DatasetRef::Stored { key, .. } => key.clone(),
            DatasetRef::Bundled { file } => format!("bundled:{file}"),
        };
        self.runs.record_labeling(crate::runlog::labeling_record(
            &p.id,
            &p.name,
            &fingerprint,
            serde_json::to_value(&p.settings.session).unwrap_or_default(),
            p.settings.session.seed,
            &p.settings.curve,
        ));
    }
}
