//! Export: the labels and the trained model, in files other tools read.
//!
//! | function | what | format |
//! |---|---|---|
//! | [`labels_csv`] | the original table with one more column holding each row's label | CSV/TSV, the original's delimiter |
//! | [`labels_jsonl`] | one JSON object per labeled row: id, row, label, origin | JSON Lines |
//! | [`model_json`] | the fitted model's parameters (logistic, naive Bayes, neural network) | JSON |
//!
//! **The labels CSV** re-reads the original bytes with the delimiter and header decision the
//! import made (taken from its [`ImportReport`]), skips the lines the import skipped (lines whose
//! cells are all blank), and maps the `i`-th remaining data record to dataset row `i`. Every
//! original cell is written back as it was (quoted where needed; line ends become `\n`), followed
//! by the label column: the class name for labeled rows, empty for the others. The label column
//! is named `label`; if the file already has a column of that name (its own label column, say)
//! it is `label_activelab`, then `label_activelab_2`, … A file without a header gets no header.
//!
//! **Formula injection** (OWASP "CSV injection"): a spreadsheet runs a cell starting with `=`,
//! `+`, `-`, `@`, tab or carriage return as a formula. Every exported cell (header, original
//! cells, labels) starting with one of those is prefixed with `'`, **unless** the whole cell is a
//! plain number: an optional sign, digits with at most one decimal point (or decimal comma in
//! `;`-separated files), and an optional exponent (`-1.5`, `+3`, `-2e-4` stay numbers;
//! `-1+2`, `=1`, `-`, `@sum` get the quote).

use crate::data::ImportReport;
use crate::models::{Classifier, FittedModel};
use crate::session::{Origin, Session};
use csv::{ByteRecord, ReaderBuilder, Terminator, WriterBuilder};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything that can go wrong while exporting.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum ExportError {
    /// The data did not come from a CSV/TSV file.
    #[error("the data was not read from a CSV or TSV file (it came from JSON Lines or images): export the labels as JSON Lines instead")]
    NotCsv,
    /// The original bytes are not UTF-8 (the import would have refused them).
    #[error("line {line}: the original file is not UTF-8 text: is it the file the data was imported from?")]
    NotUtf8 { line: u64 },
    /// The CSV reader failed.
    #[error("line {line}: the original file could not be read again ({message})")]
    Csv { line: u64, message: String },
    /// The original file has another number of data rows than the dataset.
    #[error("the original file has {found} data rows but the dataset has {expected}: is it the file the data was imported from?")]
    RowCount { expected: usize, found: usize },
    /// A label for a row that does not exist.
    #[error("row {row} has a label but the dataset has only {n_rows} rows")]
    RowOutOfRange { row: usize, n_rows: usize },
    /// No model has been fitted yet.
    #[error("there is no trained model yet: label a few rows first")]
    NoModel,
    /// A model kind whose parameters mean nothing outside the app.
    #[error("the {model} model cannot be exported: {reason}")]
    NotExportable { model: String, reason: String },
}

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `cell` is an optional sign, digits with at most one decimal mark (`.`, or `,` when
/// `decimal_comma`), and an optional exponent, with at least one digit before the exponent.
fn is_plain_number(cell: &str, decimal_comma: bool) -> bool {
    let b = cell.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let mut digits = 0;
    let mut mark = false;
    while let Some(&c) = b.get(i) {
        if c.is_ascii_digit() {
            digits += 1;
        } else if (c == b'.' || (decimal_comma && c == b',')) && !mark {
            mark = true;
        } else {
            break;
        }
        i += 1;
    }
    if digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

/// A cell made safe for spreadsheets (see the module docs for the rule).
///
/// ```
/// use engine::export::neutralize;
/// assert_eq!(neutralize("=HYPERLINK(\"x\")", false), "'=HYPERLINK(\"x\")");
/// assert_eq!(neutralize("-1.5", false), "-1.5");
/// assert_eq!(neutralize("-1+2", false), "'-1+2");
/// assert_eq!(neutralize("-1,5", true), "-1,5");
/// assert_eq!(neutralize("setosa", false), "setosa");
/// ```
pub fn neutralize(cell: &str, decimal_comma: bool) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) && !is_plain_number(cell, decimal_comma) => {
            format!("'{cell}").into()
        }
        _ => cell.into(),
    }
}

/// The class name of every labeled row of a session (relabels applied).
pub fn label_names(session: &Session) -> BTreeMap<usize, String> {
    let names = session.class_names();
    session
        .labels()
        .into_iter()
        .map(|(row, class)| (row, names.get(class).cloned().unwrap_or_default()))
        .collect()
}

