//! Literal texts as ODL checks and reads them: GUIDs, dates, times of day
//! and date-times, and the largest decimal. The lexer recognises literals
//! with them, the parser reads their values, the evaluator reads rows.

use std::borrow::Cow;

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, Time};
use uuid::Uuid;

use crate::odata::query_error::QueryError;

/// `System.Decimal.MaxValue`: larger `m` literals do not parse.
pub(super) const DECIMAL_MAX: f64 = 7.922_816_251_426_434e28;

/// ODL's `TryUriStringToGuid`: only the 36-character hyphenated form.
pub(super) fn parse_guid(text: &str) -> Option<Uuid> {
    (text.len() == 36 && text.find('-') == Some(8))
        .then(|| Uuid::parse_str(text).ok())
        .flatten()
}

/// ODL's `DateValidator` (`yyyy-M-d`: month and day may drop the leading
/// zero) and a calendar check, as `DateTime.TryParse` does.
pub(super) fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some()
        || !digits(year, 4..=4)
        || !digits(month, 1..=2)
        || !digits(day, 1..=2)
    {
        return None;
    }
    let year: i32 = year.parse().ok().filter(|&y| y >= 1)?;
    let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year, month, day.parse().ok()?).ok()
}

/// ODL's `TimeOfDayValidator`: `h:m[:s[.fffffff]]`.
pub(super) fn parse_time(text: &str) -> Option<Time> {
    let mut parts = text.split(':');
    let hour = two_digits(parts.next()?).filter(|&h| h <= 23)?;
    let minute = two_digits(parts.next()?).filter(|&m| m <= 59)?;
    let (second, nanos) = match parts.next() {
        None => (0, 0),
        Some(seconds) => {
            let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
            let second = two_digits(whole).filter(|&s| s <= 59)?;
            if seconds.contains('.')
                && !((1..=7).contains(&fraction.len())
                    && fraction.bytes().all(|b| b.is_ascii_digit()))
            {
                return None;
            }
            (second, format!("{fraction:0<9}").parse().ok()?)
        }
    };
    if parts.next().is_some() {
        return None;
    }
    Time::from_hms_nano(hour, minute, second, nanos).ok()
}

fn two_digits(text: &str) -> Option<u8> {
    ((1..=2).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// ODL's `ConvertUriStringToDateTimeOffset`: ISO 8601 with a required
/// offset; the seconds may be left out. A text shaped like a date-time
/// that still fails is an error rather than some other literal, which is
/// what an unencoded `+01:00` (a space after URL decoding) runs into.
pub(super) fn parse_date_time(text: &str) -> Result<Option<OffsetDateTime>, QueryError> {
    match OffsetDateTime::parse(&pad_seconds(text), &Rfc3339) {
        Ok(value) => Ok(Some(value)),
        Err(_) if looks_like_date_time(text) => Err(QueryError::date_time_offset_format(text)),
        Err(_) => Ok(None),
    }
}

/// ODL's `AddSecondsPaddingIfMissing`: `…Thh:mm` gains `:00`.
fn pad_seconds(text: &str) -> Cow<'_, str> {
    let Some(t) = text.find('T').filter(|&t| t > 0) else {
        return text.into();
    };
    match (text.get(..t + 6), text.get(t + 6..)) {
        (Some(head), Some(tail)) if !tail.starts_with(':') => format!("{head}:00{tail}").into(),
        _ => text.into(),
    }
}

/// ODL's `PotentialDateTimeOffsetValidator`:
/// `^\d{2,4}-\d{1,2}-\d{1,2}(T|\s+)\d{1,2}:\d{1,2}`.
fn looks_like_date_time(text: &str) -> bool {
    let mut rest = text;
    take_digits(&mut rest, 2..=4)
        && take(&mut rest, "-")
        && take_digits(&mut rest, 1..=2)
        && take(&mut rest, "-")
        && take_digits(&mut rest, 1..=2)
        && (take(&mut rest, "T") || take_whitespace(&mut rest))
        && take_digits(&mut rest, 1..=2)
        && take(&mut rest, ":")
        && take_digits(&mut rest, 1..=2)
}

fn take_digits(rest: &mut &str, count: std::ops::RangeInclusive<usize>) -> bool {
    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
    match rest.get(n..) {
        Some(tail) if count.contains(&n) => {
            *rest = tail;
            true
        }
        _ => false,
    }
}

fn take(rest: &mut &str, prefix: &str) -> bool {
    match rest.strip_prefix(prefix) {
        Some(tail) => {
            *rest = tail;
            true
        }
        None => false,
    }
}

fn take_whitespace(rest: &mut &str) -> bool {
    let tail = rest.trim_start();
    let taken = tail.len() < rest.len();
    *rest = tail;
    taken
}
