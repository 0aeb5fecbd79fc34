#!/usr/bin/env python3
"""Write scikit-learn reference values for the Rust models (engine::models).

Run from the repository root (after scripts/make_datasets.py):

    python3 scripts/sklearn_reference.py

Outputs (deterministic; byte-identical on re-run):

  * tests/reference/logistic.json - LogisticRegression (softmax, L2);
  * tests/reference/gaussian_nb.json - GaussianNB();
  * tests/reference/knn.json - KNeighborsClassifier (uniform and distance weights).

Common to all three, for each dataset in [iris, wine, breast_cancer]:
  * X / y are read from public/datasets/<name>.csv (label = last column);
  * classes = np.unique(y) (sorted label strings);
  * "standardized" X uses StandardScaler() fitted on ALL rows
    (mean, population std with ddof=0); gaussian_nb and knn also have "raw" X;
  * cases: "all" (every row), "subset" (first 2 rows of each class in file
    order), "subset20" (rows with index % 7 == 0); the model is fitted on the
    train rows and predicts ALL rows.

logistic.json: LogisticRegression(C=1.0, tol=1e-12, max_iter=100000) (lbfgs,
multinomial for >2 classes, L2 penalty on coef only) on standardized X.

gaussian_nb.json: GaussianNB() (var_smoothing=1e-9, empirical priors) on
standardized and raw X, plus a "subset20_uniform_priors" case with
priors = 1/K for every class.

knn.json: KNeighborsClassifier(n_neighbors=min(5, n_train), weights in
{uniform, distance}, algorithm="kd_tree") on standardized and raw X.  kd_tree
computes Euclidean distances from differences (sum of (x_j - t_j)^2 in feature
order, then sqrt), as the Rust code does; the brute-force path expands
|x|^2 - 2 x.t + |t|^2, whose rounding moves distance-weighted probabilities by
up to ~4e-6 next to near-duplicates.  Rows whose k-th and (k+1)-th nearest
distances are exactly equal (a tie at the neighbourhood boundary, which
sklearn breaks in tree order) are listed in "tie_rows" together with what the
documented Rust rule (equal distances: lower train position first) gives.
"""

import os

# Single-threaded BLAS so that floating-point reductions are reproducible.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import csv  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import sklearn  # noqa: E402
from scipy.special import expit, logsumexp  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = os.path.join(REPO_ROOT, "public", "datasets")
REF_DIR = os.path.join(REPO_ROOT, "tests", "reference")
OUT_PATH = os.path.join(REF_DIR, "logistic.json")
NB_OUT_PATH = os.path.join(REF_DIR, "gaussian_nb.json")
KNN_OUT_PATH = os.path.join(REF_DIR, "knn.json")
DATASETS = ["iris", "wine", "breast_cancer"]
C = 1.0
TOL = 1e-12
MAX_ITER = 100000


def load_csv(name):
    with open(os.path.join(DATA_DIR, f"{name}.csv"), newline="", encoding="ascii") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    X = np.array([[float(v) for v in r[:-1]] for r in body], dtype=np.float64)
    y = np.array([r[-1] for r in body])
    return header, X, y


def objective_and_grad(X, y, classes, coef, intercept):
    """Unscaled objective sum_i -log p(y_i|x_i) + 1/(2C)*||coef||^2 and the
    max-abs gradient entry (over coef and intercept)."""
    if len(classes) == 2:
        w, b = coef[0], intercept[0]
        t = (y == classes[1]).astype(np.float64)  # positive class = classes[1]
        z = X @ w + b
        nll = np.sum(np.logaddexp(0.0, z) - t * z)
        r = expit(z) - t
        gw = X.T @ r + w / C
        gb = np.sum(r)
        grad = np.concatenate([gw, [gb]])
    else:
        Y = (y[:, None] == np.asarray(classes)[None, :]).astype(np.float64)
        Z = X @ coef.T + intercept
        lse = logsumexp(Z, axis=1)
        nll = np.sum(lse - np.sum(Y * Z, axis=1))
        R = np.exp(Z - lse[:, None]) - Y
        gW = R.T @ X + coef / C
        gb = R.sum(axis=0)
        grad = np.concatenate([gW.ravel(), gb])
    obj = nll + 0.5 / C * np.sum(coef * coef)
    return float(obj), float(np.max(np.abs(grad)))


