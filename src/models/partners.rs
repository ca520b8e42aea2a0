//! Partners, their teams and invitations.

use crate::db::LimitInText;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{invitations, memberships, partners, users};

pub const PENDING: &str = "pending";
pub const APPROVED: &str = "approved";
pub const REJECTED: &str = "rejected";
pub const SUSPENDED: &str = "suspended";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Member,
    Admin,
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Admin, Role::Member];

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    /// Owners and admins run the team and the settings.
    pub fn can_manage(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }

    /// The team rule on roles: only owners may hand out or take away the
    /// owner role (`from` is `None` for someone joining).
    pub fn may_assign(self, from: Option<Role>, to: Role) -> bool {
        self == Role::Owner || (to != Role::Owner && from != Some(Role::Owner))
    }

    /// The catalogue key of the role's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Role::Owner => "role-owner",
            Role::Admin => "role-admin",
            Role::Member => "role-member",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = partners)]
pub struct Partner {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub website: String,
    pub description: String,
    pub contact_email: String,
    pub status: String,
    pub decision_reason: Option<String>,
    pub applicant_id: Option<i64>,
    pub notify_engagements: bool,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    /// Every member must sign in with two steps to open its pages.
    pub require_two_step: bool,
}

impl Partner {
    pub fn is_public(&self) -> bool {
        self.status == APPROVED
    }
    pub fn is_suspended(&self) -> bool {
        self.status == SUSPENDED
    }
    /// Up to two initials for the avatar.
    pub fn initials(&self) -> String {
        self.name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .flat_map(char::to_uppercase)
            .collect()
    }
    pub fn status_key(&self) -> String {
        format!("partner-status-{}", self.status)
    }
}

pub fn by_slug(conn: &mut AnyConnection, slug: &str) -> QueryResult<Option<Partner>> {
    partners::table
        .filter(partners::slug.eq(slug))
        .select(Partner::as_select())
        .first(conn)
        .optional()
}

/// The partner with this slug and the person's role in its team (none
/// when not a member), in one read.
pub fn by_slug_with_role(
    conn: &mut AnyConnection,
    slug: &str,
    user_id: i64,
) -> QueryResult<Option<(Partner, Option<Role>)>> {
    let row: Option<(Partner, Option<String>)> = partners::table
        .left_join(
            memberships::table.on(memberships::partner_id
                .eq(partners::id)
                .and(memberships::user_id.eq(user_id))),
        )
        .filter(partners::slug.eq(slug))
        .select((Partner::as_select(), memberships::role.nullable()))
        .first(conn)
        .optional()?;
    Ok(row.map(|(p, role)| (p, role.as_deref().and_then(Role::parse))))
}

