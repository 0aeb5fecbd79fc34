#!/usr/bin/env python3
"""Round time of scikit-learn 1.5.2 + modAL 0.4.2.1 on the engine bench's data (issue 6).

One round = fit LogisticRegression(C=1, max_iter=1000) on the 500 labeled rows (rows 0..500),
then modAL's margin_sampling with n_instances=10 over the unlabeled pool (rows 500..n). The data
are the exact f64 values of our bench (`blobs(n, 50, 10, 1.5, rng(42, 0))`), written by it:

    ACTIVELAB_WRITE_BENCH_DATA=only cargo bench --bench engine   # target/bench-data/blobs_{n}.csv
    cargo bench --bench engine                                    # our medians (target/criterion/)
    python3 benches/peers/speed.py                                # peer medians + the table

BLAS and OpenMP run on one thread (env vars before numpy loads, and threadpoolctl). The script
prints the BLAS kernel and OPENBLAS_CORETYPE as found (it changes neither). With our criterion
results present it prints the combined table, with the wasm bench's medians when
`cargo xtask bench --only wasm` has written them (<target>/bench-wasm.json).
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import copy  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from modAL.models import ActiveLearner  # noqa: E402
from modAL.uncertainty import margin_sampling  # noqa: E402
from modAL.utils.selection import multi_argmin  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LABELED = 500  # rows 0..500 are labeled this round
PREVIOUS = 490  # the previous round's labeled rows (its model is the warm start)
BATCH = 10
N_FEATURES = 50


def load(path):
    """X (n x 50 float64) and y (class index into sorted class names) of a bench CSV."""
    with open(path, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    if header[:N_FEATURES] != [f"x{j}" for j in range(N_FEATURES)] or header[-1] != "label":
        raise SystemExit(f"{path}: unexpected header {header[:3]}…{header[-1]}")
    X = np.loadtxt(path, delimiter=",", skiprows=1, usecols=range(N_FEATURES), dtype=np.float64)
    labels = np.loadtxt(path, delimiter=",", skiprows=1, usecols=[N_FEATURES], dtype=str)
    _, y = np.unique(labels, return_inverse=True)
    return X, y


def estimator(warm_start=False):
    return LogisticRegression(C=1.0, max_iter=1000, warm_start=warm_start)


def median_ms(fn, reps, setup=None):
    """Median wall time of fn(state) in ms over reps runs (after one untimed run)."""
    times = []
    for i in range(reps + 1):
        state = setup() if setup else None
        t = time.perf_counter()
        fn(state)
        dt = (time.perf_counter() - t) * 1e3
        if i > 0:
            times.append(dt)
    return statistics.median(times), times


def margin_scores(proba):
    """modAL's classifier_margin on given probabilities (its code, without predict_proba)."""
    part = np.partition(-proba, 1, axis=1)
    return -part[:, 0] + part[:, 1]


def measure(X, y, reps):
    X_lab, y_lab = X[:LABELED], y[:LABELED]
    X_pool = X[LABELED:]
    out = {}
    cold = estimator().fit(X_lab, y_lab)
    previous = estimator(warm_start=True).fit(X[:PREVIOUS], y[:PREVIOUS])
    warm = copy.deepcopy(previous).fit(X_lab, y_lab)
    out["n_iter_cold"] = int(cold.n_iter_[0])
    out["n_iter_warm"] = int(warm.n_iter_[0])
    proba = cold.predict_proba(X_pool)
    margin = margin_scores(proba)

    out["fit_cold"], _ = median_ms(lambda _: estimator().fit(X_lab, y_lab), reps)
    out["fit_warm"], _ = median_ms(
        lambda m: m.fit(X_lab, y_lab), reps, setup=lambda: copy.deepcopy(previous)
    )
    out["predict_proba"], _ = median_ms(lambda _: cold.predict_proba(X_pool), reps)
    out["margin_scores"], _ = median_ms(lambda _: margin_scores(proba), reps)
    out["select_top_10"], _ = median_ms(lambda _: multi_argmin(margin, n_instances=BATCH), reps)

    # The headline: modAL as shipped (the learner refits from scratch), fit + query.
    learner = ActiveLearner(estimator=estimator(), query_strategy=margin_sampling)

    def modal_round(_):
        learner.fit(X_lab, y_lab)
        return learner.query(X_pool, n_instances=BATCH)

    out["round"], out["round_all"] = median_ms(modal_round, reps)
    picks = np.asarray(modal_round(None)[0]).tolist()
    out["picks"] = sorted(int(i) for i in picks)
    # Same optimum as ours? With a tight tolerance the picks should equal the engine's (printed by
    # `cargo bench --bench engine` as "picks (pool index, sorted) cold").
    tight = LogisticRegression(C=1.0, max_iter=10_000, tol=1e-10).fit(X_lab, y_lab)
    out["picks_tol1e-10"] = sorted(
        int(i) for i in multi_argmin(margin_scores(tight.predict_proba(X_pool)), BATCH)[0]
    )

    # Informative: the same round with scikit-learn's warm start (estimator refits from the
    # previous round's coefficients, which modAL's teach() would keep).
    def warm_setup():
        return ActiveLearner(estimator=copy.deepcopy(previous), query_strategy=margin_sampling)

    def modal_round_warm(lrn):
        lrn.fit(X_lab, y_lab)
        return lrn.query(X_pool, n_instances=BATCH)

    out["round_warm"], _ = median_ms(modal_round_warm, reps, setup=warm_setup)
    return out


