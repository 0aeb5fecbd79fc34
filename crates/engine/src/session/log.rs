//! The append-only event log and the labeled state it describes.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The longest class name [`Event::AddClass`] accepts, in characters.
pub const MAX_CLASS_NAME_CHARS: usize = 200;

/// Who gave a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// Drawn from the dataset's known labels to start a demo (one per class).
    Seed,
    /// A person.
    User,
    /// The simulation oracle (known labels).
    Oracle,
    /// A person, answering a probe query (a uniformly random pool row, see
    /// [`SessionConfig::probe_share`](super::SessionConfig::probe_share)); `predicted` is the
    /// class the model predicted for the row when it was asked
    /// ([`Query::predicted`](super::Query::predicted)).
    Probe { predicted: usize },
}

/// One entry of the append-only log.
///
/// The JSON form (serde's externally tagged enums) is part of the project file format:
/// `{"Label":{"row":4,"class":1,"origin":"User"}}`, `{"Skip":{"row":7}}`, `"Undo"`,
/// `{"Relabel":{"row":4,"class":2}}`, `{"AddClass":{"name":"unsure"}}`, and a probe label's
/// origin is `{"Probe":{"predicted":0}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// `row` (a dataset row index) is of class `class`.
    Label {
        row: usize,
        class: usize,
        origin: Origin,
    },
    /// The person skipped `row`: it is not asked again while other rows remain.
    Skip { row: usize },
    /// Take back the most recent label, skip or relabel that is still in effect (seed labels and
    /// added classes stay).
    Undo,
    /// `row`, labeled already, is of class `class` instead (an `Undo` restores the class before).
    Relabel { row: usize, class: usize },
    /// A new class named `name` (trimmed), after the dataset's classes and the classes added
    /// before it; its index is the number of classes before it.
    AddClass { name: String },
}

/// A label in effect, for a history panel ([`Session::history`](super::Session::history)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The dataset row.
    pub row: usize,
    /// Its class now (relabels applied).
    pub class: usize,
    /// Who gave the first label.
    pub origin: Origin,
    /// Index in the log of the `Label` event.
    pub event_index: usize,
    /// Index in the log of the `Relabel` event in effect, if the row was relabeled.
    pub relabeled_at: Option<usize>,
}

/// The state a log describes: labels and skipped rows, with undone events removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelState {
    /// Labeled rows and their classes.
    pub labels: BTreeMap<usize, usize>,
    /// Skipped rows.
    pub skipped: BTreeSet<usize>,
    /// Labels, skips and relabels in the order they took effect (what `Undo` takes back, last
    /// first).
    pub history: Vec<Event>,
    /// The log index of each `history` event.
    pub history_index: Vec<usize>,
    /// Classes added with [`Event::AddClass`], trimmed, in order.
    pub added_classes: Vec<String>,
    /// The labels in effect in the order they were given, relabels applied.
    pub entries: Vec<HistoryEntry>,
    /// What `Undo` needs to take back each `history` event.
    undo: Vec<Inverse>,
    /// Row → its index in `entries`.
    position: BTreeMap<usize, usize>,
}

/// What taking back one history event restores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Inverse {
    /// Whether the row was skipped before the event.
    was_skipped: bool,
    /// For a relabel: the class and the relabel index before it.
    class: usize,
    relabeled_at: Option<usize>,
}

impl LabelState {
    /// Replay a log. Any log replays: events that do not fit the state (a second label of a
    /// row, a relabel or skip of a row that is not in the right state, an undo with nothing to
    /// take back) are ignored; [`Session::apply`](super::Session::apply) is what refuses them.
    ///
    /// ```
    /// use engine::session::{Event, LabelState, Origin};
    /// let log = [
    ///     Event::Label { row: 1, class: 0, origin: Origin::User },
    ///     Event::Skip { row: 2 },
    ///     Event::Undo,
    ///     Event::Label { row: 3, class: 1, origin: Origin::User },
    ///     Event::Relabel { row: 3, class: 0 },
    /// ];
    /// let state = LabelState::replay(&log);
    /// assert_eq!(state.labels.len(), 2);
    /// assert_eq!(state.labels[&3], 0);
    /// assert!(state.skipped.is_empty());
    /// ```
    pub fn replay(log: &[Event]) -> Self {
        let mut state = LabelState::default();
        for (index, event) in log.iter().enumerate() {
            state.push(index, event);
        }
        state
    }

