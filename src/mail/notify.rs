//! Optional emails: each goes only to people who want its kind
//! (`models::preferences`), and carries a signed one-click link that turns
//! off exactly that kind (`/unsubscribe/email/{user}/{kind}/{sig}`).
//!
//! Partner members who take the daily digest get none of the partner
//! kinds one by one: `send_digests` gathers them once a day, at 08:00 on
//! each member's clock.

use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime, Time};

use super::MailBody;
use crate::auth::{sign, signature_valid};
use crate::db::AnyConnection;
use crate::domain::zone::Zone;
use crate::error::AppError;
use crate::models::overview::{self, Measure};
use crate::models::preferences::{self, Kind};
use crate::models::users::User;
use crate::models::{engagements, listings, outbox, partners};
use crate::schema::{memberships, tickets};
use crate::support::Links;

/// What makes an email optional: its kind and the two links its footer
/// carries.
pub struct Optional {
    pub kind: Kind,
    pub unsubscribe: String,
    pub preferences: String,
}

fn message(user_id: i64, kind: Kind) -> String {
    format!("unsubscribe:{user_id}:{}", kind.as_str())
}

impl Optional {
    pub fn new(links: &Links, user_id: i64, kind: Kind) -> Optional {
        Optional {
            kind,
            unsubscribe: format!(
                "{}/unsubscribe/email/{user_id}/{}/{}",
                links.base,
                kind.as_str(),
                sign(&links.secret, &message(user_id, kind))
            ),
            preferences: format!("{}/me/notifications", links.base),
        }
    }
}

/// Whether `sig` was made for this person and kind.
pub fn link_valid(secret: &[u8], user_id: i64, kind: Kind, sig: &str) -> bool {
    signature_valid(secret, &message(user_id, kind), sig)
}

fn body_for(user: &User, subject: String) -> MailBody {
    let mut m = MailBody::new(user.lang(), subject);
    m.greeting = user.lang().t_args(
        "mail-greeting",
        &[("name", user.display_name.clone().into())],
    );
    m
}

fn send(
    conn: &mut AnyConnection,
    links: &Links,
    user: &User,
    kind: Kind,
    mut m: MailBody,
) -> Result<(), AppError> {
    m.optional(&Optional::new(links, user.id, kind));
    let email = m.into_email(&user.email)?;
    outbox::enqueue(conn, &links.domain, &email)?;
    Ok(())
}

/// A new request: each member who wants it one by one. The consumer's
/// name, address and words only while their consent stands.
pub fn new_request(
    conn: &mut AnyConnection,
    links: &Links,
    partner: &partners::Partner,
    listing_title: &str,
    shared: Option<super::messages::SharedRequest<'_>>,
) -> Result<(), AppError> {
    for member in preferences::members_wanting(conn, partner.id, Kind::PartnerRequests)? {
        // The partner's own inbox gets its notice already.
        if partner.notify_engagements && member.email.eq_ignore_ascii_case(&partner.contact_email) {
            continue;
        }
        let lang = member.lang();
        let mut m = body_for(
            &member,
            lang.t_args(
                "mail-engagement-subject",
                &[("listing", listing_title.into())],
            ),
        );
        super::messages::request_paragraphs(&mut m, listing_title, shared);
        m.action = Some((
            lang.t("mail-engagement-action"),
            format!("{}/partner/{}/engagements", links.base, partner.slug),
        ));
        send(conn, links, &member, Kind::PartnerRequests, m)?;
    }
    Ok(())
}

/// A first review of one of the partner's listings: to each member who
/// wants it. The author is named only while their consent stands (as
/// `engagements::partner_review` gives it).
pub fn new_review(
    conn: &mut AnyConnection,
    links: &Links,
    partner_id: i64,
    review_id: i64,
) -> Result<(), AppError> {
    let (Some((r, author, title)), Some(partner)) = (
        engagements::partner_review(conn, partner_id, review_id)?,
        partners::by_id(conn, partner_id)?,
    ) else {
        return Ok(());
    };
    for member in preferences::members_wanting(conn, partner_id, Kind::PartnerReviews)? {
        let lang = member.lang();
        let mut m = body_for(
            &member,
            lang.t_args("mail-review-subject", &[("listing", title.clone().into())]),
        );
        m.paragraphs.push(
            lang.t_args(
                "mail-review-intro",
                &[
                    ("listing", title.clone().into()),
                    ("rating", i64::from(r.rating).into()),
                    (
                        "author",
                        author
                            .clone()
                            .unwrap_or_else(|| lang.t("consent-a-consumer"))
                            .into(),
                    ),
                ],
            ),
        );
        m.quote = Some(r.body.clone());
        m.action = Some((
            lang.t("mail-review-action"),
            format!("{}/partner/{}/reviews", links.base, partner.slug),
        ));
        send(conn, links, &member, Kind::PartnerReviews, m)?;
    }
    Ok(())
}

