//! The second factor: time-based one-time passwords (RFC 6238), the enrollment QR
//! code, and single-use recovery codes.
//!
//! Everything here is pure computation over values handed in by the caller (the
//! current time comes from the injected `Clock`, never from the system clock), so a
//! service can test enrollment and login at any instant. Nothing here logs: a secret,
//! a code or a recovery code must never reach a log line.
//!
//! TOTP parameters are the ones every authenticator app supports without question:
//! HMAC-SHA1, 30-second steps, 6 digits, T0 = 0. SHA-1's collision weakness does not
//! affect HMAC, and choosing SHA-256 would silently break some apps (they ignore the
//! `algorithm` parameter and show wrong codes).
use std::fmt::{self, Write as _};

use hmac::{Hmac, Mac};
use qrcodegen::{QrCode, QrCodeEcc};
use rand::{rngs::OsRng, Rng, RngCore};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::types::Timestamp;

/// Length of a TOTP time step, in seconds (RFC 6238's default, what every app assumes).
pub const STEP_SECONDS: i64 = 30;

/// Number of digits of a code.
pub const DIGITS: usize = 6;

/// Bytes in a secret: 160 bits, the HMAC-SHA1 output size, as RFC 4226 recommends.
pub const SECRET_LEN: usize = 20;

/// How many recovery codes an enrollment hands out.
pub const RECOVERY_CODE_COUNT: usize = 10;

/// Characters in a recovery code, without the display dash.
pub const RECOVERY_CODE_LEN: usize = 10;

/// The RFC 4648 base32 alphabet.
const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Recovery code alphabet: lowercase letters and digits without the look-alikes
/// 0/o, 1/i/l. People copy these codes from paper, often years later; 31 symbols
/// give log2(31) ≈ 4.95 bits per character, ≈ 49.5 bits per 10-character code.
const RECOVERY_ALPHABET: &[u8; 31] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A TOTP shared secret: 160 random bits.
///
/// Deliberately neither `Display`, `Serialize` nor a derived `Debug`: the secret
/// leaves this type only through [`TotpSecret::to_base32`] (for the database column
/// and the enrollment QR code), so it cannot slip into a log line or a response by
/// accident. Not `PartialEq` either: comparing secrets is never needed, and a derived
/// comparison would not be constant-time.
#[derive(Clone)]
pub struct TotpSecret([u8; SECRET_LEN]);

impl TotpSecret {
    /// A fresh secret from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = [0u8; SECRET_LEN];
        OsRng.fill_bytes(&mut bytes);
        TotpSecret(bytes)
    }

    /// A secret from raw bytes (tests, and the RFC test vectors).
    pub const fn from_bytes(bytes: [u8; SECRET_LEN]) -> Self {
        TotpSecret(bytes)
    }

    /// RFC 4648 base32, uppercase, without padding: 32 characters. This is what
    /// authenticator apps expect in the `otpauth://` URI and what a user types when
    /// they cannot scan the QR code, and it is how the database stores the secret.
    pub fn to_base32(&self) -> String {
        base32_encode(&self.0)
    }

    /// Parses the output of [`TotpSecret::to_base32`]. Lowercase and whitespace are
    /// accepted (apps and people show the secret in groups, sometimes in lowercase),
    /// as is trailing `=` padding; anything that does not decode to exactly 160 bits
    /// is refused.
    pub fn from_base32(text: &str) -> Option<Self> {
        let bytes = base32_decode(text)?;
        let bytes: [u8; SECRET_LEN] = bytes.try_into().ok()?;
        Some(TotpSecret(bytes))
    }
}

