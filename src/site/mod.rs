//! Stage 8: the static site. Pages are rendered from tera templates embedded in the binary,
//! with every piece of repository text escaped by the templates or sanitised as markdown, and
//! every link relative so that the folder opens from disk.

pub mod chart;
pub mod diagram;
pub mod docs;
pub mod flows;
pub mod grounding;
pub mod highlight;
pub mod links;
pub mod markdown;
pub mod mermaid;
pub mod paths;
pub mod theme;
pub mod wiki;
pub mod write;

use std::collections::{BTreeMap, BTreeSet};

use foldhash::{HashMap, HashMapExt};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::cache::CacheUse;
use crate::error::{Error, Result};
use crate::history::Commit;
use crate::narrate::{first_sentence, ClusterFacts, Narratives, OverviewFacts};
use crate::snapshot::SourceFile;
use paths::{root_of, symbol_anchor, PageMap};

pub use write::{WriteReport, Writer};

/// One file of the site: its path relative to the site root and its bytes.
#[derive(Debug, Clone)]
pub struct Page {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// What rendering the HTML site did.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub rendered: usize,
    /// File and part pages not rendered because their inputs and their file on disk are
    /// exactly as the last build left them: they stay as they are.
    pub kept: usize,
    /// How many of those are part pages.
    pub kept_parts: usize,
    /// Every file and part page's input key (see `file_page_key`, `part_page_key`), for the
    /// next build.
    pub keys: BTreeMap<String, String>,
    /// Per part page, the texts its narrative asked the grounder about, for the next build.
    pub asked: BTreeMap<String, Vec<String>>,
}

pub struct SiteInput<'a> {
    pub analysis: &'a crate::Analysis,
    pub part_facts: &'a [ClusterFacts],
    pub overview_facts: &'a OverviewFacts,
    pub narratives: &'a Narratives,
    /// With `{commit}`, `{path}` and `{line}` to fill in.
    pub source_url: Option<&'a str>,
    /// Where the site is published (for `llms.txt`), ending in `/`; empty: relative links.
    pub base_url: &'a str,
    /// The page templates and theme files in force.
    pub theme: &'a theme::Theme,
    /// Where the built commit stood against its branch.
    pub freshness: Option<&'a crate::Freshness>,
    /// Whether the page at a path, rendered last time from the given key, is still on disk as
    /// it was written (so it need not be rendered again).
    pub unchanged_since: &'a (dyn Fn(&str, &str) -> bool + Sync),
    /// Per part page, the texts its narrative asked the grounder about in the last build.
    pub last_asked: Option<&'a BTreeMap<String, Vec<String>>>,
    /// Where the colours of source views are kept (the parse stage keeps those of the files it
    /// parsed); none: each view is coloured from a parse of its own.
    pub cache: Option<&'a crate::cache::CacheUse<'a>>,
}

fn engine(theme: &theme::Theme) -> Result<Tera> {
    let mut tera = Tera::new();
    tera.add_raw_templates(
        theme
            .templates
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str())),
    )
    .map_err(|e| Error::Template {
        name: if theme
            .overridden
            .iter()
            .any(|o| o.starts_with(".repowiki/templates/"))
        {
            ".repowiki/templates".into()
        } else {
            "built-in".into()
        },
        message: e.to_string(),
    })?;
    Ok(tera)
}

/// Renders the HTML site into `writer` (which stages what changed; `finish` publishes it).
pub fn render(input: &SiteInput, writer: &mut write::Writer) -> Result<Rendered> {
    let tera = engine(input.theme)?;
    let fingerprint = input.theme.fingerprint();
    // Neither needs the other, and each keeps one core for a while.
    let (grounder, index) = rayon::join(
        || grounding::Grounder::new(input.analysis),
        || FileIndex::new(input),
    );
    let file_jobs: Vec<(&str, String, String)> = input
        .analysis
        .parsed
        .files
        .par_iter()
        .map(|f| {
            let page = input
                .analysis
                .pages
                .file(&f.path)
                .unwrap_or_default()
                .to_string();
            let key = file_page_key(input, &index, &f.path, &page, &fingerprint);
            (f.path.as_str(), page, key)
        })
        .collect();
    let mut kept = Vec::new();
    let mut kept_parts = 0;
    let mut keys = BTreeMap::new();
    let mut files: Vec<Job> = Vec::new();
    for (path, page, key) in &file_jobs {
        if (input.unchanged_since)(page, key) {
            kept.push(page.clone());
        } else {
            files.push(Job::File(path));
        }
        keys.insert(page.clone(), key.clone());
    }
    // A part's page is kept, as a file's is, when its inputs are the last build's: all but
    // its citations are hashed once here, and those are answered again by the grounder.
    let layout = parts_layout(input);
    let bases: Vec<String> = (0..input.analysis.clusters.clusters.len())
        .into_par_iter()
        .map(|i| part_page_base(input, &index, i, (&fingerprint, &layout)))
        .collect();
    let none = Vec::new();
    let mut asked = BTreeMap::new();
    let mut parts: Vec<Job> = Vec::new();
    for (i, base) in bases.iter().enumerate() {
        let page = PageMap::part(&input.analysis.clusters.clusters[i].slug);
        let last = input.last_asked.and_then(|m| m.get(&page)).unwrap_or(&none);
        let key = part_page_key(base, &grounder, last);
        if (input.unchanged_since)(&page, &key) {
            kept_parts += 1;
            kept.push(page.clone());
            asked.insert(page.clone(), last.clone());
            keys.insert(page, key);
        } else {
            parts.push(Job::Part(i));
        }
    }
    // Rendered a batch at a time and handed to the writer, which stages what changed: memory
    // holds one batch of pages, not the site (100,000 file pages are over a gigabyte). The
    // overview, history and part pages are small (rust-analyzer's 190 parts: 11 MB) and go in
    // the first batch, with the first file pages: after a small commit those are a few, often
    // one long file whose colours and line stories keep a core busy, and the parts then keep
    // the other one busy beside it rather than leaving it idle.
    let rest = files.split_off(files.len().min(RENDER_BATCH));
    let mut first = files;
    first.extend([Job::Overview, Job::History]);
    first.extend(parts);
    let mut rendered = 0;
    let mut shared = None;
    for (n, batch) in std::iter::once(first.as_slice())
        .chain(rest.chunks(RENDER_BATCH))
        .enumerate()
    {
        let render = || {
            batch
                .par_iter()
                .map(|job| render_job(&tera, input, &grounder, &index, job))
                .collect::<Result<Vec<_>>>()
        };
        // The files every page shares are made beside the first batch: after a small commit
        // that batch is a few pages, and one long file among them would leave a core idle.
        let done = match n {
            0 => {
                let (done, made) =
                    rayon::join(render, || shared_files(input, &grounder, &index, &bases));
                shared = Some(made);
                done
            }
            _ => render(),
        };
        let (pages, texts): (Vec<Page>, Vec<Option<Vec<String>>>) = done?.into_iter().unzip();
        writer.pages(&pages)?;
        rendered += pages.len();
        // Each part page rendered now, keyed by what its narrative asked this time.
        for ((job, page), texts) in batch.iter().zip(&pages).zip(texts) {
            if let (Job::Part(i), Some(texts)) = (job, texts) {
                keys.insert(
                    page.path.clone(),
                    part_page_key(&bases[*i], &grounder, &texts),
                );
                asked.insert(page.path.clone(), texts);
            }
        }
    }
    // Handed over together, so that they are compared, redacted and staged on all cores
    // (llms-full.txt alone is megabytes).
    let mut pages: Vec<Page> = shared.unwrap_or_default();
    pages.extend(input.theme.assets.iter().map(|(name, bytes)| Page {
        path: format!("assets/{name}"),
        bytes: bytes.clone(),
    }));
    rendered += pages.len();
    writer.pages(&pages)?;
    for page in &kept {
        writer.keep(page);
    }
    Ok(Rendered {
        rendered,
        kept: kept.len(),
        kept_parts,
        keys,
        asked,
    })
}

/// The files every page loads or that stand for the whole site, made on all cores (the search
/// index and llms-full.txt take a core each on a large repository).
fn shared_files(
    input: &SiteInput,
    grounder: &grounding::Grounder,
    index: &FileIndex,
    bases: &[String],
) -> Vec<Page> {
    let ((risk, nav), ((llms, full), search)) = rayon::join(
        || rayon::join(|| risk_js(input, index), || nav(input, index)),
        || {
            rayon::join(
                || {
                    rayon::join(
                        || llms_txt(input),
                        || wiki::full_text(input, grounder, bases),
                    )
                },
                || search_index(input),
            )
        },
    );
    [
        ("site-info.js", site_info(input)),
        ("risk.js", risk),
        ("nav.js", nav),
        ("llms.txt", llms),
        ("llms-full.txt", full),
        ("search.js", search),
        // GitHub Pages would otherwise hide the folders that start with `_`.
        (".nojekyll", String::new()),
    ]
    .into_iter()
    .map(|(path, text)| Page {
        path: path.to_string(),
        bytes: text.into_bytes(),
    })
    .collect()
}

/// Pages rendered at once (in parallel) before they go to the writer: enough to keep every
/// core busy, few enough that memory holds little of the site (a file page with its source can
/// be a megabyte; 512 of them were a quarter of a large repository's peak).
const RENDER_BATCH: usize = 64;

enum Job<'a> {
    Overview,
    History,
    Part(usize),
    File(&'a str),
}

/// A page, with (for a part's page) the texts its narrative asked the grounder about.
fn render_job(
    tera: &Tera,
    input: &SiteInput,
    grounder: &grounding::Grounder,
    index: &FileIndex,
    job: &Job,
) -> Result<(Page, Option<Vec<String>>)> {
    let mut asked = None;
    let (path, template, ctx) = match job {
        Job::Overview => (
            "index.html".to_string(),
            "overview.html",
            overview(input, grounder, index),
        ),
        Job::History => (
            "history.html".to_string(),
            "history.html",
            history_page(input),
        ),
        Job::Part(i) => {
            let slug = &input.analysis.clusters.clusters[*i].slug;
            let (ctx, texts) = part(input, grounder, index, *i);
            asked = Some(texts);
            (PageMap::part(slug), "part.html", ctx)
        }
        Job::File(p) => {
            let page = input.analysis.pages.file(p).unwrap_or_default().to_string();
            let ctx = file(input, index, p, &page);
            (page, "file.html", ctx)
        }
    };
    let html = tera.render(template, &ctx).map_err(|e| Error::Template {
        name: template.to_string(),
        message: format!("{path}: {e}"),
    })?;
    let page = Page {
        path,
        bytes: html.into_bytes(),
    };
    Ok((page, asked))
}

