//! CSV/TSV: the delimiter, the records and their widths, the header, the column names (see the
//! module docs of [`super`]). Columns whose row 1 is a number are held as numbers
//! ([`hold_from`]); the text they turn out to need is read again ([`fill_text`]).

use super::guard::{head_checks, utf8, Head, Watch};
use super::sizing::{presize, CSV_BUFFER_BYTES, PRESIZE_AFTER_ROWS};
use super::{CsvOptions, MAX_CELL_BYTES, MAX_COLUMNS, SNIFFED_DELIMITERS};
use crate::data::schema::{
    is_missing, parse_number, Column, FixedMap, Held, Numbers, Table, HEAD_TEXT_ROWS,
};
use crate::data::source::{scan, unreadable, ByteSource, Reader};
use crate::data::DataError;
use ::csv::{ByteRecord, ReaderBuilder};
#[cfg(test)]
use std::cell::Cell;

/// Read a CSV/TSV file into a table of text cells.
pub(super) fn read_csv(source: &dyn ByteSource, options: &CsvOptions) -> Result<Table, DataError> {
    let head = head_checks(source)?;
    let watch = Watch::new();
    let parsed = parse_csv_text(source, options, &head, &watch);
    watch.finish(source, &head, true, parsed)
}

/// The delimiter: [`CsvOptions::delimiter`] when it is allowed, else sniffed from the head.
fn delimiter(options: &CsvOptions, head: &Head, size: u64) -> Result<u8, DataError> {
    match options.delimiter {
        Some(d) if d.is_ascii() && !matches!(d, b'"' | b'\n' | b'\r') => Ok(d),
        Some(d) => Err(DataError::BadOption {
            option: "delimiter".into(),
            value: format!("0x{d:02X}"),
            rule: "the delimiter must be one ASCII character other than a quote or a line end"
                .into(),
        }),
        None => {
            let (sample, truncated) = head.sample(size);
            Ok(sniff_delimiter(sample, truncated))
        }
    }
}

/// The reader of both reads of a CSV/TSV file: no header row of its own, records of any width.
fn csv_reader(delimiter: u8, input: Reader<'_>) -> ::csv::Reader<Reader<'_>> {
    ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(CSV_BUFFER_BYTES)
        .from_reader(input)
}

/// The next record into `record` (`false` after the last one), or the error naming its line; a
/// failed read of the source gives the source's own message.
fn next_record(
    reader: &mut ::csv::Reader<Reader<'_>>,
    record: &mut ByteRecord,
) -> Result<bool, DataError> {
    reader
        .read_byte_record(record)
        .map_err(|e| match reader.get_mut().failed.take() {
            Some(message) => unreadable(message),
            None => DataError::Csv {
                line: e.position().map_or(0, |p| p.line()),
                message: e.to_string(),
            },
        })
}

/// [`read_csv`]'s parse, every byte read passing `watch`.
fn parse_csv_text(
    source: &dyn ByteSource,
    options: &CsvOptions,
    head: &Head,
    watch: &Watch,
) -> Result<Table, DataError> {
    let delimiter = delimiter(options, head, source.size())?;
    let observe = |chunk: &[u8]| watch.observe(chunk);
    let mut reader = csv_reader(delimiter, Reader::new(source, head.start).watched(&observe));
    let mut rows = Rows::new(source, head, delimiter, options.has_header);
    let mut record = ByteRecord::new();
    while next_record(&mut reader, &mut record)? {
        // Byte offsets in the file (the reader counts from the text's start).
        let (line, start) = record
            .position()
            .map_or((0, head.start), |p| (p.line(), head.start + p.byte()));
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        rows.push(&record, line, start)?;
        rows.presize_when_due(reader.position().byte());
    }
    rows.finish()
}

/// A CSV/TSV table being read, one non-blank record at a time.
struct Rows<'a> {
    source: &'a dyn ByteSource,
    delimiter: u8,
    /// In `;` files a decimal comma is a number.
    decimal_comma: bool,
    /// Whether the first row is a header ([`CsvOptions::has_header`]; `None` detects it).
    has_header: Option<bool>,
    /// Bytes of text in the file (after a byte order mark), for [`presize`].
    text_len: usize,
    columns: Vec<Column>,
    /// The line each row starts on.
    lines: Vec<u64>,
    /// Columns whose row 1 is a number or missing are read as numbers (see `schema::Numbers`).
    numbers: Option<Numbers>,
    /// Rows and bytes read when the columns were last sized.
    last_presize: (usize, u64),
    /// Where the last record starts: its byte offset in the file and its line.
    last_start: (u64, u64),
}

