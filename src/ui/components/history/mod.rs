//! The History page's parts and the storage banner.

pub mod models;
pub mod runs;
pub mod storage_banner;

pub use models::ModelsPanel;
pub use runs::RunsPanel;
pub use storage_banner::StorageBanner;
