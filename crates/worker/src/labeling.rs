//! The person's events (label, skip, undo, relabel, add class, probe answers) and settings
//! changes: the page has stored each event before it sends it here.

use crate::open::full_settings;
use crate::protocol::Response;
use crate::views::{summary, ReviewItem, ReviewView};
use crate::WorkerState;
use engine::project::Settings;
use engine::review::ReviewOptions;
use engine::session::{Event, Origin};

impl WorkerState {
    /// [`crate::Request::Apply`]: apply one event; a refused one leaves the session unchanged.
    pub(crate) fn apply(
        &mut self,
        event: Event,
        emit: &mut dyn FnMut(Response),
    ) -> Result<(), String> {
        let session = self
            .session
            .as_mut()
            .ok_or("No dataset is open: open one before labeling.")?;
        let is_undo = event == Event::Undo;
        let adds_class = matches!(event, Event::AddClass { .. });
        let answered = match &event {
            Event::Label { row, .. } | Event::Skip { row } => Some(*row),
            _ => None,
        };
        if let Err(e) = session.apply(event) {
            emit(Response::Refused(format!(
                "That answer was not recorded: {e}"
            )));
            return Ok(());
        }
        if is_undo {
            let n = session.labels().len();
            self.curve.retain(|p| p.n_labels < n);
        }
        if adds_class {
            emit(Response::Configured(summary(session)));
        }
        // Batch mode: the rest of the batch, without refitting, until every pick is answered
        // (in any order: by keys, the sample first, or by the grid).
        if let Some(row) = answered {
            if let Some(at) = self.pending.iter().position(|q| q.row == row) {
                self.pending.remove(at);
                self.probe &= at != 0;
                if !self.pending.is_empty() {
                    return self.show(emit);
                }
            }
        }
        self.pending.clear();
        self.round(emit)
    }

    /// [`crate::Request::Settings`]: change every setting that may change mid-session.
    pub(crate) fn settings(
        &mut self,
        chosen: Settings,
        emit: &mut dyn FnMut(Response),
    ) -> Result<(), String> {
        let session = self.open_session()?;
        let config = full_settings(&chosen)?;
        session
            .reconfigure(config)
            .map_err(|e| format!("The settings were not changed: {e}"))?;
        emit(Response::Configured(summary(session)));
        self.pending.clear();
        self.round(emit)
    }

    /// [`crate::Request::Review`]: the person's labels, most likely wrong first.
    pub(crate) fn review(&self, emit: &mut dyn FnMut(Response)) -> Result<(), String> {
        let session = self.session()?;
        let options = ReviewOptions {
            seed: session.config().seed,
            ..ReviewOptions::default()
        };
        let data = session.data();
        // A demo's seed labels are the file's own and fixed: they inform the ranking but are not
        // offered for review.
        let seeds: std::collections::HashSet<usize> = session
            .history()
            .into_iter()
            .filter(|h| h.origin == Origin::Seed)
            .map(|h| h.row)
            .collect();
        let view = match session.review_labels(&options) {
            Ok(ranked) => ReviewView {
                note: ranked
                    .is_empty()
                    .then(|| "No labels to review yet.".to_string()),
                items: ranked
                    .into_iter()
                    .filter(|s| !seeds.contains(&s.row))
                    .map(|s| ReviewItem {
                        row: s.row,
                        row_id: data.row_ids.get(s.row).cloned().unwrap_or_default(),
                        features: data.row(s.row),
                        given: s.given,
                        suggested: s.suggested,
                        self_confidence: s.self_confidence,
                        score: s.score,
                        flagged: s.flagged,
                    })
                    .collect(),
            },
            Err(e) => ReviewView {
                items: Vec::new(),
                note: Some(format!("The labels cannot be reviewed yet: {e}")),
            },
        };
        emit(Response::Review(view));
        Ok(())
    }
}
