use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::require_admin;
use crate::db::{self, write_tx};
use crate::domain::{optional_text, required_text, slugify};
use crate::error::AppError;
use crate::models::engagements::{self, Review};
use crate::models::listings::{self, Category};
use crate::models::{audit, catalogue};
use crate::web::paging::{PageParams, PageRequest, Pager};
use crate::web::{Ctx, FormErrors, render, render_status, see_other};

#[derive(Template)]
#[template(path = "admin/categories.html")]
struct CategoriesPage<'a> {
    ctx: &'a Ctx,
    categories: Vec<Category>,
    new_name: &'a str,
    errors: FormErrors,
}

async fn categories_page(
    ctx: &Ctx,
    name: &str,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let categories = db::run(ctx.pool(), |conn| Ok(listings::categories(conn)?)).await?;
    render_status(
        status,
        &CategoriesPage {
            ctx,
            categories,
            new_name: name,
            errors,
        },
    )
}

pub async fn categories(ctx: Ctx) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    categories_page(&ctx, "", FormErrors::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    name: String,
}

pub async fn create_category(
    ctx: Ctx,
    form: web::Form<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    let mut errors = FormErrors::new();
    let name = errors.check(
        ctx.lang,
        "name",
        required_text(&form.name, 60, "error-required", "error-too-long"),
    );
    let slug = name.as_deref().map(slugify).unwrap_or_default();
    if name.is_some() && slug.is_empty() {
        errors.add("name", ctx.t("error-category-name"));
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return categories_page(&ctx, &form.name, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let s = slug.clone();
    let created = db::run(ctx.pool(), move |conn| {
        db::write_tx_retrying(conn, |conn| {
            if listings::category_slug_taken(conn, &s)? {
                return Ok::<_, AppError>(false);
            }
            catalogue::insert_category(conn, &name, &s)?;
            Ok(true)
        })
    })
    .await?;
    if !created {
        errors.add("name", ctx.t("error-category-exists"));
        return categories_page(&ctx, &form.name, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    ctx.state.categories.clear();
    ctx.flash("success", "category-saved");
    Ok(see_other("/admin/categories"))
}

pub async fn rename_category(
    ctx: Ctx,
    id: web::Path<i64>,
    form: web::Form<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    let id = id.into_inner();
    match required_text(&form.name, 60, "error-required", "error-too-long") {
        Ok(name) => {
            let n = db::run(ctx.pool(), move |conn| {
                Ok(listings::rename_category(conn, id, &name)?)
            })
            .await?;
            if n == 0 {
                return Err(AppError::NotFound);
            }
            ctx.state.categories.clear();
            ctx.flash("success", "category-saved");
            Ok(see_other("/admin/categories"))
        }
        Err(key) => {
            let mut errors = FormErrors::new();
            errors.add("name", ctx.t(key));
            categories_page(&ctx, "", errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub async fn delete_category(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    let id = id.into_inner();
    let deleted = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            if listings::category_in_use(conn, id)? {
                return Ok::<_, AppError>(false);
            }
            if listings::delete_category(conn, id)? == 0 {
                return Err(AppError::NotFound);
            }
            Ok(true)
        })
    })
    .await?;
    ctx.state.categories.clear();
    ctx.flash(
        if deleted { "success" } else { "error" },
        if deleted {
            "category-deleted"
        } else {
            "category-in-use"
        },
    );
    Ok(see_other("/admin/categories"))
}

pub const REVIEWS_PER_PAGE: usize = 25;
pub const LISTINGS_PER_PAGE: usize = 50;

#[derive(Deserialize, Default)]
pub struct ModerationQuery {
    /// `hidden`, `visible`, or anything else for every review.
    #[serde(default)]
    show: String,
    page: Option<String>,
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/moderation.html")]
struct ModerationPage<'a> {
    ctx: &'a Ctx,
    rows: Vec<(Review, String, String)>,
    show: &'a str,
    pager: Pager,
}

/// Every review, newest first; `?show=hidden` or `?show=visible` narrows.
pub async fn moderation(
    ctx: Ctx,
    q: web::Query<ModerationQuery>,
) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    let (show, hidden) = match q.show.as_str() {
        "hidden" => ("hidden", Some(true)),
        "visible" => ("visible", Some(false)),
        _ => ("", None),
    };
    let req = PageRequest::parse(
        &PageParams {
            page: q.page.clone(),
            after: q.after.clone(),
        },
        REVIEWS_PER_PAGE,
    );
    let page = db::read(ctx.pool(), move |conn| {
        Ok(engagements::all_reviews(conn, hidden, &req)?)
    })
    .await?;
    let base = if show.is_empty() {
        "/admin/moderation".to_string()
    } else {
        format!("/admin/moderation?show={show}")
    };
    render(&ModerationPage {
        ctx: &ctx,
        pager: page.pager(&base, None),
        rows: page.items,
        show,
    })
}

#[derive(Deserialize)]
pub struct ModerateForm {
    action: String,
    #[serde(default)]
    reason: String,
}

/// Hides a review with a reason, or shows it again.
pub async fn moderate(
    ctx: Ctx,
    id: web::Path<i64>,
    form: web::Form<ModerateForm>,
) -> Result<HttpResponse, AppError> {
    let admin_id = require_admin(&ctx)?.id;
    let id = id.into_inner();
    let reason = match form.action.as_str() {
        "hide" => match optional_text(&form.reason, 500, "error-too-long") {
            Ok(r) if !r.is_empty() => Some(r),
            Ok(_) => {
                ctx.flash("error", "error-reason-required");
                return Ok(see_other("/admin/moderation"));
            }
            Err(key) => {
                ctx.flash("error", key);
                return Ok(see_other("/admin/moderation"));
            }
        },
        "unhide" => None,
        _ => return Err(AppError::BadRequest),
    };
    let ip = ctx.ip.clone();
    let action = form.action.clone();
    let n = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let n = engagements::set_hidden(conn, id, reason.as_deref())?;
            audit::record(
                conn,
                Some(admin_id),
                &format!("review_{action}"),
                &format!("review:{id}"),
                Some(&ip),
            )?;
            Ok::<_, AppError>(n)
        })
    })
    .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    ctx.flash("success", "review-moderated");
    Ok(see_other("/admin/moderation"))
}

