//! The network: XOR, seeds, its gradient against finite differences, warm starts, bad input.

use super::*;
use crate::models::logistic::LogisticParams;
use crate::rng;
use ndarray::array;

/// Four Gaussian-ish blobs at (±1, ±1); class = 1 when the signs differ (XOR).
fn xor(n: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut r = rng(seed, 9);
    let mut x = Array2::zeros((n, 2));
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let (sa, sb) = (
            if i % 2 == 0 { 1.0 } else { -1.0 },
            if i % 4 < 2 { 1.0 } else { -1.0 },
        );
        x[[i, 0]] = sa + r.gen_range(-0.4..0.4);
        x[[i, 1]] = sb + r.gen_range(-0.4..0.4);
        y.push(usize::from(sa != sb));
    }
    (x, y)
}

fn accuracy(pred: &[usize], y: &[usize]) -> f64 {
    pred.iter().zip(y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64
}

#[test]
fn learns_xor_where_logistic_regression_cannot() {
    let (x, y) = xor(200, 1);
    let (xt, yt) = xor(200, 2);
    let mlp = MlpParams::default()
        .learning_rate(1e-2)
        .check()
        .unwrap()
        .fit(x.view(), &y, 2, None, &mut rng(7, 0))
        .unwrap();
    let logistic = LogisticParams::default()
        .check()
        .unwrap()
        .fit(x.view(), &y, 2, None)
        .unwrap();
    let mlp_acc = accuracy(&mlp.predict(xt.view()), &yt);
    let log_acc = accuracy(&logistic.predict(xt.view()), &yt);
    assert!(mlp_acc >= 0.97, "MLP test accuracy {mlp_acc}");
    assert!(log_acc <= 0.75, "logistic test accuracy {log_acc}");
    assert_eq!(mlp.stop(), MlpStop::ValidationPlateau, "{}", mlp.n_epochs());
    assert_eq!(mlp.validation_curve().len(), mlp.n_epochs());
}

#[test]
fn same_seed_same_weights_other_seed_other_weights() {
    let (x, y) = xor(120, 3);
    let m = MlpParams::default()
        .hidden(8)
        .max_epochs(30)
        .check()
        .unwrap();
    let a = m.fit(x.view(), &y, 3, None, &mut rng(1, 4)).unwrap();
    let b = m.fit(x.view(), &y, 3, None, &mut rng(1, 4)).unwrap();
    let c = m.fit(x.view(), &y, 3, None, &mut rng(2, 4)).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.hidden_weights(), b.hidden_weights());
    assert_ne!(a.hidden_weights(), c.hidden_weights());
    assert_eq!(a.hidden_weights().dim(), (2, 8));
    assert_eq!(a.output_weights().dim(), (8, 3));
}

#[test]
fn gradient_matches_finite_differences() {
    let x = [0.5, -1.0, 0.0, 2.0, 1.5, 0.3];
    let y = [0, 2];
    let net = Net::init(3, 4, 3, &mut rng(0, 0));
    let mut grad = Net::zeros(3, 4, 3);
    let l2 = 0.1;
    net.loss_and_grad(&x, &y, &[0, 1], l2, &mut grad);
    let h = 1e-6;
    for part in 0..4 {
        for idx in 0..net.parts()[part].len() {
            let mut plus = net.clone();
            plus.parts_mut()[part][idx] += h;
            let mut minus = net.clone();
            minus.parts_mut()[part][idx] -= h;
            let mut scratch = Net::zeros(3, 4, 3);
            let numeric = (plus.loss_and_grad(&x, &y, &[0, 1], l2, &mut scratch)
                - minus.loss_and_grad(&x, &y, &[0, 1], l2, &mut scratch))
                / (2.0 * h);
            let analytic = grad.parts()[part][idx];
            assert!(
                (numeric - analytic).abs() < 1e-6,
                "part {part} index {idx}: {numeric} vs {analytic}"
            );
        }
    }
}

