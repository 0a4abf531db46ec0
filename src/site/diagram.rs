//! The architecture diagram: parts as boxes, imports as arrows, drawn as SVG by repowiki from
//! the graph, so it is true by construction and needs no JavaScript.
//!
//! Layered layout: a part sits above the parts it uses (longest path to a part that uses
//! nothing; cycles broken by depth-first order), wide layers wrap into several rows, and each
//! row is ordered by where its parts' users are. An arrow that spans several rows goes down
//! through a gap between the boxes of each row it crosses; upward arrows take lanes at the
//! right. No arrow passes behind a box.

use std::collections::BTreeMap;
use std::fmt::Write;

pub struct Node {
    pub label: String,
    pub href: String,
    pub tooltip: String,
}

pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub weight: u32,
    /// A CSS class that says what the arrow means (`holds`, `implements`, …); empty for an
    /// import.
    pub class: &'static str,
    /// What the arrow says on hover; an import's count when `None`.
    pub title: Option<String>,
}

const ROW_HEIGHT: f64 = 76.0;
const BOX_HEIGHT: f64 = 34.0;
const GAP: f64 = 18.0;
const MAX_PER_ROW: usize = 6;
/// Horizontal room for each upward edge's lane.
const LANE: f64 = 12.0;

/// `about` names what the diagram shows, for readers who cannot see it.
pub fn render(nodes: &[Node], edges: &[Edge], about: &str) -> String {
    if nodes.is_empty() {
        return String::new();
    }
    let n = nodes.len();
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in edges {
        if e.from != e.to && !out_edges[e.from].contains(&e.to) {
            out_edges[e.from].push(e.to);
        }
    }
    let layer = layers(&out_edges);
    let top = layer.iter().copied().max().unwrap_or(0);

    // Rows from the top layer down; each layer wraps into rows of MAX_PER_ROW.
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut position: BTreeMap<usize, f64> = BTreeMap::new();
    for l in (0..=top).rev() {
        let mut members: Vec<usize> = (0..n).filter(|&i| layer[i] == l).collect();
        // Barycentre of the users already placed above; unplaced last, then by label.
        let key = |i: usize| -> f64 {
            let users: Vec<f64> = (0..n)
                .filter(|&u| out_edges[u].contains(&i))
                .filter_map(|u| position.get(&u).copied())
                .collect();
            if users.is_empty() {
                f64::MAX
            } else {
                users.iter().sum::<f64>() / users.len() as f64
            }
        };
        members.sort_by(|&a, &b| {
            key(a)
                .partial_cmp(&key(b))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(nodes[a].label.cmp(&nodes[b].label))
        });
        for chunk in members.chunks(MAX_PER_ROW) {
            for (k, &i) in chunk.iter().enumerate() {
                position.insert(i, k as f64 / chunk.len().max(1) as f64);
            }
            rows.push(chunk.to_vec());
        }
    }

    let width_of = |i: usize| -> f64 {
        (label(&nodes[i].label).chars().count() as f64 * 7.4 + 24.0).max(90.0)
    };
    let row_widths: Vec<f64> = rows
        .iter()
        .map(|r| {
            r.iter().map(|&i| width_of(i)).sum::<f64>() + GAP * (r.len().saturating_sub(1)) as f64
        })
        .collect();
    let width = row_widths.iter().cloned().fold(0.0, f64::max) + 2.0 * GAP;
    let height = rows.len() as f64 * ROW_HEIGHT + GAP;
    let back_edges = edges
        .iter()
        .filter(|e| e.from != e.to && layer[e.to] >= layer[e.from])
        .count();
    let lanes = LANE * back_edges as f64;
    let width = width + lanes;
    let mut boxes: Vec<(f64, f64, f64)> = vec![(0.0, 0.0, 0.0); n]; // x, y, w
    let mut row_of = vec![0usize; n];
    let mut row_right = vec![0.0f64; rows.len()];
    for (r, row) in rows.iter().enumerate() {
        let mut x = (width - lanes - row_widths[r]) / 2.0;
        let y = GAP + r as f64 * ROW_HEIGHT;
        for &i in row {
            let w = width_of(i);
            boxes[i] = (x, y, w);
            row_of[i] = r;
            x += w + GAP;
        }
        row_right[r] = x - GAP;
    }

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="diagram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img" aria-label="{}">"#,
        xml(about)
    );
    svg.push_str(r#"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>"#);
    let mut lane = 0;
    for e in edges {
        if e.from == e.to {
            continue;
        }
        let (fx, fy, fw) = boxes[e.from];
        let (tx, ty, tw) = boxes[e.to];
        let downward = ty > fy;
        let stroke = 1.0 + (e.weight as f64).ln_1p().min(3.0) * 0.6;
        let class = match (downward, e.class) {
            (true, "") => "edge".to_string(),
            (false, "") => "edge back".to_string(),
            (true, c) => format!("edge {c}"),
            (false, c) => format!("edge back {c}"),
        };
        // Upward edges (cycles, or parts in one row) run only through the gaps between rows
        // and up a lane of their own right of every box of the rows they span: out of the
        // source's top, into the target's bottom. No segment can cross a box.
        let path = if downward {
            let from = (fx + fw / 2.0, fy + BOX_HEIGHT);
            let to = (tx + tw / 2.0, ty);
            let through = gaps_between(&rows, &boxes, row_of[e.from], row_of[e.to], from, to);
            // Curves across the empty bands between rows; straight down through each row it
            // passes, in a gap between two boxes.
            let mut path = format!("M{:.1},{:.1}", from.0, from.1);
            let mut at = from;
            let curve = |path: &mut String, (ax, ay): (f64, f64), (bx, by): (f64, f64)| {
                let mid = (ay + by) / 2.0;
                let _ = write!(path, " C{ax:.1},{mid:.1} {bx:.1},{mid:.1} {bx:.1},{by:.1}");
            };
            for &(x, top) in &through {
                curve(&mut path, at, (x, top));
                let _ = write!(path, " V{:.1}", top + BOX_HEIGHT);
                at = (x, top + BOX_HEIGHT);
            }
            curve(&mut path, at, to);
            path
        } else {
            let (lo, hi) = (
                row_of[e.to].min(row_of[e.from]),
                row_of[e.to].max(row_of[e.from]),
            );
            let right = row_right[lo..=hi].iter().cloned().fold(0.0, f64::max);
            lane += 1;
            let x = right + LANE * lane as f64;
            let step = 3.0 * (lane % 4) as f64;
            let (sx, sy) = (fx + fw * 0.7, fy);
            let above = fy - 8.0 - step;
            let (ex, ey) = (tx + tw * 0.7, ty + BOX_HEIGHT);
            let below = ey + 8.0 + step;
            format!("M{sx:.1},{sy:.1} V{above:.1} H{x:.1} V{below:.1} H{ex:.1} V{ey:.1}")
        };
        let title = match &e.title {
            Some(t) => t.clone(),
            None => format!(
                "{} uses {} ({} import{})",
                nodes[e.from].label,
                nodes[e.to].label,
                e.weight,
                if e.weight == 1 { "" } else { "s" }
            ),
        };
        let _ = write!(
            svg,
            r#"<path class="{class}" d="{path}" stroke-width="{stroke:.2}" marker-end="url(#arrow)"><title>{}</title></path>"#,
            xml(&title)
        );
    }
    for (i, node) in nodes.iter().enumerate() {
        let (x, y, w) = boxes[i];
        let _ = write!(
            svg,
            r#"<a href="{}" class="node"><title>{}</title><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{BOX_HEIGHT}" rx="6"/><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text></a>"#,
            xml(&node.href),
            xml(&node.tooltip),
            x + w / 2.0,
            y + BOX_HEIGHT / 2.0 + 4.5,
            xml(&label(&node.label))
        );
    }
    svg.push_str("</svg>");
    svg
}