#[derive(Template)]
#[template(path = "admin/listings.html")]
struct ListingsPage<'a> {
    ctx: &'a Ctx,
    rows: Vec<(listings::Listing, String, String)>,
    pager: Pager,
}

/// Published listings, newest first, a page at a time.
pub async fn listings_page(
    ctx: Ctx,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    let req = PageRequest::parse(&params, LISTINGS_PER_PAGE);
    let page = db::run(ctx.pool(), move |conn| {
        Ok(listings::published_for_moderation(conn, &req)?)
    })
    .await?;
    render(&ListingsPage {
        ctx: &ctx,
        pager: page.pager("/admin/listings", None),
        rows: page.items,
    })
}

#[derive(Deserialize)]
pub struct TakedownForm {
    #[serde(default)]
    reason: String,
}

/// Takes a published listing off the catalogue (archived) with a reason
/// the partner is told by email.
pub async fn take_down(
    ctx: Ctx,
    id: web::Path<i64>,
    form: web::Form<TakedownForm>,
) -> Result<HttpResponse, AppError> {
    let admin_id = require_admin(&ctx)?.id;
    let id = id.into_inner();
    let reason = match optional_text(&form.reason, 1000, "error-too-long") {
        Ok(r) if !r.is_empty() => r,
        Ok(_) => {
            ctx.flash("error", "error-reason-required");
            return Ok(see_other("/admin/listings"));
        }
        Err(key) => {
            ctx.flash("error", key);
            return Ok(see_other("/admin/listings"));
        }
    };
    let (ip, base, domain) = (
        ctx.ip.clone(),
        ctx.base_url().to_string(),
        ctx.state.mail_domain(),
    );
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let l = listings::by_id(conn, id)?.ok_or(AppError::NotFound)?;
            if !listings::set_status(conn, &l, listings::ARCHIVED)? {
                return Err(AppError::NotFound);
            }
            let p =
                crate::models::partners::by_id(conn, l.partner_id)?.ok_or(AppError::NotFound)?;
            let mail = crate::mail::messages::listing_taken_down(
                crate::i18n::Lang::En,
                &p.contact_email,
                &l.title,
                &reason,
                &format!("{base}/partner/{}/listings/{}", p.slug, l.id),
            )?;
            crate::models::outbox::enqueue(conn, &domain, &mail)?;
            audit::record(
                conn,
                Some(admin_id),
                "listing_taken_down",
                &format!("listing:{id}"),
                Some(&ip),
            )?;
            Ok(())
        })
    })
    .await?;
    ctx.state.mail_wakeup.notify_one();
    ctx.flash("success", "admin-listing-taken-down");
    Ok(see_other("/admin/listings"))
}
