//! Database access: one connection type over SQLite and PostgreSQL, a pool,
//! migrations, and helpers that keep diesel off the async event loop.

pub mod capped;
pub mod limit;
pub mod per_run;

pub use limit::LimitInText;
pub use per_run::PlannedPerRun;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryResult};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

impl AnyConnection {
    pub fn is_postgres(&self) -> bool {
        matches!(self, AnyConnection::Postgres(_))
    }

    /// `column IN (ids)` as a statement that reads the same whatever the
    /// number of ids: the list is one bound text value (a JSON array read
    /// by `json_each` on SQLite, an array literal on PostgreSQL). Diesel's
    /// `eq_any` writes one placeholder per id, which SQLite prepares anew
    /// every time; this one stays in the statement cache. `column` is a
    /// column name from the code, never input.
    pub fn in_ids(&self, column: &'static str, ids: &[i64]) -> IdsIn {
        let list = ids
            .iter()
            .map(|id| id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        if self.is_postgres() {
            Condition::new(
                [column, " = ANY(CAST("],
                format!("{{{list}}}"),
                " AS BIGINT[]))",
            )
        } else {
            Condition::new(
                [column, " IN (SELECT value FROM json_each("],
                format!("[{list}]"),
                "))",
            )
        }
    }
}

/// The condition `AnyConnection::in_ids` makes.
pub type IdsIn = Condition<diesel::sql_types::Text, String>;

/// A condition the code writes around one bound value: the `head`
/// fragments, the value, the `tail`. Unlike diesel's raw SQL fragments it
/// may be kept prepared: its text depends only on the code. The fragments
/// come from the code, never from input.
#[derive(Debug, Clone)]
pub struct Condition<ST, T> {
    head: [&'static str; 2],
    value: T,
    tail: &'static str,
    sql_type: std::marker::PhantomData<ST>,
}

impl<ST, T> Condition<ST, T> {
    pub fn new(head: [&'static str; 2], value: T, tail: &'static str) -> Condition<ST, T> {
        Condition {
            head,
            value,
            tail,
            sql_type: std::marker::PhantomData,
        }
    }
}

impl<ST, T> diesel::Expression for Condition<ST, T> {
    type SqlType = diesel::sql_types::Bool;
}

impl<QS, ST, T> diesel::AppearsOnTable<QS> for Condition<ST, T> {}

impl<QS, ST, T> diesel::SelectableExpression<QS> for Condition<ST, T> {}

impl<GB, ST, T> diesel::expression::ValidGrouping<GB> for Condition<ST, T> {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl<ST, T> diesel::query_builder::QueryId for Condition<ST, T> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<DB, ST, T> diesel::query_builder::QueryFragment<DB> for Condition<ST, T>
where
    DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<ST>,
    T: diesel::serialize::ToSql<ST, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        for fragment in self.head {
            out.push_sql(fragment);
        }
        out.push_bind_param::<ST, _>(&self.value)?;
        out.push_sql(self.tail);
        Ok(())
    }
}

/// A piece of SQL from the code read as a value of type `ST`. Diesel's
/// `sql()` marks its statement as one never to keep prepared; this one
/// leaves it cacheable, since its text depends only on the code (never on
/// input, and not on any value: values go in as bound parameters).
#[derive(Debug, Clone, Copy)]
pub struct Fragment<ST> {
    sql: &'static str,
    sql_type: std::marker::PhantomData<ST>,
}

impl<ST> Fragment<ST> {
    pub fn new(sql: &'static str) -> Fragment<ST> {
        Fragment {
            sql,
            sql_type: std::marker::PhantomData,
        }
    }
}

impl<ST: diesel::sql_types::SqlType + diesel::expression::TypedExpressionType> diesel::Expression
    for Fragment<ST>
{
    type SqlType = ST;
}

impl<QS, ST> diesel::AppearsOnTable<QS> for Fragment<ST> where Fragment<ST>: diesel::Expression {}

impl<QS, ST> diesel::SelectableExpression<QS> for Fragment<ST> where Fragment<ST>: diesel::Expression
{}

impl<GB, ST> diesel::expression::ValidGrouping<GB> for Fragment<ST> {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl<ST> diesel::query_builder::QueryId for Fragment<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<DB: diesel::backend::Backend, ST> diesel::query_builder::QueryFragment<DB> for Fragment<ST> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        out.push_sql(self.sql);
        Ok(())
    }
}

/// Which database a `DATABASE_URL` names. Parsed before anything is opened,
/// so a typo never silently creates a SQLite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(String),
    Postgres(String),
}

