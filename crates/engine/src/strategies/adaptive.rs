//! Active Learning by Learning (ALBL; Hsu & Lin, AAAI 2015): no single strategy is best on every
//! dataset, so a bandit learns, round by round, whose advice to follow.
//!
//! Each round every arm (a strategy: random, margin, entropy, information density, core-set and,
//! where the model allows, query-by-committee) *advises* a distribution over the pool rows: the
//! random arm is uniform over them, every other arm puts all its mass on its own top pick. EXP4.P
//! (Beygelzimer et al. 2011) holds one weight per arm and mixes the advice into the query
//! distribution `q_j = Σ_k p_k ξ_k(j)` with
//!
//! ```text
//! p_k = (1 − K·p_min) · w_k / Σ w + p_min,            p_min = √(ln K / (K·T))
//! ```
//!
//! A row is drawn from `q`. When it is answered, the model is refitted and rewarded by its
//! *importance-weighted accuracy* on every row drawn so far (each weighted by `W = 1/q` at its
//! draw):
//!
//! ```text
//! IW-ACC = 1/(n·T) · Σ_τ W_τ · [f(x_τ) = y_τ]      (n = pool rows, T = horizon)
//! ```
//!
//! and the weights move by `w_k ← w_k · exp(p_min/2 · (r̂_k + v̂_k · √(ln(K/δ) / (K·T))))` with
//! `r̂_k = IW-ACC · ξ_k(j) / q_j` and `v̂_k = 1/p_k`. As in the paper (and libact), the draw is
//! over *every* pool row: a draw of a row that is already labeled costs nothing (its label is
//! known) and still counts, which keeps IW-ACC an unbiased estimate of the model's accuracy on
//! the pool; the session draws again until an unlabeled row comes up.
//!
//! The bandit is written here because no maintained Rust crate implements EXP4.P with expert
//! advice (the crates on crates.io cover EXP3 and UCB over plain arms); it is 60 lines and is
//! checked against a hand-computed run below. The weights live in log space so that a long
//! session cannot overflow them.

use super::StrategyError;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The EXP4.P confidence parameter δ (libact's default).
pub const DELTA: f64 = 0.1;

/// A strategy the adaptive strategy can follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arm {
    /// Uniform over the pool (labeled rows included: a draw of one is a free observation).
    Random,
    /// Margin sampling's top pick.
    Margin,
    /// Entropy sampling's top pick.
    Entropy,
    /// Information density's top pick (entropy × mean similarity).
    Density,
    /// Core-set's top pick (the row farthest from everything labeled).
    CoreSet,
    /// Query-by-committee's top pick (vote entropy of 5 bagged members).
    Qbc,
}

impl Arm {
    /// Every arm, in the order the weights are listed.
    pub const ALL: [Arm; 6] = [
        Arm::Random,
        Arm::Margin,
        Arm::Entropy,
        Arm::Density,
        Arm::CoreSet,
        Arm::Qbc,
    ];

    /// The strategy's short name, as `activelab simulate --strategy` knows it.
    pub fn name(self) -> &'static str {
        match self {
            Arm::Random => "random",
            Arm::Margin => "margin",
            Arm::Entropy => "entropy",
            Arm::Density => "density",
            Arm::CoreSet => "coreset",
            Arm::Qbc => "qbc",
        }
    }
}

/// One arm's advice over `n` rows: uniform, or all its mass on one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Advice {
    /// `ξ(j) = 1/n` for every row.
    Uniform,
    /// `ξ(j) = 1` for this row, 0 elsewhere.
    Row(usize),
}

impl Advice {
    /// `ξ(row)` over `n` rows.
    pub fn at(self, row: usize, n: usize) -> f64 {
        match self {
            Advice::Uniform if n > 0 => 1.0 / n as f64,
            Advice::Uniform => 0.0,
            Advice::Row(r) => f64::from(u8::from(r == row)),
        }
    }
}

