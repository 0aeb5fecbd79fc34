//! Preview and mapping: what a file looks like before it becomes a [`Dataset`], and the import
//! with the column roles the person chose.
//!
//! [`preview`] reads the whole file (so the counts are exact) and returns its first rows as
//! text, each column's [`ColumnKind`] and missing cells, and a suggested [`Mapping`]:
//!
//! - **label**: the first column named like one of [`LABEL_COLUMN_NAMES`] or
//!   [`EXTRA_LABEL_NAMES`] (ASCII case-insensitively), else none: a file without labels is the
//!   normal case, and the person names the classes instead ([`Mapping::classes`]);
//! - **text**: among the [`ColumnKind::Text`] columns, the one with the longest mean text;
//! - **id**: a column named `id`, `uid`, `key`, `index` or ending in `_id`, else a non-numeric
//!   column whose every value is present, distinct and at most 40 characters without spaces;
//! - **ignore**: categorical columns with more than [`DEFAULT_MAX_CATEGORIES`] values (the
//!   import would refuse them as features).
//!
//! A column's kind, from its non-missing cells: none → [`ColumnKind::Empty`]; one distinct value
//! → [`ColumnKind::Constant`]; at least half numbers → [`ColumnKind::Numeric`]; a mean of four
//! or more words, or more than 50 distinct values that are more than half the cells with a mean
//! of two or more words → [`ColumnKind::Text`]; otherwise [`ColumnKind::Categorical`].
//!
//! [`import_with_mapping`] then imports the file with those roles. Without a label column, an
//! empty one is added, so every row is unlabeled (the pool); [`Mapping::classes`] adds the
//! class names the person typed.

use super::dates;
use super::import::{
    fill_text, read_table, CsvOptions, DEFAULT_MAX_CATEGORIES, LABEL_COLUMN_NAMES,
};
use super::schema::{
    self, is_missing, parse_number, Column, FixedMap, Held, Table, HEAD_TEXT_ROWS,
};
use super::source::{ByteSource, Bytes};
use super::text::TextOptions;
use super::{DataError, Dataset, RowDisplay};
use serde::{Deserialize, Serialize};

/// Column names taken as a label besides [`LABEL_COLUMN_NAMES`] when suggesting a mapping.
pub const EXTRA_LABEL_NAMES: [&str; 6] =
    ["category", "labels", "tag", "outcome", "diagnosis", "digit"];

/// The most terms a text column mapped by [`import_with_mapping`] becomes (the features are
/// stored densely and every label refits the model on them).
pub const MAPPED_TEXT_FEATURES: usize = 500;

/// The longest cell text a preview shows, in characters (longer ones end in `…`).
pub const PREVIEW_CELL_CHARS: usize = 200;

/// What a column looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnKind {
    /// Mostly numbers.
    Numeric,
    /// A few repeated values.
    Categorical,
    /// Free text (long, mostly distinct values).
    Text,
    /// Every cell missing.
    Empty,
    /// One value throughout.
    Constant,
    /// Dates or times, in one format ([`super::dates`]): it becomes date features.
    Date,
}

impl ColumnKind {
    /// A short name for the person.
    ///
    /// ```
    /// assert_eq!(engine::data::preview::ColumnKind::Text.label(), "text");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            Self::Numeric => "number",
            Self::Categorical => "category",
            Self::Text => "text",
            Self::Empty => "empty",
            Self::Constant => "constant",
            Self::Date => "date",
        }
    }
}

/// One column of a [`Preview`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnPreview {
    /// The column's name (from the header, else `column_N`).
    pub name: String,
    /// What it looks like.
    pub kind: ColumnKind,
    /// Cells that are missing-value tokens.
    pub missing: usize,
    /// Distinct non-missing values.
    pub distinct: usize,
}

/// Which column plays which role, as the person chose (or [`preview`] suggested).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// The label column; `None`: the file has no labels.
    pub label: Option<String>,
    /// A column of free text to learn from.
    pub text: Option<String>,
    /// A column of row ids (kept, not learned from).
    pub id: Option<String>,
    /// Columns to leave out.
    pub ignore: Vec<String>,
    /// Class names the person adds (needed when the file has fewer than two).
    pub classes: Vec<String>,
}