#[derive(Debug, thiserror::Error)]
pub enum DbUrlError {
    #[error("DATABASE_URL is empty")]
    Empty,
    #[error(
        "DATABASE_URL has an unsupported scheme `{0}` (use sqlite://PATH, a file path, or postgres://...)"
    )]
    Scheme(String),
}

impl DbUrl {
    pub fn parse(raw: &str) -> Result<DbUrl, DbUrlError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(DbUrlError::Empty);
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(raw.to_string()));
        }
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DbUrlError::Empty);
            }
            return Ok(DbUrl::Sqlite(path.to_string()));
        }
        if let Some(path) = raw.strip_prefix("sqlite:") {
            if path.is_empty() {
                return Err(DbUrlError::Empty);
            }
            return Ok(DbUrl::Sqlite(path.to_string()));
        }
        if let Some((scheme, _)) = raw.split_once("://") {
            return Err(DbUrlError::Scheme(scheme.to_string()));
        }
        if let Some((scheme, _)) = raw.split_once(':')
            && !scheme.contains('/')
            && scheme.len() > 1
        {
            return Err(DbUrlError::Scheme(scheme.to_string()));
        }
        Ok(DbUrl::Sqlite(raw.to_string()))
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// How PostgreSQL plans the prepared statements of a connection.
/// Diesel keeps each statement prepared; PostgreSQL then either plans it
/// for every run's values (custom) or keeps one plan made without them
/// (generic), and by default (`Auto`) picks after five runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plans {
    /// PostgreSQL's own choice. What every read gets unless it asks.
    Auto,
    /// One plan per statement, made without the bound values. For a page
    /// of a partner's own rows (newest first over `(partner_id,
    /// created_at)`, a written-in LIMIT) that plan is the same index scan
    /// whatever the partner, but PostgreSQL's own choice compares it with
    /// what it costs for the largest partner, finds it dearer and plans
    /// every run afresh instead: 1.5–2 ms per page, ten times the run
    /// itself. Only for statements whose plan does not hang on the values
    /// (and whose LIMIT is in the text: a bound one is planned as a tenth
    /// of the table).
    Generic,
    /// Every run planned for its own values: a range over a skewed index (a
    /// few thousand active tickets among 300,000) would otherwise become a
    /// table scan in a plan kept for all values. Planning costs time on
    /// every run, so only the reads that need it (the desk's) ask for it.
    Custom,
}

impl Plans {
    fn setting(self) -> &'static str {
        match self {
            Plans::Auto => "RESET plan_cache_mode",
            Plans::Generic => "SET plan_cache_mode = force_generic_plan",
            Plans::Custom => "SET plan_cache_mode = force_custom_plan",
        }
    }
}

/// A pooled connection and the way its statements are planned. The
/// setting is kept by the connection across checkouts and changed only
/// when a read asks for another (`Conn::plan`): a page that asks for the
/// same as the one before it spends no round trip on it. SQLite plans
/// each statement once, with its values unseen either way.
pub struct Conn {
    conn: AnyConnection,
    plans: Plans,
}

impl Conn {
    /// Plans the statements from here on as `plans` asks: one short round
    /// trip on PostgreSQL when the connection planned otherwise, none when
    /// not. Outside a transaction only (a rollback would undo the setting
    /// behind the record kept here).
    pub fn plan(&mut self, plans: Plans) -> QueryResult<()> {
        if self.plans != plans && self.conn.is_postgres() {
            self.conn.batch_execute(plans.setting())?;
        }
        self.plans = plans;
        Ok(())
    }
}