fn site_info(input: &SiteInput) -> String {
    let head = input.analysis.history.commits.first();
    let info = serde_json::json!({
        "title": &input.analysis.title,
        "commit": input.analysis.snapshot.commit,
        "short": &input.analysis.snapshot.commit[..input.analysis.snapshot.commit.len().min(7)],
        "date": head.map(|c| crate::narrate::date(c.time)).unwrap_or_default(),
        "freshness": input.freshness,
    });
    // `<` escaped so that the JSON can never close a script element, wherever it is pasted.
    let json = info.to_string().replace('<', "\\u003c");
    format!("window.REPOWIKI_SITE = {json};\n")
}

/// Knowledge at risk, file by file, for the file pages to show: a shared file rather than a
/// line on each page, because who counts as gone moves with the time of the built commit (one
/// author passing six months without a commit turned a hundred pages of tokio at once), and a
/// commit should rewrite the pages of what it touched and no others.
fn risk_js(input: &SiteInput, index: &FileIndex) -> String {
    let a = input.analysis;
    // Per part page, its files at risk, most at risk first: (path, page, author).
    let mut parts: BTreeMap<String, Vec<[&str; 3]>> = BTreeMap::new();
    for r in &a.insights.at_risk {
        let (Some(&k), Some(page)) = (a.clusters.of_file.get(&r.path), a.pages.file(&r.path))
        else {
            continue;
        };
        parts
            .entry(PageMap::part(&a.clusters.clusters[k].slug))
            .or_default()
            .push([r.path.as_str(), page, r.author.as_str()]);
    }
    let risk: BTreeMap<&str, serde_json::Value> = index
        .risk
        .iter()
        .map(|(path, r)| {
            let at = serde_json::json!({
                "share": r.share,
                "author": r.author,
                "last": crate::narrate::date(r.last_active),
            });
            (*path, at)
        })
        .collect();
    // `<` escaped so that the JSON can never close a script element, wherever it is pasted.
    let json = |v: serde_json::Value| v.to_string().replace('<', "\\u003c");
    format!(
        "window.REPOWIKI_RISK = {};\nwindow.REPOWIKI_RISK_PARTS = {};\nif (window.repowikiRisk) window.repowikiRisk();\n",
        json(serde_json::json!(risk)),
        json(serde_json::json!(parts)),
    )
}

/// Most commits a symbol's story tells besides the one that made it: those that changed most
/// of its lines.
const STORY_CHANGES: usize = 3;

/// Why a symbol is the way it is, from the history of its lines: the commit that made it and
/// the ones that changed most of its lines, oldest first, each with why in its own words.
/// Bots, merges and routine commits (bumps, formatting, releases) are left out.
fn symbol_story(input: &SiteInput, path: &str, s: &crate::parse::Symbol, root: &str) -> String {
    use std::fmt::Write as _;
    let commits = &input.analysis.history.commits;
    let story = crate::history::line_story(&input.analysis.history, path, s.start_line, s.end_line);
    let mut rows: Vec<(usize, Option<u32>)> = Vec::new();
    let history = &input.analysis.history;
    if let Some(c) = story.created.filter(|&c| !history.is_noise(c)) {
        rows.push((c, None));
    }
    let mut changed: Vec<(usize, u32)> = story
        .changes
        .into_iter()
        .filter(|&(c, _)| !history.is_noise(c) && Some(c) != story.created)
        .collect();
    changed.sort_by_key(|&(c, n)| (std::cmp::Reverse(n), c));
    changed.truncate(STORY_CHANGES);
    rows.extend(changed.into_iter().map(|(c, n)| (c, Some(n))));
    if rows.is_empty() {
        return String::new();
    }
    // Newest first in the history: the oldest has the highest index.
    rows.sort_by_key(|&(c, _)| std::cmp::Reverse(c));
    let mut md = String::new();
    for (c, lines) in rows {
        let commit = &commits[c];
        let what = match lines {
            None => "Made".to_string(),
            Some(1) => "Changed 1 of its lines".to_string(),
            Some(n) => format!("Changed {n} of its lines"),
        };
        let _ = writeln!(
            md,
            "- {what} in {} {} by {}: {}",
            crate::narrate::date(commit.time),
            crate::narrate::md_code(commit.short_id()),
            crate::narrate::md_escape(&commit.author),
            crate::narrate::md_escape(commit.subject())
        );
        let body: Vec<&str> = commit.message.lines().skip(1).collect();
        if let Some(why) = crate::narrate::commit_why(&body.join("\n")) {
            let why: String = if why.chars().count() > 400 {
                why.chars().take(399).collect::<String>() + "…"
            } else {
                why
            };
            let _ = writeln!(md, "\n  > {}\n", crate::narrate::quote_markdown(&why));
        }
    }
    markdown::render(&md, root)
}

/// How a file page lists its symbols.
struct SymbolOrder {
    /// (symbol, is a member of the one above): public items, each type followed by its members.
    public: Vec<(usize, bool)>,
    /// The private items (and the members of private types), in the same order.
    private: Vec<(usize, bool)>,
    /// The page's contents: each public top-level item with its public members.
    toc: Vec<(usize, Vec<usize>)>,
}

/// A member is a symbol whose name is another's plus `::x` or `.x` (`Type::len`,
/// `Class.run`); members follow their type, public before private.
fn symbol_order(symbols: &[crate::parse::Symbol]) -> SymbolOrder {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, s) in symbols.iter().enumerate() {
        first.entry(s.name.as_str()).or_insert(i);
    }
    let parent = |i: usize| -> Option<usize> {
        let name = &symbols[i].name;
        let (owner, _) = name.rsplit_once("::").or_else(|| name.rsplit_once('.'))?;
        first.get(owner).copied().filter(|&p| p != i)
    };
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); symbols.len()];
    let mut tops = Vec::new();
    for i in 0..symbols.len() {
        match parent(i) {
            Some(p) => children[p].push(i),
            None => tops.push(i),
        }
    }
    // Every member below a type, depth first (a nested class's methods under it).
    fn below(i: usize, children: &[Vec<usize>], out: &mut Vec<usize>, depth: usize) {
        for &c in &children[i] {
            out.push(c);
            if depth < 8 {
                below(c, children, out, depth + 1);
            }
        }
    }
    let mut order = SymbolOrder {
        public: Vec::new(),
        private: Vec::new(),
        toc: Vec::new(),
    };
    for &t in &tops {
        let mut members = Vec::new();
        below(t, &children, &mut members, 0);
        if symbols[t].public {
            order.public.push((t, false));
            let shown: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&m| symbols[m].public)
                .collect();
            order.public.extend(shown.iter().map(|&m| (m, true)));
            // Overloads (`@overload`, several `impl` blocks) are one entry of the contents.
            let mut names = std::collections::HashSet::new();
            let unique = shown
                .into_iter()
                .filter(|&m| names.insert(symbols[m].name.as_str()))
                .collect();
            order.toc.push((t, unique));
            // Their type is listed above, with the public items.
            order.private.extend(
                members
                    .iter()
                    .filter(|&&m| !symbols[m].public)
                    .map(|&m| (m, false)),
            );
        } else {
            order.private.push((t, false));
            order.private.extend(members.iter().map(|&m| (m, true)));
        }
    }
    order
}

/// Bumped with any change to how file pages are rendered that the binary's version does not
/// already capture (the templates are built in, so a new version changes every key).
const FILE_PAGE_VERSION: u32 = 5;

/// A hash of everything a file's page is made from: the file itself (its blob id decides its
/// symbols and docs), its kind, size and parse note, the pages it links to and from, the
/// commits that touched it (immutable), its part (name, page, member pages), and the
/// site-wide settings. Equal keys make equal pages.
fn file_page_key(
    input: &SiteInput,
    index: &FileIndex,
    path: &str,
    page: &str,
    theme: &str,
) -> String {
    use std::fmt::Write;
    let a = input.analysis;
    // The words are put in one buffer and hashed at once: a file's commits are thousands of
    // short words, and hashing each on its own cost more than the hashing.
    let mut h = String::with_capacity(4096);
    let put = |h: &mut String, s: &str| {
        h.push_str(s);
        h.push('\0');
    };
    put(
        &mut h,
        &format!("v{FILE_PAGE_VERSION} {}", crate::program_stamp()),
    );
    put(&mut h, theme);
    put(&mut h, &a.title);
    put(&mut h, input.source_url.unwrap_or(""));
    put(
        &mut h,
        if a.history.partial() {
            "partial"
        } else {
            "full"
        },
    );
    put(&mut h, path);
    put(&mut h, page);
    if let Some(f) = a.parsed.get(path) {
        put(&mut h, &f.blob);
        put(&mut h, f.kind);
        put(&mut h, &f.lines.to_string());
        put(&mut h, f.note.as_deref().unwrap_or(""));
        for import in &f.facts.imports {
            let target = import.target.as_deref().and_then(|t| a.pages.file(t));
            put(&mut h, target.unwrap_or("-"));
        }
    }
    for (importer, _) in a.graph.importers_of(path) {
        put(&mut h, importer);
        put(&mut h, a.pages.file(importer).unwrap_or("-"));
    }
    for touch in a.history.touches(path) {
        put(&mut h, &a.history.commits[touch.commit].id);
        let _ = write!(h, "{}\0", touch.change);
    }
    for c in file_couplings(input, index, path, "") {
        put(&mut h, &c.to_string());
    }
    if let Some(&k) = a.clusters.of_file.get(path) {
        put(&mut h, &index.part_keys[k]);
    }
    put(&mut h, &index.docs.links_key(path, &root_of(page)));
    blake3::hash(h.as_bytes()).to_hex().to_string()
}

/// Bumped with any change to how part pages are rendered that the binary's version does not
/// already capture.
const PART_PAGE_VERSION: u32 = 1;

/// Every part's name, page and place (what part pages link to and nest by), hashed once.
fn parts_layout(input: &SiteInput) -> String {
    let mut h = blake3::Hasher::new();
    for c in &input.analysis.clusters.clusters {
        let encoded = CacheUse::encode(&(&c.id, &c.name, &c.slug, c.role, &c.within));
        h.update(&(encoded.len() as u64).to_le_bytes());
        h.update(&encoded);
    }
    h.finalize().to_hex().to_string()
}

