//! Files on ticket messages. The bytes are kept once per content under the
//! attachments folder (`ab/abcdef…`, by SHA-256); each attachment row says
//! which message carries a file, under which name, and its type, read from
//! the content (never from the name). Who may fetch one is who may see its
//! message; files of internal notes stay on the desk.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use diesel::prelude::*;
use sha2::{Digest, Sha256};
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{attachment_files, attachments};

/// How many files a message may carry, and how large each may be.
#[derive(Clone, Debug)]
pub struct Rules {
    pub dir: PathBuf,
    pub max_bytes: u64,
    pub max_count: usize,
}

/// A file kept in the folder, not yet named by a message.
#[derive(Debug, Clone)]
pub struct Kept {
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attachments)]
pub struct Attachment {
    pub id: i64,
    pub ticket_id: i64,
    pub message_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: PrimitiveDateTime,
}

impl Attachment {
    /// Where it is fetched.
    pub fn url(&self) -> String {
        format!("/attachments/{}/{}", self.id, url_segment(&self.filename))
    }

    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }

    pub fn size_text(&self) -> String {
        size_text(self.size)
    }
}

/// "640 B", "12 KB", "3.4 MB".
pub fn size_text(bytes: i64) -> String {
    let b = bytes as f64;
    if b < 1024.0 {
        format!("{bytes} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.0} KB", (b / 1024.0).ceil())
    } else {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    }
}

/// The name with every byte but letters, digits, `.`, `-` and `_`
/// percent-encoded: for a path segment and for RFC 6266's `filename*`.
pub fn url_segment(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A name safe to show and to offer for saving: no folders, no control
/// characters, at most 150 characters; "file" when nothing is left.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .take(150)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_string();
    if cleaned.is_empty() {
        "file".to_string()
    } else {
        cleaned
    }
}

/// The types a file is served as; anything else goes out as
/// `application/octet-stream`, whatever its content looks like.
const SERVED_AS_IS: [&str; 9] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain; charset=utf-8",
    "application/zip",
    "audio/mpeg",
    "video/mp4",
];

impl Attachment {
    /// The Content-Type it is served with.
    pub fn served_type(&self) -> &str {
        if SERVED_AS_IS.contains(&self.content_type.as_str()) {
            &self.content_type
        } else {
            "application/octet-stream"
        }
    }
}

/// The type the content shows (by its first bytes), not the one its name
/// claims: text only when it reads as UTF-8, bytes otherwise.
pub fn sniff(content: &[u8]) -> String {
    if let Some(kind) = infer::get(content) {
        return kind.mime_type().to_string();
    }
    if std::str::from_utf8(content).is_ok() {
        "text/plain; charset=utf-8".to_string()
    } else {
        "application/octet-stream".to_string()
    }
}

impl Rules {
    /// Where a file with this digest is kept.
    pub fn path(&self, sha256: &str) -> PathBuf {
        self.dir.join(&sha256[..2]).join(sha256)
    }

    /// Keeps the bytes (once per content: a second copy is the same file);
    /// the file is written whole before it takes its name.
    pub fn keep(&self, filename: &str, content: &[u8]) -> std::io::Result<Kept> {
        let sha256 = hex::encode(Sha256::digest(content));
        let path = self.path(&sha256);
        // Written every time (the same bytes replace the same bytes), so a
        // clean-up removing an unnamed copy at this moment loses nothing.
        let folder = path.parent().expect("a folder");
        std::fs::create_dir_all(folder)?;
        let tmp = folder.join(format!(".{sha256}.{}", uuid::Uuid::new_v4().simple()));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(content)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        Ok(Kept {
            filename: clean_name(filename),
            content_type: sniff(content),
            size: content.len() as i64,
            sha256,
        })
    }
}

/// Registers kept files, so that the clean-up removes them if no message
/// ends up naming them.
pub fn register(conn: &mut AnyConnection, files: &[Kept]) -> QueryResult<()> {
    let now = crate::models::now();
    for f in files {
        let upsert = diesel::insert_into(attachment_files::table)
            .values((
                attachment_files::sha256.eq(&f.sha256),
                attachment_files::size.eq(f.size),
                attachment_files::created_at.eq(now),
            ))
            .on_conflict(attachment_files::sha256)
            .do_update()
            .set(attachment_files::created_at.eq(now));
        match conn {
            AnyConnection::Postgres(c) => upsert.execute(c)?,
            AnyConnection::Sqlite(c) => upsert.execute(c)?,
        };
    }
    Ok(())
}

