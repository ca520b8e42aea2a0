//! Email that arrives: replies to tickets and new requests for help. One
//! raw RFC 5322 message at a time (from `agora mail receive`, which an
//! MTA pipes each message to), parsed with `mail-parser` (any charset and
//! transfer encoding; HTML-only mail turned into text), stored once per
//! Message-ID with its original, and then:
//!
//! - noise is ignored: `Auto-Submitted` other than `no` (RFC 3834),
//!   `Precedence: bulk`, `list` or `junk`, delivery reports and mail from
//!   Agora's own addresses;
//! - a ticket is found by, in order, `In-Reply-To`/`References` against the
//!   Message-IDs Agora sent and received for it, the ticket's signed reply
//!   address among the recipients, or `[#1001]` in the subject when the
//!   sender is the requester or a member of the ticket's partner;
//! - the requester writes as the consumer, the partner's members as the
//!   partner, staff as the desk (a first line `#note` makes an internal
//!   note); anyone else changes nothing and is answered politely;
//! - a message that finds no ticket opens one for a verified account, and
//!   is answered with the sign-up and help links otherwise;
//! - a reply to a closed ticket opens a follow-up that links back.
//!
//! Automatic answers to one address are limited to a few an hour, and
//! every one carries `Auto-Submitted`.

use crate::db::LimitInText;
use diesel::prelude::*;
use mail_parser::{Message, MessageParser, MimeHeaders};

use crate::db::{AnyConnection, write_tx};
use crate::domain::ticket::{Priority, Status};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::mail::messages;
use crate::models::partners;
use crate::models::throttle::{self, Key};
use crate::models::tickets::{self, NewTicket, Ticket, Writer};
use crate::models::users::{self, User};
use crate::models::{now, outbox};
use crate::schema::{inbound_mail, ticket_messages, tickets as tickets_t};
use crate::support::{self, Links};

/// Automatic answers one address may get per hour.
pub const ANSWERS_PER_HOUR: i64 = 3;

/// Automatic answers sent per hour to all addresses together.
pub const ANSWERS_PER_HOUR_IN_ALL: i64 = 300;

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Added to a ticket, found as `matched_by` says.
    Added { number: i64, matched_by: Match },
    /// A new ticket (a follow-up when `follows` names a closed one).
    Opened { number: i64, follows: Option<i64> },
    /// This Message-ID was received before; nothing was done again.
    Duplicate,
    /// Noise (an auto-reply, a bounce, a list, our own mail).
    Ignored(&'static str),
    /// Not from someone who may write there; answered (when the hourly
    /// limit allows) and nothing changed.
    Refused(&'static str),
}

impl Received {
    /// The word stored as the outcome.
    pub fn outcome(&self) -> &'static str {
        match self {
            Received::Added { .. } => "added",
            Received::Opened { .. } => "opened",
            Received::Duplicate => "duplicate",
            Received::Ignored(_) => "ignored",
            Received::Refused(_) => "refused",
        }
    }
}

/// How a message found its ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    Headers,
    ReplyAddress,
    Subject,
}

impl Match {
    pub fn as_str(self) -> &'static str {
        match self {
            Match::Headers => "headers",
            Match::ReplyAddress => "reply_address",
            Match::Subject => "subject",
        }
    }
}

/// Why a message could not be taken; the exit code tells an MTA whether
/// to try again (sysexits).
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    #[error("the message cannot be read as an email")]
    Unreadable,
    #[error("the message is larger than AGORA_MAIL_MAX_BYTES")]
    TooLarge,
    #[error("the message could not be stored: {0}")]
    Unavailable(String),
}

impl ReceiveError {
    /// `EX_DATAERR` (65) bounces the message; `EX_TEMPFAIL` (75) makes the
    /// MTA try again later.
    pub fn exit_code(&self) -> i32 {
        match self {
            ReceiveError::Unreadable | ReceiveError::TooLarge => 65,
            ReceiveError::Unavailable(_) => 75,
        }
    }
}

impl From<AppError> for ReceiveError {
    fn from(e: AppError) -> ReceiveError {
        ReceiveError::Unavailable(e.to_string())
    }
}

impl From<diesel::result::Error> for ReceiveError {
    fn from(e: diesel::result::Error) -> ReceiveError {
        ReceiveError::Unavailable(e.to_string())
    }
}

