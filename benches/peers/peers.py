#!/usr/bin/env python3
"""Side-by-side AULC: activelab's native CLI vs modAL 0.4.2.1 + scikit-learn 1.5.2.

Both sides run on the SAME splits and seed labels: the script asks our CLI for the seed sets
(`activelab seeds`), then runs our CLI (`activelab simulate --seed-file`) and modAL on them.
Protocol: /work/shared/DESIGN.md, "Comparison protocol with peers" (details in README.md here).

    pip install -r benches/peers/requirements.txt
    cargo build --profile cli -p activelab-cli        # or pass --build
    python3 benches/peers/peers.py                              # 4 datasets x 5 strategies, 10 seeds
    python3 benches/peers/peers.py --seeds 3 --datasets iris wine --strategies random margin
    python3 benches/peers/peers.py --side modal --json /tmp/peers.json

A strategy our CLI refuses (non-zero exit) is shown as "n/a" and the run goes on.
"""

import os

# Single-threaded BLAS: reproducible reductions, and --jobs processes do not oversubscribe.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA_DIR = os.path.join(REPO_ROOT, "public", "datasets")
DEFAULT_CLI = os.path.join(REPO_ROOT, "target", "cli", "activelab")
DATASETS = ["iris", "wine", "breast_cancer", "digits"]
STRATEGIES = ["random", "least_confident", "margin", "entropy", "qbc"]
DEFAULT_BUDGETS = {"iris": 30, "wine": 30, "breast_cancer": 40, "digits": 100}
TOLERANCE = 0.005  # target: ours >= modAL - TOLERANCE
SCALE_EPS = 10 * np.finfo(np.float64).eps  # ours: a std <= 10 eps is treated as 0 (scale 1)


# --------------------------------------------------------------------------------------- data