/// The name of the exported label column: `label`, or `label_activelab`, `label_activelab_2`, …
/// when the header already has it.
fn label_column_name(header: &[String]) -> String {
    let taken = |name: &str| header.iter().any(|h| h.trim() == name);
    if !taken("label") {
        return "label".to_string();
    }
    let mut name = "label_activelab".to_string();
    let mut k = 2;
    while taken(&name) {
        name = format!("label_activelab_{k}");
        k += 1;
    }
    name
}

/// The original table with a label column added (see the module docs): `original` is the file
/// the data was imported from, `report` the import's [`ImportReport`] (its delimiter, header
/// decision and row count), `labels` the class name of each labeled dataset row (see
/// [`label_names`]).
///
/// ```
/// use std::collections::BTreeMap;
/// use engine::data::import::{parse_csv, CsvOptions};
/// use engine::export::labels_csv;
/// let file = b"text,x\nhello,1\n=cmd,2\n";
/// let data = parse_csv(file, &CsvOptions { label_column: Some("text".into()), ..CsvOptions::named("f") }).unwrap();
/// let labels = BTreeMap::from([(1, "spam".to_string())]);
/// let csv = labels_csv(file, &data.report, &labels).unwrap();
/// assert_eq!(csv, "text,x,label\nhello,1,\n'=cmd,2,spam\n");
/// ```
pub fn labels_csv(
    original: &[u8],
    report: &ImportReport,
    labels: &BTreeMap<usize, String>,
) -> Result<String, ExportError> {
    let delimiter = match report.delimiter {
        Some(d) if d.is_ascii() => d as u8,
        _ => return Err(ExportError::NotCsv),
    };
    let n_rows = report.rows_read;
    if let Some((&row, _)) = labels.range(n_rows..).next() {
        return Err(ExportError::RowOutOfRange { row, n_rows });
    }
    let decimal_comma = delimiter == b';';
    let bytes = original.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(original);
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut writer = WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(Terminator::Any(b'\n'))
        .flexible(true)
        .from_writer(Vec::new());
    let csv_error = |e: csv::Error| ExportError::Csv {
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    };
    let mut record = ByteRecord::new();
    let mut header_pending = report.header_detected;
    let mut row = 0usize;
    let mut out: Vec<String> = Vec::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(e)),
        }
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        out.clear();
        for field in record.iter() {
            let cell = std::str::from_utf8(field).map_err(|_| ExportError::NotUtf8 { line })?;
            out.push(neutralize(cell, decimal_comma).into_owned());
        }
        if header_pending {
            header_pending = false;
            let name = label_column_name(&out);
            out.push(name);
        } else {
            let label = labels.get(&row).map(String::as_str).unwrap_or("");
            out.push(neutralize(label, decimal_comma).into_owned());
            row += 1;
        }
        writer.write_record(&out).map_err(csv_error)?;
    }
    if row != n_rows {
        return Err(ExportError::RowCount {
            expected: n_rows,
            found: row,
        });
    }
    let bytes = writer.into_inner().map_err(|e| ExportError::Csv {
        line: 0,
        message: e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|_| ExportError::NotUtf8 { line: 0 })
}

/// One line of [`labels_jsonl`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelLine {
    /// The row's id ([`crate::data::Dataset::row_ids`]: the id column, or the row
    /// number from 1).
    pub id: String,
    /// The dataset row index (from 0).
    pub row: usize,
    /// The class name.
    pub label: String,
    /// Who gave the label: `seed`, `user`, `oracle` or `probe`.
    pub origin: String,
    /// For probe labels: the class the model predicted when it asked.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub predicted: Option<String>,
    /// Whether the label was changed after it was first given.
    pub relabeled: bool,
}

