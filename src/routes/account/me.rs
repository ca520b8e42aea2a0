use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::{self, write_tx};
use crate::domain::zone::Zone;
use crate::domain::{DisplayName, NewPassword};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::mail::messages;
use crate::models::sessions::{self, SessionRow};
use crate::models::{audit, engagements, export, history, outbox, users};
use crate::web::csv_export;
use crate::web::trend::{self, Buckets, Series, Trend, Unit};
use crate::web::{Ctx, FormErrors, render, render_status, see_other};

#[derive(Template)]
#[template(path = "account/me.html")]
struct OverviewPage<'a> {
    ctx: &'a Ctx,
    user: &'a users::User,
    history: Trend,
}

/// The account's overview, with the person's own requests, reviews and
/// tickets per week over the last year (on their clock).
pub async fn overview(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?;
    let buckets = Buckets::last_days(&ctx.zone, crate::models::now(), 365);
    let (uid, from) = (user.id, buckets.instants[0]);
    let rows = db::run(ctx.pool(), move |conn| {
        Ok(history::kinds_since(conn, uid, from)?)
    })
    .await?;
    let kinds = [
        (engagements::ENGAGED, "trend-requests"),
        (engagements::REVIEWED, "trend-reviews"),
        ("ticket_opened", "trend-tickets"),
    ];
    let mut counts = vec![vec![0i64; buckets.len()]; kinds.len()];
    for (kind, at) in &rows {
        let Some(k) = kinds.iter().position(|(name, _)| name == kind) else {
            continue;
        };
        if let Some(i) = buckets.index_of(*at) {
            counts[k][i] += 1;
        }
    }
    let total = counts.iter().flatten().sum();
    let history = trend::chart(
        &ctx,
        "history",
        ctx.t("me-history"),
        Unit::Count,
        &buckets.labels(&ctx),
        kinds
            .iter()
            .zip(&counts)
            .map(|((_, key), values)| Series::counts(ctx.t(key), values))
            .collect(),
        Some(total),
        None,
        None,
    );
    render(&OverviewPage {
        ctx: &ctx,
        user,
        history,
    })
}

/// `/me/history.csv`: every activity of the person's, oldest first, read
/// and sent `EXPORT_BATCH` at a time: when (UTC), what, partner, listing.
pub async fn history_csv(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (uid, lang) = (ctx.require_user()?.id, ctx.lang);
    let header = csv_export::lines([[
        lang.t("history-csv-when"),
        lang.t("history-csv-what"),
        lang.t("privacy-partner"),
        lang.t("history-csv-listing"),
    ]]);
    Ok(csv_export::streamed(
        ctx.pool(),
        "my-history.csv",
        header,
        None,
        "history export",
        move |conn, after| {
            let rows = history::batch(conn, uid, after, history::EXPORT_BATCH)?;
            let lines = csv_export::lines(rows.iter().map(|r| {
                [
                    export::iso(r.created_at),
                    lang.t(engagements::activity_label_key(&r.kind)),
                    csv_export::guard(r.partner.as_deref().unwrap_or("")),
                    csv_export::guard(r.listing.as_deref().unwrap_or("")),
                ]
            }))?;
            let next = match rows.last() {
                Some(last) if rows.len() as i64 == history::EXPORT_BATCH => {
                    Some(Some((last.created_at, last.id)))
                }
                _ => None,
            };
            Ok((lines, next))
        },
    ))
}

#[derive(Template)]
#[template(path = "account/profile.html")]
struct ProfilePage<'a> {
    ctx: &'a Ctx,
    display_name: &'a str,
    locale: &'a str,
    time_zone: &'a str,
    errors: FormErrors,
}

pub async fn profile_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?;
    render(&ProfilePage {
        ctx: &ctx,
        display_name: &user.display_name,
        locale: user.locale.as_deref().unwrap_or(""),
        time_zone: user.time_zone.as_deref().unwrap_or(""),
        errors: FormErrors::new(),
    })
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    time_zone: String,
}

