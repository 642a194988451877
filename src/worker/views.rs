//! The `Views` request: the data behind the analysis charts of the last run, computed by
//! [`analysis::views`](crate::analysis::views) from the current data set and the last trained
//! ensemble (its preprocessor rebuilds the model input for the PCA).

use crate::worker::protocol::{ResponseBody, WorkerError};
use crate::worker::runtime::{failure, with_state};

/// Answers `Views` for the last run.
pub(crate) fn views() -> Result<ResponseBody, WorkerError> {
    with_state(|s| {
        let table = s
            .table
            .as_ref()
            .ok_or_else(|| failure("no data loaded: load the sample data or a file first"))?;
        let (model, result) = s
            .last
            .as_ref()
            .ok_or_else(|| failure("no result yet: train first, then the charts follow"))?;
        let views = crate::analysis::views::compute(table, &model.preprocessor, result)?;
        Ok(ResponseBody::Views(Box::new(views)))
    })
}
