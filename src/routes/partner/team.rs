use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{Access, access};
use diesel::QueryResult;

use crate::db::{self, AnyConnection, write_tx, write_tx_retrying};
use crate::domain::Email;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::mail::messages;
use crate::models::partners::{self, Invitation, Member, Role};
use crate::models::{audit, outbox, users};
use crate::routes::account::Notice;
use crate::web::limits::{self, Action, Actor};
use crate::web::{Ctx, FormErrors, render, render_status, see_other};

/// Invitation links work for seven days.
pub const INVITATION_TTL: time::Duration = time::Duration::days(7);

#[derive(Template)]
#[template(path = "partner/team.html")]
struct TeamPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    members: Vec<Member>,
    invitations: Vec<Invitation>,
    email: &'a str,
    role: &'a str,
    errors: FormErrors,
    roles: [Role; 3],
}

async fn team_page(
    ctx: &Ctx,
    a: &Access,
    email: &str,
    role: &str,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let pid = a.partner.id;
    let (members, invitations) = db::run(ctx.pool(), move |conn| {
        Ok((
            partners::members(conn, pid)?,
            partners::pending_invitations(conn, pid)?,
        ))
    })
    .await?;
    render_status(
        status,
        &TeamPage {
            ctx,
            a,
            members,
            invitations,
            email,
            role,
            errors,
            roles: Role::ALL,
        },
    )
}