/// A partner's answer to what a consumer wrote about one of its listings
/// (a request, a review), and the catalogue keys of its email.
struct Answer {
    consumer_id: i64,
    listing_id: i64,
    partner_id: i64,
    text: Option<String>,
    kind: Kind,
    /// Subject, intro and button.
    keys: [&'static str; 3],
    /// Where on the listing page the answer stands.
    anchor: &'static str,
}

/// Passes a partner's answer on to the consumer, if they want its kind.
/// Their address is not the partner's to know: the platform carries it.
fn pass_on(conn: &mut AnyConnection, links: &Links, a: Answer) -> Result<(), AppError> {
    let (Some(consumer), Some(listing), Some(partner)) = (
        crate::models::users::by_id(conn, a.consumer_id)?,
        listings::by_id(conn, a.listing_id)?,
        partners::by_id(conn, a.partner_id)?,
    ) else {
        return Ok(());
    };
    if !consumer.is_active() || !preferences::wants(conn, consumer.id, a.kind)? {
        return Ok(());
    }
    let lang = consumer.lang();
    let [subject, intro, action] = a.keys;
    let mut m = body_for(
        &consumer,
        lang.t_args(subject, &[("partner", partner.name.clone().into())]),
    );
    m.paragraphs.push(lang.t_args(
        intro,
        &[
            ("partner", partner.name.into()),
            ("listing", listing.title.into()),
        ],
    ));
    m.quote = a.text;
    m.action = Some((
        lang.t(action),
        format!("{}/listings/{}{}", links.base, listing.slug, a.anchor),
    ));
    send(conn, links, &consumer, a.kind, m)
}

/// The partner answered one of its requests.
pub fn request_replied(conn: &mut AnyConnection, links: &Links, id: i64) -> Result<(), AppError> {
    let Some(e) = engagements::by_id(conn, id)? else {
        return Ok(());
    };
    pass_on(
        conn,
        links,
        Answer {
            consumer_id: e.consumer_id,
            listing_id: e.listing_id,
            partner_id: e.partner_id,
            text: e.reply_body,
            kind: Kind::RequestReplies,
            keys: [
                "mail-request-reply-subject",
                "mail-request-reply-intro",
                "mail-request-reply-action",
            ],
            anchor: "",
        },
    )
}

/// The partner answered one of its reviews (the first time).
pub fn review_replied(
    conn: &mut AnyConnection,
    links: &Links,
    partner_id: i64,
    review_id: i64,
) -> Result<(), AppError> {
    let Some((r, _, _)) = engagements::partner_review(conn, partner_id, review_id)? else {
        return Ok(());
    };
    pass_on(
        conn,
        links,
        Answer {
            consumer_id: r.consumer_id,
            listing_id: r.listing_id,
            partner_id,
            text: r.reply_body,
            kind: Kind::ReviewReplies,
            keys: [
                "mail-review-reply-subject",
                "mail-review-reply-intro",
                "mail-review-reply-action",
            ],
            anchor: "#reviews",
        },
    )
}

/// A new ticket about one of the partner's listings: to each member who
/// wants it. It names neither the requester nor their words: the ticket's
/// page shows what the partner may see.
pub fn ticket_for_partner(
    conn: &mut AnyConnection,
    links: &Links,
    t: &crate::models::tickets::Ticket,
) -> Result<(), AppError> {
    let Some(pid) = t.partner_id else {
        return Ok(());
    };
    let Some(partner) = partners::by_id(conn, pid)? else {
        return Ok(());
    };
    for member in preferences::members_wanting(conn, pid, Kind::PartnerTickets)? {
        let lang = member.lang();
        let mut m = body_for(
            &member,
            lang.t_args(
                "mail-partner-ticket-subject",
                &[("number", t.number.into())],
            ),
        );
        m.paragraphs.push(lang.t_args(
            "mail-partner-ticket-intro",
            &[
                ("number", t.number.into()),
                ("partner", partner.name.clone().into()),
            ],
        ));
        m.action = Some((
            lang.t("mail-ticket-view"),
            format!(
                "{}/partner/{}/tickets/{}",
                links.base, partner.slug, t.number
            ),
        ));
        send(conn, links, &member, Kind::PartnerTickets, m)?;
    }
    Ok(())
}

/// What one partner had since a digest: requests, reviews, tickets.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DigestCounts {
    pub requests: i64,
    pub reviews: i64,
    pub tickets: i64,
}

