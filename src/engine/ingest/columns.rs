//! Typed column accumulation while rows stream in.
//!
//! Each column has a [`ColumnPlan`] decided before the data streams (from the header, the preset
//! and a sample of rows) and a [`ColumnBuilder`] holding its cells:
//! - `Kind::Numeric` (a preset said so): a text cell becomes missing and is counted;
//! - `Kind::Auto`: the first non-missing cell decides numbers vs text. A column that looked numeric
//!   and later holds text keeps the text cells aside; once they exceed 5 % of its non-missing cells
//!   (and 20 cells) it turns categorical, keeping every value (numbers formatted shortest
//!   round-trip). Fewer text cells stay missing, with a warning naming the first one;
//! - `Kind::Categorical`: dictionary codes;
//! - `Kind::Timestamp`: parsed to epoch seconds; unparseable cells become missing and are counted.
//!
//! Memory per cell: 8 bytes numeric/timestamp, 4 bytes categorical (plus each distinct level once).

use super::timestamp::parse_timestamp;
use crate::engine::data::{CategoricalBuilder, ColumnKind, Meaning, Role, Values, MISSING_CODE};

/// How a column's cells are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Decided by the data (numbers unless text shows up).
    Auto,
    /// Numbers only; text cells become missing.
    Numeric,
    /// Text categories.
    Categorical,
    /// Timestamps parsed to epoch seconds.
    Timestamp,
}

/// What to do with one input column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnPlan {
    /// Output name.
    pub name: String,
    /// Role in the table.
    pub role: Role,
    /// Network meaning.
    pub meaning: Option<Meaning>,
    /// Storage.
    pub kind: Kind,
    /// Why (shown in the mapping panel).
    pub reason: String,
    /// True when a preset or the user fixed the role (no refinement at the end).
    pub fixed: bool,
}

impl ColumnPlan {
    /// A plan with the given role and storage.
    pub fn new(
        name: impl Into<String>,
        role: Role,
        meaning: Option<Meaning>,
        kind: Kind,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            role,
            meaning,
            kind,
            reason: reason.into(),
            fixed: false,
        }
    }
}

/// Result of reading a cell as a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// A finite number.
    Value(f64),
    /// Empty or a null marker (also ±∞ and NaN, as CICFlowMeter writes them for 0-duration flows).
    Missing,
    /// Text that is not a number.
    Text,
}

/// Null markers (compared case-insensitively) in any column.
const NULLS: &[&str] = &[
    "", "-", "?", "na", "n/a", "nan", "null", "none", "(empty)", "nil",
];

/// True when the cell is a null marker.
pub fn is_null(cell: &str) -> bool {
    // Every marker starts with one of these (a cheap test first: most cells are not null).
    let first = cell.as_bytes().first().map(u8::to_ascii_lowercase);
    matches!(first, None | Some(b'-' | b'?' | b'n' | b'('))
        && cell.len() <= 7
        && NULLS.iter().any(|n| cell.eq_ignore_ascii_case(n))
}

/// Reads a cell as a number: decimal, scientific, `0x` hex, and `1,5` decimal commas.
pub fn parse_num(cell: &str) -> Num {
    if let Some(v) = fast_decimal(cell.as_bytes()) {
        return Num::Value(v);
    }
    let s = cell.trim();
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Num::Value(v),
        Ok(_) => Num::Missing,
        Err(_) => {
            if is_null(s) {
                Num::Missing
            } else if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                u64::from_str_radix(h, 16).map_or(Num::Text, |v| Num::Value(v as f64))
            } else if s.bytes().filter(|&c| c == b',').count() == 1 && !s.contains('.') {
                s.replacen(',', ".", 1)
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .map_or(Num::Text, Num::Value)
            } else {
                Num::Text
            }
        }
    }
}

