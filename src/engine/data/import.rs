//! CSV import: header line, numeric feature columns, one label column.
//!
//! The label column is the one named in [`CsvOptions::label_column`], else the first column named
//! `label`, `class`, `target`, `species` or `y` (case-insensitive), else the last column. An empty
//! label cell marks an unlabeled row: that is the normal case for a person's own data.

use super::{DataError, Dataset};
use ndarray::Array2;
use std::collections::BTreeSet;

/// Column names taken as the label column when none is given, in order of preference.
pub const LABEL_COLUMN_NAMES: [&str; 5] = ["label", "class", "target", "species", "y"];

/// How to read a CSV.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CsvOptions {
    /// The dataset's display name.
    pub name: String,
    /// The label column by name; `None` infers it.
    pub label_column: Option<String>,
}

impl CsvOptions {
    /// Options with a display name and an inferred label column.
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_string(),
            label_column: None,
        }
    }
}

/// Which column holds the labels, given the header and the options.
fn label_index(header: &[String], options: &CsvOptions) -> Result<usize, DataError> {
    if let Some(wanted) = &options.label_column {
        return header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(wanted.trim()))
            .ok_or_else(|| DataError::UnknownLabelColumn {
                name: wanted.clone(),
                available: header.join(", "),
            });
    }
    for name in LABEL_COLUMN_NAMES {
        if let Some(i) = header.iter().position(|h| h.eq_ignore_ascii_case(name)) {
            return Ok(i);
        }
    }
    Ok(header.len() - 1)
}

fn csv_error(err: &csv::Error) -> DataError {
    let line = err.position().map_or(0, |p| p.line());
    match err.kind() {
        csv::ErrorKind::Utf8 { .. } => DataError::NotUtf8 { line },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => DataError::Ragged {
            line,
            expected: *expected_len as usize,
            found: *len as usize,
        },
        _ => DataError::Csv {
            line,
            message: err.to_string(),
        },
    }
}

/// Parse CSV bytes (comma-separated, header first) into a [`Dataset`].
///
/// ```
/// use activelab::engine::data::import::{parse_csv, CsvOptions};
/// let d = parse_csv(b"x1,x2,species\n1,2,b\n3,4,a\n5,6,\n", &CsvOptions::named("t")).unwrap();
/// assert_eq!(d.class_names, vec!["a", "b"]);
/// assert_eq!(d.known_labels, vec![Some(1), Some(0), None]);
/// assert_eq!(d.feature_names, vec!["x1", "x2"]);
/// ```
pub fn parse_csv(bytes: &[u8], options: &CsvOptions) -> Result<Dataset, DataError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DataError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(&e))?
        .iter()
        .map(str::to_string)
        .collect();
    if header.len() < 2 {
        return Err(DataError::TooFewColumns {
            found: header.len(),
        });
    }
    let label_col = label_index(&header, options)?;
    let feature_names: Vec<String> = header
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != label_col)
        .map(|(_, h)| h.clone())
        .collect();

    let mut values = Vec::new();
    let mut raw_labels: Vec<Option<String>> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(&e))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue; // a blank line at the end of a file is not a row
        }
        for (i, cell) in record.iter().enumerate() {
            if i == label_col {
                continue;
            }
            if cell.is_empty() {
                return Err(DataError::Missing {
                    line,
                    column: header[i].clone(),
                });
            }
            let v: f64 = cell.parse().map_err(|_| DataError::NotNumeric {
                line,
                column: header[i].clone(),
                value: cell.chars().take(40).collect(),
            })?;
            if !v.is_finite() {
                return Err(DataError::NotFinite {
                    line,
                    column: header[i].clone(),
                    value: cell.chars().take(40).collect(),
                });
            }
            values.push(v);
        }
        let label = record.get(label_col).unwrap_or("");
        raw_labels.push((!label.is_empty()).then(|| label.to_string()));
    }
    if raw_labels.is_empty() {
        return Err(DataError::NoRows);
    }

    let class_names: Vec<String> = raw_labels
        .iter()
        .flatten()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let known_labels = raw_labels
        .iter()
        .map(|l| l.as_ref().and_then(|l| class_names.binary_search(l).ok()))
        .collect();
    let n_rows = raw_labels.len();
    let features = Array2::from_shape_vec((n_rows, feature_names.len()), values).map_err(|e| {
        DataError::Csv {
            line: 0,
            message: e.to_string(),
        }
    })?;
    Ok(Dataset {
        name: options.name.clone(),
        feature_names,
        features,
        class_names,
        known_labels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Dataset, DataError> {
        parse_csv(text.as_bytes(), &CsvOptions::named("t"))
    }

    #[test]
    fn label_column_by_preferred_name_then_last() {
        let d = parse("label,a,b\nx,1,2\n").unwrap();
        assert_eq!(d.feature_names, vec!["a", "b"]);
        let d = parse("a,b,kind\n1,2,x\n").unwrap();
        assert_eq!(d.feature_names, vec!["a", "b"]);
        assert_eq!(d.class_names, vec!["x"]);
    }

    #[test]
    fn label_column_by_option() {
        let opts = CsvOptions {
            name: "t".into(),
            label_column: Some("A".into()),
        };
        let d = parse_csv(b"a,b,c\nx,1,2\n", &opts).unwrap();
        assert_eq!(d.feature_names, vec!["b", "c"]);
        let opts = CsvOptions {
            name: "t".into(),
            label_column: Some("nope".into()),
        };
        let err = parse_csv(b"a,b,c\nx,1,2\n", &opts).unwrap_err();
        assert_eq!(
            err.to_string(),
            "there is no column named 'nope'; the columns are: a, b, c"
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        assert_eq!(parse(""), Err(DataError::Empty));
        assert_eq!(parse("a,b\n"), Err(DataError::NoRows));
        assert_eq!(parse("a\n1\n"), Err(DataError::TooFewColumns { found: 1 }));
        assert_eq!(
            parse("a,b,y\n1,2,x\n1,2,3,4\n"),
            Err(DataError::Ragged {
                line: 3,
                expected: 3,
                found: 4
            })
        );
        let err = parse("a,b,y\n1,2,x\n1,oops,x\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3, column 'b': 'oops' is not a number (feature columns must be numeric)"
        );
        assert_eq!(
            parse("a,b,y\n1,,x\n"),
            Err(DataError::Missing {
                line: 2,
                column: "b".into()
            })
        );
        assert!(matches!(
            parse_csv(b"a,b,y\n1,2,\xff\n", &CsvOptions::named("t")),
            Err(DataError::NotUtf8 { line: 2 })
        ));
    }

    #[test]
    fn bom_blank_lines_and_unlabeled_rows() {
        let d = parse("\u{feff}a,b,y\n1,2,x\n3,4,\n\n").unwrap();
        assert_eq!(d.n_rows(), 2);
        assert_eq!(d.known_labels, vec![Some(0), None]);
    }

    #[test]
    fn bundled_iris_imports() {
        let d = parse_csv(
            include_bytes!("../../../public/datasets/iris.csv"),
            &CsvOptions::named("iris"),
        )
        .unwrap();
        assert_eq!((d.n_rows(), d.n_features()), (150, 4));
        assert_eq!(d.class_names, vec!["setosa", "versicolor", "virginica"]);
        assert!(d.known_labels.iter().all(Option::is_some));
    }
}
