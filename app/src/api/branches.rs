//! Public information about outlets.
use crate::error::AppError;
use crate::types::Branch;
use leptos::prelude::*;

/// Every outlet, for the landing page. Public: no principal needed.
#[server(prefix = "/api", endpoint = "branches")]
pub async fn list_branches() -> Result<Vec<Branch>, AppError> {
    let state = crate::backend::use_state()?;
    Ok(crate::backend::branches::list(&state.db).await?)
}