/// Clinger's fast path for plain decimals (`-?digits[.digits]`): when the digits form an integer
/// below 2^53 and there are at most 22 after the point, both the mantissa and the power of ten
/// are exact in f64, so one IEEE division gives the correctly rounded result — bit-identical to
/// `str::parse::<f64>`, several times faster (it covers the 16–17 significant digits of a
/// shortest round-trip float print). `None` otherwise (the caller falls back to `parse`).
fn fast_decimal(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 23] = [
        1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    const EXACT: u64 = 1 << 53;
    let (neg, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        _ => (false, b),
    };
    // At most 19 digits (and a point): the mantissa cannot overflow u64 (10^19 < 2^64), so the
    // loop needs no per-digit check.
    if digits.is_empty() || digits.len() > 20 || (digits.len() == 20 && !digits.contains(&b'.')) {
        return None;
    }
    let mut m: u64 = 0;
    let mut point: Option<usize> = None;
    let mut i = 0;
    while i < digits.len() {
        // Eight digits at a time where there are eight (long shortest-round-trip prints).
        if let Some(eight) = digits.get(i..i + 8).and_then(eight_digits) {
            m = m * 100_000_000 + eight;
            i += 8;
            continue;
        }
        let c = digits[i];
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            m = m * 10 + u64::from(d);
        } else if c == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
        i += 1;
    }
    let n_digits = digits.len() - usize::from(point.is_some());
    if n_digits == 0 || m >= EXACT {
        return None;
    }
    let frac = point.map_or(0, |p| digits.len() - p - 1);
    // m is exact, and so is m / 1.
    let v = match frac {
        0 => m as f64,
        _ => m as f64 / *POW10.get(frac)?,
    };
    Some(if neg { -v } else { v })
}

/// The value of eight ASCII digits (first digit most significant), `None` unless all eight are
/// digits: three multiplications combine digit pairs, then pairs of pairs, then quads.
fn eight_digits(b: &[u8]) -> Option<u64> {
    let mut w = [0u8; 8];
    w.copy_from_slice(b);
    let x = u64::from_le_bytes(w);
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Every byte 0x30..=0x39: high nibble 3, and still 3 after adding 6 to the low nibble.
    if x & (0xF0 * ONES) != 0x30 * ONES
        || x.wrapping_add(0x06 * ONES) & (0xF0 * ONES) != 0x30 * ONES
    {
        return None;
    }
    let v = x - 0x30 * ONES; // one digit per byte, the first in the lowest byte
                             // (The products overflow only in bits shifted or masked away.)
    let v = v.wrapping_mul(10 * 256 + 1) >> 8; // byte pairs: 10 × first + second
    let v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(100 * 65_536 + 1) >> 16;
    let v = (v & 0x0000_FFFF_0000_FFFF).wrapping_mul(10_000 * (1 << 32) + 1) >> 32;
    Some(v)
}

/// A number cell straight from its bytes when [`fast_decimal`] applies (no UTF-8 check, no trim:
/// a cell it accepts has neither whitespace nor anything else to decode). `None`: take the text
/// path ([`parse_num`]).
pub fn fast_num(cell: &[u8]) -> Option<f64> {
    fast_decimal(cell)
}

/// Cell bytes as text: UTF-8, or Windows-1252 when not valid UTF-8 (flagged).
pub(super) fn cell_text(b: &[u8]) -> (std::borrow::Cow<'_, str>, bool) {
    match std::str::from_utf8(b) {
        Ok(s) => (std::borrow::Cow::Borrowed(s), false),
        Err(_) => (
            encoding_rs::WINDOWS_1252.decode_without_bom_handling(b).0,
            true,
        ),
    }
}

#[derive(Debug)]
enum Store {
    /// Nothing but missing cells so far (Auto columns).
    Undecided(usize),
    Num {
        values: Vec<f64>,
        /// Text cells seen in an Auto column: (row, text). Bounded by the conversion threshold.
        text: Vec<(usize, String)>,
    },
    Cat(CategoricalBuilder, usize),
}

/// Cells of one column.
#[derive(Debug)]
pub struct ColumnBuilder {
    /// The plan.
    pub plan: ColumnPlan,
    store: Store,
    non_missing: usize,
    /// Cells that were not numbers/timestamps and became missing: count and first (line, text).
    pub rejected: usize,
    /// First rejected cell.
    pub first_rejected: Option<(u64, String)>,
    /// Text cells converted when the column turned categorical.
    pub converted: bool,
    /// Raw bytes of recent levels with their codes (categorical columns, batch path).
    levels: Option<Box<LevelCache>>,
}

