#!/usr/bin/env python3
"""Two speed ideas of issue 6, measured before writing any Rust (numbers in README, "Fourth round").

1. Cached pool probabilities, rescoring only what changed: can a bound on how far each pool row's
   logits move between two rounds rule rows out of the top 10 without rescoring them?
   For a row x the logit change is (W' - W) x + (b' - b); after centring over classes (softmax
   ignores a common shift) |dz_k| <= ||dW_k|| ||x|| + |db_k|, and the margin p1 - p2 moves by at
   most that much (softmax is 1/2-Lipschitz per probability in the max norm). A row can be
   skipped when its old margin minus the bound is still above the new 10th-smallest margin.
2. Fewer L-BFGS iterations for the warm fit through a preconditioner: the engine's L-BFGS
   (memory 10, Armijo backtracking from a unit step, tol 1e-7 on the mean gradient's largest
   component) re-implemented here, with the initial inverse Hessian replaced by a preconditioner:
   K-FAC (mean softmax covariance (x) feature covariance), block-diagonal per class, the diagonal,
   and the full Hessian of the previous round (an upper bound on what any preconditioner buys).
3. A longer L-BFGS memory, and the warm fit starting with the previous fit's curvature pairs
   instead of none (README, "Ninth round").

Data: the engine bench's pools (`ACTIVELAB_WRITE_BENCH_DATA=only cargo bench --bench engine`
writes <target>/bench-data/blobs_{n}.csv). Rows 0..500 labeled, the warm start fitted on 0..490.

    python3 scripts/speed_ideas.py [--data-dir target/bench-data]
"""

import argparse
import os

import numpy as np
from sklearn.linear_model import LogisticRegression

K, D, L2 = 10, 50, 1.0


def load(path):
    x = np.loadtxt(path, delimiter=",", skiprows=1, usecols=range(D))
    labels = np.loadtxt(path, delimiter=",", skiprows=1, usecols=[D], dtype=str)
    return x, np.unique(labels, return_inverse=True)[1]


def pool_bound(x, y):
    pool = x[500:]
    norms = np.linalg.norm(pool, axis=1)

    def fit(m):
        return LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(x[:m], y[:m])

    def margin(model):
        p = np.sort(model.predict_proba(pool), axis=1)
        return p[:, -1] - p[:, -2]

    new = fit(500)
    m_new = margin(new)
    tenth = np.sort(m_new)[9]
    for prev in (499, 490, 450):
        old = fit(prev)
        dw, db = new.coef_ - old.coef_, new.intercept_ - old.intercept_
        a = np.linalg.norm(dw - dw.mean(0), axis=1)
        b = np.abs(db - db.mean())
        bound = np.max(a[None, :] * norms[:, None] + b[None, :], axis=1)
        kept = int((margin(old) - bound <= tenth).sum())
        print(f"  previous model on {prev} rows: largest |dW_k| {a.max():.3f}, median logit bound "
              f"{np.median(bound):.2f}, 10th margin {tenth:.2e}: rows to rescore {kept} of {len(pool)}")


