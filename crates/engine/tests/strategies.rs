//! Native integration tests of the query strategies on synthetic 2-D data: do they ask what they
//! promise to ask? The "models" are fixed logistic / softmax functions (stand-ins for fitted
//! models) so the tests exercise the strategies only.

use engine::rng;
use engine::strategies::batch::{diverse_top_batch, ranked_batch, BatchDiversity};
use engine::strategies::committee::{
    consensus_entropy_scores, max_kl_disagreement_scores, vote_entropy_scores,
};
use engine::strategies::density::{density_weighted_scores, information_density, DensityOptions};
use engine::strategies::diversity::{cold_start, k_center_greedy};
use engine::strategies::stream::{StreamConfig, StreamPolicy, StreamSampler};
use engine::strategies::uncertainty::{entropy_scores, least_confident_scores, margin_scores};
use engine::strategies::{random_scores, top_k};
use ndarray::{array, Array2, ArrayView1, Axis};
use rand::Rng;

/// `n` points uniform in `[-3, 3]²`.
fn square(n: usize, seed: u64) -> Array2<f64> {
    let mut r = rng(seed, 99);
    Array2::from_shape_fn((n, 2), |_| r.gen_range(-3.0..3.0))
}

/// A binary "fitted model" whose boundary is the line through the origin at `angle` (radians)
/// from the first axis: `p(1 | x) = σ(s · (x·normal))`.
fn logistic(x: &Array2<f64>, angle: f64, sharpness: f64) -> Array2<f64> {
    let normal = array![-angle.sin(), angle.cos()];
    let mut p = Array2::zeros((x.nrows(), 2));
    for (i, row) in x.rows().into_iter().enumerate() {
        let p1 = 1.0 / (1.0 + (-sharpness * row.dot(&normal)).exp());
        p[[i, 0]] = 1.0 - p1;
        p[[i, 1]] = p1;
    }
    p
}

/// Distance to the boundary of `logistic(·, 0, ·)`: `|x₁|`.
fn distance_to_boundary(row: ArrayView1<f64>) -> f64 {
    row[1].abs()
}

fn mean_distance(x: &Array2<f64>, picks: &[usize]) -> f64 {
    picks
        .iter()
        .map(|&i| distance_to_boundary(x.row(i)))
        .sum::<f64>()
        / picks.len() as f64
}

#[test]
fn uncertainty_picks_are_closer_to_the_boundary_than_random_picks() {
    let k = 20;
    for seed in 0..5 {
        let x = square(500, seed);
        let p = logistic(&x, 0.0, 2.0);
        let random = top_k(
            &random_scores(x.nrows(), &mut rng(seed, 1)),
            k,
            &mut rng(seed, 2),
        );
        let d_random = mean_distance(&x, &random);
        for (name, scores) in [
            ("least confident", least_confident_scores(p.view())),
            ("margin", margin_scores(p.view())),
            ("entropy", entropy_scores(p.view())),
        ] {
            let picks = top_k(&scores, k, &mut rng(seed, 3));
            let d = mean_distance(&x, &picks);
            eprintln!(
                "seed {seed}, {name}: mean distance to the boundary {d:.4} (random {d_random:.4})"
            );
            assert!(
                d < 0.25 * d_random,
                "seed {seed}, {name}: mean distance {d:.3} vs random {d_random:.3}"
            );
        }
    }
}

#[test]
fn multiclass_entropy_prefers_points_between_classes() {
    // Three classes around the origin: softmax of −distance² to three centres.
    let x = square(600, 11);
    let centres = [[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]];
    let p = Array2::from_shape_fn((x.nrows(), 3), |(i, k)| {
        let d2 = (x[[i, 0]] - centres[k][0]).powi(2) + (x[[i, 1]] - centres[k][1]).powi(2);
        -d2
    });
    let p = {
        let mut p = p;
        for mut row in p.rows_mut() {
            let m = row.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            row.mapv_inplace(|v| (v - m).exp());
            let s = row.sum();
            row.mapv_inplace(|v| v / s);
        }
        p
    };
    let picks = top_k(&entropy_scores(p.view()), 15, &mut rng(0, 0));
    // The most uncertain rows have no class above 0.75.
    for &i in &picks {
        let max = p.row(i).fold(0.0_f64, |a, &b| a.max(b));
        assert!(max < 0.75, "row {i}: max p {max}");
    }
}

#[test]
fn committee_strategies_pick_disagreements() {
    let x = square(800, 5);
    // Three members whose boundaries are rotated by −25°, 0°, +25°: they disagree in the wedge
    // between the outer lines.
    let members: Vec<Array2<f64>> = [-25.0_f64, 0.0, 25.0]
        .iter()
        .map(|deg| logistic(&x, deg.to_radians(), 4.0))
        .collect();
    let votes_split = |i: usize| {
        let votes: Vec<bool> = members.iter().map(|m| m[[i, 1]] > m[[i, 0]]).collect();
        votes.iter().any(|&v| v) && votes.iter().any(|&v| !v)
    };
    let random = top_k(
        &random_scores(x.nrows(), &mut rng(1, 1)),
        30,
        &mut rng(1, 2),
    );
    let random_share = random.iter().filter(|&&i| votes_split(i)).count() as f64 / 30.0;
    assert!(
        random_share < 0.5,
        "the wedge is a minority: {random_share}"
    );
    for (name, scores) in [
        ("vote entropy", vote_entropy_scores(&members).unwrap()),
        (
            "consensus entropy",
            consensus_entropy_scores(&members).unwrap(),
        ),
        ("max KL", max_kl_disagreement_scores(&members).unwrap()),
    ] {
        let picks = top_k(&scores, 30, &mut rng(0, 0));
        let share = picks.iter().filter(|&&i| votes_split(i)).count() as f64 / 30.0;
        eprintln!("{name}: {share} of the top 30 are split votes (random {random_share})");
        assert!(
            share >= 0.9,
            "{name}: only {share} of the picks are disagreements (random: {random_share})"
        );
    }
}

