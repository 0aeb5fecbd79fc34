//! Stream-based selective sampling with a labeling budget (Žliobaitė, Bifet, Pfahringer & Holmes
//! 2014, "Active learning with drifting streaming data", IEEE TNNLS 25(1)).
//!
//! Rows arrive one at a time; for each, [`StreamSampler::decide`] says at once whether to ask for
//! its label. The sampler is stateful (items seen, labels spent, the current threshold) and
//! deterministic given the generator.
//!
//! **Budget.** A fraction `B ∈ [0, 1]` of the items may be labeled. Before anything else, item `t`
//! (1-based, counting the current one) is refused if `spent / t ≥ B`, where `spent` counts the
//! labels asked before it. This is the paper's test `û < B` with the cumulative estimate
//! `û = spent / t` (the paper also proposes a sliding-window estimate, not used here). Hence after
//! `t` items at most `⌈B · t⌉` labels were asked. While over budget the threshold is not updated,
//! as in the paper's algorithms.
//!
//! **Policies** (`p̂ = max_k P(k | x)` is the model's confidence in its prediction):
//! - [`StreamPolicy::Random`]: ask with probability `B` (the paper's baseline).
//! - [`StreamPolicy::FixedUncertainty`]: ask if `p̂ < θ`, θ fixed (Algorithm 2).
//! - [`StreamPolicy::VariableUncertainty`]: ask if `p̂ < θ`, then `θ ← θ(1 − s)`; otherwise
//!   `θ ← θ(1 + s)` (Algorithm 3): the threshold tightens while labels are being spent and loosens
//!   when nothing is asked, so the labels spread over time.
//! - [`StreamPolicy::RandomizedVariableUncertainty`]: as Variable, but compare with
//!   `θ_rand = θ · η`, `η ~ N(1, δ)` (Algorithm 4), which also asks about some confident rows so
//!   that changes far from the boundary (concept drift) are noticed.

use ndarray::ArrayView1;
use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use super::StrategyError;

/// Which rule of Žliobaitė et al. (2014) decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StreamPolicy {
    /// Ask with probability equal to the budget.
    Random,
    /// Ask when the confidence is below a fixed threshold θ.
    FixedUncertainty,
    /// Ask when the confidence is below θ; θ shrinks after asking and grows otherwise.
    VariableUncertainty,
    /// As `VariableUncertainty`, with the threshold multiplied by `η ~ N(1, δ)` each time.
    RandomizedVariableUncertainty,
}

/// Settings of a [`StreamSampler`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StreamConfig {
    /// The rule.
    pub policy: StreamPolicy,
    /// The share `B ∈ [0, 1]` of items that may be labeled.
    pub budget: f64,
    /// The (starting) confidence threshold θ > 0.
    pub threshold: f64,
    /// The adjustment step `s ∈ [0, 1)` of the variable policies (paper: 0.01).
    pub step: f64,
    /// The standard deviation `δ ≥ 0` of the randomization `η ~ N(1, δ)` (paper: 1).
    pub delta: f64,
}

impl StreamConfig {
    /// The paper's defaults for `policy` with budget `budget`: `s = 0.01`, `δ = 1`, θ = 1 for the
    /// variable policies (the paper's starting value) and θ = 0.9 for the fixed one.
    ///
    /// ```
    /// use engine::strategies::stream::{StreamConfig, StreamPolicy};
    /// let c = StreamConfig::new(StreamPolicy::VariableUncertainty, 0.1);
    /// assert_eq!((c.threshold, c.step, c.delta), (1.0, 0.01, 1.0));
    /// ```
    pub fn new(policy: StreamPolicy, budget: f64) -> Self {
        StreamConfig {
            policy,
            budget,
            threshold: if policy == StreamPolicy::FixedUncertainty {
                0.9
            } else {
                1.0
            },
            step: 0.01,
            delta: 1.0,
        }
    }
}

