//! Opening data: a file as it is, a table with the person's column roles, an upload, a folder of
//! decoded images, and a stored project's data restored with its settings and events.

use crate::content::{check_upload_size, Content, Upload};
use crate::protocol::{ReadAs, Response, UploadFile, OPEN_TEXT_FEATURES, PREVIEW_ROWS};
use crate::views::{summary, text_scale};
use crate::{stored, WorkerState};
use engine::data::image::{image_dataset, DecodedImage, ImageOptions};
use engine::data::import::{parse_source, CsvOptions};
use engine::data::preview::{import_source, is_jsonl, preview_source, Mapping};
use engine::data::source::{ByteSource, Bytes};
use engine::data::text::TextOptions;
use engine::data::{Dataset, SkippedFile};
use engine::project::Settings;
use engine::session::{Event, Session, SessionConfig, SessionError};
use engine::simulation::CurvePoint;

/// Open a file as a session: JSON Lines by extension, else CSV/TSV; a demo with known labels
/// gets one seed label per class.
fn open_file(name: &str, source: &dyn ByteSource, seed: u64) -> Result<Session, String> {
    let options = CsvOptions::named(name);
    let jsonl = is_jsonl(name);
    // A CSV with a free-text column (e.g. the fortunes demo) learns from its words.
    let text = if jsonl {
        None
    } else {
        preview_source(source, name, 0)
            .ok()
            .and_then(|p| p.suggested.text)
    };
    let text_options = TextOptions {
        english_stop_words: true,
        max_features: Some(OPEN_TEXT_FEATURES),
        ..TextOptions::default()
    };
    let data = parse_source(
        source,
        &options,
        jsonl,
        text.as_deref().map(|t| (t, &text_options)),
    )
    .map_err(|e| format!("Could not open {name}: {e}"))?;
    let config = SessionConfig {
        seed,
        ..SessionConfig::default()
    };
    let fail = |e: SessionError| format!("Could not open {name}: {e}");
    let mut session = Session::new(data, config).map_err(fail)?;
    session.seed_one_per_class().map_err(fail)?;
    Ok(session)
}

/// The session a [`Request::Restore`] starts from, before its settings and events: the data read
/// as it was when the project started (`read`); only [`ReadAs::File`] is seeded one per class.
fn restored_session(
    name: &str,
    content: &Content,
    seed: u64,
    read: &ReadAs,
) -> Result<Session, String> {
    let data = match read {
        ReadAs::File => return open_file(name, content.as_source(), seed),
        ReadAs::Mapped { mapping } => import_source(content.as_source(), name, mapping)
            .map_err(|e| format!("Could not open {name}: {e}"))?,
        ReadAs::Images { classes } => {
            let bytes = content.read_all(name)?;
            let (images, skipped) = stored::unpack_images(&bytes)
                .map_err(|e| format!("Could not reopen the images of {name}: {e}"))?;
            let mut data = image_dataset(name, images, skipped, &ImageOptions::default())
                .map_err(|e| format!("Could not open {name}: {e}"))?;
            data.add_classes(classes);
            data
        }
    };
    let config = SessionConfig {
        seed,
        ..SessionConfig::default()
    };
    Session::new(data, config).map_err(|e| format!("Could not open {name}: {e}"))
}

/// A session whose labels come from the person (no seed labels). The mapping step asks for the
/// class names, so at least 2 are required here (a file opened without that step may start with
/// fewer: the person adds classes while labeling).
pub(crate) fn unseeded_session(data: Dataset, seed: u64) -> Result<Session, String> {
    let name = data.name.clone();
    if data.n_classes() < 2 {
        return Err(format!(
            "Could not open {name}: it has {} class name(s); name at least two classes to label with.",
            data.n_classes()
        ));
    }
    let config = SessionConfig {
        seed,
        ..SessionConfig::default()
    };
    Session::new(data, config).map_err(|e| format!("Could not open {name}: {e}"))
}

/// The configuration `s` names (the seed and test fraction must be the session's: `reconfigure`
/// refuses a change).
pub(crate) fn full_settings(s: &Settings) -> Result<SessionConfig, String> {
    s.to_config()
        .map_err(|e| format!("The settings were not changed: {e}"))
}

impl WorkerState {
    /// [`crate::Request::Open`].
    pub(crate) fn open(
        &mut self,
        name: String,
        csv: Vec<u8>,
        seed: u64,
        emit: &mut dyn FnMut(Response),
    ) -> Result<(), String> {
        let session = open_file(&name, &Bytes(&csv), seed)?;
        self.file = (name, Content::bytes(csv));
        self.mapping = None;
        self.images = false;
        self.start(session, emit)
    }

