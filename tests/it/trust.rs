//! Team rules that hold whatever the order of clicks, and data that stays
//! whole when the same form is sent twice at once: races are fired as two
//! real HTTP requests at the same moment, then the invariant is checked.

use std::time::Duration;

use agora::models::partners::{self, Role};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::both;
use crate::helpers::{
    Backend, Page, Person, TestApp, new_client, spawn_app, spawn_app_with, to_page,
};

/// Rounds of each race: the requests' timing varies, so each race is run
/// several times on fresh rows.
const ROUNDS: usize = 6;

async fn get(app: &TestApp, p: &Person, path: &str) -> Page {
    app.get_with(&p.client, path).await
}

async fn post(app: &TestApp, p: &Person, path: &str, fields: &[(&str, &str)]) -> Page {
    app.post_with(&p.client, path, fields).await
}

/// One POST ready to go: the client, the CSRF token it got, the path and
/// the fields.
struct Shot<'a> {
    client: &'a reqwest::Client,
    token: String,
    path: String,
    fields: Vec<(&'a str, String)>,
}

async fn shot<'a>(
    app: &TestApp,
    client: &'a reqwest::Client,
    path: &str,
    fields: &[(&'a str, &str)],
) -> Shot<'a> {
    Shot {
        client,
        token: app.csrf_with(client).await,
        path: path.to_string(),
        fields: fields.iter().map(|(k, v)| (*k, v.to_string())).collect(),
    }
}

async fn fire(app: &TestApp, s: &Shot<'_>, delay: Duration) -> Page {
    let mut form: Vec<(&str, &str)> = vec![("csrf", s.token.as_str())];
    form.extend(s.fields.iter().map(|(k, v)| (*k, v.as_str())));
    let request = s.client.post(app.url(&s.path)).form(&form);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    to_page(request.send().await.unwrap()).await
}

/// Sends both requests at the same moment (the second `delay` later) and
/// waits for both answers.
async fn at_once(app: &TestApp, a: &Shot<'_>, b: &Shot<'_>, delay: Duration) -> (Page, Page) {
    tokio::join!(fire(app, a, Duration::ZERO), fire(app, b, delay))
}

fn assert_no_error_page(pages: &[&Page]) {
    for p in pages {
        assert!(
            p.status.is_success() || p.status.is_redirection() || p.status.as_u16() == 422,
            "{} answered {}:\n{}",
            p.url,
            p.status,
            p.body
        );
    }
}

async fn owners(app: &TestApp, pid: i64) -> i64 {
    app.db(move |c| partners::count_owners(c, pid).unwrap())
        .await
}

async fn role(app: &TestApp, pid: i64, uid: i64) -> Option<Role> {
    app.db(move |c| partners::role_of(c, pid, uid).unwrap())
        .await
}

/// The partner's role changes in the order they were made: (actor, subject).
async fn role_changes(app: &TestApp, pid: i64) -> Vec<(i64, String)> {
    let prefix = format!("partner:{pid}:%");
    app.db(move |c| {
        use agora::schema::audit_events::dsl::*;
        audit_events
            .filter(action.eq("member_role_changed"))
            .filter(subject.like(prefix))
            .order(id.asc())
            .select((actor_id.assume_not_null(), subject))
            .load(c)
            .unwrap()
    })
    .await
}

async fn pending_invitations(app: &TestApp, pid: i64) -> Vec<String> {
    app.db(move |c| {
        partners::pending_invitations(c, pid)
            .unwrap()
            .into_iter()
            .map(|i| i.email)
            .collect()
    })
    .await
}

/// An invitation made as the team page makes it; returns the link's path.
async fn invitation(app: &TestApp, pid: i64, email: &str, role: Role, by: i64) -> String {
    let email = email.to_string();
    let token = app
        .db(move |c| partners::invite(c, pid, &email, role, by, time::Duration::days(7)).unwrap())
        .await;
    format!("/invitations/{token}")
}

// ---- 5. Invitations never bend the team rules ----

