//! Importers never panic: random bytes and random CSV-like / JSON-like text fed to every parser
//! must come back as `Ok` or `Err`, and an `Ok` dataset must be consistent.
#![cfg(not(target_arch = "wasm32"))]

use engine::data::import::{parse_csv, parse_jsonl, parse_text_csv, parse_text_jsonl, CsvOptions};
use engine::data::text::{Analyzer, TextOptions, TextVectorizer};
use engine::data::{DataError, Dataset};
use proptest::prelude::*;

fn check(result: Result<Dataset, DataError>) {
    match result {
        Ok(d) => {
            assert_eq!(d.features.nrows(), d.known_labels.len());
            assert_eq!(d.features.ncols(), d.feature_names.len());
            assert_eq!(d.row_ids.len(), d.n_rows());
            assert_eq!(d.report.rows_read, d.n_rows());
            assert!(d.n_features() > 0);
            assert!(d.features.iter().all(|v| v.is_finite()));
            assert!(d.known_labels.iter().flatten().all(|&c| c < d.n_classes()));
            assert_eq!(
                d.report.unlabeled_rows,
                d.known_labels.iter().filter(|l| l.is_none()).count()
            );
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// One CSV-ish cell: mostly numbers, words and missing tokens; sometimes quotes, delimiters and
/// line ends.
fn clean_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (-1e6f64..1e6).prop_map(|v| v.to_string()),
        4 => (0u8..4).prop_map(|v| v.to_string()),
        1 => prop::sample::select(vec!["", "NA", "nan", "?", "null"]).prop_map(str::to_string),
    ]
}

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (-1e6f64..1e6).prop_map(|v| v.to_string()),
        4 => (0u8..4).prop_map(|v| v.to_string()),
        2 => prop::sample::select(vec!["", "NA", "nan", "?", "null"]).prop_map(str::to_string),
        3 => prop::sample::select(vec!["a", "b", "red", "Blue", "x y", "the cat sat", "\"a, b\""])
            .prop_map(str::to_string),
        1 => prop::sample::select(vec![
            "inf", "1e400", "-", "\"", "\"\"", "\"a\nb\"", "1,5", ";", "\t", " ", "\u{feff}", "é",
            "x\r", "\"open",
        ])
        .prop_map(str::to_string),
        1 => "[a-z ,;\t\"\n]{0,6}",
    ]
}

fn csv_like() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![",", ";", "\t"]),
        prop::sample::select(vec![1usize, 2, 2, 3, 3, 4, 5]),
        prop::sample::select(vec!["\n", "\r\n", "\r"]),
        any::<bool>(),
        prop::option::weighted(0.1, (0usize..12, cell())),
        any::<bool>(),
    )
        .prop_flat_map(|(delimiter, n_cols, newline, bom, ragged, clean)| {
            let cell = if clean {
                clean_cell().boxed()
            } else {
                cell().boxed()
            };
            // The last column is the label: mostly a few classes or missing.
            let label =
                prop::sample::select(vec!["a", "b", "c", "", "NA"]).prop_map(str::to_string);
            let row =
                (prop::collection::vec(cell, n_cols - 1), label).prop_map(|(mut row, label)| {
                    row.push(label);
                    row
                });
            prop::collection::vec(row, 0..12).prop_map(move |mut rows| {
                if let Some((i, extra)) = &ragged {
                    if let Some(row) = rows.get_mut(*i) {
                        row.push(extra.clone());
                    }
                }
                let mut text = String::new();
                if bom {
                    text.push('\u{feff}');
                }
                let header: Vec<String> = (0..n_cols).map(|i| format!("c{i}")).collect();
                text.push_str(&header.join(delimiter));
                text.push_str(newline);
                for row in rows {
                    text.push_str(&row.join(delimiter));
                    text.push_str(newline);
                }
                text
            })
        })
}

fn json_value() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (-1e6f64..1e6).prop_map(|v| v.to_string()),
        2 => Just("null".to_string()),
        1 => Just("true".to_string()),
        3 => prop::sample::select(vec!["a", "b", "the cat", "NA", ""]).prop_map(|s| format!("\"{s}\"")),
        1 => prop::sample::select(vec!["1e400", "[1, 2]", "{\"a\": 1}", "\"\\u00e9\\n\"", "-0", "1E5"])
            .prop_map(str::to_string),
    ]
}

/// A JSON object line over the keys x, y, label, text, id. Clean objects keep one type per key
/// (numbers in x/y/id, words in text); messy ones take any value anywhere.
fn object(clean: bool) -> impl Strategy<Value = String> {
    (
        prop::sample::subsequence(vec!["x", "y", "label", "text", "id"], 0..=5),
        prop::collection::vec(json_value(), 5),
        prop::collection::vec(-1e3f64..1e3, 5),
        prop::sample::select(vec!["\"a\"", "\"b\"", "null", "1"]),
        prop::sample::select(vec!["\"the cat\"", "\"a dog sat\"", "null", "\"\""]),
    )
        .prop_map(move |(keys, values, numbers, label, text)| {
            let body: Vec<String> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| match *k {
                    "label" => format!("\"label\": {label}"),
                    "text" if clean => format!("\"text\": {text}"),
                    k if clean => format!("\"{k}\": {}", numbers[i]),
                    k => format!("\"{k}\": {}", values[i]),
                })
                .collect();
            format!("{{{}}}", body.join(", "))
        })
}