impl std::ops::Deref for Conn {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

/// Set on every PostgreSQL connection when it opens. Memoize nodes (a
/// cache in front of the inner side of a nested loop) size their hash
/// table from the planner's estimate of distinct keys and clear it on every
/// execution: for a page of 26 reviews joined to their authors and
/// listings, clearing a table sized for 200,000 authors was a fifth of all
/// the CPU time under load (`memset` under `ExecInitMemoize`). A page reads
/// a few dozen rows, where the cache never pays for itself.
pub const POSTGRES_SESSION: &str = "SET enable_memoize = off";

#[derive(Debug)]
pub struct Manager {
    url: DbUrl,
    log: Option<QueryLog>,
}

impl Manager {
    pub fn new(url: DbUrl) -> Manager {
        Manager { url, log: None }
    }
}

/// Every statement the pool's connections run, in order: lets a test look
/// at the plan of each query a page makes. Off unless asked for.
#[derive(Clone, Default)]
pub struct QueryLog(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl std::fmt::Debug for QueryLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueryLog")
    }
}

impl QueryLog {
    /// Takes the statements logged so far (their SQL, binds left out).
    pub fn take(&self) -> Vec<String> {
        match self.0.lock() {
            Ok(mut v) => std::mem::take(&mut *v),
            Err(_) => Vec::new(),
        }
    }

