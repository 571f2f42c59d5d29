//! The portal's server: configuration, the command line, the HTTP stack, start-up
//! and shutdown. The application itself lives in the `app` crate.
pub mod cli;
pub mod config;
pub mod http;
pub mod jobs;
pub mod logging;

use app::backend::auth::SessionPolicy;
use app::backend::identity::password::PasswordHasher;
use app::backend::{seed, AppState, Clock, Db, DbError};
use axum::serve::ListenerExt;
use config::{Config, ConfigError, Mode};
use leptos::prelude::LeptosOptions;
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Why the server could not start; printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("setting DATABASE_URL: {0}")]
    Database(#[from] DbError),
    #[error("setting DATABASE_URL: {0}")]
    Query(#[from] sqlx::Error),
    #[error("setting PORTAL_BIND: cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
    /// `verify-audit` found the first bad row ("audit log broken at row N: …").
    #[error(transparent)]
    AuditBroken(app::backend::audit::ChainBreak),
    /// `verify-ledger` found entries or balances that do not add up.
    #[error("ledger does not add up: {0}")]
    LedgerUnsound(String),
}

impl StartError {
    /// The message on one line, whatever the underlying error printed.
    pub fn one_line(&self) -> String {
        self.to_string().split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Connects to the database and brings its schema up to date.
pub async fn open_database(config: &Config) -> Result<Db, StartError> {
    let db = Db::connect(&config.database_url, config.db_max_connections).await?;
    db.migrate().await?;
    Ok(db)
}

/// Everything the portal needs before it can accept requests. In development an
/// empty database gets the demo data, so a first `make run` has something to show.
pub async fn prepare(config: &Config, clock: Arc<dyn Clock>) -> Result<AppState, StartError> {
    let db = open_database(config).await?;
    let hasher = PasswordHasher::from_available_parallelism();
    if config.mode == Mode::Development && seed::is_empty(&db).await? {
        let report = seed::seed_demo(&db, clock.as_ref(), seed::DEFAULT_CUSTOMERS).await?;
        seed::seed_demo_logins(&db, clock.as_ref(), &hasher).await?;
        tracing::info!(customers = report.customers_added, "seeded demo data into the empty database");
    }
    Ok(AppState {
        db,
        clock,
        zone: config.zone,
        hasher,
        policy: SessionPolicy {
            idle_seconds: config.session_idle_minutes * 60,
            absolute_seconds: config.session_max_hours * 3600,
            step_up_seconds: config.step_up_minutes * 60,
        },
        secret: Arc::from(config.secret_key.as_bytes()),
        development: config.mode == Mode::Development,
    })
}

/// Binds the listening socket; a taken port is an error naming the setting.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr).await.map_err(|source| StartError::Bind { addr, source })
}

/// Leptos' options, built from our configuration rather than read from Cargo.toml,
/// so the binary runs from anywhere. `cargo leptos watch` sets LEPTOS_OUTPUT_NAME.
pub fn leptos_options(config: &Config, addr: SocketAddr) -> LeptosOptions {
    let output_name = std::env::var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|_| "portal".to_owned());
    LeptosOptions::builder()
        .output_name(output_name)
        .site_root(config.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(match config.mode {
            Mode::Development => leptos::prelude::Env::DEV,
            Mode::Production => leptos::prelude::Env::PROD,
        })
        .build()
}

/// How long requests in flight may take to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves until `shutdown` completes, then lets requests in flight finish (for at
/// most `SHUTDOWN_GRACE`).
pub async fn serve(
    listener: TcpListener,
    config: &Config,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let addr = listener.local_addr().map_err(StartError::Serve)?;
    let rate_limiter = (config.login_burst > 0).then(|| {
        http::rate_limit::RateLimiter::new(
            state.clock.clone(),
            http::rate_limit::Allowance { burst: config.login_burst, refill_seconds: 6 },
            http::rate_limit::Allowance { burst: 5, refill_seconds: 60 },
        )
    });
    let jobs = jobs::spawn(state.clone());
    let router = http::router(http::ServerState { leptos: leptos_options(config, addr), app: state, rate_limiter });
    // Without TCP_NODELAY small responses wait ~40 ms for the peer's delayed ACK.
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!(error = %err, "cannot set TCP_NODELAY");
        }
    });
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        let _ = stopping_tx.send(());
    };
    let server = axum::serve(listener, service).with_graceful_shutdown(signal).into_future();
    // A client that stops reading (or a slow phone on a bad network) must not hold
    // the shutdown forever: after the grace period the remaining connections close.
    let grace_over = async move {
        match stopping_rx.await {
            Ok(()) => tokio::time::sleep(SHUTDOWN_GRACE).await,
            Err(_) => std::future::pending::<()>().await,
        }
    };
    let result = tokio::select! {
        result = server => result.map_err(StartError::Serve),
        () = grace_over => {
            tracing::warn!("grace period over: closing the connections still open");
            Ok(())
        }
    };
    jobs.abort();
    result
}

/// Listens for Ctrl-C and SIGTERM from the moment it is called (not from the first
/// poll): the server announces its URL only after this, so a supervisor that stops it
/// right away gets a graceful stop rather than the default "killed by signal".
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let listeners = {
        use tokio::signal::unix::{signal, SignalKind};
        (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
    };
    async move {
        #[cfg(unix)]
        match listeners {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {},
                    _ = terminate.recv() => {},
                }
            }
            (Err(err), _) | (_, Err(err)) => {
                tracing::error!(error = %err, "cannot listen for shutdown signals");
                std::future::pending::<()>().await;
            }
        }
        #[cfg(not(unix))]
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}
