//! The Live page's components: controls and tick driver, counters, charts, feed and toast, and
//! the bounded view model they share.

pub mod charts;
pub mod controls;
pub mod feed;
pub mod model;

pub use charts::LiveCharts;
pub use controls::{LiveControls, LiveSettings};
pub use feed::{AlertsFeed, HighSeverityToast, LiveStats, RecentAnomalies};
pub use model::{LiveRun, LiveView};