/// Why a [`StreamDecision`] was taken; `Display` gives a sentence with the numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum StreamReason {
    /// Not asked: the labels spent so far already reach the budget share of the items seen.
    OverBudget { spent: u64, seen: u64, budget: f64 },
    /// Random policy: asked iff `draw < budget`.
    RandomDraw { draw: f64, budget: f64 },
    /// Asked: the confidence is below the threshold used for this item.
    Uncertain { confidence: f64, threshold: f64 },
    /// Not asked: the confidence is at or above the threshold used for this item.
    Confident { confidence: f64, threshold: f64 },
}

impl std::fmt::Display for StreamReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            StreamReason::OverBudget {
                spent,
                seen,
                budget,
            } => write!(
                f,
                "over budget: {spent} labels for {seen} items is at least the budget share {budget}"
            ),
            StreamReason::RandomDraw { draw, budget } if draw < budget => {
                write!(
                    f,
                    "random draw {draw:.4} is below the budget share {budget}"
                )
            }
            StreamReason::RandomDraw { draw, budget } => {
                write!(
                    f,
                    "random draw {draw:.4} is not below the budget share {budget}"
                )
            }
            StreamReason::Uncertain {
                confidence,
                threshold,
            } => write!(
                f,
                "uncertain: confidence {confidence:.4} is below the threshold {threshold:.4}"
            ),
            StreamReason::Confident {
                confidence,
                threshold,
            } => write!(
                f,
                "confident: confidence {confidence:.4} is not below the threshold {threshold:.4}"
            ),
        }
    }
}

/// The answer for one item of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StreamDecision {
    /// Ask the oracle for this item's label.
    pub ask: bool,
    /// Why, with the numbers.
    pub reason: StreamReason,
}

/// A budgeted stream sampler (see the module docs for the rules and the source).
#[derive(Debug, Clone, PartialEq)]
pub struct StreamSampler {
    config: StreamConfig,
    threshold: f64,
    seen: u64,
    spent: u64,
}

impl StreamSampler {
    /// Check `config` and start with nothing seen.
    ///
    /// ```
    /// use engine::strategies::stream::{StreamConfig, StreamPolicy, StreamSampler};
    /// assert!(StreamSampler::new(StreamConfig::new(StreamPolicy::Random, 1.5)).is_err());
    /// ```
    pub fn new(config: StreamConfig) -> Result<Self, StrategyError> {
        if !(0.0..=1.0).contains(&config.budget) {
            return Err(StrategyError::invalid(
                "the stream budget (share of items to label)",
                "between 0 and 1",
                config.budget,
            ));
        }
        if !(config.threshold.is_finite() && config.threshold > 0.0) {
            return Err(StrategyError::invalid(
                "the stream threshold θ",
                "a finite number > 0",
                config.threshold,
            ));
        }
        if !(0.0..1.0).contains(&config.step) {
            return Err(StrategyError::invalid(
                "the threshold step s",
                "at least 0 and below 1",
                config.step,
            ));
        }
        if !(config.delta.is_finite() && config.delta >= 0.0) {
            return Err(StrategyError::invalid(
                "the randomization spread δ",
                "a finite number ≥ 0",
                config.delta,
            ));
        }
        Ok(StreamSampler {
            config,
            threshold: config.threshold,
            seen: 0,
            spent: 0,
        })
    }