def newton_polish(X, y, classes, coef, intercept, steps=8):
    """Refine sklearn's solution with full Newton steps on the same objective.

    lbfgs stops on its relative-reduction test (ftol = 64 * eps) well before
    gtol = 1e-12, so sklearn's coefficients are only accurate to ~1e-6.  The
    polished optimum is recorded alongside so that Rust tests can use a tight
    tolerance.  For K > 2 the Hessian is singular along the intercept gauge
    (adding a constant to every intercept changes nothing); lstsq takes the
    minimum-norm step, which keeps sum(intercept) unchanged (~0, as sklearn).
    """
    n, d = X.shape
    Xa = np.hstack([X, np.ones((n, 1))])
    K = coef.shape[0]
    theta = np.hstack([coef, intercept[:, None]]).ravel()
    pen = np.tile(np.r_[np.full(d, 1.0 / C), 0.0], K)
    for _ in range(steps):
        T = theta.reshape(K, d + 1)
        if K == 1:  # binary, single vector for classes[1]
            t = (y == classes[1]).astype(np.float64)
            p = expit(Xa @ T[0])
            g = Xa.T @ (p - t) + pen * theta
            H = Xa.T @ (Xa * (p * (1.0 - p))[:, None])
        else:
            Y = (y[:, None] == np.asarray(classes)[None, :]).astype(np.float64)
            Z = Xa @ T.T
            P = np.exp(Z - logsumexp(Z, axis=1)[:, None])
            g = ((P - Y).T @ Xa).ravel() + pen * theta
            H = np.zeros((K * (d + 1), K * (d + 1)))
            for i in range(n):
                S = np.diag(P[i]) - np.outer(P[i], P[i])
                H += np.kron(S, np.outer(Xa[i], Xa[i]))
        H += np.diag(pen)
        theta = theta - np.linalg.lstsq(H, g, rcond=None)[0]
    T = theta.reshape(K, d + 1)
    return T[:, :d].copy(), T[:, d].copy()


def cases_for(y, classes):
    n = len(y)
    subset = []
    for c in classes:
        subset.extend(int(i) for i in np.flatnonzero(y == c)[:2])
    subset.sort()
    return [
        ("all", list(range(n))),
        ("subset", subset),
        ("subset20", [i for i in range(n) if i % 7 == 0]),
    ]


def fit_case(Xs, y, classes, rows, label, notes):
    Xt, yt = Xs[rows], y[rows]
    assert sorted(set(yt.tolist())) == classes, f"{label}: a class is missing"
    clf = LogisticRegression(C=C, tol=TOL, max_iter=MAX_ITER)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(Xt, yt)
    for w in caught:
        if issubclass(w.category, DeprecationWarning) and "L-BFGS-B" in str(w.message):
            continue  # scipy >= 1.16 deprecates iprint/disp, which sklearn 1.5.2 passes
        msg = f"{label}: {w.category.__name__}: {str(w.message).splitlines()[0]}"
        notes.append(msg)
        print("WARNING " + msg, file=sys.stderr)
    assert list(clf.classes_) == classes
    proba = clf.predict_proba(Xs)
    obj, gmax = objective_and_grad(Xt, yt, classes, clf.coef_, clf.intercept_)
    n_iter = int(np.max(clf.n_iter_))
    pc, pi = newton_polish(Xt, yt, classes, clf.coef_, clf.intercept_)
    pobj, pgmax = objective_and_grad(Xt, yt, classes, pc, pi)
    pclf = LogisticRegression(C=C)
    pclf.classes_, pclf.coef_, pclf.intercept_ = clf.classes_, pc, pi
    pproba = pclf.predict_proba(Xs)
    dcoef = float(np.max(np.abs(pc - clf.coef_)))
    dint = float(np.max(np.abs(pi - clf.intercept_)))
    dproba = float(np.max(np.abs(pproba - proba)))
    print(f"{label}: n_train={len(rows)} n_iter={n_iter} objective={obj!r} "
          f"max|grad|={gmax:.3e}; newton: max|grad|={pgmax:.3e} "
          f"dcoef={dcoef:.2e} dint={dint:.2e} dproba={dproba:.2e}", file=sys.stderr)
    return {
        "coef": clf.coef_.tolist(),
        "intercept": clf.intercept_.tolist(),
        "proba": proba.tolist(),
        "n_iter": n_iter,
        "objective": obj,
        "max_abs_grad": gmax,
        "newton_polished": {
            "coef": pc.tolist(),
            "intercept": pi.tolist(),
            "objective": pobj,
            "max_abs_grad": pgmax,
            "max_abs_coef_diff_vs_sklearn": dcoef,
            "max_abs_intercept_diff_vs_sklearn": dint,
            "max_abs_proba_diff_vs_sklearn": dproba,
        },
    }


