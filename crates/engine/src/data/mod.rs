//! Datasets: the validated table every other module works on, and the ways to make one.
//!
//! - [`import`]: CSV/TSV and JSON Lines bytes → [`Dataset`] (delimiter sniffing, header
//!   detection, label/id/ignored columns), refusing bad input with the line, column and rule.
//! - [`schema`]: how the columns of a table become features (numbers, one-hot categories,
//!   imputed missing values, dropped constant columns) and what the [`ImportReport`] says.
//! - [`text`]: text columns → features (TF-IDF or hashing, word or character n-grams).
//! - [`image`]: RGBA pixels → features (downscaled grayscale + colour histogram), thumbnails,
//!   and a dataset from a folder of decoded images.
//! - [`preview`]: the first rows of a file, each column's kind, and a suggested column mapping;
//!   then the import with the mapping the person chose.
//! - [`source`]: where the importer reads a file from (bytes in memory, or the browser's picked
//!   file read slice by slice).
//! - [`split`]: seeded stratified pool/test split.
//! - [`scale`]: standardization fitted on the pool.

pub mod dates;
pub mod image;
pub mod import;
pub mod preview;
pub mod scale;
pub mod schema;
pub mod source;
pub mod split;
pub mod synthetic;
pub mod text;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// A table of numeric features with optional known labels.
///
/// Known labels come from the file (a demo, or a user's partly labeled data); they act as the
/// oracle in simulations and as the truth of the test split. They are never mixed with the labels a
/// person gives during a session, which live in the session's event log.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// A display name (usually the file name).
    pub name: String,
    /// One name per feature column, in column order (`col=value` for one-hot columns,
    /// `col:term` for text features).
    pub feature_names: Vec<String>,
    /// `n_rows × n_features`, the raw values as read (not standardized; missing values imputed).
    pub features: Array2<f64>,
    /// Class names, sorted (the order scikit-learn's `np.unique` gives), so class `k` is
    /// `class_names[k]` everywhere.
    pub class_names: Vec<String>,
    /// The label the file gives each row, or `None` for unlabeled rows.
    pub known_labels: Vec<Option<usize>>,
    /// One id per row: the id column's value, or the row's number (`"1"`, `"2"`, …).
    pub row_ids: Vec<String>,
    /// What the import did (rows read, imputed cells, dropped and expanded columns, …).
    pub report: ImportReport,
    /// How each row is shown to the person: its feature values, its text, or its image.
    pub display: RowDisplay,
}

/// How the rows of a dataset are shown to the person (the per-row display payload).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub enum RowDisplay {
    /// As a table of feature values (the default).
    #[default]
    Table,
    /// As text: the text column's name and each row's text (missing texts are empty).
    Texts { column: String, texts: Vec<String> },
    /// As images: one thumbnail and one file path per row.
    Images {
        thumbnails: Vec<Thumbnail>,
        paths: Vec<String>,
    },
}

/// A small RGBA picture of an image, for display (4 bytes per pixel, row by row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thumbnail {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `4 · width · height` bytes.
    pub rgba: Vec<u8>,
}

impl Dataset {
    /// A dataset from parts made in code (synthetic data, tests), checking that the shapes agree.
    /// Row ids are `"1"`, `"2"`, …; the report only counts rows and unlabeled rows.
    ///
    /// ```
    /// use engine::data::Dataset;
    /// use ndarray::array;
    /// let d = Dataset::new(
    ///     "toy",
    ///     vec!["x".into()],
    ///     array![[0.0], [1.0], [2.0]],
    ///     vec!["a".into(), "b".into()],
    ///     vec![Some(0), Some(1), None],
    /// )
    /// .unwrap();
    /// assert_eq!(d.row_ids, vec!["1", "2", "3"]);
    /// assert_eq!(d.report.unlabeled_rows, 1);
    /// ```
    pub fn new(
        name: &str,
        feature_names: Vec<String>,
        features: Array2<f64>,
        class_names: Vec<String>,
        known_labels: Vec<Option<usize>>,
    ) -> Result<Self, DataError> {
        let rows = features.nrows();
        if feature_names.len() != features.ncols() {
            return Err(DataError::Shape {
                what: "feature names".into(),
                expected: features.ncols(),
                found: feature_names.len(),
            });
        }
        if known_labels.len() != rows {
            return Err(DataError::Shape {
                what: "labels".into(),
                expected: rows,
                found: known_labels.len(),
            });
        }
        if let Some(&bad) = known_labels
            .iter()
            .flatten()
            .find(|&&c| c >= class_names.len())
        {
            return Err(DataError::Shape {
                what: "class names".into(),
                expected: bad + 1,
                found: class_names.len(),
            });
        }
        let report = ImportReport {
            rows_read: rows,
            unlabeled_rows: known_labels.iter().filter(|l| l.is_none()).count(),
            ..ImportReport::default()
        };
        Ok(Self {
            name: name.to_string(),
            feature_names,
            features,
            class_names,
            known_labels,
            row_ids: (1..=rows).map(|i| i.to_string()).collect(),
            report,
            display: RowDisplay::Table,
        })
    }

