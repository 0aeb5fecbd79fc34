//! Sessions and their rounds, through the public methods.

use super::*;
use crate::models::ModelSpec;
use crate::strategies::batch::BatchDiversity;
use crate::strategies::Strategy;
use crate::testing::iris;
use std::collections::BTreeSet;

#[test]
fn seeds_one_label_per_class_from_the_pool() {
    let mut s = Session::new(iris(), SessionConfig::default()).unwrap();
    s.seed_one_per_class().unwrap();
    let labels = s.labels();
    assert_eq!(labels.len(), 3);
    let classes: BTreeSet<usize> = labels.values().copied().collect();
    assert_eq!(classes.len(), 3);
    assert!(labels.keys().all(|r| s.split().pool.contains(r)));
    let round = s.round().unwrap();
    assert_eq!(round.n_labels, 3);
    assert!(round.test_accuracy.is_some());
    let q = round.query.unwrap();
    assert!(!labels.contains_key(&q.row));
    assert_eq!(q.proba.len(), 3);
}

#[test]
fn refuses_bad_events_with_numbers() {
    let mut s = Session::new(iris(), SessionConfig::default()).unwrap();
    let test_row = s.split().test[0];
    let pool_row = s.split().pool[0];
    let label = |row, class| Event::Label {
        row,
        class,
        origin: Origin::User,
    };
    assert_eq!(
        s.apply(label(test_row, 0)).unwrap_err().to_string(),
        format!("row {test_row} is not in the pool of 105 queryable rows")
    );
    assert_eq!(
        s.apply(label(pool_row, 3)).unwrap_err().to_string(),
        "class 3 does not exist: the session has 3 classes"
    );
    s.apply(label(pool_row, 0)).unwrap();
    assert_eq!(
        s.apply(label(pool_row, 1)),
        Err(SessionError::AlreadyLabeled { row: pool_row })
    );
}

#[test]
fn an_empty_log_starts_cold() {
    for cold_start in [ColdStart::Random, ColdStart::KMeansPlusPlus] {
        let config = SessionConfig {
            cold_start,
            batch_size: 3,
            ..SessionConfig::default()
        };
        let mut s = Session::new(iris(), config).unwrap();
        let round = s.round().unwrap();
        assert_eq!(round.n_labels, 0);
        assert_eq!(round.test_accuracy, None);
        assert_eq!(round.batch.len(), 3);
        assert!(round.query.unwrap().proba.is_empty());
    }
}

#[test]
fn every_strategy_runs_a_round_with_distinct_batch_picks() {
    use crate::names::Named;
    for name in crate::strategies::StrategyKind::ALL
        .iter()
        .map(|k| k.name())
    {
        for batch_diversity in [None, Some(BatchDiversity::KCenter)] {
            let config = SessionConfig {
                strategy: Strategy::from_name(name).unwrap(),
                batch_size: 4,
                batch_diversity,
                ..SessionConfig::default()
            };
            let mut s = Session::new(iris(), config).unwrap();
            s.seed_one_per_class().unwrap();
            let round = s.round().unwrap();
            let rows: BTreeSet<usize> = round.batch.iter().map(|q| q.row).collect();
            assert_eq!(rows.len(), 4, "{name}: {:?}", round.batch);
            assert!(rows.iter().all(|r| !s.labels().contains_key(r)), "{name}");
            assert_eq!(
                round.query.as_ref().map(|q| q.row),
                round.batch.first().map(|q| q.row)
            );
        }
    }
}

#[test]
fn skip_and_undo_change_the_next_query() {
    let mut s = Session::new(iris(), SessionConfig::default()).unwrap();
    s.seed_one_per_class().unwrap();
    assert_eq!(
        s.apply(Event::Undo),
        Err(SessionError::NothingToUndo),
        "seed labels stay"
    );
    let first = s.round().unwrap().query.unwrap().row;
    s.apply(Event::Skip { row: first }).unwrap();
    let second = s.round().unwrap().query.unwrap().row;
    assert_ne!(first, second, "a skipped row is not asked again");
    s.apply(Event::Label {
        row: second,
        class: 1,
        origin: Origin::User,
    })
    .unwrap();
    assert_eq!(s.labels().len(), 4);
    s.apply(Event::Undo).unwrap();
    assert_eq!(s.labels().len(), 3);
    assert_eq!(
        s.round().unwrap().query.unwrap().row,
        second,
        "undo brings the row back"
    );
    s.apply(Event::Undo).unwrap();
    assert!(s.state().skipped.is_empty());
    assert_eq!(s.round().unwrap().query.unwrap().row, first, "and the skip");
    let labels = s.labels();
    s.reconfigure(SessionConfig {
        strategy: Strategy::Entropy,
        ..SessionConfig::default()
    })
    .unwrap();
    assert_eq!(s.labels(), labels, "changing the strategy keeps the labels");
}

