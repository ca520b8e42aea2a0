use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db;
use crate::error::{AppError, url_encode};
use crate::models::consents;
use crate::models::engagements::{self, Engagement, Review};
use crate::models::listings::{self, Card, CardFilter, CardOrder, Category, Listing, Rating};
use crate::models::partners::{self, Partner};
use crate::models::search::{self, Hit};
use crate::web::cache::{PublicListing, PublicPartner};
use crate::web::paging::{self, Page, PageParams, PageRequest, Pager};
use crate::web::{Ctx, FormErrors, render};
use std::sync::Arc;

pub const PAGE_SIZE: usize = 12;

#[derive(Deserialize, Default)]
pub struct CatalogueQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    sort: String,
    page: Option<String>,
    after: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Relevance,
    Newest,
    Rating,
    Popular,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Relevance, Sort::Newest, Sort::Rating, Sort::Popular];
    pub fn code(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::Rating => "rating",
            Sort::Popular => "popular",
        }
    }
    pub fn label_key(self) -> &'static str {
        match self {
            Sort::Relevance => "sort-relevance",
            Sort::Newest => "sort-newest",
            Sort::Rating => "sort-rating",
            Sort::Popular => "sort-popular",
        }
    }
    fn parse(s: &str, has_query: bool) -> Sort {
        match s {
            "newest" => Sort::Newest,
            "rating" => Sort::Rating,
            "popular" => Sort::Popular,
            "relevance" if has_query => Sort::Relevance,
            _ if has_query => Sort::Relevance,
            _ => Sort::Newest,
        }
    }
}

#[derive(Template)]
#[template(path = "public/catalogue.html")]
struct CataloguePage<'a> {
    ctx: &'a Ctx,
    q: &'a str,
    category: &'a str,
    sort: Sort,
    sorts: [Sort; 4],
    categories: Arc<Vec<Category>>,
    cards: &'a [Card],
    total: i64,
    total_capped: bool,
    pager: Pager,
    catalogue_empty: bool,
}

impl CataloguePage<'_> {
    /// Relevance is offered only when there is a query.
    fn offers(&self, sort: &Sort) -> bool {
        *sort != Sort::Relevance || !self.q.is_empty()
    }
}

/// The catalogue's URL for a search, category and sort, without the page.
fn base_url(q: &str, category: &str, sort: Sort) -> String {
    let mut parts = Vec::new();
    if !q.is_empty() {
        parts.push(format!("q={}", url_encode(q)));
    }
    if !category.is_empty() {
        parts.push(format!("category={}", url_encode(category)));
    }
    parts.push(format!("sort={}", sort.code()));
    format!("/listings?{}", parts.join("&"))
}

/// Orders search hits for a sort; ties fall back to the id, so pages never
/// overlap or skip. Hits are at most `search::MAX_RESULTS`.
pub fn order(hits: &mut [Hit], sort: Sort) {
    match sort {
        Sort::Relevance => hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.id.cmp(&a.id))),
        Sort::Newest => hits.sort_by_key(|h| std::cmp::Reverse((h.published_at, h.id))),
        Sort::Rating => hits.sort_by_key(|h| std::cmp::Reverse((h.rating_key, h.id))),
        Sort::Popular => hits.sort_by_key(|h| std::cmp::Reverse((h.views, h.id))),
    }
}

fn card_order(sort: Sort) -> CardOrder {
    match sort {
        Sort::Rating => CardOrder::Rating,
        Sort::Popular => CardOrder::Popular,
        Sort::Newest | Sort::Relevance => CardOrder::Newest,
    }
}

/// Search hits for a query and category in a sort's order: from the cache
/// when someone asked the same within the minute, so neither the search
/// nor the ordering of up to `search::MAX_RESULTS` hits runs per page.
async fn hits(
    ctx: &Ctx,
    q: &str,
    category_id: Option<i64>,
    sort: Sort,
) -> Result<Arc<Vec<Hit>>, AppError> {
    let key = format!(
        "{}|{}|{}",
        category_id.unwrap_or(0),
        sort.code(),
        search::terms(q).join(" ")
    );
    let q = q.to_string();
    ctx.state
        .search_cache
        .get_or_load(key, || async move {
            let mut found = db::run(ctx.pool(), move |conn| {
                Ok(search::search(conn, &q, category_id)?)
            })
            .await?;
            order(&mut found, sort);
            Ok(found)
        })
        .await
}

/// How many public listings a browse shows (capped), kept for half a minute.
async fn browse_total(ctx: &Ctx, filter: CardFilter) -> Result<i64, AppError> {
    let key = format!(
        "{}|{}",
        filter.partner_id.unwrap_or(0),
        filter.category_id.unwrap_or(0)
    );
    let n = ctx
        .state
        .count_cache
        .get_or_load(key, || {
            db::read(ctx.pool(), move |conn| {
                Ok(listings::public_count_capped(conn, filter)?)
            })
        })
        .await?;
    Ok(*n)
}

