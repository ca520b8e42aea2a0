//! One way to page every list: numbered pages near the start (a cheap
//! OFFSET over an index), then an opaque seek cursor (the last row's sort
//! key and id) so that page 4,000 costs what page 2 costs. Queries fetch
//! one row more than they show, which tells whether a next page exists
//! without counting.

use serde::Deserialize;

/// Numbered pages go this deep; past it the next link carries a cursor.
pub const MAX_NUMBERED_PAGE: usize = 20;

/// No list is walked further than this many pages.
pub const MAX_PAGE: usize = 1_000_000_000;

/// Counts shown on a page stop here ("10,000+").
pub const COUNT_CAP: i64 = 10_000;

/// `page` and `after` as they come in the query string. Anything
/// unreadable means the first page.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct PageParams {
    pub page: Option<String>,
    pub after: Option<String>,
}

/// Where a list resumes: the sort key and id of the last row shown, and
/// the number of the page that follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub page: usize,
    pub key: i64,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let raw = format!("{}.{}.{}", self.page, self.key, self.id);
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, raw)
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let raw =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, s).ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let mut parts = raw.split('.');
        let page = parts
            .next()?
            .parse::<usize>()
            .ok()
            .filter(|p| (2..=MAX_PAGE).contains(p))?;
        let key = parts.next()?.parse().ok()?;
        let id = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        Some(Cursor { page, key, id })
    }
}

/// How the query finds the rows of the page asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seek {
    /// Skip this many rows (numbered pages, never deeper than
    /// `MAX_NUMBERED_PAGE`).
    Offset(i64),
    /// Rows strictly after `(key, id)` in the list's order.
    After { key: i64, id: i64 },
}

/// The page a visitor asked for, with its size.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub number: usize,
    pub seek: Seek,
    pub size: usize,
    /// The size came with the request (the API's `limit`) rather than from
    /// the page: the query binds it instead of writing it into its text.
    pub caller_sized: bool,
}

impl PageRequest {
    pub fn first(size: usize) -> PageRequest {
        PageRequest {
            number: 1,
            seek: Seek::Offset(0),
            size,
            caller_sized: false,
        }
    }

