//! Import: CSV/TSV and JSON Lines bytes → [`Dataset`].
//!
//! Reading (this module) turns bytes into a table of cells; [`super::schema`] then decides
//! what each column is (label, id, numeric, categorical, text) and builds the features. The
//! bytes come from a [`ByteSource`] (in memory, or the browser's picked file read in slices) and
//! are streamed through the reader, never copied whole.
//!
//! **Numbers are read as numbers.** In a CSV/TSV file, a column whose second row is a finite
//! number or missing is read straight into one row-major block of `f64` ([`schema::Numbers`]),
//! which becomes the feature matrix in place when every feature column is numeric, so no number
//! is held as text, parsed and copied again at the import's peak. Every column also
//! keeps the text of its first 1,001 rows (the header detection's look-ahead, the preview's
//! rows). A column whose cells stop being finite numbers later, or a numeric column that turns
//! out to be the label, id or text column, has its text read again from the source
//! ([`fill_text`]): the result is the same dataset, error or preview as reading every cell as
//! text (a test reads every CSV/TSV fixture and bundled dataset both ways), and a file that
//! changed in between is refused.
//!
//! **The bytes are checked** (the first 64 KiB before parsing, the rest as the parse reads them,
//! with the same outcome as checking the whole file first): a zip archive (`PK\x03\x04`, also
//! every `.xlsx`), gzip, UTF-16 (a byte order mark, or NULs at every other byte), other binary
//! data (NUL bytes), a web page, and invalid UTF-8 (usually Latin-1 / Windows-1252) are each
//! refused with their own message, before any other error the parse found. A UTF-8 byte order
//! mark is skipped.
//!
//! **CSV/TSV** ([`parse_csv`]): the delimiter is [`CsvOptions::delimiter`], else sniffed among
//! `,` `;` and tab (the one that splits the first 30 records of the first 64 KiB into the same
//! number ≥ 2 of fields; ties go to `,`, then `;`). Fields may be quoted (`"a, b"`, `"say ""hi"""`)
//! and quoted fields may span lines. Cells are trimmed of ASCII whitespace; lines whose cells are
//! all empty are skipped. In `;` files a decimal comma (`1,5`) is read as a number.
//!
//! **Header detection** (unless [`CsvOptions::has_header`] says): the first line is data, not a
//! header, when it has a number and every other cell is missing (an all-numeric line), or when
//! it has a number and each of its text cells also occurs in the same column within the next
//! 1,000 rows (`5.1,3.5,setosa`). Without a header the columns are named `column_1`, `column_2`,
//! …; an empty header cell gets the same kind of name.
//!
//! **JSON Lines** ([`parse_jsonl`]): each non-blank line is one JSON object; its keys are the
//! columns (the union over all lines, in first-seen order; a key absent from a line is a missing
//! cell). Strings, numbers and booleans are cells; `null` is missing; arrays and objects are
//! refused. Any broken line is an error with its line number.
//!
//! **Limits**: a cell may hold [`MAX_CELL_BYTES`] bytes, a file [`MAX_COLUMNS`] columns; see
//! [`super::schema`] for the limits on categories, classes and the feature table.

mod csv;
mod guard;
mod jsonl;
mod sizing;
#[cfg(test)]
mod tests;

pub(crate) use self::csv::fill_text;

use super::schema::{self, Table};
use super::source::{ByteSource, Bytes};
use super::text::TextOptions;
use super::{DataError, Dataset};

/// Column names taken as the label column when none is given, in order of preference.
pub const LABEL_COLUMN_NAMES: [&str; 5] = ["label", "class", "target", "species", "y"];

/// The longest cell accepted, in bytes (100 kB): a longer one is almost always a missing quote.
pub const MAX_CELL_BYTES: usize = 100_000;

/// The most columns a file may have.
pub const MAX_COLUMNS: usize = 10_000;

/// The default cap on the categories of a categorical column ([`CsvOptions::max_categories`]).
pub const DEFAULT_MAX_CATEGORIES: usize = 50;

/// The delimiters [`parse_csv`] sniffs among, in order of preference.
pub const SNIFFED_DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// How to read a table (CSV, TSV or JSON Lines) and which columns play which role.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvOptions {
    /// The dataset's display name.
    pub name: String,
    /// The label column by name; `None` infers it (see [`LABEL_COLUMN_NAMES`], else the last
    /// column that has no other role).
    pub label_column: Option<String>,
    /// A column of row ids: kept as [`Dataset::row_ids`], not used as a feature.
    pub id_column: Option<String>,
    /// Columns to leave out, by name.
    pub ignore: Vec<String>,
    /// The CSV delimiter (an ASCII byte); `None` sniffs `,` `;` or tab.
    pub delimiter: Option<u8>,
    /// Whether the first CSV line is a header; `None` detects it.
    pub has_header: Option<bool>,
    /// The most categories a categorical column may have (default [`DEFAULT_MAX_CATEGORIES`]).
    pub max_categories: usize,
    /// Keep columns whose values are all the same (default: drop and report them). Useful when
    /// the columns' positions matter, e.g. the pixels of an image.
    pub keep_constant_columns: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            name: String::new(),
            label_column: None,
            id_column: None,
            ignore: Vec::new(),
            delimiter: None,
            has_header: None,
            max_categories: DEFAULT_MAX_CATEGORIES,
            keep_constant_columns: false,
        }
    }
}

