//! Stopping criteria: say whether and why it may be time to stop labeling.
//!
//! Every criterion returns an [`Advice`] — a suggestion with a sentence that carries the numbers —
//! and never stops anything by itself. [`evaluate`] runs every configured criterion and returns all
//! the advice, in a fixed order (budget, target, plateau, stabilizing predictions, uncertainty).
//!
//! | criterion | stop when | source |
//! |---|---|---|
//! | [`budget_reached`] | the labels used reach the budget | — |
//! | [`target_reached`] | the latest metric value reaches a target | — |
//! | [`plateau`] | the metric improved by less than δ over the last `w` rounds | — |
//! | [`stabilizing_predictions`] | successive models agree (Cohen's κ ≥ threshold) on a stop set for `k` rounds | Bloodgood & Vijay-Shanker 2009 |
//! | [`uncertainty_below`] | the max (or mean) uncertainty over the pool is below a threshold | Vlachos 2008; Zhu et al. 2008 |

use serde::{Deserialize, Serialize};

use crate::metrics::{cohen_kappa, MetricsError};

/// Which rule an [`Advice`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Criterion {
    /// The label budget.
    Budget,
    /// A target value of the tracked metric.
    Target,
    /// The tracked metric stopped improving.
    Plateau,
    /// Successive models' predictions on a stop set stopped changing.
    StabilizingPredictions,
    /// The model is sure about the whole pool.
    Uncertainty,
}

/// One criterion's suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advice {
    /// Whether this criterion suggests stopping now.
    pub stop: bool,
    /// The criterion that speaks.
    pub criterion: Criterion,
    /// A sentence with the numbers, e.g. "accuracy changed by +0.0020 over the last 5 rounds …".
    pub reason: String,
}

/// Everything that can go wrong while evaluating stopping criteria.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum StoppingError {
    /// A rule's parameter is outside its allowed range.
    #[error("{name} must be {rule}, got {value}")]
    InvalidParameter {
        name: String,
        rule: String,
        value: f64,
    },
    /// Two rounds' stop-set predictions cover different numbers of rows.
    #[error(
        "round {round} has {found} stop-set predictions but round 0 has {expected}: every round \
         must predict the same stop set"
    )]
    StopSetChanged {
        round: usize,
        found: usize,
        expected: usize,
    },
    /// The agreement between two rounds could not be computed.
    #[error("comparing the predictions of rounds {round} and {next}: {source}")]
    Agreement {
        round: usize,
        next: usize,
        source: MetricsError,
    },
}

fn invalid(name: &str, rule: &str, value: f64) -> StoppingError {
    StoppingError::InvalidParameter {
        name: name.to_string(),
        rule: rule.to_string(),
        value,
    }
}

/// Stop when `labels_used ≥ budget`.
///
/// ```
/// let a = engine::stopping::budget_reached(100, 100);
/// assert!(a.stop);
/// assert_eq!(a.reason, "100 of 100 labels used: the budget is reached");
/// ```
pub fn budget_reached(labels_used: usize, budget: usize) -> Advice {
    let stop = labels_used >= budget;
    Advice {
        stop,
        criterion: Criterion::Budget,
        reason: if stop {
            format!("{labels_used} of {budget} labels used: the budget is reached")
        } else {
            format!(
                "{labels_used} of {budget} labels used: {} left",
                budget - labels_used
            )
        },
    }
}

/// Stop when the latest value of a higher-is-better metric (`history`, oldest first) is at least
/// `target`. No advice to stop while nothing is recorded or the latest value is NaN.
///
/// ```
/// let a = engine::stopping::target_reached("accuracy", &[0.8, 0.93], 0.9);
/// assert!(a.stop);
/// assert_eq!(a.reason, "accuracy is 0.9300, at least the target 0.9000");
/// ```
pub fn target_reached(metric: &str, history: &[f64], target: f64) -> Advice {
    let (stop, reason) = match history.last() {
        None => (
            false,
            format!("no {metric} recorded yet (target {target:.4})"),
        ),
        Some(&v) if v >= target => (
            true,
            format!("{metric} is {v:.4}, at least the target {target:.4}"),
        ),
        Some(&v) => (
            false,
            format!("{metric} is {v:.4}, below the target {target:.4}"),
        ),
    };
    Advice {
        stop,
        criterion: Criterion::Target,
        reason,
    }
}

