//! Install what a command needs, and only what is missing or at the wrong version.
//!
//! Trunk runs offline (it must never download a tool), so everything it uses has to be on PATH at
//! exactly the version `Trunk.toml` names before it starts.

use crate::util::{on_path, output, run, Ctx};
use std::path::Path;
use std::process::Command;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tool {
    /// The rustup target `wasm32-unknown-unknown`.
    Wasm32Target,
    /// `wasm-bindgen` and `wasm-bindgen-test-runner` at Cargo.lock's `wasm-bindgen` version.
    WasmBindgen,
    /// `trunk` at exactly [`TRUNK_VERSION`].
    Trunk,
    /// Debian's chromium at [`CHROMIUM`].
    Chromium,
    /// Debian's chromium-driver at [`CHROMEDRIVER`].
    Chromedriver,
    /// `tests/e2e/node_modules` as `tests/e2e/package-lock.json` pins it.
    NodeDeps,
}

/// The order tools are checked in: apt packages first (one `apt-get` run), then Rust, then npm.
const ORDER: [Tool; 6] = [
    Tool::Chromium,
    Tool::Chromedriver,
    Tool::Wasm32Target,
    Tool::WasmBindgen,
    Tool::Trunk,
    Tool::NodeDeps,
];

pub fn ensure(ctx: &Ctx, needs: &[Tool]) -> Result<(), String> {
    let wanted: Vec<Tool> = ORDER.into_iter().filter(|t| needs.contains(t)).collect();

    // Debian packages, all in one apt-get run.
    let apt: Vec<&str> = wanted
        .iter()
        .filter_map(|tool| apt_check(*tool))
        .filter(|(_, ok)| !ok)
        .map(|(package, _)| package)
        .collect();
    if !apt.is_empty() {
        apt_install(&apt)?;
        for tool in &wanted {
            if let Some((package, false)) = apt_check(*tool) {
                return Err(format!("{package} is still missing after apt-get install"));
            }
        }
    }

    for tool in &wanted {
        match tool {
            Tool::Wasm32Target => ensure_wasm_target(ctx)?,
            Tool::WasmBindgen => ensure_wasm_bindgen(ctx)?,
            Tool::Trunk => ensure_trunk(ctx)?,
            Tool::NodeDeps => ensure_node_deps(ctx)?,
            Tool::Chromium | Tool::Chromedriver => {}
        }
    }
    Ok(())
}

/// Download every crate in Cargo.lock, since Trunk runs cargo with `--offline`.
/// Quick and network-free when the crates are already in cargo's cache.
pub fn fetch_crates(ctx: &Ctx) -> Result<(), String> {
    let ok = Command::new("cargo")
        .args(["fetch", "--quiet"])
        .current_dir(&ctx.root)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        run(Command::new("cargo").arg("fetch").current_dir(&ctx.root))
    }
}

/// For a tool that comes from a Debian package: the package, and whether the tool is there.
fn apt_check(tool: Tool) -> Option<(&'static str, bool)> {
    match tool {
        Tool::Chromium => Some(("chromium", check_file_tool("chromium", CHROMIUM))),
        Tool::Chromedriver => Some((
            "chromium-driver",
            check_file_tool("chromedriver", CHROMEDRIVER),
        )),
        _ => None,
    }
}

fn check_file_tool(name: &str, path: &str) -> bool {
    if !Path::new(path).is_file() {
        println!("xtask: tool {name} ({path}): missing");
        return false;
    }
    let version = output(Command::new(path).arg("--version")).unwrap_or_default();
    println!("xtask: tool {name} ({path}) {version}: ok");
    true
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).as_deref() == Some("0")
}

