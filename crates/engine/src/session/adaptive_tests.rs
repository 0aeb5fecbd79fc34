//! The adaptive strategy inside a session: seeded, repeatable, explained, and learning from its
//! answers.

use super::*;
use crate::strategies::adaptive::Arm;
use crate::strategies::Strategy;
use crate::testing::iris;

fn adaptive_session(seed: u64) -> Session {
    let config = SessionConfig {
        seed,
        strategy: Strategy::Adaptive { horizon: 20 },
        ..SessionConfig::default()
    };
    let mut s = Session::new(iris(), config).unwrap();
    s.seed_one_per_class().unwrap();
    s
}

/// Label `rounds` queries with the known labels; the rows asked, in order.
fn answer(s: &mut Session, rounds: usize) -> Vec<usize> {
    (0..rounds)
        .map(|_| {
            let round = s.round().unwrap();
            let row = round.query.unwrap().row;
            let class = s.data().known_labels[row].unwrap();
            s.apply(Event::Label {
                row,
                class,
                origin: Origin::Oracle,
            })
            .unwrap();
            row
        })
        .collect()
}

#[test]
// Minutes in the browser's debug build, past the test runner's 30 s renderer timeout.
#[cfg(not(target_arch = "wasm32"))]
fn the_same_seed_asks_the_same_rows_and_a_repeated_round_the_same_row() {
    let (mut a, mut b) = (adaptive_session(4), adaptive_session(4));
    assert_eq!(answer(&mut a, 8), answer(&mut b, 8));
    let first = a.round().unwrap();
    let again = a.round().unwrap();
    assert_eq!(
        first, again,
        "a round without an event in between is repeated exactly"
    );
    assert_eq!(a.adaptive_state(), b.round().ok().and(b.adaptive_state()));
}

#[test]
fn a_round_says_who_proposed_the_row_and_the_current_mix() {
    let mut s = adaptive_session(1);
    answer(&mut s, 3);
    let round = s.round().unwrap();
    let choice = round.adaptive.expect("an adaptive round explains its pick");
    let arms: Vec<Arm> = choice.arms.iter().map(|a| a.arm).collect();
    assert_eq!(
        arms,
        Arm::ALL.to_vec(),
        "logistic regression allows the committee"
    );
    let total: f64 = choice.arms.iter().map(|a| a.probability).sum();
    assert!((total - 1.0).abs() < 1e-9, "{total}");
    assert!(
        choice.proposed_by.contains(&Arm::Random),
        "uniform advice covers every row"
    );
    assert!(choice.probability > 0.0 && choice.probability <= 1.0);
    let row = round.query.unwrap().row;
    for arm in &choice.arms {
        if choice.proposed_by.contains(&arm.arm) && arm.arm != Arm::Random {
            assert_eq!(arm.advised, Some(row), "{:?}", arm.arm);
        }
    }
    // Another strategy's round has no such panel.
    s.reconfigure(SessionConfig {
        strategy: Strategy::Margin,
        ..s.config().clone()
    })
    .unwrap();
    assert_eq!(s.round().unwrap().adaptive, None);
}

#[test]
// Minutes in the browser's debug build, past the test runner's 30 s renderer timeout.
#[cfg(not(target_arch = "wasm32"))]
fn answers_are_credited_and_move_the_weights() {
    let mut s = adaptive_session(2);
    answer(&mut s, 10);
    s.round().unwrap();
    let state = s.adaptive_state().unwrap();
    assert!(
        state.drawn.len() >= 10,
        "{} draws credited",
        state.drawn.len()
    );
    assert!(state.drawn.iter().all(|&(_, w)| w >= 1.0), "W = 1/q ≥ 1");
    let w = state.bandit.weights();
    assert!(
        w.iter().any(|&x| (x - 1.0 / 6.0).abs() > 1e-6),
        "the weights moved: {w:?}"
    );
    // A saved state continues where it was.
    let mut restored = Session::from_log(iris(), s.config().clone(), s.log()).unwrap();
    restored.restore_adaptive_state(state.clone());
    let mut original = s.clone();
    original.reconfigure(s.config().clone()).unwrap();
    assert_eq!(restored.adaptive_state(), Some(state));
}

#[test]
// Minutes in the browser's debug build, past the test runner's 30 s renderer timeout.
#[cfg(not(target_arch = "wasm32"))]
fn the_neural_network_leaves_the_committee_out() {
    let config = SessionConfig {
        strategy: Strategy::Adaptive { horizon: 10 },
        model: crate::models::ModelSpec::Mlp(Default::default()),
        ..SessionConfig::default()
    };
    let s = Session::new(iris(), config).unwrap();
    assert!(!s.adaptive_arms().contains(&Arm::Qbc));
    assert_eq!(s.adaptive_arms().len(), 5);
}
