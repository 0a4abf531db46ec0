//! Markdown to HTML for untrusted text (doc comments, commit messages, narratives): raw HTML is
//! shown as text, images become their alt text, and only http(s), mailto, in-page and relative
//! links survive. Links starting with `/` are relative to the site root.

use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use super::grounding::{Grounder, Grounding, Reference};

/// Renders `md` for a page whose way back to the site root is `root` (`""`, `"../"`, …).
pub fn render(md: &str, root: &str) -> String {
    render_grounded(md, root, None).0
}

/// Like `render`, and with a grounder every citation is checked: found ones become links,
/// missing ones are marked.
pub fn render_grounded(md: &str, root: &str, grounder: Option<&Grounder>) -> (String, Grounding) {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    // For each open link: whether it was kept (its end tag must then be kept too).
    let mut links: Vec<bool> = Vec::new();
    let events = Parser::new_ext(md, options).filter_map(|event| match event {
        Event::Html(t) | Event::InlineHtml(t) => Some(Event::Text(t)),
        // A fenced block's info string becomes a class: only a plain language name survives
        // (found by fuzzing: any text, `javascript:` or another of the site's classes, got in).
        Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
            let lang: String = info
                .split_whitespace()
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "+-_".contains(*c))
                .take(20)
                .collect();
            Some(Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(
                CowStr::from(lang),
            ))))
        }
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
    let mut stats = Grounding::default();
    let events: Vec<Event> = match grounder {
        Some(g) => ground(events, g, root, &mut stats),
        None => events.collect(),
    };
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    (out, stats)
}

const MISSING_OPEN: &str =
    "<mark class=\"unverified\" title=\"not found in the repository at this commit\">";

