//! The label review queue: the worker ranks the person's labels by how likely each is wrong
//! ([`Request::Review`]); the person walks the rows it doubts one at a time, keeping a label or
//! changing it (a [`Event::Relabel`], stored first like every answer).

use super::Studio;
use engine::session::Event;
use leptos::prelude::*;
use worker::{Request, ReviewItem, ReviewView};

/// The rows to review and where the person is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewQueue {
    /// The rows the model doubts (flagged, or another class preferred), most doubtful first.
    pub items: Vec<ReviewItem>,
    /// The row on screen (`items.len()` once every row was seen).
    pub at: usize,
    /// Labels changed so far.
    pub changed: usize,
    /// Why there is nothing to review, when the worker said so.
    pub note: Option<String>,
}

impl ReviewQueue {
    /// The queue of a worker's ranking: only the rows the model doubts.
    pub fn new(view: ReviewView) -> Self {
        Self {
            items: view
                .items
                .into_iter()
                .filter(|i| i.flagged || i.suggested != i.given)
                .collect(),
            at: 0,
            changed: 0,
            note: view.note,
        }
    }

    /// The row on screen, if any is left.
    pub fn current(&self) -> Option<&ReviewItem> {
        self.items.get(self.at)
    }

    /// On to the next row.
    pub fn advance(&mut self) {
        self.at = (self.at + 1).min(self.items.len());
    }
}

impl Studio {
    /// Ask the worker for the review queue (ignored while a round is running).
    pub fn open_review(&self) {
        if !self.busy.get_untracked() && self.dataset.with_untracked(Option::is_some) {
            self.send(Request::Review);
        }
    }

    /// The review queue is on screen.
    pub fn review_open(&self) -> bool {
        self.review.with_untracked(Option::is_some)
    }

    /// Leave the review.
    pub fn close_review(&self) {
        self.review.set(None);
    }

    /// Keep the label on screen and move on.
    pub fn review_keep(&self) {
        self.review.update(|q| {
            if let Some(q) = q {
                q.advance();
            }
        });
    }

    /// Give the row on screen `class` instead (keeping it when it is the label given) and move
    /// on. Ignored while a round is running: the change would not be stored.
    pub fn review_change(&self, class: usize) {
        if self.busy.get_untracked() {
            return;
        }
        let n_classes = self
            .dataset
            .with_untracked(|d| d.as_ref().map_or(0, |d| d.class_names.len()));
        let Some(item) = self
            .review
            .with_untracked(|q| q.as_ref().and_then(|q| q.current().cloned()))
        else {
            return;
        };
        if class >= n_classes {
            return;
        }
        if class != item.given {
            self.apply(Event::Relabel {
                row: item.row,
                class,
            });
        }
        self.review.update(|q| {
            if let Some(q) = q {
                q.changed += usize::from(class != item.given);
                q.advance();
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn item(row: usize, given: usize, suggested: usize, flagged: bool) -> ReviewItem {
        ReviewItem {
            row,
            row_id: row.to_string(),
            features: vec![],
            given,
            suggested,
            self_confidence: 0.5,
            score: 0.1,
            flagged,
        }
    }

    #[wasm_bindgen_test]
    fn the_queue_holds_only_doubted_rows_and_stops_at_the_end() {
        let view = ReviewView {
            items: vec![
                item(4, 0, 1, true),
                item(2, 1, 1, false),
                item(7, 2, 0, false),
            ],
            note: None,
        };
        let mut q = ReviewQueue::new(view);
        assert_eq!(q.items.iter().map(|i| i.row).collect::<Vec<_>>(), [4, 7]);
        q.advance();
        assert_eq!(q.current().map(|i| i.row), Some(7));
        q.advance();
        q.advance();
        assert_eq!((q.at, q.current()), (2, None));
    }
}