impl ColumnBuilder {
    /// An empty column with `missing_rows` missing cells already (for columns that appear late).
    pub fn new(plan: ColumnPlan, missing_rows: usize) -> Self {
        let store = match plan.kind {
            Kind::Auto => Store::Undecided(missing_rows),
            Kind::Numeric | Kind::Timestamp => Store::Num {
                values: vec![f64::NAN; missing_rows],
                text: Vec::new(),
            },
            Kind::Categorical => {
                let mut b = CategoricalBuilder::default();
                for _ in 0..missing_rows {
                    b.push("");
                }
                Store::Cat(b, missing_rows)
            }
        };
        Self {
            plan,
            store,
            non_missing: 0,
            rejected: 0,
            first_rejected: None,
            converted: false,
            levels: None,
        }
    }

    fn reject(&mut self, line: u64, cell: &str) {
        self.rejected += 1;
        if self.first_rejected.is_none() {
            self.first_rejected = Some((line, cell.chars().take(40).collect()));
        }
    }

    /// Appends a missing cell.
    pub fn push_missing(&mut self) {
        match &mut self.store {
            Store::Undecided(n) => *n += 1,
            Store::Num { values, .. } => values.push(f64::NAN),
            Store::Cat(b, n) => {
                b.push("");
                *n += 1;
            }
        }
    }

    /// Appends a number (JSON numbers).
    pub fn push_f64(&mut self, v: f64, line: u64) {
        if !v.is_finite() {
            return self.push_missing();
        }
        if self.plan.kind == Kind::Timestamp {
            match super::timestamp::epoch_number(v) {
                Some(t) => self.push_value(t),
                None => {
                    self.reject(line, &v.to_string());
                    self.push_missing()
                }
            }
            return;
        }
        match &self.store {
            Store::Cat(..) => self.push_str(&crate::engine::text::number(v), line),
            _ => self.push_value(v),
        }
    }

    fn push_value(&mut self, v: f64) {
        self.non_missing += 1;
        match &mut self.store {
            Store::Undecided(n) => {
                let mut values = vec![f64::NAN; *n];
                values.push(v);
                self.store = Store::Num {
                    values,
                    text: Vec::new(),
                };
            }
            Store::Num { values, .. } => values.push(v),
            Store::Cat(..) => {
                // not reached: callers route categorical cells through push_str
                self.push_missing();
                self.non_missing -= 1;
            }
        }
    }

    /// Room for `additional` more cells without reallocating (numbers and categories; a column
    /// still undecided reserves when it decides, through normal growth).
    pub fn reserve(&mut self, additional: usize) {
        match &mut self.store {
            Store::Undecided(_) => {}
            Store::Num { values, .. } => values.reserve(additional),
            Store::Cat(b, _) => b.reserve(additional),
        }
    }

    /// Appends a cell given as raw bytes when it is a plain decimal going into numbers (the
    /// common case, taken without UTF-8 decoding or trimming); false when the caller must use
    /// [`ColumnBuilder::push_str`]. The result is the same as `push_str`'s for that cell.
    pub fn push_fast(&mut self, cell: &[u8]) -> bool {
        let numeric = match self.plan.kind {
            Kind::Numeric => true,
            Kind::Auto => matches!(self.store, Store::Undecided(_) | Store::Num { .. }),
            Kind::Timestamp | Kind::Categorical => false,
        };
        match numeric.then(|| fast_num(cell)).flatten() {
            Some(v) => {
                self.push_value(v);
                true
            }
            None => false,
        }
    }

    /// Appends a cell given as bytes: [`ColumnBuilder::push_fast`], else the text (UTF-8, or
    /// Windows-1252 when not valid UTF-8) through [`ColumnBuilder::push_str`]. True when the cell
    /// was not valid UTF-8.
    pub fn push_bytes(&mut self, cell: &[u8], line: u64) -> bool {
        if self.push_fast(cell) {
            return false;
        }
        let (text, fallback) = cell_text(cell);
        self.push_str(&text, line);
        fallback
    }

