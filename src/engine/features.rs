//! features (to be implemented).
