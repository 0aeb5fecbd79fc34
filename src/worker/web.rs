//! The gloo-worker glue: the Web Worker that runs [`WorkerState`](super::WorkerState).

use super::{Request, Response, WorkerState};
use gloo_worker::{HandlerId, Worker, WorkerScope};

/// The engine worker. Trunk builds it from `src/bin/worker.rs` as a no-modules worker script
/// (`worker.js`); the page spawns it with `.as_module(false).spawn("./worker.js")`.
pub struct EngineWorker {
    state: WorkerState,
}

impl Worker for EngineWorker {
    /// A request to handle later, with the bridge to answer (decoded images come back this way).
    type Message = (HandlerId, Request);
    type Input = Request;
    type Output = Response;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        Self {
            state: WorkerState::default(),
        }
    }

    fn update(&mut self, scope: &WorkerScope<Self>, (id, msg): Self::Message) {
        self.state
            .handle(msg, &mut |response| scope.respond(id, response));
    }

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, id: HandlerId) {
        if let Request::OpenImages {
            name,
            classes,
            seed,
        } = msg
        {
            let (files, progress) = (self.state.take_uploads(), scope.clone());
            let future = super::images::decode_all(name, files, classes, seed, move |p| {
                progress.respond(id, p)
            });
            let scope = scope.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let request = future.await;
                scope.send_message((id, request));
            });
            return;
        }
        self.state
            .handle(msg, &mut |response| scope.respond(id, response));
    }
}
