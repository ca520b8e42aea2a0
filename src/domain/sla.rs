//! The SLA clock: business hours in an IANA time zone (so summer time moves
//! the opening hours with the office's clock), and the
//! arithmetic of due times with pauses. Pure code, no database.

use time::{Duration, PrimitiveDateTime, Weekday};

use super::zone::Zone;

/// Opening hours per weekday (Monday first), as minutes since local
/// midnight `[start, end)`; `None` is a closed day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessHours {
    pub zone: Zone,
    pub days: [Option<(u16, u16)>; 7],
}

const DAY: i64 = 24 * 60;

impl BusinessHours {
    /// Around the clock, every day.
    pub fn always() -> BusinessHours {
        BusinessHours {
            zone: Zone::utc(),
            days: [Some((0, DAY as u16)); 7],
        }
    }

    /// Monday to Friday, `start`–`end` local minutes.
    pub fn weekdays(zone: Zone, start: u16, end: u16) -> BusinessHours {
        let mut days = [None; 7];
        for d in days.iter_mut().take(5) {
            *d = Some((start, end));
        }
        BusinessHours { zone, days }
    }

    fn open_minutes_per_week(&self) -> i64 {
        self.days
            .iter()
            .flatten()
            .map(|(s, e)| (*e as i64 - *s as i64).max(0))
            .sum()
    }

    fn local(&self, utc: PrimitiveDateTime) -> PrimitiveDateTime {
        self.zone.local(utc)
    }

    fn utc(&self, local: PrimitiveDateTime) -> PrimitiveDateTime {
        self.zone.to_utc(local)
    }

    fn window(&self, weekday: Weekday) -> Option<(i64, i64)> {
        let idx = weekday.number_days_from_monday() as usize;
        self.days[idx]
            .map(|(s, e)| (s as i64, (e as i64).min(DAY)))
            .filter(|(s, e)| e > s)
    }

    /// Business minutes between two instants (0 when `to` is not after
    /// `from`).
    pub fn minutes_between(&self, from: PrimitiveDateTime, to: PrimitiveDateTime) -> i64 {
        if to <= from || self.open_minutes_per_week() == 0 {
            return 0;
        }
        let (from, to) = (self.local(from), self.local(to));
        let mut total = 0i64;
        let mut day = from.date();
        // Whole weeks at once keep long spans cheap.
        let span_days = (to.date() - from.date()).whole_days();
        if span_days > 14 {
            let weeks = (span_days - 7) / 7;
            total += weeks * self.open_minutes_per_week();
            day += Duration::weeks(weeks);
            // Count the skipped weeks from the same weekday onwards.
            let mut rest = from;
            rest = PrimitiveDateTime::new(day, rest.time());
            return total + self.minutes_between(self.utc(rest), self.utc(to));
        }
        while day <= to.date() {
            if let Some((open, close)) = self.window(day.weekday()) {
                let start = if day == from.date() {
                    open.max(minute_of_day(from))
                } else {
                    open
                };
                let end = if day == to.date() {
                    close.min(minute_of_day(to))
                } else {
                    close
                };
                if end > start {
                    total += end - start;
                }
            }
            day = day.next_day().expect("date in range");
        }
        total
    }

    /// The instant `minutes` business minutes after `start`.
    pub fn add_minutes(&self, start: PrimitiveDateTime, minutes: i64) -> PrimitiveDateTime {
        if minutes <= 0 {
            return start;
        }
        let per_week = self.open_minutes_per_week();
        if per_week == 0 {
            return start + Duration::minutes(minutes);
        }
        let local = self.local(start);
        let mut left = minutes;
        let mut day = local.date();
        let mut from_minute = minute_of_day(local);
        // Seconds past the minute carry over when the clock was running at
        // the start; otherwise it starts on the opening minute.
        let inside = self
            .window(day.weekday())
            .is_some_and(|(open, close)| open <= from_minute && from_minute < close);
        let carry = if inside {
            Duration::seconds(local.second() as i64)
                + Duration::nanoseconds(local.nanosecond() as i64)
        } else {
            Duration::ZERO
        };
        // Skip whole weeks first.
        if left > per_week * 2 {
            let weeks = left / per_week - 1;
            left -= weeks * per_week;
            day += Duration::weeks(weeks);
        }
        loop {
            if let Some((open, close)) = self.window(day.weekday()) {
                let begin = open.max(from_minute);
                if close > begin {
                    let available = close - begin;
                    if left <= available {
                        let m = begin + left;
                        let at = PrimitiveDateTime::new(day, time::Time::MIDNIGHT)
                            + Duration::minutes(m)
                            + carry;
                        return self.utc(at);
                    }
                    left -= available;
                }
            }
            day = day.next_day().expect("date in range");
            from_minute = 0;
        }
    }
}

