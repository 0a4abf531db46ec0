//! Flows on pages: each as a list of steps and as a sequence diagram (one lifeline per type or
//! file, one arrow per call in the order a reader follows the flow), drawn as SVG by repowiki
//! from the resolved calls: true by construction, no JavaScript. Every name links to its code,
//! every step to the line that makes the call.

use std::fmt::Write;

use super::diagram::xml;
use crate::narrate::flows::Flow;

/// Beyond these a diagram stops being read; the list beside it has every step.
pub const MAX_LANES: usize = 6;
pub const MAX_MESSAGES: usize = 14;

const LANE_GAP: f64 = 24.0;
const HEAD: f64 = 30.0;
const ROW: f64 = 30.0;
const TOP: f64 = 8.0;

/// A flow's lifelines in order of appearance and its arrows (from lane, to lane, step), as
/// many as fit the bounds.
pub struct Layout {
    pub lanes: Vec<(String, String)>,
    pub messages: Vec<(usize, usize, usize)>,
}

pub fn layout(flow: &Flow) -> Layout {
    let mut lanes: Vec<(String, String)> = vec![(flow.entry.lane.clone(), flow.entry.page.clone())];
    // Each step's lane, by step (0 = the entry).
    let mut lane_of: Vec<Option<usize>> = vec![Some(0)];
    let mut messages = Vec::new();
    for (k, step) in flow.steps.iter().enumerate() {
        if messages.len() >= MAX_MESSAGES {
            break;
        }
        let from = lane_of[step.caller];
        let to = match lanes.iter().position(|(l, _)| *l == step.callee.lane) {
            Some(i) => Some(i),
            None if lanes.len() < MAX_LANES => {
                lanes.push((step.callee.lane.clone(), step.callee.page.clone()));
                Some(lanes.len() - 1)
            }
            None => None,
        };
        lane_of.push(to);
        if let (Some(from), Some(to)) = (from, to) {
            messages.push((from, to, k));
        }
    }
    Layout { lanes, messages }
}

