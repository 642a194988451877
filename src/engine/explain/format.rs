//! Number formatting for sentences people read: thousands separators and a sensible number of
//! significant digits ("45,000", "3,712", "0.0123", "about 12×", "99.8 %").

/// Significant digits kept for non-integer values.
pub const SIGNIFICANT_DIGITS: usize = 4;

/// Formats a value for a sentence.
///
/// * integers (below 10¹⁵ in size) are written exactly with thousands separators: `45000` →
///   `45,000`;
/// * other values get [`SIGNIFICANT_DIGITS`] significant digits (but never lose integer digits),
///   trailing zeros dropped: `3712.43` → `3,712`, `15.234` → `15.23`, `0.012345` → `0.01235`;
/// * magnitudes below 10⁻⁴ or from 10¹⁵ up use scientific notation: `2.5e-7`;
/// * NaN is `missing`, infinities `∞` / `−∞`.
pub fn format_value(x: f64) -> String {
    if x.is_nan() {
        return "missing".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if !(1e-4..1e15).contains(&a) {
        return format!("{x:.*e}", SIGNIFICANT_DIGITS - 1)
            .replace(".000e", "e")
            .replace("00e", "e")
            .replace("0e", "e");
    }
    if x.fract() == 0.0 {
        return group(&format!("{}", x as i64));
    }
    // Digits before the decimal point.
    let int_digits = if a >= 1.0 {
        // exact for a < 1e15 via the integer part's decimal length
        format!("{}", a.trunc() as u64).len()
    } else {
        0
    };
    let decimals = if a >= 1.0 {
        SIGNIFICANT_DIGITS.saturating_sub(int_digits)
    } else {
        // leading zeros after the point: 0.0123 → 1
        let lead = {
            let mut l = 0usize;
            let mut v = a;
            while v < 0.1 && l < 20 {
                v *= 10.0;
                l += 1;
            }
            l
        };
        lead + SIGNIFICANT_DIGITS
    };
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    group(&s)
}

/// Inserts `,` every three digits into the integer part of a plain decimal string.
fn group(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.find('.') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    out.push_str(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out.push_str(frac);
    out
}

/// Formats a ratio for "about N× the usual …": one decimal below 10 (`2.5`), whole numbers with
/// separators above (`12`, `1,200`).
pub fn format_ratio(r: f64) -> String {
    if !r.is_finite() {
        return format_value(r);
    }
    if r.abs() < 10.0 {
        let s = format!("{r:.1}");
        s.strip_suffix(".0").map_or(s.clone(), str::to_string)
    } else {
        group(&format!("{:.0}", r))
    }
}

/// Formats a share in [0, 1] as a percentage without claiming more than is true: whole percents
/// between 1 % and 99 %, one or two decimals near the ends, never "100" or "0" for a share that
/// is not exactly 1 or 0 (`0.998` → `99.8`, `0.99996` → `> 99.99`, `0.003` → `0.3`).
pub fn format_percent(share: f64) -> String {
    if share.is_nan() {
        return "?".into();
    }
    let p = (share * 100.0).clamp(0.0, 100.0);
    if p == 100.0 || p == 0.0 {
        return format!("{}", p as u32);
    }
    if (1.0..=99.0).contains(&p) {
        return format!("{}", p.round() as u32);
    }
    // Round toward the nearer end (floor near 100, ceil near 0), so the text never claims more
    // than is true; the 1e-9 absorbs representation error (0.998 · 100 = 99.7999…).
    let trim = |s: String| s.trim_end_matches('0').trim_end_matches('.').to_string();
    if p > 50.0 {
        let d = if p < 99.9 { 1 } else { 2 };
        let f = 10f64.powi(d);
        let v = (p * f + 1e-9).floor() / f;
        if v >= 100.0 {
            return "> 99.99".into();
        }
        trim(format!("{v:.*}", d as usize))
    } else {
        if p < 0.01 {
            return "< 0.01".into();
        }
        let d = if p > 0.1 { 1 } else { 2 };
        let f = 10f64.powi(d);
        let v = (p * f - 1e-9).ceil() / f;
        trim(format!("{v:.*}", d as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_get_thousands_separators() {
        assert_eq!(format_value(45_000.0), "45,000");
        assert_eq!(format_value(1_234_567.0), "1,234,567");
        assert_eq!(format_value(-3_700.0), "-3,700");
        assert_eq!(format_value(80.0), "80");
        assert_eq!(format_value(0.0), "0");
    }

    #[test]
    fn fractions_keep_four_significant_digits() {
        assert_eq!(format_value(3712.43), "3,712");
        assert_eq!(format_value(15.234), "15.23");
        assert_eq!(format_value(0.5), "0.5");
        assert_eq!(format_value(0.012345), "0.01235");
        assert_eq!(format_value(1234567.8), "1,234,568");
        assert_eq!(format_value(-2.25), "-2.25");
    }

    #[test]
    fn extreme_magnitudes_use_scientific_notation() {
        assert_eq!(format_value(2.5e-7), "2.5e-7");
        assert_eq!(format_value(f64::NAN), "missing");
    }

    #[test]
    fn ratios_round_sensibly() {
        assert_eq!(format_ratio(12.16), "12");
        assert_eq!(format_ratio(2.54), "2.5");
        assert_eq!(format_ratio(3.0), "3");
        assert_eq!(format_ratio(1234.0), "1,234");
    }

    #[test]
    fn percentages_never_round_to_all_or_none() {
        assert_eq!(format_percent(0.998), "99.8");
        assert_eq!(format_percent(0.9996), "99.96");
        assert_eq!(format_percent(0.999_999), "99.99");
        assert_eq!(format_percent(0.003), "0.3");
        assert_eq!(format_percent(0.5), "50");
        assert_eq!(format_percent(1.0), "100");
        assert_eq!(format_percent(0.0), "0");
        assert_eq!(format_percent(0.99), "99");
    }
}
