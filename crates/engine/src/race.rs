//! Strategy races: several strategies, the same seeds, the same budget, with the known labels as
//! the oracle; the plain-words summary of who won and whether it is more than seed-to-seed noise;
//! the stream-mode comparison; the settings of a race as a shareable URL query.
//!
//! Everything here is pure: a race is a function of the dataset and its [`RaceSettings`], so a
//! replay link (the settings as a URL query, [`RaceSettings::to_query`]) gives the same curves on
//! any machine.
//!
//! **Paired test.** Each seed gives every strategy the same split, the same seed labels and the
//! same noisy oracle, so the per-seed AULC differences `dᵢ = AULC(strategy, seedᵢ) − AULC(random,
//! seedᵢ)` are paired. The summary runs Student's paired t-test on them (two-sided, `n − 1`
//! degrees of freedom, as `scipy.stats.ttest_rel`): `t = mean(d) / (sd(d) / √n)`. A p-value below
//! 0.05 is reported as "larger than the seed-to-seed spread".

use crate::data::Dataset;
use crate::models::ModelSpec;
use crate::rng;
use crate::session::{SessionConfig, SessionError};
use crate::simulation::{
    curve_stats, run, seed_set, stream_run, with_imbalance, CurveStat, Run, RunOptions,
    StreamOptions, StreamRun,
};
use crate::strategies::stream::{StreamConfig, StreamPolicy};
use crate::strategies::Strategy;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// The random stream that draws the extra cold-start labels.
const STREAM_COLD: u64 = 6;

/// The significance level of the paired test.
pub const ALPHA: f64 = 0.05;

/// What can go wrong in a race: the settings or the data break a rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum RaceError {
    /// A setting is out of its range.
    #[error("the race setting '{name}' is {value}: {rule}")]
    BadSetting {
        name: String,
        value: String,
        rule: String,
    },
    /// A strategy name is unknown.
    #[error("unknown strategy '{name}'")]
    UnknownStrategy { name: String },
    /// The replay link cannot be read.
    #[error("the replay link cannot be read: {reason}")]
    BadLink { reason: String },
    /// The random baseline is missing from the results.
    #[error("the race has no random runs to compare with")]
    NoRandom,
    /// The engine refused a run: the session's message. Kept as text, so that the settings
    /// checks the page runs too ([`RaceSettings::check`], [`RaceSettings::from_query`]) do not
    /// pull every session and import message into the page's wasm (docs/size.md).
    #[error("{0}")]
    Session(String),
}

impl From<SessionError> for RaceError {
    fn from(e: SessionError) -> Self {
        RaceError::Session(e.to_string())
    }
}

fn bad(name: &str, value: impl ToString, rule: &str) -> RaceError {
    RaceError::BadSetting {
        name: name.to_string(),
        value: value.to_string(),
        rule: rule.to_string(),
    }
}

/// Everything that decides a race's curves (with the dataset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceSettings {
    /// The dataset's file name (a bundled demo's file under `datasets/`, or the person's file).
    pub data: String,
    /// The model's short name (`logistic`, `naive_bayes`, `knn`, `mlp`).
    pub model: String,
    /// Strategy short names ([`Strategy::from_name`]); `random` is always among them.
    pub strategies: Vec<String>,
    /// One run per strategy and seed.
    pub seeds: Vec<u64>,
    /// Stop at this many labels (seed labels included).
    pub budget: usize,
    /// Labels per round.
    pub batch: usize,
    /// Probability that the oracle answers a wrong class.
    pub noise: f64,
    /// Share of each minority class kept (1 = the data as it is; see [`with_imbalance`]).
    pub imbalance: f64,
    /// Labels to start from: one per class, then random pool rows up to this many (0 = one per
    /// class).
    pub cold_start: usize,
}

impl Default for RaceSettings {
    fn default() -> Self {
        Self {
            data: "iris.csv".into(),
            model: "logistic".into(),
            strategies: vec!["margin".into(), "entropy".into(), "random".into()],
            seeds: vec![1, 2, 3],
            budget: 30,
            batch: 1,
            noise: 0.0,
            imbalance: 1.0,
            cold_start: 0,
        }
    }
}