    fn install(&self, conn: &mut AnyConnection) {
        let log = self.0.clone();
        conn.set_instrumentation(move |event: diesel::connection::InstrumentationEvent<'_>| {
            if let diesel::connection::InstrumentationEvent::StartQuery { query, .. } = event {
                let text = query.to_string();
                let sql = match text.rfind(" -- binds: ") {
                    Some(i) => text[..i].to_string(),
                    None => text,
                };
                if let Ok(mut v) = log.lock() {
                    v.push(sql);
                }
            }
        });
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        let mut conn = self.open()?;
        if let Some(log) = &self.log {
            log.install(&mut conn);
        }
        Ok(Conn {
            conn,
            plans: Plans::Auto,
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        <AnyConnection as Connection>::TransactionManager::is_broken_transaction_manager(
            &mut conn.conn,
        )
    }
}

impl Manager {
    fn open(&self) -> Result<AnyConnection, diesel::r2d2::Error> {
        match &self.url {
            DbUrl::Postgres(url) => {
                let mut conn =
                    PgConnection::establish(url).map_err(diesel::r2d2::Error::ConnectionError)?;
                conn.batch_execute(POSTGRES_SESSION)
                    .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(AnyConnection::Postgres(conn))
            }
            DbUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

/// How long requests waited for a pooled connection, counted by the pool
/// itself on every checkout: the metrics' `agora_db_pool_wait_seconds_total`
/// (its rate is the average number of requests waiting) and the timeouts.
#[derive(Debug, Default)]
pub struct PoolWaits {
    checkouts: AtomicU64,
    wait_micros: AtomicU64,
    timeouts: AtomicU64,
}

impl PoolWaits {
    /// Checkouts so far, the time they waited in all, and how many gave up.
    pub fn totals(&self) -> (u64, Duration, u64) {
        (
            self.checkouts.load(Ordering::Relaxed),
            Duration::from_micros(self.wait_micros.load(Ordering::Relaxed)),
            self.timeouts.load(Ordering::Relaxed),
        )
    }
}

/// Feeds `PoolWaits` from the pool's events.
#[derive(Debug)]
struct WaitCounter(Arc<PoolWaits>);

impl r2d2::HandleEvent for WaitCounter {
    fn handle_checkout(&self, event: r2d2::event::CheckoutEvent) {
        let waited = u64::try_from(event.duration().as_micros()).unwrap_or(u64::MAX);
        self.0.checkouts.fetch_add(1, Ordering::Relaxed);
        self.0.wait_micros.fetch_add(waited, Ordering::Relaxed);
    }

    fn handle_timeout(&self, _: r2d2::event::TimeoutEvent) {
        self.0.timeouts.fetch_add(1, Ordering::Relaxed);
    }
}

/// Opens the pool and checks the database answers. Creates the SQLite file's
/// folder; never creates a PostgreSQL database.
/// One connection, without a pool (and so without the pool's threads):
/// for a short command that must exit cleanly with its own code.
pub fn connect_one(url: &DbUrl) -> Result<AnyConnection, String> {
    Manager::new(url.clone())
        .open()
        .map_err(|e| format!("cannot open the database: {e}"))
}

pub fn connect(url: &DbUrl, max_size: u32) -> Result<Pool, String> {
    connect_logged(url, max_size, None, None)
}

/// `connect`, with every statement recorded in `log` and the checkout
/// waits counted into `waits` when given.
pub fn connect_logged(
    url: &DbUrl,
    max_size: u32,
    log: Option<QueryLog>,
    waits: Option<Arc<PoolWaits>>,
) -> Result<Pool, String> {
    if let DbUrl::Sqlite(path) = url {
        let p = std::path::Path::new(path);
        if let Some(parent) = p.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
    }
    // Try once by hand so an unreachable database gives its own message.
    let manager = Manager {
        url: url.clone(),
        log,
    };
    manager
        .open()
        .map_err(|e| format!("cannot open the database: {e}"))?;
    // Connections are not pinged on every checkout (a round trip per
    // page); a broken one is noticed by `has_broken` and replaced.
    let mut builder = r2d2::Pool::builder();
    if let Some(waits) = waits {
        builder = builder.event_handler(Box::new(WaitCounter(waits)));
    }
    builder
        .max_size(max_size)
        .min_idle(Some(1))
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .map_err(|e| format!("cannot open the database: {e}"))
}

pub fn run_migrations(conn: &mut AnyConnection) -> Result<(), String> {
    let result = match conn {
        AnyConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
    };
    result.map_err(|e| format!("migrations failed: {e}"))?;
    analyze_new_indexes(conn)
        .map(|_| ())
        .map_err(|e| format!("index statistics failed: {e}"))
}

/// On a SQLite database that keeps planner statistics (`ANALYZE` ran on
/// it once), gives every index that has none yet its statistics. SQLite
/// takes an index without statistics for a very selective one, so an index
/// a migration adds would otherwise be preferred over the right one (a
/// partner's requests sorted by date through an index by id: a sort of
/// every request of the partner, on every page). PostgreSQL analyses
/// tables by itself.
pub fn analyze_new_indexes(conn: &mut AnyConnection) -> QueryResult<usize> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    if conn.is_postgres() {
        return Ok(0);
    }
    let kept: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
    )
    .load(conn)?;
    if kept.is_empty() {
        return Ok(0);
    }
    let missing: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' \
         AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)",
    )
    .load(conn)?;
    for index in &missing {
        // Names come from the schema, never from input.
        conn.batch_execute(&format!(
            "PRAGMA analysis_limit = 1000; ANALYZE \"{}\";",
            index.name.replace('"', "\"\"")
        ))?;
    }
    Ok(missing.len())
}

/// Runs blocking database work on the blocking thread pool, with
/// PostgreSQL's own plan choice.
pub async fn run<T, F>(pool: &Pool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    run_planned(pool, Plans::Auto, f).await
}

/// `run`, with the statements planned as `plans` asks (PostgreSQL).
pub async fn run_planned<T, F>(pool: &Pool, plans: Plans, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get().map_err(|_| AppError::Unavailable)?;
        conn.plan(plans)?;
        f(&mut conn)
    })
    .await
    .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
}

/// Runs a short read for a page right here on the HTTP worker when a
/// connection is idle in the pool, and through `run` when none is. On
/// SQLite the indexed reads of a page take tens of microseconds; on
/// PostgreSQL a few round trips of a fraction of a millisecond each. Both
/// are less than handing the work to the blocking pool and back (two
/// thread switches and a wake-up each way, twice a page with the session
/// read). Only for reads bounded by a page (index lookups and a page of
/// rows): while it runs, nothing else on this worker does. Never for a
/// write, which could wait on SQLite's busy timeout or on a PostgreSQL row
/// lock, nor for a count, report or export whose cost grows with the data.
pub async fn read<T, F>(pool: &Pool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    read_planned(pool, Plans::Auto, f).await
}

/// `read`, with the statements planned as `plans` asks (PostgreSQL).
pub async fn read_planned<T, F>(pool: &Pool, plans: Plans, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    if let Some(mut conn) = pool.try_get() {
        conn.plan(plans)?;
        return f(&mut conn);
    }
    run_planned(pool, plans, f).await
}

