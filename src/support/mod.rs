//! The support desk's side effects: who is emailed when a ticket moves,
//! with threading headers, and the signed satisfaction links.

pub mod attachments;
pub mod chart;
pub mod stats;

use crate::db::AnyConnection;
use crate::error::AppError;
use crate::mail::messages;
use crate::mail::notify::Optional;
use crate::models::outbox::{self, NewEmail};
use crate::models::preferences::{self, Kind};
use crate::models::tickets::{self, Ticket};
use crate::models::users;

/// The Message-ID of a ticket's first email; every later email about the
/// ticket points at it so mail clients keep one thread. It carries the
/// reply signature, so that nobody can point a forged reply at a ticket
/// by guessing it (`<ticket-1001.3f9a0c27d1e4@domain>`).
pub fn root_message_id(links: &Links, number: i64) -> String {
    format!(
        "<ticket-{number}.{}@{}>",
        reply_signature(&links.secret, number),
        links.domain
    )
}

/// The ticket number of a root Message-ID of ours, if its signature holds.
pub fn number_in_root_id(links: &Links, id: &str) -> Option<i64> {
    let inner = id
        .strip_prefix("<ticket-")?
        .strip_suffix(&format!("@{}>", links.domain))?;
    let (number, sig) = inner.split_once('.')?;
    let number: i64 = number.parse().ok()?;
    let expected = reply_signature(&links.secret, number);
    crate::auth::constant_time_eq(expected.as_bytes(), sig.as_bytes()).then_some(number)
}

/// Queues an email about the ticket, threaded under its root message,
/// with the ticket's reply address; its Message-ID is kept so that a reply
/// to it finds the ticket.
pub fn queue_threaded(
    conn: &mut AnyConnection,
    links: &Links,
    t: &Ticket,
    mut email: NewEmail,
) -> Result<(), AppError> {
    let root = root_message_id(links, t.number);
    email.in_reply_to = Some(root.clone());
    email.references = Some(root);
    email.reply_to = Some(links.reply_address(t.number));
    let id = outbox::enqueue(conn, &links.domain, &email)?;
    tickets::remember_mail_id(conn, t.id, &id)?;
    Ok(())
}

/// What links and Message-IDs in support emails are made from.
#[derive(Clone)]
pub struct Links {
    pub base: String,
    pub domain: String,
    pub secret: Vec<u8>,
    /// The help address (`AGORA_SUPPORT_ADDRESS`).
    pub support_address: String,
}

impl Links {
    pub fn of(settings: &crate::config::Settings) -> Links {
        Links {
            base: settings.base_url.clone(),
            domain: settings.mail_domain(),
            secret: settings.secret.clone(),
            support_address: settings.support_address.clone(),
        }
    }

    /// The ticket's own reply address: the help address with the ticket's
    /// number and a signature after a `+` (`support+t1001.3f9a0c27d1e4@…`).
    /// A reply sent there finds the ticket without any header.
    pub fn reply_address(&self, number: i64) -> String {
        let (local, domain) = self
            .support_address
            .split_once('@')
            .unwrap_or((self.support_address.as_str(), self.domain.as_str()));
        format!(
            "{local}+t{number}.{}@{domain}",
            reply_signature(&self.secret, number)
        )
    }
}

/// The signature in a ticket's reply address: 12 hex digits of an HMAC of
/// the ticket number (lower case: some mail systems fold local parts).
pub fn reply_signature(secret: &[u8], number: i64) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret).expect("any key length");
    mac.update(format!("reply:{number}").as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..6])
}

/// The confirmation to the requester (its Message-ID is the thread's
/// root), and the notice to partner members who want one.
pub fn ticket_opened(conn: &mut AnyConnection, links: &Links, t: &Ticket) -> Result<(), AppError> {
    let requester = users::by_id(conn, t.requester_id)?.ok_or(AppError::NotFound)?;
    let email = messages::ticket_opened(
        requester.lang(),
        &requester.email,
        &requester.display_name,
        &t.subject_line(),
        t.number,
        &format!("{}/me/tickets/{}", links.base, t.number),
    )?;
    let mut email = email;
    email.reply_to = Some(links.reply_address(t.number));
    let root = root_message_id(links, t.number);
    outbox::enqueue_with_id(conn, &root, &email)?;
    tickets::remember_mail_id(conn, t.id, &root)?;
    crate::mail::notify::ticket_for_partner(conn, links, t)
}

/// A public reply goes to the other side: staff or partner replies to the
/// requester; the requester's reply to the assigned agent.
fn public_reply(
    conn: &mut AnyConnection,
    links: &Links,
    t: &Ticket,
    by_requester: bool,
    author_label: &str,
    body: &str,
) -> Result<(), AppError> {
    let (recipient, link) = if by_requester {
        let Some(agent) = t.assignee_id else {
            return Ok(());
        };
        (
            users::by_id(conn, agent)?,
            format!("{}/desk/tickets/{}", links.base, t.number),
        )
    } else {
        (
            users::by_id(conn, t.requester_id)?,
            format!("{}/me/tickets/{}", links.base, t.number),
        )
    };
    let Some(recipient) = recipient else {
        return Ok(());
    };
    let email = messages::ticket_reply(
        recipient.lang(),
        &recipient.email,
        &t.subject_line(),
        t.number,
        author_label,
        body,
        &link,
    )?;
    queue_threaded(conn, links, t, email)
}