    pub fn parse(params: &PageParams, size: usize) -> PageRequest {
        if let Some(c) = params.after.as_deref().and_then(Cursor::decode) {
            return PageRequest {
                number: c.page,
                seek: Seek::After {
                    key: c.key,
                    id: c.id,
                },
                size,
                caller_sized: false,
            };
        }
        let number = params
            .page
            .as_deref()
            .and_then(|p| p.trim().parse::<usize>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
            .min(MAX_NUMBERED_PAGE);
        PageRequest {
            number,
            seek: Seek::Offset(((number - 1) * size) as i64),
            size,
            caller_sized: false,
        }
    }

    /// A page of the API: after the cursor a page before gave out (`None`
    /// when it is not one), or the first. Its pages always hand on a seek
    /// cursor, never a page number (its number lies past the numbered
    /// pages for that).
    pub fn for_api(cursor: Option<&str>, size: usize) -> Option<PageRequest> {
        let Some(c) = cursor.filter(|c| !c.is_empty()) else {
            return Some(PageRequest {
                number: MAX_NUMBERED_PAGE + 1,
                seek: Seek::Offset(0),
                size,
                caller_sized: true,
            });
        };
        let c = Cursor::decode(c)?;
        Some(PageRequest {
            number: c.page.max(MAX_NUMBERED_PAGE + 1),
            seek: Seek::After {
                key: c.key,
                id: c.id,
            },
            size,
            caller_sized: true,
        })
    }

    /// Rows to fetch: one more than shown.
    pub fn limit(&self) -> i64 {
        self.size as i64 + 1
    }

    pub fn offset(&self) -> i64 {
        match self.seek {
            Seek::Offset(o) => o,
            Seek::After { .. } => 0,
        }
    }

    /// The `(key, id)` rows must come after, when seeking.
    pub fn after(&self) -> Option<(i64, i64)> {
        match self.seek {
            Seek::After { key, id } => Some((key, id)),
            Seek::Offset(_) => None,
        }
    }

    /// Cuts the extra row off and works out the next page's parameter.
    /// `key` gives a row's sort key and id, as the query orders them.
    pub fn finish<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> (i64, i64)) -> Page<T> {
        let more = rows.len() > self.size;
        rows.truncate(self.size);
        let next = match rows.last() {
            Some(last) if more => {
                let number = self.number.saturating_add(1).min(MAX_PAGE);
                let numbered = matches!(self.seek, Seek::Offset(_)) && number <= MAX_NUMBERED_PAGE;
                Some(if numbered {
                    format!("page={number}")
                } else {
                    let (k, id) = key(last);
                    format!(
                        "after={}",
                        Cursor {
                            page: number,
                            key: k,
                            id
                        }
                        .encode()
                    )
                })
            }
            _ => None,
        };
        let prev = match self.seek {
            Seek::Offset(_) if self.number > 2 => Some(format!("page={}", self.number - 1)),
            Seek::Offset(_) if self.number == 2 => Some(String::new()),
            _ => None,
        };
        Page {
            items: rows,
            number: self.number,
            next,
            prev,
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub number: usize,
    /// The query parameter of the next page (`page=3` or `after=…`).
    next: Option<String>,
    /// The query parameter of the previous page, when it is numbered
    /// (`""` for the first page).
    prev: Option<String>,
}

impl<T> Page<T> {
    pub fn empty() -> Page<T> {
        Page {
            items: Vec::new(),
            number: 1,
            next: None,
            prev: None,
        }
    }

    /// These items as a page of their own, with nothing before or after.
    pub fn of(items: Vec<T>) -> Page<T> {
        Page {
            items,
            ..Page::empty()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The seek cursor of the next page, when there is one and it is not a
    /// numbered page (see `PageRequest::for_api`).
    pub fn next_cursor(&self) -> Option<&str> {
        self.next.as_deref()?.strip_prefix("after=")
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            number: self.number,
            next: self.next,
            prev: self.prev,
        }
    }

    /// Links for the pager partial. `base` is the list's URL with its
    /// filters (`/desk?queue=mine` or `/partner/x/reviews`); the page
    /// parameter is added to it.
    pub fn pager(&self, base: &str, pages: Option<usize>) -> Pager {
        let join = |param: &str| {
            if param.is_empty() {
                base.to_string()
            } else if base.contains('?') {
                format!("{base}&{param}")
            } else {
                format!("{base}?{param}")
            }
        };
        Pager {
            number: self.number as i64,
            pages: pages.map(|p| p as i64),
            next_url: self.next.as_deref().map(join),
            prev_url: self.prev.as_deref().map(join),
            first_url: (self.number > 1 && self.prev.is_none()).then(|| join("")),
        }
    }
}

/// What `partials/pager.html` draws.
#[derive(Debug, Clone, Default)]
pub struct Pager {
    pub number: i64,
    pub pages: Option<i64>,
    pub next_url: Option<String>,
    pub prev_url: Option<String>,
    /// Shown instead of "previous" on cursor pages.
    pub first_url: Option<String>,
}

impl Pager {
    pub fn shown(&self) -> bool {
        self.next_url.is_some() || self.number > 1
    }
}

/// A count capped at `COUNT_CAP`: `(count, capped)`.
pub fn capped(n: i64) -> (i64, bool) {
    if n > COUNT_CAP {
        (COUNT_CAP, true)
    } else {
        (n, false)
    }
}

/// A timestamp as a seek key: microseconds since the epoch.
pub fn time_key(t: time::PrimitiveDateTime) -> i64 {
    let t = t.assume_utc();
    (t.unix_timestamp_nanos() / 1000) as i64
}

/// The timestamp back from a seek key, kept within years 1 to 9999 (what
/// both databases store), whatever a crafted cursor says.
pub fn key_time(k: i64) -> time::PrimitiveDateTime {
    // 0001-01-01 and 9999-12-31 in microseconds since the epoch.
    let k = k.clamp(-62_135_596_800_000_000, 253_402_300_799_000_000);
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(k as i128 * 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    time::PrimitiveDateTime::new(t.date(), t.time())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(page: Option<&str>, after: Option<&str>) -> PageParams {
        PageParams {
            page: page.map(str::to_string),
            after: after.map(str::to_string),
        }
    }

    #[test]
    fn cursors_round_trip_and_reject_junk() {
        let c = Cursor {
            page: 4000,
            key: -17,
            id: 99,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("nonsense!"), None);
        assert_eq!(Cursor::decode(""), None);
        let one =
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, "1.2.3");
        assert_eq!(Cursor::decode(&one), None, "page 1 is never a cursor");
    }

    #[test]
    fn numbered_pages_then_cursors() {
        let r = PageRequest::parse(&params(Some("3"), None), 10);
        assert_eq!(r.seek, Seek::Offset(20));
        let p = r.finish((0..11).collect::<Vec<i64>>(), |v| (*v, *v));
        assert_eq!(p.items.len(), 10);
        let pager = p.pager("/x?q=a", None);
        assert_eq!(pager.next_url.as_deref(), Some("/x?q=a&page=4"));
        assert_eq!(pager.prev_url.as_deref(), Some("/x?q=a&page=2"));

        let deep = PageRequest::parse(&params(Some("999999"), None), 10);
        assert_eq!(deep.number, MAX_NUMBERED_PAGE);
        let p = deep.finish((0..11).collect::<Vec<i64>>(), |v| (*v * 2, *v));
        let next = p.pager("/x", None).next_url.unwrap();
        let cursor = next.strip_prefix("/x?after=").unwrap();
        assert_eq!(
            Cursor::decode(cursor),
            Some(Cursor {
                page: MAX_NUMBERED_PAGE + 1,
                key: 18,
                id: 9
            })
        );
        let after = PageRequest::parse(&params(None, Some(cursor)), 10);
        assert_eq!(after.after(), Some((18, 9)));
        let p = after.finish(vec![1i64, 2], |v| (*v, *v));
        let pager = p.pager("/x", None);
        assert!(pager.next_url.is_none());
        assert!(pager.prev_url.is_none());
        assert_eq!(pager.first_url.as_deref(), Some("/x"));
    }

    #[test]
    fn junk_page_numbers_mean_the_first() {
        for junk in ["abc", "0", "-1", ""] {
            assert_eq!(PageRequest::parse(&params(Some(junk), None), 5).number, 1);
        }
        let p = PageRequest::first(5).finish(vec![1i64], |v| (*v, *v));
        assert!(!p.pager("/x", None).shown());
    }

    #[test]
    fn time_keys_round_trip() {
        let t = crate::models::now();
        assert_eq!(key_time(time_key(t)), t);
    }
}
