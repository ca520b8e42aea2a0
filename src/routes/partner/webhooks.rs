//! `/partner/{slug}/webhooks`: the partner's webhook endpoints. Owners and
//! admins add them (an https address, a description, the events), see the
//! signing secret once, change, rotate, turn off and on, delete them, and
//! read each endpoint's delivery log, where a delivery may be sent again.
//! Adding and deleting an endpoint is mailed to the owners and admins;
//! every change is audited.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Access, access};
use crate::db::{self, write_tx};
use crate::error::AppError;
use crate::mail::messages;
use crate::models::webhooks::{self, Attempt, Delivery, Endpoint, MAX_ENDPOINTS, PAGE_SIZE};
use crate::models::{audit, partners};
use crate::web::paging::{PageParams, PageRequest, Pager};
use crate::web::{Ctx, FormErrors, render, render_status, see_other};
use crate::webhooks::{EventType, guard};

/// Deliveries a partner may send again per hour.
pub const RESENDS_PER_HOUR: i64 = 60;

/// What the endpoint form holds.
struct Form {
    url: String,
    description: String,
    events: Vec<EventType>,
}

impl Form {
    fn empty() -> Form {
        Form {
            url: String::new(),
            description: String::new(),
            events: Vec::new(),
        }
    }

    fn of(e: &Endpoint) -> Form {
        Form {
            url: e.url.clone(),
            description: e.description.clone(),
            events: e.event_list(),
        }
    }

    fn read(fields: &[(String, String)]) -> Form {
        let field = |k: &str| {
            fields
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        Form {
            url: field("url"),
            description: field("description"),
            events: EventType::ALL
                .into_iter()
                .filter(|e| fields.iter().any(|(n, v)| n == "event" && v == e.as_str()))
                .collect(),
        }
    }

    /// Checks the form; the address is resolved and every address it has
    /// checked (see `webhooks::guard`).
    async fn check(&self, ctx: &Ctx) -> FormErrors {
        let mut e = FormErrors::new();
        let allow = ctx.state.settings.webhooks.allow_loopback_http;
        if self.url.is_empty() {
            e.add("url", ctx.t("error-required"));
        } else if let Err(r) = guard::check(&self.url, allow).await {
            e.add("url", ctx.t(r.message_key()));
        }
        if self.description.chars().count() > 200 {
            e.add("description", ctx.t("error-too-long"));
        }
        if self.events.is_empty() {
            e.add("event", ctx.t("webhooks-error-events"));
        }
        e
    }
}

#[derive(Template)]
#[template(path = "partner/webhooks.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    endpoints: Vec<Endpoint>,
    pager: Pager,
    all_events: [EventType; 8],
    form: &'a Form,
    errors: FormErrors,
}

impl ListPage<'_> {
    fn chose(&self, e: &EventType) -> bool {
        self.form.events.contains(e)
    }
}

async fn list_page(
    ctx: &Ctx,
    a: &Access,
    req: PageRequest,
    form: &Form,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let pid = a.partner.id;
    let endpoints = db::run(ctx.pool(), move |conn| Ok(webhooks::page(conn, pid, &req)?)).await?;
    let pager = endpoints.pager(&format!("{}/webhooks", a.base()), None);
    render_status(
        status,
        &ListPage {
            ctx,
            a,
            endpoints: endpoints.items,
            pager,
            all_events: EventType::ALL,
            form,
            errors,
        },
    )
}