/// A hash of everything a part's page is made from but its citations: its facts (flows and
/// type map too), its narrative, the part and every part's name and place (`layout`), its
/// members' pages, the commits and counts it lists, the docs that mention it, and its two
/// diagrams.
fn part_page_base(
    input: &SiteInput,
    index: &FileIndex,
    i: usize,
    (theme, layout): (&str, &str),
) -> String {
    let a = input.analysis;
    let cluster = &a.clusters.clusters[i];
    let facts = &input.part_facts[i];
    let page = PageMap::part(&cluster.slug);
    let root = root_of(&page);
    let mut h = blake3::Hasher::new();
    let mut put = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    put(format!("part v{PART_PAGE_VERSION} {}", crate::program_stamp()).as_bytes());
    put(theme.as_bytes());
    put(layout.as_bytes());
    put(a.title.as_bytes());
    put(&CacheUse::encode(&(a.history.partial(), &page)));
    put(&CacheUse::encode(facts));
    put(&CacheUse::encode(&facts.flows));
    put(&CacheUse::encode(&facts.type_map));
    put(&CacheUse::encode(&input.narratives.parts.get(i)));
    put(&CacheUse::encode(&cluster.members));
    for m in &cluster.members {
        put(a.pages.file(m).unwrap_or("-").as_bytes());
        let commits = a.insights.files.get(m).map(|f| f.commits.len());
        put(&CacheUse::encode(&commits));
    }
    let newest =
        newest(input, cluster.members.iter().map(String::as_str)).or(a.history.commits.first());
    put(&CacheUse::encode(&newest.map(|c| (&c.id, c.time))));
    let mentions = index.mentions.get(i).map(Vec::as_slice).unwrap_or_default();
    let docs = document_links(input, index, &mentions[..mentions.len().min(10)]);
    put(serde_json::Value::Array(docs).to_string().as_bytes());
    put(package_diagram(input, i, &root).0.as_bytes());
    put(part_diagram(input, i, &root).0.as_bytes());
    let activity = &a.insights.clusters[i].activity;
    for &c in activity.commits.iter().take(25) {
        put(&CacheUse::encode(&commit_row(&a.history.commits[c])));
    }
    put(&CacheUse::encode(&years(activity, &a.history)));
    for (p, _, _) in &facts.history.hotspots {
        put(a.pages.file(p).unwrap_or("-").as_bytes());
    }
    h.finalize().to_hex().to_string()
}

/// A part page's key: its `base`, and what the grounder answers now to each text its narrative
/// asked about (`asked`, from the build that rendered it). Equal keys make equal pages: the
/// narrative is in the base, so when it is the one rendered then, its citations are the same
/// texts, and the same answers ground them the same way.
fn part_page_key(base: &str, grounder: &grounding::Grounder, asked: &[String]) -> String {
    let mut h = blake3::Hasher::new();
    h.update(base.as_bytes());
    for text in asked {
        let answer = grounder.check(text).kept();
        for bytes in [text.as_str(), answer.as_str()] {
            h.update(&(bytes.len() as u64).to_le_bytes());
            h.update(bytes.as_bytes());
        }
    }
    h.finalize().to_hex().to_string()
}

/// The search index: parts, files and symbols (public ones, and every type), each with one line
/// and its page. A script file, not fetched JSON, so that search works from `file://`; loaded on
/// first use only.
fn search_index(input: &SiteInput) -> String {
    let a = input.analysis;
    let short = |s: &str| -> String {
        let s = first_sentence(s);
        if s.chars().count() > 90 {
            s.chars().take(89).collect::<String>() + "…"
        } else {
            s
        }
    };
    // Each entry: [kind, name, one line, page, path, weight]; a lower weight is listed first
    // among equal matches: a package's public API, then its other public items, then types
    // that are not public, then what tests, examples and docs declare.
    // Each entry is written out as JSON where it is made (rust-analyzer's index is 18,000
    // entries, 3 MB: a tree of values first, then one long serialisation on one core, was
    // 90 ms of every build).
    let mut entries: Vec<String> = Vec::new();
    for (i, c) in a.clusters.clusters.iter().enumerate() {
        let summary = input
            .narratives
            .parts
            .get(i)
            .map(|n| short(&n.summary))
            .unwrap_or_default();
        let weight = if c.role.is_some() { 3 } else { 0 };
        entries.push(search_entry((
            "part",
            &c.name,
            &summary,
            &PageMap::part(&c.slug),
            &c.dir,
            weight,
        )));
    }
    // Each file's entries are made on their own, on all cores, and listed in file order.
    let files: Vec<Vec<String>> = a
        .parsed
        .files
        .par_iter()
        .map(|f| file_entries(a, f, &short))
        .collect();
    entries.extend(files.into_iter().flatten());
    format!(
        "window.REPOWIKI_SEARCH = {{\"entries\":[{}]}};\n",
        entries.join(",")
    )
}

/// One entry of the search index as JSON: [kind, name, one line, page, path, weight], with `<`
/// escaped so that no text can close the script element the index is loaded by.
fn search_entry(entry: (&str, &str, &str, &str, &str, u8)) -> String {
    let json = serde_json::to_string(&entry).unwrap_or_default();
    match json.contains('<') {
        true => json.replace('<', "\\u003c"),
        false => json,
    }
}

/// A file's entries in the search index: the file, and its public items, types and macros.
fn file_entries(
    a: &crate::Analysis,
    f: &crate::parse::ParsedFile,
    short: &(dyn Fn(&str) -> String + Sync),
) -> Vec<String> {
    let Some(page) = a.pages.file(&f.path) else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    let in_role = a
        .clusters
        .of_file
        .get(&f.path)
        .is_some_and(|&c| a.clusters.clusters[c].role.is_some());
    entries.push(search_entry((
        "file",
        &f.path,
        &short(&f.facts.module_doc),
        page,
        &f.path,
        if in_role { 3 } else { 1 },
    )));
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in f.facts.symbols.iter().enumerate() {
        let n = seen.entry(s.name.as_str()).or_default();
        let nth = *n;
        *n += 1;
        let macro_ = s.kind == crate::parse::SymbolKind::Macro;
        if s.public || s.kind.is_type() || macro_ {
            let target = paths::symbol_target(page, &s.name, nth, i);
            let weight = match (in_role, s.public, s.kind.is_type()) {
                (true, _, _) => 3,
                (false, true, true) => 0,
                (false, true, false) => 1,
                (false, false, _) => 2,
            };
            entries.push(search_entry((
                s.kind.name(),
                &s.name,
                &short(&s.doc),
                &target,
                &f.path,
                weight,
            )));
        }
    }
    entries
}

/// `llms.txt`: the pages of the wiki with one line each, for agents and other tools.
fn llms_txt(input: &SiteInput) -> String {
    let a = input.analysis;
    let base = input.base_url;
    // Markdown: every text from the repository, the history or a model is literal (no raw
    // HTML, no link of its own); the addresses are the site's own page names and a base URL
    // checked to be a plain address.
    let one_line = wiki::esc;
    let mut out = format!("# {}\n\n", one_line(&a.title));
    if let Some(o) = &input.narratives.overview {
        out += &format!("> {}\n\n", one_line(&o.summary));
    }
    out += &format!(
        "A wiki of this repository built by repowiki from commit {}: an overview, one page per part of the system, one page per file, and the history.\n\n",
        &a.snapshot.commit[..a.snapshot.commit.len().min(12)]
    );
    out += &format!(
        "- [Overview]({base}index.html): what the repository is and how its parts fit together\n"
    );
    out += &format!(
        "- [History]({base}history.html): activity, hotspots, change coupling, contributors\n"
    );
    out += &format!("- [The whole wiki in one file]({base}llms-full.txt): the overview, the history and every part page\n\n## Parts\n\n");
    for (i, c) in a.clusters.clusters.iter().enumerate() {
        let summary = input
            .narratives
            .parts
            .get(i)
            .map(|n| one_line(&n.summary))
            .unwrap_or_default();
        out += &format!(
            "- [{}]({base}{}): {summary}\n",
            one_line(&c.name),
            PageMap::part(&c.slug)
        );
    }
    out += "\n## Files\n\n";
    for f in &a.parsed.files {
        let Some(page) = a.pages.file(&f.path) else {
            continue;
        };
        let about = first_sentence(&f.facts.module_doc);
        let about = if about.is_empty() {
            format!(
                "{}, {} {}",
                f.kind,
                f.lines,
                if f.lines == 1 { "line" } else { "lines" }
            )
        } else {
            one_line(&about)
        };
        out += &format!("- [{}]({base}{page}): {about}\n", one_line(&f.path));
    }
    out
}

/// The order parts are listed in: each package's own part, then the parts listed under it.
fn listed_order(clusters: &[crate::cluster::Cluster]) -> Vec<usize> {
    let mut order = Vec::with_capacity(clusters.len());
    for (i, c) in clusters
        .iter()
        .enumerate()
        .filter(|(_, c)| c.within.is_none())
    {
        order.push(i);
        order.extend(
            clusters
                .iter()
                .enumerate()
                .filter(|(_, o)| o.within.as_ref() == Some(&c.id))
                .map(|(j, _)| j),
        );
    }
    order
}

/// The list of parts every page's sidebar shows, in one shared script.
/// The sidebar lists at most this many docs (the overview lists them all).
const NAV_DOCS: usize = 30;

/// A doc's name and page, from the site root.
fn document_links(input: &SiteInput, index: &FileIndex, which: &[usize]) -> Vec<serde_json::Value> {
    which
        .iter()
        .filter_map(|&d| {
            let doc = &index.documents[d];
            let page = input.analysis.pages.file(&doc.path)?;
            Some(serde_json::json!({"name": doc.title, "path": doc.path, "href": page}))
        })
        .collect()
}

fn nav(input: &SiteInput, index: &FileIndex) -> String {
    let parts: Vec<serde_json::Value> = listed_order(&input.analysis.clusters.clusters)
        .into_iter()
        .map(|i| {
            let c = &input.analysis.clusters.clusters[i];
            serde_json::json!({"name": c.name, "href": PageMap::part(&c.slug), "nested": c.within.is_some()})
        })
        .collect();
    let all: Vec<usize> = (0..index.documents.len().min(NAV_DOCS)).collect();
    let docs = document_links(input, index, &all);
    let json = serde_json::json!({ "parts": parts, "docs": docs, "docs_more": index.documents.len() > NAV_DOCS })
        .to_string()
        .replace('<', "\\u003c");
    format!("window.REPOWIKI_NAV = {json};\n")
}

