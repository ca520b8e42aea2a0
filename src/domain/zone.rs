//! Time zones: IANA zones from the database bundled into the binary (so a
//! machine's own zoneinfo cannot change what a page says), and the two
//! conversions the portal needs between UTC, which it stores, and a
//! reader's or an office's wall clock.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use jiff::tz::TimeZone;
use time::{PrimitiveDateTime, UtcOffset};

/// A time zone: an IANA zone, or (for business hours saved before zones
/// had names) a fixed offset. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Zone {
    tz: TimeZone,
    name: String,
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}
impl Eq for Zone {}

impl Default for Zone {
    fn default() -> Zone {
        Zone::utc()
    }
}

/// The regions whose zones are offered in the list; the database's other
/// names are older spellings (`US/Eastern`) or offsets (`Etc/GMT+5`).
const REGIONS: [&str; 9] = [
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
];

impl Zone {
    pub fn utc() -> Zone {
        Zone {
            tz: TimeZone::UTC,
            name: "UTC".to_string(),
        }
    }

    /// The zone of an IANA name, as the bundled database spells it.
    pub fn named(name: &str) -> Option<Zone> {
        let name = name.trim();
        if name.is_empty() || name.len() > 64 {
            return None;
        }
        if name.eq_ignore_ascii_case("UTC") {
            return Some(Zone::utc());
        }
        // Read from the database once per name: only names it knows are
        // kept, so the cache cannot grow past the database.
        static CACHE: OnceLock<RwLock<HashMap<String, Zone>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        // The database reads names whatever their case: one entry for all.
        let key = name.to_ascii_lowercase();
        if let Some(z) = cache.read().ok().and_then(|c| c.get(&key).cloned()) {
            return Some(z);
        }
        let tz = jiff::tz::db().get(name).ok()?;
        let zone = Zone {
            name: tz.iana_name().unwrap_or(name).to_string(),
            tz,
        };
        if let Ok(mut c) = cache.write() {
            c.insert(key, zone.clone());
        }
        Some(zone)
    }

    /// A zone as settings keep it: an IANA name, or a fixed offset written
    /// `UTC+08:00` (as `Zone::fixed` names it).
    pub fn parse(text: &str) -> Option<Zone> {
        let text = text.trim();
        if let Some(rest) = text.strip_prefix("UTC").filter(|r| !r.is_empty()) {
            let (sign, rest) = match rest.as_bytes()[0] {
                b'+' => (1, &rest[1..]),
                b'-' => (-1, &rest[1..]),
                _ => return None,
            };
            let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
            let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
            return (h <= 14 && m < 60).then(|| Zone::fixed(sign * (h * 60 + m)));
        }
        Zone::named(text)
    }

    /// A fixed offset from UTC, in minutes (business hours saved before
    /// they had a zone).
    pub fn fixed(offset_minutes: i32) -> Zone {
        if offset_minutes == 0 {
            return Zone::utc();
        }
        let offset =
            jiff::tz::Offset::from_seconds(offset_minutes * 60).unwrap_or(jiff::tz::Offset::UTC);
        let (sign, m) = (
            if offset_minutes < 0 { '-' } else { '+' },
            offset_minutes.unsigned_abs(),
        );
        Zone {
            tz: TimeZone::fixed(offset),
            name: format!("UTC{sign}{:02}:{:02}", m / 60, m % 60),
        }
    }

    /// The name a person chose and the list shows (`Europe/Berlin`).
    pub fn name(&self) -> &str {
        &self.name
    }

    fn timestamp(utc: PrimitiveDateTime) -> jiff::Timestamp {
        let odt = utc.assume_utc();
        jiff::Timestamp::new(odt.unix_timestamp(), odt.nanosecond() as i32)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }

    /// The offset from UTC in force at an instant.
    pub fn offset_at(&self, utc: PrimitiveDateTime) -> UtcOffset {
        let seconds = self.tz.to_offset(Zone::timestamp(utc)).seconds();
        UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC)
    }

    /// The wall clock at an instant given in UTC.
    pub fn local(&self, utc: PrimitiveDateTime) -> PrimitiveDateTime {
        let odt = utc.assume_utc().to_offset(self.offset_at(utc));
        PrimitiveDateTime::new(odt.date(), odt.time())
    }

    /// The instant (in UTC) a wall-clock time names. A time skipped when
    /// clocks go forward is read with the offset before the change (02:30
    /// on a spring-forward night is 03:30 summer time); a time seen twice
    /// when they go back is its first occurrence.
    pub fn to_utc(&self, local: PrimitiveDateTime) -> PrimitiveDateTime {
        let civil = jiff::civil::DateTime::new(
            local.year() as i16,
            u8::from(local.month()) as i8,
            local.day() as i8,
            local.hour() as i8,
            local.minute() as i8,
            local.second() as i8,
            local.nanosecond() as i32,
        );
        let Ok(ts) = civil.and_then(|dt| self.tz.to_ambiguous_timestamp(dt).compatible()) else {
            return local;
        };
        let odt = time::OffsetDateTime::from_unix_timestamp(ts.as_second())
            .map(|t| t + time::Duration::nanoseconds(ts.subsec_nanosecond() as i64))
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        PrimitiveDateTime::new(odt.date(), odt.time())
    }

    /// How the zone is written after a time: its abbreviation where it has
    /// a real one (`CET`, `EDT`), else the offset (`UTC+05:30`).
    pub fn label_at(&self, utc: PrimitiveDateTime) -> String {
        let info = self.tz.to_offset_info(Zone::timestamp(utc));
        let abbr = info.abbreviation();
        if !abbr.is_empty() && abbr.chars().all(|c| c.is_ascii_alphabetic()) {
            return abbr.to_string();
        }
        let seconds = info.offset().seconds();
        if seconds == 0 {
            return "UTC".to_string();
        }
        let m = seconds.unsigned_abs() / 60;
        let sign = if seconds < 0 { '-' } else { '+' };
        format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
    }

    /// The zones a person may choose from, grouped by region, sorted.
    pub fn choices() -> &'static [(&'static str, Vec<String>)] {
        static LIST: OnceLock<Vec<(&'static str, Vec<String>)>> = OnceLock::new();
        LIST.get_or_init(|| {
            let names: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
            REGIONS
                .iter()
                .map(|region| {
                    let mut list: Vec<String> = names
                        .iter()
                        .filter(|n| n.starts_with(region))
                        .cloned()
                        .collect();
                    list.sort();
                    (region.trim_end_matches('/'), list)
                })
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn names_are_read_and_kept_as_the_database_spells_them() {
        assert_eq!(
            Zone::named("Europe/Berlin").unwrap().name(),
            "Europe/Berlin"
        );
        assert_eq!(Zone::named("utc").unwrap().name(), "UTC");
        assert!(Zone::named("Mars/Olympus").is_none());
        assert!(Zone::named("").is_none());
        assert!(Zone::named("../../etc/passwd").is_none());
    }

    #[test]
    fn settings_take_names_and_fixed_offsets() {
        assert_eq!(Zone::parse("UTC+08:00").unwrap(), Zone::fixed(480));
        assert_eq!(Zone::parse("UTC-05:30").unwrap().name(), "UTC-05:30");
        assert_eq!(Zone::parse("UTC").unwrap(), Zone::utc());
        assert_eq!(Zone::parse("Asia/Tokyo").unwrap().name(), "Asia/Tokyo");
        assert!(Zone::parse("UTC+15:00").is_none());
        assert!(Zone::parse("UTC8").is_none());
    }

    #[test]
    fn summer_time_moves_the_wall_clock() {
        let berlin = Zone::named("Europe/Berlin").unwrap();
        // Winter: UTC+1; summer: UTC+2.
        assert_eq!(
            berlin.local(datetime!(2026-01-15 12:00)),
            datetime!(2026-01-15 13:00)
        );
        assert_eq!(berlin.label_at(datetime!(2026-01-15 12:00)), "CET");
        assert_eq!(
            berlin.local(datetime!(2026-07-15 12:00)),
            datetime!(2026-07-15 14:00)
        );
        assert_eq!(berlin.label_at(datetime!(2026-07-15 12:00)), "CEST");
        // The night clocks go forward (29 March 2026, 01:00 UTC).
        assert_eq!(
            berlin.local(datetime!(2026-03-29 00:59)),
            datetime!(2026-03-29 01:59)
        );
        assert_eq!(
            berlin.local(datetime!(2026-03-29 01:00)),
            datetime!(2026-03-29 03:00)
        );
        // Wall clock to UTC, a skipped time and a doubled one.
        assert_eq!(
            berlin.to_utc(datetime!(2026-03-30 09:00)),
            datetime!(2026-03-30 07:00)
        );
        assert_eq!(
            berlin.to_utc(datetime!(2026-03-29 02:30)),
            datetime!(2026-03-29 01:30)
        );
        assert_eq!(
            berlin.to_utc(datetime!(2026-10-25 02:30)),
            datetime!(2026-10-25 00:30)
        );
    }

    #[test]
    fn zones_without_an_abbreviation_show_their_offset() {
        let kolkata = Zone::named("Asia/Kolkata").unwrap();
        assert_eq!(kolkata.label_at(datetime!(2026-01-15 12:00)), "IST");
        let sao_paulo = Zone::named("America/Sao_Paulo").unwrap();
        assert_eq!(sao_paulo.label_at(datetime!(2026-01-15 12:00)), "UTC-03:00");
        let fixed = Zone::fixed(330);
        assert_eq!(fixed.name(), "UTC+05:30");
        assert_eq!(
            fixed.local(datetime!(2026-01-15 12:00)),
            datetime!(2026-01-15 17:30)
        );
    }

    #[test]
    fn the_list_holds_the_usual_zones_only() {
        let all: Vec<&String> = Zone::choices().iter().flat_map(|(_, l)| l).collect();
        assert!(all.iter().any(|n| *n == "Asia/Shanghai"));
        assert!(all.iter().any(|n| *n == "America/New_York"));
        assert!(
            !all.iter()
                .any(|n| n.starts_with("Etc/") || n.starts_with("US/"))
        );
        assert!(all.len() > 300, "{}", all.len());
    }
}
