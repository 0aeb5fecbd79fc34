//! The engine bench's round workloads compiled to wasm and timed in headless Chromium.
//!
//! A benchmark, not a test: nothing here fails because something is slow. It runs only when asked
//! (`cargo xtask bench --only wasm`, or by hand):
//!
//! ```sh
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//! CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_WEBDRIVER_JSON=$PWD/webdriver.json \
//! WASM_BINDGEN_TEST_TIMEOUT=900 \
//! cargo test --profile release --target wasm32-unknown-unknown --test bench_wasm -- --nocapture
//! ```
//!
//! Workload: the same as `crates/engine/benches/engine.rs`: `blobs(n, 50, 10, 1.5,
//! rng(42, 0))`, rows `0..500` labeled, rows `500..n` the pool; one round = fit logistic regression
//! (warm: from the model fitted on rows `0..490`; cold: from zeros), `predict_proba` over the pool,
//! margin scores, top 10 with `rng(42, 1)`; *session* = `Session::round` with the same labels.
//! Each size prints one line `BENCH_WASM {json}` with the medians in ms over `REPS` timed runs
//! (after one untimed run), which `cargo xtask bench` collects into the combined table.
//!
//! Same data natively and in wasm: [`fingerprint`] hashes the bits of every feature value of a
//! 10,000-row chunk; the native test below checks every chunk against [`FINGERPRINTS`], the wasm
//! bench reports how many leading rows match (`rows_same_as_native`) and requires the first chunk
//! (the labeled rows and the 10k pool) to.

#[path = "../../engine/benches/support/workload.rs"]
mod workload;

use engine::data::Dataset;
use ndarray::s;
/// Rows per fingerprinted chunk.
const CHUNK: usize = 10_000;
/// FNV-1a over the bit patterns of each 10,000-row chunk of `blobs(100_000, …)`, as the native
/// build draws them (the draws are sequential, so `blobs(n, …)` is a prefix of it).
const FINGERPRINTS: [u64; 10] = [
    0x6531_cd76_5ae2_7e47,
    0xfdbd_bf5a_546d_c669,
    0xc6a4_cd51_7732_5d30,
    0x3699_f8e6_b498_f3e7,
    0xe579_1c4b_12ba_08ea,
    0x6d45_7745_e34f_5f5c,
    0x10ea_a14e_cce4_2e6e,
    0x463b_c006_4940_9f6e,
    0x02ff_cb74_d818_baf8,
    0xf3af_38d9_3d8c_e310,
];

