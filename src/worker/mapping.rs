//! The column-mapping jobs (wasm only): show what each column of the current data set is used
//! for, and re-encode it with the user's choices ([`analysis::mapping`](crate::analysis::mapping)).

use crate::analysis::mapping::{self, ColumnUse};
use crate::worker::protocol::{ResponseBody, WorkerError};
use crate::worker::runtime::{dataset_summary, failure, with_state};

/// `RequestBody::Mapping`: the current mapping.
pub(crate) fn mapping() -> Result<ResponseBody, WorkerError> {
    with_state(|s| {
        let table = s
            .table
            .as_ref()
            .ok_or_else(|| failure("no data loaded: load the sample data or a file first"))?;
        Ok(ResponseBody::Mapping(mapping::mapping_view(
            table,
            &s.ingest_mapping,
            &s.format,
        )))
    })
}

/// `RequestBody::Remap`: applies the choices, drops the last result, answers the new summary and
/// mapping. A refused remap leaves the data set as it was.
pub(crate) fn remap(roles: &[(String, ColumnUse)]) -> Result<ResponseBody, WorkerError> {
    with_state(|s| {
        let table = s
            .table
            .as_mut()
            .ok_or_else(|| failure("no data loaded: load the sample data or a file first"))?;
        let report = mapping::remap(table, roles)
            .map_err(|e| failure(format!("Column mapping not applied: {e}.")))?;
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
        let summary = dataset_summary(table, s.name.clone(), s.format.clone(), warnings);
        let view = mapping::mapping_view(table, &s.ingest_mapping, &s.format);
        Ok(ResponseBody::Remapped(Box::new((summary, view))))
    })
}
