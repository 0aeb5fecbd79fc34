//! Criterion benches of the engine: the pieces of one active learning round and every
//! strategy, on a seeded synthetic pool that `benches/peers/speed.py` reads too.
//!
//! Workload (`support/workload.rs`, shared with `bench_wasm.rs`):
//! `blobs(n, 50, 10, 1.5, rng(42, 0))` for n = 10k, 50k, 100k rows; rows `0..500` are the labeled rows (balanced: blobs assigns the
//! classes round-robin), rows `500..n` the unlabeled pool. One round = fit logistic regression
//! (C = 1) on the 500 labeled rows, `predict_proba` over the pool, margin scores, top 10.
//! "Warm" rounds start the fit from the previous round's model, the one fitted on rows `0..490`
//! (the previous round had 10 labels fewer).
//!
//! ```sh
//! cargo bench --bench engine                                   # everything
//! cargo bench --bench engine -- round                          # criterion's name filter
//! ACTIVELAB_WRITE_BENCH_DATA=only cargo bench --bench engine   # only write target/bench-data/
//! ```
//!
//! `ACTIVELAB_WRITE_BENCH_DATA=1` (or `only`) writes `target/bench-data/blobs_{n}.csv` (header
//! `x0..x49,label`, every value in Rust's shortest round-trip form, so Python reads the exact same
//! f64 values) before benching (`only`: and stops there). `ACTIVELAB_BENCH_DATA_DIR` moves it
//! (default: `$CARGO_TARGET_DIR/bench-data` when that is set).

