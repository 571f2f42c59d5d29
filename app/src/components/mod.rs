//! Reusable view pieces.
pub mod form;
pub mod language;
pub mod layout;