/// `read` when `short` (the work is bounded by a page), `run` when not:
/// for a page whose read is short unless a figure it keeps must be
/// counted again.
pub async fn read_if<T, F>(pool: &Pool, short: bool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    read_planned_if(pool, Plans::Auto, short, f).await
}

/// `read_if`, with the statements planned as `plans` asks (PostgreSQL).
pub async fn read_planned_if<T, F>(
    pool: &Pool,
    plans: Plans,
    short: bool,
    f: F,
) -> Result<T, AppError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    if short {
        read_planned(pool, plans, f).await
    } else {
        run_planned(pool, plans, f).await
    }
}

/// A write transaction. On SQLite it starts with `BEGIN IMMEDIATE`, so two
/// writers queue on the busy timeout instead of failing with "locked".
pub fn write_tx<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        AnyConnection::Postgres(_) => conn.transaction(f),
        AnyConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            match f(conn) {
                Ok(value) => {
                    commit(conn)?;
                    Ok(value)
                }
                Err(e) => {
                    let _ = <AnyConnection as Connection>::TransactionManager::rollback_transaction(
                        conn,
                    );
                    Err(e)
                }
            }
        }
    }
}

/// How many times `write_tx_retrying` runs its work in all.
const UNIQUE_RACE_ATTEMPTS: usize = 3;

/// A write transaction that is run again when it lost a race on a unique
/// constraint. Two requests that both checked "not there yet" and both
/// inserted make one of them fail on the constraint (PostgreSQL; SQLite's
/// `BEGIN IMMEDIATE` already runs writers one after the other). The rerun
/// sees the row the other committed, so it takes the path the form takes
/// for it: the existing record, or a clear message.
pub fn write_tx_retrying<T, F>(conn: &mut AnyConnection, mut f: F) -> Result<T, AppError>
where
    F: FnMut(&mut AnyConnection) -> Result<T, AppError>,
{
    let mut attempt = 1;
    loop {
        match write_tx(conn, &mut f) {
            Err(AppError::Duplicate) if attempt < UNIQUE_RACE_ATTEMPTS => attempt += 1,
            other => return other,
        }
    }
}

/// Whether the database refused a row because a unique constraint holds
/// one like it already.
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Locks a row for the rest of the write transaction, so a concurrent
/// writer that checks the same rule waits for this one to commit. A no-op
/// on SQLite, where `BEGIN IMMEDIATE` already serialises writers.
pub fn lock_row(conn: &mut AnyConnection, table: &'static str, id: i64) -> QueryResult<()> {
    if let AnyConnection::Postgres(pg) = conn {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE"))
            .bind::<diesel::sql_types::BigInt, _>(id)
            .execute(pg)?;
    }
    Ok(())
}

fn commit(conn: &mut AnyConnection) -> QueryResult<()> {
    let result = <AnyConnection as Connection>::TransactionManager::commit_transaction(conn);
    if result.is_err() {
        let _ = <AnyConnection as Connection>::TransactionManager::rollback_transaction(conn);
    }
    result
}

/// A statement written with PostgreSQL's `$1`..`$9` placeholders in
/// SQLite's numbered form (`?1`..`?9`), so one text serves both.
pub fn sqlite_placeholders(sql: &str) -> String {
    let mut out = sql.to_string();
    for n in (1..=9).rev() {
        out = out.replace(&format!("${n}"), &format!("?{n}"));
    }
    out
}

/// Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        assert_eq!(
            DbUrl::parse("postgres://u@h/db").unwrap(),
            DbUrl::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            DbUrl::parse("sqlite://data/a.db").unwrap(),
            DbUrl::Sqlite("data/a.db".into())
        );
        assert_eq!(
            DbUrl::parse("./x.db").unwrap(),
            DbUrl::Sqlite("./x.db".into())
        );
        assert!(DbUrl::parse("postgress://x").is_err());
        assert!(DbUrl::parse("mysql://x").is_err());
        assert!(DbUrl::parse("").is_err());
        assert!(DbUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn escapes_like() {
        assert_eq!(like_escape("50%_a\\"), "50\\%\\_a\\\\");
    }
}
