//! Query strategies in three pure layers: class probabilities → scores → indices.
//!
//! A higher score means "ask this first". Ties are broken by the seeded random generator, so the
//! same seed gives the same picks natively and in wasm.
//!
//! | module | strategies | input |
//! |---|---|---|
//! | [`uncertainty`] | least confident, margin, entropy | one model's probabilities |
//! | [`committee`] | vote entropy, consensus entropy, max KL disagreement | every member's probabilities |
//! | [`diversity`] | core-set / k-center greedy, k-means++ seeding (cold start) | feature rows |
//! | [`density`] | information density (uncertainty × similarity^β) | scores + feature rows |
//! | [`batch`] | top-M then diverse, ranked batch (Cardoso et al. 2017) | scores + feature rows |
//! | [`eer`] | expected error reduction (Roy & McCallum 2001) | probabilities + a refit callback |
//! | [`adaptive`] | active learning by learning (Hsu & Lin 2015): EXP4.P over the others | every arm's advice + rewards |
//! | [`stream`] | budgeted stream-based selective sampling (Žliobaitė et al. 2014) | one row at a time |
//!
//! Score functions return one score per candidate row (feed them to [`top_k`]); the greedy
//! selectors in [`diversity`] and [`batch`] return ordered [`Pick`]s directly.

pub mod adaptive;
pub mod batch;
pub mod committee;
pub mod density;
pub mod diversity;
pub mod eer;
pub mod stream;
pub mod uncertainty;

#[cfg(test)]
mod reference_tests;

use crate::names::{named_serde, Named};
use ndarray::ArrayView2;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// One chosen row (an index into the candidate rows given to the selector) and the score it had
/// when it was chosen. Picks are returned in the order they were chosen: ask the first one first.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    /// Row index into the candidate (pool) rows passed in.
    pub index: usize,
    /// The selector's score for that row at the moment it was chosen (each selector documents it).
    pub score: f64,
}

/// Everything that can go wrong while scoring or selecting candidate rows.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum StrategyError {
    /// Query-by-committee was given no member probabilities.
    #[error(
        "the committee is empty: query-by-committee needs the probabilities of at least one member"
    )]
    EmptyCommittee,
    /// Two committee members scored different rows or classes.
    #[error(
        "committee member {member} gives a {rows}×{cols} probability matrix but member 0 gives \
         {expected_rows}×{expected_cols}: every member must score the same rows and classes"
    )]
    CommitteeShape {
        member: usize,
        rows: usize,
        cols: usize,
        expected_rows: usize,
        expected_cols: usize,
    },
    /// The pool and the labeled rows have different numbers of feature columns.
    #[error(
        "the pool rows have {pool} feature columns but the labeled rows have {labeled}: they must match"
    )]
    FeatureMismatch { pool: usize, labeled: usize },
    /// A per-row input (scores, densities) does not have one entry per pool row.
    #[error("{what} has {found} entries for {rows} pool rows: there must be exactly one per row")]
    LengthMismatch {
        what: String,
        found: usize,
        rows: usize,
    },
    /// A parameter is outside its allowed range.
    #[error("{name} must be {rule}, got {value}")]
    InvalidParameter {
        name: String,
        rule: String,
        value: f64,
    },
    /// A probability row with no classes.
    #[error("the probability row is empty: the model must give at least one class probability")]
    EmptyProbabilities,
}

impl StrategyError {
    pub(crate) fn invalid(name: &str, rule: &str, value: f64) -> Self {
        StrategyError::InvalidParameter {
            name: name.to_string(),
            rule: rule.to_string(),
            value,
        }
    }
}

/// Which uncertainty measure an uncertainty-based strategy uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Uncertainty {
    /// [`uncertainty::least_confident_scores`]: `1 − max p`.
    LeastConfident,
    /// [`uncertainty::margin_scores`]: `1 − (p₍₁₎ − p₍₂₎)`.
    Margin,
    /// [`uncertainty::entropy_scores`]: `−Σ p log p`.
    Entropy,
}

