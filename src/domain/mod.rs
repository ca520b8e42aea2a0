//! Types that parse, not validate: once built they are known to be good.
//! Errors are message-catalogue keys.

pub mod markdown;
pub mod segments;
pub mod sla;
pub mod ticket;
pub mod zone;

use std::collections::HashSet;
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Trims, lowercases and checks the shape `local@domain.tld`.
    pub fn parse(raw: &str) -> Result<Email, &'static str> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err("error-email-required");
        }
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("error-email-invalid");
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err("error-email-invalid");
        };
        let domain_ok = !domain.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err("error-email-invalid");
        }
        if s.contains(['<', '>', ',', ';', '"', '\\', '(', ')', '[', ']']) {
            return Err("error-email-invalid");
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<DisplayName, &'static str> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("error-name-required");
        }
        if s.chars().count() > 80 {
            return Err("error-name-too-long");
        }
        if s.chars().any(|c| c.is_control()) {
            return Err("error-name-invalid");
        }
        Ok(DisplayName(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password that meets the policy: 12 to 256 characters and not one
/// of the most common passwords. No composition rules.
pub struct NewPassword(String);

pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 256;

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        include_str!("common_passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

impl NewPassword {
    pub fn parse(raw: &str) -> Result<NewPassword, &'static str> {
        let n = raw.chars().count();
        if n < PASSWORD_MIN {
            return Err("error-password-short");
        }
        if n > PASSWORD_MAX {
            return Err("error-password-long");
        }
        if common_passwords().contains(raw.to_lowercase().as_str()) {
            return Err("error-password-common");
        }
        Ok(NewPassword(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Turns a name into a URL slug: lowercase ASCII letters, digits and dashes.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !out.is_empty() && !dash {
            out.push('-');
            dash = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out.truncate(60);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_parse_and_normalise() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        assert!(Email::parse("").is_err());
        assert!(Email::parse("ann").is_err());
        assert!(Email::parse("ann@localhost").is_err());
        assert!(Email::parse("a b@example.com").is_err());
        assert!(Email::parse("<a>@example.com").is_err());
        assert!(Email::parse("a@exa..mple.com").is_err());
    }

    #[test]
    fn password_policy() {
        assert_eq!(
            NewPassword::parse("short").err(),
            Some("error-password-short")
        );
        assert_eq!(
            NewPassword::parse(&"x".repeat(257)).err(),
            Some("error-password-long")
        );
        assert_eq!(
            NewPassword::parse("password1234").err(),
            Some("error-password-common")
        );
        assert_eq!(
            NewPassword::parse("Password1234").err(),
            Some("error-password-common")
        );
        assert!(NewPassword::parse("correct horse battery").is_ok());
        // Length counts characters, not bytes.
        assert!(NewPassword::parse("密码密码密码密码密码密码").is_ok());
    }

    #[test]
    fn names_and_slugs() {
        assert!(DisplayName::parse("  ").is_err());
        assert!(DisplayName::parse(&"a".repeat(81)).is_err());
        assert_eq!(DisplayName::parse(" Ann ").unwrap().as_str(), "Ann");
        assert_eq!(slugify("Hello, World!  Cafe"), "hello-world-cafe");
        assert_eq!(slugify("--x--"), "x");
    }
}

/// A required line of text, trimmed, at most `max` characters.
pub fn required_text(
    raw: &str,
    max: usize,
    empty_key: &'static str,
    long_key: &'static str,
) -> Result<String, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(empty_key);
    }
    if s.chars().count() > max {
        return Err(long_key);
    }
    Ok(s.to_string())
}

/// Optional text, trimmed, at most `max` characters.
pub fn optional_text(
    raw: &str,
    max: usize,
    long_key: &'static str,
) -> Result<String, &'static str> {
    let s = raw.trim();
    if s.chars().count() > max {
        return Err(long_key);
    }
    Ok(s.to_string())
}

/// A URL slug as typed: lowercase letters, digits and single dashes.
pub fn parse_slug(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    let ok = !s.is_empty()
        && s.len() <= 80
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--");
    if ok {
        Ok(s.to_string())
    } else {
        Err("error-slug-invalid")
    }
}

/// A website: empty, or an http(s) URL.
pub fn parse_website(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    let ok = (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() <= 200
        && s.len() > "https://".len()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>');
    if ok {
        Ok(s.to_string())
    } else {
        Err("error-website-invalid")
    }
}

/// A star rating from 1 to 5.
pub fn parse_rating(raw: &str) -> Result<i32, &'static str> {
    match raw.trim().parse::<i32>() {
        Ok(n) if (1..=5).contains(&n) => Ok(n),
        _ => Err("error-rating-invalid"),
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn slugs_sites_ratings() {
        assert!(parse_slug("maths-101").is_ok());
        assert!(parse_slug("Maths").is_err());
        assert!(parse_slug("a--b").is_err());
        assert!(parse_slug("-a").is_err());
        assert!(parse_website("").is_ok());
        assert!(parse_website("https://x.example").is_ok());
        assert!(parse_website("javascript:alert(1)").is_err());
        assert!(parse_website("https://x.example/\"onmouseover").is_err());
        assert_eq!(parse_rating("4"), Ok(4));
        assert!(parse_rating("0").is_err());
        assert!(parse_rating("x").is_err());
    }
}
