//! The activity chart: commits per month as SVG bars, drawn by repowiki (no script, no library).

use std::fmt::Write;

use super::diagram::xml;

const HEIGHT: f64 = 140.0;
const BAR: f64 = 9.0;
const GAP: f64 = 2.0;
/// The widest the bars may draw: a long history gets thinner bars, so that its latest years
/// are in view at once (16 years of months ran off a 1,400-pixel screen). The theme scales
/// the chart down further on a narrow screen.
const MAX_BARS_WIDTH: f64 = 880.0;
const LEFT: f64 = 36.0;
const BOTTOM: f64 = 22.0;

pub fn monthly(months: &[(String, usize)]) -> String {
    if months.is_empty() {
        return String::new();
    }
    let most = months.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let step = (MAX_BARS_WIDTH / months.len() as f64).min(BAR + GAP);
    let bar = (step * BAR / (BAR + GAP)).max(1.0);
    // A year's label is about 30 units wide: every year, or every few when months are thin.
    let every = (30.0 / (12.0 * step)).ceil().max(1.0) as usize;
    let width = LEFT + months.len() as f64 * step + 10.0;
    let total = HEIGHT + BOTTOM + 10.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {total:.0}" width="{width:.0}" height="{total:.0}" role="img" aria-label="Commits per month">"#
    );
    let _ = write!(
        svg,
        r#"<text class="axis" x="{:.0}" y="14" text-anchor="end">{most}</text><text class="axis" x="{:.0}" y="{:.0}" text-anchor="end">0</text>"#,
        LEFT - 4.0,
        LEFT - 4.0,
        10.0 + HEIGHT
    );
    for (i, (month, n)) in months.iter().enumerate() {
        let x = LEFT + i as f64 * step;
        let h = HEIGHT * *n as f64 / most as f64;
        let y = 10.0 + HEIGHT - h;
        let _ = write!(
            svg,
            r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}"><title>{}: {n} commits</title></rect>"#,
            xml(month)
        );
        // A label every January (or every few), and on the first month.
        let year: usize = month[..4.min(month.len())].parse().unwrap_or(0);
        if i == 0 || month.ends_with("-01") && year.is_multiple_of(every) && i as f64 * step >= 30.0
        {
            let _ = write!(
                svg,
                r#"<text class="axis" x="{x:.1}" y="{:.0}">{}</text>"#,
                10.0 + HEIGHT + 16.0,
                xml(&month[..4])
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
    fn one_bar_per_month_scaled_to_the_busiest() {
        let mut months: Vec<(String, usize)> =
            (6..=12).map(|m| (format!("2023-{m:02}"), 1)).collect();
        months.extend([("2024-01".into(), 0), ("2024-02".into(), 2)]);
        months[0].1 = 4;
        let svg = monthly(&months);
        assert_eq!(svg.matches("<rect").count(), 9);
        assert!(
            svg.contains("height=\"140.0\""),
            "the busiest month is full height"
        );
        assert!(svg.contains(">2024<") && svg.contains(">2023<"));
        assert_eq!(monthly(&[]), "");
    }

    #[test]
    fn a_long_history_fits_in_view_with_fewer_year_labels() {
        let months: Vec<(String, usize)> = (0..400)
            .map(|i| (format!("{}-{:02}", 1993 + i / 12, i % 12 + 1), 1))
            .collect();
        let svg = monthly(&months);
        let width: f64 = svg
            .split("width=\"")
            .nth(1)
            .and_then(|w| w.split('"').next())
            .and_then(|w| w.parse().ok())
            .unwrap();
        assert!(width <= LEFT + MAX_BARS_WIDTH + 10.0, "{width}");
        // 33 years in about 880 units: a label every year would overlap.
        assert!(svg.contains(">2026<") || svg.contains(">2024<"));
        assert!(svg.matches("class=\"axis\"").count() < 2 + 20);
    }
}
