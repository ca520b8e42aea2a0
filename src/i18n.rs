//! Message catalogues (Fluent) and the formatting of dates and numbers for
//! the reader's language.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use time::PrimitiveDateTime;

use crate::domain::zone::Zone;
use unic_langid::{LanguageIdentifier, langid};

static_loader! {
    pub static LOCALES = {
        locales: "./templates/locales",
        fallback_language: "en-US",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: LanguageIdentifier = langid!("en-US");
static ZH: LanguageIdentifier = langid!("zh-CN");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en-US",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The `lang` attribute for `<html>`.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
        }
    }

    /// A stored locale's language, or the platform's when there is none.
    pub fn of_locale(locale: Option<&str>) -> Lang {
        locale.and_then(Lang::from_code).unwrap_or_default()
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        let lower = code.trim().to_ascii_lowercase();
        if lower == "en" || lower.starts_with("en-") || lower.starts_with("en_") {
            Some(Lang::En)
        } else if lower == "zh" || lower.starts_with("zh-") || lower.starts_with("zh_") {
            Some(Lang::ZhCn)
        } else {
            None
        }
    }

    /// Picks the best supported language from an `Accept-Language` header.
    pub fn negotiate(header: &str) -> Option<Lang> {
        let mut choices: Vec<(f32, usize, Lang)> = Vec::new();
        for (pos, part) in header.split(',').enumerate() {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let mut q = 1.0f32;
            for p in pieces {
                if let Some(v) = p.trim().strip_prefix("q=") {
                    q = v.trim().parse().unwrap_or(0.0);
                }
            }
            if q <= 0.0 {
                continue;
            }
            if let Some(lang) = Lang::from_code(tag) {
                choices.push((q, pos, lang));
            }
        }
        choices.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        choices.first().map(|c| c.2)
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &EN,
            Lang::ZhCn => &ZH,
        }
    }

    /// A message without arguments. Such a message always reads the same,
    /// so each thread keeps what it looked up once: a page's fifty labels
    /// cost fifty hash lookups rather than fifty Fluent formattings.
    pub fn t(self, key: &str) -> String {
        thread_local! {
            static SEEN: std::cell::RefCell<[HashMap<String, String>; 2]> =
                std::cell::RefCell::new([HashMap::new(), HashMap::new()]);
        }
        let slot = self as usize;
        if let Some(hit) = SEEN.with(|s| s.borrow()[slot].get(key).cloned()) {
            return hit;
        }
        let text = LOCALES.lookup(self.id(), key);
        SEEN.with(|s| {
            let mut s = s.borrow_mut();
            // Keys are the code's own; the bound only guards against a bug.
            if s[slot].len() < 4096 {
                s[slot].insert(key.to_string(), text.clone());
            }
        });
        text
    }

    /// A message with one number argument. Small numbers (star ratings,
    /// counts on a page) come back again and again, so each thread keeps
    /// what it formatted for them, as `t` does for plain messages.
    pub fn t_num(self, key: &str, name: &str, n: i64) -> String {
        const KEPT: std::ops::Range<i64> = 0..100;
        thread_local! {
            static SEEN: std::cell::RefCell<[HashMap<String, HashMap<i64, String>>; 2]> =
                std::cell::RefCell::new([HashMap::new(), HashMap::new()]);
        }
        if !KEPT.contains(&n) {
            return self.t_args(key, &[(name, FluentArg::Num(n))]);
        }
        let slot = self as usize;
        // The argument's name is part of the message: a key always uses
        // the same one, so the key alone tells the entries apart.
        if let Some(hit) = SEEN.with(|s| s.borrow()[slot].get(key).and_then(|m| m.get(&n)).cloned())
        {
            return hit;
        }
        let text = self.t_args(key, &[(name, FluentArg::Num(n))]);
        SEEN.with(|s| {
            let mut s = s.borrow_mut();
            if s[slot].len() < 1024 {
                s[slot]
                    .entry(key.to_string())
                    .or_default()
                    .insert(n, text.clone());
            }
        });
        text
    }

    pub fn t_args(self, key: &str, args: &[(&str, FluentArg)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    FluentArg::Str(s) => FluentValue::from(s.clone()),
                    FluentArg::Num(n) => FluentValue::from(*n),
                };
                (Cow::Owned(k.to_string()), value)
            })
            .collect();
        LOCALES.lookup_with_args(self.id(), key, &map)
    }

    /// A date and time kept in UTC, on the clock of `zone`, written the
    /// way the language writes it and followed by the zone's name.
    pub fn datetime(self, utc: &PrimitiveDateTime, zone: &Zone) -> String {
        let dt = zone.local(*utc);
        let label = zone.label_at(*utc);
        let month = u8::from(dt.month());
        match self {
            Lang::En => format!(
                "{} {} {}, {:02}:{:02} {label}",
                dt.day(),
                EN_MONTHS[(month - 1) as usize],
                dt.year(),
                dt.hour(),
                dt.minute()
            ),
            Lang::ZhCn => format!(
                "{}年{}月{}日 {:02}:{:02} ({label})",
                dt.year(),
                month,
                dt.day(),
                dt.hour(),
                dt.minute()
            ),
        }
    }

    pub fn date(self, dt: &PrimitiveDateTime) -> String {
        let month = u8::from(dt.month());
        match self {
            Lang::En => format!(
                "{} {} {}",
                dt.day(),
                EN_MONTHS[(month - 1) as usize],
                dt.year()
            ),
            Lang::ZhCn => format!("{}年{}月{}日", dt.year(), month, dt.day()),
        }
    }

    /// An integer with thousands separators.
    pub fn number(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    }
}

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[derive(Debug, Clone)]
pub enum FluentArg {
    Str(String),
    Num(i64),
}

