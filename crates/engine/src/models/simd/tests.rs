//! The kernels against ndarray and against their definitions, and the shapes they refuse.

use super::*;
use ndarray::Array2;

fn filled(n: usize, m: usize, seed: u64) -> Array2<f64> {
    let mut s = seed;
    Array2::from_shape_fn((n, m), |_| {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
    })
}

/// Against ndarray's products on odd sizes (odd rows, odd and >12 classes): equal to rounding.
/// The class counts give every pass width of the kernels (1 to 6 class pairs, and 6 + 3).
#[test]
fn products_equal_ndarray_to_rounding() {
    for &(n, d, k) in &[
        (1, 1, 1),
        (7, 5, 3),
        (9, 4, 5),
        (6, 3, 7),
        (500, 50, 10),
        (5, 6, 12),
        (33, 17, 13),
        (3, 2, 17),
        (4, 3, 2),
    ] {
        let x = filled(n, d, 1);
        let w = filled(k, d, 2);
        let b: Vec<f64> = (0..k).map(|c| c as f64 * 0.25 - 1.0).collect();
        let mut z = Array2::zeros((n, k));
        assert!(logits_into(
            x.view(),
            &Packed::new(w.view(), &b),
            z.view_mut()
        ));
        let expected = x.dot(&w.t()) + &ndarray::Array1::from(b.clone());
        for (a, e) in z.iter().zip(&expected) {
            assert!(
                (a - e).abs() <= 1e-12 * (1.0 + e.abs()),
                "{n}×{d}×{k}: {a} vs {e}"
            );
        }
        let r = filled(n, k, 3);
        let mut g = Array2::zeros((k, d));
        assert!(gradient_into(r.view(), x.view(), g.view_mut()));
        let expected = r.t().dot(&x);
        for (a, e) in g.iter().zip(&expected) {
            assert!(
                (a - e).abs() <= 1e-12 * (1.0 + e.abs()),
                "{n}×{d}×{k}: {a} vs {e}"
            );
        }
    }
}

/// With `simd128` the lanes give `linalg::exp`'s bits; without it `f64::exp`'s. Either way
/// within 3 · 10⁻¹⁶ of `f64::exp`, odd lengths (a scalar tail) and the clamp included.
#[test]
fn exp_shifted_is_exp_to_rounding() {
    let simd = cfg!(all(target_arch = "wasm32", target_feature = "simd128"));
    for len in [1usize, 2, 3, 10, 13] {
        let x = filled(len, 1, len as u64).mapv(|v| v * 100.0);
        let mut row = x.column(0).to_owned();
        let m = x.fold(f64::NEG_INFINITY, |a, &v| a.max(v)) - 1.5;
        let sum = exp_shifted(row.as_slice_mut().unwrap(), m);
        assert_eq!(sum, row.sum());
        for (&got, &v) in row.iter().zip(x.column(0)) {
            let want = (v - m).exp();
            if simd {
                assert_eq!(got.to_bits(), crate::models::linalg::exp(v - m).to_bits());
            }
            assert!(
                (got - want).abs() <= 3e-16 * want,
                "{v} − {m}: {got} vs {want}"
            );
        }
    }
    // The clamp: very negative arguments give e^-708 (never 0), like linalg::exp.
    let mut row = ndarray::array![-2000.0, 0.0, -1000.0];
    exp_shifted(row.as_slice_mut().unwrap(), 0.0);
    assert!(row[1] == 1.0);
    if simd {
        assert_eq!(row[0], crate::models::linalg::exp(-2000.0));
    }
}

/// `row_max`, `top_two` and `divide` (two lanes with `simd128`) against their definitions
/// one entry at a time, every length from 0 to 13 (odd tails), a NaN in the longer rows: the
/// same bits.
#[test]
fn row_helpers_equal_their_definitions() {
    for len in 0..=13 {
        let mut row: Vec<f64> = filled(len, 1, len as u64 + 10).iter().copied().collect();
        if len > 3 {
            row[len / 2] = f64::NAN;
        }
        let mut sorted: Vec<f64> = row.iter().copied().filter(|v| !v.is_nan()).collect();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let nth = |i: usize| sorted.get(i).copied().unwrap_or(f64::NEG_INFINITY);
        assert_eq!(row_max(&row).to_bits(), nth(0).to_bits(), "{row:?}");
        let (first, second) = top_two(&row);
        assert_eq!(
            (first.to_bits(), second.to_bits()),
            (nth(0).to_bits(), nth(1).to_bits()),
            "{row:?}"
        );
        let mut divided = row.clone();
        divide(&mut divided, 3.7);
        for (got, v) in divided.iter().zip(&row) {
            assert_eq!(got.to_bits(), (v / 3.7).to_bits(), "{v}");
        }
    }
}

/// `standardize` against `(x − m) / s` value by value, every length from 0 to 13: the same
/// bits, and "all finite" false exactly when some value is ±∞ or NaN, wherever it is (each
/// lane and the odd tail). Checked to fail with the tail's flag or one lane's mask dropped.
#[test]
fn standardize_equals_its_definition() {
    for len in 0..=13usize {
        let src: Vec<f64> = filled(len, 1, len as u64 + 30)
            .iter()
            .map(|v| v * 1e3)
            .collect();
        let mean: Vec<f64> = filled(len, 1, len as u64 + 40).iter().copied().collect();
        let scale: Vec<f64> = filled(len, 1, len as u64 + 50)
            .iter()
            .map(|v| 0.1 + v.abs())
            .collect();
        let mut dst = vec![0.0; len];
        assert!(
            standardize(&mut dst, &src, &mean, &scale),
            "{len}: all finite"
        );
        for i in 0..len {
            assert_eq!(dst[i].to_bits(), ((src[i] - mean[i]) / scale[i]).to_bits());
        }
        for bad in 0..len {
            for (value, s) in [(1.0, 0.0), (0.0, 0.0), (f64::MAX, 1e-300)] {
                let mut src = src.clone();
                let mut scale = scale.clone();
                src[bad] = mean[bad] + value;
                scale[bad] = s;
                assert!(
                    !standardize(&mut dst, &src, &mean, &scale),
                    "{len}: value {bad} is {}",
                    dst[bad]
                );
            }
        }
    }
    // Slices of different lengths: only the shortest length is written.
    let mut dst = [9.0; 3];
    assert!(standardize(&mut dst, &[2.0, 4.0], &[0.0; 3], &[2.0; 3]));
    assert_eq!(dst, [1.0, 2.0, 9.0]);
}

#[test]
fn shapes_that_do_not_fit_are_refused() {
    let x = filled(3, 2, 1);
    let p = Packed::new(filled(2, 3, 2).view(), &[0.0, 0.0]);
    let mut z = Array2::zeros((3, 2));
    assert!(!logits_into(x.view(), &p, z.view_mut()));
    let square = filled(3, 3, 4);
    assert!(!logits_into(square.t(), &p, z.view_mut()), "not row-major");
    let mut g = Array2::zeros((2, 2));
    assert!(!gradient_into(
        filled(4, 2, 3).view(),
        x.view(),
        g.view_mut()
    ));
}
