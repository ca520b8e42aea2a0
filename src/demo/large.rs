//! `agora demo --size large`: a platform at scale, for load tests and for
//! seeing how pages and reports behave with real volumes. A thousand
//! partners (a few very large), a hundred thousand listings in English and
//! Chinese, two hundred thousand consumers and eighteen months of history.
//! The same seed and anchor give the same data.

use std::collections::{HashMap, HashSet};

use anyhow::bail;
use diesel::connection::SimpleConnection;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::{Duration, PrimitiveDateTime};

use super::bulk::{self, Inserter, Val};
use super::history::{
    self, Consumer, Counts, HistorySpec, ListingRef, PartnerRef, Timeline, World, between, normal,
};
use super::words::{self, pick, pick_weighted};
use super::{CONSUMERS, PARTNERS, Progress, STAFF};
use crate::db::{AnyConnection, write_tx};
use crate::domain::slugify;
use crate::models::{listings, partners, search, tickets};

/// How much to make.
#[derive(Debug, Clone)]
pub struct LargeSpec {
    pub partners: usize,
    /// Listings of the largest partner; the next four have 75, 60, 50 and
    /// 40 % of that.
    pub largest_partner_listings: usize,
    pub listings: usize,
    pub consumers: usize,
    /// Desk staff, the platform admin among them (at most `STAFF.len()`).
    pub staff: usize,
    pub engagements: usize,
    pub reviews: usize,
    pub tickets: usize,
    /// Activity rows in all (partners' notes make up the difference to
    /// what the other events leave).
    pub activities: u64,
    /// About how many (listing, day) rows of views.
    pub view_rows: u64,
    /// Days of history up to today.
    pub days: usize,
}

impl LargeSpec {
    pub fn full() -> LargeSpec {
        LargeSpec {
            partners: 1_000,
            largest_partner_listings: 2_000,
            listings: 100_000,
            consumers: 200_000,
            staff: STAFF.len(),
            engagements: 500_000,
            reviews: 200_000,
            tickets: 300_000,
            activities: 3_000_000,
            view_rows: 3_000_000,
            days: 548,
        }
    }

    /// The same shape at a size for tests.
    pub fn tiny() -> LargeSpec {
        LargeSpec {
            partners: 14,
            largest_partner_listings: 40,
            listings: 220,
            consumers: 400,
            staff: 4,
            engagements: 1_000,
            reviews: 400,
            tickets: 250,
            activities: 5_000,
            view_rows: 4_000,
            days: 548,
        }
    }
}

pub struct Summary {
    pub counts: Counts,
    /// (email, what the account is) for the sign-ins worth trying.
    pub logins: Vec<(String, String)>,
}

/// (email, display name)
type Login = (&'static str, &'static str);

/// The two large partners after the small demo's three: name, slug,
/// category, owner, member.
const MORE_TOP: [(&str, &str, &str, Login, Login); 2] = [
    (
        "Northwind Journeys",
        "northwind-journeys",
        "travel",
        ("ingrid@northwind.example", "Ingrid Berg"),
        ("kofi@northwind.example", "Kofi Mensah"),
    ),
    (
        "Ledger & Lamp Finance",
        "ledger-lamp-finance",
        "money-insurance",
        ("ruth@ledgerlamp.example", "Ruth Cohen"),
        ("daniel@ledgerlamp.example", "Daniel Weber"),
    ),
];

/// Requests favour the large partners by these factors.
const TOP_BOOST: [f64; 5] = [10.0, 6.0, 5.0, 4.0, 3.0];
const TOP_LISTINGS: [f64; 5] = [1.0, 0.75, 0.6, 0.5, 0.4];

/// Tables the load writes; their secondary indexes are built at the end.
const TABLES: &[&str] = &[
    "users",
    "partners",
    "memberships",
    "categories",
    "listings",
    "listing_search",
    "listing_views",
    "engagements",
    "consents",
    "activities",
    "reviews",
    "tickets",
    "ticket_messages",
    "crm_notes",
    "crm_tags",
];

/// Tables given explicit ids.
const WITH_IDS: &[&str] = &[
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
];

