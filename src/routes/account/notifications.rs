//! `/me/notifications`: each kind of optional email on or off, and the
//! emails that are always sent, with why. `/unsubscribe/email/...`: the
//! signed one-click link each optional email carries, which turns off
//! exactly its kind.

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;

use crate::db::{self, write_tx};
use crate::error::AppError;
use crate::mail::notify;
use crate::models::preferences::{self, Audience, Kind};
use crate::models::{audit, users};
use crate::web::{Ctx, render, see_other};

/// The emails that cannot be turned off, each with the reason.
const ALWAYS: [&str; 4] = [
    "notify-always-verification",
    "notify-always-reset",
    "notify-always-security",
    "notify-always-ticket-replies",
];

#[derive(Template)]
#[template(path = "account/notifications.html")]
struct NotificationsPage<'a> {
    ctx: &'a Ctx,
    /// (heading key, its kinds with their settings)
    groups: Vec<(&'static str, Vec<(Kind, bool)>)>,
    always: [&'static str; 4],
}

/// The audiences a person belongs to: everyone is a consumer; partner
/// members and staff see their own kinds too.
async fn audiences(ctx: &Ctx, user: &users::User) -> Result<Vec<Audience>, AppError> {
    let id = user.id;
    let member = db::read(ctx.pool(), move |conn| {
        Ok(diesel::select(diesel::dsl::exists(
            crate::schema::memberships::table.filter(crate::schema::memberships::user_id.eq(id)),
        ))
        .get_result::<bool>(conn)?)
    })
    .await?;
    let mut out = vec![Audience::Consumer];
    if member {
        out.push(Audience::Partner);
    }
    if user.is_staff || user.is_admin {
        out.push(Audience::Staff);
    }
    Ok(out)
}

fn heading(a: Audience) -> &'static str {
    match a {
        Audience::Consumer => "notify-as-consumer",
        Audience::Partner => "notify-as-partner",
        Audience::Staff => "notify-as-staff",
    }
}

pub async fn show(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?;
    let shown = audiences(&ctx, user).await?;
    let id = user.id;
    let settings = db::read(ctx.pool(), move |conn| Ok(preferences::of_user(conn, id)?)).await?;
    let groups = shown
        .into_iter()
        .map(|a| {
            let kinds = settings
                .iter()
                .copied()
                .filter(|(k, _)| k.audience() == a)
                .collect();
            (heading(a), kinds)
        })
        .collect();
    render(&NotificationsPage {
        ctx: &ctx,
        groups,
        always: ALWAYS,
    })
}

/// Saves the kinds the page showed: a ticked box is on, an unticked one
/// off (a browser sends only ticked boxes).
pub async fn save(
    ctx: Ctx,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?;
    let shown = audiences(&ctx, user).await?;
    let on: Vec<Kind> = form
        .iter()
        .filter(|(name, _)| name == "on")
        .filter_map(|(_, v)| Kind::parse(v))
        .collect();
    let (id, ip) = (user.id, ctx.ip.clone());
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            for k in Kind::ALL
                .into_iter()
                .filter(|k| shown.contains(&k.audience()))
            {
                preferences::set(conn, id, k, on.contains(&k))?;
            }
            audit::record(conn, Some(id), "email_preferences_changed", "", Some(&ip))?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    ctx.flash("success", "notify-saved");
    Ok(see_other("/me/notifications"))
}

#[derive(Template)]
#[template(path = "public/unsubscribe_kind.html")]
struct UnsubscribePage<'a> {
    ctx: &'a Ctx,
    kind: Kind,
    action: String,
    done: bool,
}

/// The person and kind a link names, if its signature holds.
async fn checked(ctx: &Ctx, uid: i64, kind: &str, sig: &str) -> Result<(i64, Kind), AppError> {
    let kind = Kind::parse(kind).ok_or(AppError::NotFound)?;
    if !notify::link_valid(&ctx.state.settings.secret, uid, kind, sig) {
        return Err(AppError::NotFound);
    }
    let exists = db::read(ctx.pool(), move |conn| {
        Ok(users::by_id(conn, uid)?.is_some())
    })
    .await?;
    if !exists {
        return Err(AppError::NotFound);
    }
    Ok((uid, kind))
}

/// Asks before turning the kind off (a link preview must not do it).
pub async fn confirm(
    ctx: Ctx,
    path: web::Path<(i64, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (uid, kind, sig) = path.into_inner();
    let (uid, kind) = checked(&ctx, uid, &kind, &sig).await?;
    let on = db::read(ctx.pool(), move |conn| {
        Ok(preferences::wants(conn, uid, kind)?)
    })
    .await?;
    render(&UnsubscribePage {
        ctx: &ctx,
        kind,
        action: format!("/unsubscribe/email/{uid}/{}/{sig}", kind.as_str()),
        done: !on,
    })
}

/// Turns the kind off: from the page's button, or one click in a mail
/// client (RFC 8058).
pub async fn unsubscribe(
    ctx: Ctx,
    path: web::Path<(i64, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (uid, kind, sig) = path.into_inner();
    let (uid, kind) = checked(&ctx, uid, &kind, &sig).await?;
    let ip = ctx.ip.clone();
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            preferences::set(conn, uid, kind, false)?;
            audit::record(
                conn,
                Some(uid),
                "email_unsubscribed",
                kind.as_str(),
                Some(&ip),
            )?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    render(&UnsubscribePage {
        ctx: &ctx,
        kind,
        action: String::new(),
        done: true,
    })
}
