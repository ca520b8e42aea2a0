//! actix-session's store kept in the database, so ending a session on the
//! server really ends it: a replayed cookie then finds nothing.

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration as CookieDuration;
use time::Duration;

use crate::db::{self, Pool};
use crate::models::{self, sessions};

#[derive(Clone)]
pub struct DbSessionStore {
    pool: Pool,
    absolute: Duration,
    idle: Duration,
}

impl DbSessionStore {
    pub fn new(
        pool: Pool,
        absolute: std::time::Duration,
        idle: std::time::Duration,
    ) -> DbSessionStore {
        DbSessionStore {
            pool,
            absolute: Duration::try_from(absolute).unwrap_or(Duration::days(14)),
            idle: Duration::try_from(idle).unwrap_or(Duration::hours(2)),
        }
    }

    /// The idle expiry of a session active now. The cookie itself lives
    /// for the absolute lifetime; the server ends idle sessions.
    fn expiry(&self) -> time::PrimitiveDateTime {
        models::now() + self.idle
    }
}

type State = HashMap<String, String>;

/// Values in the state are JSON; strings come back without their quotes.
fn field(state: &State, key: &str) -> Option<String> {
    let raw = state.get(key)?;
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::String(s)) => Some(s),
        Ok(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

fn key_hash(key: &SessionKey) -> String {
    models::tokens::hash(key.as_ref())
}

struct Columns {
    state: String,
    user_id: Option<i64>,
    public_id: String,
    agent: Option<String>,
    ip: Option<String>,
}

fn columns(state: &State) -> Result<Columns, serde_json::Error> {
    Ok(Columns {
        state: serde_json::to_string(state)?,
        user_id: field(state, crate::auth::SESSION_USER).and_then(|v| v.parse().ok()),
        public_id: field(state, crate::auth::SESSION_PUBLIC_ID)
            .unwrap_or_else(|| crate::auth::random_id(12)),
        agent: field(state, crate::auth::SESSION_AGENT),
        ip: field(state, crate::auth::SESSION_IP),
    })
}

async fn blocking<T: Send + 'static>(
    pool: &Pool,
    f: impl FnOnce(&mut db::AnyConnection) -> diesel::QueryResult<T> + Send + 'static,
) -> Result<T, anyhow::Error> {
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        Ok::<T, anyhow::Error>(f(&mut conn)?)
    })
    .await?
}

/// A short read of the store: on the HTTP worker when a connection is idle
/// (see `db::read`), on the blocking pool when none is.
async fn read<T: Send + 'static>(
    pool: &Pool,
    f: impl FnOnce(&mut db::AnyConnection) -> diesel::QueryResult<T> + Send + 'static,
) -> Result<T, anyhow::Error> {
    if let Some(mut conn) = pool.try_get() {
        return Ok(f(&mut conn)?);
    }
    blocking(pool, f).await
}

async fn insert_new(
    pool: &Pool,
    state: State,
    expires_at: time::PrimitiveDateTime,
) -> Result<SessionKey, anyhow::Error> {
    let cols = columns(&state)?;
    let key = crate::auth::random_id(48);
    let session_key = SessionKey::try_from(key.clone())?;
    let id = key_hash(&session_key);
    blocking(pool, move |conn| {
        let now = models::now();
        sessions::insert(
            conn,
            &sessions::NewSession {
                id: &id,
                public_id: &cols.public_id,
                user_id: cols.user_id,
                state: &cols.state,
                user_agent: cols.agent.as_deref(),
                ip: cols.ip.as_deref(),
                created_at: now,
                last_seen_at: now,
                expires_at,
            },
        )
    })
    .await?;
    Ok(session_key)
}

impl SessionStore for DbSessionStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<State>, LoadError> {
        let id = key_hash(session_key);
        let absolute = self.absolute;
        let expires_at = self.expiry();
        // Every signed-in request reads its session: one key lookup, read on
        // the worker like a page's reads.
        let read_id = id.clone();
        let row = read(&self.pool, move |conn| {
            sessions::load_with_user(conn, &read_id, absolute)
        })
        .await
        .map_err(LoadError::Other)?;
        // Activity pushes the idle expiry forward, written at most once a
        // minute per session (reading a page costs no write otherwise), and
        // on the blocking pool: a write may wait for another writer.
        if let Some((r, _)) = &row
            && r.last_seen_at < models::now() - Duration::minutes(1)
        {
            blocking(&self.pool, move |conn| {
                sessions::touch(conn, &id, expires_at)
            })
            .await
            .map_err(LoadError::Other)?;
        }
        match row {
            None => Ok(None),
            Some((row, user)) => {
                if let Some(u) = user {
                    preloaded::keep(u);
                }
                serde_json::from_str(&row.state)
                    .map(Some)
                    .map_err(|e| LoadError::Deserialization(e.into()))
            }
        }
    }

    async fn save(&self, state: State, _ttl: &CookieDuration) -> Result<SessionKey, SaveError> {
        insert_new(&self.pool, state, self.expiry())
            .await
            .map_err(SaveError::Other)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        state: State,
        _ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let cols = columns(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let id = key_hash(&session_key);
        let expires_at = self.expiry();
        let changed = blocking(&self.pool, move |conn| {
            sessions::update_state(
                conn,
                &id,
                &sessions::StateUpdate {
                    state: &cols.state,
                    user_id: cols.user_id,
                    public_id: &cols.public_id,
                    user_agent: cols.agent.as_deref(),
                    ip: cols.ip.as_deref(),
                    expires_at,
                },
            )
        })
        .await
        .map_err(UpdateError::Other)?;
        if changed == 1 {
            return Ok(session_key);
        }
        // The row was ended meanwhile: start afresh under a new key, but
        // never carry a signed-in identity into it.
        let mut state = state;
        state.remove(crate::auth::SESSION_USER);
        insert_new(&self.pool, state, expires_at)
            .await
            .map_err(UpdateError::Other)
    }

    /// Not called (cookies are renewed on state changes only); the idle
    /// expiry moves forward in `load`.
    async fn update_ttl(
        &self,
        _session_key: &SessionKey,
        _ttl: &CookieDuration,
    ) -> Result<(), anyhow::Error> {
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        let id = key_hash(session_key);
        blocking(&self.pool, move |conn| sessions::delete(conn, &id)).await
    }
}

/// The account read with a session, handed to the request's context on the
/// same worker thread so that a signed-in page reads it once. Keyed by the
/// account, taken once, and only within a second of being read.
pub mod preloaded {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::time::{Duration, Instant};

    use crate::models::users::User;

    const FRESH: Duration = Duration::from_secs(1);
    const MAX: usize = 256;

    thread_local! {
        static KEPT: RefCell<HashMap<i64, (Instant, User)>> = RefCell::new(HashMap::new());
    }

    pub fn keep(user: User) {
        KEPT.with(|k| {
            let mut k = k.borrow_mut();
            if k.len() >= MAX {
                k.retain(|_, (at, _)| at.elapsed() < FRESH);
                if k.len() >= MAX {
                    k.clear();
                }
            }
            k.insert(user.id, (Instant::now(), user));
        });
    }

    /// The account `id` read with this request's session, if it was.
    pub fn take(id: i64) -> Option<User> {
        KEPT.with(|k| k.borrow_mut().remove(&id))
            .filter(|(at, _)| at.elapsed() < FRESH)
            .map(|(_, u)| u)
    }
}