    /// Appends column `col` of a batch of plain rows, as [`ColumnBuilder::push_bytes`] would one
    /// cell at a time: row `r`'s cell is `data[offs[r * stride + col]..offs[r * stride + col + 1] - 1]`
    /// and `lines[r]` its line (`non_utf8` is called with the line of each cell that was not
    /// valid UTF-8). The column's storage is looked at once per run of cells, not per cell:
    /// numbers go straight into the values, categories through a cache of the raw bytes of the
    /// recent levels; any other cell takes the general path, after which the run resumes.
    pub(super) fn push_plain(
        &mut self,
        batch: Batch<'_>,
        col: usize,
        non_utf8: &mut dyn FnMut(u64),
    ) {
        let Batch {
            data,
            offs,
            lines,
            stride,
        } = batch;
        let n = lines.len();
        let cell = |r: usize| {
            let (a, b) = (offs[r * stride + col], offs[r * stride + col + 1]);
            &data[a..b - 1]
        };
        let kind = self.plan.kind;
        let mut r = 0;
        while r < n {
            match &mut self.store {
                Store::Num { values, .. } => {
                    // Room first, then a run of cells while they are plain numbers.
                    values.reserve(n - r);
                    let before = values.len();
                    if kind == Kind::Timestamp {
                        values.extend((r..n).map_while(|k| {
                            fast_num(cell(k)).and_then(super::timestamp::epoch_number)
                        }));
                    } else {
                        values.extend((r..n).map_while(|k| short_num(cell(k))));
                    }
                    let taken = values.len() - before;
                    r += taken;
                    self.non_missing += taken;
                }
                Store::Cat(b, cells) => {
                    let cache = self.levels.get_or_insert_with(LevelCache::new);
                    let mut present = 0;
                    let taken = b.extend_codes((r..n).map_while(|k| {
                        let code = cache.get(data, offs[k * stride + col], cell(k).len())?;
                        present += usize::from(code != MISSING_CODE);
                        Some(code)
                    }));
                    r += taken;
                    *cells += taken;
                    self.non_missing += present;
                }
                Store::Undecided(_) => {}
            }
            if r == n {
                break;
            }
            // The general path for this cell; a category it adds goes into the cache.
            let c = cell(r);
            if self.push_bytes(c, lines[r]) {
                non_utf8(lines[r]);
            } else if let (Store::Cat(b, _), Some(cache)) = (&self.store, &mut self.levels) {
                if let Some(code) = b.last_code() {
                    cache.insert(data, offs[r * stride + col], c.len(), code);
                }
            }
            r += 1;
        }
    }

    /// Appends a text cell.
    pub fn push_str(&mut self, cell: &str, line: u64) {
        let cell = cell.trim();
        match self.plan.kind {
            Kind::Timestamp => match parse_timestamp(cell) {
                Some(t) => self.push_value(t),
                None => {
                    if !is_null(cell) {
                        self.reject(line, cell);
                    }
                    self.push_missing()
                }
            },
            Kind::Numeric => match parse_num(cell) {
                Num::Value(v) => self.push_value(v),
                Num::Missing => self.push_missing(),
                Num::Text => {
                    self.reject(line, cell);
                    self.push_missing()
                }
            },
            Kind::Categorical => self.push_cat(cell),
            Kind::Auto => match &self.store {
                Store::Cat(..) => self.push_cat(cell),
                Store::Undecided(_) => match parse_num(cell) {
                    Num::Value(v) => self.push_value(v),
                    Num::Missing => self.push_missing(),
                    Num::Text => self.push_cat(cell),
                },
                Store::Num { .. } => match parse_num(cell) {
                    Num::Value(v) => self.push_value(v),
                    Num::Missing => self.push_missing(),
                    Num::Text => self.push_text_in_numeric(cell, line),
                },
            },
        }
    }

    fn push_cat(&mut self, cell: &str) {
        let missing = cell.is_empty() || (self.plan.role != Role::Label && is_null(cell));
        if let Store::Undecided(n) = self.store {
            let mut b = CategoricalBuilder::default();
            for _ in 0..n {
                b.push("");
            }
            self.store = Store::Cat(b, n);
        }
        if let Store::Cat(b, n) = &mut self.store {
            b.push(if missing { "" } else { cell });
            *n += 1;
            if !missing {
                self.non_missing += 1;
            }
        }
    }

    fn push_text_in_numeric(&mut self, cell: &str, line: u64) {
        self.reject(line, cell);
        if let Store::Num { values, text } = &mut self.store {
            text.push((values.len(), cell.to_owned()));
            values.push(f64::NAN);
            self.non_missing += 1;
            if text.len() > 20 && text.len() * 20 > self.non_missing {
                self.make_categorical();
            }
        }
    }

