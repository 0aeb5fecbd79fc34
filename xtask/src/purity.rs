//! The engine-purity check: nothing under `src/engine` may name a web crate.
//!
//! `src/engine` must build and test natively, so it may not mention `leptos`, `web_sys`,
//! `js_sys`, `wasm_bindgen` or `gloo` as a word (a Rust identifier), nor the crates that extend
//! them (`leptos_*`, `wasm_bindgen_*`, `gloo_*`), nor their hyphenated crate names
//! (`web-sys`, `gloo-worker`, ...). Comments count too: the check is a plain text scan.

use std::path::{Path, PathBuf};

const WORDS: [&str; 5] = ["leptos", "web_sys", "js_sys", "wasm_bindgen", "gloo"];
const PREFIXES: [&str; 3] = ["leptos_", "wasm_bindgen_", "gloo_"];

/// Every offending line under `dir`, as `file:line: text`.
pub fn scan(root: &Path, dir: &Path) -> Result<Vec<String>, String> {
    let mut files = Vec::new();
    crate::util::walk(dir, &mut files).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    files.sort();
    let mut hits = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).map_err(|e| format!("reading {}: {e}", file.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        for (i, line) in text.lines().enumerate() {
            if let Some(word) = offending_word(line) {
                hits.push(format!(
                    "{}:{}: `{word}`: {}",
                    relative(root, file).display(),
                    i + 1,
                    line.trim()
                ));
            }
        }
    }
    Ok(hits)
}

fn relative(root: &Path, file: &Path) -> PathBuf {
    file.strip_prefix(root).unwrap_or(file).to_path_buf()
}

fn forbidden(token: &str) -> bool {
    WORDS.contains(&token) || PREFIXES.iter().any(|p| token.starts_with(p))
}

/// The first forbidden word on a line, if any.
fn offending_word(line: &str) -> Option<String> {
    // Identifiers: `web_sys::window`, `use leptos::prelude::*`, `gloo_worker`.
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    if let Some(token) = line.split(|c: char| !ident(c)).find(|t| forbidden(t)) {
        return Some(token.to_string());
    }
    // Crate names as Cargo spells them: `web-sys`, `wasm-bindgen-futures`, `gloo-worker`.
    line.split(|c: char| !(ident(c) || c == '-'))
        .filter(|t| t.contains('-'))
        .find(|t| forbidden(&t.replace('-', "_")))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::offending_word;

    #[test]
    fn catches_web_crates_as_words() {
        for line in [
            "use leptos::prelude::*;",
            "let w = web_sys::window();",
            "// see js_sys",
            "#[wasm_bindgen]",
            "use gloo_worker::Spawnable;",
            "wasm_bindgen_futures::spawn_local(f);",
            "/// needs the `web-sys` crate",
            "gloo-worker = \"0.6\"",
        ] {
            assert!(offending_word(line).is_some(), "{line}");
        }
    }

    #[test]
    fn ignores_other_words() {
        for line in [
            "let leptosish = 1;",
            "fn my_web_sys() {}",
            "// Leptos is the UI framework (capitalised prose is fine)",
            "let glooms = 2;",
            "use crate::engine::session::Session;",
        ] {
            assert_eq!(offending_word(line), None, "{line}");
        }
    }
}
