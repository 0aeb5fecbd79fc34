//! Oracle-driven runs: replay the labeling loop with the dataset's known labels and record the
//! learning curves, over several seeds, with optional label noise.

use crate::data::scale::Standardizer;
use crate::data::split::Split;
use crate::data::Dataset;
use crate::models::logistic::LogisticParams;
use crate::models::{argmax_rows, Classifier, FittedModel, ModelSpec};
use crate::rng;
use crate::session::{Event, Origin, Session, SessionConfig, SessionError};
use crate::strategies::stream::{StreamConfig, StreamSampler};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The random stream of the noisy oracle.
const STREAM_NOISE: u64 = 2;
/// The random streams of a stream simulation (sampler draws, model fits).
const STREAM_SAMPLER: u64 = 3;
const STREAM_FIT: u64 = 4;

/// Test accuracy after a number of labels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Labels the model was fitted on.
    pub n_labels: usize,
    /// Accuracy on the test split.
    pub accuracy: f64,
}

/// One simulated run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The seed of this run (split, seed labels, queries).
    pub seed: u64,
    /// Rows in the order they were labeled (seed labels first).
    pub order: Vec<usize>,
    /// One point per round.
    pub curve: Vec<CurvePoint>,
    /// Area under the learning curve: the mean accuracy over the curve's points.
    pub aulc: f64,
}

/// How an oracle run proceeds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunOptions {
    /// Stop at this many labels, seed labels included (or when the pool runs out).
    pub budget: usize,
    /// Probability that the oracle answers a uniformly drawn wrong class instead of the truth.
    pub noise: f64,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            budget: 50,
            noise: 0.0,
        }
    }
}

/// A split with the seed labels to start from (rows of the pool), e.g. read from a file shared
/// with peer tools so that both sides run on identical rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedSet {
    pub seed: u64,
    pub pool: Vec<usize>,
    pub test: Vec<usize>,
    /// Pool rows labeled (with their known labels) before the first round.
    pub initial: Vec<usize>,
}

/// The random stream of [`with_imbalance`].
const STREAM_IMBALANCE: u64 = 5;

/// A class-imbalanced copy of `data` for teaching and stress tests: the largest class keeps every
/// row, every other class keeps a seeded random `minority_share` of its rows (at least 2, so it
/// can be split and seeded). Row order and unlabeled rows are kept.
///
/// ```
/// use engine::data::import::{parse_csv, CsvOptions};
/// let csv = "a,y\n0,n\n1,n\n2,n\n3,n\n4,p\n5,p\n6,p\n7,p\n";
/// let data = parse_csv(csv.as_bytes(), &CsvOptions::named("toy")).unwrap();
/// let skewed = engine::simulation::with_imbalance(&data, 0.5, 1).unwrap();
/// assert_eq!(skewed.n_rows(), 6);
/// ```
pub fn with_imbalance(
    data: &Dataset,
    minority_share: f64,
    seed: u64,
) -> Result<Dataset, SessionError> {
    if !(minority_share > 0.0 && minority_share <= 1.0) {
        return Err(SessionError::BadSplit {
            reason: format!("the minority share must be in (0, 1], got {minority_share}"),
        });
    }
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); data.n_classes()];
    for (row, label) in data.known_labels.iter().enumerate() {
        if let Some(c) = label {
            by_class[*c].push(row);
        }
    }
    let largest = (0..by_class.len()).max_by_key(|&c| (by_class[c].len(), usize::MAX - c));
    let mut drop = vec![false; data.n_rows()];
    let mut rng = rng(seed, STREAM_IMBALANCE);
    for (class, rows) in by_class.iter_mut().enumerate() {
        if Some(class) == largest {
            continue;
        }
        let keep = ((rows.len() as f64 * minority_share).round() as usize)
            .max(2)
            .min(rows.len());
        rows.shuffle(&mut rng);
        for &row in &rows[keep..] {
            drop[row] = true;
        }
    }
    let kept: Vec<usize> = (0..data.n_rows()).filter(|&r| !drop[r]).collect();
    let mut out = Dataset::new(
        &data.name,
        data.feature_names.clone(),
        data.features.select(ndarray::Axis(0), &kept),
        data.class_names.clone(),
        kept.iter().map(|&r| data.known_labels[r]).collect(),
    )?;
    out.row_ids = kept.iter().map(|&r| data.row_ids[r].clone()).collect();
    out.report = data.report.clone();
    Ok(out)
}

