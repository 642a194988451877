//! Number formatting for cards and tables.

/// An integer with thin-space thousands separators: `148517` → `148 517`.
pub fn count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(ch);
    }
    out
}

/// A share as a percentage with one decimal: `0.1504` → `15.0 %`.
pub fn percent(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}\u{a0}%", x * 100.0)
    } else {
        "–".into()
    }
}

/// A statistic for the column overview: integers plainly, others with up to 4 significant decimals.
pub fn stat(x: Option<f64>) -> String {
    match x {
        None => "–".into(),
        Some(v) if !v.is_finite() => "–".into(),
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
        Some(v) if v.abs() >= 1000.0 => format!("{v:.1}"),
        Some(v) => {
            let s = format!("{v:.4}");
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        }
    }
}

/// A table cell for display: long decimals are cut to 3 places (`1451.2830690395824` →
/// `1451.283`); everything else is shown as it is. Exports keep full precision.
pub fn cell(text: &str) -> String {
    match text.split_once('.') {
        Some((int, frac))
            if frac.len() > 3
                && !int.is_empty()
                && frac.bytes().all(|b| b.is_ascii_digit())
                && int
                    .trim_start_matches('-')
                    .bytes()
                    .all(|b| b.is_ascii_digit()) =>
        {
            match text.parse::<f64>() {
                Ok(v) => {
                    let s = format!("{v:.3}");
                    s.trim_end_matches('0').trim_end_matches('.').to_owned()
                }
                Err(_) => text.to_owned(),
            }
        }
        _ => text.to_owned(),
    }
}

/// Seconds as "0.42 s" or "1 m 05 s".
pub fn seconds(s: f64) -> String {
    if !s.is_finite() || s < 0.0 {
        "–".into()
    } else if s < 60.0 {
        format!("{s:.2}\u{a0}s")
    } else {
        format!(
            "{}\u{a0}m {:02}\u{a0}s",
            (s / 60.0) as u64,
            (s % 60.0) as u64
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(148_517), "148\u{202f}517");
        assert_eq!(count(1_000_000), "1\u{202f}000\u{202f}000");
    }

    #[test]
    fn stats_drop_trailing_zeros() {
        assert_eq!(stat(Some(80.0)), "80");
        assert_eq!(stat(Some(0.25)), "0.25");
        assert_eq!(stat(Some(f64::NAN)), "–");
        assert_eq!(stat(None), "–");
    }

    #[test]
    fn cells_cut_long_decimals_only() {
        assert_eq!(cell("1451.2830690395824"), "1451.283");
        assert_eq!(cell("-0.12345"), "-0.123");
        assert_eq!(cell("0.25"), "0.25");
        assert_eq!(cell("80"), "80");
        assert_eq!(cell("10.0.0.1"), "10.0.0.1");
        assert_eq!(
            cell("2025-01-01 00:00:00.123456"),
            "2025-01-01 00:00:00.123456"
        );
    }

    #[test]
    fn percent_has_one_decimal() {
        assert_eq!(percent(0.15), "15.0\u{a0}%");
    }
}
