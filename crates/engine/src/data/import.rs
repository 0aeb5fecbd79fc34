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

use super::schema::{
    self, is_missing, parse_number, Column, FixedMap, Held, Numbers, Table, HEAD_TEXT_ROWS,
};
use super::source::{read_range, scan, ByteSource, Bytes, Reader};
use super::text::TextOptions;
use super::{DataError, Dataset};
use csv::{ByteRecord, ReaderBuilder};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use std::cell::Cell;
use std::fmt;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};

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

/// The 1-based line of a byte offset.
fn line_of(bytes: &[u8], offset: usize) -> u64 {
    let end = offset.min(bytes.len());
    bytes[..end].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// NULs at (almost) every other byte of the start: UTF-16 without a byte order mark.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(256)];
    let pairs = head.len() / 2;
    if pairs < 2 {
        return false;
    }
    let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    (even * 10 >= pairs * 9 && odd == 0) || (odd * 10 >= pairs * 9 && even == 0)
}

/// Whether the text starts like an HTML page (`<!DOCTYPE html`, `<html`, `<head`, `<body`).
fn looks_like_html(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..bytes.len().min(start + 16)];
    ["<!doctype html", "<html", "<head", "<body"]
        .iter()
        .any(|tag| {
            head.len() >= tag.len() && head[..tag.len()].eq_ignore_ascii_case(tag.as_bytes())
        })
}

/// Bytes read from the start of a file for the checks before parsing and the delimiter sniffing:
/// a UTF-8 byte order mark and [`SNIFF_BYTES`].
const HEAD_BYTES: usize = 3 + SNIFF_BYTES;

/// The start of a file as [`head_checks`] found it: where the text starts (after a UTF-8 byte
/// order mark) and the first bytes.
struct Head {
    start: u64,
    bytes: Vec<u8>,
}

impl Head {
    fn text(&self) -> &[u8] {
        self.bytes.get(self.start as usize..).unwrap_or(&[])
    }

    /// The text's first [`SNIFF_BYTES`], and whether the text goes on after them.
    fn sample(&self, size: u64) -> (&[u8], bool) {
        let text = self.text();
        let sample = &text[..text.len().min(SNIFF_BYTES)];
        (sample, size - self.start > sample.len() as u64)
    }
}

/// Refuse by its first bytes what is not UTF-8 text: archives, gzip, UTF-16 with a byte order
/// mark, a web page; skip a UTF-8 byte order mark. The checks that need every byte (empty, a NUL
/// anywhere) watch the bytes as the parse reads them ([`Watch`]).
fn head_checks(source: &dyn ByteSource) -> Result<Head, DataError> {
    let bytes = read_range(source, 0, HEAD_BYTES)?;
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Err(DataError::ZipArchive);
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Err(DataError::Gzip);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(DataError::Utf16);
    }
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let head = Head { start, bytes };
    // A web page has a '<', so it is neither blank nor only punctuation: refused before those.
    if looks_like_html(head.text()) {
        return Err(DataError::Html);
    }
    Ok(head)
}

/// What the parse's reads have shown of the whole text: whether it is blank or only delimiters,
/// quotes and blanks, and where its first NUL is. Fed by the reader as bytes go by, so the
/// file is read once, not once for the checks and again for the parse.
#[derive(Default)]
struct Watch {
    /// Bytes seen, from the text's start.
    seen: Cell<u64>,
    blank: Cell<bool>,
    only_punctuation: Cell<bool>,
    /// Where the first NUL is, from the text's start.
    nul: Cell<Option<u64>>,
}

impl Watch {
    fn new() -> Self {
        Self {
            blank: Cell::new(true),
            only_punctuation: Cell::new(true),
            ..Self::default()
        }
    }

    fn observe(&self, chunk: &[u8]) {
        let at = self.seen.get();
        self.seen.set(at + chunk.len() as u64);
        if self.nul.get().is_none() {
            // memchr: this runs over every byte of every import; the NUL's line is counted only
            // when there is one.
            if let Some(p) = memchr::memchr(0, chunk) {
                self.nul.set(Some(at + p as u64));
            }
        }
        if self.only_punctuation.get() {
            self.blank
                .set(self.blank.get() && chunk.iter().all(u8::is_ascii_whitespace));
            self.only_punctuation.set(
                chunk
                    .iter()
                    .all(|b| b.is_ascii_whitespace() || matches!(b, b',' | b';' | b'\t' | b'"')),
            );
        }
    }

    /// After the parse, whatever it gave: look at the bytes it did not read (it stopped at an
    /// error), then refuse a blank file, a NUL anywhere (binary data, or UTF-16 without a byte
    /// order mark) and, for CSV, a file of nothing but punctuation, before the parse's own result.
    fn finish<T>(
        &self,
        source: &dyn ByteSource,
        head: &Head,
        csv: bool,
        parsed: Result<T, DataError>,
    ) -> Result<T, DataError> {
        if self.nul.get().is_none() || self.only_punctuation.get() {
            scan(source, head.start + self.seen.get(), |chunk| {
                self.observe(chunk);
                self.nul.get().is_none() || self.only_punctuation.get()
            })?;
        }
        if self.blank.get() {
            return Err(DataError::Empty);
        }
        if let Some(nul) = self.nul.get() {
            if looks_like_utf16(head.text()) {
                return Err(DataError::Utf16);
            }
            let mut newlines = 0u64;
            let mut left = nul;
            scan(source, head.start, |chunk| {
                let part = &chunk[..chunk.len().min(usize::try_from(left).unwrap_or(usize::MAX))];
                newlines += memchr::memchr_iter(b'\n', part).count() as u64;
                left -= part.len() as u64;
                left > 0
            })?;
            return Err(DataError::NotText { line: newlines + 1 });
        }
        if csv && self.only_punctuation.get() {
            return Err(DataError::Empty);
        }
        parsed
    }
}

/// `bytes` as UTF-8, or the error naming `line` (plus the newlines before the bad byte).
fn utf8(bytes: &[u8], line: u64) -> Result<&str, DataError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        DataError::NotUtf8 {
            line: line + line_of(bytes, at) - 1,
            byte: bytes.get(at).copied().unwrap_or(0),
        }
    })
}

/// Bytes at the start of a file the delimiter is sniffed from.
const SNIFF_BYTES: usize = 64 * 1024;

/// The delimiter among [`SNIFFED_DELIMITERS`] that splits the start of the file most
/// consistently (see the module docs).
///
/// `sample` is the text's first [`SNIFF_BYTES`]; `truncated`, whether the text goes on after it.
fn sniff_delimiter(sample: &[u8], truncated: bool) -> u8 {
    const RECORDS: usize = 30;
    let mut best = (SNIFFED_DELIMITERS[0], (false, 0usize, 0usize));
    for (k, &delimiter) in SNIFFED_DELIMITERS.iter().enumerate() {
        let mut reader = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(sample);
        let mut record = ByteRecord::new();
        let mut counts = Vec::new();
        while counts.len() < RECORDS {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {
                    if record.iter().any(|f| !f.trim_ascii().is_empty()) {
                        counts.push(record.len());
                    }
                }
                _ => break,
            }
        }
        if truncated && counts.len() > 1 && counts.len() < RECORDS {
            counts.pop(); // the sample may have cut the last record short
        }
        let Some(&first) = counts.first() else {
            continue;
        };
        let same = counts.iter().filter(|&&c| c == first).count();
        let score = (
            first >= 2 && same == counts.len(),
            same * (first >= 2) as usize,
            first,
        );
        if k == 0 || score > best.1 {
            best = (delimiter, score);
        }
    }
    best.0
}

