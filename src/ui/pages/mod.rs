//! The app's pages, one per tab ([`crate::ui::state::Page`]). Each page owns its layout; the
//! components it uses live in [`crate::ui::components`].

pub mod analyze;
pub mod anomalies;
pub mod history;
pub mod live;
pub mod network;

pub use analyze::AnalyzePage;
pub use anomalies::AnomaliesPage;
pub use history::HistoryPage;
pub use live::LivePage;
pub use network::NetworkPage;
