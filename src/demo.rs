//! Believable demo data for a first look: partners with their teams,
//! categories, published listings and a few consumers.

use crate::db::{AnyConnection, write_tx};
use crate::models::catalogue::{self, NewListing, NewPartner};
use crate::models::{engagements, now, users};

const REQUEST_MESSAGES: [&str; 3] = [
    "Could we start next week? Evenings suit me best.",
    "",
    "Is there a discount for a longer booking?",
];

const REVIEWS: [(i32, &str); 5] = [
    (
        5,
        "Friendly, on time and very professional. Would book again.",
    ),
    (
        4,
        "Good service overall; the first appointment took a while to arrange.",
    ),
    (
        5,
        "Exactly what was promised. Clear prices and no surprises.",
    ),
    (3, "Fine, but communication could be quicker."),
    (4, "服务很周到，推荐！"),
];

pub const PASSWORD: &str = "agora-demo-password";

struct DemoPartner {
    name: &'static str,
    slug: &'static str,
    website: &'static str,
    description: &'static str,
    owner: (&'static str, &'static str),
    member: (&'static str, &'static str),
    listings: &'static [(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    )],
}

const CATEGORIES: &[(&str, &str)] = &[
    ("Health & wellness", "health-wellness"),
    ("Learning", "learning"),
    ("Home services", "home-services"),
    ("Money & insurance", "money-insurance"),
    ("Travel", "travel"),
];

