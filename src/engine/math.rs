//! Floating-point functions that give the same bits on every target. `std`'s `exp`, `ln`, `powf`
//! call the platform's libm, which differs between glibc and wasm; these call the pure-Rust
//! `libm` crate. `sqrt` is exact in IEEE 754 everywhere and is re-exported for symmetry.

/// e^x.
#[inline]
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// e^x in f32.
#[inline]
pub fn expf(x: f32) -> f32 {
    libm::expf(x)
}

/// Natural logarithm.
#[inline]
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// ln(1 + x), accurate for small x.
#[inline]
pub fn log1p(x: f64) -> f64 {
    libm::log1p(x)
}

/// Base-2 logarithm.
#[inline]
pub fn log2(x: f64) -> f64 {
    libm::log2(x)
}

/// 2^x.
#[inline]
pub fn exp2(x: f64) -> f64 {
    libm::exp2(x)
}

/// x^y.
#[inline]
pub fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

/// Square root (correctly rounded on every target).
#[inline]
pub fn sqrt(x: f64) -> f64 {
    x.sqrt()
}

/// Cosine.
#[inline]
pub fn cos(x: f64) -> f64 {
    libm::cos(x)
}

/// Linear-interpolated percentile of **sorted** data, `q` in [0, 100] (numpy's default "linear"
/// method, which scikit-learn uses for its thresholds). Empty input gives NaN.
pub fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = (q / 100.0).clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    sorted[lo] + (sorted[hi] - sorted[lo]) * frac
}

/// Sorts a copy in IEEE total order (positive NaN last). Unstable sorting is exact here: under
/// `total_cmp` two values compare equal only when their bits are equal, so the output is the
/// same as a stable sort's, and pdqsort is about twice as fast on large columns.
pub fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// Median of data (NaN ignored); NaN when nothing is left.
pub fn median(values: &[f64]) -> f64 {
    let v: Vec<f64> = sorted(
        &values
            .iter()
            .copied()
            .filter(|x| !x.is_nan())
            .collect::<Vec<_>>(),
    );
    percentile_sorted(&v, 50.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_matches_numpy_linear() {
        // np.percentile([1, 2, 3, 4], 85) == 3.55
        assert!((percentile_sorted(&[1.0, 2.0, 3.0, 4.0], 85.0) - 3.55).abs() < 1e-12);
        assert_eq!(percentile_sorted(&[5.0], 10.0), 5.0);
        assert!(percentile_sorted(&[], 50.0).is_nan());
    }

    #[test]
    fn median_ignores_nan() {
        assert_eq!(median(&[3.0, f64::NAN, 1.0, 2.0]), 2.0);
    }
}
