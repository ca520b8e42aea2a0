//! `Ctx`: the signed-in person, their language, the session and the bits
//! every page needs (CSRF token, flash messages, request id).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::{Deserialize, Serialize};
use time::PrimitiveDateTime;

use crate::auth;
use crate::db;
use crate::domain::zone::Zone;
use crate::error::AppError;
use crate::i18n::{FluentArg, Lang};
use crate::models::users::{self, User};
use crate::web::AppState;

pub const LANG_COOKIE: &str = "lang";

#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A value that templates may hand over as is or behind any number of
/// references (loops and `if let` bind references).
pub trait Val<T: Copy> {
    fn val(&self) -> T;
}

impl Val<PrimitiveDateTime> for PrimitiveDateTime {
    fn val(&self) -> PrimitiveDateTime {
        *self
    }
}

impl Val<i64> for i64 {
    fn val(&self) -> i64 {
        *self
    }
}

impl Val<i32> for i32 {
    fn val(&self) -> i32 {
        *self
    }
}

impl<T: Copy, U: Val<T> + ?Sized> Val<T> for &U {
    fn val(&self) -> T {
        (**self).val()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: String,
    pub text: String,
}

#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    /// The zone times are shown in: the reader's, or the platform's.
    pub zone: Zone,
    pub user: Option<User>,
    pub session: Session,
    pub request_id: String,
    /// Path and query of this request, for `next=` and the language switch.
    pub path: String,
    pub ip: String,
    pub user_agent: String,
    /// A HEAD request (answered as GET, without its body): a monitor's
    /// check, not a visit.
    pub head: bool,
    /// A GET or HEAD: may be answered from the public page cache. A POST
    /// reads what it is about to change afresh.
    pub reading: bool,
    /// Staff or an admin on a desk or admin page without two-step sign-in
    /// while `AGORA_REQUIRE_2FA_FOR_STAFF` asks for it.
    pub two_step_missing: bool,
    pub state: web::Data<AppState>,
    /// Cookies for the response, the anonymous CSRF nonce and flash
    /// messages of visitors without a session.
    cookies: auth::csrf::ResponseCookies,
    nonce: auth::csrf::AnonNonce,
    nonce_set: Rc<Cell<bool>>,
    flash_in: Option<String>,
    /// The device cookie as it arrived.
    device_in: Option<String>,
    flash_out: Rc<RefCell<Option<Vec<Flash>>>>,
    signed_out: Rc<Cell<bool>>,
    signed_in_now: Rc<Cell<bool>>,
}

/// Where visitors without a session keep their flash messages: a signed
/// cookie, so that no session row is made for them.
pub const FLASH_COOKIE: &str = "agora_flash";

impl Ctx {
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    pub fn t1(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.lang
            .t_args(key, &[(name, FluentArg::Str(value.to_string()))])
    }

    pub fn t2(
        &self,
        key: &str,
        n1: &str,
        v1: impl std::fmt::Display,
        n2: &str,
        v2: impl std::fmt::Display,
    ) -> String {
        self.lang.t_args(
            key,
            &[
                (n1, FluentArg::Str(v1.to_string())),
                (n2, FluentArg::Str(v2.to_string())),
            ],
        )
    }