fn jsonl_like() -> impl Strategy<Value = String> {
    let clean = prop::collection::vec(object(true), 0..12);
    let messy = prop::collection::vec(
        prop_oneof![
            12 => object(false),
            1 => Just("{\"x\": 1, \"x\": 2}".to_string()),
            1 => "[{}\\[\\]:,\"a-z0-9 ]{0,12}",
            1 => "[a-z \"\\\\]{0,5}".prop_map(|s| format!("{{\"x\": \"{s}\"}}")),
            1 => Just(String::new()),
        ],
        0..12,
    );
    prop_oneof![clean, messy].prop_map(|lines| lines.join("\n"))
}

fn options() -> impl Strategy<Value = CsvOptions> {
    (
        prop::option::weighted(
            0.3,
            prop::sample::select(vec!["c0", "c1", "label", "x", "nope"]),
        ),
        prop::option::weighted(0.3, prop::sample::select(vec!["c0", "c2", "id", "x"])),
        prop::collection::vec(prop::sample::select(vec!["c1", "c3", "y"]), 0..2),
        prop::option::weighted(0.2, any::<bool>()),
        prop::sample::select(vec![1usize, 2, 3, 50]),
        any::<bool>(),
    )
        .prop_map(
            |(label, id, ignore, header, max_categories, keep)| CsvOptions {
                name: "fuzz".into(),
                label_column: label.map(str::to_string),
                id_column: id.map(str::to_string),
                ignore: ignore.into_iter().map(str::to_string).collect(),
                delimiter: None,
                has_header: header,
                max_categories,
                keep_constant_columns: keep,
            },
        )
}

fn text_options() -> impl Strategy<Value = TextOptions> {
    (
        prop::sample::select(vec![Analyzer::Word, Analyzer::Char, Analyzer::CharWb]),
        prop::sample::select(vec![0usize, 1, 1, 1, 2, 3]),
        0usize..3,
        any::<bool>(),
        prop::option::of(0usize..4),
        prop::option::weighted(0.3, 0usize..8),
    )
        .prop_map(
            |(analyzer, lo, extra, stop, max_features, hashing)| TextOptions {
                vectorizer: match hashing {
                    Some(n) => TextVectorizer::Hashing { n_features: n },
                    None => TextVectorizer::Tfidf,
                },
                analyzer,
                ngram_range: (lo, lo + extra),
                english_stop_words: stop,
                max_features,
                ..TextOptions::default()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check(parse_csv(&bytes, &CsvOptions::named("fuzz")));
        check(parse_jsonl(&bytes, &CsvOptions::named("fuzz")));
        check(parse_text_csv(&bytes, &CsvOptions::named("fuzz"), "c0", &TextOptions::default()));
    }

    #[test]
    fn csv_like_text_never_panics(text in csv_like(), options in options()) {
        check(parse_csv(text.as_bytes(), &options));
        check(parse_csv(text.as_bytes(), &CsvOptions::named("fuzz")));
    }

    #[test]
    fn text_columns_never_panic(text in csv_like(), options in options(), text_options in text_options()) {
        check(parse_text_csv(text.as_bytes(), &options, "c0", &text_options));
        check(parse_text_csv(text.as_bytes(), &CsvOptions::named("fuzz"), "c1", &text_options));
    }

    #[test]
    fn jsonl_like_text_never_panics(text in jsonl_like(), options in options(), text_options in text_options()) {
        check(parse_jsonl(text.as_bytes(), &options));
        check(parse_jsonl(text.as_bytes(), &CsvOptions::named("fuzz")));
        check(parse_text_jsonl(text.as_bytes(), &options, "text", &text_options));
    }
}

#[test]
fn a_csv_of_100k_rows_by_50_columns_imports() {
    // Not a benchmark (debug build): it checks that a ~50 MB table goes through and is right.
    let n_rows = 100_000;
    let n_cols = 50;
    let mut text = String::with_capacity(n_rows * n_cols * 10);
    let header: Vec<String> = (0..n_cols).map(|j| format!("f{j}")).collect();
    text.push_str(&header.join(","));
    text.push_str(",label\n");
    for i in 0..n_rows {
        for j in 0..n_cols {
            let v = ((i * 31 + j * 17) % 1000) as f64 / 7.0;
            text.push_str(&format!("{v:.6},"));
        }
        text.push_str(if i % 3 == 0 { "a\n" } else { "b\n" });
    }
    let d = parse_csv(text.as_bytes(), &CsvOptions::named("big")).unwrap();
    assert_eq!(
        (d.n_rows(), d.n_features(), d.n_classes()),
        (n_rows, n_cols, 2)
    );
    assert_eq!(
        d.features[[1, 1]],
        format!("{:.6}", 48.0 / 7.0).parse::<f64>().unwrap()
    );
}
