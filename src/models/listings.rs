//! Listings: the partner's own view (every status) and the public one
//! (published listings of approved partners only).

use crate::db::LimitInText;
use std::collections::HashMap;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{categories, listing_views, listings, partners, reviews};
use crate::web::paging::{Page, PageRequest};

pub const DRAFT: &str = "draft";
pub const PUBLISHED: &str = "published";
pub const ARCHIVED: &str = "archived";

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = listings)]
pub struct Listing {
    pub id: i64,
    pub partner_id: i64,
    pub category_id: Option<i64>,
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub body: String,
    pub price_text: String,
    pub status: String,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub published_at: Option<PrimitiveDateTime>,
    pub rating_count: i32,
    pub rating_sum: i32,
}

impl Listing {
    /// The stored average of its visible reviews.
    pub fn rating(&self) -> Rating {
        Rating::from_sum(self.rating_sum as i64, self.rating_count as i64)
    }

    pub fn status_key(&self) -> String {
        format!("listing-status-{}", self.status)
    }
    pub fn is_published(&self) -> bool {
        self.status == PUBLISHED
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = categories)]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

pub fn categories(conn: &mut AnyConnection) -> QueryResult<Vec<Category>> {
    categories::table
        .order(categories::name.asc())
        .select(Category::as_select())
        .load(conn)
}

