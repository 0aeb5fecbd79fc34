//! Schema inference: how the columns of a read table become a [`Dataset`].
//!
//! Every column gets one role: the **label** (named in [`CsvOptions::label_column`],
//! else the first column named like one of
//! [`LABEL_COLUMN_NAMES`](super::import::LABEL_COLUMN_NAMES), else the last remaining column),
//! the **id** ([`CsvOptions::id_column`]: kept as [`Dataset::row_ids`], not a feature),
//! **ignored** ([`CsvOptions::ignore`]), the **text** column of a text import, or a **feature**.
//!
//! A feature column is typed from all its cells:
//!
//! - cells equal (ASCII case-insensitively) to one of [`MISSING_TOKENS`] are *missing*;
//! - every other cell a number → a **numeric** column; missing cells get the column's mean.
//!   Non-finite numbers (`inf`, `1e400`) are refused with their line and column rather than
//!   guessed at: [`DataError::NotFinite`];
//! - at least half of the non-missing cells numbers, but not all → a typo is more likely than a
//!   category: [`DataError::NotNumeric`] names the first offending cell;
//! - otherwise a **categorical** column, one-hot encoded into one 0/1 feature per category named
//!   `column=category` (categories sorted); missing cells get the most frequent category (ties:
//!   the first in sorted order). More than [`CsvOptions::max_categories`] categories is an error;
//! - a column with every cell missing is dropped, and so is a column with a single value
//!   (unless [`CsvOptions::keep_constant_columns`]); both are reported in the [`ImportReport`].
//!
//! - a column that is mostly numbers written with a thousands separator or a decimal comma
//!   (`"1,234"` in a `,` file) is refused ([`DataError::GroupedNumber`]) rather than silently
//!   read as categories.
//!
//! A file with a single data row is refused ([`DataError::OneRow`]). Label cells that are
//! missing mark unlabeled rows (the pool). More than [`MAX_CLASSES`]
//! distinct labels is refused: such a column is an id or a number, not a class.

use super::dates::{
    detect, detect_numbers, features, parse, DateTime, DATE_FEATURES, TIME_FEATURES,
};
use super::import::CsvOptions;
use super::text::{vectorize, TextOptions};
use super::{DataError, Dataset, DateColumn, ImportReport, ImputedColumn, OneHotColumn};
use ndarray::Array2;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher};

mod roles;
mod table;

use self::roles::{roles, Role, Roles};
pub(crate) use self::table::{Column, Held, Numbers, Table, HEAD_TEXT_ROWS};

/// Cell values read as missing, compared ASCII case-insensitively (`""`, `NA`, `NaN`, `?`, `null`).
pub const MISSING_TOKENS: [&str; 5] = ["", "na", "nan", "?", "null"];

/// The most distinct values a label column may have.
pub const MAX_CLASSES: usize = 1_000;

/// The most values (`rows × features`) a feature table may hold: 64 million `f64` = 512 MB (a
/// million rows of 64 features; the wasm worker has 4 GiB of address space).
pub const MAX_FEATURE_CELLS: u64 = 64_000_000;

/// A `HashMap` with a fixed hasher: the same iteration order on every run and platform.
pub(crate) type FixedMap<K, V> = HashMap<K, V, BuildHasherDefault<DefaultHasher>>;

/// Whether a cell is a missing-value token.
///
/// ```
/// use engine::data::schema::is_missing;
/// assert!(is_missing("") && is_missing("NA") && is_missing("nan") && is_missing("NULL"));
/// assert!(!is_missing("0") && !is_missing("none"));
/// ```
pub fn is_missing(cell: &str) -> bool {
    cell.len() <= 4 && MISSING_TOKENS.iter().any(|t| cell.eq_ignore_ascii_case(t))
}

/// A cell as a number: Rust's `f64` syntax (`1`, `-2.5e3`, `.5`, `inf`), plus — when
/// `decimal_comma` (files delimited by `;`) — one comma as the decimal separator (`1,5`).
///
/// ```
/// use engine::data::schema::parse_number;
/// assert_eq!(parse_number("-2.5e3", false), Some(-2500.0));
/// assert_eq!(parse_number("1,5", true), Some(1.5));
/// assert_eq!(parse_number("1,5", false), None);
/// assert_eq!(parse_number("abc", false), None);
/// ```
pub fn parse_number(cell: &str, decimal_comma: bool) -> Option<f64> {
    let first = *cell.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.' | b'i' | b'I')) {
        return None;
    }
    match cell.parse::<f64>() {
        Ok(v) => Some(v),
        Err(_) if decimal_comma && !cell.contains('.') && cell.matches(',').count() == 1 => {
            cell.replacen(',', ".", 1).parse().ok()
        }
        Err(_) => None,
    }
}