#[derive(Serialize)]
struct Link {
    name: String,
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct Crumb {
    label: String,
    href: String,
}

#[derive(Serialize)]
struct CommitRow {
    date: String,
    short: String,
    id: String,
    author: String,
    subject: String,
    files: usize,
    href: String,
}

fn commit_row(c: &Commit) -> CommitRow {
    CommitRow {
        date: crate::narrate::date(c.time),
        short: c.short_id().to_string(),
        id: c.id.clone(),
        author: c.author.clone(),
        subject: c.subject().to_string(),
        files: c.changes.len(),
        href: String::new(),
    }
}

/// How many of its part's files a page's sidebar lists at most.
const NAV_FILES: usize = 25;

/// The context every page shares: navigation, breadcrumbs, the commit its content is from.
fn base(
    input: &SiteInput,
    page: &str,
    title: &str,
    nav_current: &str,
    current_part: Option<usize>,
    current_file: Option<&str>,
    content_commit: Option<&Commit>,
) -> Context {
    let root = root_of(page);
    let mut ctx = Context::new();
    ctx.insert("root", &root);
    ctx.insert("site_title", &input.analysis.title);
    ctx.insert("page_title", title);
    ctx.insert("nav_current", nav_current);
    let current = current_part.map(|i| {
        let c = &input.analysis.clusters.clusters[i];
        Link {
            name: c.name.clone(),
            href: format!("{root}{}", PageMap::part(&c.slug)),
            current: true,
        }
    });
    ctx.insert(
        "current_part_href",
        &current.as_ref().map(|c| c.href.clone()).unwrap_or_default(),
    );
    ctx.insert("current_part", &current);
    // A window of the part's files around the current one: listing every file of a large part
    // on each of its pages made the sidebar most of every page (100 files: 7 of 10 KB).
    let members: &[String] = current_part
        .map(|i| input.analysis.clusters.clusters[i].members.as_slice())
        .unwrap_or_default();
    let at = current_file
        .and_then(|f| members.iter().position(|m| m == f))
        .unwrap_or(0);
    let start = at
        .saturating_sub(NAV_FILES / 2)
        .min(members.len().saturating_sub(NAV_FILES));
    let end = (start + NAV_FILES).min(members.len());
    ctx.insert("nav_files_before", &start);
    ctx.insert("nav_files_after", &(members.len() - end));
    // A file's name, or its folder and name where two listed files share a name (`mod.rs`).
    let shown = &members[start..end];
    let label = |m: &str| file_label(m, shown.iter().map(String::as_str));
    let files: Vec<Link> = current_part
        .map(|_| {
            shown
                .iter()
                .map(|m| Link {
                    name: label(m),
                    href: format!(
                        "{root}{}",
                        input.analysis.pages.file(m).unwrap_or("index.html")
                    ),
                    current: Some(m.as_str()) == current_file,
                })
                .collect()
        })
        .unwrap_or_default();
    ctx.insert("nav_files", &files);
    let commit = content_commit.or(input.analysis.history.commits.first());
    ctx.insert(
        "content_commit",
        &serde_json::json!({
            "id": commit.map(|c| c.id.clone()).unwrap_or_default(),
            "short": commit.map(|c| c.short_id().to_string()).unwrap_or_default(),
            "date": commit.map(|c| crate::narrate::date(c.time)).unwrap_or_default(),
        }),
    );
    ctx.insert("crumbs", &Vec::<Crumb>::new());
    ctx
}

/// A narrative as HTML, its citations checked, and what the page says about it.
/// Returns the texts the grounder was asked about.
fn narrative_html(
    ctx: &mut Context,
    n: Option<&crate::narrate::Narrative>,
    root: &str,
    grounder: &grounding::Grounder,
) -> Vec<String> {
    let (html, grounding, asked) = n
        .map(|n| markdown::render_citing(&n.markdown, root, Some(grounder)))
        .unwrap_or_default();
    let (html, toc) = heading_ids(&html);
    // The type map and the flows belong right after the architecture: the narrative is cut
    // there (a narrative without that section keeps them after it).
    let cut = html
        .find("<h2 id=\"n-architecture-and-key-abstractions\">")
        .and_then(|at| html[at + 4..].find("<h2 id=\"n-").map(|next| at + 4 + next));
    let (head, tail) = html.split_at(cut.unwrap_or(html.len()));
    let head_sections = head.matches("<h2 id=\"n-").count();
    ctx.insert("narrative_toc", &toc[..head_sections.min(toc.len())]);
    ctx.insert("narrative_toc_tail", &toc[head_sections.min(toc.len())..]);
    ctx.insert("narrative", head);
    ctx.insert("narrative_tail", tail);
    ctx.insert("grounding", &grounding);
    ctx.insert(
        "narrative_note",
        &n.map(|n| n.note.clone()).unwrap_or_default(),
    );
    // Each text once: the answers, not how often a text is cited, are what can change.
    let mut asked = asked;
    asked.sort_unstable();
    asked.dedup();
    asked
}

/// Gives the narrative's sections ids (`n-what-it-is-for`), for the page's table of contents:
/// the html with ids, and (id, heading text) of each.
fn heading_ids(html: &str) -> (String, Vec<serde_json::Value>) {
    let mut out = String::with_capacity(html.len() + 64);
    let mut toc = Vec::new();
    let mut taken = BTreeSet::new();
    let mut rest = html;
    while let Some(at) = rest.find("<h2>") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 4..];
        let Some(end) = after.find("</h2>") else {
            out.push_str(&rest[at..]);
            rest = "";
            break;
        };
        let inner = &after[..end];
        let mut text = String::new();
        let mut in_tag = false;
        for c in inner.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        let text = text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&");
        let slug: String = text
            .to_lowercase()
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let mut id = format!("n-{slug}");
        let mut k = 1;
        while !taken.insert(id.clone()) {
            k += 1;
            id = format!("n-{slug}-{k}");
        }
        out.push_str(&format!("<h2 id=\"{}\">{inner}</h2>", diagram::xml(&id)));
        toc.push(serde_json::json!({ "id": id, "text": text }));
        rest = &after[end + 5..];
    }
    out.push_str(rest);
    (out, toc)
}

/// The lines a section cites, per file: the file, a link to its first cited line, and the span.
fn sources<'a>(
    cited: impl Iterator<Item = (&'a str, &'a str, u32)>,
    root: &str,
) -> Vec<serde_json::Value> {
    // Per file, its cited lines and the link of the first (a link the facts made, so its
    // anchor exists).
    let mut by_file: BTreeMap<&str, BTreeMap<u32, &str>> = BTreeMap::new();
    for (path, page, line) in cited {
        by_file.entry(path).or_default().entry(line).or_insert(page);
    }
    by_file
        .into_iter()
        .map(|(path, lines)| {
            let (&first, page) = lines
                .iter()
                .next()
                .map(|(l, p)| (l, *p))
                .unwrap_or((&1, ""));
            let last = lines.keys().next_back().copied().unwrap_or(first);
            let span = match (first == last, lines.len()) {
                (true, _) => format!("line {first}"),
                (false, n) => format!("lines {first}–{last} ({n} places)"),
            };
            serde_json::json!({
                "path": path,
                "href": format!("{root}{}", page.trim_start_matches('/')),
                "lines": span,
            })
        })
        .collect()
}

/// What a part's flows cite: where each entry and callee is defined, and each call.
fn flow_sources(flows: &[crate::narrate::flows::Flow]) -> Vec<(&str, &str, u32)> {
    let mut out = Vec::new();
    for f in flows {
        out.push((f.entry.path.as_str(), f.entry.page.as_str(), f.entry.line));
        for s in &f.steps {
            out.push((
                s.callee.path.as_str(),
                s.callee.page.as_str(),
                s.callee.line,
            ));
            out.push((s.at_path.as_str(), s.at_page.as_str(), s.at_line));
        }
    }
    out
}

/// What a type map cites: each type's definition and each relation's line.
fn type_sources(m: &crate::narrate::typemap::TypeMap) -> Vec<(&str, &str, u32)> {
    let mut out: Vec<(&str, &str, u32)> = m
        .types
        .iter()
        .filter(|t| t.own)
        .map(|t| (t.path.as_str(), t.page.as_str(), t.line))
        .collect();
    out.extend(
        m.relations
            .iter()
            .map(|r| (r.at_path.as_str(), r.at_page.as_str(), r.at_line)),
    );
    out
}

fn overview(input: &SiteInput, grounder: &grounding::Grounder, index: &FileIndex) -> Context {
    let page = "index.html";
    let mut ctx = base(input, page, "Overview", "overview", None, None, None);
    let narrative = input.narratives.overview.as_ref();
    ctx.insert(
        "summary",
        &narrative.map(|n| n.summary.clone()).unwrap_or_default(),
    );
    narrative_html(&mut ctx, narrative, "", grounder);
    let clusters = &input.analysis.clusters.clusters;
    let row = |i: usize, nested: bool| {
        let c = &clusters[i];
        serde_json::json!({
            "name": c.name,
            "href": PageMap::part(&c.slug),
            "files": c.members.len(),
            "lines": input.part_facts[i].files.iter().map(|f| f.lines).sum::<usize>(),
            "summary": input.narratives.parts.get(i).map(|n| n.summary.clone()).unwrap_or_default(),
            "nested": nested,
        })
    };
    let parts: Vec<serde_json::Value> = listed_order(clusters)
        .into_iter()
        .map(|i| row(i, clusters[i].within.is_some()))
        .collect();
    ctx.insert("parts", &parts);
    let all: Vec<usize> = (0..index.documents.len()).collect();
    ctx.insert("docs", &document_links(input, index, &all));
    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for f in input.analysis.parsed.files.iter().filter(|f| f.is_code()) {
        let e = by_kind.entry(f.kind).or_default();
        e.0 += 1;
        e.1 += f.lines;
    }
    let mut kinds: Vec<(&str, (usize, usize))> = by_kind.into_iter().collect();
    kinds.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then(a.0.cmp(b.0)));
    let languages: Vec<serde_json::Value> = kinds
        .iter()
        .map(|(name, (files, lines))| serde_json::json!({"name": name, "files": files, "lines": lines}))
        .collect();
    history_summary(&mut ctx, input);
    ctx.insert("languages", &languages);
    ctx.insert("diagram", &architecture(input, ""));
    let main_flow = crate::narrate::flows::CallIndex::new(input.analysis).main_flow();
    ctx.insert("flow", &main_flow.map(|f| flow_context(&f, 0, "")));
    ctx
}

