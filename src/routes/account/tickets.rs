//! The consumer's tickets: open one (also from a listing), follow the
//! public thread, reply, rate the help received.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::{self, write_tx};
use crate::domain::ticket::Priority;
use crate::domain::{optional_text, parse_rating, required_text};
use crate::error::AppError;
use crate::models::tickets::{self, MessageView, NewTicket, Ticket, Writer};
use crate::models::{consents, listings};
use crate::support;
use crate::web::limits::{self, Action, Actor};
use crate::web::paging::{PageParams, PageRequest, Pager};
use crate::web::{Ctx, FormErrors, render, render_status, see_other};

pub const PAGE_SIZE: usize = 20;

#[derive(Template)]
#[template(path = "account/tickets.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    tickets: Vec<Ticket>,
    pager: Pager,
}

/// The person's own tickets, newest first, a page at a time.
pub async fn list(ctx: Ctx, params: web::Query<PageParams>) -> Result<HttpResponse, AppError> {
    let id = ctx.require_user()?.id;
    let req = PageRequest::parse(&params, PAGE_SIZE);
    let page = db::run(ctx.pool(), move |conn| {
        Ok(tickets::requester_page(conn, id, &req)?)
    })
    .await?;
    let pager = page.pager("/me/tickets", None);
    render(&ListPage {
        ctx: &ctx,
        tickets: page.items,
        pager,
    })
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    listing: Option<String>,
    follow: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NewForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    listing: String,
}

#[derive(Template)]
#[template(path = "account/ticket_new.html")]
struct NewPage<'a> {
    ctx: &'a Ctx,
    form: &'a NewForm,
    about: Option<About>,
    priorities: [Priority; 4],
    errors: FormErrors,
}

/// The listing a ticket is about, when it is public, and what its partner
/// will see of the person asking.
#[derive(Clone)]
struct About {
    title: String,
    partner: String,
    listing_id: i64,
    partner_id: i64,
    /// The person's consent to the partner stands: the partner sees their
    /// name and email address on the ticket; otherwise "a consumer".
    shares: bool,
}

async fn about(ctx: &Ctx, slug: &str) -> Result<Option<About>, AppError> {
    if slug.is_empty() {
        return Ok(None);
    }
    let slug = slug.to_string();
    let uid = ctx.require_user()?.id;
    db::run(ctx.pool(), move |conn| {
        let Some((l, p, _)) = listings::public_by_slug(conn, &slug)? else {
            return Ok(None);
        };
        Ok(Some(About {
            shares: consents::stands(conn, p.id, uid)?,
            title: l.title,
            partner: p.name,
            listing_id: l.id,
            partner_id: p.id,
        }))
    })
    .await
}

pub async fn new_form(ctx: Ctx, q: web::Query<NewQuery>) -> Result<HttpResponse, AppError> {
    ctx.require_user()?;
    let listing = q.listing.clone().unwrap_or_default();
    let found = about(&ctx, &listing).await?;
    let subject = match q.follow.as_deref().and_then(|n| n.parse::<i64>().ok()) {
        Some(n) => ctx.t1("ticket-follow-up-subject", "number", n),
        None => String::new(),
    };
    let form = NewForm {
        subject,
        priority: Priority::Normal.as_str().to_string(),
        listing: if found.is_some() {
            listing
        } else {
            String::new()
        },
        ..NewForm::default()
    };
    render(&NewPage {
        ctx: &ctx,
        form: &form,
        about: found,
        priorities: Priority::ALL,
        errors: FormErrors::new(),
    })
}

pub async fn create(ctx: Ctx, form: web::Form<NewForm>) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let found = about(&ctx, &form.listing).await?;
    let mut e = FormErrors::new();
    let subject = e.check(
        ctx.lang,
        "subject",
        required_text(&form.subject, 200, "error-required", "error-too-long"),
    );
    let message = e.check(
        ctx.lang,
        "message",
        required_text(&form.message, 10000, "error-required", "error-too-long"),
    );
    let priority = Priority::parse(&form.priority);
    if priority.is_none() {
        e.add("priority", ctx.t("error-priority-invalid"));
    }
    let status = if e.is_empty() {
        match limits::check(&ctx, Action::Tickets, Actor::Account(user.id)).await? {
            Some(msg) => {
                e.add("message", msg);
                StatusCode::TOO_MANY_REQUESTS
            }
            None => StatusCode::OK,
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (Some(subject), Some(message), Some(priority), true) =
        (subject, message, priority, e.is_empty())
    else {
        return render_status(
            status,
            &NewPage {
                ctx: &ctx,
                form: &form,
                about: found,
                priorities: Priority::ALL,
                errors: e,
            },
        );
    };
    let links = ctx.mail_links();
    let t = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let cfg = tickets::sla_config(conn)?;
            let t = tickets::create(
                conn,
                &NewTicket {
                    requester_id: user.id,
                    partner_id: found.as_ref().map(|f| f.partner_id),
                    listing_id: found.as_ref().map(|f| f.listing_id),
                    subject: &subject,
                    body: &message,
                    priority,
                },
                &cfg,
            )?;
            support::ticket_opened(conn, &links, &t)?;
            Ok::<_, AppError>(t)
        })
    })
    .await?;
    ctx.state.mail_wakeup.notify_one();
    ctx.flash_text("success", ctx.t1("ticket-opened", "number", t.number));
    Ok(see_other(&format!("/me/tickets/{}", t.number)))
}

