//! Planted secrets reach neither the model server nor the site nor the cache.

mod support;

use std::fs;

use support::model_server::ModelServer;
use support::*;

const SECRETS: &[&str] = &[
    "supersecretvalue123456",
    "MIIEowIBAAKCAQEA",
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "ghp_0123456789abcdefghijABCDEFGHIJ012345",
    "glpat-abcdefghij0123456789",
];

/// Points the repository's config at the test's model server (an OpenAI-compatible one).
fn use_model_server(root: &std::path::Path, server: &ModelServer) {
    fs::write(
        root.join("repowiki.toml"),
        format!(
            "[model]\nprovider = \"openai\"\nmodel = \"m\"\nbase-url = \"{}\"\n",
            server.url()
        ),
    )
    .unwrap();
}

#[test]
fn planted_secrets_reach_no_model_no_page_and_no_cache() {
    let server = ModelServer::start();
    let mut f = Fixture::new();
    f.commit(
        "secrets",
        &[
            (".env", Some(b"API_KEY=supersecretvalue123456\n".as_slice())),
            ("deploy/server.pem", Some(b"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n".as_slice())),
            (
                "app/settings.py",
                Some(
                    b"\"\"\"Settings. Deploy with ghp_0123456789abcdefghijABCDEFGHIJ012345.\"\"\"\nAWS_ACCESS_KEY_ID = \"AKIAIOSFODNN7EXAMPLE\"\nAWS_SECRET_ACCESS_KEY = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"\n\n\ndef connect():\n    \"\"\"Connect.\"\"\"\n    return 1\n"
                        .as_slice(),
                ),
            ),
            ("app/views.py", Some(b"from .settings import connect\n\n\ndef home():\n    return connect()\n".as_slice())),
        ],
        "Add settings (CI token glpat-abcdefghij0123456789)",
        "Alice Smith",
        T0,
    );
    use_model_server(&f.root(), &server);
    let o = repowiki()
        .args(["build", "--json", "--quiet"])
        .arg(f.root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["files_skipped"]["secret"], 2, "{report}");
    assert!(!server.requests().is_empty());

    for r in server.requests() {
        let body = r.body.to_string();
        for s in SECRETS {
            assert!(!body.contains(s), "{s} was sent to the model");
        }
    }
    for file in walk(&f.root().join(".repowiki")) {
        let bytes = fs::read(&file).unwrap();
        for s in SECRETS {
            assert!(
                !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                "{s} is in {}",
                file.display()
            );
        }
    }
    // The code around them is still documented, and line numbers are unchanged.
    let settings = read(&f.root().join(".repowiki/site/files/app/settings.py.html"));
    assert!(settings.contains("AWS_SECRET_ACCESS_KEY"), "{settings}");
    assert!(
        settings.contains("Lines 6–8"),
        "connect() keeps its lines: {settings}"
    );
    assert!(!f.root().join(".repowiki/site/files/_env.html").exists());
}

