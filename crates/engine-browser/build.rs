//! Marks this build of the engine's source as the browser one: its `lib.rs` then takes `#[test]`
//! from `activelab-browser-test` (wasm-bindgen-test's attribute) instead of the standard library.
fn main() {
    println!("cargo::rustc-cfg=engine_in_browser");
}
