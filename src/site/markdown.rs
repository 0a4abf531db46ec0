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
    let (html, stats, _) = render_citing(md, root, grounder);
    (html, stats)
}

/// `render_grounded`, with every text the grounder was asked about, in order: the same
/// markdown whose texts the grounder answers the same renders the same.
pub fn render_citing(
    md: &str,
    root: &str,
    grounder: Option<&Grounder>,
) -> (String, Grounding, Vec<String>) {
    let events = sanitised(md, root, None);
    let mut stats = Grounding::default();
    let mut asked = Vec::new();
    let events: Vec<Event> = match grounder {
        Some(g) => ground(events.into_iter(), g, root, &mut stats, &mut asked),
        None => events,
    };
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    (out, stats, asked)
}

/// How a doc comment's links and headings are made: every link that is not an http(s) or
/// mailto URL goes through `resolve` (a symbol, a repository path, a fragment) and stays a link
/// only when it names something on the site; headings get ids from `ids`, `shift` levels down.
pub struct DocLinks<'a> {
    /// Link target -> the href to use (already relative to the page), or `None`: plain text.
    pub resolve: &'a dyn Fn(&str) -> Option<String>,
    /// rustdoc: `[Foo]` and `` [`Foo`] `` with no definition are links to the symbol.
    pub intra_doc: bool,
    pub ids: &'a mut Ids,
    pub shift: u8,
}

/// Renders a doc comment's markdown (a dialect has already made it markdown).
pub fn render_doc(md: &str, root: &str, links: &mut DocLinks) -> String {
    let events = sanitised(md, root, Some(links));
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    out
}

/// The ids of a page's headings, unique: GitHub's and rustdoc's way (`## Message: begin` is
/// `#message-begin`), a second one of the same words `-1`, and never one the page itself uses.
#[derive(Default)]
pub struct Ids {
    taken: std::collections::HashSet<String>,
    pub made: Vec<String>,
}

impl Ids {
    /// The page's own ids (section names, symbol anchors) that headings must not take.
    pub fn reserving<'s>(own: impl IntoIterator<Item = &'s str>) -> Ids {
        Ids {
            taken: own.into_iter().map(str::to_string).collect(),
            made: Vec::new(),
        }
    }

    pub fn next(&mut self, words: &str) -> String {
        let mut base: String = words
            .trim()
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect();
        if base.is_empty() {
            base = "section".into();
        }
        let mut id = base.clone();
        let mut n = 1;
        while self.taken.contains(&id) || id.starts_with("sym-") || is_line_id(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.taken.insert(id.clone());
        self.made.push(id.clone());
        id
    }
}