/// The first rows of a file and what its columns look like.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    /// The file's name.
    pub name: String,
    /// `"CSV"`, `"TSV"`, `"CSV (;)"` or `"JSON Lines"`.
    pub format: String,
    /// Whether the first line was taken as a header.
    pub header_detected: bool,
    /// Data rows in the file.
    pub n_rows: usize,
    /// The columns, in file order.
    pub columns: Vec<ColumnPreview>,
    /// The first rows, one text per column (long cells cut to [`PREVIEW_CELL_CHARS`]).
    pub rows: Vec<Vec<String>>,
    /// The suggested roles.
    pub suggested: Mapping,
    /// How the suggested label column was found, when one was.
    #[serde(default)]
    pub label_found: Option<LabelFound>,
    /// Why the roles were suggested, in sentences for the person.
    #[serde(default)]
    pub why: Vec<String>,
}

/// How a suggested label column was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LabelFound {
    /// Its name says so (`label`, `class`, `target`, …).
    ByName,
    /// A category column of few values, empty in most rows: the shape of partly labeled data.
    PartlyLabeled,
}

/// Whether a file name means JSON Lines (`.jsonl`, `.ndjson`).
///
/// ```
/// use engine::data::preview::is_jsonl;
/// assert!(is_jsonl("a.JSONL") && is_jsonl("b.ndjson") && !is_jsonl("c.csv"));
/// ```
pub fn is_jsonl(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    lower.ends_with(".jsonl") || lower.ends_with(".ndjson")
}

/// A cell cut to [`PREVIEW_CELL_CHARS`] characters.
fn cut(cell: &str) -> String {
    match cell.char_indices().nth(PREVIEW_CELL_CHARS) {
        Some((at, _)) => format!("{}…", &cell[..at]),
        None => cell.to_string(),
    }
}

struct Stats {
    kind: ColumnKind,
    missing: usize,
    distinct: usize,
    mean_chars: f64,
    short_unique: bool,
}

/// A cell's characters, its words (split at whitespace) and whether it holds any whitespace.
///
/// ASCII cells (nearly all) are measured byte by byte, because the `char` iterators are slow
/// over every cell of a preview. ASCII whitespace in `char::is_whitespace`'s sense is U+0009..=U+000D and
/// the space (a test checks both paths agree).
fn text_shape(cell: &str) -> (usize, usize, bool) {
    if !cell.is_ascii() {
        return (
            cell.chars().count(),
            cell.split_whitespace().count(),
            cell.contains(char::is_whitespace),
        );
    }
    let space = |b: u8| b == b' ' || (b'\t'..=b'\r').contains(&b);
    let (mut words, mut in_word, mut blank) = (0, false, false);
    for &b in cell.as_bytes() {
        if space(b) {
            blank = true;
            in_word = false;
        } else {
            words += usize::from(!in_word);
            in_word = true;
        }
    }
    (cell.len(), words, blank)
}

/// The most distinct values counted per column.
const DISTINCT_CAP: usize = 100_000;

/// [`column_stats`] of a column held as numbers: every cell a finite number or missing. Distinct
/// values are counted by value (`1.5` and `1.50` are one), as the import compares them.
fn number_stats(table: &Table, col: usize) -> Stats {
    let rows = table.first_data_row..table.n_rows();
    let mut missing = 0usize;
    let mut seen: FixedMap<u64, ()> =
        FixedMap::with_capacity_and_hasher(rows.len().min(DISTINCT_CAP), Default::default());
    for row in rows.clone() {
        let v = table.number(col, row).unwrap_or(f64::NAN);
        if v.is_nan() {
            missing += 1;
        } else if seen.len() < DISTINCT_CAP {
            // -0 and 0 are one value.
            seen.insert((v + 0.0).to_bits(), ());
        }
    }
    let present = rows.len() - missing;
    let distinct = seen.len();
    let dated = || {
        dates::detect_numbers(
            rows.clone().filter_map(|row| table.number(col, row)),
            &table.names[col],
        )
        .is_some()
    };
    Stats {
        kind: if present == 0 {
            ColumnKind::Empty
        } else if distinct == 1 {
            ColumnKind::Constant
        } else if dated() {
            ColumnKind::Date
        } else {
            ColumnKind::Numeric
        },
        missing,
        distinct,
        mean_chars: 0.0,
        short_unique: false,
    }
}

