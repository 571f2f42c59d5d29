//! Staff accounts.
use super::{branches, Clock, Db};
use crate::types::StaffRole;

/// A staff member to create, as typed on the command line.
#[derive(Clone, Debug)]
pub struct NewStaff {
    pub full_name: String,
    pub role: StaffRole,
    pub branch_code: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateStaffError {
    #[error("the name must be 1 to 64 characters")]
    BadName,
    #[error("no branch with code {0}")]
    UnknownBranch(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Creates a staff member and returns the staff number given to them.
pub async fn create(db: &Db, clock: &dyn Clock, new: &NewStaff) -> Result<String, CreateStaffError> {
    let name = new.full_name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(CreateStaffError::BadName);
    }
    let branch_id = branches::id_by_code(db, &new.branch_code)
        .await?
        .ok_or_else(|| CreateStaffError::UnknownBranch(new.branch_code.clone()))?;
    let mut tx = db.begin_write().await?;
    let next: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM staff").fetch_one(&mut *tx).await?;
    let staff_no = format!("S{next:05}");
    sqlx::query("INSERT INTO staff (staff_no, full_name, role, branch_id, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&staff_no)
        .bind(name)
        .bind(new.role.as_str())
        .bind(branch_id)
        .bind(clock.now().micros())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(staff_no)
}