pub async fn index(
    ctx: Ctx,
    slug: web::Path<String>,
    p: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let req = PageRequest::parse(&p, PAGE_SIZE);
    list_page(
        &ctx,
        &a,
        req,
        &Form::empty(),
        FormErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// Tells the partner's owners and admins that an endpoint was added or
/// deleted.
fn notify(
    conn: &mut crate::db::AnyConnection,
    domain: &str,
    partner: &partners::Partner,
    subject_key: &str,
    url: &str,
    by: &str,
    link: &str,
) -> Result<(), AppError> {
    crate::mail::to_managers(conn, domain, partner.id, |lang, email| {
        messages::webhook_changed(lang, email, subject_key, &partner.name, url, by, link)
    })
}

pub async fn create(
    ctx: Ctx,
    slug: web::Path<String>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let user = ctx.require_user()?.clone();
    let form = Form::read(&fields);
    let mut errors = form.check(&ctx).await;
    let pid = a.partner.id;
    if errors.is_empty()
        && db::run(ctx.pool(), move |conn| Ok(webhooks::count(conn, pid)?)).await? >= MAX_ENDPOINTS
    {
        errors.add(
            "url",
            ctx.tn("webhooks-error-too-many", "count", MAX_ENDPOINTS),
        );
    }
    if !errors.is_empty() {
        let first = PageRequest::first(PAGE_SIZE);
        return list_page(
            &ctx,
            &a,
            first,
            &form,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let (partner, ip, domain) = (a.partner.clone(), ctx.ip.clone(), ctx.state.mail_domain());
    let base = format!("{}{}/webhooks", ctx.base_url(), a.base());
    let (url, description, events) = (form.url.clone(), form.description.clone(), form.events);
    let (id, secret) = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            // Counted again where it is written: two forms at once make
            // one endpoint too many at most for one of them.
            partners::lock_team(conn, partner.id)?;
            if webhooks::count(conn, partner.id)? >= MAX_ENDPOINTS {
                return Err(AppError::BadRequest);
            }
            let (id, secret) =
                webhooks::create(conn, partner.id, &url, &description, &events, user.id)?;
            audit::record(
                conn,
                Some(user.id),
                "webhook_created",
                &format!("partner:{}:webhook:{id}", partner.id),
                Some(&ip),
            )?;
            notify(
                conn,
                &domain,
                &partner,
                "mail-webhook-created-subject",
                &url,
                &user.display_name,
                &format!("{base}/{id}"),
            )?;
            Ok::<_, AppError>((id, secret))
        })
    })
    .await?;
    ctx.state.mail_wakeup.notify_one();
    ctx.flash("success", "webhooks-created");
    endpoint_page(
        &ctx,
        &a,
        id,
        PageRequest::first(PAGE_SIZE),
        None,
        Some(&secret),
        StatusCode::OK,
    )
    .await
}

#[derive(Template)]
#[template(path = "partner/webhook.html")]
struct EndpointPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    endpoint: Endpoint,
    deliveries: Vec<Delivery>,
    pager: Pager,
    all_events: [EventType; 8],
    form: Form,
    errors: FormErrors,
    /// A secret just made (a new endpoint, a rotation), shown this once.
    secret: Option<&'a str>,
    now: time::PrimitiveDateTime,
}

impl EndpointPage<'_> {
    fn chose(&self, e: &EventType) -> bool {
        self.form.events.contains(e)
    }
}

async fn load_endpoint(ctx: &Ctx, a: &Access, id: i64) -> Result<Endpoint, AppError> {
    let pid = a.partner.id;
    db::run(ctx.pool(), move |conn| {
        webhooks::find(conn, pid, id)?.ok_or(AppError::NotFound)
    })
    .await
}

/// The endpoint's page; `shown` is the form as sent when it needs mending.
async fn endpoint_page(
    ctx: &Ctx,
    a: &Access,
    id: i64,
    req: PageRequest,
    shown: Option<(Form, FormErrors)>,
    secret: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let pid = a.partner.id;
    let (endpoint, deliveries) = db::run(ctx.pool(), move |conn| {
        let e = webhooks::find(conn, pid, id)?.ok_or(AppError::NotFound)?;
        let d = webhooks::deliveries_page(conn, e.id, &req)?;
        Ok((e, d))
    })
    .await?;
    let pager = deliveries.pager(&format!("{}/webhooks/{id}", a.base()), None);
    let (form, errors) = shown.unwrap_or_else(|| (Form::of(&endpoint), FormErrors::new()));
    render_status(
        status,
        &EndpointPage {
            ctx,
            a,
            endpoint,
            deliveries: deliveries.items,
            pager,
            all_events: EventType::ALL,
            form,
            errors,
            secret,
            now: crate::models::now(),
        },
    )
}