/// Most seeds a race may have.
pub const MAX_SEEDS: usize = 100;
/// Most labels a race may spend.
pub const MAX_BUDGET: usize = 5000;

impl RaceSettings {
    /// Check every rule; `random` is added when missing (it is the baseline).
    ///
    /// ```
    /// use engine::race::RaceSettings;
    /// let mut s = RaceSettings { strategies: vec!["margin".into()], ..RaceSettings::default() };
    /// s.check().unwrap();
    /// assert_eq!(s.strategies, vec!["margin", "random"]);
    /// ```
    pub fn check(&mut self) -> Result<(), RaceError> {
        let mut seen = Vec::new();
        for name in &self.strategies {
            if Strategy::from_name(name).is_none() {
                return Err(RaceError::UnknownStrategy { name: name.clone() });
            }
            if !seen.contains(name) {
                seen.push(name.clone());
            }
        }
        if !seen.iter().any(|s| s == "random") {
            seen.push("random".into());
        }
        self.strategies = seen;
        if self.seeds.is_empty() || self.seeds.len() > MAX_SEEDS {
            return Err(bad(
                "seeds",
                self.seeds.len(),
                &format!("between 1 and {MAX_SEEDS} seeds are needed"),
            ));
        }
        let mut sorted = self.seeds.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != self.seeds.len() {
            return Err(bad("seeds", self.seeds.len(), "each seed may appear once"));
        }
        if self.budget < 2 || self.budget > MAX_BUDGET {
            return Err(bad(
                "budget",
                self.budget,
                &format!("it must be between 2 and {MAX_BUDGET} labels"),
            ));
        }
        if self.batch == 0 || self.batch > self.budget {
            return Err(bad(
                "batch",
                self.batch,
                &format!("it must be between 1 and the budget ({})", self.budget),
            ));
        }
        if !(0.0..1.0).contains(&self.noise) {
            return Err(bad("noise", self.noise, "it must be in [0, 1)"));
        }
        if !(self.imbalance > 0.0 && self.imbalance <= 1.0) {
            return Err(bad("imbalance", self.imbalance, "it must be in (0, 1]"));
        }
        if self.cold_start > self.budget {
            return Err(bad(
                "cold_start",
                self.cold_start,
                &format!("it must not exceed the budget ({})", self.budget),
            ));
        }
        Ok(())
    }

    /// The settings as a URL query (without `?`), for a replay link; [`RaceSettings::from_query`]
    /// reads it back.
    ///
    /// ```
    /// use engine::race::RaceSettings;
    /// let s = RaceSettings::default();
    /// assert_eq!(
    ///     s.to_query(),
    ///     "run=race&data=iris.csv&model=logistic&strategies=margin,entropy,random&seeds=1,2,3&budget=30&batch=1&noise=0&imbalance=1&cold=0"
    /// );
    /// assert_eq!(RaceSettings::from_query(&s.to_query()).unwrap(), s);
    /// ```
    pub fn to_query(&self) -> String {
        let join = |v: Vec<String>| v.join(",");
        format!(
            "run=race&data={}&model={}&strategies={}&seeds={}&budget={}&batch={}&noise={}&imbalance={}&cold={}",
            encode_component(&self.data),
            encode_component(&self.model),
            join(self.strategies.iter().map(|s| encode_component(s)).collect()),
            join(self.seeds.iter().map(u64::to_string).collect()),
            self.budget,
            self.batch,
            self.noise,
            self.imbalance,
            self.cold_start
        )
    }

