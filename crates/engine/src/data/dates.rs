//! Dates and times in a column become numeric features: the year, the month and the day of the
//! year as points on a circle (so December sits next to January), the weekday, and the time of
//! day when the column has one.
//!
//! A column is a date column when every non-empty cell reads in one [`DateFormat`]: ISO dates and
//! date-times (`2012-01-31`, `2012-01-31T08:15:00Z`), day-first or month-first dates
//! (`31/01/2012`, `01.31.2012`) when some cell shows which field is the day, and Unix timestamps
//! (seconds or milliseconds) when the column is named like one. A time zone suffix is read and
//! set aside: the time of day is the one written, which is what a person's data means by it.
//!
//! The calendar arithmetic is the proleptic Gregorian one of Howard Hinnant's `days_from_civil`;
//! it is written here rather than taken from a date crate because the importer needs ten lines of
//! it and the worker's download pays for every crate (`tests/reference/dates.json`, made by
//! `scripts/dates_reference.py` with Python's `datetime`, checks it).

use std::f64::consts::TAU;

/// How the cells of a date column are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DateFormat {
    /// `YYYY-MM-DD` or `YYYY/MM/DD`, optionally followed by a time.
    YearFirst,
    /// `DD/MM/YYYY` (or with `.` or `-`), optionally followed by a time.
    DayFirst,
    /// `MM/DD/YYYY` (or with `.` or `-`), optionally followed by a time.
    MonthFirst,
    /// Seconds since 1970-01-01 UTC.
    UnixSeconds,
    /// Milliseconds since 1970-01-01 UTC.
    UnixMillis,
}

impl DateFormat {
    /// How the format is shown to the person.
    pub fn label(self) -> &'static str {
        match self {
            DateFormat::YearFirst => "year-month-day",
            DateFormat::DayFirst => "day/month/year",
            DateFormat::MonthFirst => "month/day/year",
            DateFormat::UnixSeconds => "Unix time (seconds)",
            DateFormat::UnixMillis => "Unix time (milliseconds)",
        }
    }
}

/// A point in time as written: days since 1970-01-01 and, when the cell has one, the second of
/// the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    /// Days since 1970-01-01 (negative before it).
    pub days: i64,
    /// Seconds since midnight, when the cell gives a time.
    pub second_of_day: Option<u32>,
}