pub async fn show(
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    p: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let req = PageRequest::parse(&p, PAGE_SIZE);
    endpoint_page(&ctx, &a, id, req, None, None, StatusCode::OK).await
}

pub async fn update(
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let user = ctx.require_user()?.clone();
    load_endpoint(&ctx, &a, id).await?;
    let form = Form::read(&fields);
    let errors = form.check(&ctx).await;
    if !errors.is_empty() {
        let first = PageRequest::first(PAGE_SIZE);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return endpoint_page(&ctx, &a, id, first, Some((form, errors)), None, status).await;
    }
    let (pid, ip) = (a.partner.id, ctx.ip.clone());
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            if !webhooks::update(conn, pid, id, &form.url, &form.description, &form.events)? {
                return Err(AppError::NotFound);
            }
            audit::record(
                conn,
                Some(user.id),
                "webhook_updated",
                &format!("partner:{pid}:webhook:{id}"),
                Some(&ip),
            )?;
            Ok(())
        })
    })
    .await?;
    ctx.flash("success", "webhooks-saved");
    Ok(see_other(&format!("{}/webhooks/{id}", a.base())))
}

pub async fn rotate(ctx: Ctx, path: web::Path<(String, i64)>) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let user = ctx.require_user()?.clone();
    let (pid, ip) = (a.partner.id, ctx.ip.clone());
    let secret = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let secret = webhooks::rotate(conn, pid, id)?.ok_or(AppError::NotFound)?;
            audit::record(
                conn,
                Some(user.id),
                "webhook_secret_rotated",
                &format!("partner:{pid}:webhook:{id}"),
                Some(&ip),
            )?;
            Ok(secret)
        })
    })
    .await?;
    ctx.flash("success", "webhooks-rotated");
    let first = PageRequest::first(PAGE_SIZE);
    endpoint_page(&ctx, &a, id, first, None, Some(&secret), StatusCode::OK).await
}

async fn switch(
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    on: bool,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let user = ctx.require_user()?.clone();
    let (pid, ip) = (a.partner.id, ctx.ip.clone());
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            webhooks::find(conn, pid, id)?.ok_or(AppError::NotFound)?;
            let reason = (!on).then_some("by_member");
            if webhooks::set_enabled(conn, pid, id, on, reason)? {
                let action = if on {
                    "webhook_enabled"
                } else {
                    "webhook_disabled"
                };
                audit::record(
                    conn,
                    Some(user.id),
                    action,
                    &format!("partner:{pid}:webhook:{id}"),
                    Some(&ip),
                )?;
            }
            Ok(())
        })
    })
    .await?;
    ctx.flash(
        "success",
        if on {
            "webhooks-enabled"
        } else {
            "webhooks-disabled"
        },
    );
    Ok(see_other(&format!("{}/webhooks/{id}", a.base())))
}

pub async fn enable(ctx: Ctx, path: web::Path<(String, i64)>) -> Result<HttpResponse, AppError> {
    switch(ctx, path, true).await
}

pub async fn disable(ctx: Ctx, path: web::Path<(String, i64)>) -> Result<HttpResponse, AppError> {
    switch(ctx, path, false).await
}