    /// Read settings from a URL query (with or without the leading `?`); missing keys keep their
    /// defaults, unknown keys are ignored, and the result is [checked](RaceSettings::check).
    pub fn from_query(query: &str) -> Result<Self, RaceError> {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut s = RaceSettings::default();
        let mut is_race = false;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode_component(value)?;
            let number = |what: &str| {
                value.parse::<f64>().map_err(|_| RaceError::BadLink {
                    reason: format!("'{what}' must be a number, got '{value}'"),
                })
            };
            let count = |what: &str| {
                value.parse::<usize>().map_err(|_| RaceError::BadLink {
                    reason: format!("'{what}' must be a whole number, got '{value}'"),
                })
            };
            match key {
                "run" => is_race = value == "race",
                "data" => s.data = value.clone(),
                "model" => s.model = value.clone(),
                "strategies" => {
                    s.strategies = value
                        .split(',')
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                        .collect()
                }
                "seeds" => {
                    s.seeds = value
                        .split(',')
                        .filter(|v| !v.is_empty())
                        .map(|v| {
                            v.parse::<u64>().map_err(|_| RaceError::BadLink {
                                reason: format!("seeds must be whole numbers, got '{v}'"),
                            })
                        })
                        .collect::<Result<_, _>>()?
                }
                "budget" => s.budget = count("budget")?,
                "batch" => s.batch = count("batch")?,
                "noise" => s.noise = number("noise")?,
                "imbalance" => s.imbalance = number("imbalance")?,
                "cold" => s.cold_start = count("cold")?,
                _ => {}
            }
        }
        if !is_race {
            return Err(RaceError::BadLink {
                reason: "it has no 'run=race'".into(),
            });
        }
        s.check()?;
        Ok(s)
    }
}

/// Percent-encode everything but unreserved characters (RFC 3986) and `.`.
fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn decode_component(s: &str) -> Result<String, RaceError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3).ok_or_else(|| RaceError::BadLink {
                    reason: format!("a '%' at character {i} is not followed by two hex digits"),
                })?;
                let b = u8::from_str_radix(hex, 16).map_err(|_| RaceError::BadLink {
                    reason: format!("'%{hex}' is not a hex escape"),
                })?;
                out.push(b);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| RaceError::BadLink {
        reason: "a value is not UTF-8".into(),
    })
}

/// The dataset fingerprint of run logs: [`crate::project::fingerprint`] (one hash for
/// projects and runs).
pub use crate::project::fingerprint;

/// The dataset a race runs on for one seed: the class-imbalanced copy when asked for.
pub fn race_data(data: &Dataset, settings: &RaceSettings, seed: u64) -> Result<Dataset, RaceError> {
    if settings.imbalance < 1.0 {
        Ok(with_imbalance(data, settings.imbalance, seed)?)
    } else {
        Ok(data.clone())
    }
}

/// One run of a race: `strategy` on `seed`, on `data` as [`race_data`] made it for that seed.
/// Every strategy of a seed shares the split, the seed labels and the oracle's noise draws.
///
/// ```
/// use engine::data::import::{parse_csv, CsvOptions};
/// use engine::models::ModelSpec;
/// use engine::race::{race_run, RaceSettings};
/// use engine::strategies::Strategy;
/// let csv = "a,y\n0,n\n0.1,n\n0.2,n\n0.3,n\n1,p\n1.1,p\n1.2,p\n1.3,p\n";
/// let data = parse_csv(csv.as_bytes(), &CsvOptions::named("toy")).unwrap();
/// let settings = RaceSettings { budget: 4, ..RaceSettings::default() };
/// let model = ModelSpec::all_defaults()[0].clone();
/// let run = race_run(&data, &settings, &model, Strategy::Margin, 1).unwrap();
/// assert_eq!(run.order.len(), 4);
/// ```
pub fn race_run(
    data: &Dataset,
    settings: &RaceSettings,
    model: &ModelSpec,
    strategy: Strategy,
    seed: u64,
) -> Result<Run, RaceError> {
    let config = SessionConfig {
        seed,
        strategy,
        model: model.clone(),
        batch_size: settings.batch.max(1),
        ..SessionConfig::default()
    };
    let mut set = seed_set(data, &config)?;
    if settings.cold_start > set.initial.len() {
        let mut extra: Vec<usize> = set
            .pool
            .iter()
            .copied()
            .filter(|r| !set.initial.contains(r) && data.known_labels[*r].is_some())
            .collect();
        extra.shuffle(&mut rng(seed, STREAM_COLD));
        extra.truncate(settings.cold_start - set.initial.len());
        set.initial.extend(extra);
    }
    Ok(run(
        data,
        &config,
        Some(&set),
        RunOptions {
            budget: settings.budget,
            noise: settings.noise,
        },
    )?)
}

/// Student's t-test result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairedTest {
    /// The t statistic (±∞ when every difference is the same non-zero value).
    pub t: f64,
    /// Degrees of freedom (`n − 1`).
    pub df: usize,
    /// Two-sided p-value.
    pub p: f64,
}