impl fmt::Debug for TotpSecret {
    /// Never prints the secret: `Debug` output ends up in logs and panic messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

/// The TOTP time step containing `now`: floor(unix seconds / 30), T0 = 0.
///
/// Floor, not truncation, so that instants before 1970 (only ever seen in tests)
/// still fall into consecutive steps.
pub fn step_of(now: Timestamp) -> i64 {
    now.micros().div_euclid(STEP_SECONDS * 1_000_000)
}

/// The 6-digit code for one time step (RFC 4226 HOTP with the step as the counter),
/// zero-padded: leading zeros are part of the code.
pub fn code_at_step(secret: &TotpSecret, step: i64) -> String {
    // HMAC pads a key shorter than the hash's block size with zeros (RFC 2104), so
    // placing the 20-byte secret into a zeroed 64-byte block gives exactly the same
    // MAC as `new_from_slice`, through the infallible `Mac::new`: no error path to
    // handle for something that cannot fail.
    let mut key = hmac::digest::Key::<Hmac<Sha1>>::default();
    key[..SECRET_LEN].copy_from_slice(&secret.0);
    let mut mac = <Hmac<Sha1> as Mac>::new(&key);
    // The counter is the step as an 8-byte big-endian integer. Negative steps (before
    // 1970) only occur in tests; their two's-complement bytes are as good as any.
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();

    // Dynamic truncation (RFC 4226 §5.3): the low nibble of the last byte picks an
    // offset; the 31 bits from there, modulo 10^6, are the code.
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([hash[offset] & 0x7f, hash[offset + 1], hash[offset + 2], hash[offset + 3]]);
    format!("{:06}", binary % 1_000_000)
}

/// Checks a code typed by the user, and returns the time step it belongs to.
///
/// - Whitespace is removed first (apps show codes as `123 456`); what remains must be
///   exactly six ASCII digits.
/// - Steps `now - 1`, `now` and `now + 1` are accepted: ±30 s absorbs clock drift on
///   the phone and the time it takes to type the code, without widening the window
///   for a guessed or stolen code any further.
/// - Each comparison is constant-time, and all three are always made, so response
///   time says nothing about how close a guess was.
/// - A match counts only if its step is strictly greater than `last_used_step`: a
///   code is accepted once, and after a newer code was used an older one (still in
///   the window) cannot be replayed. If the code happens to match several steps, the
///   latest one is returned, so the same digits cannot be accepted twice.
///
/// The caller must store the returned step as the new `last_used_step`, atomically
/// with the check (e.g. `UPDATE … SET totp_last_step = $1 WHERE … AND
/// (totp_last_step IS NULL OR totp_last_step < $1)`), otherwise two concurrent
/// submissions of one code could both succeed.
pub fn verify(secret: &TotpSecret, code: &str, now: Timestamp, last_used_step: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_of(now);
    let mut matched = None;
    for step in [current.saturating_sub(1), current, current.saturating_add(1)] {
        let equal: bool = code_at_step(secret, step).as_bytes().ct_eq(code.as_bytes()).into();
        let fresh = last_used_step.is_none_or(|last| step > last);
        if equal && fresh {
            matched = Some(step);
        }
    }
    matched
}

/// The `otpauth://` URI that authenticator apps read from the enrollment QR code
/// (Google's "Key Uri Format", understood by every common app).
///
/// The issuer appears both as the label prefix (older apps read only that) and as the
/// `issuer` parameter (newer apps prefer it). Issuer and account are percent-encoded
/// separately, so a `:` inside either cannot be mistaken for the separator, and
/// Chinese names travel as UTF-8 bytes.
pub fn otpauth_uri(secret: &TotpSecret, issuer: &str, account: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        account = percent_encode(account),
        secret = secret.to_base32(),
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`): always safe in a path segment and a query value.
fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len() * 3);
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// Modules of white border around the code: the QR specification's minimum quiet
/// zone, without which some phone scanners fail to find the code.
const QUIET_ZONE: i32 = 4;

/// The QR code for `text` as a standalone SVG string, or `None` if the text is too
/// long for a QR code.
///
/// Server-rendered SVG rather than a PNG or a script-drawn canvas: it needs no image
/// route (the secret never sits at a URL), works before or without WASM, and stays
/// sharp at any size. No `width`/`height` attributes, so CSS sizes it (the page gives
/// it `max-width: 100%`); `shape-rendering="crispEdges"` keeps module edges sharp
/// when scaled. Dark modules are one `<path>` (runs of adjacent modules in a row are
/// merged), black on a white `<rect>`, so the code scans in dark mode too.
///
/// For screen readers the image is `role="img"` named by its `<title>` through
/// `aria-labelledby`; the id carries a random suffix so two codes on one page do not
/// share an id. The title is XML-escaped.
pub fn qr_svg(text: &str, title: &str) -> Option<String> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let extent = size + 2 * QUIET_ZONE;
    let title_id = format!("qr-title-{:08x}", OsRng.next_u32());

    let mut path = String::new();
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if !qr.get_module(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < size && qr.get_module(x, y) {
                x += 1;
            }
            let run = x - start;
            // Writing into a String cannot fail.
            let _ = write!(path, "M{},{}h{run}v1h-{run}z", start + QUIET_ZONE, y + QUIET_ZONE);
        }
    }

    Some(format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {extent} {extent}" role="img" "#,
            r#"aria-labelledby="{id}" shape-rendering="crispEdges">"#,
            r#"<title id="{id}">{title}</title>"#,
            r##"<rect x="0" y="0" width="{extent}" height="{extent}" fill="#ffffff"/>"##,
            r##"<path fill="#000000" d="{path}"/>"##,
            "</svg>"
        ),
        extent = extent,
        id = title_id,
        title = xml_escape(title),
        path = path,
    ))
}

/// Escapes text for XML content and attribute values, and drops the control
/// characters XML 1.0 does not allow at all (they would make the document invalid
/// even when escaped).
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Ten fresh recovery codes for display, each `xxxxx-xxxxx` in lowercase, distinct.
///
/// Each code is 10 characters drawn uniformly (`gen_range`, no modulo bias) from a
/// 31-symbol alphabet without look-alikes: about 49.5 bits of entropy. Only their
/// hashes ([`hash_recovery_code`]) are stored; the codes are shown once.
pub fn generate_recovery_codes() -> Vec<String> {
    let mut codes: Vec<String> = Vec::with_capacity(RECOVERY_CODE_COUNT);
    while codes.len() < RECOVERY_CODE_COUNT {
        let mut code = String::with_capacity(RECOVERY_CODE_LEN + 1);
        for i in 0..RECOVERY_CODE_LEN {
            if i == RECOVERY_CODE_LEN / 2 {
                code.push('-');
            }
            code.push(char::from(RECOVERY_ALPHABET[OsRng.gen_range(0..RECOVERY_ALPHABET.len())]));
        }
        // A repeat is astronomically unlikely, but "ten distinct codes" is a promise.
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

/// The canonical form of a recovery code as typed: lowercase, without whitespace or
/// dashes. Full-width ASCII (what a Chinese input method produces in full-width
/// mode, e.g. `ＡＢＣ－１２`) is folded to ASCII first, so such input still matches.
pub fn normalize_recovery_code(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            // U+FF01..=U+FF5E are full-width forms of U+0021..=U+007E.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Lowercase hex SHA-256 of the normalized code: what the database stores.
///
/// A fast, unsalted hash is acceptable here, unlike for passwords: each code carries
/// ~50 bits of randomness (not a human choice, so no dictionary applies), is
/// single-use, and attempts are rate-limited, so an attacker holding the hashes
/// would still face ~2^49 SHA-256 evaluations per code, and online guessing is
/// hopeless. A slow hash would only make every recovery attempt (ten comparisons)
/// cost the server seconds of CPU.
pub fn hash_recovery_code(code: &str) -> String {
    let digest = Sha256::digest(normalize_recovery_code(code).as_bytes());
    hex(&digest)
}

/// Whether `input` (as typed) is the recovery code whose hash is `stored_hash`,
/// compared in constant time.
pub fn recovery_code_matches(input: &str, stored_hash: &str) -> bool {
    hash_recovery_code(input).as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

/// RFC 4648 base32 without padding.
fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32_ALPHABET[((buffer >> bits) & 0x1f) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32_ALPHABET[((buffer << (5 - bits)) & 0x1f) as usize]));
    }
    out
}

/// RFC 4648 base32: case-insensitive, whitespace ignored, trailing `=` allowed.
/// Refuses non-canonical input (a length no encoding produces, or non-zero leftover
/// bits), so every accepted text maps to exactly one byte string.
fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let end = compact.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1);
    let mut out = Vec::with_capacity(end * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for &c in &compact[..end] {
        let value = match c.to_ascii_uppercase() {
            c @ b'A'..=b'Z' => c - b'A',
            c @ b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | u32::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
        buffer &= (1 << bits) - 1;
    }
    if bits >= 5 || buffer != 0 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests;
