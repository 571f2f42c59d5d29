//! Structured logs with `tracing`: readable lines in development, JSON in
//! production. `RUST_LOG` overrides the default filter.
use crate::config::Mode;
use tracing_subscriber::EnvFilter;

pub fn init(mode: Mode) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    let result = match mode {
        Mode::Development => builder.compact().try_init(),
        Mode::Production => builder.json().flatten_event(true).try_init(),
    };
    // A second init (tests start several servers) keeps the first subscriber.
    let _ = result;
}
