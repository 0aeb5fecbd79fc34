//! `activelab review`: the label review over a file's labels, or its check on flipped labels.

use engine::data::Dataset;
use engine::models::ModelSpec;
use engine::review::{flip_check, review_dataset, FlipCheck, ReviewOptions};
use serde::Serialize;
use std::ops::Range;

/// Rows the suspect list prints (the JSON has them all).
const PRINTED: usize = 20;

pub struct Args {
    pub flip: Option<f64>,
    pub top: f64,
    pub folds: usize,
    pub model: ModelSpec,
    pub seeds: Range<u64>,
    pub json: bool,
}

#[derive(Serialize)]
struct FlipReport<'a> {
    dataset: &'a str,
    flip: f64,
    top: f64,
    folds: usize,
    model: String,
    /// Mean over seeds of the share of flips found in the top.
    mean_recall: f64,
    min_recall: f64,
    mean_label_accuracy_before: f64,
    mean_label_accuracy_after: f64,
    checks: Vec<(u64, FlipCheck)>,
}

pub fn run(data: &Dataset, args: &Args) -> Result<(), String> {
    if !(args.top > 0.0 && args.top <= 1.0) {
        return Err(format!("--top must be in (0, 1], got {}", args.top));
    }
    let options = |seed| ReviewOptions {
        folds: args.folds,
        model: args.model.clone(),
        seed,
    };
    let Some(share) = args.flip else {
        let labels: Vec<(usize, usize)> = data
            .known_labels
            .iter()
            .enumerate()
            .filter_map(|(r, l)| l.map(|c| (r, c)))
            .collect();
        let ranked =
            review_dataset(data, &labels, &options(args.seeds.start)).map_err(|e| e.to_string())?;
        if args.json {
            println!(
                "{}",
                serde_json::to_string(&ranked).map_err(|e| e.to_string())?
            );
            return Ok(());
        }
        let flagged = ranked.iter().filter(|s| s.flagged).count();
        println!(
            "{}: {} labels, {flagged} flagged by confident learning ({}-fold, {}); most suspicious first:",
            data.name,
            labels.len(),
            args.folds,
            args.model.label()
        );
        println!(
            "{:>6}  {:<16} {:<16} {:>7} {:>7}",
            "row", "given", "suggested", "p_given", "score"
        );
        for s in ranked.iter().take(PRINTED) {
            let name = |c: usize| data.class_names.get(c).cloned().unwrap_or_default();
            println!(
                "{:>6}  {:<16} {:<16} {:>7.3} {:>7.3}{}",
                s.row + 1,
                name(s.given),
                name(s.suggested),
                s.self_confidence,
                s.score,
                if s.flagged { "  flagged" } else { "" }
            );
        }
        println!("(row = data row of the file, 1-based, header excluded)");
        return Ok(());
    };
    let checks = args
        .seeds
        .clone()
        .map(|seed| flip_check(data, share, args.top, &options(seed)).map(|c| (seed, c)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let n = checks.len().max(1) as f64;
    let mean = |f: fn(&FlipCheck) -> f64| checks.iter().map(|(_, c)| f(c)).sum::<f64>() / n;
    let report = FlipReport {
        dataset: &data.name,
        flip: share,
        top: args.top,
        folds: args.folds,
        model: args.model.label(),
        mean_recall: mean(|c| c.recall),
        min_recall: checks
            .iter()
            .map(|(_, c)| c.recall)
            .fold(f64::INFINITY, f64::min),
        mean_label_accuracy_before: mean(|c| c.label_accuracy_before),
        mean_label_accuracy_after: mean(|c| c.label_accuracy_after),
        checks,
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&report).map_err(|e| e.to_string())?
        );
    } else {
        println!(
            "{}: {:.0} % of the labels flipped, top {:.0} % of the ranking looked at, {} seeds",
            report.dataset,
            share * 100.0,
            args.top * 100.0,
            report.checks.len()
        );
        println!(
            "flips found in the top: {:.1} % on average (lowest seed {:.1} %)",
            report.mean_recall * 100.0,
            report.min_recall * 100.0
        );
        println!(
            "labels right: {:.1} % before the review, {:.1} % after accepting its suggestions in the top",
            report.mean_label_accuracy_before * 100.0,
            report.mean_label_accuracy_after * 100.0
        );
    }
    Ok(())
}