/// Whether a cell that is not a number looks like one written with a thousands separator or a
/// decimal comma: digits in groups separated by single `,` or `.`, at least one `,`
/// (`1,234`, `-12,345.6`, `1.234,5`, `2,5`).
///
/// ```
/// use engine::data::schema::looks_like_grouped_number;
/// assert!(looks_like_grouped_number("1,234") && looks_like_grouped_number("-1.234,5"));
/// assert!(!looks_like_grouped_number("1.5") && !looks_like_grouped_number("a,b"));
/// ```
pub fn looks_like_grouped_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    cell.contains(',')
        && digits
            .split([',', '.'])
            .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
}

/// What one feature column becomes.
enum Plan {
    Numeric(Vec<f64>),
    /// A date column: its derived features ([`super::dates`]), each named and with one value
    /// per data row.
    Date(Vec<(String, Vec<f64>)>),
    /// A column held as numbers ([`Held::Number`]): its slot, and the mean its missing cells
    /// take (written into the block when the features are built).
    Slot {
        slot: usize,
        impute: Option<f64>,
    },
    OneHot {
        categories: Vec<String>,
        codes: Vec<u32>,
    },
}

/// The text of a value for a message: at most 40 characters.
pub(crate) fn shown(value: &str) -> String {
    if value.chars().count() > 40 {
        let mut s: String = value.chars().take(40).collect();
        s.push('…');
        s
    } else {
        value.to_string()
    }
}

/// [`plan_column`] for a column held as numbers: every cell is a finite number or missing (a
/// column with anything else is held as text), so only the empty, constant and imputation rules
/// apply; the same sums in the same order as over the text.
fn plan_numbers(
    table: &Table,
    col: usize,
    slot: usize,
    options: &CsvOptions,
    report: &mut ImportReport,
) -> Option<Plan> {
    let name = &table.names[col];
    let values = || {
        (table.first_data_row..table.n_rows()).map(|row| table.number(col, row).unwrap_or(f64::NAN))
    };
    let (mut n_missing, mut n_numeric) = (0usize, 0usize);
    let (mut lo, mut hi, mut sum) = (f64::INFINITY, f64::NEG_INFINITY, 0.0);
    for v in values() {
        if v.is_nan() {
            n_missing += 1;
        } else {
            n_numeric += 1;
            lo = lo.min(v);
            hi = hi.max(v);
            sum += v;
        }
    }
    if n_numeric == 0 {
        report.dropped_empty.push(name.clone());
        return None;
    }
    if lo == hi && !options.keep_constant_columns {
        report.dropped_constant.push(name.clone());
        return None;
    }
    let mut mean = sum / n_numeric as f64;
    if !mean.is_finite() {
        let n = n_numeric as f64;
        mean = values().filter(|v| !v.is_nan()).map(|v| v / n).sum();
    }
    let impute = (n_missing > 0).then(|| {
        report.imputed.push(ImputedColumn {
            column: name.clone(),
            cells: n_missing,
            value: mean.to_string(),
        });
        mean
    });
    Some(Plan::Slot { slot, impute })
}

