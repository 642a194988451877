//! Column mapping: what each column of a loaded table is used for, in the words of the mapping
//! panel, and re-encoding a table when the user changes that.
//!
//! A [`ColumnUse`] folds a column's [`Role`], storage ([`ColumnKind`]) and network [`Meaning`] into
//! the one choice the user makes per column (numeric feature, categorical feature, label,
//! timestamp, source/destination IP, ports, protocol, ignore). [`remap`] applies a list of choices
//! to a table in place, converting the cells where the storage changes:
//!
//! - text → numbers: each distinct value is parsed once ([`parse_num`](crate::engine::ingest::parse_num));
//!   IPv4 addresses become their 32-bit integer value (only when the user asks for an IP column to
//!   be a numeric feature); anything else becomes a missing cell, counted in the report;
//! - numbers → text: shortest round-trip formatting ([`text::number`]);
//! - text → timestamp: [`parse_timestamp`]; numbers are taken as epoch seconds as they are.
//!
//! Identifier-like columns are never turned into features by this module on its own: only an
//! explicit choice does that.

use serde::{Deserialize, Serialize};

use crate::engine::data::{
    CategoricalBuilder, Column, ColumnKind, Meaning, Role, Table, Values, MISSING_CODE,
};
use crate::engine::ingest::timestamp::parse_timestamp;
use crate::engine::ingest::{parse_num, ColumnMapping, Num};
use crate::engine::text;

/// What one column is used for (the mapping panel's select).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ColumnUse {
    /// A model input, as numbers.
    NumericFeature,
    /// A model input, as categories (one-hot / ordinal encoded by the features stage).
    CategoricalFeature,
    /// Ground truth.
    Label,
    /// Event time (epoch seconds).
    Timestamp,
    /// Source address: network views only.
    SrcIp,
    /// Destination address: network views only.
    DstIp,
    /// Source port: a numeric feature and a network-view endpoint.
    SrcPort,
    /// Destination port: a numeric feature and a network-view endpoint.
    DstPort,
    /// Transport protocol: a categorical feature.
    Protocol,
    /// Kept for display and export only.
    Ignore,
}

impl ColumnUse {
    /// Every choice, in the order the select lists them.
    pub const ALL: [ColumnUse; 10] = [
        Self::NumericFeature,
        Self::CategoricalFeature,
        Self::Label,
        Self::Timestamp,
        Self::SrcIp,
        Self::DstIp,
        Self::SrcPort,
        Self::DstPort,
        Self::Protocol,
        Self::Ignore,
    ];

    /// Stable identifier (select values, e2e tests).
    pub fn id(self) -> &'static str {
        match self {
            Self::NumericFeature => "numeric",
            Self::CategoricalFeature => "categorical",
            Self::Label => "label",
            Self::Timestamp => "timestamp",
            Self::SrcIp => "src_ip",
            Self::DstIp => "dst_ip",
            Self::SrcPort => "src_port",
            Self::DstPort => "dst_port",
            Self::Protocol => "protocol",
            Self::Ignore => "ignore",
        }
    }

    /// Parses [`ColumnUse::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.id() == id)
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::NumericFeature => "numeric feature",
            Self::CategoricalFeature => "categorical feature",
            Self::Label => "label",
            Self::Timestamp => "timestamp",
            Self::SrcIp => "source IP",
            Self::DstIp => "destination IP",
            Self::SrcPort => "source port",
            Self::DstPort => "destination port",
            Self::Protocol => "protocol",
            Self::Ignore => "ignore",
        }
    }

    /// The role, storage and meaning this choice gives a column (`None` storage: keep as is).
    pub fn target(self) -> (Role, Option<ColumnKind>, Option<Meaning>) {
        match self {
            Self::NumericFeature => (Role::Feature, Some(ColumnKind::Numeric), None),
            Self::CategoricalFeature => (Role::Feature, Some(ColumnKind::Categorical), None),
            Self::Label => (Role::Label, None, None),
            Self::Timestamp => (Role::Timestamp, Some(ColumnKind::Numeric), None),
            Self::SrcIp => (Role::Ignore, None, Some(Meaning::SrcIp)),
            Self::DstIp => (Role::Ignore, None, Some(Meaning::DstIp)),
            Self::SrcPort => (
                Role::Feature,
                Some(ColumnKind::Numeric),
                Some(Meaning::SrcPort),
            ),
            Self::DstPort => (
                Role::Feature,
                Some(ColumnKind::Numeric),
                Some(Meaning::DstPort),
            ),
            Self::Protocol => (
                Role::Feature,
                Some(ColumnKind::Categorical),
                Some(Meaning::Protocol),
            ),
            Self::Ignore => (Role::Ignore, None, None),
        }
    }

    /// The choice that describes a column as it is now.
    pub fn of(role: Role, kind: ColumnKind, meaning: Option<Meaning>) -> Self {
        match (role, meaning) {
            (Role::Label, _) => Self::Label,
            (Role::Timestamp, _) => Self::Timestamp,
            (_, Some(Meaning::SrcIp)) => Self::SrcIp,
            (_, Some(Meaning::DstIp)) => Self::DstIp,
            (Role::Feature, Some(Meaning::SrcPort)) => Self::SrcPort,
            (Role::Feature, Some(Meaning::DstPort)) => Self::DstPort,
            (Role::Feature, Some(Meaning::Protocol)) => Self::Protocol,
            (Role::Feature, _) => match kind {
                ColumnKind::Numeric => Self::NumericFeature,
                ColumnKind::Categorical => Self::CategoricalFeature,
            },
            (Role::Ignore, _) => Self::Ignore,
        }
    }

    /// The choice describing a table column.
    pub fn of_column(c: &Column) -> Self {
        Self::of(c.role, kind_of(&c.values), c.meaning)
    }
}