#[test]
fn few_rows_train_on_all_with_a_loss_plateau() {
    let x = array![[0.0], [1.0], [2.0], [3.0]];
    let m = MlpParams::default().learning_rate(0.05).check().unwrap();
    let fitted = m
        .fit(x.view(), &[0, 0, 1, 1], 2, None, &mut rng(0, 0))
        .unwrap();
    assert!(fitted.validation_curve().is_empty());
    assert!(matches!(
        fitted.stop(),
        MlpStop::LossPlateau | MlpStop::MaxEpochs
    ));
    assert_eq!(fitted.predict(x.view()), vec![0, 0, 1, 1]);
    // One labeled class: every prediction is that class, probabilities stay finite.
    let one = m
        .fit(x.view(), &[1, 1, 1, 1], 3, None, &mut rng(0, 0))
        .unwrap();
    assert_eq!(one.predict(array![[-5.0], [9.0]].view()), vec![1, 1]);
    assert!(one.predict_proba(x.view()).iter().all(|v| v.is_finite()));
}

#[test]
fn warm_start_continues_from_the_previous_weights() {
    let (x, y) = xor(200, 5);
    let m = MlpParams::default().learning_rate(1e-2).check().unwrap();
    let first = m.fit(x.view(), &y, 2, None, &mut rng(3, 0)).unwrap();
    let short = MlpParams::default().max_epochs(1).check().unwrap();
    let warm = short
        .fit(x.view(), &y, 2, Some(&first), &mut rng(3, 1))
        .unwrap();
    let cold = short.fit(x.view(), &y, 2, None, &mut rng(3, 1)).unwrap();
    assert!(accuracy(&warm.predict(x.view()), &y) >= 0.97);
    assert!(
        warm.loss_curve()[0] < 0.5 * cold.loss_curve()[0],
        "warm loss {} vs cold {}",
        warm.loss_curve()[0],
        cold.loss_curve()[0]
    );
    // A warm model of another shape is ignored (same result as cold).
    let other = m.fit(x.view(), &y, 3, None, &mut rng(3, 0)).unwrap();
    let ignored = short
        .fit(x.view(), &y, 2, Some(&other), &mut rng(3, 1))
        .unwrap();
    assert_eq!(ignored, cold);
}

#[test]
fn refuses_bad_hyperparameters_and_odd_input() {
    let p = MlpParams::default();
    assert_eq!(
        p.hidden(0).check(),
        Err(ModelError::InvalidHidden { hidden: 0 })
    );
    assert_eq!(
        p.learning_rate(f64::NAN).check().unwrap_err().to_string(),
        "the learning rate must be a positive finite number, got NaN"
    );
    assert!(p.l2(-1.0).check().is_err());
    assert!(p.max_epochs(0).check().is_err());
    assert!(p.batch_size(0).check().is_err());
    assert!(p.validation_fraction(0.0).check().is_err());
    assert!(p.patience(0).check().is_err());
    let fitted = p
        .max_epochs(2)
        .check()
        .unwrap()
        .fit(array![[1.0]].view(), &[0], 2, None, &mut rng(0, 0))
        .unwrap();
    assert!(fitted.predict_proba(array![[1.0, 2.0]].view())[[0, 0]].is_nan());
    let huge = p
        .learning_rate(1e300)
        .max_epochs(5)
        .check()
        .unwrap()
        .fit(
            array![[1e300], [-1e300]].view(),
            &[0, 1],
            2,
            None,
            &mut rng(0, 0),
        )
        .unwrap();
    // A huge step overflows the loss: training stops instead of running on with NaN.
    assert_eq!(huge.stop(), MlpStop::Diverged);
    let _ = huge.predict_proba(array![[0.0]].view());
}

#[test]
fn serde_round_trip_and_corrupt_input() {
    let fitted = MlpParams::default()
        .hidden(2)
        .max_epochs(2)
        .check()
        .unwrap()
        .fit(
            array![[1.0], [2.0]].view(),
            &[0, 1],
            2,
            None,
            &mut rng(0, 0),
        )
        .unwrap();
    let json = serde_json::to_string(&fitted).unwrap();
    let back: Mlp = serde_json::from_str(&json).unwrap();
    let x = array![[0.5], [3.0]];
    let diff = (&back.predict_proba(x.view()) - &fitted.predict_proba(x.view()))
        .iter()
        .fold(0.0_f64, |a, v| a.max(v.abs()));
    assert!(diff < 1e-12);
    let broken = json.replace("\"h\":2", "\"h\":3");
    assert!(serde_json::from_str::<Mlp>(&broken).is_err());
}
