//! Webhooks: the events a partner's systems may be told of, how each is
//! written (with the consumer's consent applied as the partner's pages
//! apply it), how deliveries are signed (Standard Webhooks), which
//! addresses may receive them (`guard`) and the worker that posts them.

pub mod events;
pub mod guard;
pub mod worker;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The events an endpoint may choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    RequestCreated,
    ConsentGiven,
    ConsentWithdrawn,
    ReviewCreated,
    TicketCreated,
    TicketMessageCreated,
    TicketStatusChanged,
    ListingStatusChanged,
}

impl EventType {
    pub const ALL: [EventType; 8] = [
        EventType::RequestCreated,
        EventType::ConsentGiven,
        EventType::ConsentWithdrawn,
        EventType::ReviewCreated,
        EventType::TicketCreated,
        EventType::TicketMessageCreated,
        EventType::TicketStatusChanged,
        EventType::ListingStatusChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::RequestCreated => "request.created",
            EventType::ConsentGiven => "consent.given",
            EventType::ConsentWithdrawn => "consent.withdrawn",
            EventType::ReviewCreated => "review.created",
            EventType::TicketCreated => "ticket.created",
            EventType::TicketMessageCreated => "ticket.message.created",
            EventType::TicketStatusChanged => "ticket.status_changed",
            EventType::ListingStatusChanged => "listing.status_changed",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The catalogue key of the event's description.
    pub fn label_key(self) -> String {
        format!("webhooks-event-{}", self.as_str().replace(['.', '_'], "-"))
    }
}

/// What a new endpoint secret starts with (Standard Webhooks).
pub const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The signature of one delivery with one secret, as the
/// `webhook-signature` header carries it: `v1,` and the base64 HMAC-SHA256
/// of `{id}.{timestamp}.{body}` keyed with the secret's decoded bytes.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The `webhook-signature` header: one signature per secret that signs,
/// separated by spaces.
pub fn signature_header(secrets: &[&str], id: &str, timestamp: i64, body: &str) -> String {
    secrets
        .iter()
        .filter_map(|s| sign(s, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_the_specification_example() {
        // The example of the Standard Webhooks specification.
        let sig = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(
            sig.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn every_event_type_reads_back() {
        for e in EventType::ALL {
            assert_eq!(EventType::parse(e.as_str()), Some(e));
        }
        assert_eq!(EventType::parse("request"), None);
    }

    #[test]
    fn secrets_are_fresh_and_decodable() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(sign(&a, "msg_1", 1, "{}").is_some());
        assert_eq!(
            signature_header(&[&a, &b], "msg_1", 1, "{}")
                .split(' ')
                .count(),
            2
        );
    }
}