/// Names the kept files as the message's attachments. Call in the
/// transaction that writes the message.
pub fn attach(
    conn: &mut AnyConnection,
    ticket_id: i64,
    message_id: i64,
    files: &[Kept],
) -> QueryResult<()> {
    let now = crate::models::now();
    // A fresh date on each file's row keeps the clean-up off a file that
    // is being named again.
    register(conn, files)?;
    for f in files {
        diesel::insert_into(attachments::table)
            .values((
                attachments::ticket_id.eq(ticket_id),
                attachments::message_id.eq(message_id),
                attachments::filename.eq(&f.filename),
                attachments::content_type.eq(&f.content_type),
                attachments::size.eq(f.size),
                attachments::sha256.eq(&f.sha256),
                attachments::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The attachments of these messages, by message.
pub fn of_messages(
    conn: &mut AnyConnection,
    message_ids: &[i64],
) -> QueryResult<HashMap<i64, Vec<Attachment>>> {
    if message_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<Attachment> = attachments::table
        .filter(conn.in_ids("attachments.message_id", message_ids))
        .order(attachments::id.asc())
        .select(Attachment::as_select())
        .load(conn)?;
    let mut out: HashMap<i64, Vec<Attachment>> = HashMap::new();
    for a in rows {
        out.entry(a.message_id).or_default().push(a);
    }
    Ok(out)
}

/// The attachment with its message's `internal` flag.
pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<(Attachment, bool)>> {
    attachments::table
        .inner_join(crate::schema::ticket_messages::table)
        .filter(attachments::id.eq(id))
        .select((
            Attachment::as_select(),
            crate::schema::ticket_messages::internal,
        ))
        .first(conn)
        .optional()
}

/// Removes up to `batch` kept files that no attachment names any more
/// (their ticket or account was deleted) and that were not named again in
/// the last hour; returns how many.
pub fn purge_unnamed(conn: &mut AnyConnection, rules: &Rules, batch: i64) -> QueryResult<usize> {
    let cutoff = crate::models::now() - time::Duration::hours(1);
    let named = attachments::table
        .filter(attachments::sha256.eq(attachment_files::sha256))
        .select(attachments::id);
    let unnamed: Vec<String> = attachment_files::table
        .filter(attachment_files::created_at.lt(cutoff))
        .filter(diesel::dsl::not(diesel::dsl::exists(named)))
        .order(attachment_files::created_at.asc())
        .select(attachment_files::sha256)
        .limit(batch)
        .load(conn)?;
    let mut n = 0;
    for sha in unnamed {
        let gone = diesel::delete(
            attachment_files::table
                .find(&sha)
                .filter(attachment_files::created_at.lt(cutoff)),
        )
        .execute(conn)?;
        if gone == 1 {
            let _ = std::fs::remove_file(rules.path(&sha));
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\me\\photo.jpg"), "photo.jpg");
        assert_eq!(clean_name("a\u{0}b\"c.txt"), "abc.txt");
        assert_eq!(clean_name(".htaccess"), "htaccess");
        assert_eq!(clean_name(""), "file");
        assert_eq!(clean_name("发票.pdf"), "发票.pdf");
    }

    #[test]
    fn types_come_from_the_content() {
        let png = [
            0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d,
        ];
        assert_eq!(sniff(&png), "image/png");
        assert_eq!(sniff(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(sniff("plain words".as_bytes()), "text/plain; charset=utf-8");
        assert_eq!(sniff(&[0xff, 0x00, 0x13]), "application/octet-stream");
        // An HTML page named .png is still not an image, and is served as
        // bytes.
        let page = sniff(b"<html><script>x</script></html>");
        assert!(!page.starts_with("image/"));
        let a = Attachment {
            id: 1,
            ticket_id: 1,
            message_id: 1,
            filename: "x.png".into(),
            content_type: page,
            size: 1,
            sha256: "00".into(),
            created_at: crate::models::now(),
        };
        assert!(matches!(
            a.served_type(),
            "application/octet-stream" | "text/plain; charset=utf-8"
        ));
    }
}
