//! The engine's previous solver, L-BFGS (Nocedal & Wright, Algorithm 7.4/7.5) with Armijo
//! backtracking, kept for the tests only: an independent route to the same optimum.

use super::objective::{dot, inf_norm, Objective};
use crate::models::linalg::axpy;
use std::collections::VecDeque;

/// Number of (s, y) pairs L-BFGS remembers.
const MEMORY: usize = 10;

/// `a − b` entry by entry.
fn minus(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(a, b)| a - b).collect()
}

/// Minimise with L-BFGS; returns the point, the iterations used and whether `tol` was reached.
pub(super) fn lbfgs(
    f: &Objective<'_, '_>,
    mut theta: Vec<f64>,
    max_iter: usize,
    tol: f64,
) -> (Vec<f64>, usize, bool) {
    let at = f.eval(&theta);
    let (mut value, mut grad) = (at.loss, at.grad);
    let mut memory: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::with_capacity(MEMORY);
    for iter in 0..max_iter {
        if inf_norm(&grad) <= tol {
            return (theta, iter, true);
        }
        // Two-loop recursion: direction = −H·grad.
        let mut q = grad.clone();
        let mut alphas = Vec::with_capacity(memory.len());
        for (s, y, rho) in memory.iter().rev() {
            let a = rho * dot(s, &q);
            axpy(&mut q, -a, y);
            alphas.push(a);
        }
        let scale = match memory.back() {
            Some((s, y, _)) => dot(s, y) / dot(y, y),
            None => 1.0 / (1.0 + dot(&grad, &grad).sqrt()),
        };
        q.iter_mut().for_each(|v| *v *= scale);
        for ((s, y, rho), a) in memory.iter().zip(alphas.iter().rev()) {
            let bta = rho * dot(y, &q);
            axpy(&mut q, a - bta, s);
        }
        let mut direction: Vec<f64> = q.iter().map(|v| -v).collect();
        let mut slope = dot(&grad, &direction);
        if slope >= 0.0 {
            memory.clear();
            direction = grad.iter().map(|v| -v).collect();
            slope = dot(&grad, &direction);
        }
        // Armijo backtracking from a unit step.
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let candidate: Vec<f64> = theta
                .iter()
                .zip(&direction)
                .map(|(t, d)| t + d * step)
                .collect();
            let at = f.eval(&candidate);
            if at.loss.is_finite() && at.loss <= value + 1e-4 * step * slope {
                accepted = Some((candidate, at.loss, at.grad));
                break;
            }
            step *= 0.5;
        }
        let Some((next, next_value, next_grad)) = accepted else {
            // No decrease is representable any more: we are at the optimum to machine precision.
            return (theta, iter, inf_norm(&grad) <= tol);
        };
        let s = minus(&next, &theta);
        let y = minus(&next_grad, &grad);
        let sy = dot(&s, &y);
        if sy > 1e-12 * dot(&y, &y).max(f64::MIN_POSITIVE) {
            if memory.len() == MEMORY {
                memory.pop_front();
            }
            memory.push_back((s, y, 1.0 / sy));
        }
        theta = next;
        value = next_value;
        grad = next_grad;
    }
    let converged = inf_norm(&grad) <= tol;
    (theta, max_iter, converged)
}
