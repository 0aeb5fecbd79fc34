//! A race's curves per strategy, and the summary in numbers and plain words: each strategy
//! against random, with the paired test over seeds.

use super::{paired_t_test, PairedTest, RaceError, ALPHA};
use crate::simulation::{curve_stats, CurveStat, Run};
use crate::strategies::StrategyKind;
use serde::{Deserialize, Serialize};

/// One strategy's runs in a race, in seed order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyRuns {
    /// The strategy.
    pub strategy: StrategyKind,
    /// One run per seed, in the race's seed order.
    pub runs: Vec<Run>,
}

/// One strategy's curve and numbers, as the page draws them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyCurve {
    /// The strategy.
    pub strategy: StrategyKind,
    /// Display name.
    pub label: String,
    /// Mean, standard deviation, min and max of accuracy over seeds at each label count.
    pub stats: Vec<CurveStat>,
    /// AULC per seed (in the race's seed order).
    pub aulc: Vec<f64>,
    /// Mean AULC over seeds.
    pub aulc_mean: f64,
    /// Sample standard deviation of AULC over seeds (0 for one seed).
    pub aulc_sd: f64,
}

/// Curves and AULC per strategy.
///
/// ```
/// use engine::race::{strategy_curve, StrategyRuns};
/// use engine::strategies::StrategyKind;
/// let c = strategy_curve(&StrategyRuns { strategy: StrategyKind::Margin, runs: vec![] });
/// assert_eq!((c.label.as_str(), c.stats.len()), ("margin", 0));
/// ```
pub fn strategy_curve(runs: &StrategyRuns) -> StrategyCurve {
    let aulc: Vec<f64> = runs.runs.iter().map(|r| r.aulc).collect();
    let (aulc_mean, aulc_sd) = mean_sd(&aulc);
    StrategyCurve {
        label: runs.strategy.label().to_string(),
        strategy: runs.strategy,
        stats: curve_stats(&runs.runs),
        aulc,
        aulc_mean,
        aulc_sd,
    }
}

fn mean_sd(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = if values.len() > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    (mean, sd)
}

/// One strategy against random.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The strategy.
    pub strategy: StrategyKind,
    /// The first label count at which the strategy's mean curve reached random's final mean
    /// accuracy (`None`: it never did within the budget).
    pub labels_to_reach: Option<usize>,
    /// Labels saved against random's final label count (negative: more were needed).
    pub saved: Option<i64>,
    /// `saved` as a percentage of random's final label count.
    pub saved_percent: Option<f64>,
    /// Mean over seeds of `AULC(strategy) − AULC(random)`.
    pub aulc_diff: f64,
    /// Seeds on which the strategy's AULC is higher than random's.
    pub better_seeds: usize,
    /// Seeds compared.
    pub n_seeds: usize,
    /// The paired t-test on the per-seed AULC differences (`None` with one seed).
    pub test: Option<PairedTest>,
    /// Whether the difference is larger than the seed-to-seed spread (`p < ALPHA`).
    pub significant: bool,
}

/// The race's result in numbers and in plain words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceSummary {
    /// Random's mean accuracy at its last label count.
    pub random_final_accuracy: f64,
    /// Random's last label count.
    pub random_final_labels: usize,
    /// Every other strategy against random, in the race's order.
    pub comparisons: Vec<Comparison>,
    /// The summary, one sentence per line.
    pub sentences: Vec<String>,
}

fn percent(p: f64) -> String {
    format!("{:.1} %", p * 100.0)
}

