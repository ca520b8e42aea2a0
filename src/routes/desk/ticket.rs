use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::require_staff;
use crate::db::{self, write_tx};
use crate::domain::required_text;
use crate::domain::sla::SlaState;
use crate::domain::ticket::{Priority, Status};
use crate::error::AppError;
use crate::models::now;
use crate::models::tickets::{self, MessageView, Ticket, Writer};
use crate::support;
use crate::web::ctx::Val;
use crate::web::{Ctx, FormErrors, render_status, see_other};

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    canned: Option<String>,
}

/// What the agent sees besides the thread.
pub struct Context {
    /// The requester and what they asked, reviewed and opened before.
    pub around: tickets::Surroundings,
    /// Agents to assign and canned replies.
    pub menus: std::sync::Arc<super::Menus>,
}

#[derive(Template)]
#[template(path = "desk/ticket.html")]
struct TicketPage<'a> {
    ctx: &'a Ctx,
    t: &'a Ticket,
    thread: Vec<MessageView>,
    c: Context,
    draft: String,
    seen: i64,
    /// Messages that arrived after the agent opened the page.
    collided: Vec<i64>,
    errors: FormErrors,
    statuses: [Status; 5],
    priorities: [Priority; 4],
    first_state: Option<SlaState>,
    resolution_state: Option<SlaState>,
}

impl TicketPage<'_> {
    fn sla_key(&self, s: &Option<SlaState>) -> &'static str {
        match s {
            Some(SlaState::Met) => "sla-met",
            Some(SlaState::Missed) => "sla-missed",
            Some(SlaState::DueSoon) => "sla-due-soon",
            Some(SlaState::Running) => "sla-running",
            Some(SlaState::Paused) => "sla-paused",
            None => "sla-none",
        }
    }
    fn is_new(&self, id: impl Val<i64>) -> bool {
        self.collided.contains(&id.val())
    }
    fn is_assignee(&self, id: impl Val<i64>) -> bool {
        self.t.assignee_id == Some(id.val())
    }
    fn wide(&self, n: impl Val<i32>) -> i64 {
        n.val() as i64
    }
    /// How many requests and reviews the page shows at most.
    fn context_rows(&self) -> i64 {
        tickets::CONTEXT_ROWS as i64
    }
    fn allowed(&self, s: &Status) -> bool {
        self.t.status().can_move_to(*s)
    }
}

async fn load(ctx: &Ctx, number: i64) -> Result<Ticket, AppError> {
    db::read(ctx.pool(), move |conn| {
        tickets::by_number(conn, number)?.ok_or(AppError::NotFound)
    })
    .await
}

/// What the ticket page shows besides the ticket: the thread, the newest
/// message's id (the page was up to date until it), and the context.
type PageData = (Vec<MessageView>, i64, Context);

/// `around`: the ticket's surroundings when they were read with it.
fn read_page(
    state: &crate::web::AppState,
    conn: &mut db::AnyConnection,
    t: &Ticket,
    around: Option<tickets::Surroundings>,
) -> Result<PageData, AppError> {
    let thread = tickets::messages(conn, t.id, true)?;
    // The thread holds every message, internal notes too.
    let seen = thread.iter().map(|m| m.id).max().unwrap_or(0);
    let around = match around {
        Some(a) => Some(a),
        None => tickets::surroundings(conn, t.id)?,
    };
    let around = around.ok_or(AppError::NotFound)?;
    Ok((
        thread,
        seen,
        Context {
            around,
            menus: super::menus(state, conn)?,
        },
    ))
}

async fn page(
    ctx: &Ctx,
    t: &Ticket,
    draft: String,
    collided: Vec<i64>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let tt = t.clone();
    let state = ctx.state.clone();
    let data = db::read(ctx.pool(), move |conn| read_page(&state, conn, &tt, None)).await?;
    render_page(ctx, t, data, draft, collided, errors, status)
}

fn render_page(
    ctx: &Ctx,
    t: &Ticket,
    (thread, seen, c): PageData,
    draft: String,
    collided: Vec<i64>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let n = now();
    render_status(
        status,
        &TicketPage {
            ctx,
            t,
            thread,
            c,
            draft,
            seen,
            collided,
            errors,
            statuses: Status::ALL,
            priorities: Priority::ALL,
            first_state: t.first_response_state(n),
            resolution_state: t.resolution_state(n),
        },
    )
}