/// The plateau rule's settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlateauRule {
    /// `w ≥ 1`: how many rounds back to compare with.
    pub window: usize,
    /// `δ`: the smallest improvement over `w` rounds that still counts as progress.
    pub min_delta: f64,
}

impl Default for PlateauRule {
    /// `w = 5` rounds, `δ = 0.005`.
    fn default() -> Self {
        PlateauRule {
            window: 5,
            min_delta: 0.005,
        }
    }
}

/// Stop when a higher-is-better metric (`history`, one value per round, oldest first) improved by
/// less than `min_delta` over the last `window` rounds: `history[n−1] − history[n−1−w] < δ`.
/// Needs `w + 1` values; with fewer it advises to continue. `window ≥ 1`, `min_delta` finite.
///
/// ```
/// use engine::stopping::{plateau, PlateauRule};
/// let rule = PlateauRule { window: 2, min_delta: 0.01 };
/// let a = plateau("accuracy", &[0.70, 0.90, 0.904, 0.905], &rule).unwrap();
/// assert!(a.stop);
/// assert_eq!(a.reason, "accuracy changed by +0.0050 over the last 2 rounds (0.9000 → 0.9050), \
///     below the minimum improvement 0.0100");
/// ```
pub fn plateau(metric: &str, history: &[f64], rule: &PlateauRule) -> Result<Advice, StoppingError> {
    if rule.window == 0 {
        return Err(invalid("the plateau window", "at least 1 round", 0.0));
    }
    if !rule.min_delta.is_finite() {
        return Err(invalid(
            "the plateau's minimum improvement",
            "a finite number",
            rule.min_delta,
        ));
    }
    let w = rule.window;
    let n = history.len();
    let (stop, reason) = if n <= w {
        (
            false,
            format!(
                "only {n} {metric} value(s) recorded: the plateau rule compares over {w} rounds \
                 and needs {}",
                w + 1
            ),
        )
    } else {
        let (before, now) = (history[n - 1 - w], history[n - 1]);
        let change = now - before;
        let stop = change < rule.min_delta;
        (
            stop,
            format!(
                "{metric} changed by {change:+.4} over the last {w} rounds ({before:.4} → \
                 {now:.4}), {} the minimum improvement {:.4}",
                if stop { "below" } else { "at least" },
                rule.min_delta
            ),
        )
    };
    Ok(Advice {
        stop,
        criterion: Criterion::Plateau,
        reason,
    })
}

/// The stabilizing-predictions rule's settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StabilizingRule {
    /// Cohen's κ each successive pair must reach, in `[−1, 1]`.
    pub threshold: f64,
    /// `k ≥ 1`: for how many consecutive pairs.
    pub consecutive: usize,
}

impl Default for StabilizingRule {
    /// κ ≥ 0.99 for 3 consecutive rounds (Bloodgood & Vijay-Shanker 2009 stop when the mean of the
    /// last 3 agreements exceeds 0.99; requiring every one of them is slightly stricter).
    fn default() -> Self {
        StabilizingRule {
            threshold: 0.99,
            consecutive: 3,
        }
    }
}

