#!/usr/bin/env python3
"""Write scikit-learn reference values for the Rust text vectorizers.

Run from the repository root:

    python3 scripts/text_reference.py

Output: tests/reference/tfidf.json (deterministic; byte-identical on re-run).

A tiny fixed corpus (upper case, punctuation, accents, digits, an empty text and a
text of one-letter words only) is vectorized by scikit-learn 1.5.2 with several
settings; for each case the JSON holds the settings (in the names of the Rust
`TextOptions`), the feature names (TF-IDF only) and the dense matrix
(float64, `repr` precision). The Rust tests in src/engine/data/text.rs compare
to 1e-9.

  * TfidfVectorizer(...): smooth idf, l2 norm, no max_features (scikit-learn
    ranks capped vocabularies by total count with an unstable sort; the Rust
    code ranks by document frequency, so capping is tested by hand instead).
  * HashingVectorizer(n_features=..., alternate_sign=True, norm="l2").
"""

import json
import os
import sys

import numpy as np
import sklearn
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_PATH = os.path.join(REPO_ROOT, "tests", "reference", "tfidf.json")

CORPUS = [
    "The cat sat on the mat.",
    "The dog sat on the log; the dog barked!",
    "Cats and dogs: the best of friends?",
    "A bird, a BIRD, a bird in the hand is worth two in the bush",
    "",
    "Café naïve café  —  résumé 42 x_y 3.14\tend",
    "a b c",
    "the the the the cat",
]

# (name, kind, rust options, scikit-learn keyword arguments)
CASES = [
    ("word_sublinear", "tfidf",
     dict(analyzer="word", ngram_range=[1, 1], lowercase=True, english_stop_words=False, sublinear_tf=True),
     dict(sublinear_tf=True)),
    ("word_plain", "tfidf",
     dict(analyzer="word", ngram_range=[1, 1], lowercase=True, english_stop_words=False, sublinear_tf=False),
     dict()),
    ("word_bigrams_stop_words", "tfidf",
     dict(analyzer="word", ngram_range=[1, 2], lowercase=True, english_stop_words=True, sublinear_tf=True),
     dict(sublinear_tf=True, ngram_range=(1, 2), stop_words="english")),
    ("word_keep_case", "tfidf",
     dict(analyzer="word", ngram_range=[1, 1], lowercase=False, english_stop_words=False, sublinear_tf=True),
     dict(sublinear_tf=True, lowercase=False)),
    ("char_2_3", "tfidf",
     dict(analyzer="char", ngram_range=[2, 3], lowercase=True, english_stop_words=False, sublinear_tf=True),
     dict(analyzer="char", ngram_range=(2, 3), sublinear_tf=True)),
    ("char_wb_1_4", "tfidf",
     dict(analyzer="char_wb", ngram_range=[1, 4], lowercase=True, english_stop_words=False, sublinear_tf=False),
     dict(analyzer="char_wb", ngram_range=(1, 4))),
    ("hashing_word_16", "hashing",
     dict(analyzer="word", ngram_range=[1, 1], lowercase=True, english_stop_words=False, sublinear_tf=False,
          n_features=16),
     dict(n_features=16)),
    ("hashing_char_wb_32", "hashing",
     dict(analyzer="char_wb", ngram_range=[2, 3], lowercase=True, english_stop_words=False, sublinear_tf=False,
          n_features=32),
     dict(analyzer="char_wb", ngram_range=(2, 3), n_features=32)),
]


def main():
    cases = []
    for name, kind, rust, kwargs in CASES:
        if kind == "tfidf":
            vec = TfidfVectorizer(**kwargs)
            matrix = vec.fit_transform(CORPUS).toarray()
            names = [str(t) for t in vec.get_feature_names_out()]
        else:
            vec = HashingVectorizer(**kwargs)
            matrix = vec.transform(CORPUS).toarray()
            names = None
        assert matrix.dtype == np.float64
        cases.append(
            {
                "name": name,
                "kind": kind,
                "options": rust,
                "sklearn": {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()},
                "feature_names": names,
                "matrix": [[float(v) for v in row] for row in matrix],
            }
        )
    out = {
        "generator": "scripts/text_reference.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "python_version": "%d.%d" % sys.version_info[:2],
        "corpus": CORPUS,
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    with open(OUT_PATH, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {OUT_PATH}: {len(cases)} cases")


if __name__ == "__main__":
    main()
