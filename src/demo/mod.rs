//! Believable demo data. `small` is a first look: three partners with their
//! teams, six listings, a few dozen consumers and the last 120 days of
//! requests, reviews, tickets and views. `large` (see [`large`]) is a
//! platform at scale.

pub mod bulk;
pub mod history;
pub mod large;
pub mod words;

use anyhow::Context;
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use diesel::prelude::*;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::{Duration, PrimitiveDateTime};

use self::bulk::{Inserter, Val};
use self::history::{
    Consumer, Counts, HistorySpec, ListingRef, PartnerRef, TicketSim, Timeline, World,
};
use crate::db::{AnyConnection, write_tx};
use crate::domain::ticket::{Priority, Status};
use crate::models::tickets::Writer;
use crate::models::{catalogue, listings, partners, search, tickets};

pub const PASSWORD: &str = "agora-demo-password";

/// Desk staff of every demo: (email, name, platform admin).
pub const STAFF: &[(&str, &str, bool)] = &[
    ("admin@agora.example", "Ada Admin", true),
    ("support@agora.example", "Sam Support", false),
    ("nina.park@agora.example", "Nina Park", false),
    ("omar.farouk@agora.example", "Omar Farouk", false),
    ("lucia.romero@agora.example", "Lucía Romero", false),
    ("chen.jie@agora.example", "Chen Jie", false),
    ("grace.okoye@agora.example", "Grace Okoye", false),
    ("felix.wagner@agora.example", "Felix Wagner", false),
    ("aiko.tanaka@agora.example", "Aiko Tanaka", false),
    ("liu.yang@agora.example", "Liu Yang", false),
];

/// Consumers every demo has, with the same sign-in.
pub const CONSUMERS: &[(&str, &str)] = &[
    ("ann.consumer@example.com", "Ann Meyer"),
    ("bo.chen@example.com", "Bo Chen"),
    ("carlos@example.com", "Carlos Ruiz"),
];

pub struct DemoPartner {
    pub name: &'static str,
    pub slug: &'static str,
    pub website: &'static str,
    pub description: &'static str,
    pub owner: (&'static str, &'static str),
    pub member: (&'static str, &'static str),
    /// (title, slug, category slug, summary, body)
    pub listings: &'static [(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    )],
}

pub const PARTNERS: &[DemoPartner] = &[
    DemoPartner {
        name: "Harbour Wellness",
        slug: "harbour-wellness",
        website: "https://harbour-wellness.example",
        description: "Physiotherapy, yoga and nutrition coaching, in our studios or online.",
        owner: ("maya.owner@harbour.example", "Maya Lindqvist"),
        member: ("tom.coach@harbour.example", "Tom Okafor"),
        listings: &[
            (
                "Online physiotherapy check-up",
                "online-physiotherapy-check-up",
                "health-wellness",
                "A 30-minute video session with a licensed physiotherapist.",
                "## What you get\n\n- A movement assessment by video\n- A written exercise plan\n- One follow-up message within a week\n\nBring comfortable clothes and a little floor space.",
            ),
            (
                "Beginner yoga, eight weeks",
                "beginner-yoga-eight-weeks",
                "health-wellness",
                "A gentle weekly class for people who have never tried yoga.",
                "Classes run **every Tuesday evening**. Mats are provided.\n\n1. Breathing and posture\n2. Standing poses\n3. Balance and rest",
            ),
        ],
    },
    DemoPartner {
        name: "Brightpath Tutoring",
        slug: "brightpath-tutoring",
        website: "https://brightpath.example",
        description: "Patient tutors for maths, sciences and languages, from primary school to university.",
        owner: ("li.wei@brightpath.example", "Li Wei"),
        member: ("sara.tutor@brightpath.example", "Sara Haddad"),
        listings: &[
            (
                "Maths tutoring for secondary school",
                "maths-tutoring-secondary",
                "learning",
                "One-to-one maths lessons, matched to the school's syllabus.",
                "Lessons of 60 minutes, online or at home.\n\nWe start with a short diagnostic and agree on goals with you.",
            ),
            (
                "Mandarin conversation club",
                "mandarin-conversation-club",
                "learning",
                "Practise everyday Mandarin in small groups. 欢迎初学者！",
                "Groups of four to six learners meet twice a week.\n\n> 学而时习之，不亦说乎？",
            ),
        ],
    },
    DemoPartner {
        name: "GreenLeaf Home Services",
        slug: "greenleaf-home",
        website: "https://greenleaf.example",
        description: "Cleaning, gardening and small repairs by insured, vetted staff.",
        owner: ("ollie@greenleaf.example", "Oliver Grant"),
        member: ("priya@greenleaf.example", "Priya Nair"),
        listings: &[
            (
                "Deep clean for flats and houses",
                "deep-clean-flats-houses",
                "home-services",
                "A top-to-bottom clean with eco-friendly products.",
                "Our team of two brings everything needed.\n\n*Ovens, fridges and windows included on request.*",
            ),
            (
                "Garden care subscription",
                "garden-care-subscription",
                "home-services",
                "Mowing, hedges and seasonal planting, once a fortnight.",
                "Cancel at any time. We send a photo report after every visit.",
            ),
        ],
    },
];

