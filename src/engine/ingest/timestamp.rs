//! Timestamp cells → seconds since the Unix epoch (UTC, `f64`).
//!
//! Accepted forms:
//! - RFC 3339 / ISO 8601: `2024-01-02T03:04:05Z`, `2024-01-02T03:04:05.123+02:00`, `2024-01-02`;
//! - `YYYY-MM-DD HH:MM[:SS[.fff]]` and `YYYY/MM/DD …`, taken as UTC;
//! - slash dates with the year last, as CICFlowMeter writes them: `03/07/2017 08:55:58`,
//!   `3/7/2017 8:55`, optionally with `AM`/`PM`. These are read **day first** (DD/MM/YYYY):
//!   CIC-IDS2017 was captured on 3–7 July 2017 and writes `3/7/2017`, CIC-IDS2018 writes
//!   `14/02/2018`. When the second number is above 12 the cell can only be month first, and is
//!   read that way. CIC-IDS2017's afternoon times lack AM/PM (`3:30` means 15:30); that cannot be
//!   recovered from the cell and is kept as written;
//! - plain numbers: epoch seconds; values above 10¹¹ are milliseconds, above 10¹⁴ microseconds,
//!   above 10¹⁷ nanoseconds.
//!
//! All arithmetic is integer until the final division, so results are identical on every target.

use crate::engine::time::{days_from_civil, days_in_month};

/// Parses one timestamp cell; `None` when it is not a recognised timestamp.
pub fn parse_timestamp(cell: &str) -> Option<f64> {
    let s = cell.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(x) = s.parse::<f64>() {
        return epoch_number(x);
    }
    parse_date_time(s)
}

