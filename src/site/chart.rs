//! The activity chart: commits per month as SVG bars, drawn by repowiki (no script, no library).

use std::fmt::Write;

use super::diagram::xml;

const HEIGHT: f64 = 140.0;
const BAR: f64 = 9.0;
const GAP: f64 = 2.0;
const LEFT: f64 = 36.0;
const BOTTOM: f64 = 22.0;

pub fn monthly(months: &[(String, usize)]) -> String {
    if months.is_empty() {
        return String::new();
    }
    let most = months.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let width = LEFT + months.len() as f64 * (BAR + GAP) + 10.0;
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
        let x = LEFT + i as f64 * (BAR + GAP);
        let h = HEIGHT * *n as f64 / most as f64;
        let y = 10.0 + HEIGHT - h;
        let _ = write!(
            svg,
            r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{BAR}" height="{h:.1}"><title>{}: {n} commits</title></rect>"#,
            xml(month)
        );
        // A label every January, and on the first month.
        if i == 0 || month.ends_with("-01") {
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
        let svg = monthly(&[
            ("2023-12".into(), 2),
            ("2024-01".into(), 0),
            ("2024-02".into(), 4),
        ]);
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(
            svg.contains("height=\"140.0\""),
            "the busiest month is full height"
        );
        assert!(svg.contains(">2024<") && svg.contains(">2023<"));
        assert_eq!(monthly(&[]), "");
    }
}