    /// Add class names the person typed (a file without labels has none): the classes become the
    /// sorted union, and the known labels are renumbered to match. Blank and repeated names are
    /// left out.
    ///
    /// ```
    /// use engine::data::Dataset;
    /// use ndarray::array;
    /// let mut d = Dataset::new("t", vec!["x".into()], array![[0.0], [1.0]], vec!["b".into()], vec![Some(0), None])
    ///     .unwrap();
    /// d.add_classes(&[" a ".into(), "b".into(), "".into()]);
    /// assert_eq!(d.class_names, vec!["a", "b"]);
    /// assert_eq!(d.known_labels, vec![Some(1), None]);
    /// ```
    pub fn add_classes(&mut self, names: &[String]) {
        let mut all: Vec<String> = self.class_names.clone();
        for name in names {
            let name = name.trim();
            if !name.is_empty() && !all.iter().any(|c| c == name) {
                all.push(name.to_string());
            }
        }
        all.sort_unstable();
        let new_index: Vec<usize> = self
            .class_names
            .iter()
            .map(|c| all.iter().position(|a| a == c).unwrap_or(0))
            .collect();
        for label in self.known_labels.iter_mut().flatten() {
            *label = new_index.get(*label).copied().unwrap_or(*label);
        }
        self.class_names = all;
    }

    /// The mean of each feature over the rows labeled with each class: `means[class][feature]`,
    /// `None` for a class with no labeled row. `labels` are `(row, class)` pairs; rows or classes
    /// out of range are ignored.
    ///
    /// ```
    /// use engine::data::Dataset;
    /// use ndarray::array;
    /// let d = Dataset::new("t", vec!["x".into()], array![[1.0], [3.0], [10.0]], vec!["a".into(), "b".into()], vec![None; 3])
    ///     .unwrap();
    /// let means = d.class_means([(0, 0), (1, 0)]);
    /// assert_eq!(means, vec![Some(vec![2.0]), None]);
    /// ```
    pub fn class_means(
        &self,
        labels: impl IntoIterator<Item = (usize, usize)>,
    ) -> Vec<Option<Vec<f64>>> {
        let d = self.n_features();
        let mut sums = vec![vec![0.0; d]; self.n_classes()];
        let mut counts = vec![0usize; self.n_classes()];
        for (row, class) in labels {
            if row >= self.n_rows() || class >= self.n_classes() {
                continue;
            }
            counts[class] += 1;
            for (s, v) in sums[class].iter_mut().zip(self.features.row(row)) {
                *s += v;
            }
        }
        sums.into_iter()
            .zip(counts)
            .map(|(s, n)| (n > 0).then(|| s.into_iter().map(|v| v / n as f64).collect()))
            .collect()
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.features.nrows()
    }

    /// Number of feature columns.
    pub fn n_features(&self) -> usize {
        self.features.ncols()
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.class_names.len()
    }

    /// The raw feature values of one row.
    pub fn row(&self, row: usize) -> Vec<f64> {
        self.features.row(row).to_vec()
    }
}

