//! Configuration: defaults, then an optional TOML file, then the environment.
//!
//! A bad value stops the server with one line naming the setting; production mode
//! refuses the development secret.
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Development-only secret; production refuses to start with it.
const DEV_SECRET: &str = "development-only-secret-do-not-use-in-production!!";
const MIN_SECRET_BYTES: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Local use: plain-HTTP cookies allowed, readable logs, development secret.
    Development,
    /// Behind TLS: secure cookies, JSON logs, a real secret required.
    Production,
}

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    pub zone: chrono_tz::Tz,
    pub mode: Mode,
    /// Signs and encrypts what the server hands out (sessions, tokens).
    pub secret_key: String,
    /// Where the built site (`pkg/portal.js`, `.wasm`, `.css`) lives.
    pub site_root: String,
    pub db_max_connections: u32,
    /// Sessions end after this long without a request…
    pub session_idle_minutes: i64,
    /// …and after this long in any case.
    pub session_max_hours: i64,
    /// A second factor confirmed this long ago still counts for sensitive changes
    /// (new payees, large transfers); 0 asks for a code every time.
    pub step_up_minutes: i64,
    /// Per-address log-in attempts allowed in a burst (then one per 6 s); 0 turns the
    /// per-address limits off (load tests from one address only).
    pub login_burst: u32,
}

/// Never prints the secret, nor a password inside the database URL: this may be logged.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url_password(&self.database_url))
            .field("bind", &self.bind)
            .field("zone", &self.zone)
            .field("mode", &self.mode)
            .field("secret_key", &"[redacted]")
            .field("site_root", &self.site_root)
            .field("db_max_connections", &self.db_max_connections)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_max_hours", &self.session_max_hours)
            .field("step_up_minutes", &self.step_up_minutes)
            .field("login_burst", &self.login_burst)
            .finish()
    }
}

/// `postgres://user:secret@host/db` becomes `postgres://user:***@host/db`.
pub fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// A setting that could not be used, and why.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("setting {setting}: {problem}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub problem: String,
}

impl ConfigError {
    pub fn new(setting: &'static str, problem: impl Into<String>) -> Self {
        ConfigError { setting, problem: problem.into() }
    }
}

/// The optional TOML file: every key is optional and named like the variable.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    bind: Option<String>,
    timezone: Option<String>,
    mode: Option<String>,
    secret_key: Option<String>,
    site_root: Option<String>,
    db_max_connections: Option<u32>,
    session_idle_minutes: Option<i64>,
    session_max_hours: Option<i64>,
    login_burst: Option<i64>,
}

/// Looks up an environment variable (the real environment, or a test's map).
type EnvLookup = Box<dyn Fn(&str) -> Option<String>>;

/// The source of raw values: a file's, overridden by the environment's.
struct Raw {
    file: FileConfig,
    env: EnvLookup,
}

impl Raw {
    fn get(&self, var: &str, fallback_var: Option<&str>, from_file: &Option<String>) -> Option<String> {
        (self.env)(var)
            .or_else(|| fallback_var.and_then(|v| (self.env)(v)))
            .or_else(|| from_file.clone())
            .filter(|v| !v.trim().is_empty())
    }
}

