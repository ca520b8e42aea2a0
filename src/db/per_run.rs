//! Statements PostgreSQL plans for their own values on every run.
//!
//! Diesel keeps a statement prepared, and PostgreSQL may then run it on a
//! generic plan made without the bound values. Over a skewed index (one
//! partner's share of the customer scores, a few thousand active tickets
//! among 300,000) a plan made for no value in particular can read the
//! whole table where the plan for the value reads a page of an index.
//! `planned_per_run` sends such a statement with its values instead of
//! keeping it prepared: PostgreSQL parses and plans it for them each time,
//! in the same single round trip. Every other statement of the page stays
//! prepared, and the connection's plan setting (`db::Plans`) is left
//! alone, so nothing needs setting back. Only on reads run with
//! `Plans::Auto` (`db::run`): under `Plans::Generic` PostgreSQL plans even
//! these without their values. SQLite keeps the statement prepared: it
//! plans once, with its values unseen either way.

use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl};

use super::MultiBackend;

#[derive(Debug, Clone)]
pub struct PerRun<Q>(Q);

impl<Q: Query> Query for PerRun<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> QueryId for PerRun<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> QueryFragment<MultiBackend> for PerRun<Q>
where
    Q: QueryFragment<MultiBackend>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        if matches!(out.backend(), MultiBackend::Postgres(_)) {
            out.unsafe_to_cache_prepared();
        }
        self.0.walk_ast(out.reborrow())
    }
}

impl<Q, Conn> RunQueryDsl<Conn> for PerRun<Q> {}

/// `planned_per_run` for any query.
pub trait PlannedPerRun: Sized {
    /// This statement planned for its values on every run (PostgreSQL).
    fn planned_per_run(self) -> PerRun<Self> {
        PerRun(self)
    }
}

impl<Q: Query> PlannedPerRun for Q {}
