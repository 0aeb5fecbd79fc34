//! The adaptive strategy's rounds ([`Strategy::Adaptive`](crate::strategies::Strategy)): every
//! arm's advice, the bandit's draw, and the bandit's memory from one round to the next.
//!
//! The memory ([`AlblState`]) is kept beside the log, like the warm-start model: the bandit's
//! rewards need the model refitted after each answer, which replaying the log alone does not
//! redo. It is keyed by the log length, so calling [`Session::round`] twice without an event in
//! between gives the same pick (the second call starts again from the state the first started
//! from), and [`Session::adaptive_state`] / [`Session::restore_adaptive_state`] let a caller
//! keep it across a reload.

use super::round::Scoring;
use super::{Session, SessionError};
use crate::models::committee::CommitteeParams;
use crate::models::{argmax_rows, ModelSpec};
use crate::strategies::adaptive::{
    iw_accuracy, AdaptiveChoice, Advice, AlblState, Arm, ArmWeight, PendingDraw,
};
use crate::strategies::density::{density_weighted_scores, information_density, DensityOptions};
use crate::strategies::diversity::core_set_scores;
use crate::strategies::{committee, top_k, Uncertainty};
use crate::EngineRng;
use std::collections::HashMap;

/// Draws of already-labeled rows one round may take before it settles on the best open row (the
/// random arm's share of labeled rows makes more than a handful vanishingly rare).
const MAX_FREE_DRAWS: usize = 200;

/// The bandit's memory between rounds ([`Session::round`]).
#[derive(Debug, Clone)]
pub(super) struct AdaptiveCache {
    /// The log length of the round that made `after`.
    log_len: usize,
    /// The state that round started from (a repeated round starts from it again).
    before: AlblState,
    /// The state after that round's draws.
    after: AlblState,
    /// What that round asked and why.
    choice: Option<AdaptiveChoice>,
}

impl Session {
    /// The arms of the adaptive strategy with the session's model: all of them, except
    /// query-by-committee with the neural network (five networks refitted every round is too slow
    /// to ask the person in time).
    pub fn adaptive_arms(&self) -> Vec<Arm> {
        Arm::ALL
            .into_iter()
            .filter(|&a| !(a == Arm::Qbc && matches!(self.config.model, ModelSpec::Mlp(_))))
            .collect()
    }

    /// The adaptive strategy's memory after the last round that used it (`None` before one).
    pub fn adaptive_state(&self) -> Option<AlblState> {
        self.adaptive.borrow().as_ref().map(|c| c.after.clone())
    }

    /// Continue from a saved [`Session::adaptive_state`] (after [`Session::from_log`]): the next
    /// round credits its pending pick and draws with its weights.
    pub fn restore_adaptive_state(&mut self, state: AlblState) {
        *self.adaptive.borrow_mut() = Some(AdaptiveCache {
            log_len: usize::MAX,
            before: state.clone(),
            after: state,
            choice: None,
        });
    }

    /// Forget the adaptive strategy's memory (the strategy changed).
    pub(super) fn reset_adaptive(&mut self) {
        *self.adaptive.borrow_mut() = None;
    }

    /// What the adaptive strategy did for `row` in the round just run, if it picked it.
    pub(super) fn adaptive_choice(&self, row: Option<usize>) -> Option<AdaptiveChoice> {
        let cache = self.adaptive.borrow();
        let cache = cache.as_ref().filter(|c| c.log_len == self.log.len())?;
        let pending = cache.after.pending.as_ref()?;
        (Some(pending.row) == row)
            .then(|| cache.choice.clone())
            .flatten()
    }

