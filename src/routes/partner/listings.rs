use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{Access, access, access_and};
use crate::db::{self, write_tx, write_tx_retrying};
use crate::domain::{markdown, optional_text, parse_slug, required_text};
use crate::error::AppError;
use crate::models::listings::{self, Category, Listing, ListingInput};
use crate::models::search;
use crate::web::paging::{PageParams, PageRequest, Pager};
use crate::web::{Ctx, FormErrors, render, render_status, see_other};

#[derive(Template)]
#[template(path = "partner/listings.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    listings: Vec<Listing>,
    pager: Pager,
}

pub async fn index(
    ctx: Ctx,
    slug: web::Path<String>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let req = PageRequest::parse(&page, super::crm::PAGE_SIZE);
    let (a, list) = access_and(&ctx, &slug, db::Plans::Auto, move |conn, a| {
        Ok(listings::page_of_partner(conn, a.partner.id, &req)?)
    })
    .await?;
    let pager = list.pager(&format!("{}/listings", a.base()), None);
    render(&ListPage {
        ctx: &ctx,
        a: &a,
        listings: list.items,
        pager,
    })
}

#[derive(Deserialize, Default, Clone)]
pub struct ListingForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub category_id: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub price_text: String,
    #[serde(default)]
    pub action: String,
}

impl ListingForm {
    pub fn from_listing(l: &Listing) -> ListingForm {
        ListingForm {
            title: l.title.clone(),
            slug: l.slug.clone(),
            category_id: l.category_id.map(|c| c.to_string()).unwrap_or_default(),
            summary: l.summary.clone(),
            body: l.body.clone(),
            price_text: l.price_text.clone(),
            action: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "partner/listing_form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    listing: Option<&'a Listing>,
    form: &'a ListingForm,
    categories: Vec<Category>,
    errors: FormErrors,
    preview: Option<String>,
}

impl FormPage<'_> {
    fn action(&self) -> String {
        match self.listing {
            Some(l) => format!("{}/listings/{}", self.a.base(), l.id),
            None => format!("{}/listings/new", self.a.base()),
        }
    }
}

pub async fn new_form(ctx: Ctx, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    let categories = db::run(ctx.pool(), |conn| Ok(listings::categories(conn)?)).await?;
    render(&FormPage {
        ctx: &ctx,
        a: &a,
        listing: None,
        form: &ListingForm::default(),
        categories,
        errors: FormErrors::new(),
        preview: None,
    })
}

/// A listing's fields, checked.
pub struct Valid {
    title: String,
    slug: Option<String>,
    category_id: Option<i64>,
    summary: String,
    body: String,
    price_text: String,
}

/// Checks a listing's fields (as the form and the API send them); messages
/// in `lang`.
pub fn validate(
    lang: crate::i18n::Lang,
    form: &ListingForm,
    categories: &[Category],
    e: &mut FormErrors,
) -> Option<Valid> {
    let title = e.check(
        lang,
        "title",
        required_text(&form.title, 120, "error-required", "error-too-long"),
    );
    let slug = if form.slug.trim().is_empty() {
        Some(None)
    } else {
        e.check(lang, "slug", parse_slug(&form.slug)).map(Some)
    };
    let category_id = match form.category_id.trim() {
        "" => Some(None),
        raw => match raw
            .parse::<i64>()
            .ok()
            .filter(|id| categories.iter().any(|c| c.id == *id))
        {
            Some(id) => Some(Some(id)),
            None => {
                e.add("category_id", lang.t("error-category-invalid"));
                None
            }
        },
    };
    let summary = e.check(
        lang,
        "summary",
        required_text(&form.summary, 300, "error-required", "error-too-long"),
    );
    let body = e.check(
        lang,
        "body",
        optional_text(&form.body, 20000, "error-too-long"),
    );
    let price_text = e.check(
        lang,
        "price_text",
        optional_text(&form.price_text, 80, "error-too-long"),
    );
    Some(Valid {
        title: title?,
        slug: slug?,
        category_id: category_id?,
        summary: summary?,
        body: body?,
        price_text: price_text?,
    })
}

/// Saves a new or edited listing, or shows the preview; re-renders the
/// form with messages when something is wrong.
async fn save(
    ctx: Ctx,
    a: Access,
    existing: Option<Listing>,
    form: ListingForm,
) -> Result<HttpResponse, AppError> {
    let categories = db::run(ctx.pool(), |conn| Ok(listings::categories(conn)?)).await?;
    let mut errors = FormErrors::new();
    let valid = validate(ctx.lang, &form, &categories, &mut errors);
    let page = |errors: FormErrors,
                preview: Option<String>,
                status: StatusCode,
                categories: Vec<Category>| {
        render_status(
            status,
            &FormPage {
                ctx: &ctx,
                a: &a,
                listing: existing.as_ref(),
                form: &form,
                categories,
                errors,
                preview,
            },
        )
    };
    if form.action == "preview" {
        return page(
            errors,
            Some(markdown::render(&form.body)),
            StatusCode::OK,
            categories,
        );
    }
    let Some(v) = valid.filter(|_| errors.is_empty()) else {
        return page(errors, None, StatusCode::UNPROCESSABLE_ENTITY, categories);
    };
    let pid = a.partner.id;
    let existing_id = existing.as_ref().map(|l| l.id);
    let result = db::run(ctx.pool(), move |conn| store(conn, pid, existing_id, &v)).await?;
    match result.map(|l| l.id) {
        Ok(id) => {
            ctx.flash("success", "listing-saved");
            Ok(see_other(&format!("{}/listings/{id}", a.base())))
        }
        Err(slug) => {
            let key = if slug.is_empty() {
                "error-required"
            } else {
                "error-slug-taken"
            };
            errors.add("slug", ctx.t(key));
            page(errors, None, StatusCode::UNPROCESSABLE_ENTITY, categories)
        }
    }
}

/// Saves checked fields as a new listing of the partner, or over the
/// listing `existing_id`. `Err(slug)` when the address asked for is taken
/// (`Err("")` when an edit left it empty). Another listing taking the same
/// address at the same moment: the rerun finds it taken, and picks another
/// or says so.
pub fn store(
    conn: &mut crate::db::AnyConnection,
    pid: i64,
    existing_id: Option<i64>,
    v: &Valid,
) -> Result<Result<Listing, String>, AppError> {
    write_tx_retrying(conn, |conn| {
        let slug = match v.slug.clone() {
            Some(s) => {
                if listings::slug_taken(conn, &s, existing_id)? {
                    return Ok::<_, AppError>(Err(s));
                }
                s
            }
            None => match existing_id {
                Some(_) => return Ok(Err(String::new())),
                None => listings::free_slug(conn, &v.title)?,
            },
        };
        let input = ListingInput {
            title: &v.title,
            slug: &slug,
            category_id: v.category_id,
            summary: &v.summary,
            body: &v.body,
            price_text: &v.price_text,
        };
        let id = match existing_id {
            Some(id) => {
                listings::update(conn, id, &input)?;
                id
            }
            None => listings::create(conn, pid, &input)?,
        };
        search::reindex(conn, id)?;
        // Read in the same transaction: whoever answers with it answers
        // with what was saved, or says nothing was.
        Ok(Ok(listings::by_id(conn, id)?.ok_or(AppError::NotFound)?))
    })
}

pub async fn create(
    ctx: Ctx,
    slug: web::Path<String>,
    form: web::Form<ListingForm>,
) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    save(ctx, a, None, form.into_inner()).await
}

