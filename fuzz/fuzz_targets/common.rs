//! What every target checks: no panic (libFuzzer reports those), and an imported dataset is
//! consistent and can start a session.

use engine::data::Dataset;
use engine::session::{Session, SessionConfig};

/// The invariants of an imported dataset.
pub fn check(d: &Dataset) {
    assert_eq!(d.features.nrows(), d.known_labels.len());
    assert_eq!(d.features.ncols(), d.feature_names.len());
    assert_eq!(d.row_ids.len(), d.n_rows());
    assert_eq!(d.report.rows_read, d.n_rows());
    assert!(d.n_features() > 0);
    assert!(
        d.features.iter().all(|v| v.is_finite()),
        "non-finite feature"
    );
    assert!(d.known_labels.iter().flatten().all(|&c| c < d.n_classes()));
}

/// What the worker does after an import: a session, one seed label per class, one round. Only for
/// small tables, so that each run stays fast.
pub fn session(d: Dataset) {
    if d.n_rows() > 200 || d.n_features() > 200 {
        return;
    }
    let Ok(mut session) = Session::new(d, SessionConfig::default()) else {
        return;
    };
    if session.seed_one_per_class().is_ok() {
        let _ = session.round();
    }
}