/// Where a quote opened in the file from byte `start` on (a record start) is never closed,
/// following the CSV reader's own rules: a quote opens a field only at its start; `""` inside is
/// a quote.
fn unclosed_quote(
    source: &dyn ByteSource,
    start: u64,
    start_line: u64,
    delimiter: u8,
) -> Result<Option<u64>, DataError> {
    #[derive(PartialEq)]
    enum S {
        Start,
        Field,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = S::Start;
    let (mut line, mut opened) = (start_line, start_line);
    scan(source, start, |chunk| {
        for &b in chunk {
            let ends_field = b == delimiter || b == b'\n' || b == b'\r';
            state = match state {
                S::Start if b == b'"' => {
                    opened = line;
                    S::Quoted
                }
                S::Start | S::Field | S::QuoteInQuoted if ends_field => S::Start,
                S::Start | S::Field => S::Field,
                S::Quoted if b == b'"' => S::QuoteInQuoted,
                S::Quoted => S::Quoted,
                S::QuoteInQuoted if b == b'"' => S::Quoted,
                S::QuoteInQuoted => S::Field,
            };
            if b == b'\n' {
                line += 1;
            }
        }
        true
    })?;
    Ok((state == S::Quoted).then_some(opened))
}

/// The first row's cell `i` as a column name for messages (before the header is decided).
fn provisional_name(columns: &[Column], i: usize) -> String {
    match columns.get(i).filter(|c| c.len() > 0).map(|c| c.get(0)) {
        Some(name) if !name.is_empty() && parse_number(name, false).is_none() => name.to_string(),
        _ => format!("column_{}", i + 1),
    }
}

/// Whether row 0 looks like data rather than a header (see the module docs).
///
/// Every column holds the text of its first [`HEAD_TEXT_ROWS`] rows, numeric ones included, so
/// the look-ahead sees the same cells however the column is held.
fn first_row_is_data(columns: &[Column], decimal_comma: bool) -> bool {
    const LOOK_AHEAD: usize = HEAD_TEXT_ROWS - 1;
    let mut numbers = 0;
    let mut texts = Vec::new();
    for (i, column) in columns.iter().enumerate() {
        let cell = column.get(0);
        if is_missing(cell) {
            continue;
        }
        if parse_number(cell, decimal_comma).is_some() {
            numbers += 1;
        } else {
            texts.push(i);
        }
    }
    numbers > 0
        && texts.iter().all(|&i| {
            let column = &columns[i];
            let first = column.get(0);
            (1..column.len().min(LOOK_AHEAD + 1)).any(|row| column.get(row) == first)
        })
}

/// The CSV reader's buffer: [`ByteSource::read_at`] is asked for this much at a time.
const CSV_BUFFER_BYTES: usize = 64 * 1024;

/// Rows read before the columns are sized for the whole file (see [`presize`]).
const PRESIZE_AFTER_ROWS: usize = 256;

/// Size every column for the rows still to come, estimated from the first rows: `consumed` of
/// `total` bytes held `lines.len()` rows.
///
/// Why: a column grown one cell at a time doubles its buffers, so at the end of a large file the
/// buffers hold up to twice their cells, and while one moves both copies are live. The estimate
/// is raised by 2 % and capped by the bytes left, so a file whose first rows are unusual costs at
/// most its own size; where it falls short, the buffers grow by doubling.
///
/// Called again when the numbers block is full, the rows still to come are estimated from the
/// rows read since the last call (`since`: rows and bytes then), not from the first rows.
fn presize(
    columns: &mut [Column],
    numbers: Option<&mut Numbers>,
    lines: &mut Vec<u64>,
    consumed: u64,
    total: usize,
    since: (usize, u64),
) {
    let rows = lines.len();
    let left = total.saturating_sub(usize::try_from(consumed).unwrap_or(usize::MAX));
    let (recent_rows, recent_bytes) = (
        rows.saturating_sub(since.0),
        consumed.saturating_sub(since.1),
    );
    if recent_rows == 0 || left == 0 {
        return;
    }
    let recent_bytes = usize::try_from(recent_bytes).unwrap_or(usize::MAX).max(1);
    let more_rows = (left as f64 / recent_bytes as f64 * recent_rows as f64 * 1.02).ceil() as usize;
    let more_rows = more_rows.min(left);
    lines.reserve_exact(more_rows);
    let text_held = |i: usize| {
        numbers
            .as_ref()
            .is_none_or(|n| n.held.get(i) == Some(&Held::Text))
    };
    let held_as_text: Vec<bool> = (0..columns.len()).map(text_held).collect();
    for (column, text) in columns.iter_mut().zip(held_as_text) {
        if !text {
            continue; // numbers: text only for the first rows
        }
        let per_row = column.text_len() as f64 / rows as f64;
        let more_bytes = ((per_row * more_rows as f64).ceil() as usize).min(left);
        column.reserve(more_rows, more_bytes);
    }
    if let Some(numbers) = numbers {
        numbers
            .values
            .reserve_exact(more_rows.saturating_mul(numbers.width));
    }
}

#[cfg(test)]
thread_local! {
    /// Tests read files both ways: numbers held as numbers, or every cell as text.
    static HOLD_NUMBERS: Cell<bool> = const { Cell::new(true) };
}

/// Whether columns may be held as numbers (always, except in tests that compare both ways).
fn holds_numbers() -> bool {
    #[cfg(test)]
    return HOLD_NUMBERS.with(Cell::get);
    #[cfg(not(test))]
    true
}

/// How row 1's cells decide how each column is held: a finite number or a missing cell starts
/// it as numbers (one slot each, in column order), anything else as text.
fn hold_from(record: &ByteRecord, decimal_comma: bool) -> Numbers {
    let mut width = 0;
    let held = record
        .iter()
        .map(|field| {
            let number = std::str::from_utf8(field.trim_ascii()).is_ok_and(|cell| {
                is_missing(cell) || parse_number(cell, decimal_comma).is_some_and(f64::is_finite)
            });
            if number {
                width += 1;
                Held::Number(width - 1)
            } else {
                Held::Text
            }
        })
        .collect();
    Numbers {
        values: vec![f64::NAN; width], // row 0: filled once the header is decided
        width,
        held,
    }
}

/// A cell of a column held as numbers: its value (NaN when missing), or `None` when it is
/// neither a finite number nor missing (the column then has to be read as text).
fn number_cell(cell: &str, decimal_comma: bool) -> Option<f64> {
    if is_missing(cell) {
        return Some(f64::NAN);
    }
    parse_number(cell, decimal_comma).filter(|v| v.is_finite())
}

/// Read a CSV/TSV file into a table of text cells.
fn read_csv(source: &dyn ByteSource, options: &CsvOptions) -> Result<Table, DataError> {
    let head = head_checks(source)?;
    let watch = Watch::new();
    let parsed = parse_csv_text(source, options, &head, &watch);
    watch.finish(source, &head, true, parsed)
}

/// [`read_csv`]'s parse, every byte read passing `watch`.
fn parse_csv_text(
    source: &dyn ByteSource,
    options: &CsvOptions,
    head: &Head,
    watch: &Watch,
) -> Result<Table, DataError> {
    let start = head.start;
    let text_len = source.size() - start;
    let delimiter = match options.delimiter {
        Some(d) if d.is_ascii() && !matches!(d, b'"' | b'\n' | b'\r') => d,
        Some(d) => {
            return Err(DataError::BadOption {
                option: "delimiter".into(),
                value: format!("0x{d:02X}"),
                rule: "the delimiter must be one ASCII character other than a quote or a line end"
                    .into(),
            })
        }
        None => {
            let (sample, truncated) = head.sample(source.size());
            sniff_delimiter(sample, truncated)
        }
    };
    let decimal_comma = delimiter == b';';
    let observe = |chunk: &[u8]| watch.observe(chunk);
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(CSV_BUFFER_BYTES)
        .from_reader(Reader::new(source, start).watched(&observe));
    let mut record = ByteRecord::new();
    let mut columns: Vec<Column> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    // Columns whose row 1 is a number or missing are read as numbers (see `schema::Numbers`).
    let mut numbers: Option<Numbers> = None;
    let mut last_presize = (0usize, 0u64);
    let mut last_start = (start, 1u64);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                if let Some(message) = reader.get_mut().failed.take() {
                    return Err(super::source::unreadable(message));
                }
                return Err(DataError::Csv {
                    line: e.position().map_or(0, |p| p.line()),
                    message: e.to_string(),
                });
            }
        }
        // Byte offsets in the file (the reader counts from the text's start).
        let (line, start) = record
            .position()
            .map_or((0, start), |p| (p.line(), start + p.byte()));
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        last_start = (start, line);
        if columns.is_empty() {
            if record.len() > MAX_COLUMNS {
                return Err(DataError::TooManyColumns {
                    found: record.len(),
                    max: MAX_COLUMNS,
                });
            }
            columns.resize_with(record.len(), Column::default);
        } else if record.len() != columns.len() {
            if let Some(opened) = unclosed_quote(source, start, line, delimiter)? {
                return Err(DataError::UnclosedQuote { line: opened });
            }
            let header = options
                .has_header
                .unwrap_or_else(|| !first_row_is_data(&columns, decimal_comma));
            return Err(DataError::Ragged {
                line,
                expected: columns.len(),
                found: record.len(),
                delimiter: delimiter as char,
                header,
            });
        }
        let row = lines.len();
        if row == 1 && holds_numbers() {
            numbers = Some(hold_from(&record, decimal_comma)).filter(|n| n.width > 0);
        }
        let base = numbers.as_mut().map_or(0, |n| {
            let base = n.values.len();
            n.values.resize(base + n.width, f64::NAN);
            base
        });
        for (i, field) in record.iter().enumerate() {
            let field = field.trim_ascii();
            if field.len() > MAX_CELL_BYTES {
                if let Some(opened) = unclosed_quote(source, start, line, delimiter)? {
                    return Err(DataError::UnclosedQuote { line: opened });
                }
                return Err(DataError::CellTooLong {
                    line,
                    column: provisional_name(&columns, i),
                    length: field.len(),
                    max: MAX_CELL_BYTES,
                });
            }
            let cell = utf8(field, line)?;
            let held = match numbers.as_mut() {
                Some(n) if row > 0 => {
                    if let Some(Held::Number(slot)) = n.held.get(i).copied() {
                        match number_cell(cell, decimal_comma) {
                            Some(v) => n.values[base + slot] = v,
                            None => n.held[i] = Held::Unread,
                        }
                    }
                    n.held.get(i).copied().unwrap_or(Held::Text)
                }
                _ => Held::Text,
            };
            if (held == Held::Text || row < HEAD_TEXT_ROWS) && columns[i].push(cell).is_none() {
                return Err(DataError::TooMuchText {
                    column: provisional_name(&columns, i),
                });
            }
        }
        lines.push(line);
        // Sized from the first rows, and again from the rows read since whenever the numbers
        // block is full (the first rows were longer than the rest): never grown by doubling,
        // which at the end of a large file would hold up to twice the block and copy it.
        let block_full = numbers
            .as_ref()
            .is_some_and(|n| n.values.capacity() - n.values.len() < n.width);
        if lines.len() == PRESIZE_AFTER_ROWS || (lines.len() > PRESIZE_AFTER_ROWS && block_full) {
            let consumed = reader.position().byte();
            presize(
                &mut columns,
                numbers.as_mut(),
                &mut lines,
                consumed,
                usize::try_from(text_len).unwrap_or(usize::MAX),
                last_presize,
            );
            last_presize = (lines.len(), consumed);
        }
    }
    if columns.is_empty() {
        return Err(DataError::Empty);
    }
    // A quote never closed swallows the rest of the file into the last record.
    if let Some(opened) = unclosed_quote(source, last_start.0, last_start.1, delimiter)? {
        return Err(DataError::UnclosedQuote { line: opened });
    }

    let header = options
        .has_header
        .unwrap_or_else(|| !first_row_is_data(&columns, decimal_comma));
    if let (false, Some(n)) = (header, numbers.as_mut()) {
        // Row 0 is data: its cells of numeric columns as numbers too.
        for (i, column) in columns.iter().enumerate() {
            if let Some(Held::Number(slot)) = n.held.get(i).copied() {
                match number_cell(column.get(0), decimal_comma) {
                    Some(v) => n.values[slot] = v,
                    None => n.held[i] = Held::Unread,
                }
            }
        }
    }
    let mut names: Vec<String> = (0..columns.len())
        .map(|i| {
            let cell = if header { columns[i].get(0) } else { "" };
            if cell.is_empty() {
                format!("column_{}", i + 1)
            } else {
                cell.to_string()
            }
        })
        .collect();
    let unnamed = |i: usize| header && columns[i].get(0).is_empty();
    let mut seen: FixedMap<&str, usize> = FixedMap::default();
    for (i, name) in names.iter().enumerate() {
        if let Some(first) = seen.insert(name.as_str(), i) {
            if unnamed(i) != unnamed(first) {
                let (named, generated) = if unnamed(i) { (first, i) } else { (i, first) };
                return Err(DataError::DuplicateGeneratedColumn {
                    name: name.clone(),
                    named: named + 1,
                    unnamed: generated + 1,
                });
            }
            return Err(DataError::DuplicateColumn {
                name: name.clone(),
                first: first + 1,
                second: i + 1,
            });
        }
    }
    drop(seen);
    names.shrink_to_fit();
    Ok(Table {
        names,
        columns,
        lines,
        first_data_row: usize::from(header),
        delimiter: Some(delimiter as char),
        header_detected: header,
        numbers,
    })
}

