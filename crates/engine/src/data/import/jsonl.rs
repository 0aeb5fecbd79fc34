//! JSON Lines: one JSON object a line, its keys the columns (see the module docs of [`super`]).

use super::guard::{head_checks, utf8, Watch};
use super::sizing::CSV_BUFFER_BYTES;
use super::{MAX_CELL_BYTES, MAX_COLUMNS};
use crate::data::schema::{self, Column, FixedMap, Table};
use crate::data::source::{unreadable, ByteSource, Reader};
use crate::data::DataError;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use std::fmt;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};

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
pub(super) fn read_jsonl(source: &dyn ByteSource) -> Result<Table, DataError> {
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
            return Err(unreadable(message));
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

#[cfg(test)]
mod tests {
    use super::super::{parse_jsonl, CsvOptions};
    use crate::data::DataError;

    #[test]
    fn json_lines_follow_the_same_rules() {
        let text = "{\"id\": 7, \"x\": 1.5, \"label\": \"a\"}\n\n{\"x\": 2, \"color\": \"red\", \"label\": null, \"id\": 8}\r\n{\"id\": 9, \"x\": null, \"color\": \"blue\", \"label\": \"b\", \"ok\": true}\n";
        let opts = CsvOptions {
            id_column: Some("id".into()),
            ..CsvOptions::named("t")
        };
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
}