impl Uncertainty {
    /// Scores of rows with class probabilities `proba`.
    pub fn scores(self, proba: ArrayView2<f64>) -> Vec<f64> {
        match self {
            Uncertainty::LeastConfident => uncertainty::least_confident_scores(proba),
            Uncertainty::Margin => uncertainty::margin_scores(proba),
            Uncertainty::Entropy => uncertainty::entropy_scores(proba),
        }
    }
}

/// How a committee's disagreement is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Disagreement {
    /// [`committee::vote_entropy_scores`].
    VoteEntropy,
    /// [`committee::consensus_entropy_scores`].
    ConsensusEntropy,
    /// [`committee::max_kl_disagreement_scores`].
    MaxKl,
}

/// The pool-based strategies a session or simulation can use. Stream-based selective sampling is
/// in [`stream`] (it decides per arriving sample instead of ranking a pool).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Strategy {
    /// Uniformly random picks: the baseline every other strategy must beat.
    Random,
    /// Least confident (Lewis & Gale 1994).
    LeastConfident,
    /// Margin sampling (Scheffer et al. 2001).
    Margin,
    /// Entropy sampling (Shannon entropy of the prediction; Settles 2009 §3.1).
    Entropy,
    /// Query-by-committee (Seung et al. 1992) with bootstrap-bagged members of the session's model.
    Committee {
        measure: Disagreement,
        members: usize,
    },
    /// Core-set / k-center greedy (Sener & Savarese 2018): the row farthest from everything labeled.
    CoreSet,
    /// Information density (Settles & Craven 2008): `uncertainty × density^β`.
    Density { base: Uncertainty, beta: f64 },
    /// Ranked batch-mode sampling (Cardoso et al. 2017), modAL's `uncertainty_batch_sampling`.
    RankedBatch,
    /// Expected error reduction (Roy & McCallum 2001) on a seeded subsample of `candidates` rows,
    /// refitting the model for every candidate and class: slow by design, so keep the subsample small.
    ExpectedErrorReduction {
        candidates: usize,
        loss: eer::EerLoss,
    },
    /// Active learning by learning (Hsu & Lin 2015, [`adaptive`]): a bandit (EXP4.P) learns which
    /// of random, margin, entropy, information density, core-set and query-by-committee to follow,
    /// rewarded by importance-weighted accuracy; it plans for `horizon` queries.
    Adaptive { horizon: usize },
}

/// The horizon the adaptive strategy plans for when no budget is known (the studio).
pub const ADAPTIVE_HORIZON: usize = 100;

/// A strategy as a person chooses it: by name, with its default parameters
/// ([`StrategyKind::strategy`]). Its serde form is its short name (`margin`, `qbc_kl`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StrategyKind {
    Random,
    LeastConfident,
    Margin,
    Entropy,
    Qbc,
    QbcConsensus,
    QbcKl,
    CoreSet,
    Density,
    RankedBatch,
    Eer,
    EerLog,
    Adaptive,
}

impl Named for StrategyKind {
    const WHAT: (&'static str, &'static str) = ("strategy", "strategies");
    const ALL: &'static [Self] = &[
        Self::Random,
        Self::LeastConfident,
        Self::Margin,
        Self::Entropy,
        Self::Qbc,
        Self::QbcConsensus,
        Self::QbcKl,
        Self::CoreSet,
        Self::Density,
        Self::RankedBatch,
        Self::Eer,
        Self::EerLog,
        Self::Adaptive,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Random => "random",
            Self::LeastConfident => "least_confident",
            Self::Margin => "margin",
            Self::Entropy => "entropy",
            Self::Qbc => "qbc",
            Self::QbcConsensus => "qbc_consensus",
            Self::QbcKl => "qbc_kl",
            Self::CoreSet => "coreset",
            Self::Density => "density",
            Self::RankedBatch => "ranked_batch",
            Self::Eer => "eer",
            Self::EerLog => "eer_log",
            Self::Adaptive => "adaptive",
        }
    }
}

