//! The key a money-moving form carries so that sending it twice moves money once.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// 16 to 64 characters of letters, digits, '-' and '_'.
    pub fn parse(text: &str) -> Result<IdempotencyKey, crate::error::AppError> {
        let ok = (16..=64).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(IdempotencyKey(text.to_owned()))
        } else {
            Err(crate::error::AppError::invalid("idempotency_key"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A fresh random key (server side: forms are rendered with one).
    #[cfg(feature = "ssr")]
    pub fn generate() -> IdempotencyKey {
        use rand::RngCore;
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        IdempotencyKey(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl From<IdempotencyKey> for String {
    fn from(key: IdempotencyKey) -> String {
        key.0
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        IdempotencyKey::parse(&text).map_err(|_| "not an idempotency key".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bounded_and_plain() {
        assert!(IdempotencyKey::parse("0123456789abcdef").is_ok());
        assert!(IdempotencyKey::parse("short").is_err());
        assert!(IdempotencyKey::parse(&"a".repeat(65)).is_err());
        assert!(IdempotencyKey::parse("0123456789abcdef'; --").is_err());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn generated_keys_are_valid_and_differ() {
        let a = IdempotencyKey::generate();
        assert!(IdempotencyKey::parse(a.as_str()).is_ok());
        assert_ne!(a, IdempotencyKey::generate());
    }
}