pub async fn delete(ctx: Ctx, path: web::Path<(String, i64)>) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let user = ctx.require_user()?.clone();
    let (partner, ip, domain) = (a.partner.clone(), ctx.ip.clone(), ctx.state.mail_domain());
    let link = format!("{}{}/webhooks", ctx.base_url(), a.base());
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let e = webhooks::find(conn, partner.id, id)?.ok_or(AppError::NotFound)?;
            webhooks::delete(conn, partner.id, id)?;
            audit::record(
                conn,
                Some(user.id),
                "webhook_deleted",
                &format!("partner:{}:webhook:{id}", partner.id),
                Some(&ip),
            )?;
            notify(
                conn,
                &domain,
                &partner,
                "mail-webhook-deleted-subject",
                &e.url,
                &user.display_name,
                &link,
            )
        })
    })
    .await?;
    ctx.state.mail_wakeup.notify_one();
    ctx.flash("success", "webhooks-deleted");
    Ok(see_other(&format!("{}/webhooks", a.base())))
}

#[derive(Template)]
#[template(path = "partner/webhook_delivery.html")]
struct DeliveryPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    endpoint: Endpoint,
    delivery: Delivery,
    attempts: Vec<Attempt>,
    /// The body, indented for reading.
    pretty: String,
}

pub async fn delivery(
    ctx: Ctx,
    path: web::Path<(String, i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id, did) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let pid = a.partner.id;
    let (endpoint, delivery, attempts) = db::run(ctx.pool(), move |conn| {
        let e = webhooks::find(conn, pid, id)?.ok_or(AppError::NotFound)?;
        let found = webhooks::delivery(conn, e.id, did)?.ok_or(AppError::NotFound)?;
        // Consent checked as the page is drawn, not only when it changed.
        if found.customer_id.is_some() {
            write_tx(conn, |conn| webhooks::redact_lapsed(conn, &[found.id]))?;
        }
        let d = webhooks::delivery(conn, e.id, did)?.ok_or(AppError::NotFound)?;
        let tries = webhooks::attempts(conn, d.id)?;
        Ok((e, d, tries))
    })
    .await?;
    let pretty = serde_json::from_str::<serde_json::Value>(&delivery.payload)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| delivery.payload.clone());
    render(&DeliveryPage {
        ctx: &ctx,
        a: &a,
        endpoint,
        delivery,
        attempts,
        pretty,
    })
}

pub async fn resend(
    ctx: Ctx,
    path: web::Path<(String, i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id, did) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let user = ctx.require_user()?.clone();
    let (pid, ip) = (a.partner.id, ctx.ip.clone());
    // Sending again is limited per partner, so that it cannot be used to
    // hammer an address.
    let key = crate::models::throttle::Key {
        action: "webhook_resend",
        subject: format!("partner:{pid}"),
        rule: crate::config::Rule {
            limit: RESENDS_PER_HOUR,
            window: std::time::Duration::from_secs(3600),
        },
    };
    let limited = db::run(ctx.pool(), move |conn| {
        Ok(crate::models::throttle::take(conn, &[key])?)
    })
    .await?;
    if let Some(wait) = limited {
        ctx.flash_text(
            "error",
            ctx.t1(
                "webhooks-resend-limited",
                "wait",
                crate::web::limits::wait_text(ctx.lang, wait),
            ),
        );
        return Ok(see_other(&format!(
            "{}/webhooks/{id}/deliveries/{did}",
            a.base()
        )));
    }
    let new_id = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let e = webhooks::find(conn, pid, id)?.ok_or(AppError::NotFound)?;
            let d = webhooks::delivery(conn, e.id, did)?.ok_or(AppError::NotFound)?;
            let new_id = webhooks::resend(conn, &d)?;
            audit::record(
                conn,
                Some(user.id),
                "webhook_resent",
                &format!("partner:{pid}:webhook:{id}:delivery:{did}"),
                Some(&ip),
            )?;
            Ok(new_id)
        })
    })
    .await?;
    ctx.state.webhook_wakeup.notify_one();
    ctx.flash("success", "webhooks-resent");
    Ok(see_other(&format!(
        "{}/webhooks/{id}/deliveries/{new_id}",
        a.base()
    )))
}
