//! The native command-line interface over the engine: simulate strategies with the dataset's known
//! labels as the oracle, print learning curves and AULC (as a table or JSON), and export the seed
//! sets (split + seed labels) so that peer tools can run on identical rows.
//!
//! ```text
//! cargo activelab simulate --data public/datasets/wine.csv \
//!     --strategy margin --model logistic --seeds 10 --budget 40 --json
//! cargo activelab seeds --data public/datasets/wine.csv --seeds 10 > seeds.json
//! cargo activelab simulate --data public/datasets/wine.csv --seed-file seeds.json
//! ```

mod data;
mod fraud;
mod review;

fn main() -> std::process::ExitCode {
    cli::main()
}

mod cli {
    use crate::data::{load_labeled, DataArgs, MappingReport};
    use clap::{Parser, Subcommand};
    use engine::data::synthetic::{rotating_hyperplane, HyperplaneOptions};
    use engine::models::ModelKind;
    use engine::session::SessionConfig;
    use engine::simulation::{
        aulc_summary, curve_stats, run, seed_set, CurveStat, Run, RunOptions, SeedSet,
    };
    use engine::simulation::{stream_run, StreamOptions};
    use engine::strategies::batch::BatchDiversity;
    use engine::strategies::stream::{StreamConfig, StreamPolicy};
    use engine::strategies::{Strategy, StrategyKind};
    use serde::Serialize;
    use std::path::PathBuf;
    use std::process::ExitCode;

