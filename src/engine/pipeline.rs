//! pipeline (to be implemented).
