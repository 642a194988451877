//! A column's cells ([`Values`]: numbers or dictionary-encoded text) and how categorical cells
//! are built ([`CategoricalBuilder`]).

use serde::{Deserialize, Serialize};

/// A column's cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Values {
    /// Numbers; NaN marks a missing cell.
    Numeric(Vec<f64>),
    /// Dictionary-encoded text. `codes[i]` indexes `levels`; `u32::MAX` marks a missing cell.
    Categorical {
        /// Distinct values in order of first appearance.
        levels: Vec<String>,
        /// One code per row.
        codes: Vec<u32>,
    },
}

/// The code of a missing categorical cell.
pub const MISSING_CODE: u32 = u32::MAX;

impl Values {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Values::Numeric(v) => v.len(),
            Values::Categorical { codes, .. } => codes.len(),
        }
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Builds a categorical column from strings (empty string = missing).
    pub fn categorical_from<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> Self {
        let mut b = CategoricalBuilder::default();
        for c in cells {
            b.push(c.as_ref());
        }
        b.finish()
    }

    /// The cell as text (numbers formatted shortest-round-trip; missing is "").
    pub fn display(&self, row: usize) -> String {
        match self {
            Values::Numeric(v) => match v.get(row) {
                Some(x) if x.is_nan() => String::new(),
                Some(x) => crate::engine::text::number(*x),
                None => String::new(),
            },
            Values::Categorical { levels, codes } => match codes.get(row) {
                Some(&c) if c != MISSING_CODE => {
                    levels.get(c as usize).cloned().unwrap_or_default()
                }
                _ => String::new(),
            },
        }
    }

    /// The most frequent displayed values (empty cells included as ""), most frequent first,
    /// ties by text; at most `max` distinct values are counted (later new values are ignored, as
    /// a label column has few classes). Works on codes / bit patterns, not on a string per row.
    pub fn class_counts(&self, max: usize) -> Vec<(String, usize)> {
        let mut counts: Vec<(String, usize)> = match self {
            Values::Categorical { levels, codes } => {
                let mut n = vec![0usize; levels.len()];
                let mut missing = 0usize;
                for &c in codes {
                    match n.get_mut(c as usize) {
                        Some(k) => *k += 1,
                        None => missing += 1,
                    }
                }
                // First appearance order = level order; keep the first `max` seen.
                let mut out: Vec<(String, usize)> = levels
                    .iter()
                    .zip(n)
                    .filter(|(_, k)| *k > 0)
                    .map(|(l, k)| (l.clone(), k))
                    .collect();
                if missing > 0 {
                    out.push((String::new(), missing));
                }
                out.truncate(max);
                out
            }
            Values::Numeric(v) => {
                let mut seen: Vec<(u64, usize)> = Vec::new();
                for x in v {
                    // NaN cells of any payload display as "" and count together.
                    let key = if x.is_nan() {
                        f64::NAN.to_bits()
                    } else {
                        x.to_bits()
                    };
                    if let Some((_, k)) = seen.iter_mut().find(|(b, _)| *b == key) {
                        *k += 1;
                    } else if seen.len() < max {
                        seen.push((key, 1));
                    }
                }
                seen.into_iter()
                    .map(|(b, k)| {
                        let x = f64::from_bits(b);
                        let text = if x.is_nan() {
                            String::new()
                        } else {
                            crate::engine::text::number(x)
                        };
                        (text, k)
                    })
                    .collect()
            }
        };
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        counts
    }

    /// Count of missing cells.
    pub fn missing(&self) -> usize {
        match self {
            Values::Numeric(v) => v.iter().filter(|x| x.is_nan()).count(),
            Values::Categorical { codes, .. } => {
                codes.iter().filter(|&&c| c == MISSING_CODE).count()
            }
        }
    }
}

/// A fast, fixed hash for short level texts (most are 1–10 bytes): 8 bytes per multiply. Not
/// for untrusted keys in a long-lived service; here it maps a file's levels to codes.
#[derive(Debug, Default, Clone, Copy)]
pub struct LevelHasher(u64);

impl std::hash::Hasher for LevelHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i) | 0x100);
    }

    fn finish(&self) -> u64 {
        splitmix(self.0)
    }
}

impl LevelHasher {
    fn mix(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(23) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Incremental builder for categorical columns.
#[derive(Debug, Default, Clone)]
pub struct CategoricalBuilder {
    levels: Vec<String>,
    index: std::collections::HashMap<String, u32, std::hash::BuildHasherDefault<LevelHasher>>,
    codes: Vec<u32>,
}

impl CategoricalBuilder {
    /// Room for `additional` more cells without reallocating.
    pub fn reserve(&mut self, additional: usize) {
        self.codes.reserve(additional);
    }

    /// Appends one cell ("" = missing).
    pub fn push(&mut self, cell: &str) {
        if cell.is_empty() {
            self.codes.push(MISSING_CODE);
            return;
        }
        let code = match self.index.get(cell) {
            Some(&c) => c,
            None => {
                let c = self.levels.len() as u32;
                self.levels.push(cell.to_owned());
                self.index.insert(cell.to_owned(), c);
                c
            }
        };
        self.codes.push(code);
    }

    /// Appends cells by their codes (each one [`CategoricalBuilder::push`] gave before, read
    /// with [`CategoricalBuilder::last_code`], or [`MISSING_CODE`]); returns how many.
    pub fn extend_codes(&mut self, codes: impl IntoIterator<Item = u32>) -> usize {
        let before = self.codes.len();
        self.codes.extend(codes);
        self.codes.len() - before
    }

    /// The code of the last cell pushed.
    pub fn last_code(&self) -> Option<u32> {
        self.codes.last().copied()
    }

    /// Finishes the column.
    pub fn finish(self) -> Values {
        Values::Categorical {
            levels: self.levels,
            codes: self.codes,
        }
    }
}

/// SplitMix64's finaliser: a fixed, well-mixed 64-bit hash.
pub(super) fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_counts_count_codes_and_numbers_most_frequent_first() {
        let cat = Values::Categorical {
            levels: vec!["normal".into(), "neptune".into(), "smurf".into()],
            codes: vec![0, 1, 0, MISSING_CODE, 2, 0, 1],
        };
        assert_eq!(
            cat.class_counts(50),
            vec![
                ("normal".to_string(), 3),
                ("neptune".to_string(), 2),
                (String::new(), 1),
                ("smurf".to_string(), 1),
            ]
        );
        let num = Values::Numeric(vec![0.0, 1.0, 1.0, f64::NAN, 1.0, 2.0]);
        assert_eq!(
            num.class_counts(2),
            vec![("1".to_string(), 3), ("0".to_string(), 1)],
            "only the first 2 distinct values are counted"
        );
    }

    #[test]
    fn missing_categorical_cells_are_counted() {
        let v = Values::categorical_from(["a", "", "a", "b"]);
        assert_eq!(v.missing(), 1);
        assert_eq!(v.display(2), "a");
        assert_eq!(v.display(1), "");
    }

    #[test]
    fn integers_format_without_fraction() {
        assert_eq!(crate::engine::text::number(80.0), "80");
        assert_eq!(crate::engine::text::number(0.25), "0.25");
    }
}
