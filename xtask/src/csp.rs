//! `cargo xtask csp [FILE]`: put the SHA-256 hashes of every inline `<script>` of a built
//! `index.html` into the `script-src` of its Content-Security-Policy `<meta>`.
//!
//! Trunk writes the app's loader as an inline `<script type="module">` (and, under `trunk serve`,
//! an inline autoreload script), so the hashes can only be known after the build. Trunk.toml runs
//! this as a `post_build` hook, on `$TRUNK_STAGING_DIR/index.html`, for `trunk build` and
//! `trunk serve` alike (it runs after Trunk has written the final HTML). Without `FILE` and without
//! `$TRUNK_STAGING_DIR` it fixes `dist/index.html`.
//!
//! The rules:
//! - `index.html` must carry `<meta http-equiv="Content-Security-Policy" content="…">` with a
//!   `script-src` directive; old `'sha256-…'` sources and the `'inline-script-hashes'`
//!   placeholder are replaced by the current hashes (so running it twice changes nothing);
//! - the text hashed is exactly the script element's text (CR LF and CR read as LF, as the HTML
//!   parser does);
//! - Trunk's autoreload script has two placeholders `trunk serve` fills in per request (the host
//!   and the WebSocket base), which would change its hash; they are filled in here instead, with
//!   what Trunk itself would use in the browser: `window.location.host` and the public URL;
//! - an inline `<style>` element or `style="…"` attribute is an error: `style-src 'self'` would
//!   block it.
//!
//! std only: SHA-256 and base64 are written out below (checked against the FIPS 180-2 vectors).

use std::path::PathBuf;
use std::process::ExitCode;

/// The placeholder `index.html` keeps in `script-src` until the hashes are known.
pub const PLACEHOLDER: &str = "'inline-script-hashes'";

/// `cargo xtask csp [FILE]`
pub fn csp(root: &std::path::Path, args: &[String]) -> Result<ExitCode, String> {
    let file = match args {
        [] => match std::env::var_os("TRUNK_STAGING_DIR") {
            Some(dir) => PathBuf::from(dir).join("index.html"),
            None => root.join("dist").join("index.html"),
        },
        [file] if !file.starts_with('-') => PathBuf::from(file),
        _ => return Err("usage: cargo xtask csp [FILE]".into()),
    };
    let html = std::fs::read_to_string(&file)
        .map_err(|e| format!("csp: reading {}: {e}", file.display()))?;
    let ws_base = std::env::var("TRUNK_PUBLIC_URL").unwrap_or_else(|_| "/".into());
    let (out, hashes) = apply(&html, &ws_base)?;
    if out != html {
        std::fs::write(&file, &out).map_err(|e| format!("csp: writing {}: {e}", file.display()))?;
    }
    println!(
        "xtask: csp: {} inline script(s) hashed into {}",
        hashes.len(),
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The HTML with Trunk's serve placeholders filled in and the policy's `script-src` listing the
/// hash of every inline script; and those hashes.
pub fn apply(html: &str, ws_base: &str) -> Result<(String, Vec<String>), String> {
    let mut ws_base = ws_base.to_string();
    if !ws_base.ends_with('/') {
        ws_base.push('/');
    }
    // Fill in what `trunk serve` would fill in per request (see the module docs).
    let html = html
        .replace("'{{__TRUNK_ADDRESS__}}'", "window.location.host")
        .replace("`{{__TRUNK_ADDRESS__}}`", "window.location.host")
        .replace("{{__TRUNK_WS_BASE__}}", &ws_base);
    let lower = html.to_ascii_lowercase();
    if let Some(at) = find_style(&lower) {
        return Err(format!(
            "csp: index.html has an inline style ({}…): style-src 'self' would block it; move it to style/",
            &html[at..html.len().min(at + 40)]
        ));
    }
    let hashes: Vec<String> = inline_scripts(&html, &lower)
        .into_iter()
        .map(|text| {
            let text = text.replace("\r\n", "\n").replace('\r', "\n");
            format!("'sha256-{}'", base64(&sha256(text.as_bytes())))
        })
        .collect();

    // The policy's content attribute.
    let meta = lower
        .find("http-equiv=\"content-security-policy\"")
        .ok_or("csp: index.html has no <meta http-equiv=\"Content-Security-Policy\">")?;
    let tag_start = lower[..meta].rfind('<').ok_or("csp: malformed <meta>")?;
    let tag_end = tag_start
        + lower[tag_start..]
            .find('>')
            .ok_or("csp: malformed <meta>")?;
    let content_key = "content=\"";
    let content_start = tag_start
        + lower[tag_start..tag_end]
            .find(content_key)
            .ok_or("csp: the policy <meta> has no content=\"…\"")?
        + content_key.len();
    let content_end = content_start
        + html[content_start..tag_end]
            .find('"')
            .ok_or("csp: the policy's content is not closed")?;
    let policy = &html[content_start..content_end];
    let mut found = false;
    let directives: Vec<String> = policy
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|directive| {
            let mut words: Vec<&str> = directive.split_ascii_whitespace().collect();
            if words.first() != Some(&"script-src") {
                return directive.to_string();
            }
            found = true;
            words.retain(|w| *w != PLACEHOLDER && !w.starts_with("'sha256-"));
            let mut out = words.join(" ");
            for hash in &hashes {
                out.push(' ');
                out.push_str(hash);
            }
            out
        })
        .collect();
    if !found {
        return Err("csp: the policy has no script-src directive".into());
    }
    let mut out = String::with_capacity(html.len() + 200);
    out.push_str(&html[..content_start]);
    out.push_str(&directives.join("; "));
    out.push_str(&html[content_end..]);
    Ok((out, hashes))
}

/// The text of every `<script>` element without a `src` attribute.
fn inline_scripts<'a>(html: &'a str, lower: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| i + at) {
        let Some(tag_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|i| i + tag_end) else {
            break;
        };
        let tag = &lower[start..tag_end];
        let has_src = tag
            .split(|c: char| c.is_ascii_whitespace())
            .any(|attr| attr.starts_with("src="));
        if !has_src {
            out.push(&html[tag_end + 1..close]);
        }
        at = close + "</script".len();
    }
    out
}