/// Import statements between parts, from each part to the parts it uses.
pub(crate) fn part_edges(input: &SiteInput) -> Vec<diagram::Edge> {
    let mut weights: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    for (from, targets) in &input.analysis.graph.imports {
        let Some(&a) = input.analysis.clusters.of_file.get(from) else {
            continue;
        };
        for (to, n) in targets {
            if let Some(&b) = input.analysis.clusters.of_file.get(to) {
                if a != b {
                    *weights.entry((a, b)).or_default() += n;
                }
            }
        }
    }
    weights
        .into_iter()
        .map(|((from, to), weight)| diagram::Edge {
            from,
            to,
            weight,
            class: "",
            title: None,
        })
        .collect()
}

/// Most boxes the overview's diagram draws one per part; past this, a package's parts are
/// drawn as its one box.
const MAX_DIAGRAM_PARTS: usize = 30;

/// A file's name, or its folder and name where another of `among` has the same name
/// (`sync/mod.rs`).
fn file_label<'p>(path: &str, among: impl Iterator<Item = &'p str>) -> String {
    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let short = name(path);
    if among.filter(|q| name(q) == short).count() > 1 {
        let mut tail: Vec<&str> = path.rsplit('/').take(2).collect();
        tail.reverse();
        tail.join("/")
    } else {
        short
    }
}

/// A part's box in a diagram: its name, its page, its summary on hover.
fn part_box(input: &SiteInput, i: usize, root: &str) -> diagram::Node {
    let c = &input.analysis.clusters.clusters[i];
    diagram::Node {
        label: c.name.clone(),
        href: format!("{root}{}", PageMap::part(&c.slug)),
        tooltip: input
            .narratives
            .parts
            .get(i)
            .map(|n| format!("{}: {}", c.name, n.summary))
            .unwrap_or_else(|| c.name.clone()),
    }
}

fn architecture(input: &SiteInput, root: &str) -> String {
    let clusters = &input.analysis.clusters.clusters;
    let fold = clusters.len() > MAX_DIAGRAM_PARTS;
    // Each part's box: its own, or its package's when folded.
    let shown: Vec<usize> = (0..clusters.len())
        .filter(|&i| !fold || clusters[i].within.is_none())
        .collect();
    // Folded, a package's tests and examples draw no arrows: what its tests import is not
    // what the package uses.
    let box_of = |i: usize| -> Option<usize> {
        let head = match (&clusters[i].within, fold) {
            (Some(_), true) if clusters[i].role.is_some() => return None,
            (Some(w), true) => clusters.iter().position(|c| &c.id == w)?,
            _ => i,
        };
        shown.iter().position(|&s| s == head)
    };
    let nodes: Vec<diagram::Node> = shown.iter().map(|&i| part_box(input, i, root)).collect();
    let mut edges: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    for e in part_edges(input) {
        if let (Some(a), Some(b)) = (box_of(e.from), box_of(e.to)) {
            if a != b {
                *edges.entry((a, b)).or_default() += e.weight;
            }
        }
    }
    let edges: Vec<diagram::Edge> = edges
        .into_iter()
        .map(|((from, to), weight)| diagram::Edge {
            from,
            to,
            weight,
            class: "",
            title: None,
        })
        .collect();
    diagram::render(
        &nodes,
        &edges,
        "Parts of the system and the imports between them",
    )
}

/// A package's own diagram: its part and the parts nested under it (tests and examples
/// left out), with the imports between them; empty when it has fewer than two such parts.
/// The overview's diagram draws a package as one box past 30 parts: its box opens this.
/// Most boxes a package's diagram draws, and the imports each box draws at most (its
/// heaviest): a crate's 40 modules that all import each other were a tangle.
const MAX_PACKAGE_BOXES: usize = 16;
const PACKAGE_EDGES_PER_BOX: usize = 3;

/// The package's diagram and how many of its parts it leaves out.
fn package_diagram(input: &SiteInput, i: usize, root: &str) -> (String, usize) {
    let clusters = &input.analysis.clusters.clusters;
    let id = &clusters[i].id;
    let nested: Vec<usize> = (0..clusters.len())
        .filter(|&j| clusters[j].within.as_ref() == Some(id) && clusters[j].role.is_none())
        .collect();
    if nested.len() < 2 {
        return (String::new(), 0);
    }
    let all_edges = part_edges(input);
    let total = nested.len() + 1;
    let mut members: Vec<usize> = std::iter::once(i).chain(nested).collect();
    if members.len() > MAX_PACKAGE_BOXES {
        // The parts with the most imports among them.
        let mut degree: HashMap<usize, u32> = HashMap::new();
        for e in &all_edges {
            if members.contains(&e.from) && members.contains(&e.to) {
                *degree.entry(e.from).or_default() += e.weight;
                *degree.entry(e.to).or_default() += e.weight;
            }
        }
        let head = members.remove(0);
        members.sort_by_key(|m| (std::cmp::Reverse(degree.get(m).copied().unwrap_or(0)), *m));
        members.truncate(MAX_PACKAGE_BOXES - 1);
        members.sort();
        members.insert(0, head);
    }
    let nodes: Vec<diagram::Node> = members.iter().map(|&j| part_box(input, j, root)).collect();
    let mut edges: Vec<diagram::Edge> = all_edges
        .iter()
        .filter_map(|e| {
            let from = members.iter().position(|&m| m == e.from)?;
            let to = members.iter().position(|&m| m == e.to)?;
            Some(diagram::Edge {
                from,
                to,
                weight: e.weight,
                class: "",
                title: None,
            })
        })
        .collect();
    // Modules of one crate often all import each other: each box keeps its strongest few.
    edges.sort_by_key(|e| (e.from, std::cmp::Reverse(e.weight), e.to));
    let mut kept_from: HashMap<usize, usize> = HashMap::new();
    edges.retain(|e| {
        let n = kept_from.entry(e.from).or_default();
        *n += 1;
        *n <= PACKAGE_EDGES_PER_BOX
    });
    let left_out = total - members.len();
    let svg = diagram::render(
        &nodes,
        &edges,
        &format!(
            "The parts of {} and the imports between them",
            clusters[i].name
        ),
    );
    (svg, left_out)
}

/// Most files a part's diagram shows: past this, the ones with the most imports inside the part.
const MAX_DIAGRAM_FILES: usize = 40;

/// The files of a part and the imports between them, as SVG, with how many files it shows;
/// empty when no file of the part imports another.
fn part_diagram(input: &SiteInput, i: usize, root: &str) -> (String, usize) {
    let a = input.analysis;
    let members = &a.clusters.clusters[i].members;
    let inside = |p: &str| a.clusters.of_file.get(p) == Some(&i);
    let mut degree: BTreeMap<&str, u32> = BTreeMap::new();
    let mut links: Vec<(&str, &str, u32)> = Vec::new();
    for from in members {
        for (to, n) in a.graph.imports.get(from).into_iter().flatten() {
            if to != from && inside(to) {
                links.push((from, to, *n));
                *degree.entry(from).or_default() += n;
                *degree.entry(to).or_default() += n;
            }
        }
    }
    if links.is_empty() {
        return (String::new(), 0);
    }
    let mut shown: Vec<&str> = members.iter().map(String::as_str).collect();
    if shown.len() > MAX_DIAGRAM_FILES {
        shown.sort_by_key(|p| (std::cmp::Reverse(degree.get(p).copied().unwrap_or(0)), *p));
        shown.truncate(MAX_DIAGRAM_FILES);
        shown.sort();
    }
    let index: BTreeMap<&str, usize> = shown.iter().enumerate().map(|(k, p)| (*p, k)).collect();
    let nodes: Vec<diagram::Node> = shown
        .iter()
        .map(|p| {
            let label = file_label(p, shown.iter().copied());
            let about = a
                .parsed
                .get(p)
                .map(|f| first_sentence(&f.facts.module_doc))
                .unwrap_or_default();
            diagram::Node {
                label,
                href: format!("{root}{}", a.pages.file(p).unwrap_or("index.html")),
                tooltip: if about.is_empty() {
                    p.to_string()
                } else {
                    format!("{p}: {about}")
                },
            }
        })
        .collect();
    let edges: Vec<diagram::Edge> = links
        .iter()
        .filter_map(|(from, to, n)| {
            Some(diagram::Edge {
                from: *index.get(from)?,
                to: *index.get(to)?,
                weight: *n,
                class: "",
                title: None,
            })
        })
        .collect();
    let about = format!(
        "The files of {} and the imports between them",
        a.clusters.clusters[i].name
    );
    (diagram::render(&nodes, &edges, &about), nodes.len())
}

/// What a page shows of a type map: a class diagram (one box per type, one arrow per pair of
/// related types, styled by its strongest relation) and, per type, its relations as links.
fn type_map_context(m: &crate::narrate::typemap::TypeMap, root: &str) -> serde_json::Value {
    let href = |p: &str| format!("{root}{}", p.trim_start_matches('/'));
    let short = |name: &str| name.rsplit([':', '.']).next().unwrap_or(name).to_string();
    // Two types of one name (a wrapper of another part's type) are told apart by part.
    let mut seen_names: BTreeMap<String, usize> = BTreeMap::new();
    for t in &m.types {
        *seen_names.entry(short(&t.name)).or_default() += 1;
    }
    let nodes: Vec<diagram::Node> = m
        .types
        .iter()
        .map(|t| diagram::Node {
            label: match (seen_names[&short(&t.name)] > 1, t.own) {
                (true, false) => format!("{} · {}", short(&t.name), t.part),
                _ => short(&t.name),
            },
            href: href(&t.page),
            tooltip: match t.doc.is_empty() {
                true => format!("{} ({})", t.name, t.kind),
                false => format!("{} ({}): {}", t.name, t.kind, t.doc),
            },
        })
        .collect();
    const STRENGTH: [&str; 5] = ["holds", "extends", "implements", "creates", "uses"];
    let mut pairs: BTreeMap<(usize, usize), Vec<&crate::narrate::typemap::Relation>> =
        BTreeMap::new();
    for r in &m.relations {
        pairs.entry((r.from, r.to)).or_default().push(r);
    }
    let edges: Vec<diagram::Edge> = pairs
        .iter()
        .map(|(&(from, to), rels)| {
            let strongest = STRENGTH
                .iter()
                .find(|k| rels.iter().any(|r| r.kind == **k))
                .copied()
                .unwrap_or("uses");
            let says: Vec<String> = rels
                .iter()
                .map(|r| match r.field.is_empty() {
                    true => format!("{} {}", r.kind, nodes[to].label),
                    false => format!("{} {} in {}", r.kind, nodes[to].label, r.field),
                })
                .collect();
            diagram::Edge {
                from,
                to,
                weight: 1,
                class: strongest,
                title: Some(format!("{} {}", nodes[from].label, says.join(", "))),
            }
        })
        .collect();
    let svg = diagram::render(&nodes, &edges, "The main types and how they relate");
    let types: Vec<serde_json::Value> = m
        .types
        .iter()
        .enumerate()
        .filter(|(_, t)| t.own)
        .map(|(i, t)| {
            let relations: Vec<serde_json::Value> = m
                .relations
                .iter()
                .filter(|r| r.from == i)
                .map(|r| {
                    let to = &m.types[r.to];
                    serde_json::json!({
                        "kind": r.kind,
                        "field": r.field,
                        "name": to.name,
                        "href": href(&to.page),
                        "part": if to.own { String::new() } else { to.part.clone() },
                        "part_href": href(&to.part_page),
                        "at": format!("{}:{}", r.at_path, r.at_line),
                        "at_href": href(&r.at_page),
                    })
                })
                .collect();
            serde_json::json!({
                "name": t.name,
                "kind": t.kind,
                "href": href(&t.page),
                "doc": t.doc,
                "relations": relations,
            })
        })
        .collect();
    serde_json::json!({ "svg": svg, "types": types })
}