pub async fn show(ctx: Ctx, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    team_page(&ctx, &a, "", "member", FormErrors::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// What came of an invitation form once checked against the team.
enum Invited {
    Sent,
    /// The address belongs to a member already: roles change in the list.
    AlreadyMember,
    /// The sender lost the right to send it meanwhile.
    NotAllowed,
}

pub async fn invite(
    ctx: Ctx,
    slug: web::Path<String>,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let mut errors = FormErrors::new();
    let email = errors.check(ctx.lang, "email", Email::parse(&form.email));
    let role = Role::parse(&form.role);
    match role {
        None => errors.add("role", ctx.t("error-role-invalid")),
        Some(r) if !a.role.may_assign(None, r) => {
            errors.add("role", ctx.t("error-role-owner-only"))
        }
        _ => {}
    }
    let (Some(email), Some(role)) = (email, role.filter(|_| errors.is_empty())) else {
        return team_page(
            &ctx,
            &a,
            &form.email,
            &form.role,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let inviter = ctx.require_user()?.clone();
    if let Some(msg) = limits::check(&ctx, Action::Invitations, Actor::Account(inviter.id)).await? {
        errors.add("email", msg);
        return team_page(
            &ctx,
            &a,
            &form.email,
            &form.role,
            errors,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let partner = a.partner.clone();
    let base = ctx.base_url().to_string();
    let domain = ctx.state.mail_domain();
    let fallback = ctx.lang;
    let ip = ctx.ip.clone();
    let outcome = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            partners::lock_team(conn, partner.id)?;
            let allowed = partners::role_of(conn, partner.id, inviter.id)?
                .is_some_and(|r| r.can_manage() && r.may_assign(None, role));
            if !allowed {
                return Ok(Invited::NotAllowed);
            }
            if partners::member_by_email(conn, partner.id, email.as_str())?.is_some() {
                return Ok(Invited::AlreadyMember);
            }
            let token = partners::invite(
                conn,
                partner.id,
                email.as_str(),
                role,
                inviter.id,
                INVITATION_TTL,
            )?;
            let lang = users::by_email(conn, email.as_str())?
                .and_then(|u| u.locale)
                .as_deref()
                .and_then(Lang::from_code)
                .unwrap_or(fallback);
            let mail = messages::invitation(
                lang,
                email.as_str(),
                &inviter.display_name,
                &partner.name,
                lang.t(role.label_key()).as_str(),
                &format!("{base}/invitations/{token}"),
            )?;
            outbox::enqueue(conn, &domain, &mail)?;
            audit::record(
                conn,
                Some(inviter.id),
                "member_invited",
                &format!("partner:{}:{}", partner.id, email.as_str()),
                Some(&ip),
            )?;
            Ok::<_, AppError>(Invited::Sent)
        })
    })
    .await?;
    match outcome {
        Invited::Sent => {}
        Invited::AlreadyMember => {
            let mut errors = FormErrors::new();
            errors.add(
                "email",
                ctx.t1("team-already-member", "email", form.email.trim()),
            );
            return team_page(
                &ctx,
                &a,
                &form.email,
                &form.role,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Invited::NotAllowed => {
            ctx.flash("error", "team-role-changed-meanwhile");
            return Ok(see_other(&a.base()));
        }
    }
    ctx.state.mail_wakeup.notify_one();
    ctx.flash_text(
        "success",
        ctx.t1("team-invited", "email", form.email.trim()),
    );
    Ok(see_other(&format!("{}/team", a.base())))
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

enum Change {
    Done,
    NotMember,
    LastOwner,
    OwnerOnly,
    /// The person acting no longer runs the team (changed meanwhile).
    NotManager,
}

/// The acting person's role as it is now, inside the transaction that
/// holds the team's lock: a role read before may have changed meanwhile.
fn manager_role(conn: &mut AnyConnection, pid: i64, actor_id: i64) -> QueryResult<Option<Role>> {
    Ok(partners::role_of(conn, pid, actor_id)?.filter(|r| r.can_manage()))
}

/// The team rules for moving someone from `from` to `to` (`None`: out of
/// the team), with `actor` doing it.
fn rule(
    conn: &mut AnyConnection,
    pid: i64,
    actor: Role,
    from: Role,
    to: Option<Role>,
) -> QueryResult<Option<Change>> {
    let allowed = match to {
        Some(to) => actor.may_assign(Some(from), to),
        None => from != Role::Owner || actor == Role::Owner,
    };
    if !allowed {
        return Ok(Some(Change::OwnerOnly));
    }
    if from == Role::Owner && to != Some(Role::Owner) && partners::count_owners(conn, pid)? <= 1 {
        return Ok(Some(Change::LastOwner));
    }
    Ok(None)
}

pub async fn change_role(
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, user_id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let to = Role::parse(&form.role).ok_or(AppError::BadRequest)?;
    let (pid, actor_id, ip) = (a.partner.id, ctx.require_user()?.id, ctx.ip.clone());
    let outcome = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            partners::lock_team(conn, pid)?;
            let Some(actor) = manager_role(conn, pid, actor_id)? else {
                return Ok::<_, AppError>(Change::NotManager);
            };
            let Some(from) = partners::role_of(conn, pid, user_id)? else {
                return Ok(Change::NotMember);
            };
            if let Some(refused) = rule(conn, pid, actor, from, Some(to))? {
                return Ok(refused);
            }
            partners::set_role(conn, pid, user_id, to)?;
            partners::revoke_invitations_beyond(conn, pid, user_id, Some(to))?;
            audit::record(
                conn,
                Some(actor_id),
                "member_role_changed",
                &format!("partner:{pid}:user:{user_id}:{}", to.as_str()),
                Some(&ip),
            )?;
            Ok(Change::Done)
        })
    })
    .await?;
    finish(&ctx, &a, outcome, "team-role-changed")
}

fn finish(
    ctx: &Ctx,
    a: &Access,
    outcome: Change,
    done_key: &str,
) -> Result<HttpResponse, AppError> {
    match outcome {
        Change::Done => ctx.flash("success", done_key),
        Change::NotMember => return Err(AppError::NotFound),
        Change::LastOwner => ctx.flash("error", "team-last-owner"),
        Change::OwnerOnly => ctx.flash("error", "error-role-owner-only"),
        Change::NotManager => {
            ctx.flash("error", "team-role-changed-meanwhile");
            return Ok(see_other(&a.base()));
        }
    }
    Ok(see_other(&format!("{}/team", a.base())))
}

/// Removes a member; the invitations they sent and nobody accepted yet
/// stop working with them.
pub async fn remove(ctx: Ctx, path: web::Path<(String, i64)>) -> Result<HttpResponse, AppError> {
    let (slug, user_id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let (pid, actor_id, ip) = (a.partner.id, ctx.require_user()?.id, ctx.ip.clone());
    let outcome = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            partners::lock_team(conn, pid)?;
            let Some(actor) = manager_role(conn, pid, actor_id)? else {
                return Ok::<_, AppError>(Change::NotManager);
            };
            let Some(from) = partners::role_of(conn, pid, user_id)? else {
                return Ok(Change::NotMember);
            };
            if let Some(refused) = rule(conn, pid, actor, from, None)? {
                return Ok(refused);
            }
            partners::remove_member(conn, pid, user_id)?;
            partners::revoke_invitations_beyond(conn, pid, user_id, None)?;
            audit::record(
                conn,
                Some(actor_id),
                "member_removed",
                &format!("partner:{pid}:user:{user_id}"),
                Some(&ip),
            )?;
            Ok(Change::Done)
        })
    })
    .await?;
    finish(&ctx, &a, outcome, "team-removed")
}

pub async fn revoke_invitation(
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let pid = a.partner.id;
    let n = db::run(ctx.pool(), move |conn| {
        Ok(partners::revoke_invitation(conn, pid, id)?)
    })
    .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    ctx.flash("success", "team-invitation-revoked");
    Ok(see_other(&format!("{}/team", a.base())))
}