def build_logistic():
    notes = []
    out = {
        "generated_by": "scripts/sklearn_reference.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "model": {
            "estimator": (f"LogisticRegression(C={C}, tol={TOL}, max_iter={MAX_ITER})"
                          " solver=lbfgs penalty=l2 fit_intercept=True"),
            "preprocessing": ("StandardScaler() fitted on ALL rows of the dataset "
                              "(mean, population std ddof=0); x_std = (x - mean) / std; "
                              "the model is fitted on the train_rows of x_std"),
            "objective": ("minimise sum_{i in train_rows} -log p(y_i | x_i) "
                          "+ 1/(2C) * ||coef||^2 (Frobenius norm; intercept NOT "
                          "penalised); C = 1.0"),
            "multiclass": ("K > 2 classes: multinomial softmax, coef has K rows "
                           "(one per class, in `classes` order, all penalised), "
                           "intercept has K entries, p(k|x) = softmax(coef @ x + "
                           "intercept)_k"),
            "binary": ("K == 2 classes: sklearn uses a SINGLE coefficient vector: "
                       "coef has 1 row and intercept 1 entry, for the positive "
                       "class classes[1]; p(classes[1]|x) = sigmoid(coef[0] @ x + "
                       "intercept[0]), p(classes[0]|x) = 1 - that. Equivalent "
                       "softmax with rows (-w/2, w/2) has penalty ||w||^2/2, i.e. "
                       "NOT the same problem as a 2-row softmax penalised on both rows"),
            "proba": "predict_proba on ALL rows of x_std, columns in `classes` order",
            "train_rows": "0-based row indices into the CSV body (header excluded)",
            "cases": {
                "all": "every row",
                "subset": "first 2 rows of each class in file order (sorted indices)",
                "subset20": "rows with index % 7 == 0",
            },
            "n_iter/objective/max_abs_grad": ("lbfgs iterations; value of the "
                                              "objective above at the sklearn solution "
                                              "and max |gradient| entry there (unscaled)"),
            "newton_polished": ("sklearn's lbfgs stops on its relative-reduction test "
                                "(ftol = 64*eps), so coef/intercept are only accurate to "
                                "~1e-6 (see max_abs_grad). newton_polished holds the same "
                                "optimum refined by 8 full Newton steps (gradient ~1e-15) "
                                "plus its distance to the sklearn values; use it for tight "
                                "tolerances, the sklearn values with tol ~1e-5"),
            "intercept_gauge": ("for K > 2 the objective is invariant to adding one "
                                "constant to every intercept; sklearn's (and the polished) "
                                "intercepts sum to ~0 - compare after centring"),
        },
        "datasets": {},
    }
    for name in DATASETS:
        header, X, y = load_csv(name)
        classes = [str(c) for c in np.unique(y)]
        scaler = StandardScaler().fit(X)
        assert np.all(scaler.scale_ > 0)
        Xs = scaler.transform(X)
        ds = {
            "csv": f"public/datasets/{name}.csv",
            "n_rows": int(X.shape[0]),
            "n_features": int(X.shape[1]),
            "feature_names": header[:-1],
            "label_column": header[-1],
            "classes": classes,
            "binary_single_coef": len(classes) == 2,
            "mean": scaler.mean_.tolist(),
            "std": scaler.scale_.tolist(),
            "cases": [],
        }
        for case_name, rows in cases_for(y, classes):
            res = fit_case(Xs, y, classes, rows, f"{name}/{case_name}", notes)
            ds["cases"].append({"name": case_name, "train_rows": rows, **res})
        out["datasets"][name] = ds
    out["warnings"] = notes
    return out


