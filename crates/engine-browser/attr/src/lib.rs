//! `#[test]` for the engine's unit tests when `crates/engine-browser` compiles them for the
//! browser: brought in with `#[macro_use]`, it shadows the standard library's `#[test]` in every
//! module, so the engine's source keeps plain `#[test]` and never names a web crate.

use proc_macro::TokenStream;

/// Marks the function as a wasm-bindgen-test (run by `wasm-bindgen-test-runner`).
#[proc_macro_attribute]
pub fn test(_args: TokenStream, item: TokenStream) -> TokenStream {
    let mut out: TokenStream = "#[::wasm_bindgen_test::wasm_bindgen_test]"
        .parse()
        .expect("a fixed attribute parses");
    out.extend(item);
    out
}
