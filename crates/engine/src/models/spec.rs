//! One name for every model, so a session can switch models: spec → checked → fitted.

use super::knn::{CheckedKnn, Knn, KnnParams, KnnWeights};
use super::logistic::{CheckedLogistic, LogisticParams, LogisticRegression};
use super::mlp::{CheckedMlp, Mlp, MlpParams};
use super::naive_bayes::{CheckedGaussianNb, GaussianNb, GaussianNbParams};
use super::{Classifier, ModelError};
use crate::names::{named_serde, Named};
use crate::EngineRng;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// Any model of [`crate::models`] with its (unchecked) hyperparameters.
///
/// ```
/// use ndarray::array;
/// use engine::{rng, models::{Classifier, ModelSpec, knn::KnnParams}};
/// let x = array![[0.0], [1.0], [5.0], [6.0]];
/// let y = [0, 0, 1, 1];
/// for spec in ModelSpec::all_defaults() {
///     let fitted = spec.check().unwrap().fit(x.view(), &y, 2, None, &mut rng(0, 0)).unwrap();
///     assert_eq!(fitted.n_classes(), 2, "{}", spec.label());
/// }
/// let knn = ModelSpec::Knn(KnnParams::default().k(3));
/// assert_eq!(knn.label(), "k-NN (k = 3, distance-weighted)");
/// let json = serde_json::to_string(&knn).unwrap();
/// assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), knn);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelSpec {
    /// Multinomial logistic regression ([`super::logistic`]).
    Logistic(LogisticParams),
    /// Gaussian naive Bayes ([`super::naive_bayes`]).
    GaussianNb(GaussianNbParams),
    /// k-nearest neighbours ([`super::knn`]).
    Knn(KnnParams),
    /// One-hidden-layer neural network ([`super::mlp`]).
    Mlp(MlpParams),
}

/// The kinds of model, which a spec and a fitted model share with their names.
#[derive(Clone, Copy)]
enum Kind {
    Logistic,
    GaussianNb,
    Knn,
    Mlp,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Logistic => "Logistic regression",
            Kind::GaussianNb => "Naive Bayes",
            Kind::Knn => "k-NN",
            Kind::Mlp => "Neural network",
        }
    }
}

impl Default for ModelSpec {
    fn default() -> Self {
        Self::Logistic(LogisticParams::default())
    }
}

impl ModelSpec {
    /// Every model with its default hyperparameters, in menu order.
    pub fn all_defaults() -> [ModelSpec; 4] {
        [
            Self::Logistic(LogisticParams::default()),
            Self::GaussianNb(GaussianNbParams::default()),
            Self::Knn(KnnParams::default()),
            Self::Mlp(MlpParams::default()),
        ]
    }

    /// Validate the hyperparameters.
    pub fn check(&self) -> Result<CheckedModel, ModelError> {
        Ok(match self {
            Self::Logistic(p) => CheckedModel::Logistic(p.check()?),
            Self::GaussianNb(p) => CheckedModel::GaussianNb(p.check()?),
            Self::Knn(p) => CheckedModel::Knn(p.check()?),
            Self::Mlp(p) => CheckedModel::Mlp(p.check()?),
        })
    }

    /// A short name for menus: "Logistic regression", "Naive Bayes", "k-NN", "Neural network".
    pub fn name(&self) -> &'static str {
        let kind = match self {
            Self::Logistic(_) => Kind::Logistic,
            Self::GaussianNb(_) => Kind::GaussianNb,
            Self::Knn(_) => Kind::Knn,
            Self::Mlp(_) => Kind::Mlp,
        };
        kind.name()
    }

    /// The name with the hyperparameter that matters most, e.g. "k-NN (k = 5, distance-weighted)".
    pub fn label(&self) -> String {
        match self {
            Self::Logistic(p) => format!("Logistic regression (C = {})", p.c_value()),
            Self::GaussianNb(p) if p.priors.is_some() => "Naive Bayes (fixed priors)".to_string(),
            Self::GaussianNb(_) => "Naive Bayes (Gaussian)".to_string(),
            Self::Knn(p) => format!(
                "k-NN (k = {}, {})",
                p.k,
                match p.weights {
                    KnnWeights::Uniform => "uniform",
                    KnnWeights::Distance => "distance-weighted",
                }
            ),
            Self::Mlp(p) => format!("Neural network ({} hidden units)", p.hidden),
        }
    }
}

