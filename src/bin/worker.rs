//! The Web Worker entry: register the engine worker, nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    use gloo_worker::Registrable;
    console_error_panic_hook::set_once();
    activelab::worker::web::EngineWorker::registrar().register();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The activelab worker runs inside the browser; build it with `cargo xtask serve`.");
}
