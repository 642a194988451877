//! The in-memory data set: typed columns with roles.
//!
//! A column's [`Values`] say what it holds (numbers or categories); its [`Role`] says what the
//! models do with it (feature, label, timestamp, or nothing); its [`Meaning`] says what the
//! network views do with it (source IP, destination port, …). An IP column, for example, has role
//! `Ignore` and meaning `SrcIp`: never a model input, always an endpoint.

use serde::{Deserialize, Serialize};

/// What the models do with a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// A model input (numeric, or categorical and encoded).
    Feature,
    /// Ground truth: normal vs anomaly (or attack names). Used for metrics and semi-supervised training.
    Label,
    /// Event time (seconds since the Unix epoch, UTC).
    Timestamp,
    /// Kept for display and export, never a model input (identifiers, IPs, free text).
    Ignore,
}

/// What the network views do with a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Meaning {
    /// Source address.
    SrcIp,
    /// Destination address.
    DstIp,
    /// Source port.
    SrcPort,
    /// Destination port.
    DstPort,
    /// Transport protocol (name or number).
    Protocol,
    /// Bytes in the flow or packet.
    Bytes,
    /// Packets in the flow.
    Packets,
    /// Duration in seconds.
    Duration,
}

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

/// One named column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Header name (or a generated `col_N` for headerless files).
    pub name: String,
    /// What the models do with it.
    pub role: Role,
    /// What the network views do with it, when known.
    pub meaning: Option<Meaning>,
    /// The cells.
    pub values: Values,
}

impl Column {
    /// A numeric feature column.
    pub fn numeric(name: impl Into<String>, values: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            role: Role::Feature,
            meaning: None,
            values: Values::Numeric(values),
        }
    }

    /// A categorical feature column.
    pub fn categorical<S: AsRef<str>>(
        name: impl Into<String>,
        cells: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            name: name.into(),
            role: Role::Feature,
            meaning: None,
            values: Values::categorical_from(cells),
        }
    }

    /// Sets the role.
    pub fn with_role(mut self, role: Role) -> Self {
        self.role = role;
        self
    }

    /// Sets the meaning.
    pub fn with_meaning(mut self, meaning: Meaning) -> Self {
        self.meaning = Some(meaning);
        self
    }
}

/// A data set: equally long columns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// The columns, in file order.
    pub columns: Vec<Column>,
}

/// Label values (case-insensitive, trimmed) that mean "normal traffic".
pub const NORMAL_LABELS: &[&str] = &[
    "0",
    "0.0",
    "normal",
    "benign",
    "false",
    "no",
    "legitimate",
    "background",
    "-",
];

/// True when a label cell means normal traffic.
pub fn is_normal_label(cell: &str) -> bool {
    // KDD'99 ends every label with a dot ("normal."); CTU-13's Argus flows prefix theirs with
    // "flow=" and name the direction ("flow=From-Normal-V42-…", "flow=Background-UDP-…").
    let c = cell.trim().trim_end_matches('.');
    let c = c.strip_prefix("flow=").map_or(c, |rest| {
        let rest = rest
            .strip_prefix("From-")
            .or_else(|| rest.strip_prefix("To-"))
            .unwrap_or(rest);
        rest.split('-').next().unwrap_or(rest)
    });
    NORMAL_LABELS.iter().any(|n| c.eq_ignore_ascii_case(n))
}

