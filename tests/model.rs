//! Model narrators against a local server that speaks each protocol: request shapes, the key
//! kept secret, retries and backoff, stand-ins on failure, caching, grounding, budgets.

mod support;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use support::model_server::{ModelServer, Reply, NARRATIVE};
use support::*;

const KEY: &str = "sk-test-0123456789abcdef";

fn configure(f: &Fixture, provider: &str, base: &str, extra: &str) {
    let text = format!(
        "[model]\nprovider = \"{provider}\"\nmodel = \"test-model\"\nbase-url = \"{base}\"\napi-key-env = \"REPOWIKI_TEST_KEY\"\nbackoff-ms = 20\n{extra}"
    );
    fs::write(f.root().join("repowiki.toml"), text).unwrap();
}

fn build(f: &Fixture, args: &[&str]) -> (std::process::Output, serde_json::Value) {
    let out = repowiki()
        .args(["build", "--json", "--quiet"])
        .arg(f.root())
        .args(args)
        .env("REPOWIKI_TEST_KEY", KEY)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out, report)
}

fn site(f: &Fixture) -> std::path::PathBuf {
    f.root().join(".repowiki/site")
}

/// Every byte repowiki wrote (site, cache, logs) and printed, searched for the key.
fn assert_key_nowhere(f: &Fixture, outputs: &[&std::process::Output]) {
    for file in walk(&f.root().join(".repowiki")) {
        let bytes = fs::read(&file).unwrap();
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "the key is in {}",
            file.display()
        );
    }
    for o in outputs {
        assert!(!String::from_utf8_lossy(&o.stdout).contains(KEY));
        assert!(!String::from_utf8_lossy(&o.stderr).contains(KEY));
    }
}

