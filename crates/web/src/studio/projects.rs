//! The project lifecycle: a demo, a file or an image folder opened as a new project (stored once
//! the worker has opened its data), a stored project restored, a project file imported or
//! exported, a project deleted.

use super::{Backend, Studio};
use crate::storage::{new_project_id, now_ms, DatasetRef, ProjectRecord, SavedSettings, Storage};
use engine::data::preview::Mapping;
use engine::session::Event;
use leptos::prelude::*;
use worker::{ReadAs, Request, Settings};

/// A project waiting for the worker's `Opened`.
pub(super) struct Pending {
    pub(super) record: ProjectRecord,
    pub(super) log: Vec<Event>,
    /// A new project (stored on success) rather than a restored one.
    pub(super) new: bool,
    /// Its data, stored (under the record's key) just before the record once the worker has
    /// opened it: the picked file, or an image folder as the worker decoded it.
    pub(super) data: Option<PendingData>,
}

/// Data a new project stores when it opens.
pub(super) enum PendingData {
    /// The picked file itself (IndexedDB keeps the blob: no copy on the page).
    Blob(web_sys::Blob),
    /// Bytes (an image folder packed by the worker).
    Bytes(Vec<u8>),
}

impl Studio {
    /// Open the uploaded table (sent with [`Request::Upload`]) with the column roles the person
    /// chose, as a new project: `file` (the picked file; its [`fingerprint`] is `key`) and
    /// `mapping` are stored with it once the worker has opened it, so a reload reads it the same
    /// way.
    ///
    /// [`fingerprint`]: engine::project::fingerprint
    pub fn open_mapped(&self, name: String, file: web_sys::Blob, key: String, mapping: Mapping) {
        if !self.may_replace_open_project() {
            return;
        }
        let dataset = DatasetRef::Stored {
            file_name: name.clone(),
            key,
            read: ReadAs::Mapped {
                mapping: mapping.clone(),
            },
        };
        let size = file.size() as u64;
        self.set_pending_new(name.clone(), dataset, size, Some(PendingData::Blob(file)));
        self.send(Request::OpenWith {
            name,
            bytes: Vec::new(),
            mapping,
            seed: crate::DEFAULT_SEED,
        });
    }

    /// Open the uploaded files as a folder of images (decoded in the worker) as a new project,
    /// with `classes` added to the subfolder names; the decoded folder the worker sends back
    /// ([`Response::ImagesDecoded`]) is stored with the project, so a reload reopens it exactly.
    pub fn open_images(&self, name: String, classes: Vec<String>) {
        if !self.may_replace_open_project() {
            return;
        }
        let dataset = DatasetRef::Stored {
            file_name: name.clone(),
            key: String::new(),
            read: ReadAs::Images {
                classes: classes.clone(),
            },
        };
        self.set_pending_new(name.clone(), dataset, 0, None);
        self.send(Request::OpenImages {
            name,
            classes,
            seed: crate::DEFAULT_SEED,
        });
    }

    /// Whether the open project may be replaced. When answers of it are kept in memory only (a
    /// write to storage failed, or the browser gives the page no storage at all), the person is
    /// asked first: opening another project drops them. A yes lets them go; a no leaves
    /// everything as it is, so they can be exported.
    pub(super) fn may_replace_open_project(&self) -> bool {
        let open = self
            .project
            .with_untracked(|p| p.as_ref().map(|p| (p.id.clone(), p.name.clone())));
        let answers = |n: usize| {
            if n == 1 {
                "1 answer".to_string()
            } else {
                format!("{n} answers")
            }
        };
        let why = if let Some(u) = crate::fault::unsaved_at_risk()
            .filter(|u| open.as_ref().is_some_and(|(id, _)| *id == u.project))
        {
            format!(
                "{} of project {} could not be saved in this browser ({})",
                answers(u.count),
                u.name,
                u.cause
            )
        } else if self.storage().is_none() && crate::fault::memory_only_answers() > 0 {
            format!(
                "{} of project {} could not be saved: this browser gives the page no storage",
                answers(crate::fault::memory_only_answers()),
                open.map(|(_, name)| name).unwrap_or_default()
            )
        } else {
            return true;
        };
        let question = format!(
            "{why}, and they are kept in memory only. Opening another project drops them.\n\n\
             Cancel to stay and export them (\"Export labels as CSV\" or \"Export this \
             project\"); OK to open the other project anyway."
        );
        let yes = web_sys::window()
            .and_then(|w| w.confirm_with_message(&question).ok())
            .unwrap_or(false);
        if yes {
            crate::fault::drop_unsaved();
            crate::fault::set_memory_only_answers(0);
        }
        yes
    }