/// Agora's own addresses: mail from them is never taken in.
pub fn own_addresses(settings: &crate::config::Settings) -> Vec<String> {
    vec![bare(&settings.mail_from), bare(&settings.support_address)]
}

/// What the rest of the work needs to know of a message.
struct Parsed {
    message_id: String,
    from: String,
    subject: String,
    text: String,
    references: Vec<String>,
    recipients: Vec<String>,
    noise: Option<&'static str>,
    /// The attached files: name and bytes.
    files: Vec<(String, Vec<u8>)>,
}

/// What taking mail in needs to know: the links and addresses of the
/// portal, and the limits of a message and its files.
#[derive(Clone)]
pub struct Intake {
    pub links: Links,
    pub own: Vec<String>,
    pub max_bytes: usize,
    pub attachments: crate::support::attachments::Rules,
}

impl Intake {
    pub fn of(settings: &crate::config::Settings) -> Intake {
        Intake {
            links: Links::of(settings),
            own: own_addresses(settings),
            max_bytes: settings.mail_max_bytes,
            attachments: settings.attachments.clone(),
        }
    }
}

fn bare(addr: &str) -> String {
    let a = addr.trim();
    let a = match (a.rfind('<'), a.rfind('>')) {
        (Some(i), Some(j)) if i < j => &a[i + 1..j],
        _ => a,
    };
    a.trim().to_lowercase()
}

fn addresses(msg: &Message, header: &str) -> Vec<String> {
    let mut out = Vec::new();
    for value in msg.header_values(header) {
        if let Some(list) = value.as_address() {
            out.extend(list.iter().filter_map(|a| a.address()).map(bare));
        } else if let Some(text) = value.as_text() {
            out.extend(text.split(',').map(bare).filter(|a| a.contains('@')));
        }
    }
    out
}

fn header_is(msg: &Message, name: &str, pred: impl Fn(&str) -> bool) -> bool {
    msg.header_raw(name)
        .map(|v| pred(&v.trim().to_ascii_lowercase()))
        .unwrap_or(false)
}