#[derive(Template)]
#[template(path = "partner/invitation.html")]
struct InvitationPage<'a> {
    ctx: &'a Ctx,
    invitation: &'a Invitation,
    partner_name: &'a str,
    token: &'a str,
    email_matches: bool,
}

async fn load_invitation(ctx: &Ctx, token: &str) -> Result<Option<(Invitation, String)>, AppError> {
    let token = token.to_string();
    db::run(ctx.pool(), move |conn| {
        let Some(inv) = partners::open_invitation(conn, &token)? else {
            return Ok(None);
        };
        if !partners::sender_may_send(conn, &inv)? {
            return Ok(None);
        }
        let partner = partners::by_id(conn, inv.partner_id)?.ok_or(AppError::NotFound)?;
        Ok(Some((inv, partner.name)))
    })
    .await
}

fn invalid_invitation(ctx: &Ctx) -> Result<HttpResponse, AppError> {
    render_status(
        StatusCode::NOT_FOUND,
        &Notice {
            ctx,
            title: ctx.t("invitation-invalid-title"),
            text: ctx.t("invitation-invalid-text"),
            link: None,
        },
    )
}

pub async fn invitation(ctx: Ctx, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    let Some((inv, partner_name)) = load_invitation(&ctx, &token).await? else {
        return invalid_invitation(&ctx);
    };
    let email_matches = ctx.user.as_ref().is_some_and(|u| u.email == inv.email);
    render(&InvitationPage {
        ctx: &ctx,
        invitation: &inv,
        partner_name: &partner_name,
        token: &token,
        email_matches,
    })
}

/// What accepting did.
enum Accepted {
    Joined,
    /// Already a member: the role is now this one.
    RoleChanged(Role),
    /// Already a member: the role stays (the rules did not allow the
    /// invitation's, or it was the same).
    RoleKept(Role),
    /// Used, revoked or no longer one its sender may send.
    Invalid,
}

/// Accepts the invitation for the signed-in person whose address it was
/// sent to; works once. For someone who belongs to the team already, the
/// invitation's role applies only as a change its sender could make on
/// the team page now: only owners grant or take the owner role, and the
/// last owner stays one. Otherwise their role stays as it is.
pub async fn accept(ctx: Ctx, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let Some((inv, _)) = load_invitation(&ctx, &token).await? else {
        return invalid_invitation(&ctx);
    };
    if inv.email != user.email {
        return Err(AppError::Forbidden);
    }
    let ip = ctx.ip.clone();
    let (outcome, slug) = db::run(ctx.pool(), move |conn| {
        write_tx_retrying(conn, |conn| {
            let pid = inv.partner_id;
            partners::lock_team(conn, pid)?;
            let slug = partners::by_id(conn, pid)?.ok_or(AppError::NotFound)?.slug;
            let sender = match inv.invited_by {
                Some(id) => manager_role(conn, pid, id)?,
                None => None,
            };
            let to = inv.role();
            let Some(sender) = sender.filter(|r| r.may_assign(None, to)) else {
                return Ok((Accepted::Invalid, slug));
            };
            if partners::mark_accepted(conn, inv.id)? != 1 {
                // Sent twice at once: the first one did it.
                let outcome = match partners::role_of(conn, pid, user.id)? {
                    Some(r) => Accepted::RoleKept(r),
                    None => Accepted::Invalid,
                };
                return Ok((outcome, slug));
            }
            let outcome = match partners::role_of(conn, pid, user.id)? {
                None => {
                    crate::models::catalogue::add_member(conn, pid, user.id, to.as_str())?;
                    Accepted::Joined
                }
                Some(from) if from == to => Accepted::RoleKept(from),
                Some(from) => {
                    if rule(conn, pid, sender, from, Some(to))?.is_some() {
                        Accepted::RoleKept(from)
                    } else {
                        partners::set_role(conn, pid, user.id, to)?;
                        partners::revoke_invitations_beyond(conn, pid, user.id, Some(to))?;
                        Accepted::RoleChanged(to)
                    }
                }
            };
            audit::record(
                conn,
                Some(user.id),
                "invitation_accepted",
                &format!("partner:{pid}"),
                Some(&ip),
            )?;
            Ok::<_, AppError>((outcome, slug))
        })
    })
    .await?;
    match outcome {
        Accepted::Invalid => return invalid_invitation(&ctx),
        Accepted::Joined => ctx.flash("success", "invitation-accepted"),
        Accepted::RoleChanged(r) => ctx.flash_text(
            "success",
            ctx.t1("invitation-role-changed", "role", ctx.t(r.label_key())),
        ),
        Accepted::RoleKept(r) => ctx.flash_text(
            "success",
            ctx.t1("invitation-already-member", "role", ctx.t(r.label_key())),
        ),
    }
    Ok(see_other(&format!("/partner/{slug}")))
}
