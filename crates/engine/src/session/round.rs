//! One round: fit on the labeled rows, measure on the test split, pick the next row(s).

/// Pool rows the cold start clusters at most (a seeded sample of a larger pool).
const COLD_SAMPLE: usize = 2_000;

/// What the cold start keeps between rounds ([`Session::cold_cache`]).
#[derive(Debug, Clone)]
pub(super) struct ColdCache {
    /// The number of clusters it was made for.
    clusters: usize,
    /// Pool positions of the sample, ascending.
    sample: Vec<usize>,
    /// Their standardized rows.
    rows: Array2<f64>,
    shape: ColdClusters,
}

use super::{ColdStart, Origin, Session, SessionError, STREAM_COLD, STREAM_PROBE, STREAM_QUERY};
use crate::metrics::accuracy;
use crate::models::committee::CommitteeParams;
use crate::models::{argmax_rows, Classifier, FittedModel};
use crate::strategies::adaptive::AdaptiveChoice;
use crate::strategies::batch::{diverse_top_batch, ranked_batch};
use crate::strategies::density::{density_weighted_scores, information_density, DensityOptions};
use crate::strategies::diversity::{k_center_greedy, ColdClusters};
use crate::strategies::eer::expected_error_reduction;
use crate::strategies::{committee, random_scores, top_k, Disagreement, Strategy, Uncertainty};
use crate::{rng, EngineRng};
use ndarray::{Array2, ArrayView2, Axis, CowArray, Ix2};
use rand::seq::index::sample;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Rows of the evaluation subsample expected error reduction measures its expected loss on.
const EER_EVAL_ROWS: usize = 200;

/// The sample to show next, with the numbers behind the pick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Query {
    /// Dataset row index.
    pub row: usize,
    /// The strategy's score (higher = asked first); 0 for a probe (probes are not ranked).
    pub score: f64,
    /// The current model's class probabilities for this row (empty before any model exists).
    pub proba: Vec<f64>,
    /// Whether this is a probe query (a uniformly random pool row): label it with
    /// [`Query::origin`] so it counts towards [`Session::probe_estimate`].
    #[serde(default)]
    pub probe: bool,
}

impl Query {
    /// The model's predicted class for the row (the most probable; `None` before any model).
    pub fn predicted(&self) -> Option<usize> {
        if self.proba.is_empty() {
            return None;
        }
        argmax_rows(ndarray::ArrayView2::from_shape((1, self.proba.len()), &self.proba).ok()?)
            .first()
            .copied()
    }

    /// The origin a person's label of this query gets: [`Origin::Probe`] with the prediction for
    /// a probe, else [`Origin::User`].
    ///
    /// ```
    /// use engine::session::{Origin, Query};
    /// let q = Query { row: 3, score: 0.0, proba: vec![0.2, 0.7, 0.1], probe: true };
    /// assert_eq!(q.origin(), Origin::Probe { predicted: 1 });
    /// assert_eq!(Query { probe: false, ..q }.origin(), Origin::User);
    /// ```
    pub fn origin(&self) -> Origin {
        match (self.probe, self.predicted()) {
            (true, Some(predicted)) => Origin::Probe { predicted },
            _ => Origin::User,
        }
    }
}

/// What one round produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Round {
    /// Labels in the log when the model was fitted.
    pub n_labels: usize,
    /// Accuracy on the held-out test split, when one exists and a model could be fitted.
    pub test_accuracy: Option<f64>,
    /// The next sample to label (the first of `batch`), or `None` when the pool is exhausted.
    pub query: Option<Query>,
    /// All picks of this round, best first (`batch_size` of them while the pool lasts).
    pub batch: Vec<Query>,
    /// Whether this round's query is a probe (then it is first in `batch`, followed by the
    /// strategy's picks).
    #[serde(default)]
    pub probe: bool,
    /// With the adaptive strategy: which strategies proposed the query and the bandit's current
    /// mix (`None` for other strategies, and for a probe).
    #[serde(default)]
    pub adaptive: Option<AdaptiveChoice>,
}

/// A pool row's state in [`Session::round`]'s candidate search (a label wins over a skip).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mark {
    Open,
    Skipped,
    Labeled,
}

impl Session {
    pub(super) fn query_rng(&self) -> EngineRng {
        rng(self.run_seed(), STREAM_QUERY + self.log.len() as u64)
    }

