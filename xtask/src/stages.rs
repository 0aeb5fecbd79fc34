//! The stages of `cargo xtask test` (and, later, `cargo xtask bench`), and the runner that times
//! them, stops at the first failure and prints the closing `xtask: N passed, M failed` line.

use crate::tools::{self, Tool, CHROMEDRIVER, CHROMIUM};
use crate::util::{run, Ctx};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

pub struct Stage {
    pub name: &'static str,
    pub about: &'static str,
    /// Tools installed (when missing) before the first stage runs.
    pub needs: &'static [Tool],
    pub run: fn(&Ctx) -> Result<(), String>,
}

/// The CI stages, in the order they run.
pub fn test_stages() -> Vec<Stage> {
    vec![
        Stage {
            name: "fmt",
            about: "cargo fmt --all -- --check",
            needs: &[],
            run: fmt,
        },
        Stage {
            name: "clippy",
            about: "cargo clippy --workspace --all-targets -- -D warnings",
            needs: &[],
            run: clippy,
        },
        Stage {
            name: "clippy-wasm32",
            about: "the same for the crates that run in the browser, on wasm32-unknown-unknown",
            needs: &[Tool::Wasm32Target],
            run: clippy_wasm32,
        },
        Stage {
            name: "native-tests",
            about: "cargo test --workspace",
            needs: &[],
            run: native_tests,
        },
        Stage {
            name: "engine-purity",
            about:
                "cargo tree: the engine crate depends on no web crate (leptos, web-sys, js-sys, \
                    wasm-bindgen, gloo) on wasm32-unknown-unknown",
            needs: &[],
            run: engine_purity,
        },
        Stage {
            name: "browser-tests",
            about: "the engine's unit tests (crates/engine-browser), the worker's and the app's \
                    browser tests, with wasm-bindgen-test-runner in headless Chromium",
            needs: &[
                Tool::Wasm32Target,
                Tool::WasmBindgen,
                Tool::Chromium,
                Tool::Chromedriver,
            ],
            run: browser_tests,
        },
        Stage {
            name: "build",
            about: "trunk build --release --public-url ./ (into dist/)",
            needs: &[Tool::Wasm32Target, Tool::WasmBindgen, Tool::Trunk],
            run: build,
        },
        Stage {
            name: "e2e",
            about: "node --test tests/e2e/ against dist/ (Playwright + Chromium)",
            needs: &[Tool::Chromium, Tool::NodeDeps],
            run: e2e,
        },
    ]
}

/// The benchmark stages; `cargo xtask bench` runs them with the same runner, flags (`--only`,
/// `--skip`, `--list`) and summary as `cargo xtask test`.
pub fn bench_stages() -> Vec<Stage> {
    vec![
        Stage {
            name: "criterion",
            about: "cargo bench --bench engine: fit, score, select, a round (10k/50k/100k rows), \
                    each strategy at 10k; writes target/bench-data/ for benches/peers/speed.py",
            needs: &[],
            run: criterion,
        },
        Stage {
            name: "wasm",
            about:
                "crates/engine-browser/tests/bench_wasm.rs: the same round workloads compiled to \
                    wasm (worker profile) \
                    in headless Chromium; medians to <target>/bench-wasm.json",
            needs: &[
                Tool::Wasm32Target,
                Tool::WasmBindgen,
                Tool::Chromium,
                Tool::Chromedriver,
            ],
            run: wasm_bench,
        },
        Stage {
            name: "speed",
            about: "benches/peers/speed.py: scikit-learn + modAL on the same data, then the one \
                    table: native, wasm, peer and the ratios",
            needs: &[],
            run: speed,
        },
        Stage {
            name: "app",
            about: "tests/e2e/bench_app.mjs against dist/ in headless Chromium: main-thread long \
                    tasks while the worker runs rounds on a 50k-row pool, keypress -> next sample \
                    at 10k rows, import of a 100k x 50 CSV (long tasks, peak memory); needs a \
                    built dist/ (cargo xtask test --only build)",
            needs: &[Tool::Chromium, Tool::NodeDeps],
            run: app_bench,
        },
        Stage {
            name: "peers",
            about:
                "benches/peers/peers.py: our CLI vs modAL + scikit-learn on identical splits (AULC)",
            needs: &[],
            run: peers,
        },
    ]
}

