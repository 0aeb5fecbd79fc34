//! The worker's state machine: at most one open session, its curve and what is on screen; one
//! [`Request`] in, its [`Response`]s out. The requests' handlers live beside it, one module per
//! group: [`crate::open`] (files and sessions), [`crate::labeling`] (the person's events and
//! settings), [`crate::projects`] (project files and exports).

use crate::baseline::BaselineJob;
use crate::content::{check_upload_size, Content, Upload};
use crate::insight::{AdaptiveWhy, Insight, InsightCache};
use crate::protocol::{Request, Response};
use crate::views::{sample_view, summary, text_scale, HistoryItem, QueryView, RoundView};
use crate::warm_up;
use engine::data::preview::Mapping;
use engine::data::RowDisplay;
use engine::session::{Origin, Round, Session};
use engine::simulation::CurvePoint;

/// The worker's state: at most one open session and its curve.
#[derive(Debug, Default)]
pub struct WorkerState {
    pub(crate) session: Option<Session>,
    pub(crate) curve: Vec<CurvePoint>,
    /// After a restore: the row that was on screen, shown again by the next round.
    pub(crate) pinned: Vec<usize>,
    /// The open file's name and bytes (for exports).
    pub(crate) file: (String, Content),
    /// The column roles the open file was read with, when the person chose them (for exports).
    pub(crate) mapping: Option<Mapping>,
    /// The open session is an image folder: `file` holds no table, so the exports that need one
    /// (project file, labels CSV) say so instead of writing another file's data.
    pub(crate) images: bool,
    /// The last round's picks not answered yet (batch mode), with whether the first is a probe.
    pub(crate) pending: Vec<QueryView>,
    pub(crate) probe: bool,
    pub(crate) test_accuracy: Option<f64>,
    /// PCA, map sample and histories of the insight panels.
    pub(crate) insight: InsightCache,
    /// The last round's insight (batch picks after the first are shown with it).
    pub(crate) last_insight: Option<Box<Insight>>,
    /// Uploaded files: path and bytes so far.
    pub(crate) uploads: Vec<(String, Upload)>,
    /// The session's feature scales (for text highlights).
    pub(crate) scale: Vec<f64>,
    /// The random baseline under way.
    pub(crate) baseline: Option<BaselineJob>,
    /// Whether the caller runs the background work ([`WorkerState::defer_background_work`]).
    pub(crate) defer_background: bool,
}

/// Why a request that needs a dataset was refused.
const NOTHING_OPEN: &str = "No dataset is open: open one first.";

impl WorkerState {
    /// Handle one request, emitting responses as soon as each is ready (the first round before the
    /// slower baseline).
    pub fn handle(&mut self, request: Request, emit: &mut dyn FnMut(Response)) {
        if let Err(message) = self.dispatch(request, emit) {
            emit(Response::Error(message));
        }
        if !self.defer_background {
            while self.background_step(emit) {}
        }
    }

    fn dispatch(&mut self, request: Request, emit: &mut dyn FnMut(Response)) -> Result<(), String> {
        match request {
            Request::Open { name, csv, seed } => self.open(name, csv, seed, emit),
            Request::Preview { name, bytes } => self.preview(name, bytes, emit),
            Request::OpenWith {
                name,
                bytes,
                mapping,
                seed,
            } => self.open_with(name, bytes, mapping, seed, emit),
            Request::Upload { files } => self.upload(files),
            Request::UploadChunk { file, bytes } => self.upload_chunk(file, bytes),
            Request::UploadFiles { .. } => Err(
                "Files handed over as they are are read by the browser's worker: send their bytes in Upload and UploadChunk requests."
                    .into(),
            ),
            Request::OpenImages { .. } => Err(
                "Images are decoded by the browser's worker: this worker cannot decode them."
                    .into(),
            ),
            Request::OpenDecodedImages {
                name,
                images,
                skipped,
                classes,
                seed,
            } => self.open_decoded_images(name, images, skipped, classes, seed, emit),
            Request::Restore {
                name,
                csv,
                settings,
                events,
                curve,
                shown,
                read,
            } => self.restore(name, csv, settings, events, curve, shown, read, emit),
            Request::Apply { event } => self.apply(event, emit),
            Request::Review => self.review(emit),
            Request::Refit => {
                self.open_session()?;
                self.pending.clear();
                self.round(emit)
            }
            Request::Settings(settings) => self.settings(settings, emit),
            Request::ExportProject {
                name,
                created_ms,
                updated_ms,
                bundled,
            } => self.export_project(name, created_ms, updated_ms, bundled, emit),
            Request::Export(kind) => self.export(kind, emit),
            Request::ImportProject {
                file_name,
                bytes,
                bundled,
            } => self.import_project(file_name, bytes, bundled, emit),
            // Attachments exist only between the page and the browser's worker (`web`), which
            // handles this itself ([`WorkerState::use_stored_file`]).
            Request::StoredFile { .. } => Ok(()),
            Request::WarmUp => {
                if self.session.is_none() {
                    warm_up::warm_up();
                }
                Ok(())
            }
        }
    }

