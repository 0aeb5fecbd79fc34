//! Warming the browser's optimising compiler up before the person opens a file.

use crate::open::unseeded_session;
use crate::protocol::{Request, Response};
use crate::WorkerState;
use engine::data::RowDisplay;
use engine::session::{Event, Origin};

/// Rows, features and classes of [`warm_up`]'s dataset without labels (as a large import).
const WARM_UP_SHAPE: (usize, usize, usize) = (3_000, 50, 5);
/// Rows of [`warm_up`]'s small labeled tables (as a demo; a baseline on more rows would only take
/// longer).
const WARM_UP_DEMO_ROWS: usize = 60;
/// Labels [`warm_up`] gives each of its sessions, one round each.
pub const WARM_UP_LABELS: usize = 10;

/// What one of [`warm_up`]'s throwaway sessions ran (for tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WarmUpRun {
    /// Labels the session held at the end.
    pub labels: usize,
    /// Distinct classes among them.
    pub classes: usize,
    /// Its text column became the features.
    pub text: bool,
    /// It had a test split, so the random baseline ran.
    pub baseline: bool,
}

/// Run the code of a session's first rounds in throwaway [`WorkerState`]s and drop everything:
/// a synthetic dataset without labels, opened as an import without a label column (a cold start
/// and the insight's map); a small numeric table and a small text table with a label column,
/// opened as a demo is (seed labels, a test split, the random baseline). Each gets
/// [`WARM_UP_LABELS`] labels (a fit, the pool's probabilities and scores, the insight with a
/// model each round).
///
/// Why: Chromium compiles hot wasm functions again with its optimising compiler on background
/// threads; run while the page is idle (it asks once the start page shows), those compiles are
/// done before a file is opened instead of competing with the page's first frames
/// (docs/performance.md).
pub fn warm_up() -> [WarmUpRun; 3] {
    let (numbers, texts) = warm_up_tables();
    [
        warm_up_import().unwrap_or_default(),
        warm_up_demo(numbers),
        warm_up_demo(texts),
    ]
}

/// [`warm_up`]'s import: the synthetic dataset with its labels hidden (kept to answer with).
fn warm_up_import() -> Option<WarmUpRun> {
    let (rows, features, classes) = WARM_UP_SHAPE;
    let mut data =
        engine::data::synthetic::blobs(rows, features, classes, 1.5, &mut engine::rng(0, 0))
            .ok()?;
    let truth = std::mem::replace(&mut data.known_labels, vec![None; rows]);
    let mut state = WorkerState::default();
    state
        .start(unseeded_session(data, 0).ok()?, &mut |_| {})
        .ok()?;
    Some(warm_up_labels(state, &truth))
}

/// [`warm_up`]'s demo: `csv` opened as a bundled demo is.
fn warm_up_demo(csv: String) -> WarmUpRun {
    let mut state = WorkerState::default();
    let mut baseline = false;
    state.handle(
        Request::Open {
            name: "warm-up.csv".into(),
            csv: csv.into_bytes(),
            seed: 0,
        },
        &mut |r| baseline |= matches!(r, Response::Baseline(_)),
    );
    WarmUpRun {
        baseline,
        ..warm_up_labels(state, &[])
    }
}

/// [`warm_up`]'s two small tables with a label column (three classes): six numeric columns, and
/// one text column.
fn warm_up_tables() -> (String, String) {
    let mut numbers = String::from("x0,x1,x2,x3,x4,x5,label\n");
    let mut texts = String::from("text,label\n");
    let words = [
        "river", "stone", "cloud", "lamp", "garden", "ship", "winter", "bread", "violin", "road",
        "mirror", "forest",
    ];
    for i in 0..WARM_UP_DEMO_ROWS {
        let class = i % 3;
        let cells: Vec<String> = (0..6)
            .map(|j| {
                format!(
                    "{:.2}",
                    ((i * 7 + j * 13) % 17) as f64 / 4.0 + (class * j) as f64
                )
            })
            .collect();
        numbers.push_str(&format!("{},c{class}\n", cells.join(",")));
        let text: Vec<&str> = (0..6)
            .map(|j| words[(class * 4 + (i + j * 5) % 6) % words.len()])
            .collect();
        texts.push_str(&format!("{},c{class}\n", text.join(" ")));
    }
    (numbers, texts)
}

/// Give the first pending pick its true label (from `truth`, else the one the data knows),
/// [`WARM_UP_LABELS`] times (a round each), and say what the session holds then.
fn warm_up_labels(mut state: WorkerState, truth: &[Option<usize>]) -> WarmUpRun {
    for _ in 0..WARM_UP_LABELS {
        let Some(q) = state.pending.first() else {
            break;
        };
        let known = truth.get(q.row).copied().flatten().or(q.known_label);
        let (row, class) = (q.row, known.unwrap_or(0));
        state.handle(
            Request::Apply {
                event: Event::Label {
                    row,
                    class,
                    origin: Origin::User,
                },
            },
            &mut |_| {},
        );
    }
    state
        .session
        .as_ref()
        .map_or(WarmUpRun::default(), |session| {
            let labels = session.labels();
            let classes: std::collections::BTreeSet<usize> = labels.values().copied().collect();
            WarmUpRun {
                labels: labels.len(),
                classes: classes.len(),
                text: matches!(session.data().display, RowDisplay::Texts { .. }),
                baseline: false,
            }
        })
}
