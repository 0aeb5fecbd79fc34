//! `cargo xtask`: the project's build, serve, test and bench entry points (std only).
//!
//! Every command runs from the workspace root and first installs the tools it needs, and only
//! those that are missing or at the wrong version (see `tools.rs`), so a second run starts at once.

mod csp;
mod fuzz;
mod stages;
mod tools;
mod util;

use stages::{run_stages, Stage};
use std::path::Path;
use std::process::{Command, ExitCode};
use tools::Tool;
use util::{fail, Ctx};

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  serve [--port N]     install missing tools, then `trunk serve` on http://127.0.0.1:N/ (default 8080)
  test  [options]      install missing tools, then run every CI stage in order, stopping at the first
                       failure; prints one line per stage and `xtask: N passed, M failed` at the end
        --only STAGE   run only these stages (repeatable, or comma separated)
        --skip STAGE   leave these stages out (repeatable, or comma separated)
        --list         print the stages and exit
  dist                 install missing tools, `trunk build --release --public-url ./`, print sizes
  bench [--list]       run the benchmarks
  fuzz  [options]      install nightly and cargo-fuzz if missing, then run each importer fuzz target
        --seconds N    how long each target runs (default 60)
        --target T     run only these targets (repeatable, or comma separated)
        --list         print the targets and exit
  csp   [FILE]         hash the inline scripts of a built index.html into its Content-Security-Policy
                       (Trunk's post_build hook; default $TRUNK_STAGING_DIR/index.html, else dist/)
  help                 print this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, rest) = match args.split_first() {
        Some((cmd, rest)) => (cmd.as_str(), rest),
        None => ("help", &[][..]),
    };
    if matches!(cmd, "help" | "-h" | "--help") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let ctx = match Ctx::new() {
        Ok(ctx) => ctx,
        Err(e) => return fail(&e),
    };
    let result = match cmd {
        "serve" => serve(&ctx, rest),
        "test" => test(&ctx, rest, stages::test_stages()),
        "dist" => dist(&ctx, rest),
        "bench" => bench(&ctx, rest),
        "fuzz" => fuzz::fuzz(&ctx, rest),
        "csp" => csp::csp(&ctx.root, rest),
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(code) => code,
        Err(e) => fail(&e),
    }
}

/// `cargo xtask serve [--port N]`
fn serve(ctx: &Ctx, args: &[String]) -> Result<ExitCode, String> {
    let mut port: u16 = 8080;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--port" | "-p" => {
                let value = it.next().ok_or("--port needs a value")?;
                port = value
                    .parse()
                    .map_err(|_| format!("--port: `{value}` is not a port number"))?;
            }
            other => match other.strip_prefix("--port=") {
                Some(value) => {
                    port = value
                        .parse()
                        .map_err(|_| format!("--port: `{value}` is not a port number"))?
                }
                None => return Err(format!("serve: unknown option `{other}`\n\n{USAGE}")),
            },
        }
    }
    tools::ensure(ctx, &[Tool::Wasm32Target, Tool::WasmBindgen, Tool::Trunk])?;
    tools::fetch_crates(ctx)?;
    println!("xtask: serving on http://127.0.0.1:{port}/ (Ctrl-C to stop)");
    let mut cmd = Command::new("trunk");
    cmd.args(["serve", "--address", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .arg("--offline=true")
        .current_dir(&ctx.root);
    exec(&mut cmd)
}

/// Replace this process with `cmd` (on Unix), so that stopping xtask stops the server too.
#[cfg(unix)]
fn exec(cmd: &mut Command) -> Result<ExitCode, String> {
    use std::os::unix::process::CommandExt;
    println!("xtask: $ {}", util::display(cmd));
    Err(format!("could not start trunk: {}", cmd.exec()))
}

#[cfg(not(unix))]
fn exec(cmd: &mut Command) -> Result<ExitCode, String> {
    util::run(cmd)?;
    Ok(ExitCode::SUCCESS)
}

/// `cargo xtask test [--only STAGE]... [--skip STAGE]... [--list]`
fn test(ctx: &Ctx, args: &[String], all: Vec<Stage>) -> Result<ExitCode, String> {
    let mut only: Vec<String> = Vec::new();
    let mut skip: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_string())),
            None => (arg.as_str(), None),
        };
        match flag {
            "--list" => {
                for stage in &all {
                    println!("{:<14} {}", stage.name, stage.about);
                }
                return Ok(ExitCode::SUCCESS);
            }
            "--only" | "--skip" => {
                let value = match inline {
                    Some(v) => v,
                    None => it
                        .next()
                        .ok_or(format!("{flag} needs a stage name"))?
                        .clone(),
                };
                let list = if flag == "--only" {
                    &mut only
                } else {
                    &mut skip
                };
                for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    if !all.iter().any(|s| s.name == name) {
                        let names: Vec<&str> = all.iter().map(|s| s.name).collect();
                        return Err(format!(
                            "unknown stage `{name}`; stages: {}",
                            names.join(", ")
                        ));
                    }
                    list.push(name.to_string());
                }
            }
            other => return Err(format!("test: unknown option `{other}`\n\n{USAGE}")),
        }
    }
    let selected: Vec<Stage> = all
        .into_iter()
        .filter(|s| only.is_empty() || only.iter().any(|n| n == s.name))
        .filter(|s| !skip.iter().any(|n| n == s.name))
        .collect();
    if selected.is_empty() {
        return Err("no stage selected".into());
    }
    Ok(run_stages(ctx, &selected))
}

