//! The Web Worker entry: install the panic hook and register the engine worker, nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    use gloo_worker::Registrable;
    use worker::web::{
        is_task_worker, report_panic, report_uncaught_errors, Codec, EngineWorker, TaskWorker,
    };
    // A panic aborts the worker's wasm: log it, then tell the page (which shows its error panel).
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        report_panic(&info.to_string());
    }));
    report_uncaught_errors();
    if is_task_worker() {
        TaskWorker::registrar().encoding::<Codec>().register();
    } else {
        EngineWorker::registrar().encoding::<Codec>().register();
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The activelab worker runs inside the browser; build it with `cargo xtask serve`.");
}