async fn own_listing(ctx: &Ctx, a: &Access, id: i64) -> Result<Listing, AppError> {
    let pid = a.partner.id;
    db::run(ctx.pool(), move |conn| {
        listings::of_partner_by_id(conn, pid, id)?.ok_or(AppError::NotFound)
    })
    .await
}

pub async fn edit_form(ctx: Ctx, path: web::Path<(String, i64)>) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    let listing = own_listing(&ctx, &a, id).await?;
    let categories = db::run(ctx.pool(), |conn| Ok(listings::categories(conn)?)).await?;
    render(&FormPage {
        ctx: &ctx,
        a: &a,
        listing: Some(&listing),
        form: &ListingForm::from_listing(&listing),
        categories,
        errors: FormErrors::new(),
        preview: None,
    })
}

pub async fn edit_submit(
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<ListingForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    let listing = own_listing(&ctx, &a, id).await?;
    save(ctx, a, Some(listing), form.into_inner()).await
}

#[derive(Deserialize)]
pub struct StatusForm {
    to: String,
}

pub async fn change_status(
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    let listing = own_listing(&ctx, &a, id).await?;
    let to = match form.to.as_str() {
        listings::PUBLISHED => listings::PUBLISHED,
        listings::ARCHIVED => listings::ARCHIVED,
        _ => return Err(AppError::BadRequest),
    };
    let moved = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            Ok::<_, AppError>(listings::set_status(conn, &listing, to)?)
        })
    })
    .await?;
    if moved {
        ctx.flash(
            "success",
            if to == listings::PUBLISHED {
                "listing-published"
            } else {
                "listing-archived"
            },
        );
    } else {
        ctx.flash("error", "listing-status-refused");
    }
    Ok(see_other(&format!("{}/listings/{id}", a.base())))
}
