//! `parse_text_csv` on arbitrary bytes: the first byte picks the vectorizer and analyzer, the
//! text column is the first column (its name read from the first line), the rest is the file.
#![no_main]

use engine::data::import::{parse_text_csv, CsvOptions};
use engine::data::text::{Analyzer, TextOptions, TextVectorizer};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, file)) = data.split_first() else {
        return;
    };
    let mut options = TextOptions::default();
    if choice & 1 == 1 {
        options.vectorizer = TextVectorizer::Hashing { n_features: 64 };
    }
    if choice & 2 == 2 {
        options.analyzer = Analyzer::CharWb;
    }
    options.ngram_range = (1, 1 + usize::from(choice >> 2 & 1));
    // The text column: the first header cell, as the person would pick it.
    let first_line = file.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let column = String::from_utf8_lossy(first_line);
    let column = column.split([',', ';', '\t']).next().unwrap_or("").trim();
    if let Ok(d) = parse_text_csv(file, &CsvOptions::named("fuzz.csv"), column, &options) {
        common::check(&d);
        common::session(d);
    }
});
