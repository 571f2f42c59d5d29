//! Charts as server-rendered SVG: no script, no library. Each scales with its
//! `viewBox` down to a 320 px phone (the text is sized so it never falls under 12 px
//! there), names itself with `<title>`/`<desc>` for screen readers, and comes with
//! its figures as a table one tap away.
use leptos::prelude::*;

/// The drawing's coordinate space; the page scales it to the width available.
const WIDTH: i64 = 400;
const HEIGHT: i64 = 230;
/// 15 units at 320 px wide = 12 px on screen.
const FONT: i64 = 15;
const LEFT: i64 = 92;
const RIGHT: i64 = 392;
const TOP: i64 = 14;
const BOTTOM: i64 = 196;

/// Escapes text for SVG/XML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// "¥12,346": whole yuan, for axis labels.
pub fn axis_money(minor: i64) -> String {
    let yuan = (i128::from(minor) + if minor < 0 { -50 } else { 50 }) / 100;
    let text = crate::types::Money::yuan_fen(i64::try_from(yuan * 100).unwrap_or(i64::MAX)).display();
    text.strip_suffix(".00").map(str::to_owned).unwrap_or(text)
}

fn scale(value: i64, lo: i64, hi: i64) -> i64 {
    let span = i128::from(hi) - i128::from(lo);
    if span <= 0 {
        return (TOP + BOTTOM) / 2;
    }
    let offset = (i128::from(value) - i128::from(lo)) * i128::from(BOTTOM - TOP) / span;
    BOTTOM - i64::try_from(offset).unwrap_or(0)
}

fn open_svg(id: &str, title: &str, desc: &str) -> String {
    let id = escape(id);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\" class=\"chart-svg\" font-size=\"{FONT}\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(desc)
    )
}

fn grid_line(out: &mut String, y: i64, label: &str) {
    out.push_str(&format!(
        "<line class=\"chart-rule\" x1=\"{LEFT}\" x2=\"{RIGHT}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#c9d6d0\" />\
         <text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#1f2d29\">{}</text>",
        LEFT - 6,
        y + FONT / 3,
        escape(label)
    ));
}

/// A line through `points` (label, value in fen), oldest first; the first, middle
/// and last points get their label under the axis.
pub fn line_chart_svg(id: &str, title: &str, desc: &str, points: &[(String, i64)]) -> String {
    let mut out = open_svg(id, title, desc);
    if points.is_empty() {
        out.push_str("</svg>");
        return out;
    }
    let mut lo = points.iter().map(|p| p.1).min().unwrap_or(0);
    let mut hi = points.iter().map(|p| p.1).max().unwrap_or(0);
    if lo == hi {
        lo -= 100;
        hi += 100;
    }
    for (value, y) in [(hi, scale(hi, lo, hi)), ((lo + hi) / 2, scale((lo + hi) / 2, lo, hi)), (lo, scale(lo, lo, hi))]
    {
        grid_line(&mut out, y, &axis_money(value));
    }
    if lo < 0 && hi > 0 {
        let y = scale(0, lo, hi);
        out.push_str(&format!(
            "<line class=\"chart-zero\" x1=\"{LEFT}\" x2=\"{RIGHT}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#4a5a55\" \
             stroke-dasharray=\"4 3\" />"
        ));
    }
    let n = points.len() as i64;
    let x_of = |i: i64| if n == 1 { (LEFT + RIGHT) / 2 } else { LEFT + i * (RIGHT - LEFT) / (n - 1) };
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{}{},{}", if i == 0 { 'M' } else { 'L' }, x_of(i as i64), scale(*v, lo, hi)))
        .collect();
    out.push_str(&format!(
        "<path class=\"chart-line\" d=\"{}\" fill=\"none\" stroke=\"#006a4e\" stroke-width=\"2.5\" \
         stroke-linejoin=\"round\" />",
        path.join(" ")
    ));
    let mut ticks = vec![0, n - 1];
    if n > 2 {
        ticks.insert(1, (n - 1) / 2);
    }
    for (k, i) in ticks.into_iter().enumerate() {
        let anchor = match k {
            0 => "start",
            1 if n > 2 => "middle",
            _ => "end",
        };
        let label = points.get(i as usize).map(|p| p.0.as_str()).unwrap_or("");
        out.push_str(&format!(
            "<text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" fill=\"#1f2d29\">{}</text>",
            x_of(i),
            BOTTOM + FONT + 8,
            escape(label)
        ));
    }
    out.push_str("</svg>");
    out
}

