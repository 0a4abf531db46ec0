//! Mermaid for the markdown wiki (GitHub and GitLab draw it): the same graphs the HTML pages
//! draw as SVG, written from the same values. Valid by construction: every node gets a
//! generated id, and every label is reduced to characters Mermaid reads as text (no quotes,
//! semicolons, brackets, `#` entities or markup), so no name from the code can break or steer a
//! diagram. No model text reaches a diagram.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::flows::{layout, message};
use crate::narrate::flows::Flow;
use crate::narrate::typemap::TypeMap;

/// A label Mermaid shows as written: letters, digits, spaces and `_ . , ( ) -` kept, `::`
/// written `.`, anything else a space; at most 40 characters.
pub fn label(s: &str) -> String {
    let s = s.replace("::", ".");
    let cleaned: String = s
        .chars()
        .map(|c| match c {
            c if c.is_alphanumeric() || " _.,()-".contains(c) => c,
            _ => ' ',
        })
        .collect();
    let mut words = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    // `--` starts an arrow.
    while words.contains("--") {
        words = words.replace("--", "-");
    }
    let short: String = words.chars().take(40).collect();
    if short.is_empty() {
        "unnamed".into()
    } else {
        short
    }
}

/// A flow as a `sequenceDiagram`: the lifelines and arrows the SVG draws.
pub fn sequence(flow: &Flow) -> String {
    let l = layout(flow);
    let mut out = String::from("sequenceDiagram\n");
    for (i, (lane, _)) in l.lanes.iter().enumerate() {
        let _ = writeln!(out, "    participant L{i} as {}", label(lane));
    }
    for &(from, to, k) in &l.messages {
        let _ = writeln!(out, "    L{from}->>L{to}: {}", label(&message(flow, k)));
    }
    out
}

/// A type map as a `classDiagram`: one class per type, one arrow per relation.
pub fn classes(map: &TypeMap) -> String {
    let mut out = String::from("classDiagram\n");
    for (i, t) in map.types.iter().enumerate() {
        let name = t.name.rsplit([':', '.']).next().unwrap_or(&t.name);
        let _ = writeln!(out, "    class T{i}[\"{}\"]", label(name));
    }
    let mut seen: BTreeMap<(usize, usize, &str), ()> = BTreeMap::new();
    for r in &map.relations {
        if seen.insert((r.from, r.to, r.kind.as_str()), ()).is_some() {
            continue;
        }
        let arrow = match r.kind.as_str() {
            "implements" => "..|>",
            "extends" => "--|>",
            "creates" => "..>",
            "holds" => "o--",
            _ => "-->",
        };
        let what = match r.field.is_empty() {
            true => r.kind.clone(),
            false => format!("{} {}", r.kind, r.field),
        };
        // `o--` puts the diamond on the holder's side.
        let _ = writeln!(out, "    T{} {arrow} T{} : {}", r.from, r.to, label(&what));
    }
    out
}

/// Boxes and arrows as a `flowchart`: (label) nodes, (from, to) edges.
pub fn flowchart(nodes: &[String], edges: &[(usize, usize)]) -> String {
    let mut out = String::from("flowchart TD\n");
    for (i, n) in nodes.iter().enumerate() {
        let _ = writeln!(out, "    N{i}[\"{}\"]", label(n));
    }
    for &(a, b) in edges {
        if a != b && a < nodes.len() && b < nodes.len() {
            let _ = writeln!(out, "    N{a} --> N{b}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_break_out() {
        assert_eq!(label("Ky.#fetch"), "Ky. fetch");
        assert_eq!(label("a::B<T>"), "a.B T");
        assert_eq!(
            label("x\"]; click N0 call evil()%%"),
            "x click N0 call evil()"
        );
        assert_eq!(label(";;;"), "unnamed");
        assert_eq!(label(&"é".repeat(50)).chars().count(), 40);
    }

    /// Fuzz target: no label holds a character Mermaid reads as syntax.
    #[test]
    fn fuzz_labels() {
        let mut g = crate::fuzz::Gen::new("mermaid-labels");
        let pieces = [
            "\"", ";", "#", "%%", "[", "]", "{", "}", "<", ">", "|", ":", "\n", "`", "a", "Z", "_",
            " ", "é", "-->", "&", "\\", "'",
        ];
        for _ in 0..crate::fuzz::cases() {
            let s = g.text(&pieces, 20);
            let l = label(&s);
            assert!(
                l.chars()
                    .all(|c| c.is_alphanumeric() || " _.,()-".contains(c)),
                "{s:?} -> {l:?}"
            );
            assert!(!l.contains("--"), "{s:?} -> {l:?}");
        }
    }
}