impl Config {
    /// Reads the configuration: `file` if given (or `PORTAL_CONFIG`), then the process
    /// environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let path = file.map(Path::to_path_buf).or_else(|| std::env::var_os("PORTAL_CONFIG").map(PathBuf::from));
        Config::from_sources(path.as_deref(), |name| std::env::var(name).ok())
    }

    /// Reads the configuration from a file and a given environment (testable).
    pub fn from_sources(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String> + 'static,
    ) -> Result<Config, ConfigError> {
        let file = match file {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let raw = Raw { file, env: Box::new(env) };

        let mode = match raw.get("PORTAL_MODE", None, &raw.file.mode).as_deref().map(str::trim) {
            None | Some("development") => Mode::Development,
            Some("production") => Mode::Production,
            Some(other) => {
                return Err(ConfigError::new("PORTAL_MODE", format!("'{other}' is neither development nor production")))
            }
        };

        let database_url =
            raw.get("DATABASE_URL", None, &raw.file.database_url).unwrap_or_else(|| "sqlite:data/portal.db".to_owned());
        if app::backend::Backend::from_url(&database_url).is_none() {
            return Err(ConfigError::new(
                "DATABASE_URL",
                "expected a sqlite: or postgres:// URL (e.g. sqlite:data/portal.db)",
            ));
        }

        let bind_text = raw
            .get("PORTAL_BIND", Some("LEPTOS_SITE_ADDR"), &raw.file.bind)
            .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let bind = bind_text.trim().parse::<SocketAddr>().map_err(|_| {
            ConfigError::new("PORTAL_BIND", format!("'{bind_text}' is not an address and port such as 127.0.0.1:3000"))
        })?;

        let zone_text =
            raw.get("PORTAL_TIMEZONE", None, &raw.file.timezone).unwrap_or_else(|| "Asia/Shanghai".to_owned());
        let zone = zone_text.trim().parse::<chrono_tz::Tz>().map_err(|_| {
            ConfigError::new("PORTAL_TIMEZONE", format!("'{zone_text}' is not an IANA time zone such as Asia/Shanghai"))
        })?;

        let secret_key = match raw.get("PORTAL_SECRET_KEY", None, &raw.file.secret_key) {
            Some(secret) => secret,
            None if mode == Mode::Development => DEV_SECRET.to_owned(),
            None => return Err(ConfigError::new("PORTAL_SECRET_KEY", "production mode needs a secret key")),
        };
        if secret_key.len() < MIN_SECRET_BYTES {
            return Err(ConfigError::new("PORTAL_SECRET_KEY", format!("must be at least {MIN_SECRET_BYTES} bytes")));
        }
        if mode == Mode::Production && secret_key == DEV_SECRET {
            return Err(ConfigError::new("PORTAL_SECRET_KEY", "production mode refuses the development secret"));
        }

        let site_root = raw
            .get("PORTAL_SITE_ROOT", Some("LEPTOS_SITE_ROOT"), &raw.file.site_root)
            .unwrap_or_else(|| "target/site".to_owned());

        let db_max_connections = match (raw.env)("PORTAL_DB_MAX_CONNECTIONS") {
            Some(text) => text
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| ConfigError::new("PORTAL_DB_MAX_CONNECTIONS", "must be a number from 1 to 1000"))?,
            None => raw.file.db_max_connections.unwrap_or(10),
        };

        let session_idle_minutes =
            number(&raw, "PORTAL_SESSION_IDLE_MINUTES", raw.file.session_idle_minutes, 15, 1..=120)?;
        let session_max_hours = number(&raw, "PORTAL_SESSION_MAX_HOURS", raw.file.session_max_hours, 12, 1..=72)?;

        let step_up_minutes = number(&raw, "PORTAL_STEP_UP_MINUTES", None, 5, 0..=60)?;
        let login_burst = number(&raw, "PORTAL_LOGIN_BURST", raw.file.login_burst, 20, 0..=10_000)?;
        let login_burst = u32::try_from(login_burst).unwrap_or(20);

        Ok(Config {
            login_burst,
            database_url,
            bind,
            zone,
            mode,
            secret_key,
            site_root,
            db_max_connections,
            session_idle_minutes,
            session_max_hours,
            step_up_minutes,
        })
    }
}