/// The ticket page; `?canned=ID` puts that reply, placeholders filled, in
/// the reply box (no JavaScript needed).
/// `/desk/tickets/{number}/mail/{id}`: an email as it was received for
/// the ticket (headers, quoted history and all), as plain text. Staff only.
pub async fn original(ctx: Ctx, path: web::Path<(i64, i64)>) -> Result<HttpResponse, AppError> {
    require_staff(&ctx)?;
    let (number, id) = path.into_inner();
    let t = load(&ctx, number).await?;
    let raw = db::run(ctx.pool(), move |conn| {
        tickets::original_mail(conn, t.id, id)?.ok_or(AppError::NotFound)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Content-Security-Policy", "sandbox; default-src 'none'"))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(raw))
}

pub async fn show(
    ctx: Ctx,
    number: web::Path<i64>,
    q: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    let agent = require_staff(&ctx)?.display_name.clone();
    let number = number.into_inner();
    let canned = q.canned.as_deref().and_then(|c| c.parse::<i64>().ok());
    // The ticket and everything beside it in one trip to the database.
    let state = ctx.state.clone();
    let (t, data, reply) = db::read(ctx.pool(), move |conn| {
        let (t, around) =
            tickets::by_number_with_surroundings(conn, number)?.ok_or(AppError::NotFound)?;
        let around = Some(around.ok_or(AppError::NotFound)?);
        let reply = match canned {
            Some(id) => tickets::canned_by_id(conn, id)?,
            None => None,
        };
        let data = read_page(&state, conn, &t, around)?;
        Ok((t, data, reply))
    })
    .await?;
    let draft = match reply {
        Some(c) => tickets::fill_placeholders(
            &c.body,
            &data.2.around.requester.display_name,
            t.number,
            &agent,
        ),
        None => String::new(),
    };
    render_page(
        &ctx,
        &t,
        data,
        draft,
        Vec::new(),
        FormErrors::new(),
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    seen: String,
    #[serde(default)]
    then: String,
}

pub async fn reply(
    ctx: Ctx,
    number: web::Path<i64>,
    req: actix_web::HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let me = require_staff(&ctx)?.clone();
    let t = load(&ctx, number.into_inner()).await?;
    let rules = ctx.state.settings.attachments.clone();
    let mut sent =
        crate::web::upload::read(&req, payload, &rules, ctx.state.settings.body_timeout).await?;
    let form = ReplyForm {
        body: sent.field("body"),
        kind: sent.field("kind"),
        seen: sent.field("seen"),
        then: sent.field("then"),
    };
    let mut e = FormErrors::new();
    if let Some(refusal) = sent.refusal(ctx.lang) {
        e.add("files", refusal);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return page(&ctx, &t, form.body.clone(), Vec::new(), e, status).await;
    }
    let internal = form.kind == "note";
    let Some(body) = e.check(
        ctx.lang,
        "body",
        required_text(&form.body, 10000, "error-required", "error-too-long"),
    ) else {
        return page(
            &ctx,
            &t,
            form.body.clone(),
            Vec::new(),
            e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let then = match form.then.as_str() {
        "" => None,
        s => Some(Status::parse(s).ok_or(AppError::BadRequest)?),
    };
    // Someone else wrote since the page was opened: show it, keep the draft.
    let seen: i64 = form.seen.parse().unwrap_or(0);
    let (tid, my_id) = (t.id, me.id);
    let newer: Vec<i64> = db::run(ctx.pool(), move |conn| {
        Ok(tickets::messages(conn, tid, true)?
            .into_iter()
            .filter(|m| m.id > seen && m.author_id != Some(my_id))
            .map(|m| m.id)
            .collect())
    })
    .await?;
    if !newer.is_empty() {
        e.add("body", ctx.t("ticket-collision"));
        return page(&ctx, &t, form.body.clone(), newer, e, StatusCode::CONFLICT).await;
    }
    if t.is_closed() && !internal {
        e.add("body", ctx.t("ticket-closed-no-reply"));
        return page(
            &ctx,
            &t,
            form.body.clone(),
            Vec::new(),
            e,
            StatusCode::CONFLICT,
        )
        .await;
    }
    let links = ctx.mail_links();
    let number = t.number;
    let tid = t.id;
    let files = sent.keep(ctx.pool(), &rules).await?;
    let outcome = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let t = tickets::locked(conn, tid)?;
            let cfg = tickets::sla_config(conn)?;
            let writer = Writer::Staff(me.id);
            let Some(mut t) = support::reply(
                conn,
                &links,
                &t,
                &writer,
                &me.display_name,
                &body,
                internal,
                &cfg,
                &files,
            )?
            else {
                return Ok::<_, AppError>(Replied::Closed);
            };
            if let Some(to) = then.filter(|to| *to != t.status()) {
                if !tickets::change_status(conn, &t, to, &cfg)? {
                    return Ok(Replied::StatusRefused);
                }
                t = tickets::by_id(conn, t.id)?;
                if to == Status::Resolved {
                    support::resolved(conn, &links, &t)?;
                }
            }
            Ok(Replied::Done)
        })
    })
    .await?;
    if let Replied::Closed = outcome {
        // Closed meanwhile (by a colleague or the clean-up).
        let t = load(&ctx, number).await?;
        e.add("body", ctx.t("ticket-closed-no-reply"));
        return page(
            &ctx,
            &t,
            form.body.clone(),
            Vec::new(),
            e,
            StatusCode::CONFLICT,
        )
        .await;
    }
    ctx.state.mail_wakeup.notify_one();
    let refused = matches!(outcome, Replied::StatusRefused);
    ctx.flash(
        if refused { "error" } else { "success" },
        if refused {
            "ticket-status-refused"
        } else if internal {
            "ticket-note-added"
        } else {
            "ticket-reply-sent"
        },
    );
    Ok(see_other(&format!("/desk/tickets/{number}")))
}

/// What came of a reply, decided on the ticket as it is inside the write.
enum Replied {
    Done,
    /// A public reply to a ticket closed meanwhile: nothing was written.
    Closed,
    /// The reply went out; the status asked for with it was not allowed.
    StatusRefused,
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    assignee: String,
}

pub async fn assign(
    ctx: Ctx,
    number: web::Path<i64>,
    form: web::Form<AssignForm>,
) -> Result<HttpResponse, AppError> {
    let me = require_staff(&ctx)?.id;
    let t = load(&ctx, number.into_inner()).await?;
    let assignee: Option<i64> = match form.assignee.as_str() {
        "" => None,
        "me" => Some(me),
        s => Some(s.parse().map_err(|_| AppError::BadRequest)?),
    };
    let links = ctx.mail_links();
    let number = t.number;
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let t = tickets::locked(conn, t.id)?;
            if let Some(a) = assignee {
                let staff = tickets::staff(conn)?;
                if !staff.iter().any(|s| s.0 == a) {
                    return Err(AppError::BadRequest);
                }
            }
            // Sent twice: the agent is told once.
            if t.assignee_id == assignee {
                return Ok(());
            }
            tickets::assign(conn, &t, assignee)?;
            if let Some(a) = assignee.filter(|a| *a != me) {
                support::assigned(conn, &links, &t, a)?;
            }
            Ok(())
        })
    })
    .await?;
    ctx.state.mail_wakeup.notify_one();
    ctx.flash("success", "ticket-assigned");
    Ok(see_other(&format!("/desk/tickets/{number}")))
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

