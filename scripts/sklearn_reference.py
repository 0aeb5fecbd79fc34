#!/usr/bin/env python3
"""Write scikit-learn reference values for the Rust softmax logistic regression.

Run from the repository root (after scripts/make_datasets.py):

    python3 scripts/sklearn_reference.py

Output: tests/reference/logistic.json (deterministic; byte-identical on re-run).

For each dataset in [iris, wine, breast_cancer]:
  * X / y are read from public/datasets/<name>.csv (label = last column);
  * classes = np.unique(y) (sorted label strings);
  * X is standardised with StandardScaler() fitted on ALL rows
    (mean, population std with ddof=0);
  * cases: "all" (every row), "subset" (first 2 rows of each class in file
    order), "subset20" (rows with index % 7 == 0);
  * model: LogisticRegression(C=1.0, tol=1e-12, max_iter=100000) (lbfgs,
    multinomial for >2 classes, L2 penalty on coef only) fitted on the train
    rows; proba = predict_proba on ALL (standardised) rows.
"""

import os

# Single-threaded BLAS so that floating-point reductions are reproducible.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import csv  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import sklearn  # noqa: E402
from scipy.special import expit, logsumexp  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = os.path.join(REPO_ROOT, "public", "datasets")
OUT_PATH = os.path.join(REPO_ROOT, "tests", "reference", "logistic.json")
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


def build():
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


def _scalar(v):
    if isinstance(v, float):
        assert math.isfinite(v)
    return json.dumps(v)


def dumps(obj, indent=0):
    """JSON with lists of scalars kept on one line (one row per line)."""
    pad, pad1 = " " * indent, " " * (indent + 1)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f"{pad1}{json.dumps(k)}: {dumps(v, indent + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if all(not isinstance(v, (dict, list)) for v in obj):
            return "[" + ", ".join(_scalar(v) for v in obj) + "]"
        items = [pad1 + dumps(v, indent + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return _scalar(obj)


def main():
    out = build()
    text = dumps(out) + "\n"
    assert json.loads(text) == out
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    with open(OUT_PATH, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(OUT_PATH, REPO_ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