def load_csv(name, data_dir):
    """X (float) and y (class index into sorted class names) of `<name>.csv`, label column last.

    Row i of X is data row i of the file (header excluded, 0-based), as in our seed files.
    """
    path = os.path.join(data_dir, f"{name}.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.reader(f)]
    body = [r for r in rows[1:] if r]  # no blank lines in our files; guard anyway
    if len(body) != len(rows) - 1:
        raise SystemExit(f"{path}: blank lines would shift row indices; refusing")
    X = np.array([[float(v) for v in r[:-1]] for r in body], dtype=np.float64)
    labels = np.array([r[-1] for r in body])
    classes, y = np.unique(labels, return_inverse=True)  # sorted names, like ours
    return path, X, y, [str(c) for c in classes]


def standardize(X, pool):
    """(X - mean) / std with mean and population std fitted on the pool rows (0 std -> 1)."""
    mean = X[pool].mean(axis=0)
    std = X[pool].std(axis=0)  # ddof=0
    std = np.where(std > SCALE_EPS, std, 1.0)
    return (X - mean) / std


def check_seed_set(s, n_rows, y, n_classes, where):
    pool, test, initial = s["pool"], s["test"], s["initial"]
    problems = []
    if sorted(pool + test) != list(range(n_rows)):
        problems.append("pool + test is not a partition of the CSV rows")
    if not set(initial) <= set(pool):
        problems.append("initial rows are not all pool rows")
    if sorted(y[initial].tolist()) != list(range(n_classes)):
        problems.append(f"initial rows do not hold one label per class: {y[initial].tolist()}")
    if problems:
        raise SystemExit(f"{where} seed {s['seed']}: " + "; ".join(problems))


# --------------------------------------------------------------------------------- our side


def run_cli(args, timeout=None):
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def make_seed_file(cli, data_path, seeds, first_seed, test_fraction, out_path):
    rc, out, err = run_cli([cli, "seeds", "--data", data_path, "--seeds", str(seeds),
                            "--first-seed", str(first_seed), "--test-fraction", str(test_fraction)])
    if rc != 0:
        raise SystemExit(f"activelab seeds failed ({rc}): {err.strip()}")
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(out)
    return json.loads(out)


def run_ours(cli, data_path, strategy, budget, seed_file):
    """Our CLI on the seed file: (result dict, wall seconds); result has 'error' if it refused."""
    t0 = time.perf_counter()
    rc, out, err = run_cli([cli, "simulate", "--data", data_path, "--strategy", strategy,
                            "--model", "logistic", "--budget", str(budget),
                            "--seed-file", seed_file, "--json"])
    wall = time.perf_counter() - t0
    if rc != 0:
        msg = (err.strip().splitlines() or [f"exit {rc}"])[-1]
        return {"error": msg, "exit_code": rc}, wall
    rep = json.loads(out)
    runs = [{"seed": r["seed"], "order": r["order"], "aulc": r["aulc"],
             "curve": [[p["n_labels"], p["accuracy"]] for p in r["curve"]]} for r in rep["runs"]]
    return {"aulc_mean": rep["aulc_mean"], "aulc_std": rep["aulc_std"], "runs": runs,
            "rows": rep.get("rows"), "classes": rep.get("classes")}, wall


# ------------------------------------------------------------------------------- modAL side


def _modal_imports():
    from modAL.disagreement import vote_entropy_sampling
    from modAL.models import ActiveLearner, Committee
    from modAL.uncertainty import entropy_sampling, margin_sampling, uncertainty_sampling
    return ActiveLearner, Committee, {
        "least_confident": uncertainty_sampling,
        "margin": margin_sampling,
        "entropy": entropy_sampling,
        "qbc": vote_entropy_sampling,
    }


def _logistic(opts):
    return LogisticRegression(C=1.0, max_iter=opts["max_iter"], tol=opts["sk_tol"])


def _make_bagging_learner_class(ActiveLearner):
    class SeededBaggingLearner(ActiveLearner):
        """modAL's ActiveLearner whose bootstrap (bagging) draw is seeded and refit-able.

        modAL draws bootstraps with the global np.random and hands them to the estimator as
        they come; on a handful of labels a draw can hold a single class, which scikit-learn's
        LogisticRegression refuses. Here a draw (from this member's own seeded Generator) is
        redrawn until it holds at least `min_classes` distinct classes (capped at the number
        of classes labeled so far); everything else is modAL's code path.
        """

        def __init__(self, *a, rng, min_classes, **kw):
            self._rng = rng
            self._min_classes = min_classes
            self.redraws = 0
            super().__init__(*a, **kw)

        def _fit_to_known(self, bootstrap=False, **fit_kwargs):
            if not bootstrap:
                return super()._fit_to_known(bootstrap=False, **fit_kwargs)
            y = np.asarray(self.y_training)
            n = y.shape[0]
            present = len(np.unique(y))
            need = present if self._min_classes <= 0 else min(self._min_classes, present)
            while True:
                idx = self._rng.integers(0, n, size=n)
                if len(np.unique(y[idx])) >= need:
                    break
                self.redraws += 1
            self.estimator.fit(self.X_training[idx], y[idx], **fit_kwargs)
            return self

    return SeededBaggingLearner


def run_modal_one(task):
    """One modAL run (one dataset, strategy, seed set). Returns the run dict."""
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    ActiveLearner, Committee, strategies = _modal_imports()
    opts = task["opts"]
    strategy, seed, budget = task["strategy"], task["seed"], task["budget"]
    X, y = task["X"], task["y"]
    pool_all, test, initial = task["pool"], task["test"], task["initial"]

    Xs = standardize(X, pool_all)
    X_test, y_test = Xs[test], y[test]
    init_set = set(initial)
    remaining = [r for r in pool_all if r not in init_set]  # candidate rows, pool order
    labeled = list(initial)
    np.random.seed(seed % (2**32))  # modAL's own randomness (shuffled_argmax) uses np.random
    rng = np.random.default_rng(seed)

    redraws = 0
    if strategy == "qbc":
        Bagger = _make_bagging_learner_class(ActiveLearner)
        members = [Bagger(estimator=_logistic(opts), X_training=Xs[initial], y_training=y[initial],
                          bootstrap_init=True, rng=np.random.default_rng([seed, m]),
                          min_classes=opts["qbc_min_classes"])
                   for m in range(opts["qbc_members"])]
        model = Committee(learner_list=members, query_strategy=strategies["qbc"])
        # Accuracy is that of one LogisticRegression on all labels (like every other strategy);
        # the committee only chooses the queries.
        evaluator = _logistic(opts)

        def accuracy():
            evaluator.fit(Xs[labeled], y[labeled])
            return float(evaluator.score(X_test, y_test))
    else:
        if strategy == "random" and task.get("replay"):
            replay = list(task["replay"][len(initial):])

            def query_strategy(classifier, X_pool):
                # Replay our order: the next row we queried, as an index into `remaining`.
                i = remaining.index(replay.pop(0))
                return np.array([i]), X_pool[[i]]
        elif strategy == "random":
            def query_strategy(classifier, X_pool):
                i = int(rng.choice(X_pool.shape[0]))
                return np.array([i]), X_pool[[i]]
        else:
            query_strategy = strategies[strategy]
        model = ActiveLearner(estimator=_logistic(opts), query_strategy=query_strategy,
                              X_training=Xs[initial], y_training=y[initial])

        def accuracy():
            return float(model.score(X_test, y_test))

    curve = [[len(labeled), accuracy()]]
    qkw = {"random_tie_break": True} if (opts["modal_random_tie_break"] and strategy != "random") else {}
    while len(labeled) < budget and remaining:
        idx, _ = model.query(Xs[remaining], **qkw)
        i = int(np.asarray(idx).ravel()[0])
        row = remaining.pop(i)
        if strategy == "qbc":
            model.teach(Xs[[row]], y[[row]], bootstrap=True)
        else:
            model.teach(Xs[[row]], y[[row]])
        labeled.append(row)
        curve.append([len(labeled), accuracy()])
    if strategy == "qbc":
        redraws = sum(m.redraws for m in members)
    aulc = float(np.mean([a for _, a in curve]))
    return {"seed": seed, "order": labeled, "aulc": aulc, "curve": curve, "bootstrap_redraws": redraws}


def summarize(runs):
    a = np.array([r["aulc"] for r in runs], dtype=np.float64)
    std = float(a.std(ddof=1)) if len(a) > 1 else 0.0  # sample std, like ours
    return float(a.mean()), std


# ------------------------------------------------------------------------------------ output


def fmt_ms(res):
    if res is None:
        return "-"
    if "error" in res:
        return "n/a"
    return f"{res['aulc_mean']:.4f} ± {res['aulc_std']:.4f}"


def common_prefix(ours, modal, k):
    """Mean number of identical queries (after the k seed labels) before the orders diverge."""
    vals = []
    for a, b in zip(ours["runs"], modal["runs"]):
        n = 0
        for x, z in zip(a["order"][k:], b["order"][k:]):
            if x != z:
                break
            n += 1
        vals.append(n)
    return float(np.mean(vals)) if vals else float("nan")


def first_point_agreement(ours, modal):
    same = sum(1 for a, b in zip(ours["runs"], modal["runs"])
               if a["curve"] and b["curve"] and a["curve"][0][0] == b["curve"][0][0]
               and abs(a["curve"][0][1] - b["curve"][0][1]) < 1e-9)
    return same, len(modal["runs"])


def print_table(name, info, strategies):
    print(f"\n{name}: {info['rows']} rows, {info['n_classes']} classes, budget {info['budget']}, "
          f"{info['n_seeds']} seeds (first {info['first_seed']}), batch 1")
    header = ["strategy", "ours AULC", "modAL AULC", "ours − modAL", "same picks"]
    rows = []
    for s in strategies:
        cell = info["strategies"][s]
        ours, modal = cell.get("ours"), cell.get("modal")
        diff = cell.get("diff")
        rows.append([s, fmt_ms(ours), fmt_ms(modal),
                     "n/a" if diff is None else f"{diff:+.4f}",
                     "" if cell.get("same_picks") is None else f"{cell['same_picks']:.1f}"])
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))
    for s in strategies:
        ours = info["strategies"][s].get("ours")
        if ours and "error" in ours:
            print(f"  ours/{s}: n/a — {ours['error']}")