/// EXP4.P over `K` arms whose advice is given each round (Beygelzimer et al. 2011, as ALBL uses
/// it: the experts are the arms).
///
/// ```
/// use engine::strategies::adaptive::{Advice, Exp4p};
/// let mut bandit = Exp4p::new(2, 4, 0.1).unwrap();
/// assert_eq!(bandit.arm_probabilities(), vec![0.5, 0.5]);
/// let advice = [Advice::Uniform, Advice::Row(2)];
/// let q = bandit.query_probability(&advice, 2, 4);
/// assert_eq!(q, 0.625); // 0.5 · 1/4 + 0.5 · 1
/// bandit.update(0.4, &advice, 2, 4);
/// let p = bandit.arm_probabilities();
/// assert!(p[1] > p[0], "the arm that advised the rewarded row gains");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exp4p {
    /// `ln w_k`, shifted so that the largest is 0.
    log_weights: Vec<f64>,
    /// The horizon `T` (rounds the bandit plans for).
    horizon: usize,
    delta: f64,
    p_min: f64,
}

impl Exp4p {
    /// A bandit over `arms` arms with equal weights, planning for `horizon` rounds, confidence
    /// `delta` ([`DELTA`] by default). `p_min = √(ln K / (K·T))`, at most `1/K`.
    pub fn new(arms: usize, horizon: usize, delta: f64) -> Result<Self, StrategyError> {
        if arms == 0 {
            return Err(StrategyError::invalid(
                "the number of arms",
                "at least 1",
                0.0,
            ));
        }
        if horizon == 0 {
            return Err(StrategyError::invalid(
                "the horizon (rounds)",
                "at least 1",
                0.0,
            ));
        }
        if !(delta > 0.0 && delta <= 1.0) {
            return Err(StrategyError::invalid("delta", "in (0, 1]", delta));
        }
        let k = arms as f64;
        let p_min = ((k.ln() / (k * horizon as f64)).sqrt()).min(1.0 / k);
        Ok(Self {
            log_weights: vec![0.0; arms],
            horizon,
            delta,
            p_min,
        })
    }

    /// Number of arms `K`.
    pub fn arms(&self) -> usize {
        self.log_weights.len()
    }

    /// The horizon `T`.
    pub fn horizon(&self) -> usize {
        self.horizon
    }

    /// `p_min`, the least probability every arm keeps.
    pub fn p_min(&self) -> f64 {
        self.p_min
    }

    /// The weights `w_k / Σ w` (they sum to 1).
    pub fn weights(&self) -> Vec<f64> {
        let w: Vec<f64> = self.log_weights.iter().map(|l| l.exp()).collect();
        let total: f64 = w.iter().sum();
        w.into_iter().map(|w| w / total).collect()
    }

    /// `p_k = (1 − K·p_min) · w_k / Σ w + p_min`: the chance each arm's advice is followed.
    pub fn arm_probabilities(&self) -> Vec<f64> {
        let k = self.arms() as f64;
        self.weights()
            .into_iter()
            .map(|w| (1.0 - k * self.p_min) * w + self.p_min)
            .collect()
    }

    /// `q_row = Σ_k p_k ξ_k(row)` over `n` rows.
    pub fn query_probability(&self, advice: &[Advice], row: usize, n: usize) -> f64 {
        self.arm_probabilities()
            .iter()
            .zip(advice)
            .map(|(p, a)| p * a.at(row, n))
            .sum()
    }

    /// Draw a row of `0..n` from `q`: an arm by `p`, then a row by its advice.
    pub fn draw<R: Rng>(&self, advice: &[Advice], n: usize, rng: &mut R) -> usize {
        let p = self.arm_probabilities();
        let mut u = rng.gen::<f64>();
        let mut chosen = advice.len().saturating_sub(1);
        for (k, pk) in p.iter().enumerate().take(advice.len()) {
            if u < *pk {
                chosen = k;
                break;
            }
            u -= pk;
        }
        match advice.get(chosen) {
            Some(Advice::Row(r)) => *r,
            _ => rng.gen_range(0..n.max(1)),
        }
    }