    /// [`crate::Request::Preview`].
    pub(crate) fn preview(
        &mut self,
        name: String,
        bytes: Vec<u8>,
        emit: &mut dyn FnMut(Response),
    ) -> Result<(), String> {
        let content = self.source(&name, bytes)?;
        let p = preview_source(content.as_source(), &name, PREVIEW_ROWS)
            .map_err(|e| format!("Could not read {name}: {e}"))?;
        emit(Response::Preview(p));
        Ok(())
    }

    /// [`crate::Request::OpenWith`].
    pub(crate) fn open_with(
        &mut self,
        name: String,
        bytes: Vec<u8>,
        mapping: Mapping,
        seed: u64,
        emit: &mut dyn FnMut(Response),
    ) -> Result<(), String> {
        // The upload is shared, not copied (a 50 MB file would be held twice at the
        // import's peak); it stays the upload when the file does not open, so the person
        // can change the mapping and try again.
        let content = self.source(&name, bytes)?;
        let data = import_source(content.as_source(), &name, &mapping)
            .map_err(|e| format!("Could not open {name}: {e}"))?;
        let session = unseeded_session(data, seed)?;
        self.file = (name, content);
        self.mapping = Some(mapping);
        self.images = false;
        self.start(session, emit)
    }

    /// [`crate::Request::Upload`].
    pub(crate) fn upload(&mut self, files: Vec<UploadFile>) -> Result<(), String> {
        let total: u64 = files.iter().map(|f| f.size).sum();
        self.uploads.clear();
        check_upload_size(total)?;
        self.uploads = files
            .into_iter()
            .map(|f| (f.path, Upload::Filling(Vec::with_capacity(f.size as usize))))
            .collect();
        Ok(())
    }

    /// [`crate::Request::UploadChunk`].
    pub(crate) fn upload_chunk(&mut self, file: usize, bytes: Vec<u8>) -> Result<(), String> {
        let n = self.uploads.len();
        let (path, upload) = self.uploads.get_mut(file).ok_or_else(|| {
            format!("Upload file {file} does not exist ({n} file(s) were announced).")
        })?;
        match upload {
            Upload::Filling(buffer) => {
                buffer.extend_from_slice(&bytes);
                Ok(())
            }
            Upload::Ready(_) => Err(format!(
                "{path} was already read: announce a new upload before sending more of it."
            )),
        }
    }

    /// [`crate::Request::OpenDecodedImages`].
    pub(crate) fn open_decoded_images(
        &mut self,
        name: String,
        images: Vec<DecodedImage>,
        skipped: Vec<SkippedFile>,
        classes: Vec<String>,
        seed: u64,
        emit: &mut dyn FnMut(Response),
    ) -> Result<(), String> {
        let mut data = image_dataset(&name, images, skipped, &ImageOptions::default())
            .map_err(|e| format!("Could not open {name}: {e}"))?;
        data.add_classes(&classes);
        let session = unseeded_session(data, seed)?;
        self.file = (name, Content::default());
        self.mapping = None;
        self.images = true;
        self.start(session, emit)
    }

    /// [`crate::Request::Restore`].
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn restore(
        &mut self,
        name: String,
        csv: Vec<u8>,
        chosen: Settings,
        events: Vec<Event>,
        curve: Vec<CurvePoint>,
        shown: Vec<usize>,
        read: ReadAs,
        emit: &mut dyn FnMut(Response),
    ) -> Result<(), String> {
        // The data's bytes, or (empty) the upload: the browser's worker reads a stored
        // project's data from its blob instead of the page sending its bytes.
        let content = self.source(&name, csv)?;
        let mut session = restored_session(&name, &content, chosen.seed, &read)?;
        let config = full_settings(&chosen)?;
        session
            .reconfigure(config)
            .map_err(|e| format!("Could not restore the settings: {e}"))?;
        let total = events.len();
        let mut problem = None;
        for (i, event) in events.into_iter().enumerate() {
            if let Err(e) = session.apply(event.clone()) {
                problem = Some(format!(
                    "Restored {i} of {total} saved answers; answer {} could not be \
                         replayed ({e}), so it and the ones after it were left out.",
                    i + 1
                ));
                break;
            }
        }
        emit(Response::Opened(summary(&session)));
        self.scale = text_scale(&session);
        self.uploads.clear();
        self.images = matches!(read, ReadAs::Images { .. });
        (self.file, self.mapping) = match read {
            ReadAs::File => ((name, content), None),
            ReadAs::Mapped { mapping } => ((name, content), Some(mapping)),
            ReadAs::Images { .. } => ((name, Content::default()), None),
        };
        self.pending.clear();
        self.curve = curve;
        self.session = Some(session);
        self.pinned = shown;
        self.round(emit)?;
        if let Some(message) = problem {
            emit(Response::Error(message));
        }
        self.baseline();
        Ok(())
    }
}