    /// The uploaded files, emptied: for the web worker's image decoding (which reads them one at
    /// a time).
    pub fn take_uploads(&mut self) -> Vec<(String, Content)> {
        std::mem::take(&mut self.uploads)
            .into_iter()
            .map(|(path, mut upload)| (path, upload.content()))
            .collect()
    }

    /// Read the open file from `content` from now on (the page's stored copy of it), if the open
    /// file is `name` and has as many bytes; whether it did.
    pub fn use_stored_file(&mut self, name: &str, content: Content) -> bool {
        let same = !self.images && self.file.0 == name && self.file.1.size() == content.size();
        if same {
            self.file.1 = content;
        }
        same
    }

    /// Make `files` the upload as they are (the browser's worker: the picked files, read when
    /// needed instead of copied into memory).
    pub fn attach(&mut self, files: Vec<(String, Content)>) -> Result<(), String> {
        self.uploads.clear();
        let total: u64 = files.iter().map(|(_, c)| c.size()).sum();
        check_upload_size(total)?;
        self.uploads = files
            .into_iter()
            .map(|(path, content)| (path, Upload::Ready(content)))
            .collect();
        Ok(())
    }

    /// `bytes`, or when empty the uploaded file (there must be exactly one), shared.
    pub(crate) fn source(&mut self, name: &str, bytes: Vec<u8>) -> Result<Content, String> {
        if !bytes.is_empty() {
            return Ok(Content::bytes(bytes));
        }
        match self.uploads.as_mut_slice() {
            [(_, upload)] => Ok(upload.content()),
            _ => Err(format!("{name} is empty: it has no bytes to read.")),
        }
    }

    /// Make `session` the open one: announce it, run its first round and (when test labels
    /// exist) the baseline.
    pub(crate) fn start(
        &mut self,
        session: Session,
        emit: &mut dyn FnMut(Response),
    ) -> Result<(), String> {
        // Text and image datasets get no random baseline: their 5 × 150 fits on hundreds of
        // features would keep the worker from answering the person's labels for too long.
        let has_test =
            !session.split().test.is_empty() && matches!(session.data().display, RowDisplay::Table);
        self.scale = text_scale(&session);
        emit(Response::Opened(summary(&session)));
        self.pending.clear();
        self.curve.clear();
        self.session = Some(session);
        self.uploads.clear();
        self.round(emit)?;
        self.baseline = None;
        if has_test {
            self.baseline();
        }
        Ok(())
    }

    /// The open session, to change; an error for the person when none is open.
    pub(crate) fn open_session(&mut self) -> Result<&mut Session, String> {
        self.session
            .as_mut()
            .ok_or_else(|| NOTHING_OPEN.to_string())
    }

    /// The open session; an error for the person when none is open.
    pub(crate) fn session(&self) -> Result<&Session, String> {
        self.session
            .as_ref()
            .ok_or_else(|| NOTHING_OPEN.to_string())
    }

    pub(crate) fn round(&mut self, emit: &mut dyn FnMut(Response)) -> Result<(), String> {
        // Field by field: the round borrows the session beside the other fields.
        let session = self.session.as_mut().ok_or(NOTHING_OPEN)?;
        let Round {
            n_labels,
            test_accuracy,
            batch,
            probe,
            adaptive,
            ..
        } = session.round().map_err(|e| e.to_string())?;
        let asked = batch.first().map(|q| q.row);
        // After a restore, the picks that were on screen come back as they were: a refit from
        // scratch on labels that now include part of the batch would pick others.
        let batch = restored_picks(session, std::mem::take(&mut self.pinned), batch);
        let probe = probe && batch.first().is_some_and(|q| q.probe);
        let data = session.data();
        let first = batch.first().cloned();
        let picks: Vec<QueryView> = batch
            .into_iter()
            .map(|q| QueryView {
                predicted: q.predicted(),
                origin: q.origin(),
                features: data.row(q.row),
                known_label: data.known_labels[q.row],
                row_id: data.row_ids.get(q.row).cloned().unwrap_or_default(),
                display: sample_view(session, &self.scale, q.row, &q.proba),
                row: q.row,
                proba: q.proba,
                // A cold start's first pick has an infinite distance to the (empty) labeled set:
                // shown as the largest score there is. NaN: a pick shown again after a restore.
                score: if q.score.is_infinite() {
                    f64::MAX
                } else {
                    q.score
                },
            })
            .collect();
        if let Some(accuracy) = test_accuracy {
            self.curve.retain(|p| p.n_labels != n_labels);
            self.curve.push(CurvePoint { n_labels, accuracy });
        }
        self.pending = picks;
        self.probe = probe;
        self.test_accuracy = test_accuracy;
        // The sample first: the page shows it while the insight is computed (a second pass of
        // the model over the pool, the map, the test-split scores).
        self.emit_round(emit, true)?;
        let session = self.session.as_ref().ok_or(NOTHING_OPEN)?;
        let mut insight = Box::new(self.insight.update(session, first.as_ref(), &self.curve));
        // The adaptive explanation belongs to the row the round drew (not a restored pin).
        if let Some(why) = insight.why.as_mut().filter(|w| Some(w.row) == asked) {
            why.adaptive = adaptive.as_ref().map(AdaptiveWhy::new);
        }
        emit(Response::Insight(insight.clone()));
        self.last_insight = Some(insight);
        Ok(())
    }

