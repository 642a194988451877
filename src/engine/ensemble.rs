//! ensemble (to be implemented).
