//! The strategies against modAL 0.4.2.1, on the fixed inputs of `tests/reference/strategies.json`
//! (written by `scripts/metrics_reference.py`).

use ndarray::Array2;
use serde_json::Value;

use super::batch::ranked_batch;
use super::committee::{consensus_entropy_scores, max_kl_disagreement_scores, vote_entropy_scores};
use super::density::{information_density, DensityOptions, Similarity};
use super::eer::{expected_error_reduction, EerLoss};
use super::uncertainty::{entropy_scores, least_confident_scores, margin_scores};
use crate::rng;
use crate::testing::{floats, reference};

const TOL: f64 = 1e-12;

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v.as_array().unwrap().iter().map(floats).collect();
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).unwrap()
}

/// Largest absolute difference, asserting it is within [`TOL`].
fn close(what: &str, got: &[f64], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len(), "{what}");
    let dev = got
        .iter()
        .zip(want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(
        dev <= TOL,
        "{what}: max deviation {dev:e}\n got {got:?}\nwant {want:?}"
    );
    eprintln!("{what}: max |Δ| vs modAL = {dev:e}");
    dev
}

#[test]
fn uncertainty_matches_modal() {
    let r = &reference("strategies")["uncertainty"];
    let p = matrix(&r["proba"]);
    close(
        "least confident",
        &least_confident_scores(p.view()),
        &floats(&r["classifier_uncertainty"]),
    );
    let one_minus_margin: Vec<f64> = floats(&r["classifier_margin"])
        .iter()
        .map(|m| 1.0 - m)
        .collect();
    close("margin", &margin_scores(p.view()), &one_minus_margin);
    close(
        "entropy",
        &entropy_scores(p.view()),
        &floats(&r["classifier_entropy"]),
    );
}

#[test]
fn committee_matches_modal() {
    let r = &reference("strategies")["committee"];
    let members: Vec<Array2<f64>> = r["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(matrix)
        .collect();
    close(
        "vote entropy",
        &vote_entropy_scores(&members).unwrap(),
        &floats(&r["vote_entropy"]),
    );
    close(
        "consensus entropy",
        &consensus_entropy_scores(&members).unwrap(),
        &floats(&r["consensus_entropy"]),
    );
    close(
        "max KL disagreement",
        &max_kl_disagreement_scores(&members).unwrap(),
        &floats(&r["KL_max_disagreement"]),
    );
}

#[test]
fn information_density_matches_modal() {
    let r = &reference("strategies")["density"];
    let x = matrix(&r["features"]);
    let d = information_density(x.view(), &DensityOptions::default(), &mut rng(0, 0)).unwrap();
    close("density (euclidean)", &d, &floats(&r["euclidean"]));
    let x = matrix(&r["cosine_features"]);
    let opts = DensityOptions {
        similarity: Similarity::Cosine,
        ..DensityOptions::default()
    };
    let d = information_density(x.view(), &opts, &mut rng(0, 0)).unwrap();
    close("density (cosine)", &d, &floats(&r["cosine"]));
}

#[test]
fn ranked_batch_matches_modal() {
    let r = &reference("strategies")["ranked_batch"];
    let pool = matrix(&r["pool"]);
    let labeled = matrix(&r["labeled"]);
    let u = least_confident_scores(matrix(&r["proba"]).view());
    let k = r["n_instances"].as_u64().unwrap() as usize;
    let want: Vec<usize> = r["indices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    for seed in 0..5 {
        let picks = ranked_batch(&u, pool.view(), labeled.view(), k, &mut rng(seed, 0)).unwrap();
        let got: Vec<usize> = picks.iter().map(|p| p.index).collect();
        assert_eq!(got, want, "ranked batch pick order");
    }
    let picked_u: Vec<f64> = want.iter().map(|&i| u[i]).collect();
    close(
        "ranked batch uncertainty of picks",
        &picked_u,
        &floats(&r["uncertainty_of_picks"]),
    );
}

/// 3-nearest-neighbour class shares (scikit-learn's `KNeighborsClassifier(3).predict_proba`).
fn knn3(train_x: &[f64], train_y: &[usize], x: &[f64], n_classes: usize) -> Array2<f64> {
    let mut out = Array2::zeros((x.len(), n_classes));
    for (row, &q) in x.iter().enumerate() {
        let mut order: Vec<usize> = (0..train_x.len()).collect();
        order.sort_by(|&a, &b| (train_x[a] - q).abs().total_cmp(&(train_x[b] - q).abs()));
        for &i in &order[..3] {
            out[[row, train_y[i]]] += 1.0;
        }
    }
    out / 3.0
}

#[test]
fn expected_error_reduction_matches_modal() {
    let r = &reference("strategies")["eer"];
    let train_x = floats(&r["x_train"]);
    let train_y: Vec<usize> = floats(&r["y_train"]).iter().map(|&v| v as usize).collect();
    let pool = floats(&r["x_pool"]);
    let n_classes = 3;
    let current = knn3(&train_x, &train_y, &pool, n_classes);
    let want_current = matrix(&r["current_proba"]);
    close(
        "eer current proba",
        current.as_slice().unwrap(),
        want_current.as_slice().unwrap(),
    );
    for (loss, key) in [
        (EerLoss::ZeroOne, "expected_error_binary"),
        (EerLoss::Log, "expected_error_log"),
    ] {
        let scores = expected_error_reduction(
            current.view(),
            |c, y| -> Result<Array2<f64>, ()> {
                let mut tx = train_x.clone();
                let mut ty = train_y.clone();
                tx.push(pool[c]);
                ty.push(y);
                let eval: Vec<f64> = pool
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != c)
                    .map(|(_, &v)| v)
                    .collect();
                Ok(knn3(&tx, &ty, &eval, n_classes))
            },
            loss,
        )
        .unwrap();
        // modAL reports the summed (not mean) expected loss, minimised.
        let sums: Vec<f64> = scores
            .iter()
            .map(|s| -s * (pool.len() - 1) as f64)
            .collect();
        close(key, &sums, &floats(&r[key]));
    }
}
