#!/usr/bin/env python3
"""Write the bundled demo datasets as CSV files to public/datasets/.

Run from the repository root:

    python3 scripts/make_datasets.py

The data come from packages of public registries, never from a web page:

  * Iris, Wine, Breast Cancer, Digits: the copies bundled inside the
    scikit-learn wheel (load_iris, load_wine, load_breast_cancer, load_digits);
  * Palmer Penguins: `penguins.csv` inside the PyPI wheel `palmerpenguins`
    (fetched with `pip download`, pinned version and checksum);
  * Fortunes (a text dataset): four category files of Debian's `fortunes`
    package (fetched with `apt-get download`, pinned version and checksums).

Output is deterministic: running the script twice produces byte-identical
files.  Pass --cache DIR to reuse downloaded packages (default: a folder under
the system's temporary directory).

CSV conventions (relied upon by the Rust loader and tests):
  * one header row; no index column; "\\n" line endings;
  * the label column is always the LAST column;
  * rows are in scikit-learn's original order;
  * a feature column whose values are all integers is written as integers
    (e.g. digits pixels, wine magnesium/proline); every other value is written
    with Python's repr(float), i.e. the shortest string that round-trips.
"""

import argparse
import csv
import hashlib
import io
import os
import re
import subprocess
import sys
import tempfile
import zipfile

import numpy as np
import sklearn
from sklearn import datasets as skd

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "public", "datasets")
EXPECTED_SKLEARN = "1.5.2"

PENGUINS_WHEEL = "palmerpenguins==0.1.6"
PENGUINS_MEMBER = "palmerpenguins/data/penguins.csv"
PENGUINS_SHA256 = "f204db2c753b0937caac3cb35258562c14f073e4bbc76be24b4c51ce22767a93"

FORTUNES_DEB = "fortunes=1:1.99.1-7.3"
FORTUNES_VERSION = "1:1.99.1-7.3"
# Category file -> its sha256 inside the .deb; each category is one class.
FORTUNES_FILES = {
    "computers": "a86be224d9f733b88eeaf8a46ea0427e05cc69c69edcf5f6db47ddf561ca37fd",
    "food": "78077a65b9288df71e7b2a8e8258cd3b1005d1282f7c7e57ad53927f374df45d",
    "law": "f04141f94e788b7899e0adb0490d182ce711f8fdbb8252343a5257e717e9279d",
    "science": "7ab350b142ee6c70c1d8517c5a1b3790c09b190a62859427cad98e6e35a19fcc",
}
FORTUNES_PER_CLASS = 80
FORTUNES_MAX_CHARS = 200


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


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def fetch_penguins(cache):
    """penguins.csv from the palmerpenguins wheel, checked against its sha256."""
    folder = os.path.join(cache, "pypi")
    os.makedirs(folder, exist_ok=True)
    wheels = [f for f in os.listdir(folder) if f.endswith(".whl")]
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                        "--only-binary=:all:", "-d", folder, PENGUINS_WHEEL], check=True)
        wheels = [f for f in os.listdir(folder) if f.endswith(".whl")]
    with zipfile.ZipFile(os.path.join(folder, sorted(wheels)[0])) as z:
        data = z.read(PENGUINS_MEMBER)
    assert sha256(data) == PENGUINS_SHA256, "penguins.csv differs from the pinned copy"
    return data


def fetch_fortunes(cache):
    """The category files of Debian's fortunes package, checked against their sha256."""
    folder = os.path.join(cache, "debian")
    os.makedirs(folder, exist_ok=True)
    debs = [f for f in os.listdir(folder) if f.startswith("fortunes_") and f.endswith(".deb")]
    if not debs:
        subprocess.run(["apt-get", "download", FORTUNES_DEB], cwd=folder, check=True)
        debs = [f for f in os.listdir(folder) if f.startswith("fortunes_") and f.endswith(".deb")]
    root = os.path.join(folder, "root")
    subprocess.run(["dpkg-deb", "-x", os.path.join(folder, sorted(debs)[0]), root], check=True)
    out = {}
    for name, digest in FORTUNES_FILES.items():
        with open(os.path.join(root, "usr/share/games/fortunes", name), "rb") as f:
            data = f.read()
        assert sha256(data) == digest, f"fortune file {name} differs from the pinned copy"
        out[name] = data
    with open(os.path.join(root, "usr/share/doc/fortunes/copyright"), "rb") as f:
        copyright_text = f.read().decode("ascii")
    assert "This program falls under the BSD copyright" in copyright_text
    return out


def fortune_rows(files):
    """The first FORTUNES_PER_CLASS short, plain-ASCII fortunes of each category, in file
    order: (text, category). Tabs and leading spaces of a line are dropped; lines are kept."""
    rows = []
    for name in sorted(files):
        kept = 0
        for entry in files[name].split(b"\n%\n"):
            entry = entry.strip()
            if not entry or len(entry) > FORTUNES_MAX_CHARS:
                continue
            if any(b >= 128 or (b < 32 and b not in (9, 10)) for b in entry):
                continue  # non-ASCII, or overstrike/control characters
            lines = [line.strip() for line in entry.decode("ascii").split("\n")]
            text = "\n".join(line for line in lines if line)
            rows.append((text, name))
            kept += 1
            if kept == FORTUNES_PER_CLASS:
                break
        assert kept == FORTUNES_PER_CLASS, (name, kept)
    return rows


