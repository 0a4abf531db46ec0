//! `repowiki mcp`: the built wiki, its search index, the code and the history, served to
//! agents over the Model Context Protocol (the official Rust SDK, `rmcp`), on stdio or on
//! Streamable HTTP bound to loopback. DeepWiki's three tools keep their names and arguments,
//! so an agent set up for DeepWiki works unchanged; ours add search, source, why, risk and
//! flows. Every wiki page is also a resource. Bad input is a JSON-RPC error with one clear
//! line, and the server goes on serving.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Resource,
    ResourceContents, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde::Deserialize;
use serde_json::json;

use crate::ask::{self, SearchIndex};
use crate::knowledge::{finish, Knowledge, Refusal};

/// What the server holds: the wiki and its index, read at start and again after each build.
#[derive(Clone)]
pub struct Server {
    served: Arc<RwLock<Arc<Served>>>,
    /// Reads the wiki and its index back again, after a build (the post-commit hook's, or
    /// anyone's) has made a newer one: a server that runs for days follows the repository.
    reload: Arc<Option<Reload>>,
    /// Held while the wiki is read again: one reload at a time, the others answer meanwhile.
    /// It holds the build whose wiki could not be read, not tried again.
    reloading: Arc<Mutex<Option<BuildMark>>>,
    /// The model that writes `ask_question`'s answers, when one is configured.
    model: Arc<Option<ask::AnswerModel>>,
}

/// How the server reads the wiki back: as `repowiki mcp` read it at start.
pub type Reload = Box<dyn Fn() -> crate::Result<(Knowledge, SearchIndex)> + Send + Sync>;

/// The wiki answered from, its index, and the build state's file as it was when it was read.
pub struct Served {
    pub wiki: Knowledge,
    pub index: SearchIndex,
    built: Option<BuildMark>,
}

/// Length and modification time of the cache's build state: a build rewrites it.
type BuildMark = (u64, std::time::SystemTime);

fn build_mark(cache_dir: &std::path::Path) -> Option<BuildMark> {
    let m = std::fs::symlink_metadata(cache_dir.join(crate::state::FILE)).ok()?;
    Some((m.len(), m.modified().ok()?))
}

/// The scheme of every page's resource address: `repowiki://wiki/parts/cli.md`.
pub const RESOURCE_PREFIX: &str = "repowiki://wiki/";
/// Resources listed per page of `resources/list`.
const RESOURCES_PER_LIST: usize = 500;

fn tool(name: &'static str, description: &'static str, schema: serde_json::Value) -> Tool {
    let schema: JsonObject = match schema {
        serde_json::Value::Object(o) => o,
        _ => JsonObject::new(),
    };
    Tool::new(name, description, Arc::new(schema))
}