/// The SVG; `root` makes the site's links relative to the page.
pub fn render(flow: &Flow, root: &str) -> String {
    let Layout { lanes, messages } = layout(flow);
    let widths: Vec<f64> = lanes
        .iter()
        .map(|(l, _)| (label(l).chars().count() as f64 * 7.2 + 20.0).max(90.0))
        .collect();
    let mut centre = Vec::new();
    let mut x = 4.0;
    for w in &widths {
        centre.push(x + w / 2.0);
        x += w + LANE_GAP;
    }
    // Wide enough for every label: a loop's text starts right of its lifeline, an arrow's at
    // its left end.
    let char_width = 7.3;
    let text_end = messages
        .iter()
        .map(|&(from, to, k)| {
            let chars = label(&message(flow, k)).chars().count() as f64 * char_width;
            match from == to {
                true => centre[from] + 32.0 + chars,
                false => centre[from].min(centre[to]) + 6.0 + chars,
            }
        })
        .fold(0.0, f64::max);
    let width = (x - LANE_GAP + 8.0).max(text_end + 8.0);
    let height = TOP + HEAD + ROW * (messages.len() as f64 + 1.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="diagram sequence" xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{}"><defs><marker id="seq-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrowhead" d="M0,0 L10,5 L0,10 z"/></marker></defs>"#,
        xml(&format!(
            "Sequence of calls from {} across {}",
            flow.entry.name,
            lanes
                .iter()
                .map(|(l, _)| l.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    );
    for (i, (lane, href)) in lanes.iter().enumerate() {
        let (c, w) = (centre[i], widths[i]);
        let _ = write!(
            svg,
            r#"<line class="lifeline" x1="{c:.1}" y1="{:.1}" x2="{c:.1}" y2="{:.1}"/><a href="{}" class="node"><title>{}</title><rect x="{:.1}" y="{TOP}" width="{w:.1}" height="{HEAD}" rx="6"/><text x="{c:.1}" y="{:.1}" text-anchor="middle">{}</text></a>"#,
            TOP + HEAD,
            height - 4.0,
            xml(&format!("{root}{}", href.trim_start_matches('/'))),
            xml(lane),
            c - w / 2.0,
            TOP + HEAD / 2.0 + 4.5,
            xml(&label(lane))
        );
    }
    for (row, &(from, to, k)) in messages.iter().enumerate() {
        let step = &flow.steps[k];
        let y = TOP + HEAD + ROW * (row as f64 + 1.0);
        let text = message(flow, k);
        let href = xml(&format!("{root}{}", step.at_page.trim_start_matches('/')));
        let title = xml(&format!(
            "{} {} {} at {}:{}",
            flow.steps
                .get(step.caller.wrapping_sub(1))
                .map_or(flow.entry.name.as_str(), |s| s.callee.name.as_str()),
            step.verb,
            step.callee.name,
            step.at_path,
            step.at_line
        ));
        let (a, b) = (centre[from], centre[to]);
        if from == to {
            // A call within one lifeline loops out to the right and back.
            let _ = write!(
                svg,
                r#"<a href="{href}" class="message"><title>{title}</title><path class="edge" d="M{a:.1},{:.1} h28 v12 h-26" marker-end="url(#seq-arrow)"/><text x="{:.1}" y="{:.1}">{}</text></a>"#,
                y - 6.0,
                a + 32.0,
                y + 2.0,
                xml(&label(&text))
            );
        } else {
            let _ = write!(
                svg,
                r#"<a href="{href}" class="message"><title>{title}</title><path class="edge" d="M{a:.1},{y:.1} H{b:.1}" marker-end="url(#seq-arrow)"/><text x="{:.1}" y="{:.1}">{}</text></a>"#,
                a.min(b) + 6.0,
                y - 5.0,
                xml(&label(&text))
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// What the arrow of step `k` says: `3. walk()`, `4. new Walker`.
pub fn message(flow: &Flow, k: usize) -> String {
    let step = &flow.steps[k];
    let name = step
        .callee
        .name
        .rsplit([':', '.'])
        .next()
        .unwrap_or(&step.callee.name);
    match step.verb.as_str() {
        "creates" => format!("{}. new {name}", k + 1),
        _ => format!("{}. {name}()", k + 1),
    }
}

fn label(s: &str) -> String {
    if s.chars().count() > 28 {
        s.chars().take(27).collect::<String>() + "…"
    } else {
        s.to_string()
    }
}

/// The steps as nested lists, numbered as the diagram numbers them: what each step calls
/// sits under it.
pub fn steps_html(flow: &Flow, root: &str) -> String {
    let link = |href: &str| xml(&format!("{root}{}", href.trim_start_matches('/')));
    let mut html = String::new();
    let mut depth = 0;
    for (k, step) in flow.steps.iter().enumerate() {
        if step.depth > depth {
            // A step's callees open a list inside its item (depth grows one at a time).
            html.push_str("<ul class=\"flow\">");
            depth += 1;
        } else {
            while depth > step.depth {
                html.push_str("</li></ul>");
                depth -= 1;
            }
            html.push_str("</li>");
        }
        let c = &step.callee;
        let _ = write!(
            html,
            r#"<li><span class="step">{}</span> {} <a href="{}"><code>{}</code></a>"#,
            k + 1,
            step.verb,
            link(&c.page),
            xml(&c.name)
        );
        if !c.part.is_empty() && c.part != flow.entry.part {
            let _ = write!(
                html,
                r#" <span class="muted">in <a href="{}">{}</a></span>"#,
                link(&c.part_page),
                xml(&c.part)
            );
        }
        if !c.doc.is_empty() && !step.again {
            let _ = write!(html, " — {}", xml(&c.doc));
        }
        if step.again {
            html.push_str(" <em>(followed above)</em>");
        }
        let _ = write!(
            html,
            r#" <a class="at" href="{}">{}:{}</a>"#,
            link(&step.at_page),
            xml(&step.at_path),
            step.at_line
        );
    }
    while depth > 0 {
        html.push_str("</li></ul>");
        depth -= 1;
    }
    html
}
