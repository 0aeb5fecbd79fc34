//! Sizing the table for the whole file from its first rows, so that no column grows by doubling
//! (see [`presize`]).

use crate::data::schema::{Column, Held, Numbers};

/// The CSV reader's buffer: [`ByteSource::read_at`](crate::data::source::ByteSource::read_at) is asked for this much at a time.
pub(super) const CSV_BUFFER_BYTES: usize = 64 * 1024;

/// Rows read before the columns are sized for the whole file (see [`presize`]).
pub(super) const PRESIZE_AFTER_ROWS: usize = 256;

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
pub(super) fn presize(
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