/// What an import did to the file, for the person to check (shown after opening a file).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Data rows read (blank lines and the header are not rows).
    pub rows_read: usize,
    /// Rows whose label cell is empty or a missing-value token: the unlabeled pool.
    pub unlabeled_rows: usize,
    /// The CSV delimiter used (sniffed or given); `None` for JSON Lines.
    pub delimiter: Option<char>,
    /// Whether the first line was taken as a header (always `true` for JSON Lines).
    pub header_detected: bool,
    /// The label column's name (empty for datasets made in code).
    pub label_column: String,
    /// The id column's name, if one was chosen.
    pub id_column: Option<String>,
    /// The text column's name, if the import vectorized one.
    pub text_column: Option<String>,
    /// Columns left out because the options asked for it, in file order.
    pub ignored_columns: Vec<String>,
    /// Columns with missing cells and what they were filled with, in file order.
    pub imputed: Vec<ImputedColumn>,
    /// Columns dropped because every value is the same, in file order.
    pub dropped_constant: Vec<String>,
    /// Columns dropped because every value is missing, in file order.
    pub dropped_empty: Vec<String>,
    /// Categorical columns expanded into one 0/1 feature per category, in file order.
    pub one_hot: Vec<OneHotColumn>,
    /// Columns of dates or times turned into their features ([`dates`]), in file order.
    #[serde(default)]
    pub dates: Vec<DateColumn>,
    /// Files left out of a folder import (not an image, empty, too large), with the reason.
    #[serde(default)]
    pub skipped_files: Vec<SkippedFile>,
}

/// A file a folder import left out, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedFile {
    /// The file's path inside the folder.
    pub path: String,
    /// Why it was left out, for the person.
    pub reason: String,
}

/// A column whose missing cells were filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImputedColumn {
    /// The column's name.
    pub column: String,
    /// How many cells were missing.
    pub cells: usize,
    /// The value they got: the mean (numeric columns) or the most frequent category.
    pub value: String,
}

/// A column of dates or times turned into its features (`column:year`, `column:month_sin`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DateColumn {
    /// The column's name.
    pub column: String,
    /// How its cells are written ([`dates::DateFormat::label`]).
    pub format: String,
    /// How many features it became (those that vary from row to row).
    pub features: usize,
}

/// A categorical column turned into one feature per category (`col=value`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneHotColumn {
    /// The column's name.
    pub column: String,
    /// The categories, sorted; each became the feature `column=category`.
    pub categories: Vec<String>,
}

/// `','` → `','`, tab → `a tab`: how a delimiter is named in messages.
fn delimiter_name(delimiter: &char) -> String {
    match delimiter {
        '\t' => "a tab".to_string(),
        c => format!("'{c}'"),
    }
}

fn header_name(header: &bool) -> &'static str {
    if *header {
        "the header"
    } else {
        "the first line"
    }
}

