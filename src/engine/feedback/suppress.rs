//! Suppression rules: editable conditions that label matching alerts as suppressed. Suppressed
//! alerts keep their place in every result and export; the UI dims and labels them.

use serde::{Deserialize, Serialize};

use crate::engine::data::{Meaning, Role, Table, Values};
use crate::engine::explain::format::format_value;
use crate::engine::explain::{CellValue, Direction, Explanation};
use crate::engine::feedback::{fnv1a, RowKey, FNV_OFFSET};
use crate::engine::pipeline::RunResult;

/// Default half-width of the numeric ranges [`suppress_similar`] builds: ±25 % of the value.
pub const SIMILAR_TOLERANCE: f64 = 0.25;

/// Most categorical equality conditions [`suppress_similar`] adds.
const MAX_CATEGORICAL: usize = 5;
/// Most numeric range conditions [`suppress_similar`] adds.
const MAX_NUMERIC: usize = 3;

/// A value in a condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RuleValue {
    /// A number (matches numeric cells, and text cells that parse to it).
    Number(f64),
    /// Text (matches categorical cells, and numeric cells when it parses to their value).
    Text(String),
}

impl RuleValue {
    fn matches(&self, cell: &CellValue) -> bool {
        match (self, cell) {
            (Self::Number(x), CellValue::Number(v)) => v == x,
            (Self::Number(x), CellValue::Text(s)) => s.trim().parse::<f64>().ok() == Some(*x),
            (Self::Text(t), CellValue::Text(s)) => s == t,
            (Self::Text(t), CellValue::Number(v)) => t.trim().parse::<f64>().ok() == Some(*v),
            (_, CellValue::Missing) => false,
        }
    }

    fn display(&self) -> String {
        match self {
            Self::Number(x) => format_value(*x),
            Self::Text(s) => s.clone(),
        }
    }
}

/// A test on one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Op {
    /// Equal to the value.
    Eq(RuleValue),
    /// Below.
    Lt(f64),
    /// At most.
    Le(f64),
    /// Above.
    Gt(f64),
    /// At least.
    Ge(f64),
    /// Within `[low, high]`, both ends included.
    Between(f64, f64),
    /// Equal to any of the values.
    In(Vec<RuleValue>),
}

/// One condition of a rule: `column op value(s)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// The column it tests (any role).
    pub column: String,
    /// The test.
    pub op: Op,
}

impl Condition {
    /// True when row `row` of `table` passes; a missing column or an empty cell never passes.
    pub fn matches(&self, table: &Table, row: usize) -> bool {
        let Some(col) = table.column(&self.column) else {
            return false;
        };
        let cell = CellValue::of(&col.values, row);
        let number = match &cell {
            CellValue::Number(v) => Some(*v),
            CellValue::Text(s) => s.trim().parse::<f64>().ok(),
            CellValue::Missing => None,
        };
        match &self.op {
            Op::Eq(v) => v.matches(&cell),
            Op::In(vs) => vs.iter().any(|v| v.matches(&cell)),
            Op::Lt(x) => number.is_some_and(|v| v < *x),
            Op::Le(x) => number.is_some_and(|v| v <= *x),
            Op::Gt(x) => number.is_some_and(|v| v > *x),
            Op::Ge(x) => number.is_some_and(|v| v >= *x),
            Op::Between(lo, hi) => number.is_some_and(|v| *lo <= v && v <= *hi),
        }
    }

