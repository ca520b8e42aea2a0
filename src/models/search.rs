//! Full-text search over listings: SQLite FTS5 or PostgreSQL `tsvector`
//! with a GIN index. The only place where the search SQL differs.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text, Timestamp};
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{listings, partners};

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xAC00..=0xD7AF | 0x20000..=0x2FA1F)
}

/// Puts spaces around CJK characters so each is a word of its own: texts
/// without spaces between words still match by their characters.
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_cjk(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// The words of a search, lowercased; punctuation and operators dropped,
/// so nothing typed can change the query's meaning.
pub fn terms(query: &str) -> Vec<String> {
    segment(query)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| t.to_lowercase())
        .take(16)
        .collect()
}

fn last_is_prefix(terms: &[String]) -> bool {
    terms
        .last()
        .is_some_and(|t| t.chars().count() >= 2 && !t.chars().any(is_cjk))
}

/// An FTS5 MATCH expression: every term quoted, all required, the last
/// one as a prefix.
pub fn fts5_query(terms: &[String]) -> String {
    let prefix = last_is_prefix(terms);
    terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let quoted = format!("\"{}\"", t.replace('"', "\"\""));
            if prefix && i + 1 == terms.len() {
                format!("{quoted}*")
            } else {
                quoted
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A `to_tsquery` text: terms joined with `&`, the last one as a prefix.
/// Terms hold letters and digits only, so no operator can slip in.
pub fn tsquery(terms: &[String]) -> String {
    let prefix = last_is_prefix(terms);
    terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if prefix && i + 1 == terms.len() {
                format!("{t}:*")
            } else {
                t.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// Re-indexes one listing (after it or its partner changed).
pub fn reindex(conn: &mut AnyConnection, listing_id: i64) -> QueryResult<()> {
    let row: Option<(String, String, String, String)> = listings::table
        .inner_join(partners::table)
        .filter(listings::id.eq(listing_id))
        .select((
            listings::title,
            listings::summary,
            listings::body,
            partners::name,
        ))
        .first(conn)
        .optional()?;
    let Some((title, summary, body, partner)) = row else {
        return Ok(());
    };
    let (title, summary, body, partner) = (
        segment(&title),
        segment(&summary),
        segment(&body),
        segment(&partner),
    );
    match conn {
        AnyConnection::Sqlite(c) => {
            diesel::sql_query("DELETE FROM listing_search WHERE rowid = ?")
                .bind::<BigInt, _>(listing_id)
                .execute(c)?;
            diesel::sql_query(
                "INSERT INTO listing_search (rowid, title, summary, body, partner_name) VALUES (?, ?, ?, ?, ?)",
            )
            .bind::<BigInt, _>(listing_id)
            .bind::<Text, _>(&title)
            .bind::<Text, _>(&summary)
            .bind::<Text, _>(&body)
            .bind::<Text, _>(&partner)
            .execute(c)?;
        }
        AnyConnection::Postgres(c) => {
            diesel::sql_query(
                "INSERT INTO listing_search (listing_id, document) VALUES ($1, \
                 setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B') || \
                 setweight(to_tsvector('simple', $4), 'D') || setweight(to_tsvector('simple', $5), 'B')) \
                 ON CONFLICT (listing_id) DO UPDATE SET document = EXCLUDED.document",
            )
            .bind::<BigInt, _>(listing_id)
            .bind::<Text, _>(&title)
            .bind::<Text, _>(&summary)
            .bind::<Text, _>(&body)
            .bind::<Text, _>(&partner)
            .execute(c)?;
        }
    }
    Ok(())
}

/// Re-indexes every listing of a partner (after a rename).
pub fn reindex_partner(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<()> {
    let ids: Vec<i64> = listings::table
        .filter(listings::partner_id.eq(partner_id))
        .select(listings::id)
        .load(conn)?;
    for id in ids {
        reindex(conn, id)?;
    }
    Ok(())
}

/// Search results go this deep: the best matches by relevance, which the
/// other sorts then reorder. Documented in the README.
pub const MAX_RESULTS: i64 = 1000;

/// A public listing matching a search, with what the sorts order on.
#[derive(Debug, Clone, QueryableByName)]
pub struct Hit {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Double)]
    pub score: f64,
    #[diesel(sql_type = Timestamp)]
    pub published_at: PrimitiveDateTime,
    #[diesel(sql_type = BigInt)]
    pub rating_key: i64,
    #[diesel(sql_type = BigInt)]
    pub views: i64,
}

/// Public listings (published, of an approved partner, optionally in one
/// category) matching `query`, best first, at most `MAX_RESULTS`. Empty
/// when the query has no words.
pub fn search(
    conn: &mut AnyConnection,
    query: &str,
    category_id: Option<i64>,
) -> QueryResult<Vec<Hit>> {
    let terms = terms(query);
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let category = if category_id.is_some() {
        " AND l.category_id = "
    } else {
        ""
    };
    let hits: Vec<Hit> = match conn {
        AnyConnection::Sqlite(c) => {
            let sql = format!(
                "SELECT l.id AS id, -bm25(listing_search, 10.0, 4.0, 1.0, 3.0) AS score, \
                 l.published_at AS published_at, l.rating_key AS rating_key, l.views_30d AS views \
                 FROM listing_search JOIN listings l ON l.id = listing_search.rowid \
                 JOIN partners p ON p.id = l.partner_id \
                 WHERE listing_search MATCH ? AND l.status = 'published' AND p.status = 'approved'{category}{} \
                 ORDER BY score DESC, l.id DESC LIMIT {MAX_RESULTS}",
                if category_id.is_some() { "?" } else { "" }
            );
            let q = diesel::sql_query(sql).bind::<Text, _>(fts5_query(&terms));
            match category_id {
                Some(cat) => q.bind::<BigInt, _>(cat).load(c)?,
                None => q.load(c)?,
            }
        }
        AnyConnection::Postgres(c) => {
            let sql = format!(
                "SELECT l.id AS id, ts_rank(s.document, q)::float8 AS score, \
                 l.published_at AS published_at, l.rating_key AS rating_key, l.views_30d AS views \
                 FROM listing_search s JOIN listings l ON l.id = s.listing_id \
                 JOIN partners p ON p.id = l.partner_id, to_tsquery('simple', $1) q \
                 WHERE s.document @@ q AND l.status = 'published' AND p.status = 'approved'{category}{} \
                 ORDER BY score DESC, l.id DESC LIMIT {MAX_RESULTS}",
                if category_id.is_some() { "$2" } else { "" }
            );
            let q = diesel::sql_query(sql).bind::<Text, _>(tsquery(&terms));
            match category_id {
                Some(cat) => q.bind::<BigInt, _>(cat).load(c)?,
                None => q.load(c)?,
            }
        }
    };
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_drop_operators_and_split_cjk() {
        assert_eq!(
            terms("\"maths\" OR 50% a_b"),
            ["maths", "or", "50", "a", "b"]
        );
        assert_eq!(terms("普通话 club"), ["普", "通", "话", "club"]);
        assert!(terms("%_\"'*()").is_empty());
    }

    #[test]
    fn queries_are_quoted() {
        let t = terms("yoga begin");
        assert_eq!(fts5_query(&t), "\"yoga\" \"begin\"*");
        assert_eq!(tsquery(&t), "yoga & begin:*");
        let t = terms("普通话");
        assert_eq!(fts5_query(&t), "\"普\" \"通\" \"话\"");
        assert_eq!(tsquery(&t), "普 & 通 & 话");
    }
}
