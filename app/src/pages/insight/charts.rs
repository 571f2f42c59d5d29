//! The dashboard's charts: stacked bars per month-end, drawn on the server as SVG
//! in the same style and sizes as `components/chart.rs` (whose `Chart` frame, with
//! the figures as a table, wraps them). Counts and amounts both: the caller gives
//! the axis format.
use crate::components::chart::escape;

const WIDTH: i64 = 400;
const HEIGHT: i64 = 230;
const FONT: i64 = 15;
const LEFT: i64 = 92;
const RIGHT: i64 = 392;
const TOP: i64 = 14;
const BOTTOM: i64 = 196;
/// Colours of the stacked series (bottom first), dark enough on white for text
/// contrast and told apart by the legend (style/insight.css has the same four).
pub const COLOURS: [&str; 4] = ["#006a4e", "#2f6fb0", "#8a4b00", "#6b2d8a"];

fn y_of(value: i64, hi: i64) -> i64 {
    if hi <= 0 {
        return BOTTOM;
    }
    BOTTOM - i64::try_from(i128::from(value.max(0)) * i128::from(BOTTOM - TOP) / i128::from(hi)).unwrap_or(0)
}

/// Bars per label, each stacked from `series` (values in the labels' order).
pub fn stacked_bars_svg(
    id: &str,
    title: &str,
    desc: &str,
    labels: &[String],
    series: &[Vec<i64>],
    axis: fn(i64) -> String,
) -> String {
    let id = escape(id);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\" class=\"chart-svg\" font-size=\"{FONT}\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(desc)
    );
    let totals: Vec<i64> =
        (0..labels.len()).map(|i| series.iter().map(|s| s.get(i).copied().unwrap_or(0).max(0)).sum()).collect();
    let hi = totals.iter().copied().max().unwrap_or(0).max(1);
    for value in [hi, hi / 2, 0] {
        let y = y_of(value, hi);
        out.push_str(&format!(
            "<line class=\"chart-rule\" x1=\"{LEFT}\" x2=\"{RIGHT}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#c9d6d0\" />\
             <text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#1f2d29\">{}</text>",
            LEFT - 6,
            y + FONT / 3,
            escape(&axis(value))
        ));
    }
    let n = labels.len().max(1) as i64;
    let slot = (RIGHT - LEFT) / n;
    let bar = (slot * 5 / 8).max(2);
    for (i, label) in labels.iter().enumerate() {
        let x = LEFT + i as i64 * slot + (slot - bar) / 2;
        let mut base = 0;
        for (k, values) in series.iter().enumerate() {
            let value = values.get(i).copied().unwrap_or(0).max(0);
            let (top, bottom) = (y_of(base + value, hi), y_of(base, hi));
            base += value;
            out.push_str(&format!(
                "<rect x=\"{x}\" y=\"{top}\" width=\"{bar}\" height=\"{}\" fill=\"{}\" />",
                bottom - top,
                COLOURS.get(k).copied().unwrap_or("#4a5a55")
            ));
        }
        // Every label when they fit; otherwise the first, middle and last.
        let shown = n <= 6 || i == 0 || i as i64 == n - 1 || i as i64 == (n - 1) / 2;
        if shown {
            out.push_str(&format!(
                "<text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#1f2d29\">{}</text>",
                x + bar / 2,
                BOTTOM + FONT + 8,
                escape(label)
            ));
        }
    }
    out.push_str("</svg>");
    out
}

/// A count for the axis: "1,234".
pub fn axis_count(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_stack_and_label() {
        let labels = vec!["2026-09".to_owned(), "2026-10".to_owned()];
        let svg = stacked_bars_svg("t", "T <x>", "d", &labels, &[vec![1, 2], vec![3, 4]], axis_count);
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(svg.contains("T &lt;x&gt;"));
        assert!(svg.contains(">2026-10<"));
        assert!(svg.contains(">6<"));
        assert_eq!(axis_count(1_234_567), "1,234,567");
        assert_eq!(axis_count(-12), "-12");
    }
}
