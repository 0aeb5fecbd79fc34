//! `activelab fraud`: the fraud-shaped stream, every sampler at one budget.

use engine::fraud::{compare_fraud, FraudOptions, FraudRun, FraudSampler};
use serde::Serialize;
use std::ops::Range;

#[derive(Serialize)]
struct Report<'a> {
    settings: &'a FraudOptions,
    /// Per seed, every sampler's run.
    runs: Vec<(u64, Vec<FraudRun>)>,
}

pub fn run(options: &FraudOptions, seeds: Range<u64>, json: bool) -> Result<(), String> {
    let runs = seeds
        .map(|seed| compare_fraud(options, seed).map(|r| (seed, r)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    if json {
        let report = Report {
            settings: options,
            runs,
        };
        println!(
            "{}",
            serde_json::to_string(&report).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    let n = runs.len().max(1) as f64;
    println!(
        "fraud-shaped stream: {} rows, {:.1} % rare, labels arrive {} rows late, rare pattern moves at {}, budget {:.1} %, {} seed(s) (means)",
        options.rows,
        options.positive_rate * 100.0,
        options.delay,
        options.drift_at.map_or("never".to_string(), |d| format!("row {d}")),
        options.budget * 100.0,
        runs.len()
    );
    println!(
        "{:<18} {:>7} {:>10} {:>8} {:>10} {:>6} {:>9}",
        "sampler", "labels", "rare asked", "recall", "precision", "AP", "accuracy"
    );
    for sampler in FraudSampler::ALL {
        let of: Vec<&FraudRun> = runs
            .iter()
            .filter_map(|(_, r)| r.iter().find(|x| x.sampler == sampler))
            .collect();
        let mean = |f: fn(&FraudRun) -> f64| of.iter().map(|r| f(r)).sum::<f64>() / n;
        println!(
            "{:<18} {:>7.0} {:>10.1} {:>8.3} {:>10.3} {:>6.3} {:>9.4}",
            sampler.label(),
            mean(|r| r.asked as f64),
            mean(|r| r.rare_asked as f64),
            mean(|r| r.recall),
            mean(|r| r.precision),
            mean(|r| r.average_precision),
            mean(|r| r.accuracy)
        );
    }
    Ok(())
}
