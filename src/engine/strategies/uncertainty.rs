//! Uncertainty sampling (Lewis & Gale 1994; Settles 2009, §3.1).

use ndarray::ArrayView2;

/// Margin sampling (Scheffer et al. 2001): `score = 1 − (p₍₁₎ − p₍₂₎)`, where `p₍₁₎ ≥ p₍₂₎` are the
/// two largest class probabilities. A sample the model cannot separate between its two best guesses
/// scores near 1 and is asked first. modAL's `margin_sampling` ranks by `−(p₍₁₎ − p₍₂₎)`: the same
/// order. With a single class column the margin is taken as `p₍₁₎`.
///
/// ```
/// use ndarray::array;
/// let s = activelab::engine::strategies::uncertainty::margin_scores(array![[0.5, 0.3, 0.2]].view());
/// assert!((s[0] - 0.8).abs() < 1e-12);
/// ```
pub fn margin_scores(proba: ArrayView2<f64>) -> Vec<f64> {
    proba
        .rows()
        .into_iter()
        .map(|row| {
            let (mut first, mut second) = (f64::NEG_INFINITY, 0.0_f64);
            for &p in row {
                if p > first {
                    second = first.max(0.0);
                    first = p;
                } else if p > second {
                    second = p;
                }
            }
            1.0 - (first.max(0.0) - second)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Hand-computed: margins are 0.9−0.05=0.85, 0.4−0.35=0.05, 0.5−0.5=0, 0.6−0.3=0.3.
    #[test]
    fn margin_by_hand() {
        let p = array![
            [0.9, 0.05, 0.05],
            [0.35, 0.4, 0.25],
            [0.5, 0.0, 0.5],
            [0.1, 0.3, 0.6],
        ];
        let s = margin_scores(p.view());
        let want = [0.15, 0.95, 1.0, 0.7];
        for (a, b) in s.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{s:?}");
        }
        let order = crate::engine::strategies::top_k(&s, 4, &mut crate::engine::rng(0, 0));
        assert_eq!(order, vec![2, 1, 3, 0]);
    }
}
