"""Reference values for the race summary's paired test (src/engine/race.rs), from scipy.stats.

Writes tests/reference/race.json:
- "ttest_rel": paired samples (a, b) with scipy.stats.ttest_rel(a, b) -> t statistic, p-value
  (two-sided) and degrees of freedom;
- "t_two_sided": (t, df) -> 2 * scipy.stats.t.sf(|t|, df), the two-sided tail probability.

Run: python3 scripts/race_reference.py   (versions pinned in scripts/requirements.txt)
"""

from pathlib import Path

import numpy as np
from scipy import stats

from refjson import dumps

OUT = Path(__file__).resolve().parent.parent / "tests" / "reference" / "race.json"


def main():
    rng = np.random.default_rng(20261126)
    pairs = [
        # Three seeds, margin clearly better than random on each.
        ([0.91, 0.93, 0.90], [0.85, 0.88, 0.86]),
        # Three seeds, mixed signs.
        ([0.80, 0.84, 0.79], [0.82, 0.81, 0.80]),
        # Two seeds (one degree of freedom).
        ([0.70, 0.75], [0.60, 0.72]),
        # Ten seeds, small effect.
        (list(0.8 + 0.02 * rng.standard_normal(10)), list(0.79 + 0.02 * rng.standard_normal(10))),
        # Fifty seeds, moderate effect.
        (list(0.85 + 0.03 * rng.standard_normal(50)), list(0.83 + 0.03 * rng.standard_normal(50))),
    ]
    cases = []
    for a, b in pairs:
        a = [round(float(v), 6) for v in a]
        b = [round(float(v), 6) for v in b]
        res = stats.ttest_rel(a, b)
        cases.append({"a": a, "b": b, "t": float(res.statistic), "p": float(res.pvalue), "df": len(a) - 1})
    tails = []
    for t in [0.0, 0.1, 0.5, 1.0, 1.96, 2.5, 4.3027, 10.0, 50.0, -3.0]:
        for df in [1, 2, 3, 5, 9, 30, 49, 200]:
            tails.append({"t": t, "df": df, "p": float(2.0 * stats.t.sf(abs(t), df))})
    OUT.write_text(dumps({"scipy": __import__("scipy").__version__, "ttest_rel": cases, "t_two_sided": tails}) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