/// For a downward edge from row `from_row` to row `to_row`, where it crosses each row in
/// between: the gap between two boxes of that row (or beside its first or last) nearest to the
/// straight line from `from` to `to`, as (x, the row's top). Without this a long edge ran
/// behind the boxes of the rows it passed.
fn gaps_between(
    rows: &[Vec<usize>],
    boxes: &[(f64, f64, f64)],
    from_row: usize,
    to_row: usize,
    from: (f64, f64),
    to: (f64, f64),
) -> Vec<(f64, f64)> {
    let mut through = Vec::new();
    let mut last = from.0;
    for row in rows.iter().take(to_row).skip(from_row + 1) {
        let Some(&first) = row.first() else { continue };
        let y = boxes[first].1;
        let t = (y + BOX_HEIGHT / 2.0 - from.1) / (to.1 - from.1);
        let ideal = from.0 + t * (to.0 - from.0);
        let mut gaps = vec![boxes[first].0 - GAP / 2.0];
        gaps.extend(row.iter().map(|&i| boxes[i].0 + boxes[i].2 + GAP / 2.0));
        // Near the line, and near where the edge already is, so that it runs straight down
        // past a column of boxes instead of weaving from side to side.
        let cost = |g: f64| (g - ideal).abs() + (g - last).abs();
        let x = gaps
            .into_iter()
            .min_by(|&a, &b| cost(a).total_cmp(&cost(b)))
            .unwrap_or(ideal);
        through.push((x, y));
        last = x;
    }
    through
}

fn label(s: &str) -> String {
    if s.chars().count() > 32 {
        s.chars().take(31).collect::<String>() + "…"
    } else {
        s.to_string()
    }
}

