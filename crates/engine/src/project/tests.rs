//! Projects refused, checked and restored.

use super::*;
use crate::session::SessionConfig;
use crate::testing::{bundled_csv, iris};

fn project(events: Vec<Event>) -> Project {
    Project {
        format: FORMAT.into(),
        version: VERSION,
        app_version: "0.1.0".into(),
        name: "iris".into(),
        created_ms: 1,
        updated_ms: 2,
        source: Source::embedded("iris.csv", bundled_csv("iris").to_vec()),
        import: ImportSettings::tabular(),
        settings: Settings::from_config(&SessionConfig::default()).unwrap(),
        events,
    }
}

#[test]
fn refusals_carry_their_numbers() {
    let json = project(Vec::new()).to_json();
    let err = |text: &str| Project::from_json(text.as_bytes()).unwrap_err();
    assert_eq!(
        err(&json.replacen("\"version\":1", "\"version\":0", 1)),
        ProjectError::OlderVersion {
            version: 0,
            supported: 1
        }
    );
    assert!(matches!(
        err(&json.replacen("\"version\":1", "\"version\":-1", 1)),
        ProjectError::BadVersion { .. }
    ));
    assert_eq!(err("[1, 2]"), ProjectError::MissingFormat);
    assert_eq!(
        err("{\"format\": \"zip\"}"),
        ProjectError::WrongFormat {
            found: "\"zip\"".into()
        }
    );
    assert!(matches!(
        err("{\n\"format\": }"),
        ProjectError::NotJson {
            line: 2,
            column: 11,
            ..
        }
    ));
    assert!(matches!(
        err(&json.replacen("\"name\":\"iris\",", "", 1)),
        ProjectError::BadField { .. }
    ));
    assert!(matches!(
        err(&json.replacen("\"bytes\":\"", "\"bytes\":\"*", 1)),
        ProjectError::BadBase64 { .. }
    ));
    assert!(matches!(
        err(&json.replacen("\"bytes\":\"", "\"bytes\":\"AAAA", 1)),
        ProjectError::FingerprintMismatch { .. }
    ));
    // An unknown name is refused where it stands, with the names there are.
    assert!(matches!(
        err(&json.replacen("\"margin\"", "\"psychic\"", 1)),
        ProjectError::BadField { message, .. }
            if message.starts_with("unknown strategy 'psychic': the strategies are random, ")
    ));
    assert!(matches!(
        err(&json.replacen("\"logistic\"", "\"svm\"", 1)),
        ProjectError::BadField { message, .. }
            if message.starts_with("unknown model 'svm': the models are logistic, naive_bayes")
    ));
    assert!(matches!(
        err(&json.replacen("\"probe_share\":0.0", "\"probe_share\":0.7", 1)),
        ProjectError::Settings(SessionError::BadProbeShare { .. })
    ));
    assert!(matches!(
        err(&json.replacen("\"test_fraction\":0.3", "\"test_fraction\":1.0", 1)),
        ProjectError::Settings(_)
    ));
    assert!(matches!(
        err(&json.replacen("\"file_name\":\"iris.csv\"", "\"file_name\":\"\"", 1)),
        ProjectError::BadText { .. }
    ));
}

#[test]
fn events_out_of_range_are_refused_before_replay() {
    let data = iris();
    let p = project(vec![
        Event::AddClass {
            name: "hybrid".into(),
        },
        Event::Label {
            row: 3,
            class: 3,
            origin: Origin::Probe { predicted: 3 },
        },
    ]);
    p.check_against(150, 3).unwrap();
    p.replay_into(data.clone()).map(|_| ()).unwrap_or_else(|e| {
        // Row 3 may be in the test split: then it is the replay that refuses it.
        assert!(
            matches!(
                e,
                ProjectError::Session(SessionError::BadLogEvent { index: 1, .. })
            ),
            "{e}"
        );
    });
    let p = project(vec![Event::Label {
        row: 3,
        class: 3,
        origin: Origin::User,
    }]);
    assert!(matches!(
        p.check_against(150, 3),
        Err(ProjectError::EventOutOfRange { index: 0, .. })
    ));
    let p = project(vec![Event::Skip { row: 1_000 }]);
    assert!(matches!(
        p.replay_into(data),
        Err(ProjectError::EventOutOfRange { .. })
    ));
}