impl<'a> Rows<'a> {
    fn new(
        source: &'a dyn ByteSource,
        head: &Head,
        delimiter: u8,
        has_header: Option<bool>,
    ) -> Self {
        Self {
            source,
            delimiter,
            decimal_comma: delimiter == b';',
            has_header,
            text_len: usize::try_from(source.size() - head.start).unwrap_or(usize::MAX),
            columns: Vec::new(),
            lines: Vec::new(),
            numbers: None,
            last_presize: (0, 0),
            last_start: (head.start, 1),
        }
    }

    /// Whether the first row is a header: as the options say, else detected.
    fn header(&self) -> bool {
        self.has_header
            .unwrap_or_else(|| !first_row_is_data(&self.columns, self.decimal_comma))
    }

    /// Take the record that starts at byte `start` on line `line`: check its width, decide at
    /// row 1 how each column is held, and keep its cells.
    fn push(&mut self, record: &ByteRecord, line: u64, start: u64) -> Result<(), DataError> {
        self.last_start = (start, line);
        self.check_width(record, line, start)?;
        let row = self.lines.len();
        if row == 1 && holds_numbers() {
            self.numbers = Some(hold_from(record, self.decimal_comma)).filter(|n| n.width > 0);
        }
        let base = self.numbers.as_mut().map_or(0, |n| {
            let base = n.values.len();
            n.values.resize(base + n.width, f64::NAN);
            base
        });
        for (i, field) in record.iter().enumerate() {
            let field = field.trim_ascii();
            if field.len() > MAX_CELL_BYTES {
                refuse_unclosed_quote(self.source, start, line, self.delimiter)?;
                return Err(DataError::CellTooLong {
                    line,
                    column: provisional_name(&self.columns, i),
                    length: field.len(),
                    max: MAX_CELL_BYTES,
                });
            }
            let cell = utf8(field, line)?;
            let held = self.hold(i, cell, row, base);
            if (held == Held::Text || row < HEAD_TEXT_ROWS) && self.columns[i].push(cell).is_none()
            {
                return Err(DataError::TooMuchText {
                    column: provisional_name(&self.columns, i),
                });
            }
        }
        self.lines.push(line);
        Ok(())
    }

    /// The first record sets the number of columns; every later one must have as many fields.
    fn check_width(&mut self, record: &ByteRecord, line: u64, start: u64) -> Result<(), DataError> {
        if self.columns.is_empty() {
            if record.len() > MAX_COLUMNS {
                return Err(DataError::TooManyColumns {
                    found: record.len(),
                    max: MAX_COLUMNS,
                });
            }
            self.columns.resize_with(record.len(), Column::default);
        } else if record.len() != self.columns.len() {
            refuse_unclosed_quote(self.source, start, line, self.delimiter)?;
            return Err(DataError::Ragged {
                line,
                expected: self.columns.len(),
                found: record.len(),
                delimiter: self.delimiter as char,
                header: self.header(),
            });
        }
        Ok(())
    }

    /// Store cell `i` of row `row` in slot `base` on of the numbers block when its column is held
    /// as numbers, and answer how the column is held now: a cell that is neither a finite number
    /// nor missing leaves its column [`Held::Unread`]. Row 0 waits for the header.
    fn hold(&mut self, i: usize, cell: &str, row: usize, base: usize) -> Held {
        match self.numbers.as_mut() {
            Some(n) if row > 0 => {
                if let Some(Held::Number(slot)) = n.held.get(i).copied() {
                    match number_cell(cell, self.decimal_comma) {
                        Some(v) => n.values[base + slot] = v,
                        None => n.held[i] = Held::Unread,
                    }
                }
                n.held.get(i).copied().unwrap_or(Held::Text)
            }
            _ => Held::Text,
        }
    }