/// Read the text of columns `cols` of a CSV/TSV table again, every row (the columns the table
/// holds as numbers or could not finish as numbers: [`schema::text_needed`]), with the reader
/// the table was read with. Each such column then holds its text like any other; its numbers
/// are no longer used. A file that no longer gives the same rows is
/// [`DataError::Unreadable`].
pub(crate) fn fill_text(
    source: &dyn ByteSource,
    table: &mut Table,
    cols: &[usize],
) -> Result<(), DataError> {
    let (Some(delimiter), Some(width), false) = (
        table.delimiter,
        table.numbers.as_ref().map(|n| n.held.len()),
        cols.is_empty(),
    ) else {
        return Ok(()); // nothing held as numbers (JSON Lines tables hold every cell as text)
    };
    let changed = || super::source::unreadable("it changed while it was being read".into());
    let head = head_checks(source)?;
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(u8::try_from(delimiter).map_err(|_| changed())?)
        .buffer_capacity(CSV_BUFFER_BYTES)
        .from_reader(Reader::new(source, head.start));
    let mut record = ByteRecord::new();
    let mut fresh: Vec<Column> = cols.iter().map(|_| Column::default()).collect();
    let mut rows = 0usize;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => {
                return Err(match reader.get_mut().failed.take() {
                    Some(message) => super::source::unreadable(message),
                    None => changed(),
                })
            }
        }
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        if record.len() != width || rows >= table.n_rows() {
            return Err(changed());
        }
        for (column, &c) in fresh.iter_mut().zip(cols) {
            let field = record.get(c).unwrap_or_default().trim_ascii();
            let cell = std::str::from_utf8(field).map_err(|_| changed())?;
            column.push(cell).ok_or_else(|| DataError::TooMuchText {
                column: table.names.get(c).cloned().unwrap_or_default(),
            })?;
        }
        rows += 1;
    }
    if rows != table.n_rows() {
        return Err(changed());
    }
    for (column, &c) in fresh.into_iter().zip(cols) {
        if let Some(slot) = table.columns.get_mut(c) {
            *slot = column;
        }
        if let Some(held) = table.numbers.as_mut().and_then(|n| n.held.get_mut(c)) {
            *held = Held::Text;
        }
    }
    Ok(())
}

/// A table being filled from JSON objects, one line at a time.
struct JsonTable {
    table: Table,
    index: FixedMap<String, usize>,
    rows: usize,
    line: u64,
    /// The key whose value is being read (for messages).
    key: String,
    /// A typed error found inside the deserializer (serde can only carry a string).
    error: Option<DataError>,
    number: String,
}

impl JsonTable {
    fn fail<E: de::Error>(&mut self, error: DataError) -> E {
        let message = error.to_string();
        self.error = Some(error);
        E::custom(message)
    }

    /// The column of a key, created (with missing cells for the earlier rows) if new.
    fn column<E: de::Error>(&mut self, key: &str) -> Result<usize, E> {
        self.key.clear();
        self.key.push_str(key);
        let col = match self.index.get(key) {
            Some(&col) => col,
            None => {
                if self.table.names.len() >= MAX_COLUMNS {
                    return Err(self.fail(DataError::JsonTooManyKeys {
                        line: self.line,
                        max: MAX_COLUMNS,
                    }));
                }
                let col = self.table.names.len();
                let mut column = Column::default();
                for _ in 0..self.rows {
                    column.push("");
                }
                self.table.columns.push(column);
                self.table.names.push(key.to_string());
                self.index.insert(key.to_string(), col);
                col
            }
        };
        if self.table.columns[col].len() > self.rows {
            return Err(self.fail(DataError::JsonDuplicateKey {
                line: self.line,
                key: key.to_string(),
            }));
        }
        Ok(col)
    }