pub async fn index(ctx: Ctx, query: web::Query<CatalogueQuery>) -> Result<HttpResponse, AppError> {
    let q = query.q.trim().chars().take(200).collect::<String>();
    let category = query.category.trim().to_string();
    let sort = Sort::parse(&query.sort, !q.is_empty());
    let req = PageRequest::parse(
        &PageParams {
            page: query.page.clone(),
            after: query.after.clone(),
        },
        PAGE_SIZE,
    );
    let categories = ctx.state.categories().await?;
    let category_id = match categories.iter().find(|c| c.slug == category) {
        Some(c) => Some(c.id),
        None if category.is_empty() => None,
        // An unknown category matches nothing.
        None => Some(-1),
    };
    let filter = CardFilter {
        partner_id: None,
        category_id,
    };
    let base = base_url(&q, &category, sort);
    let (cards, total, capped, pager) = if search::terms(&q).is_empty() && !q.is_empty() {
        (None, 0, false, Pager::default())
    } else if !q.is_empty() {
        let sorted = hits(&ctx, &q, category_id, sort).await?;
        // Search pages are positions in a bounded, ordered list: the seek
        // key is the position of the last hit shown.
        let start = match req.after() {
            Some((pos, _)) => pos.saturating_add(1).clamp(0, search::MAX_RESULTS) as usize,
            None => req.offset() as usize,
        };
        let window: Vec<(usize, i64)> = sorted
            .iter()
            .enumerate()
            .skip(start)
            .take(req.limit() as usize)
            .map(|(i, h)| (i, h.id))
            .collect();
        let page = req.finish(window, |(i, id)| (*i as i64, *id));
        let ids: Vec<i64> = page.items.iter().map(|(_, id)| *id).collect();
        let public = &ctx.state.public;
        let key = public.key(format_args!("search|{ids:?}"));
        let cards = public
            .cards
            .get_or_load(key, || {
                db::read(ctx.pool(), move |conn| {
                    let cards = listings::public_cards_by_ids(conn, &ids)?;
                    Ok(Page::of(cards))
                })
            })
            .await?;
        let total = sorted.len() as i64;
        let capped = total >= search::MAX_RESULTS;
        let pages = (!capped).then(|| (total as usize).div_ceil(PAGE_SIZE).max(1));
        (Some(cards), total, capped, page.pager(&base, pages))
    } else {
        let total = browse_total(&ctx, filter).await?;
        let (total, capped) = paging::capped(total);
        let order = card_order(sort);
        let public = &ctx.state.public;
        let key = public.key(format_args!("browse|{filter:?}|{order:?}|{req:?}"));
        let page = public
            .cards
            .get_or_load(key, || {
                db::read(ctx.pool(), move |conn| {
                    Ok(listings::public_page(conn, filter, order, &req)?)
                })
            })
            .await?;
        let pages = (!capped).then(|| (total as usize).div_ceil(PAGE_SIZE).max(1));
        let pager = page.pager(&base, pages);
        (Some(page), total, capped, pager)
    };
    let cards = match &cards {
        Some(page) => page.items.as_slice(),
        None => &[],
    };
    let catalogue_empty =
        cards.is_empty() && q.is_empty() && category.is_empty() && req.number == 1;
    render(&CataloguePage {
        ctx: &ctx,
        q: &q,
        category: &category,
        sort,
        sorts: Sort::ALL,
        categories,
        cards,
        total,
        total_capped: capped,
        pager,
        catalogue_empty,
    })
}

#[derive(Template)]
#[template(path = "public/listing.html")]
struct ListingPage<'a> {
    ctx: &'a Ctx,
    listing: &'a Listing,
    partner: &'a Partner,
    category: Option<String>,
    body_html: Arc<String>,
    rating: Rating,
    reviews: Vec<(Review, String)>,
    pager: Pager,
    engagement: Option<Engagement>,
    my_review: Option<Review>,
    consent: ConsentState,
    member: bool,
    message: &'a str,
    rating_value: String,
    review_body: String,
    errors: FormErrors,
}

pub struct ListingData {
    pub listing: Listing,
    pub partner: Partner,
    pub category: Option<String>,
    pub reviews: Page<(Review, String)>,
    pub engagement: Option<Engagement>,
    pub my_review: Option<Review>,
    /// The viewer belongs to the listing's partner: not its customer, so
    /// neither the request nor the review form is theirs.
    pub member: bool,
    pub consent: ConsentState,
}

/// Where the signed-in viewer stands with the listing's partner as a
/// whole (consent is never about one listing).
#[derive(Debug, Clone, Copy, Default)]
pub struct ConsentState {
    /// They asked this partner for some service before.
    pub asked: bool,
    /// Their name and email address are shared with the partner now.
    pub shares: bool,
}

