//! Charts drawn on the server as SVG (no script): a bar per period, the
//! axes labelled, a title and a description for screen readers. Each
//! chart's page also carries the same numbers as a table.

use std::fmt::Write;

/// One bar: its label (a day or a week) and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
}

const WIDTH: i64 = 640;
const HEIGHT: i64 = 200;
const LEFT: i64 = 48;
const BOTTOM: i64 = 28;
const TOP: i64 = 12;

/// The top of the value axis: the maximum rounded up to a number that
/// reads well (1, 2 or 5 times a power of ten), at least 1.
pub fn axis_top(max: i64) -> i64 {
    let max = max.max(1);
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if step * m >= max {
                return step * m;
            }
        }
        step *= 10;
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG of a bar chart. `id` names its title and description for
/// `aria-labelledby`; `description` says in words what it shows.
pub fn bars(id: &str, title: &str, description: &str, bars: &[Bar]) -> String {
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let values: Vec<Option<i64>> = bars.iter().map(|b| Some(b.value)).collect();
    grouped(
        id,
        title,
        description,
        &labels,
        &[values.as_slice()],
        None,
        &|v| v.to_string(),
    )
}

/// A bar chart of one or more series side by side in each period (`s0`,
/// `s1`, ... classes, so a legend can match them); a missing value draws
/// no bar. The value axis runs to `top` when given (100 for per cent),
/// else to the largest value rounded up; `axis` writes its labels.
pub fn grouped(
    id: &str,
    title: &str,
    description: &str,
    labels: &[String],
    series: &[&[Option<i64>]],
    top: Option<i64>,
    axis: &dyn Fn(i64) -> String,
) -> String {
    let max = series
        .iter()
        .flat_map(|s| s.iter().flatten())
        .copied()
        .max()
        .unwrap_or(0);
    let top = top.unwrap_or_else(|| axis_top(max)).max(1);
    let plot_w = WIDTH - LEFT - 8;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let n = labels.len().max(1) as i64;
    let slot = plot_w as f64 / n as f64;
    let per = series.len().max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(description)
    );
    // The value axis: zero, half and the top.
    for v in [0, top / 2, top] {
        let y = TOP + plot_h - v * plot_h / top;
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\"/><text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            WIDTH - 8,
            LEFT - 4,
            y + 4,
            escape(&axis(v))
        );
    }
    // A label under the first, middle and last period, so they never crowd.
    let labelled = [0, labels.len() / 2, labels.len().saturating_sub(1)];
    for (i, label) in labels.iter().enumerate() {
        let x0 = LEFT as f64 + slot * i as f64 + slot * 0.15;
        let w = (slot * 0.7 / per).max(1.0);
        for (k, s) in series.iter().enumerate() {
            let Some(value) = s.get(i).copied().flatten() else {
                continue;
            };
            let h = value.clamp(0, top) * plot_h / top;
            let x = x0 + w * k as f64;
            let _ = write!(
                svg,
                "<rect class=\"bar s{k}\" x=\"{x:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"{h}\" data-value=\"{value}\"><title>{}: {}</title></rect>",
                TOP + plot_h - h,
                escape(label),
                escape(&axis(value))
            );
        }
        if labelled.contains(&i) {
            let _ = write!(
                svg,
                "<text class=\"axis\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x0 + slot * 0.35,
                HEIGHT - 8,
                escape(label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_rounds_up_to_a_readable_top() {
        assert_eq!(axis_top(0), 1);
        assert_eq!(axis_top(1), 1);
        assert_eq!(axis_top(3), 5);
        assert_eq!(axis_top(7), 10);
        assert_eq!(axis_top(11), 20);
        assert_eq!(axis_top(240), 500);
    }

    #[test]
    fn bars_are_drawn_to_scale_with_their_values() {
        let data = vec![
            Bar {
                label: "1 Dec".into(),
                value: 5,
            },
            Bar {
                label: "2 Dec".into(),
                value: 0,
            },
            Bar {
                label: "3 <Dec>".into(),
                value: 10,
            },
        ];
        let svg = bars("c", "Requests", "Requests per day", &data);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("aria-labelledby=\"c-title c-desc\""));
        assert!(svg.contains("<title id=\"c-title\">Requests</title>"));
        // Top 10: the 10 bar is the full plot height, the 5 bar half.
        let plot_h = HEIGHT - TOP - BOTTOM;
        assert!(svg.contains(&format!("height=\"{plot_h}\" data-value=\"10\"")));
        assert!(svg.contains(&format!("height=\"{}\" data-value=\"5\"", plot_h / 2)));
        assert!(svg.contains("height=\"0\" data-value=\"0\""));
        assert!(svg.contains("3 &lt;Dec&gt;"));
        assert!(!svg.contains("<Dec>"));
    }

    #[test]
    fn grouped_bars_skip_missing_values_and_keep_a_fixed_top() {
        let labels = vec!["a".to_string(), "b".to_string()];
        let first = [Some(50), None];
        let second = [Some(100), Some(25)];
        let svg = grouped(
            "g",
            "Share",
            "Per cent",
            &labels,
            &[&first, &second],
            Some(100),
            &|v| format!("{v} %"),
        );
        let plot_h = HEIGHT - TOP - BOTTOM;
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains("class=\"bar s0\""));
        assert!(svg.contains(&format!("height=\"{}\" data-value=\"50\"", plot_h / 2)));
        assert!(svg.contains(&format!("height=\"{plot_h}\" data-value=\"100\"")));
        assert!(svg.contains(">100 %</text>"));
    }
}
