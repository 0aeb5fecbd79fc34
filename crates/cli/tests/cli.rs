//! The command line run as a binary, as a person runs it: every subcommand, the column-role flags,
//! a file it refuses, and the batch size changing the order of the labels.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dataset(name: &str) -> String {
    repo()
        .join("public/datasets")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A public dataset no one here wrote, from the npm package the e2e tests install
/// (`vega-datasets`, pinned in tests/e2e/package-lock.json).
fn public(name: &str) -> String {
    let path = repo()
        .join("tests/e2e/node_modules/vega-datasets/data")
        .join(name);
    assert!(
        path.is_file(),
        "{} is missing: `cargo xtask test` installs it (or run `npm ci --prefix tests/e2e`)",
        path.display()
    );
    path.to_string_lossy().into_owned()
}

/// The 406 cars of `cars.json` (a JSON array) as JSON Lines, one record a line, unchanged
/// otherwise: a free-text `Name`, missing values (`null`), a `Year` date, no column named like
/// labels.
fn cars_jsonl() -> String {
    let cars: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(public("cars.json")).expect("cars.json"))
            .expect("cars.json is a JSON array");
    assert_eq!(cars.len(), 406);
    let lines: Vec<String> = cars.iter().map(Value::to_string).collect();
    let path = std::env::temp_dir().join(format!("activelab-cars-{}.jsonl", std::process::id()));
    std::fs::write(&path, lines.join("\n")).expect("the JSON Lines file is written");
    path.to_string_lossy().into_owned()
}

fn activelab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_activelab"))
        .args(args)
        .output()
        .expect("the activelab binary runs")
}

fn ok(args: &[&str]) -> (String, String) {
    let out = activelab(args);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "activelab {args:?} failed: {stderr}");
    (stdout, stderr)
}

fn json(args: &[&str]) -> Value {
    let (stdout, _) = ok(args);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// The labels' order of each run of a JSON simulation.
fn orders(report: &Value) -> Vec<Vec<u64>> {
    report["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| {
            r["order"]
                .as_array()
                .expect("order")
                .iter()
                .map(|v| v.as_u64().expect("a row"))
                .collect()
        })
        .collect()
}

#[test]
fn simulate_prints_a_table_and_the_roles_it_read_the_file_with() {
    let wine = dataset("wine.csv");
    let (stdout, stderr) = ok(&[
        "simulate", "--data", &wine, "--seeds", "2", "--budget", "20",
    ]);
    assert!(stdout.contains("AULC"), "{stdout}");
    assert!(
        stderr.contains("wine.csv (CSV, 178 rows): label 'class'"),
        "{stderr}"
    );
}

#[test]
fn simulate_json_carries_every_setting_needed_to_run_it_again() {
    let wine = dataset("wine.csv");
    let report = json(&[
        "simulate",
        "--data",
        &wine,
        "--seeds",
        "2",
        "--budget",
        "15",
        "--batch-size",
        "3",
        "--batch-diversity",
        "kcenter",
        "--imbalance",
        "0.5",
        "--test-fraction",
        "0.25",
        "--first-seed",
        "4",
        "--noise",
        "0.1",
        "--model",
        "knn",
        "--strategy",
        "entropy",
        "--json",
    ]);
    let s = &report["settings"];
    assert_eq!(s["batch_size"], 3);
    assert_eq!(s["batch_diversity"], "kcenter");
    assert_eq!(s["imbalance"], 0.5);
    assert_eq!(s["test_fraction"], 0.25);
    assert_eq!(
        (s["seeds"].as_u64(), s["first_seed"].as_u64()),
        (Some(2), Some(4))
    );
    assert_eq!(
        (s["model"].as_str(), s["strategy"].as_str()),
        (Some("knn"), Some("entropy"))
    );
    assert_eq!(s["noise"], 0.1);
    assert_eq!(s["budget"], 15);
    assert_eq!(s["mapping"]["label"], "class");
    assert_eq!(s["mapping"]["file"], "wine.csv");
    assert_eq!(orders(&report).len(), 2);
}

#[test]
fn seeds_prints_one_seed_set_per_seed_and_simulate_reads_them_back() {
    let wine = dataset("wine.csv");
    let (stdout, _) = ok(&["seeds", "--data", &wine, "--seeds", "3"]);
    let sets: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(sets["seed_sets"].as_array().map(Vec::len), Some(3));
    let file = std::env::temp_dir().join(format!("activelab-seeds-{}.json", std::process::id()));
    std::fs::write(&file, &stdout).expect("the seed file is written");
    let report = json(&[
        "simulate",
        "--data",
        &wine,
        "--seed-file",
        &file.to_string_lossy(),
        "--budget",
        "10",
        "--json",
    ]);
    let _ = std::fs::remove_file(&file);
    let runs = orders(&report);
    assert_eq!(runs.len(), 3);
    for (run, set) in runs.iter().zip(sets["seed_sets"].as_array().expect("sets")) {
        let initial: Vec<u64> = set["initial"]
            .as_array()
            .expect("initial")
            .iter()
            .map(|v| v.as_u64().expect("a row"))
            .collect();
        assert_eq!(
            run[..initial.len()],
            initial[..],
            "each run starts from its seed set"
        );
    }
}

