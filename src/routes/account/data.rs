//! The consumer's own data: a JSON export of everything kept about them,
//! and deleting the account.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use time::PrimitiveDateTime;

use super::Notice;
use crate::db::{self, write_tx};
use crate::error::AppError;
use crate::mail::messages;
use crate::models::partners::{self, Role};
use crate::models::{audit, outbox, sessions, tickets};
use crate::schema::{activities, engagements, listings, partners as partners_t, reviews};
use crate::web::{Ctx, FormErrors, render, render_status};

#[derive(Serialize)]
struct Export {
    exported_at: String,
    profile: Profile,
    engagements: Vec<EngagementOut>,
    reviews: Vec<ReviewOut>,
    tickets: Vec<TicketOut>,
    activity: Vec<ActivityOut>,
    sessions: Vec<SessionOut>,
}

#[derive(Serialize)]
struct Profile {
    email: String,
    display_name: String,
    language: Option<String>,
    email_verified_at: Option<String>,
    created_at: String,
}

#[derive(Serialize)]
struct EngagementOut {
    partner: String,
    listing: String,
    message: String,
    shares_contact_details: bool,
    consent_at: Option<String>,
    consent_withdrawn_at: Option<String>,
    created_at: String,
}

#[derive(Serialize)]
struct ReviewOut {
    listing: String,
    rating: i32,
    text: String,
    created_at: String,
}

#[derive(Serialize)]
struct TicketOut {
    number: i64,
    subject: String,
    status: String,
    created_at: String,
    satisfaction_rating: Option<i32>,
    messages: Vec<MessageOut>,
}

#[derive(Serialize)]
struct MessageOut {
    from: String,
    text: String,
    at: String,
}

#[derive(Serialize)]
struct ActivityOut {
    kind: String,
    detail: String,
    at: String,
}

#[derive(Serialize)]
struct SessionOut {
    browser: Option<String>,
    address: Option<String>,
    signed_in_at: String,
    last_seen_at: String,
}

type EngagementRow = (
    String,
    String,
    String,
    bool,
    Option<PrimitiveDateTime>,
    Option<PrimitiveDateTime>,
    PrimitiveDateTime,
);

