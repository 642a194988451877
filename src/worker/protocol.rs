//! Worker message protocol (to be written).
