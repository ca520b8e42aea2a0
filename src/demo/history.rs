//! Generated history for a catalogue that exists: requests (engagements)
//! with consent given, withdrawn or never given, reviews, support tickets
//! with their conversations, partners' notes and tags, the activity feed
//! they all leave, and daily listing views. Used by the small and the large
//! demo alike.
//!
//! Time follows a weekly rhythm (fewer events at weekends), a season (busy
//! in January, quiet in August and over Christmas) and grows towards the
//! present, so reports and charts show something true. Every record obeys
//! the rules the application follows when a person makes it: a review only
//! by a consumer who engaged, ticket statuses by the status machine, SLA
//! clocks by the business hours.

use std::collections::{BTreeMap, HashSet};

use anyhow::{Context, anyhow};
use rand::Rng;
use rand::rngs::StdRng;
use time::{Date, Duration, Month, PrimitiveDateTime, Time};

use super::Progress;
use super::bulk::{self, Inserter, Val};
use super::words::{self, pick, pick_weighted};
use crate::db::AnyConnection;
use crate::domain::sla::{self, BusinessHours};
use crate::domain::ticket::{Priority, Status};
use crate::models::engagements::{CONSENT_GIVEN, CONSENT_WITHDRAWN, ENGAGED, REVIEWED};
use crate::models::tickets::{Author, FIRST_NUMBER, SlaConfig, Writer};

