//! `repowiki mcp` against real MCP clients nobody here wrote: the official TypeScript SDK
//! (npm `@modelcontextprotocol/sdk`) and Python SDK (PyPI `mcp`), over stdio and over
//! Streamable HTTP, and the MCP Inspector's CLI; plus `repowiki ask`. Needs `node`, `python3`,
//! `npm ci --prefix tests/mcp` and the venv `tests/mcp/.venv` with `tests/mcp/requirements.txt`
//! (`.ci/run` installs them).

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use support::*;

fn clients() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp")
}

fn python() -> PathBuf {
    let python = clients().join(".venv/bin/python");
    assert!(
        python.exists() && clients().join("node_modules/@modelcontextprotocol/sdk").is_dir(),
        "the MCP tests need the official clients: `npm ci --prefix tests/mcp` and \
         `python3 -m venv tests/mcp/.venv && tests/mcp/.venv/bin/pip install -r tests/mcp/requirements.txt` (.ci/run does both)"
    );
    python
}

/// The standard fixture, built, with one more commit whose message holds a secret.
fn built() -> Fixture {
    let mut f = Fixture::standard();
    f.commit(
        "secret",
        &[(
            "src/helpers.rs",
            Some(
                UTIL_RS
                    .replace("left-pad", "pad-left")
                    .replace("Trims a name.", "Trims a name, both ends.")
                    .as_bytes(),
            ),
        )],
        "Trim both ends\n\nThe deploy token was ghp_0123456789abcdefghijABCDEFGHIJ012345 until today.",
        "Carol King",
        T0 + 5 * 86_400,
    );
    let out = run(&["build", f.root().to_str().unwrap(), "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    f
}

/// A client's script run to its end; its JSON report.
fn report(mut command: Command) -> serde_json::Value {
    let out = command.output().expect("the client runs");
    assert!(
        out.status.success(),
        "the client failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or("");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// `repowiki mcp --http 127.0.0.1:0`, and the address it says it serves at.
struct HttpServer {
    child: Child,
    url: String,
}

impl HttpServer {
    fn start(root: &Path) -> HttpServer {
        let mut child = repowiki()
            .args(["mcp", root.to_str().unwrap(), "--http", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("the server says where it listens")
                .unwrap();
            if let Some(at) = line.find("http://") {
                break line[at..].trim().to_string();
            }
        };
        // Keep reading what it says, so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        HttpServer { child, url }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn check(client: &str, r: &serde_json::Value) {
    let text = |call: &str| r["calls"][call]["text"].as_str().unwrap_or("").to_string();
    assert_eq!(r["server"], "repowiki", "{client}");
    let tools: Vec<&str> = r["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(
        tools,
        [
            "ask_question",
            "flows",
            "read_source",
            "read_wiki_contents",
            "read_wiki_structure",
            "risk",
            "search",
            "why"
        ],
        "{client}"
    );
    let resources = r["resources"].as_array().unwrap();
    assert!(
        resources.iter().any(|u| u == "repowiki://wiki/README.md")
            && resources.iter().any(|u| u == "repowiki://wiki/history.md")
            && resources
                .iter()
                .any(|u| u == "repowiki://wiki/files/src/helpers.rs.md"),
        "{client}: {resources:?}"
    );
    assert!(
        r["resource_text"].as_str().unwrap().starts_with("# demo"),
        "{client}"
    );
    for (call, _) in r["calls"].as_object().unwrap() {
        assert_eq!(r["calls"][call]["error"], false, "{client} {call}");
        assert!(
            text(call).starts_with("repository demo, commit "),
            "{client} {call}: {}",
            text(call)
        );
    }
    assert!(text("read_wiki_structure").contains("- parts/"), "{client}");
    assert!(
        text("read_wiki_contents").contains("## Where to start"),
        "{client}"
    );
    // The left-pad helper is `pad` in src/helpers.rs: the first passage says so.
    let ask = text("ask_question");
    let first = ask.lines().find(|l| l.starts_with("## 1.")).unwrap_or("");
    assert!(first.contains("src/helpers.rs"), "{client}: {ask}");
    assert!(!ask.contains("not found at this commit"), "{client}: {ask}");
    let search = text("search");
    assert!(
        search.contains("py/app/models.py") && search.contains("Widget.label"),
        "{client}: {search}"
    );
    assert!(
        !search.contains("[source]"),
        "{client}: only symbols were asked for: {search}"
    );
    assert!(
        text("read_source").contains(
            "1  //! Small helpers.\n2  \n3  /// Pads a name for display (pad-left style).\n"
        ),
        "{client}: {}",
        text("read_source")
    );
    let why = text("why");
    assert!(
        why.contains("Add the engine and its utilities")
            && why.contains("The engine runs jobs")
            && why.contains("Trim both ends"),
        "{client}: {why}"
    );
    assert!(
        !why.contains("ghp_0123456789"),
        "{client}: a secret reached an answer: {why}"
    );
    assert!(
        text("risk").contains("Alice Smith"),
        "{client}: {}",
        text("risk")
    );
    assert!(
        text("flows").contains("Widget"),
        "{client}: {}",
        text("flows")
    );
    let error = |key: &str| {
        assert_eq!(
            r["errors"][key]["raised"], true,
            "{client} {key}: {}",
            r["errors"][key]
        );
        r["errors"][key]["text"].as_str().unwrap().to_string()
    };
    assert!(
        error("unknown_tool").contains("no tool 'no_such_tool'"),
        "{client}"
    );
    assert!(error("wrong_type").contains("invalid type"), "{client}");
    assert!(
        error("outside").contains("leaves the repository"),
        "{client}"
    );
    assert!(
        error("absolute").contains("not a path inside the repository"),
        "{client}"
    );
    assert!(error("past_end").contains("past its end"), "{client}");
    assert!(error("other_repo").contains("not served here"), "{client}");
    assert!(error("huge_question").contains("at most 2000"), "{client}");
    assert!(
        r["after_errors"].as_str().unwrap().contains("wiki pages"),
        "{client}"
    );
}

#[test]
fn the_official_python_and_typescript_clients_use_every_tool_over_stdio_and_http() {
    let python = python();
    let f = built();
    let bin = env!("CARGO_BIN_EXE_repowiki");
    let root = f.root();
    let root = root.to_str().unwrap();

    let mut py = Command::new(&python);
    py.arg(clients().join("client.py"))
        .args(["stdio", bin, root]);
    check("python stdio", &report(py));
    let mut node = Command::new("node");
    node.arg(clients().join("client.mjs"))
        .args(["stdio", bin, root]);
    check("typescript stdio", &report(node));

    let server = HttpServer::start(&f.root());
    // Clients that go away mid-request and mid-answer: the server goes on serving (the
    // clients below are answered).
    let authority = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches("/mcp")
        .to_string();
    for body in [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"gone","version":"1"}}}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"read_wiki_contents","arguments":{"repoName":"demo"}}}"#,
    ] {
        for cut in [body.len() / 2, body.len()] {
            let mut stream = std::net::TcpStream::connect(&authority).unwrap();
            let head = format!(
                "POST /mcp HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&body.as_bytes()[..cut]).unwrap();
            drop(stream);
        }
    }
    let mut py = Command::new(&python);
    py.arg(clients().join("client.py"))
        .args(["http", &server.url]);
    check("python http", &report(py));
    let mut node = Command::new("node");
    node.arg(clients().join("client.mjs"))
        .args(["http", &server.url]);
    check("typescript http", &report(node));
}

#[test]
fn the_inspector_cli_lists_the_tools() {
    python();
    let f = built();
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(clients().join("node_modules/.bin/mcp-inspector"))
        .args([
            "--cli",
            "--method",
            "tools/list",
            env!("CARGO_BIN_EXE_repowiki"),
            "mcp",
        ])
        .arg(f.root())
        .env("HOME", home.path())
        .env("MCP_CATALOG_PATH", home.path().join("mcp.json"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = listed["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 8, "{names:?}");
    assert!(names.contains(&"read_wiki_structure") && names.contains(&"why"));
}

/// One JSON-RPC message on a line, as the stdio transport frames them.
fn send(stdin: &mut impl Write, message: serde_json::Value) {
    writeln!(stdin, "{message}").unwrap();
    stdin.flush().unwrap();
}

/// `repowiki mcp` on the fixture over stdio, past the handshake.
fn start_stdio(
    f: &Fixture,
) -> (
    Child,
    std::process::ChildStdin,
    BufReader<std::process::ChildStdout>,
) {
    let mut child = repowiki()
        .args(["mcp", f.root().to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let hello = request(
        &mut stdin,
        &mut stdout,
        1,
        "initialize",
        serde_json::json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}),
    );
    assert_eq!(hello["result"]["serverInfo"]["name"], "repowiki", "{hello}");
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    );
    (child, stdin, stdout)
}

#[test]
fn a_closed_stdin_or_garbage_ends_or_answers_cleanly() {
    let f = built();
    f.repo
        .remote("origin", "https://github.com/acme/demo.git")
        .unwrap();
    let (mut child, mut stdin, mut stdout) = start_stdio(&f);
    let mut line = String::new();
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "read_source", "arguments": {"path": "src/../../../etc/passwd"}}}),
    );
    line.clear();
    stdout.read_line(&mut line).unwrap();
    assert!(
        line.contains("\"error\"") && line.contains("leaves the repository"),
        "{line}"
    );
    // A repository is named as DeepWiki users name it, and a near miss is another repository.
    for (id, name, served) in [
        (3, "acme/demo", true),
        (4, "https://github.com/acme/demo", true),
        (5, "demo", true),
        (6, "me/demo", false),
        (7, "acme/dem", false),
    ] {
        send(
            &mut stdin,
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "read_wiki_structure", "arguments": {"repoName": name}}}),
        );
        line.clear();
        stdout.read_line(&mut line).unwrap();
        assert_eq!(line.contains("wiki pages"), served, "{name}: {line}");
        assert_eq!(line.contains("not served here"), !served, "{name}: {line}");
    }
    // The client asks, and goes away before the answer: the server ends, with success.
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "read_wiki_contents", "arguments": {"repoName": "demo"}}}),
    );
    drop(stdin);
    drop(stdout);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn ask_answers_with_citations_that_resolve() {
    let mut f = built();
    let root = f.root();
    let out = run(&[
        "ask",
        "which helper shouts a name",
        root.to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = answer["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert_eq!(results[0]["path"], "src/helpers.rs", "{answer:#}");
    for r in results {
        assert_eq!(r["verified"], true, "{r}");
    }
    assert_eq!(
        answer["commit"].as_str().unwrap(),
        f.repo.head().unwrap().target().unwrap().to_string()
    );
    assert_eq!(
        answer["index"]["alone"], false,
        "the first ask reads the wiki back"
    );
    // Asked again, the index is current: it answers alone, and the same.
    let again = run(&[
        "ask",
        "which helper shouts a name",
        root.to_str().unwrap(),
        "--json",
    ]);
    assert!(again.status.success(), "{}", stderr(&again));
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["index"]["alone"], true, "{again:#}");
    assert_eq!(again["results"], answer["results"]);
    assert_eq!(again["commit"], answer["commit"]);
    let text = run(&["ask", "which helper shouts a name", root.to_str().unwrap()]);
    assert!(text.status.success(), "{}", stderr(&text));
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(text.starts_with("repository "), "{text}");
    assert!(text.contains("1. [symbol] src/helpers.rs:"), "{text}");
    // Other settings make another wiki: the index is not taken as current for it.
    let config = root.join("repowiki.toml");
    std::fs::write(&config, "[site]\ntitle = \"Other\"\n").unwrap();
    let other = run(&[
        "ask",
        "which helper shouts",
        root.to_str().unwrap(),
        "--json",
    ]);
    let other: serde_json::Value = serde_json::from_slice(&other.stdout).unwrap();
    assert_eq!(other["index"]["alone"], false, "{other:#}");
    std::fs::remove_file(&config).unwrap();
    // A one-file commit: the index takes one file and one commit, not everything again.
    f.commit(
        "more",
        &[(
            "src/helpers.rs",
            Some(format!("{}\n/// Whispers a name.\npub fn whisper(name: &str) -> String {{\n    name.to_lowercase()\n}}\n", UTIL_RS.replace("left-pad", "pad-left")).as_bytes()),
        )],
        "Add whisper",
        "Alice Smith",
        T0 + 9 * 86_400,
    );
    let out = run(&[
        "ask",
        "whisper a name",
        root.to_str().unwrap(),
        "--build",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // One file's blob and one commit are new; of the pages, those whose text moved.
    let pages = 1 + std::fs::read_dir(root.join(".repowiki/site/parts"))
        .unwrap()
        .count() as u64;
    let added = answer["index"]["groups_added"].as_u64().unwrap();
    let removed = answer["index"]["groups_removed"].as_u64().unwrap();
    assert!(added >= 2 && added <= 2 + pages, "{answer:#}");
    assert!(removed + 1 == added, "{answer:#}");
    assert_eq!(answer["results"][0]["path"], "src/helpers.rs", "{answer:#}");
    assert!(
        answer["results"][0]["text"]
            .as_str()
            .unwrap()
            .contains("whisper"),
        "{answer:#}"
    );
    // A question that is far too long is refused in one line.
    let long = "why ".repeat(10_000);
    let out = run(&["ask", &long, root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("at most 2000"), "{}", stderr(&out));
}

/// A request on stdio and its answer.
fn request(
    stdin: &mut impl Write,
    stdout: &mut impl BufRead,
    id: u64,
    method: &str,
    params: serde_json::Value,
) -> serde_json::Value {
    send(
        stdin,
        serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
    );
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    serde_json::from_str(&line).unwrap()
}

fn tool_text(answer: &serde_json::Value) -> String {
    answer["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("{answer}"))
        .to_string()
}

#[test]
fn a_running_server_follows_each_new_build() {
    let mut f = built();
    let (mut child, mut stdin, mut stdout) = start_stdio(&f);
    let first = f.repo.head().unwrap().target().unwrap().to_string();
    let search = serde_json::json!({"name": "search", "arguments": {"query": "whisper", "kinds": ["symbol"]}});
    let text = tool_text(&request(
        &mut stdin,
        &mut stdout,
        2,
        "tools/call",
        search.clone(),
    ));
    assert!(text.contains(&first[..12]), "{text}");
    assert!(!text.contains("function whisper"), "{text}");
    // A commit, not built yet: the server goes on serving the wiki it has, and says HEAD moved.
    f.commit(
        "whisper",
        &[(
            "src/helpers.rs",
            Some(format!("{}\n/// Whispers a name.\npub fn whisper(name: &str) -> String {{\n    name.to_lowercase()\n}}\n", UTIL_RS.replace("left-pad", "pad-left")).as_bytes()),
        )],
        "Add whisper",
        "Alice Smith",
        T0 + 9 * 86_400,
    );
    let second = f.repo.head().unwrap().target().unwrap().to_string();
    let text = tool_text(&request(
        &mut stdin,
        &mut stdout,
        3,
        "tools/call",
        search.clone(),
    ));
    assert!(text.contains(&first[..12]), "{text}");
    // Built (as the post-commit hook would): the next call answers from the new wiki.
    let out = run(&["build", f.root().to_str().unwrap(), "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = tool_text(&request(&mut stdin, &mut stdout, 4, "tools/call", search));
    assert!(text.contains(&second[..12]), "{text}");
    assert!(text.contains("function whisper"), "{text}");
    let page = request(
        &mut stdin,
        &mut stdout,
        5,
        "resources/read",
        serde_json::json!({"uri": "repowiki://wiki/history.md"}),
    );
    assert!(page.to_string().contains("Add whisper"), "{page}");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}