    #[derive(Parser)]
    #[command(
        name = "activelab",
        about = "Active learning simulations over the activelab engine"
    )]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    /// How the runs split and seed the data.
    #[derive(clap::Args, Debug, Clone, Serialize)]
    struct SplitArgs {
        /// Share of each class held out as the test split.
        #[arg(long, default_value_t = 0.3)]
        test_fraction: f64,
        /// Number of seeds (runs), seeds `first_seed .. first_seed + seeds`.
        #[arg(long, default_value_t = 10)]
        seeds: u64,
        /// The first seed.
        #[arg(long, default_value_t = 0)]
        first_seed: u64,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Run the labeling loop with the known labels as the oracle and print the curves.
        Simulate {
            #[command(flatten)]
            data: DataArgs,
            #[command(flatten)]
            split: SplitArgs,
            /// Query strategy: random, least_confident, margin, entropy, qbc, qbc_consensus,
            /// qbc_kl, coreset, density, ranked_batch, eer, eer_log, adaptive (a bandit over
            /// random, margin, entropy, density, core-set and qbc that plans for the budget).
            #[arg(long, default_value = "margin")]
            strategy: StrategyKind,
            /// Model: logistic, naive_bayes, knn, mlp.
            #[arg(long, default_value = "logistic")]
            model: ModelKind,
            /// Rows picked per round.
            #[arg(long, default_value_t = 1)]
            batch_size: usize,
            /// Spread each batch: none, kcenter, kmeans++.
            #[arg(long, default_value = "none")]
            batch_diversity: String,
            /// Labels per run, seed labels included.
            #[arg(long, default_value_t = 50)]
            budget: usize,
            /// Probability that the oracle gives a wrong label.
            #[arg(long, default_value_t = 0.0)]
            noise: f64,
            /// Class imbalance: every class but the largest keeps this share of its rows.
            #[arg(long)]
            imbalance: Option<f64>,
            /// Read the splits and seed labels from this file (from `activelab seeds`) instead.
            #[arg(long)]
            seed_file: Option<PathBuf>,
            /// Print JSON instead of a table.
            #[arg(long)]
            json: bool,
        },
        /// Print the seed sets (pool, test and seed-label rows per seed) as JSON.
        Seeds {
            #[command(flatten)]
            data: DataArgs,
            #[command(flatten)]
            split: SplitArgs,
        },
        /// Label review: rank the file's labels by how much out-of-fold models disagree with them
        /// (confident learning), or, with --flip, check the ranking on deliberately flipped labels.
        Review {
            #[command(flatten)]
            data: DataArgs,
            /// Flip this share of the labels (seeded) and report how many flips the top of the
            /// ranking holds, instead of listing the suspects.
            #[arg(long)]
            flip: Option<f64>,
            /// The share of the ranking looked at (the "top-flagged" rows).
            #[arg(long, default_value_t = 0.1)]
            top: f64,
            /// Folds of the out-of-fold refits.
            #[arg(long, default_value_t = 5)]
            folds: usize,
            /// Model: logistic, naive_bayes, knn, mlp.
            #[arg(long, default_value = "logistic")]
            model: ModelKind,
            /// Seeds of the flip check (`first_seed .. first_seed + seeds`).
            #[arg(long, default_value_t = 10)]
            seeds: u64,
            #[arg(long, default_value_t = 0)]
            first_seed: u64,
            /// Print JSON instead of a table.
            #[arg(long)]
            json: bool,
        },
        /// A fraud-shaped stream: a rare class, labels that arrive late, drift in the rare class;
        /// the samplers at one budget judged by the rare class's recall, precision and average
        /// precision.
        Fraud {
            /// Rows in the stream.
            #[arg(long, default_value_t = 6000)]
            rows: usize,
            /// Share of rows of the rare class.
            #[arg(long, default_value_t = 0.02)]
            rate: f64,
            /// Rows between asking for a label and getting it.
            #[arg(long, default_value_t = 100)]
            delay: usize,
            /// Row from which the rare class follows a new pattern (0 = no drift).
            #[arg(long, default_value_t = 3000)]
            drift_at: usize,
            /// Share of rows that may be labeled.
            #[arg(long, default_value_t = 0.05)]
            budget: f64,
            /// Number of seeds (streams), from --first-seed.
            #[arg(long, default_value_t = 1)]
            seeds: u64,
            #[arg(long, default_value_t = 0)]
            first_seed: u64,
            /// Print JSON instead of a table.
            #[arg(long)]
            json: bool,
        },
        /// Stream mode on a synthetic drifting stream (rotating hyperplane): compare asking for
        /// everything, random at the budget and the selective samplers.
        Stream {
            /// Rows in the stream.
            #[arg(long, default_value_t = 2000)]
            rows: usize,
            /// Row at which the concept reverses (abrupt drift).
            #[arg(long, default_value_t = 1000)]
            drift_at: usize,
            /// Share of rows that may be labeled.
            #[arg(long, default_value_t = 0.1)]
            budget: f64,
            /// Seed of the stream and the samplers.
            #[arg(long, default_value_t = 0)]
            seed: u64,
            /// Print JSON instead of a table.
            #[arg(long)]
            json: bool,
        },
    }

    fn parse_diversity(name: &str) -> Result<Option<BatchDiversity>, String> {
        match name {
            "none" => Ok(None),
            "kcenter" => Ok(Some(BatchDiversity::KCenter)),
            "kmeans++" => Ok(Some(BatchDiversity::KMeansPlusPlus)),
            other => Err(format!(
                "unknown batch diversity '{other}'; known: none, kcenter, kmeans++"
            )),
        }
    }

    /// Every setting a simulation ran with: enough to run it again.
    #[derive(Serialize)]
    struct SimulationSettings {
        mapping: MappingReport,
        strategy: StrategyKind,
        model: ModelKind,
        batch_size: usize,
        batch_diversity: String,
        budget: usize,
        noise: f64,
        imbalance: Option<f64>,
        #[serde(flatten)]
        split: SplitArgs,
        seed_file: Option<PathBuf>,
    }

    #[derive(Serialize)]
    struct SimulationReport<'a> {
        dataset: &'a str,
        rows: usize,
        classes: &'a [String],
        strategy: &'a str,
        model: &'a str,
        budget: usize,
        noise: f64,
        settings: SimulationSettings,
        aulc_mean: f64,
        aulc_std: f64,
        mean_curve: Vec<CurveStat>,
        runs: &'a [Run],
    }

    #[derive(Serialize, serde::Deserialize)]
    struct SeedFile {
        dataset: String,
        seed_sets: Vec<SeedSet>,
    }

    fn config(args: &SplitArgs, seed: u64, strategy: Strategy) -> SessionConfig {
        SessionConfig {
            seed,
            test_fraction: args.test_fraction,
            strategy,
            ..SessionConfig::default()
        }
    }

    #[derive(Serialize)]
    struct StreamReport {
        name: String,
        accuracy: f64,
        labels: usize,
        run: engine::simulation::StreamRun,
    }

    fn stream(
        rows: usize,
        drift_at: usize,
        budget: f64,
        seed: u64,
        json: bool,
    ) -> Result<(), String> {
        if !(0.0..=1.0).contains(&budget) {
            return Err(format!("--budget must be in [0, 1], got {budget}"));
        }
        let data = rotating_hyperplane(
            &HyperplaneOptions {
                n_rows: rows,
                drift_at: Some(drift_at),
                ..HyperplaneOptions::default()
            },
            &mut engine::rng(seed, 0),
        )
        .map_err(|e| e.to_string())?;
        let samplers: [(&str, Option<StreamConfig>); 5] = [
            ("ask everything", None),
            (
                "random at budget",
                Some(StreamConfig::new(StreamPolicy::Random, budget)),
            ),
            (
                "fixed uncertainty",
                Some(StreamConfig::new(StreamPolicy::FixedUncertainty, budget)),
            ),
            (
                "variable uncertainty",
                Some(StreamConfig::new(StreamPolicy::VariableUncertainty, budget)),
            ),
            (
                "randomized variable",
                Some(StreamConfig::new(
                    StreamPolicy::RandomizedVariableUncertainty,
                    budget,
                )),
            ),
        ];
        let mut reports = Vec::new();
        for (name, sampler) in samplers {
            let options = StreamOptions {
                sampler,
                ..StreamOptions::default()
            };
            let run = stream_run(&data, &options, seed).map_err(|e| e.to_string())?;
            reports.push(StreamReport {
                name: name.to_string(),
                accuracy: run.accuracy,
                labels: run.asked.len(),
                run,
            });
        }
        if json {
            println!(
                "{}",
                serde_json::to_string(&reports).map_err(|e| e.to_string())?
            );
        } else {
            println!("rotating hyperplane, {rows} rows, concept reversed at row {drift_at}, budget {budget}");
            println!(
                "{:<22} {:>9} {:>7}  {:>12} {:>12}",
                "sampler", "accuracy", "labels", "before drift", "after drift"
            );
            for r in &reports {
                let mean = |lo: usize, hi: usize| {
                    let pts: Vec<f64> = r
                        .run
                        .points
                        .iter()
                        .filter(|p| p.seen > lo && p.seen <= hi)
                        .map(|p| p.accuracy)
                        .collect();
                    pts.iter().sum::<f64>() / pts.len().max(1) as f64
                };
                println!(
                    "{:<22} {:>9.4} {:>7}  {:>12.4} {:>12.4}",
                    r.name,
                    r.accuracy,
                    r.labels,
                    mean(0, drift_at),
                    mean(drift_at, rows)
                );
            }
        }
        Ok(())
    }

    fn execute(cli: Cli) -> Result<(), String> {
        match cli.command {
            Command::Seeds { data, split } => {
                let loaded = load_labeled(&data)?;
                eprintln!("activelab: {}", loaded.describe());
                let dataset = loaded.dataset;
                let seed_sets = (split.first_seed..split.first_seed + split.seeds)
                    .map(|seed| seed_set(&dataset, &config(&split, seed, Strategy::Random)))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| e.to_string())?;
                let file = SeedFile {
                    dataset: dataset.name.clone(),
                    seed_sets,
                };
                println!(
                    "{}",
                    serde_json::to_string(&file).map_err(|e| e.to_string())?
                );
                Ok(())
            }
            Command::Review {
                data,
                flip,
                top,
                folds,
                model,
                seeds,
                first_seed,
                json,
            } => {
                let loaded = load_labeled(&data)?;
                eprintln!("activelab: {}", loaded.describe());
                crate::review::run(
                    &loaded.dataset,
                    &crate::review::Args {
                        flip,
                        top,
                        folds,
                        model: model.spec(),
                        seeds: first_seed..first_seed + seeds,
                        json,
                    },
                )
            }
            Command::Stream {
                rows,
                drift_at,
                budget,
                seed,
                json,
            } => stream(rows, drift_at, budget, seed, json),
            Command::Fraud {
                rows,
                rate,
                delay,
                drift_at,
                budget,
                seeds,
                first_seed,
                json,
            } => {
                let options = engine::fraud::FraudOptions {
                    rows,
                    positive_rate: rate,
                    delay,
                    drift_at: (drift_at > 0).then_some(drift_at),
                    budget,
                    ..engine::fraud::FraudOptions::default()
                };
                crate::fraud::run(&options, first_seed..first_seed + seeds, json)
            }
            Command::Simulate {
                data,
                split,
                strategy,
                model,
                batch_size,
                batch_diversity,
                budget,
                noise,
                imbalance,
                seed_file,
                json,
            } => {
                let model_spec = model.spec();
                let diversity = parse_diversity(&batch_diversity)?;
                if !(0.0..1.0).contains(&noise) {
                    return Err(format!("--noise must be in [0, 1), got {noise}"));
                }
                let loaded = load_labeled(&data)?;
                eprintln!("activelab: {}", loaded.describe());
                let mapping = loaded.mapping_report();
                let dataset = match imbalance {
                    None => loaded.dataset,
                    Some(share) => {
                        engine::simulation::with_imbalance(&loaded.dataset, share, split.first_seed)
                            .map_err(|e| e.to_string())?
                    }
                };
                // The adaptive strategy plans for the queries the budget leaves after the seed
                // labels (one per class).
                let parsed = match strategy.strategy() {
                    Strategy::Adaptive { .. } => Strategy::Adaptive {
                        horizon: budget.saturating_sub(dataset.n_classes()).max(1),
                    },
                    other => other,
                };
                let options = RunOptions { budget, noise };
                let sets: Option<Vec<SeedSet>> = match &seed_file {
                    None => None,
                    Some(path) => {
                        let text = std::fs::read_to_string(path)
                            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                        let file: SeedFile = serde_json::from_str(&text)
                            .map_err(|e| format!("{}: not a seed file: {e}", path.display()))?;
                        Some(file.seed_sets)
                    }
                };
                let make = |seed: u64| SessionConfig {
                    model: model_spec.clone(),
                    batch_size,
                    batch_diversity: diversity,
                    ..config(&split, seed, parsed)
                };
                let runs = match &sets {
                    None => (split.first_seed..split.first_seed + split.seeds)
                        .map(|seed| run(&dataset, &make(seed), None, options))
                        .collect::<Result<Vec<_>, _>>(),
                    Some(sets) => sets
                        .iter()
                        .map(|set| run(&dataset, &make(set.seed), Some(set), options))
                        .collect::<Result<Vec<_>, _>>(),
                }
                .map_err(|e| e.to_string())?;
                let (aulc_mean, aulc_std) = aulc_summary(&runs);
                let report = SimulationReport {
                    dataset: &dataset.name,
                    rows: dataset.n_rows(),
                    classes: &dataset.class_names,
                    strategy: parsed.label(),
                    model: model.label(),
                    budget,
                    noise,
                    settings: SimulationSettings {
                        mapping,
                        strategy,
                        model,
                        batch_size,
                        batch_diversity: batch_diversity.clone(),
                        budget,
                        noise,
                        imbalance,
                        split: split.clone(),
                        seed_file: seed_file.clone(),
                    },
                    aulc_mean,
                    aulc_std,
                    mean_curve: curve_stats(&runs),
                    runs: &runs,
                };
                if json {
                    println!(
                        "{}",
                        serde_json::to_string(&report).map_err(|e| e.to_string())?
                    );
                } else {
                    print_table(&report);
                }
                Ok(())
            }
        }
    }

    fn print_table(r: &SimulationReport<'_>) {
        println!(
            "{} ({} rows, {} classes): {} sampling, {} model, {} runs, budget {}{}",
            r.dataset,
            r.rows,
            r.classes.len(),
            r.strategy,
            r.model,
            r.runs.len(),
            r.budget,
            if r.noise > 0.0 {
                format!(", noise {}", r.noise)
            } else {
                String::new()
            }
        );
        println!(
            "{:>7}  {:>8}  {:>7}  {:>7}  {:>7}",
            "labels", "mean", "std", "min", "max"
        );
        let n = r.mean_curve.len();
        let step = (n / 10).max(1);
        for (i, s) in r.mean_curve.iter().enumerate() {
            if i % step == 0 || i + 1 == n {
                println!(
                    "{:>7}  {:>8.4}  {:>7.4}  {:>7.4}  {:>7.4}",
                    s.n_labels, s.mean, s.std, s.min, s.max
                );
            }
        }
        println!(
            "AULC {:.4} ± {:.4} (mean ± std over runs)",
            r.aulc_mean, r.aulc_std
        );
    }

    pub fn main() -> ExitCode {
        match execute(Cli::parse()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("activelab: {message}");
                ExitCode::FAILURE
            }
        }
    }
}