impl From<&str> for FluentArg {
    fn from(s: &str) -> Self {
        FluentArg::Str(s.to_string())
    }
}
impl From<String> for FluentArg {
    fn from(s: String) -> Self {
        FluentArg::Str(s)
    }
}
impl From<&String> for FluentArg {
    fn from(s: &String) -> Self {
        FluentArg::Str(s.clone())
    }
}
impl From<i64> for FluentArg {
    fn from(n: i64) -> Self {
        FluentArg::Num(n)
    }
}
impl From<usize> for FluentArg {
    fn from(n: usize) -> Self {
        FluentArg::Num(n as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn negotiates_accept_language() {
        assert_eq!(Lang::negotiate("zh-CN,zh;q=0.9,en;q=0.8"), Some(Lang::ZhCn));
        assert_eq!(Lang::negotiate("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(
            Lang::negotiate("fr;q=1, zh;q=0.5, en;q=0.7"),
            Some(Lang::En)
        );
        assert_eq!(Lang::negotiate("fr"), None);
        assert_eq!(Lang::negotiate("zh;q=0, en;q=0.1"), Some(Lang::En));
    }

    #[test]
    fn formats_for_the_language() {
        let dt = datetime!(2026-11-05 09:07);
        assert_eq!(
            Lang::En.datetime(&dt, &Zone::utc()),
            "5 Nov 2026, 09:07 UTC"
        );
        let shanghai = Zone::named("Asia/Shanghai").unwrap();
        assert_eq!(
            Lang::ZhCn.datetime(&dt, &shanghai),
            "2026年11月5日 17:07 (CST)"
        );
        let new_york = Zone::named("America/New_York").unwrap();
        assert_eq!(
            Lang::En.datetime(&datetime!(2026-11-05 03:30), &new_york),
            "4 Nov 2026, 22:30 EST"
        );
        assert_eq!(Lang::ZhCn.date(&dt), "2026年11月5日");
        assert_eq!(Lang::En.number(1234567), "1,234,567");
        assert_eq!(Lang::En.number(-1000), "-1,000");
        assert_eq!(Lang::En.number(999), "999");
    }

    #[test]
    fn plural_rules_apply() {
        let one = Lang::En.t_args("sessions-count", &[("count", 1i64.into())]);
        let many = Lang::En.t_args("sessions-count", &[("count", 3i64.into())]);
        assert_ne!(one, many);
        assert!(many.contains('3'));
    }

    #[test]
    fn kept_numbers_read_as_formatted_ones() {
        for n in [0, 1, 2, 5, 99, 100, 12345] {
            for lang in Lang::ALL {
                let direct = lang.t_args("sessions-count", &[("count", n.into())]);
                // Twice: the second answer comes from what was kept.
                assert_eq!(lang.t_num("sessions-count", "count", n), direct);
                assert_eq!(lang.t_num("sessions-count", "count", n), direct);
            }
        }
        assert_ne!(
            Lang::En.t_num("sessions-count", "count", 1),
            Lang::En.t_num("sessions-count", "count", 2)
        );
    }
}
