//! Reusable view pieces.
pub mod language;
pub mod layout;
