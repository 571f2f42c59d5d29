//! The integration-test harness: the whole server, in process, on port 0, against a
//! fresh database (a temporary SQLite file, or a new PostgreSQL database dropped
//! afterwards), spoken to over HTTP with a cookie jar.
#![allow(dead_code)] // each test file uses its own part of the harness

pub mod browser;
pub mod staff;
pub mod viewing;

use app::backend::{AppState, Clock, Db, FixedClock};
use app::types::Timestamp;
use server::config::{Config, Mode};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// 2026-11-29T00:00:00Z: tests run at a fixed instant.
pub const TEST_NOW: Timestamp = Timestamp::from_micros(1_795_910_400_000_000);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs the same test on both backends: `on_both_backends!(test_a, test_b);` makes
/// `sqlite::test_a` and `postgres::test_a` from `async fn test_a(backend: Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::support::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if super::support::postgres_admin_url().is_some() {
                        super::$name(super::support::Backend::Postgres).await
                    }
                }
            )*
        }
    };
}

/// The PostgreSQL server for tests, from `PORTAL_TEST_POSTGRES_URL`. Without it the
/// PostgreSQL half is skipped, loudly; under `CI=true` that is a failure instead.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("PORTAL_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but PORTAL_TEST_POSTGRES_URL is not set: the PostgreSQL half of the suite must run in CI")
        }
        _ => {
            eprintln!("SKIPPED on PostgreSQL: set PORTAL_TEST_POSTGRES_URL to run it");
            None
        }
    }
}

/// A database made for one test and removed when the test ends (even by panic).
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Postgres { admin_url: String, name: String },
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("portal_test_{}_{}_{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst))
}

impl TestDatabase {
    pub async fn create(backend: Backend) -> TestDatabase {
        let name = unique_name();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).expect("temp dir");
                TestDatabase { url: format!("sqlite:{}/portal.db", dir.display()), cleanup: Cleanup::Dir(dir) }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url().expect("PostgreSQL URL");
                let admin = Db::connect(&admin_url, 1)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL at PORTAL_TEST_POSTGRES_URL is unreachable: {e}"));
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(admin.pool()).await.expect("create database");
                admin.close().await;
                TestDatabase { url: with_database(&admin_url, &name), cleanup: Cleanup::Postgres { admin_url, name } }
            }
        }
    }
}

/// The same server URL with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let shown = name.clone();
                // Drop runs inside the test's runtime; a thread with its own runtime
                // can block on the async driver safely.
                let dropped = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                    rt.block_on(async {
                        let admin = Db::connect(&admin_url, 1).await.ok()?;
                        let result = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(admin.pool())
                            .await;
                        admin.close().await;
                        result.ok()
                    })
                })
                .join();
                if !matches!(dropped, Ok(Some(_))) {
                    eprintln!("warning: could not drop test database {shown}");
                }
            }
        }
    }
}

/// Configuration for a test server on `url`.
pub fn test_config(url: &str) -> Config {
    let url = url.to_owned();
    Config::from_sources(None, move |name| match name {
        "DATABASE_URL" => Some(url.clone()),
        "PORTAL_BIND" => Some("127.0.0.1:0".to_owned()),
        "PORTAL_SITE_ROOT" => Some(std::env::temp_dir().display().to_string()),
        "PORTAL_DB_MAX_CONNECTIONS" => Some("5".to_owned()),
        _ => None,
    })
    .expect("test configuration")
}

/// A running portal.
pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    pub http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), server::StartError>>>,
    // Last: the database outlives the server that uses it.
    pub database: TestDatabase,
}

impl TestServer {
    /// Starts the portal in development mode (so the demo data is seeded).
    pub async fn start(backend: Backend) -> TestServer {
        TestServer::start_with(backend, |_| {}).await
    }

    /// Like `start`, with the configuration adjusted first (e.g. `login_burst = 0`
    /// to turn per-address limits off for a load test from one address).
    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestServer {
        let database = TestDatabase::create(backend).await;
        let mut config = test_config(&database.url);
        config.mode = Mode::Development;
        adjust(&mut config);
        let clock = Arc::new(FixedClock::new(TEST_NOW));
        let state = server::prepare(&config, clock.clone() as Arc<dyn Clock>).await.expect("prepare");
        let listener = server::bind(config.bind).await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn({
            let state = state.clone();
            async move {
                server::serve(listener, &config, state, async {
                    let _ = rx.await;
                })
                .await
            }
        });
        TestServer { addr, state, clock, http: client(), shutdown: Some(tx), task: Some(task), database }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    /// Asks the server to stop and waits until it has.
    pub async fn stop(mut self) -> Result<(), server::StartError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let result = match self.task.take() {
            Some(task) => task.await.expect("server task"),
            None => Ok(()),
        };
        self.state.db.close().await;
        result
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// An HTTP client like a browser's: a cookie jar, no automatic redirects (tests
/// look at them), no proxy.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        // A hang shows up as a failing request with a name, not a stuck suite.
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("HTTP client")
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_swapped() {
        assert_eq!(super::with_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
        assert_eq!(super::with_database("postgres://u@h", "x"), "postgres://u@h/x");
        assert_eq!(super::with_database("postgres://u@h/db?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
    }
}