fn parse(raw: &[u8], own: &[String]) -> Result<Parsed, ReceiveError> {
    let msg = MessageParser::default()
        .parse(raw)
        .filter(|m| m.headers().iter().any(|h| !h.name.as_str().is_empty()))
        .ok_or(ReceiveError::Unreadable)?;
    let from = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(bare)
        .unwrap_or_default();
    // Without a Message-ID, the message's own bytes name it: a retry of
    // the same message is still found.
    let message_id = match msg.message_id() {
        Some(id) if !id.trim().is_empty() => format!("<{}>", id.trim()),
        _ => {
            use sha2::Digest;
            format!("<{}@inbound.agora>", hex::encode(sha2::Sha256::digest(raw)))
        }
    };
    let mut references: Vec<String> = Vec::new();
    for v in [msg.in_reply_to(), msg.references()] {
        if let Some(list) = v.as_text_list() {
            references.extend(list.iter().map(|id| format!("<{}>", id.trim())));
        }
    }
    let mut recipients = addresses(&msg, "To");
    for h in ["Cc", "Delivered-To", "X-Original-To", "Envelope-To"] {
        recipients.extend(addresses(&msg, h));
    }
    let report = msg.content_type().is_some_and(|c| {
        c.ctype().eq_ignore_ascii_case("multipart")
            && c.subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    let local = from.split('@').next().unwrap_or("");
    let noise = if header_is(&msg, "Auto-Submitted", |v| v != "no") {
        Some("auto-submitted")
    } else if header_is(&msg, "Precedence", |v| {
        matches!(v, "bulk" | "list" | "junk")
    }) {
        Some("bulk")
    } else if report || matches!(local, "mailer-daemon" | "postmaster") {
        Some("delivery-report")
    } else if from.is_empty() {
        Some("no-sender")
    } else if own.iter().any(|o| o == &from) {
        Some("own-address")
    } else {
        None
    };
    let files = msg
        .attachments()
        .map(|part| {
            (
                part.attachment_name().unwrap_or("file").to_string(),
                part.contents().to_vec(),
            )
        })
        .collect();
    Ok(Parsed {
        files,
        message_id,
        from,
        subject: msg.subject().unwrap_or_default().trim().to_string(),
        text: msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        references,
        recipients,
        noise,
    })
}

/// The part of a reply a person wrote: the text above the quoted history
/// ("On … wrote:", lines starting with `>`, an "Original Message" or
/// `From:` block) and above the signature (`-- `). The whole text when
/// nothing is left.
pub fn visible_text(text: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        let next_quoted = lines
            .get(i + 1)
            .is_some_and(|n| n.trim_start().starts_with('>'));
        let attribution = (t.starts_with("On ") && t.ends_with("wrote:"))
            || (t.starts_with('在') && (t.ends_with("写道：") || t.ends_with("写道:")))
            || (t.ends_with(':') && next_quoted && t.len() < 200);
        if *line == "-- "
            || t.starts_with('>')
            || attribution
            || t.starts_with("-----Original Message-----")
            || t.starts_with("________________________________")
            || (t.starts_with("From: ")
                && i > 0
                && lines[i - 1].trim().is_empty()
                && !kept.is_empty())
        {
            break;
        }
        kept.push(line);
    }
    let out = kept.join("\n").trim().to_string();
    if out.is_empty() {
        text.trim().to_string()
    } else {
        out
    }
}

/// The ticket number in a reply address of ours, if its signature holds.
fn number_in_reply_address(links: &Links, addr: &str) -> Option<i64> {
    let (local, domain) = addr.split_once('@')?;
    let (base, base_domain) = links.support_address.split_once('@')?;
    if !domain.eq_ignore_ascii_case(base_domain) {
        return None;
    }
    let tag = local.strip_prefix(base)?.strip_prefix("+t")?;
    let (number, sig) = tag.split_once('.')?;
    let number: i64 = number.parse().ok()?;
    let expected = support::reply_signature(&links.secret, number);
    crate::auth::constant_time_eq(expected.as_bytes(), sig.to_ascii_lowercase().as_bytes())
        .then_some(number)
}

/// The number in a `[#1001]` of the subject.
fn number_in_subject(subject: &str) -> Option<i64> {
    let start = subject.find("[#")? + 2;
    let end = start + subject[start..].find(']')?;
    subject[start..end].trim().parse().ok()
}

/// How the sender stands to the ticket.
enum Standing {
    Requester,
    Staff,
    Partner(i64),
    Stranger,
}

fn standing(conn: &mut AnyConnection, t: &Ticket, user: Option<&User>) -> QueryResult<Standing> {
    let Some(u) = user.filter(|u| u.is_active() && u.is_verified()) else {
        return Ok(Standing::Stranger);
    };
    if u.id == t.requester_id {
        return Ok(Standing::Requester);
    }
    if u.is_staff || u.is_admin {
        return Ok(Standing::Staff);
    }
    if let Some(pid) = t.partner_id
        && partners::role_of(conn, pid, u.id)?.is_some()
    {
        return Ok(Standing::Partner(pid));
    }
    Ok(Standing::Stranger)
}

/// Finds the ticket a message belongs to, with how.
fn find_ticket(
    conn: &mut AnyConnection,
    links: &Links,
    p: &Parsed,
    user: Option<&User>,
) -> QueryResult<Option<(Ticket, Match)>> {
    if let Some(t) = tickets::by_mail_ids(conn, &p.references)? {
        return Ok(Some((t, Match::Headers)));
    }
    for id in &p.references {
        if let Some(n) = support::number_in_root_id(links, id)
            && let Some(t) = tickets::by_number(conn, n)?
        {
            return Ok(Some((t, Match::Headers)));
        }
    }
    for addr in &p.recipients {
        if let Some(n) = number_in_reply_address(links, addr)
            && let Some(t) = tickets::by_number(conn, n)?
        {
            return Ok(Some((t, Match::ReplyAddress)));
        }
    }
    if let Some(n) = number_in_subject(&p.subject)
        && let Some(t) = tickets::by_number(conn, n)?
        && matches!(
            standing(conn, &t, user)?,
            Standing::Requester | Standing::Partner(_)
        )
    {
        return Ok(Some((t, Match::Subject)));
    }
    Ok(None)
}

/// Takes one raw message. The message and everything it causes are
/// written in one transaction; the answers it calls for are queued after,
/// within the hourly limit.
pub fn receive(
    conn: &mut AnyConnection,
    intake: &Intake,
    raw: &[u8],
) -> Result<Received, ReceiveError> {
    let links = &intake.links;
    if raw.len() > intake.max_bytes {
        return Err(ReceiveError::TooLarge);
    }
    let p = parse(raw, &intake.own)?;
    let original = String::from_utf8_lossy(raw).into_owned();
    let seen: bool = diesel::select(diesel::dsl::exists(
        inbound_mail::table.filter(inbound_mail::message_id.eq(&p.message_id)),
    ))
    .get_result(conn)?;
    if seen {
        return Ok(Received::Duplicate);
    }
    let (received, answer, refused) = write_tx(conn, |conn| -> Result<_, ReceiveError> {
        let Some(inbound_id) = store(conn, &p, &original)? else {
            return Ok((Received::Duplicate, None, Vec::new()));
        };
        if let Some(reason) = p.noise {
            finish(
                conn,
                inbound_id,
                &Received::Ignored(reason),
                None,
                None,
                Some(reason),
            )?;
            return Ok((Received::Ignored(reason), None, Vec::new()));
        }
        let user = users::by_email(conn, &p.from)?;
        let (received, ticket_id, answer) = route(conn, links, &p, user.as_ref(), inbound_id)?;
        // Files only for a message that was taken (a stranger's or a
        // bounce's are never written), on the message this mail became.
        let mut refused = Vec::new();
        if matches!(received, Received::Added { .. } | Received::Opened { .. })
            && let Some(tid) = ticket_id
            && !p.files.is_empty()
        {
            let mid: i64 = ticket_messages::table
                .filter(ticket_messages::inbound_id.eq(Some(inbound_id)))
                .select(ticket_messages::id)
                .first(conn)?;
            let (kept, over) = keep_files(conn, &intake.attachments, &p.files)?;
            crate::support::attachments::attach(conn, tid, mid, &kept)?;
            refused = over;
        }
        let reason = match &received {
            Received::Refused(r) => Some(*r),
            _ => None,
        };
        let matched = match &received {
            Received::Added { matched_by, .. } => Some(matched_by.as_str()),
            _ => None,
        };
        finish(conn, inbound_id, &received, ticket_id, matched, reason)?;
        Ok((received, answer, refused))
    })?;
    if let Some(answer) = answer {
        send_answer(conn, links, &p, answer, &[])?;
    } else if !refused.is_empty()
        && matches!(received, Received::Added { .. } | Received::Opened { .. })
    {
        send_answer(conn, links, &p, Answer::FilesRefused, &refused)?;
    }
    Ok(received)
}

/// Files kept, and the names of those refused with why.
type KeptFiles = (
    Vec<crate::support::attachments::Kept>,
    Vec<(String, &'static str)>,
);

/// Keeps the files within the limits; names the others, with why.
fn keep_files(
    conn: &mut AnyConnection,
    rules: &crate::support::attachments::Rules,
    files: &[(String, Vec<u8>)],
) -> Result<KeptFiles, ReceiveError> {
    let mut kept = Vec::new();
    let mut refused = Vec::new();
    for (name, bytes) in files {
        if bytes.len() as u64 > rules.max_bytes {
            refused.push((crate::support::attachments::clean_name(name), "too-large"));
        } else if kept.len() >= rules.max_count {
            refused.push((crate::support::attachments::clean_name(name), "too-many"));
        } else {
            let k = rules
                .keep(name, bytes)
                .map_err(|e| ReceiveError::Unavailable(format!("cannot keep a file: {e}")))?;
            kept.push(k);
        }
    }
    crate::support::attachments::register(conn, &kept)?;
    Ok((kept, refused))
}

/// The automatic answer a message calls for.
#[derive(Debug, Clone, Copy)]
enum Answer {
    /// Not someone who may write on that ticket.
    Stranger,
    /// No account, or one not yet verified, behind the address.
    Unknown,
    /// Added, but some of its files were over the limits.
    FilesRefused,
}

fn store(conn: &mut AnyConnection, p: &Parsed, raw: &str) -> QueryResult<Option<i64>> {
    let insert = diesel::insert_into(inbound_mail::table)
        .values((
            inbound_mail::message_id.eq(&p.message_id),
            inbound_mail::from_addr.eq(&p.from),
            inbound_mail::subject.eq(&p.subject),
            inbound_mail::raw.eq(raw),
            inbound_mail::outcome.eq("received"),
            inbound_mail::received_at.eq(now()),
        ))
        .on_conflict_do_nothing()
        .returning(inbound_mail::id);
    match conn {
        AnyConnection::Postgres(c) => insert.get_result(c).optional(),
        AnyConnection::Sqlite(c) => insert.get_result(c).optional(),
    }
}

fn finish(
    conn: &mut AnyConnection,
    id: i64,
    r: &Received,
    ticket_id: Option<i64>,
    matched_by: Option<&str>,
    reason: Option<&str>,
) -> QueryResult<()> {
    diesel::update(inbound_mail::table.find(id))
        .set((
            inbound_mail::outcome.eq(r.outcome()),
            inbound_mail::ticket_id.eq(ticket_id),
            inbound_mail::matched_by.eq(matched_by),
            inbound_mail::reason.eq(reason),
        ))
        .execute(conn)
        .map(|_| ())
}

type Routed = (Received, Option<i64>, Option<Answer>);

fn route(
    conn: &mut AnyConnection,
    links: &Links,
    p: &Parsed,
    user: Option<&User>,
    inbound_id: i64,
) -> Result<Routed, ReceiveError> {
    let cfg = tickets::sla_config(conn)?;
    let body = visible_text(&p.text);
    let found = match find_ticket(conn, links, p, user)? {
        // Locked: its newest message is the one written here.
        Some((t, how)) => Some((tickets::locked(conn, t.id)?, how)),
        None => None,
    };
    let Some((t, how)) = found else {
        let Some(u) = user.filter(|u| u.is_active() && u.is_verified()) else {
            return Ok((
                Received::Refused("unknown-sender"),
                None,
                Some(Answer::Unknown),
            ));
        };
        let t = open(conn, links, p, u, &body, None, &cfg)?;
        mark_first_message(conn, &t, inbound_id, None)?;
        tickets::remember_mail_id(conn, t.id, &p.message_id)?;
        return Ok((
            Received::Opened {
                number: t.number,
                follows: None,
            },
            Some(t.id),
            None,
        ));
    };
    let (writer, label, internal, text) = match standing(conn, &t, user)? {
        Standing::Stranger => {
            return Ok((
                Received::Refused("not-a-participant"),
                None,
                Some(Answer::Stranger),
            ));
        }
        Standing::Requester => {
            let u = user.expect("a requester has an account");
            if t.status() == Status::Closed {
                // A closed ticket stays closed: the reply opens a follow-up.
                let follow = open(conn, links, p, u, &body, Some(&t), &cfg)?;
                mark_first_message(conn, &follow, inbound_id, Some(how))?;
                tickets::remember_mail_id(conn, follow.id, &p.message_id)?;
                return Ok((
                    Received::Opened {
                        number: follow.number,
                        follows: Some(t.number),
                    },
                    Some(follow.id),
                    None,
                ));
            }
            (Writer::Requester(u.id), u.display_name.clone(), false, body)
        }
        Standing::Staff => {
            let u = user.expect("staff have an account");
            let (internal, text) = match body.strip_prefix("#note") {
                Some(rest) => (true, rest.trim().to_string()),
                None => (false, body),
            };
            (Writer::Staff(u.id), u.display_name.clone(), internal, text)
        }
        Standing::Partner(pid) => {
            let u = user.expect("members have an account");
            let name = partners::by_id(conn, pid)?
                .map(|p| p.name)
                .unwrap_or_default();
            (Writer::Partner(u.id, pid), name, false, body)
        }
    };
    // Files alone are a message too; nothing at all is not.
    let text = if !text.trim().is_empty() {
        text
    } else if p.files.is_empty() {
        return Ok((Received::Ignored("empty"), Some(t.id), None));
    } else {
        "—".to_string()
    };
    let text: String = text.chars().take(10_000).collect();
    let Some(after) = support::reply(conn, links, &t, &writer, &label, &text, internal, &cfg, &[])?
    else {
        // A public reply by the desk or the partner to a closed ticket.
        return Ok((Received::Refused("closed"), Some(t.id), None));
    };
    let mid = tickets::last_message_id(conn, after.id, true)?;
    diesel::update(ticket_messages::table.find(mid))
        .set((
            ticket_messages::inbound_id.eq(Some(inbound_id)),
            ticket_messages::matched_by.eq(Some(how.as_str())),
        ))
        .execute(conn)?;
    tickets::remember_mail_id(conn, t.id, &p.message_id)?;
    Ok((
        Received::Added {
            number: t.number,
            matched_by: how,
        },
        Some(t.id),
        None,
    ))
}

/// Opens a ticket from a message, with the usual confirmation; a
/// follow-up keeps the closed ticket's partner and listing.
fn open(
    conn: &mut AnyConnection,
    links: &Links,
    p: &Parsed,
    u: &User,
    body: &str,
    follows: Option<&Ticket>,
    cfg: &tickets::SlaConfig,
) -> Result<Ticket, ReceiveError> {
    let subject: String = match p.subject.trim() {
        "" => Lang::default().t("mail-inbound-no-subject"),
        s => s.chars().take(200).collect(),
    };
    let body = match body.trim() {
        "" => "—".to_string(),
        b => b.chars().take(10_000).collect(),
    };
    let t = tickets::create(
        conn,
        &NewTicket {
            requester_id: u.id,
            partner_id: follows.and_then(|f| f.partner_id),
            listing_id: follows.and_then(|f| f.listing_id),
            subject: &subject,
            body: &body,
            priority: Priority::Normal,
        },
        cfg,
    )?;
    if let Some(f) = follows {
        diesel::update(tickets_t::table.find(t.id))
            .set(tickets_t::follow_up_of.eq(Some(f.number)))
            .execute(conn)?;
    }
    support::ticket_opened(conn, links, &t)?;
    Ok(t)
}

fn mark_first_message(
    conn: &mut AnyConnection,
    t: &Ticket,
    inbound_id: i64,
    how: Option<Match>,
) -> QueryResult<()> {
    let mid = tickets::last_message_id(conn, t.id, true)?;
    diesel::update(ticket_messages::table.find(mid))
        .set((
            ticket_messages::inbound_id.eq(Some(inbound_id)),
            ticket_messages::matched_by.eq(how.map(|m| m.as_str())),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Queues the answer unless the address had its share this hour.
fn send_answer(
    conn: &mut AnyConnection,
    links: &Links,
    p: &Parsed,
    answer: Answer,
    refused: &[(String, &'static str)],
) -> Result<(), ReceiveError> {
    let key = Key {
        action: "mail_answer",
        subject: throttle::email_subject(&p.from),
        rule: crate::config::Rule {
            limit: ANSWERS_PER_HOUR,
            window: std::time::Duration::from_secs(3600),
        },
    };
    // And all addresses together: forged senders cannot turn the answers
    // into a way to mail many people.
    let all = Key {
        action: "mail_answer_all",
        subject: "all".to_string(),
        rule: crate::config::Rule {
            limit: ANSWERS_PER_HOUR_IN_ALL,
            window: std::time::Duration::from_secs(3600),
        },
    };
    if throttle::take(conn, &[key, all])?.is_some() {
        return Ok(());
    }
    let lang = Lang::default();
    let mail = match answer {
        Answer::Stranger => messages::inbound_not_added(lang, &p.from, &p.subject, &links.base)
            .map_err(AppError::from)?,
        Answer::Unknown => messages::inbound_unknown(lang, &p.from, &p.subject, &links.base)
            .map_err(AppError::from)?,
        Answer::FilesRefused => messages::inbound_files_refused(lang, &p.from, &p.subject, refused)
            .map_err(AppError::from)?,
    };
    write_tx(conn, |conn| {
        outbox::enqueue(conn, &links.domain, &mail)?;
        Ok::<_, AppError>(())
    })?;
    Ok(())
}

/// A received message as the admins' list shows it.
#[derive(Debug, Clone)]
pub struct Logged {
    pub id: i64,
    pub from_addr: String,
    pub subject: String,
    pub outcome: String,
    pub reason: Option<String>,
    pub matched_by: Option<String>,
    pub ticket_number: Option<i64>,
    pub received_at: time::PrimitiveDateTime,
}

impl Logged {
    pub fn outcome_key(&self) -> String {
        format!("admin-received-{}", self.outcome)
    }
}

/// A page of received mail, newest first (by id).
pub fn page(
    conn: &mut AnyConnection,
    req: &crate::web::paging::PageRequest,
) -> QueryResult<crate::web::paging::Page<Logged>> {
    let mut q = inbound_mail::table
        .left_join(tickets_t::table.on(inbound_mail::ticket_id.eq(tickets_t::id.nullable())))
        .into_boxed();
    if let Some((_, id)) = req.after() {
        q = q.filter(inbound_mail::id.lt(id));
    }
    type Row = (
        i64,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
        time::PrimitiveDateTime,
    );
    let rows: Vec<Row> = q
        .order(inbound_mail::id.desc())
        .select((
            inbound_mail::id,
            inbound_mail::from_addr,
            inbound_mail::subject,
            inbound_mail::outcome,
            inbound_mail::reason,
            inbound_mail::matched_by,
            tickets_t::number.nullable(),
            inbound_mail::received_at,
        ))
        .page_of(req)
        .load(conn)?;
    let list = rows
        .into_iter()
        .map(|r| Logged {
            id: r.0,
            from_addr: r.1,
            subject: r.2,
            outcome: r.3,
            reason: r.4,
            matched_by: r.5,
            ticket_number: r.6,
            received_at: r.7,
        })
        .collect();
    Ok(req.finish(list, |m: &Logged| (m.id, m.id)))
}

/// Deletes up to `batch` received messages that joined no ticket and
/// arrived before `retention` ago (mail of a ticket goes with the ticket).
pub fn purge(
    conn: &mut AnyConnection,
    retention: time::Duration,
    batch: i64,
) -> QueryResult<usize> {
    let cutoff = now() - retention;
    let ids: Vec<i64> = inbound_mail::table
        .filter(inbound_mail::received_at.lt(cutoff))
        .filter(inbound_mail::ticket_id.is_null())
        .order(inbound_mail::received_at.asc())
        .select(inbound_mail::id)
        .limit(batch)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::delete(inbound_mail::table.filter(conn.in_ids("inbound_mail.id", &ids))).execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_history_and_signatures_are_trimmed() {
        let t = "Thanks, Tuesday works.\n\nOn Mon, 1 Dec 2026 at 10:00, Agora <support@x> wrote:\n> When suits you?\n";
        assert_eq!(visible_text(t), "Thanks, Tuesday works.");
        let t = "Yes please.\n-- \nMei Lin\nHarbour Wellness";
        assert_eq!(visible_text(t), "Yes please.");
        let t = "好的，谢谢。\n\n在 2026年12月1日 10:00，Agora 写道：\n> 请问什么时间方便？";
        assert_eq!(visible_text(t), "好的，谢谢。");
        let t = "See below.\n\n-----Original Message-----\nFrom: Agora\n";
        assert_eq!(visible_text(t), "See below.");
        let t = "> only a quote";
        assert_eq!(visible_text(t), "> only a quote");
    }

    #[test]
    fn numbers_are_read_from_subjects() {
        assert_eq!(number_in_subject("Re: [#1001] Walker missing"), Some(1001));
        assert_eq!(number_in_subject("Re: Walker missing"), None);
        assert_eq!(number_in_subject("[#abc]"), None);
    }

    #[test]
    fn reply_addresses_need_their_signature() {
        let links = Links {
            base: "http://x".into(),
            domain: "agora.test".into(),
            secret: b"0123456789abcdef0123456789abcdef".to_vec(),
            support_address: "support@agora.test".into(),
        };
        let addr = links.reply_address(1001);
        assert!(addr.starts_with("support+t1001."), "{addr}");
        assert_eq!(number_in_reply_address(&links, &addr), Some(1001));
        let forged = addr.replace("t1001", "t1002");
        assert_eq!(number_in_reply_address(&links, &forged), None);
        // The root Message-ID is signed the same way: not guessable.
        let root = support::root_message_id(&links, 1002);
        assert_eq!(support::number_in_root_id(&links, &root), Some(1002));
        assert_eq!(
            support::number_in_root_id(&links, "<ticket-1002@agora.test>"),
            None
        );
        let other = root.replace("1002.", "1003.");
        assert_eq!(support::number_in_root_id(&links, &other), None);
        assert_eq!(number_in_reply_address(&links, "support@agora.test"), None);
    }
}
