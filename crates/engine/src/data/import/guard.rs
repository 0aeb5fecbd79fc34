//! The checks on the bytes themselves: what is not UTF-8 text (archives, gzip, UTF-16, binary
//! data, a web page, invalid UTF-8) is refused with its own message, the first bytes before the
//! parse and the rest as the parse reads them ([`Watch`]).

use crate::data::source::{read_range, scan, ByteSource};
use crate::data::DataError;
use std::cell::Cell;

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
pub(super) const HEAD_BYTES: usize = 3 + SNIFF_BYTES;

/// Bytes at the start of a file the delimiter is sniffed from.
pub(super) const SNIFF_BYTES: usize = 64 * 1024;

/// The start of a file as [`head_checks`] found it: where the text starts (after a UTF-8 byte
/// order mark) and the first bytes.
pub(super) struct Head {
    /// Where the text starts: after a UTF-8 byte order mark, if any.
    pub(super) start: u64,
    bytes: Vec<u8>,
}

impl Head {
    fn text(&self) -> &[u8] {
        self.bytes.get(self.start as usize..).unwrap_or(&[])
    }

    /// The text's first [`SNIFF_BYTES`], and whether the text goes on after them.
    pub(super) fn sample(&self, size: u64) -> (&[u8], bool) {
        let text = self.text();
        let sample = &text[..text.len().min(SNIFF_BYTES)];
        (sample, size - self.start > sample.len() as u64)
    }
}

/// Refuse by its first bytes what is not UTF-8 text: archives, gzip, UTF-16 with a byte order
/// mark, a web page; skip a UTF-8 byte order mark. The checks that need every byte (empty, a NUL
/// anywhere) watch the bytes as the parse reads them ([`Watch`]).
pub(super) fn head_checks(source: &dyn ByteSource) -> Result<Head, DataError> {
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
pub(super) struct Watch {
    /// Bytes seen, from the text's start.
    seen: Cell<u64>,
    blank: Cell<bool>,
    only_punctuation: Cell<bool>,
    /// Where the first NUL is, from the text's start.
    nul: Cell<Option<u64>>,
}

impl Watch {
    pub(super) fn new() -> Self {
        Self {
            blank: Cell::new(true),
            only_punctuation: Cell::new(true),
            ..Self::default()
        }
    }

    pub(super) fn observe(&self, chunk: &[u8]) {
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
    pub(super) fn finish<T>(
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
pub(super) fn utf8(bytes: &[u8], line: u64) -> Result<&str, DataError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        DataError::NotUtf8 {
            line: line + line_of(bytes, at) - 1,
            byte: bytes.get(at).copied().unwrap_or(0),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::{parse_csv, parse_jsonl, CsvOptions};

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
}