    /// Show the first pending pick with the session's current state, then the last round's
    /// insight (batch picks after the first are shown with it).
    pub(crate) fn show(&mut self, emit: &mut dyn FnMut(Response)) -> Result<(), String> {
        self.emit_round(emit, self.last_insight.is_some())?;
        if let Some(insight) = &self.last_insight {
            emit(Response::Insight(insight.clone()));
        }
        Ok(())
    }

    /// The [`Response::Round`] of the first pending pick.
    fn emit_round(
        &self,
        emit: &mut dyn FnMut(Response),
        insight_follows: bool,
    ) -> Result<(), String> {
        let session = self.session()?;
        let state = session.state();
        let data = session.data();
        let query = self.pending.first().cloned();
        emit(Response::Round(RoundView {
            n_labels: state.labels.len(),
            test_accuracy: self.test_accuracy,
            curve: self.curve.clone(),
            query,
            batch: self.pending.clone(),
            can_undo: state.can_undo(),
            skipped: state.skipped.len(),
            history: session
                .history()
                .into_iter()
                .map(|h| HistoryItem {
                    row: h.row,
                    id: data.row_ids.get(h.row).cloned().unwrap_or_default(),
                    class: h.class,
                    by_user: h.origin != Origin::Seed,
                    relabeled: h.relabeled_at.is_some(),
                })
                .collect(),
            probe: self.probe,
            probe_estimate: session.probe_estimate(),
            insight_follows,
        }));
        Ok(())
    }

    /// Start the open session's random baseline (replacing one under way); it runs in
    /// [`WorkerState::background_step`]s.
    pub(crate) fn baseline(&mut self) {
        self.baseline = self.session.as_ref().and_then(BaselineJob::new);
    }

    /// Whether work waits for [`WorkerState::background_step`].
    pub fn has_background_work(&self) -> bool {
        self.baseline.as_ref().is_some_and(|b| !b.done())
    }

    /// Do a small piece of the background work (a round of the random baseline), emitting the
    /// baseline when one of its runs has finished (when deferred; otherwise when all have);
    /// whether more is left. A failure ends the job
    /// with an error for the person.
    pub fn background_step(&mut self, emit: &mut dyn FnMut(Response)) -> bool {
        let Some(job) = self.baseline.as_mut() else {
            return false;
        };
        match job.step() {
            // Run by run only when someone is watching between answers; otherwise once, finished.
            Ok(Some(view)) if self.defer_background || job.done() => emit(Response::Baseline(view)),
            Ok(_) => {}
            Err(message) => {
                self.baseline = None;
                emit(Response::Error(format!(
                    "The random baseline stopped: {message}"
                )));
                return false;
            }
        }
        self.has_background_work()
    }

    /// Leave the background work to the caller (the browser's worker runs it between requests
    /// so that it never delays an answer); by default [`WorkerState::handle`] finishes it.
    pub fn defer_background_work(&mut self) {
        self.defer_background = true;
    }
}

/// The round's picks after a restore: the rows in `shown` that are still candidates (in the pool,
/// neither labeled nor skipped), in their order, each with this round's numbers when the round
/// picked it too (else the current model's probabilities and no score); the round's own picks
/// when none is left.
fn restored_picks(
    session: &Session,
    shown: Vec<usize>,
    picks: Vec<engine::session::Query>,
) -> Vec<engine::session::Query> {
    let state = session.state();
    let pool: std::collections::HashSet<usize> = session.split().pool.iter().copied().collect();
    let open: Vec<usize> = shown
        .into_iter()
        .filter(|r| pool.contains(r) && !state.labels.contains_key(r) && !state.skipped.contains(r))
        .collect();
    let Some(model) = session.model().filter(|_| !open.is_empty()) else {
        return picks;
    };
    let proba = session.predict_rows(model, &open);
    open.iter()
        .zip(proba.outer_iter())
        .map(|(&row, p)| match picks.iter().find(|q| q.row == row) {
            Some(q) => q.clone(),
            None => engine::session::Query {
                row,
                score: f64::NAN,
                proba: p.to_vec(),
                // A probe shown again is a probe only when this round drew it too.
                probe: false,
            },
        })
        .collect()
}