/// Validated hyperparameters of any model: the only way to fit one.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckedModel {
    /// Multinomial logistic regression.
    Logistic(CheckedLogistic),
    /// Gaussian naive Bayes.
    GaussianNb(CheckedGaussianNb),
    /// k-nearest neighbours.
    Knn(CheckedKnn),
    /// One-hidden-layer neural network.
    Mlp(CheckedMlp),
}

impl CheckedModel {
    /// Fit on rows `x` with labels `y` in `0..n_classes`. `warm` (the previous round's model) is
    /// used by logistic regression and the MLP when it is the same kind of model with the same
    /// shape, and ignored otherwise; `rng` is used by the MLP only.
    ///
    /// ```
    /// use ndarray::array;
    /// use engine::{rng, models::{Classifier, ModelSpec}};
    /// let x = array![[-1.0], [1.0]];
    /// let model = ModelSpec::default().check().unwrap();
    /// let first = model.fit(x.view(), &[0, 1], 2, None, &mut rng(0, 0)).unwrap();
    /// let again = model.fit(x.view(), &[0, 1], 2, Some(&first), &mut rng(0, 0)).unwrap();
    /// assert_eq!(again.predict(x.view()), vec![0, 1]);
    /// ```
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        n_classes: usize,
        warm: Option<&FittedModel>,
        rng: &mut EngineRng,
    ) -> Result<FittedModel, ModelError> {
        Ok(match self {
            Self::Logistic(m) => {
                let warm = match warm {
                    Some(FittedModel::Logistic(w)) => Some(w),
                    _ => None,
                };
                FittedModel::Logistic(m.fit(x, y, n_classes, warm)?)
            }
            Self::GaussianNb(m) => FittedModel::GaussianNb(m.fit(x, y, n_classes)?),
            Self::Knn(m) => FittedModel::Knn(m.fit(x, y, n_classes)?),
            Self::Mlp(m) => {
                let warm = match warm {
                    Some(FittedModel::Mlp(w)) => Some(w),
                    _ => None,
                };
                FittedModel::Mlp(m.fit(x, y, n_classes, warm, rng)?)
            }
        })
    }
}

/// A fitted model of any kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FittedModel {
    /// Multinomial logistic regression.
    Logistic(LogisticRegression),
    /// Gaussian naive Bayes.
    GaussianNb(GaussianNb),
    /// k-nearest neighbours.
    Knn(Knn),
    /// One-hidden-layer neural network.
    Mlp(Mlp),
}

impl FittedModel {
    /// The short name of the model kind (as [`ModelSpec::name`]).
    pub fn name(&self) -> &'static str {
        self.inner().0.name()
    }

    fn inner(&self) -> (Kind, &dyn Classifier) {
        match self {
            Self::Logistic(m) => (Kind::Logistic, m),
            Self::GaussianNb(m) => (Kind::GaussianNb, m),
            Self::Knn(m) => (Kind::Knn, m),
            Self::Mlp(m) => (Kind::Mlp, m),
        }
    }
}

impl Classifier for FittedModel {
    fn n_classes(&self) -> usize {
        self.inner().1.n_classes()
    }

    fn n_features(&self) -> Option<usize> {
        self.inner().1.n_features()
    }

    fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        self.inner().1.predict_proba(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;
    use ndarray::array;

    #[test]
    fn names_and_labels() {
        let names: Vec<&str> = ModelSpec::all_defaults().iter().map(|s| s.name()).collect();
        assert_eq!(
            names,
            [
                "Logistic regression",
                "Naive Bayes",
                "k-NN",
                "Neural network"
            ]
        );
        let labels: Vec<String> = ModelSpec::all_defaults()
            .iter()
            .map(|s| s.label())
            .collect();
        assert_eq!(
            labels,
            [
                "Logistic regression (C = 1)",
                "Naive Bayes (Gaussian)",
                "k-NN (k = 5, distance-weighted)",
                "Neural network (64 hidden units)"
            ]
        );
    }

    #[test]
    fn warm_start_of_another_kind_is_ignored() {
        let x = array![[-1.0], [-0.5], [0.5], [1.0]];
        let y = [0, 0, 1, 1];
        let knn = ModelSpec::Knn(KnnParams::default())
            .check()
            .unwrap()
            .fit(x.view(), &y, 2, None, &mut rng(0, 0))
            .unwrap();
        let logistic = ModelSpec::default().check().unwrap();
        let cold = logistic.fit(x.view(), &y, 2, None, &mut rng(0, 0)).unwrap();
        let warm = logistic
            .fit(x.view(), &y, 2, Some(&knn), &mut rng(0, 0))
            .unwrap();
        assert_eq!(cold, warm);
        assert_eq!(knn.name(), "k-NN");
        assert_eq!(knn.n_features(), Some(1));
    }

    #[test]
    fn bad_hyperparameters_surface_through_the_spec() {
        assert_eq!(
            ModelSpec::Knn(KnnParams::default().k(0)).check(),
            Err(ModelError::InvalidK { k: 0 })
        );
        assert!(ModelSpec::Logistic(LogisticParams::default().c(-1.0))
            .check()
            .is_err());
    }

    #[test]
    fn specs_deserialize_with_missing_fields_as_defaults() {
        let spec: ModelSpec = serde_json::from_str(r#"{"Mlp":{"hidden":8}}"#).unwrap();
        assert_eq!(spec, ModelSpec::Mlp(MlpParams::default().hidden(8)));
        let spec: ModelSpec = serde_json::from_str(r#"{"Knn":{"weights":"Uniform"}}"#).unwrap();
        assert_eq!(
            spec,
            ModelSpec::Knn(KnnParams::default().weights(KnnWeights::Uniform))
        );
    }
}

/// A model as a person chooses it: by name, with its default hyperparameters
/// ([`ModelKind::spec`]). Its serde form is its short name (`logistic`, `naive_bayes`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelKind {
    Logistic,
    NaiveBayes,
    Knn,
    Mlp,
}

impl Named for ModelKind {
    const WHAT: (&'static str, &'static str) = ("model", "models");
    const ALL: &'static [Self] = &[Self::Logistic, Self::NaiveBayes, Self::Knn, Self::Mlp];

    fn name(self) -> &'static str {
        match self {
            Self::Logistic => "logistic",
            Self::NaiveBayes => "naive_bayes",
            Self::Knn => "knn",
            Self::Mlp => "mlp",
        }
    }
}

named_serde!(ModelKind);

impl ModelKind {
    /// The model with its default hyperparameters.
    ///
    /// ```
    /// use engine::models::{ModelKind, ModelSpec};
    /// let knn = ModelKind::Knn.spec();
    /// assert_eq!(knn.kind(), Some(ModelKind::Knn));
    /// assert!("svm".parse::<ModelKind>().unwrap_err().starts_with("unknown model 'svm'"));
    /// ```
    pub fn spec(self) -> ModelSpec {
        match self {
            Self::Logistic => ModelSpec::Logistic(LogisticParams::default()),
            Self::NaiveBayes => ModelSpec::GaussianNb(GaussianNbParams::default()),
            Self::Knn => ModelSpec::Knn(KnnParams::default()),
            Self::Mlp => ModelSpec::Mlp(MlpParams::default()),
        }
    }

    /// Its name in the menus.
    pub fn label(self) -> &'static str {
        match self {
            Self::Logistic => "Logistic regression",
            Self::NaiveBayes => "Naive Bayes",
            Self::Knn => "k-NN",
            Self::Mlp => "Neural network",
        }
    }
}

impl ModelSpec {
    /// The named model this is, when its hyperparameters are the defaults (`None` otherwise: a
    /// name would not bring them back).
    pub fn kind(&self) -> Option<ModelKind> {
        ModelKind::ALL.iter().copied().find(|k| k.spec() == *self)
    }
}
