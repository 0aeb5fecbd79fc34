//! Native tests of the insight panels' numbers (`worker::insight`): test-split scores
//! against the metrics module, the map's points, the stopping advice and "why this sample?".

use engine::data::synthetic::blobs;
use engine::metrics::{accuracy, confusion_matrix, macro_f1, per_class};
use engine::models::Classifier;
use engine::rng;
use engine::session::{Event, Origin, Session, SessionConfig};
use engine::simulation::CurvePoint;
use engine::strategies::Strategy;
use ndarray::Axis;
use worker::insight::{Insight, InsightCache, PointState, MAP_POINTS};
use worker::{Request, Response, RoundView, WorkerState};

mod common;
use common::{iris, label, undo, IRIS};

/// Run `rounds` rounds labeling each query with its known label; the insight of the last one.
fn label_rounds(session: &mut Session, cache: &mut InsightCache, rounds: usize) -> Insight {
    let mut curve: Vec<CurvePoint> = Vec::new();
    let mut insight = None;
    for i in 0..=rounds {
        let round = session.round().unwrap();
        if let Some(accuracy) = round.test_accuracy {
            curve.push(CurvePoint {
                n_labels: round.n_labels,
                accuracy,
            });
        }
        insight = Some(cache.update(session, round.query.as_ref(), &curve));
        if i < rounds {
            let q = round.query.unwrap();
            let class = session.data().known_labels[q.row].unwrap_or(0);
            session
                .apply(Event::Label {
                    row: q.row,
                    class,
                    origin: q.origin(),
                })
                .unwrap();
        }
    }
    insight.unwrap()
}

#[test]
fn test_split_scores_match_the_metrics_module() {
    let mut session = Session::new(iris(), SessionConfig::default()).unwrap();
    session.seed_one_per_class().unwrap();
    let mut cache = InsightCache::default();
    let insight = label_rounds(&mut session, &mut cache, 4);
    // Predict the test split independently.
    let test = session.split().test.clone();
    let x = session
        .standardizer()
        .transform(session.data().features.select(Axis(0), &test).view());
    let predicted = session.model().unwrap().predict(x.view());
    let truth: Vec<usize> = test
        .iter()
        .map(|&r| session.data().known_labels[r].unwrap())
        .collect();
    let c = confusion_matrix(&truth, &predicted, 3).unwrap();
    let confusion = insight.confusion.as_ref().unwrap();
    assert_eq!(insight.n_classes, 3);
    for t in 0..3 {
        for p in 0..3 {
            assert_eq!(confusion.counts[t][p], c[[t, p]]);
            assert_eq!(confusion.examples[t][p].len(), c[[t, p]].min(10));
            for e in &confusion.examples[t][p] {
                assert_eq!(session.data().known_labels[e.row], Some(t));
                assert!(test.contains(&e.row));
                assert!(e.summary.contains("petal_length="), "{}", e.summary);
            }
        }
    }
    let expected = per_class(&truth, &predicted).unwrap();
    assert_eq!(insight.classes.len(), 3);
    for s in &expected {
        let got = insight.classes[s.class];
        assert!((got.recall - s.recall).abs() < 1e-15);
        assert!((got.precision - s.precision).abs() < 1e-15);
        assert!((got.f1 - s.f1).abs() < 1e-15);
        assert_eq!(got.support, s.support);
    }
    let f1 = macro_f1(&truth, &predicted).unwrap();
    assert_eq!(insight.macro_f1, Some(f1));
    // One macro-F1 point per round, from 3 to 7 labels, the last one equal to the current value.
    let counts: Vec<usize> = insight.f1_curve.iter().map(|p| p.n_labels).collect();
    assert_eq!(counts, vec![3, 4, 5, 6, 7]);
    assert_eq!(insight.f1_curve.last().unwrap().macro_f1, f1);
    let diag: usize = (0..3).map(|k| c[[k, k]]).sum();
    assert!(
        (diag as f64 / truth.len() as f64 - accuracy(&truth, &predicted).unwrap()).abs() < 1e-15
    );
}