/// Stabilizing predictions (Bloodgood & Vijay-Shanker 2009, "A method for stopping active learning
/// based on stabilizing predictions and the need for user-adjustable stopping", CoNLL): keep a fixed
/// *stop set* of unlabeled rows, record each round's model predictions on it (`predictions`, oldest
/// first), and stop when Cohen's κ ([`cohen_kappa`]) between each of the last `k` successive pairs
/// of rounds is at least `threshold`. Needs `k + 1` rounds; with fewer it advises to continue.
///
/// ```
/// use engine::stopping::{stabilizing_predictions, StabilizingRule};
/// let rounds = vec![vec![0, 1, 1, 0], vec![0, 1, 1, 1], vec![0, 1, 1, 1], vec![0, 1, 1, 1]];
/// let rule = StabilizingRule { threshold: 0.99, consecutive: 2 };
/// let a = stabilizing_predictions(&rounds, &rule).unwrap();
/// assert!(a.stop, "{}", a.reason);
/// ```
pub fn stabilizing_predictions(
    predictions: &[Vec<usize>],
    rule: &StabilizingRule,
) -> Result<Advice, StoppingError> {
    if !(-1.0..=1.0).contains(&rule.threshold) {
        return Err(invalid(
            "the agreement threshold (Cohen's kappa)",
            "between -1 and 1",
            rule.threshold,
        ));
    }
    if rule.consecutive == 0 {
        return Err(invalid(
            "the number of consecutive agreeing rounds",
            "at least 1",
            0.0,
        ));
    }
    let k = rule.consecutive;
    let expected = predictions.first().map_or(0, Vec::len);
    for (round, p) in predictions.iter().enumerate() {
        if p.len() != expected {
            return Err(StoppingError::StopSetChanged {
                round,
                found: p.len(),
                expected,
            });
        }
    }
    let n = predictions.len();
    if n <= k {
        return Ok(Advice {
            stop: false,
            criterion: Criterion::StabilizingPredictions,
            reason: format!(
                "only {n} round(s) of stop-set predictions: comparing {k} successive pair(s) \
                 needs {}",
                k + 1
            ),
        });
    }
    let mut kappas = Vec::with_capacity(k);
    for round in n - 1 - k..n - 1 {
        let kappa =
            cohen_kappa(&predictions[round], &predictions[round + 1]).map_err(|source| {
                StoppingError::Agreement {
                    round,
                    next: round + 1,
                    source,
                }
            })?;
        kappas.push(kappa);
    }
    let stop = kappas.iter().all(|&kappa| kappa >= rule.threshold);
    let listed = kappas
        .iter()
        .map(|v| format!("{v:.4}"))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(Advice {
        stop,
        criterion: Criterion::StabilizingPredictions,
        reason: format!(
            "Cohen's kappa between successive models on the {expected}-row stop set over the \
             last {k} round(s): {listed}; {} at least {:.4}",
            if stop { "all" } else { "not all" },
            rule.threshold
        ),
    })
}

/// How [`uncertainty_below`] summarises the pool's uncertainty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Aggregate {
    /// The largest value: stop only when no row is uncertain (Zhu et al. 2008's max-uncertainty).
    Max,
    /// The mean value: stop when the pool is uncertain on average less than the threshold.
    Mean,
}

/// The overall-uncertainty rule's settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UncertaintyRule {
    /// Max or mean over the pool.
    pub aggregate: Aggregate,
    /// Stop when the aggregate is below this.
    pub threshold: f64,
}

impl Default for UncertaintyRule {
    /// The maximum least-confident uncertainty (`1 − max p`) below 0.1.
    fn default() -> Self {
        UncertaintyRule {
            aggregate: Aggregate::Max,
            threshold: 0.1,
        }
    }
}

/// Stop when the model is sure about the remaining pool (Vlachos 2008; Zhu, Wang & Hovy 2008):
/// the max (or mean) of `uncertainty` — one score per unlabeled row, e.g.
/// [`crate::strategies::uncertainty::least_confident_scores`] — is below `threshold`.
/// NaN scores are ignored. An empty pool advises to stop (there is nothing left to ask).
///
/// ```
/// use engine::stopping::{uncertainty_below, Aggregate, UncertaintyRule};
/// let rule = UncertaintyRule { aggregate: Aggregate::Max, threshold: 0.1 };
/// let a = uncertainty_below(&[0.02, 0.05, 0.08], &rule).unwrap();
/// assert!(a.stop);
/// assert_eq!(a.reason, "the largest uncertainty over the 3 pool rows is 0.0800, below 0.1000");
/// ```
pub fn uncertainty_below(
    uncertainty: &[f64],
    rule: &UncertaintyRule,
) -> Result<Advice, StoppingError> {
    if rule.threshold.is_nan() {
        return Err(invalid(
            "the uncertainty threshold",
            "a number",
            rule.threshold,
        ));
    }
    let values: Vec<f64> = uncertainty
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .collect();
    let (what, value) = match rule.aggregate {
        Aggregate::Max => (
            "largest",
            values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        ),
        Aggregate::Mean => (
            "mean",
            values.iter().sum::<f64>() / values.len().max(1) as f64,
        ),
    };
    let (stop, reason) = if uncertainty.is_empty() {
        (
            true,
            "the pool is empty: there is nothing left to ask".to_string(),
        )
    } else if values.is_empty() {
        (
            false,
            format!(
                "none of the {} pool uncertainties is a number",
                uncertainty.len()
            ),
        )
    } else {
        let stop = value < rule.threshold;
        (
            stop,
            format!(
                "the {what} uncertainty over the {} pool rows is {value:.4}, {} {:.4}",
                values.len(),
                if stop { "below" } else { "not below" },
                rule.threshold
            ),
        )
    };
    Ok(Advice {
        stop,
        criterion: Criterion::Uncertainty,
        reason,
    })
}