    /// The catalogue key for a partner role stored as text.
    pub fn role_key(&self, role: &str) -> &'static str {
        crate::models::partners::Role::parse(role)
            .unwrap_or(crate::models::partners::Role::Member)
            .label_key()
    }

    pub fn tn(&self, key: &str, name: &str, n: impl std::borrow::Borrow<i64>) -> String {
        self.lang.t_num(key, name, *n.borrow())
    }

    pub fn targs(&self, key: &str, args: &[(&str, FluentArg)]) -> String {
        self.lang.t_args(key, args)
    }

    /// A time kept in UTC, on the reader's clock, with the zone named.
    pub fn datetime(&self, dt: impl Val<PrimitiveDateTime>) -> String {
        self.lang.datetime(&dt.val(), &self.zone)
    }

    /// The zones the time zone lists offer, by region.
    pub fn zone_choices(&self) -> &'static [(&'static str, Vec<String>)] {
        Zone::choices()
    }

    /// Whether a zone name is among the list's options (or none chosen).
    pub fn zone_listed(&self, name: &str) -> bool {
        name.is_empty()
            || name == "UTC"
            || Zone::choices()
                .iter()
                .any(|(_, names)| names.iter().any(|n| n == name))
    }

    pub fn number(&self, n: &i64) -> String {
        self.lang.number(*n)
    }

    /// The form token: the session's once signed in, else one bound to
    /// the visitor's nonce cookie (set on this response if new).
    /// Each call gives a new mask of it.
    /// What a reply's files may be: how many, and how large each.
    pub fn upload_hint(&self) -> String {
        let rules = &self.state.settings.attachments;
        self.lang.t_args(
            "upload-hint",
            &[
                ("count", FluentArg::Num(rules.max_count as i64)),
                (
                    "size",
                    FluentArg::Str(crate::support::attachments::size_text(
                        rules.max_bytes as i64,
                    )),
                ),
            ],
        )
    }

    pub fn csrf(&self) -> String {
        auth::csrf::mask(&self.csrf_token())
    }

    fn csrf_token(&self) -> String {
        if !self.anonymous() {
            return auth::csrf::token(&self.session);
        }
        if self.nonce.fresh && !self.nonce_set.get() {
            self.nonce_set.set(true);
            self.cookies.add(auth::csrf::cookie(
                auth::csrf::anon_cookie(self.secure_cookies()),
                self.nonce.value.clone(),
                self.secure_cookies(),
            ));
        }
        auth::csrf::anon_token(&self.state.settings.secret, &self.nonce.value)
    }

    /// No session to write to: not signed in (nor in this request), or
    /// just signed out.
    fn anonymous(&self) -> bool {
        (self.user.is_none() && !self.signed_in_now.get()) || self.signed_out.get()
    }

    /// Drops the anonymous nonce, so the next page makes a new one.
    fn forget_nonce(&self) {
        let mut c = auth::csrf::cookie(
            auth::csrf::anon_cookie(self.secure_cookies()),
            String::new(),
            self.secure_cookies(),
        );
        c.make_removal();
        self.cookies.add(c);
    }

    pub fn secure_cookies(&self) -> bool {
        self.state.secure_cookies
    }

    /// Flash messages kept in the cookie (what arrived, plus what this
    /// request added).
    fn cookie_flashes(&self) -> Vec<Flash> {
        if let Some(list) = self.flash_out.borrow().as_ref() {
            return list.clone();
        }
        let Some(raw) = self.flash_in.as_deref() else {
            return Vec::new();
        };
        let Some((data, sig)) = raw.rsplit_once('.') else {
            return Vec::new();
        };
        if !auth::signature_valid(&self.state.settings.secret, &format!("flash:{data}"), sig) {
            return Vec::new();
        }
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, data)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn set_cookie_flashes(&self, list: Vec<Flash>) {
        let value = if list.is_empty() {
            String::new()
        } else {
            let json = serde_json::to_vec(&list).unwrap_or_default();
            let data =
                base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, json);
            let sig = auth::sign(&self.state.settings.secret, &format!("flash:{data}"));
            format!("{data}.{sig}")
        };
        let mut c = auth::csrf::cookie(FLASH_COOKIE, value, self.secure_cookies());
        if list.is_empty() {
            c.make_removal();
        }
        self.cookies.add(c);
        *self.flash_out.borrow_mut() = Some(list);
    }

    pub fn signed_in(&self) -> bool {
        self.user.is_some()
    }

    pub fn is_staff(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.is_staff || u.is_admin)
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.is_admin)
    }

    pub fn user_name(&self) -> String {
        self.user
            .as_ref()
            .map(|u| u.display_name.clone())
            .unwrap_or_default()
    }

    pub fn languages(&self) -> &'static [Lang] {
        &Lang::ALL
    }

    /// The signed-in person, or a redirect to sign in.
    pub fn require_user(&self) -> Result<&User, AppError> {
        self.user.as_ref().ok_or_else(|| AppError::SignInRequired {
            next: self.path.clone(),
        })
    }

    /// Queues a flash message (already translated) for the next page.
    pub fn flash(&self, kind: &str, key: &str) {
        self.flash_text(kind, self.t(key));
    }

    pub fn flash_text(&self, kind: &str, text: String) {
        if self.anonymous() {
            let mut list = self.cookie_flashes();
            list.push(Flash {
                kind: kind.to_string(),
                text,
            });
            self.set_cookie_flashes(list);
            return;
        }
        let mut list: Vec<Flash> = self
            .session
            .get(auth::SESSION_FLASH)
            .ok()
            .flatten()
            .unwrap_or_default();
        list.push(Flash {
            kind: kind.to_string(),
            text,
        });
        let _ = self.session.insert(auth::SESSION_FLASH, list);
    }

    /// Takes the waiting flash messages (they show once).
    pub fn flashes(&self) -> Vec<Flash> {
        // `remove` marks the session changed (a write) even when the key is
        // absent, so look first.
        let waiting = !self.anonymous() && self.session.contains_key(auth::SESSION_FLASH);
        let mut list = if waiting {
            match self.session.remove(auth::SESSION_FLASH) {
                Some(raw) => serde_json::from_str(&raw).unwrap_or_default(),
                None => Vec::new(),
            }
        } else {
            Vec::new()
        };
        let from_cookie = self.cookie_flashes();
        if !from_cookie.is_empty() || self.flash_in.is_some() {
            self.set_cookie_flashes(Vec::new());
        }
        list.extend(from_cookie);
        list
    }

    /// The current session's public id (made on first use).
    pub fn session_public_id(&self) -> String {
        if let Ok(Some(id)) = self.session.get::<String>(auth::SESSION_PUBLIC_ID) {
            return id;
        }
        let id = auth::random_id(12);
        let _ = self.session.insert(auth::SESSION_PUBLIC_ID, &id);
        id
    }

    /// Signs `user` in: a fresh session key, a fresh public id and CSRF
    /// token, and where the sign-in came from.
    pub fn sign_in(&self, user: &User) -> Result<(), AppError> {
        let flashes = self
            .session
            .get::<Vec<Flash>>(auth::SESSION_FLASH)
            .ok()
            .flatten();
        self.session.clear();
        self.session.renew();
        self.session.insert(auth::SESSION_USER, user.id)?;
        self.session
            .insert(auth::SESSION_PUBLIC_ID, auth::random_id(12))?;
        self.session
            .insert(auth::SESSION_CSRF, auth::random_id(32))?;
        self.session
            .insert(auth::SESSION_AGENT, truncate(&self.user_agent, 200))?;
        self.session.insert(auth::SESSION_IP, &self.ip)?;
        // Messages queued while signed out (in the cookie) move into the
        // session, and what follows in this request goes there too.
        let mut waiting = flashes.unwrap_or_default();
        waiting.extend(self.cookie_flashes());
        if self.flash_in.is_some() || !waiting.is_empty() {
            self.set_cookie_flashes(Vec::new());
        }
        if !waiting.is_empty() {
            self.session.insert(auth::SESSION_FLASH, waiting)?;
        }
        self.signed_in_now.set(true);
        self.signed_out.set(false);
        self.forget_nonce();
        Ok(())
    }

    pub fn sign_out(&self) {
        self.session.purge();
        self.signed_out.set(true);
        self.signed_in_now.set(false);
        self.forget_nonce();
    }

    /// This browser's device id for `user_id`, when it signed in to that
    /// account before (a valid device cookie names it).
    pub fn known_device(&self, user_id: i64) -> Option<String> {
        auth::device::known(
            &self.state.settings.secret,
            self.device_in.as_deref(),
            user_id,
        )
    }

    /// Notes on this browser that it signed in to `user_id` (kept across
    /// sign-outs).
    /// Sets a cookie on the answer.
    pub fn add_cookie(&self, c: actix_web::cookie::Cookie<'static>) {
        self.cookies.add(c);
    }

    pub fn remember_device(&self, user_id: i64) {
        let value = auth::device::remember(
            &self.state.settings.secret,
            self.device_in.as_deref(),
            user_id,
        );
        let mut c = auth::csrf::cookie(auth::device::COOKIE, value, self.secure_cookies());
        c.set_max_age(actix_web::cookie::time::Duration::days(
            auth::device::MAX_AGE_DAYS,
        ));
        self.cookies.add(c);
    }

    pub fn pool(&self) -> &db::Pool {
        &self.state.pool
    }

    /// Base URL, mail domain and key for the links in support emails.
    pub fn mail_links(&self) -> crate::support::Links {
        crate::support::Links::of(&self.state.settings)
    }

    pub fn base_url(&self) -> &str {
        &self.state.settings.base_url
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The client address: the peer's, or, when the operator said proxies sit
/// in front (`AGORA_TRUST_FORWARDED_FOR`), the one the outermost trusted
/// proxy saw, read from the right of `X-Forwarded-For`.
pub fn client_ip(req: &HttpRequest, trust_forwarded: bool, trusted_proxies: usize) -> String {
    let peer = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string());
    if !trust_forwarded {
        return peer;
    }
    let values: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    forwarded_client(&values, trusted_proxies).unwrap_or(peer)
}