fn kind_of(v: &Values) -> ColumnKind {
    match v {
        Values::Numeric(_) => ColumnKind::Numeric,
        Values::Categorical { .. } => ColumnKind::Categorical,
    }
}

/// Why a remap was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum RemapError {
    /// A choice names a column the table does not have.
    #[error("there is no column named \"{0}\" in the loaded data; reload the file and map again")]
    UnknownColumn(String),
    /// More than one column was chosen as the label or as the timestamp.
    #[error("only one column can be the {what} (chosen: {columns}); pick one and set the others to another use")]
    Duplicate {
        /// "label" or "timestamp".
        what: String,
        /// The columns chosen, comma-separated.
        columns: String,
    },
    /// No column would be a model input.
    #[error("no column is a feature any more; set at least one column to a numeric or categorical feature")]
    NoFeature,
}

/// What [`remap`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemapReport {
    /// Columns whose use changed.
    pub changed: Vec<String>,
    /// Notices: cells that became missing in a conversion, per column.
    pub warnings: Vec<String>,
}

/// Applies the user's choices (column name → use) to a table in place. Columns not named keep
/// their use. Checked first (unknown names, two labels or timestamps, no feature left), so a
/// refused remap leaves the table untouched.
pub fn remap(
    table: &mut Table,
    choices: &[(String, ColumnUse)],
) -> Result<RemapReport, RemapError> {
    let mut uses: Vec<ColumnUse> = table.columns.iter().map(ColumnUse::of_column).collect();
    for (name, u) in choices {
        let i = table
            .columns
            .iter()
            .position(|c| &c.name == name)
            .ok_or_else(|| RemapError::UnknownColumn(name.clone()))?;
        uses[i] = *u;
    }
    for (what, u) in [
        ("label", ColumnUse::Label),
        ("timestamp", ColumnUse::Timestamp),
    ] {
        let named: Vec<&str> = table
            .columns
            .iter()
            .zip(&uses)
            .filter(|(_, x)| **x == u)
            .map(|(c, _)| c.name.as_str())
            .collect();
        if named.len() > 1 {
            return Err(RemapError::Duplicate {
                what: what.into(),
                columns: named.join(", "),
            });
        }
    }
    if !uses.iter().any(|u| u.target().0 == Role::Feature) {
        return Err(RemapError::NoFeature);
    }
    let mut report = RemapReport::default();
    for (c, u) in table.columns.iter_mut().zip(uses) {
        if ColumnUse::of_column(c) == u {
            continue;
        }
        report.changed.push(c.name.clone());
        let (role, kind, meaning) = u.target();
        let lost = match kind {
            Some(ColumnKind::Numeric) if u == ColumnUse::Timestamp => to_timestamps(&mut c.values),
            Some(ColumnKind::Numeric) => to_numbers(&mut c.values),
            Some(ColumnKind::Categorical) => {
                to_text(&mut c.values);
                0
            }
            None => 0,
        };
        if lost > 0 {
            report.warnings.push(format!(
                "{}: {lost} cell(s) could not be read as {} and are now missing",
                c.name,
                if u == ColumnUse::Timestamp {
                    "times"
                } else {
                    "numbers"
                }
            ));
        }
        c.role = role;
        c.meaning = meaning;
    }
    Ok(report)
}