    fn push<E: de::Error>(&mut self, col: usize, cell: &str) -> Result<(), E> {
        let cell = cell.trim();
        if cell.len() > MAX_CELL_BYTES {
            let error = DataError::CellTooLong {
                line: self.line,
                column: self.key.clone(),
                length: cell.len(),
                max: MAX_CELL_BYTES,
            };
            return Err(self.fail(error));
        }
        if self.table.columns[col].push(cell).is_none() {
            let error = DataError::TooMuchText {
                column: self.key.clone(),
            };
            return Err(self.fail(error));
        }
        Ok(())
    }

    fn push_number<E: de::Error>(&mut self, col: usize, v: impl fmt::Display) -> Result<(), E> {
        let mut number = std::mem::take(&mut self.number);
        number.clear();
        let _ = write!(number, "{v}");
        let result = self.push(col, &number);
        self.number = number;
        result
    }

    /// Give the columns this line did not mention a missing cell.
    fn end_row(&mut self) {
        let row = self.rows;
        for column in &mut self.table.columns {
            if column.len() == row {
                column.push("");
            }
        }
        self.rows += 1;
        self.table.lines.push(self.line);
    }
}

struct ObjectSeed<'a>(&'a mut JsonTable);
struct KeySeed<'a>(&'a mut JsonTable);
struct ValueSeed<'a>(&'a mut JsonTable, usize);

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(col) = map.next_key_seed(KeySeed(&mut *self.0))? {
            map.next_value_seed(ValueSeed(&mut *self.0, col))?;
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        self.0.column(key.trim())
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, number, boolean or null")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.0.push(self.1, if v { "true" } else { "false" })
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.0.push_number(self.1, v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.0.push_number(self.1, v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.0.push_number(self.1, v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.push(self.1, v)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.push(self.1, "")
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.0.push(self.1, "")
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        let error = DataError::JsonNested {
            line: self.0.line,
            key: self.0.key.clone(),
        };
        Err(self.0.fail(error))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        let error = DataError::JsonNested {
            line: self.0.line,
            key: self.0.key.clone(),
        };
        Err(self.0.fail(error))
    }
}

/// serde_json's message without its "at line 1 column N" (every line is parsed alone).
fn json_message(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let message = match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    };
    match error.column() {
        0 => message,
        column => format!("{message} (at character {column})"),
    }
}

/// Read JSON Lines bytes into a table of text cells.
fn read_jsonl(source: &dyn ByteSource) -> Result<Table, DataError> {
    let head = head_checks(source)?;
    let watch = Watch::new();
    let parsed = parse_jsonl_text(source, head.start, &watch);
    watch.finish(source, &head, false, parsed)
}

/// [`read_jsonl`]'s parse, every byte read passing `watch`.
fn parse_jsonl_text(
    source: &dyn ByteSource,
    start: u64,
    watch: &Watch,
) -> Result<Table, DataError> {
    let mut json = JsonTable {
        table: Table {
            first_data_row: 0,
            delimiter: None,
            header_detected: true,
            ..Table::default()
        },
        index: FixedMap::default(),
        rows: 0,
        line: 0,
        key: String::new(),
        error: None,
        number: String::new(),
    };
    let observe = |chunk: &[u8]| watch.observe(chunk);
    let mut reader = BufReader::with_capacity(
        CSV_BUFFER_BYTES,
        Reader::new(source, start).watched(&observe),
    );
    let mut raw = Vec::new();
    let mut line = 0u64;
    loop {
        raw.clear();
        if let Err(e) = reader.read_until(b'\n', &mut raw) {
            let message = reader
                .get_mut()
                .failed
                .take()
                .unwrap_or_else(|| e.to_string());
            return Err(super::source::unreadable(message));
        }
        if raw.is_empty() {
            break;
        }
        line += 1;
        if raw.last() == Some(&b'\n') {
            raw.pop();
        }
        if raw.trim_ascii().is_empty() {
            continue;
        }
        let text = utf8(&raw, line)?;
        match text.trim_start().as_bytes().first() {
            Some(b'[') => return Err(DataError::JsonArray { line }),
            Some(b'{') => {}
            _ if json.rows == 0 && text.contains([',', ';', '\t']) => {
                return Err(DataError::JsonLooksLikeCsv { line })
            }
            _ => {}
        }
        json.line = line;
        json.key.clear();
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let result = ObjectSeed(&mut json)
            .deserialize(&mut deserializer)
            .and_then(|()| deserializer.end());
        if let Some(error) = json.error.take() {
            return Err(error);
        }
        if let Err(e) = result {
            if e.to_string().starts_with("number out of range") {
                let end = e.column().min(text.len());
                let start = text[..end]
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-')))
                    .map_or(0, |p| p + 1);
                return Err(DataError::NotFinite {
                    line,
                    column: json.key.clone(),
                    value: schema::shown(text.get(start..end).unwrap_or("")),
                });
            }
            let message = if e.is_eof() {
                "the line ends before the JSON object is closed (is a '}' or a '\"' missing?)"
                    .to_string()
            } else {
                json_message(&e)
            };
            return Err(DataError::JsonLine { line, message });
        }
        json.end_row();
    }
    Ok(json.table)
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
) -> Result<schema::Table, DataError> {
    if jsonl {
        read_jsonl(source)
    } else {
        read_csv(source, options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::text::{TextOptions, TextVectorizer};
    use crate::data::{ImputedColumn, OneHotColumn};
    fn parse(text: &str) -> Result<Dataset, DataError> {
        parse_csv(text.as_bytes(), &CsvOptions::named("t"))
    }

    fn message(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    fn with(f: impl FnOnce(&mut CsvOptions)) -> CsvOptions {
        let mut o = CsvOptions::named("t");
        f(&mut o);
        o
    }

    /// Every file read through a source that hands out 1, 2 or 7 bytes at a time gives the
    /// same dataset or the same error as the file read at once: offsets, lines, quotes across
    /// reads, a byte order mark, a NUL at the end.
    #[test]
    fn short_reads_change_nothing() {
        use crate::data::source::Trickle;
        let files: [&[u8]; 12] = [
            b"a,b,label\n1,2,x\n3,4,y\n",
            b"\xEF\xBB\xBFa;b;label\n1,5;2;x\n3;4;y\n",
            b"a,b,label\n1,\"2\n\",x\n3,4,y\n",
            b"a,b,label\n1,2,x\n3,\"4,y\n5,6,x\n",
            b"a,b,label\n1,2,x\n3,4\n",
            b"a,b,label\n1,2,x\n3,4,y\n\0",
            b"\"\",,\n;\n",
            b"  \n\t\n",
            b"<!DOCTYPE html><p>",
            b"PK\x03\x04zip",
            b"a\tb\tlabel\n1\t2\tx\n3\t4\ty",
            b"a,b,label\n1,2,\xe9\n3,4,y\n",
        ];
        for file in files {
            let options = CsvOptions::named("t");
            let whole =
                read_csv(&Bytes(file), &options).and_then(|t| schema::build(t, &options, None));
            for step in [1, 2, 7] {
                let trickled = read_csv(&Trickle(file, step), &options)
                    .and_then(|t| schema::build(t, &options, None));
                assert_eq!(
                    trickled,
                    whole,
                    "{step}-byte reads of {:?}",
                    String::from_utf8_lossy(file)
                );
            }
        }
        let jsonl = b"{\"x\": 1, \"label\": \"a\"}\r\n\n{\"x\": 2, \"label\": \"b\"}\n{\"x\": [";
        let options = CsvOptions::named("t");
        let whole = read_jsonl(&Bytes(jsonl)).and_then(|t| schema::build(t, &options, None));
        assert_eq!(
            whole.as_ref().map(|_| ()).unwrap_err().to_string(),
            "line 4, key 'x': nested arrays and objects are not supported: flatten them into plain values"
        );
        for step in [1, 3] {
            let trickled =
                read_jsonl(&Trickle(jsonl, step)).and_then(|t| schema::build(t, &options, None));
            assert_eq!(trickled, whole);
        }
    }

    /// Files that exercise every way a column can be held: late text, late `inf`, numeric
    /// labels and ids written with leading zeros, a first row found to be data only by a text
    /// cell 900 rows down, decimal commas, constant and empty columns, huge values.
    #[cfg(not(target_arch = "wasm32"))]
    fn held_numbers_corpus() -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let mut add = |name: &str, rows: Vec<String>| {
            files.push((name.to_string(), (rows.join("\n") + "\n").into_bytes()));
        };
        let numbers = |i: usize| format!("{}.{:03},{}", i % 17, (i * 7919) % 1000, (i * 31) % 101);
        let mut late_text = vec!["a,b,label".to_string()];
        late_text.extend((0..1_500).map(|i| {
            let b = if i == 1_200 {
                "abc".to_string()
            } else {
                (i % 13).to_string()
            };
            format!("{},{b},{}", numbers(i), if i % 2 == 0 { "x" } else { "y" })
        }));
        add("late_text.csv", late_text);
        let mut late_categories = vec!["a,cat,label".to_string()];
        late_categories.extend((0..2_400).map(|i| {
            let cat = if i < 1_100 {
                format!("0{}", i % 2 + 1)
            } else {
                "x".into()
            };
            format!("{},{cat},{}", i % 7, if i % 3 == 0 { "p" } else { "q" })
        }));
        add("late_categories.csv", late_categories);
        let mut late_inf = vec!["a,b,label".to_string()];
        late_inf.extend((0..1_300).map(|i| {
            let b = if i == 1_250 {
                "-inf".to_string()
            } else {
                format!("{}", i % 5)
            };
            format!("{},{b},{}", numbers(i), i % 2)
        }));
        add("late_inf.csv", late_inf);
        let mut numeric_labels = vec!["id,a,b,label".to_string()];
        numeric_labels.extend((0..1_200).map(|i| {
            let label = if i % 9 == 0 {
                "NA".to_string()
            } else {
                format!("0{}", i % 3)
            };
            format!("{:04},{},{label}", i, numbers(i))
        }));
        add("numeric_labels.csv", numeric_labels);
        for at in [900, 1_200] {
            let mut rows = vec!["3,1.5,t,a".to_string()];
            rows.extend((1..1_400).map(|i| {
                let c = if i == at {
                    "t".to_string()
                } else {
                    format!("{}", i % 4)
                };
                format!(
                    "{},{},{c},{}",
                    i % 11,
                    (i % 5) as f64 / 4.0,
                    if i % 2 == 0 { "a" } else { "b" }
                )
            }));
            add(&format!("first_row_data_{at}.csv"), rows);
        }
        let mut semicolons = vec!["a;b;label".to_string()];
        semicolons.extend((0..1_100).map(|i| format!("{},{};{};{}", i % 9, i % 10, i % 4, i % 2)));
        add("decimal_comma.csv", semicolons);
        let mut odd = vec!["const,empty,huge,miss,label".to_string()];
        odd.extend((0..1_100).map(|i| {
            let miss = if i % 10 == 0 {
                "NA".to_string()
            } else {
                format!("{}", i % 6)
            };
            let huge = if i % 2 == 0 { "1.7e308" } else { "1.6e308" };
            format!("5,,{huge},{miss},{}", i % 2)
        }));
        add("constant_empty_huge.csv", odd);
        let mut no_header = Vec::new();
        no_header.extend((0..1_100).map(|i| format!("{},{}", numbers(i), i % 2)));
        add("no_header.csv", no_header);
        let mut mostly_text = vec!["a,note,label".to_string()];
        mostly_text.extend((0..1_100).map(|i| {
            let note = if i < 3 {
                "".to_string()
            } else {
                format!("note {}", i % 40)
            };
            format!("{},{note},{}", i % 8, i % 2)
        }));
        add("missing_then_text.csv", mostly_text);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for dir in [
            "tests/fixtures/bad",
            "tests/fixtures/preview",
            "public/datasets",
        ] {
            let entries = std::fs::read_dir(root.join(dir)).expect("the fixture folders exist");
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for path in paths {
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                if name.ends_with(".csv") || name.ends_with(".tsv") {
                    files.push((name, std::fs::read(&path).unwrap()));
                }
            }
        }
        files
    }

    /// Holding numeric columns as numbers changes no dataset, no error and no preview (but for
    /// distinct counts, which count values: none of these files writes one value two ways).
    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn numbers_held_as_numbers_or_as_text_read_the_same() {
        use crate::data::preview::{import_with_mapping, preview, Mapping};
        let files = held_numbers_corpus();
        assert!(files.len() > 40, "the fixtures are found");
        let both = |f: &dyn Fn() -> String| {
            HOLD_NUMBERS.with(|h| h.set(false));
            let text = f();
            HOLD_NUMBERS.with(|h| h.set(true));
            (text, f())
        };
        let mut errors = 0;
        for (name, bytes) in &files {
            let (as_text, as_numbers) =
                both(&|| format!("{:?}", parse_csv(bytes, &CsvOptions::named(name))));
            assert_eq!(as_text, as_numbers, "{name}");
            errors += usize::from(as_text.starts_with("Err"));
            let (as_text, as_numbers) = both(&|| format!("{:?}", preview(bytes, name, 12)));
            assert_eq!(as_text, as_numbers, "preview of {name}");
            let Ok(p) = preview(bytes, name, 0) else {
                continue;
            };
            let mut mappings = vec![p.suggested.clone()];
            if let Some(c) = p.columns.first() {
                mappings.push(Mapping {
                    id: Some(c.name.clone()),
                    ..Mapping::default()
                });
                mappings.push(Mapping {
                    label: Some(c.name.clone()),
                    ..Mapping::default()
                });
            }
            for mapping in mappings {
                let (as_text, as_numbers) =
                    both(&|| format!("{:?}", import_with_mapping(bytes, name, &mapping)));
                assert_eq!(as_text, as_numbers, "{name} with {mapping:?}");
            }
        }
        assert!(errors > 10, "the bad files are refused ({errors})");
    }

    /// A file that changes between the two reads is refused, not mixed.
    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn a_file_changed_between_reads_is_unreadable() {
        struct Changing {
            first: Vec<u8>,
            second: Vec<u8>,
            done: Cell<bool>,
        }
        impl ByteSource for Changing {
            fn size(&self) -> u64 {
                self.first.len() as u64
            }
            fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, String> {
                let bytes = if self.done.get() {
                    &self.second
                } else {
                    &self.first
                };
                let n = Bytes(bytes).read_at(offset, buf)?;
                if n == 0 {
                    self.done.set(true);
                }
                Ok(n)
            }
        }
        let mut first = String::from("a,label\n");
        let mut second = String::from("a,label\n");
        for i in 0..1_200 {
            first.push_str(&format!("{},{}\n", i % 7, i % 3));
            second.push_str(&format!("{},{}\n", i % 7, if i == 5 { "x,y" } else { "1" }));
        }
        let source = Changing {
            first: first.into_bytes(),
            second: second.into_bytes(),
            done: Cell::new(false),
        };
        let err = parse_source(&source, &CsvOptions::named("t"), false, None).unwrap_err();
        assert!(matches!(err, DataError::Unreadable { .. }), "{err}");
    }

    #[test]
    fn label_column_by_preferred_name_then_last() {
        let d = parse("label,a,b\nx,1,2\ny,3,4\n").unwrap();
        assert_eq!(d.feature_names, vec!["a", "b"]);
        let d = parse("a,b,kind\n1,2,x\n2,1,x\n").unwrap();
        assert_eq!(d.feature_names, vec!["a", "b"]);
        assert_eq!(d.class_names, vec!["x"], "one class is fine for import");
        assert_eq!(d.report.label_column, "kind");
        // Preference order: `class` beats `y` whatever their positions.
        let d = parse("y,class,a\n1,p,3\n2,q,4\n").unwrap();
        assert_eq!(d.report.label_column, "class");
    }

    #[test]
    fn label_column_by_option() {
        let opts = with(|o| o.label_column = Some("A".into()));
        let d = parse_csv(b"a,b,c\nx,1,2\ny,2,1\n", &opts).unwrap();
        assert_eq!(d.feature_names, vec!["b", "c"]);
        let opts = with(|o| o.label_column = Some("nope".into()));
        let err = parse_csv(b"a,b,c\nx,1,2\n", &opts).unwrap_err();
        assert_eq!(
            err.to_string(),
            "there is no column named 'nope' (asked for as the label column); the columns are: a, b, c"
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        assert_eq!(parse(""), Err(DataError::Empty));
        assert_eq!(parse(" \n\r\n"), Err(DataError::Empty));
        assert_eq!(parse("a,b\n"), Err(DataError::NoRows));
        assert_eq!(parse("a\n1\n"), Err(DataError::TooFewColumns { found: 1 }));
        assert_eq!(
            message("a,b,y\n1,2,x\n1,2,3,4\n"),
            "line 3 has 4 fields but the header has 3: every row needs the same number of fields (a value containing ',' must be in double quotes)"
        );
        assert_eq!(
            message("1\t2\t3\n1\t2\n"),
            "line 2 has 2 fields but the first line has 3: every row needs the same number of fields (a value containing a tab must be in double quotes)"
        );
        assert_eq!(
            message("a,b,y\n1,2,x\n1,oops,x\n3,4,y\n"),
            "line 3, column 'b': 'oops' is not a number, but most of the column is: fix the value, or leave the cell empty to have it filled in"
        );
        assert_eq!(
            parse_csv(b"a,b,y\n1,2,\xe9t\xe9\n", &CsvOptions::named("t")),
            Err(DataError::NotUtf8 {
                line: 2,
                byte: 0xE9
            })
        );
        assert!(
            parse("a,b,y\n1,2,caf\u{e9}\n2,1,x\n").is_ok(),
            "UTF-8 is fine"
        );
    }

    #[test]
    fn not_finite_numbers_are_refused_with_line_and_column() {
        assert_eq!(
            message("a,b,y\n1,2,x\n1,inf,x\n"),
            "line 3, column 'b': 'inf' is not a finite number: replace it with a real value, or leave the cell empty to have it filled in"
        );
        assert_eq!(
            parse("a,b,y\n1,2,x\n1e400,3,x\n"),
            Err(DataError::NotFinite {
                line: 3,
                column: "a".into(),
                value: "1e400".into()
            })
        );
    }

    #[test]
    fn bom_blank_lines_and_unlabeled_rows() {
        let d = parse("\u{feff}a,b,y\n1,2,x\n3,4,\n\n5,6,NA\n,,\n7,8,?\n").unwrap();
        assert_eq!(d.n_rows(), 4);
        assert_eq!(d.known_labels, vec![Some(0), None, None, None]);
        assert_eq!(d.report.unlabeled_rows, 3);
        assert_eq!(d.report.rows_read, 4);
        assert_eq!(d.row_ids, vec!["1", "2", "3", "4"]);
    }

    #[test]
    fn delimiters_are_sniffed() {
        let d = parse("a;b;label\n1,5;2;x\n3;4,25;y\n").unwrap();
        assert_eq!(d.report.delimiter, Some(';'));
        assert_eq!(d.row(0), vec![1.5, 2.0], "decimal commas in ';' files");
        assert_eq!(d.row(1), vec![3.0, 4.25]);
        let d = parse("text\tnumber\tlabel\nhello, world\t1\tx\nhi, there\t2\ty\n").unwrap();
        assert_eq!(d.report.delimiter, Some('\t'));
        assert_eq!(
            d.feature_names,
            vec!["text=hello, world", "text=hi, there", "number"]
        );
        let d = parse("a,b,label\n1,2,x\n2,1,y\n").unwrap();
        assert_eq!(d.report.delimiter, Some(','));
        // A forced delimiter wins.
        let opts = with(|o| o.delimiter = Some(b'|'));
        let d = parse_csv(b"a|b|label\n1|2|x\n2|1|y\n", &opts).unwrap();
        assert_eq!(d.feature_names, vec!["a", "b"]);
        let opts = with(|o| o.delimiter = Some(b'"'));
        assert_eq!(
            parse_csv(b"a,b\n1,2\n", &opts).unwrap_err().to_string(),
            "delimiter = 0x22 is not allowed: the delimiter must be one ASCII character other than a quote or a line end"
        );
    }

    #[test]
    fn quoted_fields_span_lines_and_keep_line_numbers() {
        let text = "note,x,label\n\"one\ntwo\",1,a\n\"say \"\"hi\"\"\",2,b\n\"x, y\",3\n";
        let err = parse(text).unwrap_err();
        assert_eq!(
            err,
            DataError::Ragged {
                line: 5,
                expected: 3,
                found: 2,
                delimiter: ',',
                header: true
            }
        );
        let d = parse("note,x,label\n\"one\ntwo\",1,a\n\"say \"\"hi\"\"\",2,b\n").unwrap();
        assert_eq!(
            d.feature_names,
            vec!["note=one\ntwo", "note=say \"hi\"", "x"]
        );
    }

    #[test]
    fn unclosed_quote_is_named() {
        // The quote swallows the rest of the file: the record comes out short…
        assert_eq!(
            message("a,b,label\n1,\"2,x\n3,4,y\n5,6,z\n"),
            "line 2: a quoted value starts here but its closing quote never comes: add the missing '\"' (a quote inside a quoted value is written '\"\"')"
        );
        // …or, in the last column, with the right number of fields.
        assert_eq!(
            parse("a,b,label\n1,2,x\n3,4,\"y\n5,6,z\n"),
            Err(DataError::UnclosedQuote { line: 3 })
        );
        assert_eq!(
            parse("a,b,label\n1,2,x\n3,4,\"y"),
            Err(DataError::UnclosedQuote { line: 3 })
        );
        // A quote inside an unquoted value is just a character.
        let d = parse("a,size,label\n1,5\",x\n2,6\",y\n").unwrap();
        assert_eq!(d.feature_names, vec!["a", "size=5\"", "size=6\""]);
    }

    #[test]
    fn header_is_detected() {
        let d = parse("1,2,3\n4,5,6\n").unwrap();
        assert!(!d.report.header_detected);
        assert_eq!(d.feature_names, vec!["column_1", "column_2"]);
        assert_eq!(d.class_names, vec!["3", "6"]);
        // Iris without a header: the first line's text cell is a value of its column.
        let d = parse("5.1,3.5,setosa\n4.9,3.0,setosa\n6.3,3.3,virginica\n").unwrap();
        assert!(!d.report.header_detected);
        assert_eq!(d.n_rows(), 3);
        assert_eq!(d.report.label_column, "column_3");
        // Numeric-looking names with a text name are a header.
        let d = parse("id,2019,2020,label\na,1,2,x\nb,2,3,y\n").unwrap();
        assert!(d.report.header_detected);
        assert_eq!(d.feature_names, vec!["id=a", "id=b", "2019", "2020"]);
        // The option wins.
        let opts = with(|o| o.has_header = Some(true));
        let d = parse_csv(b"1,2,3\n4,5,6\n7,8,9\n", &opts).unwrap();
        assert_eq!(d.feature_names, vec!["1", "2"]);
        // Empty header cells get generated names.
        let d = parse(",a,label\n0,1,x\n1,2,y\n").unwrap();
        assert_eq!(d.feature_names, vec!["column_1", "a"]);
    }

    #[test]
    fn id_and_ignored_columns() {
        let opts = with(|o| {
            o.id_column = Some("ID".into());
            o.ignore = vec!["junk".into()];
        });
        let d = parse_csv(b"id,x,junk,label\nr7,1,q,a\n,2,w,b\nr9,3,e,a\n", &opts).unwrap();
        assert_eq!(d.feature_names, vec!["x"]);
        assert_eq!(d.row_ids, vec!["r7", "2", "r9"]);
        assert_eq!(d.report.id_column.as_deref(), Some("id"));
        assert_eq!(d.report.ignored_columns, vec!["junk"]);
        // The label is inferred among the columns left: `label` here, the last free one else.
        let opts = with(|o| o.id_column = Some("last".into()));
        let d = parse_csv(b"x,kind,last\n1,a,r1\n2,b,r2\n", &opts).unwrap();
        assert_eq!(d.report.label_column, "kind");

        let opts = with(|o| o.ignore = vec!["nope".into()]);
        assert_eq!(
            parse_csv(b"a,b\n1,2\n", &opts).unwrap_err().to_string(),
            "there is no column named 'nope' (asked for as the ignored column); the columns are: a, b"
        );
        let opts = with(|o| {
            o.id_column = Some("a".into());
            o.ignore = vec!["a".into()];
        });
        assert_eq!(
            parse_csv(b"a,b,c\n1,2,3\n", &opts).unwrap_err().to_string(),
            "column 'a' cannot be both the id column and the ignored column: choose one role"
        );
        let opts = with(|o| {
            o.label_column = Some("b".into());
            o.ignore = vec!["b".into()];
        });
        assert_eq!(
            parse_csv(b"a,b,c\n1,2,3\n", &opts),
            Err(DataError::ColumnRoleConflict {
                column: "b".into(),
                first: "ignored".into(),
                second: "label".into()
            })
        );
        let opts = with(|o| o.ignore = vec!["a".into(), "b".into()]);
        assert_eq!(
            parse_csv(b"a,b,c\n1,2,3\n4,5,6\n", &opts).unwrap_err().to_string(),
            "no feature column is left (ignored: a, b; label: c): the data needs at least one informative column besides the label"
        );
    }

    #[test]
    fn categorical_columns_are_one_hot_and_missing_values_imputed() {
        let d = parse(
            "size,color,weight,label\n1,red,10,a\nNA,blue,,b\n3,red,null,a\n4,?,20,b\n2,NaN,N/A,b\n",
        );
        // `N/A` is not a missing token: the column is mostly numbers.
        assert_eq!(
            d.unwrap_err().to_string(),
            "line 6, column 'weight': 'N/A' is not a number, but most of the column is: fix the value, or leave the cell empty to have it filled in"
        );
        let d = parse(
            "size,color,weight,label\n1,red,10,a\nNA,blue,,b\n3,red,null,a\n4,?,20,b\n2,NaN,12,b\n",
        )
        .unwrap();
        assert_eq!(
            d.feature_names,
            vec!["size", "color=blue", "color=red", "weight"]
        );
        assert_eq!(d.row(1), vec![2.5, 1.0, 0.0, 14.0]);
        assert_eq!(d.row(3), vec![4.0, 0.0, 1.0, 20.0], "mode: red");
        assert_eq!(
            d.report.imputed,
            vec![
                ImputedColumn {
                    column: "size".into(),
                    cells: 1,
                    value: "2.5".into()
                },
                ImputedColumn {
                    column: "color".into(),
                    cells: 2,
                    value: "red".into()
                },
                ImputedColumn {
                    column: "weight".into(),
                    cells: 2,
                    value: "14".into()
                },
            ]
        );
        assert_eq!(
            d.report.one_hot,
            vec![OneHotColumn {
                column: "color".into(),
                categories: vec!["blue".into(), "red".into()]
            }]
        );
        // Ties for the mode go to the first category in sorted order.
        let d = parse("c,label\nb,x\na,y\n,x\n").unwrap();
        assert_eq!(d.report.imputed[0].value, "a");
    }

    #[test]
    fn too_many_categories_or_classes_are_refused() {
        let mut text = String::from("city,label\n");
        for i in 0..51 {
            text.push_str(&format!("c{i},x\n"));
        }
        assert_eq!(
            message(&text),
            "column 'city' has 51 distinct values, more than the 50 a categorical column may have: remove (or ignore) the column, or group its rare values into fewer categories"
        );
        let opts = with(|o| o.max_categories = 60);
        assert_eq!(parse_csv(text.as_bytes(), &opts).unwrap().n_features(), 51);

        let mut text = String::from("x,label\n");
        for i in 0..1001 {
            text.push_str(&format!("1,{i}\n"));
        }
        assert_eq!(
            message(&text),
            "the label column 'label' has 1001 distinct values, more than the 1000 classes allowed: this looks like an id or a number, not a class; choose another label column"
        );
    }

    #[test]
    fn constant_and_empty_columns_are_dropped_and_reported() {
        let text = "a,same,none,kind,b,label\n1,5,,k,2,x\n2,5,NA,k,3,y\n3,,,k,1,x\n";
        let d = parse(text).unwrap();
        assert_eq!(d.feature_names, vec!["a", "b"]);
        assert_eq!(d.report.dropped_constant, vec!["same", "kind"]);
        assert_eq!(d.report.dropped_empty, vec!["none"]);
        let opts = with(|o| o.keep_constant_columns = true);
        let d = parse_csv(text.as_bytes(), &opts).unwrap();
        assert_eq!(d.feature_names, vec!["a", "same", "kind=k", "b"]);
        assert_eq!(
            message("a,b,label\n1,,x\n1,NA,y\n"),
            "no feature column is left (dropped as constant: a; dropped as empty: b; label: label): the data needs at least one informative column besides the label"
        );
    }

    #[test]
    fn not_text_files_are_named() {
        let check = |bytes: &[u8], want: &str| {
            assert_eq!(
                parse_csv(bytes, &CsvOptions::named("t"))
                    .unwrap_err()
                    .to_string(),
                want
            );
            assert_eq!(
                parse_jsonl(bytes, &CsvOptions::named("t"))
                    .unwrap_err()
                    .to_string(),
                want
            );
        };
        check(
            b"PK\x03\x04\x14\x00\x06\x00",
            "this is a zip archive, not a text file: unzip it first and open the CSV inside (an Excel .xlsx workbook is a zip too: save it as CSV)",
        );
        check(
            b"\x1f\x8b\x08\x00",
            "this is a gzip-compressed file, not a text file: decompress it first",
        );
        check(
            b"\xff\xfea\x00,\x00b\x00",
            "this is UTF-16 text: save it as UTF-8 and try again",
        );
        check(
            b"a\x00,\x00b\x00\n\x001\x00,\x002\x00",
            "this is UTF-16 text: save it as UTF-8 and try again",
        );
        check(
            b"a,b\n1,2\n\x89PNG\x00\x00\x01",
            "line 3: this is not a text file (it contains NUL bytes): open a CSV, TSV or JSON Lines file",
        );
        assert_eq!(
            parse_csv(b"a,b,label\n1,2,caf\xe9\n", &CsvOptions::named("t"))
                .unwrap_err()
                .to_string(),
            "line 2: byte 0xE9 is not valid UTF-8 (the file may be Latin-1 or Windows-1252 text): save it as UTF-8 and try again",
        );
    }

    #[test]
    fn common_mistakes_get_their_own_message() {
        assert_eq!(
            message("<!DOCTYPE html>\n<html><body>404</body></html>\n"),
            "this is a web page (HTML), not a CSV or JSON Lines file: download the raw data file instead (on GitHub: the 'Raw' button)"
        );
        assert_eq!(message(",,\n;\t\n\"\",\n"), DataError::Empty.to_string());
        assert_eq!(
            message("x,y,label\n1,2,a\n"),
            "the file has only 1 data row (line 2): add more rows; learning needs at least 2 rows of at least 2 classes (with one row every column is constant)"
        );
        assert_eq!(
            message("x,label\n\"1,200\",a\n\"3,400\",b\n950,a\n"),
            "line 2, column 'x': '1,200' looks like a number written with a thousands separator or a decimal comma: write numbers without separators and with a '.' decimal point (like 1234.5)"
        );
        // In a `;` file a decimal comma is a number, but not with thousands separators too.
        assert!(parse("x;label\n1,5;a\n2,5;b\n").is_ok());
        assert_eq!(
            message("x;label\n1.234,5;a\n2.345,5;b\n"),
            "line 2, column 'x': '1.234,5' looks like a number written with a thousands separator or a decimal comma: write numbers without separators and with a '.' decimal point (like 1234.5)"
        );
        // A column of words with commas is text.
        assert!(parse("x,label\n\"a,b\",a\n\"c,d\",b\n").is_ok());
        assert_eq!(
            message(",column_1,label\n1,2,a\n3,4,b\n"),
            "the column name 'column_1' appears twice: column 2 is called column_1 in the header, and column 1 has no name there, so it was called column_1 too: rename column 2, or give column 1 a name"
        );
        // Huge finite values: the imputed mean does not overflow.
        let d = parse("x,y,label\n1.7e308,1,a\n1.7e308,2,b\n,3,a\n-1e308,4,b\n").unwrap();
        assert!(d.features.iter().all(|v| v.is_finite()));
        let jsonl = |text: &str| {
            parse_jsonl(text.as_bytes(), &CsvOptions::named("t"))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            jsonl("x,y,label\n1,2,a\n"),
            "line 1: this looks like CSV, not JSON Lines: rename the file to end in .csv (or .tsv)"
        );
        assert_eq!(
            jsonl("[{\"x\": 1}, {\"x\": 2}]\n"),
            "line 1: this is a JSON array, but JSON Lines needs one object per line: write each record on its own line, like {\"x\": 1.5, \"label\": \"a\"}"
        );
        assert_eq!(
            jsonl("{\"x\": 1, \"label\": \"a\"}\n{\"x\": 2, \"label\": \"b\"\n"),
            "line 2: the line ends before the JSON object is closed (is a '}' or a '\"' missing?): every line must be one JSON object, like {\"x\": 1.5, \"label\": \"a\"}"
        );
    }

    #[test]
    fn caps_on_cells_columns_and_names() {
        let big = "x".repeat(1_000_000);
        let text = format!("a,note,label\n1,{big},x\n");
        assert_eq!(
            message(&text),
            "line 2, column 'note': the value is 1000000 bytes long, more than the 100000 a cell may have: is a closing quote missing?"
        );
        let header: Vec<String> = (0..10_001).map(|i| format!("c{i}")).collect();
        assert_eq!(
            message(&format!("{}\n", header.join(","))),
            "the file has 10001 columns, more than the 10000 allowed: is the delimiter right?"
        );
        assert_eq!(
            message("a,b,a,label\n1,2,3,x\n"),
            "the column name 'a' appears twice (columns 1 and 3): rename one of them"
        );
    }

    #[test]
    fn json_lines_follow_the_same_rules() {
        let text = "{\"id\": 7, \"x\": 1.5, \"label\": \"a\"}\n\n{\"x\": 2, \"color\": \"red\", \"label\": null, \"id\": 8}\r\n{\"id\": 9, \"x\": null, \"color\": \"blue\", \"label\": \"b\", \"ok\": true}\n";
        let opts = with(|o| o.id_column = Some("id".into()));
        let d = parse_jsonl(text.as_bytes(), &opts).unwrap();
        assert_eq!(d.feature_names, vec!["x", "color=blue", "color=red"]);
        assert_eq!(d.row_ids, vec!["7", "8", "9"]);
        assert_eq!(d.known_labels, vec![Some(0), None, Some(1)]);
        assert_eq!(
            d.row(0),
            vec![1.5, 1.0, 0.0],
            "color: the mode tie goes to blue"
        );
        assert_eq!(d.row(2), vec![1.75, 1.0, 0.0]);
        assert_eq!(d.report.delimiter, None);
        assert!(d.report.header_detected);
        assert_eq!(d.report.dropped_constant, vec!["ok"]);
    }

    #[test]
    fn json_lines_errors_have_line_numbers() {
        let err = |text: &str| {
            parse_jsonl(text.as_bytes(), &CsvOptions::named("t"))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("{\"x\": 1, \"label\": \"a\"}\n{\"x\": 2, \"label\": }\n"),
            "line 2: expected value (at character 19): every line must be one JSON object, like {\"x\": 1.5, \"label\": \"a\"}"
        );
        assert_eq!(
            err("{\"x\": 1, \"label\": \"a\"}\n[1, 2]\n"),
            "line 2: this is a JSON array, but JSON Lines needs one object per line: write each record on its own line, like {\"x\": 1.5, \"label\": \"a\"}"
        );
        assert_eq!(
            err("{\"x\": 1, \"label\": \"a\"} {\"x\": 2}\n"),
            "line 1: trailing characters (at character 24): every line must be one JSON object, like {\"x\": 1.5, \"label\": \"a\"}"
        );
        assert_eq!(
            err("{\"x\": 1, \"label\": \"a\"}\n{\"x\": [1, 2], \"label\": \"b\"}\n"),
            "line 2, key 'x': nested arrays and objects are not supported: flatten them into plain values"
        );
        assert_eq!(
            err("{\"x\": 1, \"x\": 2, \"label\": \"a\"}\n"),
            "line 1: the key 'x' appears twice in the same object: keep one"
        );
        assert_eq!(
            err("{\"x\": 1, \"label\": \"a\"}\n{\"x\": 1e400, \"label\": \"a\"}\n"),
            "line 2, column 'x': '1e400' is not a finite number: replace it with a real value, or leave the cell empty to have it filled in"
        );
        assert_eq!(
            err("\n\n"),
            "the file is empty: it needs a header line (or JSON objects) and at least one data row"
        );
        assert_eq!(
            err("{\"x\": 1}\n"),
            "the file has only 1 column(s): it needs at least one feature column and a label column"
        );
        assert_eq!(
            parse_jsonl(
                b"{\"x\": 1, \"label\": \"a\"}\n{\"x\": 2, \"label\": \"\xff\"}\n",
                &CsvOptions::named("t")
            ),
            Err(DataError::NotUtf8 {
                line: 2,
                byte: 0xFF
            })
        );
    }

    #[test]
    fn text_columns_become_tfidf_features() {
        let csv = "id,review,stars,label\n1,Good film good cast,5,pos\n2,Bad film,1,neg\n3,NA,3,\n";
        let opts = with(|o| o.id_column = Some("id".into()));
        let d = parse_text_csv(csv.as_bytes(), &opts, "review", &TextOptions::default()).unwrap();
        assert_eq!(
            d.feature_names,
            vec![
                "stars",
                "review:bad",
                "review:cast",
                "review:film",
                "review:good"
            ]
        );
        assert_eq!(d.report.text_column.as_deref(), Some("review"));
        assert_eq!(
            d.row(2),
            vec![3.0, 0.0, 0.0, 0.0, 0.0],
            "a missing text is empty"
        );
        let norm: f64 = d.row(0)[1..].iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-12);

        assert_eq!(
            parse_text_csv(csv.as_bytes(), &opts, "body", &TextOptions::default())
                .unwrap_err()
                .to_string(),
            "there is no column named 'body' (asked for as the text column); the columns are: id, review, stars, label"
        );
        assert_eq!(
            parse_text_csv(
                b"t,label\na,x\nb c,y\n",
                &opts,
                "t",
                &TextOptions::default()
            ),
            Err(DataError::UnknownColumn {
                role: "id".into(),
                name: "id".into(),
                available: "t, label".into()
            })
        );
        assert_eq!(
            parse_text_csv(b"t,label\na,x\nb c,y\n", &CsvOptions::named("t"), "t", &TextOptions::default())
                .unwrap_err()
                .to_string(),
            "the text column 't' has no terms to learn from: every text is empty or has only one-letter words"
        );
        let hashing = TextOptions {
            vectorizer: TextVectorizer::Hashing {
                n_features: 1 << 20,
            },
            ..TextOptions::default()
        };
        let mut many = String::from("t,label\n");
        for _ in 0..20 {
            many.push_str("hello world,x\n");
        }
        assert_eq!(
            parse_text_csv(many.as_bytes(), &CsvOptions::named("t"), "t", &hashing)
                .unwrap_err()
                .to_string(),
            "the features would be 20 rows × 1048576 columns = 20971520 values, more than the 20000000 allowed: ignore some columns, lower max_features, or use fewer rows"
        );
    }

    #[test]
    fn bundled_datasets_import() {
        let d = parse_csv(
            include_bytes!("../../../../public/datasets/iris.csv"),
            &CsvOptions::named("iris"),
        )
        .unwrap();
        assert_eq!((d.n_rows(), d.n_features()), (150, 4));
        assert_eq!(d.class_names, vec!["setosa", "versicolor", "virginica"]);
        assert!(d.known_labels.iter().all(Option::is_some));
        assert!(d.report.header_detected);
        let d = parse_csv(
            include_bytes!("../../../../public/datasets/wine.csv"),
            &CsvOptions::named("wine"),
        )
        .unwrap();
        assert_eq!((d.n_rows(), d.n_features(), d.n_classes()), (178, 13, 3));
        let d = parse_csv(
            include_bytes!("../../../../public/datasets/breast_cancer.csv"),
            &CsvOptions::named("bc"),
        )
        .unwrap();
        assert_eq!((d.n_rows(), d.n_features(), d.n_classes()), (569, 30, 2));
        let digits = include_bytes!("../../../../public/datasets/digits.csv");
        let d = parse_csv(digits, &CsvOptions::named("digits")).unwrap();
        assert_eq!((d.n_rows(), d.n_classes()), (1797, 10));
        assert_eq!(d.n_features() + d.report.dropped_constant.len(), 64);
        let opts = with(|o| o.keep_constant_columns = true);
        assert_eq!(parse_csv(digits, &opts).unwrap().n_features(), 64);
    }
}