pub async fn status(
    ctx: Ctx,
    number: web::Path<i64>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, AppError> {
    require_staff(&ctx)?;
    let t = load(&ctx, number.into_inner()).await?;
    let to = Status::parse(&form.status).ok_or(AppError::BadRequest)?;
    let links = ctx.mail_links();
    let number = t.number;
    let moved = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let t = tickets::locked(conn, t.id)?;
            // Sent twice: the first one did it, and the email went once.
            if t.status() == to {
                return Ok::<_, AppError>(true);
            }
            let cfg = tickets::sla_config(conn)?;
            if !tickets::change_status(conn, &t, to, &cfg)? {
                return Ok(false);
            }
            if to == Status::Resolved {
                let t = tickets::by_id(conn, t.id)?;
                support::resolved(conn, &links, &t)?;
            }
            Ok(true)
        })
    })
    .await?;
    ctx.state.mail_wakeup.notify_one();
    if moved {
        ctx.flash("success", "ticket-status-changed");
    } else {
        ctx.flash("error", "ticket-status-refused");
    }
    Ok(see_other(&format!("/desk/tickets/{number}")))
}

#[derive(Deserialize)]
pub struct PriorityForm {
    priority: String,
}

pub async fn priority(
    ctx: Ctx,
    number: web::Path<i64>,
    form: web::Form<PriorityForm>,
) -> Result<HttpResponse, AppError> {
    require_staff(&ctx)?;
    let t = load(&ctx, number.into_inner()).await?;
    let p = Priority::parse(&form.priority).ok_or(AppError::BadRequest)?;
    let number = t.number;
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let t = tickets::locked(conn, t.id)?;
            let cfg = tickets::sla_config(conn)?;
            tickets::set_priority(conn, &t, p, &cfg)?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    ctx.flash("success", "ticket-priority-changed");
    Ok(see_other(&format!("/desk/tickets/{number}")))
}