#[test]
fn refuses_a_zero_batch() {
    let config = SessionConfig {
        batch_size: 0,
        ..SessionConfig::default()
    };
    assert_eq!(
        Session::new(iris(), config).unwrap_err().to_string(),
        "the batch size must be at least 1, got 0"
    );
}

fn user(row: usize, class: usize) -> Event {
    Event::Label {
        row,
        class,
        origin: Origin::User,
    }
}

#[test]
fn relabel_changes_the_class_and_undo_restores_it() {
    let mut s = Session::new(iris(), SessionConfig::default()).unwrap();
    let [a, b, c] = [s.split().pool[0], s.split().pool[1], s.split().pool[2]];
    assert_eq!(
        s.apply(Event::Relabel { row: a, class: 1 }),
        Err(SessionError::NotLabeled { row: a })
    );
    s.apply(user(a, 0)).unwrap();
    s.apply(user(b, 2)).unwrap();
    assert_eq!(
        s.apply(Event::Relabel { row: a, class: 0 }),
        Err(SessionError::SameClass { row: a, class: 0 })
    );
    assert!(s.apply(Event::Relabel { row: a, class: 3 }).is_err());
    s.apply(Event::Relabel { row: a, class: 1 }).unwrap();
    assert_eq!(s.labels()[&a], 1);
    let h = s.history();
    assert_eq!(
        h[0],
        HistoryEntry {
            row: a,
            class: 1,
            origin: Origin::User,
            event_index: 0,
            relabeled_at: Some(2)
        }
    );
    assert_eq!((h[1].row, h[1].class, h[1].relabeled_at), (b, 2, None));
    s.apply(Event::Relabel { row: a, class: 2 }).unwrap();
    s.apply(Event::Undo).unwrap();
    assert_eq!(
        s.labels()[&a],
        1,
        "undo restores the class before the last relabel"
    );
    s.apply(Event::Undo).unwrap();
    assert_eq!(s.labels()[&a], 0, "and then the one before");
    assert_eq!(s.history()[0].relabeled_at, None);
    s.apply(user(c, 1)).unwrap();
    assert_eq!(
        s.history().iter().map(|e| e.row).collect::<Vec<_>>(),
        vec![a, b, c]
    );
    s.round().unwrap();
}

#[test]
fn added_classes_are_checked_and_every_model_copes_with_an_empty_class() {
    for model in ModelSpec::all_defaults() {
        let config = SessionConfig {
            model: model.clone(),
            ..SessionConfig::default()
        };
        let mut s = Session::new(iris(), config).unwrap();
        s.seed_one_per_class().unwrap();
        s.round().unwrap();
        assert_eq!(
            s.apply(Event::AddClass { name: "  ".into() }),
            Err(SessionError::EmptyClassName)
        );
        assert_eq!(
            s.apply(Event::AddClass {
                name: " setosa".into()
            })
            .unwrap_err()
            .to_string(),
            "there is already a class named 'setosa' (class 0): choose another name"
        );
        assert!(s
            .apply(Event::AddClass {
                name: "x".repeat(201)
            })
            .is_err());
        s.apply(Event::AddClass {
            name: " hybrid ".into(),
        })
        .unwrap();
        assert_eq!(
            s.class_names(),
            ["setosa", "versicolor", "virginica", "hybrid"]
        );
        assert_eq!(
            s.apply(Event::Undo),
            Err(SessionError::NothingToUndo),
            "{}",
            model.name()
        );
        let round = s.round().unwrap();
        let q = round.query.unwrap();
        assert_eq!(q.proba.len(), 4, "{}", model.name());
        assert!(
            q.proba.iter().all(|p| p.is_finite()),
            "{}: {:?}",
            model.name(),
            q.proba
        );
        assert!(
            (q.proba.iter().sum::<f64>() - 1.0).abs() < 1e-9,
            "{}",
            model.name()
        );
        assert!(
            q.proba[3] < 0.05,
            "{}: the empty class gets ~0: {:?}",
            model.name(),
            q.proba
        );
        assert!(round.test_accuracy.is_some());
        s.apply(user(q.row, 3)).unwrap();
        let q = s.round().unwrap().query.unwrap();
        assert_eq!(q.proba.len(), 4);
        assert!(
            q.proba.iter().all(|p| p.is_finite()),
            "{}: {:?}",
            model.name(),
            q.proba
        );
    }
}

