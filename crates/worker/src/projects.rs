//! Project files (export and import) and the exports of labels and of the fitted model.

use crate::protocol::{ExportFile, ExportKind, ImportedProject, Response};
use crate::views::{summary, text_scale};
use crate::{Content, WorkerState};
use engine::project::{ImportSettings, Project, ProjectError, ProjectMeta, Source};
use engine::session::{Event, Origin};

/// A file name's stem made safe for a download name.
fn file_stem(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        "activelab".into()
    } else {
        safe
    }
}

/// Why an image session cannot be exported as a project file.
pub const IMAGES_NOT_IN_PROJECT_FILES: &str = "Project files cannot carry an image folder yet: \
     your labels are safe in this browser; export them as JSON Lines (one line per labeled image, \
     with its file path) to take them elsewhere.";

/// Why an image session has no labels CSV.
pub const IMAGES_HAVE_NO_TABLE: &str = "An image folder has no table to add a label column to: \
     export the labels as JSON Lines (one line per labeled image, with its file path).";

impl WorkerState {
    /// [`crate::Request::ExportProject`].
    pub(crate) fn export_project(
        &mut self,
        name: String,
        created_ms: u64,
        updated_ms: u64,
        bundled: Option<String>,
        emit: &mut dyn FnMut(Response),
    ) -> Result<(), String> {
        let session = self.session()?;
        if self.images {
            return Err(IMAGES_NOT_IN_PROJECT_FILES.into());
        }
        let meta = ProjectMeta {
            app_version: env!("CARGO_PKG_VERSION").to_string(),
            name: name.clone(),
            created_ms,
            updated_ms,
        };
        let source = match bundled {
            Some(file) => Source::Bundled { file },
            None => Source::embedded(&self.file.0, self.file.1.read_all(&self.file.0)?),
        };
        let import = self
            .mapping
            .as_ref()
            .map_or_else(ImportSettings::tabular, ImportSettings::mapped);
        let project = Project::from_session(session, meta, source, import)
            .map_err(|e| format!("The project could not be written: {e}"))?;
        emit(Response::Export(ExportFile {
            file_name: format!("{}.activelab.json", file_stem(&name)),
            mime: "application/json".into(),
            text: project.to_json(),
        }));
        Ok(())
    }

    /// [`crate::Request::Export`].
    pub(crate) fn export(
        &mut self,
        kind: ExportKind,
        emit: &mut dyn FnMut(Response),
    ) -> Result<(), String> {
        let session = self.session()?;
        let stem = file_stem(&self.file.0);
        let fail = |e: engine::export::ExportError| format!("Nothing was exported: {e}.");
        let file = match kind {
            ExportKind::LabelsCsv if self.images => {
                return Err(IMAGES_HAVE_NO_TABLE.into());
            }
            ExportKind::LabelsCsv => ExportFile {
                file_name: format!("{stem}-labels.csv"),
                mime: "text/csv".into(),
                text: engine::export::labels_csv(
                    &self.file.1.read_all(&self.file.0)?,
                    &session.data().report,
                    &engine::export::label_names(session),
                )
                .map_err(fail)?,
            },
            ExportKind::LabelsJsonl => ExportFile {
                file_name: format!("{stem}-labels.jsonl"),
                mime: "application/x-ndjson".into(),
                text: engine::export::labels_jsonl(session),
            },
            ExportKind::ModelJson => ExportFile {
                file_name: format!("{stem}-model.json"),
                mime: "application/json".into(),
                text: engine::export::model_json(session).map_err(fail)?,
            },
        };
        emit(Response::Export(file));
        Ok(())
    }

    /// [`crate::Request::ImportProject`].
    pub(crate) fn import_project(
        &mut self,
        file_name: String,
        bytes: Vec<u8>,
        bundled: Option<Vec<u8>>,
        emit: &mut dyn FnMut(Response),
    ) -> Result<(), String> {
        let fail = |e: ProjectError| format!("{file_name} was not imported: {e}.");
        let project = Project::from_json(&bytes).map_err(fail)?;
        if let (Source::Bundled { file }, None) = (&project.source, &bundled) {
            emit(Response::NeedsBundled { file: file.clone() });
            return Ok(());
        }
        let data = project.dataset(bundled.as_deref()).map_err(fail)?;
        let session = project.replay_into(data).map_err(fail)?;
        let (data_name, data_bytes, bundled_file) = match &project.source {
            Source::Bundled { file } => (
                file.clone(),
                bundled.unwrap_or_default(),
                Some(file.clone()),
            ),
            Source::Embedded {
                file_name, bytes, ..
            } => (file_name.clone(), bytes.clone(), None),
        };
        let imported = ImportedProject {
            name: project.name.clone(),
            bundled: bundled_file.clone(),
            file_name: data_name.clone(),
            bytes: if bundled_file.is_some() {
                Vec::new()
            } else {
                data_bytes.clone()
            },
            settings: project.settings.clone(),
            events: project
                .events
                .iter()
                .filter(|e| {
                    !matches!(
                        e,
                        Event::Label {
                            origin: Origin::Seed,
                            ..
                        }
                    )
                })
                .cloned()
                .collect(),
            created_ms: project.created_ms,
            mapping: project.import.mapping.clone(),
        };
        // The page makes the imported project its open one first, so the rounds below
        // update it (not the project open before).
        emit(Response::ProjectImported(imported));
        emit(Response::Opened(summary(&session)));
        self.scale = text_scale(&session);
        self.file = (data_name, Content::bytes(data_bytes));
        self.mapping = project.import.mapping.clone();
        self.pending.clear();
        self.curve.clear();
        self.session = Some(session);
        self.round(emit)?;
        self.baseline();
        Ok(())
    }
}
