#!/usr/bin/env python3
"""Write the bundled demo datasets as CSV files to public/datasets/.

Run from the repository root:

    python3 scripts/make_datasets.py

The data come from the copies bundled inside the scikit-learn wheel
(load_iris, load_wine, load_breast_cancer, load_digits); nothing is
downloaded.  Output is deterministic: running the script twice produces
byte-identical files.

CSV conventions (relied upon by the Rust loader and tests):
  * one header row; no index column; "\\n" line endings;
  * the label column is always the LAST column;
  * rows are in scikit-learn's original order;
  * a feature column whose values are all integers is written as integers
    (e.g. digits pixels, wine magnesium/proline); every other value is written
    with Python's repr(float), i.e. the shortest string that round-trips.
"""

import csv
import hashlib
import os
import re
import sys

import numpy as np
import sklearn
from sklearn import datasets as skd

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "public", "datasets")
EXPECTED_SKLEARN = "1.5.2"


def snake(name):
    """'od280/od315_of_diluted_wines' -> 'od280_od315_of_diluted_wines',
    'mean radius' -> 'mean_radius', 'sepal length (cm)' -> 'sepal_length'."""
    name = re.sub(r"\(cm\)", "", str(name))
    name = re.sub(r"[^0-9A-Za-z]+", "_", name.strip().lower())
    name = name.strip("_")
    assert name and name.isascii(), name
    return name


def column_formatter(col):
    col = np.asarray(col, dtype=np.float64)
    assert np.all(np.isfinite(col)), "non-finite value"
    if np.all(col == np.round(col)):
        return lambda v: str(int(v))
    # repr of a Python float: shortest round-trip representation.
    return lambda v: repr(float(v))


def write_csv(path, header, X, labels):
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    assert len(header) == d + 1 and len(labels) == n
    assert len(set(header)) == len(header), "duplicate column names"
    fmts = [column_formatter(X[:, j]) for j in range(d)]
    with open(path, "w", newline="", encoding="ascii") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        for i in range(n):
            w.writerow([fmts[j](X[i, j]) for j in range(d)] + [str(labels[i])])


def build():
    out = {}

    iris = skd.load_iris()
    out["iris"] = (
        [snake(c) for c in iris.feature_names] + ["species"],
        iris.data,
        [str(iris.target_names[t]) for t in iris.target],
    )
    assert out["iris"][0][:4] == [
        "sepal_length", "sepal_width", "petal_length", "petal_width"]

    wine = skd.load_wine()
    out["wine"] = (
        [snake(c) for c in wine.feature_names] + ["class"],
        wine.data,
        [str(wine.target_names[t]) for t in wine.target],
    )

    bc = skd.load_breast_cancer()
    out["breast_cancer"] = (
        [snake(c) for c in bc.feature_names] + ["diagnosis"],
        bc.data,
        [str(bc.target_names[t]) for t in bc.target],
    )

    digits = skd.load_digits()
    header = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)] + ["digit"]
    assert header[:-1] == list(digits.feature_names)
    assert np.all(digits.data == np.round(digits.data))
    assert digits.data.min() >= 0 and digits.data.max() <= 16
    out["digits"] = (header, digits.data, [str(int(t)) for t in digits.target])
    return out


SOURCES = {
    "iris": {
        "title": "Iris",
        "uci": "Iris - https://archive.ics.uci.edu/dataset/53/iris (DOI 10.24432/C56C76)",
        "people": "Creator: R. A. Fisher. Donor: Michael Marshall (1988).",
        "citation": ('Fisher, R. A. (1936). "The use of multiple measurements in taxonomic '
                     'problems". Annals of Eugenics, 7(2), 179-188.'),
        "bundled": "`sklearn/datasets/data/iris.csv`, via `load_iris()`",
        "note": ("scikit-learn's copy follows Fisher's paper (as R does); the UCI "
                 "`iris.data` file differs in two data points."),
    },
    "wine": {
        "title": "Wine",
        "uci": "Wine - https://archive.ics.uci.edu/dataset/109/wine (DOI 10.24432/C5PC7J)",
        "people": ("Creators: M. Forina et al. (original owners); donor: Stefan "
                   "Aeberhard (1991)."),
        "citation": ("Forina, M. et al. PARVUS - An Extendible Package for Data "
                     "Exploration, Classification and Correlation. Institute of "
                     "Pharmaceutical and Food Analysis and Technologies, Genoa, Italy. "
                     "UCI entry: Aeberhard, S. & Forina, M. (1991). Wine [Dataset]. "
                     "UCI Machine Learning Repository."),
        "bundled": "`sklearn/datasets/data/wine_data.csv`, via `load_wine()`",
        "note": ("Class labels class_0/class_1/class_2 are scikit-learn's names for "
                 "UCI cultivars 1/2/3. (scikit-learn's DESCR wrongly lists R.A. Fisher "
                 "as creator; that is a copy-paste error in its docs.)"),
    },
    "breast_cancer": {
        "title": "Breast Cancer Wisconsin (Diagnostic)",
        "uci": ("Breast Cancer Wisconsin (Diagnostic) - "
                "https://archive.ics.uci.edu/dataset/17/breast+cancer+wisconsin+diagnostic "
                "(DOI 10.24432/C5DW2B)"),
        "people": ("Creators: Dr. William H. Wolberg, W. Nick Street, Olvi L. "
                   "Mangasarian (University of Wisconsin). Donor: Nick Street (1995)."),
        "citation": ("W. N. Street, W. H. Wolberg and O. L. Mangasarian (1993). Nuclear "
                     "feature extraction for breast tumor diagnosis. IS&T/SPIE 1993 "
                     "International Symposium on Electronic Imaging: Science and "
                     "Technology, vol. 1905, pp. 861-870, San Jose, CA."),
        "bundled": "`sklearn/datasets/data/breast_cancer.csv`, via `load_breast_cancer()`",
        "note": ("The patient ID column of the UCI file is not included. Column names "
                 "are scikit-learn's feature names in snake_case (`mean_*`, `*_error` "
                 "= standard error, `worst_*`)."),
    },
    "digits": {
        "title": "Optical Recognition of Handwritten Digits",
        "uci": ("Optical Recognition of Handwritten Digits - "
                "https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits "
                "(DOI 10.24432/C50P49)"),
        "people": "Creators and donors: E. Alpaydin, C. Kaynak (Bogazici University), 1998.",
        "citation": ("Alpaydin, E. & Kaynak, C. (1998). Optical Recognition of "
                     "Handwritten Digits [Dataset]. UCI Machine Learning Repository. "
                     "See also C. Kaynak (1995), Methods of Combining Multiple "
                     "Classifiers and Their Applications to Handwritten Digit "
                     "Recognition, MSc thesis, Bogazici University; E. Alpaydin, "
                     "C. Kaynak (1998), Cascading Classifiers, Kybernetika."),
        "bundled": "`sklearn/datasets/data/digits.csv.gz`, via `load_digits()`",
        "note": ("scikit-learn ships only the UCI *test* partition (`optdigits.tes`, "
                 "1797 of 5620 instances). Each row is an 8x8 image of block counts "
                 "0..16; `pixel_r_c` is row r, column c."),
    },
}