#[test]
fn probes_are_seeded_random_rows_and_give_an_estimate() {
    assert_eq!(
        Session::new(
            iris(),
            SessionConfig {
                probe_share: -0.1,
                ..SessionConfig::default()
            }
        )
        .unwrap_err(),
        SessionError::BadProbeShare { share: -0.1 }
    );
    let config = SessionConfig {
        probe_share: 0.5,
        ..SessionConfig::default()
    };
    let data = iris();
    let mut s = Session::new(data.clone(), config.clone()).unwrap();
    assert!(!s.round().unwrap().probe, "no probe before a model exists");
    s.seed_one_per_class().unwrap();
    let mut probes = 0;
    for _ in 0..30 {
        let round = s.round().unwrap();
        let q = round.query.clone().unwrap();
        assert_eq!(round.probe, q.probe);
        if q.probe {
            probes += 1;
            assert_eq!(q.score, 0.0);
            assert!(matches!(q.origin(), Origin::Probe { .. }));
        }
        let truth = data.known_labels[q.row].unwrap();
        s.apply(Event::Label {
            row: q.row,
            class: truth,
            origin: q.origin(),
        })
        .unwrap();
    }
    assert!(
        (5..=25).contains(&probes),
        "about half of 30 rounds probe: {probes}"
    );
    let e = s.probe_estimate().unwrap();
    assert_eq!(e.n, probes);
    assert!(e.low <= e.accuracy && e.accuracy <= e.high);
    let again = Session::from_log(data, config, s.log()).unwrap();
    assert_eq!(again.probe_estimate(), Some(e));
    let mut again = again;
    // The replay's first model is fitted cold, the live one warm: the numbers agree to the
    // solver's tolerance, the draws and the pick exactly.
    let (a, b) = (again.round().unwrap(), s.round().unwrap());
    assert_eq!(
        (a.probe, a.query.as_ref().map(|q| q.row)),
        (b.probe, b.query.as_ref().map(|q| q.row))
    );
    for (p, q) in a.query.unwrap().proba.iter().zip(b.query.unwrap().proba) {
        assert!((p - q).abs() < 1e-4, "{p} vs {q}");
    }
}

#[test]
fn a_probe_in_a_batch_comes_first_and_is_not_repeated() {
    let config = SessionConfig {
        probe_share: 0.5,
        batch_size: 4,
        ..SessionConfig::default()
    };
    let mut s = Session::new(iris(), config).unwrap();
    s.seed_one_per_class().unwrap();
    let mut seen = false;
    for k in 0..12 {
        let round = s.round().unwrap();
        let rows: BTreeSet<usize> = round.batch.iter().map(|q| q.row).collect();
        assert_eq!(rows.len(), 4);
        assert!(round.batch.iter().skip(1).all(|q| !q.probe));
        seen |= round.probe;
        let q = round.query.unwrap();
        s.apply(Event::Label {
            row: q.row,
            class: k % 3,
            origin: q.origin(),
        })
        .unwrap();
    }
    assert!(seen);
}

#[test]
fn reconfigure_keeps_labels_and_refuses_fixed_settings() {
    let mut s = Session::new(iris(), SessionConfig::default()).unwrap();
    s.seed_one_per_class().unwrap();
    let labels = s.labels();
    let changed = SessionConfig {
        strategy: Strategy::Entropy,
        model: ModelSpec::all_defaults()[2].clone(),
        batch_size: 3,
        batch_diversity: Some(BatchDiversity::KCenter),
        cold_start: ColdStart::Random,
        probe_share: 0.2,
        ..SessionConfig::default()
    };
    s.reconfigure(changed.clone()).unwrap();
    assert_eq!(s.config(), &changed);
    assert_eq!(s.labels(), labels);
    assert_eq!(s.round().unwrap().batch.len(), 3);
    assert_eq!(
        s.reconfigure(SessionConfig { seed: 9, ..changed.clone() }).unwrap_err().to_string(),
        "the seed is fixed for the whole session (it is 0, 9 was asked for): start a new session to change it"
    );
    assert!(matches!(
        s.reconfigure(SessionConfig {
            test_fraction: 0.2,
            ..changed.clone()
        }),
        Err(SessionError::FixedSetting { .. })
    ));
    assert!(s
        .reconfigure(SessionConfig {
            probe_share: 0.6,
            ..changed.clone()
        })
        .is_err());
    assert_eq!(s.config(), &changed, "a refused change changes nothing");
}

