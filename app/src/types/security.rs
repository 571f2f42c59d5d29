//! What the security pages show: sessions, security events, second-factor set-up.
use super::Timestamp;
use serde::{Deserialize, Serialize};

/// One live session of the signed-in principal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// A handle for "end this session": not the session id itself, which is a
    /// bearer secret and never leaves the cookie.
    pub handle: String,
    pub browser: String,
    pub origin: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// `last_seen_at` in the bank's time zone, "2026-11-29 14:05".
    pub last_seen_local: String,
    pub current: bool,
}

/// A security event of the customer's own (log-ins, changes, session ends).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityEvent {
    pub at: Timestamp,
    /// A stable event name (`login_succeeded`, `password_changed`, …), translated by the page.
    pub event: String,
    pub origin: String,
    /// `at` in the bank's time zone, "2026-11-29 14:05".
    pub at_local: String,
}

/// A second factor being set up: the secret to type or the QR code to scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSetup {
    /// Base32, grouped in fours for typing.
    pub secret: String,
    /// The `otpauth://` URI as a QR code, an SVG document.
    pub qr_svg: String,
}

/// A message in the development outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxView {
    pub id: i64,
    pub recipient: String,
    pub body: String,
    pub created_at: Timestamp,
}

/// An entry of the notification centre.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    /// A stable kind (`new_device_login`, …), translated by the page.
    pub kind: String,
    /// Plain text shown after the translated title (e.g. "Chrome · Android, 203.0.113.0/24").
    pub detail: String,
    pub created_local: String,
    pub unread: bool,
}

/// What the authenticator panel shows, decided by the server in one answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TotpPanel {
    /// No authenticator: offer to set one up.
    Off,
    /// A set-up under way: the secret and QR code, and the confirm form.
    Pending(TotpSetup),
    /// Just confirmed: the ten recovery codes, shown once.
    RecoveryCodes(Vec<String>),
    /// An authenticator is on.
    On,
}