fn column_stats(table: &Table, col: usize) -> Stats {
    if table.held(col) != Held::Text {
        return number_stats(table, col);
    }
    let column = &table.columns[col];
    let decimal_comma = table.delimiter == Some(';');
    let rows = table.first_data_row..column.len();
    let (mut missing, mut numeric, mut chars, mut words) = (0usize, 0usize, 0usize, 0usize);
    let mut short = true;
    // Sized for the rows up front: growing by doubling would rehash every key seen so far, again
    // and again, in every column.
    let mut seen: FixedMap<&str, ()> =
        FixedMap::with_capacity_and_hasher(rows.len().min(DISTINCT_CAP), Default::default());
    for row in rows.clone() {
        let cell = column.get(row);
        if is_missing(cell) {
            missing += 1;
            continue;
        }
        if parse_number(cell, decimal_comma).is_some() {
            numeric += 1;
        }
        let (n_chars, n_words, blank) = text_shape(cell);
        chars += n_chars;
        words += n_words;
        short &= cell.len() <= 40 && !blank;
        if seen.len() < DISTINCT_CAP {
            seen.insert(cell, ());
        }
    }
    let present = rows.len() - missing;
    let distinct = seen.len();
    let mean_chars = chars as f64 / present.max(1) as f64;
    let mean_words = words as f64 / present.max(1) as f64;
    let dated = || {
        let cells = rows
            .clone()
            .map(|row| column.get(row))
            .filter(|c| !is_missing(c));
        dates::detect(cells, &table.names[col]).is_some()
    };
    let kind = if present == 0 {
        ColumnKind::Empty
    } else if distinct == 1 {
        ColumnKind::Constant
    } else if numeric == 0 && dated() {
        ColumnKind::Date
    } else if numeric * 2 >= present {
        ColumnKind::Numeric
    } else if mean_words >= 4.0 || (distinct > 50 && distinct * 2 > present && mean_words >= 2.0) {
        ColumnKind::Text
    } else {
        ColumnKind::Categorical
    };
    Stats {
        kind,
        missing,
        distinct,
        mean_chars,
        short_unique: missing == 0 && distinct == present && short && numeric == 0,
    }
}

/// The most values a category column may have to be suggested as partly filled-in labels.
const PARTLY_LABELED_MAX_CLASSES: usize = 20;

/// The roles suggested for a file's columns, how its label column was found, and why, in
/// sentences.
fn suggest(
    names: &[String],
    stats: &[Stats],
    n_rows: usize,
) -> (Mapping, Option<LabelFound>, Vec<String>) {
    let usable = |i: usize| stats[i].kind != ColumnKind::Empty;
    let by_name = LABEL_COLUMN_NAMES
        .iter()
        .chain(EXTRA_LABEL_NAMES.iter())
        .find_map(|want| {
            (0..names.len()).find(|&i| usable(i) && names[i].eq_ignore_ascii_case(want))
        });
    // Partly labeled data: a category of few values, each given to several rows on average,
    // that most rows leave empty (the rows to label); the emptiest such column when there are
    // several. Notes written once each are not labels.
    let partly = (0..names.len())
        .filter(|&i| {
            let s = &stats[i];
            let present = n_rows.saturating_sub(s.missing);
            s.kind == ColumnKind::Categorical
                && (2..=PARTLY_LABELED_MAX_CLASSES).contains(&s.distinct)
                && s.missing * 2 > n_rows
                && present >= 2 * s.distinct
        })
        .max_by_key(|&i| (stats[i].missing, std::cmp::Reverse(i)));
    let (label, found) = match (by_name, partly) {
        (Some(i), _) => (Some(i), Some(LabelFound::ByName)),
        (None, Some(i)) => (Some(i), Some(LabelFound::PartlyLabeled)),
        (None, None) => (None, None),
    };
    let mut why = Vec::new();
    match (label, found) {
        (Some(i), Some(LabelFound::ByName)) => why.push(format!(
            "'{}' is taken for the labels: its name says so.",
            names[i]
        )),
        (Some(i), Some(LabelFound::PartlyLabeled)) => why.push(format!(
            "'{}' is suggested for the labels: a category with {} values, empty in {} of {} rows, \
             as partly labeled data is (the empty rows are the ones to label). Check it.",
            names[i], stats[i].distinct, stats[i].missing, n_rows
        )),
        _ => why.push(
            "No column looks like labels: every row starts unlabeled (choose the label column \
             if the file has one)."
                .to_string(),
        ),
    }
    let text = (0..names.len())
        .filter(|&i| Some(i) != label && stats[i].kind == ColumnKind::Text)
        .max_by(|&a, &b| stats[a].mean_chars.total_cmp(&stats[b].mean_chars));
    let free = |i: usize| Some(i) != label && Some(i) != text;
    let id_named = |n: &str| {
        let n = n.to_ascii_lowercase();
        matches!(n.as_str(), "id" | "uid" | "key" | "index") || n.ends_with("_id")
    };
    let dated = |i: usize| stats[i].kind == ColumnKind::Date;
    let id = (0..names.len())
        .find(|&i| free(i) && usable(i) && !dated(i) && id_named(&names[i]))
        .or_else(|| (0..names.len()).find(|&i| free(i) && !dated(i) && stats[i].short_unique));
    let ignore: Vec<String> = (0..names.len())
        .filter(|&i| {
            free(i)
                && Some(i) != id
                && matches!(stats[i].kind, ColumnKind::Categorical | ColumnKind::Text)
                && stats[i].distinct > DEFAULT_MAX_CATEGORIES
        })
        .map(|i| names[i].clone())
        .collect();
    for i in (0..names.len()).filter(|&i| free(i) && dated(i)) {
        why.push(format!(
            "'{}' holds dates: it becomes the year, the month, the day of the year and the \
             weekday (and the time of day when it has one).",
            names[i]
        ));
    }
    if let Some(i) = text {
        why.push(format!(
            "'{}' is free text: its words become features.",
            names[i]
        ));
    }
    if !ignore.is_empty() {
        why.push(format!(
            "Left out: {} (more than {DEFAULT_MAX_CATEGORIES} distinct values, too many to be \
             categories).",
            ignore.join(", ")
        ));
    }
    let mapping = Mapping {
        label: label.map(|i| names[i].clone()),
        text: text.map(|i| names[i].clone()),
        id: id.map(|i| names[i].clone()),
        ignore,
        classes: Vec::new(),
    };
    (mapping, found, why)
}

