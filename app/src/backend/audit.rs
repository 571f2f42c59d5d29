//! The security audit trail: who did what to whose account, when, and from where.
//!
//! Why a hash chain: the log is evidence, for the bank and for its customers, so it
//! must show when it has been tampered with, even by someone with full database
//! access. Each row stores the hash of the row before it (`prev_hash`) and its own
//! `hash = SHA-256(prev_hash, content)`. Changing any column of any row, removing a
//! row or inserting one in the middle breaks the chain at that point, which
//! [`verify_chain`] (and `server verify-audit`) reports.
//!
//! Why triggers as well: the database itself refuses UPDATE, DELETE (and on
//! PostgreSQL TRUNCATE) of `audit_log` (migrations `0003_audit.sql`), so no bug in
//! the application can rewrite history; the chain then catches whoever drops the
//! triggers. Someone who rewrites every row after the one they altered, and
//! `audit_head` too, can hide it: only a copy of the head hash kept elsewhere (a
//! report, a ticket) defends against that.
//!
//! Why `audit_head`: appends must be serialized or two writers would both chain to
//! the same predecessor. Every writer reads the one row of `audit_head` (locked with
//! `FOR UPDATE` on PostgreSQL; on SQLite `BEGIN IMMEDIATE` already serializes
//! writers), chains to it and replaces it. It also anchors the tail: rows removed
//! from the end leave `audit_head` pointing at a hash no row has. A unique index on
//! `prev_hash` makes a fork impossible even for a writer that skipped the lock.
//!
//! Why the caller's transaction: an event must commit together with the change it
//! describes (no "password changed" without the change, and no change without its
//! event). Call [`record`] as the *last* statement of the transaction: it takes the
//! global head lock, so taking it last keeps it short and out of every lock cycle.
use super::{Backend, Db};
use crate::types::Timestamp;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};
use std::fmt;

/// The `prev_hash` of the first row: 64 zeros (a SHA-256 no content produces).
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The most rows [`events_for_customer`] returns, whatever the caller asks.
pub const MAX_ENTRIES: i64 = 500;

/// Rows per query when verifying: bounded memory on logs of millions of rows.
const VERIFY_BATCH: i64 = 1000;

/// Longest origin kept: it comes from request headers, so it is bounded and cleaned.
const MAX_ORIGIN_CHARS: usize = 100;

/// What replaces a secret-looking value in the detail (see [`secret_findings`]).
pub const REDACTED: &str = "[redacted]";

/// Version tag of the canonical encoding, hashed into every row, so that a future
/// encoding can never produce the same bytes as this one.
const ENCODING_TAG: &[u8] = b"portal-audit-v1";

/// Event names. They are stored for ever and customers see them (translated), so
/// they are stable snake_case strings: add new ones, never rename.
pub mod events {
    /// A principal logged in (password, and the second factor if enrolled).
    pub const LOGIN_SUCCEEDED: &str = "login_succeeded";
    /// A log-in attempt failed (wrong password or code; unknown usernames are
    /// recorded with an anonymous actor and no customer).
    pub const LOGIN_FAILED: &str = "login_failed";
    /// Too many failures: the credential is locked for a while.
    pub const ACCOUNT_LOCKED: &str = "account_locked";
    /// A customer activated online banking.
    pub const ENROLLED: &str = "enrolled";
    /// The password was changed by its owner (knowing the old one).
    pub const PASSWORD_CHANGED: &str = "password_changed";
    /// The password was reset through a code sent to the phone on file.
    pub const PASSWORD_RESET: &str = "password_reset";
    /// The TOTP second factor was enrolled.
    pub const TOTP_ENABLED: &str = "totp_enabled";
    /// The TOTP second factor was removed.
    pub const TOTP_DISABLED: &str = "totp_disabled";
    /// A one-time recovery code was spent instead of a TOTP code.
    pub const RECOVERY_CODE_USED: &str = "recovery_code_used";
    /// A session was ended other than by its own log-out ("end all other sessions",
    /// expiry, a staff action).
    pub const SESSION_ENDED: &str = "session_ended";
    /// The principal logged out of the current session.
    pub const LOGGED_OUT: &str = "logged_out";
    /// A customer saved a new payee (it then needs no step-up for later transfers).
    pub const PAYEE_ADDED: &str = "payee_added";
}