    /// Size the columns from the first rows, and again from the rows read since whenever the
    /// numbers block is full (the first rows were longer than the rest): never grown by doubling,
    /// which at the end of a large file would hold up to twice the block and copy it. `consumed`
    /// is the bytes of text read so far.
    fn presize_when_due(&mut self, consumed: u64) {
        let block_full = self
            .numbers
            .as_ref()
            .is_some_and(|n| n.values.capacity() - n.values.len() < n.width);
        let rows = self.lines.len();
        if rows == PRESIZE_AFTER_ROWS || (rows > PRESIZE_AFTER_ROWS && block_full) {
            presize(
                &mut self.columns,
                self.numbers.as_mut(),
                &mut self.lines,
                consumed,
                self.text_len,
                self.last_presize,
            );
            self.last_presize = (self.lines.len(), consumed);
        }
    }

    /// After the last record: refuse an empty file and a quote never closed, decide the header
    /// and name the columns.
    fn finish(mut self) -> Result<Table, DataError> {
        if self.columns.is_empty() {
            return Err(DataError::Empty);
        }
        // A quote never closed swallows the rest of the file into the last record.
        let (start, line) = self.last_start;
        refuse_unclosed_quote(self.source, start, line, self.delimiter)?;
        let header = self.header();
        if !header {
            self.hold_row_zero();
        }
        Ok(Table {
            names: column_names(&self.columns, header)?,
            columns: self.columns,
            lines: self.lines,
            first_data_row: usize::from(header),
            delimiter: Some(self.delimiter as char),
            header_detected: header,
            numbers: self.numbers,
        })
    }

    /// Row 0 is data: its cells of columns held as numbers go into the block too.
    fn hold_row_zero(&mut self) {
        let Some(n) = self.numbers.as_mut() else {
            return;
        };
        for (i, column) in self.columns.iter().enumerate() {
            if let Some(Held::Number(slot)) = n.held.get(i).copied() {
                match number_cell(column.get(0), self.decimal_comma) {
                    Some(v) => n.values[slot] = v,
                    None => n.held[i] = Held::Unread,
                }
            }
        }
    }
}

/// The columns' names: the header's cells, or `column_1`, `column_2`, … without a header or for
/// an empty header cell. Two columns may not share a name.
fn column_names(columns: &[Column], header: bool) -> Result<Vec<String>, DataError> {
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
    Ok(names)
}

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