/// The tools, with their arguments' JSON schemas.
pub fn tools() -> Vec<Tool> {
    let repo = json!({"type": "string", "description": "The repository: its folder name or owner/name of one of its remotes (checked)"});
    let line = json!({"type": "integer", "minimum": 1});
    vec![
        tool(
            "read_wiki_structure",
            "The wiki's table of contents: the overview, history, every part with a one-line summary, and how file pages are named.",
            json!({"type": "object", "properties": {"repoName": repo}, "required": ["repoName"]}),
        ),
        tool(
            "read_wiki_contents",
            "A page of the wiki as markdown (e.g. README.md, history.md, parts/<slug>.md, files/<path>.md, or a part's name); with no page, the overview and the part pages, whole, as many as fit in one answer (those that do not are named at the end, to read with page).",
            json!({"type": "object", "properties": {"repoName": repo, "page": {"type": "string", "description": "A page path from read_wiki_structure, or a part's name"}}, "required": ["repoName"]}),
        ),
        tool(
            "ask_question",
            "Answers a question about the repository from the wiki, the code and the history: the best passages, each with a citation (path and lines at the built commit) that was checked.",
            json!({"type": "object", "properties": {"repoName": repo, "question": {"type": "string"}}, "required": ["repoName", "question"]}),
        ),
        tool(
            "search",
            "Searches symbols, files, wiki pages, docs, source and commit messages; each result has its kind and its path (with lines).",
            json!({"type": "object", "properties": {
                "query": {"type": "string"},
                "kinds": {"type": "array", "items": {"type": "string", "enum": ask::KINDS}, "description": "Only these kinds of result"},
                "path": {"type": "string", "description": "Only results under this path"},
                "limit": {"type": "integer", "minimum": 1, "maximum": ask::MAX_RESULTS}
            }, "required": ["query"]}),
        ),
        tool(
            "read_source",
            "Lines of a file at the built commit, numbered (at most 2,000 per call). Paths are relative to the repository's root; nothing outside it is read.",
            json!({"type": "object", "properties": {"path": {"type": "string"}, "startLine": line, "endLine": line}, "required": ["path"]}),
        ),
        tool(
            "why",
            "The commits that shaped a file, a symbol or a range of lines, newest first, with their messages: the history that explains why the code is so.",
            json!({"type": "object", "properties": {"path": {"type": "string"}, "symbol": {"type": "string", "description": "A symbol's name (Type::method or its last part)"}, "startLine": line, "endLine": line}}),
        ),
        tool(
            "risk",
            "Where the risk is, from the history: hotspots, knowledge at risk (one author, inactive), owners and change coupling, for the repository, a path or a part.",
            json!({"type": "object", "properties": {"target": {"type": "string", "description": "A file, a folder or a part's name; none for the whole repository"}}}),
        ),
        tool(
            "flows",
            "The call paths through a symbol: the resolved calls to it and from it, and the wiki's flows that pass through it.",
            json!({"type": "object", "properties": {"symbol": {"type": "string"}, "path": {"type": "string", "description": "The file it is in, when the name is not unique"}}, "required": ["symbol"]}),
        ),
    ]
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RepoArgs {
    repo_name: String,
    page: Option<String>,
    question: Option<String>,
}

#[derive(Deserialize)]
struct SearchArgs {
    query: String,
    #[serde(default)]
    kinds: Vec<String>,
    path: Option<String>,
    limit: Option<usize>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SourceArgs {
    path: Option<String>,
    symbol: Option<String>,
    start_line: Option<u64>,
    end_line: Option<u64>,
}

#[derive(Deserialize)]
struct RiskArgs {
    target: Option<String>,
}

#[derive(Deserialize)]
struct FlowArgs {
    symbol: String,
    path: Option<String>,
}

fn args<T: for<'de> Deserialize<'de>>(
    tool: &str,
    given: Option<JsonObject>,
) -> Result<T, ErrorData> {
    serde_json::from_value(serde_json::Value::Object(given.unwrap_or_default()))
        .map_err(|e| ErrorData::invalid_params(format!("{tool}: bad arguments: {e}"), None))
}

fn refused(r: Refusal) -> ErrorData {
    ErrorData::invalid_params(r.0, None)
}

impl Server {
    pub fn new(
        wiki: Knowledge,
        index: SearchIndex,
        model: Option<ask::AnswerModel>,
        reload: Option<Reload>,
    ) -> Server {
        let built = build_mark(&wiki.cache_dir);
        Server {
            served: Arc::new(RwLock::new(Arc::new(Served { wiki, index, built }))),
            reload: Arc::new(reload),
            reloading: Arc::new(Mutex::new(None)),
            model: Arc::new(model),
        }
    }

    /// The wiki to answer from: read again first when a build has happened since it was read
    /// (and no other call is reading it already). A wiki that cannot be read again is said on
    /// stderr, and the last one goes on serving until the next build.
    pub fn current(&self) -> Arc<Served> {
        let read = || match self.served.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let served = read();
        let Some(reload) = self.reload.as_ref() else {
            return served;
        };
        let now = build_mark(&served.wiki.cache_dir);
        if now.is_none() || now == served.built {
            return served;
        }
        let Ok(mut failed) = self.reloading.try_lock() else {
            return served;
        };
        // Another call may have read it while this one came to the lock.
        let served = read();
        if now == served.built || *failed == now {
            return served;
        }
        match reload() {
            Ok((wiki, index)) => {
                *failed = None;
                let fresh = Arc::new(Served {
                    wiki,
                    index,
                    built: now,
                });
                match self.served.write() {
                    Ok(mut s) => *s = fresh.clone(),
                    Err(poisoned) => *poisoned.into_inner() = fresh.clone(),
                }
                fresh
            }
            Err(e) => {
                *failed = now;
                eprintln!(
                    "repowiki: warning: the wiki of the new build could not be read ({e}); still serving commit {}",
                    served.wiki.commit
                );
                served
            }
        }
    }

    /// One tool call, answered as text (or a JSON-RPC error).
    pub fn call(&self, name: &str, given: Option<JsonObject>) -> Result<String, ErrorData> {
        let served = self.current();
        let k = &served.wiki;
        let index = &served.index;
        match name {
            "read_wiki_structure" => {
                let a: RepoArgs = args(name, given)?;
                k.is_named(&a.repo_name).map_err(refused)?;
                Ok(k.structure())
            }
            "read_wiki_contents" => {
                let a: RepoArgs = args(name, given)?;
                k.is_named(&a.repo_name).map_err(refused)?;
                k.contents(a.page.as_deref()).map_err(refused)
            }
            "ask_question" => {
                let a: RepoArgs = args(name, given)?;
                k.is_named(&a.repo_name).map_err(refused)?;
                let q = a.question.ok_or_else(|| {
                    ErrorData::invalid_params("ask_question: a question is needed", None)
                })?;
                ask::answer(k, index, &q, 5, self.model.as_ref().as_ref()).map_err(refused)
            }
            "search" => {
                let a: SearchArgs = args(name, given)?;
                let hits = index
                    .search(&a.query, &a.kinds, a.path.as_deref(), a.limit.unwrap_or(10))
                    .map_err(refused)?;
                let mut out = format!(
                    "{}\n\n{} results for '{}':\n\n",
                    k.stamp(),
                    hits.len(),
                    a.query.trim()
                );
                for (n, h) in hits.iter().enumerate() {
                    let excerpt: Vec<&str> = h
                        .text
                        .lines()
                        .filter(|l| !l.trim().is_empty())
                        .take(3)
                        .collect();
                    out += &format!(
                        "{} — {}\n   {}\n",
                        ask::headline(n + 1, h, ask::cites(k, h)),
                        h.title.lines().next().unwrap_or(""),
                        excerpt.join("\n   ")
                    );
                }
                Ok(finish(out))
            }
            "read_source" => {
                let a: SourceArgs = args(name, given)?;
                let path = a.path.ok_or_else(|| {
                    ErrorData::invalid_params("read_source: a path is needed", None)
                })?;
                k.read_source(&path, a.start_line, a.end_line)
                    .map_err(refused)
            }
            "why" => {
                let a: SourceArgs = args(name, given)?;
                k.why(
                    a.path.as_deref(),
                    a.symbol.as_deref(),
                    a.start_line,
                    a.end_line,
                )
                .map_err(refused)
            }
            "risk" => {
                let a: RiskArgs = args(name, given)?;
                k.risk(a.target.as_deref()).map_err(refused)
            }
            "flows" => {
                let a: FlowArgs = args(name, given)?;
                k.flows(&a.symbol, a.path.as_deref()).map_err(refused)
            }
            other => Err(ErrorData::invalid_params(
                format!(
                    "no tool '{other}': the tools are {}",
                    tools()
                        .iter()
                        .map(|t| t.name.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None,
            )),
        }
    }

    /// `current`, off the async workers (reading a wiki back takes seconds on a large one).
    async fn fresh(&self) -> Result<Arc<Served>, ErrorData> {
        let server = self.clone();
        tokio::task::spawn_blocking(move || server.current())
            .await
            .map_err(|e| ErrorData::internal_error(format!("reading the wiki failed: {e}"), None))
    }

    fn page_of(served: &Served, uri: &str) -> Result<String, ErrorData> {
        let path = uri.strip_prefix(RESOURCE_PREFIX).ok_or_else(|| {
            ErrorData::resource_not_found(
                format!("no resource {uri}: addresses start with {RESOURCE_PREFIX}"),
                None,
            )
        })?;
        match served.wiki.pages.get(path) {
            Some(text) => Ok(finish(text.clone())),
            None => Err(ErrorData::resource_not_found(
                format!("no wiki page {path}"),
                None,
            )),
        }
    }
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        // Not read again here: this is answered at once, on the async workers.
        let served = match self.served.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("repowiki", env!("CARGO_PKG_VERSION")))
        .with_instructions(format!(
            "The living wiki of {}, built by repowiki at commit {}: start with read_wiki_structure, ask with ask_question or search, read code with read_source, and ask why and risk of the history.",
            served.wiki.name, served.wiki.commit
        ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        tools().into_iter().find(|t| t.name == name)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        // A tool may wait on a model over blocking HTTP: off the async workers.
        let server = self.clone();
        let text =
            tokio::task::spawn_blocking(move || server.call(&request.name, request.arguments))
                .await
                .map_err(|e| {
                    ErrorData::internal_error(format!("the tool call failed: {e}"), None)
                })??;
        Ok(CallToolResult::success(vec![ContentBlock::text(text)]).into())
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let start: usize = match request.and_then(|r| r.cursor) {
            None => 0,
            Some(c) => c
                .parse()
                .map_err(|_| ErrorData::invalid_params(format!("bad cursor '{c}'"), None))?,
        };
        let served = self.fresh().await?;
        let pages = &served.wiki.pages;
        let resources: Vec<Resource> = pages
            .iter()
            .skip(start)
            .take(RESOURCES_PER_LIST)
            .map(|(path, text)| {
                let title = text
                    .lines()
                    .find_map(|l| l.strip_prefix("# "))
                    .unwrap_or(path);
                Resource::new(format!("{RESOURCE_PREFIX}{path}"), path.clone())
                    .with_title(crate::secrets::clean(title).into_owned())
                    .with_mime_type("text/markdown")
            })
            .collect();
        let next = start + resources.len();
        let mut result = ListResourcesResult::with_all_items(resources);
        result.next_cursor = (next < pages.len()).then(|| next.to_string());
        Ok(result)
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let served = self.fresh().await?;
        let text = Server::page_of(&served, &request.uri)?;
        Ok(ReadResourceResult::new(vec![
            ResourceContents::text(text, request.uri.clone()).with_mime_type("text/markdown")
        ])
        .into())
    }
}

/// Serves on stdin and stdout until the client closes them.
pub async fn serve_stdio(server: Server) -> std::io::Result<()> {
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    running
        .waiting()
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(())
}

/// Whether an address may be served: loopback, or anything with `--allow-remote`.
pub fn check_address(addr: &SocketAddr, allow_remote: bool) -> Result<(), String> {
    if addr.ip().is_loopback() || allow_remote {
        Ok(())
    } else {
        Err(format!(
            "{addr} is not a loopback address: the wiki, its code and its history would be served to the network; pass --allow-remote to do that"
        ))
    }
}

/// Serves Streamable HTTP at `http://ADDR/mcp` until interrupted. `ready` gets the address
/// bound (port 0 picks a free one).
pub async fn serve_http(
    server: Server,
    addr: SocketAddr,
    allow_remote: bool,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    use rmcp::transport::streamable_http_server::{
        session::local::LocalSessionManager, StreamableHttpServerConfig, StreamableHttpService,
    };
    check_address(&addr, allow_remote).map_err(std::io::Error::other)?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let mut config = StreamableHttpServerConfig::default();
    if allow_remote {
        config = config.disable_allowed_hosts();
    } else {
        // Pages in a browser may not talk to it (no DNS rebinding, no other site's script).
        config = config
            .with_allowed_hosts(["localhost", "127.0.0.1", "::1", "[::1]"])
            .with_allowed_origins(["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"]);
    }
    let stop = config.cancellation_token.clone();
    let service: StreamableHttpService<Server, LocalSessionManager> =
        StreamableHttpService::new(move || Ok(server.clone()), Default::default(), config);
    let router = axum::Router::new().nest_service("/mcp", service);
    ready(bound);
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            stop.cancel();
        })
        .await
}
