//! A log-in name, validated the same way in the browser and on the server.
use serde::{Deserialize, Serialize};

/// 4 to 32 characters: lowercase letters, digits, `_`, `.`, `-`, starting with a
/// letter. Stored lowercase, so "WangFang" and "wangfang" are one name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Username(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UsernameProblem {
    Length,
    Characters,
    MustStartWithLetter,
}

impl Username {
    pub fn parse(input: &str) -> Result<Username, UsernameProblem> {
        let name = input.trim().to_ascii_lowercase();
        if !(4..=32).contains(&name.chars().count()) {
            return Err(UsernameProblem::Length);
        }
        if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-')) {
            return Err(UsernameProblem::Characters);
        }
        if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(UsernameProblem::MustStartWithLetter);
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names_are_lowercased() {
        assert_eq!(Username::parse(" WangFang88 ").unwrap().as_str(), "wangfang88");
        assert_eq!(Username::parse("li.na_2").unwrap().as_str(), "li.na_2");
    }

    #[test]
    fn invalid_names_are_refused() {
        assert_eq!(Username::parse("abc"), Err(UsernameProblem::Length));
        assert_eq!(Username::parse(&"a".repeat(33)), Err(UsernameProblem::Length));
        assert_eq!(Username::parse("wang fang"), Err(UsernameProblem::Characters));
        assert_eq!(Username::parse("王芳王芳"), Err(UsernameProblem::Characters));
        assert_eq!(Username::parse("8wang"), Err(UsernameProblem::MustStartWithLetter));
    }
}