    /// Open a bundled demo (`file` under `datasets/`) as a new project.
    pub fn open_demo(&self, name: String, file: String) {
        if !self.may_replace_open_project() {
            return;
        }
        let studio = *self;
        leptos::task::spawn_local(async move {
            match crate::fetch_text(&format!("datasets/{file}")).await {
                Ok(text) => {
                    let dataset = DatasetRef::Bundled { file };
                    studio.start_project(name, dataset, text.into_bytes()).await
                }
                Err(message) => studio.error.set(Some(message)),
            }
        });
    }

    /// Store a new project (replacing the open one when nothing was done in it yet), make it the
    /// one to restore, and open it in the worker.
    pub(super) async fn start_project(&self, name: String, dataset: DatasetRef, bytes: Vec<u8>) {
        self.set_pending_new(name.clone(), dataset, bytes.len() as u64, None);
        self.send(Request::Open {
            name,
            csv: bytes,
            seed: crate::DEFAULT_SEED,
        });
    }

    /// A new project, waiting for the worker to open its data.
    pub(super) fn set_pending_new(
        &self,
        name: String,
        dataset: DatasetRef,
        size_bytes: u64,
        data: Option<PendingData>,
    ) {
        let now = now_ms();
        let record = ProjectRecord {
            id: new_project_id(),
            name,
            dataset,
            size_bytes,
            n_rows: 0,
            n_labels: 0,
            n_events: 0,
            settings: SavedSettings {
                session: Settings {
                    seed: crate::DEFAULT_SEED,
                    ..Settings::default()
                },
                ..SavedSettings::default()
            },
            created_ms: now,
            updated_ms: now,
        };
        self.pending.set_value(Some(Pending {
            record,
            log: Vec::new(),
            new: true,
            data,
        }));
    }

