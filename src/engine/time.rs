//! Civil dates and ISO 8601 text: the one implementation of the proleptic Gregorian calendar
//! (Howard Hinnant's day-count algorithms) that every timestamp in the crate goes through.
//!
//! Times are seconds since the Unix epoch (UTC) as `f64`; non-finite input formats as the epoch.
//! All calendar arithmetic is integer, so every target gives the same text.

/// Whether `y` is a Gregorian leap year.
pub fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// The number of days in month `m` (1–12) of year `y`.
pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The Gregorian `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// An instant split into its UTC calendar fields.
struct Civil {
    y: i64,
    m: u32,
    d: u32,
    hh: i64,
    mm: i64,
    ss: i64,
}

impl Civil {
    /// The calendar fields of whole seconds since the epoch.
    fn of_seconds(secs: i64) -> Self {
        let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
        let rem = secs.rem_euclid(86_400);
        Self {
            y,
            m,
            d,
            hh: rem / 3600,
            mm: (rem % 3600) / 60,
            ss: rem % 60,
        }
    }

    /// The whole seconds (rounded down) of an epoch instant; non-finite input gives 0.
    fn floor(epoch_seconds: f64) -> Self {
        Self::of_seconds(if epoch_seconds.is_finite() {
            epoch_seconds.floor() as i64
        } else {
            0
        })
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC) of epoch seconds, rounded to the millisecond; non-finite
/// input gives the epoch.
pub fn iso8601(epoch_seconds: f64) -> String {
    let ms_total = if epoch_seconds.is_finite() {
        (epoch_seconds * 1000.0).round().clamp(-8.0e15, 8.0e15) as i64
    } else {
        0
    };
    let ms = ms_total.rem_euclid(1000);
    let Civil {
        y,
        m,
        d,
        hh,
        mm,
        ss,
    } = Civil::of_seconds(ms_total.div_euclid(1000));
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{ms:03}Z")
}

/// `YYYY-MM-DDTHH:MM:SSZ` (UTC, ISO 8601, whole seconds rounded down) of an epoch-seconds
/// instant; non-finite input gives the epoch.
pub fn iso_timestamp(epoch_seconds: f64) -> String {
    let Civil {
        y,
        m,
        d,
        hh,
        mm,
        ss,
    } = Civil::floor(epoch_seconds);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
}

/// `YYYY-MM-DDTHH-MM-SS` (UTC) of an epoch-seconds instant: an ISO 8601 time with the colons
/// replaced, so it can sit in a file name on every system. Non-finite input gives the epoch.
pub fn file_timestamp(epoch_seconds: f64) -> String {
    iso_timestamp(epoch_seconds)
        .trim_end_matches('Z')
        .replace(':', "-")
}

/// `YYYYMMDD_HHMMSS` (UTC) of an epoch-seconds instant; non-finite input gives the epoch.
pub fn timestamp_suffix(epoch_seconds: f64) -> String {
    let Civil {
        y,
        m,
        d,
        hh,
        mm,
        ss,
    } = Civil::floor(epoch_seconds);
    format!("{y:04}{m:02}{d:02}_{hh:02}{mm:02}{ss:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_formats_utc() {
        assert_eq!(iso8601(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_700_000_000.25), "2023-11-14T22:13:20.250Z");
        assert_eq!(iso8601(951_782_400.0), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn second_precision_forms_round_down() {
        assert_eq!(timestamp_suffix(951_827_696.0), "20000229_123456");
        assert_eq!(timestamp_suffix(-1.0), "19691231_235959");
        assert_eq!(iso_timestamp(951_827_696.0), "2000-02-29T12:34:56Z");
        assert_eq!(file_timestamp(f64::NAN), "1970-01-01T00-00-00");
    }

    #[test]
    fn day_counts_round_trip_through_the_calendar() {
        for days in [-719_468, -1, 0, 1, 11_016, 59, 60, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(
                days_from_civil(y, i64::from(m), i64::from(d)),
                days,
                "{days}"
            );
        }
        assert_eq!(days_from_civil(2000, 2, 29), 11_016);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
    }
}