/// Where an inline `<style>` element or a `style=` attribute starts, if any (outside scripts).
fn find_style(lower: &str) -> Option<usize> {
    let mut outside = String::with_capacity(lower.len());
    let mut at = 0;
    // Blank out script bodies (they may mention "style=" in JavaScript) keeping offsets.
    while let Some(start) = lower[at..].find("<script").map(|i| i + at) {
        outside.push_str(&lower[at..start]);
        let end = lower[start..]
            .find("</script")
            .map_or(lower.len(), |i| i + start);
        outside.push_str(&" ".repeat(end - start));
        at = end;
    }
    outside.push_str(&lower[at..]);
    outside.find("<style").or_else(|| outside.find(" style="))
}

/// SHA-256 of `data` (FIPS 180-4).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// Standard base64 with padding (RFC 4648), as CSP hash sources use.
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_and_base64_match_the_standard_vectors() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        // The CSP spec's own example: sha256 of `alert('Hello, world.');`.
        assert_eq!(
            base64(&sha256(b"alert('Hello, world.');")),
            "qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng="
        );
    }

    #[test]
    fn inline_scripts_are_hashed_into_script_src() {
        let html = "<html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'inline-script-hashes'; object-src 'none'\" />\n<script type=\"module\">alert('Hello, world.');</script><script src=\"./x.js\"></script></head><body><script>\nconst address = '{{__TRUNK_ADDRESS__}}'; const base = '{{__TRUNK_WS_BASE__}}';\n</script></body></html>";
        let (out, hashes) = apply(html, "/").unwrap();
        assert_eq!(hashes.len(), 2);
        assert_eq!(
            hashes[0],
            "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
        );
        assert!(out.contains(&format!(
            "content=\"default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {} {}; object-src 'none'\"",
            hashes[0], hashes[1]
        )));
        assert!(out.contains("const address = window.location.host; const base = '/';"));
        // Idempotent.
        let (again, _) = apply(&out, "/").unwrap();
        assert_eq!(again, out);
        // Refusals.
        assert!(apply("<html><script>x</script></html>", "/")
            .unwrap_err()
            .contains("no <meta"));
        let styled = html.replace("<body>", "<body><div style=\"color: red\"></div>");
        assert!(apply(&styled, "/").unwrap_err().contains("inline style"));
    }
}