/// Student's paired t-test of `a − b` (two-sided), as `scipy.stats.ttest_rel(a, b)`. `None` with
/// fewer than 2 pairs or unequal lengths. When every difference is equal the spread is zero: p =
/// 1 if they are all zero, else p = 0 (t = ±∞).
///
/// ```
/// let t = engine::race::paired_t_test(&[0.91, 0.93, 0.90], &[0.85, 0.88, 0.86]).unwrap();
/// assert_eq!(t.df, 2);
/// assert!((t.p - 0.01307).abs() < 1e-4);
/// ```
pub fn paired_t_test(a: &[f64], b: &[f64]) -> Option<PairedTest> {
    if a.len() != b.len() || a.len() < 2 {
        return None;
    }
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let df = d.len() - 1;
    if !mean.is_finite() || !var.is_finite() {
        return None;
    }
    // Differences equal up to rounding count as equal.
    if var.sqrt() <= 1e-12 * mean.abs().max(1e-300) || var == 0.0 {
        return Some(if mean == 0.0 {
            PairedTest { t: 0.0, df, p: 1.0 }
        } else {
            PairedTest {
                t: f64::INFINITY.copysign(mean),
                df,
                p: 0.0,
            }
        });
    }
    let t = mean / (var / n).sqrt();
    Some(PairedTest {
        t,
        df,
        p: t_two_sided(t, df as f64),
    })
}

/// `P(|T| ≥ |t|)` for Student's t with `df` degrees of freedom: `I_{df/(df+t²)}(df/2, 1/2)`.
///
/// ```
/// let p = engine::race::t_two_sided(1.96, 1e6);
/// assert!((p - 0.05).abs() < 1e-3);
/// ```
pub fn t_two_sided(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    let x = df / (df + t * t);
    incomplete_beta(x, df / 2.0, 0.5).clamp(0.0, 1.0)
}

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, 9 terms; relative error below 1e-14).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
        return std::f64::consts::PI.ln()
            - (std::f64::consts::PI * x).sin().abs().ln()
            - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The regularized incomplete beta function `I_x(a, b)` (continued fraction, Lentz's method).
fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_fraction(x, a, b) / a
    } else {
        1.0 - ln_front.exp() * beta_fraction(1.0 - x, b, a) / b
    }
}

fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// One strategy's runs in a race, in seed order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyRuns {
    /// The strategy's short name.
    pub strategy: String,
    /// One run per seed, in the race's seed order.
    pub runs: Vec<Run>,
}

