//! The list of a principal's sessions: what the customer sees under "active
//! sessions", and what "end this session" and "end all others" act on.
use crate::backend::AppState;
use crate::types::{SessionInfo, Timestamp};
use sqlx::Row;

/// Only write `last_seen_at` when it is older than this: one database write per
/// half minute of activity, not per request. Idle expiry may therefore come up to
/// this much early, never late.
pub const TOUCH_EVERY_SECONDS: i64 = 30;

/// Notes a new signed-in session.
pub async fn opened(
    state: &AppState,
    session_id: &str,
    credential_id: i64,
    user_agent: &str,
    origin: &str,
) -> Result<(), sqlx::Error> {
    let now = state.clock.now().micros();
    sqlx::query(
        "INSERT INTO session_index (session_id, credential_id, user_agent, origin, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(session_id)
    .bind(credential_id)
    .bind(user_agent.chars().take(300).collect::<String>())
    .bind(origin)
    .bind(now)
    .execute(state.db.pool())
    .await?;
    Ok(())
}

pub async fn touched(state: &AppState, session_id: &str, now: Timestamp) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE session_index SET last_seen_at = $1 WHERE session_id = $2 AND ended_at IS NULL")
        .bind(now.micros())
        .bind(session_id)
        .execute(state.db.pool())
        .await?;
    Ok(())
}

/// Marks a session ended and deletes its record, so its cookie opens nothing.
pub async fn end(state: &AppState, session_id: &str) -> Result<(), sqlx::Error> {
    let now = state.clock.now().micros();
    let mut tx = state.db.begin_write().await?;
    sqlx::query("UPDATE session_index SET ended_at = $1 WHERE session_id = $2 AND ended_at IS NULL")
        .bind(now)
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(session_id).execute(&mut *tx).await?;
    tx.commit().await
}

/// The live sessions of a credential, newest activity first.
pub async fn list(
    state: &AppState,
    credential_id: i64,
    current: Option<&str>,
) -> Result<Vec<SessionInfo>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT i.session_id, i.user_agent, i.origin, i.created_at, i.last_seen_at FROM session_index i \
         JOIN sessions s ON s.id = i.session_id \
         WHERE i.credential_id = $1 AND i.ended_at IS NULL ORDER BY i.last_seen_at DESC",
    )
    .bind(credential_id)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("session_id")?;
            let agent: String = row.try_get("user_agent")?;
            Ok(SessionInfo {
                handle: handle_of(&state.secret, &id),
                browser: describe_browser(&agent),
                origin: row.try_get("origin")?,
                created_at: Timestamp::from_micros(row.try_get("created_at")?),
                last_seen_at: Timestamp::from_micros(row.try_get("last_seen_at")?),
                last_seen_local: crate::backend::local_time(
                    state.zone,
                    Timestamp::from_micros(row.try_get("last_seen_at")?),
                ),
                current: current == Some(id.as_str()),
            })
        })
        .collect()
}

/// Ends the session of `credential_id` whose handle is `handle` (another
/// credential's handle finds nothing). Returns whether one was ended.
pub async fn end_by_handle(state: &AppState, credential_id: i64, handle: &str) -> Result<bool, sqlx::Error> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT session_id FROM session_index WHERE credential_id = $1 AND ended_at IS NULL")
            .bind(credential_id)
            .fetch_all(state.db.pool())
            .await?;
    match ids.into_iter().find(|id| handle_of(&state.secret, id) == handle) {
        Some(id) => end(state, &id).await.map(|()| true),
        None => Ok(false),
    }
}

/// Ends every session of `credential_id` except `keep`. Returns how many.
pub async fn end_all_except(state: &AppState, credential_id: i64, keep: Option<&str>) -> Result<usize, sqlx::Error> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT session_id FROM session_index WHERE credential_id = $1 AND ended_at IS NULL")
            .bind(credential_id)
            .fetch_all(state.db.pool())
            .await?;
    let mut ended = 0;
    for id in ids.iter().filter(|id| Some(id.as_str()) != keep) {
        end(state, id).await?;
        ended += 1;
    }
    Ok(ended)
}

/// Remembers the device a signed-in session came from; a device never seen for
/// this credential raises a notification ("a new device logged in"), so a customer
/// learns of a log-in that was not theirs.
pub async fn note_device(
    state: &AppState,
    credential_id: i64,
    customer_id: Option<i64>,
    user_agent: &str,
    origin: &str,
) -> Result<(), sqlx::Error> {
    let device = handle_of(&state.secret, &format!("device:{user_agent}"));
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO known_devices (credential_id, device_hash, first_seen_at) VALUES ($1, $2, $3)          ON CONFLICT DO NOTHING",
    )
    .bind(credential_id)
    .bind(&device)
    .bind(now.micros())
    .execute(&mut *tx)
    .await?;
    let first_ever: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM known_devices WHERE credential_id = $1")
        .bind(credential_id)
        .fetch_one(&mut *tx)
        .await?;
    // The very first device is the one the customer enrolled with: no alarm for it.
    if let (1, Some(customer_id), true) = (inserted.rows_affected(), customer_id, first_ever > 1) {
        let detail = format!("{} · {origin}", describe_browser(user_agent));
        crate::backend::notifications::notify(
            &mut tx,
            customer_id,
            crate::backend::notifications::NEW_DEVICE_LOGIN,
            &detail,
            now,
        )
        .await?;
    }
    tx.commit().await
}

/// A stable, non-reversible name for a session id.
fn handle_of(secret: &[u8], session_id: &str) -> String {
    use hmac::{Hmac, Mac};
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(b"session-handle");
    mac.update(session_id.as_bytes());
    mac.finalize().into_bytes().iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// "Chrome on Android", "Safari on iPhone"…: enough to recognise a device.
pub fn describe_browser(user_agent: &str) -> String {
    let ua = user_agent.to_ascii_lowercase();
    let browser = [
        ("edg/", "Edge"),
        ("micromessenger", "WeChat"),
        ("firefox", "Firefox"),
        ("chrome", "Chrome"),
        ("safari", "Safari"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map_or("Browser", |(_, name)| name);
    let system = [
        ("iphone", "iPhone"),
        ("ipad", "iPad"),
        ("android", "Android"),
        ("windows", "Windows"),
        ("mac os", "macOS"),
        ("linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map_or("", |(_, name)| name);
    if system.is_empty() {
        browser.to_owned()
    } else {
        format!("{browser} · {system}")
    }
}

/// The approximate origin of an address: the /24 of IPv4, the /48 of IPv6. Enough
/// to tell "home" from "somewhere else", not enough to locate a person.
pub fn origin_of(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        std::net::IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_described() {
        let android = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36";
        assert_eq!(describe_browser(android), "Chrome · Android");
        assert_eq!(describe_browser("curl/8"), "Browser");
    }

    #[test]
    fn origins_are_coarse() {
        assert_eq!(origin_of("203.0.113.77".parse().unwrap()), "203.0.113.0/24");
        assert_eq!(origin_of("2001:db8:1234:5678::1".parse().unwrap()), "2001:db8:1234::/48");
    }

    #[test]
    fn handles_are_stable_and_opaque() {
        let h = handle_of(b"key", "session-1");
        assert_eq!(h, handle_of(b"key", "session-1"));
        assert_ne!(h, handle_of(b"key", "session-2"));
        assert!(!h.contains("session"));
    }
}
