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
    fs::write(
        f.root().join("repowiki.toml"),
        format!(
            "[model]\nprovider = \"openai\"\nmodel = \"m\"\nbase-url = \"{}\"\n",
            server.url()
        ),
    )
    .unwrap();
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
