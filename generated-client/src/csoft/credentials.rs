//! The account's Username and PIN, checked against the documented limits.

use std::fmt;

/// The longest Username or PIN the documents allow.
pub const MAX_CREDENTIAL_LENGTH: usize = 20;

/// A Username and PIN. Neither ever appears in `Debug` output or in logs.
#[derive(Clone)]
pub struct Credentials {
    username: String,
    pin: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials(<redacted>)")
    }
}

/// A Username or PIN outside the documented sizes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} must be 1 to 20 characters, not {length}")]
#[non_exhaustive]
pub struct InvalidCredentials {
    /// `Username` or `PIN`.
    pub field: &'static str,
    /// Its length in characters.
    pub length: usize,
}

impl Credentials {
    /// Checks the documented limits: 1 to 20 characters each.
    pub fn new(
        username: impl Into<String>,
        pin: impl Into<String>,
    ) -> Result<Self, InvalidCredentials> {
        let (username, pin) = (username.into(), pin.into());
        for (field, value) in [("Username", &username), ("PIN", &pin)] {
            let length = value.chars().count();
            if length == 0 || length > MAX_CREDENTIAL_LENGTH {
                return Err(InvalidCredentials { field, length });
            }
        }
        Ok(Self { username, pin })
    }

    pub(crate) fn username(&self) -> &str {
        &self.username
    }

    pub(crate) fn pin(&self) -> &str {
        &self.pin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_checked_and_never_shown() {
        assert!(Credentials::new("a".repeat(20), "1").is_ok());
        assert_eq!(
            Credentials::new("a".repeat(21), "1").unwrap_err(),
            InvalidCredentials {
                field: "Username",
                length: 21
            }
        );
        assert!(Credentials::new("user", "").is_err());
        let shown = format!("{:?}", Credentials::new("secretuser", "secretpin").unwrap());
        assert!(!shown.contains("secret"), "{shown}");
    }
}