    /// Apply one more event (the log's event number `index`) in constant time up to a
    /// logarithm: `replay` is this, event by event.
    pub fn push(&mut self, index: usize, event: &Event) {
        let mut inverse = Inverse {
            was_skipped: false,
            class: 0,
            relabeled_at: None,
        };
        match *event {
            Event::Undo => {
                if self.can_undo() {
                    self.take_back();
                }
                return;
            }
            Event::AddClass { ref name } => {
                self.added_classes.push(name.trim().to_string());
                return;
            }
            Event::Label { row, class, origin } => {
                if self.labels.contains_key(&row) {
                    return;
                }
                inverse.was_skipped = self.skipped.remove(&row);
                self.labels.insert(row, class);
                self.position.insert(row, self.entries.len());
                self.entries.push(HistoryEntry {
                    row,
                    class,
                    origin,
                    event_index: index,
                    relabeled_at: None,
                });
            }
            Event::Skip { row } => {
                if self.labels.contains_key(&row) {
                    return;
                }
                inverse.was_skipped = !self.skipped.insert(row);
            }
            Event::Relabel { row, class } => {
                let Some(&at) = self.position.get(&row) else {
                    return;
                };
                let entry = &mut self.entries[at];
                inverse.class = entry.class;
                inverse.relabeled_at = entry.relabeled_at;
                entry.class = class;
                entry.relabeled_at = Some(index);
                self.labels.insert(row, class);
            }
        }
        self.history.push(event.clone());
        self.history_index.push(index);
        self.undo.push(inverse);
    }

    /// Take back the last history event.
    fn take_back(&mut self) {
        let (Some(event), Some(inverse)) = (self.history.pop(), self.undo.pop()) else {
            return;
        };
        self.history_index.pop();
        match event {
            Event::Label { row, .. } => {
                self.labels.remove(&row);
                self.position.remove(&row);
                self.entries.pop(); // the latest label in effect is the last entry
                if inverse.was_skipped {
                    self.skipped.insert(row);
                }
            }
            Event::Skip { row } => {
                if !inverse.was_skipped {
                    self.skipped.remove(&row);
                }
            }
            Event::Relabel { row, .. } => {
                if let Some(&at) = self.position.get(&row) {
                    self.entries[at].class = inverse.class;
                    self.entries[at].relabeled_at = inverse.relabeled_at;
                }
                self.labels.insert(row, inverse.class);
            }
            Event::Undo | Event::AddClass { .. } => {}
        }
    }

    /// Whether an `Undo` now would take something back.
    pub fn can_undo(&self) -> bool {
        !matches!(
            self.history.last(),
            None | Some(Event::Label {
                origin: Origin::Seed,
                ..
            })
        )
    }
}

/// A few words naming an event, for messages ("a label of row 9").
pub(crate) fn describe(event: &Event) -> String {
    match event {
        Event::Label { row, .. } => format!("a label of row {row}"),
        Event::Skip { row } => format!("a skip of row {row}"),
        Event::Undo => "an undo".to_string(),
        Event::Relabel { row, .. } => format!("a relabel of row {row}"),
        Event::AddClass { name } => format!("a new class '{name}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_of_the_first_format_still_deserialize() {
        let json = r#"[{"Label":{"row":4,"class":1,"origin":"Seed"}},{"Label":{"row":9,"class":0,"origin":"User"}},{"Skip":{"row":7}},"Undo",{"Label":{"row":3,"class":2,"origin":"Oracle"}}]"#;
        let log: Vec<Event> = serde_json::from_str(json).unwrap();
        assert_eq!(
            log,
            vec![
                Event::Label {
                    row: 4,
                    class: 1,
                    origin: Origin::Seed
                },
                Event::Label {
                    row: 9,
                    class: 0,
                    origin: Origin::User
                },
                Event::Skip { row: 7 },
                Event::Undo,
                Event::Label {
                    row: 3,
                    class: 2,
                    origin: Origin::Oracle
                },
            ]
        );
        assert_eq!(
            serde_json::to_string(&log).unwrap(),
            json,
            "and serialize the same way"
        );
        let new = vec![
            Event::Relabel { row: 4, class: 0 },
            Event::AddClass {
                name: "unsure".into(),
            },
            Event::Label {
                row: 5,
                class: 3,
                origin: Origin::Probe { predicted: 1 },
            },
        ];
        let json = serde_json::to_string(&new).unwrap();
        assert_eq!(
            json,
            r#"[{"Relabel":{"row":4,"class":0}},{"AddClass":{"name":"unsure"}},{"Label":{"row":5,"class":3,"origin":{"Probe":{"predicted":1}}}}]"#
        );
        assert_eq!(serde_json::from_str::<Vec<Event>>(&json).unwrap(), new);
    }
}
