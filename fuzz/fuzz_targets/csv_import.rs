//! `parse_csv` on arbitrary bytes, with the options the app uses (everything inferred).
#![no_main]

use engine::data::import::{parse_csv, CsvOptions};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = parse_csv(data, &CsvOptions::named("fuzz.csv")) {
        common::check(&d);
        common::session(d);
    }
});
