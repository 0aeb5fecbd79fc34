//! What the page shows, as the worker computes it: the dataset's summary, the round, the sample on
//! screen and how to show it, the history and the baseline.

use crate::protocol::{HIGHLIGHT_TERMS, MAX_COMPARED_FEATURES};
use engine::data::scale::Standardizer;
use engine::data::text::{occlusion_weights, term_weights, TermMethod, TermWeight};
use engine::data::{ImportReport, RowDisplay, Thumbnail};
use engine::metrics::ProbeEstimate;
use engine::models::{FittedModel, ModelKind};
use engine::project::Settings;
use engine::session::{Origin, Session};
use engine::simulation::CurvePoint;
use serde::{Deserialize, Serialize};

/// What the import did, in sentences for the person.
pub fn report_lines(report: &ImportReport) -> Vec<String> {
    let mut lines = vec![format!(
        "{} rows read{}.",
        report.rows_read,
        if report.unlabeled_rows > 0 {
            format!(
                ", {} without a label (the pool to label)",
                report.unlabeled_rows
            )
        } else {
            String::new()
        }
    )];
    for c in &report.imputed {
        lines.push(format!(
            "Column '{}': {} missing cells filled with {}.",
            c.column, c.cells, c.value
        ));
    }
    if !report.dropped_constant.is_empty() {
        lines.push(format!(
            "Dropped {} constant column(s): {}.",
            report.dropped_constant.len(),
            report.dropped_constant.join(", ")
        ));
    }
    if !report.dropped_empty.is_empty() {
        lines.push(format!(
            "Dropped {} empty column(s): {}.",
            report.dropped_empty.len(),
            report.dropped_empty.join(", ")
        ));
    }
    if !report.one_hot.is_empty() {
        lines.push(format!(
            "{} categorical column(s) one-hot encoded.",
            report.one_hot.len()
        ));
    }
    if !report.ignored_columns.is_empty() {
        lines.push(format!(
            "Ignored column(s): {}.",
            report.ignored_columns.join(", ")
        ));
    }
    if let Some(text) = &report.text_column {
        lines.push(format!("Text column '{text}' turned into word features."));
    }
    if !report.skipped_files.is_empty() {
        let shown: Vec<String> = report
            .skipped_files
            .iter()
            .take(10)
            .map(|f| format!("{} ({})", f.path, f.reason))
            .collect();
        let more = report.skipped_files.len().saturating_sub(10);
        lines.push(format!(
            "Skipped {} file(s): {}{}.",
            report.skipped_files.len(),
            shown.join("; "),
            if more > 0 {
                format!("; and {more} more")
            } else {
                String::new()
            }
        ));
    }
    lines
}

/// The dataset as the page needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    pub name: String,
    pub n_rows: usize,
    pub n_pool: usize,
    pub n_test: usize,
    pub feature_names: Vec<String>,
    pub class_names: Vec<String>,
    /// Whether held-out test labels exist (else no test accuracy can be shown).
    pub has_test: bool,
    /// Every setting in effect, the strategy and the model among them.
    pub settings: Settings,
    /// What the import did, in sentences.
    pub report: Vec<String>,
}

/// The sample on screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryView {
    pub row: usize,
    /// Raw feature values, as in the file.
    pub features: Vec<f64>,
    /// The model's class probabilities.
    pub proba: Vec<f64>,
    /// The model's predicted class, as the engine breaks ties (the lowest index), so the page
    /// never derives it again with another rule.
    pub predicted: Option<usize>,
    /// The origin the person's label of this row gets (a probe carries the prediction it was
    /// asked with, which keeps the probe estimate unbiased).
    pub origin: Origin,
    /// The strategy's score (margin sampling: `1 − (p₁ − p₂)`); NaN for a pick of a batch shown
    /// again after a reload, which the refitted model did not score.
    pub score: f64,
    /// The file's own label for this row, for demos (never used by the model).
    pub known_label: Option<usize>,
    /// The row's id (the id column's value, the image's path, or its number).
    #[serde(default)]
    pub row_id: String,
    /// How to show the sample: table, text with highlights, or image.
    #[serde(default)]
    pub display: SampleView,
}

