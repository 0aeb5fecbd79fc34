//! A table as read from a file, before its columns are typed: every cell as text in one string
//! per column, and the numeric columns' values in one block.

/// The cells of one column, stored in one string (no allocation per cell).
#[derive(Debug, Default)]
pub(crate) struct Column {
    text: String,
    ends: Vec<u32>,
}

impl Column {
    /// Append a cell; `None` when the column would pass 4 GiB.
    pub(crate) fn push(&mut self, cell: &str) -> Option<()> {
        self.text.push_str(cell);
        let end = u32::try_from(self.text.len()).ok()?;
        self.ends.push(end);
        Some(())
    }

    /// Make room for `cells` more cells holding `bytes` more bytes of text.
    pub(crate) fn reserve(&mut self, cells: usize, bytes: usize) {
        self.text.reserve_exact(bytes);
        self.ends.reserve_exact(cells);
    }

    /// Bytes of text held.
    pub(crate) fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Number of cells.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The cell of one row (empty past the end).
    pub(crate) fn get(&self, row: usize) -> &str {
        let end = self.ends.get(row).map_or(0, |&e| e as usize);
        let start = match row.checked_sub(1) {
            Some(prev) => self.ends.get(prev).map_or(0, |&e| e as usize),
            None => 0,
        };
        self.text.get(start..end).unwrap_or("")
    }
}

/// A table as read from a file: names, cells by column, and the line each row starts on.
#[derive(Debug, Default)]
pub(crate) struct Table {
    pub(crate) names: Vec<String>,
    pub(crate) columns: Vec<Column>,
    /// The line each row (including a header row) starts on.
    pub(crate) lines: Vec<u64>,
    /// 1 when row 0 is the header, else 0.
    pub(crate) first_data_row: usize,
    pub(crate) delimiter: Option<char>,
    pub(crate) header_detected: bool,
    /// Columns read as numbers instead of text (CSV only; see [`Numbers`]).
    pub(crate) numbers: Option<Numbers>,
}

/// The rows of a table kept as text for every column, numeric ones included: the header
/// detection's look-ahead (row 0 and the next 1,000 rows), the preview's rows.
pub(crate) const HEAD_TEXT_ROWS: usize = 1_001;

/// How a column's cells are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Held {
    /// Every cell as text in its [`Column`].
    Text,
    /// Every cell as a finite number (NaN = missing) in slot `usize` of [`Numbers::values`];
    /// the [`Column`] holds the text of the first [`HEAD_TEXT_ROWS`] rows only.
    Number(usize),
    /// A column read as numbers until a cell was not a finite number: the [`Column`] holds the
    /// text of the first [`HEAD_TEXT_ROWS`] rows only, and the rest has to be read again
    /// ([`crate::data::import::fill_text`]) before it is used.
    Unread,
}

/// Numeric columns as they are read: one row-major block of `f64`, one slot per numeric column,
/// which becomes the feature matrix in place when every feature column is numeric.
///
/// Why: a column table of text plus the parsed columns plus the feature matrix they were copied
/// into hold every number three times at the import's peak; numbers read straight into the block
/// hold 8 bytes a cell once (`crates/worker/tests/import_memory.rs` bounds the peak).
#[derive(Debug, Default)]
pub(crate) struct Numbers {
    /// Row-major, `width` values a row, one row per table row (row 0 too).
    pub(crate) values: Vec<f64>,
    pub(crate) width: usize,
    /// How each column is held.
    pub(crate) held: Vec<Held>,
}

impl Numbers {
    /// The cells of slot `slot` from row `first` on (empty for a slot that does not exist).
    pub(super) fn slot_cells(&self, slot: usize, first: usize) -> impl Iterator<Item = &f64> {
        let w = self.width.max(1);
        let cells = if slot < self.width {
            &self.values[..]
        } else {
            &[]
        };
        cells.iter().skip(first * w + slot).step_by(w)
    }

    /// [`Numbers::slot_cells`], to change them.
    pub(super) fn slot_cells_mut(
        &mut self,
        slot: usize,
        first: usize,
    ) -> impl Iterator<Item = &mut f64> {
        let w = self.width.max(1);
        let cells = if slot < self.width {
            &mut self.values[..]
        } else {
            &mut []
        };
        cells.iter_mut().skip(first * w + slot).step_by(w)
    }
}

impl Table {
    /// Number of rows, a header row included.
    pub(crate) fn n_rows(&self) -> usize {
        self.lines.len()
    }

    /// How column `col` is held.
    pub(crate) fn held(&self, col: usize) -> Held {
        self.numbers
            .as_ref()
            .and_then(|n| n.held.get(col).copied())
            .unwrap_or(Held::Text)
    }

    /// Column `col`'s value of row `row` when the column is held as numbers.
    pub(crate) fn number(&self, col: usize, row: usize) -> Option<f64> {
        let numbers = self.numbers.as_ref()?;
        match numbers.held.get(col)? {
            Held::Number(slot) => numbers.values.get(row * numbers.width + slot).copied(),
            _ => None,
        }
    }

    /// Columns whose text is not all held (numbers, or to be read again).
    pub(crate) fn without_text(&self) -> Vec<usize> {
        (0..self.names.len())
            .filter(|&c| self.held(c) != Held::Text)
            .collect()
    }
}