impl Table {
    /// Builds a table; all columns must have the same length.
    pub fn new(columns: Vec<Column>) -> Result<Self, String> {
        if let Some(first) = columns.first() {
            let n = first.values.len();
            if let Some(bad) = columns.iter().find(|c| c.values.len() != n) {
                return Err(format!(
                    "column {} has {} rows, column {} has {}",
                    bad.name,
                    bad.values.len(),
                    first.name,
                    n
                ));
            }
        }
        Ok(Self { columns })
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.values.len())
    }

    /// Column by name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The first column with a role.
    pub fn by_role(&self, role: Role) -> Option<&Column> {
        self.columns.iter().find(|c| c.role == role)
    }

    /// The first column with a meaning.
    pub fn by_meaning(&self, meaning: Meaning) -> Option<&Column> {
        self.columns.iter().find(|c| c.meaning == Some(meaning))
    }

    /// Feature columns, in order.
    pub fn features(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| c.role == Role::Feature)
    }

    /// Binary ground truth from the label column: `Some(true)` = anomaly, `None` for a missing cell.
    /// `None` overall when there is no label column.
    pub fn labels(&self) -> Option<Vec<Option<bool>>> {
        let col = self.by_role(Role::Label)?;
        Some(match &col.values {
            Values::Numeric(v) => v
                .iter()
                .map(|x| if x.is_nan() { None } else { Some(*x != 0.0) })
                .collect(),
            Values::Categorical { levels, codes } => {
                let normal: Vec<bool> = levels.iter().map(|l| is_normal_label(l)).collect();
                codes
                    .iter()
                    .map(|&c| {
                        if c == MISSING_CODE {
                            None
                        } else {
                            normal.get(c as usize).map(|n| !n)
                        }
                    })
                    .collect()
            }
        })
    }

    /// Timestamps in seconds, when a timestamp column exists.
    pub fn timestamps(&self) -> Option<&[f64]> {
        match &self.by_role(Role::Timestamp)?.values {
            Values::Numeric(v) => Some(v),
            Values::Categorical { .. } => None,
        }
    }

    /// Keeps only the given rows, in the given order.
    pub fn select_rows(&self, rows: &[usize]) -> Table {
        let columns = self
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                role: c.role,
                meaning: c.meaning,
                values: match &c.values {
                    Values::Numeric(v) => Values::Numeric(rows.iter().map(|&r| v[r]).collect()),
                    Values::Categorical { levels, codes } => Values::Categorical {
                        levels: levels.clone(),
                        codes: rows.iter().map(|&r| codes[r]).collect(),
                    },
                },
            })
            .collect();
        Table { columns }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_summary_matches_the_sorted_definitions() {
        let mut rng = crate::engine::rng::seeded(3);
        for n in [0usize, 1, 2, 5, 1000, 1001, 70_000, 300_000] {
            let v: Vec<f64> = (0..n)
                .map(|i| match i % 7 {
                    0 => f64::NAN,
                    1 => -0.0,
                    2 => 0.0,
                    _ => (crate::engine::rng::uniform(&mut rng) * 1e6).round(),
                })
                .collect();
            let s = summarize_column(&Column::numeric("x", v.clone()));
            let sorted = crate::engine::math::sorted(
                &v.iter()
                    .copied()
                    .filter(|x| !x.is_nan())
                    .collect::<Vec<_>>(),
            );
            let distinct = sorted.windows(2).filter(|w| w[0] != w[1]).count()
                + usize::from(!sorted.is_empty());
            assert_eq!(s.min, sorted.first().copied(), "min at n={n}");
            assert_eq!(s.max, sorted.last().copied(), "max at n={n}");
            assert_eq!(
                s.median.map(f64::to_bits),
                (!sorted.is_empty())
                    .then(|| crate::engine::math::percentile_sorted(&sorted, 50.0).to_bits()),
                "median at n={n}"
            );
            if distinct <= EXACT_DISTINCT {
                assert!(s.distinct_exact);
                assert_eq!(s.distinct, distinct, "distinct at n={n}");
            } else {
                assert!(!s.distinct_exact);
                let err = (s.distinct as f64 - distinct as f64).abs() / distinct as f64;
                assert!(err < 0.05, "estimate {} vs {distinct} at n={n}", s.distinct);
            }
        }
    }

    #[test]
    fn bucket_median_is_the_selected_median_on_any_spread() {
        // Spread, skewed (most values in one bucket), a huge range (the bucket width
        // overflows), negative zeros next to zeros, ties at the middle, odd and even counts.
        let mut rng = crate::engine::rng::seeded(5);
        let mut u = || crate::engine::rng::uniform(&mut rng);
        let columns: Vec<Vec<f64>> = vec![
            (0..100_001).map(|_| u() * 1e3 - 500.0).collect(),
            (0..100_000).map(|_| (u() * 40.0).exp()).collect(),
            (0..5_000)
                .map(|i| {
                    if i % 3 == 0 {
                        f64::MAX
                    } else {
                        -f64::MAX * u()
                    }
                })
                .collect(),
            (0..20_000)
                .map(|i| match i % 4 {
                    0 => -0.0,
                    1 => 0.0,
                    2 => f64::NAN,
                    _ => u() - 0.5,
                })
                .collect(),
            (0..10_000).map(|i| f64::from(i % 2) * 7.0).collect(),
            (0..3).map(f64::from).collect(),
            vec![2.5],
        ];
        for (k, v) in columns.iter().enumerate() {
            let mut present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            let (lo, hi) = present
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
            let mut sketch = DistinctSketch::new();
            let got = median_by_buckets(v, present.len(), lo, hi, &mut sketch);
            let want = median_in_place(&mut present);
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "column {k}");
        }
    }

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
    fn labels_accept_numbers_and_names() {
        let t = Table::new(vec![
            Column::numeric("x", vec![1.0, 2.0, 3.0]),
            Column::categorical("label", ["normal", "neptune", "BENIGN"]).with_role(Role::Label),
        ])
        .unwrap();
        assert_eq!(t.labels(), Some(vec![Some(false), Some(true), Some(false)]));
    }

    #[test]
    fn ragged_columns_are_rejected() {
        assert!(Table::new(vec![
            Column::numeric("a", vec![1.0]),
            Column::numeric("b", vec![])
        ])
        .is_err());
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

/// Whether a column holds numbers or categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnKind {
    /// Numbers.
    Numeric,
    /// Categories (text).
    Categorical,
}