/// The engine's criterion benches (benches/engine.rs, about 5 minutes on 2 cores), writing the
/// synthetic pools to `target/bench-data/` first so `benches/peers/speed.py` times the peers on
/// the same values. Medians land in `target/criterion/*/new/estimates.json`.
fn criterion(ctx: &Ctx) -> Result<(), String> {
    run(Command::new("cargo")
        .args(["bench", "--bench", "engine"])
        .env("ACTIVELAB_WRITE_BENCH_DATA", "1")
        .env("ACTIVELAB_BENCH_DATA_DIR", bench_data_dir(ctx))
        .current_dir(&ctx.root))
}

/// Cargo's target directory: `$CARGO_TARGET_DIR`, else `target/` under the workspace root.
fn target_dir(ctx: &Ctx) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { ctx.root.join(p) })
        .unwrap_or_else(|| ctx.root.join("target"))
}

/// Where the engine bench writes the pools as CSV (and `speed.py` reads them).
fn bench_data_dir(ctx: &Ctx) -> PathBuf {
    std::env::var_os("ACTIVELAB_BENCH_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir(ctx).join("bench-data"))
}

/// The cargo profile the wasm bench is built with: the one `index.html` builds the worker with
/// (`ACTIVELAB_WASM_PROFILE` overrides it, e.g. `release` to measure the app's profile).
pub const WASM_BENCH_PROFILE: &str = "worker";

/// The wasm bench (`crates/engine-browser/tests/bench_wasm.rs`) in headless Chromium through wasm-bindgen-test-runner,
/// built with the worker's profile. Its `BENCH_WASM {json}` lines (one per pool size) are echoed
/// and collected as a JSON array in `<target>/bench-wasm.json`, which the `speed` stage reads.
/// `ACTIVELAB_WASM_RUSTFLAGS` is passed on as RUSTFLAGS, replacing `.cargo/config.toml`'s list (e.g.
/// `--cfg erase_components` alone measures the build without `simd128`).
fn wasm_bench(ctx: &Ctx) -> Result<(), String> {
    let profile =
        std::env::var("ACTIVELAB_WASM_PROFILE").unwrap_or_else(|_| WASM_BENCH_PROFILE.to_string());
    let mut cmd = in_chromium(ctx, 1800)?;
    cmd.args([
        "-p",
        "activelab-engine-browser",
        "--profile",
        &profile,
        "--test",
        "bench_wasm",
        "--",
        "--nocapture",
    ]);
    if let Some(flags) = std::env::var_os("ACTIVELAB_WASM_RUSTFLAGS") {
        cmd.env("RUSTFLAGS", flags);
    }
    println!("xtask: $ {}", crate::util::display(&cmd));
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not start the wasm bench: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    if !out.status.success() {
        return Err(format!("the wasm bench failed ({})", out.status));
    }
    let rows: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_once("BENCH_WASM ").map(|(_, json)| json.trim()))
        .collect();
    if rows.is_empty() {
        return Err("the wasm bench printed no BENCH_WASM line".into());
    }
    let path = target_dir(ctx).join("bench-wasm.json");
    std::fs::write(&path, format!("[\n{}\n]\n", rows.join(",\n")))
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    println!("xtask: wrote {}", path.display());
    Ok(())
}

/// The peer's round times (`benches/peers/speed.py`, 25 repetitions), then the combined table
/// from criterion's estimates, `<target>/bench-wasm.json` and the peer's medians.
fn speed(ctx: &Ctx) -> Result<(), String> {
    ensure_peer_requirements(ctx)?;
    let target = target_dir(ctx);
    run(Command::new("python3")
        .arg(ctx.root.join("benches/peers/speed.py"))
        .arg("--data-dir")
        .arg(bench_data_dir(ctx))
        .arg("--criterion-dir")
        .arg(target.join("criterion"))
        .arg("--wasm")
        .arg(target.join("bench-wasm.json"))
        .arg("--json")
        .arg(target.join("bench-peer.json"))
        .current_dir(&ctx.root))
}

/// The browser app's figures (`tests/e2e/bench_app.mjs`, a benchmark that `node --test` does not
/// pick up) against the built `dist/`; prints a table and writes `<target>/bench-app.json`.
fn app_bench(ctx: &Ctx) -> Result<(), String> {
    let dist = ctx.dist();
    if !dist.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html: build it first (cargo xtask test --only build)",
            dist.display()
        ));
    }
    let json = target_dir(ctx).join("bench-app.json");
    run(Command::new("node")
        .arg("tests/e2e/bench_app.mjs")
        .env("DIST_DIR", &dist)
        .env("CHROMIUM", CHROMIUM)
        .env("BENCH_APP_JSON", &json)
        .current_dir(&ctx.root))?;
    println!("xtask: wrote {}", json.display());
    Ok(())
}

