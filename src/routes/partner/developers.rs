//! `/partner/{slug}/developers`: the partner's API tokens. Owners and
//! admins make them (a name, scopes, an expiry), see the secret once, and
//! revoke them; each change is audited and mailed to the owners and admins.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use time::Duration;

use super::{Access, access};
use crate::db::{self, write_tx};
use crate::error::AppError;
use crate::mail::messages;
use crate::models::api_tokens::{self, ApiToken, Scope};
use crate::models::{audit, partners};
use crate::web::paging::{PageParams, PageRequest, Pager};
use crate::web::{Ctx, FormErrors, render_status, see_other};

/// The expiries offered, in days (0: never).
pub const EXPIRIES: [i64; 5] = [30, 90, 180, 365, 0];

#[derive(Template)]
#[template(path = "partner/developers.html")]
struct DevelopersPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    tokens: Vec<(ApiToken, Option<String>)>,
    pager: Pager,
    now: time::PrimitiveDateTime,
    scopes: [Scope; 8],
    expiries: [i64; 5],
    token_name: &'a str,
    chosen: &'a [Scope],
    expiry: i64,
    errors: FormErrors,
    /// The secret of the token just made, shown this once.
    secret: Option<&'a str>,
}

impl DevelopersPage<'_> {
    fn chose(&self, s: &Scope) -> bool {
        self.chosen.contains(s)
    }

    fn expiry_key(&self, days: &i64) -> String {
        if *days == 0 {
            self.ctx.t("developers-expiry-never")
        } else {
            self.ctx.tn("developers-expiry-days", "days", *days)
        }
    }
}

struct Shown<'a> {
    name: &'a str,
    chosen: &'a [Scope],
    expiry: i64,
    errors: FormErrors,
    secret: Option<&'a str>,
}

async fn page(
    ctx: &Ctx,
    a: &Access,
    req: PageRequest,
    shown: Shown<'_>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let pid = a.partner.id;
    let tokens = db::run(ctx.pool(), move |conn| {
        Ok(api_tokens::page(conn, pid, &req)?)
    })
    .await?;
    let pager = tokens.pager(&format!("{}/developers", a.base()), None);
    render_status(
        status,
        &DevelopersPage {
            ctx,
            a,
            tokens: tokens.items,
            pager,
            now: crate::models::now(),
            scopes: Scope::ALL,
            expiries: EXPIRIES,
            token_name: shown.name,
            chosen: shown.chosen,
            expiry: shown.expiry,
            errors: shown.errors,
            secret: shown.secret,
        },
    )
}

pub async fn show(
    ctx: Ctx,
    slug: web::Path<String>,
    p: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let req = PageRequest::parse(&p, api_tokens::PAGE_SIZE);
    let shown = Shown {
        name: "",
        chosen: &[],
        expiry: 90,
        errors: FormErrors::new(),
        secret: None,
    };
    page(&ctx, &a, req, shown, StatusCode::OK).await
}

/// Tells the partner's owners and admins that a token was made or revoked.
fn notify(
    conn: &mut crate::db::AnyConnection,
    domain: &str,
    partner: &partners::Partner,
    subject_key: &str,
    token_name: &str,
    by: &str,
    link: &str,
) -> Result<(), AppError> {
    crate::mail::to_managers(conn, domain, partner.id, |lang, email| {
        messages::api_token_changed(
            lang,
            email,
            subject_key,
            &partner.name,
            token_name,
            by,
            link,
        )
    })
}

pub async fn create(
    ctx: Ctx,
    slug: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let user = ctx.require_user()?.clone();
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let name = field("name");
    let chosen: Vec<Scope> = Scope::ALL
        .into_iter()
        .filter(|s| form.iter().any(|(n, v)| n == "scope" && v == s.as_str()))
        .collect();
    let expiry_raw = field("expiry");
    let mut e = FormErrors::new();
    let checked_name = e.check(
        ctx.lang,
        "name",
        crate::domain::required_text(&name, 100, "error-required", "error-too-long"),
    );
    if chosen.is_empty() {
        e.add("scope", ctx.t("developers-error-scopes"));
    }
    let expiry = match expiry_raw.parse::<i64>() {
        Ok(d) if EXPIRIES.contains(&d) => Some(d),
        _ => {
            e.add("expiry", ctx.t("developers-error-expiry"));
            None
        }
    };
    let (Some(token_name), Some(days), true) = (checked_name, expiry, e.is_empty()) else {
        let shown = Shown {
            name: &name,
            chosen: &chosen,
            expiry: expiry.unwrap_or(90),
            errors: e,
            secret: None,
        };
        return page(
            &ctx,
            &a,
            PageRequest::first(api_tokens::PAGE_SIZE),
            shown,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let expires_at = (days > 0).then(|| crate::models::now() + Duration::days(days));
    let (partner, ip, domain) = (a.partner.clone(), ctx.ip.clone(), ctx.state.mail_domain());
    let link = format!("{}{}/developers", ctx.base_url(), a.base());
    let scopes = chosen.clone();
    let secret = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let (id, secret) =
                api_tokens::create(conn, partner.id, &token_name, &scopes, expires_at, user.id)?;
            audit::record(
                conn,
                Some(user.id),
                "api_token_created",
                &format!("partner:{}:token:{id}", partner.id),
                Some(&ip),
            )?;
            notify(
                conn,
                &domain,
                &partner,
                "mail-token-created-subject",
                &token_name,
                &user.display_name,
                &link,
            )?;
            Ok::<_, AppError>(secret)
        })
    })
    .await?;
    ctx.state.mail_wakeup.notify_one();
    ctx.flash("success", "developers-created");
    let shown = Shown {
        name: "",
        chosen: &[],
        expiry: 90,
        errors: FormErrors::new(),
        secret: Some(&secret),
    };
    page(
        &ctx,
        &a,
        PageRequest::first(api_tokens::PAGE_SIZE),
        shown,
        StatusCode::OK,
    )
    .await
}

pub async fn revoke(ctx: Ctx, path: web::Path<(String, i64)>) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let user = ctx.require_user()?.clone();
    let (partner, ip, domain) = (a.partner.clone(), ctx.ip.clone(), ctx.state.mail_domain());
    let link = format!("{}{}/developers", ctx.base_url(), a.base());
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let token = api_tokens::find(conn, partner.id, id)?.ok_or(AppError::NotFound)?;
            if !api_tokens::revoke(conn, partner.id, id, user.id)? {
                // Revoked already: nothing changes, nothing is sent.
                return Ok(());
            }
            audit::record(
                conn,
                Some(user.id),
                "api_token_revoked",
                &format!("partner:{}:token:{id}", partner.id),
                Some(&ip),
            )?;
            notify(
                conn,
                &domain,
                &partner,
                "mail-token-revoked-subject",
                &token.name,
                &user.display_name,
                &link,
            )?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    ctx.state.mail_wakeup.notify_one();
    ctx.flash("success", "developers-revoked");
    Ok(see_other(&format!("{}/developers", a.base())))
}
