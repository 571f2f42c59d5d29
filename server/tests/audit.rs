//! The security audit trail on SQLite and PostgreSQL: the chain verifies, the
//! database refuses to rewrite it, tampering by someone who gets past that is
//! named to the row, concurrent writers keep one chain, customers see only their
//! own events, and `server verify-audit` reports all of it as an operator sees it.
mod support;

use app::backend::audit::{self, Actor, ActorKind, AuditEvent, BreakReason, ChainBreak, VerifyError};
use app::backend::Db;
use serde_json::json;
use std::process::{Command, Output, Stdio};
use support::{Backend, TestDatabase, TEST_NOW};

on_both_backends!(
    recorded_events_verify,
    updates_and_deletes_are_refused_by_the_database,
    an_altered_row_is_named,
    a_removed_row_is_named_by_the_row_after_it,
    a_removed_tail_is_a_break,
    long_chains_verify_across_batches,
    an_event_commits_or_rolls_back_with_its_transaction,
    concurrent_writers_keep_one_chain,
    customers_see_only_their_own_events_newest_first,
    verify_audit_command_reports_to_the_operator,
);

async fn open(backend: Backend) -> (TestDatabase, Db) {
    let database = TestDatabase::create(backend).await;
    let db = Db::connect(&database.url, 5).await.unwrap();
    db.migrate().await.unwrap();
    (database, db)
}

fn event(actor: Actor, customer_id: Option<i64>, name: &'static str) -> AuditEvent<'static> {
    AuditEvent { actor, customer_id, event: name, detail: json!({ "method": "password" }), origin: "203.0.113.0/24" }
}

/// Records `n` events, one transaction each, and returns their ids.
async fn record_some(db: &Db, n: i64) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let e = event(Actor::Customer(i % 3 + 1), None, audit::events::LOGIN_SUCCEEDED);
        ids.push(audit::record_now(db, TEST_NOW.plus_seconds(i), &e).await.unwrap());
    }
    ids
}

/// What a superuser can do: switch off the append-only triggers.
async fn remove_guards(db: &Db) {
    match db.backend() {
        app::backend::Backend::Sqlite => {
            for name in ["audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace"] {
                sqlx::query(&format!("DROP TRIGGER {name}")).execute(db.pool()).await.unwrap();
            }
        }
        app::backend::Backend::Postgres => {
            sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER USER").execute(db.pool()).await.unwrap();
        }
    }
}

