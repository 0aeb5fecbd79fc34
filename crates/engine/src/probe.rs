//! What random probes say, in words that say exactly what they estimate, and whether the chosen
//! strategy is losing to random.
//!
//! A probe is a pool row drawn uniformly at random among the rows not yet labeled, labeled by
//! the person, and compared with the prediction the model made for it at that moment
//! ([`crate::session::Session::probe_estimate`]). The hit rate therefore estimates **the accuracy
//! of the models so far on the rows not yet labeled** (each probe scores the model of its own
//! round, on the rows open at that round) — not the accuracy of the current model, and not the
//! accuracy on a test set. The comparison with random sampling puts two such estimates side by
//! side: the one of the strategy's models and the one of models trained on random picks alone,
//! and gives the difference with Newcombe's interval (the hybrid Wilson score interval for a
//! difference of independent proportions; Newcombe 1998, *Statistics in Medicine* 17, method 10).

use crate::metrics::ProbeEstimate;
use serde::{Deserialize, Serialize};

/// What a probe estimate estimates, for every place that shows one.
pub const PROBE_MEANING: &str = "the accuracy of the models so far on the rows not yet labeled";

/// A probe estimate in words: the figure, its interval, the number of probes and its meaning.
///
/// ```
/// use engine::metrics::probe_accuracy;
/// let e = probe_accuracy(&[0, 1, 1, 0], &[0, 1, 0, 0], 1.959964).unwrap();
/// assert_eq!(
///     engine::probe::describe(&e),
///     "75 % (95 % interval 30–95 %, from 4 random probes): the accuracy of the models so far on \
///      the rows not yet labeled"
/// );
/// ```
pub fn describe(e: &ProbeEstimate) -> String {
    format!(
        "{:.0} % (95 % interval {:.0}–{:.0} %, from {} random probe{}): {PROBE_MEANING}",
        e.accuracy * 100.0,
        e.low * 100.0,
        e.high * 100.0,
        e.n,
        if e.n == 1 { "" } else { "s" }
    )
}

/// What the evidence says about the strategy against random sampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole interval of the difference is below 0.
    Worse,
    /// The whole interval is above 0.
    Better,
    /// The interval straddles 0: not enough evidence either way.
    Undecided,
}

/// The strategy's probe estimate minus random sampling's, with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub difference: f64,
    pub low: f64,
    pub high: f64,
    pub verdict: Verdict,
}

/// Newcombe's hybrid score interval for `strategy.accuracy − random.accuracy`, from the two
/// estimates' own Wilson intervals (so it has their level, 95 % for the session's).
///
/// ```
/// use engine::metrics::probe_accuracy;
/// use engine::probe::{compare_with_random, Verdict};
/// let z = 1.959964;
/// let hits = |k: usize, n: usize| {
///     let truth = vec![0; n];
///     let predicted: Vec<usize> = (0..n).map(|i| usize::from(i >= k)).collect();
///     probe_accuracy(&truth, &predicted, z).unwrap()
/// };
/// let c = compare_with_random(&hits(30, 60), &hits(48, 60));
/// assert_eq!(c.verdict, Verdict::Worse);
/// assert!((c.difference + 0.3).abs() < 1e-12 && c.high < 0.0);
/// assert_eq!(compare_with_random(&hits(40, 60), &hits(42, 60)).verdict, Verdict::Undecided);
/// ```
pub fn compare_with_random(strategy: &ProbeEstimate, random: &ProbeEstimate) -> Comparison {
    let (p1, l1, u1) = (strategy.accuracy, strategy.low, strategy.high);
    let (p2, l2, u2) = (random.accuracy, random.low, random.high);
    let difference = p1 - p2;
    let low = difference - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let high = difference + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    let verdict = if high < 0.0 {
        Verdict::Worse
    } else if low > 0.0 {
        Verdict::Better
    } else {
        Verdict::Undecided
    };
    Comparison {
        difference,
        low,
        high,
        verdict,
    }
}

/// The studio's warning when the strategy is losing (`None` otherwise): the difference with its
/// interval, in points of accuracy, and the offer to switch.
///
/// ```
/// use engine::probe::{warning, Comparison, Verdict};
/// let c = Comparison { difference: -0.08, low: -0.15, high: -0.01, verdict: Verdict::Worse };
/// assert_eq!(
///     warning("margin", &c).unwrap(),
///     "On this data margin is doing worse than random sampling: 8 points lower (95 % interval \
///      1 to 15 points lower) in the accuracy of the models so far on the rows not yet labeled. \
///      Switch to adaptive, which follows whichever strategy is doing best?"
/// );
/// ```
pub fn warning(strategy: &str, c: &Comparison) -> Option<String> {
    (c.verdict == Verdict::Worse).then(|| {
        format!(
            "On this data {strategy} is doing worse than random sampling: {:.0} points lower \
             (95 % interval {:.0} to {:.0} points lower) in {PROBE_MEANING}. Switch to adaptive, \
             which follows whichever strategy is doing best?",
            -c.difference * 100.0,
            -c.high * 100.0,
            -c.low * 100.0
        )
    })
}

#[cfg(test)]
mod tests {
    #[cfg(not(target_arch = "wasm32"))]
    use crate::data::Dataset;
    #[cfg(not(target_arch = "wasm32"))]
    use crate::session::{Event, Session, SessionConfig};
    #[cfg(not(target_arch = "wasm32"))]
    use crate::strategies::Strategy;

    /// A known answer: rows with no information (one constant feature), 80 % of class 0. The
    /// model predicts one class for every row, so at each probe its accuracy on the rows not yet
    /// labeled is exactly the share of that class among them. The probe estimate
    /// must cover the mean of those shares and sit close to it.
    #[test]
    // Minutes in the browser's debug build, past the test runner's 30 s renderer timeout.
    #[cfg(not(target_arch = "wasm32"))]
    fn the_probe_estimate_is_the_accuracy_on_the_rows_not_yet_labeled() {
        let n = 1000;
        let labels: Vec<Option<usize>> = (0..n).map(|i| Some(usize::from(i % 5 == 4))).collect();
        let data = Dataset::new(
            "flat",
            vec!["x".into()],
            ndarray::Array2::zeros((n, 1)),
            vec!["a".into(), "b".into()],
            labels.clone(),
        )
        .unwrap();
        let config = SessionConfig {
            probe_share: 0.5,
            strategy: Strategy::Random,
            ..SessionConfig::default()
        };
        let mut s = Session::new(data, config).unwrap();
        s.seed_one_per_class().unwrap();
        let mut truths = Vec::new();
        while s.probe_estimate().map_or(0, |e| e.n) < 300 {
            let round = s.round().unwrap();
            let q = round.query.unwrap();
            if q.probe {
                // Every row looks the same to the model: it predicts one class for all of them.
                let said = q.predicted();
                let open: Vec<usize> = (s.split().pool.iter().copied())
                    .filter(|r| !s.labels().contains_key(r))
                    .collect();
                let right = open.iter().filter(|&&r| labels[r] == said).count();
                truths.push(right as f64 / open.len() as f64);
            }
            let class = labels[q.row].unwrap();
            s.apply(Event::Label {
                row: q.row,
                class,
                origin: q.origin(),
            })
            .unwrap();
        }
        let known = truths.iter().sum::<f64>() / truths.len() as f64;
        let e = s.probe_estimate().unwrap();
        assert!(e.low <= known && known <= e.high, "{e:?} vs {known}");
        assert!((e.accuracy - known).abs() < 0.06, "{e:?} vs {known}");
        assert!(super::describe(&e).ends_with(super::PROBE_MEANING));
    }
}
