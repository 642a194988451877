//! A [`Table`]: equally long named [`Column`]s, each with a [`Role`] (what the models do with it)
//! and a [`Meaning`] (what the network views do with it).

use serde::{Deserialize, Serialize};

use super::values::{Values, MISSING_CODE};

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

/// Why [`Table::new`] refused its columns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// The columns do not all have the same length.
    #[error("column {column} has {rows} rows, column {first} has {first_rows}")]
    Ragged {
        /// The first column whose length differs.
        column: String,
        /// Its length.
        rows: usize,
        /// The first column.
        first: String,
        /// The first column's length.
        first_rows: usize,
    },
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
    pub fn new(columns: Vec<Column>) -> Result<Self, TableError> {
        if let Some(first) = columns.first() {
            let n = first.values.len();
            if let Some(bad) = columns.iter().find(|c| c.values.len() != n) {
                return Err(TableError::Ragged {
                    column: bad.name.clone(),
                    rows: bad.values.len(),
                    first: first.name.clone(),
                    first_rows: n,
                });
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
        let e = Table::new(vec![
            Column::numeric("a", vec![1.0]),
            Column::numeric("b", vec![]),
        ])
        .unwrap_err();
        assert_eq!(e.to_string(), "column b has 0 rows, column a has 1");
    }
}
