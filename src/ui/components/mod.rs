//! The page's components, one concept per file.

pub mod analysis;
pub mod anomalies;
pub mod bench_panel;
pub mod data_panel;
pub mod error_banner;
pub mod header;
pub mod history;
pub mod mapping;
pub mod page_tabs;
pub mod params_form;
pub mod results;
pub mod train_panel;

pub use analysis::AnalysisCharts;
pub use bench_panel::BenchPanel;
pub use data_panel::{DataOverview, DataSource};
pub use error_banner::ErrorBanner;
pub use header::Header;
pub use mapping::MappingPanel;
pub use page_tabs::PageTabs;
pub use results::Results;
pub use train_panel::{ProgressBar, TrainPanel};
pub mod score_threshold;
pub use score_threshold::ScoreThreshold;
pub mod live;
pub mod network;