/// The calendar fields of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
    /// 1 to 366.
    pub day_of_year: u32,
    /// Monday = 0 … Sunday = 6 (as ISO 8601 and Python's `weekday()`).
    pub weekday: u32,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The calendar fields of a day given as days since 1970-01-01 (Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> Civil {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy_mar = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy_mar + 2) / 153;
    let day = (doy_mar - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        day_of_year: (days - days_from_civil(year, 1, 1) + 1) as u32,
        weekday: (days + 3).rem_euclid(7) as u32,
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Names of the features a date column becomes, after `column:`; the time of day's two only when
/// the column has times.
pub const DATE_FEATURES: [&str; 7] = [
    "year",
    "month_sin",
    "month_cos",
    "day_of_year_sin",
    "day_of_year_cos",
    "weekday_sin",
    "weekday_cos",
];

/// The two features of the time of day, after [`DATE_FEATURES`].
pub const TIME_FEATURES: [&str; 2] = ["time_sin", "time_cos"];

/// The features of one point in time: [`DATE_FEATURES`], then [`TIME_FEATURES`] when `with_time`
/// (a cell without a time is at midnight then).
pub fn features(at: DateTime, with_time: bool) -> Vec<f64> {
    let c = civil_from_days(at.days);
    let year_days = if is_leap(c.year) { 366.0 } else { 365.0 };
    let turn = |fraction: f64| ((TAU * fraction).sin(), (TAU * fraction).cos());
    let (ms, mc) = turn(f64::from(c.month - 1) / 12.0);
    let (ds, dc) = turn(f64::from(c.day_of_year - 1) / year_days);
    let (ws, wc) = turn(f64::from(c.weekday) / 7.0);
    let mut out = vec![c.year as f64, ms, mc, ds, dc, ws, wc];
    if with_time {
        let (ts, tc) = turn(f64::from(at.second_of_day.unwrap_or(0)) / 86_400.0);
        out.extend([ts, tc]);
    }
    out
}

/// Whether a column's name says it holds Unix timestamps.
pub fn named_like_a_timestamp(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["timestamp", "unix", "epoch"]
        .iter()
        .any(|w| lower.contains(w))
        || lower.ends_with("_at")
        || lower == "time"
        || lower.ends_with("_time")
}

/// Unix timestamps from 1973 to 2286 in seconds, or the same span in milliseconds: integers
/// outside both are counts, ids or amounts, not times.
const SECONDS: std::ops::Range<i64> = 100_000_000..10_000_000_000;
const MILLIS: std::ops::Range<i64> = 100_000_000_000..10_000_000_000_000;

/// The format every non-empty cell of a column reads in, if there is one; `None` for a column
/// with no non-empty cell, or whose cells are not all dates of one format (a day-first/month-first
/// column where no cell tells which is which stays `None`).
///
/// ```
/// use engine::data::dates::{detect, DateFormat};
/// assert_eq!(detect(["2012-01-01", "", "2012-12-31"], "date"), Some(DateFormat::YearFirst));
/// assert_eq!(detect(["03/04/2020", "25/04/2020"], "day"), Some(DateFormat::DayFirst));
/// assert_eq!(detect(["03/04/2020", "04/03/2020"], "day"), None); // no cell tells
/// assert_eq!(detect(["1325376000", "1356912000"], "created_at"), Some(DateFormat::UnixSeconds));
/// assert_eq!(detect(["1325376000", "1356912000"], "amount"), None);
/// ```
pub fn detect<'a>(cells: impl IntoIterator<Item = &'a str>, column: &str) -> Option<DateFormat> {
    let timestamps = named_like_a_timestamp(column);
    // Candidates still possible; a slashed date is day-first or month-first until a cell says.
    let (mut year_first, mut slashed, mut seconds, mut millis) =
        (true, true, timestamps, timestamps);
    let (mut day_first_seen, mut month_first_seen) = (false, false);
    let mut any = false;
    for cell in cells {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        any = true;
        if year_first && parse(cell, DateFormat::YearFirst).is_none() {
            year_first = false;
        }
        if slashed {
            let day_first = parse(cell, DateFormat::DayFirst).is_some();
            let month_first = parse(cell, DateFormat::MonthFirst).is_some();
            match (day_first, month_first) {
                (false, false) => slashed = false,
                (true, false) => day_first_seen = true,
                (false, true) => month_first_seen = true,
                (true, true) => {}
            }
            if day_first_seen && month_first_seen {
                slashed = false;
            }
        }
        if seconds || millis {
            match cell.parse::<i64>() {
                Ok(v) => {
                    seconds &= SECONDS.contains(&v);
                    millis &= MILLIS.contains(&v);
                }
                Err(_) => (seconds, millis) = (false, false),
            }
        }
        if !(year_first || slashed || seconds || millis) {
            return None;
        }
    }
    if !any {
        return None;
    }
    if year_first {
        Some(DateFormat::YearFirst)
    } else if slashed && day_first_seen {
        Some(DateFormat::DayFirst)
    } else if slashed && month_first_seen {
        Some(DateFormat::MonthFirst)
    } else if seconds {
        Some(DateFormat::UnixSeconds)
    } else if millis {
        Some(DateFormat::UnixMillis)
    } else {
        None
    }
}

/// [`detect`] for a column of numbers: Unix timestamps when the column is named like one and
/// every value is a whole number of seconds or milliseconds from 1973 to 2286.
///
/// ```
/// use engine::data::dates::{detect_numbers, DateFormat};
/// assert_eq!(detect_numbers([1.3e9, 1.4e9], "created_at"), Some(DateFormat::UnixSeconds));
/// assert_eq!(detect_numbers([1.3e9, 1.5], "created_at"), None);
/// assert_eq!(detect_numbers([1.3e9], "price"), None);
/// ```
pub fn detect_numbers(values: impl IntoIterator<Item = f64>, column: &str) -> Option<DateFormat> {
    if !named_like_a_timestamp(column) {
        return None;
    }
    let whole = |v: f64| (v.fract() == 0.0 && v.abs() < 9e15).then_some(v as i64);
    let (mut seconds, mut millis, mut any) = (true, true, false);
    for v in values {
        let v = whole(v)?;
        any = true;
        seconds &= SECONDS.contains(&v);
        millis &= MILLIS.contains(&v);
    }
    match (any, seconds, millis) {
        (true, true, _) => Some(DateFormat::UnixSeconds),
        (true, false, true) => Some(DateFormat::UnixMillis),
        _ => None,
    }
}

/// A cell read in `format`, or `None` when it is not a valid date (and time) in it.
///
/// ```
/// use engine::data::dates::{parse, DateFormat, DateTime};
/// let at = parse("1970-01-02T00:01:05+02:00", DateFormat::YearFirst).unwrap();
/// assert_eq!(at, DateTime { days: 1, second_of_day: Some(65) });
/// assert!(parse("2013-02-29", DateFormat::YearFirst).is_none()); // not a leap year
/// assert_eq!(parse("29.02.2012", DateFormat::DayFirst).map(|d| d.second_of_day), Some(None));
/// ```
pub fn parse(cell: &str, format: DateFormat) -> Option<DateTime> {
    let cell = cell.trim();
    match format {
        DateFormat::UnixSeconds | DateFormat::UnixMillis => {
            let v: i64 = cell.parse().ok()?;
            let seconds = if format == DateFormat::UnixMillis {
                v.div_euclid(1000)
            } else {
                v
            };
            Some(DateTime {
                days: seconds.div_euclid(86_400),
                second_of_day: Some(seconds.rem_euclid(86_400) as u32),
            })
        }
        _ => {
            let split = cell.find(['T', 't', ' ']).map_or((cell, None), |at| {
                (&cell[..at], Some(cell[at + 1..].trim()))
            });
            let (date, time) = split;
            let fields = date_fields(date, format)?;
            let (year, month, day) = fields;
            if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
                return None;
            }
            let second_of_day = match time {
                None | Some("") => None,
                Some(time) => Some(parse_time(time)?),
            };
            Some(DateTime {
                days: days_from_civil(year, month, day),
                second_of_day,
            })
        }
    }
}

