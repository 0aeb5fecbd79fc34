//! Small helpers: the workspace context, running commands, walking directories.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// Where everything runs from, and what the lockfile pins.
pub struct Ctx {
    /// The workspace root (the parent of `xtask/`).
    pub root: PathBuf,
}

impl Ctx {
    pub fn new() -> Result<Ctx, String> {
        // `cargo run` sets CARGO_MANIFEST_DIR at run time; fall back to where xtask was built.
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .filter(|p| p.join("src/main.rs").is_file() && p.ends_with("xtask"))
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest_dir
            .parent()
            .ok_or("xtask has no parent directory")?
            .to_path_buf();
        if !root.join("Cargo.toml").is_file() {
            return Err(format!(
                "no Cargo.toml at the workspace root {}",
                root.display()
            ));
        }
        ensure_cargo_bin_on_path();
        Ok(Ctx { root })
    }

    pub fn dist(&self) -> PathBuf {
        self.root.join("dist")
    }

    pub fn e2e_dir(&self) -> PathBuf {
        self.root.join("tests").join("e2e")
    }
}

/// Put `$CARGO_HOME/bin` (default `~/.cargo/bin`) on PATH for every child process, where
/// `cargo install` puts trunk and wasm-bindgen.
fn ensure_cargo_bin_on_path() {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(bin) = cargo_home.map(|h| h.join("bin")) else {
        return;
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    if dirs.iter().any(|d| d == &bin) {
        return;
    }
    dirs.insert(0, bin);
    if let Ok(joined) = std::env::join_paths(dirs) {
        // Single-threaded at this point: nothing else reads the environment concurrently.
        std::env::set_var("PATH", joined);
    }
}

/// Print the error and return exit code 1.
pub fn fail(msg: &str) -> ExitCode {
    eprintln!("xtask: error: {msg}");
    ExitCode::FAILURE
}

/// A shell-like rendering of a command, for the log.
pub fn display(cmd: &Command) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            parts.push(format!(
                "{}={}",
                key.to_string_lossy(),
                quote(&value.to_string_lossy())
            ));
        }
    }
    parts.push(quote(&cmd.get_program().to_string_lossy()));
    parts.extend(cmd.get_args().map(|a| quote(&a.to_string_lossy())));
    parts.join(" ")
}

fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Run a command with inherited stdio; an error if it can't start or exits non-zero.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = display(cmd);
    println!("xtask: $ {shown}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Run a command quietly and return its trimmed stdout, or None if it can't start or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Collect every file under `dir` (recursively, following no symlinked directories).
pub fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), files)?;
        } else if kind.is_file() {
            files.push(entry.path());
        }
    }
    Ok(())
}

/// Whether a program is on PATH (or, for a path with a slash, exists).
pub fn on_path(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).is_file();
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).any(|d| d.join(program).is_file())
}