named_serde!(StrategyKind);

impl StrategyKind {
    /// The strategy with its default parameters.
    ///
    /// ```
    /// use engine::names::Named;
    /// use engine::strategies::{Strategy, StrategyKind};
    /// assert_eq!(StrategyKind::Margin.strategy(), Strategy::Margin);
    /// assert_eq!(StrategyKind::from_name("qbc").map(|k| k.strategy().kind()), Some(StrategyKind::Qbc));
    /// assert_eq!("nope".parse::<StrategyKind>().unwrap_err().split(':').next(), Some("unknown strategy 'nope'"));
    /// ```
    pub fn strategy(self) -> Strategy {
        let committee = |measure| Strategy::Committee {
            measure,
            members: 5,
        };
        match self {
            Self::Random => Strategy::Random,
            Self::LeastConfident => Strategy::LeastConfident,
            Self::Margin => Strategy::Margin,
            Self::Entropy => Strategy::Entropy,
            Self::Qbc => committee(Disagreement::VoteEntropy),
            Self::QbcConsensus => committee(Disagreement::ConsensusEntropy),
            Self::QbcKl => committee(Disagreement::MaxKl),
            Self::CoreSet => Strategy::CoreSet,
            Self::Density => Strategy::Density {
                base: Uncertainty::Entropy,
                beta: 1.0,
            },
            Self::RankedBatch => Strategy::RankedBatch,
            Self::Eer => Strategy::ExpectedErrorReduction {
                candidates: 50,
                loss: eer::EerLoss::ZeroOne,
            },
            Self::EerLog => Strategy::ExpectedErrorReduction {
                candidates: 50,
                loss: eer::EerLoss::Log,
            },
            Self::Adaptive => Strategy::Adaptive {
                horizon: ADAPTIVE_HORIZON,
            },
        }
    }

    /// A human name for the UI.
    pub fn label(self) -> &'static str {
        self.strategy().label()
    }
}

impl Strategy {
    /// A strategy by its short name (see [`StrategyKind`]), with default parameters.
    ///
    /// ```
    /// use engine::strategies::Strategy;
    /// assert_eq!(Strategy::from_name("margin"), Some(Strategy::Margin));
    /// assert_eq!(Strategy::from_name("qbc").map(|s| s.name()), Some("qbc"));
    /// assert_eq!(Strategy::from_name("nope"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        StrategyKind::from_name(name).map(StrategyKind::strategy)
    }

    /// The named strategy this is (whatever its parameters).
    pub fn kind(self) -> StrategyKind {
        match self {
            Strategy::Random => StrategyKind::Random,
            Strategy::LeastConfident => StrategyKind::LeastConfident,
            Strategy::Margin => StrategyKind::Margin,
            Strategy::Entropy => StrategyKind::Entropy,
            Strategy::Committee { measure, .. } => match measure {
                Disagreement::VoteEntropy => StrategyKind::Qbc,
                Disagreement::ConsensusEntropy => StrategyKind::QbcConsensus,
                Disagreement::MaxKl => StrategyKind::QbcKl,
            },
            Strategy::CoreSet => StrategyKind::CoreSet,
            Strategy::Density { .. } => StrategyKind::Density,
            Strategy::RankedBatch => StrategyKind::RankedBatch,
            Strategy::ExpectedErrorReduction { loss, .. } => match loss {
                eer::EerLoss::ZeroOne => StrategyKind::Eer,
                eer::EerLoss::Log => StrategyKind::EerLog,
            },
            Strategy::Adaptive { .. } => StrategyKind::Adaptive,
        }
    }

    /// The short name ([`Strategy::from_name`] gives it back, with default parameters).
    pub fn name(self) -> &'static str {
        self.kind().name()
    }

    /// A human name for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Strategy::Random => "random",
            Strategy::LeastConfident => "least confident",
            Strategy::Margin => "margin",
            Strategy::Entropy => "entropy",
            Strategy::Committee { measure, .. } => match measure {
                Disagreement::VoteEntropy => "query-by-committee (vote entropy)",
                Disagreement::ConsensusEntropy => "query-by-committee (consensus entropy)",
                Disagreement::MaxKl => "query-by-committee (max KL disagreement)",
            },
            Strategy::CoreSet => "core-set (k-center greedy)",
            Strategy::Density { .. } => "information density",
            Strategy::RankedBatch => "ranked batch",
            Strategy::ExpectedErrorReduction { loss, .. } => match loss {
                eer::EerLoss::ZeroOne => "expected error reduction",
                eer::EerLoss::Log => "expected log-loss reduction",
            },
            Strategy::Adaptive { .. } => "adaptive (active learning by learning)",
        }
    }

    /// Scores from class probabilities alone, for the strategies that need nothing else
    /// (`None` for committee, diversity, density, batch and error-reduction strategies).
    pub fn scores<R: Rng>(self, proba: ArrayView2<f64>, rng: &mut R) -> Option<Vec<f64>> {
        match self {
            Strategy::Random => Some(random_scores(proba.nrows(), rng)),
            Strategy::LeastConfident => Some(Uncertainty::LeastConfident.scores(proba)),
            Strategy::Margin => Some(Uncertainty::Margin.scores(proba)),
            Strategy::Entropy => Some(Uncertainty::Entropy.scores(proba)),
            _ => None,
        }
    }
}

