//! The worker's file reading, in a dedicated worker (`FileReaderSync`, which
//! `worker::web::BlobSource` reads with, exists only in workers).
#![cfg(target_arch = "wasm32")]

use engine::data::preview::{import_source, import_with_mapping, Mapping};
use engine::data::source::{read_all, ByteSource};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use worker::web::{BlobSource, CHUNK_BYTES};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// A `Blob` read through `BlobSource` gives its bytes at any offset, across the 1 MiB blocks it
/// reads, and the importer parses it as it parses the same bytes in memory.
#[wasm_bindgen_test]
fn a_blob_reads_like_its_bytes() {
    let mut bytes = b"x,y,label\n".to_vec();
    let mut i = 0u32;
    while bytes.len() < (CHUNK_BYTES as usize) * 2 + 12_345 {
        bytes.extend_from_slice(
            format!("{i},{},{}\n", i % 7, ["a", "b"][i as usize % 2]).as_bytes(),
        );
        i += 1;
    }
    let array = js_sys::Array::of1(&js_sys::Uint8Array::from(&bytes[..]));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&array).expect("a blob");
    let source = BlobSource::new(blob).expect("FileReaderSync in a worker");
    assert_eq!(source.size(), bytes.len() as u64);
    let at = CHUNK_BYTES - 5;
    let mut buf = vec![0u8; 100];
    let n = source.read_at(at, &mut buf).expect("read");
    assert_eq!(n, 5, "a read stops at the block's end");
    assert_eq!(&buf[..n], &bytes[at as usize..at as usize + n]);
    let n = source.read_at(at + 5, &mut buf).expect("read");
    assert_eq!(
        &buf[..n],
        &bytes[at as usize + 5..at as usize + 5 + n],
        "the next block"
    );
    assert_eq!(
        source.read_at(bytes.len() as u64, &mut buf).expect("read"),
        0
    );
    source.release();
    assert_eq!(
        read_all(&source).expect("all"),
        bytes,
        "read again after a release"
    );
    let mapping = Mapping::default();
    let from_blob = import_source(&source, "t.csv", &mapping).expect("imports");
    let from_bytes = import_with_mapping(&bytes, "t.csv", &mapping).expect("imports");
    assert_eq!(from_blob, from_bytes);
}