/// Who acted. Ids are `customers.id` or `staff.id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Customer(i64),
    Staff(i64),
    /// The portal itself (scheduled jobs, expiry).
    System,
    /// Someone not (yet) identified, such as a failed log-in for an unknown name.
    Anonymous,
}

impl Actor {
    pub const fn kind(self) -> ActorKind {
        match self {
            Actor::Customer(_) => ActorKind::Customer,
            Actor::Staff(_) => ActorKind::Staff,
            Actor::System => ActorKind::System,
            Actor::Anonymous => ActorKind::Anonymous,
        }
    }

    pub const fn id(self) -> Option<i64> {
        match self {
            Actor::Customer(id) | Actor::Staff(id) => Some(id),
            Actor::System | Actor::Anonymous => None,
        }
    }
}

/// The `actor_kind` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Customer,
    Staff,
    System,
    Anonymous,
}

impl ActorKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            ActorKind::Customer => "customer",
            ActorKind::Staff => "staff",
            ActorKind::System => "system",
            ActorKind::Anonymous => "anonymous",
        }
    }

    pub fn parse(s: &str) -> Option<ActorKind> {
        match s {
            "customer" => Some(ActorKind::Customer),
            "staff" => Some(ActorKind::Staff),
            "system" => Some(ActorKind::System),
            "anonymous" => Some(ActorKind::Anonymous),
            _ => None,
        }
    }
}

/// One event to record.
#[derive(Clone, Debug)]
pub struct AuditEvent<'a> {
    pub actor: Actor,
    /// The customer concerned, whose history will show the event. For a customer's
    /// own action it may be left `None`: the actor is the customer concerned.
    pub customer_id: Option<i64>,
    /// A stable snake_case name, one of [`events`].
    pub event: &'a str,
    /// Facts worth keeping, as JSON; `Value::Null` stores an empty detail. Never a
    /// password, code, token or full card number: see [`secret_findings`].
    pub detail: Value,
    /// Approximate origin of the request (e.g. a truncated IP address); may be "".
    pub origin: &'a str,
}

/// What a customer sees of one of their security events.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: Timestamp,
    pub actor_kind: ActorKind,
    pub event: String,
    pub origin: String,
}

/// Where and why the chain is broken: the first bad row.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("audit log broken at row {id}: {reason}")]
pub struct ChainBreak {
    /// The first row that does not verify; for a missing tail, one past the last row.
    pub id: i64,
    pub reason: BreakReason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakReason {
    /// The row's stored hash does not match its content: the row was altered.
    ContentAltered,
    /// The row's `prev_hash` is not the previous row's hash: a row before it was
    /// removed, inserted or rewritten.
    LinkBroken,
    /// `audit_head` names a hash no row has: rows were removed from the end (or the
    /// last row was rewritten with a fresh hash), or `audit_head` itself is missing.
    TailMissing,
}

impl fmt::Display for BreakReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BreakReason::ContentAltered => "its stored hash does not match its content (the row was altered)",
            BreakReason::LinkBroken => {
                "its prev_hash is not the previous row's hash (a row before it was removed, inserted or rewritten)"
            }
            BreakReason::TailMissing => {
                "audit_head matches no row (rows were removed from the end, or the last row was rewritten)"
            }
        })
    }
}

/// Why [`verify_chain`] failed: a broken chain, or a database that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Broken(#[from] ChainBreak),
    #[error("cannot read the audit log: {0}")]
    Database(#[from] sqlx::Error),
}

const HEAD_SQLITE: &str = "SELECT last_hash FROM audit_head WHERE id = 1";
/// `FOR UPDATE` is PostgreSQL only; SQLite's `BEGIN IMMEDIATE` is its lock.
const HEAD_POSTGRES: &str = "SELECT last_hash FROM audit_head WHERE id = 1 FOR UPDATE";