/// How a sample is shown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub enum SampleView {
    /// Nothing beyond the feature values.
    #[default]
    Plain,
    /// A table of feature values, with each class's mean over the labeled rows
    /// (`class_means[class][feature]`, `None` for a class with no label yet; empty when the
    /// dataset has more than [`MAX_COMPARED_FEATURES`] features).
    Table { class_means: Vec<Option<Vec<f64>>> },
    /// A text, with the terms that pushed the prediction toward the model's best guess
    /// (`toward.0`) rather than its second (`toward.1`): positive weights first.
    Text {
        text: String,
        terms: Vec<TermWeight>,
        toward: Option<(usize, usize)>,
        /// How the terms were weighed (coefficients for logistic regression, else occlusion).
        #[serde(default)]
        method: TermMethod,
    },
    /// An image's thumbnail and its path.
    Image { thumbnail: Thumbnail, path: String },
}

/// The state after a round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundView {
    pub n_labels: usize,
    pub test_accuracy: Option<f64>,
    /// The whole learning curve of this session so far.
    pub curve: Vec<CurvePoint>,
    pub query: Option<QueryView>,
    /// Whether an undo would take something back.
    pub can_undo: bool,
    /// Rows skipped so far.
    pub skipped: usize,
    /// The labels in effect, in the order they were given (for the history panel).
    pub history: Vec<HistoryItem>,
    /// The query is a probe: a uniformly random row, not the strategy's pick.
    pub probe: bool,
    /// The unbiased accuracy estimate from the probes answered so far.
    pub probe_estimate: Option<ProbeEstimate>,
    /// Every pick of the batch not answered yet, `query` first (batch mode shows them as a
    /// grid); answered before the next fit.
    pub batch: Vec<QueryView>,
    /// A [`Response::Insight`] for this round comes next. It is sent after the round, not in it,
    /// so that the page can show the sample while the insight is computed and decoded.
    pub insight_follows: bool,
}

/// One label in effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryItem {
    pub row: usize,
    /// The row's id in the file.
    pub id: String,
    pub class: usize,
    /// Given by the person (not a demo's seed label).
    pub by_user: bool,
    /// Changed after it was first given.
    pub relabeled: bool,
}

/// The random-sampling baseline, as far as it has run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineView {
    pub strategy: String,
    /// Runs finished (the curve is their mean).
    pub runs: u64,
    pub curve: Vec<CurvePoint>,
    /// Pool rows the runs drew from (all of the pool, or a sample of a large one).
    pub pool_rows: usize,
    /// Test rows the runs were scored on (all, or a sample).
    pub test_rows: usize,
}

/// What the page shows of a session's dataset and settings.
pub(crate) fn summary(session: &Session) -> DatasetSummary {
    let config = session.config();
    let data = session.data();
    DatasetSummary {
        name: data.name.clone(),
        n_rows: data.n_rows(),
        n_pool: session.split().pool.len(),
        n_test: session.split().test.len(),
        feature_names: data.feature_names.clone(),
        class_names: session.class_names().to_vec(),
        has_test: !session.split().test.is_empty(),
        // Every session the worker opens comes from named settings; a configuration no name
        // holds still shows its strategy and model by kind.
        settings: Settings::from_config(config).unwrap_or_else(|_| {
            Settings::named(
                config.strategy.kind(),
                config.model.kind().unwrap_or(ModelKind::Logistic),
                config,
            )
        }),
        report: report_lines(&data.report),
    }
}