def objective(theta, x, y):
    w, b = theta[:K * D].reshape(K, D), theta[K * D:]
    z = x @ w.T + b
    m = z.max(1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(1, keepdims=True)
    rows = np.arange(len(y))
    loss = (m[:, 0] + np.log(s[:, 0]) - z[rows, y]).sum() + 0.5 * L2 * (w * w).sum()
    p = e / s
    p[rows, y] -= 1
    return loss, np.concatenate([(p.T @ x + L2 * w).ravel(), p.sum(0)])


def proba(theta, x):
    w, b = theta[:K * D].reshape(K, D), theta[K * D:]
    z = x @ w.T + b
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def lbfgs(x, y, theta, tol, pre=None, memory=10, pairs=None, with_pairs=False):
    """The engine's L-BFGS; returns (theta, iterations, function evaluations), and its last
    curvature pairs too with `with_pairs`. `pairs` starts it with earlier ones."""
    f, g = objective(theta, x, y)
    pairs, evals = list(pairs or []), 1
    for it in range(1000):
        if np.abs(g).max() <= tol:
            return (theta, it, evals, pairs) if with_pairs else (theta, it, evals)
        q, alphas = g.copy(), []
        for s, yv, rho in reversed(pairs):
            a = rho * s @ q
            q -= a * yv
            alphas.append(a)
        if pre is not None:
            q = pre(q)
        elif pairs:
            q *= pairs[-1][0] @ pairs[-1][1] / (pairs[-1][1] @ pairs[-1][1])
        else:
            q *= 1 / (1 + np.sqrt(g @ g))
        for (s, yv, rho), a in zip(pairs, reversed(alphas)):
            q += (a - rho * yv @ q) * s
        d = -q
        slope = g @ d
        if slope >= 0:
            pairs, d = [], -g
            slope = g @ d
        step = 1.0
        for _ in range(60):
            c = theta + step * d
            v, gc = objective(c, x, y)
            evals += 1
            if np.isfinite(v) and v <= f + 1e-4 * step * slope:
                break
            step *= 0.5
        s, yv = c - theta, gc - g
        if s @ yv > 1e-12 * (yv @ yv):
            if len(pairs) >= memory:
                pairs.pop(0)
            pairs.append((s, yv, 1 / (s @ yv)))
        theta, f, g = c, v, gc
    return (theta, 1000, evals, pairs) if with_pairs else (theta, 1000, evals)


def as_matrix(g):
    return np.hstack([g[:K * D].reshape(K, D), g[K * D:][:, None]])


def as_vector(m):
    return np.concatenate([m[:, :D].ravel(), m[:, D]])


def kfac(theta, x):
    p, n = proba(theta, x), len(x)
    s = np.diag(p.mean(0)) - p.T @ p / n
    xt = np.hstack([x, np.ones((n, 1))])
    la, qa = np.linalg.eigh(s)
    lb, qb = np.linalg.eigh(xt.T @ xt / n)
    den = n * np.outer(la, lb) + L2
    return lambda g: as_vector(qa @ ((qa.T @ as_matrix(g) @ qb) / den) @ qb.T)


def block(theta, x):
    p, n = proba(theta, x), len(x)
    xt = np.hstack([x, np.ones((n, 1))])
    inv = []
    for k in range(K):
        h = (xt * (p[:, k] * (1 - p[:, k]))[:, None]).T @ xt
        h[np.arange(D), np.arange(D)] += L2
        h[D, D] += 1e-3
        inv.append(np.linalg.inv(h))
    return lambda g: as_vector(np.stack([inv[k] @ as_matrix(g)[k] for k in range(K)]))


def diagonal(theta, x):
    p = proba(theta, x)
    a = p * (1 - p)
    dd = np.concatenate([(a.T @ (x * x) + L2).ravel(), a.sum(0) + 1e-3])
    return lambda g: g / dd


def full_hessian(theta, x):
    p, n = proba(theta, x), len(x)
    xt = np.hstack([x, np.ones((n, 1))])
    h = np.zeros((K, D + 1, K, D + 1))
    for k in range(K):
        for l in range(K):
            a = p[:, k] * ((k == l) - p[:, l])
            h[k, :, l, :] = (xt * a[:, None]).T @ xt
    # Our parameter order: all weights (class-major), then the intercepts.
    idx = np.array([k * D + j if j < D else K * D + k for k in range(K) for j in range(D + 1)])
    hr = np.zeros((K * (D + 1),) * 2)
    hr[np.ix_(idx, idx)] = h.reshape(K * (D + 1), -1)
    hr += np.diag(np.r_[np.full(K * D, L2), np.full(K, 1e-6)])
    inv = np.linalg.inv(hr)
    return lambda g: inv @ g


def preconditioners(x, y):
    xl, yl = x[:500], y[:500]
    zero = np.zeros(K * (D + 1))
    prev, it, ev = lbfgs(x[:490], y[:490], zero, 1e-7 * 490)
    print(f"  cold fit on 490 rows: {it} iterations, {ev} evaluations")
    _, it, ev = lbfgs(xl, yl, prev, 1e-7 * 500)
    print(f"  warm fit, no preconditioner (the engine): {it} iterations, {ev} evaluations")
    for name, make in (("K-FAC", kfac), ("block-diagonal per class", block),
                       ("diagonal", diagonal), ("full Hessian of the warm start", full_hessian)):
        _, it, ev = lbfgs(xl, yl, prev, 1e-7 * 500, pre=make(prev, xl))
        print(f"  warm fit, {name}: {it} iterations, {ev} evaluations")
    # A Hessian formed once and reused for several rounds (forming one costs ~130 evaluations'
    # worth of products, so it would have to last): how fast does it go stale?
    for old in (480, 450, 400):
        theta, _, _ = lbfgs(x[:old], y[:old], zero, 1e-7 * old)
        _, it, ev = lbfgs(xl, yl, prev, 1e-7 * 500, pre=full_hessian(theta, x[:old]))
        _, it2, ev2 = lbfgs(xl, yl, prev, 1e-7 * 500, pre=block(theta, x[:old]))
        print(f"  warm fit, preconditioners of the model on {old} rows: full Hessian {it} "
              f"iterations, {ev} evaluations; block-diagonal {it2}, {ev2}")
    for tol in (1e-4, 1e-5, 1e-6):
        _, it, ev = lbfgs(xl, yl, prev, tol * 500)
        print(f"  warm fit at tol {tol:g}: {it} iterations, {ev} evaluations")


def memory_and_pairs(x, y):
    zero = np.zeros(K * (D + 1))
    for memory in (10, 20, 30, 50):
        prev, it0, ev0, pairs = lbfgs(x[:490], y[:490], zero, 1e-7 * 490, memory=memory,
                                      with_pairs=True)
        _, it, ev = lbfgs(x[:500], y[:500], prev, 1e-7 * 500, memory=memory)
        _, it2, ev2 = lbfgs(x[:500], y[:500], prev, 1e-7 * 500, memory=memory, pairs=pairs)
        print(f"  memory {memory}: cold fit on 490 rows {it0} iterations ({ev0} evaluations); "
              f"warm fit {it} ({ev}); warm fit from the cold fit's pairs {it2} ({ev2})")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(root, "target")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data-dir", default=os.path.join(target, "bench-data"))
    args = ap.parse_args()
    x, y = load(os.path.join(args.data_dir, "blobs_10000.csv"))
    print("1. Cached pool probabilities (10k pool):")
    pool_bound(x, y)
    print("2. Preconditioned L-BFGS, warm fit on 500 rows from the model of 490 (tol 1e-7):")
    preconditioners(x, y)
    print("3. L-BFGS memory, and the warm fit starting with the previous fit's pairs (tol 1e-7):")
    memory_and_pairs(x, y)


if __name__ == "__main__":
    main()