/// One JSON object per labeled row, in the order the labels were given (relabels applied):
/// `{"id":"17","row":16,"label":"setosa","origin":"user","relabeled":false}`, and for probe
/// labels a `"predicted"` class name as well. Every line ends with `\n`.
///
/// ```
/// use engine::data::Dataset;
/// use engine::export::labels_jsonl;
/// use engine::session::{Event, Origin, Session, SessionConfig};
/// let data = Dataset::new("toy", vec!["x".into()], ndarray::array![[0.0], [1.0], [2.0]],
///     vec!["a".into(), "b".into()], vec![None; 3]).unwrap();
/// let mut s = Session::new(data, SessionConfig::default()).unwrap();
/// s.apply(Event::Label { row: 2, class: 1, origin: Origin::User }).unwrap();
/// assert_eq!(labels_jsonl(&s), "{\"id\":\"3\",\"row\":2,\"label\":\"b\",\"origin\":\"user\",\"relabeled\":false}\n");
/// ```
pub fn labels_jsonl(session: &Session) -> String {
    let names = session.class_names();
    let ids = &session.data().row_ids;
    let name = |class: usize| names.get(class).cloned().unwrap_or_default();
    let mut out = String::new();
    for entry in session.history() {
        let (origin, predicted) = match entry.origin {
            Origin::Seed => ("seed", None),
            Origin::User => ("user", None),
            Origin::Oracle => ("oracle", None),
            Origin::Probe { predicted } => ("probe", Some(name(predicted))),
        };
        let line = LabelLine {
            id: ids.get(entry.row).cloned().unwrap_or_default(),
            row: entry.row,
            label: name(entry.class),
            origin: origin.to_string(),
            predicted,
            relabeled: entry.relabeled_at.is_some(),
        };
        // A struct of strings, numbers and booleans always serializes.
        if let Ok(json) = serde_json::to_string(&line) {
            out.push_str(&json);
            out.push('\n');
        }
    }
    out
}

/// The standardization of [`model_json`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardizationJson {
    /// Per-feature mean subtracted first.
    pub mean: Vec<f64>,
    /// Per-feature scale divided by next.
    pub scale: Vec<f64>,
}

/// The fitted model as [`model_json`] writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelJson {
    /// `logistic`, `naive_bayes` or `mlp`.
    pub model: String,
    /// How to get probabilities from a raw feature row `x` with these numbers.
    pub formula: String,
    /// Class names, in the order of every per-class array.
    pub classes: Vec<String>,
    /// Feature names, in the order of every per-feature array.
    pub features: Vec<String>,
    /// `z = (x − mean) / scale`, applied to raw features before the model.
    pub standardization: StandardizationJson,
    /// Labeled rows the model was fitted on.
    pub n_labels: usize,
    /// The parameters, by name (see [`model_json`]).
    pub parameters: BTreeMap<String, serde_json::Value>,
}

fn matrix(rows: usize, cols: usize, at: impl Fn(usize, usize) -> f64) -> serde_json::Value {
    (0..rows)
        .map(|i| (0..cols).map(|j| at(i, j)).collect::<Vec<f64>>())
        .collect::<Vec<_>>()
        .into()
}