fn apt_install(packages: &[&str]) -> Result<(), String> {
    let list = packages.join(" ");
    println!("xtask: installing Debian packages: {list}");
    if !is_root() {
        return Err(format!(
            "installing Debian packages needs root; run:\n\n    sudo apt-get update && sudo \
             apt-get install -y {list}\n\nthen run this command again"
        ));
    }
    run(Command::new("apt-get")
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(Command::new("apt-get")
        .args(["install", "-y"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

fn has_wasm_target(ctx: &Ctx) -> bool {
    // `rustc --print sysroot` in the root follows rust-toolchain.toml, like the builds do.
    output(
        Command::new("rustc")
            .args(["--print", "sysroot"])
            .current_dir(&ctx.root),
    )
    .is_some_and(|sysroot| {
        Path::new(&sysroot)
            .join("lib/rustlib")
            .join(WASM_TARGET)
            .is_dir()
    })
}

fn ensure_wasm_target(ctx: &Ctx) -> Result<(), String> {
    if has_wasm_target(ctx) {
        println!("xtask: tool rust target {WASM_TARGET}: ok");
        return Ok(());
    }
    println!("xtask: tool rust target {WASM_TARGET}: installing");
    run(Command::new("rustup")
        .args(["target", "add", WASM_TARGET])
        .current_dir(&ctx.root))?;
    if has_wasm_target(ctx) {
        Ok(())
    } else {
        Err(format!(
            "the {WASM_TARGET} target is still missing after `rustup target add`"
        ))
    }
}

/// `<program> --version` as printed, or "missing".
fn version_of(program: &str) -> String {
    if !on_path(program) {
        return "missing".into();
    }
    output(Command::new(program).arg("--version")).unwrap_or_else(|| "unusable".into())
}

fn ensure_trunk(ctx: &Ctx) -> Result<(), String> {
    let want = format!("trunk {TRUNK_VERSION}");
    let found = version_of("trunk");
    if found == want {
        println!("xtask: tool {want}: ok");
        return Ok(());
    }
    println!("xtask: tool {want}: installing (found: {found})");
    // `--locked`: trunk 0.22 and trunk's newest dependencies need a newer rustc.
    run(Command::new("cargo")
        .args([
            "install",
            "trunk",
            "--version",
            TRUNK_VERSION,
            "--locked",
            "--force",
        ])
        .current_dir(&ctx.root))?;
    let found = version_of("trunk");
    if found == want {
        Ok(())
    } else {
        Err(format!(
            "after cargo install, `trunk --version` prints `{found}`, not `{want}`"
        ))
    }
}

fn ensure_wasm_bindgen(ctx: &Ctx) -> Result<(), String> {
    let version = wasm_bindgen_lock_version(ctx)?;
    if let Some(pinned) = trunk_toml_tool(ctx, "wasm_bindgen") {
        if pinned != version {
            return Err(format!(
                "Trunk.toml pins wasm_bindgen = \"{pinned}\" but Cargo.lock has wasm-bindgen \
                 {version}; make them equal (Trunk runs offline and can't fetch another version)"
            ));
        }
    }
    let check = || {
        ["wasm-bindgen", "wasm-bindgen-test-runner"]
            .into_iter()
            .map(|p| (p, version_of(p)))
            .find(|(p, found)| *found != format!("{p} {version}"))
    };
    let Some((program, found)) = check() else {
        println!("xtask: tool wasm-bindgen {version}: ok");
        return Ok(());
    };
    println!("xtask: tool wasm-bindgen {version}: installing (found {program}: {found})");
    // No `--locked`: wasm-bindgen-cli's own lockfile wants crates the registry doesn't have.
    run(Command::new("cargo")
        .args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &version,
            "--force",
        ])
        .current_dir(&ctx.root))?;
    match check() {
        None => Ok(()),
        Some((program, found)) => Err(format!(
            "after cargo install, `{program} --version` prints `{found}`, not `{program} {version}`"
        )),
    }
}

/// The version of the `wasm-bindgen` package in Cargo.lock.
pub fn wasm_bindgen_lock_version(ctx: &Ctx) -> Result<String, String> {
    let path = ctx.root.join("Cargo.lock");
    let lock =
        std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    lock_package_version(&lock, "wasm-bindgen")
        .ok_or_else(|| format!("no wasm-bindgen package in {}", path.display()))
}

fn lock_package_version(lock: &str, name: &str) -> Option<String> {
    let want = format!("name = \"{name}\"");
    lock.split("[[package]]")
        .find(|block| block.lines().any(|l| l.trim() == want))?
        .lines()
        .find_map(|l| l.trim().strip_prefix("version = "))
        .map(|v| v.trim_matches('"').to_string())
}

/// A `[tools]` entry of Trunk.toml, if the file and the entry exist.
fn trunk_toml_tool(ctx: &Ctx, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(ctx.root.join("Trunk.toml")).ok()?;
    let mut section = String::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.starts_with('[') {
            section = line
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_string();
        } else if section == "tools" {
            if let Some((k, v)) = line.split_once('=') {
                if k.trim() == key {
                    return Some(v.trim().trim_matches('"').to_string());
                }
            }
        }
    }
    None
}

/// The `"version"` that follows `anchor` in a JSON text (enough for package.json and
/// package-lock.json without a JSON parser).
fn json_version_after(text: &str, anchor: &str) -> Option<String> {
    let start = text.find(anchor)? + anchor.len();
    let rest = &text[start..];
    let after_key = &rest[rest.find("\"version\"")? + "\"version\"".len()..];
    let value = after_key.trim_start().strip_prefix(':')?.trim_start();
    let value = value.strip_prefix('"')?;
    Some(value[..value.find('"')?].to_string())
}

fn ensure_node_deps(ctx: &Ctx) -> Result<(), String> {
    for program in ["node", "npm"] {
        if !on_path(program) {
            return Err(format!(
                "`{program}` is not on PATH; the e2e tests need Node.js 20 or newer with npm"
            ));
        }
    }
    let dir = ctx.e2e_dir();
    let lock_path = dir.join("package-lock.json");
    let lock = std::fs::read_to_string(&lock_path)
        .map_err(|e| format!("reading {}: {e}", lock_path.display()))?;
    let want = json_version_after(&lock, "\"node_modules/playwright-core\"")
        .ok_or_else(|| format!("no node_modules/playwright-core in {}", lock_path.display()))?;
    let installed_path = dir.join("node_modules/playwright-core/package.json");
    let found = std::fs::read_to_string(&installed_path)
        .ok()
        .and_then(|text| json_version_after(&text, "{"));
    // npm's own record of what it installed: stale when older than the lockfile.
    let stale = modified(&dir.join("node_modules/.package-lock.json"))
        .zip(modified(&lock_path))
        .is_none_or(|(installed, locked)| installed < locked);
    if found.as_deref() == Some(want.as_str()) && !stale {
        println!("xtask: tool playwright-core {want} (tests/e2e/node_modules): ok");
        return Ok(());
    }
    let found = match found {
        Some(v) if v == want => format!("{v}, installed before package-lock.json changed"),
        Some(v) => v,
        None => "missing".into(),
    };
    println!(
        "xtask: tool playwright-core {want} (tests/e2e/node_modules): installing (found: {found})"
    );
    // playwright-core has no install script and downloads no browser; the variable is a guard.
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .current_dir(&dir))
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).ok()?.modified().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_package_version_in_a_lockfile() {
        let lock =
            "version = 4\n\n[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"0.2.1\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\nsource = \"x\"\n";
        assert_eq!(
            lock_package_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(lock_package_version(lock, "trunk"), None);
    }

    #[test]
    fn finds_a_version_in_json() {
        let lock = r#"{"packages": {"": {"devDependencies": {"playwright-core": "1.64.1"}},
            "node_modules/playwright-core": {"version" : "1.64.1", "resolved": "x"}}}"#;
        assert_eq!(
            json_version_after(lock, "\"node_modules/playwright-core\"").as_deref(),
            Some("1.64.1")
        );
    }
}
