//! What the labels bought, and why this sample: the numbers behind the studio's insight panels,
//! computed in the worker after every round ([`InsightCache::update`]).
//!
//! * per-class recall / precision / F1, macro-F1 and the confusion matrix (with example rows per
//!   cell) on the held-out test split, when test labels exist;
//! * the macro-F1 curve and the probe-estimate curve (accuracy with its 95% Wilson band), one
//!   point per label count;
//! * a 2-D map of the pool: [`Pca`] coordinates (fitted once per session), predicted class,
//!   uncertainty `1 − max p` and state, for a fixed seeded sample of at most [`MAP_POINTS`] pool
//!   rows plus every labeled row and the query;
//! * stopping advice from [`engine::stopping::evaluate`] (plateau, stabilizing predictions,
//!   pool uncertainty) with a one-line suggestion;
//! * "why this sample?": the query's probabilities, least confidence, margin, entropy, its rank
//!   among the unlabeled pool rows by each, the nearest labeled row, density or committee votes
//!   when the strategy uses them, and its place on the map.
//!
//! Cost per round: one pass of the model over the pool and the test split in chunks of
//! [`CHUNK`] rows (no `n × n` work, no copy of the pool), plus `O(labels · d)` for the nearest
//! labeled row. The PCA, the map sample and the stop set are computed once per session.

use engine::metrics::macro_f1;
use engine::models::committee::CommitteeParams;
use engine::models::{argmax_rows, Classifier};
use engine::pca::Pca;
use engine::rng;
use engine::session::{Query, Session};
use engine::simulation::CurvePoint;
use engine::stopping::{
    evaluate, Criterion, PlateauRule, StabilizingRule, StoppingConfig, StoppingInput,
    UncertaintyRule,
};
use engine::strategies::adaptive::AdaptiveChoice;
use engine::strategies::uncertainty::entropy;
use engine::strategies::Strategy;
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// Pool rows on the map at most (plus the labeled rows and the query).
pub const MAP_POINTS: usize = 2_000;
/// Pool rows in the fixed stop set of the stabilizing-predictions rule at most.
pub const STOP_SET: usize = 500;
/// Example rows kept per confusion-matrix cell.
pub const CELL_EXAMPLES: usize = 10;
/// Rows predicted at a time.
pub const CHUNK: usize = 4_096;
/// Random streams of the insight (on the session seed), apart from the session's own.
const STREAM_PCA: u64 = 7_000;
const STREAM_MAP: u64 = 7_001;
const STREAM_COMMITTEE: u64 = 7_002;

/// Everything the insight panels show after one round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Insight {
    /// Number of classes (rows and columns of the confusion matrix, bars of the recall chart).
    pub n_classes: usize,
    /// Per-class scores on the test split (empty without test labels or before any model).
    pub classes: Vec<ClassScore>,
    /// Macro-F1 on the test split.
    pub macro_f1: Option<f64>,
    /// Macro-F1 on the test split after each label count (like the accuracy curve).
    pub f1_curve: Vec<F1Point>,
    /// The probe estimate after each label count at which probes had been answered.
    pub probe_curve: Vec<ProbePoint>,
    /// Confusion matrix on the test split, with example rows per cell.
    pub confusion: Option<Confusion>,
    /// The 2-D map of the pool (`None` when the PCA could not be fitted).
    pub map: Option<PoolMap>,
    /// What the stopping criteria say.
    pub stopping: StoppingView,
    /// Why the query on screen was picked.
    pub why: Option<Why>,
}

/// Test-split scores of one class (0 where undefined, as in [`engine::metrics`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassScore {
    pub class: usize,
    /// `tp / (tp + fn)`.
    pub recall: f64,
    /// `tp / (tp + fp)`.
    pub precision: f64,
    pub f1: f64,
    /// Test rows of this class.
    pub support: usize,
}

/// Macro-F1 after a number of labels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct F1Point {
    pub n_labels: usize,
    pub macro_f1: f64,
}