/// Four tight clusters; a batch of 4 should visit each.
fn clusters() -> Array2<f64> {
    let centres = [[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]];
    let mut r = rng(3, 3);
    Array2::from_shape_fn((200, 2), |(i, j)| {
        centres[i % 4][j] + r.gen_range(-0.5..0.5)
    })
}

fn cluster_of(x: &Array2<f64>, i: usize) -> usize {
    usize::from(x[[i, 0]] > 5.0) + 2 * usize::from(x[[i, 1]] > 5.0)
}

#[test]
fn diversity_batches_cover_the_clusters() {
    let x = clusters();
    let empty = Array2::<f64>::zeros((0, 2));
    for seed in 0..10 {
        let kc = k_center_greedy(x.view(), empty.view(), 4, &mut rng(seed, 0)).unwrap();
        let seen: std::collections::BTreeSet<usize> =
            kc.iter().map(|p| cluster_of(&x, p.index)).collect();
        assert_eq!(seen.len(), 4, "k-center, seed {seed}: {kc:?}");
        let cs = cold_start(
            x.view(),
            &[true; 200],
            empty.view(),
            4,
            4,
            &mut rng(seed, 0),
        )
        .unwrap();
        let seen: std::collections::BTreeSet<usize> =
            cs.iter().map(|p| cluster_of(&x, p.index)).collect();
        assert_eq!(
            seen.len(),
            4,
            "representative cold start, seed {seed}: {cs:?}"
        );
    }
}

#[test]
fn diverse_batches_spread_out_where_top_k_clumps() {
    // Uncertainty is highest in cluster 0 and decreases with the cluster index, so plain top-8
    // asks 8 near-duplicates; top-M-then-diverse and ranked batch spread the batch.
    let x = clusters();
    let u: Vec<f64> = (0..x.nrows())
        .map(|i| 0.9 - 0.1 * cluster_of(&x, i) as f64 - 0.0001 * i as f64)
        .collect();
    let labeled = array![[5.0, 5.0]];
    let plain = top_k(&u, 8, &mut rng(0, 0));
    let clusters_of = |picks: &[usize]| -> usize {
        picks
            .iter()
            .map(|&i| cluster_of(&x, i))
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    assert_eq!(clusters_of(&plain), 1);
    for method in [BatchDiversity::KCenter, BatchDiversity::KMeansPlusPlus] {
        let picks =
            diverse_top_batch(&u, x.view(), labeled.view(), 8, 50, method, &mut rng(0, 0)).unwrap();
        let idx: Vec<usize> = picks.iter().map(|p| p.index).collect();
        assert!(clusters_of(&idx) >= 3, "{method:?}: {idx:?}");
    }
    let ranked = ranked_batch(&u, x.view(), labeled.view(), 8, &mut rng(0, 0)).unwrap();
    let idx: Vec<usize> = ranked.iter().map(|p| p.index).collect();
    assert_eq!(clusters_of(&idx), 4, "ranked batch: {idx:?}");
}

#[test]
fn information_density_steers_away_from_outliers() {
    // A dense cloud near the boundary plus one outlier exactly on it, far away.
    let mut x = square(300, 8);
    x.push_row(ndarray::aview1(&[40.0, 0.0])).unwrap();
    let outlier = x.nrows() - 1;
    let p = logistic(&x, 0.0, 2.0);
    let u = entropy_scores(p.view());
    assert_eq!(
        top_k(&u, 1, &mut rng(0, 0)),
        vec![outlier],
        "plain entropy asks the outlier"
    );
    let density =
        information_density(x.view(), &DensityOptions::default(), &mut rng(0, 0)).unwrap();
    let weighted = density_weighted_scores(&u, &density, 1.0).unwrap();
    let picks = top_k(&weighted, 10, &mut rng(0, 0));
    assert!(!picks.contains(&outlier), "{picks:?}");
    assert!(mean_distance(&x, &picks) < 0.5);
}

#[test]
fn stream_sampling_asks_uncertain_items_within_budget() {
    let x = square(5_000, 21);
    let p = logistic(&x, 0.0, 2.0);
    let mut asked_distance = std::collections::BTreeMap::new();
    for policy in [
        StreamPolicy::Random,
        StreamPolicy::VariableUncertainty,
        StreamPolicy::RandomizedVariableUncertainty,
    ] {
        let mut s = StreamSampler::new(StreamConfig::new(policy, 0.1)).unwrap();
        let mut r = rng(4, 0);
        let mut asked = Vec::new();
        for (i, row) in p.axis_iter(Axis(0)).enumerate() {
            if s.decide(row, &mut r).unwrap().ask {
                asked.push(i);
            }
        }
        assert!(
            asked.len() as f64 <= (0.1 * 5_000.0_f64).ceil(),
            "{policy:?}"
        );
        assert!(
            asked.len() >= 400,
            "{policy:?} used only {} labels",
            asked.len()
        );
        asked_distance.insert(format!("{policy:?}"), mean_distance(&x, &asked));
    }
    eprintln!("stream: mean distance of asked items to the boundary {asked_distance:?}");
    let random = asked_distance["Random"];
    assert!(
        asked_distance["VariableUncertainty"] < 0.6 * random,
        "{asked_distance:?}"
    );
    assert!(
        asked_distance["RandomizedVariableUncertainty"] < random,
        "{asked_distance:?}"
    );
}
