//! The site in a real browser: Debian's Chromium, driven by playwright-core (tests/browser/),
//! against a site built from the fixture, opened from file:// and served over HTTP on 127.0.0.1
//! under a strict Content-Security-Policy. Needs `node`, `/usr/bin/chromium` and
//! `npm ci --prefix tests/browser` (`.ci/run` installs them).

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;

/// A static file server for one folder, on a free port, for as long as the test runs.
struct StaticServer {
    port: u16,
}

impl StaticServer {
    fn start(root: &Path) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let root = root.to_path_buf();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                std::thread::spawn(move || serve(&root, stream));
            }
        });
        StaticServer { port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

fn serve(root: &Path, mut stream: TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    // Skip the headers.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let target = request.split_whitespace().nth(1).unwrap_or("/");
    let target = target.split(['?', '#']).next().unwrap_or("/");
    let mut path = root.to_path_buf();
    for segment in percent_decode(target).split('/') {
        if !segment.is_empty() && segment != "." && segment != ".." {
            path.push(segment);
        }
    }
    if path.is_dir() {
        path.push("index.html");
    }
    let (status, body, kind) = match std::fs::read(&path) {
        Ok(body) => ("200 OK", body, content_type(&path)),
        Err(_) => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
         Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("svg") => "image/svg+xml",
        _ => "text/plain; charset=utf-8",
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Ok(b) = u8::from_str_radix(s.get(i + 1..i + 3).unwrap_or(""), 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn driver_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

#[test]
fn the_site_works_in_a_real_browser() {
    let driver = driver_dir();
    assert!(
        driver.join("node_modules/playwright-core").is_dir()
            && Path::new("/usr/bin/chromium").exists(),
        "the browser tests need Chromium and playwright-core: `apt-get install chromium` and \
         `npm ci --prefix tests/browser` (.ci/run does both)"
    );
    let mut f = Fixture::standard();
    // A test helper named like the library's classes: search must list the classes first.
    f.commit(
        "test-helper",
        &[(
            "tests/test_widget.py",
            Some(b"def widget():\n    \"\"\"Makes a test widget.\"\"\"\n    return 1\n".as_slice()),
        )],
        "tests: a widget helper",
        "Alice Smith",
        T0 + 6 * 86_400,
    );
    // A year on, someone new: everyone before has been gone for six months, and the files
    // they wrote are knowledge at risk.
    f.commit(
        "late",
        &[("NOTES.md", Some(b"# Notes\n\nLater.\n".as_slice()))],
        "Add notes",
        "Nora New",
        T0 + 400 * 86_400,
    );
    let site = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", site.to_str().unwrap()]);
    let server = StaticServer::start(&site);
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
    let out = Command::new("node")
        .arg(driver.join("site.mjs"))
        .args(["--site", site.to_str().unwrap()])
        .args(["--http", &server.url()])
        .args(["--shots", shots.to_str().unwrap()])
        .args(["--symbol", "makeWidget"])
        .args(["--expect", "files/web/src/widget.ts.html#"])
        .args(["--source", "files/src/engine/core.rs.html"])
        .args(["--class", "Widget"])
        .args(["--helper", "tests/test_widget.py"])
        .args(["--risk", "files/src/engine/core.rs.html"])
        .args(["--risk-part", "parts/src-engine.html"])
        .output()
        .expect("node runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{text}");
    assert!(out.status.success(), "{text}");
    assert!(text.contains("all browser checks passed"), "{text}");
    for name in ["overview", "part", "file"] {
        for scheme in ["light", "dark"] {
            let png = shots.join(format!("{name}-{scheme}.png"));
            assert!(
                std::fs::metadata(&png).is_ok_and(|m| m.len() > 10_000),
                "{}",
                png.display()
            );
        }
    }
}

/// Every Mermaid block of the markdown wiki parses and draws with the `mermaid` package, in
/// Chromium: the architecture, the flows and the type maps, with names that Mermaid would read
/// as syntax if they were not cleaned.
#[test]
fn the_markdown_wikis_mermaid_diagrams_parse_and_draw() {
    let driver = driver_dir();
    assert!(
        driver.join("node_modules/mermaid").is_dir() && Path::new("/usr/bin/chromium").exists(),
        "the Mermaid check needs Chromium and the mermaid package: `npm ci --prefix tests/browser`"
    );
    let mut f = Fixture::standard();
    f.commit(
        "flows",
        &[(
            "web/src/client.ts",
            Some(
                b"import { Widget } from './widget';\n\n/** Sends. */\nexport class Client$ {\n  private w: Widget;\n  constructor() { this.w = new Widget('x'); }\n  /** Runs \"it\"; then [more] #1 --> done. */\n  send(): void { this.#retry(); this.w.render(); }\n  #retry(): void { this.helper_(); }\n  helper_(): void {}\n}\n\nexport function main(): void {\n  const c = new Client$();\n  c.send();\n}\n"
                    .as_slice(),
            ),
        )],
        "A client",
        "Alice Smith",
        T0 + 7 * 86_400,
    );
    let wiki = f.dir.path().join("wiki");
    build_json(&[
        f.root().to_str().unwrap(),
        "--format",
        "markdown",
        "--out",
        wiki.to_str().unwrap(),
    ]);
    let all: String = walk(&wiki)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| read(p))
        .collect();
    for kind in ["flowchart TD", "sequenceDiagram", "classDiagram"] {
        assert!(all.contains(&format!("```mermaid\n{kind}")), "{kind}");
    }
    let out = Command::new("node")
        .arg(driver.join("mermaid.mjs"))
        .args(["--wiki", wiki.to_str().unwrap()])
        .output()
        .expect("node runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("mermaid blocks parsed and drawn"), "{text}");
}
