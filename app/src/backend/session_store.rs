//! tower-sessions' store over our own pool, so sessions live in the database on both
//! backends and any app server behind a load balancer can serve any request.
use super::Db;
use async_trait::async_trait;
use sqlx::Row;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result, SessionStore};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        DbSessionStore { db }
    }

    /// Removes expired records; run from time to time by a background task.
    pub async fn delete_expired(&self) -> std::result::Result<u64, sqlx::Error> {
        let now = micros(OffsetDateTime::now_utc());
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(self.db.pool()).await?;
        Ok(done.rows_affected())
    }
}

fn micros(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

fn backend(err: impl std::fmt::Display) -> Error {
    Error::Backend(err.to_string())
}

fn encode(record: &Record) -> Result<String> {
    serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    /// Inserts under a fresh id, drawing again on the (astronomically unlikely)
    /// collision instead of overwriting someone else's session.
    async fn create(&self, record: &mut Record) -> Result<()> {
        let data = encode(record)?;
        for _ in 0..4 {
            let inserted = sqlx::query(
                "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(&data)
            .bind(micros(record.expiry_date))
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
        Err(Error::Backend("could not allocate a session id".into()))
    }

    async fn save(&self, record: &Record) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
        )
        .bind(record.id.to_string())
        .bind(encode(record)?)
        .bind(micros(record.expiry_date))
        .execute(self.db.pool())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let row = sqlx::query("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(id.to_string())
            .bind(micros(OffsetDateTime::now_utc()))
            .fetch_optional(self.db.pool())
            .await
            .map_err(backend)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let data: String = row.try_get("data").map_err(backend)?;
        let expires: i64 = row.try_get("expires_at").map_err(backend)?;
        let expiry_date = OffsetDateTime::from_unix_timestamp_nanos(i128::from(expires) * 1_000).map_err(backend)?;
        let data = serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}
