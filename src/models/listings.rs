//! Listings: the partner's own view (every status) and the public one
//! (published listings of approved partners only).

use std::collections::HashMap;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{categories, listing_views, listings, partners, reviews};

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
}

impl Listing {
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

/// The partner's listings, newest change first.
pub fn of_partner(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<Vec<Listing>> {
    listings::table
        .filter(listings::partner_id.eq(partner_id))
        .order((listings::updated_at.desc(), listings::id.desc()))
        .select(Listing::as_select())
        .load(conn)
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
    diesel::update(
        listings::table
            .find(listing.id)
            .filter(listings::status.eq(&listing.status)),
    )
    .set((
        listings::status.eq(to),
        listings::published_at.eq(published_at),
        listings::updated_at.eq(t),
    ))
    .execute(conn)
    .map(|n| n == 1)
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
        .offset(req.offset())
        .limit(req.limit())
        .select((
            Listing::as_select(),
            partners::name,
            partners::contact_email,
        ))
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

/// A listing's title and slug, whatever its status.
pub fn title_and_slug(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<(String, String)>> {
    listings::table
        .find(id)
        .select((listings::title, listings::slug))
        .first(conn)
        .optional()
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

/// Counts a view of the listing today.
pub fn count_view(conn: &mut AnyConnection, listing_id: i64) -> QueryResult<()> {
    let day = super::now().date().to_string();
    let sql = "INSERT INTO listing_views (listing_id, day, views) VALUES ($1, $2, 1) \
               ON CONFLICT (listing_id, day) DO UPDATE SET views = listing_views.views + 1";
    match conn {
        AnyConnection::Postgres(c) => diesel::sql_query(sql)
            .bind::<diesel::sql_types::BigInt, _>(listing_id)
            .bind::<diesel::sql_types::Text, _>(&day)
            .execute(c)
            .map(|_| ()),
        AnyConnection::Sqlite(c) => diesel::sql_query(sql.replace("$1", "?").replace("$2", "?"))
            .bind::<diesel::sql_types::BigInt, _>(listing_id)
            .bind::<diesel::sql_types::Text, _>(&day)
            .execute(c)
            .map(|_| ()),
    }
}

/// Views per listing since `since_day` (`YYYY-MM-DD`).
pub fn views_since(
    conn: &mut AnyConnection,
    ids: &[i64],
    since_day: &str,
) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i32)> = listing_views::table
        .filter(listing_views::listing_id.eq_any(ids))
        .filter(listing_views::day.ge(since_day))
        .select((listing_views::listing_id, listing_views::views))
        .load(conn)?;
    let mut map = HashMap::new();
    for (id, v) in rows {
        *map.entry(id).or_insert(0) += v as i64;
    }
    Ok(map)
}

/// Average rating (×100, rounded) and count of visible reviews per listing.
pub fn ratings(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Rating>> {
    let rows: Vec<(i64, i32)> = reviews::table
        .filter(reviews::listing_id.eq_any(ids))
        .filter(reviews::hidden_at.is_null())
        .select((reviews::listing_id, reviews::rating))
        .load(conn)?;
    let mut sums: HashMap<i64, (i64, i64)> = HashMap::new();
    for (id, r) in rows {
        let e = sums.entry(id).or_insert((0, 0));
        e.0 += r as i64;
        e.1 += 1;
    }
    Ok(sums
        .into_iter()
        .map(|(id, (sum, n))| (id, Rating::from_sum(sum, n)))
        .collect())
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
);

/// Every public listing (optionally of one partner or in one category),
/// with ratings and 30-day views.
pub fn public_cards(
    conn: &mut AnyConnection,
    partner_id: Option<i64>,
    category_slug: Option<&str>,
) -> QueryResult<Vec<Card>> {
    let mut q = listings::table
        .inner_join(partners::table)
        .left_join(categories::table)
        .filter(listings::status.eq(PUBLISHED))
        .filter(partners::status.eq(super::partners::APPROVED))
        .into_boxed();
    if let Some(p) = partner_id {
        q = q.filter(listings::partner_id.eq(p));
    }
    if let Some(c) = category_slug {
        q = q.filter(categories::slug.eq(c));
    }
    let rows: Vec<CardRow> = q
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
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let ratings = ratings(conn, &ids)?;
    let since = (super::now().date() - time::Duration::days(30)).to_string();
    let views = views_since(conn, &ids, &since)?;
    Ok(rows
        .into_iter()
        .map(|r| Card {
            id: r.0,
            rating: ratings.get(&r.0).copied().unwrap_or_default(),
            views: views.get(&r.0).copied().unwrap_or(0),
            title: r.1,
            slug: r.2,
            summary: r.3,
            price_text: r.4,
            partner_name: r.5,
            partner_slug: r.6,
            category_name: r.7,
            category_slug: r.8,
            published_at: r.9,
        })
        .collect())
}

/// The partner's average over all its visible reviews.
pub fn partner_rating(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<Rating> {
    let rows: Vec<i32> = reviews::table
        .inner_join(listings::table)
        .filter(listings::partner_id.eq(partner_id))
        .filter(reviews::hidden_at.is_null())
        .select(reviews::rating)
        .load(conn)?;
    let sum: i64 = rows.iter().map(|r| *r as i64).sum();
    Ok(Rating::from_sum(sum, rows.len() as i64))
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
