//! Seeded stratified pool/test split.

use super::DataError;
use rand::seq::SliceRandom;
use rand::Rng;

/// Row indices of the pool (what may be queried) and of the test split (held out, labels known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Rows that may be queried, ascending.
    pub pool: Vec<usize>,
    /// Held-out rows with known labels, ascending.
    pub test: Vec<usize>,
}

/// Split rows so that each class keeps its share in the test split.
///
/// Rows without a known label always go to the pool. Per class, `round(n · test_fraction)` rows go to
/// the test split, but a class keeps at least one row in the pool (so it can be seeded).
///
/// ```
/// use engine::data::split::stratified_split;
/// let labels = vec![Some(0), Some(0), Some(0), Some(1), Some(1), Some(1), None];
/// let s = stratified_split(&labels, 0.34, &mut engine::rng(1, 0)).unwrap();
/// assert_eq!((s.pool.len(), s.test.len()), (5, 2));
/// assert!(s.pool.contains(&6));
/// ```
pub fn stratified_split<R: Rng>(
    labels: &[Option<usize>],
    test_fraction: f64,
    rng: &mut R,
) -> Result<Split, DataError> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(DataError::BadFraction {
            fraction: test_fraction,
        });
    }
    let n_classes = labels.iter().flatten().map(|&c| c + 1).max().unwrap_or(0);
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    let mut pool = Vec::new();
    for (row, label) in labels.iter().enumerate() {
        match label {
            Some(c) => by_class[*c].push(row),
            None => pool.push(row),
        }
    }
    let mut test = Vec::new();
    for mut rows in by_class {
        rows.shuffle(rng);
        let n_test = ((rows.len() as f64 * test_fraction).round() as usize)
            .min(rows.len().saturating_sub(1));
        test.extend_from_slice(&rows[..n_test]);
        pool.extend_from_slice(&rows[n_test..]);
    }
    pool.sort_unstable();
    test.sort_unstable();
    Ok(Split { pool, test })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn keeps_class_shares_and_is_seeded() {
        let labels: Vec<Option<usize>> = (0..150).map(|i| Some(i / 50)).collect();
        let a = stratified_split(&labels, 0.3, &mut crate::rng(3, 0)).unwrap();
        let b = stratified_split(&labels, 0.3, &mut crate::rng(3, 0)).unwrap();
        let c = stratified_split(&labels, 0.3, &mut crate::rng(4, 0)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!((a.pool.len(), a.test.len()), (105, 45));
        for class in 0..3 {
            let n = a.test.iter().filter(|&&r| labels[r] == Some(class)).count();
            assert_eq!(n, 15);
        }
    }

    #[test]
    fn refuses_bad_fraction() {
        let err = stratified_split(&[Some(0)], 1.0, &mut crate::rng(0, 0)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the test fraction must be between 0 and 1 (exclusive), got 1"
        );
    }
}