    /// The adaptive strategy's picks: `(candidate index, q)`, the drawn row first, then the rest
    /// of the batch by `q` (ties at random).
    pub(super) fn pick_adaptive(
        &self,
        scoring: Scoring<'_>,
        horizon: usize,
        rng: &mut EngineRng,
    ) -> Result<Vec<(usize, f64)>, SessionError> {
        let Scoring {
            model,
            proba,
            x_cand,
            x_labeled,
            y,
            candidates,
        } = scoring;
        let arms = self.adaptive_arms();
        let log_len = self.log.len();
        let start = {
            let cache = self.adaptive.borrow();
            match cache.as_ref() {
                Some(c) if c.log_len == log_len => Some(c.before.clone()),
                Some(c) => Some(c.after.clone()),
                None => None,
            }
        }
        .filter(|s| s.arms == arms && s.bandit.horizon() == horizon);
        let before = match start {
            Some(s) => s,
            None => AlblState::new(arms.clone(), horizon)?,
        };
        let mut state = before.clone();
        let pool_rows = self.split().pool.len();

        // Whether the model predicts each labeled row's label (computed once per row and round).
        let mut correct: HashMap<usize, bool> = HashMap::new();
        let mut is_correct = |row: usize| -> Option<bool> {
            let label = *self.state.labels.get(&row)?;
            if let Some(&c) = correct.get(&row) {
                return Some(c);
            }
            let p = self.predict_rows(model, &[row]);
            let c = argmax_rows(p.view()).first() == Some(&label);
            correct.insert(row, c);
            Some(c)
        };
        let mut reward = |drawn: &[(usize, f64)]| {
            let hits: Vec<(f64, bool)> = drawn
                .iter()
                .filter_map(|&(row, w)| Some((w, is_correct(row)?)))
                .collect();
            iw_accuracy(&hits, pool_rows, horizon)
        };

        // Credit the last pick, now that its answer is in and the model has learned from it.
        if let Some(p) = state.pending.take() {
            if self.state.labels.contains_key(&p.row) {
                state.drawn.push((p.row, 1.0 / p.q));
                let r = reward(&state.drawn);
                state.bandit.update(r, &p.advice, p.index, p.n);
            }
        }

        // The rows a draw may land on: the labeled pool rows and the candidates, in pool order.
        let mut labeled: Vec<usize> = self
            .state
            .labels
            .keys()
            .filter_map(|&r| self.pool.position(r))
            .collect();
        labeled.sort_unstable();
        let mut support: Vec<usize> = labeled.iter().chain(candidates).copied().collect();
        support.sort_unstable();
        support.dedup();
        let n = support.len();
        let support_index = |candidate: usize| support.binary_search(&candidates[candidate]).ok();

        // Every arm's advice: its top candidate (the random arm: uniform over the support).
        let top = |scores: &[f64], rng: &mut EngineRng| top_k(scores, 1, rng).first().copied();
        let mut advice = Vec::with_capacity(arms.len());
        let mut advised = Vec::with_capacity(arms.len());
        for &arm in &arms {
            let pick = match arm {
                Arm::Random => None,
                Arm::Margin => top(&Uncertainty::Margin.scores(proba), rng),
                Arm::Entropy => top(&Uncertainty::Entropy.scores(proba), rng),
                Arm::Density => {
                    let density = information_density(x_cand, &DensityOptions::default(), rng)?;
                    let scores = density_weighted_scores(
                        &Uncertainty::Entropy.scores(proba),
                        &density,
                        1.0,
                    )?;
                    top(&scores, rng)
                }
                Arm::CoreSet => top(&core_set_scores(x_cand, x_labeled)?, rng),
                Arm::Qbc => {
                    let members = CommitteeParams {
                        base: self.config.model.clone(),
                        members: 5,
                    }
                    .check()?
                    .fit(x_labeled, y, self.n_classes(), rng)?
                    .member_probas(x_cand);
                    top(&committee::vote_entropy_scores(&members)?, rng)
                }
            };
            advised.push(pick.map(|i| self.pool.row(candidates[i])));
            advice.push(match pick.and_then(support_index) {
                Some(index) => Advice::Row(index),
                None => Advice::Uniform,
            });
        }

        // Draw until an open row comes up; a labeled row drawn on the way is a free observation.
        let is_labeled = |index: usize| labeled.binary_search(&support[index]).is_ok();
        let mut free_draws = 0;
        let drawn = loop {
            let index = state.bandit.draw(&advice, n, rng);
            if !is_labeled(index) {
                break Some(index);
            }
            if free_draws == MAX_FREE_DRAWS {
                break None;
            }
            free_draws += 1;
            let q = state.bandit.query_probability(&advice, index, n);
            state.drawn.push((self.pool.row(support[index]), 1.0 / q));
            let r = reward(&state.drawn);
            state.bandit.update(r, &advice, index, n);
        };
        let q_of = |index: usize| state.bandit.query_probability(&advice, index, n);
        // The mix over the candidates (the rest of a batch, and the fallback).
        let scores: Vec<f64> = (0..candidates.len())
            .map(|i| support_index(i).map_or(0.0, q_of))
            .collect();
        let first = match drawn {
            Some(index) => candidates.binary_search(&support[index]).ok(),
            None => top(&scores, rng),
        };
        let Some(first) = first else {
            return Ok(Vec::new());
        };
        let index = support_index(first).unwrap_or(0);
        let q = q_of(index);
        let p = state.bandit.arm_probabilities();
        let choice = AdaptiveChoice {
            arms: arms
                .iter()
                .zip(&p)
                .zip(&advised)
                .map(|((&arm, &probability), &advised)| ArmWeight {
                    arm,
                    probability,
                    advised,
                })
                .collect(),
            proposed_by: arms
                .iter()
                .zip(&advice)
                .filter(|(_, a)| a.at(index, n) > 0.0)
                .map(|(&arm, _)| arm)
                .collect(),
            probability: q,
            free_draws,
        };
        state.pending = Some(PendingDraw {
            row: self.pool.row(candidates[first]),
            index,
            n,
            q,
            advice,
        });
        let mut picks = vec![(first, q)];
        let k = self.config.batch_size;
        if k > 1 {
            let rest = top_k(&scores, k, rng)
                .into_iter()
                .filter(|&i| i != first)
                .take(k - 1)
                .map(|i| (i, scores[i]));
            picks.extend(rest);
        }
        *self.adaptive.borrow_mut() = Some(AdaptiveCache {
            log_len,
            before,
            after: state,
            choice: Some(choice),
        });
        Ok(picks)
    }
}