/// One strategy's curve and numbers, as the page draws them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyCurve {
    /// Short name.
    pub strategy: String,
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
/// let c = strategy_curve(&StrategyRuns { strategy: "margin".into(), runs: vec![] });
/// assert_eq!((c.label.as_str(), c.stats.len()), ("margin", 0));
/// ```
pub fn strategy_curve(runs: &StrategyRuns) -> StrategyCurve {
    let aulc: Vec<f64> = runs.runs.iter().map(|r| r.aulc).collect();
    let (aulc_mean, aulc_sd) = mean_sd(&aulc);
    StrategyCurve {
        label: Strategy::from_name(&runs.strategy)
            .map_or(runs.strategy.as_str(), |s| s.label())
            .to_string(),
        strategy: runs.strategy.clone(),
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
    /// Short name.
    pub strategy: String,
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
/// let margin = StrategyRuns { strategy: "margin".into(), runs: vec![run(1, &[0.5, 0.9, 0.9]), run(2, &[0.6, 0.9, 1.0])] };
/// let random = StrategyRuns { strategy: "random".into(), runs: vec![run(1, &[0.5, 0.6, 0.8]), run(2, &[0.5, 0.7, 0.8])] };
/// let s = summarize(&[strategy_curve(&margin), strategy_curve(&random)]).unwrap();
/// assert_eq!(s.comparisons[0].labels_to_reach, Some(4));
/// assert!(s.sentences[0].starts_with("margin reached random's final accuracy (80.0 %) with 1 fewer label (−20 %"));
/// ```
pub fn summarize(curves: &[StrategyCurve]) -> Result<RaceSummary, RaceError> {
    let random = curves
        .iter()
        .find(|c| c.strategy == "random")
        .ok_or(RaceError::NoRandom)?;
    let last = random.stats.last().ok_or(RaceError::NoRandom)?;
    let (target, random_n) = (last.mean, last.n_labels);
    let mut comparisons = Vec::new();
    let mut sentences = Vec::new();
    for c in curves.iter().filter(|c| c.strategy != "random") {
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
            strategy: c.strategy.clone(),
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

/// Run a whole race, calling `progress` after every run with the runs so far (seeds outer,
/// strategies inner, so every curve grows together); returns the runs per strategy.
pub fn run_race(
    data: &Dataset,
    settings: &RaceSettings,
    model: &ModelSpec,
    progress: &mut dyn FnMut(&[StrategyRuns], usize, usize),
) -> Result<Vec<StrategyRuns>, RaceError> {
    let mut settings = settings.clone();
    settings.check()?;
    let strategies: Vec<Strategy> = settings
        .strategies
        .iter()
        .map(|n| {
            Strategy::from_name(n).ok_or_else(|| RaceError::UnknownStrategy { name: n.clone() })
        })
        .collect::<Result<_, _>>()?;
    let mut out: Vec<StrategyRuns> = settings
        .strategies
        .iter()
        .map(|s| StrategyRuns {
            strategy: s.clone(),
            runs: Vec::new(),
        })
        .collect();
    let total = settings.seeds.len() * strategies.len();
    let mut done = 0;
    for &seed in &settings.seeds {
        let seeded = race_data(data, &settings, seed)?;
        for (i, &strategy) in strategies.iter().enumerate() {
            out[i]
                .runs
                .push(race_run(&seeded, &settings, model, strategy, seed)?);
            done += 1;
            progress(&out, done, total);
        }
    }
    Ok(out)
}

/// One sampler of the stream comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StreamContender {
    /// Ask for every label.
    All,
    /// Ask at random with probability equal to the budget.
    Random,
    /// Fixed uncertainty threshold.
    Fixed,
    /// Variable uncertainty threshold.
    Variable,
    /// Variable threshold with a random split (randomized threshold).
    RandomizedVariable,
}

impl StreamContender {
    /// Every contender, in display order.
    pub const ALL: [StreamContender; 5] = [
        StreamContender::All,
        StreamContender::Random,
        StreamContender::Fixed,
        StreamContender::Variable,
        StreamContender::RandomizedVariable,
    ];

    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            StreamContender::All => "all",
            StreamContender::Random => "random",
            StreamContender::Fixed => "fixed",
            StreamContender::Variable => "variable",
            StreamContender::RandomizedVariable => "randomized",
        }
    }

    /// Display name.
    pub fn label(self) -> &'static str {
        match self {
            StreamContender::All => "ask everything",
            StreamContender::Random => "random at the same budget",
            StreamContender::Fixed => "fixed uncertainty threshold",
            StreamContender::Variable => "variable uncertainty threshold",
            StreamContender::RandomizedVariable => "variable threshold, randomized",
        }
    }

    /// The sampler (`None`: ask everything).
    pub fn sampler(self, budget: f64) -> Option<StreamConfig> {
        let policy = match self {
            StreamContender::All => return None,
            StreamContender::Random => StreamPolicy::Random,
            StreamContender::Fixed => StreamPolicy::FixedUncertainty,
            StreamContender::Variable => StreamPolicy::VariableUncertainty,
            StreamContender::RandomizedVariable => StreamPolicy::RandomizedVariableUncertainty,
        };
        Some(StreamConfig::new(policy, budget))
    }
}

/// One contender's stream run, with the labels it was allowed at each point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamCurve {
    /// Short name ([`StreamContender::name`]).
    pub name: String,
    /// Display name.
    pub label: String,
    /// The run.
    pub run: StreamRun,
    /// Labels allowed at each point of `run.points`: the warm-up plus the budget share of the
    /// rows after it (ask everything: every row).
    pub allowed: Vec<f64>,
}

