//! Native tests of strategy races, replay links and stream mode, through the worker protocol the
//! page speaks.

use engine::race::{RaceSettings, StrategyCurve};
use engine::strategies::StrategyKind::{Entropy, Margin, Random};
use worker::race::{
    handle_task, RaceRequest, StreamRequest, StreamSource, TaskRequest as Request,
    TaskResponse as Response,
};

mod common;
use common::IRIS;

fn handle(request: Request) -> Vec<Response> {
    let mut out = Vec::new();
    handle_task(request, &mut |r| out.push(r));
    out
}

fn race(settings: RaceSettings) -> Vec<Response> {
    handle(Request::Race(RaceRequest {
        settings,
        bytes: IRIS.to_vec(),
        mapping: None,
    }))
}

fn final_curves(responses: &[Response]) -> Vec<StrategyCurve> {
    match responses.last() {
        Some(Response::RaceDone(report)) => report.curves.clone(),
        other => panic!("no RaceDone: {other:?}"),
    }
}

#[test]
fn a_three_strategy_three_seed_race_on_iris_reports_progress_and_a_summary() {
    let settings = RaceSettings {
        strategies: vec![Margin, Entropy, Random],
        seeds: vec![1, 2, 3],
        budget: 30,
        ..RaceSettings::default()
    };
    let responses = race(settings);
    assert_eq!(responses.len(), 10, "9 progress messages and the report");
    for (i, r) in responses[..9].iter().enumerate() {
        let Response::RaceProgress(p) = r else {
            panic!("{r:?}")
        };
        assert_eq!((p.done, p.total), (i + 1, 9));
        assert_eq!(p.curves.len(), 3);
    }
    let Some(Response::RaceDone(report)) = responses.last() else {
        panic!()
    };
    assert!(
        report.fingerprint.starts_with("fnv1a64-"),
        "{}",
        report.fingerprint
    );
    assert_eq!(report.dataset, "iris.csv");
    for c in &report.curves {
        assert_eq!(c.aulc.len(), 3, "{}", c.strategy);
        assert_eq!(c.stats.first().unwrap().n_labels, 3);
        assert_eq!(c.stats.last().unwrap().n_labels, 30);
        for s in &c.stats {
            assert!(s.min <= s.mean + 1e-12 && s.mean <= s.max + 1e-12);
        }
    }
    let summary = &report.summary;
    assert_eq!(summary.comparisons.len(), 2);
    assert_eq!(summary.random_final_labels, 30);
    assert_eq!(summary.sentences.len(), 4);
    assert!(
        summary.sentences[0].starts_with("margin "),
        "{:?}",
        summary.sentences
    );
    assert!(summary.sentences[1].contains("paired t-test over 3 seeds"));
    let margin = &summary.comparisons[0];
    assert!(
        margin.aulc_diff > 0.0,
        "margin beats random on Iris: {margin:?}"
    );
}

#[test]
fn a_replay_link_gives_the_same_curves() {
    let settings = RaceSettings {
        strategies: vec![Margin, Random],
        seeds: vec![4, 5],
        budget: 20,
        batch: 2,
        noise: 0.1,
        imbalance: 0.5,
        cold_start: 5,
        ..RaceSettings::default()
    };
    let link = settings.to_query();
    let first = final_curves(&race(settings));
    let replayed = RaceSettings::from_query(&link).unwrap();
    let second = final_curves(&race(replayed));
    assert_eq!(first, second, "the link replays the race exactly");
    let other = RaceSettings::from_query(&link.replace("seeds=4,5", "seeds=4,6")).unwrap();
    assert_ne!(
        final_curves(&race(other)),
        first,
        "other seeds, other curves"
    );
}

#[test]
fn bad_races_are_refused_with_a_message() {
    // An unknown strategy or model cannot be asked for (kinds, not names); a link naming one is
    // refused when read (engine::race's tests).
    let responses = race(RaceSettings {
        seeds: vec![],
        ..RaceSettings::default()
    });
    let [Response::Error(message)] = responses.as_slice() else {
        panic!("{responses:?}")
    };
    assert!(message.contains("between 1 and 100 seeds"), "{message}");
    let responses = handle(Request::Race(RaceRequest {
        settings: RaceSettings::default(),
        bytes: b"a,b\n1,\n".to_vec(),
        mapping: None,
    }));
    assert!(
        matches!(responses.as_slice(), [Response::Error(m)] if m.starts_with("Could not open iris.csv"))
    );
}

