//! CSV downloads streamed as they are read: a header line, then one batch
//! of rows per database read, each sent before the next is read, so no
//! export is ever held whole in memory.

use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Bytes;

use crate::db::{self, AnyConnection, Pool};
use crate::error::AppError;

pub fn csv_err(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("csv: {e}"))
}

/// Cells that a spreadsheet would run as a formula get a leading quote.
pub fn guard(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

/// Records as CSV bytes.
pub fn lines<I, R>(records: I) -> Result<Bytes, AppError>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in records {
        w.write_record(r).map_err(csv_err)?;
    }
    Ok(Bytes::from(w.into_inner().map_err(csv_err)?))
}

enum State<K> {
    Header(Result<Bytes, AppError>, K),
    After(K),
    Done,
}

/// A streamed CSV answer named `filename`: `header`, then the batches
/// `batch` reads. `batch(conn, key)` gives the next batch's lines and the
/// key to read after it (none when that was the last); it starts at
/// `start`. A failed read ends the stream with an error, logged as `what`.
pub fn streamed<K, F>(
    pool: &Pool,
    filename: &str,
    header: Result<Bytes, AppError>,
    start: K,
    what: &'static str,
    batch: F,
) -> HttpResponse
where
    K: Send + 'static,
    F: Fn(&mut AnyConnection, K) -> Result<(Bytes, Option<K>), AppError>
        + Send
        + Sync
        + Clone
        + 'static,
{
    let pool = pool.clone();
    let body = futures_util::stream::unfold(State::Header(header, start), move |state| {
        let (pool, batch) = (pool.clone(), batch.clone());
        async move {
            match state {
                State::Header(line, start) => Some((line, State::After(start))),
                State::After(key) => match db::run(&pool, move |conn| batch(conn, key)).await {
                    Ok((lines, Some(next))) => Some((Ok(lines), State::After(next))),
                    Ok((lines, None)) => Some((Ok(lines), State::Done)),
                    Err(e) => {
                        tracing::error!(error = %e, what, "export failed");
                        Some((Err(e), State::Done))
                    }
                },
                State::Done => None,
            }
        }
    });
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body)
}
