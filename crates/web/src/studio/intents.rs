//! The person's intents: each is one typed call on the studio, and every answer becomes an
//! [`Event`] that takes the store-first path ([`Studio::apply`]).

use super::Studio;
use engine::models::ModelKind;
use engine::session::Event;
use engine::strategies::StrategyKind;
use leptos::prelude::*;
use worker::{Request, Settings};

impl Studio {
    /// The person labels the sample on screen as `class`. Ignored while a round is running (the
    /// sample on screen is about to change) or when `class` does not exist.
    pub fn label(&self, class: usize) {
        if let Some(row) = self.current_row() {
            self.label_row(row, class);
        }
    }

    /// The person labels `row`, one of the round's picks (the sample on screen or a batch card),
    /// as `class`, with the origin the worker gave that pick. Ignored while a round is running or
    /// when the row is not a pick or `class` does not exist.
    pub fn label_row(&self, row: usize, class: usize) {
        if self.busy.get_untracked() {
            return;
        }
        let n_classes = self
            .dataset
            .with_untracked(|d| d.as_ref().map_or(0, |d| d.class_names.len()));
        let origin = self.round.with_untracked(|r| {
            r.as_ref()
                .and_then(|r| r.batch.iter().chain(&r.query).find(|q| q.row == row))
                .map(|q| q.origin)
        });
        if let (Some(origin), true) = (origin, class < n_classes) {
            self.apply(Event::Label { row, class, origin });
        }
    }

    /// The row on screen, when a round is shown and nothing is running.
    pub(super) fn current_row(&self) -> Option<usize> {
        if self.busy.get_untracked() {
            return None;
        }
        self.round
            .with_untracked(|r| r.as_ref().and_then(|r| r.query.as_ref().map(|q| q.row)))
    }

    /// The person skips the sample on screen.
    pub fn skip(&self) {
        if let Some(row) = self.current_row() {
            self.apply(Event::Skip { row });
        }
    }

    /// Take back the last label or skip (ignored when there is none or a round is running).
    pub fn undo(&self) {
        let can = self
            .round
            .with_untracked(|r| r.as_ref().is_some_and(|r| r.can_undo));
        if can && !self.busy.get_untracked() {
            self.apply(Event::Undo);
        }
    }

    /// Change the strategy and model; the labels stay.
    pub fn configure(&self, strategy: StrategyKind, model: ModelKind) {
        let current = self
            .dataset
            .with_untracked(|d| d.as_ref().map(|d| d.settings.clone()))
            .unwrap_or_default();
        self.change_settings(Settings {
            strategy,
            model,
            ..current
        });
    }

    /// Fit the model now on every label given and pick the next batch (batch mode fits by itself
    /// once the batch is answered). Ignored while a round is running.
    pub fn refit(&self) {
        if !self.busy.get_untracked() {
            self.send(Request::Refit);
        }
    }

    /// Change any of the session's settings; the labels stay.
    pub fn change_settings(&self, settings: Settings) {
        if !self.busy.get_untracked() {
            self.send(Request::Settings(settings));
        }
    }

    /// Change the class of a row labeled earlier (from the history panel); the model retrains.
    pub fn relabel(&self, row: usize, class: usize) {
        self.apply(Event::Relabel { row, class });
    }

    /// Add a class during labeling.
    pub fn add_class(&self, name: String) {
        self.apply(Event::AddClass { name });
    }
}