/// Converts text cells to numbers in place; returns how many non-missing cells were lost.
fn to_numbers(v: &mut Values) -> usize {
    convert_levels(v, |s| match parse_num(s) {
        Num::Value(x) => Some(x),
        _ => match s.trim().parse::<std::net::Ipv4Addr>() {
            Ok(ip) => Some(f64::from(u32::from(ip))),
            Err(_) => None,
        },
    })
}

/// Converts text cells to epoch seconds in place (numbers stay); returns cells lost.
fn to_timestamps(v: &mut Values) -> usize {
    convert_levels(v, parse_timestamp)
}

fn convert_levels(v: &mut Values, parse: impl Fn(&str) -> Option<f64>) -> usize {
    let Values::Categorical { levels, codes } = v else {
        return 0;
    };
    let parsed: Vec<f64> = levels
        .iter()
        .map(|l| parse(l).filter(|x| x.is_finite()).unwrap_or(f64::NAN))
        .collect();
    let mut lost = 0;
    let numbers = codes
        .iter()
        .map(|&c| {
            if c == MISSING_CODE {
                return f64::NAN;
            }
            let x = parsed.get(c as usize).copied().unwrap_or(f64::NAN);
            lost += usize::from(x.is_nan());
            x
        })
        .collect();
    *v = Values::Numeric(numbers);
    lost
}

/// Converts numbers to text cells in place (missing stays missing).
fn to_text(v: &mut Values) {
    let Values::Numeric(xs) = v else {
        return;
    };
    let mut b = CategoricalBuilder::default();
    for x in xs.iter() {
        if x.is_nan() {
            b.push("");
        } else {
            b.push(&text::number(*x));
        }
    }
    *v = b.finish();
}

/// One input column as the mapping panel lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappedColumn {
    /// Name in the table (after alias renaming), or the header text of a dropped column.
    pub name: String,
    /// The header text as written in the file.
    pub source: String,
    /// What it is used for now.
    pub current: ColumnUse,
    /// Numbers or categories, as stored now.
    pub kind: ColumnKind,
    /// False when the column is not in the table (dropped at load).
    pub kept: bool,
    /// Why it has its use, in plain words.
    pub reason: String,
}

/// The mapping panel's content: the detected format and every input column.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MappingView {
    /// Detected format and schema preset.
    pub format: String,
    /// Every input column in file order, dropped ones included.
    pub columns: Vec<MappedColumn>,
}

