//! The label review over a session's labels ([`crate::review`]).

use super::Session;
use crate::review::{review, ReviewError, ReviewOptions, Suspect};

impl Session {
    /// Rank the labels in effect (seed, oracle, probe and the person's) by how much out-of-fold
    /// models disagree with them, most suspicious first; [`Suspect::row`] is the dataset row. A
    /// person walks the list and keeps a label or changes it with [`super::Event::Relabel`].
    ///
    /// ```
    /// use engine::data::Dataset;
    /// use engine::review::ReviewOptions;
    /// use engine::session::{Event, Origin, Session, SessionConfig};
    /// let x = ndarray::array![[0.0], [0.1], [0.2], [0.3], [0.4], [5.0], [5.1], [5.2], [5.3], [5.4]];
    /// let data = Dataset::new("toy", vec!["x".into()], x, vec!["a".into(), "b".into()],
    ///     vec![None; 10]).unwrap(); // a file without labels: every row is in the pool
    /// let mut s = Session::new(data, SessionConfig::default()).unwrap();
    /// for row in 0..10 {
    ///     let class = if row < 5 { 0 } else { 1 };
    ///     let class = if row == 2 { 1 } else { class }; // a slip of the finger
    ///     s.apply(Event::Label { row, class, origin: Origin::User }).unwrap();
    /// }
    /// let options = ReviewOptions { folds: 5, ..ReviewOptions::default() };
    /// let queue = s.review_labels(&options).unwrap();
    /// assert_eq!((queue[0].row, queue[0].suggested), (2, 0));
    /// ```
    pub fn review_labels(&self, options: &ReviewOptions) -> Result<Vec<Suspect>, ReviewError> {
        let (rows, y): (Vec<usize>, Vec<usize>) =
            self.state.labels.iter().map(|(&r, &c)| (r, c)).unzip();
        let x = self.standardized_rows(&rows);
        let mut ranked = review(x.view(), &y, self.n_classes(), options)?;
        ranked.iter_mut().for_each(|s| s.row = rows[s.row]);
        Ok(ranked)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(not(target_arch = "wasm32"))]
    use crate::review::ReviewOptions;
    #[cfg(not(target_arch = "wasm32"))]
    use crate::session::{Event, Origin, Session, SessionConfig};
    #[cfg(not(target_arch = "wasm32"))]
    use crate::testing::iris;

    /// A person labels 60 Iris rows, 5 of them wrongly on purpose; the review puts the 5 at the
    /// top of its queue, and walking it (change the flagged, keep the rest) leaves no wrong label.
    #[test]
    // Minutes in the browser's debug build, past the test runner's 30 s renderer timeout.
    #[cfg(not(target_arch = "wasm32"))]
    fn the_review_queue_finds_deliberately_wrong_labels_and_relabels_fix_them() {
        let data = iris();
        let mut s = Session::new(data.clone(), SessionConfig::default()).unwrap();
        let pool = s.split().pool.clone();
        let wrong: Vec<usize> = pool.iter().copied().step_by(12).take(5).collect();
        for &row in pool
            .iter()
            .take(60)
            .chain(wrong.iter().filter(|r| !pool[..60].contains(r)))
        {
            let truth = data.known_labels[row].unwrap();
            // A slip to a class far from the truth (setosa ↔ the other two).
            let class = match (wrong.contains(&row), truth) {
                (false, _) => truth,
                (true, 0) => 2,
                (true, _) => 0,
            };
            s.apply(Event::Label {
                row,
                class,
                origin: Origin::User,
            })
            .unwrap();
        }
        let queue = s.review_labels(&ReviewOptions::default()).unwrap();
        let top: Vec<usize> = queue.iter().take(wrong.len()).map(|q| q.row).collect();
        for row in &wrong {
            assert!(top.contains(row), "row {row} is not in the top {top:?}");
        }
        for suspect in queue.iter().take(wrong.len()) {
            if suspect.suggested != suspect.given {
                s.apply(Event::Relabel {
                    row: suspect.row,
                    class: suspect.suggested,
                })
                .unwrap();
            }
        }
        let still_wrong = s
            .labels()
            .iter()
            .filter(|(&r, &c)| data.known_labels[r] != Some(c))
            .count();
        assert_eq!(still_wrong, 0);
    }
}
