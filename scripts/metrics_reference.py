#!/usr/bin/env python3
"""Write scikit-learn / scipy / modAL reference values for engine::metrics and engine::strategies.

Run from the repository root:

    python3 -m pip install -r scripts/requirements.txt modAL-python==0.4.2.1
    python3 scripts/metrics_reference.py

Outputs (deterministic; byte-identical on re-run):

  * tests/reference/metrics.json    - scikit-learn 1.5.2 metrics (accuracy, balanced accuracy,
    per-class precision/recall/F1/support, macro-F1, confusion matrix, Cohen's kappa, log-loss,
    AULC via sklearn.metrics.auc) and scipy's Wilson score interval, on fixed small examples.
  * tests/reference/strategies.json - modAL 0.4.2.1 query-strategy scores on fixed small inputs:
    classifier_uncertainty / classifier_margin / classifier_entropy on a probability matrix;
    vote_entropy / consensus_entropy / KL_max_disagreement on a 3-member committee;
    information_density (euclidean, cosine); uncertainty_batch_sampling (ranked batch) indices;
    expected_error_reduction with a 3-nearest-neighbour classifier (binary and log loss).

modAL is driven through its own public functions with "lookup" estimators whose predict_proba
returns the fixed matrices, so the values are modAL's arithmetic on exactly these inputs.
"""

import os

# Single-threaded BLAS so that floating-point reductions are reproducible.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import json  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

# modAL 0.4.2.1's expected_error module annotates a parameter with np.float, which numpy >= 1.24
# removed; restore the alias (it was plain `float`) before importing modAL.
if not hasattr(np, "float"):
    np.float = float

import scipy  # noqa: E402
import sklearn  # noqa: E402
from scipy.stats import binomtest, norm  # noqa: E402
from sklearn.base import BaseEstimator, ClassifierMixin  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    accuracy_score,
    auc,
    balanced_accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    log_loss,
    precision_recall_fscore_support,
)
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # modAL 0.4.2.1 has `is` comparisons with literals
    import modAL  # noqa: E402
    from modAL.batch import uncertainty_batch_sampling  # noqa: E402
    from modAL.density import information_density  # noqa: E402
    from modAL.disagreement import (  # noqa: E402
        KL_max_disagreement,
        consensus_entropy,
        vote_entropy,
    )
    from modAL.expected_error import expected_error_reduction  # noqa: E402
    from modAL.models import ActiveLearner, Committee  # noqa: E402
    from modAL.uncertainty import (  # noqa: E402
        classifier_entropy,
        classifier_margin,
        classifier_uncertainty,
    )

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "tests", "reference")


def versions():
    from importlib.metadata import version

    return {
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "modal_version": version("modAL-python"),
    }


