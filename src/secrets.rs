//! Secrets never leave the machine: files that hold them are never read, and strings that look
//! like them (rules in the manner of gitleaks) are cut out of the code and the commit messages
//! before anything else sees them, so no model prompt, cache entry or page can carry one.

use std::sync::{OnceLock, RwLock};

use regex::{Regex, RegexSet};

/// What replaces a secret. Line breaks inside a secret are kept, so line numbers stay true.
pub const REDACTED: &str = "[REDACTED]";

/// Files whose purpose is to hold secrets, by name.
pub fn is_secret_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let exact = [
        ".env",
        ".envrc",
        ".netrc",
        ".pypirc",
        ".htpasswd",
        ".git-credentials",
        ".pgpass",
        ".dockercfg",
        ".vault-token",
        "credentials",
        "credentials.json",
        "secrets.yml",
        "secrets.yaml",
        "secrets.json",
        "secrets.toml",
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "service-account.json",
        "terraform.tfstate",
        "terraform.tfstate.backup",
        "kubeconfig",
    ];
    let suffixes = [
        ".pem",
        ".key",
        ".p12",
        ".pfx",
        ".jks",
        ".keystore",
        ".ppk",
        ".asc",
        ".gpg",
        ".tfvars",
        ".tfstate",
        ".kubeconfig",
    ];
    // Whole paths: where the file is says what it holds.
    let paths = [".docker/config.json", ".kube/config", ".aws/credentials"];
    let example = |n: &str| {
        [".example", ".sample", ".template", ".dist", ".defaults"]
            .iter()
            .any(|s| n.ends_with(s))
    };
    exact.contains(&name)
        || (name.starts_with(".env.") && !example(name))
        // `prod.env`, `staging.env`: environment files by another name.
        || (name.ends_with(".env") && name.len() > 4)
        || suffixes.iter().any(|s| name.ends_with(s))
        || paths
            .iter()
            .any(|p| lower == *p || lower.ends_with(&format!("/{p}")))
}

/// Each rule finds a secret; where it has a group named `s`, only that group is the secret
/// (the name of a setting stays, its value goes).
const RULES: &[&str] = &[
    // Private key blocks, whole.
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----",
    // Cloud and service tokens with a known shape.
    r"\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b",
    r"\bgh[pousr]_[A-Za-z0-9]{36,}\b",
    r"\bgithub_pat_[A-Za-z0-9_]{60,}\b",
    r"\bglpat-[A-Za-z0-9_\-]{20,}\b",
    r"\bxox[abposr]-[A-Za-z0-9\-]{10,}\b",
    r"\bAIza[0-9A-Za-z_\-]{35}\b",
    r"\bsk-ant-[A-Za-z0-9_\-]{20,}\b",
    r"\bsk-(proj-)?[A-Za-z0-9_\-]{20,}\b",
    r"\b(sk|rk)_live_[0-9A-Za-z]{20,}\b",
    r"\bnpm_[A-Za-z0-9]{36}\b",
    r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}",
    // HTTP credentials in code, fixtures and recorded requests.
    r#"(?i)authorization["']?\s*[:=,]\s*["']?(?:bearer|basic|token|digest)\s+(?P<s>[A-Za-z0-9\-._~+/]{8,}=*)"#,
    r"\b[Bb]earer\s+(?P<s>[A-Za-z0-9\-._~+/]{16,}=*)",
    // npm's auth settings (`//registry/:_authToken=...`, `_auth=` on a line of its own): a
    // plain .npmrc is fine. Not a name that ends in `_auth` (flask's ``local_auth=True``).
    r#"(?im)(?:^\s*|:)_(?:authtoken|auth|password)\s*=\s*["']?(?P<s>[^\s"']+)"#,
    // A secret-named setting with a long literal value: the value goes.
    r#"(?i)(aws_secret_access_key|secret[_-]?key|api[_-]?key|access[_-]?token|auth[_-]?token|password|passwd|client[_-]?secret)["']?\s*[:=]\s*["']?(?P<s>[A-Za-z0-9/+=_\-\.]{16,})"#,
    // A password-like setting with a quoted literal of any length and alphabet.
    r#"(?i)(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|private[_-]?key|credentials?)["']?\s*(?::=|[:=]|=>)\s*(?P<q>["'])(?P<s>[^"'\s]{4,})["']"#,
    // The same, unquoted, to the end of its word (YAML, .env style, kubeconfig `token:`), with
    // a digit or a symbol in it: prose ("token: authentication") has neither.
    r#"(?i)(?:^|[\s{,;])(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|client[_-]?secret)\s*[:=]\s*(?P<s>[A-Za-z\-._]*[0-9!#%&*+/=?@^|~][A-Za-z0-9!#%&*+\-./=?@^_|~]{2,})(?:$|[\s,;}])"#,
    // Credentials inside a URL.
    r"[a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s:@]+:(?P<s>[^/\s:@]+)@",
];

