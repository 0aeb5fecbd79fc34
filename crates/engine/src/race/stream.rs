//! The stream-mode comparison: every sampler on the same stream, at the same labeling budget.

use super::{bad, RaceError};
use crate::data::Dataset;
use crate::simulation::{stream_run, StreamOptions, StreamRun};
use crate::strategies::stream::{StreamConfig, StreamPolicy};
use serde::{Deserialize, Serialize};

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
    use crate::rng;

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
