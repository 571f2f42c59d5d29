//! A sparkline: a customer's month-end assets as a small SVG drawn on the server,
//! labelled for screen readers (the figures are in the row beside it).
use crate::components::chart::escape;

const W: i64 = 96;
const H: i64 = 24;

/// The SVG of `points` (oldest first), scaled to its own range.
pub fn sparkline_svg(label: &str, points: &[(String, i64)]) -> String {
    let lo = points.iter().map(|p| p.1).min().unwrap_or(0);
    let hi = points.iter().map(|p| p.1).max().unwrap_or(0);
    let span = (hi - lo).max(1);
    let n = i64::try_from(points.len()).unwrap_or(1);
    let x = |i: i64| if n <= 1 { W / 2 } else { 2 + i * (W - 4) / (n - 1) };
    // i128: month-end assets can be large; the product would overflow i64.
    let y = |v: i64| {
        let scaled = i128::from(v - lo) * i128::from(H - 4) / i128::from(span);
        H - 2 - i64::try_from(scaled).unwrap_or(0)
    };
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{}{},{}", if i == 0 { 'M' } else { 'L' }, x(i64::try_from(i).unwrap_or(0)), y(*v)))
        .collect();
    format!(
        "<svg class=\"sparkline\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{}\">\
         <path d=\"{}\" fill=\"none\" stroke=\"#006a4e\" stroke-width=\"2\" stroke-linejoin=\"round\" /></svg>",
        escape(label),
        path.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_one_segment_per_month_and_escapes_the_label() {
        let svg = sparkline_svg("<a>", &[("2026-09".into(), 0), ("2026-10".into(), 10), ("2026-11".into(), 5)]);
        assert!(svg.contains("aria-label=\"&lt;a&gt;\""));
        assert_eq!(svg.matches('L').count(), 2);
        assert!(svg.contains("M2,22"), "the lowest at the bottom: {svg}");
        assert!(svg.contains("L48,2"), "the highest at the top: {svg}");
    }
}