/// Appends `event` to the chain inside `tx`, the write transaction (from
/// `Db::begin_write`) in which the audited change happens, and returns the new row's
/// id. Call it last in the transaction (see the module documentation).
///
/// A detail that looks secret is a bug: debug builds panic, release builds store
/// the detail with those values replaced by [`REDACTED`] and log an error, because
/// a secret written here could never be removed.
pub async fn record(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    at: Timestamp,
    event: &AuditEvent<'_>,
) -> Result<i64, sqlx::Error> {
    debug_assert!(is_event_name(event.event), "audit event names are snake_case, got {:?}", event.event);
    let mut findings = Vec::new();
    let scrubbed = scrub(&event.detail, "$", &mut findings);
    debug_assert!(findings.is_empty(), "audit detail of {} holds secret-looking values at {findings:?}", event.event);
    if !findings.is_empty() {
        tracing::error!(event = event.event, paths = ?findings, "secret-looking audit detail redacted");
    }
    let detail = match scrubbed {
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let origin = clean_origin(event.origin);
    let customer_id = event.customer_id.or(match event.actor {
        Actor::Customer(id) => Some(id),
        _ => None,
    });
    let content = Content {
        at: at.micros(),
        actor_kind: event.actor.kind().as_str(),
        actor_id: event.actor.id(),
        customer_id,
        event: event.event,
        detail: &detail,
        origin: &origin,
    };

    let head = match backend {
        Backend::Sqlite => HEAD_SQLITE,
        Backend::Postgres => HEAD_POSTGRES,
    };
    let prev_hash: String = sqlx::query_scalar(head).fetch_one(&mut **tx).await?;
    let hash = chain_hash(&prev_hash, &content);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO audit_log (at, actor_kind, actor_id, customer_id, event, detail, origin, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(content.at)
    .bind(content.actor_kind)
    .bind(content.actor_id)
    .bind(content.customer_id)
    .bind(content.event)
    .bind(content.detail)
    .bind(content.origin)
    .bind(&prev_hash)
    .bind(&hash)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1").bind(&hash).execute(&mut **tx).await?;
    Ok(id)
}

/// Records `event` in a transaction of its own: for events that accompany no change
/// (a failed log-in, a log-out).
pub async fn record_now(db: &Db, at: Timestamp, event: &AuditEvent<'_>) -> Result<i64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let id = record(&mut tx, db.backend(), at, event).await?;
    tx.commit().await?;
    Ok(id)
}

/// A row as the verifier reads it.
type StoredRow = (i64, i64, String, Option<i64>, Option<i64>, String, String, String, String, String);

/// Walks the whole log in id order, `VERIFY_BATCH` rows per query (keyset
/// pagination, so memory stays flat on millions of rows), recomputing every hash
/// and checking every link; returns how many rows were checked, or the first bad row.
///
/// Safe while the portal writes: the head is read first, and the walk only has to
/// meet a row carrying that hash; rows appended meanwhile are checked as well.
pub async fn verify_chain(db: &Db) -> Result<u64, VerifyError> {
    let head: Option<String> = sqlx::query_scalar(HEAD_SQLITE).fetch_optional(db.pool()).await?;
    let mut head_seen = head.as_deref() == Some(GENESIS_HASH);
    let mut expected_prev = GENESIS_HASH.to_owned();
    let mut last_id = 0_i64;
    let mut checked = 0_u64;
    loop {
        let batch: Vec<StoredRow> = sqlx::query_as(
            "SELECT id, at, actor_kind, actor_id, customer_id, event, detail, origin, prev_hash, hash \
             FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(last_id)
        .bind(VERIFY_BATCH)
        .fetch_all(db.pool())
        .await?;
        if batch.is_empty() {
            break;
        }
        for (id, at, actor_kind, actor_id, customer_id, event, detail, origin, prev_hash, hash) in batch {
            if prev_hash != expected_prev {
                return Err(ChainBreak { id, reason: BreakReason::LinkBroken }.into());
            }
            let content = Content {
                at,
                actor_kind: &actor_kind,
                actor_id,
                customer_id,
                event: &event,
                detail: &detail,
                origin: &origin,
            };
            if chain_hash(&prev_hash, &content) != hash {
                return Err(ChainBreak { id, reason: BreakReason::ContentAltered }.into());
            }
            head_seen = head_seen || head.as_deref() == Some(hash.as_str());
            expected_prev = hash;
            last_id = id;
            checked += 1;
        }
    }
    if !head_seen {
        return Err(ChainBreak { id: last_id.saturating_add(1), reason: BreakReason::TailMissing }.into());
    }
    Ok(checked)
}

/// A customer's own security events, newest first, at most `limit` (capped at
/// [`MAX_ENTRIES`]). Only what the customer may see: no detail, no staff ids.
///
/// Each request made while staff viewed the account is left out: the viewing
/// itself (start, end) is listed, and the staff-access history summarises it.
pub async fn events_for_customer(db: &Db, customer_id: i64, limit: i64) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT id, at, actor_kind, event, origin FROM audit_log WHERE customer_id = $1 \
         AND event <> 'impersonation_request' ORDER BY id DESC LIMIT $2",
    )
    .bind(customer_id)
    .bind(limit.clamp(0, MAX_ENTRIES))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, at, actor_kind, event, origin)| {
            let actor_kind = ActorKind::parse(&actor_kind)
                .ok_or_else(|| sqlx::Error::Decode(format!("unknown audit actor_kind {actor_kind:?}").into()))?;
            Ok(AuditEntry { id, at: Timestamp::from_micros(at), actor_kind, event, origin })
        })
        .collect()
}