/// The client address in `X-Forwarded-For` (all its header lines, in
/// order) behind `proxies` trusted proxies. Each proxy appends the address
/// it was reached from, so the entry `proxies` places from the right was
/// written by the outermost trusted proxy; everything left of it is
/// whatever the client sent. With fewer entries than proxies the leftmost
/// is taken (the request passed fewer proxies). `None` when there is no
/// usable entry or no proxy is trusted: the peer's address counts then.
pub fn forwarded_client(values: &[&str], proxies: usize) -> Option<String> {
    if proxies == 0 {
        return None;
    }
    let entries: Vec<&str> = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    let entry = if entries.len() >= proxies {
        entries[entries.len() - proxies]
    } else {
        entries.first()?
    };
    parse_forwarded_addr(entry).map(|ip| ip.to_string())
}

/// An address as proxies write it: `203.0.113.7`, `203.0.113.7:4711`,
/// `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_forwarded_addr(entry: &str) -> Option<std::net::IpAddr> {
    if let Ok(ip) = entry.parse() {
        return Some(ip);
    }
    if let Ok(sock) = entry.parse::<std::net::SocketAddr>() {
        return Some(sock.ip());
    }
    entry
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .and_then(|r| r.parse().ok())
}

/// The language from a saved preference, the `lang` cookie, or
/// `Accept-Language`, in that order.
pub fn pick_lang(req: &HttpRequest, user: Option<&User>) -> Lang {
    if let Some(l) = user
        .and_then(|u| u.locale.as_deref())
        .and_then(Lang::from_code)
    {
        return l;
    }
    if let Some(l) = req
        .cookie(LANG_COOKIE)
        .and_then(|c| Lang::from_code(c.value()))
    {
        return l;
    }
    req.headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::negotiate)
        .unwrap_or_default()
}