    /// Turns a numeric column with text cells into a categorical one, keeping every value.
    fn make_categorical(&mut self) {
        let Store::Num { values, text } = std::mem::replace(&mut self.store, Store::Undecided(0))
        else {
            return;
        };
        let mut b = CategoricalBuilder::default();
        let mut t = text.into_iter().peekable();
        for (row, v) in values.iter().enumerate() {
            if t.peek().is_some_and(|(r, _)| *r == row) {
                if let Some((_, s)) = t.next() {
                    b.push(&s);
                }
            } else if v.is_nan() {
                b.push("");
            } else {
                b.push(&crate::engine::text::number(*v));
            }
        }
        let n = values.len();
        self.store = Store::Cat(b, n);
        self.levels = None;
        self.converted = true;
        self.rejected = 0;
        self.first_rejected = None;
    }

    /// Finishes: the values and their kind.
    pub fn finish(
        mut self,
    ) -> (
        ColumnPlan,
        Values,
        ColumnKind,
        usize,
        Option<(u64, String)>,
        bool,
    ) {
        if let Store::Num { text, .. } = &self.store {
            if !text.is_empty() && text.len() * 20 > self.non_missing {
                self.make_categorical();
            }
        }
        let (values, kind) = match self.store {
            Store::Undecided(n) => (Values::Numeric(vec![f64::NAN; n]), ColumnKind::Numeric),
            Store::Num { values, .. } => (Values::Numeric(values), ColumnKind::Numeric),
            Store::Cat(b, _) => (b.finish(), ColumnKind::Categorical),
        };
        (
            self.plan,
            values,
            kind,
            self.rejected,
            self.first_rejected,
            self.converted,
        )
    }
}

/// One batch of plain rows (see [`ColumnBuilder::push_plain`]).
#[derive(Clone, Copy)]
pub(super) struct Batch<'a> {
    /// The text the cells are in.
    pub data: &'a [u8],
    /// Cell starts, `stride` per row (each cell ends one byte before the next start).
    pub offs: &'a [usize],
    /// The line of each row.
    pub lines: &'a [u64],
    /// Offsets per row (columns + 1).
    pub stride: usize,
}

/// `m / 100` for `m < 1000`, each correctly rounded (a compile-time IEEE division, the same as
/// the one [`fast_decimal`] does at run time).
const HUNDREDTHS: [f64; 1000] = {
    let mut t = [0.0; 1000];
    let mut m = 0;
    while m < 1000 {
        t[m] = m as f64 / 100.0;
        m += 1;
    }
    t
};

/// [`fast_num`] with shortcuts for the commonest short cells (1–3 digit integers and rates
/// written `d.dd`); the same bits as [`fast_num`] gives.
#[inline]
fn short_num(cell: &[u8]) -> Option<f64> {
    let d = |c: u8| {
        let d = c.wrapping_sub(b'0');
        (d < 10).then_some(u32::from(d))
    };
    let short = || match *cell {
        [a] => d(a).map(f64::from),
        [a, b] => Some(f64::from(d(a)? * 10 + d(b)?)),
        [a, b, c] => Some(f64::from(d(a)? * 100 + d(b)? * 10 + d(c)?)),
        [a, b'.', b, c] => Some(HUNDREDTHS[(d(a)? * 100 + d(b)? * 10 + d(c)?) as usize]),
        _ => None,
    };
    short().or_else(|| fast_num(cell))
}

/// Level cells of at most 16 bytes, by their raw bytes, with the code the general path gave
/// them: a direct-mapped table (a new level with the same slot replaces the old one). Only
/// cells that were valid UTF-8 go in, so a hit needs no decoding, trimming or null check.
#[derive(Debug)]
struct LevelCache {
    slots: Vec<LevelSlot>,
}

#[derive(Debug, Clone, Copy)]
struct LevelSlot {
    words: [u64; 2],
    /// Cell length; `u32::MAX` for an empty slot.
    len: u32,
    code: u32,
}

impl LevelCache {
    const LOG2: u32 = 8;

    fn new() -> Box<Self> {
        Box::new(Self {
            slots: vec![
                LevelSlot {
                    words: [0; 2],
                    len: u32::MAX,
                    code: 0,
                };
                1 << Self::LOG2
            ],
        })
    }