/// Writes a reply or note through the status machine and, for a public
/// reply, emails the other side; `files` (kept already) become the
/// message's attachments. Returns the ticket as it is afterwards, or
/// `None` when a public reply to a closed ticket was refused.
#[allow(clippy::too_many_arguments)]
pub fn reply(
    conn: &mut AnyConnection,
    links: &Links,
    t: &Ticket,
    writer: &tickets::Writer,
    author_label: &str,
    body: &str,
    internal: bool,
    cfg: &tickets::SlaConfig,
    files: &[attachments::Kept],
) -> Result<Option<Ticket>, AppError> {
    let Some(message_id) = tickets::reply(conn, t, writer, body, internal, cfg)? else {
        return Ok(None);
    };
    attachments::attach(conn, t.id, message_id, files)?;
    let t = tickets::by_id(conn, t.id)?;
    if !internal {
        let by_requester = matches!(writer, tickets::Writer::Requester(_));
        public_reply(conn, links, &t, by_requester, author_label, body)?;
    }
    Ok(Some(t))
}

pub fn assigned(
    conn: &mut AnyConnection,
    links: &Links,
    t: &Ticket,
    agent_id: i64,
) -> Result<(), AppError> {
    let Some(agent) = users::by_id(conn, agent_id)? else {
        return Ok(());
    };
    if !preferences::wants(conn, agent.id, Kind::Assignment)? {
        return Ok(());
    }
    let email = messages::ticket_assigned(
        agent.lang(),
        &agent.email,
        &t.subject_line(),
        t.number,
        &format!("{}/desk/tickets/{}", links.base, t.number),
        &Optional::new(links, agent.id, Kind::Assignment),
    )?;
    queue_threaded(conn, links, t, email)
}

/// The resolution notice, with five one-click rating links for a
/// requester who takes satisfaction surveys.
pub fn resolved(conn: &mut AnyConnection, links: &Links, t: &Ticket) -> Result<(), AppError> {
    let requester = users::by_id(conn, t.requester_id)?.ok_or(AppError::NotFound)?;
    let lang = requester.lang();
    let sig = satisfaction_signature(&links.secret, t.id);
    let survey = preferences::wants(conn, requester.id, Kind::Surveys)?.then(|| messages::Survey {
        rating_links: (1..=5)
            .map(|n| {
                (
                    lang.t_args("rating-label", &[("rating", (n as i64).into())]),
                    format!("{}/satisfaction/{}/{sig}?rating={n}", links.base, t.number),
                )
            })
            .collect(),
        optional: Optional::new(links, requester.id, Kind::Surveys),
    });
    let email = messages::ticket_resolved(
        lang,
        &requester.email,
        &requester.display_name,
        &t.subject_line(),
        t.number,
        survey,
        &format!("{}/me/tickets/{}", links.base, t.number),
    )?;
    queue_threaded(conn, links, t, email)
}

/// Signs a ticket id for the satisfaction links (no sign-in needed).
pub fn satisfaction_signature(secret: &[u8], ticket_id: i64) -> String {
    crate::auth::sign(secret, &format!("satisfaction:{ticket_id}"))
}

pub fn satisfaction_valid(secret: &[u8], ticket_id: i64, sig: &str) -> bool {
    crate::auth::signature_valid(secret, &format!("satisfaction:{ticket_id}"), sig)
}

/// A short name of the browser and system a User-Agent header names
/// (`Firefox · Windows`), for sign-in alerts; the header itself (cut
/// short) when it names neither.
pub fn browser_name(agent: &str) -> String {
    let has = |needle: &str| agent.contains(needle);
    let browser = if has("Edg/") {
        Some("Edge")
    } else if has("OPR/") {
        Some("Opera")
    } else if has("Firefox/") {
        Some("Firefox")
    } else if has("Chromium/") {
        Some("Chromium")
    } else if has("Chrome/") {
        Some("Chrome")
    } else if has("Safari/") {
        Some("Safari")
    } else {
        None
    };
    let system = if has("Android") {
        Some("Android")
    } else if has("iPhone") || has("iPad") {
        Some("iOS")
    } else if has("Windows") {
        Some("Windows")
    } else if has("Mac OS X") {
        Some("macOS")
    } else if has("CrOS") {
        Some("ChromeOS")
    } else if has("Linux") {
        Some("Linux")
    } else {
        None
    };
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(n), None) | (None, Some(n)) => n.to_string(),
        (None, None) if agent.trim().is_empty() => "?".to_string(),
        (None, None) => agent.chars().take(80).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_named_shortly() {
        assert_eq!(
            browser_name(
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
            ),
            "Chrome · Linux"
        );
        assert_eq!(
            browser_name("Mozilla/5.0 (Windows NT 10.0; rv:133.0) Gecko/20100101 Firefox/133.0"),
            "Firefox · Windows"
        );
        assert_eq!(
            browser_name(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile Safari/604.1"
            ),
            "Safari · iOS"
        );
        assert_eq!(browser_name("curl/8.5"), "curl/8.5");
    }

    #[test]
    fn signatures_are_tied_to_ticket_and_key() {
        let s = satisfaction_signature(b"key-one", 7);
        assert!(satisfaction_valid(b"key-one", 7, &s));
        assert!(!satisfaction_valid(b"key-one", 8, &s));
        assert!(!satisfaction_valid(b"key-two", 7, &s));
        assert!(!satisfaction_valid(b"key-one", 7, "forged"));
    }
}