/// A rule as compiled: word boundaries are ASCII ones. Every secret shape is ASCII, and a
/// Unicode `\b` sends the regex engine to its slowest path on any text that is not ASCII
/// (every page has a `·`): three quarters of a build's time went there.
fn ascii_boundaries(rule: &str) -> String {
    rule.replace(r"\b", r"(?-u:\b)")
}

fn rules() -> &'static [Regex] {
    static COMPILED: OnceLock<Vec<Regex>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        RULES
            .iter()
            .map(|r| {
                regex::RegexBuilder::new(&ascii_boundaries(r))
                    .multi_line(true)
                    .build()
                    .expect("the secret rules compile")
            })
            .collect()
    })
}

/// All the rules in one automaton: most texts (every commit message, every file) match none,
/// and one pass says so.
fn any_rule() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| {
        regex::RegexSetBuilder::new(RULES.iter().map(|r| ascii_boundaries(r)))
            .multi_line(true)
            .build()
            .expect("the secret rules compile")
    })
}

/// Secrets known at run time (the model's key, a base URL's password or query values): cut
/// out of every text that `redact` sees, whatever their shape.
fn known() -> &'static RwLock<Vec<String>> {
    static KNOWN: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    KNOWN.get_or_init(Default::default)
}

/// A short hash of what `redact` cuts out (the rules and the secrets known now): a text found
/// clean under one fingerprint is clean under it again.
pub fn fingerprint() -> String {
    let mut h = blake3::Hasher::new();
    for rule in RULES {
        h.update(rule.as_bytes());
        h.update(b"\0");
    }
    h.update(split_literals().as_str().as_bytes());
    for k in known().read().unwrap_or_else(|e| e.into_inner()).iter() {
        h.update(b"\0");
        h.update(k.as_bytes());
    }
    h.finalize().to_hex()[..16].to_string()
}

/// Treats `secret` as a secret from now on, in every text `redact` sees.
pub fn remember(secret: &str) {
    if secret.len() < 4 {
        return;
    }
    let mut known = known().write().unwrap_or_else(|e| e.into_inner());
    if !known.iter().any(|k| k == secret) {
        known.push(secret.to_string());
        // Longest first: a secret that holds another goes whole.
        known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    }
}

/// A token cut in two string literals on two lines (`"ghp_0123" +` / `"4567..."`): the two
/// halves are joined and tried against the rules.
fn split_literals() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(["'`])(?P<a>[A-Za-z0-9_\-+/=.]{4,})["'`]\s*(?:\+|\.|\\|&|\|\|)?[ \t]*\r?\n\s*(?:\+|\.|&|\|\|)?\s*(["'`])(?P<b>[A-Za-z0-9_\-+/=.]{4,})["'`]"#,
        )
        .expect("compiles")
    })
}

