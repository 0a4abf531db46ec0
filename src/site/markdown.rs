//! Markdown to HTML for untrusted text (doc comments, commit messages, narratives): raw HTML is
//! shown as text, images become their alt text, and only http(s), mailto, in-page and relative
//! links survive. Links starting with `/` are relative to the site root.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

/// Renders `md` for a page whose way back to the site root is `root` (`""`, `"../"`, …).
pub fn render(md: &str, root: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    // For each open link: whether it was kept (its end tag must then be kept too).
    let mut links: Vec<bool> = Vec::new();
    let events = Parser::new_ext(md, options).filter_map(|event| match event {
        Event::Html(t) | Event::InlineHtml(t) => Some(Event::Text(t)),
        Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => None,
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => match safe_url(&dest_url, root) {
            Some(url) => {
                links.push(true);
                Some(Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(url),
                    title,
                    id,
                }))
            }
            None => {
                links.push(false);
                None
            }
        },
        Event::End(TagEnd::Link) => {
            if links.pop().unwrap_or(false) {
                Some(Event::End(TagEnd::Link))
            } else {
                None
            }
        }
        other => Some(other),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// The link target to use, or `None` when it must not be a link.
pub fn safe_url(url: &str, root: &str) -> Option<String> {
    let compact: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let lower = compact.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
    {
        return Some(compact);
    }
    if lower.starts_with("//") || lower.starts_with("/\\") {
        return None;
    }
    if let Some(rest) = compact.strip_prefix('/') {
        return Some(format!("{root}{rest}"));
    }
    // Anything else with a scheme (javascript:, data:, vbscript:, file:, …) is dropped.
    let before_path = lower.split(['/', '?', '#']).next().unwrap_or("");
    if before_path.contains(':') {
        return None;
    }
    Some(compact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = render(
            "hi <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>",
            "",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn dangerous_links_lose_their_href() {
        for bad in [
            "javascript:alert(1)",
            "JaVa\tScRiPt:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "//evil.example",
        ] {
            let html = render(&format!("[click]({bad})"), "");
            assert!(!html.contains("href"), "{bad}: {html}");
            assert!(html.contains("click"), "{bad}: {html}");
        }
        let img = render("![alt text](javascript:alert(1))", "");
        assert!(!img.contains("<img") && img.contains("alt text"), "{img}");
    }

    #[test]
    fn site_links_become_relative() {
        let html = render(
            "[a](/parts/x.html) [b](https://example.com) [c](#top)",
            "../",
        );
        assert!(html.contains("href=\"../parts/x.html\""), "{html}");
        assert!(html.contains("href=\"https://example.com\""), "{html}");
        assert!(html.contains("href=\"#top\""), "{html}");
    }
}
