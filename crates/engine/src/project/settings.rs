//! How the session runs, by name: the strategy and the model with default parameters.

use super::ProjectError;
use crate::data::DataError;
use crate::models::ModelKind;
use crate::session::{ColdStart, SessionConfig, SessionError};
use crate::strategies::batch::BatchDiversity;
use crate::strategies::StrategyKind;
use serde::{Deserialize, Serialize};

fn default_batch_factor() -> usize {
    SessionConfig::default().batch_factor
}

/// How the session runs, by name (see [`Settings::to_config`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The strategy, with default parameters (its short name in files).
    pub strategy: StrategyKind,
    /// The model, with default hyperparameters (its short name in files).
    pub model: ModelKind,
    /// Rows per round.
    pub batch_size: usize,
    /// How batches are spread (`"KCenter"`, `"KMeansPlusPlus"`, or `null` for plain top-k).
    pub batch_diversity: Option<BatchDiversity>,
    /// Candidates per pick for `batch_diversity` (default 10).
    #[serde(default = "default_batch_factor")]
    pub batch_factor: usize,
    /// The first picks: `"Random"` or `"KMeansPlusPlus"`.
    pub cold_start: ColdStart,
    /// Share of probe queries (0 to 0.5).
    pub probe_share: f64,
    /// The session seed (split, seed labels, draws).
    pub seed: u64,
    /// Share of each class held out for testing.
    pub test_fraction: f64,
}

impl Settings {
    /// The session configuration these settings name, checked.
    ///
    /// ```
    /// use engine::models::ModelKind;
    /// use engine::project::Settings;
    /// use engine::session::SessionConfig;
    /// use engine::strategies::StrategyKind;
    /// let s = Settings::from_config(&SessionConfig::default()).unwrap();
    /// assert_eq!((s.strategy, s.model), (StrategyKind::Margin, ModelKind::Logistic));
    /// assert_eq!(s.to_config().unwrap(), SessionConfig::default());
    /// let bad = Settings { test_fraction: 1.5, ..s };
    /// assert!(bad.to_config().is_err());
    /// ```
    pub fn to_config(&self) -> Result<SessionConfig, ProjectError> {
        let strategy = self.strategy.strategy();
        let model = self.model.spec();
        if !(self.test_fraction > 0.0 && self.test_fraction < 1.0) {
            return Err(ProjectError::Settings(SessionError::Data(
                DataError::BadFraction {
                    fraction: self.test_fraction,
                },
            )));
        }
        let config = SessionConfig {
            seed: self.seed,
            replicate: 0,
            test_fraction: self.test_fraction,
            strategy,
            model,
            batch_size: self.batch_size,
            batch_diversity: self.batch_diversity,
            batch_factor: self.batch_factor,
            cold_start: self.cold_start,
            probe_share: self.probe_share,
        };
        config.check().map_err(ProjectError::Settings)?;
        Ok(config)
    }

    /// The settings of a session configuration; refused when a name would not bring it back
    /// (strategy parameters or model hyperparameters other than the defaults, a replicate
    /// other than 0).
    pub fn from_config(config: &SessionConfig) -> Result<Self, ProjectError> {
        let strategy = config.strategy.kind();
        if strategy.strategy() != config.strategy {
            return Err(ProjectError::Unrepresentable {
                what: format!("the strategy '{strategy}' has parameters other than its defaults"),
            });
        }
        let model = config
            .model
            .kind()
            .ok_or_else(|| ProjectError::Unrepresentable {
                what: format!(
                    "the model '{}' has hyperparameters other than its defaults",
                    config.model.label()
                ),
            })?;
        if config.replicate != 0 {
            return Err(ProjectError::Unrepresentable {
                what: format!(
                    "replicate {} is a simulation setting (projects hold replicate 0)",
                    config.replicate
                ),
            });
        }
        Ok(Self::named(strategy, model, config))
    }

    /// The settings of `config` with the strategy and model named `strategy` and `model` (their
    /// parameters, and the replicate, are not kept).
    pub fn named(strategy: StrategyKind, model: ModelKind, config: &SessionConfig) -> Self {
        Self {
            strategy,
            model,
            batch_size: config.batch_size,
            batch_diversity: config.batch_diversity,
            batch_factor: config.batch_factor,
            cold_start: config.cold_start,
            probe_share: config.probe_share,
            seed: config.seed,
            test_fraction: config.test_fraction,
        }
    }
}

impl Default for Settings {
    /// The settings of [`SessionConfig::default`]: margin sampling, logistic regression, one
    /// sample at a time, k-means++ first picks, no probes, seed 0, 30 % test split.
    fn default() -> Self {
        let config = SessionConfig::default();
        Self::named(config.strategy.kind(), ModelKind::Logistic, &config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::knn::KnnParams;
    use crate::models::ModelSpec;
    use crate::names::Named;

    #[test]
    fn settings_that_a_name_cannot_hold_are_refused() {
        let config = SessionConfig {
            model: ModelSpec::Knn(KnnParams::default().k(3)),
            ..SessionConfig::default()
        };
        assert!(matches!(
            Settings::from_config(&config),
            Err(ProjectError::Unrepresentable { .. })
        ));
        let config = SessionConfig {
            replicate: 2,
            ..SessionConfig::default()
        };
        assert!(Settings::from_config(&config).is_err());
        for &kind in StrategyKind::ALL {
            let config = SessionConfig {
                strategy: kind.strategy(),
                ..SessionConfig::default()
            };
            assert_eq!(
                Settings::from_config(&config).unwrap().to_config().unwrap(),
                config
            );
        }
        for &kind in ModelKind::ALL {
            let config = SessionConfig {
                model: kind.spec(),
                ..SessionConfig::default()
            };
            assert_eq!(Settings::from_config(&config).unwrap().model, kind);
        }
    }
}