/// The text with every secret-looking string replaced; `None` when there was none.
pub fn redact(text: &str) -> Option<String> {
    let mut out: Option<String> = None;
    {
        let known = known().read().unwrap_or_else(|e| e.into_inner());
        for k in known.iter() {
            let current = out.as_deref().unwrap_or(text);
            if current.contains(k.as_str()) {
                out = Some(current.replace(k.as_str(), REDACTED));
            }
        }
    }
    let current = out.as_deref().unwrap_or(text);
    if let Some(joined) = redact_split_literals(current) {
        out = Some(joined);
    }
    let current = out.as_deref().unwrap_or(text);
    if !any_rule().is_match(current) {
        return out;
    }
    for rule in rules() {
        let current = out.as_deref().unwrap_or(text);
        if !rule.is_match(current) {
            continue;
        }
        let replaced = rule.replace_all(current, |caps: &regex::Captures| {
            let whole = caps.get(0).expect("a match");
            let secret = caps.name("s").unwrap_or(whole);
            let mut kept = whole.as_str().to_string();
            let start = secret.start() - whole.start();
            // Line breaks inside a secret are kept, so line numbers stay true.
            let breaks = secret.as_str().matches('\n').count();
            kept.replace_range(
                start..start + secret.len(),
                &format!("{REDACTED}{}", "\n".repeat(breaks)),
            );
            kept
        });
        out = Some(replaced.into_owned());
    }
    out
}

fn redact_split_literals(text: &str) -> Option<String> {
    if !split_literals().is_match(text) {
        return None;
    }
    let mut changed = false;
    let replaced = split_literals().replace_all(text, |caps: &regex::Captures| {
        let whole = caps.get(0).expect("a match");
        let (a, b) = (caps.name("a").expect("a"), caps.name("b").expect("b"));
        let joined = format!("{}{}", a.as_str(), b.as_str());
        if !any_rule().is_match(&joined) || any_rule().is_match(a.as_str()) {
            return whole.as_str().to_string();
        }
        changed = true;
        let mut kept = whole.as_str().to_string();
        // Back to front, so the first range stays where it was.
        kept.replace_range(b.start() - whole.start()..b.end() - whole.start(), REDACTED);
        kept.replace_range(a.start() - whole.start()..a.end() - whole.start(), REDACTED);
        kept
    });
    changed.then(|| replaced.into_owned())
}

/// A name (a path, an author) with its secrets cut out. Two names that differ only in their
/// secrets stay different: each cut-out part is marked with a short hash of what it was,
/// which says nothing of it.
pub fn redact_name(name: &str) -> Option<String> {
    let clean = redact(name)?;
    if !clean.contains(REDACTED) {
        return Some(clean);
    }
    let tag = &blake3::hash(name.as_bytes()).to_hex()[..8];
    Some(clean.replacen(REDACTED, &format!("[REDACTED-{tag}]"), 1))
}