/// Everything that can go wrong while turning input into a [`Dataset`] (or image pixels into
/// features). Every message says which rule was broken, where, and what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum DataError {
    /// No bytes, or only whitespace.
    #[error(
        "the file is empty: it needs a header line (or JSON objects) and at least one data row"
    )]
    Empty,
    /// The file's bytes could not be read (in the browser: the picked file was changed, moved or
    /// deleted since it was chosen).
    #[error("the file could not be read ({message}): choose it again; if it was changed, moved or deleted since it was chosen, choose it from where it is now")]
    Unreadable { message: String },
    /// A header and no data rows.
    #[error("the file has a header but no data rows: add at least one row below the header")]
    NoRows,
    /// A single data row: every column is constant and there is nothing to learn from.
    #[error("the file has only 1 data row (line {line}): add more rows; learning needs at least 2 rows of at least 2 classes (with one row every column is constant)")]
    OneRow { line: u64 },
    /// A web page saved under a data file's name (an error page, a GitHub "blob" page).
    #[error("this is a web page (HTML), not a CSV or JSON Lines file: download the raw data file instead (on GitHub: the 'Raw' button)")]
    Html,
    /// Fewer than two columns (a feature and a label are needed).
    #[error(
        "the file has only {found} column(s): it needs at least one feature column and a label column"
    )]
    TooFewColumns { found: usize },
    /// The bytes start with the zip magic `PK\x03\x04`.
    #[error("this is a zip archive, not a text file: unzip it first and open the CSV inside (an Excel .xlsx workbook is a zip too: save it as CSV)")]
    ZipArchive,
    /// The bytes start with the gzip magic.
    #[error("this is a gzip-compressed file, not a text file: decompress it first")]
    Gzip,
    /// A UTF-16 byte order mark, or the NUL pattern of UTF-16 text.
    #[error("this is UTF-16 text: save it as UTF-8 and try again")]
    Utf16,
    /// NUL bytes: binary data.
    #[error("line {line}: this is not a text file (it contains NUL bytes): open a CSV, TSV or JSON Lines file")]
    NotText { line: u64 },
    /// Bytes that are not UTF-8 (Latin-1 or Windows-1252 text, usually).
    #[error("line {line}: byte 0x{byte:02X} is not valid UTF-8 (the file may be Latin-1 or Windows-1252 text): save it as UTF-8 and try again")]
    NotUtf8 { line: u64, byte: u8 },
    /// A quoted field whose closing quote never comes.
    #[error("line {line}: a quoted value starts here but its closing quote never comes: add the missing '\"' (a quote inside a quoted value is written '\"\"')")]
    UnclosedQuote { line: u64 },
    /// A row with a different number of fields than the first line.
    #[error("line {line} has {found} fields but {} has {expected}: every row needs the same number of fields (a value containing {} must be in double quotes)", header_name(.header), delimiter_name(.delimiter))]
    Ragged {
        line: u64,
        expected: usize,
        found: usize,
        delimiter: char,
        header: bool,
    },
    /// A cell longer than the cap.
    #[error("line {line}, column '{column}': the value is {length} bytes long, more than the {max} a cell may have: is a closing quote missing?")]
    CellTooLong {
        line: u64,
        column: String,
        length: usize,
        max: usize,
    },
    /// More columns than the cap.
    #[error("the file has {found} columns, more than the {max} allowed: is the delimiter right?")]
    TooManyColumns { found: usize, max: usize },
    /// Two columns with the same name (columns counted from 1).
    #[error(
        "the column name '{name}' appears twice (columns {first} and {second}): rename one of them"
    )]
    DuplicateColumn {
        name: String,
        first: usize,
        second: usize,
    },
    /// Two columns with the same name because one of them is unnamed in the header and got the
    /// generated name `column_<n>` that the other one already has (columns counted from 1).
    #[error("the column name '{name}' appears twice: column {named} is called {name} in the header, and column {unnamed} has no name there, so it was called {name} too: rename column {named}, or give column {unnamed} a name")]
    DuplicateGeneratedColumn {
        name: String,
        named: usize,
        unnamed: usize,
    },
    /// An option names a column that does not exist.
    #[error("there is no column named '{name}' (asked for as the {role} column); the columns are: {available}")]
    UnknownColumn {
        role: String,
        name: String,
        available: String,
    },
    /// One column asked for in two roles (label and id, label and ignored, …).
    #[error("column '{column}' cannot be both the {first} column and the {second} column: choose one role")]
    ColumnRoleConflict {
        column: String,
        first: String,
        second: String,
    },
    /// A non-number in a column that is mostly numbers.
    #[error("line {line}, column '{column}': '{value}' is not a number, but most of the column is: fix the value, or leave the cell empty to have it filled in")]
    NotNumeric {
        line: u64,
        column: String,
        value: String,
    },
    /// Numbers written with a thousands separator or a decimal comma (`"1,234"`, `"2,5"`) in a
    /// file not delimited by `;`: refused rather than read as categories.
    #[error("line {line}, column '{column}': '{value}' looks like a number written with a thousands separator or a decimal comma: write numbers without separators and with a '.' decimal point (like 1234.5)")]
    GroupedNumber {
        line: u64,
        column: String,
        value: String,
    },
    /// `inf`, `1e400` and the like: refused rather than guessed at.
    #[error("line {line}, column '{column}': '{value}' is not a finite number: replace it with a real value, or leave the cell empty to have it filled in")]
    NotFinite {
        line: u64,
        column: String,
        value: String,
    },
    /// A categorical column with more distinct values than the cap.
    #[error("column '{column}' has {found} distinct values, more than the {max} a categorical column may have: remove (or ignore) the column, or group its rare values into fewer categories")]
    TooManyCategories {
        column: String,
        found: usize,
        max: usize,
    },
    /// A label column with more distinct values than the cap.
    #[error("the label column '{column}' has {found} distinct values, more than the {max} classes allowed: this looks like an id or a number, not a class; choose another label column")]
    TooManyClasses {
        column: String,
        found: usize,
        max: usize,
    },
    /// Nothing left to learn from once the label, id, ignored, empty and constant columns are out.
    #[error("no feature column is left ({detail}): the data needs at least one informative column besides the label")]
    NoFeatures { detail: String },
    /// The feature table would not fit in memory.
    #[error("the features would be {rows} rows × {columns} columns = {cells} values, more than the {max} allowed: ignore some columns, lower max_features, or use fewer rows")]
    TooManyCells {
        rows: usize,
        columns: usize,
        cells: u64,
        max: u64,
    },
    /// A column holding more text than a 32-bit offset can address.
    #[error("column '{column}' holds more than 4 GiB of text: split the file")]
    TooMuchText { column: String },
    /// A JSON Lines line that is not one valid JSON object.
    #[error("line {line}: {message}: every line must be one JSON object, like {{\"x\": 1.5, \"label\": \"a\"}}")]
    JsonLine { line: u64, message: String },
    /// A JSON Lines line that is an array (often a whole JSON file `[{…}, {…}]`).
    #[error("line {line}: this is a JSON array, but JSON Lines needs one object per line: write each record on its own line, like {{\"x\": 1.5, \"label\": \"a\"}}")]
    JsonArray { line: u64 },
    /// A `.jsonl` file whose first line looks like CSV.
    #[error("line {line}: this looks like CSV, not JSON Lines: rename the file to end in .csv (or .tsv)")]
    JsonLooksLikeCsv { line: u64 },
    /// More distinct keys over a JSON Lines file than the column cap.
    #[error("line {line}: the objects have more than {max} distinct keys in all, the most a file may have: remove the keys that are not needed")]
    JsonTooManyKeys { line: u64, max: usize },
    /// A JSON value that is an array or an object.
    #[error("line {line}, key '{key}': nested arrays and objects are not supported: flatten them into plain values")]
    JsonNested { line: u64, key: String },
    /// The same key twice in one JSON object.
    #[error("line {line}: the key '{key}' appears twice in the same object: keep one")]
    JsonDuplicateKey { line: u64, key: String },
    /// A text column in which the analyzer finds no terms at all.
    #[error("the text column '{column}' has no terms to learn from: every text is empty or has only one-letter words")]
    EmptyVocabulary { column: String },
    /// An option outside its allowed range.
    #[error("{option} = {value} is not allowed: {rule}")]
    BadOption {
        option: String,
        value: String,
        rule: String,
    },
    /// An image with a zero width or height.
    #[error("the image is {width} × {height} pixels: an image needs at least 1 × 1")]
    ImageEmpty { width: u32, height: u32 },
    /// An RGBA buffer of the wrong length.
    #[error("a {width} × {height} RGBA image needs {expected} bytes (4 per pixel), but {found} were given")]
    ImageBuffer {
        width: u32,
        height: u32,
        expected: u64,
        found: u64,
    },
    /// An image over the pixel cap.
    #[error("the image is {width} × {height} = {pixels} pixels, more than the {max} allowed: scale it down first")]
    ImageTooLarge {
        width: u32,
        height: u32,
        pixels: u64,
        max: u64,
    },
    /// Parts of a dataset made in code that do not fit together.
    #[error(
        "{found} {what} were given where {expected} are needed: the parts of a dataset must agree"
    )]
    Shape {
        what: String,
        expected: usize,
        found: usize,
    },
    /// A folder import in which no file could be used.
    #[error("none of the {files} file(s) is an image that can be used ({skipped} skipped: not an image, empty, or too large): choose a folder of PNG, JPEG, GIF, WebP or BMP files")]
    NoImages { files: usize, skipped: usize },
    /// Any other CSV reader error.
    #[error("line {line}: the CSV could not be read ({message})")]
    Csv { line: u64, message: String },
    /// A test fraction outside (0, 1).
    #[error("the test fraction must be between 0 and 1 (exclusive), got {fraction}")]
    BadFraction { fraction: f64 },
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn new_checks_shapes() {
        let err = Dataset::new(
            "t",
            vec!["x".into()],
            array![[0.0], [1.0]],
            vec!["a".into()],
            vec![Some(0)],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "1 labels were given where 2 are needed: the parts of a dataset must agree"
        );
        let err = Dataset::new(
            "t",
            vec!["x".into()],
            array![[0.0]],
            vec!["a".into()],
            vec![Some(3)],
        )
        .unwrap_err();
        assert_eq!(
            err,
            DataError::Shape {
                what: "class names".into(),
                expected: 4,
                found: 1
            }
        );
    }
}