/// Which criteria [`evaluate`] runs (`None` = not used) and their settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoppingConfig {
    /// Label budget for [`budget_reached`].
    pub budget: Option<usize>,
    /// Target of the tracked metric for [`target_reached`].
    pub target: Option<f64>,
    /// Settings of [`plateau`].
    pub plateau: Option<PlateauRule>,
    /// Settings of [`stabilizing_predictions`].
    pub stabilizing: Option<StabilizingRule>,
    /// Settings of [`uncertainty_below`].
    pub uncertainty: Option<UncertaintyRule>,
}

/// What the criteria look at, gathered by the session each round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoppingInput<'a> {
    /// Labels given so far.
    pub labels_used: usize,
    /// Name of the tracked metric, for the reasons (e.g. "test accuracy").
    pub metric_name: &'a str,
    /// The tracked higher-is-better metric, one value per round, oldest first.
    pub metric_history: &'a [f64],
    /// Each round's predictions on the fixed stop set, oldest first.
    pub stop_set_predictions: &'a [Vec<usize>],
    /// The current uncertainty of every unlabeled row.
    pub pool_uncertainty: &'a [f64],
}

/// Run every criterion configured in `config` on `input` and return all their advice, in the
/// order budget, target, plateau, stabilizing predictions, uncertainty. Stopping is suggested if
/// any advice has `stop`; the caller decides.
///
/// ```
/// use engine::stopping::{evaluate, Criterion, StoppingConfig, StoppingInput};
/// let config = StoppingConfig { budget: Some(50), target: Some(0.95), ..StoppingConfig::default() };
/// let input = StoppingInput {
///     labels_used: 20,
///     metric_name: "accuracy",
///     metric_history: &[0.8, 0.96],
///     stop_set_predictions: &[],
///     pool_uncertainty: &[],
/// };
/// let advice = evaluate(&config, &input).unwrap();
/// assert_eq!(advice.len(), 2);
/// assert!(!advice[0].stop && advice[1].stop && advice[1].criterion == Criterion::Target);
/// ```
pub fn evaluate(
    config: &StoppingConfig,
    input: &StoppingInput<'_>,
) -> Result<Vec<Advice>, StoppingError> {
    let mut advice = Vec::new();
    if let Some(budget) = config.budget {
        advice.push(budget_reached(input.labels_used, budget));
    }
    if let Some(target) = config.target {
        advice.push(target_reached(
            input.metric_name,
            input.metric_history,
            target,
        ));
    }
    if let Some(rule) = &config.plateau {
        advice.push(plateau(input.metric_name, input.metric_history, rule)?);
    }
    if let Some(rule) = &config.stabilizing {
        advice.push(stabilizing_predictions(input.stop_set_predictions, rule)?);
    }
    if let Some(rule) = &config.uncertainty {
        advice.push(uncertainty_below(input.pool_uncertainty, rule)?);
    }
    Ok(advice)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn budget_and_target() {
        let a = budget_reached(37, 100);
        assert!(!a.stop);
        assert_eq!(a.reason, "37 of 100 labels used: 63 left");
        assert!(budget_reached(120, 100).stop);
        let a = target_reached("accuracy", &[], 0.9);
        assert!(!a.stop);
        assert_eq!(a.reason, "no accuracy recorded yet (target 0.9000)");
        assert!(!target_reached("accuracy", &[0.95, 0.85], 0.9).stop);
        assert!(!target_reached("accuracy", &[f64::NAN], 0.9).stop);
    }

    #[test]
    fn plateau_by_hand() {
        let rule = PlateauRule {
            window: 3,
            min_delta: 0.01,
        };
        // Too short: 3 values for a window of 3.
        let a = plateau("accuracy", &[0.5, 0.6, 0.7], &rule).unwrap();
        assert!(!a.stop);
        assert!(a.reason.contains("needs 4"), "{}", a.reason);
        // 0.70 → 0.75 over 3 rounds: still improving.
        assert!(
            !plateau("accuracy", &[0.5, 0.70, 0.71, 0.70, 0.75], &rule)
                .unwrap()
                .stop
        );
        // 0.745 → 0.75: +0.005 < 0.01.
        let a = plateau("accuracy", &[0.745, 0.74, 0.76, 0.75], &rule).unwrap();
        assert!(a.stop, "{}", a.reason);
        assert!(plateau(
            "accuracy",
            &[0.5],
            &PlateauRule {
                window: 0,
                min_delta: 0.1
            }
        )
        .is_err());
    }

    /// Hand-computed: rounds r0 = [0,0,1,1], r1 = [0,1,1,1] (κ = ½), r2 = r1 (κ = 1), r3 = r2.
    #[test]
    fn stabilizing_predictions_by_hand() {
        let r0 = vec![0, 0, 1, 1];
        let r1 = vec![0, 1, 1, 1];
        let rule = StabilizingRule {
            threshold: 0.99,
            consecutive: 2,
        };
        let a = stabilizing_predictions(&[r0.clone(), r1.clone(), r1.clone()], &rule).unwrap();
        assert!(!a.stop);
        assert_eq!(
            a.reason,
            "Cohen's kappa between successive models on the 4-row stop set over the last 2 \
             round(s): 0.5000, 1.0000; not all at least 0.9900"
        );
        let a = stabilizing_predictions(&[r0.clone(), r1.clone(), r1.clone(), r1.clone()], &rule)
            .unwrap();
        assert!(a.stop, "{}", a.reason);
        assert!(
            !stabilizing_predictions(std::slice::from_ref(&r1), &rule)
                .unwrap()
                .stop
        );
        assert_eq!(
            stabilizing_predictions(&[r0, vec![1]], &rule).unwrap_err(),
            StoppingError::StopSetChanged {
                round: 1,
                found: 1,
                expected: 4
            }
        );
        let err = stabilizing_predictions(&[vec![], vec![], vec![]], &rule).unwrap_err();
        assert!(err.to_string().contains("rounds 0 and 1"), "{err}");
        assert!(stabilizing_predictions(
            &[],
            &StabilizingRule {
                threshold: 2.0,
                consecutive: 1
            }
        )
        .is_err());
    }

    #[test]
    fn uncertainty_rule() {
        let mean = UncertaintyRule {
            aggregate: Aggregate::Mean,
            threshold: 0.1,
        };
        let a = uncertainty_below(&[0.02, 0.3, f64::NAN], &mean).unwrap();
        assert!(!a.stop);
        assert_eq!(
            a.reason,
            "the mean uncertainty over the 2 pool rows is 0.1600, not below 0.1000"
        );
        assert!(uncertainty_below(&[0.02, 0.1], &mean).unwrap().stop);
        assert!(
            !uncertainty_below(&[0.02, 0.1], &UncertaintyRule::default())
                .unwrap()
                .stop
        );
        assert!(uncertainty_below(&[], &mean).unwrap().stop);
        assert!(!uncertainty_below(&[f64::NAN], &mean).unwrap().stop);
    }

    #[test]
    fn evaluate_runs_every_configured_rule() {
        let config = StoppingConfig {
            budget: Some(10),
            target: Some(0.9),
            plateau: Some(PlateauRule::default()),
            stabilizing: Some(StabilizingRule::default()),
            uncertainty: Some(UncertaintyRule::default()),
        };
        let preds = vec![vec![0, 1]; 5];
        let input = StoppingInput {
            labels_used: 10,
            metric_name: "test accuracy",
            metric_history: &[0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6],
            stop_set_predictions: &preds,
            pool_uncertainty: &[0.01, 0.05],
        };
        let advice = evaluate(&config, &input).unwrap();
        let criteria: Vec<Criterion> = advice.iter().map(|a| a.criterion).collect();
        assert_eq!(
            criteria,
            vec![
                Criterion::Budget,
                Criterion::Target,
                Criterion::Plateau,
                Criterion::StabilizingPredictions,
                Criterion::Uncertainty
            ]
        );
        let stops: Vec<bool> = advice.iter().map(|a| a.stop).collect();
        assert_eq!(stops, vec![true, false, true, true, true]);
        assert!(evaluate(&StoppingConfig::default(), &input)
            .unwrap()
            .is_empty());
    }
}