#[cfg(not(target_arch = "wasm32"))]
#[path = "support/workload.rs"]
mod workload;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::workload::{self, BATCH, LABELED, N_CLASSES, N_FEATURES, PREVIOUS, SEED, SPREAD};
    use criterion::{BatchSize, BenchmarkId, Criterion, SamplingMode};
    use engine::data::Dataset;
    use engine::models::committee::CommitteeParams;
    use engine::models::linalg::exp as linalg_exp;
    use engine::models::logistic::{CheckedLogistic, LogisticParams, LogisticRegression};
    use engine::models::simd;
    use engine::models::{Classifier, ModelSpec};
    use engine::strategies::batch::ranked_batch;
    use engine::strategies::committee::{
        consensus_entropy_scores, max_kl_disagreement_scores, vote_entropy_scores,
    };
    use engine::strategies::density::{
        density_weighted_scores, information_density, DensityOptions,
    };
    use engine::strategies::diversity::k_center_greedy;
    use engine::strategies::eer::{expected_error_reduction, EerLoss};
    use engine::strategies::uncertainty::{entropy_scores, least_confident_scores, margin_scores};
    use engine::strategies::{random_scores, top_k};
    use engine::{rng, EngineRng};
    use ndarray::{concatenate, s, Array2, ArrayView2, Axis};
    use rand::seq::index::sample;
    use std::hint::black_box;
    use std::io::Write;
    use std::path::PathBuf;
    use std::time::Duration;

    const SIZES: [usize; 3] = [10_000, 50_000, 100_000];
    /// Expected error reduction: evaluation rows, as `Session` subsamples them (it also takes 50
    /// candidates; see `strategy_benches`).
    const EER_EVAL_ROWS: usize = 200;
    /// The engine's default gradient tolerance (`LogisticParams::default()`, mean-loss gradient).
    const DEFAULT_TOL: f64 = 1e-7;
    /// scikit-learn's default `tol` for lbfgs (also on the mean loss's gradient): the fits and
    /// rounds named `*_tol1e-4` use it, to show what the engine's stricter default costs.
    const SKLEARN_TOL: f64 = 1e-4;
    /// Committee members, as `Strategy::from_name("qbc")`.
    const MEMBERS: usize = 5;

    /// The data of one pool size, split into labeled rows and pool, with the two fitted models.
    struct Workload {
        data: Dataset,
        y: Vec<usize>,
        /// Fitted on rows `0..PREVIOUS`: the warm start.
        previous: LogisticRegression,
        /// Fitted on rows `0..LABELED`, warm-started from `previous`.
        current: LogisticRegression,
    }

    impl Workload {
        fn new(n: usize) -> Self {
            let (data, y) = workload::data(n);
            let previous = fit(
                data.features.slice(s![..PREVIOUS, ..]),
                &y[..PREVIOUS],
                None,
            );
            let current = fit(
                data.features.slice(s![..LABELED, ..]),
                &y[..LABELED],
                Some(&previous),
            );
            Self {
                data,
                y,
                previous,
                current,
            }
        }

        fn labeled(&self) -> ArrayView2<'_, f64> {
            self.data.features.slice(s![..LABELED, ..])
        }

        fn labels(&self) -> &[usize] {
            &self.y[..LABELED]
        }

        fn pool(&self) -> ArrayView2<'_, f64> {
            self.data.features.slice(s![LABELED.., ..])
        }
    }

    fn model(tol: f64) -> CheckedLogistic {
        LogisticParams::default()
            .tol(tol)
            .check()
            .expect("valid parameters")
    }

    fn fit_tol(
        x: ArrayView2<f64>,
        y: &[usize],
        warm: Option<&LogisticRegression>,
        tol: f64,
    ) -> LogisticRegression {
        model(tol)
            .fit(x, y, N_CLASSES, warm)
            .expect("the bench data fits")
    }

    /// A fit with the engine's default tolerance.
    fn fit(
        x: ArrayView2<f64>,
        y: &[usize],
        warm: Option<&LogisticRegression>,
    ) -> LogisticRegression {
        fit_tol(x, y, warm, DEFAULT_TOL)
    }

    /// One round on the pieces: fit, probabilities of the pool, margin, top 10.
    fn round(w: &Workload, warm: Option<&LogisticRegression>) -> Vec<usize> {
        round_tol(w, warm, DEFAULT_TOL)
    }

    fn round_tol(w: &Workload, warm: Option<&LogisticRegression>, tol: f64) -> Vec<usize> {
        let fitted = fit_tol(w.labeled(), w.labels(), warm, tol);
        let proba = fitted.predict_proba(w.pool());
        let scores = margin_scores(proba.view());
        top_k(&scores, BATCH, &mut rng(SEED, 1))
    }

    fn accuracy(m: &LogisticRegression, x: ArrayView2<f64>, y: &[usize]) -> f64 {
        let hits = m.predict(x).iter().zip(y).filter(|(a, b)| a == b).count();
        hits as f64 / y.len().max(1) as f64
    }

    /// A fit's work: Newton iterations, Hessian-vector products, evaluations, convergence.
    fn work(m: &LogisticRegression) -> String {
        let s = m.stats;
        format!(
            "{} iterations, {} Hessian-vector products, {} evaluations (converged {})",
            s.iterations, s.hessian_products, s.evaluations, s.converged
        )
    }

    /// What the fits did, printed once per pool size beside the timings.
    fn describe(w: &Workload) {
        let cold = fit(w.labeled(), w.labels(), None);
        let pool_y = &w.y[LABELED..];
        eprintln!(
            "workload: blobs({n}, {N_FEATURES}, {N_CLASSES}, {SPREAD}) seed {SEED}; fit on \
             {LABELED} rows: cold {}, warm from {PREVIOUS} rows {}; pool accuracy {:.3}; \
             max |p_cold − p_warm| on the pool {:.1e}",
            work(&cold),
            work(&w.current),
            accuracy(&w.current, w.pool(), pool_y),
            (&cold.predict_proba(w.pool()) - &w.current.predict_proba(w.pool()))
                .iter()
                .fold(0.0_f64, |a, v| a.max(v.abs())),
            n = w.data.n_rows(),
        );
        let loose = fit_tol(w.labeled(), w.labels(), None, SKLEARN_TOL);
        let loose_warm = fit_tol(w.labeled(), w.labels(), Some(&w.previous), SKLEARN_TOL);
        eprintln!(
            "workload: with tol 1e-4: cold {}, warm {}",
            work(&loose),
            work(&loose_warm)
        );
        let sorted = |mut v: Vec<usize>| {
            v.sort_unstable();
            v
        };
        eprintln!(
            "workload: picks (pool index, sorted) cold {:?}, warm {:?}, warm tol 1e-4 {:?}",
            sorted(round(w, None)),
            sorted(round(w, Some(&w.previous))),
            sorted(round_tol(w, Some(&w.previous), SKLEARN_TOL)),
        );
    }

    fn data_dir() -> PathBuf {
        std::env::var_os("ACTIVELAB_BENCH_DATA_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("CARGO_TARGET_DIR").map(|t| PathBuf::from(t).join("bench-data"))
            })
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data")
            })
    }

    /// `blobs_{n}.csv`: `x0..x49,label`, written to a temporary name and renamed.
    fn write_csv(w: &Workload) -> std::io::Result<PathBuf> {
        let dir = data_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("blobs_{}.csv", w.data.n_rows()));
        let tmp = path.with_extension("csv.tmp");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        let header: Vec<String> = (0..N_FEATURES).map(|j| format!("x{j}")).collect();
        writeln!(out, "{},label", header.join(","))?;
        for (row, &label) in w.data.features.rows().into_iter().zip(&w.y) {
            for v in row {
                write!(out, "{v},")?;
            }
            writeln!(out, "{}", w.data.class_names[label])?;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        Ok(path)
    }

    fn fit_benches(c: &mut Criterion, w: &Workload) {
        let mut g = c.benchmark_group("fit");
        g.bench_function("cold", |b| {
            b.iter(|| black_box(fit(w.labeled(), w.labels(), None)))
        });
        g.bench_function("warm", |b| {
            b.iter(|| black_box(fit(w.labeled(), w.labels(), Some(&w.previous))))
        });
        g.bench_function("cold_tol1e-4", |b| {
            b.iter(|| black_box(fit_tol(w.labeled(), w.labels(), None, SKLEARN_TOL)))
        });
        g.bench_function("warm_tol1e-4", |b| {
            b.iter(|| {
                black_box(fit_tol(
                    w.labeled(),
                    w.labels(),
                    Some(&w.previous),
                    SKLEARN_TOL,
                ))
            })
        });
        g.finish();
    }

    fn round_benches(c: &mut Criterion, w: &Workload) {
        let n = w.data.n_rows();
        let proba = w.current.predict_proba(w.pool());
        let scores = margin_scores(proba.view());

        let mut g = c.benchmark_group("predict_proba");
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| black_box(w.current.predict_proba(w.pool())))
        });
        g.finish();
        let mut g = c.benchmark_group("margin_scores");
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| black_box(margin_scores(proba.view())))
        });
        g.finish();
        let mut g = c.benchmark_group("top_k");
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| black_box(top_k(&scores, BATCH, &mut rng(SEED, 1))))
        });
        g.finish();

        // The products of the wasm worker's logistic regression (`models::simd`, plain loops
        // natively) against ndarray's `dot` (matrixmultiply), which the native build uses, and
        // `linalg::exp` against the platform's `exp`, as `bench_wasm.rs` measures them too.
        let mut g = c.benchmark_group("kernels");
        let coef = w.current.coef.view();
        let bias = w
            .current
            .intercept
            .as_slice()
            .expect("contiguous intercepts");
        let packed = simd::Packed::new(coef, bias);
        g.bench_function(BenchmarkId::new("logits_pool_ndarray", n), |b| {
            b.iter(|| black_box(w.pool().dot(&coef.t()) + &w.current.intercept))
        });
        let mut z = Array2::zeros((w.pool().nrows(), N_CLASSES));
        g.bench_function(BenchmarkId::new("logits_pool_simd", n), |b| {
            b.iter(|| black_box(simd::logits_into(w.pool(), &packed, z.view_mut())))
        });
        if n == SIZES[0] {
            let mut z500 = Array2::zeros((LABELED, N_CLASSES));
            g.bench_function("logits_500_ndarray", |b| {
                b.iter(|| black_box(w.labeled().dot(&coef.t())))
            });
            g.bench_function("logits_500_simd", |b| {
                b.iter(|| black_box(simd::logits_into(w.labeled(), &packed, z500.view_mut())))
            });
            let resid = w.current.predict_proba(w.labeled());
            let mut grad = Array2::zeros((N_CLASSES, N_FEATURES));
            g.bench_function("grad_500_ndarray", |b| {
                b.iter(|| black_box(resid.t().dot(&w.labeled())))
            });
            g.bench_function("grad_500_simd", |b| {
                b.iter(|| {
                    black_box(simd::gradient_into(
                        resid.view(),
                        w.labeled(),
                        grad.view_mut(),
                    ))
                })
            });
            let args: Vec<f64> = (0..1_000_000).map(|i| -20.0 * (i as f64) / 1e6).collect();
            g.bench_function("exp_std_1m", |b| {
                b.iter(|| black_box(args.iter().map(|v| v.exp()).sum::<f64>()))
            });
            g.bench_function("exp_linalg_1m", |b| {
                b.iter(|| black_box(args.iter().map(|&v| linalg_exp(v)).sum::<f64>()))
            });
        }
        g.finish();

        let mut g = c.benchmark_group("round");
        if n > 10_000 {
            g.sampling_mode(SamplingMode::Flat);
        }
        g.bench_function(BenchmarkId::new("cold", n), |b| {
            b.iter(|| black_box(round(w, None)))
        });
        g.bench_function(BenchmarkId::new("warm", n), |b| {
            b.iter(|| black_box(round(w, Some(&w.previous))))
        });
        g.bench_function(BenchmarkId::new("warm_tol1e-4", n), |b| {
            b.iter(|| black_box(round_tol(w, Some(&w.previous), SKLEARN_TOL)))
        });
        // The app's path: Session::round (label-state replay, copy of the candidate rows, fit
        // warm-started from the previous round, probabilities, margin, top 10).
        let prepared = workload::session(w.data.clone(), &w.y);
        g.bench_function(BenchmarkId::new("session", n), |b| {
            b.iter_batched(
                || prepared.clone(),
                |mut s| black_box(s.round().expect("the round runs")),
                BatchSize::PerIteration,
            )
        });
        g.finish();
    }

    /// Expected error reduction as `Session` runs it: seeded candidates, each class refitted
    /// (warm-started from the current model) with the candidate added, loss measured on 200
    /// seeded pool rows.
    fn eer(
        w: &Workload,
        proba: ArrayView2<f64>,
        candidates: usize,
        loss: EerLoss,
        rng: &mut EngineRng,
    ) -> Vec<f64> {
        let pool = w.pool();
        let n = pool.nrows();
        let mut chosen = sample(rng, n, candidates.clamp(1, n)).into_vec();
        chosen.sort_unstable();
        let mut eval = sample(rng, n, EER_EVAL_ROWS.min(n)).into_vec();
        eval.sort_unstable();
        let x_eval = pool.select(Axis(0), &eval);
        let sub_proba = proba.select(Axis(0), &chosen);
        let mut x_plus: Array2<f64> =
            concatenate![Axis(0), w.labeled(), pool.select(Axis(0), &chosen[..1])];
        let mut y_plus: Vec<usize> = w.labels().iter().copied().chain([0]).collect();
        let last = x_plus.nrows() - 1;
        let sub = expected_error_reduction(
            sub_proba.view(),
            |candidate, class| -> Result<Array2<f64>, ()> {
                x_plus.row_mut(last).assign(&pool.row(chosen[candidate]));
                y_plus[last] = class;
                let refit = fit(x_plus.view(), &y_plus, Some(&w.current));
                Ok(refit.predict_proba(x_eval.view()))
            },
            loss,
        )
        .expect("refits do not fail");
        let mut scores = vec![f64::NEG_INFINITY; n];
        for (&i, s) in chosen.iter().zip(sub) {
            scores[i] = s;
        }
        scores
    }

    /// Every strategy's scoring (or, for the greedy selectors, its 10 picks) at 10k rows, given
    /// the fitted model and its pool probabilities (which every strategy but random needs anyway).
    fn strategy_benches(c: &mut Criterion, w: &Workload) {
        let pool = w.pool();
        let proba = w.current.predict_proba(pool);
        let p = proba.view();
        let committee = CommitteeParams {
            base: ModelSpec::Logistic(LogisticParams::default()),
            members: MEMBERS,
        }
        .check()
        .expect("a valid committee");
        let fit_committee = || {
            committee
                .fit(w.labeled(), w.labels(), N_CLASSES, &mut rng(SEED, 2))
                .expect("the committee fits")
                .member_probas(pool)
        };
        let member_probas = fit_committee();

        let mut g = c.benchmark_group("strategy_10k");
        g.bench_function("random", |b| {
            b.iter(|| black_box(random_scores(pool.nrows(), &mut rng(SEED, 1))))
        });
        g.bench_function("least_confident", |b| {
            b.iter(|| black_box(least_confident_scores(p)))
        });
        g.bench_function("margin", |b| b.iter(|| black_box(margin_scores(p))));
        g.bench_function("entropy", |b| b.iter(|| black_box(entropy_scores(p))));
        g.bench_function("qbc_fit_5_members_and_predict", |b| {
            b.iter(|| black_box(fit_committee()))
        });
        g.bench_function("qbc_vote_entropy", |b| {
            b.iter(|| black_box(vote_entropy_scores(&member_probas).expect("same shapes")))
        });
        g.bench_function("qbc_consensus_entropy", |b| {
            b.iter(|| black_box(consensus_entropy_scores(&member_probas).expect("same shapes")))
        });
        g.bench_function("qbc_max_kl", |b| {
            b.iter(|| black_box(max_kl_disagreement_scores(&member_probas).expect("same shapes")))
        });
        g.finish();

        // Seconds per call: flat sampling (10 calls each, the fewest criterion takes).
        let mut g = c.benchmark_group("strategy_10k");
        g.sampling_mode(SamplingMode::Flat);
        g.warm_up_time(Duration::from_millis(1));
        g.bench_function("coreset_k_center_greedy_10", |b| {
            b.iter(|| {
                black_box(
                    k_center_greedy(pool, w.labeled(), BATCH, &mut rng(SEED, 1))
                        .expect("same widths"),
                )
            })
        });
        g.bench_function("density_2000_reference", |b| {
            b.iter(|| {
                let density =
                    information_density(pool, &DensityOptions::default(), &mut rng(SEED, 1))
                        .expect("valid options");
                black_box(
                    density_weighted_scores(&entropy_scores(p), &density, 1.0)
                        .expect("one density per row"),
                )
            })
        });
        g.bench_function("ranked_batch_10", |b| {
            b.iter(|| {
                let u = least_confident_scores(p);
                black_box(
                    ranked_batch(&u, pool, w.labeled(), BATCH, &mut rng(SEED, 1))
                        .expect("same widths"),
                )
            })
        });
        // The session's 50 candidates take 50 × 10 refits a call, and criterion takes at least 10
        // calls, so the default is 5 candidates (cost is linear in candidates; the log loss
        // differs only on 200 evaluation rows). ACTIVELAB_BENCH_FULL_EER=1 runs both
        // losses with 50 candidates.
        let full = std::env::var("ACTIVELAB_BENCH_FULL_EER").is_ok_and(|v| v == "1");
        let runs: &[(&str, usize, EerLoss)] = if full {
            &[
                ("eer_50x200", 50, EerLoss::ZeroOne),
                ("eer_log_50x200", 50, EerLoss::Log),
            ]
        } else {
            &[("eer_5x200", 5, EerLoss::ZeroOne)]
        };
        for &(name, candidates, loss) in runs {
            g.bench_function(name, |b| {
                b.iter(|| black_box(eer(w, p, candidates, loss, &mut rng(SEED, 1))))
            });
        }
        g.finish();
    }

    pub fn main() {
        let write = std::env::var("ACTIVELAB_WRITE_BENCH_DATA").unwrap_or_default();
        let mut c = Criterion::default()
            .sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_millis(1500))
            .without_plots()
            .configure_from_args();
        let mut first_rows: Option<Array2<f64>> = None;
        for (i, n) in SIZES.into_iter().enumerate() {
            let w = Workload::new(n);
            // The draws are sequential, so every size shares its first rows (the labeled ones):
            // the fit is the same workload at every size.
            let head = w.data.features.slice(s![..LABELED, ..]).to_owned();
            assert!(
                first_rows.get_or_insert_with(|| head.clone()) == &head,
                "the labeled rows differ between pool sizes"
            );
            if !write.is_empty() && write != "0" {
                match write_csv(&w) {
                    Ok(path) => eprintln!("wrote {}", path.display()),
                    Err(e) => {
                        eprintln!("could not write the bench data for {n} rows: {e}");
                        std::process::exit(1);
                    }
                }
            }
            if write == "only" {
                continue;
            }
            describe(&w);
            if i == 0 {
                fit_benches(&mut c, &w);
                strategy_benches(&mut c, &w);
            }
            round_benches(&mut c, &w);
        }
        c.final_summary();
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
}