/// Overview statistics of one column, for the data page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    /// Column name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Meaning, when known.
    pub meaning: Option<Meaning>,
    /// Numbers or categories.
    pub kind: ColumnKind,
    /// Missing cells.
    pub missing: usize,
    /// Distinct non-missing values: exact up to [`EXACT_DISTINCT`], a HyperLogLog estimate
    /// (about ±1.6 %) above, as `distinct_exact` says.
    pub distinct: usize,
    /// Whether `distinct` is an exact count.
    pub distinct_exact: bool,
    /// Minimum (numeric columns with at least one value).
    pub min: Option<f64>,
    /// Median (numeric columns).
    pub median: Option<f64>,
    /// Maximum (numeric columns).
    pub max: Option<f64>,
    /// The most frequent categories with their counts (categorical columns, at most 10).
    pub top_levels: Vec<(String, usize)>,
}

/// Distinct values counted exactly up to this many; above, estimated (HyperLogLog).
pub const EXACT_DISTINCT: usize = 1 << 16;

/// Median (linear interpolation between the middle two, as [`crate::engine::math::percentile_sorted`])
/// by selection, reordering `values` (no NaN). `None` when empty. (The reference the bucketed
/// median is tested against.)
#[cfg(test)]
fn median_in_place(values: &mut [f64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let pos = 0.5 * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let (_, &mut a, right) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let frac = pos - lo as f64;
    let b = if frac == 0.0 {
        a
    } else {
        right.iter().copied().fold(f64::INFINITY, f64::min)
    };
    // The same arithmetic as the sorted version, so even -0.0 comes out the same.
    Some(a + (b - a) * frac)
}

/// Distinct values of a numeric column with their counts, while there are at most
/// [`EXACT_DISTINCT`]: an open-addressing set keyed by the bits (`-0.0` and `0.0` share a key;
/// negative zeros are counted apart) that starts small and doubles as it fills.
struct ExactCounts {
    keys: Vec<u64>,
    counts: Vec<u32>,
    log2: u32,
    len: usize,
    zeros: u32,
    negative_zeros: u32,
}

impl ExactCounts {
    const MAX_LOG2: u32 = 17; // 2× the exact cap: the set stays at most half full

    fn new() -> Self {
        Self {
            keys: vec![0; 1 << 10],
            counts: vec![0; 1 << 10],
            log2: 10,
            len: 0,
            zeros: 0,
            negative_zeros: 0,
        }
    }

    fn slot(key: u64, log2: u32) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - log2)) as usize
    }

    /// Counts `x` (not NaN); false once there are more than [`EXACT_DISTINCT`] values.
    fn insert(&mut self, x: f64) -> bool {
        let key = (x + 0.0).to_bits(); // -0.0 + 0.0 = +0.0
        if key == 0 {
            self.len += usize::from(self.zeros == 0);
            self.zeros += 1;
            self.negative_zeros += u32::from(x.is_sign_negative());
            return self.len <= EXACT_DISTINCT;
        }
        let mask = (1usize << self.log2) - 1;
        let mut i = Self::slot(key, self.log2);
        loop {
            match self.keys[i] {
                0 => break,
                k if k == key => {
                    self.counts[i] += 1;
                    return true;
                }
                _ => i = (i + 1) & mask,
            }
        }
        self.keys[i] = key;
        self.counts[i] = 1;
        self.len += 1;
        if self.len * 2 > self.keys.len() && self.log2 < Self::MAX_LOG2 {
            self.grow();
        }
        self.len <= EXACT_DISTINCT
    }

    fn grow(&mut self) {
        let log2 = self.log2 + 1;
        let mask = (1usize << log2) - 1;
        let mut keys = vec![0u64; 1 << log2];
        let mut counts = vec![0u32; 1 << log2];
        for (&k, &c) in self.keys.iter().zip(&self.counts) {
            if k != 0 {
                let mut i = Self::slot(k, log2);
                while keys[i] != 0 {
                    i = (i + 1) & mask;
                }
                keys[i] = k;
                counts[i] = c;
            }
        }
        (self.keys, self.counts, self.log2) = (keys, counts, log2);
    }

    /// The median as a sort then `percentile_sorted` gives it, from the counted values.
    fn median(&self) -> Option<f64> {
        let mut pairs: Vec<(f64, u32)> = self
            .keys
            .iter()
            .zip(&self.counts)
            .filter(|(&k, _)| k != 0)
            .map(|(&k, &c)| (f64::from_bits(k), c))
            .collect();
        if self.negative_zeros > 0 {
            pairs.push((-0.0, self.negative_zeros));
        }
        if self.zeros > self.negative_zeros {
            pairs.push((0.0, self.zeros - self.negative_zeros));
        }
        pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let n: usize = pairs.iter().map(|p| p.1 as usize).sum();
        if n == 0 {
            return None;
        }
        let pos = 0.5 * (n - 1) as f64;
        let lo = pos.floor() as usize;
        let frac = pos - lo as f64;
        // The value at a sorted rank.
        let at = |rank: usize| {
            let mut below = 0usize;
            pairs
                .iter()
                .find(|p| {
                    below += p.1 as usize;
                    below > rank
                })
                .map_or(f64::NAN, |p| p.0)
        };
        let a = at(lo);
        let b = if frac == 0.0 { a } else { at(lo + 1) };
        Some(a + (b - a) * frac)
    }
}