impl CsvOptions {
    /// Options with a display name and everything else inferred.
    ///
    /// ```
    /// use engine::data::import::CsvOptions;
    /// let o = CsvOptions::named("iris.csv");
    /// assert_eq!((o.name.as_str(), o.label_column, o.max_categories), ("iris.csv", None, 50));
    /// ```
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_string(),
            ..Self::default()
        }
    }
}

/// Parse CSV or TSV bytes into a [`Dataset`] (see the module docs and [`super::schema`] for the
/// rules).
///
/// ```
/// use engine::data::import::{parse_csv, CsvOptions};
/// let d = parse_csv(b"x1,x2,species\n1,2,b\n3,4,a\n5,6,\n", &CsvOptions::named("t")).unwrap();
/// assert_eq!(d.class_names, vec!["a", "b"]);
/// assert_eq!(d.known_labels, vec![Some(1), Some(0), None]);
/// assert_eq!(d.feature_names, vec!["x1", "x2"]);
/// assert_eq!(d.row_ids, vec!["1", "2", "3"]);
/// ```
pub fn parse_csv(bytes: &[u8], options: &CsvOptions) -> Result<Dataset, DataError> {
    parse_source(&Bytes(bytes), options, false, None)
}

/// Parse a file read from a [`ByteSource`]: JSON Lines when `jsonl`, else CSV/TSV; with `text`,
/// that column's words become features and each row's text is kept for display (as
/// [`parse_text_csv`]). [`parse_csv`], [`parse_jsonl`], [`parse_text_csv`] and
/// [`parse_text_jsonl`] are this for bytes in memory.
pub fn parse_source(
    source: &dyn ByteSource,
    options: &CsvOptions,
    jsonl: bool,
    text: Option<(&str, &TextOptions)>,
) -> Result<Dataset, DataError> {
    let mut table = read_table(source, options, jsonl)?;
    let needed = schema::text_needed(&table, options, text);
    fill_text(source, &mut table, &needed)?;
    let Some((column, _)) = text else {
        return schema::build(table, options, None);
    };
    let display = super::preview::text_display(&table, column);
    let mut data = schema::build(table, options, text)?;
    data.display = display;
    Ok(data)
}

/// Parse JSON Lines bytes (one JSON object per line) into a [`Dataset`], with the same column
/// rules as [`parse_csv`]. [`CsvOptions::delimiter`] and [`CsvOptions::has_header`] do not apply.
///
/// ```
/// use engine::data::import::{parse_jsonl, CsvOptions};
/// let text = "{\"x\": 1.5, \"color\": \"red\", \"label\": \"a\"}\n{\"x\": 2, \"color\": \"blue\", \"label\": null}\n";
/// let d = parse_jsonl(text.as_bytes(), &CsvOptions::named("t")).unwrap();
/// assert_eq!(d.feature_names, vec!["x", "color=blue", "color=red"]);
/// assert_eq!(d.known_labels, vec![Some(0), None]);
/// ```
pub fn parse_jsonl(bytes: &[u8], options: &CsvOptions) -> Result<Dataset, DataError> {
    parse_source(&Bytes(bytes), options, true, None)
}

/// Parse CSV/TSV bytes whose column `text_column` holds text: that column becomes features
/// through the vectorizer of `text_options` (named `column:term`, after the other columns'
/// features); the other columns follow the [`parse_csv`] rules. Missing texts are empty.
///
/// ```
/// use engine::data::import::{parse_text_csv, CsvOptions};
/// use engine::data::text::TextOptions;
/// let csv = "review,label\ngood film,pos\nbad film,neg\n";
/// let d = parse_text_csv(csv.as_bytes(), &CsvOptions::named("t"), "review", &TextOptions::default())
///     .unwrap();
/// assert_eq!(d.feature_names, vec!["review:bad", "review:film", "review:good"]);
/// // Each row's text is kept for display.
/// assert!(matches!(&d.display, engine::data::RowDisplay::Texts { texts, .. } if texts[0] == "good film"));
/// ```
pub fn parse_text_csv(
    bytes: &[u8],
    options: &CsvOptions,
    text_column: &str,
    text_options: &TextOptions,
) -> Result<Dataset, DataError> {
    parse_source(
        &Bytes(bytes),
        options,
        false,
        Some((text_column, text_options)),
    )
}

/// [`parse_text_csv`] for JSON Lines input.
///
/// ```
/// use engine::data::import::{parse_text_jsonl, CsvOptions};
/// use engine::data::text::TextOptions;
/// let text = "{\"text\": \"good film\", \"label\": \"pos\"}\n{\"text\": \"bad\", \"label\": \"neg\"}";
/// let d = parse_text_jsonl(text.as_bytes(), &CsvOptions::named("t"), "text", &TextOptions::default())
///     .unwrap();
/// assert_eq!(d.n_features(), 3);
/// ```
pub fn parse_text_jsonl(
    bytes: &[u8],
    options: &CsvOptions,
    text_column: &str,
    text_options: &TextOptions,
) -> Result<Dataset, DataError> {
    parse_source(
        &Bytes(bytes),
        options,
        true,
        Some((text_column, text_options)),
    )
}

/// Read a file into a table of text cells without typing its columns: JSON Lines when `jsonl`,
/// else CSV/TSV (for [`super::preview`]).
pub(crate) fn read_table(
    source: &dyn ByteSource,
    options: &CsvOptions,
    jsonl: bool,
) -> Result<Table, DataError> {
    if jsonl {
        jsonl::read_jsonl(source)
    } else {
        csv::read_csv(source, options)
    }
}