#[test]
fn the_map_shows_every_pool_row_of_a_small_pool_with_states() {
    let mut session = Session::new(iris(), SessionConfig::default()).unwrap();
    session.seed_one_per_class().unwrap();
    let mut cache = InsightCache::default();
    let insight = label_rounds(&mut session, &mut cache, 2);
    let map = insight.map.unwrap();
    assert_eq!(map.pool_size, 105);
    assert_eq!(map.points.len(), 105);
    let count = |s: PointState| map.points.iter().filter(|p| p.state == s).count();
    assert_eq!(count(PointState::Labeled), 5);
    assert_eq!(count(PointState::Query), 1);
    assert_eq!(count(PointState::Unlabeled), 99);
    assert!(map.variance_ratio[0] > 0.7 && map.variance_ratio[1] > 0.2);
    let [x0, x1, y0, y1] = map.bounds;
    for p in &map.points {
        assert!(p.predicted.is_some_and(|c| c < 3));
        assert!((0.0..=1.0).contains(&p.uncertainty));
        assert!(f64::from(p.x) >= x0 - 1e-5 && f64::from(p.x) <= x1 + 1e-5);
        assert!(f64::from(p.y) >= y0 - 1e-5 && f64::from(p.y) <= y1 + 1e-5);
        assert_eq!(p.label.is_some(), p.state == PointState::Labeled);
    }
    let why = insight.why.unwrap();
    let q = map
        .points
        .iter()
        .find(|p| p.state == PointState::Query)
        .unwrap();
    assert_eq!(q.row, why.row);
    assert_eq!(why.map, Some([f64::from(q.x), f64::from(q.y)]));
}

#[test]
fn why_this_sample_matches_the_query_probabilities() {
    let mut session = Session::new(iris(), SessionConfig::default()).unwrap();
    session.seed_one_per_class().unwrap();
    let round = session.round().unwrap();
    let mut cache = InsightCache::default();
    let insight = cache.update(&session, round.query.as_ref(), &[]);
    let q = round.query.unwrap();
    let why = insight.why.unwrap();
    let mut p = q.proba.clone();
    p.sort_by(|a, b| b.total_cmp(a));
    assert_eq!(why.proba, q.proba);
    assert!((why.margin - (p[0] - p[1])).abs() < 1e-15);
    assert!((why.least_confidence - (1.0 - p[0])).abs() < 1e-15);
    let entropy: f64 = q
        .proba
        .iter()
        .filter(|&&v| v > 0.0)
        .map(|v| -v * v.ln())
        .sum();
    assert!((why.entropy - entropy).abs() < 1e-12);
    // Margin sampling picks the smallest margin: rank 1 by margin among the 102 candidates.
    assert_eq!(why.candidates, 102);
    assert_eq!(why.rank_margin, 1);
    assert!(why.rank_entropy >= 1 && why.rank_least_confident >= 1);
    assert!((why.score - (1.0 - why.margin)).abs() < 1e-12);
    let nearest = why.nearest_labeled.unwrap();
    assert!(session.labels().contains_key(&nearest.row));
    assert!(nearest.distance > 0.0);
    assert_eq!(why.density, None);
    assert_eq!(why.committee_votes, None);
    assert_eq!(insight.stopping.advice.len(), 3);
    assert!(!insight.stopping.suggestion.is_empty());
    assert_eq!(insight.stopping.metric, "test accuracy");
}

#[test]
fn committee_and_density_strategies_explain_themselves() {
    for name in ["qbc", "density"] {
        let config = SessionConfig {
            strategy: Strategy::from_name(name).unwrap(),
            ..SessionConfig::default()
        };
        let mut session = Session::new(iris(), config).unwrap();
        session.seed_one_per_class().unwrap();
        let round = session.round().unwrap();
        let why = InsightCache::default()
            .update(&session, round.query.as_ref(), &[])
            .why
            .unwrap();
        match name {
            "qbc" => assert_eq!(why.committee_votes.unwrap().iter().sum::<usize>(), 5),
            _ => assert!(why.density.is_some_and(|d| d > 0.0 && d <= 1.0)),
        }
    }
}

