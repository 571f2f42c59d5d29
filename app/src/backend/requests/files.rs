//! Files attached to service requests: PDF, PNG or JPEG, at most 5 MB.
//!
//! The type is decided by the content's signature, never by the name or the
//! browser's declared type; a name whose extension says otherwise is refused too
//! (a file that lies about its type is refused, not renamed). The content is
//! stored with its SHA-256, and the same content sent twice to one request by the
//! same person is stored once (a resent form attaches nothing new).
//!
//! Customers reach a file only through their own request; staff through their
//! role, and every staff upload and download is audited.
use super::{find_request, lock_request};
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::auth::{CustomerChange, CustomerRead, StaffActor};
use crate::backend::AppState;
use crate::error::{AppError, ErrorCode};
use crate::types::{RequestRef, Timestamp};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// The largest file accepted, in bytes (the schema's CHECK says the same).
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// The most files one request may carry: enough for receipts and photos, not a store.
pub const MAX_FILES_PER_REQUEST: i64 = 20;
/// The longest stored file name, in characters.
const MAX_NAME_CHARS: usize = 120;

/// Audit event names.
pub mod events {
    pub const FILE_ATTACHED: &str = "service_request_file_attached";
    pub const FILE_DOWNLOADED: &str = "service_request_file_downloaded";
}

/// Who sends a file: a customer changing their own request, or staff.
#[derive(Clone, Copy, Debug)]
pub enum Uploader {
    Customer(CustomerChange),
    Staff(StaffActor),
}

/// Who fetches a file: a customer reading their own request, or staff.
#[derive(Clone, Copy, Debug)]
pub enum FileUser {
    Customer(CustomerRead),
    Staff(StaffActor),
}

/// A stored file, ready to send.
pub struct StoredFile {
    pub name: String,
    pub content_type: &'static str,
    pub content: Vec<u8>,
}

/// The allowed type of `content`, judged by its first bytes only.
pub fn sniff(content: &[u8]) -> Option<&'static str> {
    if content.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if content.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Whether the name's extension (if it has a known one) agrees with the content type.
fn name_agrees(name: &str, content_type: &str) -> bool {
    let extension = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    match content_type {
        "application/pdf" => extension == "pdf",
        "image/png" => extension == "png",
        "image/jpeg" => extension == "jpg" || extension == "jpeg",
        _ => false,
    }
}

/// The name as stored: the last path segment, without control characters, bounded.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last.chars().filter(|c| !c.is_control() && *c != '"').collect();
    let trimmed = cleaned.trim();
    if trimmed.chars().count() <= MAX_NAME_CHARS {
        return trimmed.to_owned();
    }
    // Keep the extension: it is part of what the type check reads.
    let extension = trimmed.rsplit_once('.').map(|(_, ext)| ext).unwrap_or("");
    let keep = MAX_NAME_CHARS.saturating_sub(extension.chars().count() + 1);
    format!("{}.{extension}", trimmed.chars().take(keep).collect::<String>())
}

/// Checks a file before anything is stored: size, then type by content and name.
pub fn check(name: &str, content: &[u8]) -> Result<&'static str, AppError> {
    if content.len() > MAX_FILE_BYTES {
        return Err(AppError { code: ErrorCode::FileTooLarge, field: Some("file".into()) });
    }
    if content.is_empty() || name.is_empty() {
        return Err(AppError::invalid("file"));
    }
    match sniff(content) {
        Some(content_type) if name_agrees(name, content_type) => Ok(content_type),
        _ => Err(AppError { code: ErrorCode::FileTypeNotAllowed, field: Some("file".into()) }),
    }
}