/// The probe-estimated accuracy after a number of labels, with its 95% Wilson interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProbePoint {
    pub n_labels: usize,
    /// Probes answered.
    pub probes: usize,
    pub accuracy: f64,
    pub low: f64,
    pub high: f64,
}

/// One row behind a confusion-matrix cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// Dataset row.
    pub row: usize,
    /// The row's id in the file.
    pub id: String,
    /// A few feature values, as text.
    pub summary: String,
    /// The model's probability for the predicted class.
    pub confidence: f64,
}

/// The confusion matrix on the test split: `counts[t][p]` rows of true class `t` predicted `p`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Confusion {
    pub counts: Vec<Vec<usize>>,
    /// `examples[t][p]`: up to [`CELL_EXAMPLES`] of those rows, in test-split order.
    pub examples: Vec<Vec<Vec<Example>>>,
}

/// What a point of the map stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PointState {
    /// A pool row without a label.
    Unlabeled,
    /// A labeled pool row.
    Labeled,
    /// The sample on screen.
    Query,
}

/// One pool row on the map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MapPoint {
    pub row: usize,
    pub x: f32,
    pub y: f32,
    /// The model's predicted class (`None` before any model).
    pub predicted: Option<usize>,
    /// The label given, for labeled rows.
    pub label: Option<usize>,
    /// `1 − max p` (0 before any model).
    pub uncertainty: f32,
    pub state: PointState,
}

/// The map of the pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolMap {
    pub points: Vec<MapPoint>,
    /// Rows in the pool (the map shows a sample when there are more than [`MAP_POINTS`]).
    pub pool_size: usize,
    /// Share of the variance along each axis.
    pub variance_ratio: [f64; 2],
    /// `[x_min, x_max, y_min, y_max]` over the whole pool (stable across rounds).
    pub bounds: [f64; 4],
}

/// One stopping criterion's advice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdviceView {
    /// The criterion's display name.
    pub criterion: String,
    pub stop: bool,
    /// A sentence with the numbers.
    pub reason: String,
}

/// What the stopping criteria say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoppingView {
    /// Whether any criterion suggests stopping.
    pub suggest_stop: bool,
    /// One sentence: the suggestion and its reason.
    pub suggestion: String,
    /// The metric the plateau rule follows ("test accuracy" or "probe-estimated accuracy").
    pub metric: String,
    pub advice: Vec<AdviceView>,
}

/// The labeled row nearest to the query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nearest {
    pub row: usize,
    pub id: String,
    pub class: usize,
    /// Euclidean distance in standardized feature space.
    pub distance: f64,
}

/// The numbers behind the pick of the query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Why {
    pub row: usize,
    pub id: String,
    /// The strategy's display name.
    pub strategy: String,
    /// A probe: a uniformly random row (not ranked by the strategy).
    pub probe: bool,
    /// The strategy's score for the row.
    pub score: f64,
    /// Class probabilities (empty before any model).
    pub proba: Vec<f64>,
    pub predicted: Option<usize>,
    /// `1 − max p`.
    pub least_confidence: f64,
    /// `p₍₁₎ − p₍₂₎` (small = torn between two classes).
    pub margin: f64,
    /// `−Σ p ln p` (nats).
    pub entropy: f64,
    /// Unlabeled pool rows (the candidates).
    pub candidates: usize,
    /// 1-based rank of the row among the candidates by least confidence, margin (smallest
    /// first) and entropy: 1 + the number of candidates strictly more uncertain.
    pub rank_least_confident: usize,
    pub rank_margin: usize,
    pub rank_entropy: usize,
    pub nearest_labeled: Option<Nearest>,
    /// Information density strategies: mean similarity `1 / (1 + distance)` to the pool rows of
    /// the map sample.
    pub density: Option<f64>,
    /// Committee strategies: how many members of a committee bagged like the strategy's (own
    /// seed) vote for each class.
    pub committee_votes: Option<Vec<usize>>,
    /// The row's place on the map.
    pub map: Option<[f64; 2]>,
    /// The adaptive strategy: which strategies proposed the row and each one's current weight
    /// (`None` with any other strategy, and for probes).
    #[serde(default)]
    pub adaptive: Option<AdaptiveWhy>,
}