    fn run_seed(&self) -> u64 {
        self.config
            .seed
            .wrapping_add(self.config.replicate.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// Whether the strategy (or the batch diversity) needs the candidates' feature rows, not only
    /// their probabilities.
    fn needs_features(&self, has_model: bool) -> bool {
        if !has_model {
            // The cold start reads a sample of the pool of its own.
            return false;
        }
        let diverse_batch = self.config.batch_diversity.is_some() && self.config.batch_size > 1;
        diverse_batch
            || !matches!(
                self.config.strategy,
                Strategy::Random | Strategy::LeastConfident | Strategy::Margin | Strategy::Entropy
            )
    }

    /// Fit on the labeled rows (warm-started), measure on the test split, and pick the next row(s).
    ///
    /// A round standardizes a copy of the labeled rows and, for strategies that look at features
    /// (core-set, density, ranked batch, committee, expected error reduction, diverse batches,
    /// k-means++ cold start with a batch), of the candidates; probabilities are computed for the
    /// candidates and the test rows. The session's pool reads them from its standardized copy or,
    /// for a large dataset, standardizes them block by block ([`Session::predict_rows`]).
    pub fn round(&mut self) -> Result<Round, SessionError> {
        let mut rng = self.query_rng();
        let candidates = self.candidates();
        let x = self.data.features.view();
        let labels = &self.state.labels;
        let (labeled, y): (Vec<usize>, Vec<usize>) = labels
            .iter()
            .filter_map(|(&row, &class)| Some((self.pool.position(row)?, class)))
            .unzip();
        let x_labeled = self.pool.rows(x, &labeled);
        let n_classes = self.n_classes();
        // A model needs labels of two classes to tell anything apart; until then the cold
        // start asks (a model of one class would rank every row the same).
        let two_classes = y.iter().any(|&c| Some(&c) != y.first());
        let model = if !two_classes || n_classes < 2 {
            None
        } else {
            Some(self.config.model.check()?.fit(
                x_labeled.view(),
                &y,
                n_classes,
                self.warm.as_ref(),
                &mut rng,
            )?)
        };
        let test_accuracy = match (&model, self.split().test.is_empty()) {
            (Some(m), false) => {
                let truth: Vec<usize> = self
                    .split()
                    .test
                    .iter()
                    .filter_map(|&r| self.data.known_labels[r])
                    .collect();
                let p = self.pool.test_proba(m, x);
                Some(accuracy(&truth, &argmax_rows(p.view()))?)
            }
            _ => None,
        };
        let probe = match &model {
            Some(_) if !candidates.is_empty() && self.config.probe_share > 0.0 => {
                let mut draw = rng_probe(self.run_seed(), self.log.len());
                (draw.gen::<f64>() < self.config.probe_share)
                    .then(|| draw.gen_range(0..candidates.len()))
            }
            _ => None,
        };
        let batch = if candidates.is_empty() {
            Vec::new()
        } else {
            let model = model.as_ref();
            self.batch(model, &candidates, probe, x_labeled.view(), &y, &mut rng)?
        };
        let n_labels = labels.len();
        self.warm = model;
        let adaptive = self.adaptive_choice(batch.first().filter(|q| !q.probe).map(|q| q.row));
        Ok(Round {
            n_labels,
            test_accuracy,
            query: batch.first().cloned(),
            probe: probe.is_some(),
            batch,
            adaptive,
        })
    }

    /// The pool positions that may be asked: those neither labeled nor skipped, or, once only
    /// skipped rows are left, those again. The labeled and skipped rows are marked in one pass over
    /// each set, not looked up in its tree once per pool row (two tree lookups for every pool
    /// row, every round).
    fn candidates(&self) -> Vec<usize> {
        let mut mark = vec![Mark::Open; self.split().pool.len()];
        let marks = (self.state.skipped.iter().map(|&row| (row, Mark::Skipped)))
            .chain(self.state.labels.keys().map(|&row| (row, Mark::Labeled)));
        for (row, m) in marks {
            if let Some(slot) = self.pool.position(row).and_then(|p| mark.get_mut(p)) {
                *slot = m;
            }
        }
        let open = |wanted: &[Mark]| -> Vec<usize> {
            (0..mark.len())
                .filter(|&i| wanted.contains(&mark[i]))
                .collect()
        };
        let candidates = open(&[Mark::Open]);
        if candidates.is_empty() {
            return open(&[Mark::Open, Mark::Skipped]);
        }
        candidates
    }

    /// This round's queries, best first: the probe (if drawn) and then the strategy's picks
    /// (without a model, the cold start's) up to the batch size.
    /// `candidates` are pool positions; `probe` is the candidate drawn as a probe.
    fn batch(
        &self,
        model: Option<&FittedModel>,
        candidates: &[usize],
        probe: Option<usize>,
        x_labeled: ArrayView2<f64>,
        y: &[usize],
        rng: &mut EngineRng,
    ) -> Result<Vec<Query>, SessionError> {
        let x = self.data.features.view();
        // The candidates' standardized rows only for strategies that read them (else an empty
        // matrix, which `pick` does not read).
        let x_cand: CowArray<f64, Ix2> = if self.needs_features(model.is_some()) {
            self.pool.rows(x, candidates)
        } else {
            CowArray::from(Array2::zeros((0, self.data.n_features())))
        };
        let proba = model.map(|m| self.pool.proba(m, x, candidates));
        let query = |i: usize, score: f64, probe: bool| Query {
            row: self.pool.row(candidates[i]),
            score,
            proba: proba
                .as_ref()
                .map(|p| p.row(i).to_vec())
                .unwrap_or_default(),
            probe,
        };
        let mut batch: Vec<Query> = probe.map(|i| query(i, 0.0, true)).into_iter().collect();
        if batch.len() < self.config.batch_size {
            let picks = match (model, &proba) {
                (Some(model), Some(p)) => {
                    let scoring = Scoring {
                        model,
                        proba: p.view(),
                        x_cand: x_cand.view(),
                        x_labeled: x_labeled.reborrow(),
                        y,
                        candidates,
                    };
                    self.pick(scoring, rng)?
                }
                _ => self.pick_cold(candidates, x_labeled, rng)?,
            };
            let extra = picks
                .into_iter()
                .filter(|&(i, _)| Some(i) != probe)
                .take(self.config.batch_size - batch.len())
                .map(|(i, score)| query(i, score, false));
            batch.extend(extra);
        }
        Ok(batch)
    }

    /// Picks when no model exists yet: `(candidate index, score)`, best first.
    /// `x_cand` holds the candidates' rows only when [`Session::needs_features`] says so.
    fn pick_cold(
        &self,
        candidates: &[usize],
        x_labeled: ArrayView2<f64>,
        rng: &mut EngineRng,
    ) -> Result<Vec<(usize, f64)>, SessionError> {
        let k = self.config.batch_size;
        let random = |rng: &mut EngineRng| {
            let scores = random_scores(candidates.len(), rng);
            top_k(&scores, k, rng)
                .into_iter()
                .map(|i| (i, scores[i]))
                .collect::<Vec<_>>()
        };
        Ok(match self.config.cold_start {
            ColdStart::Random => random(rng),
            ColdStart::KMeansPlusPlus => {
                let clusters = k.max(self.n_classes()).max(2);
                let mut cache = self.cold.borrow_mut();
                if cache.as_ref().is_none_or(|c| c.clusters != clusters) {
                    *cache = Some(self.cold_cache(clusters)?);
                }
                let Some(cold) = cache.as_ref() else {
                    return Ok(random(rng));
                };
                // `candidates` is in pool order: each sample row's place among them, if open.
                let place: Vec<Option<usize>> = cold
                    .sample
                    .iter()
                    .map(|p| candidates.binary_search(p).ok())
                    .collect();
                let open: Vec<bool> = place.iter().map(Option::is_some).collect();
                let picks: Vec<(usize, f64)> = cold
                    .shape
                    .picks(cold.rows.view(), &open, x_labeled, k, rng)?
                    .into_iter()
                    .filter_map(|p| place[p.index].map(|i| (i, p.score)))
                    .collect();
                drop(cache);
                // Every sampled row answered while others remain: any of those will do.
                if picks.is_empty() {
                    random(rng)
                } else {
                    picks
                }
            }
        })
    }

    /// The cold start's sample of the pool (all of it up to [`COLD_SAMPLE`] rows), standardized,
    /// and its `clusters` clusters: the same for every cold round, from a stream of their own.
    fn cold_cache(&self, clusters: usize) -> Result<ColdCache, SessionError> {
        let mut cold = crate::rng(self.run_seed(), STREAM_COLD);
        let pool = self.split().pool.len();
        let mut sample: Vec<usize> = if pool <= COLD_SAMPLE {
            (0..pool).collect()
        } else {
            sample(&mut cold, pool, COLD_SAMPLE).into_vec()
        };
        sample.sort_unstable();
        let rows = self
            .pool
            .rows(self.data.features.view(), &sample)
            .into_owned();
        let shape = ColdClusters::new(rows.view(), clusters, &mut cold)?;
        Ok(ColdCache {
            clusters,
            sample,
            rows,
            shape,
        })
    }

    /// Picks with a fitted model: `(candidate index, score)`, best first.
    fn pick(
        &self,
        scoring: Scoring<'_>,
        rng: &mut EngineRng,
    ) -> Result<Vec<(usize, f64)>, SessionError> {
        let Scoring {
            proba,
            x_cand,
            x_labeled,
            y,
            ..
        } = scoring;
        let k = self.config.batch_size;
        let from_picks = |picks: Vec<crate::strategies::Pick>| {
            picks
                .into_iter()
                .map(|p| (p.index, p.score))
                .collect::<Vec<_>>()
        };
        let scores = match self.config.strategy {
            Strategy::CoreSet => {
                return Ok(from_picks(k_center_greedy(x_cand, x_labeled, k, rng)?));
            }
            Strategy::RankedBatch => {
                let u = Uncertainty::LeastConfident.scores(proba);
                return Ok(from_picks(ranked_batch(&u, x_cand, x_labeled, k, rng)?));
            }
            Strategy::Committee { measure, members } => {
                let committee = CommitteeParams {
                    base: self.config.model.clone(),
                    members,
                }
                .check()?
                .fit(x_labeled, y, self.n_classes(), rng)?;
                let member_probas = committee.member_probas(x_cand);
                match measure {
                    Disagreement::VoteEntropy => committee::vote_entropy_scores(&member_probas)?,
                    Disagreement::ConsensusEntropy => {
                        committee::consensus_entropy_scores(&member_probas)?
                    }
                    Disagreement::MaxKl => committee::max_kl_disagreement_scores(&member_probas)?,
                }
            }
            Strategy::Density { base, beta } => {
                let density = information_density(x_cand, &DensityOptions::default(), rng)?;
                density_weighted_scores(&base.scores(proba), &density, beta)?
            }
            Strategy::ExpectedErrorReduction { candidates, loss } => {
                self.eer_scores(scoring, candidates, loss, rng)?
            }
            Strategy::Adaptive { horizon } => return self.pick_adaptive(scoring, horizon, rng),
            simple => simple
                .scores(proba, rng)
                .unwrap_or_else(|| Uncertainty::Margin.scores(proba)),
        };
        Ok(match (self.config.batch_diversity, k) {
            (Some(method), k) if k > 1 => from_picks(diverse_top_batch(
                &scores,
                x_cand,
                x_labeled,
                k,
                self.config.batch_factor.max(1),
                method,
                rng,
            )?),
            _ => top_k(&scores, k, rng)
                .into_iter()
                .map(|i| (i, scores[i]))
                .collect(),
        })
    }

    /// Expected error reduction over a seeded subsample of candidates, measured on a seeded
    /// subsample of the pool; rows outside the candidate subsample score −∞.
    fn eer_scores(
        &self,
        scoring: Scoring<'_>,
        n_candidates: usize,
        loss: crate::strategies::eer::EerLoss,
        rng: &mut EngineRng,
    ) -> Result<Vec<f64>, SessionError> {
        let Scoring {
            model,
            proba,
            x_cand,
            x_labeled,
            y,
            ..
        } = scoring;
        let n = x_cand.nrows();
        let mut chosen: Vec<usize> = sample(rng, n, n_candidates.clamp(1, n)).into_vec();
        chosen.sort_unstable();
        let mut eval: Vec<usize> = sample(rng, n, EER_EVAL_ROWS.min(n)).into_vec();
        eval.sort_unstable();
        let x_eval = x_cand.select(Axis(0), &eval);
        let checked = self.config.model.check()?;
        let sub_proba = proba.select(Axis(0), &chosen);
        let mut x_plus =
            ndarray::concatenate![Axis(0), x_labeled, x_cand.select(Axis(0), &chosen[..1])];
        let mut y_plus: Vec<usize> = y.iter().copied().chain([0]).collect();
        let last = x_plus.nrows() - 1;
        let mut refit_rng = rng.clone();
        let sub_scores = expected_error_reduction(
            sub_proba.view(),
            |candidate, class| -> Result<Array2<f64>, SessionError> {
                x_plus.row_mut(last).assign(&x_cand.row(chosen[candidate]));
                y_plus[last] = class;
                let fitted = checked.fit(
                    x_plus.view(),
                    &y_plus,
                    self.n_classes(),
                    Some(model),
                    &mut refit_rng,
                )?;
                Ok(fitted.predict_proba(x_eval.view()))
            },
            loss,
        )?;
        let mut scores = vec![f64::NEG_INFINITY; n];
        for (&i, s) in chosen.iter().zip(sub_scores) {
            scores[i] = s;
        }
        Ok(scores)
    }
}

/// What a strategy scores the candidates from once a model exists.
#[derive(Clone, Copy)]
pub(super) struct Scoring<'a> {
    pub(super) model: &'a FittedModel,
    /// The candidates' probabilities.
    pub(super) proba: ArrayView2<'a, f64>,
    /// The candidates' standardized rows, when [`Session::needs_features`] says a strategy reads
    /// them (else an empty matrix).
    pub(super) x_cand: ArrayView2<'a, f64>,
    pub(super) x_labeled: ArrayView2<'a, f64>,
    /// The labeled rows' classes.
    pub(super) y: &'a [usize],
    /// The candidates' pool positions (ascending).
    pub(super) candidates: &'a [usize],
}

/// The probe draw of the round at log length `log_len` ([`STREAM_PROBE`]).
fn rng_probe(seed: u64, log_len: usize) -> EngineRng {
    rng(seed, STREAM_PROBE.wrapping_add(log_len as u64))
}
