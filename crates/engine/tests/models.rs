//! Native integration tests of `engine::models` against scikit-learn reference values
//! (`tests/reference/gaussian_nb.json`, `tests/reference/knn.json`, written by
//! `scripts/sklearn_reference.py`) and of the common model interface on the bundled datasets.
#![cfg(not(target_arch = "wasm32"))]

use engine::data::import::{parse_csv, CsvOptions};
use engine::data::scale::Standardizer;
use engine::data::Dataset;
use engine::models::committee::CommitteeParams;
use engine::models::knn::{KnnParams, KnnWeights};
use engine::models::mlp::MlpParams;
use engine::models::naive_bayes::GaussianNbParams;
use engine::models::{Classifier, ModelSpec};
use engine::rng;
use ndarray::{Array2, Axis};
use serde::Deserialize;
use std::collections::BTreeMap;

fn csv(name: &str) -> &'static [u8] {
    match name {
        "iris" => include_bytes!("../../../public/datasets/iris.csv"),
        "wine" => include_bytes!("../../../public/datasets/wine.csv"),
        "breast_cancer" => include_bytes!("../../../public/datasets/breast_cancer.csv"),
        other => panic!("no bundled dataset {other}"),
    }
}

/// The dataset and its features as the reference case saw them.
fn load(name: &str) -> (Dataset, Array2<f64>, Array2<f64>) {
    let data = parse_csv(csv(name), &CsvOptions::named(name)).unwrap();
    let standardized = Standardizer::fit(data.features.view(), &[]).transform(data.features.view());
    let raw = data.features.clone();
    (data, standardized, raw)
}

fn labels(data: &Dataset, rows: &[usize]) -> Vec<usize> {
    rows.iter()
        .map(|&i| data.known_labels[i].unwrap())
        .collect()
}

/// A reference case's features (`"raw"`, else standardized), its training rows and their labels.
fn case_inputs<'a>(
    (data, standardized, raw): &'a (Dataset, Array2<f64>, Array2<f64>),
    preprocessing: &str,
    train_rows: &[usize],
) -> (&'a Array2<f64>, Array2<f64>, Vec<usize>) {
    let x = if preprocessing == "raw" {
        raw
    } else {
        standardized
    };
    (x, x.select(Axis(0), train_rows), labels(data, train_rows))
}

#[derive(Deserialize)]
struct Reference<C> {
    datasets: BTreeMap<String, RefDataset<C>>,
}

#[derive(Deserialize)]
struct RefDataset<C> {
    classes: Vec<String>,
    cases: Vec<C>,
}

impl<C> RefDataset<C> {
    /// The bundled dataset `name` ([`load`]), checked to have the reference's classes.
    fn load(&self, name: &str) -> (Dataset, Array2<f64>, Array2<f64>) {
        let loaded = load(name);
        assert_eq!(loaded.0.class_names, self.classes);
        loaded
    }
}

