//! A committee for query-by-committee: copies of one model fitted on bootstrap resamples.
//!
//! Query-by-committee (Seung, Opper & Sompolinsky, *Query by committee*, COLT 1992) asks where
//! the members of a committee disagree most; query-by-bagging (Abe & Mamitsuka, *Query learning
//! strategies using boosting and bagging*, ICML 1998) builds the committee by fitting the same
//! model on bootstrap resamples (rows drawn with replacement, as many as there are labeled rows).
//! The disagreement scores themselves live in `engine::strategies::committee`; this module only
//! fits the members and returns their probabilities.
//!
//! A resample may miss a class (or hold one class only): that is fine, because every model keeps
//! all dataset classes, so every member's probabilities have the same `n_classes` columns.

use super::{
    index_below, validate_training, CheckedModel, Classifier, FittedModel, ModelError, ModelSpec,
};
use crate::EngineRng;
use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// Hyperparameters of a [`Committee`], unchecked.
///
/// ```
/// use engine::models::{ModelSpec, committee::CommitteeParams};
/// let params = CommitteeParams { base: ModelSpec::default(), members: 3 };
/// assert!(params.check().is_ok());
/// assert!(CommitteeParams { members: 1, ..CommitteeParams::default() }.check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommitteeParams {
    /// The model every member is (default: logistic regression).
    pub base: ModelSpec,
    /// Number of members (default 5, at least 2).
    pub members: usize,
}

impl Default for CommitteeParams {
    fn default() -> Self {
        Self {
            base: ModelSpec::default(),
            members: 5,
        }
    }
}

impl CommitteeParams {
    /// Validate: at least 2 members and valid base hyperparameters.
    pub fn check(&self) -> Result<CheckedCommittee, ModelError> {
        if self.members < 2 {
            return Err(ModelError::TooFewMembers {
                members: self.members,
            });
        }
        Ok(CheckedCommittee {
            base: self.base.check()?,
            members: self.members,
        })
    }
}

/// Validated committee hyperparameters: the only way to fit a committee.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedCommittee {
    base: CheckedModel,
    members: usize,
}

impl CheckedCommittee {
    /// Fit every member on its own bootstrap resample of (`x`, `y`), drawn from `rng` (which also
    /// seeds the members that need randomness). Same `rng` state → same committee.
    ///
    /// ```
    /// use ndarray::array;
    /// use engine::{rng, models::committee::CommitteeParams};
    /// let x = array![[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]];
    /// let y = [0, 0, 0, 1, 1, 1];
    /// let c = CommitteeParams::default().check().unwrap().fit(x.view(), &y, 2, &mut rng(1, 0)).unwrap();
    /// assert_eq!(c.member_probas(x.view()).len(), 5);
    /// assert_eq!(c.consensus_proba(x.view()).dim(), (6, 2));
    /// ```
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        n_classes: usize,
        rng: &mut EngineRng,
    ) -> Result<Committee, ModelError> {
        validate_training(x, y, n_classes)?;
        let n = y.len();
        let mut members = Vec::with_capacity(self.members);
        for _ in 0..self.members {
            let rows: Vec<usize> = (0..n).map(|_| index_below(rng, n)).collect();
            let xb = x.select(Axis(0), &rows);
            let yb: Vec<usize> = rows.iter().map(|&i| y[i]).collect();
            members.push(self.base.fit(xb.view(), &yb, n_classes, None, rng)?);
        }
        Ok(Committee { members })
    }
}

/// A fitted committee (at least one member; all members cover the same classes and features).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CommitteeData", into = "CommitteeData")]
pub struct Committee {
    members: Vec<FittedModel>,
}

impl Committee {
    /// The fitted members.
    pub fn members(&self) -> &[FittedModel] {
        &self.members
    }

    /// Every member's class probabilities for the rows of `x`, in member order.
    pub fn member_probas(&self, x: ArrayView2<f64>) -> Vec<Array2<f64>> {
        self.members.iter().map(|m| m.predict_proba(x)).collect()
    }

    /// The committee's consensus: the mean of the members' probabilities.
    pub fn consensus_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let mut sum = Array2::zeros((x.nrows(), self.n_classes()));
        for p in self.member_probas(x) {
            if p.dim() == sum.dim() {
                sum += &p;
            }
        }
        sum / self.members.len().max(1) as f64
    }
}

impl Classifier for Committee {
    fn n_classes(&self) -> usize {
        self.members.first().map_or(0, Classifier::n_classes)
    }

    fn n_features(&self) -> Option<usize> {
        self.members.first().and_then(Classifier::n_features)
    }

    fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        self.consensus_proba(x)
    }
}

