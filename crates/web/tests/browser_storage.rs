//! IndexedDB storage in headless Chromium: projects, datasets and event logs survive a reopen of
//! the database, damaged entries are reported with what could be read, deletes clean up.
#![cfg(target_arch = "wasm32")]

use engine::session::{Event, Origin};
use wasm_bindgen_test::*;
use web::storage::{DatasetRef, ProjectRecord, SavedSettings, Storage};

wasm_bindgen_test_configure!(run_in_browser);

fn record(id: &str, key: &str) -> ProjectRecord {
    ProjectRecord {
        id: id.into(),
        name: format!("project {id}"),
        dataset: DatasetRef::Stored {
            file_name: "mine.csv".into(),
            key: key.into(),
            read: worker::ReadAs::File,
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
    use engine::data::preview::Mapping;
    use worker::ReadAs;
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

/// With no project to restore, the studio shows the start page and then asks the worker, once, to
/// warm up (issue 6: the browser optimises the round code before a file opens); the request has
/// no answer, so nothing on the page waits for it.
#[wasm_bindgen_test]
async fn with_nothing_to_restore_the_studio_asks_the_worker_to_warm_up_once() {
    use leptos::prelude::GetUntracked;
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use web::studio::Studio;
    use worker::Request;

    let storage = Storage::open().await.unwrap();
    storage.set_last("no-such-project").await.unwrap();
    let seen: Rc<RefCell<Vec<Request>>> = Rc::default();
    let log = seen.clone();
    let made = Rc::new(std::cell::Cell::new(None));
    let keep = made.clone();
    let document = web_sys::window().unwrap().document().unwrap();
    let container: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    // Mounted as the app is (an owner for the signals, Leptos's task executor for the start-up).
    leptos::mount::mount_to(container, move || {
        let studio = Studio::new_in_thread(move |request, _| log.borrow_mut().push(request));
        studio.start();
        keep.set(Some(studio));
    })
    .forget();
    let studio = made.get().unwrap();
    // Polled, not timed: IndexedDB and the frame before the request take what they take.
    for _ in 0..1500 {
        if !seen.borrow().is_empty() {
            break;
        }
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let _ = web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    assert_eq!(*seen.borrow(), [Request::WarmUp]);
    assert!(
        !studio.busy.get_untracked(),
        "a warm-up leaves the studio idle"
    );
}
