//! Routes: one module per page.
pub mod accounts;
pub mod advisor;
pub mod consultations;
pub mod deposits;
pub mod dev_outbox;
pub mod enroll;
pub mod forgot;
pub mod impersonation;
pub mod inquiries;
pub mod landing;
pub mod login;
pub mod not_found;
pub mod notifications;
pub mod requests;
pub mod security;
pub mod staff;
pub mod transfer;