/// The serialized form of [`Committee`], checked on the way in.
#[derive(Serialize, Deserialize)]
struct CommitteeData {
    members: Vec<FittedModel>,
}

impl From<Committee> for CommitteeData {
    fn from(c: Committee) -> Self {
        Self { members: c.members }
    }
}

impl TryFrom<CommitteeData> for Committee {
    type Error = ModelError;

    fn try_from(c: CommitteeData) -> Result<Self, ModelError> {
        let Some(first) = c.members.first() else {
            return Err(ModelError::Corrupt {
                what: "a committee without members".to_string(),
            });
        };
        let shape = (first.n_classes(), first.n_features());
        if let Some(i) = c
            .members
            .iter()
            .position(|m| (m.n_classes(), m.n_features()) != shape)
        {
            return Err(ModelError::Corrupt {
                what: format!(
                    "committee member {i} covers other classes or features than member 0"
                ),
            });
        }
        Ok(Self { members: c.members })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::knn::KnnParams;
    use crate::models::mlp::MlpParams;
    use crate::models::naive_bayes::GaussianNbParams;
    use crate::rng;
    use ndarray::array;

    fn toy() -> (Array2<f64>, Vec<usize>) {
        let x = array![
            [0.0, 0.1],
            [0.3, 0.0],
            [0.5, 0.6],
            [1.0, 1.2],
            [1.4, 0.9],
            [2.0, 2.1],
            [2.2, 1.8],
            [0.9, 0.4]
        ];
        (x, vec![0, 0, 0, 1, 1, 2, 2, 1])
    }

    #[test]
    fn members_differ_and_the_same_seed_gives_the_same_committee() {
        let (x, y) = toy();
        for base in ModelSpec::all_defaults() {
            let base = match base {
                ModelSpec::Mlp(p) => ModelSpec::Mlp(p.max_epochs(20)),
                other => other,
            };
            let params = CommitteeParams {
                base: base.clone(),
                members: 4,
            }
            .check()
            .unwrap();
            let a = params.fit(x.view(), &y, 4, &mut rng(11, 0)).unwrap();
            let b = params.fit(x.view(), &y, 4, &mut rng(11, 0)).unwrap();
            let c = params.fit(x.view(), &y, 4, &mut rng(12, 0)).unwrap();
            assert_eq!(a, b, "{}", base.label());
            assert_ne!(a, c, "{}", base.label());
            let probas = a.member_probas(x.view());
            assert_eq!(probas.len(), 4);
            assert!(
                probas.windows(2).any(|w| w[0] != w[1]),
                "{}: all members agree exactly",
                base.label()
            );
            for p in &probas {
                assert_eq!(p.dim(), (8, 4));
                // Class 3 is never labeled (the short-trained MLP has not learned that yet).
                if !matches!(base, ModelSpec::Mlp(_)) {
                    assert!(p.column(3).iter().all(|&v| v < 1e-3), "{}", base.label());
                }
            }
            let mean = a.consensus_proba(x.view());
            let by_hand = probas
                .iter()
                .fold(Array2::<f64>::zeros((8, 4)), |s, p| s + p)
                / 4.0;
            assert!((&mean - &by_hand).iter().all(|v| v.abs() < 1e-15));
            assert_eq!(a.predict_proba(x.view()), mean);
        }
    }

    #[test]
    fn resamples_with_one_class_only_are_fine() {
        // Two rows: many resamples hold a single class.
        let x = array![[0.0], [1.0]];
        for base in [
            ModelSpec::default(),
            ModelSpec::GaussianNb(GaussianNbParams::default()),
            ModelSpec::Knn(KnnParams::default()),
            ModelSpec::Mlp(MlpParams::default().max_epochs(5)),
        ] {
            let c = CommitteeParams { base, members: 8 }
                .check()
                .unwrap()
                .fit(x.view(), &[0, 1], 2, &mut rng(0, 0))
                .unwrap();
            let p = c.consensus_proba(x.view());
            assert!(p.iter().all(|v| v.is_finite()));
            for row in p.rows() {
                assert!((row.sum() - 1.0).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn refuses_bad_input() {
        assert_eq!(
            CommitteeParams {
                members: 0,
                ..CommitteeParams::default()
            }
            .check()
            .unwrap_err()
            .to_string(),
            "a committee needs at least 2 members to disagree, got 0"
        );
        let c = CommitteeParams::default().check().unwrap();
        assert_eq!(
            c.fit(array![[0.0]].view(), &[], 2, &mut rng(0, 0)),
            Err(ModelError::NoRows)
        );
        assert!(serde_json::from_str::<Committee>(r#"{"members":[]}"#).is_err());
    }
}
