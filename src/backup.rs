//! `agora backup DIR` and `agora restore DIR` for a SQLite database.
//!
//! A backup is a new folder with a consistent copy of the database made by
//! `VACUUM INTO` (one read transaction: every write committed before it
//! began is in it, and the portal keeps serving and writing meanwhile), the
//! secret key file when the key is kept in one, the attachments folder when
//! there is one, and `manifest.json`, written last, which says what is there
//! and the database copy's SHA-256. A folder without the manifest is not a
//! backup. PostgreSQL is backed up with `pg_dump`.

use std::io::Read;
use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::config::{Settings, attachments_dir, secret_from_env, secret_key_file};
use crate::db::{AnyConnection, DbUrl};

pub const DATABASE_FILE: &str = "agora.db";
pub const MANIFEST_FILE: &str = "manifest.json";
pub const SECRET_KEY_FILE: &str = "secret.key";
pub const ATTACHMENTS_DIR: &str = "attachments";
const FORMAT: u32 = 1;

const PG_BACKUP: &str = "on PostgreSQL, back up with pg_dump: \
    `pg_dump --format=custom --file agora.dump \"$DATABASE_URL\"` \
    (restore with `pg_restore --clean --if-exists --no-owner --dbname \"$DATABASE_URL\" agora.dump`), \
    and keep the secret key (AGORA_SECRET_KEY, or ./data/secret.key) and ./data/attachments, \
    when there is one, with it";

/// What a backup folder holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub agora_version: String,
    /// When the copy was started (RFC 3339, UTC).
    pub created_at: String,
    /// The database it was copied from.
    pub source: String,
    pub database: String,
    pub database_bytes: u64,
    pub database_sha256: String,
    /// The newest migration applied to the copy.
    pub migration: Option<String>,
    /// The secret key file, when the key was kept in one.
    pub secret_key: Option<String>,
    /// The attachments folder, when there was one.
    pub attachments: Option<String>,
}

fn sqlite_path(settings: &Settings, pg: &str) -> Result<PathBuf, String> {
    match &settings.database_url {
        DbUrl::Sqlite(path) => Ok(PathBuf::from(path)),
        DbUrl::Postgres(_) => Err(pg.to_string()),
    }
}

fn io(what: &str, path: &Path) -> impl FnOnce(std::io::Error) -> String {
    let place = format!("{what} {}", path.display());
    move |e| format!("cannot {place}: {e}")
}