/// Everything the listing page shows; counts the view unless the viewer
/// belongs to the partner.
pub async fn load_listing(
    ctx: &Ctx,
    slug: &str,
    count_view: bool,
    reviews_page: PageRequest,
) -> Result<ListingData, AppError> {
    let public = &ctx.state.public;
    let load = || {
        let slug = slug.to_string();
        db::read(ctx.pool(), move |conn| {
            let (listing, partner, category) =
                listings::public_by_slug(conn, &slug)?.ok_or(AppError::NotFound)?;
            let reviews = engagements::visible_reviews(conn, listing.id, &reviews_page)?;
            Ok(PublicListing {
                listing,
                partner,
                category,
                reviews,
            })
        })
    };
    // What everyone sees comes from the public cache on a GET; a form
    // being handled reads it afresh.
    let shared = if ctx.reading {
        let key = public.key(format_args!("{slug}|{reviews_page:?}"));
        public.listings.get_or_load(key, load).await?
    } else {
        Arc::new(load().await?)
    };
    let mut data = ListingData {
        listing: shared.listing.clone(),
        partner: shared.partner.clone(),
        category: shared.category.clone(),
        reviews: shared.reviews.clone(),
        engagement: None,
        my_review: None,
        member: false,
        consent: ConsentState::default(),
    };
    if let Some(uid) = ctx.user.as_ref().map(|u| u.id) {
        let (listing_id, partner_id) = (data.listing.id, data.partner.id);
        let (member, engagement, my_review, consent) = db::read(ctx.pool(), move |conn| {
            Ok((
                partners::role_of(conn, partner_id, uid)?.is_some(),
                engagements::find(conn, listing_id, uid)?,
                engagements::review_of(conn, listing_id, uid)?,
                ConsentState {
                    asked: engagements::asked_partner(conn, partner_id, uid)?,
                    shares: consents::stands(conn, partner_id, uid)?,
                },
            ))
        })
        .await?;
        data.member = member;
        data.engagement = engagement;
        data.my_review = my_review;
        data.consent = consent;
    }
    if count_view && !data.member && !ctx.head {
        ctx.state.count_view(data.listing.id);
    }
    Ok(data)
}

pub fn listing_page(
    ctx: &Ctx,
    d: &ListingData,
    message: &str,
    rating_value: Option<String>,
    review_body: Option<String>,
    errors: FormErrors,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, AppError> {
    crate::web::render_status(
        status,
        &ListingPage {
            ctx,
            listing: &d.listing,
            partner: &d.partner,
            category: d.category.clone(),
            body_html: ctx.state.listing_html(&d.listing),
            rating: d.listing.rating(),
            reviews: d.reviews.items.clone(),
            pager: d
                .reviews
                .pager(&format!("/listings/{}", d.listing.slug), None),
            engagement: d.engagement.clone(),
            my_review: d.my_review.clone(),
            consent: d.consent,
            member: d.member,
            message,
            rating_value: rating_value
                .or_else(|| d.my_review.as_ref().map(|r| r.rating.to_string()))
                .unwrap_or_default(),
            review_body: review_body
                .or_else(|| d.my_review.as_ref().map(|r| r.body.clone()))
                .unwrap_or_default(),
            errors,
        },
    )
}

/// Reviews shown per page of a listing.
pub const REVIEWS_PER_PAGE: usize = 10;

pub async fn show(
    ctx: Ctx,
    slug: web::Path<String>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let req = PageRequest::parse(&page, REVIEWS_PER_PAGE);
    // Only the first page of a listing counts as a view.
    let d = load_listing(&ctx, &slug, req.number == 1, req).await?;
    listing_page(
        &ctx,
        &d,
        "",
        None,
        None,
        FormErrors::new(),
        actix_web::http::StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "public/partner.html")]
struct PartnerPage<'a> {
    ctx: &'a Ctx,
    partner: &'a Partner,
    rating: Rating,
    cards: &'a [Card],
    pager: Pager,
}

pub async fn partner(
    ctx: Ctx,
    slug: web::Path<String>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let req = PageRequest::parse(&page, PAGE_SIZE);
    let public = &ctx.state.public;
    let key = public.key(format_args!("{slug}|{req:?}"));
    let shown = public
        .partners
        .get_or_load(key, || {
            db::read(ctx.pool(), move |conn| {
                let p = partners::by_slug(conn, &slug)?
                    .filter(|p| p.is_public())
                    .ok_or(AppError::NotFound)?;
                let rating = listings::partner_rating(conn, p.id)?;
                let filter = CardFilter {
                    partner_id: Some(p.id),
                    category_id: None,
                };
                let cards = listings::public_page(conn, filter, CardOrder::Newest, &req)?;
                Ok(PublicPartner {
                    partner: p,
                    rating,
                    cards,
                })
            })
        })
        .await?;
    let pager = shown
        .cards
        .pager(&format!("/partners/{}", shown.partner.slug), None);
    render(&PartnerPage {
        ctx: &ctx,
        partner: &shown.partner,
        rating: shown.rating,
        cards: &shown.cards.items,
        pager,
    })
}
