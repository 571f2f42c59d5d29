//! Reusable view pieces.
pub mod form;
pub mod language;
pub mod layout;
pub mod session_timer;
