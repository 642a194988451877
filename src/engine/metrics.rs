//! metrics (to be implemented).