def checks_for(name, info, strategies):
    out = []
    for s in strategies:
        cell = info["strategies"][s]
        ours, modal = cell.get("ours"), cell.get("modal")
        label = f"{name:<14} {s:<16} ours ≥ modAL − {TOLERANCE}"
        if ours is None or modal is None or "error" in ours or "error" in modal:
            out.append((label, "SKIP", "n/a"))
        else:
            ok = ours["aulc_mean"] >= modal["aulc_mean"] - TOLERANCE
            out.append((label, "PASS" if ok else "FAIL",
                        f"{ours['aulc_mean']:.4f} vs {modal['aulc_mean']:.4f}"))
    label = f"{name:<14} {'(ours)':<16} margin > random"
    if "margin" in strategies and "random" in strategies:
        m, r = info["strategies"]["margin"].get("ours"), info["strategies"]["random"].get("ours")
        if not m or not r or "error" in m or "error" in r:
            out.append((label, "SKIP", "n/a"))
        else:
            ok = m["aulc_mean"] > r["aulc_mean"]
            out.append((label, "PASS" if ok else "FAIL",
                        f"{m['aulc_mean']:.4f} vs {r['aulc_mean']:.4f}"))
    return out


# -------------------------------------------------------------------------------------- main


def parse_budgets(items):
    budgets = dict(DEFAULT_BUDGETS)
    for item in items or []:
        name, _, value = item.partition("=")
        if name not in DATASETS or not value.isdigit():
            raise SystemExit(f"--budget wants NAME=N with NAME in {DATASETS}, got {item!r}")
        budgets[name] = int(value)
    return budgets


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", nargs="+", default=DATASETS, choices=DATASETS)
    ap.add_argument("--strategies", nargs="+", default=STRATEGIES, choices=STRATEGIES)
    ap.add_argument("--seeds", type=int, default=10, help="runs per cell (default 10)")
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--test-fraction", type=float, default=0.3)
    ap.add_argument("--budget", action="append", metavar="NAME=N",
                    help="labels per run incl. seed labels (default "
                         + ", ".join(f"{k}={v}" for k, v in DEFAULT_BUDGETS.items()) + ")")
    ap.add_argument("--side", choices=["both", "ours", "modal"], default="both",
                    help="which side to run (seeds always come from our CLI)")
    ap.add_argument("--cli", default=DEFAULT_CLI, help="the activelab binary (default %(default)s)")
    ap.add_argument("--build", action="store_true",
                    help="run `cargo build --profile cli -p activelab-cli` first")
    ap.add_argument("--data-dir", default=DATA_DIR)
    ap.add_argument("--jobs", type=int, default=1, help="processes for the modAL side")
    ap.add_argument("--max-iter", type=int, default=1000, help="LogisticRegression max_iter")
    ap.add_argument("--sk-tol", type=float, default=1e-4,
                    help="LogisticRegression tol (scikit-learn default 1e-4)")
    ap.add_argument("--qbc-members", type=int, default=5)
    ap.add_argument("--qbc-min-classes", type=int, default=2,
                    help="redraw a member's bootstrap until it holds this many classes "
                         "(capped at the classes labeled; 0 = all of them). Default 2, the "
                         "minimum scikit-learn accepts.")
    ap.add_argument("--random-order", choices=["ours", "own"], default="ours",
                    help="random strategy on the modAL side: replay our random query order "
                         "(default; isolates model parity) or draw its own with numpy")
    ap.add_argument("--modal-random-tie-break", action="store_true",
                    help="pass random_tie_break=True to modAL's strategies (seeded np.random); "
                         "default: modAL's default (argpartition, i.e. a fixed pick among ties)")
    ap.add_argument("--json", metavar="FILE", help="also write every number (runs, curves) here")
    ap.add_argument("--keep-seed-files", metavar="DIR",
                    help="write the seed files here (default: a temporary directory)")
    ap.add_argument("--strict", action="store_true", help="exit 1 if a check FAILs")
    args = ap.parse_args(argv)
    if args.seeds < 1:
        ap.error("--seeds must be >= 1")
    budgets = parse_budgets(args.budget)

    if args.build:
        subprocess.run(["cargo", "build", "--profile", "cli", "-p", "activelab-cli"], cwd=REPO_ROOT, check=True)
    if not os.access(args.cli, os.X_OK):
        raise SystemExit(f"{args.cli} is not an executable: build it with "
                         "`cargo build --profile cli -p activelab-cli` (or pass --build / --cli)")

    versions = {"python": platform.python_version(), "numpy": np.__version__,
                "scikit-learn": sklearn.__version__}
    if args.side != "ours":
        try:
            import modAL  # noqa: F401
            from importlib.metadata import version
            versions["modAL-python"] = version("modAL-python")
        except Exception as e:  # noqa: BLE001
            raise SystemExit(f"modAL is not importable ({e}): pip install -r benches/peers/requirements.txt")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + f"; cli {args.cli}")

    opts = {"max_iter": args.max_iter, "sk_tol": args.sk_tol, "qbc_members": args.qbc_members,
            "qbc_min_classes": args.qbc_min_classes,
            "modal_random_tie_break": args.modal_random_tie_break}
    tmp = None
    seed_dir = args.keep_seed_files
    if seed_dir:
        os.makedirs(seed_dir, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="activelab-peers-")
        seed_dir = tmp.name

    results = {"versions": versions, "options": {**opts, "seeds": args.seeds,
               "first_seed": args.first_seed, "test_fraction": args.test_fraction,
               "budgets": {d: budgets[d] for d in args.datasets}, "tolerance": TOLERANCE},
               "datasets": {}}
    wall = {"ours": 0.0, "modal": 0.0, "seeds": 0.0}
    all_checks = []
    pool_exec = ProcessPoolExecutor(max_workers=args.jobs) if args.jobs > 1 else None
    try:
        for name in args.datasets:
            data_path, X, y, classes = load_csv(name, args.data_dir)
            budget = budgets[name]
            seed_file = os.path.join(seed_dir, f"{name}.seeds.json")
            t0 = time.perf_counter()
            seeds = make_seed_file(args.cli, data_path, args.seeds, args.first_seed,
                                   args.test_fraction, seed_file)
            wall["seeds"] += time.perf_counter() - t0
            for s in seeds["seed_sets"]:
                check_seed_set(s, X.shape[0], y, len(classes), name)
            info = {"rows": X.shape[0], "n_classes": len(classes), "classes": classes,
                    "budget": budget, "n_seeds": args.seeds, "first_seed": args.first_seed,
                    "wall_seconds": {"ours": 0.0, "modal": 0.0}, "strategies": {}}
            for strategy in args.strategies:
                cell = {}
                if args.side in ("both", "ours"):
                    ours, w = run_ours(args.cli, data_path, strategy, budget, seed_file)
                    wall["ours"] += w
                    info["wall_seconds"]["ours"] += w
                    if "error" not in ours:
                        if ours.get("rows") not in (None, X.shape[0]) or \
                                (ours.get("classes") and ours["classes"] != classes):
                            raise SystemExit(f"{name}: our CLI reads {ours.get('rows')} rows / "
                                             f"classes {ours.get('classes')}, this script "
                                             f"{X.shape[0]} / {classes}: indices would not line up")
                    ours["wall_seconds"] = w
                    cell["ours"] = ours
                if args.side in ("both", "modal"):
                    # Random sampling does not depend on the model: with --random-order ours (the
                    # default) modAL replays our random query order, so the random cell checks
                    # model parity instead of comparing two random number generators.
                    replay = {}
                    if strategy == "random" and args.random_order == "ours" and \
                            cell.get("ours") and "error" not in cell["ours"]:
                        replay = {r["seed"]: r["order"] for r in cell["ours"]["runs"]}
                    tasks = [{"strategy": strategy, "seed": s["seed"], "budget": budget, "X": X,
                              "y": y, "pool": s["pool"], "test": s["test"],
                              "initial": s["initial"], "opts": opts,
                              "replay": replay.get(s["seed"])} for s in seeds["seed_sets"]]
                    t0 = time.perf_counter()
                    runs = list(pool_exec.map(run_modal_one, tasks)) if pool_exec \
                        else [run_modal_one(t) for t in tasks]
                    w = time.perf_counter() - t0
                    wall["modal"] += w
                    info["wall_seconds"]["modal"] += w
                    m, sd = summarize(runs)
                    cell["modal"] = {"aulc_mean": m, "aulc_std": sd, "runs": runs, "wall_seconds": w}
                ours, modal = cell.get("ours"), cell.get("modal")
                if ours and modal and "error" not in ours:
                    cell["diff"] = ours["aulc_mean"] - modal["aulc_mean"]
                    cell["same_picks"] = common_prefix(ours, modal, len(classes))
                    cell["first_point_equal"] = first_point_agreement(ours, modal)
                info["strategies"][strategy] = cell
                print(f"  [{name}/{strategy}] ours {fmt_ms(ours)}  modAL {fmt_ms(modal)}",
                      file=sys.stderr, flush=True)
            results["datasets"][name] = info
            print_table(name, info, args.strategies)
            print(f"wall time: ours {info['wall_seconds']['ours']:.1f} s, "
                  f"modAL {info['wall_seconds']['modal']:.1f} s")
            all_checks += checks_for(name, info, args.strategies)
    finally:
        if pool_exec:
            pool_exec.shutdown()

    print("\n'same picks' = mean number of identical queries (after the seed labels) before the "
          "two sides' orders diverge.")
    print(f"\nchecks (targets: ours ≥ modAL − {TOLERANCE} per cell; margin > random, ours, per dataset):")
    for label, verdict, detail in all_checks:
        print(f"  {verdict:<4}  {label}  ({detail})")
    counts = {v: sum(1 for _, x, _ in all_checks if x == v) for v in ("PASS", "FAIL", "SKIP")}
    print(f"  {counts['PASS']} pass, {counts['FAIL']} fail, {counts['SKIP']} n/a")
    print(f"\ntotal wall time: ours {wall['ours']:.1f} s (CLI, incl. process start), "
          f"modAL {wall['modal']:.1f} s ({args.jobs} process{'es' if args.jobs > 1 else ''}), "
          f"seed files {wall['seeds']:.1f} s")
    results["checks"] = [{"check": l, "verdict": v, "detail": d} for l, v, d in all_checks]
    results["wall_seconds"] = wall
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1, default=lambda o: o.item() if hasattr(o, "item") else str(o))
        print(f"wrote {args.json}")
    if tmp:
        tmp.cleanup()
    return 1 if (args.strict and counts["FAIL"]) else 0


if __name__ == "__main__":
    sys.exit(main())