fn minute_of_day(t: PrimitiveDateTime) -> i64 {
    t.hour() as i64 * 60 + t.minute() as i64
}

/// A due time: `target` business minutes after `start`, pushed out by the
/// business minutes the clock was paused.
pub fn due_at(
    hours: &BusinessHours,
    start: PrimitiveDateTime,
    target_minutes: i64,
    paused_minutes: i64,
) -> PrimitiveDateTime {
    hours.add_minutes(start, target_minutes + paused_minutes.max(0))
}

/// Where a target stands at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaState {
    Met,
    Missed,
    /// Due within the hour.
    DueSoon,
    Running,
    Paused,
}

pub fn state(
    due: Option<PrimitiveDateTime>,
    done_at: Option<PrimitiveDateTime>,
    paused: bool,
    now: PrimitiveDateTime,
) -> Option<SlaState> {
    let due = due?;
    Some(match done_at {
        Some(done) if done <= due => SlaState::Met,
        Some(_) => SlaState::Missed,
        None if now > due => SlaState::Missed,
        None if paused => SlaState::Paused,
        None if due - now <= Duration::hours(1) => SlaState::DueSoon,
        None => SlaState::Running,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn nine_to_five() -> BusinessHours {
        BusinessHours::weekdays(Zone::utc(), 9 * 60, 17 * 60)
    }

    #[test]
    fn around_the_clock_is_plain_time() {
        let h = BusinessHours::always();
        let t = datetime!(2026-11-27 23:30);
        assert_eq!(h.add_minutes(t, 60), datetime!(2026-11-28 00:30));
        assert_eq!(h.minutes_between(t, datetime!(2026-11-28 00:30)), 60);
    }

    #[test]
    fn seconds_carry_while_the_clock_runs() {
        let h = BusinessHours::always();
        assert_eq!(
            h.add_minutes(datetime!(2026-11-25 10:23:11.5), 120),
            datetime!(2026-11-25 12:23:11.5)
        );
        let h = nine_to_five();
        assert_eq!(
            h.add_minutes(datetime!(2026-11-25 07:23:11), 60),
            datetime!(2026-11-25 10:00)
        );
    }

    #[test]
    fn within_a_working_day() {
        let h = nine_to_five();
        // Wednesday 10:00 + 4 h = 14:00.
        assert_eq!(
            h.add_minutes(datetime!(2026-11-25 10:00), 240),
            datetime!(2026-11-25 14:00)
        );
    }

    #[test]
    fn across_midnight_to_the_next_morning() {
        let h = nine_to_five();
        // Wednesday 16:00 + 2 h = Thursday 10:00.
        assert_eq!(
            h.add_minutes(datetime!(2026-11-25 16:00), 120),
            datetime!(2026-11-26 10:00)
        );
        // Opened at night: the clock starts at 9:00.
        assert_eq!(
            h.add_minutes(datetime!(2026-11-25 22:00), 60),
            datetime!(2026-11-26 10:00)
        );
    }

    #[test]
    fn over_the_weekend() {
        let h = nine_to_five();
        // Friday 16:00 + 2 h = Monday 10:00.
        assert_eq!(
            h.add_minutes(datetime!(2026-11-27 16:00), 120),
            datetime!(2026-11-30 10:00)
        );
        // Saturday counts nothing.
        assert_eq!(
            h.minutes_between(datetime!(2026-11-28 10:00), datetime!(2026-11-29 18:00)),
            0
        );
        assert_eq!(
            h.minutes_between(datetime!(2026-11-27 16:00), datetime!(2026-11-30 10:00)),
            120
        );
        // Exactly at closing time, the next minute is Monday.
        assert_eq!(
            h.add_minutes(datetime!(2026-11-27 09:00), 480),
            datetime!(2026-11-27 17:00)
        );
    }

    #[test]
    fn long_spans_use_whole_weeks() {
        let h = nine_to_five();
        let start = datetime!(2026-11-02 09:00);
        // 7 days of 8 h targets = 56 business hours = 7 working days.
        let due = h.add_minutes(start, 7 * 8 * 60);
        assert_eq!(due, datetime!(2026-11-10 17:00));
        assert_eq!(h.minutes_between(start, due), 7 * 8 * 60);
        let far = datetime!(2027-02-01 09:00);
        assert_eq!(h.minutes_between(start, far), 13 * 5 * 8 * 60);
        assert_eq!(
            h.add_minutes(start, 13 * 5 * 8 * 60),
            datetime!(2027-01-29 17:00)
        );
    }

    #[test]
    fn time_zone_offsets_shift_the_day() {
        // 09:00–17:00 in UTC+08:00 is 01:00–09:00 UTC.
        let h = BusinessHours::weekdays(Zone::fixed(8 * 60), 9 * 60, 17 * 60);
        assert_eq!(
            h.add_minutes(datetime!(2026-11-25 00:00), 60),
            datetime!(2026-11-25 02:00)
        );
        // Friday 08:30 UTC is 16:30 local: 30 min left, then Monday 09:00 local.
        assert_eq!(
            h.add_minutes(datetime!(2026-11-27 08:30), 60),
            datetime!(2026-11-30 01:30)
        );
        // West of UTC: 09:00 in UTC−05:00 is 14:00 UTC.
        let h = BusinessHours::weekdays(Zone::fixed(-5 * 60), 9 * 60, 17 * 60);
        assert_eq!(
            h.add_minutes(datetime!(2026-11-25 12:00), 30),
            datetime!(2026-11-25 14:30)
        );
    }

    #[test]
    fn opening_hours_follow_the_office_clock_across_summer_time() {
        // Berlin, 09:00-17:00 local. Friday 27 March 2026 is winter time
        // (09:00 = 08:00 UTC); clocks go forward on Sunday the 29th, so
        // Monday opens at 07:00 UTC.
        let h = BusinessHours::weekdays(Zone::named("Europe/Berlin").unwrap(), 9 * 60, 17 * 60);
        // Friday 15:00 UTC = 16:00 local: 60 min left, 60 more on Monday.
        assert_eq!(
            h.add_minutes(datetime!(2026-03-27 15:00), 120),
            datetime!(2026-03-30 08:00)
        );
        assert_eq!(
            h.minutes_between(datetime!(2026-03-27 15:00), datetime!(2026-03-30 08:00)),
            120
        );
        // And back: Friday 23 October is summer time (17:00 = 15:00 UTC),
        // Monday the 26th winter (09:00 = 08:00 UTC).
        assert_eq!(
            h.add_minutes(datetime!(2026-10-23 14:00), 120),
            datetime!(2026-10-26 09:00)
        );
        // A whole working week across the change is still five days of
        // eight hours.
        assert_eq!(
            h.minutes_between(datetime!(2026-03-23 08:00), datetime!(2026-03-30 07:00)),
            5 * 8 * 60
        );
        // Long spans (whole weeks at once) agree with day-by-day counting.
        let start = datetime!(2026-02-02 08:00);
        let due = h.add_minutes(start, 40 * 8 * 60);
        assert_eq!(due, datetime!(2026-03-27 16:00));
        assert_eq!(h.minutes_between(start, due), 40 * 8 * 60);
        let after = h.add_minutes(start, 45 * 8 * 60);
        assert_eq!(after, datetime!(2026-04-03 15:00));
        assert_eq!(h.minutes_between(start, after), 45 * 8 * 60);
    }

    #[test]
    fn pauses_push_the_due_time() {
        let h = nine_to_five();
        let created = datetime!(2026-11-25 09:00);
        // 8 h target; paused 3 business hours in between.
        let paused = h.minutes_between(datetime!(2026-11-25 10:00), datetime!(2026-11-25 13:00));
        assert_eq!(paused, 180);
        assert_eq!(
            due_at(&h, created, 480, paused),
            datetime!(2026-11-26 12:00)
        );
        // A pause over the weekend only counts its business minutes.
        let paused = h.minutes_between(datetime!(2026-11-27 16:00), datetime!(2026-11-30 10:00));
        assert_eq!(paused, 120);
    }

    #[test]
    fn priority_change_recomputes_from_the_start() {
        let h = nine_to_five();
        let created = datetime!(2026-11-25 09:00);
        let normal = due_at(&h, created, 8 * 60, 0);
        let urgent = due_at(&h, created, 60, 0);
        assert_eq!(normal, datetime!(2026-11-25 17:00));
        assert_eq!(urgent, datetime!(2026-11-25 10:00));
    }

    #[test]
    fn states() {
        let due = datetime!(2026-11-25 12:00);
        assert_eq!(
            state(Some(due), Some(datetime!(2026-11-25 11:00)), false, due),
            Some(SlaState::Met)
        );
        assert_eq!(
            state(Some(due), Some(datetime!(2026-11-25 12:01)), false, due),
            Some(SlaState::Missed)
        );
        assert_eq!(
            state(Some(due), None, false, datetime!(2026-11-25 12:30)),
            Some(SlaState::Missed)
        );
        assert_eq!(
            state(Some(due), None, false, datetime!(2026-11-25 11:30)),
            Some(SlaState::DueSoon)
        );
        assert_eq!(
            state(Some(due), None, false, datetime!(2026-11-25 09:00)),
            Some(SlaState::Running)
        );
        assert_eq!(
            state(Some(due), None, true, datetime!(2026-11-25 09:00)),
            Some(SlaState::Paused)
        );
        assert_eq!(state(None, None, false, due), None);
    }
}

/// The weekly schedule as stored: `24x7`, or seven comma-separated entries
/// (Monday first), each `HH:MM-HH:MM` or `closed`.
pub fn parse_schedule(text: &str, zone: Zone) -> Result<BusinessHours, &'static str> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("24x7") {
        return Ok(BusinessHours {
            zone,
            days: [Some((0, DAY as u16)); 7],
        });
    }
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts.len() != 7 {
        return Err("error-schedule-invalid");
    }
    let mut days = [None; 7];
    for (i, part) in parts.iter().enumerate() {
        if part.eq_ignore_ascii_case("closed") || part.is_empty() {
            continue;
        }
        let (a, b) = part.split_once('-').ok_or("error-schedule-invalid")?;
        let (start, end) = (parse_hhmm(a)?, parse_hhmm(b)?);
        if end <= start {
            return Err("error-schedule-invalid");
        }
        days[i] = Some((start, end));
    }
    Ok(BusinessHours { zone, days })
}

