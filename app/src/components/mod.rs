//! Reusable view pieces.
pub mod chart;
pub mod form;
pub mod identify;
pub mod language;
pub mod layout;
pub mod session_timer;