pub fn category_in_use(conn: &mut AnyConnection, id: i64) -> QueryResult<bool> {
    Ok(listings::table
        .filter(listings::category_id.eq(id))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

pub fn rename_category(conn: &mut AnyConnection, id: i64, name: &str) -> QueryResult<usize> {
    diesel::update(categories::table.find(id))
        .set(categories::name.eq(name))
        .execute(conn)
}

pub fn delete_category(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(categories::table.find(id)).execute(conn)
}

pub fn category_slug_taken(conn: &mut AnyConnection, slug: &str) -> QueryResult<bool> {
    Ok(categories::table
        .filter(categories::slug.eq(slug))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// A page of the partner's listings, newest change first.
pub fn page_of_partner(
    conn: &mut AnyConnection,
    partner_id: i64,
    req: &PageRequest,
) -> QueryResult<Page<Listing>> {
    let mut q = listings::table
        .filter(listings::partner_id.eq(partner_id))
        .into_boxed();
    if let Some((_, id)) = req.after() {
        q = q.filter(super::engagements::before_row(
            "listings",
            "updated_at",
            id,
            ("partner_id", partner_id),
        ));
    }
    let rows = q
        .order((listings::updated_at.desc(), listings::id.desc()))
        .select(Listing::as_select())
        .page_of(req)
        .load(conn)?;
    Ok(req.finish(rows, |l| (0, l.id)))
}

/// One of the partner's listings by id; another partner's is `None`.
pub fn of_partner_by_id(
    conn: &mut AnyConnection,
    partner_id: i64,
    id: i64,
) -> QueryResult<Option<Listing>> {
    listings::table
        .filter(listings::partner_id.eq(partner_id))
        .filter(listings::id.eq(id))
        .select(Listing::as_select())
        .first(conn)
        .optional()
}

pub fn slug_taken(conn: &mut AnyConnection, slug: &str, except: Option<i64>) -> QueryResult<bool> {
    let mut q = listings::table.filter(listings::slug.eq(slug)).into_boxed();
    if let Some(id) = except {
        q = q.filter(listings::id.ne(id));
    }
    Ok(q.count().get_result::<i64>(conn)? > 0)
}

pub fn free_slug(conn: &mut AnyConnection, title: &str) -> QueryResult<String> {
    let base = match crate::domain::slugify(title) {
        s if s.is_empty() => "listing".to_string(),
        s => s,
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while slug_taken(conn, &candidate, None)? {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

pub struct ListingInput<'a> {
    pub title: &'a str,
    pub slug: &'a str,
    pub category_id: Option<i64>,
    pub summary: &'a str,
    pub body: &'a str,
    pub price_text: &'a str,
}

pub fn create(conn: &mut AnyConnection, partner_id: i64, input: &ListingInput) -> QueryResult<i64> {
    let t = super::now();
    super::catalogue::insert_listing(
        conn,
        &super::catalogue::NewListing {
            partner_id,
            category_id: input.category_id,
            title: input.title,
            slug: input.slug,
            summary: input.summary,
            body: input.body,
            price_text: input.price_text,
            status: DRAFT,
            created_at: t,
            updated_at: t,
            published_at: None,
        },
    )
}

pub fn update(conn: &mut AnyConnection, id: i64, input: &ListingInput) -> QueryResult<()> {
    diesel::update(listings::table.find(id))
        .set((
            listings::title.eq(input.title),
            listings::slug.eq(input.slug),
            listings::category_id.eq(input.category_id),
            listings::summary.eq(input.summary),
            listings::body.eq(input.body),
            listings::price_text.eq(input.price_text),
            listings::updated_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Moves a listing along `draft → published ↔ archived`; `false` when the
/// move is not allowed from its status.
pub fn set_status(conn: &mut AnyConnection, listing: &Listing, to: &str) -> QueryResult<bool> {
    let allowed = matches!(
        (listing.status.as_str(), to),
        (DRAFT, PUBLISHED) | (PUBLISHED, ARCHIVED) | (ARCHIVED, PUBLISHED)
    );
    if !allowed {
        return Ok(false);
    }
    let t = super::now();
    let published_at = if to == PUBLISHED {
        Some(listing.published_at.unwrap_or(t))
    } else {
        listing.published_at
    };
    let changed = diesel::update(
        listings::table
            .find(listing.id)
            .filter(listings::status.eq(&listing.status)),
    )
    .set((
        listings::status.eq(to),
        listings::published_at.eq(published_at),
        listings::updated_at.eq(t),
    ))
    .execute(conn)?;
    if changed == 1 {
        crate::webhooks::events::listing_status_changed(conn, listing, to)?;
    }
    Ok(changed == 1)
}

/// One page of the published listings with their partner's name and
/// contact, newest first over `listings_newest`: what admins moderate.
pub fn published_for_moderation(
    conn: &mut AnyConnection,
    req: &crate::web::paging::PageRequest,
) -> QueryResult<crate::web::paging::Page<(Listing, String, String)>> {
    use crate::web::paging::{key_time, time_key};
    let mut q = listings::table
        .inner_join(partners::table)
        .filter(listings::status.eq(PUBLISHED))
        .into_boxed();
    if let Some((k, id)) = req.after() {
        let at = key_time(k);
        q = q.filter(
            listings::published_at
                .le(at)
                .and(listings::published_at.lt(at).or(listings::id.lt(id))),
        );
    }
    let list = q
        .order((listings::published_at.desc(), listings::id.desc()))
        .select((
            Listing::as_select(),
            partners::name,
            partners::contact_email,
        ))
        .page_of(req)
        .load(conn)?;
    Ok(req.finish(list, |(l, _, _)| {
        (l.published_at.map(time_key).unwrap_or_default(), l.id)
    }))
}

pub fn by_id(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Listing>> {
    listings::table
        .find(id)
        .select(Listing::as_select())
        .first(conn)
        .optional()
}

/// The partner's listings by id, newest first, after the id `after` when
/// given, with one status or all (indexes `listings_partner_id` and
/// `listings_partner_status_id`).
pub fn of_partner_newest_first(
    conn: &mut AnyConnection,
    partner_id: i64,
    status: Option<&str>,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Listing>> {
    let mut q = listings::table
        .filter(listings::partner_id.eq(partner_id))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(listings::status.eq(s.to_string()));
    }
    if let Some(id) = after {
        q = q.filter(listings::id.lt(id));
    }
    q.order(listings::id.desc())
        .select(Listing::as_select())
        .limit(limit)
        .load(conn)
}

/// A published listing of an approved partner, by slug.
pub fn public_by_slug(
    conn: &mut AnyConnection,
    slug: &str,
) -> QueryResult<Option<(Listing, super::partners::Partner, Option<String>)>> {
    listings::table
        .inner_join(partners::table)
        .left_join(categories::table)
        .filter(listings::slug.eq(slug))
        .filter(listings::status.eq(PUBLISHED))
        .filter(partners::status.eq(super::partners::APPROVED))
        .select((
            Listing::as_select(),
            super::partners::Partner::as_select(),
            categories::name.nullable(),
        ))
        .first(conn)
        .optional()
}

/// Views per listing since `since_day` (`YYYY-MM-DD`).
pub fn views_since(
    conn: &mut AnyConnection,
    ids: &[i64],
    since_day: &str,
) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i32)> = listing_views::table
        .filter(conn.in_ids("listing_views.listing_id", ids))
        .filter(listing_views::day.ge(since_day))
        .select((listing_views::listing_id, listing_views::views))
        .load(conn)?;
    let mut map = HashMap::new();
    for (id, v) in rows {
        *map.entry(id).or_insert(0) += v as i64;
    }
    Ok(map)
}

/// An average of star ratings, kept in hundredths to stay in integers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rating {
    pub hundredths: i64,
    pub count: i64,
}

impl Rating {
    pub fn from_sum(sum: i64, count: i64) -> Rating {
        if count == 0 {
            return Rating::default();
        }
        Rating {
            hundredths: (sum * 100 + count / 2) / count,
            count,
        }
    }
    /// "4.5" style, one decimal.
    pub fn display(&self) -> String {
        let tenths = (self.hundredths + 5) / 10;
        format!("{}.{}", tenths / 10, tenths % 10)
    }
    pub fn has_any(&self) -> bool {
        self.count > 0
    }
}

/// A card in lists: what the catalogue and partner pages show.
#[derive(Debug, Clone)]
pub struct Card {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub price_text: String,
    pub partner_name: String,
    pub partner_slug: String,
    pub category_name: Option<String>,
    pub category_slug: Option<String>,
    pub published_at: Option<PrimitiveDateTime>,
    pub rating: Rating,
    /// The stored sort key of the rating order.
    pub rating_key: i64,
    /// Views over the last 30 days.
    pub views: i64,
}

type CardRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<PrimitiveDateTime>,
    (i32, i32, i64, i64),
);

/// How public lists of listings are ordered; ties fall back to the id, so
/// pages never overlap or skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardOrder {
    Newest,
    Rating,
    Popular,
}

/// Which public listings a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct CardFilter {
    pub partner_id: Option<i64>,
    pub category_id: Option<i64>,
}

fn card(r: CardRow) -> Card {
    let (rating_count, rating_sum, rating_key, views) = r.10;
    Card {
        id: r.0,
        title: r.1,
        slug: r.2,
        summary: r.3,
        price_text: r.4,
        partner_name: r.5,
        partner_slug: r.6,
        category_name: r.7,
        category_slug: r.8,
        published_at: r.9,
        rating: Rating::from_sum(rating_sum as i64, rating_count as i64),
        rating_key,
        views,
    }
}

macro_rules! card_query {
    () => {
        listings::table
            .inner_join(partners::table)
            .left_join(categories::table)
            .filter(listings::status.eq(PUBLISHED))
            .filter(partners::status.eq(super::partners::APPROVED))
            .select((
                listings::id,
                listings::title,
                listings::slug,
                listings::summary,
                listings::price_text,
                partners::name,
                partners::slug,
                categories::name.nullable(),
                categories::slug.nullable(),
                listings::published_at,
                (
                    listings::rating_count,
                    listings::rating_sum,
                    listings::rating_key,
                    listings::views_30d,
                ),
            ))
            .into_boxed()
    };
}

/// One page of public listings, in SQL: seek on the order's indexed key
/// and the id (`listings_newest`, `listings_rated`, `listings_popular` and
/// their per-category and per-partner twins).
pub fn public_page(
    conn: &mut AnyConnection,
    filter: CardFilter,
    order: CardOrder,
    req: &PageRequest,
) -> QueryResult<Page<Card>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Bool};
    let mut q = card_query!();
    if let Some(p) = filter.partner_id {
        q = q.filter(listings::partner_id.eq(p));
    }
    if let Some(c) = filter.category_id {
        q = q.filter(listings::category_id.eq(c));
    }
    let column = match order {
        CardOrder::Newest => "listings.published_at",
        CardOrder::Rating => "listings.rating_key",
        CardOrder::Popular => "listings.views_30d",
    };
    if let Some((key, id)) = req.after() {
        // A row value against the last row shown: one index range on both
        // backends. Timestamps are read back from that row rather than
        // sent, so their text form never matters.
        q = match order {
            CardOrder::Newest => q.filter(
                sql::<Bool>(&format!(
                    "({column}, listings.id) < ((SELECT l2.published_at FROM listings l2 \
                     WHERE l2.status = 'published' AND l2.id = "
                ))
                .bind::<BigInt, _>(id)
                .sql("), ")
                .bind::<BigInt, _>(id)
                .sql(")"),
            ),
            _ => q.filter(
                sql::<Bool>(&format!("({column}, listings.id) < ("))
                    .bind::<BigInt, _>(key)
                    .sql(", ")
                    .bind::<BigInt, _>(id)
                    .sql(")"),
            ),
        };
    }
    q = match order {
        CardOrder::Newest => q.order((listings::published_at.desc(), listings::id.desc())),
        CardOrder::Rating => q.order((listings::rating_key.desc(), listings::id.desc())),
        CardOrder::Popular => q.order((listings::views_30d.desc(), listings::id.desc())),
    };
    let rows: Vec<CardRow> = q.page_of(req).load(conn)?;
    let cards: Vec<Card> = rows.into_iter().map(card).collect();
    Ok(req.finish(cards, |c| {
        let key = match order {
            CardOrder::Newest => 0,
            CardOrder::Rating => c.rating_key,
            CardOrder::Popular => c.views,
        };
        (key, c.id)
    }))
}

/// Public listings by id, in the order given (ids no longer public are
/// left out).
pub fn public_cards_by_ids(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<Card>> {
    let rows: Vec<CardRow> = card_query!()
        .filter(conn.in_ids("listings.id", ids))
        .load(conn)?;
    let mut by_id: HashMap<i64, Card> = rows.into_iter().map(|r| (r.0, card(r))).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// How many public listings a list holds, stopping at `COUNT_CAP + 1`.
pub fn public_count_capped(conn: &mut AnyConnection, filter: CardFilter) -> QueryResult<i64> {
    let mut q = listings::table
        .inner_join(partners::table)
        .filter(listings::status.eq(PUBLISHED))
        .filter(partners::status.eq(super::partners::APPROVED))
        .select(listings::id)
        .into_boxed();
    if let Some(p) = filter.partner_id {
        q = q.filter(listings::partner_id.eq(p));
    }
    if let Some(c) = filter.category_id {
        q = q.filter(listings::category_id.eq(c));
    }
    crate::db::capped::count_capped(conn, q)
}

/// The partner's stored average over all its visible reviews.
pub fn partner_rating(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<Rating> {
    let (count, sum): (i32, i32) = partners::table
        .find(partner_id)
        .select((partners::rating_count, partners::rating_sum))
        .first(conn)?;
    Ok(Rating::from_sum(sum as i64, count as i64))
}

/// Brings a listing's (and its partner's) stored rating up to date after a
/// review of it was written, hidden or shown again. Reads only that
/// listing's reviews and that partner's listings.
pub fn refresh_rating(conn: &mut AnyConnection, listing_id: i64) -> QueryResult<()> {
    use diesel::dsl::{count_star, sum};
    // Two reviews saved at once for one partner must not each write a sum
    // missing the other: on PostgreSQL the partner's row is locked first
    // (SQLite's write transactions already run one at a time).
    if let AnyConnection::Postgres(pg) = conn {
        diesel::sql_query(
            "SELECT p.id FROM partners p JOIN listings l ON l.partner_id = p.id \
             WHERE l.id = $1 FOR UPDATE OF p",
        )
        .bind::<diesel::sql_types::BigInt, _>(listing_id)
        .execute(pg)?;
    }
    let (count, total): (i64, Option<i64>) = reviews::table
        .filter(reviews::listing_id.eq(listing_id))
        .filter(reviews::hidden_at.is_null())
        .select((count_star(), sum(reviews::rating)))
        .first(conn)?;
    let total = total.unwrap_or(0);
    let hundredths = Rating::from_sum(total, count).hundredths;
    let key = if count == 0 {
        0
    } else {
        hundredths * 1_000_000 + count.min(999_999)
    };
    let partner_id: i64 = diesel::update(listings::table.find(listing_id))
        .set((
            listings::rating_count.eq(count as i32),
            listings::rating_sum.eq(total as i32),
            listings::rating_key.eq(key),
        ))
        .returning(listings::partner_id)
        .get_result(conn)?;
    let (pc, ps): (Option<i64>, Option<i64>) = listings::table
        .filter(listings::partner_id.eq(partner_id))
        .select((sum(listings::rating_count), sum(listings::rating_sum)))
        .first(conn)?;
    diesel::update(partners::table.find(partner_id))
        .set((
            partners::rating_count.eq(pc.unwrap_or(0) as i32),
            partners::rating_sum.eq(ps.unwrap_or(0) as i32),
        ))
        .execute(conn)
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::Rating;

    #[test]
    fn ratings_average_in_integers() {
        assert_eq!(Rating::from_sum(9, 2).display(), "4.5");
        assert_eq!(Rating::from_sum(13, 3).display(), "4.3");
        assert_eq!(Rating::from_sum(5, 1).display(), "5.0");
        assert!(!Rating::from_sum(0, 0).has_any());
    }
}
