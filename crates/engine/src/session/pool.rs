//! The pool and test rows as the models see them: standardized with the pool's mean and scale,
//! read from a copy made once while it is small enough, else standardized block by block as they
//! are read. Both ways give the same bits, so a round never needs to know which it has.

use super::SessionError;
use crate::data::scale::Standardizer;
use crate::data::split::Split;
use crate::data::Dataset;
use crate::models::Classifier;
use ndarray::{s, Array2, ArrayView2, Axis, CowArray, Ix2};

/// Rows standardized at a time by [`Session::predict_rows`](super::Session::predict_rows): few
/// enough to stay in cache between the copy and the product at usual widths, and a multiple of
/// every kernel's row block.
pub const PREDICT_BLOCK_ROWS: usize = 1024;

/// [`Session::predict_rows`](super::Session::predict_rows) with a given block size (tests compare
/// block sizes).
fn predict_blocks(
    model: &impl Classifier,
    standardizer: &Standardizer,
    x: ArrayView2<f64>,
    rows: &[usize],
    block: usize,
) -> Array2<f64> {
    let block = block.max(1);
    let k = model.n_classes();
    let mut out = Array2::<f64>::zeros((rows.len(), k));
    let mut buffer = Array2::<f64>::zeros((block.min(rows.len()), x.ncols()));
    for (b, chunk) in rows.chunks(block).enumerate() {
        let mut xb = buffer.slice_mut(s![..chunk.len(), ..]);
        standardizer.transform_rows_into(x, chunk, xb.view_mut());
        let p = model.predict_proba(xb.view());
        let start = b * block;
        let mut dst = out.slice_mut(s![start..start + chunk.len(), ..]);
        if p.dim() == dst.dim() {
            dst.assign(&p);
        } else {
            dst.fill(f64::NAN);
        }
    }
    out
}

/// The most memory a [`Session`](super::Session) spends on a standardized copy of its pool and
/// test rows (24 MiB: 60,000 rows × 50 features). Larger datasets are standardized block by block
/// each round.
pub const STANDARDIZED_COPY_MAX_BYTES: usize = 24 << 20;

/// Marks rows outside the pool in [`Pool`]'s row → position map.
const NOT_IN_POOL: usize = usize::MAX;

/// The pool and test rows standardized once.
#[derive(Debug, Clone)]
struct StandardizedCopy {
    /// Pool rows, in `split.pool` order.
    pool: Array2<f64>,
    /// Test rows, in `split.test` order.
    test: Array2<f64>,
}

impl StandardizedCopy {
    fn new(standardizer: &Standardizer, x: ArrayView2<f64>, split: &Split) -> Self {
        Self {
            pool: standardizer.transform_rows(x, &split.pool),
            test: standardizer.transform_rows(x, &split.test),
        }
    }
}

/// A session's split, with the rows as the models see them. Pool rows are named by their
/// position in `split.pool`; `x` is always the dataset's feature matrix.
#[derive(Debug, Clone)]
pub(super) struct Pool {
    split: Split,
    /// Dataset row → its position in `split.pool` (or [`NOT_IN_POOL`]).
    position: Vec<usize>,
    /// Fitted on the pool.
    standardizer: Standardizer,
    /// Kept while it takes at most [`STANDARDIZED_COPY_MAX_BYTES`]: above that, one copy of the
    /// features in memory instead of two is worth a little more work each round.
    copy: Option<StandardizedCopy>,
}

impl Pool {
    /// Check the split against the dataset (rows that exist, in the pool once, not in both parts;
    /// test rows with known labels), then fit the standardizer on the pool.
    pub(super) fn new(data: &Dataset, split: Split) -> Result<Self, SessionError> {
        let n = data.n_rows();
        if let Some(&row) = split.pool.iter().chain(&split.test).find(|&&r| r >= n) {
            return Err(SessionError::BadSplit {
                reason: format!("row {row} does not exist (the dataset has {n} rows)"),
            });
        }
        let mut position = vec![NOT_IN_POOL; n];
        for (i, &row) in split.pool.iter().enumerate() {
            if position[row] != NOT_IN_POOL {
                return Err(SessionError::BadSplit {
                    reason: format!("row {row} is in the pool twice"),
                });
            }
            position[row] = i;
        }
        if let Some(&row) = split.test.iter().find(|&&r| position[r] != NOT_IN_POOL) {
            return Err(SessionError::BadSplit {
                reason: format!("row {row} is in both the pool and the test split"),
            });
        }
        if let Some(&row) = split.test.iter().find(|&&r| data.known_labels[r].is_none()) {
            return Err(SessionError::BadSplit {
                reason: format!("test row {row} has no known label"),
            });
        }
        let x = data.features.view();
        let standardizer = Standardizer::fit(x, &split.pool);
        let bytes = (split.pool.len() + split.test.len())
            .saturating_mul(data.n_features())
            .saturating_mul(std::mem::size_of::<f64>());
        let copy = (bytes <= STANDARDIZED_COPY_MAX_BYTES)
            .then(|| StandardizedCopy::new(&standardizer, x, &split));
        Ok(Self {
            split,
            position,
            standardizer,
            copy,
        })
    }

    pub(super) fn split(&self) -> &Split {
        &self.split
    }

    pub(super) fn standardizer(&self) -> &Standardizer {
        &self.standardizer
    }

