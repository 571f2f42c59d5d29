//! The `server` binary as an operator meets it: one-line errors with a non-zero
//! exit, the maintenance commands on both backends, graceful shutdown on SIGTERM.
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::{Backend, TestDatabase};

const BIN: &str = env!("CARGO_BIN_EXE_server");

/// The binary with a clean environment: only what the test sets.
fn server(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default()).env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    server(args, env).stdin(Stdio::null()).output().expect("run server")
}

/// The whole of stderr is one line starting with "error:" and naming `setting`.
fn assert_one_line_error(output: &Output, setting: &str) {
    assert!(!output.status.success(), "must exit non-zero");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line, got: {stderr}");
    assert!(lines[0].starts_with("error: ") && lines[0].contains(setting), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn nonsense_database_url_is_one_line_and_non_zero() {
    let output = run(&["serve"], &[("DATABASE_URL", "nonsense"), ("PORTAL_BIND", "127.0.0.1:0")]);
    assert_one_line_error(&output, "DATABASE_URL");
}

#[test]
fn occupied_port_is_one_line_and_non_zero() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempdir("occupied");
    let url = format!("sqlite:{}/p.db", dir.display());
    let output = run(&["serve"], &[("DATABASE_URL", &url), ("PORTAL_BIND", &addr)]);
    assert_one_line_error(&output, "PORTAL_BIND");
    assert!(String::from_utf8_lossy(&output.stderr).contains(&addr));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn production_refuses_the_default_secret() {
    let output = run(&["migrate"], &[("PORTAL_MODE", "production"), ("DATABASE_URL", "sqlite::memory:")]);
    assert_one_line_error(&output, "PORTAL_SECRET_KEY");
}

#[test]
fn unreachable_postgres_is_one_line_and_non_zero() {
    let output = run(&["migrate"], &[("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")]);
    assert_one_line_error(&output, "DATABASE_URL");
}

#[test]
fn bad_config_file_is_one_line_and_non_zero() {
    let dir = tempdir("config");
    let path = dir.join("portal.toml");
    std::fs::write(&path, "bind = [1, 2]\n").unwrap();
    let output = run(&["--config", path.to_str().unwrap(), "migrate"], &[]);
    assert_one_line_error(&output, "PORTAL_CONFIG");
    let _ = std::fs::remove_dir_all(dir);
}

fn tempdir(label: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("portal-cli-{label}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

on_both_backends!(maintenance_commands_work, sigterm_stops_the_server_gracefully);

async fn maintenance_commands_work(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let env = [("DATABASE_URL", database.url.as_str())];
    let migrate = run(&["migrate"], &env);
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));

    let seed = run(&["seed-demo", "--customers", "300"], &env);
    assert!(seed.status.success(), "{}", String::from_utf8_lossy(&seed.stderr));
    assert!(String::from_utf8_lossy(&seed.stdout).contains("300 customers added, 300 in all"));

    let verify = run(&["verify-ledger"], &env);
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    assert!(String::from_utf8_lossy(&verify.stdout).starts_with("ledger sound: "));
    // A balance changed behind the ledger's back (its guard trigger removed first).
    let db = app::backend::Db::connect(&database.url, 1).await.expect("connect");
    let unguard = match backend {
        Backend::Sqlite => "DROP TRIGGER accounts_balance_only_by_postings",
        Backend::Postgres => "ALTER TABLE accounts DISABLE TRIGGER accounts_balance_only_by_postings",
    };
    sqlx::query(unguard).execute(db.pool()).await.expect("unguard");
    let tampered: i64 = sqlx::query_scalar(
        "UPDATE accounts SET balance = balance + 1 WHERE id = (SELECT MIN(id) FROM accounts WHERE customer_id IS NOT NULL) \
         RETURNING id",
    )
    .fetch_one(db.pool())
    .await
    .expect("tamper");
    db.pool().close().await;
    let broken = run(&["verify-ledger"], &env);
    assert_one_line_error(&broken, "ledger does not add up");
    assert!(String::from_utf8_lossy(&broken.stderr).contains(&format!("drifted accounts [{tampered}]")));

    let staff = run(&["create-staff", "--name", "孙悦", "--role", "supervisor", "--branch", "B002"], &env);
    assert!(staff.status.success(), "{}", String::from_utf8_lossy(&staff.stderr));
    assert!(String::from_utf8_lossy(&staff.stdout).contains("created staff S00007 (supervisor)"));

    let unknown = run(&["create-staff", "--name", "x", "--role", "agent", "--branch", "B999"], &env);
    assert_one_line_error(&unknown, "B999");
    let bad_role = run(&["create-staff", "--name", "x", "--role", "root", "--branch", "B001"], &env);
    assert!(!bad_role.status.success());
}

async fn sigterm_stops_the_server_gracefully(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let mut child = server(&["serve"], &[("DATABASE_URL", database.url.as_str()), ("PORTAL_BIND", "127.0.0.1:0")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    // Keep reading, as a terminal would, so the server never writes into a closed pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some((_, url)) = line.split_once("running at ") {
                let _ = url_tx.send(url.trim().to_owned());
            }
        }
    });
    url_rx.recv_timeout(Duration::from_secs(30)).expect("the server prints its URL");

    // At once, as an impatient supervisor would: the handler must already be listening
    // when the URL is announced, or the default action kills the process.
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "did not stop within 10 s of SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "a graceful stop exits 0, got {status}");
}
