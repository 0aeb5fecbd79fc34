//! Uncertainty sampling (Lewis & Gale 1994; Settles 2009, §3.1): ask where one model is least sure.
//!
//! Every function maps an `n × K` matrix of class probabilities (one row per candidate) to one score
//! per row, higher = more uncertain = ask first. Rows are used as given (not renormalised).

use crate::models::simd::{larger, row_max, top_two};
use ndarray::ArrayView2;

/// Least-confident sampling (Lewis & Gale 1994; Settles 2009, §3.1): `score = 1 − max_k p_k`.
/// Identical to modAL's `classifier_uncertainty`. A row with no classes scores 1.
///
/// ```
/// use ndarray::array;
/// let s = engine::strategies::uncertainty::least_confident_scores(array![[0.7, 0.2, 0.1]].view());
/// assert!((s[0] - 0.3).abs() < 1e-12);
/// ```
pub fn least_confident_scores(proba: ArrayView2<f64>) -> Vec<f64> {
    per_row(proba, |row| 1.0 - larger(0.0, row_max(row)))
}

/// `score(row)` for every row, on plain slices when the matrix is row-major contiguous (the
/// probabilities every model answers): ndarray's per-row views cost more than the few
/// comparisons of a short row in wasm.
fn per_row(proba: ArrayView2<f64>, score: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    let (n, k) = proba.dim();
    match proba.as_slice() {
        Some(all) if k > 0 => all.chunks_exact(k).map(score).collect(),
        Some(_) => (0..n).map(|_| score(&[])).collect(),
        None => proba
            .rows()
            .into_iter()
            .map(|row| score(&row.to_vec()))
            .collect(),
    }
}

/// Entropy sampling (Shannon 1948; Settles 2009, §3.1): `score = −Σ_k p_k ln p_k`, natural log,
/// with `0 · ln 0 = 0`. modAL's `classifier_entropy` gives the same values for rows that sum to 1
/// (scipy's `entropy` renormalises each row first; this function does not).
///
/// ```
/// use ndarray::array;
/// let s = engine::strategies::uncertainty::entropy_scores(array![[0.5, 0.5, 0.0]].view());
/// assert!((s[0] - std::f64::consts::LN_2).abs() < 1e-12);
/// ```
pub fn entropy_scores(proba: ArrayView2<f64>) -> Vec<f64> {
    per_row(proba, |row| entropy(row.iter().copied()))
}

/// `−Σ p ln p` with `0 · ln 0 = 0` (a negative or NaN entry gives NaN).
pub fn entropy(p: impl IntoIterator<Item = f64>) -> f64 {
    p.into_iter()
        .map(|p| if p == 0.0 { 0.0 } else { -p * p.ln() })
        .sum()
}

