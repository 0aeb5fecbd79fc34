//! `parse_jsonl` on arbitrary bytes.
#![no_main]

use engine::data::import::{parse_jsonl, CsvOptions};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = parse_jsonl(data, &CsvOptions::named("fuzz.jsonl")) {
        common::check(&d);
        common::session(d);
    }
});