#[test]
fn a_cold_random_start_after_skips_picks_only_candidates() {
    for cold_start in [ColdStart::Random, ColdStart::KMeansPlusPlus] {
        let config = SessionConfig {
            cold_start,
            batch_size: 2,
            ..SessionConfig::default()
        };
        let mut s = Session::new(iris(), config).unwrap();
        let pool = s.split().pool.clone();
        for &row in &pool[..pool.len() - 3] {
            s.apply(Event::Skip { row }).unwrap();
        }
        for _ in 0..5 {
            let round = s.round().unwrap();
            assert_eq!(round.batch.len(), 2);
            assert!(round
                .batch
                .iter()
                .all(|q| pool[pool.len() - 3..].contains(&q.row)));
        }
    }
}

#[test]
fn every_strategy_copes_with_an_added_class() {
    use crate::names::Named;
    for name in crate::strategies::StrategyKind::ALL
        .iter()
        .map(|k| k.name())
    {
        let config = SessionConfig {
            strategy: Strategy::from_name(name).unwrap(),
            batch_size: 2,
            batch_diversity: Some(BatchDiversity::KCenter),
            ..SessionConfig::default()
        };
        let mut s = Session::new(iris(), config).unwrap();
        s.seed_one_per_class().unwrap();
        s.apply(Event::AddClass { name: "new".into() }).unwrap();
        let round = s.round().unwrap();
        assert_eq!(round.batch.len(), 2, "{name}");
        assert!(
            round
                .batch
                .iter()
                .all(|q| q.proba.len() == 4 && q.score.is_finite()),
            "{name}: {:?}",
            round.batch
        );
    }
}

/// A digest of every query (row, score, probabilities) of short oracle runs over every strategy,
/// four models and two batch sizes: equal digests prove that a change left the rounds
/// unchanged to the bit (the scikit-learn reference tests bound the values themselves).
/// Last changed by the Newton solver for logistic regression: its probabilities differ in the
/// last digits, and every one of the 92 runs picks the same rows with it, with L-BFGS at the
/// same tolerance and with Newton converged to 1e-11 (the exact optimum's picks).
#[cfg(not(target_arch = "wasm32"))]
fn rounds_digest(keep_copy: bool) -> u64 {
    use crate::names::Named;
    let data = iris();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |v: u64| {
        for b in v.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for name in crate::strategies::StrategyKind::ALL
        .iter()
        .map(|k| k.name())
    {
        for model in ModelSpec::all_defaults() {
            if name.starts_with("eer") && matches!(model, ModelSpec::Mlp(_)) {
                continue; // slow in debug builds; eer with the other models covers it
            }
            for batch_size in [1, 3] {
                let config = SessionConfig {
                    strategy: Strategy::from_name(name).unwrap(),
                    model: model.clone(),
                    batch_size,
                    batch_diversity: (batch_size > 1).then_some(BatchDiversity::KCenter),
                    ..SessionConfig::default()
                };
                let mut s = Session::new(data.clone(), config).unwrap();
                assert!(s.has_standardized_copy(), "iris is small");
                s.keep_standardized_copy(keep_copy);
                s.seed_one_per_class().unwrap();
                for _ in 0..4 {
                    let round = s.round().unwrap();
                    eat(round.test_accuracy.unwrap_or(-1.0).to_bits());
                    for q in &round.batch {
                        eat(q.row as u64);
                        eat(q.score.to_bits());
                        q.proba.iter().for_each(|p| eat(p.to_bits()));
                    }
                    let row = round.query.unwrap().row;
                    let class = data.known_labels[row].unwrap();
                    s.apply(Event::Label {
                        row,
                        class,
                        origin: Origin::Oracle,
                    })
                    .unwrap();
                }
            }
        }
    }
    h
}

#[test]
#[cfg(not(target_arch = "wasm32"))]
fn rounds_are_unchanged_by_the_copy_free_pool() {
    assert_eq!(rounds_digest(true), 16_083_582_676_381_600_980);
}

/// Rounds that standardize block by block (large datasets) are the rounds of a session with
/// the standardized copy, bit for bit, for every strategy and model.
#[test]
#[cfg(not(target_arch = "wasm32"))]
fn rounds_without_the_standardized_copy_are_the_same() {
    assert_eq!(rounds_digest(false), 16_083_582_676_381_600_980);
}