    /// The cell `data[at..at + len]` as two little-endian words, zero past its end (`None`
    /// above 16 bytes).
    #[inline]
    fn words(data: &[u8], at: usize, len: usize) -> Option<[u64; 2]> {
        if len > 16 {
            return None;
        }
        let mut w = [0u8; 16];
        match data.get(at..at + 16) {
            Some(sixteen) => w.copy_from_slice(sixteen),
            None => w[..len].copy_from_slice(data.get(at..at + len)?),
        }
        let mask = |n: usize| match n {
            0 => 0,
            1..=7 => (1u64 << (8 * n)) - 1,
            _ => u64::MAX,
        };
        let (lo, hi) = w.split_at(8);
        let word = |b: &[u8]| {
            let mut x = [0u8; 8];
            x.copy_from_slice(b);
            u64::from_le_bytes(x)
        };
        Some([word(lo) & mask(len), word(hi) & mask(len.saturating_sub(8))])
    }

    #[inline]
    fn slot(words: [u64; 2], len: usize) -> usize {
        let h =
            (words[0] ^ words[1].rotate_left(29) ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> (64 - Self::LOG2)) as usize
    }

    /// The code of the cell `data[at..at + len]`, when cached.
    #[inline]
    fn get(&self, data: &[u8], at: usize, len: usize) -> Option<u32> {
        let words = Self::words(data, at, len)?;
        let s = self.slots[Self::slot(words, len)];
        (s.len as usize == len && s.words == words).then_some(s.code)
    }

    fn insert(&mut self, data: &[u8], at: usize, len: usize, code: u32) {
        if let Some(words) = Self::words(data, at, len) {
            self.slots[Self::slot(words, len)] = LevelSlot {
                words,
                len: len as u32,
                code,
            };
        }
    }
}