const PARTNERS: &[DemoPartner] = &[
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

const CONSUMERS: &[(&str, &str)] = &[
    ("ann.consumer@example.com", "Ann Meyer"),
    ("bo.chen@example.com", "Bo Chen"),
    ("carlos@example.com", "Carlos Ruiz"),
];

/// Fills an empty database; returns the logins made, or `None` when the
/// database already holds partners.
pub fn fill(conn: &mut AnyConnection) -> Result<Option<Vec<(String, String)>>, String> {
    let hash = crate::auth::password::hash_blocking(PASSWORD).map_err(|e| e.to_string())?;
    write_tx(conn, |conn| {
        if catalogue::count_partners(conn)? > 0 {
            return Ok(None);
        }
        let t = now();
        let mut logins = Vec::new();
        let mut add_user = |conn: &mut AnyConnection,
                            email: &str,
                            name: &str,
                            staff: bool,
                            admin: bool,
                            role: &str|
         -> diesel::QueryResult<i64> {
            logins.push((email.to_string(), role.to_string()));
            users::insert(
                conn,
                &users::NewUser {
                    email,
                    display_name: name,
                    password_hash: &hash,
                    locale: None,
                    email_verified_at: Some(t),
                    is_staff: staff,
                    is_admin: admin,
                    created_at: t,
                    updated_at: t,
                },
            )
            .map(|u| u.id)
        };
        add_user(
            conn,
            "admin@agora.example",
            "Ada Admin",
            true,
            true,
            "platform admin",
        )?;
        let support_id = add_user(
            conn,
            "support@agora.example",
            "Sam Support",
            true,
            false,
            "support agent",
        )?;
        let mut category_ids = Vec::new();
        let mut listing_ids = Vec::new();
        for (name, slug) in CATEGORIES {
            category_ids.push((*slug, catalogue::insert_category(conn, name, slug)?));
        }
        for p in PARTNERS {
            let owner = add_user(
                conn,
                p.owner.0,
                p.owner.1,
                false,
                false,
                &format!("owner of {}", p.name),
            )?;
            let member = add_user(
                conn,
                p.member.0,
                p.member.1,
                false,
                false,
                &format!("member of {}", p.name),
            )?;
            let partner_id = catalogue::insert_partner(
                conn,
                &NewPartner {
                    name: p.name,
                    slug: p.slug,
                    website: p.website,
                    description: p.description,
                    contact_email: p.owner.0,
                    status: catalogue::PARTNER_APPROVED,
                    applicant_id: Some(owner),
                    notify_engagements: true,
                    created_at: t,
                    updated_at: t,
                },
            )?;
            catalogue::add_member(conn, partner_id, owner, "owner")?;
            catalogue::add_member(conn, partner_id, member, "member")?;
            for (title, slug, category, summary, body) in p.listings {
                let category_id = category_ids
                    .iter()
                    .find(|(s, _)| s == category)
                    .map(|(_, id)| *id);
                let listing_id = catalogue::insert_listing(
                    conn,
                    &NewListing {
                        partner_id,
                        category_id,
                        title,
                        slug,
                        summary,
                        body,
                        price_text: "From €40",
                        status: catalogue::LISTING_PUBLISHED,
                        created_at: t,
                        updated_at: t,
                        published_at: Some(t),
                    },
                )?;
                crate::models::search::reindex(conn, listing_id)?;
                listing_ids.push((listing_id, partner_id));
            }
        }
        let mut consumer_ids = Vec::new();
        for (email, name) in CONSUMERS {
            consumer_ids.push(add_user(conn, email, name, false, false, "consumer")?);
        }
        // Requests and reviews, so ratings and the partner's list show something.
        for (i, (listing_id, partner_id)) in listing_ids.iter().enumerate() {
            for (j, consumer) in consumer_ids.iter().enumerate() {
                if (i + j) % 3 == 2 {
                    continue;
                }
                let consent = j != 1;
                engagements::engage(
                    conn,
                    *listing_id,
                    *partner_id,
                    *consumer,
                    REQUEST_MESSAGES[(i + j) % 3],
                    consent,
                )?;
                let (rating, text) = REVIEWS[(i * 2 + j) % REVIEWS.len()];
                engagements::save_review(conn, *listing_id, *partner_id, *consumer, rating, text)?;
            }
        }
        demo_tickets(conn, &consumer_ids, &listing_ids, support_id)?;
        Ok(Some(logins))
    })
    .map_err(|e: diesel::result::Error| e.to_string())
}

/// A few tickets in different states, and canned replies, for the desk.
fn demo_tickets(
    conn: &mut AnyConnection,
    consumers: &[i64],
    listings: &[(i64, i64)],
    agent: i64,
) -> diesel::QueryResult<()> {
    use crate::domain::ticket::{Priority, Status};
    use crate::models::tickets::{self, NewTicket, Writer};
    tickets::save_canned(
        conn,
        None,
        "Thanks, looking into it",
        "Hello {{name}},\n\nthank you for writing. I am looking into {{ticket}} and will come back to you today.\n\n{{agent}}",
    )?;
    tickets::save_canned(
        conn,
        None,
        "Need more details",
        "Hello {{name}},\n\ncould you tell us the date of the appointment and the address? Then we can help with {{ticket}}.",
    )?;
    let cfg = tickets::sla_config(conn)?;
    let (l0, p0) = listings[0];
    let (l3, p3) = listings[3];
    tickets::create(
        conn,
        &NewTicket {
            requester_id: consumers[0],
            partner_id: Some(p0),
            listing_id: Some(l0),
            subject: "Video call link does not work",
            body: "The link in my confirmation opens an empty page. My appointment is tomorrow at 10.",
            priority: Priority::High,
        },
        &cfg,
    )?;
    let t = tickets::create(
        conn,
        &NewTicket {
            requester_id: consumers[1],
            partner_id: Some(p3),
            listing_id: Some(l3),
            subject: "Can I change my lesson time?",
            body: "I would like to move my Thursday lesson to Friday afternoon.",
            priority: Priority::Normal,
        },
        &cfg,
    )?;
    tickets::assign(conn, &t, Some(agent))?;
    tickets::reply(
        conn,
        &t,
        &Writer::Staff(agent),
        "Asked the tutor about Friday slots.",
        true,
        &cfg,
    )?;
    let t = tickets::by_id(conn, t.id)?;
    tickets::reply(
        conn,
        &t,
        &Writer::Staff(agent),
        "Hello, I asked the tutor; we will confirm by tomorrow.",
        false,
        &cfg,
    )?;
    let t = tickets::create(
        conn,
        &NewTicket {
            requester_id: consumers[2],
            partner_id: None,
            listing_id: None,
            subject: "How do I delete my account?",
            body: "I no longer need the service.",
            priority: Priority::Low,
        },
        &cfg,
    )?;
    tickets::reply(
        conn,
        &t,
        &Writer::Staff(agent),
        "You can do it from My account, Privacy. Tell us if you need help.",
        false,
        &cfg,
    )?;
    let t = tickets::by_id(conn, t.id)?;
    tickets::change_status(conn, &t, Status::Resolved, &cfg)?;
    let t = tickets::by_id(conn, t.id)?;
    tickets::rate(conn, &t, 5, Some("Quick answer, thanks."))?;
    Ok(())
}