    /// The position in the pool of dataset row `row` (`None`: not a pool row).
    pub(super) fn position(&self, row: usize) -> Option<usize> {
        self.position
            .get(row)
            .copied()
            .filter(|&p| p != NOT_IN_POOL)
    }

    /// The dataset row at pool position `position`.
    pub(super) fn row(&self, position: usize) -> usize {
        self.split.pool[position]
    }

    /// Keep (or drop) the standardized copy whatever its size.
    pub(super) fn keep_copy(&mut self, x: ArrayView2<f64>, keep: bool) {
        self.copy = keep.then(|| StandardizedCopy::new(&self.standardizer, x, &self.split));
    }

    pub(super) fn has_copy(&self) -> bool {
        self.copy.is_some()
    }

    /// Dataset rows `rows`, standardized (one copy).
    pub(super) fn standardized(&self, x: ArrayView2<f64>, rows: &[usize]) -> Array2<f64> {
        self.standardizer.transform_rows(x, rows)
    }

    /// A model's probabilities for dataset rows `rows`, standardized [`PREDICT_BLOCK_ROWS`] at a
    /// time.
    pub(super) fn predict_rows(
        &self,
        model: &impl Classifier,
        x: ArrayView2<f64>,
        rows: &[usize],
    ) -> Array2<f64> {
        predict_blocks(model, &self.standardizer, x, rows, PREDICT_BLOCK_ROWS)
    }

    /// The standardized pool rows at `positions`: a view of the copy when they are the whole pool
    /// in order.
    pub(super) fn rows(&self, x: ArrayView2<f64>, positions: &[usize]) -> CowArray<'_, f64, Ix2> {
        match &self.copy {
            Some(copy) if self.is_whole(positions) => CowArray::from(copy.pool.view()),
            Some(copy) => CowArray::from(copy.pool.select(Axis(0), positions)),
            None => CowArray::from(self.standardized(x, &self.rows_at(positions))),
        }
    }

    /// A model's probabilities for the pool rows at `positions`. With the copy, one pass over the
    /// whole copy (a view) and then the rows asked for, rather than a copy of those rows first.
    pub(super) fn proba(
        &self,
        model: &impl Classifier,
        x: ArrayView2<f64>,
        positions: &[usize],
    ) -> Array2<f64> {
        match &self.copy {
            Some(copy) => {
                let p = model.predict_proba(copy.pool.view());
                if self.is_whole(positions) {
                    p
                } else {
                    p.select(Axis(0), positions)
                }
            }
            None => self.predict_rows(model, x, &self.rows_at(positions)),
        }
    }

    /// A model's probabilities for the test rows, in `split.test` order.
    pub(super) fn test_proba(&self, model: &impl Classifier, x: ArrayView2<f64>) -> Array2<f64> {
        match &self.copy {
            Some(copy) => model.predict_proba(copy.test.view()),
            None => self.predict_rows(model, x, &self.split.test),
        }
    }

    /// Whether `positions` is every pool position, in order.
    fn is_whole(&self, positions: &[usize]) -> bool {
        positions.len() == self.split.pool.len()
            && positions.iter().enumerate().all(|(i, &p)| i == p)
    }

    fn rows_at(&self, positions: &[usize]) -> Vec<usize> {
        positions.iter().map(|&p| self.row(p)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelSpec;
    use crate::rng;

    /// A dataset whose standardized rows would pass the budget gets no copy; one under it does.
    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn large_datasets_are_standardized_block_by_block() {
        use super::super::{Session, SessionConfig};
        use crate::data::synthetic::blobs;
        let features = 100;
        let rows = STANDARDIZED_COPY_MAX_BYTES / (8 * features);
        for (n, copy) in [(rows, true), (rows + 1, false)] {
            let data = blobs(n, features, 2, 1.0, &mut rng(1, 0)).unwrap();
            let s = Session::new(data, SessionConfig::default()).unwrap();
            assert_eq!(s.has_standardized_copy(), copy, "{n} rows");
        }
    }

    /// Scoring rows block by block gives every model's probabilities for each row bit for bit as
    /// one pass over a standardized copy of all the rows, whatever the block size (odd sizes
    /// included, which split the kernels' row blocks differently).
    #[test]
    fn blocks_give_the_bits_of_one_pass() {
        use crate::data::synthetic::blobs;
        let data = blobs(301, 7, 4, 1.5, &mut rng(5, 0)).unwrap();
        let rows: Vec<usize> = (0..data.n_rows()).rev().step_by(2).collect();
        let fit_rows: Vec<usize> = (0..40).collect();
        let st = Standardizer::fit(data.features.view(), &[]);
        let x_fit = st.transform_rows(data.features.view(), &fit_rows);
        let y: Vec<usize> = fit_rows
            .iter()
            .map(|&r| data.known_labels[r].unwrap())
            .collect();
        let whole = st.transform(data.features.select(Axis(0), &rows).view());
        for spec in ModelSpec::all_defaults() {
            let model = spec
                .check()
                .unwrap()
                .fit(x_fit.view(), &y, 4, None, &mut rng(1, 2))
                .unwrap();
            let expected = model.predict_proba(whole.view());
            for block in [1, 3, 7, 64, PREDICT_BLOCK_ROWS] {
                let got = predict_blocks(&model, &st, data.features.view(), &rows, block);
                let same = got
                    .iter()
                    .zip(&expected)
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(
                    same && got.dim() == expected.dim(),
                    "{} with blocks of {block}",
                    spec.label()
                );
            }
        }
    }
}
