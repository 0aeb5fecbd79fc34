//! The cold start does what its name says: "spread out" asks rows that stand for the data's
//! clusters, one round at a time as well as in a batch, where "random" asks whatever it draws.

use engine::data::synthetic::blobs;
use engine::session::{ColdStart, Event, Origin, Session, SessionConfig};
use std::collections::BTreeSet;

/// Blob sets of `clusters` well separated clusters (labels hidden, class names kept), and the
/// clusters covered by the first `clusters` cold picks, asked one per round: every answer is
/// class 0, so no model can be fitted and the cold start goes on.
fn covered(cold_start: ColdStart, clusters: usize, seed: u64) -> usize {
    let mut data = blobs(600, 4, clusters, 0.15, &mut engine::rng(seed, 7)).expect("blobs");
    let truth = std::mem::replace(&mut data.known_labels, vec![None; 600]);
    let config = SessionConfig {
        seed,
        cold_start,
        ..SessionConfig::default()
    };
    let mut session = Session::new(data, config).expect("a session");
    let mut seen = BTreeSet::new();
    for _ in 0..clusters {
        let round = session.round().expect("a round");
        let row = round.query.expect("a pick").row;
        seen.insert(truth[row].expect("every blob row has a cluster"));
        session
            .apply(Event::Label {
                row,
                class: 0,
                origin: Origin::User,
            })
            .expect("a label");
    }
    seen.len()
}

#[test]
fn spread_out_first_picks_cover_the_clusters_better_than_random() {
    let clusters = 5;
    let seeds = 0..20u64;
    let spread: Vec<usize> = seeds
        .clone()
        .map(|s| covered(ColdStart::KMeansPlusPlus, clusters, s))
        .collect();
    let random: Vec<usize> = seeds
        .map(|s| covered(ColdStart::Random, clusters, s))
        .collect();
    let mean = |v: &[usize]| v.iter().sum::<usize>() as f64 / v.len() as f64;
    eprintln!(
        "clusters covered by the first {clusters} picks over 20 seeds: spread out {:.2}, random {:.2}",
        mean(&spread),
        mean(&random)
    );
    assert!(
        spread.iter().filter(|&&c| c == clusters).count() >= 18,
        "spread out covers all {clusters} clusters in its first {clusters} picks: {spread:?}"
    );
    assert!(
        mean(&spread) > mean(&random) + 0.5,
        "spread out {spread:?} against random {random:?}"
    );
}

#[test]
fn a_spread_out_batch_covers_the_clusters_in_one_round() {
    for seed in 0..10 {
        let mut data = blobs(600, 4, 4, 0.15, &mut engine::rng(seed, 7)).expect("blobs");
        let truth = std::mem::replace(&mut data.known_labels, vec![None; 600]);
        let config = SessionConfig {
            seed,
            batch_size: 4,
            cold_start: ColdStart::KMeansPlusPlus,
            ..SessionConfig::default()
        };
        let round = Session::new(data, config)
            .expect("a session")
            .round()
            .expect("a round");
        let seen: BTreeSet<usize> = round.batch.iter().filter_map(|q| truth[q.row]).collect();
        assert_eq!(seen.len(), 4, "seed {seed}: {:?}", round.batch);
    }
}
