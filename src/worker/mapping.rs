//! The column-mapping jobs (wasm only): show what each column of the current data set is used
//! for, and re-encode it with the user's choices ([`engine::mapping`](crate::engine::mapping)).

use crate::engine::mapping::{self, ColumnUse, MappingView};
use crate::worker::protocol::{DatasetSummary, WorkerError};
use crate::worker::runtime::with_state;

/// `RequestBody::Mapping`: the current mapping.
pub(crate) fn mapping() -> Result<MappingView, WorkerError> {
    with_state(|s| {
        Ok(mapping::mapping_view(
            s.table()?,
            &s.ingest_mapping,
            &s.format,
        ))
    })
}

/// `RequestBody::Remap`: applies the choices, drops the last result, answers the new summary and
/// mapping. A refused remap leaves the data set as it was.
pub(crate) fn remap(
    roles: &[(String, ColumnUse)],
) -> Result<Box<(DatasetSummary, MappingView)>, WorkerError> {
    with_state(|s| {
        let table = s.table.as_mut().ok_or(WorkerError::NoData)?;
        let report = mapping::remap(table, roles)?;
        s.last = None;
        let mut warnings = report.warnings;
        if !report.changed.is_empty() {
            warnings.insert(
                0,
                format!(
                    "Column mapping applied: {} changed",
                    report.changed.join(", ")
                ),
            );
        }
        let summary = DatasetSummary::of(table, s.name.clone(), s.format.clone(), warnings);
        let view = mapping::mapping_view(table, &s.ingest_mapping, &s.format);
        Ok(Box::new((summary, view)))
    })
}
