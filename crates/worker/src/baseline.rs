//! The "random, same labels" baseline, computed a round at a time between the person's answers:
//! the mean curve of [`BASELINE_RUNS`] random-sampling runs from the session's split and seed
//! labels. On a large dataset it runs on a seeded sample of the pool and of the test split (it
//! only feeds a chart, which says so), so neither its time nor its memory grows with the file.

use crate::protocol::{BASELINE_BUDGET, BASELINE_RUNS};
use crate::views::BaselineView;
use engine::data::Dataset;
use engine::session::{ColdStart, Event, Origin, Session, SessionConfig};
use engine::simulation::{mean_curve, OracleRun, Run, RunOptions, SeedSet};
use engine::strategies::Strategy;
use rand::seq::index::sample;

/// The most pool rows the baseline draws from (the seed labels always among them).
pub const BASELINE_POOL_ROWS: usize = 5_000;
/// The most test rows the baseline is scored on.
pub const BASELINE_TEST_ROWS: usize = 2_000;
/// The stream of the baseline's row sample.
const STREAM_BASELINE_SAMPLE: u64 = 1 << 60;

/// A baseline under way.
#[derive(Debug)]
pub struct BaselineJob {
    /// The rows it runs on (the session's dataset, or a sample of its rows).
    data: Dataset,
    /// Its split and seed labels, in `data`'s rows.
    set: SeedSet,
    /// The session's configuration with random sampling.
    config: SessionConfig,
    current: Option<OracleRun>,
    runs: Vec<Run>,
}

impl BaselineJob {
    /// The baseline of `session`, or `None` when there is nothing to simulate (no test labels, or
    /// fewer than two classes).
    pub(crate) fn new(session: &Session) -> Option<Self> {
        let data = session.data();
        let split = session.split();
        if data.n_classes() < 2 || split.test.is_empty() {
            return None;
        }
        let seeds: Vec<usize> = session
            .log()
            .iter()
            .filter_map(|e| match e {
                Event::Label {
                    row,
                    origin: Origin::Seed,
                    ..
                } => Some(*row),
                _ => None,
            })
            .collect();
        // Random from the first label: a k-means cold start is part of what the person's session
        // is compared against, not of the baseline.
        let config = SessionConfig {
            strategy: Strategy::Random,
            cold_start: ColdStart::Random,
            ..session.config().clone()
        };
        let seed = config.seed;
        let small =
            split.pool.len() <= BASELINE_POOL_ROWS && split.test.len() <= BASELINE_TEST_ROWS;
        if small {
            return Some(Self {
                data: data.clone(),
                set: SeedSet {
                    seed,
                    pool: split.pool.clone(),
                    test: split.test.clone(),
                    initial: seeds,
                },
                config,
                current: None,
                runs: Vec::new(),
            });
        }
        // A seeded sample: the seed labels, then other pool rows, then test rows.
        let mut draw = engine::rng(seed, STREAM_BASELINE_SAMPLE);
        let others: Vec<usize> = split
            .pool
            .iter()
            .copied()
            .filter(|r| !seeds.contains(r))
            .collect();
        let room = BASELINE_POOL_ROWS
            .saturating_sub(seeds.len())
            .min(others.len());
        let mut pool_rows = seeds.clone();
        pool_rows.extend(
            sample(&mut draw, others.len(), room)
                .into_iter()
                .map(|i| others[i]),
        );
        let n_test = BASELINE_TEST_ROWS.min(split.test.len());
        let test_rows: Vec<usize> = sample(&mut draw, split.test.len(), n_test)
            .into_iter()
            .map(|i| split.test[i])
            .collect();
        let rows: Vec<usize> = pool_rows.iter().chain(&test_rows).copied().collect();
        let subset = Dataset::new(
            &data.name,
            data.feature_names.clone(),
            data.features.select(ndarray::Axis(0), &rows),
            data.class_names.clone(),
            rows.iter().map(|&r| data.known_labels[r]).collect(),
        )
        .ok()?;
        let n_pool = pool_rows.len();
        Some(Self {
            data: subset,
            set: SeedSet {
                seed,
                pool: (0..n_pool).collect(),
                test: (n_pool..rows.len()).collect(),
                initial: (0..seeds.len()).collect(),
            },
            config,
            current: None,
            runs: Vec::new(),
        })
    }

    /// One round of the run under way (starting the next run when one is done). The view to show
    /// when a run has just finished (the mean of the runs so far); `Ok(None)` otherwise.
    pub(crate) fn step(&mut self) -> Result<Option<BaselineView>, String> {
        if self.done() {
            return Ok(None);
        }
        let run = match &mut self.current {
            Some(run) => run,
            None => {
                let config = SessionConfig {
                    replicate: self.runs.len() as u64 + 1,
                    ..self.config.clone()
                };
                let options = RunOptions {
                    budget: BASELINE_BUDGET,
                    noise: 0.0,
                };
                self.current.insert(
                    OracleRun::new(self.data.clone(), &config, Some(&self.set), options)
                        .map_err(|e| e.to_string())?,
                )
            }
        };
        if run.step().map_err(|e| e.to_string())? {
            return Ok(None);
        }
        if let Some(run) = self.current.take() {
            self.runs.push(run.finish());
        }
        Ok(Some(BaselineView {
            strategy: Strategy::Random.label().to_string(),
            runs: self.runs.len() as u64,
            curve: mean_curve(&self.runs),
            pool_rows: self.set.pool.len(),
            test_rows: self.set.test.len(),
        }))
    }

    /// Whether every run is done.
    pub(crate) fn done(&self) -> bool {
        self.runs.len() as u64 >= BASELINE_RUNS
    }
}