fn iso(t: PrimitiveDateTime) -> String {
    t.assume_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Everything kept about the signed-in person, as a JSON download.
/// Internal notes of the support team are not part of it.
pub async fn export(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let ip = ctx.ip.clone();
    let data = db::run(ctx.pool(), move |conn| {
        let uid = user.id;
        let engagements_rows: Vec<EngagementRow> = engagements::table
            .inner_join(listings::table)
            .inner_join(partners_t::table)
            .filter(engagements::consumer_id.eq(uid))
            .select((
                partners_t::name,
                listings::title,
                engagements::message,
                engagements::consent,
                engagements::consent_at,
                engagements::consent_withdrawn_at,
                engagements::created_at,
            ))
            .load(conn)?;
        let review_rows: Vec<(String, i32, String, PrimitiveDateTime)> = reviews::table
            .inner_join(listings::table)
            .filter(reviews::consumer_id.eq(uid))
            .select((
                listings::title,
                reviews::rating,
                reviews::body,
                reviews::created_at,
            ))
            .load(conn)?;
        let mut ticket_out = Vec::new();
        for t in tickets::of_requester(conn, uid)? {
            let messages = tickets::messages(conn, t.id, false)?
                .into_iter()
                .map(|m| MessageOut {
                    from: m.partner_name.clone().unwrap_or(m.author_name),
                    text: m.body,
                    at: iso(m.created_at),
                })
                .collect();
            ticket_out.push(TicketOut {
                number: t.number,
                subject: t.subject,
                status: t.status,
                created_at: iso(t.created_at),
                satisfaction_rating: t.satisfaction_rating,
                messages,
            });
        }
        let activity_rows: Vec<(String, String, PrimitiveDateTime)> = activities::table
            .filter(activities::consumer_id.eq(uid))
            .order(activities::id.asc())
            .select((activities::kind, activities::detail, activities::created_at))
            .load(conn)?;
        let session_rows = sessions::for_user(conn, uid)?;
        audit::record(
            conn,
            Some(uid),
            "data_exported",
            &format!("user:{uid}"),
            Some(&ip),
        )?;
        Ok(Export {
            exported_at: iso(crate::models::now()),
            profile: Profile {
                email: user.email,
                display_name: user.display_name,
                language: user.locale,
                email_verified_at: user.email_verified_at.map(iso),
                created_at: iso(user.created_at),
            },
            engagements: engagements_rows
                .into_iter()
                .map(|r| EngagementOut {
                    partner: r.0,
                    listing: r.1,
                    message: r.2,
                    shares_contact_details: r.3,
                    consent_at: r.4.map(iso),
                    consent_withdrawn_at: r.5.map(iso),
                    created_at: iso(r.6),
                })
                .collect(),
            reviews: review_rows
                .into_iter()
                .map(|r| ReviewOut {
                    listing: r.0,
                    rating: r.1,
                    text: r.2,
                    created_at: iso(r.3),
                })
                .collect(),
            tickets: ticket_out,
            activity: activity_rows
                .into_iter()
                .map(|r| ActivityOut {
                    kind: r.0,
                    detail: r.1,
                    at: iso(r.2),
                })
                .collect(),
            sessions: session_rows
                .into_iter()
                .map(|s| SessionOut {
                    browser: s.user_agent,
                    address: s.ip,
                    signed_in_at: iso(s.created_at),
                    last_seen_at: iso(s.last_seen_at),
                })
                .collect(),
        })
    })
    .await?;
    let body = serde_json::to_string_pretty(&data)
        .map_err(|e| AppError::Internal(format!("export: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"agora-my-data.json\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

#[derive(Template)]
#[template(path = "account/delete.html")]
struct DeletePage<'a> {
    ctx: &'a Ctx,
    errors: FormErrors,
}

pub async fn delete_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.require_user()?;
    render(&DeletePage {
        ctx: &ctx,
        errors: FormErrors::new(),
    })
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
    confirm: Option<String>,
}

/// Deletes the account after the password and an explicit confirmation;
/// refused while the person is the last owner of a partner. A confirmation
/// email goes out in the same transaction.
pub async fn delete_submit(
    ctx: Ctx,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let mut errors = FormErrors::new();
    let ok = ctx
        .state
        .hasher
        .verify(form.password.clone(), Some(user.password_hash.clone()))
        .await?;
    if !ok {
        errors.add("password", ctx.t("error-current-password"));
    }
    if form.confirm.is_none() {
        errors.add("confirm", ctx.t("error-delete-confirm"));
    }
    if !errors.is_empty() {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &DeletePage { ctx: &ctx, errors },
        );
    }
    let domain = ctx.state.mail_domain();
    let lang = ctx.lang;
    let ip = ctx.ip.clone();
    let blocked = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            for (p, role) in partners::of_user(conn, user.id)? {
                if Role::parse(&role) == Some(Role::Owner)
                    && partners::count_owners(conn, p.id)? <= 1
                {
                    return Ok::<_, AppError>(Some(p.name));
                }
            }
            let mail = messages::account_deleted(lang, &user.email, &user.display_name)?;
            outbox::enqueue(conn, &domain, &mail)?;
            audit::record(
                conn,
                None,
                "account_deleted",
                &format!("user:{}", user.id),
                Some(&ip),
            )?;
            diesel::delete(crate::schema::users::table.find(user.id)).execute(conn)?;
            Ok(None)
        })
    })
    .await?;
    if let Some(partner) = blocked {
        errors.add(
            "confirm",
            ctx.t1("error-delete-last-owner", "partner", partner),
        );
        return render_status(StatusCode::CONFLICT, &DeletePage { ctx: &ctx, errors });
    }
    ctx.state.mail_wakeup.notify_one();
    ctx.sign_out();
    // The page after is drawn for nobody signed in.
    let mut ctx = ctx;
    ctx.user = None;
    render(&Notice {
        ctx: &ctx,
        title: ctx.t("delete-done-title"),
        text: ctx.t("delete-done-text"),
        link: Some(("/".into(), ctx.t("error-home-link"))),
    })
}