/// Categories of the small demo: the first of the large one's.
const SMALL_CATEGORIES: usize = 5;
/// Consumers of the small demo besides the named ones.
const SMALL_MORE_CONSUMERS: usize = 21;
const SMALL_DAYS: usize = 120;

/// Progress bars on standard error; drawn only when it is a terminal.
pub struct Progress {
    show: bool,
}

impl Progress {
    pub fn stderr() -> Progress {
        Progress { show: true }
    }

    pub fn hidden() -> Progress {
        Progress { show: false }
    }

    pub fn bar(&self, label: &'static str, len: u64) -> ProgressBar {
        if !self.show {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix:>12} [{bar:28}] {human_pos:>9}/{human_len:9} {per_sec:0}  {elapsed}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(label);
        bar
    }

    pub fn spinner(&self, label: &'static str) -> ProgressBar {
        if !self.show {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{prefix:>12} {spinner} {elapsed}") {
            bar.set_style(style);
        }
        bar.set_prefix(label);
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    }
}

/// The one argon2id hash every demo account shares, salted from the seed
/// so the same seed gives the same rows. Same parameters as sign-up.
pub fn demo_hash(seed: u64) -> anyhow::Result<String> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_a90a);
    let salt_bytes: [u8; 16] = rng.random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let params = Params::new(19456, 2, 1, None).map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(PASSWORD.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hash: {e}"))
}

/// No accounts, partners, listings or tickets yet.
pub fn is_empty(conn: &mut AnyConnection) -> QueryResult<bool> {
    use crate::schema::{listings, partners, tickets, users};
    Ok(users::table.count().get_result::<i64>(conn)? == 0
        && partners::table.count().get_result::<i64>(conn)? == 0
        && listings::table.count().get_result::<i64>(conn)? == 0
        && tickets::table.count().get_result::<i64>(conn)? == 0)
}

/// Replies the desk keeps at hand.
const CANNED: &[(&str, &str)] = &[
    (
        "Thanks, looking into it",
        "Hello {{name}},\n\nthank you for writing. I am looking into {{ticket}} and will come back to you today.\n\n{{agent}}",
    ),
    (
        "Need more details",
        "Hello {{name}},\n\ncould you tell us the date of the appointment and the address? Then we can help with {{ticket}}.",
    ),
];

fn canned_replies(conn: &mut AnyConnection, at: PrimitiveDateTime) -> QueryResult<()> {
    let mut ins = Inserter::new(
        "canned_replies",
        &["title", "body", "created_at", "updated_at"],
    );
    for (title, body) in CANNED {
        ins.row(
            conn,
            [Val::Str(title), Val::Str(body), Val::Ts(at), Val::Ts(at)],
        )?;
    }
    ins.finish(conn).map(|_| ())
}

