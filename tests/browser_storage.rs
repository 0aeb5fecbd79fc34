//! IndexedDB storage in headless Chromium: projects, datasets and event logs survive a reopen of
//! the database, damaged entries are reported with what could be read, deletes clean up.
#![cfg(target_arch = "wasm32")]

use activelab::engine::session::{Event, Origin};
use activelab::ui::storage::{DatasetRef, ProjectRecord, SavedSettings, Storage};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn record(id: &str, key: &str) -> ProjectRecord {
    ProjectRecord {
        id: id.into(),
        name: format!("project {id}"),
        dataset: DatasetRef::Stored {
            file_name: "mine.csv".into(),
            key: key.into(),
            read: activelab::worker::ReadAs::File,
        },
        size_bytes: 3,
        n_rows: 3,
        n_labels: 0,
        n_events: 0,
        settings: SavedSettings {
            query_row: Some(7),
            ..SavedSettings::default()
        },
        created_ms: 1.0,
        updated_ms: 1.0,
    }
}

#[wasm_bindgen_test]
async fn a_log_survives_reopening_and_is_cut_and_deleted() {
    let storage = Storage::open().await.unwrap();
    let mut rec = record("t1", "fp-1");
    storage.save_dataset("fp-1", b"a,b\n1,2\n").await.unwrap();
    storage.save_project(&rec).await.unwrap();
    let events = [
        Event::Label {
            row: 4,
            class: 1,
            origin: Origin::User,
        },
        Event::Skip { row: 7 },
        Event::Undo,
    ];
    for (seq, e) in events.iter().enumerate() {
        rec.n_events = seq + 1;
        rec.updated_ms = 10.0 + seq as f64;
        storage.append_event(&rec, seq, e).await.unwrap();
    }
    storage.set_last("t1").await.unwrap();

    let again = Storage::open().await.unwrap();
    let (log, damaged) = again.events("t1").await.unwrap();
    assert_eq!(log, events.to_vec());
    assert_eq!(damaged, None);
    assert_eq!(again.project("t1").await.unwrap().unwrap().n_events, 3);
    assert_eq!(again.last().await.unwrap().as_deref(), Some("t1"));
    assert_eq!(again.dataset("fp-1").await.unwrap().unwrap(), b"a,b\n1,2\n");
    // Stored as bytes, handed to the worker as a blob of the same bytes (a restore).
    let blob = again.dataset_blob("fp-1").await.unwrap().unwrap();
    let text = wasm_bindgen_futures::JsFuture::from(blob.text())
        .await
        .unwrap();
    assert_eq!(text.as_string().as_deref(), Some("a,b\n1,2\n"));
    assert!(again.dataset_blob("fp-none").await.unwrap().is_none());

    again.truncate_events("t1", 1).await.unwrap();
    assert_eq!(again.events("t1").await.unwrap().0, events[..1].to_vec());

    // A second project on the same dataset keeps it alive when the first is deleted.
    again.save_project(&record("t2", "fp-1")).await.unwrap();
    again.delete_project("t1").await.unwrap();
    assert!(again.project("t1").await.unwrap().is_none());
    assert!(again.events("t1").await.unwrap().0.is_empty());
    assert_eq!(again.last().await.unwrap(), None);
    assert!(again.dataset("fp-1").await.unwrap().is_some());
    again.delete_project("t2").await.unwrap();
    assert!(again.dataset("fp-1").await.unwrap().is_none());
    let (list, damaged) = again.projects().await.unwrap();
    assert!(list.iter().all(|p| p.id != "t1" && p.id != "t2"));
    assert_eq!(damaged, 0);
}

#[wasm_bindgen_test]
fn records_without_the_read_field_read_as_plain_files_and_mapped_ones_keep_their_mapping() {
    use activelab::engine::data::preview::Mapping;
    use activelab::worker::ReadAs;
    // A record as written before `read` existed.
    let old = r#"{"id":"p1","name":"mine","dataset":{"kind":"stored","file_name":"mine.csv","key":"fp-1"},"size_bytes":3,"n_rows":3,"n_labels":0,"n_events":0,"settings":{},"created_ms":1.0,"updated_ms":1.0}"#;
    let parsed: ProjectRecord = serde_json::from_str(old).unwrap();
    assert!(matches!(
        parsed.dataset,
        DatasetRef::Stored {
            read: ReadAs::File,
            ..
        }
    ));
    // A plain file is written as before (no `read`), a mapped one with its mapping.
    assert!(!serde_json::to_string(&parsed).unwrap().contains("\"read\""));
    let mut mapped = parsed;
    mapped.dataset = DatasetRef::Stored {
        file_name: "mine.csv".into(),
        key: "fp-1".into(),
        read: ReadAs::Mapped {
            mapping: Mapping {
                id: Some("id".into()),
                classes: vec!["a".into(), "b".into()],
                ..Mapping::default()
            },
        },
    };
    let text = serde_json::to_string(&mapped).unwrap();
    assert_eq!(
        serde_json::from_str::<ProjectRecord>(&text).unwrap(),
        mapped
    );
}