impl DigestCounts {
    fn is_empty(&self) -> bool {
        self.requests + self.reviews + self.tickets == 0
    }
}

/// Counts of the partner's rows in `[from, to)`, as the overview's
/// charts count a bar.
pub fn digest_counts(
    conn: &mut AnyConnection,
    partner_id: i64,
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
) -> QueryResult<DigestCounts> {
    let mut count = |what| -> QueryResult<i64> {
        Ok(overview::series(conn, partner_id, what, &[from, to])?[0])
    };
    Ok(DigestCounts {
        requests: count(Measure::Requests)?,
        reviews: count(Measure::Reviews)?,
        tickets: count(Measure::Tickets)?,
    })
}

/// The hour of the member's day the digest goes out.
pub const DIGEST_HOUR: u8 = 8;

/// Whether a digest is due: it is past `DIGEST_HOUR` on the member's
/// clock and none went out since that hour today.
pub fn digest_due(zone: &Zone, now: PrimitiveDateTime, last: Option<PrimitiveDateTime>) -> bool {
    let local = zone.local(now);
    let today_at = PrimitiveDateTime::new(
        local.date(),
        Time::from_hms(DIGEST_HOUR, 0, 0).expect("valid hour"),
    );
    if local < today_at {
        return false;
    }
    let since = zone.to_utc(today_at);
    last.is_none_or(|l| l < since)
}

/// Sends each digest that is due; returns how many went out. Pages
/// through the members who take it; each member's digest and its mark
/// are written in one transaction.
pub fn send_digests(
    conn: &mut AnyConnection,
    links: &Links,
    platform_zone: &Zone,
    now: PrimitiveDateTime,
) -> Result<usize, AppError> {
    let mut sent = 0;
    let mut after = 0;
    loop {
        let page = preferences::digest_takers(conn, after, 200)?;
        let Some((last, _)) = page.last() else {
            break;
        };
        after = last.id;
        for (member, last_sent) in page {
            let zone = member.zone(platform_zone);
            if !digest_due(&zone, now, last_sent) {
                continue;
            }
            // A first digest covers the day before.
            let from = last_sent.unwrap_or(now - Duration::days(1));
            // Each member's digest and its mark commit on their own: one
            // that fails is logged and tried again on the next pass.
            let one = crate::db::write_tx(conn, |conn| {
                let wanted = preferences::of_user(conn, member.id)?;
                let on = |k: Kind| wanted.iter().any(|(kind, on)| *kind == k && *on);
                let partners_of: Vec<(i64, String, String)> = memberships::table
                    .inner_join(crate::schema::partners::table)
                    .filter(memberships::user_id.eq(member.id))
                    .order(crate::schema::partners::name)
                    .select((
                        crate::schema::partners::id,
                        crate::schema::partners::name,
                        crate::schema::partners::slug,
                    ))
                    .load(conn)?;
                let lang = member.lang();
                let mut lines = Vec::new();
                for (pid, name, slug) in partners_of {
                    let mut c = digest_counts(conn, pid, from, now)?;
                    // Only the kinds the member wants to hear of.
                    if !on(Kind::PartnerRequests) {
                        c.requests = 0;
                    }
                    if !on(Kind::PartnerReviews) {
                        c.reviews = 0;
                    }
                    if !on(Kind::PartnerTickets) {
                        c.tickets = 0;
                    }
                    if c.is_empty() {
                        continue;
                    }
                    lines.push((
                        lang.t_args(
                            "mail-digest-line",
                            &[
                                ("partner", name.into()),
                                ("requests", c.requests.into()),
                                ("reviews", c.reviews.into()),
                                ("tickets", c.tickets.into()),
                            ],
                        ),
                        format!("{}/partner/{slug}", links.base),
                    ));
                }
                let any = !lines.is_empty();
                if any {
                    let mut m = body_for(&member, lang.t("mail-digest-subject"));
                    m.paragraphs.push(lang.t_args(
                        "mail-digest-intro",
                        &[("since", lang.datetime(&from, &zone).into())],
                    ));
                    m.links = lines;
                    send(conn, links, &member, Kind::PartnerDigest, m)?;
                }
                preferences::digest_sent(conn, member.id, now)?;
                Ok::<_, AppError>(any)
            });
            match one {
                Ok(true) => sent += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, user = member.id, "digest not sent"),
            }
        }
    }
    Ok(sent)
}