/// Runs after the sanitiser: the only raw HTML here is the mark that repowiki adds itself.
fn ground<'e>(
    events: impl Iterator<Item = Event<'e>>,
    g: &Grounder,
    root: &str,
    stats: &mut Grounding,
) -> Vec<Event<'e>> {
    let mut out = Vec::new();
    let (mut in_link, mut in_code_block, mut in_quote) = (0usize, false, 0usize);
    // A quote is the repository's words, not a citation: what it names is linked when found,
    // and left as written when not.
    let check = |text: &str, in_quote: usize| match g.check(text) {
        Reference::Missing if in_quote > 0 => Reference::None,
        r => r,
    };
    for event in events {
        match event {
            Event::Start(Tag::BlockQuote(_)) => {
                in_quote += 1;
                out.push(event);
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                in_quote = in_quote.saturating_sub(1);
                out.push(event);
            }
            Event::Start(Tag::Link { .. }) => {
                in_link += 1;
                out.push(event);
            }
            Event::End(TagEnd::Link) => {
                in_link = in_link.saturating_sub(1);
                out.push(event);
            }
            Event::Start(Tag::CodeBlock(_)) => {
                in_code_block = true;
                out.push(event);
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                out.push(event);
            }
            Event::Code(code) => {
                let reference = check(&code, in_quote);
                cite(
                    &mut out,
                    Event::Code(code),
                    reference,
                    in_link > 0,
                    root,
                    stats,
                );
            }
            // A link's words are its label (a part's name like `@scope/docs/.vitepress`), not a
            // citation: the link itself is what it points to.
            Event::Text(text) if !in_code_block && in_link == 0 => {
                // Paths and `path:line` citations in prose count too.
                let mut rest = text.to_string();
                while let Some((start, end)) = next_pathlike(&rest) {
                    let word = rest[start..end].to_string();
                    let reference = check(&word, in_quote);
                    if reference == Reference::None {
                        out.push(Event::Text(CowStr::from(rest[..end].to_string())));
                    } else {
                        out.push(Event::Text(CowStr::from(rest[..start].to_string())));
                        cite(
                            &mut out,
                            Event::Text(CowStr::from(word)),
                            reference,
                            in_link > 0,
                            root,
                            stats,
                        );
                    }
                    rest = rest[end..].to_string();
                }
                if !rest.is_empty() {
                    out.push(Event::Text(CowStr::from(rest)));
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn cite<'e>(
    out: &mut Vec<Event<'e>>,
    shown: Event<'e>,
    reference: Reference,
    in_link: bool,
    root: &str,
    stats: &mut Grounding,
) {
    match reference {
        Reference::None => out.push(shown),
        Reference::Found(page) => {
            stats.checked += 1;
            match page.filter(|_| !in_link) {
                Some(page) => {
                    // Site pages are relative to the root; source lines are absolute URLs.
                    let dest = if page.starts_with("https://") || page.starts_with("http://") {
                        page
                    } else {
                        format!("{root}{page}")
                    };
                    out.push(Event::Start(Tag::Link {
                        link_type: pulldown_cmark::LinkType::Inline,
                        dest_url: CowStr::from(dest),
                        title: CowStr::from(""),
                        id: CowStr::from(""),
                    }));
                    out.push(shown);
                    out.push(Event::End(TagEnd::Link));
                }
                None => out.push(shown),
            }
        }
        Reference::Missing => {
            stats.checked += 1;
            stats.missing += 1;
            out.push(Event::InlineHtml(CowStr::from(MISSING_OPEN)));
            out.push(shown);
            out.push(Event::InlineHtml(CowStr::from("</mark>")));
        }
    }
}

/// The next word of prose that looks like a path (`a/b.rs`, `src/x.py:10-20`), as a range.
fn next_pathlike(text: &str) -> Option<(usize, usize)> {
    let is_word = |c: char| c.is_alphanumeric() || "/._-:#".contains(c);
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (start, is_word(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                let word = text[s..i].trim_end_matches(['.', ',', ':', ';']);
                let end = s + word.len();
                if word.contains('/') && word.contains('.') && !word.starts_with('/') {
                    return Some((s, end));
                }
                start = None;
            }
            _ => {}
        }
    }
    None
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

    const MD: &[&str] = &[
        "<script>",
        "</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:x\">",
        "<iframe src=//e>",
        "<svg onload=x>",
        "<!--",
        "-->",
        "<![CDATA[",
        "[",
        "]",
        "(",
        ")",
        "](",
        "javascript:",
        "JaVaScRiPt:",
        "data:text/html,",
        "vbscript:",
        "//evil",
        "http://ok",
        "`",
        "```",
        "\n",
        "\n\n",
        "*",
        "_",
        "#",
        "> ",
        "- ",
        "1. ",
        "|",
        "---",
        "<",
        ">",
        "&",
        "&lt;",
        "&#106;avascript:",
        "\\",
        "\"",
        "'",
        " onclick=",
        "<details open ontoggle=x>",
        "![",
        "<style>",
        "<base href=//e>",
        "<form>",
        "x",
        "src/a.rs:12",
    ];

    /// The attribute names of a tag's text (`a href="x" title="y"` -> href, title).
    fn attribute_names(tag: &str) -> Vec<String> {
        let mut names = Vec::new();
        let mut rest = tag.split_once(' ').map_or("", |(_, r)| r);
        loop {
            rest = rest.trim_start();
            let name: String = rest
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '=')
                .collect();
            if name.is_empty() || name == "/" {
                return names;
            }
            rest = &rest[name.len()..];
            names.push(name);
            if let Some(r) = rest.strip_prefix("=\"") {
                rest = r.split_once('"').map_or("", |(_, r)| r);
            }
        }
    }

    /// The tags the sanitiser may produce: what pulldown-cmark makes of markdown.
    const ALLOWED: &[&str] = &[
        "p",
        "em",
        "strong",
        "code",
        "pre",
        "a",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "del",
        "br",
        "hr",
    ];

    #[test]
    fn code_block_languages_are_plain_names() {
        let html = render(
            "```JaVaScRiPt:alert(1) warning\nx\n```\n```rust\ny\n```",
            "",
        );
        assert!(
            html.contains("class=\"language-JaVaScRiPtalert1\""),
            "{html}"
        );
        assert!(html.contains("class=\"language-rust\""), "{html}");
    }

    /// Fuzz target: the markdown sanitiser. Whatever the markdown, the HTML holds only the tags
    /// markdown makes, links only to safe places, and no attribute but href, title, start and
    /// (on table cells) style.
    #[test]
    fn fuzz_markdown_sanitiser() {
        let mut g = crate::fuzz::Gen::new("markdown");
        for _ in 0..crate::fuzz::cases() * 2 {
            let md = g.text(MD, 30);
            let html = render(&md, "../");
            let mut rest = html.as_str();
            while let Some(start) = rest.find('<') {
                let end = rest[start..]
                    .find('>')
                    .map(|e| start + e)
                    .expect("tags close");
                let tag = &rest[start + 1..end];
                rest = &rest[end + 1..];
                let name: String = tag
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                assert!(ALLOWED.contains(&name.as_str()), "<{tag}> from {md:?}");
                for attr in attribute_names(tag) {
                    assert!(
                        ["href", "title", "class", "start", "style"].contains(&attr.as_str()),
                        "<{tag}> from {md:?}"
                    );
                }
                if let Some(style) = tag.split("style=\"").nth(1) {
                    assert!(style.starts_with("text-align: "), "<{tag}> from {md:?}");
                }
                if let Some(href) = tag.split("href=\"").nth(1) {
                    let href = href.split('"').next().unwrap();
                    assert!(crate::fuzz::safe_scheme(href), "<{tag}> from {md:?}");
                    assert!(!href.starts_with("//"), "<{tag}> from {md:?}");
                }
            }
        }
    }
}