/// What a page shows of a flow: its heading, where it starts, its diagram and its steps.
fn flow_context(f: &crate::narrate::flows::Flow, k: usize, root: &str) -> serde_json::Value {
    let href = |p: &str| format!("{root}{}", p.trim_start_matches('/'));
    let shown = flows::layout(f).messages.len();
    serde_json::json!({
        "id": format!("flow-{}", k + 1),
        "entry": f.entry.name,
        "entry_href": href(&f.entry.page),
        "kind": f.entry.kind,
        "at": format!("{}:{}", f.entry.path, f.entry.line),
        "at_href": href(&f.entry.page),
        "start": code_spans(&f.start),
        "doc": f.entry.doc,
        "svg": flows::render(f, root),
        "steps": flows::steps_html(f, root),
        "steps_total": f.steps.len(),
        "steps_drawn": shown,
    })
}

/// Escapes text and turns its `code` spans into `<code>`: for the few fixed phrases that name
/// things (`the binary \`rg\``).
fn code_spans(text: &str) -> String {
    let mut out = String::new();
    for (i, piece) in text.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("<code>{}</code>", diagram::xml(piece)));
        } else {
            out.push_str(&diagram::xml(piece));
        }
    }
    out
}

fn newest<'a>(input: &'a SiteInput, paths: impl Iterator<Item = &'a str>) -> Option<&'a Commit> {
    paths
        .filter_map(|p| input.analysis.history.commits_of(p).next())
        .min()
        .map(|i| &input.analysis.history.commits[i])
}

/// A part's page, with the texts its narrative asked the grounder about (see `part_page_key`).
fn part(
    input: &SiteInput,
    grounder: &grounding::Grounder,
    index: &FileIndex,
    i: usize,
) -> (Context, Vec<String>) {
    let cluster = &input.analysis.clusters.clusters[i];
    let facts = &input.part_facts[i];
    let page = PageMap::part(&cluster.slug);
    let root = root_of(&page);
    let content_commit = newest(input, cluster.members.iter().map(String::as_str));
    let mut ctx = base(
        input,
        &page,
        &cluster.name,
        "part",
        Some(i),
        None,
        content_commit,
    );
    ctx.insert(
        "crumbs",
        &[Crumb {
            label: cluster.name.clone(),
            href: String::new(),
        }],
    );
    let narrative = input.narratives.parts.get(i);
    ctx.insert("name", &cluster.name);
    ctx.insert("dir", &cluster.dir);
    let mentions = index.mentions.get(i).map(Vec::as_slice).unwrap_or_default();
    let docs: Vec<serde_json::Value> =
        document_links(input, index, &mentions[..mentions.len().min(10)])
            .into_iter()
            .map(|mut d| {
                d["href"] =
                    serde_json::json!(format!("{root}{}", d["href"].as_str().unwrap_or("")));
                d
            })
            .collect();
    ctx.insert("docs", &docs);
    let flows: Vec<serde_json::Value> = facts
        .flows
        .iter()
        .enumerate()
        .map(|(k, f)| flow_context(f, k, &root))
        .collect();
    ctx.insert("flows", &flows);
    ctx.insert(
        "type_map",
        &facts.type_map.as_ref().map(|m| type_map_context(m, &root)),
    );
    let flow_cites = flow_sources(&facts.flows);
    let type_cites = facts
        .type_map
        .as_ref()
        .map(type_sources)
        .unwrap_or_default();
    ctx.insert("flow_sources", &sources(flow_cites.iter().copied(), &root));
    ctx.insert("type_sources", &sources(type_cites.iter().copied(), &root));
    ctx.insert(
        "sources",
        &sources(flow_cites.into_iter().chain(type_cites), &root),
    );
    let (package_svg, package_left_out) = package_diagram(input, i, &root);
    ctx.insert("package_diagram", &package_svg);
    ctx.insert("package_left_out", &package_left_out);
    ctx.insert("package_edges", &PACKAGE_EDGES_PER_BOX);
    ctx.insert(
        "summary",
        &narrative.map(|n| n.summary.clone()).unwrap_or_default(),
    );
    // Readers need to know whether a model wrote it, not the wording's version.
    let narrator = narrative.map(|n| n.narrator.as_str()).unwrap_or_default();
    // The built-in narrator tells the key symbols, the dependencies and the history's main
    // lines itself: the sections below then show only what it does not (each fact once).
    ctx.insert("narrated_facts", &narrator.starts_with("builtin"));
    ctx.insert(
        "risk_key",
        &PageMap::part(&input.analysis.clusters.clusters[i].slug),
    );
    let narrator = match narrator.starts_with("builtin") {
        true => "the built-in narrator, from facts".to_string(),
        // `provider:model`, without the settings that follow it in the narrator's id.
        false => format!(
            "the model {}",
            narrator.split(' ').next().unwrap_or_default()
        ),
    };
    ctx.insert("narrator", &narrator);
    let asked = narrative_html(&mut ctx, narrative, &root, grounder);
    let files: Vec<serde_json::Value> = facts
        .files
        .iter()
        .map(|f| {
            serde_json::json!({
                "path": f.path,
                "href": format!("{root}{}", f.page.trim_start_matches('/')),
                "kind": f.kind,
                "lines": f.lines,
                "commits": input.analysis.insights.files.get(&f.path).map(|a| a.commits.len()).unwrap_or(0),
                "about": first_sentence(&f.module_doc),
            })
        })
        .collect();
    ctx.insert("lines", &facts.files.iter().map(|f| f.lines).sum::<usize>());
    ctx.insert("files", &files);
    let (diagram, shown) = part_diagram(input, i, &root);
    ctx.insert("diagram", &diagram);
    ctx.insert("diagram_files", &shown);
    let symbols: Vec<serde_json::Value> = facts
        .key_symbols
        .iter()
        .map(|s| {
            serde_json::json!({
                "name": s.name,
                "href": format!("{root}{}", s.page.trim_start_matches('/')),
                "kind": s.kind,
                "signature": s.signature,
                "doc": s.doc_summary,
            })
        })
        .collect();
    ctx.insert("symbols", &symbols);
    let links = |list: &[crate::narrate::facts::PartLink]| -> Vec<serde_json::Value> {
        list.iter()
            .map(|l| {
                serde_json::json!({
                    "name": l.name,
                    "href": format!("{root}{}", l.page.trim_start_matches('/')),
                    "imports": l.imports,
                })
            })
            .collect()
    };
    ctx.insert("uses", &links(&facts.uses));
    ctx.insert("used_by", &links(&facts.used_by));
    let commits: Vec<CommitRow> = input.analysis.insights.clusters[i]
        .activity
        .commits
        .iter()
        .take(25)
        .map(|&c| commit_row(&input.analysis.history.commits[c]))
        .collect();
    ctx.insert("commits", &commits);
    ctx.insert("history_partial", &input.analysis.history.partial());
    let h = &facts.history;
    let file_href = |p: &str| {
        format!(
            "{root}{}",
            input.analysis.pages.file(p).unwrap_or("index.html")
        )
    };
    let part_href = |name: &str| {
        input
            .analysis
            .clusters
            .clusters
            .iter()
            .find(|c| c.name == name)
            .map(|c| format!("{root}{}", PageMap::part(&c.slug)))
            .unwrap_or_default()
    };
    let act = &input.analysis.insights.clusters[i].activity;
    ctx.insert("years", &years(act, &input.analysis.history));
    ctx.insert(
        "evolution",
        &serde_json::json!({
            "owners": h.owners.iter().map(|(a, n)| serde_json::json!({"name": a, "lines": n})).collect::<Vec<_>>(),
            "hotspots": h.hotspots.iter().map(|(p, c, b)| serde_json::json!({"path": p, "href": file_href(p), "commits": c, "branches": b})).collect::<Vec<_>>(),
            "coupled": h.coupled_parts.iter().map(|(n, s, hidden)| serde_json::json!({"name": n, "href": part_href(n), "shared": s, "hidden": hidden})).collect::<Vec<_>>(),
            "lines_added": h.lines_added,
            "lines_removed": h.lines_removed,
            "first": h.first.as_ref().map(|c| serde_json::json!({"date": c.date, "short": c.short})),
            "last": h.last.as_ref().map(|c| serde_json::json!({"date": c.date, "short": c.short})),
        }),
    );
    (ctx, asked)
}