/// Copies the live database (and the key file and attachments) into `dir`,
/// which must not exist or be empty.
pub fn backup(settings: &Settings, dir: &Path) -> Result<Manifest, String> {
    let source = sqlite_path(settings, PG_BACKUP)?;
    if !source.is_file() {
        return Err(format!(
            "there is no SQLite database at {}",
            source.display()
        ));
    }
    make_empty_dir(dir)?;
    let created_at = now_rfc3339();
    let copy = dir.join(DATABASE_FILE);
    let copy_text = copy
        .to_str()
        .ok_or_else(|| format!("{} is not valid UTF-8", copy.display()))?
        .to_string();
    {
        let mut conn = open(&source)?;
        // A read transaction: writers go on meanwhile (WAL).
        diesel::sql_query("VACUUM INTO ?")
            .bind::<diesel::sql_types::Text, _>(&copy_text)
            .execute(&mut conn)
            .map_err(|e| format!("cannot copy {}: {e}", source.display()))?;
    }
    let migration = {
        let mut conn = open(&copy)?;
        // One self-contained file, whatever the source's journal.
        conn.batch_execute("PRAGMA journal_mode = DELETE")
            .map_err(|e| format!("cannot finish the copy: {e}"))?;
        integrity(&mut conn).map_err(|e| format!("the copy is damaged: {e}"))?;
        newest_migration(&mut conn)?
    };
    sync(&copy)?;
    let (database_bytes, database_sha256) = digest(&copy)?;

    let secret_key = if !secret_from_env() && secret_key_file().is_file() {
        let to = dir.join(SECRET_KEY_FILE);
        copy_private(&secret_key_file(), &to)?;
        Some(SECRET_KEY_FILE.to_string())
    } else {
        None
    };
    let attachments = if attachments_dir().is_dir() {
        copy_tree(&attachments_dir(), &dir.join(ATTACHMENTS_DIR))?;
        Some(ATTACHMENTS_DIR.to_string())
    } else {
        None
    };
    let manifest = Manifest {
        format: FORMAT,
        agora_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at,
        source: source.display().to_string(),
        database: DATABASE_FILE.to_string(),
        database_bytes,
        database_sha256,
        migration,
        secret_key,
        attachments,
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    let partial = dir.join(format!("{MANIFEST_FILE}.partial"));
    std::fs::write(&partial, text + "\n").map_err(io("write", &partial))?;
    sync(&partial)?;
    std::fs::rename(&partial, dir.join(MANIFEST_FILE)).map_err(io("write", &partial))?;
    sync_dir(dir);
    Ok(manifest)
}

/// What `restore` did, for the operator.
pub struct Restored {
    pub manifest: Manifest,
    pub target: PathBuf,
    /// Where the database that was there before went.
    pub previous: Option<PathBuf>,
    pub notes: Vec<String>,
}

/// Puts the backup in `dir` in place of the configured database. Refuses
/// while another process has that database open (a running portal).
pub fn restore(settings: &Settings, dir: &Path) -> Result<Restored, String> {
    let target = sqlite_path(
        settings,
        "on PostgreSQL, restore a pg_dump backup with pg_restore \
         (`pg_restore --clean --if-exists --no-owner --dbname \"$DATABASE_URL\" agora.dump`)",
    )?;
    let manifest_path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&manifest_path).map_err(|e| {
        format!(
            "{} is not a complete backup ({}: {e})",
            dir.display(),
            manifest_path.display()
        )
    })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| format!("{} is damaged: {e}", manifest_path.display()))?;
    if manifest.format != FORMAT {
        return Err(format!(
            "{} is a backup of format {}; this Agora reads format {FORMAT}",
            dir.display(),
            manifest.format
        ));
    }
    let copy = dir.join(&manifest.database);
    let (bytes, sha) = digest(&copy)?;
    if bytes != manifest.database_bytes || sha != manifest.database_sha256 {
        return Err(format!(
            "{} is not the file the backup wrote (its size or SHA-256 differs)",
            copy.display()
        ));
    }
    if let Some(parent) = target.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(io("create", parent))?;
    }
    if target.exists() && in_use(&target)? {
        return Err(format!(
            "the database at {} is in use: stop the portal first",
            target.display()
        ));
    }
    let incoming = with_suffix(&target, ".restoring");
    std::fs::copy(&copy, &incoming).map_err(io("write", &incoming))?;
    let checked = (|| {
        let mut conn = open(&incoming)?;
        integrity(&mut conn).map_err(|e| format!("the backup is damaged: {e}"))?;
        let unknown = crate::check::unknown_migrations(&mut AnyConnection::Sqlite(conn))?;
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the backup has migrations this build does not know ({}): restore it with the \
                 Agora version that made it ({})",
                unknown.join(", "),
                manifest.agora_version
            ))
        }
    })();
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&incoming);
        return Err(e);
    }
    sync(&incoming)?;
    // The database there, and any journal beside it (a journal left next to
    // the new file would be played into it), go aside.
    let aside = with_suffix(&target, &format!(".before-restore-{}", stamp()));
    let previous = if target.exists() {
        std::fs::rename(&target, &aside).map_err(io("move aside", &target))?;
        Some(aside.clone())
    } else {
        None
    };
    for extra in ["-wal", "-shm", "-journal"] {
        let side = with_suffix(&target, extra);
        if side.exists() {
            std::fs::rename(&side, with_suffix(&aside, extra)).map_err(io("move aside", &side))?;
        }
    }
    std::fs::rename(&incoming, &target).map_err(io("move into place", &incoming))?;
    if let Some(parent) = target.parent() {
        sync_dir(parent);
    }

    let mut notes = Vec::new();
    if let Some(key) = &manifest.secret_key {
        let from = dir.join(key);
        let to = secret_key_file();
        if secret_from_env() {
            notes.push(format!(
                "AGORA_SECRET_KEY is set, so the backup's key file ({}) was not installed",
                from.display()
            ));
        } else if !to.exists() {
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(io("create", parent))?;
            }
            copy_private(&from, &to)?;
            notes.push(format!("secret key installed at {}", to.display()));
        } else if std::fs::read(&to).ok() != std::fs::read(&from).ok() {
            notes.push(format!(
                "kept the existing secret key {}; the backup's differs (it is {}): sessions \
                 and links made before the backup need that one",
                to.display(),
                from.display()
            ));
        }
    }
    if let Some(name) = &manifest.attachments {
        let to = attachments_dir();
        if to.exists() {
            let aside = with_suffix(&to, &format!(".before-restore-{}", stamp()));
            std::fs::rename(&to, &aside).map_err(io("move aside", &to))?;
            notes.push(format!(
                "the attachments that were there are in {}",
                aside.display()
            ));
        }
        copy_tree(&dir.join(name), &to)?;
        notes.push(format!("attachments restored into {}", to.display()));
    }
    Ok(Restored {
        manifest,
        target,
        previous,
        notes,
    })
}