/// Mean AULC over runs: `(mean, sample standard deviation)`.
pub fn aulc_summary(runs: &[Run]) -> (f64, f64) {
    let n = runs.len() as f64;
    if runs.is_empty() {
        return (0.0, 0.0);
    }
    let mean = runs.iter().map(|r| r.aulc).sum::<f64>() / n;
    let var = if runs.len() > 1 {
        runs.iter().map(|r| (r.aulc - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

fn mean_accuracy(curve: &[CurvePoint]) -> f64 {
    if curve.is_empty() {
        0.0
    } else {
        curve.iter().map(|p| p.accuracy).sum::<f64>() / curve.len() as f64
    }
}

/// The split and seed labels a run with `config.seed` starts from (as [`run_with_oracle`] makes
/// them).
pub fn seed_set(data: &Dataset, config: &SessionConfig) -> Result<SeedSet, SessionError> {
    let seed = config.seed;
    let mut session = Session::new(data.clone(), config.clone())?;
    session.seed_one_per_class()?;
    Ok(SeedSet {
        seed,
        pool: session.split().pool.clone(),
        test: session.split().test.clone(),
        initial: session.labels().keys().copied().collect(),
    })
}

/// Label with the known labels until `budget` labels (seed labels included) or the pool runs out.
///
/// ```
/// use engine::data::import::{parse_csv, CsvOptions};
/// use engine::session::SessionConfig;
/// let csv = "a,y\n0,n\n0.1,n\n0.2,n\n0.3,n\n1,p\n1.1,p\n1.2,p\n1.3,p\n";
/// let data = parse_csv(csv.as_bytes(), &CsvOptions::named("toy")).unwrap();
/// let run = engine::simulation::run_with_oracle(&data, &SessionConfig::default(), 4).unwrap();
/// assert_eq!(run.order.len(), 4);
/// assert_eq!(run.curve.first().map(|p| p.n_labels), Some(2));
/// ```
pub fn run_with_oracle(
    data: &Dataset,
    config: &SessionConfig,
    budget: usize,
) -> Result<Run, SessionError> {
    run(data, config, None, RunOptions { budget, noise: 0.0 })
}

/// One oracle run, on the session's own split (`seed_set = None`) or a given one.
pub fn run(
    data: &Dataset,
    config: &SessionConfig,
    seed_set: Option<&SeedSet>,
    options: RunOptions,
) -> Result<Run, SessionError> {
    let mut run = OracleRun::new(data.clone(), config, seed_set, options)?;
    while run.step()? {}
    Ok(run.finish())
}

/// An oracle run taken one round at a time ([`OracleRun::step`]), so a caller can do other work
/// between rounds (the worker answers the person between rounds of its random baseline).
#[derive(Debug, Clone)]
pub struct OracleRun {
    session: Session,
    options: RunOptions,
    noise: crate::EngineRng,
    curve: Vec<CurvePoint>,
    done: bool,
}

impl OracleRun {
    /// A run on `data` (which the run owns), seeded as [`run`] seeds it.
    pub fn new(
        data: Dataset,
        config: &SessionConfig,
        seed_set: Option<&SeedSet>,
        options: RunOptions,
    ) -> Result<Self, SessionError> {
        // An oracle needs known labels of at least 2 classes (a session alone may start with
        // fewer: the person adds classes).
        if data.n_classes() < 2 {
            return Err(SessionError::TooFewClasses {
                n_classes: data.n_classes(),
            });
        }
        let session = match seed_set {
            None => {
                let mut s = Session::new(data, config.clone())?;
                s.seed_one_per_class()?;
                s
            }
            Some(set) => {
                let split = Split {
                    pool: set.pool.clone(),
                    test: set.test.clone(),
                };
                let initial: Vec<(usize, usize)> = set
                    .initial
                    .iter()
                    .map(|&row| {
                        data.known_labels
                            .get(row)
                            .copied()
                            .flatten()
                            .map(|class| (row, class))
                            .ok_or(SessionError::BadSplit {
                                reason: format!("initial row {row} has no known label"),
                            })
                    })
                    .collect::<Result<_, _>>()?;
                let mut s = Session::with_split(data, config.clone(), split)?;
                for (row, class) in initial {
                    s.apply(Event::Label {
                        row,
                        class,
                        origin: Origin::Seed,
                    })?;
                }
                s
            }
        };
        Ok(Self {
            noise: rng(config.seed, STREAM_NOISE),
            session,
            options,
            curve: Vec::new(),
            done: false,
        })
    }

    /// One round: fit, measure, and label the round's whole batch (before the next fit, as a
    /// person labels it in the studio). Whether another round follows.
    pub fn step(&mut self) -> Result<bool, SessionError> {
        if self.done {
            return Ok(false);
        }
        let round = self.session.round()?;
        if let Some(accuracy) = round.test_accuracy {
            self.curve.push(CurvePoint {
                n_labels: round.n_labels,
                accuracy,
            });
        }
        let budget = self.options.budget;
        if round.batch.is_empty() || round.n_labels >= budget {
            self.done = true;
            return Ok(false);
        }
        let n_classes = self.session.data().n_classes();
        for query in round.batch.iter().take(budget - round.n_labels) {
            let Some(truth) = self.session.data().known_labels[query.row] else {
                self.done = true; // the oracle cannot answer an unlabeled row
                return Ok(false);
            };
            let class = if self.options.noise > 0.0 && self.noise.gen::<f64>() < self.options.noise
            {
                (truth + self.noise.gen_range(1..n_classes)) % n_classes
            } else {
                truth
            };
            self.session.apply(Event::Label {
                row: query.row,
                class,
                origin: Origin::Oracle,
            })?;
        }
        Ok(true)
    }

    /// The curve so far (one point per round).
    pub fn curve(&self) -> &[CurvePoint] {
        &self.curve
    }

    /// The run: the labels' order (seed labels first), its curve and AULC.
    pub fn finish(self) -> Run {
        let order = self
            .session
            .log()
            .iter()
            .filter_map(|e| match *e {
                Event::Label { row, .. } => Some(row),
                _ => None,
            })
            .collect();
        Run {
            seed: self.session.config().seed,
            order,
            aulc: mean_accuracy(&self.curve),
            curve: self.curve,
        }
    }
}

/// Mean and spread of accuracy at one label count, over runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurveStat {
    pub n_labels: usize,
    pub mean: f64,
    /// Sample standard deviation (0 for a single run).
    pub std: f64,
    pub min: f64,
    pub max: f64,
}

/// Pointwise statistics of curves that share their label counts (the shortest curve ends them).
pub fn curve_stats(runs: &[Run]) -> Vec<CurveStat> {
    let len = runs.iter().map(|r| r.curve.len()).min().unwrap_or(0);
    (0..len)
        .map(|i| {
            let values: Vec<f64> = runs.iter().map(|r| r.curve[i].accuracy).collect();
            let n = values.len() as f64;
            let mean = values.iter().sum::<f64>() / n;
            let std = if values.len() > 1 {
                (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            } else {
                0.0
            };
            CurveStat {
                n_labels: runs[0].curve[i].n_labels,
                mean,
                std,
                min: values.iter().copied().fold(f64::INFINITY, f64::min),
                max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            }
        })
        .collect()
}

/// The pointwise mean of curves that share their label counts (shorter curves end the mean).
pub fn mean_curve(runs: &[Run]) -> Vec<CurvePoint> {
    curve_stats(runs)
        .into_iter()
        .map(|s| CurvePoint {
            n_labels: s.n_labels,
            accuracy: s.mean,
        })
        .collect()
}

/// Settings of a stream simulation ([`stream_run`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamOptions {
    /// The selective sampler; `None` asks for every label ("ask everything").
    pub sampler: Option<StreamConfig>,
    /// The model refitted after every label.
    pub model: ModelSpec,
    /// The first rows are labeled unconditionally to start the model (they count as spent).
    pub warmup: usize,
    /// The model learns from the most recent `memory` labels only, so it can follow drift.
    pub memory: usize,
    /// Prequential accuracy is the share of correct predictions over the last `window` rows.
    pub window: usize,
    /// A point of the curve every `report_every` rows.
    pub report_every: usize,
}

impl Default for StreamOptions {
    fn default() -> Self {
        Self {
            sampler: None,
            model: ModelSpec::Logistic(LogisticParams::default()),
            warmup: 10,
            memory: 50,
            window: 100,
            report_every: 20,
        }
    }
}

/// One point of a stream run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StreamPoint {
    /// Rows seen so far.
    pub seen: usize,
    /// Prequential (test-then-train) accuracy over the last `window` rows.
    pub accuracy: f64,
    /// Labels asked so far (warm-up included).
    pub labels: usize,
}

/// The result of a stream simulation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamRun {
    pub points: Vec<StreamPoint>,
    /// Rows whose label was asked, in order.
    pub asked: Vec<usize>,
    /// Prequential accuracy over the whole stream (after the warm-up).
    pub accuracy: f64,
}

/// Replay `data` in row order as a stream, test-then-train: every row is predicted first (and
/// scored against its known label), then the sampler decides whether to ask for its label; asked
/// labels refit the model on the most recent `memory` labels (warm-started). Features are
/// standardized with the warm-up rows' statistics (the future is unknown to a stream).
pub fn stream_run(
    data: &Dataset,
    options: &StreamOptions,
    seed: u64,
) -> Result<StreamRun, SessionError> {
    let n = data.n_rows();
    let n_classes = data.n_classes();
    if n_classes < 2 {
        return Err(SessionError::TooFewClasses { n_classes });
    }
    let checked = options.model.check()?;
    let mut sampler = options.sampler.map(StreamSampler::new).transpose()?;
    let mut sampler_rng = rng(seed, STREAM_SAMPLER);
    let mut fit_rng = rng(seed, STREAM_FIT);
    let warmup = options.warmup.clamp(1, n.max(1));
    let warm_rows: Vec<usize> = (0..warmup.min(n)).collect();
    let x = Standardizer::fit(data.features.view(), &warm_rows).transform(data.features.view());
    let mut memory: std::collections::VecDeque<(usize, usize)> = std::collections::VecDeque::new();
    let mut asked = Vec::new();
    let mut model: Option<FittedModel> = None;
    let mut hits: std::collections::VecDeque<bool> = std::collections::VecDeque::new();
    let (mut total_hits, mut total_scored) = (0usize, 0usize);
    let mut points = Vec::new();
    for row in 0..n {
        let truth = data.known_labels[row];
        let proba = model
            .as_ref()
            .map(|m| m.predict_proba(x.slice(ndarray::s![row..row + 1, ..])));
        if let (Some(p), Some(t)) = (&proba, truth) {
            let predicted = argmax_rows(p.view())[0];
            hits.push_back(predicted == t);
            if hits.len() > options.window.max(1) {
                hits.pop_front();
            }
            total_hits += usize::from(predicted == t);
            total_scored += 1;
        }
        let ask = match (row < warmup, &mut sampler, &proba) {
            (true, _, _) => true,
            (false, None, _) => true,
            (false, Some(s), Some(p)) => s.decide(p.row(0), &mut sampler_rng)?.ask,
            (false, Some(_), None) => true,
        };
        if let (true, Some(t)) = (ask, truth) {
            asked.push(row);
            memory.push_back((row, t));
            if memory.len() > options.memory.max(1) {
                memory.pop_front();
            }
            let rows: Vec<usize> = memory.iter().map(|&(r, _)| r).collect();
            let y: Vec<usize> = memory.iter().map(|&(_, t)| t).collect();
            model = Some(checked.fit(
                x.select(ndarray::Axis(0), &rows).view(),
                &y,
                n_classes,
                model.as_ref(),
                &mut fit_rng,
            )?);
        }
        if (row + 1) % options.report_every.max(1) == 0 || row + 1 == n {
            points.push(StreamPoint {
                seen: row + 1,
                accuracy: if hits.is_empty() {
                    0.0
                } else {
                    hits.iter().filter(|&&h| h).count() as f64 / hits.len() as f64
                },
                labels: asked.len(),
            });
        }
    }
    Ok(StreamRun {
        points,
        asked,
        accuracy: if total_scored == 0 {
            0.0
        } else {
            total_hits as f64 / total_scored as f64
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::iris;

    #[test]
    fn a_seed_set_replays_the_same_run() {
        let config = SessionConfig {
            seed: 5,
            ..SessionConfig::default()
        };
        let set = seed_set(&iris(), &config).unwrap();
        let own = run(&iris(), &config, None, RunOptions::default()).unwrap();
        let given = run(&iris(), &config, Some(&set), RunOptions::default()).unwrap();
        assert_eq!(own, given);
        assert_eq!(set.initial.len(), 3);
    }

    #[test]
    fn noise_changes_answers_but_stays_seeded() {
        let config = SessionConfig::default();
        let noisy = RunOptions {
            budget: 40,
            noise: 0.5,
        };
        let a = run(&iris(), &config, None, noisy).unwrap();
        let b = run(&iris(), &config, None, noisy).unwrap();
        let clean = run(
            &iris(),
            &config,
            None,
            RunOptions {
                budget: 40,
                noise: 0.0,
            },
        )
        .unwrap();
        assert_eq!(a, b);
        assert!(
            a.aulc < clean.aulc,
            "noisy {} vs clean {}",
            a.aulc,
            clean.aulc
        );
    }

    #[test]
    fn stream_with_drift_recovers_and_keeps_the_budget() {
        use crate::data::synthetic::{rotating_hyperplane, HyperplaneOptions};
        use crate::strategies::stream::{StreamConfig, StreamPolicy};
        let data = rotating_hyperplane(
            &HyperplaneOptions {
                n_rows: 800,
                drift_at: Some(400),
                noise: 0.0,
                ..HyperplaneOptions::default()
            },
            &mut crate::rng(9, 0),
        )
        .unwrap();
        let options = StreamOptions {
            memory: 60,
            window: 20,
            report_every: 10,
            ..StreamOptions::default()
        };
        let all = stream_run(&data, &options, 1).unwrap();
        assert_eq!(all.asked.len(), 800);
        let at = |run: &StreamRun, seen: usize| {
            run.points.iter().find(|p| p.seen == seen).unwrap().accuracy
        };
        // Before the drift the model is good; right after it, it is wrong on much of the space;
        // with labels it recovers.
        assert!(at(&all, 400) > 0.85, "{}", at(&all, 400));
        let dip = all
            .points
            .iter()
            .filter(|p| p.seen > 400 && p.seen <= 480)
            .map(|p| p.accuracy)
            .fold(1.0, f64::min);
        assert!(dip < at(&all, 400) - 0.3, "dip {dip}");
        assert!(at(&all, 800) > 0.85, "{}", at(&all, 800));
        for policy in [
            StreamPolicy::Random,
            StreamPolicy::VariableUncertainty,
            StreamPolicy::RandomizedVariableUncertainty,
        ] {
            let options = StreamOptions {
                sampler: Some(StreamConfig::new(policy, 0.2)),
                ..options.clone()
            };
            let run = stream_run(&data, &options, 1).unwrap();
            assert_eq!(
                run,
                stream_run(&data, &options, 1).unwrap(),
                "{policy:?} is seeded"
            );
            let spent = run.asked.len() - options.warmup;
            assert!(
                spent <= 159,
                "{policy:?} spent {spent} labels on a 20 % budget"
            );
            let late = run
                .points
                .iter()
                .filter(|p| p.seen > 700)
                .map(|p| p.accuracy)
                .sum::<f64>()
                / 10.0;
            assert!(late > 0.7, "{policy:?} recovers: {late}");
        }
    }

    #[test]
    fn imbalance_keeps_the_largest_class_and_shrinks_the_others() {
        let skewed = with_imbalance(&iris(), 0.2, 3).unwrap();
        let count = |c| {
            skewed
                .known_labels
                .iter()
                .filter(|l| **l == Some(c))
                .count()
        };
        assert_eq!((count(0), count(1), count(2)), (50, 10, 10));
        assert_eq!(skewed, with_imbalance(&iris(), 0.2, 3).unwrap());
        assert!(with_imbalance(&iris(), 0.0, 3).is_err());
        let run = run_with_oracle(&skewed, &SessionConfig::default(), 20).unwrap();
        assert_eq!(run.order.len(), 20);
    }

    #[test]
    fn stats_over_runs() {
        let mk = |acc: [f64; 2]| Run {
            seed: 0,
            order: vec![],
            curve: vec![
                CurvePoint {
                    n_labels: 3,
                    accuracy: acc[0],
                },
                CurvePoint {
                    n_labels: 4,
                    accuracy: acc[1],
                },
            ],
            aulc: (acc[0] + acc[1]) / 2.0,
        };
        let runs = [mk([0.5, 0.7]), mk([0.7, 0.9])];
        let s = curve_stats(&runs);
        assert_eq!(s[0].n_labels, 3);
        assert!((s[0].mean - 0.6).abs() < 1e-12);
        assert!((s[0].std - 0.02_f64.sqrt()).abs() < 1e-12);
        assert_eq!((s[1].min, s[1].max), (0.7, 0.9));
        let (m, sd) = aulc_summary(&runs);
        assert!((m - 0.7).abs() < 1e-12 && (sd - 0.02_f64.sqrt()).abs() < 1e-12);
    }
}
