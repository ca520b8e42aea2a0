//! A consumer's actions on a listing page: request the service (with
//! consent to the partner as a whole), withdraw or give consent, review.
//! A partner's own members are not its customers: they can do neither.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::catalogue::{ListingData, REVIEWS_PER_PAGE, listing_page, load_listing};
use crate::db::{self, write_tx, write_tx_retrying};
use crate::domain::{optional_text, parse_rating, required_text};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::mail::{messages, notify};
use crate::models::{consents, engagements, outbox};
use crate::web::limits::{self, Action, Actor};
use crate::web::paging::PageRequest;
use crate::web::{Ctx, FormErrors, see_other};

#[derive(Deserialize)]
pub struct EngageForm {
    #[serde(default)]
    message: String,
    /// An unticked checkbox sends nothing.
    consent: Option<String>,
}

pub async fn engage(
    ctx: Ctx,
    slug: web::Path<String>,
    form: web::Form<EngageForm>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let d = load_listing(&ctx, &slug, false, PageRequest::first(REVIEWS_PER_PAGE)).await?;
    if d.member {
        return refuse_member(&ctx, &d, &form.message);
    }
    let mut errors = FormErrors::new();
    let Some(message) = errors.check(
        ctx.lang,
        "message",
        optional_text(&form.message, 2000, "error-too-long"),
    ) else {
        return listing_page(
            &ctx,
            &d,
            &form.message,
            None,
            None,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    // Asking again is answered with "already asked" and mails nobody, so
    // only a new request counts on the limit.
    if d.engagement.is_none()
        && let Some(msg) = limits::check(&ctx, Action::Requests, Actor::Account(user.id)).await?
    {
        errors.add("message", msg);
        return listing_page(
            &ctx,
            &d,
            &form.message,
            None,
            None,
            errors,
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let share = form.consent.is_some();
    let (listing, partner) = (d.listing.clone(), d.partner.clone());
    let base = ctx.base_url().to_string();
    let domain = ctx.state.mail_domain();
    let secret = ctx.state.settings.secret.clone();
    let links = ctx.mail_links();
    // Sent twice at once, the second finds the first's request.
    let done = db::run(ctx.pool(), move |conn| {
        write_tx_retrying(conn, |conn| {
            let done = engagements::engage(conn, listing.id, partner.id, user.id, &message, share)?;
            // The consumer's name, address and words only while their
            // consent to this partner stands.
            let shared = done.shares.then_some(messages::SharedRequest {
                name: &user.display_name,
                email: &user.email,
                message: &message,
            });
            if done.created && partner.notify_engagements {
                let lang = partner
                    .applicant_id
                    .map(|id| crate::models::users::by_id(conn, id))
                    .transpose()?
                    .flatten()
                    .and_then(|u| u.locale)
                    .as_deref()
                    .and_then(Lang::from_code)
                    .unwrap_or_default();
                let mail = messages::new_engagement(
                    lang,
                    &partner.contact_email,
                    &listing.title,
                    shared,
                    &format!("{base}/partner/{}/engagements", partner.slug),
                    &super::unsubscribe::engagement_link(&base, &secret, partner.id),
                )?;
                outbox::enqueue(conn, &domain, &mail)?;
            }
            if done.created {
                notify::new_request(conn, &links, &partner, &listing.title, shared)?;
            }
            Ok::<_, AppError>(done)
        })
    })
    .await?;
    if done.created {
        forget_customer_counts(&ctx, d.partner.id);
    }
    ctx.state.mail_wakeup.notify_one();
    ctx.flash(
        "success",
        if done.created {
            "engage-done"
        } else {
            "engage-already"
        },
    );
    Ok(see_other(&format!("/listings/{}", d.listing.slug)))
}

/// A member of the listing's partner asked or reviewed: the listing page
/// again, saying why not.
fn refuse_member(ctx: &Ctx, d: &ListingData, message: &str) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::new();
    errors.add(
        "member",
        ctx.t1("engage-member-refused", "partner", &d.partner.name),
    );
    listing_page(ctx, d, message, None, None, errors, StatusCode::FORBIDDEN)
}

/// The partner's cached customer counts change with a consent: dropped, so
/// the customer list never counts someone who stopped sharing.
fn forget_customer_counts(ctx: &Ctx, partner_id: i64) {
    ctx.state
        .segment_moves
        .forget(&crate::routes::partner::customers::moves_key(partner_id));
    ctx.state
        .figures
        .forget_prefix(&crate::routes::partner::customers::count_key_prefix(
            partner_id,
        ));
}

#[derive(Deserialize)]
pub struct ConsentForm {
    give: String,
    next: Option<String>,
}

/// Gives or withdraws consent for the partner behind the listing; takes
/// effect at once.
pub async fn consent(
    ctx: Ctx,
    slug: web::Path<String>,
    form: web::Form<ConsentForm>,
) -> Result<HttpResponse, AppError> {
    let user_id = ctx.require_user()?.id;
    let d = load_listing(&ctx, &slug, false, PageRequest::first(REVIEWS_PER_PAGE)).await?;
    let give = form.give == "1";
    let partner_id = d.partner.id;
    set_consent(&ctx, user_id, partner_id, give).await?;
    Ok(see_other(&crate::web::safe_next(
        form.next
            .as_deref()
            .or(Some(&format!("/listings/{}", d.listing.slug))),
    )))
}

pub async fn set_consent(
    ctx: &Ctx,
    user_id: i64,
    partner_id: i64,
    give: bool,
) -> Result<(), AppError> {
    let changed = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            Ok::<_, AppError>(consents::set(conn, user_id, partner_id, give)?)
        })
    })
    .await?;
    if changed {
        forget_customer_counts(ctx, partner_id);
        ctx.flash(
            "success",
            if give {
                "consent-given"
            } else {
                "consent-withdrawn"
            },
        );
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    body: String,
}

/// Only consumers who engaged may review, never the partner's own
/// members; one review each, editable.
pub async fn review(
    ctx: Ctx,
    slug: web::Path<String>,
    form: web::Form<ReviewForm>,
) -> Result<HttpResponse, AppError> {
    let user_id = ctx.require_user()?.id;
    let d = load_listing(&ctx, &slug, false, PageRequest::first(REVIEWS_PER_PAGE)).await?;
    if d.member {
        return refuse_member(&ctx, &d, "");
    }
    if d.engagement.is_none() {
        return Err(AppError::Forbidden);
    }
    let mut errors = FormErrors::new();
    let rating = errors.check(ctx.lang, "rating", parse_rating(&form.rating));
    let body = errors.check(
        ctx.lang,
        "body",
        required_text(&form.body, 4000, "error-required", "error-too-long"),
    );
    let (Some(rating), Some(body)) = (rating, body) else {
        return listing_page(
            &ctx,
            &d,
            "",
            Some(form.rating.clone()),
            Some(form.body.clone()),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let (lid, pid) = (d.listing.id, d.partner.id);
    let links = ctx.mail_links();
    // Sent twice at once, the second edits the first's review.
    db::run(ctx.pool(), move |conn| {
        write_tx_retrying(conn, |conn| {
            if let Some(id) = engagements::save_review(conn, lid, pid, user_id, rating, &body)? {
                notify::new_review(conn, &links, pid, id)?;
            }
            Ok::<_, AppError>(())
        })
    })
    .await?;
    ctx.state.mail_wakeup.notify_one();
    ctx.flash("success", "review-saved");
    Ok(see_other(&format!("/listings/{}#reviews", d.listing.slug)))
}