/// Fills an empty database. `anchor` is "now" for the data: nothing is
/// later, and the history ends there.
pub fn fill(
    conn: &mut AnyConnection,
    spec: &LargeSpec,
    seed: u64,
    anchor: PrimitiveDateTime,
    progress: &Progress,
) -> anyhow::Result<Summary> {
    if !super::is_empty(conn)? {
        bail!("the database is not empty; `demo --size large` fills an empty database only");
    }
    let hash = super::demo_hash(seed)?;
    let cfg = tickets::sla_config(conn)?;
    let sqlite = !conn.is_postgres();
    if sqlite {
        // Durability is not worth waiting for while loading demo data; a
        // failed load rolls back as a whole.
        conn.batch_execute(
            "PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA temp_store = MEMORY;",
        )?;
    }
    let result = write_tx(conn, |conn| {
        if let AnyConnection::Postgres(_) = conn {
            conn.batch_execute(
                "SET LOCAL synchronous_commit = off; SET LOCAL maintenance_work_mem = '512MB';",
            )?;
        }
        load(conn, spec, seed, anchor, &hash, &cfg, progress)
    });
    if sqlite {
        conn.batch_execute(
            "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT;",
        )?;
    }
    let summary = result?;
    // Statistics for the query planner, which sees a new database.
    let bar = progress.spinner("statistics");
    match conn {
        AnyConnection::Sqlite(_) => conn.batch_execute(
            "PRAGMA analysis_limit = 1000; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);",
        )?,
        // VACUUM as well: a freshly loaded table has no visibility map, so
        // every index-only scan (the charts' counts) would still read the
        // heap until autovacuum came round.
        AnyConnection::Postgres(_) => conn.batch_execute("VACUUM (ANALYZE)")?,
    }
    bar.finish();
    Ok(summary)
}

