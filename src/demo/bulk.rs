//! Loading many rows fast: multi-row INSERTs with bound values (diesel
//! writes `?` or `$n` for the backend), secondary indexes built once at the
//! end, explicit ids and PostgreSQL sequences moved past them.

use diesel::backend::Backend;
use diesel::connection::SimpleConnection;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Bool, HasSqlType, Integer, Nullable, Text, Timestamp};
use diesel::{QueryResult, QueryableByName, RunQueryDsl};
use time::PrimitiveDateTime;

use crate::db::AnyConnection;

/// One value of a row.
#[derive(Debug, Clone)]
pub enum Val {
    Int(i64),
    OptInt(Option<i64>),
    I32(i32),
    OptI32(Option<i32>),
    Str(&'static str),
    Text(String),
    OptText(Option<String>),
    Bool(bool),
    Ts(PrimitiveDateTime),
    OptTs(Option<PrimitiveDateTime>),
}

/// SQLite takes at most 32,766 bound values per statement; PostgreSQL
/// 65,535. Batches stay well below both.
const MAX_BINDS: usize = 16_000;
const MAX_ROWS: usize = 1_000;

/// Rows for one table, sent as multi-row INSERTs of up to `MAX_ROWS`.
pub struct Inserter {
    head: String,
    /// SQL around the values of a row: `cols + 1` pieces.
    pieces: Vec<String>,
    cols: usize,
    batch_rows: usize,
    vals: Vec<Val>,
    rows: u64,
}

impl Inserter {
    pub fn new(table: &str, columns: &[&str]) -> Inserter {
        let mut pieces = vec!["(".to_string()];
        pieces.extend((1..columns.len()).map(|_| ", ".to_string()));
        pieces.push(")".to_string());
        Inserter::with_row_sql(table, columns, pieces)
    }

    /// Like `new`, with the SQL around the values of a row given (one
    /// piece more than values): lets a row call functions on its values,
    /// as PostgreSQL's `to_tsvector`.
    pub fn with_row_sql(table: &str, columns: &[&str], pieces: Vec<String>) -> Inserter {
        assert!(pieces.len() >= 2, "a row has a value");
        let cols = pieces.len() - 1;
        Inserter {
            head: format!("INSERT INTO {table} ({}) VALUES ", columns.join(", ")),
            pieces,
            cols,
            batch_rows: (MAX_BINDS / cols).clamp(1, MAX_ROWS),
            vals: Vec::with_capacity(cols * MAX_ROWS),
            rows: 0,
        }
    }

    /// Adds a row; sends a batch when one is full.
    pub fn row<const N: usize>(
        &mut self,
        conn: &mut AnyConnection,
        row: [Val; N],
    ) -> QueryResult<()> {
        self.push(row);
        if self.full() {
            self.flush(conn)?;
        }
        Ok(())
    }

    /// Adds a row without sending anything: for rows that refer to another
    /// table's rows still waiting, send those first (`full`, `flush`).
    pub fn push<const N: usize>(&mut self, row: [Val; N]) {
        debug_assert_eq!(N, self.cols);
        self.vals.extend(row);
    }

    pub fn full(&self) -> bool {
        self.vals.len() >= self.cols * self.batch_rows
    }

    /// Sends the rows waiting.
    pub fn flush(&mut self, conn: &mut AnyConnection) -> QueryResult<()> {
        if self.vals.is_empty() {
            return Ok(());
        }
        let batch = Batch {
            head: &self.head,
            pieces: &self.pieces,
            cols: self.cols,
            vals: &self.vals,
        };
        match conn {
            AnyConnection::Sqlite(c) => batch.execute(c)?,
            AnyConnection::Postgres(c) => batch.execute(c)?,
        };
        self.rows += (self.vals.len() / self.cols) as u64;
        self.vals.clear();
        Ok(())
    }

    /// Sends what is left; returns the number of rows written.
    pub fn finish(mut self, conn: &mut AnyConnection) -> QueryResult<u64> {
        self.flush(conn)?;
        Ok(self.rows)
    }
}

struct Batch<'a> {
    head: &'a str,
    pieces: &'a [String],
    cols: usize,
    vals: &'a [Val],
}

impl QueryId for Batch<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Conn> RunQueryDsl<Conn> for Batch<'_> {}