/// Margin sampling (Scheffer et al. 2001): `score = 1 − (p₍₁₎ − p₍₂₎)`, where `p₍₁₎ ≥ p₍₂₎` are the
/// two largest class probabilities. A sample the model cannot separate between its two best guesses
/// scores near 1 and is asked first. modAL's `margin_sampling` ranks by `−(p₍₁₎ − p₍₂₎)`: the same
/// order. With a single class column the margin is taken as `p₍₁₎`.
///
/// ```
/// use ndarray::array;
/// let s = engine::strategies::uncertainty::margin_scores(array![[0.5, 0.3, 0.2]].view());
/// assert!((s[0] - 0.8).abs() < 1e-12);
/// ```
pub fn margin_scores(proba: ArrayView2<f64>) -> Vec<f64> {
    per_row(proba, |row| {
        // Both floored at 0: a row without a second class (or without any) has margin p₍₁₎.
        let (first, second) = top_two(row);
        1.0 - (larger(0.0, first) - larger(0.0, second))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Four rows of three class probabilities, for the hand-computed tests.
    fn four_rows() -> ndarray::Array2<f64> {
        array![
            [0.9, 0.05, 0.05],
            [0.35, 0.4, 0.25],
            [0.5, 0.0, 0.5],
            [0.1, 0.3, 0.6],
        ]
    }

    /// The slice path (row-major) and the view path (any other layout) give the same scores, and
    /// rows without classes score as documented.
    #[test]
    fn every_layout_scores_the_same() {
        let p = four_rows();
        let column_major = p.t().to_owned();
        let strided = ndarray::concatenate![ndarray::Axis(1), p, p];
        for f in [margin_scores, least_confident_scores, entropy_scores] {
            let want = f(p.view());
            assert_eq!(f(column_major.t()), want);
            assert_eq!(f(strided.slice(ndarray::s![.., ..3])), want);
            assert_eq!(f(p.slice(ndarray::s![1..;2, ..])), vec![want[1], want[3]]);
        }
        let none = ndarray::Array2::<f64>::zeros((3, 0));
        assert_eq!(margin_scores(none.view()), vec![1.0; 3]);
        assert_eq!(entropy_scores(none.view()), vec![0.0; 3]);
    }

    /// Hand-computed: margins are 0.9−0.05=0.85, 0.4−0.35=0.05, 0.5−0.5=0, 0.6−0.3=0.3.
    #[test]
    fn margin_by_hand() {
        let p = four_rows();
        let s = margin_scores(p.view());
        let want = [0.15, 0.95, 1.0, 0.7];
        for (a, b) in s.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{s:?}");
        }
        let order = crate::strategies::top_k(&s, 4, &mut crate::rng(0, 0));
        assert_eq!(order, vec![2, 1, 3, 0]);
    }

    /// Against the definition by sorting (`1 − (p₍₁₎ − p₍₂₎)`, `p₍₂₎ = 0` with one class), on
    /// 2,000 seeded rows of 1 to 12 classes with ties, zeros and unnormalised rows, bit for bit.
    #[test]
    fn margin_is_the_two_largest_by_sorting() {
        use rand::Rng;
        let mut rng = crate::rng(7, 0);
        for k in 1..=12 {
            let rows: Vec<f64> = (0..2_000 * k)
                .map(|_| match rng.gen_range(0..4) {
                    0 => 0.0,
                    1 => 0.25,
                    _ => rng.gen_range(0.0..1.0),
                })
                .collect();
            let p = ndarray::Array2::from_shape_vec((2_000, k), rows).unwrap();
            for (row, got) in p.rows().into_iter().zip(margin_scores(p.view())) {
                let mut sorted = row.to_vec();
                sorted.sort_by(|a, b| b.total_cmp(a));
                let second = sorted.get(1).copied().unwrap_or(0.0);
                let want = 1.0 - (sorted[0] - second);
                assert_eq!(got.to_bits(), want.to_bits(), "{row}");
            }
        }
    }

    /// Hand-computed: 1 − max p = 0.1, 0.6, 0.5, 0.4.
    #[test]
    fn least_confident_by_hand() {
        let p = four_rows();
        let s = least_confident_scores(p.view());
        for (a, b) in s.iter().zip([0.1, 0.6, 0.5, 0.4]) {
            assert!((a - b).abs() < 1e-12, "{s:?}");
        }
        assert_eq!(
            least_confident_scores(ndarray::Array2::<f64>::zeros((2, 0)).view()),
            vec![1.0, 1.0]
        );
    }

    /// Hand-computed: H(½, ½, 0) = ln 2; H(1, 0, 0) = 0; H(⅓, ⅓, ⅓) = ln 3;
    /// H(0.9, 0.1) = −0.9 ln 0.9 − 0.1 ln 0.1 = 0.325082973391448.
    #[test]
    fn entropy_by_hand() {
        let third = 1.0 / 3.0;
        let p = array![
            [0.5, 0.5, 0.0],
            [1.0, 0.0, 0.0],
            [third, third, third],
            [0.9, 0.1, 0.0],
        ];
        let s = entropy_scores(p.view());
        let want = [
            std::f64::consts::LN_2,
            0.0,
            3.0_f64.ln(),
            0.325_082_973_391_448,
        ];
        for (a, b) in s.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{s:?}");
        }
        assert!(entropy_scores(array![[-0.1, 1.1]].view())[0].is_nan());
    }
}