from refjson import dumps  # noqa: E402  (scripts/ is on sys.path when run as a script)


def versions():
    return {
        "generated_by": "scripts/sklearn_reference.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
    }


def preprocessed(X):
    """The two feature versions gaussian_nb and knn are checked on."""
    scaler = StandardScaler().fit(X)
    assert np.all(scaler.scale_ > 0)
    return [("standardized", scaler.transform(X)), ("raw", X)]


def dataset_header(name, header, X, classes):
    return {
        "csv": f"public/datasets/{name}.csv",
        "n_rows": int(X.shape[0]),
        "n_features": int(X.shape[1]),
        "label_column": header[-1],
        "classes": classes,
    }


def build_gaussian_nb():
    out = {
        **versions(),
        "model": {
            "estimator": "GaussianNB() (var_smoothing=1e-9)",
            "preprocessing": ("standardized: StandardScaler() fitted on ALL rows (as in "
                              "logistic.json); raw: the CSV values as read"),
            "fit": ("epsilon = var_smoothing * max_j var_j(train X) (population variance); "
                    "per class: theta = mean, var = population variance + epsilon; "
                    "prior = class count / n_train unless priors are given"),
            "proba": ("predict_proba on ALL rows: softmax over classes of log prior_k "
                      "- 0.5 * sum_j log(2 pi var_kj) - 0.5 * sum_j (x_j - theta_kj)^2 / var_kj"),
            "cases": {
                "all": "every row",
                "subset": "first 2 rows of each class in file order (sorted indices)",
                "subset20": "rows with index % 7 == 0",
                "subset20_uniform_priors": "subset20 with priors = 1/K for every class",
            },
            "train_rows": "0-based row indices into the CSV body (header excluded)",
            "theta/var": "per class (rows in `classes` order) per feature, var includes epsilon",
        },
        "datasets": {},
    }
    for name in DATASETS:
        header, X, y = load_csv(name)
        classes = [str(c) for c in np.unique(y)]
        ds = {**dataset_header(name, header, X, classes), "cases": []}
        base = cases_for(y, classes)
        cases = base + [("subset20_uniform_priors", base[2][1])]
        for prep, Xp in preprocessed(X):
            for case_name, rows in cases:
                assert sorted(set(y[rows].tolist())) == classes
                priors = [1.0 / len(classes)] * len(classes) if "priors" in case_name else None
                clf = GaussianNB(priors=priors).fit(Xp[rows], y[rows])
                assert list(clf.classes_) == classes
                proba = clf.predict_proba(Xp)
                print(f"gaussian_nb {name}/{prep}/{case_name}: n_train={len(rows)} "
                      f"epsilon={clf.epsilon_:.3e} min proba={proba.min():.2e}", file=sys.stderr)
                ds["cases"].append({
                    "name": case_name,
                    "preprocessing": prep,
                    "priors": priors,
                    "train_rows": rows,
                    "epsilon": float(clf.epsilon_),
                    "class_prior": clf.class_prior_.tolist(),
                    "theta": clf.theta_.tolist(),
                    "var": clf.var_.tolist(),
                    "predict": [classes.index(str(v)) for v in clf.predict(Xp)],
                    "proba": proba.tolist(),
                })
        out["datasets"][name] = ds
    return out


def exact_sq_distances(Xq, T):
    """(x_j - t_j)^2 summed in feature order: bit-identical to kd_tree and to the Rust code."""
    d2 = np.zeros((Xq.shape[0], T.shape[0]))
    for j in range(Xq.shape[1]):
        d2 += (Xq[:, None, j] - T[None, :, j]) ** 2
    return d2


def lowest_index_rule(d2_row, yt, k, n_classes, weights):
    """The Rust tie rule: sort by (distance, train position), take k, vote."""
    order = np.lexsort((np.arange(len(d2_row)), d2_row))[:k]
    proba = np.zeros(n_classes)
    dist = np.sqrt(d2_row[order])
    if weights == "distance" and np.any(dist == 0.0):
        w = (dist == 0.0).astype(np.float64)
    elif weights == "distance":
        w = 1.0 / dist
    else:
        w = np.ones(k)
    for i, c in zip(order, w):
        proba[yt[i]] += c
    proba /= proba.sum()
    return proba


