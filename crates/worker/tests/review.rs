//! Native tests of the label review queue ([`worker::Request::Review`]): a person's deliberate
//! slips come first, and fixing them (a relabel through the one path) empties the flags.

use engine::session::Event;
use worker::{Request, Response, ReviewView, RoundView, WorkerState};

mod common;
use common::{label, respond, IRIS};

fn last_round(responses: Vec<Response>) -> RoundView {
    responses
        .into_iter()
        .rev()
        .find_map(|r| match r {
            Response::Round(view) => Some(view),
            _ => None,
        })
        .expect("a round")
}

fn review(state: &mut WorkerState) -> ReviewView {
    respond(state, Request::Review)
        .into_iter()
        .find_map(|r| match r {
            Response::Review(view) => Some(view),
            _ => None,
        })
        .expect("a review")
}

/// Label `n` rounds of Iris with the known labels, except at `wrong` rounds, where a slip across
/// the setosa border is made (setosa as virginica, the others as setosa); the rows labeled wrongly.
fn label_with_slips(state: &mut WorkerState, n: usize, wrong: &[usize]) -> Vec<usize> {
    let open = Request::Open {
        name: "iris.csv".into(),
        csv: IRIS.to_vec(),
        seed: 42,
    };
    let mut view = last_round(respond(state, open));
    let mut slips = Vec::new();
    for i in 0..n {
        let q = view.query.clone().unwrap();
        let known = q.known_label.unwrap();
        let class = if wrong.contains(&i) {
            slips.push(q.row);
            if known == 0 {
                2
            } else {
                0
            }
        } else {
            known
        };
        view = last_round(respond(state, label(q.row, class)));
    }
    slips
}

#[test]
fn the_review_puts_deliberate_slips_first_and_a_relabel_fixes_them() {
    let mut state = WorkerState::default();
    let slips = label_with_slips(&mut state, 20, &[1, 4, 7]);
    let queue = review(&mut state);
    assert_eq!(queue.note, None);
    assert_eq!(
        queue.items.len(),
        20,
        "the 20 answers (the demo's seed labels are fixed)"
    );
    let top: Vec<usize> = queue.items.iter().take(3).map(|i| i.row).collect();
    for row in &slips {
        assert!(
            top.contains(row),
            "slip {row} among the first three: {:?}",
            &queue.items[..5]
        );
    }
    // Ranked by disagreement; the flag (off the confident joint's diagonal) may miss a slip
    // whose class threshold other slips pulled down, so it is shown beside the rank.
    for item in queue.items.iter().filter(|i| slips.contains(&i.row)) {
        assert_ne!(item.suggested, item.given);
    }
    assert!(queue.items[0].flagged);
    // Change each slip to the model's preferred class: the one path of every answer.
    for item in queue.items.iter().filter(|i| slips.contains(&i.row)) {
        let event = Event::Relabel {
            row: item.row,
            class: item.suggested,
        };
        let out = respond(&mut state, Request::Apply { event });
        assert!(out.iter().any(|r| matches!(r, Response::Round(_))));
    }
    let after = review(&mut state);
    for item in after.items.iter().filter(|i| slips.contains(&i.row)) {
        assert_eq!(item.given, item.suggested, "the slip is fixed: {item:?}");
    }
}

#[test]
fn a_review_with_too_few_labels_says_why() {
    let mut state = WorkerState::default();
    label_with_slips(&mut state, 0, &[]);
    let queue = review(&mut state);
    assert!(queue.items.is_empty() || queue.note.is_none());
    if queue.items.is_empty() {
        assert!(queue.note.unwrap().contains("cannot be reviewed yet"));
    }
}
