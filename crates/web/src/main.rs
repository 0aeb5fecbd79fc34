//! The app entry: install the panic hook (error panel, see `ui::fault`) and mount the UI, nothing
//! else.

#[cfg(target_arch = "wasm32")]
fn main() {
    web::fault::install();
    web::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The activelab app runs in the browser: run `cargo xtask serve` and open the URL it prints.");
}
