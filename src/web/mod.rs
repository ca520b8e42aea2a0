//! What every page shares: the request context, flash messages, form
//! errors, rendering, and the middleware around every request.

pub mod cache;
pub mod csv_export;
pub mod ctx;
pub mod limits;
pub mod metrics;
pub mod middleware;
pub mod paging;
pub mod trend;
pub mod upload;

use std::sync::Arc;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use askama::Template;
use tokio::sync::Notify;

use crate::auth::password::Hasher;
use crate::config::Settings;
use crate::db::Pool;
use crate::error::AppError;

pub use ctx::{Ctx, FormErrors};

/// Shared by every handler.
pub struct AppState {
    pub pool: Pool,
    pub settings: Arc<Settings>,
    pub hasher: Hasher,
    /// Wakes the mail worker when a message was queued.
    pub mail_wakeup: Arc<Notify>,
    /// Wakes the webhook worker after a change (it also looks every
    /// `AGORA_WEBHOOK_POLL_MS`).
    pub webhook_wakeup: Arc<Notify>,
    /// Whether cookies carry `Secure` (all but plain http on loopback),
    /// worked out once from the base URL.
    pub secure_cookies: bool,
    /// Listing views waiting to be written.
    pub views: Arc<crate::models::views::ViewCounter>,
    /// Wakes the view writer early when many views are pending.
    pub views_wakeup: Arc<Notify>,
    /// Search results, by query and category, for a minute.
    pub search_cache: cache::TtlCache<Vec<crate::models::search::Hit>>,
    /// Catalogue counts, by filter, for half a minute.
    pub count_cache: cache::TtlCache<i64>,
    /// Listing bodies rendered from Markdown, by listing and version.
    pub html_cache: cache::TtlCache<String>,
    /// Partner figures that take aggregate reads (customer counts), for
    /// `AGORA_FIGURES_CACHE_SECONDS`.
    pub figures: cache::TtlCache<i64>,
    /// Partner overviews with their median first response, as long.
    pub overview: cache::TtlCache<(crate::models::overview::Overview, Option<i64>)>,
    /// The partner overview's chart counts, by partner, period and zone,
    /// as long as `overview`.
    pub trends: cache::TtlCache<crate::models::overview::TrendData>,
    /// The desk reports' chart figures, by period, scope and zone, as long.
    /// The admin's platform chart figures, by period and zone, as long.
    pub platform_trends: cache::TtlCache<crate::routes::admin::PlatformFigures>,
    /// The desk reports' period tables and the staff list, as long.
    pub desk_figures: cache::TtlCache<(crate::routes::desk::reports::Figures, Vec<(i64, String)>)>,
    /// Charts as drawn for a language and zone (`trend::drawn`), as long.
    pub chart_views: cache::TtlCache<Vec<crate::web::trend::Trend>>,
    /// The desk reports' tables as drawn in a language, as long.
    pub desk_tables: cache::TtlCache<crate::routes::desk::reports::Tables>,
    pub desk_trends: cache::TtlCache<crate::routes::desk::reports::DeskTrends>,
    /// Each agent's desk queue counts, for a few seconds.
    pub desk_counts: cache::TtlCache<Vec<(crate::models::tickets::Queue, i64)>>,
    /// The desk's partner choices, for a few seconds.
    pub desk_partners: cache::TtlCache<Vec<(i64, String)>>,
    /// The desk's agents and canned replies, for a few seconds.
    pub desk_menus: cache::TtlCache<crate::routes::desk::Menus>,
    /// The categories, for half a minute.
    pub categories: cache::TtlCache<Vec<crate::models::listings::Category>>,
    /// The tags each partner uses (the customer list's filter), as long
    /// as `figures`, dropped when the partner's tags change.
    pub partner_tags: cache::TtlCache<Vec<String>>,
    /// Each partner's segment movements over the last month, as long;
    /// dropped with its customer counts when a consent changes.
    pub segment_moves: cache::TtlCache<Vec<crate::models::crm::Movement>>,
    /// API requests per token in the current minute.
    pub api_limiter: crate::api::limiter::ApiLimiter,
    /// What public pages show everyone, until the next change.
    pub public: cache::PublicCache,
    /// The WebAuthn relying party, when the base URL's host can be one.
    pub passkeys: Option<Arc<webauthn_rs::Webauthn>>,
}

impl AppState {
    /// A listing's body as sanitised HTML, rendered once per version.
    pub fn listing_html(&self, listing: &crate::models::listings::Listing) -> Arc<String> {
        let key = format!("{}:{}", listing.id, listing.updated_at);
        if let Some(html) = self.html_cache.get(&key) {
            return html;
        }
        let html = Arc::new(crate::domain::markdown::render(&listing.body));
        self.html_cache.put(key, html.clone());
        html
    }

    /// The categories (a small table), read at most every half minute.
    pub async fn categories(
        &self,
    ) -> Result<Arc<Vec<crate::models::listings::Category>>, AppError> {
        self.categories
            .get_or_load("all".into(), || {
                crate::db::read(&self.pool, |conn| {
                    Ok(crate::models::listings::categories(conn)?)
                })
            })
            .await
    }

    /// Counts a view of a listing (written by the view writer).
    pub fn count_view(&self, listing_id: i64) {
        if self.views.record(listing_id) {
            self.views_wakeup.notify_one();
        }
    }

    pub fn mail_domain(&self) -> String {
        self.settings.mail_domain()
    }
}

pub fn render<T: Template>(tpl: &T) -> Result<HttpResponse, AppError> {
    render_status(StatusCode::OK, tpl)
}

pub fn render_status<T: Template>(status: StatusCode, tpl: &T) -> Result<HttpResponse, AppError> {
    let body = tpl.render()?;
    Ok(HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// A 303 to `to` (Post/Redirect/Get).
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_string()))
        .finish()
}

/// Only local absolute paths are followed after sign-in; anything else
/// (other hosts, `//host`, `/\host`, schemes) falls back to `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.contains(['\r', '\n'])
                && !n.chars().any(|c| c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_local() {
        assert_eq!(safe_next(Some("/me")), "/me");
        assert_eq!(safe_next(Some("/listings?q=a")), "/listings?q=a");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("javascript:alert(1)")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
