//! Small statistics for reports: percentiles by nearest rank, averages in
//! integers, bar charts drawn as SVG numbers.

/// The p-th percentile (0–100) by nearest rank; `None` for no data.
pub fn percentile(values: &[i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let rank = ((p as usize * v.len()).div_ceil(100)).clamp(1, v.len());
    Some(v[rank - 1])
}

pub fn median(values: &[i64]) -> Option<i64> {
    percentile(values, 50)
}

/// `part / whole` in whole percent, rounded.
pub fn percent(part: usize, whole: usize) -> Option<i64> {
    (whole > 0).then(|| ((part * 200 + whole) / (whole * 2)) as i64)
}

/// Bars for a chart: (label, value, width in percent of the largest).
pub fn bars(items: &[(String, i64)]) -> Vec<(String, i64, i64)> {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1);
    items
        .iter()
        .map(|(l, v)| (l.clone(), *v, v * 100 / max))
        .collect()
}

/// Minutes in words of the reader's language ("2 h 05 min", "2 小时 5 分钟").
pub fn duration_label(lang: crate::i18n::Lang, minutes: i64) -> String {
    let m = minutes.max(0);
    if m < 60 {
        lang.t_args("duration-minutes", &[("m", m.into())])
    } else if m < 24 * 60 {
        lang.t_args(
            "duration-hours",
            &[("h", (m / 60).into()), ("m", (m % 60).into())],
        )
    } else {
        lang.t_args(
            "duration-days",
            &[
                ("d", (m / (24 * 60)).into()),
                ("h", ((m % (24 * 60)) / 60).into()),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v = [15, 20, 35, 40, 50];
        assert_eq!(median(&v), Some(35));
        assert_eq!(percentile(&v, 90), Some(50));
        assert_eq!(percentile(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(median(&[]), None);
        let hundred: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&hundred, 90), Some(90));
    }

    #[test]
    fn percents_and_bars() {
        assert_eq!(percent(1, 3), Some(33));
        assert_eq!(percent(2, 3), Some(67));
        assert_eq!(percent(0, 0), None);
        let b = bars(&[("a".into(), 5), ("b".into(), 10)]);
        assert_eq!(b[0].2, 50);
        assert_eq!(b[1].2, 100);
        use crate::i18n::Lang;
        assert_eq!(duration_label(Lang::En, 45), "45 min");
        assert_eq!(duration_label(Lang::En, 125), "2 h 5 min");
        assert_eq!(duration_label(Lang::En, 3 * 24 * 60 + 240), "3 d 4 h");
        assert_eq!(duration_label(Lang::ZhCn, 125), "2 小时 5 分钟");
    }
}