/// Whether another connection has the database open. A connection to a
/// WAL database holds a shared lock on it as long as it is open, so leaving
/// WAL (which needs the only one) fails while the portal runs. Leaving WAL
/// changes nothing else: the portal turns it on again when it opens it.
fn in_use(path: &Path) -> Result<bool, String> {
    let mut conn = open(path)?;
    conn.batch_execute("PRAGMA busy_timeout = 0")
        .map_err(|e| e.to_string())?;
    let mode: Result<JournalMode, _> =
        diesel::sql_query("PRAGMA journal_mode = DELETE").get_result(&mut conn);
    match mode {
        Ok(m) => Ok(!m.journal_mode.eq_ignore_ascii_case("delete")),
        Err(e) if e.to_string().contains("locked") || e.to_string().contains("busy") => Ok(true),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

#[derive(QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = diesel::sql_types::Text)]
    journal_mode: String,
}

#[derive(QueryableByName)]
struct Integrity {
    #[diesel(sql_type = diesel::sql_types::Text)]
    integrity_check: String,
}

/// `PRAGMA integrity_check`: `Ok` when it says "ok".
pub fn integrity(conn: &mut SqliteConnection) -> Result<(), String> {
    let rows: Vec<Integrity> = diesel::sql_query("PRAGMA integrity_check")
        .load(conn)
        .map_err(|e| e.to_string())?;
    match rows.as_slice() {
        [one] if one.integrity_check == "ok" => Ok(()),
        _ => Err(rows
            .iter()
            .map(|r| r.integrity_check.as_str())
            .collect::<Vec<_>>()
            .join("; ")),
    }
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    version: Option<String>,
}

fn newest_migration(conn: &mut SqliteConnection) -> Result<Option<String>, String> {
    let row: Version =
        diesel::sql_query("SELECT MAX(version) AS version FROM __diesel_schema_migrations")
            .get_result(conn)
            .map_err(|e| format!("the database has no migrations table: {e}"))?;
    Ok(row.version)
}

fn open(path: &Path) -> Result<SqliteConnection, String> {
    let text = path
        .to_str()
        .ok_or_else(|| format!("{} is not valid UTF-8", path.display()))?;
    let mut conn = SqliteConnection::establish(text)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    conn.batch_execute("PRAGMA busy_timeout = 5000")
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    Ok(conn)
}

fn make_empty_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(io("read", dir))?;
        if entries.next().is_some() {
            return Err(format!(
                "{} is not empty: give a new folder for the backup",
                dir.display()
            ));
        }
    } else {
        std::fs::create_dir_all(dir).map_err(io("create", dir))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(io("restrict", dir))?;
    }
    Ok(())
}

fn digest(path: &Path) -> Result<(u64, String), String> {
    let mut file = std::fs::File::open(path).map_err(io("read", path))?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(io("read", path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, hex::encode(hasher.finalize())))
}

fn sync(path: &Path) -> Result<(), String> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io("sync", path))
}

/// Makes a rename in `dir` durable (best effort: not every system can).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Copies a file that only its owner may read.
fn copy_private(from: &Path, to: &Path) -> Result<(), String> {
    let data = std::fs::read(from).map_err(io("read", from))?;
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(to)
            .map_err(io("write", to))?;
        f.write_all(&data).map_err(io("write", to))?;
        f.sync_all().map_err(io("sync", to))?;
    }
    #[cfg(not(unix))]
    std::fs::write(to, &data).map_err(io("write", to))?;
    Ok(())
}

/// Copies a folder with everything in it (symbolic links are left out).
fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(io("create", to))?;
    for entry in std::fs::read_dir(from).map_err(io("read", from))? {
        let entry = entry.map_err(io("read", from))?;
        let kind = entry.file_type().map_err(io("read", &entry.path()))?;
        let dest = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &dest).map_err(io("copy", &entry.path()))?;
        }
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn stamp() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