    /// Credit `reward` to the draw of `row` (of `n`) made with `advice`:
    /// `ln w_k += p_min/2 · (reward · ξ_k(row) / q_row + √(ln(K/δ)/(K·T)) / p_k)`.
    pub fn update(&mut self, reward: f64, advice: &[Advice], row: usize, n: usize) {
        let p = self.arm_probabilities();
        let q = self.query_probability(advice, row, n);
        let k = self.arms() as f64;
        let bonus = ((k / self.delta).ln() / (k * self.horizon as f64)).sqrt();
        for (i, lw) in self.log_weights.iter_mut().enumerate() {
            let xi = advice.get(i).map_or(0.0, |a| a.at(row, n));
            let r_hat = if q > 0.0 { reward * xi / q } else { 0.0 };
            *lw += self.p_min / 2.0 * (r_hat + bonus / p[i]);
        }
        let top = self
            .log_weights
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        if top.is_finite() {
            self.log_weights.iter_mut().for_each(|lw| *lw -= top);
        }
    }
}

/// Importance-weighted accuracy `1/(n·T) · Σ W_τ · [correct_τ]` of `(W, correct)` pairs, over a
/// pool of `n` rows and a horizon of `T` rounds (0 when either is 0).
///
/// ```
/// use engine::strategies::adaptive::iw_accuracy;
/// assert_eq!(iw_accuracy(&[(4.0, true), (2.0, false)], 10, 2), 0.2);
/// ```
pub fn iw_accuracy(draws: &[(f64, bool)], n: usize, horizon: usize) -> f64 {
    if n == 0 || horizon == 0 {
        return 0.0;
    }
    let sum: f64 = draws.iter().filter(|(_, c)| *c).map(|(w, _)| w).sum();
    sum / (n as f64 * horizon as f64)
}

/// The adaptive strategy's memory between rounds: the bandit, every row drawn with its
/// importance weight, and the last pick waiting for its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlblState {
    /// The arms, in the bandit's order.
    pub arms: Vec<Arm>,
    pub bandit: Exp4p,
    /// `(dataset row, W = 1/q)` of every row drawn and answered, in order.
    pub drawn: Vec<(usize, f64)>,
    /// The last pick: its dataset row, its index among the draw's rows and their number, and the
    /// advice it was drawn with (credited once its label is in).
    pub pending: Option<PendingDraw>,
}

/// A pick waiting for its answer ([`AlblState::pending`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingDraw {
    pub row: usize,
    pub index: usize,
    pub n: usize,
    /// Its probability `q` when it was drawn (its importance weight is `1/q`).
    pub q: f64,
    pub advice: Vec<Advice>,
}

impl AlblState {
    /// A fresh state over `arms`, planning for `horizon` rounds.
    pub fn new(arms: Vec<Arm>, horizon: usize) -> Result<Self, StrategyError> {
        Ok(Self {
            bandit: Exp4p::new(arms.len(), horizon, DELTA)?,
            arms,
            drawn: Vec::new(),
            pending: None,
        })
    }
}

/// What the adaptive strategy did for the row it asks: the why-this-sample panel's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdaptiveChoice {
    /// Every arm with its chance `p_k` of being followed this round, in the bandit's order.
    pub arms: Vec<ArmWeight>,
    /// The arms whose advice includes the asked row (the random arm always does).
    pub proposed_by: Vec<Arm>,
    /// The asked row's probability `q` under the mix.
    pub probability: f64,
    /// Already-labeled rows drawn before it this round (free observations).
    pub free_draws: usize,
}

