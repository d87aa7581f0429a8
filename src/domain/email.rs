//! E-mail addresses, checked the way checkout needs them: plausibly deliverable
//! (`local@domain.tld`), not RFC 5322 in full.

use std::fmt;

use super::ParseError;

/// Longest accepted address (RFC 5321's path limit less the brackets).
pub const MAX_EMAIL_LEN: usize = 254;

/// A plausible e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld` with no spaces, one `@`, a domain with a dot
    /// that neither starts nor ends the domain, at most 254 characters.
    /// Surrounding white space is removed first.
    ///
    /// # Errors
    /// A [`ParseError`] describing the problem.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let email = raw.trim();
        if email.is_empty() {
            return Err(ParseError::new("email is required"));
        }
        if email.len() > MAX_EMAIL_LEN {
            return Err(ParseError::new(format!(
                "email must be at most {MAX_EMAIL_LEN} characters"
            )));
        }
        let invalid = || ParseError::new(format!("{email:?} is not a valid e-mail address"));
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        if local.is_empty() || local.len() > 64 || domain.contains('@') {
            return Err(invalid());
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
            return Err(invalid());
        }
        Ok(Self(email.to_owned()))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_are_accepted_and_trimmed() {
        assert_eq!(
            Email::parse("  ada@example.com ").map(|e| e.as_str().to_owned()),
            Ok("ada@example.com".to_owned())
        );
        assert!(Email::parse("first.last+tag@sub.example.co.uk").is_ok());
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "ada@",
            "ada@example",
            "ada@.com",
            "ada@example.",
            "ada@@example.com",
            "a da@example.com",
            "ada@exa..mple.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }
}
