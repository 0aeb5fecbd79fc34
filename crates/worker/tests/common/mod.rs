//! Helpers shared by the worker's native tests: the Iris demo, and the worker driven one request
//! at a time.
// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use engine::data::import::{parse_csv, CsvOptions};
use engine::data::Dataset;
use engine::session::{Event, Origin};
use worker::{Request, Response, WorkerState};

/// The Iris demo as shipped.
pub const IRIS: &[u8] = include_bytes!("../../../../public/datasets/iris.csv");

/// The Iris demo, imported under `name`.
pub fn iris_named(name: &str) -> Dataset {
    parse_csv(IRIS, &CsvOptions::named(name)).expect("the bundled Iris CSV imports")
}

/// The Iris demo, imported.
pub fn iris() -> Dataset {
    iris_named("iris")
}

/// Every response the worker gives to `request`, in order.
pub fn respond(state: &mut WorkerState, request: Request) -> Vec<Response> {
    let mut out = Vec::new();
    state.handle(request, &mut |r| out.push(r));
    out
}

/// The person labels `row` as `class` (the one path every answer takes).
pub fn label(row: usize, class: usize) -> Request {
    Request::Apply {
        event: Event::Label {
            row,
            class,
            origin: Origin::User,
        },
    }
}

/// The person skips `row`.
pub fn skip(row: usize) -> Request {
    Request::Apply {
        event: Event::Skip { row },
    }
}

/// The person takes back the last label or skip.
pub fn undo() -> Request {
    Request::Apply { event: Event::Undo }
}

/// A public dataset no one here wrote, from the npm package the e2e tests install
/// (`vega-datasets`, pinned in tests/e2e/package-lock.json).
pub fn public(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/e2e/node_modules/vega-datasets/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: `cargo xtask test` installs it (or run `npm ci --prefix tests/e2e`)",
            path.display()
        )
    })
}