#[test]
fn openai_requests_have_the_right_shape_and_a_second_build_calls_nothing() {
    let server = ModelServer::start();
    let f = Fixture::standard();
    configure(&f, "openai", &format!("{}/v1", server.url()), "");
    let (o, report) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let requests = server.requests();
    assert_eq!(requests.len(), 6, "five parts and the overview");
    for r in &requests {
        assert_eq!(r.path, "/v1/chat/completions");
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
        assert_eq!(r.body["model"], "test-model");
        assert_eq!(r.body["messages"][0]["role"], "system");
        assert_eq!(r.body["messages"][1]["role"], "user");
        assert_eq!(r.body["stream"], false);
    }
    let prompts: Vec<String> = requests
        .iter()
        .map(|r| {
            r.body["messages"][1]["content"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let engine = prompts
        .iter()
        .find(|p| p.contains("\"demo::engine\""))
        .expect("a prompt for the engine part");
    assert!(
        engine.contains("pub struct Engine"),
        "the outline: {engine}"
    );
    assert!(
        engine.contains("Runs jobs one after another."),
        "doc comments"
    );
    assert!(
        engine.contains("Count finished jobs in the engine"),
        "history"
    );
    assert!(engine.contains("```rust"), "code excerpts");
    assert!(
        engine.contains("# Main types")
            && engine.contains("- `Engine` uses `Job` at `src/engine/core.rs:5`"),
        "the type map: {engine}"
    );
    assert!(engine.contains("## How it works"), "the sections asked for");
    assert!(
        engine.contains("Written mostly by: Alice Smith"),
        "ownership: {engine}"
    );
    assert!(
        prompts
            .iter()
            .any(|p| p.contains("Write the overview page")),
        "the overview is asked for last"
    );
    assert!(requests.last().unwrap().body["messages"][1]["content"]
        .as_str()
        .unwrap()
        .contains("Write the overview page"));
    assert_eq!(report["narrator_calls"], 6);
    assert_eq!(report["prompt_tokens"], 600, "as the server reported");
    assert_eq!(report["completion_tokens"], 120);
    let page = read(&site(&f).join("parts/src-engine.html"));
    assert!(page.contains("This part keeps the engine running."));
    assert!(page.contains("test-model"), "the page names its narrator");

    let (again, report) = build(&f, &[]);
    assert!(again.status.success());
    assert_eq!(server.requests().len(), 6, "no call the second time");
    assert_eq!(report["narrator_calls"], 0);
    assert_key_nowhere(&f, &[&o, &again]);
}

#[test]
fn anthropic_and_ollama_speak_their_own_protocols() {
    let server = ModelServer::start();
    let f = Fixture::standard();
    configure(&f, "anthropic", &server.url(), "");
    let (o, _) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = &server.requests()[0];
    assert_eq!(r.path, "/v1/messages");
    assert_eq!(r.header("x-api-key"), Some(KEY));
    assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
    assert!(r.body["system"]
        .as_str()
        .unwrap()
        .contains("design documentation"));
    assert_eq!(r.body["messages"][0]["role"], "user");
    assert!(r.body["max_tokens"].as_u64().unwrap() > 0);
    assert!(read(&site(&f).join("parts/src-engine.html"))
        .contains("This part keeps the engine running."));

    let server = ModelServer::start();
    let g = Fixture::standard();
    configure(&g, "ollama", &server.url(), "");
    let (o, _) = build(&g, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = &server.requests()[0];
    assert_eq!(r.path, "/api/chat");
    assert_eq!(r.body["stream"], false);
    assert_eq!(r.body["model"], "test-model");
    assert!(r.body["options"]["num_predict"].as_u64().unwrap() > 0);
    assert!(read(&site(&g).join("parts/src-engine.html"))
        .contains("This part keeps the engine running."));
}

#[test]
fn a_429_is_retried_after_the_time_the_server_asks_for() {
    let server = ModelServer::start();
    let f = Fixture::standard();
    configure(&f, "openai", &server.url(), "concurrency = 1\n");
    server.script(vec![Reply::Status(
        429,
        Some(1),
        "{\"error\": \"slow down\"}".into(),
    )]);
    let (o, report) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let requests = server.requests();
    assert_eq!(requests.len(), 7, "one retried call");
    assert!(
        requests[1].at - requests[0].at >= Duration::from_millis(950),
        "Retry-After: 1 honoured"
    );
    assert_eq!(report["narrator_failures"].as_array().unwrap().len(), 0);
}

#[test]
fn server_errors_malformed_answers_and_timeouts_are_retried() {
    let server = ModelServer::start();
    let f = Fixture::standard();
    configure(
        &f,
        "openai",
        &server.url(),
        "concurrency = 1\ntimeout-seconds = 1\n",
    );
    server.script(vec![
        Reply::Status(500, None, "{}".into()),
        Reply::Malformed,
        Reply::Hang(Duration::from_secs(3)),
    ]);
    let (o, report) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        server.requests().len(),
        9,
        "three failures, then six good calls"
    );
    assert_eq!(report["narrator_failures"].as_array().unwrap().len(), 0);
    // Backoff doubles: 20 ms, then 40 ms, between the first tries.
    let r = server.requests();
    assert!(r[1].at - r[0].at >= Duration::from_millis(20));
    assert!(r[2].at - r[1].at >= Duration::from_millis(40));
}

#[test]
fn a_call_that_keeps_failing_gets_a_marked_stand_in_and_nothing_cached_is_lost() {
    let server = ModelServer::start();
    let mut f = Fixture::standard();
    configure(&f, "openai", &server.url(), "retries = 1\n");
    let (o, _) = build(&f, &[]);
    assert!(o.status.success());
    let calls = server.requests().len();

    // The server breaks; a commit changes one part.
    server.set_default(Reply::Status(500, None, "{\"error\": \"down\"}".into()));
    let edited = read(&f.root().join("src/engine/core.rs"))
        .replace("println!(\"{}\"", "println!(\"job {}\"");
    f.commit(
        "edit",
        &[("src/engine/core.rs", Some(edited.as_bytes()))],
        "Say which job",
        "Dana Lee",
        T0 + 10 * 86_400,
    );
    let (o, report) = build(&f, &[]);
    assert!(o.status.success(), "the build completes: {}", stderr(&o));
    assert_eq!(
        server.requests().len(),
        calls + 2,
        "one call for the changed part, tried twice"
    );
    let failures = report["narrator_failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("engine"),
        "the summary says what failed"
    );
    let page = read(&site(&f).join("parts/src-engine.html"));
    assert!(
        page.contains("Kept from an earlier build"),
        "its last narrative stays"
    );
    assert!(page.contains("This part keeps the engine running."));

    // A part never narrated before gets the built-in text, marked.
    let g = Fixture::standard();
    configure(&g, "openai", &server.url(), "retries = 0\n");
    let (o, _) = build(&g, &[]);
    assert!(o.status.success());
    let page = read(&site(&g).join("parts/src-engine.html"));
    assert!(page.contains("Written by the built-in narrator"), "{page}");
    assert!(
        page.contains("Architecture and key abstractions"),
        "the built-in narrator's sections"
    );

    // Once the server is back, the stand-ins are replaced (they were never cached).
    server.set_default(Reply::Complete(NARRATIVE.into()));
    let before = server.requests().len();
    let (o, report) = build(&g, &[]);
    assert!(o.status.success());
    assert_eq!(server.requests().len() - before, 6);
    assert_eq!(report["narrator_failures"].as_array().unwrap().len(), 0);
    assert!(
        !read(&site(&g).join("parts/src-engine.html")).contains("Written by the built-in narrator")
    );
}

#[test]
fn an_unreachable_server_fails_fast_and_the_build_still_completes() {
    let f = Fixture::standard();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    configure(
        &f,
        "openai",
        &format!("http://127.0.0.1:{port}"),
        "retries = 2\n",
    );
    let started = Instant::now();
    let (o, report) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(report["narrator_failures"].as_array().unwrap().len(), 6);
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(read(&site(&f).join("index.html")).contains("Written by the built-in narrator"));
}

#[test]
fn a_hostile_completion_is_neutralised_and_invented_references_are_marked() {
    let server = ModelServer::start();
    let f = Fixture::standard();
    configure(&f, "openai", &server.url(), "");
    server.set_default(Reply::Complete(
        "## Purpose\nHello <script>alert('x')</script> <img src=x onerror=alert(1)>.\n\n[click](javascript:alert(1)) and [data](data:text/html,hi)\n\nSee `src/engine/core.rs:4`, `src/invented.rs:10`, `src/engine/core.rs:9999` and `NoSuchThing`, and src/made/up.py in prose.".into(),
    ));
    let (o, _) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    for page in walk(&site(&f))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
    {
        let html = read(page);
        assert!(!html.contains("<script>alert"), "{}", page.display());
        assert!(!html.contains("<img src=x"), "{}", page.display());
        assert!(
            !html.to_lowercase().contains("javascript:"),
            "{}",
            page.display()
        );
        assert!(!html.contains("href=\"data:"), "{}", page.display());
    }
    let page = read(&site(&f).join("parts/src-engine.html"));
    let marked = page.matches("class=\"unverified\"").count();
    assert_eq!(
        marked, 4,
        "the invented file, the line past the end, the unknown name, the prose path:\n{page}"
    );
    assert!(page.contains("5 references checked"), "{page}");
    assert!(page.contains("4 not found"), "{page}");
    // The real citation links to that line of the file page's source view, which exists.
    assert!(
        page.contains("href=\"../files/src/engine/core.rs.html#L4\""),
        "{page}"
    );
    let core = read(&site(&f).join("files/src/engine/core.rs.html"));
    assert!(core.contains("<span class=\"line\" id=\"L4\">"), "{core}");
    let broken = broken_links(&site(&f));
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn one_file_commit_calls_the_model_for_its_part_only() {
    let server = ModelServer::start();
    let mut f = Fixture::standard();
    configure(&f, "openai", &server.url(), "");
    assert!(build(&f, &[]).0.status.success());
    let before = server.requests().len();
    let edited = read(&f.root().join("py/app/models.py"))
        .replace("return self.name.title()", "return self.name.upper()");
    f.commit(
        "edit",
        &[("py/app/models.py", Some(edited.as_bytes()))],
        "Shout labels",
        "Dana Lee",
        T0 + 10 * 86_400,
    );
    let (o, report) = build(&f, &[]);
    assert!(o.status.success());
    let new: Vec<_> = server.requests()[before..].to_vec();
    assert_eq!(new.len(), 1, "one call");
    assert!(new[0].body["messages"][1]["content"]
        .as_str()
        .unwrap()
        .contains("py/app/models.py"));
    assert_eq!(report["narrated"], serde_json::json!(["py/app"]));
}

#[test]
fn dry_run_counts_calls_and_tokens_and_calls_nothing() {
    let server = ModelServer::start();
    let f = Fixture::standard();
    configure(&f, "openai", &server.url(), "");
    let (o, report) = build(&f, &["--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(server.requests().len(), 0);
    assert_eq!(report["dry_run"]["calls"], 6);
    assert!(report["dry_run"]["estimated_tokens"].as_u64().unwrap() > 1000);
    assert!(!site(&f).join("index.html").exists(), "nothing written");
    let text = run(&["build", "--dry-run", f.root().to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("6 narrator calls"));
}

#[test]
fn the_token_budget_stops_calls_before_they_are_made() {
    let server = ModelServer::start();
    let f = Fixture::standard();
    configure(&f, "openai", &server.url(), "");
    let (o, report) = build(&f, &["--max-tokens", "50"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(server.requests().len(), 0);
    let failures = report["narrator_failures"].as_array().unwrap();
    assert_eq!(failures.len(), 6);
    assert!(failures[0].as_str().unwrap().contains("token budget"));
}

#[test]
fn the_key_never_shows_even_when_the_server_echoes_it() {
    let server = ModelServer::start();
    let f = Fixture::standard();
    configure(&f, "openai", &server.url(), "retries = 0\n");
    server.set_default(Reply::Status(
        401,
        None,
        format!("{{\"error\": \"bad key {KEY}\"}}"),
    ));
    let (o, report) = build(&f, &[]);
    assert!(o.status.success());
    assert!(report["narrator_failures"][0]
        .as_str()
        .unwrap()
        .contains("[REDACTED]"));
    assert_key_nowhere(&f, &[&o]);
}

/// A committed repowiki.toml names the model server. A clone's file may name the attacker's, so
/// the key goes only to the provider's own address, a server on this machine, or an address the
/// user gave. 0.0.0.0 reaches the test's server on Linux while not being a loopback address.
#[test]
fn a_key_is_sent_only_to_an_address_the_user_chose() {
    let server = ModelServer::start();
    let elsewhere = server.url().replace("127.0.0.1", "0.0.0.0");
    let f = Fixture::standard();
    configure(&f, "openai", &format!("{elsewhere}/v1"), "retries = 0\n");
    let (o, _) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!server.requests().is_empty(), "the server is still asked");
    for r in server.requests() {
        assert_eq!(
            r.header("authorization"),
            None,
            "the key went to {elsewhere}"
        );
    }
    assert!(
        stderr(&o).contains("REPOWIKI_TEST_KEY is not sent to http://0.0.0.0"),
        "{}",
        stderr(&o)
    );
    assert_key_nowhere(&f, &[&o]);
    // The same address given by the user, in the environment: the key goes.
    let g = Fixture::standard();
    configure(&g, "openai", "https://attacker.invalid/v1", "retries = 0\n");
    let o = repowiki()
        .args(["build", "--json", "--quiet"])
        .arg(g.root())
        .env("REPOWIKI_TEST_KEY", KEY)
        .env("REPOWIKI_MODEL_URL", format!("{elsewhere}/v1"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let last = server.requests().last().unwrap().clone();
    assert_eq!(
        last.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    // A provider that cannot work without its key says why it was kept back.
    let h = Fixture::standard();
    configure(&h, "anthropic", "https://attacker.invalid", "");
    let o = repowiki()
        .args(["build"])
        .arg(h.root())
        .env("REPOWIKI_TEST_KEY", KEY)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not sent to https://attacker.invalid"),
        "{}",
        stderr(&o)
    );
    assert!(!h.root().join(".repowiki/site/index.html").exists());
    // The embeddings key alike.
    let e = Fixture::standard();
    let out = run(&["build", e.root().to_str().unwrap(), "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    fs::write(
        e.root().join("repowiki.toml"),
        format!("[ask]\nembeddings-url = \"{elsewhere}/v1\"\nembeddings-model = \"e5\"\n"),
    )
    .unwrap();
    server.set_default(Reply::Complete(String::new()));
    let ask = |url: Option<&str>| {
        let mut cmd = repowiki();
        cmd.args(["ask", "where is the left pad helper"])
            .arg(e.root())
            .env("REPOWIKI_EMBEDDINGS_KEY", KEY);
        if let Some(u) = url {
            cmd.env("REPOWIKI_EMBEDDINGS_URL", u);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        (server.requests().last().unwrap().clone(), out)
    };
    let (r, out) = ask(None);
    assert_eq!(r.path, "/v1/embeddings");
    assert_eq!(r.header("authorization"), None);
    assert!(
        stderr(&out).contains("REPOWIKI_EMBEDDINGS_KEY is not sent"),
        "{}",
        stderr(&out)
    );
    let (r, _) = ask(Some(&format!("{elsewhere}/v1")));
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
}

#[test]
fn a_missing_key_is_a_usage_error_that_names_the_variable() {
    let f = Fixture::standard();
    fs::write(f.root().join("repowiki.toml"), "[model]\nprovider = \"anthropic\"\nmodel = \"m\"\napi-key-env = \"REPOWIKI_NO_SUCH_KEY\"\n").unwrap();
    let o = run(&["build", f.root().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("REPOWIKI_NO_SUCH_KEY"));
    assert!(!f.root().join(".repowiki/site/index.html").exists());
    let o = run(&[
        "build",
        f.root().to_str().unwrap(),
        "--provider",
        "nonesuch",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let _ = Path::new(".");
}

#[test]
fn a_prompt_template_in_the_repository_overrides_the_built_in_one() {
    let server = ModelServer::start();
    let f = Fixture::standard();
    configure(&f, "openai", &server.url(), "");
    assert!(build(&f, &[]).0.status.success());
    assert_eq!(server.requests().len(), 6);
    let prompts = f.root().join(".repowiki/templates/prompts");
    fs::create_dir_all(&prompts).unwrap();
    fs::write(prompts.join("part.md"), "CUSTOM PROMPT for {{ name }}.\n").unwrap();
    let (o, report) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        report["narrator_calls"], 6,
        "another template is another narrator: all parts again"
    );
    let custom: Vec<_> = server.requests()[6..]
        .iter()
        .filter(|r| {
            r.body["messages"][1]["content"]
                .as_str()
                .unwrap()
                .starts_with("CUSTOM PROMPT for ")
        })
        .cloned()
        .collect();
    assert_eq!(custom.len(), 5);
    // The override can be committed; what repowiki builds stays out of git.
    let listed = git_status(&f.root());
    assert!(
        listed.contains(".repowiki/templates/prompts/part.md"),
        "{listed}"
    );
    assert!(
        !listed.contains(".repowiki/site") && !listed.contains(".repowiki/cache"),
        "{listed}"
    );
}

#[test]
fn no_more_calls_at_once_than_the_concurrency_limit() {
    let server = ModelServer::start();
    let f = Fixture::standard();
    configure(&f, "openai", &server.url(), "concurrency = 2\n");
    server.set_default(Reply::Slow(Duration::from_millis(300), NARRATIVE.into()));
    let (o, _) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(server.most_at_once(), 2);
}

#[test]
fn an_interrupted_build_resumes_with_the_narratives_it_already_had() {
    let server = ModelServer::start();
    let f = Fixture::standard();
    configure(&f, "openai", &server.url(), "concurrency = 1\n");
    server.set_default(Reply::Slow(Duration::from_millis(400), NARRATIVE.into()));
    let mut child = repowiki()
        .args(["build", "--quiet"])
        .arg(f.root())
        .env("REPOWIKI_TEST_KEY", KEY)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Let a few answers arrive, then kill -9 in the middle of the next one.
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.requests().len() < 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = server.requests().len();
    assert!(before < 6, "killed before the end");
    server.set_default(Reply::Complete(NARRATIVE.into()));
    let (o, report) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let answered_before = before - 1; // the call under way when it was killed got no answer
    assert_eq!(report["narratives_cached"], answered_before);
    assert_eq!(
        server.requests().len() - before,
        6 - answered_before,
        "only what was missing"
    );
}

#[test]
fn a_model_server_that_dies_mid_build_loses_nothing() {
    let server = ModelServer::start();
    let f = Fixture::standard();
    configure(
        &f,
        "openai",
        &server.url(),
        "concurrency = 1\nretries = 1\n",
    );
    // Two answers, then the server dies for good.
    server.script(vec![
        Reply::Complete(NARRATIVE.into()),
        Reply::Complete(NARRATIVE.into()),
        Reply::Die,
    ]);
    let started = Instant::now();
    let (o, report) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(started.elapsed() < Duration::from_secs(30), "no hang");
    // The four calls that got no answer stand in with the built-in text, marked on their pages.
    let failures = report["narrator_failures"].as_array().unwrap();
    assert_eq!(failures.len(), 4, "{report}");
    let stand_ins = walk(&site(&f))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .filter(|p| read(p).contains("Written by the built-in narrator: the model call failed"))
        .count();
    assert_eq!(stand_ins, 4, "pages that say they hold a stand-in");
    let broken = broken_links(&site(&f));
    assert!(broken.is_empty(), "{}", broken.join("\n"));

    // Back up: the next build asks only for the four missing narratives; the two it had are
    // still in the cache.
    server.revive();
    let before = server.requests().len();
    let (o, report) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(server.requests().len() - before, 4, "{report}");
    assert_eq!(report["narrator_failures"].as_array().unwrap().len(), 0);
    assert_eq!(report["narratives_cached"], 2, "{report}");
}

#[test]
fn credentials_in_the_model_address_never_show_and_still_reach_the_server() {
    let server = ModelServer::start();
    let f = Fixture::standard();
    let base = format!(
        "http://robot:pw-secret-77@127.0.0.1:{}/v1?api_key=query-secret-88",
        server.port
    );
    configure(&f, "openai", &base, "retries = 0\n");
    server.set_default(Reply::Status(500, None, "{\"error\": \"down\"}".into()));
    let (failed, report) = build(&f, &[]);
    assert!(failed.status.success(), "{}", stderr(&failed));
    let failure = report["narrator_failures"][0].as_str().unwrap().to_string();
    assert!(
        failure.contains(&format!("127.0.0.1:{}/v1/chat/completions", server.port)),
        "{failure}"
    );
    // The request went where the address says: path, query and credentials.
    let r = &server.requests()[0];
    assert_eq!(r.path, "/v1/chat/completions?api_key=query-secret-88");
    assert_eq!(
        r.header("authorization"),
        Some("Basic cm9ib3Q6cHctc2VjcmV0LTc3")
    );
    // A server that echoes the key and the password in a good answer: cut out too.
    server.set_default(Reply::Complete(format!(
        "## Purpose\nThe key is {KEY}, the password pw-secret-77, the query query-secret-88.\n"
    )));
    let (o, report) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(report["narrator_failures"].as_array().unwrap().is_empty());
    assert!(walk(&site(&f))
        .iter()
        .any(|p| read(p).contains("The key is [REDACTED]")));
    for o in [&failed, &o] {
        for s in ["pw-secret-77", "query-secret-88", KEY] {
            assert!(!String::from_utf8_lossy(&o.stdout).contains(s), "{s}");
            assert!(!String::from_utf8_lossy(&o.stderr).contains(s), "{s}");
        }
    }
    for file in walk(&f.root().join(".repowiki")) {
        let bytes = fs::read(&file).unwrap();
        for s in ["pw-secret-77", "query-secret-88", KEY] {
            assert!(
                !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                "{s} in {}",
                file.display()
            );
        }
    }
}

#[test]
fn a_redirect_to_another_host_is_not_followed() {
    let server = ModelServer::start();
    let elsewhere = ModelServer::start();
    let f = Fixture::standard();
    configure(&f, "openai", &server.url(), "retries = 0\n");
    // Another origin: same machine, other port.
    server.set_default(Reply::Redirect(format!(
        "{}/chat/completions",
        elsewhere.url()
    )));
    let (o, report) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(elsewhere.requests().is_empty(), "the prompt went elsewhere");
    let failure = report["narrator_failures"][0].as_str().unwrap();
    assert!(failure.contains("307"), "{failure}");
}

#[test]
fn answers_are_capped_in_bytes_however_they_come() {
    for reply in [Reply::Flood(Some(10 << 20)), Reply::Flood(None)] {
        let server = ModelServer::start();
        let f = Fixture::standard();
        configure(
            &f,
            "openai",
            &server.url(),
            "retries = 0\nmax-output-tokens = 100\n",
        );
        server.set_default(reply);
        let started = std::time::Instant::now();
        let (o, report) = build(&f, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(started.elapsed().as_secs() < 30);
        let failure = report["narrator_failures"][0].as_str().unwrap();
        assert!(failure.contains("more than 68736 bytes"), "{failure}");
        assert!(
            report["peak_memory_mib"].as_f64().unwrap() < 200.0,
            "{report}"
        );
    }
    // A whole answer that is well-formed but far longer than max-output-tokens allows.
    let server = ModelServer::start();
    let f = Fixture::standard();
    configure(
        &f,
        "openai",
        &server.url(),
        "retries = 0\nmax-output-tokens = 10\n",
    );
    server.set_default(Reply::Complete("word ".repeat(200_000)));
    let (o, report) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(report["narrator_failures"].as_array().unwrap().len(), 6);
    assert!(walk(&site(&f))
        .iter()
        .all(|p| fs::metadata(p).unwrap().len() < 1 << 20));
}

#[test]
fn model_settings_out_of_bounds_name_the_key() {
    for (setting, key) in [
        ("concurrency = 100000", "model.concurrency"),
        ("concurrency = 0", "model.concurrency"),
        ("timeout-seconds = 0", "model.timeout-seconds"),
        ("temperature = -5.0", "model.temperature"),
        ("temperature = nan", "model.temperature"),
        ("max-output-tokens = 0", "model.max-output-tokens"),
        ("retries = 1000", "model.retries"),
    ] {
        let f = Fixture::standard();
        configure(&f, "openai", "http://127.0.0.1:9", setting);
        let (o, _) = build(&f, &[]);
        assert_eq!(o.status.code(), Some(2), "{setting}: {}", stderr(&o));
        assert!(stderr(&o).contains(key), "{setting}: {}", stderr(&o));
        assert_eq!(stderr(&o).trim().lines().count(), 1);
    }
}

#[test]
fn the_built_in_narrator_makes_no_http_client_so_needs_no_ca_bundle() {
    let f = Fixture::standard();
    // With no readable CA bundle an HTTP client cannot be made (checked below): a build that
    // calls no model must not try.
    let without_certs = |cmd: &mut std::process::Command| {
        cmd.env("SSL_CERT_FILE", "/nonexistent/ca.pem")
            .env("SSL_CERT_DIR", "/nonexistent");
    };
    let mut cmd = repowiki();
    cmd.args(["build", "--quiet"]).arg(f.root());
    without_certs(&mut cmd);
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    configure(&f, "openai", "http://127.0.0.1:9", "retries = 0\n");
    let mut cmd = repowiki();
    cmd.args(["build", "--quiet"]).arg(f.root());
    without_certs(&mut cmd);
    let o = cmd.output().unwrap();
    assert!(
        stderr(&o).contains("cannot make an HTTP client"),
        "the environment really breaks the client: {}",
        stderr(&o)
    );
}

/// `repowiki ask` about the left-pad helper, with the model's key in the environment.
fn ask_with_key(f: &Fixture) -> std::process::Output {
    repowiki()
        .args(["ask", "where is the left pad helper"])
        .arg(f.root())
        .env("REPOWIKI_TEST_KEY", KEY)
        .output()
        .unwrap()
}

#[test]
fn ask_with_a_model_answers_from_the_passages_and_marks_citations_that_do_not_resolve() {
    let server = ModelServer::start();
    let f = Fixture::standard();
    configure(&f, "openai", &format!("{}/v1", server.url()), "");
    server.set_default(Reply::Complete(NARRATIVE.into()));
    let (o, _) = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let built = server.requests().len();
    server.set_default(Reply::Complete(
        "The left pad helper is `pad` (`src/helpers.rs:4-6`); it formats the name right-aligned. \
         See also `src/nowhere.rs:1-3` and `src/helpers.rs:900-901`, `src/engine/` and \
         `src/app.rs`; `Widget.label` is Python."
            .into(),
    ));
    let out = ask_with_key(&f);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    // One call: the wiki came from the cache, the answer from the model.
    let requests = server.requests();
    assert_eq!(requests.len(), built + 1, "{text}");
    let prompt = requests.last().unwrap().body["messages"].to_string();
    assert!(
        prompt.contains("Use only the numbered passages"),
        "{prompt}"
    );
    assert!(prompt.contains("where is the left pad helper"), "{prompt}");
    assert!(prompt.contains("`src/helpers.rs:4-6`"), "{prompt}");
    assert!(
        text.contains("(`src/helpers.rs:4-6`); it formats"),
        "a citation that resolves is left as it is: {text}"
    );
    assert!(
        text.contains("`src/nowhere.rs:1-3` *(not found at this commit)*"),
        "{text}"
    );
    assert!(
        text.contains("`src/helpers.rs:900-901` *(not found at this commit)*"),
        "{text}"
    );
    assert!(
        text.contains("`src/engine/`, and") || text.contains("`src/engine/` and"),
        "a folder that is there: {text}"
    );
    assert!(
        text.contains("`src/app.rs` *(not found at this commit)*"),
        "{text}"
    );
    assert!(
        text.contains("`Widget.label` is Python"),
        "a name is no path: {text}"
    );
    assert!(text.contains("## Sources"), "{text}");
    assert_key_nowhere(&f, &[&out]);
    // The model fails: the passages are the answer, said so.
    server.set_default(Reply::Status(500, None, "{}".into()));
    let out = ask_with_key(&f);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("The model did not answer"), "{text}");
    assert!(text.contains("## 1. [symbol] src/helpers.rs:4-6"), "{text}");
}

#[test]
fn ask_ranks_by_meaning_with_an_embeddings_server_and_asks_for_each_passage_once() {
    let server = ModelServer::start();
    let f = Fixture::standard();
    let root = f.root();
    let out = run(&["build", root.to_str().unwrap(), "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    fs::write(
        root.join("repowiki.toml"),
        format!(
            "[ask]\nembeddings-url = \"{}/v1\"\nembeddings-model = \"e5\"\n",
            server.url()
        ),
    )
    .unwrap();
    server.set_default(Reply::Complete(String::new()));
    let ask = || {
        let out = run(&[
            "ask",
            "where is the left pad helper",
            root.to_str().unwrap(),
            "--json",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (answer, stderr(&out))
    };
    let (answer, _) = ask();
    assert_eq!(answer["results"][0]["path"], "src/helpers.rs", "{answer:#}");
    let first = server.requests();
    assert!(first.len() >= 2, "the passages, then the question");
    for r in &first {
        assert_eq!(r.path, "/v1/embeddings");
        assert_eq!(r.body["model"], "e5");
        assert!(r.body["input"].as_array().unwrap().len() <= 16);
    }
    // Asked again: only the question is embedded.
    ask();
    assert_eq!(server.requests().len(), first.len() + 1);
    // The index made again from nothing: the passages' vectors are kept by content.
    fs::remove_dir_all(root.join(".repowiki/cache/index")).unwrap();
    ask();
    assert_eq!(server.requests().len(), first.len() + 2);
    // A key comes from REPOWIKI_EMBEDDINGS_KEY alone, and is shown nowhere; a committed
    // config cannot name another variable to send.
    let out = repowiki()
        .args(["ask", "where is the left pad helper"])
        .arg(&root)
        .env("REPOWIKI_EMBEDDINGS_KEY", KEY)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        server.requests().last().unwrap().header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_key_nowhere(&f, &[&out]);
    fs::write(
        root.join("repowiki.toml"),
        format!(
            "[ask]\nembeddings-url = \"{}/v1\"\nembeddings-model = \"e5\"\nembeddings-key-env = \"HOME\"\n",
            server.url()
        ),
    )
    .unwrap();
    let out = run(&[
        "ask",
        "where is the left pad helper",
        root.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("embeddings-key-env"),
        "{}",
        stderr(&out)
    );
    fs::write(
        root.join("repowiki.toml"),
        format!(
            "[ask]\nembeddings-url = \"{}/v1\"\nembeddings-model = \"e5\"\n",
            server.url()
        ),
    )
    .unwrap();
    // The server fails: words alone rank, said in one line.
    fs::remove_dir_all(root.join(".repowiki/cache/index")).unwrap();
    fs::remove_dir_all(root.join(".repowiki/cache/embeddings")).unwrap();
    server.set_default(Reply::Status(500, None, "{}".into()));
    let (answer, err) = ask();
    assert!(err.contains("ranking by words only"), "{err}");
    assert_eq!(answer["results"][0]["path"], "src/helpers.rs", "{answer:#}");
}