/// HyperLogLog sketch of the distinct values (2^12 registers, standard error ≈ 1.6 %; `-0.0`
/// = `0.0`; no NaN), for columns with more than [`EXACT_DISTINCT`]. Deterministic (fixed hash).
struct DistinctSketch {
    registers: Vec<u8>,
}

impl DistinctSketch {
    const P: u32 = 12;

    fn new() -> Self {
        Self {
            registers: vec![0; 1 << Self::P],
        }
    }

    #[inline]
    fn insert(&mut self, x: f64) {
        let h = splitmix((x + 0.0).to_bits());
        let reg = (h >> (64 - Self::P)) as usize;
        let rank = ((h << Self::P) | (1 << (Self::P - 1))).leading_zeros() as u8 + 1;
        if let Some(r) = self.registers.get_mut(reg) {
            *r = (*r).max(rank);
        }
    }

    fn estimate(&self) -> usize {
        let m = (1u32 << Self::P) as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self
            .registers
            .iter()
            .map(|&r| 1.0 / f64::from(1u32 << r.min(31)))
            .sum();
        // Above 2^16 distinct values (16 per register) no small-range correction applies.
        (alpha * m * m / sum).round() as usize
    }
}

/// The bits of `x` as an integer in the order of [`f64::total_cmp`].
#[inline]
fn order_key(x: f64) -> u64 {
    let b = x.to_bits();
    b ^ ((((b as i64) >> 63) as u64) | (1 << 63))
}