#[test]
fn a_large_pool_is_sampled_for_the_map_and_the_sample_is_stable() {
    let data = blobs(6_000, 5, 3, 0.8, &mut rng(3, 0)).unwrap();
    let mut session = Session::new(data, SessionConfig::default()).unwrap();
    session.seed_one_per_class().unwrap();
    let mut cache = InsightCache::default();
    let mut maps = Vec::new();
    for _ in 0..2 {
        let map = label_rounds(&mut session, &mut cache, 1).map.unwrap();
        let labeled = session.labels().len();
        assert_eq!(map.pool_size, 4_200);
        let count = |s: PointState| map.points.iter().filter(|p| p.state == s).count();
        assert_eq!(
            count(PointState::Labeled),
            labeled,
            "every labeled row is on the map"
        );
        assert_eq!(count(PointState::Query), 1);
        assert!(map.points.len() >= MAP_POINTS && map.points.len() <= MAP_POINTS + labeled + 1);
        maps.push(map);
    }
    // The sample stays the same from round to round: the unlabeled points of the second map were
    // all on the first.
    let first: std::collections::BTreeSet<usize> = maps[0].points.iter().map(|p| p.row).collect();
    let unlabeled_second: Vec<usize> = maps[1]
        .points
        .iter()
        .filter(|p| p.state == PointState::Unlabeled)
        .map(|p| p.row)
        .collect();
    assert!(unlabeled_second.len() >= MAP_POINTS - 6);
    assert!(unlabeled_second.iter().all(|r| first.contains(r)));
    // A fresh cache draws the same sample and the same coordinates (seeded).
    let round = session.round().unwrap();
    let a = InsightCache::default().update(&session, round.query.as_ref(), &[]);
    let b = InsightCache::default().update(&session, round.query.as_ref(), &[]);
    assert_eq!(a, b);
}

#[test]
fn without_test_labels_the_probe_estimate_is_the_metric() {
    let mut iris = iris();
    iris.known_labels = vec![None; iris.n_rows()];
    let config = SessionConfig {
        probe_share: 0.5,
        ..SessionConfig::default()
    };
    let mut session = Session::new(iris, config).unwrap();
    assert!(session.split().test.is_empty());
    for (row, class) in [(0, 0), (60, 1), (120, 2)] {
        session
            .apply(Event::Label {
                row,
                class,
                origin: Origin::User,
            })
            .unwrap();
    }
    let mut cache = InsightCache::default();
    let truth = |r: usize| r / 50;
    let mut last = None;
    for _ in 0..12 {
        let round = session.round().unwrap();
        last = Some(cache.update(&session, round.query.as_ref(), &[]));
        let q = round.query.unwrap();
        session
            .apply(Event::Label {
                row: q.row,
                class: truth(q.row),
                origin: q.origin(),
            })
            .unwrap();
    }
    let insight = last.unwrap();
    assert!(insight.classes.is_empty());
    assert!(insight.confusion.is_none());
    assert!(insight.macro_f1.is_none() && insight.f1_curve.is_empty());
    assert_eq!(insight.stopping.metric, "probe-estimated accuracy");
    // Probes were answered (probe share 0.5), so the curve has the session's estimate and band.
    let estimate = session.probe_estimate().unwrap();
    assert!(!insight.probe_curve.is_empty());
    for p in &insight.probe_curve {
        assert!(p.low <= p.accuracy && p.accuracy <= p.high && p.probes >= 1);
    }
    let last = insight.probe_curve.last().unwrap();
    assert!(
        last.probes <= estimate.n,
        "the last round saw at most the probes answered now"
    );
    assert_eq!(insight.map.unwrap().points.len(), 150);
}

