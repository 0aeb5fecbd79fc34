//! `cargo xtask fuzz [--seconds N] [--target T]...`: run the importers' fuzz targets (`fuzz/`).
//!
//! Installs what is missing (the `nightly` toolchain, `cargo-fuzz`), builds every target once,
//! seeds each target's corpus (`fuzz/corpus/<target>/`, git-ignored) with the hostile inputs of
//! `tests/fixtures/bad/` and the bundled datasets of `public/datasets/`, then runs each target for
//! N seconds with `cargo +nightly fuzz run <target> <corpus> -- -max_total_time=N` and prints the
//! executions libFuzzer reports. A crash leaves its input under `fuzz/artifacts/<target>/`, is
//! named in the summary, and makes the command fail. Not part of `cargo xtask test`.
//!
//! `project_import` also gets the project files of `tests/fixtures/projects/` as seeds.

use crate::util::{on_path, output, run, walk, Ctx};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// The fuzz targets, as `fuzz/Cargo.toml` names them.
pub const TARGETS: [&str; 4] = [
    "csv_import",
    "jsonl_import",
    "text_import",
    "project_import",
];

/// Inputs longer than this are cut (libFuzzer's `-max_len`): big seeds such as `digits.csv` would
/// otherwise make every run slow.
const MAX_LEN: usize = 64 * 1024;

/// A run slower than this on one input counts as a hang (libFuzzer's `-timeout`, seconds).
const TIMEOUT_SECONDS: u32 = 10;

/// What one target's run gave.
struct Outcome {
    target: &'static str,
    executions: Option<u64>,
    seconds: f64,
    /// The crash (or hang) input libFuzzer wrote, if any.
    crash: Option<String>,
    ok: bool,
}

/// `cargo xtask fuzz [--seconds N] [--target T]... [--list]`
pub fn fuzz(ctx: &Ctx, args: &[String]) -> Result<ExitCode, String> {
    let mut seconds: u64 = 60;
    let mut targets: Vec<&'static str> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_string())),
            None => (arg.as_str(), None),
        };
        let mut value = || -> Result<String, String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => it.next().cloned().ok_or(format!("{flag} needs a value")),
            }
        };
        match flag {
            "--list" => {
                for target in TARGETS {
                    println!("{target}");
                }
                return Ok(ExitCode::SUCCESS);
            }
            "--seconds" => {
                let v = value()?;
                seconds = v
                    .parse()
                    .ok()
                    .filter(|&s| s > 0)
                    .ok_or(format!("--seconds: `{v}` is not a positive whole number"))?;
            }
            "--target" => {
                for name in value()?.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    let target = TARGETS.iter().find(|t| **t == name).ok_or(format!(
                        "unknown fuzz target `{name}`; targets: {}",
                        TARGETS.join(", ")
                    ))?;
                    if !targets.contains(target) {
                        targets.push(target);
                    }
                }
            }
            other => {
                return Err(format!(
                    "fuzz: unknown option `{other}`; options: --seconds N, --target T, --list"
                ))
            }
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }

    ensure_nightly()?;
    ensure_cargo_fuzz(ctx)?;
    for target in &targets {
        run(Command::new("cargo")
            .args(["+nightly", "fuzz", "build", target])
            .current_dir(&ctx.root))?;
    }
    let mut outcomes = Vec::new();
    for target in targets {
        let corpus = seed_corpus(ctx, target)?;
        outcomes.push(run_target(ctx, target, &corpus, seconds)?);
    }

    println!("xtask: fuzz summary ({seconds} s per target):");
    for o in &outcomes {
        let executions = o.executions.map_or("?".to_string(), |n| n.to_string());
        let rate = o.executions.map_or("?".to_string(), |n| {
            format!("{:.0}", n as f64 / o.seconds.max(1e-9))
        });
        let result = match (&o.crash, o.ok) {
            (Some(path), _) => format!("CRASH, input: {path}"),
            (None, true) => "no crash".to_string(),
            (None, false) => "FAILED (see the output above)".to_string(),
        };
        println!(
            "  {:<14} {executions:>10} executions in {:>5.1} s ({rate} exec/s): {result}",
            o.target, o.seconds
        );
    }
    Ok(if outcomes.iter().all(|o| o.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn ensure_nightly() -> Result<(), String> {
    if output(Command::new("rustc").args(["+nightly", "--version"])).is_some() {
        println!("xtask: tool rust nightly: ok");
        return Ok(());
    }
    println!("xtask: tool rust nightly: installing");
    run(Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]))
}