/// Read a file (JSON Lines when [`is_jsonl`] says so, else CSV/TSV) and describe it: its first
/// `max_rows` rows, its columns and a suggested [`Mapping`] (see the module docs). Refuses what
/// the import would refuse while reading (binary data, bad quotes, ragged rows, …).
///
/// ```
/// use engine::data::preview::{preview, ColumnKind};
/// let csv = "id,height,colour,comment\na1,1.5,red,a fine and sunny day\na2,2.5,,the rain it raineth every day\n";
/// let p = preview(csv.as_bytes(), "walks.csv", 1).unwrap();
/// assert_eq!(p.n_rows, 2);
/// assert_eq!(p.rows, vec![vec!["a1", "1.5", "red", "a fine and sunny day"]]);
/// assert_eq!(p.columns[2].missing, 1);
/// assert_eq!(p.columns[3].kind, ColumnKind::Text);
/// assert_eq!(p.suggested.label, None); // no labels: the normal case
/// assert_eq!(p.suggested.text.as_deref(), Some("comment"));
/// assert_eq!(p.suggested.id.as_deref(), Some("id"));
/// ```
pub fn preview(bytes: &[u8], file_name: &str, max_rows: usize) -> Result<Preview, DataError> {
    preview_source(&Bytes(bytes), file_name, max_rows)
}

/// [`preview`] of a file read from a [`ByteSource`] (the browser's worker reads the picked file
/// in slices instead of holding it in memory).
pub fn preview_source(
    source: &dyn ByteSource,
    file_name: &str,
    max_rows: usize,
) -> Result<Preview, DataError> {
    let jsonl = is_jsonl(file_name);
    let mut table = read_table(source, &CsvOptions::named(file_name), jsonl)?;
    let n_rows = table.n_rows().saturating_sub(table.first_data_row);
    // Columns that stopped being numbers are read again as text; numeric columns too when the
    // rows shown go past the text kept for every column.
    let shown_past_head = table.first_data_row + n_rows.min(max_rows) > HEAD_TEXT_ROWS;
    let again: Vec<usize> = table
        .without_text()
        .into_iter()
        .filter(|&c| shown_past_head || table.held(c) == Held::Unread)
        .collect();
    fill_text(source, &mut table, &again)?;
    let stats: Vec<Stats> = (0..table.names.len())
        .map(|i| column_stats(&table, i))
        .collect();
    let first = table.first_data_row;
    let rows = (first..first + n_rows.min(max_rows))
        .map(|row| table.columns.iter().map(|c| cut(c.get(row))).collect())
        .collect();
    let (suggested, label_found, why) = suggest(&table.names, &stats, n_rows);
    let format = match table.delimiter {
        None => "JSON Lines".to_string(),
        Some(',') => "CSV".to_string(),
        Some('\t') => "TSV".to_string(),
        Some(d) => format!("CSV ({d})"),
    };
    Ok(Preview {
        name: file_name.to_string(),
        format,
        header_detected: table.header_detected,
        n_rows,
        columns: table
            .names
            .iter()
            .zip(&stats)
            .map(|(name, s)| ColumnPreview {
                name: name.clone(),
                kind: s.kind,
                missing: s.missing,
                distinct: s.distinct,
            })
            .collect(),
        rows,
        suggested,
        label_found,
        why,
    })
}