/// Pairs of bars per group (label, first, second), from zero up; the first bar
/// green, the second amber, each group labelled under the axis.
pub fn bar_chart_svg(id: &str, title: &str, desc: &str, groups: &[(String, i64, i64)]) -> String {
    let mut out = open_svg(id, title, desc);
    let hi = groups.iter().flat_map(|g| [g.1, g.2]).max().unwrap_or(0).max(100);
    for (value, y) in [(hi, scale(hi, 0, hi)), (hi / 2, scale(hi / 2, 0, hi)), (0, scale(0, 0, hi))] {
        grid_line(&mut out, y, &axis_money(value));
    }
    let n = groups.len().max(1) as i64;
    let slot = (RIGHT - LEFT) / n;
    let bar = (slot * 3 / 8).max(2);
    for (i, (label, first, second)) in groups.iter().enumerate() {
        let x = LEFT + i as i64 * slot + (slot - 2 * bar) / 2;
        for (k, (value, colour, class)) in
            [(*first, "#006a4e", "chart-bar-a"), (*second, "#8a4b00", "chart-bar-b")].into_iter().enumerate()
        {
            let y = scale(value.max(0), 0, hi);
            out.push_str(&format!(
                "<rect class=\"{class}\" x=\"{}\" y=\"{y}\" width=\"{bar}\" height=\"{}\" fill=\"{colour}\" />",
                x + k as i64 * bar,
                BOTTOM - y
            ));
        }
        out.push_str(&format!(
            "<text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#1f2d29\">{}</text>",
            x + bar,
            BOTTOM + FONT + 8,
            escape(label)
        ));
    }
    out.push_str("</svg>");
    out
}

/// A chart with its caption and, behind a disclosure, the same figures as a table.
/// Texts come translated: the caller re-renders it when the language changes.
#[component]
pub fn Chart(
    /// The SVG markup (from [`line_chart_svg`] or [`bar_chart_svg`]).
    svg: String,
    /// A visible caption (the chart's title).
    caption: String,
    /// Text of the disclosure that opens the table.
    table_label: String,
    /// The table's column headings.
    headings: Vec<String>,
    /// The table's rows: the first cell is the row heading.
    rows: Vec<Vec<String>>,
    #[prop(optional)] legend: Option<Children>,
) -> impl IntoView {
    let region_label = caption.clone();
    let table_caption = caption.clone();
    view! {
        <figure class="chart">
            <figcaption>{caption}</figcaption>
            <div class="chart-box" inner_html=svg></div>
            {legend.map(|l| l())}
            <details class="chart-data">
                <summary>{table_label}</summary>
                <div class="table-scroll" tabindex="0" role="region" aria-label=region_label>
                    <table class="data-table">
                        <caption class="visually-hidden">{table_caption}</caption>
                        <thead>
                            <tr>
                                {headings.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {rows
                                .into_iter()
                                .map(|row| {
                                    let mut cells = row.into_iter();
                                    let head = cells.next().unwrap_or_default();
                                    view! {
                                        <tr>
                                            <th scope="row">{head}</th>
                                            {cells.map(|c| view! { <td class="num">{c}</td> }).collect_view()}
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_chart_is_labelled_and_escaped() {
        let points: Vec<(String, i64)> =
            (0..90).map(|i| (format!("d{i}"), if i < 45 { 100_000 } else { 250_000 })).collect();
        let svg = line_chart_svg("bal", "Balance <90 days>", "From ¥1,000 to ¥2,500", &points);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("viewBox=\"0 0 400 230\""));
        assert!(svg.contains("<title id=\"bal-t\">Balance &lt;90 days&gt;</title>"));
        assert!(svg.contains("aria-labelledby=\"bal-t bal-d\""));
        assert!(svg.contains(">¥2,500<"), "{svg}");
        assert!(svg.contains(">¥1,000<"));
        assert!(svg.contains(">d0<") && svg.contains(">d44<") && svg.contains(">d89<"));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn a_flat_or_negative_series_still_draws() {
        let svg = line_chart_svg("x", "t", "d", &[("a".into(), 0), ("b".into(), 0)]);
        assert!(svg.contains("<path"));
        let svg = line_chart_svg("x", "t", "d", &[("a".into(), -50_000), ("b".into(), 20_000)]);
        assert!(svg.contains("chart-zero"));
        assert!(svg.contains(">-¥500<"));
    }

    #[test]
    fn bars_come_in_pairs() {
        let groups = vec![("6月".to_owned(), 300_000, 120_000), ("7月".to_owned(), 0, 50_000)];
        let svg = bar_chart_svg("flow", "In and out", "d", &groups);
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(svg.contains(">6月<"));
        assert!(svg.contains(">¥3,000<"));
    }

    #[test]
    fn axis_amounts_are_whole_yuan() {
        assert_eq!(axis_money(123_456), "¥1,235");
        assert_eq!(axis_money(-123_449), "-¥1,234");
        assert_eq!(axis_money(0), "¥0");
    }
}