async fn inviting_a_member_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("only.owner@example.com", "Only Owner").await;
    let admin = app.person("admin@example.com", "Ada Admin").await;
    let (pid, slug) = app.partner("Solo Care", &owner).await;
    app.add_member(pid, &admin, "admin").await;
    let invite = format!("/partner/{slug}/team/invite");

    // The admin tries to invite the only owner's address as a member.
    let page = post(
        &app,
        &admin,
        &invite,
        &[("email", "Only.Owner@Example.com"), ("role", "member")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Only.Owner@Example.com is already in the team");
    page.assert_contains("value=\"Only.Owner@Example.com\"");
    assert!(pending_invitations(&app, pid).await.is_empty());
    assert!(app.mail.to("only.owner@example.com").is_empty());
    assert_eq!(role(&app, pid, owner.id).await, Some(Role::Owner));

    // The owner cannot re-invite a member either; a newcomer is fine.
    let again = post(
        &app,
        &owner,
        &invite,
        &[("email", "admin@example.com"), ("role", "owner")],
    )
    .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    again.assert_contains("admin@example.com is already in the team");
    let fresh = post(
        &app,
        &owner,
        &invite,
        &[("email", "new@example.com"), ("role", "member")],
    )
    .await;
    assert_eq!(fresh.status, StatusCode::SEE_OTHER);
    assert_eq!(
        pending_invitations(&app, pid).await,
        vec!["new@example.com"]
    );
}
both!(inviting_a_member_is_refused);

async fn accepting_keeps_a_members_role_within_the_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("owner@example.com", "Olga Owner").await;
    let admin = app.person("admin@example.com", "Ada Admin").await;
    let member = app.person("member@example.com", "Mo Member").await;
    let (pid, slug) = app.partner("Acme Care", &owner).await;
    app.add_member(pid, &admin, "admin").await;
    app.add_member(pid, &member, "member").await;

    // An invitation to the only owner's address as "member", sent by the
    // admin before the refusal above existed (or while they joined):
    // accepting keeps them owner, and the partner keeps its owner.
    let path = invitation(&app, pid, "owner@example.com", Role::Member, admin.id).await;
    let accepted = post(&app, &owner, &path, &[]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert_eq!(role(&app, pid, owner.id).await, Some(Role::Owner));
    assert_eq!(owners(&app, pid).await, 1);
    get(&app, &owner, &format!("/partner/{slug}"))
        .await
        .assert_contains("You were already in this team; your role stays Owner.");
    // The link is used up.
    assert_eq!(get(&app, &owner, &path).await.status, StatusCode::NOT_FOUND);

    // An owner's invitation as "owner" to a member: an owner may grant
    // that on the team page, so accepting does it.
    let path = invitation(&app, pid, "member@example.com", Role::Owner, owner.id).await;
    post(&app, &member, &path, &[]).await;
    assert_eq!(role(&app, pid, member.id).await, Some(Role::Owner));

    // An admin's invitation as "member" to an owner: admins cannot take
    // the owner role away, so the role stays.
    let path = invitation(&app, pid, "member@example.com", Role::Member, admin.id).await;
    post(&app, &member, &path, &[]).await;
    assert_eq!(role(&app, pid, member.id).await, Some(Role::Owner));

    // An owner's invitation as "member" to the last owner (their own
    // address): an owner may step down, but the last owner stays.
    let solo = app.person("solo@example.com", "Solo Owner").await;
    let (pid2, _) = app.partner("Solo Shop", &solo).await;
    let path = invitation(&app, pid2, "solo@example.com", Role::Member, solo.id).await;
    post(&app, &solo, &path, &[]).await;
    assert_eq!(role(&app, pid2, solo.id).await, Some(Role::Owner));
    assert_eq!(owners(&app, pid2).await, 1);
}
both!(accepting_keeps_a_members_role_within_the_rules);

/// An invitation carries its sender's authority: one the sender could no
/// longer send does not work.
async fn invitations_need_a_sender_who_may_send_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("owner@example.com", "Olga Owner").await;
    let owner2 = app.person("owner2@example.com", "Otto Owner").await;
    let (pid, _) = app.partner("Acme Care", &owner).await;
    app.add_member(pid, &owner2, "owner").await;
    let path = invitation(&app, pid, "newbie@example.com", Role::Owner, owner2.id).await;
    // Otto is made an admin: admins cannot hand out the owner role.
    app.db(move |c| partners::set_role(c, pid, owner2.id, Role::Admin).unwrap())
        .await;
    let newbie = app.person("newbie@example.com", "New Bie").await;
    assert_eq!(
        post(&app, &newbie, &path, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(role(&app, pid, newbie.id).await, None);
}
both!(invitations_need_a_sender_who_may_send_them);

// ---- 6. Removing a member revokes what they sent ----

async fn removing_a_member_revokes_their_invitations(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("owner@example.com", "Olga Owner").await;
    let admin = app.person("admin@example.com", "Ada Admin").await;
    let (pid, slug) = app.partner("Acme Care", &owner).await;
    app.add_member(pid, &admin, "admin").await;
    let base = format!("/partner/{slug}/team");

    for (who, email) in [
        (&admin, "by.admin@example.com"),
        (&admin, "also.admin@example.com"),
        (&owner, "by.owner@example.com"),
    ] {
        let r = post(
            &app,
            who,
            &format!("{base}/invite"),
            &[("email", email), ("role", "member")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let mail = app.mail.wait_for("by.admin@example.com", 1).await;
    let admins_link = mail.link(&app.url("/invitations/"));
    let admins_path = admins_link.strip_prefix(&app.address).unwrap().to_string();

    let removed = post(&app, &owner, &format!("{base}/{}/remove", admin.id), &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(role(&app, pid, admin.id).await, None);
    assert_eq!(
        pending_invitations(&app, pid).await,
        vec!["by.owner@example.com"]
    );
    let team = get(&app, &owner, &base).await;
    assert!(!team.body.contains("by.admin@example.com"), "{}", team.body);
    team.assert_contains("by.owner@example.com");
    // The link sent before the removal no longer works.
    let invitee = app.person("by.admin@example.com", "In Vitee").await;
    assert_eq!(
        get(&app, &invitee, &admins_path).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post(&app, &invitee, &admins_path, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(role(&app, pid, invitee.id).await, None);

    // Demoted to member, an admin's invitations go too; an owner made an
    // admin keeps those an admin may send but not owner invitations.
    let admin2 = app.person("admin2@example.com", "Abe Admin").await;
    app.add_member(pid, &admin2, "admin").await;
    post(
        &app,
        &admin2,
        &format!("{base}/invite"),
        &[("email", "by.admin2@example.com"), ("role", "member")],
    )
    .await;
    let owner2 = app.person("owner2@example.com", "Otto Owner").await;
    app.add_member(pid, &owner2, "owner").await;
    for (email, r) in [
        ("o2.owner@example.com", "owner"),
        ("o2.member@example.com", "member"),
    ] {
        post(
            &app,
            &owner2,
            &format!("{base}/invite"),
            &[("email", email), ("role", r)],
        )
        .await;
    }
    post(
        &app,
        &owner,
        &format!("{base}/{}/role", admin2.id),
        &[("role", "member")],
    )
    .await;
    post(
        &app,
        &owner,
        &format!("{base}/{}/role", owner2.id),
        &[("role", "admin")],
    )
    .await;
    let mut left = pending_invitations(&app, pid).await;
    left.sort();
    assert_eq!(left, vec!["by.owner@example.com", "o2.member@example.com"]);

    // An account deleted: its pending invitations go with it.
    let leaver = app.person("leaver@example.com", "Lea Ver").await;
    app.add_member(pid, &leaver, "admin").await;
    post(
        &app,
        &leaver,
        &format!("{base}/invite"),
        &[("email", "by.leaver@example.com"), ("role", "member")],
    )
    .await;
    let deleted = post(
        &app,
        &leaver,
        "/me/delete",
        &[("password", crate::helpers::PASSWORD), ("confirm", "1")],
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    let mut left = pending_invitations(&app, pid).await;
    left.sort();
    assert_eq!(left, vec!["by.owner@example.com", "o2.member@example.com"]);
}
both!(removing_a_member_revokes_their_invitations);

// ---- 7. The last owner stays, whatever the timing ----

/// A partner with two owners (fresh people each round).
async fn two_owners(app: &TestApp, round: usize) -> (Person, Person, i64, String) {
    let a = app
        .person(&format!("a{round}@example.com"), &format!("Ann {round}"))
        .await;
    let b = app
        .person(&format!("b{round}@example.com"), &format!("Ben {round}"))
        .await;
    let (pid, slug) = app.partner(&format!("Duo {round}"), &a).await;
    app.add_member(pid, &b, "owner").await;
    (a, b, pid, slug)
}

async fn owners_demoting_each_other_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    for round in 0..ROUNDS {
        let (a, b, pid, slug) = two_owners(&app, round).await;
        let sa = shot(
            &app,
            &a.client,
            &format!("/partner/{slug}/team/{}/role", b.id),
            &[("role", "admin")],
        )
        .await;
        let sb = shot(
            &app,
            &b.client,
            &format!("/partner/{slug}/team/{}/role", a.id),
            &[("role", "admin")],
        )
        .await;
        let (ra, rb) = at_once(&app, &sa, &sb, Duration::ZERO).await;
        assert_no_error_page(&[&ra, &rb]);
        assert_eq!(owners(&app, pid).await, 1, "round {round}");
    }
}
both!(owners_demoting_each_other_at_once);

async fn owners_removing_each_other_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    for round in 0..ROUNDS {
        let (a, b, pid, slug) = two_owners(&app, round).await;
        let sa = shot(
            &app,
            &a.client,
            &format!("/partner/{slug}/team/{}/remove", b.id),
            &[],
        )
        .await;
        let sb = shot(
            &app,
            &b.client,
            &format!("/partner/{slug}/team/{}/remove", a.id),
            &[],
        )
        .await;
        let (ra, rb) = at_once(&app, &sa, &sb, Duration::ZERO).await;
        // The one removed first is out of the team: their request finds
        // no team of theirs (404), or is refused as the last owner's.
        for r in [&ra, &rb] {
            assert!(
                r.status == StatusCode::SEE_OTHER || r.status == StatusCode::NOT_FOUND,
                "{}: {}",
                r.status,
                r.body
            );
        }
        assert_eq!(owners(&app, pid).await, 1, "round {round}");
    }
}
both!(owners_removing_each_other_at_once);

/// Ann deletes her account while Ben steps down: one of them must lose.
/// Deleting first checks the password (slow on purpose), so Ben's request
/// goes a little later in each round to meet Ann's transaction.
async fn deleting_an_account_while_the_other_owner_steps_down(backend: Backend) {
    let app = spawn_app(backend).await;
    for round in 0..ROUNDS * 2 {
        let (a, b, pid, slug) = two_owners(&app, round).await;
        let sa = shot(
            &app,
            &a.client,
            "/me/delete",
            &[("password", crate::helpers::PASSWORD), ("confirm", "1")],
        )
        .await;
        let sb = shot(
            &app,
            &b.client,
            &format!("/partner/{slug}/team/{}/role", b.id),
            &[("role", "admin")],
        )
        .await;
        let delay = Duration::from_millis(10 * round as u64);
        let (ra, rb) = at_once(&app, &sa, &sb, delay).await;
        assert!(
            ra.status == StatusCode::OK || ra.status == StatusCode::CONFLICT,
            "{}: {}",
            ra.status,
            ra.body
        );
        assert_no_error_page(&[&rb]);
        assert!(owners(&app, pid).await >= 1, "round {round}: no owner left");
        let a_left = app
            .db(move |c| agora::models::users::by_id(c, a.id).unwrap().is_none())
            .await;
        if a_left {
            assert_eq!(role(&app, pid, b.id).await, Some(Role::Owner));
        }
    }
}
both!(deleting_an_account_while_the_other_owner_steps_down);

/// Three owners: Ann demotes Ben while Ben demotes Cy. Whoever goes second
/// acts with the role they have by then: Ben, once an admin, cannot take
/// the owner role from Cy.
async fn a_demoted_owner_loses_the_owner_powers_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    for round in 0..ROUNDS {
        let (a, b, pid, slug) = two_owners(&app, round).await;
        let c = app
            .person(&format!("c{round}@example.com"), &format!("Cy {round}"))
            .await;
        app.add_member(pid, &c, "owner").await;
        let sa = shot(
            &app,
            &a.client,
            &format!("/partner/{slug}/team/{}/role", b.id),
            &[("role", "admin")],
        )
        .await;
        let sb = shot(
            &app,
            &b.client,
            &format!("/partner/{slug}/team/{}/role", c.id),
            &[("role", "admin")],
        )
        .await;
        let (ra, rb) = at_once(&app, &sa, &sb, Duration::ZERO).await;
        assert_no_error_page(&[&ra, &rb]);
        assert_eq!(
            role(&app, pid, b.id).await,
            Some(Role::Admin),
            "round {round}"
        );
        // Either Ben demoted Cy while still an owner, then lost the role;
        // or Ben was an admin already and Cy stays an owner.
        let changes = role_changes(&app, pid).await;
        let ben_demoted = changes.iter().position(|(actor, _)| *actor == a.id);
        let cy_demoted = changes.iter().position(|(actor, _)| *actor == b.id);
        match cy_demoted {
            Some(i) => assert!(
                ben_demoted.is_some_and(|j| i < j),
                "round {round}: Ben took the owner role from Cy after losing his"
            ),
            None => assert_eq!(role(&app, pid, c.id).await, Some(Role::Owner)),
        }
        assert!(owners(&app, pid).await >= 1);
    }
}
both!(a_demoted_owner_loses_the_owner_powers_at_once);

// ---- 8. Tickets are re-read inside the write ----

/// A ticket of `requester`, moved to `status` by hand; returns its number.
async fn ticket(app: &TestApp, requester: i64, subject: &str, status: &str) -> i64 {
    let (subject, status) = (subject.to_string(), status.to_string());
    app.db(move |c| {
        use agora::domain::ticket::{Priority, Status};
        use agora::models::tickets;
        let cfg = tickets::sla_config(c).unwrap();
        let mut t = tickets::create(
            c,
            &tickets::NewTicket {
                requester_id: requester,
                partner_id: None,
                listing_id: None,
                subject: &subject,
                body: "The walker did not come.",
                priority: Priority::Normal,
            },
            &cfg,
        )
        .unwrap();
        for s in ["open", "resolved", "closed"] {
            if t.status == status {
                break;
            }
            assert!(tickets::change_status(c, &t, Status::parse(s).unwrap(), &cfg).unwrap());
            t = tickets::by_id(c, t.id).unwrap();
        }
        t.number
    })
    .await
}

async fn ticket_row(app: &TestApp, number: i64) -> agora::models::tickets::Ticket {
    app.db(move |c| {
        agora::models::tickets::by_number(c, number)
            .unwrap()
            .unwrap()
    })
    .await
}

/// Public messages on the ticket whose body is `body`.
async fn messages_saying(app: &TestApp, number: i64, body: &str) -> usize {
    let body = body.to_string();
    app.db(move |c| {
        let t = agora::models::tickets::by_number(c, number)
            .unwrap()
            .unwrap();
        agora::models::tickets::messages(c, t.id, true)
            .unwrap()
            .into_iter()
            .filter(|m| m.body == body)
            .count()
    })
    .await
}

/// When the reply of the races was written.
async fn reply_written_at(app: &TestApp, number: i64) -> time::PrimitiveDateTime {
    app.db(move |c| {
        let t = agora::models::tickets::by_number(c, number)
            .unwrap()
            .unwrap();
        agora::models::tickets::messages(c, t.id, true)
            .unwrap()
            .into_iter()
            .find(|m| m.body == LATE_REPLY)
            .unwrap()
            .created_at
    })
    .await
}

/// Emails queued to `to` whose text contains `needle`.
async fn queued(app: &TestApp, to: &str, needle: &str) -> i64 {
    let (to, pattern) = (to.to_string(), format!("%{needle}%"));
    app.db(move |c| {
        use agora::schema::outgoing_email::dsl::*;
        outgoing_email
            .filter(to_addr.eq(to))
            .filter(body_text.like(pattern))
            .count()
            .get_result::<i64>(c)
            .unwrap()
    })
    .await
}

async fn double_resolve_sends_one_email(backend: Backend) {
    let app = spawn_app(backend).await;
    let agent = app.staff("agent@example.com", "Alex Agent").await;
    let consumer = app.person("cons@example.com", "Connie").await;
    for round in 0..ROUNDS {
        let number = ticket(&app, consumer.id, &format!("Help {round}"), "open").await;
        let path = format!("/desk/tickets/{number}/status");
        let s1 = shot(&app, &agent.client, &path, &[("status", "resolved")]).await;
        let s2 = shot(&app, &agent.client, &path, &[("status", "resolved")]).await;
        let (r1, r2) = at_once(&app, &s1, &s2, Duration::ZERO).await;
        assert_eq!(r1.status, StatusCode::SEE_OTHER);
        assert_eq!(r2.status, StatusCode::SEE_OTHER);
        assert_eq!(ticket_row(&app, number).await.status, "resolved");
        assert_eq!(
            queued(
                &app,
                "cons@example.com",
                &format!("/satisfaction/{number}/")
            )
            .await,
            1,
            "round {round}: the survey email went out more than once"
        );
    }
    // The same through "reply and resolve", sent twice at once.
    let number = ticket(&app, consumer.id, "Reply and resolve", "open").await;
    let page = get(&app, &agent, &format!("/desk/tickets/{number}")).await;
    let seen = seen_of(&page.body);
    let path = format!("/desk/tickets/{number}/reply");
    let fields = [
        ("body", "Done, see you."),
        ("kind", "reply"),
        ("seen", seen.as_str()),
        ("then", "resolved"),
    ];
    let s1 = shot(&app, &agent.client, &path, &fields).await;
    let s2 = shot(&app, &agent.client, &path, &fields).await;
    let (r1, r2) = at_once(&app, &s1, &s2, Duration::ZERO).await;
    assert_no_error_page(&[&r1, &r2]);
    assert_eq!(
        queued(
            &app,
            "cons@example.com",
            &format!("/satisfaction/{number}/")
        )
        .await,
        1
    );
}
both!(double_resolve_sends_one_email);

fn seen_of(body: &str) -> String {
    let marker = "name=\"seen\" value=\"";
    let start = body.find(marker).expect("a seen field") + marker.len();
    body[start..].split('"').next().unwrap().to_string()
}

const LATE_REPLY: &str = "Actually, it happened again.";

/// Checks one race between a consumer's reply and a close: either the
/// reply came first (it is kept, the ticket is open and the close was
/// refused or skipped), or the close came first (the ticket is closed and
/// the reply was refused with the form's own message and kept in the box).
async fn check_reply_or_close(app: &TestApp, number: i64, reply: &Page, closed_first: bool) {
    let t = ticket_row(app, number).await;
    let stored = messages_saying(app, number, LATE_REPLY).await;
    if closed_first {
        assert_eq!(t.status, "closed", "a closed ticket was reopened");
        assert!(t.closed_at.is_some());
        assert_eq!(stored, 0, "a reply was added to a closed ticket");
        assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
        reply.assert_contains("This ticket is closed; open a follow-up instead.");
        reply.assert_contains(LATE_REPLY);
    } else {
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        assert_eq!(t.status, "open");
        assert!(t.closed_at.is_none());
        assert_eq!(stored, 1);
    }
}

async fn reply_racing_the_auto_close(backend: Backend) {
    let app = spawn_app(backend).await;
    let consumer = app.person("cons@example.com", "Connie").await;
    for round in 0..ROUNDS {
        let number = ticket(&app, consumer.id, &format!("Old {round}"), "resolved").await;
        // Resolved long enough ago for the clean-up to close it.
        app.db(move |c| {
            use agora::schema::tickets;
            diesel::update(tickets::table.filter(tickets::number.eq(number)))
                .set(tickets::resolved_at.eq(Some(agora::models::now() - time::Duration::days(8))))
                .execute(c)
                .unwrap();
        })
        .await;
        let s = shot(
            &app,
            &consumer.client,
            &format!("/me/tickets/{number}/reply"),
            &[("body", LATE_REPLY)],
        )
        .await;
        let close = app.db(|c| {
            agora::db::write_tx(c, |c| {
                let cfg = agora::models::tickets::sla_config(c)?;
                agora::models::tickets::close_stale(
                    c,
                    agora::maintenance::RESOLVED_TICKETS_CLOSE_AFTER,
                    &cfg,
                )
            })
            .unwrap()
        });
        let (reply, closed) = tokio::join!(fire(&app, &s, Duration::ZERO), close);
        check_reply_or_close(&app, number, &reply, closed == 1).await;
    }
}
both!(reply_racing_the_auto_close);

async fn reply_racing_a_staff_close(backend: Backend) {
    let app = spawn_app(backend).await;
    let agent = app.staff("agent@example.com", "Alex Agent").await;
    let consumer = app.person("cons@example.com", "Connie").await;
    for round in 0..ROUNDS {
        let number = ticket(&app, consumer.id, &format!("Done {round}"), "resolved").await;
        let sr = shot(
            &app,
            &consumer.client,
            &format!("/me/tickets/{number}/reply"),
            &[("body", LATE_REPLY)],
        )
        .await;
        let sc = shot(
            &app,
            &agent.client,
            &format!("/desk/tickets/{number}/status"),
            &[("status", "closed")],
        )
        .await;
        let (reply, close) = at_once(&app, &sr, &sc, Duration::ZERO).await;
        assert_eq!(close.status, StatusCode::SEE_OTHER);
        let desk = get(&app, &agent, &format!("/desk/tickets/{number}")).await;
        let closed_first = desk.body.contains("The status was changed.");
        if !closed_first {
            desk.assert_contains("That change of status is not allowed");
        }
        check_reply_or_close(&app, number, &reply, closed_first).await;
    }
}
both!(reply_racing_a_staff_close);

/// The partner's reply racing a staff close follows the same rule.
async fn partner_reply_racing_a_staff_close(backend: Backend) {
    let app = spawn_app(backend).await;
    let agent = app.staff("agent@example.com", "Alex Agent").await;
    let owner = app.person("owner@example.com", "Olga Owner").await;
    let (pid, slug) = app.partner("Walkies", &owner).await;
    let consumer = app.person("cons@example.com", "Connie").await;
    for round in 0..ROUNDS {
        let number = ticket(&app, consumer.id, &format!("P {round}"), "resolved").await;
        app.db(move |c| {
            use agora::schema::tickets;
            diesel::update(tickets::table.filter(tickets::number.eq(number)))
                .set(tickets::partner_id.eq(Some(pid)))
                .execute(c)
                .unwrap();
        })
        .await;
        let sr = shot(
            &app,
            &owner.client,
            &format!("/partner/{slug}/tickets/{number}/reply"),
            &[("body", LATE_REPLY)],
        )
        .await;
        let sc = shot(
            &app,
            &agent.client,
            &format!("/desk/tickets/{number}/status"),
            &[("status", "closed")],
        )
        .await;
        let (reply, close) = at_once(&app, &sr, &sc, Duration::ZERO).await;
        assert_eq!(close.status, StatusCode::SEE_OTHER);
        let t = ticket_row(&app, number).await;
        let stored = messages_saying(&app, number, LATE_REPLY).await;
        if reply.status == StatusCode::SEE_OTHER {
            // The partner's reply does not reopen a resolved ticket, so
            // the close may follow it, but only after it.
            assert_eq!(stored, 1);
            if let Some(closed_at) = t.closed_at {
                assert!(
                    reply_written_at(&app, number).await <= closed_at,
                    "round {round}: a reply was added to a closed ticket"
                );
            }
        } else {
            assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
            reply.assert_contains("This ticket is closed; open a follow-up instead.");
            assert_eq!(t.status, "closed");
            assert_eq!(stored, 0);
        }
    }
}
both!(partner_reply_racing_a_staff_close);

// ---- 9. Unique constraints: the form's answer, never a 500 ----

async fn count(app: &TestApp, sql: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let sql = sql.to_string();
    app.db(move |c| diesel::sql_query(sql).get_result::<N>(c).unwrap().n)
        .await
}

async fn same_request_twice_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("owner@example.com", "Olga Owner").await;
    let (pid, _) = app.partner("Walkies", &owner).await;
    let consumer = app.person("cons@example.com", "Connie").await;
    for round in 0..ROUNDS {
        let (lid, lslug) = app
            .listing(pid, &format!("Dog walks {round}"), "Walks.", true)
            .await;
        let path = format!("/listings/{lslug}/engage");
        let fields = [("message", "Tuesday please"), ("consent", "yes")];
        let s1 = shot(&app, &consumer.client, &path, &fields).await;
        let s2 = shot(&app, &consumer.client, &path, &fields).await;
        let (r1, r2) = at_once(&app, &s1, &s2, Duration::ZERO).await;
        assert_eq!(r1.status, StatusCode::SEE_OTHER, "{}", r1.body);
        assert_eq!(r2.status, StatusCode::SEE_OTHER, "{}", r2.body);
        assert_eq!(
            count(
                &app,
                &format!("SELECT COUNT(*) AS n FROM engagements WHERE listing_id = {lid}")
            )
            .await,
            1
        );
        assert_eq!(
            queued(
                &app,
                "contact@partner.example",
                &format!("Dog walks {round}")
            )
            .await,
            1,
            "round {round}: the partner was told twice"
        );
    }
}
both!(same_request_twice_at_once);

async fn same_review_twice_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("owner@example.com", "Olga Owner").await;
    let (pid, _) = app.partner("Walkies", &owner).await;
    let consumer = app.person("cons@example.com", "Connie").await;
    for round in 0..ROUNDS {
        let (lid, lslug) = app
            .listing(pid, &format!("Cat sitting {round}"), "Cats.", true)
            .await;
        post(&app, &consumer, &format!("/listings/{lslug}/engage"), &[]).await;
        let path = format!("/listings/{lslug}/review");
        let s1 = shot(
            &app,
            &consumer.client,
            &path,
            &[("rating", "4"), ("body", "Good")],
        )
        .await;
        let s2 = shot(
            &app,
            &consumer.client,
            &path,
            &[("rating", "5"), ("body", "Great")],
        )
        .await;
        let (r1, r2) = at_once(&app, &s1, &s2, Duration::ZERO).await;
        assert_eq!(r1.status, StatusCode::SEE_OTHER, "{}", r1.body);
        assert_eq!(r2.status, StatusCode::SEE_OTHER, "{}", r2.body);
        assert_eq!(
            count(
                &app,
                &format!("SELECT COUNT(*) AS n FROM reviews WHERE listing_id = {lid}")
            )
            .await,
            1
        );
    }
}
both!(same_review_twice_at_once);

async fn same_tag_twice_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("owner@example.com", "Olga Owner").await;
    let (pid, slug) = app.partner("Walkies", &owner).await;
    let (_, lslug) = app.listing(pid, "Dog walks", "Walks.", true).await;
    let consumer = app.person("cons@example.com", "Connie").await;
    post(
        &app,
        &consumer,
        &format!("/listings/{lslug}/engage"),
        &[("consent", "yes")],
    )
    .await;
    for round in 0..ROUNDS {
        let tag = format!("vip{round}");
        let path = format!("/partner/{slug}/customers/{}/tags", consumer.id);
        let s1 = shot(&app, &owner.client, &path, &[("tag", &tag)]).await;
        let s2 = shot(&app, &owner.client, &path, &[("tag", &tag)]).await;
        let (r1, r2) = at_once(&app, &s1, &s2, Duration::ZERO).await;
        assert_eq!(r1.status, StatusCode::SEE_OTHER, "{}", r1.body);
        assert_eq!(r2.status, StatusCode::SEE_OTHER, "{}", r2.body);
        assert_eq!(
            count(
                &app,
                &format!("SELECT COUNT(*) AS n FROM crm_tags WHERE tag = '{tag}'")
            )
            .await,
            1
        );
    }
}
both!(same_tag_twice_at_once);

async fn same_signup_twice_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    for round in 0..ROUNDS {
        let email = format!("twice{round}@example.com");
        let (c1, _) = new_client();
        let (c2, _) = new_client();
        let fields = [
            ("email", email.as_str()),
            ("display_name", "Twice"),
            ("password", crate::helpers::PASSWORD),
        ];
        let s1 = shot(&app, &c1, "/signup", &fields).await;
        let s2 = shot(&app, &c2, "/signup", &fields).await;
        let (r1, r2) = at_once(&app, &s1, &s2, Duration::ZERO).await;
        for r in [&r1, &r2] {
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.assert_contains("Check your email");
        }
        assert_eq!(
            count(
                &app,
                &format!("SELECT COUNT(*) AS n FROM users WHERE email = '{email}'")
            )
            .await,
            1
        );
    }
}
both!(same_signup_twice_at_once);

async fn same_slugs_at_once(backend: Backend) {
    // Many applications from one account and address: above the usual limits.
    let app = spawn_app_with(backend, |s| {
        s.limits.applications.account = agora::config::Rule::per_day(100);
        s.limits.applications.address = agora::config::Rule::per_day(100);
    })
    .await;
    let ann = app.person("ann@example.com", "Ann").await;
    let ben = app.person("ben@example.com", "Ben").await;
    let (pid, slug) = app.partner("Walkies", &ann).await;
    for round in 0..ROUNDS {
        // Two applications with one name: two partners, two addresses.
        let name = format!("Twin Care {round}");
        let fields = [
            ("name", name.as_str()),
            ("website", "https://twin.example"),
            ("contact_email", "twin@example.com"),
            ("description", "We care."),
        ];
        let s1 = shot(&app, &ann.client, "/partners/apply", &fields).await;
        let s2 = shot(&app, &ben.client, "/partners/apply", &fields).await;
        let (r1, r2) = at_once(&app, &s1, &s2, Duration::ZERO).await;
        assert_eq!(r1.status, StatusCode::OK, "{}", r1.body);
        assert_eq!(r2.status, StatusCode::OK, "{}", r2.body);
        assert_eq!(
            count(
                &app,
                &format!("SELECT COUNT(*) AS n FROM partners WHERE name = '{name}'")
            )
            .await,
            2
        );

        // Two listings with one title: two addresses.
        let title = format!("Long walks {round}");
        let path = format!("/partner/{slug}/listings/new");
        let fields = [
            ("title", title.as_str()),
            ("summary", "Walks."),
            ("action", "save"),
        ];
        let s1 = shot(&app, &ann.client, &path, &fields).await;
        let s2 = shot(&app, &ann.client, &path, &fields).await;
        let (r1, r2) = at_once(&app, &s1, &s2, Duration::ZERO).await;
        assert_eq!(r1.status, StatusCode::SEE_OTHER, "{}", r1.body);
        assert_eq!(r2.status, StatusCode::SEE_OTHER, "{}", r2.body);
        assert_eq!(
            count(
                &app,
                &format!(
                    "SELECT COUNT(DISTINCT slug) AS n FROM listings \
                     WHERE partner_id = {pid} AND title = '{title}'"
                )
            )
            .await,
            2
        );

        // Two listings asking for one address: one gets it, the other is
        // told it is taken, with the form kept.
        let wanted = format!("the-walk-{round}");
        let s1 = shot(
            &app,
            &ann.client,
            &path,
            &[
                ("title", "First"),
                ("slug", wanted.as_str()),
                ("summary", "One."),
                ("action", "save"),
            ],
        )
        .await;
        let s2 = shot(
            &app,
            &ann.client,
            &path,
            &[
                ("title", "Second"),
                ("slug", wanted.as_str()),
                ("summary", "Two."),
                ("action", "save"),
            ],
        )
        .await;
        let (r1, r2) = at_once(&app, &s1, &s2, Duration::ZERO).await;
        let mut statuses = [r1.status.as_u16(), r2.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [303, 422], "{}\n{}", r1.body, r2.body);
        let refused = if r1.status == StatusCode::UNPROCESSABLE_ENTITY {
            &r1
        } else {
            &r2
        };
        refused.assert_contains("Another listing already uses this address.");
        refused.assert_contains(&format!("value=\"{wanted}\""));
    }
}
both!(same_slugs_at_once);

// ---- 10. The satisfaction link changes nothing until its button ----

async fn satisfaction_link_records_only_on_post(backend: Backend) {
    let app = spawn_app(backend).await;
    let agent = app.staff("agent@example.com", "Alex Agent").await;
    let consumer = app.person("cons@example.com", "Connie").await;
    let number = ticket(&app, consumer.id, "Survey", "open").await;
    post(
        &app,
        &agent,
        &format!("/desk/tickets/{number}/status"),
        &[("status", "resolved")],
    )
    .await;
    let mail = app.mail.wait_for("cons@example.com", 1).await;
    let link = mail
        .link(&app.url(&format!("/satisfaction/{number}/")))
        .replace("rating=1", "rating=4");
    let path = link.strip_prefix(&app.address).unwrap().to_string();
    let base = path.split('?').next().unwrap().to_string();

    // A mail scanner (no cookies) fetches every link: nothing changes.
    for n in 1..=5 {
        let scanned = crate::helpers::bare_client()
            .get(app.url(&format!("{base}?rating={n}")))
            .send()
            .await
            .unwrap();
        assert_eq!(scanned.status(), StatusCode::OK);
    }
    assert_eq!(ticket_row(&app, number).await.satisfaction_rating, None);

    // The person opens it without signing in: 4 is chosen, one button.
    let (browser, _) = new_client();
    let page = app.get_with(&browser, &path).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("value=\"4\" checked");
    assert_eq!(page.body.matches("value=\"5\" checked").count(), 0);
    let main = &page.body[page.body.find("<main").unwrap()..page.body.find("</main>").unwrap()];
    assert_eq!(main.matches("<button").count(), 1, "{main}");
    assert!(!page.body.contains("Your rating:"));
    assert_eq!(ticket_row(&app, number).await.satisfaction_rating, None);

    // Without the page's token: refused, nothing recorded.
    let forged = browser
        .post(app.url(&base))
        .form(&[("rating", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(ticket_row(&app, number).await.satisfaction_rating, None);

    // The button: recorded, no sign-in needed.
    let token = crate::helpers::csrf_in(&page.body);
    let sent = to_page(
        browser
            .post(app.url(&base))
            .form(&[
                ("csrf", token.as_str()),
                ("rating", "4"),
                ("comment", "Kind"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    sent.assert_contains("Thank you for your feedback.");
    sent.assert_contains("Your rating: 4 stars.");
    let t = ticket_row(&app, number).await;
    assert_eq!(
        (t.satisfaction_rating, t.satisfaction_comment.as_deref()),
        (Some(4), Some("Kind"))
    );

    // Opened again from another link: that rating is chosen on the page,
    // the stored one stays until the button.
    let again = app.get_with(&browser, &format!("{base}?rating=2")).await;
    again.assert_contains("value=\"2\" checked");
    again.assert_contains("Your rating: 4 stars.");
    assert_eq!(ticket_row(&app, number).await.satisfaction_rating, Some(4));
    // Without a rating in the link, the stored one is chosen.
    app.get_with(&browser, &base)
        .await
        .assert_contains("value=\"4\" checked");
    // A HEAD or GET with a bad signature: 404, nothing recorded.
    assert_eq!(
        app.get_with(&browser, &format!("{base}x?rating=1"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(ticket_row(&app, number).await.satisfaction_rating, Some(4));
}
both!(satisfaction_link_records_only_on_post);
