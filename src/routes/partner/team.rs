use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{Access, access};
use crate::db::{self, write_tx};
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

/// Only owners may hand out or take away the owner role.
fn may_assign(actor: Role, from: Option<Role>, to: Role) -> bool {
    actor == Role::Owner || (to != Role::Owner && from != Some(Role::Owner))
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
        Some(r) if !may_assign(a.role, None, r) => {
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
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
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
            Ok::<_, AppError>(())
        })
    })
    .await?;
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
    let (pid, actor, actor_id, ip) = (a.partner.id, a.role, ctx.require_user()?.id, ctx.ip.clone());
    let outcome = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let Some(from) = partners::role_of(conn, pid, user_id)? else {
                return Ok::<_, AppError>(Change::NotMember);
            };
            if !may_assign(actor, Some(from), to) {
                return Ok(Change::OwnerOnly);
            }
            if from == Role::Owner && to != Role::Owner && partners::count_owners(conn, pid)? <= 1 {
                return Ok(Change::LastOwner);
            }
            partners::set_role(conn, pid, user_id, to)?;
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
    }
    Ok(see_other(&format!("{}/team", a.base())))
}

pub async fn remove(ctx: Ctx, path: web::Path<(String, i64)>) -> Result<HttpResponse, AppError> {
    let (slug, user_id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let (pid, actor, actor_id, ip) = (a.partner.id, a.role, ctx.require_user()?.id, ctx.ip.clone());
    let outcome = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let Some(from) = partners::role_of(conn, pid, user_id)? else {
                return Ok::<_, AppError>(Change::NotMember);
            };
            if from == Role::Owner && actor != Role::Owner {
                return Ok(Change::OwnerOnly);
            }
            if from == Role::Owner && partners::count_owners(conn, pid)? <= 1 {
                return Ok(Change::LastOwner);
            }
            partners::remove_member(conn, pid, user_id)?;
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

/// Accepts the invitation for the signed-in person whose address it was
/// sent to; works once.
pub async fn accept(ctx: Ctx, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let Some((inv, _)) = load_invitation(&ctx, &token).await? else {
        return invalid_invitation(&ctx);
    };
    if inv.email != user.email {
        return Err(AppError::Forbidden);
    }
    let ip = ctx.ip.clone();
    let slug = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            if partners::mark_accepted(conn, inv.id)? != 1 {
                return Err(AppError::NotFound);
            }
            partners::upsert_member(conn, inv.partner_id, user.id, inv.role())?;
            audit::record(
                conn,
                Some(user.id),
                "invitation_accepted",
                &format!("partner:{}", inv.partner_id),
                Some(&ip),
            )?;
            let p = partners::by_id(conn, inv.partner_id)?.ok_or(AppError::NotFound)?;
            Ok(p.slug)
        })
    })
    .await?;
    ctx.flash("success", "invitation-accepted");
    Ok(see_other(&format!("/partner/{slug}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_owners_touch_the_owner_role() {
        assert!(may_assign(Role::Owner, Some(Role::Member), Role::Owner));
        assert!(may_assign(Role::Admin, Some(Role::Member), Role::Admin));
        assert!(!may_assign(Role::Admin, Some(Role::Member), Role::Owner));
        assert!(!may_assign(Role::Admin, Some(Role::Owner), Role::Member));
        assert!(!may_assign(Role::Admin, None, Role::Owner));
    }
}
