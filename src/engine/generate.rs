//! generate (to be implemented).
