//! The `Views` request: the data behind the analysis charts of the last run, computed by
//! [`engine::views`](crate::engine::views) from the current data set and the last trained
//! ensemble (its preprocessor rebuilds the model input for the PCA).

use crate::engine::views::ResultViews;
use crate::worker::protocol::WorkerError;
use crate::worker::runtime::with_state;

/// Answers `Views` for the last run.
pub(crate) fn views() -> Result<Box<ResultViews>, WorkerError> {
    with_state(|s| {
        let table = s.table()?;
        let (model, result) = s.last()?;
        let views = crate::engine::views::compute(table, &model.preprocessor, result)?;
        Ok(Box::new(views))
    })
}
