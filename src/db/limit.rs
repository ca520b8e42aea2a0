//! `LIMIT` written into a statement's text instead of bound.
//!
//! Diesel binds every `LIMIT` and `OFFSET`. PostgreSQL cannot see a bound
//! limit when it makes the generic plan of a prepared statement, so it
//! assumes a tenth of the rows will be read: for "the newest 26 reviews" it
//! plans a parallel sort of 20,000 of them. That plan costs far more than
//! the plan it makes when it sees the values, so it keeps planning every
//! run afresh (a millisecond or more of a list page's time, more than the
//! run itself). With the limit in the text the generic plan is the index
//! scan that stops after 26 rows, and PostgreSQL keeps it after a few runs.
//!
//! Only fixed limits go into the text (page sizes, caps): each distinct
//! number is a statement of its own in the connection's cache. A size the
//! caller chose (the API's `limit`) stays bound, and so does an offset,
//! which grows with the page number; it is left out on the first page.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, HasSqlType};
use diesel::{QueryResult, RunQueryDsl};

use crate::web::paging::PageRequest;

#[derive(Debug, Clone)]
pub struct Limited<Q> {
    query: Q,
    limit: i64,
    offset: i64,
    bound: bool,
}

impl<Q: Query> Query for Limited<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> QueryId for Limited<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, DB> QueryFragment<DB> for Limited<Q>
where
    DB: Backend + HasSqlType<BigInt>,
    Q: QueryFragment<DB>,
    i64: ToSql<BigInt, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        if self.bound {
            out.push_sql(" LIMIT ");
            out.push_bind_param::<BigInt, _>(&self.limit)?;
        } else {
            // A number from the code, never from input.
            out.push_sql(&format!(" LIMIT {}", self.limit.max(0)));
        }
        if self.offset > 0 {
            out.push_sql(" OFFSET ");
            out.push_bind_param::<BigInt, _>(&self.offset)?;
        }
        Ok(())
    }
}

impl<Q, Conn> RunQueryDsl<Conn> for Limited<Q> {}

/// `at_most` and `page_of` for any select without a limit of its own.
pub trait LimitInText: Sized {
    /// At most `n` rows; `n` a constant of the code (a cap, a batch size).
    fn at_most(self, n: i64) -> Limited<Self> {
        Limited {
            query: self,
            limit: n,
            offset: 0,
            bound: false,
        }
    }

    /// The rows of one page: `req.limit()` of them (one more than the page
    /// shows, to know whether another follows) after `req.offset()`.
    fn page_of(self, req: &PageRequest) -> Limited<Self> {
        Limited {
            query: self,
            limit: req.limit(),
            offset: req.offset(),
            bound: req.caller_sized,
        }
    }
}

impl<Q: Query> LimitInText for Q {}