fn ensure_cargo_fuzz(ctx: &Ctx) -> Result<(), String> {
    if on_path("cargo-fuzz") {
        let version = output(Command::new("cargo-fuzz").arg("--version")).unwrap_or_default();
        println!("xtask: tool {version}: ok");
        return Ok(());
    }
    println!("xtask: tool cargo-fuzz: installing");
    run(Command::new("cargo")
        .args(["install", "cargo-fuzz"])
        .current_dir(&ctx.root))?;
    if on_path("cargo-fuzz") {
        Ok(())
    } else {
        Err("cargo-fuzz is still missing after `cargo install cargo-fuzz`".into())
    }
}

/// Copy the seeds into `fuzz/corpus/<target>/` (as `seed-<path>`); returns the corpus directory.
/// `text_import` reads its first byte as the vectorizer choice, so its seeds get a `0` in front.
fn seed_corpus(ctx: &Ctx, target: &str) -> Result<PathBuf, String> {
    let corpus = ctx.root.join("fuzz").join("corpus").join(target);
    std::fs::create_dir_all(&corpus).map_err(|e| format!("creating {}: {e}", corpus.display()))?;
    let mut seeds = 0;
    let mut dirs = vec![
        ctx.root.join("tests").join("fixtures").join("bad"),
        ctx.root.join("public").join("datasets"),
    ];
    if target == "project_import" {
        dirs.push(ctx.root.join("tests").join("fixtures").join("projects"));
    }
    for dir in dirs {
        let mut files = Vec::new();
        walk(&dir, &mut files).map_err(|e| format!("reading {}: {e}", dir.display()))?;
        for file in files {
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name == "expected.json" || name.ends_with(".md") {
                continue;
            }
            let rel = file.strip_prefix(&ctx.root).unwrap_or(&file);
            let flat: String = rel
                .to_string_lossy()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            let mut bytes =
                std::fs::read(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
            if target == "text_import" {
                bytes.insert(0, 0);
            }
            let to = corpus.join(format!("seed-{flat}"));
            std::fs::write(&to, bytes).map_err(|e| format!("writing {}: {e}", to.display()))?;
            seeds += 1;
        }
    }
    println!(
        "xtask: {target}: {seeds} seeds copied into {}",
        corpus.strip_prefix(&ctx.root).unwrap_or(&corpus).display()
    );
    Ok(corpus)
}

/// Whether a libFuzzer line is progress noise (new coverage, reductions, the dictionary).
fn is_noise(line: &str, in_dictionary: &mut bool) -> bool {
    if line.starts_with("###### Recommended dictionary") {
        *in_dictionary = true;
    }
    if *in_dictionary {
        if line.starts_with("###### End of recommended dictionary") {
            *in_dictionary = false;
        }
        return true;
    }
    if line.trim_start().starts_with("NEW_FUNC[") {
        return true;
    }
    let mut words = line.split_whitespace();
    let first = words.next().unwrap_or("");
    first.starts_with('#') && matches!(words.next(), Some("NEW" | "REDUCE" | "pulse"))
}

/// Executions from libFuzzer's final lines: `stat::number_of_executed_units: N` (with
/// `-print_final_stats=1`), else `#N DONE …`, else `Done N runs in …`.
fn executions(lines: &[String]) -> Option<u64> {
    let stat = lines.iter().find_map(|l| {
        l.strip_prefix("stat::number_of_executed_units:")
            .and_then(|n| n.trim().parse().ok())
    });
    let done = lines.iter().rev().find_map(|l| {
        let mut words = l.split_whitespace();
        let count = words.next()?.strip_prefix('#')?.parse().ok()?;
        (words.next() == Some("DONE")).then_some(count)
    });
    let runs = lines.iter().rev().find_map(|l| {
        l.strip_prefix("Done ")?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    });
    stat.or(done).or(runs)
}

/// Run one target for `seconds`, streaming libFuzzer's output (less the progress noise).
fn run_target(
    ctx: &Ctx,
    target: &'static str,
    corpus: &Path,
    seconds: u64,
) -> Result<Outcome, String> {
    let mut cmd = Command::new("cargo");
    cmd.args(["+nightly", "fuzz", "run", target])
        .arg(corpus)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-max_len={MAX_LEN}"))
        .arg(format!("-timeout={TIMEOUT_SECONDS}"))
        .arg("-print_final_stats=1")
        .current_dir(&ctx.root)
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped());
    println!("xtask: $ {}", crate::util::display(&cmd));
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start cargo fuzz: {e}"))?;
    let mut lines = Vec::new();
    let mut in_dictionary = false;
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap_or_default();
            if !is_noise(&line, &mut in_dictionary) {
                eprintln!("{line}");
            }
            lines.push(line);
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for cargo fuzz: {e}"))?;
    let seconds = lines
        .iter()
        .rev()
        .find_map(|l| {
            let rest = l.strip_prefix("Done ")?;
            let (_, time) = rest.split_once(" runs in ")?;
            time.split_whitespace().next()?.parse::<f64>().ok()
        })
        .unwrap_or_else(|| start.elapsed().as_secs_f64());
    let crash = lines.iter().find_map(|l| {
        let at = l.find("Test unit written to ")?;
        Some(l[at + "Test unit written to ".len()..].trim().to_string())
    });
    let executions = executions(&lines);
    println!(
        "xtask: {target}: {} executions in {seconds:.1} s{}",
        executions.map_or("?".to_string(), |n| n.to_string()),
        if status.success() { "" } else { " (failed)" }
    );
    Ok(Outcome {
        target,
        executions,
        seconds,
        ok: status.success() && crash.is_none(),
        crash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executions_come_from_the_final_lines() {
        let lines = |text: &str| text.lines().map(String::from).collect::<Vec<_>>();
        let out = "#2\tINITED cov: 5\n#17343\tDONE   cov: 2903 ft: 8343\nDone 17343 runs in 11 second(s)\n";
        assert_eq!(executions(&lines(out)), Some(17343));
        let out = "#17343\tDONE   cov: 2903\nstat::number_of_executed_units: 17350\n";
        assert_eq!(executions(&lines(out)), Some(17350));
        assert_eq!(executions(&lines("Done 12 runs in 1 second(s)")), Some(12));
        assert_eq!(executions(&lines("#7\tNEW cov: 3")), None);
    }

    #[test]
    fn progress_lines_are_noise() {
        let mut dict = false;
        assert!(is_noise("#123\tNEW    cov: 1 ft: 2", &mut dict));
        assert!(is_noise("#4096\tpulse  cov: 1", &mut dict));
        assert!(!is_noise("#17343\tDONE   cov: 2903", &mut dict));
        assert!(!is_noise(
            "thread '<unnamed>' panicked at src/x.rs:1:1:",
            &mut dict
        ));
        assert!(is_noise("###### Recommended dictionary. ######", &mut dict));
        assert!(is_noise("\"abc\" # Uses: 3", &mut dict));
        assert!(is_noise(
            "###### End of recommended dictionary. ######",
            &mut dict
        ));
        assert!(!is_noise("INFO: Seed: 1", &mut dict));
        assert!(is_noise("\tNEW_FUNC[1/3]: 0x55 in f src/x.rs:1", &mut dict));
    }
}