/// Warns each assignee whose ticket's next SLA target is due within the
/// hour, once per due time; returns how many were warned.
pub fn warn_sla(
    conn: &mut AnyConnection,
    links: &Links,
    platform_zone: &Zone,
    now: PrimitiveDateTime,
) -> Result<usize, AppError> {
    use crate::models::tickets as t;
    let due: Vec<t::Ticket> = tickets::table
        .filter(tickets::queue_key.gt(crate::web::paging::time_key(now)))
        .filter(tickets::queue_key.le(t::breaching_key(now)))
        .filter(tickets::assignee_id.is_not_null())
        .filter(
            tickets::sla_warned_key
                .is_null()
                .or(tickets::sla_warned_key.ne(tickets::queue_key)),
        )
        .order((tickets::queue_key, tickets::id))
        .limit(100)
        .select(t::Ticket::as_select())
        .load(conn)?;
    let mut warned = 0;
    for ticket in due {
        let one = crate::db::write_tx(conn, |conn| {
            diesel::update(tickets::table.find(ticket.id))
                .set(tickets::sla_warned_key.eq(ticket.queue_key))
                .execute(conn)?;
            let Some(agent) = ticket
                .assignee_id
                .map(|id| crate::models::users::by_id(conn, id))
                .transpose()?
                .flatten()
            else {
                return Ok(false);
            };
            let Some(when) = ticket.next_due() else {
                return Ok(false);
            };
            if !agent.is_active() || !preferences::wants(conn, agent.id, Kind::SlaWarning)? {
                return Ok(false);
            }
            let lang = agent.lang();
            let mut m = body_for(
                &agent,
                lang.t_args(
                    "mail-sla-warning-subject",
                    &[("number", ticket.number.into())],
                ),
            );
            m.paragraphs.push(lang.t_args(
                "mail-sla-warning-intro",
                &[
                    ("number", ticket.number.into()),
                    ("subject", ticket.subject.clone().into()),
                    (
                        "due",
                        lang.datetime(&when, &agent.zone(platform_zone)).into(),
                    ),
                ],
            ));
            m.action = Some((
                lang.t("mail-ticket-view"),
                format!("{}/desk/tickets/{}", links.base, ticket.number),
            ));
            send(conn, links, &agent, Kind::SlaWarning, m)?;
            Ok::<_, AppError>(true)
        });
        match one {
            Ok(true) => warned += 1,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, ticket = ticket.number, "SLA warning not sent"),
        }
    }
    Ok(warned)
}

/// The advisory lock key of the notification pass.
pub const LOCK_KEY: i64 = 72003;

/// Sends what is due (digests, SLA warnings) unless another instance is
/// doing it; `None` when another instance held the pass.
pub fn run_pass(
    conn: &mut AnyConnection,
    links: &Links,
    platform_zone: &Zone,
    now: PrimitiveDateTime,
) -> Result<Option<(usize, usize)>, AppError> {
    let work = |conn: &mut AnyConnection| -> Result<(usize, usize), AppError> {
        Ok((
            send_digests(conn, links, platform_zone, now)?,
            warn_sla(conn, links, platform_zone, now)?,
        ))
    };
    match conn {
        // A session-level lock, so that each digest and warning commits on
        // its own while the pass holds it; let go when the pass ends.
        AnyConnection::Postgres(_) => {
            let lock = |conn: &mut AnyConnection, call: &str| -> QueryResult<bool> {
                diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
                    "{call}({LOCK_KEY})"
                )))
                .get_result(conn)
            };
            if !lock(conn, "pg_try_advisory_lock")? {
                return Ok(None);
            }
            let done = work(conn);
            lock(conn, "pg_advisory_unlock")?;
            done.map(Some)
        }
        AnyConnection::Sqlite(_) => work(conn).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_digest_goes_out_once_a_day_after_eight_on_the_members_clock() {
        let tokyo = Zone::named("Asia/Tokyo").unwrap();
        // 22:30 UTC is 07:30 in Tokyo: not yet.
        assert!(!digest_due(&tokyo, datetime!(2026-12-01 22:30), None));
        // 23:05 UTC is 08:05: due, once.
        assert!(digest_due(&tokyo, datetime!(2026-12-01 23:05), None));
        assert!(!digest_due(
            &tokyo,
            datetime!(2026-12-02 05:00),
            Some(datetime!(2026-12-01 23:05))
        ));
        // The next morning again.
        assert!(digest_due(
            &tokyo,
            datetime!(2026-12-02 23:01),
            Some(datetime!(2026-12-01 23:05))
        ));
    }
}
