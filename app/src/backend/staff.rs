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
    #[error("password hashing failed")]
    Hashing,
    #[error("the name must be 1 to 64 characters")]
    BadName,
    #[error("no branch with code {0}")]
    UnknownBranch(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A created staff member: the number and the one-time initial password to hand
/// over (it is stored only as a hash).
#[derive(Debug)]
pub struct CreatedStaff {
    pub staff_no: String,
    pub initial_password: String,
}

/// An initial password: 20 characters from an alphabet without look-alikes.
fn initial_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let chars: Vec<char> = (0..20).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect();
    chars.chunks(5).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// Creates a staff member with a log-in (username: the staff number in lower case)
/// and an initial password; the authenticator is set up at the first log-in.
pub async fn create(
    db: &Db,
    clock: &dyn Clock,
    hasher: &super::identity::password::PasswordHasher,
    new: &NewStaff,
) -> Result<CreatedStaff, CreateStaffError> {
    let name = new.full_name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(CreateStaffError::BadName);
    }
    let branch_id = branches::id_by_code(db, &new.branch_code)
        .await?
        .ok_or_else(|| CreateStaffError::UnknownBranch(new.branch_code.clone()))?;
    let password = initial_password();
    let hash = hasher.hash(&password).await.map_err(|_| CreateStaffError::Hashing)?;
    let mut tx = db.begin_write().await?;
    let next: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM staff").fetch_one(&mut *tx).await?;
    let staff_no = format!("S{next:05}");
    let now = clock.now().micros();
    let staff_id: i64 = sqlx::query_scalar(
        "INSERT INTO staff (staff_no, full_name, role, branch_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&staff_no)
    .bind(name)
    .bind(new.role.as_str())
    .bind(branch_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO credentials (principal_kind, principal_id, username, password_hash, created_at, updated_at) \
         VALUES ('staff', $1, $2, $3, $4, $4)",
    )
    .bind(staff_id)
    .bind(staff_no.to_ascii_lowercase())
    .bind(&hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(CreatedStaff { staff_no, initial_password: password })
}