    /// Decide about the next item, whose class probabilities are `proba_row`, and update the state
    /// (items seen, labels spent, threshold). The Random policy ignores `proba_row`; the others
    /// refuse an empty row or one whose largest probability is not finite (the state is then left
    /// unchanged). `rng` is used by Random (one uniform draw) and Randomized variable uncertainty
    /// (one normal draw), and only while within budget.
    ///
    /// ```
    /// use ndarray::array;
    /// use engine::strategies::stream::{StreamConfig, StreamPolicy, StreamSampler};
    /// let mut s = StreamSampler::new(StreamConfig::new(StreamPolicy::FixedUncertainty, 0.5)).unwrap();
    /// let mut rng = engine::rng(0, 0);
    /// assert!(s.decide(array![0.6, 0.4].view(), &mut rng).unwrap().ask);   // 0.6 < 0.9
    /// assert!(!s.decide(array![0.6, 0.4].view(), &mut rng).unwrap().ask);  // 1 label / 2 items ≥ 0.5
    /// assert!(!s.decide(array![0.95, 0.05].view(), &mut rng).unwrap().ask); // confident
    /// ```
    pub fn decide<R: Rng>(
        &mut self,
        proba_row: ArrayView1<f64>,
        rng: &mut R,
    ) -> Result<StreamDecision, StrategyError> {
        let confidence = if self.config.policy == StreamPolicy::Random {
            None
        } else {
            if proba_row.is_empty() {
                return Err(StrategyError::EmptyProbabilities);
            }
            let max = proba_row.iter().fold(f64::NEG_INFINITY, |m, &p| {
                if m.is_nan() || p.is_nan() {
                    f64::NAN
                } else {
                    m.max(p)
                }
            });
            if !max.is_finite() {
                return Err(StrategyError::invalid(
                    "the largest class probability",
                    "a finite number",
                    max,
                ));
            }
            Some(max)
        };
        self.seen += 1;
        let budget = self.config.budget;
        if self.spent as f64 / self.seen as f64 >= budget {
            return Ok(StreamDecision {
                ask: false,
                reason: StreamReason::OverBudget {
                    spent: self.spent,
                    seen: self.seen,
                    budget,
                },
            });
        }
        let decision = match (self.config.policy, confidence) {
            (StreamPolicy::Random, _) | (_, None) => {
                let draw = rng.gen::<f64>();
                StreamDecision {
                    ask: draw < budget,
                    reason: StreamReason::RandomDraw { draw, budget },
                }
            }
            (policy, Some(confidence)) => {
                let threshold = if policy == StreamPolicy::RandomizedVariableUncertainty {
                    // η = 1 + δ·z with z ~ N(0, 1), i.e. η ~ N(1, δ).
                    let z: f64 = rng.sample(StandardNormal);
                    self.threshold * (1.0 + self.config.delta * z)
                } else {
                    self.threshold
                };
                let ask = confidence < threshold;
                if policy != StreamPolicy::FixedUncertainty {
                    let factor = if ask {
                        1.0 - self.config.step
                    } else {
                        1.0 + self.config.step
                    };
                    self.threshold *= factor;
                }
                StreamDecision {
                    ask,
                    reason: if ask {
                        StreamReason::Uncertain {
                            confidence,
                            threshold,
                        }
                    } else {
                        StreamReason::Confident {
                            confidence,
                            threshold,
                        }
                    },
                }
            }
        };
        if decision.ask {
            self.spent += 1;
        }
        Ok(decision)
    }

    /// The current threshold θ (before any randomization).
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Items decided so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// Labels asked so far.
    pub fn spent(&self) -> u64 {
        self.spent
    }

