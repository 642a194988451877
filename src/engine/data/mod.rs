//! The in-memory data set: typed columns with roles.
//!
//! A column's [`Values`] say what it holds (numbers or categories); its [`Role`] says what the
//! models do with it (feature, label, timestamp, or nothing); its [`Meaning`] says what the
//! network views do with it (source IP, destination port, …). An IP column, for example, has role
//! `Ignore` and meaning `SrcIp`: never a model input, always an endpoint.
//!
//! | file | job |
//! |---|---|
//! | [`table`] | [`Table`], [`Column`], [`Role`], [`Meaning`], normal labels |
//! | [`values`] | [`Values`] (a column's cells) and [`CategoricalBuilder`] |
//! | [`summary`] | [`ColumnSummary`] and [`summarize`]: the data page's statistics |

mod summary;
mod table;
mod values;

pub use summary::{summarize, ColumnKind, ColumnSummary, EXACT_DISTINCT};
pub use table::{is_normal_label, Column, Meaning, Role, Table, TableError, NORMAL_LABELS};
pub use values::{CategoricalBuilder, LevelHasher, Values, MISSING_CODE};