fn is_line_id(id: &str) -> bool {
    id.strip_prefix('l')
        .or_else(|| id.strip_prefix('L'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Marks a link rustdoc's way `[Foo]` made that names nothing: shown as its words.
const UNRESOLVED: &str = "repowiki:unresolved";

/// Parses `md` and makes it safe: raw HTML shown as text, images as nothing, only safe links.
fn sanitised<'m>(md: &'m str, root: &str, doc: Option<&mut DocLinks>) -> Vec<Event<'m>> {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let intra_doc = doc.as_ref().is_some_and(|d| d.intra_doc);
    let resolve = doc.as_ref().map(|d| d.resolve);
    let mut callback = |link: pulldown_cmark::BrokenLink<'_>| {
        let target = link.reference.trim_matches('`').to_string();
        let href = resolve.and_then(|r| r(&target));
        // Only what looks like a path is a missing intra-doc link; `[optional]` stays as written.
        let pathlike = !target.is_empty()
            && target
                .chars()
                .all(|c| c.is_alphanumeric() || ":_@!().#<>".contains(c));
        match href {
            Some(href) => Some((CowStr::from(href), CowStr::from(""))),
            None if pathlike => Some((CowStr::from(UNRESOLVED), CowStr::from(""))),
            None => None,
        }
    };
    let parser =
        Parser::new_with_broken_link_callback(md, options, intra_doc.then_some(&mut callback));
    // For each open link: whether it was kept (its end tag must then be kept too).
    let mut links: Vec<bool> = Vec::new();
    let mut events: Vec<Event<'m>> = Vec::new();
    // In a doc, HTML is the author's layout: inline tags go (the text between them stays);
    // elsewhere HTML is shown as the text it is.
    let mut in_tag = false;
    for event in parser {
        let kept = match event {
            // A block of HTML is layout (a logo, a sponsor's box): it goes whole.
            Event::Html(_) if doc.is_some() => None,
            Event::InlineHtml(t) if doc.is_some() => {
                let text = strip_tags(&t, &mut in_tag);
                (!text.trim().is_empty()).then(|| Event::Text(CowStr::from(text)))
            }
            Event::Html(t) | Event::InlineHtml(t) => Some(Event::Text(t)),
            // A fenced block's info string becomes a class: only a plain language name survives
            // (found by fuzzing: any text, `javascript:` or another of the site's classes, got
            // in). rustdoc's `rust,no_run` is `rust`.
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let lang: String = info
                    .split(|c: char| c.is_whitespace() || c == ',')
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
            }) => {
                let url = if &*dest_url == UNRESOLVED {
                    None
                } else {
                    match doc.as_deref() {
                        // Links made by the broken-link callback are resolved already.
                        Some(_)
                            if matches!(
                                link_type,
                                pulldown_cmark::LinkType::ShortcutUnknown
                                    | pulldown_cmark::LinkType::CollapsedUnknown
                                    | pulldown_cmark::LinkType::ReferenceUnknown
                            ) =>
                        {
                            Some(dest_url.to_string())
                        }
                        Some(d) => doc_url(&dest_url, root, d.resolve),
                        // Narratives and messages link to the site from its root (`/parts/…`);
                        // a relative link was written for another site (`struct.Foo.html`).
                        None => safe_url(&dest_url, root).filter(|u| {
                            dest_url.starts_with(['/', '#'])
                                || u.starts_with("https://")
                                || u.starts_with("http://")
                                || u.starts_with("mailto:")
                        }),
                    }
                };
                links.push(url.is_some());
                url.map(|url| {
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::from(url),
                        title,
                        id,
                    })
                })
            }
            Event::End(TagEnd::Link) => links.pop().unwrap_or(false).then_some(event),
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) if doc.is_some() => {
                let shift = doc.as_ref().map_or(0, |d| d.shift);
                let level = pulldown_cmark::HeadingLevel::try_from(
                    (level as usize + shift as usize).min(6),
                )
                .unwrap_or(pulldown_cmark::HeadingLevel::H6);
                Some(Event::Start(Tag::Heading {
                    level,
                    id: None,
                    classes,
                    attrs,
                }))
            }
            Event::End(TagEnd::Heading(level)) if doc.is_some() => {
                let shift = doc.as_ref().map_or(0, |d| d.shift);
                let level = pulldown_cmark::HeadingLevel::try_from(
                    (level as usize + shift as usize).min(6),
                )
                .unwrap_or(pulldown_cmark::HeadingLevel::H6);
                Some(Event::End(TagEnd::Heading(level)))
            }
            other => Some(other),
        };
        events.extend(kept);
    }
    if let Some(d) = doc {
        name_headings(&mut events, d.ids);
    }
    events
}

/// Text without its tags; `in_tag` carries a tag open at the end over to the next piece.
fn strip_tags(html: &str, in_tag: &mut bool) -> String {
    let mut out = String::new();
    for c in html.chars() {
        match (c, *in_tag) {
            ('<', false) => *in_tag = true,
            ('>', true) => *in_tag = false,
            (_, false) => out.push(c),
            _ => {}
        }
    }
    out
}

/// A doc's link target on the site: http(s) and mailto as they are, anything else only where
/// the resolver finds it (a scheme it does not know is never a link).
fn doc_url(dest: &str, root: &str, resolve: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let lower = dest.trim().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
    {
        return safe_url(dest, root);
    }
    if lower.starts_with("//") {
        return None;
    }
    resolve(dest.trim())
}

/// Gives each heading an id made from its words.
fn name_headings(events: &mut [Event], ids: &mut Ids) {
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { .. }) = events[i] {
            let mut words = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
                    words.push_str(t);
                }
                j += 1;
            }
            let id = ids.next(&words);
            if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i] {
                *slot = Some(CowStr::from(id));
            }
            i = j;
        }
        i += 1;
    }
}

/// Every link target of a doc (with `intra_doc`, `[Foo]` too), in order.
pub fn link_targets(md: &str, intra_doc: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut callback = |link: pulldown_cmark::BrokenLink<'_>| {
        Some((
            CowStr::from(link.reference.trim_matches('`').to_string()),
            CowStr::from(""),
        ))
    };
    let parser = Parser::new_with_broken_link_callback(
        md,
        Options::ENABLE_TABLES,
        intra_doc.then_some(&mut callback),
    );
    for event in parser {
        if let Event::Start(Tag::Link { dest_url, .. }) = event {
            out.push(dest_url.to_string());
        }
    }
    out
}

