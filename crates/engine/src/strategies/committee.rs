//! Query-by-committee (Seung, Opper & Sompolinsky 1992; Settles 2009, §3.2): ask where the
//! members of a committee disagree.
//!
//! Every function takes the members' class probabilities on the same candidate rows, one `n × K`
//! matrix per member (same shape for all), and returns one score per row (higher = more
//! disagreement = ask first). Rows are used as given (not renormalised).

use ndarray::{Array2, ArrayView1};

use super::uncertainty::entropy;
use super::StrategyError;

/// Check that the committee is non-empty and that every member has member 0's shape; returns
/// `(rows, classes)`.
fn check(members: &[Array2<f64>]) -> Result<(usize, usize), StrategyError> {
    let first = members.first().ok_or(StrategyError::EmptyCommittee)?;
    let (rows, cols) = first.dim();
    for (member, m) in members.iter().enumerate() {
        if m.dim() != (rows, cols) {
            return Err(StrategyError::CommitteeShape {
                member,
                rows: m.nrows(),
                cols: m.ncols(),
                expected_rows: rows,
                expected_cols: cols,
            });
        }
    }
    Ok((rows, cols))
}

/// The consensus probabilities: the element-wise mean of the members' matrices,
/// `P_C(k | x) = (1/C) Σ_c P_c(k | x)` (modAL's `Committee.predict_proba`).
///
/// ```
/// use ndarray::array;
/// let c = engine::strategies::committee::consensus(&[array![[1.0, 0.0]], array![[0.5, 0.5]]]).unwrap();
/// assert_eq!(c, array![[0.75, 0.25]]);
/// ```
pub fn consensus(members: &[Array2<f64>]) -> Result<Array2<f64>, StrategyError> {
    let (rows, cols) = check(members)?;
    let mut sum = Array2::<f64>::zeros((rows, cols));
    for m in members {
        sum += m;
    }
    Ok(sum / members.len() as f64)
}

/// Index of the largest entry (lowest index on ties, NaN never wins), like numpy's `argmax` and a
/// scikit-learn classifier's `predict`. `None` for an empty row.
fn argmax(row: ArrayView1<f64>) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, &v) in row.iter().enumerate() {
        match best {
            None => best = Some((i, v)),
            Some((_, b)) if v > b || (b.is_nan() && !v.is_nan()) => best = Some((i, v)),
            _ => {}
        }
    }
    best.map(|(i, _)| i)
}

/// Vote entropy (Dagan & Engelson 1995; Settles 2009, eq. 3.3):
/// `score = −Σ_k (V_k / C) ln(V_k / C)`, where `V_k` is the number of the `C` members whose most
/// probable class (argmax, lowest index on ties) is `k`. Same values as modAL's `vote_entropy`.
/// Rows where every member votes the same class score 0.
///
/// ```
/// use ndarray::array;
/// use engine::strategies::committee::vote_entropy_scores;
/// let a = array![[0.9, 0.1], [0.6, 0.4]];
/// let b = array![[0.8, 0.2], [0.3, 0.7]];
/// let s = vote_entropy_scores(&[a, b]).unwrap();
/// assert_eq!(s[0], 0.0);
/// assert!((s[1] - std::f64::consts::LN_2).abs() < 1e-12);
/// ```
pub fn vote_entropy_scores(members: &[Array2<f64>]) -> Result<Vec<f64>, StrategyError> {
    let (rows, cols) = check(members)?;
    let c = members.len() as f64;
    let mut votes = vec![0usize; cols];
    Ok((0..rows)
        .map(|i| {
            votes.iter_mut().for_each(|v| *v = 0);
            for m in members {
                if let Some(k) = argmax(m.row(i)) {
                    votes[k] += 1;
                }
            }
            entropy(votes.iter().map(|&v| v as f64 / c))
        })
        .collect())
}

/// Consensus entropy (Settles 2009, §3.2, "soft vote entropy"): the entropy of the consensus
/// probabilities, `score = −Σ_k P_C(k|x) ln P_C(k|x)` with `P_C` from [`consensus`] and
/// `0 · ln 0 = 0`. Same values as modAL's `consensus_entropy` for rows that sum to 1.
///
/// ```
/// use ndarray::array;
/// use engine::strategies::committee::consensus_entropy_scores;
/// let s = consensus_entropy_scores(&[array![[1.0, 0.0]], array![[0.0, 1.0]]]).unwrap();
/// assert!((s[0] - std::f64::consts::LN_2).abs() < 1e-12);
/// ```
pub fn consensus_entropy_scores(members: &[Array2<f64>]) -> Result<Vec<f64>, StrategyError> {
    let mean = consensus(members)?;
    Ok(mean
        .rows()
        .into_iter()
        .map(|row| entropy(row.iter().copied()))
        .collect())
}

