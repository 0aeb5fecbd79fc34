//! A race's settings: their rules, and their form as a URL query (a replay link).

use super::{bad, RaceError};
use crate::models::ModelKind;
use crate::names::Named;
use crate::strategies::StrategyKind;
use serde::{Deserialize, Serialize};

/// Everything that decides a race's curves (with the dataset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceSettings {
    /// The dataset's file name (a bundled demo's file under `datasets/`, or the person's file).
    pub data: String,
    /// The model, with default hyperparameters.
    pub model: ModelKind,
    /// The strategies, with default parameters; `random` is always among them.
    pub strategies: Vec<StrategyKind>,
    /// One run per strategy and seed.
    pub seeds: Vec<u64>,
    /// Stop at this many labels (seed labels included).
    pub budget: usize,
    /// Labels per round.
    pub batch: usize,
    /// Probability that the oracle answers a wrong class.
    pub noise: f64,
    /// Share of each minority class kept (1 = the data as it is; see [`with_imbalance`](crate::simulation::with_imbalance)).
    pub imbalance: f64,
    /// Labels to start from: one per class, then random pool rows up to this many (0 = one per
    /// class).
    pub cold_start: usize,
}

impl Default for RaceSettings {
    fn default() -> Self {
        Self {
            data: "iris.csv".into(),
            model: ModelKind::Logistic,
            strategies: vec![
                StrategyKind::Margin,
                StrategyKind::Entropy,
                StrategyKind::Random,
            ],
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
    /// use engine::strategies::StrategyKind::{Margin, Random};
    /// let mut s = RaceSettings { strategies: vec![Margin, Margin], ..RaceSettings::default() };
    /// s.check().unwrap();
    /// assert_eq!(s.strategies, vec![Margin, Random]);
    /// ```
    pub fn check(&mut self) -> Result<(), RaceError> {
        let mut seen = Vec::new();
        for &kind in &self.strategies {
            if !seen.contains(&kind) {
                seen.push(kind);
            }
        }
        if !seen.contains(&StrategyKind::Random) {
            seen.push(StrategyKind::Random);
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
            self.model.name(),
            join(self.strategies.iter().map(|s| s.name().to_string()).collect()),
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
                "model" => {
                    s.model = value
                        .parse()
                        .map_err(|reason| RaceError::BadLink { reason })?
                }
                "strategies" => {
                    s.strategies = value
                        .split(',')
                        .filter(|v| !v.is_empty())
                        .map(|v| v.parse().map_err(|reason| RaceError::BadLink { reason }))
                        .collect::<Result<_, _>>()?
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_round_trip_and_refuse_nonsense() {
        let s = RaceSettings {
            data: "my data.csv".into(),
            strategies: vec![StrategyKind::Qbc, StrategyKind::Random],
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
        assert_eq!(
            with_random.strategies,
            vec![StrategyKind::Margin, StrategyKind::Random]
        );
    }
}
