//! The studio's store: the signals the worker's responses update and the person's intents read,
//! reached with [`use_studio`]. Nothing else holds the app's state.
//!
//! | module | its job |
//! |---|---|
//! | [`client`] | The worker client: send requests, apply their responses to the signals. |
//! | `intents` | What the person does (label, skip, undo, settings), each one typed intent. |
//! | `persistence` | The write-ahead log in IndexedDB: an event is stored before the worker applies it. |
//! | `projects` | The project lifecycle: open, restore, import, export, delete. |
//! | [`review`] | The label review queue: walk the labels the model doubts, keep or change each. |

mod client;
mod intents;
mod persistence;
mod projects;
pub mod review;

use crate::runlog::RunLog;
use crate::storage::{ProjectRecord, Storage};
use client::Reading;
pub use client::{Backend, InThreadHandler};
use engine::data::preview::Preview;
use engine::session::Event;
use leptos::prelude::*;
use projects::Pending;
use worker::insight::Insight;
use worker::{BaselineView, DatasetSummary, RoundView};

/// The studio's state and intents. `Copy`, so closures take it freely.
#[derive(Clone, Copy)]
pub struct Studio {
    /// The open dataset.
    pub dataset: RwSignal<Option<DatasetSummary>>,
    /// The last round: curve, accuracy, the sample on screen.
    pub round: RwSignal<Option<RoundView>>,
    /// The last round's insight (charts, map, why-panel). The worker sends it after the round,
    /// and it is applied after the next frame, so that the sample paints first.
    pub insight: RwSignal<Option<Box<Insight>>>,
    /// A round's insight is waiting for its frame (the status is not idle until it is shown).
    pub insight_pending: RwSignal<bool>,
    /// The random-sampling baseline.
    pub baseline: RwSignal<Option<BaselineView>>,
    /// A request is being worked on.
    pub busy: RwSignal<bool>,
    /// The last error, for the person to read.
    pub error: RwSignal<Option<String>>,
    /// The keyboard help overlay is open.
    pub help_open: RwSignal<bool>,
    /// The label review queue, while the person walks it.
    pub review: RwSignal<Option<review::ReviewQueue>>,
    /// The open project (what IndexedDB holds of it).
    pub project: RwSignal<Option<ProjectRecord>>,
    /// Every stored project, most recent first.
    pub projects: RwSignal<Vec<ProjectRecord>>,
    /// Why work is kept only in memory (IndexedDB unavailable or full), when it is.
    pub storage_note: RwSignal<Option<String>>,
    /// The preview of a file about to be opened (the mapping step shows it).
    pub preview: RwSignal<Option<Preview>>,
    /// Work in progress the worker reports: stage, done, total.
    pub progress: RwSignal<Option<(String, u64, u64)>>,
    /// Writes of a newly opened or imported project still on their way to IndexedDB. The status
    /// says "Saving…" (and is not idle) until they are done: a reload before then would find
    /// the project missing.
    pub saving: RwSignal<u32>,
    backend: StoredValue<Backend, LocalStorage>,
    /// The run log the labeling session's curve is kept in (the app's, when it provides one).
    runs: RunLog,
    storage: StoredValue<Option<Storage>, LocalStorage>,
    /// The person's events of the open project, as stored (the worker holds the same log).
    log: StoredValue<Vec<Event>, LocalStorage>,
    /// A project being opened: it becomes the open one (and, when new, is stored) only once the
    /// worker has opened its data, so a file that fails to open leaves the open project alone.
    pending: StoredValue<Option<Pending>, LocalStorage>,
    /// A project file waiting for its bundled demo's bytes.
    importing: StoredValue<Option<(String, Vec<u8>)>, LocalStorage>,
    /// Files the worker is reading ([`Request::UploadFiles`]): where its progress goes and who
    /// waits for the fingerprints.
    reading: StoredValue<Option<Reading>, LocalStorage>,
    /// Counts rounds and insights: a deferred insight applies only if nothing newer came meanwhile.
    insight_generation: StoredValue<u64>,
}

impl Studio {
    /// The signals, with no backend yet.
    fn unconnected() -> Self {
        Self {
            dataset: RwSignal::new(None),
            round: RwSignal::new(None),
            insight: RwSignal::new(None),
            insight_pending: RwSignal::new(false),
            baseline: RwSignal::new(None),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
            help_open: RwSignal::new(false),
            review: RwSignal::new(None),
            project: RwSignal::new(None),
            projects: RwSignal::new(Vec::new()),
            storage_note: RwSignal::new(None),
            preview: RwSignal::new(None),
            progress: RwSignal::new(None),
            saving: RwSignal::new(0),
            backend: StoredValue::new_local(Backend::Unavailable),
            runs: use_context::<RunLog>().unwrap_or_default(),
            storage: StoredValue::new_local(None),
            log: StoredValue::new_local(Vec::new()),
            pending: StoredValue::new_local(None),
            importing: StoredValue::new_local(None),
            reading: StoredValue::new_local(None),
            insight_generation: StoredValue::new(0),
        }
    }

    /// The next insight generation (`None` once the studio is gone).
    fn next_insight_generation(&self) -> Option<u64> {
        self.insight_generation.try_update_value(|g| {
            *g += 1;
            *g
        })
    }

    /// A round arrived: its insight comes next when `follows` (the status is not idle until it
    /// is shown; keys already work on the new sample). An insight still waiting for its frame
    /// is dropped: it belongs to an older round.
    fn expect_insight(&self, follows: bool) {
        self.next_insight_generation();
        self.insight_pending.set(follows);
    }

    /// No insight (another dataset opened).
    fn clear_insight(&self) {
        self.next_insight_generation();
        self.insight.set(None);
        self.insight_pending.set(false);
    }

    /// Show a round's insight once the frame after it has painted: building the panels (the
    /// map's points, the confusion matrix, the curves) costs as much as the sample's own update,
    /// which the person needs first.
    fn show_insight(&self, insight: Box<Insight>) {
        let Some(generation) = self.next_insight_generation() else {
            return;
        };
        self.insight_pending.set(true);
        let studio = *self;
        crate::next_frame(move || {
            if studio.insight_generation.try_get_value() == Some(generation) {
                studio.insight.try_set(Some(insight));
                studio.insight_pending.try_set(false);
            }
        });
    }
}

/// Make the studio available to every component below.
pub fn provide_studio(studio: Studio) {
    provide_context(studio);
}

/// The studio provided by [`provide_studio`].
///
/// Calling it outside [`provide_studio`] is a programming error (every component is mounted under
/// `StudioView`), not something user data can cause, so it panics with the reason.
pub fn use_studio() -> Studio {
    use_context::<Studio>().expect("components must be mounted below provide_studio")
}

/// The open dataset's class names (empty when none is open), as a memo for the views.
pub fn use_class_names() -> Memo<Vec<String>> {
    let studio = use_studio();
    Memo::new(move |_| {
        studio.dataset.with(|d| {
            d.as_ref()
                .map(|d| d.class_names.clone())
                .unwrap_or_default()
        })
    })
}
