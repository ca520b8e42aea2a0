//! Reply forms that may carry files: the same handler reads a plain form
//! (`application/x-www-form-urlencoded`) or one with files
//! (`multipart/form-data`, its CSRF token in the action's query string).
//! Files are read into memory within the limits and checked all together
//! before any is kept: a reply with one file too many or too large is
//! refused whole, with its text kept for the form.

use std::time::Duration;

use actix_multipart::Multipart;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;

use crate::error::AppError;
use crate::support::attachments::{self, Kept, Rules};

/// A reply form as sent.
#[derive(Debug, Default)]
pub struct Sent {
    pub fields: Vec<(String, String)>,
    /// Chosen files: name and bytes.
    pub files: Vec<(String, Vec<u8>)>,
    /// Files over the limits: name and why (`too-large`, `too-many`).
    pub refused: Vec<(String, &'static str)>,
}

impl Sent {
    pub fn field(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The message saying which files were refused, in the reader's words.
    pub fn refusal(&self, lang: crate::i18n::Lang) -> Option<String> {
        let (name, why) = self.refused.first()?;
        let key = if *why == "too-large" {
            "upload-too-large"
        } else {
            "upload-too-many"
        };
        Some(lang.t_args(key, &[("name", name.as_str().into())]))
    }

    /// Keeps the files (off the event loop); registered, so that unused
    /// ones are cleaned up.
    pub async fn keep(
        &mut self,
        pool: &crate::db::Pool,
        rules: &Rules,
    ) -> Result<Vec<Kept>, AppError> {
        if self.files.is_empty() {
            return Ok(Vec::new());
        }
        let (files, rules) = (std::mem::take(&mut self.files), rules.clone());
        let kept = web::block(move || {
            files
                .iter()
                .map(|(name, bytes)| rules.keep(name, bytes))
                .collect::<std::io::Result<Vec<Kept>>>()
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("cannot keep a file: {e}")))?;
        let registered = kept.clone();
        crate::db::run(pool, move |conn| {
            Ok(attachments::register(conn, &registered)?)
        })
        .await?;
        Ok(kept)
    }
}

/// Whether the request carries a form with files.
pub fn is_multipart(headers: &actix_web::http::header::HeaderMap) -> bool {
    headers
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// A text field longer than this is refused as a bad request.
const MAX_FIELD: usize = 64 * 1024;

/// A form with more parts than this is refused as a bad request.
const MAX_PARTS: usize = 50;

/// Forms with files read at the same time.
static UPLOADS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Reads the form, either kind.
pub async fn read(
    req: &HttpRequest,
    payload: web::Payload,
    rules: &Rules,
    timeout: Duration,
) -> Result<Sent, AppError> {
    if !is_multipart(req.headers()) {
        // The CSRF check read this body already; it is small.
        let bytes = payload
            .to_bytes_limited(crate::auth::csrf::MAX_BODY)
            .await
            .map_err(|_| AppError::TooLarge)?
            .map_err(|_| AppError::BadRequest)?;
        let fields = serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::BadRequest)?;
        return Ok(Sent {
            fields,
            ..Sent::default()
        });
    }
    // A few forms with files are read at once; the others wait their turn,
    // so many large uploads cannot fill the memory together.
    let _turn = UPLOADS.acquire().await.map_err(|_| AppError::Unavailable)?;
    let mut form = Multipart::new(req.headers(), payload);
    let read = async {
        let mut sent = Sent::default();
        let mut parts = 0;
        while let Some(field) = form.next().await {
            parts += 1;
            if parts > MAX_PARTS {
                return Err(AppError::BadRequest);
            }
            let mut field = field.map_err(|_| AppError::BadRequest)?;
            let name = field.name().unwrap_or_default().to_string();
            let filename = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .map(str::to_string);
            let limit = match filename {
                Some(_) => rules.max_bytes as usize,
                None => MAX_FIELD,
            };
            let mut bytes: Vec<u8> = Vec::new();
            let mut over = false;
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|_| AppError::BadRequest)?;
                if over || bytes.len() + chunk.len() > limit {
                    // Read on (the next fields follow), keep nothing.
                    over = true;
                    bytes.clear();
                    continue;
                }
                bytes.extend_from_slice(&chunk);
            }
            match filename {
                None if over => return Err(AppError::TooLarge),
                None => sent.fields.push((
                    name,
                    String::from_utf8(bytes).map_err(|_| AppError::BadRequest)?,
                )),
                // A file input left empty.
                Some(f) if f.is_empty() && bytes.is_empty() && !over => {}
                Some(f) => {
                    let shown = attachments::clean_name(&f);
                    if over {
                        sent.refused.push((shown, "too-large"));
                    } else if sent.files.len() >= rules.max_count {
                        sent.refused.push((shown, "too-many"));
                    } else {
                        sent.files.push((f, bytes));
                    }
                }
            }
        }
        Ok(sent)
    };
    tokio::time::timeout(timeout * 4, read)
        .await
        .map_err(|_| AppError::Timeout)?
}
