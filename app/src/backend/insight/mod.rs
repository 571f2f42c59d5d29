//! Customer insight: the rules applied in SQL (`rules`), the settings row
//! (`settings`). See `types::insight` for the pure form of each rule.
pub mod dash_filter;
pub mod dash_sources;
pub mod dormancy;
pub mod drill;
pub mod indicators;
pub mod recommend;
pub mod rules;
pub mod settings;
pub mod snapshot;
pub mod workspace;

pub use rules::Cutoffs;
