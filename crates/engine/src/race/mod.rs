//! Strategy races: several strategies, the same seeds, the same budget, with the known labels as
//! the oracle; the plain-words summary of who won and whether it is more than seed-to-seed noise;
//! the stream-mode comparison; the settings of a race as a shareable URL query.
//!
//! Everything here is pure: a race is a function of the dataset and its [`RaceSettings`], so a
//! replay link (the settings as a URL query, [`RaceSettings::to_query`]) gives the same curves on
//! any machine.
//!
//! **Paired test.** Each seed gives every strategy the same split, the same seed labels and the
//! same noisy oracle, so the per-seed AULC differences `dᵢ = AULC(strategy, seedᵢ) − AULC(random,
//! seedᵢ)` are paired. The summary runs Student's paired t-test on them (two-sided, `n − 1`
//! degrees of freedom, as `scipy.stats.ttest_rel`): `t = mean(d) / (sd(d) / √n)`. A p-value below
//! 0.05 is reported as "larger than the seed-to-seed spread".

mod settings;
mod stats;
mod stream;
mod summary;

pub use self::settings::{RaceSettings, MAX_BUDGET, MAX_SEEDS};
pub use self::stats::{paired_t_test, t_two_sided, PairedTest};
pub use self::stream::{compare_stream, StreamContender, StreamCurve};
pub use self::summary::{
    strategy_curve, summarize, Comparison, RaceSummary, StrategyCurve, StrategyRuns,
};

use crate::data::Dataset;
use crate::models::ModelSpec;
use crate::rng;
use crate::session::{SessionConfig, SessionError};
use crate::simulation::{run, seed_set, with_imbalance, Run, RunOptions};
use crate::strategies::Strategy;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// The random stream that draws the extra cold-start labels.
const STREAM_COLD: u64 = 6;

/// The significance level of the paired test.
pub const ALPHA: f64 = 0.05;

/// What can go wrong in a race: the settings or the data break a rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum RaceError {
    /// A setting is out of its range.
    #[error("the race setting '{name}' is {value}: {rule}")]
    BadSetting {
        name: String,
        value: String,
        rule: String,
    },
    /// The replay link cannot be read.
    #[error("the replay link cannot be read: {reason}")]
    BadLink { reason: String },
    /// The random baseline is missing from the results.
    #[error("the race has no random runs to compare with")]
    NoRandom,
    /// The engine refused a run: the session's message. Kept as text, so that the settings
    /// checks the page runs too ([`RaceSettings::check`], [`RaceSettings::from_query`]) do not
    /// pull every session and import message into the page's wasm (docs/size.md).
    #[error("{0}")]
    Session(String),
}

impl From<SessionError> for RaceError {
    fn from(e: SessionError) -> Self {
        RaceError::Session(e.to_string())
    }
}

fn bad(name: &str, value: impl ToString, rule: &str) -> RaceError {
    RaceError::BadSetting {
        name: name.to_string(),
        value: value.to_string(),
        rule: rule.to_string(),
    }
}

/// The dataset fingerprint of run logs: [`crate::project::fingerprint`] (one hash for
/// projects and runs).
pub use crate::project::fingerprint;

/// The dataset a race runs on for one seed: the class-imbalanced copy when asked for.
pub fn race_data(data: &Dataset, settings: &RaceSettings, seed: u64) -> Result<Dataset, RaceError> {
    if settings.imbalance < 1.0 {
        Ok(with_imbalance(data, settings.imbalance, seed)?)
    } else {
        Ok(data.clone())
    }
}

