//! The words that pushed the prediction are highlighted for every model: logistic regression by
//! its coefficients, the others by occlusion (drop a word, see the probabilities move).

use engine::data::text::TermMethod;
use engine::models::ModelKind;
use engine::names::Named;
use worker::{Request, Response, SampleView, Settings, WorkerState};

const FORTUNES: &[u8] = include_bytes!("../../../public/datasets/fortunes.csv");

mod common;
use common::respond as run;

/// The text, its weighed terms and the method, of the last round's sample.
type TextView = (String, Vec<(String, f64)>, TermMethod);

fn last_text_view(out: &[Response]) -> Option<TextView> {
    out.iter().rev().find_map(|r| match r {
        Response::Round(round) => round.query.as_ref().and_then(|q| match &q.display {
            SampleView::Text {
                text,
                terms,
                method,
                ..
            } => Some((
                text.clone(),
                terms.iter().map(|t| (t.term.clone(), t.weight)).collect(),
                *method,
            )),
            _ => None,
        }),
        _ => None,
    })
}

#[test]
fn every_model_highlights_words_and_says_how() {
    let mut state = WorkerState::default();
    let opened = run(
        &mut state,
        Request::Open {
            name: "Fortunes".into(),
            csv: FORTUNES.to_vec(),
            seed: 42,
        },
    );
    let settings = opened
        .iter()
        .find_map(|r| match r {
            Response::Opened(s) => Some(s.settings.clone()),
            _ => None,
        })
        .expect("the Fortunes demo opens");
    for &model in ModelKind::ALL {
        let out = run(
            &mut state,
            Request::Settings(Settings {
                model,
                ..settings.clone()
            }),
        );
        let (text, terms, method) =
            last_text_view(&out).unwrap_or_else(|| panic!("{model}: a text sample"));
        let want = if model == ModelKind::Logistic {
            TermMethod::Coefficients
        } else {
            TermMethod::Occlusion
        };
        assert_eq!(method, want, "{model}");
        assert!(!terms.is_empty(), "{model}: some word weighs in");
        assert!(terms.len() <= 10, "{model}");
        let lower = text.to_lowercase();
        for (term, weight) in &terms {
            assert!(lower.contains(term.as_str()), "{model}: {term} in {text}");
            assert!(
                weight.is_finite() && *weight != 0.0,
                "{model}: {term} {weight}"
            );
        }
    }
}
