//! `Project::from_json` on arbitrary bytes: never a panic; a project it accepts writes back to
//! JSON that reads as the same project, and restoring it on Iris either works or is refused.
#![no_main]

use engine::data::import::{parse_csv, CsvOptions};
use engine::project::Project;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn iris() -> &'static engine::data::Dataset {
    static IRIS: OnceLock<engine::data::Dataset> = OnceLock::new();
    IRIS.get_or_init(|| {
        parse_csv(
            include_bytes!("../../public/datasets/iris.csv"),
            &CsvOptions::named("iris.csv"),
        )
        .expect("the bundled Iris CSV imports")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(project) = Project::from_json(data) else {
        return;
    };
    let json = project.to_json();
    let again = Project::from_json(json.as_bytes()).expect("a project's own JSON reads back");
    assert_eq!(again, project);
    let in_range = project.check_against(150, 3).is_ok();
    // Keep each run fast: replay short logs only.
    if project.events.len() <= 200 {
        let restored = project.replay_into(iris().clone());
        assert!(
            in_range || restored.is_err(),
            "out-of-range events replayed"
        );
        if let Ok(mut session) = restored {
            assert_eq!(session.log(), project.events.as_slice());
            let _ = session.round();
        }
    }
    if let Ok(d) = project.dataset(None) {
        if d.n_rows() <= 200 && d.n_features() <= 200 && project.events.len() <= 200 {
            let _ = project.replay_into(d);
        }
    }
});
