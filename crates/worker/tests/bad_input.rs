//! Hostile input (issue 7): every file of `tests/fixtures/bad/` — and the inputs too big to commit,
//! built here — gives exactly the message `tests/fixtures/bad/expected.json` says, without a panic,
//! both from the importer and as the app shows it (`Could not open <file>: …` from the worker), and
//! the app keeps working after each refusal.
//!
//! Images: PNG decoding will happen in the browser, so the engine only sees RGBA pixels and a size.
//! Here a stand-in "decoder" reads the size from the PNG header (and refuses anything that is not
//! a PNG), and the pixels are a made-up buffer of the manifest's `rgba_len` bytes.
#![cfg(not(target_arch = "wasm32"))]

use engine::data::image::{image_features, ImageOptions};
use engine::data::import::{parse_csv, parse_jsonl, parse_text_csv, CsvOptions};
use engine::data::text::TextOptions;
use engine::data::{DataError, Dataset};
use engine::session::{Session, SessionConfig};
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use worker::{report_lines, Request, Response, WorkerState};

/// Where the corpus lives.
fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/bad")
}

/// The manifest's cases.
fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(dir().join("expected.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

fn str_of<'a>(case: &'a Value, key: &str) -> Option<&'a str> {
    case.get(key).and_then(Value::as_str)
}

/// The case's name: its file (relative to the corpus) or its generator.
fn case_name(case: &Value) -> String {
    str_of(case, "file")
        .or_else(|| str_of(case, "generated"))
        .unwrap_or("?")
        .to_string()
}

/// The file name the person would see (`mixed_folder/labels.csv` → `labels.csv`); generated
/// JSON Lines inputs get a `.jsonl` name, so the app reads them as JSON Lines too.
fn display_name(case: &Value) -> String {
    let name = case_name(case);
    let base = match name.rsplit_once('/') {
        Some((_, base)) => base.to_string(),
        None => name,
    };
    if case.get("generated").is_some() && str_of(case, "importer") == Some("jsonl") {
        format!("{base}.jsonl")
    } else {
        base
    }
}

/// The inputs too big to commit, built from their manifest name.
fn generate(name: &str) -> Vec<u8> {
    let big = "x".repeat(1_000_000);
    match name {
        "columns_10001" => {
            let header: Vec<String> = (0..10_001).map(|i| format!("c{i}")).collect();
            let row: Vec<String> = (0..10_001).map(|i| i.to_string()).collect();
            format!("{}\n{}\n", header.join(","), row.join(","))
        }
        "columns_5000" => {
            let mut header: Vec<String> = (0..4_999).map(|i| format!("f{i}")).collect();
            header.push("label".into());
            let mut text = header.join(",") + "\n";
            for (r, label) in ["a", "b", "a"].iter().enumerate() {
                let row: Vec<String> = (0..4_999)
                    .map(|i| ((r + 1) * (i + 1)).to_string())
                    .collect();
                text.push_str(&format!("{},{label}\n", row.join(",")));
            }
            text
        }
        "cell_1mb" => format!("a,note,label\n1,{big},x\n2,short,y\n"),
        "unclosed_quote_1mb" => format!("a,note,label\n1,\"oops,a\n{}", "1,2,a\n".repeat(170_000)),
        "labels_5000" => {
            let rows: String = (0..5_000).map(|i| format!("{i},c{i}\n")).collect();
            format!("x,label\n{rows}")
        }
        "jsonl_keys_10001" => {
            let keys: Vec<String> = (0..10_001).map(|i| format!("\"k{i}\": {i}")).collect();
            format!("{{{}}}\n", keys.join(", "))
        }
        "jsonl_cell_1mb" => format!("{{\"note\": \"{big}\", \"label\": \"a\"}}\n"),
        "jsonl_deep_nesting" => "[".repeat(100_000),
        "image_20000x20000" | "image_short_buffer" | "image_zero_width" | "image_u32_max" => {
            String::new()
        }
        other => panic!("no generator named {other}"),
    }
    .into_bytes()
}