/// A whole number from the environment or the file, within `range`.
fn number(
    raw: &Raw,
    var: &'static str,
    from_file: Option<i64>,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, ConfigError> {
    let value = match (raw.env)(var) {
        Some(text) => text.trim().parse::<i64>().ok(),
        None => Some(from_file.unwrap_or(default)),
    };
    value.filter(|n| range.contains(n)).ok_or_else(|| {
        ConfigError::new(var, format!("must be a whole number from {} to {}", range.start(), range.end()))
    })
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new("PORTAL_CONFIG", format!("cannot read {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| {
        let reason = e.message().to_owned();
        ConfigError::new("PORTAL_CONFIG", format!("{} is not valid: {reason}", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with_env(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_sources(None, move |k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_sqlite_and_shanghai() {
        let c = with_env(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite:data/portal.db");
        assert_eq!(c.zone, chrono_tz::Asia::Shanghai);
        assert_eq!(c.mode, Mode::Development);
        assert_eq!(c.bind.to_string(), "127.0.0.1:3000");
    }

    #[test]
    fn bad_values_name_the_setting() {
        assert_eq!(with_env(&[("DATABASE_URL", "nonsense")]).unwrap_err().setting, "DATABASE_URL");
        assert_eq!(with_env(&[("PORTAL_BIND", "here")]).unwrap_err().setting, "PORTAL_BIND");
        assert_eq!(with_env(&[("PORTAL_TIMEZONE", "Mars/Base")]).unwrap_err().setting, "PORTAL_TIMEZONE");
        assert_eq!(with_env(&[("PORTAL_MODE", "test")]).unwrap_err().setting, "PORTAL_MODE");
        assert_eq!(with_env(&[("PORTAL_DB_MAX_CONNECTIONS", "0")]).unwrap_err().setting, "PORTAL_DB_MAX_CONNECTIONS");
        assert_eq!(
            with_env(&[("PORTAL_SESSION_IDLE_MINUTES", "0")]).unwrap_err().setting,
            "PORTAL_SESSION_IDLE_MINUTES"
        );
        assert_eq!(with_env(&[("PORTAL_SESSION_MAX_HOURS", "x")]).unwrap_err().setting, "PORTAL_SESSION_MAX_HOURS");
    }

    #[test]
    fn production_refuses_default_or_short_secrets() {
        let e = with_env(&[("PORTAL_MODE", "production")]).unwrap_err();
        assert_eq!(e.setting, "PORTAL_SECRET_KEY");
        let e = with_env(&[("PORTAL_MODE", "production"), ("PORTAL_SECRET_KEY", DEV_SECRET)]).unwrap_err();
        assert!(e.problem.contains("refuses"));
        let e = with_env(&[("PORTAL_SECRET_KEY", "short")]).unwrap_err();
        assert_eq!(e.setting, "PORTAL_SECRET_KEY");
        let ok = with_env(&[("PORTAL_MODE", "production"), ("PORTAL_SECRET_KEY", &"k".repeat(40))]).unwrap();
        assert_eq!(ok.mode, Mode::Production);
    }

    #[test]
    fn debug_output_hides_secrets() {
        let c =
            with_env(&[("DATABASE_URL", "postgres://bank:hunter2@db/portal"), ("PORTAL_SECRET_KEY", &"s".repeat(40))])
                .unwrap();
        let printed = format!("{c:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains(&"s".repeat(40)), "{printed}");
        assert!(printed.contains("postgres://bank:***@db/portal"));
    }

    #[test]
    fn file_then_environment() {
        let dir = std::env::temp_dir().join(format!("portal-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("portal.toml");
        std::fs::write(&path, "bind = \"0.0.0.0:8080\"\ntimezone = \"Asia/Urumqi\"\n").unwrap();
        let c =
            Config::from_sources(Some(&path), |k| (k == "PORTAL_BIND").then(|| "127.0.0.1:9000".to_owned())).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:9000");
        assert_eq!(c.zone, chrono_tz::Asia::Urumqi);
        std::fs::write(&path, "colour = \"red\"\n").unwrap();
        assert_eq!(Config::from_sources(Some(&path), |_| None).unwrap_err().setting, "PORTAL_CONFIG");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