pub fn by_id(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Partner>> {
    partners::table
        .find(id)
        .select(Partner::as_select())
        .first(conn)
        .optional()
}

pub fn slug_taken(conn: &mut AnyConnection, slug: &str) -> QueryResult<bool> {
    Ok(partners::table
        .filter(partners::slug.eq(slug))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// A slug from `name` that no partner uses yet.
pub fn free_slug(conn: &mut AnyConnection, name: &str) -> QueryResult<String> {
    let base = match crate::domain::slugify(name) {
        s if s.is_empty() => "partner".to_string(),
        s => s,
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while slug_taken(conn, &candidate)? {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

pub struct Application<'a> {
    pub name: &'a str,
    pub website: &'a str,
    pub description: &'a str,
    pub contact_email: &'a str,
    pub applicant_id: i64,
}

pub fn apply(conn: &mut AnyConnection, a: &Application) -> QueryResult<Partner> {
    let slug = free_slug(conn, a.name)?;
    let t = super::now();
    let id = super::catalogue::insert_partner(
        conn,
        &super::catalogue::NewPartner {
            name: a.name,
            slug: &slug,
            website: a.website,
            description: a.description,
            contact_email: a.contact_email,
            status: PENDING,
            applicant_id: Some(a.applicant_id),
            notify_engagements: true,
            created_at: t,
            updated_at: t,
        },
    )?;
    partners::table
        .find(id)
        .select(Partner::as_select())
        .first(conn)
}

/// One page of partners for the admin list, newest application first:
/// those with `status` when given, whose name contains `q` (any case).
pub fn admin_page(
    conn: &mut AnyConnection,
    status: Option<&str>,
    q: &str,
    req: &crate::web::paging::PageRequest,
) -> QueryResult<crate::web::paging::Page<Partner>> {
    let mut query = partners::table.into_boxed();
    if let Some(s) = status {
        query = query.filter(partners::status.eq(s.to_string()));
    }
    let q = q.trim().to_lowercase();
    if !q.is_empty() {
        let pattern = format!("%{}%", crate::db::like_escape(&q));
        query = query.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(partners.name) LIKE ")
                .bind::<diesel::sql_types::Text, _>(pattern)
                .sql(" ESCAPE '\\'"),
        );
    }
    if let Some((_, id)) = req.after() {
        query = query.filter(partners::id.lt(id));
    }
    let list = query
        .order(partners::id.desc())
        .select(Partner::as_select())
        .page_of(req)
        .load(conn)?;
    Ok(req.finish(list, |p| (p.id, p.id)))
}

/// How many partners have this status, counted over `partners_status_id`
/// no further than `COUNT_CAP + 1`.
pub fn count_with_status(conn: &mut AnyConnection, status: &str) -> QueryResult<i64> {
    crate::db::capped::count_capped(
        conn,
        partners::table
            .filter(partners::status.eq(status.to_string()))
            .select(partners::id)
            .into_boxed(),
    )
}

pub fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    reason: Option<&str>,
) -> QueryResult<()> {
    let now = super::now();
    diesel::update(partners::table.find(id))
        .set((
            partners::status.eq(status),
            partners::decision_reason.eq(reason),
            partners::updated_at.eq(now),
        ))
        .execute(conn)?;
    if status == APPROVED {
        diesel::update(partners::table.find(id))
            .set(partners::approved_at.eq(now))
            .execute(conn)?;
    }
    Ok(())
}

pub fn update_profile(
    conn: &mut AnyConnection,
    id: i64,
    name: &str,
    website: &str,
    description: &str,
    contact_email: &str,
    notify_engagements: bool,
) -> QueryResult<()> {
    diesel::update(partners::table.find(id))
        .set((
            partners::name.eq(name),
            partners::website.eq(website),
            partners::description.eq(description),
            partners::contact_email.eq(contact_email),
            partners::notify_engagements.eq(notify_engagements),
            partners::updated_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn set_require_two_step(conn: &mut AnyConnection, id: i64, on: bool) -> QueryResult<usize> {
    diesel::update(partners::table.find(id))
        .set((
            partners::require_two_step.eq(on),
            partners::updated_at.eq(super::now()),
        ))
        .execute(conn)
}

pub fn set_notify_engagements(conn: &mut AnyConnection, id: i64, on: bool) -> QueryResult<usize> {
    diesel::update(partners::table.find(id))
        .set((
            partners::notify_engagements.eq(on),
            partners::updated_at.eq(super::now()),
        ))
        .execute(conn)
}

/// The person's role in the partner, if they belong to it.
pub fn role_of(
    conn: &mut AnyConnection,
    partner_id: i64,
    user_id: i64,
) -> QueryResult<Option<Role>> {
    let role: Option<String> = memberships::table
        .filter(memberships::partner_id.eq(partner_id))
        .filter(memberships::user_id.eq(user_id))
        .select(memberships::role)
        .first(conn)
        .optional()?;
    Ok(role.as_deref().and_then(Role::parse))
}

/// Partners the person belongs to (any status but rejected), with roles.
pub fn of_user(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Vec<(Partner, String)>> {
    memberships::table
        .inner_join(partners::table)
        .filter(memberships::user_id.eq(user_id))
        .filter(partners::status.ne(REJECTED))
        .order(partners::name.asc())
        .select((Partner::as_select(), memberships::role))
        .load(conn)
}

#[derive(Debug, Clone, Queryable)]
pub struct Member {
    pub user_id: i64,
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub since: PrimitiveDateTime,
}

impl Member {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Member)
    }
}

pub fn members(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<Vec<Member>> {
    memberships::table
        .inner_join(users::table)
        .filter(memberships::partner_id.eq(partner_id))
        .order(users::display_name.asc())
        .select((
            users::id,
            users::display_name,
            users::email,
            memberships::role,
            memberships::created_at,
        ))
        .load(conn)
}

/// Locks the partner's row until the write transaction ends: every change
/// to its team takes this lock first, so the team rules (the last owner
/// stays, only owners touch the owner role) are checked on the team as it
/// is, never on a copy another request is changing.
pub fn lock_team(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<()> {
    crate::db::lock_row(conn, "partners", partner_id)
}

/// The member of the partner with this address, if any.
pub fn member_by_email(
    conn: &mut AnyConnection,
    partner_id: i64,
    email: &str,
) -> QueryResult<Option<Member>> {
    memberships::table
        .inner_join(users::table)
        .filter(memberships::partner_id.eq(partner_id))
        .filter(users::email.eq(email))
        .select((
            users::id,
            users::display_name,
            users::email,
            memberships::role,
            memberships::created_at,
        ))
        .first(conn)
        .optional()
}

pub fn count_owners(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<i64> {
    memberships::table
        .filter(memberships::partner_id.eq(partner_id))
        .filter(memberships::role.eq(Role::Owner.as_str()))
        .count()
        .get_result(conn)
}

/// Adds the person, or changes their role when they belong already. Only
/// for the platform's own decisions (approving an application); the team
/// changes itself through the team rules.
pub fn upsert_member(
    conn: &mut AnyConnection,
    partner_id: i64,
    user_id: i64,
    role: Role,
) -> QueryResult<()> {
    match role_of(conn, partner_id, user_id)? {
        Some(_) => set_role(conn, partner_id, user_id, role),
        None => super::catalogue::add_member(conn, partner_id, user_id, role.as_str()),
    }
}

pub fn set_role(
    conn: &mut AnyConnection,
    partner_id: i64,
    user_id: i64,
    role: Role,
) -> QueryResult<()> {
    diesel::update(
        memberships::table
            .filter(memberships::partner_id.eq(partner_id))
            .filter(memberships::user_id.eq(user_id)),
    )
    .set(memberships::role.eq(role.as_str()))
    .execute(conn)
    .map(|_| ())
}

pub fn remove_member(
    conn: &mut AnyConnection,
    partner_id: i64,
    user_id: i64,
) -> QueryResult<usize> {
    diesel::delete(
        memberships::table
            .filter(memberships::partner_id.eq(partner_id))
            .filter(memberships::user_id.eq(user_id)),
    )
    .execute(conn)
}

/// Emails of the partner's owners and admins.
pub fn manager_emails(
    conn: &mut AnyConnection,
    partner_id: i64,
) -> QueryResult<Vec<(String, Option<String>)>> {
    memberships::table
        .inner_join(users::table)
        .filter(memberships::partner_id.eq(partner_id))
        .filter(memberships::role.eq_any([Role::Owner.as_str(), Role::Admin.as_str()]))
        .select((users::email, users::locale))
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: i64,
    pub partner_id: i64,
    pub email: String,
    pub role: String,
    pub token_hash: String,
    pub invited_by: Option<i64>,
    pub expires_at: PrimitiveDateTime,
    pub accepted_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
}

impl Invitation {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Member)
    }
}

/// Invites `email`; returns the token for the link. An earlier open
/// invitation of the same address to the same partner stops working.
pub fn invite(
    conn: &mut AnyConnection,
    partner_id: i64,
    email: &str,
    role: Role,
    invited_by: i64,
    ttl: time::Duration,
) -> QueryResult<String> {
    let t = super::now();
    diesel::delete(
        invitations::table
            .filter(invitations::partner_id.eq(partner_id))
            .filter(invitations::email.eq(email))
            .filter(invitations::accepted_at.is_null()),
    )
    .execute(conn)?;
    let token = super::tokens::random_token();
    diesel::insert_into(invitations::table)
        .values((
            invitations::partner_id.eq(partner_id),
            invitations::email.eq(email),
            invitations::role.eq(role.as_str()),
            invitations::token_hash.eq(super::tokens::hash(&token)),
            invitations::invited_by.eq(Some(invited_by)),
            invitations::expires_at.eq(t + ttl),
            invitations::created_at.eq(t),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Whether the invitation's sender could send it today: they still run
/// the team, and hand out the owner role only as owners. An invitation
/// carries its sender's authority, no more.
pub fn sender_may_send(conn: &mut AnyConnection, inv: &Invitation) -> QueryResult<bool> {
    let Some(sender) = inv.invited_by else {
        return Ok(false);
    };
    Ok(role_of(conn, inv.partner_id, sender)?
        .is_some_and(|r| r.can_manage() && r.may_assign(None, inv.role())))
}

/// An open invitation by its token (unused and not expired).
pub fn open_invitation(conn: &mut AnyConnection, token: &str) -> QueryResult<Option<Invitation>> {
    invitations::table
        .filter(invitations::token_hash.eq(super::tokens::hash(token)))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(super::now()))
        .select(Invitation::as_select())
        .first(conn)
        .optional()
}

pub fn mark_accepted(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::accepted_at.is_null()),
    )
    .set(invitations::accepted_at.eq(super::now()))
    .execute(conn)
}

pub fn pending_invitations(
    conn: &mut AnyConnection,
    partner_id: i64,
) -> QueryResult<Vec<Invitation>> {
    invitations::table
        .filter(invitations::partner_id.eq(partner_id))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(super::now()))
        .order(invitations::created_at.desc())
        .select(Invitation::as_select())
        .load(conn)
}

/// Withdraws the open invitations `sender` made to the partner that their
/// role `now` no longer lets them make (all of them when `now` is `None`:
/// they left the team). Returns how many.
pub fn revoke_invitations_beyond(
    conn: &mut AnyConnection,
    partner_id: i64,
    sender: i64,
    now: Option<Role>,
) -> QueryResult<usize> {
    let open = invitations::table
        .filter(invitations::partner_id.eq(partner_id))
        .filter(invitations::invited_by.eq(Some(sender)))
        .filter(invitations::accepted_at.is_null());
    match now {
        Some(Role::Owner) => Ok(0),
        Some(r) if r.can_manage() => {
            diesel::delete(open.filter(invitations::role.eq(Role::Owner.as_str()))).execute(conn)
        }
        _ => diesel::delete(open).execute(conn),
    }
}

/// Withdraws every open invitation the person sent, to any partner.
pub fn revoke_invitations_by(conn: &mut AnyConnection, sender: i64) -> QueryResult<usize> {
    diesel::delete(
        invitations::table
            .filter(invitations::invited_by.eq(Some(sender)))
            .filter(invitations::accepted_at.is_null()),
    )
    .execute(conn)
}

pub fn revoke_invitation(conn: &mut AnyConnection, partner_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(
        invitations::table
            .filter(invitations::partner_id.eq(partner_id))
            .filter(invitations::id.eq(id))
            .filter(invitations::accepted_at.is_null()),
    )
    .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_owners_touch_the_owner_role() {
        assert!(Role::Owner.may_assign(Some(Role::Member), Role::Owner));
        assert!(Role::Owner.may_assign(Some(Role::Owner), Role::Member));
        assert!(Role::Admin.may_assign(Some(Role::Member), Role::Admin));
        assert!(Role::Admin.may_assign(None, Role::Member));
        assert!(!Role::Admin.may_assign(Some(Role::Member), Role::Owner));
        assert!(!Role::Admin.may_assign(Some(Role::Owner), Role::Member));
        assert!(!Role::Admin.may_assign(None, Role::Owner));
    }
}