/// The hashed content of a row: every column but `id` (assigned by the database
/// after the hash is computed; order is already fixed by the links) and `hash`.
struct Content<'a> {
    at: i64,
    actor_kind: &'a str,
    actor_id: Option<i64>,
    customer_id: Option<i64>,
    event: &'a str,
    detail: &'a str,
    origin: &'a str,
}

/// `hex(SHA-256(encoding))`, lowercase, where the encoding is, in order:
/// `prev_hash` as text, the tag `portal-audit-v1` (raw), `at` (8 bytes big-endian,
/// two's complement), `actor_kind` as text, `actor_id` and `customer_id` as
/// optional integers, then `event`, `detail` and `origin` as text. Text is its UTF-8
/// length (8 bytes big-endian) followed by its bytes; an optional integer is the
/// byte 0 for NULL, or the byte 1 followed by 8 bytes big-endian. Length prefixes
/// make the encoding unambiguous: no two different rows give the same bytes, so
/// moving text from one column to the next changes the hash. Documented byte by
/// byte so that an auditor can check an export with a tool of their own.
fn chain_hash(prev_hash: &str, row: &Content<'_>) -> String {
    fn text(hasher: &mut Sha256, value: &str) {
        hasher.update((value.len() as u64).to_be_bytes());
        hasher.update(value.as_bytes());
    }
    fn optional(hasher: &mut Sha256, value: Option<i64>) {
        match value {
            None => hasher.update([0_u8]),
            Some(n) => {
                hasher.update([1_u8]);
                hasher.update(n.to_be_bytes());
            }
        }
    }
    let mut hasher = Sha256::new();
    text(&mut hasher, prev_hash);
    hasher.update(ENCODING_TAG);
    hasher.update(row.at.to_be_bytes());
    text(&mut hasher, row.actor_kind);
    optional(&mut hasher, row.actor_id);
    optional(&mut hasher, row.customer_id);
    text(&mut hasher, row.event);
    text(&mut hasher, row.detail);
    text(&mut hasher, row.origin);
    format!("{:x}", hasher.finalize())
}

/// Is `name` a stable snake_case event name (`login_failed`)?
fn is_event_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The origin as stored: control characters dropped (it comes from request
/// headers, and the log is read by people and tools), at most `MAX_ORIGIN_CHARS`.
fn clean_origin(origin: &str) -> String {
    origin.chars().filter(|c| !c.is_control()).take(MAX_ORIGIN_CHARS).collect()
}

/// Words that make a detail key name a secret.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "passcode",
    "secret",
    "token",
    "code",
    "otp",
    "pin",
    "cvv",
    "cvc",
    "pan",
    "cookie",
];

