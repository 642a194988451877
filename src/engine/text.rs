//! Numbers as text: the one home of the crate's number, count, byte and time-span formatters.
//!
//! | function | for | example |
//! |---|---|---|
//! | [`number`] | cells and exports: shortest round-trip text, integers without `.0` | `80`, `0.25` |
//! | [`amount`] | counts in sentences: integers plainly, others to one decimal | `12`, `2.5` |
//! | [`bytes`] | byte volumes with a decimal unit | `1.5 MB` |
//! | [`span`] | a duration in seconds, minutes or hours | `42.0 s`, `1.5 h` |
//!
//! Sentence formatting with thousands separators and significant digits is
//! [`crate::engine::explain::format`].

/// The shortest text that reads back as the same `f64`; integral values below 10¹⁵ are
/// written without a fraction (`80`, not `80.0`); NaN and infinities as Rust writes them.
pub fn number(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A count or rate for a sentence: integral values (below 10¹⁵) plainly, others with one
/// decimal.
pub fn amount(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.1}")
    }
}

/// A byte volume in decimal units (B, kB, MB, GB): kilobytes with one decimal, megabytes and
/// gigabytes with `decimals`, bytes whole.
pub fn bytes(b: f64, decimals: usize) -> String {
    if b >= 1e9 {
        format!("{:.decimals$} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.decimals$} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{b:.0} B")
    }
}

/// A duration in seconds as seconds, minutes (from 60 s) or hours (from 3,600 s), one decimal.
pub fn span(s: f64) -> String {
    if s >= 3600.0 {
        format!("{:.1} h", s / 3600.0)
    } else if s >= 60.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        format!("{s:.1} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_drop_a_zero_fraction_only() {
        assert_eq!(number(80.0), "80");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(-3.5), "-3.5");
        assert_eq!(number(f64::NAN), "NaN");
    }

    #[test]
    fn amounts_keep_one_decimal() {
        assert_eq!(amount(12.0), "12");
        assert_eq!(amount(2.54), "2.5");
    }

    #[test]
    fn bytes_pick_a_decimal_unit() {
        assert_eq!(bytes(999.0, 1), "999 B");
        assert_eq!(bytes(1_500.0, 1), "1.5 kB");
        assert_eq!(bytes(1_234_567.0, 1), "1.2 MB");
        assert_eq!(bytes(1_234_567.0, 2), "1.23 MB");
        assert_eq!(bytes(2.5e9, 2), "2.50 GB");
    }

    #[test]
    fn spans_pick_a_unit() {
        assert_eq!(span(42.0), "42.0 s");
        assert_eq!(span(90.0), "1.5 min");
        assert_eq!(span(5_400.0), "1.5 h");
    }
}