#[derive(Deserialize)]
struct NbCase {
    name: String,
    preprocessing: String,
    priors: Option<Vec<f64>>,
    train_rows: Vec<usize>,
    epsilon: f64,
    theta: Vec<Vec<f64>>,
    var: Vec<Vec<f64>>,
    predict: Vec<usize>,
    proba: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct KnnCase {
    name: String,
    preprocessing: String,
    weights: String,
    k: usize,
    train_rows: Vec<usize>,
    predict: Vec<usize>,
    proba: Vec<Vec<f64>>,
    tie_rows: Vec<usize>,
    tie_rule_proba: Vec<Vec<f64>>,
    tie_rule_predict: Vec<usize>,
}

fn rel_dev(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

/// Largest |p − p_sklearn| of Gaussian naive Bayes over every case of a dataset.
fn nb_deviation(name: &str) -> f64 {
    let reference: Reference<NbCase> =
        serde_json::from_str(include_str!("../../../tests/reference/gaussian_nb.json")).unwrap();
    let r = &reference.datasets[name];
    let loaded = r.load(name);
    let data = &loaded.0;
    let mut worst = 0.0_f64;
    for case in &r.cases {
        let (x, x_train, y_train) = case_inputs(&loaded, &case.preprocessing, &case.train_rows);
        let params = GaussianNbParams {
            priors: case.priors.clone(),
            ..GaussianNbParams::default()
        };
        let model = params
            .check()
            .unwrap()
            .fit(x_train.view(), &y_train, data.n_classes())
            .unwrap();
        let what = format!("{name}/{}/{}", case.preprocessing, case.name);
        assert!(
            rel_dev(model.epsilon(), case.epsilon) < 1e-12,
            "{what}: epsilon"
        );
        for (k, (theta, var)) in case.theta.iter().zip(&case.var).enumerate() {
            for j in 0..theta.len() {
                assert!(
                    (model.theta()[[k, j]] - theta[j]).abs() <= 1e-12 * theta[j].abs().max(1.0),
                    "{what}: theta[{k}][{j}]"
                );
                assert!(
                    rel_dev(model.var()[[k, j]], var[j]) < 1e-10,
                    "{what}: var[{k}][{j}]"
                );
            }
        }
        let p = model.predict_proba(x.view());
        for (row, want) in p.rows().into_iter().zip(&case.proba) {
            for (a, b) in row.iter().zip(want) {
                worst = worst.max((a - b).abs());
            }
        }
        assert_eq!(model.predict(x.view()), case.predict, "{what}: predictions");
    }
    worst
}

#[test]
fn gaussian_nb_matches_scikit_learn() {
    for name in ["iris", "wine", "breast_cancer"] {
        let dev = nb_deviation(name);
        eprintln!("gaussian_nb {name}: max |p - p_sklearn| = {dev:e}");
        assert!(dev < 1e-6, "{name}: max |p - p_sklearn| = {dev}");
    }
}

#[test]
fn knn_matches_scikit_learn() {
    let reference: Reference<KnnCase> =
        serde_json::from_str(include_str!("../../../tests/reference/knn.json")).unwrap();
    let (mut compared, mut ties) = (0usize, 0usize);
    for (name, r) in &reference.datasets {
        let loaded = r.load(name);
        let data = &loaded.0;
        let mut worst = 0.0_f64;
        for case in &r.cases {
            let (x, x_train, y_train) = case_inputs(&loaded, &case.preprocessing, &case.train_rows);
            let weights = match case.weights.as_str() {
                "uniform" => KnnWeights::Uniform,
                "distance" => KnnWeights::Distance,
                other => panic!("unknown weights {other}"),
            };
            // Default k = 5; with fewer training rows all vote, which is the reference's k.
            let knn = KnnParams::default()
                .weights(weights)
                .check()
                .unwrap()
                .fit(x_train.view(), &y_train, data.n_classes())
                .unwrap();
            assert_eq!(case.k, 5.min(case.train_rows.len()));
            let what = format!(
                "{name}/{}/{}/{}",
                case.preprocessing, case.name, case.weights
            );
            let p = knn.predict_proba(x.view());
            let predicted = knn.predict(x.view());
            let mut tie = case
                .tie_rows
                .iter()
                .zip(&case.tie_rule_proba)
                .zip(&case.tie_rule_predict);
            let mut next_tie = tie.next();
            for (i, row) in p.rows().into_iter().enumerate() {
                let (want_p, want_y) = match next_tie {
                    Some(((&t, tp), &ty)) if t == i => {
                        next_tie = tie.next();
                        ties += 1;
                        (tp, ty)
                    }
                    _ => {
                        compared += 1;
                        (&case.proba[i], case.predict[i])
                    }
                };
                for (a, b) in row.iter().zip(want_p) {
                    worst = worst.max((a - b).abs());
                }
                assert_eq!(predicted[i], want_y, "{what}: row {i}");
            }
        }
        eprintln!("knn {name}: max |p - p_sklearn| = {worst:e}");
        assert!(worst < 1e-9, "{name}: max |p - p_sklearn| = {worst}");
    }
    eprintln!("knn: {compared} rows compared with scikit-learn, {ties} boundary-tie rows with the documented rule");
    assert!(compared > 10 * ties);
}

#[test]
fn every_model_fits_every_dataset_through_the_common_interface() {
    for name in ["iris", "wine", "breast_cancer"] {
        let (data, x, _) = load(name);
        let rows: Vec<usize> = (0..data.n_rows()).collect();
        let y = labels(&data, &rows);
        for spec in ModelSpec::all_defaults() {
            let checked = spec.check().unwrap();
            let fitted = checked
                .fit(x.view(), &y, data.n_classes(), None, &mut rng(1, 0))
                .unwrap();
            let acc = fitted
                .predict(x.view())
                .iter()
                .zip(&y)
                .filter(|(a, b)| a == b)
                .count() as f64
                / y.len() as f64;
            eprintln!("{name} {}: training accuracy {acc:.3}", spec.label());
            assert!(
                acc >= 0.9,
                "{name} {}: training accuracy {acc}",
                spec.label()
            );
            let p = fitted.predict_proba(x.view());
            for row in p.rows() {
                assert!((row.sum() - 1.0).abs() < 1e-9);
            }
            // A refit warm-started from the previous model gives a valid model of the same kind.
            let again = checked
                .fit(
                    x.view(),
                    &y,
                    data.n_classes(),
                    Some(&fitted),
                    &mut rng(1, 1),
                )
                .unwrap();
            assert_eq!(again.name(), fitted.name());
        }
    }
}

#[test]
fn mlp_learns_iris_with_early_stopping_and_is_reproducible() {
    let (data, x, _) = load("iris");
    let rows: Vec<usize> = (0..data.n_rows()).collect();
    let y = labels(&data, &rows);
    let m = MlpParams::default().check().unwrap();
    let a = m.fit(x.view(), &y, 3, None, &mut rng(4, 0)).unwrap();
    let b = m.fit(x.view(), &y, 3, None, &mut rng(4, 0)).unwrap();
    assert_eq!(a, b);
    assert!(
        !a.validation_curve().is_empty(),
        "150 rows hold out 15 for validation"
    );
    eprintln!("mlp iris: {} epochs, stop {:?}", a.n_epochs(), a.stop());
}

#[test]
fn committee_members_disagree_on_a_few_labels() {
    let (data, x, _) = load("wine");
    let rows: Vec<usize> = (0..data.n_rows()).step_by(9).collect();
    let y = labels(&data, &rows);
    let xs = x.select(Axis(0), &rows);
    let params = CommitteeParams {
        base: ModelSpec::GaussianNb(GaussianNbParams::default()),
        members: 5,
    }
    .check()
    .unwrap();
    let c = params.fit(xs.view(), &y, 3, &mut rng(2, 0)).unwrap();
    let again = params.fit(xs.view(), &y, 3, &mut rng(2, 0)).unwrap();
    assert_eq!(c, again);
    let probas = c.member_probas(x.view());
    let predictions: Vec<Vec<usize>> = probas
        .iter()
        .map(|p| engine::models::argmax_rows(p.view()))
        .collect();
    let disagreements = (0..x.nrows())
        .filter(|&i| predictions.iter().any(|p| p[i] != predictions[0][i]))
        .count();
    eprintln!(
        "committee: members disagree on {disagreements} of {} rows",
        x.nrows()
    );
    assert!(disagreements > 0);
}