#[test]
fn stream_mode_with_a_synthetic_drift() {
    let responses = handle(Request::Stream(StreamRequest {
        source: StreamSource::Drift {
            n_rows: 1000,
            drift_at: Some(500),
            noise: 0.0,
        },
        budget: 0.2,
        seed: 3,
    }));
    let [Response::StreamDone(report)] = responses.as_slice() else {
        panic!("{responses:?}")
    };
    assert_eq!((report.n_rows, report.drift_at), (1000, Some(500)));
    let names: Vec<&str> = report.curves.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["all", "random", "fixed", "variable", "randomized"]);
    let all = &report.curves[0];
    assert_eq!(all.run.asked.len(), 1000);
    let at = |c: &engine::race::StreamCurve, seen: usize| {
        c.run
            .points
            .iter()
            .find(|p| p.seen == seen)
            .map(|p| p.accuracy)
            .unwrap()
    };
    // The drift shows: a dip right after it, then recovery with labels.
    assert!(at(all, 500) > 0.85, "before the drift: {}", at(all, 500));
    let dip = all
        .run
        .points
        .iter()
        .filter(|p| p.seen > 500 && p.seen <= 560)
        .map(|p| p.accuracy)
        .fold(1.0, f64::min);
    assert!(dip < 0.6, "dip {dip}");
    assert!(at(all, 1000) > 0.85);
    for c in &report.curves[1..] {
        let spent = c.run.asked.len();
        assert!(
            spent <= 10 + 199,
            "{} spent {spent} labels on a 20 % budget",
            c.name
        );
        let last = c.run.points.last().unwrap();
        assert!(last.labels as f64 <= c.allowed.last().unwrap().ceil() + 1.0);
    }
    assert_eq!(report.sentences.len(), 5);
    // Same request, same report.
    let again = handle(Request::Stream(StreamRequest {
        source: StreamSource::Drift {
            n_rows: 1000,
            drift_at: Some(500),
            noise: 0.0,
        },
        budget: 0.2,
        seed: 3,
    }));
    assert_eq!(responses, again);
}

/// The replay link of the e2e test (`tests/e2e/race.test.mjs`) and its curves, computed natively:
/// the browser must draw exactly these numbers. Regenerate with `ACTIVELAB_REGENERATE=1`.
#[test]
fn the_replay_reference_matches_the_engine() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/reference/race_replay.json"
    );
    let query = "run=race&data=iris.csv&model=logistic&strategies=margin,random&seeds=1,2&budget=20&batch=1&noise=0&imbalance=1&cold=0";
    let settings = RaceSettings::from_query(query).unwrap();
    assert_eq!(settings.to_query(), query, "the query is canonical");
    let curves = final_curves(&race(settings));
    let means: serde_json::Map<String, serde_json::Value> = curves
        .iter()
        .map(|c| {
            (
                c.strategy.to_string(),
                c.stats.iter().map(|s| s.mean).collect::<Vec<f64>>().into(),
            )
        })
        .collect();
    let want = serde_json::json!({ "query": query, "curves": means });
    if std::env::var_os("ACTIVELAB_REGENERATE").is_some() {
        std::fs::write(path, serde_json::to_string_pretty(&want).unwrap() + "\n").unwrap();
    }
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // serde_json's default float parser may differ in the last bit: compare numerically.
    assert_eq!(stored["query"], want["query"]);
    for (name, values) in want["curves"].as_object().unwrap() {
        let got = stored["curves"][name].as_array().unwrap();
        let values = values.as_array().unwrap();
        assert_eq!(got.len(), values.len(), "{name}");
        for (a, b) in got.iter().zip(values) {
            assert!(
                (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-12,
                "{name}"
            );
        }
    }
}

/// The Simulate tab's file: a preview first (Seattle's 1,461 days of weather: a date, four
/// numbers and the weather, which no name marks as the label), then a race with the person's
/// column roles.
#[test]
fn a_race_runs_on_a_real_file_with_the_roles_the_person_chose() {
    let weather = common::public("seattle-weather.csv");
    let previewed = handle(Request::Preview {
        name: "seattle-weather.csv".into(),
        bytes: weather.clone(),
    });
    let [Response::Preview(preview)] = previewed.as_slice() else {
        panic!("{previewed:?}")
    };
    assert_eq!(preview.n_rows, 1461);
    assert_eq!(
        preview.suggested.label, None,
        "no column is named like labels"
    );
    let mapping = engine::data::preview::Mapping {
        label: Some("weather".into()),
        ..preview.suggested.clone()
    };
    let settings = RaceSettings {
        data: "seattle-weather.csv".into(),
        strategies: vec![Margin, Random],
        seeds: vec![1, 2],
        budget: 20,
        ..RaceSettings::default()
    };
    let responses = handle(Request::Race(RaceRequest {
        settings: settings.clone(),
        bytes: weather.clone(),
        mapping: Some(mapping),
    }));
    let Some(Response::RaceDone(report)) = responses.last() else {
        panic!("{responses:?}")
    };
    assert_eq!(report.curves.len(), 2);
    // Without roles the file has no labels to race with, and says so.
    let refused = handle(Request::Race(RaceRequest {
        settings,
        bytes: weather,
        mapping: None,
    }));
    assert!(
        matches!(refused.as_slice(), [Response::Error(m)] if m.contains("seattle-weather.csv")),
        "{refused:?}"
    );
}