/// The pool's feature scales of a text dataset (for the highlighted words), else empty.
pub(crate) fn text_scale(session: &Session) -> Vec<f64> {
    match session.data().display {
        RowDisplay::Texts { .. } => {
            Standardizer::fit(session.data().features.view(), &session.split().pool)
                .scale
                .to_vec()
        }
        _ => Vec::new(),
    }
}

/// The two classes with the highest probabilities, best first.
fn top_two(proba: &[f64]) -> Option<(usize, usize)> {
    let mut ranked: Vec<(usize, f64)> = proba.iter().copied().enumerate().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Some((ranked.first()?.0, ranked.get(1)?.0))
}

/// How to show one row (see [`SampleView`]).
pub fn sample_view(session: &Session, scale: &[f64], row: usize, proba: &[f64]) -> SampleView {
    let data = session.data();
    match &data.display {
        RowDisplay::Texts { column, texts } => {
            let toward = top_two(proba);
            let (terms, method) = match (session.model(), toward) {
                (Some(FittedModel::Logistic(m)), Some((a, b)))
                    if a < m.coef.nrows() && b < m.coef.nrows() =>
                {
                    let terms = term_weights(
                        &data.feature_names,
                        column,
                        &data.row(row),
                        scale,
                        &m.coef.row(a).to_vec(),
                        &m.coef.row(b).to_vec(),
                        HIGHLIGHT_TERMS,
                    );
                    (terms, TermMethod::Coefficients)
                }
                (Some(model), Some((a, b))) => {
                    let predict = |x: &[f64]| {
                        let raw = ndarray::ArrayView2::from_shape((1, x.len()), x);
                        raw.map(|raw| {
                            let z = session.standardizer().transform(raw);
                            // Naive Bayes's probabilities saturate at 0 and 1 on text: its
                            // log-likelihoods still move when a word is taken out.
                            let p = match model {
                                FittedModel::GaussianNb(nb) => nb.joint_log_likelihood(z.view()),
                                m => engine::models::Classifier::predict_proba(m, z.view()),
                            };
                            p.outer_iter()
                                .next()
                                .map(|r| r.to_vec())
                                .unwrap_or_default()
                        })
                        .unwrap_or_default()
                    };
                    let terms = occlusion_weights(
                        &data.feature_names,
                        column,
                        &data.row(row),
                        a,
                        b,
                        predict,
                        HIGHLIGHT_TERMS,
                    );
                    (terms, TermMethod::Occlusion)
                }
                _ => (Vec::new(), TermMethod::default()),
            };
            SampleView::Text {
                text: texts.get(row).cloned().unwrap_or_default(),
                terms,
                toward,
                method,
            }
        }
        RowDisplay::Images { thumbnails, paths } => match thumbnails.get(row) {
            Some(thumbnail) => SampleView::Image {
                thumbnail: thumbnail.clone(),
                path: paths.get(row).cloned().unwrap_or_default(),
            },
            None => SampleView::Plain,
        },
        RowDisplay::Table => SampleView::Table {
            class_means: if data.n_features() <= MAX_COMPARED_FEATURES {
                data.class_means(session.labels())
            } else {
                Vec::new()
            },
        },
    }
}

/// The person's labels ranked for review ([`crate::Request::Review`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewView {
    /// Most likely wrong first.
    pub items: Vec<ReviewItem>,
    /// Why there is nothing to review, when there is not.
    pub note: Option<String>,
}

/// One labeled row as the review sees it ([`engine::review::Suspect`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub row: usize,
    pub row_id: String,
    /// Raw feature values, as in the file.
    pub features: Vec<f64>,
    /// The label the person gave.
    pub given: usize,
    /// The class the out-of-fold model finds most likely.
    pub suggested: usize,
    /// The out-of-fold probability of the given label.
    pub self_confidence: f64,
    /// `max_{j≠given} p_j − p_given`: higher = the model disagrees more.
    pub score: f64,
    /// Another class clears its confident-learning threshold.
    pub flagged: bool,
}