fn file<'a>(input: &SiteInput<'a>, index: &FileIndex<'a>, path: &'a str, page: &str) -> Context {
    let text = index.sources.get(path).copied();
    let root = root_of(page);
    let parsed = input.analysis.parsed.get(path);
    let part_index = input.analysis.clusters.of_file.get(path).copied();
    let content_commit = newest(input, std::iter::once(path));
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut ctx = base(
        input,
        page,
        name,
        "file",
        part_index,
        Some(path),
        content_commit,
    );
    let (part_name, part_href) = part_index
        .map(|i| {
            let c = &input.analysis.clusters.clusters[i];
            (c.name.clone(), format!("{root}{}", PageMap::part(&c.slug)))
        })
        .unwrap_or_default();
    ctx.insert(
        "crumbs",
        &[
            Crumb {
                label: part_name.clone(),
                href: part_href.clone(),
            },
            Crumb {
                label: path.to_string(),
                href: String::new(),
            },
        ],
    );
    ctx.insert("part_name", &part_name);
    ctx.insert("part_href", &part_href);
    ctx.insert("path", path);
    ctx.insert("kind", parsed.map(|f| f.kind).unwrap_or("Text"));
    ctx.insert("lines", &parsed.map(|f| f.lines).unwrap_or(0));
    ctx.insert("is_code", &parsed.is_some_and(|f| f.language.is_some()));
    ctx.insert(
        "note",
        &parsed.and_then(|f| f.note.clone()).unwrap_or_default(),
    );
    // Source links pin the commit that last changed the file: same bytes as at the revision,
    // and a link that does not move with every new commit.
    let pin = content_commit
        .map(|c| c.id.as_str())
        .unwrap_or(&input.analysis.snapshot.commit);
    let source = |line: u32| input.source_url.map(|t| source_link(t, pin, path, line));
    ctx.insert("source_href", &source(1).unwrap_or_default());
    // Doc headings take ids the page does not use, in the page's order.
    let mut ids = index.docs.new_ids(path);
    let doc_site = |symbol: Option<&'a str>| docs::DocSite {
        index: &index.docs,
        path,
        symbol,
        root: &root,
        dialect: docs::Dialect::of(parsed.and_then(|f| f.language)),
    };
    // A markdown doc of the repository is shown as the page it is.
    let document = index
        .docs
        .document(path)
        .map(|text| {
            let site = docs::DocSite {
                dialect: docs::document_dialect(path).unwrap_or(docs::Dialect::Markdown),
                ..doc_site(None)
            };
            docs::render(text, &site, &mut ids, 1)
        })
        .unwrap_or_default();
    ctx.insert("document", &document);
    ctx.insert(
        "module_doc",
        &parsed
            .filter(|f| !f.facts.module_doc.is_empty())
            .map(|f| docs::render(&f.facts.module_doc, &doc_site(None), &mut ids, 1))
            .unwrap_or_default(),
    );
    let total = text.map_or(0, |s| s.text.split_inclusive('\n').count());
    let shown = text.map_or(0, |s| highlight::shown_lines(&s.text));
    ctx.insert("source_lines", &total);
    ctx.insert("source_shown", &shown);
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let all_symbols = parsed
        .map(|f| f.facts.symbols.as_slice())
        .unwrap_or_default();
    ctx.insert(
        "symbols_more",
        &all_symbols.len().saturating_sub(paths::MAX_SYMBOLS_LISTED),
    );
    let symbols: Vec<serde_json::Value> = all_symbols
        .iter()
        .take(paths::MAX_SYMBOLS_LISTED)
        .map(|s| {
            let n = seen.entry(s.name.as_str()).or_default();
            let anchor = symbol_anchor(&s.name, *n);
            *n += 1;
            serde_json::json!({
                "anchor": anchor,
                "kind": s.kind.name(),
                "name": s.name,
                "signature": s.signature,
                "doc": if s.doc.is_empty() { String::new() } else { docs::render(&s.doc, &doc_site(Some(&s.name)), &mut ids, 3) },
                "story": if s.public || s.kind.is_type() { symbol_story(input, path, s, &root) } else { String::new() },
                "start": s.start_line,
                "end": s.end_line,
                "public": s.public,
                "in_view": (s.start_line as usize) <= shown,
                "source_href": source(s.start_line).unwrap_or_default(),
            })
        })
        .collect();
    // Public items first, each type followed by its members; private ones after, collapsed.
    let order = symbol_order(&all_symbols[..symbols.len()]);
    let pick = |list: &[(usize, bool)]| -> Vec<serde_json::Value> {
        list.iter()
            .map(|&(i, member)| {
                let mut v = symbols[i].clone();
                v["member"] = serde_json::json!(member);
                v
            })
            .collect()
    };
    // One list, so that a theme's template shows every symbol; the private ones are marked
    // where their folded group opens and closes.
    let mut listed = pick(&order.public);
    let mut private = pick(&order.private);
    if let Some(first) = private.first_mut() {
        first["opens_private"] = serde_json::json!(true);
    }
    if let Some(last) = private.last_mut() {
        last["closes_private"] = serde_json::json!(true);
    }
    ctx.insert("private_count", &private.len());
    listed.extend(private);
    ctx.insert("symbols", &listed);
    let toc: Vec<serde_json::Value> = order
        .toc
        .iter()
        .map(|(t, members)| {
            let link = |i: usize| {
                serde_json::json!({"name": all_symbols[i].short_name(), "kind": all_symbols[i].kind.name(), "anchor": symbols[i]["anchor"]})
            };
            let mut top = link(*t);
            top["name"] = serde_json::json!(all_symbols[*t].name);
            top["members"] = serde_json::json!(members.iter().map(|&m| link(m)).collect::<Vec<_>>());
            top
        })
        .collect();
    ctx.insert("toc", &toc);
    // The module doc's first sentence, when the doc is longer than that sentence (it is shown
    // in full just below).
    let summary = parsed
        .map(|f| {
            let first = crate::narrate::first_sentence(&f.facts.module_doc);
            let whole = crate::narrate::plain_text(&f.facts.module_doc);
            if whole.len() > first.len() + 80 {
                first
            } else {
                String::new()
            }
        })
        .unwrap_or_default();
    ctx.insert("summary", &summary);
    ctx.insert(
        "source",
        &text
            .map(|s| highlight::source_view(s.language, &s.text, input.cache))
            .unwrap_or_default(),
    );
    let mut imports: Vec<serde_json::Value> = Vec::new();
    let mut shown = std::collections::BTreeSet::new();
    for import in parsed
        .map(|f| f.facts.imports.as_slice())
        .unwrap_or_default()
    {
        let text = import.spec.display();
        if shown.insert(text.clone()) {
            let href = import
                .target
                .as_deref()
                .and_then(|t| input.analysis.pages.file(t))
                .map(|p| format!("{root}{p}"))
                .unwrap_or_default();
            imports.push(serde_json::json!({"text": text, "href": href}));
        }
    }
    ctx.insert("imports", &imports);
    let imported_by: Vec<serde_json::Value> = input
        .analysis
        .graph
        .importers_of(path)
        .filter_map(|(p, _)| {
            input
                .analysis
                .pages
                .file(p)
                .map(|page| serde_json::json!({"text": p, "href": format!("{root}{page}")}))
        })
        .collect();
    ctx.insert("imported_by", &imported_by);
    let activity = input.analysis.insights.files.get(path);
    let commits: Vec<CommitRow> = activity
        .map(|a| a.commits.as_slice())
        .unwrap_or_default()
        .iter()
        .take(30)
        .map(|&c| commit_row(&input.analysis.history.commits[c]))
        .collect();
    ctx.insert("commits", &commits);
    ctx.insert(
        "commit_count",
        &activity.map(|a| a.commits.len()).unwrap_or(0),
    );
    ctx.insert("lines_added", &activity.map(|a| a.lines_added).unwrap_or(0));
    ctx.insert(
        "lines_removed",
        &activity.map(|a| a.lines_removed).unwrap_or(0),
    );
    let authors: Vec<String> = activity
        .map(|a| {
            a.authors
                .iter()
                .take(4)
                .map(|(n, c)| format!("{n} ({c})"))
                .collect()
        })
        .unwrap_or_default();
    ctx.insert("authors", &authors.join(", "));
    ctx.insert("history_partial", &input.analysis.history.partial());
    let owners: Vec<String> = activity
        .map(|a| {
            a.authors_by_lines
                .iter()
                .take(4)
                .map(|(n, l)| format!("{n} ({l} lines)"))
                .collect()
        })
        .unwrap_or_default();
    ctx.insert("owners", &owners.join(", "));
    ctx.insert("knowers", &activity.map(|a| a.authors.len()).unwrap_or(0));
    // Code age: the table shows the latest commits only, so the first change is said apart.
    let at = |i: Option<usize>| i.map(|i| commit_row(&input.analysis.history.commits[i]));
    ctx.insert("first_change", &at(activity.and_then(|a| a.first())));
    ctx.insert("last_change", &at(activity.and_then(|a| a.last())));
    ctx.insert("years", &file_years(input, path));
    ctx.insert("couplings", &file_couplings(input, index, path, &root));
    ctx
}

/// A file's commits per year, as its page shows them (see `years`).
fn file_years(input: &SiteInput, path: &str) -> Option<String> {
    let a = input.analysis;
    years(a.insights.files.get(path)?, &a.history)
}

/// Commits per year, the latest three years with any and how many came before ("2026: 4,
/// 2025: 11; 30 before"): churn that does not move with the clock, so that a commit rewrites
/// the pages of what it touched and no others (counts of "the last 30 days" moved every page of
/// the year at each new commit).
fn years(act: &crate::insight::Activity, history: &crate::history::History) -> Option<String> {
    let (years, before) = act.by_year(history, 3);
    if years.is_empty() {
        return None;
    }
    let shown: Vec<String> = years.iter().map(|(y, n)| format!("{y}: {n}")).collect();
    Some(match before {
        0 => shown.join(", "),
        n => format!("{}; {n} before", shown.join(", ")),
    })
}

/// The files that change together with `path`, as the file page lists them (and its key counts).
fn file_couplings(
    input: &SiteInput,
    index: &FileIndex,
    path: &str,
    root: &str,
) -> Vec<serde_json::Value> {
    let a = input.analysis;
    index
        .couplings
        .get(path)
        .into_iter()
        .flatten()
        .map(|c| {
            let other = if c.a == path { &c.b } else { &c.a };
            serde_json::json!({"path": other, "href": format!("{root}{}", a.pages.file(other).unwrap_or("index.html")),
                "shared": c.shared, "degree": c.degree, "hidden": c.hidden})
        })
        .collect()
}

/// Per-file lookups for the file pages, built once: scanning the whole list for each of
/// 100,000 files is 10^10 comparisons.
struct FileIndex<'a> {
    sources: HashMap<&'a str, &'a SourceFile>,
    risk: HashMap<&'a str, &'a crate::insight::AtRisk>,
    /// Each file's first ten couplings, in the list's order.
    couplings: HashMap<&'a str, Vec<&'a crate::insight::Coupling>>,
    /// Per part: a hash of its name, page and member pages, which every member's page shows
    /// (hashed once per part, not once per member page: 100 members make 10,000 lookups).
    part_keys: Vec<String>,
    /// What doc comments' links can point to.
    docs: docs::DocIndex<'a>,
    /// The repository's markdown docs, in reading order.
    documents: Vec<docs::Document>,
    /// Per part: the docs that link to its files or name its files or types (indexes into
    /// `documents`).
    mentions: Vec<Vec<usize>>,
}