/// Parses a date-time text (not a plain number).
pub fn parse_date_time(s: &str) -> Option<f64> {
    let b = s.trim().as_bytes();
    let mut p = Cursor { b, i: 0 };
    let (year, month, day) = if b.len() >= 5 && b[..4].iter().all(u8::is_ascii_digit) {
        // YYYY-MM-DD or YYYY/MM/DD
        let y = p.number(4, 4)?;
        let sep = p.byte()?;
        if sep != b'-' && sep != b'/' {
            return None;
        }
        let m = p.number(1, 2)?;
        p.expect(sep)?;
        let d = p.number(1, 2)?;
        (y, m, d)
    } else {
        // A/B/YYYY (day first unless B > 12)
        let a = p.number(1, 2)?;
        let sep = p.byte()?;
        if sep != b'/' && sep != b'-' && sep != b'.' {
            return None;
        }
        let bnum = p.number(1, 2)?;
        p.expect(sep)?;
        let y = p.number(4, 4)?;
        if bnum > 12 {
            (y, a, bnum)
        } else {
            (y, bnum, a)
        }
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut secs: i64 = days_from_civil(year, month, day) * 86_400;
    let mut frac = 0.0;
    if p.i < b.len() {
        let sep = p.byte()?;
        if sep != b'T' && sep != b't' && sep != b' ' {
            return None;
        }
        while p.peek() == Some(b' ') {
            p.i += 1;
        }
        let mut h = p.number(1, 2)?;
        p.expect(b':')?;
        let mi = p.number(2, 2)?;
        let mut se = 0;
        if p.peek() == Some(b':') {
            p.i += 1;
            se = p.number(2, 2)?;
            if matches!(p.peek(), Some(b'.') | Some(b',')) {
                p.i += 1;
                let start = p.i;
                let mut num: i64 = 0;
                let mut den: i64 = 1;
                while let Some(c) = p.peek().filter(u8::is_ascii_digit) {
                    if den < 1_000_000_000 {
                        num = num * 10 + i64::from(c - b'0');
                        den *= 10;
                    }
                    p.i += 1;
                }
                if p.i == start {
                    return None;
                }
                frac = num as f64 / den as f64;
            }
        }
        while p.peek() == Some(b' ') {
            p.i += 1;
        }
        // AM / PM
        let rest = &b[p.i..];
        if rest.len() >= 2
            && (rest[..2].eq_ignore_ascii_case(b"am") || rest[..2].eq_ignore_ascii_case(b"pm"))
        {
            if !(1..=12).contains(&h) {
                return None;
            }
            let pm = rest[0].eq_ignore_ascii_case(&b'p');
            h %= 12;
            if pm {
                h += 12;
            }
            p.i += 2;
        }
        if h > 23 || mi > 59 || se > 60 {
            return None;
        }
        secs += h * 3600 + mi * 60 + se;
        // Zone: Z, ±HH:MM, ±HHMM, ±HH
        match p.peek() {
            None => {}
            Some(b'Z') | Some(b'z') => p.i += 1,
            Some(c @ (b'+' | b'-')) => {
                p.i += 1;
                let oh = p.number(2, 2)?;
                let mut om = 0;
                if p.peek() == Some(b':') {
                    p.i += 1;
                }
                if p.peek().is_some_and(|c| c.is_ascii_digit()) {
                    om = p.number(2, 2)?;
                }
                let off = oh * 3600 + om * 60;
                secs += if c == b'+' { -off } else { off };
            }
            Some(_) => return None,
        }
    }
    if p.i != b.len() {
        return None;
    }
    Some(secs as f64 + frac)
}

/// A plain number as epoch seconds (scaling ms/µs/ns by magnitude); `None` if not finite or negative.
pub fn epoch_number(x: f64) -> Option<f64> {
    if !x.is_finite() || x < 0.0 {
        return None;
    }
    Some(if x > 1e17 {
        x / 1e9
    } else if x > 1e14 {
        x / 1e6
    } else if x > 1e11 {
        x / 1e3
    } else {
        x
    })
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn byte(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }
    fn expect(&mut self, c: u8) -> Option<()> {
        (self.byte()? == c).then_some(())
    }
    /// Between `min` and `max` ASCII digits.
    fn number(&mut self, min: usize, max: usize) -> Option<i64> {
        let start = self.i;
        let mut v: i64 = 0;
        while self.i - start < max {
            match self.peek() {
                Some(c) if c.is_ascii_digit() => {
                    v = v * 10 + i64::from(c - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        (self.i - start >= min).then_some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_with_zone_and_fraction() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(
            parse_timestamp("2024-01-02T03:04:05Z"),
            Some(1_704_164_645.0)
        );
        assert_eq!(
            parse_timestamp("2024-01-02T05:04:05+02:00"),
            Some(1_704_164_645.0)
        );
        assert_eq!(
            parse_timestamp("2024-01-02T03:04:05.250Z"),
            Some(1_704_164_645.25)
        );
    }

    #[test]
    fn space_separated_is_utc() {
        assert_eq!(
            parse_timestamp("2024-01-02 03:04:05"),
            Some(1_704_164_645.0)
        );
        assert_eq!(parse_timestamp("2024-01-02 03:04"), Some(1_704_164_640.0));
        assert_eq!(parse_timestamp("2024-01-02"), Some(1_704_153_600.0));
    }

    #[test]
    fn cic_slash_dates_are_day_first() {
        // 3 July 2017 08:55:58 UTC
        assert_eq!(
            parse_timestamp("03/07/2017 08:55:58"),
            Some(1_499_072_158.0)
        );
        assert_eq!(parse_timestamp("3/7/2017 8:55"), Some(1_499_072_100.0));
        // second number above 12: month first
        assert_eq!(
            parse_timestamp("07/13/2017 00:00:00"),
            parse_timestamp("2017-07-13")
        );
        assert_eq!(
            parse_timestamp("7/3/2017 1:00 PM"),
            parse_timestamp("2017-03-07 13:00")
        );
    }

    #[test]
    fn epoch_numbers_scale_by_magnitude() {
        assert_eq!(parse_timestamp("1700000000"), Some(1.7e9));
        assert_eq!(parse_timestamp("1700000000123"), Some(1_700_000_000.123));
        assert_eq!(parse_timestamp("1700000000.5"), Some(1_700_000_000.5));
    }

    #[test]
    fn garbage_is_not_a_timestamp() {
        for s in [
            "",
            "abc",
            "2024-13-01",
            "2024-02-30",
            "12:30",
            "10.0.0.1",
            "2024-01-02T25:00",
        ] {
            assert_eq!(parse_timestamp(s), None, "{s}");
        }
    }
}