/// Install the peers' Python requirements when modAL or scikit-learn is missing.
fn ensure_peer_requirements(ctx: &Ctx) -> Result<(), String> {
    let requirements = ctx.root.join("benches/peers/requirements.txt");
    let present = Command::new("python3")
        .args(["-c", "import modAL, sklearn"])
        .current_dir(&ctx.root)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !present {
        run(Command::new("python3")
            .args(["-m", "pip", "install", "-q", "-r"])
            .arg(&requirements)
            .current_dir(&ctx.root))?;
    }
    Ok(())
}

/// Install the peers' Python requirements when modAL or scikit-learn is missing, build the CLI,
/// and run the comparison (10 seeds, all datasets and strategies).
fn peers(ctx: &Ctx) -> Result<(), String> {
    ensure_peer_requirements(ctx)?;
    run(Command::new("cargo")
        .args(["build", "--profile", "cli", "-p", "activelab-cli"])
        .current_dir(&ctx.root))?;
    run(Command::new("python3")
        .arg(ctx.root.join("benches/peers/peers.py"))
        .args(["--seeds", "10", "--strict", "--cli"])
        .arg(target_dir(ctx).join("cli/activelab"))
        .current_dir(&ctx.root))
}

/// A named step of a run: the `tools` step or a stage.
type Step<'a> = (&'a str, Box<dyn Fn() -> Result<(), String> + 'a>);

