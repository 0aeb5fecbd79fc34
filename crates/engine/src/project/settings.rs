//! How the session runs, by name: the strategy and the model with default parameters.

use super::ProjectError;
use crate::data::DataError;
use crate::models::knn::KnnParams;
use crate::models::logistic::LogisticParams;
use crate::models::mlp::MlpParams;
use crate::models::naive_bayes::GaussianNbParams;
use crate::models::ModelSpec;
use crate::session::{ColdStart, SessionConfig, SessionError};
use crate::strategies::batch::BatchDiversity;
use crate::strategies::{Strategy, STRATEGY_NAMES};
use serde::{Deserialize, Serialize};

/// The model names of [`Settings::model`], with their display names (the worker's menu names).
pub const MODEL_NAMES: [(&str, &str); 4] = [
    ("logistic", "Logistic regression"),
    ("naive_bayes", "Naive Bayes"),
    ("knn", "k-NN"),
    ("mlp", "Neural network"),
];

/// The model a [`MODEL_NAMES`] name means, with default hyperparameters.
///
/// ```
/// use engine::project::{model_by_name, model_name};
/// let knn = model_by_name("knn").unwrap();
/// assert_eq!(model_name(&knn), Some("knn"));
/// assert!(model_by_name("svm").is_none());
/// ```
pub fn model_by_name(name: &str) -> Option<ModelSpec> {
    Some(match name {
        "logistic" => ModelSpec::Logistic(LogisticParams::default()),
        "naive_bayes" => ModelSpec::GaussianNb(GaussianNbParams::default()),
        "knn" => ModelSpec::Knn(KnnParams::default()),
        "mlp" => ModelSpec::Mlp(MlpParams::default()),
        _ => return None,
    })
}

/// The [`MODEL_NAMES`] name of a model with default hyperparameters (`None` for other
/// hyperparameters: a name would not bring them back).
pub fn model_name(spec: &ModelSpec) -> Option<&'static str> {
    MODEL_NAMES
        .iter()
        .map(|(name, _)| *name)
        .find(|name| model_by_name(name).as_ref() == Some(spec))
}

fn default_batch_factor() -> usize {
    SessionConfig::default().batch_factor
}

/// How the session runs, by name (see [`Settings::to_config`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// A [`Strategy::from_name`] name (default parameters).
    pub strategy: String,
    /// A [`MODEL_NAMES`] name (default hyperparameters).
    pub model: String,
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
    /// use engine::project::Settings;
    /// use engine::session::SessionConfig;
    /// let s = Settings::from_config(&SessionConfig::default()).unwrap();
    /// assert_eq!((s.strategy.as_str(), s.model.as_str()), ("margin", "logistic"));
    /// assert_eq!(s.to_config().unwrap(), SessionConfig::default());
    /// let bad = Settings { model: "svm".into(), ..s };
    /// assert!(bad.to_config().unwrap_err().to_string().starts_with("unknown model 'svm'"));
    /// ```
    pub fn to_config(&self) -> Result<SessionConfig, ProjectError> {
        let strategy =
            Strategy::from_name(&self.strategy).ok_or_else(|| ProjectError::UnknownStrategy {
                name: self.strategy.clone(),
                known: STRATEGY_NAMES.join(", "),
            })?;
        let model = model_by_name(&self.model).ok_or_else(|| ProjectError::UnknownModel {
            name: self.model.clone(),
            known: MODEL_NAMES.map(|(n, _)| n).join(", "),
        })?;
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
        let strategy = config.strategy.name();
        if Strategy::from_name(strategy) != Some(config.strategy) {
            return Err(ProjectError::Unrepresentable {
                what: format!("the strategy '{strategy}' has parameters other than its defaults"),
            });
        }
        let model = model_name(&config.model).ok_or_else(|| ProjectError::Unrepresentable {
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

    /// The settings of `config` with the strategy and model named `strategy` and `model`.
    fn named(strategy: &str, model: &str, config: &SessionConfig) -> Self {
        Self {
            strategy: strategy.to_string(),
            model: model.to_string(),
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
        Self::named(config.strategy.name(), "logistic", &config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for name in STRATEGY_NAMES {
            let config = SessionConfig {
                strategy: Strategy::from_name(name).unwrap(),
                ..SessionConfig::default()
            };
            assert_eq!(
                Settings::from_config(&config).unwrap().to_config().unwrap(),
                config
            );
        }
        for (name, _) in MODEL_NAMES {
            let config = SessionConfig {
                model: model_by_name(name).unwrap(),
                ..SessionConfig::default()
            };
            assert_eq!(Settings::from_config(&config).unwrap().model, name);
        }
    }
}
