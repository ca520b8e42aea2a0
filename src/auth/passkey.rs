//! Passkeys (WebAuthn): the relying party Agora is to authenticators, and
//! the stable handle each account has on them.

use std::sync::Arc;

use webauthn_rs::prelude::{Url, Uuid, Webauthn, WebauthnBuilder};

/// The relying party of a base URL: its host is the id authenticators
/// bind passkeys to, the URL the one origin they are used from. `None`
/// when the host is an address (browsers refuse an address as relying
/// party id) or the URL cannot be read: passkeys are then not offered.
pub fn relying_party(base_url: &str) -> Option<Arc<Webauthn>> {
    let url = Url::parse(base_url).ok()?;
    let host = url.host_str()?.to_string();
    if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        return None;
    }
    WebauthnBuilder::new(&host, &url)
        .ok()?
        .rp_name("Agora")
        .build()
        .ok()
        .map(Arc::new)
}

/// The account's handle on authenticators: derived from its id with the
/// secret key, so it says nothing of the account to anyone else.
pub fn user_handle(secret: &[u8], user_id: i64) -> Uuid {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret).expect("any key length");
    mac.update(format!("passkey-handle:{user_id}").as_bytes());
    let bytes = mac.finalize().into_bytes();
    let mut id = [0u8; 16];
    id.copy_from_slice(&bytes[..16]);
    Uuid::from_bytes(id)
}

/// A credential id as text (base64url without padding).
pub fn credential_text(id: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_cannot_be_relying_parties() {
        assert!(relying_party("http://127.0.0.1:8080").is_none());
        assert!(relying_party("http://[::1]:8080").is_none());
        assert!(relying_party("http://localhost:8080").is_some());
        assert!(relying_party("https://agora.example.com").is_some());
    }

    #[test]
    fn handles_are_stable_and_differ_per_account() {
        let s = b"secret";
        assert_eq!(user_handle(s, 7), user_handle(s, 7));
        assert_ne!(user_handle(s, 7), user_handle(s, 8));
        assert_ne!(user_handle(s, 7), user_handle(b"other", 7));
    }
}