/// The adaptive strategy's pick, explained ([`engine::strategies::adaptive::AdaptiveChoice`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdaptiveWhy {
    /// Every strategy of the mix, in the bandit's order.
    pub arms: Vec<ArmShare>,
    /// The row's probability under the mix.
    pub probability: f64,
    /// Already-labeled rows drawn before it this round (free observations).
    pub free_draws: usize,
}

/// One strategy's share of the adaptive mix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmShare {
    /// Its short name (`margin`, `qbc`, …).
    pub name: String,
    /// Its display name.
    pub label: String,
    /// Its current weight: the chance it is followed this round.
    pub weight: f64,
    /// Its advice includes the row on screen.
    pub proposed: bool,
}

impl AdaptiveWhy {
    /// The view of a round's [`AdaptiveChoice`].
    pub fn new(choice: &AdaptiveChoice) -> Self {
        let arms = choice
            .arms
            .iter()
            .map(|a| ArmShare {
                name: a.arm.name().to_string(),
                label: Strategy::from_name(a.arm.name())
                    .map_or_else(|| a.arm.name().to_string(), |k| k.label().to_string()),
                weight: a.probability,
                proposed: choice.proposed_by.contains(&a.arm),
            })
            .collect();
        Self {
            arms,
            probability: choice.probability,
            free_draws: choice.free_draws,
        }
    }

    /// The display names of the strategies that proposed the row, heaviest first.
    pub fn proposers(&self) -> Vec<&str> {
        let mut p: Vec<&ArmShare> = self.arms.iter().filter(|a| a.proposed).collect();
        p.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        p.into_iter().map(|a| a.label.as_str()).collect()
    }
}

/// What the insight keeps between rounds of one session.
#[derive(Debug, Default)]
pub struct InsightCache {
    key: Option<u64>,
    /// Dataset row → pool position (`usize::MAX` outside the pool).
    pool_pos: Vec<usize>,
    pca: Option<Pca>,
    /// PCA coordinates of every pool row, in pool order.
    coords: Vec<[f32; 2]>,
    bounds: [f64; 4],
    /// Pool positions of the map sample, sorted.
    sample: Vec<usize>,
    /// Pool positions of the stop set.
    stop_set: Vec<usize>,
    stop_history: Vec<(usize, Vec<usize>)>,
    f1_curve: Vec<F1Point>,
    probe_curve: Vec<ProbePoint>,
}

/// Identity of a session's data and split (a new one resets the cache).
fn session_key(session: &Session) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let data = session.data();
    data.name.hash(&mut h);
    data.features.dim().hash(&mut h);
    session.config().seed.hash(&mut h);
    session.split().pool.hash(&mut h);
    session.split().test.hash(&mut h);
    h.finish()
}

/// Keep the points of a per-label-count history before `n`, then add `point` (a round at `n`
/// labels replaces what an undo took back).
fn record<T>(history: &mut Vec<T>, n: usize, count: impl Fn(&T) -> usize, point: Option<T>) {
    history.retain(|p| count(p) < n);
    history.extend(point);
}

/// `(least confidence, margin p₍₁₎ − p₍₂₎, entropy)` of one probability row.
fn uncertainties(p: ArrayView1<f64>) -> (f64, f64, f64) {
    let (_, lc, margin, ent) = scores(p);
    (lc, margin, ent)
}

/// `(argmax, least confidence, margin, entropy)` of one probability row (argmax: lowest index on
/// ties, `None` for an empty row).
fn scores(p: ArrayView1<f64>) -> (Option<usize>, f64, f64, f64) {
    let (mut best, mut first, mut second) = (None, 0.0_f64, 0.0_f64);
    for (i, &v) in p.iter().enumerate() {
        if best.is_none() || v > first {
            second = if best.is_some() { first } else { 0.0 };
            first = v;
            best = Some(i);
        } else if v > second {
            second = v;
        }
    }
    (
        best,
        1.0 - first,
        first - second,
        entropy(p.iter().copied()),
    )
}