def criterion_median_ms(root, *parts, baseline="new"):
    path = os.path.join(root, *parts, baseline, "estimates.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)["median"]["point_estimate"] / 1e6
    except (OSError, KeyError, ValueError):
        return None


def fmt(v, digits=1):
    return "n/a" if v is None else f"{v:.{digits}f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO_ROOT, "target")
    ap.add_argument("--data-dir", default=os.environ.get("ACTIVELAB_BENCH_DATA_DIR")
                    or os.path.join(target, "bench-data"))
    ap.add_argument("--criterion-dir", default=os.path.join(target, "criterion"))
    ap.add_argument("--wasm", default=os.path.join(target, "bench-wasm.json"),
                    help="the wasm bench's medians (cargo xtask bench --only wasm writes them)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    ap.add_argument("--reps", type=int, default=25, help="timed repetitions (median; >= 5)")
    ap.add_argument("--baselines", nargs="+", default=["new"],
                    help="criterion result sets to show (`new` = the last run; a name given to "
                         "`cargo bench --bench engine -- --save-baseline NAME`)")
    ap.add_argument("--json", help="write every measurement here")
    args = ap.parse_args()
    if args.reps < 5:
        raise SystemExit("--reps must be at least 5")

    blas = [
        {k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
        for i in threadpool_info()
    ]
    print(f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
          f"numpy {np.__version__}, modAL 0.4.2.1 (as pinned)")
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')} "
          f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE', '(unset)')}")

    results = {}
    with threadpool_limits(limits=1):
        print("thread pools:", json.dumps([
            {k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for i in threadpool_info()
        ]))
        for n in args.sizes:
            path = os.path.join(args.data_dir, f"blobs_{n}.csv")
            if not os.path.exists(path):
                raise SystemExit(
                    f"{path} is missing: run `ACTIVELAB_WRITE_BENCH_DATA=only cargo bench --bench engine`"
                )
            X, y = load(path)
            if X.shape != (n, N_FEATURES):
                raise SystemExit(f"{path}: shape {X.shape}, expected ({n}, {N_FEATURES})")
            r = measure(X, y, args.reps)
            results[n] = r
            print(f"{n:>7} rows: modAL round {r['round']:.1f} ms (warm-start estimator "
                  f"{r['round_warm']:.1f}); fit cold {r['fit_cold']:.1f} ({r['n_iter_cold']} it), "
                  f"warm {r['fit_warm']:.1f} ({r['n_iter_warm']} it); predict_proba "
                  f"{r['predict_proba']:.2f}; margin {r['margin_scores']:.2f}; top 10 "
                  f"{r['select_top_10']:.2f}; picks (pool index) {r['picks']}, with tol 1e-10 "
                  f"{r['picks_tol1e-10']}", flush=True)
    results["blas_before_limits"] = blas

    crit = args.criterion_dir
    bases = args.baselines

    def ours(*parts, baseline=bases[0]):
        return criterion_median_ms(crit, *parts, baseline=baseline)

    wasm = {}
    if args.wasm:
        try:
            with open(args.wasm, encoding="utf-8") as f:
                wasm = {int(r["rows"]): r for r in json.load(f)}
        except (OSError, KeyError, ValueError) as e:
            print(f"(no wasm results: {args.wasm}: {e})")

    def w(n, key):
        return wasm.get(n, {}).get(key)

    def ratio(a, b):
        return None if a is None or not b else a / b

    print()
    print("Medians in ms. Native: criterion (" + ", ".join(bases) + "); wasm: tests/bench_wasm.rs "
          "in headless Chromium; peer: modAL round (fit from scratch + query).")
    head = "| rows |"
    for b in bases:
        head += f" native warm ({b}) | native cold ({b}) | native session ({b}) |"
    head += (" wasm warm | wasm cold | wasm session | peer | peer ÷ wasm warm (target ≥ 3) | "
             + " | ".join(f"wasm ÷ native warm ({b}) (target ≤ 1.5)" for b in bases) + " | "
             + " | ".join(f"peer ÷ native warm ({b})" for b in bases) + " |")
    print(head)
    print("|---:|" + "---:|" * (3 * len(bases) + 5 + 2 * len(bases)))
    for n in args.sizes:
        peer = results[n]["round"]
        line = f"| {n:,} |"
        native = []
        for b in bases:
            warm = ours("round", "warm", str(n), baseline=b)
            native.append(warm)
            line += (f" {fmt(warm)} | {fmt(ours('round', 'cold', str(n), baseline=b))} |"
                     f" {fmt(ours('round', 'session', str(n), baseline=b))} |")
        ww = w(n, "round_warm")
        line += (f" {fmt(ww)} | {fmt(w(n, 'round_cold'))} | {fmt(w(n, 'round_session'))} |"
                 f" {fmt(peer)} | {fmt(ratio(peer, ww), 2)}× | "
                 + " | ".join(f"{fmt(ratio(ww, nw), 2)}×" for nw in native) + " | "
                 + " | ".join(f"{fmt(ratio(peer, nw), 2)}×" for nw in native) + " |")
        print(line)
    print()
    print("At scikit-learn's tolerance (tol 1e-4 for everyone; the peer's round is warm_start, "
          "like ours): medians in ms.")
    print("| rows | native warm, tol 1e-4 | wasm warm, tol 1e-4 | peer warm_start | "
          "peer ÷ wasm (target ≥ 3) | wasm ÷ native (target ≤ 1.5) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        nw = ours("round", "warm_tol1e-4", str(n))
        ww = w(n, "round_warm_tol1e-4")
        pw = results[n]["round_warm"]
        print(f"| {n:,} | {fmt(nw)} | {fmt(ww)} | {fmt(pw)} | {fmt(ratio(pw, ww), 2)}× | "
              f"{fmt(ratio(ww, nw), 2)}× |")
    if wasm:
        print()
        print("wasm pieces (ms): " + "; ".join(
            f"{n:,} rows: fit warm {fmt(w(n, 'fit_warm'), 2)}, fit cold {fmt(w(n, 'fit_cold'), 2)}, "
            f"fit warm tol 1e-4 {fmt(w(n, 'fit_warm_tol1e-4'), 2)}, "
            f"predict_proba {fmt(w(n, 'predict_proba'), 2)}, margin {fmt(w(n, 'margin_scores'), 2)}, "
            f"top 10 {fmt(w(n, 'top_k'), 2)}, rows bit-identical to native {w(n, 'rows_same_as_native')}"
            for n in args.sizes if n in wasm))
    print()
    print("| piece | rows | " + " | ".join(f"ours ({b})" for b in bases) + " | peer |")
    print("|---|---:|" + "---:|" * (len(bases) + 1))

    def piece(name, rows, parts, peer):
        cells = " | ".join(fmt(ours(*parts, baseline=b), 2) for b in bases)
        print(f"| {name} | {rows} | {cells} | {fmt(peer, 2)} |")

    first = results[args.sizes[0]]
    piece("fit cold", "500", ("fit", "cold"), first["fit_cold"])
    piece("fit warm", "500", ("fit", "warm"), first["fit_warm"])
    piece("fit cold, tol 1e-4", "500", ("fit", "cold_tol1e-4"), first["fit_cold"])
    piece("fit warm, tol 1e-4", "500", ("fit", "warm_tol1e-4"), first["fit_warm"])
    for n in args.sizes:
        r = results[n]
        piece("predict_proba", f"{n:,}", ("predict_proba", str(n)), r["predict_proba"])
        piece("margin scores", f"{n:,}", ("margin_scores", str(n)), r["margin_scores"])
        piece("top 10", f"{n:,}", ("top_k", str(n)), r["select_top_10"])
        piece("round warm, tol 1e-4 (peer: warm_start)", f"{n:,}", ("round", "warm_tol1e-4", str(n)),
              r["round_warm"])
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({str(k): v for k, v in results.items()}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