fn parse_hhmm(s: &str) -> Result<u16, &'static str> {
    let (h, m) = s.trim().split_once(':').ok_or("error-schedule-invalid")?;
    let (h, m): (u16, u16) = (
        h.parse().map_err(|_| "error-schedule-invalid")?,
        m.parse().map_err(|_| "error-schedule-invalid")?,
    );
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return Err("error-schedule-invalid");
    }
    Ok(h * 60 + m)
}

/// The schedule written back in the stored form.
pub fn format_schedule(hours: &BusinessHours) -> String {
    if hours.days.iter().all(|d| *d == Some((0, DAY as u16))) {
        return "24x7".to_string();
    }
    hours
        .days
        .iter()
        .map(|d| match d {
            Some((s, e)) => format!("{:02}:{:02}-{:02}:{:02}", s / 60, s % 60, e / 60, e % 60),
            None => "closed".to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod schedule_tests {
    use super::*;

    #[test]
    fn schedules_round_trip() {
        let h = parse_schedule(
            "09:00-17:00,09:00-17:00,09:00-17:00,09:00-17:00,09:00-17:00,closed,closed",
            Zone::utc(),
        )
        .unwrap();
        assert_eq!(h, BusinessHours::weekdays(Zone::utc(), 540, 1020));
        assert_eq!(
            parse_schedule(&format_schedule(&h), Zone::utc()).unwrap(),
            h
        );
        assert_eq!(
            format_schedule(&parse_schedule("24x7", Zone::utc()).unwrap()),
            "24x7"
        );
        assert!(parse_schedule("09:00-17:00", Zone::utc()).is_err());
        assert!(
            parse_schedule(
                "17:00-09:00,closed,closed,closed,closed,closed,closed",
                Zone::utc()
            )
            .is_err()
        );
        assert!(
            parse_schedule(
                "9-17,closed,closed,closed,closed,closed,closed",
                Zone::utc()
            )
            .is_err()
        );
        assert!(
            parse_schedule(
                "00:00-24:00,closed,closed,closed,closed,closed,closed",
                Zone::utc()
            )
            .is_ok()
        );
    }
}
