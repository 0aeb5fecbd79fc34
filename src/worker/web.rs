//! The gloo-worker glue: the Web Worker that runs [`WorkerState`](super::WorkerState).

use super::{Request, Response, WorkerState};
use gloo_worker::{HandlerId, Worker, WorkerScope};

/// The engine worker. Trunk builds it from `src/bin/worker.rs` as a no-modules worker script
/// (`worker.js`); the page spawns it with `.as_module(false).spawn("./worker.js")`.
pub struct EngineWorker {
    state: WorkerState,
}

impl Worker for EngineWorker {
    type Message = ();
    type Input = Request;
    type Output = Response;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        Self {
            state: WorkerState::default(),
        }
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, id: HandlerId) {
        self.state
            .handle(msg, &mut |response| scope.respond(id, response));
    }
}