/// The median of the non-NaN values of `v` (`n` of them, between `lo` and `hi`) as
/// selection on a sorted copy gives it, without copying them all: one pass counts them into buckets by
/// their bits in [`f64::total_cmp`] order (the span of the column's keys cut into equal parts:
/// heavy tails and narrow ranges alike spread over many buckets), a second gathers only the
/// bucket(s) holding the middle ranks, and selection finds the values there. Also feeds every
/// value to `sketch`.
fn median_by_buckets(
    v: &[f64],
    n: usize,
    lo: f64,
    hi: f64,
    sketch: &mut DistinctSketch,
) -> Option<f64> {
    const LOG2: u32 = 14;
    if n == 0 {
        return None;
    }
    let base = order_key(lo);
    let span = order_key(hi).wrapping_sub(base);
    let shift = (64 - span.leading_zeros()).saturating_sub(LOG2);
    let bucket = |x: f64| (order_key(x).wrapping_sub(base) >> shift) as usize;
    let mut counts = vec![0u32; 1 << LOG2];
    for &x in v {
        if !x.is_nan() {
            if let Some(c) = counts.get_mut(bucket(x)) {
                *c += 1;
            }
            sketch.insert(x);
        }
    }
    let pos = 0.5 * (n - 1) as f64;
    let rank = pos.floor() as usize;
    let frac = pos - rank as f64;
    let last = if frac == 0.0 { rank } else { rank + 1 };
    // The buckets holding ranks `rank` and `last`, and the values below the first.
    let (mut first, mut below, mut seen) = (None, 0usize, 0usize);
    let mut end = counts.len() - 1;
    for (k, &c) in counts.iter().enumerate() {
        if first.is_none() && seen + c as usize > rank {
            first = Some(k);
            below = seen;
        }
        seen += c as usize;
        if seen > last {
            end = k;
            break;
        }
    }
    let first = first?;
    // Keys from the first bucket's start to the last one's end (NaN keys lie outside [lo, hi]).
    let from = base.wrapping_add((first as u64) << shift);
    let width = ((end - first + 1) as u64) << shift;
    let mut gathered: Vec<f64> = Vec::with_capacity(
        counts[first..=end]
            .iter()
            .map(|&c| c as usize)
            .sum::<usize>(),
    );
    gathered.extend(
        v.iter()
            .copied()
            .filter(|&x| order_key(x).wrapping_sub(from) < width),
    );
    let (_, &mut a, right) = gathered
        .get_mut(..)?
        .select_nth_unstable_by(rank.checked_sub(below)?, f64::total_cmp);
    let b = if frac == 0.0 {
        a
    } else {
        right.iter().copied().fold(f64::INFINITY, f64::min)
    };
    Some(a + (b - a) * frac)
}

/// SplitMix64's finaliser: a fixed, well-mixed 64-bit hash.
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Summarises every column of a table.
pub fn summarize(table: &Table) -> Vec<ColumnSummary> {
    table.columns.iter().map(summarize_column).collect()
}

fn summarize_column(c: &Column) -> ColumnSummary {
    let mut s = ColumnSummary {
        name: c.name.clone(),
        role: c.role,
        meaning: c.meaning,
        kind: ColumnKind::Numeric,
        missing: 0,
        distinct: 0,
        distinct_exact: true,
        min: None,
        median: None,
        max: None,
        top_levels: Vec::new(),
    };
    match &c.values {
        Values::Numeric(v) => {
            // No sort: one pass for min/max and the distinct values with their counts (the
            // median then comes from the sorted distinct values); only a column with more than
            // EXACT_DISTINCT values is copied for a median by selection and a distinct estimate.
            // Plain comparisons (no NaN): `f64::min` is a libm call on wasm32.
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            let mut exact = Some(ExactCounts::new());
            let mut missing = 0;
            for &x in v {
                if x.is_nan() {
                    missing += 1;
                    continue;
                }
                if x < lo {
                    lo = x;
                }
                if x > hi {
                    hi = x;
                }
                if let Some(e) = &mut exact {
                    if !e.insert(x) {
                        exact = None;
                    }
                }
            }
            s.missing = missing;
            if lo <= hi {
                s.min = Some(lo);
                s.max = Some(hi);
            }
            match exact {
                Some(e) => {
                    (s.distinct, s.distinct_exact) = (e.len, true);
                    s.median = e.median();
                }
                None => {
                    let mut sketch = DistinctSketch::new();
                    s.median = median_by_buckets(v, v.len() - missing, lo, hi, &mut sketch);
                    (s.distinct, s.distinct_exact) = (sketch.estimate(), false);
                }
            }
        }
        Values::Categorical { levels, codes } => {
            s.kind = ColumnKind::Categorical;
            let mut counts = vec![0usize; levels.len()];
            for &code in codes {
                if let Some(n) = counts.get_mut(code as usize) {
                    *n += 1;
                } else if code == MISSING_CODE {
                    s.missing += 1;
                }
            }
            s.distinct = counts.iter().filter(|&&n| n > 0).count();
            let mut order: Vec<usize> = (0..levels.len()).collect();
            order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
            s.top_levels = order
                .into_iter()
                .take(10)
                .filter(|&i| counts[i] > 0)
                .map(|i| (levels[i].clone(), counts[i]))
                .collect();
        }
    }
    s
}
