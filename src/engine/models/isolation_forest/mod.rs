//! Isolation Forest (Liu, Ting & Zhou 2008): random trees isolate anomalies in few splits.
//!
//! [`IsolationForestParams`] → fit → [`IsolationForest`]; see the model type for the algorithm.

mod model;
mod params;
mod tree;

pub use self::model::IsolationForest;
pub use self::params::{IsolationForestParams, MaxSamples};
pub use self::tree::average_path_length;