pub async fn profile_submit(
    ctx: Ctx,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?;
    let mut errors = FormErrors::new();
    let name = errors.check(
        ctx.lang,
        "display_name",
        DisplayName::parse(&form.display_name),
    );
    let locale = match form.locale.as_str() {
        "" => None,
        code => match Lang::from_code(code) {
            Some(l) => Some(l.code()),
            None => {
                errors.add("locale", ctx.t("error-locale-invalid"));
                None
            }
        },
    };
    let zone = match form.time_zone.trim() {
        "" => None,
        name => match Zone::named(name) {
            Some(z) => Some(z.name().to_string()),
            None => {
                errors.add("time_zone", ctx.t("error-zone-invalid"));
                None
            }
        },
    };
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ProfilePage {
                ctx: &ctx,
                display_name: &form.display_name,
                locale: &form.locale,
                time_zone: &form.time_zone,
                errors,
            },
        );
    };
    let id = user.id;
    db::run(ctx.pool(), move |conn| {
        Ok(users::update_profile(
            conn,
            id,
            name.as_str(),
            locale,
            zone.as_deref(),
        )?)
    })
    .await?;
    // Staff names appear in the desk's menus.
    crate::routes::desk::menus_changed(&ctx.state);
    let lang = locale.and_then(Lang::from_code).unwrap_or(ctx.lang);
    ctx.flash_text("success", lang.t("profile-saved"));
    Ok(see_other("/me/profile"))
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage<'a> {
    ctx: &'a Ctx,
    errors: FormErrors,
}

pub async fn password_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.require_user()?;
    render(&PasswordPage {
        ctx: &ctx,
        errors: FormErrors::new(),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// Changes the password after checking the current one, and ends every
/// other session of the person.
pub async fn password_submit(
    ctx: Ctx,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let mut errors = FormErrors::new();
    let password = errors.check(ctx.lang, "password", NewPassword::parse(&form.password));
    if password.is_some() && form.password != form.confirm {
        errors.add("confirm", ctx.t("error-password-mismatch"));
    }
    let current_ok = ctx
        .state
        .hasher
        .verify(form.current.clone(), Some(user.password_hash.clone()))
        .await?;
    if !current_ok {
        errors.add("current", ctx.t("error-current-password"));
    }
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage { ctx: &ctx, errors },
        );
    };
    let hash = ctx.state.hasher.hash(password.as_str().to_string()).await?;
    let keep = ctx.session_public_id();
    let ip = ctx.ip.clone();
    let base = ctx.base_url().to_string();
    let domain = ctx.state.mail_domain();
    let lang = ctx.lang;
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            users::set_password(conn, user.id, &hash)?;
            sessions::end_all_but(conn, user.id, Some(&keep))?;
            audit::record(
                conn,
                Some(user.id),
                audit::PASSWORD_CHANGED,
                &user.email,
                Some(&ip),
            )?;
            let mail = messages::password_changed(
                lang,
                &user.email,
                &user.display_name,
                &format!("{base}/password/forgot"),
            )?;
            outbox::enqueue(conn, &domain, &mail)?;
            Ok::<(), AppError>(())
        })
    })
    .await?;
    ctx.state.mail_wakeup.notify_one();
    // A new key for this session too.
    ctx.session.renew();
    ctx.flash("success", "password-changed");
    Ok(see_other("/me"))
}

#[derive(Template)]
#[template(path = "account/sessions.html")]
struct SessionsPage<'a> {
    ctx: &'a Ctx,
    rows: Vec<SessionRow>,
    current: String,
}

pub async fn sessions(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let id = ctx.require_user()?.id;
    let current = ctx.session_public_id();
    let rows = db::run(ctx.pool(), move |conn| Ok(sessions::for_user(conn, id)?)).await?;
    render(&SessionsPage {
        ctx: &ctx,
        rows,
        current,
    })
}

pub async fn end_other_sessions(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let keep = ctx.session_public_id();
    let ip = ctx.ip.clone();
    let n = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let n = sessions::end_all_but(conn, user.id, Some(&keep))?;
            audit::record(
                conn,
                Some(user.id),
                audit::SESSIONS_REVOKED,
                &user.email,
                Some(&ip),
            )?;
            Ok::<_, AppError>(n)
        })
    })
    .await?;
    ctx.flash_text("success", ctx.tn("sessions-ended", "count", n as i64));
    Ok(see_other("/me/sessions"))
}

pub async fn end_session(ctx: Ctx, id: web::Path<String>) -> Result<HttpResponse, AppError> {
    let user_id = ctx.require_user()?.id;
    let public_id = id.into_inner();
    if public_id == ctx.session_public_id() {
        return Err(AppError::BadRequest);
    }
    let n = db::run(ctx.pool(), move |conn| {
        Ok(sessions::end_one(conn, user_id, &public_id)?)
    })
    .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    ctx.flash_text("success", ctx.tn("sessions-ended", "count", n as i64));
    Ok(see_other("/me/sessions"))
}