/// Attaches a file to a request the user may reach (a customer: their own, not
/// closed or withdrawn; staff: any open one). Returns the file's id.
pub async fn attach(
    state: &AppState,
    uploader: Uploader,
    reference: &RequestRef,
    name: &str,
    content: &[u8],
) -> Result<i64, AppError> {
    let name = clean_name(name);
    let content_type = check(&name, content)?;
    let hash = crate::backend::identity::totp::hex(&Sha256::digest(content));
    let now = state.clock.now();
    let (owner, author_kind, author_id, actor) = match uploader {
        Uploader::Customer(change) => {
            (Some(change.customer_id), "customer", change.customer_id, Actor::Customer(change.customer_id))
        }
        Uploader::Staff(staff) => (None, "staff", staff.staff_id, Actor::Staff(staff.staff_id)),
    };
    let mut tx = state.db.begin_write().await?;
    let row = lock_request(&mut tx, state.db.backend(), reference, owner).await?;
    if row.status.is_final() {
        return Err(AppError::new(ErrorCode::WrongState));
    }
    let same: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM service_request_files WHERE request_id = $1 AND sha256 = $2 AND author_kind = $3 AND author_id = $4",
    )
    .bind(row.id)
    .bind(&hash)
    .bind(author_kind)
    .bind(author_id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = same {
        return Ok(id);
    }
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM service_request_files WHERE request_id = $1")
        .bind(row.id)
        .fetch_one(&mut *tx)
        .await?;
    if count >= MAX_FILES_PER_REQUEST {
        return Err(AppError::invalid("file"));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO service_request_files (request_id, author_kind, author_id, file_name, content_type, size_bytes, \
           sha256, content, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(row.id)
    .bind(author_kind)
    .bind(author_id)
    .bind(&name)
    .bind(content_type)
    .bind(i64::try_from(content.len()).unwrap_or(i64::MAX))
    .bind(&hash)
    .bind(content.to_vec())
    .bind(now.micros())
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE service_requests SET updated_at = $1 WHERE id = $2")
        .bind(now.micros())
        .bind(row.id)
        .execute(&mut *tx)
        .await?;
    let detail =
        serde_json::json!({ "reference": reference.as_str(), "file_id": id, "sha256": hash, "bytes": content.len() });
    record(&mut tx, state, actor, row.customer_id, events::FILE_ATTACHED, detail, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A file of a request the user may reach; another customer's answers `not_found`.
pub async fn fetch(
    state: &AppState,
    user: FileUser,
    reference: &RequestRef,
    file_id: i64,
) -> Result<StoredFile, AppError> {
    let owner = match user {
        FileUser::Customer(read) => Some(read.customer_id),
        FileUser::Staff(_) => None,
    };
    let request = find_request(state, reference, owner).await?;
    let row = sqlx::query(
        "SELECT file_name, content_type, content FROM service_request_files WHERE id = $1 AND request_id = $2",
    )
    .bind(file_id)
    .bind(request.id)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or(AppError::new(ErrorCode::NotFound))?;
    let stored: String = row.try_get("content_type")?;
    let content_type = ["application/pdf", "image/png", "image/jpeg"]
        .into_iter()
        .find(|t| *t == stored)
        .ok_or(AppError::new(ErrorCode::Internal))?;
    if let FileUser::Staff(staff) = user {
        let now = state.clock.now();
        let mut tx = state.db.begin_write().await?;
        let detail = serde_json::json!({ "reference": reference.as_str(), "file_id": file_id });
        record(&mut tx, state, Actor::Staff(staff.staff_id), request.customer_id, events::FILE_DOWNLOADED, detail, now)
            .await?;
        tx.commit().await?;
    }
    Ok(StoredFile { name: row.try_get("file_name")?, content_type, content: row.try_get("content")? })
}

async fn record(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    state: &AppState,
    actor: Actor,
    customer_id: i64,
    event: &str,
    detail: serde_json::Value,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let event = AuditEvent { actor, customer_id: Some(customer_id), event, detail, origin: "" };
    audit::record(tx, state.db.backend(), now, &event).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];

    #[test]
    fn types_are_judged_by_content_and_the_name_must_agree() {
        assert_eq!(check("a.pdf", b"%PDF-1.7 ..."), Ok("application/pdf"));
        assert_eq!(check("photo.PNG", PNG), Ok("image/png"));
        assert_eq!(check("x.jpeg", &[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        assert_eq!(check("x.jpg", &[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        for (name, content) in [
            ("invoice.pdf", b"<html><script>".as_slice()),
            ("invoice.pdf", PNG),
            ("photo.png", b"%PDF-1.4"),
            ("run.exe", b"MZ\x90\x00"),
            ("notes.txt", b"%PDF-1.4"),
            ("noextension", PNG),
        ] {
            assert_eq!(check(name, content).unwrap_err().code, ErrorCode::FileTypeNotAllowed, "{name}");
        }
    }

    #[test]
    fn size_is_bounded_at_five_megabytes() {
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_FILE_BYTES, b' ');
        assert!(check("a.pdf", &big).is_ok(), "exactly 5 MB is accepted");
        big.push(b' ');
        assert_eq!(check("a.pdf", &big).unwrap_err().code, ErrorCode::FileTooLarge);
        assert_eq!(check("a.pdf", b"").unwrap_err().code, ErrorCode::BadRequest);
    }

    #[test]
    fn names_lose_paths_and_control_characters_but_keep_the_extension() {
        assert_eq!(clean_name("C:\\Users\\me\\receipt.pdf"), "receipt.pdf");
        assert_eq!(clean_name("../../etc/passwd.png"), "passwd.png");
        assert_eq!(clean_name("a\u{0}b\"c.pdf"), "abc.pdf");
        let long = format!("{}.jpeg", "字".repeat(200));
        let cleaned = clean_name(&long);
        assert_eq!(cleaned.chars().count(), MAX_NAME_CHARS);
        assert!(cleaned.ends_with(".jpeg"));
    }
}