impl<'a> FileIndex<'a> {
    /// Which docs mention which parts: a link to a part's file, a part's file path or a type
    /// declared only in that part, in code; and a part's own docs.
    fn with_mentions(mut self, a: &'a crate::Analysis) -> FileIndex<'a> {
        let of_file = &a.clusters.of_file;
        let mut types: HashMap<&str, Option<usize>> = HashMap::new();
        for f in &a.parsed.files {
            let Some(&part) = of_file.get(&f.path) else {
                continue;
            };
            for s in f
                .facts
                .symbols
                .iter()
                .filter(|s| s.public && s.kind.is_type())
            {
                let name = s.short_name();
                if name.len() >= 5 {
                    let e = types.entry(name).or_insert(Some(part));
                    if *e != Some(part) {
                        *e = None;
                    }
                }
            }
        }
        let mut mentions = vec![Vec::new(); a.clusters.clusters.len()];
        for (d, doc) in self.documents.iter().enumerate() {
            let Some(text) = self.docs.document(&doc.path) else {
                continue;
            };
            let mut parts = std::collections::BTreeSet::new();
            parts.extend(of_file.get(&doc.path).copied());
            let dir = doc.path.rsplit_once('/').map_or("", |(d, _)| d);
            for word in markdown::code_and_links(text) {
                let word = word.trim().trim_end_matches("()");
                let joined = if dir.is_empty() || word.starts_with('/') {
                    word.trim_start_matches('/').to_string()
                } else {
                    format!("{dir}/{word}")
                };
                let found = of_file
                    .get(word)
                    .or_else(|| of_file.get(joined.as_str()))
                    .copied()
                    .or_else(|| types.get(word).copied().flatten());
                parts.extend(found);
            }
            for p in parts {
                mentions[p].push(d);
            }
        }
        self.mentions = mentions;
        self
    }

    fn new(input: &SiteInput<'a>) -> FileIndex<'a> {
        let a = input.analysis;
        let mut couplings: HashMap<&str, Vec<&crate::insight::Coupling>> = HashMap::new();
        for c in &a.insights.couplings {
            for p in [c.a.as_str(), c.b.as_str()] {
                let list = couplings.entry(p).or_default();
                if list.len() < 10 {
                    list.push(c);
                }
            }
        }
        FileIndex {
            sources: a
                .snapshot
                .files
                .iter()
                .map(|f| (f.path.as_str(), f))
                .collect(),
            risk: a
                .insights
                .at_risk
                .iter()
                .map(|r| (r.path.as_str(), r))
                .rev()
                .collect(),
            couplings,
            part_keys: a
                .clusters
                .clusters
                .par_iter()
                .map(|c| {
                    let mut h = blake3::Hasher::new();
                    for s in [&c.name, &c.slug] {
                        h.update(s.as_bytes());
                        h.update(b"\0");
                    }
                    for m in &c.members {
                        for s in [m.as_str(), a.pages.file(m).unwrap_or("-")] {
                            h.update(s.as_bytes());
                            h.update(b"\0");
                        }
                    }
                    h.finalize().to_hex().to_string()
                })
                .collect(),
            docs: docs::DocIndex::new(a),
            documents: docs::documents(&a.snapshot),
            mentions: Vec::new(),
        }
        .with_mentions(a)
    }
}

fn history_page(input: &SiteInput) -> Context {
    let page = "history.html";
    let mut ctx = base(input, page, "History", "history", None, None, None);
    ctx.insert(
        "crumbs",
        &[Crumb {
            label: "History".into(),
            href: String::new(),
        }],
    );
    let h = &input.analysis.history;
    let recent: Vec<CommitRow> = h.commits.iter().take(50).map(commit_row).collect();
    ctx.insert("recent", &recent);
    history_summary(&mut ctx, input);
    ctx.insert("history_partial", &h.partial());
    let most: Vec<serde_json::Value> = input
        .analysis
        .insights
        .most_changed
        .iter()
        .take(30)
        .map(|(p, n)| {
            let part = input.analysis.clusters.of(p);
            serde_json::json!({
                "path": p,
                "href": input.analysis.pages.file(p).unwrap_or("index.html"),
                "commits": n,
                "part": part.map(|c| c.name.clone()).unwrap_or_default(),
                "part_href": part.map(|c| PageMap::part(&c.slug)).unwrap_or_default(),
            })
        })
        .collect();
    ctx.insert("most_changed", &most);
    let authors: Vec<serde_json::Value> = input
        .analysis
        .insights
        .authors
        .iter()
        .map(|(name, n)| serde_json::json!({"name": name, "commits": n}))
        .collect();
    ctx.insert("authors", &authors);
    let mut by_reason: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for s in &input.analysis.snapshot.skipped {
        by_reason.entry(s.reason.name()).or_default().push(&s.path);
    }
    let skipped: Vec<serde_json::Value> = by_reason
        .iter()
        .map(|(reason, paths)| {
            serde_json::json!({
                "reason": reason,
                "count": paths.len(),
                "examples": paths.iter().take(5).collect::<Vec<_>>(),
            })
        })
        .collect();
    ctx.insert("skipped", &skipped);
    history_intelligence(&mut ctx, input);
    ctx
}

/// The history page's tables and chart: hotspots, couplings, contributors, knowledge at risk.
fn history_intelligence(ctx: &mut Context, input: &SiteInput) {
    let a = input.analysis;
    let ins = &a.insights;
    let page = |p: &str| a.pages.file(p).unwrap_or("index.html").to_string();
    let part = |p: &str| {
        a.clusters
            .of(p)
            .map(|c| (c.name.clone(), PageMap::part(&c.slug)))
            .unwrap_or_default()
    };
    let hotspots: Vec<serde_json::Value> = ins
        .hotspots
        .iter()
        .take(20)
        .map(|h| {
            let (name, href) = part(&h.path);
            serde_json::json!({"path": h.path, "href": page(&h.path), "commits": h.commits, "branches": h.branches,
                "lines": h.lines, "part": name, "part_href": href})
        })
        .collect();
    ctx.insert("hotspots", &hotspots);
    let couplings: Vec<serde_json::Value> = ins
        .couplings
        .iter()
        .take(30)
        .map(|c| {
            serde_json::json!({"a": c.a, "a_href": page(&c.a), "b": c.b, "b_href": page(&c.b),
                "shared": c.shared, "degree": c.degree, "hidden": c.hidden})
        })
        .collect();
    ctx.insert("couplings", &couplings);
    let part_couplings: Vec<serde_json::Value> = ins
        .part_couplings
        .iter()
        .take(20)
        .map(|&(x, y, n, hidden)| {
            let (cx, cy) = (&a.clusters.clusters[x], &a.clusters.clusters[y]);
            serde_json::json!({"a": cx.name, "a_href": PageMap::part(&cx.slug), "b": cy.name,
                "b_href": PageMap::part(&cy.slug), "shared": n, "hidden": hidden})
        })
        .collect();
    ctx.insert("part_couplings", &part_couplings);
    let contributors: Vec<serde_json::Value> = ins
        .contributors
        .iter()
        .map(|c| {
            serde_json::json!({"name": c.name, "commits": c.commits, "added": c.added, "removed": c.removed,
                "first": crate::narrate::date(c.first), "last": crate::narrate::date(c.last),
                "inactive": ins.now - c.last > crate::insight::INACTIVE_AFTER})
        })
        .collect();
    ctx.insert("contributors", &contributors);
    let at_risk: Vec<serde_json::Value> = ins
        .at_risk
        .iter()
        .take(30)
        .map(|r| {
            serde_json::json!({"path": r.path, "href": page(&r.path), "author": r.author, "share": r.share,
                "last_active": crate::narrate::date(r.last_active)})
        })
        .collect();
    ctx.insert("at_risk", &at_risk);
    ctx.insert("activity_chart", &chart::monthly(&ins.monthly));
}

/// How many commits by how many people over which dates: the overview and history pages say it.
fn history_summary(ctx: &mut Context, input: &SiteInput) {
    let h = &input.analysis.history;
    let date = |c: Option<&Commit>| c.map(|c| crate::narrate::date(c.time)).unwrap_or_default();
    ctx.insert("commit_count", &h.commits.len());
    ctx.insert("author_count", &input.analysis.insights.authors.len());
    ctx.insert("first_date", &date(h.commits.last()));
    ctx.insert("last_date", &date(h.commits.first()));
}

/// Fills a source URL template; the path is percent-encoded segment by segment.
pub fn source_link(template: &str, commit: &str, path: &str, line: u32) -> String {
    let encoded: Vec<String> = path.split('/').map(percent_encode).collect();
    template
        .replace("{commit}", commit)
        .replace("{path}", &encoded.join("/"))
        .replace("{line}", &line.to_string())
}

fn percent_encode(segment: &str) -> String {
    let mut out = String::new();
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A source URL template for the `origin` remote when it is on GitHub or GitLab.
pub fn guess_source_url(remote: &str) -> Option<String> {
    let rest = remote
        .strip_prefix("https://")
        .or_else(|| remote.strip_prefix("http://"))
        .or_else(|| remote.strip_prefix("ssh://git@"))
        .or_else(|| remote.strip_prefix("git@"))?;
    let rest = rest.replacen(':', "/", 1);
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    let (host, repo) = rest.split_once('/')?;
    let host = host.rsplit('@').next()?;
    if repo.split('/').count() < 2
        || !repo
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        return None;
    }
    match host {
        "github.com" => Some(format!(
            "https://github.com/{repo}/blob/{{commit}}/{{path}}#L{{line}}"
        )),
        "gitlab.com" => Some(format!(
            "https://gitlab.com/{repo}/-/blob/{{commit}}/{{path}}#L{{line}}"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_links_are_filled_and_encoded() {
        let t = "https://github.com/o/r/blob/{commit}/{path}#L{line}";
        assert_eq!(
            source_link(t, "abc", "src/my file.rs", 7),
            "https://github.com/o/r/blob/abc/src/my%20file.rs#L7"
        );
    }

    #[test]
    fn source_url_guessed_from_remotes() {
        let gh = "https://github.com/o/r/blob/{commit}/{path}#L{line}";
        assert_eq!(
            guess_source_url("git@github.com:o/r.git").as_deref(),
            Some(gh)
        );
        assert_eq!(
            guess_source_url("https://github.com/o/r").as_deref(),
            Some(gh)
        );
        assert!(guess_source_url("https://gitlab.com/g/sub/r.git")
            .unwrap()
            .contains("/-/blob/"));
        assert_eq!(guess_source_url("/srv/git/r.git"), None);
        assert_eq!(guess_source_url("https://example.com/o/r"), None);
    }

    #[test]
    fn every_template_compiles() {
        engine(&theme::Theme::built_in()).unwrap();
    }
}