struct PartnerPlan {
    name: String,
    slug: String,
    category: usize,
    zh: bool,
    status: &'static str,
    reason: Option<&'static str>,
    created: PrimitiveDateTime,
    open_from: Option<PrimitiveDateTime>,
    open_until: Option<PrimitiveDateTime>,
    updated: PrimitiveDateTime,
    listings: usize,
    boost: f64,
    /// (email, display name, role); the owner first.
    people: Vec<(String, String, &'static str)>,
}

struct UserRow {
    email: String,
    name: String,
    locale: Option<&'static str>,
    staff: bool,
    admin: bool,
    created: PrimitiveDateTime,
}

fn user_row(
    hash: &str,
    id: i64,
    u: &UserRow,
    anchor: PrimitiveDateTime,
    rng: &mut StdRng,
) -> [Val; 10] {
    let verified = (u.created + Duration::minutes(rng.random_range(1..30))).min(anchor);
    [
        Val::Int(id),
        Val::Text(u.email.clone()),
        Val::Text(u.name.clone()),
        Val::Text(hash.to_string()),
        Val::OptText(u.locale.map(str::to_string)),
        Val::OptTs(Some(verified)),
        Val::Bool(u.staff),
        Val::Bool(u.admin),
        Val::Ts(u.created),
        Val::Ts(u.created),
    ]
}

const USER_COLUMNS: &[&str] = &[
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
];

fn load(
    conn: &mut AnyConnection,
    spec: &LargeSpec,
    seed: u64,
    anchor: PrimitiveDateTime,
    hash: &str,
    cfg: &tickets::SlaConfig,
    progress: &Progress,
) -> anyhow::Result<Summary> {
    let mut rng = StdRng::seed_from_u64(seed);
    let rng = &mut rng;
    let tl = Timeline::new(anchor, spec.days);
    let start = tl.start();
    let deferred = bulk::defer_indexes(conn, TABLES)?;
    let mut counts = Counts::new();
    let mut logins = Vec::new();

    // Categories.
    let mut ins = Inserter::new("categories", &["id", "name", "slug", "created_at"]);
    for (i, c) in words::CATEGORIES.iter().enumerate() {
        ins.row(
            conn,
            [
                Val::Int(i as i64 + 1),
                Val::Str(c.name),
                Val::Str(c.slug),
                Val::Ts(start),
            ],
        )?;
    }
    counts.push(("categories", ins.finish(conn)?));

    // Desk staff.
    let mut users: Vec<UserRow> = Vec::new();
    let mut staff = Vec::new();
    for (email, name, admin) in STAFF.iter().take(spec.staff.clamp(1, STAFF.len())) {
        users.push(UserRow {
            email: email.to_string(),
            name: name.to_string(),
            locale: None,
            staff: true,
            admin: *admin,
            created: start - Duration::days(30),
        });
        staff.push((users.len() as i64, name.to_string()));
        logins.push((
            email.to_string(),
            if *admin {
                "platform admin".to_string()
            } else {
                "support agent".to_string()
            },
        ));
    }

    // Partners, their teams and how many listings each has.
    let plans = plan_partners(spec, &tl, rng);
    let mut partner_people: Vec<(usize, i64, &'static str, PrimitiveDateTime)> = Vec::new();
    for (p, plan) in plans.iter().enumerate() {
        for (k, (email, name, role)) in plan.people.iter().enumerate() {
            let created = if k == 0 {
                (plan.created - Duration::minutes(rng.random_range(5..120))).max(start)
            } else {
                between(rng, plan.open_from.unwrap_or(plan.created), anchor)
            };
            users.push(UserRow {
                email: email.clone(),
                name: name.clone(),
                locale: plan.zh.then_some("zh-CN"),
                staff: false,
                admin: false,
                created,
            });
            partner_people.push((p, users.len() as i64, role, created.max(plan.created)));
            if p < 3 && k < 2 {
                logins.push((
                    email.clone(),
                    format!("{role} of {} ({} listings)", plan.name, plan.listings),
                ));
            }
        }
    }
    let bar = progress.bar("accounts", (users.len() + spec.consumers) as u64);
    let mut ins = Inserter::new("users", USER_COLUMNS);
    for (i, u) in users.iter().enumerate() {
        let row = user_row(hash, i as i64 + 1, u, anchor, rng);
        ins.row(conn, row)?;
    }
    let mut user_count = users.len() as i64;
    bar.inc(user_count as u64);

    // Consumers sign up over the whole history, more of them lately.
    let times = tl.sample_sorted(spec.consumers, start, rng);
    let mut consumers = Vec::with_capacity(spec.consumers);
    for (i, created) in times.into_iter().enumerate() {
        let (email, name, zh) = match CONSUMERS.get(i) {
            Some((email, name)) => (email.to_string(), name.to_string(), false),
            None => {
                let zh = rng.random_bool(0.25);
                let (name, local) = words::person(rng, zh);
                let domain = pick(rng, words::EMAIL_DOMAINS);
                (format!("{local}{}@{domain}", i + 1), name, zh)
            }
        };
        if i < CONSUMERS.len() {
            logins.push((email.clone(), "consumer".to_string()));
        }
        let locale = if zh {
            rng.random_bool(0.8).then_some("zh-CN")
        } else {
            rng.random_bool(0.3).then_some("en-US")
        };
        user_count += 1;
        let row = UserRow {
            email,
            name: name.clone(),
            locale,
            staff: false,
            admin: false,
            created,
        };
        let row = user_row(hash, user_count, &row, anchor, rng);
        ins.row(conn, row)?;
        consumers.push(Consumer {
            id: user_count,
            created,
            zh,
            name,
        });
        if i % 1024 == 0 {
            bar.set_position(users.len() as u64 + i as u64);
        }
    }
    counts.push(("users", ins.finish(conn)?));
    bar.finish();

    let mut ins = Inserter::new(
        "partners",
        &[
            "id",
            "name",
            "slug",
            "website",
            "description",
            "contact_email",
            "status",
            "decision_reason",
            "applicant_id",
            "notify_engagements",
            "created_at",
            "updated_at",
        ],
    );
    let owners: HashMap<usize, i64> = partner_people
        .iter()
        .filter(|p| p.2 == "owner")
        .map(|p| (p.0, p.1))
        .collect();
    for (p, plan) in plans.iter().enumerate() {
        let cw = &words::CATEGORIES[plan.category];
        let service = cw.services[0];
        let description = if plan.zh {
            pick(rng, words::ZH_PARTNER_DESCRIPTIONS).replace("{s}", service.1)
        } else {
            pick(rng, words::PARTNER_DESCRIPTIONS)
                .replace("{s}", service.0)
                .replace("{S}", &words::capitalise(service.0))
        };
        ins.row(
            conn,
            [
                Val::Int(p as i64 + 1),
                Val::Text(plan.name.clone()),
                Val::Text(plan.slug.clone()),
                Val::Text(format!("https://{}.example", plan.slug)),
                Val::Text(description),
                Val::Text(format!("hello@{}.example", plan.slug)),
                Val::Str(plan.status),
                Val::OptText(plan.reason.map(str::to_string)),
                Val::OptInt(owners.get(&p).copied()),
                Val::Bool(rng.random_bool(0.9)),
                Val::Ts(plan.created),
                Val::Ts(plan.updated),
            ],
        )?;
    }
    counts.push(("partners", ins.finish(conn)?));
    let mut ins = Inserter::new(
        "memberships",
        &["id", "partner_id", "user_id", "role", "created_at"],
    );
    for (i, (p, user, role, at)) in partner_people.iter().enumerate() {
        ins.row(
            conn,
            [
                Val::Int(i as i64 + 1),
                Val::Int(*p as i64 + 1),
                Val::Int(*user),
                Val::Str(role),
                Val::Ts(*at),
            ],
        )?;
    }
    counts.push(("memberships", ins.finish(conn)?));

    let mut world_partners: Vec<PartnerRef> = plans
        .iter()
        .enumerate()
        .map(|(p, plan)| PartnerRef {
            id: p as i64 + 1,
            open_from: plan.open_from,
            open_until: plan.open_until,
            share: 0.0,
            members: partner_people
                .iter()
                .filter(|m| m.0 == p)
                .map(|m| m.1)
                .collect(),
            listings: Vec::new(),
        })
        .collect();

    // Listings and the search index.
    let world_listings = write_listings(
        conn,
        &plans,
        &mut world_partners,
        &tl,
        rng,
        progress,
        &mut counts,
    )?;
    for (p, plan) in plans.iter().enumerate() {
        let wp = &mut world_partners[p];
        if wp.open_from.is_some() {
            let n = wp.listings.len().max(1) as f64;
            // The large partners keep their order; the others vary.
            let luck = if p < 5 {
                1.0
            } else {
                (0.5 * normal(rng)).exp()
            };
            wp.share = n.powf(0.85) * luck * plan.boost;
        }
    }

    let tl_start = tl.start();
    let world = World {
        timeline: tl,
        consumers,
        staff,
        partners: world_partners,
        listings: world_listings,
    };
    history::generate(
        conn,
        &world,
        &HistorySpec {
            engagements: spec.engagements,
            reviews: spec.reviews,
            tickets: spec.tickets,
            activities: Some(spec.activities),
            few_notes: 0,
            view_rows: spec.view_rows,
            tag_share: 0.06,
        },
        cfg,
        Vec::new(),
        rng,
        progress,
        &mut counts,
    )?;

    let bar = progress.bar("indexes", deferred.len() as u64);
    deferred.restore(conn, || bar.inc(1))?;
    bar.finish();
    let bar = progress.spinner("aggregates");
    if let AnyConnection::Sqlite(_) = conn {
        conn.batch_execute("INSERT INTO listing_search (listing_search) VALUES ('optimize')")?;
    }
    bulk::reset_sequences(conn, WITH_IDS)?;
    super::canned_replies(conn, tl_start)?;
    crate::models::stats::recompute_all(conn)?;
    bar.finish();
    // Customer segments as the maintenance loop would keep them, so the
    // partners' customer pages start complete rather than catching up.
    let partner_ids: Vec<i64> = {
        use crate::schema::partners;
        use diesel::prelude::*;
        partners::table
            .order(partners::id.asc())
            .select(partners::id)
            .load(conn)?
    };
    let bar = progress.bar("customer segments", partner_ids.len() as u64);
    for id in partner_ids {
        crate::models::crm::refresh_in_tx(conn, id)?;
        bar.inc(1);
    }
    bar.finish();
    Ok(Summary { counts, logins })
}

fn plan_partners(spec: &LargeSpec, tl: &Timeline, rng: &mut StdRng) -> Vec<PartnerPlan> {
    let anchor = tl.anchor;
    let start = tl.start();
    let span = (anchor - start).whole_seconds() as f64;
    let mut names: HashSet<String> = HashSet::new();
    let mut slugs: HashSet<String> = HashSet::new();
    let mut plans = Vec::with_capacity(spec.partners);
    let category_of = |slug: &str| {
        words::CATEGORIES
            .iter()
            .position(|c| c.slug == slug)
            .unwrap_or(0)
    };
    for i in 0..spec.partners {
        let top = i < 5;
        let (name, slug, category, zh, mut people) = if top {
            let (name, slug, category, owner, member) = if i < 3 {
                let p = &PARTNERS[i];
                let category = p.listings.first().map_or("", |l| l.2);
                (p.name, p.slug, category, p.owner, p.member)
            } else {
                MORE_TOP[i - 3]
            };
            let people = vec![
                (owner.0.to_string(), owner.1.to_string(), "owner"),
                (member.0.to_string(), member.1.to_string(), "member"),
            ];
            (
                name.to_string(),
                slug.to_string(),
                category_of(category),
                false,
                people,
            )
        } else {
            let category = rng.random_range(0..words::CATEGORIES.len());
            let zh = rng.random_bool(0.2);
            let cw = &words::CATEGORIES[category];
            let mut tries = 0;
            let (name, slug) = loop {
                tries += 1;
                let (en, cn) = pick(rng, cw.partner_words);
                let (mut name, mut slug_words) = if zh {
                    let (place, pinyin) = pick(rng, words::ZH_PLACES);
                    (format!("{place}{cn}"), format!("{pinyin} {en}"))
                } else {
                    let n = format!(
                        "{} {en}{}",
                        pick(rng, words::PARTNER_FIRST),
                        pick(rng, words::PARTNER_LAST)
                    );
                    (n.clone(), n)
                };
                if tries > 40 {
                    // Branches of a name everyone wants.
                    let n = tries - 39;
                    name = if zh {
                        format!("{name}{n}店")
                    } else {
                        format!("{name} {n}")
                    };
                    slug_words = format!("{slug_words} {n}");
                }
                let slug = slugify(&slug_words);
                if !slug.is_empty() && !names.contains(&name) && !slugs.contains(&slug) {
                    break (name, slug);
                }
            };
            (name, slug, category, zh, Vec::new())
        };
        names.insert(name.clone());
        slugs.insert(slug.clone());
        let status = if top {
            partners::APPROVED
        } else {
            [
                partners::APPROVED,
                partners::PENDING,
                partners::SUSPENDED,
                partners::REJECTED,
            ][pick_weighted(rng, &[0.94, 0.03, 0.02, 0.01])]
        };
        let created = if top {
            start + Duration::hours(rng.random_range(0..240))
        } else if status == partners::PENDING {
            anchor - Duration::minutes(rng.random_range(10..30 * 1440))
        } else {
            start + Duration::seconds((span * 0.97 * rng.random::<f64>().powf(1.5)) as i64)
        };
        let decided = (created + Duration::minutes(rng.random_range(180..3 * 1440))).min(anchor);
        let (open_from, open_until, updated, reason) = match status {
            partners::APPROVED => (Some(decided), None, decided, None),
            partners::SUSPENDED => {
                let until = between(
                    rng,
                    decided + Duration::days(20),
                    anchor - Duration::days(1),
                );
                (
                    Some(decided),
                    Some(until),
                    until,
                    Some("Repeated complaints about cancelled bookings"),
                )
            }
            partners::REJECTED => (
                None,
                None,
                decided,
                Some("We could not verify the business address"),
            ),
            _ => (None, None, created, None),
        };
        // The team: an owner and a few colleagues; more at the large ones.
        let extra = if top {
            8 - i
        } else {
            pick_weighted(rng, &[0.35, 0.35, 0.2, 0.1])
        };
        let domain = format!("{slug}.example");
        let mut locals: HashSet<String> = HashSet::new();
        for k in 0..(extra + usize::from(people.is_empty())) {
            let (display, mut local) = words::person(rng, zh);
            while !locals.insert(local.clone()) {
                local.push_str(&rng.random_range(1..10).to_string());
            }
            let role = if people.is_empty() {
                "owner"
            } else if k % 3 == 1 {
                "admin"
            } else {
                "member"
            };
            people.push((format!("{local}@{domain}"), display, role));
        }
        plans.push(PartnerPlan {
            name,
            slug,
            category,
            zh,
            status,
            reason,
            created,
            open_from,
            open_until,
            updated,
            listings: 0,
            boost: if top { TOP_BOOST[i] } else { 1.0 },
            people,
        });
    }
    allocate_listings(spec, &mut plans, rng);
    plans
}

/// Listings per partner: the large ones as the spec says, drafts only for
/// those not approved, the rest by a long-tailed weight, the total exact.
fn allocate_listings(spec: &LargeSpec, plans: &mut [PartnerPlan], rng: &mut StdRng) {
    let largest = spec.largest_partner_listings.max(1);
    let mut left = spec.listings;
    for (i, plan) in plans.iter_mut().enumerate() {
        let n = if i < 5 {
            ((largest as f64 * TOP_LISTINGS[i]).round() as usize).max(1)
        } else if plan.open_from.is_none() {
            rng.random_range(1..=3)
        } else {
            0
        };
        plan.listings = n.min(left);
        left -= plan.listings;
    }
    let open: Vec<usize> = (5..plans.len())
        .filter(|i| plans[*i].open_from.is_some())
        .collect();
    if open.is_empty() {
        if let Some(first) = plans.first_mut() {
            first.listings += left;
        }
        return;
    }
    // One each, then by weight, none above a third of the largest.
    let cap = (largest as f64 * 0.35).max(1.0);
    let ones = left.min(open.len());
    for i in open.iter().take(ones) {
        plans[*i].listings += 1;
    }
    left -= ones;
    let mut weights: Vec<f64> = open.iter().map(|_| (1.1 * normal(rng)).exp()).collect();
    let mut shares = vec![0.0f64; open.len()];
    let mut capped = vec![false; open.len()];
    let mut remaining = left as f64;
    for _ in 0..20 {
        let total: f64 = weights
            .iter()
            .zip(&capped)
            .filter(|(_, c)| !**c)
            .map(|(w, _)| w)
            .sum();
        if total <= 0.0 || remaining <= 0.0 {
            break;
        }
        let mut over = false;
        for k in 0..open.len() {
            if capped[k] {
                continue;
            }
            shares[k] += remaining * weights[k] / total;
            if shares[k] > cap {
                over = true;
            }
        }
        remaining = 0.0;
        if !over {
            break;
        }
        for k in 0..open.len() {
            if !capped[k] && shares[k] > cap {
                remaining += shares[k] - cap;
                shares[k] = cap;
                capped[k] = true;
                weights[k] = 0.0;
            }
        }
    }
    let mut given = 0usize;
    let mut rest: Vec<(f64, usize)> = Vec::with_capacity(open.len());
    for (k, i) in open.iter().enumerate() {
        let whole = shares[k].floor() as usize;
        plans[*i].listings += whole;
        given += whole;
        rest.push((shares[k] - whole as f64, *i));
    }
    rest.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut missing = left.saturating_sub(given);
    let mut k = 0;
    while missing > 0 {
        plans[rest[k % rest.len()].1].listings += 1;
        missing -= 1;
        k += 1;
    }
}

fn write_listings(
    conn: &mut AnyConnection,
    plans: &[PartnerPlan],
    partners_out: &mut [PartnerRef],
    tl: &Timeline,
    rng: &mut StdRng,
    progress: &Progress,
    counts: &mut Counts,
) -> anyhow::Result<Vec<ListingRef>> {
    let anchor = tl.anchor;
    let total: usize = plans.iter().map(|p| p.listings).sum();
    let bar = progress.bar("listings", total as u64);
    let mut ins = Inserter::new(
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
    let mut fts = match conn {
        AnyConnection::Sqlite(_) => Inserter::new(
            "listing_search",
            &["rowid", "title", "summary", "body", "partner_name"],
        ),
        AnyConnection::Postgres(_) => Inserter::with_row_sql(
            "listing_search",
            &["listing_id", "document"],
            [
                "(",
                ", setweight(to_tsvector('simple', ",
                "), 'A') || setweight(to_tsvector('simple', ",
                "), 'B') || setweight(to_tsvector('simple', ",
                "), 'D') || setweight(to_tsvector('simple', ",
                "), 'B'))",
            ]
            .map(str::to_string)
            .to_vec(),
        ),
    };
    let mut slug_counts: HashMap<String, u32> = HashMap::new();
    let mut out: Vec<ListingRef> = Vec::with_capacity(total);
    for (p, plan) in plans.iter().enumerate() {
        let begin = plan.open_from.unwrap_or(plan.created);
        let short: String = plan.slug.split('-').take(2).collect::<Vec<_>>().join("-");
        let partner_segmented = search::segment(&plan.name);
        for j in 0..plan.listings {
            let category = if rng.random_bool(0.8) {
                plan.category
            } else {
                rng.random_range(0..words::CATEGORIES.len())
            };
            let cw = &words::CATEGORIES[category];
            let weights: Vec<f64> = cw.services.iter().map(|s| s.2).collect();
            let (en, cn, _) = cw.services[pick_weighted(rng, &weights)];
            let zh = rng.random_bool(if plan.zh { 0.85 } else { 0.12 });
            let (title, slug_words) = words::listing_title(rng, (en, cn), zh);
            let base = slugify(&format!("{slug_words} {short}"));
            let n = slug_counts.entry(base.clone()).or_insert(0);
            *n += 1;
            let slug = if *n == 1 { base } else { format!("{base}-{n}") };
            let summary = words::summary(rng, (en, cn), zh);
            let body = words::body(rng, (en, cn), zh);
            let price = words::price(rng, zh);
            let span = (anchor - begin).whole_seconds().max(60) as f64;
            let created = if j == 0 {
                begin + Duration::minutes(rng.random_range(60..3 * 1440))
            } else {
                begin + Duration::seconds((span * rng.random::<f64>().powf(1.2)) as i64)
            }
            .min(anchor - Duration::minutes(1));
            let mut status = if plan.open_from.is_none() {
                listings::DRAFT
            } else {
                [listings::PUBLISHED, listings::DRAFT, listings::ARCHIVED]
                    [pick_weighted(rng, &[0.88, 0.06, 0.06])]
            };
            let mut published = None;
            if status != listings::DRAFT {
                let at = created + Duration::minutes(rng.random_range(5..36 * 60));
                if at < anchor {
                    published = Some(at);
                } else {
                    status = listings::DRAFT;
                }
            }
            let until = match (status, published) {
                (listings::ARCHIVED, Some(at)) => {
                    let s = (anchor - at).whole_seconds() as f64;
                    Some(at + Duration::seconds((s * rng.random_range(0.2..0.95)) as i64))
                }
                _ => None,
            };
            let updated = match (until, published) {
                (Some(u), _) => u,
                (None, Some(at)) if rng.random_bool(0.3) => between(rng, at, anchor),
                (None, Some(at)) => at,
                (None, None) => between(rng, created, (created + Duration::days(2)).min(anchor)),
            };
            let id = out.len() as i64 + 1;
            let category_id = category as i64 + 1;
            fts.push([
                Val::Int(id),
                Val::Text(search::segment(&title)),
                Val::Text(search::segment(&summary)),
                Val::Text(search::segment(&body)),
                Val::Text(partner_segmented.clone()),
            ]);
            ins.push([
                Val::Int(id),
                Val::Int(p as i64 + 1),
                Val::OptInt(Some(category_id)),
                Val::Text(title),
                Val::Text(slug),
                Val::Text(summary),
                Val::Text(body),
                Val::Text(price),
                Val::Str(status),
                Val::Ts(created),
                Val::Ts(updated),
                Val::OptTs(published),
            ]);
            // The index refers to the listing: listings go first.
            if ins.full() || fts.full() {
                ins.flush(conn)?;
                fts.flush(conn)?;
            }
            partners_out[p].listings.push(out.len());
            out.push(ListingRef {
                id,
                partner: p,
                published,
                until,
                weight: (normal(rng)).exp(),
                quality: 3.6 + 1.3 * rng.random::<f64>().powf(0.7),
            });
            bar.inc(1);
        }
    }
    counts.push(("listings", ins.finish(conn)?));
    counts.push(("listing_search", fts.finish(conn)?));
    bar.finish();
    Ok(out)
}
