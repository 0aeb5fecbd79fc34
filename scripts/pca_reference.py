#!/usr/bin/env python3
"""Write scikit-learn PCA reference values for engine::pca (tests/reference/pca.json).

Run from the repository root:

    python3 -m pip install -r scripts/requirements.txt
    python3 scripts/pca_reference.py

For every bundled demo (public/datasets/*.csv, label in the last column) the features are
standardized with StandardScaler and projected with PCA(n_components=2, svd_solver="full"), as
engine::pca::Pca::fit does. Constant columns are dropped first, as the importer drops them (a
standardized constant column is all zeros, so this changes no number). The file holds the
explained variance and its ratio, the two components (signs as scikit-learn gives them: the
tests compare up to sign) and the coordinates of the first 200 rows. Deterministic: the output
is byte-identical on re-run.
"""

import os

# Single-threaded BLAS so that floating-point reductions are reproducible.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import csv  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from refjson import dumps  # noqa: E402

DATASETS = ["iris", "wine", "breast_cancer", "digits"]
ROWS = 200


def load(name):
    with open(f"public/datasets/{name}.csv", newline="") as f:
        rows = list(csv.reader(f))
    x = np.array([[float(v) for v in r[:-1]] for r in rows[1:]], dtype=np.float64)
    keep = x.max(axis=0) != x.min(axis=0)
    return x[:, keep]


def main():
    out = {
        "generator": "scripts/pca_reference.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "datasets": {},
    }
    for name in DATASETS:
        x = load(name)
        z = StandardScaler().fit_transform(x)
        pca = PCA(n_components=2, svd_solver="full").fit(z)
        y = pca.transform(z)
        out["datasets"][name] = {
            "rows": int(x.shape[0]),
            "features": int(x.shape[1]),
            "explained_variance": [float(v) for v in pca.explained_variance_],
            "explained_variance_ratio": [float(v) for v in pca.explained_variance_ratio_],
            "components": [[float(v) for v in c] for c in pca.components_],
            "coordinates": [[float(v) for v in r] for r in y[:ROWS]],
        }
    with open("tests/reference/pca.json", "w") as f:
        f.write(dumps(out) + "\n")


if __name__ == "__main__":
    main()