impl<DB> QueryFragment<DB> for Batch<'_>
where
    DB: Backend
        + HasSqlType<BigInt>
        + HasSqlType<Integer>
        + HasSqlType<Text>
        + HasSqlType<Bool>
        + HasSqlType<Timestamp>,
    i64: ToSql<BigInt, DB>,
    i32: ToSql<Integer, DB>,
    str: ToSql<Text, DB>,
    String: ToSql<Text, DB>,
    bool: ToSql<Bool, DB>,
    PrimitiveDateTime: ToSql<Timestamp, DB>,
    Option<i64>: ToSql<Nullable<BigInt>, DB>,
    Option<i32>: ToSql<Nullable<Integer>, DB>,
    Option<String>: ToSql<Nullable<Text>, DB>,
    Option<PrimitiveDateTime>: ToSql<Nullable<Timestamp>, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(self.head);
        for (i, row) in self.vals.chunks(self.cols).enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            for (j, v) in row.iter().enumerate() {
                out.push_sql(&self.pieces[j]);
                match v {
                    Val::Int(x) => out.push_bind_param::<BigInt, _>(x)?,
                    Val::OptInt(x) => out.push_bind_param::<Nullable<BigInt>, _>(x)?,
                    Val::I32(x) => out.push_bind_param::<Integer, _>(x)?,
                    Val::OptI32(x) => out.push_bind_param::<Nullable<Integer>, _>(x)?,
                    Val::Str(x) => out.push_bind_param::<Text, str>(x)?,
                    Val::Text(x) => out.push_bind_param::<Text, _>(x)?,
                    Val::OptText(x) => out.push_bind_param::<Nullable<Text>, _>(x)?,
                    Val::Bool(x) => out.push_bind_param::<Bool, _>(x)?,
                    Val::Ts(x) => out.push_bind_param::<Timestamp, _>(x)?,
                    Val::OptTs(x) => out.push_bind_param::<Nullable<Timestamp>, _>(x)?,
                }
            }
            out.push_sql(&self.pieces[self.cols]);
        }
        Ok(())
    }
}

#[derive(QueryableByName)]
struct NamedSql {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

#[derive(QueryableByName)]
struct MaxId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|t| format!("'{}'", t.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Secondary indexes of some tables, dropped for a load and built again
/// from their own definitions afterwards (sorting once is much faster than
/// growing a B-tree row by row). Unique and primary keys stay.
pub struct DeferredIndexes(Vec<String>);

pub fn defer_indexes(conn: &mut AnyConnection, tables: &[&str]) -> QueryResult<DeferredIndexes> {
    let list = quoted_list(tables);
    let found: Vec<NamedSql> = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(format!(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND tbl_name IN ({list}) ORDER BY name"
        ))
        .load(c)?,
        AnyConnection::Postgres(c) => diesel::sql_query(format!(
            "SELECT indexname::text AS name, indexdef AS sql FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename IN ({list}) \
             AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname"
        ))
        .load(c)?,
    };
    for index in &found {
        conn.batch_execute(&format!("DROP INDEX \"{}\"", index.name.replace('"', "")))?;
    }
    Ok(DeferredIndexes(found.into_iter().map(|i| i.sql).collect()))
}

impl DeferredIndexes {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Builds the indexes again, calling `done` after each.
    pub fn restore(self, conn: &mut AnyConnection, mut done: impl FnMut()) -> QueryResult<()> {
        for sql in self.0 {
            conn.batch_execute(&sql)?;
            done();
        }
        Ok(())
    }
}

/// The largest id in each table (0 for an empty one): where explicit ids
/// continue from.
pub fn max_id(conn: &mut AnyConnection, table: &str) -> QueryResult<i64> {
    let sql = format!("SELECT COALESCE(MAX(id), 0) AS id FROM {table}");
    let row: MaxId = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(sql).get_result(c)?,
        AnyConnection::Postgres(c) => diesel::sql_query(sql).get_result(c)?,
    };
    Ok(row.id)
}

/// After rows were written with explicit ids, PostgreSQL's sequences must
/// continue past them (SQLite's AUTOINCREMENT follows by itself).
pub fn reset_sequences(conn: &mut AnyConnection, tables: &[&str]) -> QueryResult<()> {
    if let AnyConnection::Postgres(c) = conn {
        for t in tables {
            c.batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), \
                 COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false)"
            ))?;
        }
    }
    Ok(())
}