/// Builds the panel's view from the table and what ingest said about each input column (empty
/// for generated data). A column whose use differs from what ingest decided is marked as the
/// user's choice.
pub fn mapping_view(table: &Table, ingested: &[ColumnMapping], format: &str) -> MappingView {
    let mut columns: Vec<MappedColumn> = Vec::with_capacity(table.columns.len());
    let from_table = |c: &Column, source: String, reason: String| MappedColumn {
        name: c.name.clone(),
        source,
        current: ColumnUse::of_column(c),
        kind: kind_of(&c.values),
        kept: true,
        reason,
    };
    if ingested.is_empty() {
        columns.extend(
            table
                .columns
                .iter()
                .map(|c| from_table(c, c.name.clone(), "set by the generator".into())),
        );
    } else {
        for m in ingested {
            match table.column(&m.column).filter(|_| m.kept) {
                Some(c) => {
                    let at_load = ColumnUse::of(m.role, m.kind, m.meaning);
                    let now = ColumnUse::of_column(c);
                    let reason = if now == at_load {
                        m.reason.clone()
                    } else {
                        format!("set by you (detected as {})", at_load.label())
                    };
                    columns.push(from_table(c, m.source.clone(), reason));
                }
                None => columns.push(MappedColumn {
                    name: m.column.clone(),
                    source: m.source.clone(),
                    current: ColumnUse::Ignore,
                    kind: m.kind,
                    kept: false,
                    reason: m.reason.clone(),
                }),
            }
        }
    }
    MappingView {
        format: format.to_owned(),
        columns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table::new(vec![
            Column::categorical("src", ["10.0.0.1", "10.0.0.2", ""])
                .with_role(Role::Ignore)
                .with_meaning(Meaning::SrcIp),
            Column::numeric("flow_id", vec![1.0, 2.0, 3.0]).with_role(Role::Ignore),
            Column::numeric("bytes", vec![10.0, 20.0, f64::NAN]),
            Column::categorical(
                "when",
                ["2025-01-01 00:00:00", "bad", "2025-01-01 00:00:10"],
            ),
        ])
        .unwrap()
    }

    #[test]
    fn current_uses_are_read_back() {
        let t = table();
        let uses: Vec<_> = t.columns.iter().map(ColumnUse::of_column).collect();
        assert_eq!(
            uses,
            [
                ColumnUse::SrcIp,
                ColumnUse::Ignore,
                ColumnUse::NumericFeature,
                ColumnUse::CategoricalFeature
            ]
        );
    }

    #[test]
    fn ids_round_trip() {
        for u in ColumnUse::ALL {
            assert_eq!(ColumnUse::from_id(u.id()), Some(u));
        }
    }

    #[test]
    fn ip_becomes_a_number_only_when_asked() {
        let mut t = table();
        let r = remap(&mut t, &[("src".into(), ColumnUse::NumericFeature)]).unwrap();
        assert_eq!(r.changed, ["src"]);
        let Values::Numeric(v) = &t.columns[0].values else {
            panic!("not numeric")
        };
        assert_eq!(
            v[0],
            f64::from(u32::from(std::net::Ipv4Addr::new(10, 0, 0, 1)))
        );
        assert!(v[2].is_nan());
        assert_eq!(t.columns[0].role, Role::Feature);
        assert_eq!(t.columns[0].meaning, None);
        assert!(r.warnings.is_empty(), "a missing cell is not a lost one");
    }

    #[test]
    fn numbers_become_categories_and_text_becomes_times() {
        let mut t = table();
        let r = remap(
            &mut t,
            &[
                ("flow_id".into(), ColumnUse::CategoricalFeature),
                ("when".into(), ColumnUse::Timestamp),
            ],
        )
        .unwrap();
        assert_eq!(t.columns[1].values.display(1), "2");
        assert_eq!(t.columns[3].role, Role::Timestamp);
        assert_eq!(t.timestamps().map(|ts| ts[2] - ts[0]), Some(10.0));
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].starts_with("when: 1 cell"));
    }

    #[test]
    fn two_labels_are_refused_and_leave_the_table_alone() {
        let mut t = table();
        let before = t.clone();
        let e = remap(
            &mut t,
            &[
                ("bytes".into(), ColumnUse::Label),
                ("when".into(), ColumnUse::Label),
            ],
        )
        .unwrap_err();
        assert!(matches!(e, RemapError::Duplicate { .. }));
        // NaN cells: compare the debug text, not with `==`.
        assert_eq!(format!("{t:?}"), format!("{before:?}"));
    }

    #[test]
    fn unknown_column_and_no_feature_are_errors() {
        let mut t = table();
        assert!(matches!(
            remap(&mut t, &[("nope".into(), ColumnUse::Ignore)]),
            Err(RemapError::UnknownColumn(_))
        ));
        assert_eq!(
            remap(
                &mut t,
                &[
                    ("bytes".into(), ColumnUse::Ignore),
                    ("when".into(), ColumnUse::Ignore)
                ]
            ),
            Err(RemapError::NoFeature)
        );
    }

    #[test]
    fn the_view_marks_user_choices_and_lists_dropped_columns() {
        let mut t = table();
        let at_load = |name: &str, role, kind, meaning, kept| ColumnMapping {
            column: name.into(),
            source: format!(" {name}"),
            role,
            meaning,
            kind,
            kept,
            reason: "guessed".into(),
        };
        let ingested = vec![
            at_load(
                "src",
                Role::Ignore,
                ColumnKind::Categorical,
                Some(Meaning::SrcIp),
                true,
            ),
            at_load("flow_id", Role::Ignore, ColumnKind::Numeric, None, true),
            at_load("empty", Role::Ignore, ColumnKind::Numeric, None, false),
            at_load("bytes", Role::Feature, ColumnKind::Numeric, None, true),
            at_load("when", Role::Feature, ColumnKind::Categorical, None, true),
        ];
        remap(&mut t, &[("flow_id".into(), ColumnUse::NumericFeature)]).unwrap();
        let v = mapping_view(&t, &ingested, "CSV (comma), generic");
        assert_eq!(v.columns.len(), 5);
        assert_eq!(v.columns[0].reason, "guessed");
        assert_eq!(v.columns[0].source, " src");
        assert_eq!(v.columns[1].current, ColumnUse::NumericFeature);
        assert!(v.columns[1].reason.starts_with("set by you"));
        assert!(!v.columns[2].kept);
        let generated = mapping_view(&t, &[], "generated");
        assert_eq!(generated.columns.len(), 4);
    }

    #[test]
    fn ports_and_protocol_carry_their_meaning() {
        let mut t = table();
        remap(&mut t, &[("bytes".into(), ColumnUse::DstPort)]).unwrap();
        assert_eq!(t.columns[2].meaning, Some(Meaning::DstPort));
        assert_eq!(ColumnUse::of_column(&t.columns[2]), ColumnUse::DstPort);
    }
}
