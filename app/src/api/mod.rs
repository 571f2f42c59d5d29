//! Server functions, one module per area. Each is thin: authenticate, authorize,
//! validate, call one backend service, map the error.
pub mod accounts;
pub mod advisor;
pub mod booking;
pub mod branches;
pub mod console;
pub mod deposits;
pub mod identity;
pub mod impersonation;
pub mod impersonation_review;
pub mod inquiries;
pub mod insight;
pub mod recommend;
pub mod requests;
pub mod requests_sla;
pub mod requests_staff;
pub mod rm_workspace;
pub mod transfers;
