//! Reusable view pieces.
pub mod form;
pub mod identify;
pub mod language;
pub mod layout;
pub mod session_timer;