/// Longest path to a sink, ignoring the edges that close a cycle (found depth-first in index
/// order, so the result is deterministic).
fn layers(out: &[Vec<usize>]) -> Vec<usize> {
    let n = out.len();
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut layer = vec![0usize; n];
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if *next < out[v].len() {
                let w = out[v][*next];
                *next += 1;
                if state[w] == 0 {
                    state[w] = 1;
                    stack.push((w, 0));
                }
            } else {
                layer[v] = out[v]
                    .iter()
                    .filter(|&&w| state[w] == 2)
                    .map(|&w| layer[w] + 1)
                    .max()
                    .unwrap_or(0);
                state[v] = 2;
                stack.pop();
            }
        }
    }
    layer
}

pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    s.chars().for_each(|c| push_escaped(&mut out, c));
    out
}

/// One character of text in HTML or XML, escaped (for text and quoted attribute values).
pub fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(label: &str) -> Node {
        Node {
            label: label.into(),
            href: format!("parts/{label}.html"),
            tooltip: String::new(),
        }
    }

    #[test]
    fn users_sit_above_what_they_use_and_cycles_do_not_hang() {
        // 0 -> 1 -> 2, and a cycle 2 -> 1.
        assert_eq!(layers(&[vec![1], vec![2], vec![1]]), [2, 1, 0]);
        let svg = render(
            &[node("app"), node("core"), node("util")],
            &[
                Edge {
                    from: 0,
                    to: 1,
                    weight: 3,
                    class: "",
                    title: None,
                },
                Edge {
                    from: 1,
                    to: 2,
                    weight: 1,
                    class: "holds",
                    title: Some("core holds util".into()),
                },
            ],
            "parts",
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<a href=").count(), 3);
        assert_eq!(svg.matches("class=\"edge\"").count(), 1);
        assert_eq!(svg.matches("class=\"edge holds\"").count(), 1);
        assert!(svg.contains("<title>core holds util</title>"));
    }

    /// The numbers after `key="` in each of the svg's elements named `tag`.
    fn attrs(svg: &str, tag: &str, keys: &[&str]) -> Vec<Vec<f64>> {
        svg.split(&format!("<{tag} "))
            .skip(1)
            .map(|el| {
                let el = format!(" {}", el.split('>').next().unwrap());
                keys.iter()
                    .map(|k| {
                        let at = el.find(&format!(" {k}=\"")).unwrap() + k.len() + 3;
                        el[at..].split('"').next().unwrap().parse().unwrap()
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn long_edges_pass_between_the_boxes_of_the_rows_they_cross() {
        // top -> a -> b -> bottom, top -> bottom, and beside each of a and b other parts,
        // so that the rows the long edge crosses have boxes on its way.
        let names = ["top", "a", "b", "bottom", "a2", "a3", "b2", "b3"];
        let nodes: Vec<Node> = names.iter().map(|n| node(n)).collect();
        let edge = |from, to| Edge {
            from,
            to,
            weight: 1,
            class: "",
            title: None,
        };
        let edges = [
            edge(0, 1),
            edge(1, 2),
            edge(2, 3),
            edge(0, 3),
            edge(0, 4),
            edge(0, 5),
            edge(4, 6),
            edge(5, 7),
            edge(6, 3),
            edge(7, 3),
        ];
        let svg = render(&nodes, &edges, "parts");
        let rects = attrs(&svg, "rect", &["x", "y", "width", "height"]);
        assert_eq!(rects.len(), names.len());
        let long = svg
            .split("<path ")
            .find(|p| p.contains("<title>top uses bottom"))
            .expect("the long edge");
        let d = long
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        // Each vertical run "… x,y V y2" crosses a row: no box may hold any point of it.
        let mut runs = 0;
        let words: Vec<&str> = d.split(' ').collect();
        for pair in words.windows(2) {
            let Some(y2) = pair[1].strip_prefix('V') else {
                continue;
            };
            let (x, y1) = pair[0]
                .trim_start_matches(['M', 'C'])
                .split_once(',')
                .unwrap();
            let (x, y1, y2): (f64, f64, f64) =
                (x.parse().unwrap(), y1.parse().unwrap(), y2.parse().unwrap());
            runs += 1;
            for r in &rects {
                let inside_x = x > r[0] && x < r[0] + r[2];
                let overlaps_y = y1.max(r[1]) < y2.min(r[1] + r[3]);
                assert!(!(inside_x && overlaps_y), "{d} crosses the box at {r:?}");
            }
        }
        assert_eq!(runs, 2, "it crosses two rows: {d}");
    }

    #[test]
    fn labels_are_escaped() {
        let svg = render(&[node("<script>x</script>")], &[], "a <b>");
        assert!(!svg.contains("<script>") && !svg.contains("<b>"));
    }
}