/// Send one request; the round views it produced, each with the insight that came right after it
/// (the worker sends a round's insight as its own response, after the round, when the round says
/// `insight_follows`).
fn send(state: &mut WorkerState, request: Request) -> Vec<(RoundView, Option<Box<Insight>>)> {
    let mut views: Vec<(RoundView, Option<Box<Insight>>)> = Vec::new();
    state.handle(request, &mut |r| match r {
        Response::Round(view) => views.push((view, None)),
        Response::Insight(insight) => {
            let last = views.last_mut().expect("an insight comes after its round");
            assert!(last.0.insight_follows, "the round announced its insight");
            assert!(last.1.is_none(), "one insight per round");
            last.1 = Some(insight);
        }
        _ => {}
    });
    for (view, insight) in &views {
        assert_eq!(view.insight_follows, insight.is_some());
    }
    views
}

#[test]
fn the_worker_sends_an_insight_after_every_round_and_undo_trims_the_curves() {
    let mut state = WorkerState::default();
    let open = Request::Open {
        name: "iris.csv".into(),
        csv: IRIS.to_vec(),
        seed: 42,
    };
    let (mut view, _) = send(&mut state, open).pop().unwrap();
    let mut insight = None;
    for _ in 0..2 {
        let row = view.query.as_ref().unwrap().row;
        (view, insight) = send(&mut state, label(row, 0)).pop().unwrap();
    }
    let insight = insight.unwrap();
    assert_eq!(insight.n_classes, 3);
    assert_eq!(insight.map.as_ref().unwrap().points.len(), 105);
    assert_eq!(insight.classes.len(), 3);
    let counts: Vec<usize> = insight.f1_curve.iter().map(|p| p.n_labels).collect();
    assert_eq!(counts, vec![3, 4, 5]);
    let why = insight.why.as_ref().unwrap();
    assert_eq!(Some(why.row), view.query.as_ref().map(|q| q.row));
    // Undo: the curve loses its last point and the map shows one labeled row fewer.
    let (_, insight) = send(&mut state, undo()).pop().unwrap();
    let insight = insight.unwrap();
    let counts: Vec<usize> = insight.f1_curve.iter().map(|p| p.n_labels).collect();
    assert_eq!(counts, vec![3, 4]);
    let labeled = insight
        .map
        .as_ref()
        .unwrap()
        .points
        .iter()
        .filter(|p| p.state == PointState::Labeled)
        .count();
    assert_eq!(labeled, 4);
}

#[test]
fn the_why_panel_names_the_adaptive_strategy_s_proposers_and_weights() {
    use engine::project::Settings;
    use engine::session::SessionConfig;
    use engine::strategies::StrategyKind;
    let mut state = WorkerState::default();
    let open = Request::Open {
        name: "iris.csv".into(),
        csv: IRIS.to_vec(),
        seed: 42,
    };
    let (view, insight) = send(&mut state, open).pop().unwrap();
    // Another strategy: nothing adaptive to explain.
    assert_eq!(insight.unwrap().why.unwrap().adaptive, None);
    let mut settings = Settings::from_config(&SessionConfig::default()).unwrap();
    settings.seed = 42;
    settings.strategy = StrategyKind::Adaptive;
    let (mut view, mut insight) = send(&mut state, Request::Settings(settings))
        .pop()
        .unwrap_or((view, None));
    for _ in 0..3 {
        let q = view.query.as_ref().unwrap();
        let class = q.known_label.unwrap_or(0);
        (view, insight) = send(&mut state, label(q.row, class)).pop().unwrap();
    }
    let why = insight.unwrap().why.unwrap();
    assert_eq!(Some(why.row), view.query.as_ref().map(|q| q.row));
    let adaptive = why.adaptive.expect("an adaptive pick is explained");
    let names: Vec<&str> = adaptive.arms.iter().map(|a| a.name.as_str()).collect();
    assert!(
        names.contains(&"random") && names.contains(&"margin"),
        "{names:?}"
    );
    let total: f64 = adaptive.arms.iter().map(|a| a.weight).sum();
    assert!(
        (total - 1.0).abs() < 1e-9,
        "the weights are a distribution: {total}"
    );
    // The random strategy's advice covers every row, so it always proposed the row.
    assert!(adaptive
        .arms
        .iter()
        .any(|a| a.name == "random" && a.proposed));
    assert!(!adaptive.proposers().is_empty());
    assert!(adaptive.probability > 0.0 && adaptive.probability <= 1.0);
}