/// One arm's share of the mix.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ArmWeight {
    pub arm: Arm,
    /// `p_k`.
    pub probability: f64,
    /// The dataset row it advised (`None` for the random arm).
    pub advised: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two arms over 4 rows (arm 0 uniform, arm 1 on one row), T = 4, δ = 0.1, worked by hand:
    ///
    /// - `p_min = √(ln 2 / 8) = 0.294352505628869`, bonus `c = √(ln 20 / 8) = 0.611936707670204`.
    /// - Round 1: `p = (0.5, 0.5)`; arm 1 advises row 2; row 2 is drawn: `q = 0.5/4 + 0.5 = 0.625`.
    ///   Reward 0.4: `r̂ = (0.4·0.25/0.625, 0.4/0.625) = (0.16, 0.64)`, `v̂ = (2, 2)`;
    ///   `ln w = p_min/2 · (0.16 + 2c, 0.64 + 2c) = (0.203673303639, 0.274317904990)`.
    /// - Round 2: `p_1 = (1 − 2 p_min) · σ(0.070644601351) + p_min = 0.507260923147`; arm 1 advises
    ///   row 1, row 0 is drawn: `q = p_0 / 4 = 0.123184769213`. Reward 0.3: `r̂_0 = 0.3·0.25/q`,
    ///   `r̂_1 = 0`; `ln w = (0.476059712073, 0.451864700899)`, so `p = (0.502487700355,
    ///   0.497512299645)`: arm 0 got ahead.
    #[test]
    fn exp4p_matches_a_hand_computed_run() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        let mut bandit = Exp4p::new(2, 4, 0.1).unwrap();
        assert!(close(bandit.p_min(), 0.294_352_505_628_868_67));
        let advice = [Advice::Uniform, Advice::Row(2)];
        assert!(close(bandit.query_probability(&advice, 2, 4), 0.625));
        assert!(close(bandit.query_probability(&advice, 0, 4), 0.125));
        bandit.update(0.4, &advice, 2, 4);
        let p = bandit.arm_probabilities();
        assert!(close(p[1], 0.507_260_923_147_432_7), "{p:?}");
        let advice = [Advice::Uniform, Advice::Row(1)];
        assert!(close(
            bandit.query_probability(&advice, 0, 4),
            0.123_184_769_213_141_82
        ));
        bandit.update(0.3, &advice, 0, 4);
        let p = bandit.arm_probabilities();
        assert!(close(p[0], 0.502_487_700_355_288_3), "{p:?}");
        assert!(close(p[1], 0.497_512_299_644_711_66), "{p:?}");
        let w = bandit.weights();
        let expected = 1.0 / (1.0 + (0.451_864_700_898_916_6f64 - 0.476_059_712_073_065_74).exp());
        assert!(close(w[0], expected), "{w:?}");
    }

    #[test]
    fn draws_follow_the_mix_and_are_seeded() {
        let bandit = Exp4p::new(3, 50, DELTA).unwrap();
        let advice = [Advice::Uniform, Advice::Row(7), Advice::Row(7)];
        let mut rng = crate::rng(3, 0);
        let n = 10;
        let draws: Vec<usize> = (0..3000)
            .map(|_| bandit.draw(&advice, n, &mut rng))
            .collect();
        let sevens = draws.iter().filter(|&&r| r == 7).count() as f64 / 3000.0;
        let q7 = bandit.query_probability(&advice, 7, n);
        assert!((sevens - q7).abs() < 0.03, "{sevens} vs {q7}");
        let again: Vec<usize> = {
            let mut rng = crate::rng(3, 0);
            (0..3000)
                .map(|_| bandit.draw(&advice, n, &mut rng))
                .collect()
        };
        assert_eq!(draws, again);
        let total: f64 = (0..n)
            .map(|r| bandit.query_probability(&advice, r, n))
            .sum();
        assert!((total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn bad_parameters_are_refused_with_their_values() {
        assert_eq!(
            Exp4p::new(2, 0, DELTA).unwrap_err().to_string(),
            "the horizon (rounds) must be at least 1, got 0"
        );
        assert_eq!(
            Exp4p::new(2, 5, 1.5).unwrap_err().to_string(),
            "delta must be in (0, 1], got 1.5"
        );
    }

    #[test]
    fn long_runs_do_not_overflow() {
        let mut bandit = Exp4p::new(2, 1, DELTA).unwrap();
        for _ in 0..100_000 {
            bandit.update(1.0, &[Advice::Uniform, Advice::Row(0)], 0, 2);
        }
        assert!(bandit.arm_probabilities().iter().all(|p| p.is_finite()));
    }
}
