//! Routes: one module per page.
pub mod landing;
pub mod not_found;
