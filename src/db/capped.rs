//! Counts that stop at `paging::COUNT_CAP`: `SELECT COUNT(*) FROM (<query>
//! LIMIT cap + 1)`, so a count over an index reads at most cap + 1 entries
//! however many rows match.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::BigInt;
use diesel::{QueryResult, RunQueryDsl};

use super::AnyConnection;
use super::limit::{LimitInText, Limited};
use crate::web::paging::COUNT_CAP;

#[derive(Debug, Clone)]
pub struct CountCapped<Q>(Q);

impl<Q> Query for CountCapped<Q> {
    type SqlType = BigInt;
}

impl<Q> QueryId for CountCapped<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, DB> QueryFragment<DB> for CountCapped<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("SELECT COUNT(*) FROM (");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(") capped");
        Ok(())
    }
}

impl<Q, Conn> RunQueryDsl<Conn> for CountCapped<Q> {}

/// How many rows `query` (a select of one small column, ideally an
/// indexed one) returns, counting no further than `COUNT_CAP + 1`. Give the
/// result to `paging::capped`.
pub fn count_capped<Q>(conn: &mut AnyConnection, query: Q) -> QueryResult<i64>
where
    Q: Query,
    CountCapped<Limited<Q>>: diesel::query_dsl::LoadQuery<'static, AnyConnection, i64>,
{
    CountCapped(query.at_most(COUNT_CAP + 1)).get_result(conn)
}
