//! SQLite is opened for durability: WAL, synchronous=FULL, foreign keys, a busy
//! timeout, on every pooled connection.
mod support;

use app::backend::Db;
use support::{Backend, TestDatabase};

#[tokio::test]
async fn every_connection_gets_the_durability_pragmas() {
    let database = TestDatabase::create(Backend::Sqlite).await;
    let db = Db::connect(&database.url, 3).await.unwrap();
    // Hold several connections at once so more than one is checked.
    let mut conns = Vec::new();
    for _ in 0..3 {
        conns.push(db.pool().acquire().await.unwrap());
    }
    for conn in &mut conns {
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut **conn).await.unwrap();
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut **conn).await.unwrap();
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&mut **conn).await.unwrap();
        let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(&mut **conn).await.unwrap();
        assert_eq!(journal, "wal");
        assert_eq!(sync, 2, "FULL");
        assert_eq!(fk, 1);
        assert!(busy >= 5000);
    }
    drop(conns);
    db.close().await;
}