/// Install the tools the stages need (as a first `tools` stage), then run the stages in order,
/// stopping at the first failure.
pub fn run_stages(ctx: &Ctx, stages: &[Stage]) -> ExitCode {
    let started = Instant::now();
    let mut needs: Vec<Tool> = Vec::new();
    for tool in stages.iter().flat_map(|s| s.needs) {
        if !needs.contains(tool) {
            needs.push(*tool);
        }
    }
    let mut steps: Vec<Step> = Vec::new();
    if !needs.is_empty() {
        steps.push(("tools", Box::new(|| tools::ensure(ctx, &needs))));
    }
    for stage in stages {
        steps.push((stage.name, Box::new(|| (stage.run)(ctx))));
    }

    let mut passed = 0;
    for (i, (name, step)) in steps.iter().enumerate() {
        println!("xtask: ==> {name}");
        let t = Instant::now();
        let result = step();
        let secs = t.elapsed().as_secs_f64();
        match result {
            Ok(()) => {
                println!("xtask: [ok] {name} {secs:.1}s");
                passed += 1;
            }
            Err(e) => {
                println!("xtask: error: {e}");
                println!("xtask: [FAIL] {name} {secs:.1}s");
                let rest: Vec<&str> = steps[i + 1..].iter().map(|(n, _)| *n).collect();
                if !rest.is_empty() {
                    println!("xtask: not run: {}", rest.join(", "));
                }
                println!("xtask: total {:.1}s", started.elapsed().as_secs_f64());
                println!("xtask: {passed} passed, 1 failed");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("xtask: total {:.1}s", started.elapsed().as_secs_f64());
    println!("xtask: {passed} passed, 0 failed");
    ExitCode::SUCCESS
}

fn cargo(ctx: &Ctx) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(&ctx.root);
    cmd
}

fn fmt(ctx: &Ctx) -> Result<(), String> {
    run(cargo(ctx).args(["fmt", "--all", "--", "--check"]))
}

fn clippy(ctx: &Ctx) -> Result<(), String> {
    run(cargo(ctx).args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}

/// The packages compiled for the browser.
const WASM_PACKAGES: [&str; 6] = [
    "-p",
    "activelab-engine-browser",
    "-p",
    "activelab-worker",
    "-p",
    "activelab-web",
];

fn clippy_wasm32(ctx: &Ctx) -> Result<(), String> {
    run(cargo(ctx).arg("clippy").args(WASM_PACKAGES).args([
        "--all-targets",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))
}

fn native_tests(ctx: &Ctx) -> Result<(), String> {
    run(cargo(ctx).args(["test", "--workspace"]))
}

/// The engine's dependency tree on wasm32 (every edge kind, dev-dependencies too) names no web
/// crate, so the compiler keeps the engine pure; this stage makes a new dependency fail loudly.
fn engine_purity(ctx: &Ctx) -> Result<(), String> {
    let out = cargo(ctx)
        .args([
            "tree",
            "-p",
            "activelab-engine",
            "--target",
            "wasm32-unknown-unknown",
            "--prefix",
            "none",
        ])
        .output()
        .map_err(|e| format!("could not start cargo tree: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo tree failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let tree = String::from_utf8_lossy(&out.stdout);
    let web: Vec<&str> = tree.lines().filter(|line| is_web_crate(line)).collect();
    if web.is_empty() {
        println!("xtask: the engine crate depends on no web crate");
        return Ok(());
    }
    for line in &web {
        println!("{line}");
    }
    Err(format!(
        "the engine crate depends on {} web crate(s); it must stay plain Rust (move the code that \
         needs them to crates/worker or crates/web)",
        web.len()
    ))
}

/// Whether a `cargo tree --prefix none` line names a web crate.
fn is_web_crate(line: &str) -> bool {
    let name = line.split_whitespace().next().unwrap_or("");
    ["leptos", "web-sys", "js-sys", "wasm-bindgen", "gloo"]
        .iter()
        .any(|web| name == *web || name.starts_with(&format!("{web}-")))
}

/// The browser tests through wasm-bindgen-test-runner, which starts chromedriver, which starts
/// Chromium with the capabilities in `webdriver.json` (the absolute path is passed too): the
/// engine's unit tests as `crates/engine-browser` compiles them (`WASM_BINDGEN_USE_BROWSER`: that
/// source names no test configuration) and its golden-run test, the worker's file reading in a
/// dedicated worker, and the app's components.
fn browser_tests(ctx: &Ctx) -> Result<(), String> {
    run(in_chromium(ctx, 120)?
        .args(["-p", "activelab-engine-browser", "--lib"])
        .env("WASM_BINDGEN_USE_BROWSER", "1"))?;
    for package in ["activelab-worker", "activelab-web"] {
        run(in_chromium(ctx, 120)?.args(["-p", package, "--lib", "--test", "browser*"]))?;
    }
    Ok(())
}

/// `cargo test --target wasm32-unknown-unknown`, its test binaries run by wasm-bindgen-test-runner
/// in headless Chromium (through chromedriver, with the capabilities in `webdriver.json`), each
/// allowed `timeout_secs`.
fn in_chromium(ctx: &Ctx, timeout_secs: u32) -> Result<Command, String> {
    let webdriver_json = ctx.root.join("webdriver.json");
    if !webdriver_json.is_file() {
        return Err(format!("{} is missing", webdriver_json.display()));
    }
    let mut cmd = cargo(ctx);
    cmd.args(["test", "--target", "wasm32-unknown-unknown"])
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &webdriver_json)
        .env("WASM_BINDGEN_TEST_TIMEOUT", timeout_secs.to_string());
    Ok(cmd)
}

/// `trunk build --release --public-url ./`, offline: Trunk must never download a tool.
pub fn trunk_build(ctx: &Ctx) -> Result<(), String> {
    // Trunk passes `--offline` on to cargo, so the crates must be in cargo's cache first.
    tools::fetch_crates(ctx)?;
    run(Command::new("trunk")
        .args(["build", "--release", "--public-url", "./", "--offline=true"])
        .current_dir(&ctx.root))?;
    let index = ctx.dist().join("index.html");
    if index.is_file() {
        Ok(())
    } else {
        Err(format!("trunk build left no {}", index.display()))
    }
}

fn build(ctx: &Ctx) -> Result<(), String> {
    trunk_build(ctx)
}

/// Node's test runner over tests/e2e/*.test.mjs, one file at a time, from the repo root.
fn e2e(ctx: &Ctx) -> Result<(), String> {
    let dist = ctx.dist();
    if !dist.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html: run the build stage first (cargo xtask test --only build,e2e)",
            dist.display()
        ));
    }
    run(Command::new("node")
        .args(["--test", "--test-concurrency=1", "tests/e2e/"])
        .env("DIST_DIR", &dist)
        .env("CHROMIUM", CHROMIUM)
        .current_dir(&ctx.root))
}