    /// The condition in words: `protocol_type = icmp`, `dst_bytes 33,750 – 56,250`.
    pub fn describe(&self) -> String {
        let c = &self.column;
        match &self.op {
            Op::Eq(v) => format!("{c} = {}", v.display()),
            Op::Lt(x) => format!("{c} < {}", format_value(*x)),
            Op::Le(x) => format!("{c} ≤ {}", format_value(*x)),
            Op::Gt(x) => format!("{c} > {}", format_value(*x)),
            Op::Ge(x) => format!("{c} ≥ {}", format_value(*x)),
            Op::Between(lo, hi) => {
                format!("{c} {} – {}", format_value(*lo), format_value(*hi))
            }
            Op::In(vs) => format!(
                "{c} in {{{}}}",
                vs.iter()
                    .map(RuleValue::display)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// An editable rule: alerts meeting every condition are labelled suppressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuppressionRule {
    /// Stable identifier.
    pub id: String,
    /// Name shown in lists.
    pub name: String,
    /// All must hold. A rule without conditions matches nothing.
    pub conditions: Vec<Condition>,
    /// Disabled rules match nothing.
    pub enabled: bool,
    /// The alert the rule was made from, if any.
    pub created_from_row: Option<RowKey>,
}

impl SuppressionRule {
    /// True when the rule is enabled, has conditions, and row `row` meets all of them.
    pub fn matches(&self, table: &Table, row: usize) -> bool {
        self.enabled
            && !self.conditions.is_empty()
            && self.conditions.iter().all(|c| c.matches(table, row))
    }

    /// Columns the rule tests that `table` does not have (the rule cannot match there).
    pub fn missing_columns(&self, table: &Table) -> Vec<String> {
        self.conditions
            .iter()
            .filter(|c| table.column(&c.column).is_none())
            .map(|c| c.column.clone())
            .collect()
    }
}

/// [`suppress_similar_with`] at ±[`SIMILAR_TOLERANCE`].
pub fn suppress_similar(table: &Table, row: usize, explanation: &Explanation) -> SuppressionRule {
    suppress_similar_with(table, row, explanation, SIMILAR_TOLERANCE)
}

/// A rule matching alerts like row `row`, built from its key features:
///
/// 1. equality on the columns that say what kind of flow it is — the protocol and destination
///    port (by meaning) and the categorical feature columns (service, flag, …; at most 5);
/// 2. a range `value · (1 ± tolerance)` on the numeric features the explanation lists as
///    deviating (at most 3; equality when the value is 0).
///
/// The rule is enabled; its id is derived from the row and its conditions. Edit it freely.
pub fn suppress_similar_with(
    table: &Table,
    row: usize,
    explanation: &Explanation,
    tolerance: f64,
) -> SuppressionRule {
    let tolerance = if tolerance.is_finite() {
        tolerance.abs()
    } else {
        SIMILAR_TOLERANCE
    };
    let mut conditions: Vec<Condition> = Vec::new();
    let has = |cs: &[Condition], name: &str| cs.iter().any(|c| c.column == name);
    let eq_of = |values: &Values| match CellValue::of(values, row) {
        CellValue::Number(v) => Some(Op::Eq(RuleValue::Number(v))),
        CellValue::Text(s) => Some(Op::Eq(RuleValue::Text(s))),
        CellValue::Missing => None,
    };
    for col in &table.columns {
        if matches!(col.meaning, Some(Meaning::Protocol | Meaning::DstPort)) {
            if let Some(op) = eq_of(&col.values) {
                conditions.push(Condition {
                    column: col.name.clone(),
                    op,
                });
            }
        }
    }
    let mut n_cat = 0;
    for col in table.columns.iter().filter(|c| c.role == Role::Feature) {
        if n_cat >= MAX_CATEGORICAL {
            break;
        }
        if matches!(col.values, Values::Categorical { .. }) && !has(&conditions, &col.name) {
            if let Some(op) = eq_of(&col.values) {
                conditions.push(Condition {
                    column: col.name.clone(),
                    op,
                });
                n_cat += 1;
            }
        }
    }
    let mut n_num = 0;
    for d in &explanation.deviations {
        if n_num >= MAX_NUMERIC {
            break;
        }
        if has(&conditions, &d.feature)
            || !matches!(d.direction, Direction::Higher | Direction::Lower)
        {
            continue;
        }
        let CellValue::Number(v) = d.value else {
            continue;
        };
        let op = if v == 0.0 {
            Op::Eq(RuleValue::Number(0.0))
        } else {
            let (a, b) = (v * (1.0 - tolerance), v * (1.0 + tolerance));
            Op::Between(a.min(b), a.max(b))
        };
        conditions.push(Condition {
            column: d.feature.clone(),
            op,
        });
        n_num += 1;
    }
    let key = RowKey::of(table, row);
    let described: Vec<String> = conditions.iter().map(Condition::describe).collect();
    let mut h = fnv1a(key.cells_hash.as_bytes(), FNV_OFFSET);
    h = fnv1a(&key.row.to_le_bytes(), h);
    for d in &described {
        h = fnv1a(d.as_bytes(), h);
    }
    let mut name = format!("Like row {}", row + 1);
    if !described.is_empty() {
        name += ": ";
        name += &described
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if described.len() > 3 {
            name += ", …";
        }
    }
    SuppressionRule {
        id: format!("rule-{h:016x}"),
        name,
        conditions,
        enabled: true,
        created_from_row: Some(key),
    }
}

/// For every row: the id of the first enabled rule that suppresses it, for anomalies only
/// (normal rows get `None`). Nothing is removed from `result`.
pub fn apply_suppressions(
    table: &Table,
    result: &RunResult,
    rules: &[SuppressionRule],
) -> Vec<Option<String>> {
    (0..table.n_rows())
        .map(|row| {
            if !result.is_anomaly.get(row).copied().unwrap_or(false) {
                return None;
            }
            rules
                .iter()
                .find(|r| r.matches(table, row))
                .map(|r| r.id.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::data::Column;

    fn table() -> Table {
        Table::new(vec![
            Column::numeric("bytes", vec![100.0, 120.0, 500.0, f64::NAN]),
            Column::categorical("proto", ["icmp", "icmp", "tcp", "icmp"]),
        ])
        .unwrap()
    }

    #[test]
    fn conditions_never_match_missing_cells_or_columns() {
        let t = table();
        let c = Condition {
            column: "bytes".into(),
            op: Op::Between(90.0, 130.0),
        };
        assert_eq!(
            (0..4).map(|r| c.matches(&t, r)).collect::<Vec<_>>(),
            vec![true, true, false, false]
        );
        let missing = Condition {
            column: "nope".into(),
            op: Op::Ge(0.0),
        };
        assert!(!missing.matches(&t, 0));
    }

    #[test]
    fn empty_or_disabled_rules_match_nothing() {
        let t = table();
        let mut r = SuppressionRule {
            id: "r".into(),
            name: "r".into(),
            conditions: vec![],
            enabled: true,
            created_from_row: None,
        };
        assert!(!r.matches(&t, 0));
        r.conditions.push(Condition {
            column: "proto".into(),
            op: Op::In(vec![RuleValue::Text("icmp".into())]),
        });
        assert!(r.matches(&t, 0));
        r.enabled = false;
        assert!(!r.matches(&t, 0));
    }

    #[test]
    fn conditions_describe_themselves() {
        let c = Condition {
            column: "dst_bytes".into(),
            op: Op::Between(33_750.0, 56_250.0),
        };
        assert_eq!(c.describe(), "dst_bytes 33,750 – 56,250");
    }
}