/// `redact`, or the text as it was.
pub fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    match redact(text) {
        Some(t) => std::borrow::Cow::Owned(t),
        None => std::borrow::Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_files_are_recognised() {
        for p in [
            ".env",
            "config/.env.production",
            "certs/server.pem",
            "home/.ssh/id_ed25519",
            "a/credentials.json",
        ] {
            assert!(is_secret_file(p), "{p}");
        }
        for p in [".env.example", "src/env.rs", "keyboard.rs", "README.md"] {
            assert!(!is_secret_file(p), "{p}");
        }
        for p in [
            ".git-credentials",
            "db/.pgpass",
            ".dockercfg",
            "home/.docker/config.json",
            "infra/terraform.tfstate",
            "infra/prod.tfvars",
            "deploy/prod.env",
            ".envrc",
            "app/.streamlit/secrets.toml",
            "ops/kubeconfig",
            "home/.kube/config",
        ] {
            assert!(is_secret_file(p), "{p}");
        }
        // A plain .npmrc holds settings; its tokens, if any, are cut out as text.
        assert!(!is_secret_file(".npmrc"));
        assert!(!is_secret_file("docs/config.json"));
    }

    #[test]
    fn short_punctuated_split_and_header_secrets_are_cut_out() {
        for (text, secret) in [
            ("password = \"hunter2hunter2\"\n", "hunter2"),
            ("DB_PASSWORD='p@ss!w0rd'\n", "p@ss!w0rd"),
            ("  password: s3cr3t!x\n", "s3cr3t!x"),
            (
                "curl -H 'Authorization: Bearer abc123def456'\n",
                "abc123def456",
            ),
            (
                "headers = {\"Authorization\": \"Basic dXNlcjpwYXNz\"}\n",
                "dXNlcjpwYXNz",
            ),
            (
                "GET / HTTP/1.1\nAuthorization: token 0123456789abcdef\n",
                "0123456789abcdef",
            ),
            ("url = \"postgres://app:pw12@db:5432/x\"\n", "pw12"),
            (
                "//registry.npmjs.org/:_authToken=npm_aaaaBBBB1111\n",
                "npm_aaaaBBBB1111",
            ),
            ("always-auth=true\n_auth=dXNlcjpwYXNz\n", "dXNlcjpwYXNz"),
            (
                "users:\n- name: ci\n  user:\n    token: kube-token-0123\n",
                "kube-token-0123",
            ),
            (
                "TOKEN = (\"ghp_0123456789abcdefghij\" +\n         \"ABCDEFGHIJ012345\")\n",
                "ghp_0123456789abcdefghij",
            ),
        ] {
            let out = redact(text).unwrap_or_else(|| panic!("nothing cut from {text:?}"));
            assert!(!out.contains(secret), "{secret} in {out}");
            assert_eq!(out.lines().count(), text.lines().count(), "{out}");
        }
        let out =
            redact("TOKEN = (\"ghp_0123456789abcdefghij\" +\n         \"ABCDEFGHIJ012345\")\n")
                .unwrap();
        assert!(!out.contains("ABCDEFGHIJ012345"), "{out}");
        // What is not a secret stays.
        for text in [
            "let password = read_password();\n",
            "The bearer of the token is the caller.\n",
            "registry=https://registry.npmjs.org/\n",
            "fn token(&self) -> &str\n",
            "token: authentication comes first\n",
            "secret: the-usual-words\n",
            "x = \"hello\" +\n  \"world\"\n",
            "is called with the keyword argument ``local_auth=True``. See :doc:`/cli`.\n",
        ] {
            assert_eq!(redact(text), None, "{text}");
        }
    }

    #[test]
    fn remembered_secrets_and_names() {
        remember("my-very-own-key-42");
        assert_eq!(
            redact("key is my-very-own-key-42.").unwrap(),
            "key is [REDACTED]."
        );
        let a = redact_name("tokens/ghp_0123456789abcdefghijABCDEFGHIJ012345.txt").unwrap();
        let b = redact_name("tokens/ghp_0123456789abcdefghijABCDEFGHIJ012346.txt").unwrap();
        assert!(
            a.starts_with("tokens/[REDACTED-") && a.ends_with("].txt"),
            "{a}"
        );
        assert_ne!(a, b, "two names stay two");
        assert_eq!(redact_name("src/lib.rs"), None);
    }

    #[test]
    fn secrets_are_cut_out_and_lines_kept() {
        let text = "aws = 'AKIAIOSFODNN7EXAMPLE'\ntoken = \"ghp_0123456789abcdefghijABCDEFGHIJ012345\"\npassword = \"hunter2hunter2hunter2\"\nurl = 'https://bob:s3cretpass@example.com/x'\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----\nok = 1\n";
        let out = redact(text).unwrap();
        for secret in [
            "AKIAIOSFODNN7EXAMPLE",
            "ghp_0123",
            "hunter2hunter2",
            "s3cretpass",
            "MIIEow",
        ] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains("password = \"[REDACTED]\""), "{out}");
        assert!(out.contains("https://bob:[REDACTED]@example.com"), "{out}");
        assert_eq!(
            out.lines().count(),
            text.lines().count(),
            "line numbers stay true"
        );
        assert!(out.ends_with("ok = 1\n"));
        assert_eq!(redact("fn main() { let password = read(); }"), None);
    }
}