/// Compare every strategy with random: labels needed to reach random's final accuracy, AULC, and
/// the paired t-test over seeds, with sentences for the person.
///
/// ```
/// use engine::race::{summarize, strategy_curve, StrategyRuns};
/// use engine::simulation::{CurvePoint, Run};
/// let run = |seed, accs: &[f64]| Run {
///     seed,
///     order: vec![],
///     curve: accs.iter().enumerate().map(|(i, &a)| CurvePoint { n_labels: 3 + i, accuracy: a }).collect(),
///     aulc: accs.iter().sum::<f64>() / accs.len() as f64,
/// };
/// use engine::strategies::StrategyKind::{Margin, Random};
/// let margin = StrategyRuns { strategy: Margin, runs: vec![run(1, &[0.5, 0.9, 0.9]), run(2, &[0.6, 0.9, 1.0])] };
/// let random = StrategyRuns { strategy: Random, runs: vec![run(1, &[0.5, 0.6, 0.8]), run(2, &[0.5, 0.7, 0.8])] };
/// let s = summarize(&[strategy_curve(&margin), strategy_curve(&random)]).unwrap();
/// assert_eq!(s.comparisons[0].labels_to_reach, Some(4));
/// assert!(s.sentences[0].starts_with("margin reached random's final accuracy (80.0 %) with 1 fewer label (−20 %"));
/// ```
pub fn summarize(curves: &[StrategyCurve]) -> Result<RaceSummary, RaceError> {
    let random = curves
        .iter()
        .find(|c| c.strategy == StrategyKind::Random)
        .ok_or(RaceError::NoRandom)?;
    let last = random.stats.last().ok_or(RaceError::NoRandom)?;
    let (target, random_n) = (last.mean, last.n_labels);
    let mut comparisons = Vec::new();
    let mut sentences = Vec::new();
    for c in curves.iter().filter(|c| c.strategy != StrategyKind::Random) {
        let reach = c
            .stats
            .iter()
            .find(|s| s.mean >= target - 1e-12)
            .map(|s| s.n_labels);
        let saved = reach.map(|n| random_n as i64 - n as i64);
        let saved_percent = saved.map(|s| {
            if random_n == 0 {
                0.0
            } else {
                s as f64 / random_n as f64 * 100.0
            }
        });
        let n_seeds = c.aulc.len().min(random.aulc.len());
        let diffs: Vec<f64> = (0..n_seeds).map(|i| c.aulc[i] - random.aulc[i]).collect();
        let aulc_diff = mean_sd(&diffs).0;
        let better_seeds = diffs.iter().filter(|d| **d > 0.0).count();
        let test = paired_t_test(&c.aulc[..n_seeds], &random.aulc[..n_seeds]);
        let significant = test.is_some_and(|t| t.p < ALPHA);
        let name = &c.label;
        sentences.push(match (reach, saved, saved_percent) {
            (Some(n), Some(s), Some(pc)) if s > 0 => format!(
                "{name} reached random's final accuracy ({}) with {s} fewer label{} (−{:.0} %: {n} instead of {random_n}).",
                percent(target),
                if s == 1 { "" } else { "s" },
                pc
            ),
            (Some(_), Some(0), _) => format!(
                "{name} needed as many labels as random ({random_n}) to reach random's final accuracy ({}).",
                percent(target)
            ),
            (Some(n), Some(s), Some(pc)) => format!(
                "{name} reached random's final accuracy ({}) only with {} more labels (+{:.0} %: {n} instead of {random_n}).",
                percent(target),
                -s,
                -pc
            ),
            _ => format!(
                "{name} did not reach random's final accuracy ({}) within {} labels; its best mean accuracy was {}.",
                percent(target),
                c.stats.last().map_or(0, |s| s.n_labels),
                percent(c.stats.iter().map(|s| s.mean).fold(0.0, f64::max))
            ),
        });
        sentences.push(match test {
            Some(t) => format!(
                "AULC {name} {:.3} vs random {:.3} ({}{:.3}, higher on {better_seeds} of {n_seeds} seeds); paired t-test over {n_seeds} seeds: t = {}, p {}: {}.",
                c.aulc_mean,
                random.aulc_mean,
                if aulc_diff >= 0.0 { "+" } else { "−" },
                aulc_diff.abs(),
                if t.t.is_finite() { format!("{:.2}", t.t) } else if t.t > 0.0 { "∞".into() } else { "−∞".into() },
                if t.p < 0.001 { "< 0.001".to_string() } else { format!("= {:.3}", t.p) },
                if significant {
                    "the difference is larger than the seed-to-seed spread"
                } else {
                    "the difference is not larger than the seed-to-seed spread"
                }
            ),
            None => format!(
                "AULC {name} {:.3} vs random {:.3} ({}{:.3}); one seed cannot tell a difference from seed-to-seed spread: add seeds.",
                c.aulc_mean,
                random.aulc_mean,
                if aulc_diff >= 0.0 { "+" } else { "−" },
                aulc_diff.abs()
            ),
        });
        comparisons.push(Comparison {
            strategy: c.strategy,
            labels_to_reach: reach,
            saved,
            saved_percent,
            aulc_diff,
            better_seeds,
            n_seeds,
            test,
            significant,
        });
    }
    Ok(RaceSummary {
        random_final_accuracy: target,
        random_final_labels: random_n,
        comparisons,
        sentences,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_wording() {
        use crate::simulation::CurvePoint;
        let curve = |name: &str, per_seed: &[&[f64]]| {
            strategy_curve(&StrategyRuns {
                strategy: name.parse().expect("a strategy name"),
                runs: per_seed
                    .iter()
                    .enumerate()
                    .map(|(s, accs)| Run {
                        seed: s as u64,
                        order: vec![],
                        curve: accs
                            .iter()
                            .enumerate()
                            .map(|(i, &a)| CurvePoint {
                                n_labels: 10 * (i + 1),
                                accuracy: a,
                            })
                            .collect(),
                        aulc: accs.iter().sum::<f64>() / accs.len() as f64,
                    })
                    .collect(),
            })
        };
        let random = curve(
            "random",
            &[&[0.5, 0.6, 0.7], &[0.5, 0.6, 0.71], &[0.5, 0.62, 0.7]],
        );
        let margin = curve(
            "margin",
            &[&[0.6, 0.8, 0.9], &[0.6, 0.79, 0.9], &[0.61, 0.8, 0.9]],
        );
        let entropy = curve(
            "entropy",
            &[&[0.5, 0.7, 0.6], &[0.5, 0.5, 0.6], &[0.5, 0.6, 0.65]],
        );
        let s = summarize(&[margin, entropy, random]).unwrap();
        assert!((s.random_final_accuracy - 0.7033333333).abs() < 1e-9);
        assert_eq!(s.random_final_labels, 30);
        assert_eq!(
            s.sentences[0],
            "margin reached random's final accuracy (70.3 %) with 10 fewer labels (−33 %: 20 instead of 30)."
        );
        assert!(
            s.sentences[1].contains("higher on 3 of 3 seeds"),
            "{}",
            s.sentences[1]
        );
        assert!(s.sentences[1].ends_with("larger than the seed-to-seed spread."));
        assert!(s.comparisons[0].significant);
        assert_eq!(
            s.sentences[2],
            "entropy did not reach random's final accuracy (70.3 %) within 30 labels; its best mean accuracy was 61.7 %."
        );
        assert!(!s.comparisons[1].significant);
        assert_eq!(s.comparisons[1].saved, None);
        assert!(summarize(&[]).is_err());
    }
}