/// Refuse a quote opened in the file from byte `start` on (a record start) that is never closed,
/// naming the line where it opened, following the CSV reader's own rules: a quote opens a field
/// only at its start; `""` inside is a quote. A record that came out too wide, too long or last
/// may be the rest of the file swallowed by such a quote.
fn refuse_unclosed_quote(
    source: &dyn ByteSource,
    start: u64,
    start_line: u64,
    delimiter: u8,
) -> Result<(), DataError> {
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
    if state == S::Quoted {
        return Err(DataError::UnclosedQuote { line: opened });
    }
    Ok(())
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

/// Read the text of columns `cols` of a CSV/TSV table again, every row (the columns the table
/// holds as numbers or could not finish as numbers: [`crate::data::schema::text_needed`]), with the reader
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
    let changed = || unreadable("it changed while it was being read".into());
    let head = head_checks(source)?;
    let delimiter = u8::try_from(delimiter).map_err(|_| changed())?;
    let mut reader = csv_reader(delimiter, Reader::new(source, head.start));
    let mut record = ByteRecord::new();
    let mut fresh: Vec<Column> = cols.iter().map(|_| Column::default()).collect();
    let mut rows = 0usize;
    // A record the first read took and this one cannot is a changed file.
    let not_csv = |e| match e {
        DataError::Csv { .. } => changed(),
        e => e,
    };
    while next_record(&mut reader, &mut record).map_err(not_csv)? {
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

// The corpus reads fixture folders from the disk.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::super::{parse_csv, parse_source, CsvOptions};
    use super::*;
    use crate::data::source::Bytes;

    /// Files that exercise every way a column can be held: late text, late `inf`, numeric
    /// labels and ids written with leading zeros, a first row found to be data only by a text
    /// cell 900 rows down, decimal commas, constant and empty columns, huge values.
    fn held_numbers_corpus() -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        // A file of its first line (a header, or a row of data) and then `rows`, each line ended
        // by a newline.
        let mut add = |name: &str, first: Option<&str>, rows: Vec<String>| {
            let lines: Vec<String> = first.map(str::to_string).into_iter().chain(rows).collect();
            files.push((name.to_string(), (lines.join("\n") + "\n").into_bytes()));
        };
        // The cell `value` where `special`, else `usual`.
        let unless = |special: bool, value: &str, usual: String| {
            if special {
                value.to_string()
            } else {
                usual
            }
        };
        let numbers = |i: usize| format!("{}.{:03},{}", i % 17, (i * 7919) % 1000, (i * 31) % 101);
        let late_text = (0..1_500).map(|i| {
            let b = unless(i == 1_200, "abc", (i % 13).to_string());
            format!("{},{b},{}", numbers(i), if i % 2 == 0 { "x" } else { "y" })
        });
        add("late_text.csv", Some("a,b,label"), late_text.collect());
        let late_categories = (0..2_400).map(|i| {
            let cat = unless(i >= 1_100, "x", format!("0{}", i % 2 + 1));
            format!("{},{cat},{}", i % 7, if i % 3 == 0 { "p" } else { "q" })
        });
        add(
            "late_categories.csv",
            Some("a,cat,label"),
            late_categories.collect(),
        );
        let late_inf = (0..1_300).map(|i| {
            let b = unless(i == 1_250, "-inf", format!("{}", i % 5));
            format!("{},{b},{}", numbers(i), i % 2)
        });
        add("late_inf.csv", Some("a,b,label"), late_inf.collect());
        let numeric_labels = (0..1_200).map(|i| {
            let label = unless(i % 9 == 0, "NA", format!("0{}", i % 3));
            format!("{:04},{},{label}", i, numbers(i))
        });
        add(
            "numeric_labels.csv",
            Some("id,a,b,label"),
            numeric_labels.collect(),
        );
        for at in [900, 1_200] {
            let rows = (1..1_400).map(|i| {
                let c = unless(i == at, "t", format!("{}", i % 4));
                let label = if i % 2 == 0 { "a" } else { "b" };
                format!("{},{},{c},{label}", i % 11, (i % 5) as f64 / 4.0)
            });
            let name = format!("first_row_data_{at}.csv");
            add(&name, Some("3,1.5,t,a"), rows.collect());
        }
        let semicolons = (0..1_100).map(|i| format!("{},{};{};{}", i % 9, i % 10, i % 4, i % 2));
        add("decimal_comma.csv", Some("a;b;label"), semicolons.collect());
        let odd = (0..1_100).map(|i| {
            let miss = unless(i % 10 == 0, "NA", format!("{}", i % 6));
            let huge = if i % 2 == 0 { "1.7e308" } else { "1.6e308" };
            format!("5,,{huge},{miss},{}", i % 2)
        });
        add(
            "constant_empty_huge.csv",
            Some("const,empty,huge,miss,label"),
            odd.collect(),
        );
        let no_header = (0..1_100).map(|i| format!("{},{}", numbers(i), i % 2));
        add("no_header.csv", None, no_header.collect());
        let mostly_text = (0..1_100).map(|i| {
            let note = unless(i < 3, "", format!("note {}", i % 40));
            format!("{},{note},{}", i % 8, i % 2)
        });
        add(
            "missing_then_text.csv",
            Some("a,note,label"),
            mostly_text.collect(),
        );
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
}