/// Maximum KL disagreement (McCallum & Nigam 1998; Settles 2009, eq. 3.4 uses the mean, modAL's
/// `KL_max_disagreement` the max): `score = max_c KL(P_c ‖ P_C) = max_c Σ_k P_c(k) ln(P_c(k) / P_C(k))`
/// with `P_C` from [`consensus`], `0 · ln(0/q) = 0` and `p · ln(p/0) = +∞` (which cannot occur
/// for non-negative rows, since the consensus is the members' mean). Same values as modAL for rows
/// that sum to 1 (scipy renormalises both distributions; this function does not).
///
/// ```
/// use ndarray::array;
/// use engine::strategies::committee::max_kl_disagreement_scores;
/// // Members agree on row 0 (score 0); on row 1 each is ln 2 away from the mean (½, ½).
/// let a = array![[0.7, 0.3], [1.0, 0.0]];
/// let b = array![[0.7, 0.3], [0.0, 1.0]];
/// let s = max_kl_disagreement_scores(&[a, b]).unwrap();
/// assert!(s[0].abs() < 1e-12);
/// assert!((s[1] - std::f64::consts::LN_2).abs() < 1e-12);
/// ```
pub fn max_kl_disagreement_scores(members: &[Array2<f64>]) -> Result<Vec<f64>, StrategyError> {
    let mean = consensus(members)?;
    Ok(mean
        .rows()
        .into_iter()
        .enumerate()
        .map(|(i, q)| {
            members
                .iter()
                .map(|m| kl(m.row(i), q))
                .fold(f64::NEG_INFINITY, |best, d| {
                    if d.is_nan() || best.is_nan() {
                        f64::NAN
                    } else {
                        best.max(d)
                    }
                })
        })
        .collect())
}

/// `KL(p ‖ q) = Σ p ln(p/q)` with `0 · ln(0/q) = 0` (scipy's `rel_entr` conventions).
fn kl(p: ArrayView1<f64>, q: ArrayView1<f64>) -> f64 {
    p.iter()
        .zip(q.iter())
        .map(|(&p, &q)| {
            if p == 0.0 {
                0.0
            } else if q == 0.0 && p > 0.0 {
                f64::INFINITY
            } else {
                p * (p / q).ln()
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn committee() -> Vec<Array2<f64>> {
        vec![
            array![[0.8, 0.1, 0.1], [0.2, 0.5, 0.3], [0.4, 0.4, 0.2]],
            array![[0.6, 0.3, 0.1], [0.1, 0.2, 0.7], [0.1, 0.1, 0.8]],
            array![[0.7, 0.2, 0.1], [0.3, 0.3, 0.4], [0.2, 0.5, 0.3]],
        ]
    }

    /// Hand-computed: row 0 all vote class 0 → 0. Row 1 votes (1, 2, 2) → −⅓ln⅓ − ⅔ln⅔ =
    /// 0.636514168294813. Row 2 votes (0 [tie 0.4/0.4 → lowest index], 2, 1) → ln 3.
    #[test]
    fn vote_entropy_by_hand() {
        let s = vote_entropy_scores(&committee()).unwrap();
        let want = [0.0, 0.636_514_168_294_813, 3.0_f64.ln()];
        for (a, b) in s.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{s:?}");
        }
    }

    /// Hand-computed: row 0 consensus (0.7, 0.2, 0.1) → entropy 0.801818552543337;
    /// KL of member 0: 0.8 ln(0.8/0.7) + 0.1 ln(0.1/0.2) + 0 = 0.037510...;
    /// member 1: 0.6 ln(6/7) + 0.3 ln(1.5) = 0.029149...; member 2: 0 → max 0.037510...
    #[test]
    fn consensus_entropy_and_kl_by_hand() {
        let c = committee();
        let mean = consensus(&c).unwrap();
        assert!((mean[[0, 0]] - 0.7).abs() < 1e-12);
        let h = consensus_entropy_scores(&c).unwrap();
        let h0: f64 = [0.7_f64, 0.2, 0.1].iter().map(|p| -p * p.ln()).sum();
        assert!((h[0] - h0).abs() < 1e-12);
        assert!((h0 - 0.801_818_552_543_337).abs() < 1e-12);
        let kl0 = 0.8 * (0.8_f64 / 0.7).ln() + 0.1 * (0.1_f64 / 0.2).ln();
        let kl1 = 0.6 * (0.6_f64 / 0.7).ln() + 0.3 * (0.3_f64 / 0.2).ln();
        assert!(kl0 > kl1);
        let s = max_kl_disagreement_scores(&c).unwrap();
        assert!((s[0] - kl0).abs() < 1e-12, "{s:?}");
        assert!(
            s[1] > s[0] && s[2] > s[0],
            "disagreeing rows score higher: {s:?}"
        );
    }

    #[test]
    fn refuses_empty_and_ragged_committees() {
        assert_eq!(vote_entropy_scores(&[]), Err(StrategyError::EmptyCommittee));
        let err =
            consensus_entropy_scores(&[Array2::zeros((2, 3)), Array2::zeros((2, 2))]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "committee member 1 gives a 2×2 probability matrix but member 0 gives 2×3: every member \
             must score the same rows and classes"
        );
        // No classes at all: nothing to vote for, no panic.
        assert_eq!(
            vote_entropy_scores(&[Array2::zeros((1, 0))]).unwrap(),
            vec![0.0]
        );
    }
}