def build_knn():
    out = {
        **versions(),
        "model": {
            "estimator": ("KNeighborsClassifier(n_neighbors=k, weights=w, algorithm='kd_tree') "
                          "metric = Euclidean; k = min(5, n_train) (sklearn refuses k > n_train)"),
            "preprocessing": ("standardized: StandardScaler() fitted on ALL rows (as in "
                              "logistic.json); raw: the CSV values as read"),
            "weights": ("uniform: each of the k neighbours votes 1; distance: votes 1/dist, "
                        "and when any neighbour is at distance 0 those neighbours vote 1 and "
                        "the others 0"),
            "proba": "vote share per class (columns in `classes` order) for ALL rows",
            "predict": "class index (into `classes`) sklearn's predict gives for ALL rows",
            "algorithm": ("kd_tree: distances from differences (exact in the sense of being "
                          "bit-identical to sum_j (x_j - t_j)^2 in feature order); brute force "
                          "rounds |x|^2 - 2x.t + |t|^2, moving distance-weighted probabilities "
                          "by up to ~4e-6 next to near-duplicates; predictions agree"),
            "tie_rows": ("rows whose k-th and (k+1)-th smallest exact squared distances are "
                         "equal: which tied train row sklearn takes depends on tree order. "
                         "tie_rule_proba / tie_rule_predict give, for those rows, what the Rust "
                         "rule gives (equal distances: lower position in train_rows first; equal "
                         "votes: lowest class index)"),
            "cases": {
                "all": "every row",
                "subset": "first 2 rows of each class in file order (sorted indices)",
                "subset20": "rows with index % 7 == 0",
            },
            "train_rows": "0-based row indices into the CSV body (header excluded)",
        },
        "datasets": {},
    }
    for name in DATASETS:
        header, X, y = load_csv(name)
        classes = [str(c) for c in np.unique(y)]
        yi = np.array([classes.index(str(v)) for v in y])
        ds = {**dataset_header(name, header, X, classes), "cases": []}
        for prep, Xp in preprocessed(X):
            for case_name, rows in cases_for(y, classes):
                T, yt = Xp[rows], yi[rows]
                k = min(5, len(rows))
                d2 = exact_sq_distances(Xp, T)
                srt = np.sort(d2, axis=1)
                if k < len(rows):
                    tie_rows = [int(i) for i in np.flatnonzero(srt[:, k - 1] == srt[:, k])]
                else:
                    tie_rows = []
                for weights in ["uniform", "distance"]:
                    clf = KNeighborsClassifier(n_neighbors=k, weights=weights,
                                               algorithm="kd_tree").fit(T, y[rows])
                    assert list(clf.classes_) == classes
                    proba = clf.predict_proba(Xp)
                    predict = [classes.index(str(v)) for v in clf.predict(Xp)]
                    mine = np.array([lowest_index_rule(d2[i], yt, k, len(classes), weights)
                                     for i in range(len(Xp))])
                    ok = np.ones(len(Xp), bool)
                    ok[tie_rows] = False
                    dev = float(np.max(np.abs(mine[ok] - proba[ok])))
                    assert dev < 1e-12, f"{name}/{prep}/{case_name}/{weights}: {dev}"
                    print(f"knn {name}/{prep}/{case_name}/{weights}: k={k} "
                          f"tie_rows={len(tie_rows)} max|rule - sklearn| off ties={dev:.1e}",
                          file=sys.stderr)
                    ds["cases"].append({
                        "name": case_name,
                        "preprocessing": prep,
                        "weights": weights,
                        "k": k,
                        "train_rows": rows,
                        "predict": predict,
                        "proba": proba.tolist(),
                        "tie_rows": tie_rows,
                        "tie_rule_proba": mine[tie_rows].tolist(),
                        "tie_rule_predict": [int(np.argmax(mine[i])) for i in tie_rows],
                    })
        out["datasets"][name] = ds
    return out


def write(path, out):
    text = dumps(out) + "\n"
    assert json.loads(text) == out
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(path, REPO_ROOT)}", file=sys.stderr)


def main():
    write(OUT_PATH, build_logistic())
    write(NB_OUT_PATH, build_gaussian_nb())
    write(KNN_OUT_PATH, build_knn())


if __name__ == "__main__":
    main()