async fn broken_at(db: &Db) -> ChainBreak {
    match audit::verify_chain(db).await {
        Err(VerifyError::Broken(chain_break)) => chain_break,
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

async fn recorded_events_verify(backend: Backend) {
    let (_database, db) = open(backend).await;
    assert_eq!(audit::verify_chain(&db).await.unwrap(), 0, "an empty log is intact");
    let ids = record_some(&db, 5).await;
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids grow: {ids:?}");
    assert_eq!(audit::verify_chain(&db).await.unwrap(), 5);

    let (first_prev, last_hash): (String, String) = sqlx::query_as(
        "SELECT (SELECT prev_hash FROM audit_log ORDER BY id LIMIT 1), (SELECT last_hash FROM audit_head WHERE id = 1)",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(first_prev, audit::GENESIS_HASH);
    let newest: String =
        sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetch_one(db.pool()).await.unwrap();
    assert_eq!(last_hash, newest, "the head follows the chain");

    let (kind, actor_id, customer_id, detail): (String, Option<i64>, Option<i64>, String) =
        sqlx::query_as("SELECT actor_kind, actor_id, customer_id, detail FROM audit_log WHERE id = $1")
            .bind(ids[1])
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!((kind.as_str(), actor_id, customer_id), ("customer", Some(2), Some(2)), "a customer's own event");
    assert_eq!(detail, r#"{"method":"password"}"#);
    db.close().await;
}

async fn updates_and_deletes_are_refused_by_the_database(backend: Backend) {
    let (_database, db) = open(backend).await;
    let ids = record_some(&db, 3).await;
    let update = sqlx::query("UPDATE audit_log SET detail = '{}' WHERE id = $1").bind(ids[1]).execute(db.pool()).await;
    let delete = sqlx::query("DELETE FROM audit_log WHERE id = $1").bind(ids[1]).execute(db.pool()).await;
    let delete_all = sqlx::query("DELETE FROM audit_log").execute(db.pool()).await;
    let drop_head = sqlx::query("DELETE FROM audit_head").execute(db.pool()).await;
    for (what, result) in [("update", update), ("delete", delete), ("delete all", delete_all), ("head", drop_head)] {
        let err = result.expect_err(what).to_string();
        assert!(err.contains("append-only"), "{what}: {err}");
    }
    match db.backend() {
        app::backend::Backend::Postgres => {
            let err = sqlx::query("TRUNCATE audit_log").execute(db.pool()).await.expect_err("truncate").to_string();
            assert!(err.contains("append-only"), "{err}");
        }
        app::backend::Backend::Sqlite => {
            // REPLACE deletes without firing delete triggers; a trigger of its own stops it.
            let replace = sqlx::query(
                "INSERT OR REPLACE INTO audit_log (id, at, actor_kind, event, prev_hash, hash) \
                 VALUES ($1, 0, 'system', 'forged', 'x', 'y')",
            )
            .bind(ids[1])
            .execute(db.pool())
            .await;
            assert!(replace.expect_err("replace").to_string().contains("append-only"));
        }
    }
    let fork = sqlx::query(
        "INSERT INTO audit_log (at, actor_kind, event, prev_hash, hash) \
         SELECT 0, 'system', 'forged', prev_hash, 'y' FROM audit_log WHERE id = $1",
    )
    .bind(ids[2])
    .execute(db.pool())
    .await;
    assert!(fork.is_err(), "two rows cannot follow the same predecessor");
    assert_eq!(audit::verify_chain(&db).await.unwrap(), 3, "nothing changed");
    db.close().await;
}

async fn an_altered_row_is_named(backend: Backend) {
    let (_database, db) = open(backend).await;
    let ids = record_some(&db, 5).await;
    remove_guards(&db).await;
    sqlx::query(r#"UPDATE audit_log SET detail = '{"method":"face"}' WHERE id = $1"#)
        .bind(ids[2])
        .execute(db.pool())
        .await
        .unwrap();
    let chain_break = broken_at(&db).await;
    assert_eq!(chain_break, ChainBreak { id: ids[2], reason: BreakReason::ContentAltered });
    assert!(chain_break.to_string().starts_with(&format!("audit log broken at row {}: ", ids[2])));
    db.close().await;
}

async fn a_removed_row_is_named_by_the_row_after_it(backend: Backend) {
    let (_database, db) = open(backend).await;
    let ids = record_some(&db, 5).await;
    remove_guards(&db).await;
    sqlx::query("DELETE FROM audit_log WHERE id = $1").bind(ids[2]).execute(db.pool()).await.unwrap();
    assert_eq!(broken_at(&db).await, ChainBreak { id: ids[3], reason: BreakReason::LinkBroken });
    db.close().await;
}

async fn a_removed_tail_is_a_break(backend: Backend) {
    let (_database, db) = open(backend).await;
    let ids = record_some(&db, 4).await;
    remove_guards(&db).await;
    sqlx::query("DELETE FROM audit_log WHERE id >= $1").bind(ids[2]).execute(db.pool()).await.unwrap();
    assert_eq!(broken_at(&db).await, ChainBreak { id: ids[1] + 1, reason: BreakReason::TailMissing });
    // Emptied entirely: the head still names a hash no row has.
    sqlx::query("DELETE FROM audit_log").execute(db.pool()).await.unwrap();
    assert_eq!(broken_at(&db).await, ChainBreak { id: 1, reason: BreakReason::TailMissing });
    db.close().await;
}

/// More rows than one verification batch: the walk continues across pages and
/// still names the exact row.
async fn long_chains_verify_across_batches(backend: Backend) {
    let (_database, db) = open(backend).await;
    let mut tx = db.begin_write().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..2100 {
        let e = event(Actor::Staff(i % 5 + 1), Some(i + 1), "customer_viewed");
        ids.push(audit::record(&mut tx, db.backend(), TEST_NOW, &e).await.unwrap());
    }
    tx.commit().await.unwrap();
    assert_eq!(audit::verify_chain(&db).await.unwrap(), 2100);
    remove_guards(&db).await;
    sqlx::query("UPDATE audit_log SET customer_id = 1 WHERE id = $1").bind(ids[1500]).execute(db.pool()).await.unwrap();
    assert_eq!(broken_at(&db).await, ChainBreak { id: ids[1500], reason: BreakReason::ContentAltered });
    db.close().await;
}

/// The event belongs to the transaction of the change it describes: rolled back
/// together, nothing is left of it, and the chain goes on from where it was.
async fn an_event_commits_or_rolls_back_with_its_transaction(backend: Backend) {
    let (_database, db) = open(backend).await;
    record_some(&db, 2).await;
    let mut tx = db.begin_write().await.unwrap();
    let e = event(Actor::Customer(1), None, audit::events::PASSWORD_CHANGED);
    audit::record(&mut tx, db.backend(), TEST_NOW, &e).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(audit::verify_chain(&db).await.unwrap(), 2);
    audit::record_now(&db, TEST_NOW, &e).await.unwrap();
    assert_eq!(audit::verify_chain(&db).await.unwrap(), 3, "ids may have gaps; the chain has none");
    db.close().await;
}

async fn concurrent_writers_keep_one_chain(backend: Backend) {
    let (_database, db) = open(backend).await;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                let e = event(Actor::Customer(i + 1), None, audit::events::LOGIN_FAILED);
                audit::record_now(&db, TEST_NOW.plus_seconds(i), &e).await.unwrap()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap());
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 20);
    assert_eq!(audit::verify_chain(&db).await.unwrap(), 20);
    db.close().await;
}

async fn customers_see_only_their_own_events_newest_first(backend: Backend) {
    let (_database, db) = open(backend).await;
    let mine_1 = audit::record_now(&db, TEST_NOW, &event(Actor::Customer(1), None, "login_succeeded")).await.unwrap();
    audit::record_now(&db, TEST_NOW, &event(Actor::Customer(2), None, "login_succeeded")).await.unwrap();
    let mine_2 = audit::record_now(&db, TEST_NOW.plus_seconds(60), &event(Actor::Staff(4), Some(1), "password_reset"))
        .await
        .unwrap();
    audit::record_now(&db, TEST_NOW, &event(Actor::Anonymous, None, "login_failed")).await.unwrap();
    audit::record_now(&db, TEST_NOW, &event(Actor::Staff(4), Some(2), "account_locked")).await.unwrap();
    let mine_3 = audit::record_now(&db, TEST_NOW.plus_seconds(120), &event(Actor::System, Some(1), "session_ended"))
        .await
        .unwrap();

    let entries = audit::events_for_customer(&db, 1, 50).await.unwrap();
    let seen: Vec<(i64, ActorKind, &str)> = entries.iter().map(|e| (e.id, e.actor_kind, e.event.as_str())).collect();
    assert_eq!(
        seen,
        [
            (mine_3, ActorKind::System, "session_ended"),
            (mine_2, ActorKind::Staff, "password_reset"),
            (mine_1, ActorKind::Customer, "login_succeeded"),
        ]
    );
    assert_eq!(entries[1].at, TEST_NOW.plus_seconds(60));
    assert_eq!(entries[1].origin, "203.0.113.0/24");
    let newest = audit::events_for_customer(&db, 1, 2).await.unwrap();
    assert_eq!(newest.iter().map(|e| e.id).collect::<Vec<_>>(), [mine_3, mine_2]);
    assert!(audit::events_for_customer(&db, 99, 50).await.unwrap().is_empty());
    assert!(audit::events_for_customer(&db, 1, -1).await.unwrap().is_empty(), "a negative limit is none");
    db.close().await;
}

/// The binary with a clean environment, as tests/cli.rs runs it.
fn server(args: &[&str], url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .env("DATABASE_URL", url)
        .stdin(Stdio::null())
        .output()
        .expect("run server")
}

async fn verify_audit_command_reports_to_the_operator(backend: Backend) {
    let (database, db) = open(backend).await;
    let ids = record_some(&db, 3).await;
    let clean = server(&["verify-audit"], &database.url);
    assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stderr));
    assert_eq!(String::from_utf8_lossy(&clean.stdout).trim(), "audit log intact: 3 rows");

    remove_guards(&db).await;
    sqlx::query("UPDATE audit_log SET origin = '198.51.100.0/24' WHERE id = $1")
        .bind(ids[1])
        .execute(db.pool())
        .await
        .unwrap();
    let tampered = server(&["verify-audit"], &database.url);
    assert!(!tampered.status.success(), "a broken chain exits non-zero");
    let stderr = String::from_utf8_lossy(&tampered.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line, got: {stderr}");
    assert!(lines[0].starts_with(&format!("error: audit log broken at row {}: ", ids[1])), "{stderr}");
    assert!(!String::from_utf8_lossy(&tampered.stdout).contains("intact"));
    db.close().await;
}
