use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db;
use crate::domain::markdown;
use crate::error::{AppError, url_encode};
use crate::models::engagements::{self, Engagement, Review};
use crate::models::listings::{self, Card, Category, Listing, Rating};
use crate::models::partners::{self, Partner};
use crate::models::search;
use crate::web::{Ctx, FormErrors, render};

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
    categories: Vec<Category>,
    cards: Vec<Card>,
    total: usize,
    page: usize,
    pages: usize,
    catalogue_empty: bool,
}

impl CataloguePage<'_> {
    /// Relevance is offered only when there is a query.
    fn offers(&self, sort: &Sort) -> bool {
        *sort != Sort::Relevance || !self.q.is_empty()
    }

    /// The URL of another page of the same results.
    fn page_url(&self, page: usize) -> String {
        let mut parts = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!("q={}", url_encode(self.q)));
        }
        if !self.category.is_empty() {
            parts.push(format!("category={}", url_encode(self.category)));
        }
        parts.push(format!("sort={}", self.sort.code()));
        parts.push(format!("page={page}"));
        format!("/listings?{}", parts.join("&"))
    }
}

/// Orders cards for a sort; ties fall back to the newest, then the id, so
/// pages never overlap or skip.
pub fn order(cards: &mut [Card], sort: Sort, relevance: &std::collections::HashMap<i64, f64>) {
    let newest = |a: &Card, b: &Card| b.published_at.cmp(&a.published_at).then(b.id.cmp(&a.id));
    match sort {
        Sort::Relevance => cards.sort_by(|a, b| {
            let (ra, rb) = (
                relevance.get(&a.id).unwrap_or(&0.0),
                relevance.get(&b.id).unwrap_or(&0.0),
            );
            rb.total_cmp(ra).then_with(|| newest(a, b))
        }),
        Sort::Newest => cards.sort_by(newest),
        Sort::Rating => cards.sort_by(|a, b| {
            b.rating
                .hundredths
                .cmp(&a.rating.hundredths)
                .then(b.rating.count.cmp(&a.rating.count))
                .then_with(|| newest(a, b))
        }),
        Sort::Popular => cards.sort_by(|a, b| b.views.cmp(&a.views).then_with(|| newest(a, b))),
    }
}

pub async fn index(ctx: Ctx, query: web::Query<CatalogueQuery>) -> Result<HttpResponse, AppError> {
    let q = query.q.trim().chars().take(200).collect::<String>();
    let category = query.category.trim().to_string();
    let sort = Sort::parse(&query.sort, !q.is_empty());
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let (q2, cat2) = (q.clone(), category.clone());
    let (categories, mut cards, relevance, catalogue_empty) = db::run(ctx.pool(), move |conn| {
        let categories = listings::categories(conn)?;
        let cat = (!cat2.is_empty()).then_some(cat2.as_str());
        let mut cards = listings::public_cards(conn, None, cat)?;
        let catalogue_empty = cards.is_empty() && cat.is_none();
        let mut relevance = std::collections::HashMap::new();
        if !q2.is_empty() {
            relevance = search::search(conn, &q2)?.into_iter().collect();
            cards.retain(|c| relevance.contains_key(&c.id));
        }
        Ok((categories, cards, relevance, catalogue_empty))
    })
    .await?;
    order(&mut cards, sort, &relevance);
    let total = cards.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = page.min(pages);
    let cards: Vec<Card> = cards
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    render(&CataloguePage {
        ctx: &ctx,
        q: &q,
        category: &category,
        sort,
        sorts: Sort::ALL,
        categories,
        cards,
        total,
        page,
        pages,
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
    body_html: String,
    rating: Rating,
    reviews: Vec<(Review, String)>,
    engagement: Option<Engagement>,
    my_review: Option<Review>,
    message: &'a str,
    rating_value: String,
    review_body: String,
    errors: FormErrors,
}

pub struct ListingData {
    pub listing: Listing,
    pub partner: Partner,
    pub category: Option<String>,
    pub rating: Rating,
    pub reviews: Vec<(Review, String)>,
    pub engagement: Option<Engagement>,
    pub my_review: Option<Review>,
}

/// Everything the listing page shows; counts the view unless the viewer
/// belongs to the partner.
pub async fn load_listing(
    ctx: &Ctx,
    slug: &str,
    count_view: bool,
) -> Result<ListingData, AppError> {
    let slug = slug.to_string();
    let viewer = ctx.user.as_ref().map(|u| u.id);
    db::run(ctx.pool(), move |conn| {
        let (listing, partner, category) =
            listings::public_by_slug(conn, &slug)?.ok_or(AppError::NotFound)?;
        let member = match viewer {
            Some(uid) => partners::role_of(conn, partner.id, uid)?.is_some(),
            None => false,
        };
        if count_view && !member {
            listings::count_view(conn, listing.id)?;
        }
        let rating = listings::ratings(conn, &[listing.id])?
            .get(&listing.id)
            .copied()
            .unwrap_or_default();
        let reviews = engagements::visible_reviews(conn, listing.id)?;
        let (engagement, my_review) = match viewer {
            Some(uid) => (
                engagements::find(conn, listing.id, uid)?,
                engagements::review_of(conn, listing.id, uid)?,
            ),
            None => (None, None),
        };
        Ok(ListingData {
            listing,
            partner,
            category,
            rating,
            reviews,
            engagement,
            my_review,
        })
    })
    .await
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
            body_html: markdown::render(&d.listing.body),
            rating: d.rating,
            reviews: d.reviews.clone(),
            engagement: d.engagement.clone(),
            my_review: d.my_review.clone(),
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

pub async fn show(ctx: Ctx, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let d = load_listing(&ctx, &slug, true).await?;
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
    cards: Vec<Card>,
}

pub async fn partner(ctx: Ctx, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let (partner, rating, mut cards) = db::run(ctx.pool(), move |conn| {
        let p = partners::by_slug(conn, &slug)?
            .filter(|p| p.is_public())
            .ok_or(AppError::NotFound)?;
        let rating = listings::partner_rating(conn, p.id)?;
        let cards = listings::public_cards(conn, Some(p.id), None)?;
        Ok((p, rating, cards))
    })
    .await?;
    order(&mut cards, Sort::Newest, &Default::default());
    render(&PartnerPage {
        ctx: &ctx,
        partner: &partner,
        rating,
        cards,
    })
}