def licenses_md(built):
    out = [
        "# Dataset sources and licences",
        "",
        "<!-- Generated by scripts/make_datasets.py - do not edit by hand. -->",
        "",
        "The CSV files in this directory are copies of four classic datasets from the",
        "[UCI Machine Learning Repository](https://archive.ics.uci.edu/). The UCI",
        "repository licenses these datasets under the",
        "[Creative Commons Attribution 4.0 International (CC BY 4.0)](https://creativecommons.org/licenses/by/4.0/)",
        "licence; redistribution requires the attribution given below.",
        "",
        f"The copies were taken from the files bundled inside scikit-learn {EXPECTED_SKLEARN}",
        "(`sklearn/datasets/data/`, no network download); scikit-learn itself is",
        "BSD-3-Clause licensed. They were converted to CSV (header row, label in the",
        "last column, rows in scikit-learn's order, no other changes to the values) and",
        "can be regenerated byte-for-byte with:",
        "",
        "    python3 -m pip install -r scripts/requirements.txt",
        "    python3 scripts/make_datasets.py",
        "",
        "| File | Rows | Columns (features + label) | Classes |",
        "|---|---:|---:|---|",
    ]
    for name, (header, X, labels) in built.items():
        counts = ", ".join(f"{c}: {labels.count(c)}" for c in sorted(set(labels)))
        out.append(f"| `{name}.csv` | {len(labels)} | {len(header)} "
                   f"({len(header) - 1} + `{header[-1]}`) | {len(set(labels))} ({counts}) |")
    for name, (header, X, labels) in built.items():
        src = SOURCES[name]
        out += [
            "",
            f"## `{name}.csv` - {src['title']}",
            "",
            f"- UCI page: {src['uci']}",
            f"- {src['people']}",
            f"- Citation: {src['citation']}",
            "- Licence: CC BY 4.0 (as stated by the UCI Machine Learning Repository).",
            f"- Copied from scikit-learn {EXPECTED_SKLEARN}: {src['bundled']}.",
            f"- {len(labels)} rows, {len(header) - 1} numeric features, label column "
            f"`{header[-1]}` with {len(set(labels))} classes.",
            f"- {src['note']}",
        ]
    return "\n".join(out) + "\n"


def main():
    if sklearn.__version__ != EXPECTED_SKLEARN:
        print(f"warning: scikit-learn {sklearn.__version__} != {EXPECTED_SKLEARN}; "
              "the bundled copies may differ", file=sys.stderr)
    os.makedirs(OUT_DIR, exist_ok=True)
    built = build()
    for name, (header, X, labels) in built.items():
        path = os.path.join(OUT_DIR, f"{name}.csv")
        write_csv(path, header, X, labels)
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        counts = {c: labels.count(c) for c in sorted(set(labels))}
        print(f"{os.path.relpath(path, REPO_ROOT)}: {len(labels)} rows x "
              f"{len(header)} cols, classes {counts}, sha256 {digest}")

    path = os.path.join(OUT_DIR, "LICENSES.md")
    with open(path, "w", newline="\n", encoding="ascii") as f:
        f.write(licenses_md(built))
    print(f"{os.path.relpath(path, REPO_ROOT)} written")


if __name__ == "__main__":
    main()