    /// The worker opened the pending project's data: make it the open project; store a new one
    /// (replacing the previous project when nothing was done in it).
    pub(super) fn commit_pending(&self, n_rows: usize) {
        let Some(Pending {
            mut record,
            log,
            new,
            data,
        }) = self.pending.try_update_value(Option::take).flatten()
        else {
            return;
        };
        record.n_rows = n_rows;
        let untouched = self
            .project
            .get_untracked()
            .filter(|p| new && p.n_events == 0 && p.id != record.id)
            .map(|p| p.id);
        self.log.set_value(log);
        self.project.set(Some(record.clone()));
        let studio = *self;
        self.spawn_saving(async move {
            if let Some(storage) = studio.storage() {
                if let Some(old) = untouched {
                    let _ = storage.delete_project(&old).await;
                }
                // The data first: a record is never stored without what it needs to reopen.
                let key = match &record.dataset {
                    DatasetRef::Stored { key, .. } => key.clone(),
                    DatasetRef::Bundled { .. } => String::new(),
                };
                let picked = matches!(data, Some(PendingData::Blob(_)));
                let data_saved = match data {
                    Some(PendingData::Blob(blob)) => storage.save_dataset_blob(&key, &blob).await,
                    Some(PendingData::Bytes(bytes)) => storage.save_dataset(&key, &bytes).await,
                    None => Ok(()),
                };
                if let Err(e) = data_saved {
                    studio.storage_note.set(Some(e.to_string()));
                    studio.refresh_projects();
                    return;
                }
                if picked {
                    studio
                        .hand_over_stored_file(&storage, &record.dataset)
                        .await;
                }
                // The record as it is now: the first round may have updated it meanwhile.
                let record = studio
                    .project
                    .get_untracked()
                    .filter(|p| p.id == record.id)
                    .unwrap_or(record);
                let saved = match storage.save_project(&record).await {
                    Ok(()) => storage.set_last(&record.id).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = saved {
                    studio.storage_note.set(Some(e.to_string()));
                }
                studio.refresh_projects();
            }
        });
    }

    /// Give the worker the stored copy of a picked file (IndexedDB keeps its own copy of the
    /// bytes), so its later reads (the exports) do not depend on the file on disk, which the
    /// browser refuses to read once it has been changed. Only the browser worker reads files.
    pub(super) async fn hand_over_stored_file(&self, storage: &Storage, dataset: &DatasetRef) {
        let DatasetRef::Stored { file_name, key, .. } = dataset else {
            return;
        };
        if !self.backend.with_value(|b| matches!(b, Backend::Worker(_))) {
            return;
        }
        if let Ok(Some(stored)) = storage.dataset_blob(key).await {
            let attachment = worker::web::attach(stored.into());
            self.post(Request::StoredFile {
                name: file_name.clone(),
                attachment,
            });
        }
    }

    /// Reopen a stored project exactly as it was left: its dataset, settings and every event.
    pub fn restore(&self, id: String) {
        if !self.may_replace_open_project() {
            return;
        }
        let studio = *self;
        leptos::task::spawn_local(async move {
            if let Err(message) = studio.try_restore(&id).await {
                studio.error.set(Some(message));
                studio.busy.set(false);
            }
        });
    }

    pub(super) async fn try_restore(&self, id: &str) -> Result<(), String> {
        let storage = self
            .storage()
            .ok_or("Stored projects cannot be read: this browser gives activelab no storage.")?;
        let record = storage
            .project(id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("That project is no longer stored.")?;
        let (bytes, read) = match &record.dataset {
            DatasetRef::Bundled { file } => (
                crate::fetch_text(&format!("datasets/{file}"))
                    .await?
                    .into_bytes(),
                ReadAs::File,
            ),
            DatasetRef::Stored {
                file_name,
                key,
                read,
            } => {
                let blob = storage
                    .dataset_blob(key)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("The data of {file_name} is missing from storage."))?;
                // The worker reads the stored blob itself (no copy of a 50 MB file in the page's
                // memory, nor in the worker's); the restore below then finds it as the upload.
                crate::open::upload(*self, None, &[(file_name.clone(), blob)])
                    .await
                    .map_err(|e| {
                        if e.is_empty() {
                            "Another file was chosen while this project was being restored."
                                .to_string()
                        } else {
                            e
                        }
                    })?;
                (Vec::new(), read.clone())
            }
        };
        let (events, damaged) = storage.events(id).await.map_err(|e| e.to_string())?;
        if let Some(problem) = damaged {
            self.storage_note.set(Some(format!(
                "Part of this project's history is damaged: {problem}. Export the project to keep \
                 what was restored."
            )));
        }
        let mut record = record;
        record.n_events = events.len();
        self.pending.set_value(Some(Pending {
            record: record.clone(),
            log: events.clone(),
            new: false,
            data: None,
        }));
        let settings = record.settings;
        let shown = settings.shown();
        self.send(Request::Restore {
            name: record.name,
            csv: bytes,
            settings: settings.session,
            events,
            curve: settings.curve,
            shown,
            read,
        });
        Ok(())
    }

    /// Save the open project as a file (the data embedded, or referenced for a demo).
    pub fn export_project(&self) {
        let Some(p) = self.project.get_untracked() else {
            self.error
                .set(Some("Nothing to export: open a dataset first.".into()));
            return;
        };
        self.send(Request::ExportProject {
            name: p.name,
            created_ms: p.created_ms as u64,
            updated_ms: p.updated_ms as u64,
            bundled: match p.dataset {
                DatasetRef::Bundled { file } => Some(file),
                DatasetRef::Stored { .. } => None,
            },
        });
    }

    /// Export the labels or the model of the open session.
    pub fn export(&self, kind: worker::ExportKind) {
        self.send(Request::Export(kind));
    }

    /// Open a project file (its own data, or a bundled demo's, fetched when asked for).
    pub fn import_project(&self, file_name: String, bytes: Vec<u8>) {
        if !self.may_replace_open_project() {
            return;
        }
        self.importing
            .set_value(Some((file_name.clone(), bytes.clone())));
        self.send(Request::ImportProject {
            file_name,
            bytes,
            bundled: None,
        });
    }

    pub(super) fn import_with_bundled(&self, file: String) {
        let Some((file_name, bytes)) = self.importing.with_value(Clone::clone) else {
            return;
        };
        let studio = *self;
        leptos::task::spawn_local(async move {
            match crate::fetch_text(&format!("datasets/{file}")).await {
                Ok(text) => studio.send(Request::ImportProject {
                    file_name,
                    bytes,
                    bundled: Some(text.into_bytes()),
                }),
                Err(_) => {
                    studio.busy.set(false);
                    studio.error.set(Some(format!(
                        "{file_name} was not imported: it uses the demo '{file}', which this \
                         version of activelab does not include."
                    )));
                }
            }
        });
    }

    /// An imported project becomes a new stored project and the open one.
    pub(super) fn adopt_imported(&self, imported: worker::ImportedProject) {
        self.importing.set_value(None);
        let now = now_ms();
        let key = engine::project::fingerprint(&imported.bytes);
        let record = ProjectRecord {
            id: new_project_id(),
            name: imported.name,
            dataset: match imported.bundled {
                Some(file) => DatasetRef::Bundled { file },
                None => DatasetRef::Stored {
                    file_name: imported.file_name,
                    key: key.clone(),
                    read: imported
                        .mapping
                        .map_or(ReadAs::File, |mapping| ReadAs::Mapped { mapping }),
                },
            },
            size_bytes: imported.bytes.len() as u64,
            n_rows: 0,
            n_labels: 0,
            n_events: imported.events.len(),
            settings: SavedSettings {
                session: imported.settings,
                ..SavedSettings::default()
            },
            created_ms: if imported.created_ms > 0 {
                imported.created_ms as f64
            } else {
                now
            },
            updated_ms: now,
        };
        self.pending.set_value(None);
        self.log.set_value(imported.events.clone());
        self.project.set(Some(record.clone()));
        let (bytes, events) = (imported.bytes, imported.events);
        let studio = *self;
        self.spawn_saving(async move {
            if let Some(storage) = studio.storage() {
                let mut saved = Ok(());
                if matches!(record.dataset, DatasetRef::Stored { .. }) {
                    saved = storage.save_dataset(&key, &bytes).await;
                }
                if saved.is_ok() {
                    saved = storage.save_log(&record, &events).await;
                }
                if saved.is_ok() {
                    saved = storage.set_last(&record.id).await;
                }
                if let Err(e) = saved {
                    studio.storage_note.set(Some(e.to_string()));
                }
                studio.refresh_projects();
            }
        });
    }

    /// Delete a stored project (the open one is left open, in memory only).
    pub fn delete_project(&self, id: String) {
        let studio = *self;
        leptos::task::spawn_local(async move {
            if let Some(storage) = studio.storage() {
                if let Err(e) = storage.delete_project(&id).await {
                    studio.error.set(Some(e.to_string()));
                }
                if studio
                    .project
                    .with_untracked(|p| p.as_ref().is_some_and(|p| p.id == id))
                {
                    studio.project.set(None);
                }
                studio.refresh_projects();
            }
        });
    }
}