/// A last word saying the key is *about* a secret, not the secret itself:
/// `password_changed_at`, `recovery_codes_remaining`, `token_id`.
const ABOUT_WORDS: &[&str] = &[
    "id",
    "count",
    "remaining",
    "left",
    "at",
    "enabled",
    "used",
    "kind",
    "type",
    "length",
    "attempt",
    "purpose",
    "changed",
    "expires",
    "expired",
    "sent",
];

/// Words before `code` that make it a public name: `branch_code`, `error_code`.
const PUBLIC_CODE_QUALIFIERS: &[&str] = &["branch", "product", "error", "currency", "country", "status", "reason"];

/// The JSON paths (`$.a.b`, `$.list[2]`) in `detail` that look like secrets; empty
/// when the detail is fit for the audit log, which can never be cleaned afterwards.
///
/// The rules, deliberately strict (a false alarm costs a renamed key; a miss leaks a
/// secret for ever):
/// - a key is split into words (at `_`, `-`, `.`, spaces and camelCase humps;
///   plurals count as singular); it names a secret when a word is one of password,
///   passwd, pwd, passphrase, passcode, secret, token, code, otp, pin, cvv, cvc, pan,
///   cookie, or when it holds both `card` and `number`/`no`/`num`; its whole value
///   is then refused, whatever its type;
/// - except when the last word says the key is about the secret (`…_id`, `…_count`,
///   `…_remaining`, `…_at`, `…_enabled`, `…_used`, `…_attempts`…), or the word is
///   `code` after a public qualifier (`branch_code`, `product_code`, `error_code`…);
/// - a string of 13 to 19 digits (spaces and dashes allowed) that passes the Luhn
///   check is refused anywhere as a full card number; masked numbers
///   (`6222 **** **** 1234`) pass.
pub fn secret_findings(detail: &Value) -> Vec<String> {
    let mut findings = Vec::new();
    scrub(detail, "$", &mut findings);
    findings
}

/// `detail` with every value [`secret_findings`] would name replaced by
/// [`REDACTED`]; the paths found are pushed onto `findings`.
fn scrub(value: &Value, path: &str, findings: &mut Vec<String>) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, inner)| {
                    let inner_path = format!("{path}.{key}");
                    if is_secret_key(key) {
                        findings.push(inner_path);
                        (key.clone(), Value::String(REDACTED.to_owned()))
                    } else {
                        (key.clone(), scrub(inner, &inner_path, findings))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items.iter().enumerate().map(|(i, item)| scrub(item, &format!("{path}[{i}]"), findings)).collect(),
        ),
        Value::String(s) if looks_like_card_number(s) => {
            findings.push(path.to_owned());
            Value::String(REDACTED.to_owned())
        }
        other => other.clone(),
    }
}

fn is_secret_key(key: &str) -> bool {
    let words = key_words(key);
    if words.last().is_some_and(|last| in_list(last, ABOUT_WORDS)) {
        return false;
    }
    let has = |w: &str| words.iter().any(|word| word == w);
    if has("card") && (has("number") || has("no") || has("num")) {
        return true;
    }
    words.iter().enumerate().any(|(i, word)| {
        in_list(word, SECRET_WORDS)
            && !(in_list(word, &["code"]) && i > 0 && in_list(&words[i - 1], PUBLIC_CODE_QUALIFIERS))
    })
}

/// Is `word`, or its singular (`codes` → `code`), in `list`?
fn in_list(word: &str, list: &[&str]) -> bool {
    list.contains(&word) || word.strip_suffix('s').is_some_and(|singular| list.contains(&singular))
}

/// The lowercase words of a key: `newPassword` → new, password; `totp-secret` →
/// totp, secret.
fn key_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        if !c.is_alphanumeric() {
            words.push(std::mem::take(&mut current));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    words.push(current);
    words.retain(|w| !w.is_empty());
    words
}

/// 13 to 19 digits (spaces and dashes between them allowed) passing the Luhn check.
fn looks_like_card_number(s: &str) -> bool {
    if !s.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-') {
        return false;
    }
    let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    crate::types::card::luhn_valid(&digits)
}

#[cfg(test)]
mod tests;