/// One run of a race: `strategy` on `seed`, on `data` as [`race_data`] made it for that seed.
/// Every strategy of a seed shares the split, the seed labels and the oracle's noise draws.
///
/// ```
/// use engine::data::import::{parse_csv, CsvOptions};
/// use engine::models::ModelSpec;
/// use engine::race::{race_run, RaceSettings};
/// use engine::strategies::Strategy;
/// let csv = "a,y\n0,n\n0.1,n\n0.2,n\n0.3,n\n1,p\n1.1,p\n1.2,p\n1.3,p\n";
/// let data = parse_csv(csv.as_bytes(), &CsvOptions::named("toy")).unwrap();
/// let settings = RaceSettings { budget: 4, ..RaceSettings::default() };
/// let model = ModelSpec::all_defaults()[0].clone();
/// let run = race_run(&data, &settings, &model, Strategy::Margin, 1).unwrap();
/// assert_eq!(run.order.len(), 4);
/// ```
pub fn race_run(
    data: &Dataset,
    settings: &RaceSettings,
    model: &ModelSpec,
    strategy: Strategy,
    seed: u64,
) -> Result<Run, RaceError> {
    let config = SessionConfig {
        seed,
        strategy,
        model: model.clone(),
        batch_size: settings.batch.max(1),
        ..SessionConfig::default()
    };
    let mut set = seed_set(data, &config)?;
    if settings.cold_start > set.initial.len() {
        let mut extra: Vec<usize> = set
            .pool
            .iter()
            .copied()
            .filter(|r| !set.initial.contains(r) && data.known_labels[*r].is_some())
            .collect();
        extra.shuffle(&mut rng(seed, STREAM_COLD));
        extra.truncate(settings.cold_start - set.initial.len());
        set.initial.extend(extra);
    }
    Ok(run(
        data,
        &config,
        Some(&set),
        RunOptions {
            budget: settings.budget,
            noise: settings.noise,
        },
    )?)
}

/// Run a whole race, calling `progress` after every run with the runs so far (seeds outer,
/// strategies inner, so every curve grows together); returns the runs per strategy.
pub fn run_race(
    data: &Dataset,
    settings: &RaceSettings,
    progress: &mut dyn FnMut(&[StrategyRuns], usize, usize),
) -> Result<Vec<StrategyRuns>, RaceError> {
    let mut settings = settings.clone();
    settings.check()?;
    let model = settings.model.spec();
    let strategies: Vec<Strategy> = settings.strategies.iter().map(|k| k.strategy()).collect();
    let mut out: Vec<StrategyRuns> = settings
        .strategies
        .iter()
        .map(|&strategy| StrategyRuns {
            strategy,
            runs: Vec::new(),
        })
        .collect();
    let total = settings.seeds.len() * strategies.len();
    let mut done = 0;
    for &seed in &settings.seeds {
        let seeded = race_data(data, &settings, seed)?;
        for (i, &strategy) in strategies.iter().enumerate() {
            out[i]
                .runs
                .push(race_run(&seeded, &settings, &model, strategy, seed)?);
            done += 1;
            progress(&out, done, total);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::StrategyKind;
    use crate::testing::iris;

    #[test]
    fn fingerprint_is_fnv1a() {
        assert_eq!(fingerprint(b"foobar"), "fnv1a64-85944171f73967e8-6");
    }

    #[test]
    fn an_iris_race_is_deterministic_and_margin_beats_random() {
        let settings = RaceSettings {
            strategies: vec![StrategyKind::Margin, StrategyKind::Random],
            seeds: vec![1, 2, 3],
            budget: 30,
            ..RaceSettings::default()
        };
        let mut calls = 0;
        let runs = run_race(&iris(), &settings, &mut |_, done, total| {
            calls += 1;
            assert_eq!(total, 6);
            assert_eq!(done, calls);
        })
        .unwrap();
        assert_eq!(calls, 6);
        let again = run_race(&iris(), &settings, &mut |_, _, _| {}).unwrap();
        assert_eq!(runs, again, "same settings, same curves");
        let curves: Vec<StrategyCurve> = runs.iter().map(strategy_curve).collect();
        assert_eq!(curves[0].stats.last().unwrap().n_labels, 30);
        let summary = summarize(&curves).unwrap();
        let margin = &summary.comparisons[0];
        assert!(margin.aulc_diff > 0.0, "{margin:?}");
        assert!(margin.labels_to_reach.is_some());
        assert_eq!(summary.sentences.len(), 2);
    }

    #[test]
    fn cold_start_noise_and_imbalance_change_the_run() {
        let model = ModelSpec::all_defaults()[0].clone();
        let base = RaceSettings::default();
        let plain = race_run(&iris(), &base, &model, Strategy::Margin, 4).unwrap();
        let cold = RaceSettings {
            cold_start: 8,
            ..base.clone()
        };
        let run = race_run(&iris(), &cold, &model, Strategy::Margin, 4).unwrap();
        assert_eq!(run.curve[0].n_labels, 8);
        assert_eq!(plain.curve[0].n_labels, 3);
        let skew = RaceSettings {
            imbalance: 0.3,
            ..base.clone()
        };
        let data = race_data(&iris(), &skew, 4).unwrap();
        assert!(data.n_rows() < 150);
        assert!(race_run(&data, &skew, &model, Strategy::Random, 4).is_ok());
    }
}