/// A column of dates or times (one [`DateFormat`] for every non-empty cell) as its derived
/// features; `None` when it is not one. A derived feature that is the same on every row (the
/// month of a column of years) is left out; a missing cell gets each feature's mean.
fn plan_date(table: &Table, col: usize, report: &mut ImportReport) -> Option<Option<Plan>> {
    let name = &table.names[col];
    let rows = table.first_data_row..table.n_rows();
    let format = match table.held(col) {
        Held::Number(_) => {
            detect_numbers(rows.clone().filter_map(|row| table.number(col, row)), name)?
        }
        Held::Text => {
            let column = &table.columns[col];
            detect(
                rows.clone()
                    .map(|row| column.get(row))
                    .filter(|c| !is_missing(c)),
                name,
            )?
        }
        Held::Unread => return None,
    };
    let at = |row: usize| match table.held(col) {
        Held::Number(_) => table
            .number(col, row)
            .and_then(|v| parse(&format!("{v:.0}"), format)),
        _ => {
            let cell = table.columns[col].get(row);
            (!is_missing(cell)).then(|| parse(cell, format)).flatten()
        }
    };
    let times: Vec<Option<DateTime>> = rows.map(at).collect();
    let with_time = times.iter().flatten().any(|t| t.second_of_day.is_some());
    let n_missing = times.iter().filter(|t| t.is_none()).count();
    let names: Vec<&str> = DATE_FEATURES
        .iter()
        .chain(if with_time { &TIME_FEATURES[..] } else { &[] })
        .copied()
        .collect();
    let mut columns: Vec<Vec<f64>> = vec![Vec::with_capacity(times.len()); names.len()];
    for t in &times {
        let values = t.map(|t| features(t, with_time));
        for (k, column) in columns.iter_mut().enumerate() {
            column.push(values.as_ref().map_or(f64::NAN, |v| v[k]));
        }
    }
    let mut kept = Vec::new();
    for (feature, mut values) in names.iter().zip(columns) {
        let present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        if present.is_empty() || present.iter().all(|v| *v == present[0]) {
            continue;
        }
        let mean = present.iter().sum::<f64>() / present.len() as f64;
        for v in &mut values {
            if v.is_nan() {
                *v = mean;
            }
        }
        kept.push((format!("{name}:{feature}"), values));
    }
    report.dates.push(DateColumn {
        column: name.clone(),
        format: format.label().to_string(),
        features: kept.len(),
    });
    if n_missing > 0 {
        report.imputed.push(ImputedColumn {
            column: name.clone(),
            cells: n_missing,
            value: "the mean of each date feature".into(),
        });
    }
    if kept.is_empty() {
        report.dropped_constant.push(name.clone());
        return Some(None);
    }
    Some(Some(Plan::Date(kept)))
}

/// Type one feature column and compute its features; `None` when it is dropped.
fn plan_column(
    table: &Table,
    col: usize,
    options: &CsvOptions,
    report: &mut ImportReport,
) -> Result<Option<Plan>, DataError> {
    let name = &table.names[col];
    if let Some(plan) = plan_date(table, col, report) {
        return Ok(plan);
    }
    if let Held::Number(slot) = table.held(col) {
        return Ok(plan_numbers(table, col, slot, options, report));
    }
    let column = &table.columns[col];
    let rows = table.first_data_row..table.n_rows();
    let decimal_comma = table.delimiter == Some(';');
    let mut values = Vec::with_capacity(rows.len());
    let (mut n_missing, mut n_numeric, mut n_text) = (0usize, 0usize, 0usize);
    let (mut first_text, mut first_nonfinite) = (None, None);
    let (mut n_grouped, mut first_grouped) = (0usize, None);
    let (mut lo, mut hi, mut sum) = (f64::INFINITY, f64::NEG_INFINITY, 0.0);
    for row in rows.clone() {
        let cell = column.get(row);
        if is_missing(cell) {
            n_missing += 1;
            values.push(f64::NAN);
            continue;
        }
        match parse_number(cell, decimal_comma) {
            Some(v) => {
                n_numeric += 1;
                if !v.is_finite() {
                    first_nonfinite.get_or_insert(row);
                }
                lo = lo.min(v);
                hi = hi.max(v);
                sum += v;
                values.push(v);
            }
            None => {
                n_text += 1;
                first_text.get_or_insert(row);
                if looks_like_grouped_number(cell) {
                    n_grouped += 1;
                    first_grouped.get_or_insert(row);
                }
                values.push(f64::NAN);
            }
        }
    }
    let line = |row: usize| table.lines.get(row).copied().unwrap_or(0);
    if n_numeric + n_text == 0 {
        report.dropped_empty.push(name.clone());
        return Ok(None);
    }
    if n_text == 0 {
        if let Some(row) = first_nonfinite {
            return Err(DataError::NotFinite {
                line: line(row),
                column: name.clone(),
                value: shown(column.get(row)),
            });
        }
        if lo == hi && !options.keep_constant_columns {
            report.dropped_constant.push(name.clone());
            return Ok(None);
        }
        let mut mean = sum / n_numeric as f64;
        if !mean.is_finite() {
            // The sum of huge values (±1e308) overflowed: average the values divided by n.
            let n = n_numeric as f64;
            mean = values.iter().filter(|v| !v.is_nan()).map(|v| v / n).sum();
        }
        if n_missing > 0 {
            for v in &mut values {
                if v.is_nan() {
                    *v = mean;
                }
            }
            report.imputed.push(ImputedColumn {
                column: name.clone(),
                cells: n_missing,
                value: mean.to_string(),
            });
        }
        return Ok(Some(Plan::Numeric(values)));
    }
    if n_grouped > 0 && n_numeric + n_grouped >= n_text - n_grouped {
        if let Some(row) = first_grouped {
            return Err(DataError::GroupedNumber {
                line: line(row),
                column: name.clone(),
                value: shown(column.get(row)),
            });
        }
    }
    if n_numeric >= n_text {
        if let Some(row) = first_text {
            return Err(DataError::NotNumeric {
                line: line(row),
                column: name.clone(),
                value: shown(column.get(row)),
            });
        }
    }
    drop(values);

    // Categorical: count the categories, refuse too many, one-hot the rest.
    let mut counts: FixedMap<&str, usize> = FixedMap::default();
    for row in rows.clone() {
        let cell = column.get(row);
        if !is_missing(cell) {
            *counts.entry(cell).or_insert(0) += 1;
        }
    }
    if counts.len() > options.max_categories {
        return Err(DataError::TooManyCategories {
            column: name.clone(),
            found: counts.len(),
            max: options.max_categories,
        });
    }
    if counts.len() == 1 && !options.keep_constant_columns {
        report.dropped_constant.push(name.clone());
        return Ok(None);
    }
    let mut categories: Vec<&str> = counts.keys().copied().collect();
    categories.sort_unstable();
    let mut mode = 0usize;
    for (k, c) in categories.iter().enumerate() {
        if counts[c] > counts[&categories[mode]] {
            mode = k;
        }
    }
    let index: FixedMap<&str, u32> = categories
        .iter()
        .enumerate()
        .map(|(k, c)| (*c, k as u32))
        .collect();
    let codes: Vec<u32> = rows
        .map(|row| {
            let cell = column.get(row);
            index.get(cell).copied().unwrap_or(mode as u32)
        })
        .collect();
    if n_missing > 0 {
        report.imputed.push(ImputedColumn {
            column: name.clone(),
            cells: n_missing,
            value: categories[mode].to_string(),
        });
    }
    let categories: Vec<String> = categories.iter().map(|c| c.to_string()).collect();
    report.one_hot.push(OneHotColumn {
        column: name.clone(),
        categories: categories.clone(),
    });
    Ok(Some(Plan::OneHot { categories, codes }))
}

