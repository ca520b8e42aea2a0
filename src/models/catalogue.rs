//! Partners, memberships, categories and listings: what the demo fills and
//! the home page shows.

use crate::db::LimitInText;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{categories, listings, memberships, partners};

pub const PARTNER_APPROVED: &str = "approved";
pub const LISTING_PUBLISHED: &str = "published";

#[derive(Insertable)]
#[diesel(table_name = partners)]
pub struct NewPartner<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub website: &'a str,
    pub description: &'a str,
    pub contact_email: &'a str,
    pub status: &'a str,
    pub applicant_id: Option<i64>,
    pub notify_engagements: bool,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

pub fn insert_partner(conn: &mut AnyConnection, p: &NewPartner) -> QueryResult<i64> {
    diesel::insert_into(partners::table)
        .values(p)
        .returning(partners::id)
        .get_result(conn)
}

pub fn add_member(
    conn: &mut AnyConnection,
    partner_id: i64,
    user_id: i64,
    role: &str,
) -> QueryResult<()> {
    diesel::insert_into(memberships::table)
        .values((
            memberships::partner_id.eq(partner_id),
            memberships::user_id.eq(user_id),
            memberships::role.eq(role),
            memberships::created_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn insert_category(conn: &mut AnyConnection, name: &str, slug: &str) -> QueryResult<i64> {
    diesel::insert_into(categories::table)
        .values((
            categories::name.eq(name),
            categories::slug.eq(slug),
            categories::created_at.eq(super::now()),
        ))
        .returning(categories::id)
        .get_result(conn)
}

#[derive(Insertable)]
#[diesel(table_name = listings)]
pub struct NewListing<'a> {
    pub partner_id: i64,
    pub category_id: Option<i64>,
    pub title: &'a str,
    pub slug: &'a str,
    pub summary: &'a str,
    pub body: &'a str,
    pub price_text: &'a str,
    pub status: &'a str,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub published_at: Option<PrimitiveDateTime>,
}

pub fn insert_listing(conn: &mut AnyConnection, l: &NewListing) -> QueryResult<i64> {
    diesel::insert_into(listings::table)
        .values(l)
        .returning(listings::id)
        .get_result(conn)
}

pub fn count_partners(conn: &mut AnyConnection) -> QueryResult<i64> {
    partners::table.count().get_result(conn)
}

/// A published listing of an approved partner, as cards show it.
#[derive(Debug, Clone, Queryable)]
pub struct ListingCard {
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub price_text: String,
    pub partner_name: String,
    pub category_name: Option<String>,
}

pub fn latest_public(conn: &mut AnyConnection, limit: i64) -> QueryResult<Vec<ListingCard>> {
    listings::table
        .inner_join(partners::table)
        .left_join(categories::table)
        .filter(listings::status.eq(LISTING_PUBLISHED))
        .filter(partners::status.eq(PARTNER_APPROVED))
        .order((listings::published_at.desc(), listings::id.desc()))
        .select((
            listings::title,
            listings::slug,
            listings::summary,
            listings::price_text,
            partners::name,
            categories::name.nullable(),
        ))
        .at_most(limit)
        .load(conn)
}