/// The column a name asks for: the exact name, else the first ASCII case-insensitive match.
fn find(names: &[String], wanted: &str) -> Option<usize> {
    let wanted = wanted.trim();
    names
        .iter()
        .position(|n| n == wanted)
        .or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(wanted)))
}

/// Each data row's text in `column` (missing cells are empty), as a [`RowDisplay::Texts`];
/// [`RowDisplay::Table`] when there is no such column.
pub(crate) fn text_display(table: &Table, column: &str) -> RowDisplay {
    let Some(i) = find(&table.names, column) else {
        return RowDisplay::Table;
    };
    let cells = &table.columns[i];
    let texts = (table.first_data_row..cells.len())
        .map(|row| {
            let cell = cells.get(row);
            if is_missing(cell) {
                String::new()
            } else {
                cell.to_string()
            }
        })
        .collect();
    RowDisplay::Texts {
        column: table.names[i].clone(),
        texts,
    }
}

/// Import a file with the roles of `mapping` (see the module docs): the label column (or none:
/// every row unlabeled), a text column vectorized with [`TextOptions::default`] but without
/// English stop words and with at most [`MAPPED_TEXT_FEATURES`] terms, an id column, ignored
/// columns, and extra class names.
///
/// ```
/// use engine::data::preview::{import_with_mapping, Mapping};
/// let csv = "x,y,note\n1,2,a\n3,5,b\n4,4,c\n";
/// let mapping = Mapping {
///     ignore: vec!["note".into()],
///     classes: vec!["cat".into(), "dog".into()],
///     ..Mapping::default()
/// };
/// let d = import_with_mapping(csv.as_bytes(), "pets.csv", &mapping).unwrap();
/// assert_eq!(d.feature_names, vec!["x", "y"]);
/// assert_eq!(d.known_labels, vec![None, None, None]);
/// assert_eq!(d.class_names, vec!["cat", "dog"]);
/// assert_eq!(d.report.label_column, "");
/// ```
pub fn import_with_mapping(
    bytes: &[u8],
    file_name: &str,
    mapping: &Mapping,
) -> Result<Dataset, DataError> {
    import_source(&Bytes(bytes), file_name, mapping)
}