def write_fortunes(path, rows):
    with open(path, "w", newline="", encoding="ascii") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(["text", "category"])
        for text, category in rows:
            w.writerow([text, category])


def penguin_counts(data):
    rows = list(csv.reader(io.StringIO(data.decode("ascii"))))
    header, body = rows[0], rows[1:]
    species = [r[header.index("species")] for r in body]
    missing = sum(1 for r in body for v in r if v == "NA")
    return header, species, missing


def extra_md(penguins, fortunes):
    header, species, missing = penguin_counts(penguins)
    p_counts = ", ".join(f"{c}: {species.count(c)}" for c in sorted(set(species)))
    categories = [c for _, c in fortunes]
    f_counts = ", ".join(f"{c}: {categories.count(c)}" for c in sorted(set(categories)))
    return [
        "",
        "## Two more demos from registry packages",
        "",
        "| File | Rows | Columns | Classes |",
        "|---|---:|---:|---|",
        f"| `penguins.csv` | {len(species)} | {len(header)} (label `species`) | "
        f"{len(set(species))} ({p_counts}) |",
        f"| `fortunes.csv` | {len(fortunes)} | 2 (`text` + label `category`) | "
        f"{len(set(categories))} ({f_counts}) |",
        "",
        "## `penguins.csv` - Palmer Penguins",
        "",
        f"- Copied byte-for-byte from the PyPI package `{PENGUINS_WHEEL}` "
        f"(`{PENGUINS_MEMBER}`, sha256 `{PENGUINS_SHA256}`); the package's code is MIT "
        "licensed (Copyright (c) 2020 Muhammad Chenariyan Nakhaee).",
        "- Data: Dr. Kristen Gorman and the Palmer Station Long Term Ecological Research "
        "(LTER) Program; the dataset was first published as the R package palmerpenguins "
        "by Allison Horst, Alison Hill and Kristen Gorman.",
        "- Licence: CC0 (public domain dedication), \"in accordance with the Palmer Station "
        "LTER Data Policy and the LTER Data Access Policy for Type I data\", as the package "
        "states.",
        "- Citation: Gorman KB, Williams TD, Fraser WR (2014) Ecological Sexual Dimorphism "
        "and Environmental Variability within a Community of Antarctic Penguins (Genus "
        "Pygoscelis). PLoS ONE 9(3): e90081. https://doi.org/10.1371/journal.pone.0090081",
        f"- {len(species)} rows; categorical columns `island` and `sex`, numeric "
        f"measurements and `year`; {missing} cells are `NA` (missing), which the importer "
        "fills in and reports.",
        "",
        "## `fortunes.csv` - Fortunes (text)",
        "",
        f"- Taken from Debian's package `fortunes` version {FORTUNES_VERSION} (the data "
        "files of BSD fortune(6), fortune-mod 1.99.1): the category files "
        + ", ".join(f"`/usr/share/games/fortunes/{n}`" for n in sorted(FORTUNES_FILES))
        + "; each category is one class.",
        f"- The first {FORTUNES_PER_CLASS} fortunes of each file (in file order) that are "
        f"at most {FORTUNES_MAX_CHARS} bytes of plain ASCII without control characters; "
        "each line's surrounding whitespace is removed, line breaks are kept.",
        "- Licence, exactly as Debian's copyright file for the package "
        "(`/usr/share/doc/fortunes/copyright`) states it: \"This program falls under the "
        "BSD copyright: Copyright (c) 1991 The Regents of the University of California. "
        "All rights reserved.\" followed by the BSD licence with clauses 1, 2 and 4 (clause "
        "3, the advertising clause, deleted). The file names the original author (Ken "
        "Arnold) and the data file \"cookie\" as Karl Lehenbauer's, and gives no separate "
        "licence for the fortune files; the fortunes are short quotations and jokes by "
        "many authors, attributed in the text where the files attribute them.",
    ]


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
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(),
                                                         "activelab-datasets"))
    args = parser.parse_args()
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

    penguins = fetch_penguins(args.cache)
    path = os.path.join(OUT_DIR, "penguins.csv")
    with open(path, "wb") as f:
        f.write(penguins)
    print(f"{os.path.relpath(path, REPO_ROOT)}: sha256 {sha256(penguins)}")
    fortunes = fortune_rows(fetch_fortunes(args.cache))
    path = os.path.join(OUT_DIR, "fortunes.csv")
    write_fortunes(path, fortunes)
    with open(path, "rb") as f:
        print(f"{os.path.relpath(path, REPO_ROOT)}: {len(fortunes)} rows, sha256 {sha256(f.read())}")

    path = os.path.join(OUT_DIR, "LICENSES.md")
    with open(path, "w", newline="\n", encoding="ascii") as f:
        f.write("\n".join(licenses_md(built) + extra_md(penguins, fortunes)) + "\n")
    print(f"{os.path.relpath(path, REPO_ROOT)} written")


if __name__ == "__main__":
    main()