/// A document's title: the heading it opens with (of any level; HTML, badges and images
/// before it do not count), if it opens with one.
pub fn title_of(md: &str) -> Option<String> {
    let mut current: Option<String> = None;
    let mut in_image = 0usize;
    for event in Parser::new_ext(without_front_matter(md), Options::empty()) {
        match event {
            Event::Start(Tag::Heading { .. }) => current = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => return current,
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            Event::Text(t) | Event::Code(t) => match current.as_mut() {
                Some(c) => c.push_str(&t),
                // Prose before any heading: the document does not open with a title.
                None if in_image == 0 && !t.trim().is_empty() => return None,
                None => {}
            },
            Event::Start(Tag::CodeBlock(_) | Tag::List(_) | Tag::Table(_)) if current.is_none() => {
                return None
            }
            _ => {}
        }
    }
    None
}

/// A document without its YAML front matter (`---` lines around `key: value` settings).
pub fn without_front_matter(md: &str) -> &str {
    let Some(rest) = md
        .strip_prefix("---\n")
        .or_else(|| md.strip_prefix("---\r\n"))
    else {
        return md;
    };
    match rest.find("\n---") {
        Some(end) => {
            let after = &rest[end + 4..];
            after.split_once('\n').map_or("", |(_, body)| body)
        }
        None => md,
    }
}

/// The code spans and link targets of a markdown text.
pub fn code_and_links(md: &str) -> Vec<String> {
    Parser::new_ext(md, Options::ENABLE_TABLES)
        .filter_map(|event| match event {
            Event::Code(c) => Some(c.to_string()),
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
            _ => None,
        })
        .collect()
}

/// The heading ids a doc would get (in order, before they are made unique).
pub fn heading_words(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. }) => current = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => out.extend(current.take()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t);
                }
            }
            _ => {}
        }
    }
    out
}

const MISSING_OPEN: &str =
    "<mark class=\"unverified\" title=\"not found in the repository at this commit\">";

/// Runs after the sanitiser: the only raw HTML here is the mark that repowiki adds itself.
fn ground<'e>(
    events: impl Iterator<Item = Event<'e>>,
    g: &Grounder,
    root: &str,
    stats: &mut Grounding,
    asked: &mut Vec<String>,
) -> Vec<Event<'e>> {
    let mut out = Vec::new();
    let (mut in_link, mut in_code_block, mut in_quote) = (0usize, false, 0usize);
    // A quote is the repository's words, not a citation: what it names is linked when found,
    // and left as written when not.
    let mut check = |text: &str, in_quote: usize| {
        asked.push(text.to_string());
        match g.check(text) {
            Reference::Missing if in_quote > 0 => Reference::None,
            r => r,
        }
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
    fn a_document_is_titled_by_the_heading_it_opens_with() {
        assert_eq!(title_of("# Store\n\nText.").as_deref(), Some("Store"));
        assert_eq!(
            title_of("<p align=\"center\"><img src=\"x\"></p>\n\n[![CI](b.svg)](ci)\n\nripgrep (rg)\n------------\n").as_deref(),
            Some("ripgrep (rg)")
        );
        assert_eq!(
            title_of("---\ntitle: x\n---\n## `FAQ`\n").as_deref(),
            Some("FAQ")
        );
        assert_eq!(title_of("Some prose first.\n\n# Later\n"), None);
        assert_eq!(title_of("- a list\n\n# Later\n"), None);
    }

    #[test]
    fn site_links_become_relative() {
        let html = render(
            "[a](/parts/x.html) [b](https://example.com) [c](#top) [d](struct.D.html)",
            "../",
        );
        assert!(html.contains("<a href=\"#top\">c</a> d"), "{html}");
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
        // Docs go through the same checks, with intra-doc links on and a resolver that links
        // every plain name.
        let resolve = |t: &str| {
            t.chars()
                .all(|c| c.is_ascii_alphanumeric())
                .then(|| format!("x.html#{t}"))
        };
        for case in 0..crate::fuzz::cases() * 2 {
            let md = g.text(MD, 30);
            let html = if case % 2 == 0 {
                render(&md, "../")
            } else {
                let mut ids = Ids::default();
                let mut links = DocLinks {
                    resolve: &resolve,
                    intra_doc: true,
                    ids: &mut ids,
                    shift: 2,
                };
                render_doc(&md, "../", &mut links)
            };
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
                        ["href", "title", "class", "start", "style", "id"].contains(&attr.as_str()),
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
