//! Oracle-driven runs: replay the labeling loop with the dataset's known labels and record the
//! learning curve.

use crate::engine::data::Dataset;
use crate::engine::session::{Event, Origin, Session, SessionConfig, SessionError};
use serde::{Deserialize, Serialize};

/// Test accuracy after a number of labels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Labels the model was fitted on.
    pub n_labels: usize,
    /// Accuracy on the test split.
    pub accuracy: f64,
}

/// One simulated run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// Rows in the order they were labeled (seed labels first).
    pub order: Vec<usize>,
    /// One point per round.
    pub curve: Vec<CurvePoint>,
}

/// Label with the known labels until `budget` labels (seed labels included) or the pool runs out.
///
/// ```
/// use activelab::engine::data::import::{parse_csv, CsvOptions};
/// use activelab::engine::session::SessionConfig;
/// let csv = "a,y\n0,n\n0.1,n\n0.2,n\n0.3,n\n1,p\n1.1,p\n1.2,p\n1.3,p\n";
/// let data = parse_csv(csv.as_bytes(), &CsvOptions::named("toy")).unwrap();
/// let run = activelab::engine::simulation::run_with_oracle(&data, SessionConfig::default(), 4).unwrap();
/// assert_eq!(run.order.len(), 4);
/// assert_eq!(run.curve.first().map(|p| p.n_labels), Some(2));
/// ```
pub fn run_with_oracle(
    data: &Dataset,
    config: SessionConfig,
    budget: usize,
) -> Result<Run, SessionError> {
    let mut session = Session::new(data.clone(), config)?;
    session.seed_one_per_class()?;
    let mut curve = Vec::new();
    loop {
        let round = session.round()?;
        if let Some(accuracy) = round.test_accuracy {
            curve.push(CurvePoint {
                n_labels: round.n_labels,
                accuracy,
            });
        }
        let Some(query) = round.query else { break };
        if round.n_labels >= budget {
            break;
        }
        let Some(class) = data.known_labels[query.row] else {
            break; // the oracle cannot answer an unlabeled row
        };
        session.apply(Event::Label {
            row: query.row,
            class,
            origin: Origin::Oracle,
        })?;
    }
    let order = session
        .log()
        .iter()
        .map(|e| match *e {
            Event::Label { row, .. } => row,
        })
        .collect();
    Ok(Run { order, curve })
}

/// The pointwise mean of curves that share their label counts (shorter curves end the mean).
pub fn mean_curve(runs: &[Run]) -> Vec<CurvePoint> {
    let len = runs.iter().map(|r| r.curve.len()).min().unwrap_or(0);
    (0..len)
        .map(|i| CurvePoint {
            n_labels: runs[0].curve[i].n_labels,
            accuracy: runs.iter().map(|r| r.curve[i].accuracy).sum::<f64>() / runs.len() as f64,
        })
        .collect()
}