/// FNV-1a (64 bit) over the little-endian bytes of the values of rows `rows`.
fn fingerprint(data: &Dataset, rows: std::ops::Range<usize>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for v in data.features.slice(s![rows, ..]).iter() {
        for b in v.to_bits().to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// How many leading rows are bit for bit the native build's (in whole chunks).
fn rows_same_as_native(data: &Dataset) -> usize {
    let chunks = data.n_rows() / CHUNK;
    (0..chunks)
        .take_while(|&c| fingerprint(data, c * CHUNK..(c + 1) * CHUNK) == FINGERPRINTS[c])
        .count()
        * CHUNK
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_bench_data_has_the_recorded_fingerprints() {
    let (data, _) = workload::data(FINGERPRINTS.len() * CHUNK);
    let found: Vec<u64> = (0..FINGERPRINTS.len())
        .map(|c| fingerprint(&data, c * CHUNK..(c + 1) * CHUNK))
        .collect();
    eprintln!("{found:#x?}");
    assert_eq!(found, FINGERPRINTS);
    assert_eq!(rows_same_as_native(&data), data.n_rows());
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::workload::{self, BATCH, LABELED, N_CLASSES, N_FEATURES, PREVIOUS, SEED};
    use super::*;
    use engine::models::linalg::exp as linalg_exp;
    use engine::models::logistic::{LogisticParams, LogisticRegression};
    use engine::models::simd;
    use engine::models::Classifier;
    use engine::rng;
    use engine::strategies::top_k;
    use engine::strategies::uncertainty::margin_scores;
    use ndarray::{Array2, ArrayView2};
    use std::hint::black_box;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    /// Timed repetitions per measurement (the median is reported).
    const REPS: usize = 9;

    fn now() -> f64 {
        web_sys::window()
            .expect("a window")
            .performance()
            .expect("performance")
            .now()
    }

    /// Median ms of `f` over `REPS` runs after one untimed run; `setup` is not timed.
    fn median_ms<S, T>(mut setup: impl FnMut() -> S, mut f: impl FnMut(S) -> T) -> f64 {
        let mut times = Vec::with_capacity(REPS);
        for i in 0..=REPS {
            let state = setup();
            let t = now();
            black_box(f(state));
            let dt = now() - t;
            if i > 0 {
                times.push(dt);
            }
        }
        times.sort_by(f64::total_cmp);
        times[REPS / 2]
    }

    fn fit(
        x: ArrayView2<f64>,
        y: &[usize],
        warm: Option<&LogisticRegression>,
    ) -> LogisticRegression {
        fit_tol(x, y, warm, LogisticParams::default())
    }

    /// scikit-learn's default `tol` for lbfgs (on the mean loss's gradient, as ours): the
    /// `*_tol1e-4` keys, the like-for-like comparison with the peer (benches/engine.rs has the
    /// same native pieces).
    const SKLEARN_TOL: f64 = 1e-4;

    fn fit_tol(
        x: ArrayView2<f64>,
        y: &[usize],
        warm: Option<&LogisticRegression>,
        params: LogisticParams,
    ) -> LogisticRegression {
        params
            .check()
            .expect("valid parameters")
            .fit(x, y, N_CLASSES, warm)
            .expect("the bench data fits")
    }

    fn bench(n: usize) {
        let t0 = now();
        let (data, y) = workload::data(n);
        let generated_ms = now() - t0;
        let same = rows_same_as_native(&data);
        assert!(
            same >= CHUNK.min(n),
            "the wasm build drew other labeled rows than the native one"
        );
        let labeled = data.features.slice(s![..LABELED, ..]);
        let pool = data.features.slice(s![LABELED.., ..]);
        let previous = fit(
            data.features.slice(s![..PREVIOUS, ..]),
            &y[..PREVIOUS],
            None,
        );
        let current = fit(labeled, &y[..LABELED], Some(&previous));
        let round = |warm: Option<&LogisticRegression>| {
            let fitted = fit(labeled, &y[..LABELED], warm);
            let proba = fitted.predict_proba(pool);
            top_k(&margin_scores(proba.view()), BATCH, &mut rng(SEED, 1))
        };
        let mut picks = round(Some(&previous));
        picks.sort_unstable();
        let proba = current.predict_proba(pool);
        let scores = margin_scores(proba.view());

        let fit_warm = median_ms(|| (), |_| fit(labeled, &y[..LABELED], Some(&previous)));
        let fit_cold = median_ms(|| (), |_| fit(labeled, &y[..LABELED], None));
        let predict = median_ms(|| (), |_| current.predict_proba(pool));
        let margin = median_ms(|| (), |_| margin_scores(proba.view()));
        let top = median_ms(|| (), |_| top_k(&scores, BATCH, &mut rng(SEED, 1)));
        // ndarray's products (matrixmultiply's scalar kernel in wasm) against the `simd` module's
        // (simd128 kernels when the build enables `simd128`, plain loops otherwise).
        let coef = current.coef.view();
        let proba_ndarray = median_ms(
            || (),
            |_| {
                let mut z = pool.dot(&coef.t());
                z += &current.intercept;
                for mut row in z.rows_mut() {
                    let m = row.fold(f64::NEG_INFINITY, |a, &v| a.max(v));
                    row.mapv_inplace(|v| (v - m).exp());
                    let sum = row.sum();
                    row /= sum;
                }
                z
            },
        );
        let logits_pool_ndarray = median_ms(|| (), |_| pool.dot(&coef.t()) + &current.intercept);
        let mut zbuf = Array2::zeros((pool.nrows(), N_CLASSES));
        let logits_500_ndarray = median_ms(|| (), |_| labeled.dot(&coef.t()));
        let mut z500 = Array2::zeros((LABELED, N_CLASSES));
        let resid = current.predict_proba(labeled);
        let grad_500_ndarray = median_ms(|| (), |_| resid.t().dot(&labeled));
        let mut g = Array2::zeros((N_CLASSES, N_FEATURES));
        // 100 calls per sample: one call on 500 rows is near the browser's timer resolution.
        let simd_packed =
            simd::Packed::new(coef, current.intercept.as_slice().expect("contiguous"));
        let per_100 = |f: &mut dyn FnMut()| {
            median_ms(
                || (),
                |_| {
                    for _ in 0..100 {
                        f();
                    }
                },
            ) / 100.0
        };
        let logits_500_ndarray_x100 = per_100(&mut || {
            std::hint::black_box(labeled.dot(&coef.t()));
        });
        let logits_500_simd_x100 = per_100(&mut || {
            simd::logits_into(labeled, &simd_packed, z500.view_mut());
        });
        let grad_500_ndarray_x100 = per_100(&mut || {
            std::hint::black_box(resid.t().dot(&labeled));
        });
        let grad_500_simd_x100 = per_100(&mut || {
            simd::gradient_into(resid.view(), labeled, g.view_mut());
        });
        let logits_pool_simd = median_ms(
            || (),
            |_| simd::logits_into(pool, &simd_packed, zbuf.view_mut()),
        );
        let args: Vec<f64> = (0..1_000_000).map(|i| -20.0 * (i as f64) / 1e6).collect();
        let exp_std = median_ms(|| (), |_| args.iter().map(|v| v.exp()).sum::<f64>());
        let exp_linalg = median_ms(|| (), |_| args.iter().map(|&v| linalg_exp(v)).sum::<f64>());
        // The softmax's own path: `simd::exp_shifted` on rows of 10 (two lanes with simd128).
        let exp_lanes = median_ms(
            || Array2::from_shape_vec((100_000, N_CLASSES), args.clone()).expect("1M args"),
            |mut rows| {
                let all = rows.as_slice_mut().expect("standard layout");
                all.chunks_exact_mut(N_CLASSES)
                    .map(|row| simd::exp_shifted(row, 0.0))
                    .sum::<f64>()
            },
        );
        let warm = median_ms(|| (), |_| round(Some(&previous)));
        let loose = LogisticParams::default().tol(SKLEARN_TOL);
        let fit_warm_tol4 = median_ms(
            || (),
            |_| fit_tol(labeled, &y[..LABELED], Some(&previous), loose),
        );
        let round_warm_tol4 = median_ms(
            || (),
            |_| {
                let fitted = fit_tol(labeled, &y[..LABELED], Some(&previous), loose);
                let proba = fitted.predict_proba(pool);
                top_k(&margin_scores(proba.view()), BATCH, &mut rng(SEED, 1))
            },
        );
        let cold = median_ms(|| (), |_| round(None));

        // The app's path, as the native bench's `round/session`.
        let mut prepared = workload::session(data, &y);
        let session = median_ms(
            || prepared.clone(),
            |mut s| s.round().expect("the round runs"),
        );
        // The same round with the other way of standardizing (a copy kept, or rows standardized
        // block by block; `STANDARDIZED_COPY_MAX_BYTES` picks one by the data's size).
        let copy_default = prepared.has_standardized_copy();
        prepared.keep_standardized_copy(!copy_default);
        let session_other = median_ms(
            || prepared.clone(),
            |mut s| s.round().expect("the round runs"),
        );
        let (session_copy, session_blocks) = if copy_default {
            (session, session_other)
        } else {
            (session_other, session)
        };

        console_log!(
            "BENCH_WASM {{\"rows\":{n},\"reps\":{REPS},\"rows_same_as_native\":{same},\
             \"generate_ms\":{generated_ms:.1},\"fit_warm\":{fit_warm:.3},\"fit_cold\":{fit_cold:.3},\
             \"n_iter_warm\":{},\"hv_warm\":{},\"predict_proba\":{predict:.3},\"margin_scores\":{margin:.3},\
             \"top_k\":{top:.3},\"round_warm\":{warm:.3},\"round_cold\":{cold:.3},\
             \"round_session\":{session:.3},\"round_session_copy\":{session_copy:.3},\
             \"round_session_blocks\":{session_blocks:.3},\"proba_ndarray\":{proba_ndarray:.3},\
             \"logits_pool_ndarray\":{logits_pool_ndarray:.3},\"logits_500_ndarray\":{logits_500_ndarray:.4},\
             \"grad_500_ndarray\":{grad_500_ndarray:.4},\
             \"exp_std_1m\":{exp_std:.3},\"exp_linalg_1m\":{exp_linalg:.3},\"exp_lanes_1m\":{exp_lanes:.3},\
             \"logits_500_ndarray_x100\":{logits_500_ndarray_x100:.4},\"logits_500_simd_x100\":{logits_500_simd_x100:.4},\
             \"grad_500_ndarray_x100\":{grad_500_ndarray_x100:.4},\"grad_500_simd_x100\":{grad_500_simd_x100:.4},\
             \"logits_pool_simd\":{logits_pool_simd:.3},\"simd128\":{},\
             \"fit_warm_tol1e-4\":{fit_warm_tol4:.3},\"round_warm_tol1e-4\":{round_warm_tol4:.3},\
             \"picks_warm\":{picks:?}}}",
            current.stats.iterations,
            current.stats.hessian_products,
            cfg!(target_feature = "simd128")
        );
    }

    #[wasm_bindgen_test]
    fn round_10k() {
        bench(10_000);
    }

    #[wasm_bindgen_test]
    fn round_50k() {
        bench(50_000);
    }

    #[wasm_bindgen_test]
    fn round_100k() {
        bench(100_000);
    }
}
