pub mod csrf;
pub mod password;
pub mod store;

/// Keys kept in the session state.
pub const SESSION_USER: &str = "uid";
pub const SESSION_PUBLIC_ID: &str = "sid";
pub const SESSION_CSRF: &str = "csrf";
pub const SESSION_FLASH: &str = "flash";
pub const SESSION_AGENT: &str = "ua";
pub const SESSION_IP: &str = "ip";

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A random URL-safe string with `bytes` bytes of entropy.
pub fn random_id(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, buf)
}