/// `(year, month, day)` of a date without its time, in `format`'s order.
fn date_fields(date: &str, format: DateFormat) -> Option<(i64, u32, u32)> {
    let separators: &[char] = match format {
        DateFormat::YearFirst => &['-', '/'],
        _ => &['/', '.', '-'],
    };
    let sep = date.chars().find(|c| separators.contains(c))?;
    let parts: Vec<&str> = date.split(sep).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let number = |s: &str, min: usize, max: usize| {
        (s.len() >= min && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    match format {
        DateFormat::YearFirst => Some((
            i64::from(number(a, 4, 4)?),
            number(b, 1, 2)?,
            number(c, 1, 2)?,
        )),
        DateFormat::DayFirst => Some((
            i64::from(number(c, 4, 4)?),
            number(b, 1, 2)?,
            number(a, 1, 2)?,
        )),
        DateFormat::MonthFirst => Some((
            i64::from(number(c, 4, 4)?),
            number(a, 1, 2)?,
            number(b, 1, 2)?,
        )),
        DateFormat::UnixSeconds | DateFormat::UnixMillis => None,
    }
}

/// Seconds since midnight of `HH:MM[:SS[.fraction]]`, with an optional `Z` or `±HH[:MM]` zone
/// suffix set aside.
fn parse_time(time: &str) -> Option<u32> {
    let time = time.strip_suffix(['Z', 'z']).unwrap_or(time);
    let time = match time.rfind(['+', '-']) {
        Some(at) if at >= 5 => &time[..at],
        _ => time,
    };
    let mut parts = time.split(':');
    let hour: u32 = digits(parts.next()?, 2)?;
    let minute: u32 = digits(parts.next()?, 2)?;
    let second: u32 = match parts.next() {
        None => 0,
        Some(s) => {
            let whole = s.split_once(['.', ',']).map_or(s, |(w, fraction)| {
                if fraction.bytes().all(|b| b.is_ascii_digit()) {
                    w
                } else {
                    ""
                }
            });
            digits(whole, 2)?
        }
    };
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(hour * 3600 + minute * 60 + second.min(59))
}

/// A field of one or `max` digits.
fn digits(s: &str, max: usize) -> Option<u32> {
    (!s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Case {
        cell: String,
        format: DateFormat,
        days: i64,
        second_of_day: Option<u32>,
        year: i64,
        month: u32,
        day: u32,
        day_of_year: u32,
        weekday: u32,
    }

    /// Every date of the reference file reads as Python's `datetime` reads it.
    #[test]
    fn dates_read_as_python_reads_them() {
        let cases: Vec<Case> =
            serde_json::from_str(include_str!("../../../../tests/reference/dates.json"))
                .expect("the reference file parses");
        assert!(cases.len() > 100, "{} cases", cases.len());
        for case in &cases {
            let at = parse(&case.cell, case.format)
                .unwrap_or_else(|| panic!("{} does not read as {:?}", case.cell, case.format));
            assert_eq!(
                (at.days, at.second_of_day),
                (case.days, case.second_of_day),
                "{}",
                case.cell
            );
            let c = civil_from_days(at.days);
            assert_eq!(
                (c.year, c.month, c.day, c.day_of_year, c.weekday),
                (
                    case.year,
                    case.month,
                    case.day,
                    case.day_of_year,
                    case.weekday
                ),
                "{}",
                case.cell
            );
        }
    }

    #[test]
    fn days_and_civil_dates_round_trip_over_four_centuries() {
        for days in (-146_097 * 2..146_097 * 2).step_by(13) {
            let c = civil_from_days(days);
            assert_eq!(days_from_civil(c.year, c.month, c.day), days);
        }
    }

    #[test]
    fn invalid_cells_are_not_dates() {
        for cell in [
            "2012-13-01",
            "2012-00-10",
            "2012-02-30",
            "2012-1-1x",
            "12-01-01",
            "2012-01-01T25:00",
            "2012-01-01 10:61",
            "2012-01-01 10",
            "hello",
            "",
        ] {
            assert_eq!(parse(cell, DateFormat::YearFirst), None, "{cell}");
        }
        assert_eq!(parse("31/04/2020", DateFormat::DayFirst), None);
        assert_eq!(parse("04/31/2020", DateFormat::MonthFirst), None);
    }

    #[test]
    fn a_column_is_a_date_column_only_when_every_cell_agrees() {
        assert_eq!(detect(["2012-01-01", "n/a"], "d"), None);
        assert_eq!(detect(["", " "], "d"), None);
        assert_eq!(
            detect(["12/31/2020", "01/02/2021"], "when"),
            Some(DateFormat::MonthFirst)
        );
        assert_eq!(detect(["13/01/2020", "01/13/2020"], "when"), None);
        assert_eq!(
            detect(["1356912000123"], "timestamp_ms"),
            Some(DateFormat::UnixMillis)
        );
        // Small integers named like a timestamp are counts, not times.
        assert_eq!(detect(["12", "40"], "time"), None);
        // Plain numbers are never dates.
        assert_eq!(detect(["2012", "2013"], "year"), None);
    }

    #[test]
    fn features_put_december_next_to_january_and_add_the_time_when_asked() {
        let jan = features(parse("2021-01-01", DateFormat::YearFirst).unwrap(), false);
        let dec = features(parse("2021-12-31", DateFormat::YearFirst).unwrap(), false);
        assert_eq!(jan.len(), DATE_FEATURES.len());
        assert_eq!(jan[0], 2021.0);
        let gap = ((jan[3] - dec[3]).powi(2) + (jan[4] - dec[4]).powi(2)).sqrt();
        assert!(gap < 0.05, "one day apart on the circle: {gap}");
        let noon = features(
            parse("2021-06-15 12:00", DateFormat::YearFirst).unwrap(),
            true,
        );
        assert_eq!(noon.len(), DATE_FEATURES.len() + TIME_FEATURES.len());
        assert!((noon[7] - 0.0).abs() < 1e-12 && (noon[8] + 1.0).abs() < 1e-12);
    }
}