/// The columns whose text [`build`] will read but the table does not hold: the label, id and
/// text columns held as numbers, and feature columns that must be read again
/// ([`Held::Unread`]). Empty when the roles cannot be assigned (then [`build`] stops at that
/// error before reading any cell).
pub(crate) fn text_needed(
    table: &Table,
    options: &CsvOptions,
    text: Option<(&str, &TextOptions)>,
) -> Vec<usize> {
    let Ok(Roles { roles, .. }) = roles(&table.names, options, text) else {
        return Vec::new();
    };
    roles
        .iter()
        .enumerate()
        .filter(|&(c, role)| match table.held(c) {
            Held::Text => false,
            Held::Unread => *role != Role::Ignored,
            Held::Number(_) => matches!(role, Role::Label | Role::Id | Role::Text),
        })
        .map(|(c, _)| c)
        .collect()
}

/// The feature matrix made in place from the numbers block, when every feature column is held
/// as numbers: each data row's kept slots moved to the front of the block, in order, and the
/// rest cut off. Every value moves to the same place or an earlier one, and the places read
/// later are all after it, so nothing is overwritten before it is read. `None` (the block left
/// as it was) when some feature is not a numeric column.
fn numbers_as_features(
    numbers: &mut Numbers,
    plans: &[(usize, Plan)],
    first: usize,
    n_rows: usize,
) -> Option<Array2<f64>> {
    let slots: Vec<usize> = plans
        .iter()
        .map(|(_, p)| match p {
            Plan::Slot { slot, .. } => Some(*slot),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let (w, d) = (numbers.width, slots.len());
    let increasing = slots.windows(2).all(|p| p[0] < p[1]);
    if d == 0 || !increasing || slots.last().is_some_and(|&s| s >= w) {
        return None;
    }
    if numbers.values.len() != (first + n_rows) * w {
        return None;
    }
    let v = &mut numbers.values;
    for r in 0..n_rows {
        let (src, dst) = ((first + r) * w, r * d);
        for (j, &slot) in slots.iter().enumerate() {
            v[dst + j] = v[src + slot];
        }
    }
    v.truncate(n_rows * d);
    if v.capacity() - v.len() > v.len() / 8 {
        v.shrink_to_fit();
    }
    Array2::from_shape_vec((n_rows, d), std::mem::take(v)).ok()
}

/// The feature matrix from the columns' plans, copied (see [`numbers_as_features`] for the
/// in-place way): numeric columns, one-hot blocks, then the text features.
fn assemble(
    plans: Vec<(usize, Plan)>,
    numbers: Numbers,
    text_features: Option<super::text::TextFeatures>,
    first: usize,
    shape: (usize, usize),
) -> Array2<f64> {
    let mut features = Array2::<f64>::zeros(shape);
    let mut j = 0;
    for (_, plan) in plans {
        match plan {
            Plan::Numeric(values) => {
                for (dst, v) in features.column_mut(j).iter_mut().zip(values) {
                    *dst = v;
                }
                j += 1;
            }
            Plan::Slot { slot, .. } => {
                for (dst, v) in features
                    .column_mut(j)
                    .iter_mut()
                    .zip(numbers.slot_cells(slot, first))
                {
                    *dst = *v;
                }
                j += 1;
            }
            Plan::OneHot { categories, codes } => {
                for (mut row, code) in features.rows_mut().into_iter().zip(codes) {
                    if let Some(dst) = row.get_mut(j + code as usize) {
                        *dst = 1.0;
                    }
                }
                j += categories.len();
            }
            Plan::Date(columns) => {
                for (_, values) in columns {
                    for (dst, v) in features.column_mut(j).iter_mut().zip(values) {
                        *dst = v;
                    }
                    j += 1;
                }
            }
        }
    }
    drop(numbers);
    if let Some(text_features) = text_features {
        for (mut row, sparse) in features.rows_mut().into_iter().zip(&text_features.rows) {
            for &(k, v) in sparse {
                if let Some(dst) = row.get_mut(j + k) {
                    *dst = v;
                }
            }
        }
    }
    features
}

/// Turn a read table into a [`Dataset`] (see the module docs for the rules). With `text`, that
/// column is vectorized and its features come after the other columns' features.
pub(crate) fn build(
    mut table: Table,
    options: &CsvOptions,
    text: Option<(&str, &TextOptions)>,
) -> Result<Dataset, DataError> {
    let n_cols = table.names.len();
    if n_cols < 2 {
        return Err(DataError::TooFewColumns { found: n_cols });
    }
    let n_rows = table.n_rows().saturating_sub(table.first_data_row);
    if n_rows == 0 {
        return Err(DataError::NoRows);
    }
    if options.max_categories == 0 {
        return Err(DataError::BadOption {
            option: "max_categories".into(),
            value: "0".into(),
            rule: "a categorical column needs room for at least 1 category".into(),
        });
    }

    // Roles.
    let names = &table.names;
    let Roles {
        roles,
        id: id_col,
        text: text_col,
        label: label_col,
    } = roles(names, options, text)?;
    if n_rows == 1 {
        return Err(DataError::OneRow {
            line: table.lines.get(table.first_data_row).copied().unwrap_or(0),
        });
    }

    let mut report = ImportReport {
        rows_read: n_rows,
        delimiter: table.delimiter,
        header_detected: table.header_detected,
        label_column: names[label_col].clone(),
        id_column: id_col.map(|i| names[i].clone()),
        text_column: text_col.map(|i| names[i].clone()),
        ignored_columns: (0..n_cols)
            .filter(|&i| roles[i] == Role::Ignored)
            .map(|i| names[i].clone())
            .collect(),
        ..ImportReport::default()
    };
    let data_rows = table.first_data_row..table.first_data_row + n_rows;

    // Labels.
    let labels = &table.columns[label_col];
    let mut distinct: FixedMap<&str, usize> = FixedMap::default();
    for row in data_rows.clone() {
        let cell = labels.get(row);
        if !is_missing(cell) {
            distinct.insert(cell, 0);
        }
    }
    if distinct.len() > MAX_CLASSES {
        return Err(DataError::TooManyClasses {
            column: names[label_col].clone(),
            found: distinct.len(),
            max: MAX_CLASSES,
        });
    }
    let mut class_names: Vec<String> = distinct.keys().map(|c| c.to_string()).collect();
    class_names.sort_unstable();
    for (k, c) in class_names.iter().enumerate() {
        if let Some(slot) = distinct.get_mut(c.as_str()) {
            *slot = k;
        }
    }
    let known_labels: Vec<Option<usize>> = data_rows
        .clone()
        .map(|row| distinct.get(labels.get(row)).copied())
        .collect();
    drop(distinct);
    report.unlabeled_rows = known_labels.iter().filter(|l| l.is_none()).count();

    // Row ids.
    let row_ids: Vec<String> = match id_col {
        Some(i) => data_rows
            .clone()
            .map(|row| {
                let id = table.columns[i].get(row);
                if id.is_empty() {
                    (row - table.first_data_row + 1).to_string()
                } else {
                    id.to_string()
                }
            })
            .collect(),
        None => (1..=n_rows).map(|i| i.to_string()).collect(),
    };

    // Feature columns.
    let mut plans: Vec<(usize, Plan)> = Vec::new();
    for (col, role) in roles.iter().enumerate() {
        if *role != Role::Feature {
            continue;
        }
        if let Some(plan) = plan_column(&table, col, options, &mut report)? {
            // The column's text is no longer needed.
            if matches!(plan, Plan::Numeric(_) | Plan::Slot { .. }) {
                table.columns[col] = Column::default();
            }
            plans.push((col, plan));
        }
    }

    // Text features.
    let text_features = match (text, text_col) {
        (Some((_, text_options)), Some(i)) => {
            let column = &table.columns[i];
            let docs: Vec<&str> = data_rows
                .clone()
                .map(|row| {
                    let cell = column.get(row);
                    if is_missing(cell) {
                        ""
                    } else {
                        cell
                    }
                })
                .collect();
            let features = vectorize(&docs, text_options).map_err(|e| match e {
                DataError::EmptyVocabulary { .. } => DataError::EmptyVocabulary {
                    column: table.names[i].clone(),
                },
                e => e,
            })?;
            Some(features)
        }
        _ => None,
    };

    let mut feature_names = Vec::new();
    for (col, plan) in &plans {
        match plan {
            Plan::Numeric(_) | Plan::Slot { .. } => feature_names.push(table.names[*col].clone()),
            Plan::OneHot { categories, .. } => {
                for c in categories {
                    feature_names.push(format!("{}={c}", table.names[*col]));
                }
            }
            Plan::Date(columns) => feature_names.extend(columns.iter().map(|(n, _)| n.clone())),
        }
    }
    if let (Some(features), Some(i)) = (&text_features, text_col) {
        for term in &features.names {
            feature_names.push(format!("{}:{term}", table.names[i]));
        }
    }
    let n_features = feature_names.len();
    if n_features == 0 {
        let mut parts = Vec::new();
        if !report.dropped_constant.is_empty() {
            parts.push(format!(
                "dropped as constant: {}",
                report.dropped_constant.join(", ")
            ));
        }
        if !report.dropped_empty.is_empty() {
            parts.push(format!(
                "dropped as empty: {}",
                report.dropped_empty.join(", ")
            ));
        }
        if !report.ignored_columns.is_empty() {
            parts.push(format!("ignored: {}", report.ignored_columns.join(", ")));
        }
        if let Some(id) = &report.id_column {
            parts.push(format!("id: {id}"));
        }
        parts.push(format!("label: {}", report.label_column));
        return Err(DataError::NoFeatures {
            detail: parts.join("; "),
        });
    }
    let cells = n_rows as u64 * n_features as u64;
    if cells > MAX_FEATURE_CELLS {
        return Err(DataError::TooManyCells {
            rows: n_rows,
            columns: n_features,
            cells,
            max: MAX_FEATURE_CELLS,
        });
    }

    let first = table.first_data_row;
    let mut numbers = table.numbers.take().unwrap_or_default();
    // Missing cells of numeric columns get their column's mean.
    for (_, plan) in &plans {
        if let Plan::Slot {
            slot,
            impute: Some(mean),
        } = plan
        {
            for v in numbers.slot_cells_mut(*slot, first) {
                if v.is_nan() {
                    *v = *mean;
                }
            }
        }
    }
    let in_place = match text_features {
        None => numbers_as_features(&mut numbers, &plans, first, n_rows),
        Some(_) => None,
    };
    let features = match in_place {
        Some(features) => features,
        None => assemble(plans, numbers, text_features, first, (n_rows, n_features)),
    };

    Ok(Dataset {
        name: options.name.clone(),
        feature_names,
        features,
        class_names,
        known_labels,
        row_ids,
        report,
        display: super::RowDisplay::Table,
    })
}