/// The case's input bytes.
fn input(case: &Value) -> Vec<u8> {
    match str_of(case, "file") {
        Some(file) => std::fs::read(dir().join(file)).unwrap(),
        None => generate(str_of(case, "generated").unwrap()),
    }
}

/// The size in a PNG's IHDR chunk, or `None` if the bytes do not start like a PNG (a stand-in for
/// the browser's decoder, which will refuse such files before the engine sees anything).
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let sig = b"\x89PNG\r\n\x1a\n";
    if bytes.len() < 24 || !bytes.starts_with(sig) || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    Some((be(&bytes[16..20]), be(&bytes[20..24])))
}

/// Check a message against the case's `error`: the whole message, exactly.
fn check_message(case: &Value, got: &str) -> Result<(), String> {
    match str_of(case, "error") {
        Some(want) if got == want => Ok(()),
        Some(want) => Err(format!("message\n  got:  {got}\n  want: {want}")),
        None => Err(format!("refused with '{got}', but the case has no error")),
    }
}

fn expects_error(case: &Value) -> bool {
    case.get("error").is_some()
}

/// Check an imported dataset against the case's `ok` facts and `session_error`.
fn check_dataset(case: &Value, d: &Dataset) -> Result<(), String> {
    let ok = &case["ok"];
    let mut problems = Vec::new();
    if let Some(rows) = ok.get("rows").and_then(Value::as_u64) {
        if d.n_rows() as u64 != rows {
            problems.push(format!("{} rows, want {rows}", d.n_rows()));
        }
    }
    if let Some(features) = ok.get("features").and_then(Value::as_u64) {
        if d.n_features() as u64 != features {
            problems.push(format!("{} features, want {features}", d.n_features()));
        }
    }
    if let Some(classes) = ok.get("classes") {
        let want: Vec<String> = serde_json::from_value(classes.clone()).unwrap();
        if d.class_names != want {
            problems.push(format!("classes {:?}, want {want:?}", d.class_names));
        }
    }
    if let Some(report) = ok.get("report") {
        let want: Vec<String> = serde_json::from_value(report.clone()).unwrap();
        let got = report_lines(&d.report);
        if got != want {
            problems.push(format!("report {got:?}, want {want:?}"));
        }
    }
    if let Some(row) = ok.get("first_row") {
        let want: Vec<f64> = serde_json::from_value(row.clone()).unwrap();
        if d.row(0) != want {
            problems.push(format!("first row {:?}, want {want:?}", d.row(0)));
        }
    }
    let session = Session::new(d.clone(), SessionConfig::default())
        .err()
        .map(|e| e.to_string());
    if session.as_deref() != str_of(case, "session_error") {
        problems.push(format!(
            "Session::new gives {session:?}, want {:?}",
            str_of(case, "session_error")
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Run the case's importer and compare with the manifest.
fn check_case(case: &Value) -> Result<(), String> {
    let bytes = input(case);
    let name = display_name(case);
    let options = CsvOptions::named(&name);
    let importer = str_of(case, "importer").unwrap_or("?");
    let result: Result<Dataset, DataError> = match importer {
        "csv" => parse_csv(&bytes, &options),
        "jsonl" => parse_jsonl(&bytes, &options),
        "text" => {
            let column = str_of(case, "text_column").ok_or("a text case needs text_column")?;
            parse_text_csv(&bytes, &options, column, &TextOptions::default())
        }
        "image" | "rgba" => return check_image(case, &bytes),
        other => return Err(format!("unknown importer {other}")),
    };
    match (result, expects_error(case)) {
        (Err(e), true) => check_message(case, &e.to_string()),
        (Ok(d), false) => check_dataset(case, &d),
        (Err(e), false) => Err(format!("refused with '{e}', but it should import")),
        (Ok(d), true) => Err(format!(
            "imported ({} rows, {} features), but it should be refused",
            d.n_rows(),
            d.n_features()
        )),
    }
}

/// Image cases: the size from the PNG header (or the manifest), made-up pixels.
fn check_image(case: &Value, bytes: &[u8]) -> Result<(), String> {
    let options = ImageOptions::default();
    let (width, height) = if str_of(case, "importer") == Some("rgba") {
        let dim = |k: &str| case[k].as_u64().map(|v| v as u32).ok_or(format!("{k}?"));
        (dim("width")?, dim("height")?)
    } else {
        match (png_size(bytes), str_of(case, "decode")) {
            (None, Some("refused")) => {
                // What the engine would say if a decoder handed over nothing at all.
                let e = image_features(&[], 0, 0, &options).unwrap_err();
                return match e.to_string().as_str() {
                    "the image is 0 × 0 pixels: an image needs at least 1 × 1" => Ok(()),
                    other => Err(format!("0 × 0 image: {other}")),
                };
            }
            (Some(size), Some("refused")) => {
                return Err(format!("a PNG header {size:?}, but the case says refused"))
            }
            (None, _) => return Err("not a PNG".into()),
            (Some(size), _) => size,
        }
    };
    let rgba_len = case["rgba_len"].as_u64().ok_or("rgba_len?")? as usize;
    let rgba = vec![128u8; rgba_len];
    match (
        image_features(&rgba, width, height, &options),
        expects_error(case),
    ) {
        (Err(e), true) => check_message(case, &e.to_string()),
        (Ok(f), false) => {
            let want = case["ok"]["features"].as_u64().ok_or("ok.features?")? as usize;
            if f.len() == want && f.iter().all(|v| v.is_finite()) {
                Ok(())
            } else {
                Err(format!("{} features, want {want}", f.len()))
            }
        }
        (Err(e), false) => Err(format!("refused with '{e}', but it should give features")),
        (Ok(_), true) => Err("gave features, but it should be refused".into()),
    }
}

/// Run `f`, turning a panic into an error naming the case.
fn guarded(case: &Value, f: impl FnOnce() -> Result<(), String>) -> Option<String> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => None,
        Ok(Err(problem)) => Some(format!("{}: {problem}", case_name(case))),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Some(format!("{}: PANIC {what}", case_name(case)))
        }
    }
}

#[test]
fn every_bad_input_gives_its_message() {
    let cases = cases();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| guarded(case, || check_case(case)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// A small valid dataset: the app's state before and after each bad file.
const GOOD: &str = "x,y,label\n0.1,1.2,a\n0.3,0.9,a\n0.2,1.1,a\n0.5,1.4,a\n0.4,0.8,a\n0.6,1.0,a\n\
2.1,0.2,b\n2.3,0.1,b\n1.9,0.3,b\n2.2,0.5,b\n2.0,0.0,b\n2.4,0.4,b\n";

mod common;
use common::{respond as send, skip};

fn open(name: &str, bytes: &[u8]) -> Request {
    Request::Open {
        name: name.to_string(),
        // The page sends the file's raw bytes (`Blob.arrayBuffer()`).
        csv: bytes.to_vec(),
        seed: 7,
    }
}

/// The row the last round asks about.
fn query_row(responses: &[Response]) -> Option<usize> {
    responses.iter().rev().find_map(|r| match r {
        Response::Round(round) => round.query.as_ref().map(|q| q.row),
        _ => None,
    })
}

/// Open the valid file; the row its first round asks about.
fn open_good(state: &mut WorkerState) -> Result<usize, String> {
    let responses = send(state, open("good.csv", GOOD.as_bytes()));
    match responses.first() {
        Some(Response::Opened(summary)) if summary.name == "good.csv" => {}
        other => return Err(format!("the valid file gave {other:?}")),
    }
    query_row(&responses).ok_or_else(|| "no query for the valid file".to_string())
}

/// One CSV or JSON Lines case through the worker, between two valid files: the message the app shows, the
/// session open before it still answers, and a valid file opens after it.
fn check_worker_case(state: &mut WorkerState, case: &Value) -> Result<(), String> {
    let current = open_good(state)?;
    let name = display_name(case);
    let responses = send(state, open(&name, &input(case)));
    let opens = case.get("ok").is_some() && case.get("session_error").is_none()
        || case.get("worker_opens").is_some();
    if opens {
        let Some(Response::Opened(summary)) = responses.first() else {
            return Err(format!("the app did not open it: {:?}", responses.first()));
        };
        if summary.name != name {
            return Err(format!("opened as {}", summary.name));
        }
        if let Some(report) = case.get("ok").and_then(|ok| ok.get("report")) {
            let want: Vec<String> = serde_json::from_value(report.clone()).unwrap();
            if summary.report != want {
                return Err(format!(
                    "the app's report {:?}, want {want:?}",
                    summary.report
                ));
            }
        }
        if case.get("worker_opens").is_some()
            && !summary.class_names.iter().any(|c| c.contains('\u{FFFD}'))
        {
            return Err("opened, but no class name shows the lost characters".into());
        }
        let finite = responses.iter().all(|r| match r {
            Response::Round(round) => round.query.as_ref().is_none_or(|q| {
                q.proba.iter().chain(&q.features).all(|v| v.is_finite()) && q.score.is_finite()
            }),
            _ => true,
        });
        if !finite {
            return Err(format!(
                "a round shows a value that is not finite: {responses:?}"
            ));
        }
        // With fewer than 2 classes there are no known labels to draw a random baseline with.
        let few_classes = summary.class_names.len() < 2;
        match (str_of(case, "worker_round_error"), &responses[1..]) {
            (None, [.., Response::Baseline(_)]) if !few_classes => {}
            (None, [Response::Round(_), Response::Insight(_)]) if few_classes => {}
            (Some(want), [Response::Error(got)]) if got == want => {}
            (want, rest) => {
                return Err(format!(
                    "after Opened the app answered {rest:?}, want {}",
                    want.map_or("a round and a baseline".into(), |w| format!("Error({w})"))
                ))
            }
        }
    } else {
        let want = match str_of(case, "worker_error") {
            Some(want) => want.to_string(),
            None => format!(
                "Could not open {name}: {}",
                str_of(case, "error").unwrap_or("?")
            ),
        };
        match responses.as_slice() {
            [Response::Error(got)] if *got == want => {}
            [Response::Error(got)] => {
                return Err(format!("the app says\n  got:  {got}\n  want: {want}"))
            }
            other => return Err(format!("the app answered {other:?}, want one Error")),
        }
        // The session open before the bad file is still there and answers.
        match send(state, skip(current)).as_slice() {
            [Response::Round(_), Response::Insight(_)] => {}
            other => return Err(format!("after the refusal, a skip gave {other:?}")),
        }
    }
    open_good(state).map(|_| ())
}

#[test]
fn the_app_shows_each_table_refusal_and_keeps_working() {
    let mut state = WorkerState::default();
    let cases: Vec<Value> = cases()
        .into_iter()
        .filter(|c| matches!(str_of(c, "importer"), Some("csv" | "jsonl")))
        .collect();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| guarded(case, || check_worker_case(&mut state, case)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} CSV and JSON Lines cases failed in the worker:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn the_corpus_is_complete_and_small() {
    let mut files = Vec::new();
    let mut stack = vec![dir()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != "expected.json") {
                files.push(path);
            }
        }
    }
    let named: Vec<String> = cases()
        .iter()
        .filter_map(|c| str_of(c, "file").map(String::from))
        .collect();
    for file in &files {
        let rel = file
            .strip_prefix(dir())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        assert!(named.contains(&rel), "{rel} has no entry in expected.json");
    }
    for name in &named {
        assert!(
            dir().join(name).is_file(),
            "expected.json names {name}, which is missing"
        );
    }
    assert!(files.len() >= 30, "only {} files", files.len());
    let total: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    assert!(total < 200_000, "the corpus is {total} bytes");
}
