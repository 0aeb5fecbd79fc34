//! How a session runs: the strategy, the model, the batch, the first picks and the probes.

use super::SessionError;
use crate::models::logistic::LogisticParams;
use crate::models::ModelSpec;
use crate::strategies::batch::BatchDiversity;
use crate::strategies::Strategy;
use serde::{Deserialize, Serialize};

/// The largest [`SessionConfig::probe_share`] allowed: at least half the queries stay the
/// strategy's.
pub const MAX_PROBE_SHARE: f64 = 0.5;

/// How the first picks are made when nothing is labeled yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColdStart {
    /// Uniformly random rows.
    Random,
    /// k-means++ seeding over the pool
    /// ([`cold_start`](crate::strategies::diversity::cold_start)): spread-out, representative rows.
    KMeansPlusPlus,
}

/// How a session runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionConfig {
    /// Seeds the split and the seed labels.
    pub seed: u64,
    /// Seeds the query draws (random strategy, tie-breaks) on top of `seed`: runs with the same
    /// `seed` and different `replicate` share the split and seed labels.
    pub replicate: u64,
    /// Share of each class held out as the test split.
    pub test_fraction: f64,
    /// How the next sample is picked.
    pub strategy: Strategy,
    /// The model and its hyperparameters.
    pub model: ModelSpec,
    /// Rows picked per round (1 = one at a time).
    pub batch_size: usize,
    /// With `batch_size > 1`: spread each batch over the `batch_factor × batch_size` best rows
    /// (`None` = plain top-k). Core-set and ranked batch are diverse by construction.
    pub batch_diversity: Option<BatchDiversity>,
    /// Candidates per pick for `batch_diversity`.
    pub batch_factor: usize,
    /// How to pick when nothing is labeled.
    pub cold_start: ColdStart,
    /// The chance (0 to [`MAX_PROBE_SHARE`]) that a round's query is a uniformly random pool row
    /// (a probe) instead of the strategy's pick; 0 = never (the default).
    #[serde(default)]
    pub probe_share: f64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            replicate: 0,
            test_fraction: 0.3,
            strategy: Strategy::Margin,
            model: ModelSpec::Logistic(LogisticParams::default()),
            batch_size: 1,
            batch_diversity: None,
            batch_factor: 10,
            cold_start: ColdStart::KMeansPlusPlus,
            probe_share: 0.0,
        }
    }
}

impl SessionConfig {
    /// Check what can be checked without data: the model's hyperparameters, the batch size and
    /// the probe share.
    ///
    /// ```
    /// use engine::session::SessionConfig;
    /// assert!(SessionConfig::default().check().is_ok());
    /// let bad = SessionConfig { probe_share: 0.9, ..SessionConfig::default() };
    /// assert_eq!(
    ///     bad.check().unwrap_err().to_string(),
    ///     "the probe share must be between 0 and 0.5, got 0.9"
    /// );
    /// ```
    pub fn check(&self) -> Result<(), SessionError> {
        self.model.check()?;
        if self.batch_size == 0 {
            return Err(SessionError::BadBatchSize { batch_size: 0 });
        }
        if !(0.0..=MAX_PROBE_SHARE).contains(&self.probe_share) {
            return Err(SessionError::BadProbeShare {
                share: self.probe_share,
            });
        }
        Ok(())
    }
}