impl FromRequest for Ctx {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Ctx, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if let Some(ctx) = req.extensions().get::<Ctx>() {
                return Ok(ctx.clone());
            }
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| AppError::Internal("application state missing".into()))?;
            let session = req.get_session();
            let uid: Option<i64> = session.get(auth::SESSION_USER).ok().flatten();
            let user = match uid {
                Some(id) => {
                    let found = match auth::store::preloaded::take(id) {
                        Some(u) => Some(u),
                        None => {
                            db::read(&state.pool, move |conn| Ok(users::by_id(conn, id)?)).await?
                        }
                    };
                    match found {
                        Some(u) if u.is_active() => Some(u),
                        _ => {
                            session.purge();
                            None
                        }
                    }
                }
                None => None,
            };
            let lang = pick_lang(&req, user.as_ref());
            let zone = match &user {
                Some(u) => u.zone(&state.settings.time_zone),
                None => state.settings.time_zone.clone(),
            };
            let guarded = req.path().starts_with("/desk") || req.path().starts_with("/admin");
            let two_step_missing = match &user {
                Some(u)
                    if guarded
                        && (u.is_staff || u.is_admin)
                        && state.settings.require_two_step_for_staff =>
                {
                    let id = u.id;
                    !db::read(&state.pool, move |conn| {
                        Ok(crate::models::two_step::enabled(conn, id)?)
                    })
                    .await?
                }
                _ => false,
            };
            let request_id = req
                .extensions()
                .get::<RequestId>()
                .map(|r| r.0.clone())
                .unwrap_or_default();
            let path = match req.uri().path_and_query() {
                Some(pq) => pq.as_str().to_string(),
                None => req.path().to_string(),
            };
            let ctx = Ctx {
                lang,
                zone,
                user,
                two_step_missing,
                session,
                request_id,
                path,
                ip: client_ip(
                    &req,
                    state.settings.trust_forwarded_for,
                    state.settings.trusted_proxies,
                ),
                user_agent: req
                    .headers()
                    .get(actix_web::http::header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string(),
                head: req
                    .extensions()
                    .get::<crate::web::middleware::HeadRequest>()
                    .is_some(),
                reading: req.method() == actix_web::http::Method::GET,
                state,
                cookies: req
                    .extensions()
                    .get::<auth::csrf::ResponseCookies>()
                    .cloned()
                    .unwrap_or_default(),
                nonce: req
                    .extensions()
                    .get::<auth::csrf::AnonNonce>()
                    .cloned()
                    .unwrap_or_else(|| auth::csrf::AnonNonce {
                        value: auth::random_id(24),
                        fresh: true,
                    }),
                nonce_set: Rc::new(Cell::new(false)),
                flash_in: req
                    .cookie(FLASH_COOKIE)
                    .map(|c| c.value().to_string())
                    .filter(|v| !v.is_empty()),
                device_in: req
                    .cookie(auth::device::COOKIE)
                    .map(|c| c.value().to_string())
                    .filter(|v| !v.is_empty()),
                flash_out: Rc::new(RefCell::new(None)),
                signed_out: Rc::new(Cell::new(false)),
                signed_in_now: Rc::new(Cell::new(false)),
            };
            req.extensions_mut().insert(ctx.clone());
            Ok(ctx)
        })
    }
}

