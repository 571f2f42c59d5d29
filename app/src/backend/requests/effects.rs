//! What approving a request does to the customer's products and details.
//!
//! PLACEHOLDER BODY: the customer-side helper replaces it (signature is the contract).
use super::RequestRow;
use crate::backend::AppState;
use crate::error::AppError;
use crate::types::Timestamp;
use sqlx::{Any, Transaction};

/// Applies `row`'s effect as staff resolve it (a contact change takes effect and a
/// notice goes to the old channel too; a dormant account is reactivated; a
/// replacement card is issued), in the resolving transaction.
pub async fn apply_on_resolve(
    tx: &mut Transaction<'static, Any>,
    state: &AppState,
    row: &RequestRow,
    staff_id: i64,
    now: Timestamp,
) -> Result<(), AppError> {
    let _ = (tx, state, row, staff_id, now);
    Ok(())
}