/// A few feature values as text: every feature when there are at most 6, else the 4 largest in
/// magnitude (most informative for sparse text and pixel rows).
fn summary(names: &[String], values: ArrayView1<f64>) -> String {
    let mut order: Vec<usize> = (0..values.len()).collect();
    if values.len() > 6 {
        order.sort_by(|&a, &b| values[b].abs().total_cmp(&values[a].abs()).then(a.cmp(&b)));
        order.truncate(4);
        order.sort_unstable();
    }
    order
        .into_iter()
        .map(|j| {
            let v = values[j];
            let text = if v.fract() == 0.0 && v.abs() < 1e9 {
                format!("{v:.0}")
            } else {
                format!("{v:.3}")
            };
            format!("{}={text}", names.get(j).map(String::as_str).unwrap_or("?"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn criterion_name(c: Criterion) -> &'static str {
    match c {
        Criterion::Budget => "Label budget",
        Criterion::Target => "Target",
        Criterion::Plateau => "Plateau",
        Criterion::StabilizingPredictions => "Stabilizing predictions",
        Criterion::Uncertainty => "Pool uncertainty",
    }
}

impl InsightCache {
    /// Fit the PCA, draw the map sample and the stop set, for a new session.
    fn reset(&mut self, session: &Session, key: u64) {
        *self = InsightCache {
            key: Some(key),
            ..InsightCache::default()
        };
        let data = session.data();
        let pool = &session.split().pool;
        self.pool_pos = vec![usize::MAX; data.n_rows()];
        for (i, &row) in pool.iter().enumerate() {
            if let Some(p) = self.pool_pos.get_mut(row) {
                *p = i;
            }
        }
        let seed = session.config().seed;
        let raw = data.features.view();
        if let Ok(pca) = Pca::fit_rows(raw, pool, &mut rng(seed, STREAM_PCA)) {
            if let Ok(y) = pca.transform_rows(raw, pool) {
                self.coords = y
                    .rows()
                    .into_iter()
                    .map(|r| [r[0] as f32, r[1] as f32])
                    .collect();
                let (mut b0, mut b1) = (
                    [f64::INFINITY, f64::NEG_INFINITY],
                    [f64::INFINITY, f64::NEG_INFINITY],
                );
                for r in y.rows() {
                    b0 = [b0[0].min(r[0]), b0[1].max(r[0])];
                    b1 = [b1[0].min(r[1]), b1[1].max(r[1])];
                }
                self.bounds = [b0[0], b0[1], b1[0], b1[1]];
                self.pca = Some(pca);
            }
        }
        let n = pool.len();
        self.sample = if n <= MAP_POINTS {
            (0..n).collect()
        } else {
            let mut s =
                rand::seq::index::sample(&mut rng(seed, STREAM_MAP), n, MAP_POINTS).into_vec();
            s.sort_unstable();
            s
        };
        // The stop set: every k-th row of the (random) map sample.
        let step = self.sample.len().div_ceil(STOP_SET).max(1);
        self.stop_set = self.sample.iter().copied().step_by(step).collect();
    }

    /// The insight after a round: `query` is the sample on screen, `curve` the session's
    /// accuracy curve (test split).
    pub fn update(
        &mut self,
        session: &Session,
        query: Option<&Query>,
        curve: &[CurvePoint],
    ) -> Insight {
        let key = session_key(session);
        if self.key != Some(key) {
            self.reset(session, key);
        }
        let data = session.data();
        let pool = &session.split().pool;
        let test = &session.split().test;
        let labels = session.labels();
        let n_labels = labels.len();
        let k = session.n_classes();
        let model = session.model();
        let query_proba = query.map(|q| ndarray::ArrayView1::from(&q.proba[..]));
        let query_u = query_proba.filter(|p| !p.is_empty()).map(uncertainties);

        // One pass of the model over the pool.
        let mut predicted: Vec<Option<usize>> = vec![None; pool.len()];
        let mut uncertainty = vec![0.0_f32; pool.len()];
        let mut pool_uncertainty = Vec::new();
        let (mut rank_lc, mut rank_margin, mut rank_entropy) = (1, 1, 1);
        if let Some(model) = model {
            for (c, chunk) in pool.chunks(CHUNK).enumerate() {
                let p = model.predict_proba(session.standardized_rows(chunk).view());
                for (i, (row, pr)) in chunk.iter().zip(p.rows()).enumerate() {
                    let pos = c * CHUNK + i;
                    let (best, lc, margin, ent) = scores(pr);
                    predicted[pos] = best;
                    uncertainty[pos] = lc as f32;
                    if labels.contains_key(row) {
                        continue;
                    }
                    pool_uncertainty.push(lc);
                    if let (Some(q), Some((qlc, qm, qe))) = (query, query_u) {
                        if *row != q.row {
                            rank_lc += usize::from(lc > qlc);
                            rank_margin += usize::from(margin < qm);
                            rank_entropy += usize::from(ent > qe);
                        }
                    }
                }
            }
        }

        // The test split.
        let mut classes = Vec::new();
        let mut f1 = None;
        let mut confusion = None;
        if let (Some(model), false) = (model, test.is_empty()) {
            let mut counts = vec![vec![0usize; k]; k];
            let mut examples: Vec<Vec<Vec<Example>>> = vec![vec![Vec::new(); k]; k];
            let (mut truth, mut pred) = (Vec::new(), Vec::new());
            for chunk in test.chunks(CHUNK) {
                let p = model.predict_proba(session.standardized_rows(chunk).view());
                for (&row, pr) in chunk.iter().zip(p.rows()) {
                    let (Some(t), (Some(guess), ..)) =
                        (data.known_labels.get(row).copied().flatten(), scores(pr))
                    else {
                        continue;
                    };
                    if t >= k || guess >= k {
                        continue;
                    }
                    counts[t][guess] += 1;
                    truth.push(t);
                    pred.push(guess);
                    let cell = &mut examples[t][guess];
                    if cell.len() < CELL_EXAMPLES {
                        cell.push(Example {
                            row,
                            id: data.row_ids.get(row).cloned().unwrap_or_default(),
                            summary: summary(&data.feature_names, data.features.row(row)),
                            confidence: pr.get(guess).copied().unwrap_or(0.0),
                        });
                    }
                }
            }
            let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
            classes = (0..k)
                .map(|c| {
                    let tp = counts[c][c];
                    let support: usize = counts[c].iter().sum();
                    let predicted: usize = counts.iter().map(|r| r[c]).sum();
                    ClassScore {
                        class: c,
                        recall: ratio(tp, support),
                        precision: ratio(tp, predicted),
                        f1: ratio(2 * tp, support + predicted),
                        support,
                    }
                })
                .collect();
            f1 = macro_f1(&truth, &pred).ok();
            confusion = Some(Confusion { counts, examples });
        }
        record(
            &mut self.f1_curve,
            n_labels,
            |p| p.n_labels,
            f1.map(|macro_f1| F1Point { n_labels, macro_f1 }),
        );
        let probe = session.probe_estimate().map(|e| ProbePoint {
            n_labels,
            probes: e.n,
            accuracy: e.accuracy,
            low: e.low,
            high: e.high,
        });
        record(&mut self.probe_curve, n_labels, |p| p.n_labels, probe);

        // Stopping advice.
        let stop_preds: Option<Vec<usize>> = self
            .stop_set
            .iter()
            .map(|&pos| predicted.get(pos).copied().flatten())
            .collect();
        record(
            &mut self.stop_history,
            n_labels,
            |p| p.0,
            stop_preds.filter(|p| !p.is_empty()).map(|p| (n_labels, p)),
        );
        let stopping = self.stopping(
            session,
            model.is_some(),
            query.is_some(),
            curve,
            &pool_uncertainty,
        );

        // The map.
        let query_pos = query
            .and_then(|q| self.pool_pos.get(q.row).copied())
            .filter(|&p| p != usize::MAX);
        let map = self.pca.as_ref().map(|pca| {
            let mut positions: Vec<usize> = self.sample.clone();
            positions.extend(labels.keys().filter_map(|r| self.pool_pos.get(*r).copied()));
            positions.extend(query_pos);
            positions.retain(|&p| p < pool.len());
            positions.sort_unstable();
            positions.dedup();
            let points = positions
                .into_iter()
                .filter_map(|pos| {
                    let row = pool[pos];
                    let [x, y] = *self.coords.get(pos)?;
                    let label = labels.get(&row).copied();
                    Some(MapPoint {
                        row,
                        x,
                        y,
                        predicted: predicted[pos],
                        label,
                        uncertainty: uncertainty[pos],
                        state: if Some(pos) == query_pos {
                            PointState::Query
                        } else if label.is_some() {
                            PointState::Labeled
                        } else {
                            PointState::Unlabeled
                        },
                    })
                })
                .collect();
            PoolMap {
                points,
                pool_size: pool.len(),
                variance_ratio: pca.explained_variance_ratio,
                bounds: self.bounds,
            }
        });

        let why = query.map(|q| {
            let (least_confidence, margin, entropy) = query_u.unwrap_or((0.0, 0.0, 0.0));
            Why {
                row: q.row,
                id: data.row_ids.get(q.row).cloned().unwrap_or_default(),
                strategy: session.config().strategy.label().to_string(),
                probe: q.probe,
                score: q.score,
                proba: q.proba.clone(),
                predicted: q.predicted(),
                least_confidence,
                margin,
                entropy,
                candidates: pool.len().saturating_sub(n_labels),
                rank_least_confident: rank_lc,
                rank_margin,
                rank_entropy,
                nearest_labeled: nearest(session, q.row, &labels),
                density: self.density(session, q.row, &labels),
                committee_votes: committee_votes(session, q.row, &labels),
                map: query_pos
                    .and_then(|p| self.coords.get(p))
                    .map(|&[x, y]| [f64::from(x), f64::from(y)]),
                adaptive: None,
            }
        });

        Insight {
            n_classes: k,
            classes,
            macro_f1: f1,
            f1_curve: self.f1_curve.clone(),
            probe_curve: self.probe_curve.clone(),
            confusion,
            map,
            stopping,
            why,
        }
    }

    fn stopping(
        &self,
        session: &Session,
        has_model: bool,
        has_query: bool,
        curve: &[CurvePoint],
        pool_uncertainty: &[f64],
    ) -> StoppingView {
        let has_test = !session.split().test.is_empty();
        let metric = if has_test {
            "test accuracy"
        } else {
            "probe-estimated accuracy"
        };
        let view = |suggest_stop, suggestion: String, advice| StoppingView {
            suggest_stop,
            suggestion,
            metric: metric.to_string(),
            advice,
        };
        if !has_query {
            return view(
                true,
                "Stop: every pool sample is labeled, there is nothing left to ask.".into(),
                Vec::new(),
            );
        }
        if !has_model {
            return view(
                false,
                "Keep labeling: there is no model yet, so no criterion can judge it.".into(),
                Vec::new(),
            );
        }
        let mut points: Vec<(usize, f64)> = if has_test {
            curve.iter().map(|p| (p.n_labels, p.accuracy)).collect()
        } else {
            self.probe_curve
                .iter()
                .map(|p| (p.n_labels, p.accuracy))
                .collect()
        };
        points.sort_by_key(|p| p.0);
        let history: Vec<f64> = points.into_iter().map(|p| p.1).collect();
        let stop_sets: Vec<Vec<usize>> = self.stop_history.iter().map(|p| p.1.clone()).collect();
        let config = StoppingConfig {
            plateau: Some(PlateauRule::default()),
            stabilizing: Some(StabilizingRule::default()),
            uncertainty: Some(UncertaintyRule::default()),
            ..StoppingConfig::default()
        };
        let input = StoppingInput {
            labels_used: session.labels().len(),
            metric_name: metric,
            metric_history: &history,
            stop_set_predictions: &stop_sets,
            pool_uncertainty,
        };
        match evaluate(&config, &input) {
            Ok(advice) => {
                let advice: Vec<AdviceView> = advice
                    .into_iter()
                    .map(|a| AdviceView {
                        criterion: criterion_name(a.criterion).to_string(),
                        stop: a.stop,
                        reason: a.reason,
                    })
                    .collect();
                let first = advice.iter().find(|a| a.stop);
                let suggestion = match first {
                    Some(a) => format!("You could stop here. {}: {}.", a.criterion, a.reason),
                    None => format!(
                        "Keep labeling: none of the {} criteria suggests stopping yet.",
                        advice.len()
                    ),
                };
                view(first.is_some(), suggestion, advice)
            }
            Err(e) => view(
                false,
                format!("The stopping criteria could not be evaluated: {e}"),
                Vec::new(),
            ),
        }
    }

    /// Mean similarity `1 / (1 + distance)` of the row to the map sample (itself counting 1), for
    /// information-density strategies.
    fn density(
        &self,
        session: &Session,
        row: usize,
        labels: &BTreeMap<usize, usize>,
    ) -> Option<f64> {
        if !matches!(session.config().strategy, Strategy::Density { .. }) {
            return None;
        }
        let pool = &session.split().pool;
        let refs: Vec<usize> = self
            .sample
            .iter()
            .map(|&p| pool[p])
            .filter(|r| !labels.contains_key(r))
            .collect();
        if refs.is_empty() {
            return None;
        }
        let q = session.standardized_rows(&[row]);
        let x = session.standardized_rows(&refs);
        let total: f64 = x
            .rows()
            .into_iter()
            .map(|r| 1.0 / (1.0 + sq_dist(q.row(0), r).sqrt()))
            .sum();
        Some(total / refs.len() as f64)
    }
}

fn sq_dist(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// The labeled row nearest to `row` in standardized feature space.
fn nearest(session: &Session, row: usize, labels: &BTreeMap<usize, usize>) -> Option<Nearest> {
    let rows: Vec<usize> = labels.keys().copied().filter(|&r| r != row).collect();
    if rows.is_empty() {
        return None;
    }
    let q = session.standardized_rows(&[row]);
    let mut best: Option<(usize, f64)> = None;
    for chunk in rows.chunks(CHUNK) {
        let x = session.standardized_rows(chunk);
        for (&r, xr) in chunk.iter().zip(x.rows()) {
            let d = sq_dist(q.row(0), xr);
            if best.is_none_or(|(_, b)| d < b) {
                best = Some((r, d));
            }
        }
    }
    best.map(|(r, d)| Nearest {
        row: r,
        id: session.data().row_ids.get(r).cloned().unwrap_or_default(),
        class: labels.get(&r).copied().unwrap_or(0),
        distance: d.sqrt(),
    })
}

/// Votes per class of a committee bagged like a committee strategy's (own seed), for the row.
fn committee_votes(
    session: &Session,
    row: usize,
    labels: &BTreeMap<usize, usize>,
) -> Option<Vec<usize>> {
    let Strategy::Committee { members, .. } = session.config().strategy else {
        return None;
    };
    let rows: Vec<usize> = labels.keys().copied().collect();
    let y: Vec<usize> = labels.values().copied().collect();
    let k = session.n_classes();
    let committee = CommitteeParams {
        base: session.config().model.clone(),
        members,
    }
    .check()
    .ok()?
    .fit(
        session.standardized_rows(&rows).view(),
        &y,
        k,
        &mut rng(session.config().seed, STREAM_COMMITTEE + rows.len() as u64),
    )
    .ok()?;
    let q = session.standardized_rows(&[row]);
    let mut votes = vec![0; k];
    for p in committee.member_probas(q.view()) {
        if let Some(&c) = argmax_rows(p.view()).first() {
            if let Some(v) = votes.get_mut(c) {
                *v += 1;
            }
        }
    }
    Some(votes)
}