/// The model fitted by the session's last round, as JSON (pretty-printed):
///
/// - logistic regression: `coefficients` (classes × features) and `intercepts` (per class);
///   `p = softmax(coefficients · z + intercepts)`;
/// - naive Bayes: per-class `means` and `variances` (classes × features) and `class_prior`;
/// - neural network: `w1` (features × hidden), `b1`, `w2` (hidden × classes), `b2`;
///   `p = softmax(relu(z · w1 + b1) · w2 + b2)`;
/// - k-NN is refused: its "parameters" are the labeled rows themselves (export the labels).
///
/// Every model sees standardized features `z = (x − mean) / scale` (given).
///
/// ```
/// use engine::data::Dataset;
/// use engine::export::{model_json, ExportError};
/// use engine::session::{Event, Origin, Session, SessionConfig};
/// let data = Dataset::new("toy", vec!["x".into()], ndarray::array![[0.0], [1.0], [2.0], [3.0]],
///     vec!["a".into(), "b".into()], vec![None; 4]).unwrap();
/// let mut s = Session::new(data, SessionConfig::default()).unwrap();
/// assert_eq!(model_json(&s), Err(ExportError::NoModel));
/// s.apply(Event::Label { row: 0, class: 0, origin: Origin::User }).unwrap();
/// s.apply(Event::Label { row: 3, class: 1, origin: Origin::User }).unwrap();
/// s.round().unwrap();
/// let json: serde_json::Value = serde_json::from_str(&model_json(&s).unwrap()).unwrap();
/// assert_eq!(json["model"], "logistic");
/// assert_eq!(json["parameters"]["coefficients"].as_array().unwrap().len(), 2);
/// ```
pub fn model_json(session: &Session) -> Result<String, ExportError> {
    let model = session.model().ok_or(ExportError::NoModel)?;
    let features = session.data().feature_names.clone();
    let d = features.len();
    let k = model.n_classes();
    let mut parameters = BTreeMap::new();
    let (name, formula) = match model {
        FittedModel::Logistic(m) => {
            parameters.insert(
                "coefficients".to_string(),
                matrix(m.coef.nrows(), m.coef.ncols(), |i, j| m.coef[[i, j]]),
            );
            parameters.insert("intercepts".to_string(), m.intercept.to_vec().into());
            (
                "logistic",
                "p = softmax(coefficients · z + intercepts), z = (x − mean) / scale",
            )
        }
        FittedModel::GaussianNb(m) => {
            let (theta, var) = (m.theta(), m.var());
            parameters.insert(
                "means".to_string(),
                matrix(theta.nrows(), theta.ncols(), |i, j| theta[[i, j]]),
            );
            parameters.insert(
                "variances".to_string(),
                matrix(var.nrows(), var.ncols(), |i, j| var[[i, j]]),
            );
            parameters.insert("class_prior".to_string(), m.class_prior().to_vec().into());
            (
                "naive_bayes",
                "p(c | z) ∝ class_prior[c] · Πⱼ N(zⱼ; means[c][j], variances[c][j]), z = (x − mean) / scale",
            )
        }
        FittedModel::Mlp(m) => {
            let value = serde_json::to_value(m).map_err(|e| ExportError::NotExportable {
                model: "neural network".to_string(),
                reason: e.to_string(),
            })?;
            let net = &value["net"];
            let h = net["h"].as_u64().unwrap_or(0) as usize;
            let flat = |key: &str| -> Vec<f64> {
                net[key]
                    .as_array()
                    .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
                    .unwrap_or_default()
            };
            let (w1, w2) = (flat("w1"), flat("w2"));
            if w1.len() != d * h || w2.len() != h * k {
                return Err(ExportError::NotExportable {
                    model: "neural network".to_string(),
                    reason: format!(
                        "its weights have {} and {} values where {d}×{h} and {h}×{k} were expected",
                        w1.len(),
                        w2.len()
                    ),
                });
            }
            parameters.insert("w1".to_string(), matrix(d, h, |i, j| w1[i * h + j]));
            parameters.insert("b1".to_string(), flat("b1").into());
            parameters.insert("w2".to_string(), matrix(h, k, |i, j| w2[i * k + j]));
            parameters.insert("b2".to_string(), flat("b2").into());
            (
                "mlp",
                "p = softmax(relu(z · w1 + b1) · w2 + b2), z = (x − mean) / scale",
            )
        }
        FittedModel::Knn(_) => {
            return Err(ExportError::NotExportable {
                model: "k-NN".to_string(),
                reason:
                    "its only parameters are the labeled rows themselves: export the labels instead"
                        .to_string(),
            })
        }
    };
    let standardizer = session.standardizer();
    let json = ModelJson {
        model: name.to_string(),
        formula: formula.to_string(),
        classes: session.class_names().to_vec(),
        features,
        standardization: StandardizationJson {
            mean: standardizer.mean.to_vec(),
            scale: standardizer.scale.to_vec(),
        },
        n_labels: session.labels().len(),
        parameters,
    };
    serde_json::to_string_pretty(&json).map_err(|e| ExportError::NotExportable {
        model: name.to_string(),
        reason: e.to_string(),
    })
}

/// `parse_number` is the importer's number rule; the export's plain-number rule is stricter
/// (no `inf`, `nan`, thousands separators or spaces) and must agree with it on what it accepts.
#[cfg(test)]
fn agrees_with_import(cell: &str) -> bool {
    !is_plain_number(cell, false) || crate::data::schema::parse_number(cell, false).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn plain_numbers_stay_and_formulas_get_a_quote() {
        for number in [
            "-1.5",
            "+3",
            "-2e-4",
            "-0",
            "-.5",
            "-5.",
            "1E+10",
            "-12345678901234567890",
        ] {
            assert_eq!(neutralize(number, false), number, "{number}");
            assert!(agrees_with_import(number), "{number}");
        }
        for formula in [
            "=1+2",
            "+A1",
            "-1+2",
            "-",
            "@SUM(A1)",
            "\tx",
            "\r=1",
            "-e5",
            "-1e",
            "-1.2.3",
            "-inf",
            "-nan",
            "-1,5",
            "+ 1",
            "=HYPERLINK(\"http://x\")",
        ] {
            assert_eq!(
                neutralize(formula, false),
                format!("'{formula}"),
                "{formula:?}"
            );
        }
        assert_eq!(neutralize("-1,5", true), "-1,5");
        assert_eq!(neutralize("plain", false), "plain");
        assert_eq!(neutralize("", false), "");
        assert_eq!(neutralize("a=b", false), "a=b");
    }

    #[test]
    fn the_label_column_name_avoids_taken_names() {
        let h = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(label_column_name(&h(&["x", "y"])), "label");
        assert_eq!(label_column_name(&h(&["x", "label"])), "label_activelab");
        assert_eq!(
            label_column_name(&h(&["label", "label_activelab"])),
            "label_activelab_2"
        );
    }
}