/// Distinct levels of a categorical column (0 for numeric).
pub fn distinct_levels(v: &Values) -> usize {
    match v {
        Values::Categorical { levels, codes } => {
            let mut seen = vec![false; levels.len()];
            for &c in codes {
                if c != MISSING_CODE {
                    if let Some(s) = seen.get_mut(c as usize) {
                        *s = true;
                    }
                }
            }
            seen.iter().filter(|&&s| s).count()
        }
        Values::Numeric(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(kind: Kind) -> ColumnPlan {
        ColumnPlan::new("x", Role::Feature, None, kind, "test")
    }

    #[test]
    fn numbers_parse_in_common_spellings() {
        assert_eq!(parse_num(" 1.5 "), Num::Value(1.5));
        assert_eq!(parse_num("1e3"), Num::Value(1000.0));
        assert_eq!(parse_num("0x1f"), Num::Value(31.0));
        assert_eq!(parse_num("2,5"), Num::Value(2.5));
        assert_eq!(parse_num("Infinity"), Num::Missing);
        assert_eq!(parse_num("NaN"), Num::Missing);
        assert_eq!(parse_num("-"), Num::Missing);
        assert_eq!(parse_num("tcp"), Num::Text);
        assert_eq!(parse_num("1,000,000"), Num::Text);
    }

    #[test]
    fn fast_decimal_path_matches_std_parsing() {
        for s in [
            "0",
            "0.00",
            "-1.5",
            "123456789012345",
            "0.1",
            "3.14159",
            "1.",
            ".5",
            "99.999999",
            "1462.637526322903",
            "0.2617209359912136",
            "9007199254740991",
            "0.000000000000000001",
            "-39388.45302330149",
        ] {
            assert_eq!(
                fast_decimal(s.as_bytes()).map(f64::to_bits),
                s.parse::<f64>().ok().map(f64::to_bits),
                "{s}"
            );
        }
        // Digits past 2^53 or 22 decimals leave it to the slow path.
        assert_eq!(fast_decimal(b"9007199254740993"), None);
        assert_eq!(fast_decimal(b"0.00000000000000000000001"), None);
        assert_eq!(fast_decimal(b"12345678901234567890"), None);
        assert_eq!(fast_decimal(b"1e5"), None);
        assert_eq!(fast_decimal(b"-"), None);
        assert_eq!(fast_decimal(b"."), None);
    }

    #[test]
    fn fast_decimal_agrees_with_std_on_random_decimals() {
        // Shortest round-trip prints of random floats (what our generators and most tools write)
        // and random digit strings with the point anywhere: whenever the fast path answers, it
        // answers exactly what `str::parse` does.
        use rand_core::Rng as _;
        let mut rng = crate::engine::rng::seeded(7);
        let mut taken = 0;
        for i in 0..200_000u64 {
            let s = if i % 2 == 0 {
                let scale = [1e-5, 1e-2, 1.0, 1e3, 1e6, 1e9][(rng.next_u64() % 6) as usize];
                let sign = if i % 4 == 0 { 1.0 } else { -1.0 };
                format!("{}", sign * scale * crate::engine::rng::uniform(&mut rng))
            } else {
                let digits = (rng.next_u64() % 19 + 1) as usize;
                let mut t: String = (0..digits)
                    .map(|_| char::from(b'0' + (rng.next_u64() % 10) as u8))
                    .collect();
                let point = (rng.next_u64() % (digits as u64 + 1)) as usize;
                t.insert(point, '.');
                t
            };
            if let Some(v) = fast_decimal(s.as_bytes()) {
                taken += 1;
                assert_eq!(
                    Some(v.to_bits()),
                    s.parse::<f64>().ok().map(f64::to_bits),
                    "{s}"
                );
            }
        }
        assert!(
            taken > 50_000,
            "the fast path took only {taken} of the cases"
        );
    }

    #[test]
    fn short_cells_read_as_the_general_path_reads_them() {
        // Every cell of up to 4 bytes over digits and the bytes that make a cell not a plain
        // number: the shortcuts answer exactly what `fast_num` (and so `str::parse`) does.
        let alphabet = b"0123456789.-+ex/:";
        let mut cell = Vec::new();
        let mut count = 0;
        for len in 1..=4u32 {
            for mut k in 0..(alphabet.len() as u32).pow(len) {
                cell.clear();
                for _ in 0..len {
                    cell.push(alphabet[(k % alphabet.len() as u32) as usize]);
                    k /= alphabet.len() as u32;
                }
                assert_eq!(
                    short_num(&cell).map(f64::to_bits),
                    fast_num(&cell).map(f64::to_bits),
                    "{}",
                    String::from_utf8_lossy(&cell)
                );
                if let Some(v) = short_num(&cell) {
                    let parsed = std::str::from_utf8(&cell)
                        .ok()
                        .and_then(|t| t.parse::<f64>().ok());
                    assert_eq!(Some(v.to_bits()), parsed.map(f64::to_bits));
                    count += 1;
                }
            }
        }
        assert!(count > 10_000, "only {count} numbers");
    }

    #[test]
    fn eight_digits_reads_exactly_eight_ascii_digits() {
        for s in [
            "00000000", "12345678", "99999999", "00000001", "90000000", "31415926",
        ] {
            assert_eq!(eight_digits(s.as_bytes()), s.parse::<u64>().ok(), "{s}");
        }
        for s in [
            "1234567.",
            "/2345678",
            ":2345678",
            "1234567:",
            "12 45678",
            "\u{ff}1234567",
        ] {
            assert_eq!(eight_digits(&s.as_bytes()[..8]), None, "{s}");
        }
    }

    #[test]
    fn null_markers_are_found_in_any_case_and_nothing_else() {
        for m in NULLS {
            assert!(is_null(m) && is_null(&m.to_uppercase()), "{m}");
        }
        for t in ["0", "tcp", "nano", "n/aa", "(empt", " -", "NULL ", "?x"] {
            assert!(!is_null(t), "{t}");
        }
    }

    #[test]
    fn auto_column_turns_categorical_when_text_dominates() {
        let mut c = ColumnBuilder::new(plan(Kind::Auto), 0);
        for i in 0..10 {
            c.push_str(&i.to_string(), 1);
        }
        for _ in 0..30 {
            c.push_str("abc", 2);
        }
        let (_, v, kind, ..) = c.finish();
        assert_eq!(kind, ColumnKind::Categorical);
        assert_eq!(v.display(3), "3");
        assert_eq!(v.display(20), "abc");
    }

    #[test]
    fn rare_text_in_numeric_column_becomes_missing() {
        let mut c = ColumnBuilder::new(plan(Kind::Auto), 0);
        for i in 0..100 {
            c.push_str(&i.to_string(), i + 1);
        }
        c.push_str("oops", 101);
        let (_, v, kind, rejected, first, _) = c.finish();
        assert_eq!(kind, ColumnKind::Numeric);
        assert_eq!(v.missing(), 1);
        assert_eq!(rejected, 1);
        assert_eq!(first, Some((101, "oops".to_string())));
    }

    #[test]
    fn late_columns_backfill_missing_cells() {
        let mut c = ColumnBuilder::new(plan(Kind::Auto), 3);
        c.push_str("a", 4);
        let (_, v, ..) = c.finish();
        assert_eq!(v.len(), 4);
        assert_eq!(v.missing(), 3);
    }
}