/// Random sampling: every candidate gets an independent uniform score in `[0, 1)`.
pub fn random_scores<R: Rng>(n: usize, rng: &mut R) -> Vec<f64> {
    (0..n).map(|_| rng.gen::<f64>()).collect()
}

/// The indices of the `k` highest scores, best first. Equal scores are ordered by a random key
/// drawn from `rng`; NaN scores come last. Keys are drawn (in row order) only for the rows that
/// score at least the `k`-th highest score, so the cost is one partial selection, not a random
/// draw per row.
///
/// ```
/// let picks = engine::strategies::top_k(&[0.1, 0.9, 0.5], 2, &mut engine::rng(0, 0));
/// assert_eq!(picks, vec![1, 2]);
/// ```
pub fn top_k<R: Rng>(scores: &[f64], k: usize, rng: &mut R) -> Vec<usize> {
    let score = |i: usize| {
        let s = scores[i];
        if s.is_nan() {
            f64::NEG_INFINITY
        } else {
            s
        }
    };
    let k = k.min(scores.len());
    if k == 0 {
        return Vec::new();
    }
    // The k-th highest score: every row scoring at least that much may be among the picks (ties
    // at the cut included); only those rows draw a tie-break key, in row order.
    let mut sorted: Vec<f64> = (0..scores.len()).map(score).collect();
    let (_, &mut cut, _) = sorted.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
    let mut keyed: Vec<(f64, u64, usize)> = (0..scores.len())
        .filter(|&i| score(i).total_cmp(&cut).is_ge())
        .map(|i| (score(i), rng.gen::<u64>(), i))
        .collect();
    let order =
        |a: &(f64, u64, usize), b: &(f64, u64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    keyed.sort_unstable_by(order);
    keyed.into_iter().take(k).map(|(_, _, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn top_k_orders_and_breaks_ties_by_seed() {
        let scores = [0.5, 0.5, 0.5, 0.5, 0.9];
        let a = top_k(&scores, 3, &mut crate::rng(1, 0));
        let b = top_k(&scores, 3, &mut crate::rng(1, 0));
        assert_eq!(a, b);
        assert_eq!(a[0], 4);
        let firsts: std::collections::BTreeSet<usize> = (0..20)
            .map(|seed| top_k(&scores, 2, &mut crate::rng(seed, 0))[1])
            .collect();
        assert!(
            firsts.len() > 1,
            "ties must not always resolve to the same index"
        );
    }

    #[test]
    fn top_k_handles_nan_and_oversized_k() {
        let picks = top_k(&[f64::NAN, 0.2, 0.1], 10, &mut crate::rng(0, 0));
        assert_eq!(picks, vec![1, 2, 0]);
        assert!(top_k(&[], 3, &mut crate::rng(0, 0)).is_empty());
    }
}

/// No input makes a strategy panic: random shapes and values, NaN and ±∞ included.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::{batch, committee, density, diversity, stream, uncertainty};
    use crate::rng;
    use ndarray::Array2;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            8 => -2.0..2.0f64,
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(0.0),
        ]
    }

    fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = Array2<f64>> {
        proptest::collection::vec(value(), rows * cols)
            .prop_map(move |v| Array2::from_shape_vec((rows, cols), v).unwrap())
    }

    proptest! {
        #[test]
        fn strategies_never_panic(
            (p, q, x, l) in (0usize..6, 0usize..4, 0usize..3, 0usize..4).prop_flat_map(|(n, k, d, m)| {
                (matrix(n, k), matrix(n, k), matrix(n, d), matrix(m, d))
            }),
            k in 0usize..8,
            seed in 0u64..4,
        ) {
            let n = p.nrows();
            let r = &mut rng(seed, 0);
            prop_assert_eq!(uncertainty::least_confident_scores(p.view()).len(), n);
            prop_assert_eq!(uncertainty::entropy_scores(p.view()).len(), n);
            prop_assert_eq!(uncertainty::margin_scores(p.view()).len(), n);
            let members = vec![p.clone(), q.clone()];
            prop_assert_eq!(committee::vote_entropy_scores(&members).unwrap().len(), n);
            prop_assert_eq!(committee::consensus_entropy_scores(&members).unwrap().len(), n);
            prop_assert_eq!(committee::max_kl_disagreement_scores(&members).unwrap().len(), n);
            let u = uncertainty::least_confident_scores(p.view());
            let want = k.min(x.nrows());
            prop_assert_eq!(diversity::k_center_greedy(x.view(), l.view(), k, r).unwrap().len(), want);
            prop_assert_eq!(diversity::kmeans_pp(x.view(), l.view(), k, r).unwrap().len(), want);
            prop_assert_eq!(diversity::cold_start(x.view(), &vec![true; x.nrows()], l.view(), k, k, r).unwrap().len(), want);
            prop_assert_eq!(diversity::core_set_scores(x.view(), l.view()).unwrap().len(), n);
            let opts = density::DensityOptions { max_reference: 3, ..Default::default() };
            let d = density::information_density(x.view(), &opts, r).unwrap();
            prop_assert_eq!(density::density_weighted_scores(&u, &d, 1.0).unwrap().len(), n);
            for method in [batch::BatchDiversity::KCenter, batch::BatchDiversity::KMeansPlusPlus] {
                let picks = batch::diverse_top_batch(&u, x.view(), l.view(), k, 2, method, r).unwrap();
                prop_assert_eq!(picks.len(), want);
            }
            let picks = batch::ranked_batch(&u, x.view(), l.view(), k, r).unwrap();
            prop_assert_eq!(picks.len(), want);
            let mut distinct: Vec<usize> = picks.iter().map(|p| p.index).collect();
            distinct.sort_unstable();
            distinct.dedup();
            prop_assert_eq!(distinct.len(), want);
            for policy in [
                stream::StreamPolicy::Random,
                stream::StreamPolicy::FixedUncertainty,
                stream::StreamPolicy::VariableUncertainty,
                stream::StreamPolicy::RandomizedVariableUncertainty,
            ] {
                let mut s = stream::StreamSampler::new(stream::StreamConfig::new(policy, 0.5)).unwrap();
                for row in p.rows() {
                    let _ = s.decide(row, r);
                }
            }
        }
    }
}
