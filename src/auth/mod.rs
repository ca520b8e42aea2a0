pub mod csrf;
pub mod device;
pub mod passkey;
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

/// An HMAC-SHA256 signature of `message` under `secret`, URL-safe: lets a
/// link in an email prove where it came from without a sign-in.
pub fn sign(secret: &[u8], message: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret).expect("any key length");
    mac.update(message.as_bytes());
    let bytes = mac.finalize().into_bytes();
    base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        &bytes[..18],
    )
}

pub fn signature_valid(secret: &[u8], message: &str, sig: &str) -> bool {
    constant_time_eq(sign(secret, message).as_bytes(), sig.as_bytes())
}