/// Fills a database without partners with the small demo; returns the
/// sign-ins made, or `None` when there were partners already.
pub fn fill(conn: &mut AnyConnection, seed: u64) -> Result<Option<Vec<(String, String)>>, String> {
    let hash = demo_hash(seed).map_err(|e| e.to_string())?;
    let anchor = crate::models::now();
    write_tx(conn, |conn| {
        if catalogue::count_partners(conn)? > 0 {
            return Ok(None);
        }
        small(conn, seed, anchor, &hash).map(Some)
    })
    .map_err(|e: anyhow::Error| format!("{e:#}"))
}

fn small(
    conn: &mut AnyConnection,
    seed: u64,
    anchor: PrimitiveDateTime,
    hash: &str,
) -> anyhow::Result<Vec<(String, String)>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let rng = &mut rng;
    let tl = Timeline::new(anchor, SMALL_DAYS);
    let start = tl.start();
    let user_base = bulk::max_id(conn, "users")?;
    let partner_base = bulk::max_id(conn, "partners")?;
    let membership_base = bulk::max_id(conn, "memberships")?;
    let category_base = bulk::max_id(conn, "categories")?;
    let listing_base = bulk::max_id(conn, "listings")?;
    let mut logins = Vec::new();

    let mut users = Inserter::new(
        "users",
        &[
            "id",
            "email",
            "display_name",
            "password_hash",
            "locale",
            "email_verified_at",
            "is_staff",
            "is_admin",
            "created_at",
            "updated_at",
        ],
    );
    let mut next_user = user_base;
    let mut add_user = |conn: &mut AnyConnection,
                        email: &str,
                        name: &str,
                        staff: bool,
                        admin: bool,
                        created: PrimitiveDateTime|
     -> QueryResult<i64> {
        next_user += 1;
        users.row(
            conn,
            [
                Val::Int(next_user),
                Val::Text(email.to_string()),
                Val::Text(name.to_string()),
                Val::Text(hash.to_string()),
                Val::OptText(None),
                Val::OptTs(Some(created + Duration::minutes(4))),
                Val::Bool(staff),
                Val::Bool(admin),
                Val::Ts(created),
                Val::Ts(created),
            ],
        )?;
        Ok(next_user)
    };
    let mut staff = Vec::new();
    for (email, name, admin) in &STAFF[..2] {
        let id = add_user(conn, email, name, true, *admin, start - Duration::days(20))?;
        staff.push((id, name.to_string()));
        let role = if *admin {
            "platform admin"
        } else {
            "support agent"
        };
        logins.push((email.to_string(), role.to_string()));
    }
    let mut teams = Vec::new();
    for (i, p) in PARTNERS.iter().enumerate() {
        let created = start - Duration::days(10) + Duration::hours(5 * i as i64);
        let owner = add_user(conn, p.owner.0, p.owner.1, false, false, created)?;
        let member = add_user(
            conn,
            p.member.0,
            p.member.1,
            false,
            false,
            created + Duration::days(2),
        )?;
        logins.push((p.owner.0.to_string(), format!("owner of {}", p.name)));
        logins.push((p.member.0.to_string(), format!("member of {}", p.name)));
        teams.push((owner, member, created));
    }
    // The named consumers first, then more who signed up over the months.
    let mut consumers = Vec::new();
    for (i, (email, name)) in CONSUMERS.iter().enumerate() {
        let created = start - Duration::days(5) + Duration::hours(7 * i as i64);
        let id = add_user(conn, email, name, false, false, created)?;
        logins.push((email.to_string(), "consumer".to_string()));
        consumers.push(Consumer {
            id,
            created,
            zh: false,
            name: name.to_string(),
        });
    }
    let until = anchor - Duration::days(20);
    let mut times: Vec<PrimitiveDateTime> = tl
        .sample_sorted(SMALL_MORE_CONSUMERS, start, rng)
        .into_iter()
        .map(|t| t.min(until))
        .collect();
    times.sort();
    for (i, created) in times.into_iter().enumerate() {
        let zh = i % 4 == 3;
        let (name, local) = words::person(rng, zh);
        let email = format!("{local}.{}@example.net", i + 1);
        let id = add_user(conn, &email, &name, false, false, created)?;
        consumers.push(Consumer {
            id,
            created,
            zh,
            name,
        });
    }
    users.finish(conn)?;

    let mut ins = Inserter::new("categories", &["id", "name", "slug", "created_at"]);
    for (i, c) in words::CATEGORIES[..SMALL_CATEGORIES].iter().enumerate() {
        ins.row(
            conn,
            [
                Val::Int(category_base + i as i64 + 1),
                Val::Str(c.name),
                Val::Str(c.slug),
                Val::Ts(start - Duration::days(20)),
            ],
        )?;
    }
    ins.finish(conn)?;

    let mut pins = Inserter::new(
        "partners",
        &[
            "id",
            "name",
            "slug",
            "website",
            "description",
            "contact_email",
            "status",
            "applicant_id",
            "notify_engagements",
            "created_at",
            "updated_at",
        ],
    );
    let mut mins = Inserter::new(
        "memberships",
        &["id", "partner_id", "user_id", "role", "created_at"],
    );
    let mut world_partners = Vec::new();
    for (i, (p, (owner, member, created))) in PARTNERS.iter().zip(&teams).enumerate() {
        let id = partner_base + i as i64 + 1;
        let approved = *created + Duration::hours(20);
        pins.row(
            conn,
            [
                Val::Int(id),
                Val::Str(p.name),
                Val::Str(p.slug),
                Val::Str(p.website),
                Val::Str(p.description),
                Val::Str(p.owner.0),
                Val::Str(partners::APPROVED),
                Val::OptInt(Some(*owner)),
                Val::Bool(true),
                Val::Ts(*created),
                Val::Ts(approved),
            ],
        )?;
        for (k, (user, role, at)) in [
            (*owner, "owner", *created),
            (*member, "member", *created + Duration::days(2)),
        ]
        .into_iter()
        .enumerate()
        {
            mins.push([
                Val::Int(membership_base + (2 * i + k) as i64 + 1),
                Val::Int(id),
                Val::Int(user),
                Val::Str(role),
                Val::Ts(at),
            ]);
        }
        world_partners.push(PartnerRef {
            id,
            open_from: Some(approved),
            open_until: None,
            share: 1.0,
            members: vec![*owner, *member],
            listings: Vec::new(),
        });
    }
    pins.finish(conn)?;
    mins.finish(conn)?;

    let mut lins = Inserter::new(
        "listings",
        &[
            "id",
            "partner_id",
            "category_id",
            "title",
            "slug",
            "summary",
            "body",
            "price_text",
            "status",
            "created_at",
            "updated_at",
            "published_at",
        ],
    );
    let mut world_listings = Vec::new();
    for (i, p) in PARTNERS.iter().enumerate() {
        for (title, slug, category, summary, body) in p.listings {
            let id = listing_base + world_listings.len() as i64 + 1;
            let created =
                start - Duration::days(8) + Duration::hours(9 * world_listings.len() as i64);
            let published = created + Duration::hours(2);
            let category_id = words::CATEGORIES[..SMALL_CATEGORIES]
                .iter()
                .position(|c| c.slug == *category)
                .map(|k| category_base + k as i64 + 1);
            lins.row(
                conn,
                [
                    Val::Int(id),
                    Val::Int(world_partners[i].id),
                    Val::OptInt(category_id),
                    Val::Str(title),
                    Val::Str(slug),
                    Val::Str(summary),
                    Val::Str(body),
                    Val::Str("From €40"),
                    Val::Str(listings::PUBLISHED),
                    Val::Ts(created),
                    Val::Ts(published),
                    Val::OptTs(Some(published)),
                ],
            )?;
            world_partners[i].listings.push(world_listings.len());
            world_listings.push(ListingRef {
                id,
                partner: i,
                published: Some(published),
                until: None,
                weight: rng.random_range(0.6..1.6),
                quality: rng.random_range(3.9..4.8),
            });
        }
    }
    lins.finish(conn)?;
    for l in &world_listings {
        search::reindex(conn, l.id)?;
    }

    let cfg = tickets::sla_config(conn)?;
    let scripted = stories(
        &cfg,
        &consumers,
        &world_partners,
        &world_listings,
        staff[1].0,
        anchor,
    );
    let world = World {
        timeline: tl,
        consumers,
        staff,
        partners: world_partners,
        listings: world_listings,
    };
    let mut counts = Counts::new();
    history::generate(
        conn,
        &world,
        &HistorySpec {
            engagements: 80,
            reviews: 40,
            tickets: 24,
            activities: None,
            few_notes: 8,
            view_rows: u64::MAX,
            tag_share: 0.3,
        },
        &cfg,
        scripted,
        rng,
        &Progress::hidden(),
        &mut counts,
    )
    .context("demo history")?;
    bulk::reset_sequences(
        conn,
        &[
            "users",
            "partners",
            "memberships",
            "categories",
            "listings",
            "engagements",
            "activities",
            "reviews",
            "tickets",
            "ticket_messages",
            "crm_notes",
            "crm_tags",
        ],
    )?;
    canned_replies(conn, start)?;
    crate::models::stats::recompute_all(conn)?;
    Ok(logins)
}