/// Field errors of a submitted form, already in the reader's language.
#[derive(Debug, Default, Clone)]
pub struct FormErrors {
    items: Vec<(String, String)>,
}

impl FormErrors {
    pub fn new() -> FormErrors {
        FormErrors::default()
    }

    pub fn add(&mut self, field: &str, message: String) {
        if self.get(field).is_none() {
            self.items.push((field.to_string(), message));
        }
    }

    /// Records the error of a parse result and returns the value if any.
    pub fn check<T>(&mut self, lang: Lang, field: &str, r: Result<T, &'static str>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(key) => {
                self.add(field, lang.t(key));
                None
            }
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn items(&self) -> &[(String, String)] {
        &self.items
    }
}

#[cfg(test)]
mod tests {
    use super::forwarded_client;

    #[test]
    fn forwarded_for_is_read_from_the_right() {
        let one = |v: &str| forwarded_client(&[v], 1);
        // One proxy: the entry it appended, whatever the client wrote.
        assert_eq!(one("203.0.113.7").as_deref(), Some("203.0.113.7"));
        assert_eq!(one("6.6.6.6, 203.0.113.7").as_deref(), Some("203.0.113.7"));
        assert_eq!(
            one("1.1.1.1,2.2.2.2 ,  203.0.113.7 ").as_deref(),
            Some("203.0.113.7")
        );
        // Two proxies: the client is second from the right.
        assert_eq!(
            forwarded_client(&["6.6.6.6, 203.0.113.7, 10.0.0.2"], 2).as_deref(),
            Some("203.0.113.7")
        );
        // Several header lines make one list, in order.
        assert_eq!(
            forwarded_client(&["6.6.6.6", "203.0.113.7, 10.0.0.2"], 2).as_deref(),
            Some("203.0.113.7")
        );
        // Fewer entries than proxies: the leftmost.
        assert_eq!(
            forwarded_client(&["203.0.113.7"], 3).as_deref(),
            Some("203.0.113.7")
        );
        // Ports and brackets as proxies write them; addresses normalised.
        assert_eq!(one("203.0.113.7:4711").as_deref(), Some("203.0.113.7"));
        assert_eq!(one("[2001:DB8::1]:4711").as_deref(), Some("2001:db8::1"));
        assert_eq!(one("[2001:db8::1]").as_deref(), Some("2001:db8::1"));
        assert_eq!(one("2001:db8::1").as_deref(), Some("2001:db8::1"));
        // Nothing usable, or no proxy trusted: the peer's address counts.
        assert_eq!(one(""), None);
        assert_eq!(one(" , "), None);
        assert_eq!(one("1.2.3.4, unknown"), None);
        assert_eq!(one("1.2.3.4, <script>"), None);
        assert_eq!(forwarded_client(&[], 1), None);
        assert_eq!(forwarded_client(&["203.0.113.7"], 0), None);
    }
}