    /// The settings.
    pub fn config(&self) -> &StreamConfig {
        &self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;
    use ndarray::array;

    fn stream_row(i: u64, r: &mut crate::EngineRng) -> ndarray::Array1<f64> {
        // Confidence drifts slowly between 0.5 and 1 with noise.
        let base = 0.75 + 0.2 * ((i as f64) / 500.0).sin();
        let p = (base + 0.1 * (r.gen::<f64>() - 0.5)).clamp(0.5, 1.0);
        array![p, 1.0 - p]
    }

    #[test]
    fn budget_is_respected_over_a_long_stream() {
        for policy in [
            StreamPolicy::Random,
            StreamPolicy::FixedUncertainty,
            StreamPolicy::VariableUncertainty,
            StreamPolicy::RandomizedVariableUncertainty,
        ] {
            for budget in [0.0, 0.05, 0.3] {
                let mut config = StreamConfig::new(policy, budget);
                config.threshold = if policy == StreamPolicy::FixedUncertainty {
                    0.99
                } else {
                    1.0
                };
                let mut s = StreamSampler::new(config).unwrap();
                let mut data = rng(1, 1);
                let mut r = rng(1, 2);
                for i in 0..20_000u64 {
                    let row = stream_row(i, &mut data);
                    s.decide(row.view(), &mut r).unwrap();
                    let cap = (budget * s.seen() as f64).ceil() as u64;
                    assert!(
                        s.spent() <= cap,
                        "{policy:?} B={budget}: {} labels after {} items",
                        s.spent(),
                        s.seen()
                    );
                }
                let share = s.spent() as f64 / s.seen() as f64;
                if policy != StreamPolicy::FixedUncertainty {
                    assert!(
                        share >= 0.8 * budget,
                        "{policy:?} B={budget}: spent only {share}"
                    );
                }
            }
        }
    }

    /// By hand: every item has confidence 0.5 and θ starts at 0.52 with s = 0.01 and no budget
    /// limit. Ask (0.5 < 0.52) → θ = 0.5148; ask → 0.509652; ask → 0.50455548; ask → 0.4995099252;
    /// then 0.5 ≥ θ: no ask → θ = 0.504509024452, and it keeps oscillating around 0.5.
    #[test]
    fn variable_threshold_adapts() {
        let mut config = StreamConfig::new(StreamPolicy::VariableUncertainty, 1.0);
        config.threshold = 0.52;
        let mut s = StreamSampler::new(config).unwrap();
        let mut r = rng(0, 0);
        let asks: Vec<bool> = (0..6)
            .map(|_| s.decide(array![0.5, 0.5].view(), &mut r).unwrap().ask)
            .collect();
        assert_eq!(asks, vec![true, true, true, true, false, true]);
        let want = 0.52 * 0.99_f64.powi(5) * 1.01;
        assert!((s.threshold() - want).abs() < 1e-14, "{}", s.threshold());
        // Confident rows loosen the threshold.
        let before = s.threshold();
        s.decide(array![0.99, 0.01].view(), &mut r).unwrap();
        assert!((s.threshold() - before * 1.01).abs() < 1e-14);
    }

    #[test]
    fn same_seed_same_decisions_and_reasons_have_numbers() {
        let run = |seed: u64| {
            let mut s = StreamSampler::new(StreamConfig::new(
                StreamPolicy::RandomizedVariableUncertainty,
                0.2,
            ))
            .unwrap();
            let mut data = rng(3, 0);
            let mut r = rng(seed, 0);
            (0..2_000u64)
                .map(|i| {
                    s.decide(stream_row(i, &mut data).view(), &mut r)
                        .unwrap()
                        .ask
                })
                .collect::<Vec<bool>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let mut s =
            StreamSampler::new(StreamConfig::new(StreamPolicy::FixedUncertainty, 0.5)).unwrap();
        let mut r = rng(0, 0);
        let d = s.decide(array![0.6, 0.4].view(), &mut r).unwrap();
        assert_eq!(
            d.reason.to_string(),
            "uncertain: confidence 0.6000 is below the threshold 0.9000"
        );
        let d = s.decide(array![0.6, 0.4].view(), &mut r).unwrap();
        assert_eq!(
            d.reason.to_string(),
            "over budget: 1 labels for 2 items is at least the budget share 0.5"
        );
    }

    #[test]
    fn bad_settings_and_rows_are_refused() {
        let mut c = StreamConfig::new(StreamPolicy::RandomizedVariableUncertainty, 0.1);
        c.delta = -1.0;
        assert!(StreamSampler::new(c).is_err());
        c.delta = f64::INFINITY;
        assert!(StreamSampler::new(c).is_err());
        c.delta = 1.0;
        c.step = 1.0;
        assert!(StreamSampler::new(c).is_err());
        c.step = 0.01;
        c.threshold = 0.0;
        assert!(StreamSampler::new(c).is_err());
        c.threshold = 1.0;
        let mut s = StreamSampler::new(c).unwrap();
        let mut r = rng(0, 0);
        assert_eq!(
            s.decide(ndarray::Array1::<f64>::zeros(0).view(), &mut r),
            Err(StrategyError::EmptyProbabilities)
        );
        assert!(s.decide(array![f64::NAN, 0.5].view(), &mut r).is_err());
        assert_eq!(s.seen(), 0, "refused rows are not counted");
    }
}