/// Run every contender on the same stream with the same seed and labeling budget (a share of the
/// rows after the warm-up).
///
/// ```
/// use engine::data::synthetic::{rotating_hyperplane, HyperplaneOptions};
/// use engine::race::compare_stream;
/// use engine::simulation::StreamOptions;
/// let opts = HyperplaneOptions { n_rows: 200, drift_at: Some(100), ..HyperplaneOptions::default() };
/// let data = rotating_hyperplane(&opts, &mut engine::rng(1, 0)).unwrap();
/// let curves = compare_stream(&data, &StreamOptions::default(), 0.2, 1).unwrap();
/// assert_eq!(curves.len(), 5);
/// assert_eq!(curves[0].run.asked.len(), 200);
/// ```
pub fn compare_stream(
    data: &Dataset,
    options: &StreamOptions,
    budget: f64,
    seed: u64,
) -> Result<Vec<StreamCurve>, RaceError> {
    if !(0.0..=1.0).contains(&budget) {
        return Err(bad("stream budget", budget, "it must be in [0, 1]"));
    }
    StreamContender::ALL
        .iter()
        .map(|&c| {
            let opts = StreamOptions {
                sampler: c.sampler(budget),
                ..options.clone()
            };
            let run = stream_run(data, &opts, seed)?;
            let warm = options.warmup.max(1) as f64;
            let allowed = run
                .points
                .iter()
                .map(|p| {
                    let seen = p.seen as f64;
                    match c {
                        StreamContender::All => seen,
                        _ => seen.min(warm) + budget * (seen - warm).max(0.0),
                    }
                })
                .collect();
            Ok(StreamCurve {
                name: c.name().into(),
                label: c.label().into(),
                run,
                allowed,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::iris;
    use serde_json::Value;

    fn reference() -> Value {
        serde_json::from_str(include_str!("../../../tests/reference/race.json")).unwrap()
    }

    fn floats(v: &Value) -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    }

    #[test]
    fn t_tail_matches_scipy() {
        let r = reference();
        let mut worst = 0.0_f64;
        for case in r["t_two_sided"].as_array().unwrap() {
            let (t, df, want) = (
                case["t"].as_f64().unwrap(),
                case["df"].as_f64().unwrap(),
                case["p"].as_f64().unwrap(),
            );
            let got = t_two_sided(t, df);
            let err = (got - want).abs() / want.max(1e-300);
            assert!(
                err < 1e-9 || (got - want).abs() < 1e-15,
                "t={t} df={df}: {got} vs scipy {want}"
            );
            worst = worst.max((got - want).abs());
        }
        assert!(worst < 1e-10, "{worst}");
    }

    #[test]
    fn paired_test_matches_scipy_ttest_rel() {
        for case in reference()["ttest_rel"].as_array().unwrap() {
            let (a, b) = (floats(&case["a"]), floats(&case["b"]));
            let got = paired_t_test(&a, &b).unwrap();
            assert_eq!(got.df as u64, case["df"].as_u64().unwrap());
            let (t, p) = (case["t"].as_f64().unwrap(), case["p"].as_f64().unwrap());
            assert!(
                (got.t - t).abs() < 1e-8 * t.abs().max(1.0),
                "{} vs {t}",
                got.t
            );
            assert!((got.p - p).abs() < 1e-9, "{} vs {p}", got.p);
        }
    }

    #[test]
    fn paired_test_edge_cases() {
        assert_eq!(paired_t_test(&[0.5], &[0.4]), None);
        assert_eq!(paired_t_test(&[0.5, 0.6], &[0.4]), None);
        let same = paired_t_test(&[0.5, 0.6], &[0.5, 0.6]).unwrap();
        assert_eq!((same.t, same.p), (0.0, 1.0));
        let shifted = paired_t_test(&[0.6, 0.7], &[0.5, 0.6]).unwrap();
        assert_eq!(shifted.p, 0.0);
        assert!(shifted.t.is_infinite() && shifted.t > 0.0);
        assert!(paired_t_test(&[f64::NAN, 0.1], &[0.0, 0.0]).is_none());
    }

    #[test]
    fn fingerprint_is_fnv1a() {
        assert_eq!(fingerprint(b"foobar"), "fnv1a64-85944171f73967e8-6");
    }

    #[test]
    fn links_round_trip_and_refuse_nonsense() {
        let s = RaceSettings {
            data: "my data.csv".into(),
            strategies: vec!["qbc".into(), "random".into()],
            seeds: vec![7, 11],
            noise: 0.1,
            imbalance: 0.25,
            cold_start: 6,
            batch: 2,
            ..RaceSettings::default()
        };
        let q = s.to_query();
        assert!(q.contains("data=my%20data.csv"), "{q}");
        assert_eq!(RaceSettings::from_query(&format!("?{q}")).unwrap(), s);
        for bad in [
            "data=iris.csv",
            "run=race&budget=x",
            "run=race&seeds=1,a",
            "run=race&strategies=nope",
            "run=race&noise=1.5",
            "run=race&seeds=1,1",
            "run=race&batch=0",
            "run=race&data=%zz",
            "run=race&data=%e2",
        ] {
            assert!(RaceSettings::from_query(bad).is_err(), "{bad}");
        }
        let with_random = RaceSettings::from_query("run=race&strategies=margin").unwrap();
        assert_eq!(with_random.strategies, vec!["margin", "random"]);
    }

    #[test]
    fn an_iris_race_is_deterministic_and_margin_beats_random() {
        let settings = RaceSettings {
            strategies: vec!["margin".into(), "random".into()],
            seeds: vec![1, 2, 3],
            budget: 30,
            ..RaceSettings::default()
        };
        let model = ModelSpec::all_defaults()[0].clone();
        let mut calls = 0;
        let runs = run_race(&iris(), &settings, &model, &mut |_, done, total| {
            calls += 1;
            assert_eq!(total, 6);
            assert_eq!(done, calls);
        })
        .unwrap();
        assert_eq!(calls, 6);
        let again = run_race(&iris(), &settings, &model, &mut |_, _, _| {}).unwrap();
        assert_eq!(runs, again, "same settings, same curves");
        let curves: Vec<StrategyCurve> = runs.iter().map(strategy_curve).collect();
        assert_eq!(curves[0].stats.last().unwrap().n_labels, 30);
        let summary = summarize(&curves).unwrap();
        let margin = &summary.comparisons[0];
        assert!(margin.aulc_diff > 0.0, "{margin:?}");
        assert!(margin.labels_to_reach.is_some());
        assert_eq!(summary.sentences.len(), 2);
    }

    #[test]
    fn cold_start_noise_and_imbalance_change_the_run() {
        let model = ModelSpec::all_defaults()[0].clone();
        let base = RaceSettings::default();
        let plain = race_run(&iris(), &base, &model, Strategy::Margin, 4).unwrap();
        let cold = RaceSettings {
            cold_start: 8,
            ..base.clone()
        };
        let run = race_run(&iris(), &cold, &model, Strategy::Margin, 4).unwrap();
        assert_eq!(run.curve[0].n_labels, 8);
        assert_eq!(plain.curve[0].n_labels, 3);
        let skew = RaceSettings {
            imbalance: 0.3,
            ..base.clone()
        };
        let data = race_data(&iris(), &skew, 4).unwrap();
        assert!(data.n_rows() < 150);
        assert!(race_run(&data, &skew, &model, Strategy::Random, 4).is_ok());
    }

    #[test]
    fn summary_wording() {
        use crate::simulation::CurvePoint;
        let curve = |name: &str, per_seed: &[&[f64]]| {
            strategy_curve(&StrategyRuns {
                strategy: name.into(),
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

    #[test]
    fn the_stream_comparison_marks_budgets() {
        use crate::data::synthetic::{rotating_hyperplane, HyperplaneOptions};
        let data = rotating_hyperplane(
            &HyperplaneOptions {
                n_rows: 400,
                drift_at: Some(200),
                noise: 0.0,
                ..HyperplaneOptions::default()
            },
            &mut rng(2, 0),
        )
        .unwrap();
        let curves = compare_stream(&data, &StreamOptions::default(), 0.1, 3).unwrap();
        let names: Vec<&str> = curves.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["all", "random", "fixed", "variable", "randomized"]);
        for c in &curves[1..] {
            for (p, allowed) in c.run.points.iter().zip(&c.allowed) {
                assert!(
                    p.labels as f64 <= allowed.ceil() + 1.0,
                    "{} {p:?} {allowed}",
                    c.name
                );
            }
        }
        assert!(compare_stream(&data, &StreamOptions::default(), 1.5, 3).is_err());
    }
}