/// Rows written per table, in the order they were written.
pub type Counts = Vec<(&'static str, u64)>;

// ---------------------------------------------------------------- time

/// Monday first.
const WEEKLY: [f64; 7] = [1.08, 1.12, 1.10, 1.05, 0.94, 0.62, 0.56];

/// Hours of the day in UTC.
const HOURLY: [f64; 24] = [
    0.20, 0.12, 0.08, 0.06, 0.06, 0.10, 0.25, 0.50, 0.80, 1.00, 1.05, 1.05, 1.00, 0.95, 0.95, 0.95,
    0.95, 1.00, 1.05, 1.10, 1.00, 0.80, 0.55, 0.35,
];

/// The days of the history, each with the weight of how busy it is.
pub struct Timeline {
    pub first: Date,
    pub days: usize,
    pub anchor: PrimitiveDateTime,
    weights: Vec<f64>,
    cum: Vec<f64>,
}

impl Timeline {
    /// `days` days ending on the anchor's day; nothing is ever later than
    /// the anchor.
    pub fn new(anchor: PrimitiveDateTime, days: usize) -> Timeline {
        let days = days.max(2);
        let first = anchor.date() - Duration::days(days as i64 - 1);
        let mut weights = Vec::with_capacity(days);
        for d in 0..days {
            let date = first + Duration::days(d as i64);
            let x = d as f64 / (days - 1) as f64;
            let growth = 0.25 + 0.75 * x.powf(1.4);
            let weekly = WEEKLY[date.weekday().number_days_from_monday() as usize];
            let angle = 2.0 * std::f64::consts::PI * (date.ordinal() as f64 - 12.0) / 365.25;
            let mut season = 1.0 + 0.18 * angle.cos();
            if date.month() == Month::August {
                season *= 0.85;
            }
            if matches!(
                (date.month(), date.day()),
                (Month::December, 24..=26 | 31) | (Month::January, 1)
            ) {
                season *= 0.45;
            }
            weights.push(growth * weekly * season);
        }
        let mut cum = Vec::with_capacity(days);
        let mut sum = 0.0;
        for w in &weights {
            sum += w;
            cum.push(sum);
        }
        Timeline {
            first,
            days,
            anchor,
            weights,
            cum,
        }
    }

    pub fn start(&self) -> PrimitiveDateTime {
        PrimitiveDateTime::new(self.first, Time::MIDNIGHT)
    }

    pub fn date(&self, d: usize) -> Date {
        self.first + Duration::days(d as i64)
    }

    pub fn day_of(&self, t: PrimitiveDateTime) -> usize {
        (t.date() - self.first)
            .whole_days()
            .clamp(0, self.days as i64 - 1) as usize
    }

    pub fn weight(&self, d: usize) -> f64 {
        self.weights[d]
    }

    /// The weight of days `a..=b`.
    pub fn weight_between(&self, a: usize, b: usize) -> f64 {
        self.cum[b] - if a > 0 { self.cum[a - 1] } else { 0.0 }
    }

    /// A moment on day `d` by the hours people are awake; never after the
    /// anchor.
    pub fn moment(&self, d: usize, rng: &mut StdRng) -> PrimitiveDateTime {
        let hour = pick_weighted(rng, &HOURLY) as i64;
        let day_start = PrimitiveDateTime::new(self.date(d), Time::MIDNIGHT);
        let t = day_start + Duration::seconds(hour * 3600 + rng.random_range(0..3600));
        if t <= self.anchor {
            return t;
        }
        let span = (self.anchor - day_start).whole_seconds().max(1);
        day_start + Duration::seconds(rng.random_range(0..span))
    }

    fn day_at(&self, u: f64) -> usize {
        self.cum.partition_point(|c| *c < u).min(self.days - 1)
    }

    fn cum_before(&self, t: PrimitiveDateTime) -> f64 {
        let d = self.day_of(t);
        if d > 0 { self.cum[d - 1] } else { 0.0 }
    }

    /// `n` moments from `from` on, following the day weights closely
    /// (stratified), in order.
    pub fn sample_sorted(
        &self,
        n: usize,
        from: PrimitiveDateTime,
        rng: &mut StdRng,
    ) -> Vec<PrimitiveDateTime> {
        let base = self.cum_before(from);
        let total = self.cum[self.days - 1] - base;
        let mut out: Vec<PrimitiveDateTime> = (0..n)
            .map(|i| {
                let u = base + total * (i as f64 + rng.random::<f64>()) / n as f64;
                let t = self.moment(self.day_at(u), rng);
                t.max(from).min(self.anchor)
            })
            .collect();
        out.sort();
        out
    }

    /// One moment from `from` on, by the day weights.
    pub fn sample_one(&self, from: PrimitiveDateTime, rng: &mut StdRng) -> PrimitiveDateTime {
        let base = self.cum_before(from);
        let u = base + (self.cum[self.days - 1] - base) * rng.random::<f64>();
        self.moment(self.day_at(u), rng).max(from).min(self.anchor)
    }
}

pub fn between(rng: &mut StdRng, a: PrimitiveDateTime, b: PrimitiveDateTime) -> PrimitiveDateTime {
    if b <= a {
        return a;
    }
    a + Duration::seconds(rng.random_range(0..=(b - a).whole_seconds()))
}

/// A standard normal number (Box–Muller).
pub fn normal(rng: &mut StdRng) -> f64 {
    let u1 = rng.random::<f64>().max(1e-12);
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Around `median`, skewed to the right as waiting times are.
pub fn lognormal(rng: &mut StdRng, median: f64, sigma: f64) -> f64 {
    median * (sigma * normal(rng)).exp()
}

pub fn minutes(m: f64) -> Duration {
    Duration::seconds((m * 60.0) as i64)
}

/// A draw from cumulative weights.
fn pick_cum(cum: &[f64], rng: &mut StdRng) -> usize {
    let total = cum.last().copied().unwrap_or(0.0);
    let u = rng.random::<f64>() * total;
    cum.partition_point(|c| *c <= u)
        .min(cum.len().saturating_sub(1))
}

// ---------------------------------------------------------------- the world

/// A consumer account; the world keeps them in order of sign-up.
pub struct Consumer {
    pub id: i64,
    pub created: PrimitiveDateTime,
    pub zh: bool,
    pub name: String,
}

pub struct PartnerRef {
    pub id: i64,
    /// When consumers could first reach it (approval), and when no more
    /// (suspension).
    pub open_from: Option<PrimitiveDateTime>,
    pub open_until: Option<PrimitiveDateTime>,
    /// Its part of all requests.
    pub share: f64,
    /// People who answer for it: owner, admins, members.
    pub members: Vec<i64>,
    pub listings: Vec<usize>,
}

pub struct ListingRef {
    pub id: i64,
    pub partner: usize,
    pub published: Option<PrimitiveDateTime>,
    /// Archived from then on.
    pub until: Option<PrimitiveDateTime>,
    /// How much attention it draws, relative to the partner's others.
    pub weight: f64,
    /// Mean rating it earns (about 3.5 to 4.9).
    pub quality: f64,
}

pub struct World {
    pub timeline: Timeline,
    pub consumers: Vec<Consumer>,
    /// Staff who work the desk: (user id, name), the admin first.
    pub staff: Vec<(i64, String)>,
    pub partners: Vec<PartnerRef>,
    pub listings: Vec<ListingRef>,
}

impl World {
    fn open_at(&self, listing: usize, t: PrimitiveDateTime) -> bool {
        let l = &self.listings[listing];
        let p = &self.partners[l.partner];
        l.published.is_some_and(|x| x <= t)
            && l.until.is_none_or(|u| t < u)
            && p.open_from.is_some_and(|x| x <= t)
            && p.open_until.is_none_or(|u| t < u)
    }
}

pub struct HistorySpec {
    pub engagements: usize,
    pub reviews: usize,
    pub tickets: usize,
    /// Activity rows in all: partners' notes on customers make up what the
    /// other events leave. `None`: `few_notes` notes.
    pub activities: Option<u64>,
    pub few_notes: usize,
    /// About how many listing-day rows of views.
    pub view_rows: u64,
    /// Part of consenting customers a partner tags.
    pub tag_share: f64,
}

// ---------------------------------------------------------------- tickets

pub struct Msg {
    pub at: PrimitiveDateTime,
    pub author: i64,
    pub kind: &'static str,
    pub partner: Option<i64>,
    pub body: String,
    pub internal: bool,
}

/// A ticket as `models::tickets` would leave it after the same calls, at
/// the times given: status machine, SLA pauses, first response, resolved
/// and closed times.
pub struct TicketSim {
    pub requester: i64,
    pub partner: Option<i64>,
    pub listing: Option<i64>,
    pub subject: String,
    pub priority: Priority,
    pub created: PrimitiveDateTime,
    pub status: Status,
    pub assignee: Option<i64>,
    pub first_response_at: Option<PrimitiveDateTime>,
    pub resolved_at: Option<PrimitiveDateTime>,
    pub closed_at: Option<PrimitiveDateTime>,
    pub paused_since: Option<PrimitiveDateTime>,
    pub paused_minutes: i64,
    pub satisfaction: Option<(i32, Option<String>, PrimitiveDateTime)>,
    pub last_activity: PrimitiveDateTime,
    pub updated: PrimitiveDateTime,
    pub messages: Vec<Msg>,
}

impl TicketSim {
    pub fn open(
        created: PrimitiveDateTime,
        requester: i64,
        about: Option<(i64, i64)>,
        subject: &str,
        body: &str,
        priority: Priority,
    ) -> TicketSim {
        TicketSim {
            requester,
            partner: about.map(|a| a.0),
            listing: about.map(|a| a.1),
            subject: subject.to_string(),
            priority,
            created,
            status: Status::New,
            assignee: None,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
            paused_since: None,
            paused_minutes: 0,
            satisfaction: None,
            last_activity: created,
            updated: created,
            messages: vec![Msg {
                at: created,
                author: requester,
                kind: Author::REQUESTER,
                partner: None,
                body: body.to_string(),
                internal: false,
            }],
        }
    }

    fn apply(&mut self, hours: &BusinessHours, to: Status, at: PrimitiveDateTime) {
        if let Some(since) = self.paused_since
            && !to.pauses_clock()
        {
            self.paused_minutes += hours.minutes_between(since, at);
            self.paused_since = None;
        }
        if to.pauses_clock() && self.paused_since.is_none() {
            self.paused_since = Some(at);
        }
        self.resolved_at = match to {
            Status::Resolved | Status::Closed => self.resolved_at.or(Some(at)),
            _ => None,
        };
        self.closed_at = (to == Status::Closed).then_some(at);
        self.status = to;
        self.updated = at;
        self.last_activity = at;
    }

    pub fn change_status(
        &mut self,
        hours: &BusinessHours,
        to: Status,
        at: PrimitiveDateTime,
    ) -> bool {
        if !self.status.can_move_to(to) {
            return false;
        }
        self.apply(hours, to, at);
        true
    }

    pub fn reply(
        &mut self,
        hours: &BusinessHours,
        at: PrimitiveDateTime,
        writer: &Writer,
        body: &str,
        internal: bool,
    ) -> bool {
        let by_requester = matches!(writer, Writer::Requester(_));
        let next = self.status.after_reply(by_requester);
        if next.is_none() && !internal {
            return false;
        }
        let (author, kind, partner) = match writer {
            Writer::Requester(id) => (*id, Author::REQUESTER, None),
            Writer::Staff(id) => (*id, Author::STAFF, None),
            Writer::Partner(id, p) => (*id, Author::PARTNER, Some(*p)),
        };
        self.messages.push(Msg {
            at,
            author,
            kind,
            partner,
            body: body.to_string(),
            internal,
        });
        if internal {
            self.updated = at;
            return true;
        }
        if !by_requester && self.first_response_at.is_none() {
            self.first_response_at = Some(at);
        }
        let next = next.unwrap_or(self.status);
        if next != self.status {
            self.apply(hours, next, at);
        } else {
            self.updated = at;
            self.last_activity = at;
        }
        true
    }

    pub fn assign(&mut self, at: PrimitiveDateTime, who: i64) {
        self.assignee = Some(who);
        self.updated = self.updated.max(at);
    }

    pub fn rate(&mut self, at: PrimitiveDateTime, rating: i32, comment: Option<&str>) -> bool {
        if self.status != Status::Resolved {
            return false;
        }
        self.satisfaction = Some((rating, comment.map(str::to_string), at));
        true
    }

    fn dues(&self, cfg: &SlaConfig) -> (PrimitiveDateTime, PrimitiveDateTime) {
        let (first, resolution) = cfg.targets(self.priority);
        (
            sla::due_at(&cfg.hours, self.created, first, self.paused_minutes),
            sla::due_at(&cfg.hours, self.created, resolution, self.paused_minutes),
        )
    }
}

struct Agent {
    id: i64,
    speed: f64,
}

/// A ticket's life from its opening up to the anchor.
#[allow(clippy::too_many_arguments)]
fn simulate(
    rng: &mut StdRng,
    world: &World,
    cfg: &SlaConfig,
    agents: &[Agent],
    agent_weights: &[f64],
    created: PrimitiveDateTime,
    consumer: &Consumer,
    about: Option<(usize, usize)>,
) -> TicketSim {
    let anchor = world.timeline.anchor;
    let hours = &cfg.hours;
    let zh = consumer.zh;
    let priority = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ][pick_weighted(rng, &[0.2, 0.55, 0.2, 0.05])];
    let subject = match (about.is_some(), zh) {
        (true, false) => pick(rng, words::SUBJECTS_PARTNER),
        (false, false) => pick(rng, words::SUBJECTS_GENERAL),
        (true, true) => pick(rng, words::ZH_SUBJECTS_PARTNER),
        (false, true) => pick(rng, words::ZH_SUBJECTS_GENERAL),
    };
    let opener = pick(
        rng,
        if zh {
            words::ZH_OPENERS
        } else {
            words::OPENERS
        },
    );
    let ids = about.map(|(p, l)| (world.partners[p].id, world.listings[l].id));
    let mut s = TicketSim::open(created, consumer.id, ids, subject, opener, priority);
    let name = words::greeting_name(&consumer.name).to_string();
    let staff_text = |rng: &mut StdRng| {
        pick(
            rng,
            if zh {
                words::ZH_STAFF_REPLIES
            } else {
                words::STAFF_REPLIES
            },
        )
        .replace("{name}", &name)
    };
    let requester_text = |rng: &mut StdRng| {
        pick(
            rng,
            if zh {
                words::ZH_REQUESTER_REPLIES
            } else {
                words::REQUESTER_REPLIES
            },
        )
        .to_string()
    };
    let agent = &agents[pick_weighted(rng, agent_weights)];
    // Partner tickets are answered by the partner now and then.
    let partner_writer = about.and_then(|(p, _)| {
        let partner = &world.partners[p];
        (!partner.members.is_empty() && rng.random_bool(0.3))
            .then(|| Writer::Partner(pick(rng, &partner.members), partner.id))
    });
    let answer = |rng: &mut StdRng, s: &mut TicketSim, at: PrimitiveDateTime| {
        let (writer, text) = match &partner_writer {
            Some(Writer::Partner(id, p)) if !zh => (
                Writer::Partner(*id, *p),
                pick(rng, words::PARTNER_REPLIES).replace("{name}", &name),
            ),
            Some(Writer::Partner(id, p)) => (Writer::Partner(*id, *p), staff_text(rng)),
            _ => (Writer::Staff(agent.id), staff_text(rng)),
        };
        s.reply(hours, at, &writer, &text, false);
    };
    let (first_target, _) = cfg.targets(priority);
    let business_delay = |rng: &mut StdRng, from: PrimitiveDateTime, target: f64| {
        let m = lognormal(rng, target * 0.35 * agent.speed, 0.8).clamp(2.0, target * 5.0);
        hours.add_minutes(from, m as i64) + Duration::seconds(rng.random_range(0..60))
    };
    let first_at = business_delay(rng, created, first_target as f64);
    let assign_at = between(rng, created + Duration::minutes(1), first_at);
    if first_at > anchor {
        // Still new: perhaps assigned, perhaps a reminder from the requester.
        if rng.random_bool(0.25) && assign_at <= anchor {
            s.assign(assign_at, agent.id);
        }
        let nudge = created + minutes(lognormal(rng, 180.0, 0.8));
        if rng.random_bool(0.1) && nudge <= anchor {
            let text = requester_text(rng);
            s.reply(hours, nudge, &Writer::Requester(consumer.id), &text, false);
        }
        return s;
    }
    if partner_writer.is_none() || rng.random_bool(0.6) {
        s.assign(assign_at, agent.id);
    }
    if rng.random_bool(0.2) {
        let at = between(rng, assign_at, first_at - Duration::seconds(1));
        s.reply(
            hours,
            at,
            &Writer::Staff(agent.id),
            pick(rng, words::INTERNAL_NOTES),
            true,
        );
    }
    answer(rng, &mut s, first_at);
    if rng.random_bool(0.3) {
        s.change_status(hours, Status::Pending, first_at + Duration::seconds(5));
    }
    let rounds = pick_weighted(rng, &[0.15, 0.25, 0.25, 0.2, 0.1, 0.05]);
    let mut last = first_at;
    for _ in 0..rounds {
        let back = last + minutes(lognormal(rng, 240.0, 1.0).max(3.0));
        if back > anchor {
            return s;
        }
        let text = requester_text(rng);
        s.reply(hours, back, &Writer::Requester(consumer.id), &text, false);
        let again = business_delay(rng, back, first_target as f64 * 0.8);
        if again > anchor {
            return s;
        }
        if rng.random_bool(0.1) {
            let at = between(rng, back, again - Duration::seconds(1));
            s.reply(
                hours,
                at,
                &Writer::Staff(agent.id),
                pick(rng, words::INTERNAL_NOTES),
                true,
            );
        }
        answer(rng, &mut s, again);
        if rng.random_bool(0.25) {
            s.change_status(hours, Status::Pending, again + Duration::seconds(5));
        }
        last = again;
    }
    if rng.random_bool(0.03) {
        // Some tickets are never resolved.
        return s;
    }
    let mut resolved = last + minutes(rng.random_range(2.0..90.0));
    if resolved > anchor {
        return s;
    }
    s.change_status(hours, Status::Resolved, resolved);
    if rng.random_bool(0.05) {
        // Reopened by the requester, answered and resolved again.
        let back = resolved + minutes(lognormal(rng, 1440.0, 0.7));
        if back > anchor || back >= resolved + Duration::days(7) {
            return s;
        }
        let text = requester_text(rng);
        s.reply(hours, back, &Writer::Requester(consumer.id), &text, false);
        let again = business_delay(rng, back, first_target as f64);
        if again > anchor {
            return s;
        }
        answer(rng, &mut s, again);
        resolved = again + minutes(rng.random_range(2.0..60.0));
        if resolved > anchor {
            return s;
        }
        s.change_status(hours, Status::Resolved, resolved);
    }
    let (first_due, _) = s.dues(cfg);
    let met = s.first_response_at.is_some_and(|f| f <= first_due);
    if rng.random_bool(0.4) {
        let at = resolved + minutes(lognormal(rng, 300.0, 1.0));
        if at <= anchor && at < resolved + Duration::days(7) {
            let weights = if met {
                [0.04, 0.04, 0.10, 0.27, 0.55]
            } else {
                [0.13, 0.12, 0.20, 0.30, 0.25]
            };
            let rating = pick_weighted(rng, &weights) as i32 + 1;
            let comment = rng
                .random_bool(0.4)
                .then(|| pick(rng, words::SATISFACTION_COMMENTS));
            s.rate(at, rating, comment);
        }
    }
    // The maintenance loop closes resolved tickets after a week.
    let close = resolved + Duration::days(7) + Duration::seconds(rng.random_range(0..600));
    if close <= anchor {
        s.change_status(hours, Status::Closed, close);
    }
    s
}

// ---------------------------------------------------------------- the history

#[derive(Clone, Copy)]
enum Detail {
    Empty,
    Text(&'static str),
    Number(i64),
}

struct Act {
    at: PrimitiveDateTime,
    consumer: i64,
    partner: Option<i64>,
    listing: Option<i64>,
    kind: &'static str,
    detail: Detail,
}

struct Eng {
    at: PrimitiveDateTime,
    listing: u32,
    consumer: u32,
    message: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Consent {
    Given,
    Never,
    Withdrawn,
}

struct Pair {
    first: PrimitiveDateTime,
    last: PrimitiveDateTime,
    consent: Consent,
    withdrawn: Option<PrimitiveDateTime>,
}

/// Per partner, its listings in order of publication with cumulative
/// weights, to draw one that was public at a moment.
struct Shelf {
    listings: Vec<usize>,
    published: Vec<PrimitiveDateTime>,
    cum: Vec<f64>,
}

fn shelves(world: &World) -> Vec<Shelf> {
    world
        .partners
        .iter()
        .map(|p| {
            let mut ls: Vec<usize> = p
                .listings
                .iter()
                .copied()
                .filter(|l| world.listings[*l].published.is_some())
                .collect();
            ls.sort_by_key(|l| (world.listings[*l].published, *l));
            let mut sum = 0.0;
            let cum = ls
                .iter()
                .map(|l| {
                    sum += world.listings[*l].weight;
                    sum
                })
                .collect();
            Shelf {
                published: ls
                    .iter()
                    .filter_map(|l| world.listings[*l].published)
                    .collect(),
                listings: ls,
                cum,
            }
        })
        .collect()
}

/// Writes the history; `scripted` tickets join the generated ones.
#[allow(clippy::too_many_arguments)]
pub fn generate(
    conn: &mut AnyConnection,
    world: &World,
    spec: &HistorySpec,
    cfg: &SlaConfig,
    scripted: Vec<TicketSim>,
    rng: &mut StdRng,
    progress: &Progress,
    counts: &mut Counts,
) -> anyhow::Result<()> {
    let tl = &world.timeline;
    let anchor = tl.anchor;
    let mut acts: Vec<Act> = Vec::with_capacity(
        spec.activities
            .map_or(spec.engagements * 4, |a| a as usize)
            .min(8_000_000),
    );

    // Requests.
    let engs = engagements(world, spec.engagements, rng, progress)?;
    let mut pairs: BTreeMap<(u32, u32), Pair> = BTreeMap::new();
    for e in &engs {
        let p = world.listings[e.listing as usize].partner as u32;
        pairs
            .entry((e.consumer, p))
            .and_modify(|pair| pair.last = e.at)
            .or_insert(Pair {
                first: e.at,
                last: e.at,
                consent: Consent::Never,
                withdrawn: None,
            });
    }
    for pair in pairs.values_mut() {
        let r = rng.random::<f64>();
        pair.consent = if r < 0.68 {
            Consent::Given
        } else if r < 0.88 {
            Consent::Never
        } else {
            Consent::Withdrawn
        };
        if pair.consent == Consent::Withdrawn {
            let span = (anchor - pair.last).whole_seconds();
            if span < 2 * 3600 {
                pair.consent = Consent::Given;
            } else {
                let start = pair.last + Duration::hours(1);
                let at = start
                    + Duration::seconds(
                        (rng.random_range(0.05..0.9) * (span - 3600) as f64) as i64,
                    );
                pair.withdrawn = Some(at);
            }
        }
    }
    let base = bulk::max_id(conn, "engagements")?;
    let bar = progress.bar("requests", engs.len() as u64);
    let mut ins = Inserter::new(
        "engagements",
        &[
            "id",
            "listing_id",
            "partner_id",
            "consumer_id",
            "message",
            "created_at",
        ],
    );
    for (i, e) in engs.iter().enumerate() {
        let l = &world.listings[e.listing as usize];
        let partner = &world.partners[l.partner];
        let consumer = &world.consumers[e.consumer as usize];
        let pair = &pairs[&(e.consumer, l.partner as u32)];
        // Consent is given once, with the pair's first request.
        let consented = pair.consent != Consent::Never && e.at == pair.first;
        ins.row(
            conn,
            [
                Val::Int(base + i as i64 + 1),
                Val::Int(l.id),
                Val::Int(partner.id),
                Val::Int(consumer.id),
                Val::Str(e.message),
                Val::Ts(e.at),
            ],
        )?;
        acts.push(Act {
            at: e.at,
            consumer: consumer.id,
            partner: Some(partner.id),
            listing: Some(l.id),
            kind: ENGAGED,
            detail: Detail::Text(e.message),
        });
        if consented {
            acts.push(Act {
                at: e.at,
                consumer: consumer.id,
                partner: Some(partner.id),
                listing: Some(l.id),
                kind: CONSENT_GIVEN,
                detail: Detail::Empty,
            });
        }
        bar.inc(1);
    }
    counts.push(("engagements", ins.finish(conn)?));

    // Consent is the pair's (consumer and partner), given with the first
    // request, withdrawn later for some.
    let mut ins = Inserter::new(
        "consents",
        &[
            "partner_id",
            "consumer_id",
            "given",
            "given_at",
            "withdrawn_at",
        ],
    );
    for ((consumer, partner), pair) in &pairs {
        if pair.consent == Consent::Never {
            continue;
        }
        ins.row(
            conn,
            [
                Val::Int(world.partners[*partner as usize].id),
                Val::Int(world.consumers[*consumer as usize].id),
                Val::Bool(pair.consent == Consent::Given),
                Val::Ts(pair.first),
                Val::OptTs(pair.withdrawn),
            ],
        )?;
    }
    counts.push(("consents", ins.finish(conn)?));
    bar.finish();
    for (&(c, p), pair) in &pairs {
        if let Some(at) = pair.withdrawn {
            acts.push(Act {
                at,
                consumer: world.consumers[c as usize].id,
                partner: Some(world.partners[p as usize].id),
                listing: None,
                kind: CONSENT_WITHDRAWN,
                detail: Detail::Empty,
            });
        }
    }

    reviews(
        conn,
        world,
        &engs,
        spec.reviews,
        rng,
        progress,
        &mut acts,
        counts,
    )?;
    tickets(
        conn,
        world,
        &engs,
        spec.tickets,
        cfg,
        scripted,
        rng,
        progress,
        &mut acts,
        counts,
    )?;
    notes_and_tags(conn, world, spec, &pairs, rng, progress, &mut acts, counts)?;
    activities(conn, acts, progress, counts)?;
    views(conn, world, &engs, spec.view_rows, rng, progress, counts)?;
    Ok(())
}

fn engagements(
    world: &World,
    n: usize,
    rng: &mut StdRng,
    progress: &Progress,
) -> anyhow::Result<Vec<Eng>> {
    let tl = &world.timeline;
    let bar = progress.bar("planning", n as u64);
    let shelves = shelves(world);
    let mut part_cum = Vec::with_capacity(world.partners.len());
    let mut sum = 0.0;
    for (p, shelf) in world.partners.iter().zip(&shelves) {
        if p.open_from.is_some() && !shelf.listings.is_empty() {
            sum += p.share.max(0.0);
        }
        part_cum.push(sum);
    }
    // The first moment anything could be requested.
    let earliest = world
        .listings
        .iter()
        .enumerate()
        .filter(|(_, l)| l.published.is_some())
        .filter_map(|(i, l)| {
            let p = &world.partners[l.partner];
            let t = l.published?.max(p.open_from?);
            world.open_at(i, t).then_some(t)
        })
        .min();
    let (Some(earliest), Some(first_consumer)) = (earliest, world.consumers.first()) else {
        if n > 0 {
            return Err(anyhow!("no listing or consumer to make requests with"));
        }
        return Ok(Vec::new());
    };
    let from = earliest.max(first_consumer.created);
    let mut times = tl.sample_sorted(n, from, rng);
    times.reverse();
    let mut taken: HashSet<u64> = HashSet::with_capacity(n * 2);
    let mut out: Vec<Eng> = Vec::with_capacity(n);
    let mut budget = (n as u64).saturating_mul(2_000).max(10_000);
    let mut t = match times.pop() {
        Some(t) => t,
        None => return Ok(out),
    };
    let mut tries_here = 0;
    while out.len() < n {
        budget = budget
            .checked_sub(1)
            .context("cannot place the requests: too few listings or consumers")?;
        tries_here += 1;
        if tries_here > 300 {
            // Nothing fits at this moment: take another one.
            t = tl.sample_one(from, rng);
            tries_here = 0;
        }
        let p = pick_cum(&part_cum, rng);
        let partner = &world.partners[p];
        if partner.open_from.is_none_or(|x| x > t) || partner.open_until.is_some_and(|u| u <= t) {
            continue;
        }
        let shelf = &shelves[p];
        let public = shelf.published.partition_point(|x| *x <= t);
        if public == 0 {
            continue;
        }
        let l = shelf.listings[pick_cum(&shelf.cum[..public], rng)];
        if world.listings[l].until.is_some_and(|u| u <= t) {
            continue;
        }
        let signed_up = world.consumers.partition_point(|c| c.created <= t);
        if signed_up == 0 {
            continue;
        }
        // Half of all requests come from people who signed up recently.
        let c = if rng.random_bool(0.5) {
            let recent = world
                .consumers
                .partition_point(|c| c.created <= t - Duration::days(45));
            rng.random_range(recent.min(signed_up - 1)..signed_up)
        } else {
            rng.random_range(0..signed_up)
        };
        if !taken.insert(((l as u64) << 32) | c as u64) {
            continue;
        }
        let zh = world.consumers[c].zh;
        let message = pick(
            rng,
            if zh {
                words::ZH_REQUEST_MESSAGES
            } else {
                words::REQUEST_MESSAGES
            },
        );
        out.push(Eng {
            at: t,
            listing: l as u32,
            consumer: c as u32,
            message,
        });
        bar.inc(1);
        tries_here = 0;
        if let Some(next) = times.pop() {
            t = next;
        } else if out.len() < n {
            t = tl.sample_one(from, rng);
        }
    }
    out.sort_by_key(|e| e.at);
    bar.finish_and_clear();
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn reviews(
    conn: &mut AnyConnection,
    world: &World,
    engs: &[Eng],
    n: usize,
    rng: &mut StdRng,
    progress: &Progress,
    acts: &mut Vec<Act>,
    counts: &mut Counts,
) -> anyhow::Result<()> {
    let anchor = world.timeline.anchor;
    let eligible: Vec<usize> = (0..engs.len())
        .filter(|i| engs[*i].at + Duration::days(1) <= anchor)
        .collect();
    let n = n.min(eligible.len());
    struct Rev {
        eng: usize,
        at: PrimitiveDateTime,
        rating: i32,
        body: String,
        hidden: Option<(PrimitiveDateTime, &'static str)>,
        reply: Option<(String, PrimitiveDateTime)>,
        updated: PrimitiveDateTime,
    }
    let mut chosen: Vec<usize> = rand::seq::index::sample(rng, eligible.len(), n)
        .into_iter()
        .map(|i| eligible[i])
        .collect();
    chosen.sort_unstable();
    let mut list: Vec<Rev> = Vec::with_capacity(n);
    for e in chosen {
        let eng = &engs[e];
        let l = &world.listings[eng.listing as usize];
        let zh = world.consumers[eng.consumer as usize].zh;
        let mut at = eng.at + minutes(lognormal(rng, 4.0 * 1440.0, 0.9));
        if at > anchor - Duration::minutes(1) {
            at = between(
                rng,
                eng.at + Duration::hours(1),
                anchor - Duration::minutes(1),
            );
        }
        let rating = if rng.random_bool(0.07) {
            rng.random_range(1..=2)
        } else {
            (l.quality + 0.75 * normal(rng)).round().clamp(1.0, 5.0) as i32
        };
        let body = words::review_text(rng, rating, zh);
        let hidden = rng
            .random_bool(if rating <= 2 { 0.08 } else { 0.01 })
            .then(|| {
                let until = (at + Duration::days(3)).min(anchor);
                (between(rng, at, until), pick(rng, words::HIDDEN_REASONS))
            });
        let reply_chance = match rating {
            1 | 2 => 0.5,
            3 => 0.35,
            _ => 0.15,
        };
        let reply = if rng.random_bool(reply_chance) {
            let reply_at = at + minutes(lognormal(rng, 18.0 * 60.0, 1.0));
            let text = pick(
                rng,
                if zh {
                    words::ZH_REVIEW_REPLIES
                } else {
                    words::REVIEW_REPLIES
                },
            );
            (reply_at <= anchor).then(|| (text.to_string(), reply_at))
        } else {
            None
        };
        // A few consumers come back and edit their review.
        let updated = if rng.random_bool(0.04) && at + Duration::days(1) < anchor {
            between(rng, at + Duration::days(1), anchor)
        } else {
            at
        };
        list.push(Rev {
            eng: e,
            at,
            rating,
            body,
            hidden,
            reply,
            updated,
        });
    }
    list.sort_by_key(|r| (r.at, r.eng));
    let base = bulk::max_id(conn, "reviews")?;
    let bar = progress.bar("reviews", list.len() as u64);
    let mut ins = Inserter::new(
        "reviews",
        &[
            "id",
            "listing_id",
            "partner_id",
            "consumer_id",
            "rating",
            "body",
            "hidden_at",
            "hidden_reason",
            "reply_body",
            "reply_at",
            "created_at",
            "updated_at",
        ],
    );
    for (i, r) in list.into_iter().enumerate() {
        let eng = &engs[r.eng];
        let l = &world.listings[eng.listing as usize];
        let partner = world.partners[l.partner].id;
        let consumer = world.consumers[eng.consumer as usize].id;
        let (reply_body, reply_at) = r.reply.map_or((None, None), |(b, t)| (Some(b), Some(t)));
        ins.row(
            conn,
            [
                Val::Int(base + i as i64 + 1),
                Val::Int(l.id),
                Val::Int(partner),
                Val::Int(consumer),
                Val::I32(r.rating),
                Val::Text(r.body),
                Val::OptTs(r.hidden.map(|h| h.0)),
                Val::OptText(r.hidden.map(|h| h.1.to_string())),
                Val::OptText(reply_body),
                Val::OptTs(reply_at),
                Val::Ts(r.at),
                Val::Ts(r.updated),
            ],
        )?;
        let stamps: &[PrimitiveDateTime] = if r.updated > r.at {
            &[r.at, r.updated]
        } else {
            &[r.at]
        };
        for at in stamps {
            acts.push(Act {
                at: *at,
                consumer,
                partner: Some(partner),
                listing: Some(l.id),
                kind: REVIEWED,
                detail: Detail::Number(r.rating as i64),
            });
        }
        bar.inc(1);
    }
    counts.push(("reviews", ins.finish(conn)?));
    bar.finish();
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn tickets(
    conn: &mut AnyConnection,
    world: &World,
    engs: &[Eng],
    n: usize,
    cfg: &SlaConfig,
    scripted: Vec<TicketSim>,
    rng: &mut StdRng,
    progress: &Progress,
    acts: &mut Vec<Act>,
    counts: &mut Counts,
) -> anyhow::Result<()> {
    let tl = &world.timeline;
    let anchor = tl.anchor;
    if world.staff.is_empty() && n > scripted.len() {
        return Err(anyhow!("tickets need at least one staff account"));
    }
    let agents: Vec<Agent> = world
        .staff
        .iter()
        .map(|(id, _)| Agent {
            id: *id,
            speed: rng.random_range(0.6..1.6),
        })
        .collect();
    let agent_weights: Vec<f64> = (0..agents.len())
        .map(|i| {
            if i == 0 && agents.len() > 1 {
                0.2
            } else {
                rng.random_range(0.5..1.5)
            }
        })
        .collect();
    enum Plan {
        Generated {
            at: PrimitiveDateTime,
            consumer: usize,
            about: Option<(usize, usize)>,
        },
        Scripted(Box<TicketSim>),
    }
    let generated = n.saturating_sub(scripted.len());
    let mut plans: Vec<Plan> = Vec::with_capacity(n);
    let first_consumer = world.consumers.first().map(|c| c.created);
    for _ in 0..generated {
        let mut plan = None;
        // Most tickets are about something the consumer asked for.
        if !engs.is_empty() && rng.random_bool(0.65) {
            for _ in 0..10 {
                let e = &engs[rng.random_range(0..engs.len())];
                let at = e.at + minutes(lognormal(rng, 3.0 * 1440.0, 1.1));
                if at <= anchor - Duration::minutes(5) {
                    let l = e.listing as usize;
                    plan = Some(Plan::Generated {
                        at,
                        consumer: e.consumer as usize,
                        about: Some((world.listings[l].partner, l)),
                    });
                    break;
                }
            }
        }
        if plan.is_none() {
            let from = first_consumer.context("tickets need consumers")?;
            let at = tl.sample_one(from, rng);
            let signed_up = world.consumers.partition_point(|c| c.created <= at).max(1);
            plan = Some(Plan::Generated {
                at,
                consumer: rng.random_range(0..signed_up),
                about: None,
            });
        }
        plans.extend(plan);
    }
    plans.extend(scripted.into_iter().map(|s| Plan::Scripted(Box::new(s))));
    let created = |p: &Plan| match p {
        Plan::Generated { at, .. } => *at,
        Plan::Scripted(s) => s.created,
    };
    plans.sort_by_key(|p| created(p));

    let base = bulk::max_id(conn, "tickets")?;
    let message_base = bulk::max_id(conn, "ticket_messages")?;
    let first_number = next_number(conn)?;
    let bar = progress.bar("tickets", plans.len() as u64);
    let mut tins = Inserter::new(
        "tickets",
        &[
            "id",
            "number",
            "requester_id",
            "partner_id",
            "listing_id",
            "subject",
            "status",
            "priority",
            "assignee_id",
            "first_response_due",
            "resolution_due",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "paused_since",
            "paused_minutes",
            "satisfaction_rating",
            "satisfaction_comment",
            "satisfaction_at",
            "last_activity_at",
            "created_at",
            "updated_at",
        ],
    );
    let mut mins = Inserter::new(
        "ticket_messages",
        &[
            "id",
            "ticket_id",
            "author_id",
            "author_kind",
            "partner_id",
            "body",
            "internal",
            "created_at",
        ],
    );
    let mut message_id = message_base;
    for (i, plan) in plans.into_iter().enumerate() {
        let s = match plan {
            Plan::Generated {
                at,
                consumer,
                about,
            } => simulate(
                rng,
                world,
                cfg,
                &agents,
                &agent_weights,
                at,
                &world.consumers[consumer],
                about,
            ),
            Plan::Scripted(s) => *s,
        };
        let id = base + i as i64 + 1;
        let number = first_number + i as i64;
        let (first_due, resolution_due) = s.dues(cfg);
        let (rating, comment, rated_at) = match s.satisfaction.clone() {
            Some((r, c, t)) => (Some(r), c, Some(t)),
            None => (None, None, None),
        };
        tins.push([
            Val::Int(id),
            Val::Int(number),
            Val::Int(s.requester),
            Val::OptInt(s.partner),
            Val::OptInt(s.listing),
            Val::Text(s.subject.clone()),
            Val::Str(s.status.as_str()),
            Val::Str(s.priority.as_str()),
            Val::OptInt(s.assignee),
            Val::OptTs(Some(first_due)),
            Val::OptTs(Some(resolution_due)),
            Val::OptTs(s.first_response_at),
            Val::OptTs(s.resolved_at),
            Val::OptTs(s.closed_at),
            Val::OptTs(s.paused_since),
            Val::I32(s.paused_minutes as i32),
            Val::OptI32(rating),
            Val::OptText(comment),
            Val::OptTs(rated_at),
            Val::Ts(s.last_activity),
            Val::Ts(s.created),
            Val::Ts(s.updated),
        ]);
        for (k, m) in s.messages.into_iter().enumerate() {
            message_id += 1;
            let kind = if k == 0 {
                Some("ticket_opened")
            } else if m.internal {
                None
            } else if m.kind == Author::REQUESTER {
                Some("ticket_replied")
            } else {
                Some("ticket_answered")
            };
            if let Some(kind) = kind {
                acts.push(Act {
                    at: m.at,
                    consumer: s.requester,
                    partner: s.partner,
                    listing: s.listing,
                    kind,
                    detail: Detail::Number(number),
                });
            }
            mins.push([
                Val::Int(message_id),
                Val::Int(id),
                Val::OptInt(Some(m.author)),
                Val::Str(m.kind),
                Val::OptInt(m.partner),
                Val::Text(m.body),
                Val::Bool(m.internal),
                Val::Ts(m.at),
            ]);
        }
        // Messages refer to their ticket: tickets go first.
        if tins.full() || mins.full() {
            tins.flush(conn)?;
            mins.flush(conn)?;
        }
        bar.inc(1);
    }
    counts.push(("tickets", tins.finish(conn)?));
    counts.push(("ticket_messages", mins.finish(conn)?));
    bar.finish();
    Ok(())
}

fn next_number(conn: &mut AnyConnection) -> anyhow::Result<i64> {
    use crate::schema::tickets;
    use diesel::prelude::*;
    let max: Option<i64> = tickets::table
        .select(diesel::dsl::max(tickets::number))
        .first(conn)?;
    Ok(max.map_or(FIRST_NUMBER, |m| m + 1))
}

#[allow(clippy::too_many_arguments)]
fn notes_and_tags(
    conn: &mut AnyConnection,
    world: &World,
    spec: &HistorySpec,
    pairs: &BTreeMap<(u32, u32), Pair>,
    rng: &mut StdRng,
    progress: &Progress,
    acts: &mut Vec<Act>,
    counts: &mut Counts,
) -> anyhow::Result<()> {
    let anchor = world.timeline.anchor;
    let notes = match spec.activities {
        Some(total) => total.checked_sub(acts.len() as u64).ok_or_else(|| {
            anyhow!(
                "{total} activity rows were asked for, but the other events already make {}",
                acts.len()
            )
        })? as usize,
        None => spec.few_notes,
    };
    // Partners keep notes and tags on customers who consent.
    let customers: Vec<(u32, u32, PrimitiveDateTime)> = pairs
        .iter()
        .filter(|(k, p)| {
            p.consent == Consent::Given && !world.partners[k.1 as usize].members.is_empty()
        })
        .map(|(k, p)| (k.0, k.1, p.first))
        .collect();
    if customers.is_empty() && notes > 0 {
        return Err(anyhow!("notes need a consenting customer"));
    }
    let base = bulk::max_id(conn, "crm_notes")?;
    let bar = progress.bar("notes", notes as u64);
    let mut ins = Inserter::new(
        "crm_notes",
        &[
            "id",
            "partner_id",
            "consumer_id",
            "author_id",
            "body",
            "created_at",
        ],
    );
    let mut planned: Vec<(PrimitiveDateTime, usize)> = (0..notes)
        .map(|_| {
            let k = rng.random_range(0..customers.len());
            (between(rng, customers[k].2, anchor), k)
        })
        .collect();
    planned.sort();
    for (i, (at, k)) in planned.into_iter().enumerate() {
        let (c, p, _) = customers[k];
        let partner = &world.partners[p as usize];
        let consumer = &world.consumers[c as usize];
        let author = pick(rng, &partner.members);
        let body = pick(
            rng,
            if consumer.zh {
                words::ZH_CRM_NOTES
            } else {
                words::CRM_NOTES
            },
        );
        ins.row(
            conn,
            [
                Val::Int(base + i as i64 + 1),
                Val::Int(partner.id),
                Val::Int(consumer.id),
                Val::OptInt(Some(author)),
                Val::Str(body),
                Val::Ts(at),
            ],
        )?;
        acts.push(Act {
            at,
            consumer: consumer.id,
            partner: Some(partner.id),
            listing: None,
            kind: "note_added",
            detail: Detail::Empty,
        });
        bar.inc(1);
    }
    counts.push(("crm_notes", ins.finish(conn)?));
    bar.finish();

    let base = bulk::max_id(conn, "crm_tags")?;
    let mut ins = Inserter::new(
        "crm_tags",
        &["id", "partner_id", "consumer_id", "tag", "created_at"],
    );
    let mut id = base;
    for (c, p, first) in &customers {
        if !rng.random_bool(spec.tag_share) {
            continue;
        }
        let a = rng.random_range(0..words::CRM_TAGS.len());
        let b = (a + rng.random_range(1..words::CRM_TAGS.len())) % words::CRM_TAGS.len();
        let tags: &[usize] = if rng.random_bool(0.3) { &[a, b] } else { &[a] };
        for t in tags {
            id += 1;
            ins.row(
                conn,
                [
                    Val::Int(id),
                    Val::Int(world.partners[*p as usize].id),
                    Val::Int(world.consumers[*c as usize].id),
                    Val::Str(words::CRM_TAGS[*t]),
                    Val::Ts(between(rng, *first, anchor)),
                ],
            )?;
        }
    }
    counts.push(("crm_tags", ins.finish(conn)?));
    Ok(())
}

fn activities(
    conn: &mut AnyConnection,
    mut acts: Vec<Act>,
    progress: &Progress,
    counts: &mut Counts,
) -> anyhow::Result<()> {
    acts.sort_by_key(|a| a.at);
    let base = bulk::max_id(conn, "activities")?;
    let bar = progress.bar("activities", acts.len() as u64);
    let mut ins = Inserter::new(
        "activities",
        &[
            "id",
            "consumer_id",
            "partner_id",
            "listing_id",
            "kind",
            "detail",
            "created_at",
        ],
    );
    for (i, a) in acts.iter().enumerate() {
        let detail = match a.detail {
            Detail::Empty => Val::Str(""),
            Detail::Text(t) => Val::Str(t),
            Detail::Number(n) if a.kind == REVIEWED => Val::Text(n.to_string()),
            Detail::Number(n) => Val::Text(format!("#{n}")),
        };
        ins.row(
            conn,
            [
                Val::Int(base + i as i64 + 1),
                Val::Int(a.consumer),
                Val::OptInt(a.partner),
                Val::OptInt(a.listing),
                Val::Str(a.kind),
                detail,
                Val::Ts(a.at),
            ],
        )?;
        if i % 1024 == 0 {
            bar.set_position(i as u64);
        }
    }
    counts.push(("activities", ins.finish(conn)?));
    bar.finish();
    Ok(())
}

/// Views per listing and day: about `target_rows` rows. Popular listings
/// are seen every day, the long tail on a few days; a listing's views are
/// some 15 to 45 times its requests, spread by the day weights.
fn views(
    conn: &mut AnyConnection,
    world: &World,
    engs: &[Eng],
    target_rows: u64,
    rng: &mut StdRng,
    progress: &Progress,
    counts: &mut Counts,
) -> anyhow::Result<()> {
    let tl = &world.timeline;
    let mut requests = vec![0u32; world.listings.len()];
    for e in engs {
        requests[e.listing as usize] += 1;
    }
    struct Plan {
        listing: usize,
        from: usize,
        to: usize,
        total: f64,
    }
    let plans: Vec<Plan> = world
        .listings
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let from = tl.day_of(l.published?);
            let to = l.until.map_or(tl.days - 1, |u| tl.day_of(u));
            let days = (to + 1).saturating_sub(from) as f64;
            let total =
                requests[i] as f64 * rng.random_range(15.0..45.0) + days * 0.05 * l.weight.min(5.0);
            (to >= from).then_some(Plan {
                listing: i,
                from,
                to,
                total,
            })
        })
        .collect();
    let rows_for = |c: f64| -> f64 {
        plans
            .iter()
            .map(|p| (c * p.total.powf(0.75)).clamp(1.0, (p.to - p.from + 1) as f64))
            .sum()
    };
    let (mut lo, mut hi) = (0.0f64, 1.0e6f64);
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if rows_for(mid) < target_rows as f64 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let c = hi;
    let day_names: Vec<String> = (0..tl.days).map(|d| tl.date(d).to_string()).collect();
    let bar = progress.bar("views", plans.len() as u64);
    let mut ins = Inserter::new("listing_views", &["listing_id", "day", "views"]);
    let mut chosen: Vec<(usize, f64)> = Vec::with_capacity(tl.days);
    for p in &plans {
        let span = (p.to - p.from + 1) as f64;
        let want = (c * p.total.powf(0.75)).clamp(1.0, span);
        let range_weight = tl.weight_between(p.from, p.to);
        // A day is kept with a chance that follows its weight; a kept day
        // carries the views of the days like it that were left out.
        chosen.clear();
        for d in p.from..=p.to {
            let expected = p.total * tl.weight(d) / range_weight;
            let chance = if want >= span {
                1.0
            } else {
                (want * tl.weight(d) / range_weight).min(1.0)
            };
            if chance >= 1.0 || rng.random::<f64>() < chance {
                chosen.push((d, expected / chance));
            }
        }
        for (d, v) in &chosen {
            let v = v * rng.random_range(0.75..1.25);
            ins.row(
                conn,
                [
                    Val::Int(world.listings[p.listing].id),
                    Val::Text(day_names[*d].clone()),
                    Val::I32(v.round().max(1.0) as i32),
                ],
            )?;
        }
        bar.inc(1);
    }
    counts.push(("listing_views", ins.finish(conn)?));
    bar.finish();
    Ok(())
}