def quiet(fn, *args, **kwargs):
    """Call fn, returning (result, [first lines of warnings])."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args, **kwargs)
    msgs = sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught})
    return out, msgs


# ----------------------------------------------------------------------------------- metrics ---


def metrics_reference():
    # Classes 0..4: class 3 is only predicted (recall 0/0), class 4 is only true (precision 0/0).
    y_true = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 4, 4, 0, 1, 2, 0, 1, 4]
    y_pred = [0, 0, 1, 0, 1, 1, 2, 2, 2, 3, 2, 0, 0, 1, 0, 1, 2, 3, 1, 2]
    labels = sorted(set(y_true) | set(y_pred))
    (p, r, f, s), prf_warn = quiet(precision_recall_fscore_support, y_true, y_pred, average=None)
    bal, bal_warn = quiet(balanced_accuracy_score, y_true, y_pred)
    macro, macro_warn = quiet(f1_score, y_true, y_pred, average="macro")
    classification = {
        "truth": y_true,
        "predicted": y_pred,
        "n_classes": 5,
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(bal),
        "balanced_accuracy_warnings": bal_warn,
        "macro_f1": float(macro),
        "macro_f1_warnings": macro_warn,
        "per_class": {
            "labels": labels,
            "precision": p.tolist(),
            "recall": r.tolist(),
            "f1": f.tolist(),
            "support": [int(v) for v in s],
            "warnings": prf_warn,
        },
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=list(range(5))).tolist(),
        "cohen_kappa": float(cohen_kappa_score(y_true, y_pred)),
    }

    kappa_pairs = [
        ([0, 1, 1, 2, 2, 2, 0, 1], [0, 1, 2, 2, 2, 1, 0, 1]),
        ([1, 1, 1, 0, 0, 1, 1, 1, 0, 1], [1, 1, 1, 0, 1, 1, 1, 1, 0, 1]),
        ([0, 0, 1, 1], [1, 1, 0, 0]),
    ]
    kappa = [
        {"a": a, "b": b, "kappa": float(cohen_kappa_score(a, b))} for a, b in kappa_pairs
    ]

    # Log-loss: exact 0 and 1 entries (clipping), one row not summing to 1 (1.5 does not
    # renormalise; it only warns), a confident miss.
    proba3 = [
        [0.7, 0.2, 0.1],
        [0.1, 0.8, 0.1],
        [0.0, 0.0, 1.0],
        [1.0, 0.0, 0.0],
        [0.2, 0.3, 0.5],
        [0.25, 0.25, 0.25],
        [0.6, 0.4, 0.0],
        [0.05, 0.9, 0.05],
    ]
    truth3 = [0, 1, 2, 1, 2, 0, 2, 1]
    ll3, ll3_warn = quiet(log_loss, truth3, proba3, labels=[0, 1, 2])
    proba2 = [[0.9, 0.1], [0.3, 0.7], [0.5, 0.5], [1.0, 0.0], [0.01, 0.99]]
    truth2 = [0, 1, 0, 0, 1]
    ll2, ll2_warn = quiet(log_loss, truth2, proba2, labels=[0, 1])
    logloss = [
        {"truth": truth3, "proba": proba3, "log_loss": ll3, "warnings": ll3_warn},
        {"truth": truth2, "proba": proba2, "log_loss": ll2, "warnings": ll2_warn},
    ]

    curves = []
    for counts, acc in [
        ([2, 3, 4, 6, 10, 20], [0.41, 0.55, 0.62, 0.7, 0.81, 0.9]),
        ([3, 4, 5, 6, 7], [0.5, 0.52, 0.61, 0.6, 0.66]),
    ]:
        x, y = np.array(counts, dtype=float), np.array(acc)
        curves.append(
            {
                "label_counts": counts,
                "accuracies": acc,
                "mean": float(np.mean(y)),
                "trapezoid_normalised": float(auc(x, y) / (x[-1] - x[0])),
            }
        )

    wilson = []
    for level in (0.95, 0.9):
        z = float(norm.ppf(1 - (1 - level) / 2))
        for k, n in [(8, 10), (0, 10), (10, 10), (37, 50), (1, 3), (123, 200)]:
            ci = binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
            wilson.append(
                {"successes": k, "n": n, "confidence_level": level, "z": z,
                 "low": float(ci.low), "high": float(ci.high)}
            )

    return {
        "generated_by": "scripts/metrics_reference.py",
        **versions(),
        "notes": {
            "zero_division": ("sklearn default zero_division='warn': 0 plus a warning; the "
                              "recorded warnings show which values were 0/0"),
            "log_loss": ("sklearn 1.5.2 log_loss(truth, proba, labels=range(K)): eps = float64 "
                         "machine epsilon, proba clipped to [eps, 1-eps], rows NOT renormalised "
                         "(only a warning), mean over rows"),
            "aulc": ("mean = np.mean(accuracies); trapezoid_normalised = "
                     "sklearn.metrics.auc(label_counts, accuracies) / (last - first count)"),
            "wilson": ("scipy.stats.binomtest(k, n).proportion_ci(confidence_level, "
                       "method='wilson'); z = norm.ppf(1 - (1 - level) / 2)"),
        },
        "classification": classification,
        "kappa": kappa,
        "log_loss": logloss,
        "aulc": curves,
        "wilson": wilson,
    }


# -------------------------------------------------------------------------------- strategies ---


class Lookup(BaseEstimator, ClassifierMixin):
    """A 'classifier' whose predict_proba returns fixed rows, looked up by the feature row."""

    def __init__(self, table=None, n_classes=3):
        self.table = table
        self.n_classes = n_classes

    def fit(self, X, y):
        self.classes_ = np.arange(self.n_classes)
        return self

    def predict_proba(self, X):
        return np.array([self.table[tuple(np.asarray(row, dtype=float).tolist())] for row in X])

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def lookup_learner(X, P, X_train=None, y_train=None):
    X = np.asarray(X, dtype=float)
    table = {tuple(row.tolist()): np.asarray(p, dtype=float) for row, p in zip(X, P)}
    if X_train is None:
        X_train, y_train = X[:1], np.array([0])
    return ActiveLearner(estimator=Lookup(table, len(P[0])), X_training=np.asarray(X_train, float),
                         y_training=np.asarray(y_train))


def strategies_reference():
    # One model's probabilities (rows sum to 1; zeros and ties included).
    P = [
        [0.9, 0.05, 0.05],
        [0.35, 0.4, 0.25],
        [0.5, 0.0, 0.5],
        [0.1, 0.3, 0.6],
        [1.0, 0.0, 0.0],
        [1 / 3, 1 / 3, 1 / 3],
        [0.45, 0.45, 0.1],
        [0.2, 0.7, 0.1],
    ]
    idx = np.arange(len(P), dtype=float).reshape(-1, 1)
    learner = lookup_learner(idx, P)
    uncertainty = {
        "proba": P,
        "classifier_uncertainty": classifier_uncertainty(learner, idx).tolist(),
        "classifier_margin": classifier_margin(learner, idx).tolist(),
        "classifier_entropy": classifier_entropy(learner, idx).tolist(),
    }

    members = [
        [[0.8, 0.1, 0.1], [0.2, 0.5, 0.3], [0.4, 0.4, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4],
         [1.0, 0.0, 0.0]],
        [[0.6, 0.3, 0.1], [0.1, 0.2, 0.7], [0.1, 0.1, 0.8], [0.2, 0.2, 0.6], [0.5, 0.25, 0.25],
         [0.0, 1.0, 0.0]],
        [[0.7, 0.2, 0.1], [0.3, 0.3, 0.4], [0.2, 0.5, 0.3], [0.05, 0.15, 0.8], [0.2, 0.6, 0.2],
         [0.5, 0.5, 0.0]],
    ]
    cidx = np.arange(len(members[0]), dtype=float).reshape(-1, 1)
    committee = Committee(learner_list=[lookup_learner(cidx, m) for m in members])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # log(0) inside scipy.stats.entropy for qk = 0 entries
        qbc = {
            "members": members,
            "vote_entropy": vote_entropy(committee, cidx).tolist(),
            "consensus_entropy": consensus_entropy(committee, cidx).tolist(),
            "KL_max_disagreement": KL_max_disagreement(committee, cidx).tolist(),
        }

    X = [[0.0, 0.0], [1.0, 0.5], [2.0, 2.0], [-1.0, 0.5], [0.3, -0.7], [3.0, 1.0], [0.0, 2.5],
         [1.5, -1.0]]
    density = {
        "features": X,
        "euclidean": information_density(np.array(X), "euclidean").tolist(),
        "cosine": information_density(np.array([[1.0, 0.2], [0.5, 0.5], [-1.0, 0.3],
                                                [0.0, 2.0], [2.0, -1.0], [0.7, 0.7]]),
                                      "cosine").tolist(),
        "cosine_features": [[1.0, 0.2], [0.5, 0.5], [-1.0, 0.3], [0.0, 2.0], [2.0, -1.0],
                            [0.7, 0.7]],
    }

    # Ranked batch (Cardoso et al. 2017) through modAL's uncertainty_batch_sampling.
    pool = [[0.0, 0.1], [0.2, 0.9], [1.1, 1.0], [2.0, 0.3], [2.2, 2.1], [-0.5, 1.7], [0.9, -0.4],
            [1.6, 1.4], [-1.2, -0.8], [0.4, 0.5]]
    pool_p = [[0.6, 0.3, 0.1], [0.4, 0.35, 0.25], [0.5, 0.45, 0.05], [0.9, 0.05, 0.05],
              [0.34, 0.33, 0.33], [0.7, 0.2, 0.1], [0.55, 0.25, 0.2], [0.38, 0.31, 0.31],
              [0.8, 0.1, 0.1], [0.45, 0.44, 0.11]]
    labeled = [[0.1, 0.0], [2.1, 2.0], [-0.4, 1.5]]
    rb_learner = lookup_learner(pool, pool_p, X_train=labeled, y_train=[0, 1, 2])
    rb_idx, rb_unc = uncertainty_batch_sampling(rb_learner, np.array(pool), n_instances=6)
    ranked = {
        "pool": pool,
        "proba": pool_p,
        "labeled": labeled,
        "n_instances": 6,
        "indices": [int(i) for i in rb_idx],
        "uncertainty_of_picks": rb_unc.tolist(),
    }

    # Expected error reduction with a 3-NN classifier on 1-D data (no distance ties).
    rng = np.random.RandomState(7)
    x_train = np.round(rng.uniform(0, 10, size=6), 6)
    y_train = np.array([0, 1, 2, 0, 1, 2])
    x_pool = np.round(rng.uniform(0, 10, size=7), 6)
    eer = {"model": "KNeighborsClassifier(n_neighbors=3) (uniform weights, euclidean)",
           "x_train": x_train.tolist(), "y_train": y_train.tolist(), "x_pool": x_pool.tolist()}
    for loss in ("binary", "log"):
        knn = ActiveLearner(estimator=KNeighborsClassifier(n_neighbors=3),
                            X_training=x_train.reshape(-1, 1), y_training=y_train)
        eer["current_proba"] = knn.predict_proba(x_pool.reshape(-1, 1)).tolist()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            idx_, vals = expected_error_reduction(knn, x_pool.reshape(-1, 1), loss=loss,
                                                  p_subsample=1.0, n_instances=len(x_pool))
        full = np.zeros(len(x_pool))
        full[idx_] = vals
        eer[f"expected_error_{loss}"] = full.tolist()

    return {
        "generated_by": "scripts/metrics_reference.py",
        **versions(),
        "notes": {
            "uncertainty": ("classifier_uncertainty = 1 - max p; classifier_margin = p(1) - p(2) "
                            "(activelab's margin score is 1 - that); classifier_entropy = scipy "
                            "entropy, natural log"),
            "committee": ("Committee of 3 lookup learners; members[c][i] = member c's "
                          "probabilities for row i"),
            "density": ("information_density(X, metric): mean over all rows j (itself "
                        "included) of 1 / (1 + pairwise_distances(X)[i, j])"),
            "ranked_batch": ("uncertainty_batch_sampling(learner, pool, n_instances) with "
                             "learner.X_training = labeled, uncertainty = 1 - max proba; "
                             "indices in pick order"),
            "eer": ("expected_error_reduction(learner, x_pool, loss, p_subsample=1): for "
                    "candidate i, sum over classes y of current_proba[i, y] * SUM over "
                    "x_pool without row i of loss(3-NN refitted on train + (x_i, y)); "
                    "binary loss = 1 - max p, log loss = entropy. activelab's score is "
                    "-(that sum) / (len(x_pool) - 1)"),
        },
        "uncertainty": uncertainty,
        "committee": qbc,
        "density": density,
        "ranked_batch": ranked,
        "eer": eer,
    }


# ------------------------------------------------------------------------------------ output ---


from refjson import dumps  # noqa: E402  (scripts/ is on sys.path when run as a script)


def write(name, obj):
    text = dumps(obj) + "\n"
    assert json.loads(text) == obj
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(path, REPO_ROOT)}", file=sys.stderr)


def main():
    write("metrics.json", metrics_reference())
    write("strategies.json", strategies_reference())


if __name__ == "__main__":
    main()