/// [`import_with_mapping`] of a file read from a [`ByteSource`].
pub fn import_source(
    source: &dyn ByteSource,
    file_name: &str,
    mapping: &Mapping,
) -> Result<Dataset, DataError> {
    let mut options = CsvOptions::named(file_name);
    options.id_column = mapping.id.clone();
    options.ignore = mapping.ignore.clone();
    let mut table = read_table(source, &options, is_jsonl(file_name))?;
    let synthetic = mapping.label.is_none();
    let label = match &mapping.label {
        Some(label) => label.clone(),
        None => {
            let mut name = "(no label)".to_string();
            while table.names.contains(&name) {
                name.push('_');
            }
            let rows = table.n_rows();
            let mut column = Column::default();
            for _ in 0..rows {
                column.push("");
            }
            table.columns.push(column);
            table.names.push(name.clone());
            name
        }
    };
    options.label_column = Some(label);
    let text_options = TextOptions {
        english_stop_words: true,
        max_features: Some(MAPPED_TEXT_FEATURES),
        ..TextOptions::default()
    };
    let text = mapping.text.as_deref().map(|t| (t, &text_options));
    let needed = schema::text_needed(&table, &options, text);
    fill_text(source, &mut table, &needed)?;
    let display = mapping
        .text
        .as_deref()
        .map_or(RowDisplay::Table, |t| text_display(&table, t));
    let mut data = schema::build(table, &options, text)?;
    if synthetic {
        data.report.label_column = String::new();
    }
    data.display = display;
    data.add_classes(&mapping.classes);
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn the_ascii_shape_of_a_cell_is_the_chars_shape() {
        let slow = |c: &str| {
            (
                c.chars().count(),
                c.split_whitespace().count(),
                c.contains(char::is_whitespace),
            )
        };
        for cell in [
            "",
            " ",
            "a",
            "1.5",
            " two  words ",
            "tab\tand\nline\rends",
            "vt\x0bff\x0c",
            "\x1fnot space",
            "trailing ",
            "  ",
            "é accent",
            "ünï cödé\u{2003}em space",
        ] {
            assert_eq!(text_shape(cell), slow(cell), "{cell:?}");
        }
    }

    #[test]
    fn kinds_and_suggestions() {
        let mut csv = String::from("key,size,colour,label,blank,same\n");
        for i in 0..60 {
            let label = if i % 3 == 0 { "yes" } else { "" };
            csv.push_str(&format!("k{i},{i}.5,c{},{label},,1\n", i % 4));
        }
        let p = preview(csv.as_bytes(), "t.csv", 5).unwrap();
        let kinds: Vec<ColumnKind> = p.columns.iter().map(|c| c.kind).collect();
        use ColumnKind::*;
        assert_eq!(
            kinds,
            vec![Categorical, Numeric, Categorical, Constant, Empty, Constant]
        );
        assert_eq!(p.rows.len(), 5);
        assert_eq!(p.columns[3].missing, 40);
        assert_eq!(p.suggested.label.as_deref(), Some("label"));
        assert_eq!(p.suggested.id.as_deref(), Some("key"));
        assert_eq!(p.suggested.text, None);
        assert_eq!(p.format, "CSV");
    }

    #[test]
    fn too_many_categories_are_suggested_as_ignored() {
        let mut csv = String::from("x,city\n");
        for i in 0..80 {
            csv.push_str(&format!("{i},town{}\n", i % 70));
        }
        let p = preview(csv.as_bytes(), "t.csv", 3).unwrap();
        assert_eq!(p.suggested.ignore, vec!["city"]);
    }

    #[test]
    fn long_cells_are_cut_and_errors_pass_through() {
        let long = "é".repeat(300);
        let p = preview(format!("a,b\n1,{long}\n").as_bytes(), "t.csv", 5).unwrap();
        assert_eq!(p.rows[0][1].chars().count(), PREVIEW_CELL_CHARS + 1);
        assert!(p.rows[0][1].ends_with('…'));
        let err = preview(b"a,b\n1,2\n3\n", "t.csv", 5).unwrap_err();
        assert!(matches!(err, DataError::Ragged { line: 3, .. }));
    }

    #[test]
    fn mapping_with_text_keeps_the_texts() {
        let jsonl = "{\"id\": \"a\", \"msg\": \"free money now\", \"y\": \"spam\"}\n{\"id\": \"b\", \"msg\": \"lunch at noon\", \"y\": null}\n{\"id\": \"c\", \"msg\": null, \"y\": \"ham\"}\n";
        let mapping = Mapping {
            label: Some("y".into()),
            text: Some("msg".into()),
            id: Some("id".into()),
            ..Mapping::default()
        };
        let d = import_with_mapping(jsonl.as_bytes(), "m.jsonl", &mapping).unwrap();
        assert_eq!(d.row_ids, vec!["a", "b", "c"]);
        assert_eq!(d.class_names, vec!["ham", "spam"]);
        assert_eq!(
            d.display,
            RowDisplay::Texts {
                column: "msg".into(),
                texts: vec!["free money now".into(), "lunch at noon".into(), "".into()]
            }
        );
        assert!(d.feature_names.iter().all(|f| f.starts_with("msg:")));
    }

    #[test]
    fn no_label_column_means_every_row_is_unlabeled() {
        let d = import_with_mapping(b"x\n1\n2\n", "one.csv", &Mapping::default()).unwrap();
        assert_eq!(d.known_labels, vec![None, None]);
        assert_eq!(d.n_classes(), 0);
        assert_eq!(d.report.unlabeled_rows, 2);
        // A column already named like the synthetic one does not clash.
        let d =
            import_with_mapping(b"(no label),x\n1,5\n2,6\n", "t.csv", &Mapping::default()).unwrap();
        assert_eq!(d.feature_names, vec!["(no label)", "x"]);
    }
}