/// Secrets in names, authors, HTTP headers, short or punctuated passwords, URLs with short
/// passwords, a token split over two lines, and files that hold secrets by another name: none
/// reaches the model, a page, the markdown wiki, llms.txt, the search index, the cache, the
/// terminal or the JSON report.
#[test]
fn secrets_in_names_authors_headers_and_split_literals_reach_no_output() {
    const NAME_TOKEN: &str = "ghp_0123456789abcdefghijABCDEFGHIJ099999";
    const DIR_TOKEN: &str = "glpat-abcdefghij0123456789xx";
    const AUTHOR_TOKEN: &str = "ghp_AUTHOR6789abcdefghijABCDEFGHIJ012345";
    let planted = [
        NAME_TOKEN,
        DIR_TOKEN,
        AUTHOR_TOKEN,
        "abcdef0123456789XYZbearer",
        "hunter2hunter2",
        "p@ss!w0rd",
        "pw12",
        "ghp_SPLIT56789abcdefghij",
        "ABCDEFGHIJ0SPLIT",
        "npm_NPMRC0123456789abcdefghijABCDEFGHIJ",
        "PRODENVSECRET",
        "GITCREDSECRET",
        "TFSTATESECRET",
    ];
    let server = ModelServer::start();
    let mut f = Fixture::new();
    let name_file = format!("tokens/{NAME_TOKEN}.py");
    let dir_file = format!("{DIR_TOKEN}/mod.py");
    let code = "\"\"\"Client settings.\"\"\"\n\nHEADERS = {\"Authorization\": \"Bearer abcdef0123456789XYZbearer\"}\npassword = \"hunter2hunter2\"\nDB_PASSWORD = 'p@ss!w0rd'\nURL = \"postgres://app:pw12@db:5432/x\"\nTOKEN = (\"ghp_SPLIT56789abcdefghij\" +\n         \"ABCDEFGHIJ0SPLIT\")\n\n\ndef connect():\n    \"\"\"Connects.\"\"\"\n    return URL\n";
    f.commit_with(
        "secrets",
        &[
            ("app/client.py", Some(code.as_bytes())),
            (&name_file, Some(b"def named():\n    return 1\n".as_slice())),
            (&dir_file, Some(b"def inside():\n    return 2\n".as_slice())),
            (
                ".npmrc",
                Some(
                    b"//registry.npmjs.org/:_authToken=npm_NPMRC0123456789abcdefghijABCDEFGHIJ\n"
                        .as_slice(),
                ),
            ),
            ("deploy/prod.env", Some(b"X=PRODENVSECRET\n".as_slice())),
            (
                ".git-credentials",
                Some(b"https://u:GITCREDSECRET@h\n".as_slice()),
            ),
            (
                "infra/terraform.tfstate",
                Some(b"{\"x\": \"TFSTATESECRET\"}\n".as_slice()),
            ),
        ],
        "Add the client",
        (&format!("Deploy Bot {AUTHOR_TOKEN}"), T0),
        None,
        true,
    );
    use_model_server(&f.root(), &server);
    let html = repowiki()
        .args(["build", "--json"])
        .arg(f.root())
        .output()
        .unwrap();
    assert!(html.status.success(), "{}", stderr(&html));
    let report: serde_json::Value = serde_json::from_slice(&html.stdout).unwrap();
    assert_eq!(report["files_skipped"]["secret"], 3, "{report}");
    let md = repowiki()
        .args(["build", "--format", "markdown"])
        .arg(f.root())
        .output()
        .unwrap();
    assert!(md.status.success(), "{}", stderr(&md));
    let status = repowiki().arg("status").arg(f.root()).output().unwrap();
    assert!(!server.requests().is_empty());
    let mut channels: Vec<(String, Vec<u8>)> = Vec::new();
    for r in server.requests() {
        channels.push(("a prompt".into(), r.body.to_string().into_bytes()));
    }
    for file in walk(&f.root().join(".repowiki")) {
        channels.push((file.display().to_string(), fs::read(&file).unwrap()));
    }
    for o in [&html, &md, &status] {
        channels.push(("stdout".into(), o.stdout.clone()));
        channels.push(("stderr".into(), o.stderr.clone()));
    }
    for (channel, bytes) in &channels {
        for s in planted {
            assert!(
                !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                "{s} in {channel}"
            );
        }
        // Nor in a page's name.
        for s in [NAME_TOKEN, DIR_TOKEN] {
            assert!(!channel.contains(s), "{s} names {channel}");
        }
    }
    // The two files are still there, under names that say something was cut out.
    let site = f.root().join(".repowiki/site");
    let pages: Vec<String> = walk(&site)
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        pages.iter().any(|p| p.contains("tokens/_REDACTED-")),
        "{pages:?}"
    );
    let client = read(&site.join("files/app/client.py.html"));
    assert!(client.contains("connect"), "the code is still documented");
}

/// A text that was clean is scanned again when there is a new secret to look for: a file that
/// holds the model's key verbatim, built once without the key (its scan kept by blob id) and
/// then with it, shows the key on no page and sends it to no model.
#[test]
fn a_kept_scan_is_not_reused_when_the_secrets_change() {
    const KEY: &str = "plain-looking-model-key-0123";
    let server = ModelServer::start();
    let mut f = Fixture::new();
    let code = format!("\"\"\"Connects with {KEY}.\"\"\"\n\n\ndef key():\n    \"\"\"The key, {KEY}.\"\"\"\n    return \"{KEY}\"\n");
    f.commit(
        "key",
        &[("app.py", Some(code.as_bytes()))],
        "Add",
        "Alice Smith",
        T0,
    );
    let page = f.root().join(".repowiki/site/files/app.py.html");
    let o = repowiki()
        .args(["build", "--quiet"])
        .arg(f.root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(read(&page).contains(KEY), "not a secret yet");
    use_model_server(&f.root(), &server);
    let o = repowiki()
        .args(["build", "--quiet"])
        .arg(f.root())
        .env("OPENAI_API_KEY", KEY)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let html = read(&page);
    assert!(!html.contains(KEY), "{html}");
    assert!(html.contains("def"), "{html}");
    assert!(!server.requests().is_empty());
    for r in server.requests() {
        assert!(
            !r.body.to_string().contains(KEY),
            "the key was sent to the model"
        );
    }
}