/// `cargo xtask dist`
fn dist(ctx: &Ctx, args: &[String]) -> Result<ExitCode, String> {
    if let Some(arg) = args.first() {
        return Err(format!("dist: unknown option `{arg}`\n\n{USAGE}"));
    }
    tools::ensure(ctx, &[Tool::Wasm32Target, Tool::WasmBindgen, Tool::Trunk])?;
    stages::trunk_build(ctx)?;
    print_sizes(&ctx.dist())?;
    Ok(ExitCode::SUCCESS)
}

/// `cargo xtask bench`: the same stage runner as `test`, over the bench stages.
fn bench(ctx: &Ctx, args: &[String]) -> Result<ExitCode, String> {
    let all = stages::bench_stages();
    if all.is_empty() {
        if let Some(arg) = args.iter().find(|a| a.as_str() != "--list") {
            return Err(format!("bench: unknown option `{arg}`"));
        }
        println!("xtask: no benches yet");
        return Ok(ExitCode::SUCCESS);
    }
    test(ctx, args, all)
}

/// Print every file under `dist/` with its size, and the `gzip -9` size of each `.wasm`.
fn print_sizes(dist: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    util::walk(dist, &mut files).map_err(|e| format!("reading {}: {e}", dist.display()))?;
    files.sort();
    let mut total = 0u64;
    let mut total_gz = 0u64;
    println!("xtask: {}:", dist.display());
    for file in &files {
        let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        total += size;
        let rel = file.strip_prefix(dist).unwrap_or(file).display();
        if file.extension().is_some_and(|e| e == "wasm") {
            let gz = gzip_size(file)?;
            total_gz += gz;
            println!(
                "  {:>10}  {rel}  (gzip -9: {} = {})",
                human(size),
                gz,
                human(gz)
            );
        } else {
            println!("  {:>10}  {rel}", human(size));
        }
    }
    println!(
        "xtask: {} files, {} in all; .wasm gzipped: {}",
        files.len(),
        human(total),
        human(total_gz)
    );
    Ok(())
}

fn gzip_size(file: &Path) -> Result<u64, String> {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(file)
        .output()
        .map_err(|e| format!("running gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip -9 -c {} failed", file.display()));
    }
    Ok(out.stdout.len() as u64)
}

fn human(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}