/// Three tickets told as they happened, for the desk's first look: one just
/// in, one answered this morning, one resolved and rated.
fn stories(
    cfg: &tickets::SlaConfig,
    consumers: &[Consumer],
    partners: &[PartnerRef],
    listings: &[ListingRef],
    agent: i64,
    anchor: PrimitiveDateTime,
) -> Vec<TicketSim> {
    let hours = &cfg.hours;
    let about = |l: usize| Some((partners[listings[l].partner].id, listings[l].id));
    let first = TicketSim::open(
        anchor - Duration::minutes(50),
        consumers[0].id,
        about(0),
        "Video call link does not work",
        "The link in my confirmation opens an empty page. My appointment is tomorrow at 10.",
        Priority::High,
    );
    let at = anchor - Duration::hours(26);
    let mut second = TicketSim::open(
        at,
        consumers[1].id,
        about(3),
        "Can I change my lesson time?",
        "I would like to move my Thursday lesson to Friday afternoon.",
        Priority::Normal,
    );
    second.assign(at + Duration::minutes(12), agent);
    second.reply(
        hours,
        at + Duration::minutes(25),
        &Writer::Staff(agent),
        "Asked the tutor about Friday slots.",
        true,
    );
    second.reply(
        hours,
        at + Duration::minutes(42),
        &Writer::Staff(agent),
        "Hello, I asked the tutor; we will confirm by tomorrow.",
        false,
    );
    let at = anchor - Duration::days(6) - Duration::minutes(95);
    let mut third = TicketSim::open(
        at,
        consumers[2].id,
        None,
        "How do I delete my account?",
        "I no longer need the service.",
        Priority::Low,
    );
    third.assign(at + Duration::minutes(170), agent);
    third.reply(
        hours,
        at + Duration::minutes(190),
        &Writer::Staff(agent),
        "You can do it from My account, Privacy. Tell us if you need help.",
        false,
    );
    third.change_status(hours, Status::Resolved, at + Duration::minutes(195));
    third.rate(at + Duration::days(1), 5, Some("Quick answer, thanks."));
    vec![first, second, third]
}