#[derive(Template)]
#[template(path = "account/ticket.html")]
struct ShowPage<'a> {
    ctx: &'a Ctx,
    t: &'a Ticket,
    thread: Vec<MessageView>,
    draft: &'a str,
    comment: &'a str,
    errors: FormErrors,
}

/// The requester's own ticket; anyone else's is a 404.
async fn own(ctx: &Ctx, number: i64) -> Result<Ticket, AppError> {
    let uid = ctx.require_user()?.id;
    db::run(ctx.pool(), move |conn| {
        tickets::by_number(conn, number)?
            .filter(|t| t.requester_id == uid)
            .ok_or(AppError::NotFound)
    })
    .await
}

impl ShowPage<'_> {
    fn rated(&self, n: impl crate::web::ctx::Val<i32>) -> bool {
        self.t.satisfaction_rating == Some(n.val())
    }
}

async fn show_page(
    ctx: &Ctx,
    t: &Ticket,
    draft: &str,
    comment: &str,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let id = t.id;
    let thread = db::run(ctx.pool(), move |conn| {
        Ok(tickets::messages(conn, id, false)?)
    })
    .await?;
    render_status(
        status,
        &ShowPage {
            ctx,
            t,
            thread,
            draft,
            comment,
            errors,
        },
    )
}

pub async fn show(ctx: Ctx, number: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let t = own(&ctx, number.into_inner()).await?;
    show_page(&ctx, &t, "", "", FormErrors::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
}

pub async fn reply(
    ctx: Ctx,
    number: web::Path<i64>,
    req: actix_web::HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let t = own(&ctx, number.into_inner()).await?;
    let user = ctx.require_user()?.clone();
    let rules = ctx.state.settings.attachments.clone();
    let mut sent =
        crate::web::upload::read(&req, payload, &rules, ctx.state.settings.body_timeout).await?;
    let form = ReplyForm {
        body: sent.field("body"),
    };
    let mut e = FormErrors::new();
    if let Some(refusal) = sent.refusal(ctx.lang) {
        e.add("files", refusal);
        return show_page(
            &ctx,
            &t,
            &form.body,
            "",
            e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let Some(body) = e.check(
        ctx.lang,
        "body",
        required_text(&form.body, 10000, "error-required", "error-too-long"),
    ) else {
        return show_page(
            &ctx,
            &t,
            &form.body,
            "",
            e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if t.is_closed() {
        e.add("body", ctx.t("ticket-closed-no-reply"));
        return show_page(&ctx, &t, &form.body, "", e, StatusCode::CONFLICT).await;
    }
    if let Some(msg) = limits::check(&ctx, Action::Replies, Actor::Account(user.id)).await? {
        e.add("body", msg);
        return show_page(&ctx, &t, &form.body, "", e, StatusCode::TOO_MANY_REQUESTS).await;
    }
    let links = ctx.mail_links();
    let (number, tid) = (t.number, t.id);
    let files = sent.keep(ctx.pool(), &rules).await?;
    let sent = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let t = tickets::locked(conn, tid)?;
            let cfg = tickets::sla_config(conn)?;
            let writer = Writer::Requester(user.id);
            let sent = support::reply(
                conn,
                &links,
                &t,
                &writer,
                &user.display_name,
                &body,
                false,
                &cfg,
                &files,
            )?;
            Ok::<_, AppError>(sent.is_some())
        })
    })
    .await?;
    if !sent {
        // Closed meanwhile (the clean-up, or the desk): the draft stays.
        let t = own(&ctx, number).await?;
        e.add("body", ctx.t("ticket-closed-no-reply"));
        return show_page(&ctx, &t, &form.body, "", e, StatusCode::CONFLICT).await;
    }
    ctx.state.mail_wakeup.notify_one();
    ctx.flash("success", "ticket-reply-sent");
    Ok(see_other(&format!("/me/tickets/{number}")))
}

#[derive(Deserialize)]
pub struct RateForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

/// The survey on the ticket page, for a resolved ticket.
pub async fn rate(
    ctx: Ctx,
    number: web::Path<i64>,
    form: web::Form<RateForm>,
) -> Result<HttpResponse, AppError> {
    let t = own(&ctx, number.into_inner()).await?;
    let mut e = FormErrors::new();
    let rating = e.check(ctx.lang, "rating", parse_rating(&form.rating));
    let comment = e.check(
        ctx.lang,
        "comment",
        optional_text(&form.comment, 2000, "error-too-long"),
    );
    let (Some(rating), Some(comment)) = (rating, comment) else {
        return show_page(
            &ctx,
            &t,
            "",
            &form.comment,
            e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let number = t.number;
    let ok = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let t = tickets::locked(conn, t.id)?;
            Ok::<_, AppError>(tickets::rate(conn, &t, rating, Some(&comment))?)
        })
    })
    .await?;
    ctx.flash(
        if ok { "success" } else { "error" },
        if ok { "survey-thanks" } else { "survey-closed" },
    );
    Ok(see_other(&format!("/me/tickets/{number}")))
}