#[test]
fn stream_compares_the_samplers() {
    let report = json(&[
        "stream",
        "--rows",
        "400",
        "--drift-at",
        "200",
        "--budget",
        "0.2",
        "--json",
    ]);
    let names: Vec<&str> = report
        .as_array()
        .expect("one entry per sampler")
        .iter()
        .map(|r| r["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(names.len(), 5);
    assert!(names.contains(&"ask everything") && names.contains(&"random at budget"));
}

#[test]
fn a_batch_of_10_picks_another_order_than_one_at_a_time_and_refits_once_a_batch() {
    let wine = dataset("wine.csv");
    let run = |k: &str| {
        json(&[
            "simulate",
            "--data",
            &wine,
            "--strategy",
            "margin",
            "--seeds",
            "3",
            "--budget",
            "40",
            "--batch-size",
            k,
            "--json",
        ])
    };
    let (one, ten) = (run("1"), run("10"));
    assert_ne!(
        orders(&one),
        orders(&ten),
        "the batch size changes which rows are labeled"
    );
    assert_eq!(
        orders(&run("10")),
        orders(&ten),
        "the same seed, the same order"
    );
    // Wine's 3 seed labels, then 37 from the oracle: 4 batches, each fitted once; the curve has
    // a point per fit, the last one measuring the model of all 40 labels.
    for r in ten["runs"].as_array().expect("runs") {
        let points: Vec<u64> = r["curve"]
            .as_array()
            .expect("curve")
            .iter()
            .map(|p| p["n_labels"].as_u64().expect("labels"))
            .collect();
        assert_eq!(points, vec![3, 13, 23, 33, 40]);
        assert_eq!(r["order"].as_array().map(Vec::len), Some(40));
    }
    let oracle_labels: usize = 40 - 3;
    assert_eq!(
        ten["runs"][0]["curve"].as_array().map(|c| c.len() - 1),
        Some(oracle_labels.div_ceil(10)),
        "ceil(labels / 10) fits pick the batches"
    );
}

#[test]
fn the_column_flags_read_a_real_file_with_free_text_missing_values_and_dates() {
    let cars = cars_jsonl();
    let refused = activelab(&["simulate", "--data", &cars, "--seeds", "1"]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("--label COLUMN") && message.contains("Origin"),
        "{message}"
    );
    let report = json(&[
        "simulate", "--data", &cars, "--label", "Origin", "--text", "Name", "--seeds", "2",
        "--budget", "20", "--json",
    ]);
    let m = &report["settings"]["mapping"];
    assert_eq!(
        (m["label"].as_str(), m["text"].as_str()),
        (Some("Origin"), Some("Name"))
    );
    assert_eq!(report["classes"].as_array().map(Vec::len), Some(3));
    let without_text = json(&[
        "simulate", "--data", &cars, "--label", "Origin", "--text", "none", "--ignore", "Name",
        "--seeds", "1", "--budget", "20", "--json",
    ]);
    assert_eq!(without_text["settings"]["mapping"]["ignore"][0], "Name");
    let _ = std::fs::remove_file(&cars);
}

#[test]
fn a_bad_flag_or_a_bad_file_is_refused_with_the_reason() {
    let wine = dataset("wine.csv");
    let out = activelab(&["simulate", "--data", &wine, "--ignore", "nope"]);
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("--ignore nope: wine.csv has no such column (its columns: "),
        "{message}"
    );
    let binary = repo().join("tests/fixtures/bad/gzipped.csv");
    let out = activelab(&["simulate", "--data", &binary.to_string_lossy()]);
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.starts_with("activelab: gzipped.csv: "), "{message}");
    let out = activelab(&["simulate", "--data", &wine, "--strategy", "psychic"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("psychic"));
}

/// `simulate --strategy adaptive` runs, is seeded, and its settings name it.
#[test]
fn the_adaptive_strategy_simulates_and_is_seeded() {
    let args = [
        "simulate",
        "--data",
        &dataset("iris.csv"),
        "--strategy",
        "adaptive",
        "--seeds",
        "2",
        "--budget",
        "12",
        "--json",
    ];
    let (a, b) = (json(&args), json(&args));
    assert_eq!(a["settings"]["strategy"], "adaptive");
    assert_eq!(orders(&a), orders(&b));
    assert!(orders(&a).iter().all(|o| o.len() == 12));
}

/// `review --flip 0.1` finds most flips in the top 10 %; without --flip it lists suspects.
#[test]
fn the_label_review_finds_flipped_labels() {
    let report = json(&[
        "review",
        "--data",
        &dataset("wine.csv"),
        "--flip",
        "0.1",
        "--seeds",
        "2",
        "--json",
    ]);
    let recall = report["mean_recall"].as_f64().expect("mean_recall");
    assert!(recall >= 0.6, "{recall}");
    let (table, _) = ok(&["review", "--data", &dataset("iris.csv")]);
    assert!(table.contains("most suspicious first"), "{table}");
    let bad = activelab(&["review", "--data", &dataset("iris.csv"), "--flip", "0.9"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("the share of flipped labels must be in (0, 0.5], got 0.9"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// `fraud` keeps every selective sampler within its budget.
#[test]
fn the_fraud_stream_keeps_the_budget() {
    let report = json(&["fraud", "--rows", "3000", "--drift-at", "1500", "--json"]);
    let runs = report["runs"][0][1].as_array().expect("runs of seed 0");
    assert_eq!(runs.len(), 4);
    for run in &runs[1..] {
        let asked = run["asked"].as_u64().expect("asked");
        assert!(asked <= 150, "{run}");
    }
    assert_eq!(runs[0]["asked"], 3000);
}
